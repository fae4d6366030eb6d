// A Solidity verifier for Groth16 proofs under one verifying key (snark/groth16.h): the key's
// points embedded as constants, the check done by the EVM's BN254 precompiles (ecAdd 0x06, ecMul
// 0x07, ecPairing 0x08).
//
//   function verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[] pub)
//       external view returns (bool)
//
// a = (A.x, A.y); b = ((B.x.c1, B.x.c0), (B.y.c1, B.y.c0)) (EIP-197's order, imaginary part first:
// the layout of snarkjs's generated verifiers, so its calldata tools fit); c = (C.x, C.y); pub the
// l public inputs, each < r. groth16_evm_calldata encodes it. Every invalid case returns false
// (no revert): a wrong count or a public input >= r, a coordinate >= q, a point the precompiles
// refuse, a failed pairing. Gas: about 181 k for the 4-pair pairing + 6.15 k per public input
// (ecMul 6000 + ecAdd 150) + a few k (docs/protocol/wrap.md, BENCHMARKS.md "groth16").
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "snark/groth16.h"

namespace zkinfer::snark {

// The contract's source; contract_name must be a Solidity identifier (zkinfer::Error otherwise, or
// when the key is degenerate: an identity point).
std::string groth16_solidity(const Groth16VerifyingKey& vk, const std::string& contract_name = "Groth16Verifier");

namespace detail {
// The check itself, shared with the wrapped proof's contract (proof/evm_wrapped.h): Yul statements
// (12 spaces in) for an assembly block in which `ok` is 1, `m` the free-memory pointer (the check
// writes from there on without moving it: scratch), `a`, `b` and `c` the calldata offsets of the
// proof's words in verifyProof's layout above, and pub(i) an expression of public input i (read
// once; ok cleared unless < r). Leaves ok 1 exactly when the proof verifies. Throws Error for a
// degenerate key (an identity point).
std::string groth16_yul(const Groth16VerifyingKey& vk, const std::function<std::string(size_t)>& pub);
}  // namespace detail

// verifyProof's ABI calldata (selector and arguments) as bytes.
std::vector<uint8_t> groth16_evm_calldata(const Groth16Proof& proof, std::span<const Fr> public_inputs);

}  // namespace zkinfer::snark
