// Tests of fuse_gelu (graph/fuse_unary.h): GELUs spelled out as exporters write them become one
// Gelu node with the same float outputs (differential against the unfused graph, and against the
// definitions); subgraphs that are not a GELU, or whose inner tensors are used elsewhere, are left
// alone.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "graph/float_executor.h"
#include "graph/fuse_unary.h"
#include "graph/onnx_loader.h"
#include "onnx_build.h"
#include "graph_test_util.h"

namespace zkinfer::graph {
namespace {

using test_util::count_op;

using namespace zkinfer::test_onnx;

enum class Form {
  kTanhMul,     // GPT-2's NewGELU as scripts/gpt2/export_gpt2.py exports it: x*x*x by products
  kTanhPow,     // Hugging Face's NewGELUActivation: Pow(x, 3), 0.5 * x first
  kErf,         // torch.nn.GELU(): x * 0.5 * (1 + erf(x / sqrt 2))
  kNotGelu,     // the tanh form with a wrong cubic coefficient (0.5 instead of 0.044715)
  kLeak,        // the tanh form whose tanh is also a model output
  kScaledGelu,  // 2 * gelu(x): the GELU part fuses, the scaling stays
};

// x: [2, 8] -> Add of a bias b (not part of the GELU) -> t -> gelu(t) -> y.
std::vector<uint8_t> model(Form f) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("gelu");
  add_io(g->add_input(), "x", {2, 8});
  add_io(g->add_output(), "y", {2, 8});
  std::vector<float> bias(8);
  for (size_t i = 0; i < 8; ++i) bias[i] = 0.1f * static_cast<float>(i) - 0.3f;
  add_init(g, "b", {8}, bias);
  add_node(g, "Add", {"x", "b"}, "t");
  const float c0 = static_cast<float>(std::sqrt(2 / std::numbers::pi));
  switch (f) {
    case Form::kTanhMul:
    case Form::kNotGelu:
    case Form::kLeak:
    case Form::kScaledGelu:
      add_node(g, "Mul", {"t", "t"}, "t2");
      add_node(g, "Mul", {"t", "t2"}, "t3");
      add_init(g, "c1", {}, {f == Form::kNotGelu ? 0.5f : 0.044715f});
      add_node(g, "Mul", {"c1", "t3"}, "a");
      add_node(g, "Add", {"t", "a"}, "u");
      add_init(g, "c0", {}, {c0});
      add_node(g, "Mul", {"c0", "u"}, "v");
      add_node(g, "Tanh", {"v"}, "th");
      add_init(g, "one", {}, {1.0f});
      add_node(g, "Add", {"one", "th"}, "p");
      add_node(g, "Mul", {"t", "p"}, "q");
      add_init(g, "half", {}, {0.5f});
      if (f == Form::kScaledGelu) {
        add_node(g, "Mul", {"half", "q"}, "gl");
        add_init(g, "two", {}, {2.0f});
        add_node(g, "Mul", {"gl", "two"}, "y");
      } else {
        add_node(g, "Mul", {"half", "q"}, "y");
      }
      if (f == Form::kLeak) add_io(g->add_output(), "th", {2, 8});
      break;
    case Form::kTanhPow:
      add_init(g, "half", {}, {0.5f});
      add_node(g, "Mul", {"half", "t"}, "h");
      add_init(g, "three", {}, {3.0f});
      add_node(g, "Pow", {"t", "three"}, "t3");
      add_init(g, "c1", {}, {0.044715f});
      add_node(g, "Mul", {"t3", "c1"}, "a");
      add_node(g, "Add", {"t", "a"}, "u");
      add_init(g, "c0", {}, {c0});
      add_node(g, "Mul", {"u", "c0"}, "v");
      add_node(g, "Tanh", {"v"}, "th");
      add_init(g, "one", {}, {1.0f});
      add_node(g, "Add", {"th", "one"}, "p");
      add_node(g, "Mul", {"h", "p"}, "y");
      break;
    case Form::kErf:
      add_init(g, "s2", {}, {static_cast<float>(std::numbers::sqrt2)});
      add_node(g, "Div", {"t", "s2"}, "d");
      add_node(g, "Erf", {"d"}, "e");
      add_init(g, "one", {}, {1.0f});
      add_node(g, "Add", {"e", "one"}, "p");
      add_node(g, "Mul", {"t", "p"}, "q");
      add_init(g, "half", {}, {0.5f});
      add_node(g, "Mul", {"q", "half"}, "y");
      break;
  }
  return serialize(m);
}

// Runs the model unfused and fused on the same input; returns the fused graph and the count.
std::pair<Graph, size_t> check_same_outputs(Form f) {
  TestRng rng(11);
  ops::FTensor x({2, 8});
  for (auto& e : x.data) e = static_cast<double>(rng.next_u64() % 2001) / 200.0 - 5.0;
  x.data[3] = 0.0;
  Graph plain = load_onnx_bytes(model(f), "gelu.onnx");
  bind_shapes(plain, {x});
  fold_constants(plain, true);
  Graph fused = plain;
  const size_t n = fuse_gelu(fused);
  const auto a = run_float(plain, {x});
  const auto b = run_float(fused, {x});
  EXPECT_EQ(a.size(), b.size());
  for (size_t o = 0; o < a.size() && o < b.size(); ++o) {
    EXPECT_EQ(a[o].shape, b[o].shape);
    // float32 constants in the exported graph: the fused Gelu differs by their rounding only.
    for (size_t i = 0; i < a[o].data.size(); ++i) EXPECT_NEAR(a[o].data[i], b[o].data[i], 1e-6) << "output " << o << " entry " << i;
  }
  return {std::move(fused), n};
}

TEST(FuseGelu, TanhFormByProductsBecomesOneNode) {
  auto [g, n] = check_same_outputs(Form::kTanhMul);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(g.nodes.size(), 2u);  // the bias Add, the Gelu
  EXPECT_EQ(g.nodes[0].op_type, "Add");
  EXPECT_EQ(g.nodes[1].op_type, "Gelu");
  EXPECT_EQ(g.nodes[1].attrs.strings.at("approximate"), "tanh");
  EXPECT_EQ(g.nodes[1].inputs, g.nodes[0].outputs);  // the Add's output is the GELU's input
  EXPECT_GE(g.nodes[1].opset, 20);
  // The definition, directly.
  ops::FTensor x({2, 8});
  for (size_t i = 0; i < 16; ++i) x.data[i] = 0.6 * static_cast<double>(i) - 4.0;
  const auto y = run_float(g, {x});
  for (size_t i = 0; i < 16; ++i) {
    const double t = x.data[i] + 0.1 * static_cast<double>(i % 8) - 0.3;
    const double want = 0.5 * t * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (t + 0.044715 * t * t * t)));
    EXPECT_NEAR(y[0].data[i], want, 1e-6) << i;
  }
}

TEST(FuseGelu, PowFormAndErfForm) {
  auto [g, n] = check_same_outputs(Form::kTanhPow);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(count_op(g, "Gelu"), 1u);
  EXPECT_EQ(count_op(g, "Pow"), 0u);
  EXPECT_EQ(count_op(g, "Tanh"), 0u);
  EXPECT_EQ(g.nodes.back().attrs.strings.at("approximate"), "tanh");
  auto [h, m] = check_same_outputs(Form::kErf);
  EXPECT_EQ(m, 1u);
  ASSERT_EQ(h.nodes.size(), 2u);
  EXPECT_EQ(h.nodes[1].op_type, "Gelu");
  EXPECT_EQ(h.nodes[1].attrs.strings.at("approximate"), "none");
}

TEST(FuseGelu, ScaledGeluFusesTheGeluPartOnly) {
  auto [g, n] = check_same_outputs(Form::kScaledGelu);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(g.nodes.size(), 3u);  // Add, Gelu, the Mul by 2
  EXPECT_EQ(g.nodes[1].op_type, "Gelu");
  EXPECT_EQ(g.nodes[2].op_type, "Mul");
}

TEST(FuseGelu, OtherFunctionsAndLeakedInnerTensorsAreLeftAlone) {
  auto [g, n] = check_same_outputs(Form::kNotGelu);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(count_op(g, "Gelu"), 0u);
  EXPECT_EQ(count_op(g, "Tanh"), 1u);
  auto [h, m] = check_same_outputs(Form::kLeak);
  EXPECT_EQ(m, 0u);
  EXPECT_EQ(count_op(h, "Tanh"), 1u);
}

}  // namespace
}  // namespace zkinfer::graph
