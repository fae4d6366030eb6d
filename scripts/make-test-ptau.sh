#!/usr/bin/env bash
# Makes a SMALL powers-of-tau file in snarkjs's .ptau format for zkinfer's KZG tests and demo.
#
#   ******************************************************************************
#   *  TEST ONLY.  The "ceremony" below has one contributor whose entropy is a    *
#   *  fixed, published string, so tau, alpha and beta are effectively known:    *
#   *  anyone can forge KZG openings against this file.  For real use take a    *
#   *  file of the Perpetual Powers of Tau ceremony (see docs/protocol/kzg.md).  *
#   ******************************************************************************
#
# Usage: scripts/make-test-ptau.sh [POWER] [OUT.ptau]   (defaults: 10, tests/vectors/test_pot10.ptau)
# Also writes OUT.json: a few points exported by snarkjs itself (`powersoftau export json`) for the
# reader's cross-check (src/pcs/ptau_test.cc).
# snarkjs (pinned) is installed by npm into build-tools/snarkjs/ (ignored by git); needs node and npm.
set -euo pipefail
POWER="${1:-10}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${2:-$ROOT/tests/vectors/test_pot${POWER}.ptau}"
TOOLS="$ROOT/build-tools/snarkjs"
SNARKJS_VERSION=0.7.6

if [ ! -x "$TOOLS/node_modules/.bin/snarkjs" ]; then
  mkdir -p "$TOOLS"
  echo "make-test-ptau: installing snarkjs@$SNARKJS_VERSION into $TOOLS" >&2
  npm install --prefix "$TOOLS" --no-audit --no-fund "snarkjs@$SNARKJS_VERSION" >&2
fi
SNARKJS="$TOOLS/node_modules/.bin/snarkjs"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "make-test-ptau: TEST-ONLY powers of tau, power $POWER (fixed, public entropy)" >&2
"$SNARKJS" powersoftau new bn128 "$POWER" "$WORK/pot_0.ptau" >&2
"$SNARKJS" powersoftau contribute "$WORK/pot_0.ptau" "$WORK/pot_1.ptau" \
  --name="zkinfer TEST ONLY (public entropy)" -e="zkinfer test-only entropy, do not use" >&2
"$SNARKJS" powersoftau verify "$WORK/pot_1.ptau" >&2
cp "$WORK/pot_1.ptau" "$OUT"

# Cross-check vectors: snarkjs's own JSON export, trimmed to a few points per section.
# (export json needs the phase-2 sections, so it runs on a prepared copy; the committed file is the
# phase-1 file, whose sections 1-7 are all the reader uses.)
"$SNARKJS" powersoftau prepare phase2 "$WORK/pot_1.ptau" "$WORK/pot_prep.ptau" >&2
"$SNARKJS" powersoftau export json "$WORK/pot_prep.ptau" "$WORK/all.json" >&2
node -e '
const fs = require("fs");
const all = JSON.parse(fs.readFileSync(process.argv[1]));
const pick = (a) => { const idx = [0, 1, 2, 3, a.length - 1]; return idx.map((i) => ({ i, p: a[i] })); };
const out = {
  comment: "TEST ONLY. Points exported by snarkjs powersoftau export json from the file next to this one (affine, decimal, [x, y, 1]; G2 coordinates [c0, c1])",
  power: all.power,
  tauG1: pick(all.tauG1), tauG2: pick(all.tauG2), alphaTauG1: pick(all.alphaTauG1),
  betaTauG1: pick(all.betaTauG1), betaG2: all.betaG2,
};
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 1) + "\n");
' "$WORK/all.json" "$OUT.json"
echo "make-test-ptau: wrote $OUT ($(stat -c %s "$OUT") bytes) and $OUT.json  -- TEST ONLY" >&2
