#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (once per build folder) and runs each for a few
# seconds on a seed corpus (the bundled models and inputs). Exit 77 (skipped) without clang.
# Usage: fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:?build dir}"
secs="${2:-4}"
if ! command -v clang++ >/dev/null; then echo "clang++ not found: skipping fuzzing"; exit 77; fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
if ! cmake --build "$build" -j 2 >"$build/build.log" 2>&1; then
  echo "building the fuzz targets failed (the sources a target needs are listed in fuzz/CMakeLists.txt):"
  grep -E "error|undefined reference" "$build/build.log" | head -20
  exit 1
fi
corpus="$build/corpus"
mkdir -p "$corpus/onnx" "$corpus/json" "$corpus/zkm" "$corpus/keys"
for d in "$root"/examples/*/; do
  if [ -f "$d/model.onnx" ]; then cp -f "$d/model.onnx" "$corpus/onnx/$(basename "$d").onnx"; fi
  if [ -f "$d/input.json" ]; then cp -f "$d/input.json" "$corpus/json/$(basename "$d").json"; fi
done
shared="$root/../shared/models/ezkl"
if [ -d "$shared" ]; then
  for m in 1l_relu 1l_conv 1l_softmax 1l_slice 1l_pad 1l_reshape layernorm lstm gru rnn; do
    [ -f "$shared/$m/network.onnx" ] && cp -f "$shared/$m/network.onnx" "$corpus/onnx/$m.onnx"
  done
fi
printf '{"input_data": [[1, 2, 3, 4]]}' > "$corpus/json/small.json"
printf '{"cases": [{"inputs": {"x": {"shape": [1, 4], "data": [1, 2, 3, 4]}}, "meta": {"label": 1}}]}' > "$corpus/json/cases.json"
# .zkm bodies (the fuzz harness adds header and digest) from the main build's compiler, if built.
if [ -x "$root/build/zkinfer" ]; then
  for m in mlp_digits cnn_digits; do
    if "$root/build/zkinfer" compile "$root/examples/$m/model.onnx" -o "$build/$m.zkm" >/dev/null 2>&1; then
      python3 -c 'import sys,struct; b=open(sys.argv[1],"rb").read(); n=struct.unpack_from("<Q",b,8)[0]; open(sys.argv[2],"wb").write(b[16:16+n])' \
        "$build/$m.zkm" "$corpus/zkm/$m.body" || true
    fi
  done
fi
# Key files (fuzz_keys: first byte even: a vk file follows; odd: a pk file), from the main build's
# setup of a small model with weights (1l_mlp), if built.
if [ -x "$root/build/zkinfer" ] && [ -d "$shared/1l_mlp" ]; then
  if "$root/build/zkinfer" compile "$shared/1l_mlp/network.onnx" -o "$build/keys.zkm" >/dev/null 2>&1 &&
     "$root/build/zkinfer" setup "$build/keys.zkm" -o "$build/keys" >/dev/null 2>&1; then
    { printf '\x00'; cat "$build/keys/vk"; } > "$corpus/keys/vk"
    { printf '\x01'; cat "$build/keys/pk"; } > "$corpus/keys/pk"
    # A kzg verifying key too (backend id and SRS block), when the test .ptau was made (its pk,
    # 2 MB of powers, would only slow the fuzzer).
    if [ -s "$root/build/test_pot16.ptau" ] &&
       "$root/build/zkinfer" setup "$build/keys.zkm" --backend kzg --srs "$root/build/test_pot16.ptau" \
         -o "$build/kzg_keys" >/dev/null 2>&1; then
      { printf '\x00'; cat "$build/kzg_keys/vk"; } > "$corpus/keys/vk_kzg"
    fi
  fi
fi
printf '\x00ZKVK' > "$corpus/keys/vk_magic"
mkdir -p "$build/artifacts"
# Large allocations a malformed model asks for are reported, not treated as crashes.
export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=0
status=0
for t in onnx_loader:onnx input_json:json zkm:zkm keys:keys; do
  name="${t%%:*}"; dir="${t##*:}"
  log="$build/fuzz_$name.log"
  if "$build/fuzz_$name" -max_total_time="$secs" -rss_limit_mb=4096 -malloc_limit_mb=2048 \
       -artifact_prefix="$build/artifacts/" "$corpus/$dir" >"$log" 2>&1; then
    echo "fuzz_$name: $(grep -E '^Done' "$log" | tail -1)"
  else
    echo "fuzz_$name: CRASH (input kept in $build/artifacts/; add it to fuzz/regressions/)"
    grep -E "ERROR|SUMMARY|#[0-9]+ 0x.* in zkinfer|runtime error" "$log" | head -20
    status=1
  fi
done
# The rewrites' tests under ASan (each rewrite starts with the tensor vector at capacity: a
# reference into it held across an emission is a use after free here).
if "$build/rewrites_asan" >"$build/rewrites_asan.log" 2>&1; then
  echo "rewrites_asan: $(grep -E 'PASSED' "$build/rewrites_asan.log" | tail -1)"
else
  echo "rewrites_asan: FAILED"
  grep -E "ERROR|SUMMARY|Failure|FAILED|#[0-9]+ 0x.* in zkinfer" "$build/rewrites_asan.log" | head -20
  status=1
fi
[ $status = 0 ] && echo "fuzzing: no crash"
exit $status
