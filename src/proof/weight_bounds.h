// The weight range proof of a verifying key (docs/PROTOCOL.md, section 9): a zero-knowledge proof,
// made once by setup and stored in the key, that every committed constant (weights, biases, a
// BatchNormalization's folded constants) is an integer of the bit width the public model declares
// for it and that its commitment is zero on the padding entries:
//     -2^bits <= w_i < 2^bits for every entry, w = 0 on the padding.
// Without it a key-maker could commit to field elements of any size (or non-integers) and proofs
// made with them would still verify, while the key's public part looks like an honest one.
//
// It reuses the input's bound check (layers/bound.h) over the weight commitments: per tensor the
// digits of v = w + 2^bits I are committed and range-checked by LogUp, the padding zero-check shows
// v = 0 off the tensor, and at a random point z (drawn after every digit commitment) the prover
// sends w~(z) as a committed value (cp::Val), shows it equals v~(z) - 2^bits I~(z) from the digits,
// and opens the key's weight commitment at z to that committed value (hiding). Schwartz-
// Zippel then gives w = v - 2^bits I everywhere. All messages go through cp::Val in a zero-knowledge
// context (zk/cp.h), so the proof reveals nothing about the weights beyond the statement.
//
// Transcript: its own domain kWeightBoundsDomain; first the context (the digest of the verifying
// key without this proof: model digests and weight commitments), then everything below in order.
// Bytes: per item the digit commitments (layers::bound_advice_shapes order), then per item the
// claim w~(z) (32 bytes) and the bound proof, then cp's end section, then one Hyrax batch opening
// (the digits, cp's pad matrix, and the weight commitments when they are Hyrax's), then, for a
// key of the kzg backend, one masked HyperKZG batch opening (pcs/kzg.h) of the weight commitments
// at their points z to the same Pedersen-committed values. The digits are Hyrax commitments in
// both backends (they exist only inside this proof, checked once per key).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "layers/bound.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "pcs/scheme.h"

namespace zkinfer::proof {

inline constexpr std::string_view kWeightBoundsDomain = "zkinfer/weight-bounds/v1";

// One committed constant: what the public model declares for it and its commitment in the key.
struct WeightBoundItem {
  std::string name;               // for messages
  layers::BoundParams bound;      // dims, bits (-2^bits <= w < 2^bits), zero_padding = true
  const pcs::Commitment* commitment = nullptr;  // a Hyrax or a KZG commitment (pcs/*_scheme.h)
};

// The prover's side of one item: the unpadded values (row-major over bound.dims) and the
// commitment's row blinds (empty: zero blinds). The prover works from the small integers: w~(z)
// and the opening's row combinations are computed row by row (pcs/small_values.h), with no padded
// Fr table of the weight or of its digits.
struct WeightBoundWitness {
  std::span<const int64_t> values;
  std::span<const field::Fr> blinds;
  // Tests (a dishonest key-maker): the committed values as field elements (padded table, used
  // instead of values), and the digits' v forced (padded; BoundProver's forced_v). With either set
  // the values are not checked against the declared width.
  std::span<const field::Fr> field_values;
  std::span<const int64_t> forced_v;
};

// The largest column count (log2) the proof's commitments need, digits included; the caller's
// Hyrax params must have at least this many (and serve the weight commitments too).
// The zero-knowledge pad rows' width (zk/cp.h): 2^min(8, params' log_cols); params need at least
// 2^6 generators.
size_t weight_bounds_pad_log_row(const pcs::HyraxParams& params);
size_t weight_bounds_log_cols(std::span<const WeightBoundItem> items);

// Why the value is not an integer of the declared width (a message naming the entry), if so.
std::optional<std::string> weight_out_of_bounds(const WeightBoundItem& item, std::span<const int64_t> values);

// Groups. The items are proven in consecutive groups of at most max_group_entries padded entries
// (an item larger than that is a group of its own): each group is a whole proof of its items as
// described above (its own digits, cp end section and batch openings), with "wb.groups" (the
// number of groups) and "wb.group" (its index) absorbed after the context, and the proof is the
// groups' bytes in order, each prefixed by its length (u64). The prover builds and frees one group
// at a time, so setup's memory follows the largest group, not the model (GPT-2's 163 M weights).
// With one group (every model below 2^25 padded weight entries) the proof is that group's bytes
// and nothing group-related is absorbed. The grouping depends only on the items' shapes, which
// the verifier knows.
inline constexpr size_t kWeightBoundsGroupEntries = size_t{1} << 25;
std::vector<std::pair<size_t, size_t>> weight_bound_groups(std::span<const WeightBoundItem> items,
                                                           size_t max_group_entries = kWeightBoundsGroupEntries);

// Chunks. A Hyrax-committed item of more than chunk_entries padded entries (GPT-2's token
// embedding and its transposed head copy: 2^26 each) is proven as its chunks: with q =
// chunk_entries / (the padded size of the dimensions after the first), chunk c holds entries
// [c q, (c + 1) q) of dimension 0, i.e. padded entries [c chunk_entries, (c + 1) chunk_entries)
// and rows [c R, (c + 1) R) of the commitment (R = chunk_entries / its row length). A chunk with
// r >= 1 rows of the tensor is an item of its own: dims (r, d1, ...), dimension 0 padded to q
// (BoundParams::first_log), committed by those rows (a Hyrax commitment of the chunk: Hyrax rows
// are independent Pedersen commitments). A chunk past the tensor (pure padding) is not proven: its
// rows must be the identity (setup commits them with zero blinds: weight_padding_rows), which the
// verifier checks. Items that are not split (not Hyrax, or an inner size above chunk_entries, or
// rows wider than a chunk) are proven whole as before; below chunk_entries nothing changes, so
// the proofs of models with smaller weights are unchanged. The split depends only on the items'
// shapes and commitment layouts, which the verifier knows; the chunks are then grouped as items.
inline constexpr size_t kWeightBoundsChunkEntries = size_t{1} << 23;
// The commitment rows of a weight that setup must commit with zero blinds: those of its pure
// padding chunks (empty when the weight is not split).
std::vector<std::pair<size_t, size_t>> weight_padding_rows(const layers::BoundParams& bound, const pcs::HyraxLayout& layout,
                                                           size_t chunk_entries = kWeightBoundsChunkEntries);

// Proves the statement for every item (throws Error naming the tensor when a value is out of its
// declared width: an honest key cannot be made for it). random: the blinds and masks.
// kzg: the SRS of the items' KZG commitments (with its powers for the prover), null when they
// are Hyrax's.
std::vector<uint8_t> prove_weight_bounds(const pcs::HyraxParams& params, std::span<const WeightBoundItem> items,
                                         std::span<const WeightBoundWitness> witness,
                                         std::span<const uint8_t> context, const pcs::RandomFr& random,
                                         const pcs::KzgParams* kzg = nullptr,
                                         size_t max_group_entries = kWeightBoundsGroupEntries,
                                         size_t chunk_entries = kWeightBoundsChunkEntries);

// Checks a proof made by prove_weight_bounds for these items and context. Never throws.
Verdict verify_weight_bounds(const pcs::HyraxParams& params, std::span<const WeightBoundItem> items,
                             std::span<const uint8_t> proof, std::span<const uint8_t> context,
                             const pcs::KzgParams* kzg = nullptr,
                             size_t max_group_entries = kWeightBoundsGroupEntries,
                             size_t chunk_entries = kWeightBoundsChunkEntries);

}  // namespace zkinfer::proof
