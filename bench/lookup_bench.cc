// Benchmark: LogUp-GKR range check of 2^20 values into the table [0, 2^16) over BN254's Fr:
// phase 1 (multiplicities), phase 2 (the GKR proof) and the verifier.
// Run: build/bench/lookup_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"
#include "transcript/transcript.h"

namespace {

using zkinfer::field::Fr;
namespace lk = zkinfer::lookup;

std::vector<std::vector<Fr>> witness(size_t n, size_t k) {
  zkinfer::TestRng rng(7);
  std::vector<std::vector<Fr>> cols(1, std::vector<Fr>(size_t{1} << n));
  for (auto& x : cols[0]) x = Fr::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
  return cols;
}

void BM_LogupMultiplicities(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0)), k = static_cast<size_t>(state.range(1));
  const auto table = lk::LookupTable<Fr>::range(k);
  const auto cols = witness(n, k);
  for (auto _ : state) {
    auto m = lk::compute_multiplicities(table, cols);
    benchmark::DoNotOptimize(m.counts.data());
  }
}
BENCHMARK(BM_LogupMultiplicities)->Args({20, 16})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LogupProve(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0)), k = static_cast<size_t>(state.range(1));
  const auto table = lk::LookupTable<Fr>::range(k);
  const auto cols = witness(n, k);
  const auto m = lk::compute_multiplicities(table, cols).to_field();
  for (auto _ : state) {
    zkinfer::transcript::Transcript t("bench");
    auto res = lk::prove(table, cols, m, t);
    benchmark::DoNotOptimize(res.claims.multiplicity_eval);
  }
}
BENCHMARK(BM_LogupProve)->Args({16, 8})->Args({20, 16})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LogupVerify(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0)), k = static_cast<size_t>(state.range(1));
  const auto table = lk::LookupTable<Fr>::range(k);
  const auto cols = witness(n, k);
  const auto m = lk::compute_multiplicities(table, cols).to_field();
  zkinfer::transcript::Transcript tp("bench");
  const auto res = lk::prove(table, cols, m, tp);
  for (auto _ : state) {
    zkinfer::transcript::Transcript t("bench");
    lk::LookupClaims<Fr> claims;
    auto v = lk::verify(table, n, res.proof, t, &claims);
    if (!v.ok()) state.SkipWithError(v.reason().c_str());
    benchmark::DoNotOptimize(claims.multiplicity_eval);
  }
}
BENCHMARK(BM_LogupVerify)->Args({20, 16})->Unit(benchmark::kMillisecond);

}  // namespace
