// Tests of the compile-time graph rewrites (graph/onnx_loader.h). lower_reductions: ReduceL1,
// ReduceSumSquare, ReduceL2, ReduceLogSum and ReduceLogSumExp become their parts with the same
// float outputs (and those are the definitions). fuse_layer_norm: layer norms spelled out in primitive ops, as
// PyTorch exports them before opset 17, become one LayerNormalization with the same float
// outputs (differential against the unfused graph); the variants (Pow 2 or Mul(d, d), with and
// without the scale and bias, several trailing axes) fuse (opset 18's axes input is read the same
// way, but ONNX 1.12's checker here stops at opset 17); patterns whose inner tensors are used
// elsewhere, or that reduce a non-trailing axis, are left alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "graph/float_executor.h"
#include "graph/onnx_loader.h"
#include "onnx_build.h"
#include "graph_test_util.h"

namespace zkinfer::graph {
namespace {

using test_util::count_op;

using namespace zkinfer::test_onnx;

struct Variant {
  bool mul_square = false;  // Mul(d, d) instead of Pow(d, 2)
  bool affine = true;       // Mul by a scale, Add of a bias
  std::vector<int64_t> axes = {-1};
  bool leak_mean = false;   // the mean is also a model output (must not fuse)
  int opset = 13;
};

// x: [2, 3, 8]; y = layer norm of x over `axes`, spelled out.
std::vector<uint8_t> spelled_out(const Variant& v, TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(v.opset);
  auto* g = m.mutable_graph();
  g->set_name("ln");
  add_io(g->add_input(), "x", {2, 3, 8});
  add_io(g->add_output(), "y", {2, 3, 8});
  auto mean = [&](const std::string& in, const std::string& out) {
    if (v.opset >= 18) {
      add_init_i64(g, out + "_axes", {static_cast<int64_t>(v.axes.size())}, v.axes);
      add_node(g, "ReduceMean", {in, out + "_axes"}, out);
    } else {
      set_ints(add_node(g, "ReduceMean", {in}, out), "axes", v.axes);
    }
  };
  mean("x", "m");
  add_node(g, "Sub", {"x", "m"}, "d");
  if (v.mul_square) {
    add_node(g, "Mul", {"d", "d"}, "p");
  } else {
    add_init(g, "two", {}, {2.0f});
    add_node(g, "Pow", {"d", "two"}, "p");
  }
  mean("p", "v");
  add_init(g, "eps", {}, {1e-5f});
  add_node(g, "Add", {"v", "eps"}, "a");
  add_node(g, "Sqrt", {"a"}, "s");
  if (v.affine) {
    add_node(g, "Div", {"d", "s"}, "n");
    const int64_t width = v.axes.size() == 2 ? 24 : 8;
    const std::vector<int64_t> dims = v.axes.size() == 2 ? std::vector<int64_t>{3, 8} : std::vector<int64_t>{8};
    add_init(g, "gamma", dims, rnd(rng, static_cast<size_t>(width), 2.0));
    add_init(g, "beta", dims, rnd(rng, static_cast<size_t>(width), 1.0));
    add_node(g, "Mul", {"n", "gamma"}, "ng");
    add_node(g, "Add", {"ng", "beta"}, "y");
  } else {
    add_node(g, "Div", {"d", "s"}, "y");
  }
  if (v.leak_mean) add_io(g->add_output(), "m", {2, 3, 1});
  return serialize(m);
}

// Runs the variant unfused and fused on the same input; returns the fused graph.
Graph check_same_outputs(const Variant& v, uint64_t seed) {
  TestRng rng(seed);
  const auto bytes = spelled_out(v, rng);
  ops::FTensor x({2, 3, 8});
  for (auto& e : x.data) e = static_cast<double>(rng.next_u64() % 2001) / 250.0 - 4.0;
  x.data[5] = 40.0;  // an outlier: rows of different variance
  Graph plain = load_onnx_bytes(bytes, "ln.onnx");
  bind_shapes(plain, {x});
  fold_constants(plain, true);
  Graph fused = plain;
  fuse_layer_norm(fused);
  const auto a = run_float(plain, {x});
  const auto b = run_float(fused, {x});
  EXPECT_EQ(a.size(), b.size());
  for (size_t o = 0; o < a.size() && o < b.size(); ++o) {
    EXPECT_EQ(a[o].shape, b[o].shape);
    for (size_t i = 0; i < a[o].data.size(); ++i) EXPECT_NEAR(a[o].data[i], b[o].data[i], 1e-9) << "output " << o << " entry " << i;
  }
  return fused;
}

TEST(FuseLayerNorm, PowFormWithScaleAndBiasBecomesOneNode) {
  Graph g = check_same_outputs({}, 1);
  EXPECT_EQ(count_op(g, "LayerNormalization"), 1u);
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].attrs.get_int("axis", 0), 2);
  EXPECT_FLOAT_EQ(g.nodes[0].attrs.get_float("epsilon", 0), 1e-5f);
  EXPECT_EQ(g.nodes[0].inputs.size(), 3u);  // x, scale, bias
}

TEST(FuseLayerNorm, MulFormWithoutAffineFusesWithUnitScale) {
  Graph g = check_same_outputs({.mul_square = true, .affine = false}, 2);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "LayerNormalization");
  ASSERT_EQ(g.nodes[0].inputs.size(), 2u);
  for (double s : g.tensors[g.nodes[0].inputs[1]].value.data) EXPECT_EQ(s, 1.0);
}

TEST(FuseLayerNorm, TwoTrailingAxes) {
  Graph g = check_same_outputs({.axes = {1, 2}}, 3);
  ASSERT_EQ(count_op(g, "LayerNormalization"), 1u);
  EXPECT_EQ(g.nodes[0].attrs.get_int("axis", 0), 1);
  // Axes written as negative and positive indices mean the same.
  Graph h = check_same_outputs({.axes = {-2, 2}}, 4);
  EXPECT_EQ(count_op(h, "LayerNormalization"), 1u);
}

TEST(FuseLayerNorm, InnerTensorUsedElsewhereIsLeftAlone) {
  Graph g = check_same_outputs({.leak_mean = true}, 5);
  EXPECT_EQ(count_op(g, "LayerNormalization"), 0u);
  EXPECT_EQ(count_op(g, "Sqrt"), 1u);
}

TEST(FuseLayerNorm, NonTrailingAxisIsLeftAlone) {
  Graph g = check_same_outputs({.axes = {1}}, 6);
  EXPECT_EQ(count_op(g, "LayerNormalization"), 0u);
  EXPECT_EQ(count_op(g, "ReduceMean"), 2u);
}

// ---- lower_reductions ----

// y = op(x) over `axes` of x [2, 3, 4] (opset 17: axes attribute); runs it unlowered and lowered.
void check_lowered(const std::string& op, std::vector<int64_t> axes, int64_t keepdims, const std::vector<std::string>& parts) {
  SCOPED_TRACE(op);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("r");
  add_io(g->add_input(), "x", {2, 3, 4});
  std::vector<int64_t> ydims = {2, 3, 4};
  for (auto a : axes) ydims[static_cast<size_t>(a < 0 ? a + 3 : a)] = 1;
  if (keepdims == 0) {
    std::vector<int64_t> kept;
    for (size_t k = 0; k < 3; ++k)
      if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(k)) == axes.end() &&
          std::find(axes.begin(), axes.end(), static_cast<int64_t>(k) - 3) == axes.end())
        kept.push_back(ydims[k]);
    ydims = kept;
  }
  add_io(g->add_output(), "y", ydims);
  auto* n = add_node(g, op, {"x"}, "y");
  set_ints(n, "axes", axes);
  set_int(n, "keepdims", keepdims);
  TestRng rng(7);
  ops::FTensor x({2, 3, 4});
  for (auto& e : x.data) e = static_cast<double>(rng.next_u64() % 2001) / 500.0 - 2.0 + (op == "ReduceLogSum" ? 2.5 : 0.0);
  Graph plain = load_onnx_bytes(serialize(m), "r.onnx");
  bind_shapes(plain, {x});
  fold_constants(plain, true);
  Graph low = plain;
  lower_reductions(low);
  std::vector<std::string> ops_after;
  for (const auto& nd : low.nodes) ops_after.push_back(nd.op_type);
  EXPECT_EQ(ops_after, parts);
  const auto a = run_float(plain, {x}), b = run_float(low, {x});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].shape, b[0].shape);
  ASSERT_EQ(a[0].data.size(), b[0].data.size());
  for (size_t i = 0; i < a[0].data.size(); ++i) EXPECT_NEAR(a[0].data[i], b[0].data[i], 1e-9) << i;
  // The reference: the definition, computed here directly for axes {2} keepdims 1.
  if (axes == std::vector<int64_t>{2} && keepdims == 1)
    for (size_t r = 0; r < 6; ++r) {
      double acc = 0;
      for (size_t k = 0; k < 4; ++k) {
        const double v = x.data[r * 4 + k];
        acc += op == "ReduceL1" ? std::fabs(v) : op == "ReduceLogSumExp" ? std::exp(v) : op == "ReduceLogSum" ? v : v * v;
      }
      const double want = op == "ReduceL2" ? std::sqrt(acc) : (op == "ReduceLogSum" || op == "ReduceLogSumExp") ? std::log(acc) : acc;
      EXPECT_NEAR(a[0].data[r], want, 1e-9) << r;
    }
}

TEST(LowerReductions, EachBecomesItsParts) {
  check_lowered("ReduceL1", {2}, 1, {"Abs", "ReduceSum"});
  check_lowered("ReduceSumSquare", {2}, 1, {"Mul", "ReduceSum"});
  check_lowered("ReduceL2", {2}, 1, {"Mul", "ReduceSum", "Sqrt"});
  check_lowered("ReduceLogSum", {2}, 1, {"ReduceSum", "Log"});
  check_lowered("ReduceLogSumExp", {2}, 1, {"ReduceMax", "Sub", "Exp", "ReduceSum", "Log", "Add"});
}

TEST(LowerReductions, AxesAndKeepdimsCarryOver) {
  check_lowered("ReduceL2", {0, -1}, 0, {"Mul", "ReduceSum", "Sqrt"});
  check_lowered("ReduceLogSumExp", {1}, 0, {"ReduceMax", "Sub", "Exp", "ReduceSum", "Log", "ReduceMax", "Add"});
  check_lowered("ReduceLogSumExp", {0, -1}, 1, {"ReduceMax", "Sub", "Exp", "ReduceSum", "Log", "Add"});
  check_lowered("ReduceL1", {0, 1, 2}, 1, {"Abs", "ReduceSum"});
}

// ---- lower_arithmetic ----

// One model per rewrite, run before and after lower_arithmetic on the same inputs: the ops
// after are the expected ones and the float outputs are the same.
void check_arith(const std::string& what, const std::function<void(onnx::GraphProto*)>& build, size_t inputs,
                 const std::vector<std::string>& parts) {
  SCOPED_TRACE(what);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("a");
  for (size_t k = 0; k < inputs; ++k) add_io(g->add_input(), "x" + std::to_string(k), {2, 3});
  build(g);
  TestRng rng(11);
  std::vector<ops::FTensor> xs;
  for (size_t k = 0; k < inputs; ++k) {
    ops::FTensor x({2, 3});
    for (auto& e : x.data) e = static_cast<double>(rng.next_u64() % 2001) / 500.0 - 2.0;
    xs.push_back(x);
  }
  Graph plain = load_onnx_bytes(serialize(m), "a.onnx");
  bind_shapes(plain, xs);
  fold_constants(plain, true);
  Graph low = plain;
  lower_arithmetic(low);
  std::vector<std::string> ops_after;
  for (const auto& nd : low.nodes) {
    ops_after.push_back(nd.op_type);
    if (nd.op_type == "Gemm") {  // the integer model takes alpha = beta = 1 and a bias per column only
      EXPECT_EQ(nd.attrs.get_float("alpha", 1.0), 1.0);
      EXPECT_EQ(nd.attrs.get_float("beta", 1.0), 1.0);
      EXPECT_EQ(low.tensors[nd.inputs[2]].shape, (ops::Shape{4}));
    }
  }
  EXPECT_EQ(ops_after, parts);
  const auto a = run_float(plain, xs), b = run_float(low, xs);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].shape, b[0].shape);
  ASSERT_EQ(a[0].data.size(), b[0].data.size());
  for (size_t i = 0; i < a[0].data.size(); ++i) EXPECT_NEAR(a[0].data[i], b[0].data[i], 1e-6) << i;
}

TEST(LowerArithmetic, GemmScalarsSumAndMean) {
  auto gemm = [](float alpha, float beta, std::vector<int64_t> cdims, bool share_b) {
    return [=](onnx::GraphProto* g) {
      add_init(g, "B", {3, 4}, {0.5f, -1, 2, 0.25f, 1, 1.5f, -0.5f, 3, -2, 0.75f, 1, -1});
      std::vector<float> c(static_cast<size_t>(cdims.empty() ? 1 : cdims[0] * (cdims.size() > 1 ? cdims[1] : 1)), 0.3f);
      add_init(g, "C", cdims, c);
      add_io(g->add_output(), "y", {2, 4});
      auto* n = add_node(g, "Gemm", {"x0", "B", "C"}, share_b ? "g" : "y");
      auto* a = n->add_attribute();
      a->set_name("alpha");
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(alpha);
      auto* b = n->add_attribute();
      b->set_name("beta");
      b->set_type(onnx::AttributeProto::FLOAT);
      b->set_f(beta);
      if (share_b) add_node(g, "Add", {"g", "B_row"}, "y"), add_init(g, "B_row", {4}, {1, 2, 3, 4});
    };
  };
  check_arith("gemm alpha beta", gemm(0.5f, 2.0f, {4}, false), 1, {"Gemm"});
  check_arith("gemm scalar bias", gemm(1.0f, 1.0f, {}, false), 1, {"Gemm"});
  check_arith("gemm one-element bias, beta", gemm(-1.5f, 0.25f, {1}, false), 1, {"Gemm"});
  auto variadic = [](const std::string& op, size_t k) {
    return [=](onnx::GraphProto* g) {
      add_io(g->add_output(), "y", {2, 3});
      std::vector<std::string> in;
      for (size_t i = 0; i < k; ++i) in.push_back("x" + std::to_string(i));
      add_node(g, op, in, "y");
    };
  };
  check_arith("sum of 1", variadic("Sum", 1), 1, {"Identity"});
  check_arith("sum of 2 (kept: it has a protocol)", variadic("Sum", 2), 2, {"Sum"});
  check_arith("sum of 4", variadic("Sum", 4), 4, {"Add", "Add", "Add"});
  check_arith("mean of 1", variadic("Mean", 1), 1, {"Identity"});
  check_arith("mean of 3", variadic("Mean", 3), 3, {"Add", "Add", "Div"});
  check_arith("max of 1", variadic("Max", 1), 1, {"Identity"});
  check_arith("max of 3", variadic("Max", 3), 3, {"Sub", "Relu", "Add", "Sub", "Relu", "Add"});
  check_arith("min of 2", variadic("Min", 2), 2, {"Sub", "Relu", "Sub"});
}

}  // namespace
}  // namespace zkinfer::graph
