// Helpers shared by the graph tests: counting a graph's nodes of one op, and the numbered
// protobuf files (input_0.pb, input_1.pb, ...) of one ONNX node-test data set.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace zkinfer::graph::test_util {

inline size_t count_op(const Graph& g, const std::string& op) {
  size_t k = 0;
  for (const auto& n : g.nodes) k += n.op_type == op;
  return k;
}

// dir/prefix0.pb, dir/prefix1.pb, ... up to the first missing one.
inline std::vector<std::string> sorted_files(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> v;
  for (int i = 0;; ++i) {
    std::filesystem::path p = dir / (prefix + std::to_string(i) + ".pb");
    if (!std::filesystem::exists(p)) break;
    v.push_back(p.string());
  }
  return v;
}

}  // namespace zkinfer::graph::test_util
