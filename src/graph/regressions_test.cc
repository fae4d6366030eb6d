// Inputs that once crashed a fuzz target (fuzz/regressions/), kept as regression tests: loading
// each must end in zkinfer::Error or succeed, never crash. Files named *.onnx go to the loader,
// *.json to the input parser.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"

namespace fs = std::filesystem;
using namespace zkinfer;

TEST(FuzzRegressions, NoCrash) {
  fs::path dir = fs::path(ZKINFER_SOURCE_DIR) / "fuzz" / "regressions";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string p = e.path().string();
    SCOPED_TRACE(p);
    try {
      if (e.path().extension() == ".onnx") {
        graph::Graph g = graph::load_onnx_file(p);
        std::vector<std::vector<double>> flat;  // as in fuzz_onnx_loader: run small graphs on zeros
        for (int id : g.inputs) {
          int64_t k = 1;
          for (auto d : g.tensors[id].shape) k *= d < 0 ? 1 : d;
          flat.emplace_back(static_cast<size_t>(std::min<int64_t>(k, 4096)), 0.0);
        }
        graph::run_float(g, graph::make_inputs(g, flat, p));
      } else if (e.path().extension() == ".json") {
        graph::parse_input_json(graph::read_text(p), p);
      }
    } catch (const Error&) {
    }
    ++n;
  }
  EXPECT_GT(n, 0);
}
