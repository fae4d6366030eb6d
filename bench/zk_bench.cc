// Benchmark: the zero-knowledge sumcheck (src/zk/zk_sumcheck.h, committed round polynomials)
// against the plain sumcheck (sumcheck::prove_with_eq) on eq(r, x) f(x) g(x) over 2^16 and 2^20
// points: prove time, verify time, proof size, and the ratios ZK / plain as counters
// (time_ratio: this benchmark's mean wall time over the plain one's best of 3, measured in the
// same process just before; cpu_ratio: the same with process CPU time, all threads, which is the
// steadier figure on a shared machine; size_ratio: proof bytes). The ZK claim is committed.
// --benchmark_filter=Log selects the logarithmic (IPA) consistency mode, default the linear one.
// Run: build/bench/zkinfer_zk_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "transcript/transcript.h"
#include "zk/zk_sumcheck.h"

namespace {

using zkinfer::field::Fr;
namespace sc = zkinfer::sumcheck;
namespace zk = zkinfer::zk;
using Clock = std::chrono::steady_clock;

struct Inputs {
  std::vector<Fr> rho;
  std::vector<std::vector<Fr>> factors;  // factors[0] empty: eq is given by rho
  Fr claim;
};

const Inputs& inputs(size_t n) {
  static std::vector<Inputs*> cache(32, nullptr);
  if (!cache[n]) {
    zkinfer::TestRng rng(42);
    auto* in = new Inputs;
    for (size_t i = 0; i < n; ++i) in->rho.push_back(Fr::random(rng));
    in->factors.resize(3);
    for (size_t j = 1; j < 3; ++j)
      for (size_t x = 0; x < (size_t{1} << n); ++x) in->factors[j].push_back(Fr::random(rng));
    const auto eq = zkinfer::poly::eq_table<Fr>(in->rho);
    in->claim = Fr::zero();
    for (size_t x = 0; x < eq.size(); ++x) in->claim += eq[x] * in->factors[1][x] * in->factors[2][x];
    cache[n] = in;
  }
  return *cache[n];
}

const zk::PedersenParams& params() {
  static const zk::PedersenParams p(8);
  return p;
}

const sc::Composition<Fr>& comp() {
  static const auto c = sc::Composition<Fr>::product(3);
  return c;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
  double wall = 1e30, cpu = 1e30;
};

Timing plain_prove_seconds(size_t n, size_t* bytes) {
  const Inputs& in = inputs(n);
  Timing best;
  for (int i = 0; i < 3; ++i) {
    auto factors = in.factors;
    const auto t0 = Clock::now();
    const double c0 = process_cpu_seconds();
    zkinfer::transcript::Transcript t("bench");
    auto res = sc::prove_with_eq<Fr>(comp(), in.rho, std::move(factors), t);
    best.wall = std::min(best.wall, seconds_since(t0));
    best.cpu = std::min(best.cpu, process_cpu_seconds() - c0);
    *bytes = sc::Proof<Fr>::serialized_size(n, 3, 3);
    benchmark::DoNotOptimize(res.claim);
  }
  return best;
}

zk::ZkProverResult zk_prove(size_t n, zkinfer::SecureRng& rng, std::vector<std::vector<Fr>> factors,
                            const zkinfer::pcs::ProverClaim& claim, zk::ConsistencyMode mode) {
  zkinfer::transcript::Transcript t("bench");
  return zk::prove_with_eq(params(), comp(), inputs(n).rho, std::move(factors), claim, t,
                           zkinfer::pcs::random_fr(rng), mode);
}

zkinfer::pcs::ProverClaim committed_claim(size_t n, zkinfer::SecureRng& rng) {
  const Fr blind = Fr::random(rng);
  return {inputs(n).claim, blind, zk::commit_scalar(params(), inputs(n).claim, blind).to_affine()};
}

void BM_PlainProve(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Inputs& in = inputs(n);
  for (auto _ : state) {
    state.PauseTiming();
    auto factors = in.factors;
    state.ResumeTiming();
    zkinfer::transcript::Transcript t("bench");
    auto res = sc::prove_with_eq<Fr>(comp(), in.rho, std::move(factors), t);
    benchmark::DoNotOptimize(res.claim);
  }
  state.counters["proof_bytes"] = static_cast<double>(sc::Proof<Fr>::serialized_size(n, 3, 3));
}
BENCHMARK(BM_PlainProve)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void zk_prove_bench(benchmark::State& state, zk::ConsistencyMode mode) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Inputs& in = inputs(n);
  size_t plain_bytes = 0;
  const Timing plain = plain_prove_seconds(n, &plain_bytes);
  zkinfer::SecureRng rng;
  const auto claim = committed_claim(n, rng);
  double total = 0, total_cpu = 0;
  size_t iters = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto factors = in.factors;
    state.ResumeTiming();
    const auto t0 = Clock::now();
    const double c0 = process_cpu_seconds();
    auto res = zk_prove(n, rng, std::move(factors), claim, mode);
    total += seconds_since(t0);
    total_cpu += process_cpu_seconds() - c0;
    ++iters;
    bytes = res.proof.size_bytes();
    benchmark::DoNotOptimize(res.point);
  }
  state.counters["proof_bytes"] = static_cast<double>(bytes);
  state.counters["plain_proof_bytes"] = static_cast<double>(plain_bytes);
  state.counters["size_ratio"] = static_cast<double>(bytes) / static_cast<double>(plain_bytes);
  state.counters["plain_ms"] = plain.wall * 1e3;
  state.counters["time_ratio"] = total / static_cast<double>(iters) / plain.wall;
  state.counters["cpu_ratio"] = total_cpu / static_cast<double>(iters) / plain.cpu;
}
void BM_ZkProve(benchmark::State& state) { zk_prove_bench(state, zk::ConsistencyMode::kLinear); }
void BM_ZkProveLog(benchmark::State& state) { zk_prove_bench(state, zk::ConsistencyMode::kLog); }
BENCHMARK(BM_ZkProve)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ZkProveLog)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PlainVerify(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Inputs& in = inputs(n);
  zkinfer::transcript::Transcript tp("bench");
  const auto res = sc::prove_with_eq<Fr>(comp(), in.rho, in.factors, tp);
  for (auto _ : state) {
    zkinfer::transcript::Transcript t("bench");
    auto v = sc::verify<Fr>(comp(), n, res.claim, res.proof, t);
    // The plain verifier also evaluates eq(rho, r) to check final_evals[0].
    benchmark::DoNotOptimize(zkinfer::poly::eq_eval<Fr>(in.rho, res.point));
    if (!v) state.SkipWithError("plain proof rejected");
  }
}
BENCHMARK(BM_PlainVerify)->Arg(16)->Arg(20)->Unit(benchmark::kMicrosecond)->UseRealTime();

void zk_verify_bench(benchmark::State& state, zk::ConsistencyMode mode) {
  const size_t n = static_cast<size_t>(state.range(0));
  const Inputs& in = inputs(n);
  zkinfer::SecureRng rng;
  const auto claim = committed_claim(n, rng);
  const auto res = zk_prove(n, rng, in.factors, claim, mode);
  for (auto _ : state) {
    zkinfer::transcript::Transcript t("bench");
    auto v = zk::verify_with_eq(params(), comp(), in.rho, claim.public_claim(), res.proof, t, nullptr, mode);
    if (!v) state.SkipWithError("zk proof rejected");
  }
}
void BM_ZkVerify(benchmark::State& state) { zk_verify_bench(state, zk::ConsistencyMode::kLinear); }
void BM_ZkVerifyLog(benchmark::State& state) { zk_verify_bench(state, zk::ConsistencyMode::kLog); }
BENCHMARK(BM_ZkVerify)->Arg(16)->Arg(20)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ZkVerifyLog)->Arg(16)->Arg(20)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
