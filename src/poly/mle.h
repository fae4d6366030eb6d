// Multilinear extensions (MLEs) as dense evaluation tables, and the equality polynomial eq.
//
// Convention (project-wide): an MLE f over n variables is the vector of its 2^n values on the
// Boolean hypercube; variable k is bit k of the index (x_0 is the least significant bit), and a
// point r has r[k] the value of variable k. Then
//     f(r) = sum_{x in {0,1}^n} f[x] eq(r, x),   eq(r, x) = prod_k (r_k x_k + (1 - r_k)(1 - x_k)).
// Algorithms: Thaler, "Proofs, Arguments, and Zero-Knowledge", section 3.5 (Lemma 3.8: evaluating
// an MLE from its table in O(2^n); the eq table by the doubling recurrence, "Vu et al.'s trick").
#pragma once

#include <bit>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "common/check.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "poly/parallel.h"

namespace zkinfer::poly {

// log2(n) for n a power of two (n >= 1); aborts otherwise (callers pass sizes they built).
inline size_t log2_exact(size_t n) {
  ZKINFER_CHECK(n != 0 && std::has_single_bit(n));
  return static_cast<size_t>(std::countr_zero(n));
}

// Binds x_0 := r: out[i] = in[2i] + r (in[2i+1] - in[2i]) for i < ceil(|in| / 2), where an entry
// past the end of `in` reads as 0 (so a table shorter than 2^n is its zero-padded extension).
// out may not alias in.
template <field::PrimeField F>
void fold_first_variable(std::span<const F> in, const F& r, std::span<F> out) {
  const size_t half = in.size() / 2;
  ZKINFER_CHECK(out.size() >= (in.size() + 1) / 2);
  const F* src = in.data();
  F* dst = out.data();
#pragma omp parallel for schedule(static) if (go_parallel_over<F>(half))
  for (size_t i = 0; i < half; ++i) dst[i] = src[2 * i] + r * (src[2 * i + 1] - src[2 * i]);
  if (in.size() & 1) dst[half] = src[2 * half] - r * src[2 * half];
}

// f(point) for the MLE whose table is `evals`, zero-padded to 2^|point| entries; O(|evals|).
// Requires |evals| <= 2^|point|.
template <field::PrimeField F>
F evaluate_mle(std::span<const F> evals, std::span<const F> point) {
  const size_t n = point.size();
  ZKINFER_CHECK(n < 64 && evals.size() <= (size_t{1} << n));
  if (evals.empty()) return F::zero();
  if (n == 0) return evals[0];
  // Fold x_0, x_1, ... in turn, ping-ponging between two scratch buffers.
  std::vector<F> a((evals.size() + 1) / 2), b((evals.size() + 3) / 4);
  fold_first_variable<F>(evals, point[0], a);
  size_t len = (evals.size() + 1) / 2;
  for (size_t k = 1; k < n; ++k) {
    fold_first_variable<F>(std::span<const F>(a.data(), len), point[k], b);
    len = (len + 1) / 2;
    std::swap(a, b);
  }
  return a[0];
}

// The table of eq(point, x) over all x in {0,1}^n (n = |point|), each entry multiplied by
// `scale`: 2^n entries in 2^n multiplications. Entry x has bit k of x as the value of x_k.
template <field::PrimeField F>
std::vector<F> eq_table(std::span<const F> point, const F& scale = F::one()) {
  const size_t n = point.size();
  ZKINFER_CHECK(n < 48);
  std::vector<F> t(size_t{1} << n);
  t[0] = scale;
  // After step k, t[0..2^(k+1)) holds scale * prod_{l <= k} eq(point_l, x_l). Variable k is
  // bit k, so the new entries with x_k = 1 go to the upper half: t[i + 2^k] = t[i] * r_k, and
  // t[i] becomes t[i] * (1 - r_k) = t[i] - t[i + 2^k].
  for (size_t k = 0; k < n; ++k) {
    const size_t half = size_t{1} << k;
    const F r = point[k];
    F* p = t.data();
#pragma omp parallel for schedule(static) if (go_parallel_over<F>(half))
    for (size_t i = 0; i < half; ++i) {
      const F hi = p[i] * r;
      p[i + half] = hi;
      p[i] -= hi;
    }
  }
  return t;
}

// eq(r, s) = prod_k (r_k s_k + (1 - r_k)(1 - s_k)) in O(n). Requires |r| == |s|.
template <field::PrimeField F>
F eq_eval(std::span<const F> r, std::span<const F> s) {
  ZKINFER_CHECK(r.size() == s.size());
  F acc = F::one();
  for (size_t k = 0; k < r.size(); ++k) {
    const F rs = r[k] * s[k];
    acc *= rs + rs + F::one() - r[k] - s[k];
  }
  return acc;
}

// A multilinear polynomial held as its table of 2^n evaluations (see the convention above).
template <field::PrimeField F>
class Mle {
 public:
  // The zero-variable MLE with value 0.
  Mle() : evals_(1, F::zero()) {}
  // Takes the table; its size must be a power of two (>= 1).
  explicit Mle(std::vector<F> evals) : evals_(std::move(evals)), num_vars_(log2_exact(evals_.size())) {}
  static Mle zeros(size_t num_vars) { return Mle(std::vector<F>(size_t{1} << num_vars, F::zero())); }

  size_t num_vars() const { return num_vars_; }
  size_t size() const { return evals_.size(); }
  const F& operator[](size_t i) const { return evals_[i]; }
  F& operator[](size_t i) { return evals_[i]; }
  std::span<const F> evals() const { return evals_; }
  std::span<F> mutable_evals() { return evals_; }
  std::vector<F> take() && { return std::move(evals_); }

  // f(point), |point| == num_vars(); O(2^n), does not modify the table.
  F evaluate(std::span<const F> point) const {
    ZKINFER_CHECK(point.size() == num_vars_);
    return evaluate_mle<F>(evals_, point);
  }

  // Binds x_0 := r in place: the table halves, new[i] = f[2i] + r (f[2i+1] - f[2i]), and the
  // remaining variables x_1..x_{n-1} become x_0..x_{n-2}. Requires num_vars() >= 1.
  void fix_first_variable(const F& r) {
    ZKINFER_CHECK(num_vars_ >= 1);
    const size_t half = evals_.size() / 2;
    if (go_parallel(half)) {
      // In-place folding is not safe across threads (entry i is written while 2i is read).
      std::vector<F> next(half);
      fold_first_variable<F>(evals_, r, next);
      evals_ = std::move(next);
    } else {
      for (size_t i = 0; i < half; ++i) evals_[i] = evals_[2 * i] + r * (evals_[2 * i + 1] - evals_[2 * i]);
      evals_.resize(half);
    }
    --num_vars_;
  }

 private:
  std::vector<F> evals_;
  size_t num_vars_ = 0;
};

// Instantiated once for Fr in poly.cc.
extern template class Mle<field::Fr>;
extern template field::Fr evaluate_mle<field::Fr>(std::span<const field::Fr>, std::span<const field::Fr>);
extern template std::vector<field::Fr> eq_table<field::Fr>(std::span<const field::Fr>, const field::Fr&);
extern template field::Fr eq_eval<field::Fr>(std::span<const field::Fr>, std::span<const field::Fr>);
extern template void fold_first_variable<field::Fr>(std::span<const field::Fr>, const field::Fr&,
                                                    std::span<field::Fr>);

}  // namespace zkinfer::poly
