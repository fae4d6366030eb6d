// Verifier time of one saved proof (issue 11): loads a verifying key (DIR/vk from `zkinfer setup`)
// and a proof (`zkinfer prove -o`), verifies it once to warm the key's cache, then times
// verify_profiled() per iteration and reports its sections (ms, wall) as counters. The files come
// from the environment, so no setup runs here:
//   ZKINFER_VK=DIR/vk ZKINFER_PROOF=proof.zkp build/bench/verify_bench --benchmark_repetitions=5
// A model with a public input needs it too: ZKINFER_INPUT=input.json (as `zkinfer verify --input`);
// its proofs are timed by verify() as a whole (no sections). Skipped (with a message) when the
// variables are unset. proc_cpu_ms is the process's CPU per verification (every thread; with
// OMP_NUM_THREADS=1, one thread's work, the figure to compare under load).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"

namespace {

using namespace zkinfer;

void BM_Verify(benchmark::State& state) {
  const char* vk_path = std::getenv("ZKINFER_VK");
  const char* proof_path = std::getenv("ZKINFER_PROOF");
  const char* input_path = std::getenv("ZKINFER_INPUT");
  if (vk_path == nullptr || proof_path == nullptr) {
    state.SkipWithError("set ZKINFER_VK and ZKINFER_PROOF");
    return;
  }
  const proof::VkFile vkf = proof::decode_vk_file(proof::read_binary(vk_path));
  const std::vector<uint8_t> bytes = proof::read_binary(proof_path);
  std::vector<ops::ITensor> public_in;
  if (input_path != nullptr) {
    const auto flat = graph::parse_input_json(graph::read_text(input_path), input_path);
    public_in = quant::quantize_inputs(vkf.model, graph::make_inputs(vkf.model.graph, flat, input_path));
  }
  auto once = [&](proof::VerifyProfile* p) {
    return public_in.empty() ? proof::verify_profiled(vkf.model, vkf.vk, bytes, p)
                             : proof::verify(vkf.model, vkf.vk, bytes, nullptr, nullptr, public_in);
  };
  proof::VerifyProfile warm;
  if (Verdict v = once(&warm); !v) {
    state.SkipWithError(("the proof does not verify: " + v.reason()).c_str());
    return;
  }
  proof::VerifyProfile sum;
  size_t iters = 0;
  const std::clock_t cpu0 = std::clock();  // the process's CPU, every thread (with
                                           // OMP_WAIT_POLICY=passive: work, not spinning)
  for (auto _ : state) {
    proof::VerifyProfile p;
    const Verdict v = once(&p);
    benchmark::DoNotOptimize(v.ok());
    sum.key += p.key, sum.setup += p.setup, sum.nodes += p.nodes, sum.bounds += p.bounds;
    sum.lookups += p.lookups, sum.open_front += p.open_front, sum.zk += p.zk, sum.open_back += p.open_back;
    ++iters;
  }
  const double k = iters ? 1000.0 / static_cast<double>(iters) : 0;
  state.counters["proc_cpu_ms"] = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC * k;
  if (!public_in.empty()) return;
  state.counters["key_ms"] = sum.key * k;
  state.counters["setup_ms"] = sum.setup * k;
  state.counters["nodes_ms"] = sum.nodes * k;
  state.counters["bounds_ms"] = sum.bounds * k;
  state.counters["lookups_ms"] = sum.lookups * k;
  state.counters["front_ms"] = sum.open_front * k;
  state.counters["zk_ms"] = sum.zk * k;
  state.counters["back_ms"] = sum.open_back * k;
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
