#!/usr/bin/env bash
# GPT-2 small end to end (issue 14): compile (unless DIR/model.zkm exists), setup, prove, verify, each
# as its own process under a 16 GiB address-space cap (prlimit --as) and nice, timed by
# /usr/bin/time -v; then a summary: wall time and peak RSS per step, proof / vk / pk sizes, the
# prover's phases and its slowest nodes (from `prove --json`), and whether the proven next token is
# torch's.
# Usage: bench/gpt2_full.sh ZKINFER DIR   (DIR from scripts/gpt2/export_gpt2.py: model.onnx,
#        input.json, torch_output.json). CAP=bytes overrides the cap.
# Logs: DIR/{compile,setup,prove,verify,verify_again}.{log,time}. The verified-key cache: DIR/key_cache
# unless ZKINFER_KEY_CACHE is set. Export with --last-only for the next-token statement (the last
# position's logits: scripts/gpt2/README.md).
set -euo pipefail
zk="$(realpath "$1")"; d="$2"; cap="${CAP:-17179869184}"
step() {
  local name="$1"; shift
  echo "== $name: $*"
  if ! nice prlimit --as="$cap" /usr/bin/time -v "$@" >"$d/$name.log" 2>"$d/$name.time"; then
    echo "$name FAILED:"; tail -30 "$d/$name.time"; exit 1
  fi
  grep -E "Elapsed|Maximum resident" "$d/$name.time" | sed 's/^\s*/   /'
}
uptime
if [ ! -f "$d/model.zkm" ]; then
  step compile "$zk" compile "$d/model.onnx" --calibration "$d/input.json" -o "$d/model.zkm"
  grep -E "scale|arg-max|nodes" "$d/compile.log" | head -5 || true
fi
rm -rf "$d/keys"
step setup "$zk" setup "$d/model.zkm" -o "$d/keys"
step prove "$zk" prove "$d/model.zkm" --pk "$d/keys/pk" --input "$d/input.json" -o "$d/proof.zkp" \
  --output "$d/output.json" --json
# verify twice: the first checks the key in full (its weight range proof) and records it in the
# verified-key cache, the second finds it there (each prints "key check" and "proof verify" apart).
export ZKINFER_KEY_CACHE="${ZKINFER_KEY_CACHE-$d/key_cache}"
step verify "$zk" verify --vk "$d/keys/vk" --proof "$d/proof.zkp" --output "$d/output.json"
sed 's/^/   /' "$d/verify.log"
step verify_again "$zk" verify --vk "$d/keys/vk" --proof "$d/proof.zkp" --output "$d/output.json"
sed 's/^/   /' "$d/verify_again.log"
uptime
ls -l "$d/model.zkm" "$d/proof.zkp" "$d/keys/vk" "$d/keys/pk"
/usr/bin/python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/prove.log"))
for k in ("prove_seconds", "seconds", "commit_seconds", "open_seconds", "proof_bytes"):
    if k in j: print(f"{k}: {j[k]}")
layers = sorted(j.get("layers", []), key=lambda l: -l["seconds"])
total = sum(l["seconds"] for l in layers)
print(f"per-node total {total:.2f} s over {len(layers)} nodes; slowest:")
for l in layers[:15]: print(f"  {l['seconds']:8.3f} s  {l['node']}")
try:
    ref = json.load(open(f"{d}/torch_output.json"))
    out = json.load(open(f"{d}/output.json"))["output_data"][0]
    V = ref["outputs"]["logits"]["shape"][-1]; T = ref["outputs"]["logits"]["shape"][-2]
    last = out[(T - 1) * V:]
    nxt = max(range(V), key=lambda i: last[i])
    print(f"proven next token {nxt}, torch's {ref['meta']['next_token']}")
except Exception as e:  # noqa: BLE001
    print(f"(no next-token check: {e})")
PY
