// Differential tests of the Montgomery fields against GMP's schoolbook big integers, plus edge
// cases and exhaustive checks of the toy field.
#include <gmpxx.h>
#include <gtest/gtest.h>

#include "common/random.h"
#include "field/bn254.h"
#include "field/toy.h"
#include "test_seed.h"

namespace zkinfer::field {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

template <class F>
mpz_class to_mpz(const F& a) {
  mpz_class r = 0;
  auto c = a.to_canonical();
  for (size_t i = c.size(); i-- > 0;) {
    r <<= 64;
    r += mpz_class(std::to_string(c[i]));
  }
  return r;
}

template <class F>
mpz_class modulus() {
  mpz_class r = 0;
  for (size_t i = F::kModulus.size(); i-- > 0;) {
    r <<= 64;
    r += mpz_class(std::to_string(F::kModulus[i]));
  }
  return r;
}

template <class F>
F from_mpz(mpz_class v) {
  typename F::Repr c{};
  for (size_t i = 0; i < c.size(); ++i) {
    mpz_class limb = v & mpz_class("18446744073709551615");
    c[i] = std::stoull(limb.get_str());
    v >>= 64;
  }
  return F::from_canonical(c);
}

template <class F>
class MontFieldTest : public ::testing::Test {};
using Fields = ::testing::Types<Fr, Fq>;
TYPED_TEST_SUITE(MontFieldTest, Fields);

TYPED_TEST(MontFieldTest, ModulusMatchesDecimal) {
  using F = TypeParam;
  const char* want = std::string(F::kName) == "bn254.Fr"
                         ? "21888242871839275222246405745257275088548364400416034343698204186575808495617"
                         : "21888242871839275222246405745257275088696311157297823662689037894645226208583";
  EXPECT_EQ(modulus<F>(), mpz_class(want));
  EXPECT_EQ(F::kBits, 254u);
}

TYPED_TEST(MontFieldTest, ArithmeticMatchesGmp) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const mpz_class p = modulus<F>();
  for (int it = 0; it < 5000; ++it) {
    F a = F::random(rng), b = F::random(rng);
    mpz_class A = to_mpz(a), B = to_mpz(b);
    ASSERT_LT(A, p);
    ASSERT_EQ(to_mpz(a + b), mpz_class((A + B) % p));
    ASSERT_EQ(to_mpz(a - b), mpz_class(((A - B) % p + p) % p));
    ASSERT_EQ(to_mpz(a * b), mpz_class((A * B) % p));
    ASSERT_EQ(to_mpz(a.square()), mpz_class((A * A) % p));
    ASSERT_EQ(to_mpz(-a), mpz_class((p - A) % p));
    ASSERT_EQ(from_mpz<F>(A), a);
    if (it % 50 == 0) {
      mpz_class inv;
      mpz_invert(inv.get_mpz_t(), A.get_mpz_t(), p.get_mpz_t());
      ASSERT_EQ(to_mpz(a.inverse()), inv);
      mpz_class e = mpz_class(rng.next_u64());
      mpz_class pw;
      mpz_powm(pw.get_mpz_t(), A.get_mpz_t(), e.get_mpz_t(), p.get_mpz_t());
      ASSERT_EQ(to_mpz(a.pow(std::stoull(e.get_str()))), pw);
    }
  }
}

TYPED_TEST(MontFieldTest, EdgeCases) {
  using F = TypeParam;
  const mpz_class p = modulus<F>();
  const F zero = F::zero(), one = F::one();
  const F pm1 = from_mpz<F>(p - 1);
  EXPECT_TRUE(zero.is_zero());
  EXPECT_TRUE(one.is_one());
  EXPECT_EQ(pm1 + one, zero);
  EXPECT_EQ(zero - one, pm1);
  EXPECT_EQ(pm1 * pm1, one);
  EXPECT_EQ(-zero, zero);
  EXPECT_EQ(pm1.inverse(), pm1);
  EXPECT_EQ(zero.inverse(), zero);
  EXPECT_EQ(one.inverse(), one);
  // The largest products: (p-1)^2 and (p-1)*(p-2).
  const F pm2 = from_mpz<F>(p - 2);
  EXPECT_EQ(to_mpz(pm1 * pm2), mpz_class(((p - 1) * (p - 2)) % p));
  EXPECT_EQ(F::from_i64(-1), pm1);
  EXPECT_EQ(F::from_i64(INT64_MIN), -F::from_u64(uint64_t{1} << 63));
  EXPECT_EQ(F::from_i64(INT64_MAX), F::from_u64(INT64_MAX));
}

TYPED_TEST(MontFieldTest, SignedIntegers) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (int it = 0; it < 2000; ++it) {
    int64_t a = static_cast<int64_t>(rng.next_u64()) >> (rng.next_u64() % 63);
    int64_t b = static_cast<int64_t>(rng.next_u64()) >> 33;
    int64_t c = static_cast<int64_t>(rng.next_u64()) >> 33;
    ASSERT_EQ(F::from_i64(a).to_i64(), a);
    ASSERT_EQ(F::from_i64(b) * F::from_i64(c), F::from_i64(b * c));
    ASSERT_EQ(F::from_i64(b) - F::from_i64(c), F::from_i64(b - c));
  }
  EXPECT_EQ(F::from_i64(INT64_MIN + 1).to_i64(), INT64_MIN + 1);
  EXPECT_FALSE(from_mpz<F>(modulus<F>() / 2).to_i64().has_value());
}

TYPED_TEST(MontFieldTest, BytesRoundTripAndRejectNonCanonical) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (int it = 0; it < 1000; ++it) {
    F a = F::random(rng);
    auto b = a.to_bytes();
    auto back = F::from_bytes(b);
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(*back, a);
    // Little-endian: byte 0 is the low byte of the canonical value.
    ASSERT_EQ(mpz_class(b[0]), mpz_class(to_mpz(a) & 255));
  }
  const mpz_class p = modulus<F>();
  auto encode = [](mpz_class v) {
    std::array<uint8_t, 32> out{};
    for (int i = 0; i < 32; ++i) {
      out[i] = static_cast<uint8_t>(mpz_class(v & 255).get_ui());
      v >>= 8;
    }
    return out;
  };
  EXPECT_TRUE(F::from_bytes(encode(p - 1)).has_value());
  EXPECT_FALSE(F::from_bytes(encode(p)).has_value());
  EXPECT_FALSE(F::from_bytes(encode(p + 1)).has_value());
  EXPECT_FALSE(F::from_bytes(encode((mpz_class(1) << 256) - 1)).has_value());
  std::array<uint8_t, 31> short_input{};
  EXPECT_FALSE(F::from_bytes(short_input).has_value());
}

TYPED_TEST(MontFieldTest, UniformBytesIsWideReduction) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const mpz_class p = modulus<F>();
  for (int it = 0; it < 500; ++it) {
    std::array<uint8_t, 64> b;
    rng.fill(b);
    if (it == 0) b.fill(0xff);
    mpz_class v = 0;
    for (int i = 63; i >= 0; --i) v = v * 256 + b[i];
    ASSERT_EQ(to_mpz(F::from_uniform_bytes(b)), mpz_class(v % p));
  }
}

TYPED_TEST(MontFieldTest, BatchInverse) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  std::vector<F> xs;
  for (int i = 0; i < 100; ++i) xs.push_back(i % 17 == 3 ? F::zero() : F::random(rng));
  std::vector<F> inv = xs;
  F::batch_inverse(inv);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i].is_zero())
      EXPECT_TRUE(inv[i].is_zero());
    else
      EXPECT_EQ(inv[i] * xs[i], F::one());
  }
}

TEST(FqTest, SquareRoot) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  const mpz_class q = modulus<Fq>();
  int squares = 0;
  for (int it = 0; it < 300; ++it) {
    Fq a = Fq::random(rng);
    Fq a2 = a.square();
    auto r = a2.sqrt();
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(*r == a || *r == -a);
    auto s = a.sqrt();
    bool gmp_square = mpz_legendre(to_mpz(a).get_mpz_t(), q.get_mpz_t()) == 1;
    ASSERT_EQ(s.has_value(), gmp_square);
    ASSERT_EQ(a.is_square(), gmp_square);
    squares += gmp_square;
  }
  EXPECT_GT(squares, 100);
  EXPECT_LT(squares, 200);
  EXPECT_EQ(Fq::zero().sqrt(), Fq::zero());
}

TEST(ToyFieldTest, ExhaustiveF97) {
  for (uint32_t a = 0; a < 97; ++a) {
    F97 fa = F97::from_u64(a);
    if (a) {
      EXPECT_EQ((fa * fa.inverse()).value(), 1u);
    }
    for (uint32_t b = 0; b < 97; ++b) {
      F97 fb = F97::from_u64(b);
      ASSERT_EQ((fa + fb).value(), (a + b) % 97);
      ASSERT_EQ((fa - fb).value(), (a + 97 - b) % 97);
      ASSERT_EQ((fa * fb).value(), (a * b) % 97);
    }
  }
  EXPECT_EQ(F97::from_i64(-1).value(), 96u);
  EXPECT_EQ(F97::from_i64(-1).to_i64(), -1);
}

}  // namespace
}  // namespace zkinfer::field
