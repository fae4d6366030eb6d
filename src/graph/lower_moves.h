// Compile-time rewrites of operators that have no protocol of their own into proven ones (run by
// the quantizer after bind_shapes and fold_constants, like lower_split; every shape is known). The
// float semantics are unchanged (graph_lower_test checks each rewrite against the operator's own
// float semantics in ops/), so the integer model and the proof are those of the new nodes.
#pragma once

#include <cstdint>

#include "graph/graph.h"

namespace zkinfer::graph {

// ConvTranspose (1-D, 2-D; strides, pads, output_padding, dilations, groups, auto_pad,
// output_shape) with constant weights: x is spread out by zero insertion (stride - 1 zeros between
// neighbours: Reshape, Pad, Reshape) and padded by (k - 1) d - pad at the start and
// (k - 1) d - pad + output_padding at the end (a negative pad crops), then one Conv of stride 1
// with the kernel flipped along each spatial axis and its two channel axes exchanged per group
// (w'[g Mg + m, c, i, j] = w[g Cg + c, m, kh-1-i, kw-1-j]), the same dilations and groups and the
// same bias. The sums are the same products as ConvTranspose's (every other term is a product with
// an inserted zero), so the integer model is exact. 1-D: through an inserted axis of size 1.
void lower_conv_transpose(Graph& g);

// MaxPool (2-D, no dilation, ceil_mode 0) whose window has more than max_window entries becomes a
// MaxPool over the rows (kh x 1, strides sh x 1, the top and bottom pads) and then one over the
// columns (1 x kw, 1 x sw, the left and right pads): the maximum over a rectangle is the maximum of
// its rows' maxima. MaxPool forms the MaxPool step does not take (1-D, dilations, pads not below
// the kernel after ceil_mode's extra padding, an axis above max_window) become, per spatial axis,
// a Gather of constant indices putting each window's entries in a block of its own (k entries per
// output; a pad, or a filler up to a product of factors <= max_window for an axis above it, reads
// one of the window's own entries instead, which leaves the maximum unchanged), then MaxPools with
// kernel = stride over the blocks and no pads (1-D through a unit axis). O(k) times the output in
// data movement. A window of pads only, or an axis above max_window^2, is left as it is. A
// MaxPool whose Indices output is used (1-D, 2-D, windows of at most 256 entries): the same
// Gathers laid out as [N, C, OH, OW, K]; Y = ReduceMax over K; I = ReduceSum(OneHot(ArgMax) *
// P) + (n C + c) H W, P the constant flat positions (row- or column-major: storage_order) of each
// window entry (a pad's copy of the window's first entry has that entry's position; ArgMax takes
// the first maximum).
void lower_large_max_pool(Graph& g, int64_t max_window);

// MaxPool / AveragePool over (D, H, W) (rank 5): Reshape to [N, C D, H, W], a 2-D pool with the
// (H, W) window (kernel, strides, dilations, explicit pads, ceil_mode, count_include_pad), Reshape
// to [N, C, D, OH OW], a 2-D pool with the D window as (kd x 1), Reshape to the output. The
// maximum over a box is the maximum of its (H, W) maxima; the average over a box is the average of
// its (H, W) averages, as each box's count (with or without pads) is the product of its axes'
// counts. Run before lower_large_max_pool (which takes the 2-D MaxPools further if need be).
// The integer model rounds twice (two divisions) where a 3-D AveragePool would round once.
void lower_pool_3d(Graph& g);

// MaxUnpool with constant indices (and output_shape): y_flat = Gather(x_flat with one zero
// appended, for each output entry the X entry written there or the zero): data movement.
void lower_max_unpool(Graph& g);

// LRN (float input): sq = x * x (Mul), d = a 1x1 Conv of sq viewed as [N, C, R, 1] with the
// constant band W[o][i] = alpha / size for i in o - floor((size-1)/2) ... o + ceil((size-1)/2) and
// the constant bias, t = Exp(-beta * Log(d)) (two tables over the calibrated ranges and a product
// by a constant: a Pow by a constant exponent would publish the exponent, its table computed from
// it), y = x * t. Needs bias > 0 (then d > 0).
void lower_lrn(Graph& g);

// Resize / Upsample with constant scales, sizes and roi (ops/resize.h: a map per axis): per
// resized axis, a Gather of constant indices along it where every output entry reads one input
// entry (nearest; data movement), else the axis moved last (Transpose, Reshape to [rows, in]) and
// a MatMul by the constant interpolation matrix [in, out] (linear, cubic, antialias; the MatMul's
// exact integer rescale), moved back. tf_crop_and_resize's outside entries read a padded zero
// (Gather) or a zero column (MatMul), and a constant adds the extrapolation value there. Linear or
// cubic resizing of an integer tensor is left as it is.
void lower_resize(Graph& g);

// TopK with a constant K (at most 256 entries along the axis; the axis moved last by Transpose):
// rank_i = #{j : x_j > x_i (largest; < for smallest)} + #{j < i : x_j = x_i} from proven
// comparisons (Greater / Less and Equal of the [.., D, 1] and [.., 1, D] views, And with a
// constant lower triangle, Or, Cast, ReduceSum), the ranks a permutation of 0..D-1 whatever x
// is; P = OneHot(rank) (proven one-hot); values = ReduceSum(P x), indices = ReduceSum(P j) over i,
// the first K by a Slice. O(D^2) comparisons. Outputs nothing reads are not computed. The order
// is that of the integer values: entries equal after quantization keep their index order.
void lower_top_k(Graph& g);

// Concat with constant and computed inputs (the Concat step takes computed ones only): the
// computed inputs padded into place (Pad along the axis), added, plus one constant holding the
// constant inputs in place and zeros elsewhere (an Add with a constant).
void lower_concat_constants(Graph& g);

// GatherND, ScatterND and ScatterElements / Scatter (reduction none or add):
// - constant indices: data movement. GatherND = Reshape(data, [rows, rest]), Gather of the
//   constant rows, Reshape. The scatters: y = Gather(Pad(data), kept rows) + Gather(Pad(updates),
//   written rows) over [rows, rest] views (the padded zero row is the source of every row a
//   branch does not supply; a branch that supplies nothing is left out), Reshape back;
//   ScatterElements views every entry as a row. reduction add with a repeated constant index is
//   left as it is (a blocker).
// - computed indices (integers, scale 0): one-hot selection. The index tuple is flattened
//   (L = sum_t i_t stride_t, a product with constant strides and a ReduceSum), H = OneHot(L,
//   rows) (proven: a committed one-hot, layers/one_hot.h), then GatherND = MatMul(H, data rows);
//   ScatterND: S = MatMul(H^T, updates rows), y = data + S (add) or S + data - data * count
//   (none; count = ReduceSum(H^T) per row: 1 where written) ; ScatterElements the same per row
//   along the axis (moved last by Transpose). At most 256 addressed rows (OneHot's depth);
//   GatherND with batch_dims > 0 is left as it is. Computed indices must lie in [0, dim): the
//   one-hot prover refuses others (a negative index is not counted from the end), and with
//   reduction none a repeated computed index sums its updates (ONNX leaves that undefined).
void lower_gather_scatter(Graph& g);

}  // namespace zkinfer::graph
