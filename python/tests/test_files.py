"""save/load/bytes round trips of models, keys and proofs; compile from arrays vs from a file; inspect."""
import json

import numpy as np
import pytest

import zkinfer
from conftest import MLP, bundled_input


def test_model_save_load(tmp_path, mlp_model, mlp_input):
    path = tmp_path / "m.zkm"
    mlp_model.save(path)
    loaded = zkinfer.Model.load(path)
    assert loaded.bytes() == mlp_model.bytes() == path.read_bytes()
    assert bytes(loaded) == mlp_model.bytes()
    assert loaded.digest == mlp_model.digest and len(loaded.digest) == 64
    again = zkinfer.Model.from_bytes(mlp_model.bytes())
    np.testing.assert_array_equal(again.run(mlp_input)[0][0], mlp_model.run(mlp_input)[0][0])
    np.testing.assert_array_equal(zkinfer.run(str(path), mlp_input)[0][0], mlp_model.run(mlp_input)[0][0])


def test_keys_and_proof_save_load_then_verify(tmp_path, mlp_model, mlp_keys, mlp_input, mlp_proof):
    pk, vk = mlp_keys
    pk.save(tmp_path / "pk")
    vk.save(tmp_path / "vk")
    mlp_proof.save(tmp_path / "proof.zkp")
    pk2 = zkinfer.ProvingKey.load(tmp_path / "pk")
    vk2 = zkinfer.VerifyingKey.load(str(tmp_path / "vk"))
    proof2 = zkinfer.Proof.load(tmp_path / "proof.zkp")
    assert pk2.bytes() == pk.bytes() == (tmp_path / "pk").read_bytes()
    assert vk2.bytes() == vk.bytes() == (tmp_path / "vk").read_bytes()
    assert proof2.bytes() == mlp_proof.bytes()
    assert proof2.output is None  # a loaded proof's output is known once verified
    # Keys bind the public model (constants withheld), which the verifying key embeds.
    assert pk2.model_digest == vk2.model_digest == mlp_model.public_digest != mlp_model.digest
    assert vk2.model.digest == mlp_model.public_digest
    assert vk2.model.is_public and not mlp_model.is_public
    assert vk2.model.node_count == mlp_model.node_count
    with pytest.raises(zkinfer.Error, match="public model"):
        vk2.model.run(mlp_input)
    with pytest.raises(zkinfer.Error, match="public model"):
        zkinfer.setup(vk2.model)
    verdict = zkinfer.verify(vk2, proof2)
    assert verdict.valid
    np.testing.assert_array_equal(verdict.output, mlp_proof.output)
    # Keys from bytes prove and verify.
    pk3 = zkinfer.ProvingKey.from_bytes(pk.bytes())
    vk3 = zkinfer.VerifyingKey.from_bytes(bytearray(vk.bytes()))
    assert zkinfer.verify(vk3, zkinfer.prove(mlp_model, pk3, mlp_input)).valid
    assert zkinfer.verify(vk3, zkinfer.Proof(mlp_proof.bytes())).valid


def test_compile_from_arrays_equals_compile_from_file(tmp_path, mlp_model):
    x = bundled_input(MLP)[None, :]  # one sample along axis 0
    from_array = zkinfer.compile(MLP, x)
    assert from_array.digest == mlp_model.digest
    calib = tmp_path / "calib.json"
    calib.write_text(json.dumps({"input_data": x.tolist()}))
    assert zkinfer.compile(MLP, calib).digest == mlp_model.digest
    # More samples widen the calibrated ranges; the compiled model may change, but stays valid.
    rng = np.random.default_rng(1)
    many = np.clip(x + rng.normal(0, 0.1, size=(16, 64)), 0, 1)
    labels = [0] * 16
    m = zkinfer.compile(MLP, many, labels=labels)
    acc = m.evaluate(many, labels=labels)
    assert acc["samples"] == 16 and acc["labelled"] == 16
    assert acc["outputs"][0]["classifier"]
    assert acc["outputs"][0]["argmax_rows"] == 16
    assert 0 <= acc["outputs"][0]["argmax_agree"] <= 16


def test_inspect(tmp_path, mlp_model, mlp_keys, mlp_proof):
    pk, vk = mlp_keys
    onnx = zkinfer.inspect(MLP)
    assert onnx["format"] == "onnx"
    assert [n["op"] for n in onnx["nodes"]].count("Gemm") == 3
    mlp_model.save(tmp_path / "m.zkm")
    zkm = zkinfer.inspect(tmp_path / "m.zkm")
    assert zkm == mlp_model.inspect()
    assert zkinfer.inspect(pk.bytes())["format"] == "zkinfer proving key"
    assert zkinfer.inspect(vk.bytes())["format"] == "zkinfer verifying key"
    pj = zkinfer.inspect(mlp_proof.bytes())
    assert pj["format"] == "zkinfer proof"
    assert len(pj["output_values"]) == mlp_proof.output.size


def test_cnn_digits_compiles_and_runs(tmp_path):
    from conftest import CNN

    m = zkinfer.compile(CNN)
    shape = tuple(m.inputs[0]["shape"])
    assert len(shape) == 4
    x = bundled_input(CNN).reshape(shape)
    ints, floats = m.run(x)
    assert np.argmax(ints[0]) == np.argmax(floats[0])
    assert np.max(np.abs(ints[0] - floats[0])) < 0.5


def test_files_interoperate_with_the_cli(tmp_path, mlp_model, mlp_keys, mlp_input, mlp_proof):
    """Files written by Python are read by `zkinfer`, and the reverse."""
    import os
    import subprocess

    import pytest

    cli = os.environ.get("ZKINFER_CLI")
    if not cli:
        pytest.skip("ZKINFER_CLI not set")

    def run(*args):
        r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    _, vk = mlp_keys
    vk.save(tmp_path / "vk")
    mlp_proof.save(tmp_path / "proof.zkp")
    assert run("verify", "--vk", tmp_path / "vk", "--proof", tmp_path / "proof.zkp")[0] == 0
    bad = bytearray(mlp_proof.bytes())
    bad[len(bad) // 3] ^= 4
    (tmp_path / "bad.zkp").write_bytes(bytes(bad))
    code, text = run("verify", "--vk", tmp_path / "vk", "--proof", tmp_path / "bad.zkp")
    assert code == 1
    assert zkinfer.verify(vk, bytes(bad)).reason in text  # the same reason

    mlp_model.save(tmp_path / "m.zkm")
    (tmp_path / "keys").mkdir()
    (tmp_path / "in.json").write_text(json.dumps({"input_data": [mlp_input.ravel().tolist()]}))
    assert run("setup", tmp_path / "m.zkm", "-o", tmp_path / "keys")[0] == 0
    assert run("prove", tmp_path / "m.zkm", "--pk", tmp_path / "keys" / "pk", "--input", tmp_path / "in.json",
               "-o", tmp_path / "cli.zkp")[0] == 0
    # Setup blinds the weight commitments at random: the CLI's keys differ from Python's, and a
    # proof verifies under the key it was made for only.
    assert (tmp_path / "keys" / "vk").read_bytes() != vk.bytes()
    cli_vk = zkinfer.VerifyingKey.load(tmp_path / "keys" / "vk")
    verdict = zkinfer.verify(cli_vk, zkinfer.Proof.load(tmp_path / "cli.zkp"))
    assert verdict.valid
    np.testing.assert_array_equal(verdict.output, mlp_proof.output)
    assert not zkinfer.verify(vk, zkinfer.Proof.load(tmp_path / "cli.zkp")).valid


def test_pickle_round_trips(mlp_model, mlp_keys, mlp_proof):
    import pickle

    pk, vk = mlp_keys
    for obj in (mlp_model, pk, vk, mlp_proof):
        again = pickle.loads(pickle.dumps(obj))
        assert type(again) is type(obj) and again.bytes() == obj.bytes()
    assert zkinfer.verify(pickle.loads(pickle.dumps(vk)), pickle.loads(pickle.dumps(mlp_proof))).valid
