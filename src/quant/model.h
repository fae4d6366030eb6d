// A compiled (quantized) model: the float graph with bound shapes, the fixed-point configuration,
// a scale and bit bound per tensor, the quantized constants, and per-node parameters (shifts,
// lookup tables, derived constants). This is the statement the prover proves; its serialized form
// is the .zkm file (model_file.h), whose digest binds everything here except the float section.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "ops/op.h"
#include "ops/tensor.h"

namespace zkinfer::quant {

struct CompiledModel {
  graph::Graph graph;               // float graph: constants as floats, every shape bound
  ops::QuantConfig cfg;
  std::vector<int> scales;          // per tensor: fractional bits (0 for integer-typed tensors)
  std::vector<int> bits;            // per tensor: every value satisfies |q| < 2^bits
  std::vector<ops::ITensor> qconst; // per tensor: quantized value of constants (empty otherwise)
  std::vector<ops::QParams> params; // per node, same order as graph.nodes
  std::vector<ops::Range> ranges;   // per tensor: calibrated float range (not bound by the digest)
  std::array<uint8_t, 32> digest{}; // Keccak-256 of the bound part of the .zkm encoding
  // Per tensor (empty: none): 1 when a constant's values are withheld. A model decoded from its
  // public encoding (encode_public_model) has every float constant withheld: it is what a verifying key
  // carries, and its digest is the public digest.
  std::vector<uint8_t> withheld;

  bool is_withheld(int tensor) const {
    return tensor >= 0 && static_cast<size_t>(tensor) < withheld.size() && withheld[static_cast<size_t>(tensor)] != 0;
  }

  bool is_integer(int tensor) const { return graph.tensors[tensor].dtype != ops::DType::kFloat; }
  size_t table_entries() const;
  size_t weight_count() const;
};

}  // namespace zkinfer::quant
