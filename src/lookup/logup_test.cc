// Tests of LogUp-GKR: honest range and two-column lookups verify and their output claims equal
// direct MLE evaluations of the witness and the multiplicities; a witness row outside the table,
// a wrong multiplicity, a wrong f(x), every changed proof field, bad bytes and a diverging
// transcript are rejected; small cases are enumerated exhaustively over F2p31m1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/random.h"
#include "field/bn254.h"
#include "field/toy.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"
#include "poly/mle.h"
#include "test_seed.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using transcript::Transcript;

// What a caller does before phase 2: absorb (stand-ins for) the commitments to the witness
// columns and to the multiplicities.
template <class F>
Transcript caller_transcript(const std::vector<std::vector<F>>& columns, std::span<const F> m,
                             std::string_view domain = "logup-test") {
  Transcript t(domain);
  for (const auto& c : columns) t.absorb_many("test.witness_commitment", c);
  t.absorb_many("test.multiplicity_commitment", m);
  return t;
}

template <class F>
struct Run {
  Multiplicities<F> mult;
  std::vector<F> m;
  LookupProverResult<F> prover;
  Verdict verdict = Verdict::reject("not run");
  LookupClaims<F> claims;
};

// Phase 1, "commit", phase 2, verify. `m_override` replaces the multiplicities when non-empty.
template <class F>
Run<F> run(const LookupTable<F>& table, const std::vector<std::vector<F>>& columns, std::vector<F> m_override = {}) {
  Run<F> r;
  r.mult = compute_multiplicities(table, columns);
  r.m = m_override.empty() ? r.mult.to_field() : m_override;
  const size_t n = poly::log2_exact(columns[0].size());
  Transcript tp = caller_transcript<F>(columns, r.m);
  r.prover = prove(table, columns, r.m, tp);
  Transcript tv = caller_transcript<F>(columns, r.m);
  r.verdict = verify(table, n, r.prover.proof, tv, &r.claims);
  return r;
}

template <class F>
void expect_claims_match(const Run<F>& r, const std::vector<std::vector<F>>& columns) {
  ASSERT_TRUE(r.verdict.ok()) << r.verdict.reason();
  const auto& c = r.claims;
  EXPECT_EQ(c.witness_point, r.prover.claims.witness_point);
  EXPECT_EQ(c.multiplicity_point, r.prover.claims.multiplicity_point);
  ASSERT_EQ(c.witness_evals.size(), columns.size());
  for (size_t i = 0; i < columns.size(); ++i)
    EXPECT_EQ(c.witness_evals[i], poly::evaluate_mle<F>(columns[i], c.witness_point)) << "column " << i;
  EXPECT_EQ(c.multiplicity_eval, poly::evaluate_mle<F>(r.m, c.multiplicity_point));
}

template <class F>
std::vector<F> random_in_range(TestRng& rng, size_t count, size_t k) {
  std::vector<F> v(count);
  for (auto& x : v) x = F::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
  return v;
}

template <class F>
class LogupRange : public ::testing::Test {};
using Fields = ::testing::Types<field::F2p31m1, field::Fr>;
TYPED_TEST_SUITE(LogupRange, Fields);

TYPED_TEST(LogupRange, HonestLookupsOfManyShapesVerify) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t k : {0, 1, 3, 6, 10}) {
    for (size_t n : {0, 1, 2, 5, 8, 11}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
      auto table = LookupTable<F>::range(k);
      std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << n, k)};
      auto r = run(table, cols);
      EXPECT_EQ(r.mult.num_missing, 0u);
      expect_claims_match(r, cols);
      ASSERT_EQ(r.claims.witness_point.size(), n);
      ASSERT_EQ(r.claims.multiplicity_point.size(), k);
    }
  }
}

TYPED_TEST(LogupRange, OutOfTableEntryIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (auto [n, k] : {std::pair<size_t, size_t>{6, 4}, {4, 6}, {5, 5}, {0, 3}}) {
    SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
    auto table = LookupTable<F>::range(k);
    std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << n, k)};
    // Just outside the table, and a negative value.
    for (F bad : {F::from_u64(uint64_t{1} << k), -F::one()}) {
      auto c = cols;
      c[0][rng.next_u64() % c[0].size()] = bad;
      auto r = run(table, c);  // multiplicities count the in-table rows only
      EXPECT_EQ(r.mult.num_missing, 1u);
      EXPECT_FALSE(r.verdict.ok());
      EXPECT_EQ(r.verdict.reason(), "logup: root numerator is not zero");
      // Claiming a zero root numerator anyway: the first GKR step's sumcheck fails.
      LogupProof<F> forged = r.prover.proof;
      forged.root_numerator = F::zero();
      Transcript tv = caller_transcript<F>(c, r.m);
      Verdict v = verify(table, n, forged, tv);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("logup: step 0"), std::string::npos) << v.reason();
    }
  }
}

TYPED_TEST(LogupRange, WrongMultiplicityIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const size_t n = 7, k = 4;
  auto table = LookupTable<F>::range(k);
  std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << n, k)};
  auto honest = compute_multiplicities(table, cols).to_field();
  for (size_t j = 0; j < table.size(); ++j) {
    // Moving one count from row j to row j + 1 keeps the total right but not the sum.
    auto m = honest;
    m[j] += F::one();
    m[(j + 1) % table.size()] -= F::one();
    auto r = run(table, cols, m);
    EXPECT_FALSE(r.verdict.ok()) << "row " << j;
  }
}

TYPED_TEST(LogupRange, PaddedWitnessVerifies) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  auto table = LookupTable<F>::range(5);
  std::vector<std::vector<F>> cols{random_in_range<F>(rng, 100, 5)};
  pad_columns<F>(cols, table.padding_row(), 7);
  ASSERT_EQ(cols[0].size(), 128u);
  auto r = run(table, cols);
  EXPECT_EQ(r.mult.counts[0] >= 28, true);
  expect_claims_match(r, cols);
}

// (x, relu(x)) for x in [-2^(k-1), 2^(k-1)), negatives embedded as p - |x|.
template <class F>
LookupTable<F> relu_table(size_t k) {
  std::vector<F> xs, ys;
  const int64_t half = int64_t{1} << (k - 1);
  for (int64_t x = -half; x < half; ++x) {
    xs.push_back(F::from_i64(x));
    ys.push_back(F::from_i64(x > 0 ? x : 0));
  }
  return LookupTable<F>::two_column(xs, ys);
}

// (x, x^2 mod 251) for x in [0, 2^k).
template <class F>
LookupTable<F> square_table(size_t k) {
  std::vector<F> xs, ys;
  for (uint64_t x = 0; x < (uint64_t{1} << k); ++x) {
    xs.push_back(F::from_u64(x));
    ys.push_back(F::from_u64(x * x % 251));
  }
  return LookupTable<F>::two_column(xs, ys);
}

template <class F>
std::vector<std::vector<F>> table_rows(TestRng& rng, const LookupTable<F>& t, size_t count) {
  std::vector<std::vector<F>> cols(2, std::vector<F>(count));
  for (size_t i = 0; i < count; ++i) {
    const size_t j = rng.next_u64() % t.size();
    cols[0][i] = t.entry(0, j);
    cols[1][i] = t.entry(1, j);
  }
  return cols;
}

TYPED_TEST(LogupRange, TwoColumnLookupsVerifyAndWrongOutputIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  for (auto [name, k, n] : {std::tuple<const char*, size_t, size_t>{"relu", 6, 8}, {"relu", 8, 5}, {"square", 5, 5},
                            {"square", 7, 9}}) {
    SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " k=" + std::to_string(k));
    auto table = std::string(name) == "relu" ? relu_table<F>(k) : square_table<F>(k);
    auto cols = table_rows(rng, table, size_t{1} << n);
    auto r = run(table, cols);
    EXPECT_EQ(r.mult.num_missing, 0u);
    expect_claims_match(r, cols);
    // A wrong f(x): the row (x, f(x) + 1) is in no row of the table although x and f(x) + 1 may
    // each occur in their columns.
    auto bad = cols;
    const size_t i = rng.next_u64() % bad[0].size();
    bad[1][i] += F::one();
    auto rb = run(table, bad);
    EXPECT_EQ(rb.mult.num_missing, 1u);
    EXPECT_FALSE(rb.verdict.ok());
    // Swapped columns are not table rows either (except where x == f(x)).
    auto swapped = std::vector<std::vector<F>>{cols[1], cols[0]};
    auto rs = run(table, swapped);
    EXPECT_EQ(rs.verdict.ok(), rs.mult.num_missing == 0);
  }
}

// Phase 1 against a naive count, on the parallel path (many rows) and the serial one, with
// some rows outside the table.
TYPED_TEST(LogupRange, MultiplicitiesMatchNaiveCount) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 10);
  for (size_t rows : {size_t{100}, size_t{1} << 14}) {
    auto table = square_table<F>(6);
    auto cols = table_rows(rng, table, rows);
    for (size_t i = 0; i < rows; i += 37) cols[1][i] += F::one();
    auto m = compute_multiplicities(table, cols);
    std::vector<uint64_t> want(table.size(), 0);
    size_t missing = 0;
    for (size_t i = 0; i < rows; ++i) {
      bool found = false;
      for (size_t j = 0; j < table.size() && !found; ++j) {
        if (table.entry(0, j) == cols[0][i] && table.entry(1, j) == cols[1][i]) {
          ++want[j];
          found = true;
        }
      }
      if (!found) ++missing;
    }
    EXPECT_EQ(m.counts, want) << "rows=" << rows;
    EXPECT_EQ(m.num_missing, missing) << "rows=" << rows;
    auto range = LookupTable<F>::range(6);
    std::vector<std::vector<F>> rcols{random_in_range<F>(rng, rows, 7)};  // about half outside
    auto rm = compute_multiplicities(range, rcols);
    std::vector<uint64_t> rwant(range.size(), 0);
    size_t rmissing = 0;
    for (const F& v : rcols[0]) {
      const int64_t x = *v.to_i64();
      if (x < 64) {
        ++rwant[static_cast<size_t>(x)];
      } else {
        ++rmissing;
      }
    }
    EXPECT_EQ(rm.counts, rwant);
    EXPECT_EQ(rm.num_missing, rmissing);
  }
}

// A prover that proves against a different table of the same shape (one f(x) changed so that a
// bad witness row is in it): the proof is internally consistent; only the verifier's own
// evaluation of the public table catches it.
TYPED_TEST(LogupRange, ProofAgainstAnotherTableIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  for (auto [n, k] : {std::pair<size_t, size_t>{6, 4}, {4, 6}, {5, 5}}) {
    SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
    auto real = relu_table<F>(k);
    const size_t j = rng.next_u64() % real.size();
    std::vector<F> xs, ys;
    for (size_t r = 0; r < real.size(); ++r) {
      xs.push_back(real.entry(0, r));
      ys.push_back(real.entry(1, r) + (r == j ? F::one() : F::zero()));
    }
    auto fake = LookupTable<F>::two_column(xs, ys);
    auto cols = table_rows(rng, fake, size_t{1} << n);
    cols[0][0] = xs[j];
    cols[1][0] = ys[j];  // in the fake table only
    auto m = compute_multiplicities(fake, cols).to_field();
    Transcript tp = caller_transcript<F>(cols, m);
    auto proof = prove(fake, cols, m, tp).proof;
    Transcript tf = caller_transcript<F>(cols, m);
    EXPECT_TRUE(verify(fake, n, proof, tf).ok());
    Transcript tv = caller_transcript<F>(cols, m);
    Verdict v = verify(real, n, proof, tv);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.reason(), "logup: table leaf denominators do not match the table");
  }
}

// A prover that gives an out-of-table row numerator 0 (so the root numerator is 0 and every GKR
// step is honest): caught by the check that witness leaf numerators are 1 (n <= k), and
// impossible to express when n > k (the verifier fixes those numerators to 1 itself).
TYPED_TEST(LogupRange, ZeroedNumeratorForABadRowIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 8);
  for (auto [n, k] : {std::pair<size_t, size_t>{3, 4}, {4, 4}, {0, 2}}) {
    SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
    auto table = LookupTable<F>::range(k);
    std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << n, k)};
    cols[0][0] = F::from_u64(uint64_t{1} << k);  // out of range
    auto mult = compute_multiplicities(table, cols);
    ASSERT_EQ(mult.num_missing, 1u);
    auto m = mult.to_field();
    std::vector<F> numerators(cols[0].size(), F::one());
    numerators[0] = F::zero();
    Transcript tp = caller_transcript<F>(cols, m);
    detail::Cheats<F> cheats;
    cheats.witness_numerators = &numerators;
    auto res = detail::prove_impl<F>(table, cols, m, tp, cheats);
    EXPECT_TRUE(res.proof.root_numerator == sumcheck::Msg<F>(F::zero()));
    Transcript tv = caller_transcript<F>(cols, m);
    Verdict v = verify(table, n, res.proof, tv);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.reason(), "logup: witness leaf numerators are not 1");
  }
}

// A prover that claims root numerator 0 for a bad witness and keeps the first step's sumcheck
// consistent by scaling the eq factor: caught only by the verifier's own eq evaluation.
TYPED_TEST(LogupRange, ScaledEqFactorIsRejected) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 9);
  for (auto [n, k] : {std::pair<size_t, size_t>{5, 3}, {3, 5}}) {
    auto table = LookupTable<F>::range(k);
    std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << n, k)};
    cols[0][1] = F::from_u64(uint64_t{1} << k);  // out of range
    auto m = compute_multiplicities(table, cols).to_field();
    Transcript tp = caller_transcript<F>(cols, m);
    detail::Cheats<F> cheats;
    cheats.zero_root_by_scaling_eq = true;
    auto res = detail::prove_impl<F>(table, cols, m, tp, cheats);
    Transcript tv = caller_transcript<F>(cols, m);
    Verdict v = verify(table, n, res.proof, tv);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.reason(), "logup: step 0 (combined tree, level 0): sumcheck: final value of factor 0 (the verifier's own) is wrong");
  }
}

// Every witness of 2 or 4 entries over {0..5} into [0, 4) (and 2-entry ones into [0, 2)), over
// F2p31m1: accepted exactly when all entries are in the table.
TEST(LogupToy, ExhaustiveSmallRangeLookups) {
  using F = field::F2p31m1;
  for (auto [n, k] : {std::pair<size_t, size_t>{1, 1}, {1, 2}, {2, 2}, {2, 1}}) {
    auto table = LookupTable<F>::range(k);
    const size_t rows = size_t{1} << n;
    size_t total = 1;
    for (size_t i = 0; i < rows; ++i) total *= 6;
    for (size_t code = 0; code < total; ++code) {
      std::vector<std::vector<F>> cols(1, std::vector<F>(rows));
      bool in_table = true;
      for (size_t i = 0, c = code; i < rows; ++i, c /= 6) {
        cols[0][i] = F::from_u64(c % 6);
        in_table = in_table && (c % 6) < table.size();
      }
      auto r = run(table, cols);
      EXPECT_EQ(r.verdict.ok(), in_table) << "n=" << n << " k=" << k << " code=" << code;
      if (in_table) expect_claims_match(r, cols);
    }
  }
}

// Tampering with every single field of a proof (n > k, so every kind of step occurs: combined,
// the split, witness steps and the unit-numerator leaf step; and n < k for table steps).
class LogupTamper : public ::testing::TestWithParam<std::pair<size_t, size_t>> {
 protected:
  using F = field::Fr;
  void SetUp() override {
    auto [n, k] = GetParam();
    n_ = n;
    TestRng rng(test_seed() + 5);
    table_ = std::make_unique<LookupTable<F>>(relu_table<F>(k));
    cols_ = table_rows(rng, *table_, size_t{1} << n);
    m_ = compute_multiplicities(*table_, cols_).to_field();
    Transcript tp = caller_transcript<F>(cols_, m_);
    proof_ = prove(*table_, cols_, m_, tp).proof;
  }
  Verdict check(const LogupProof<F>& p, std::string_view domain = "logup-test") {
    Transcript tv = caller_transcript<F>(cols_, m_, domain);
    return verify(*table_, n_, p, tv);
  }
  size_t n_;
  std::unique_ptr<LookupTable<F>> table_;
  std::vector<std::vector<F>> cols_;
  std::vector<F> m_;
  LogupProof<F> proof_;
};

TEST_P(LogupTamper, HonestVerifies) { EXPECT_TRUE(check(proof_).ok()) << check(proof_).reason(); }

TEST_P(LogupTamper, EveryFieldChangedIsRejected) {
  size_t fields = 0;
  auto expect_rejected = [&](const LogupProof<F>& p, const std::string& what) {
    ++fields;
    Verdict v = check(p);
    EXPECT_FALSE(v.ok()) << what;
    EXPECT_EQ(v.reason().rfind("logup: ", 0), 0u) << what << ": " << v.reason();
  };
  {
    auto p = proof_;
    p.root_numerator += F::one();
    expect_rejected(p, "root numerator");
  }
  {
    auto p = proof_;
    p.root_denominator += F::one();
    expect_rejected(p, "root denominator");
  }
  {
    auto p = proof_;
    p.root_denominator = F::zero();
    expect_rejected(p, "root denominator zero");
  }
  for (size_t s = 0; s < proof_.steps.size(); ++s) {
    for (size_t i = 0; i < proof_.steps[s].rounds.size(); ++i)
      for (size_t t = 0; t < proof_.steps[s].rounds[i].evals.size(); ++t) {
        auto p = proof_;
        p.steps[s].rounds[i].evals[t] += F::one();
        expect_rejected(p, "step " + std::to_string(s) + " round " + std::to_string(i) + " value " + std::to_string(t));
      }
    for (size_t j = 0; j < proof_.steps[s].final_evals.size(); ++j) {
      auto p = proof_;
      p.steps[s].final_evals[j] += F::one();
      expect_rejected(p, "step " + std::to_string(s) + " final " + std::to_string(j));
    }
  }
  for (size_t c = 0; c < proof_.witness_evals.size(); ++c) {
    auto p = proof_;
    p.witness_evals[c] += F::one();
    expect_rejected(p, "witness eval " + std::to_string(c));
  }
  EXPECT_GT(fields, 20u);
}

TEST_P(LogupTamper, WrongShapeAndDivergingTranscriptAreRejected) {
  {
    auto p = proof_;
    p.steps.pop_back();
    EXPECT_FALSE(check(p).ok());
  }
  {
    auto p = proof_;
    p.witness_evals.pop_back();
    EXPECT_FALSE(check(p).ok());
  }
  {
    auto p = proof_;
    p.steps[1].final_evals.pop_back();
    EXPECT_FALSE(check(p).ok());
  }
  EXPECT_FALSE(check(proof_, "another-domain").ok());
  // A different multiplicity commitment changes alpha.
  auto m2 = m_;
  m2[0] += F::one();
  Transcript tv = caller_transcript<F>(cols_, m2);
  EXPECT_FALSE(verify(*table_, n_, proof_, tv).ok());
  // The verifier's n differs, or is absurd.
  Transcript tv2 = caller_transcript<F>(cols_, m_);
  EXPECT_FALSE(verify(*table_, n_ + 1, proof_, tv2).ok());
  Transcript tv3 = caller_transcript<F>(cols_, m_);
  EXPECT_FALSE(verify(*table_, size_t{1} << 40, proof_, tv3).ok());
}

TEST_P(LogupTamper, SerializationRoundTripsAndFlippedBytesAreRejected) {
  ByteWriter w;
  proof_.serialize(w);
  auto bytes = w.take();
  const size_t k = table_->log_size();
  {
    ByteReader r(bytes, "logup proof");
    auto p = LogupProof<F>::deserialize(r, n_, k, 2);
    r.expect_end();
    EXPECT_TRUE(check(p).ok());
  }
  {
    ByteReader r(std::span<const uint8_t>(bytes).first(bytes.size() - 1), "logup proof");
    EXPECT_THROW(LogupProof<F>::deserialize(r, n_, k, 2), DecodeError);
  }
  // One flipped bit in every 7th byte (every field is hit): decode error or rejection.
  for (size_t i = 0; i < bytes.size(); i += 7) {
    auto b = bytes;
    b[i] ^= static_cast<uint8_t>(1u << (i % 8));
    try {
      ByteReader r(b, "logup proof");
      auto p = LogupProof<F>::deserialize(r, n_, k, 2);
      EXPECT_FALSE(check(p).ok()) << "byte " << i;
    } catch (const DecodeError&) {
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, LogupTamper,
                         ::testing::Values(std::pair<size_t, size_t>{5, 3}, std::pair<size_t, size_t>{2, 4},
                                           std::pair<size_t, size_t>{3, 3}));

// The fractional-sum GKR with the witness leaves computed by a LeafFn (prover.h; W's lowest
// levels not stored, recomputed for their steps, whose first sumcheck rounds may be streamed from
// the leaves) sends exactly the proof of the stored-leaves prover and leaves the same claims, for
// witnesses shallower than, as deep as, and 1, 2 or more levels deeper than the table, under the
// default policy and 1 to 4 recomputed levels with 0 to 3 streamed rounds.
TYPED_TEST(LogupRange, LeavesFromAFunctionGiveTheSameProof) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 11);
  for (const auto& [n, k] : std::vector<std::pair<size_t, size_t>>{{0, 3}, {2, 4}, {4, 4}, {5, 4}, {6, 4}, {9, 3}, {14, 2}, {15, 0}}) {
    SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
    std::vector<F> q(size_t{1} << n), tp(size_t{1} << k), tq(size_t{1} << k);
    for (auto& x : q) x = F::from_u64(rng.next_u64());
    for (size_t j = 0; j < tp.size(); ++j) {
      tp[j] = F::from_u64(rng.next_u64());
      tq[j] = F::from_u64(rng.next_u64());
    }
    detail::Level<F> w, t;
    w.q = q;
    t.p = tp;
    t.q = tq;
    Transcript ta("fractions");
    LogupProof<F> pa;
    const auto pts_a = detail::prove_fractions<F>(std::move(w), t, ta, detail::Cheats<F>{}, &pa);
    size_t calls = 0;
    const detail::LeafFn<F> leaves = [&](size_t begin, size_t end, F* out) {
      ASSERT_LE(begin, end);
      ASSERT_LE(end, q.size());
#pragma omp atomic
      ++calls;
      for (size_t i = begin; i < end; ++i) out[i - begin] = q[i];
    };
    ByteWriter wa;
    pa.serialize(wa);
    const F after_a = ta.challenge<F>("after");
    // The default policy, then every number of recomputed levels with the lowest steps' first
    // rounds streamed from the leaves (sumcheck/streamed.h) or not.
    std::vector<detail::StreamPolicy> policies{detail::StreamPolicy{}};
    for (size_t v : {1, 2, 3, 4})
      for (size_t r : {0, 1, 2, 3}) policies.push_back({v, r, 0});
    for (const auto& pol : policies) {
      SCOPED_TRACE("recomputed " + std::to_string(pol.recomputed_levels) + " streamed " + std::to_string(pol.stream_rounds) +
                   " from 2^" + std::to_string(pol.min_stream_vars));
      Transcript tb("fractions");
      LogupProof<F> pb;
      calls = 0;
      const auto pts_b = detail::prove_fractions<F>(n, leaves, t, tb, detail::Cheats<F>{}, &pb, pol);
      EXPECT_GT(calls, 0u);
      ByteWriter wb;
      pb.serialize(wb);
      EXPECT_EQ(wa.data(), wb.data());
      EXPECT_EQ(pts_a.witness, pts_b.witness);
      EXPECT_EQ(pts_a.table, pts_b.table);
      EXPECT_EQ(after_a, tb.challenge<F>("after"));
    }
  }
}

TEST(LogupFr, LargerRangeCheck) {
  using F = field::Fr;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  auto table = LookupTable<F>::range(12);
  std::vector<std::vector<F>> cols{random_in_range<F>(rng, size_t{1} << 15, 12)};
  auto r = run(table, cols);
  expect_claims_match(r, cols);
}

}  // namespace
}  // namespace zkinfer::lookup
