// Checks tests/vectors/bn254_pairing.json, made by @noble/curves (tests/vectors/gen/gen_pairing.mjs):
// G2 scalar multiples and pairing values, the latter as the Fq2 coefficients of w^0..w^5 (the
// order Fq12::coeff uses; the generator documents how noble's nested fields map to it).
// noble's pairing is a fixed power of the reduced pairing zkinfer computes; see PairingValues.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "curve/pairing.h"

namespace zkinfer::curve {
namespace {

using nlohmann::json;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/bn254_pairing.json");
    if (!in) throw std::runtime_error("cannot open tests/vectors/bn254_pairing.json");
    return json::parse(in);
  }();
  return j;
}

field::Limbs<4> parse_hex(const std::string& s) {
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x' || s.size() > 66) throw std::runtime_error("bad hex " + s);
  field::Limbs<4> c{};
  size_t nd = s.size() - 2;
  for (size_t k = 0; k < nd; ++k) {
    char ch = s[s.size() - 1 - k];
    uint64_t d = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : 99;
    if (d == 99) throw std::runtime_error("bad hex " + s);
    c[(4 * k) / 64] |= d << ((4 * k) % 64);
  }
  return c;
}
template <class F>
F field_of(const json& v) {
  auto c = parse_hex(v.get<std::string>());
  if (field::geq(c, F::kModulus)) throw std::runtime_error("vector value not canonical");
  return F::from_canonical(c);
}
Fq2 fq2_of(const json& v) { return {field_of<Fq>(v[0]), field_of<Fq>(v[1])}; }
G2Affine g2_of(const json& v) { return G2Affine::from_xy(fq2_of(v["x"]), fq2_of(v["y"])); }

TEST(PairingVectors, G2Multiples) {
  const auto& cases = vectors().at("g2_mul");
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    G2Affine want = g2_of(c["p"]);
    ASSERT_TRUE(want.is_in_subgroup());
    EXPECT_EQ((G2::generator() * field_of<Fr>(c["k"])).to_affine(), want) << c["k"];
    // The EVM encoding of the vector point decodes back to it.
    auto e = G2Affine::from_evm_bytes(want.to_evm_bytes());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(*e, want);
  }
}

TEST(PairingVectors, PairingValues) {
  const auto& cases = vectors().at("pairing");
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    G1Affine p = G1Affine::from_xy(field_of<Fq>(c["p"]["x"]), field_of<Fq>(c["p"]["y"]));
    G2Affine q = g2_of(c["q"]);
    ASSERT_TRUE(p.is_on_curve());
    EXPECT_EQ((G1::generator() * field_of<Fr>(c["a"])).to_affine(), p);
    EXPECT_EQ((G2::generator() * field_of<Fr>(c["b"])).to_affine(), q);
    std::array<Fq2, 6> w;
    for (unsigned k = 0; k < 6; ++k) w[k] = fq2_of(c["e"][k]);
    Fq12 want = Fq12::from_coeffs(w);
    // noble's final exponentiation (the Fuentes-Castaneda, Knapp, Rodriguez-Henriquez hard
    // part) computes the fixed power m = 2x(6x^2 + 3x + 1) of the reduced pairing zkinfer
    // computes (f^((q^12-1)/r), as EIP-197 defines it); m is prime to r, so both are
    // non-degenerate bilinear pairings with the same kernel and the same pairing_check results.
    Fr x = Fr::from_u64(4965661367192848881ULL);
    Fr m = (x + x) * (Fr::from_u64(6) * x * x + Fr::from_u64(3) * x + Fr::one());
    Fq12 got = pairing(p, q).pow(m.to_canonical());
    for (unsigned k = 0; k < 6; ++k) EXPECT_EQ(got.coeff(k), w[k]) << "coefficient of w^" << k;
    EXPECT_EQ(got, want);
    EXPECT_NE(pairing(p, q), want);
  }
}

}  // namespace
}  // namespace zkinfer::curve
