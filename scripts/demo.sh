#!/usr/bin/env bash
# The README's first command: install what is needed, build, and run the main job on the bundled
# model. Until proving lands (issue 4) the main job is the newest working capability.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
./build/zkinfer --version
