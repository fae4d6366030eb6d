// Benchmarks for the re-indexing, broadcast, windowed-pooling, LeakyRelu, Clip and PRelu layer
// protocols (src/layers/reindex.h, elementwise.h, pool.h, leaky_relu.h, clip.h, prelu.h), one output
// claim each.
// BM_*Prove: the whole prover (phase 1 + phase 2 where there is advice; committing the advice is
// the caller's and not included; counter "advice" = committed field elements). BM_*Verify: the
// verifier. Shapes are CNN-sized (64 channels, 32 x 32).
// Run: build/bench/extra_layers_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "common/random.h"
#include "layers/elementwise.h"
#include "layers/clip.h"
#include "layers/leaky_relu.h"
#include "layers/prelu.h"
#include "layers/pool.h"
#include "layers/reindex.h"
#include "poly/mle.h"

namespace {

using zkinfer::field::Fr;
using namespace zkinfer::layers;
using zkinfer::transcript::Transcript;

std::vector<int64_t> random_ints(zkinfer::TestRng& rng, size_t n, int64_t bound) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % (2 * bound + 1)) - bound;
  return v;
}

Claim true_claim(zkinfer::TestRng& rng, const PaddedShape& s, const std::vector<int64_t>& y) {
  std::vector<Fr> p(s.num_vars());
  for (auto& x : p) x = Fr::random(rng);
  const auto t = padded_table(s, y);
  const Fr v = zkinfer::poly::evaluate_mle<Fr>(t, p);
  return {std::move(p), v};
}

size_t advice_size(const std::vector<LayerAdvice>& a) {
  size_t n = 0;
  for (const auto& x : a) n += x.values.size();
  return n;
}

// 0: Flatten (1, 64, 7, 7) -> (1, 3136); 1: Slice (1, 64, 32, 32)[:, :, 1:31, 1:31];
// 2: Pad (1, 64, 30, 30) by 1 spatially; 3: Transpose (1, 64, 32, 32) -> NHWC.
ReindexMap bench_map(int which) {
  switch (which) {
    case 0: return reshape_map({1, 64, 7, 7}, {1, 3136});
    case 1: return slice_map({1, 64, 32, 32}, {1, 1}, {31, 31}, {2, 3}, {});
    case 2: return pad_map({1, 64, 30, 30}, {0, 0, 1, 1, 0, 0, 1, 1});
    default: return transpose_map({1, 64, 32, 32}, {0, 2, 3, 1});
  }
}

void BM_ReindexProve(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto m = bench_map(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, PaddedShape(m.x_dims).unpadded_size(), 1 << 20);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(m.y_dims), m.apply(x))};
  for (auto _ : st) {
    Transcript tr("bench");
    ReindexProof proof;
    benchmark::DoNotOptimize(prove_reindex(m, x, claims, tr, &proof));
  }
}
BENCHMARK(BM_ReindexProve)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_ReindexVerify(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto m = bench_map(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, PaddedShape(m.x_dims).unpadded_size(), 1 << 20);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(m.y_dims), m.apply(x))};
  Transcript tp("bench");
  ReindexProof proof;
  prove_reindex(m, x, claims, tp, &proof);
  for (auto _ : st) {
    Transcript tr("bench");
    std::vector<Claim> out;
    if (!verify_reindex(m, claims, proof, tr, &out).ok()) st.SkipWithError("rejected");
  }
}
BENCHMARK(BM_ReindexVerify)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_ConcatProve(benchmark::State& st) {  // two (1, 64, 32, 32) along the channels
  zkinfer::TestRng rng(1);
  ConcatParams p;
  p.in_dims = {{1, 64, 32, 32}, {1, 64, 32, 32}};
  p.axis = 1;
  auto a = random_ints(rng, 65536, 1 << 20), b = random_ints(rng, 65536, 1 << 20);
  std::vector<int64_t> y(a);
  y.insert(y.end(), b.begin(), b.end());
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.out_dims()), y)};
  std::vector<std::span<const int64_t>> xs{a, b};
  for (auto _ : st) {
    Transcript tr("bench");
    ConcatProof proof;
    benchmark::DoNotOptimize(prove_concat(p, xs, claims, tr, &proof));
  }
}
BENCHMARK(BM_ConcatProve)->Unit(benchmark::kMillisecond);

void BM_BatchNormProve(benchmark::State& st) {  // affine (1, 64, 32, 32) x qa[c] + qb[c], rescale 2^16
  zkinfer::TestRng rng(1);
  ElementwiseParams p;
  p.op = ElementwiseParams::Op::kAffine;
  p.dims = {1, 64, 32, 32};
  p.b_dims = p.c_dims = {1, 64, 1, 1};
  p.shift = 16;
  p.out_bits = 24;
  auto x = random_ints(rng, 65536, 1 << 20), qa = random_ints(rng, 64, 1 << 15), qb = random_ints(rng, 64, 1 << 30);
  ElementwiseProver probe(p, x, qa, qb);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.dims), probe.output())};
  for (auto _ : st) {
    ElementwiseProver prover(p, x, qa, qb);
    Transcript tr("bench");
    ElementwiseClaims out;
    benchmark::DoNotOptimize(prover.prove(claims, tr, &out));
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_BatchNormProve)->Unit(benchmark::kMillisecond);

AvgPoolParams avg_params(int which) {
  AvgPoolParams p;
  p.dims = {1, 64, 32, 32};
  p.bits = 24;
  if (which == 0) {
    p.kh = p.kw = p.sh = p.sw = 2;
  } else {
    p.kh = p.kw = 3;
    p.pt = p.pl = p.pb = p.pr = 1;
  }
  return p;
}

void BM_AvgPoolProve(benchmark::State& st) {  // 0: 2x2/2; 1: 3x3/1 pad 1, pads not counted
  zkinfer::TestRng rng(1);
  const auto p = avg_params(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, 65536, 1 << 20);
  AvgPoolProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.out_dims()), probe.output())};
  for (auto _ : st) {
    AvgPoolProver prover(p, x);
    Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    benchmark::DoNotOptimize(prover.prove(claims, tr, &in, &adv));
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_AvgPoolProve)->DenseRange(0, 1)->Unit(benchmark::kMillisecond);

void BM_AvgPoolVerify(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto p = avg_params(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, 65536, 1 << 20);
  AvgPoolProver prover(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.out_dims()), prover.output())};
  Transcript tp("bench");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  auto proof = prover.prove(claims, tp, &in, &adv);
  for (auto _ : st) {
    Transcript tr("bench");
    if (!verify_avg_pool(p, claims, proof, tr, &in, &adv).ok()) st.SkipWithError("rejected");
  }
}
BENCHMARK(BM_AvgPoolVerify)->DenseRange(0, 1)->Unit(benchmark::kMillisecond);

void BM_LeakyReluProve(benchmark::State& st) {  // 2^16 elements, alpha 0.01 (sa 13), rescale 2^13
  zkinfer::TestRng rng(1);
  const LeakyReluParams p{{1, 64, 32, 32}, 82, 13, 13, 24, 0};
  auto x = random_ints(rng, 65536, (1 << 23) - 1);
  LeakyReluProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.dims), probe.output())};
  for (auto _ : st) {
    LeakyReluProver prover(p, x);
    Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    benchmark::DoNotOptimize(prover.prove(claims, tr, &in, &adv));
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_LeakyReluProve)->Unit(benchmark::kMillisecond);

void BM_ClipProve(benchmark::State& st) {  // 2^16 elements, ReLU6 at scale 8 of 24-bit inputs
  zkinfer::TestRng rng(1);
  const ClipParams p{{1, 64, 32, 32}, 0, 6 * 256, clip_bits(24, 0, 6 * 256)};
  auto x = random_ints(rng, 65536, (1 << 23) - 1);
  ClipProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.dims), probe.output())};
  for (auto _ : st) {
    ClipProver prover(p, x);
    Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    benchmark::DoNotOptimize(prover.prove(claims, tr, &in, &adv));
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_ClipProve)->Unit(benchmark::kMillisecond);

void BM_PReluProve(benchmark::State& st) {  // 2^16 elements, per-channel slopes (ss 13), rescale 2^13
  zkinfer::TestRng rng(1);
  const PReluParams p{{1, 64, 32, 32}, {1, 64, 1, 1}, 13, 13, 24, 0};
  auto x = random_ints(rng, 65536, (1 << 23) - 1);
  auto s = random_ints(rng, 64, 1 << 12);
  PReluProver probe(p, x, s);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.dims), probe.output())};
  for (auto _ : st) {
    PReluProver prover(p, x, s);
    Transcript tr("bench");
    PReluClaims out;
    benchmark::DoNotOptimize(prover.prove(claims, tr, &out));
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_PReluProve)->Unit(benchmark::kMillisecond);

}  // namespace
