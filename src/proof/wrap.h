// The wrapping proof's circuit (docs/protocol/wrap.md): the verifier of a wrappable key's proof
// (kzg key version 12) as a rank-1 constraint system over Fr. It is verify's own code, run on
// snark::CFr (every proof message a witness variable, every challenge a Poseidon output of the
// circuit transcript, every check a constraint), from the proof's first byte through the batch
// opening's front half (pcs/reduced_opening.h: every claim on a committed vector reduced to one
// point rho and one value per commitment); the back half, HyperKZG's folds and pairing over the
// commitments, is left out (wrap.md section 1: the deferred opening, checked natively by the
// contract over a Keccak transcript seeded by the circuit's last challenge).
//
// Public inputs, in order: the digests of the proof's groups of commitments
// (proof::detail::commitment_group_digest: the advice, the lookup multiplicities when the model has
// lookups, the opening's mask), rho, gamma, the combined value V and the seed of the deferred
// opening's transcript (proof/wrap_opening.h), then, when the model has public values (a public
// input, public outputs), their fingerprint z and y (public_values_point below).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/error.h"
#include "curve/g1.h"
#include "pcs/kzg.h"
#include "ops/tensor.h"
#include "proof/model_proof.h"
#include "quant/model.h"
#include "snark/cfr.h"
#include "snark/circuit.h"

namespace zkinfer::proof {

using field::Fr;

// One commitment of the deferred opening, in the combination's order (the order in which the
// verifier's claims first name them; fixed by the model and the key).
struct WrapOpenItem {
  enum class Source : uint8_t { kKey = 0, kProof = 1 };
  Source source = Source::kKey;
  uint32_t index = 0;     // kKey: the weight's tensor id in the inner key (vk.weights); kProof: an
                          // index into the proof's commitments (VerifierCircuit::commitments)
  uint32_t num_vars = 0;  // the committed vector's variables (<= rho's length)
  friend bool operator==(const WrapOpenItem&, const WrapOpenItem&) = default;
};

struct VerifierCircuit {
  snark::ConstraintSystem cs;
  // Equalities the proof's values break (0 for an honest proof; the system is then satisfied).
  size_t false_equalities = 0;
  // The public values as the proof states them (inputs: when the model's input is public).
  std::vector<std::vector<int64_t>> inputs, outputs;
  // The proof's commitments, group after group (the last group: the opening's mask alone), and
  // the groups' sizes: each group's digest (proof::detail::commitment_group_digest) is a public input.
  std::vector<curve::G1Affine> commitments;
  std::vector<uint32_t> group_sizes;
  // The deferred opening (proof/wrap_opening.h): the combination's commitments, the point rho, gamma,
  // the combined value V and the seed (public inputs), and the back half's batch proof.
  std::vector<WrapOpenItem> opening;
  std::vector<Fr> rho;
  Fr gamma, value, seed;
  pcs::KzgBatchProof back;
  // Whether the public values' fingerprint (z, y) ends the public inputs (there are public values).
  bool has_fingerprint = false;
  bool satisfied() const { return false_equalities == 0 && cs.is_satisfied(); }
};

// The public values' fingerprint (what binds the circuit's copies of the public input and outputs
// to the verifier's, in two public inputs whatever their number). z = keccak256 of the values as a
// contract takes them (proof/evm_public.h: the input's packed bytes, then the outputs'), a
// big-endian integer mod r; y = sum_i v_i z^i over the values in order (the input's tensors, then
// the outputs'). The circuit checks y against its own variables, which its verifier used. Sound:
// for values other than the circuit's, y matches for at most (count - 1) values of z, and z is a
// hash of the values the contract holds. Throws Error for a value the packing cannot hold.
Fr public_values_point(const quant::CompiledModel& model, const std::vector<std::vector<int64_t>>& inputs,
                       const std::vector<std::vector<int64_t>>& outputs);
Fr public_values_fingerprint(const std::vector<std::vector<int64_t>>& inputs, const std::vector<std::vector<int64_t>>& outputs,
                             const Fr& z);

// Builds the circuit of `proof` under `vk` (which must be wrappable: Error otherwise), its
// assignment the proof's values; public_inputs as for verify(). A proof the verifier cannot even
// read (bad bytes, another key, wrong sizes) is rejected with the verifier's reason; a proof it can
// read gives a circuit, satisfied exactly when verify() would accept it up to the opening. The
// circuit's constraints depend on the model and the key only, never on the proof's values. Throws
// Error when a step has no circuit form yet (naming the node).
Verdict verifier_circuit(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                         VerifierCircuit* out, std::span<const ops::ITensor> public_inputs = {});

}  // namespace zkinfer::proof
