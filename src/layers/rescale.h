// Non-linear layer protocols, part 1: the shared machinery (committed advice, range checks by
// LogUp over 16-bit digits, the proof container) and the requantization (rescale) layer.
//
// GKR-style claim reductions (Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.6): a
// claim on a layer's output MLE (padded layout, layout.h) becomes claims on its input tensor and on
// committed ADVICE vectors (remainders, digits, lookup outputs, multiplicities). Range checks follow
// zkLLM's tlookup (Sun et al., CCS 2024, section 4): a value in [0, 2^k) is split into 16-bit digits
// (the top digit narrower), each digit vector is range-checked by LogUp-GKR (lookup/), and the
// value's MLE is the power-of-two combination of the digit MLEs. Protocols, absorption order and
// soundness: docs/protocol/nonlinear.md.
//
// Two-phase API (like lookup/): phase 1, the layer's constructor computes every advice vector from
// the executor's integer tensors; the caller commits them (Hyrax) and absorbs the commitments;
// phase 2, prove(claims, transcript) produces the proof, the claims on the input tensor(s) and the
// claims on advice vectors that the caller opens against its commitments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "lookup/batch.h"
#include "snark/cfr.h"
#include "sumcheck/composition.h"
#include "sumcheck/proof.h"
#include "sumcheck/verifier.h"
#include "transcript/transcript.h"
#include "zk/session.h"

namespace zkinfer::layers {

// One committed advice vector: its padded table (power-of-two length, little-endian variables as
// everywhere). Signed values embed as p - |v|.
struct LayerAdvice {
  std::string name;
  std::vector<int64_t> values;
  size_t num_vars() const;
};

// The names and sizes (log2) of a layer's advice vectors, known to the verifier from public
// parameters; the whole-model prover uses them to size commitments.
struct AdviceShape {
  std::string name;
  size_t num_vars;
};

// Everything a non-linear layer sends: field elements (MLE evaluations of advice, in protocol
// order), its lookups, and zero-check sumchecks. The layout is fixed by the layer's public
// parameters (deserialize takes the expected counts from the verifier's layer object).
// Lookups: under a model-wide lookup batch (a lookup::BatchProver / BatchVerifier in the proof's
// session, zk/session.h: the whole-model prover) the layer registers its range checks and table lookups there and its proof
// has none; standalone (layer tests) it proves them in a batch of its own: `multiplicities` (one
// vector per table, sent in the proof) and `lookups` (one LogUp for all its tables).
// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables, the
// verifier run as a circuit, docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct NonlinearProofT {
  std::vector<sumcheck::Msg<F>> evals;
  std::vector<std::vector<sumcheck::Msg<F>>> multiplicities;  // standalone only
  lookup::BatchProof<F> lookups;                              // standalone only
  std::vector<sumcheck::Proof<F>> sumchecks;

  void serialize(ByteWriter& w) const;
};
using NonlinearProof = NonlinearProofT<Fr>;
template <>
void NonlinearProofT<Fr>::serialize(ByteWriter& w) const;

// The digit layout of a range check of a vector of 2^n values into [0, 2^bits), bits in [1, 62]:
// `num_low` digits of `digit_bits` bits (concatenated in one advice vector with the digit index in
// the high variables, padded to a power of two with zero digits) and one top digit of top_bits
// bits (1 <= top_bits <= digit_bits). The digit width is a function of (bits, n) only, so the
// verifier derives the same plan from public parameters: it minimizes the LogUp work, roughly
//     (witness rows: 2^(n + low_vars) + 2^n) + (table rows: 2^digit_bits + 2^top_bits)
//     + kDigitOverhead per digit (one more claimed evaluation per output claim; its opening shares
//       a group with the other digits', pcs/hyrax_eval.h; 64 measured best of 16..4096 on
//       mlp_digits, cnn_digits and lenet_5, BENCHMARKS.md),
// over digit_bits in [1, kDigitBits] (ties: the wider digit). A 64-entry tensor with 16-bit values
// gets 6-bit digits (tables of 64 and 16 rows) instead of one 2^16-row table.
struct DigitPlan {
  size_t bits = 0, num_vars = 0, digit_bits = 0, num_low = 0, low_vars = 0, top_bits = 0;
  static DigitPlan make(size_t bits, size_t num_vars);
  size_t num_digits() const { return num_low + 1; }
  size_t low_shift(size_t j) const { return digit_bits * j; }  // weight 2^low_shift(j) of digit j
  size_t top_shift() const { return digit_bits * num_low; }
};
inline constexpr size_t kDigitBits = 16;  // the widest digit
inline constexpr size_t kDigitOverhead = 64;
inline constexpr size_t kMaxRangeBits = 62;

// Proof layout counts for deserialization: (number of evals, lookups (n, k, columns) in
// registration order, sumcheck shapes (n, degree, factors)). A layer's tables are named by (k,
// columns): it has at most one two-column table.
struct ProofLayout {
  size_t num_evals = 0;
  struct L {
    size_t n, k, cols;
  };
  struct S {
    size_t n, degree, factors;
  };
  std::vector<L> lookups;
  std::vector<S> sumchecks;
  // The lookups grouped by table, in first-registration order (lookup/batch.h).
  struct Table {
    size_t k, cols;
    std::vector<size_t> segments;
  };
  std::vector<Table> tables() const;
};
inline constexpr std::string_view kLabelMultiplicities = "nonlinear.multiplicities";
// Reads a proof of the layout (F = Fr by default; snark::CFr: every message a new witness, and the
// lookups part absent when the reader's session has a circuit lookup batch).
template <field::PrimeField F = Fr>
NonlinearProofT<F> deserialize_proof(ByteReader& r, const ProofLayout& layout);
// The LogUp shapes of one range check of 2^n values into [0, 2^bits) (appended to l.lookups), and
// the number of evaluations it sends per claimed point (one per digit).
void append_range_layout(ProofLayout& l, size_t n, size_t bits);
size_t range_eval_count(size_t n, size_t bits);

namespace detail {

// Prover-side bookkeeping shared by the layers.
class NlProver {
 public:
  // Registers an advice vector (padded table of 2^n values); returns its index.
  size_t add_advice(std::string name, std::vector<int64_t> padded);
  // Registers a range check of vector `values` (2^n padded values, each in [0, 2^bits)); the
  // digits and multiplicities become advice. Returns the range check's id.
  size_t add_range(const std::string& name, std::span<const int64_t> values, size_t bits);

  // Phase 2 helpers. Sends advice `a`'s MLE at `point` (absorbed), records the advice claim.
  cp::Val send_eval(size_t a, const std::vector<Fr>& point, transcript::Transcript& tr);
  // The MLE of range-checked vector `id` at `point`, from its digits (each digit's evaluation sent
  // and claimed).
  cp::Val send_range_eval(size_t id, const std::vector<Fr>& point, transcript::Transcript& tr);
  // Proves every registered range check and table lookup: registers them with the model-wide
  // lookup::BatchProver of tr's session if there is one (its claims on the advice come back from the
  // batch), else runs a batch of this layer's own, recording advice claims.
  void prove_lookups(transcript::Transcript& tr);
  // Registers a two-column table lookup of advice columns (a_in, a_out) into `table` (shared:
  // large tables are built once, activation.h act_table).
  void add_table_lookup(size_t a_in, size_t a_out, std::shared_ptr<const lookup::LookupTable<Fr>> table);

  const std::vector<Fr>& fr(size_t a);  // advice a's Fr table (cached)

  std::vector<LayerAdvice> advice;
  NonlinearProof proof;
  std::vector<AdviceClaim> claims;

 private:
  struct Range {
    DigitPlan plan;
    size_t n = 0;
    size_t low = SIZE_MAX, top = SIZE_MAX;
  };
  struct TableLookup {
    size_t in, out;
    std::shared_ptr<const lookup::LookupTable<Fr>> table;
  };
  void register_lookups(lookup::BatchProver<Fr>& b);
  std::vector<Range> ranges_;
  std::vector<TableLookup> tables_;
  std::vector<std::vector<Fr>> fr_;
};

// Verifier-side mirror: reads the proof in order. Over any field type: F = Fr (NlVerifier), or
// snark::CFr (the verifier run as a circuit: claims, points and messages are circuit values; the
// lookups go to the session's circuit batch, lookup_verifier_as<F>, or to a batch of the layer's
// own; tables stay the layers' shared LookupTable<Fr>, lifted to constants of F once each).
template <field::PrimeField F>
class NlVerifierT {
 public:
  using M = sumcheck::Msg<F>;
  explicit NlVerifierT(const NonlinearProofT<F>& p) : p_(p) {}
  size_t add_advice(std::string name, size_t num_vars);
  size_t add_range(const std::string& name, size_t num_vars, size_t bits);
  void add_table_lookup(size_t a_in, size_t a_out, std::shared_ptr<const lookup::LookupTable<Fr>> table);
  // Reads the next evaluation of advice a at point (absorbed), records the claim. False when the
  // proof has no more evaluations.
  bool recv_eval(size_t a, const std::vector<F>& point, transcript::Transcript& tr, M* out);
  bool recv_range_eval(size_t id, const std::vector<F>& point, transcript::Transcript& tr, M* out);
  // The verifier's side of prove_lookups (registers with the lookup::BatchVerifier<F> of tr's
  // session, else verifies the layer's own batch).
  Verdict verify_lookups(transcript::Transcript& tr);
  // The next zero-check sumcheck proof (nullptr when none is left).
  const sumcheck::Proof<F>* next_sumcheck();
  // Verifies the next sumcheck as a zero-check: sum over the n-variable hypercube of `comp` is 0,
  // where factor 0 of comp is eq(tau, .), checked against the verifier's own eq(tau, rho). On
  // acceptance *sub holds rho and the factors' final values; rejections are named by `what`.
  Verdict verify_zero_check(const sumcheck::Composition<F>& comp, size_t n, std::span<const F> tau,
                            transcript::Transcript& tr, sumcheck::Subclaim<F>* sub, const std::string& what);
  // Whether every part of the proof was consumed.
  Verdict finished() const;

  std::vector<AdviceShape> advice;
  std::vector<AdviceClaimT<F>> claims;

 private:
  struct Range {
    DigitPlan plan;
    size_t n = 0;
    size_t low = SIZE_MAX, top = SIZE_MAX;
  };
  struct TableLookup {
    size_t in, out;
    std::shared_ptr<const lookup::LookupTable<Fr>> table;
  };
  void register_lookups(lookup::BatchVerifier<F>& b) const;
  const NonlinearProofT<F>& p_;
  size_t next_eval_ = 0, next_sumcheck_ = 0;
  bool lookups_done_ = false;
  std::vector<Range> ranges_;
  std::vector<TableLookup> tables_;
};
using NlVerifier = NlVerifierT<Fr>;
extern template class NlVerifierT<Fr>;
extern template class NlVerifierT<snark::CFr>;


// For a layer made of sub-layers whose advice lists it concatenates (softmax.h, layer_norm.h):
// shift(off) after each sub-layer's prove (verify) moves the ids of the lookups that sub-layer
// registered with the model-wide batch, if any, by the sub-layer's advice offset, as the layer
// does with the sub-layer's advice claims. F: the verifier's field type (its batch is
// lookup_verifier_as<F>); the prover's side is over Fr.
template <field::PrimeField F>
class SubLayerLookupsT {
 public:
  // The model-wide batch of tr's session (zk/session.h), if any.
  SubLayerLookupsT(const transcript::Transcript& tr, bool verifier) {
    if (verifier) {
      v_ = lookup_verifier_as<F>(tr);
      if (v_) mark_ = v_->num_segments();
    } else {
      p_ = lookup_prover_of(tr);
      if (p_) mark_ = p_->num_segments();
    }
  }
  void shift(size_t off) {
    if (p_) {
      p_->shift_ids_from(mark_, off);
      mark_ = p_->num_segments();
    }
    if (v_) {
      v_->shift_ids_from(mark_, off);
      mark_ = v_->num_segments();
    }
  }

 private:
  lookup::BatchProver<Fr>* p_ = nullptr;
  lookup::BatchVerifier<F>* v_ = nullptr;
  size_t mark_ = 0;
};
using SubLayerLookups = SubLayerLookupsT<Fr>;

// sum over the unpadded entries of eq(point, x): the MLE of the indicator of the unpadded entries.
// Generic: P a contiguous range of field values (Fr, or snark::CFr), the result of that type.
template <class P>
auto indicator_mle(const PaddedShape& s, const P& point) {
  using T = std::remove_cvref_t<decltype(point[0])>;
  auto parts = split_point(s, point);
  T acc = T::one();
  for (size_t d = 0; d < s.rank(); ++d) acc *= eq_prefix_sum(parts[d], s.dims()[d]);
  return acc;
}
Fr pow2_fr(size_t e);
// The padded table of a row-major int64 tensor (zeros in the padding).
std::vector<int64_t> padded_i64(const PaddedShape& s, std::span<const int64_t> v);
// Absorbs each claim's point and value under `label`. Claims: a range of ClaimT<F> (any F).
template <class Claims>
void absorb_claims(transcript::Transcript& tr, std::string_view label, const Claims& cl) {
  tr.absorb_u64(std::string(label) + ".num_claims", std::size(cl));
  for (const auto& c : cl) {
    tr.absorb_many(label, c.point);
    if (!zk_of(tr)) tr.absorb(label, c.value);  // zero knowledge: claim values are derived, never absorbed
  }
}

}  // namespace detail

// ---- Rescale (requantization) ----
// y = floor((x + 2^(k-1)) / 2^k) (ops::rescale_round), k in [1, 62]. Advice: the remainder's
// digits (r = x + 2^(k-1) - 2^k y in [0, 2^k)) and their multiplicities. Optionally (out_bits > 0)
// also proves |y| < 2^out_bits by range-checking y + 2^out_bits in [0, 2^(out_bits+1)): needed when
// the consumer of y does not bound it (e.g. a following matmul), since otherwise a wrong remainder
// gives a y that is not an integer (docs/protocol/nonlinear.md, section 2).
struct RescaleParams {
  std::vector<size_t> dims;  // the tensor's shape (x and y have the same shape)
  size_t shift = 0;          // k
  size_t out_bits = 0;       // 0: no range check of y
};

class RescaleProver {
 public:
  // x: the executor's input (accumulator) tensor, flat row-major over dims; y is recomputed.
  // forced_y (tests: a cheating prover): use these outputs instead of the rescaled x, with the
  // remainders that make the linear relation hold (possibly out of range).
  RescaleProver(const RescaleParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  // Phase 2 (after the advice commitments are absorbed): claims on y -> one claim on x per output
  // claim, plus advice claims.
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  RescaleParams params_;
  PaddedShape shape_;
  std::vector<int64_t> y_;
  size_t range_rem_ = 0, range_y_ = 0;
  detail::NlProver nl_;
};

// Advice shapes and proof layout of a rescale layer with `num_claims` output claims.
std::vector<AdviceShape> rescale_advice_shapes(const RescaleParams& params);
ProofLayout rescale_proof_layout(const RescaleParams& params, size_t num_claims);
// Verifies; on acceptance fills the input and advice claims. Never throws on a bad proof.
Verdict verify_rescale(const RescaleParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit over a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_rescale_as(const RescaleParams& params, std::span<const ClaimT<F>> out_claims,
                          const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                          std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
