// The optimal ate pairing (pairing.h): bilinearity, non-degeneracy, order r, multi-pairing checks.
#include "curve/pairing.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

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


// Differential: the prepared Miller loop (sparse line multiplications, lines computed once per G2
// point) against the reference loop, for 0 to 4 pairs with identities mixed in; the final
// exponentiation's addition chain with cyclotomic squarings against the generic powers.
TEST(Pairing, PreparedAndReferenceAgree) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (size_t n = 0; n <= 4; ++n) {
    std::vector<PairingInput> pairs;
    for (size_t i = 0; i < n; ++i) {
      G1Affine p = (G1::generator() * Fr::random(rng)).to_affine();
      G2Affine q = (G2::generator() * Fr::random(rng)).to_affine();
      if (n == 3 && i == 1) p = G1Affine::identity();
      if (n == 4 && i == 2) q = G2Affine::identity();
      pairs.push_back({p, q});
    }
    const Fq12 ref = miller_loop_reference(pairs);
    EXPECT_EQ(miller_loop(pairs), ref) << n;
    std::vector<G2Prepared> prep;
    prep.reserve(n);
    std::vector<PreparedInput> in;
    for (const auto& [p, q] : pairs) {
      prep.emplace_back(q);
      in.push_back({p, &prep.back()});
    }
    EXPECT_EQ(miller_loop_prepared(in), ref) << n;
    EXPECT_EQ(final_exponentiation(ref), final_exponentiation_reference(ref)) << n;
    EXPECT_EQ(pairing_check_prepared(in), pairing_check(pairs)) << n;
  }
  // The generators' pairing and any non-zero Fq12 element (not a Miller loop's output).
  EXPECT_EQ(pairing(G1Affine::generator(), G2Affine::generator()),
            final_exponentiation_reference(miller_loop_reference(
                std::array<PairingInput, 1>{PairingInput{G1Affine::generator(), G2Affine::generator()}})));
  for (int i = 0; i < 3; ++i) {
    std::array<Fq2, 6> a;
    for (auto& c : a) c = {Fq::random(rng), Fq::random(rng)};
    const Fq12 f = Fq12::from_coeffs(a);
    EXPECT_EQ(final_exponentiation(f), final_exponentiation_reference(f));
  }
  // A prepared check that must fail and one that must hold (the KZG shape).
  const Fr a = Fr::random(rng), b = Fr::random(rng);
  const G2Prepared qb((G2::generator() * b).to_affine()), g2(G2Affine::generator());
  const G1Affine pa = (G1::generator() * a).to_affine(), pab = (G1::generator() * (a * b)).to_affine();
  const PreparedInput good[2] = {{pa, &qb}, {-pab, &g2}};
  EXPECT_TRUE(pairing_check_prepared(good));
  const G1Affine pab1 = (G1::generator() * (a * b + Fr::one())).to_affine();
  const PreparedInput bad[2] = {{pa, &qb}, {-pab1, &g2}};
  EXPECT_FALSE(pairing_check_prepared(bad));
  const G2Prepared none;
  const PreparedInput with_identity[3] = {{pa, &qb}, {pab, &none}, {-pab, &g2}};
  EXPECT_TRUE(pairing_check_prepared(with_identity));
  EXPECT_TRUE(pairing_check_prepared({}));
}

// The cyclotomic squaring equals Fq12::square on the cyclotomic subgroup (the easy part's image),
// and differs elsewhere (the test can fail).
TEST(Pairing, CyclotomicSquare) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  for (int i = 0; i < 5; ++i) {
    std::array<Fq2, 6> c;
    for (auto& x : c) x = {Fq::random(rng), Fq::random(rng)};
    const Fq12 f = Fq12::from_coeffs(c);
    Fq12 m = f.conjugate() * f.inverse();
    m = m.frobenius(2) * m;
    EXPECT_EQ(cyclotomic_square(m), m.square());
    EXPECT_EQ(cyclotomic_square(cyclotomic_square(m)), m.square().square());
    EXPECT_NE(cyclotomic_square(f), f.square());
  }
  EXPECT_EQ(cyclotomic_square(Fq12::one()), Fq12::one());
}

}  // namespace
}  // namespace zkinfer::curve
