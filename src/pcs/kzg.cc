#include "pcs/kzg.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/check.h"
#include "common/random.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "curve/pairing.h"
#include "hash/keccak.h"
#include "pcs/hyrax.h"
#include "pcs/kzg_mask.h"
#include "poly/mle.h"

namespace zkinfer::pcs {

using curve::G2;
using curve::Fq;

// ---------------------------------------------------------------------------------------------
// Parameters.

PtauOptions KzgParams::ptau_options(size_t max_vars) {
  PtauOptions o;
  o.g1_powers = std::max<size_t>(3, size_t{1} << max_vars);
  o.g2_powers = 4;
  o.read_alpha = true;
  return o;
}

KzgParams::KzgParams(const Ptau& ptau, size_t max_vars, KzgForm form) : max_vars_(max_vars), form_(form) {
  if (max_vars > kKzgMaxVars) throw Error("kzg: max_vars " + std::to_string(max_vars) + " is too large");
  const size_t n = size_t{1} << max_vars;
  if (ptau.tau_g1.size() < std::max<size_t>(n, 3) || ptau.beta_tau_g1.empty())
    throw Error(ptau.path + ": too few powers loaded for " + std::to_string(max_vars) + " variables (need " +
                std::to_string(std::max<size_t>(n, 3)) + " tauG1 powers, have " + std::to_string(ptau.tau_g1.size()) + ")");
  if (ptau.tau_g2.size() < 4)
    throw Error(ptau.path + ": too few tauG2 powers loaded (need 4, have " + std::to_string(ptau.tau_g2.size()) +
                "; a ceremony file of power 2 or more holds them)");
  powers_.assign(ptau.tau_g1.begin(), ptau.tau_g1.begin() + static_cast<std::ptrdiff_t>(n));
  g1_ = ptau.tau_g1[0];
  tau_g1_ = ptau.tau_g1[1];
  tau2_g1_ = ptau.tau_g1[2];
  beta_g1_ = ptau.beta_tau_g1[0];
  g2_ = ptau.tau_g2[0];
  tau_g2_ = ptau.tau_g2[1];
  tau2_g2_ = ptau.tau_g2[2];
  tau3_g2_ = ptau.tau_g2[3];
  set_derived();
}

void KzgParams::set_derived() {
  u_ = curve::hash_to_curve(kValueDomain, {});
  h_ = curve::hash_to_curve(kBlindingDomain, {});
  tau2_plus_tau_g2_ = (G2(tau2_g2_) + G2(tau_g2_)).to_affine();
}

KzgParams KzgParams::with_form(KzgForm form) const {
  if (form == KzgForm::kOneWitness && tau3_g2_.is_identity())
    throw Error("kzg: this SRS lacks the one-witness form's powers ([tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2)");
  KzgParams p = *this;
  p.form_ = form;
  return p;
}

KzgParams KzgParams::from_ptau_file(const std::string& path, size_t max_vars) {
  if (max_vars > kKzgMaxVars) throw Error("kzg: max_vars " + std::to_string(max_vars) + " is too large");
  return KzgParams(read_ptau(path, ptau_options(max_vars)), max_vars);
}

PtauOptions KzgParams::srs_check_options() {
  PtauOptions o;
  o.g1_powers = 3;
  o.g2_powers = 4;
  o.read_alpha = false;
  return o;
}

std::optional<std::string> KzgParams::srs_mismatch(const Ptau& p) const {
  if (p.tau_g1.empty() || p.tau_g2.size() < 2 || p.beta_tau_g1.empty()) return "too few points of the file were read";
  if (!(g1_ == p.tau_g1[0])) return "[1]_1 differs from the file's";
  if (!(g2_ == p.tau_g2[0])) return "[1]_2 differs from the file's";
  if (!(tau_g2_ == p.tau_g2[1])) return "[tau]_2 differs from the file's: the key's powers of tau are not this ceremony's";
  if (!(beta_g1_ == p.beta_tau_g1[0])) return "[beta]_1 differs from the file's betaTauG1[0]";
  if (form_ == KzgForm::kOneWitness) {
    if (p.tau_g1.size() < 3 || p.tau_g2.size() < 4) return "too few points of the file were read";
    if (!(tau_g1_ == p.tau_g1[1]) || !(tau2_g1_ == p.tau_g1[2])) return "[tau]_1 or [tau^2]_1 differs from the file's";
    if (!(tau2_g2_ == p.tau_g2[2]) || !(tau3_g2_ == p.tau_g2[3])) return "[tau^2]_2 or [tau^3]_2 differs from the file's";
  }
  const double have = std::ldexp(1.0, static_cast<int>(p.power) + 1) - 1;
  if (std::ldexp(1.0, static_cast<int>(max_vars_)) > have)
    return "the key states 2^" + std::to_string(max_vars_) + " powers of tau, the file holds " +
           std::to_string(static_cast<uint64_t>(have));
  return std::nullopt;
}

KzgParams KzgParams::insecure_from_secrets(const Fr& tau, const Fr& beta, size_t max_vars, KzgForm form) {
  ZKINFER_CHECK(max_vars <= kKzgMaxVars);
  KzgParams p;
  p.max_vars_ = max_vars;
  p.form_ = form;
  const size_t n = size_t{1} << max_vars;
  std::vector<Fr> t(n);
  t[0] = Fr::one();
  for (size_t i = 1; i < n; ++i) t[i] = t[i - 1] * tau;
  std::vector<G1> pts(n);
  const G1 g = G1::generator();
#pragma omp parallel for schedule(static) if (n > 64)
  for (size_t i = 0; i < n; ++i) pts[i] = g * t[i];
  p.powers_.resize(n);
  G1::batch_to_affine(pts, p.powers_);
  p.g1_ = p.powers_[0];
  p.beta_g1_ = (g * beta).to_affine();
  p.g2_ = G2Affine::generator();
  p.tau_g2_ = (G2::generator() * tau).to_affine();
  p.tau_g1_ = (g * tau).to_affine();
  p.tau2_g1_ = (g * (tau * tau)).to_affine();
  p.tau2_g2_ = (G2::generator() * (tau * tau)).to_affine();
  p.tau3_g2_ = (G2::generator() * (tau * tau * tau)).to_affine();
  p.set_derived();
  return p;
}

std::span<const G1Affine> KzgParams::powers(size_t n) const {
  ZKINFER_CHECK(n <= powers_.size());
  return std::span<const G1Affine>(powers_).first(n);
}

void KzgParams::absorb_into(transcript::Transcript& t) const {
  std::vector<uint8_t> b;
  auto put = [&](const auto& bytes) { b.insert(b.end(), bytes.begin(), bytes.end()); };
  put(g1_.to_bytes());
  put(beta_g1_.to_bytes());
  put(g2_.to_bytes());
  put(tau_g2_.to_bytes());
  put(u_.to_bytes());
  put(h_.to_bytes());
  if (form_ == KzgForm::kOneWitness) {
    put(tau_g1_.to_bytes());
    put(tau2_g1_.to_bytes());
    put(tau2_g2_.to_bytes());
    put(tau3_g2_.to_bytes());
  }
  t.absorb_bytes("kzg.srs", b);
}

KzgParams KzgParams::verifier_part() const {
  KzgParams p = *this;
  p.powers_.assign(1, g1_);
  return p;
}

void KzgParams::serialize_verifier(ByteWriter& w) const {
  w.u32(static_cast<uint32_t>(max_vars_));
  w.bytes(g1_.to_bytes());
  w.bytes(beta_g1_.to_bytes());
  w.bytes(g2_.to_bytes());
  w.bytes(tau_g2_.to_bytes());
  if (form_ == KzgForm::kOneWitness) {
    w.bytes(tau_g1_.to_bytes());
    w.bytes(tau2_g1_.to_bytes());
    w.bytes(tau2_g2_.to_bytes());
    w.bytes(tau3_g2_.to_bytes());
  }
}

KzgParams KzgParams::deserialize_verifier(ByteReader& r, KzgForm form) {
  KzgParams p;
  p.form_ = form;
  const uint32_t mv = r.u32();
  if (mv > kKzgMaxVars) r.fail("kzg srs: max_vars " + std::to_string(mv) + " exceeds " + std::to_string(kKzgMaxVars));
  p.max_vars_ = mv;
  auto g1 = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!g1 || !(*g1 == G1Affine::generator())) r.fail("kzg srs: [1]_1 is not the standard generator");
  auto beta = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!beta || beta->is_identity()) r.fail("kzg srs: [beta]_1 is not a valid point");
  auto g2 = G2Affine::from_bytes(r.bytes(G2Affine::kCompressedBytes));
  if (!g2 || !(*g2 == G2Affine::generator())) r.fail("kzg srs: [1]_2 is not the standard generator");
  auto tau = G2Affine::from_bytes(r.bytes(G2Affine::kCompressedBytes));
  if (!tau || tau->is_identity() || !tau->is_in_subgroup()) r.fail("kzg srs: [tau]_2 is not a valid point of G2");
  p.g1_ = *g1;
  p.powers_.assign(1, *g1);
  p.beta_g1_ = *beta;
  p.g2_ = *g2;
  p.tau_g2_ = *tau;
  if (form == KzgForm::kOneWitness) {
    auto g1_point = [&](const char* what) {
      auto q = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
      if (!q || q->is_identity()) r.fail(std::string("kzg srs: ") + what + " is not a valid point");
      return *q;
    };
    auto g2_point = [&](const char* what) {
      auto q = G2Affine::from_bytes(r.bytes(G2Affine::kCompressedBytes));
      if (!q || q->is_identity() || !q->is_in_subgroup()) r.fail(std::string("kzg srs: ") + what + " is not a valid point of G2");
      return *q;
    };
    p.tau_g1_ = g1_point("[tau]_1");
    p.tau2_g1_ = g1_point("[tau^2]_1");
    p.tau2_g2_ = g2_point("[tau^2]_2");
    p.tau3_g2_ = g2_point("[tau^3]_2");
  }
  p.set_derived();
  return p;
}

namespace {
// The powers' section of a proving key: u64 count, then the points. Since session 13 the count has
// this bit set and the points are uncompressed (x, then y: 32-byte canonical little-endian field
// elements), so that loading the key checks y^2 = x^3 + 3 (two multiplications) instead of taking a
// square root per point (about 300 multiplications: 45 % of `zkinfer prove`'s CPU on cnn_digits'
// kzg key). Keys written before (count without the bit, compressed points) still load.
constexpr uint64_t kUncompressedPowers = uint64_t{1} << 63;
}  // namespace

void KzgParams::serialize_powers(ByteWriter& w) const {
  ZKINFER_CHECK(has_powers());
  w.u64(powers_.size() | kUncompressedPowers);
  for (const G1Affine& p : powers_) {
    w.bytes(p.x.to_bytes());
    w.bytes(p.y.to_bytes());
  }
}

std::array<uint8_t, 32> KzgParams::powers_digest(const KzgParams& verifier, uint64_t head,
                                                 std::span<const uint8_t> points) {
  ByteWriter w;
  verifier.serialize_verifier(w);
  w.u8(static_cast<uint8_t>(verifier.form_));
  w.u64(head);
  return hash::Keccak256().update("zkinfer/kzg-powers/v1").update(w.data()).update(points).finalize();
}

KzgParams KzgParams::read_powers(const KzgParams& verifier, ByteReader& r, const CheckCache* cache, bool* cached) {
  if (cached) *cached = false;
  KzgParams p = verifier;
  const uint64_t head = r.u64();
  const bool uncompressed = (head & kUncompressedPowers) != 0;
  const uint64_t n = head & ~kUncompressedPowers;
  if (n != (uint64_t{1} << verifier.max_vars_))
    r.fail("kzg srs: " + std::to_string(n) + " powers, the key states 2^" + std::to_string(verifier.max_vars_));
  const size_t item = uncompressed ? 2 * Fq::kBytes : G1Affine::kBytes;
  const std::span<const uint8_t> raw = r.bytes(static_cast<size_t>(n) * item);  // fails when short
  p.powers_.resize(n);
  // Decoded on all threads (in the compressed form a square root per point).
  int bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad) if (n >= 1024)
  for (int64_t ii = 0; ii < static_cast<int64_t>(n); ++ii) {
    const size_t i = static_cast<size_t>(ii);
    const std::span<const uint8_t> b = raw.subspan(i * item, item);
    if (uncompressed) {
      const auto x = Fq::from_bytes(b.first(Fq::kBytes)), y = Fq::from_bytes(b.subspan(Fq::kBytes));
      const G1Affine q = x && y ? G1Affine{*x, *y, false} : G1Affine::identity();
      if (q.is_identity() || !q.is_on_curve())
        bad = 1;
      else
        p.powers_[i] = q;
    } else {
      auto q = G1Affine::from_bytes(b);
      if (!q || q->is_identity())
        bad = 1;
      else
        p.powers_[i] = *q;
    }
  }
  if (bad) r.fail("kzg srs: a power is not a valid point");
  if (!(p.powers_[0] == p.g1_)) r.fail("kzg srs: the first power is not [1]_1");
  if (p.form_ == KzgForm::kOneWitness && ((n >= 2 && !(p.powers_[1] == p.tau_g1_)) || (n >= 3 && !(p.powers_[2] == p.tau2_g1_))))
    r.fail("kzg srs: the powers do not start with the key's [tau]_1 and [tau^2]_1");
  // A cache's record of these exact powers (and verifier part) having passed the check below.
  std::array<uint8_t, 32> digest{};
  if (cache != nullptr) {
    digest = powers_digest(verifier, head, raw);
    if (cache->checked(digest)) {
      if (cached) *cached = true;
      return p;
    }
  }
  if (n >= 2) {
    // Random 128-bit weights (a wrong power passes with probability at most 2^-128): the two MSMs
    // then take half the windows of full-width ones; the weights' bytes come from one getrandom.
    SecureRng rng;
    std::vector<uint8_t> bytes(static_cast<size_t>(n - 1) * 16);
    rng.fill(bytes);
    const Fr two64 = Fr::from_u64(uint64_t{1} << 32) * Fr::from_u64(uint64_t{1} << 32);
    std::vector<Fr> w(n - 1);
    for (size_t i = 0; i < w.size(); ++i) {
      uint64_t lo = 0, hi = 0;
      for (int b = 0; b < 8; ++b) {
        lo |= uint64_t{bytes[16 * i + b]} << (8 * b);
        hi |= uint64_t{bytes[16 * i + 8 + b]} << (8 * b);
      }
      w[i] = Fr::from_u64(hi) * two64 + Fr::from_u64(lo);
    }
    const std::span<const G1Affine> all(p.powers_);
    const G1 a = curve::msm(all.first(n - 1), w), b = curve::msm(all.subspan(1), w);
    const std::array<curve::PairingInput, 2> pairs = {curve::PairingInput{a.to_affine(), p.tau_g2_},
                                                      curve::PairingInput{(-b).to_affine(), p.g2_}};
    if (!curve::pairing_check(pairs)) r.fail("kzg srs: the powers are not consecutive powers of the key's [tau]_2");
  }
  if (cache != nullptr) cache->record(digest);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Commitments.

void KzgCommitment::serialize(ByteWriter& w) const {
  w.u32(num_vars);
  w.bytes(point.to_bytes());
}

KzgCommitment KzgCommitment::deserialize(ByteReader& r) {
  KzgCommitment c;
  c.num_vars = r.u32();
  if (c.num_vars > kKzgMaxVars) r.fail("kzg commitment: num_vars " + std::to_string(c.num_vars) + " exceeds " + std::to_string(kKzgMaxVars));
  auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!p) r.fail("kzg commitment: not a valid point");
  c.point = *p;
  return c;
}

std::vector<uint8_t> KzgCommitment::to_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.take();
}

KzgCommitment KzgCommitment::from_bytes(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "kzg commitment");
  KzgCommitment c = deserialize(r);
  r.expect_end();
  return c;
}

void KzgCommitment::absorb_into(transcript::Transcript& t) const {
  if (t.encoding() != transcript::Encoding::kV2) return t.absorb_bytes("kzg.commitment", to_bytes());
  // v2: u32 num_vars and the compressed point's word, both big-endian.
  std::vector<uint8_t> b;
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(num_vars >> (8 * i)));
  const auto p = point.to_bytes();
  b.insert(b.end(), p.rbegin(), p.rend());
  t.absorb_bytes("kzg.commitment", b);
}

namespace {

size_t num_vars_of(size_t size) {
  ZKINFER_CHECK(size != 0 && std::has_single_bit(size));
  return static_cast<size_t>(std::countr_zero(size));
}

}  // namespace

KzgCommitment commit_with_blind(const KzgParams& params, std::span<const Fr> values, const Fr& rho) {
  const size_t n = num_vars_of(values.size());
  ZKINFER_CHECK(n <= params.max_vars());
  G1 c = curve::msm(params.powers(values.size()), values) + G1(params.beta_g1()) * rho;
  return {static_cast<uint32_t>(n), c.to_affine()};
}

KzgCommitment commit_with_blind(const KzgParams& params, std::span<const int64_t> values, const Fr& rho) {
  const size_t n = num_vars_of(values.size());
  ZKINFER_CHECK(n <= params.max_vars());
  G1 c = curve::msm_small(params.powers(values.size()), values) + G1(params.beta_g1()) * rho;
  return {static_cast<uint32_t>(n), c.to_affine()};
}

G1Affine commit_value(const KzgParams& params, const Fr& value, const Fr& blind) {
  return (G1(params.u()) * value + G1(params.h()) * blind).to_affine();
}

// ---------------------------------------------------------------------------------------------
// Proof encoding.

namespace {

Fr read_fr(ByteReader& r, const char* what) {
  auto v = Fr::from_bytes(r.bytes(Fr::kBytes));
  if (!v) r.fail(std::string("kzg proof: ") + what + " is not a canonical scalar");
  return *v;
}
G1Affine read_g1(ByteReader& r, const char* what) {
  auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!p) r.fail(std::string("kzg proof: ") + what + " is not a valid point");
  return *p;
}

}  // namespace

void KzgBatchProof::serialize(ByteWriter& w) const {
  w.u64(groups.size());
  for (const KzgGroupProof& g : groups) {
    w.bytes(g.mask.to_bytes());
    w.bytes(g.mask_value.to_bytes());
    w.bytes(g.value.to_bytes());
    w.bytes(g.rho.to_bytes());
    w.bytes(g.blind.to_bytes());
    w.u64(g.folds.size());
    for (const G1Affine& p : g.folds) w.bytes(p.to_bytes());
    w.u64(g.evals.size());
    for (const auto& e : g.evals)
      for (const Fr& x : e) w.bytes(x.to_bytes());
  }
  for (const G1Affine& p : witness) w.bytes(p.to_bytes());
}

KzgBatchProof KzgBatchProof::deserialize(ByteReader& r, KzgForm form) {
  KzgBatchProof p;
  const uint64_t ng = r.count(5 * 32 + 16);
  p.groups.resize(ng);
  for (KzgGroupProof& g : p.groups) {
    g.mask = read_g1(r, "mask commitment");
    g.mask_value = read_g1(r, "mask value commitment");
    g.value = read_fr(r, "value");
    g.rho = read_fr(r, "rho");
    g.blind = read_fr(r, "blind");
    const uint64_t nf = r.count(G1Affine::kBytes, kKzgMaxVars);
    for (uint64_t i = 0; i < nf; ++i) g.folds.push_back(read_g1(r, "fold commitment"));
    const uint64_t ne = r.count(3 * Fr::kBytes, kKzgMaxVars);
    g.evals.resize(ne);
    for (auto& e : g.evals)
      for (Fr& x : e) x = read_fr(r, "evaluation");
  }
  p.witness.resize(form == KzgForm::kOneWitness ? 1 : 3);
  for (G1Affine& w : p.witness) w = read_g1(r, "witness");
  return p;
}

size_t KzgBatchProof::size_bytes() const { return to_bytes().size(); }

std::vector<uint8_t> KzgBatchProof::to_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.take();
}

KzgBatchProof KzgBatchProof::from_bytes(std::span<const uint8_t> bytes, KzgForm form) {
  ByteReader r(bytes, "kzg proof");
  KzgBatchProof p = deserialize(r, form);
  r.expect_end();
  return p;
}

// ---------------------------------------------------------------------------------------------
// The protocol (docs/protocol/kzg.md).

namespace {

struct Group {
  std::vector<Fr> point;        // n coordinates (the longest member's, zero-padded members)
  std::vector<size_t> members;  // item indices
  size_t n() const { return point.size(); }
  size_t num_polys() const { return std::max<size_t>(n(), 1); }
};

// Items whose points agree after stripping trailing zeros share a group (a shorter point is the
// longer one's prefix, zero-padded). Groups in order of first appearance.
template <class Item>
std::vector<Group> group_items(std::span<const Item> items) {
  std::vector<Group> groups;
  std::vector<std::vector<Fr>> keys;
  for (size_t i = 0; i < items.size(); ++i) {
    std::vector<Fr> key = items[i].point;
    while (!key.empty() && key.back().is_zero()) key.pop_back();
    size_t g = 0;
    while (g < keys.size() && keys[g] != key) ++g;
    if (g == keys.size()) {
      keys.push_back(key);
      groups.push_back({key, {}});
    }
    Group& grp = groups[g];
    grp.members.push_back(i);
    if (items[i].point.size() > grp.point.size()) grp.point.resize(items[i].point.size(), Fr::zero());
  }
  return groups;
}

// v1 transcripts: every item's commitment, point and claim. v2 (big-endian, the EVM's order): every
// item's commitment and claim, then per group its point once and its members (u32 big-endian item
// indices): the items' points are recovered from these (item j's point is its group's first
// num_vars_j coordinates, the rest zero), so the absorbed statement is still the whole statement.
void absorb_items(const KzgParams& params, std::span<const KzgOpeningClaim> items, transcript::Transcript& tr) {
  params.absorb_into(tr);
  tr.absorb_u64("kzg.items", items.size());
  const bool v2 = tr.encoding() == transcript::Encoding::kV2;
  for (const KzgOpeningClaim& it : items) {
    it.commitment->absorb_into(tr);
    if (!v2) tr.absorb_many("kzg.point", it.point);
    it.claim.absorb_into(tr);
  }
  if (!v2) return;
  const std::vector<Group> groups = group_items(items);
  tr.absorb_u64("kzg.groups", groups.size());
  for (const Group& g : groups) {
    tr.absorb_many("kzg.point", g.point);
    std::vector<uint8_t> m;
    for (size_t j : g.members)
      for (int b = 3; b >= 0; --b) m.push_back(static_cast<uint8_t>(j >> (8 * b)));
    tr.absorb_bytes("kzg.members", m);
  }
}

Fr horner(std::span<const Fr> c, const Fr& x) {
  Fr acc = Fr::zero();
  for (size_t i = c.size(); i-- > 0;) acc = acc * x + c[i];
  return acc;
}

// (B(X) - B(x)) / (X - x): quotient of the synthetic division (length |B| - 1).
std::vector<Fr> divide_linear(std::span<const Fr> b, const Fr& x) {
  if (b.size() <= 1) return {};
  std::vector<Fr> q(b.size() - 1);
  q.back() = b.back();
  for (size_t i = q.size() - 1; i-- > 0;) q[i] = b[i + 1] + x * q[i + 1];
  return q;
}

// 2r Y == r (1 - u)(a + b) + u (a - b): the fold of a polynomial whose values at r and -r are a
// and b, at r^2, is Y.
bool fold_ok(const Fr& r, const Fr& u, const Fr& a, const Fr& b, const Fr& y) {
  return (r * y).doubled() == r * (Fr::one() - u) * (a + b) + u * (a - b);
}

std::vector<Fr> powers_of(const Fr& x, size_t n) {
  std::vector<Fr> p(n);
  if (n) p[0] = Fr::one();
  for (size_t i = 1; i < n; ++i) p[i] = p[i - 1] * x;
  return p;
}

bool degenerate_r(const Fr& r) { return r.is_zero() || r.is_one() || (r + Fr::one()).is_zero(); }

// The quotient of B by the monic Z(X) = (X - r)(X + r)(X - r^2) = X^3 - r^2 X^2 - r^2 X + r^4 (the
// remainder, the quadratic through B's values at the three points, is dropped).
std::vector<Fr> divide_by_z(std::span<const Fr> b, const Fr& r) {
  if (b.size() <= 3) return {};
  const Fr r2 = r * r, z2 = -r2, z1 = -r2, z0 = r2 * r2;
  std::vector<Fr> rem(b.begin(), b.end());
  std::vector<Fr> q(b.size() - 3);
  for (size_t i = b.size(); i-- > 3;) {
    const Fr c = rem[i];
    q[i - 3] = c;
    rem[i - 1] -= c * z2;
    rem[i - 2] -= c * z1;
    rem[i - 3] -= c * z0;
  }
  return q;
}

// The coefficients of the quadratic I with I(r) = b[0], I(-r) = b[1], I(r^2) = b[2] (r not
// degenerate: the three points are distinct).
std::array<Fr, 3> interpolate_three(const Fr& r, const std::array<Fr, 3>& b) {
  const Fr r2 = r * r, r3 = r2 * r;
  // L_0 = (X + r)(X - r^2) / (2r (r - r^2)), L_1 = (X - r)(X - r^2) / (2r (r + r^2)),
  // L_2 = (X^2 - r^2) / (r^4 - r^2).
  std::array<Fr, 3> den = {(r * (r - r2)).doubled(), (r * (r + r2)).doubled(), r2 * r2 - r2};
  const Fr inv01 = (den[0] * den[1]).inverse(), inv2 = den[2].inverse();
  const Fr c0 = b[0] * (den[1] * inv01), c1 = b[1] * (den[0] * inv01), c2 = b[2] * inv2;
  // c0 (X^2 + (r - r^2) X - r^3) + c1 (X^2 - (r + r^2) X + r^3) + c2 (X^2 - r^2)
  return {r3 * (c1 - c0) - r2 * c2, c0 * (r - r2) - c1 * (r + r2), c0 + c1 + c2};
}

}  // namespace

void absorb_batch_statement(const KzgParams& params, std::span<const KzgOpeningClaim> items,
                            transcript::Transcript& tr) {
  absorb_items(params, items, tr);
}

KzgBatchProof prove_batch(const KzgParams& params, std::span<const KzgOpeningWitness> items,
                          transcript::Transcript& tr, const RandomFr& random) {
  for (const KzgOpeningWitness& it : items) {
    ZKINFER_CHECK(it.commitment && it.blinds);
    ZKINFER_CHECK(it.commitment->num_vars <= params.max_vars());
    ZKINFER_CHECK(it.point.size() == it.commitment->num_vars);
    // A shorter table is the commitment's values zero-padded (the same univariate polynomial).
    ZKINFER_CHECK(std::has_single_bit(it.values.size()) && it.values.size() <= (size_t{1} << it.commitment->num_vars));
  }
  const std::vector<Group> groups = group_items(items);
  {
    std::vector<KzgOpeningClaim> pub;
    for (const KzgOpeningWitness& it : items) pub.push_back(it.public_claim());
    absorb_batch_statement(params, pub, tr);
  }
  const Fr gamma = tr.challenge<Fr>("kzg.gamma");
  const std::vector<Fr> gp = powers_of(gamma, items.size());

  struct Work {
    std::vector<Fr> f, m;  // F and the mask, 2^n coefficients
    Fr rho_f, t_f, v_f, rho_m, t_m, mu;
    std::vector<std::vector<Fr>> polys;  // G_0 = F + eta m, G_1, ..., G_{n-1}
  };
  std::vector<Work> work(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const Group& grp = groups[g];
    Work& w = work[g];
    w.f.assign(size_t{1} << grp.n(), Fr::zero());
    for (size_t j : grp.members) {
      const auto& it = items[j];
      for (size_t i = 0; i < it.values.size(); ++i)
        if (!it.values[i].is_zero()) w.f[i] += gp[j] * it.values[i];
      w.rho_f += gp[j] * it.blinds->rho;
      w.t_f += gp[j] * it.claim.blind;
      w.v_f += gp[j] * it.claim.value;
    }
  }
  // The sparse mask (pcs/kzg_mask.h, docs/protocol/kzg.md section 4) where it hides for this
  // setup's tau and the group's point; a uniformly random one of 2^n coefficients otherwise. If
  // the challenge r then falls where the sparse mask would not hide, everything from the masks on is
  // proved again from the transcript as it was, with uniformly random masks.
  const IsTau is_tau = [&params](const Fr& x) {
    return params.powers().size() >= 2 && (G1(params.g1()) * x).to_affine() == params.powers()[1];
  };
  std::vector<uint8_t> sparse(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) sparse[g] = sparse_mask_usable(groups[g].point, is_tau);
  const transcript::Transcript before_masks = tr;
  KzgBatchProof proof;
  Fr r;
  for (;;) {
    proof.groups.assign(groups.size(), KzgGroupProof{});
    // Masks.
    for (size_t g = 0; g < groups.size(); ++g) {
      const Group& grp = groups[g];
      Work& w = work[g];
      w.polys.clear();
      const size_t N = size_t{1} << grp.n();
      if (sparse[g]) {
        std::vector<Fr> coeffs(sparse_mask_dim(grp.n()));
        for (Fr& x : coeffs) x = random();
        w.m = sparse_mask(grp.point, coeffs);
      } else {
        w.m.resize(N);
        for (Fr& x : w.m) x = random();
      }
      w.rho_m = random();
      w.t_m = random();
      w.mu = poly::evaluate_mle<Fr>(w.m, grp.point);
      if (sparse[g]) {
        std::vector<G1Affine> bases;
        std::vector<Fr> scalars;
        for (size_t i = 0; i < N; ++i)
          if (!w.m[i].is_zero()) {
            bases.push_back(params.powers()[i]);
            scalars.push_back(w.m[i]);
          }
        bases.push_back(params.beta_g1());
        scalars.push_back(w.rho_m);
        proof.groups[g].mask = curve::msm(bases, scalars).to_affine();
      } else {
        proof.groups[g].mask = commit_with_blind(params, std::span<const Fr>(w.m), w.rho_m).point;
      }
      proof.groups[g].mask_value = commit_value(params, w.mu, w.t_m);
      tr.absorb("kzg.mask", proof.groups[g].mask);
      tr.absorb("kzg.mask_value", proof.groups[g].mask_value);
    }
    const Fr eta = tr.challenge<Fr>("kzg.eta");

    // Masked values and blinds.
    for (size_t g = 0; g < groups.size(); ++g) {
      Work& w = work[g];
      KzgGroupProof& gp_ = proof.groups[g];
      gp_.value = w.v_f + eta * w.mu;
      gp_.rho = w.rho_f + eta * w.rho_m;
      gp_.blind = w.t_f + eta * w.t_m;
      tr.absorb("kzg.value", gp_.value);
      tr.absorb("kzg.rho", gp_.rho);
      tr.absorb("kzg.blind", gp_.blind);
    }

    // Folds.
    for (size_t g = 0; g < groups.size(); ++g) {
      Work& w = work[g];
      const Group& grp = groups[g];
      std::vector<Fr> G(w.f.size());
      for (size_t i = 0; i < G.size(); ++i) G[i] = w.m[i].is_zero() ? w.f[i] : w.f[i] + eta * w.m[i];
      w.polys.push_back(std::move(G));
      for (size_t k = 0; k + 1 < grp.n(); ++k) {
        const std::vector<Fr>& prev = w.polys.back();
        std::vector<Fr> next(prev.size() / 2);
        const Fr& u = grp.point[k];
        for (size_t i = 0; i < next.size(); ++i) next[i] = prev[2 * i] + u * (prev[2 * i + 1] - prev[2 * i]);
        w.polys.push_back(std::move(next));
      }
      auto& folds = proof.groups[g].folds;
      folds.resize(w.polys.size() - 1);
#pragma omp parallel for schedule(dynamic) if (folds.size() > 1)
      for (size_t k = 1; k < w.polys.size(); ++k)
        folds[k - 1] = curve::msm(params.powers(w.polys[k].size()), w.polys[k]).to_affine();
      tr.absorb_many("kzg.folds", folds);
    }
    r = tr.challenge<Fr>("kzg.r");
    ZKINFER_CHECK(!degenerate_r(r));  // probability 3/|Fr|
    bool hides = true;
    for (size_t g = 0; g < groups.size(); ++g)
      if (sparse[g] && !sparse_mask_hides_at(groups[g].point, r, is_tau)) hides = false;
    if (hides) break;
    tr = before_masks;  // probability about 3 n / |Fr|
    sparse.assign(groups.size(), 0);
  }
  const std::array<Fr, 3> x = {r, -r, r * r};

  // Evaluations.
  size_t total_polys = 0, max_len = 1;
  for (size_t g = 0; g < groups.size(); ++g) {
    KzgGroupProof& gp_ = proof.groups[g];
    const auto& polys = work[g].polys;
    gp_.evals.resize(polys.size());
    // 3 Horner evaluations per polynomial, on all threads (G_0's three are half the work).
#pragma omp parallel for schedule(dynamic) if (!polys.empty() && polys[0].size() >= 4096)
    for (int64_t t = 0; t < static_cast<int64_t>(3 * polys.size()); ++t)
      gp_.evals[static_cast<size_t>(t) / 3][static_cast<size_t>(t) % 3] = horner(polys[static_cast<size_t>(t) / 3], x[static_cast<size_t>(t) % 3]);
    for (const auto& p : polys) {
      max_len = std::max(max_len, p.size());
      ++total_polys;
    }
    std::vector<Fr> flat;
    for (const auto& e : gp_.evals) flat.insert(flat.end(), e.begin(), e.end());
    tr.absorb_many("kzg.evals", flat);
  }
  const Fr q = tr.challenge<Fr>("kzg.q");

  // Witnesses for B = sum_i q^i p_i at the three points.
  std::vector<Fr> B(max_len, Fr::zero());
  Fr qi = Fr::one();
  for (const Work& w : work)
    for (const auto& p : w.polys) {
      for (size_t i = 0; i < p.size(); ++i) B[i] += qi * p[i];
      qi *= q;
    }
  (void)total_polys;
  if (params.form() == KzgForm::kOneWitness) {
    // One witness: [((B - I) / Z)(tau)]_1.
    const std::vector<Fr> quo = divide_by_z(B, r);
    proof.witness = {quo.empty() ? G1Affine() : curve::msm(params.powers(quo.size()), quo).to_affine()};
    tr.absorb_many("kzg.witness", std::span<const G1Affine>(proof.witness));
    return proof;
  }
  // One after the other, each MSM over all threads: three MSMs split over two threads left one
  // thread with two of them (1.5x the wall time of this).
  proof.witness.resize(3);
  for (size_t j = 0; j < 3; ++j) {
    std::vector<Fr> quo = divide_linear(B, x[j]);
    proof.witness[j] = curve::msm(params.powers(quo.size()), quo).to_affine();
  }
  tr.absorb_many("kzg.witness", std::span<const G1Affine>(proof.witness));
  (void)tr.challenge<Fr>("kzg.d");
  return proof;
}

namespace {

// The Miller-loop lines of a verifying key's fixed G2 points, computed once per process and point
// (curve::G2Prepared): the verifier's pairing check then does no G2 arithmetic.
std::shared_ptr<const curve::G2Prepared> prepared(const G2Affine& q) {
  static std::mutex mu;
  static std::vector<std::pair<G2Affine, std::shared_ptr<const curve::G2Prepared>>> cache;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& [p, l] : cache)
    if (p == q) return l;
  if (cache.size() >= 64) cache.clear();  // many keys in one process: start over
  cache.push_back({q, std::make_shared<const curve::G2Prepared>(q)});
  return cache.back().second;
}

// The terms with equal points merged (U, H and the claims' commitments recur across the Pedersen
// equations and the deferred checks): fewer points for the one MSM, the same sum.
MsmTerms merged(const MsmTerms& t) {
  MsmTerms out;
  std::map<std::array<uint8_t, G1Affine::kBytes>, size_t> at;
  for (size_t i = 0; i < t.points.size(); ++i) {
    const auto [it, fresh] = at.try_emplace(t.points[i].to_bytes(), out.points.size());
    if (fresh) out.add(t.points[i], t.scalars[i]);
    else out.scalars[it->second] += t.scalars[i];
  }
  return out;
}

Verdict verify_batch_impl(const KzgParams& params, std::span<const KzgOpeningClaim> items, const KzgBatchProof& proof,
                          transcript::Transcript& tr, const MsmTerms* extra) {
  auto reject = [](const std::string& why) { return Verdict::reject(Failure::kOpening, "kzg: " + why); };
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    if (!it.commitment) return reject("item " + std::to_string(i) + " has no commitment");
    if (it.commitment->num_vars > params.max_vars())
      return reject("item " + std::to_string(i) + ": " + std::to_string(it.commitment->num_vars) +
                    " variables exceed the setup's " + std::to_string(params.max_vars()));
    if (it.point.size() != it.commitment->num_vars)
      return reject("item " + std::to_string(i) + ": point has " + std::to_string(it.point.size()) +
                    " coordinates, the commitment " + std::to_string(it.commitment->num_vars) + " variables");
  }
  const std::vector<Group> groups = group_items(items);
  if (proof.groups.size() != groups.size())
    return reject("the proof has " + std::to_string(proof.groups.size()) + " groups, the items form " +
                  std::to_string(groups.size()));
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& gp_ = proof.groups[g];
    if (gp_.folds.size() != groups[g].num_polys() - 1 || gp_.evals.size() != groups[g].num_polys())
      return reject("group " + std::to_string(g) + ": wrong number of folds or evaluations for " +
                    std::to_string(groups[g].n()) + " variables");
  }

  absorb_batch_statement(params, items, tr);
  const Fr gamma = tr.challenge<Fr>("kzg.gamma");
  const std::vector<Fr> gp = powers_of(gamma, items.size());
  for (const auto& g : proof.groups) {
    tr.absorb("kzg.mask", g.mask);
    tr.absorb("kzg.mask_value", g.mask_value);
  }
  const Fr eta = tr.challenge<Fr>("kzg.eta");
  for (const auto& g : proof.groups) {
    tr.absorb("kzg.value", g.value);
    tr.absorb("kzg.rho", g.rho);
    tr.absorb("kzg.blind", g.blind);
  }
  for (const auto& g : proof.groups) tr.absorb_many("kzg.folds", g.folds);
  const Fr r = tr.challenge<Fr>("kzg.r");
  if (degenerate_r(r)) return reject("degenerate challenge r");
  const std::array<Fr, 3> x = {r, -r, r * r};

  // The fold equations.
  for (size_t g = 0; g < groups.size(); ++g) {
    const Group& grp = groups[g];
    const auto& gp_ = proof.groups[g];
    if (grp.n() == 0) {
      if (!(gp_.evals[0][0] == gp_.value)) return reject("group " + std::to_string(g) + ": G(r) != value");
      continue;
    }
    for (size_t k = 0; k < grp.n(); ++k) {
      const Fr& y = k + 1 < grp.n() ? gp_.evals[k + 1][2] : gp_.value;
      if (!fold_ok(r, grp.point[k], gp_.evals[k][0], gp_.evals[k][1], y))
        return reject("group " + std::to_string(g) + ": fold equation " + std::to_string(k) + " fails");
    }
  }
  for (const auto& g : proof.groups) {
    std::vector<Fr> flat;
    for (const auto& e : g.evals) flat.insert(flat.end(), e.begin(), e.end());
    tr.absorb_many("kzg.evals", flat);
  }
  const Fr q = tr.challenge<Fr>("kzg.q");
  const bool one = params.form() == KzgForm::kOneWitness;
  if (proof.witness.size() != (one ? 1u : 3u))
    return reject("the proof has " + std::to_string(proof.witness.size()) + " witnesses, the key's form " +
                  (one ? "1" : "3"));
  tr.absorb_many("kzg.witness", std::span<const G1Affine>(proof.witness));
  const Fr d = one ? Fr::zero() : tr.challenge<Fr>("kzg.d");

  // Pedersen equations: per group, P_F + eta M == value U + blind H, with P_F = sum gamma^j P_j
  // (P_j = v_j U for plain claims). They and `extra` are decided in the pairing check's MSM:
  // with lambda and nu drawn from a transcript copy (the verifier's own randomness after the whole
  // proof was absorbed), S = extra + sum_g lambda^(g+1) (P_F,g + eta M_g - value_g U - blind_g H)
  // must be the identity, and the pairing's G1 input A becomes A + nu S (below).
  transcript::Transcript copy = tr;
  const Fr lambda = copy.challenge<Fr>("kzg.lambda");
  const Fr nu = copy.challenge<Fr>("kzg.nu");
  auto group_terms = [&](size_t g, const Fr& wgt, MsmTerms& t) {
    const auto& gp_ = proof.groups[g];
    Fr u_coef = -gp_.value;
    for (size_t j : groups[g].members) {
      const EvalClaim& c = items[j].claim;
      if (c.is_committed()) t.add(c.commitment(), wgt * gp[j]);
      else u_coef += gp[j] * c.value();
    }
    t.add(gp_.mask_value, wgt * eta);
    t.add(params.u(), wgt * u_coef);
    t.add(params.h(), -(wgt * gp_.blind));
  };
  // Why S is not the identity (the failure path only: one MSM per part).
  auto why_s = [&]() -> std::optional<std::string> {
    for (size_t g = 0; g < groups.size(); ++g) {
      MsmTerms one;
      group_terms(g, Fr::one(), one);
      if (!one.evaluate().is_identity())
        return "group " + std::to_string(g) + ": the revealed value does not open the claims' commitments";
    }
    if (extra != nullptr && !extra->evaluate().is_identity()) return std::string("the deferred checks fail");
    MsmTerms all;
    Fr wgt = lambda;
    for (size_t g = 0; g < groups.size(); ++g, wgt *= lambda) group_terms(g, wgt, all);
    if (extra != nullptr)
      for (size_t i = 0; i < extra->points.size(); ++i) all.add(extra->points[i], extra->scalars[i]);
    if (!all.evaluate().is_identity()) return std::string("the claims' Pedersen equations fail");
    return std::nullopt;
  };
  MsmTerms a;
  {
    Fr wgt = nu * lambda;
    for (size_t g = 0; g < groups.size(); ++g, wgt *= lambda) group_terms(g, wgt, a);
    if (extra != nullptr)
      for (size_t i = 0; i < extra->points.size(); ++i) a.add(extra->points[i], nu * extra->scalars[i]);
  }
  auto pairing_fails = [&] {
    if (auto why = why_s()) return reject(*why);
    return reject("the pairing check fails");
  };

  // Three-witness form: the pairing equation e(A, [1]_2) = e(Wbar, [tau]_2) with
  // A = s C_B - (sum_j d^j b_j) [1]_1 + sum_j d^j x_j W_j, s = 1 + d + d^2, Wbar = sum_j d^j W_j,
  // C_B = sum_i q^i C_i over every polynomial (C_{g,0} = sum gamma^j C_j + eta C_m - rho [beta]_1).
  // One-witness form: C_B - [I(tau)]_1 = Z(tau) W with I the quadratic through (x_j, b_j),
  // Z(X) = X^3 - r^2 X^2 - r^2 X + r^4:
  // e(C_B - [I(tau)]_1 - r^4 W, [1]_2) e(-W, [tau^3]_2) e(r^2 W, [tau^2 + tau]_2) = 1.
  // Both with A + nu S for A (S above): if S is not the identity, the product of pairings is
  // X e(S, [1]_2)^nu for an X fixed before nu, which is 1 for at most one nu (e(S, [1]_2) has order r).
  const Fr s = one ? Fr::one() : Fr::one() + d + d * d;
  std::array<Fr, 3> bvals = {Fr::zero(), Fr::zero(), Fr::zero()};
  const std::array<Fr, 3> dp = {Fr::one(), d, d * d};
  Fr qi = Fr::one(), beta_coef = Fr::zero();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& gp_ = proof.groups[g];
    for (size_t k = 0; k < gp_.evals.size(); ++k) {
      const Fr c = s * qi;
      if (k == 0) {
        for (size_t j : groups[g].members) a.add(items[j].commitment->point, c * gp[j]);
        a.add(gp_.mask, c * eta);
        beta_coef -= c * gp_.rho;
      } else {
        a.add(gp_.folds[k - 1], c);
      }
      for (size_t j = 0; j < 3; ++j) bvals[j] += qi * gp_.evals[k][j];  // B's values at x_j
      qi *= q;
    }
  }
  a.add(params.beta_g1(), beta_coef);
  if (one) {
    const std::array<Fr, 3> ic = interpolate_three(r, bvals);
    const Fr r2 = r * r;
    a.add(params.g1(), -ic[0]);
    a.add(params.tau_g1(), -ic[1]);
    a.add(params.tau2_g1(), -ic[2]);
    a.add(proof.witness[0], -(r2 * r2));
    const MsmTerms am = merged(a);
    const G1Affine A = curve::msm(am.points, am.scalars).to_affine();
    const auto g2 = prepared(params.g2()), t3 = prepared(params.tau3_g2()), t21 = prepared(params.tau2_plus_tau_g2());
    const std::array<curve::PreparedInput, 3> pairs = {
        curve::PreparedInput{A, g2.get()}, curve::PreparedInput{-proof.witness[0], t3.get()},
        curve::PreparedInput{(G1(proof.witness[0]) * r2).to_affine(), t21.get()}};
    if (!curve::pairing_check_prepared(pairs)) return pairing_fails();
    return Verdict::accept();
  }
  Fr bsum = Fr::zero();  // sum_j d^j b_j
  for (size_t j = 0; j < 3; ++j) bsum += dp[j] * bvals[j];
  a.add(params.g1(), -bsum);
  G1 wbar;
  for (size_t j = 0; j < 3; ++j) {
    a.add(proof.witness[j], dp[j] * x[j]);
    wbar += G1(proof.witness[j]) * dp[j];
  }
  const MsmTerms am = merged(a);
  const G1Affine A = curve::msm(am.points, am.scalars).to_affine();
  const auto g2 = prepared(params.g2()), t1 = prepared(params.tau_g2());
  const std::array<curve::PreparedInput, 2> pairs = {curve::PreparedInput{A, g2.get()},
                                                     curve::PreparedInput{(-wbar).to_affine(), t1.get()}};
  if (!curve::pairing_check_prepared(pairs)) return pairing_fails();
  return Verdict::accept();
}

}  // namespace

Verdict verify_batch(const KzgParams& params, std::span<const KzgOpeningClaim> items, const KzgBatchProof& proof,
                     transcript::Transcript& tr) {
  return verify_batch_impl(params, items, proof, tr, nullptr);
}

Verdict verify_batch(const KzgParams& params, std::span<const KzgOpeningClaim> items, const KzgBatchProof& proof,
                     transcript::Transcript& tr, const MsmTerms& extra) {
  return verify_batch_impl(params, items, proof, tr, &extra);
}

}  // namespace zkinfer::pcs
