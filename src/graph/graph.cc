// Graph bookkeeping (graph.h).
#include "graph/graph.h"

namespace zkinfer::graph {

int Graph::find(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<int>(i);
  return -1;
}

int Graph::add_tensor(TensorInfo t) {
  tensors.push_back(std::move(t));
  return static_cast<int>(tensors.size()) - 1;
}

}  // namespace zkinfer::graph
