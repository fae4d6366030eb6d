// ONNX-ML operators lowered into standard ops (lower_ml.h, docs/protocol/ml.md). Semantics follow
// onnxruntime's CPU kernels (the reference the tests compare with), including its binary
// classification conventions.
#include "graph/lower_ml.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/error.h"

namespace zkinfer::graph {

using ops::DType;
using ops::FTensor;

bool is_ml_op(const std::string& domain, const std::string& op) {
  if (domain != "ai.onnx.ml") return false;
  static const std::set<std::string> ml = {"TreeEnsembleClassifier", "TreeEnsembleRegressor", "LinearClassifier",
                                           "LinearRegressor", "SVMClassifier", "SVMRegressor", "Scaler",
                                           "Normalizer", "Binarizer", "ZipMap"};
  return ml.count(op) > 0;
}

namespace {

struct Lowering {
  Graph& g;
  const ops::Node& n;
  std::map<int, int64_t>& width;
  int counter = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw Error(g.source + ": node '" + n.name + "' (" + n.op_type + ", domain ai.onnx.ml): " + why);
  }
  std::string fresh(const std::string& what) { return n.name + "/ml_" + what + "_" + std::to_string(counter++); }
  int constant(const std::string& what, ops::Shape shape, DType dt, std::vector<double> data) {
    TensorInfo t;
    t.name = fresh(what);
    t.value = FTensor(shape, dt);
    if (t.value.data.size() != data.size()) fail("internal: constant " + what + " has the wrong size");
    t.value.data = std::move(data);
    t.shape = std::move(shape);
    t.dtype = dt;
    t.is_const = true;
    return g.add_tensor(std::move(t));
  }
  // One standard node; returns its output tensor (a new one unless `out` is given).
  int emit(const std::string& op, std::vector<int> inputs, ops::Attributes a = {}, int out = -1, int64_t w = -1) {
    if (out < 0) {
      TensorInfo t;
      t.name = fresh(op);
      out = g.add_tensor(std::move(t));
    }
    ops::Node m;
    m.name = fresh(op + "_node");
    m.op_type = op;
    m.opset = std::max(g.opset, 13);
    m.inputs = std::move(inputs);
    m.outputs = {out};
    m.attrs = std::move(a);
    g.nodes.push_back(std::move(m));
    if (w >= 0) width[out] = w;
    return out;
  }
  static ops::Attributes ints(std::initializer_list<std::pair<const char*, int64_t>> kv) {
    ops::Attributes a;
    for (auto& [k, v] : kv) a.ints[k] = v;
    return a;
  }
  int cast(int x, int to, int64_t w) { return emit("Cast", {x}, ints({{"to", to}}), -1, w); }
  int input_width(int idx) {
    if (idx >= static_cast<int>(n.inputs.size()) || n.inputs[idx] < 0) fail("missing input");
    int t = n.inputs[idx];
    auto it = width.find(t);
    if (it != width.end() && it->second > 0) return static_cast<int>(it->second);
    const auto& s = g.tensors[t].shape;
    if (s.size() == 2 && s[1] > 0) return static_cast<int>(s[1]);
    fail("the number of features of input '" + g.tensors[t].name + "' is unknown (declare the input as [N, F])");
  }
  int out_or_new(size_t k) const { return k < n.outputs.size() ? n.outputs[k] : -1; }
  void refuse_strings() const {
    for (const char* k : {"classlabels_strings", "classlabels_string"})
      if (n.attrs.string_lists.count(k))
        fail("string class labels are not supported (export integer labels, classlabels_int64s / classlabels_ints, "
             "and map indices to names outside the proof)");
  }
  std::vector<double> floats_attr(const std::string& k) const {
    auto it = n.attrs.float_lists.find(k);
    if (it != n.attrs.float_lists.end()) return it->second;
    auto t = n.attrs.tensors.find(k + "_as_tensor");
    if (t != n.attrs.tensors.end()) return t->second.data;
    return {};
  }
  std::vector<std::string> strings_attr(const std::string& k) const {
    auto it = n.attrs.string_lists.find(k);
    return it == n.attrs.string_lists.end() ? std::vector<std::string>{} : it->second;
  }
  // The label output of a classifier from the index of the winning class (int64 [N]).
  void label_from_index(int idx, const std::vector<int64_t>& labels, int out) {
    bool identity = true;
    for (size_t i = 0; i < labels.size(); ++i) identity = identity && labels[i] == static_cast<int64_t>(i);
    if (identity) {
      emit("Identity", {idx}, {}, out);
      return;
    }
    std::vector<double> l(labels.begin(), labels.end());
    int table = constant("labels", {static_cast<int64_t>(labels.size())}, DType::kInt, l);
    emit("Gather", {table, idx}, ints({{"axis", 0}}), out);
  }
  // Binary classifiers with one score column s [N, 1] (onnxruntime's conventions): the label is
  // labels[1] where s > cut, the probabilities [first(s), second(s)].
  void binary_outputs(int s, const std::vector<int64_t>& labels, double cut, const std::string& probs_kind) {
    if (n.outputs.size() > 0 && n.outputs[0] >= 0) {
      int c = constant("cut", {1}, DType::kFloat, {cut});
      int gt = emit("Greater", {s, c});
      int gti = cast(gt, 7, -1);
      int flat = emit("Squeeze", {gti, constant("axes", {1}, DType::kInt, {1})});
      label_from_index(flat, labels, n.outputs[0]);
    }
    if (n.outputs.size() > 1 && n.outputs[1] >= 0) {
      int a, b;
      if (probs_kind == "one_minus") {  // [1 - s, s]
        a = emit("Sub", {constant("one", {1}, DType::kFloat, {1.0}), s});
        b = s;
      } else if (probs_kind == "neg") {  // [-s, s]
        a = emit("Neg", {s});
        b = s;
      } else {  // logistic: [sigmoid(-s), sigmoid(s)], as [1 - sigmoid(s), sigmoid(s)] (one table)
        b = emit("Sigmoid", {s});
        a = emit("Sub", {constant("one", {1}, DType::kFloat, {1.0}), b});
      }
      emit("Concat", {a, b}, ints({{"axis", 1}}), n.outputs[1], 2);
    }
  }
  // Multi-class outputs from raw scores [N, K]: label argmax, probabilities post-transformed.
  void multi_outputs(int scores, const std::vector<int64_t>& labels, const std::string& post, int64_t k) {
    if (n.outputs.size() > 0 && n.outputs[0] >= 0) {
      int idx = emit("ArgMax", {scores}, ints({{"axis", 1}, {"keepdims", 0}}));
      label_from_index(idx, labels, n.outputs[0]);
    }
    if (n.outputs.size() > 1 && n.outputs[1] >= 0) post_transform(scores, post, n.outputs[1], k);
  }
  int post_transform(int scores, const std::string& post, int out, int64_t k) {
    if (post == "NONE" || post.empty()) return emit("Identity", {scores}, {}, out, k);
    if (post == "LOGISTIC") return emit("Sigmoid", {scores}, {}, out, k);
    if (post == "SOFTMAX") return emit("Softmax", {scores}, ints({{"axis", 1}}), out, k);
    fail("post_transform " + post + " is not supported (NONE, LOGISTIC, SOFTMAX are)");
  }

  // ---------------------------------------------------------------- tree ensembles
  struct Internal { int group; int64_t feat; double thr; int64_t tree; };
  // The complete form selects features by a Gather with weight indices (an indexed lookup) from
  // this many features on, each slot costing about kGatherCost committed entries (BENCHMARKS.md,
  // issue 16: with 4, 8, 30 and 64 features the lookup proves as fast as the one-hot product or
  // faster, verifies faster and makes a smaller key; one feature is a plain broadcast).
  static constexpr int64_t kGatherFeatures = 2;
  // Every form's path matrix and counts carry the unit kPathUnit = 2^14 instead of 1: the
  // quantizer then gives the path matrix scale 0 (entries of magnitude in [2^14, 2^15) with the
  // default 16 weight bits) with the same committed integers (+-2^14) as at scale 14, so the path
  // product is exact at scale 0 and needs no rescale (a 6-bit remainder and a 15-bit output range
  // check per entry, and a 2^15-row table in the model's LogUp, before); the counts are integers
  // at scale 0. The decisions are the same (p / kPathUnit counts agreeing comparisons).
  static constexpr double kPathUnit = 16384.0;
  static constexpr double kGatherCost = 3.0;
  enum class Form { kDense, kBatched, kComplete };
  // The cheapest form that fits (docs/protocol/ml.md, "Choosing the form"): small ensembles
  // (internal nodes x leaves <= 2^16) take the dense form, whose path matrix is then cheap and which
  // has the fewest steps; larger ones of one comparison group the batched or the complete form,
  // whichever costs less in committed constant entries plus 16 per proven comparison element
  // (node decisions and leaf indicators; one such element costs about as much as 16 committed
  // entries: range-checked digits against a few field operations per entry). Measured in
  // BENCHMARKS.md, issue 16: the complete form beats the batched one on 40 trees of depth 4 and
  // 100 of depth 6; the batched one is for deep, thin trees.
  Form choose_form(int ngroups, int64_t F, int64_t T, int64_t I, int64_t L, int64_t Imax, int64_t Lmax, int64_t depth,
                   int64_t K2) const {
    const double lim = static_cast<double>(1 << 24);
    const double dense_path = static_cast<double>(I) * static_cast<double>(L);
    if (dense_path <= 65536.0) return Form::kDense;
    double best = std::numeric_limits<double>::infinity();
    Form form = Form::kDense;
    if (dense_path <= lim) {
      best = static_cast<double>(F * I) + dense_path + static_cast<double>(L * K2) + 16.0 * static_cast<double>(I + L);
    }
    if (ngroups == 1 && T > 1) {
      const double path = static_cast<double>(T) * static_cast<double>(Imax) * static_cast<double>(Lmax);
      const double cost = static_cast<double>(F * T * Imax) + path + static_cast<double>(T * Lmax * K2) +
                          16.0 * static_cast<double>(T * (Imax + Lmax));
      if (path <= lim && cost < best) best = cost, form = Form::kBatched;
    }
    if (ngroups == 1 && depth <= 20) {
      const double S = std::ldexp(1.0, static_cast<int>(depth)), W = static_cast<double>(T) * S;
      // The selection: a one-hot F x W matrix, or (F >= kGatherFeatures) W indices, W selected
      // values and their lookup, counted as kGatherCost entries per slot.
      const double sel = F >= kGatherFeatures ? kGatherCost * W : static_cast<double>(F) * W;
      const double cost = sel + S * S + W * static_cast<double>(K2) + 16.0 * 2.0 * W;
      if ((F >= kGatherFeatures || static_cast<double>(F) * W <= lim) && W <= lim && S * S <= lim &&
          W * static_cast<double>(K2) <= lim && cost < best)
        best = cost, form = Form::kComplete;
    }
    if (best == std::numeric_limits<double>::infinity())
      fail("tree ensemble too large: the dense path matrix would have " + std::to_string(I) + " x " + std::to_string(L) +
           " > 2^24 entries, and " +
           (ngroups == 1 ? std::string("the batched and complete forms exceed 2^24 entries too")
                         : std::string("the batched and complete forms need one comparison mode for every node")));
    return form;
  }
  // The complete form: every tree padded to the complete binary tree of the ensemble's depth d
  // (S = 2^d slots per tree: heap positions 0..S-2 and one unused), so the path structure is
  // public and one S x S path matrix C serves every tree. Leaf l (0 <= l < S) is reached iff at
  // every level k the comparison of its ancestor at that level equals bit d-1-k of l. An absent
  // node (below a leaf shallower than d) compares 0 with threshold 0 (a zero column of A): a
  // constant, and every leaf below the original leaf carries its value, so any outcome gives it.
  void complete_trees(int x, const std::vector<std::vector<std::pair<int64_t, int>>>& paths,
                      const std::vector<int64_t>& leaf_tree, const std::vector<std::vector<double>>& leafvals,
                      const std::vector<Internal>& internal, const int64_t gsize[3], int64_t F, int64_t T, int64_t depth,
                      int64_t K2, double scale, bool classifier, bool binary, bool all_pos, const std::vector<double>& base,
                      const std::vector<int64_t>& labels, const std::string& post, int64_t K) {
    const int64_t S = int64_t{1} << depth, W = T * S;
    const int grp = gsize[0] ? 0 : gsize[1] ? 1 : 2;
    const char* cmp[3] = {"LessOrEqual", "Less", "Equal"};
    // Feature selection: Gather(x, feat) by a weight vector of feature indices (one per slot; an
    // indexed lookup, proof/steps/gather_private.cc) where F >= kGatherFeatures, else MatMul(x, A)
    // by the one-hot F x W matrix A. Absent slots select (feature, threshold) of the ensemble's
    // first internal node with the Gather (any value does: see above), 0 against 0 with A.
    const bool gather = F >= kGatherFeatures;
    std::vector<double> A(gather ? 0 : static_cast<size_t>(F * W), 0.0),
        B(static_cast<size_t>(W), gather ? internal[0].thr : 0.0), E(static_cast<size_t>(W * K2), 0.0),
        feat(gather ? static_cast<size_t>(W) : 0, static_cast<double>(internal[0].feat));
    for (size_t l = 0; l < paths.size(); ++l) {
      const int64_t t = leaf_tree[l];
      int64_t h = 0;  // heap position: children of h are 2h + 1 (comparison false) and 2h + 2 (true)
      for (auto [i, sg] : paths[l]) {
        const auto& in = internal[static_cast<size_t>(i)];
        const int64_t slot = t * S + h;
        if (gather) {
          feat[static_cast<size_t>(slot)] = static_cast<double>(in.feat);
        } else {
          A[static_cast<size_t>(in.feat * W + slot)] = 1.0;
        }
        B[static_cast<size_t>(slot)] = in.thr;
        h = 2 * h + 1 + (sg > 0 ? 1 : 0);
      }
      const int64_t j = static_cast<int64_t>(paths[l].size()), r = h - ((int64_t{1} << j) - 1), span = int64_t{1} << (depth - j);
      for (int64_t l2 = r * span; l2 < (r + 1) * span; ++l2)
        for (int64_t c = 0; c < K2; ++c)
          E[static_cast<size_t>((t * S + l2) * K2 + c)] = leafvals[l][static_cast<size_t>(c)] * scale;
    }
    // C and D in units of kPathUnit (above).
    std::vector<double> C(static_cast<size_t>(S * S), 0.0), D(static_cast<size_t>(S), 0.0);
    for (int64_t h = 0; h + 1 < S; ++h) {
      int64_t k = 0;
      while ((int64_t{2} << k) <= h + 1) ++k;  // level of h: 2^k <= h + 1 < 2^(k+1)
      const int64_t r = h + 1 - (int64_t{1} << k), span = int64_t{1} << (depth - k);
      for (int64_t l2 = r * span; l2 < (r + 1) * span; ++l2)
        C[static_cast<size_t>(h * S + l2)] = (l2 >> (depth - 1 - k)) & 1 ? kPathUnit : -kPathUnit;
    }
    // p = rows C is at most popcount(l) at leaf l, equal exactly where every comparison on l's path
    // agrees: one strict comparison p > popcount(l) - 1/2 is the indicator (half an Equal's cost:
    // Equal proves two strict bits, compare.md section 2).
    for (int64_t l2 = 0; l2 < S; ++l2)
      D[static_cast<size_t>(l2)] = kPathUnit * (static_cast<double>(__builtin_popcountll(static_cast<uint64_t>(l2))) - 0.5);
    int xa = gather ? emit("Gather", {x, constant("feature_ids", {W}, DType::kFloat, feat)}, ints({{"axis", 1}}), -1, W)
                    : emit("MatMul", {x, constant("features", {F, W}, DType::kFloat, A)}, {}, -1, W);
    int d = cast(emit(cmp[grp], {xa, constant("thresholds", {W}, DType::kFloat, B)}, {}, -1, W), 1, W);
    int rows = emit("Reshape", {d, constant("shape", {2}, DType::kInt, {-1.0, static_cast<double>(S)})}, {}, -1, S);
    int p = emit("MatMul", {rows, constant("paths", {S, S}, DType::kFloat, C)}, {}, -1, S);
    int leaf = cast(emit("Greater", {p, constant("path_counts", {S}, DType::kFloat, D)}, {}, -1, S), 1, S);
    int flat = emit("Reshape", {leaf, constant("shape", {2}, DType::kInt, {-1.0, static_cast<double>(W)})}, {}, -1, W);
    int s = emit("MatMul", {flat, constant("leaf_values", {W, K2}, DType::kFloat, E)}, {}, -1, K2);
    finish_trees(s, classifier, binary, all_pos, base, labels, post, K, K2);
  }
  void tree_ensemble(bool classifier) {
    refuse_strings();
    const int F = input_width(0);
    const auto treeids = n.attrs.get_ints("nodes_treeids"), nodeids = n.attrs.get_ints("nodes_nodeids");
    const auto featids = n.attrs.get_ints("nodes_featureids"), trues = n.attrs.get_ints("nodes_truenodeids"),
               falses = n.attrs.get_ints("nodes_falsenodeids");
    const auto values = floats_attr("nodes_values");
    const auto modes = strings_attr("nodes_modes");
    const size_t nn = nodeids.size();
    if (nn == 0 || treeids.size() != nn || featids.size() != nn || trues.size() != nn || falses.size() != nn ||
        values.size() != nn || modes.size() != nn)
      fail("nodes_* attributes are missing or of different lengths");
    for (const auto& k : {"nodes_missing_value_tracks_true"})
      for (auto v : n.attrs.get_ints(k))
        if (v) fail("nodes_missing_value_tracks_true is set: missing values (NaN) are not supported (inputs are fixed-point)");
    const std::string pre = classifier ? "class_" : "target_";
    const auto wt = n.attrs.get_ints(pre + "treeids"), wn = n.attrs.get_ints(pre + "nodeids"), wi = n.attrs.get_ints(pre + "ids");
    const auto ww = floats_attr(pre + "weights");
    if (wt.size() != wn.size() || wt.size() != wi.size() || wt.size() != ww.size())
      fail(pre + "* attributes are of different lengths");
    std::vector<int64_t> labels = n.attrs.get_ints("classlabels_int64s");
    int64_t K = classifier ? static_cast<int64_t>(labels.size()) : n.attrs.get_int("n_targets", 1);
    if (K <= 0 || K > 4096) fail(classifier ? "no class labels (classlabels_int64s)" : "bad n_targets");
    std::set<int64_t> used;
    for (auto id : wi) {
      if (id < 0 || id >= K) fail("leaf weight for class/target " + std::to_string(id) + " out of range");
      used.insert(id);
    }
    const bool binary = classifier && K == 2 && used.size() == 1;
    bool all_pos = true;
    for (double w : ww) all_pos = all_pos && w >= 0;
    const std::string post = n.attrs.get_string("post_transform", "NONE");
    const std::string agg = n.attrs.get_string("aggregate_function", "SUM");
    auto base = floats_attr("base_values");
    if (classifier && K == 2 && !binary) fail("binary classifier with leaf weights on both classes is not supported (onnxruntime's label rule for it is not reproduced): export one class's weights");
    if (binary) {
      if (*used.begin() != 0 && !base.empty()) fail("binary classifier with weights on class 1 and base_values is not supported");
      if (base.size() > 1) fail("binary classifier with two base_values is not supported");
    } else if (!base.empty() && static_cast<int64_t>(base.size()) != K) {
      fail("base_values must have one value per class/target");
    }
    if (!classifier && agg != "SUM" && agg != "AVERAGE") fail("aggregate_function " + agg + " is not supported (SUM, AVERAGE are)");
    if (!classifier && post != "NONE") fail("post_transform " + post + " on a regressor is not supported");

    std::map<std::pair<int64_t, int64_t>, size_t> at;
    std::set<std::pair<int64_t, int64_t>> children;
    for (size_t k = 0; k < nn; ++k) {
      if (!at.emplace(std::make_pair(treeids[k], nodeids[k]), k).second) fail("node id repeated in one tree");
      if (modes[k] != "LEAF") {
        children.insert({treeids[k], trues[k]});
        children.insert({treeids[k], falses[k]});
      }
    }
    std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, double>>> leafw;
    for (size_t k = 0; k < wt.size(); ++k) leafw[{wt[k], wn[k]}].push_back({wi[k], ww[k]});
    // Internal nodes in three groups: x <= t (LEQ, GT with branches swapped), x < t (LT, GTE
    // swapped), x == t (EQ, NEQ swapped).
    std::vector<Internal> internal;
    std::vector<size_t> internal_of(nn, SIZE_MAX);
    std::vector<bool> swapped(nn, false);
    for (size_t k = 0; k < nn; ++k) {
      const auto& m = modes[k];
      if (m == "LEAF") continue;
      int grp;
      bool sw = false;
      if (m == "BRANCH_LEQ") grp = 0;
      else if (m == "BRANCH_GT") grp = 0, sw = true;
      else if (m == "BRANCH_LT") grp = 1;
      else if (m == "BRANCH_GTE") grp = 1, sw = true;
      else if (m == "BRANCH_EQ") grp = 2;
      else if (m == "BRANCH_NEQ") grp = 2, sw = true;
      else fail("node mode " + m + " is not supported");
      if (featids[k] < 0 || featids[k] >= F)
        fail("feature id " + std::to_string(featids[k]) + " out of range for " + std::to_string(F) + " features");
      if (!std::isfinite(values[k])) fail("a threshold is not finite");
      swapped[k] = sw;
      internal_of[k] = internal.size();
      internal.push_back({grp, featids[k], values[k], treeids[k]});
    }
    // Column order: by group.
    std::vector<size_t> col(internal.size());
    int64_t gsize[3] = {0, 0, 0};
    for (auto& in : internal) ++gsize[in.group];
    {
      int64_t next[3] = {0, gsize[0], gsize[0] + gsize[1]};
      for (size_t i = 0; i < internal.size(); ++i) col[i] = static_cast<size_t>(next[internal[i].group]++);
    }
    const int64_t I = static_cast<int64_t>(internal.size());
    std::set<int64_t> trees(treeids.begin(), treeids.end());
    int ngroups = (gsize[0] > 0) + (gsize[1] > 0) + (gsize[2] > 0);
    std::map<int64_t, int64_t> tree_ord;
    for (auto t : trees) tree_ord.emplace(t, static_cast<int64_t>(tree_ord.size()));
    const int64_t T = static_cast<int64_t>(trees.size());
    // Leaves by walking each tree from its root.
    const int64_t K2 = binary ? 1 : K;
    std::vector<int64_t> leaf_tree;  // tree ordinal of each leaf
    // per leaf: (internal node index, +1 where the path needs the node's comparison true, -1 false);
    // rewritten to (column, sign) once the form is chosen
    std::vector<std::vector<std::pair<int64_t, int>>> paths;
    std::vector<std::vector<double>> leafvals;
    for (auto t : trees) {
      std::vector<size_t> roots;
      for (size_t k = 0; k < nn; ++k)
        if (treeids[k] == t && !children.count({t, nodeids[k]})) roots.push_back(k);
      if (roots.size() != 1) fail("tree " + std::to_string(t) + " does not have exactly one root");
      std::vector<std::pair<size_t, std::vector<std::pair<int64_t, int>>>> stack{{roots[0], {}}};
      size_t reached = 0, in_tree = 0;
      for (size_t k = 0; k < nn; ++k) in_tree += treeids[k] == t;
      while (!stack.empty()) {
        auto [k, path] = std::move(stack.back());
        stack.pop_back();
        if (++reached > in_tree) fail("tree " + std::to_string(t) + " reaches a node twice (a cycle or a shared node)");
        if (static_cast<int64_t>(path.size()) > 64) fail("tree " + std::to_string(t) + " is deeper than 64 or has a cycle");
        if (modes[k] == "LEAF") {
          std::vector<double> v(static_cast<size_t>(K2), 0.0);
          auto it = leafw.find({t, nodeids[k]});
          if (it != leafw.end())
            for (auto [id, w] : it->second) v[binary ? 0 : static_cast<size_t>(id)] += w;
          paths.push_back(std::move(path));
          leafvals.push_back(std::move(v));
          leaf_tree.push_back(tree_ord[t]);
          if (paths.size() > (1u << 20)) fail("more than 2^20 leaves");
          continue;
        }
        auto child = [&](int64_t id) {
          auto it = at.find({t, id});
          if (it == at.end()) fail("tree " + std::to_string(t) + " refers to missing node " + std::to_string(id));
          return it->second;
        };
        const int64_t c = static_cast<int64_t>(internal_of[k]);
        auto pt = path, pf = path;
        pt.push_back({c, swapped[k] ? -1 : 1});
        pf.push_back({c, swapped[k] ? 1 : -1});
        stack.push_back({child(falses[k]), std::move(pf)});
        stack.push_back({child(trues[k]), std::move(pt)});
      }
      if (reached != in_tree) fail("tree " + std::to_string(t) + " has nodes its root does not reach");
    }
    const int64_t L = static_cast<int64_t>(paths.size());
    const double scale = !classifier && agg == "AVERAGE" ? 1.0 / static_cast<double>(trees.size()) : 1.0;
    int x = n.inputs[0];
    if (I == 0) fail("the ensemble has no internal node (a constant model)");

    // The form, by cost (docs/protocol/ml.md). Per tree: internal nodes, leaves, depth.
    std::vector<int64_t> tree_nodes(static_cast<size_t>(T), 0), tree_leaves(static_cast<size_t>(T), 0);
    int64_t depth = 0;
    for (auto& in : internal) ++tree_nodes[static_cast<size_t>(tree_ord[in.tree])];
    for (int64_t l = 0; l < L; ++l) {
      ++tree_leaves[static_cast<size_t>(leaf_tree[static_cast<size_t>(l)])];
      depth = std::max(depth, static_cast<int64_t>(paths[static_cast<size_t>(l)].size()));
    }
    int64_t Imax = 0, Lmax = 0;
    for (int64_t t = 0; t < T; ++t) {
      Imax = std::max(Imax, tree_nodes[static_cast<size_t>(t)]);
      Lmax = std::max(Lmax, tree_leaves[static_cast<size_t>(t)]);
    }
    const Form form = choose_form(ngroups, F, T, I, L, Imax, Lmax, depth, K2);
    if (form == Form::kComplete) {
      complete_trees(x, paths, leaf_tree, leafvals, internal, gsize, F, T, depth, K2, scale, classifier, binary, all_pos,
                     base, labels, post, K);
      return;
    }
    const bool batched = form == Form::kBatched;
    if (batched) {
      std::vector<int64_t> count(static_cast<size_t>(T), 0);
      for (size_t i = 0; i < internal.size(); ++i) {
        const int64_t t = tree_ord[internal[i].tree];
        col[i] = static_cast<size_t>(t * Imax + count[static_cast<size_t>(t)]++);
      }
    }
    for (auto& p : paths)
      for (auto& e : p) e.first = static_cast<int64_t>(col[static_cast<size_t>(e.first)]);
    if (batched) {
      std::vector<int64_t> leaf_local(static_cast<size_t>(L));
      {
        std::vector<int64_t> nleaves(static_cast<size_t>(T), 0);
        for (int64_t l = 0; l < L; ++l) leaf_local[static_cast<size_t>(l)] = nleaves[static_cast<size_t>(leaf_tree[static_cast<size_t>(l)])]++;
      }
      const int grp = gsize[0] ? 0 : gsize[1] ? 1 : 2;
      const char* cmp[3] = {"LessOrEqual", "Less", "Equal"};
      const int64_t W = T * Imax;
      if (static_cast<double>(T) * static_cast<double>(Imax) * static_cast<double>(Lmax) > 1 << 24)
        fail("tree ensemble too large (trees x internal nodes x leaves per tree > 2^24)");
      std::vector<double> A(static_cast<size_t>(F * W), 0.0), B(static_cast<size_t>(W), 0.0);
      for (size_t i = 0; i < internal.size(); ++i) {
        A[static_cast<size_t>(internal[i].feat * W) + col[i]] = 1.0;
        B[col[i]] = internal[i].thr;
      }
      int xa = emit("MatMul", {x, constant("features", {F, W}, DType::kFloat, A)}, {}, -1, W);
      int d = cast(emit(cmp[grp], {xa, constant("thresholds", {W}, DType::kFloat, B)}, {}, -1, W), 1, W);
      int r = emit("Reshape", {d, constant("shape", {3}, DType::kInt, {-1.0, static_cast<double>(T), static_cast<double>(Imax)})});
      ops::Attributes perm;
      perm.int_lists["perm"] = {1, 0, 2};
      int dt = emit("Transpose", {r}, perm);
      std::vector<double> C(static_cast<size_t>(T * Imax * Lmax), 0.0), D(static_cast<size_t>(T * Lmax), kPathUnit * 0.5),
          E(static_cast<size_t>(T * Lmax * K2), 0.0);
      for (int64_t l = 0; l < L; ++l) {
        const int64_t t = leaf_tree[static_cast<size_t>(l)], j = leaf_local[static_cast<size_t>(l)];
        double cnt = 0;
        for (auto [c, sg] : paths[static_cast<size_t>(l)]) {
          const int64_t jc = c - t * Imax;  // the node's index within its tree
          C[static_cast<size_t>((t * Imax + jc) * Lmax + j)] = kPathUnit * sg;
          if (sg > 0) cnt += 1;
        }
        D[static_cast<size_t>(t * Lmax + j)] = kPathUnit * (cnt - 0.5);  // padding leaves keep 1/2: their column of C is 0
        for (int64_t c = 0; c < K2; ++c)
          E[static_cast<size_t>((t * Lmax + j) * K2 + c)] = leafvals[static_cast<size_t>(l)][static_cast<size_t>(c)] * scale;
      }
      int p = emit("MatMul", {dt, constant("paths", {T, Imax, Lmax}, DType::kFloat, C)});
      // p <= count at every leaf, equal exactly on the path taken: one strict comparison with
      // count - 1/2 (an Equal proves two strict bits).
      int eq = emit("Greater", {p, constant("path_counts", {T, 1, Lmax}, DType::kFloat, D)});
      int leaf = cast(eq, 1, Lmax);
      int st = emit("MatMul", {leaf, constant("leaf_values", {T, Lmax, K2}, DType::kFloat, E)});
      int s = emit("ReduceSum", {st, constant("axes", {1}, DType::kInt, {0.0})}, ints({{"keepdims", 0}}), -1, K2);
      finish_trees(s, classifier, binary, all_pos, base, labels, post, K, K2);
      return;
    }
    int decisions = -1;
    if (I > 0) {
      std::vector<int> parts;
      const char* cmp[3] = {"LessOrEqual", "Less", "Equal"};
      for (int grp = 0; grp < 3; ++grp) {
        if (!gsize[grp]) continue;
        std::vector<double> A(static_cast<size_t>(F * gsize[grp]), 0.0), B(static_cast<size_t>(gsize[grp]));
        int64_t base_col = grp == 0 ? 0 : grp == 1 ? gsize[0] : gsize[0] + gsize[1];
        for (size_t i = 0; i < internal.size(); ++i) {
          if (internal[i].group != grp) continue;
          int64_t j = static_cast<int64_t>(col[i]) - base_col;
          A[static_cast<size_t>(internal[i].feat * gsize[grp] + j)] = 1.0;
          B[static_cast<size_t>(j)] = internal[i].thr;
        }
        int a = constant("features", {F, gsize[grp]}, DType::kFloat, A);
        int b = constant("thresholds", {gsize[grp]}, DType::kFloat, B);
        int xa = emit("MatMul", {x, a}, {}, -1, gsize[grp]);
        parts.push_back(emit(cmp[grp], {xa, b}, {}, -1, gsize[grp]));
      }
      decisions = parts.size() == 1 ? parts[0] : emit("Concat", parts, ints({{"axis", 1}}), -1, I);
    }
    int leaf;
    if (I > 0) {
      std::vector<double> C(static_cast<size_t>(I * L), 0.0), D(static_cast<size_t>(L), 0.0);
      for (int64_t l = 0; l < L; ++l)
        for (auto [c, s] : paths[static_cast<size_t>(l)]) {
          C[static_cast<size_t>(c * L + l)] = kPathUnit * s;
          if (s > 0) D[static_cast<size_t>(l)] += kPathUnit;
        }
      for (auto& v : D) v -= kPathUnit * 0.5;  // p > count - 1/2 (one strict bit): p = count
      int df = cast(decisions, 1, I);
      int p = emit("MatMul", {df, constant("paths", {I, L}, DType::kFloat, C)}, {}, -1, L);
      int eq = emit("Greater", {p, constant("path_counts", {L}, DType::kFloat, D)}, {}, -1, L);
      leaf = cast(eq, 1, L);
    } else {
      fail("the ensemble has no internal node (a constant model)");
    }
    std::vector<double> E(static_cast<size_t>(L * K2));
    for (int64_t l = 0; l < L; ++l)
      for (int64_t c = 0; c < K2; ++c) E[static_cast<size_t>(l * K2 + c)] = leafvals[static_cast<size_t>(l)][static_cast<size_t>(c)] * scale;
    int s = emit("MatMul", {leaf, constant("leaf_values", {L, K2}, DType::kFloat, E)}, {}, -1, K2);
    finish_trees(s, classifier, binary, all_pos, base, labels, post, K, K2);
  }
  // Base values, post-transform and the outputs from the raw scores s [N, K2].
  void finish_trees(int s, bool classifier, bool binary, bool all_pos, const std::vector<double>& base,
                    const std::vector<int64_t>& labels, const std::string& post, int64_t K, int64_t K2) {
    if (!base.empty()) s = emit("Add", {s, constant("base_values", {static_cast<int64_t>(base.size())}, DType::kFloat, base)}, {}, -1, K2);
    if (!classifier) {
      emit("Identity", {s}, {}, n.outputs[0], K);
      return;
    }
    if (binary) {
      if (post != "NONE" && post != "LOGISTIC") fail("post_transform " + post + " on a binary classifier is not supported");
      binary_outputs(s, labels, all_pos ? 0.5 : 0.0, all_pos ? "one_minus" : post == "LOGISTIC" ? "logistic" : "neg");
    } else {
      multi_outputs(s, labels, post, K);
    }
  }

  // ---------------------------------------------------------------- linear models
  // scores = X W^T + b (W [K, F] row-major from coefficients).
  int linear(const std::vector<double>& coef, const std::vector<double>& b, int64_t K) {
    const int F = input_width(0);
    if (static_cast<int64_t>(coef.size()) != K * F)
      fail("coefficients hold " + std::to_string(coef.size()) + " values, " + std::to_string(K) + " x " + std::to_string(F) + " expected");
    std::vector<double> Wt(static_cast<size_t>(F * K));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t f = 0; f < F; ++f) Wt[static_cast<size_t>(f * K + k)] = coef[static_cast<size_t>(k * F + f)];
    int s = emit("MatMul", {n.inputs[0], constant("coefficients", {F, K}, DType::kFloat, Wt)}, {}, -1, K);
    if (!b.empty()) {
      if (static_cast<int64_t>(b.size()) != K && b.size() != 1) fail("intercepts must have one value per class/target");
      s = emit("Add", {s, constant("intercepts", {static_cast<int64_t>(b.size())}, DType::kFloat, b)}, {}, -1, K);
    }
    return s;
  }
  void linear_classifier() {
    refuse_strings();
    auto labels = n.attrs.get_ints("classlabels_ints");
    auto coef = floats_attr("coefficients");
    auto b = floats_attr("intercepts");
    const std::string post = n.attrs.get_string("post_transform", "NONE");
    if (labels.empty()) fail("no class labels (classlabels_ints)");
    const int F = input_width(0);
    const int64_t K = F > 0 ? static_cast<int64_t>(coef.size()) / F : 0;
    if (K <= 0) fail("no coefficients");
    int s = linear(coef, b, K);
    if (K == 1) {
      if (labels.size() != 2) fail("one row of coefficients needs two class labels");
      if (post != "NONE" && post != "LOGISTIC") fail("post_transform " + post + " on a binary classifier is not supported");
      // onnxruntime: label by s > 0; scores [1 - s, s] (NONE) or [1 - sigmoid(s), sigmoid(s)].
      binary_outputs(s, labels, 0.0, post == "LOGISTIC" ? "logistic" : "one_minus");
      return;
    }
    if (static_cast<int64_t>(labels.size()) != K) fail("the number of class labels differs from the rows of coefficients");
    multi_outputs(s, labels, post, K);
  }
  void linear_regressor() {
    auto coef = floats_attr("coefficients");
    auto b = floats_attr("intercepts");
    const int64_t K = n.attrs.get_int("targets", 1);
    if (K <= 0 || K > 4096) fail("bad targets");
    if (n.attrs.get_string("post_transform", "NONE") != "NONE") fail("post_transform other than NONE is not supported");
    int s = linear(coef, b, K);
    emit("Identity", {s}, {}, n.outputs[0], K);
  }
  // SVMs with the linear kernel: support vectors folded into one weight row per class/target.
  std::vector<double> svm_rows(int64_t& K, std::vector<double>& rho, bool classifier) {
    const std::string kernel = n.attrs.get_string("kernel_type", "LINEAR");
    if (kernel != "LINEAR") fail("kernel_type " + kernel + " is not supported (only LINEAR)");
    const int F = input_width(0);
    auto coef = floats_attr("coefficients");
    rho = floats_attr("rho");
    auto sv = floats_attr("support_vectors");
    const auto vps = n.attrs.get_ints("vectors_per_class");
    int64_t nsv = classifier ? 0 : n.attrs.get_int("n_supports", 0);
    if (classifier) for (auto v : vps) nsv += v;
    if (nsv == 0) {  // linear mode: coefficients are the weight rows
      K = static_cast<int64_t>(coef.size()) / F;
      if (K <= 0 || static_cast<int64_t>(coef.size()) != K * F) fail("coefficients do not fit the number of features");
      return coef;
    }
    if (classifier) fail("SVMClassifier with support vectors (one-vs-one voting) is not supported; export the linear form (no support vectors)");
    if (static_cast<int64_t>(sv.size()) != nsv * F || static_cast<int64_t>(coef.size()) != nsv) fail("support vectors do not fit");
    K = 1;
    std::vector<double> w(static_cast<size_t>(F), 0.0);
    for (int64_t j = 0; j < nsv; ++j)
      for (int64_t f = 0; f < F; ++f) w[static_cast<size_t>(f)] += coef[static_cast<size_t>(j)] * sv[static_cast<size_t>(j * F + f)];
    return w;
  }
  void svm_regressor() {
    int64_t K;
    std::vector<double> rho;
    auto w = svm_rows(K, rho, false);
    if (n.attrs.get_int("one_class", 0)) fail("one_class SVM is not supported");
    if (n.attrs.get_string("post_transform", "NONE") != "NONE") fail("post_transform other than NONE is not supported");
    int s = linear(w, rho, K);
    emit("Identity", {s}, {}, n.outputs[0], K);
  }
  void svm_classifier() {
    // onnxruntime's SVMClassifier scores in the linear mode are not X W^T + rho (measured: the
    // binary form labels every row 1, the multi-class form changes every score but the first),
    // so there is no reference semantics to reproduce.
    fail("SVMClassifier is not supported: export a linear SVM as LinearClassifier (post_transform NONE), as "
         "scikit-learn's LinearSVC is exported (scripts/ml/onnx_ml.py)");
    refuse_strings();
    auto labels = n.attrs.get_ints("classlabels_ints");
    int64_t K;
    std::vector<double> rho;
    auto w = svm_rows(K, rho, true);
    if (!floats_attr("prob_a").empty()) fail("Platt probabilities (prob_a, prob_b) are not supported");
    const std::string post = n.attrs.get_string("post_transform", "NONE");
    int s = linear(w, rho, K);
    if (K == 1) {
      if (labels.size() != 2) fail("one row of coefficients needs two class labels");
      if (post != "NONE") fail("post_transform " + post + " on a binary SVM is not supported");
      binary_outputs(s, labels, 0.0, "neg");
      return;
    }
    if (static_cast<int64_t>(labels.size()) != K) fail("the number of class labels differs from the rows of coefficients");
    multi_outputs(s, labels, post, K);
  }

  // ---------------------------------------------------------------- preprocessing
  void scaler() {
    const int F = input_width(0);
    auto off = floats_attr("offset"), sc = floats_attr("scale");
    auto fit = [&](std::vector<double>& v, double def) {
      if (v.empty()) v = {def};
      if (v.size() != 1 && static_cast<int>(v.size()) != F) fail("offset/scale must have 1 or F values");
    };
    fit(off, 0.0);
    fit(sc, 1.0);
    int d = emit("Sub", {n.inputs[0], constant("offset", {static_cast<int64_t>(off.size())}, DType::kFloat, off)}, {}, -1, F);
    emit("Mul", {d, constant("scale", {static_cast<int64_t>(sc.size())}, DType::kFloat, sc)}, {}, n.outputs[0], F);
  }
  void binarizer() {
    const double t = n.attrs.get_float("threshold", 0.0);
    int64_t w = -1;
    auto it = width.find(n.inputs[0]);
    if (it != width.end()) w = it->second;
    int gt = emit("Greater", {n.inputs[0], constant("threshold", {1}, DType::kFloat, {t})});
    emit("Cast", {gt}, ints({{"to", 1}}), n.outputs[0], w);
  }
  void normalizer() {
    const std::string norm = n.attrs.get_string("norm", "MAX");
    const int F = input_width(0);
    int x = n.inputs[0];
    int denom;
    if (norm == "MAX") denom = emit("ReduceMax", {x}, ints({{"axes", 1}, {"keepdims", 1}}), -1, 1);
    else if (norm == "L1") denom = emit("ReduceSum", {emit("Abs", {x}), constant("axes", {1}, DType::kInt, {1})}, ints({{"keepdims", 1}}), -1, 1);
    else fail("norm " + norm + " is not supported (MAX, L1 are)");
    // onnxruntime leaves a row whose norm is 0 unchanged: divide by norm + [norm == 0]. MAX's norm
    // (the row's largest value) is negative for a row of negative values, and the proven Div takes
    // positive divisors only: x / d = sign(d) (x / |d|), the sign applied by a Where.
    int zero = emit("Cast", {emit("Equal", {denom, constant("zero", {1}, DType::kFloat, {0.0})})}, ints({{"to", 1}}), -1, 1);
    if (norm == "L1") {
      emit("Div", {x, emit("Add", {denom, zero}, {}, -1, 1)}, {}, n.outputs[0], F);
      return;
    }
    int q = emit("Div", {x, emit("Add", {emit("Abs", {denom}, {}, -1, 1), zero}, {}, -1, 1)}, {}, -1, F);
    int negative = emit("Less", {denom, constant("zero", {1}, DType::kFloat, {0.0})}, {}, -1, 1);
    emit("Where", {negative, emit("Neg", {q}, {}, -1, F), q}, {}, n.outputs[0], F);
  }
  void zipmap() {
    // The probabilities tensor itself is the output (a ZipMap's sequence of maps is not a tensor).
    int64_t w = -1;
    auto it = width.find(n.inputs[0]);
    if (it != width.end()) w = it->second;
    emit("Identity", {n.inputs[0]}, {}, n.outputs[0], w);
  }
};

}  // namespace

void lower_ml_node(Graph& g, const ops::Node& n, std::map<int, int64_t>& width) {
  Lowering l{g, n, width};
  if (n.outputs.empty()) l.fail("no outputs");
  if (n.inputs.empty() || n.inputs[0] < 0) l.fail("no input");
  const auto& op = n.op_type;
  if (op == "TreeEnsembleClassifier") l.tree_ensemble(true);
  else if (op == "TreeEnsembleRegressor") l.tree_ensemble(false);
  else if (op == "LinearClassifier") l.linear_classifier();
  else if (op == "LinearRegressor") l.linear_regressor();
  else if (op == "SVMClassifier") l.svm_classifier();
  else if (op == "SVMRegressor") l.svm_regressor();
  else if (op == "Scaler") l.scaler();
  else if (op == "Binarizer") l.binarizer();
  else if (op == "Normalizer") l.normalizer();
  else if (op == "ZipMap") l.zipmap();
  else l.fail("not an ONNX-ML operator zkinfer lowers");
}

}  // namespace zkinfer::graph
