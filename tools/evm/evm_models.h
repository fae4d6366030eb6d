// ONNX models written by the EVM model tests (evm_model_test, evm_zk_model_test): the same
// architecture and seed give the same file in both.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/random.h"
#include "onnx_build.h"

namespace zkinfer::evm_models {

// An empty model of IR version 8, opset 13, its graph named `name`.
inline onnx::ModelProto new_model(const std::string& name) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  m.mutable_graph()->set_name(name);
  return m;
}

// m written to `onnx`, and x as its one input to `input` ({"input_data": [x]}).
inline void save_model(const onnx::ModelProto& m, const std::filesystem::path& onnx, const std::filesystem::path& input,
                       const std::vector<float>& x) {
  const auto bytes = test_onnx::serialize(m);
  std::ofstream(onnx, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  nlohmann::json j;
  j["input_data"] = {std::vector<double>(x.begin(), x.end())};
  std::ofstream(input) << j.dump() << "\n";
}


// A small residual CNN: Conv 2 -> 3 channels 3x3 (pads 1) with bias, BatchNormalization, Relu,
// Conv 3 -> 3 3x3 (pads 1), Add with the skip (the Relu's output), GlobalAveragePool, Flatten,
// Gemm 3 -> 2, on a 1x2x6x6 input: the elementwise routine (the affine form of BatchNormalization
// with its public constants, the residual Add) and the global average pool end to end.
inline void write_resnet(const std::filesystem::path& onnx, const std::filesystem::path& input, uint64_t seed) {
  TestRng rng(seed);
  onnx::ModelProto m = evm_models::new_model("resnet");
  auto* g = m.mutable_graph();
  test_onnx::add_init(g, "W1", {3, 2, 3, 3}, test_onnx::rnd(rng, 54, 0.6));
  test_onnx::add_init(g, "b1", {3}, test_onnx::rnd(rng, 3, 0.2));
  auto pos = [&](size_t n, double lo, double span) {
    std::vector<float> v = test_onnx::rnd(rng, n, span);
    for (auto& x : v) x = static_cast<float>(lo + std::abs(x));
    return v;
  };
  test_onnx::add_init(g, "bn_scale", {3}, pos(3, 0.5, 0.5));
  test_onnx::add_init(g, "bn_bias", {3}, test_onnx::rnd(rng, 3, 0.3));
  test_onnx::add_init(g, "bn_mean", {3}, test_onnx::rnd(rng, 3, 0.3));
  test_onnx::add_init(g, "bn_var", {3}, pos(3, 0.5, 0.5));
  test_onnx::add_init(g, "W2", {3, 3, 3, 3}, test_onnx::rnd(rng, 81, 0.4));
  test_onnx::add_init(g, "W", {2, 3}, test_onnx::rnd(rng, 6, 0.8));
  test_onnx::add_init(g, "b", {2}, test_onnx::rnd(rng, 2, 0.2));
  test_onnx::add_io(g->add_input(), "x", {1, 2, 6, 6});
  test_onnx::add_io(g->add_output(), "y", {1, 2});
  test_onnx::set_ints(test_onnx::add_node(g, "Conv", {"x", "W1", "b1"}, "c1"), "pads", {1, 1, 1, 1});
  test_onnx::add_node(g, "BatchNormalization", {"c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, "n1");
  test_onnx::add_node(g, "Relu", {"n1"}, "r1");
  test_onnx::set_ints(test_onnx::add_node(g, "Conv", {"r1", "W2"}, "c2"), "pads", {1, 1, 1, 1});
  test_onnx::add_node(g, "Add", {"c2", "r1"}, "s");
  test_onnx::add_node(g, "GlobalAveragePool", {"s"}, "p");
  test_onnx::add_node(g, "Flatten", {"p"}, "f");
  test_onnx::set_int(test_onnx::add_node(g, "Gemm", {"f", "W", "b"}, "y"), "transB", 1);
  evm_models::save_model(m, onnx, input, test_onnx::rnd(rng, 72, 1.5));
}


// A deep perceptron: 7 hidden layers 8 -> 8 (Gemm, Relu) and a Gemm 8 -> 3: 15 node steps, more
// than the contract keeps itself (the generator puts them in node libraries).
inline void write_deep_mlp(const std::filesystem::path& onnx, const std::filesystem::path& input, uint64_t seed) {
  TestRng rng(seed);
  onnx::ModelProto m = evm_models::new_model("deep_mlp");
  auto* g = m.mutable_graph();
  test_onnx::add_io(g->add_input(), "x", {1, 8});
  test_onnx::add_io(g->add_output(), "y", {1, 3});
  std::string cur = "x";
  for (int l = 0; l < 7; ++l) {
    const std::string k = std::to_string(l);
    test_onnx::add_init(g, "W" + k, {8, 8}, test_onnx::rnd(rng, 64, 0.5));
    test_onnx::add_init(g, "b" + k, {8}, test_onnx::rnd(rng, 8, 0.2));
    test_onnx::set_int(test_onnx::add_node(g, "Gemm", {cur, "W" + k, "b" + k}, "h" + k), "transB", 1);
    test_onnx::add_node(g, "Relu", {"h" + k}, "r" + k);
    cur = "r" + k;
  }
  test_onnx::add_init(g, "Wo", {3, 8}, test_onnx::rnd(rng, 24, 0.8));
  test_onnx::add_init(g, "bo", {3}, test_onnx::rnd(rng, 3, 0.2));
  test_onnx::set_int(test_onnx::add_node(g, "Gemm", {cur, "Wo", "bo"}, "y"), "transB", 1);
  evm_models::save_model(m, onnx, input, test_onnx::rnd(rng, 8, 1.5));
}

}  // namespace zkinfer::evm_models
