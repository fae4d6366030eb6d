// Tests of hash_to_curve / derive_generators (curve/hash_to_curve.h): on the curve, deterministic,
// domain separated, length-prefix injective, and derive_generators agrees with hash_to_curve.
// (Independent vectors from a JavaScript re-implementation are checked in vectors_test.cc.)
#include "curve/hash_to_curve.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace zkinfer::curve {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(HashToCurve, OnCurveAndDeterministic) {
  for (std::string_view msg : {"", "a", "abc", "generator 0"}) {
    G1Affine p = hash_to_curve("zkinfer/test", bytes_of(msg));
    EXPECT_FALSE(p.infinity);
    EXPECT_TRUE(p.is_on_curve());
    EXPECT_EQ(p, hash_to_curve("zkinfer/test", bytes_of(msg)));
    EXPECT_NE(p, G1Affine::generator());
  }
}

TEST(HashToCurve, DomainSeparation) {
  const std::string_view msg = "abc";
  G1Affine a = hash_to_curve("zkinfer/test", bytes_of(msg));
  EXPECT_NE(a, hash_to_curve("zkinfer/test2", bytes_of(msg)));
  EXPECT_NE(a, hash_to_curve("", bytes_of(msg)));
  EXPECT_NE(a, hash_to_curve("zkinfer/test", bytes_of("abd")));
  // Length prefixes: moving a byte between domain and message changes the point.
  EXPECT_NE(hash_to_curve("ab", bytes_of("c")), hash_to_curve("a", bytes_of("bc")));
  EXPECT_NE(hash_to_curve("", bytes_of("")), hash_to_curve("", bytes_of(std::string_view("\0", 1))));
}

TEST(HashToCurve, DeriveGeneratorsMatchesAndIsDistinct) {
  const size_t n = 1000;
  auto gens = derive_generators("zkinfer/test-generators", n);
  ASSERT_EQ(gens.size(), n);
  std::set<std::array<uint8_t, 32>> seen;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(gens[i].is_on_curve());
    ASSERT_FALSE(gens[i].infinity);
    seen.insert(gens[i].to_bytes());
    if (i % 97 == 0) {
      std::array<uint8_t, 8> msg{};
      for (size_t k = 0; k < 8; ++k) msg[k] = static_cast<uint8_t>(i >> (8 * k));
      EXPECT_EQ(gens[i], hash_to_curve("zkinfer/test-generators", msg));
    }
  }
  EXPECT_EQ(seen.size(), n);
  // A prefix of a longer derivation is the shorter derivation.
  auto few = derive_generators("zkinfer/test-generators", 10);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(few[i], gens[i]);
  EXPECT_NE(derive_generators("zkinfer/other", 1)[0], gens[0]);
  EXPECT_TRUE(derive_generators("x", 0).empty());
}

}  // namespace
}  // namespace zkinfer::curve
