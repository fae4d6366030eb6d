// The whole-model EVM verifier in zero-knowledge mode (docs/protocol/evm.md sections 3.3 and 4.1;
// proof/evm_verifier_zk.cc): what make_evm_verifier calls for a model whose proofs are
// zero-knowledge (kzg key version 8), and the zero-knowledge side of EvmCode.
#pragma once

#include <set>
#include <string>

#include "field/bn254.h"
#include "proof/evm_verifier.h"

namespace zkinfer::proof::detail {

// The verifier of a zero-knowledge model (contracts/ZkCpDriver.sol's driver). Throws Error with
// the reason: the nodes (first three in verification order) whose step has no zero-knowledge
// routine on chain, a private input or output (their digits' bound routine and the lookups' GKR
// have none yet), a key of another version.
EvmVerifier make_evm_verifier_zk(const quant::CompiledModel& model, const VerifyingKey& vk, const std::string& name);

// EvmCode in zero-knowledge mode (EvmCode::zk).
void evm_zk_routine(EvmCode& e, const std::string& lib, const std::string& fn, const std::string& param_type, const std::string& params,
                    size_t offset);
void evm_zk_claims_to(EvmCode& e, int t, const std::string& field, const field::Fr& factor);

// Shared with evm_verifier.cc.
std::string evm_flatten(const std::set<std::string>& want);
std::string evm_ident(const std::string& s);

}  // namespace zkinfer::proof::detail
