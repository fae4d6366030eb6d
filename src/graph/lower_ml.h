// ONNX-ML operators (domain ai.onnx.ml) lowered at load time into standard ops that the prover
// already proves, with the model's data (tree thresholds, feature selections, paths, leaf values,
// coefficients) as new constant tensors: weights, committed and hidden with private weights.
// Tree ensembles follow the GEMM form (Hummingbird), dense, per tree (batched) or with every tree
// padded to the complete tree of the ensemble's depth, chosen by cost: see docs/protocol/ml.md.
#pragma once

#include <map>
#include <string>

#include "graph/graph.h"
#include "ops/tensor.h"

namespace zkinfer::graph {

// True for the ONNX-ML operators lower_ml_node handles.
bool is_ml_op(const std::string& domain, const std::string& op_type);

// Appends to g.nodes the standard nodes computing n (an ONNX-ML node whose inputs and outputs are
// already tensors of g). `width` maps tensor ids to their known last dimension (the loader fills it
// from declared shapes; lowering adds its outputs). Throws Error("<source>: node '<name>' (<op>): ...")
// for what it does not handle (string labels, kernels other than linear, unknown node modes, ...).
void lower_ml_node(Graph& g, const ops::Node& n, std::map<int, int64_t>& width);

}  // namespace zkinfer::graph
