// Sumcheck prover for sum_{x in {0,1}^n} sum_t c_t prod_{j in T_t} f_j(x) (composition.h).
//
// Linear-time algorithm (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.1 and
// Lemma 4.5; Cormode-Mitzenmacher-Thaler 2012): each round reads the factor tables in pairs
// (x_0 = 0, x_0 = 1), extends each factor linearly to t = 0..d, multiplies per term and sums;
// then binds x_0 to the challenge, halving every table. Binding for round i is fused with the
// evaluation of round i + 1 (one pass over memory per round), into a second buffer allocated once,
// so rounds allocate nothing. Rounds after the first get p(1) for free as claim - p(0).
// prove_with_eq() is the same prover for compositions eq(rho, x) h(x), without an eq table.
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
  // (proof holds the sent values: in zero-knowledge mode their commitments, zk/cp.h)
  std::vector<F> point;         // the challenges r_0..r_{n-1}, variable order
  std::vector<F> final_evals;   // f_j(point), as in the proof
};

namespace detail {

// What one round's pass over the tables computes. Factor tables `active` are read in pairs
// (x_i = 0, x_i = 1) and extended linearly to X = 0..ext; for each term (a list of positions in
// `active`) and each X in `points`, the product of its factors' values, times weights[pair] when
// weights is non-null, is summed over the pairs into sums[term * (ext + 1) + X].
struct KernelShape {
  size_t ext;
  std::vector<size_t> active;
  std::vector<std::vector<size_t>> terms;
  std::vector<size_t> points;
};

// The factor tables being folded: cur[j] holds table j bound to the challenges so far, except
// that the last challenge (pending) is not applied yet when has_pending; applying it is fused
// into the next pass, writing into nxt[j] (allocated once), after which cur and nxt swap.
template <field::PrimeField F>
struct Tables {
  std::vector<F*> cur, nxt;
  std::vector<std::vector<F>> other;
  bool has_pending = false;
  F pending;
};

//
// coeffs (optional, one per term): the terms are combined with these coefficients inside the
// pass, and sums[X] (e + 1 values) is sum over pairs of weights[pair] sum_term coeff_term prod:
// one multiplication by the weight per point instead of one per term and point.
template <field::PrimeField F>
void round_sums(const KernelShape& ks, Tables<F>& tabs, size_t half, const F* weights, std::vector<F>& sums,
                const F* coeffs = nullptr) {
  const size_t e = ks.ext;
  const size_t ka = ks.active.size();
  const size_t nt = ks.terms.size();
  const size_t nout = coeffs ? 1 : nt;
  std::vector<uint8_t> unit_coeff(nt, 0);
  if (coeffs)
    for (size_t ti = 0; ti < nt; ++ti) unit_coeff[ti] = coeffs[ti] == F::one();
  sums.assign(nout * (e + 1), F::zero());
  const bool fold = tabs.has_pending;
  const F r = tabs.pending;
#pragma omp parallel if (poly::go_parallel(half))
  {
    std::vector<F> local(nout * (e + 1), F::zero());
    std::vector<F> vals(ka * (e + 1));
#pragma omp for schedule(static)
    for (size_t i = 0; i < half; ++i) {
      for (size_t a = 0; a < ka; ++a) {
        const size_t j = ks.active[a];
        F lo, hi;
        if (fold) {
          // Bind the pending challenge on the two pairs that make up the new pair i.
          const F* src = tabs.cur[j] + 4 * i;
          F* dst = tabs.nxt[j] + 2 * i;
          lo = src[0] + r * (src[1] - src[0]);
          hi = src[2] + r * (src[3] - src[2]);
          dst[0] = lo;
          dst[1] = hi;
        } else {
          lo = tabs.cur[j][2 * i];
          hi = tabs.cur[j][2 * i + 1];
        }
        F* v = &vals[a * (e + 1)];
        v[0] = lo;
        if (e >= 1) v[1] = hi;
        const F diff = hi - lo;
        for (size_t t = 2; t <= e; ++t) v[t] = v[t - 1] + diff;
      }
      if (coeffs) {
        for (size_t t : ks.points) {
          F h = F::zero();
          for (size_t ti = 0; ti < nt; ++ti) {
            const auto& fs = ks.terms[ti];
            if (fs.empty()) {
              h += coeffs[ti];
              continue;
            }
            F prod = vals[fs[0] * (e + 1) + t];
            for (size_t m = 1; m < fs.size(); ++m) prod *= vals[fs[m] * (e + 1) + t];
            if (unit_coeff[ti]) {
              h += prod;
            } else {
              h += coeffs[ti] * prod;
            }
          }
          local[t] += weights ? h * weights[i] : h;
        }
        continue;
      }
      for (size_t ti = 0; ti < nt; ++ti) {
        const auto& fs = ks.terms[ti];
        F* acc = &local[ti * (e + 1)];
        for (size_t t : ks.points) {
          F prod;
          if (fs.empty()) {
            prod = weights ? weights[i] : F::one();
          } else {
            prod = vals[fs[0] * (e + 1) + t];
            for (size_t m = 1; m < fs.size(); ++m) prod *= vals[fs[m] * (e + 1) + t];
            if (weights) prod *= weights[i];
          }
          acc[t] += prod;
        }
      }
    }
#pragma omp critical
    for (size_t u = 0; u < local.size(); ++u) sums[u] += local[u];
  }
  if (fold) {
    for (const size_t j : ks.active) std::swap(tabs.cur[j], tabs.nxt[j]);
    tabs.has_pending = false;
  }
}

// Sets up the folding state for the tables (all of size 2^n; those not in `active` may be empty).
template <field::PrimeField F>
Tables<F> make_tables(std::vector<std::vector<F>>& factors, const std::vector<size_t>& active, size_t n) {
  Tables<F> tabs;
  const size_t k = factors.size();
  tabs.cur.assign(k, nullptr);
  tabs.nxt.assign(k, nullptr);
  tabs.other.resize(k);
  for (const size_t j : active) {
    tabs.cur[j] = factors[j].data();
    if (n >= 2) {
      tabs.other[j].resize(size_t{1} << (n - 1));
      tabs.nxt[j] = tabs.other[j].data();
    }
  }
  return tabs;
}

// The value of table j after binding the pending challenge (length-2 table -> 1 value).
// Sends round values p(0), p(2..d) (p(1) is implied by the claim), absorbs them, draws r.
template <field::PrimeField F>
F send_round(transcript::Transcript& tr, const std::vector<F>& evals, RoundMessage<F>& msg) {
  std::vector<F> sent;
  sent.reserve(evals.size() - 1);
  sent.push_back(evals[0]);
  for (size_t t = 2; t < evals.size(); ++t) sent.push_back(evals[t]);
  msg.evals = send_msgs<F>(tr, sent);
  return absorb_round(tr, msg);
}

template <field::PrimeField F>
F final_value(const Tables<F>& tabs, size_t j, size_t n) {
  const F* t = tabs.cur[j];
  return n == 0 ? t[0] : t[0] + tabs.pending * (t[1] - t[0]);
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
  const poly::LagrangeBasis<F> basis = poly::lagrange_basis<F>(d);

  detail::KernelShape all{d, {}, {}, {}}, but_one{d, {}, {}, {}};
  for (size_t j = 0; j < k; ++j) all.active.push_back(j);
  for (const auto& t : terms) all.terms.push_back(t.factors);
  for (size_t t = 0; t <= d; ++t) {
    all.points.push_back(t);
    if (t != 1) but_one.points.push_back(t);
  }
  but_one.active = all.active;
  but_one.terms = all.terms;

  ProverResult<F> res;
  res.proof.rounds.resize(n);
  res.point.reserve(n);
  auto tabs = detail::make_tables<F>(factors, all.active, n);
  std::vector<F> sums, coeffs;
  for (const auto& t : terms) coeffs.push_back(t.coeff);
  F claim = F::zero();
  for (size_t round = 0; round < n; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    // Round 0 computes p(1) too; later rounds take p(1) = claim - p(0).
    detail::round_sums<F>(round == 0 ? all : but_one, tabs, half, nullptr, sums, coeffs.data());
    std::vector<F> evals(d + 1, F::zero());
    for (size_t t = 0; t <= d; ++t) evals[t] = sums[t];
    if (round == 0) {
      claim = evals[0] + evals[1];
      res.claim = claim;
      absorb_statement(tr, n, comp);
    } else {
      evals[1] = claim - evals[0];
    }
    const F r = detail::send_round(tr, evals, res.proof.rounds[round]);
    claim = basis.evaluate(evals, r);
    res.point.push_back(r);
    tabs.has_pending = true;
    tabs.pending = r;
  }
  res.final_evals.resize(k);
  for (size_t j = 0; j < k; ++j) res.final_evals[j] = detail::final_value(tabs, j, n);
  if (n == 0) {
    res.claim = comp.evaluate(res.final_evals);
    absorb_statement(tr, n, comp);
  }
  res.proof.final_evals = send_msgs<F>(tr, res.final_evals);
  absorb_final<F>(tr, res.proof.final_evals);
  return res;
}

// The sumcheck for compositions whose factor 0 is eq(eq_point, x), occurring exactly once in
// every term: factors[0] is not built (pass it empty). By Gruen's factoring of eq (Gruen, "Some
// improvements for the PIOP for ZeroCheck", 2024, section 3; Dao-Thaler 2024): round i's
// polynomial is p_i(X) = c_i eq(rho_i, X) q_i(X), with c_i = prod_{j<i} eq(rho_j, r_j) and
// q_i(X) = sum_{x'} eq(rho_{>i}, x') h(r_{<i}, X, x') of degree d - 1, where h is the composition
// with eq removed. The round message is q_i's values at 0, 2, .., d - 1 (at 1, 2, .., d - 1 when
// rho_i = 0): d - 1 values, the missing one following from the running claim
// c_i ((1 - rho_i) q_i(0) + rho_i q_i(1)); verify with verify_with_eq. The eq table is never
// folded: the weights eq(rho_{>i}, .) are one table of 2^(n-1) entries, summed pairwise per round.
template <field::PrimeField F>
ProverResult<F> prove_with_eq(const Composition<F>& comp, std::span<const F> eq_point,
                              std::vector<std::vector<F>> factors, transcript::Transcript& tr) {
  const size_t k = comp.num_factors();
  const size_t n = eq_point.size();
  ZKINFER_CHECK(factors.size() == k && k > 0 && factors[0].empty());
  for (size_t j = 1; j < k; ++j) ZKINFER_CHECK(factors[j].size() == (size_t{1} << n));
  const size_t d = comp.degree();
  const auto terms = comp.terms();
  const poly::LagrangeBasis<F> basis = poly::lagrange_basis<F>(d);
  const poly::LagrangeBasis<F> basis_q = poly::lagrange_basis<F>(d - 1);

  // The kernel reads factors 1..k-1 and multiplies each term (eq removed) by the weight.
  detail::KernelShape direct{d - 1, {}, {}, {}}, derived{d - 1, {}, {}, {}};
  for (size_t j = 1; j < k; ++j) direct.active.push_back(j);
  for (const auto& t : terms) {
    size_t eq_count = 0;
    std::vector<size_t> rest;
    for (size_t j : t.factors) {
      if (j == 0) {
        ++eq_count;
      } else {
        rest.push_back(j - 1);  // position in `active`
      }
    }
    ZKINFER_CHECK(eq_count == 1);
    direct.terms.push_back(std::move(rest));
  }
  for (size_t t = 0; t < d; ++t) {
    direct.points.push_back(t);
    if (t != 1) derived.points.push_back(t);
  }
  derived.active = direct.active;
  derived.terms = direct.terms;

  ProverResult<F> res;
  res.proof.rounds.resize(n);
  res.point.reserve(n);
  auto tabs = detail::make_tables<F>(factors, direct.active, n);
  // weights = eq(rho_{>i}, .) for round i; starts as eq_table(rho_1..rho_{n-1}).
  std::vector<F> weights = n >= 1 ? poly::eq_table<F>(eq_point.subspan(1)) : std::vector<F>{};
  std::vector<F> sums, q(d), q_full(d + 1), coeffs;
  for (const auto& t : terms) coeffs.push_back(t.coeff);
  F claim = F::zero();
  F c = F::one();  // prod_{j<i} eq(rho_j, r_j)
  for (size_t round = 0; round < n; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    if (round > 0) {
      // Sum out variable round (the lowest of the remaining weight variables), in place.
      for (size_t x = 0; x < half; ++x) weights[x] = weights[2 * x] + weights[2 * x + 1];
    }
    const F rho = eq_point[round];
    // q(1) from the claim needs 1/(c rho); compute it directly in round 0 or if that is zero.
    const bool derive = round > 0 && !(c * rho).is_zero();
    detail::round_sums<F>(derive ? derived : direct, tabs, half, weights.data(), sums, coeffs.data());
    for (size_t t = 0; t < d; ++t) q[t] = sums[t];
    if (derive && d >= 2) {
      // claim = c ((1 - rho) q(0) + rho q(1)).
      q[1] = (claim - c * (F::one() - rho) * q[0]) * (c * rho).inverse();
    }
    // p(t) = c eq(rho, t) q(t) for t = 0..d; q(d) by extrapolation (degree d - 1).
    for (size_t t = 0; t < d; ++t) q_full[t] = q[t];
    q_full[d] = basis_q.evaluate(q, F::from_u64(d));
    std::vector<F> evals(d + 1);
    for (size_t t = 0; t <= d; ++t) {
      const F x = F::from_u64(t);
      const F eq_t = F::one() - rho - x + (rho + rho) * x;
      evals[t] = c * eq_t * q_full[t];
    }
    if (round == 0) {
      claim = evals[0] + evals[1];
      res.claim = claim;
      absorb_statement(tr, n, comp);
    }
    // Sent: q's values at 0, 2, .., d - 1, or at 1, 2, .., d - 1 when rho = 0; the missing one
    // follows from the claim (sumcheck::verify_with_eq): d - 1 values instead of p's d.
    std::vector<F> sent;
    for (size_t t = 0; t < d; ++t)
      if (t != (rho.is_zero() ? size_t{0} : size_t{1})) sent.push_back(q[t]);
    if (d == 1) sent.clear();
    RoundMessage<F>& msg = res.proof.rounds[round];
    msg.evals = send_msgs<F>(tr, sent);
    const F r = absorb_round(tr, msg);
    claim = basis.evaluate(evals, r);
    c *= F::one() - rho - r + (rho + rho) * r;
    res.point.push_back(r);
    tabs.has_pending = true;
    tabs.pending = r;
  }
  res.final_evals.resize(k);
  res.final_evals[0] = c;  // eq(rho, r)
  for (size_t j = 1; j < k; ++j) res.final_evals[j] = detail::final_value(tabs, j, n);
  if (n == 0) {
    res.claim = comp.evaluate(res.final_evals);
    absorb_statement(tr, n, comp);
  }
  res.proof.final_evals = send_msgs<F>(tr, res.final_evals);
  absorb_final<F>(tr, res.proof.final_evals);
  return res;
}

extern template ProverResult<field::Fr> prove<field::Fr>(const Composition<field::Fr>&,
                                                         std::vector<std::vector<field::Fr>>,
                                                         transcript::Transcript&);
extern template ProverResult<field::Fr> prove_with_eq<field::Fr>(const Composition<field::Fr>&,
                                                                 std::span<const field::Fr>,
                                                                 std::vector<std::vector<field::Fr>>,
                                                                 transcript::Transcript&);

}  // namespace zkinfer::sumcheck
