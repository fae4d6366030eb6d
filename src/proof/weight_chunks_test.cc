// The weight range proof's small-integer prover and its chunks (proof/weight_bounds.h, "Chunks";
// issue 14), on hand-made items with small chunk sizes:
// - differential: the proof made from the int64 values (pcs/small_values.h) is byte for byte the
//   one made from the padded Fr tables (the tests' field_values / forced_v path), whole and chunked;
// - honest chunked proofs verify, under the same chunk size only; weight_padding_rows lists the
//   rows of the pure padding chunks;
// - rejected with a reason: a pure padding row that is not the identity (and setup refuses to make
//   it), a non-zero entry in a proven chunk's padding, an out-of-range entry in a chunk, a changed
//   byte.
#include <gtest/gtest.h>

#include "common/random.h"
#include "layers/bound.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/small_values.h"
#include "proof/weight_bounds.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using field::Fr;
using testing::seed_note;
using testing::test_seed;

constexpr size_t kChunk = 64;   // entries per chunk in these tests
constexpr size_t kLogCols = 4;  // the weights' commitment rows: 16 entries

const pcs::HyraxParams& params() {
  static const pcs::HyraxParams p(8);
  return p;
}

struct Weight {
  std::string name;
  std::vector<size_t> dims;
  size_t bits;
  std::vector<int64_t> values;  // unpadded
  std::vector<Fr> blinds;
  pcs::CommitmentPtr com;
};

struct Case {
  std::vector<Weight> w;
  std::vector<WeightBoundItem> items;
  std::vector<WeightBoundWitness> wit;
  std::vector<std::vector<Fr>> fr_tables;       // padded Fr tables (the Fr path)
  std::vector<std::vector<int64_t>> v_tables;   // padded v = w + 2^bits I (the Fr path's digits)
  std::array<uint8_t, 32> ctx{};
};

void commit(Weight& w, TestRng& rng, bool zero_padding_blinds = true) {
  const layers::PaddedShape s(w.dims);
  const auto padded = layers::detail::padded_i64(s, w.values);
  const pcs::HyraxLayout lay = pcs::layout_for(padded.size(), kLogCols);
  w.blinds.assign(lay.num_rows(), Fr::zero());
  for (auto& b : w.blinds) b = Fr::random(rng);
  if (zero_padding_blinds)
    for (const auto& [b, e] : weight_padding_rows(layers::BoundParams{w.dims, w.bits, true}, lay, kChunk))
      for (size_t r = b; r < e; ++r) w.blinds[r] = Fr::zero();
  w.com = pcs::HyraxScheme::wrap(pcs::commit_with_blinds(params(), std::span<const int64_t>(padded), kLogCols, w.blinds));
}

void finish(Case& c) {
  c.items.clear();
  c.wit.clear();
  c.fr_tables.clear();
  c.v_tables.clear();
  for (auto& w : c.w) {
    c.items.push_back({w.name, layers::BoundParams{w.dims, w.bits, true}, w.com.get()});
    c.wit.push_back({w.values, w.blinds});
    const layers::PaddedShape s(w.dims);
    c.fr_tables.push_back(layers::padded_table(s, w.values));
    std::vector<int64_t> shifted = w.values;
    for (auto& x : shifted) x += int64_t{1} << w.bits;
    c.v_tables.push_back(layers::detail::padded_i64(s, shifted));
  }
  c.ctx[0] = 0x42;
}

// Weights of ranks 1-3: split into chunks with and without pure padding ones, and one not split.
Case make_case(TestRng& rng) {
  Case c;
  auto add = [&](std::string name, std::vector<size_t> dims, size_t bits) {
    Weight w{std::move(name), std::move(dims), bits, {}, {}, {}};
    size_t n = 1;
    for (size_t d : w.dims) n *= d;
    const int64_t lim = int64_t{1} << bits;
    for (size_t i = 0; i < n; ++i) w.values.push_back(static_cast<int64_t>(rng.next_u64() % (2 * lim)) - lim);
    commit(w, rng);
    c.w.push_back(std::move(w));
  };
  add("emb", {37, 5}, 6);     // padded 64 x 8: chunks of 8 rows, r = 8, 8, 8, 8, 5, then 3 pure padding
  add("small", {3, 3}, 4);    // 16 entries: not split
  add("vec", {300}, 10);      // padded 512: chunks of 64, r = 64 x 4, 44, then 3 pure padding
  add("cube", {5, 3, 6}, 3);  // padded 8 x 4 x 8: chunks of 2 rows, r = 2, 2, 1, then 1 pure padding
  finish(c);
  return c;
}

std::vector<uint8_t> prove_small(const Case& c, uint64_t seed, size_t group, size_t chunk) {
  TestRng r(seed);
  return prove_weight_bounds(params(), c.items, c.wit, c.ctx, pcs::random_fr(r), nullptr, group, chunk);
}

// The same proof through the Fr tables (field_values and forced_v set: no small-integer path).
std::vector<uint8_t> prove_fr(const Case& c, uint64_t seed, size_t group, size_t chunk) {
  std::vector<WeightBoundWitness> wit = c.wit;
  for (size_t i = 0; i < wit.size(); ++i) {
    wit[i].field_values = c.fr_tables[i];
    wit[i].forced_v = c.v_tables[i];
  }
  TestRng r(seed);
  return prove_weight_bounds(params(), c.items, wit, c.ctx, pcs::random_fr(r), nullptr, group, chunk);
}

void expect_rejected(const Verdict& v, const std::string& part) {
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.reason().find(part), std::string::npos) << v.reason();
}

TEST(WeightChunks, PaddingRowsOfTheSplit) {
  const pcs::HyraxLayout lay{9, kLogCols};  // 37 x 5 padded to 64 x 8: 32 rows of 16
  const auto rows = weight_padding_rows(layers::BoundParams{{37, 5}, 6, true}, lay, kChunk);
  // Chunks of 8 tensor rows (4 commitment rows); tensor rows 40..63 are chunks 5, 6, 7.
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::pair<size_t, size_t>{20, 24}));
  EXPECT_EQ(rows[2], (std::pair<size_t, size_t>{28, 32}));
  // Not split: at most one chunk's entries, or rows wider than a chunk.
  EXPECT_TRUE(weight_padding_rows(layers::BoundParams{{37, 5}, 6, true}, lay, 512).empty());
  EXPECT_TRUE(weight_padding_rows(layers::BoundParams{{37, 5}, 6, true}, pcs::HyraxLayout{9, 7}, kChunk).empty());
  EXPECT_TRUE(weight_padding_rows(layers::BoundParams{{}, 6, true}, pcs::HyraxLayout{0, 0}, kChunk).empty());  // a scalar
}

TEST(WeightChunks, SmallIntegerProverEqualsTheFrTablePath) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case c = make_case(rng);
  for (size_t chunk : {kChunk, kWeightBoundsChunkEntries}) {
    for (size_t group : {size_t{128}, kWeightBoundsGroupEntries}) {
      const auto a = prove_small(c, test_seed() + 7, group, chunk);
      const auto b = prove_fr(c, test_seed() + 7, group, chunk);
      EXPECT_EQ(a, b) << "chunk " << chunk << ", group " << group;
      Verdict v = verify_weight_bounds(params(), c.items, a, c.ctx, nullptr, group, chunk);
      EXPECT_TRUE(v.ok()) << v.reason();
    }
  }
}

TEST(WeightChunks, HonestChunkedProofsVerifyUnderTheirChunkSizeOnly) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const Case c = make_case(rng);
  const auto chunked = prove_small(c, test_seed(), kWeightBoundsGroupEntries, kChunk);
  Verdict v = verify_weight_bounds(params(), c.items, chunked, c.ctx, nullptr, kWeightBoundsGroupEntries, kChunk);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_FALSE(verify_weight_bounds(params(), c.items, chunked, c.ctx).ok());
  const auto whole = prove_small(c, test_seed(), kWeightBoundsGroupEntries, kWeightBoundsChunkEntries);
  EXPECT_TRUE(verify_weight_bounds(params(), c.items, whole, c.ctx).ok());
  EXPECT_FALSE(verify_weight_bounds(params(), c.items, whole, c.ctx, nullptr, kWeightBoundsGroupEntries, kChunk).ok());
  // Grouped chunks (two chunks a group): verify; a changed byte is rejected.
  auto grouped = prove_small(c, test_seed() + 3, 128, kChunk);
  v = verify_weight_bounds(params(), c.items, grouped, c.ctx, nullptr, 128, kChunk);
  ASSERT_TRUE(v.ok()) << v.reason();
  grouped[grouped.size() / 2] ^= 0x08;
  EXPECT_FALSE(verify_weight_bounds(params(), c.items, grouped, c.ctx, nullptr, 128, kChunk).ok());
}

TEST(WeightChunks, PurePaddingRowsMustBeTheIdentity) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  Case c = make_case(rng);
  // A blinded padding row: the prover refuses, the verifier rejects whatever proof comes with it.
  Weight& w = c.w[0];
  commit(w, rng, /*zero_padding_blinds=*/false);
  finish(c);
  try {
    prove_small(c, 1, kWeightBoundsGroupEntries, kChunk);
    ADD_FAILURE() << "proved with blinded padding rows";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("padding rows need zero blinds"), std::string::npos) << e.what();
  }
  Case honest = make_case(rng);
  const auto proof = prove_small(honest, 2, kWeightBoundsGroupEntries, kChunk);
  ASSERT_TRUE(verify_weight_bounds(params(), honest.items, proof, honest.ctx, nullptr, kWeightBoundsGroupEntries, kChunk).ok());
  honest.w[0].com = w.com;  // same values, padding rows blinded
  honest.w[0].blinds = w.blinds;
  honest.w[0].values = w.values;
  finish(honest);
  expect_rejected(verify_weight_bounds(params(), honest.items, proof, honest.ctx, nullptr, kWeightBoundsGroupEntries, kChunk),
                  "is padding (a chunk past the tensor) but not the identity");
  // A non-zero value in a pure padding chunk, committed with zero blinds: not the identity either.
  Case c2 = make_case(rng);
  auto padded = c2.v_tables[2];  // "vec": padded 512, entries 320.. are pure padding chunks
  std::vector<Fr> t = c2.fr_tables[2];
  t[400] = Fr::one();
  const pcs::HyraxLayout lay = pcs::layout_for(512, kLogCols);
  std::vector<Fr> bl = c2.w[2].blinds;
  for (const auto& [b, e] : weight_padding_rows(c2.items[2].bound, lay, kChunk))
    for (size_t r = b; r < e; ++r) ASSERT_TRUE(bl[r].is_zero());
  c2.w[2].com = pcs::HyraxScheme::wrap(pcs::commit_with_blinds(params(), std::span<const Fr>(t), kLogCols, bl));
  c2.items[2].commitment = c2.w[2].com.get();
  const auto p2 = prove_small(make_case(rng), 3, kWeightBoundsGroupEntries, kChunk);
  expect_rejected(verify_weight_bounds(params(), c2.items, p2, c2.ctx, nullptr, kWeightBoundsGroupEntries, kChunk),
                  "weight 'vec': row 25 of its commitment is padding");
}

TEST(WeightChunks, BadEntriesInAChunkAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  // (1) A non-zero entry in the padding of the last proven chunk of "emb" (tensor row 37 of chunk 5's
  // rows 32..39), with v forced to be in range there: the chunk's padding zero-check fails.
  {
    Case c = make_case(rng);
    auto t = c.fr_tables[0];
    auto v = c.v_tables[0];
    const size_t at = 38 * 8 + 2;  // padded (row 38, column 2)
    t[at] = Fr::one();
    v[at] = 1 + (int64_t{1} << c.w[0].bits);
    c.w[0].com = pcs::HyraxScheme::wrap(pcs::commit_with_blinds(params(), std::span<const Fr>(t), kLogCols, c.w[0].blinds));
    c.items[0].commitment = c.w[0].com.get();
    std::vector<WeightBoundWitness> wit = c.wit;
    wit[0].field_values = t;
    wit[0].forced_v = v;
    TestRng r(9);
    const auto p = prove_weight_bounds(params(), c.items, wit, c.ctx, pcs::random_fr(r), nullptr, kWeightBoundsGroupEntries, kChunk);
    expect_rejected(verify_weight_bounds(params(), c.items, p, c.ctx, nullptr, kWeightBoundsGroupEntries, kChunk),
                    "weight range proof");
  }
  // (2) An out-of-range entry in chunk 3 of "vec" (entry 150), its digits those of the wrapped,
  // in-range value: the claim does not match the commitment.
  {
    Case c = make_case(rng);
    const int64_t lim = int64_t{1} << c.w[2].bits;
    auto t = c.fr_tables[2];
    auto v = c.v_tables[2];
    t[150] = Fr::from_i64(lim + 5);
    v[150] = (lim + 5) + lim - 2 * lim;  // the wrapped value's v, in [0, 2^(bits+1))
    c.w[2].com = pcs::HyraxScheme::wrap(pcs::commit_with_blinds(params(), std::span<const Fr>(t), kLogCols, c.w[2].blinds));
    c.items[2].commitment = c.w[2].com.get();
    std::vector<WeightBoundWitness> wit = c.wit;
    wit[2].field_values = t;
    wit[2].forced_v = v;
    TestRng r(10);
    const auto p = prove_weight_bounds(params(), c.items, wit, c.ctx, pcs::random_fr(r), nullptr, kWeightBoundsGroupEntries, kChunk);
    expect_rejected(verify_weight_bounds(params(), c.items, p, c.ctx, nullptr, kWeightBoundsGroupEntries, kChunk),
                    "weight range proof");
  }
  // (3) An honest setup refuses an out-of-range value (its message names the weight).
  {
    Case c = make_case(rng);
    c.w[2].values[150] = (int64_t{1} << c.w[2].bits) + 5;
    finish(c);
    try {
      prove_small(c, 4, kWeightBoundsGroupEntries, kChunk);
      ADD_FAILURE() << "proved an out-of-range weight";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("weight 'vec': entry 150"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace zkinfer::proof
