// LogUp-GKR prover (Papini and Haböck 2023, sections 3-4; the layered fractional-sum GKR of their
// section 3 with the LogUp leaves of section 4), in two phases:
//   1. compute_multiplicities(): m_j = number of witness rows equal to table row j. The caller
//      commits to m and absorbs the commitment (after the witness columns' commitments).
//   2. prove(): draws beta (two-column tables) and alpha, builds the fraction trees and proves
//      them level by level with the generic sumcheck; returns the proof and the claims on the
//      witness columns' and m's MLEs that the caller must open against its commitments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/check.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "lookup/logup.h"
#include "lookup/table.h"
#include "poly/mle.h"
#include "poly/parallel.h"
#include "sumcheck/prover.h"
#include "sumcheck/streamed.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {

template <field::PrimeField F>
struct Multiplicities {
  std::vector<uint64_t> counts;  // one per table row
  size_t num_missing = 0;        // witness rows found nowhere in the table (then no valid proof exists)

  std::vector<F> to_field() const {
    std::vector<F> m(counts.size());
    for (size_t j = 0; j < counts.size(); ++j) m[j] = F::from_u64(counts[j]);
    return m;
  }
};

// Phase 1. columns: table.num_columns() witness columns of equal length.
template <field::PrimeField F>
Multiplicities<F> compute_multiplicities(const LookupTable<F>& table, const std::vector<std::vector<F>>& columns) {
  ZKINFER_CHECK(columns.size() == table.num_columns());
  Multiplicities<F> m;
  m.counts.assign(table.size(), 0);
  const size_t rows = columns[0].size();
  // Per-thread histograms when there are many more rows than table entries.
  const bool parallel = poly::go_parallel(rows) && rows >= 4 * table.size();
#pragma omp parallel if (parallel)
  {
    std::vector<uint64_t> local(table.size(), 0);
    size_t missing = 0;
    std::vector<F> row(columns.size());
#pragma omp for schedule(static)
    for (size_t i = 0; i < rows; ++i) {
      for (size_t c = 0; c < columns.size(); ++c) row[c] = columns[c][i];
      if (auto j = table.find(row)) {
        ++local[*j];
      } else {
        ++missing;
      }
    }
#pragma omp critical
    {
      for (size_t j = 0; j < local.size(); ++j) m.counts[j] += local[j];
      m.num_missing += missing;
    }
  }
  return m;
}

template <field::PrimeField F>
struct LookupProverResult {
  LogupProof<F> proof;
  LookupClaims<F> claims;
};

namespace detail {

// One level of a fraction tree: numerators p (empty when all are 1) and denominators q.
template <field::PrimeField F>
struct Level {
  std::vector<F> p, q;
  bool unit() const { return p.empty(); }
  size_t size() const { return q.size(); }
};

// The parent level: node x = child x + child x + half.
template <field::PrimeField F>
Level<F> parent_level(const Level<F>& c) {
  const size_t h = c.size() / 2;
  Level<F> out;
  out.p.resize(h);
  out.q.resize(h);
  const bool unit = c.unit();
#pragma omp parallel for schedule(static) if (poly::go_parallel(h))
  for (size_t x = 0; x < h; ++x) {
    const F& qa = c.q[x];
    const F& qb = c.q[x + h];
    out.p[x] = unit ? qa + qb : c.p[x] * qb + c.p[x + h] * qa;
    out.q[x] = qa * qb;
  }
  return out;
}


// Deviations from the honest algorithm, for tests of the verifier's checks only.
template <field::PrimeField F>
struct Cheats {
  // Replace the witness leaves' numerators (e.g. 0 to hide a row); only for n <= k, where those
  // numerators reach the verifier.
  const std::vector<F>* witness_numerators = nullptr;
  // Claim root numerator 0 and make step 0's sumcheck consistent by scaling its eq factor
  // (a table [e] with e != 1 = eq() over no variables).
  bool zero_root_by_scaling_eq = false;
};

// What prove_impl sends at the witness leaves: the columns' MLE values at rho_W (prove()), or
// nothing (the batch of batch.h sends its segments' values instead).
enum class WitnessEvals : uint8_t { kSend, kNone };

// What the fractional-sum GKR leaves to the caller: the points of the claims on the witness
// leaves (n coordinates) and on the table leaves (k coordinates).
template <field::PrimeField F>
struct FractionPoints {
  std::vector<F> witness, table;
};

// The witness leaves' denominators computed where they are needed instead of stored (numerators
// 1): fills out[0, end - begin) with the denominators of leaves begin..end (batch.h: from the
// columns). Called concurrently on disjoint ranges.
template <field::PrimeField F>
using LeafFn = std::function<void(size_t begin, size_t end, F* out)>;

// Nodes [a, e) of W's level n - d (1 <= d <= n) from the leaves, into p and q (e - a values each):
// node x of a level combines nodes x and x + size of the level below.
template <field::PrimeField F>
void nodes_from_leaves(size_t n, size_t d, const LeafFn<F>& leaves, size_t a, size_t e, F* p, F* q) {
  const size_t half = size_t{1} << (n - d), len = e - a;
  if (d == 1) {
    std::vector<F> hi(len);
    leaves(a, e, q);
    leaves(a + half, e + half, hi.data());
    for (size_t i = 0; i < len; ++i) {
      p[i] = q[i] + hi[i];
      q[i] *= hi[i];
    }
    return;
  }
  std::vector<F> p1(len), q1(len);
  nodes_from_leaves<F>(n, d - 1, leaves, a, e, p, q);
  nodes_from_leaves<F>(n, d - 1, leaves, a + half, e + half, p1.data(), q1.data());
  for (size_t i = 0; i < len; ++i) {
    p[i] = p[i] * q1[i] + p1[i] * q[i];
    q[i] *= q1[i];
  }
}

inline constexpr size_t kLeafBlock = 4096;

// Nodes [a, e) of W's level n - d from the leaves (d = 0: the leaves' denominators; p then empty),
// in blocks, in parallel.
template <field::PrimeField F>
void level_range_from_leaves(size_t n, size_t d, const LeafFn<F>& leaves, size_t a, size_t e, std::vector<F>* p,
                             std::vector<F>* q) {
  const size_t len = e - a, nb = (len + kLeafBlock - 1) / kLeafBlock;
  q->resize(len);
  if (d > 0) p->resize(len);
#pragma omp parallel for schedule(static) if (poly::go_parallel(len))
  for (size_t b = 0; b < nb; ++b) {
    const size_t x = a + b * kLeafBlock, y = std::min(e, x + kLeafBlock);
    if (d == 0) {
      leaves(x, y, q->data() + (x - a));
    } else {
      nodes_from_leaves<F>(n, d, leaves, x, y, p->data() + (x - a), q->data() + (x - a));
    }
  }
}

// How the prover with the witness leaves from a function (below) spends memory; the proof is the
// same for any policy. W's levels n - v + 1 .. n (v = min(recomputed_levels, n - s)) are not
// stored but computed from the leaves for their GKR steps; those steps' sumchecks, when they have
// at least 2^min_stream_vars variables' worth of pairs (l >= min_stream_vars), stream their first
// `stream_rounds` rounds from the leaves (sumcheck/streamed.h): the tables they hold are 2^R times
// smaller, the leaves are computed R + 1 times for each such step.
struct StreamPolicy {
  size_t recomputed_levels = 3;
  size_t stream_rounds = 2;
  size_t min_stream_vars = 16;
};

// The GKR of the two fraction trees over their leaves (w: 2^n leaves, numerators empty when all
// are 1; t: 2^k leaves): sends the root and one sumcheck per plan_steps(n, k) entry into
// *proof (root, steps) and returns the leaf claims' points. The caller has bound everything the
// leaves depend on and drawn its challenges before.
// With `leaves` (then w is empty and its 2^n leaves have numerators 1), W's leaves are computed
// from it where needed and W's lowest levels are not stored: its level n - v (StreamPolicy; v = 3
// by default, or the lowest one the combined tree does not need) is built straight from the
// leaves, and the lower levels are computed again for their own GKR steps, when the upper ones
// are freed, those steps' first sumcheck rounds streamed from the leaves (sumcheck/streamed.h).
// The proof is the same; the memory of the witness tree drops from 3 (all levels stored) to about
// 0.5 tables of 2^n field elements.
template <field::PrimeField F>
FractionPoints<F> prove_fractions_impl(size_t n, Level<F> w, const LeafFn<F>* leaves, Level<F> t,
                                       transcript::Transcript& tr, const Cheats<F>& cheats, LogupProof<F>* proof,
                                       const StreamPolicy& policy = StreamPolicy{}) {
  const size_t k = poly::log2_exact(t.size());
  ZKINFER_CHECK(!t.unit());
  const size_t s = std::min(n, k);
  // Levels of W computed from the leaves rather than stored: n - v + 1 .. n.
  const size_t v = leaves ? std::min<size_t>(std::max<size_t>(policy.recomputed_levels, 1), n - s) : 0;
  if (leaves && v == 0) {  // W does not reach below the combined tree: its leaves are needed stored
    level_range_from_leaves<F>(n, 0, *leaves, 0, size_t{1} << n, nullptr, &w.q);
    leaves = nullptr;
  }
  if (!leaves) {
    ZKINFER_CHECK(poly::log2_exact(w.size()) == n && (w.unit() || w.p.size() == w.size()));
  }
  std::vector<Level<F>> w_levels(n + 1), t_levels(k + 1);
  if (leaves) {
    Level<F>& lv = w_levels[n - v];
    level_range_from_leaves<F>(n, v, *leaves, 0, size_t{1} << (n - v), &lv.p, &lv.q);
  } else {
    w_levels[n] = std::move(w);
  }
  t_levels[k] = std::move(t);
  for (size_t l = n - v; l-- > s;) w_levels[l] = detail::parent_level(w_levels[l + 1]);
  for (size_t l = k; l-- > s;) t_levels[l] = detail::parent_level(t_levels[l + 1]);
  // C's level s + 1: W's level s, then T's level s.
  std::vector<Level<F>> c_levels(s + 2);
  {
    Level<F>& c = c_levels[s + 1];
    Level<F>& ws = w_levels[s];
    Level<F>& ts = t_levels[s];
    c.p = ws.unit() ? std::vector<F>(ws.size(), F::one()) : std::move(ws.p);
    c.p.insert(c.p.end(), ts.p.begin(), ts.p.end());
    c.q = std::move(ws.q);
    c.q.insert(c.q.end(), ts.q.begin(), ts.q.end());
    if (n > s) w_levels[s] = Level<F>{};
    if (k > s) t_levels[s] = Level<F>{};
  }
  for (size_t l = s + 1; l-- > 0;) c_levels[l] = detail::parent_level(c_levels[l + 1]);

  const F root_p = cheats.zero_root_by_scaling_eq ? F::zero() : c_levels[0].p[0];
  proof->root_numerator = sumcheck::send_msg<F>(tr, root_p);
  proof->root_denominator = sumcheck::send_msg<F>(tr, c_levels[0].q[0]);
  tr.absorb_many(kLabelRoot, std::vector<sumcheck::Msg<F>>{proof->root_numerator, proof->root_denominator});

  std::vector<F> rho;  // the point of the current claim
  F claim_p = root_p, claim_q = c_levels[0].q[0];
  FractionPoints<F> pts;
  for (const Step& step : plan_steps(n, k)) {
    const size_t l = step.num_vars;
    // A level of W below n - v is computed from the leaves now (the levels above are freed).
    const bool from_leaves = leaves && step.tree == Step::Tree::kWitness && l + 1 > n - v;
    Level<F>& child = step.tree == Step::Tree::kCombined ? c_levels[l + 1]
                      : step.tree == Step::Tree::kWitness ? w_levels[l + 1]
                                                          : t_levels[l + 1];
    ZKINFER_CHECK(from_leaves || (child.size() == (size_t{2} << l) && step.unit_children == child.unit()));
    ZKINFER_CHECK(!from_leaves || step.unit_children == (l + 1 == n));
    const F lambda = tr.challenge<F>(kLabelLambda);
    const auto comp = step_composition<F>(step, lambda);
    // The child's halves are the factors p0, p1, q0, q1; the level is not needed afterwards.
    const size_t h = size_t{1} << l;
    std::vector<std::vector<F>> factors;
    factors.emplace_back();  // eq(rho, .): not materialized (prove_with_eq)
    // (The high half copied out and the low half kept in place: one copy of h values.)
    // (shrink_to_fit: the low half's storage is not held at twice its size during the sumcheck.)
    auto split = [h](std::vector<F>& v, std::vector<std::vector<F>>& out) {
      std::vector<F> hi(v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
      v.resize(h);
      v.shrink_to_fit();
      out.push_back(std::move(v));
      out.push_back(std::move(hi));
    };
    const bool streamed = from_leaves && l >= policy.min_stream_vars && policy.stream_rounds > 0 && !cheats.zero_root_by_scaling_eq;
    if (streamed) {
      // (the factors are computed inside the sumcheck, below)
    } else if (from_leaves) {
      // Factors p0, p1, q0, q1 (or q0, q1 at the leaves): the child level's halves.
      const size_t d = n - (l + 1);
      std::vector<F> p0, p1, q0, q1;
      level_range_from_leaves<F>(n, d, *leaves, 0, h, &p0, &q0);
      level_range_from_leaves<F>(n, d, *leaves, h, 2 * h, &p1, &q1);
      if (d > 0) {
        factors.push_back(std::move(p0));
        factors.push_back(std::move(p1));
      }
      factors.push_back(std::move(q0));
      factors.push_back(std::move(q1));
    } else {
      if (!child.unit()) split(child.p, factors);
      split(child.q, factors);
    }
    sumcheck::ProverResult<F> sc;
    if (streamed) {
      // The child level's halves computed from the leaves where the sumcheck reads them; its first
      // rounds streamed (the factors: p0, p1, q0, q1, or q0, q1 at the leaves).
      const size_t d = n - (l + 1);
      const LeafFn<F>& lf = *leaves;
      const sumcheck::FactorFill<F> fill = [&](size_t b, size_t e, F* const* outs) {
        if (d == 0) {
          lf(b, e, outs[0]);
          lf(b + h, e + h, outs[1]);
          return;
        }
        nodes_from_leaves<F>(n, d, lf, b, e, outs[0], outs[2]);
        nodes_from_leaves<F>(n, d, lf, b + h, e + h, outs[1], outs[3]);
      };
      sc = sumcheck::prove_with_eq_streamed<F>(comp, rho, fill, policy.stream_rounds, tr);
      ZKINFER_CHECK(sc.claim == claim_p + lambda * claim_q);
    } else if (cheats.zero_root_by_scaling_eq && l == 0) {
      // (e h) = 0 + lambda Q with h the true value of the composition without eq.
      const F h_val = factors[1][0] * factors[4][0] + factors[2][0] * factors[3][0] +
                      lambda * factors[3][0] * factors[4][0];
      factors[0] = {lambda * claim_q * h_val.inverse()};
      sc = sumcheck::prove<F>(comp, std::move(factors), tr);
    } else {
      sc = sumcheck::prove_with_eq<F>(comp, rho, std::move(factors), tr);
      ZKINFER_CHECK(sc.claim == claim_p + lambda * claim_q);  // the prover's own tree is consistent
    }
    proof->steps.push_back(std::move(sc.proof));
    const auto& fe = sc.final_evals;
    const F p0 = step.unit_children ? F::one() : fe[1];
    const F p1 = step.unit_children ? F::one() : fe[2];
    const F q0 = fe[step.unit_children ? 1 : 3];
    const F q1 = fe[step.unit_children ? 2 : 4];
    if (step.draws_mu) {
      const F mu = tr.challenge<F>(kLabelMu);
      rho = std::move(sc.point);
      rho.push_back(mu);
      claim_p = p0 + mu * (p1 - p0);
      claim_q = q0 + mu * (q1 - q0);
    } else {
      // Last step of C: (p0, q0) is W's level s and (p1, q1) T's level s, both at sc.point.
      rho = std::move(sc.point);
      if (n == s) pts.witness = rho;
      if (k == s) pts.table = rho;
      // Continue with the deeper tree (if any).
      if (n > s) {
        claim_p = p0;
        claim_q = q0;
      } else if (k > s) {
        claim_p = p1;
        claim_q = q1;
      }
    }
  }
  if (n > s) pts.witness = rho;
  if (k > s) pts.table = rho;
  return pts;
}

template <field::PrimeField F>
FractionPoints<F> prove_fractions(Level<F> w, Level<F> t, transcript::Transcript& tr, const Cheats<F>& cheats,
                                  LogupProof<F>* proof) {
  const size_t n = poly::log2_exact(w.size());
  return prove_fractions_impl<F>(n, std::move(w), nullptr, std::move(t), tr, cheats, proof);
}

// The same GKR with W's 2^n leaves (numerators 1) computed by `leaves` where needed (above).
template <field::PrimeField F>
FractionPoints<F> prove_fractions(size_t n, const LeafFn<F>& leaves, Level<F> t, transcript::Transcript& tr,
                                  const Cheats<F>& cheats, LogupProof<F>* proof,
                                  const StreamPolicy& policy = StreamPolicy{}) {
  return prove_fractions_impl<F>(n, Level<F>{}, &leaves, std::move(t), tr, cheats, proof, policy);
}

template <field::PrimeField F>
LookupProverResult<F> prove_impl(const LookupTable<F>& table, const std::vector<std::vector<F>>& columns,
                                 const std::vector<F>& m, transcript::Transcript& tr, const Cheats<F>& cheats,
                                 WitnessEvals witness_evals = WitnessEvals::kSend) {
  const std::vector<F>* witness_numerators = cheats.witness_numerators;
  ZKINFER_CHECK(columns.size() == table.num_columns() && m.size() == table.size());
  const size_t n = poly::log2_exact(columns[0].size());
  for (const auto& c : columns) ZKINFER_CHECK(c.size() == columns[0].size());
  const size_t k = table.log_size();

  absorb_shape(tr, table, n);
  const F beta = table.num_columns() == 2 ? tr.challenge<F>(kLabelBeta) : F::zero();
  const F alpha = tr.challenge<F>(kLabelAlpha);

  // Leaves. W: (1, alpha - w_i), stored with p empty; T: (-m_j, alpha - t_j).
  Level<F> w, t;
  {
    w.q.resize(size_t{1} << n);
    const size_t rows = w.q.size();
#pragma omp parallel for schedule(static) if (poly::go_parallel(rows))
    for (size_t i = 0; i < rows; ++i) {
      F v = columns[0][i];
      if (columns.size() == 2) v += beta * columns[1][i];
      w.q[i] = alpha - v;
    }
    if (witness_numerators) {
      ZKINFER_CHECK(n <= k && witness_numerators->size() == rows);
      w.p = *witness_numerators;
    }
    t.p.resize(table.size());
    t.q.resize(table.size());
#pragma omp parallel for schedule(static) if (poly::go_parallel(table.size()))
    for (size_t j = 0; j < table.size(); ++j) {
      t.p[j] = -m[j];
      t.q[j] = alpha - table.combined_entry(j, beta);
    }
  }
  LookupProverResult<F> res;
  const FractionPoints<F> pts = prove_fractions<F>(std::move(w), std::move(t), tr, cheats, &res.proof);
  res.claims.witness_point = pts.witness;
  res.claims.multiplicity_point = pts.table;
  res.claims.multiplicity_eval = poly::evaluate_mle<F>(m, pts.table);
  if (witness_evals == WitnessEvals::kNone) return res;
  std::vector<F> wev;
  for (const auto& c : columns) wev.push_back(poly::evaluate_mle<F>(c, pts.witness));
  res.proof.witness_evals = sumcheck::send_msgs<F>(tr, wev);
  res.claims.witness_evals = res.proof.witness_evals;
  tr.absorb_many(kLabelWitnessEvals, res.proof.witness_evals);
  return res;
}

}  // namespace detail

// Phase 2. `columns`: the witness columns (2^n rows each, n >= 0), as committed; `m`: the
// multiplicities from phase 1 (as committed). The caller has absorbed the commitments to both.
// The honest prover runs this only when num_missing == 0; run on a witness with a row outside
// the table it produces a proof the verifier rejects.
template <field::PrimeField F>
LookupProverResult<F> prove(const LookupTable<F>& table, const std::vector<std::vector<F>>& columns,
                            const std::vector<F>& m, transcript::Transcript& tr) {
  return detail::prove_impl<F>(table, columns, m, tr, detail::Cheats<F>{});
}

extern template Multiplicities<field::Fr> compute_multiplicities<field::Fr>(
    const LookupTable<field::Fr>&, const std::vector<std::vector<field::Fr>>&);
extern template LookupProverResult<field::Fr> prove<field::Fr>(const LookupTable<field::Fr>&,
                                                               const std::vector<std::vector<field::Fr>>&,
                                                               const std::vector<field::Fr>&, transcript::Transcript&);

}  // namespace zkinfer::lookup
