// Whole-model proofs of small ONNX models built here (onnx protobuf) around the ops whose
// protocols have no EZKL example: Clip (bounds as inputs: ReLU6 = Clip(0, 6), a Clip with only a
// max, a Clip with negative bounds) between Gemm layers, and PRelu (per-channel slope after a Conv,
// per-feature slope after a Gemm). Each compiles without blockers, proves and
// verifies (zero-knowledge and plain) against the verifying key's public model with the integer
// executor's output; a changed
// output and another model's Clip bounds (same weights) are rejected; Clip with min above max is
// refused by the planner with its node named.
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
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using namespace test_onnx;

// x[1, 8] -> Gemm(8 -> 6) -> Clip(lo1, hi1) -> Gemm(6 -> 4) -> Clip(lo2, hi2) -> y[1, 4] (opset 13;
// an empty bound name: that bound omitted).
std::vector<uint8_t> clip_mlp(TestRng& rng, const std::string& lo1, const std::string& hi1, const std::string& lo2,
                              const std::string& hi2, float lo1v, float hi1v, float lo2v, float hi2v) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("clip_mlp");
  auto rnd = [&](size_t n, double scale) {
    std::vector<float> v(n);
    for (auto& f : v) f = static_cast<float>(scale * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0));
    return v;
  };
  add_init(g, "w1", {8, 6}, rnd(48, 1.5));
  add_init(g, "b1", {6}, rnd(6, 0.5));
  add_init(g, "w2", {6, 4}, rnd(24, 1.0));
  add_init(g, "b2", {4}, rnd(4, 0.5));
  if (!lo1.empty()) add_init(g, lo1, {}, {lo1v});
  if (!hi1.empty()) add_init(g, hi1, {}, {hi1v});
  if (!lo2.empty()) add_init(g, lo2, {}, {lo2v});
  if (!hi2.empty()) add_init(g, hi2, {}, {hi2v});
  add_io(g->add_input(), "x", {1, 8});
  add_io(g->add_output(), "y", {1, 4});
  add_node(g, "Gemm", {"x", "w1", "b1"}, "h1");
  add_node(g, "Clip", {"h1", lo1, hi1}, "c1");
  add_node(g, "Gemm", {"c1", "w2", "b2"}, "h2");
  add_node(g, "Clip", {"h2", lo2, hi2}, "y");
  std::string bytes;
  m.SerializeToString(&bytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// x[1, 2, 4, 4] -> Conv(2 -> 3, 3x3, pad 1) -> PRelu(slope [3, 1, 1], per channel) -> Flatten ->
// Gemm(48 -> 5) -> PRelu(slope [5]) -> y[1, 5] (opset 13).
std::vector<uint8_t> prelu_net(TestRng& rng) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("prelu_net");
  auto rnd = [&](size_t n, double lo, double hi) {
    std::vector<float> v(n);
    for (auto& f : v) f = static_cast<float>(lo + (hi - lo) * static_cast<double>(rng.next_u64() % 1001) / 1000.0);
    return v;
  };
  add_init(g, "cw", {3, 2, 3, 3}, rnd(54, -0.8, 0.8));
  add_init(g, "cb", {3}, rnd(3, -0.3, 0.3));
  add_init(g, "s1", {3, 1, 1}, {0.1f, -0.25f, 0.6f});
  add_init(g, "w", {48, 5}, rnd(240, -0.5, 0.5));
  add_init(g, "b", {5}, rnd(5, -0.3, 0.3));
  add_init(g, "s2", {5}, rnd(5, 0.05, 0.5));
  add_io(g->add_input(), "x", {1, 2, 4, 4});
  add_io(g->add_output(), "y", {1, 5});
  auto* conv = add_node(g, "Conv", {"x", "cw", "cb"}, "c");
  auto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) pads->add_ints(1);
  add_node(g, "PRelu", {"c", "s1"}, "p1");
  add_node(g, "Flatten", {"p1"}, "f");
  add_node(g, "Gemm", {"f", "w", "b"}, "h");
  add_node(g, "PRelu", {"h", "s2"}, "y");
  std::string bytes;
  m.SerializeToString(&bytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

struct Built {
  quant::CompiledModel model;
  std::vector<graph::Sample> samples;
};

Built build(const std::vector<uint8_t>& onnx, TestRng& rng, size_t in_size = 8) {
  graph::Graph g = graph::load_onnx_bytes(onnx, "test.onnx");
  std::vector<graph::Sample> samples;
  for (int s = 0; s < 8; ++s) {
    graph::Sample x;
    x.inputs.emplace_back(in_size);
    for (auto& v : x.inputs[0]) v = 3.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    samples.push_back(std::move(x));
  }
  Built b{quant::quantize(std::move(g), samples, ops::QuantConfig{}), samples};
  return b;
}

TEST(OpsModel, ClipModelsProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  struct Case {
    const char* what;
    std::string lo1, hi1, lo2, hi2;
    float lo1v, hi1v, lo2v, hi2v;
  };
  const std::vector<Case> cases{{"relu6 twice", "zero1", "six1", "zero2", "six2", 0, 6, 0, 6},
                                {"max only, then negative bounds", "", "hi1", "lo2", "hi2", 0, 1.5f, -2.5f, -0.25f}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Built b = build(clip_mlp(rng, c.lo1, c.hi1, c.lo2, c.hi2, c.lo1v, c.hi1v, c.lo2v, c.hi2v), rng);
    size_t clipped = 0;
    for (int s = 0; s < 3; ++s) {
      // Sample 0, 1: zero knowledge (the default visibility); sample 2: everything public (plain proof).
      quant::CompiledModel m = b.model;
      if (s == 2) {
        m.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
        quant::encode_model(m);
      }
      ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
      VerifyingKey vk = setup(m);
      const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
      auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, b.samples[s].inputs, "x")));
      std::vector<ops::ITensor> public_in;
      if (s == 2) public_in.push_back(trace.values[m.graph.inputs[0]]);
      // The inputs reach both sides of each bound somewhere (the test exercises the clamping).
      for (size_t k = 0; k < m.graph.nodes.size(); ++k)
        if (m.graph.nodes[k].op_type == "Clip") {
          const auto& xin = trace.values[m.graph.nodes[k].inputs[0]].data;
          const auto& yout = trace.values[m.graph.nodes[k].outputs[0]].data;
          for (size_t i = 0; i < xin.size(); ++i) clipped += xin[i] != yout[i];
        }
      auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
      ops::ITensor out;
      Verdict v = verify(pub, vk, bytes, &out, nullptr, public_in);
      ASSERT_TRUE(v.ok()) << v.reason();
      EXPECT_EQ(out.data, trace.outputs(m)[0].data);
      // A changed output value (the public output's first entry) is rejected.
      auto bad = bytes;
      bad[4 + 4 + 1 + 32 + 8] ^= 1;
      EXPECT_FALSE(verify(pub, vk, bad, nullptr, nullptr, public_in).ok());
    }
    const auto& m = b.model;
    VerifyingKey vk = setup(m);
    EXPECT_GT(clipped, 0u) << "no entry was clipped: the test would not exercise the bounds";
    // The same model with the second Clip's max one step lower: its public model differs, so the
    // proof (and key) for the first are rejected.
    quant::CompiledModel other = m;
    for (size_t k = m.graph.nodes.size(); k-- > 0;)
      if (other.graph.nodes[k].op_type == "Clip") {
        other.params[k].ints["max"] -= 1;
        break;
      }
    quant::encode_model(other);
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, b.samples[0].inputs, "x")));
    auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
    EXPECT_FALSE(verify(other, vk, bytes).ok());
  }
}

// PRelu with per-channel (Conv) and per-feature (Gemm) slopes: proves and verifies, zero-knowledge
// (private weights: the slopes' claims are opened against their commitments) and plain (fixed
// weights: the verifier evaluates the slopes itself); a changed output is rejected; a slope that
// is not a constant is a blocker.
TEST(OpsModel, PReluModelProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  Built b = build(prelu_net(rng), rng, 32);
  size_t negative = 0;
  for (int s = 0; s < 3; ++s) {
    quant::CompiledModel m = b.model;
    if (s == 2) {
      m.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
      quant::encode_model(m);
    }
    ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
    VerifyingKey vk = setup(m);
    const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, b.samples[s].inputs, "x")));
    for (const auto& n : m.graph.nodes)
      if (n.op_type == "PRelu")
        for (int64_t v : trace.values[n.inputs[0]].data) negative += v < 0;
    std::vector<ops::ITensor> public_in;
    if (s == 2) public_in.push_back(trace.values[m.graph.inputs[0]]);
    auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
    ops::ITensor out;
    Verdict v = verify(pub, vk, bytes, &out, nullptr, public_in);
    ASSERT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(out.data, trace.outputs(m)[0].data);
    auto bad = bytes;
    bad[4 + 4 + 1 + 32 + 8] ^= 1;
    EXPECT_FALSE(verify(pub, vk, bad, nullptr, nullptr, public_in).ok());
  }
  EXPECT_GT(negative, 0u) << "no negative PRelu input: the slopes would not be exercised";
  // A slope that is a graph input instead of a constant: a blocker naming the node.
  quant::CompiledModel m = b.model;
  for (auto& n : m.graph.nodes)
    if (n.op_type == "PRelu") {
      n.inputs[1] = n.inputs[0];
      break;
    }
  auto bs = blockers(m);
  ASSERT_EQ(bs.size(), 1u) << describe_blockers(bs);
  EXPECT_EQ(bs[0].op, "PRelu");
  EXPECT_NE(bs[0].reason.find("slope must be a constant"), std::string::npos) << bs[0].reason;
}

TEST(OpsModel, ClipWithMinAboveMaxIsABlocker) {
  TestRng rng(testing::test_seed());
  Built b = build(clip_mlp(rng, "lo1", "hi1", "lo2", "hi2", 2, 1, 0, 6), rng);
  auto bs = blockers(b.model);
  ASSERT_EQ(bs.size(), 1u) << describe_blockers(bs);
  EXPECT_EQ(bs[0].node, 1);
  EXPECT_EQ(bs[0].op, "Clip");
  EXPECT_NE(bs[0].reason.find("min above max"), std::string::npos) << bs[0].reason;
}

}  // namespace
}  // namespace zkinfer::proof
