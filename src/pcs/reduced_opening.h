// Few openings (docs/protocol/hyrax.md, "Reduced openings"): every claim on a committed MLE of a
// proof is split by Hyrax's layout, f(z) = <t, eq(z_col)> with t = eq(z_row)^T M committed by the
// row combination T = sum_i eq(z_row)_i C_i; the short vectors t (2^b entries, b the column
// variables) are then reduced to ONE random column point rho by one sumcheck, and opened together
// by one logarithmic argument (pcs/ipa.h). The prover's work beyond the row combinations (which
// any Hyrax opening needs) is proportional to the number of claims times 2^b.
//
// Reduction (generic: "tables" here are the claims' vectors t). Tables c = 0..K-1 hold MLEs f_c
// of n_c variables; claims (c, z, v) say
// f_c(z) = v. With N = max n_c, f_c is seen as the N-variable MLE f'_c(x) = f_c(x_low) prod_{j >= n_c}
// (1 - x_j) (zero unless the high variables are 0) and the claims as claims on f'_c at z padded
// with zeros. With beta a challenge and E_c(x) = sum_{claims i on c} beta^i eq(z_i, x):
//     sum_{x in {0,1}^N} sum_c E'_c(x) f'_c(x) = sum_i beta^i v_i,
// a sumcheck of degree 2 binding x_0 first. Each round sends p(0) and p(2) (p(1) = claim - p(0)),
// then draws r_j. At the end the prover sends F_c = f_c(rho[0..n_c)) for every commitment and the
// verifier checks the last claim equals sum_c E_c(rho[0..n_c)) prod_{j >= n_c} (1 - rho_j)^2 F_c
// (it evaluates E_c itself). Every message and every check goes through zk/cp.h: in zero-knowledge
// mode the messages are padded and the checks are recorded, as for any layer's sumcheck.
// Soundness error: 2 N / |Fr| for the sumcheck plus (#claims) / |Fr| for beta.
//
// Opening at rho. Vector c (t_c, committed by T_c) has b_c entries' worth of variables and
// <t_c, eq(rho[0..b_c))> = F_c. With
// B the largest b_c and s_c = prod_{j=b_c}^{B-1} (1 - rho_j), t_c zero-padded to 2^B entries has
// <t_c, eq(rho[0..B))> = s_c F_c. So with gamma a challenge, a = sum_c gamma^c t_c satisfies
// <a, eq(rho[0..B))> = sum_c gamma^c s_c F_c, the group's value, and P = sum_c gamma^c T_c + e V
// (V the value's Pedersen commitment, or e value U when plain; e a nonzero challenge) is what one
// inner-product argument opens. A commitment whose s_c is zero (some rho_j = 1: probability
// B / |Fr|) is opened in a group of its own width instead. The caller binds each group's value (a
// linear form in the F_c) to its claim: EvalClaim::plain in plain mode, cp::Context::bind_claim in
// zero-knowledge mode.
#pragma once

#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "pcs/hyrax.h"
#include "pcs/hyrax_eval.h"
#include "pcs/ipa.h"
#include "snark/cfr.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"
#include "zk/cp.h"

namespace zkinfer::pcs {

// A claim f_com(point) = value on commitment number `com` (an index into the caller's list).
// Over any field type F: Fr (the protocol; values cp::Val) or snark::CFr (the verifier as a circuit,
// docs/protocol/wrap.md).
template <field::PrimeField F>
struct ReductionClaimT {
  size_t com = 0;
  std::vector<F> point;  // num_vars(com) coordinates
  sumcheck::Msg<F> value;
};
using ReductionClaim = ReductionClaimT<Fr>;

template <field::PrimeField F>
struct ReducedT {
  std::vector<F> rho;                   // N coordinates
  std::vector<sumcheck::Msg<F>> evals;  // per commitment: f_c(rho[0..n_c))
};
using Reduced = ReducedT<Fr>;

// The prover: tables[c] holds f_c's 2^n_c evaluations. Every commitment needs at least one claim.
// Writes the messages to w.
Reduced prove_reduction(std::span<const std::span<const Fr>> tables, std::span<const ReductionClaim> claims,
                        transcript::Transcript& tr, ByteWriter& w);
// The verifier: num_vars[c] = n_c. Rejects malformed claims; a failed final check is a rejection
// in plain mode and a recorded (false) equality in zero-knowledge mode.
Verdict verify_reduction(std::span<const size_t> num_vars, std::span<const ReductionClaim> claims,
                         transcript::Transcript& tr, ByteReader& r, Reduced* out);
// The same verifier over any field type (instantiated for Fr, the function above, and snark::CFr).
template <field::PrimeField F>
Verdict verify_reduction_as(std::span<const size_t> num_vars, std::span<const ReductionClaimT<F>> claims,
                            transcript::Transcript& tr, ByteReader& r, ReducedT<F>* out);

// A set of commitments opened by one argument at prefixes of `point`.
struct OpenGroup {
  std::vector<Fr> point;         // the common point (members use its first num_vars coordinates)
  size_t width = 0;              // B: the argument's log length
  std::vector<size_t> members;   // commitment indices
  std::vector<Fr> row_coef;      // gamma^k per member (weights of T_c)
  std::vector<Fr> value_coef;    // gamma^k s_c per member (weights of F_c in the group's value)
  // The group's value as a linear form in the members' evaluations.
  cp::Val value(std::span<const cp::Val> evals) const;
};

// Groups the commitments (all with the given layouts) at point rho and draws each group's gamma
// ("open.gamma"). Both sides call it at the same transcript position.
std::vector<OpenGroup> group_at_point(std::span<const HyraxLayout> layouts, std::span<const Fr> rho,
                                      transcript::Transcript& tr);

// A claim's two halves under its commitment's layout: f(z) = <t, eq(z_col)> where
// t = eq(z_row)^T M is committed by T = sum_i eq(z_row)_i C_i (rows of the commitment).
struct SplitPoint {
  std::vector<Fr> col, row;
};
SplitPoint split_point(const HyraxLayout& layout, std::span<const Fr> point);
// The prover's row combination t and its blind tau = sum_i eq(z_row)_i rho_i.
struct RowCombo {
  std::vector<Fr> t;
  Fr tau;
};
RowCombo row_combo(const HyraxLayout& layout, std::span<const Fr> table, const HyraxBlinds& blinds,
                   std::span<const Fr> row_point);
// The same from the table's small integers (pcs/small_values.h).
RowCombo row_combo(const HyraxLayout& layout, const SmallValues& table, const HyraxBlinds& blinds,
                   std::span<const Fr> row_point);
// The verifier's T: a commitment and the row point whose eq weights combine its rows.
struct RowTerm {
  const HyraxCommitment* c;
  std::vector<Fr> row_point;
};

// One inner-product argument for a group of row combinations (members index combos / terms): absorbs
// the claim, draws e, proves P = sum_k gamma^k T_k + e V for a = sum_k gamma^k t_k.
IpaProof prove_group_opening(const HyraxParams& params, const OpenGroup& g, std::span<const RowCombo> combos,
                             const ProverClaim& claim, transcript::Transcript& tr, const RandomFr& random);
Verdict verify_group_opening(const HyraxParams& params, const OpenGroup& g, std::span<const RowTerm> terms,
                             const EvalClaim& claim, const IpaProof& proof, transcript::Transcript& tr,
                             IpaBatch* batch = nullptr);

// ---- the whole front half, for callers: split, row combinations, reduction, groups ----
// claims[i] = (commitment index, full point, value). The caller then binds each group's value
// (groups[g].value(red.evals)) and proves / verifies one argument per group.
struct ReducedFront {
  std::vector<RowCombo> combos;  // prover: per claim
  std::vector<RowTerm> terms;    // verifier: per claim
  Reduced red;                   // evals per claim
  std::vector<OpenGroup> groups;
};
// small (empty, or one per commitment): a non-null entry replaces that commitment's table.
ReducedFront prove_reduced_front(std::span<const HyraxLayout> layouts, std::span<const std::span<const Fr>> tables,
                                 std::span<const HyraxBlinds* const> blinds, std::span<const ReductionClaim> claims,
                                 transcript::Transcript& tr, ByteWriter& w,
                                 std::span<const SmallValues* const> small = {});
Verdict verify_reduced_front(std::span<const HyraxCommitment* const> coms, std::span<const ReductionClaim> claims,
                             transcript::Transcript& tr, ByteReader& r, ReducedFront* out);

// A single claim (the pad matrix of zk/cp.h) as a one-member group at its column point.
OpenGroup single_group(const HyraxLayout& layout, std::span<const Fr> point);

}  // namespace zkinfer::pcs
