// The whole-model prover and verifier: backward claim reduction (GKR-style, Thaler, "Proofs,
// Arguments, and Zero-Knowledge", section 4.6) over a compiled model's graph, from a claim on the
// public output (the verifier evaluates the output's MLE at a random point) to claims on the
// committed input, the weights (committed once in setup) and the per-proof advice (rescale
// remainders and LogUp multiplicities), all opened by one Hyrax batch proof. Design, statement,
// transcript order and file layouts: docs/PROOF.md.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/random.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "pcs/scheme.h"
#include "proof/blockers.h"
#include "proof/weight_bounds.h"
#include "quant/int_executor.h"
#include "quant/model.h"

namespace zkinfer::proof {

inline constexpr std::string_view kProofDomain = "zkinfer/proof/v1";
inline constexpr uint32_t kProofVersion = 7;  // 2: padded zero-knowledge messages; 3: reduced openings; 4: row max by a selector; 5: the backend id; 6: public outputs packed (proof/packed_values.h); 7: sums and means claim x at the half point (no sumcheck), a row max's selector row sums at the half point

// The verifying key's format version (its own: the proof format is kProofVersion). 2: the public
// model's whole encoding is bound (model_file_digest) and the weight range proof is part of the key.
// 3: the commitment backend (and for kzg the verifier's SRS elements).
// 4 (kzg keys only; hyrax keys are still written as 3): the proof's transcript is v2
// (transcript/transcript.h: big-endian, the EVM's byte order; the kzg opening absorbs each group's
// point once: pcs/kzg.h). Version-3 kzg keys still prove and verify with transcript v1.
// 5 (hyrax keys only): each weight is committed in rows as wide as the parameters, which are sized
// for the model (pcs/hyrax_scheme.h, proof/model_proof.cc params_log_cols); version-3 hyrax keys
// (balanced rows) are refused: run setup again.
// 6 (kzg keys only): the batch opening's one-witness form (pcs::KzgForm::kOneWitness: one KZG
// witness for the three points, the SRS block with [tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2).
// kzg keys of versions 3 and 4 keep the three-witness form.
// 7 (kzg keys only): every constant the verifier holds (integer constants, fixed and public weights)
// of at least 64 entries is committed in the key (no blind) and opened in the proof's batch opening
// instead of evaluated; the key proves each commitment holds the public model's values
// (constant_openings; proof/key_constants.h). kzg keys of versions 3, 4 and 6 still prove and
// verify as before (their constants evaluated).
// 8 (kzg keys only): zero knowledge pads cp's messages (zk/cp.h) by ONE vector committed with KZG
// (geometric chunks of one vector, summed by the verifier) and opened as a second group of the
// proof's masked HyperKZG batch, instead of Hyrax pad rows opened by an inner-product argument
// (docs/protocol/kzg.md section 6, docs/protocol/evm.md section 4.1). kzg keys of versions 3, 4, 6
// and 7 keep the Hyrax pad rows.
// 9 (kzg keys only; the default of `setup --backend kzg` since session 16, `--kzg-weight-rows off`
// makes 8; setup_keys' kzg_weight_rows): as 8, and every private weight
// of more than 2^L entries is committed as 2^(n - L) rows of 2^L, one blind each (pcs::KzgScheme
// key_row_vars, docs/protocol/kzg.md section 6 item 3); L (kzg_row_vars) is stated in the key after
// the SRS block. The proof's batch opening then opens at rho[0..N'), N' = max(L, every unchunked
// commitment's variables), and the weight range proof opens each weight's rows combined at its
// point's top coordinates. On chain as 8 in the modes the EVM verifier covers (no private weight,
// so no row commitment: docs/protocol/evm.md section 3.4a).
// 11 (hyrax keys only; since session 17 setup writes it where its width differs from 5's, and 5
// elsewhere, byte for byte as before): as 5, and the parameters' width is
// chosen counting the proof's own vectors' rows as well as the key's weights' (params_log_cols):
// a model with public input and fixed or public weights commits no weight, so version 5 sized its
// parameters by the advice alone (balanced rows: e.g. nanoGPT public + fixed 490 KB against 357 KB
// with private weights). Version-5 hyrax keys still prove and verify with their own width.
// 12 (kzg keys only; `setup --backend kzg --wrappable`, setup_keys' wrappable): as 8, for the wrapping
// proof (docs/protocol/wrap.md): the proof's transcript is field-native (transcript kField over
// Poseidon, so that a circuit replays it), its messages are plain (Groth16 hides them: the wrapped
// proof is the zero-knowledge one), and each group of proof-time commitments (the advice, before
// the first challenge; the lookup multiplicities; the opening's mask) is absorbed as one element,
// keccak256 of the points' affine coordinates as a big-endian integer mod r
// (detail::commitment_group_digest, proof/wrap_opening.h), which a contract computes from its
// calldata; the opening ends with one masked combined HyperKZG opening (wrap.md section 8).
// Keys a zkinfer of today reads: hyrax 5 and 11; kzg 3, 4, 6, 7, 8, 9 and 12 (known_key_version).
inline constexpr uint32_t kKeyVersion = 3;
inline constexpr uint32_t kKeyVersionKzgV4 = 4;
inline constexpr uint32_t kKeyVersionHyrax = 5;
inline constexpr uint32_t kKeyVersionKzgV6 = 6;
inline constexpr uint32_t kKeyVersionKzgV7 = 7;
inline constexpr uint32_t kKeyVersionKzg = 8;
inline constexpr uint32_t kKeyVersionKzgRows = 9;
inline constexpr uint32_t kKeyVersionHyraxWide = 11;
inline constexpr uint32_t kKeyVersionKzgWrap = 12;
inline bool is_hyrax_version(uint32_t v) { return v == kKeyVersionHyrax || v == kKeyVersionHyraxWide; }
// The smallest row width of a version-9 key (the pads' first chunk is 2^10 anyway).
inline constexpr size_t kKzgMinRowVars = 10;
// Whether a kzg key of this version pads cp's messages with one KZG-committed vector (zk/cp.h).
inline bool kzg_pads(uint32_t key_version) { return key_version >= kKeyVersionKzg; }
// The kzg opening's form for a key version.
inline pcs::KzgForm kzg_form(uint32_t key_version) {
  return key_version >= kKeyVersionKzgV6 ? pcs::KzgForm::kOneWitness : pcs::KzgForm::kThreeWitnesses;
}
inline bool known_key_version(uint32_t v) {
  return v == kKeyVersion || v == kKeyVersionKzgV4 || v == kKeyVersionHyrax || v == kKeyVersionKzgV6 ||
         v == kKeyVersionKzgV7 || v == kKeyVersionKzg || v == kKeyVersionKzgRows || v == kKeyVersionHyraxWide ||
         v == kKeyVersionKzgWrap;
}

// The commitment backend a key is made for (chosen at setup; prove and verify read it from the
// key). Hyrax: transparent (pcs/hyrax_scheme.h). KZG: masked HyperKZG over a powers-of-tau SRS
// (pcs/kzg_scheme.h, docs/protocol/kzg.md).
enum class Backend : uint8_t { kHyrax = 0, kKzg = 1 };
std::string_view backend_name(Backend b);
std::optional<Backend> parse_backend(std::string_view name);

// Value equality for ById's entries (a commitment compares by content).
template <class T>
bool same_value(const T& a, const T& b) {
  return a == b;
}
inline bool same_value(const pcs::CommitmentPtr& a, const pcs::CommitmentPtr& b) {
  return a == b || (a && b && a->equals(*b));
}

// A table by tensor id with a vector's interface, sparse underneath: size() is the model's tensor
// count, and only the entries that were set take memory. Decoders size it from an untrusted count,
// so its memory must follow the bytes actually read, not that count.
template <class T>
class ById {
 public:
  size_t size() const { return n_; }
  void resize(size_t n) {
    n_ = n;
    m_.erase(m_.lower_bound(n), m_.end());
  }
  const T& operator[](size_t i) const {
    auto it = m_.find(i);
    return it == m_.end() ? empty() : it->second;
  }
  T& operator[](size_t i) {
    if (i >= n_) throw Error("tensor id " + std::to_string(i) + " out of range");
    return m_[i];
  }
  const std::map<size_t, T>& entries() const { return m_; }  // the set entries, by id
  // Equal sizes and entries (an entry holding an empty value equals a missing one).
  friend bool operator==(const ById& a, const ById& b) {
    if (a.n_ != b.n_) return false;
    auto covered = [](const ById& x, const ById& y) {
      for (const auto& [i, v] : x.m_)
        if (!same_value(v, y[i])) return false;
      return true;
    };
    return covered(a, b) && covered(b, a);
  }

 private:
  static const T& empty() {
    static const T e{};
    return e;
  }
  size_t n_ = 0;
  std::map<size_t, T> m_;
};

// The verifying key: the model digests, one commitment per committed constant (by tensor id) and
// the weight range proof (proof/weight_bounds.h). The verifier also needs the compiled model's
// public part (graph, scales, params); it reads shapes and parameters from it, never a committed
// constant's values. Every byte of the encoding is covered by digest(), which every proof binds.
struct VerifyingKey {
  Backend backend = Backend::kHyrax;
  // The format version: 0 means kKeyVersionHyrax for hyrax, kKeyVersionKzg for kzg (setup states
  // 9 and 11 where it makes them); a decoded key keeps the version it was read with.
  uint32_t version = 0;
  uint32_t effective_version() const {
    return version != 0 ? version : backend == Backend::kKzg ? kKeyVersionKzg : kKeyVersionHyrax;
  }
  // A version-12 key: its proofs are made to be wrapped (plain messages, a Poseidon transcript).
  bool wrappable() const { return backend == Backend::kKzg && effective_version() == kKeyVersionKzgWrap; }
  // The encoding of the key's own transcripts (the constants' openings) and, but for wrappable
  // keys (kField: proof::detail::proof_transcript), of the proof's: v2 for kzg keys of version 4
  // and later.
  transcript::Encoding transcript_encoding() const {
    return backend == Backend::kKzg && effective_version() >= kKeyVersionKzgV4 ? transcript::Encoding::kV2
                                                                            : transcript::Encoding::kV1;
  }
  // kzg: the SRS. Serialized: its verifier part only ([1]_1, [beta]_1, [1]_2, [tau]_2, max_vars:
  // KzgParams::serialize_verifier); in memory after setup (and in a proving key) it also holds
  // the 2^max_vars powers the prover commits with.
  std::shared_ptr<const pcs::KzgParams> kzg;
  // kzg keys of version 9: L, the variables of a weight row (weights of more than 2^L entries are
  // committed in rows of 2^L); 0 for every other key. Serialized after the SRS block.
  uint32_t kzg_row_vars = 0;
  std::array<uint8_t, 32> model_digest{};       // quant::public_digest: the public model's bound body
  std::array<uint8_t, 32> model_file_digest{};  // Keccak-256 of the whole public encoding (float part included)
  // By tensor id (null: none): the private weights' commitments; in a kzg key of version 7 also
  // the committed public constants' (proof/key_constants.h).
  ById<pcs::CommitmentPtr> weights;
  // The weight range proof: every committed constant is an integer of its declared width
  // (weight_bounds_of); empty when nothing is committed.
  std::vector<uint8_t> weight_bounds;
  // kzg keys of version 7: one opening per committed public constant, showing that its
  // commitment holds the public model's values (proof/key_constants.h); serialized after the
  // weight range proof, bound to statement_digest().
  std::vector<uint8_t> constant_openings;

  std::array<uint8_t, 32> digest() const;  // Keccak-256 of serialize(): the whole key
  // Keccak-256 of the encoding without the weight range proof: the context that proof is bound to.
  std::array<uint8_t, 32> statement_digest() const;
  void serialize(ByteWriter& w) const;
  static VerifyingKey deserialize(ByteReader& r);
  size_t size_bytes() const;
};

// Checks a verifying key against the public model before any proof is verified with it: the
// digests, the commitments' presence and layouts, and the weight range proof. A key that passed
// is remembered (by its digest) for the life of the process, so the range proof is checked once
// per key. verify() calls it; `zkinfer verify` and the APIs need nothing else. Never throws.
Verdict check_key(const quant::CompiledModel& model, const VerifyingKey& vk);

// The weight range proof's statement (proof/weight_bounds.h): every constant the key commits to, in
// tensor order, with the width the public model declares for it (the tensor's bit bound, at most
// 60; for a BatchNormalization's folded constants a and b: weight_bits, and the input's bit bound
// plus weight_bits) and its commitment in vk (nullptr where vk lacks it).
std::vector<WeightBoundItem> weight_bound_items(const quant::CompiledModel& model, const VerifyingKey& vk);
// Hyrax parameters that serve the model's weight commitments and its weight range proof (throws
// Error for a model that cannot be proven).
// vk: the key's backend and version (hyrax version 11 sizes them counting the proof's rows; a
// kzg key's weight range proof uses version 5's rule).
const pcs::HyraxParams& key_params(const quant::CompiledModel& model, const VerifyingKey& vk);

// The proving key: the verifying key and the blinds of its weight commitments. The blinds are
// the prover's secret: with them the weight commitments hide the weights.
struct ProvingKey {
  VerifyingKey vk;
  ById<std::vector<field::Fr>> blinds;  // by tensor id: the commitment's blinds (pcs::Commitment::num_blinds; empty: zero blinds)
};

// Commits every private constant (int64 fast path) with random row blinds drawn from `random`
// (pcs::random_fr(SecureRng) in the CLI), then makes the weight range proof with the same source.
// Throws Error naming the tensor and entry when a committed constant exceeds its declared width.
// progress (optional): called with (steps done, total): one per committed tensor, one for the
// range proof.
// kzg set: the kzg backend with this SRS (its powers; at least kzg_max_vars(model) variables: Error
// otherwise); null: Hyrax. kzg_weight_rows (kzg only): a version-9 key (weights in rows of
// 2^kzg_row_vars(model)) instead of version 8 (false here by default; the CLI's and the API's
// setup pass true by default since session 16). wrappable (kzg only, without weight rows): a
// version-12 key, whose proofs are made to be wrapped (docs/protocol/wrap.md).
ProvingKey setup_keys(const quant::CompiledModel& model, const pcs::RandomFr& random,
                      const std::function<void(size_t, size_t)>& progress = {},
                      std::shared_ptr<const pcs::KzgParams> kzg = nullptr, bool kzg_weight_rows = false,
                      bool wrappable = false);
// The row width L of a version-9 kzg key for the model: max(kKzgMinRowVars, the widest vector a
// proof commits to).
size_t kzg_row_vars(const quant::CompiledModel& model);
// The number of variables of the model's largest committed vector (weights, input and output
// digits, advice, lookup multiplicities, the public constants a newest kzg key commits to): a kzg
// SRS needs 2^kzg_max_vars(model) powers of tau.
size_t kzg_max_vars(const quant::CompiledModel& model);
// For a key of the kzg backend: why its SRS is not the one of the powers-of-tau file at
// ptau_path (read and checked; pcs::KzgParams::srs_mismatch), nullopt when it is. A verifier who
// did not make the key checks it against a ceremony's file it trusts (`zkinfer verify --srs`).
// Error for a Hyrax key (transparent: no setup to check) or a bad file.
std::optional<std::string> key_srs_mismatch(const VerifyingKey& vk, const std::string& ptau_path);
// The same with zero blinds: deterministic, binding but not hiding (tests, and keys that need no
// secret part); the range proof's blinds come from a fixed seed.
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
  double lookup_s = 0;     // the model's lookups (part of open_s): multiplicities' commitments, one LogUp for all tables
  size_t lookup_bytes = 0;  // their bytes (part of open_bytes)
  size_t lookup_offset = 0;  // where they start in the proof
  size_t lookup_tables = 0;  // how many tables (range widths and activation tables)
  // Set: the prover checks that every claim a step makes on a tensor, an advice vector or a weight
  // is the true evaluation of that vector's multilinear extension at the claim's point (throws
  // Error naming the node otherwise), and counts them here (the conformance harness).
  bool check_claims = false;
  size_t claims_checked = 0;
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

// Where verify() spends its time (seconds per section; zkinfer bench prints it): the key check
// (cached per key after the first: then the model's plan and the key's digest), reading the plan
// and the proof's commitments, the node steps, the inputs' and outputs' range checks, the model's
// lookups, the batch opening's front half, the zero-knowledge end section, the back half.
struct VerifyProfile {
  double key = 0, setup = 0, nodes = 0, bounds = 0, lookups = 0, open_front = 0, zk = 0, open_back = 0;
};
// verify() that also fills *profile.
Verdict verify_profiled(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                        VerifyProfile* profile);

// The proof's layout as its verifier enumerates it: every field verify() reads (each count, scalar,
// point, message and opening value: its byte offset and size), in reading order; verifies as
// verify() does and returns its verdict. Drives the conformance harness (every field changed is
// rejected).
Verdict proof_fields(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                     std::vector<ByteField>* fields, std::span<const ops::ITensor> public_inputs = {});

}  // namespace zkinfer::proof
