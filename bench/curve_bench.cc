// Benchmarks of BN254 G1 (curve/g1.h), hash-to-curve and the MSM (curve/msm.h): point addition,
// doubling and mixed addition; scalar multiplication; MSMs of 2^16 and 2^20 points with full
// 254-bit scalars, with 16-bit scalars given as Fr, and msm_small with 16- and 32-bit signed
// integers. Real time is reported (the MSM is multithreaded).
//   build-<name>/bench/curve_bench --benchmark_filter=MSM
#include <benchmark/benchmark.h>

#include <omp.h>

#include <vector>

#include "common/random.h"
#include "curve/g1.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "curve/msm_forms.h"

namespace {

using namespace zkinfer::curve;
using zkinfer::TestRng;

// 2^20 distinct bases made cheaply: per chunk, a hashed start point plus multiples of a hashed
// step (one Jacobian addition per point), converted with one inversion per chunk. Their discrete
// logs are related, which does not matter for timing.
const std::vector<G1Affine>& bench_bases() {
  static const std::vector<G1Affine> bases = [] {
    const size_t n = size_t{1} << 20, chunk = size_t{1} << 12;
    std::vector<G1> jac(n);
    const G1Affine step = hash_to_curve("zkinfer/bench/step", {});
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < static_cast<int64_t>(n / chunk); ++c) {
      std::array<uint8_t, 8> msg{};
      for (size_t k = 0; k < 8; ++k) msg[k] = static_cast<uint8_t>(static_cast<uint64_t>(c) >> (8 * k));
      G1 p(hash_to_curve("zkinfer/bench/start", msg));
      for (size_t i = 0; i < chunk; ++i) {
        jac[static_cast<size_t>(c) * chunk + i] = p;
        p += step;
      }
    }
    std::vector<G1Affine> out(n);
    G1::batch_to_affine(jac, out);
    return out;
  }();
  return bases;
}

void BM_G1Add(benchmark::State& state) {
  TestRng rng(1);
  G1 a = G1::generator() * Fr::random(rng), b = G1::generator() * Fr::random(rng);
  for (auto _ : state) {
    a = a + b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_G1Add)->Name("G1_add_jacobian");

void BM_G1MixedAdd(benchmark::State& state) {
  TestRng rng(2);
  G1 a = G1::generator() * Fr::random(rng);
  G1Affine b = (G1::generator() * Fr::random(rng)).to_affine();
  for (auto _ : state) {
    a = a + b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_G1MixedAdd)->Name("G1_add_mixed");

void BM_G1Double(benchmark::State& state) {
  TestRng rng(3);
  G1 a = G1::generator() * Fr::random(rng);
  for (auto _ : state) {
    a = a.doubled();
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_G1Double)->Name("G1_double");

void BM_G1ScalarMul(benchmark::State& state) {
  TestRng rng(4);
  G1 a = G1::generator() * Fr::random(rng);
  Fr k = Fr::random(rng);
  for (auto _ : state) benchmark::DoNotOptimize(a * k);
}
BENCHMARK(BM_G1ScalarMul)->Name("G1_scalar_mul");

void BM_HashToCurve(benchmark::State& state) {
  uint64_t i = 0;
  for (auto _ : state) {
    std::array<uint8_t, 8> msg{};
    for (size_t k = 0; k < 8; ++k) msg[k] = static_cast<uint8_t>(i >> (8 * k));
    ++i;
    benchmark::DoNotOptimize(hash_to_curve("zkinfer/bench", msg));
  }
}
BENCHMARK(BM_HashToCurve)->Name("hash_to_curve");

void BM_DeriveGenerators(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(derive_generators("zkinfer/bench", static_cast<size_t>(state.range(0))));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DeriveGenerators)->Name("derive_generators")->Arg(1 << 14)->Unit(benchmark::kMillisecond)->UseRealTime();

// Full-width (uniform in Fr) or `bits`-bit non-negative scalars, as Fr.
void BM_Msm(benchmark::State& state, size_t bits) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::span<const G1Affine> bases(bench_bases().data(), n);
  TestRng rng(5);
  std::vector<Fr> s(n);
  for (auto& x : s) x = bits >= 254 ? Fr::random(rng) : Fr::from_u64(rng.next_u64() & ((uint64_t{1} << bits) - 1));
  for (auto _ : state) benchmark::DoNotOptimize(msm(bases, s));
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK_CAPTURE(BM_Msm, full_254bit, 254)->Name("MSM_254bit")->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Msm, fr_16bit, 16)->Name("MSM_16bit_as_Fr")->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

// The verifier's MSMs: a few to a few thousand points with full-width scalars, with the GLV
// endomorphism (the default) and without. One thread unless OMP_NUM_THREADS says otherwise.
const std::vector<G1Affine>& small_bases() {
  static const std::vector<G1Affine> bases = derive_generators("zkinfer/bench/small", 16384);
  return bases;
}
// n full-width scalars, the same on every run (seed 7).
std::vector<Fr> random_scalars(size_t n) {
  TestRng rng(7);
  std::vector<Fr> s(n);
  for (auto& x : s) x = Fr::random(rng);
  return s;
}
void BM_MsmVerifier(benchmark::State& state, MsmOptions::Glv glv, MsmForm form = MsmForm::kAuto,
                    MsmOptions::Buckets buckets = MsmOptions::Buckets::kAuto) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::span<const G1Affine> bases(small_bases().data(), n);
  const std::vector<Fr> s = random_scalars(n);
  MsmOptions o;
  o.glv = glv;
  o.buckets = buckets;
  for (auto _ : state) benchmark::DoNotOptimize(msm_form(bases, s, form, o));
}
// The forms the automatic choice picks between (msm.cc), forced.
BENCHMARK_CAPTURE(BM_MsmVerifier, glv_jac, MsmOptions::Glv::kOn, MsmForm::kPerWindow, MsmOptions::Buckets::kJacobian)->Name("MSM_verifier_glv_jacobian")->Arg(128)->Arg(256)->Arg(400)->Arg(615)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_MsmVerifier, glv_shared, MsmOptions::Glv::kOn, MsmForm::kSharedAffine)->Name("MSM_verifier_glv_shared")->Arg(128)->Arg(256)->Arg(400)->Arg(615)->Arg(1024)->Arg(4096)->Arg(16384)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_MsmVerifier, noglv_shared, MsmOptions::Glv::kOff, MsmForm::kSharedAffine)->Name("MSM_verifier_noglv_shared")->Arg(400)->Arg(615)->Arg(1024)->Arg(4096)->Arg(16384)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_MsmVerifier, glv, MsmOptions::Glv::kAuto)->Name("MSM_verifier_glv")->Arg(1)->Arg(8)->Arg(35)->Arg(48)->Arg(64)->Arg(128)->Arg(256)->Arg(615)->Arg(4096)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_MsmVerifier, plain, MsmOptions::Glv::kOff)->Name("MSM_verifier_noglv")->Arg(1)->Arg(8)->Arg(35)->Arg(48)->Arg(64)->Arg(128)->Arg(256)->Arg(400)->Arg(615)->Arg(1024)->Arg(4096)->Arg(16384)->Unit(benchmark::kMicrosecond)->UseRealTime();

// resnet18's batch MSM (issue 11): n full-width points (GLV: 2n half-width ones) in the shared
// batch-affine form with window c (0 = automatic) on t threads: Args({n, c, t}).
void BM_MsmVerifierWindow(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::span<const G1Affine> bases(small_bases().data(), n);
  const std::vector<Fr> s = random_scalars(n);
  MsmOptions o;
  o.glv = MsmOptions::Glv::kOn;
  o.window_bits = static_cast<unsigned>(state.range(1));
  o.threads = static_cast<int>(state.range(2));
  for (auto _ : state) benchmark::DoNotOptimize(msm_form(bases, s, MsmForm::kSharedAffine, o));
}
BENCHMARK(BM_MsmVerifierWindow)->Name("MSM_verifier_shared_window")->ArgsProduct({{9298}, {0, 9, 10, 11, 12, 13}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

// Signed integers with |v| < 2^bits.
void BM_MsmSmall(benchmark::State& state, size_t bits) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::span<const G1Affine> bases(bench_bases().data(), n);
  TestRng rng(6);
  std::vector<int64_t> v(n);
  for (auto& x : v) {
    int64_t m = static_cast<int64_t>(rng.next_u64() & ((uint64_t{1} << bits) - 1));
    x = (rng.next_u64() & 1) ? -m : m;
  }
  for (auto _ : state) benchmark::DoNotOptimize(msm_small(bases, v));
  state.counters["threads"] = omp_get_max_threads();
}
BENCHMARK_CAPTURE(BM_MsmSmall, s16, 16)->Name("MSM_small_16bit")->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_MsmSmall, s32, 32)->Name("MSM_small_32bit")->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
