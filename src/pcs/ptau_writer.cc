#include "pcs/ptau_writer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "common/error.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "field/tower.h"
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

// Section `id` of n points [first tau^i]G, i < n, streamed in blocks.
template <class F>
void write_powers(uint32_t id, uint64_t n, const Fr& first, const Fr& tau, const FixedBase<F>& fb,
                  const std::function<void(const uint8_t*, size_t)>& sink) {
  constexpr size_t kPoint = sizeof(F) == sizeof(Fq) ? 64 : 128;
  std::vector<uint8_t> head;
  put_le(head, id, 4);
  put_le(head, n * kPoint, 8);
  sink(head.data(), head.size());
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
      Fr s = first * tau.pow(start + lo);
      for (size_t i = lo; i < hi; ++i, s = s * tau) jac[i] = fb.mul(s);
      to_affine<F>(std::span<const Jac<F>>(jac.data() + lo, hi - lo), std::span<Aff<F>>(aff.data() + lo, hi - lo));
    }
    buf.clear();
    buf.reserve(m * kPoint);
    for (size_t i = 0; i < m; ++i) put_point(buf, aff[i]);
    sink(buf.data(), buf.size());
  }
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
                              const std::function<void(const std::string&)>& progress) {
  if (power < 1 || power > 28) throw Error("test ptau: power " + std::to_string(power) + " is out of range 1..28");
  if (s.tau.is_zero() || s.tau == Fr::one() || s.alpha.is_zero() || s.beta.is_zero())
    throw Error("test ptau: degenerate secrets (tau 0 or 1, alpha or beta 0)");
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  const uint64_t n_pow = uint64_t{1} << power, n_tau1 = 2 * n_pow - 1;

  std::vector<uint8_t> head;
  head.insert(head.end(), {'p', 't', 'a', 'u'});
  put_le(head, 1, 4);  // version
  put_le(head, 7, 4);  // sections
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
}

void write_insecure_test_ptau_file(const std::string& path, uint32_t power, const InsecureTestPtauSecrets& s,
                                   const std::function<void(const std::string&)>& progress) {
  if (power < 1 || power > 28) throw Error("test ptau: power " + std::to_string(power) + " is out of range 1..28");
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
        progress);
    out.close();
    if (!out) throw Error(tmp + ": write error");
  } catch (...) {
    std::remove(tmp.c_str());  // nothing half-written is left
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error(path + ": cannot rename " + tmp + " to it");
}

std::vector<uint8_t> insecure_test_ptau_bytes(uint32_t power, const InsecureTestPtauSecrets& s) {
  std::vector<uint8_t> out;
  write_insecure_test_ptau(power, s, [&](const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); });
  return out;
}

}  // namespace zkinfer::pcs
