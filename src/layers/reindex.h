// Re-indexing (data-movement) layers on the padded layout (layout.h): Transpose, Slice, Pad
// (constant value), Reshape / Flatten whose padded index maps differ, and Concat.
//
// Semantics: y[i] = x[pi(i)] for the y entries i that have a source, and y[i] = c (the pad value,
// 0 except for Pad) for the others. A claim y~(z) = v becomes a claim on x by the sumcheck of
//     v - c Pad~(z) = sum_b x(b) P(z, b),   P(z, b) = sum_{i : pi(i) = b} eq(z, i)
// (Thaler, section 4.6: a wiring predicate). The map is given as GROUPS of axes: a group is a set
// of y axes and a set of x axes with a map from the group's y sub-index to its x sub-index, so
// that P factors into per-group pieces. A group that is the identity on one axis of equal size
// (Transpose, untouched axes of Slice/Pad/Concat, the common leading and trailing axes of a
// reshape) costs nothing: x's variables of that axis are fixed to z's (sum_b eq(z, b) x(b) over a
// zero-padded axis is x~ at z). The sumcheck runs over the variables of the other groups only;
// the verifier evaluates each such group's P in O(size of the group) (O(dim) for the per-axis
// maps of Slice / Pad / Concat, O(block) for the non-trivial block of a reshape, e.g. C.H.W for
// Flatten of [N, C, H, W]). When every group is the identity (Transpose, reshapes that are free
// on the padded layout) there is no sumcheck: the claim moves to x at the permuted point.
// Concat: y = sum_j Pad_j(x_j); the prover sends s_j = Pad_j(x_j)~(z) per input (the verifier
// checks sum_j 2^(e_j) s_j = v) and each s_j is reduced like a Pad. Protocol:
// docs/protocol/layers.md, section 8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::layers {

// One group of a re-indexing: y axes (contiguous, increasing) and x axes (contiguous, increasing;
// or a single arbitrary axis for per-axis maps). `map` lists, for each row-major unpadded
// sub-index of the group's y axes, the row-major unpadded sub-index of its x axes, or -1 (no
// source: the pad value). Empty `map` with `identity` set: the identity of one y axis onto one x
// axis of the same size.
struct ReindexGroup {
  std::vector<size_t> y_axes, x_axes;
  bool identity = false;
  std::vector<int64_t> map;
};

struct ReindexMap {
  std::vector<size_t> x_dims, y_dims;
  std::vector<ReindexGroup> groups;
  int64_t pad_value = 0;  // the value of y entries without a source (Pad's constant)

  // Why the map is malformed (groups not a partition of the axes, wrong map sizes, sources out
  // of range), if so. Checked by the prover (throws) and the verifier (rejects).
  std::optional<std::string> invalid() const;
  // The number of sumcheck variables (x's variables outside identity groups).
  size_t sumcheck_vars() const;
  // y from x (flat row-major, unpadded): the plain re-indexing, for tests and callers.
  std::vector<int64_t> apply(std::span<const int64_t> x) const;
};

// ONNX Transpose: y axis d is x axis perm[d]. Free (no sumcheck).
ReindexMap transpose_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& perm);
// ONNX Slice (opset >= 10 semantics, as ops/op_slice.cc normalizes them): starts / ends / axes /
// steps as given to the op (negatives from the end, clamped; steps may be negative; empty axes:
// 0..|starts|-1; empty steps: 1). Throws Error on malformed input (step 0, bad axis, empty output).
ReindexMap slice_map(const std::vector<size_t>& x_dims, std::vector<int64_t> starts, std::vector<int64_t> ends,
                     std::vector<int64_t> axes, std::vector<int64_t> steps);
// ONNX Pad: pads = [begin_0 .. begin_{r-1}, end_0 .. end_{r-1}] (negative pads crop); mode
// "constant" (value = the constant at the tensor's scale, ops "value"), "edge" or "reflect"
// (reflect pads must be smaller than the dimension), as ops/op_pad.cc.
ReindexMap pad_map(const std::vector<size_t>& x_dims, const std::vector<int64_t>& pads, int64_t value = 0,
                   const std::string& mode = "constant");
// Reshape / Flatten / Squeeze / Unsqueeze (row-major element order kept): groups split where the
// prefix products of both shapes agree; a group with one axis of the same size on each side is
// the identity.
ReindexMap reshape_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& y_dims);

// ONNX Gather along `axis` with constant indices of shape idx_dims (negatives from the end; empty
// idx_dims: a scalar index, the axis disappears): y's axes [axis, axis + |idx_dims|) read x's axis.
ReindexMap gather_map(const std::vector<size_t>& x_dims, size_t axis, const std::vector<int64_t>& indices,
                      const std::vector<size_t>& idx_dims);
// ONNX Expand to the (already broadcast) output shape y_dims: x's shape right-aligned, each of
// its dimensions equal to y's or 1; y's leading extra axes read nothing of x.
ReindexMap expand_map(const std::vector<size_t>& x_dims, const std::vector<size_t>& y_dims);
// ONNX Tile: y_d = x_d repeats_d, y[t] = x[t mod x_d] per axis.
ReindexMap tile_map(const std::vector<size_t>& x_dims, const std::vector<int64_t>& repeats);
// ONNX Trilu: the upper (column - row >= k) or lower (column - row <= k) triangle of each matrix
// of the last two axes, the rest zero: one group over those two axes (rank >= 2).
ReindexMap trilu_map(const std::vector<size_t>& x_dims, bool upper, int64_t k);
// (Split: each output is a slice_map of the input along the axis.)

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables).
template <field::PrimeField F>
struct ReindexProofT {
  std::vector<sumcheck::Proof<F>> sumchecks;  // one degree-2 sumcheck per claim (none when free)
  void serialize(ByteWriter& w) const;
  static ReindexProofT deserialize(ByteReader& r, const ReindexMap& m, size_t num_claims);
};
using ReindexProof = ReindexProofT<Fr>;
template <>
void ReindexProofT<Fr>::serialize(ByteWriter& w) const;

// Claims on y -> one claim on x per claim (x: flat row-major unpadded, |x| = prod x_dims).
// Throws Error when the map is invalid or x has the wrong size.
std::vector<Claim> prove_reindex(const ReindexMap& m, std::span<const int64_t> x, std::span<const Claim> y_claims,
                                 transcript::Transcript& tr, ReindexProof* proof);
Verdict verify_reindex(const ReindexMap& m, std::span<const Claim> y_claims, const ReindexProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* x_claims);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit, with a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_reindex_as(const ReindexMap& m, std::span<const ClaimT<F>> y_claims, const ReindexProofT<F>& proof,
                          transcript::Transcript& tr, std::vector<ClaimT<F>>* x_claims);

// ---- Concat ----
// y = concat_axis(x_j 2^(up_j)) (the executor's Concat after bringing inputs UP to the common
// scale by exact multiplication; an input scaled DOWN needs a rescale layer before this one).
struct ConcatParams {
  std::vector<std::vector<size_t>> in_dims;  // >= 1 inputs, equal off the axis
  size_t axis = 0;
  std::vector<size_t> up;  // empty, or per input the exponent e_j <= 40
  std::optional<std::string> invalid() const;
  std::vector<size_t> out_dims() const;
  ReindexMap part(size_t j) const;  // y <- x_j as a Pad along the axis
};

template <field::PrimeField F>
struct ConcatProofT {
  std::vector<sumcheck::Msg<F>> parts;   // per claim, per input: s_j = Pad_j(x_j)~(z)
  std::vector<ReindexProofT<F>> inputs;  // per input
  void serialize(ByteWriter& w) const;
  static ConcatProofT deserialize(ByteReader& r, const ConcatParams& p, size_t num_claims);
};
using ConcatProof = ConcatProofT<Fr>;
template <>
void ConcatProofT<Fr>::serialize(ByteWriter& w) const;

// Claims on y -> per input j, one claim on x_j per claim (result[j]).
std::vector<std::vector<Claim>> prove_concat(const ConcatParams& p, std::span<const std::span<const int64_t>> xs,
                                             std::span<const Claim> y_claims, transcript::Transcript& tr,
                                             ConcatProof* proof);
Verdict verify_concat(const ConcatParams& p, std::span<const Claim> y_claims, const ConcatProof& proof,
                      transcript::Transcript& tr, std::vector<std::vector<Claim>>* x_claims);
template <field::PrimeField F>
Verdict verify_concat_as(const ConcatParams& p, std::span<const ClaimT<F>> y_claims, const ConcatProofT<F>& proof,
                         transcript::Transcript& tr, std::vector<std::vector<ClaimT<F>>>* x_claims);

}  // namespace zkinfer::layers
