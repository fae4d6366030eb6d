// Checks every vector in tests/vectors/bn254.json, made by an independent implementation (the
// audited @noble/curves JavaScript library; see tests/vectors/README.md): Fr/Fq products,
// inverses and square roots, G1 scalar multiplications and additions, zkinfer's point encoding,
// MSMs (full-width and small signed scalars) and zkinfer's hash-to-curve.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "curve/g1.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"

namespace zkinfer::curve {
namespace {

using nlohmann::json;

const json& vectors() {
  static const json j = [] {
    std::ifstream in(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/bn254.json");
    if (!in) throw std::runtime_error("cannot open tests/vectors/bn254.json");
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

G1Affine point_of(const json& v) {
  if (v.is_null()) return G1Affine::identity();
  G1Affine p = G1Affine::from_xy(field_of<Fq>(v["x"]), field_of<Fq>(v["y"]));
  if (!p.is_on_curve()) throw std::runtime_error("vector point not on the curve");
  return p;
}

std::vector<uint8_t> bytes_of_hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

TEST(Vectors, Moduli) {
  EXPECT_EQ(parse_hex(vectors()["q"]), Fq::kModulus);
  EXPECT_EQ(parse_hex(vectors()["r"]), Fr::kModulus);
}

template <class F>
void check_field(const json& j) {
  ASSERT_GT(j["mul"].size(), 40u);
  for (const auto& v : j["mul"]) EXPECT_EQ(field_of<F>(v["a"]) * field_of<F>(v["b"]), field_of<F>(v["ab"])) << v.dump();
  ASSERT_GT(j["inv"].size(), 40u);
  for (const auto& v : j["inv"]) EXPECT_EQ(field_of<F>(v["a"]).inverse(), field_of<F>(v["inv"])) << v.dump();
}

TEST(Vectors, Fr) { check_field<Fr>(vectors()["fr"]); }

TEST(Vectors, Fq) {
  check_field<Fq>(vectors()["fq"]);
  size_t squares = 0, non_squares = 0;
  for (const auto& v : vectors()["fq"]["sqrt"]) {
    Fq a = field_of<Fq>(v["a"]);
    auto root = a.sqrt();
    if (v["root"].is_null()) {
      EXPECT_FALSE(root.has_value()) << v.dump();
      ++non_squares;
    } else {
      ASSERT_TRUE(root.has_value()) << v.dump();
      Fq want = field_of<Fq>(v["root"]);
      EXPECT_TRUE(*root == want || *root == -want) << v.dump();
      ++squares;
    }
  }
  EXPECT_GT(squares, 5u);
  EXPECT_GT(non_squares, 5u);
}

TEST(Vectors, G1MulGenerator) {
  ASSERT_GT(vectors()["g1_mul_generator"].size(), 20u);
  for (const auto& v : vectors()["g1_mul_generator"]) {
    Fr k = field_of<Fr>(v["k"]);
    EXPECT_EQ((G1::generator() * k).to_affine(), point_of(v["p"])) << v.dump();
  }
}

TEST(Vectors, G1Mul) {
  for (const auto& v : vectors()["g1_mul"]) {
    G1 p(point_of(v["p"]));
    EXPECT_EQ((p * field_of<Fr>(v["k"])).to_affine(), point_of(v["kp"])) << v.dump();
  }
}

TEST(Vectors, G1Add) {
  for (const auto& v : vectors()["g1_add"]) {
    G1Affine p = point_of(v["p"]), q = point_of(v["q"]), sum = point_of(v["sum"]);
    EXPECT_EQ((G1(p) + G1(q)).to_affine(), sum) << v.dump();
    EXPECT_EQ((G1(p) + q).to_affine(), sum) << v.dump();
  }
}

TEST(Vectors, G1Encoding) {
  for (const auto& v : vectors()["g1_encoding"]) {
    G1Affine p = point_of(v["p"]);
    auto want = bytes_of_hex(v["bytes"]);
    auto got = p.to_bytes();
    EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.end()), want) << v.dump();
    auto back = G1Affine::from_bytes(want);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, p);
  }
}

TEST(Vectors, Msm) {
  ASSERT_EQ(vectors()["msm"].size(), 4u);
  for (const auto& v : vectors()["msm"]) {
    std::vector<G1Affine> bases;
    for (const auto& p : v["points"]) bases.push_back(point_of(p));
    std::vector<Fr> scalars;
    std::vector<int64_t> small;
    bool fits = true;
    for (const auto& s : v["scalars"]) {
      const std::string dec = s.get<std::string>();
      // Decimal, possibly negative: parse by Horner in Fr.
      Fr acc = Fr::zero();
      bool neg = !dec.empty() && dec[0] == '-';
      for (size_t i = neg ? 1 : 0; i < dec.size(); ++i) acc = acc * Fr::from_u64(10) + Fr::from_u64(dec[i] - '0');
      scalars.push_back(neg ? -acc : acc);
      if (dec.size() <= 18) small.push_back(std::stoll(dec));
      else fits = false;
    }
    const G1Affine want = point_of(v["result"]);
    EXPECT_EQ(msm(bases, scalars).to_affine(), want);
    EXPECT_EQ(msm_naive(bases, scalars).to_affine(), want);
    if (fits) {
      EXPECT_EQ(msm_small(bases, small).to_affine(), want);
    }
  }
}

TEST(Vectors, HashToCurve) {
  ASSERT_GE(vectors()["hash_to_curve"].size(), 10u);
  for (const auto& v : vectors()["hash_to_curve"]) {
    auto msg = bytes_of_hex(v["msg"]);
    EXPECT_EQ(hash_to_curve(v["domain"].get<std::string>(), msg), point_of(v["p"])) << v.dump();
  }
}

}  // namespace
}  // namespace zkinfer::curve
