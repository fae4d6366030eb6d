#!/usr/bin/env bash
# The README's first command: install what is needed, build, and run the main job on the bundled
# model examples/cnn_digits: compile (quantize, report accuracy against float), setup (commit the
# weights: proving and verifying keys), prove one inference, and verify the proof against the
# verifying key and the claimed output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target zkinfer
out=build/demo
mkdir -p "$out"
set -x
./build/zkinfer compile examples/cnn_digits/model.onnx -o "$out/cnn_digits.zkm"
./build/zkinfer setup "$out/cnn_digits.zkm" -o "$out/keys"
./build/zkinfer prove "$out/cnn_digits.zkm" --pk "$out/keys/pk" --input examples/cnn_digits/input.json \
  -o "$out/cnn_digits.zkp" --output "$out/output.json"
./build/zkinfer verify --vk "$out/keys/vk" --proof "$out/cnn_digits.zkp" --output "$out/output.json"
