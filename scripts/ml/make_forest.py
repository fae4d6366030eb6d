"""Large tree ensembles for benchmarks (issue 16: a random forest of 128 trees of depth 9 over 64
features; with --xgboost, binary XGBoost), trained on make_classification data and written by this
project's converter (onnx_ml.random_forest, onnx_ml.xgboost_binary). Not bundled (1-3 MB); run
with /usr/bin/python3:

  python3 scripts/ml/make_forest.py OUT_DIR [--trees 128] [--depth 9] [--features 64] [--rows 20000] [--xgboost]

writes OUT_DIR/model.onnx and OUT_DIR/input.json (the first test row, {"input_data": [[...]]}) and
prints the number of nodes and the test accuracy.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_ml  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--trees", type=int, default=128)
    ap.add_argument("--depth", type=int, default=9)
    ap.add_argument("--features", type=int, default=64)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--xgboost", action="store_true", help="binary XGBoost (binary:logistic) instead of a random forest")
    a = ap.parse_args()
    X, y = make_classification(n_samples=a.rows, n_features=a.features, n_informative=a.features // 2,
                               random_state=a.seed)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=a.seed)
    if a.xgboost:
        import xgboost as xgb
        rf = xgb.XGBClassifier(n_estimators=a.trees, max_depth=a.depth, learning_rate=0.3, base_score=0.5,
                               random_state=a.seed, tree_method="exact", n_jobs=1).fit(Xtr, ytr)
        model = onnx_ml.xgboost_binary(rf.get_booster(), a.features, 0.0, "xgboost_%d_trees_depth_%d" % (a.trees, a.depth))
        nodes = sum(d.count('"nodeid"') for d in rf.get_booster().get_dump(dump_format="json"))
        depth = a.depth
    else:
        rf = RandomForestClassifier(n_estimators=a.trees, max_depth=a.depth, random_state=a.seed, n_jobs=1).fit(Xtr, ytr)
        model = onnx_ml.random_forest(rf, a.features, name="random_forest_%d_trees_depth_%d" % (a.trees, a.depth))
        nodes = sum(e.tree_.node_count for e in rf.estimators_)
        depth = max(e.tree_.max_depth for e in rf.estimators_)
    os.makedirs(a.out, exist_ok=True)
    onnx.save(model, os.path.join(a.out, "model.onnx"))
    with open(os.path.join(a.out, "input.json"), "w") as f:
        json.dump({"input_data": [[float(v) for v in Xte[0]]]}, f)
    print("trees %d, nodes %d, max depth %d, test accuracy %.3f" % (a.trees, nodes, depth, rf.score(Xte, yte)))


if __name__ == "__main__":
    main()
