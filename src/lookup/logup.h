// LogUp with the GKR fractional-sum argument (Papini and Haböck, "Improving logarithmic
// derivative lookups using GKR", 2023, sections 3-4): definitions shared by prover and verifier.
//
// Statement: every row i < 2^n of the witness columns (committed by the caller) is a row of the
// public table (2^k rows), with committed multiplicities m (m_j = how often row j occurs):
//     sum_i 1 / (alpha - w_i) - sum_j m_j / (alpha - t_j) = 0,
// where w_i, t_j are rows combined by beta (table.h). The fractions are leaves of two binary
// trees, W (2^n leaves (1, alpha - w_i)) and T (2^k leaves (-m_j, alpha - t_j)); a node is the sum
// of its children, (p_a, q_a) + (p_b, q_b) = (p_a q_b + p_b q_a, q_a q_b), and the children of
// node x on level l are x and x + 2^l on level l + 1 (the top variable selects the child). With
// s = min(n, k), W's level s and T's level s side by side form level s + 1 of one combined tree
// C (W in the low half); C's root must be (0, Q) with Q != 0. GKR proves the levels top down: a
// claim on level l at a point rho becomes, by one sumcheck over eq(rho, x) (p0 q1 + p1 q0 +
// lambda q0 q1), a claim on level l + 1. The precise protocol: docs/protocol/logup.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "field/concept.h"
#include "sumcheck/composition.h"
#include "lookup/table.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {

// Transcript labels of the LogUp sub-protocol.
inline constexpr std::string_view kLabelShape = "logup.shape";
inline constexpr std::string_view kLabelBeta = "logup.beta";
inline constexpr std::string_view kLabelAlpha = "logup.alpha";
inline constexpr std::string_view kLabelRoot = "logup.root";
inline constexpr std::string_view kLabelLambda = "logup.lambda";
inline constexpr std::string_view kLabelMu = "logup.mu";
inline constexpr std::string_view kLabelWitnessEvals = "logup.witness_evals";

// Largest log2 of a witness or table size the verifier and decoder accept (bounds loops and
// allocations driven by sizes; far above anything a prover could handle).
inline constexpr size_t kMaxLogRows = 48;

// One GKR step, from a level with 2^num_vars nodes to its children.
struct Step {
  enum class Tree : uint8_t { kCombined, kWitness, kTable };
  Tree tree;
  size_t num_vars;      // variables of the parent level = sumcheck variables
  bool unit_children;   // the children are W's leaves: all numerators 1, not sent
  bool draws_mu;        // false only for the last step of C, which splits into W and T claims
};

// The steps for a witness of 2^n rows and a table of 2^k rows, in protocol order.
inline std::vector<Step> plan_steps(size_t n, size_t k) {
  const size_t s = std::min(n, k);
  std::vector<Step> steps;
  for (size_t l = 0; l <= s; ++l) steps.push_back({Step::Tree::kCombined, l, false, l < s});
  const auto deeper = n > k ? Step::Tree::kWitness : Step::Tree::kTable;
  for (size_t l = s; l < std::max(n, k); ++l)
    steps.push_back({deeper, l, deeper == Step::Tree::kWitness && l + 1 == n, true});
  return steps;
}

// The sumcheck of a step: factors (eq, p0, p1, q0, q1), or (eq, q0, q1) for unit children, and
//   eq (p0 q1 + p1 q0 + lambda q0 q1)   resp.   eq (q1 + q0 + lambda q0 q1).
template <field::PrimeField F>
sumcheck::Composition<F> step_composition(const Step& step, const F& lambda) {
  using T = sumcheck::Term<F>;
  if (step.unit_children) return sumcheck::Composition<F>(3, {T{F::one(), {0, 2}}, T{F::one(), {0, 1}}, T{lambda, {0, 1, 2}}});
  return sumcheck::Composition<F>(5, {T{F::one(), {0, 1, 4}}, T{F::one(), {0, 2, 3}}, T{lambda, {0, 3, 4}}});
}
inline size_t step_num_factors(const Step& step) { return step.unit_children ? 3 : 5; }
inline constexpr size_t kStepDegree = 3;

// Binds the lookup's shape before any LogUp challenge.
template <field::PrimeField F>
void absorb_shape(transcript::Transcript& tr, const LookupTable<F>& table, size_t n) {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(table.kind()));
  w.u64(table.log_size());
  w.u64(table.num_columns());
  w.u64(n);
  tr.absorb_bytes(kLabelShape, w.data());
}

template <field::PrimeField F>
struct LogupProof {
  sumcheck::Msg<F> root_numerator;                  // must be 0
  sumcheck::Msg<F> root_denominator;                // non-zero for an honest prover (see verifier.h)
  std::vector<sumcheck::Proof<F>> steps;            // one per plan_steps() entry
  std::vector<sumcheck::Msg<F>> witness_evals;      // each witness column's MLE at the witness point

  // Fixed layout given n, k and the number of columns.
  void serialize(ByteWriter& w) const {
    sumcheck::write_msg<F>(w, root_numerator);
    sumcheck::write_msg<F>(w, root_denominator);
    for (const auto& p : steps) p.serialize(w);
    for (const auto& e : witness_evals) sumcheck::write_msg<F>(w, e);
  }
  static LogupProof deserialize(ByteReader& r, size_t n, size_t k, size_t num_columns) {
    if (n > kMaxLogRows || k > kMaxLogRows || num_columns > 2) r.fail("logup: unsupported proof shape");
    LogupProof p;
    p.root_numerator = sumcheck::read_msg<F>(r);
    p.root_denominator = sumcheck::read_msg<F>(r);
    for (const Step& s : plan_steps(n, k))
      p.steps.push_back(sumcheck::Proof<F>::deserialize(r, s.num_vars, kStepDegree - 1, step_num_factors(s)));
    for (size_t i = 0; i < num_columns; ++i) p.witness_evals.push_back(sumcheck::read_msg<F>(r));
    return p;
  }
};

// What an accepted lookup leaves the caller to check against its commitments: the witness
// columns' MLEs at witness_point (n coordinates) and the multiplicities' MLE at
// multiplicity_point (k coordinates).
template <field::PrimeField F>
struct LookupClaims {
  std::vector<F> witness_point;
  std::vector<sumcheck::Msg<F>> witness_evals;
  std::vector<F> multiplicity_point;
  sumcheck::Msg<F> multiplicity_eval;
};

}  // namespace zkinfer::lookup
