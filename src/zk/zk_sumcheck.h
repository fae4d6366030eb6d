// Zero-knowledge sumcheck with committed round polynomials (Hyrax: Wahby, Tzialla, shelat,
// Thaler, Walfish, "Doubly-efficient zkSNARKs without trusted setup", S&P 2018, section 4 and
// appendix A; the round checks batched into one inner-product argument as in its section 4.3
// remark on "squashing" the per-round dot-product proofs). docs/PROTOCOL.md argues the choice
// against Libra-style masking and gives soundness and the simulator.
//
// Statement: sum_{x in {0,1}^n} g(x) = claim for g = comp (sumcheck/composition.h), where the
// claim is public or a Pedersen commitment C = claim U + s H (pcs::EvalClaim), and some factors
// may be public (the verifier evaluates them itself at the final point, e.g. eq(rho, r)).
//
// Protocol (transcript order):
//   1. statement: n, d, the term coefficients and factor lists, the public-factor mask, the
//      consistency mode, the claim (its value or its commitment);
//   2. round i = 0..n-1: with p_i(X) = sum_k c_ik X^k the round polynomial, the prover commits to
//      c'_i = (c_i0, c_i2, c_i3, .., c_id) (c_i1 is implied by p_i(0) + p_i(1) = e_i, as in the
//      plain sumcheck's "p(1) = claim - p(0)") as C_i = <c'_i, G_{i d ..}> + s_i H: each round has
//      its own d generators, so sum_i C_i commits to the concatenation w of all rounds (n d
//      entries); C_i is absorbed, then r_i is drawn. The running claims are linear in w:
//          e_{i+1} = p_i(r_i) = r_i e_i + <b_i, c'_i>,  b_i = (1 - 2 r_i, r_i^2 - r_i, .., r_i^d - r_i),
//      so e_n = R e_0 + <a, w> with R = prod_i r_i and a_i = (prod_{j>i} r_j) b_i;
//   3. final: commitments F_j = f_j(r) U + b_j H to every private factor's value at r, absorbed;
//   4. for each term, a chain of committed products of its private factors (commitment Z and a
//      proof of product, zk/sigma.h); public factors multiply homomorphically. The commitment
//      V = sum_t c_t (public part) Z_t to v = g(r) follows homomorphically;
//   5. the last check e_n = v reads <a, w> = v - R claim: a dot product of the committed w with a
//      public vector, against Y = V - R C_claim. A fresh challenge lambda weights the round
//      commitments: the statement is about W = sum_i lambda^i C_i (a commitment to the blocks
//      lambda^i c'_i) with the blocks of a scaled by lambda^-i. Without lambda, a prover could put
//      a component on round j's generators into a later C_i (i > j), after seeing r_j, and so
//      change round j's polynomial after the fact; with it, such components are multiplied by
//      lambda^(i-j) and the constant term of the identity (in lambda) is the honest check
//      (docs/PROTOCOL.md, "ZK sumcheck: soundness"; zk_sumcheck_test.cc has the attack).
//      Proven either by Hyrax's linear proof-of-dot-prod (ConsistencyMode::kLinear: n d + 4
//      scalars and points, cheapest for the prover) or by the logarithmic inner-product argument
//      of pcs/ipa.h on P = W + c Y with U' = c U, c a fresh challenge (kLog: 2 log2(n d) + 3
//      elements).
// Output: the point r and the commitments F_j (so a caller can hand them on as committed claims,
// e.g. pcs::EvalClaim::committed, and the prover's ZkProverResult::final_claim(j)).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "pcs/hyrax_eval.h"
#include "pcs/ipa.h"
#include "sumcheck/composition.h"
#include "transcript/transcript.h"
#include "zk/pedersen.h"
#include "zk/sigma.h"

namespace zkinfer::zk {

using Composition = sumcheck::Composition<Fr>;

// How the batched round check (step 5) is proven.
enum class ConsistencyMode : uint8_t { kLinear = 0, kLog = 1 };

// The public shape of a proof, derived from the statement (no length prefixes in the proof).
struct ZkShape {
  size_t num_vars = 0;
  size_t degree = 0;
  std::vector<bool> public_factors;
  size_t num_private = 0;   // private factors (one final commitment each)
  size_t num_products = 0;  // sum over terms of (private factors in the term - 1), at least 0
  ConsistencyMode mode = ConsistencyMode::kLinear;
  size_t vector_len = 0;    // num_vars degree: the committed coefficients
  size_t gens_len = 0;      // generators used: vector_len (kLinear) or it rounded up to a power
                            // of two, at least 1 (kLog)

  ZkShape(const Composition& comp, size_t num_vars, std::vector<bool> public_factors,
          ConsistencyMode mode = ConsistencyMode::kLinear);
  size_t proof_bytes() const;
};

struct ZkSumcheckProof {
  std::vector<G1Affine> rounds;               // C_0 .. C_{n-1}
  std::vector<G1Affine> finals;               // F_j for private j, in factor order
  std::vector<G1Affine> products;             // the product chains' commitments, term by term
  std::vector<ProductProof> product_proofs;   // one per product
  ConsistencyMode mode = ConsistencyMode::kLinear;  // not serialized: part of the statement
  DotProductProof dot;                        // the batched round check (kLinear)
  pcs::IpaProof ipa;                          // the batched round check (kLog)

  void serialize(ByteWriter& w) const;
  static ZkSumcheckProof deserialize(ByteReader& r, const ZkShape& shape);
  std::vector<uint8_t> to_bytes() const;
  size_t size_bytes() const;
};

struct ZkProverResult {
  ZkSumcheckProof proof;
  std::vector<Fr> point;                            // r_0 .. r_{n-1}
  std::vector<Fr> final_values;                     // f_j(r) for every factor
  std::vector<Fr> final_blinds;                     // b_j (zero for public factors)
  std::vector<std::optional<G1Affine>> final_commitments;  // F_j; nullopt for public factors
  // f_j(r) as a committed claim (plain for public factors), for pcs openings or a next layer.
  pcs::ProverClaim final_claim(size_t j) const;
};

struct ZkSubclaim {
  std::vector<Fr> point;
  std::vector<std::optional<G1Affine>> final_commitments;  // nullopt for public factors
  pcs::EvalClaim final_claim(size_t j, const Fr& public_value = Fr::zero()) const;
};

// The verifier's values of public factors at the final point.
using PublicEvaluator = std::function<Fr(size_t factor, std::span<const Fr> point)>;

// Proves the statement with all factors given as tables of size 2^n (consumed). claim.value must
// be the true sum for the proof to verify (the prover does not check; a false claim is rejected).
// Needs pp.num_gens() >= ZkShape::gens_len.
ZkProverResult prove(const PedersenParams& pp, const Composition& comp, std::vector<std::vector<Fr>> factors,
                     std::vector<bool> public_factors, const pcs::ProverClaim& claim,
                     transcript::Transcript& tr, const RandomFr& random,
                     ConsistencyMode mode = ConsistencyMode::kLinear);

// The same when factor 0 is eq(eq_point, x) in every term exactly once (factors[0] empty): round
// polynomials by Gruen's factoring as in sumcheck::prove_with_eq; factor 0 is public.
ZkProverResult prove_with_eq(const PedersenParams& pp, const Composition& comp, std::span<const Fr> eq_point,
                             std::vector<std::vector<Fr>> factors, const pcs::ProverClaim& claim,
                             transcript::Transcript& tr, const RandomFr& random,
                             ConsistencyMode mode = ConsistencyMode::kLinear);

Verdict verify(const PedersenParams& pp, const Composition& comp, size_t num_vars,
               std::vector<bool> public_factors, const pcs::EvalClaim& claim, const ZkSumcheckProof& proof,
               const PublicEvaluator& public_eval, transcript::Transcript& tr, ZkSubclaim* out = nullptr,
               ConsistencyMode mode = ConsistencyMode::kLinear);

Verdict verify_with_eq(const PedersenParams& pp, const Composition& comp, std::span<const Fr> eq_point,
                       const pcs::EvalClaim& claim, const ZkSumcheckProof& proof, transcript::Transcript& tr,
                       ZkSubclaim* out = nullptr, ConsistencyMode mode = ConsistencyMode::kLinear);

namespace detail {
// Exposed for tests (the cross-round attack in zk_sumcheck_test.cc): the statement's absorption
// and the public vector a (unweighted) with R = prod_i r_i.
void absorb_statement(transcript::Transcript& tr, const Composition& comp, const ZkShape& shape,
                      const pcs::EvalClaim& claim);
std::vector<Fr> consistency_vector(const ZkShape& s, std::span<const Fr> point, Fr* big_r);
}  // namespace detail

// Every challenge of one ZK-sumcheck run, in the interactive protocol's terms.
struct ZkChallenges {
  std::vector<Fr> r;          // round challenges
  std::vector<Fr> product_e;  // one per proof of product
  Fr lambda;
  Fr c;                       // kLog only
  std::vector<Fr> ipa_x;      // kLog only
  Fr e;                       // the dot-product proof's (kLinear) or the IPA's final challenge
};

// Honest-verifier simulator (for the zero-knowledge tests and docs/PROTOCOL.md): draws every
// challenge uniformly from `random` (as the random oracle would) and produces a proof with the
// real proof's distribution without knowing the factors or the claim's opening. Returns the
// proof; `challenges` (if non-null) receives the challenges it used.
ZkSumcheckProof simulate(const PedersenParams& pp, const Composition& comp, size_t num_vars,
                         std::vector<bool> public_factors, const pcs::EvalClaim& claim,
                         const PublicEvaluator& public_eval, const RandomFr& random,
                         ConsistencyMode mode = ConsistencyMode::kLinear, ZkChallenges* challenges = nullptr);

// The verifier's equations for given challenges instead of transcript ones (the interactive
// protocol's verifier): a simulated transcript must pass it with the simulator's challenges.
Verdict check_with_challenges(const PedersenParams& pp, const Composition& comp, size_t num_vars,
                              std::vector<bool> public_factors, const pcs::EvalClaim& claim,
                              const ZkSumcheckProof& proof, const PublicEvaluator& public_eval,
                              const ZkChallenges& challenges, ConsistencyMode mode = ConsistencyMode::kLinear);

}  // namespace zkinfer::zk
