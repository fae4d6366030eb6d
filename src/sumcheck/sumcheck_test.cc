// Tests of the generic sumcheck: the honest prover's claim equals the brute-force sum over the
// hypercube (toy fields and Fr), its final evaluations equal direct MLE evaluations at the returned
// point, and every single changed proof field, a wrong claim, a wrong shape, bad bytes and a
// diverging transcript are rejected with a reason.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "common/bytes.h"
#include "common/random.h"
#include "field/bn254.h"
#include "field/toy.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/streamed.h"
#include "sumcheck/verifier.h"
#include "test_seed.h"
#include "transcript/transcript.h"

namespace zkinfer::sumcheck {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using transcript::Transcript;

template <class F>
std::vector<F> random_vec(TestRng& rng, size_t n) {
  std::vector<F> v(n);
  for (auto& x : v) x = F::random(rng);
  return v;
}

// sum_x g(x) straight from the definition.
template <class F>
F brute_force_sum(const Composition<F>& comp, const std::vector<std::vector<F>>& factors) {
  F acc = F::zero();
  std::vector<F> vals(factors.size());
  for (size_t x = 0; x < factors[0].size(); ++x) {
    for (size_t j = 0; j < factors.size(); ++j) vals[j] = factors[j][x];
    acc += comp.evaluate(vals);
  }
  return acc;
}

// The compositions the protocols need, with their factor tables over n variables.
template <class F>
struct Instance {
  std::string name;
  Composition<F> comp;
  std::vector<std::vector<F>> factors;
};

template <class F>
std::vector<Instance<F>> instances(TestRng& rng, size_t n) {
  const size_t N = size_t{1} << n;
  std::vector<Instance<F>> out;
  auto eq = poly::eq_table<F>(random_vec<F>(rng, n));
  // eq * f * g (degree 3).
  out.push_back({"eq*f*g", Composition<F>::product(3), {eq, random_vec<F>(rng, N), random_vec<F>(rng, N)}});
  // A single factor (degree 1) and a product of four (degree 4).
  out.push_back({"f", Composition<F>::product(1), {random_vec<F>(rng, N)}});
  {
    std::vector<std::vector<F>> fs;
    for (int j = 0; j < 4; ++j) fs.push_back(random_vec<F>(rng, N));
    out.push_back({"f0*f1*f2*f3", Composition<F>::product(4), fs});
  }
  // LogUp-GKR layer: eq * (p0 q1 + p1 q0 + lambda q0 q1); factors eq, p0, p1, q0, q1.
  {
    const F lambda = F::random(rng);
    Composition<F> c(5, {Term<F>{F::one(), {0, 1, 4}}, Term<F>{F::one(), {0, 2, 3}}, Term<F>{lambda, {0, 3, 4}}});
    out.push_back({"logup-layer", c,
                   {eq, random_vec<F>(rng, N), random_vec<F>(rng, N), random_vec<F>(rng, N), random_vec<F>(rng, N)}});
  }
  // Repeated factor, coefficients, a constant term and an unused factor: 3 f^2 g - 5 h + 7.
  {
    Composition<F> c(4, {Term<F>{F::from_u64(3), {0, 0, 1}}, Term<F>{-F::from_u64(5), {2}}, Term<F>{F::from_u64(7), {}}});
    out.push_back({"3f^2g-5h+7", c, {random_vec<F>(rng, N), random_vec<F>(rng, N), random_vec<F>(rng, N), random_vec<F>(rng, N)}});
  }
  return out;
}

template <class F>
class SumcheckBruteForce : public ::testing::Test {};
using Fields = ::testing::Types<field::F97, field::F2p31m1, field::Fr>;
TYPED_TEST_SUITE(SumcheckBruteForce, Fields);

TYPED_TEST(SumcheckBruteForce, HonestProofMatchesBruteForceAndVerifies) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n = 0; n <= 7; ++n) {
    for (auto& inst : instances<F>(rng, n)) {
      SCOPED_TRACE(inst.name + " n=" + std::to_string(n));
      const F want = brute_force_sum(inst.comp, inst.factors);
      Transcript tp("sumcheck-test");
      auto res = prove(inst.comp, inst.factors, tp);
      EXPECT_EQ(res.claim, want);
      ASSERT_EQ(res.point.size(), n);
      for (size_t j = 0; j < inst.factors.size(); ++j)
        EXPECT_EQ(res.final_evals[j], poly::evaluate_mle<F>(inst.factors[j], res.point)) << "factor " << j;

      Transcript tv("sumcheck-test");
      Subclaim<F> sub;
      Verdict v = verify(inst.comp, n, want, res.proof, tv, &sub);
      ASSERT_TRUE(v.ok()) << v.reason();
      EXPECT_EQ(sub.point, res.point);
      EXPECT_EQ(msg_values<F>(sub.final_evals), res.final_evals);
      EXPECT_EQ(tv.state(), tp.state());  // both sides absorbed the same messages
    }
  }
}

// prove_with_eq (Gruen's factoring of eq) proves the same sum as prove() with an explicit eq table,
// with d - 1 values per round, and verify_with_eq accepts it, including when coordinates of the eq
// point are 0 or 1 (the missing value of q is then q(0), or q(1) with rho = 1). A changed round
// value is rejected.
TYPED_TEST(SumcheckBruteForce, EqProverProvesTheSameSumAndVerifies) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  for (size_t n : {0, 1, 2, 3, 6, 12}) {
    const size_t N = size_t{1} << n;
    for (int variant = 0; variant < 3; ++variant) {
      auto rho = random_vec<F>(rng, n);
      if (variant == 1)
        for (size_t i = 0; i < n; i += 2) rho[i] = F::zero();
      if (variant == 2)
        for (size_t i = 0; i < n; ++i) rho[i] = F::from_u64(i & 1);  // a hypercube point
      const F lambda = F::random(rng);
      std::vector<std::pair<std::string, Composition<F>>> comps = {
          {"eq", Composition<F>::product(1)},
          {"eq*f", Composition<F>::product(2)},
          {"eq*f*g", Composition<F>::product(3)},
          {"logup-layer", Composition<F>(5, {Term<F>{F::one(), {0, 1, 4}}, Term<F>{F::one(), {0, 2, 3}},
                                             Term<F>{lambda, {0, 3, 4}}})},
          {"logup-leaf", Composition<F>(3, {Term<F>{F::one(), {0, 2}}, Term<F>{F::one(), {0, 1}},
                                            Term<F>{lambda, {0, 1, 2}}})},
          {"eq*(f^3 + 2)", Composition<F>(2, {Term<F>{F::one(), {1, 0, 1, 1}}, Term<F>{F::from_u64(2), {0}}})},
      };
      for (auto& [name, comp] : comps) {
        SCOPED_TRACE(name + " n=" + std::to_string(n) + " variant=" + std::to_string(variant));
        std::vector<std::vector<F>> factors{poly::eq_table<F>(rho)};
        for (size_t j = 1; j < comp.num_factors(); ++j) factors.push_back(random_vec<F>(rng, N));
        Transcript t1("eq"), t2("eq");
        auto want = prove(comp, factors, t1);
        auto no_eq = factors;
        no_eq[0].clear();
        auto got = prove_with_eq<F>(comp, rho, no_eq, t2);
        EXPECT_EQ(got.claim, want.claim);
        EXPECT_EQ(got.claim, brute_force_sum(comp, factors));
        ASSERT_EQ(got.proof.rounds.size(), n);
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(got.proof.rounds[i].evals.size(), comp.degree() - 1) << "round " << i;
        ASSERT_EQ(got.point.size(), n);
        for (size_t j = 0; j < factors.size(); ++j)
          EXPECT_EQ(got.final_evals[j], poly::evaluate_mle<F>(factors[j], got.point)) << "factor " << j;
        // Verification over Fr only: in the toy field a changed value or a false claim passes with
        // probability about n d / 97.
        if constexpr (!std::is_same_v<F, field::Fr>) continue;
        Transcript tv("eq");
        Subclaim<F> sub;
        Verdict v = verify_with_eq<F>(comp, rho, got.claim, got.proof, tv, &sub);
        ASSERT_TRUE(v.ok()) << v.reason();
        EXPECT_EQ(sub.point, got.point);
        EXPECT_EQ(tv.state(), t2.state());
        for (size_t i = 0; i < n; ++i)
          for (size_t t = 0; t < got.proof.rounds[i].evals.size(); ++t) {
            auto bad = got.proof;
            bad.rounds[i].evals[t] += F::one();
            Transcript tb("eq");
            EXPECT_FALSE(verify_with_eq<F>(comp, rho, got.claim, bad, tb).ok()) << "round " << i << " value " << t;
          }
        Transcript tw("eq");
        EXPECT_FALSE(verify_with_eq<F>(comp, rho, got.claim + F::one(), got.proof, tw).ok());
      }
    }
  }
}

// prove_with_eq_streamed (streamed.h: the first R rounds read the factors from a function,
// block by block, and only the folded tables are stored) sends byte for byte prove_with_eq's proof
// on the stored tables, with the same claim, point and final values and the same transcript after,
// for every R from 0 to past n - 1, eq points with 0/1 coordinates, and compositions with
// coefficients, repeated factors and a constant term; the function is called on disjoint ranges
// that together cover every table R + 1 times. A changed factor entry changes the proof.
TYPED_TEST(SumcheckBruteForce, StreamedRoundsGiveTheSameProof) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 17);
  for (size_t n : {0, 1, 2, 3, 5, 12}) {
    const size_t N = size_t{1} << n;
    for (int variant = 0; variant < 2; ++variant) {
      auto rho = random_vec<F>(rng, n);
      if (variant == 1)
        for (size_t i = 0; i < n; ++i) rho[i] = F::from_u64((i / 2) & 1);
      const F lambda = F::random(rng);
      std::vector<std::pair<std::string, Composition<F>>> comps = {
          {"eq*f", Composition<F>::product(2)},
          {"logup-layer", Composition<F>(5, {Term<F>{F::one(), {0, 1, 4}}, Term<F>{F::one(), {0, 2, 3}},
                                             Term<F>{lambda, {0, 3, 4}}})},
          {"logup-leaf", Composition<F>(3, {Term<F>{F::one(), {0, 2}}, Term<F>{F::one(), {0, 1}},
                                            Term<F>{lambda, {0, 1, 2}}})},
          {"eq*(3 f^3 g + 2)", Composition<F>(3, {Term<F>{F::from_u64(3), {1, 0, 1, 1, 2}}, Term<F>{F::from_u64(2), {0}}})},
      };
      for (auto& [name, comp] : comps) {
        std::vector<std::vector<F>> factors{{}};
        for (size_t j = 1; j < comp.num_factors(); ++j) factors.push_back(random_vec<F>(rng, N));
        Transcript t1("eq");
        const auto want = prove_with_eq<F>(comp, rho, factors, t1);
        ByteWriter ww;
        want.proof.serialize(ww);
        for (size_t R : {0, 1, 2, 3, 11, 12, 20}) {
          SCOPED_TRACE(name + " n=" + std::to_string(n) + " variant=" + std::to_string(variant) + " R=" + std::to_string(R));
          std::vector<size_t> reads(N, 0);
          const FactorFill<F> fill = [&](size_t b, size_t e, F* const* outs) {
            ASSERT_LE(b, e);
            ASSERT_LE(e, N);
            for (size_t j = 1; j < factors.size(); ++j)
              for (size_t x = b; x < e; ++x) outs[j - 1][x - b] = factors[j][x];
            for (size_t x = b; x < e; ++x) ++reads[x];  // disjoint ranges: no race
          };
          Transcript t2("eq");
          const auto got = prove_with_eq_streamed<F>(comp, rho, fill, R, t2);
          ByteWriter wg;
          got.proof.serialize(wg);
          EXPECT_EQ(wg.data(), ww.data());
          EXPECT_EQ(got.claim, want.claim);
          EXPECT_EQ(got.point, want.point);
          EXPECT_EQ(got.final_evals, want.final_evals);
          EXPECT_EQ(t2.state(), t1.state());
          const size_t passes = n >= 1 ? std::min(R, n - 1) + 1 : 1;
          for (size_t x = 0; x < N; ++x) ASSERT_EQ(reads[x], passes) << "entry " << x;
          if (n >= 1 && comp.num_factors() == 5 && std::is_same_v<F, field::Fr>) {  // one changed entry is seen
            auto bad = factors;
            bad[3][N - 1] += F::one();
            const FactorFill<F> bad_fill = [&](size_t b, size_t e, F* const* outs) {
              for (size_t j = 1; j < bad.size(); ++j)
                for (size_t x = b; x < e; ++x) outs[j - 1][x - b] = bad[j][x];
            };
            Transcript t3("eq");
            const auto other = prove_with_eq_streamed<F>(comp, rho, bad_fill, R, t3);
            ByteWriter wb;
            other.proof.serialize(wb);
            EXPECT_NE(wb.data(), ww.data());
          }
        }
      }
    }
  }
}

// Over a toy field the whole sumcheck can be re-derived by hand: each round polynomial's values
// equal the brute-force partial sums with the earlier variables bound to the challenges.
TEST(SumcheckToy, RoundPolynomialsArePartialSums) {
  using F = field::F2p31m1;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const size_t n = 5;
  auto inst = instances<F>(rng, n)[3];  // the LogUp layer shape, degree 3
  Transcript tp("toy");
  auto res = prove(inst.comp, inst.factors, tp);
  const size_t d = inst.comp.degree();
  for (size_t i = 0; i < n; ++i) {
    for (size_t t = 0; t <= d; ++t) {
      // sum over x_{i+1..n-1} of g(r_0..r_{i-1}, t, x_{i+1}..), each factor evaluated as an MLE.
      F acc = F::zero();
      for (size_t rest = 0; rest < (size_t{1} << (n - i - 1)); ++rest) {
        std::vector<F> pt(res.point.begin(), res.point.begin() + i);
        pt.push_back(F::from_u64(t));
        for (size_t k = 0; k < n - i - 1; ++k) pt.push_back(F::from_u64((rest >> k) & 1));
        std::vector<F> vals;
        for (auto& f : inst.factors) vals.push_back(poly::evaluate_mle<F>(f, pt));
        acc += inst.comp.evaluate(vals);
      }
      if (t == 1) continue;  // p(1) is not sent (claim - p(0))
      EXPECT_EQ(res.proof.rounds[i].evals[t == 0 ? 0 : t - 1], acc) << "round " << i << " t=" << t;
    }
  }
}

class SumcheckFr : public ::testing::Test {
 protected:
  using F = field::Fr;
  void SetUp() override {
    TestRng rng(test_seed() + 2);
    inst_ = instances<F>(rng, kN)[0];  // eq*f*g
    claim_ = brute_force_sum(inst_->comp, inst_->factors);
    Transcript tp(kDomain);
    proof_ = prove(inst_->comp, inst_->factors, tp).proof;
  }
  Verdict check(const Proof<F>& p, const F& claim, std::string_view domain = kDomain) {
    Transcript tv(domain);
    return verify(inst_->comp, kN, claim, p, tv);
  }
  static constexpr size_t kN = 5;
  static constexpr std::string_view kDomain = "sumcheck-fr-test";
  std::optional<Instance<F>> inst_;
  F claim_;
  Proof<F> proof_;
};

TEST_F(SumcheckFr, LargeInstanceUsesParallelPathAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const size_t n = 14;
  for (auto& inst : instances<F>(rng, n)) {
    if (inst.name != "eq*f*g" && inst.name != "logup-layer") continue;
    SCOPED_TRACE(inst.name);
    const F want = brute_force_sum(inst.comp, inst.factors);
    Transcript tp("big");
    auto res = prove(inst.comp, inst.factors, tp);
    EXPECT_EQ(res.claim, want);
    for (size_t j = 0; j < inst.factors.size(); ++j)
      EXPECT_EQ(res.final_evals[j], poly::evaluate_mle<F>(inst.factors[j], res.point));
    Transcript tv("big");
    EXPECT_TRUE(verify(inst.comp, n, want, res.proof, tv).ok());
  }
}

TEST_F(SumcheckFr, HonestVerifies) {
  Verdict v = check(proof_, claim_);
  EXPECT_TRUE(v.ok()) << v.reason();
}

TEST_F(SumcheckFr, EveryRoundValueChangedIsRejected) {
  for (size_t i = 0; i < kN; ++i) {
    for (size_t t = 0; t < proof_.rounds[i].evals.size(); ++t) {
      Proof<F> bad = proof_;
      bad.rounds[i].evals[t] += F::one();
      Verdict v = check(bad, claim_);
      EXPECT_FALSE(v.ok()) << "round " << i << " value " << t;
      EXPECT_NE(v.reason().find("sumcheck: "), std::string::npos) << v.reason();
      // p(1) is derived from the claim, so any change surfaces at the final check.
    }
  }
}

TEST_F(SumcheckFr, ConsistentlyShiftedRoundIsRejected) {
  // Shift p(0) and p(2) together: the next round or the final check fails.
  for (size_t i = 0; i < kN; ++i) {
    Proof<F> bad = proof_;
    bad.rounds[i].evals[0] += F::one();
    bad.rounds[i].evals[1] -= F::one();
    Verdict v = check(bad, claim_);
    EXPECT_FALSE(v.ok()) << "round " << i;
  }
}

TEST_F(SumcheckFr, EveryFinalValueChangedIsRejected) {
  for (size_t j = 0; j < proof_.final_evals.size(); ++j) {
    Proof<F> bad = proof_;
    bad.final_evals[j] += F::one();
    Verdict v = check(bad, claim_);
    EXPECT_FALSE(v.ok()) << "final " << j;
    EXPECT_NE(v.reason().find("final evaluations"), std::string::npos) << v.reason();
  }
}

TEST_F(SumcheckFr, WrongClaimIsRejected) {
  Verdict v = check(proof_, claim_ + F::one());
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("final evaluations do not satisfy"), std::string::npos) << v.reason();
}

TEST_F(SumcheckFr, DivergingTranscriptIsRejected) {
  EXPECT_FALSE(check(proof_, claim_, "another-domain").ok());
  // Same domain but an extra absorption before the sumcheck.
  Transcript tv(kDomain);
  tv.absorb_u64("extra", 1);
  EXPECT_FALSE(verify(inst_->comp, kN, claim_, proof_, tv).ok());
}

TEST_F(SumcheckFr, WrongShapeIsRejectedNotCrashed) {
  {
    Proof<F> bad = proof_;
    bad.rounds.pop_back();
    EXPECT_FALSE(check(bad, claim_).ok());
  }
  {
    Proof<F> bad = proof_;
    bad.rounds[2].evals.push_back(F::zero());
    EXPECT_FALSE(check(bad, claim_).ok());
  }
  {
    Proof<F> bad = proof_;
    bad.rounds[1].evals.clear();
    EXPECT_FALSE(check(bad, claim_).ok());
  }
  {
    Proof<F> bad = proof_;
    bad.final_evals.pop_back();
    EXPECT_FALSE(check(bad, claim_).ok());
  }
  // The verifier's own idea of n differs from the proof's.
  Transcript tv(kDomain);
  EXPECT_FALSE(verify(inst_->comp, kN + 1, claim_, proof_, tv).ok());
}

TEST_F(SumcheckFr, SerializationRoundTripsAndBadBytesAreRejected) {
  const auto& comp = inst_->comp;
  ByteWriter w;
  proof_.serialize(w);
  auto bytes = w.take();
  ASSERT_EQ(bytes.size(), Proof<F>::serialized_size(kN, comp.degree(), comp.num_factors()));
  {
    ByteReader r(bytes, "proof");
    auto p = Proof<F>::deserialize(r, kN, comp.degree(), comp.num_factors());
    r.expect_end();
    EXPECT_TRUE(check(p, claim_).ok());
  }
  // Truncated.
  {
    ByteReader r(std::span<const uint8_t>(bytes).first(bytes.size() - 1), "proof");
    EXPECT_THROW(Proof<F>::deserialize(r, kN, comp.degree(), comp.num_factors()), DecodeError);
  }
  // A non-canonical field element (all 0xff is >= r).
  {
    auto b = bytes;
    for (size_t i = 0; i < F::kBytes; ++i) b[i] = 0xff;
    ByteReader r(b, "proof");
    EXPECT_THROW(Proof<F>::deserialize(r, kN, comp.degree(), comp.num_factors()), DecodeError);
  }
  // Every byte, flipped in one bit: a decode error or a rejection, never an acceptance.
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = bytes;
    b[i] ^= static_cast<uint8_t>(1u << (i % 8));
    try {
      ByteReader r(b, "proof");
      auto p = Proof<F>::deserialize(r, kN, comp.degree(), comp.num_factors());
      EXPECT_FALSE(check(p, claim_).ok()) << "byte " << i;
    } catch (const DecodeError&) {
    }
  }
}

}  // namespace
}  // namespace zkinfer::sumcheck
