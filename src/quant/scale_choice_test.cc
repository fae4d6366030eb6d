// compile's scale choice (quant::choose_scale, docs/FRONTEND.md): the cheapest scale of the ladder
// whose integer model meets the accuracy target on the calibration samples. A chain of squarings
// doubles the relative error of its input at each step, so the scale it needs is known: checked
// against the evaluation itself (the chosen scale meets the target, every cheaper one does not).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "graph/onnx_loader.h"
#include "quant/evaluate.h"
#include "quant/quantizer.h"

namespace zkinfer::quant {
namespace {

// x[4, 1] -> Mul(x, x) repeated `squarings` times -> y[4, 1] (not a classifier: last dimension 1).
graph::Graph squaring_chain(int squarings) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("squarings");
  auto io = [](onnx::ValueInfoProto* v, const std::string& name) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(4);
    tt->mutable_shape()->add_dim()->set_dim_value(1);
  };
  io(g->add_input(), "x");
  std::string prev = "x";
  for (int k = 0; k < squarings; ++k) {
    const std::string out = k + 1 == squarings ? "y" : "h" + std::to_string(k);
    auto* n = g->add_node();
    n->set_op_type("Mul");
    n->set_name("sq" + std::to_string(k));
    n->add_input(prev);
    n->add_input(prev);
    n->add_output(out);
    prev = out;
  }
  io(g->add_output(), "y");
  std::string bytes;
  m.SerializeToString(&bytes);
  return graph::load_onnx_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), "squarings.onnx");
}

std::vector<graph::Sample> samples_in(double lo, double hi) {
  std::vector<graph::Sample> out;
  for (int s = 0; s < 4; ++s) {
    graph::Sample x;
    x.inputs.emplace_back();
    for (int i = 0; i < 4; ++i) x.inputs[0].push_back(lo + (hi - lo) * (s * 4 + i) / 15.0);
    out.push_back(std::move(x));
  }
  return out;
}

TEST(ScaleChoice, KeepsTheDefaultWhenItMeetsTheTarget) {
  const auto g = squaring_chain(1);
  const auto samples = samples_in(-2, 2);
  ScaleChoice ch = choose_scale(g, samples, ops::QuantConfig{});
  ASSERT_TRUE(ch.met) << ch.summary();
  EXPECT_EQ(ch.scale, kScaleLadder[0]);
  ASSERT_EQ(ch.trials.size(), 1u);
  EXPECT_FALSE(accuracy_shortfall(ch.model, ch.eval).has_value());
}

TEST(ScaleChoice, ClimbsUntilTheTargetIsMet) {
  // x in [1.0, 1.1], squared five times: the relative error 2^-(s+1) of x becomes 32x larger.
  const auto g = squaring_chain(5);
  const auto samples = samples_in(1.0, 1.1);
  ScaleChoice ch = choose_scale(g, samples, ops::QuantConfig{});
  ASSERT_TRUE(ch.met) << ch.summary();
  EXPECT_GT(ch.scale, kScaleLadder[0]) << ch.summary();
  EXPECT_FALSE(accuracy_shortfall(ch.model, ch.eval).has_value());
  // Every cheaper scale of the ladder was tried and falls short, as its own evaluation says.
  ASSERT_GE(ch.trials.size(), 2u);
  for (size_t i = 0; i + 1 < ch.trials.size(); ++i) {
    EXPECT_EQ(ch.trials[i].scale, kScaleLadder[i]);
    ops::QuantConfig cfg;
    cfg.base_scale = ch.trials[i].scale;
    const CompiledModel m = quantize(g, samples, cfg);
    const auto why = accuracy_shortfall(m, evaluate(m, samples));
    ASSERT_TRUE(why.has_value()) << "scale " << cfg.base_scale;
    EXPECT_EQ(ch.trials[i].outcome, *why);
  }
  EXPECT_EQ(ch.trials.back().outcome, "meets the accuracy target");
}

TEST(ScaleChoice, SaysWhyWhenNoScaleMeetsTheTarget) {
  // Ten squarings of x in [1.0, 1.2]: 1.2^1024 is beyond every activation bound, so the first scale
  // cannot even be quantized (its error is thrown). Thirteen squarings of x in [1.0, 1.0005]
  // (outputs up to e^4): the relative error 2^-(s+1) of x grows 8192x, above 1 % at every scale.
  EXPECT_THROW(choose_scale(squaring_chain(10), samples_in(1.0, 1.2), ops::QuantConfig{}), Error);
  const auto g = squaring_chain(13);
  ScaleChoice ch = choose_scale(g, samples_in(1.0, 1.0005), ops::QuantConfig{});
  ASSERT_FALSE(ch.met) << ch.summary();
  ASSERT_FALSE(ch.trials.empty());
  for (const auto& t : ch.trials) EXPECT_NE(t.outcome, "meets the accuracy target");
  EXPECT_NE(ch.summary().find("output 'y'"), std::string::npos) << ch.summary();
}

}  // namespace
}  // namespace zkinfer::quant
