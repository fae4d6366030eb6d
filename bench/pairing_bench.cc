// BN254 pairing: Miller loop, final exponentiation, a 2-pair pairing check, G2 scalar
// multiplication (figures in BENCHMARKS.md, "Issue 15: pairing").
#include <benchmark/benchmark.h>

#include "common/random.h"
#include "curve/pairing.h"

namespace {
using namespace zkinfer::curve;
using zkinfer::TestRng;

struct Inputs {
  G1Affine p, pab;
  G2Affine q;
  Fr k;
  Inputs() {
    TestRng rng(7);
    Fr a = Fr::random(rng), b = Fr::random(rng);
    p = (G1::generator() * a).to_affine();
    pab = (-(G1::generator() * (a * b))).to_affine();
    q = (G2::generator() * b).to_affine();
    k = Fr::random(rng);
  }
};
const Inputs& in() {
  static Inputs i;
  return i;
}

void BM_MillerLoop(benchmark::State& s) {
  PairingInput x[1] = {{in().p, in().q}};
  for (auto _ : s) benchmark::DoNotOptimize(miller_loop(x));
}
BENCHMARK(BM_MillerLoop)->Name("miller_loop")->Unit(benchmark::kMicrosecond);

void BM_FinalExp(benchmark::State& s) {
  PairingInput x[1] = {{in().p, in().q}};
  Fq12 f = miller_loop(x);
  for (auto _ : s) benchmark::DoNotOptimize(final_exponentiation(f));
}
BENCHMARK(BM_FinalExp)->Name("final_exponentiation")->Unit(benchmark::kMicrosecond);

void BM_Check2(benchmark::State& s) {
  PairingInput x[2] = {{in().p, in().q}, {in().pab, G2Affine::generator()}};
  for (auto _ : s) {
    bool ok = pairing_check(x);
    if (!ok) s.SkipWithError("pairing check failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Check2)->Name("pairing_check_2_pairs")->Unit(benchmark::kMicrosecond);

void BM_G2Mul(benchmark::State& s) {
  G2 q = in().q;
  for (auto _ : s) benchmark::DoNotOptimize(q * in().k);
}
BENCHMARK(BM_G2Mul)->Name("G2_scalar_mul")->Unit(benchmark::kMicrosecond);

void BM_G2Subgroup(benchmark::State& s) {
  for (auto _ : s) benchmark::DoNotOptimize(in().q.is_in_subgroup());
}
BENCHMARK(BM_G2Subgroup)->Name("G2_subgroup_check")->Unit(benchmark::kMicrosecond);
}  // namespace
