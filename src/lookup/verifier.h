// LogUp-GKR verifier (Papini and Haböck 2023, sections 3-4; protocol in docs/protocol/logup.md).
// Replays the prover's transcript, checks the root (numerator 0, denominator non-zero), each
// level's sumcheck and its eq value, and at the leaves: W's numerators are 1 and its denominators
// match the claimed witness evaluations, T's denominators match the public table. Returns the
// claims on the witness columns' and the multiplicities' MLEs, which the caller must check against
// the commitments it absorbed before calling. Does not include the prover.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/error.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "lookup/logup.h"
#include "lookup/table.h"
#include <type_traits>

#include "poly/mle.h"
#include "sumcheck/verifier.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {

// What the GKR part of a lookup leaves to check at the witness leaves: the combined witness
// w = column 0 + beta column 1 must satisfy alpha - w~(witness_point) = witness_denominator; and
// the multiplicities' MLE at multiplicity_point is multiplicity_eval (to be opened).
template <field::PrimeField F>
struct GkrLeafClaims {
  F beta, alpha;
  std::vector<F> witness_point;
  sumcheck::Msg<F> witness_denominator;
  std::vector<F> multiplicity_point;
  sumcheck::Msg<F> multiplicity_eval;
};

// The claims the fractional-sum GKR ends with: the witness leaves' MLEs (numerator p, denominator
// q) at witness_point (n coordinates) and the table leaves' at table_point (k coordinates).
// witness_unit: the witness leaves' numerators were fixed to 1 by the last step (n > k), so
// witness_p is 1 by construction.
template <field::PrimeField F>
struct FractionLeafClaims {
  std::vector<F> witness_point, table_point;
  sumcheck::Msg<F> witness_p, witness_q, table_p, table_q;
  bool witness_unit = false;
};

// Replays the root and the GKR steps of plan_steps(n, k) (docs/protocol/logup.md, verifier steps
// 2 and 3): rejects unless the root numerator is 0 (and a public root denominator non-zero), every
// step's sumcheck verifies and its eq value is right. On acceptance fills *out with the leaf
// claims, which the caller must check. Checks proof.steps' count; not the witness values.
template <field::PrimeField F>
Verdict verify_fractions(size_t n, size_t k, const LogupProof<F>& proof, transcript::Transcript& tr,
                         FractionLeafClaims<F>* out) {
  if (n > kMaxLogRows || k > kMaxLogRows)
    return Verdict::reject("logup: witness of 2^" + std::to_string(n) + " rows or table of 2^" + std::to_string(k) +
                           " rows is too large");
  const size_t s = std::min(n, k);
  const auto steps = plan_steps(n, k);
  if (proof.steps.size() != steps.size())
    return Verdict::reject("logup: proof has " + std::to_string(proof.steps.size()) + " GKR steps, expected " +
                           std::to_string(steps.size()));
  using M = sumcheck::Msg<F>;
  tr.absorb_many(kLabelRoot, std::vector<M>{proof.root_numerator, proof.root_denominator});
  if (proof.root_numerator != M(F::zero())) return Verdict::reject("logup: root numerator is not zero");
  // Q = 0 would make the fraction sum meaningless; but the GKR steps below prove that the root is
  // the true (P, Q) of the committed leaves, and the true Q = prod (alpha - leaf) is non-zero
  // except with probability (2^n + 2^k)/|F| over alpha. So a committed Q needs no further check;
  // a public one is checked anyway.
  if constexpr (std::is_same_v<F, field::Fr>) {
    if (proof.root_denominator.is_public() && proof.root_denominator.value().is_zero())
      return Verdict::reject("logup: root denominator is zero");
  } else {
    if (proof.root_denominator.is_zero()) return Verdict::reject("logup: root denominator is zero");
  }

  std::vector<F> rho;
  M claim_p = proof.root_numerator, claim_q = proof.root_denominator;
  FractionLeafClaims<F> res;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const std::string where = "logup: step " + std::to_string(i) + " (" +
                              (step.tree == Step::Tree::kCombined ? "combined"
                               : step.tree == Step::Tree::kWitness ? "witness"
                                                                   : "table") +
                              " tree, level " + std::to_string(step.num_vars) + ")";
    const F lambda = tr.challenge<F>(kLabelLambda);
    const auto comp = step_composition<F>(step, lambda);
    sumcheck::Subclaim<F> sub;
    if (rho.size() != step.num_vars) return Verdict::reject(where + ": internal: eq point size");
    Verdict v = sumcheck::verify_with_eq<F>(comp, rho, claim_p + lambda * claim_q, proof.steps[i], tr, &sub);
    if (!v.ok()) return v.within(where);
    const auto& fe = sub.final_evals;
    if (fe[0] != M(poly::eq_eval<F>(rho, sub.point))) return Verdict::reject(where + ": eq value is wrong");
    const M p0 = step.unit_children ? M(F::one()) : fe[1];
    const M p1 = step.unit_children ? M(F::one()) : fe[2];
    const M q0 = fe[step.unit_children ? 1 : 3];
    const M q1 = fe[step.unit_children ? 2 : 4];
    if (step.draws_mu) {
      const F mu = tr.challenge<F>(kLabelMu);
      rho = std::move(sub.point);
      rho.push_back(mu);
      claim_p = p0 + mu * (p1 - p0);
      claim_q = q0 + mu * (q1 - q0);
      res.witness_unit = step.unit_children;
    } else {
      rho = std::move(sub.point);
      res.witness_p = p0;
      res.witness_q = q0;
      res.table_p = p1;
      res.table_q = q1;
      if (n == s) res.witness_point = rho;
      if (k == s) res.table_point = rho;
      if (n > s) {
        claim_p = p0;
        claim_q = q0;
      } else if (k > s) {
        claim_p = p1;
        claim_q = q1;
      }
    }
  }
  if (n > s) {
    res.witness_point = rho;
    res.witness_p = claim_p;
    res.witness_q = claim_q;
  }
  if (k > s) {
    res.table_point = rho;
    res.table_p = claim_p;
    res.table_q = claim_q;
  }
  *out = std::move(res);
  return Verdict::accept();
}

// Steps 1-5 of the verifier (docs/protocol/logup.md) except the witness values: checks the shape,
// the root, every GKR step, the unit witness numerators and the table leaves; does not read
// proof.witness_evals. On acceptance fills *out.
template <field::PrimeField F>
Verdict verify_gkr(const LookupTable<F>& table, size_t n, const LogupProof<F>& proof, transcript::Transcript& tr,
                   GkrLeafClaims<F>* out) {
  if (n > kMaxLogRows) return Verdict::reject("logup: witness of 2^" + std::to_string(n) + " rows is too large");
  const size_t k = table.log_size();
  if (proof.steps.size() != plan_steps(n, k).size())
    return Verdict::reject("logup: proof has " + std::to_string(proof.steps.size()) + " GKR steps, expected " +
                           std::to_string(plan_steps(n, k).size()));

  absorb_shape(tr, table, n);
  const F beta = table.num_columns() == 2 ? tr.challenge<F>(kLabelBeta) : F::zero();
  const F alpha = tr.challenge<F>(kLabelAlpha);
  using M = sumcheck::Msg<F>;
  FractionLeafClaims<F> leaves;
  if (Verdict v = verify_fractions<F>(n, k, proof, tr, &leaves); !v) return v;

  // Witness leaves: numerators 1 (denominators: the caller's check, see verify()).
  if (!leaves.witness_unit && leaves.witness_p != M(F::one())) return Verdict::reject("logup: witness leaf numerators are not 1");
  // Table leaves: denominators alpha - t(t_point), computed from the public table.
  if (M(alpha - table.evaluate_combined(leaves.table_point, beta)) != leaves.table_q)
    return Verdict::reject("logup: table leaf denominators do not match the table");
  out->beta = beta;
  out->alpha = alpha;
  out->witness_point = std::move(leaves.witness_point);
  out->witness_denominator = leaves.witness_q;
  out->multiplicity_point = std::move(leaves.table_point);
  out->multiplicity_eval = -leaves.table_p;
  return Verdict::accept();
}

// Verifies a lookup of 2^n witness rows into `table`. On acceptance fills *out (if non-null).
// Never throws on a bad proof.
template <field::PrimeField F>
Verdict verify(const LookupTable<F>& table, size_t n, const LogupProof<F>& proof, transcript::Transcript& tr,
               LookupClaims<F>* out = nullptr) {
  if (proof.witness_evals.size() != table.num_columns())
    return Verdict::reject("logup: " + std::to_string(proof.witness_evals.size()) +
                           " witness evaluations, expected " + std::to_string(table.num_columns()));
  GkrLeafClaims<F> g;
  if (Verdict v = verify_gkr<F>(table, n, proof, tr, &g); !v) return v;
  using M = sumcheck::Msg<F>;
  // Witness leaves: denominators alpha - (w_0 + beta w_1) at the witness point.
  tr.absorb_many(kLabelWitnessEvals, proof.witness_evals);
  M w = proof.witness_evals[0];
  if (table.num_columns() == 2) w += proof.witness_evals[1] * g.beta;
  if (M(g.alpha) - w != g.witness_denominator)
    return Verdict::reject("logup: witness evaluations do not match the leaf denominators");
  if (out) {
    out->witness_point = std::move(g.witness_point);
    out->witness_evals = proof.witness_evals;
    out->multiplicity_point = std::move(g.multiplicity_point);
    out->multiplicity_eval = g.multiplicity_eval;
  }
  return Verdict::accept();
}

extern template Verdict verify<field::Fr>(const LookupTable<field::Fr>&, size_t, const LogupProof<field::Fr>&,
                                          transcript::Transcript&, LookupClaims<field::Fr>*);

}  // namespace zkinfer::lookup
