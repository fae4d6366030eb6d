// Tests of BN254 G1 (curve/g1.h): group laws, known multiples, scalar multiplication against a
// bit-by-bit double-and-add reference, projective equality, affine conversion and the strict
// compressed encoding.
#include "curve/g1.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

// Reference scalar multiplication: plain double-and-add over the canonical bits, using only
// Jacobian addition (no doubling formula, no windows).
G1 reference_mul(const G1& p, const Fr& k) {
  auto c = k.to_canonical();
  G1 acc, base = p;
  for (size_t i = 0; i < 256; ++i) {
    if (field::bit(c, i)) acc = acc + base;
    base = base + base;
  }
  return acc;
}

G1 random_point(TestRng& rng) { return G1::generator() * Fr::random(rng); }

Fq fq_from_hex(const char* s) {
  // 64 hex digits, big endian.
  field::Limbs<4> c{};
  for (size_t i = 0; i < 64; ++i) {
    char ch = s[i];
    uint64_t d = ch <= '9' ? ch - '0' : ch - 'a' + 10;
    size_t bitpos = 4 * (63 - i);
    c[bitpos / 64] |= d << (bitpos % 64);
  }
  return Fq::from_canonical(c);
}

TEST(G1Test, GeneratorAndIdentity) {
  EXPECT_TRUE(G1Affine::generator().is_on_curve());
  EXPECT_TRUE(G1::generator().is_on_curve());
  EXPECT_TRUE(G1::identity().is_identity());
  EXPECT_TRUE(G1Affine::identity().is_on_curve());
  EXPECT_EQ(G1::identity().to_affine(), G1Affine::identity());
  EXPECT_EQ(G1::generator().to_affine(), G1Affine::generator());
  EXPECT_FALSE((G1Affine{Fq::from_u64(1), Fq::from_u64(3), false}).is_on_curve());
  EXPECT_TRUE(G1Affine{}.is_identity());
  EXPECT_TRUE(G1{}.is_identity());
}

TEST(G1Test, KnownMultiples) {
  const G1 g = G1::generator();
  // 2G from EIP-196's test vectors (alt_bn128 ADD of G with itself).
  G1Affine two_g{fq_from_hex("030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"),
                 fq_from_hex("15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"), false};
  EXPECT_TRUE(two_g.is_on_curve());
  EXPECT_EQ(g.doubled().to_affine(), two_g);
  EXPECT_EQ((g * int64_t{2}).to_affine(), two_g);
  // r G = identity, (r - 1) G = -G, (r + 1) G = G via raw limbs.
  EXPECT_TRUE(g.mul_limbs(Fr::kModulus).is_identity());
  EXPECT_EQ(g * Fr::from_i64(-1), -g);
  EXPECT_EQ(g * Fr::zero(), G1::identity());
  EXPECT_EQ(g * Fr::one(), g);
  auto r_plus_1 = Fr::kModulus;
  r_plus_1[0] += 1;
  EXPECT_EQ(g.mul_limbs(r_plus_1), g);
  // Small multiples by repeated addition, both signs.
  G1 acc;
  for (int64_t k = 0; k <= 40; ++k) {
    EXPECT_EQ(g * k, acc) << k;
    EXPECT_EQ(g * Fr::from_u64(static_cast<uint64_t>(k)), acc) << k;
    EXPECT_EQ(g * (-k), -acc) << k;
    EXPECT_TRUE((g * k).is_on_curve());
    acc += g;
  }
  // INT64_MIN is handled (no overflow in |k|).
  EXPECT_EQ(g * INT64_MIN, g * Fr::from_i64(INT64_MIN));
  EXPECT_EQ(g * INT64_MAX, g * Fr::from_i64(INT64_MAX));
}

TEST(G1Test, GroupLaws) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (int it = 0; it < 50; ++it) {
    G1 a = random_point(rng), b = random_point(rng), c = random_point(rng);
    ASSERT_TRUE(a.is_on_curve());
    EXPECT_EQ((a + b) + c, a + (b + c));
    EXPECT_EQ(a + b, b + a);
    EXPECT_EQ(a + G1::identity(), a);
    EXPECT_EQ(G1::identity() + a, a);
    EXPECT_TRUE((a + (-a)).is_identity());
    EXPECT_TRUE((a - a).is_identity());
    EXPECT_EQ(a.doubled(), a + a);  // Jacobian addition falls back to doubling
    EXPECT_EQ((a + b) - b, a);
    EXPECT_TRUE((a + b).is_on_curve());
    EXPECT_TRUE(a.doubled().is_on_curve());
    // Mixed addition agrees with Jacobian addition, including the special cases.
    G1Affine ba = b.to_affine(), aa = a.to_affine();
    EXPECT_EQ(a + ba, a + b);
    EXPECT_EQ(a + aa, a.doubled());
    EXPECT_TRUE((a + (-aa)).is_identity());
    EXPECT_EQ(G1::identity() + ba, b);
    EXPECT_EQ(a + G1Affine::identity(), a);
    EXPECT_EQ(ba + a, a + b);
    // A point with Z != 1 added to its own affine form.
    G1 a2 = a.doubled();
    EXPECT_EQ(a2 + a2.to_affine(), a2.doubled());
    EXPECT_EQ(a2 - a2.to_affine(), G1::identity());
  }
  EXPECT_TRUE(G1::identity().doubled().is_identity());
  EXPECT_TRUE((-G1::identity()).is_identity());
}

TEST(G1Test, ScalarMultiplicationMatchesReference) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (int it = 0; it < 20; ++it) {
    G1 p = random_point(rng);
    Fr k = Fr::random(rng), l = Fr::random(rng);
    EXPECT_EQ(p * k, reference_mul(p, k));
    // Homomorphisms: (k + l) P = kP + lP, (k l) P = k (l P).
    EXPECT_EQ(p * (k + l), p * k + p * l);
    EXPECT_EQ(p * (k * l), (p * l) * k);
    int64_t s = static_cast<int64_t>(rng.next_u64());
    EXPECT_EQ(p * s, p * Fr::from_i64(s));
  }
}

TEST(G1Test, ProjectiveEquality) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (int it = 0; it < 20; ++it) {
    G1 p = random_point(rng);
    Fq l = Fq::random(rng);
    if (l.is_zero()) continue;
    G1 q = G1::from_jacobian(p.x() * l.square(), p.y() * l.square() * l, p.z() * l);
    EXPECT_EQ(p, q);
    EXPECT_TRUE(q.is_on_curve());
    EXPECT_EQ(p.to_affine(), q.to_affine());
    G1 off = G1::from_jacobian(p.x() * l.square(), p.y() * l.square(), p.z() * l);
    if (!l.is_one() && l != -Fq::one()) {
      EXPECT_NE(p, off);
    }
    EXPECT_NE(p, G1::identity());
    EXPECT_NE(p, -p);
  }
}

TEST(G1Test, BatchToAffine) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  for (size_t n : {0, 1, 2, 5, 100, 5000}) {
    std::vector<G1> ps(n);
    G1 cur = random_point(rng);
    for (size_t i = 0; i < n; ++i) {
      ps[i] = (i % 7 == 3) ? G1::identity() : cur;
      cur = cur.doubled() + G1::generator();  // cheap, Z != 1
    }
    std::vector<G1Affine> out(n);
    G1::batch_to_affine(ps, out);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(out[i], ps[i].to_affine()) << i;
      ASSERT_TRUE(out[i].is_on_curve());
    }
  }
}

// sqrt_candidate (sliding windows) against the plain power a^((q + 1) / 4): squares and
// non-squares, zero, one, and the square roots it gives square back for squares.
TEST(G1Test, SqrtCandidateMatchesPower) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  field::Limbs<4> e = Fq::kModulus;
  field::add_in_place(e, field::Limbs<4>{1, 0, 0, 0});
  for (size_t i = 0; i < 4; ++i) e[i] = (e[i] >> 2) | (i + 1 < 4 ? e[i + 1] << 62 : 0);
  std::vector<Fq> xs = {Fq::zero(), Fq::one(), -Fq::one(), Fq::from_u64(3)};
  for (int k = 0; k < 200; ++k) xs.push_back(Fq::random(rng));
  size_t squares = 0;
  for (const Fq& a : xs) {
    ASSERT_EQ(sqrt_candidate(a), a.pow(e)) << a.to_hex();
    const Fq sq = a.square();
    ASSERT_EQ(sqrt_candidate(sq).square(), sq) << a.to_hex();
    squares += sqrt_candidate(a).square() == a;
  }
  EXPECT_GT(squares, 50u);  // about half of the random ones
  EXPECT_LT(squares, 160u);
}

TEST(G1Encoding, RoundTrip) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  std::vector<G1Affine> pts = {G1Affine::identity(), G1Affine::generator(), -G1Affine::generator()};
  for (int i = 0; i < 50; ++i) pts.push_back(random_point(rng).to_affine());
  bool saw_odd = false, saw_even = false;
  for (const auto& p : pts) {
    auto b = p.to_bytes();
    auto q = G1Affine::from_bytes(b);
    ASSERT_TRUE(q.has_value()) << p.to_string();
    EXPECT_EQ(*q, p);
    EXPECT_EQ(G1(p).to_bytes(), b);
    if (!p.infinity) (b[31] & 0x80 ? saw_odd : saw_even) = true;
  }
  EXPECT_TRUE(saw_odd && saw_even);
  // The identity is all zero except bit 254; the generator is x = 1 with y = 2 even.
  std::array<uint8_t, 32> inf{};
  inf[31] = 0x40;
  EXPECT_EQ(G1Affine::identity().to_bytes(), inf);
  std::array<uint8_t, 32> gen{};
  gen[0] = 1;
  EXPECT_EQ(G1Affine::generator().to_bytes(), gen);
  gen[31] = 0x80;
  EXPECT_EQ(*G1Affine::from_bytes(gen), -G1Affine::generator());
}

TEST(G1Encoding, RejectsMalformed) {
  auto enc = G1Affine::generator().to_bytes();
  // Wrong lengths.
  EXPECT_FALSE(G1Affine::from_bytes(std::span<const uint8_t>(enc.data(), 31)));
  std::vector<uint8_t> longer(enc.begin(), enc.end());
  longer.push_back(0);
  EXPECT_FALSE(G1Affine::from_bytes(longer));
  EXPECT_FALSE(G1Affine::from_bytes(std::span<const uint8_t>()));
  // Identity flag with the odd flag, or with any other bit.
  std::array<uint8_t, 32> inf{};
  inf[31] = 0xc0;
  EXPECT_FALSE(G1Affine::from_bytes(inf));
  for (size_t byte = 0; byte < 32; ++byte) {
    for (int bitn = 0; bitn < 8; ++bitn) {
      if (byte == 31 && bitn == 6) continue;
      std::array<uint8_t, 32> b{};
      b[31] = 0x40;
      b[byte] |= static_cast<uint8_t>(1 << bitn);
      EXPECT_FALSE(G1Affine::from_bytes(b)) << byte << " " << bitn;
    }
  }
  // x = q and x = q + 1 (non-canonical; q + 1 would alias 1, the generator's x).
  std::array<uint8_t, 32> xq{};
  for (size_t i = 0; i < 32; ++i) xq[i] = static_cast<uint8_t>(Fq::kModulus[i / 8] >> (8 * (i % 8)));
  EXPECT_FALSE(G1Affine::from_bytes(xq));
  auto xq1 = xq;
  xq1[0] += 1;
  EXPECT_FALSE(G1Affine::from_bytes(xq1));
  xq1[31] |= 0x80;
  EXPECT_FALSE(G1Affine::from_bytes(xq1));
  // All ones below the flags: x = 2^254 - 1 > q.
  std::array<uint8_t, 32> ones;
  ones.fill(0xff);
  ones[31] = 0x3f;
  EXPECT_FALSE(G1Affine::from_bytes(ones));
  // An x with no point: find the smallest such x; both parity flags are rejected.
  uint64_t bad = 0;
  for (uint64_t x = 1;; ++x) {
    Fq fx = Fq::from_u64(x);
    if (!(fx.square() * fx + kCurveB).sqrt()) {
      bad = x;
      break;
    }
  }
  std::array<uint8_t, 32> off{};
  off[0] = static_cast<uint8_t>(bad);
  EXPECT_FALSE(G1Affine::from_bytes(off));
  off[31] = 0x80;
  EXPECT_FALSE(G1Affine::from_bytes(off));
}

// Every accepted encoding re-encodes to itself: each point has exactly one encoding.
TEST(G1Encoding, RandomBytesDecodeCanonically) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  int accepted = 0;
  for (int it = 0; it < 3000; ++it) {
    std::array<uint8_t, 32> b;
    rng.fill(b);
    if (it % 2) b[31] &= 0xb0;  // mostly x < q with random flags
    auto p = G1Affine::from_bytes(b);
    if (!p) continue;
    ++accepted;
    EXPECT_TRUE(p->is_on_curve());
    EXPECT_EQ(p->to_bytes(), b);
  }
  EXPECT_GT(accepted, 300);  // about half of the x < q half decode
}

}  // namespace
}  // namespace zkinfer::curve
