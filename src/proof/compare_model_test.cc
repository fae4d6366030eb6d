// Whole-model proofs of small ONNX models built here around comparisons, boolean logic, Where,
// boolean Casts, ArgMax, Gather, GatherElements and OneHot of computed indices (steps/compare.cc,
// steps/gather.cc, steps/argmax.cc, steps/gather_elements.cc, steps/one_hot.cc): a Gemm's
// output compared with per-feature thresholds and a scalar (Less, LessOrEqual, Greater,
// GreaterOrEqual, Equal), combined by Not, And, Or, Xor, selected by Where, cast to float and
// added; a class label gathered from a constant table by a computed index; and a model on bool
// inputs (0/1 checks of the operands no producer proves boolean). Each compiles without blockers,
// proves and verifies (zero-knowledge and plain) with the integer executor's output; a changed
// output is rejected; a gather from a float table proves with private weights (a one-hot product
// with the committed table) and with fixed weights (a lookup).
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

// x[1, 8] -> Gemm(8 -> 6) = h; c1 = Less(h, t[6]); c2 = Greater(h, 0.25); c3 = LessOrEqual(-0.5, h);
// c4 = GreaterOrEqual(h, t); e = Equal(c1, c4); n = Not(c1); a = And(n, c2); o = Or(c3, e);
// x2 = Xor(a, o); w = Where(x2, h, 0.75); f = Cast(c2, float); y = Add(w, f) [1, 6].
std::vector<uint8_t> compare_net(TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("compare_net");
  add_init(g, "w1", {8, 6}, rnd(rng, 48, 1.0));
  add_init(g, "b1", {6}, rnd(rng, 6, 0.5));
  add_init(g, "t", {6}, rnd(rng, 6, 1.0));
  add_init(g, "quarter", {}, {0.25f});
  add_init(g, "mhalf", {}, {-0.5f});
  add_init(g, "c075", {}, {0.75f});
  add_io(g->add_input(), "x", {1, 8});
  add_io(g->add_output(), "y", {1, 6});
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h");
  add_node(g, "Less", {"h", "t"}, "c1");
  add_node(g, "Greater", {"h", "quarter"}, "c2");
  add_node(g, "LessOrEqual", {"mhalf", "h"}, "c3");
  add_node(g, "GreaterOrEqual", {"h", "t"}, "c4");
  add_node(g, "Equal", {"c1", "c4"}, "e");
  add_node(g, "Not", {"c1"}, "n");
  add_node(g, "And", {"n", "c2"}, "a");
  add_node(g, "Or", {"c3", "e"}, "o");
  add_node(g, "Xor", {"a", "o"}, "x2");
  add_node(g, "Where", {"x2", "h", "c075"}, "w");
  set_int(add_node(g, "Cast", {"c2"}, "f"), "to", onnx::TensorProto::FLOAT);
  add_node(g, "Add", {"w", "f"}, "y");
  return serialize(m);
}

// x[1, 8] -> Gemm(8 -> 1) -> Reshape [1] -> Greater(0) -> Cast(int64) -> Gather(table[2]) -> y[1]
// (linear_svc's shape); the table is int64 class labels or (float_table) float values.
std::vector<uint8_t> gather_net(TestRng& rng, bool float_table, bool columns = false) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("gather_net");
  add_init(g, "w1", {8, 1}, rnd(rng, 8, 1.0));
  add_init(g, "b1", {1}, {0.05f});
  add_init_i64(g, "shape", {1}, {1});
  add_init(g, "zero", {}, {0.0f});
  if (columns) add_init(g, "table", {2, 1, 3}, {-1.5f, 2.25f, 0.5f, 3.0f, -0.75f, 1.25f});
  else if (float_table) add_init(g, "table", {2}, {-1.5f, 2.25f});
  else add_init_i64(g, "table", {2}, {7, 11});
  add_io(g->add_input(), "x", {1, 8});
  if (columns) add_io(g->add_output(), "y", {1, 1, 3});
  else add_io(g->add_output(), "y", {1}, float_table ? onnx::TensorProto::FLOAT : onnx::TensorProto::INT64);
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h");
  add_node(g, "Reshape", {"h", "shape"}, "r");
  add_node(g, "Greater", {"r", "zero"}, "c");
  set_int(add_node(g, "Cast", {"c"}, "i"), "to", onnx::TensorProto::INT64);
  set_int(add_node(g, "Gather", {"table", "i"}, "y"), "axis", 0);
  return serialize(m);
}

// Bool inputs a, b, c [1, 5] (EZKL's boolean example): y = And(And(a, b), Xor(c, Not(a))).
std::vector<uint8_t> bool_net() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("bool_net");
  for (const char* n : {"a", "b", "c"}) add_io(g->add_input(), n, {1, 5}, onnx::TensorProto::BOOL);
  add_io(g->add_output(), "y", {1, 5}, onnx::TensorProto::BOOL);
  add_node(g, "And", {"a", "b"}, "ab");
  add_node(g, "Not", {"a"}, "na");
  add_node(g, "Xor", {"c", "na"}, "cx");
  add_node(g, "And", {"ab", "cx"}, "y");
  return serialize(m);
}

// x[1, 8] -> Gemm(8 -> 6) -> ArgMax(axis 1, keepdims 0) = i; ArgMin(axis 1, select_last_index) = j;
// y = Add(i, j) [1] (int64).
std::vector<uint8_t> argmax_net(TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("argmax_net");
  add_init(g, "w1", {8, 6}, rnd(rng, 48, 1.0));
  add_init(g, "b1", {6}, rnd(rng, 6, 0.5));
  add_io(g->add_input(), "x", {1, 8});
  add_io(g->add_output(), "y", {1}, onnx::TensorProto::INT64);
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h");
  auto* a = add_node(g, "ArgMax", {"h"}, "i");
  set_int(a, "axis", 1);
  set_int(a, "keepdims", 0);
  auto* b = add_node(g, "ArgMin", {"h"}, "j");
  set_int(b, "axis", 1);
  set_int(b, "keepdims", 0);
  set_int(b, "select_last_index", 1);
  add_node(g, "Add", {"i", "j"}, "y");
  return serialize(m);
}

// x[1, 8] -> Gemm(8 -> 6) = h; i = Cast(Greater(h, 0), int64) + k[6] (constant offsets 0..2);
// y = GatherElements(h, i, axis 1) [1, 6] (Hummingbird's tree traversal: the data gathered by
// computed indices).
std::vector<uint8_t> gather_elements_net(TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("gather_elements_net");
  add_init(g, "w1", {8, 6}, rnd(rng, 48, 1.0));
  add_init(g, "b1", {6}, rnd(rng, 6, 0.5));
  add_init(g, "zero", {}, {0.0f});
  add_init_i64(g, "k", {1, 6}, {0, 2, 1, 0, 3, 2});
  add_io(g->add_input(), "x", {1, 8});
  add_io(g->add_output(), "y", {1, 6});
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h");
  add_node(g, "Greater", {"h", "zero"}, "c");
  set_int(add_node(g, "Cast", {"c"}, "ci"), "to", onnx::TensorProto::INT64);
  add_node(g, "Add", {"ci", "k"}, "i");
  set_int(add_node(g, "GatherElements", {"h", "i"}, "y"), "axis", 1);
  return serialize(m);
}

// x[1, 8] -> Gemm(8 -> 6) = h; i = Cast(Greater(h, 0), int64); o = OneHot(i, 3, [-1, 2]) [1, 6, 3]
// (oh_decision_tree's encoding of computed node indices); y = Cast(o, float).
std::vector<uint8_t> one_hot_net(TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("one_hot_net");
  add_init(g, "w1", {8, 6}, rnd(rng, 48, 1.0));
  add_init(g, "b1", {6}, rnd(rng, 6, 0.5));
  add_init(g, "zero", {}, {0.0f});
  add_init_i64(g, "depth", {}, {3});
  add_init_i64(g, "values", {2}, {-1, 2});
  add_io(g->add_input(), "x", {1, 8});
  add_io(g->add_output(), "y", {1, 6, 3});
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h");
  add_node(g, "Greater", {"h", "zero"}, "c");
  set_int(add_node(g, "Cast", {"c"}, "i"), "to", onnx::TensorProto::INT64);
  add_node(g, "OneHot", {"i", "depth", "values"}, "o");
  set_int(add_node(g, "Cast", {"o"}, "y"), "to", onnx::TensorProto::FLOAT);
  return serialize(m);
}

std::vector<graph::Sample> samples_of(TestRng& rng, size_t inputs, size_t size, bool boolean) {
  std::vector<graph::Sample> samples;
  for (int s = 0; s < 8; ++s) {
    graph::Sample x;
    for (size_t i = 0; i < inputs; ++i) {
      x.inputs.emplace_back(size);
      for (auto& v : x.inputs.back())
        v = boolean ? static_cast<double>(rng.next_u64() & 1) : 3.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    }
    samples.push_back(std::move(x));
  }
  return samples;
}

// Proves samples 0 and 1 in zero knowledge (the model's visibility) and sample 2 with everything
// public (plain); each verifies with the executor's output, and a changed output is rejected.
void prove_three_ways(const quant::CompiledModel& model, const std::vector<graph::Sample>& samples, TestRng& rng) {
  for (int s = 0; s < 3; ++s) {
    SCOPED_TRACE(s);
    quant::CompiledModel m = model;
    if (s == 2) {
      m.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
      quant::encode_model(m);
    }
    ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
    VerifyingKey vk = setup(m);
    const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
    std::vector<std::string> names;
    for (int t : m.graph.inputs) names.push_back(m.graph.tensors[t].name);
    auto fin = graph::make_inputs(m.graph, samples[s].inputs, "x");
    auto trace = quant::run_int(m, quant::quantize_inputs(m, fin));
    std::vector<ops::ITensor> public_in;
    if (s == 2)
      for (int t : m.graph.inputs) public_in.push_back(trace.values[t]);
    auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
    ops::ITensor out;
    Verdict v = verify(pub, vk, bytes, &out, nullptr, public_in);
    ASSERT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(out.data, trace.outputs(m)[0].data);
    auto bad = bytes;
    bad[testing::kFirstOutputByte] ^= 1;  // the public output's first packed byte (after the count and the width)
    EXPECT_FALSE(verify(pub, vk, bad, nullptr, nullptr, public_in).ok());
  }
}

TEST(CompareModel, ComparisonsLogicAndWhereProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(compare_net(rng), "compare_net.onnx");
  auto samples = samples_of(rng, 1, 8, false);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  // The samples exercise both outcomes of the comparisons (else the test would prove constants).
  size_t ones = 0, zeros = 0;
  for (const auto& s : samples) {
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, s.inputs, "x")));
    for (size_t k = 0; k < m.graph.nodes.size(); ++k)
      if (m.graph.nodes[k].op_type == "Xor")
        for (int64_t v : trace.values[m.graph.nodes[k].outputs[0]].data) (v ? ones : zeros)++;
  }
  EXPECT_GT(ones, 0u);
  EXPECT_GT(zeros, 0u);
  prove_three_ways(m, samples, rng);
  // The comparison outputs feed the logic steps, so no operand needs a 0/1 check: a model whose
  // Where condition is another comparison is planned the same way (blockers stay empty).
  EXPECT_TRUE(blockers(m).empty());
}

TEST(CompareModel, GatherByAComputedIndexProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  {
    graph::Graph g = graph::load_onnx_bytes(gather_net(rng, false), "gather_net.onnx");
    auto samples = samples_of(rng, 1, 8, false);
    quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
    prove_three_ways(m, samples, rng);
  }
  {
    graph::Graph g = graph::load_onnx_bytes(gather_net(rng, true), "gather_net.onnx");
    auto samples = samples_of(rng, 1, 8, false);
    quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
    // Private weights: the float table stays committed, its entries gathered by a one-hot
    // product (steps/gather_committed.cc); sample 2 proves it public, by the table lookup.
    EXPECT_TRUE(blockers(m).empty());
    prove_three_ways(m, samples, rng);
    m.visibility.weights = quant::Visibility::kFixed;
    quant::encode_model(m);
    prove_three_ways(m, samples, rng);
  }
  {  // a table of rows of 3 columns (decision_tree's leaf values): one lookup per column
    graph::Graph g = graph::load_onnx_bytes(gather_net(rng, true, true), "gather_net.onnx");
    auto samples = samples_of(rng, 1, 8, false);
    quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
    m.visibility.weights = quant::Visibility::kFixed;
    quant::encode_model(m);
    prove_three_ways(m, samples, rng);
  }
}

TEST(CompareModel, ArgMaxAndArgMinProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(argmax_net(rng), "argmax_net.onnx");
  auto samples = samples_of(rng, 1, 8, false);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_three_ways(m, samples, rng);
}

TEST(CompareModel, GatherElementsByComputedIndicesProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(gather_elements_net(rng), "gather_elements_net.onnx");
  auto samples = samples_of(rng, 1, 8, false);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_three_ways(m, samples, rng);
}

TEST(CompareModel, OneHotOfComputedIndicesProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(one_hot_net(rng), "one_hot_net.onnx");
  auto samples = samples_of(rng, 1, 8, false);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_three_ways(m, samples, rng);
}

TEST(CompareModel, BoolInputsProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(bool_net(), "bool_net.onnx");
  auto samples = samples_of(rng, 3, 5, true);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_three_ways(m, samples, rng);
}

}  // namespace
}  // namespace zkinfer::proof
