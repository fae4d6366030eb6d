// Transcript: determinism, sensitivity to every absorbed byte, label and domain separation, and
// the documented construction recomputed from keccak256 directly.
#include "transcript/transcript.h"

#include <gtest/gtest.h>

#include <set>

#include "field/bn254.h"
#include "field/toy.h"

namespace zkinfer::transcript {
namespace {

using field::Fr;

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Fr run(std::string_view domain, std::string_view label, std::string_view data, std::string_view clabel) {
  Transcript t(domain);
  t.absorb_bytes(label, bytes(data));
  return t.challenge<Fr>(clabel);
}

TEST(TranscriptTest, Deterministic) {
  EXPECT_EQ(run("d", "x", "hello", "c"), run("d", "x", "hello", "c"));
}

TEST(TranscriptTest, EverythingIsBound) {
  Fr base = run("d", "x", "hello", "c");
  EXPECT_NE(base, run("e", "x", "hello", "c"));   // domain
  EXPECT_NE(base, run("d", "y", "hello", "c"));   // absorb label
  EXPECT_NE(base, run("d", "x", "hellp", "c"));   // data
  EXPECT_NE(base, run("d", "x", "hello", "c2"));  // challenge label
  // Moving bytes between label and data changes the challenge (length prefixes).
  EXPECT_NE(run("d", "ab", "c", "z"), run("d", "a", "bc", "z"));
}

TEST(TranscriptTest, SuccessiveChallengesDiffer) {
  Transcript t("d");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(t.challenge<Fr>("c").to_hex());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TranscriptTest, ChallengeDependsOnOrder) {
  Transcript a("d"), b("d");
  a.absorb(std::string_view("p"), Fr::from_u64(1));
  a.absorb(std::string_view("q"), Fr::from_u64(2));
  b.absorb(std::string_view("q"), Fr::from_u64(2));
  b.absorb(std::string_view("p"), Fr::from_u64(1));
  EXPECT_NE(a.challenge<Fr>("c"), b.challenge<Fr>("c"));
}

// Byte-string helpers of the documented-construction tests.
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<uint8_t> vec(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::vector<uint8_t> d2v(const hash::Digest& d) { return std::vector<uint8_t>(d.begin(), d.end()); }

TEST(TranscriptTest, MatchesDocumentedConstruction) {
  auto le = [](uint64_t v, int n) {
    std::vector<uint8_t> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return out;
  };

  hash::Digest s0 = hash::keccak256(cat({vec(kProtocolVersion), le(3, 4), vec("dom")}));
  hash::Digest s1 = hash::keccak256(cat({d2v(s0), {0x01}, le(1, 4), vec("L"), le(2, 8), vec("hi")}));
  hash::Digest h = hash::keccak256(cat({d2v(s1), {0x02}, le(1, 4), vec("C")}));
  std::vector<uint8_t> wide = cat({d2v(hash::keccak256(cat({d2v(h), {0x00}}))),
                                   d2v(hash::keccak256(cat({d2v(h), {0x01}})))});
  Transcript t("dom");
  t.absorb_bytes("L", bytes("hi"));
  EXPECT_EQ(t.challenge<Fr>("C"), Fr::from_uniform_bytes(wide));
  EXPECT_EQ(t.state(), h);
}

// v2 (the EVM's byte order), recomputed from keccak256 and a big-endian reading of the 64 challenge
// bytes done with the field's own arithmetic (a * 2^256 + b mod p), not with the code under test.
TEST(TranscriptTest, V2MatchesDocumentedConstruction) {
  auto be = [](uint64_t v, int n) {
    std::vector<uint8_t> out;
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return out;
  };
  // A 32-byte big-endian integer as an Fr (Horner over bytes).
  auto be_fr = [](std::span<const uint8_t> b) {
    Fr acc = Fr::zero();
    for (uint8_t x : b) acc = acc * Fr::from_u64(256) + Fr::from_u64(x);
    return acc;
  };
  const Fr x = Fr::from_u64(0x0102030405060708ull) * Fr::from_u64(0x1112131415161718ull) + Fr::from_u64(99);
  std::vector<uint8_t> x_be;
  {
    // x's 32 big-endian bytes, from its value: repeated division is not available, so compare
    // against the field's own little-endian encoding reversed AND check that reading it back
    // big-endian gives x.
    auto le = x.to_bytes();
    x_be.assign(le.rbegin(), le.rend());
    ASSERT_EQ(be_fr(x_be), x);
  }

  hash::Digest s0 = hash::keccak256(cat({vec(kProtocolVersionV2), be(3, 4), vec("dom")}));
  hash::Digest s1 = hash::keccak256(cat({d2v(s0), {0x01}, be(1, 4), vec("L"), be(2, 8), vec("hi")}));
  hash::Digest s2 = hash::keccak256(cat({d2v(s1), {0x01}, be(1, 4), vec("x"), be(32, 8), x_be}));
  hash::Digest s3 = hash::keccak256(cat({d2v(s2), {0x01}, be(1, 4), vec("u"), be(8, 8), be(0x0a0b0c0d0e0f1011ull, 8)}));
  hash::Digest s4 = hash::keccak256(cat({d2v(s3), {0x01}, be(2, 4), vec("xs"), be(64, 8), x_be, x_be}));
  hash::Digest h = hash::keccak256(cat({d2v(s4), {0x02}, be(1, 4), vec("C")}));
  const hash::Digest k0 = hash::keccak256(cat({d2v(h), {0x00}}));
  const hash::Digest k1 = hash::keccak256(cat({d2v(h), {0x01}}));
  // 2^256 mod p = (2^128)^2.
  Fr two128 = Fr::one();
  for (int i = 0; i < 128; ++i) two128 = two128.doubled();
  const Fr expect = be_fr(k0) * two128 * two128 + be_fr(k1);

  Transcript t("dom", Encoding::kV2);
  EXPECT_EQ(t.encoding(), Encoding::kV2);
  t.absorb_bytes("L", bytes("hi"));
  t.absorb(std::string_view("x"), x);
  t.absorb_u64("u", 0x0a0b0c0d0e0f1011ull);
  std::vector<Fr> xs = {x, x};
  t.absorb_many("xs", xs);
  EXPECT_EQ(t.challenge<Fr>("C"), expect);
  EXPECT_EQ(t.state(), h);
}

TEST(TranscriptTest, EncodingsDiffer) {
  Transcript a("d"), b("d", Encoding::kV2);
  EXPECT_NE(a.state(), b.state());
  Transcript c("d", Encoding::kV1);
  EXPECT_EQ(a.state(), c.state());  // v1 is the default
}

TEST(TranscriptTest, ToyFieldChallenges) {
  Transcript t("toy");
  std::set<uint32_t> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(t.challenge<field::F97>("c").value());
  EXPECT_EQ(seen.size(), 97u);  // every element of GF(97) shows up
}

}  // namespace
}  // namespace zkinfer::transcript
