#!/usr/bin/env bash
# CTest gpt2_small_test: exports a reduced GPT-2 (scripts/gpt2/export_gpt2.py: 2 layers, width 64,
# 4 heads, vocabulary 512, 16 tokens; GPT-2's architecture otherwise) and takes it through the
# zkinfer command as a user would: compile (scale chosen from the bundled tokens), setup, prove,
# verify. Fails unless compile reports next-token arg-max agreement with float on every position,
# the proven logits' arg-max at the last position equals torch's next token, the honest proof
# verifies, and a proof with one byte changed and a changed output are rejected.
# The vocabulary (512 rows) is above the old 256-row limit of the committed-table gather.
# Usage: gpt2_test.sh ZKINFER OUTDIR [PYTHON]. Exit 77 (skipped) when torch or onnx is missing.
set -euo pipefail
zk="$1"; out="$2"; py="${3:-/usr/bin/python3}"
export ZKINFER_KEY_CACHE="$out/key_cache"  # the verified-key cache: the test's own, never the user's
if ! "$py" -c "import torch, onnx" 2>/dev/null; then
  echo "gpt2_small_test: $py lacks torch/onnx (bash scripts/install-deps.sh --torchvision); skipped"
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"
"$py" scripts/gpt2/export_gpt2.py --layers 2 --width 64 --heads 4 --vocab 512 --tokens 16 --out "$out"

"$zk" compile "$out/model.onnx" --calibration "$out/input.json" -o "$out/model.zkm" | tee "$out/compile.log"
# "output 'logits': ..., arg-max agreement A/R (...)": every position's next token as float's.
agree=$(sed -n "s/.*output 'logits'.*arg-max agreement \([0-9]*\)\/\([0-9]*\).*/\1 \2/p" "$out/compile.log")
read -r a r <<<"$agree"
if [ -z "${a:-}" ] || [ "$r" != 16 ] || [ "$a" != "$r" ]; then
  echo "gpt2_small_test: FAILED: compile's next-token arg-max agreement is '${agree}' (want 16 16)"; exit 1
fi
grep -q "Gather x" "$out/compile.log" || { echo "gpt2_small_test: FAILED: no Gather in the compiled model"; exit 1; }

"$zk" setup "$out/model.zkm" -o "$out/keys"
"$zk" prove "$out/model.zkm" --pk "$out/keys/pk" --input "$out/input.json" -o "$out/proof.zkp" --output "$out/output.json"
"$zk" verify --vk "$out/keys/vk" --proof "$out/proof.zkp" --output "$out/output.json"

# The proven logits' next token (last position) against torch's; a changed output; a changed proof.
"$py" - "$out" <<'PY'
import json, sys
d = sys.argv[1]
out = json.load(open(f"{d}/output.json"))["output_data"][0]
ref = json.load(open(f"{d}/torch_output.json"))
V = ref["outputs"]["logits"]["shape"][-1]
T = ref["outputs"]["logits"]["shape"][-2]
assert len(out) == T * V, (len(out), T, V)
last = out[(T - 1) * V:]
nxt = max(range(V), key=lambda i: last[i])
assert nxt == ref["meta"]["next_token"], (nxt, ref["meta"]["next_token"])
changed = list(out)
changed[(T - 1) * V + nxt] += 1.0
json.dump({"output_data": [changed]}, open(f"{d}/changed_output.json", "w"))
p = bytearray(open(f"{d}/proof.zkp", "rb").read())
p[len(p) // 2] ^= 1
open(f"{d}/changed.zkp", "wb").write(bytes(p))
print(f"gpt2_small_test: proven next token {nxt} = torch's")
PY
for bad in "--proof $out/proof.zkp --output $out/changed_output.json" "--proof $out/changed.zkp --output $out/output.json"; do
  set +e
  # shellcheck disable=SC2086
  "$zk" verify --vk "$out/keys/vk" $bad >"$out/rejected.log" 2>&1
  rc=$?
  set -e
  if [ $rc -ne 1 ]; then
    echo "gpt2_small_test: FAILED: verify $bad exited $rc (want 1: rejected)"; cat "$out/rejected.log"; exit 1
  fi
  echo "gpt2_small_test: rejected as it should: $(tail -1 "$out/rejected.log")"
done
echo "gpt2_small_test: reduced GPT-2 compiled, proven, verified; next token as float; changed output and proof rejected"
