// Tests for the padded tensor layout (layout.h): table placement, point splitting, the MLE of an
// int64 tensor at a per-dimension point, and eq_prefix_sum against brute force.
#include "layers/layout.h"

#include <gtest/gtest.h>

#include "layers/test_util.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

TEST(Layout, ShapeAndIndex) {
  const PaddedShape s({3, 5, 1, 2});
  EXPECT_EQ(s.padded(), (std::vector<size_t>{4, 8, 1, 2}));
  EXPECT_EQ(s.log_sizes(), (std::vector<size_t>{2, 3, 0, 1}));
  EXPECT_EQ(s.offsets(), (std::vector<size_t>{4, 1, 1, 0}));
  EXPECT_EQ(s.num_vars(), 6u);
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.unpadded_size(), 30u);
  const size_t idx[] = {2, 4, 0, 1};
  EXPECT_EQ(s.index(idx), ((2 * 8 + 4) * 1 + 0) * 2 + 1);
  EXPECT_TRUE(PaddedShape::invalid(std::vector<size_t>{3, 0}).has_value());
  EXPECT_FALSE(PaddedShape::invalid(std::vector<size_t>{}).has_value());
  EXPECT_EQ(PaddedShape(std::vector<size_t>{}).size(), 1u);
}

TEST(Layout, PaddedTableAndSplit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims = {2, 3, 5};
  const PaddedShape s(dims);
  const auto vals = testing::random_ints(rng, 30, 100);
  const auto table = padded_table(s, vals);
  ASSERT_EQ(table.size(), 2u * 4 * 8);
  size_t nonzero_slots = 0;
  for (size_t i = 0; i < 2; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t k = 0; k < 5; ++k) {
        const size_t idx[] = {i, j, k};
        EXPECT_EQ(table[s.index(idx)], Fr::from_i64(vals[(i * 3 + j) * 5 + k]));
        ++nonzero_slots;
      }
  size_t zeros = 0;
  for (const Fr& x : table) zeros += x.is_zero();
  EXPECT_GE(zeros, table.size() - nonzero_slots);
  // The MLE at a point equals the sum over unpadded entries of value * prod_i eq(sub_i, idx_i).
  const auto pt = testing::random_point(rng, s.num_vars());
  const auto parts = split_point(s, pt);
  EXPECT_EQ(join_point(s, parts), pt);
  std::vector<std::vector<Fr>> eqs;
  for (const auto& p : parts) eqs.push_back(poly::eq_table<Fr>(p));
  Fr want = Fr::zero();
  for (size_t i = 0; i < 2; ++i)
    for (size_t j = 0; j < 3; ++j)
      for (size_t k = 0; k < 5; ++k)
        want += Fr::from_i64(vals[(i * 3 + j) * 5 + k]) * eqs[0][i] * eqs[1][j] * eqs[2][k];
  EXPECT_EQ(testing::eval(table, pt), want);
}

TEST(Layout, EqPrefixSum) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n = 0; n <= 5; ++n) {
    const auto pt = testing::random_point(rng, n);
    const auto e = poly::eq_table<Fr>(pt);
    Fr acc = Fr::zero();
    for (size_t count = 0; count <= (size_t{1} << n); ++count) {
      EXPECT_EQ(eq_prefix_sum(pt, count), acc) << "n=" << n << " count=" << count;
      if (count < e.size()) acc += e[count];
    }
  }
}

}  // namespace
}  // namespace zkinfer::layers
