// Benchmarks for the non-linear layer protocols (src/layers/rescale.h, activation.h, pool.h):
// ReLU fused with a rescale by 2^16 over 2^16 and 2^20 elements (ResNet-18-sized activations),
// a sigmoid table (2^12 entries) fused with a rescale, a standalone rescale by 2^20, and
// GlobalAveragePool (1 x 512 x 7 x 7 and 1 x 64 x 56 x 56). BM_*Prove times phase 1 (advice:
// digits, multiplicities) plus phase 2 (claims, zero-check, LogUps) for one output claim;
// committing the advice (Hyrax) is the caller's and not included: counter "advice" is the
// number of committed field elements. BM_*Verify times the verifier. MaxPool: ResNet-18's stem pool
// (3x3, stride 2, pad 1) over 64 x 32 x 32 and 64 x 112 x 112.
// Run: build/bench/nonlinear_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "common/random.h"
#include "layers/activation.h"
#include "layers/pool.h"
#include "layers/rescale.h"
#include "poly/mle.h"

namespace {

using zkinfer::field::Fr;
using namespace zkinfer::layers;

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

// (N, C, H, W) with N*C*H*W = 2^log (C = 64, H = W).
std::vector<size_t> act_dims(int log) { return log == 16 ? std::vector<size_t>{1, 64, 32, 32} : std::vector<size_t>{1, 64, 128, 128}; }

void BM_ReluRescaleProve(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = act_dims(static_cast<int>(st.range(0)));
  const PaddedShape s(dims);
  const ReluParams p{dims, 16, 24};
  auto x = random_ints(rng, s.unpadded_size(), int64_t{1} << 38);
  ReluProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, s, probe.output())};
  for (auto _ : st) {
    ReluProver prover(p, x);
    zkinfer::transcript::Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(claims, tr, &in, &adv);
    benchmark::DoNotOptimize(proof);
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_ReluRescaleProve)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReluRescaleVerify(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = act_dims(static_cast<int>(st.range(0)));
  const PaddedShape s(dims);
  const ReluParams p{dims, 16, 24};
  auto x = random_ints(rng, s.unpadded_size(), int64_t{1} << 38);
  ReluProver prover(p, x);
  const std::vector<Claim> claims{true_claim(rng, s, prover.output())};
  zkinfer::transcript::Transcript tp("bench");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  auto proof = prover.prove(claims, tp, &in, &adv);
  zkinfer::ByteWriter w;
  proof.serialize(w);
  for (auto _ : st) {
    zkinfer::transcript::Transcript tr("bench");
    auto v = verify_relu(p, claims, proof, tr, &in, &adv);
    if (!v) st.SkipWithError(v.reason().c_str());
  }
  st.counters["proof_bytes"] = static_cast<double>(w.data().size());
}
BENCHMARK(BM_ReluRescaleVerify)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

TableActParams sigmoid_params(const std::vector<size_t>& dims) {
  TableActParams p{dims, 8, 26, -2048, {}};
  for (int i = 0; i < 4096; ++i)
    p.values.push_back(static_cast<int64_t>(std::floor(256.0 / (1.0 + std::exp(-(i - 2048) / 256.0)) + 0.5)));
  return p;
}

void BM_SigmoidRescaleProve(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = act_dims(static_cast<int>(st.range(0)));
  const PaddedShape s(dims);
  const auto p = sigmoid_params(dims);
  auto x = random_ints(rng, s.unpadded_size(), int64_t{1} << 20);
  TableActProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, s, probe.output())};
  for (auto _ : st) {
    TableActProver prover(p, x);
    zkinfer::transcript::Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(claims, tr, &in, &adv);
    benchmark::DoNotOptimize(proof);
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_SigmoidRescaleProve)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Rescale20Prove(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = act_dims(16);
  const PaddedShape s(dims);
  const RescaleParams p{dims, 20, 24};
  auto x = random_ints(rng, s.unpadded_size(), int64_t{1} << 42);
  RescaleProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, s, probe.output())};
  for (auto _ : st) {
    RescaleProver prover(p, x);
    zkinfer::transcript::Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(claims, tr, &in, &adv);
    benchmark::DoNotOptimize(proof);
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_Rescale20Prove)->Unit(benchmark::kMillisecond)->UseRealTime();

std::vector<size_t> gap_dims(int which) {
  return which == 0 ? std::vector<size_t>{1, 512, 7, 7} : std::vector<size_t>{1, 64, 56, 56};
}

void BM_GlobalAvgPoolProve(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = gap_dims(static_cast<int>(st.range(0)));
  const GlobalAvgPoolParams p{dims};
  auto x = random_ints(rng, PaddedShape(dims).unpadded_size(), 1 << 22);
  GlobalAvgPoolProver probe(p, x);
  const PaddedShape ys(global_avg_pool_out_dims(dims));
  const std::vector<Claim> claims{true_claim(rng, ys, probe.output())};
  for (auto _ : st) {
    GlobalAvgPoolProver prover(p, x);
    zkinfer::transcript::Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(claims, tr, &in, &adv);
    benchmark::DoNotOptimize(proof);
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_GlobalAvgPoolProve)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GlobalAvgPoolVerify(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto dims = gap_dims(static_cast<int>(st.range(0)));
  const GlobalAvgPoolParams p{dims};
  auto x = random_ints(rng, PaddedShape(dims).unpadded_size(), 1 << 22);
  GlobalAvgPoolProver prover(p, x);
  const PaddedShape ys(global_avg_pool_out_dims(dims));
  const std::vector<Claim> claims{true_claim(rng, ys, prover.output())};
  zkinfer::transcript::Transcript tp("bench");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  auto proof = prover.prove(claims, tp, &in, &adv);
  for (auto _ : st) {
    zkinfer::transcript::Transcript tr("bench");
    auto v = verify_global_avg_pool(p, claims, proof, tr, &in, &adv);
    if (!v) st.SkipWithError(v.reason().c_str());
  }
}
BENCHMARK(BM_GlobalAvgPoolVerify)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// ResNet-18's stem pool: 3x3, stride 2, pad 1 over 1 x 64 x 112 x 112 (arg 1) or 1 x 64 x 32 x 32 (arg 0).
MaxPoolParams maxpool_params(int which) {
  const size_t hw = which == 0 ? 32 : 112;
  return {{1, 64, hw, hw}, 3, 3, 2, 2, 1, 1, 1, 1, 24};
}

void BM_MaxPoolProve(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto p = maxpool_params(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, PaddedShape(p.dims).unpadded_size(), (1 << 23) - 1);
  MaxPoolProver probe(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.out_dims()), probe.output())};
  for (auto _ : st) {
    MaxPoolProver prover(p, x);
    zkinfer::transcript::Transcript tr("bench");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(claims, tr, &in, &adv);
    benchmark::DoNotOptimize(proof);
  }
  st.counters["advice"] = static_cast<double>(advice_size(probe.advice()));
}
BENCHMARK(BM_MaxPoolProve)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MaxPoolVerify(benchmark::State& st) {
  zkinfer::TestRng rng(1);
  const auto p = maxpool_params(static_cast<int>(st.range(0)));
  auto x = random_ints(rng, PaddedShape(p.dims).unpadded_size(), (1 << 23) - 1);
  MaxPoolProver prover(p, x);
  const std::vector<Claim> claims{true_claim(rng, PaddedShape(p.out_dims()), prover.output())};
  zkinfer::transcript::Transcript tp("bench");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  auto proof = prover.prove(claims, tp, &in, &adv);
  for (auto _ : st) {
    zkinfer::transcript::Transcript tr("bench");
    auto v = verify_max_pool(p, claims, proof, tr, &in, &adv);
    if (!v) st.SkipWithError(v.reason().c_str());
  }
}
BENCHMARK(BM_MaxPoolVerify)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
