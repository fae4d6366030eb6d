// Tests of graph/lower_composites.h: each rewritten graph must compute what the original computes.
// (1) ONNX's own node tests (libonnx-testdata) of every rewritten operator, inputs after the first
// made constants (as a model's weights, CumSum's axis, Compress's condition are), lowered and run
// by the float executor against the expected outputs stored with them; (2) one-node graphs built
// here over the attribute variants (axes, opsets, exclusive/reverse, modes, scale and bias), lowered,
// against the original graph run by the float executor (the operators' own semantics in ops/).
// Every tensor the rewrite creates has the shape the float executor gives it; every rewritten
// operator is gone; the cases a rewrite does not take keep their node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/lower_composites.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "quant/quantizer.h"
#include "graph_test_util.h"

namespace fs = std::filesystem;

namespace zkinfer::graph {
namespace {

using test_util::sorted_files;
using test_util::count_op;

// Binds shapes, folds, lowers, and compares every tensor's shape and the outputs with `want`
// (the original graph's outputs when empty).
// Against stored expected outputs (ONNX's float32 / float16 values) the tolerance is the
// conformance test's; against the original graph, 1e-5.
Graph lower_and_compare(Graph plain, const std::vector<ops::FTensor>& in, std::vector<ops::FTensor> want = {}) {
  const bool stored = !want.empty();
  bind_shapes(plain, in);
  fold_constants(plain, true, true);
  if (want.empty()) want = run_float(plain, in);
  Graph low = plain;
  // At capacity: the rewrite's first new tensor reallocates g.tensors, so that a reference into
  // it held across an emission dangles (reported by the ASan build of this test: rewrites_asan in
  // fuzz/CMakeLists.txt, run by fuzz/run.sh).
  low.tensors.shrink_to_fit();
  lower_composites(low);
  const auto all = run_float_all(low, in);
  for (size_t i = 0; i < all.size(); ++i) {
    bool produced = low.tensors[i].is_const;
    for (const auto& n : low.nodes)
      for (int o : n.outputs) produced = produced || o == static_cast<int>(i);
    if (produced) {
      EXPECT_EQ(all[i].shape, low.tensors[i].shape) << "tensor '" << low.tensors[i].name << "'";
    }
  }
  const auto got = run_float(low, in);
  EXPECT_EQ(got.size(), want.size());
  for (size_t o = 0; o < got.size() && o < want.size(); ++o) {
    EXPECT_EQ(ops::numel(got[o].shape), ops::numel(want[o].shape)) << "output " << o;
    for (size_t i = 0; i < got[o].data.size() && i < want[o].data.size(); ++i)
      EXPECT_NEAR(got[o].data[i], want[o].data[i], stored ? 1e-4 + 1e-3 * std::fabs(want[o].data[i]) : 1e-5 + 1e-5 * std::fabs(want[o].data[i]))
          << "output " << o << " entry " << i;
  }
  return low;
}

TEST(LowerComposites, OnnxNodeTests) {
  const fs::path root = "/usr/share/libonnx-testdata/data/node";
  if (!fs::exists(root)) GTEST_SKIP() << "libonnx-testdata is not installed (scripts/install-deps.sh)";
  const std::vector<std::string> prefixes = {"test_logsoftmax", "test_dropout_default", "test_castlike_", "test_globalmaxpool",
                                             "test_instancenorm", "test_mvn", "test_hardmax", "test_cumsum",
                                             "test_depthtospace", "test_spacetodepth", "test_compress", "test_einsum",
                                             "test_layer_normalization", "test_pow", "test_dequantizelinear",
                                             "test_quantizelinear", "test_nllloss", "test_sce", "test_reduce_prod",
                                             "test_mod_", "test_matmulinteger", "test_qlinearmatmul",
                                             "test_basic_convinteger", "test_convinteger", "test_qlinearconv"};
  size_t lowered = 0, kept = 0, computed_target = 0;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    const std::string test = dir.filename().string();
    bool mine = false;
    for (const auto& p : prefixes) mine = mine || test.rfind(p, 0) == 0;
    if (!mine || test.find("_expanded") != std::string::npos) continue;
    // Variant 0: inputs after the first as constants; variant 1 (losses: the target, input 1;
    // real Mod: the divisor): input 1 computed too (a graph input).
    const bool second = test.rfind("test_nllloss", 0) == 0 || test.rfind("test_sce", 0) == 0 || test.rfind("test_mod_mixed_sign_float", 0) == 0;
    for (size_t keep = 1; keep <= (second ? 2u : 1u); ++keep) {
    SCOPED_TRACE(test + (keep > 1 ? " (input 1 computed)" : ""));
    Graph g;
    try {
      g = load_onnx_file((dir / "model.onnx").string());
    } catch (const Error&) {
      continue;  // a type the loader does not take (strings, bfloat16)
    }
    if (g.nodes.size() != 1) continue;
    const std::string op = g.nodes[0].op_type;
    std::vector<ops::FTensor> in;
    for (const auto& f : sorted_files(dir / "test_data_set_0", "input_")) in.push_back(read_tensor_pb(f));
    ASSERT_EQ(in.size(), g.inputs.size());
    while (g.inputs.size() > keep) {  // inputs after the first (keep) as constants
      auto& t = g.tensors[g.inputs.back()];
      t.is_const = true;
      t.value = in.back();
      t.shape = in.back().shape;
      t.dtype = in.back().dtype;
      g.inputs.pop_back();
      in.pop_back();
    }
    std::vector<ops::FTensor> want;
    for (const auto& f : sorted_files(dir / "test_data_set_0", "output_")) want.push_back(read_tensor_pb(f));

    // Pow keeps its own protocol for a constant scalar exponent.
    bool pow_stays = false;
    if (op == "Pow") {
      const auto& b = g.tensors[g.nodes[0].inputs[1]].value.data;
      pow_stays = std::all_of(b.begin(), b.end(), [&](double v) { return v == b[0]; });
    }
    Graph low = lower_and_compare(g, in, want);
    if (test == "test_einsum_batch_diagonal") {  // an ellipsis and a diagonal: a Gather of the diagonal
      EXPECT_EQ(count_op(low, op), 0u);
      EXPECT_EQ(count_op(low, "Gather"), 1u);
      ++lowered;
    } else if (pow_stays) {
      EXPECT_EQ(count_op(low, op), 1u) << "a Pow by a scalar stays";
      ++kept;
    } else if (op == "QuantizeLinear") {
      // Per tensor: the same op with its scale and zero point as attributes (one table lookup);
      // per axis: a Mul by 1 / scale (and an Add of the zero point) before that lookup.
      ASSERT_EQ(count_op(low, op), 1u);
      const bool per_tensor = g.tensors[g.nodes[0].inputs[1]].value.size() == 1;
      for (const auto& n : low.nodes) {
        if (n.op_type != op) continue;
        EXPECT_EQ(n.inputs.size(), 1u);
      }
      if (!per_tensor) EXPECT_EQ(count_op(low, "Mul"), 1u);
      ++lowered;
    } else if (op == "LayerNormalization") {  // Y stays one node; Mean and InvStdDev beside it
      EXPECT_EQ(count_op(low, op), 1u);
      EXPECT_EQ(count_op(low, "Reciprocal"), g.outputs.size() > 2 ? 1u : 0u);
      for (const auto& n : low.nodes) {
        if (n.op_type != op) continue;
        EXPECT_EQ(n.outputs.size(), 1u);
      }
      ++lowered;
    } else {
      EXPECT_EQ(count_op(low, op), 0u) << "expected to be lowered";
      if (keep > 1 && op != "Mod") {
        EXPECT_EQ(count_op(low, "OneHot"), 1u) << "a computed target: a OneHot";
        ++computed_target;
      }
      ++lowered;
    }
    }
  }
  EXPECT_EQ(computed_target, 52u);  // every NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss node test
  EXPECT_GE(lowered, 40u);
  EXPECT_GE(kept, 1u);
}

struct In {
  ops::Shape shape;
  bool is_const = false;
  std::vector<double> values = {};  // random when empty
  ops::DType dtype = ops::DType::kFloat;
};

// A one-node graph (inputs after the listed constants are graph inputs), random inputs.
Graph one_node(const std::string& op, int opset, const std::vector<In>& ins, const ops::Attributes& attrs, TestRng& rng,
               std::vector<ops::FTensor>& inputs) {
  Graph g;
  g.source = op;
  g.opset = opset;
  ops::Node n;
  n.name = op;
  n.op_type = op;
  n.opset = opset;
  n.attrs = attrs;
  for (size_t i = 0; i < ins.size(); ++i) {
    TensorInfo t;
    t.name = "in" + std::to_string(i);
    t.shape = ins[i].shape;
    t.dtype = ins[i].dtype;
    ops::FTensor v(ins[i].shape, ins[i].dtype);
    for (size_t k = 0; k < v.data.size(); ++k)
      v.data[k] = ins[i].values.empty() ? static_cast<double>(rng.next_u64() % 2001) / 250.0 - 4.0 : ins[i].values[k];
    if (ins[i].is_const) {
      t.is_const = true;
      t.value = v;
    }
    const int id = g.add_tensor(std::move(t));
    if (!ins[i].is_const) {
      g.inputs.push_back(id);
      inputs.push_back(v);
    }
    n.inputs.push_back(id);
  }
  TensorInfo y;
  y.name = "y";
  const int yid = g.add_tensor(std::move(y));
  n.outputs = {yid};
  g.outputs = {yid};
  g.nodes.push_back(std::move(n));
  return g;
}

struct Case {
  std::string op;
  int opset;
  std::vector<In> in;
  std::function<void(ops::Attributes&)> attrs;
  std::vector<std::string> expect;  // ops the lowered graph must contain
};

TEST(LowerComposites, AgainstTheOperatorsOwnSemantics) {
  TestRng rng(13);
  using A = ops::Attributes;
  const std::vector<Case> cases = {
      {"LogSoftmax", 13, {{{2, 3, 4}}}, [](A& a) { a.ints["axis"] = 1; }, {"ReduceMax", "Exp", "ReduceSum", "Log"}},
      {"LogSoftmax", 13, {{{2, 3, 4}}}, nullptr, {"ReduceMax", "Exp", "Log"}},
      {"LogSoftmax", 11, {{{2, 3, 4}}}, nullptr, {"ReduceMax", "Exp", "Log"}},  // flattened from axis 1
      {"LogSoftmax", 11, {{{2, 3, 4}}}, [](A& a) { a.ints["axis"] = 0; }, {"ReduceMax"}},
      {"LogSoftmax", 13, {{{5}}}, nullptr, {"ReduceMax"}},
      {"Hardmax", 13, {{{2, 3, 4}}}, [](A& a) { a.ints["axis"] = 1; }, {"ArgMax", "OneHot"}},
      {"Hardmax", 13, {{{3, 5}}}, nullptr, {"ArgMax", "OneHot"}},
      {"Hardmax", 11, {{{2, 3, 4}}}, nullptr, {"Reshape", "ArgMax", "OneHot"}},
      {"Hardmax", 13, {{{2, 3}, false, {1, 1, 0, -2, 5, 5}}}, nullptr, {"OneHot"}},  // ties: the first
      {"CumSum", 14, {{{3, 4, 5}}, {{}, true, {1}, ops::DType::kInt}}, nullptr, {"Transpose", "MatMul"}},
      {"CumSum", 14, {{{3, 4, 5}}, {{1}, true, {-1}, ops::DType::kInt}}, [](A& a) { a.ints["exclusive"] = 1; }, {"MatMul"}},
      {"CumSum", 14, {{{3, 4}}, {{}, true, {0}, ops::DType::kInt}}, [](A& a) { a.ints["reverse"] = 1; }, {"MatMul"}},
      {"CumSum", 14, {{{6}}, {{}, true, {0}, ops::DType::kInt}}, [](A& a) { a.ints["reverse"] = 1; a.ints["exclusive"] = 1; }, {"MatMul"}},
      {"DepthToSpace", 13, {{{2, 8, 3, 2}}}, [](A& a) { a.ints["blocksize"] = 2; }, {"Transpose"}},
      {"DepthToSpace", 13, {{{1, 9, 2, 3}}}, [](A& a) { a.ints["blocksize"] = 3; a.strings["mode"] = "CRD"; }, {"Transpose"}},
      {"SpaceToDepth", 13, {{{2, 3, 4, 6}}}, [](A& a) { a.ints["blocksize"] = 2; }, {"Transpose"}},
      {"Compress", 11, {{{3, 4}}, {{3}, true, {0, 1, 1}, ops::DType::kBool}}, [](A& a) { a.ints["axis"] = 0; }, {"Gather"}},
      {"Compress", 11, {{{3, 4}}, {{4}, true, {1, 0, 1, 1}, ops::DType::kBool}}, [](A& a) { a.ints["axis"] = -1; }, {"Gather"}},
      {"Compress", 11, {{{2, 3}}, {{5}, true, {0, 1, 0, 0, 1}, ops::DType::kBool}}, nullptr, {"Reshape", "Gather"}},
      {"InstanceNormalization", 13, {{{2, 3, 4, 5}}, {{3}, true}, {{3}, true}}, nullptr, {"LayerNormalization", "Mul", "Add"}},
      {"InstanceNormalization", 13, {{{1, 2, 7}}, {{2}, true, {1, 1}}, {{2}, true, {0, 0}}},
       [](A& a) { a.floats["epsilon"] = 1e-2; }, {"LayerNormalization"}},
      {"InstanceNormalization", 13, {{{2, 3, 4}}, {{3}}, {{3}}}, nullptr, {"LayerNormalization", "Reshape", "Mul", "Add"}},  // computed
      {"MeanVarianceNormalization", 13, {{{2, 3, 4, 5}}}, nullptr, {"Transpose", "LayerNormalization"}},
      {"MeanVarianceNormalization", 13, {{{2, 3, 4}}}, [](A& a) { a.int_lists["axes"] = {1, 2}; }, {"LayerNormalization"}},
      {"MeanVarianceNormalization", 13, {{{2, 3, 4}}}, [](A& a) { a.int_lists["axes"] = {-2}; }, {"Transpose"}},
      {"GlobalMaxPool", 13, {{{2, 3, 4, 5}}}, nullptr, {"ReduceMax"}},
      {"GlobalMaxPool", 13, {{{1, 3, 7}}}, nullptr, {"ReduceMax"}},
      {"Dropout", 13, {{{3, 4}}}, nullptr, {"Identity"}},
      {"Dropout", 13, {{{3, 4}}, {{}, true, {0.3}}, {{}, true, {0}, ops::DType::kBool}}, nullptr, {"Identity"}},
      {"CastLike", 15, {{{3, 4}}, {{1}, true, {0}, ops::DType::kInt}}, nullptr, {"Cast"}},
      {"CastLike", 15, {{{3, 4}}, {{1}, true, {0.5}}}, nullptr, {"Cast"}},
      {"Einsum", 12, {{{3, 4}}, {{4, 5}}}, [](A& a) { a.strings["equation"] = "ij,jk->ik"; }, {"MatMul"}},
      {"Einsum", 12, {{{2, 3, 4}}, {{2, 4, 5}}}, [](A& a) { a.strings["equation"] = "bij,bjk->bik"; }, {"MatMul"}},
      {"Einsum", 12, {{{2, 3, 4, 5}}, {{2, 3, 6, 5}}}, [](A& a) { a.strings["equation"] = "bhqd, bhkd -> bhqk"; }, {"Transpose", "MatMul"}},
      {"Einsum", 12, {{{3, 4}}, {{5, 4}}}, [](A& a) { a.strings["equation"] = "ij,kj"; }, {"MatMul"}},  // implicit: ik
      {"Einsum", 12, {{{3, 4, 2}}, {{3, 2}}}, [](A& a) { a.strings["equation"] = "ijk,ik->j"; }, {"MatMul"}},
      {"Einsum", 12, {{{3, 4, 2}}, {{4, 5}}}, [](A& a) { a.strings["equation"] = "ijk,jl->li"; }, {"ReduceSum", "MatMul"}},
      {"Einsum", 12, {{{5}}, {{5}}}, [](A& a) { a.strings["equation"] = "i,i"; }, {"MatMul"}},
      {"Einsum", 12, {{{3}}, {{4}}}, [](A& a) { a.strings["equation"] = "i,j->ij"; }, {"MatMul"}},
      {"Einsum", 12, {{{3, 4}}}, [](A& a) { a.strings["equation"] = "ij->ji"; }, {"Transpose"}},
      {"Einsum", 12, {{{3, 4, 5}}}, [](A& a) { a.strings["equation"] = "ijk->ki"; }, {"ReduceSum", "Transpose"}},
      {"Einsum", 12, {{{3, 4}}}, [](A& a) { a.strings["equation"] = "ij->i"; }, {"ReduceSum"}},
      {"Einsum", 12, {{{3, 4}}}, [](A& a) { a.strings["equation"] = "ij"; }, {"Identity"}},
      {"Einsum", 12, {{{2, 3, 4}}, {{2, 4, 5}}}, [](A& a) { a.strings["equation"] = "...ij,...jk->...ik"; }, {"MatMul"}},
      {"Einsum", 12, {{{2, 2, 3, 4}}, {{4, 5}}}, [](A& a) { a.strings["equation"] = "...ij,jk"; }, {"MatMul"}},  // implicit: ...ik
      {"Einsum", 12, {{{3, 2, 4}}, {{2, 4}}}, [](A& a) { a.strings["equation"] = "i...,...->i"; }, {"MatMul"}},
      {"Einsum", 12, {{{3, 4}}, {{4, 5}}, {{5, 2}}}, [](A& a) { a.strings["equation"] = "ij,jk,kl->il"; }, {"MatMul"}},
      {"Einsum", 12, {{{2, 3, 4}}, {{2, 4, 5}}, {{2, 5}}}, [](A& a) { a.strings["equation"] = "bij,bjk,bk->bi"; }, {"MatMul"}},
      {"Einsum", 12, {{{2}}, {{2}}, {{2}}}, [](A& a) { a.strings["equation"] = "i,i,i->i"; }, {"MatMul"}},
      {"Einsum", 12, {{{3, 2, 4}}, {{3, 4}}, {{3, 4}}, {{4}}}, [](A& a) { a.strings["equation"] = "...ij,...j,...k,k"; }, {"MatMul"}},
      {"Pow", 13, {{{2, 3}, false, {0.5, 1, 1.5, 2, 3, 0.25}}, {{2, 3}}}, nullptr, {"Log", "Mul", "Exp"}},
      {"Pow", 13, {{{2, 3}, false, {0.5, 1, 1.5, 2, 3, 0.25}}, {{3}, true, {2, -1, 0.5}}}, nullptr, {"Log", "Exp"}},
      {"Einsum", 12, {{{3, 3}}}, [](A& a) { a.strings["equation"] = "ii->i"; }, {"Gather"}},  // diagonals
      {"Einsum", 12, {{{2, 3, 3}}}, [](A& a) { a.strings["equation"] = "bii->b"; }, {"Gather", "ReduceSum"}},  // trace
      {"Einsum", 12, {{{3, 2, 3}}, {{3, 4}}}, [](A& a) { a.strings["equation"] = "iji,ik->jk"; }, {"Gather", "MatMul"}},
      {"Einsum", 12, {{{2, 2, 2}}}, [](A& a) { a.strings["equation"] = "iii->i"; }, {"Gather"}},
      {"Pow", 13, {{{2, 3}}, {{2, 3}, true, {2, 3, 1, 0, 2, 3}}}, nullptr, {"Mul", "Add"}},  // integer exponents: products
      {"Pow", 13, {{{2, 3}, false, {-3, 1, 2, 0, 5, -2}, ops::DType::kInt}, {{3}, true, {4, 0, 7}, ops::DType::kInt}}, nullptr, {"Mul", "Add"}},
      {"NegativeLogLikelihoodLoss", 13, {{{3, 4}}, {{3}, true, {1, 3, 0}, ops::DType::kInt}}, nullptr, {"Mul", "ReduceSum"}},
      {"NegativeLogLikelihoodLoss", 13, {{{2, 3, 2}}, {{2, 2}, true, {0, -1, 2, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       [](A& a) { a.ints["ignore_index"] = -1; a.strings["reduction"] = "none"; }, {"Mul", "ReduceSum"}},
      {"NegativeLogLikelihoodLoss", 13, {{{2, 3, 2}}, {{2, 2}, true, {0, 7, 2, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       [](A& a) { a.ints["ignore_index"] = 7; }, {"Mul", "ReduceSum"}},  // mean over the weights not ignored
      {"SoftmaxCrossEntropyLoss", 13, {{{3, 4}}, {{3}, true, {1, 3, 0}, ops::DType::kInt}}, [](A& a) { a.strings["reduction"] = "sum"; },
       {"ReduceMax", "Exp", "Log", "Mul", "ReduceSum"}},
      {"SoftmaxCrossEntropyLoss", 13, {{{2, 3, 2, 2}}, {{2, 2, 2}, true, {0, 1, 2, 2, 1, 0, 0, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       nullptr, {"ReduceMax", "Exp", "Log", "Mul", "ReduceSum"}},
      // A computed target (a graph input): a OneHot of it; ignore_index through an extra class.
      {"NegativeLogLikelihoodLoss", 13, {{{3, 4}}, {{3}, false, {1, 3, 0}, ops::DType::kInt}}, nullptr, {"OneHot", "Div"}},
      {"NegativeLogLikelihoodLoss", 13, {{{2, 3, 2}}, {{2, 2}, false, {0, -1, 2, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       [](A& a) { a.ints["ignore_index"] = -1; a.strings["reduction"] = "none"; }, {"OneHot", "Equal", "Where", "Slice"}},
      {"NegativeLogLikelihoodLoss", 13, {{{2, 3, 2}}, {{2, 2}, false, {0, 1, 1, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       [](A& a) { a.ints["ignore_index"] = 1; }, {"OneHot", "Where", "Div"}},  // mean over the weights not ignored
      {"NegativeLogLikelihoodLoss", 13, {{{2, 3, 2}}, {{2, 2}, false, {0, 7, 2, 1}, ops::DType::kInt}, {{3}, false, {0.5, 2, 1}}},
       [](A& a) { a.ints["ignore_index"] = 7; a.strings["reduction"] = "sum"; }, {"OneHot", "Mul", "ReduceSum"}},  // computed weights
      {"SoftmaxCrossEntropyLoss", 13, {{{2, 3, 2, 2}}, {{2, 2, 2}, false, {0, 1, 2, 2, 1, 0, 0, 1}, ops::DType::kInt}, {{3}, true, {0.5, 2, 1}}},
       nullptr, {"ReduceMax", "Exp", "Log", "OneHot", "Div"}},
      {"SoftmaxCrossEntropyLoss", 13, {{{4, 5}}, {{4}, false, {4, 0, 3, 3}, ops::DType::kInt}}, [](A& a) { a.ints["ignore_index"] = 3; },
       {"OneHot", "Div"}},
      // Mod of reals (fmod = 1) by a constant or computed divisor: Div, Ceil / Floor by the sign.
      {"Mod", 13, {{{2, 4}, false, {-4.3, 7.2, 5, 4.3, -7.2, 8, 0.5, -0.5}}, {{4}, true, {2.1, -3.4, 8, -2.1}}},
       [](A& a) { a.ints["fmod"] = 1; }, {"Mul", "Floor", "Ceil", "Where"}},
      {"Mod", 13, {{{2, 4}, false, {-4.3, 7.2, 5, 4.3, -7.2, 8, 0.5, -0.5}}, {{2, 4}, false, {2.1, -3.4, 8, -2.1, 3.4, 5, -0.3, 0.3}}},
       [](A& a) { a.ints["fmod"] = 1; }, {"Abs", "Div", "Floor", "Ceil", "Where"}},
      {"ReduceProd", 13, {{{3, 4, 5}}}, [](A& a) { a.int_lists["axes"] = {0, 2}; }, {"Pad", "Slice", "Mul"}},
      {"ReduceProd", 13, {{{2, 4}}}, [](A& a) { a.ints["keepdims"] = 0; }, {"Mul"}},
      {"ReduceProd", 18, {{{2, 3, 4}}, {{1}, true, {-1}, ops::DType::kInt}}, nullptr, {"Mul"}},
      {"Mod", 13, {{{2, 4}, false, {-7, 5, 0, 9, 13, -13, 4, -1}, ops::DType::kInt}, {{4}, true, {3, -4, 5, -2}, ops::DType::kInt}},
       nullptr, {"Div", "Where"}},
      {"Mod", 13, {{{2, 4}, false, {-7, 5, 0, 9, 13, -13, 4, -1}, ops::DType::kInt}, {{2, 1}, true, {3, -4}, ops::DType::kInt}},
       [](A& a) { a.ints["fmod"] = 1; }, {"Div", "Sub"}},
      {"DequantizeLinear", 13, {{{2, 3}, false, {1, 2, 3, 200, 100, 0}, ops::DType::kInt}, {{}, true, {0.5}}, {{}, true, {3}, ops::DType::kInt}},
       nullptr, {"Sub", "Mul"}},
      {"DequantizeLinear", 13, {{{2, 3, 2}, false, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ops::DType::kInt}, {{3}, true, {0.5, 2, 0.25}},
        {{3}, true, {1, 0, -2}, ops::DType::kInt}}, nullptr, {"Sub", "Mul"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.op + " opset " + std::to_string(c.opset));
    A a;
    if (c.attrs) c.attrs(a);
    std::vector<ops::FTensor> in;
    Graph g = one_node(c.op, c.opset, c.in, a, rng, in);
    Graph low = lower_and_compare(g, in);
    EXPECT_EQ(count_op(low, c.op), 0u);
    for (const auto& op : c.expect) EXPECT_GE(count_op(low, op), 1u) << op;
  }
}

// What a rewrite does not take keeps its node (its planner then refuses it by name).
TEST(LowerComposites, CasesLeftAsTheyAre) {
  TestRng rng(14);
  using A = ops::Attributes;
  const std::vector<Case> cases = {
      {"Hardmax", 13, {{{2, 300}}}, nullptr, {}},                                            // depth above 256
      {"Compress", 11, {{{3, 4}}, {{3}, false, {0, 1, 1}, ops::DType::kBool}}, [](A& a) { a.ints["axis"] = 0; }, {}},
      {"Compress", 11, {{{3, 4}}, {{3}, true, {0, 0, 0}, ops::DType::kBool}}, [](A& a) { a.ints["axis"] = 0; }, {}},
      {"Dropout", 13, {{{3, 4}}, {{}, true, {0.3}}, {{}, true, {1}, ops::DType::kBool}}, nullptr, {}},  // training
      {"CumSum", 14, {{{3, 4}}, {{}, false, {0}, ops::DType::kInt}}, nullptr, {}},           // computed axis
      {"Pow", 13, {{{2, 3}}, {{}, true, {2}}}, nullptr, {}},                                 // scalar exponent: Pow's own
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.op);
    A a;
    if (c.attrs) c.attrs(a);
    std::vector<ops::FTensor> in;
    Graph g = one_node(c.op, c.opset, c.in, a, rng, in);
    try {
      bind_shapes(g, in);
    } catch (const Error&) {
      // training-mode Dropout: its float semantics refuse it already; lowered unbound below
    }
    fold_constants(g, true, true);
    Graph low = g;
    lower_composites(low);
    EXPECT_EQ(count_op(low, c.op), 1u);
    EXPECT_EQ(low.nodes.size(), 1u);
  }
}

// What no rewrite takes is refused at compile time, naming the node and the reason.
TEST(LowerComposites, RefusedWithTheReason) {
  TestRng rng(17);
  using A = ops::Attributes;
  struct Refusal {
    Case c;
    std::string why;
  };
  const std::vector<Refusal> cases = {
      {{"Hardmax", 13, {{{2, 300}}}, nullptr, {}}, "at most 256 entries"},
      {{"Compress", 11, {{{3, 4}}, {{3}, false, {0, 1, 1}, ops::DType::kBool}}, [](A& a) { a.ints["axis"] = 0; }, {}},
       "its condition must be a constant"},
      {{"CumSum", 14, {{{3, 4}}, {{}, false, {0}, ops::DType::kInt}}, nullptr, {}}, "its axis must be a constant"},
      {{"Dropout", 13, {{{3, 4}}, {{}, true, {0.3}}, {{}, true, {1}, ops::DType::kBool}}, nullptr, {}}, "training mode"},
      // (-0.5)^2 is finite, Log(-0.5) is not: the Log tensor's name says why.
      {{"Pow", 13, {{{2, 3}, false, {-0.5, 1, 1.5, 2, 3, 0.25}}, {{2, 3}, true, {2, 0.5, 1, 2, 2, 3}}}, nullptr, {}}, "the base must be positive"},
      {{"NegativeLogLikelihoodLoss", 13, {{{3, 300}}, {{3}, false, {1, 3, 0}, ops::DType::kInt}}, nullptr, {}},
       "at most 255 classes"},
      {{"Mod", 13, {{{2, 3}}, {{3}, true, {2, 3, 4}}}, nullptr, {}}, "fmod must be 1"},
      {{"Mod", 13, {{{2, 3}, false, {1, 2, 3, 4, 5, 6}, ops::DType::kInt}, {{3}, true, {2, 0, 4}, ops::DType::kInt}}, nullptr, {}},
       "a constant divisor without zeros"},
      {{"Einsum", 12, {{{3, 1}}, {{3, 4}}}, [](A& a) { a.strings["equation"] = "ij,ij->i"; }, {}}, "broadcasting a dimension of size 1"},
  };
  for (const auto& [c, why] : cases) {
    SCOPED_TRACE(c.op);
    A a;
    if (c.attrs) c.attrs(a);
    std::vector<ops::FTensor> in;
    Graph g = one_node(c.op, c.opset, c.in, a, rng, in);
    std::vector<Sample> samples(1);
    for (const auto& t : in) samples[0].inputs.push_back(t.data);
    try {
      quant::quantize(g, samples, ops::QuantConfig{});
      ADD_FAILURE() << "quantized";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(why), std::string::npos) << what;
      EXPECT_NE(what.find(c.op), std::string::npos) << what;
    }
  }
}

// LayerNormalization with its Mean and InvStdDev outputs: Y stays one node; the statistics are
// computed beside it (ReduceMean; Sqrt and Reciprocal) and match the operator's own.
TEST(LowerComposites, LayerNormStatistics) {
  TestRng rng(16);
  for (int64_t axis : {1, -1, 0}) {
    SCOPED_TRACE(axis);
    std::vector<ops::FTensor> in;
    ops::Attributes a;
    a.ints["axis"] = axis;
    a.floats["epsilon"] = 1e-3;
    const ops::Shape norm = axis == 1 ? ops::Shape{3, 4} : axis == 0 ? ops::Shape{2, 3, 4} : ops::Shape{4};
    std::vector<In> ins = {{{2, 3, 4}}, {norm, true}};
    if (axis != 0) ins.push_back({norm, true});  // axis 0: no bias
    Graph g = one_node("LayerNormalization", 17, ins, a, rng, in);
    for (const std::string name : {"mean", "inv_std_dev"}) {
      TensorInfo t;
      t.name = name;
      const int id = g.add_tensor(std::move(t));
      g.nodes[0].outputs.push_back(id);
      g.outputs.push_back(id);
    }
    Graph low = lower_and_compare(g, in);
    EXPECT_EQ(count_op(low, "LayerNormalization"), 1u);
    EXPECT_EQ(count_op(low, "Reciprocal"), 1u);
    for (const auto& n : low.nodes)
      if (n.op_type == "LayerNormalization") {
        EXPECT_EQ(n.outputs.size(), 1u);
      }
  }
}

// Size and EyeLike depend on the input's shape only: folded once shapes are bound.
TEST(LowerComposites, ShapeOnlyOpsFold) {
  TestRng rng(15);
  for (const std::string op : {"Size", "EyeLike"}) {
    SCOPED_TRACE(op);
    std::vector<ops::FTensor> in;
    ops::Attributes a;
    if (op == "EyeLike") a.ints["k"] = 1;
    Graph g = one_node(op, 13, {{{3, 4}}}, a, rng, in);
    const auto want = run_float(g, in);
    bind_shapes(g, in);
    fold_constants(g, true, true);
    EXPECT_TRUE(g.nodes.empty());
    const auto& y = g.tensors[g.outputs[0]];
    ASSERT_TRUE(y.is_const);
    EXPECT_EQ(y.value.shape, want[0].shape);
    EXPECT_EQ(y.value.data, want[0].data);
    if (op == "Size") EXPECT_EQ(y.value.data, std::vector<double>{12});
    else EXPECT_EQ(y.value.data, (std::vector<double>{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  }
  // Range of constants folds like any node of constants.
  std::vector<ops::FTensor> none;
  Graph r = one_node("Range", 11, {{{}, true, {1}}, {{}, true, {6}}, {{}, true, {2}}}, {}, rng, none);
  fold_constants(r, true, false);
  EXPECT_TRUE(r.nodes.empty());
  EXPECT_EQ(r.tensors[r.outputs[0]].value.data, (std::vector<double>{1, 3, 5}));
}

}  // namespace
}  // namespace zkinfer::graph
