// Groth16 over BN254 (src/snark/groth16.h): prove time for 2^16 and 2^18 constraints of the test
// circuit (x^3 + x + 5 = y and random products of up to 3-term combinations: snark/
// groth16_test_circuit.h), with the prover's breakdown as counters (seconds per proof) and the
// TEST-ONLY setup's time. Figures in BENCHMARKS.md, "groth16".
//   build/bench/groth16_bench --benchmark_filter=prove
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>

#include "common/random.h"
#include "snark/groth16.h"
#include "snark/groth16_test_circuit.h"

namespace {
using namespace zkinfer;
using namespace zkinfer::snark;

struct Case {
  ConstraintSystem cs;
  Groth16ProvingKey pk;
  double setup_s = 0;
};

// The circuit whose domain is exactly 2^k (constraints + public inputs + 1 <= 2^k).
const Case& get(unsigned k) {
  static std::map<unsigned, std::unique_ptr<Case>> cache;
  auto& c = cache[k];
  if (!c) {
    c = std::make_unique<Case>();
    const size_t extra = (size_t{1} << k) - 16;
    ConstraintSystem dummy;
    build_test_circuit(dummy, Fr::zero(), extra, 4, 1);
    const auto t = std::chrono::steady_clock::now();
    c->pk = groth16_setup_insecure(dummy, 42);
    c->setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    TestRng rng(7);
    build_test_circuit(c->cs, Fr::random(rng), extra, 4, 1);
  }
  return *c;
}

void BM_Prove(benchmark::State& s) {
  const unsigned k = static_cast<unsigned>(s.range(0));
  const Case& c = get(k);
  TestRng rng(9);
  Groth16ProveTimings t;
  Groth16Proof proof;
  for (auto _ : s) {
    proof = groth16_prove(c.pk, c.cs, [&rng] { return Fr::random(rng); }, ProveOptions{.timings = &t});
    benchmark::DoNotOptimize(proof);
  }
  if (!groth16_verify(c.pk.vk, c.cs.public_values(), proof)) s.SkipWithError("the proof does not verify");
  const double it = static_cast<double>(s.iterations());
  s.counters["constraints"] = static_cast<double>(c.cs.num_constraints());
  s.counters["setup_s"] = c.setup_s;
  s.counters["shape_s"] = t.shape / it;
  s.counters["eval_s"] = t.evaluate / it;
  s.counters["ntt_s"] = t.ntt / it;
  s.counters["msm_g1_s"] = t.msm_g1 / it;
  s.counters["msm_g2_s"] = t.msm_g2 / it;
  s.counters["us_per_constraint"] = 1e6 * (t.shape + t.evaluate + t.ntt + t.msm_g1 + t.msm_g2) / it /
                                    static_cast<double>(c.cs.num_constraints());
}
BENCHMARK(BM_Prove)->Name("groth16_prove")->Arg(16)->Arg(18)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();

void BM_Verify(benchmark::State& s) {
  const Case& c = get(16);
  TestRng rng(9);
  const Groth16Proof proof = groth16_prove(c.pk, c.cs, [&rng] { return Fr::random(rng); });
  for (auto _ : s) benchmark::DoNotOptimize(groth16_verify(c.pk.vk, c.cs.public_values(), proof));
}
BENCHMARK(BM_Verify)->Name("groth16_verify")->Unit(benchmark::kMillisecond);

}  // namespace

#include "poly/ntt.h"
namespace {
void BM_Ntt(benchmark::State& s) {
  const size_t n = size_t{1} << s.range(0);
  zkinfer::TestRng rng(3);
  std::vector<zkinfer::field::Fr> a(n);
  for (auto& x : a) x = zkinfer::field::Fr::random(rng);
  for (auto _ : s) zkinfer::poly::ntt(a);
}
BENCHMARK(BM_Ntt)->Name("ntt")->Arg(16)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime();
}  // namespace
