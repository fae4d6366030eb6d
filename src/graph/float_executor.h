// The float executor: reference semantics of a graph (DESIGN.md section 4), in double precision.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "ops/tensor.h"

namespace zkinfer::graph {

// Checks inputs against the graph's input shapes (binding unknown dimensions) and runs every
// node. Returns the value of every tensor, indexed by tensor id (constants included).
std::vector<ops::FTensor> run_float_all(const Graph& g, const std::vector<ops::FTensor>& inputs);

// Just the graph outputs.
std::vector<ops::FTensor> run_float(const Graph& g, const std::vector<ops::FTensor>& inputs);

// Builds the input tensors from flat value lists (EZKL layout), using the graph's input shapes;
// one unknown dimension per input is inferred from the value count. Wrong sizes are an Error.
std::vector<ops::FTensor> make_inputs(const Graph& g, const std::vector<std::vector<double>>& flat,
                                      const std::string& what);

// Fixes every tensor's shape (and input shapes) from one float run on the given inputs.
void bind_shapes(Graph& g, const std::vector<ops::FTensor>& inputs);

}  // namespace zkinfer::graph
