"""Shared fixtures: the bundled digits models, compiled and set up once per test session."""
import json
import os
import pathlib

import numpy as np
import pytest

import zkinfer

ROOT = pathlib.Path(os.environ.get("ZKINFER_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
MLP = ROOT / "examples" / "mlp_digits" / "model.onnx"
CNN = ROOT / "examples" / "cnn_digits" / "model.onnx"


def bundled_input(onnx_path: pathlib.Path) -> np.ndarray:
    """The first sample of the input.json beside a bundled model, as a flat float64 array."""
    data = json.loads((onnx_path.parent / "input.json").read_text())
    return np.asarray(data["input_data"][0], dtype=np.float64)


@pytest.fixture(scope="session")
def mlp_model() -> zkinfer.Model:
    return zkinfer.compile(MLP)


@pytest.fixture(scope="session")
def mlp_keys(mlp_model):
    return zkinfer.setup(mlp_model)


@pytest.fixture(scope="session")
def mlp_input(mlp_model) -> np.ndarray:
    return bundled_input(MLP).reshape(mlp_model.inputs[0]["shape"])


@pytest.fixture(scope="session")
def mlp_proof(mlp_model, mlp_keys, mlp_input) -> zkinfer.Proof:
    pk, _ = mlp_keys
    return zkinfer.prove(mlp_model, pk, mlp_input)
