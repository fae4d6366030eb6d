// Random tree ensembles for tests (graph_ml_test, proof_ml_test): an ONNX-ML TreeEnsembleClassifier
// (binary, one score column, onnxruntime's convention: weights on class 0) or
// TreeEnsembleRegressor built node by node, with a reference evaluation that walks the trees
// directly from the node arrays (the semantics the lowering must reproduce). Trees are grown to
// `depth` with each node below the root becoming a leaf with probability `leaf_prob` (so trees of
// different shapes and depths, shallow leaves included); a node's two children get the next two
// ids when it is created.
#pragma once

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/random.h"

namespace zkinfer::testing {

struct ForestSpec {
  int trees = 128, depth = 9, features = 64;
  double leaf_prob = 0.05;
  bool regressor = false;
  int targets = 1;                               // regressor outputs
  std::vector<std::string> modes{"BRANCH_LEQ"};  // each node takes one of these at random
};

struct RandomForest {
  ForestSpec spec;
  std::vector<int64_t> treeids, nodeids, featids, trues, falses;
  std::vector<float> values;
  std::vector<std::string> modes;
  std::vector<int64_t> wt, wn, wi;
  std::vector<float> ww;

  // The raw scores (the sum of the reached leaves' weights per class / target).
  std::vector<double> scores(const std::vector<float>& x) const {
    std::map<std::pair<int64_t, int64_t>, size_t> at;
    for (size_t k = 0; k < nodeids.size(); ++k) at[{treeids[k], nodeids[k]}] = k;
    std::vector<double> s(static_cast<size_t>(spec.regressor ? spec.targets : 1), 0.0);
    for (int t = 0; t < spec.trees; ++t) {
      size_t k = at.at({t, 0});
      while (modes[k] != "LEAF") {
        const double v = x[static_cast<size_t>(featids[k])], thr = values[k];
        const auto& m = modes[k];
        const bool yes = m == "BRANCH_LEQ" ? v <= thr : m == "BRANCH_LT" ? v < thr : m == "BRANCH_GT" ? v > thr
                       : m == "BRANCH_GTE" ? v >= thr : m == "BRANCH_EQ" ? v == thr : v != thr;
        k = at.at({t, yes ? trues[k] : falses[k]});
      }
      for (size_t j = 0; j < wn.size(); ++j)
        if (wt[j] == t && wn[j] == nodeids[k]) s[static_cast<size_t>(wi[j])] += ww[j];
    }
    return s;
  }

  onnx::ModelProto model() const {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    op = m.add_opset_import();
    op->set_domain("ai.onnx.ml");
    op->set_version(1);
    auto* g = m.mutable_graph();
    g->set_name("random_forest");
    auto value_info = [](onnx::ValueInfoProto* v, const char* name, int elem, std::vector<int64_t> dims) {
      v->set_name(name);
      auto* tt = v->mutable_type()->mutable_tensor_type();
      tt->set_elem_type(elem);
      for (auto d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
    };
    value_info(g->add_input(), "input", onnx::TensorProto::FLOAT, {1, spec.features});
    auto* n = g->add_node();
    n->set_name("trees");
    n->set_domain("ai.onnx.ml");
    n->add_input("input");
    if (spec.regressor) {
      n->set_op_type("TreeEnsembleRegressor");
      n->add_output("variable");
      value_info(g->add_output(), "variable", onnx::TensorProto::FLOAT, {1, spec.targets});
    } else {
      n->set_op_type("TreeEnsembleClassifier");
      n->add_output("label");
      n->add_output("probabilities");
      value_info(g->add_output(), "label", onnx::TensorProto::INT64, {1});
      value_info(g->add_output(), "probabilities", onnx::TensorProto::FLOAT, {1, 2});
    }
    auto ints = [&](const char* name, const std::vector<int64_t>& v) {
      auto* a = n->add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::INTS);
      for (auto x : v) a->add_ints(x);
    };
    auto floats = [&](const char* name, const std::vector<float>& v) {
      auto* a = n->add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::FLOATS);
      for (auto x : v) a->add_floats(x);
    };
    auto strings = [&](const char* name, const std::vector<std::string>& v) {
      auto* a = n->add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::STRINGS);
      for (const auto& x : v) a->add_strings(x);
    };
    ints("nodes_treeids", treeids);
    ints("nodes_nodeids", nodeids);
    ints("nodes_featureids", featids);
    ints("nodes_truenodeids", trues);
    ints("nodes_falsenodeids", falses);
    floats("nodes_values", values);
    strings("nodes_modes", modes);
    const std::string pre = spec.regressor ? "target_" : "class_";
    ints((pre + "treeids").c_str(), wt);
    ints((pre + "nodeids").c_str(), wn);
    ints((pre + "ids").c_str(), wi);
    floats((pre + "weights").c_str(), ww);
    if (spec.regressor) {
      auto* a = n->add_attribute();
      a->set_name("n_targets");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(spec.targets);
    } else {
      ints("classlabels_int64s", {0, 1});
    }
    return m;
  }
};

// Classifier leaves weigh P(class 1) / trees (a random forest's average, all >= 0: label iff the
// score > 0.5); regressor leaves take values in [-1, 1] per target.
inline RandomForest make_random_forest(const ForestSpec& spec, TestRng& rng) {
  RandomForest f;
  f.spec = spec;
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(rng.next_u64() >> 11) / static_cast<double>(uint64_t{1} << 53);
  };
  for (int t = 0; t < spec.trees; ++t) {
    int64_t next = 0;
    // Depth-first: (node id, depth).
    std::vector<std::pair<int64_t, int>> stack{{next++, 0}};
    while (!stack.empty()) {
      auto [id, d] = stack.back();
      stack.pop_back();
      f.treeids.push_back(t);
      f.nodeids.push_back(id);
      if (d == spec.depth || (d > 0 && uniform(0, 1) < spec.leaf_prob)) {
        f.featids.push_back(0);
        f.trues.push_back(0);
        f.falses.push_back(0);
        f.values.push_back(0.0f);
        f.modes.push_back("LEAF");
        if (spec.regressor) {
          for (int c = 0; c < spec.targets; ++c) {
            f.wt.push_back(t), f.wn.push_back(id), f.wi.push_back(c);
            f.ww.push_back(static_cast<float>(uniform(-1, 1)));
          }
        } else {
          f.wt.push_back(t), f.wn.push_back(id), f.wi.push_back(0);
          f.ww.push_back(static_cast<float>(uniform(0, 1) / spec.trees));
        }
        continue;
      }
      const int64_t yes = next++, no = next++;
      f.featids.push_back(static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(spec.features)));
      f.trues.push_back(yes);
      f.falses.push_back(no);
      // Thresholds on a 1/64 grid: exactly representable inputs land on them.
      f.values.push_back(static_cast<float>(std::round(uniform(-1, 1) * 64) / 64));
      f.modes.push_back(spec.modes[rng.next_u64() % spec.modes.size()]);
      stack.push_back({no, d + 1});
      stack.push_back({yes, d + 1});
    }
  }
  return f;
}

// Deep, thin trees (what the batched form is for): each tree a chain of `depth` BRANCH_LEQ nodes
// (node 2j tests feature j mod features against j / 16; its false child 2j + 1 is a leaf of weight
// j / 16 / trees, its true child the next node), ending in a leaf of weight 0.5 / trees.
inline RandomForest make_chain_forest(int trees, int depth, int features) {
  RandomForest c;
  c.spec.trees = trees, c.spec.depth = depth, c.spec.features = features, c.spec.leaf_prob = 0;
  auto leaf = [&](int t, int64_t id, float w) {
    c.treeids.push_back(t), c.nodeids.push_back(id);
    c.featids.push_back(0), c.trues.push_back(0), c.falses.push_back(0), c.values.push_back(0), c.modes.push_back("LEAF");
    c.wt.push_back(t), c.wn.push_back(id), c.wi.push_back(0), c.ww.push_back(w / static_cast<float>(trees));
  };
  for (int t = 0; t < trees; ++t)
    for (int j = 0; j <= depth; ++j) {
      const int64_t id = 2 * j;
      if (j == depth) {
        leaf(t, id, 0.5f);
        continue;
      }
      c.treeids.push_back(t), c.nodeids.push_back(id);
      c.featids.push_back(j % features), c.trues.push_back(id + 2), c.falses.push_back(id + 1);
      c.values.push_back(static_cast<float>(j) / 16), c.modes.push_back("BRANCH_LEQ");
      leaf(t, id + 1, static_cast<float>(j) / 16);
    }
  return c;
}

}  // namespace zkinfer::testing
