// The extension tower (tower.h) against schoolbook references written from the definitions.
#include "field/tower.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::field {
namespace {

using testing::seed_note;
using testing::test_seed;
using zkinfer::TestRng;

Fq2 rand2(TestRng& r) { return {Fq::random(r), Fq::random(r)}; }
Fq6 rand6(TestRng& r) { return {rand2(r), rand2(r), rand2(r)}; }
Fq12 rand12(TestRng& r) { return {rand6(r), rand6(r)}; }

// Schoolbook product in the w-basis (Fq12 = Fq2[w] / (w^6 - xi)), an independent reference.
Fq12 mul_ref(const Fq12& a, const Fq12& b) {
  std::array<Fq2, 11> t{};
  for (unsigned i = 0; i < 6; ++i)
    for (unsigned j = 0; j < 6; ++j) t[i + j] += Fq2{a.coeff(i).c0 * b.coeff(j).c0 - a.coeff(i).c1 * b.coeff(j).c1,
                                                       a.coeff(i).c0 * b.coeff(j).c1 + a.coeff(i).c1 * b.coeff(j).c0};
  std::array<Fq2, 6> r{};
  Fq2 xi{Fq::from_u64(9), Fq::one()};
  for (unsigned k = 0; k < 11; ++k) r[k % 6] += k >= 6 ? t[k] * xi : t[k];
  return Fq12::from_coeffs(r);
}

TEST(Tower, Fq2Arithmetic) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (int i = 0; i < 50; ++i) {
    Fq2 a = rand2(rng), b = rand2(rng);
    EXPECT_EQ((a * b).c0, a.c0 * b.c0 - a.c1 * b.c1);
    EXPECT_EQ((a * b).c1, a.c0 * b.c1 + a.c1 * b.c0);
    EXPECT_EQ(a.square(), a * a);
    EXPECT_EQ(a * a.inverse(), Fq2::one());
    EXPECT_EQ(a.mul_by_xi(), a * Fq2::xi());
    auto s = a.square().sqrt();
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->square(), a.square());
  }
  // About half of the elements are non-squares; a non-square has no root.
  int none = 0;
  for (int i = 0; i < 40; ++i) {
    Fq2 a = rand2(rng);
    auto s = a.sqrt();
    if (s) EXPECT_EQ(s->square(), a);
    else ++none;
  }
  EXPECT_GT(none, 5);
  EXPECT_LT(none, 35);
}

TEST(Tower, Fq6Arithmetic) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (int i = 0; i < 30; ++i) {
    Fq6 a = rand6(rng), b = rand6(rng), c = rand6(rng);
    // Schoolbook with v^3 = xi.
    Fq2 xi = Fq2::xi();
    Fq6 ref{a.c0 * b.c0 + (a.c1 * b.c2 + a.c2 * b.c1) * xi,
            a.c0 * b.c1 + a.c1 * b.c0 + a.c2 * b.c2 * xi,
            a.c0 * b.c2 + a.c1 * b.c1 + a.c2 * b.c0};
    EXPECT_EQ(a * b, ref);
    EXPECT_EQ((a * b) * c, a * (b * c));
    EXPECT_EQ(a * a.inverse(), Fq6::one());
    Fq6 v{Fq2::zero(), Fq2::one(), Fq2::zero()};
    EXPECT_EQ(a.mul_by_v(), a * v);
  }
}

TEST(Tower, Fq12Arithmetic) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (int i = 0; i < 20; ++i) {
    Fq12 a = rand12(rng), b = rand12(rng), c = rand12(rng);
    EXPECT_EQ(a * b, mul_ref(a, b));
    EXPECT_EQ(a * (b + c), a * b + a * c);
    EXPECT_EQ(a.square(), a * a);
    EXPECT_EQ(a * a.inverse(), Fq12::one());
  }
}

TEST(Tower, Frobenius) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  for (int i = 0; i < 3; ++i) {
    Fq12 a = rand12(rng);
    Fq12 f1 = a.pow(Fq::kModulus);  // a^q by square-and-multiply
    EXPECT_EQ(a.frobenius(1), f1);
    EXPECT_EQ(a.frobenius(2), f1.pow(Fq::kModulus));
    EXPECT_EQ(a.frobenius(3), a.frobenius(1).frobenius(1).frobenius(1));
    EXPECT_EQ(a.frobenius(6), a.conjugate());
    EXPECT_EQ(a.frobenius(12), a);
    EXPECT_NE(a.frobenius(1), a);
  }
}

}  // namespace
}  // namespace zkinfer::field
