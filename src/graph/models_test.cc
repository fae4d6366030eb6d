// Whole models from ../shared/models through the float executor, against onnxruntime's outputs
// (ort_output.json): max abs error <= 1e-4. The digits models, resnet18 and tiny_gpt must load
// and pass; every EZKL example whose operators are supported must pass too (the others are listed).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"

namespace fs = std::filesystem;
using namespace zkinfer;

namespace {
const fs::path kModels = fs::path(ZKINFER_SHARED_DIR) / "models";

// Returns the max abs error against ort_output.json, or throws.
double check_model(const fs::path& dir, const std::string& file) {
  graph::Graph g = graph::load_onnx_file((dir / file).string());
  auto flat = graph::parse_input_json(graph::read_text((dir / "input.json").string()), (dir / "input.json").string());
  auto out = graph::run_float(g, graph::make_inputs(g, flat, "input.json"));
  auto ref = graph::parse_named_outputs(graph::read_text((dir / "ort_output.json").string()), "ort_output.json").at(0);
  double err = 0;
  if (ref.size() != out.size()) throw Error("output count " + std::to_string(out.size()) + " vs " + std::to_string(ref.size()));
  for (size_t k = 0; k < out.size(); ++k) {
    // Match by name where possible.
    const ops::FTensor* want = &ref[k].value;
    for (auto& r : ref)
      if (r.name == g.tensors[g.outputs[k]].name) want = &r.value;
    if (want->size() != out[k].size()) throw Error("output size differs");
    for (int64_t i = 0; i < want->size(); ++i) err = std::max(err, std::fabs(want->data[i] - out[k].data[i]));
  }
  return err;
}
}  // namespace

TEST(Models, MainModels) {
  for (const char* m : {"digits/mlp_digits", "digits/cnn_digits", "resnet18", "tiny_gpt"}) {
    double err = check_model(kModels / m, "model.onnx");
    std::printf("%-24s max abs error %.3g\n", m, err);
    EXPECT_LE(err, 1e-4) << m;
  }
}

TEST(Models, EzklExamples) {
  int pass = 0, unsupported = 0, total = 0;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(kModels / "ezkl")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) {
    if (!fs::exists(d / "ort_output.json")) continue;
    ++total;
    std::string name = d.filename().string();
    try {
      double err = check_model(d, "network.onnx");
      std::printf("%-24s max abs error %.3g\n", name.c_str(), err);
      EXPECT_LE(err, 1e-4) << name;
      ++pass;
    } catch (const graph::UnsupportedOps& e) {
      ++unsupported;
      std::string m = e.what();
      std::printf("%-24s unsupported: %s\n", name.c_str(), m.substr(m.find(':') + 1).c_str());
    } catch (const Error& e) {
      ADD_FAILURE() << name << ": " << e.what();
    }
  }
  std::printf("EZKL examples with a reference: %d, supported and matching: %d, unsupported ops: %d\n", total, pass, unsupported);
  EXPECT_GE(pass, 50);
}
