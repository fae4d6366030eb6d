"""The kzg backend from Python: setup(model, backend="kzg", srs=FILE.ptau), prove and verify reading
the backend from the key, and the errors for a missing, too small or misplaced setup file.

TEST ONLY: the .ptau files used here (tests/vectors/test_pot10.ptau and build/test_pot16.ptau,
made by scripts/make-test-ptau.sh from a public beacon) have a publicly known tau; anyone can
forge openings against them. Real keys need a ceremony file (docs/protocol/kzg.md)."""
import os
import pathlib

import pytest

import zkinfer

from conftest import ROOT

PTAU16 = pathlib.Path(os.environ.get("ZKINFER_TEST_PTAU", ROOT / "build" / "test_pot16.ptau"))
PTAU10 = ROOT / "tests" / "vectors" / "test_pot10.ptau"


def test_backend_option_errors(mlp_model):
    with pytest.raises(zkinfer.Error, match="needs srs"):
        zkinfer.setup(mlp_model, backend="kzg")
    with pytest.raises(zkinfer.Error, match="unknown backend"):
        zkinfer.setup(mlp_model, backend="groth16")
    with pytest.raises(zkinfer.Error, match="srs is for the kzg backend"):
        zkinfer.setup(mlp_model, backend="hyrax", srs=str(PTAU10))
    # A file with too few powers: named, with what the model needs.
    with pytest.raises(zkinfer.Error, match=r"test_pot10\.ptau.*needs 2\^16 powers"):
        zkinfer.setup(mlp_model, backend="kzg", srs=PTAU10)


def test_kzg_keys_prove_and_verify(mlp_model, mlp_input, mlp_keys):
    print(f"*** {PTAU16} is a TEST-ONLY powers of tau: never use it for real keys ***")
    assert PTAU16.exists(), f"{PTAU16} missing: run scripts/make-test-ptau.sh 16 {PTAU16}"
    pk, vk = zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16)
    proof = zkinfer.prove(mlp_model, pk, mlp_input)
    verdict = zkinfer.verify(vk, proof)
    assert verdict, verdict.reason
    # srs: the key's SRS checked against a powers-of-tau file (the one it came from; one too small).
    assert zkinfer.verify(vk, proof, srs=PTAU16)
    other = zkinfer.verify(vk, proof, srs=PTAU10)
    assert not other and "SRS is not the one of" in other.reason
    assert zkinfer.inspect(vk.bytes())["backend"] == "kzg"
    # A Hyrax proof of the same model given to the kzg key, and the other way round.
    hpk, hvk = mlp_keys
    hproof = zkinfer.prove(mlp_model, hpk, mlp_input)
    bad = zkinfer.verify(vk, hproof)
    assert not bad and "made with the hyrax backend" in bad.reason
    bad = zkinfer.verify(hvk, proof)
    assert not bad and "made with the kzg backend" in bad.reason
    with pytest.raises(zkinfer.Error, match="no powers of tau to check"):
        zkinfer.verify(hvk, hproof, srs=PTAU16)
    # The keys survive their files.
    vk2 = zkinfer.VerifyingKey.from_bytes(vk.bytes())
    pk2 = zkinfer.ProvingKey.from_bytes(pk.bytes())
    assert zkinfer.verify(vk2, zkinfer.prove(mlp_model, pk2, mlp_input))


def test_kzg_weight_rows(mlp_model, mlp_input):
    """kzg_weight_rows: True (the default) makes a key of version 9 (private weights committed in
    rows), False one of version 8; both prove and verify, and neither key accepts the other's proof."""
    assert PTAU16.exists(), f"{PTAU16} missing: run scripts/make-test-ptau.sh 16 {PTAU16}"
    keys = {
        9: zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16),
        8: zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16, kzg_weight_rows=False),
    }
    assert zkinfer.inspect(zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16, kzg_weight_rows=True)[1].bytes())["version"] == 9
    proofs = {}
    for version, (pk, vk) in keys.items():
        assert zkinfer.inspect(vk.bytes())["version"] == version
        proofs[version] = zkinfer.prove(mlp_model, pk, mlp_input)
        verdict = zkinfer.verify(vk, proofs[version])
        assert verdict, verdict.reason
    assert not zkinfer.verify(keys[8][1], proofs[9])
    assert not zkinfer.verify(keys[9][1], proofs[8])
    # Hyrax keys ignore it (kzg only).
    _, hvk = zkinfer.setup(mlp_model, kzg_weight_rows=False)
    assert zkinfer.inspect(hvk.bytes())["backend"] == "hyrax"


def test_wrappable_keys(mlp_model, mlp_input):
    """wrappable=True makes a kzg key of version 12 (proofs made to be wrapped in a Groth16 proof:
    docs/protocol/wrap.md); its proofs verify, the version-9 key refuses them; hyrax keys cannot be
    wrappable."""
    assert PTAU16.exists(), f"{PTAU16} missing: run scripts/make-test-ptau.sh 16 {PTAU16}"
    pk, vk = zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16, wrappable=True)
    assert zkinfer.inspect(vk.bytes())["version"] == 12
    proof = zkinfer.prove(mlp_model, pk, mlp_input)
    verdict = zkinfer.verify(vk, proof)
    assert verdict, verdict.reason
    _, vk9 = zkinfer.setup(mlp_model, backend="kzg", srs=PTAU16)
    assert not zkinfer.verify(vk9, proof)
    with pytest.raises(zkinfer.Error, match="wrappable keys are kzg keys"):
        zkinfer.setup(mlp_model, wrappable=True)
