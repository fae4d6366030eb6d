#include "snark/groth16.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <stdexcept>

#include "common/bytes.h"
#include "common/check.h"
#include "common/error.h"
#include "common/random.h"
#include "curve/g2_msm.h"
#include "curve/msm.h"
#include "curve/pairing.h"
#include "hash/keccak.h"
#include "poly/ntt.h"
#include "poly/parallel.h"

namespace zkinfer::snark {

using curve::G1;
using curve::G2;
using field::Fq;

namespace {

// ---- fixed-base multiplication of the generators (setup) ----
// 8-bit windows: table[8-bit window w][d - 1] = d 2^(8w) P, so k P is 32 mixed additions.
constexpr unsigned kFbWindows = 32, kFbDigits = 255;

std::vector<G1Affine> g1_table() {
  std::vector<G1> t(kFbWindows * kFbDigits);
  G1 base = G1::generator();
  for (unsigned w = 0; w < kFbWindows; ++w) {
    G1 acc = base;
    for (unsigned d = 0; d < kFbDigits; ++d) {
      t[w * kFbDigits + d] = acc;
      acc += base;
    }
    base = acc;  // 256 * base
  }
  std::vector<G1Affine> a(t.size());
  G1::batch_to_affine(t, a);
  return a;
}

std::vector<G2Affine> g2_table() {
  std::vector<G2> t(kFbWindows * kFbDigits);
  G2 base = G2::generator();
  for (unsigned w = 0; w < kFbWindows; ++w) {
    G2 acc = base;
    for (unsigned d = 0; d < kFbDigits; ++d) {
      t[w * kFbDigits + d] = acc;
      acc += base;
    }
    base = acc;
  }
  std::vector<G2Affine> a(t.size());
  curve::g2_batch_to_affine(t, a);
  return a;
}

std::vector<G1Affine> g1_times(std::span<const Fr> ks) {
  static const std::vector<G1Affine> table = g1_table();
  std::vector<G1> j(ks.size());
#pragma omp parallel for schedule(static) if (ks.size() > 64)
  for (size_t i = 0; i < ks.size(); ++i) {
    const auto b = ks[i].to_bytes();
    G1 acc;
    for (unsigned w = 0; w < kFbWindows; ++w)
      if (b[w]) acc += table[w * kFbDigits + b[w] - 1];
    j[i] = acc;
  }
  std::vector<G1Affine> out(ks.size());
  G1::batch_to_affine(j, out);
  return out;
}

std::vector<G2Affine> g2_times(std::span<const Fr> ks) {
  static const std::vector<G2Affine> table = g2_table();
  std::vector<G2> j(ks.size());
#pragma omp parallel for schedule(static) if (ks.size() > 16)
  for (size_t i = 0; i < ks.size(); ++i) {
    const auto b = ks[i].to_bytes();
    G2 acc;
    for (unsigned w = 0; w < kFbWindows; ++w)
      if (b[w]) acc = curve::g2_add_mixed(acc, table[w * kFbDigits + b[w] - 1]);
    j[i] = acc;
  }
  std::vector<G2Affine> out(ks.size());
  curve::g2_batch_to_affine(j, out);
  return out;
}

G1Affine g1_times(const Fr& k) { return (G1::generator() * k).to_affine(); }
G2Affine g2_times(const Fr& k) { return (G2::generator() * k).to_affine(); }

Fr nonzero(const RandomFr& random, const char* what) {
  for (int tries = 0; tries < 8; ++tries) {
    Fr x = random();
    if (!x.is_zero()) return x;
  }
  throw Error(std::string("groth16 setup: the randomness source gave zero for ") + what + " eight times");
}

// sum coeff * z[column] for a normalized combination.
Fr dot(const ConstraintSystem& cs, const LinComb& lc, std::span<const Fr> z) {
  Fr s;
  for (const auto& [v, k] : lc.terms) s += k * z[cs.column(v)];
  return s;
}

}  // namespace

// ---- shape ----

R1csShape r1cs_shape(const ConstraintSystem& cs) {
  R1csShape s;
  s.num_constraints = cs.num_constraints();
  s.num_public = cs.num_public();
  s.num_witness = cs.num_witness();
  hash::Keccak256 h;
  h.update("zkinfer groth16 r1cs v1");
  ByteWriter head;
  head.u64(s.num_constraints), head.u64(s.num_public), head.u64(s.num_witness);
  h.update(head.data());
  std::vector<uint8_t> buf;
  buf.reserve(1 << 16);
  auto flush = [&] {
    h.update(buf);
    buf.clear();
  };
  auto put_u64 = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) buf.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  for (const Constraint& c : cs.constraints()) {
    for (const LinComb* lc : {&c.a, &c.b, &c.c}) {
      put_u64(lc->terms.size());
      for (const auto& [v, k] : lc->terms) {
        put_u64(cs.column(v));
        const auto kb = k.to_bytes();
        buf.insert(buf.end(), kb.begin(), kb.end());
      }
    }
    if (buf.size() > (1 << 16) - 4096) flush();
  }
  flush();
  const auto d = h.finalize();
  std::copy(d.begin(), d.end(), s.digest.begin());
  return s;
}

unsigned groth16_log_domain(const ConstraintSystem& cs) {
  const size_t need = cs.num_constraints() + cs.num_public() + 1;
  unsigned k = 0;
  while ((size_t{1} << k) < need) {
    ++k;
    if (k > poly::kFrTwoAdicity)
      throw Error("groth16: " + std::to_string(cs.num_constraints()) + " constraints and " +
                  std::to_string(cs.num_public()) + " public inputs exceed the largest domain, 2^28");
  }
  return k;
}

// ---- setup (TEST ONLY) ----

Groth16ProvingKey groth16_setup_insecure(const ConstraintSystem& cs, const RandomFr& toxic) {
  Groth16ProvingKey pk;
  pk.shape = r1cs_shape(cs);
  pk.log_domain = groth16_log_domain(cs);
  const size_t n = size_t{1} << pk.log_domain, m = cs.num_constraints(), l = cs.num_public();
  const size_t vars = cs.num_variables();

  const Fr tau = nonzero(toxic, "tau"), alpha = nonzero(toxic, "alpha"), beta = nonzero(toxic, "beta"),
           gamma = nonzero(toxic, "gamma"), delta = nonzero(toxic, "delta");

  // Lagrange basis at tau: L_i(tau) = w^i (tau^n - 1) / (n (tau - w^i)).
  const Fr w = poly::root_of_unity(pk.log_domain);
  const Fr z_tau = tau.pow(static_cast<uint64_t>(n)) - Fr::one();
  if (z_tau.is_zero()) throw Error("groth16 setup: tau lies in the evaluation domain; draw again");
  std::vector<Fr> lag(n), wi(n);
  {
    Fr x = Fr::one();
    for (size_t i = 0; i < n; ++i, x *= w) wi[i] = x, lag[i] = tau - x;
    Fr::batch_inverse(lag);
    const Fr scale = z_tau * Fr::from_u64(n).inverse();
    for (size_t i = 0; i < n; ++i) lag[i] *= wi[i] * scale;
  }
  // u_j(tau), v_j(tau), w_j(tau) per column.
  std::vector<Fr> u(vars), v(vars), wc(vars);
  const auto& cons = cs.constraints();
  for (size_t i = 0; i < m; ++i) {
    for (const auto& [var, k] : cons[i].a.terms) u[cs.column(var)] += k * lag[i];
    for (const auto& [var, k] : cons[i].b.terms) v[cs.column(var)] += k * lag[i];
    for (const auto& [var, k] : cons[i].c.terms) wc[cs.column(var)] += k * lag[i];
  }
  for (size_t j = 0; j <= l; ++j) u[j] += lag[m + j];  // input-consistency rows z_j * 0 = 0

  const Fr gamma_inv = gamma.inverse(), delta_inv = delta.inverse();
  std::vector<Fr> ic(l + 1), lq(vars - l - 1);
  for (size_t j = 0; j < vars; ++j) {
    const Fr t = beta * u[j] + alpha * v[j] + wc[j];
    if (j <= l) {
      ic[j] = t * gamma_inv;
    } else {
      lq[j - l - 1] = t * delta_inv;
    }
  }
  std::vector<Fr> hq(n - 1);
  {
    Fr x = z_tau * delta_inv;
    for (size_t i = 0; i + 1 < n; ++i, x *= tau) hq[i] = x;
  }

  pk.vk.alpha = g1_times(alpha);
  pk.vk.beta = g2_times(beta);
  pk.vk.gamma = g2_times(gamma);
  pk.vk.delta = g2_times(delta);
  pk.vk.ic = g1_times(ic);
  pk.alpha1 = pk.vk.alpha;
  pk.beta1 = g1_times(beta);
  pk.delta1 = g1_times(delta);
  pk.beta2 = pk.vk.beta;
  pk.delta2 = pk.vk.delta;
  pk.a_query = g1_times(u);
  pk.b1_query = g1_times(v);
  pk.b2_query = g2_times(v);
  pk.l_query = g1_times(lq);
  pk.h_query = g1_times(hq);
  return pk;
}

Groth16ProvingKey groth16_setup_insecure(const ConstraintSystem& cs, uint64_t seed) {
  TestRng rng(seed);
  return groth16_setup_insecure(cs, [&rng] { return Fr::random(rng); });
}

// ---- prove ----

Groth16Proof groth16_prove(const Groth16ProvingKey& pk, const ConstraintSystem& cs, const RandomFr& random,
                           const ProveOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  auto lap = [&](double Groth16ProveTimings::*field) {
    const auto t = Clock::now();
    if (options.timings) options.timings->*field += std::chrono::duration<double>(t - t0).count();
    t0 = t;
  };
  const R1csShape shape = r1cs_shape(cs);
  if (!(shape == pk.shape)) {
    throw Error("groth16 prove: the proving key was made for another circuit (key: " +
                std::to_string(pk.shape.num_constraints) + " constraints, " + std::to_string(pk.shape.num_public) +
                " public, " + std::to_string(pk.shape.num_witness) + " witness; circuit: " +
                std::to_string(shape.num_constraints) + ", " + std::to_string(shape.num_public) + ", " +
                std::to_string(shape.num_witness) + (shape.num_constraints == pk.shape.num_constraints &&
                                                             shape.num_public == pk.shape.num_public &&
                                                             shape.num_witness == pk.shape.num_witness
                                                         ? "; same counts, other constraints)"
                                                         : ")"));
  }
  if (options.check_satisfied) {
    size_t bad = 0;
    if (!cs.is_satisfied(&bad)) {
      const std::string label = cs.which_label(bad);
      throw Error("groth16 prove: the assignment does not satisfy constraint " + std::to_string(bad) +
                  (label.empty() ? std::string() : " (" + label + ")") + "; refusing to prove");
    }
  }
  lap(&Groth16ProveTimings::shape);
  const size_t n = size_t{1} << pk.log_domain, m = cs.num_constraints(), l = cs.num_public();
  const std::vector<Fr> z = cs.assignment();
  const auto& cons = cs.constraints();

  // A, B, C on the domain, to coefficients, to the coset g H.
  std::vector<Fr> a(n), b(n), c(n);
#pragma omp parallel for schedule(static) if (poly::go_parallel(m))
  for (size_t i = 0; i < m; ++i) {
    a[i] = dot(cs, cons[i].a, z);
    b[i] = dot(cs, cons[i].b, z);
    c[i] = dot(cs, cons[i].c, z);
  }
  for (size_t j = 0; j <= l; ++j) a[m + j] = z[j];
  lap(&Groth16ProveTimings::evaluate);
  const Fr g = poly::fr_nonresidue();
  for (std::vector<Fr>* p : {&a, &b, &c}) {  // each transform is parallel inside
    poly::intt(*p);
    poly::coset_ntt(*p, g);
  }
  const Fr z_inv = (g.pow(static_cast<uint64_t>(n)) - Fr::one()).inverse();
#pragma omp parallel for schedule(static) if (poly::go_parallel(n))
  for (size_t i = 0; i < n; ++i) a[i] = (a[i] * b[i] - c[i]) * z_inv;
  poly::coset_intt(a, g);  // h's coefficients; deg h <= n - 2 when the assignment satisfies
  if (options.check_satisfied) ZKINFER_CHECK(a[n - 1].is_zero());
  const std::span<const Fr> h(a.data(), n - 1);
  lap(&Groth16ProveTimings::ntt);

  const Fr r = random(), s = random();
  const G1 msm_a = curve::msm(pk.a_query, z);
  const G1 msm_b1 = curve::msm(pk.b1_query, z);
  const G1 msm_l = curve::msm(pk.l_query, std::span<const Fr>(z).subspan(l + 1));
  const G1 msm_h = curve::msm(pk.h_query, h);
  lap(&Groth16ProveTimings::msm_g1);
  const G2 msm_b2 = curve::msm_g2(pk.b2_query, z);
  lap(&Groth16ProveTimings::msm_g2);

  const G1 delta1(pk.delta1);
  const G1 pa = G1(pk.alpha1) + msm_a + delta1 * r;
  const G1 pb1 = G1(pk.beta1) + msm_b1 + delta1 * s;
  const G2 pb2 = G2(pk.beta2) + msm_b2 + G2(pk.delta2) * s;
  const G1 pc = msm_l + msm_h + pa * s + pb1 * r - delta1 * (r * s);
  return Groth16Proof{pa.to_affine(), pb2.to_affine(), pc.to_affine()};
}

Groth16Proof groth16_prove(const Groth16ProvingKey& pk, const ConstraintSystem& cs) {
  SecureRng rng;
  return groth16_prove(pk, cs, [&rng] { return Fr::random(rng); });
}

// ---- verify ----

Groth16Result groth16_verify(const Groth16VerifyingKey& vk, std::span<const Fr> public_inputs, const Groth16Proof& proof) {
  auto reject = [](std::string why) { return Groth16Result{false, std::move(why)}; };
  if (vk.ic.empty()) return reject("verifying key: no IC points");
  if (public_inputs.size() != vk.num_public())
    return reject("wrong number of public inputs: " + std::to_string(public_inputs.size()) + " given, the key takes " +
                  std::to_string(vk.num_public()));
  if (!vk.alpha.is_on_curve()) return reject("verifying key: alpha is not on G1");
  for (size_t i = 0; i < vk.ic.size(); ++i)
    if (!vk.ic[i].is_on_curve()) return reject("verifying key: IC[" + std::to_string(i) + "] is not on G1");
  for (auto [p, name] : {std::pair{&vk.beta, "beta"}, std::pair{&vk.gamma, "gamma"}, std::pair{&vk.delta, "delta"}})
    if (!p->is_on_curve() || !p->is_in_subgroup()) return reject(std::string("verifying key: ") + name + " is not in G2");
  if (!proof.a.is_on_curve()) return reject("proof: A is not on G1");
  if (!proof.c.is_on_curve()) return reject("proof: C is not on G1");
  if (!proof.b.is_on_curve()) return reject("proof: B is not on the twist");
  if (!proof.b.is_in_subgroup()) return reject("proof: B is not in G2 (order-r subgroup)");

  const G1 vk_x = G1(vk.ic[0]) + curve::msm(std::span<const G1Affine>(vk.ic).subspan(1), public_inputs);
  const curve::PairingInput pairs[4] = {
      {-proof.a, proof.b}, {vk.alpha, vk.beta}, {vk_x.to_affine(), vk.gamma}, {proof.c, vk.delta}};
  if (!curve::pairing_check(pairs)) return reject("pairing check failed: e(A, B) != e(alpha, beta) e(vk_x, gamma) e(C, delta)");
  return Groth16Result{true, {}};
}

// ---- bytes ----

namespace {
constexpr uint8_t kVkMagic[4] = {'G', '1', '6', 'V'};
constexpr uint8_t kProofMagic[4] = {'G', '1', '6', 'P'};

void check_magic(ByteReader& r, const uint8_t (&magic)[4], const char* what) {
  const auto m = r.bytes(4);
  if (!std::equal(m.begin(), m.end(), magic)) r.fail(std::string("not a ") + what + " (wrong magic)");
  const uint32_t version = r.u32();
  if (version != kGroth16FormatVersion)
    r.fail("version " + std::to_string(version) + " (this build reads version " + std::to_string(kGroth16FormatVersion) + ")");
}
G1Affine read_g1(ByteReader& r, const std::string& name) {
  auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
  if (!p) r.fail(name + " is not a canonical G1 point");
  return *p;
}
G2Affine read_g2(ByteReader& r, const std::string& name) {
  auto p = G2Affine::from_bytes(r.bytes(G2Affine::kCompressedBytes));
  if (!p) r.fail(name + " is not a canonical G2 point (curve and subgroup checked)");
  return *p;
}
}  // namespace

std::vector<uint8_t> groth16_vk_to_bytes(const Groth16VerifyingKey& vk) {
  ByteWriter w;
  w.bytes(kVkMagic);
  w.u32(kGroth16FormatVersion);
  w.u32(static_cast<uint32_t>(vk.num_public()));
  w.bytes(vk.alpha.to_bytes());
  for (const G2Affine* p : {&vk.beta, &vk.gamma, &vk.delta}) w.bytes(p->to_bytes());
  for (const auto& p : vk.ic) w.bytes(p.to_bytes());
  return w.take();
}

Groth16VerifyingKey groth16_vk_from_bytes(std::span<const uint8_t> in) {
  ByteReader r(in, "groth16 verifying key");
  check_magic(r, kVkMagic, "groth16 verifying key");
  const uint32_t l = r.u32();
  Groth16VerifyingKey vk;
  vk.alpha = read_g1(r, "alpha");
  vk.beta = read_g2(r, "beta");
  vk.gamma = read_g2(r, "gamma");
  vk.delta = read_g2(r, "delta");
  if (static_cast<uint64_t>(l) + 1 > r.remaining() / G1Affine::kBytes)
    r.fail("truncated: " + std::to_string(l) + " public inputs need " + std::to_string((uint64_t{l} + 1) * 32) +
           " bytes of IC points, " + std::to_string(r.remaining()) + " left");
  vk.ic.resize(size_t{l} + 1);
  for (size_t i = 0; i <= l; ++i) vk.ic[i] = read_g1(r, "IC[" + std::to_string(i) + "]");
  r.expect_end();
  return vk;
}

std::vector<uint8_t> groth16_proof_to_bytes(const Groth16Proof& proof) {
  ByteWriter w;
  w.bytes(kProofMagic);
  w.u32(kGroth16FormatVersion);
  w.bytes(proof.a.to_bytes());
  w.bytes(proof.b.to_bytes());
  w.bytes(proof.c.to_bytes());
  return w.take();
}

Groth16Proof groth16_proof_from_bytes(std::span<const uint8_t> in) {
  ByteReader r(in, "groth16 proof");
  check_magic(r, kProofMagic, "groth16 proof");
  Groth16Proof p;
  p.a = read_g1(r, "A");
  p.b = read_g2(r, "B");
  p.c = read_g1(r, "C");
  r.expect_end();
  return p;
}

namespace {
constexpr uint8_t kPkMagic[4] = {'G', '1', '6', 'K'};
constexpr size_t kG1Raw = 64, kG2Raw = 128;

void put_fq(std::vector<uint8_t>& out, size_t at, const Fq& x) {
  const auto b = x.to_bytes();
  std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
}
void put_g1_raw(std::vector<uint8_t>& out, size_t at, const G1Affine& p) {
  if (p.is_identity()) return;  // all zero
  put_fq(out, at, p.x), put_fq(out, at + 32, p.y);
}
void put_g2_raw(std::vector<uint8_t>& out, size_t at, const G2Affine& p) {
  if (p.is_identity()) return;
  put_fq(out, at, p.x.c0), put_fq(out, at + 32, p.x.c1), put_fq(out, at + 64, p.y.c0), put_fq(out, at + 96, p.y.c1);
}
// nullopt: a coordinate >= q or a point off its curve.
std::optional<G1Affine> get_g1_raw(std::span<const uint8_t> b) {
  if (std::all_of(b.begin(), b.end(), [](uint8_t v) { return v == 0; })) return G1Affine::identity();
  auto x = Fq::from_bytes(b.subspan(0, 32)), y = Fq::from_bytes(b.subspan(32, 32));
  if (!x || !y) return std::nullopt;
  const G1Affine p = G1Affine::from_xy(*x, *y);
  if (!p.is_on_curve()) return std::nullopt;
  return p;
}
std::optional<G2Affine> get_g2_raw(std::span<const uint8_t> b) {
  if (std::all_of(b.begin(), b.end(), [](uint8_t v) { return v == 0; })) return G2Affine::identity();
  std::optional<Fq> c[4];
  for (size_t i = 0; i < 4; ++i)
    if (!(c[i] = Fq::from_bytes(b.subspan(32 * i, 32)))) return std::nullopt;
  const G2Affine p = G2Affine::from_xy({*c[0], *c[1]}, {*c[2], *c[3]});
  if (!p.is_on_curve()) return std::nullopt;
  return p;
}

template <class Affine>
void put_list(ByteWriter& w, const std::vector<Affine>& v) {
  constexpr size_t size = std::is_same_v<Affine, G1Affine> ? kG1Raw : kG2Raw;
  w.u64(v.size());
  std::vector<uint8_t> buf(size * v.size(), 0);
#pragma omp parallel for schedule(static) if (v.size() > 4096)
  for (size_t i = 0; i < v.size(); ++i) {
    if constexpr (std::is_same_v<Affine, G1Affine>) {
      put_g1_raw(buf, size * i, v[i]);
    } else {
      put_g2_raw(buf, size * i, v[i]);
    }
  }
  w.bytes(buf);
}

template <class Affine>
std::vector<Affine> get_list(ByteReader& r, const std::string& name, uint64_t expected) {
  constexpr size_t size = std::is_same_v<Affine, G1Affine> ? kG1Raw : kG2Raw;
  const uint64_t n = r.count(size);
  if (n != expected)
    r.fail(name + " holds " + std::to_string(n) + " points, the key's shape needs " + std::to_string(expected));
  const auto bytes = r.bytes(size * n);
  std::vector<Affine> v(n);
  std::vector<uint8_t> bad(n, 0);
#pragma omp parallel for schedule(static) if (n > 4096)
  for (size_t i = 0; i < n; ++i) {
    std::optional<Affine> p;
    if constexpr (std::is_same_v<Affine, G1Affine>) {
      p = get_g1_raw(bytes.subspan(size * i, size));
    } else {
      p = get_g2_raw(bytes.subspan(size * i, size));
    }
    if (p) {
      v[i] = *p;
    } else {
      bad[i] = 1;
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (bad[i]) r.fail(name + "[" + std::to_string(i) + "] is not a canonical point of its curve");
  return v;
}
}  // namespace

std::vector<uint8_t> groth16_pk_to_bytes(const Groth16ProvingKey& pk) {
  ByteWriter w;
  w.bytes(kPkMagic);
  w.u32(kGroth16FormatVersion);
  w.u64(pk.shape.num_constraints), w.u64(pk.shape.num_public), w.u64(pk.shape.num_witness);
  w.bytes(pk.shape.digest);
  w.u32(pk.log_domain);
  const auto vk = groth16_vk_to_bytes(pk.vk);
  w.u64(vk.size());
  w.bytes(vk);
  std::vector<uint8_t> fixed(3 * kG1Raw + 2 * kG2Raw, 0);
  put_g1_raw(fixed, 0, pk.alpha1), put_g1_raw(fixed, kG1Raw, pk.beta1), put_g1_raw(fixed, 2 * kG1Raw, pk.delta1);
  put_g2_raw(fixed, 3 * kG1Raw, pk.beta2), put_g2_raw(fixed, 3 * kG1Raw + kG2Raw, pk.delta2);
  w.bytes(fixed);
  put_list(w, pk.a_query), put_list(w, pk.b1_query), put_list(w, pk.b2_query), put_list(w, pk.l_query),
      put_list(w, pk.h_query);
  return w.take();
}

Groth16ProvingKey groth16_pk_from_bytes(std::span<const uint8_t> in) {
  ByteReader r(in, "groth16 proving key");
  check_magic(r, kPkMagic, "groth16 proving key");
  Groth16ProvingKey pk;
  pk.shape.num_constraints = r.u64(), pk.shape.num_public = r.u64(), pk.shape.num_witness = r.u64();
  const auto d = r.bytes(32);
  std::copy(d.begin(), d.end(), pk.shape.digest.begin());
  pk.log_domain = r.u32();
  const uint64_t need = pk.shape.num_constraints + pk.shape.num_public + 1;
  if (pk.log_domain > poly::kFrTwoAdicity || pk.shape.num_constraints > (uint64_t{1} << 28) ||
      pk.shape.num_public > (uint64_t{1} << 28) || (uint64_t{1} << pk.log_domain) < need ||
      (pk.log_domain > 0 && (uint64_t{1} << (pk.log_domain - 1)) >= need))
    r.fail("log_domain " + std::to_string(pk.log_domain) + " does not fit " + std::to_string(pk.shape.num_constraints) +
           " constraints and " + std::to_string(pk.shape.num_public) + " public inputs");
  const uint64_t vk_len = r.count(1);
  if (vk_len > r.remaining()) r.fail("truncated verifying key");
  pk.vk = groth16_vk_from_bytes(r.bytes(vk_len));
  if (pk.vk.num_public() != pk.shape.num_public) r.fail("the verifying key's public input count differs from the shape's");
  const auto fixed = r.bytes(3 * kG1Raw + 2 * kG2Raw);
  auto g1 = [&](size_t at, const char* name) {
    auto p = get_g1_raw(fixed.subspan(at, kG1Raw));
    if (!p) r.fail(std::string(name) + " is not a canonical G1 point");
    return *p;
  };
  auto g2 = [&](size_t at, const char* name) {
    auto p = get_g2_raw(fixed.subspan(at, kG2Raw));
    if (!p) r.fail(std::string(name) + " is not a canonical point of the twist");
    return *p;
  };
  pk.alpha1 = g1(0, "alpha1"), pk.beta1 = g1(kG1Raw, "beta1"), pk.delta1 = g1(2 * kG1Raw, "delta1");
  pk.beta2 = g2(3 * kG1Raw, "beta2"), pk.delta2 = g2(3 * kG1Raw + kG2Raw, "delta2");
  const uint64_t vars = 1 + pk.shape.num_public + pk.shape.num_witness;
  pk.a_query = get_list<G1Affine>(r, "a_query", vars);
  pk.b1_query = get_list<G1Affine>(r, "b1_query", vars);
  pk.b2_query = get_list<G2Affine>(r, "b2_query", vars);
  pk.l_query = get_list<G1Affine>(r, "l_query", pk.shape.num_witness);
  pk.h_query = get_list<G1Affine>(r, "h_query", (uint64_t{1} << pk.log_domain) - 1);
  r.expect_end();
  return pk;
}

std::vector<uint8_t> fr_vector_to_bytes(std::span<const Fr> xs) {
  std::vector<uint8_t> out;
  out.reserve(32 * xs.size());
  for (const Fr& x : xs) {
    const auto b = x.to_bytes();
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

std::vector<Fr> fr_vector_from_bytes(std::span<const uint8_t> in) {
  if (in.size() % 32 != 0)
    throw DecodeError("groth16 public inputs: " + std::to_string(in.size()) + " bytes is not a multiple of 32");
  std::vector<Fr> xs(in.size() / 32);
  for (size_t i = 0; i < xs.size(); ++i) {
    auto x = Fr::from_bytes(in.subspan(32 * i, 32));
    if (!x) throw DecodeError("groth16 public inputs: input " + std::to_string(i) + " is not a canonical Fr element (>= r)");
    xs[i] = *x;
  }
  return xs;
}

// ---- snarkjs JSON ----

namespace {
std::string limbs_decimal(std::array<uint64_t, 4> v) {
  std::string digits;
  auto is_zero = [&] { return v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0; };
  if (is_zero()) return "0";
  while (!is_zero()) {
    unsigned __int128 rem = 0;
    for (size_t i = 4; i-- > 0;) {
      const unsigned __int128 cur = (rem << 64) | v[i];
      v[i] = static_cast<uint64_t>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + static_cast<int>(rem)));
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// (nlohmann::json::array explicitly: a braced pair of strings would become an object.)
nlohmann::json g1_json(const G1Affine& p) {
  if (p.is_identity()) return nlohmann::json::array({"0", "1", "0"});
  return nlohmann::json::array({to_decimal(p.x), to_decimal(p.y), "1"});
}
nlohmann::json fq2_json(const field::Fq2& x) { return nlohmann::json::array({to_decimal(x.c0), to_decimal(x.c1)}); }
nlohmann::json g2_json(const G2Affine& p) {
  using J = nlohmann::json;
  if (p.is_identity()) return J::array({J::array({"0", "0"}), J::array({"1", "0"}), J::array({"0", "0"})});
  return J::array({fq2_json(p.x), fq2_json(p.y), J::array({"1", "0"})});
}
}  // namespace

std::string to_decimal(const Fq& x) { return limbs_decimal(x.to_canonical()); }
std::string to_decimal(const Fr& x) { return limbs_decimal(x.to_canonical()); }

std::string groth16_snarkjs_vk_json(const Groth16VerifyingKey& vk) {
  nlohmann::json j;
  j["protocol"] = "groth16";
  j["curve"] = "bn128";
  j["nPublic"] = vk.num_public();
  j["vk_alpha_1"] = g1_json(vk.alpha);
  j["vk_beta_2"] = g2_json(vk.beta);
  j["vk_gamma_2"] = g2_json(vk.gamma);
  j["vk_delta_2"] = g2_json(vk.delta);
  nlohmann::json ic = nlohmann::json::array();
  for (const auto& p : vk.ic) ic.push_back(g1_json(p));
  j["IC"] = ic;
  return j.dump(1) + "\n";
}

std::string groth16_snarkjs_proof_json(const Groth16Proof& proof) {
  nlohmann::json j;
  j["pi_a"] = g1_json(proof.a);
  j["pi_b"] = g2_json(proof.b);
  j["pi_c"] = g1_json(proof.c);
  j["protocol"] = "groth16";
  j["curve"] = "bn128";
  return j.dump(1) + "\n";
}

std::string groth16_snarkjs_public_json(std::span<const Fr> public_inputs) {
  nlohmann::json j = nlohmann::json::array();
  for (const Fr& x : public_inputs) j.push_back(to_decimal(x));
  return j.dump(1) + "\n";
}

// ---- snarkjs JSON in, circom's .r1cs and .wtns out ----

namespace {
template <class F>
F parse_decimal(const nlohmann::json& j, const std::string& what) {
  if (!j.is_string()) throw DecodeError(what + ": not a decimal string");
  const std::string s = j.get<std::string>();
  if (s.empty() || s.size() > 78) throw DecodeError(what + ": '" + s + "' is not a decimal field element");
  std::array<uint64_t, 4> v{};
  for (char ch : s) {
    if (ch < '0' || ch > '9') throw DecodeError(what + ": '" + s + "' is not a decimal number");
    unsigned __int128 carry = static_cast<unsigned>(ch - '0');
    for (size_t i = 0; i < 4; ++i) {
      const unsigned __int128 cur = static_cast<unsigned __int128>(v[i]) * 10 + carry;
      v[i] = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    if (carry) throw DecodeError(what + ": " + s + " does not fit 256 bits");
  }
  std::array<uint8_t, 32> le;
  for (size_t i = 0; i < 32; ++i) le[i] = static_cast<uint8_t>(v[i / 8] >> (8 * (i % 8)));
  auto x = F::from_bytes(le);
  if (!x) throw DecodeError(what + ": " + s + " is not below the field's modulus");
  return *x;
}

const nlohmann::json& field_of(const nlohmann::json& j, const char* key, const std::string& what) {
  if (!j.is_object() || !j.contains(key)) throw DecodeError(what + ": no \"" + key + "\"");
  return j.at(key);
}

G1Affine g1_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 3) throw DecodeError(what + ": not a G1 point [x, y, z]");
  const Fq z = parse_decimal<Fq>(j[2], what + ".z");
  if (z.is_zero()) return G1Affine::identity();
  if (!z.is_one()) throw DecodeError(what + ": z is neither 1 nor 0 (only affine points are read)");
  const G1Affine p = G1Affine::from_xy(parse_decimal<Fq>(j[0], what + ".x"), parse_decimal<Fq>(j[1], what + ".y"));
  if (!p.is_on_curve()) throw DecodeError(what + ": not on G1");
  return p;
}

field::Fq2 fq2_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 2) throw DecodeError(what + ": not an Fq2 element [c0, c1]");
  return {parse_decimal<Fq>(j[0], what + ".c0"), parse_decimal<Fq>(j[1], what + ".c1")};
}

G2Affine g2_from_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 3) throw DecodeError(what + ": not a G2 point [x, y, z]");
  const field::Fq2 z = fq2_from_json(j[2], what + ".z");
  if (z.is_zero()) return G2Affine::identity();
  if (!z.is_one()) throw DecodeError(what + ": z is neither 1 nor 0 (only affine points are read)");
  const G2Affine p = G2Affine::from_xy(fq2_from_json(j[0], what + ".x"), fq2_from_json(j[1], what + ".y"));
  if (!p.is_on_curve()) throw DecodeError(what + ": not on the twist");
  if (!p.is_in_subgroup()) throw DecodeError(what + ": not in G2");
  return p;
}

nlohmann::json parse_json(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw DecodeError(what + ": not JSON (" + e.what() + ")");
  }
}

void check_groth16_bn128(const nlohmann::json& j, const std::string& what) {
  if (j.contains("protocol") && j["protocol"] != "groth16") throw DecodeError(what + ": protocol is not groth16");
  if (j.contains("curve") && j["curve"] != "bn128") throw DecodeError(what + ": curve is not bn128 (BN254)");
}
}  // namespace

Groth16VerifyingKey groth16_vk_from_snarkjs_json(const std::string& text) {
  const std::string what = "snarkjs verification key";
  const auto j = parse_json(text, what);
  check_groth16_bn128(j, what);
  Groth16VerifyingKey vk;
  vk.alpha = g1_from_json(field_of(j, "vk_alpha_1", what), "vk_alpha_1");
  vk.beta = g2_from_json(field_of(j, "vk_beta_2", what), "vk_beta_2");
  vk.gamma = g2_from_json(field_of(j, "vk_gamma_2", what), "vk_gamma_2");
  vk.delta = g2_from_json(field_of(j, "vk_delta_2", what), "vk_delta_2");
  const auto& ic = field_of(j, "IC", what);
  if (!ic.is_array() || ic.empty()) throw DecodeError(what + ": IC is not a non-empty array");
  for (size_t i = 0; i < ic.size(); ++i) vk.ic.push_back(g1_from_json(ic[i], "IC[" + std::to_string(i) + "]"));
  if (j.contains("nPublic") && (!j["nPublic"].is_number_unsigned() || j["nPublic"].get<uint64_t>() != vk.ic.size() - 1))
    throw DecodeError(what + ": nPublic does not match IC's " + std::to_string(vk.ic.size()) + " points");
  return vk;
}

Groth16Proof groth16_proof_from_snarkjs_json(const std::string& text) {
  const std::string what = "snarkjs proof";
  const auto j = parse_json(text, what);
  check_groth16_bn128(j, what);
  return {g1_from_json(field_of(j, "pi_a", what), "pi_a"), g2_from_json(field_of(j, "pi_b", what), "pi_b"),
          g1_from_json(field_of(j, "pi_c", what), "pi_c")};
}

std::vector<Fr> groth16_public_from_snarkjs_json(const std::string& text) {
  const auto j = parse_json(text, "snarkjs public inputs");
  if (!j.is_array()) throw DecodeError("snarkjs public inputs: not an array");
  std::vector<Fr> xs;
  for (size_t i = 0; i < j.size(); ++i) xs.push_back(parse_decimal<Fr>(j[i], "public input " + std::to_string(i)));
  return xs;
}

namespace {
void put_fr_le(ByteWriter& w, const Fr& x) { w.bytes(x.to_bytes()); }
void put_modulus(ByteWriter& w) {
  for (uint64_t limb : field::FrParams::kModulus) w.u64(limb);
}
}  // namespace

std::vector<uint8_t> r1cs_snarkjs_bytes(const ConstraintSystem& cs) {
  const size_t vars = cs.num_variables();
  if (vars > UINT32_MAX || cs.num_constraints() > UINT32_MAX) throw Error("r1cs export: the circuit exceeds 2^32 wires or constraints");
  ByteWriter header;
  header.u32(32);
  put_modulus(header);
  header.u32(static_cast<uint32_t>(vars));             // nWires (the one included)
  header.u32(0);                                       // nPubOut
  header.u32(static_cast<uint32_t>(cs.num_public()));  // nPubIn
  header.u32(0);                                       // nPrvIn
  header.u64(vars);                                    // nLabels
  header.u32(static_cast<uint32_t>(cs.num_constraints()));
  ByteWriter cons;
  for (const Constraint& c : cs.constraints()) {
    for (const LinComb* lc : {&c.a, &c.b, &c.c}) {
      // Sorted by wire (circom's order); LinComb keeps terms sorted by Var, whose order is z's.
      std::vector<std::pair<size_t, Fr>> t;
      for (const auto& [v, k] : lc->terms) t.emplace_back(cs.column(v), k);
      std::sort(t.begin(), t.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      cons.u32(static_cast<uint32_t>(t.size()));
      for (const auto& [col, k] : t) cons.u32(static_cast<uint32_t>(col)), put_fr_le(cons, k);
    }
  }
  ByteWriter map;
  for (size_t i = 0; i < vars; ++i) map.u64(i);
  ByteWriter w;
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("r1cs"), 4));
  w.u32(1);
  w.u32(3);
  for (auto [id, sec] : {std::pair<uint32_t, const ByteWriter*>{1, &header}, {2, &cons}, {3, &map}}) {
    w.u32(id);
    w.u64(sec->data().size());
    w.bytes(sec->data());
  }
  return w.take();
}

std::vector<uint8_t> wtns_snarkjs_bytes(const ConstraintSystem& cs) {
  const std::vector<Fr> z = cs.assignment();
  ByteWriter header;
  header.u32(32);
  put_modulus(header);
  header.u32(static_cast<uint32_t>(z.size()));
  ByteWriter values;
  for (const Fr& x : z) put_fr_le(values, x);
  ByteWriter w;
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("wtns"), 4));
  w.u32(2);
  w.u32(2);
  for (auto [id, sec] : {std::pair<uint32_t, const ByteWriter*>{1, &header}, {2, &values}}) {
    w.u32(id);
    w.u64(sec->data().size());
    w.bytes(sec->data());
  }
  return w.take();
}

}  // namespace zkinfer::snark
