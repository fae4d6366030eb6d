// Tests of the LogUp batch (batch.h: one tagged LogUp-GKR for all tables): segment layout and
// padding math against brute force; the root of the one argument equals the fractional sum of the
// tagged witness and table rows computed directly (toy field); every witness of a few small
// segments into three tables of 2 rows (a range table and two two-column tables with each other's
// rows) is accepted exactly when every row lies in its own table, with multiplicities equal to a
// brute-force count; honest batches of many segments in tables of different sizes (witness side
// deeper and table side deeper) verify with claims equal to direct MLE evaluations; one bad row in
// one segment among many, a row of another table, a wrong multiplicity or column, every changed
// proof value and flipped proof bytes are rejected (or, for m and the columns, caught by their
// claims); owners and id shifts route the claims.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/random.h"
#include "field/bn254.h"
#include "field/toy.h"
#include "lookup/batch.h"
#include "poly/mle.h"
#include "test_seed.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using transcript::Transcript;

// A registration: table index (into the test's table list), columns, owner.
template <class F>
struct Seg {
  size_t table;
  std::vector<std::vector<F>> cols;
  size_t owner;
};

template <class F>
struct BatchRun {
  std::vector<std::vector<uint64_t>> counts;
  BatchProverResult<F> prover;
  Verdict verdict = Verdict::reject("not run");
  std::vector<SegmentClaim<F>> seg_claims;
  std::vector<MultiplicityClaim<F>> mult_claims;
  std::vector<BatchTableShape> shapes;
};

// Stand-ins for the caller's commitments: every column, then every m, absorbed before the batch.
template <class F>
Transcript caller(const std::vector<Seg<F>>& segs, const std::vector<std::vector<F>>& m) {
  Transcript t("batch-test");
  for (const auto& s : segs)
    for (const auto& c : s.cols) t.absorb_many("test.column", c);
  for (const auto& v : m) t.absorb_many("test.m", v);
  return t;
}

template <class F>
std::vector<std::vector<F>> to_field(const std::vector<std::vector<uint64_t>>& counts) {
  std::vector<std::vector<F>> m;
  for (const auto& c : counts) {
    m.emplace_back();
    for (uint64_t x : c) m.back().push_back(F::from_u64(x));
  }
  return m;
}

// Registers the segments (ids: 10 * segment + column; owners assigned after each segment),
// proves and verifies. tamper (optional) changes the proof before verification.
template <class F>
BatchRun<F> run_batch(const std::vector<LookupTable<F>>& tables, const std::vector<Seg<F>>& segs,
                      const std::function<void(BatchProof<F>&)>& tamper = {}) {
  BatchRun<F> r;
  BatchProver<F> bp;
  BatchVerifier<F> bv;
  for (size_t e = 0; e < segs.size(); ++e) {
    std::vector<size_t> ids;
    for (size_t c = 0; c < segs[e].cols.size(); ++c) ids.push_back(10 * e + c);
    bp.add(tables[segs[e].table], segs[e].cols, ids, "seg" + std::to_string(e));
    bp.assign_owner(segs[e].owner);
    bv.add(tables[segs[e].table], poly::log2_exact(segs[e].cols[0].size()), ids, "seg" + std::to_string(e));
    bv.assign_owner(segs[e].owner);
  }
  r.counts = bp.prepare();
  const auto m = to_field<F>(r.counts);
  Transcript tp = caller(segs, m);
  r.prover = bp.prove(tp);
  r.shapes = bv.shapes();
  BatchProof<F> proof = r.prover.proof;
  if (tamper) tamper(proof);
  Transcript tv = caller(segs, m);
  r.verdict = bv.verify(proof, tv, &r.seg_claims, &r.mult_claims);
  return r;
}

// The multiplicities by brute force: every row of every segment counted in its table, plus the
// padding rows (row 0 of the first registered table) up to the next power of two of all segments'
// total.
template <class F>
std::map<size_t, std::vector<uint64_t>> brute_counts(const std::vector<LookupTable<F>>& tables,
                                                     const std::vector<Seg<F>>& segs) {
  std::map<size_t, std::vector<uint64_t>> out;
  uint64_t total = 0;
  for (const auto& s : segs) {
    auto& m = out[s.table];
    m.resize(tables[s.table].size(), 0);
    for (size_t i = 0; i < s.cols[0].size(); ++i) {
      for (size_t j = 0; j < tables[s.table].size(); ++j) {
        bool eq = true;
        for (size_t c = 0; c < s.cols.size(); ++c) eq = eq && tables[s.table].entry(c, j) == s.cols[c][i];
        if (eq) {
          ++m[j];
          break;
        }
      }
    }
    total += s.cols[0].size();
  }
  // The tagged witness's padding rows: row 0 of the first registered table.
  uint64_t p = 1;
  while (p < total) p *= 2;
  out[segs[0].table][0] += p - total;
  return out;
}

// Claims against direct evaluations: each segment column's MLE, each table's m.
template <class F>
void expect_true_claims(const BatchRun<F>& r, const std::vector<Seg<F>>& segs) {
  ASSERT_TRUE(r.verdict.ok()) << r.verdict.reason();
  size_t n = 0;
  for (const auto& s : segs) n += s.cols.size();
  ASSERT_EQ(r.seg_claims.size(), n);
  ASSERT_EQ(r.prover.segment_claims.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const auto& c = r.seg_claims[i];
    const size_t e = c.id / 10;
    ASSERT_LT(e, segs.size());
    EXPECT_EQ(c.column, c.id % 10);
    EXPECT_EQ(c.owner, segs[e].owner);
    EXPECT_EQ(c.point, r.prover.segment_claims[i].point);
    EXPECT_EQ(c.value, r.prover.segment_claims[i].value);
    EXPECT_EQ(c.value, poly::evaluate_mle<F>(segs[e].cols[c.column], c.point)) << "segment " << e;
  }
  ASSERT_EQ(r.mult_claims.size(), r.counts.size());
  const auto m = to_field<F>(r.counts);
  for (const auto& c : r.mult_claims) EXPECT_EQ(c.value, poly::evaluate_mle<F>(m[c.table], c.point));
}

using T = field::F2p31m1;
using field::Fr;

TEST(LogupBatch, LayoutAndPaddingMatchBruteForce) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const std::vector<size_t>& vars : std::vector<std::vector<size_t>>{
           {0}, {3}, {0, 0, 0}, {1, 3, 0, 2}, {2, 2, 2, 2}, {4, 0, 1, 1, 3, 2, 0}}) {
    const BatchLayout l = BatchLayout::make(vars);
    // Segments are disjoint, aligned, and cover [0, total).
    std::vector<int> used(size_t{1} << l.num_vars, 0);
    uint64_t total = 0;
    for (size_t e = 0; e < vars.size(); ++e) {
      EXPECT_EQ(l.offsets[e] % (uint64_t{1} << vars[e]), 0u);
      for (uint64_t i = 0; i < (uint64_t{1} << vars[e]); ++i) ++used[l.offsets[e] + i];
      total += uint64_t{1} << vars[e];
    }
    EXPECT_EQ(l.total, total);
    EXPECT_GE(uint64_t{1} << l.num_vars, total);
    EXPECT_TRUE(l.num_vars == 0 || (uint64_t{1} << (l.num_vars - 1)) < total);
    for (size_t i = 0; i < used.size(); ++i) EXPECT_EQ(used[i], i < total ? 1 : 0) << i;
    // The recombination: concat~(rho) = sum_e sel_e seg_e~(rho_low) + pad P~(rho).
    std::vector<std::vector<Fr>> segs;
    std::vector<Fr> concat(size_t{1} << l.num_vars, Fr::from_u64(7));  // padding value 7
    for (size_t e = 0; e < vars.size(); ++e) {
      segs.emplace_back(size_t{1} << vars[e]);
      for (size_t i = 0; i < segs[e].size(); ++i) concat[l.offsets[e] + i] = segs[e][i] = Fr::random(rng);
    }
    std::vector<Fr> rho(l.num_vars);
    for (auto& x : rho) x = Fr::random(rng);
    Fr sum = Fr::from_u64(7) * (Fr::one() - prefix_indicator<Fr>(rho, l.total));
    for (size_t e = 0; e < vars.size(); ++e) {
      const std::vector<Fr> pt(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(vars[e]));
      sum += eq_index<Fr>(rho, vars[e], l.offsets[e] >> vars[e]) * poly::evaluate_mle<Fr>(segs[e], pt);
    }
    EXPECT_EQ(sum, poly::evaluate_mle<Fr>(concat, rho));
  }
  // prefix_indicator against the brute-force sum of eq over [0, s).
  for (size_t n = 0; n <= 4; ++n) {
    std::vector<Fr> rho(n);
    for (auto& x : rho) x = Fr::random(rng);
    const auto eq = poly::eq_table<Fr>(rho);
    for (uint64_t s = 0; s <= (uint64_t{1} << n); ++s) {
      Fr want = Fr::zero();
      for (uint64_t x = 0; x < s; ++x) want += eq[x];
      EXPECT_EQ(prefix_indicator<Fr>(rho, s), want) << n << " " << s;
    }
  }
}

// Every witness of segments of 1, 1 and 2 rows over {0..4} into [0, 4): accepted exactly when
// every row is in the table; multiplicities as counted by brute force.
TEST(LogupBatch, ExhaustiveSmallBatchesAgreeWithBruteForce) {
  const std::vector<LookupTable<T>> tables = {LookupTable<T>::range(2)};
  size_t accepted = 0;
  for (uint64_t code = 0; code < 625; ++code) {
    uint64_t c = code;
    auto next = [&] {
      const uint64_t d = c % 5;
      c /= 5;
      return T::from_u64(d);
    };
    std::vector<Seg<T>> segs = {{0, {{next()}}, 0}, {0, {{next(), next()}}, 1}, {0, {{next()}}, 2}};
    bool in = true;
    for (const auto& s : segs)
      for (const auto& x : s.cols[0]) in = in && x != T::from_u64(4);
    auto r = run_batch<T>(tables, segs);
    EXPECT_EQ(r.verdict.ok(), in) << "code " << code << ": " << r.verdict.reason();
    if (in) {
      expect_true_claims(r, segs);
      EXPECT_EQ(r.counts[0], brute_counts(tables, segs)[0]) << code;
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, 256u);
}

std::vector<Fr> range_values(TestRng& rng, size_t n, size_t k) {
  std::vector<Fr> v(size_t{1} << n);
  for (auto& x : v) x = Fr::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
  return v;
}

// Tables: range 2^4, range 2^6, x -> x^2 mod 251 over 16 rows.
std::vector<LookupTable<Fr>> mixed_tables() {
  std::vector<Fr> xs, ys;
  for (uint64_t x = 0; x < 16; ++x) {
    xs.push_back(Fr::from_u64(x));
    ys.push_back(Fr::from_u64((x * x) % 251));
  }
  return {LookupTable<Fr>::range(4), LookupTable<Fr>::range(6), LookupTable<Fr>::two_column(xs, ys)};
}

std::vector<Seg<Fr>> many_segments(TestRng& rng) {
  std::vector<Seg<Fr>> segs;
  for (size_t e = 0; e < 24; ++e) {
    const size_t t = e % 3, n = (e * 7) % 6;
    if (t == 2) {
      std::vector<Fr> x = range_values(rng, n, 4), y(x.size());
      for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * x[i];  // < 251: x^2 mod 251 = x^2
      segs.push_back({t, {x, y}, e / 3});
    } else {
      segs.push_back({t, {range_values(rng, n, t == 0 ? 4 : 6)}, e / 3});
    }
  }
  return segs;
}

TEST(LogupBatch, ManySegmentsInSeveralTablesVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto tables = mixed_tables();
  const auto segs = many_segments(rng);
  auto r = run_batch<Fr>(tables, segs);
  expect_true_claims(r, segs);
  ASSERT_EQ(r.counts.size(), 3u);
  auto want = brute_counts(tables, segs);
  for (size_t t = 0; t < 3; ++t) EXPECT_EQ(r.counts[t], want[t]) << t;
  // Serialization round trip under the verifier's shapes.
  ByteWriter w;
  r.prover.proof.serialize(w);
  ByteReader rd(w.data());
  auto back = BatchProof<Fr>::deserialize(rd, r.shapes);
  EXPECT_EQ(rd.remaining(), 0u);
  ByteWriter w2;
  back.serialize(w2);
  EXPECT_EQ(w.data(), w2.data());
}

TEST(LogupBatch, OneBadRowInOneSegmentAmongManyIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto tables = mixed_tables();
  for (size_t victim : {0u, 5u, 13u, 23u}) {
    auto segs = many_segments(rng);
    auto& col = segs[victim].cols[segs[victim].table == 2 ? 1 : 0];
    const size_t row = rng.next_u64() % col.size();
    if (segs[victim].table == 2) {
      col[row] += Fr::one();  // f(x) wrong in one row
    } else {
      col[row] = Fr::from_u64(segs[victim].table == 0 ? 16 : 64);  // just above the range
    }
    auto r = run_batch<Fr>(tables, segs);
    EXPECT_FALSE(r.verdict.ok()) << "victim " << victim;
    EXPECT_NE(r.verdict.reason().find("seg"), std::string::npos) << r.verdict.reason();
  }
  // A value that wraps around (p - 1) in a range segment.
  auto segs = many_segments(rng);
  segs[4].cols[0][0] = -Fr::one();
  EXPECT_FALSE(run_batch<Fr>(tables, segs).verdict.ok());
}

TEST(LogupBatch, WrongMultiplicitiesAreCaughtByTheirClaim) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto tables = mixed_tables();
  const auto segs = many_segments(rng);
  // The prover's m changed after prepare() (as if it committed another vector): either the
  // batch rejects or the claim on the committed m is false.
  BatchProver<Fr> bp;
  BatchVerifier<Fr> bv;
  for (size_t e = 0; e < segs.size(); ++e) {
    bp.add(tables[segs[e].table], segs[e].cols, std::vector<size_t>(segs[e].cols.size(), e));
    bv.add(tables[segs[e].table], poly::log2_exact(segs[e].cols[0].size()), std::vector<size_t>(segs[e].cols.size(), e));
  }
  bp.assign_owner(0);
  bv.assign_owner(0);
  auto counts = bp.prepare();
  auto committed = to_field<Fr>(counts);
  committed[1][3] += Fr::one();  // what the verifier's commitment holds
  Transcript tp = caller(segs, committed);
  auto res = bp.prove(tp);  // proves with the true m
  Transcript tv = caller(segs, committed);
  std::vector<SegmentClaim<Fr>> sc;
  std::vector<MultiplicityClaim<Fr>> mc;
  Verdict v = bv.verify(res.proof, tv, &sc, &mc);
  ASSERT_TRUE(v.ok()) << v.reason();  // consistent with the true m ...
  bool caught = false;
  for (const auto& c : mc) caught = caught || c.value != poly::evaluate_mle<Fr>(committed[c.table], c.point);
  EXPECT_TRUE(caught);  // ... which is not the committed one: the opening fails
}

TEST(LogupBatch, ChangedProofValuesAndBytesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto tables = mixed_tables();
  std::vector<Seg<Fr>> segs = many_segments(rng);
  segs.resize(9);
  const auto honest = run_batch<Fr>(tables, segs);
  ASSERT_TRUE(honest.verdict.ok()) << honest.verdict.reason();
  const auto& p = honest.prover.proof;
  auto rejected = [&](const std::string& what, const std::function<void(BatchProof<Fr>&)>& change) {
    const auto r = run_batch<Fr>(tables, segs, change);
    EXPECT_FALSE(r.verdict.ok()) << what;
    EXPECT_NE(r.verdict.reason().find("logup"), std::string::npos) << what << ": " << r.verdict.reason();
  };
  for (size_t i = 0; i < p.segment_evals.size(); ++i)
    rejected("segment value " + std::to_string(i), [&](BatchProof<Fr>& q) { q.segment_evals[i] += Fr::one(); });
  for (size_t i = 0; i < p.multiplicity_evals.size(); ++i)
    rejected("multiplicity value " + std::to_string(i), [&](BatchProof<Fr>& q) { q.multiplicity_evals[i] += Fr::one(); });
  rejected("root numerator", [&](BatchProof<Fr>& q) { q.gkr.root_numerator += Fr::one(); });
  rejected("root denominator", [&](BatchProof<Fr>& q) { q.gkr.root_denominator += Fr::one(); });
  for (size_t s = 0; s < p.gkr.steps.size(); ++s) {
    for (size_t j = 0; j < p.gkr.steps[s].rounds.size(); ++j)
      for (size_t v = 0; v < p.gkr.steps[s].rounds[j].evals.size(); ++v)
        rejected("step " + std::to_string(s) + " round " + std::to_string(j),
                 [&](BatchProof<Fr>& q) { q.gkr.steps[s].rounds[j].evals[v] += Fr::one(); });
    for (size_t f = 0; f < p.gkr.steps[s].final_evals.size(); ++f)
      rejected("step " + std::to_string(s) + " final value " + std::to_string(f),
               [&](BatchProof<Fr>& q) { q.gkr.steps[s].final_evals[f] += Fr::one(); });
  }
  rejected("missing multiplicity value", [&](BatchProof<Fr>& q) { q.multiplicity_evals.pop_back(); });
  rejected("missing segment value", [&](BatchProof<Fr>& q) { q.segment_evals.pop_back(); });
  rejected("missing step", [&](BatchProof<Fr>& q) { q.gkr.steps.pop_back(); });
  rejected("extra witness value", [&](BatchProof<Fr>& q) { q.gkr.witness_evals.push_back(Fr::one()); });
  // Flipped bytes: a decode error or a rejection, never an acceptance.
  ByteWriter w;
  p.serialize(w);
  for (size_t pos = 0; pos < w.data().size(); pos += 97) {
    auto bytes = w.data();
    bytes[pos] ^= 0x10;
    bool rejected = false;
    try {
      ByteReader rd(bytes);
      auto q = BatchProof<Fr>::deserialize(rd, honest.shapes);
      rejected = !run_batch<Fr>(tables, segs, [&](BatchProof<Fr>& x) { x = q; }).verdict.ok();
    } catch (const DecodeError&) {
      rejected = true;
    }
    EXPECT_TRUE(rejected) << "byte " << pos;
  }
}

// The root of the one argument against the fractional sum computed directly: every tagged witness
// row (gamma tag + a + beta b) and its padding (row 0 of the first table) as 1/(alpha - w), every
// tagged table row as m/(alpha - t), the tagged table's padding rows as 0/alpha; tables are tagged
// by first registration. Q must be the product of all denominators and P/Q the sum.
template <class F>
void expect_root_is_direct_sum(const std::vector<LookupTable<F>>& tables, const std::vector<Seg<F>>& segs,
                               const BatchRun<F>& r) {
  std::map<size_t, size_t> tag;  // test table -> batch table
  for (const auto& s : segs) tag.emplace(s.table, tag.size());
  ASSERT_EQ(r.counts.size(), tag.size());
  const F alpha = r.prover.alpha, beta = r.prover.beta, gamma = r.prover.gamma;
  auto tagged = [&](size_t t, const F& a, const F& b) { return gamma * F::from_u64(tag.at(t)) + a + beta * b; };
  F sum = F::zero(), q = F::one();
  uint64_t rows = 0;
  auto add = [&](const F& num, const F& den) {
    sum += num * den.inverse();
    q *= den;
  };
  for (const auto& s : segs)
    for (size_t i = 0; i < s.cols[0].size(); ++i, ++rows)
      add(F::one(), alpha - tagged(s.table, s.cols[0][i], s.cols.size() == 2 ? s.cols[1][i] : F::zero()));
  const auto& first = tables[segs[0].table];
  for (uint64_t p = 1;; p *= 2)
    if (p >= rows) {
      for (; rows < p; ++rows) add(F::one(), alpha - tagged(segs[0].table, first.entry(0, 0), first.num_columns() == 2 ? first.entry(1, 0) : F::zero()));
      break;
    }
  uint64_t table_rows = 0;
  for (const auto& [t, bt] : tag) {
    const auto& tab = tables[t];
    for (size_t j = 0; j < tab.size(); ++j)
      add(-F::from_u64(r.counts[bt][j]), alpha - tagged(t, tab.entry(0, j), tab.num_columns() == 2 ? tab.entry(1, j) : F::zero()));
    table_rows += tab.size();
  }
  for (uint64_t p = 1;; p *= 2)
    if (p >= table_rows) {
      for (; table_rows < p; ++table_rows) add(F::zero(), alpha);
      break;
    }
  EXPECT_EQ(r.prover.proof.gkr.root_denominator, q);
  EXPECT_EQ(r.prover.proof.gkr.root_numerator, sum * q);
}

// Tables of two rows each: [0, 2); X = {(0, 1), (1, 0)}; Y = {(0, 0), (1, 1)} (X's rows are not
// Y's: a row looked up in the wrong table must fail, which only the tags catch). Every witness of
// segments A (1 row into [0, 2)), B (1 row into X), C (1 row into Y), D (2 rows into [0, 2)) over
// {0, 1, 2}: accepted exactly when every row lies in its own table; the root is the direct sum
// (zero exactly then); multiplicities as counted by brute force.
TEST(LogupBatch, ExhaustiveTaggedTablesAgreeWithBruteForce) {
  const std::vector<LookupTable<T>> tables = {
      LookupTable<T>::range(1), LookupTable<T>::two_column({T::from_u64(0), T::from_u64(1)}, {T::from_u64(1), T::from_u64(0)}),
      LookupTable<T>::two_column({T::from_u64(0), T::from_u64(1)}, {T::from_u64(0), T::from_u64(1)})};
  size_t accepted = 0;
  for (uint64_t code = 0; code < 2187; ++code) {
    uint64_t c = code;
    auto next = [&] {
      const T d = T::from_u64(c % 3);
      c /= 3;
      return d;
    };
    std::vector<Seg<T>> segs;
    segs.push_back({0, {{next()}}, 0});
    segs.push_back({1, {{next()}, {next()}}, 1});
    segs.push_back({2, {{next()}, {next()}}, 2});
    segs.push_back({0, {{next(), next()}}, 3});
    bool in = true;
    for (const auto& s : segs)
      for (size_t i = 0; i < s.cols[0].size(); ++i) {
        std::vector<T> row;
        for (const auto& col : s.cols) row.push_back(col[i]);
        in = in && tables[s.table].find(row).has_value();
      }
    auto r = run_batch<T>(tables, segs);
    EXPECT_EQ(r.verdict.ok(), in) << "code " << code << ": " << r.verdict.reason();
    expect_root_is_direct_sum(tables, segs, r);
    EXPECT_EQ(r.prover.proof.gkr.root_numerator == T::zero(), in) << code;
    if (in) {
      expect_true_claims(r, segs);
      const auto want = brute_counts(tables, segs);
      for (size_t t = 0; t < 3; ++t) EXPECT_EQ(r.counts[t], want.at(t)) << code;
      ++accepted;
    } else {
      EXPECT_NE(r.verdict.reason().find("logup batch (3 tables"), std::string::npos) << r.verdict.reason();
    }
  }
  EXPECT_EQ(accepted, 32u);
}

// A row of another table: (0, 0) looked up in X = {(0, 1), (1, 0)} while Y = {(0, 0), (1, 1)} is
// in the batch too, the prover counting it in Y's multiplicities (and committing those): the
// untagged fractional sums would balance; the tags make the verifier reject. Likewise a range
// value of the wider range table (40 into [0, 16) beside [0, 64)).
TEST(LogupBatch, RowOfAnotherTableIsRejected) {
  auto cheat = [](const auto& tables, const auto& segs, size_t to_table, size_t to_row) {
    using F = std::decay_t<decltype(tables[0].entry(0, 0))>;
    BatchProver<F> bp;
    BatchVerifier<F> bv;
    for (size_t e = 0; e < segs.size(); ++e) {
      std::vector<size_t> ids(segs[e].cols.size(), e);
      bp.add(tables[segs[e].table], segs[e].cols, ids, "seg" + std::to_string(e));
      bv.add(tables[segs[e].table], poly::log2_exact(segs[e].cols[0].size()), ids, "seg" + std::to_string(e));
    }
    bp.assign_owner(0);
    bv.assign_owner(0);
    size_t missing = 0;
    auto counts = bp.prepare(&missing);
    EXPECT_EQ(missing, 1u);
    // The missing row counted in the other table (tables numbered as registered: test order).
    counts[to_table][to_row] += 1;
    const auto m = to_field<F>(counts);
    Transcript tp = caller(segs, m);
    auto res = bp.prove(tp, &counts);
    Transcript tv = caller(segs, m);
    std::vector<SegmentClaim<F>> sc;
    std::vector<MultiplicityClaim<F>> mc;
    return std::make_pair(bv.verify(res.proof, tv, &sc, &mc), res);
  };
  {
    const std::vector<LookupTable<T>> tables = {
        LookupTable<T>::two_column({T::from_u64(0), T::from_u64(1)}, {T::from_u64(1), T::from_u64(0)}),
        LookupTable<T>::two_column({T::from_u64(0), T::from_u64(1)}, {T::from_u64(0), T::from_u64(1)})};
    const std::vector<Seg<T>> segs = {{0, {{T::from_u64(1), T::from_u64(0)}, {T::from_u64(0), T::from_u64(0)}}, 0},
                                      {1, {{T::from_u64(1)}, {T::from_u64(1)}}, 0}};
    auto [v, res] = cheat(tables, segs, 1, 0);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.reason().rfind("logup batch (2 tables: two-column 2^1, two-column 2^1; 2 column(s): seg0, seg1): logup: ", 0), 0u) << v.reason();
    EXPECT_NE(res.proof.gkr.root_numerator, T::zero());
  }
  {
    const std::vector<LookupTable<Fr>> tables = {LookupTable<Fr>::range(4), LookupTable<Fr>::range(6)};
    std::vector<Seg<Fr>> segs = {{0, {{Fr::from_u64(3), Fr::from_u64(40)}}, 0}, {1, {{Fr::from_u64(50), Fr::from_u64(2)}}, 0}};
    auto [v, res] = cheat(tables, segs, 1, 40);
    EXPECT_FALSE(v.ok());
    EXPECT_EQ(v.reason(), "logup batch (2 tables: range 2^4, range 2^6; 2 column(s): seg0, seg1): logup: root numerator is not zero");
  }
}

// Honest batches whose witness side is deeper than the table side (N > K: the witness tree's
// last steps have unit numerators) and the reverse (K > N), with tables of different sizes;
// over the toy field with the root checked directly, and over Fr.
TEST(LogupBatch, DeeperWitnessOrDeeperTableVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto run_shapes = [&]<class F>(F) {
    std::vector<F> xs, ys;
    for (uint64_t x = 0; x < 8; ++x) {
      xs.push_back(F::from_u64(x));
      ys.push_back(F::from_u64(7 - x));
    }
    const std::vector<LookupTable<F>> tables = {LookupTable<F>::range(2), LookupTable<F>::two_column(xs, ys), LookupTable<F>::range(10)};
    auto range_seg = [&](size_t t, size_t n, size_t k, size_t owner) {
      std::vector<F> v(size_t{1} << n);
      for (auto& x : v) x = F::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
      return Seg<F>{t, {v}, owner};
    };
    auto pair_seg = [&](size_t n, size_t owner) {
      std::vector<F> a(size_t{1} << n), b(a.size());
      for (size_t i = 0; i < a.size(); ++i) {
        const uint64_t x = rng.next_u64() % 8;
        a[i] = F::from_u64(x);
        b[i] = F::from_u64(7 - x);
      }
      return Seg<F>{1, {a, b}, owner};
    };
    // N > K: 2^11 + 2^9 + 3 rows into tables of 4 and 8 rows (K = 4, N = 12).
    std::vector<Seg<F>> deep_w = {range_seg(0, 11, 2, 0), pair_seg(9, 1), range_seg(0, 0, 2, 2), pair_seg(1, 2)};
    // K > N: 2 + 4 + 1 rows (N = 3) into tables of 2^10, 8 and 4 rows (K = 11).
    std::vector<Seg<F>> deep_t = {range_seg(2, 1, 10, 0), pair_seg(2, 0), range_seg(0, 0, 2, 1)};
    for (const auto* segs : {&deep_w, &deep_t}) {
      auto r = run_batch<F>(tables, *segs);
      expect_true_claims(r, *segs);
      expect_root_is_direct_sum(tables, *segs, r);
      const auto want = brute_counts(tables, *segs);
      std::map<size_t, size_t> order;
      for (const auto& s : *segs) order.emplace(s.table, order.size());
      for (const auto& [t, bt] : order) EXPECT_EQ(r.counts[bt], want.at(t)) << t;
    }
  };
  run_shapes(T{});
  run_shapes(Fr{});
}

TEST(LogupBatch, OwnersAndIdShiftsRouteTheClaims) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto table = LookupTable<Fr>::range(3);
  BatchProver<Fr> bp;
  BatchVerifier<Fr> bv;
  std::vector<std::vector<Fr>> cols;
  for (size_t e = 0; e < 4; ++e) cols.push_back(range_values(rng, e, 3));
  // Owner 7: a composite layer whose second sub-layer's advice starts at 5.
  const size_t mark_p = bp.num_segments(), mark_v = bv.num_segments();
  bp.add(table, {cols[0]}, {1});
  bv.add(table, 0, {1});
  bp.shift_ids_from(mark_p, 0);
  bv.shift_ids_from(mark_v, 0);
  const size_t mark2_p = bp.num_segments(), mark2_v = bv.num_segments();
  bp.add(table, {cols[1]}, {0});
  bv.add(table, 1, {0});
  bp.shift_ids_from(mark2_p, 5);
  bv.shift_ids_from(mark2_v, 5);
  bp.assign_owner(7, "node a");
  bv.assign_owner(7, "node a");
  bp.add(table, {cols[2]}, {2});
  bp.add(table, {cols[3]}, {3});
  bv.add(table, 2, {2});
  bv.add(table, 3, {3});
  bp.assign_owner(8);
  bv.assign_owner(8);
  auto counts = bp.prepare();
  Transcript tp("route"), tv("route");
  auto res = bp.prove(tp);
  std::vector<SegmentClaim<Fr>> sc;
  Verdict v = bv.verify(res.proof, tv, &sc, nullptr);
  ASSERT_TRUE(v.ok()) << v.reason();
  ASSERT_EQ(sc.size(), 4u);
  const std::vector<std::pair<size_t, size_t>> want = {{7, 1}, {7, 5}, {8, 2}, {8, 3}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(sc[i].owner, want[i].first) << i;
    EXPECT_EQ(sc[i].id, want[i].second) << i;
    EXPECT_EQ(sc[i].value, poly::evaluate_mle<Fr>(cols[i], sc[i].point)) << i;
  }
}

// Columns of small integers borrowed by the batch (add_small: no field copy; the leaves computed
// from them where the GKR needs them) give exactly the proof of the same columns registered as
// field elements, for witnesses 0 to 5 levels deeper than the tables and one shallower; the proof
// verifies with claims equal to the columns' MLEs; a row outside its table among small columns
// is rejected.
TEST(BatchFr, SmallColumnsGiveTheSameProof) {
  using F = field::Fr;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 21);
  // A two-column table of 2^4 rows (x, x * x - 3, negative outputs included).
  std::vector<F> tx, ty;
  for (int64_t x = 0; x < 16; ++x) {
    tx.push_back(F::from_i64(x));
    ty.push_back(F::from_i64(x * x - 3));
  }
  const std::vector<LookupTable<F>> tables = {LookupTable<F>::range(5), LookupTable<F>::range(3),
                                              LookupTable<F>::two_column(tx, ty)};
  for (const std::vector<size_t>& seg_vars :
       std::vector<std::vector<size_t>>{{1, 0}, {3, 2, 2}, {5, 4, 3, 0}, {6, 2}, {7, 7, 3, 1}, {9, 5}}) {
    SCOPED_TRACE("segments " + std::to_string(seg_vars.size()) + ", first 2^" + std::to_string(seg_vars[0]));
    for (const bool bad : {false, true}) {
      std::vector<std::vector<std::vector<int64_t>>> ints;
      std::vector<size_t> which;
      for (size_t e = 0; e < seg_vars.size(); ++e) {
        const size_t t = e % tables.size(), rows = size_t{1} << seg_vars[e];
        which.push_back(t);
        std::vector<std::vector<int64_t>> cols(tables[t].num_columns(), std::vector<int64_t>(rows));
        for (size_t r = 0; r < rows; ++r) {
          const int64_t x = static_cast<int64_t>(rng.next_u64() % (t == 0 ? 32 : t == 1 ? 8 : 16));
          cols[0][r] = x;
          if (t == 2) cols[1][r] = x * x - 3;
        }
        ints.push_back(std::move(cols));
      }
      if (bad) ints.back()[0][ints.back()[0].size() / 2] = -1;  // in no table
      // The same registrations, as field elements and as borrowed integers.
      BatchProver<F> pf, ps;
      BatchVerifier<F> bv;
      std::vector<Seg<F>> segs;
      for (size_t e = 0; e < ints.size(); ++e) {
        std::vector<std::vector<F>> fc;
        std::vector<std::span<const int64_t>> sc;
        std::vector<size_t> ids;
        for (size_t c = 0; c < ints[e].size(); ++c) {
          fc.emplace_back();
          for (int64_t v : ints[e][c]) fc.back().push_back(F::from_i64(v));
          sc.push_back(ints[e][c]);
          ids.push_back(10 * e + c);
        }
        segs.push_back({which[e], fc, e});
        pf.add(tables[which[e]], fc, ids);
        ps.add_small(tables[which[e]], sc, ids);
        bv.add(tables[which[e]], seg_vars[e], ids);
        pf.assign_owner(e);
        ps.assign_owner(e);
        bv.assign_owner(e);
      }
      size_t miss_f = 0, miss_s = 0;
      const auto counts = pf.prepare(&miss_f);
      EXPECT_EQ(ps.prepare(&miss_s), counts);
      EXPECT_EQ(miss_f, bad ? 1u : 0u);
      EXPECT_EQ(miss_s, miss_f);
      const auto m = to_field<F>(counts);
      Transcript ta = caller(segs, m), tb = caller(segs, m), tv = caller(segs, m);
      const auto ra = pf.prove(ta);
      const auto rb = ps.prove(tb);
      ByteWriter wa, wb;
      ra.proof.serialize(wa);
      rb.proof.serialize(wb);
      EXPECT_EQ(wa.data(), wb.data());
      std::vector<SegmentClaim<F>> sc;
      std::vector<MultiplicityClaim<F>> mc;
      const Verdict v = bv.verify(rb.proof, tv, &sc, &mc);
      if (bad) {
        EXPECT_FALSE(v.ok());
        continue;
      }
      ASSERT_TRUE(v.ok()) << v.reason();
      ASSERT_EQ(sc.size(), rb.segment_claims.size());
      for (const auto& c : sc) {
        const auto& col = segs[c.owner].cols[c.column];
        EXPECT_EQ(c.value, sumcheck::Msg<F>(poly::evaluate_mle<F>(col, c.point)));
      }
    }
  }
}

}  // namespace
}  // namespace zkinfer::lookup
