#!/usr/bin/env bash
# `zkinfer prove` CPU (user + sys) with hyrax keys, kzg keys of the default version (9, weight
# rows) and kzg keys of version 8 (--kzg-weight-rows off), alternately, ROUNDS rounds per model,
# after one warm-up prove per key (the kzg pk powers' check cached, as a user's second prove).
# Usage: bench/kzg_default_prove.sh [ROUNDS]   (from the repository root, after building zkinfer)
# Models: examples/mlp_digits, examples/cnn_digits, /work/shared/models/ezkl/lenet_5 (or
# $ZKINFER_SHARED_DIR/models/ezkl/lenet_5), compiled with the default visibility.
# TEST-ONLY ptau: build/test_pot16.ptau (known tau; timings only).
set -euo pipefail
ROUNDS="${1:-3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ZK="$ROOT/build/zkinfer"
PTAU="$ROOT/build/test_pot16.ptau"
SHARED="${ZKINFER_SHARED_DIR:-$ROOT/../shared}"
CAP="prlimit --as=3221225472"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
declare -A ONNX=([mlp_digits]="$ROOT/examples/mlp_digits/model.onnx" [cnn_digits]="$ROOT/examples/cnn_digits/model.onnx"
                 [lenet_5]="$SHARED/models/ezkl/lenet_5/network.onnx")
echo "load before: $(uptime)"
for m in mlp_digits cnn_digits lenet_5; do
  onnx="${ONNX[$m]}"; input="$(dirname "$onnx")/input.json"; d="$W/$m"; mkdir -p "$d"
  $CAP "$ZK" compile "$onnx" --calibration "$input" -o "$d/m.zkm" > /dev/null
  $CAP "$ZK" setup "$d/m.zkm" -o "$d/hyrax" > /dev/null
  $CAP "$ZK" setup "$d/m.zkm" --backend kzg --srs "$PTAU" -o "$d/kzg9" > /dev/null
  $CAP "$ZK" setup "$d/m.zkm" --backend kzg --srs "$PTAU" --kzg-weight-rows off -o "$d/kzg8" > /dev/null
  for k in hyrax kzg9 kzg8; do $CAP "$ZK" prove "$d/m.zkm" --pk "$d/$k/pk" --input "$input" -o "$d/$k.zkp" > /dev/null; done
  for r in $(seq "$ROUNDS"); do
    for k in hyrax kzg9 kzg8; do
      t=$( { /usr/bin/time -f "%U %S %e" $CAP "$ZK" prove "$d/m.zkm" --pk "$d/$k/pk" --input "$input" -o "$d/$k.zkp" > /dev/null; } 2>&1 | tail -1)
      read -r u s e <<< "$t"
      printf '%s round %d %s: cpu %.2f s wall %.2f s proof %d B\n' "$m" "$r" "$k" "$(echo "$u + $s" | bc)" "$e" "$(stat -c %s "$d/$k.zkp")"
    done
  done
  for k in kzg9 kzg8; do "$ZK" verify --vk "$d/$k/vk" --proof "$d/$k.zkp" > /dev/null && echo "$m $k verifies"; done
done
echo "load after: $(uptime)"
