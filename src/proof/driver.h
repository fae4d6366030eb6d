// What the whole-model prover (prover.cc) shares with the verifier (model_proof.cc): the plan, the
// parameters, and the verifier itself, which the prover replays in zero-knowledge mode. Internal
// to src/proof.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "layers/bound.h"
#include "pcs/hyrax.h"
#include "pcs/scheme.h"
#include "proof/model_proof.h"
#include "proof/step.h"
#include "transcript/transcript.h"
#include "zk/cp.h"

namespace zkinfer::proof::detail {

inline constexpr std::array<uint8_t, 4> kProofMagic = {'Z', 'K', 'P', 'F'};
// Zero knowledge needs at least 2^kMinPadLogRow generators for its pad rows (zk/cp.h).
inline constexpr size_t kMinPadLogRow = 6;

using Plan = std::vector<std::unique_ptr<Step>>;

// The plan; throws Error listing every blocker (setup, prove and verify refuse such a model).
Plan make_plan(const quant::CompiledModel& m);
// The bound check of a private model input or output (its committed digits are its commitment).
layers::BoundParams input_bound(const quant::CompiledModel& m, int t, const char* what = "input");
// The column count of the model's Hyrax parameters, and the (cached) parameters (the weight
// range proof of the key is Hyrax's own).
size_t params_log_cols(const quant::CompiledModel& m, const Plan& plan, bool count_proof_rows);
const pcs::HyraxParams& params_for(size_t log_cols);
// The number of variables of the largest vector a proof or the key commits to.
size_t max_committed_vars(const quant::CompiledModel& m, const Plan& plan);
// kzg keys: cp's pad rows (zk/cp.h) are 2^kKzgPadLogRow wide (Hyrax row commitments).
inline constexpr size_t kKzgPadLogRow = 8;
// kzg keys of version 8: cp's pads are KZG-committed chunks of doubling length, the first of
// 2^kKzgPadLogFirst (zk/cp.h).
inline constexpr size_t kKzgPadLogFirst = 10;
// The commitment scheme the key's proofs commit and open with (pcs/scheme.h): the key's backend
// (Hyrax: cached per parameter size; kzg: over the key's SRS). Throws Error when a kzg key's SRS
// is too small for the model.
std::shared_ptr<const pcs::Scheme> scheme_for(const quant::CompiledModel& m, const Plan& plan, const VerifyingKey& vk);
// Integers absorbed: their count and little-endian u64s as one byte string; in a field transcript
// (wrappable keys) the count, then one element each.
void absorb_i64s(transcript::Transcript& tr, std::string_view label, std::span<const int64_t> v);
// The proof's transcript for a key: kField over Poseidon for a wrappable key, else the key's encoding.
transcript::Transcript proof_transcript(const VerifyingKey& vk);
// A wrappable key's proof (kzg key version 12): the batch opening's back half (the HyperKZG folds
// and witness, which the wrapping proof leaves to the contract) runs over a Keccak transcript (v2)
// of this domain, seeded with one challenge of the field transcript (proof/wrap_opening.h).
inline constexpr std::string_view kDeferredOpeningDomain = "zkinfer/proof/deferred-opening/v1";
double seconds_since(std::chrono::steady_clock::time_point t0);

// The prover's replay of the verifier (zero-knowledge mode; zk/cp.h): the recorded challenges, and
// the values the opening's back half proves (pcs/scheme.h) as the verifier derives them from the
// proof's messages, which the prover binds to Pedersen commitments.
struct ReplayState {
  transcript::Transcript tr;
  cp::Context* zk = nullptr;  // the prover's context, with relations on
  std::vector<cp::Val> opening_values;
};
// The verifier; with replay set, it runs under the prover's context (replay->zk) and stops before
// the bound claims (the prover's second pass); with fields set, every field it reads is logged
// there.
Verdict verify_impl(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> bytes,
                    ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs,
                    ReplayState* replay, std::vector<ByteField>* fields = nullptr, VerifyProfile* profile = nullptr);

}  // namespace zkinfer::proof::detail
