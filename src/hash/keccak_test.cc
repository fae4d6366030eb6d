// Keccak-256 and SHA3-256 against published vectors (NIST FIPS 202 examples for SHA3-256; the
// Ethereum Keccak-256 values of the empty string and of well-known sentences), and the
// incremental interface against the one-shot one.
#include "hash/keccak.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::hash {
namespace {

std::string hex(const Digest& d) {
  static const char* k = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(k[b >> 4]);
    s.push_back(k[b & 15]);
  }
  return s;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(KeccakTest, Keccak256Vectors) {
  EXPECT_EQ(hex(keccak256(bytes(""))), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(hex(keccak256(bytes("abc"))), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(hex(keccak256(bytes("The quick brown fox jumps over the lazy dog"))),
            "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(KeccakTest, Sha3_256Vectors) {
  EXPECT_EQ(hex(sha3_256(bytes(""))), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(hex(sha3_256(bytes("abc"))), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(hex(sha3_256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376");
  std::string million(1000000, 'a');
  EXPECT_EQ(hex(sha3_256(bytes(million))), "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1");
}

TEST(KeccakTest, IncrementalMatchesOneShot) {
  SCOPED_TRACE(zkinfer::testing::seed_note());
  TestRng rng(zkinfer::testing::test_seed());
  for (size_t len : {0, 1, 135, 136, 137, 271, 272, 273, 1000}) {
    std::vector<uint8_t> msg(len);
    rng.fill(msg);
    Keccak256 h;
    size_t pos = 0;
    while (pos < len) {
      size_t step = std::min<size_t>(len - pos, 1 + rng.next_u64() % 150);
      h.update(std::span<const uint8_t>(msg).subspan(pos, step));
      pos += step;
    }
    EXPECT_EQ(h.finalize(), keccak256(msg)) << "length " << len;
  }
}

// The lane-wise absorption (8 bytes at a time from a lane boundary) against byte-at-a-time
// absorption, from every starting alignment.
TEST(KeccakTest, LaneAbsorptionMatchesBytewise) {
  SCOPED_TRACE(zkinfer::testing::seed_note());
  TestRng rng(zkinfer::testing::test_seed());
  for (size_t lead = 0; lead < 9; ++lead) {
    for (size_t len : {7, 8, 9, 64, 127, 128, 129, 300}) {
      std::vector<uint8_t> msg(lead + len);
      rng.fill(msg);
      Keccak256 bytewise, lanes;
      for (uint8_t b : msg) bytewise.update(std::span<const uint8_t>(&b, 1));
      lanes.update(std::span<const uint8_t>(msg).subspan(0, lead));
      lanes.update(std::span<const uint8_t>(msg).subspan(lead));
      EXPECT_EQ(lanes.finalize(), bytewise.finalize()) << "lead " << lead << " length " << len;
    }
  }
}

}  // namespace
}  // namespace zkinfer::hash
