"""Errors are zkinfer.Error with the command line's messages; bad input never crashes."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import zkinfer
from conftest import MLP

CLI = os.environ.get("ZKINFER_CLI")


def cli_error(*args) -> str:
    """The message `zkinfer ARGS` prints after "zkinfer: error: " (exit code 2)."""
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 2, r
    prefix = "zkinfer: error: "
    assert r.stderr.startswith(prefix), r.stderr
    return r.stderr[len(prefix):].rstrip("\n")


def test_error_is_an_exception_class():
    assert issubclass(zkinfer.Error, Exception)


def test_missing_file(tmp_path):
    missing = tmp_path / "missing.onnx"
    with pytest.raises(zkinfer.Error, match="missing.onnx") as e:
        zkinfer.compile(missing, np.zeros((1, 64)))
    nothing = tmp_path / "nothing"
    errors = {}
    for cls in (zkinfer.Model, zkinfer.ProvingKey, zkinfer.VerifyingKey, zkinfer.Proof):
        with pytest.raises(zkinfer.Error, match="nothing: cannot") as le:
            cls.load(nothing)
        errors[cls.__name__ + ".load"] = str(le.value)
    if CLI:
        assert str(e.value) == cli_error("compile", missing, "--calibration", MLP.parent / "input.json")
        input_json = MLP.parent / "input.json"
        assert errors["Model.load"] == cli_error("run", nothing, "--input", input_json)
        assert errors["VerifyingKey.load"] == cli_error("verify", "--vk", nothing, "--proof", nothing)


def test_vk_decode_error_matches_cli(tmp_path, mlp_keys):
    pk, _ = mlp_keys
    path = tmp_path / "vk"
    path.write_bytes(pk.bytes())  # a proving key where a verifying key belongs
    with pytest.raises(zkinfer.Error, match="not a verifying key") as e:
        zkinfer.VerifyingKey.load(path)
    if CLI:
        assert str(e.value) == cli_error("verify", "--vk", path, "--proof", path)


def test_malformed_onnx(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07this is not an onnx model" * 3)
    with pytest.raises(zkinfer.Error) as e:
        zkinfer.compile(bad, np.zeros((1, 64)))
    assert "bad.onnx" in str(e.value)
    if CLI:
        assert str(e.value) == cli_error("compile", bad, "--calibration", MLP.parent / "input.json")
    with pytest.raises(zkinfer.Error):
        zkinfer.inspect(bad)


def test_no_calibration_data_message_matches_cli(tmp_path):
    lone = tmp_path / "model.onnx"
    lone.write_bytes(MLP.read_bytes())
    with pytest.raises(zkinfer.Error, match="no calibration data") as e:
        zkinfer.compile(lone)
    if CLI:
        assert str(e.value) == cli_error("compile", lone)


def test_bad_options():
    with pytest.raises(zkinfer.Error, match="--scale"):
        zkinfer.compile(MLP, scale=30)
    with pytest.raises(zkinfer.Error, match="--table-log"):
        zkinfer.compile(MLP, table_log=2)


def test_wrong_input_shape(mlp_model, mlp_keys):
    pk, _ = mlp_keys
    with pytest.raises(zkinfer.Error, match="63"):
        zkinfer.prove(mlp_model, pk, np.zeros(63))
    with pytest.raises(zkinfer.Error, match="shape"):
        zkinfer.prove(mlp_model, pk, np.zeros((8, 8)))
    with pytest.raises(zkinfer.Error, match="input"):
        mlp_model.run([np.zeros(64), np.zeros(64)])
    with pytest.raises(zkinfer.Error, match="calibration"):
        zkinfer.compile(MLP, np.zeros((2, 63)))
    with pytest.raises(zkinfer.Error, match="labels"):
        zkinfer.compile(MLP, np.zeros((2, 64)), labels=[1])


def test_corrupt_keys_and_models(mlp_model, mlp_keys):
    pk, vk = mlp_keys
    with pytest.raises(zkinfer.Error, match="not a verifying key"):
        zkinfer.VerifyingKey.from_bytes(vk.bytes()[:100])
    with pytest.raises(zkinfer.Error):
        zkinfer.VerifyingKey.from_bytes(pk.bytes())
    with pytest.raises(zkinfer.Error):
        zkinfer.ProvingKey.from_bytes(pk.bytes()[:-1])
    with pytest.raises(zkinfer.Error):
        zkinfer.Model.from_bytes(mlp_model.bytes()[:50])
    with pytest.raises(zkinfer.Error):
        zkinfer.Model.from_bytes(b"")


def test_proving_key_for_another_model(mlp_input):
    other = zkinfer.compile(MLP, scale=7)
    pk_other, _ = zkinfer.setup(other)
    m = zkinfer.compile(MLP)
    with pytest.raises(zkinfer.Error, match="another model"):
        zkinfer.prove(m, pk_other, mlp_input)


def test_bad_proof_bytes_are_a_verdict_not_an_exception(mlp_keys):
    _, vk = mlp_keys
    for data in (b"", b"ZKPF", bytes(1000)):
        verdict = zkinfer.verify(vk, data)
        assert not verdict.valid and verdict.reason


def test_inputs_outside_the_models_bounds(mlp_model, mlp_keys):
    pk, _ = mlp_keys
    for bad in (np.nan, np.inf, 1e30):
        with pytest.raises(zkinfer.Error, match="does not fit"):
            zkinfer.prove(mlp_model, pk, np.full((1, 64), bad))
    with pytest.raises(zkinfer.Error, match="not finite"):
        zkinfer.compile(MLP, np.full((2, 64), np.nan))
    with pytest.raises(zkinfer.Error, match="malformed JSON"):
        zkinfer.compile(MLP, MLP)  # the ONNX file where a calibration file belongs
    with pytest.raises(zkinfer.Error):
        mlp_model.run(np.array(["a"] * 64))


def test_compile_refuses_unprovable_models_listing_every_blocker(tmp_path):
    """compile raises zkinfer.Error listing every node without a proof protocol (the command
    line's list); allow_unprovable=True compiles it for run, and setup raises the same list. The
    model: two ArgMax over rows of 300 entries (the ArgMax protocol takes at most 256)."""
    onnx_mod = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("ArgMax", ["x"], ["a"], axis=1, name="argmax_a"),
        helper.make_node("Neg", ["x"], ["nx"], name="neg"),
        helper.make_node("ArgMax", ["nx"], ["b"], axis=1, name="argmax_b"),
        helper.make_node("Add", ["a", "b"], ["y"], name="add"),
    ]
    graph = helper.make_graph(nodes, "wide_argmax", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 300])],
                              [helper.make_tensor_value_info("y", TensorProto.INT64, [1, 1])])
    onnx = tmp_path / "wide_argmax.onnx"
    onnx_mod.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(onnx))
    x = np.array([(i * 37) % 101 / 10 for i in range(300)], dtype=np.float64)
    calibration = tmp_path / "wide_argmax.json"
    calibration.write_text(json.dumps({"input_data": [x.tolist()]}))
    with pytest.raises(zkinfer.Error) as e:
        zkinfer.compile(onnx, calibration)
    msg = str(e.value)
    assert "cannot be proven (2 blockers)" in msg
    assert "node 0 'argmax_a' (ArgMax, opset 13): more than 256 entries per row" in msg
    assert "\n  node 2 " in msg
    listing = msg[msg.index("the model cannot be proven"):]
    if CLI:
        assert listing in cli_error("compile", onnx, "--calibration", calibration, "-o", tmp_path / "wide.zkm")
        assert not (tmp_path / "wide.zkm").exists()
    m = zkinfer.compile(onnx, calibration, allow_unprovable=True)
    outputs, _ = m.run(x)
    assert len(outputs) == 1
    with pytest.raises(zkinfer.Error) as s:
        zkinfer.setup(m)
    assert listing in str(s.value)
