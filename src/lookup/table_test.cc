// Tests of lookup::LookupTable's two-column fast paths: a table of consecutive inputs padded by
// its last row is found without an index and its input column's MLE is evaluated in O(k); both
// are compared with the generic paths (the hash index, evaluate_mle) on tables with and without
// that structure, at random points and for every row and many rows that are not in the table.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "lookup/batch.h"
#include "lookup/table.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::lookup {
namespace {

using field::Fr;

// Rows (lo + min(j, run - 1), f(min(j, run - 1))), 2^k of them; `bump` (if < 2^k) breaks the
// structure at that row by changing its input.
LookupTable<Fr> table_of(int64_t lo, size_t run, size_t k, size_t bump = SIZE_MAX, bool pad_differs = false) {
  std::vector<Fr> in(size_t{1} << k), out(size_t{1} << k);
  for (size_t j = 0; j < in.size(); ++j) {
    const size_t i = std::min(j, run - 1);
    in[j] = Fr::from_i64(lo + static_cast<int64_t>(i));
    out[j] = Fr::from_i64(static_cast<int64_t>(i * i % 97) - 40 + ((pad_differs && j >= run) ? 1 : 0));
  }
  if (bump < in.size()) in[bump] += Fr::from_u64(1000);
  return LookupTable<Fr>::two_column(std::move(in), std::move(out));
}

// The slow reference: the first row equal to (x, y).
std::optional<size_t> find_slow(const LookupTable<Fr>& t, const Fr& x, const Fr& y) {
  for (size_t j = 0; j < t.size(); ++j)
    if (t.entry(0, j) == x && t.entry(1, j) == y) return j;
  return std::nullopt;
}

TEST(LookupTable, StructuredAndGenericTablesAgreeWithReferences) {
  TestRng rng(zkinfer::testing::test_seed());
  struct Case {
    int64_t lo;
    size_t run, k, bump;
    bool pad_differs;
  };
  const Case cases[] = {{-7, 1, 0, SIZE_MAX, false}, {-7, 1, 3, SIZE_MAX, false}, {5, 8, 3, SIZE_MAX, false},
                        {-100, 5, 3, SIZE_MAX, false}, {3, 37, 6, SIZE_MAX, false}, {0, 64, 6, SIZE_MAX, false},
                        {-3, 33, 6, 10, false}, {-3, 33, 6, 40, false}, {2, 20, 5, SIZE_MAX, true}, {-50, 100, 7, SIZE_MAX, false}};
  for (const auto& c : cases) {
    SCOPED_TRACE("lo " + std::to_string(c.lo) + " run " + std::to_string(c.run) + " k " + std::to_string(c.k));
    const auto t = table_of(c.lo, c.run, c.k, c.bump, c.pad_differs);
    std::vector<Fr> col0(t.size()), col1(t.size());
    for (size_t j = 0; j < t.size(); ++j) col0[j] = t.entry(0, j), col1[j] = t.entry(1, j);
    for (int rep = 0; rep < 5; ++rep) {
      std::vector<Fr> pt(c.k);
      for (auto& x : pt) x = Fr::random(rng);
      EXPECT_EQ(t.evaluate_column(0, pt), poly::evaluate_mle<Fr>(col0, pt));
      EXPECT_EQ(t.evaluate_column(1, pt), poly::evaluate_mle<Fr>(col1, pt));
    }
    // Boolean points give the entries themselves.
    for (size_t j = 0; j < t.size(); ++j) {
      std::vector<Fr> pt(c.k);
      for (size_t b = 0; b < c.k; ++b) pt[b] = Fr::from_u64((j >> b) & 1);
      EXPECT_EQ(t.evaluate_column(0, pt), col0[j]);
    }
    // Every row is found at its first occurrence; rows not in the table are not found.
    for (size_t j = 0; j < t.size(); ++j) {
      const Fr row[2] = {col0[j], col1[j]};
      EXPECT_EQ(t.find(row), find_slow(t, col0[j], col1[j]));
      const Fr wrong_y[2] = {col0[j], col1[j] + Fr::one()};
      EXPECT_EQ(t.find(wrong_y), find_slow(t, col0[j], col1[j] + Fr::one()));
    }
    for (int64_t x = c.lo - 3; x < c.lo + static_cast<int64_t>(t.size()) + 3; ++x) {
      const Fr y = Fr::from_i64(static_cast<int64_t>(rng.next_u64() % 5) - 40);
      const Fr row[2] = {Fr::from_i64(x), y};
      EXPECT_EQ(t.find(row), find_slow(t, row[0], row[1]));
    }
    const Fr far[2] = {-Fr::from_u64(1) - Fr::from_i64(c.lo), col1[0]};  // a huge offset
    EXPECT_EQ(t.find(far), find_slow(t, far[0], far[1]));
    // Copies share the (lazily built) index and answer the same.
    const LookupTable<Fr> copy = t;
    const Fr row0[2] = {col0[0], col1[0]};
    EXPECT_EQ(copy.find(row0), std::optional<size_t>(0));
  }
}

// A batch holds a shared table without copying it, and an equal table passed by value joins it.
TEST(LookupTable, BatchHoldsSharedTables) {
  auto t = std::make_shared<const LookupTable<Fr>>(table_of(-4, 12, 4));
  BatchVerifier<Fr> v;
  v.add(t, 3, {0, 1});
  v.add(table_of(-4, 12, 4), 2, {2, 3});
  v.add(LookupTable<Fr>::range(4), 2, {4});
  EXPECT_EQ(v.num_tables(), 2u);
  EXPECT_EQ(&v.table(0), t.get());
  BatchProver<Fr> p;
  std::vector<Fr> a(4), b(4);
  for (size_t i = 0; i < 4; ++i) a[i] = t->entry(0, 3 * i), b[i] = t->entry(1, 3 * i);
  p.add(t, {a, b}, {0, 1});
  EXPECT_EQ(&p.table(0), t.get());
  p.assign_owner(0);
  const auto m = p.prepare();
  ASSERT_EQ(m.size(), 1u);
  uint64_t total = 0;
  for (auto x : m[0]) total += x;
  EXPECT_EQ(total, 4u);
  EXPECT_EQ(m[0][3], 1u);
}

}  // namespace
}  // namespace zkinfer::lookup
