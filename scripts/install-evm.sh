#!/usr/bin/env bash
# Installs zkinfer's EVM test toolchain: the npm packages pinned by tools/evm/package.json and
# tools/evm/package-lock.json (solc-js, @ethereumjs/evm, @ethereumjs/common, @ethereumjs/util), by
# `npm ci` into tools/evm/node_modules (ignored by git). Used by scripts/test.sh (the README's test
# command, and so .ci/run) and by the CTest fixture install_evm that evm_test requires.
# Idempotent: nothing to do when the installed tree matches the lock file (a stamp in node_modules).
# Needs node (>= 18) and npm, which scripts/install-deps.sh installs. Exit status 77 (CTest's skip
# code) only when node or npm is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/tools/evm"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-evm: node and npm are needed (bash scripts/install-deps.sh installs them); EVM tests skipped" >&2
  exit 77
fi
STAMP="$DIR/node_modules/.zkinfer-lock-sha256"
WANT="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "install-evm: tools/evm/node_modules matches package-lock.json" >&2
  exit 0
fi
echo "install-evm: npm ci in $DIR" >&2
npm ci --prefix "$DIR" --no-audit --no-fund >&2
echo "$WANT" > "$STAMP"
echo "install-evm: done ($(node -e "console.log('solc ' + require('$DIR/node_modules/solc/package.json').version + ', @ethereumjs/evm ' + require('$DIR/node_modules/@ethereumjs/evm/package.json').version)"))" >&2
