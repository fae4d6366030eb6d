#!/usr/bin/env python3
"""Train a small PyTorch classifier on scikit-learn's bundled 8x8 digits, export it to ONNX, and
prove one inference with zkinfer, printing the timings of every step.

Needs the Python module (build/python) and PyTorch + scikit-learn:
    bash scripts/install-deps.sh --python-examples
    cmake --build build --target zkinfer_python
    PYTHONPATH=build/python /usr/bin/python3 examples/python/torch_digits.py [--cnn] [--epochs N] [--out DIR]
"""
import argparse
import pathlib
import tempfile
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import zkinfer


class Net(torch.nn.Module):
    """64 -> 32 -> 16 -> 10 with ReLU (Gemm and Relu layers); with cnn=True a convolutional net on
    the 1x8x8 image: Conv 3x3 (8 channels), ReLU, MaxPool 2x2, Flatten, Linear to 10."""

    def __init__(self, cnn=False):
        super().__init__()
        self.input_shape = (1, 1, 8, 8) if cnn else (1, 64)
        if cnn:
            self.layers = torch.nn.Sequential(
                torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, 10))
        else:
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(64, 32), torch.nn.ReLU(),
                torch.nn.Linear(32, 16), torch.nn.ReLU(),
                torch.nn.Linear(16, 10))

    def forward(self, x):
        return self.layers(x.reshape((-1,) + self.input_shape[1:]))


class Timer:
    def __init__(self):
        self.rows = []

    def step(self, name):
        timer = self

        class Step:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                s = time.perf_counter() - self.t
                timer.rows.append((name, s))
                print(f"  {name:<10} {s:8.3f} s")

        return Step()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=200, help="full-batch Adam epochs (default 200)")
    ap.add_argument("--out", type=pathlib.Path, help="directory for model.onnx, model.zkm, pk, vk, proof")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cnn", action="store_true", help="a small convolutional net instead of the MLP")
    args = ap.parse_args()
    out = args.out or pathlib.Path(tempfile.mkdtemp(prefix="zkinfer_torch_digits_"))
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    timer = Timer()

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)  # pixels in [0, 1]
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=args.seed)
    print(f"digits: {len(x_train)} training, {len(x_test)} test images of 8x8 pixels")

    net = Net(cnn=args.cnn)
    with timer.step("train"):
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
        for _ in range(args.epochs):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt), yt)
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        acc = (net(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"  loss {loss.item():.4f}, float test accuracy {100 * acc:.2f} %")

    onnx_path = out / "model.onnx"
    with timer.step("export"):
        torch.onnx.export(net, torch.zeros(net.input_shape), str(onnx_path), input_names=["input"], output_names=["logits"],
                          opset_version=13)

    with timer.step("compile"):
        model = zkinfer.compile(onnx_path, x_train[:256])  # calibration: 256 samples along axis 0
    model.save(out / "model.zkm")
    ev = model.evaluate(x_test, labels=y_test.tolist())
    o = ev["outputs"][0]
    print(f"  integer model on {ev['samples']} test images: accuracy {100 * ev['int_correct'] / ev['labelled']:.2f} % "
          f"(float {100 * ev['float_correct'] / ev['labelled']:.2f} %), arg-max agreement "
          f"{o['argmax_agree']}/{o['argmax_rows']}, max abs error {o['max_abs_error']:.4f}")

    with timer.step("setup"):
        pk, vk = zkinfer.setup(model)
    pk.save(out / "pk")
    vk.save(out / "vk")

    image, label = x_test[0].reshape(net.input_shape).astype(np.float64), int(y_test[0])
    with timer.step("prove"):
        proof = zkinfer.prove(model, pk, image)
    proof.save(out / "proof.zkp")

    with timer.step("verify"):
        verdict = zkinfer.verify(vk, zkinfer.Proof.load(out / "proof.zkp"), expected_output=proof.output)
    if not verdict:
        raise SystemExit(f"verification failed: {verdict.reason}")

    tampered = bytearray(proof.bytes())
    tampered[len(tampered) // 2] ^= 1
    rejected = zkinfer.verify(vk, bytes(tampered))

    with torch.no_grad():
        torch_logits = net(torch.from_numpy(image.astype(np.float32))).numpy()
    print(f"\nproven output (logits, dequantized): {np.round(proof.output.ravel(), 3)}")
    print(f"PyTorch logits:                      {np.round(torch_logits.ravel(), 3)}")
    print(f"predicted digit {int(np.argmax(verdict.output))} (label {label}); proof valid: {verdict.valid}")
    print(f"a proof with one byte changed: valid {rejected.valid} ({rejected.reason})")
    print(f"\nsizes: proof {len(proof.bytes()):,} B, pk {len(pk.bytes()):,} B, vk {len(vk.bytes()):,} B, "
          f".zkm {len(model.bytes()):,} B; files in {out}")
    print("timings: " + ", ".join(f"{name} {s:.3f} s" for name, s in timer.rows))
    print(f"prover: commitments {proof.commit_seconds:.3f} s, batch opening {proof.open_seconds:.3f} s")


if __name__ == "__main__":
    main()
