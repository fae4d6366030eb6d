#!/usr/bin/env bash
# Installs dependencies, builds zkinfer and runs the whole test suite (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-evm.sh || [ $? -eq 77 ]   # npm: solc-js and @ethereumjs/evm for evm_test (tools/evm)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)"
