// Claim combination: several claims f~(z_t) = v_t on one tensor become one claim f~(r) = v at a
// fresh random point, by the sumcheck of sum_x (sum_t gamma^t eq(z_t, x)) f(x) =
// sum_t gamma^t v_t (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.5.2, "reducing
// to verification of a single point"; the random-linear-combination form of Chiesa-Forbes-Spooner
// and Libra). Used where a tensor feeds several layers and before commitment openings.
// Protocol: docs/protocol/layers.md, section 4.
#pragma once

#include <cstddef>
#include <span>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::layers {

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables).
template <field::PrimeField F>
struct CombineProofT {
  sumcheck::Proof<F> sumcheck;  // empty when there is a single claim (nothing to combine)

  void serialize(ByteWriter& w) const { sumcheck.serialize(w); }
  static CombineProofT deserialize(ByteReader& r, size_t num_vars, size_t num_claims) {
    CombineProofT p;
    if (num_claims >= 2) p.sumcheck = sumcheck::Proof<F>::deserialize(r, num_vars, 2, 2);
    return p;
  }
};
using CombineProof = CombineProofT<Fr>;

// Combines claims (|claims| >= 1, each point of num_vars entries) on the tensor whose padded
// table is `table` (2^num_vars entries). A single claim is returned unchanged with an empty proof.
Claim prove_combine(std::span<const Fr> table, size_t num_vars, std::span<const Claim> claims,
                    transcript::Transcript& tr, CombineProof* proof);

// Verifies; on acceptance sets *out to the combined claim. Never throws.
Verdict verify_combine(size_t num_vars, std::span<const Claim> claims, const CombineProof& proof,
                       transcript::Transcript& tr, Claim* out);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit, with a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_combine_as(size_t num_vars, std::span<const ClaimT<F>> claims, const CombineProofT<F>& proof,
                          transcript::Transcript& tr, ClaimT<F>* out);

}  // namespace zkinfer::layers
