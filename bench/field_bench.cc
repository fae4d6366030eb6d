// Micro-benchmarks of the BN254 fields (field/bn254.h): Fr multiply, square, add, inverse and
// batch inverse; Fq multiply and square root. Each iteration is a dependent chain so the figures
// are latencies, not throughputs.
//   build-<name>/bench/field_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <vector>

#include "common/random.h"
#include "field/bn254.h"

namespace {

using zkinfer::TestRng;
using zkinfer::field::Fq;
using zkinfer::field::Fr;

template <class F>
void BM_Mul(benchmark::State& state) {
  TestRng rng(1);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Mul<Fr>)->Name("Fr_mul");
BENCHMARK(BM_Mul<Fq>)->Name("Fq_mul");

// Independent multiplies (throughput): 8 chains interleaved.
template <class F>
void BM_MulThroughput(benchmark::State& state) {
  TestRng rng(1);
  F a[8], b = F::random(rng);
  for (auto& x : a) x = F::random(rng);
  for (auto _ : state) {
    for (auto& x : a) x = x * b;
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations() * 8);
}
BENCHMARK(BM_MulThroughput<Fr>)->Name("Fr_mul_x8_throughput");

template <class F>
void BM_Square(benchmark::State& state) {
  TestRng rng(2);
  F a = F::random(rng);
  for (auto _ : state) {
    a = a.square();
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Square<Fr>)->Name("Fr_square");
BENCHMARK(BM_Square<Fq>)->Name("Fq_square");

template <class F>
void BM_Add(benchmark::State& state) {
  TestRng rng(3);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = a + b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Add<Fr>)->Name("Fr_add");

template <class F>
void BM_Sub(benchmark::State& state) {
  TestRng rng(3);
  F a = F::random(rng), b = F::random(rng);
  for (auto _ : state) {
    a = a - b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Sub<Fr>)->Name("Fr_sub");

template <class F>
void BM_Inverse(benchmark::State& state) {
  TestRng rng(4);
  F a = F::random(rng);
  for (auto _ : state) {
    a = a.inverse() + F::one();
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Inverse<Fr>)->Name("Fr_inverse");

void BM_BatchInverse(benchmark::State& state) {
  TestRng rng(5);
  std::vector<Fr> xs(static_cast<size_t>(state.range(0)));
  for (auto& x : xs) x = Fr::random(rng);
  for (auto _ : state) {
    Fr::batch_inverse(xs);
    benchmark::DoNotOptimize(xs.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BatchInverse)->Name("Fr_batch_inverse")->Arg(1 << 12);

void BM_FqSqrt(benchmark::State& state) {
  TestRng rng(6);
  Fq a = Fq::random(rng).square();
  for (auto _ : state) {
    auto r = a.sqrt();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FqSqrt)->Name("Fq_sqrt");

}  // namespace
