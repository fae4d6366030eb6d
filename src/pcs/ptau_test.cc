// Tests of the .ptau reader (pcs/ptau.h) on the committed TEST-ONLY file
// tests/vectors/test_pot10.ptau (scripts/make-test-ptau.sh): points against the ones snarkjs's own
// libraries decode (tests/vectors/test_pot10.ptau.json), and every kind of bad file rejected with
// an error naming the file, the section and the reason; and the Lagrange sections 12-15 of prepared
// files (written by the TEST-ONLY writer, pcs/ptau_writer.h, whose output is byte for byte what
// `snarkjs powersoftau prepare phase2` makes: scripts/check-insecure-ptau.sh): read for the domain
// asked for, equal to the inverse DFT of the powers, and refused when a point, a size or a section
// is wrong.
#include "pcs/ptau.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "pcs/ptau_writer.h"
#include "poly/ntt.h"

namespace zkinfer::pcs {
namespace {

using field::Fq;
using field::Fq2;
using field::Fr;
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

// ---- Lagrange sections (prepared files) ----

constexpr uint32_t kPower = 5;

const InsecureTestPtauSecrets& secrets() {
  static const InsecureTestPtauSecrets s = insecure_test_ptau_secrets("ptau_test lagrange");
  return s;
}
const std::vector<uint8_t>& prepared_bytes() {
  static const std::vector<uint8_t> b = insecure_test_ptau_bytes(kPower, secrets());
  return b;
}

PtauOptions lagrange_opts(unsigned k) {
  PtauOptions o = opts((size_t{2} << kPower) - 1, size_t{1} << kPower);
  o.lagrange_power = k;
  return o;
}

// first * L_i(tau) for the domain 2^k, by the field inverse NTT of the powers (not the writer's
// closed form).
std::vector<Fr> lagrange_scalars(unsigned k, const Fr& first) {
  std::vector<Fr> v(size_t{1} << k);
  Fr t = first;
  for (Fr& x : v) x = t, t = t * secrets().tau;
  poly::intt(v);
  return v;
}

TEST(PtauLagrange, ReadsTheRequestedDomainOfAPreparedFile) {
  const auto& s = secrets();
  for (unsigned k : {0u, 1u, 3u, kPower}) {
    const Ptau p = read_ptau_bytes(prepared_bytes(), "prepared.ptau", lagrange_opts(k));
    EXPECT_TRUE(p.prepared);
    ASSERT_TRUE(p.lagrange.has_value()) << k;
    const PtauLagrange& l = *p.lagrange;
    const size_t n = size_t{1} << k;
    EXPECT_EQ(l.power, k);
    ASSERT_EQ(l.tau_g1.size(), n);
    ASSERT_EQ(l.tau_g2.size(), n);
    ASSERT_EQ(l.alpha_tau_g1.size(), n);
    ASSERT_EQ(l.beta_tau_g1.size(), n);
    const auto lt = lagrange_scalars(k, Fr::one()), la = lagrange_scalars(k, s.alpha), lb = lagrange_scalars(k, s.beta);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(l.tau_g1[i], (curve::G1::generator() * lt[i]).to_affine()) << k << " " << i;
      EXPECT_EQ(l.tau_g2[i], (curve::G2::generator() * lt[i]).to_affine()) << k << " " << i;
      EXPECT_EQ(l.alpha_tau_g1[i], (curve::G1::generator() * la[i]).to_affine()) << k << " " << i;
      EXPECT_EQ(l.beta_tau_g1[i], (curve::G1::generator() * lb[i]).to_affine()) << k << " " << i;
    }
  }
  // Without the request the sections are not looked at.
  const Ptau p = read_ptau_bytes(prepared_bytes(), "prepared.ptau", opts(32, 4));
  EXPECT_FALSE(p.prepared);
  EXPECT_FALSE(p.lagrange.has_value());
}

TEST(PtauLagrange, AnUnpreparedFileSaysSo) {
  // The snarkjs-made test file (scripts/make-test-ptau.sh: new + beacon, not prepared).
  PtauOptions o = opts(2047, 1024);
  o.lagrange_power = 10;
  const Ptau p = read_ptau(kFile, o);
  EXPECT_FALSE(p.prepared);
  EXPECT_FALSE(p.lagrange.has_value());
  EXPECT_EQ(p.tau_g1.size(), 2047u);
  // The writer's unprepared file.
  const Ptau q = read_ptau_bytes(insecure_test_ptau_bytes(kPower, secrets(), false), "unprepared.ptau", lagrange_opts(3));
  EXPECT_FALSE(q.prepared);
  EXPECT_FALSE(q.lagrange.has_value());
}

// Section id's point `index` (counted from the section's start) overwritten by `with`'s bytes.
void put_point(std::vector<uint8_t>& b, uint32_t id, size_t point_bytes, size_t index, const std::vector<uint8_t>& with) {
  std::copy(with.begin(), with.end(), b.begin() + static_cast<std::ptrdiff_t>(section(b, id).data + index * point_bytes));
}
std::vector<uint8_t> get_point(const std::vector<uint8_t>& b, uint32_t id, size_t point_bytes, size_t index) {
  const size_t at = section(b, id).data + index * point_bytes;
  return {b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + point_bytes)};
}

TEST(PtauLagrange, AChangedLagrangePointIsRefused) {
  const auto& good = prepared_bytes();
  const unsigned k = 3;
  const size_t base = (size_t{1} << k) - 1;  // the domain 2^3's block starts at point 7
  struct Case {
    uint32_t id, against;
    size_t point_bytes;
  };
  for (const Case& c : {Case{12, 2, 64}, Case{13, 3, 128}, Case{14, 4, 64}, Case{15, 5, 64}}) {
    const std::string name = "section " + std::to_string(c.id);
    {  // one point replaced by another valid point (the next block's first): a backdoor's shape
      auto b = good;
      put_point(b, c.id, c.point_bytes, base + 2, get_point(good, c.id, c.point_bytes, 2 * base + 1));
      expect_error(b, {name, "Lagrange", "not the inverse DFT", "section " + std::to_string(c.against)}, lagrange_opts(k));
    }
    {  // two points of the block swapped (the order matters)
      auto b = good;
      const auto p0 = get_point(good, c.id, c.point_bytes, base), p5 = get_point(good, c.id, c.point_bytes, base + 5);
      put_point(b, c.id, c.point_bytes, base, p5);
      put_point(b, c.id, c.point_bytes, base + 5, p0);
      expect_error(b, {name, "not the inverse DFT"}, lagrange_opts(k));
      // Another domain's block is not read: the same file gives the domain 2^2's points.
      const Ptau p = read_ptau_bytes(b, "other-block.ptau", lagrange_opts(2));
      EXPECT_TRUE(p.lagrange.has_value());
    }
    {  // a point off the curve, named by its index in the section
      auto b = good;
      b[section(good, c.id).data + (base + 4) * c.point_bytes + 10] ^= 1;
      expect_error(b, {name, "point " + std::to_string(base + 4)}, lagrange_opts(k));
    }
    {  // the identity
      auto b = good;
      put_point(b, c.id, c.point_bytes, base + 1, std::vector<uint8_t>(c.point_bytes, 0));
      expect_error(b, {name, "point " + std::to_string(base + 1), "infinity"}, lagrange_opts(k));
    }
  }
}

TEST(PtauLagrange, MalformedSectionsAreRefused) {
  const auto& good = prepared_bytes();
  {  // a Lagrange section missing (its id changed): partly prepared
    auto b = good;
    b[section(good, 14).header] = 99;
    expect_error(b, {"partly prepared", "missing section 14", "alphaTauG1 Lagrange"}, lagrange_opts(2));
  }
  {  // the wrong size for the header's power (section 13 one point short, the file consistent)
    auto b = good;
    const auto sec = section(good, 13);
    const uint64_t size = sec.size - 128;
    for (int i = 0; i < 8; ++i) b[sec.header + 4 + i] = static_cast<uint8_t>(size >> (8 * i));
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(sec.data + size), b.begin() + static_cast<std::ptrdiff_t>(sec.data + sec.size));
    expect_error(b, {"section 13 (tauG2 Lagrange)", "implies"}, lagrange_opts(2));
  }
  {  // the wrong size, consistently (a whole block's worth of points more, file extended)
    auto b = good;
    const auto sec = section(good, 15);
    const uint64_t size = sec.size + 64;
    for (int i = 0; i < 8; ++i) b[sec.header + 4 + i] = static_cast<uint8_t>(size >> (8 * i));
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(sec.data + sec.size), 64, uint8_t{1});
    expect_error(b, {"section 15 (betaTauG1 Lagrange)", "implies"}, lagrange_opts(2));
  }
  {  // a file cut inside section 15
    const auto sec = section(good, 15);
    std::vector<uint8_t> b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(sec.data + 100));
    expect_error(b, {"truncated", "section 15"}, lagrange_opts(2));
  }
  {  // a bogus section 12 alone (as in UnknownSectionsAreSkipped): ignored unless asked for
    auto b = file_bytes();
    const uint32_t n = static_cast<uint32_t>(le(b, 8, 4)) + 1;
    for (int i = 0; i < 4; ++i) b[8 + i] = static_cast<uint8_t>(n >> (8 * i));
    const std::vector<uint8_t> extra = {12, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3};
    b.insert(b.end(), extra.begin(), extra.end());
    PtauOptions o = opts(2047, 1024);
    o.lagrange_power = 4;
    expect_error(b, {"partly prepared", "missing section 13"}, o);
  }
  // The domain larger than the file's power.
  expect_error(good, {"domain 2^6", "power is 5"}, lagrange_opts(kPower + 1));
  {  // too few powers read to check the Lagrange points: a caller's error, reported
    PtauOptions o = opts(16, 16);
    o.lagrange_power = 5;
    expect_error(good, {"checked against the powers"}, o);
  }
}

}  // namespace
}  // namespace zkinfer::pcs
