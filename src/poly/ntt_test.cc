// The radix-2 NTT over Fr against a naive O(n^2) DFT, and the root of unity's order.
#include "poly/ntt.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::poly {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

std::vector<Fr> random_vec(TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (auto& x : v) x = Fr::random(rng);
  return v;
}

TEST(Ntt, RootOfUnityHasExactOrder) {
  // 5 is a non-residue: 5^((r-1)/2) = -1 (checked independently of how ntt.cc found it).
  std::array<uint64_t, 4> half = field::FrParams::kModulus;
  half[0] -= 1;
  for (size_t i = 0; i < 4; ++i) half[i] = (half[i] >> 1) | (i + 1 < 4 ? half[i + 1] << 63 : 0);
  EXPECT_EQ(Fr::from_u64(5).pow(half), -Fr::one());
  EXPECT_EQ(fr_nonresidue(), Fr::from_u64(5));
  for (unsigned k : {1u, 2u, 5u, 16u, 27u, 28u}) {
    const Fr w = root_of_unity(k);
    Fr x = w;
    for (unsigned i = 1; i < k; ++i) x = x.square();  // w^(2^(k-1))
    EXPECT_FALSE(x.is_one()) << k;
    EXPECT_EQ(x, -Fr::one()) << k;
    EXPECT_TRUE(x.square().is_one()) << k;  // w^(2^k) = 1
  }
  EXPECT_EQ(root_of_unity(0), Fr::one());
  EXPECT_THROW(root_of_unity(29), std::invalid_argument);
}

TEST(Ntt, MatchesNaiveDft) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (unsigned k = 0; k <= 9; ++k) {
    const size_t n = size_t{1} << k;
    const std::vector<Fr> c = random_vec(rng, n);
    std::vector<Fr> a = c;
    ntt(a);
    EXPECT_EQ(a, naive_dft(c, root_of_unity(k))) << "n = " << n;
    intt(a);
    EXPECT_EQ(a, c) << "n = " << n;
  }
}

TEST(Ntt, CosetMatchesNaive) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const Fr g = Fr::random(rng);
  for (unsigned k : {0u, 1u, 3u, 8u}) {
    const size_t n = size_t{1} << k;
    const std::vector<Fr> c = random_vec(rng, n);
    // Evaluations at g w^i: the DFT of c_j g^j.
    std::vector<Fr> scaled = c;
    Fr p = Fr::one();
    for (auto& x : scaled) x *= p, p *= g;
    std::vector<Fr> a = c;
    coset_ntt(a, g);
    EXPECT_EQ(a, naive_dft(scaled, root_of_unity(k)));
    // and at each point directly
    const Fr w = root_of_unity(k);
    Fr x = g;
    for (size_t i = 0; i < n; ++i, x *= w) {
      Fr acc;
      for (size_t j = n; j-- > 0;) acc = acc * x + c[j];
      ASSERT_EQ(a[i], acc) << i;
    }
    coset_intt(a, g);
    EXPECT_EQ(a, c);
  }
}

// A size that takes the OpenMP path (2^14 > poly::kParallelThreshold): a polynomial product
// through the transform against the schoolbook product at a few random points.
TEST(Ntt, LargeParallelRoundTripAndProduct) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const size_t n = size_t{1} << 14;
  std::vector<Fr> p = random_vec(rng, n / 2), q = random_vec(rng, n / 2);
  std::vector<Fr> a = p, b = q;
  a.resize(n), b.resize(n);
  ntt(a), ntt(b);
  for (size_t i = 0; i < n; ++i) a[i] *= b[i];
  intt(a);
  auto eval = [](std::span<const Fr> c, const Fr& x) {
    Fr acc;
    for (size_t j = c.size(); j-- > 0;) acc = acc * x + c[j];
    return acc;
  };
  for (int t = 0; t < 3; ++t) {
    const Fr x = Fr::random(rng);
    EXPECT_EQ(eval(a, x), eval(p, x) * eval(q, x));
  }
  // The forward transform at sampled points against Horner at w^i.
  {
    const std::vector<Fr> c = random_vec(rng, n);
    std::vector<Fr> e = c;
    ntt(e);
    const Fr w = root_of_unity(14);
    for (size_t i : {size_t{0}, size_t{1}, size_t{2047}, size_t{2048}, size_t{4097}, n / 2, n - 1}) {
      EXPECT_EQ(e[i], eval(c, w.pow(static_cast<uint64_t>(i)))) << i;
    }
  }
  std::vector<Fr> c = random_vec(rng, n), d = c;
  coset_ntt(d, Fr::from_u64(7));
  coset_intt(d, Fr::from_u64(7));
  EXPECT_EQ(c, d);
}

TEST(Ntt, RejectsBadSizes) {
  std::vector<Fr> a(3);
  EXPECT_THROW(ntt(a), std::invalid_argument);
  std::vector<Fr> e;
  EXPECT_THROW(intt(e), std::invalid_argument);
}

}  // namespace
}  // namespace zkinfer::poly
