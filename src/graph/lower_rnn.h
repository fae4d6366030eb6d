// ONNX's recurrent operators LSTM, GRU and RNN (every opset: 1, 7, 14 with `layout`, 22), unrolled
// over the sequence into ops that already have proof protocols: Gemm / MatMul for the input and
// recurrent products (constant weights become constants again after folding; computed ones stay
// private operands), Add, Sub and Mul for the gates and the state update, Sigmoid / Tanh / Relu /
// HardSigmoid / ... tables for the activations, and Gather, Slice, Reshape, Unsqueeze, Concat for the
// data movement (docs/FRONTEND.md, "Recurrent layers").
//
// The unrolled graph depends on the sequence length and the batch size, so lowering runs once the
// shapes are bound (the quantizer calls lower_rnn after bind_shapes and fold_constants, like
// lower_reductions): EZKL's exports take the sequence length from a symbolic input dimension.
// Before that, the loader keeps the nodes and the float executor runs each one by lowering it
// alone on its actual inputs (run_rnn_float), so that float and integer models share one
// definition.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/tensor.h"

namespace zkinfer::graph {

// True for LSTM, GRU and RNN (default domain).
bool is_rnn_op(const std::string& op_type);

// Replaces every LSTM / GRU / RNN node of g by its unrolled form (same output tensors; only the
// outputs some node or the graph reads are computed). Needs X's shape; refuses with
// Error("<source>: node '<name>' (<op>): ...") what it does not handle: a sequence length or batch
// size that is not known, `clip`, LSTM's input_forget = 1, sequence_lens other than a constant
// equal to the sequence length everywhere, unknown activations, weights of the wrong shape.
// Then folds constants (the weights' slices and bias sums become constants) and drops the constants
// no node reads any more (the original W, R, B, P and the folded intermediates), so that setup
// commits each weight once. Returns the number of nodes lowered.
int lower_rnn(Graph& g);

// The float outputs of one LSTM / GRU / RNN node of g on the given input values (nullptr for an
// absent input): the node lowered alone (as lower_rnn would) and run by the float executor.
std::vector<ops::FTensor> run_rnn_float(const Graph& g, const ops::Node& n, std::span<const ops::FTensor* const> in);

}  // namespace zkinfer::graph
