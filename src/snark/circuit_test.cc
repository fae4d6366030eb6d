#include "snark/circuit.h"

#include <gtest/gtest.h>

#include <random>

namespace zkinfer::snark {
namespace {

Fr rnd(std::mt19937_64& g) { return Fr::from_u64(g()) * Fr::from_u64(g()) + Fr::from_u64(g()); }

TEST(LinComb, NormalizeMergesAndDropsZeros) {
  LinComb lc;
  Var w0{VarKind::kWitness, 0}, p0{VarKind::kPublic, 0};
  lc.terms = {{w0, Fr::from_u64(2)}, {Var::one(), Fr::from_u64(5)}, {w0, Fr::from_i64(-2)}, {p0, Fr::from_u64(3)}};
  lc.normalize();
  ASSERT_EQ(lc.terms.size(), 2u);
  EXPECT_EQ(lc.terms[0].first, Var::one());
  EXPECT_EQ(lc.terms[1].first, p0);
  EXPECT_EQ(lc.constant_term(), Fr::from_u64(5));
  EXPECT_FALSE(lc.is_constant());
  LinComb d = lc - lc;
  EXPECT_TRUE(d.terms.empty());
  EXPECT_TRUE(d.is_constant());
}

// A random polynomial evaluated natively and in a circuit: the values agree, the constraint count
// is the number of products of two non-constant values, and changing any witness breaks it.
TEST(ConstraintSystem, ArithmeticMatchesNativeAndCountsProducts) {
  std::mt19937_64 g(7);
  ConstraintSystem cs;
  std::vector<Fr> xs;
  std::vector<Num> ns;
  for (int i = 0; i < 6; ++i) {
    xs.push_back(rnd(g));
    ns.push_back(i < 2 ? cs.public_input(xs.back()) : cs.witness(xs.back()));
  }
  Fr acc = Fr::one();
  Num nacc = Num(Fr::one());
  size_t products = 0;
  for (int round = 0; round < 20; ++round) {
    size_t i = g() % 6, j = g() % 6;
    Fr k = rnd(g);
    acc = acc * xs[i] + k * xs[j] - Fr::from_u64(3);
    Num t = cs.mul(nacc, ns[i]);
    if (!nacc.is_constant()) ++products;
    nacc = t + k * ns[j] - Num(Fr::from_u64(3));
  }
  EXPECT_EQ(nacc.value(), acc);
  EXPECT_EQ(cs.num_constraints(), products);
  Num inv = cs.inverse(nacc);
  EXPECT_EQ(inv.value() * acc, Fr::one());
  Num q = cs.div(ns[3], ns[4]);
  EXPECT_EQ(q.value() * xs[4], xs[3]);
  cs.assert_equal(cs.mul(q, ns[4]), ns[3]);
  EXPECT_EQ(cs.num_constraints(), products + 4);
  size_t bad = 0;
  EXPECT_TRUE(cs.is_satisfied(&bad));

  // Every witness matters to some constraint here: changing one breaks the system.
  for (size_t w = 0; w < cs.num_witness(); ++w) {
    ConstraintSystem copy = cs;
    auto z = copy.witness_values();
    ASSERT_LT(w, z.size());
    // Rebuild a copy with one changed witness value through new_witness order.
    ConstraintSystem changed;
    for (const Fr& p : cs.public_values()) changed.new_public(p);
    for (size_t u = 0; u < z.size(); ++u) changed.new_witness(u == w ? z[u] + Fr::one() : z[u]);
    for (const Constraint& c : cs.constraints()) changed.enforce(c.a, c.b, c.c);
    EXPECT_FALSE(changed.is_satisfied(&bad)) << "witness " << w;
  }
}

TEST(ConstraintSystem, ConstantsCostNothingAndFalseConstantsFail) {
  ConstraintSystem cs;
  Num a(Fr::from_u64(6)), b(Fr::from_u64(7));
  Num c = cs.mul(a, b);
  EXPECT_TRUE(c.is_constant());
  EXPECT_EQ(c.value(), Fr::from_u64(42));
  cs.assert_equal(c, Num(Fr::from_u64(42)));
  EXPECT_EQ(cs.num_constraints(), 0u);
  cs.assert_equal(c, Num(Fr::from_u64(41)));
  EXPECT_EQ(cs.num_constraints(), 1u);
  EXPECT_FALSE(cs.is_satisfied());
}

TEST(ConstraintSystem, BooleanAndInverseOfZero) {
  ConstraintSystem cs;
  Num t = cs.witness(Fr::one()), f = cs.witness(Fr::zero());
  cs.assert_boolean(t);
  cs.assert_boolean(f);
  EXPECT_TRUE(cs.is_satisfied());
  Num two = cs.witness(Fr::from_u64(2));
  cs.assert_boolean(two);
  size_t bad = 0;
  EXPECT_FALSE(cs.is_satisfied(&bad));
  EXPECT_EQ(bad, 2u);

  ConstraintSystem cz;
  cz.set_label("inverse of zero");
  (void)cz.inverse(cz.witness(Fr::zero()));
  EXPECT_FALSE(cz.is_satisfied(&bad));
  EXPECT_EQ(cz.which_label(bad), "inverse of zero");
}

TEST(ConstraintSystem, ColumnsFollowGroth16Layout) {
  ConstraintSystem cs;
  Var w = cs.new_witness(Fr::from_u64(1));
  Var p = cs.new_public(Fr::from_u64(2));
  Var q = cs.new_public(Fr::from_u64(3));
  EXPECT_EQ(cs.column(Var::one()), 0u);
  EXPECT_EQ(cs.column(p), 1u);
  EXPECT_EQ(cs.column(q), 2u);
  EXPECT_EQ(cs.column(w), 3u);
  auto z = cs.assignment();
  ASSERT_EQ(z.size(), 4u);
  EXPECT_EQ(z[0], Fr::one());
  EXPECT_EQ(z[1], Fr::from_u64(2));
  EXPECT_EQ(z[3], Fr::from_u64(1));
}

}  // namespace
}  // namespace zkinfer::snark
