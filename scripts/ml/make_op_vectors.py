#!/usr/bin/python3
"""Small ONNX-ML models, one per operator form zkinfer lowers (src/graph/lower_ml.cc), with
onnxruntime's outputs on random rows: tests/vectors/ml/<name>/{model.onnx, test.json,
ort_output.json}, compared by src/graph/ml_test.cc. Run with onnxruntime-node available to
../shared/tools/ort_run.mjs (ORT_RUN, ORT_NODE_DIR):

    /usr/bin/python3 scripts/ml/make_op_vectors.py [--out tests/vectors/ml]
"""
import argparse
import json
import os
import shutil
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper

ML = "ai.onnx.ml"
F = 4


def model(nodes, outputs, name):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, F])], outputs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(ML, 1)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def fout(name, k):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, k])


def cls_out(k):
    return [helper.make_tensor_value_info("label", TensorProto.INT64, [1]), fout("probabilities", k)]


def tree_attrs(modes, thresholds):
    """Two trees of depth 2 (3 internal nodes, 4 leaves each) on features 0..3."""
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                         "nodes_truenodeids", "nodes_falsenodeids"]}
    for t in range(2):
        for nid, (feat, true_id, false_id) in enumerate([(t, 1, 2), (2, 3, 4), (3 - t, 5, 6)]):
            a["nodes_treeids"].append(t); a["nodes_nodeids"].append(nid); a["nodes_featureids"].append(feat)
            a["nodes_values"].append(thresholds[t * 3 + nid]); a["nodes_modes"].append(modes[(t * 3 + nid) % len(modes)])
            a["nodes_truenodeids"].append(true_id); a["nodes_falsenodeids"].append(false_id)
        for nid in range(3, 7):
            a["nodes_treeids"].append(t); a["nodes_nodeids"].append(nid); a["nodes_featureids"].append(0)
            a["nodes_values"].append(0.0); a["nodes_modes"].append("LEAF")
            a["nodes_truenodeids"].append(0); a["nodes_falsenodeids"].append(0)
    return a


def leaf_weights(prefix, k, rng, positive=False):
    a = {prefix + s: [] for s in ["treeids", "nodeids", "ids", "weights"]}
    for t in range(2):
        for nid in range(3, 7):
            for c in range(k):
                a[prefix + "treeids"].append(t); a[prefix + "nodeids"].append(nid); a[prefix + "ids"].append(c)
                w = float(np.float32(rng.uniform(0, 1) if positive else rng.uniform(-1, 1)))
                a[prefix + "weights"].append(w)
    return a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../tests/vectors/ml"))
    out = ap.parse_args().out
    rng = np.random.default_rng(16)
    # Inputs: random rows, some exactly on thresholds (the comparison's equality case).
    thr = [float(np.float32(v)) for v in rng.uniform(-1, 1, 6)]
    rows = [[float(np.float32(v)) for v in rng.uniform(-1.5, 1.5, F)] for _ in range(24)]
    for i, t in enumerate(thr):
        r = list(rows[i]); r[[0, 2, 3, 1, 2, 2][i]] = t; rows.append(r)
    rows.append([0.5, 0.5, 0.5, 0.5])
    rows.append([0.0, 0.0, 0.0, 0.0])  # Normalizer: a zero norm leaves the row unchanged
    rows.append([-1.0, 0.0, -2.0, -0.5])  # Normalizer MAX: max 0
    rows.append([-1.0, -3.0, -2.0, -0.5])  # Normalizer MAX: a negative max
    models = {}
    for modes, tag in [(["BRANCH_LEQ"], "leq"), (["BRANCH_LT"], "lt"), (["BRANCH_GT", "BRANCH_GTE", "BRANCH_LEQ"], "gt_gte"),
                       (["BRANCH_EQ", "BRANCH_NEQ", "BRANCH_LT"], "eq_neq")]:
        a = tree_attrs(modes, thr)
        a.update(leaf_weights("target_", 2, rng))
        models[f"tree_regressor_{tag}"] = model([helper.make_node("TreeEnsembleRegressor", ["input"], ["y"], domain=ML, n_targets=2,
                                                                  base_values=[0.25, -0.5], **a)], [fout("y", 2)], tag)
    a = tree_attrs(["BRANCH_LEQ"], thr); a.update(leaf_weights("target_", 1, rng))
    models["tree_regressor_average"] = model([helper.make_node("TreeEnsembleRegressor", ["input"], ["y"], domain=ML, n_targets=1,
                                                               aggregate_function="AVERAGE", **a)], [fout("y", 1)], "avg")
    for post in ["NONE", "LOGISTIC", "SOFTMAX"]:
        a = tree_attrs(["BRANCH_LEQ", "BRANCH_GT"], thr); a.update(leaf_weights("class_", 3, rng))
        models[f"tree_classifier_3_{post.lower()}"] = model([helper.make_node(
            "TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain=ML, classlabels_int64s=[3, 5, 9],
            post_transform=post, base_values=[0.1, -0.2, 0.05], **a)], cls_out(3), post)
    for post, pos in [("NONE", True), ("LOGISTIC", False), ("NONE", False)]:
        a = tree_attrs(["BRANCH_LT"], thr); a.update(leaf_weights("class_", 1, rng, positive=pos))
        if not pos:
            a["base_values"] = [0.2]
        models[f"tree_classifier_binary_{post.lower()}_{'pos' if pos else 'mixed'}"] = model([helper.make_node(
            "TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain=ML, classlabels_int64s=[0, 1],
            post_transform=post, **a)], cls_out(2), post)
    # Many trees (40 full trees of depth 4: 600 internal nodes x 640 leaves > 2^16), one node mode:
    # the batched per-tree form; and the same with a few BRANCH_GT nodes (still one group).
    for tag, modes in [("lt", ["BRANCH_LT"]), ("leq_gt", ["BRANCH_LEQ"] * 7 + ["BRANCH_GT"])]:
        a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                             "nodes_truenodeids", "nodes_falsenodeids", "class_treeids", "class_nodeids", "class_ids",
                             "class_weights"]}
        for t in range(40):
            for nid in range(31):
                a["nodes_treeids"].append(t); a["nodes_nodeids"].append(nid)
                if nid < 15:
                    a["nodes_featureids"].append(int(rng.integers(F)))
                    a["nodes_values"].append(float(np.float32(rng.uniform(-1, 1))))
                    a["nodes_modes"].append(modes[(t * 15 + nid) % len(modes)])
                    a["nodes_truenodeids"].append(2 * nid + 1); a["nodes_falsenodeids"].append(2 * nid + 2)
                else:
                    a["nodes_featureids"].append(0); a["nodes_values"].append(0.0); a["nodes_modes"].append("LEAF")
                    a["nodes_truenodeids"].append(0); a["nodes_falsenodeids"].append(0)
                    for c in range(3):
                        a["class_treeids"].append(t); a["class_nodeids"].append(nid); a["class_ids"].append(c)
                        a["class_weights"].append(float(np.float32(rng.uniform(-0.3, 0.3))))
        models[f"tree_classifier_40_trees_{tag}"] = model([helper.make_node(
            "TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain=ML, classlabels_int64s=[0, 1, 2],
            post_transform="SOFTMAX", **a)], cls_out(3), tag)
    W = [float(np.float32(v)) for v in rng.uniform(-1, 1, 3 * F)]
    b = [float(np.float32(v)) for v in rng.uniform(-0.5, 0.5, 3)]
    models["linear_regressor"] = model([helper.make_node("LinearRegressor", ["input"], ["y"], domain=ML, coefficients=W[:2 * F],
                                                         intercepts=b[:2], targets=2)], [fout("y", 2)], "lr")
    for post in ["NONE", "LOGISTIC", "SOFTMAX"]:
        models[f"linear_classifier_3_{post.lower()}"] = model([helper.make_node(
            "LinearClassifier", ["input"], ["label", "probabilities"], domain=ML, coefficients=W, intercepts=b,
            classlabels_ints=[0, 1, 2], post_transform=post)], cls_out(3), post)
    for post in ["NONE", "LOGISTIC"]:
        models[f"linear_classifier_binary_{post.lower()}"] = model([helper.make_node(
            "LinearClassifier", ["input"], ["label", "probabilities"], domain=ML, coefficients=W[:F], intercepts=b[:1],
            classlabels_ints=[4, 7], post_transform=post)], cls_out(2), post)
    sv = [float(np.float32(v)) for v in rng.uniform(-1, 1, 3 * F)]
    models["svm_regressor_linear"] = model([helper.make_node(
        "SVMRegressor", ["input"], ["y"], domain=ML, kernel_type="LINEAR", kernel_params=[0.0, 0.0, 1.0], n_supports=3,
        support_vectors=sv, coefficients=b, rho=[0.125])], [fout("y", 1)], "svr")
    models["scaler"] = model([helper.make_node("Scaler", ["input"], ["y"], domain=ML, offset=[0.5, -0.25, 0.0, 1.0],
                                               scale=[2.0, 0.5, 1.5, -1.0])], [fout("y", F)], "scaler")
    models["binarizer"] = model([helper.make_node("Binarizer", ["input"], ["y"], domain=ML, threshold=0.25)], [fout("y", F)], "bin")
    for norm in ["MAX", "L1"]:
        models[f"normalizer_{norm.lower()}"] = model([helper.make_node("Normalizer", ["input"], ["y"], domain=ML, norm=norm)],
                                                     [fout("y", F)], norm)
    ort_run = os.environ.get("ORT_RUN", os.path.join(os.path.dirname(__file__), "../../../shared/tools/ort_run.mjs"))
    for name, m in models.items():
        d = os.path.join(out, name)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        onnx.save(m, os.path.join(d, "model.onnx"))
        cases = [{"inputs": {"input": {"dtype": "float32", "shape": [1, F], "data": r}}} for r in rows]
        with open(os.path.join(d, "test.json"), "w") as f:
            json.dump({"format": "zkml-tensors-v1", "model": "model.onnx", "cases": cases}, f)
        r = subprocess.run(["node", ort_run, os.path.join(d, "model.onnx"), os.path.join(d, "test.json"), "-o",
                            os.path.join(d, "ort_output.json"), "--quiet"], capture_output=True, text=True)
        if r.returncode:
            print(f"{name}: onnxruntime refused: {r.stderr.strip()[:300]}")
            shutil.rmtree(d)
        else:
            print(f"{name}: ok")


if __name__ == "__main__":
    main()
