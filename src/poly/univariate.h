// Univariate polynomials of small degree d given by their evaluations at 0, 1, ..., d (the form
// in which sumcheck round polynomials travel): evaluation anywhere by the barycentric Lagrange
// formula with precomputed weights, and conversion to coefficients.
// Reference: Berrut and Trefethen, "Barycentric Lagrange interpolation" (SIAM Review 2004),
// section 3 ("first form", which needs no division at evaluation time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/check.h"
#include "field/bn254.h"
#include "field/concept.h"

namespace zkinfer::poly {

// Lagrange interpolation on the nodes 0, 1, ..., d. Construction costs one inversion (once);
// each evaluation costs about 4d multiplications and no inversion.
template <field::PrimeField F>
class LagrangeBasis {
 public:
  // Requires the nodes 0..degree to be distinct in F (degree < characteristic) and degree <= 60.
  explicit LagrangeBasis(size_t degree) : degree_(degree), weights_(degree + 1) {
    // w_i = 1 / prod_{j != i} (i - j) = (-1)^(d-i) / (i! (d-i)!) = (-1)^(d-i) C(d, i) / d!:
    // one inversion (of d!) in all; the binomials fit 64 bits for d <= 60.
    ZKINFER_CHECK(degree <= 60);
    F fact = F::one();
    for (size_t i = 1; i <= degree; ++i) fact *= F::from_u64(i);
    ZKINFER_CHECK(!fact.is_zero());
    const F inv_fact = fact.inverse();
    uint64_t binom = 1;  // C(d, i)
    for (size_t i = 0; i <= degree; ++i) {
      const F w = F::from_u64(binom) * inv_fact;
      weights_[i] = ((degree - i) & 1) ? -w : w;
      // C(d, i + 1) = C(d, i) (d - i) / (i + 1), exact; the product fits 128 bits.
      binom = static_cast<uint64_t>(static_cast<unsigned __int128>(binom) * (degree - i) / (i + 1));
    }
  }

  size_t degree() const { return degree_; }
  std::span<const F> weights() const { return weights_; }

  // The Lagrange coefficients L_i(x) = w_i prod_{j != i} (x - j), i = 0..d: p(x) = sum_i L_i(x) p(i)
  // (for values that are not field elements, e.g. committed ones, zk/cp.h).
  std::vector<F> coefficients(const F& x) const {
    const size_t n = degree_ + 1;
    std::vector<F> pre(n + 1, F::one()), suf(n + 1, F::one()), out(n);
    for (size_t i = 0; i < n; ++i) pre[i + 1] = pre[i] * (x - F::from_u64(i));
    for (size_t i = n; i-- > 0;) suf[i] = suf[i + 1] * (x - F::from_u64(i));
    for (size_t i = 0; i < n; ++i) out[i] = weights_[i] * pre[i] * suf[i + 1];
    return out;
  }

  // p(x) for the polynomial of degree <= d with p(i) = evals[i]; |evals| == d + 1.
  // p(x) = sum_i evals[i] w_i prod_{j != i} (x - j), with the products from prefix and suffix
  // products, which also covers x in {0..d} without a special case.
  F evaluate(std::span<const F> evals, const F& x) const {
    ZKINFER_CHECK(evals.size() == degree_ + 1);
    const size_t n = degree_ + 1;
    // suffix[i] = prod_{j > i} (x - j), computed right to left on a small stack buffer.
    F suffix_buf[kStackNodes];
    std::vector<F> suffix_heap;
    F* suffix = suffix_buf;
    if (n > kStackNodes) {
      suffix_heap.resize(n);
      suffix = suffix_heap.data();
    }
    suffix[n - 1] = F::one();
    for (size_t i = n - 1; i-- > 0;) suffix[i] = suffix[i + 1] * (x - F::from_u64(i + 1));
    F prefix = F::one();  // prod_{j < i} (x - j)
    F acc = F::zero();
    for (size_t i = 0; i < n; ++i) {
      acc += evals[i] * weights_[i] * prefix * suffix[i];
      prefix *= x - F::from_u64(i);
    }
    return acc;
  }

  // The coefficients c_0..c_d (p(X) = sum c_k X^k) of the interpolating polynomial; O(d^2).
  std::vector<F> to_coefficients(std::span<const F> evals) const {
    ZKINFER_CHECK(evals.size() == degree_ + 1);
    const size_t n = degree_ + 1;
    // full(X) = prod_{j=0..d} (X - j), degree d + 1.
    std::vector<F> full(n + 1, F::zero());
    full[0] = F::one();
    for (size_t j = 0; j < n; ++j) {
      const F c = F::from_u64(j);
      for (size_t k = j + 1; k > 0; --k) full[k] = full[k - 1] - c * full[k];
      full[0] = -c * full[0];
    }
    std::vector<F> coeffs(n, F::zero());
    std::vector<F> quot(n);
    for (size_t i = 0; i < n; ++i) {
      // quot(X) = full(X) / (X - i) by synthetic division (exact).
      const F c = F::from_u64(i);
      F carry = F::zero();
      for (size_t k = n + 1; k-- > 1;) {
        carry = full[k] + c * carry;
        quot[k - 1] = carry;
      }
      const F s = evals[i] * weights_[i];
      for (size_t k = 0; k < n; ++k) coeffs[k] += s * quot[k];
    }
    return coeffs;
  }

 private:
  static constexpr size_t kStackNodes = 16;
  size_t degree_;
  std::vector<F> weights_;
};

// The basis for nodes 0..degree, from a per-process cache for degree <= 16 (built once, on first
// use: 17 inversions), so that the many small sumchecks of a proof do not each pay an inversion.
template <field::PrimeField F>
LagrangeBasis<F> lagrange_basis(size_t degree) {
  static const std::vector<LagrangeBasis<F>> cache = [] {
    std::vector<LagrangeBasis<F>> v;
    for (size_t d = 0; d <= 16; ++d) v.emplace_back(d);
    return v;
  }();
  return degree < cache.size() ? cache[degree] : LagrangeBasis<F>(degree);
}

// p(x) for evaluations at 0..d (builds the basis: for repeated use keep a LagrangeBasis).
template <field::PrimeField F>
F interpolate_at(std::span<const F> evals, const F& x) {
  ZKINFER_CHECK(!evals.empty());
  return LagrangeBasis<F>(evals.size() - 1).evaluate(evals, x);
}

// sum_k coeffs[k] x^k by Horner's rule.
template <field::PrimeField F>
F evaluate_coefficients(std::span<const F> coeffs, const F& x) {
  F acc = F::zero();
  for (size_t k = coeffs.size(); k-- > 0;) acc = acc * x + coeffs[k];
  return acc;
}

extern template class LagrangeBasis<field::Fr>;

}  // namespace zkinfer::poly
