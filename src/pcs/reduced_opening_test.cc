// Tests of the reduced openings (pcs/reduced_opening.h), in plain mode: claims on commitments of
// different sizes and column splits reduced to one point and opened by one argument per group;
// the reduced evaluations checked against a direct MLE evaluation; every kind of lie rejected
// (a claim's value, a round message, a reduced evaluation, a commitment, the opening), and the
// proof bytes read back exactly.
#include "pcs/reduced_opening.h"

#include <gtest/gtest.h>

#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

const HyraxParams& params() {
  static const HyraxParams p(7);
  return p;
}

struct Case {
  std::vector<std::vector<Fr>> values;
  std::vector<HyraxCommitted> coms;
  std::vector<ReductionClaim> claims;
};

// Commitments of n_c variables (log_cols b_c), each with 1..3 claims at random points.
Case make_case(TestRng& rng, const std::vector<std::pair<size_t, size_t>>& shapes) {
  Case s;
  for (size_t c = 0; c < shapes.size(); ++c) {
    const auto [n, b] = shapes[c];
    std::vector<Fr> v(size_t{1} << n);
    for (auto& x : v) x = Fr::random(rng);
    s.coms.push_back(commit(params(), std::span<const Fr>(v), b, rng));
    const size_t nclaims = 1 + rng.next_u64() % 3;
    for (size_t i = 0; i < nclaims; ++i) {
      std::vector<Fr> z(n);
      for (auto& x : z) x = Fr::random(rng);
      s.claims.push_back({c, z, cp::Val(poly::evaluate_mle<Fr>(v, z))});
    }
    s.values.push_back(std::move(v));
  }
  return s;
}

struct Bytes {
  std::vector<uint8_t> data;
};

// The whole protocol, prover side: split, row combinations, reduction, groups, one argument per
// group.
Bytes prove_all(const Case& s, TestRng& rng, const std::vector<Fr>& value_lies = {}) {
  transcript::Transcript tr("reduced-opening-test");
  ByteWriter w;
  std::vector<std::span<const Fr>> tabs;
  std::vector<HyraxLayout> layouts;
  std::vector<const HyraxBlinds*> blinds;
  for (size_t c = 0; c < s.coms.size(); ++c) {
    tabs.push_back(s.values[c]);
    layouts.push_back(s.coms[c].commitment.layout);
    blinds.push_back(&s.coms[c].blinds);
    s.coms[c].commitment.absorb_into(tr);
  }
  ReducedFront f = prove_reduced_front(layouts, tabs, blinds, s.claims, tr, w);
  for (size_t i = 0; i < f.groups.size(); ++i) {
    Fr v = f.groups[i].value(f.red.evals).value();
    if (i < value_lies.size()) v += value_lies[i];
    prove_group_opening(params(), f.groups[i], f.combos, ProverClaim::plain(v), tr, random_fr(rng)).serialize(w);
  }
  return {w.take()};
}

Verdict verify_all(const Case& s, std::span<const uint8_t> bytes, ReducedFront* out = nullptr) {
  transcript::Transcript tr("reduced-opening-test");
  ByteReader r(bytes, "reduced opening");
  std::vector<const HyraxCommitment*> coms;
  for (const auto& c : s.coms) {
    coms.push_back(&c.commitment);
    c.commitment.absorb_into(tr);
  }
  try {
    ReducedFront f;
    if (Verdict v = verify_reduced_front(coms, s.claims, tr, r, &f); !v) return v;
    for (const auto& g : f.groups) {
      const IpaProof proof = IpaProof::deserialize(r);
      if (Verdict v = verify_group_opening(params(), g, f.terms, EvalClaim::plain(g.value(f.red.evals).value()), proof, tr); !v)
        return v;
    }
    r.expect_end();
    if (out) *out = std::move(f);
  } catch (const DecodeError& e) {
    return Verdict::reject(e.what());
  }
  return Verdict::accept();
}

const std::vector<std::pair<size_t, size_t>> kShapes = {{6, 3}, {3, 2}, {0, 0}, {7, 4}, {5, 5}, {1, 1}, {4, 2}};

TEST(ReducedOpening, HonestVerifiesAndEvaluationsAreTheMles) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE(seed_note());
  TestRng rng(seed);
  for (int rep = 0; rep < 3; ++rep) {
    Case s = make_case(rng, kShapes);
    Bytes b = prove_all(s, rng);
    ReducedFront f;
    Verdict v = verify_all(s, b.data, &f);
    ASSERT_TRUE(v) << v.reason();
    // Differential: each claim's reduced evaluation is the MLE at (rho's prefix, its row point).
    ASSERT_EQ(f.red.evals.size(), s.claims.size());
    for (size_t i = 0; i < s.claims.size(); ++i) {
      const auto& l = s.coms[s.claims[i].com].commitment.layout;
      std::vector<Fr> pt(f.red.rho.begin(), f.red.rho.begin() + static_cast<std::ptrdiff_t>(l.col_vars()));
      pt.insert(pt.end(), s.claims[i].point.begin() + static_cast<std::ptrdiff_t>(l.col_vars()), s.claims[i].point.end());
      EXPECT_EQ(f.red.evals[i].value(), poly::evaluate_mle<Fr>(s.values[s.claims[i].com], pt));
    }
  }
}

TEST(ReducedOpening, LargeTablesVerify) {
  TestRng rng(test_seed());
  Case s = make_case(rng, {{14, 7}, {12, 6}, {3, 2}});
  Bytes b = prove_all(s, rng);
  Verdict v = verify_all(s, b.data);
  ASSERT_TRUE(v) << v.reason();
}

TEST(ReducedOpening, OneArgumentForAllCommitments) {
  TestRng rng(test_seed());
  Case s = make_case(rng, kShapes);
  std::vector<HyraxLayout> layouts;
  for (const auto& c : s.coms) layouts.push_back(c.commitment.layout);
  std::vector<Fr> rho(7);
  for (auto& x : rho) x = Fr::random(rng);
  transcript::Transcript tr("t");
  auto groups = group_at_point(layouts, rho, tr);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].width, 5u);  // the widest column count
  EXPECT_EQ(groups[0].members.size(), kShapes.size());
  // A coordinate equal to 1 zeroes some members' scale: they get a group of their own width.
  rho[3] = Fr::one();
  transcript::Transcript tr2("t");
  auto g2 = group_at_point(layouts, rho, tr2);
  EXPECT_GT(g2.size(), 1u);
  size_t members = 0;
  for (const auto& g : g2) members += g.members.size();
  EXPECT_EQ(members, kShapes.size());
}

TEST(ReducedOpening, FalseClaimIsRejected) {
  TestRng rng(test_seed());
  Case s = make_case(rng, kShapes);
  s.claims[3].value += cp::Val(Fr::one());
  Bytes b = prove_all(s, rng);  // the prover reduces the false claim honestly
  Verdict v = verify_all(s, b.data);
  EXPECT_FALSE(v);
}

TEST(ReducedOpening, WrongGroupValueIsRejected) {
  TestRng rng(test_seed());
  Case s = make_case(rng, kShapes);
  Bytes b = prove_all(s, rng, {Fr::one()});
  Verdict v = verify_all(s, b.data);
  ASSERT_FALSE(v);
}

TEST(ReducedOpening, OtherCommitmentIsRejected) {
  TestRng rng(test_seed());
  Case s = make_case(rng, kShapes);
  Bytes b = prove_all(s, rng);
  Case t = s;
  std::vector<Fr> v(s.values[0].size());
  for (auto& x : v) x = Fr::random(rng);
  t.coms[0] = commit(params(), std::span<const Fr>(v), 3, rng);
  EXPECT_FALSE(verify_all(t, b.data));
}

TEST(ReducedOpening, EveryChangedByteIsRejected) {
  TestRng rng(test_seed());
  Case s = make_case(rng, {{4, 2}, {2, 1}, {3, 2}});
  Bytes b = prove_all(s, rng);
  ASSERT_TRUE(verify_all(s, b.data));
  for (size_t i = 0; i < b.data.size(); ++i) {
    auto bad = b.data;
    bad[i] ^= 0x01;
    EXPECT_FALSE(verify_all(s, bad)) << "byte " << i;
  }
  auto shorter = b.data;
  shorter.pop_back();
  EXPECT_FALSE(verify_all(s, shorter));
  auto longer = b.data;
  longer.push_back(0);
  EXPECT_FALSE(verify_all(s, longer));
}

TEST(ReducedOpening, MalformedClaimsAreRejected) {
  TestRng rng(test_seed());
  Case s = make_case(rng, {{4, 2}, {2, 1}});
  Bytes b = prove_all(s, rng);
  Case t = s;
  t.claims.back().point.pop_back();  // wrong point size
  EXPECT_FALSE(verify_all(t, b.data));
  Case u = s;
  std::erase_if(u.claims, [](const ReductionClaim& c) { return c.com == 1; });  // a commitment without a claim
  EXPECT_FALSE(verify_all(u, b.data));
}

}  // namespace
}  // namespace zkinfer::pcs
