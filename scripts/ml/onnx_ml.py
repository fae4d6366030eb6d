"""zkinfer's own converter of scikit-learn and XGBoost models to ONNX-ML (domain ai.onnx.ml).

skl2onnx and onnxmltools are not packaged in Debian, so scripts/ml/train_classic.py builds the
ONNX-ML nodes here with the `onnx` package (python3-onnx). Every model gets one float input
"input" [1, F] and, for classifiers, the outputs "label" (int64 [1]) and "probabilities"
(float [1, K]) -- no ZipMap. Binary classifiers follow onnxruntime's conventions for one score
column (see src/graph/lower_ml.cc): TreeEnsembleClassifier with weights on class id 0 only,
LinearClassifier with one row of coefficients.
"""
import json

import numpy as np
import onnx
from onnx import TensorProto, helper

ML = "ai.onnx.ml"


def _model(nodes, n_features, outputs, name):
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, n_features])
    graph = helper.make_graph(nodes, name, [inp], outputs)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(ML, 1)],
                          producer_name="zkinfer scripts/ml/onnx_ml.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def _classifier_outputs(k):
    return [helper.make_tensor_value_info("label", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, k])]


def _scaler(mean, scale):
    # sklearn StandardScaler: (x - mean) / scale
    return helper.make_node("Scaler", ["input"], ["scaled"], domain=ML, name="scaler",
                            offset=[float(v) for v in mean], scale=[float(1.0 / v) for v in scale])


def linear_classifier(clf, n_features, scaler=None, name="linear", svm=False):
    """LogisticRegression (post_transform LOGISTIC / SOFTMAX); LinearSVC with svm=True (post_transform
    NONE: the scores, as skl2onnx exports it; onnxruntime's SVMClassifier in linear mode gives no
    usable binary scores, so it is not used here)."""
    coef = np.asarray(clf.coef_, dtype=np.float64)
    inter = np.asarray(clf.intercept_, dtype=np.float64).reshape(-1)
    labels = [int(c) for c in clf.classes_]
    nodes = []
    x = "input"
    if scaler is not None:
        nodes.append(_scaler(scaler.mean_, scaler.scale_))
        x = "scaled"
    post = "NONE" if svm else "LOGISTIC" if coef.shape[0] == 1 else "SOFTMAX"
    if True:
        nodes.append(helper.make_node("LinearClassifier", [x], ["label", "probabilities"], domain=ML, name="linear",
                                      coefficients=coef.reshape(-1).tolist(), intercepts=inter.tolist(),
                                      classlabels_ints=labels, post_transform=post))
    return _model(nodes, n_features, _classifier_outputs(len(labels)), name)


class _Trees:
    """Accumulates TreeEnsemble attributes tree by tree."""

    def __init__(self):
        self.a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                                  "nodes_truenodeids", "nodes_falsenodeids", "class_treeids", "class_nodeids",
                                  "class_ids", "class_weights"]}
        self.n_trees = 0

    def add_node(self, tree, node, feature, threshold, mode, true_id, false_id):
        a = self.a
        a["nodes_treeids"].append(tree)
        a["nodes_nodeids"].append(node)
        a["nodes_featureids"].append(int(feature))
        a["nodes_values"].append(float(threshold))
        a["nodes_modes"].append(mode)
        a["nodes_truenodeids"].append(int(true_id))
        a["nodes_falsenodeids"].append(int(false_id))

    def add_leaf(self, tree, node, weights):
        self.add_node(tree, node, 0, 0.0, "LEAF", 0, 0)
        for cls, w in weights:
            self.a["class_treeids"].append(tree)
            self.a["class_nodeids"].append(node)
            self.a["class_ids"].append(int(cls))
            self.a["class_weights"].append(float(w))

    def add_sklearn_tree(self, tree_, leaf_weights):
        """tree_: sklearn's Tree; leaf_weights(node) -> [(class id, weight)]. x <= threshold goes left."""
        t = self.n_trees
        self.n_trees += 1
        for i in range(tree_.node_count):
            left, right = tree_.children_left[i], tree_.children_right[i]
            if left == -1:
                self.add_leaf(t, i, leaf_weights(i))
            else:
                self.add_node(t, i, tree_.feature[i], np.float32(tree_.threshold[i]), "BRANCH_LEQ", left, right)

    def add_xgboost_tree(self, dump, feature_index):
        """dump: one tree of Booster.get_dump(dump_format='json'); x < split_condition goes to 'yes'."""
        t = self.n_trees
        self.n_trees += 1
        stack = [dump]
        while stack:
            nd = stack.pop()
            if "leaf" in nd:
                self.add_leaf(t, nd["nodeid"], [(0, nd["leaf"])])
                continue
            self.add_node(t, nd["nodeid"], feature_index(nd["split"]), np.float32(nd["split_condition"]), "BRANCH_LT",
                          nd["yes"], nd["no"])
            stack.extend(nd["children"])

    def node(self, labels, post, base_values=None):
        kw = dict(self.a)
        kw["classlabels_int64s"] = [int(c) for c in labels]
        kw["post_transform"] = post
        if base_values is not None:
            kw["base_values"] = [float(v) for v in base_values]
        return helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain=ML,
                                name="trees", **kw)


def random_forest(rf, n_features, name="random_forest"):
    """RandomForestClassifier: leaf probabilities averaged over the trees. Binary: one score column
    (class id 0 holds P(class 1)), post_transform NONE."""
    k = len(rf.classes_)
    trees = _Trees()
    n = len(rf.estimators_)
    for est in rf.estimators_:
        value = est.tree_.value[:, 0, :]
        prob = value / value.sum(axis=1, keepdims=True)
        if k == 2:
            trees.add_sklearn_tree(est.tree_, lambda i, p=prob: [(0, p[i, 1] / n)])
        else:
            trees.add_sklearn_tree(est.tree_, lambda i, p=prob: [(c, p[i, c] / n) for c in range(k)])
    return _model([trees.node(rf.classes_, "NONE")], n_features, _classifier_outputs(k), name)


def gradient_boosting(gb, X_one, n_features, name="gradient_boosting"):
    """Binary GradientBoostingClassifier: raw score = init + learning_rate * sum of leaf values,
    probability = logistic(raw)."""
    if len(gb.classes_) != 2:
        raise ValueError("gradient_boosting: binary only")
    trees = _Trees()
    lr = gb.learning_rate
    total = 0.0
    for est in gb.estimators_[:, 0]:
        v = est.tree_.value[:, 0, 0]
        trees.add_sklearn_tree(est.tree_, lambda i, v=v: [(0, lr * v[i])])
        total += lr * est.predict(X_one)[0]
    init = float(gb.decision_function(X_one)[0] - total)
    return _model([trees.node(gb.classes_, "LOGISTIC", [init])], n_features, _classifier_outputs(2), name)


def xgboost_binary(bst, n_features, base_margin, name="xgboost"):
    """Binary XGBoost (binary:logistic): margin = base_margin + sum of leaves, logistic."""
    trees = _Trees()
    for d in bst.get_dump(dump_format="json"):
        trees.add_xgboost_tree(json.loads(d), lambda s: int(s[1:]) if s.startswith("f") else int(s))
    return _model([trees.node([0, 1], "LOGISTIC", [base_margin])], n_features, _classifier_outputs(2), name)
