// Few openings (docs/protocol/hyrax.md, "Reduced openings"): every claim on every committed MLE
// of a proof is first reduced to ONE random point rho by one sumcheck, then all the committed
// MLEs are opened at (prefixes of) rho by one logarithmic argument (pcs/ipa.h).
//
// Reduction. Commitments c = 0..K-1 hold MLEs f_c of n_c variables; claims (c, z, v) say
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
// Opening at rho. Commitment c has col_vars b_c (the low variables) and its row combination
// T_c = sum_i eq(rho[b_c..n_c))_i C_{c,i} commits to t_c with <t_c, eq(rho[0..b_c))> = F_c. With
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
#include "transcript/transcript.h"
#include "zk/cp.h"

namespace zkinfer::pcs {

// A claim f_com(point) = value on commitment number `com` (an index into the caller's list).
struct ReductionClaim {
  size_t com = 0;
  std::vector<Fr> point;  // num_vars(com) coordinates
  cp::Val value;
};

struct Reduced {
  std::vector<Fr> rho;         // N coordinates
  std::vector<cp::Val> evals;  // per commitment: f_c(rho[0..n_c))
};

// The prover: tables[c] holds f_c's 2^n_c evaluations. Every commitment needs at least one claim.
// Writes the messages to w.
Reduced prove_reduction(std::span<const std::span<const Fr>> tables, std::span<const ReductionClaim> claims,
                        transcript::Transcript& tr, ByteWriter& w);
// The verifier: num_vars[c] = n_c. Rejects malformed claims; a failed final check is a rejection
// in plain mode and a recorded (false) equality in zero-knowledge mode.
Verdict verify_reduction(std::span<const size_t> num_vars, std::span<const ReductionClaim> claims,
                         transcript::Transcript& tr, ByteReader& r, Reduced* out);

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

// One inner-product argument for a group: absorbs the claim, draws e, proves
// P = sum gamma^c T_c + e V. layouts / tables / blinds by commitment index.
IpaProof prove_group_opening(const HyraxParams& params, const OpenGroup& g, std::span<const HyraxLayout> layouts,
                             std::span<const std::span<const Fr>> tables,
                             std::span<const HyraxBlinds* const> blinds, const ProverClaim& claim,
                             transcript::Transcript& tr, const RandomFr& random);
Verdict verify_group_opening(const HyraxParams& params, const OpenGroup& g,
                             std::span<const HyraxCommitment* const> coms, const EvalClaim& claim, const IpaProof& proof,
                             transcript::Transcript& tr);

// The pad matrix of zk/cp.h (or any single opening) as a one-member group at its own point.
OpenGroup single_group(const HyraxLayout& layout, std::span<const Fr> point);

}  // namespace zkinfer::pcs
