// Tests of the indexed lookup into a committed table (indexed.h): honest lookups of several shapes
// (one row and several, sizes at and off powers of two) verify with claims equal to direct MLE
// evaluations of feat, y, X and m; a wrong y entry, an index outside [0, F) (into the table's
// padding, negative, or into another row), a changed multiplicity, a table without the padding
// tag and every changed message are rejected with a reason; small cases are enumerated
// exhaustively: accepted exactly when every y[r, n] = X[r, feat[n]] with feat[n] in [0, F).
#include "lookup/indexed.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/random.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "snark/poseidon_gadget.h"
#include "test_seed.h"
#include "transcript/poseidon_transcript.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using transcript::Transcript;

struct Case {
  IndexedShape s;
  std::vector<int64_t> x;     // N x F, row-major
  std::vector<int64_t> feat;  // M
  std::vector<int64_t> y;     // N x M
  std::vector<int64_t> m;     // padded table of 2^k (phase 1's, or a cheat's)
};

size_t pow2(size_t v) { return size_t{1} << v; }

// The padded tables (zero padding) of a row-major [rows, cols] array.
std::vector<Fr> padded(const std::vector<int64_t>& v, size_t rows, size_t cols, size_t row_vars, size_t col_vars) {
  std::vector<Fr> t(pow2(row_vars + col_vars), Fr::zero());
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) t[(r << col_vars) + c] = Fr::from_i64(v[r * cols + c]);
  return t;
}

Case honest(TestRng& rng, size_t N, size_t F, size_t M) {
  Case c;
  c.s = {N, F, M};
  for (size_t i = 0; i < N * F; ++i) c.x.push_back(static_cast<int64_t>(rng.next_u64() % 2001) - 1000);
  for (size_t n = 0; n < M; ++n) c.feat.push_back(static_cast<int64_t>(rng.next_u64() % F));
  for (size_t r = 0; r < N; ++r)
    for (size_t n = 0; n < M; ++n) c.y.push_back(c.x[r * F + static_cast<size_t>(c.feat[n])]);
  c.m = indexed_multiplicities(c.s, c.feat);
  return c;
}

// A cheater's multiplicities: each valid witness tuple counted at the first table row (padding
// included, padding entries 0) whose (r, f, X) it equals; none: left out.
std::vector<int64_t> matching_multiplicities(const Case& c) {
  const size_t fv = c.s.feat_vars(), Fp = pow2(fv);
  std::vector<int64_t> m(pow2(c.s.k()), 0);
  for (size_t r = 0; r < c.s.rows; ++r)
    for (size_t n = 0; n < c.s.nodes; ++n) {
      const int64_t f = c.feat[n], v = c.y[r * c.s.nodes + n];
      if (f < 0 || f >= static_cast<int64_t>(Fp)) continue;
      const int64_t xv = f < static_cast<int64_t>(c.s.feats) ? c.x[r * c.s.feats + static_cast<size_t>(f)] : 0;
      if (xv == v) ++m[(r << fv) + static_cast<size_t>(f)];
    }
  return m;
}

struct Tables {
  std::vector<Fr> feat, y, x, m;
};
Tables tables_of(const Case& c) {
  const size_t rv = c.s.row_vars(), fv = c.s.feat_vars(), nv = c.s.node_vars();
  Tables t;
  t.feat = padded(c.feat, 1, c.s.nodes, 0, nv);
  t.y = padded(c.y, c.s.rows, c.s.nodes, rv, nv);
  t.x = padded(c.x, c.s.rows, c.s.feats, rv, fv);
  t.m.resize(c.m.size());
  for (size_t j = 0; j < c.m.size(); ++j) t.m[j] = Fr::from_i64(c.m[j]);
  return t;
}

Transcript caller(const Tables& t) {
  Transcript tr("indexed-test");
  tr.absorb_many("test.feat", t.feat);
  tr.absorb_many("test.y", t.y);
  tr.absorb_many("test.x", t.x);
  tr.absorb_many("test.m", t.m);
  return tr;
}

struct Outcome {
  IndexedProof proof;
  IndexedClaims pc, vc;
  Verdict verdict = Verdict::reject("not run");
  std::vector<uint8_t> bytes;
  std::vector<Fr> y_table;
};

// y_pad_value: written into y's first padding entry (a cheat: the padding must be zero).
Outcome run(const Case& c, const IndexedCheats& cheats = {}, int64_t y_pad_value = 0) {
  Outcome r;
  Tables t = tables_of(c);
  if (y_pad_value != 0) {
    const size_t nv = c.s.node_vars();
    size_t i = 0;
    while (((i >> nv) < c.s.rows && (i & ((size_t{1} << nv) - 1)) < c.s.nodes)) ++i;
    t.y[i] = Fr::from_i64(y_pad_value);
  }
  Transcript tp = caller(t);
  r.proof = prove_indexed(c.s, t.feat, t.y, t.x, t.m, tp, &r.pc, cheats);
  ByteWriter w;
  r.proof.serialize(w);
  r.bytes = w.data();
  ByteReader rd(r.bytes);
  auto p = IndexedProof::deserialize(rd, c.s);
  EXPECT_TRUE((rd.remaining() == 0));
  Transcript tv = caller(t);
  r.y_table = t.y;
  r.verdict = verify_indexed(c.s, p, tv, &r.vc);
  return r;
}

Verdict verify_bytes(const Case& c, const std::vector<uint8_t>& bytes) {
  const Tables t = tables_of(c);
  try {
    ByteReader rd(bytes);
    auto p = IndexedProof::deserialize(rd, c.s);
    if (!(rd.remaining() == 0)) return Verdict::reject("trailing bytes");
    Transcript tv = caller(t);
    IndexedClaims cl;
    Verdict v = verify_indexed(c.s, p, tv, &cl);
    if (!v) return v;
    // The caller's openings: every claim must be its table's true evaluation.
    if (cl.feat.value() != poly::evaluate_mle<Fr>(t.feat, cl.feat_point)) return Verdict::reject("opening: feat");
    if (cl.y.value() != poly::evaluate_mle<Fr>(t.y, cl.y_point)) return Verdict::reject("opening: y");
    if (cl.x.value() != poly::evaluate_mle<Fr>(t.x, cl.x_point)) return Verdict::reject("opening: x");
    if (cl.m.value() != poly::evaluate_mle<Fr>(t.m, cl.m_point)) return Verdict::reject("opening: m");
    if (c.s.y_padded() != !cl.y_pad_point.empty()) return Verdict::reject("padding zero-check claim");
    if (!cl.y_pad_point.empty() && cl.y_pad.value() != poly::evaluate_mle<Fr>(t.y, cl.y_pad_point))
      return Verdict::reject("opening: y (padding zero-check)");
    return v;
  } catch (const Error& e) {
    return Verdict::reject(std::string("decode: ") + e.what());
  }
}

TEST(IndexedLookup, HonestShapesVerifyWithTrueClaims) {
  TestRng rng(test_seed());
  const size_t shapes[][3] = {{1, 64, 512}, {1, 30, 100}, {3, 5, 7}, {4, 8, 16}, {2, 1, 1}, {1, 3, 1}, {5, 64, 3}, {1, 7, 2000}};
  for (auto [N, F, M] : shapes) {
    SCOPED_TRACE(std::to_string(N) + "x" + std::to_string(F) + " by " + std::to_string(M) + "; " + seed_note());
    Case c = honest(rng, N, F, M);
    Outcome r = run(c);
    ASSERT_TRUE(r.verdict.ok()) << r.verdict.reason();
    const Tables t = tables_of(c);
    EXPECT_EQ(r.vc.feat.value(), poly::evaluate_mle<Fr>(t.feat, r.vc.feat_point));
    EXPECT_EQ(r.vc.y.value(), poly::evaluate_mle<Fr>(t.y, r.vc.y_point));
    EXPECT_EQ(r.vc.x.value(), poly::evaluate_mle<Fr>(t.x, r.vc.x_point));
    EXPECT_EQ(r.vc.m.value(), poly::evaluate_mle<Fr>(t.m, r.vc.m_point));
    EXPECT_EQ(r.vc.y_pad_point.empty(), !c.s.y_padded());
    if (c.s.y_padded()) EXPECT_EQ(r.vc.y_pad.value(), poly::evaluate_mle<Fr>(t.y, r.vc.y_pad_point));
    EXPECT_EQ(r.vc.y_point, r.pc.y_point);
    EXPECT_EQ(r.vc.m.value(), r.pc.m.value());
    EXPECT_EQ(r.vc.feat_point.size(), c.s.node_vars());
    EXPECT_EQ(r.vc.x_point.size(), c.s.k());
    EXPECT_TRUE(verify_bytes(c, r.bytes).ok());
  }
}

TEST(IndexedLookup, WrongValueRejected) {
  TestRng rng(test_seed() + 1);
  for (auto [N, F, M] : {std::array<size_t, 3>{1, 64, 512}, {3, 5, 7}}) {
    Case c = honest(rng, N, F, M);
    c.y[c.y.size() / 2] += 1;
    c.m = matching_multiplicities(c);
    Outcome r = run(c);
    ASSERT_FALSE(r.verdict.ok()) << seed_note();
    EXPECT_NE(r.verdict.reason().find("root numerator"), std::string::npos) << r.verdict.reason();
  }
}

TEST(IndexedLookup, IndexOutsideTableRejected) {
  TestRng rng(test_seed() + 2);
  // F = 5 (Fp = 8): index 5 lands on a padding entry whose X is 0; -1 and 8 on no row of this
  // one; 8 + 2 would be row 1's feature 2 if the index were r Fp + f.
  for (int64_t bad : {5, 7, -1, 8, 10}) {
    SCOPED_TRACE("feat = " + std::to_string(bad) + "; " + seed_note());
    Case c = honest(rng, 2, 5, 6);
    c.feat[3] = bad;
    // The value a cheater would pair with it: the padding's 0, or row 1's X[1][2] for 10.
    for (size_t r = 0; r < 2; ++r) c.y[r * 6 + 3] = bad == 10 ? c.x[1 * 5 + 2] : 0;
    c.m = matching_multiplicities(c);
    Outcome r = run(c);
    ASSERT_FALSE(r.verdict.ok());
    EXPECT_NE(r.verdict.reason().find("root numerator"), std::string::npos) << r.verdict.reason();
  }
  // Without the padding tag the prover's own table leaves are not the verifier's.
  Case c = honest(rng, 2, 5, 6);
  c.feat[0] = 6;
  c.y[0] = c.y[6] = 0;
  c.m = matching_multiplicities(c);
  Outcome r = run(c, IndexedCheats{.drop_padding_tag = true});
  ASSERT_FALSE(r.verdict.ok());
  EXPECT_NE(r.verdict.reason().find("table denominators"), std::string::npos) << r.verdict.reason();
  EXPECT_THROW(indexed_multiplicities(c.s, c.feat), Error);
}

// y's padding entries are left free by the lookup (their numerators are 0) and must be zero:
// the padding zero-check rejects a non-zero one, in a padded index dimension and a padded row.
TEST(IndexedLookup, NonZeroPaddingOfYRejected) {
  TestRng rng(test_seed() + 5);
  for (auto [N, F, M] : {std::array<size_t, 3>{1, 30, 100}, {3, 5, 8}, {3, 5, 7}}) {
    SCOPED_TRACE(std::to_string(N) + "x" + std::to_string(F) + " by " + std::to_string(M));
    Case c = honest(rng, N, F, M);
    ASSERT_TRUE(c.s.y_padded());
    ASSERT_TRUE(run(c).verdict.ok());
    Outcome r = run(c, {}, 5);
    ASSERT_FALSE(r.verdict.ok());
    EXPECT_NE(r.verdict.reason().find("padding zero-check"), std::string::npos) << r.verdict.reason();
  }
  // No padding, no zero-check.
  Case c = honest(rng, 2, 5, 8);
  EXPECT_FALSE(c.s.y_padded());
  EXPECT_TRUE(run(c).vc.y_pad_point.empty());
}

TEST(IndexedLookup, ChangedMultiplicityRejected) {
  TestRng rng(test_seed() + 3);
  Case c = honest(rng, 3, 5, 7);
  for (size_t j : {size_t{0}, size_t{2}, size_t{6}, size_t{9}}) {  // 6: a padding row of row 0
    Case d = c;
    d.m[j] += 1;
    Outcome r = run(d);
    ASSERT_FALSE(r.verdict.ok()) << j;
    EXPECT_NE(r.verdict.reason().find("root numerator"), std::string::npos) << r.verdict.reason();
  }
  // Moving a count to the padding row with the same (r, f) but tagged does not balance either.
  Case d = c;
  const size_t f0 = static_cast<size_t>(d.feat[0]);
  d.m[f0] -= 1;
  d.m[7] += 1;
  EXPECT_FALSE(run(d).verdict.ok());
}

TEST(IndexedLookup, EveryChangedMessageRejected) {
  TestRng rng(test_seed() + 4);
  Case c = honest(rng, 2, 5, 6);
  Outcome r = run(c);
  ASSERT_TRUE(r.verdict.ok()) << r.verdict.reason();
  const size_t msg = sumcheck::msg_bytes<Fr>();
  ASSERT_EQ(r.bytes.size() % msg, 0u);
  for (size_t i = 0; i < r.bytes.size() / msg; ++i) {
    auto b = r.bytes;
    b[i * msg + msg / 2] ^= 0x01;
    Verdict v = verify_bytes(c, b);
    EXPECT_FALSE(v.ok()) << "message " << i << " changed, accepted";
  }
  // Truncated and extended proofs.
  auto shorter = r.bytes;
  shorter.pop_back();
  EXPECT_FALSE(verify_bytes(c, shorter).ok());
  auto longer = r.bytes;
  longer.push_back(0);
  EXPECT_FALSE(verify_bytes(c, longer).ok());
  // Another shape (one more index) does not verify this proof.
  Case other = c;
  other.s.nodes = 7;
  EXPECT_FALSE(verify_bytes(other, r.bytes).ok());
}

// Every y over {x values, 0, 9} and feat over [-1, 5] for N = 1, F = 3 (Fp = 4), M = 2 (and N = 2,
// M = 1): accepted exactly when every y[r, n] = X[r, feat[n]] with feat[n] in [0, F).
TEST(IndexedLookup, ExhaustiveSmallCases) {
  for (size_t N : {size_t{1}, size_t{2}}) {
    const size_t F = 3, M = N == 1 ? 2 : 1;
    Case base;
    base.s = {N, F, M};
    base.x = N == 1 ? std::vector<int64_t>{4, 5, 6} : std::vector<int64_t>{4, 5, 6, 7, 8, 4};
    const std::vector<int64_t> vals = {0, 4, 5, 6, 7, 8, 9};
    const std::vector<int64_t> feats = {-1, 0, 1, 2, 3, 4, 5};
    const size_t cells = N * M;
    size_t accepted = 0, expected_accepts = 0;
    std::vector<size_t> fi(M, 0), vi(cells, 0);
    for (size_t fcode = 0; fcode < static_cast<size_t>(std::pow(feats.size(), M)); ++fcode)
      for (size_t vcode = 0; vcode < static_cast<size_t>(std::pow(vals.size(), cells)); ++vcode) {
        Case c = base;
        size_t a = fcode;
        for (size_t n = 0; n < M; ++n, a /= feats.size()) c.feat.push_back(feats[a % feats.size()]);
        size_t b = vcode;
        for (size_t i = 0; i < cells; ++i, b /= vals.size()) c.y.push_back(vals[b % vals.size()]);
        bool valid = true;
        for (size_t r = 0; r < N; ++r)
          for (size_t n = 0; n < M; ++n) {
            const int64_t f = c.feat[n];
            valid = valid && f >= 0 && f < static_cast<int64_t>(F) && c.y[r * M + n] == c.x[r * F + static_cast<size_t>(f)];
          }
        c.m = matching_multiplicities(c);
        Outcome r = run(c);
        EXPECT_EQ(r.verdict.ok(), valid) << "N " << N << " code " << fcode << "/" << vcode;
        accepted += r.verdict.ok();
        expected_accepts += valid;
      }
    EXPECT_GT(expected_accepts, 0u);
    EXPECT_EQ(accepted, expected_accepts);
  }
}

// The indexed lookup's verifier as a circuit (verify_indexed_as<snark::CFr>; docs/protocol/wrap.md
// section 3), with the caller's openings of its claims against the public tables (constants): the
// honest proof satisfies the system with the native verifier's claims; each changed message (GKR
// root and steps, the sent evaluations, the padding zero-check) leaves it unsatisfied.
template <class F>
Transcript field_caller(const Tables& t) {
  Transcript tr = [] {
    if constexpr (std::is_same_v<F, Fr>) {
      return Transcript("indexed-test", std::make_unique<transcript::PoseidonFieldSponge>());
    } else {
      return Transcript("indexed-test", std::make_unique<snark::PoseidonCircuitSponge>());
    }
  }();
  auto lift = [](const std::vector<Fr>& v) { return std::vector<F>(v.begin(), v.end()); };
  tr.absorb_many("test.feat", lift(t.feat));
  tr.absorb_many("test.y", lift(t.y));
  tr.absorb_many("test.x", lift(t.x));
  tr.absorb_many("test.m", lift(t.m));
  return tr;
}

TEST(IndexedLookup, VerifierAsCircuit) {
  using snark::CFr;
  TestRng rng(test_seed() + 9);
  const size_t shapes[][3] = {{2, 5, 6}, {4, 8, 16}, {1, 30, 100}};
  for (auto [N, F, M] : shapes) {
    SCOPED_TRACE(std::to_string(N) + "x" + std::to_string(F) + " by " + std::to_string(M) + "; " + seed_note());
    const Case c = honest(rng, N, F, M);
    const Tables t = tables_of(c);
    Transcript tp = field_caller<Fr>(t);
    IndexedClaims pc;
    ByteWriter w;
    prove_indexed(c.s, t.feat, t.y, t.x, t.m, tp, &pc).serialize(w);
    const std::vector<uint8_t> bytes = w.data();
    IndexedClaims want;
    {
      ByteReader rd(bytes);
      const auto p = IndexedProof::deserialize(rd, c.s);
      Transcript tv = field_caller<Fr>(t);
      const Verdict v = verify_indexed(c.s, p, tv, &want);
      ASSERT_TRUE(v.ok()) << v.reason();
    }
    auto run_circuit = [&](const std::vector<uint8_t>& b, bool check, size_t* constraints) {
      snark::ConstraintSystem cs;
      snark::CircuitScope scope(cs);
      ByteReader rd(b);
      const auto p = IndexedProofT<CFr>::deserialize(rd, c.s);
      EXPECT_EQ(rd.remaining(), 0u);
      Transcript tv = field_caller<CFr>(t);
      IndexedClaimsT<CFr> got;
      const Verdict v = verify_indexed_as<CFr>(c.s, p, tv, &got);
      EXPECT_TRUE(v.ok()) << v.reason();  // the circuit's shape never depends on the values
      // The caller's openings against the public tables.
      auto open = [](const std::vector<Fr>& table, const std::vector<CFr>& point, const CFr& value) {
        const std::vector<CFr> tc(table.begin(), table.end());
        EXPECT_TRUE(poly::evaluate_mle<CFr>(tc, point) == value);  // records the equality
      };
      open(t.feat, got.feat_point, got.feat);
      open(t.y, got.y_point, got.y);
      open(t.x, got.x_point, got.x);
      open(t.m, got.m_point, got.m);
      if (!got.y_pad_point.empty()) open(t.y, got.y_pad_point, got.y_pad);
      if (check) {
        auto same = [](const std::vector<CFr>& a, const std::vector<Fr>& b, const char* what) {
          ASSERT_EQ(a.size(), b.size()) << what;
          for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].value(), b[i]) << what << " " << i;
        };
        same(got.feat_point, want.feat_point, "feat point");
        same(got.y_point, want.y_point, "y point");
        same(got.x_point, want.x_point, "x point");
        same(got.m_point, want.m_point, "m point");
        same(got.y_pad_point, want.y_pad_point, "y padding point");
        EXPECT_EQ(got.feat.value(), want.feat.value());
        EXPECT_EQ(got.y.value(), want.y.value());
        EXPECT_EQ(got.x.value(), want.x.value());
        EXPECT_EQ(got.m.value(), want.m.value());
        if (!want.y_pad_point.empty()) EXPECT_EQ(got.y_pad.value(), want.y_pad.value());
      }
      if (constraints) *constraints = cs.num_constraints();
      return v.ok() && cs.is_satisfied() && scope.false_equalities() == 0;
    };
    size_t constraints = 0;
    EXPECT_TRUE(run_circuit(bytes, true, &constraints)) << "honest proof";
    std::printf("indexed lookup %zux%zu by %zu as a circuit: %zu constraints\n", N, F, M, constraints);
    const size_t msg = sumcheck::msg_bytes<Fr>(), words = bytes.size() / msg;
    for (size_t i = 0; i < words; i += (words > 40 ? words / 40 : 1)) {
      auto b = bytes;
      auto v = Fr::from_bytes(std::span<const uint8_t>(b.data() + i * msg, msg));
      ASSERT_TRUE(v.has_value());
      const auto nb = (*v + Fr::one()).to_bytes();
      std::copy(nb.begin(), nb.end(), b.begin() + static_cast<std::ptrdiff_t>(i * msg));
      EXPECT_FALSE(run_circuit(b, false, nullptr)) << "message " << i << " of " << words << " changed, satisfied";
    }
  }
}

}  // namespace
}  // namespace zkinfer::lookup
