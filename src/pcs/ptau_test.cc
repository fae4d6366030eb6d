// Tests of the .ptau reader (pcs/ptau.h) on the committed TEST-ONLY file
// tests/vectors/test_pot10.ptau (scripts/make-test-ptau.sh): points against the ones snarkjs's own
// libraries decode (tests/vectors/test_pot10.ptau.json), and every kind of bad file rejected with
// an error naming the file, the section and the reason.
#include "pcs/ptau.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace zkinfer::pcs {
namespace {

using field::Fq;
using field::Fq2;
using nlohmann::json;

const std::string kFile = std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau";

const std::vector<uint8_t>& file_bytes() {
  static const std::vector<uint8_t> b = [] {
    std::ifstream in(kFile, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + kFile);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
  }();
  return b;
}

const json& exported() {
  static const json j = [] {
    std::ifstream in(kFile + ".json");
    if (!in) throw std::runtime_error("cannot open " + kFile + ".json");
    return json::parse(in);
  }();
  return j;
}

Fq dec(const std::string& s) {
  Fq acc = Fq::zero();
  for (char c : s) acc = acc * Fq::from_u64(10) + Fq::from_u64(static_cast<uint64_t>(c - '0'));
  return acc;
}

uint64_t le(const std::vector<uint8_t>& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

// Offset of section id's data and of its 12-byte header, by scanning the file as snarkjs does.
struct SectionPos {
  size_t header, data, size;
};
SectionPos section(const std::vector<uint8_t>& b, uint32_t id) {
  size_t pos = 12;
  const uint32_t n = static_cast<uint32_t>(le(b, 8, 4));
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t t = static_cast<uint32_t>(le(b, pos, 4));
    const size_t size = le(b, pos + 4, 8);
    if (t == id) return {pos, pos + 12, size};
    pos += 12 + size;
  }
  throw std::runtime_error("no section");
}

PtauOptions opts(size_t g1 = 64, size_t g2 = 4) {
  PtauOptions o;
  o.g1_powers = g1;
  o.g2_powers = g2;
  return o;
}

// Expects read_ptau_bytes to throw an Error whose message contains every fragment.
void expect_error(const std::vector<uint8_t>& b, const std::vector<std::string>& fragments,
                  const PtauOptions& o = opts()) {
  try {
    read_ptau_bytes(b, "bad.ptau", o);
    FAIL() << "accepted; expected an error with " << fragments[0];
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad.ptau"), std::string::npos) << m;
    for (const auto& f : fragments) EXPECT_NE(m.find(f), std::string::npos) << "missing '" << f << "' in: " << m;
  }
}

void swap_points(std::vector<uint8_t>& b, uint32_t id, size_t point_bytes, size_t i, size_t j) {
  const size_t d = section(b, id).data;
  for (size_t k = 0; k < point_bytes; ++k) std::swap(b[d + i * point_bytes + k], b[d + j * point_bytes + k]);
}

TEST(Ptau, ReadsTheTestFileAndMatchesSnarkjs) {
  const json& j = exported();
  // Whole sections: every tauG1 power and all tauG2 powers, so that the last points are compared.
  Ptau p = read_ptau(kFile, opts(2047, 1024));
  EXPECT_EQ(p.power, 10u);
  EXPECT_EQ(p.ceremony_power, 10u);
  EXPECT_EQ(j["power"].get<uint32_t>(), p.power);
  ASSERT_EQ(p.tau_g1.size(), 2047u);
  ASSERT_EQ(p.tau_g2.size(), 1024u);
  ASSERT_EQ(p.alpha_tau_g1.size(), 1024u);
  ASSERT_EQ(p.beta_tau_g1.size(), 1024u);
  auto g1_eq = [](const json& e, const G1Affine& pt) {
    EXPECT_EQ(G1Affine::from_xy(dec(e["x"]), dec(e["y"])), pt) << "point " << e["i"];
  };
  auto g2_eq = [](const json& e, const G2Affine& pt) {
    G2Affine want = G2Affine::from_xy(Fq2{dec(e["x"][0]), dec(e["x"][1])}, Fq2{dec(e["y"][0]), dec(e["y"][1])});
    EXPECT_EQ(want, pt) << "point " << e["i"];
  };
  size_t compared = 0;
  for (const auto& e : j["tauG1"]) g1_eq(e, p.tau_g1.at(e["i"].get<size_t>())), ++compared;
  for (const auto& e : j["tauG2"]) g2_eq(e, p.tau_g2.at(e["i"].get<size_t>())), ++compared;
  for (const auto& e : j["alphaTauG1"]) g1_eq(e, p.alpha_tau_g1.at(e["i"].get<size_t>())), ++compared;
  for (const auto& e : j["betaTauG1"]) g1_eq(e, p.beta_tau_g1.at(e["i"].get<size_t>())), ++compared;
  g2_eq(j["betaG2"][0], p.beta_g2), ++compared;
  EXPECT_EQ(compared, 6u * 4 + 1);
  EXPECT_EQ(p.tau_g1[0], G1Affine::generator());
  EXPECT_EQ(p.tau_g2[0], G2Affine::generator());
}

TEST(Ptau, LoadsOnlyAPrefix) {
  Ptau p = read_ptau(kFile, opts(8, 2));
  EXPECT_EQ(p.tau_g1.size(), 8u);
  EXPECT_EQ(p.tau_g2.size(), 2u);
  EXPECT_EQ(p.beta_tau_g1.size(), 8u);
  Ptau full = read_ptau(kFile, opts(64, 2));
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(p.tau_g1[i], full.tau_g1[i]);
  // More G1 powers than betaTauG1 holds: the side sections stop at 2^power.
  Ptau wide = read_ptau(kFile, opts(2000, 2));
  EXPECT_EQ(wide.tau_g1.size(), 2000u);
  EXPECT_EQ(wide.beta_tau_g1.size(), 1024u);
}

TEST(Ptau, UnknownSectionsAreSkipped) {
  std::vector<uint8_t> b = file_bytes();
  // Append a section 12 (as a prepared file has) and bump the section count.
  const uint32_t n = static_cast<uint32_t>(le(b, 8, 4)) + 1;
  for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(n >> (8 * i));
  const std::vector<uint8_t> extra = {12, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3};
  b.insert(b.end(), extra.begin(), extra.end());
  Ptau p = read_ptau_bytes(b, "extra.ptau", opts());
  EXPECT_EQ(p.tau_g1.size(), 64u);
}

TEST(Ptau, RejectsBadFiles) {
  const std::vector<uint8_t>& good = file_bytes();
  {
    auto b = good;
    b[0] = 'x';
    expect_error(b, {"wrong magic"});
  }
  {
    auto b = good;
    b[4] = 2;
    expect_error(b, {"version 2"});
  }
  for (size_t cut : {size_t{0}, size_t{10}, size_t{30}, section(good, 2).data + 100, good.size() / 2, good.size() - 1}) {
    std::vector<uint8_t> b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    expect_error(b, {"truncated"});
  }
  {  // wrong curve: q changed
    auto b = good;
    b[section(good, 1).data + 4] ^= 1;
    expect_error(b, {"wrong curve", "prime q"});
  }
  {  // wrong curve: n8 = 48 (BLS12-381)
    auto b = good;
    b[section(good, 1).data] = 48;
    expect_error(b, {"wrong curve", "n8"});
  }
  // Too few powers.
  expect_error(good, {"too few powers", "section 2 (tauG1)"}, opts(2048, 2));
  expect_error(good, {"too few powers", "section 3 (tauG2)"}, opts(64, 1025));
  {  // a missing section (its id changed)
    auto b = good;
    b[section(good, 5).header] = 99;
    expect_error(b, {"missing section 5", "betaTauG1"});
  }
  {  // a section of the wrong size for the header's power
    auto b = good;
    b[section(good, 1).data + 4 + 32] = 9;  // power 10 -> 9
    expect_error(b, {"section 2 (tauG1)", "implies"});
  }
  {  // a point off the curve
    auto b = good;
    b[section(good, 2).data + 7 * 64 + 40] ^= 1;
    expect_error(b, {"section 2 (tauG1), point 7"});
  }
  {  // a non-canonical coordinate (all ones)
    auto b = good;
    for (size_t k = 0; k < 32; ++k) b[section(good, 4).data + 3 * 64 + k] = 0xff;
    expect_error(b, {"section 4 (alphaTauG1), point 3", "non-canonical"});
  }
  {  // the point at infinity
    auto b = good;
    for (size_t k = 0; k < 64; ++k) b[section(good, 5).data + 2 * 64 + k] = 0;
    expect_error(b, {"section 5 (betaTauG1), point 2", "infinity"});
  }
  {  // a G2 point off the twist
    auto b = good;
    b[section(good, 3).data + 1 * 128 + 100] ^= 1;
    expect_error(b, {"section 3 (tauG2), point 1"});
  }
}

TEST(Ptau, RejectsInconsistentPowers) {
  const std::vector<uint8_t>& good = file_bytes();
  struct Case {
    uint32_t id;
    size_t point_bytes, i, j;
    const char* name;
  };
  for (const Case& c : {Case{2, 64, 5, 6, "section 2 (tauG1)"}, Case{2, 64, 62, 63, "section 2 (tauG1)"},
                        Case{3, 128, 2, 3, "section 3 (tauG2)"}, Case{4, 64, 1, 9, "section 4 (alphaTauG1)"},
                        Case{5, 64, 20, 40, "section 5 (betaTauG1)"}}) {
    auto b = good;
    swap_points(b, c.id, c.point_bytes, c.i, c.j);
    expect_error(b, {"inconsistent powers", c.name});
  }
  {  // a point beyond the loaded prefix does not matter: only what is used is read
    auto b = good;
    swap_points(b, 2, 64, 100, 101);
    EXPECT_NO_THROW(read_ptau_bytes(b, "prefix.ptau", opts(64, 4)));
    expect_error(b, {"inconsistent powers", "section 2 (tauG1)"}, opts(128, 4));
  }
  {  // betaG2 replaced by tauG2[1]: valid G2 point, wrong discrete log
    auto b = good;
    const size_t from = section(good, 3).data + 128, to = section(good, 6).data;
    std::copy_n(good.begin() + static_cast<std::ptrdiff_t>(from), 128, b.begin() + static_cast<std::ptrdiff_t>(to));
    expect_error(b, {"inconsistent powers", "section 6 (betaG2)"});
  }
  {  // tauG1[0] not the generator (swapped with tauG1[1])
    auto b = good;
    swap_points(b, 2, 64, 0, 1);
    expect_error(b, {"section 2 (tauG1), point 0", "generator"});
  }
}

TEST(Ptau, MissingFile) {
  try {
    read_ptau("/nonexistent/x.ptau", opts());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.ptau"), std::string::npos);
  }
}

}  // namespace
}  // namespace zkinfer::pcs
