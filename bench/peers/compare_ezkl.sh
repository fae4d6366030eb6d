#!/usr/bin/env bash
# Side-by-side figures: zkinfer and EZKL (its WebAssembly build, ../shared/peers/ezkl) on the same
# ONNX files, in one run on one machine, with the ratios. Usage (after a build):
#   bash bench/peers/compare_ezkl.sh [--reuse-ezkl] [MODEL ...]   default: the issue's five EZKL models
# --reuse-ezkl takes EZKL's figures from an earlier run's build/peers/MODEL.ezkl.json when present
# (EZKL needs minutes per model; zkinfer is always re-measured).
# Each model is a directory of ../shared/models/ezkl holding network.onnx and input.json. EZKL's
# rows (2^k) per model are those known to fit (../shared/peers/README.md); lenet_5 needs 2^20,
# beyond the WebAssembly build's 2^17 limit, so it is measured for zkinfer only and EZKL's
# published native figure is quoted in BENCHMARKS.md instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="$root/../shared"
zk="$root/build/zkinfer"
[ -x "$zk" ] || { echo "build zkinfer first (cmake --build build --target zkinfer)" >&2; exit 2; }
work="$root/build/peers"
mkdir -p "$work"
if [ ! -d "$work/ezkl/node_modules/@ezkljs" ]; then
  rm -rf "$work/ezkl"
  cp -r "$shared/peers/ezkl" "$work/ezkl"
  (cd "$work/ezkl" && npm install --no-audit --no-fund >/dev/null)
fi
export EZKL_PEER_WORK="$work/ezkl-work"
declare -A logrows=([1l_mlp]=15 [2l_relu_fc]=15 [3l_relu_conv_fc]=16 [4l_relu_conv_fc]=15 [accuracy]=15)
reuse=0
if [ "${1:-}" = "--reuse-ezkl" ]; then reuse=1; shift; fi
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(1l_mlp 2l_relu_fc 3l_relu_conv_fc 4l_relu_conv_fc lenet_5)
printf '| model | zkinfer prove | zkinfer verify | zkinfer proof | EZKL prove | EZKL verify | EZKL proof | prove ratio (EZKL / zkinfer) | zkinfer prove / float inference |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for m in "${models[@]}"; do
  dir="$shared/models/ezkl/$m"
  zj=$("$zk" bench "$dir/network.onnx" --input "$dir/input.json" --reps 3 --json 2>/dev/null) || zj=""
  zp=$(echo "$zj" | python3 -c 'import json,sys; d=json.load(sys.stdin); s={x["step"]:x for x in d["steps"]}; print(s["prove"]["seconds"], s["verify"]["seconds"], s["prove"]["bytes"], d["prove_over_float"])' 2>/dev/null || echo "- - - -")
  read -r zprove zverify zbytes zratio <<<"$zp"
  ep="- - -"
  if [ -n "${logrows[$m]:-}" ]; then
    if [ "$reuse" = 1 ] && [ -s "$work/$m.ezkl.json" ]; then
      out=$(cat "$work/$m.ezkl.json")
    else
      out=$(cd "$work/ezkl" && node run.mjs onnx "$dir" --logrows "${logrows[$m]}" 2>&1 | grep '^SUMMARY' | sed 's/^SUMMARY //') || out=""
    fi
    ep=$(echo "$out" | python3 -c '
import json,sys
d=json.load(sys.stdin)  # timings in milliseconds; a list when repeated
sec=lambda v: (min(v) if isinstance(v, list) else v) / 1000.0
print(sec(d["prove"]), sec(d["verify"]), d["proof_bytes"])' 2>/dev/null || echo "- - -")
    echo "$out" > "$work/$m.ezkl.json"
  fi
  read -r eprove everify ebytes <<<"$ep"
  ratio="-"
  if [[ "$eprove" =~ ^[0-9][0-9.]*$ && "$zprove" =~ ^[0-9][0-9.e-]*$ ]]; then ratio=$(python3 -c "print(f'{$eprove/$zprove:.0f}x')"); fi
  fmt() { [[ "$1" =~ ^[0-9][0-9.e-]*$ ]] && python3 -c "print(f'{float(\"$1\"):.3f} s')" || echo "$1"; }
  printf '| %s | %s | %s | %s B | %s | %s | %s B | %s | %s |\n' "$m" "$(fmt "$zprove")" "$(fmt "$zverify")" "$zbytes" \
    "$(fmt "$eprove")" "$(fmt "$everify")" "$ebytes" "$ratio" \
    "$( [[ "$zratio" =~ ^[0-9][0-9.e+-]*$ ]] && python3 -c "print(f'{float(\"$zratio\"):.0f}x')" || echo -)"
done
