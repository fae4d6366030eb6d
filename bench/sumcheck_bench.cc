// Benchmark: one sumcheck over 2^n variables of eq(r, x) f(x) g(x) (degree 3), prover and
// verifier, over BN254's Fr. Run: build/bench/sumcheck_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "transcript/transcript.h"

namespace {

using zkinfer::field::Fr;
namespace sc = zkinfer::sumcheck;

std::vector<Fr> random_vec(zkinfer::TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (auto& x : v) x = Fr::random(rng);
  return v;
}

struct Inputs {
  std::vector<std::vector<Fr>> factors;
};

Inputs make_inputs(size_t n) {
  zkinfer::TestRng rng(42);
  Inputs in;
  in.factors.push_back(zkinfer::poly::eq_table<Fr>(random_vec(rng, n)));
  in.factors.push_back(random_vec(rng, size_t{1} << n));
  in.factors.push_back(random_vec(rng, size_t{1} << n));
  return in;
}

void BM_SumcheckProveEqFG(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto in = make_inputs(n);
  const auto comp = sc::Composition<Fr>::product(3);
  for (auto _ : state) {
    state.PauseTiming();
    auto factors = in.factors;  // the prover consumes its tables
    state.ResumeTiming();
    zkinfer::transcript::Transcript t("bench");
    auto res = sc::prove(comp, std::move(factors), t);
    benchmark::DoNotOptimize(res.claim);
  }
  state.counters["vars"] = static_cast<double>(n);
}
BENCHMARK(BM_SumcheckProveEqFG)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same proof by prove_with_eq: eq(r, x) given by its point, never tabulated or folded.
void BM_SumcheckProveEqFGFactored(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  zkinfer::TestRng rng(42);
  const auto point = random_vec(rng, n);
  auto in = make_inputs(n);
  in.factors[0].clear();
  const auto comp = sc::Composition<Fr>::product(3);
  for (auto _ : state) {
    state.PauseTiming();
    auto factors = in.factors;
    state.ResumeTiming();
    zkinfer::transcript::Transcript t("bench");
    auto res = sc::prove_with_eq<Fr>(comp, point, std::move(factors), t);
    benchmark::DoNotOptimize(res.claim);
  }
  state.counters["vars"] = static_cast<double>(n);
}
BENCHMARK(BM_SumcheckProveEqFGFactored)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SumcheckVerifyEqFG(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto comp = sc::Composition<Fr>::product(3);
  zkinfer::transcript::Transcript tp("bench");
  auto res = sc::prove(comp, make_inputs(n).factors, tp);
  for (auto _ : state) {
    zkinfer::transcript::Transcript t("bench");
    sc::Subclaim<Fr> sub;
    auto v = sc::verify(comp, n, res.claim, res.proof, t, &sub);
    if (!v.ok()) state.SkipWithError(v.reason().c_str());
    benchmark::DoNotOptimize(sub.point);
  }
}
BENCHMARK(BM_SumcheckVerifyEqFG)->Arg(20)->Unit(benchmark::kMicrosecond);

}  // namespace
