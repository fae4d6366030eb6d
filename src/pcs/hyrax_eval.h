// Zero-knowledge Hyrax evaluation proofs, single and batched (Wahby et al., S&P 2018, §6 and
// appendix A; batching by random linear combination as in §6's "multiple evaluations").
//
// A claim "the committed MLE f takes value v at point z" carries v either in the clear
// (EvalClaim::plain) or as a Pedersen commitment V = v U + s H (EvalClaim::committed), so that a
// zero-knowledge caller can keep v hidden. The opening proof never reveals the row combination t.
//
// Batching: a list of (commitment, point, claim) items becomes one proof.
//  - Items are grouped by (log_cols, point), where points of different lengths are compared after
//    zero-padding (an n-variable MLE is the (n+k)-variable MLE that is zero unless the top k
//    variables are 0, and the same rows commit to both). Each group's items are combined with
//    powers of a challenge gamma (commitments and blinds homomorphically) and closed by one
//    linear-size opening argument (pcs/dot_proof.h; the logarithmic pcs/ipa.h costs the prover
//    2^b full scalar multiplications per opening). This mode (kPerPoint) is zero-knowledge.
//  - The verifier checks all groups' final equations with ONE multi-scalar multiplication: each
//    group's check is scaled by a weight drawn from a copy of the transcript after the whole proof
//    was absorbed (so the prover's transcript is unaffected), and shared bases (generators, rows,
//    H, U) are merged. A failing batch is re-checked group by group to name the failing opening.
//  - kReduced (opt-in, not zero-knowledge): claims at several points are first reduced to one point
//    by a sumcheck over sum_k beta^k eq(z_k, x) f_k(x), after which the prover states each f_k at
//    the sumcheck's point and one argument opens them all. The round polynomials are sent in the
//    clear, so this mode needs plain claims and leaks linear combinations of the polynomials'
//    partial sums; it is the smallest proof when many points are involved.
// The protocol, its transcript order and its soundness are in docs/protocol/hyrax.md.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <vector>

#include "pcs/hyrax.h"
#include "pcs/dot_proof.h"
#include "pcs/ipa.h"
#include "pcs/small_values.h"
#include "sumcheck/proof.h"

namespace zkinfer::pcs {

// A claimed evaluation as the verifier sees it.
class EvalClaim {
 public:
  static EvalClaim plain(const Fr& value) { return EvalClaim(false, value, G1Affine{}); }
  static EvalClaim committed(const G1Affine& commitment) {
    return EvalClaim(true, Fr::zero(), commitment);
  }
  bool is_committed() const { return committed_; }
  const Fr& value() const { return value_; }              // plain claims only
  const G1Affine& commitment() const { return commitment_; }  // committed claims only
  // Absorbs a tag byte (0 plain, 1 committed) and the value or the point ("hyrax.claim").
  void absorb_into(transcript::Transcript& t) const;

 private:
  EvalClaim(bool committed, const Fr& v, const G1Affine& c)
      : committed_(committed), value_(v), commitment_(c) {}
  bool committed_;
  Fr value_;
  G1Affine commitment_;
};

// The prover's side of a claim: the value, and for a committed claim its blind and commitment.
struct ProverClaim {
  Fr value;
  Fr blind;  // zero for plain claims
  std::optional<G1Affine> commitment;

  static ProverClaim plain(const Fr& v) { return {v, Fr::zero(), std::nullopt}; }
  EvalClaim public_claim() const {
    return commitment ? EvalClaim::committed(*commitment) : EvalClaim::plain(value);
  }
};

// V = value U + blind H.
G1Affine commit_value(const HyraxParams& params, const Fr& value, const Fr& blind);
// A committed claim with a fresh blind from rng.
template <class Rng>
ProverClaim commit_claim(const HyraxParams& params, const Fr& value, Rng& rng) {
  Fr blind = Fr::random(rng);
  return {value, blind, commit_value(params, value, blind)};
}

// ---- single opening ----
// Absorbs the commitment, the point and the claim, then runs the argument. point.size() must be
// the commitment's num_vars and values the committed evaluations.
DotProof prove_eval(const HyraxParams& params, const HyraxCommitment& commitment,
                    const HyraxBlinds& blinds, std::span<const Fr> values,
                    std::span<const Fr> point, const ProverClaim& claim,
                    transcript::Transcript& transcript, const RandomFr& random);
Verdict verify_eval(const HyraxParams& params, const HyraxCommitment& commitment,
                    std::span<const Fr> point, const EvalClaim& claim, const DotProof& proof,
                    transcript::Transcript& transcript);

// ---- batches ----
struct OpeningClaim {  // verifier side
  const HyraxCommitment* commitment;
  std::vector<Fr> point;
  EvalClaim claim;
};
struct OpeningWitness {  // prover side
  const HyraxCommitment* commitment;
  const HyraxBlinds* blinds;
  std::span<const Fr> values;  // the committed table, or empty with `small` set
  std::vector<Fr> point;
  ProverClaim claim;
  // The committed table as small integers (pcs/small_values.h), used instead of values: the row
  // combination is computed from them (no padded Fr table).
  const SmallValues* small = nullptr;
  OpeningClaim public_claim() const { return {commitment, point, claim.public_claim()}; }
};

enum class BatchMode : uint8_t { kPerPoint = 0, kReduced = 1 };

struct BatchOptions {
  // kReduced is used only when allowed here, every claim is plain, all items share log_cols and
  // there is more than one distinct point; otherwise kPerPoint.
  bool allow_reduced = false;
};

struct HyraxBatchProof {
  BatchMode mode = BatchMode::kPerPoint;
  // kReduced only: the generic sumcheck (src/sumcheck) over 2m factors eq(z_k, x), f_k(x) with
  // terms beta^k eq_k f_k: per round the round polynomial at 0, 1, 2; final values
  // (eq_0(rho), f_0(rho), eq_1(rho), f_1(rho), ...). Empty in kPerPoint.
  sumcheck::Proof<Fr> reduction;
  // One opening argument (pcs/dot_proof.h) per group (kPerPoint) or exactly one (kReduced).
  std::vector<DotProof> openings;

  // u8 mode; u64 rounds, each 3 scalars; u64 final values, each a scalar; u64 openings, each a
  // DotProof. Strict decoding.
  void serialize(ByteWriter& w) const;
  static HyraxBatchProof deserialize(ByteReader& r);
  size_t size_bytes() const;
  std::vector<uint8_t> to_bytes() const;
  static HyraxBatchProof from_bytes(std::span<const uint8_t> bytes);  // throws DecodeError
};

HyraxBatchProof prove_batch(const HyraxParams& params, std::span<const OpeningWitness> items,
                            transcript::Transcript& transcript, const RandomFr& random,
                            const BatchOptions& options = {});
Verdict verify_batch(const HyraxParams& params, std::span<const OpeningClaim> items,
                     const HyraxBatchProof& proof, transcript::Transcript& transcript);

}  // namespace zkinfer::pcs
