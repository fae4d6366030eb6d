// The EVM verifier of wrapped proofs (proof/wrapped.h; docs/protocol/wrap.md section 9), for a
// wrappable kzg key (version 12) and its wrapping key (what `zkinfer create-evm-verifier --vk DIR/vk
// --wrap-vk WDIR/wrap.vk` writes; `encode-evm-calldata --wrap-vk` writes its calldata).
// One self-contained Solidity file (contracts/ZkWrapped.sol, ZkHyperKzg.sol, ZkTranscript.sol,
// ZkBn254.sol and ZkFr.sol flattened, then the contract) with one contract and no library to link:
//
//   function verifyProof(uint256[8] g16, bytes inputs, bytes outputs, uint256[] coms, uint256[] op)
//       external view returns (bool)
//
//   g16:     the Groth16 proof: A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y (EIP-197's
//            order for B, as snark::groth16_solidity's verifyProof takes it);
//   inputs:  the public input's values packed as the plain verifier's (proof/evm_public.h,
//   outputs: contracts/ZkPublic.sol): per tensor in graph order, each value wd bytes big-endian
//            two's complement; empty when private. Exactly INPUT_BYTES and OUTPUT_BYTES long;
//   coms:    the proof's commitments, group after group, two words each (x, y; the identity (0, 0));
//            the last one is the opening's mask;
//   op:      rho (N = RHO_VARS words), gamma, V, seed, then the HyperKZG batch proof words
//            (contracts/ZkHyperKzg.sol: C_m, M, w, rho_G, t_G, folds, evals, W).
//
// It checks, returning true only when all pass and false otherwise (it reverts only where Solidity's
// ABI decoder does: calldata that is not an encoding of these arguments):
//   a. the public values' lengths and bounds (outputs |x| < 2^bits, a public input
//      -2^bits <= x < 2^bits) and their fingerprint (proof/wrap.h): z = keccak256(inputs ||
//      outputs) mod r, y = sum_i v_i z^i (v_i in Fr, negative x as r - |x|);
//   b. every commitment (coordinates < q, on the curve or the identity) and each group's digest,
//      keccak256 of its points' words read as a big-endian integer mod r
//      (detail::commitment_group_digest);
//   c. rho, gamma, V, seed < r, and the Groth16 proof with public inputs (digests, rho, gamma, V,
//      seed, then z, y when there are public values) (the check of snark::groth16_solidity, shared:
//      detail::groth16_yul);
//   d. the deferred opening: C = C_mask + sum_c gamma^(c+1) C_c over the wrapping key's opening
//      (the inner key's weight commitments embedded as constants, the proof's from coms), opened
//      at rho to V by the batch proof (its scalars < r, its points on the curve) over the v2
//      Keccak transcript "zkinfer/proof/deferred-opening/v1" seeded with the seed ("wrap.seed").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "field/bn254.h"
#include "proof/evm_verifier.h"
#include "proof/model_proof.h"
#include "proof/wrapped.h"
#include "quant/model.h"

namespace zkinfer::proof {

struct EvmWrappedVerifier {
  std::string source;    // the whole file
  std::string contract;  // the contract's name
  size_t public_inputs = 0;   // Groth16 public inputs
  size_t commitments = 0;     // the proof's commitments (coms: two words each)
  size_t op_words = 0;        // op's length
  size_t input_bytes = 0, output_bytes = 0;
};

// Throws Error with the reason: a key that is not wrappable, a wrapping key of another inner key
// (vk_digest), a public-value layout the contract cannot take (bit bounds, counts that differ from
// the wrapping key's), a contract that would pass the 24,576-byte code-size limit (65 bytes an
// opening item: a few hundred), an opening item that names no commitment, a Groth16 key of the
// wrong size.
EvmWrappedVerifier make_wrapped_evm_verifier(const quant::CompiledModel& model, const VerifyingKey& vk,
                                             const WrapVerifyingKey& wvk, const std::string& name = "ZkinferWrappedVerifier");

// verifyProof's ABI calldata (selector included). Throws Error when the proof's public values do
// not fit the model's layout (evm_pack_values) or its batch proof is not one group of one witness.
std::vector<uint8_t> wrapped_evm_calldata(const quant::CompiledModel& model, const WrappedProof& proof);

}  // namespace zkinfer::proof
