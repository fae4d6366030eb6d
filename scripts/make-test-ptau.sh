#!/usr/bin/env bash
# Makes a SMALL powers-of-tau file in snarkjs's .ptau format for zkinfer's KZG tests and demo.
#
#   ******************************************************************************
#   *  TEST ONLY.  The "ceremony" below is one random-beacon step whose input is *
#   *  a fixed, published string, so tau, alpha and beta are known to anyone:    *
#   *  anyone can forge KZG openings against this file.  For real use take a    *
#   *  file of the Perpetual Powers of Tau ceremony (see docs/protocol/kzg.md).  *
#   ******************************************************************************
#
# Usage: scripts/make-test-ptau.sh [POWER] [OUT.ptau] [--if-missing]
#   (defaults: 10, tests/vectors/test_pot10.ptau; --if-missing: nothing to do when OUT exists)
# The whole-model kzg tests use power 16 (build/test_pot16.ptau, made by the CTest fixture
# make_test_ptau16: cnn_digits' and mlp_digits' largest committed vectors have 2^16 entries).
# Also writes OUT.json: a few points decoded by snarkjs's own libraries, for the
# reader's cross-check (src/pcs/ptau_test.cc).
# snarkjs (pinned) is installed by npm into build-tools/snarkjs/ (ignored by git); needs node and npm.
set -euo pipefail
POWER="${1:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${2:-$ROOT/tests/vectors/test_pot${POWER}.ptau}"
TOOLS="$ROOT/build-tools/snarkjs"
if [ "${3:-}" = "--if-missing" ] && [ -s "$OUT" ]; then
  echo "make-test-ptau: $OUT exists (TEST ONLY)" >&2
  exit 0
fi
# snarkjs (pinned: 0.7.6) into $TOOLS when missing.
bash "$ROOT/scripts/install-snarkjs.sh"
SNARKJS="$TOOLS/node_modules/.bin/snarkjs"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "make-test-ptau: TEST-ONLY powers of tau, power $POWER (fixed, public entropy)" >&2
"$SNARKJS" powersoftau new bn128 "$POWER" "$WORK/pot_0.ptau" >&2
# One "contribution" by a random beacon whose input is a fixed public string: deterministic, so
# the file is reproducible byte for byte and its secrets are computable by anyone.
BEACON="$(printf 'zkinfer test-only ptau, do not use' | sha256sum | cut -d' ' -f1)"
"$SNARKJS" powersoftau beacon "$WORK/pot_0.ptau" "$WORK/pot_1.ptau" "$BEACON" 10 \
  -n="zkinfer TEST ONLY (public beacon)" >&2
# snarkjs's own full check (slow beyond power 12; zkinfer's reader checks the consistency of
# every power it loads anyway, src/pcs/ptau.h).
if [ "$POWER" -le 12 ]; then "$SNARKJS" powersoftau verify "$WORK/pot_1.ptau" >&2; fi
cp "$WORK/pot_1.ptau" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"

# Cross-check vectors: a few points decoded by snarkjs's own libraries (scripts/ptau-export-points.mjs,
# copied next to the installed node_modules so that its imports resolve there).
cp "$ROOT/scripts/ptau-export-points.mjs" "$TOOLS/ptau-export-points.mjs"
node "$TOOLS/ptau-export-points.mjs" "$OUT" "$OUT.json"
echo "make-test-ptau: wrote $OUT ($(stat -c %s "$OUT") bytes) and $OUT.json  -- TEST ONLY" >&2
