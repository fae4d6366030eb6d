// Zero-knowledge inner-product argument (Hyrax appendix A / Bulletproofs §3 with blinded cross
// terms and a final Schnorr-style proof of knowledge). See ipa.h for the protocol.
#include "pcs/ipa.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

#include "common/check.h"
#include "curve/msm.h"

namespace zkinfer::pcs {

G1 MsmTerms::evaluate() const { return curve::msm(points, scalars); }

void IpaBatch::add(const Fr& w, std::span<const Fr> gen_scalars, const MsmTerms& rest) {
  ZKINFER_CHECK(gen_scalars.size() <= gens_.size() && rest.points.size() == rest.scalars.size());
  if (gen_scalars_.size() < gen_scalars.size()) gen_scalars_.resize(gen_scalars.size(), Fr::zero());
  for (size_t i = 0; i < gen_scalars.size(); ++i) gen_scalars_[i] += w * gen_scalars[i];
  for (size_t i = 0; i < rest.points.size(); ++i) rest_.add(rest.points[i], w * rest.scalars[i]);
  ++count_;
}

namespace {
// The same sum with one term per distinct point (identity points dropped): U, H and the Pedersen
// claims recur in many of a batch's checks. Points are compared by their (reduced, so unique)
// Montgomery coordinates.
MsmTerms merge_equal_points(const MsmTerms& t) {
  std::vector<uint32_t> idx;
  idx.reserve(t.points.size());
  for (size_t i = 0; i < t.points.size(); ++i)
    if (!t.points[i].infinity) idx.push_back(static_cast<uint32_t>(i));
  auto key = [&](uint32_t i) { return std::make_pair(t.points[i].x.mont(), t.points[i].y.mont()); };
  std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  MsmTerms out;
  out.points.reserve(idx.size());
  out.scalars.reserve(idx.size());
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k > 0 && t.points[idx[k]] == t.points[idx[k - 1]])
      out.scalars.back() += t.scalars[idx[k]];
    else
      out.add(t.points[idx[k]], t.scalars[idx[k]]);
  }
  return out;
}
}  // namespace

bool IpaBatch::holds() const {
  if (count_ == 0) return true;
  MsmTerms all = rest_;
  all.points.insert(all.points.end(), gens_.begin(), gens_.begin() + static_cast<std::ptrdiff_t>(gen_scalars_.size()));
  all.scalars.insert(all.scalars.end(), gen_scalars_.begin(), gen_scalars_.end());
  return merge_equal_points(all).evaluate().is_identity();
}

Fr nonzero_challenge(transcript::Transcript& transcript, std::string_view label) {
  for (;;) {
    Fr x = transcript.challenge<Fr>(label);
    if (!x.is_zero()) return x;
  }
}

std::vector<Fr> ipa_fold_weights(std::span<const Fr> x) {
  const size_t k = x.size();
  std::vector<Fr> inv(x.begin(), x.end());
  Fr::batch_inverse(inv);
  std::vector<Fr> s(size_t{1} << k);
  s[0] = Fr::one();
  // Bit p of the index is the bit folded in round k-1-p; tensor one bit at a time, low first.
  for (size_t p = 0, len = 1; p < k; ++p, len *= 2) {
    const size_t j = k - 1 - p;
    for (size_t i = 0; i < len; ++i) {
      s[i + len] = s[i] * x[j];
      s[i] *= inv[j];
    }
  }
  return s;
}

namespace {

Fr inner(std::span<const Fr> a, std::span<const Fr> b) {
  Fr acc = Fr::zero();
  for (size_t i = 0; i < a.size(); ++i) acc += a[i] * b[i];
  return acc;
}

G1Affine read_point(ByteReader& r, const char* what) {
  auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!p) r.fail(std::string("ipa proof: ") + what + " is not a valid point");
  return *p;
}

Fr read_scalar(ByteReader& r, const char* what) {
  auto x = Fr::from_bytes(r.bytes(Fr::kBytes));
  if (!x) r.fail(std::string("ipa proof: ") + what + " is not a canonical scalar");
  return *x;
}

}  // namespace

void IpaProof::serialize(ByteWriter& w) const {
  ZKINFER_CHECK(l.size() == r.size() && l.size() < 256);
  w.u8(static_cast<uint8_t>(l.size()));
  for (size_t j = 0; j < l.size(); ++j) {
    w.bytes(l[j].to_bytes());
    w.bytes(r[j].to_bytes());
  }
  w.bytes(a.to_bytes());
  w.bytes(z1.to_bytes());
  w.bytes(z2.to_bytes());
}

IpaProof IpaProof::deserialize(ByteReader& r, size_t max_rounds) {
  IpaProof p;
  const size_t k = r.u8();
  if (k > max_rounds)
    r.fail("ipa proof: " + std::to_string(k) + " rounds exceed " + std::to_string(max_rounds));
  for (size_t j = 0; j < k; ++j) {
    p.l.push_back(read_point(r, "L"));
    p.r.push_back(read_point(r, "R"));
  }
  p.a = read_point(r, "A");
  p.z1 = read_scalar(r, "z1");
  p.z2 = read_scalar(r, "z2");
  return p;
}

IpaProof ipa_prove(std::span<const G1Affine> g, const G1Affine& h, const G1Affine& u,
                   const Fr& u_scale, std::vector<Fr> a, std::vector<Fr> y, Fr alpha,
                   transcript::Transcript& transcript, const RandomFr& random) {
  const size_t n = a.size();
  ZKINFER_CHECK(n != 0 && std::has_single_bit(n) && g.size() == n && y.size() == n);
  const size_t k = static_cast<size_t>(std::countr_zero(n));
  const G1 hj(h);
  const G1 u_prime = G1(u) * u_scale;
  // The current generators are lambda * gh (gh is folded as gh_lo + x^2 gh_hi, which needs one
  // scalar multiplication per point instead of two; lambda collects the x^-1 factors).
  std::vector<G1Affine> gh(g.begin(), g.end());
  Fr lambda = Fr::one();
  IpaProof proof;
  for (size_t j = 0; j < k; ++j) {
    const size_t half = a.size() / 2;
    std::span<const Fr> a_lo(a.data(), half), a_hi(a.data() + half, half);
    std::span<const Fr> y_lo(y.data(), half), y_hi(y.data() + half, half);
    std::span<const G1Affine> g_lo(gh.data(), half), g_hi(gh.data() + half, half);
    const Fr c_l = inner(a_lo, y_hi), c_r = inner(a_hi, y_lo);
    const Fr bl = random(), br = random();
    std::vector<Fr> sl(half), sr(half);
    for (size_t i = 0; i < half; ++i) {
      sl[i] = lambda * a_lo[i];
      sr[i] = lambda * a_hi[i];
    }
    G1 lr[2] = {curve::msm(g_hi, sl) + u_prime * c_l + hj * bl,
                curve::msm(g_lo, sr) + u_prime * c_r + hj * br};
    G1Affine lra[2];
    G1::batch_to_affine(lr, lra);
    proof.l.push_back(lra[0]);
    proof.r.push_back(lra[1]);
    transcript.absorb("hyrax.ipa.L", lra[0]);
    transcript.absorb("hyrax.ipa.R", lra[1]);
    const Fr x = nonzero_challenge(transcript, "hyrax.ipa.x");
    const Fr xi = x.inverse(), x2 = x.square(), xi2 = xi.square();

    std::vector<G1> folded(half);
#pragma omp parallel for schedule(static) if (half >= 16)
    for (size_t i = 0; i < half; ++i) {
      a[i] = x * a[i] + xi * a[half + i];
      y[i] = xi * y[i] + x * y[half + i];
      folded[i] = G1(gh[half + i]) * x2 + gh[i];
    }
    a.resize(half);
    y.resize(half);
    gh.resize(half);
    G1::batch_to_affine(folded, gh);
    lambda *= xi;
    alpha += x2 * bl + xi2 * br;
  }
  // Final: P = a (g + y U') + alpha H with g = lambda gh[0]; prove knowledge of (a, alpha).
  const G1 base = G1(gh[0]) * lambda + u_prime * y[0];
  const Fr d = random(), delta = random();
  proof.a = (base * d + hj * delta).to_affine();
  transcript.absorb("hyrax.ipa.A", proof.a);
  const Fr e = nonzero_challenge(transcript, "hyrax.ipa.e");
  proof.z1 = e * a[0] + d;
  proof.z2 = e * alpha + delta;
  transcript.absorb("hyrax.ipa.z1", proof.z1);
  transcript.absorb("hyrax.ipa.z2", proof.z2);
  return proof;
}

Verdict ipa_verify(std::span<const G1Affine> g, const G1Affine& h, const G1Affine& u,
                   const Fr& u_scale, std::span<const Fr> y, MsmTerms p, const IpaProof& proof,
                   transcript::Transcript& transcript, IpaBatch* batch) {
  const size_t n = g.size();
  ZKINFER_CHECK(n != 0 && std::has_single_bit(n) && y.size() == n);
  ZKINFER_CHECK(p.points.size() == p.scalars.size());
  const size_t k = static_cast<size_t>(std::countr_zero(n));
  if (proof.l.size() != k || proof.r.size() != k)
    return Verdict::reject("ipa: proof has " + std::to_string(proof.l.size()) + "/" +
                           std::to_string(proof.r.size()) + " L/R messages, expected " +
                           std::to_string(k));
  std::vector<Fr> x(k);
  for (size_t j = 0; j < k; ++j) {
    transcript.absorb("hyrax.ipa.L", proof.l[j]);
    transcript.absorb("hyrax.ipa.R", proof.r[j]);
    x[j] = nonzero_challenge(transcript, "hyrax.ipa.x");
  }
  transcript.absorb("hyrax.ipa.A", proof.a);
  const Fr e = nonzero_challenge(transcript, "hyrax.ipa.e");
  transcript.absorb("hyrax.ipa.z1", proof.z1);
  transcript.absorb("hyrax.ipa.z2", proof.z2);

  const std::vector<Fr> s = ipa_fold_weights(x);
  const Fr y_final = inner(s, y);
  // z1 (<s, G> + y_final U') + z2 H - e (P + sum_j x_j^2 L_j + x_j^-2 R_j) - A == 0.
  MsmTerms check = std::move(p);
  for (Fr& c : check.scalars) c = -(e * c);
  const bool deferred = batch != nullptr && batch->generators().size() >= n && batch->generators().data() == g.data();
  std::vector<Fr> gen_scalars(n);
  for (size_t i = 0; i < n; ++i) gen_scalars[i] = proof.z1 * s[i];
  if (!deferred) {
    check.points.insert(check.points.end(), g.begin(), g.end());
    check.scalars.insert(check.scalars.end(), gen_scalars.begin(), gen_scalars.end());
  }
  check.add(u, proof.z1 * y_final * u_scale);
  check.add(h, proof.z2);
  std::vector<Fr> xi(x);
  Fr::batch_inverse(xi);
  for (size_t j = 0; j < k; ++j) {
    check.add(proof.l[j], -(e * x[j].square()));
    check.add(proof.r[j], -(e * xi[j].square()));
  }
  check.add(proof.a, -Fr::one());
  if (deferred) {  // the weight from a copy of the transcript, which has absorbed every term above
    transcript::Transcript fork = transcript;
    batch->add(nonzero_challenge(fork, "hyrax.ipa.batch_weight"), gen_scalars, check);
    return Verdict::accept();
  }
  if (!check.evaluate().is_identity())
    return Verdict::reject("ipa: final check z1 (g + y U') + z2 H = e P' + A fails");
  return Verdict::accept();
}

}  // namespace zkinfer::pcs
