// Tests of the GLV endomorphism and scalar split (curve/glv.h) and of the paths that use it:
// G1::mul, straus_glv and Pippenger over the GLV halves (msm with MsmOptions::Glv), each against
// plain double-and-add / msm_naive (G1::mul_limbs), on random scalars and on the edge cases:
// 0, 1, -1, (r +- 1) / 2, lambda and its neighbours, powers of two around 2^127, and scalars whose
// rounding in the split sits at a half-integer (the lattice boundaries), with repeated points,
// P beside phi(P), P beside -P and the identity among the bases.
#include "curve/glv.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using u128 = unsigned __int128;

// Plain double-and-add over the canonical bits: Jacobian additions only.
G1 double_and_add(const G1& p, const Fr& k) {
  const auto c = k.to_canonical();
  G1 acc, base = p;
  for (size_t i = 0; i < 256; ++i) {
    if (field::bit(c, i)) acc = acc + base;
    base = base + base;
  }
  return acc;
}

Fr from_u128(u128 v) { return Fr::from_canonical({static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64), 0, 0}); }
Fr pow2(size_t e) {
  field::Limbs<4> c{};
  c[e / 64] = uint64_t{1} << (e % 64);
  return Fr::from_canonical(c);
}

// The lattice basis of glv.cc, re-derived here: v1 = (a1, -b1m), v2 = (b1m, b2).
const u128 kA1 = (u128{0x6f4d8248eeb859fcULL} << 64) | 0x8211bbeb7d4f1128ULL;
const u128 kB1m = 0x89d3256894d213e3ULL;
const u128 kB2 = (u128{0x6f4d8248eeb859fdULL} << 64) | 0x0be4e1541221250bULL;

// Scalars where the split's rounding is hardest: k b2 / r or k b1m / r close to t + 1/2.
std::vector<Fr> boundary_scalars(TestRng& rng) {
  std::vector<Fr> out;
  // k = floor((2t + 1) r / (2 b)) + delta for random t < b and delta in {-2..2}: then k b / r is
  // within 2b / r of t + 1/2, where rounding flips. The quotient by long division.
  auto div_by = [](field::Limbs<8> num, u128 d) {
    // num / d for num < 2^512, d < 2^127: bitwise long division (slow, tests only).
    field::Limbs<4> q{};
    u128 rem = 0;
    for (size_t i = 512; i-- > 0;) {
      const bool top = (rem >> 127) != 0;
      rem = (rem << 1) | ((num[i / 64] >> (i % 64)) & 1);
      if (top || rem >= d) {
        rem -= d;
        if (i < 256) q[i / 64] |= uint64_t{1} << (i % 64);
      }
    }
    return q;
  };
  for (u128 b : {kB2, kB1m}) {
    for (int it = 0; it < 40; ++it) {
      const u128 t = ((u128{rng.next_u64()} << 64) | rng.next_u64()) % b;
      // (2t + 1) r as 512-bit.
      field::Limbs<8> num{};
      const u128 m = 2 * t + 1;
      const uint64_t ml[2] = {static_cast<uint64_t>(m), static_cast<uint64_t>(m >> 64)};
      for (size_t i = 0; i < 4; ++i) {
        uint64_t carry = 0;
        for (size_t j = 0; j < 2; ++j) num[i + j] = field::mac(num[i + j], Fr::kModulus[i], ml[j], carry);
        for (size_t j = i + 2; carry && j < 8; ++j) num[j] = field::adc(num[j], 0, carry);
      }
      const field::Limbs<4> q = div_by(num, 2 * b);
      if (!field::geq(Fr::kModulus, q)) continue;
      const Fr k = Fr::from_canonical(q);
      for (int d = -2; d <= 2; ++d) out.push_back(k + Fr::from_i64(d));
    }
  }
  return out;
}

std::vector<Fr> edge_scalars() {
  const Fr half = Fr::from_u64(2).inverse();  // (r + 1) / 2
  std::vector<Fr> e = {Fr::zero(), Fr::one(), -Fr::one(), Fr::from_u64(2), -Fr::from_u64(2), half, half - Fr::one(),
                       half + Fr::one(), kGlvLambda, -kGlvLambda, kGlvLambda + Fr::one(), kGlvLambda - Fr::one(),
                       kGlvLambda * kGlvLambda, from_u128(kA1), from_u128(kB2), from_u128(kB1m),
                       from_u128(kA1) + from_u128(kB1m), from_u128(kB2) + from_u128(kB1m), -from_u128(kB2)};
  for (size_t b : {63, 64, 126, 127, 128, 129, 192, 252, 253}) {
    e.push_back(pow2(b));
    e.push_back(pow2(b) - Fr::one());
    e.push_back(-pow2(b));
  }
  return e;
}

TEST(Glv, EndomorphismConstants) {
  SCOPED_TRACE(seed_note());
  EXPECT_EQ(kGlvBeta * kGlvBeta * kGlvBeta, Fq::one());
  EXPECT_NE(kGlvBeta, Fq::one());
  EXPECT_EQ(kGlvLambda * kGlvLambda * kGlvLambda, Fr::one());
  EXPECT_NE(kGlvLambda, Fr::one());
  // The lattice: a_i + b_i lambda = 0 (mod r) and a1 b2 + b1m^2 = r (the determinant).
  EXPECT_TRUE((from_u128(kA1) - from_u128(kB1m) * kGlvLambda).is_zero());
  EXPECT_TRUE((from_u128(kB1m) + from_u128(kB2) * kGlvLambda).is_zero());
  EXPECT_TRUE((from_u128(kA1) * from_u128(kB2) + from_u128(kB1m) * from_u128(kB1m)).is_zero());
  // phi(P) = lambda P on the generator and random points, and phi keeps points on the curve.
  TestRng rng(test_seed());
  std::vector<G1Affine> pts = {G1Affine::generator()};
  for (int i = 0; i < 5; ++i) pts.push_back(double_and_add(G1::generator(), Fr::random(rng)).to_affine());
  for (const auto& p : pts) {
    const G1Affine q = endo(p);
    EXPECT_TRUE(q.is_on_curve());
    EXPECT_EQ(G1(q), double_and_add(G1(p), kGlvLambda));
  }
  EXPECT_TRUE(endo(G1Affine::identity()).is_identity());
}

void expect_split(const Fr& k) {
  const GlvSplit s = glv_split(k);
  const u128 m1 = (u128{s.m1[1]} << 64) | s.m1[0], m2 = (u128{s.m2[1]} << 64) | s.m2[0];
  EXPECT_EQ(m1 >> 127, 0u) << k.to_hex();
  EXPECT_EQ(m2 >> 127, 0u) << k.to_hex();
  const Fr k1 = s.neg1 ? -from_u128(m1) : from_u128(m1), k2 = s.neg2 ? -from_u128(m2) : from_u128(m2);
  EXPECT_EQ(k1 + k2 * kGlvLambda, k) << k.to_hex();
}

TEST(Glv, SplitRecombinesAndIsShort) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (const Fr& k : edge_scalars()) expect_split(k);
  const auto bs = boundary_scalars(rng);
  EXPECT_GE(bs.size(), 300u);  // 2 x 40 values of t (a few may exceed r), 5 offsets each
  for (const Fr& k : bs) expect_split(k);
  for (int i = 0; i < 20000; ++i) expect_split(Fr::random(rng));
  // Small scalars split as (k, 0).
  for (uint64_t v : {0ULL, 1ULL, 2ULL, 12345ULL, ~0ULL}) {
    const GlvSplit s = glv_split(Fr::from_u64(v));
    EXPECT_EQ(s.m1[0], v);
    EXPECT_EQ(s.m1[1] | s.m2[0] | s.m2[1], 0u);
  }
}

TEST(Glv, ScalarMulMatchesDoubleAndAdd) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  std::vector<Fr> ks = edge_scalars();
  const auto b = boundary_scalars(rng);
  ks.insert(ks.end(), b.begin(), b.begin() + 30);
  for (int i = 0; i < 30; ++i) ks.push_back(Fr::random(rng));
  const G1 p = double_and_add(G1::generator(), Fr::random(rng));
  const G1 pj = p.doubled() + p;  // Z != 1
  for (const Fr& k : ks) {
    ASSERT_EQ(p * k, double_and_add(p, k)) << k.to_hex();
    ASSERT_EQ(pj * k, double_and_add(pj, k)) << k.to_hex();
    ASSERT_EQ(mul_glv(p, k), p.mul_limbs(k.to_canonical())) << k.to_hex();
  }
  EXPECT_TRUE((G1::identity() * Fr::random(rng)).is_identity());
  EXPECT_TRUE((p * Fr::zero()).is_identity());
  // r - 1 = -1.
  EXPECT_EQ(p * (-Fr::one()), -p);
}

const std::vector<G1Affine>& bases() {
  static const std::vector<G1Affine> b = derive_generators("zkinfer/glv-test", 1200);
  return b;
}

// Every MSM path with GLV forced on, off and automatic, against msm_naive.
void expect_msm(std::span<const G1Affine> b, std::span<const Fr> s, const std::string& what) {
  const G1 want = msm_naive(b, s);
  for (auto glv : {MsmOptions::Glv::kAuto, MsmOptions::Glv::kOn, MsmOptions::Glv::kOff}) {
    MsmOptions o;
    o.glv = glv;
    ASSERT_EQ(msm(b, s, o), want) << what << ", n = " << b.size() << ", glv = " << static_cast<int>(glv);
  }
  if (b.size() >= 2) {  // Pippenger forced over the GLV halves, several windows and bucket modes
    for (unsigned c : {3u, 7u, 12u})
      for (auto mode : {MsmOptions::Buckets::kJacobian, MsmOptions::Buckets::kBatchAffine}) {
        MsmOptions o;
        o.glv = MsmOptions::Glv::kOn;
        o.window_bits = c;
        o.buckets = mode;
        ASSERT_EQ(msm(b, s, o), want) << what << ", n = " << b.size() << ", c = " << c;
      }
  }
}

TEST(Glv, MsmMatchesNaive) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  for (size_t n : {1, 2, 3, 8, 35, 47, 48, 49, 64, 100, 129, 300, 615, 1200}) {
    std::vector<G1Affine> b(bases().begin(), bases().begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    expect_msm(b, s, "random");
  }
  // Edge scalars on distinct points; then the edge cases among the bases.
  std::vector<Fr> e = edge_scalars();
  const auto bs = boundary_scalars(rng);
  e.insert(e.end(), bs.begin(), bs.end());
  std::vector<G1Affine> b(bases().begin(), bases().begin() + static_cast<std::ptrdiff_t>(e.size()));
  expect_msm(b, e, "edge scalars");
  const std::vector<Fr> e40(e.begin(), e.begin() + 40);
  const std::vector<G1Affine> b40(b.begin(), b.begin() + 40);
  expect_msm(b40, e40, "edge scalars, straus");
  // Repeated points, P beside phi(P) and phi^2(P), P beside -P, identities.
  for (size_t n : {12, 40, 200}) {
    std::vector<G1Affine> pb(n);
    std::vector<Fr> ps(n);
    for (size_t i = 0; i < n; ++i) {
      const G1Affine& p = bases()[i / 4];
      switch (i % 4) {
        case 0: pb[i] = p; break;
        case 1: pb[i] = endo(p); break;
        case 2: pb[i] = -p; break;
        default: pb[i] = (i % 8 == 3) ? G1Affine::identity() : endo(endo(p)); break;
      }
      ps[i] = (i % 5 == 0) ? ps[i / 5 * 5] : Fr::random(rng);  // some equal scalars
    }
    expect_msm(pb, ps, "repeated / endomorphic / negated / identity bases");
    // k P + (-k) P cancels; k P - (k lambda^-1) phi(P) cancels.
    std::vector<G1Affine> cb = {bases()[0], bases()[0], endo(bases()[1]), bases()[1]};
    const Fr k = Fr::random(rng);
    std::vector<Fr> cs = {k, -k, k, -(k * kGlvLambda)};
    EXPECT_TRUE(msm(cb, cs).is_identity());
    MsmOptions o;
    o.glv = MsmOptions::Glv::kOn;
    o.window_bits = 5;
    EXPECT_TRUE(msm(cb, cs, o).is_identity());
    // The same point n times with the same scalar.
    std::vector<G1Affine> same(n, bases()[7]);
    std::vector<Fr> sk(n, k);
    expect_msm(same, sk, "one point repeated");
  }
}

}  // namespace
}  // namespace zkinfer::curve
