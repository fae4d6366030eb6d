// Shared by the kzg key tests (proof_kzg_constants_test, proof_kzg_rows_test): the TEST-ONLY
// power-16 SRS (ZKINFER_TEST_PTAU), and a bundled example compiled in one visibility mode with its
// input, trace and kzg proving key.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/random.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/kzg.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace zkinfer::proof::kzg_modes {

inline std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}

inline std::shared_ptr<const pcs::KzgParams> test_srs() {
  static std::shared_ptr<const pcs::KzgParams> srs = [] {
    const std::string path = ZKINFER_TEST_PTAU;
    if (!std::filesystem::exists(path)) ADD_FAILURE() << path << " is missing: run scripts/make-test-ptau.sh 16 " << path;
    return std::make_shared<const pcs::KzgParams>(pcs::KzgParams::from_ptau_file(path, 16));
  }();
  return srs;
}

struct Mode {
  std::string name;
  quant::VisibilityRecord vis;
  quant::CompiledModel model;
  ProvingKey pk;
  std::vector<ops::ITensor> input;
  quant::Trace trace;
  std::vector<ops::ITensor> public_input() const {
    return vis.input == quant::Visibility::kPublic ? input : std::vector<ops::ITensor>{};
  }
};

// examples/NAME compiled (calibrated on its input.json) in visibility `vis`, its first sample's
// trace, and a kzg proving key over test_srs() (key version 9, weights in rows, if weight_rows).
inline Mode make_mode(const std::string& name, const quant::VisibilityRecord& vis, TestRng& rng, bool weight_rows) {
  Mode md;
  md.name = name;
  md.vis = vis;
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  md.model = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  md.model.visibility = vis;
  quant::encode_model(md.model);
  md.input = quant::quantize_inputs(md.model, graph::make_inputs(md.model.graph, samples[0].inputs, "input.json"));
  md.trace = quant::run_int(md.model, md.input);
  md.pk = setup_keys(md.model, pcs::random_fr(rng), {}, test_srs(), weight_rows);
  return md;
}

inline std::string label(const Mode& md) {
  return md.name + " (input " + quant::visibility_name(md.vis.input) + ", weights " +
         quant::visibility_name(md.vis.weights) + ", output " + quant::visibility_name(md.vis.output) + ")";
}

}  // namespace zkinfer::proof::kzg_modes
