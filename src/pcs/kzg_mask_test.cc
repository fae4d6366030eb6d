// Tests of the sparse mask (pcs/kzg_mask.h; docs/protocol/kzg.md section 4, "The sparse mask"):
// over a known tau, the values the opening reveals of a masked polynomial (every fold level's
// values at tau, r, -r, r^2 and G(z)) span as much when the mask ranges over the sparse subspace as
// over all 2^n coefficients (the linear-algebra statement the zero-knowledge argument rests on),
// a smaller subspace does not (the test can fail), the degenerate points are detected, and batch
// openings verify on both paths (sparse, and the fallback to a uniformly random mask).
#include "pcs/kzg_mask.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "pcs/kzg.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

Fr horner_at(std::span<const Fr> c, const Fr& x) {
  Fr acc = Fr::zero();
  for (size_t i = c.size(); i-- > 0;) acc = acc * x + c[i];
  return acc;
}

// Every value the opening reveals of v: per level l < n, v_l at tau, r, -r, r^2; then v_n = v(z).
std::vector<Fr> revealed(std::span<const Fr> v, std::span<const Fr> z, const Fr& tau, const Fr& r) {
  std::vector<Fr> out;
  std::vector<Fr> cur(v.begin(), v.end());
  for (size_t l = 0; l < z.size(); ++l) {
    for (const Fr& x : {tau, r, -r, r * r}) out.push_back(horner_at(cur, x));
    std::vector<Fr> next(cur.size() / 2);
    for (size_t i = 0; i < next.size(); ++i) next[i] = cur[2 * i] + z[l] * (cur[2 * i + 1] - cur[2 * i]);
    cur = std::move(next);
  }
  out.push_back(cur[0]);
  return out;
}

size_t rank(std::vector<std::vector<Fr>> rows) {
  size_t rk = 0;
  const size_t cols = rows.empty() ? 0 : rows[0].size();
  for (size_t c = 0; c < cols && rk < rows.size(); ++c) {
    size_t p = rk;
    while (p < rows.size() && rows[p][c].is_zero()) ++p;
    if (p == rows.size()) continue;
    std::swap(rows[p], rows[rk]);
    const Fr inv = rows[rk][c].inverse();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i == rk || rows[i][c].is_zero()) continue;
      const Fr f = rows[i][c] * inv;
      for (size_t k = c; k < cols; ++k) rows[i][k] -= f * rows[rk][k];
    }
    ++rk;
  }
  return rk;
}

// The rank of the revealed values over all 2^n coefficients, and over the sparse mask's subspace
// without the coefficients in `drop`.
std::pair<size_t, size_t> ranks(std::span<const Fr> z, const Fr& tau, const Fr& r, std::vector<size_t> drop = {}) {
  const size_t n = z.size();
  std::vector<std::vector<Fr>> all, sub;
  for (size_t i = 0; i < (size_t{1} << n); ++i) {
    std::vector<Fr> e(size_t{1} << n, Fr::zero());
    e[i] = Fr::one();
    all.push_back(revealed(e, z, tau, r));
  }
  const size_t d = sparse_mask_dim(n);
  for (size_t k = 0; k < d; ++k) {
    if (std::find(drop.begin(), drop.end(), k) != drop.end()) continue;
    std::vector<Fr> c(d, Fr::zero());
    c[k] = Fr::one();
    sub.push_back(revealed(sparse_mask(z, c), z, tau, r));
  }
  return {rank(all), rank(sub)};
}

std::vector<Fr> random_point(TestRng& rng, size_t n) {
  std::vector<Fr> z(n);
  for (Fr& x : z) x = Fr::random(rng);
  return z;
}

TEST(KzgMask, ShapeAndValueAtThePoint) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  EXPECT_EQ(sparse_mask_dim(0), 1u);
  EXPECT_EQ(sparse_mask_dim(1), 2u);
  EXPECT_EQ(sparse_mask_dim(2), 4u);
  EXPECT_EQ(sparse_mask_dim(3), 1u + 3 + 2 + 1);
  EXPECT_EQ(sparse_mask_dim(16), 1u + 3 * 14 + 2 + 1);
  for (size_t n : {0, 1, 2, 3, 5, 9}) {
    // Coordinates 0 and 1 too (the lift's bits), and random ones.
    std::vector<Fr> z = random_point(rng, n);
    if (n >= 2) z[1] = Fr::one();
    if (n >= 3) z[2] = Fr::zero();
    std::vector<Fr> c(sparse_mask_dim(n));
    for (Fr& x : c) x = Fr::random(rng);
    const std::vector<Fr> m = sparse_mask(z, c);
    ASSERT_EQ(m.size(), size_t{1} << n);
    EXPECT_EQ(poly::evaluate_mle<Fr>(m, z), c.back()) << "n = " << n;
    size_t nonzero = 0;
    for (const Fr& x : m) nonzero += !x.is_zero();
    EXPECT_LE(nonzero, 6 * n + 1) << "n = " << n;
  }
}

TEST(KzgMask, ReachesEveryRevealedCombination) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {0, 1, 2, 3, 4, 5, 6}) {
    for (int rep = 0; rep < 2; ++rep) {
      std::vector<Fr> z = random_point(rng, n);
      if (rep == 1 && n >= 2) z[0] = Fr::one();  // the lift takes bit 1 there
      if (rep == 1 && n >= 3) z[1] = Fr::zero();
      const Fr tau = Fr::random(rng), r = Fr::random(rng);
      auto is_tau = [&](const Fr& x) { return x == tau; };
      ASSERT_TRUE(sparse_mask_usable(z, is_tau));
      ASSERT_TRUE(sparse_mask_hides_at(z, r, is_tau));
      const auto [all, sub] = ranks(z, tau, r);
      EXPECT_EQ(sub, all) << "n = " << n;
      // Without level 0's third coefficient the subspace reaches less (for n >= 4: level 0's
      // kernel then has more than 3 dimensions, and the full-rank claim needs all three).
      if (n >= 4) {
        const auto [all2, sub2] = ranks(z, tau, r, {2});
        EXPECT_LT(sub2, all2) << "n = " << n;
      }
    }
  }
}

TEST(KzgMask, DegeneratePointsAreDetected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const size_t n = 5;
  std::vector<Fr> z = random_point(rng, n);
  const Fr r = Fr::random(rng);
  // tau = z_1 / (1 - z_1): every kernel piece of level 1 vanishes at tau.
  const Fr bad_tau = z[1] * (Fr::one() - z[1]).inverse();
  EXPECT_FALSE(sparse_mask_usable(z, [&](const Fr& x) { return x == bad_tau; }));
  {
    const auto [all, sub] = ranks(z, bad_tau, r);
    EXPECT_LT(sub, all) << "the condition is needed";
  }
  const Fr tau = Fr::random(rng);
  auto is_tau = [&](const Fr& x) { return x == tau; };
  EXPECT_TRUE(sparse_mask_usable(z, is_tau));
  for (const Fr& t : {r, -r, r * r, -(r * r)})
    EXPECT_FALSE(sparse_mask_hides_at(z, r, [&](const Fr& x) { return x == t; }));
  // r^2 = z_0 / (1 - z_0): level 0's pieces vanish at r^2.
  std::vector<Fr> z2 = z;
  z2[0] = r * r * (Fr::one() + r * r).inverse();
  EXPECT_FALSE(sparse_mask_hides_at(z2, r, is_tau));
  // The top two levels need no condition.
  std::vector<Fr> z3 = z;
  z3[n - 1] = r * r * (Fr::one() + r * r).inverse();
  EXPECT_TRUE(sparse_mask_hides_at(z3, r, is_tau));
}

// Batch openings with the sparse mask verify, and so do they when tau is degenerate for the
// point (the prover falls back to a uniformly random mask; same verifier).
TEST(KzgMask, OpeningsVerifyOnBothPaths) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const size_t n = 6;
  std::vector<Fr> point = random_point(rng, n);
  const Fr tau_ok = Fr::random(rng);
  const Fr tau_bad = point[2] * (Fr::one() - point[2]).inverse();
  for (const Fr& tau : {tau_ok, tau_bad}) {
    const KzgParams p = KzgParams::insecure_from_secrets(tau, Fr::random(rng), n);
    std::vector<Fr> values(size_t{1} << n);
    for (Fr& v : values) v = Fr::random(rng);
    const KzgCommitted c = commit(p, std::span<const Fr>(values), rng);
    const Fr v = poly::evaluate_mle<Fr>(values, point);
    const ProverClaim claim = commit_claim(p, v, rng);
    std::vector<KzgOpeningWitness> w = {{&c.commitment, &c.blinds, values, point, claim}};
    transcript::Transcript tp("kzg-mask-test", transcript::Encoding::kV2);
    const KzgBatchProof proof = prove_batch(p, w, tp, random_fr(rng));
    std::vector<KzgOpeningClaim> pub = {w[0].public_claim()};
    transcript::Transcript tv("kzg-mask-test", transcript::Encoding::kV2);
    EXPECT_TRUE(verify_batch(p, pub, proof, tv)) << (tau == tau_ok ? "sparse" : "fallback");
    // A changed claim is rejected on both paths.
    std::vector<KzgOpeningClaim> wrong = {{&c.commitment, point, EvalClaim::plain(v + Fr::one())}};
    transcript::Transcript tv2("kzg-mask-test", transcript::Encoding::kV2);
    EXPECT_FALSE(verify_batch(p, wrong, proof, tv2));
  }
}

}  // namespace
}  // namespace zkinfer::pcs
