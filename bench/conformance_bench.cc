// The layer benchmarks driven by the protocol conformance table (tests/conformance_rows.h, the
// rows the conformance harness proves): for every row, in the default visibility (private input
// and weights, zero knowledge), the whole-model prover and verifier of that one-node model, and
// the proof's size (counter "proof_bytes"). A row's figure is its node's protocol plus the fixed
// costs of any proof (the input's range check, the batch opening).
// Run: build/bench/conformance_bench [--benchmark_filter=Conv]
#include <benchmark/benchmark.h>

#include "common/random.h"
#include "conformance_rows.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/quantizer.h"

namespace {

using namespace zkinfer;

struct Prepared {
  quant::CompiledModel model;
  proof::VerifyingKey vk;
  quant::Trace trace;
};

Prepared prepare(const conformance::Row& row) {
  TestRng rng(7);
  size_t n = 1;
  for (int64_t d : row.input) n *= static_cast<size_t>(d);
  std::vector<graph::Sample> samples(8);
  for (auto& s : samples) {
    std::vector<double> x(n);
    for (auto& v : x) v = row.input_range * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    s.inputs.push_back(std::move(x));
  }
  Prepared p{quant::quantize(graph::load_onnx_bytes(row.onnx, row.name), samples, ops::QuantConfig{}), {}, {}};
  p.vk = proof::setup(p.model);
  p.trace = quant::run_int(p.model, quant::quantize_inputs(p.model, graph::make_inputs(p.model.graph, samples[0].inputs, row.name)));
  return p;
}

void BM_Prove(benchmark::State& state, const conformance::Row* row) {
  const Prepared p = prepare(*row);
  TestRng rng(11);
  std::vector<uint8_t> bytes;
  for (auto _ : state) bytes = proof::prove(p.model, p.vk, p.trace, pcs::random_fr(rng));
  state.counters["proof_bytes"] = static_cast<double>(bytes.size());
}

void BM_Verify(benchmark::State& state, const conformance::Row* row) {
  const Prepared p = prepare(*row);
  TestRng rng(11);
  const auto bytes = proof::prove(p.model, p.vk, p.trace, pcs::random_fr(rng));
  if (!proof::verify(p.model, p.vk, bytes).ok()) {
    state.SkipWithError("the proof does not verify");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(proof::verify(p.model, p.vk, bytes));
  state.counters["proof_bytes"] = static_cast<double>(bytes.size());
}

const bool registered = [] {
  for (const auto& row : conformance::rows()) {
    benchmark::RegisterBenchmark(("Prove/" + row.name).c_str(), BM_Prove, &row)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Verify/" + row.name).c_str(), BM_Verify, &row)->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
