// Packed public output values (proof/packed_values.h): round trips at every width (random values of
// both signs, the extremes of int64, all zeros, no values), the canonical width and the exact byte
// count, and rejection of every non-canonical or short encoding.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "common/error.h"
#include "proof/packed_values.h"

namespace zkinfer::proof {
namespace {

std::vector<uint8_t> pack(const std::vector<int64_t>& v) {
  ByteWriter w;
  write_packed_values(w, v);
  return w.data();
}

std::vector<int64_t> unpack(const std::vector<uint8_t>& b, size_t n) {
  ByteReader r(b, "test");
  auto v = read_packed_values(r, n);
  r.expect_end();
  return v;
}

void expect_decode_error(const std::vector<uint8_t>& b, size_t n, const std::string& part) {
  try {
    (void)unpack(b, n);
    ADD_FAILURE() << "accepted: " << part;
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(PackedValues, RoundTripsAtEveryWidthWithTheCanonicalByteCount) {
  std::mt19937_64 rng(7);
  for (unsigned bits = 1; bits <= 64; ++bits) {
    for (size_t n : {size_t{1}, size_t{3}, size_t{8}, size_t{37}}) {
      std::vector<int64_t> v(n);
      for (auto& x : v) {
        const uint64_t z = bits == 64 ? rng() : rng() & ((uint64_t{1} << bits) - 1);
        x = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);  // a zigzag code below 2^bits
      }
      // Make the largest code need exactly `bits`: code 2^(bits-1) is the value 2^(bits-2) (bits >= 2)
      // or -1 (bits == 1).
      v[n / 2] = bits == 1 ? -1 : bits == 64 ? std::numeric_limits<int64_t>::min() : int64_t{1} << (bits - 2);
      const auto b = pack(v);
      ASSERT_EQ(b[0], bits);
      ASSERT_EQ(b.size(), 1 + (n * bits + 7) / 8) << bits << " " << n;
      ASSERT_EQ(unpack(b, n), v) << bits << " " << n;
    }
  }
  EXPECT_EQ(pack({0, 0, 0}), std::vector<uint8_t>{0});
  EXPECT_EQ(unpack({0}, 3), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(pack({}), std::vector<uint8_t>{0});
  EXPECT_TRUE(unpack({0}, 0).empty());
  const std::vector<int64_t> ext{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), -1, 0, 1};
  EXPECT_EQ(unpack(pack(ext), ext.size()), ext);
  // Small magnitudes of either sign are short: -3..3 in 3 bits.
  EXPECT_EQ(pack({-3, 3, 0, -1})[0], 3);
}

TEST(PackedValues, NonCanonicalOrShortEncodingsAreRejected) {
  const std::vector<int64_t> v{5, -7, 2, 0, 1};  // largest code 13: 4 bits, 20 bits: 3 bytes
  const auto b = pack(v);
  ASSERT_EQ(b.size(), 4u);
  ASSERT_EQ(b[0], 4);
  // A wider width for the same values (the same codes re-packed in 5 bits): not canonical.
  {
    std::vector<uint8_t> wide{5};
    unsigned __int128 acc = 0;
    unsigned have = 0;
    for (int64_t x : v) {
      acc |= static_cast<unsigned __int128>((static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63)) << have;
      have += 5;
    }
    for (unsigned i = 0; i < (have + 7) / 8; ++i) wide.push_back(static_cast<uint8_t>(acc >> (8 * i)));
    expect_decode_error(wide, 5, "not canonical");
  }
  // Unused bits of the last byte set (20 bits used of 24).
  auto dirty = b;
  dirty.back() |= 0x80;
  expect_decode_error(dirty, 5, "unused bits");
  // More than 64 bits a value; a truncated list; a width with no values.
  expect_decode_error({65, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, "at most 64");
  expect_decode_error(std::vector<uint8_t>(b.begin(), b.end() - 1), 5, "do not fit");
  expect_decode_error({3}, 0, "must be 0");
  // Every single-bit change of the packed bytes is rejected or decodes to other values.
  for (size_t byte = 1; byte < b.size(); ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      auto c = b;
      c[byte] ^= static_cast<uint8_t>(1 << bit);
      try {
        EXPECT_NE(unpack(c, 5), v);
      } catch (const DecodeError&) {
      }
    }
}

}  // namespace
}  // namespace zkinfer::proof
