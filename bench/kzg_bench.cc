// The commitment backends side by side through pcs::Scheme (pcs/scheme.h): Hyrax and masked
// HyperKZG (pcs/kzg_scheme.h) commit to a vector of 2^n small integers, open 4 claims on it (the
// reduction sumcheck, then one batch opening), and verify, for n = 10 .. 16 (2^16: the largest
// vector of cnn_digits and mlp_digits, their range tables' multiplicities). Plain claims (no zk/cp.h
// context). The KZG parameters come from a KNOWN tau (KzgParams::insecure_from_secrets): the same
// cost as a ceremony file's powers, and INSECURE, for measuring only. Figures: BENCHMARKS.md,
// "Issue 15: the kzg backend".
#include <benchmark/benchmark.h>

#include <memory>

#include "common/random.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/kzg_scheme.h"
#include "poly/mle.h"

namespace zkinfer::pcs {
namespace {

constexpr size_t kMaxVars = 16;

const Scheme& scheme(int which, size_t n) {
  static const HyraxParams pads(8);
  static std::map<size_t, std::unique_ptr<HyraxParams>> hp;
  static std::map<size_t, std::unique_ptr<HyraxScheme>> hs;
  if (which == 1) {
    static const KzgScheme k(std::make_shared<const KzgParams>(
                                 KzgParams::insecure_from_secrets(Fr::from_u64(0x7e57), Fr::from_u64(0xbe7a), kMaxVars)),
                             pads, 8);
    return k;
  }
  // Hyrax as the whole-model proof shapes a proof's vectors: rows as wide as the parameters allow
  // (params_log_cols: about half the variables of the largest vector).
  const size_t lc = default_log_cols(n);
  auto& p = hp[lc];
  if (!p) p = std::make_unique<HyraxParams>(lc);
  auto& s = hs[lc];
  if (!s) s = std::make_unique<HyraxScheme>(*p, std::min<size_t>(8, lc));
  return *s;
}

struct Instance {
  std::vector<int64_t> values;
  std::vector<Fr> table;
  Committed com;
  std::vector<OpenClaim> claims;
};

Instance make(const Scheme& s, size_t n, TestRng& rng) {
  Instance in;
  in.values.resize(size_t{1} << n);
  for (auto& x : in.values) x = static_cast<int64_t>(rng.next_u64() % 65536) - 32768;
  for (int64_t x : in.values) in.table.push_back(Fr::from_i64(x));
  std::vector<Fr> blinds(s.blind_count(n, Use::kProof));
  for (auto& b : blinds) b = Fr::random(rng);
  in.com = s.commit(in.values, Use::kProof, std::move(blinds));
  for (int i = 0; i < 4; ++i) {
    std::vector<Fr> z(n);
    for (auto& x : z) x = Fr::random(rng);
    in.claims.push_back({0, z, cp::Val(poly::evaluate_mle<Fr>(in.table, z))});
  }
  return in;
}

std::vector<uint8_t> open(const Scheme& s, const Instance& in, TestRng& rng) {
  transcript::Transcript tr("kzg-bench");
  ByteWriter w;
  const Committed* c = &in.com;
  std::span<const Fr> tab = in.table;
  auto o = s.prove_open(std::span<const Committed* const>(&c, 1), std::span<const std::span<const Fr>>(&tab, 1), in.claims, tr, w);
  std::vector<ProverClaim> bound;
  for (const cp::Val& v : o->values()) bound.push_back(ProverClaim::plain(v.value()));
  o->finish(bound, nullptr, tr, w, random_fr(rng));
  return w.take();
}

bool check(const Scheme& s, const Instance& in, std::span<const uint8_t> bytes) {
  transcript::Transcript tr("kzg-bench");
  ByteReader r(bytes, "opening");
  const Commitment* c = in.com.commitment.get();
  std::unique_ptr<VerifierOpening> o;
  if (!s.verify_open(std::span<const Commitment* const>(&c, 1), in.claims, tr, r, &o)) return false;
  std::vector<EvalClaim> bound;
  for (const cp::Val& v : o->values()) bound.push_back(EvalClaim::plain(v.value()));
  return o->finish(bound, nullptr, tr, r).ok();
}

void BM_Commit(benchmark::State& st) {
  const int which = static_cast<int>(st.range(0));
  const size_t n = static_cast<size_t>(st.range(1));
  const Scheme& s = scheme(which, n);
  TestRng rng(1);
  Instance in = make(s, n, rng);
  for (auto _ : st) {
    std::vector<Fr> blinds(s.blind_count(n, Use::kProof), Fr::one());
    benchmark::DoNotOptimize(s.commit(in.values, Use::kProof, std::move(blinds)));
  }
  st.SetLabel(std::string(s.name()));
}

void BM_Open(benchmark::State& st) {
  const int which = static_cast<int>(st.range(0));
  const size_t n = static_cast<size_t>(st.range(1));
  const Scheme& s = scheme(which, n);
  TestRng rng(2);
  Instance in = make(s, n, rng);
  size_t bytes = 0;
  for (auto _ : st) bytes = open(s, in, rng).size();
  st.counters["bytes"] = static_cast<double>(bytes);
  st.SetLabel(std::string(s.name()));
}

void BM_Verify(benchmark::State& st) {
  const int which = static_cast<int>(st.range(0));
  const size_t n = static_cast<size_t>(st.range(1));
  const Scheme& s = scheme(which, n);
  TestRng rng(3);
  Instance in = make(s, n, rng);
  const auto bytes = open(s, in, rng);
  for (auto _ : st)
    if (!check(s, in, bytes)) st.SkipWithError("the honest opening was rejected");
  st.SetLabel(std::string(s.name()));
}

// range(0): 0 hyrax, 1 kzg; range(1): n.
void args(benchmark::internal::Benchmark* b) {
  for (int which : {0, 1})
    for (int n : {10, 13, 16}) b->Args({which, n});
  b->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_Commit)->Apply(args);
BENCHMARK(BM_Open)->Apply(args);
BENCHMARK(BM_Verify)->Apply(args);

}  // namespace
}  // namespace zkinfer::pcs
