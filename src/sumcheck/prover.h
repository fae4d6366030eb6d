// Sumcheck prover for sum_{x in {0,1}^n} sum_t c_t prod_{j in T_t} f_j(x) (composition.h).
//
// Linear-time algorithm (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.1 and
// Lemma 4.5; Cormode-Mitzenmacher-Thaler 2012): each round reads the factor tables in pairs
// (x_0 = 0, x_0 = 1), extends each factor linearly to t = 0..d, multiplies per term and sums;
// then binds x_0 to the challenge, halving every table. Binding for round i is fused with the
// evaluation of round i + 1 (one pass over memory per round), into a second buffer allocated once,
// so rounds allocate nothing. Rounds after the first get p(1) for free as claim - p(0).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "common/check.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "poly/mle.h"
#include "poly/parallel.h"
#include "poly/univariate.h"
#include "sumcheck/composition.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::sumcheck {

template <field::PrimeField F>
struct ProverResult {
  Proof<F> proof;
  F claim;                      // the sum that was proved (p_0(0) + p_0(1))
  std::vector<F> point;         // the challenges r_0..r_{n-1}, variable order
  std::vector<F> final_evals;   // f_j(point), as in the proof
};

namespace detail {

// Round kernel: for every pair index i < half, with lo_j = f_j(x_0 = 0, rest = i) and
// hi_j = f_j(x_0 = 1, rest = i) supplied by `load`, accumulates per term and per t in `points`
// the product of the factors' values at x_0 = t. Returns the per-term sums (terms x (d + 1)).
template <field::PrimeField F, class Load>
void round_sums(const Composition<F>& comp, size_t half, const std::vector<size_t>& points, Load&& load,
                std::vector<F>& sums) {
  const size_t d = comp.degree();
  const size_t k = comp.num_factors();
  const auto terms = comp.terms();
  const size_t nt = terms.size();
  sums.assign(nt * (d + 1), F::zero());
#pragma omp parallel if (poly::go_parallel(half))
  {
    std::vector<F> local(nt * (d + 1), F::zero());
    std::vector<F> vals(k * (d + 1));
    std::vector<F> lo(k), hi(k);
#pragma omp for schedule(static)
    for (size_t i = 0; i < half; ++i) {
      load(i, lo.data(), hi.data());
      for (size_t j = 0; j < k; ++j) {
        F* v = &vals[j * (d + 1)];
        v[0] = lo[j];
        v[1] = hi[j];
        const F diff = hi[j] - lo[j];
        for (size_t t = 2; t <= d; ++t) v[t] = v[t - 1] + diff;
      }
      for (size_t ti = 0; ti < nt; ++ti) {
        const auto& fs = terms[ti].factors;
        F* acc = &local[ti * (d + 1)];
        if (fs.empty()) {
          for (size_t t : points) acc[t] += F::one();
          continue;
        }
        for (size_t t : points) {
          F prod = vals[fs[0] * (d + 1) + t];
          for (size_t m = 1; m < fs.size(); ++m) prod *= vals[fs[m] * (d + 1) + t];
          acc[t] += prod;
        }
      }
    }
#pragma omp critical
    for (size_t u = 0; u < local.size(); ++u) sums[u] += local[u];
  }
}

}  // namespace detail

// Proves the sum of the composition over the hypercube. `factors` are the tables of the f_j,
// all of size 2^n (n >= 0); they are consumed (folded in place). The caller has bound to the
// transcript whatever the factors depend on; prove() absorbs the statement, every round message
// and the final evaluations (proof.h).
template <field::PrimeField F>
ProverResult<F> prove(const Composition<F>& comp, std::vector<std::vector<F>> factors, transcript::Transcript& tr) {
  const size_t k = comp.num_factors();
  ZKINFER_CHECK(factors.size() == k && k > 0);
  const size_t n = poly::log2_exact(factors[0].size());
  for (const auto& f : factors) ZKINFER_CHECK(f.size() == factors[0].size());
  const size_t d = comp.degree();
  const auto terms = comp.terms();
  const poly::LagrangeBasis<F> basis(d);

  ProverResult<F> res;
  res.proof.rounds.resize(n);
  res.point.reserve(n);

  std::vector<size_t> all_points(d + 1), points_but_one;
  for (size_t t = 0; t <= d; ++t) {
    all_points[t] = t;
    if (t != 1) points_but_one.push_back(t);
  }

  // Second buffer per factor for the fused fold (sizes 2^(n-1) suffice).
  std::vector<std::vector<F>> other(k);
  if (n >= 2)
    for (auto& o : other) o.resize(size_t{1} << (n - 1));
  std::vector<F*> cur(k), nxt(k);
  for (size_t j = 0; j < k; ++j) {
    cur[j] = factors[j].data();
    nxt[j] = n >= 2 ? other[j].data() : nullptr;
  }

  std::vector<F> sums;
  F claim = F::zero();
  F r_prev = F::zero();
  size_t len = size_t{1} << n;  // current table length
  for (size_t round = 0; round < n; ++round) {
    const size_t half = len / 2;
    if (round == 0) {
      detail::round_sums<F>(comp, half, all_points,
                            [&](size_t i, F* lo, F* hi) {
                              for (size_t j = 0; j < k; ++j) {
                                lo[j] = cur[j][2 * i];
                                hi[j] = cur[j][2 * i + 1];
                              }
                            },
                            sums);
    } else {
      // Bind x_0 := r_prev on tables of length 2 * len while reading the new pairs.
      const F r = r_prev;
      detail::round_sums<F>(comp, half, points_but_one,
                            [&](size_t i, F* lo, F* hi) {
                              for (size_t j = 0; j < k; ++j) {
                                const F* s = cur[j] + 4 * i;
                                F* o = nxt[j] + 2 * i;
                                o[0] = s[0] + r * (s[1] - s[0]);
                                o[1] = s[2] + r * (s[3] - s[2]);
                                lo[j] = o[0];
                                hi[j] = o[1];
                              }
                            },
                            sums);
      std::swap(cur, nxt);
    }
    RoundMessage<F>& msg = res.proof.rounds[round];
    msg.evals.assign(d + 1, F::zero());
    for (size_t ti = 0; ti < terms.size(); ++ti)
      for (size_t t = 0; t <= d; ++t) msg.evals[t] += terms[ti].coeff * sums[ti * (d + 1) + t];
    if (round == 0) {
      claim = msg.evals[0] + msg.evals[1];
      res.claim = claim;
      absorb_statement(tr, n, comp, claim);
    } else {
      msg.evals[1] = claim - msg.evals[0];
    }
    const F r = absorb_round(tr, msg);
    claim = basis.evaluate(msg.evals, r);
    res.point.push_back(r);
    r_prev = r;
    len = half;
  }

  // Final binding: tables of length 2 (or 1 when n == 0) to single values.
  res.final_evals.resize(k);
  for (size_t j = 0; j < k; ++j)
    res.final_evals[j] = n == 0 ? cur[j][0] : cur[j][0] + r_prev * (cur[j][1] - cur[j][0]);
  if (n == 0) {
    res.claim = comp.evaluate(res.final_evals);
    absorb_statement(tr, n, comp, res.claim);
  }
  res.proof.final_evals = res.final_evals;
  absorb_final<F>(tr, res.final_evals);
  return res;
}

extern template ProverResult<field::Fr> prove<field::Fr>(const Composition<field::Fr>&,
                                                         std::vector<std::vector<field::Fr>>,
                                                         transcript::Transcript&);

}  // namespace zkinfer::sumcheck
