// The wrapped proof (docs/protocol/wrap.md section 8): a Groth16 proof that zkinfer's verifier
// accepted a proof of a wrappable key (kzg key version 12), with the deferred opening (HyperKZG's
// back half) that the Groth16 circuit leaves out. What a contract checks (proof/evm_wrapped.h) and
// what `zkinfer verify --wrap-vk` checks natively (verify_wrapped below) are the same three things:
//
//   1. the digests of the proof's commitment groups, keccak256 of their affine coordinates
//      (detail::commitment_group_digest), computed from the commitments the wrapped proof carries;
//   2. the Groth16 proof, with public inputs in the circuit's order (proof/wrap.h):
//        the groups' digests, rho (the opening point, N coordinates), gamma, the combined value V,
//        the seed, then (when the model has public values) the values' fingerprint z, y:
//        z = keccak256(the public input's packed bytes || the outputs' packed bytes, exactly as
//        the EVM verifier takes them: proof/evm_public.h) read big-endian mod r, and
//        y = sum_i v_i z^i over the values in order (inputs, then outputs; v_i as field elements,
//        negative ones r - |v_i|): proof/wrap.h public_values_point / public_values_fingerprint;
//   3. the deferred opening: C = C_mask + sum_c gamma^(c+1) C_c over the opening's commitments in
//      the key's order (WrapVerifyingKey::opening: the inner key's weight commitments and the
//      proof's own), opened at rho to V by one HyperKZG batch proof (pcs::verify_batch, one plain
//      item) over a v2 Keccak transcript started with the domain "zkinfer/proof/deferred-opening/v1"
//      that absorbs the seed ("wrap.seed") first (proof::detail::deferred_opening_transcript).
//
// and the public values' bounds (outputs: |x| < 2^bits; a public input: -2^bits <= x < 2^bits),
// which the circuit does not check.
//
// Trust: the Groth16 key comes from wrap_setup, a phase 2 made by whoever runs it (from a
// ceremony's .ptau for phase 1). Whoever knows its delta can forge wrapped proofs: the party that
// relies on the proofs (the contract's deployer) runs it, never the prover; the TEST-ONLY
// variant draws every secret itself.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "curve/g1.h"
#include "ops/tensor.h"
#include "pcs/kzg.h"
#include "pcs/ptau.h"
#include "proof/model_proof.h"
#include "quant/model.h"
#include "proof/wrap.h"
#include "snark/groth16.h"

namespace zkinfer::proof {

// The verifier's part of a wrapping key: what a contract embeds.
struct WrapVerifyingKey {
  std::array<uint8_t, 32> vk_digest{};  // the inner verifying key's digest (VerifyingKey::digest)
  uint32_t input_values = 0;            // public input values (0 unless the model's input is public)
  uint32_t output_values = 0;           // public output values (0 when the outputs are private)
  // The proof's commitments by group, one digest each, in order: the advice (inputs' and private
  // outputs' digits, every step's advice), the lookup multiplicities (when the model has lookups),
  // the opening's mask (one commitment, the last one).
  std::vector<uint32_t> group_sizes;
  uint32_t rho_vars = 0;  // N
  std::vector<WrapOpenItem> opening;
  snark::Groth16VerifyingKey groth16;

  size_t num_commitments() const;  // the sum of group_sizes
  // group_sizes.size() + rho_vars + 3 (gamma, V, seed) + 2 (z, y) when there are public values.
  size_t num_public() const;
  // "ZKWV", u32 version (1), the digest, u32 input_values, output_values, u32 count + u32 group
  // sizes, u32 rho_vars, u32 count + per item (u8 source, u32 index, u32 num_vars), u64 length +
  // the Groth16 key (snark::groth16_vk_to_bytes). Strict: DecodeError naming the field.
  std::vector<uint8_t> to_bytes() const;
  static WrapVerifyingKey from_bytes(std::span<const uint8_t> in);
};

struct WrapProvingKey {
  WrapVerifyingKey vk;
  snark::Groth16ProvingKey groth16;
  // "ZKWK", u32 version (1), u64 length + vk bytes, u64 length + snark::groth16_pk_to_bytes.
  std::vector<uint8_t> to_bytes() const;
  static WrapProvingKey from_bytes(std::span<const uint8_t> in);
};

struct WrappedProof {
  snark::Groth16Proof groth16;
  std::vector<std::vector<int64_t>> inputs;   // the public input's values per input tensor (none: private)
  std::vector<std::vector<int64_t>> outputs;  // the public outputs per output tensor (none: private)
  std::vector<curve::G1Affine> commitments;   // the proof's commitments, group after group
  std::vector<Fr> rho;                        // the opening point (N coordinates)
  Fr gamma, value, seed;
  pcs::KzgBatchProof opening;                 // the deferred opening (one group, one plain item)

  // The Groth16 public inputs, in the circuit's order (the digests computed from commitments with
  // the key's group sizes, the fingerprint from the values). Error when the counts do not fit the key.
  std::vector<Fr> public_inputs(const quant::CompiledModel& model, const WrapVerifyingKey& vk) const;
  // "ZKWP", u32 version (1), the Groth16 proof (136 bytes), u32 input tensors + per tensor u64
  // count and i64 values, the same for the outputs, u64 count + commitments (32 bytes each,
  // compressed as curve/g1.h), u64 count + rho, gamma, value, seed (32 bytes each, canonical little
  // endian), u64 length + the batch proof (pcs::KzgBatchProof). Strict: DecodeError naming the field.
  std::vector<uint8_t> to_bytes() const;
  static WrappedProof from_bytes(std::span<const uint8_t> in, pcs::KzgForm form = pcs::KzgForm::kOneWitness);
};

// The wrapping key for (model, vk), from any proof the key accepts (`sample`: its circuit's shape is
// every proof's). ptau_path: phase 1, a ceremony's .ptau file (read with the powers the circuit
// needs, snark::groth16_ptau_options); random: the phase-2 secret delta (SecureRng in production).
// Error when the key is not wrappable, the sample is rejected (with its reason) or the file has too
// few powers. progress (optional) is told each stage.
WrapProvingKey wrap_setup(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> sample,
                          const std::string& ptau_path, const snark::RandomFr& random,
                          std::span<const ops::ITensor> public_inputs = {},
                          const std::function<void(const std::string&)>& progress = {});
// *** TEST ONLY: every Groth16 secret drawn from `toxic` (snark::groth16_setup_insecure). ***
WrapProvingKey wrap_setup_insecure(const quant::CompiledModel& model, const VerifyingKey& vk,
                                   std::span<const uint8_t> sample, const snark::RandomFr& toxic,
                                   std::span<const ops::ITensor> public_inputs = {});

// Wraps a proof: its verifier circuit (Error with the verifier's reason when the proof is
// rejected), proved with Groth16 under pk. progress (optional) is told each stage.
struct WrapStats {
  size_t constraints = 0;
  double circuit_s = 0, groth16_s = 0;
};
WrappedProof wrap_prove(const quant::CompiledModel& model, const VerifyingKey& vk, const WrapProvingKey& pk,
                        std::span<const uint8_t> proof, std::span<const ops::ITensor> public_inputs = {},
                        WrapStats* stats = nullptr);

// Checks a wrapped proof natively (the three checks above and the public values' bounds); on
// acceptance *outputs (optional) holds the public outputs. public_inputs: as for verify().
// key_checked: the caller has already checked the inner key (check_key, e.g. through the verified-key
// cache, proof/key_cache.h: its weight range proof is a per-key cost); otherwise it is checked here.
Verdict verify_wrapped(const quant::CompiledModel& model, const VerifyingKey& vk, const WrapVerifyingKey& wvk,
                       const WrappedProof& proof, std::vector<ops::ITensor>* outputs = nullptr,
                       std::span<const ops::ITensor> public_inputs = {}, bool key_checked = false);

}  // namespace zkinfer::proof
