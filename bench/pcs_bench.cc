// Benchmarks of the Hyrax polynomial commitment (src/pcs): commit to 2^n values (16-bit signed
// integers through the small-scalar MSM, and full-width Fr), and the zero-knowledge opening at a
// random point (prover and verifier), with the proof size as a counter. Default split
// b = ceil(n / 2). Single iterations: each run is long.
//   build-<name>/bench/pcs_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <vector>

#include "common/random.h"
#include "pcs/hyrax.h"
#include "pcs/hyrax_eval.h"
#include "poly/mle.h"

namespace {

using namespace zkinfer;
using namespace zkinfer::pcs;

const HyraxParams& params() {
  static const HyraxParams p(12);
  return p;
}

std::vector<int64_t> small_values(size_t n) {
  TestRng rng(7);
  std::vector<int64_t> v(n);
  for (int64_t& x : v) x = static_cast<int64_t>(rng.next_u64() % 65536) - 32768;
  return v;
}

std::vector<field::Fr> full_values(size_t n) {
  TestRng rng(8);
  std::vector<field::Fr> v(n);
  for (auto& x : v) x = field::Fr::random(rng);
  return v;
}

// Deriving the parameters (2^b generators by hash-to-curve, fixed-base tables for H and U).
void BM_Params(benchmark::State& state) {
  for (auto _ : state) {
    HyraxParams p(static_cast<size_t>(state.range(0)));
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_Params)->Arg(10)->Arg(12)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_CommitInt16(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto values = small_values(size_t{1} << n);
  SecureRng rng;
  params();
  for (auto _ : state) {
    auto c = commit(params(), std::span<const int64_t>(values), default_log_cols(n), rng);
    benchmark::DoNotOptimize(c);
  }
  state.counters["values"] = static_cast<double>(values.size());
  state.counters["commitment_bytes"] = static_cast<double>(8 + 32 * (size_t{1} << (n / 2)));
}
BENCHMARK(BM_CommitInt16)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_CommitFr(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto values = full_values(size_t{1} << n);
  SecureRng rng;
  params();
  for (auto _ : state) {
    auto c = commit(params(), std::span<const field::Fr>(values), default_log_cols(n), rng);
    benchmark::DoNotOptimize(c);
  }
  state.counters["values"] = static_cast<double>(values.size());
}
BENCHMARK(BM_CommitFr)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->Iterations(1);

struct Opened {
  std::vector<field::Fr> values, point;
  HyraxCommitted c;
  ProverClaim claim;
};

Opened setup_open(size_t n) {
  Opened o;
  auto small = small_values(size_t{1} << n);
  for (int64_t x : small) o.values.push_back(field::Fr::from_i64(x));
  TestRng rng(9);
  o.c = commit(params(), std::span<const int64_t>(small), default_log_cols(n), rng);
  for (size_t i = 0; i < n; ++i) o.point.push_back(field::Fr::random(rng));
  o.claim = commit_claim(params(), poly::evaluate_mle<field::Fr>(o.values, o.point), rng);
  return o;
}

void BM_OpenProve(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Opened o = setup_open(n);
  SecureRng rng;
  size_t bytes = 0;
  for (auto _ : state) {
    transcript::Transcript t("pcs-bench");
    DotProof p = prove_eval(params(), o.c.commitment, o.c.blinds, o.values, o.point, o.claim, t,
                            random_fr(rng));
    bytes = p.size_bytes();
    benchmark::DoNotOptimize(p);
  }
  state.counters["proof_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_OpenProve)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_OpenVerify(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Opened o = setup_open(n);
  SecureRng rng;
  transcript::Transcript tp("pcs-bench");
  DotProof p = prove_eval(params(), o.c.commitment, o.c.blinds, o.values, o.point, o.claim, tp,
                          random_fr(rng));
  for (auto _ : state) {
    transcript::Transcript t("pcs-bench");
    Verdict v = verify_eval(params(), o.c.commitment, o.point, o.claim.public_claim(), p, t);
    if (!v) state.SkipWithError(v.reason().c_str());
  }
  state.counters["proof_bytes"] = static_cast<double>(p.size_bytes());
}
BENCHMARK(BM_OpenVerify)->Arg(16)->Arg(20)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The plain (non-zero-knowledge) opening for comparison: 2^b + 1 scalars.
void BM_PlainOpenVerify(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Opened o = setup_open(n);
  transcript::Transcript tp("pcs-bench");
  PlainOpening p = open_plain(o.c.commitment, o.c.blinds, o.values, o.point, tp);
  for (auto _ : state) {
    transcript::Transcript t("pcs-bench");
    Verdict v = verify_plain(params(), o.c.commitment, o.point, o.claim.value, p, t);
    if (!v) state.SkipWithError(v.reason().c_str());
  }
  state.counters["proof_bytes"] = static_cast<double>(8 + 32 * (p.t.size() + 1));
}
BENCHMARK(BM_PlainOpenVerify)->Arg(20)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
