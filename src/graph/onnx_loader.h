// Loading ONNX models into graph::Graph with ONNX's own library: protobuf parsing, the checker,
// shape inference; Constant nodes and everything computable from constants (Identity, shape
// arithmetic) folded into constant tensors; graph inputs that have initializers are weights.
// Every unsupported operator is reported at once (UnsupportedOps).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "graph/graph.h"

namespace onnx {
class TensorProto;
}

namespace zkinfer::graph {

// Thrown when a model uses operators the op table lacks; lists each node (name, op type, opset).
class UnsupportedOps : public Error {
 public:
  explicit UnsupportedOps(const std::string& m) : Error(m) {}
};

struct LoadOptions {
  bool check = true;        // run onnx::checker
  bool fold = true;         // fold constant subgraphs
};

Graph load_onnx_file(const std::string& path, const LoadOptions& opt = {});
Graph load_onnx_bytes(std::span<const uint8_t> bytes, const std::string& what, const LoadOptions& opt = {});

// Folds every node whose inputs are all constants into constant outputs; with fold_shapes, also
// Shape nodes whose input shape is fully known (after bind_shapes every shape is: say so with
// shapes_bound, and an empty shape is a scalar's rather than an unknown one).
void fold_constants(Graph& g, bool fold_shapes, bool shapes_bound = false);

// Replaces every Split whose input shape and split sizes are known by one Slice per output (same
// output tensors; new constant starts/ends/axes), so that each node has one output. The float
// semantics are unchanged. Run after bind_shapes and fold_constants (the quantizer does).
void lower_split(Graph& g);

// Replaces ReduceL1, ReduceSumSquare, ReduceL2, ReduceLogSum and ReduceLogSumExp by the proven
// ops they compose (Abs / Mul(x, x) / Exp, then ReduceSum, then Sqrt / Log; ops/op_reduce_composite.cc),
// keeping the output tensor. Run after bind_shapes and fold_constants (the quantizer does).
void lower_reductions(Graph& g);

// Rewrites arithmetic the protocols take in one form only, with the same float semantics: a
// Gemm's alpha folded into a constant B and beta into a constant C (new constants: the originals
// may be shared), a constant C of one element expanded to the output's last dimension; Sum and
// Mean of one input as Identity, of three or more as a chain of Adds (Mean: then a Div by the
// count); Max and Min of several inputs as a + Relu(b - a) and a - Relu(a - b), chained (of one:
// Identity); ReduceSum with noop_with_empty_axes and no axes as Identity. Run after bind_shapes and
// fold_constants (the quantizer does).
void lower_arithmetic(Graph& g);

// Replaces every layer normalization spelled out in primitive ops, as PyTorch exports it before
// opset 17 (m = ReduceMean(x); d = x - m; v = ReduceMean(d^2) (Pow 2 or Mul(d, d)); y = d /
// Sqrt(v + eps), over the same trailing axes, keepdims), and the Mul by a constant scale and Add of
// a constant bias of the normalized shape that follow it, by one LayerNormalization node (same
// output tensor; the scale, ones when absent, and bias as new constants). Inner tensors used
// elsewhere keep the pattern as it is. The float semantics are unchanged; the integer model then
// proves the row's 1/sqrt(v + eps) by its table instead of a division by a quantized square root
// (which rounds to 0 when the variance is below the activation step). Run after fold_constants.
void fuse_layer_norm(Graph& g);

// A TensorProto (initializer, Constant value, or a test_data_set .pb) as a float tensor.
ops::FTensor tensor_from_proto(const onnx::TensorProto& t, const std::string& what);
ops::FTensor read_tensor_pb(const std::string& path);


}  // namespace zkinfer::graph
