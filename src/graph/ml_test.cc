// ONNX-ML operators (lower_ml.h) through the loader and the float executor, against onnxruntime's
// outputs (ort_output.json beside each model): every operator form of tests/vectors/ml
// (scripts/ml/make_op_vectors.py: tree ensembles in every node mode, post-transform and binary
// convention, linear models, linear SVMs, Scaler, Binarizer, Normalizer, with inputs exactly on
// thresholds) and the classic-ML examples (scripts/ml/train_classic.py). Refusals (string labels,
// other kernels, missing-value tracking, unknown modes) are clear errors naming the node; ZipMap is
// removed (the probabilities tensor is the output).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "random_forest.h"
#include "test_seed.h"

namespace fs = std::filesystem;
using namespace zkinfer;

namespace {

const fs::path kSource = fs::path(ZKINFER_SOURCE_DIR);

// Max abs error of the float executor against onnxruntime over every case of test.json; throws
// on a missing output or a shape/label mismatch (labels and other integer outputs: exact).
double check_against_ort(const fs::path& dir, int* cases_run) {
  graph::Graph g = graph::load_onnx_file((dir / "model.onnx").string());
  auto samples = graph::parse_samples(graph::read_text((dir / "test.json").string()), (dir / "test.json").string(), g);
  auto refs = graph::parse_named_outputs(graph::read_text((dir / "ort_output.json").string()), "ort_output.json");
  if (refs.size() != samples.size()) throw Error(dir.string() + ": reference and input case counts differ");
  double err = 0;
  for (size_t c = 0; c < samples.size(); ++c) {
    auto out = graph::run_float(g, graph::make_inputs(g, samples[c].inputs, "test.json"));
    for (const auto& r : refs[c]) {
      int k = -1;
      for (size_t o = 0; o < g.outputs.size(); ++o)
        if (g.tensors[g.outputs[o]].name == r.name) k = static_cast<int>(o);
      if (k < 0) throw Error(dir.string() + ": no output '" + r.name + "'");
      const auto& got = out[static_cast<size_t>(k)];
      if (got.size() != r.value.size()) throw Error(dir.string() + ": output '" + r.name + "' has the wrong size");
      for (int64_t i = 0; i < got.size(); ++i) {
        double d = std::fabs(got.data[i] - r.value.data[i]);
        if (!std::isfinite(d))
          throw Error(dir.string() + ": case " + std::to_string(c) + ": output '" + r.name + "' is not finite or differs");
        if (got.dtype != ops::DType::kFloat && d != 0)
          throw Error(dir.string() + ": case " + std::to_string(c) + ": integer output '" + r.name + "' differs");
        err = std::max(err, d / (1.0 + std::fabs(r.value.data[i])));
      }
    }
    ++*cases_run;
  }
  return err;
}

std::vector<fs::path> ml_dirs() {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(kSource / "tests" / "vectors" / "ml")) dirs.push_back(e.path());
  for (const auto& e : fs::directory_iterator(kSource / "examples"))
    if (fs::exists(e.path() / "ort_output.json") && fs::exists(e.path() / "test.json")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

onnx::ModelProto read_model(const fs::path& p) {
  onnx::ModelProto m;
  std::ifstream f(p, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&f)) << p;
  return m;
}

std::vector<uint8_t> bytes_of(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

onnx::AttributeProto* attr(onnx::NodeProto* n, const std::string& name) {
  for (auto& a : *n->mutable_attribute())
    if (a.name() == name) return &a;
  auto* a = n->add_attribute();
  a->set_name(name);
  return a;
}

std::string load_error(const onnx::ModelProto& m) {
  try {
    graph::load_onnx_bytes(bytes_of(m), "m.onnx");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(MlOps, FloatExecutorMatchesOnnxruntime) {
  int models = 0, cases = 0;
  for (const auto& d : ml_dirs()) {
    SCOPED_TRACE(d.string());
    double err = 0;
    ASSERT_NO_THROW(err = check_against_ort(d, &cases));
    std::printf("%-40s max error %.3g\n", d.filename().c_str(), err);
    EXPECT_LE(err, 1e-5) << d;  // float32 onnxruntime vs double: relative 1e-5
    ++models;
  }
  // 24 operator forms and 8 examples.
  EXPECT_GE(models, 32);
  EXPECT_GT(cases, 600);
}

TEST(MlOps, LargeEnsemblesOfOneModeTakeAPerTreeForm) {
  auto has = [](const graph::Graph& g, const char* op) {
    for (const auto& n : g.nodes)
      if (n.op_type == op) return true;
    return false;
  };
  const fs::path v = kSource / "tests/vectors/ml";
  // 40 trees of depth 4 take the complete form (a 16 x 16 path matrix for all trees), cheaper
  // here than the batched form's per-tree blocks.
  for (const char* m : {"tree_classifier_40_trees_lt", "tree_classifier_40_trees_leq_gt"}) {
    graph::Graph g = graph::load_onnx_file((v / m / "model.onnx").string());
    EXPECT_FALSE(has(g, "Transpose")) << m;
    bool complete = false;
    for (const auto& t : g.tensors)
      complete = complete || (t.is_const && t.name.find("/ml_paths_") != std::string::npos && t.shape == ops::Shape{16, 16});
    EXPECT_TRUE(complete) << m;
  }
  for (const char* m : {"tree_regressor_leq", "tree_regressor_eq_neq", "tree_classifier_3_none"})
    EXPECT_FALSE(has(graph::load_onnx_file((v / m / "model.onnx").string()), "Transpose")) << m;
}

namespace zt = zkinfer::testing;

namespace {

// The lowered ensemble's path matrix (the constant named ".../ml_paths_...").
const graph::TensorInfo* path_matrix(const graph::Graph& g) {
  for (const auto& t : g.tensors)
    if (t.is_const && t.name.find("/ml_paths_") != std::string::npos) return &t;
  return nullptr;
}

bool has_op(const graph::Graph& g, const char* op) {
  for (const auto& n : g.nodes)
    if (n.op_type == op) return true;
  return false;
}

// Rows for a forest: uniform in [-1.1, 1.1] (thresholds lie in [-1, 1]), and every other row with
// a dozen features set exactly to thresholds of random nodes (on a threshold: the mode decides).
std::vector<std::vector<float>> forest_rows(const zt::RandomForest& f, TestRng& rng, int count) {
  std::vector<std::vector<float>> rows;
  auto unit = [&] { return static_cast<double>(rng.next_u64() >> 11) / static_cast<double>(uint64_t{1} << 53); };
  for (int r = 0; r < count; ++r) {
    std::vector<float> x(static_cast<size_t>(f.spec.features));
    for (auto& v : x) v = static_cast<float>(-1.1 + 2.2 * unit());
    if (r % 2)
      for (int j = 0; j < 12; ++j) {
        size_t k = static_cast<size_t>(rng.next_u64() % f.modes.size());
        if (f.modes[k] != "LEAF") x[static_cast<size_t>(f.featids[k])] = f.values[k];
      }
    rows.push_back(std::move(x));
  }
  return rows;
}

}  // namespace

// Issue 16's large forest: 128 trees of depth 9 over 64 features (random trees, 5% of the nodes
// below the root cut to leaves, so the trees have different shapes and shallow leaves), and a
// multi-target regressor in the XGBoost modes (BRANCH_LT, and BRANCH_GTE with swapped branches).
// Both take the complete form (one public 2^d x 2^d path matrix, no per-tree blocks); the lowered
// graph's float outputs equal a direct walk of the trees on random rows and rows on thresholds.
TEST(MlForest, CompleteFormMatchesTheTrees) {
  SCOPED_TRACE(zkinfer::testing::seed_note());
  TestRng rng(zkinfer::testing::test_seed());
  zt::ForestSpec big;
  big.modes = {"BRANCH_LEQ", "BRANCH_GT"};
  zt::ForestSpec reg;
  reg.trees = 24, reg.depth = 7, reg.features = 16, reg.leaf_prob = 0.15, reg.regressor = true, reg.targets = 3;
  reg.modes = {"BRANCH_LT", "BRANCH_GTE"};
  zt::ForestSpec narrow;  // one feature: the one-hot MatMul selection (a broadcast)
  narrow.trees = 24, narrow.depth = 7, narrow.features = 1, narrow.leaf_prob = 0.15;
  for (const auto& spec : {big, reg, narrow}) {
    SCOPED_TRACE(spec.features);
    zt::RandomForest f = zt::make_random_forest(spec, rng);
    graph::Graph g = graph::load_onnx_bytes(bytes_of(f.model()), "forest.onnx");
    const auto* C = path_matrix(g);
    ASSERT_NE(C, nullptr);
    const int64_t S = int64_t{1} << spec.depth;
    EXPECT_EQ(C->shape, (ops::Shape{S, S}));
    EXPECT_FALSE(has_op(g, "Transpose"));
    // The feature selection: from 2 features on, a Gather by a weight vector of feature indices
    // (one per slot, each in [0, F)); with one, a MatMul by the one-hot matrix.
    const graph::TensorInfo* ids = nullptr;
    for (const auto& t : g.tensors)
      if (t.is_const && t.name.find("/ml_feature_ids_") != std::string::npos) ids = &t;
    if (spec.features >= 2) {
      ASSERT_NE(ids, nullptr);
      EXPECT_EQ(ids->dtype, ops::DType::kFloat);  // a weight: committed with private weights
      EXPECT_EQ(ids->shape, (ops::Shape{spec.trees * S}));
      std::set<double> used(ids->value.data.begin(), ids->value.data.end());
      EXPECT_GE(*used.begin(), 0.0);
      EXPECT_LT(*used.rbegin(), spec.features);
      EXPECT_GT(used.size(), 1u);
      EXPECT_TRUE(has_op(g, "Gather"));
    } else {
      EXPECT_EQ(ids, nullptr);
      EXPECT_FALSE(has_op(g, "Gather"));
    }
    int on_path = 0;
    for (double v : C->value.data) on_path += v != 0;
    EXPECT_EQ(on_path, spec.depth * S);  // d entries per leaf: a sparse, linear-size structure
    // Entries +-2^14 (the path unit): quantized at scale 0, so the path product needs no rescale.
    for (double v : C->value.data) EXPECT_TRUE(v == 0 || std::fabs(v) == 16384.0) << v;
    int differ = 0;
    for (const auto& x : forest_rows(f, rng, 24)) {
      auto out = graph::run_float(g, graph::make_inputs(g, {std::vector<double>(x.begin(), x.end())}, "x"));
      auto ref = f.scores(x);
      if (spec.regressor) {
        ASSERT_EQ(out[0].size(), spec.targets);
        for (int c = 0; c < spec.targets; ++c) differ += std::fabs(out[0].data[static_cast<size_t>(c)] - ref[static_cast<size_t>(c)]) > 1e-9;
      } else {
        ASSERT_EQ(out.size(), 2u);
        differ += out[0].data[0] != (ref[0] > 0.5 ? 1 : 0);
        differ += std::fabs(out[1].data[1] - ref[0]) > 1e-9 || std::fabs(out[1].data[0] - (1 - ref[0])) > 1e-9;
      }
    }
    EXPECT_EQ(differ, 0);
    // The differential check can fail: one leaf value changed in the model changes some output.
    zt::RandomForest f2 = f;
    int changed = 0;
    for (size_t j = 0; j < f2.ww.size(); ++j) f2.ww[j] += 0.125f;
    graph::Graph g2 = graph::load_onnx_bytes(bytes_of(f2.model()), "forest2.onnx");
    auto x = forest_rows(f, rng, 1)[0];
    auto out = graph::run_float(g2, graph::make_inputs(g2, {std::vector<double>(x.begin(), x.end())}, "x"));
    changed += std::fabs(out[spec.regressor ? 0 : 1].data[spec.regressor ? 0 : 1] - f.scores(x)[0]) > 1e-9;
    EXPECT_EQ(changed, 1);
  }
}

// The form is chosen by cost: deep but thin trees (a chain of 12 nodes each: the complete tree
// would have 2^12 slots per tree) take the batched form, small ensembles the dense form.
TEST(MlForest, FormsAreChosenByCost) {
  SCOPED_TRACE(zkinfer::testing::seed_note());
  TestRng rng(zkinfer::testing::test_seed());
  zt::RandomForest c = zt::make_chain_forest(40, 12, 8);
  graph::Graph g = graph::load_onnx_bytes(bytes_of(c.model()), "chains.onnx");
  EXPECT_TRUE(has_op(g, "Transpose"));  // batched
  ASSERT_NE(path_matrix(g), nullptr);
  EXPECT_EQ(path_matrix(g)->shape, (ops::Shape{40, 12, 13}));
  for (const auto& x : forest_rows(c, rng, 8)) {
    auto out = graph::run_float(g, graph::make_inputs(g, {std::vector<double>(x.begin(), x.end())}, "x"));
    EXPECT_NEAR(out[1].data[1], c.scores(x)[0], 1e-9);
  }
  zt::ForestSpec small;
  small.trees = 3, small.depth = 3, small.features = 4;
  g = graph::load_onnx_bytes(bytes_of(zt::make_random_forest(small, rng).model()), "small.onnx");
  ASSERT_NE(path_matrix(g), nullptr);
  EXPECT_EQ(path_matrix(g)->shape.size(), 2u);  // dense [I, L]
  EXPECT_NE(path_matrix(g)->shape[0], path_matrix(g)->shape[1]);
}

TEST(MlOps, InputsOnThresholdsTakeOnnxruntimesBranch) {
  // The vectors put inputs exactly on thresholds (rows 24..29): a mode mixed up (<= vs <, == vs
  // !=) changes the regressor's output there. Changing a node's mode must change the outputs
  // against the reference (the differential check can fail).
  const fs::path dir = kSource / "tests/vectors/ml/tree_regressor_leq";
  onnx::ModelProto m = read_model(dir / "model.onnx");
  auto* n = m.mutable_graph()->mutable_node(0);
  auto* modes = attr(n, "nodes_modes");
  for (auto& s : *modes->mutable_strings())
    if (s == "BRANCH_LEQ") s = "BRANCH_LT";
  graph::Graph g = graph::load_onnx_bytes(bytes_of(m), "lt.onnx");
  auto samples = graph::parse_samples(graph::read_text((dir / "test.json").string()), "test.json", g);
  auto refs = graph::parse_named_outputs(graph::read_text((dir / "ort_output.json").string()), "ort_output.json");
  int differ = 0;
  for (size_t c = 0; c < samples.size(); ++c) {
    auto out = graph::run_float(g, graph::make_inputs(g, samples[c].inputs, "x"));
    for (int64_t i = 0; i < out[0].size(); ++i) differ += std::fabs(out[0].data[i] - refs[c][0].value.data[i]) > 1e-6;
  }
  EXPECT_GT(differ, 0);
}

TEST(MlOps, ZipMapIsRemovedAndItsOutputIsTheProbabilities) {
  const fs::path dir = kSource / "tests/vectors/ml/linear_classifier_3_softmax";
  onnx::ModelProto m = read_model(dir / "model.onnx");
  auto* g = m.mutable_graph();
  auto* z = g->add_node();
  z->set_op_type("ZipMap");
  z->set_domain("ai.onnx.ml");
  z->set_name("zipmap");
  z->add_input("probabilities");
  z->add_output("output_probability");
  auto* a = attr(z, "classlabels_int64s");
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : {0, 1, 2}) a->add_ints(v);
  auto* o = g->mutable_output(1);
  o->set_name("output_probability");
  auto* seq = o->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_map_type();
  seq->set_key_type(onnx::TensorProto::INT64);
  seq->mutable_value_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  graph::Graph gz = graph::load_onnx_bytes(bytes_of(m), "zipmap.onnx");
  graph::Graph g0 = graph::load_onnx_file((dir / "model.onnx").string());
  auto samples = graph::parse_samples(graph::read_text((dir / "test.json").string()), "test.json", g0);
  for (const auto& s : samples) {
    auto a0 = graph::run_float(g0, graph::make_inputs(g0, s.inputs, "x"));
    auto az = graph::run_float(gz, graph::make_inputs(gz, s.inputs, "x"));
    ASSERT_EQ(az.size(), 2u);
    EXPECT_EQ(az[1].data, a0[1].data);
    EXPECT_EQ(az[1].shape, (ops::Shape{1, 3}));
  }
}

TEST(MlOps, UnsupportedFormsAreClearErrors) {
  const fs::path lin = kSource / "tests/vectors/ml/linear_classifier_3_none/model.onnx";
  const fs::path svm = kSource / "tests/vectors/ml/svm_regressor_linear/model.onnx";
  const fs::path tree = kSource / "tests/vectors/ml/tree_classifier_3_none/model.onnx";
  {
    onnx::ModelProto m = read_model(lin);
    auto* a = attr(m.mutable_graph()->mutable_node(0), "classlabels_strings");
    a->set_type(onnx::AttributeProto::STRINGS);
    for (const char* s : {"a", "b", "c"}) a->add_strings(s);
    auto* attrs = m.mutable_graph()->mutable_node(0)->mutable_attribute();
    for (int i = 0; i < attrs->size(); ++i)
      if (attrs->Get(i).name() == "classlabels_ints") attrs->DeleteSubrange(i--, 1);
    std::string e = load_error(m);
    EXPECT_NE(e.find("string class labels are not supported"), std::string::npos) << e;
  }
  {
    onnx::ModelProto m = read_model(svm);
    attr(m.mutable_graph()->mutable_node(0), "kernel_type")->set_s("RBF");
    std::string e = load_error(m);
    EXPECT_NE(e.find("kernel_type RBF is not supported"), std::string::npos) << e;
    EXPECT_NE(e.find("SVMRegressor"), std::string::npos) << e;
  }
  {
    onnx::ModelProto m = read_model(tree);
    auto* a = attr(m.mutable_graph()->mutable_node(0), "nodes_missing_value_tracks_true");
    a->set_type(onnx::AttributeProto::INTS);
    for (int i = 0; i < m.graph().node(0).attribute_size() && a->ints_size() < 14; ++i) a->add_ints(1);
    std::string e = load_error(m);
    EXPECT_NE(e.find("missing values"), std::string::npos) << e;
  }
  {
    onnx::ModelProto m = read_model(tree);
    attr(m.mutable_graph()->mutable_node(0), "post_transform")->set_s("PROBIT");
    std::string e = load_error(m);
    EXPECT_NE(e.find("post_transform PROBIT is not supported"), std::string::npos) << e;
  }
  {
    onnx::ModelProto m = read_model(tree);
    auto* ids = attr(m.mutable_graph()->mutable_node(0), "nodes_featureids");
    ids->set_ints(0, 9);  // the model has 4 features
    std::string e = load_error(m);
    EXPECT_NE(e.find("feature id 9 out of range"), std::string::npos) << e;
  }
  {
    onnx::ModelProto m = read_model(tree);
    auto* t = attr(m.mutable_graph()->mutable_node(0), "nodes_truenodeids");
    t->set_ints(1, 0);  // node 1's true branch points back at the root: a cycle, no root
    std::string e = load_error(m);
    EXPECT_NE(e.find("has nodes its root does not reach"), std::string::npos) << e;
  }
  {
    // SVMClassifier: refused (onnxruntime's linear-mode scores are not X W^T + rho).
    onnx::ModelProto m = read_model(lin);
    auto* n = m.mutable_graph()->mutable_node(0);
    n->set_op_type("SVMClassifier");
    auto* attrs = n->mutable_attribute();
    for (int i = 0; i < attrs->size(); ++i)
      if (attrs->Get(i).name() == "intercepts") attrs->Mutable(i)->set_name("rho");
    auto* k = attr(n, "kernel_type");
    k->set_type(onnx::AttributeProto::STRING);
    k->set_s("LINEAR");
    std::string e = load_error(m);
    EXPECT_NE(e.find("SVMClassifier is not supported: export a linear SVM as LinearClassifier"), std::string::npos) << e;
  }
}
