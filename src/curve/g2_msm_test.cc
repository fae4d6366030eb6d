// G2 Pippenger MSM against the naive sum of scalar multiplications; mixed addition and batch
// affine conversion against the generic forms.
#include "curve/g2_msm.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

std::vector<G2Affine> random_points(TestRng& rng, size_t n) {
  std::vector<G2> j(n);
  const G2 g = G2::generator();
  for (auto& p : j) p = g * Fr::random(rng);
  std::vector<G2Affine> a(n);
  g2_batch_to_affine(j, a);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(a[i], j[i].to_affine());
  return a;
}

TEST(G2Msm, MixedAdditionMatchesGeneric) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto pts = random_points(rng, 4);
  const G2 p = G2::generator() * Fr::random(rng);
  EXPECT_EQ(g2_add_mixed(p, pts[0]), p + G2(pts[0]));
  EXPECT_EQ(g2_add_mixed(G2(pts[1]), pts[1]), G2(pts[1]).doubled());
  EXPECT_TRUE(g2_add_mixed(G2(pts[2]), -pts[2]).is_identity());
  EXPECT_EQ(g2_add_mixed(G2::identity(), pts[3]), G2(pts[3]));
  EXPECT_EQ(g2_add_mixed(p, G2Affine::identity()), p);
}

TEST(G2Msm, MatchesNaive) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (size_t n : {0, 1, 5, 8, 33, 200}) {
    auto bases = random_points(rng, n);
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    if (n > 4) {
      bases[2] = G2Affine::identity();  // identity bases and zero, one, -1 scalars
      s[1] = Fr::zero();
      s[3] = -Fr::one();
      s[4] = Fr::one();
    }
    const G2 want = msm_g2_naive(bases, s);
    EXPECT_EQ(msm_g2(bases, s), want) << "n = " << n;
    if (n == 0) continue;
    for (unsigned c : {1u, 4u, 7u}) {
      EXPECT_EQ(msm_g2(bases, s, c), want) << "n = " << n << ", c = " << c;
    }
  }
  // Repeated points and small scalars (buckets meeting equal points: the doubling path).
  auto one = random_points(rng, 1);
  std::vector<G2Affine> same(40, one[0]);
  std::vector<Fr> s(40, Fr::from_u64(3));
  EXPECT_EQ(msm_g2(same, s), G2(one[0]) * Fr::from_u64(120));
  std::vector<Fr> bad(3);
  EXPECT_THROW(msm_g2(same, bad), std::invalid_argument);
}

}  // namespace
}  // namespace zkinfer::curve
