// Whole-model proofs of the classic-ML examples (examples/credit_*, diagnosis_*, iris_*: ONNX-ML
// models lowered by graph/lower_ml.h into MatMul, Gather by weight indices, comparisons, Equal,
// Casts, Add, Sigmoid, Softmax, ArgMax, Concat, ...). Each compiles at the scale compile chooses
// on its test rows (test.json) with no label changed against float (or only float near-ties),
// proves in zero knowledge with private weights and input, and verifies; a changed class, a forged
// leaf value, thresholds or feature indices from another model and a path that takes the wrong
// branch are rejected.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/evaluate.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "random_forest.h"
#include "proof_offsets.h"
#include "test_seed.h"

namespace fs = std::filesystem;

namespace zkinfer::proof {
namespace {

const fs::path kExamples = fs::path(ZKINFER_SOURCE_DIR) / "examples";

struct Loaded {
  graph::Graph g;
  std::vector<graph::Sample> samples;
};

Loaded load(const std::string& name) {
  Loaded l{graph::load_onnx_file((kExamples / name / "model.onnx").string()), {}};
  l.samples = graph::parse_samples(graph::read_text((kExamples / name / "test.json").string()), "test.json", l.g);
  return l;
}

quant::Trace trace_of(const quant::CompiledModel& m, const graph::Sample& s) {
  return quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, s.inputs, "x")));
}

struct Keys {
  VerifyingKey vk;
  quant::CompiledModel pub;
};
Keys keys_of(const quant::CompiledModel& m) {
  Keys k{setup(m), {}};
  k.pub = decode_vk_file(encode_vk_file(k.vk, quant::encode_public_model(m))).model;
  return k;
}

class MlExample : public ::testing::TestWithParam<const char*> {};

TEST_P(MlExample, CompilesWithoutLabelChangesProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  Loaded l = load(GetParam());
  quant::ScaleChoice c = quant::choose_scale(l.g, l.samples, ops::QuantConfig{});
  ASSERT_TRUE(c.met) << c.summary();
  const quant::CompiledModel& m = c.model;
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  // Labels (output 0) of the integer model against float on every test row.
  int changed = 0;
  for (const auto& s : l.samples) {
    auto f = graph::run_float(m.graph, graph::make_inputs(m.graph, s.inputs, "x"));
    auto t = trace_of(m, s);
    changed += t.outputs(m)[0].data[0] != static_cast<int64_t>(f[0].data[0]);
  }
  const auto& probs = c.eval.outputs.at(1);
  std::printf("%-26s scale %d, %zu test rows, labels changed %d, arg-max agreement %lld, near %lld\n", GetParam(), c.scale,
              l.samples.size(), changed, static_cast<long long>(probs.argmax_agree), static_cast<long long>(probs.argmax_near));
  // Any change is a float near-tie (within one output step): compile's accuracy target.
  EXPECT_EQ(probs.argmax_near, probs.argmax_rows);
  EXPECT_LE(changed, probs.argmax_rows - probs.argmax_agree);
  // Prove one row in zero knowledge (private input and weights, public output).
  Keys k = keys_of(m);
  auto trace = trace_of(m, l.samples[0]);
  auto bytes = prove(m, k.vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(k.pub, k.vk, bytes, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  // Another class: the public label changed.
  auto bad = bytes;
  bad[testing::kFirstOutputByte] ^= 1;  // the first packed output byte
  EXPECT_FALSE(verify(k.pub, k.vk, bad).ok());
  // Bytes changed anywhere are rejected.
  for (int i = 0; i < 8; ++i) {
    auto b = bytes;
    b[static_cast<size_t>(rng.next_u64() % b.size())] ^= static_cast<uint8_t>(1 + rng.next_u64() % 255);
    EXPECT_FALSE(verify(k.pub, k.vk, b).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, MlExample,
                         ::testing::Values("credit_logistic", "credit_linear_svc", "credit_random_forest",
                                         "credit_gradient_boosting", "diagnosis_logistic", "diagnosis_xgboost",
                                         "iris_random_forest", "iris_logistic"));

// Every operator vector of tests/vectors/ml (each lowered form: tree modes, post-transforms,
// binary conventions, linear models, SVMRegressor, Scaler, Binarizer, Normalizer) compiles on its
// rows, proves one row in zero knowledge and verifies; a changed output is rejected.
TEST(MlVectors, EveryLoweredFormProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  int proven = 0;
  for (const auto& e : fs::directory_iterator(fs::path(ZKINFER_SOURCE_DIR) / "tests/vectors/ml")) {
    SCOPED_TRACE(e.path().string());
    graph::Graph g = graph::load_onnx_file((e.path() / "model.onnx").string());
    auto samples = graph::parse_samples(graph::read_text((e.path() / "test.json").string()), "test.json", g);
    quant::ScaleChoice c = quant::choose_scale(g, samples, ops::QuantConfig{});
    ASSERT_TRUE(c.met) << c.summary();
    const quant::CompiledModel& m = c.model;
    ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
    Keys k = keys_of(m);
    auto trace = trace_of(m, samples[1]);
    auto bytes = prove(m, k.vk, trace, pcs::random_fr(rng));
    ops::ITensor out;
    Verdict v = verify(k.pub, k.vk, bytes, &out);
    ASSERT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(out.data, trace.outputs(m)[0].data);
    auto bad = bytes;
    bad[testing::kFirstOutputByte] ^= 1;  // the first packed output byte
    EXPECT_FALSE(verify(k.pub, k.vk, bad).ok());
    ++proven;
  }
  EXPECT_GE(proven, 24);
}

// 40 trees of depth 4, 3 classes, SOFTMAX (tests/vectors/ml; the complete form, cheaper here than
// the batched one) prove and verify, with labels as float's on the vector's rows up to near-ties.
TEST(MlPerTree, FortyTreesProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  const fs::path dir = fs::path(ZKINFER_SOURCE_DIR) / "tests/vectors/ml/tree_classifier_40_trees_lt";
  graph::Graph g = graph::load_onnx_file((dir / "model.onnx").string());
  auto samples = graph::parse_samples(graph::read_text((dir / "test.json").string()), "test.json", g);
  quant::ScaleChoice c = quant::choose_scale(g, samples, ops::QuantConfig{});
  ASSERT_TRUE(c.met) << c.summary();
  const quant::CompiledModel& m = c.model;
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  EXPECT_EQ(c.eval.outputs.at(1).argmax_near, c.eval.outputs.at(1).argmax_rows);
  Keys k = keys_of(m);
  auto trace = trace_of(m, samples[3]);
  auto bytes = prove(m, k.vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(k.pub, k.vk, bytes, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  auto bad = bytes;
  bad[testing::kFirstOutputByte] ^= 1;  // the first packed output byte
  EXPECT_FALSE(verify(k.pub, k.vk, bad).ok());
}

// The batched per-tree form (40 chains of 12 nodes: the complete form would need 2^12 slots per
// tree) proves and verifies; its labels are the trees' own on rows around the thresholds; a
// decision bit flipped in the trace is rejected.
TEST(MlBatched, DeepThinTreesProveAndVerify) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  testing::RandomForest f = testing::make_chain_forest(40, 12, 8);
  std::string b;
  f.model().SerializeToString(&b);
  graph::Graph g = graph::load_onnx_bytes(std::vector<uint8_t>(b.begin(), b.end()), "chains.onnx");
  bool batched = false;
  for (const auto& n : g.nodes) batched = batched || n.op_type == "Transpose";
  ASSERT_TRUE(batched);
  std::vector<graph::Sample> samples;
  for (int r = 0; r < 8; ++r) {
    graph::Sample s;
    s.inputs.emplace_back();
    for (int j = 0; j < 8; ++j) s.inputs[0].push_back((static_cast<double>(r + j % 5) - 0.5) / 16);  // between thresholds
    samples.push_back(std::move(s));
  }
  quant::ScaleChoice c = quant::choose_scale(g, samples, ops::QuantConfig{});
  ASSERT_TRUE(c.met) << c.summary();
  const quant::CompiledModel& m = c.model;
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  int compared = 0;
  for (const auto& s : samples) {
    const double score = f.scores(std::vector<float>(s.inputs[0].begin(), s.inputs[0].end()))[0];
    if (std::fabs(score - 0.5) > 0.02) {  // not a float tie (0.5 is the end leaf's weight)
      EXPECT_EQ(trace_of(m, s).outputs(m)[0].data[0], score > 0.5 ? 1 : 0);
      ++compared;
    }
  }
  EXPECT_GE(compared, 4);
  Keys k = keys_of(m);
  auto trace = trace_of(m, samples[2]);
  auto bytes = prove(m, k.vk, trace, pcs::random_fr(rng));
  Verdict v = verify(k.pub, k.vk, bytes);
  ASSERT_TRUE(v.ok()) << v.reason();
  int cmp = -1;
  for (const auto& n : m.graph.nodes)
    if (n.op_type == "LessOrEqual" && cmp < 0) cmp = n.outputs[0];
  ASSERT_GE(cmp, 0);
  trace.values[static_cast<size_t>(cmp)].data[3] ^= 1;
  bool rejected = false;
  try {
    rejected = !verify(k.pub, k.vk, prove(m, k.vk, trace, pcs::random_fr(rng))).ok();
  } catch (const Error&) {
    rejected = true;
  }
  EXPECT_TRUE(rejected);
}

// A model with one constant changed (the named lowered tensor, entry `at`, by `delta`), quantized at
// the scale of `m`.
quant::CompiledModel changed_model(const Loaded& l, const quant::CompiledModel& m, const std::string& tensor, double delta) {
  graph::Graph g = l.g;
  bool found = false;
  for (auto& t : g.tensors)
    if (t.is_const && t.name.find(tensor) != std::string::npos && !found) {
      t.value.data[0] += delta;
      found = true;
    }
  EXPECT_TRUE(found) << tensor;
  ops::QuantConfig cfg = m.cfg;
  return quant::quantize(std::move(g), l.samples, cfg);
}

TEST(MlForest, ForgedLeavesOtherThresholdsAndWrongBranchesAreRejected) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  Loaded l = load("credit_random_forest");
  quant::ScaleChoice c = quant::choose_scale(l.g, l.samples, ops::QuantConfig{});
  ASSERT_TRUE(c.met);
  const quant::CompiledModel& m = c.model;
  Keys k = keys_of(m);
  const auto& s = l.samples[0];
  // A proof made with another committed model does not verify against this model's key: a forged
  // leaf value, a threshold from another model.
  for (const char* what : {"leaf_values", "thresholds"}) {
    SCOPED_TRACE(what);
    quant::CompiledModel m2 = changed_model(l, m, what, 0.25);
    Keys k2 = keys_of(m2);
    auto t2 = trace_of(m2, s);
    auto p2 = prove(m2, k2.vk, t2, pcs::random_fr(rng));
    EXPECT_TRUE(verify(k2.pub, k2.vk, p2).ok());
    EXPECT_FALSE(verify(k.pub, k.vk, p2).ok());
  }
  // The wrong branch: a decision bit flipped in the prover's trace (and everything after it
  // recomputed as if it were right) is caught by the comparison's proof.
  auto trace = trace_of(m, s);
  int cmp = -1;
  for (size_t i = 0; i < m.graph.nodes.size(); ++i)
    if (m.graph.nodes[i].op_type == "LessOrEqual") cmp = m.graph.nodes[i].outputs[0];
  ASSERT_GE(cmp, 0);
  trace.values[static_cast<size_t>(cmp)].data[0] ^= 1;
  bool rejected = false;
  try {
    auto p = prove(m, k.vk, trace, pcs::random_fr(rng));
    rejected = !verify(k.pub, k.vk, p).ok();
  } catch (const Error&) {
    rejected = true;  // the prover noticed the inconsistent trace
  }
  EXPECT_TRUE(rejected);
}

// The complete form (every tree padded to the complete tree of depth 6, one public 64 x 64 path
// matrix; docs/protocol/ml.md) on 16 random trees over 16 features (some leaves shallow, LEQ and
// GT nodes): compiles with labels as float's up to near-ties, proves in zero knowledge with
// private weights and verifies; a changed label, a forged leaf value, a wrong branch (a decision
// bit flipped in the trace) and a wrong leaf (a leaf indicator flipped) are rejected.
TEST(MlForest, CompleteFormProvesAndRejectsForgeries) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  testing::ForestSpec spec;
  spec.trees = 16, spec.depth = 6, spec.features = 16, spec.leaf_prob = 0.1;
  spec.modes = {"BRANCH_LEQ", "BRANCH_GT"};
  testing::RandomForest f = testing::make_random_forest(spec, rng);
  std::string bytes_s;
  f.model().SerializeToString(&bytes_s);
  Loaded l{graph::load_onnx_bytes(std::vector<uint8_t>(bytes_s.begin(), bytes_s.end()), "forest.onnx"), {}};
  for (int r = 0; r < 16; ++r) {
    graph::Sample s;
    s.inputs.emplace_back();
    for (int j = 0; j < spec.features; ++j)
      s.inputs[0].push_back(static_cast<double>(static_cast<int64_t>(rng.next_u64() % 1001) - 500) / 450.0);
    l.samples.push_back(std::move(s));
  }
  bool complete = false;
  for (const auto& t : l.g.tensors)
    complete = complete || (t.is_const && t.name.find("/ml_paths_") != std::string::npos && t.shape == ops::Shape{64, 64});
  ASSERT_TRUE(complete);
  bool gather = false;  // the features selected by a Gather with weight indices (gather_private.cc)
  for (const auto& n : l.g.nodes)
    gather = gather || (n.op_type == "Gather" && l.g.tensors[n.inputs[1]].name.find("/ml_feature_ids_") != std::string::npos);
  ASSERT_TRUE(gather);
  quant::ScaleChoice c = quant::choose_scale(l.g, l.samples, ops::QuantConfig{});
  ASSERT_TRUE(c.met) << c.summary();
  const quant::CompiledModel& m = c.model;
  ASSERT_TRUE(blockers(m).empty()) << *unsupported(m);
  EXPECT_EQ(c.eval.outputs.at(1).argmax_near, c.eval.outputs.at(1).argmax_rows);
  // The path product is exact at scale 0 (the path matrix's unit 2^14, lower_ml.cc): no rescale
  // (and so no remainder and output range checks in the model's LogUp).
  size_t path_products = 0;
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const auto& n = m.graph.nodes[i];
    if (n.op_type != "MatMul" || m.graph.tensors[n.inputs[1]].name.find("/ml_paths_") == std::string::npos) continue;
    ++path_products;
    EXPECT_EQ(m.params[i].get("shift"), 0);
    EXPECT_EQ(m.scales[n.outputs[0]], 0);
  }
  EXPECT_EQ(path_products, 1u);
  // The integer model's labels against the trees themselves (up to float near-ties of 0.5).
  for (const auto& s : l.samples) {
    std::vector<float> x(s.inputs[0].begin(), s.inputs[0].end());
    const double score = f.scores(x)[0];
    if (std::fabs(score - 0.5) > 0.02) {
      EXPECT_EQ(trace_of(m, s).outputs(m)[0].data[0], score > 0.5 ? 1 : 0);
    }
  }
  Keys k = keys_of(m);
  const auto& s = l.samples[0];
  auto trace = trace_of(m, s);
  auto bytes = prove(m, k.vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(k.pub, k.vk, bytes, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  auto bad = bytes;
  bad[testing::kFirstOutputByte] ^= 1;  // the other class (the first packed output byte)
  EXPECT_FALSE(verify(k.pub, k.vk, bad).ok());
  // The two Reshapes ([1, T S] -> [T, S] and back; S and T powers of two here) have the same
  // padded table on both sides: free moves (proof/steps/move.cc), nothing sent.
  {
    ProveStats st;
    auto b2 = prove(m, k.vk, trace, pcs::random_fr(rng), &st);
    ASSERT_TRUE(verify(k.pub, k.vk, b2).ok());
    ASSERT_EQ(st.per_node.size(), st.per_node_bytes.size());
    size_t reshapes = 0;
    for (size_t i = 0; i < st.per_node.size(); ++i)
      if (st.per_node[i].first.find("Reshape") != std::string::npos) {
        ++reshapes;
        EXPECT_EQ(st.per_node_bytes[i], 0u) << st.per_node[i].first;
      }
    EXPECT_EQ(reshapes, 2u);
  }
  // Another model's proof against this key: a forged leaf value, another threshold, another
  // feature tested by the first node (its index moved to the next feature).
  for (const char* what : {"leaf_values", "thresholds", "feature_ids"}) {
    SCOPED_TRACE(what);
    double delta = 0.25;
    if (std::string(what) == "feature_ids") {
      for (const auto& t : l.g.tensors)
        if (t.is_const && t.name.find("/ml_feature_ids_") != std::string::npos) {
          const double f0 = t.value.data[0];
          delta = (f0 + 1 < spec.features ? f0 + 1 : 0) - f0;
          break;
        }
    }
    quant::CompiledModel m2 = changed_model(l, m, what, delta);
    Keys k2 = keys_of(m2);
    auto p2 = prove(m2, k2.vk, trace_of(m2, s), pcs::random_fr(rng));
    EXPECT_TRUE(verify(k2.pub, k2.vk, p2).ok());
    Verdict v2 = verify(k.pub, k.vk, p2);
    EXPECT_FALSE(v2.ok());
  }
  // A selected feature value changed in the trace (the Gather's output: a wrong x[feat[n]]; the
  // lookup's own rejection of it: indexed_lookup_test).
  {
    auto t = trace_of(m, s);
    int gid = -1;
    for (size_t i = 0; i < m.graph.nodes.size() && gid < 0; ++i)
      if (m.graph.nodes[i].op_type == "Gather") gid = static_cast<int>(i);
    ASSERT_GE(gid, 0);
    t.values[static_cast<size_t>(m.graph.nodes[static_cast<size_t>(gid)].outputs[0])].data[3] += 1;
    bool rejected = false;
    try {
      rejected = !verify(k.pub, k.vk, prove(m, k.vk, t, pcs::random_fr(rng))).ok();
    } catch (const Error&) {
      rejected = true;  // the prover noticed the inconsistent trace
    }
    EXPECT_TRUE(rejected);
  }
  // A decision bit flipped (the wrong branch), a leaf indicator flipped (the wrong leaf) and a
  // decision bit flipped after the (free) Reshape to [T, S] only. The leaf indicator is the first
  // Greater (the label's s > 0.5 comes after it).
  for (const char* op : {"LessOrEqual", "Greater", "Reshape"}) {
    SCOPED_TRACE(op);
    auto t = trace_of(m, s);
    int out_id = -1;
    for (const auto& n : m.graph.nodes)
      if (n.op_type == op && out_id < 0) out_id = n.outputs[0];
    ASSERT_GE(out_id, 0);
    t.values[static_cast<size_t>(out_id)].data[5] ^= 1;
    bool rejected = false;
    try {
      rejected = !verify(k.pub, k.vk, prove(m, k.vk, t, pcs::random_fr(rng))).ok();
    } catch (const Error&) {
      rejected = true;  // the prover noticed the inconsistent trace
    }
    EXPECT_TRUE(rejected);
  }
}

// compile's threshold-collapse criterion (quant::threshold_collapse): two thresholds of input
// column 2, 0.0008 apart, collapse at scales 8 and 10 (steps 2^-8, 2^-10 > 0.0008) and not at 12;
// choose_scale takes 12 although 8 already meets the accuracy target.
TEST(MlScale, ThresholdsOfOneFeatureDoNotCollapse) {
  const fs::path dir = fs::path(ZKINFER_SOURCE_DIR) / "tests/vectors/ml/tree_regressor_leq";
  onnx::ModelProto mp;
  {
    std::ifstream f(dir / "model.onnx", std::ios::binary);
    ASSERT_TRUE(mp.ParseFromIstream(&f));
  }
  auto* n = mp.mutable_graph()->mutable_node(0);
  for (auto& a : *n->mutable_attribute()) {
    if (a.name() == "nodes_featureids") ASSERT_TRUE(a.ints(1) == 2 && a.ints(8) == 2);  // both trees' node 1
    if (a.name() == "nodes_values") {
      a.set_floats(1, 0.3f);
      a.set_floats(8, 0.3008f);
    }
  }
  std::string b;
  mp.SerializeToString(&b);
  graph::Graph g = graph::load_onnx_bytes(std::vector<uint8_t>(b.begin(), b.end()), "collapse.onnx");
  auto samples = graph::parse_samples(graph::read_text((dir / "test.json").string()), "test.json", g);
  for (int s : {8, 10, 12}) {
    ops::QuantConfig cfg;
    cfg.base_scale = s;
    auto why = quant::threshold_collapse(quant::quantize(g, samples, cfg));
    if (s < 12) {
      ASSERT_TRUE(why.has_value()) << s;
      EXPECT_NE(why->find("of input column 2"), std::string::npos) << *why;
    } else {
      EXPECT_FALSE(why.has_value()) << *why;
    }
  }
  quant::ScaleChoice c = quant::choose_scale(g, samples, ops::QuantConfig{});
  EXPECT_TRUE(c.met);
  EXPECT_EQ(c.scale, 12) << c.summary();
  ASSERT_GE(c.trials.size(), 1u);
  EXPECT_NE(c.trials[0].outcome.find("meets the accuracy target, but"), std::string::npos) << c.summary();
}

// The same criterion on the complete form, whose activation is a Gather by weight indices: two
// nodes testing one feature with thresholds 0.0008 apart collapse at scales 8 and 10.
TEST(MlScale, ThresholdsCollapseThroughTheGatherSelection) {
  TestRng rng(testing::test_seed());
  testing::ForestSpec spec;
  spec.trees = 16, spec.depth = 6, spec.features = 16, spec.leaf_prob = 0.1;
  testing::RandomForest f = testing::make_random_forest(spec, rng);
  std::vector<size_t> on_feat;
  for (size_t k = 0; k < f.modes.size() && on_feat.size() < 2; ++k)
    if (f.modes[k] != "LEAF" && f.featids[k] == 3) on_feat.push_back(k);
  ASSERT_EQ(on_feat.size(), 2u);
  f.values[on_feat[0]] = 0.3f;
  f.values[on_feat[1]] = 0.3008f;
  std::string b;
  f.model().SerializeToString(&b);
  graph::Graph g = graph::load_onnx_bytes(std::vector<uint8_t>(b.begin(), b.end()), "collapse_complete.onnx");
  bool gather = false;
  for (const auto& n : g.nodes) gather = gather || n.op_type == "Gather";
  ASSERT_TRUE(gather);
  std::vector<graph::Sample> samples;
  for (int r = 0; r < 8; ++r) {
    graph::Sample smp;
    smp.inputs.emplace_back();
    for (int j = 0; j < spec.features; ++j)
      smp.inputs[0].push_back(static_cast<double>(static_cast<int64_t>(rng.next_u64() % 1001) - 500) / 450.0);
    samples.push_back(std::move(smp));
  }
  for (int sc : {8, 10, 12}) {
    ops::QuantConfig cfg;
    cfg.base_scale = sc;
    auto why = quant::threshold_collapse(quant::quantize(g, samples, cfg));
    if (sc < 12) {
      ASSERT_TRUE(why.has_value()) << sc;
      EXPECT_NE(why->find("of input column 3"), std::string::npos) << *why;
    } else {
      EXPECT_FALSE(why.has_value()) << *why;
    }
  }
}

}  // namespace
}  // namespace zkinfer::proof
