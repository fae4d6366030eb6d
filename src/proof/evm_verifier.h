// The EVM verifier of one model (issue 15; docs/protocol/evm.md, section 3.3): what
// `zkinfer create-evm-verifier` writes for a kzg verifying key. One Solidity file, self-contained:
// the libraries of contracts/ it needs (flattened, embedded in the binary at build time), then
//   - two libraries with one external function each, deployed on their own and linked (each
//     contract stays under the 24 KB code-size limit): <Name>Lookups, the model-wide lookups
//     (ZkLogup), and <Name>Opening, the constants' claims and the batch opening (ZkReduction,
//     ZkHyperKzg, the key's SRS words as constants);
//   - the contract <Name>: `verifyProof(uint256[] proof, bytes inputs, bytes outputs)` (the public
//     values packed at each tensor's width: proof/evm_public.h, contracts/ZkPublic.sol),
//     the words of `zkinfer encode-evm-calldata` and the public values. It replays
//     proof::verify_impl (plain mode) in its order: the vk digest, the public values, the advice
//     commitments, the output claims, one function per planned node in reverse order (its Step's
//     evm(): the layer's step routine and the routing of its claims), the public input's and the
//     constants' claims, then the opening library.
// Supported: kzg keys (transcript v2), a proof without zero knowledge (public input, fixed or
// public weights, public output), and steps whose evm() emits code; zero-knowledge proofs of
// version-8 keys when every step has a zero-knowledge routine on chain (proof/evm_verifier_zk.h,
// contracts/ZkCpDriver.sol; docs/protocol/evm.md section 3.3.1); anything else is an Error
// naming the reason (the node, for a step).
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "field/bn254.h"
#include "pcs/kzg.h"
#include "proof/model_proof.h"
#include "quant/model.h"

namespace zkinfer::proof {

// What a step's evm() writes: Solidity statements in its node function, where `c` is the
// driver's context (ZkDriver.Ctx), `w` the proof words, `cl` the claims on the step's output
// (ZkTypes.Claim[] memory: one, after a combine, unless the step is a free move) and `o` a
// ZkTypes.StepOut the statements may assign.
class EvmCode {
 public:
  EvmCode(const quant::CompiledModel& m, size_t base, size_t count) : model(m), advice_base(base), advice_count(count) {}
  const quant::CompiledModel& model;
  const size_t advice_base;   // the index of the step's first advice commitment (ZkDriver's)
  const size_t advice_count;  // its advice commitments
  std::string body;
  std::set<std::string> libraries;  // the libraries of contracts/ the statements call

  void line(const std::string& s) { body += "        " + s + "\n"; }
  // Runs step routine lib.fn(st, params, claims, words, pos) (a function of contracts/ returning
  // ZkTypes.StepOut; param_type: the params' Solidity type, e.g. "ZkNonlinear.ReluParams memory")
  // on `cl`: a rejection returns false; its advice claims are opened and its lookups registered
  // from the step's advice number `offset`. The routine runs in a library of its own with an
  // external wrapper (the contract would pass 24 KB with every routine inside), on the words from
  // the current position on.
  void routine(const std::string& lib, const std::string& fn, const std::string& param_type, const std::string& params,
               size_t offset = 0);
  struct Wrapper {
    std::string lib, fn, param_type;
    bool operator<(const Wrapper& o) const { return std::tie(lib, fn, param_type) < std::tie(o.lib, o.fn, o.param_type); }
  };
  std::set<Wrapper> wrappers;
  std::string prefix;  // the wrapper libraries' name prefix (the contract's name)
  // Zero-knowledge mode (proof/evm_verifier_zk.cc; docs/protocol/evm.md section 4.1): routine()
  // calls the routine's zero-knowledge counterpart (ZkMatmul -> ZkCpMatmul, ..: claims as forms,
  // relations into the driver's ZkCp.Log, contracts/ZkCpDriver.sol) and the claims go through
  // ZkCpDriver; a routine without one is named in zk_missing (the step is refused).
  bool zk = false;
  std::string zk_missing;
  // The driver library whose calls the statements write (add, addScaled, negate, checkPublic: the
  // same signatures in both modes, over claims or over forms): ZkDriver, or ZkCpDriver when zk.
  std::string driver() const { return zk ? "ZkCpDriver" : "ZkDriver"; }
  // o.<field>'s claims go to tensor t (times `factor` when given).
  void claims_to(int t, const std::string& field);
  void scaled_claims_to(int t, const std::string& field, const field::Fr& factor);
  // cl goes to tensor t as it is (a free move).
  void pass_to(int t);
};

// Solidity literals.
std::string sol_uint(uint64_t v);
std::string sol_fr(const field::Fr& v);
std::string sol_bool(bool b);
// `uint256[]` literal as a memory array expression (ZkDriver.arr helper calls).
std::string sol_uints(const std::vector<size_t>& v);
// hex"..": each value as 8 bytes, big-endian two's complement (a bytes literal for ZkDriver.unpackI64).
std::string sol_i64_bytes(std::span<const int64_t> v);

struct EvmVerifier {
  std::string source;    // the whole file
  std::string contract;  // the verifier contract's name
  std::string lookups;   // the lookups library's name (deployed first, linked)
  std::string opening;   // the opening library's name (deployed first, linked)
  size_t nodes = 0;      // node functions
  size_t inputs = 0, outputs = 0;  // the public values verifyProof takes
};

// Throws Error with the reason: not a kzg key (or an older transcript), a zero-knowledge proof,
// a node whose step has no EVM routine, a constant too large to embed.
EvmVerifier make_evm_verifier(const quant::CompiledModel& model, const VerifyingKey& vk, const std::string& contract = "ZkinferVerifier");

// The ZkHyperKzg key words of a kzg key (one-witness form; 32 words, big-endian: beta,
// [tau^3]_2, U, H, the 448 bytes absorbed as "kzg.srs", [tau]_1, [tau^2]_1, [tau^2 + tau]_2).
std::vector<std::array<uint8_t, 32>> evm_kzg_key_words(const pcs::KzgParams& p);

// The Solidity sources of contracts/ (file name, text), embedded at build time.
const std::vector<std::pair<std::string, std::string>>& evm_library_sources();

}  // namespace zkinfer::proof
