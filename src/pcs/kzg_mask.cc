#include "pcs/kzg_mask.h"

#include "common/check.h"

namespace zkinfer::pcs {

namespace {

// deg s_l < min(3, 2^(n-l-1)): the number of s_l's coefficients.
size_t level_coeffs(size_t n, size_t l) {
  const size_t e = n - l - 1;
  return e >= 2 ? 3 : (size_t{1} << e);
}

// z / (1 - z), the one x at which z - (1 - z) x vanishes (none when z = 1).
bool root_of_level(const Fr& z, Fr* x) {
  const Fr d = Fr::one() - z;
  if (d.is_zero()) return false;
  *x = z * d.inverse();
  return true;
}

}  // namespace

size_t sparse_mask_dim(size_t n) {
  size_t d = 1;  // c
  for (size_t l = 0; l < n; ++l) d += level_coeffs(n, l);
  return d;
}

std::vector<Fr> sparse_mask(std::span<const Fr> z, std::span<const Fr> coeffs) {
  const size_t n = z.size();
  ZKINFER_CHECK(coeffs.size() == sparse_mask_dim(n));
  std::vector<Fr> m(size_t{1} << n, Fr::zero());
  size_t low = 0;         // low_l = sum_{t<l} b_t 2^t
  Fr scale = Fr::one();   // 1 / prod_{t<l} eq(z_t, b_t)
  Fr weight = Fr::one();  // prod_{t<l} eq(z_t, b_t)
  size_t next = 0;
  for (size_t l = 0; l < n; ++l) {
    const Fr& zl = z[l];
    const Fr one_minus = Fr::one() - zl;
    for (size_t j = 0; j < level_coeffs(n, l); ++j) {
      const Fr& s = coeffs[next++];
      // q_l's coefficients 2j and 2j + 1: z_l s and -(1 - z_l) s, at level-0 positions i 2^l + low.
      m[((2 * j) << l) + low] += scale * zl * s;
      m[((2 * j + 1) << l) + low] -= scale * one_minus * s;
    }
    // b_l = 0 unless z_l = 1 (eq(z_l, 0) = 1 - z_l, eq(z_l, 1) = z_l).
    const bool b = one_minus.is_zero();
    const Fr e = b ? zl : one_minus;
    if (b) low |= size_t{1} << l;
    weight *= e;
  }
  scale = weight.inverse();  // nonzero: every factor is
  // u: the lift of the constant 1 at level n (m(z) = c).
  m[low] += scale * coeffs[next];
  return m;
}

bool sparse_mask_usable(std::span<const Fr> z, const IsTau& is_tau) {
  if (z.size() < 3) return true;  // the mask is then the whole space (no condition)
  for (const Fr& zl : z) {
    Fr x;
    if (root_of_level(zl, &x) && is_tau(x)) return false;
  }
  return true;
}

bool sparse_mask_hides_at(std::span<const Fr> z, const Fr& r, const IsTau& is_tau) {
  const size_t n = z.size();
  if (n < 3) return true;
  const Fr r2 = r * r;
  for (size_t l = 0; l + 3 <= n; ++l) {
    Fr x;
    if (root_of_level(z[l], &x) && x == r2) return false;
  }
  for (const Fr& x : {r, -r, r2, -r2})
    if (is_tau(x)) return false;
  return true;
}

}  // namespace zkinfer::pcs
