// The constants a kzg key of version 7 commits to (issue 15; docs/protocol/evm.md section 4 item 5,
// docs/PROOF.md section 9): every tensor whose values the verifier holds (verifier_evaluates:
// integer constants, fixed and public weights) of at least 2^kKeyConstantMinVars entries padded.
// Their values are public, so the commitments carry no blind (rho = 0: C = f(tau) G). A claim on
// such a constant is opened against the key's commitment in the proof's batch opening, like a
// private weight's, instead of the verifier evaluating the constant's MLE: on chain an opening item
// costs about 12,000 gas, an MLE evaluation about 200 gas an entry (and the values as calldata or
// storage).
//
// The verifier does not trust the key's commitments: the key carries, per committed constant, a
// HyperKZG opening (pcs/kzg.h, one item) of the commitment at a point drawn from a transcript that
// starts from the key's statement digest (every commitment of the key included) and the tensor's
// id, to the value of the constant's MLE there, which check_key computes itself from the public
// model. A commitment to anything else than the constant's padded table opens there to that value
// only with probability n / |Fr| (Schwartz-Zippel; the point is drawn after the commitment is
// fixed). This needs only the verifier's part of the SRS: a verifier holds no powers of tau to
// recompute the commitment with (a plain 2^n MSM), and it costs O(2^n) field operations and one
// pairing check per constant instead. Internal to src/proof.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "pcs/scheme.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
#include "quant/model.h"

namespace zkinfer::proof {

// The smallest constant a version-7 kzg key commits to, in variables of its padded table: 2^6 = 64
// entries, where evaluating the MLE on chain (about 200 gas an entry: 12,800) costs about what one
// more item of the batch opening does (about 12,000). Smaller constants stay evaluated.
inline constexpr size_t kKeyConstantMinVars = 6;

// The transcript domain of the key's constant openings.
inline constexpr std::string_view kKeyConstantsDomain = "zkinfer/vk/constants/v1";

// Whether a key of this backend and (effective) version commits to tensor t, a constant the
// verifier holds (kzg, version >= kKeyVersionKzg, verifier_evaluates, its values the tensor's
// size, padded table >= 2^kKeyConstantMinVars entries).
bool key_commits_constant(const quant::CompiledModel& m, Backend backend, uint32_t version, int t);
inline bool key_commits_constant(const quant::CompiledModel& m, const VerifyingKey& vk, int t) {
  return key_commits_constant(m, vk.backend, vk.effective_version(), t);
}
// Whether tensor t has a commitment in such a key: a private weight, or a constant above.
inline bool key_commits(const quant::CompiledModel& m, const VerifyingKey& vk, int t) {
  return is_committed_weight(m, t) || key_commits_constant(m, vk, t);
}
// The number of variables of the largest constant a newest kzg key commits to (0: none).
size_t key_constant_max_vars(const quant::CompiledModel& m);
// How many constants a newest kzg key commits to.
size_t key_constant_count(const quant::CompiledModel& m);

// Setup: commits every constant key_commits_constant names into vk.weights (zero blind; vk's
// backend and version set, its SRS with powers). progress: called once per constant.
void commit_key_constants(const quant::CompiledModel& m, VerifyingKey& vk, const pcs::Scheme& scheme,
                          const std::function<void()>& progress = {});
// Setup, after every commitment of the key: the constants' openings (vk.constant_openings), bound
// to vk.statement_digest(). random: the openings' masks (their values are public: any source).
std::vector<uint8_t> prove_key_constants(const quant::CompiledModel& m, const VerifyingKey& vk, const pcs::RandomFr& random);
// check_key: every committed constant's opening (vk.constant_openings) against the value of the
// public model's MLE at its point; a rejection names the tensor ("vk: commitment of constant X
// does not match its values"). The commitments' presence and layouts are checked by the caller.
Verdict verify_key_constants(const quant::CompiledModel& m, const VerifyingKey& vk);

// The MLE of a tensor's padded table (layers::padded_table(s, values)) at `point`, from the
// unpadded small integers: the same value as mle_eval(padded_table(s, values), point) without
// the 2^n table (about 6x less CPU for resnet18's constants; check_key's cost).
Fr padded_mle_eval_i64(const layers::PaddedShape& s, std::span<const int64_t> values, std::span<const Fr> point);

}  // namespace zkinfer::proof
