// The whole-model prover and verifier: backward claim reduction (GKR-style, Thaler, "Proofs,
// Arguments, and Zero-Knowledge", section 4.6) over a compiled model's graph, from a claim on the
// public output (the verifier evaluates the output's MLE at a random point) to claims on the
// committed input, the weights (committed once in setup) and the per-proof advice (rescale
// remainders and LogUp multiplicities), all opened by one Hyrax batch proof. Design, statement,
// transcript order and file layouts: docs/PROOF.md.
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "proof/blockers.h"
#include "quant/int_executor.h"
#include "quant/model.h"

namespace zkinfer::proof {

inline constexpr std::string_view kProofDomain = "zkinfer/proof/v1";
inline constexpr uint32_t kProofVersion = 2;  // 2: zero-knowledge messages are padded field elements
inline constexpr uint32_t kKeyVersion = 1;    // the pk and vk files

// The verifying key: the model digest and one commitment per quantized constant (by tensor id).
// The verifier also needs the compiled model's public part (graph, scales, params); it reads
// shapes and parameters from it, never a constant's values.
struct VerifyingKey {
  std::array<uint8_t, 32> model_digest{};
  std::vector<std::optional<pcs::HyraxCommitment>> weights;  // by tensor id

  std::array<uint8_t, 32> digest() const;  // Keccak-256 of serialize()
  void serialize(ByteWriter& w) const;
  static VerifyingKey deserialize(ByteReader& r);
  size_t size_bytes() const;
};

// Commits every quantized constant of the model (int64 fast path, zero blinds: the weights are
// public to the key holder but bound by the commitment).
// The proving key: the verifying key and the blinds of its weight commitments. The blinds are
// the prover's secret: with them the weight commitments hide the weights.
struct ProvingKey {
  VerifyingKey vk;
  std::vector<std::vector<field::Fr>> blinds;  // by tensor id: one per commitment row (empty: zero blinds)
};

// Commits every weight with random row blinds drawn from `random` (pcs::random_fr(SecureRng) in
// the CLI). progress (optional): called with (weight tensors committed, total).
ProvingKey setup_keys(const quant::CompiledModel& model, const pcs::RandomFr& random,
                      const std::function<void(size_t, size_t)>& progress = {});
// The same with zero blinds: deterministic, binding but not hiding (tests, and keys that need no
// secret part).
VerifyingKey setup(const quant::CompiledModel& model, const std::function<void(size_t, size_t)>& progress = {});

// Every reason the model cannot be proven (a node whose op, attributes or shapes have no protocol;
// a bit bound out of range; ...): empty when setup, prove and verify accept it. setup, prove and
// verify throw Error listing them all (describe_blockers) for a model with any.
std::vector<Blocker> blockers(const quant::CompiledModel& model);
// describe_blockers(blockers(model)) when there is any blocker.
std::optional<std::string> unsupported(const quant::CompiledModel& model);

// Per-node prover timings (seconds), in the order the nodes were proven (reverse topological).
struct ProveStats {
  std::vector<std::pair<std::string, double>> per_node;
  std::vector<size_t> per_node_bytes;  // proof bytes of each node's sub-proofs, same order
  double commit_s = 0, open_s = 0;
  size_t header_bytes = 0, commit_bytes = 0, open_bytes = 0;  // output and commitments; inputs' checks, lookups and batch opening
  double lookup_s = 0;     // the model's lookups (part of open_s): multiplicities' commitments, one LogUp per table
  size_t lookup_bytes = 0;  // their bytes (part of open_bytes)
  size_t lookup_offset = 0;  // where they start in the proof
  size_t lookup_tables = 0;  // how many tables (range widths and activation tables)
  // Called (when set) as the prover advances: (steps done, total steps, what comes next).
  std::function<void(size_t, size_t, const std::string&)> progress;
};

// Proves the trace (quant::run_int on the model). The proof bytes carry every public output (in
// the graph's output order; each one's MLE is evaluated at its own random point), or with a private
// output its commitment (model.visibility; a public input is not in the proof: the verifier is given it); random draws the blinds (pcs::random_fr(SecureRng) for hiding). Throws Error if the model has an op without a protocol.
std::vector<uint8_t> prove(const quant::CompiledModel& model, const ProvingKey& pk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats = nullptr);
// With a key made by setup() (zero blinds).
std::vector<uint8_t> prove(const quant::CompiledModel& model, const VerifyingKey& vk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats = nullptr);

// Verifies; on acceptance sets *output (if non-null) to the first proven output tensor and
// *outputs (if non-null) to every proven output, in the graph's order (with a private output: an
// empty tensor and an empty list; the proof carries only a commitment). public_inputs: the
// quantized input tensors, one per model input in the graph's order, when the model's input is
// public (model.visibility.input); must be empty when it is private. Never throws.
Verdict verify(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
               ops::ITensor* output = nullptr, std::vector<ops::ITensor>* outputs = nullptr,
               std::span<const ops::ITensor> public_inputs = {});

}  // namespace zkinfer::proof
