// Transformer pieces proven end to end (issue 14): the token embedding gathered from a committed
// table by private token ids (steps/gather_committed.cc), attention's Split (lowered to Slices,
// graph::lower_split), batched MatMuls of two computed operands (steps/linear.cc) and the
// row Softmax between them; Pow with power 2 (a product); and ../shared/models/tiny_gpt in the default visibility (private
// input and weights). Each proves and verifies with the integer executor's output; a changed
// output, a wrong (public) token, an embedding row that is not the committed one, a forged Softmax
// output and a trace computed with another causal mask are rejected.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>

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

constexpr int64_t kVocab = 11, kTokens = 6, kWidth = 5;

// tokens[1, 6] (int64) -> Gather(emb[11, 5]) -> [1, 6, 5] -> MatMul(w[5, 3]) -> y[1, 6, 3].
std::vector<uint8_t> embedding_net(TestRng& rng, int64_t vocab = kVocab) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("embedding_net");
  add_init(g, "emb", {vocab, kWidth}, rnd(rng, static_cast<size_t>(vocab * kWidth), 1.0));
  add_init(g, "w", {kWidth, 3}, rnd(rng, kWidth * 3, 1.0));
  add_io(g->add_input(), "tokens", {1, kTokens}, onnx::TensorProto::INT64);
  add_io(g->add_output(), "y", {1, kTokens, 3});
  set_int(add_node_outs(g, "Gather", {"emb", "tokens"}, {"e"}), "axis", 0);
  add_node_outs(g, "MatMul", {"e", "w"}, {"y"});
  return serialize(m);
}

// One attention block of 2 heads over T positions: x[1, T, 6] -> MatMul(wqkv[6, 12]) -> Split
// (axis 2, 4 + 4 + 4) -> q, k, v each Reshape [1, T, 2, 2]; q, v Transpose (0, 2, 1, 3), k
// Transpose (0, 2, 3, 1); s = MatMul(q, kT) [1, 2, T, T] (both operands computed); p = Softmax(s)
// (rows of T entries); o = MatMul(p, v) [1, 2, T, 2].
std::vector<uint8_t> attention_net(TestRng& rng, int64_t T) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("attention_net");
  add_init(g, "wqkv", {6, 12}, rnd(rng, 72, 0.8));
  add_init_i64(g, "sizes", {3}, {4, 4, 4});
  add_init_i64(g, "heads", {4}, {1, T, 2, 2});
  add_io(g->add_input(), "x", {1, T, 6});
  add_io(g->add_output(), "o", {1, 2, T, 2});
  add_node_outs(g, "MatMul", {"x", "wqkv"}, {"qkv"});
  set_int(add_node_outs(g, "Split", {"qkv", "sizes"}, {"q0", "k0", "v0"}), "axis", 2);
  for (const char* t : {"q", "k", "v"}) add_node_outs(g, "Reshape", {std::string(t) + "0", "heads"}, {std::string(t) + "1"});
  set_ints(add_node_outs(g, "Transpose", {"q1"}, {"q"}), "perm", {0, 2, 1, 3});
  set_ints(add_node_outs(g, "Transpose", {"k1"}, {"kt"}), "perm", {0, 2, 3, 1});
  set_ints(add_node_outs(g, "Transpose", {"v1"}, {"v"}), "perm", {0, 2, 1, 3});
  add_node_outs(g, "MatMul", {"q", "kt"}, {"s"});
  set_int(add_node_outs(g, "Softmax", {"s"}, {"p"}), "axis", -1);
  add_node_outs(g, "MatMul", {"p", "v"}, {"o"});
  return serialize(m);
}

std::vector<graph::Sample> token_samples(TestRng& rng, int64_t vocab = kVocab) {
  std::vector<graph::Sample> samples;
  for (int s = 0; s < 4; ++s) {
    graph::Sample x;
    x.inputs.emplace_back(kTokens);
    for (auto& v : x.inputs.back()) v = static_cast<double>(rng.next_u64() % static_cast<uint64_t>(vocab));
    samples.push_back(std::move(x));
  }
  return samples;
}

std::vector<graph::Sample> float_samples(TestRng& rng, size_t size) {
  std::vector<graph::Sample> samples;
  for (int s = 0; s < 4; ++s) {
    graph::Sample x;
    x.inputs.emplace_back(size);
    for (auto& v : x.inputs.back()) v = 2.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    samples.push_back(std::move(x));
  }
  return samples;
}

struct Proven {
  VerifyingKey vk;
  quant::CompiledModel pub;
  quant::Trace trace;
  std::vector<uint8_t> proof;
};

// Sets up m, proves sample `s` and checks that the proof verifies against the key's public model
// with the executor's output and that a changed output is rejected.
Proven prove_and_check(const quant::CompiledModel& m, const graph::Sample& sample, TestRng& rng) {
  Proven p;
  EXPECT_TRUE(blockers(m).empty()) << *unsupported(m);
  p.vk = setup(m);
  p.pub = decode_vk_file(encode_vk_file(p.vk, quant::encode_public_model(m))).model;
  p.trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, sample.inputs, "x")));
  std::vector<ops::ITensor> public_in;
  if (m.visibility.input == quant::Visibility::kPublic)
    for (int t : m.graph.inputs) public_in.push_back(p.trace.values[t]);
  p.proof = prove(m, p.vk, p.trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(p.pub, p.vk, p.proof, &out, nullptr, public_in);
  EXPECT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, p.trace.outputs(m)[0].data);
  auto bad = p.proof;
  bad[4 + 4 + 1 + 32 + 8] ^= 1;  // the public output's first entry
  EXPECT_FALSE(verify(p.pub, p.vk, bad, nullptr, nullptr, public_in).ok());
  return p;
}

quant::CompiledModel with_visibility(quant::CompiledModel m, quant::Visibility input, quant::Visibility weights) {
  m.visibility.input = input;
  m.visibility.weights = weights;
  quant::encode_model(m);
  return m;
}

int tensor_named(const quant::CompiledModel& m, const std::string& name) {
  const int t = m.graph.find(name);
  EXPECT_GE(t, 0) << name;
  return t;
}

TEST(Transformer, EmbeddingFromACommittedTableProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng), "embedding_net.onnx");
  auto samples = token_samples(rng);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  // The default visibility: private tokens, private (committed) table.
  ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
  ASSERT_EQ(m.visibility.input, quant::Visibility::kPrivate);
  for (int s = 0; s < 2; ++s) {
    SCOPED_TRACE(s);
    prove_and_check(m, samples[static_cast<size_t>(s)], rng);
  }
  // Public tokens with the table still committed; and the table's lookup with fixed weights.
  prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kPrivate), samples[2], rng);
  prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[3], rng);
}

TEST(Transformer, WrongTokenIsRejected) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng), "embedding_net.onnx");
  auto samples = token_samples(rng);
  auto m = with_visibility(quant::quantize(std::move(g), samples, ops::QuantConfig{}), quant::Visibility::kPublic,
                           quant::Visibility::kPrivate);
  Proven p = prove_and_check(m, samples[0], rng);
  // The proof is about these tokens: with any one token changed, verification fails.
  for (int64_t pos : {int64_t{0}, kTokens - 1}) {
    std::vector<ops::ITensor> in{p.trace.values[m.graph.inputs[0]]};
    in[0].data[static_cast<size_t>(pos)] = (in[0].data[static_cast<size_t>(pos)] + 1) % kVocab;
    Verdict v = verify(p.pub, p.vk, p.proof, nullptr, nullptr, in);
    EXPECT_FALSE(v.ok()) << "token " << pos;
  }
}

TEST(Transformer, EmbeddingRowNotTheCommittedOneIsRejected) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng), "embedding_net.onnx");
  auto samples = token_samples(rng);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  VerifyingKey vk = setup(m);
  const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
  // A prover that gathers a changed row of the table (the row of the first token, one entry
  // changed by one half in real terms) proves with the key committed to the true table: the
  // proof is rejected.
  quant::CompiledModel forged = m;
  const int emb = tensor_named(m, "emb");
  auto tokens = quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "x"));
  const auto row = static_cast<size_t>(tokens[0].data[0]);
  forged.qconst[static_cast<size_t>(emb)].data[row * kWidth] += int64_t{1} << (m.scales[static_cast<size_t>(emb)] - 1);
  auto trace = quant::run_int(forged, tokens);
  auto honest = quant::run_int(m, tokens);
  ASSERT_NE(trace.outputs(forged)[0].data, honest.outputs(m)[0].data);
  std::vector<uint8_t> proof;
  try {
    proof = prove(forged, vk, trace, pcs::random_fr(rng));
  } catch (const Error& e) {
    GTEST_SKIP() << "the prover refused the forged table itself: " << e.what();
  }
  Verdict v = verify(pub, vk, proof);
  EXPECT_FALSE(v.ok());
  std::printf("forged embedding row: %s\n", v.reason().c_str());
}

// A table of 1,000 rows (above 256: the one-hot's rows checked by a sumcheck, docs/protocol/gather.md):
// proves and verifies with private and with public tokens; a wrong public token and a gathered row
// that is not the committed one are rejected.
TEST(Transformer, LargeVocabularyEmbeddingProvesAndRejectsForgeries) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  constexpr int64_t kBig = 1000;
  graph::Graph g = graph::load_onnx_bytes(embedding_net(rng, kBig), "embedding_net.onnx");
  auto samples = token_samples(rng, kBig);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
  prove_and_check(m, samples[0], rng);
  auto pubm = with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kPrivate);
  Proven p = prove_and_check(pubm, samples[1], rng);
  for (int64_t pos : {int64_t{0}, kTokens - 1}) {
    std::vector<ops::ITensor> in{p.trace.values[pubm.graph.inputs[0]]};
    in[0].data[static_cast<size_t>(pos)] = (in[0].data[static_cast<size_t>(pos)] + 1) % kBig;
    Verdict v = verify(p.pub, p.vk, p.proof, nullptr, nullptr, in);
    EXPECT_FALSE(v.ok()) << "token " << pos;
  }
  // A forged row: the prover's table differs from the committed one in the first token's row.
  VerifyingKey vk = setup(m);
  const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
  quant::CompiledModel forged = m;
  const int emb = tensor_named(m, "emb");
  auto tokens = quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[2].inputs, "x"));
  const auto row = static_cast<size_t>(tokens[0].data[0]);
  forged.qconst[static_cast<size_t>(emb)].data[row * kWidth] += int64_t{1} << (m.scales[static_cast<size_t>(emb)] - 1);
  auto trace = quant::run_int(forged, tokens);
  ASSERT_NE(trace.outputs(forged)[0].data, quant::run_int(m, tokens).outputs(m)[0].data);
  std::vector<uint8_t> proof;
  try {
    proof = prove(forged, vk, trace, pcs::random_fr(rng));
  } catch (const Error& e) {
    GTEST_SKIP() << "the prover refused the forged table itself: " << e.what();
  }
  Verdict v = verify(pub, vk, proof);
  EXPECT_FALSE(v.ok());
  std::printf("forged embedding row (1000-row table): %s\n", v.reason().c_str());
}

TEST(Transformer, AttentionSplitBatchedMatMulsAndSoftmaxProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(attention_net(rng, 4), "attention_net.onnx");
  auto samples = float_samples(rng, 24);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  // Split is lowered to one Slice per output; no node has several outputs.
  size_t slices = 0;
  for (const auto& n : m.graph.nodes) {
    EXPECT_NE(n.op_type, "Split");
    EXPECT_EQ(n.outputs.size(), 1u);
    slices += n.op_type == "Slice";
  }
  EXPECT_EQ(slices, 3u);
  prove_and_check(m, samples[0], rng);
  prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[1], rng);
}

// Layer norm spelled out as EZKL's self_attention exports it (no LayerNormalization node):
// x[1, 4, 8] -> d = x - ReduceMean(x) -> Pow(d, 2) -> ReduceMean -> y[1, 4, 1]. Pow with power 2
// is proven as the product d * d (steps/elementwise.cc).
std::vector<uint8_t> variance_net() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("variance_net");
  add_init(g, "two", {}, {2.0f});
  add_io(g->add_input(), "x", {1, 4, 8});
  add_io(g->add_output(), "y", {1, 4, 1});
  set_ints(add_node_outs(g, "ReduceMean", {"x"}, {"mu"}), "axes", {-1});
  add_node_outs(g, "Sub", {"x", "mu"}, {"d"});
  add_node_outs(g, "Pow", {"d", "two"}, {"d2"});
  set_ints(add_node_outs(g, "ReduceMean", {"d2"}, {"y"}), "axes", {-1});
  return serialize(m);
}

TEST(Transformer, PowSquareProvesAsAProduct) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  graph::Graph g = graph::load_onnx_bytes(variance_net(), "variance_net.onnx");
  auto samples = float_samples(rng, 32);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_and_check(m, samples[0], rng);
  prove_and_check(with_visibility(m, quant::Visibility::kPublic, quant::Visibility::kFixed), samples[1], rng);
}

TEST(Transformer, AttentionWithSoftmaxRowsAbove32EntriesProves) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  // 40 positions: the softmax's row max over 40 entries (the selector protocol of reduce.h).
  graph::Graph g = graph::load_onnx_bytes(attention_net(rng, 40), "attention_net.onnx");
  auto samples = float_samples(rng, 40 * 6);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  prove_and_check(m, samples[0], rng);
}

TEST(Transformer, TinyGptProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  const std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/tiny_gpt";
  if (!std::filesystem::exists(dir + "/model.onnx")) GTEST_SKIP() << "no " << dir;
  graph::Graph g = graph::load_onnx_file(dir + "/model.onnx");
  auto samples = graph::parse_samples(graph::read_text(dir + "/input.json"), "input.json", g);
  graph::Graph fg = g;
  const auto fin = graph::make_inputs(fg, samples[0].inputs, "input.json");
  graph::bind_shapes(fg, fin);
  const auto fout = graph::run_float(fg, fin);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
  ASSERT_EQ(m.visibility.input, quant::Visibility::kPrivate);
  // Its two erf GELUs, spelled out (Div, Erf, Add, Mul, Mul), are fused into Gelu table activations
  // at compile time (graph/fuse_unary.h).
  size_t gelus = 0, erfs = 0;
  for (const auto& n : m.graph.nodes) gelus += n.op_type == "Gelu", erfs += n.op_type == "Erf";
  EXPECT_EQ(gelus, 2u);
  EXPECT_EQ(erfs, 0u);
  Proven p = prove_and_check(m, samples[0], rng);
  // Next-token arg-max of the proven integer logits against float's, position by position.
  const auto q = p.trace.outputs(m)[0];
  ASSERT_EQ(q.shape.size(), 3u);
  const size_t T = static_cast<size_t>(q.shape[1]), V = static_cast<size_t>(q.shape[2]);
  ASSERT_EQ(fout[0].data.size(), T * V);
  size_t agree = 0;
  for (size_t t = 0; t < T; ++t) {
    size_t qi = 0, fi = 0;
    for (size_t v = 1; v < V; ++v) {
      if (q.data[t * V + v] > q.data[t * V + qi]) qi = v;
      if (fout[0].data[t * V + v] > fout[0].data[t * V + fi]) fi = v;
    }
    agree += qi == fi;
  }
  std::printf("tiny_gpt: proof %zu bytes; next-token arg-max agreement with float %zu/%zu\n", p.proof.size(), agree, T);
  EXPECT_EQ(agree, T);
}

// Scores x[1, 2, T, T] -> Mul(w[1, 1, T, T]) -> Add(mask[1, 1, T, T]) -> Softmax (rows of T) -> p.
// The mask is additive, as PyTorch exports a causal mask: 0 where a position may attend, -100
// where it may not. The Softmax's output is the model's output.
std::vector<uint8_t> masked_softmax_net(const std::vector<float>& w, int64_t T, const std::vector<float>& mask) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("masked_softmax_net");
  add_init(g, "w", {1, 1, T, T}, w);
  add_init(g, "mask", {1, 1, T, T}, mask);
  add_io(g->add_input(), "x", {1, 2, T, T});
  add_io(g->add_output(), "p", {1, 2, T, T});
  add_node_outs(g, "Mul", {"x", "w"}, {"s"});
  add_node_outs(g, "Add", {"s", "mask"}, {"sm"});
  set_int(add_node_outs(g, "Softmax", {"sm"}, {"p"}), "axis", -1);
  return serialize(m);
}

std::vector<float> causal_mask(int64_t T) {
  std::vector<float> mask(static_cast<size_t>(T * T));
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < T; ++j) mask[static_cast<size_t>(i * T + j)] = j <= i ? 0.0f : -100.0f;
  return mask;
}

// Proves `trace` (which may not be m's honest trace) against m's key; true if the prover refused
// it or the verifier rejected the proof.
bool refused_or_rejected(const quant::CompiledModel& m, const Proven& p, const quant::Trace& trace, TestRng& rng) {
  try {
    const auto bytes = prove(m, p.vk, trace, pcs::random_fr(rng));
    const Verdict v = verify(p.pub, p.vk, bytes);
    if (!v.ok()) std::printf("  rejected: %s\n", v.reason().c_str());
    return !v.ok();
  } catch (const std::exception& e) {
    std::printf("  the prover refused: %s\n", e.what());
    return true;
  }
}

// A Softmax output that is not the softmax of its input (one entry raised, another lowered, the
// row sum kept; or a masked entry given probability) is refused or rejected, in both visibility
// modes. The honest prover refuses such a trace itself (step.cc checks every layer's output);
// that the verifier rejects a forged output claim of the Softmax protocol is layers/softmax_test's.
TEST(Transformer, ForgedSoftmaxOutputIsRejected) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  constexpr int64_t T = 8;
  const auto w = rnd(rng, T * T, 0.8);
  auto samples = float_samples(rng, 2 * T * T);
  quant::CompiledModel base =
      quant::quantize(graph::load_onnx_bytes(masked_softmax_net(w, T, causal_mask(T)), "masked_softmax_net.onnx"),
                      samples, ops::QuantConfig{});
  for (const auto& m : {base, with_visibility(base, quant::Visibility::kPublic, quant::Visibility::kFixed)}) {
    Proven p = prove_and_check(m, samples[0], rng);
    int softmax = -1;
    for (size_t i = 0; i < m.graph.nodes.size(); ++i)
      if (m.graph.nodes[i].op_type == "Softmax") softmax = static_cast<int>(i);
    ASSERT_GE(softmax, 0) << "the compiled model has no Softmax node";
    const int out = m.graph.nodes[static_cast<size_t>(softmax)].outputs[0];
    // Row 5 (6 unmasked entries): move one unit of probability from its first entry to its second.
    const size_t row = 5 * T;
    for (int delta : {1, 3}) {
      auto forged = p.trace;
      forged.values[out].data[row] -= delta;
      forged.values[out].data[row + 1] += delta;
      EXPECT_TRUE(refused_or_rejected(m, p, forged, rng)) << "delta " << delta;
    }
    // A masked entry (row 0 may attend only to position 0) given probability.
    auto forged = p.trace;
    forged.values[out].data[0] -= 1;
    forged.values[out].data[1] += 1;
    EXPECT_TRUE(refused_or_rejected(m, p, forged, rng)) << "masked entry";
  }
}

// The causal mask is part of the model, so it is bound by the key: a trace computed with another
// mask (position 0 also attending to position 1) is refused or rejected against the causal
// model's key, and the other mask's own proof does not verify against it.
TEST(Transformer, WrongMaskIsRejected) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  constexpr int64_t T = 8;
  const auto w = rnd(rng, T * T, 0.8);
  auto samples = float_samples(rng, 2 * T * T);
  auto wrong = causal_mask(T);
  wrong[1] = 0.0f;
  quant::CompiledModel causal =
      quant::quantize(graph::load_onnx_bytes(masked_softmax_net(w, T, causal_mask(T)), "causal.onnx"), samples,
                      ops::QuantConfig{});
  quant::CompiledModel other =
      quant::quantize(graph::load_onnx_bytes(masked_softmax_net(w, T, wrong), "wrong_mask.onnx"), samples,
                      ops::QuantConfig{});
  Proven p = prove_and_check(causal, samples[0], rng);
  const auto other_trace =
      quant::run_int(other, quant::quantize_inputs(other, graph::make_inputs(other.graph, samples[0].inputs, "x")));
  ASSERT_NE(other_trace.outputs(other)[0].data, p.trace.outputs(causal)[0].data) << "the masks must give different outputs";
  EXPECT_TRUE(refused_or_rejected(causal, p, other_trace, rng));
  // The other model's honest proof verifies against its own key and not against the causal one's.
  const VerifyingKey other_vk = setup(other);
  const auto other_proof = prove(other, other_vk, other_trace, pcs::random_fr(rng));
  const auto other_pub = decode_vk_file(encode_vk_file(other_vk, quant::encode_public_model(other))).model;
  EXPECT_TRUE(verify(other_pub, other_vk, other_proof).ok());
  const Verdict v = verify(p.pub, p.vk, other_proof);
  EXPECT_FALSE(v.ok());
  if (!v.ok()) std::printf("  the wrong mask's proof against the causal key: %s\n", v.reason().c_str());
}

// tiny_gpt and EZKL's nanoGPT and self_attention in every visibility mode: input private or public,
// weights private, public or fixed (the default, both private, is TinyGptProvesAndVerifies' and
// api_sweep_test's, so it is left out here: about 25 s of CI). Each of the five modes applies to
// each model (no blockers: none of them has a table built from a constant operand, which would
// refuse private weights) and proves, verifies and rejects a changed output.
TEST(Transformer, ModelsProveInEveryOtherVisibilityMode) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  const std::string shared = std::string(ZKINFER_SHARED_DIR) + "/models/";
  const std::vector<std::pair<std::string, std::string>> models = {{"tiny_gpt", "tiny_gpt/model.onnx"},
                                                                   {"nanoGPT", "ezkl/nanoGPT/network.onnx"},
                                                                   {"self_attention", "ezkl/self_attention/network.onnx"}};
  for (const auto& [name, rel] : models) {
    SCOPED_TRACE(name);
    const std::string path = shared + rel;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
    graph::Graph g = graph::load_onnx_file(path);
    const std::string dir = std::filesystem::path(path).parent_path().string();
    auto samples = graph::parse_samples(graph::read_text(dir + "/input.json"), "input.json", g);
    const quant::CompiledModel base = quant::quantize(std::move(g), samples, ops::QuantConfig{});
    size_t proven = 0;
    for (auto input : {quant::Visibility::kPrivate, quant::Visibility::kPublic}) {
      for (auto weights : {quant::Visibility::kPrivate, quant::Visibility::kPublic, quant::Visibility::kFixed}) {
        if (input == quant::Visibility::kPrivate && weights == quant::Visibility::kPrivate) continue;
        const quant::CompiledModel m = with_visibility(base, input, weights);
        const std::string mode = std::string("input ") + (input == quant::Visibility::kPublic ? "public" : "private") +
                                 ", weights " +
                                 (weights == quant::Visibility::kPrivate  ? "private"
                                  : weights == quant::Visibility::kPublic ? "public"
                                                                          : "fixed");
        SCOPED_TRACE(mode);
        const auto why = blockers(m);
        ASSERT_TRUE(why.empty()) << describe_blockers(why);
        Proven p = prove_and_check(m, samples[0], rng);
        std::printf("  %-15s %-32s proof %zu bytes, verified\n", name.c_str(), mode.c_str(), p.proof.size());
        ++proven;
      }
    }
    EXPECT_EQ(proven, 5u);
  }
}

}  // namespace
}  // namespace zkinfer::proof
