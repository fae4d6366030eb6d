#!/usr/bin/env bash
# The README's first command: install what is needed, build, and run the main job on the bundled
# model examples/cnn_digits (compile: quantize and report accuracy against float; run: integer vs
# float inference). Proving (setup, prove, verify) joins here as it lands.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target zkinfer
out=build/demo
mkdir -p "$out"
set -x
./build/zkinfer compile examples/cnn_digits/model.onnx -o "$out/cnn_digits.zkm"
./build/zkinfer run "$out/cnn_digits.zkm" --input examples/cnn_digits/input.json --output "$out/output.json"
