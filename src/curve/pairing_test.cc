// The optimal ate pairing (pairing.h): bilinearity, non-degeneracy, order r, multi-pairing checks.
#include "curve/pairing.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using testing::seed_note;
using testing::test_seed;
using zkinfer::TestRng;

TEST(Pairing, NonDegenerateAndOfOrderR) {
  Fq12 e = pairing(G1Affine::generator(), G2Affine::generator());
  EXPECT_FALSE(e.is_one());
  EXPECT_TRUE(e.pow(field::FrParams::kModulus).is_one());
  EXPECT_TRUE(pairing(G1Affine::identity(), G2Affine::generator()).is_one());
  EXPECT_TRUE(pairing(G1Affine::generator(), G2Affine::identity()).is_one());
}

TEST(Pairing, Bilinear) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Fq12 e = pairing(G1Affine::generator(), G2Affine::generator());
  for (int i = 0; i < 3; ++i) {
    Fr a = Fr::random(rng), b = Fr::random(rng);
    G1Affine p = (G1::generator() * a).to_affine();
    G2Affine q = (G2::generator() * b).to_affine();
    Fq12 eab = pairing(p, q);
    EXPECT_EQ(eab, e.pow((a * b).to_canonical()));
    EXPECT_EQ(pairing((G1::generator() * (a * b)).to_affine(), G2Affine::generator()), eab);
    EXPECT_EQ(pairing(G1Affine::generator(), (G2::generator() * (a * b)).to_affine()), eab);
  }
  // e(P1 + P2, Q) = e(P1, Q) e(P2, Q).
  G1 p1 = G1::generator() * Fr::random(rng), p2 = G1::generator() * Fr::random(rng);
  G2Affine q = (G2::generator() * Fr::random(rng)).to_affine();
  EXPECT_EQ(pairing((p1 + p2).to_affine(), q), pairing(p1.to_affine(), q) * pairing(p2.to_affine(), q));
}

TEST(Pairing, Check) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  Fr a = Fr::random(rng), b = Fr::random(rng);
  G1Affine pa = (G1::generator() * a).to_affine();
  G2Affine qb = (G2::generator() * b).to_affine();
  G1Affine pab = (G1::generator() * (a * b)).to_affine();
  // e(aP, bQ) e(-abP, Q) = 1, the shape of a KZG verification.
  PairingInput good[2] = {{pa, qb}, {-pab, G2Affine::generator()}};
  EXPECT_TRUE(pairing_check(good));
  PairingInput bad[2] = {{pa, qb}, {-(G1::generator() * (a * b + Fr::one())).to_affine(), G2Affine::generator()}};
  EXPECT_FALSE(pairing_check(bad));
  PairingInput one[1] = {{pa, qb}};
  EXPECT_FALSE(pairing_check(one));
  EXPECT_TRUE(pairing_check({}));
  PairingInput with_identity[3] = {{pa, qb}, {G1Affine::identity(), qb}, {-pab, G2Affine::generator()}};
  EXPECT_TRUE(pairing_check(with_identity));
  // A point off the curve is refused.
  G1Affine off = pa;
  off.y = off.y + Fq::one();
  PairingInput off_curve[2] = {{off, qb}, {-pab, G2Affine::generator()}};
  EXPECT_FALSE(pairing_check(off_curve));
  // Product of multi-pairing equals the product of pairings.
  EXPECT_EQ(final_exponentiation(miller_loop(good)), pairing(pa, qb) * pairing(-pab, G2Affine::generator()));
}

}  // namespace
}  // namespace zkinfer::curve
