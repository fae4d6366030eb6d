// G2 (g2.h): group laws, scalar multiplication, subgroup check and the three encodings.
#include "curve/g2.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using testing::seed_note;
using testing::test_seed;
using zkinfer::TestRng;

G2 random_point(TestRng& rng) { return G2::generator() * Fr::random(rng); }

// A point on the twist found from random x (almost surely outside the order-r subgroup: the
// twist has order r * (2q - r)).
G2Affine random_twist_point(TestRng& rng) {
  for (;;) {
    Fq2 x{Fq::random(rng), Fq::random(rng)};
    if (auto y = (x.square() * x + twist_b()).sqrt()) return G2Affine::from_xy(x, *y);
  }
}

TEST(G2, GeneratorIsInTheSubgroup) {
  G2Affine g = G2Affine::generator();
  EXPECT_TRUE(g.is_on_curve());
  EXPECT_TRUE(g.is_in_subgroup());
  EXPECT_TRUE((G2::generator() * Fr::zero()).is_identity());
  // r * G = O but (r - 1) * G = -G.
  EXPECT_EQ(G2::generator() * (-Fr::one()), -G2::generator());
}

TEST(G2, GroupLaws) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (int i = 0; i < 10; ++i) {
    G2 a = random_point(rng), b = random_point(rng), c = random_point(rng);
    EXPECT_TRUE(a.is_on_curve());
    EXPECT_EQ(a + b, b + a);
    EXPECT_EQ((a + b) + c, a + (b + c));
    EXPECT_EQ(a + a, a.doubled());
    EXPECT_TRUE((a - a).is_identity());
    EXPECT_EQ(a + G2::identity(), a);
    Fr k = Fr::random(rng), l = Fr::random(rng);
    EXPECT_EQ(a * k + a * l, a * (k + l));
    EXPECT_EQ((a * k) * l, a * (k * l));
    EXPECT_EQ(G2::generator() * Fr::from_u64(5), G2::generator().doubled().doubled() + G2::generator());
    EXPECT_TRUE(a.to_affine().is_in_subgroup());
  }
}

TEST(G2, SubgroupCheckRejectsTwistPoints) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (int i = 0; i < 5; ++i) {
    G2Affine p = random_twist_point(rng);
    EXPECT_TRUE(p.is_on_curve());
    EXPECT_FALSE(p.is_in_subgroup());
    // Every decoder refuses it.
    EXPECT_FALSE(G2Affine::from_bytes(p.to_bytes()).has_value());
    EXPECT_FALSE(G2Affine::from_bytes_uncompressed(p.to_bytes_uncompressed()).has_value());
    EXPECT_FALSE(G2Affine::from_evm_bytes(p.to_evm_bytes()).has_value());
  }
  // Not on the curve: y changed.
  G2Affine g = G2Affine::generator();
  g.y = g.y + Fq2::one();
  EXPECT_FALSE(g.is_on_curve());
  EXPECT_FALSE(g.is_in_subgroup());
  EXPECT_FALSE(G2Affine::from_bytes_uncompressed(g.to_bytes_uncompressed()).has_value());
}

TEST(G2, EncodingsRoundTrip) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  std::vector<G2Affine> pts = {G2Affine::identity(), G2Affine::generator(), -G2Affine::generator()};
  for (int i = 0; i < 8; ++i) pts.push_back(random_point(rng).to_affine());
  for (const auto& p : pts) {
    auto c = G2Affine::from_bytes(p.to_bytes());
    ASSERT_TRUE(c.has_value()) << p.to_string();
    EXPECT_EQ(*c, p);
    auto u = G2Affine::from_bytes_uncompressed(p.to_bytes_uncompressed());
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(*u, p);
    auto e = G2Affine::from_evm_bytes(p.to_evm_bytes());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(*e, p);
  }
  // P and -P differ only in the sign flag.
  G2Affine g = G2Affine::generator();
  auto a = g.to_bytes(), b = (-g).to_bytes();
  EXPECT_EQ(a[63] ^ b[63], 0x80);
}

TEST(G2, DecodersRejectMalformedInput) {
  G2Affine g = G2Affine::generator();
  auto c = g.to_bytes();
  EXPECT_FALSE(G2Affine::from_bytes(std::span<const uint8_t>(c.data(), 63)).has_value());
  auto bad = c;
  bad[63] |= 0x40;  // identity flag on a point
  EXPECT_FALSE(G2Affine::from_bytes(bad).has_value());
  std::array<uint8_t, 64> big{};
  for (auto& x : big) x = 0xff;
  big[63] = 0x3f;  // x.c1 >= q
  EXPECT_FALSE(G2Affine::from_bytes(big).has_value());
  auto id = G2Affine::identity().to_bytes();
  id[0] = 1;
  EXPECT_FALSE(G2Affine::from_bytes(id).has_value());
  // EVM: a word >= q.
  auto e = g.to_evm_bytes();
  for (int i = 0; i < 32; ++i) e[i] = 0xff;
  EXPECT_FALSE(G2Affine::from_evm_bytes(e).has_value());
  // The EVM encoding puts x.c1 first (EIP-197): the generator's first word is
  // 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2.
  auto ev = g.to_evm_bytes();
  EXPECT_EQ(ev[0], 0x19);
  EXPECT_EQ(ev[1], 0x8e);
  EXPECT_EQ(ev[31], 0xc2);
  EXPECT_EQ(ev[32], 0x18);  // x.c0 = 0x1800deef...
  EXPECT_EQ(ev[33], 0x00);
  EXPECT_EQ(ev[34], 0xde);
}

}  // namespace
}  // namespace zkinfer::curve
