// Whole-model proofs of the operators the quantizer rewrites into proven ones (graph/lower_moves.h):
// ConvTranspose (2-D with strides, pads, output_padding, dilations and groups; 1-D), a MaxPool of
// an 8 x 8 window (rows, then columns), Resize (nearest by scales, linear by sizes) between Convs,
// 1-D and dilated MaxPool (window Gathers, block MaxPools), LRN, 3-D MaxPool and AveragePool,
// GatherND / ScatterND / ScatterElements with computed
// indices (one-hot products) and constant ones (data movement), TopK with both outputs used (ranks
// by comparisons, a one-hot permutation). Each compiles without blockers,
// proves and verifies (zero knowledge, the default visibility) against the verifying key's public
// model with the integer executor's output; a changed output is rejected; unsupported variants
// (GatherND with batch_dims 1 and computed indices, Resize with computed scales) are refused or a
// blocker naming the node.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "onnx_build.h"
#include "proof_offsets.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using namespace test_onnx;

struct Input {
  std::string name;
  std::vector<int64_t> dims;
  bool integer = false;
  int64_t hi = 0;  // integers: uniform in [0, hi)
};

struct Net {
  std::vector<uint8_t> onnx;
  std::vector<Input> inputs;
};

onnx::GraphProto* start(onnx::ModelProto& m, int opset, const std::vector<Input>& ins, size_t out_rank) {
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("lowered");
  for (const auto& i : ins) add_io(g->add_input(), i.name, i.dims, i.integer ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT);
  auto* v = g->add_output();
  v->set_name("y");
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (size_t k = 0; k < out_rank; ++k) tt->mutable_shape()->add_dim()->set_dim_param("d" + std::to_string(k));
  return g;
}

// x[1, 4, 3, 3] -> ConvTranspose(groups 2, strides [2, 3], pads [1, 0, 1, 1], output_padding
// [1, 0], dilations [1, 2]) -> Relu -> a plain 2-D ConvTranspose (stride 2, no bias) -> y.
Net conv_transpose_net(TestRng& rng) {
  Net n;
  n.inputs = {{"x", {1, 4, 3, 3}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 4);
  add_init(g, "w1", {4, 2, 3, 2}, rnd(rng, 48, 0.8));
  add_init(g, "b1", {4}, rnd(rng, 4, 0.3));
  add_init(g, "w2", {4, 2, 2, 2}, rnd(rng, 32, 0.8));
  auto* c1 = add_node(g, "ConvTranspose", {"x", "w1", "b1"}, "c1");
  set_int(c1, "group", 2);
  set_ints(c1, "strides", {2, 3});
  set_ints(c1, "pads", {1, 0, 1, 1});
  set_ints(c1, "output_padding", {1, 0});
  set_ints(c1, "dilations", {1, 2});
  add_node(g, "Relu", {"c1"}, "r");
  set_ints(add_node(g, "ConvTranspose", {"r", "w2"}, "y"), "strides", {2, 2});
  n.onnx = serialize(m);
  return n;
}

// x[1, 3, 5] -> ConvTranspose 1-D (3 -> 2, kernel 3, stride 2, pads [1, 0]) -> y.
Net conv_transpose_1d_net(TestRng& rng) {
  Net n;
  n.inputs = {{"x", {1, 3, 5}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 3);
  add_init(g, "w", {3, 2, 3}, rnd(rng, 18, 0.8));
  add_init(g, "b", {2}, rnd(rng, 2, 0.3));
  auto* c = add_node(g, "ConvTranspose", {"x", "w", "b"}, "y");
  set_ints(c, "strides", {2});
  set_ints(c, "pads", {1, 0});
  n.onnx = serialize(m);
  return n;
}

// x[1, 2, 16, 16] -> MaxPool 8 x 8, stride 8 (64 entries a window) -> y.
Net big_pool_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {1, 2, 16, 16}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 4);
  auto* p = add_node(g, "MaxPool", {"x"}, "y");
  set_ints(p, "kernel_shape", {8, 8});
  set_ints(p, "strides", {8, 8});
  n.onnx = serialize(m);
  return n;
}

void set_str(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// A U-Net-style decoder: x[1, 2, 4, 4] -> Conv 3x3 (pad 1, 2 -> 3) -> Relu -> Resize nearest
// (scales [1, 1, 2, 2], opset 13, roi absent) -> Conv 3x3 (pad 1, 3 -> 2) -> Resize linear
// (sizes [1, 2, 6, 10], half_pixel) -> y [1, 2, 6, 10].
Net resize_conv_net(TestRng& rng) {
  Net n;
  n.inputs = {{"x", {1, 2, 4, 4}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 4);
  add_init(g, "w1", {3, 2, 3, 3}, rnd(rng, 54, 0.5));
  add_init(g, "b1", {3}, rnd(rng, 3, 0.2));
  add_init(g, "w2", {2, 3, 3, 3}, rnd(rng, 54, 0.5));
  add_init(g, "scales", {4}, {1, 1, 2, 2});
  add_init_i64(g, "sizes", {4}, {1, 2, 6, 10});
  set_ints(add_node(g, "Conv", {"x", "w1", "b1"}, "c1"), "pads", {1, 1, 1, 1});
  add_node(g, "Relu", {"c1"}, "r");
  set_str(add_node(g, "Resize", {"r", "", "scales"}, "u"), "mode", "nearest");
  set_ints(add_node(g, "Conv", {"u", "w2"}, "c2"), "pads", {1, 1, 1, 1});
  set_str(add_node(g, "Resize", {"c2", "", "", "sizes"}, "y"), "mode", "linear");
  n.onnx = serialize(m);
  return n;
}

// MaxPool forms the MaxPool step does not take as they are: x[1, 2, 11] -> 1-D MaxPool (kernel 3,
// stride 2, pads 1, ceil_mode) -> Reshape [1, 2, 2, 3] -> 2-D MaxPool with dilations [1, 2]
// (kernel 2 x 2) -> y [1, 2, 1, 1].
Net odd_pool_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {1, 2, 11}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 4);
  add_init_i64(g, "shape", {4}, {1, 2, 2, 3});
  auto* p1 = add_node(g, "MaxPool", {"x"}, "p1");
  set_ints(p1, "kernel_shape", {3});
  set_ints(p1, "strides", {2});
  set_ints(p1, "pads", {1, 1});
  set_int(p1, "ceil_mode", 1);
  add_node(g, "Reshape", {"p1", "shape"}, "r");
  auto* p2 = add_node(g, "MaxPool", {"r"}, "y");
  set_ints(p2, "kernel_shape", {2, 2});
  set_ints(p2, "dilations", {1, 2});
  n.onnx = serialize(m);
  return n;
}

// x[1, 4, 3, 3] -> LRN (size 3, alpha 0.6, beta 0.75, bias 1) -> Relu -> y.
// z[1, 2, 4, 5, 4] -> MaxPool 3-D (2, 2, 2; strides 2, 1, 2) -> AveragePool 3-D (2, 2, 2; pads
// 1 on every side, count_include_pad 0) -> w.
Net lrn_pool3d_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {1, 4, 3, 3}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 4);
  auto* l = add_node(g, "LRN", {"x"}, "l");
  set_int(l, "size", 3);
  for (const auto& [name, v] : std::vector<std::pair<std::string, float>>{{"alpha", 0.6f}, {"beta", 0.75f}, {"bias", 1.0f}}) {
    auto* a = l->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  add_node(g, "Relu", {"l"}, "y");
  n.onnx = serialize(m);
  return n;
}

Net pool3d_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {1, 2, 4, 5, 4}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 5);
  auto* p1 = add_node(g, "MaxPool", {"x"}, "p");
  set_ints(p1, "kernel_shape", {2, 2, 2});
  set_ints(p1, "strides", {2, 1, 2});
  auto* p2 = add_node(g, "AveragePool", {"p"}, "y");
  set_ints(p2, "kernel_shape", {2, 2, 2});
  set_ints(p2, "pads", {1, 1, 1, 1, 1, 1});
  n.onnx = serialize(m);
  return n;
}

// x[6, 4], rows i[3, 1] (computed), upd[2, 4], cols j[6, 2] (computed), v[6, 2]:
// a = GatherND(x, i) [3, 4]; b = ScatterND(x, [[5], [0]] (constant), upd) [6, 4];
// c = ScatterElements(b, j, v, axis 1) [6, 4]; y = Concat(a, c) along axis 0 -> [9, 4].
Net gather_scatter_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {6, 4}}, {"i", {3, 1}, true, 6}, {"upd", {2, 4}}, {"j", {6, 2}, true, 4}, {"v", {6, 2}}};
  onnx::ModelProto m;
  auto* g = start(m, 16, n.inputs, 2);
  add_init_i64(g, "rows", {2, 1}, {5, 0});
  add_node(g, "GatherND", {"x", "i"}, "a");
  add_node(g, "ScatterND", {"x", "rows", "upd"}, "b");
  auto* se = add_node(g, "ScatterElements", {"b", "j", "v"}, "c");
  set_int(se, "axis", 1);
  auto* a = se->add_attribute();
  a->set_name("reduction");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("add");  // repeated random columns add up on both sides
  set_int(add_node(g, "Concat", {"a", "c"}, "y"), "axis", 0);
  n.onnx = serialize(m);
  return n;
}

// x[3, 7] -> TopK(K = 4, axis 1): values v and indices i; y = v + GatherElements(x, i) -> [3, 4].
Net top_k_net(TestRng&) {
  Net n;
  n.inputs = {{"x", {3, 7}}};
  onnx::ModelProto m;
  auto* g = start(m, 13, n.inputs, 2);
  add_init_i64(g, "k", {1}, {4});
  add_node_outs(g, "TopK", {"x", "k"}, {"v", "i"});
  set_int(add_node(g, "GatherElements", {"x", "i"}, "e"), "axis", 1);
  add_node(g, "Add", {"v", "e"}, "y");
  n.onnx = serialize(m);
  return n;
}

std::vector<graph::Sample> samples_for(const Net& net, TestRng& rng, int count) {
  std::vector<graph::Sample> v;
  for (int s = 0; s < count; ++s) {
    graph::Sample smp;
    for (const auto& in : net.inputs) {
      std::vector<double> x(static_cast<size_t>(ops::numel(in.dims)));
      for (auto& e : x)
        e = in.integer ? static_cast<double>(rng.next_u64() % static_cast<uint64_t>(in.hi))
                       : 3.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
      smp.inputs.push_back(std::move(x));
    }
    v.push_back(std::move(smp));
  }
  return v;
}

size_t count_op(const quant::CompiledModel& m, const std::string& op) {
  size_t k = 0;
  for (const auto& n : m.graph.nodes) k += n.op_type == op;
  return k;
}

void prove_and_check(const Net& net, TestRng& rng, const std::vector<std::string>& gone) {
  auto samples = samples_for(net, rng, 6);
  quant::CompiledModel m = quant::quantize(graph::load_onnx_bytes(net.onnx, "test.onnx"), samples, ops::QuantConfig{});
  for (const auto& op : gone) EXPECT_EQ(count_op(m, op), 0u) << op << " was not rewritten";
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  VerifyingKey vk = setup(m);
  const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
  for (int s = 0; s < 2; ++s) {
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[s].inputs, "x")));
    auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
    ops::ITensor out;
    Verdict v = verify(pub, vk, bytes, &out);
    ASSERT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(out.data, trace.outputs(m)[0].data);
    // A changed output value (the public output's first entry) is rejected.
    auto bad = bytes;
    bad[testing::kFirstOutputByte] ^= 1;
    EXPECT_FALSE(verify(pub, vk, bad).ok());
  }
}

TEST(LoweredModel, ConvTransposeProves) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(conv_transpose_net(rng), rng, {"ConvTranspose"});
  prove_and_check(conv_transpose_1d_net(rng), rng, {"ConvTranspose"});
}

TEST(LoweredModel, MaxPoolOf64EntriesProves) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(big_pool_net(rng), rng, {});
}

TEST(LoweredModel, ResizeAndConvProve) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(resize_conv_net(rng), rng, {"Resize"});
}

TEST(LoweredModel, OneDAndDilatedMaxPoolProve) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(odd_pool_net(rng), rng, {});
}

TEST(LoweredModel, LrnAnd3dPoolsProve) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(lrn_pool3d_net(rng), rng, {"LRN"});
  prove_and_check(pool3d_net(rng), rng, {});
}

// Resize with computed scales has no rewrite: the planner refuses it, naming Resize and why.
TEST(LoweredModel, ResizeWithComputedScalesIsRefused) {
  TestRng rng(testing::test_seed());
  Net n;
  n.inputs = {{"x", {1, 1, 2, 2}}, {"s", {4}}};
  onnx::ModelProto mp;
  auto* g = start(mp, 13, n.inputs, 4);
  add_node(g, "Resize", {"x", "", "s"}, "y");
  n.onnx = serialize(mp);
  std::vector<graph::Sample> samples(2);
  for (auto& smp : samples) smp.inputs = {{1, 2, 3, 4}, {1, 1, 2, 2}};
  try {
    quant::CompiledModel m = quant::quantize(graph::load_onnx_bytes(n.onnx, "test.onnx"), samples, ops::QuantConfig{});
    auto bs = blockers(m);
    ASSERT_EQ(bs.size(), 1u) << describe_blockers(bs);
    EXPECT_EQ(bs[0].op, "Resize");
    EXPECT_NE(bs[0].reason.find("constants"), std::string::npos) << bs[0].reason;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Resize"), std::string::npos) << what;
    EXPECT_NE(what.find("not constants"), std::string::npos) << what;
  }
}

TEST(LoweredModel, GatherScatterProve) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(gather_scatter_net(rng), rng, {"GatherND", "ScatterND", "ScatterElements"});
}

TEST(LoweredModel, TopKProves) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  prove_and_check(top_k_net(rng), rng, {"TopK"});
}

// GatherND with batch_dims 1 and computed indices has no rewrite: a blocker naming the node.
TEST(LoweredModel, GatherNdBatchDimsWithComputedIndicesIsABlocker) {
  TestRng rng(testing::test_seed());
  Net n;
  n.inputs = {{"x", {2, 4, 3}}, {"i", {2, 2, 1}, true, 4}};
  onnx::ModelProto mp;
  auto* g = start(mp, 13, n.inputs, 3);
  set_int(add_node(g, "GatherND", {"x", "i"}, "y"), "batch_dims", 1);
  n.onnx = serialize(mp);
  auto samples = samples_for(n, rng, 4);
  quant::CompiledModel m;
  try {
    m = quant::quantize(graph::load_onnx_bytes(n.onnx, "test.onnx"), samples, ops::QuantConfig{});
  } catch (const Error& e) {
    // The planner may refuse at quantization already; the reason must name GatherND.
    EXPECT_NE(std::string(e.what()).find("GatherND"), std::string::npos) << e.what();
    return;
  }
  auto bs = blockers(m);
  ASSERT_EQ(bs.size(), 1u) << describe_blockers(bs);
  EXPECT_EQ(bs[0].op, "GatherND");
  EXPECT_NE(bs[0].reason.find("batch_dims"), std::string::npos) << bs[0].reason;
}

}  // namespace
}  // namespace zkinfer::proof
