// libFuzzer target: arbitrary bytes as an ONNX model. Loading (protobuf parse, checker, shape
// inference, conversion, constant folding) must either succeed or throw zkinfer::Error; when a
// small model loads, it is also run through the float executor on zero inputs.
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/error.h"
#include "graph/float_executor.h"
#include "graph/onnx_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    zkinfer::graph::Graph g = zkinfer::graph::load_onnx_bytes(std::span<const uint8_t>(data, size), "fuzz");
    std::vector<std::vector<double>> flat;
    for (int id : g.inputs) {
      int64_t n = 1;
      for (auto d : g.tensors[id].shape) n *= d < 0 ? 1 : d;
      if (n > 4096 || g.nodes.size() > 16) return 0;
      flat.emplace_back(static_cast<size_t>(n), 0.0);
    }
    zkinfer::graph::run_float(g, zkinfer::graph::make_inputs(g, flat, "fuzz"));
  } catch (const zkinfer::Error&) {
  }
  return 0;
}
