// Tests of poly/: MLE evaluation, fixing variables, eq tables and Lagrange interpolation, each
// against a naive reference (sum over the hypercube of f[x] eq(r, x); Horner on coefficients),
// over the toy fields (exhaustively where small) and over Fr.
#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "field/toy.h"
#include "poly/mle.h"
#include "poly/univariate.h"
#include "test_seed.h"

namespace zkinfer::poly {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

template <class F>
std::vector<F> random_vec(TestRng& rng, size_t n) {
  std::vector<F> v(n);
  for (auto& x : v) x = F::random(rng);
  return v;
}

// The hypercube point of index x as field elements (bit k -> variable k).
template <class F>
std::vector<F> bits_of(size_t x, size_t n) {
  std::vector<F> p(n);
  for (size_t k = 0; k < n; ++k) p[k] = F::from_u64((x >> k) & 1);
  return p;
}

// Naive eq(r, x) for Boolean x, straight from the definition.
template <class F>
F naive_eq(std::span<const F> r, size_t x) {
  F acc = F::one();
  for (size_t k = 0; k < r.size(); ++k) acc *= ((x >> k) & 1) ? r[k] : F::one() - r[k];
  return acc;
}

template <class F>
F naive_eval(std::span<const F> table, std::span<const F> r) {
  F acc = F::zero();
  for (size_t x = 0; x < table.size(); ++x) acc += table[x] * naive_eq<F>(r, x);
  return acc;
}

template <class F>
class PolyTest : public ::testing::Test {};
using Fields = ::testing::Types<field::F97, field::F2p31m1, field::Fr>;
TYPED_TEST_SUITE(PolyTest, Fields);

TYPED_TEST(PolyTest, EvaluateMatchesNaiveSum) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n = 0; n <= 9; ++n) {
    Mle<F> f(random_vec<F>(rng, size_t{1} << n));
    auto r = random_vec<F>(rng, n);
    EXPECT_EQ(f.evaluate(r), naive_eval<F>(f.evals(), r)) << "n=" << n;
    // On the hypercube the MLE returns the table entry.
    for (size_t x = 0; x < f.size(); x += 7) EXPECT_EQ(f.evaluate(bits_of<F>(x, n)), f[x]);
  }
}

TYPED_TEST(PolyTest, EvaluateIsMultilinear) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const size_t n = 6;
  Mle<F> f(random_vec<F>(rng, size_t{1} << n));
  auto r = random_vec<F>(rng, n);
  for (size_t k = 0; k < n; ++k) {
    // t -> f(r with r_k = t) is affine: f(2) - f(1) == f(1) - f(0).
    F v[3];
    for (int t = 0; t < 3; ++t) {
      auto s = r;
      s[k] = F::from_u64(t);
      v[t] = f.evaluate(s);
    }
    EXPECT_EQ(v[2] - v[1], v[1] - v[0]) << "k=" << k;
  }
}

TYPED_TEST(PolyTest, ZeroPaddedEvaluation) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (size_t len : {1, 2, 3, 5, 7, 8, 13, 31, 33}) {
    const size_t n = 6;
    auto t = random_vec<F>(rng, len);
    auto padded = t;
    padded.resize(size_t{1} << n, F::zero());
    auto r = random_vec<F>(rng, n);
    EXPECT_EQ(evaluate_mle<F>(t, r), naive_eval<F>(padded, r)) << "len=" << len;
  }
}

TYPED_TEST(PolyTest, FixFirstVariableSerialAndParallel) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  // n = 14 makes the first folds go through the parallel path (half >= kParallelThreshold).
  for (size_t n : {1, 3, 8, 14}) {
    Mle<F> f(random_vec<F>(rng, size_t{1} << n));
    auto r = random_vec<F>(rng, n);
    const F want = f.evaluate(r);
    Mle<F> g = f;
    for (size_t k = 0; k < n; ++k) {
      g.fix_first_variable(r[k]);
      ASSERT_EQ(g.num_vars(), n - k - 1);
      // The folded table is the MLE restricted to x_0..x_k = r_0..r_k.
      if (k + 1 < n && n <= 8) {
        EXPECT_EQ(g.evaluate(std::span<const F>(r).subspan(k + 1)), want);
      }
    }
    EXPECT_EQ(g[0], want) << "n=" << n;
  }
}

TYPED_TEST(PolyTest, EqTableAndEqEval) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  for (size_t n : {0, 1, 2, 5, 13}) {
    auto r = random_vec<F>(rng, n);
    const F scale = F::random(rng);
    auto t = eq_table<F>(r, scale);
    ASSERT_EQ(t.size(), size_t{1} << n);
    for (size_t x = 0; x < t.size(); x += (n > 8 ? 97 : 1)) {
      EXPECT_EQ(t[x], scale * naive_eq<F>(r, x)) << "n=" << n << " x=" << x;
      EXPECT_EQ(eq_eval<F>(r, bits_of<F>(x, n)), naive_eq<F>(r, x));
    }
    // eq(r, s) at two random points equals the MLE of eq(r, .) at s, and is symmetric.
    auto s = random_vec<F>(rng, n);
    EXPECT_EQ(eq_eval<F>(r, s), evaluate_mle<F>(eq_table<F>(r), s));
    EXPECT_EQ(eq_eval<F>(r, s), eq_eval<F>(s, r));
  }
  // eq on Boolean points is the Kronecker delta.
  for (size_t x = 0; x < 8; ++x)
    for (size_t y = 0; y < 8; ++y)
      EXPECT_EQ(eq_eval<F>(bits_of<F>(x, 3), bits_of<F>(y, 3)), x == y ? F::one() : F::zero());
}

TYPED_TEST(PolyTest, LagrangeMatchesHorner) {
  using F = TypeParam;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  for (size_t d = 0; d <= 20; ++d) {
    auto coeffs = random_vec<F>(rng, d + 1);
    std::vector<F> evals(d + 1);
    for (size_t i = 0; i <= d; ++i) evals[i] = evaluate_coefficients<F>(coeffs, F::from_u64(i));
    LagrangeBasis<F> basis(d);
    for (int trial = 0; trial < 5; ++trial) {
      const F x = F::random(rng);
      EXPECT_EQ(basis.evaluate(evals, x), evaluate_coefficients<F>(coeffs, x)) << "d=" << d;
    }
    for (size_t i = 0; i <= d; ++i) EXPECT_EQ(basis.evaluate(evals, F::from_u64(i)), evals[i]);
    EXPECT_EQ(basis.to_coefficients(evals), coeffs) << "d=" << d;
    EXPECT_EQ(interpolate_at<F>(evals, F::from_u64(d + 3)), evaluate_coefficients<F>(coeffs, F::from_u64(d + 3)));
  }
}

TEST(PolyToy, LagrangeExhaustiveF97) {
  using F = field::F97;
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  for (size_t d : {1, 2, 3, 5}) {
    auto coeffs = random_vec<F>(rng, d + 1);
    std::vector<F> evals(d + 1);
    for (size_t i = 0; i <= d; ++i) evals[i] = evaluate_coefficients<F>(coeffs, F::from_u64(i));
    LagrangeBasis<F> basis(d);
    for (uint64_t x = 0; x < 97; ++x)
      EXPECT_EQ(basis.evaluate(evals, F::from_u64(x)), evaluate_coefficients<F>(coeffs, F::from_u64(x)));
  }
}

}  // namespace
}  // namespace zkinfer::poly
