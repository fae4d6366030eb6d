#include "curve/g2_msm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <stdexcept>

namespace zkinfer::curve {

G2 g2_add_mixed(const G2& p, const G2Affine& q) {
  if (q.infinity) return p;
  if (p.is_identity()) return G2(q);
  const Fq2 z1z1 = p.z().square();
  const Fq2 u2 = q.x * z1z1;
  const Fq2 s2 = q.y * p.z() * z1z1;
  const Fq2 h = u2 - p.x();
  const Fq2 rr = (s2 - p.y()).doubled();
  if (h.is_zero()) return rr.is_zero() ? p.doubled() : G2::identity();
  const Fq2 hh = h.square();
  const Fq2 i = hh.doubled().doubled();
  const Fq2 j = h * i;
  const Fq2 v = p.x() * i;
  const Fq2 x3 = rr.square() - j - v.doubled();
  const Fq2 y3 = rr * (v - x3) - (p.y() * j).doubled();
  const Fq2 z3 = (p.z() + h).square() - z1z1 - hh;
  return G2::from_jacobian(x3, y3, z3);
}

void g2_batch_to_affine(std::span<const G2> in, std::span<G2Affine> out) {
  if (in.size() != out.size()) throw std::invalid_argument("g2_batch_to_affine: sizes differ");
  const size_t n = in.size();
  // Chunks, each with its own inversion, so the threads work independently.
  const size_t chunk = 4096, chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(dynamic) if (chunks > 1)
  for (size_t c = 0; c < chunks; ++c) {
    const size_t lo = c * chunk, hi = std::min(n, lo + chunk);
    std::vector<Fq2> prefix(hi - lo);
    Fq2 acc = Fq2::one();
    for (size_t i = lo; i < hi; ++i) {
      prefix[i - lo] = acc;
      if (!in[i].is_identity()) acc = acc * in[i].z();
    }
    Fq2 inv = acc.inverse();
    for (size_t i = hi; i-- > lo;) {
      if (in[i].is_identity()) {
        out[i] = G2Affine::identity();
        continue;
      }
      const Fq2 zi = inv * prefix[i - lo];
      inv = inv * in[i].z();
      const Fq2 zi2 = zi.square();
      out[i] = G2Affine{in[i].x() * zi2, in[i].y() * zi2 * zi, false};
    }
  }
}

namespace {

unsigned choose_window(size_t n) {
  unsigned best = 1;
  double best_cost = 1e300;
  for (unsigned c = 1; c <= 18; ++c) {
    const double windows = static_cast<double>((254 + c - 1) / c);
    const double cost = windows * (static_cast<double>(n) + std::ldexp(1.0, static_cast<int>(c) + 1));
    if (cost < best_cost) best_cost = cost, best = c;
  }
  return best;
}

// Bits [lo, lo + c) of k (little-endian limbs).
unsigned digit(const std::array<uint64_t, 4>& k, unsigned lo, unsigned c) {
  const unsigned limb = lo / 64, off = lo % 64;
  if (limb >= 4) return 0;
  uint64_t v = k[limb] >> off;
  if (off + c > 64 && limb + 1 < 4) v |= k[limb + 1] << (64 - off);
  return static_cast<unsigned>(v & ((uint64_t{1} << c) - 1));
}

}  // namespace

G2 msm_g2(std::span<const G2Affine> bases, std::span<const Fr> scalars, unsigned window_bits) {
  if (bases.size() != scalars.size()) throw std::invalid_argument("msm_g2: bases and scalars differ in size");
  const size_t n = bases.size();
  if (n == 0) return G2::identity();
  if (n < 8 && window_bits == 0) return msm_g2_naive(bases, scalars);
  const unsigned c = window_bits ? window_bits : choose_window(n);
  if (c > 24) throw std::invalid_argument("msm_g2: window too large");
  std::vector<std::array<uint64_t, 4>> k(n);
#pragma omp parallel for schedule(static) if (n > 4096)
  for (size_t i = 0; i < n; ++i) k[i] = scalars[i].to_canonical();
  const unsigned windows = (254 + c - 1) / c;
  std::vector<G2> window_sum(windows);
#pragma omp parallel for schedule(dynamic, 1)
  for (unsigned w = 0; w < windows; ++w) {
    std::vector<G2> buckets((size_t{1} << c) - 1);
    for (size_t i = 0; i < n; ++i) {
      const unsigned d = digit(k[i], w * c, c);
      if (d) buckets[d - 1] = g2_add_mixed(buckets[d - 1], bases[i]);
    }
    // sum_d d * bucket[d-1] by running sums.
    G2 running, sum;
    for (size_t d = buckets.size(); d-- > 0;) {
      running += buckets[d];
      sum += running;
    }
    window_sum[w] = sum;
  }
  G2 acc;
  for (unsigned w = windows; w-- > 0;) {
    for (unsigned b = 0; b < c; ++b) acc = acc.doubled();
    acc += window_sum[w];
  }
  return acc;
}

G2 msm_g2_naive(std::span<const G2Affine> bases, std::span<const Fr> scalars) {
  if (bases.size() != scalars.size()) throw std::invalid_argument("msm_g2_naive: bases and scalars differ in size");
  G2 acc;
  for (size_t i = 0; i < bases.size(); ++i) acc += G2(bases[i]) * scalars[i];
  return acc;
}

}  // namespace zkinfer::curve
