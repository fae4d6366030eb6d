#!/usr/bin/python3
"""Trains the classic-ML examples (examples/credit_*, examples/diagnosis_*, examples/iris_*) with
Debian's scikit-learn and XGBoost (bash scripts/install-deps.sh --ml), converts them to ONNX-ML
with scripts/ml/onnx_ml.py, and checks every converted model against scikit-learn/XGBoost and
against onnxruntime (../shared/tools/ort_run.mjs, onnxruntime-node; ORT_RUN / ORT_NODE_DIR
locate it). Writes per model: model.onnx, input.json (one row, EZKL layout), test.json (held-out
rows, "cases" layout with labels: calibration data for `zkinfer compile`) and ort_output.json
(onnxruntime's outputs on test.json, the float reference of src/graph/ml_test.cc).

    /usr/bin/python3 scripts/ml/train_classic.py [--out examples] [--rows 100]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
import xgboost as xgb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_ml  # noqa: E402

CREDIT_FEATURES = ["income", "debt_ratio", "credit_history_years", "open_accounts", "late_payments",
                   "loan_amount", "employment_years", "savings", "age", "region_score", "sex"]


def credit_table(seed=7):
    """A credit-scoring table: make_classification with named features and a sensitive binary
    attribute 'sex' (weakly correlated with the label; kept as a feature for the fairness work)."""
    X, y = make_classification(n_samples=1200, n_features=10, n_informative=6, n_redundant=2, class_sep=1.5,
                               random_state=seed)
    rng = np.random.default_rng(seed)
    sex = (rng.random(len(y)) < 0.4 + 0.2 * y).astype(np.float64)
    return np.column_stack([X, sex]).astype(np.float32), y.astype(np.int64)


def write_example(out, name, model, X_test, y_test, ref_proba, ref_label, meta):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    with open(os.path.join(d, "input.json"), "w") as f:
        json.dump({"input_data": [[float(v) for v in X_test[0]]]}, f)
    cases = []
    for x, y in zip(X_test, y_test):
        cases.append({"inputs": {"input": {"dtype": "float32", "shape": [1, len(x)], "data": [float(v) for v in x]}},
                      "meta": {"label": int(y)}})
    with open(os.path.join(d, "test.json"), "w") as f:
        json.dump({"format": "zkml-tensors-v1", "model": "model.onnx", "cases": cases, "meta": meta}, f)
    # onnxruntime's outputs, and the converter checked against the trained model.
    ort_run = os.environ.get("ORT_RUN", os.path.join(os.path.dirname(__file__), "../../../shared/tools/ort_run.mjs"))
    ref = os.path.join(d, "ort_output.json")
    subprocess.run(["node", ort_run, os.path.join(d, "model.onnx"), os.path.join(d, "test.json"), "-o", ref, "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(ref) as f:
        got = json.load(f)
    worst = 0.0
    for i, c in enumerate(got["cases"]):
        p = np.array(c["outputs"]["probabilities"]["data"], dtype=np.float64)
        worst = max(worst, float(np.abs(p - ref_proba[i]).max()))
        lab = int(c["outputs"]["label"]["data"][0])
        if lab != int(ref_label[i]):
            raise SystemExit(f"{name}: row {i}: onnxruntime label {lab}, trained model {ref_label[i]}")
    if worst > 1e-4:
        raise SystemExit(f"{name}: onnxruntime probabilities differ from the trained model's by {worst}")
    acc = float(np.mean(np.asarray(ref_label) == y_test))
    print(f"{name}: {len(X_test)} test rows, accuracy {acc:.3f}, onnxruntime agrees (max |dp| {worst:.2e})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../examples"))
    ap.add_argument("--rows", type=int, default=100)
    a = ap.parse_args()
    out, rows = a.out, a.rows

    # Credit scoring.
    X, y = credit_table()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
    Xte, yte = Xte[:rows], yte[:rows]
    meta = {"dataset": "make_classification(n_samples=1200, n_features=10, random_state=7) + sex", "features": CREDIT_FEATURES,
            "sensitive": "sex"}
    sc = StandardScaler().fit(Xtr)
    lr = LogisticRegression(max_iter=1000).fit(sc.transform(Xtr), ytr)
    write_example(out, "credit_logistic", onnx_ml.linear_classifier(lr, X.shape[1], sc, "credit_logistic"), Xte, yte,
                  lr.predict_proba(sc.transform(Xte)), lr.predict(sc.transform(Xte)), meta)
    svc = LinearSVC(C=0.5, dual=False).fit(sc.transform(Xtr), ytr)
    s = svc.decision_function(sc.transform(Xte))
    write_example(out, "credit_linear_svc", onnx_ml.linear_classifier(svc, X.shape[1], sc, "credit_linear_svc", svm=True),
                  Xte, yte, np.column_stack([1 - s, s]), svc.predict(sc.transform(Xte)), meta)
    rf = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(Xtr, ytr)
    write_example(out, "credit_random_forest", onnx_ml.random_forest(rf, X.shape[1], "credit_random_forest"), Xte, yte,
                  rf.predict_proba(Xte), rf.predict(Xte), meta)
    gb = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(Xtr, ytr)
    write_example(out, "credit_gradient_boosting", onnx_ml.gradient_boosting(gb, Xte[:1], X.shape[1], "credit_gradient_boosting"),
                  Xte, yte, gb.predict_proba(Xte), gb.predict(Xte), meta)

    # Diagnosis (breast cancer, 30 features).
    bc = load_breast_cancer()
    X, y = bc.data.astype(np.float32), bc.target.astype(np.int64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=1)
    Xte, yte = Xte[:rows], yte[:rows]
    meta = {"dataset": "sklearn load_breast_cancer", "features": list(bc.feature_names)}
    sc = StandardScaler().fit(Xtr)
    lr = LogisticRegression(max_iter=1000).fit(sc.transform(Xtr), ytr)
    write_example(out, "diagnosis_logistic", onnx_ml.linear_classifier(lr, X.shape[1], sc, "diagnosis_logistic"), Xte, yte,
                  lr.predict_proba(sc.transform(Xte)), lr.predict(sc.transform(Xte)), meta)
    bst = xgb.XGBClassifier(n_estimators=20, max_depth=3, learning_rate=0.3, base_score=0.5, random_state=0,
                            tree_method="exact").fit(Xtr, ytr)
    write_example(out, "diagnosis_xgboost", onnx_ml.xgboost_binary(bst.get_booster(), X.shape[1], 0.0, "diagnosis_xgboost"),
                  Xte, yte, bst.predict_proba(Xte), bst.predict(Xte), meta)

    # Three classes (iris): multi-class forest and softmax regression.
    ir = load_iris()
    X, y = ir.data.astype(np.float32), ir.target.astype(np.int64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=1)
    meta = {"dataset": "sklearn load_iris", "features": list(ir.feature_names)}
    rf = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(Xtr, ytr)
    write_example(out, "iris_random_forest", onnx_ml.random_forest(rf, X.shape[1], "iris_random_forest"), Xte, yte,
                  rf.predict_proba(Xte), rf.predict(Xte), meta)
    lr = LogisticRegression(max_iter=1000).fit(Xtr, ytr)
    write_example(out, "iris_logistic", onnx_ml.linear_classifier(lr, X.shape[1], None, "iris_logistic"), Xte, yte,
                  lr.predict_proba(Xte), lr.predict(Xte), meta)


if __name__ == "__main__":
    main()
