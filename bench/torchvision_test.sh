#!/usr/bin/env bash
# CTest torchvision_test: exports squeezenet1_1 and mobilenet_v3_small (the two fastest of the nine
# torchvision CNNs) and runs bench/torchvision.sh on them, which fails unless each compiles, sets
# up, proves, verifies, has the integer top-1 equal to torch's float top-1 and has a changed output
# rejected by verify. Usage: torchvision_test.sh ZKINFER OUTDIR [PYTHON]
set -euo pipefail
zk="$1"; out="$2"; py="${3:-/usr/bin/python3}"
if ! "$py" -c "import torch, torchvision, onnx" 2>/dev/null; then
  echo "torchvision_test: $py lacks torch/torchvision/onnx (bash scripts/install-deps.sh --torchvision); skipped"
  exit 77
fi
models=(squeezenet1_1 mobilenet_v3_small)
"$py" scripts/torchvision/export.py --out "$out" --models "$(IFS=,; echo "${models[*]}")"
bash bench/torchvision.sh --zkinfer "$zk" --dir "$out" "${models[@]}"
# The summary says the same: every row ok, top-1 equal, the changed output rejected (exit 1).
"$py" - "$out/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["models"]
assert len(r) == 2, r
for m in r:
    assert m["ok"] and m["int_top1"] == m["float_top1"] and m["changed_output_exit"] == 1, m
print("torchvision_test: 2 models proven and verified, top-1 equal to float, changed outputs rejected")
PY
