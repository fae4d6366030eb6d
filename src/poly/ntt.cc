#include "poly/ntt.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "poly/parallel.h"

namespace zkinfer::poly {

namespace {

using Limbs = std::array<uint64_t, 4>;

// (r - 1) >> s as little-endian limbs.
Limbs r_minus_one_shifted(unsigned s) {
  Limbs m = field::FrParams::kModulus;
  m[0] -= 1;  // r is odd
  Limbs out{};
  for (size_t i = 0; i < 4; ++i) {
    out[i] = m[i] >> s;
    if (s && i + 1 < 4) out[i] |= m[i + 1] << (64 - s);
  }
  return out;
}

struct Roots {
  Fr nonresidue;
  Fr root28;  // primitive 2^28-th root
  Roots() {
    const Limbs half = r_minus_one_shifted(1);
    uint64_t g = 2;
    while (!(Fr::from_u64(g).pow(half) == -Fr::one())) ++g;
    nonresidue = Fr::from_u64(g);
    root28 = nonresidue.pow(r_minus_one_shifted(kFrTwoAdicity));
  }
};

const Roots& roots() {
  static const Roots r;
  return r;
}

unsigned log2_exact(size_t n) {
  if (n == 0 || (n & (n - 1)) != 0) throw std::invalid_argument("ntt: size " + std::to_string(n) + " is not a power of two");
  unsigned k = 0;
  while ((size_t{1} << k) < n) ++k;
  if (k > kFrTwoAdicity) throw std::invalid_argument("ntt: size 2^" + std::to_string(k) + " exceeds Fr's 2-adicity 28");
  return k;
}

void bit_reverse(std::span<Fr> a, unsigned k) {
  const size_t n = a.size();
  if (k == 0) return;
#pragma omp parallel for schedule(static) if (go_parallel(n))
  for (size_t i = 0; i < n; ++i) {
    size_t j = 0, x = i;
    for (unsigned b = 0; b < k; ++b, x >>= 1) j = (j << 1) | (x & 1);
    if (i < j) std::swap(a[i], a[j]);
  }
}

// powers[i] = w^i, i < count.
std::vector<Fr> powers(const Fr& w, size_t count) {
  std::vector<Fr> p(count);
  if (count == 0) return p;
  p[0] = Fr::one();
  if (!go_parallel(count)) {
    for (size_t i = 1; i < count; ++i) p[i] = p[i - 1] * w;
    return p;
  }
  // Chunks started from w^(chunk start) so the threads work independently.
  const size_t chunk = 1024, chunks = (count + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
  for (size_t c = 0; c < chunks; ++c) {
    const size_t lo = c * chunk, hi = std::min(count, lo + chunk);
    Fr x = w.pow(static_cast<uint64_t>(lo));
    for (size_t i = lo; i < hi; ++i, x *= w) p[i] = x;
  }
  return p;
}

void transform(std::span<Fr> a, const Fr& w) {
  const size_t n = a.size();
  const unsigned k = log2_exact(n);
  if (n == 1) return;
  bit_reverse(a, k);
  const std::vector<Fr> tw = powers(w, n / 2);  // w^j, j < n/2
  auto butterflies = [&](size_t half, size_t block, size_t j_lo, size_t j_hi) {
    const size_t stride = n / (2 * half);  // the stage's root is w^stride
    Fr* x = a.data() + block * 2 * half;
    for (size_t j = j_lo; j < j_hi; ++j) {
      const Fr v = x[j + half] * tw[j * stride];
      x[j + half] = x[j] - v;
      x[j] += v;
    }
  };
  // The stages whose blocks fit in kLocal entries run per chunk of kLocal entries, all of them in
  // one parallel loop (one barrier instead of one per stage, and the chunk stays in cache).
  constexpr size_t kLocal = size_t{1} << 11;
  const size_t local = std::min(n, kLocal);
  const size_t chunks = n / local;
#pragma omp parallel for schedule(static) if (go_parallel(n) && chunks > 1)
  for (size_t c = 0; c < chunks; ++c)
    for (size_t half = 1; half < local; half <<= 1)
      for (size_t b = c * local / (2 * half); b < (c + 1) * local / (2 * half); ++b) butterflies(half, b, 0, half);
  for (size_t half = local; half < n; half <<= 1) {
    const size_t blocks = n / (2 * half);
    if (!go_parallel(n / 2)) {
      for (size_t b = 0; b < blocks; ++b) butterflies(half, b, 0, half);
      continue;
    }
    // Each block's butterflies in pieces, all blocks' pieces in one parallel loop.
    const size_t piece = 1024, pieces = (half + piece - 1) / piece;
#pragma omp parallel for schedule(static)
    for (size_t t = 0; t < blocks * pieces; ++t) {
      const size_t b = t / pieces, p = t % pieces;
      butterflies(half, b, p * piece, std::min(half, (p + 1) * piece));
    }
  }
}

void scale_by_powers(std::span<Fr> a, const Fr& g) {
  const std::vector<Fr> p = powers(g, a.size());
#pragma omp parallel for schedule(static) if (go_parallel(a.size()))
  for (size_t i = 0; i < a.size(); ++i) a[i] *= p[i];
}

}  // namespace

Fr fr_nonresidue() { return roots().nonresidue; }

Fr root_of_unity(unsigned log_n) {
  if (log_n > kFrTwoAdicity) throw std::invalid_argument("root_of_unity: 2^" + std::to_string(log_n) + " exceeds Fr's 2-adicity 28");
  Fr w = roots().root28;
  for (unsigned i = log_n; i < kFrTwoAdicity; ++i) w = w.square();
  return w;
}

void ntt(std::span<Fr> a) { transform(a, root_of_unity(log2_exact(a.size()))); }

void intt(std::span<Fr> a) {
  const unsigned k = log2_exact(a.size());
  transform(a, root_of_unity(k).inverse());
  const Fr n_inv = Fr::from_u64(a.size()).inverse();
#pragma omp parallel for schedule(static) if (go_parallel(a.size()))
  for (size_t i = 0; i < a.size(); ++i) a[i] *= n_inv;
}

void coset_ntt(std::span<Fr> a, const Fr& shift) {
  log2_exact(a.size());
  scale_by_powers(a, shift);
  ntt(a);
}

void coset_intt(std::span<Fr> a, const Fr& shift) {
  intt(a);
  scale_by_powers(a, shift.inverse());
}

std::vector<Fr> naive_dft(std::span<const Fr> coeffs, const Fr& root) {
  const size_t n = coeffs.size();
  std::vector<Fr> out(n);
  Fr x = Fr::one();
  for (size_t i = 0; i < n; ++i, x *= root) {
    Fr acc;
    for (size_t j = n; j-- > 0;) acc = acc * x + coeffs[j];  // Horner
    out[i] = acc;
  }
  return out;
}

}  // namespace zkinfer::poly
