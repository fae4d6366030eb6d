#include "snark/cfr.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "common/error.h"
#include "poly/mle.h"
#include "poly/univariate.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::snark {
namespace {

Fr rnd(std::mt19937_64& g) { return Fr::from_u64(g()) * Fr::from_u64(g()) + Fr::from_u64(g()); }

std::vector<CFr> witnesses(const std::vector<Fr>& xs) {
  std::vector<CFr> out;
  for (const Fr& x : xs) out.push_back(CFr::witness(x));
  return out;
}

// Generic code (poly::eq_eval) run on circuit values computes the native value, and its system is
// satisfied; the number of constraints is the number of products of two variables it made.
TEST(CFr, EqEvalMatchesNative) {
  std::mt19937_64 g(1);
  for (size_t n : {1u, 4u, 9u}) {
    std::vector<Fr> r(n), s(n);
    for (size_t k = 0; k < n; ++k) r[k] = rnd(g), s[k] = rnd(g);
    ConstraintSystem cs;
    CircuitScope scope(cs);
    auto cr = witnesses(r), cs_ = witnesses(s);
    CFr e = poly::eq_eval<CFr>(cr, cs_);
    EXPECT_EQ(e.value(), poly::eq_eval<Fr>(r, s));
    // Per coordinate: r_k s_k, and acc *= (...) except the first (acc is the constant 1 then).
    EXPECT_EQ(cs.num_constraints(), 2 * n - 1);
    EXPECT_TRUE(cs.is_satisfied());
  }
}

TEST(CFr, ConstantsAreFreeAndNeedNoScope) {
  CFr a = CFr::from_u64(3), b = CFr::from_i64(-5);
  CFr c = a * b + a.inverse();
  EXPECT_TRUE(c.is_constant());
  EXPECT_EQ(c.value(), Fr::from_i64(-15) + Fr::from_u64(3).inverse());
  EXPECT_TRUE(a == CFr::from_u64(3));
  EXPECT_FALSE(a == b);
  EXPECT_EQ(a.to_i64(), std::optional<int64_t>(3));
  EXPECT_THROW((void)CFr::witness(Fr::one()), Error);
}

// The sumcheck round's interpolation (poly::LagrangeBasis) at a variable point.
TEST(CFr, LagrangeAtVariablePoint) {
  std::mt19937_64 g(2);
  for (size_t d : {1u, 3u, 5u}) {
    std::vector<Fr> evals(d + 1);
    for (auto& e : evals) e = rnd(g);
    Fr x = rnd(g);
    ConstraintSystem cs;
    CircuitScope scope(cs);
    auto ce = witnesses(evals);
    CFr cx = CFr::witness(x);
    CFr v = poly::LagrangeBasis<CFr>(d).evaluate(ce, cx);
    EXPECT_EQ(v.value(), poly::LagrangeBasis<Fr>(d).evaluate(evals, x));
    EXPECT_TRUE(cs.is_satisfied());
    const std::vector<CFr> coeffs = poly::lagrange_basis<CFr>(d).coefficients(cx);
    const std::vector<Fr> native = poly::lagrange_basis<Fr>(d).coefficients(x);
    ASSERT_EQ(coeffs.size(), native.size());
    for (size_t k = 0; k < coeffs.size(); ++k) EXPECT_EQ(coeffs[k].value(), native[k]);
    EXPECT_TRUE(cs.is_satisfied());
  }
}

// A composition's value at variable factor values, and the check a verifier makes on it.
TEST(CFr, CompositionCheckRecordsEquality) {
  std::mt19937_64 g(3);
  sumcheck::Composition<CFr> comp(3, {sumcheck::Term<CFr>{CFr::from_u64(2), {0, 1}},
                                      sumcheck::Term<CFr>{CFr::from_i64(-1), {2}},
                                      sumcheck::Term<CFr>{CFr::one(), {0, 1, 2}}});
  std::vector<Fr> vals = {rnd(g), rnd(g), rnd(g)};
  Fr want = Fr::from_u64(2) * vals[0] * vals[1] - vals[2] + vals[0] * vals[1] * vals[2];
  {
    ConstraintSystem cs;
    CircuitScope scope(cs);
    auto cv = witnesses(vals);
    CFr claim = CFr::witness(want);
    EXPECT_TRUE(comp.evaluate(cv) == claim);
    EXPECT_EQ(scope.false_equalities(), 0u);
    EXPECT_TRUE(cs.is_satisfied());
  }
  {
    ConstraintSystem cs;
    CircuitScope scope(cs);
    auto cv = witnesses(vals);
    CFr claim = CFr::witness(want + Fr::one());
    // A false equality keeps the circuit's shape (it reports "equal") and breaks the system.
    EXPECT_TRUE(comp.evaluate(cv) == claim);
    EXPECT_EQ(scope.false_equalities(), 1u);
    size_t bad = 0;
    EXPECT_FALSE(cs.is_satisfied(&bad));
    EXPECT_EQ(bad, cs.num_constraints() - 1);
  }
}

// is_zero's answer is constrained: the branch a verifier takes on it is part of the statement.
TEST(CFr, IsZeroConstrainsItsAnswer) {
  ConstraintSystem cs;
  CircuitScope scope(cs);
  CFr z = CFr::witness(Fr::zero()), nz = CFr::witness(Fr::from_u64(9));
  EXPECT_TRUE(z.is_zero());
  EXPECT_FALSE(nz.is_zero());
  EXPECT_EQ(cs.num_constraints(), 2u);
  EXPECT_TRUE(cs.is_satisfied());
  // The same constraints with the witnesses swapped are unsatisfied (both answers are enforced).
  ConstraintSystem swapped;
  swapped.new_witness(Fr::from_u64(9));
  swapped.new_witness(Fr::zero());
  for (size_t w = 2; w < cs.num_witness(); ++w) swapped.new_witness(cs.witness_values()[w]);
  for (const auto& c : cs.constraints()) swapped.enforce(c.a, c.b, c.c);
  EXPECT_FALSE(swapped.is_satisfied());
}

TEST(CFr, WhatACircuitCannotDoFailsLoudly) {
  ConstraintSystem cs;
  CircuitScope scope(cs);
  CFr x = CFr::witness(Fr::from_u64(4));
  EXPECT_THROW((void)x.to_bytes(), Error);
  EXPECT_THROW((void)x.to_i64(), Error);
  std::array<uint8_t, 64> bytes{};
  EXPECT_THROW((void)CFr::from_uniform_bytes(bytes), Error);
  // So generic verifier code that draws a challenge from the Keccak transcript stops with a clear
  // error instead of baking the challenge into the circuit as a constant.
  transcript::Transcript tr("cfr-test");
  EXPECT_THROW((void)tr.challenge<CFr>("r"), Error);
}

}  // namespace
}  // namespace zkinfer::snark
