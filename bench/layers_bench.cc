// Benchmarks for the layer protocols (src/layers): matrix product 256x1024 . 1024x256 and
// 1024^3, and ResNet-18-like 3x3 convolutions (N=1, C=Co=64, 32x32, pad 1, stride 1 and 2):
// prover and verifier times, and the ratio of the prover to the plain integer forward pass
// (naive loops, measured in the same run; counter "x_native"). The prover's inputs are the Fr
// tables; BM_ToFr* time converting an int64 tensor to its padded table separately.
// Run: build/bench/layers_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "common/random.h"
#include "layers/conv.h"
#include "layers/layout.h"
#include "layers/matmul.h"
#include "poly/mle.h"

namespace {

using zkinfer::field::Fr;
using namespace zkinfer::layers;

std::vector<int64_t> random_ints(zkinfer::TestRng& rng, size_t n, int64_t bound) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % (2 * bound + 1)) - bound;
  return v;
}

std::vector<Fr> random_point(zkinfer::TestRng& rng, size_t n) {
  std::vector<Fr> p(n);
  for (auto& x : p) x = Fr::random(rng);
  return p;
}

template <class Fn>
double seconds_of(Fn&& fn, int reps = 3) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// ---- matrix product ----

// Plain integer forward, i-z-j loop order (vectorizable inner loop).
std::vector<int64_t> native_matmul(const std::vector<int64_t>& a, const std::vector<int64_t>& b, size_t m, size_t k,
                                   size_t n) {
  std::vector<int64_t> y(m * n, 0);
  for (size_t i = 0; i < m; ++i)
    for (size_t z = 0; z < k; ++z) {
      const int64_t av = a[i * k + z];
      const int64_t* br = b.data() + z * n;
      int64_t* yr = y.data() + i * n;
      for (size_t j = 0; j < n; ++j) yr[j] += av * br[j];
    }
  return y;
}

struct MatmulSetup {
  MatmulShape shape;
  std::vector<int64_t> a_int, b_int;
  std::vector<Fr> a, b;
  std::vector<Claim> claims;
  double native_s;
};

MatmulSetup make_matmul(size_t m, size_t k, size_t n) {
  zkinfer::TestRng rng(7);
  MatmulSetup s;
  s.shape.m = m;
  s.shape.k = k;
  s.shape.n = n;
  s.a_int = random_ints(rng, m * k, 127);
  s.b_int = random_ints(rng, k * n, 127);
  std::vector<int64_t> y;
  s.native_s = seconds_of([&] { y = native_matmul(s.a_int, s.b_int, m, k, n); }, m * k * n > (1u << 28) ? 1 : 3);
  s.a = padded_table(s.shape.a_shape(), s.a_int);
  s.b = padded_table(s.shape.b_shape(), s.b_int);
  const auto yt = padded_table(s.shape.y_shape(), y);
  auto pt = random_point(rng, s.shape.y_shape().num_vars());
  s.claims.push_back({pt, zkinfer::poly::evaluate_mle<Fr>(yt, pt)});
  return s;
}

const MatmulSetup& matmul_setup(size_t m, size_t k, size_t n) {
  static std::vector<std::pair<std::array<size_t, 3>, MatmulSetup>> cache;
  for (const auto& [key, s] : cache)
    if (key == std::array<size_t, 3>{m, k, n}) return s;
  cache.emplace_back(std::array<size_t, 3>{m, k, n}, make_matmul(m, k, n));
  return cache.back().second;
}

void BM_MatmulNative(benchmark::State& state) {
  const auto& s = matmul_setup(state.range(0), state.range(1), state.range(2));
  for (auto _ : state) {
    auto y = native_matmul(s.a_int, s.b_int, s.shape.m, s.shape.k, s.shape.n);
    benchmark::DoNotOptimize(y.data());
  }
}

void BM_MatmulProve(benchmark::State& state) {
  const auto& s = matmul_setup(state.range(0), state.range(1), state.range(2));
  double total = 0;
  size_t iters = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    zkinfer::transcript::Transcript tr("bench");
    auto p = prove_matmul(s.shape, s.a, s.b, {}, s.claims, tr);
    benchmark::DoNotOptimize(p.sumcheck.final_evals.data());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++iters;
  }
  state.counters["native_ms"] = s.native_s * 1e3;
  state.counters["x_native"] = total / static_cast<double>(iters) / s.native_s;
}

// The same proof from the executor's int64 tensors (no Fr tables; small-value contractions).
void BM_MatmulProveInt64(benchmark::State& state) {
  const auto& s = matmul_setup(state.range(0), state.range(1), state.range(2));
  double total = 0;
  size_t iters = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    zkinfer::transcript::Transcript tr("bench");
    auto p = prove_matmul(s.shape, std::span<const int64_t>(s.a_int), std::span<const int64_t>(s.b_int), {}, s.claims, tr);
    benchmark::DoNotOptimize(p.sumcheck.final_evals.data());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++iters;
  }
  state.counters["native_ms"] = s.native_s * 1e3;
  state.counters["x_native"] = total / static_cast<double>(iters) / s.native_s;
}

void BM_MatmulVerify(benchmark::State& state) {
  const auto& s = matmul_setup(state.range(0), state.range(1), state.range(2));
  zkinfer::transcript::Transcript tp("bench");
  const auto proof = prove_matmul(s.shape, s.a, s.b, {}, s.claims, tp);
  for (auto _ : state) {
    zkinfer::transcript::Transcript tr("bench");
    auto v = verify_matmul(s.shape, s.claims, proof, tr);
    if (!v.ok()) state.SkipWithError(v.reason().c_str());
  }
}

void BM_ToFrMatmulA(benchmark::State& state) {
  const auto& s = matmul_setup(state.range(0), state.range(1), state.range(2));
  const auto shape = s.shape.a_shape();
  for (auto _ : state) {
    auto t = padded_table(shape, s.a_int);
    benchmark::DoNotOptimize(t.data());
  }
}

#define MATMUL_ARGS ->Args({256, 1024, 256})->Args({1024, 1024, 1024})->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_MatmulNative) MATMUL_ARGS->Iterations(1);
BENCHMARK(BM_MatmulProve) MATMUL_ARGS;
BENCHMARK(BM_MatmulProveInt64) MATMUL_ARGS;
BENCHMARK(BM_MatmulVerify) MATMUL_ARGS;
BENCHMARK(BM_ToFrMatmulA) MATMUL_ARGS;

// ---- convolution ----

// Plain integer forward (NCHW, groups 1): for each (o, c, a, b) tap, an axpy over output rows.
std::vector<int64_t> native_conv(const ConvShape& s, const std::vector<int64_t>& x, const std::vector<int64_t>& w) {
  const size_t ho = s.out_h(), wo = s.out_w();
  std::vector<int64_t> y(s.n * s.co * ho * wo, 0);
  for (size_t n = 0; n < s.n; ++n)
    for (size_t o = 0; o < s.co; ++o) {
      int64_t* yo = y.data() + (n * s.co + o) * ho * wo;
      for (size_t c = 0; c < s.c; ++c) {
        const int64_t* xc = x.data() + (n * s.c + c) * s.h * s.w;
        for (size_t a = 0; a < s.kh; ++a)
          for (size_t b = 0; b < s.kw; ++b) {
            const int64_t wv = w[((o * s.c + c) * s.kh + a) * s.kw + b];
            for (size_t i = 0; i < ho; ++i) {
              const int64_t hi = static_cast<int64_t>(i * s.stride_h + a * s.dil_h) - static_cast<int64_t>(s.pad_top);
              if (hi < 0 || hi >= static_cast<int64_t>(s.h)) continue;
              const int64_t* xr = xc + hi * s.w;
              int64_t* yr = yo + i * wo;
              for (size_t j = 0; j < wo; ++j) {
                const int64_t wi =
                    static_cast<int64_t>(j * s.stride_w + b * s.dil_w) - static_cast<int64_t>(s.pad_left);
                if (wi >= 0 && wi < static_cast<int64_t>(s.w)) yr[j] += wv * xr[wi];
              }
            }
          }
      }
    }
  return y;
}

struct ConvSetup {
  ConvShape shape;
  std::vector<int64_t> x_int, w_int;
  std::vector<Fr> x, w;
  std::vector<Claim> claims;
  double native_s;
};

ConvShape resnet_conv(size_t stride) {
  ConvShape s;
  s.n = 1;
  s.c = s.co = 64;
  s.h = s.w = 32;
  s.kh = s.kw = 3;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  return s;
}

const ConvSetup& conv_setup(size_t stride) {
  static std::vector<std::pair<size_t, ConvSetup>> cache;
  for (const auto& [key, s] : cache)
    if (key == stride) return s;
  zkinfer::TestRng rng(9);
  ConvSetup s;
  s.shape = resnet_conv(stride);
  s.x_int = random_ints(rng, s.shape.x_shape().unpadded_size(), 127);
  s.w_int = random_ints(rng, s.shape.w_shape().unpadded_size(), 127);
  std::vector<int64_t> y;
  s.native_s = seconds_of([&] { y = native_conv(s.shape, s.x_int, s.w_int); });
  s.x = padded_table(s.shape.x_shape(), s.x_int);
  s.w = padded_table(s.shape.w_shape(), s.w_int);
  const auto yt = padded_table(s.shape.y_shape(), y);
  auto pt = random_point(rng, s.shape.y_shape().num_vars());
  s.claims.push_back({pt, zkinfer::poly::evaluate_mle<Fr>(yt, pt)});
  cache.emplace_back(stride, std::move(s));
  return cache.back().second;
}

void BM_ConvNative(benchmark::State& state) {
  const auto& s = conv_setup(state.range(0));
  for (auto _ : state) {
    auto y = native_conv(s.shape, s.x_int, s.w_int);
    benchmark::DoNotOptimize(y.data());
  }
}

void BM_ConvProve(benchmark::State& state) {
  const auto& s = conv_setup(state.range(0));
  double total = 0;
  size_t iters = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    zkinfer::transcript::Transcript tr("bench");
    auto p = prove_conv(s.shape, s.x, s.w, {}, s.claims, tr);
    benchmark::DoNotOptimize(p.input_sumcheck.final_evals.data());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++iters;
  }
  state.counters["native_ms"] = s.native_s * 1e3;
  state.counters["x_native"] = total / static_cast<double>(iters) / s.native_s;
}

// From the executor's int64 tensors (X converted inside, Wt contracted as small integers).
void BM_ConvProveInt64(benchmark::State& state) {
  const auto& s = conv_setup(state.range(0));
  double total = 0;
  size_t iters = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    zkinfer::transcript::Transcript tr("bench");
    auto p = prove_conv(s.shape, std::span<const int64_t>(s.x_int), std::span<const int64_t>(s.w_int), {}, s.claims, tr);
    benchmark::DoNotOptimize(p.input_sumcheck.final_evals.data());
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++iters;
  }
  state.counters["native_ms"] = s.native_s * 1e3;
  state.counters["x_native"] = total / static_cast<double>(iters) / s.native_s;
}

void BM_ConvVerify(benchmark::State& state) {
  const auto& s = conv_setup(state.range(0));
  zkinfer::transcript::Transcript tp("bench");
  const auto proof = prove_conv(s.shape, s.x, s.w, {}, s.claims, tp);
  for (auto _ : state) {
    zkinfer::transcript::Transcript tr("bench");
    auto v = verify_conv(s.shape, s.claims, proof, tr);
    if (!v.ok()) state.SkipWithError(v.reason().c_str());
  }
}

void BM_ToFrConvX(benchmark::State& state) {
  const auto& s = conv_setup(state.range(0));
  const auto shape = s.shape.x_shape();
  for (auto _ : state) {
    auto t = padded_table(shape, s.x_int);
    benchmark::DoNotOptimize(t.data());
  }
}

#define CONV_ARGS ->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_ConvNative) CONV_ARGS;
BENCHMARK(BM_ConvProve) CONV_ARGS;
BENCHMARK(BM_ConvProveInt64) CONV_ARGS;
BENCHMARK(BM_ConvVerify) CONV_ARGS;
BENCHMARK(BM_ToFrConvX) CONV_ARGS;

}  // namespace
