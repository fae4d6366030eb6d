// The wrapping proof's circuit (docs/protocol/wrap.md): the verifier of a wrappable key's proof
// (kzg key version 12) as a rank-1 constraint system over Fr. It is verify's own code, run on
// snark::CFr (every proof message a witness variable, every challenge a Poseidon output of the
// circuit transcript, every check a constraint), from the proof's first byte through the batch
// opening's front half (pcs/reduced_opening.h: every claim on a committed vector reduced to one
// point rho and one value per commitment); the back half, HyperKZG's folds and pairing over the
// commitments, is left out (wrap.md section 1: the deferred opening, checked natively by the
// contract over a Keccak transcript seeded by the circuit's last challenge).
//
// Public inputs, in order: the public input's values (when the model's input is public), the
// public outputs' values (each integer as a field element), the digests of the proof's groups of
// commitments (proof::detail::commitment_digest: the advice, then the lookup multiplicities when
// the model has lookups), rho, the per-commitment values, and the seed of the deferred opening's
// transcript.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/error.h"
#include "ops/tensor.h"
#include "proof/model_proof.h"
#include "quant/model.h"
#include "snark/cfr.h"
#include "snark/circuit.h"

namespace zkinfer::proof {

struct VerifierCircuit {
  snark::ConstraintSystem cs;
  // Equalities the proof's values break (0 for an honest proof; the system is then satisfied).
  size_t false_equalities = 0;
  // The deferred opening: the commitments (their bytes, as in the proof or the key) in the
  // reduction's order, the point rho, each commitment's value at rho (its first num_vars
  // coordinates) and the seed of the back half's transcript; all of them public inputs.
  std::vector<std::vector<uint8_t>> commitments;
  std::vector<Fr> rho, evals;
  Fr seed;
  std::vector<std::vector<int64_t>> outputs;  // the public outputs, as the proof states them
  bool satisfied() const { return false_equalities == 0 && cs.is_satisfied(); }
};

// Builds the circuit of `proof` under `vk` (which must be wrappable: Error otherwise), its
// assignment the proof's values; public_inputs as for verify(). A proof the verifier cannot even
// read (bad bytes, another key, wrong sizes) is rejected with the verifier's reason; a proof it can
// read gives a circuit, satisfied exactly when verify() would accept it up to the opening. The
// circuit's constraints depend on the model and the key only, never on the proof's values. Throws
// Error when a step has no circuit form yet (naming the node).
Verdict verifier_circuit(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                         VerifierCircuit* out, std::span<const ops::ITensor> public_inputs = {});

}  // namespace zkinfer::proof
