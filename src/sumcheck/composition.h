// The polynomial a sumcheck is about: a sum of products of multilinear factors,
//     g(x) = sum_t c_t prod_{j in T_t} f_j(x),
// described by the number of factors and a list of terms (coefficient c_t and factor indices T_t,
// repeats allowed). Its degree in each variable is the longest term's length. The sumcheck proves
// sum_{x in {0,1}^n} g(x) = claim (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.1).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "common/check.h"
#include "field/concept.h"

namespace zkinfer::sumcheck {

template <field::PrimeField F>
struct Term {
  F coeff;
  std::vector<size_t> factors;  // indices into the factor list; the product of the empty list is 1
};

template <field::PrimeField F>
class Composition {
 public:
  // Every factor index must be < num_factors (the caller builds the structure; it is public).
  Composition(size_t num_factors, std::vector<Term<F>> terms)
      : num_factors_(num_factors), terms_(std::move(terms)) {
    degree_ = 1;  // a round message has at least the two values p(0), p(1)
    for (const auto& t : terms_) {
      degree_ = std::max(degree_, t.factors.size());
      for (size_t j : t.factors) ZKINFER_CHECK(j < num_factors_);
    }
  }

  // f_0 f_1 ... f_{k-1} with coefficient 1.
  static Composition product(size_t k) {
    std::vector<size_t> idx(k);
    for (size_t j = 0; j < k; ++j) idx[j] = j;
    return Composition(k, {Term<F>{F::one(), std::move(idx)}});
  }

  size_t num_factors() const { return num_factors_; }
  size_t degree() const { return degree_; }
  std::span<const Term<F>> terms() const { return terms_; }

  // g at a point given the factors' values there; |values| == num_factors().
  F evaluate(std::span<const F> values) const {
    ZKINFER_CHECK(values.size() == num_factors_);
    F acc = F::zero();
    for (const auto& t : terms_) {
      F prod = t.coeff;
      for (size_t j : t.factors) prod *= values[j];
      acc += prod;
    }
    return acc;
  }

 private:
  size_t num_factors_;
  std::vector<Term<F>> terms_;
  size_t degree_;
};

}  // namespace zkinfer::sumcheck
