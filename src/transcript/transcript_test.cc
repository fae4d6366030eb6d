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

TEST(TranscriptTest, MatchesDocumentedConstruction) {
  auto le = [](uint64_t v, int n) {
    std::vector<uint8_t> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return out;
  };
  auto cat = [](std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  auto vec = [](std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  auto d2v = [](const hash::Digest& d) { return std::vector<uint8_t>(d.begin(), d.end()); };

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

TEST(TranscriptTest, ToyFieldChallenges) {
  Transcript t("toy");
  std::set<uint32_t> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(t.challenge<field::F97>("c").value());
  EXPECT_EQ(seen.size(), 97u);  // every element of GF(97) shows up
}

}  // namespace
}  // namespace zkinfer::transcript
