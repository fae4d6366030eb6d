// Compile-time rewrites of operators that are compositions of proven ones (run by the quantizer
// after bind_shapes and fold_constants, like lower_reductions; every shape is known). Each op keeps
// its float semantics in ops/op_<name>.cc; the rewritten graph computes the same (graph_composites_test
// checks each rewrite against the operator's own float semantics and ONNX's node tests), and the
// integer model and the proof are those of the new nodes. A node a rewrite does not take (the
// condition below) is left as it is, and its planner refuses it by name.
//   LogSoftmax            m = ReduceMax(x), d = x - m, y = d - Log(ReduceSum(Exp(d))) over the
//                         softmax axes (keepdims): exp's inputs are <= 0, the sum lies in [1, n].
//   Dropout               Identity (mask output not read; not a constant training_mode with ratio > 0).
//   CastLike              Cast to the second input's element type.
//   GlobalMaxPool         ReduceMax over axes 2.. with keepdims.
//   InstanceNormalization LayerNormalization over the spatial axes (axis 2, scale ones), then a Mul
//                         by the scale and an Add of B as [C, 1, ...] constants (or, computed,
//                         reshaped to [C, 1, ...]).
//   MeanVarianceNormalization  Transpose moving the axes last, LayerNormalization over them
//                         (epsilon 1e-9), the inverse Transpose.
//   Hardmax               ArgMax (keepdims 0), OneHot(depth n, integer values [0, 1]) at the axis and
//                         a Cast to real (rows flattened by Reshapes before opset 13); rows of at
//                         most 256 entries.
//   CumSum                MatMul of the [rows, n] view by a constant 0/1 triangular matrix (exclusive,
//                         reverse), the axis moved last by Transposes; constant axis, n <= 1024.
//   DepthToSpace, SpaceToDepth  Reshape to rank 6, Transpose, Reshape.
//   Compress              constant condition: Gather of the selected indices (after a Reshape to 1-D
//                         without an axis); at least one selected.
//   Einsum                (an ellipsis names its dimensions by unused letters) a letter repeated inside
//                         one operand (a diagonal): its two axes moved last, flattened and the
//                         diagonal gathered by constant indices (Transpose, Reshape, Gather); then
//                         ReduceSum of the letters only one operand has, Transposes
//                         and Reshapes to [batch, M, K] x [batch, K, N], one MatMul, Reshape and
//                         Transpose to the output's letters; three or more operands pair by pair,
//                         left to right, each pair keeping the letters still needed.
//   Pow                   a tensor exponent (not a constant scalar; a real base that is not a positive
//                         constant scalar): Exp(b Log x); a non-positive base makes Log's value not
//                         finite, and calibration refuses it naming that tensor (its name says why).
//   DequantizeLinear      constant scale and zero point: (x - zero_point) * scale as Sub and Mul by
//                         [.., C, 1, ..] constants along the axis (a constant x folds before).
//   QuantizeLinear        a constant scale and zero point, one each: they become the node's attributes
//                         (zkinfer_scale, zkinfer_zero_point), and the node is one table lookup.
//   LayerNormalization    with its Mean / InvStdDev outputs: the node keeps Y; Mean = ReduceMean,
//                         InvStdDev = Reciprocal(Sqrt(ReduceMean((x - Mean)^2) + epsilon)).
#pragma once

#include "graph/graph.h"

namespace zkinfer::graph {

void lower_composites(Graph& g);

}  // namespace zkinfer::graph
