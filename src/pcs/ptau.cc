#include "pcs/ptau.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

#include "common/error.h"
#include "common/random.h"
#include "curve/g2_msm.h"
#include "curve/msm.h"
#include "curve/pairing.h"
#include "field/bn254.h"
#include "poly/ntt.h"

namespace zkinfer::pcs {

using curve::G1;
using curve::G2;
using field::Fq;
using field::Fq2;
using field::Fr;

namespace {

constexpr size_t kN8 = 32;
constexpr size_t kG1Bytes = 2 * kN8;
constexpr size_t kG2Bytes = 4 * kN8;

const char* section_name(uint32_t id) {
  switch (id) {
    case 1: return "header";
    case 2: return "tauG1";
    case 3: return "tauG2";
    case 4: return "alphaTauG1";
    case 5: return "betaTauG1";
    case 6: return "betaG2";
    case 12: return "tauG1 Lagrange";
    case 13: return "tauG2 Lagrange";
    case 14: return "alphaTauG1 Lagrange";
    case 15: return "betaTauG1 Lagrange";
    default: return "section";
  }
}

// Random access to the file's bytes (a stream for files, a vector in memory).
struct Source {
  std::string name;
  uint64_t size = 0;
  std::function<void(uint64_t, uint8_t*, size_t)> read;  // offset, out, n (within size)

  [[noreturn]] void fail(const std::string& why) const { throw Error(name + ": " + why); }
  std::vector<uint8_t> bytes(uint64_t offset, size_t n, const std::string& what) const {
    if (offset > size || n > size - offset)
      fail("truncated: " + what + " needs bytes " + std::to_string(offset) + ".." +
           std::to_string(offset + n) + " but the file has " + std::to_string(size));
    std::vector<uint8_t> out(n);
    if (n) read(offset, out.data(), n);
    return out;
  }
};

uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// One coordinate in Montgomery form (x R mod q, little endian), canonical (< q).
std::optional<Fq> read_mont(const uint8_t* p) {
  Fq::Repr m{};
  for (size_t i = 0; i < 4; ++i) m[i] = le(p + 8 * i, 8);
  if (field::geq(m, Fq::kModulus)) return std::nullopt;
  return Fq::from_mont(m);
}

bool all_zero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

struct Sections {
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> at;  // id -> (offset of data, size)
};

Sections scan(const Source& src) {
  auto head = src.bytes(0, 12, "the file header (magic, version, section count)");
  if (std::string(head.begin(), head.begin() + 4) != "ptau")
    src.fail("not a .ptau file (wrong magic: expected \"ptau\")");
  const uint32_t version = static_cast<uint32_t>(le(head.data() + 4, 4));
  if (version != 1) src.fail("unsupported .ptau version " + std::to_string(version) + " (expected 1)");
  const uint32_t n = static_cast<uint32_t>(le(head.data() + 8, 4));
  Sections s;
  uint64_t pos = 12;
  for (uint32_t i = 0; i < n; ++i) {
    auto h = src.bytes(pos, 12, "the header of section number " + std::to_string(i));
    const uint32_t id = static_cast<uint32_t>(le(h.data(), 4));
    const uint64_t size = le(h.data() + 4, 8);
    pos += 12;
    if (size > src.size - pos)
      src.fail("truncated: section " + std::to_string(id) + " (" + section_name(id) + ") declares " +
               std::to_string(size) + " bytes but only " + std::to_string(src.size - pos) + " remain");
    if (((id >= 1 && id <= 6) || (id >= 12 && id <= 15)) && s.at.count(id))
      src.fail("section " + std::to_string(id) + " (" + section_name(id) + ") appears twice");
    s.at[id] = {pos, size};
    pos += size;
  }
  return s;
}

std::pair<uint64_t, uint64_t> need_section(const Source& src, const Sections& s, uint32_t id) {
  auto it = s.at.find(id);
  if (it == s.at.end())
    src.fail("missing section " + std::to_string(id) + " (" + section_name(id) + ")");
  return it->second;
}

void check_size(const Source& src, uint32_t id, uint64_t size, uint64_t expected) {
  if (size != expected)
    src.fail("section " + std::to_string(id) + " (" + section_name(id) + ") has " + std::to_string(size) +
             " bytes; the header's power implies " + std::to_string(expected));
}

// `count` points from `offset`, the first of them point number `first` of section `id` (for messages).
std::vector<G1Affine> read_g1(const Source& src, uint32_t id, uint64_t offset, size_t count, uint64_t first = 0) {
  auto buf = src.bytes(offset, count * kG1Bytes, std::string(section_name(id)) + " points");
  std::vector<G1Affine> out(count);
  std::vector<std::string> bad(count);
#pragma omp parallel for schedule(static) if (count > 1024)
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = buf.data() + i * kG1Bytes;
    if (all_zero(p, kG1Bytes)) { bad[i] = "the point at infinity"; continue; }
    auto x = read_mont(p), y = read_mont(p + kN8);
    if (!x || !y) { bad[i] = "a coordinate is not below q (non-canonical)"; continue; }
    out[i] = G1Affine::from_xy(*x, *y);
    if (!out[i].is_on_curve()) bad[i] = "not on the curve";
  }
  for (size_t i = 0; i < count; ++i)
    if (!bad[i].empty())
      src.fail("section " + std::to_string(id) + " (" + section_name(id) + "), point " + std::to_string(first + i) +
               ": " + bad[i]);
  return out;
}

std::vector<G2Affine> read_g2(const Source& src, uint32_t id, uint64_t offset, size_t count, uint64_t first = 0) {
  auto buf = src.bytes(offset, count * kG2Bytes, std::string(section_name(id)) + " points");
  std::vector<G2Affine> out(count);
  std::vector<std::string> bad(count);
#pragma omp parallel for schedule(dynamic) if (count > 4)
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = buf.data() + i * kG2Bytes;
    if (all_zero(p, kG2Bytes)) { bad[i] = "the point at infinity"; continue; }
    std::array<std::optional<Fq>, 4> c;
    for (size_t k = 0; k < 4; ++k) c[k] = read_mont(p + k * kN8);
    if (!c[0] || !c[1] || !c[2] || !c[3]) { bad[i] = "a coordinate is not below q (non-canonical)"; continue; }
    out[i] = G2Affine::from_xy(Fq2{*c[0], *c[1]}, Fq2{*c[2], *c[3]});
    if (!out[i].is_on_curve()) bad[i] = "not on the twist curve";
    else if (!out[i].is_in_subgroup()) bad[i] = "not in the prime-order subgroup G2";
  }
  for (size_t i = 0; i < count; ++i)
    if (!bad[i].empty())
      src.fail("section " + std::to_string(id) + " (" + section_name(id) + "), point " + std::to_string(first + i) +
               ": " + bad[i]);
  return out;
}

// The Lagrange points of the domain 2^k from sections 12-15 when the file has them (see ptau.h for
// the layout: the block of domain 2^k starts at point 2^k - 1 of each section).
void read_lagrange(const Source& src, const Sections& s, unsigned k, const PtauOptions& opt, Ptau& p) {
  const uint64_t n = uint64_t{1} << std::min(k, 63u);
  if (k > p.power)
    src.fail("asked for the Lagrange points of the domain 2^" + std::to_string(k) + " but the file's power is " +
             std::to_string(p.power));
  // The check against the powers needs them (an invariant of the caller's options, reported as an
  // error rather than trusted).
  if (opt.g1_powers < n || opt.g2_powers < n || !opt.read_alpha)
    throw Error(src.name + ": the Lagrange points of the domain 2^" + std::to_string(k) +
                " are checked against the powers; read at least " + std::to_string(n) +
                " G1 and G2 powers and alphaTauG1 with them");
  const uint32_t ids[4] = {12, 13, 14, 15};
  size_t present = 0;
  for (uint32_t id : ids) present += s.at.count(id);
  if (present == 0) return;  // not prepared: the caller computes the points itself
  for (uint32_t id : ids)
    if (!s.at.count(id))
      src.fail("partly prepared: missing section " + std::to_string(id) + " (" + section_name(id) +
               ") while other Lagrange sections (12-15) are present");
  p.prepared = true;
  const uint64_t blocks = (uint64_t{2} << p.power) - 1;  // sum of 2^j for j = 0..power
  auto off = [&](uint32_t id, uint64_t count, size_t point_bytes) {
    auto [o, size] = s.at.at(id);
    check_size(src, id, size, count * point_bytes);
    return o + (n - 1) * point_bytes;
  };
  const uint64_t o12 = off(12, 2 * blocks + 1, kG1Bytes), o13 = off(13, blocks, kG2Bytes);
  const uint64_t o14 = off(14, blocks, kG1Bytes), o15 = off(15, blocks, kG1Bytes);
  PtauLagrange l;
  l.power = k;
  l.tau_g1 = read_g1(src, 12, o12, n, n - 1);
  l.tau_g2 = read_g2(src, 13, o13, n, n - 1);
  l.alpha_tau_g1 = read_g1(src, 14, o14, n, n - 1);
  l.beta_tau_g1 = read_g1(src, 15, o15, n, n - 1);
  p.lagrange = std::move(l);
}

Ptau read(const Source& src, const PtauOptions& opt) {
  if (opt.g1_powers < 2 || opt.g2_powers < 2)
    throw Error(src.name + ": asked for " + std::to_string(opt.g1_powers) + " G1 and " +
                std::to_string(opt.g2_powers) + " G2 powers; at least 2 of each are needed");
  Sections s = scan(src);
  Ptau p;
  p.path = src.name;
  {
    auto [off, size] = need_section(src, s, 1);
    auto h = src.bytes(off, std::min<uint64_t>(size, 4), "header n8");
    if (size < 4) src.fail("section 1 (header) is too short");
    const uint32_t n8 = static_cast<uint32_t>(le(h.data(), 4));
    if (n8 != kN8)
      src.fail("wrong curve: the header's field size n8 is " + std::to_string(n8) +
               " bytes (BN254 / snarkjs's bn128 has 32; 48 would be BLS12-381)");
    check_size(src, 1, size, 4 + kN8 + 8);
    auto body = src.bytes(off + 4, kN8 + 8, "header");
    Fq::Repr q{};
    for (size_t i = 0; i < 4; ++i) q[i] = le(body.data() + 8 * i, 8);
    if (q != Fq::kModulus) src.fail("wrong curve: the header's prime q is not BN254's base field modulus");
    p.power = static_cast<uint32_t>(le(body.data() + kN8, 4));
    p.ceremony_power = static_cast<uint32_t>(le(body.data() + kN8 + 4, 4));
    if (p.power > 40) src.fail("header power " + std::to_string(p.power) + " is out of range");
    if (p.ceremony_power < p.power)
      src.fail("header ceremonyPower " + std::to_string(p.ceremony_power) + " is below power " +
               std::to_string(p.power));
  }
  const uint64_t n_tau1 = (uint64_t{2} << p.power) - 1, n_pow = uint64_t{1} << p.power;
  auto sec = [&](uint32_t id, uint64_t count, size_t point_bytes) {
    auto [off, size] = need_section(src, s, id);
    check_size(src, id, size, count * point_bytes);
    return off;
  };
  const uint64_t off2 = sec(2, n_tau1, kG1Bytes), off3 = sec(3, n_pow, kG2Bytes);
  const uint64_t off4 = sec(4, n_pow, kG1Bytes), off5 = sec(5, n_pow, kG1Bytes), off6 = sec(6, 1, kG2Bytes);
  if (opt.g1_powers > n_tau1)
    src.fail("too few powers: section 2 (tauG1) holds " + std::to_string(n_tau1) + " powers (power " +
             std::to_string(p.power) + "), " + std::to_string(opt.g1_powers) + " are needed");
  if (opt.g2_powers > n_pow)
    src.fail("too few powers: section 3 (tauG2) holds " + std::to_string(n_pow) + " powers, " +
             std::to_string(opt.g2_powers) + " are needed");
  const size_t n_side = static_cast<size_t>(std::min<uint64_t>(opt.g1_powers, n_pow));
  p.tau_g1 = read_g1(src, 2, off2, opt.g1_powers);
  p.tau_g2 = read_g2(src, 3, off3, opt.g2_powers);
  if (opt.read_alpha) p.alpha_tau_g1 = read_g1(src, 4, off4, n_side);
  p.beta_tau_g1 = read_g1(src, 5, off5, n_side);
  p.beta_g2 = read_g2(src, 6, off6, 1)[0];
  if (opt.lagrange_power) read_lagrange(src, s, *opt.lagrange_power, opt, p);
  verify_ptau(p);
  verify_ptau_lagrange(p);
  return p;
}

// The pairs of one consistency check: prod e(P_i, Q_i) == 1.
struct Check {
  uint32_t section;
  std::vector<curve::PairingInput> pairs;
};

// e(sum r_i a_i, [tau]_2) * e(-sum r_i a_(i+1), [1]_2) for a section of G1 powers.
Check shift_check(uint32_t id, std::span<const G1Affine> a, std::span<const Fr> r, const Ptau& p) {
  const size_t m = a.size() - 1;
  G1 lhs = curve::msm(a.first(m), r.first(m));
  G1 rhs = curve::msm(a.subspan(1, m), r.first(m));
  return {id, {{lhs.to_affine(), p.tau_g2[1]}, {(-rhs).to_affine(), p.tau_g2[0]}}};
}

}  // namespace

void verify_ptau(const Ptau& p) {
  auto fail = [&](const std::string& why) -> void { throw Error(p.path + ": " + why); };
  if (p.tau_g1.size() < 2 || p.tau_g2.size() < 2 || p.beta_tau_g1.empty())
    fail("too few powers loaded to check");
  if (!(p.tau_g1[0] == G1Affine::generator()))
    fail("section 2 (tauG1), point 0 is not the standard BN254 G1 generator (1, 2)");
  if (!(p.tau_g2[0] == G2Affine::generator()))
    fail("section 3 (tauG2), point 0 is not the standard BN254 G2 generator (EIP-197)");
  if (p.tau_g1[1] == p.tau_g1[0]) fail("section 2 (tauG1): tau = 1 (degenerate)");

  SecureRng rng;
  std::vector<Fr> r(p.tau_g1.size());
  for (Fr& x : r) x = Fr::random(rng);
  std::vector<Check> checks;
  checks.push_back(shift_check(2, p.tau_g1, r, p));
  if (p.alpha_tau_g1.size() >= 2) checks.push_back(shift_check(4, p.alpha_tau_g1, r, p));
  if (p.beta_tau_g1.size() >= 2) checks.push_back(shift_check(5, p.beta_tau_g1, r, p));
  {  // tauG2: e([tau]_1, sum s_i [tau^i]_2) = e([1]_1, sum s_i [tau^(i+1)]_2)
    G2 lhs, rhs;
    for (size_t i = 0; i + 1 < p.tau_g2.size(); ++i) {
      Fr s = Fr::random(rng);
      lhs += G2(p.tau_g2[i]) * s;
      rhs += G2(p.tau_g2[i + 1]) * s;
    }
    checks.push_back({3, {{p.tau_g1[1], lhs.to_affine()}, {-p.tau_g1[0], rhs.to_affine()}}});
  }
  checks.push_back({6, {{p.beta_tau_g1[0], p.tau_g2[0]}, {-p.tau_g1[0], p.beta_g2}}});

  // All checks at once: each check's G1 sides scaled by its own random weight (the G2 sides are
  // kept; pairs sharing a G2 point could be merged, but the count is small).
  std::vector<curve::PairingInput> all;
  for (const Check& c : checks) {
    Fr w = Fr::random(rng);
    for (const auto& [a, b] : c.pairs) all.push_back({(G1(a) * w).to_affine(), b});
  }
  if (curve::pairing_check(all)) return;
  for (const Check& c : checks)
    if (!curve::pairing_check(c.pairs))
      fail("inconsistent powers in section " + std::to_string(c.section) + " (" + section_name(c.section) +
           "): the pairing check of consecutive powers fails");
  fail("inconsistent powers (the combined pairing check fails)");
}

void verify_ptau_lagrange(const Ptau& p) {
  if (!p.lagrange) return;
  const PtauLagrange& l = *p.lagrange;
  const size_t n = size_t{1} << l.power;
  auto fail = [&](const std::string& why) -> void { throw Error(p.path + ": " + why); };
  if (l.tau_g1.size() != n || l.tau_g2.size() != n || l.alpha_tau_g1.size() != n || l.beta_tau_g1.size() != n)
    fail("the Lagrange points of the domain 2^" + std::to_string(l.power) + " are not 2^" + std::to_string(l.power) +
         " per section");
  if (p.tau_g1.size() < n || p.tau_g2.size() < n || p.alpha_tau_g1.size() < n || p.beta_tau_g1.size() < n)
    fail("too few powers loaded to check the Lagrange points of the domain 2^" + std::to_string(l.power));
  auto mismatch = [&](uint32_t id, uint32_t against) {
    fail("section " + std::to_string(id) + " (" + section_name(id) + "): the Lagrange points of the domain 2^" +
         std::to_string(l.power) + " are not the inverse DFT of section " + std::to_string(against) + " (" +
         section_name(against) + ")'s powers (the random linear combination check fails)");
  };
  SecureRng rng;
  // Fresh weights r per section and c = intt(r): sum_i r_i [L_i] must equal sum_j c_j [P_j].
  auto weights = [&](std::vector<Fr>& r, std::vector<Fr>& c) {
    r.resize(n);
    for (Fr& x : r) x = Fr::random(rng);
    c = r;
    poly::intt(c);
  };
  std::vector<Fr> r, c;
  const std::pair<uint32_t, uint32_t> g1_sections[3] = {{12, 2}, {14, 4}, {15, 5}};
  for (const auto& [id, against] : g1_sections) {
    const auto& lag = id == 12 ? l.tau_g1 : id == 14 ? l.alpha_tau_g1 : l.beta_tau_g1;
    const auto& pow = id == 12 ? p.tau_g1 : id == 14 ? p.alpha_tau_g1 : p.beta_tau_g1;
    weights(r, c);
    if (!(curve::msm(lag, r) == curve::msm(std::span(pow).first(n), c))) mismatch(id, against);
  }
  weights(r, c);
  if (!(curve::msm_g2(l.tau_g2, r) == curve::msm_g2(std::span(p.tau_g2).first(n), c))) mismatch(13, 3);
}

Ptau read_ptau(const std::string& path, const PtauOptions& options) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in) throw Error(path + ": cannot open the .ptau file");
  in->seekg(0, std::ios::end);
  Source src;
  src.name = path;
  src.size = static_cast<uint64_t>(in->tellg());
  src.read = [in, path](uint64_t off, uint8_t* out, size_t n) {
    in->clear();
    in->seekg(static_cast<std::streamoff>(off));
    in->read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    if (static_cast<size_t>(in->gcount()) != n) throw Error(path + ": read error");
  };
  return read(src, options);
}

Ptau read_ptau_bytes(const std::vector<uint8_t>& bytes, const std::string& name, const PtauOptions& options) {
  Source src;
  src.name = name;
  src.size = bytes.size();
  src.read = [&bytes](uint64_t off, uint8_t* out, size_t n) { std::copy_n(bytes.data() + off, n, out); };
  return read(src, options);
}

}  // namespace zkinfer::pcs
