// Linear-size zero-knowledge opening (Hyrax appendix A, proof-of-dot-prod). See dot_proof.h.
#include "pcs/dot_proof.h"

#include <string>

#include "common/check.h"
#include "curve/msm.h"

namespace zkinfer::pcs {

namespace {
Fr read_scalar(ByteReader& r, const char* what) {
  auto x = Fr::from_bytes(r.bytes(Fr::kBytes));
  if (!x) r.fail(std::string("dot proof: ") + what + " is not a canonical scalar");
  return *x;
}
Fr inner(std::span<const Fr> a, std::span<const Fr> b) {
  Fr acc = Fr::zero();
  for (size_t i = 0; i < a.size(); ++i) acc += a[i] * b[i];
  return acc;
}
}  // namespace

void DotProof::serialize(ByteWriter& w) const {
  w.bytes(d.to_bytes());
  w.u64(z.size());
  for (const Fr& x : z) w.bytes(x.to_bytes());
  w.bytes(z2.to_bytes());
}

DotProof DotProof::deserialize(ByteReader& r, size_t max_len) {
  DotProof p;
  auto d = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!d) r.fail("dot proof: D is not a valid point");
  p.d = *d;
  const uint64_t n = r.count(Fr::kBytes, max_len);
  p.z.reserve(n);
  for (uint64_t i = 0; i < n; ++i) p.z.push_back(read_scalar(r, "z entry"));
  p.z2 = read_scalar(r, "z2");
  return p;
}

DotMask draw_dot_mask(size_t n, const RandomFr& random) {
  DotMask m;
  m.d.resize(n);
  for (Fr& x : m.d) x = random();
  m.r = random();
  return m;
}

void compute_dot_mask(const HyraxParams& params, size_t log_cols, DotMask& mask, bool single_thread) {
  ZKINFER_CHECK(mask.d.size() == (size_t{1} << log_cols));
  if (mask.d.size() <= kDotTableMax) {
    mask.dg = curve::msm_tables(params.g_tables(log_cols), mask.d);
    return;
  }
  curve::MsmOptions o;
  if (single_thread) o.threads = 1;
  mask.dg = curve::msm(params.g(log_cols), mask.d, o);
}

DotProof dot_prove(const HyraxParams& params, size_t log_cols, const Fr& u_scale,
                   std::span<const Fr> a, std::span<const Fr> y, const Fr& alpha,
                   transcript::Transcript& transcript, const RandomFr& random) {
  ZKINFER_CHECK(a.size() == (size_t{1} << log_cols));
  DotMask mask = draw_dot_mask(a.size(), random);
  compute_dot_mask(params, log_cols, mask, false);
  return dot_prove_masked(params, u_scale, a, y, alpha, mask, transcript);
}

DotProof dot_prove_masked(const HyraxParams& params, const Fr& u_scale, std::span<const Fr> a,
                          std::span<const Fr> y, const Fr& alpha, const DotMask& mask,
                          transcript::Transcript& transcript) {
  const size_t n = a.size();
  ZKINFER_CHECK(n != 0 && y.size() == n && mask.d.size() == n);
  DotProof proof;
  proof.d = (mask.dg + params.mul_u(u_scale * inner(mask.d, y)) + params.mul_h(mask.r)).to_affine();
  transcript.absorb("hyrax.dot.D", proof.d);
  const Fr e = nonzero_challenge(transcript, "hyrax.dot.e");
  proof.z.resize(n);
  for (size_t i = 0; i < n; ++i) proof.z[i] = e * a[i] + mask.d[i];
  proof.z2 = e * alpha + mask.r;
  transcript.absorb_many("hyrax.dot.z", std::span<const Fr>(proof.z));
  transcript.absorb("hyrax.dot.z2", proof.z2);
  return proof;
}

void MsmAccumulator::add(const G1Affine& p, const Fr& s) {
  auto [it, fresh] = index_.try_emplace(&p, points_.size());
  if (fresh) {
    points_.push_back(p);
    scalars_.push_back(s);
  } else {
    scalars_[it->second] += s;
  }
}

void MsmAccumulator::add_all(std::span<const std::pair<const G1Affine*, Fr>> terms, const Fr& weight) {
  for (const auto& [p, s] : terms) add(*p, weight * s);
}

G1 MsmAccumulator::evaluate() const { return curve::msm(points_, scalars_); }

Verdict dot_verify_terms(const HyraxParams& params, std::span<const G1Affine> g, const Fr& u_scale,
                         std::span<const Fr> y, const PointTerms& p, const DotProof& proof,
                         transcript::Transcript& transcript, PointTerms& out) {
  const size_t n = g.size();
  ZKINFER_CHECK(y.size() == n);
  if (proof.z.size() != n)
    return Verdict::reject("dot proof: z has " + std::to_string(proof.z.size()) + " entries, expected " +
                           std::to_string(n));
  transcript.absorb("hyrax.dot.D", proof.d);
  const Fr e = nonzero_challenge(transcript, "hyrax.dot.e");
  transcript.absorb_many("hyrax.dot.z", std::span<const Fr>(proof.z));
  transcript.absorb("hyrax.dot.z2", proof.z2);
  // e P + D - <z, G> - (u_scale <z, y>) U - z2 H == 0.
  out.reserve(out.size() + p.size() + n + 3);
  for (const auto& [pt, s] : p) out.emplace_back(pt, e * s);
  out.emplace_back(&proof.d, Fr::one());
  for (size_t i = 0; i < n; ++i) out.emplace_back(&g[i], -proof.z[i]);
  out.emplace_back(&params.u(), -(u_scale * inner(proof.z, y)));
  out.emplace_back(&params.h(), -proof.z2);
  return Verdict::accept();
}

}  // namespace zkinfer::pcs
