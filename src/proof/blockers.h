// Why a compiled model cannot be proven: one Blocker per node without a proof protocol for its
// op, attributes or shapes (and per model-level problem), as the planner of model_proof.cc finds
// them. `compile` refuses a model with any blocker, listing them all (docs/FRONTEND.md).
#pragma once

#include <string>
#include <vector>

namespace zkinfer::proof {

struct Blocker {
  int node = -1;     // node index in the graph; -1: the model as a whole (its inputs, outputs, sizes)
  std::string name;  // the node's name (may be empty in the ONNX file)
  std::string op;    // its op type
  int opset = 0;     // the opset its op was read under
  std::string reason;
  // "node 3 'conv1' (ConvTranspose, opset 13): no protocol for ConvTranspose yet", or "model: ...".
  std::string to_string() const;
};

// "the model cannot be proven (N blockers):" and one indented line per blocker.
std::string describe_blockers(const std::vector<Blocker>& blockers);

}  // namespace zkinfer::proof
