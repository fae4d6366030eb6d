#!/usr/bin/env bash
# Test (CTest insecure_ptau_snarkjs_test): a file of `zkinfer insecure-test-ptau` (TEST ONLY) checked
# by snarkjs's own libraries (scripts/ptau-check-snarkjs.mjs), and the same file with two tauG1
# points swapped rejected by them; and the Lagrange sections 12-15 of a prepared file (the writer's
# default) byte for byte those `snarkjs powersoftau prepare phase2` computes from the unprepared
# file of the same secrets (--unprepared): the whole files are compared. Exit 77 (skipped) when snarkjs is not installed in
# build-tools/snarkjs (scripts/make-test-ptau.sh installs it).
# Usage: scripts/check-insecure-ptau.sh ZKINFER WORKDIR
set -euo pipefail
zk="$1"; dir="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/build-tools/snarkjs"
if [ ! -d "$tools/node_modules/ffjavascript" ] || ! command -v node >/dev/null 2>&1; then
  echo "check-insecure-ptau: snarkjs is not installed in $tools (scripts/make-test-ptau.sh installs it): skipped" >&2
  exit 77
fi
mkdir -p "$dir"
"$zk" insecure-test-ptau --power 8 -o "$dir/p8.ptau"
cp "$root/scripts/ptau-check-snarkjs.mjs" "$tools/ptau-check-snarkjs.mjs"
node "$tools/ptau-check-snarkjs.mjs" "$dir/p8.ptau"
# tauG1 points 3 and 5 swapped (section 2's data starts at byte 80: 12 + 12 + 44 + 12).
node -e '
const fs = require("fs"); const b = fs.readFileSync(process.argv[1]); const d = 80;
const p3 = Buffer.from(b.subarray(d + 3 * 64, d + 4 * 64)); b.copy(b, d + 3 * 64, d + 5 * 64, d + 6 * 64); p3.copy(b, d + 5 * 64);
fs.writeFileSync(process.argv[2], b);' "$dir/p8.ptau" "$dir/p8_bad.ptau"
if node "$tools/ptau-check-snarkjs.mjs" "$dir/p8_bad.ptau"; then
  echo "check-insecure-ptau: snarkjs's libraries accepted a file with two points swapped" >&2
  exit 1
fi
# Prepared by zkinfer vs prepared by snarkjs (power 6: snarkjs's group FFTs take seconds).
"$zk" insecure-test-ptau --power 6 -o "$dir/p6.ptau"
"$zk" insecure-test-ptau --power 6 --unprepared -o "$dir/p6_plain.ptau"
"$tools/node_modules/.bin/snarkjs" powersoftau prepare phase2 "$dir/p6_plain.ptau" "$dir/p6_snarkjs.ptau" >&2
if ! cmp "$dir/p6.ptau" "$dir/p6_snarkjs.ptau"; then
  echo "check-insecure-ptau: the prepared file differs from snarkjs's preparation of the unprepared one" >&2
  exit 1
fi
echo "check-insecure-ptau: ok"
