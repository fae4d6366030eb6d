// A compiled (quantized) model: the float graph with bound shapes, the fixed-point configuration,
// a scale and bit bound per tensor, the quantized constants, and per-node parameters (shifts,
// lookup tables, derived constants). This is the statement the prover proves; its serialized form
// is the .zkm file (model_file.h), whose digest binds everything here except the float section.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/op.h"
#include "ops/tensor.h"

namespace zkinfer::quant {

// Who sees a tensor's values (chosen at compile time, bound by the digest; docs/PROOF.md,
// "Visibility"). public: the verifier gets the values (input: as a parameter of verify; output: in
// the proof). private: hidden, bound by a commitment (input, output: in the proof; weights: in the
// verifying key). fixed (weights only): the values are part of the verifying key.
enum class Visibility : uint8_t { kPrivate = 0, kPublic = 1, kFixed = 2 };

struct VisibilityRecord {
  Visibility input = Visibility::kPrivate;
  Visibility weights = Visibility::kPrivate;
  Visibility output = Visibility::kPublic;
  bool operator==(const VisibilityRecord&) const = default;
};

const char* visibility_name(Visibility v);  // "private", "public", "fixed"
// "private", "public" or "fixed"; nullopt for anything else.
std::optional<Visibility> parse_visibility(const std::string& s);
// Why the record is not allowed (fixed input or output), if so.
std::optional<std::string> visibility_invalid(const VisibilityRecord& v);

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
  // Set where the model was decoded from its public encoding (proof::decode_vk_file: a verifying
  // key's embedded model) and `digest` was checked against the key: public_digest() is then
  // `digest`, as for a model with withheld constants, instead of re-encoding and hashing every
  // constant (with fixed or public weights nothing is withheld: resnet18's 11.7 M constants, about
  // a CPU second per call, twice per verification). In memory only; like `digest`, not updated if
  // the model is changed afterwards.
  bool digest_is_public = false;
  VisibilityRecord visibility;      // bound by the digest (the body of the .zkm, format version 2)
  // Benchmarks only (`zkinfer bench --compare-plain`): prove with the same commitments as the
  // visibility asks for, but send every message in the clear (NOT zero-knowledge), to measure the
  // cost of zero knowledge alone. In memory only: never serialized, so no file or key carries it.
  bool benchmark_plain_messages = false;

  bool is_withheld(int tensor) const {
    return tensor >= 0 && static_cast<size_t>(tensor) < withheld.size() && withheld[static_cast<size_t>(tensor)] != 0;
  }

  bool is_integer(int tensor) const { return graph.tensors[tensor].dtype != ops::DType::kFloat; }
  size_t table_entries() const;
  size_t weight_count() const;
};

}  // namespace zkinfer::quant
