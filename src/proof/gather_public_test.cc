// Gather by private indices from a table the verifier holds (public or fixed weights): rows of
// C >= 2 entries gathered by at most 2C indices use the one-hot product (steps/gather_committed.cc)
// instead of one lookup per column (steps/gather.cc), so that such a proof is no larger than with
// the table committed (docs/PROOF.md, "Proof size by weight visibility"). The proof verifies in
// both modes, is not larger than the private-weights proof, a changed output and a changed public
// token are rejected (a table other than the key's cannot be proven at all: the key binds the
// fixed weights' digest); a one-column table keeps its lookup and proves.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/blockers.h"
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

constexpr int64_t kVocab = 11, kTokens = 6;

// tokens[1, 6] -> Gather(emb[11, width]) -> [1, 6, width] -> MatMul(w[width, 3]) -> y[1, 6, 3].
std::vector<uint8_t> embedding_net(TestRng& rng, int64_t width) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("embedding_net");
  add_init(g, "emb", {kVocab, width}, rnd(rng, static_cast<size_t>(kVocab * width), 1.0));
  add_init(g, "w", {width, 3}, rnd(rng, static_cast<size_t>(width * 3), 1.0));
  add_io(g->add_input(), "tokens", {1, kTokens}, onnx::TensorProto::INT64);
  add_io(g->add_output(), "y", {1, kTokens, 3});
  set_int(add_node_outs(g, "Gather", {"emb", "tokens"}, {"e"}), "axis", 0);
  add_node_outs(g, "MatMul", {"e", "w"}, {"y"});
  return serialize(m);
}

std::vector<graph::Sample> token_samples(TestRng& rng) {
  std::vector<graph::Sample> samples;
  for (int s = 0; s < 3; ++s) {
    graph::Sample x;
    x.inputs.emplace_back(kTokens);
    for (auto& v : x.inputs.back()) v = static_cast<double>(rng.next_u64() % static_cast<uint64_t>(kVocab));
    samples.push_back(std::move(x));
  }
  return samples;
}

quant::CompiledModel with_visibility(quant::CompiledModel m, quant::Visibility input, quant::Visibility weights) {
  m.visibility.input = input;
  m.visibility.weights = weights;
  quant::encode_model(m);
  return m;
}

struct Proven {
  VerifyingKey vk;
  quant::CompiledModel pub;
  std::vector<ops::ITensor> in;
  std::vector<uint8_t> proof;
};

Proven prove_ok(const quant::CompiledModel& m, const graph::Sample& sample, TestRng& rng) {
  Proven p;
  EXPECT_TRUE(blockers(m).empty()) << *unsupported(m);
  p.vk = setup(m);
  p.pub = decode_vk_file(encode_vk_file(p.vk, quant::encode_public_model(m))).model;
  p.in = quant::quantize_inputs(m, graph::make_inputs(m.graph, sample.inputs, "x"));
  const auto trace = quant::run_int(m, p.in);
  p.proof = prove(m, p.vk, trace, pcs::random_fr(rng));
  std::vector<ops::ITensor> public_in;
  if (m.visibility.input == quant::Visibility::kPublic) public_in = p.in;
  ops::ITensor out;
  const Verdict v = verify(p.pub, p.vk, p.proof, &out, nullptr, public_in);
  EXPECT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  auto bad = p.proof;
  bad[4 + 4 + 1 + 32 + 8] ^= 1;  // the public output's first entry
  EXPECT_FALSE(verify(p.pub, p.vk, bad, nullptr, nullptr, public_in).ok());
  return p;
}

TEST(GatherPublicTable, OneHotProductKeepsTheProofAsSmallAsWithACommittedTable) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  constexpr int64_t kWidth = 8;  // 8 columns, 6 indices
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng, kWidth), "embedding_net.onnx");
  auto samples = token_samples(rng);
  const quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  const Proven priv = prove_ok(m, samples[0], rng);
  for (auto w : {quant::Visibility::kPublic, quant::Visibility::kFixed}) {
    SCOPED_TRACE(quant::visibility_name(w));
    const Proven pub = prove_ok(with_visibility(m, quant::Visibility::kPrivate, w), samples[0], rng);
    // One lookup per column would add about 1.8 KB a column over the committed table's proof.
    EXPECT_LE(pub.proof.size(), priv.proof.size()) << "private-weights proof " << priv.proof.size() << " bytes";
  }
  // Public tokens, fixed table: a changed token is rejected.
  const auto pm = with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed);
  const Proven p = prove_ok(pm, samples[1], rng);
  for (int64_t pos : {int64_t{0}, kTokens - 1}) {
    auto in = p.in;
    in[0].data[static_cast<size_t>(pos)] = (in[0].data[static_cast<size_t>(pos)] + 1) % kVocab;
    EXPECT_FALSE(verify(p.pub, p.vk, p.proof, nullptr, nullptr, in).ok()) << "token " << pos;
  }
}

// One column (C = 1): the lookup (gather.cc) stays; it proves and verifies with fixed weights.
TEST(GatherPublicTable, OneColumnTableKeepsTheLookup) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed() + 1);
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng, 1), "embedding_net.onnx");
  auto samples = token_samples(rng);
  const auto m = with_visibility(quant::quantize(std::move(g), samples, ops::QuantConfig{}), quant::Visibility::kPublic,
                                 quant::Visibility::kFixed);
  prove_ok(m, samples[0], rng);
}

}  // namespace
}  // namespace zkinfer::proof
