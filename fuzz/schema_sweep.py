#!/usr/bin/python3
"""A schema-driven sweep of the ONNX loader: for every operator of the default domain that
python3-onnx knows (opsets 11, 13 and 17), models of one node with random input counts and ranks,
random constant inputs and extreme integer attributes (axes of -64..64, negative sizes, zero
strides), each given to `zkinfer inspect`. zkinfer must answer every model with exit code 0 or 2
(a clear error), never a signal: ONNX's own shape inference trusts attributes, so the loader
checks what it passes on (src/graph/onnx_loader.cc). Crashes are kept in OUT/crashes/ for
fuzz/regressions/. Not part of CI (about 10 minutes for the default 12 models per operator and
opset on the 2-core machine).

Usage: fuzz/schema_sweep.py ZKINFER OUT_DIR [--per-op N] [--seed S]
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

import onnx
from onnx import TensorProto, defs, helper


def models(per_op, seed):
    rng = random.Random(seed)
    at_type = defs.OpSchema.AttrType
    names = sorted({s.name for s in defs.get_all_schemas_with_history() if s.domain == ""})
    for op in names:
        for ver in (11, 13, 17):
            try:
                sch = defs.get_schema(op, ver, "")
            except Exception:
                continue
            ints = [a for a, v in sch.attributes.items() if v.type in (at_type.INT, at_type.INTS)]
            nin = max(len(sch.inputs), 1)
            nout = max(len(sch.outputs), 1)
            for trial in range(per_op):
                at = {}
                for a in ints:
                    if rng.random() < 0.6:
                        if sch.attributes[a].type == at_type.INT:
                            at[a] = rng.choice([-10, 10, 0, -1, 1, -5, 5, 2, -2, 64, -64, 3])
                        else:
                            at[a] = [rng.choice([-10, 10, 0, -1, 1, 2, -3, 5]) for _ in range(rng.randint(0, 5))]
                rank_shape = rng.choice([[], [2], [2, 3], [1, 2, 3, 4], [1, 1, 2, 2, 2]])
                ins = [f"x{i}" for i in range(rng.randint(1, nin))]
                graph_inputs, inits = [], []
                for i, name in enumerate(ins):
                    if i > 0 and rng.random() < 0.5:
                        shape = rng.choice([[], [1], [2], [4]])
                        count = 1
                        for d in shape:
                            count *= d
                        dtype = TensorProto.INT64 if rng.random() < 0.5 else TensorProto.FLOAT
                        values = [rng.choice([-3, -1, 0, 1, 2, 5]) for _ in range(count)]
                        inits.append(helper.make_tensor(name, dtype, shape, values))
                    else:
                        shape = rng.choice([rank_shape, [2, 3], [4]])
                        graph_inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
                outs = [f"y{i}" for i in range(rng.randint(1, nout))]
                graph_outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]) for n in outs]
                try:
                    node = helper.make_node(op, ins, outs, **at)
                    graph = helper.make_graph([node], "g", graph_inputs, graph_outputs, inits)
                    yield f"{op}_{ver}_{trial}", helper.make_model(graph, opset_imports=[helper.make_opsetid("", ver)])
                except Exception:
                    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("zkinfer")
    ap.add_argument("out")
    ap.add_argument("--per-op", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.out, "crashes"), exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    total, crashes = 0, 0
    for name, model in models(args.per_op, args.seed):
        onnx.save(model, path)
        total += 1
        try:
            rc = subprocess.run([args.zkinfer, "inspect", path], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=30).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        if rc not in (0, 2):
            crashes += 1
            shutil.copy(path, os.path.join(args.out, "crashes", name + ".onnx"))
            print(f"{name}: exit {rc}", flush=True)
    print(f"{total} models, {crashes} crashes or hangs")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
