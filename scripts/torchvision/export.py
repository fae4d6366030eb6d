#!/usr/bin/python3
"""Exports torchvision's classic CNNs with random weights to ONNX, with an input and the float output.

    /usr/bin/python3 scripts/torchvision/export.py [--out DIR] [--models a,b,...] [--opset 17]
                                                   [--list] [--check]

For each model, DIR/<name>/ gets (DIR defaults to build/torchvision):
  model.onnx          eval mode, static shapes, batch 1, checked by onnx.checker (full check)
  input.json          one input in EZKL's layout: {"input_data": [[3*H*W floats]]}
  torch_output.json   torch's float output in the named-tensor layout ("zkml-tensors-v1":
                      {"outputs": {"logits": {"dtype", "shape", "data"}}, "meta": {...}})
and DIR/manifest.json lists every model with its input size, parameter count, op types, float
arg-max and file sizes.

Weights: torchvision's own random initialisation under torch.manual_seed(SEED) (no download).
A freshly initialised network has BatchNorm statistics mean 0 / variance 1, which makes a deep
random network's activations grow or vanish layer by layer; as for ../shared/models/resnet18, the
BatchNorm affine parameters are perturbed like a trained network's and the running statistics are
re-estimated on random inputs, so that activations are well scaled. The export then folds
BatchNorm into the convolutions (eval mode). Everything is seeded: re-running on the same
software gives the same files.

Requirements: Debian's python3-torch, python3-torchvision and python3-onnx
(`bash scripts/install-deps.sh --torchvision`), run with /usr/bin/python3.
"""

import argparse
import io
import json
import math
import os
import sys

try:
    import numpy as np
    import onnx
    import torch
    import torchvision
except ImportError as e:  # pragma: no cover
    sys.exit(f"export.py: missing module ({e}); run `bash scripts/install-deps.sh --torchvision` "
             f"and use /usr/bin/python3 (this is {sys.executable})")

SEED = 0
# name -> (constructor, input side). 32x32 unless the network needs more.
MODELS = {
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), 32),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(weights=None), 32),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), 32),
    "googlenet": (lambda: torchvision.models.googlenet(weights=None, aux_logits=False,
                                                       init_weights=True), 32),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), 32),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(weights=None), 32),
    "regnet_x_400mf": (lambda: torchvision.models.regnet_x_400mf(weights=None), 32),
    "mnasnet0_5": (lambda: torchvision.models.mnasnet0_5(weights=None), 32),
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), 32),
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def float_list(arr):
    # shortest decimal of each float32 widened to double: parsing as double then casting to float
    # gives the same bits back
    return [float(v) for v in np.asarray(arr, dtype=np.float32).reshape(-1).tolist()]


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)


def make_net(name):
    ctor, side = MODELS[name]
    torch.manual_seed(SEED)
    net = ctor()
    bns = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for m in bns:
            if m.affine:
                m.weight.uniform_(0.8, 1.2)
                m.bias.normal_(0.0, 0.1)
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the batches below
    net.train()
    g = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for _ in range(8):
            net(torch.randn(16, 3, side, side, generator=g))
    net.eval()
    x = torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(SEED + 2))
    return net, x


def export(name, out, opset):
    net, x = make_net(name)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(net, (x,), buf, opset_version=opset, input_names=["input"],
                          output_names=["logits"], export_params=True,
                          training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)
        y = net(x).numpy()
    model = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(d, "model.onnx")
    with open(path + ".tmp", "wb") as f:
        f.write(buf.getvalue())
    os.replace(path + ".tmp", path)
    write_json(os.path.join(d, "input.json"), {"input_data": [float_list(x.numpy())]})
    top = np.argsort(-y.reshape(-1))[:2]
    meta = {"model": f"torchvision.models.{name}", "weights": f"random init, torch seed {SEED}; "
            f"BatchNorm re-estimated on 8 batches of randn(16,3,H,W) (seed {SEED + 1})",
            "input": f"randn(1,3,H,W), seed {SEED + 2}", "torch": torch.__version__,
            "torchvision": torchvision.__version__, "opset": opset,
            "argmax": int(top[0]), "top2_gap": float(y.reshape(-1)[top[0]] - y.reshape(-1)[top[1]])}
    write_json(os.path.join(d, "torch_output.json"),
               {"format": "zkml-tensors-v1", "model": "model.onnx",
                "outputs": {"logits": {"dtype": "float32", "shape": list(y.shape), "data": float_list(y)}},
                "meta": meta})
    ops = sorted({n.op_type for n in model.graph.node})
    params = sum(p.numel() for p in net.parameters())
    side = x.shape[-1]
    log(f"{name}: input 1x3x{side}x{side}, {params:,} parameters, {len(model.graph.node)} nodes, "
        f"{os.path.getsize(path) / 1e6:.1f} MB, argmax {meta['argmax']} (gap {meta['top2_gap']:.3g}); "
        f"ops {' '.join(ops)}")
    return {"name": name, "input_shape": [1, 3, side, side], "parameters": params,
            "nodes": len(model.graph.node), "ops": ops, "onnx_bytes": os.path.getsize(path),
            "argmax": meta["argmax"], "top2_gap": meta["top2_gap"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="build/torchvision", help="output folder (default build/torchvision)")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    ap.add_argument("--opset", type=int, default=17, help="ONNX opset (torch 1.13: 7..17; default 17)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: reproducible)")
    ap.add_argument("--list", action="store_true", help="list the models and exit")
    args = ap.parse_args()
    if args.list:
        for n, (_, side) in MODELS.items():
            print(f"{n}\t3x{side}x{side}")
        return 0
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        log(f"export.py: unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
        return 2
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = {m["name"]: m for m in json.load(f).get("models", [])}
    for n in names:
        manifest[n] = export(n, args.out, args.opset)
    write_json(manifest_path, {"models": [manifest[n] for n in MODELS if n in manifest]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
