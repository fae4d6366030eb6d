#include "pcs/ptau_writer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "field/tower.h"
#include "poly/ntt.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {

using field::Fq;
using field::Fq2;
using field::Fr;

namespace {

// Jacobian points over F (Fq for G1, Fq2 for G2; both curves have a = 0), with the formulas of
// curve/g1.h: dbl-2009-l and madd-2007-bl (mixed addition, falling back to doubling).
template <class F>
struct Jac {
  F x, y, z;
  bool inf = true;
};
template <class F>
struct Aff {
  F x, y;
};

template <class F>
Jac<F> dbl(const Jac<F>& p) {
  if (p.inf) return p;
  F a = p.x.square(), b = p.y.square(), c = b.square();
  F d = ((p.x + b).square() - a - c).doubled();
  F e = a.doubled() + a;
  F f = e.square();
  Jac<F> r;
  r.inf = false;
  r.x = f - d.doubled();
  r.y = e * (d - r.x) - c.doubled().doubled().doubled();
  r.z = (p.y * p.z).doubled();
  return r;
}

template <class F>
Jac<F> madd(const Jac<F>& p, const Aff<F>& q) {
  if (p.inf) return Jac<F>{q.x, q.y, F::one(), false};
  F z1z1 = p.z.square();
  F u2 = q.x * z1z1;
  F s2 = q.y * p.z * z1z1;
  F h = u2 - p.x;
  F rr = (s2 - p.y).doubled();
  if (h.is_zero()) {
    if (rr.is_zero()) return dbl(p);
    return Jac<F>{};
  }
  F hh = h.square();
  F i = hh.doubled().doubled();
  F j = h * i;
  F v = p.x * i;
  Jac<F> r;
  r.inf = false;
  r.x = rr.square() - j - v.doubled();
  r.y = rr * (v - r.x) - (p.y * j).doubled();
  r.z = (p.z + h).square() - z1z1 - hh;
  return r;
}

// Affine forms with one inversion (Montgomery's trick). No input may be the identity (the
// callers' scalars are nonzero: a power of a nonzero secret times a nonzero secret).
template <class F>
void to_affine(std::span<const Jac<F>> in, std::span<Aff<F>> out) {
  const size_t n = in.size();
  std::vector<F> pre(n);
  F acc = F::one();
  for (size_t i = 0; i < n; ++i) {
    if (in[i].inf) throw Error("test ptau: a point is the identity (degenerate secret)");
    pre[i] = acc;
    acc = acc * in[i].z;
  }
  F inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    F zi = inv * pre[i];
    inv = inv * in[i].z;
    F zi2 = zi.square();
    out[i] = Aff<F>{in[i].x * zi2, in[i].y * zi2 * zi};
  }
}

// Fixed-base table of a generator: T[j][d - 1] = d 2^(w j) G for d in [1, 2^w), j < windows.
template <class F>
struct FixedBase {
  unsigned w = 0, windows = 0;
  std::vector<Aff<F>> table;  // windows * (2^w - 1)

  FixedBase(const Aff<F>& g, unsigned width) : w(width), windows((254 + width - 1) / width) {
    const size_t per = (size_t{1} << w) - 1;
    table.resize(windows * per);
    std::vector<Aff<F>> bases(windows);
    Jac<F> b{g.x, g.y, F::one(), false};
    for (unsigned j = 0; j < windows; ++j) {
      Aff<F> a;
      to_affine<F>(std::span<const Jac<F>>(&b, 1), std::span<Aff<F>>(&a, 1));
      bases[j] = a;
      for (unsigned k = 0; k < w; ++k) b = dbl(b);
    }
#pragma omp parallel for schedule(dynamic)
    for (unsigned j = 0; j < windows; ++j) {
      std::vector<Jac<F>> row(per);
      Jac<F> acc;
      for (size_t d = 0; d < per; ++d) row[d] = acc = madd(acc, bases[j]);
      to_affine<F>(row, std::span<Aff<F>>(table.data() + j * per, per));
    }
  }

  Jac<F> mul(const Fr& s) const {
    const auto c = s.to_canonical();
    const size_t per = (size_t{1} << w) - 1;
    Jac<F> acc;
    for (unsigned j = 0; j < windows; ++j) {
      const unsigned bit = j * w;
      uint64_t d = c[bit / 64] >> (bit % 64);
      if (bit % 64 + w > 64 && bit / 64 + 1 < 4) d |= c[bit / 64 + 1] << (64 - bit % 64);
      d &= (uint64_t{1} << w) - 1;
      if (d) acc = madd(acc, table[j * per + d - 1]);
    }
    return acc;
  }
};

void put_le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
// A coordinate in Montgomery form (x R mod q), little endian: ffjavascript's "LEM".
void put_mont(std::vector<uint8_t>& out, const Fq& x) {
  for (uint64_t limb : x.mont()) put_le(out, limb, 8);
}
void put_point(std::vector<uint8_t>& out, const Aff<Fq>& p) { put_mont(out, p.x), put_mont(out, p.y); }
void put_point(std::vector<uint8_t>& out, const Aff<Fq2>& p) {
  put_mont(out, p.x.c0), put_mont(out, p.x.c1), put_mont(out, p.y.c0), put_mont(out, p.y.c1);
}

void section_header(uint32_t id, uint64_t bytes, const std::function<void(const uint8_t*, size_t)>& sink) {
  std::vector<uint8_t> head;
  put_le(head, id, 4);
  put_le(head, bytes, 8);
  sink(head.data(), head.size());
}

// Fills out[0..m) with the scalars of points start..start+m of a run (called in parallel on
// disjoint ranges).
using Scalars = std::function<void(uint64_t start, size_t m, Fr* out)>;

// n points [s_i]G, s_i from `scalars`, streamed in blocks (no section header).
template <class F>
void write_points(uint64_t n, const Scalars& scalars, const FixedBase<F>& fb,
                  const std::function<void(const uint8_t*, size_t)>& sink) {
  constexpr size_t kPoint = sizeof(F) == sizeof(Fq) ? 64 : 128;
  constexpr size_t kBlock = size_t{1} << 15, kSub = 1024;
  std::vector<Jac<F>> jac(kBlock);
  std::vector<Aff<F>> aff(kBlock);
  std::vector<uint8_t> buf;
  for (uint64_t start = 0; start < n; start += kBlock) {
    const size_t m = static_cast<size_t>(std::min<uint64_t>(kBlock, n - start));
    const size_t subs = (m + kSub - 1) / kSub;
#pragma omp parallel for schedule(dynamic)
    for (size_t t = 0; t < subs; ++t) {
      const size_t lo = t * kSub, hi = std::min(m, lo + kSub);
      Fr s[kSub];
      scalars(start + lo, hi - lo, s);
      for (size_t i = lo; i < hi; ++i) jac[i] = fb.mul(s[i - lo]);
      to_affine<F>(std::span<const Jac<F>>(jac.data() + lo, hi - lo), std::span<Aff<F>>(aff.data() + lo, hi - lo));
    }
    buf.clear();
    buf.reserve(m * kPoint);
    for (size_t i = 0; i < m; ++i) put_point(buf, aff[i]);
    sink(buf.data(), buf.size());
  }
}

// first * tau^i.
Scalars powers(const Fr& first, const Fr& tau) {
  return [first, tau](uint64_t start, size_t m, Fr* out) {
    Fr s = first * tau.pow(start);
    for (size_t i = 0; i < m; ++i, s = s * tau) out[i] = s;
  };
}

// first * L_i(tau) for the domain of size M = 2^k, by the closed form
//   L_i(tau) = (1/M) sum_(j<M) w^(-ij) tau^j = (w^i / M) (tau^M - 1) / (tau - w^i)
// (the geometric sum of (tau w^(-i))^j); one batch inversion per range. `truncated`: the inverse
// DFT of the powers tau^0..tau^(M-2) with the last input the identity (section 12's extra block,
// snarkjs's preparephase2), i.e. L_i(tau) - (1/M) w^(-i(M-1)) tau^(M-1) = L_i(tau) - w^i tau^(M-1) / M.
// The caller has checked tau^M != 1, so no denominator is zero.
Scalars lagrange(unsigned k, const Fr& first, const Fr& tau, bool truncated) {
  const uint64_t big_m = uint64_t{1} << k;
  const Fr w = poly::root_of_unity(k), m_inv = Fr::from_u64(big_m).inverse();
  const Fr scale = first * (tau.pow(big_m) - Fr::one()) * m_inv;
  const Fr last = truncated ? first * tau.pow(big_m - 1) * m_inv : Fr::zero();
  return [w, tau, scale, last](uint64_t start, size_t m, Fr* out) {
    std::vector<Fr> wi(m), den(m);
    Fr x = w.pow(start);
    for (size_t i = 0; i < m; ++i, x = x * w) wi[i] = x, den[i] = tau - x;
    Fr::batch_inverse(den);
    for (size_t i = 0; i < m; ++i) out[i] = wi[i] * (scale * den[i] - last);
  };
}

// A Lagrange section: the blocks of the domains 2^0 .. 2^top (each scaled by `first`), then for
// section 12 the truncated block of 2^(top+1).
template <class F>
void write_lagrange(uint32_t id, uint32_t top, const Fr& first, const Fr& tau, bool extra, const FixedBase<F>& fb,
                    const std::function<void(const uint8_t*, size_t)>& sink) {
  constexpr size_t kPoint = sizeof(F) == sizeof(Fq) ? 64 : 128;
  const uint64_t points = (uint64_t{2} << top) - 1 + (extra ? uint64_t{2} << top : 0);
  section_header(id, points * kPoint, sink);
  for (unsigned k = 0; k <= top; ++k) write_points<F>(uint64_t{1} << k, lagrange(k, first, tau, false), fb, sink);
  if (extra) write_points<F>(uint64_t{2} << top, lagrange(top + 1, first, tau, true), fb, sink);
}

// Section `id` of n points [first tau^i]G.
template <class F>
void write_powers(uint32_t id, uint64_t n, const Fr& first, const Fr& tau, const FixedBase<F>& fb,
                  const std::function<void(const uint8_t*, size_t)>& sink) {
  constexpr size_t kPoint = sizeof(F) == sizeof(Fq) ? 64 : 128;
  section_header(id, n * kPoint, sink);
  write_points<F>(n, powers(first, tau), fb, sink);
}

// Whether tau^(2^k) = 1 (tau in the multiplicative subgroup of order 2^k).
bool tau_in_domain(const Fr& tau, unsigned k) {
  Fr x = tau;
  for (unsigned i = 0; i < k; ++i) x = x.square();
  return x == Fr::one();
}

}  // namespace

InsecureTestPtauSecrets insecure_test_ptau_secrets(std::string_view seed) {
  transcript::Transcript t("zkinfer TEST ONLY ptau (insecure: the secrets are public)");
  t.absorb_bytes("seed", std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(seed.data()), seed.size()));
  InsecureTestPtauSecrets s;
  s.tau = t.challenge<Fr>("tau");
  s.alpha = t.challenge<Fr>("alpha");
  s.beta = t.challenge<Fr>("beta");
  return s;
}

void write_insecure_test_ptau(uint32_t power, const InsecureTestPtauSecrets& s,
                              const std::function<void(const uint8_t*, size_t)>& sink,
                              const std::function<void(const std::string&)>& progress, bool prepared) {
  const uint32_t max_power = prepared ? 27 : 28;  // section 12's last block is a domain of 2^(power+1) <= 2^28
  if (power < 1 || power > max_power)
    throw Error("test ptau: power " + std::to_string(power) + " is out of range 1.." + std::to_string(max_power) +
                (prepared ? " (prepared)" : ""));
  if (s.tau.is_zero() || s.tau == Fr::one() || s.alpha.is_zero() || s.beta.is_zero())
    throw Error("test ptau: degenerate secrets (tau 0 or 1, alpha or beta 0)");
  // tau in a domain of size <= 2^(power+1) would zero Z(tau) (and a Lagrange denominator).
  if (tau_in_domain(s.tau, power + 1)) throw Error("test ptau: degenerate secrets (tau is a root of unity)");
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  const uint64_t n_pow = uint64_t{1} << power, n_tau1 = 2 * n_pow - 1;

  std::vector<uint8_t> head;
  head.insert(head.end(), {'p', 't', 'a', 'u'});
  put_le(head, 1, 4);  // version
  put_le(head, prepared ? 11 : 7, 4);  // sections
  // Section 1: n8, q, power, ceremonyPower (snarkjs's writePTauHeader).
  put_le(head, 1, 4);
  put_le(head, 4 + 32 + 4 + 4, 8);
  put_le(head, 32, 4);
  for (uint64_t limb : Fq::kModulus) put_le(head, limb, 8);
  put_le(head, power, 4);
  put_le(head, power, 4);
  sink(head.data(), head.size());

  say("fixed-base tables");
  const Aff<Fq> g1{Fq::from_u64(1), Fq::from_u64(2)};
  const curve::G2Affine g2a = curve::G2Affine::generator();
  const Aff<Fq2> g2{g2a.x, g2a.y};
  const FixedBase<Fq> fb1(g1, power >= 12 ? 16 : 8);
  const FixedBase<Fq2> fb2(g2, power >= 12 ? 13 : 8);

  say("section 2 (tauG1): " + std::to_string(n_tau1) + " points");
  write_powers<Fq>(2, n_tau1, Fr::one(), s.tau, fb1, sink);
  say("section 3 (tauG2): " + std::to_string(n_pow) + " points");
  write_powers<Fq2>(3, n_pow, Fr::one(), s.tau, fb2, sink);
  say("section 4 (alphaTauG1): " + std::to_string(n_pow) + " points");
  write_powers<Fq>(4, n_pow, s.alpha, s.tau, fb1, sink);
  say("section 5 (betaTauG1): " + std::to_string(n_pow) + " points");
  write_powers<Fq>(5, n_pow, s.beta, s.tau, fb1, sink);
  write_powers<Fq2>(6, 1, s.beta, s.tau, fb2, sink);  // betaG2
  // Section 7: no contributions (what `snarkjs powersoftau new` writes; snarkjs's verify reports
  // such a file as having no contribution, which is the truth here).
  std::vector<uint8_t> tail;
  put_le(tail, 7, 4);
  put_le(tail, 4, 8);
  put_le(tail, 0, 4);
  sink(tail.data(), tail.size());
  if (!prepared) return;
  // Sections 12-15 (snarkjs's preparephase2): the Lagrange points, from tau directly.
  say("section 12 (tauG1 Lagrange): " + std::to_string((uint64_t{4} << power) - 1) + " points");
  write_lagrange<Fq>(12, power, Fr::one(), s.tau, true, fb1, sink);
  say("section 13 (tauG2 Lagrange): " + std::to_string(2 * n_pow - 1) + " points");
  write_lagrange<Fq2>(13, power, Fr::one(), s.tau, false, fb2, sink);
  say("section 14 (alphaTauG1 Lagrange): " + std::to_string(2 * n_pow - 1) + " points");
  write_lagrange<Fq>(14, power, s.alpha, s.tau, false, fb1, sink);
  say("section 15 (betaTauG1 Lagrange): " + std::to_string(2 * n_pow - 1) + " points");
  write_lagrange<Fq>(15, power, s.beta, s.tau, false, fb1, sink);
}

void write_insecure_test_ptau_file(const std::string& path, uint32_t power, const InsecureTestPtauSecrets& s,
                                   const std::function<void(const std::string&)>& progress, bool prepared) {
  const uint32_t max_power = prepared ? 27 : 28;  // section 12's last block is a domain of 2^(power+1) <= 2^28
  if (power < 1 || power > max_power)
    throw Error("test ptau: power " + std::to_string(power) + " is out of range 1.." + std::to_string(max_power) +
                (prepared ? " (prepared)" : ""));
  const std::string tmp = path + ".tmp";
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(tmp + ": cannot open for writing");
    write_insecure_test_ptau(
        power, s,
        [&](const uint8_t* p, size_t n) {
          out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
          if (!out) throw Error(tmp + ": write error");
        },
        progress, prepared);
    out.close();
    if (!out) throw Error(tmp + ": write error");
  } catch (...) {
    std::remove(tmp.c_str());  // nothing half-written is left
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error(path + ": cannot rename " + tmp + " to it");
}

std::vector<uint8_t> insecure_test_ptau_bytes(uint32_t power, const InsecureTestPtauSecrets& s, bool prepared) {
  std::vector<uint8_t> out;
  write_insecure_test_ptau(
      power, s, [&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }, {}, prepared);
  return out;
}

}  // namespace zkinfer::pcs
