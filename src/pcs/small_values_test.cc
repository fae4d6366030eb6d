// Differential tests of the small-integer path (pcs/small_values.h): row combinations and MLE
// evaluations from unpadded int64 entries equal those of the padded Fr table built independently
// here, on random shapes (ranks 1-4, first dimension padded beyond its power of two too) and
// random values (zeros, small ones served from the cache, and large ones of both signs).
#include "pcs/small_values.h"

#include <gtest/gtest.h>

#include <bit>

#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

// The padded table, built entry by entry from the multi-index (independently of small_values.cc).
std::vector<Fr> reference_table(const SmallValues& v) {
  std::vector<Fr> t(v.size(), Fr::zero());
  const size_t k = v.dims.size();
  std::vector<size_t> idx(k, 0);
  for (size_t u = 0; u < v.values.size(); ++u) {
    size_t at = 0;
    for (size_t i = 0; i < k; ++i) at = at * v.padded[i] + idx[i];
    t[at] = Fr::from_i64(v.values[u]);
    for (size_t i = k; i-- > 0;) {
      if (++idx[i] < v.dims[i]) break;
      idx[i] = 0;
    }
  }
  return t;
}

int64_t random_value(TestRng& rng) {
  switch (rng.next_u64() % 4) {
    case 0: return 0;
    case 1: return static_cast<int64_t>(rng.next_u64() % 511) - 255;
    case 2: return static_cast<int64_t>(rng.next_u64() % (uint64_t{1} << 17)) - (int64_t{1} << 16);
    default: return static_cast<int64_t>(rng.next_u64() >> 20) * (rng.next_u64() % 2 ? 1 : -1);
  }
}

TEST(SmallValues, RowCombinationsAndMleMatchTheFrTable) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (int trial = 0; trial < 40; ++trial) {
    const size_t rank = 1 + rng.next_u64() % 4;
    std::vector<size_t> dims(rank);
    size_t count = 1;
    for (auto& d : dims) count *= (d = 1 + rng.next_u64() % (rank == 1 ? 5000 : 9));
    std::vector<int64_t> vals(count);
    for (auto& x : vals) x = random_value(rng);
    SmallValues v = SmallValues::of(vals, dims);
    if (trial % 3 == 0) v.padded[0] *= size_t{1} << (1 + rng.next_u64() % 2);  // a chunk's first dimension
    const auto table = reference_table(v);
    ASSERT_EQ(padded_fr(v), table);
    const size_t n = v.num_vars();
    ASSERT_EQ(size_t{1} << n, table.size());
    std::vector<Fr> z(n);
    for (auto& x : z) x = Fr::random(rng);
    EXPECT_EQ(mle_small(v, z), poly::evaluate_mle<Fr>(table, z)) << "trial " << trial;
    for (size_t lc = 0; lc <= n; lc += 1 + rng.next_u64() % 3) {
      HyraxLayout l{static_cast<uint32_t>(n), static_cast<uint32_t>(lc)};
      std::vector<Fr> w(l.num_rows());
      for (auto& x : w) x = rng.next_u64() % 5 == 0 ? Fr::zero() : Fr::random(rng);
      EXPECT_EQ(combine_rows_small(v, l, w), combine_rows(table, l, w)) << "trial " << trial << ", log_cols " << lc;
    }
  }
}

TEST(SmallValues, Scalars) {
  const std::vector<int64_t> one = {-7};
  const SmallValues v = SmallValues::of(one, {});
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(padded_fr(v), std::vector<Fr>{Fr::from_i64(-7)});
  EXPECT_EQ(mle_small(v, {}), Fr::from_i64(-7));
  const Fr w = Fr::from_u64(3);
  EXPECT_EQ(combine_rows_small(v, HyraxLayout{0, 0}, std::span<const Fr>(&w, 1)), std::vector<Fr>{w * Fr::from_i64(-7)});
}

TEST(SmallValues, FlatVectorsAndChangedEntries) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  std::vector<int64_t> vals(size_t{1} << 14);
  for (auto& x : vals) x = random_value(rng);
  const SmallValues v = SmallValues::flat(vals);
  std::vector<Fr> z(14);
  for (auto& x : z) x = Fr::random(rng);
  const Fr e = mle_small(v, z);
  EXPECT_EQ(e, poly::evaluate_mle<Fr>(reference_table(v), z));
  // One changed entry changes the evaluation (the test can fail).
  vals[12345] += 1;
  EXPECT_NE(mle_small(v, z), e);
}

}  // namespace
}  // namespace zkinfer::pcs
