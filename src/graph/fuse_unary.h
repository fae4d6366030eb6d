// Compile-time fusion of spelled-out unary functions (graph rewrite, run by the quantizer after
// fold_constants and fuse_layer_norm).
#pragma once

#include "graph/graph.h"

namespace zkinfer::graph {

// Replaces each GELU spelled out in element-wise primitives, as PyTorch and Hugging Face export it
// (the tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with x^3 as Pow(x, 3) or products,
// and the erf form 0.5 x (1 + erf(x / sqrt 2))), by one Gelu node (opset 20; approximate "tanh" or
// "none"), proven as one table activation instead of a chain of rescaled products.
//
// General, not a pattern of one exporter: around each Tanh or Erf node, the largest element-wise
// subgraph (Add, Sub, Mul, Div, Pow, Neg, Tanh, Erf; every operand a computed tensor of the input's
// shape or a scalar constant) that depends on one tensor x only is taken, its single result y
// (every inner tensor used only inside it, none a model output) is evaluated in double precision on
// 64 points of [-8, 8] and on 0, and fused when it equals a GELU form there within 1e-5 (1 + |x|)
// (exported constants are float32). Anything else is left alone; the float semantics change by the
// float32 rounding of the constants only. Returns the number of fused subgraphs.
size_t fuse_gelu(Graph& g);

}  // namespace zkinfer::graph
