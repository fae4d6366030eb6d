#!/usr/bin/env bash
# Installs snarkjs (pinned) with npm into build-tools/snarkjs/ (ignored by git) unless it is there:
# the independent implementation zkinfer's TEST-ONLY .ptau files are made with
# (scripts/make-test-ptau.sh) and its Groth16 proofs are cross-checked against
# (src/snark/groth16_snarkjs_test.cc). Exit 77 (CTest's skip) when node or npm is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/build-tools/snarkjs"
SNARKJS_VERSION=0.7.6
if [ -x "$TOOLS/node_modules/.bin/snarkjs" ]; then exit 0; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-snarkjs: node or npm missing (scripts/install-deps.sh installs them); skipping" >&2
  exit 77
fi
mkdir -p "$TOOLS"
echo "install-snarkjs: installing snarkjs@$SNARKJS_VERSION into $TOOLS" >&2
npm install --prefix "$TOOLS" --no-audit --no-fund "snarkjs@$SNARKJS_VERSION" >&2
