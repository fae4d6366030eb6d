// libFuzzer target: arbitrary bytes as an input / calibration JSON file for a small fixed graph
// (y = x + c, x of shape [1, 4]). Parsing and binding to the graph must either succeed or throw
// zkinfer::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"

namespace {
zkinfer::graph::Graph small_graph() {
  using namespace zkinfer;
  graph::Graph g;
  g.source = "fuzz";
  g.opset = 17;
  graph::TensorInfo x{"x", {1, 4}, ops::DType::kFloat, false, {}};
  graph::TensorInfo c{"c", {4}, ops::DType::kFloat, true, ops::FTensor({4})};
  graph::TensorInfo y{"y", {1, 4}, ops::DType::kFloat, false, {}};
  g.inputs = {g.add_tensor(x)};
  int ci = g.add_tensor(c);
  int yi = g.add_tensor(y);
  ops::Node n;
  n.name = "add";
  n.op_type = "Add";
  n.opset = 17;
  n.inputs = {g.inputs[0], ci};
  n.outputs = {yi};
  g.nodes.push_back(n);
  g.outputs = {yi};
  return g;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const zkinfer::graph::Graph g = small_graph();
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto flat = zkinfer::graph::parse_input_json(text, "fuzz");
    zkinfer::graph::run_float(g, zkinfer::graph::make_inputs(g, flat, "fuzz"));
  } catch (const zkinfer::Error&) {
  }
  try {
    for (const auto& s : zkinfer::graph::parse_samples(text, "fuzz", g))
      zkinfer::graph::make_inputs(g, s.inputs, "fuzz");
  } catch (const zkinfer::Error&) {
  }
  return 0;
}
