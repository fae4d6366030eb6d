// The public values of the EVM verifier, packed (docs/protocol/evm.md section 3.2; contracts/ZkPublic.sol):
// the model's public input and output as small signed integers, each tensor's values at one width
// (bytes, big-endian two's complement) chosen from its bit bound, tensor after tensor. What
// `zkinfer create-evm-verifier` writes into the contract and `zkinfer encode-evm-calldata` packs:
// both call evm_public_layout on the same key, so they agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quant/model.h"

namespace zkinfer::proof {

// One public tensor in the packed bytes.
struct EvmPublicTensor {
  int tensor = -1;       // graph tensor id
  std::string name;
  size_t count = 0;      // values (the unpadded size)
  int bits = 0;          // the bit bound: input [-2^bits, 2^bits), output (-2^bits, 2^bits)
  size_t width = 0;      // bytes per value: ceil((bits + 1) / 8)
  size_t offset = 0;     // byte offset of the first value in its argument (inputs or outputs)
};

struct EvmPublicLayout {
  std::vector<EvmPublicTensor> inputs, outputs;  // graph order; inputs empty when the input is private
  size_t input_bytes = 0, output_bytes = 0;       // each argument's exact length
  size_t input_values = 0, output_values = 0;
};

// The width of a value of bit bound `bits` (1..62): the fewest bytes whose two's complement holds
// [-2^bits, 2^bits).
size_t evm_value_width(int bits);

// The layout of a model's public values (outputs: empty when the output is private). Throws Error
// for a bit bound the contract does not take (inputs 1..60, outputs 1..62), naming the tensor.
EvmPublicLayout evm_public_layout(const quant::CompiledModel& model);

// The values of the tensors `ts` (in order; values[i] has ts[i].count entries) packed. Throws Error
// naming the tensor and the entry when a value does not fit its width or its bit bound: such a
// value has no encoding (the contract could not take it, and the proof would not verify).
std::vector<uint8_t> evm_pack_values(std::span<const EvmPublicTensor> ts, const std::vector<std::vector<int64_t>>& values, bool input);

// A constant the verifier evaluates itself (proof/model_facts.h verifier_evaluates), embedded in the
// contract as a private function `_c<tensor>()` returning its values (ZkDriver.unpackI64 of 8 bytes a
// value): one emitter for the plain and the zero-knowledge generators. At most this many entries (the
// MLE costs about 200 gas an entry; a larger constant belongs in the key as a commitment).
constexpr size_t kEvmMaxEmbeddedEntries = 1024;
struct EvmEmbeddedConstant {
  std::string fn;   // "_c<tensor>"
  std::string def;  // its definition, indented for a contract's body, with a blank line after
};
// Throws Error (where + the constant's name, its entries and the limit) for more than
// kEvmMaxEmbeddedEntries values.
EvmEmbeddedConstant evm_embedded_constant(const std::string& where, size_t tensor, const std::string& name, std::span<const int64_t> values);

}  // namespace zkinfer::proof
