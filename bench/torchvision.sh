#!/usr/bin/env bash
# Proves torchvision's classic CNNs (scripts/torchvision/export.py) with the zkinfer command, as a
# user would: compile (scale chosen from the bundled input), setup, prove, verify; then checks that
# the proven output's arg-max equals torch's float arg-max and that verify rejects a changed output.
# Prints one row per model and writes DIR/results.json.
#
#   bash bench/torchvision.sh [--zkinfer build/zkinfer] [--dir build/torchvision] [--reps N]
#                             [--skip-setup] [MODEL ...]
#
# DIR holds the exported models (DIR/<name>/model.onnx, input.json, torch_output.json); export them
# first with `/usr/bin/python3 scripts/torchvision/export.py --out DIR`. Keys, proofs and logs go
# to DIR/<name>/. --reps N proves and verifies N times and reports the fastest (a busy machine's
# timings are noisy). --skip-setup reuses DIR/<name>/model.zkm and keys/ from an earlier run.
# Exit status: 0 when every model proved, verified, matched torch's top-1 and rejected the changed
# output; 1 otherwise.
set -uo pipefail

zk=build/zkinfer
dir=build/torchvision
reps=1
skip_setup=0
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --zkinfer) zk="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --skip-setup) skip_setup=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "torchvision.sh: unknown option $1" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ ${#models[@]} -eq 0 ]; then
  models=(mobilenet_v2 mobilenet_v3_small squeezenet1_1 googlenet efficientnet_b0 shufflenet_v2_x1_0
          regnet_x_400mf mnasnet0_5 densenet121)
fi
[ -x "$zk" ] || { echo "torchvision.sh: no zkinfer at $zk (build it first)" >&2; exit 2; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# Seconds reported by a zkinfer --json summary.
json_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

status=0
results=()
printf '%-20s %5s %9s %9s %9s %10s %8s %6s %s\n' model scale compile_s setup_s prove_s proof_B verify_s top1 status
for m in "${models[@]}"; do
  d="$dir/$m"
  row_fail() {
    printf '%-20s %s\n' "$m" "FAILED: $1"
    results+=("{\"model\":\"$m\",\"ok\":false,\"error\":$("$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1")}")
    status=1
  }
  if [ ! -f "$d/model.onnx" ]; then row_fail "no $d/model.onnx (run scripts/torchvision/export.py)"; continue; fi
  t0=$(date +%s.%N)
  if [ $skip_setup -eq 0 ] || [ ! -f "$d/model.zkm" ]; then
    if ! "$zk" compile "$d/model.onnx" --calibration "$d/input.json" -o "$d/model.zkm" >"$d/compile.log" 2>&1; then
      row_fail "compile (see $d/compile.log)"; continue
    fi
  fi
  t1=$(date +%s.%N)
  scale=$(sed -n 's/^  scale \([0-9]*\).*/\1/p' "$d/compile.log" | head -1)
  if [ $skip_setup -eq 0 ] || [ ! -f "$d/keys/pk" ]; then
    if ! "$zk" setup "$d/model.zkm" -o "$d/keys" >"$d/setup.log" 2>&1; then
      row_fail "setup (see $d/setup.log)"; continue
    fi
  fi
  t2=$(date +%s.%N)
  best_p=""; best_v=""
  for ((i = 0; i < reps; ++i)); do
    if ! "$zk" prove "$d/model.zkm" --pk "$d/keys/pk" --input "$d/input.json" -o "$d/proof.zkp" \
        --output "$d/output.json" --json >"$d/prove.json" 2>"$d/prove.log"; then
      row_fail "prove (see $d/prove.log)"; continue 2
    fi
    p=$(json_field "$d/prove.json" seconds)
    if ! "$zk" verify --vk "$d/keys/vk" --proof "$d/proof.zkp" --output "$d/output.json" --json \
        >"$d/verify.json" 2>"$d/verify.log"; then
      row_fail "verify rejected the honest proof (see $d/verify.log)"; continue 2
    fi
    v=$(json_field "$d/verify.json" seconds)
    best_p=$("$PY" -c 'import sys; a=sys.argv[1]; print(min(float(a), float(sys.argv[2])) if a else sys.argv[2])' "$best_p" "$p")
    best_v=$("$PY" -c 'import sys; a=sys.argv[1]; print(min(float(a), float(sys.argv[2])) if a else sys.argv[2])' "$best_v" "$v")
  done
  bytes=$(json_field "$d/prove.json" proof_bytes)
  # Top-1 of the proven (integer) output against torch's float output; and a changed output.
  top=$("$PY" - "$d/output.json" "$d/torch_output.json" "$d/changed_output.json" <<'EOF'
import json, sys
out = json.load(open(sys.argv[1]))["output_data"][0]
ref = json.load(open(sys.argv[2]))["outputs"]["logits"]["data"]
ai = max(range(len(out)), key=lambda i: out[i])
af = max(range(len(ref)), key=lambda i: ref[i])
changed = list(out)
changed[af] += 1.0  # the top class's logit raised by one
json.dump({"output_data": [changed]}, open(sys.argv[3], "w"))
print(f"{ai} {af}")
EOF
)
  read -r int_top float_top <<<"$top"
  "$zk" verify --vk "$d/keys/vk" --proof "$d/proof.zkp" --output "$d/changed_output.json" >"$d/verify_changed.log" 2>&1
  rc_changed=$?
  compile_s=$("$PY" -c "print(f'{$t1 - $t0:.1f}')"); setup_s=$("$PY" -c "print(f'{$t2 - $t1:.1f}')")
  [ $skip_setup -eq 1 ] && compile_s=- && setup_s=-
  ok=true; note=ok
  if [ "$int_top" != "$float_top" ]; then ok=false; note="top-1 $int_top != float $float_top"; status=1; fi
  if [ $rc_changed -ne 1 ]; then ok=false; note="a changed output was not rejected (exit $rc_changed)"; status=1; fi
  printf '%-20s %5s %9s %9s %9.3f %10s %8.3f %6s %s\n' "$m" "${scale:-?}" "$compile_s" "$setup_s" "$best_p" "$bytes" \
    "$best_v" "$([ "$int_top" = "$float_top" ] && echo yes || echo no)" "$note"
  results+=("{\"model\":\"$m\",\"ok\":$ok,\"scale\":${scale:-null},\"compile_seconds\":\"$compile_s\",\"setup_seconds\":\"$setup_s\",\"prove_seconds\":$best_p,\"verify_seconds\":$best_v,\"proof_bytes\":$bytes,\"int_top1\":$int_top,\"float_top1\":$float_top,\"changed_output_exit\":$rc_changed}")
done
{
  echo "{\"zkinfer\":\"$zk\",\"reps\":$reps,\"nproc\":$(nproc),\"models\":["
  (IFS=,; echo "${results[*]}")
  echo "]}"
} >"$dir/results.json"
exit $status
