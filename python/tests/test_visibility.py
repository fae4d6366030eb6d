"""Visibility chosen at compile time (docs/PROOF.md, "Visibility"): every mode proves and verifies
through the Python API; a public input is required by verify and a wrong one is rejected; a private
output gives no values; bad names raise zkinfer.Error."""
import itertools

import numpy as np
import pytest

import zkinfer
from conftest import CNN, MLP, bundled_input

MODES = list(itertools.product(["private", "public"], ["private", "public", "fixed"], ["public", "private"]))


@pytest.fixture(scope="module")
def mlp_modes():
    out = {}
    for inp, w, o in MODES:
        m = zkinfer.compile(MLP, input_visibility=inp, weights_visibility=w, output_visibility=o)
        out[(inp, w, o)] = (m, *zkinfer.setup(m))
    return out


@pytest.mark.parametrize("mode", MODES, ids=["-".join(m) for m in MODES])
def test_every_mode_proves_and_verifies(mlp_modes, mode):
    inp, w, o = mode
    model, pk, vk = mlp_modes[mode]
    assert model.visibility == {"input": inp, "weights": w, "output": o}
    assert vk.model.visibility == model.visibility
    x = bundled_input(MLP).reshape(model.inputs[0]["shape"])
    proof = zkinfer.prove(model, pk, x)
    ints, _ = model.run(x)
    np.testing.assert_array_equal(proof.output, ints[0])  # the prover always learns its output
    public_input = inp == "public"
    verdict = zkinfer.verify(vk, proof, input=x) if public_input else zkinfer.verify(vk, proof)
    assert verdict.valid, verdict.reason
    if o == "public":
        np.testing.assert_array_equal(verdict.output, ints[0])
    else:
        assert verdict.output is None and verdict.outputs == []
        with pytest.raises(zkinfer.Error, match="output is private"):
            zkinfer.verify(vk, proof, expected_output=ints[0], **({"input": x} if public_input else {}))
    if public_input:
        with pytest.raises(zkinfer.Error, match="input is public"):
            zkinfer.verify(vk, proof)
        wrong = x.copy()
        wrong.flat[10] += 0.25
        bad = zkinfer.verify(vk, proof, input=wrong)
        assert not bad.valid and bad.reason
    else:
        with pytest.raises(zkinfer.Error, match="input is private"):
            zkinfer.verify(vk, proof, input=x)
    # A changed byte and another mode's key: rejected.
    data = bytearray(proof.bytes())
    data[len(data) // 2] ^= 0x04
    kw = {"input": x} if public_input else {}
    assert not zkinfer.verify(vk, bytes(data), **kw).valid
    other = next(k for k in MODES if k != mode and k[0] == inp)
    assert not zkinfer.verify(mlp_modes[other][2], proof, **kw).valid


def test_fixed_weights_in_the_key(mlp_modes):
    model, _, vk = mlp_modes[("private", "fixed", "public")]
    private_model, _, private_vk = mlp_modes[("private", "private", "public")]
    assert zkinfer.inspect(vk.bytes())["weight_commitments"] == 0
    assert zkinfer.inspect(private_vk.bytes())["weight_commitments"] > 0
    # The key's model carries the weights: it runs like the compiled model.
    x = bundled_input(MLP)
    np.testing.assert_array_equal(vk.model.run(x)[0][0], model.run(x)[0][0])
    assert private_vk.model.is_public
    assert len({m[0].digest for m in mlp_modes.values()}) == len(MODES)


def test_cnn_public_input_private_output():
    m = zkinfer.compile(CNN, input_visibility="public", output_visibility="private")
    pk, vk = zkinfer.setup(m)
    x = bundled_input(CNN)
    proof = zkinfer.prove(m, pk, x)
    assert zkinfer.verify(vk, proof, input=x).valid
    wrong = x.copy()
    wrong[3] += 0.25
    assert not zkinfer.verify(vk, proof, input=wrong).valid


def test_save_load_keeps_visibility(tmp_path, mlp_modes):
    model = mlp_modes[("public", "fixed", "private")][0]
    model.save(tmp_path / "m.zkm")
    again = zkinfer.Model.load(tmp_path / "m.zkm")
    assert again.visibility == model.visibility and again.digest == model.digest
    assert zkinfer.inspect(tmp_path / "m.zkm")["visibility"] == {"input": "public", "weights": "fixed", "output": "private"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_visibility": "fixed"}, "input_visibility must be 'public' or 'private' .got 'fixed'.: only weights can be fixed"),
        ({"output_visibility": "fixed"}, "output_visibility must be 'public' or 'private'"),
        ({"weights_visibility": "secret"}, "weights_visibility must be 'private', 'public' or 'fixed' .got 'secret'."),
    ],
)
def test_bad_visibility_names(kwargs, message):
    with pytest.raises(zkinfer.Error, match=message):
        zkinfer.compile(MLP, **kwargs)
