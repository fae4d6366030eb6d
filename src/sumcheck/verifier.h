// Sumcheck verifier (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.1): checks each
// round polynomial against the running claim, draws the challenges from the transcript, and
// checks the composition of the prover's final factor values against the last claim. What is left
// to the caller: checking those factor values (against commitments, other claims, or by
// evaluating a public factor such as eq itself) at the returned point.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "poly/mle.h"
#include "poly/univariate.h"
#include "sumcheck/composition.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::sumcheck {

// What an accepted sumcheck reduces the claim to: g(point) with g built from final_evals, where
// each final_evals[j] is the prover's claim for f_j(point). point[k] binds variable k.
template <field::PrimeField F>
struct Subclaim {
  std::vector<F> point;
  std::vector<Msg<F>> final_evals;
};

// g's value from the factor values. Over committed values (zk/cp.h) every product of two
// committed factors costs a proof of product, so terms are first reduced to their committed
// factors (public ones fold into the coefficient) and terms with exactly two committed factors
// are grouped by a shared factor: f (a + b) instead of f a + f b (LogUp's p0 q1 + p1 q0 + l q0 q1
// takes 2 products instead of 3). The grouping depends only on the composition and on which
// values are public, so prover and verifier make the same products.
template <field::PrimeField F>
Msg<F> evaluate_composition(const Composition<F>& comp, std::span<const Msg<F>> values) {
  Msg<F> acc = Msg<F>(F::zero());
  if constexpr (!std::is_same_v<F, field::Fr>) {
    for (const auto& t : comp.terms()) {
      Msg<F> prod = Msg<F>(t.coeff);
      for (size_t j : t.factors) prod *= values[j];
      acc += prod;
    }
    return acc;
  } else {
    struct Pair {
      F coeff;
      size_t a, b;
      bool done = false;
    };
    std::vector<Pair> pairs;
    for (const auto& t : comp.terms()) {
      F c = t.coeff;
      std::vector<size_t> committed;
      for (size_t j : t.factors) {
        if (values[j].is_public()) {
          c *= values[j].value();
        } else {
          committed.push_back(j);
        }
      }
      if (committed.empty()) {
        acc += Msg<F>(c);
      } else if (committed.size() == 1) {
        acc += values[committed[0]] * c;
      } else if (committed.size() == 2) {
        pairs.push_back({c, committed[0], committed[1]});
      } else {
        Msg<F> prod = values[committed[0]] * c;
        for (size_t i = 1; i < committed.size(); ++i) prod *= values[committed[i]];
        acc += prod;
      }
    }
    for (;;) {
      // The factor shared by most remaining pairs (lowest index on ties).
      std::vector<size_t> count(values.size(), 0);
      for (const auto& p : pairs)
        if (!p.done) ++count[p.a], ++count[p.b];
      size_t best = 0;
      for (size_t j = 1; j < count.size(); ++j)
        if (count[j] > count[best]) best = j;
      if (count[best] == 0) break;
      Msg<F> cofactor = Msg<F>(F::zero());
      for (auto& p : pairs) {
        if (p.done || (p.a != best && p.b != best)) continue;
        cofactor += values[p.a == best ? p.b : p.a] * p.coeff;
        p.done = true;
      }
      acc += values[best] * cofactor;
    }
    return acc;
  }
}

// Factors whose value at the final point the verifier computes itself (eq(rho, r), selectors):
// known(j, point) returns it, or nullopt for a factor the prover's final value stands for. The
// composition is checked with the known values, and out->final_evals holds them; the prover's
// value for such a factor must equal it (in zero-knowledge mode an equality, and no product
// involves the committed copy).
template <field::PrimeField F>
using KnownFactors = std::function<std::optional<F>(size_t factor, std::span<const F> point)>;

namespace detail {
// The last check of a sumcheck: g(final values) = the last round's claim, where the factors the
// verifier knows (known) enter with its own values (and the prover's must equal them: an
// equality, not a product, when committed); then the final values are absorbed.
template <field::PrimeField F>
Verdict final_check(const Composition<F>& comp, const Proof<F>& proof, const Msg<F>& running, const KnownFactors<F>& known,
                    std::vector<F> point, transcript::Transcript& tr, Subclaim<F>* out) {
  std::vector<Msg<F>> finals = proof.final_evals;
  if (known)
    for (size_t j = 0; j < finals.size(); ++j)
      if (auto v = known(j, point)) {
        if (finals[j] != Msg<F>(*v))
          return Verdict::reject("sumcheck: final value of factor " + std::to_string(j) + " (the verifier's own) is wrong");
        finals[j] = Msg<F>(*v);
      }
  if (evaluate_composition<F>(comp, finals) != running)
    return Verdict::reject("sumcheck: final evaluations do not satisfy the last round's claim");
  absorb_final<F>(tr, proof.final_evals);
  if (out) {
    out->point = std::move(point);
    out->final_evals = std::move(finals);
  }
  return Verdict::accept();
}
}  // namespace detail

// Verifies that sum_{x in {0,1}^n} g(x) = claim for g = comp. Draws exactly what prove() draws
// from the transcript. On acceptance fills *out (if non-null). Never throws on a bad proof. (In
// zero-knowledge mode the equalities are recorded and proven at the end of the whole proof.)
template <field::PrimeField F>
Verdict verify(const Composition<F>& comp, size_t num_vars, const Msg<F>& claim, const Proof<F>& proof,
               transcript::Transcript& tr, Subclaim<F>* out = nullptr, const KnownFactors<F>& known = {}) {
  const size_t d = comp.degree();
  if (proof.rounds.size() != num_vars)
    return Verdict::reject("sumcheck: proof has " + std::to_string(proof.rounds.size()) + " rounds, expected " +
                           std::to_string(num_vars));
  for (size_t i = 0; i < num_vars; ++i)
    if (proof.rounds[i].evals.size() != d)
      return Verdict::reject("sumcheck: round " + std::to_string(i) + ": message has " +
                             std::to_string(proof.rounds[i].evals.size()) + " values, expected " +
                             std::to_string(d))
          .in_round(static_cast<int>(i));
  if (proof.final_evals.size() != comp.num_factors())
    return Verdict::reject("sumcheck: " + std::to_string(proof.final_evals.size()) +
                           " final evaluations, expected " + std::to_string(comp.num_factors()));

  const poly::LagrangeBasis<F> basis = poly::lagrange_basis<F>(d);
  absorb_statement(tr, num_vars, comp);
  Msg<F> running = claim;
  std::vector<F> point;
  point.reserve(num_vars);
  for (size_t i = 0; i < num_vars; ++i) {
    const auto& m = proof.rounds[i];
    const F r = absorb_round(tr, m);
    // p(r) = L_0 p(0) + L_1 (claim - p(0)) + sum_{k >= 2} L_k p(k).
    const std::vector<F> l = basis.coefficients(r);
    Msg<F> next = running * l[1] + m.evals[0] * (l[0] - l[1]);
    for (size_t k = 2; k <= d; ++k) next += m.evals[k - 1] * l[k];
    running = std::move(next);
    point.push_back(r);
  }
  return detail::final_check<F>(comp, proof, running, known, std::move(point), tr, out);
}

// Verifies prove_with_eq's proofs: factor 0 of every term is eq(eq_point, x), which the verifier
// evaluates itself; round i carries q_i's values (prover.h). The verifier tracks the normalized
// claim e_i = claim_i / c_i (c_i = prod_{j<i} eq(rho_j, r_j)), so that no division by c is needed:
// e_0 = claim, e_i = (1 - rho_i) q_i(0) + rho_i q_i(1) gives the missing value of q_i, and
// e_{i+1} = q_i(r_i); the last claim is c_n e_n.
template <field::PrimeField F>
Verdict verify_with_eq(const Composition<F>& comp, std::span<const F> eq_point, const Msg<F>& claim,
                       const Proof<F>& proof, transcript::Transcript& tr, Subclaim<F>* out = nullptr) {
  const size_t n = eq_point.size();
  const size_t d = comp.degree();
  if (proof.rounds.size() != n)
    return Verdict::reject("sumcheck: proof has " + std::to_string(proof.rounds.size()) + " rounds, expected " +
                           std::to_string(n));
  for (size_t i = 0; i < n; ++i)
    if (proof.rounds[i].evals.size() != d - 1)
      return Verdict::reject("sumcheck: round " + std::to_string(i) + ": message has " +
                             std::to_string(proof.rounds[i].evals.size()) + " values, expected " +
                             std::to_string(d - 1))
          .in_round(static_cast<int>(i));
  if (proof.final_evals.size() != comp.num_factors())
    return Verdict::reject("sumcheck: " + std::to_string(proof.final_evals.size()) +
                           " final evaluations, expected " + std::to_string(comp.num_factors()));
  const poly::LagrangeBasis<F> basis_q = poly::lagrange_basis<F>(d - 1);
  absorb_statement(tr, n, comp);
  Msg<F> e = claim;  // claim_i / c_i
  F c = F::one();
  std::vector<F> point;
  point.reserve(n);
  // The inverses of the rho_i, all with one inversion (a Fermat inversion per round used to be
  // most of a lookup's verification).
  std::vector<F> rho_inv(n);
  {
    F acc = F::one();
    for (size_t i = 0; i < n; ++i) {
      rho_inv[i] = acc;  // prefix product of the non-zero rho_j, j < i
      if (!eq_point[i].is_zero()) acc *= eq_point[i];
    }
    F inv = acc.inverse();
    for (size_t i = n; i-- > 0;) {
      if (eq_point[i].is_zero()) continue;  // unused: q(0) = e then
      rho_inv[i] *= inv;
      inv *= eq_point[i];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const auto& m = proof.rounds[i];
    const F rho = eq_point[i];
    std::vector<Msg<F>> q(d);
    if (d == 1 || rho.is_zero()) {  // q(0) = e (q is constant when d = 1)
      q[0] = e;
      for (size_t t = 1; t < d; ++t) q[t] = m.evals[t - 1];
    } else {
      q[0] = m.evals[0];
      q[1] = (e - q[0] * (F::one() - rho)) * rho_inv[i];
      for (size_t t = 2; t < d; ++t) q[t] = m.evals[t - 1];
    }
    const F r = absorb_round(tr, m);
    const std::vector<F> l = basis_q.coefficients(r);
    Msg<F> qr = Msg<F>(F::zero());
    for (size_t t = 0; t < d; ++t) qr += q[t] * l[t];
    e = std::move(qr);
    c *= F::one() - rho - r + (rho + rho) * r;
    point.push_back(r);
  }
  const Msg<F> running = e * c;
  // Factor 0 is eq(eq_point, point) = c.
  return detail::final_check<F>(
      comp, proof, running, [c](size_t j, std::span<const F>) { return j == 0 ? std::optional<F>(c) : std::nullopt; },
      std::move(point), tr, out);
}

extern template Verdict verify<field::Fr>(const Composition<field::Fr>&, size_t, const cp::Val&,
                                         const Proof<field::Fr>&, transcript::Transcript&,
                                         Subclaim<field::Fr>*, const KnownFactors<field::Fr>&);

}  // namespace zkinfer::sumcheck
