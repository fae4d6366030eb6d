#!/bin/bash
# GPT-2 (issue 14), an existing model and key: prove, verify twice, compare with torch.
#   bench/gpt2_prove_check.sh ZKINFER DIR [OUT]
# DIR holds model.zkm, keys/{pk,vk}, input.json and torch_output.json (scripts/gpt2/export_gpt2.py,
# `zkinfer compile`, `zkinfer setup`). The prove runs under `nice prlimit --as=$CAP` (default 16
# GiB) with ZKINFER_MEM_TRACE=1 and /usr/bin/time -v; OUT (default DIR/check) gets prove.json,
# prove.trace (phases, peak RSS, CPU), verify.log / verify_again.log (a fresh key cache: the first
# checks the key in full) and compare.txt: the proven next token against torch's and the cosine of
# the proven last position's logits with torch's float ones.
set -u
B=$1
D=$2
OUT=${3:-$D/check}
CAP=${CAP:-17179869184}
mkdir -p "$OUT"
free -g > "$OUT/prove.free"
uptime > "$OUT/prove.uptime"
ZKINFER_MEM_TRACE=1 nice prlimit --as="$CAP" /usr/bin/time -v "$B" prove "$D/model.zkm" --pk "$D/keys/pk" \
  --input "$D/input.json" -o "$OUT/proof.zkp" --output "$OUT/output.json" --json > "$OUT/prove.json" 2> "$OUT/prove.trace"
echo "rc=$?" >> "$OUT/prove.trace"
uptime >> "$OUT/prove.uptime"
export ZKINFER_KEY_CACHE="$OUT/key_cache"
rm -rf "$OUT/key_cache"
for v in verify verify_again; do
  nice prlimit --as=8589934592 /usr/bin/time -v "$B" verify --vk "$D/keys/vk" --proof "$OUT/proof.zkp" \
    --output "$OUT/output.json" > "$OUT/$v.log" 2> "$OUT/$v.time"
  echo "rc=$?" >> "$OUT/$v.time"
done
uptime >> "$OUT/prove.uptime"
python3 - "$D" "$OUT" > "$OUT/compare.txt" 2>&1 <<'PY'
import json, math, sys
d, o = sys.argv[1], sys.argv[2]
ref = json.load(open(f"{d}/torch_output.json"))
out = json.load(open(f"{o}/output.json"))["output_data"][0]
lg = ref["outputs"]["logits"]
V = lg["shape"][-1]
t = lg["data"][-V:]
p = out[-V:]
nxt = max(range(V), key=lambda i: p[i])
dot = sum(a * b for a, b in zip(p, t))
na = math.sqrt(sum(a * a for a in p))
nb = math.sqrt(sum(b * b for b in t))
print(f"proven next token {nxt}, torch's {ref['meta']['next_token']}; cosine {dot / (na * nb):.6f}; "
      f"max abs diff {max(abs(a - b) for a, b in zip(p, t)):.4f}")
PY
grep -E "Maximum resident|User time|System time|Elapsed|rc=" "$OUT/prove.trace"
grep -h "proof verify\|valid" "$OUT/verify.log" "$OUT/verify_again.log"
cat "$OUT/compare.txt"
