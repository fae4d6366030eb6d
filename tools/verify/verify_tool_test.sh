#!/bin/bash
# End-to-end test of zkinfer-verify (the verifier built without ONNX, protobuf or the prover):
# a proof made by `zkinfer` verifies (exit 0) and prints the same output as `zkinfer verify`;
# a changed proof byte is rejected (exit 1); a missing file is a usage error (exit 2).
# Usage: verify_tool_test.sh ZKINFER ZKINFER_VERIFY SOURCE_DIR
set -u
Z="$1"; V="$2"; SRC="$3"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
if ldd "$V" | grep -qi "onnx\|protobuf"; then fail "zkinfer-verify links ONNX or protobuf"; fi
"$Z" compile "$SRC/examples/mlp_digits/model.onnx" -o "$T/m.zkm" > /dev/null || fail "compile"
"$Z" setup "$T/m.zkm" -o "$T/keys" > /dev/null || fail "setup"
"$Z" prove "$T/m.zkm" --pk "$T/keys/pk" --input "$SRC/examples/mlp_digits/input.json" -o "$T/p.zkp" > /dev/null || fail "prove"
out=$("$V" "$T/keys/vk" "$T/p.zkp"); rc=$?
[ $rc -eq 0 ] || fail "honest proof: exit $rc: $out"
echo "$out" | grep -q "^valid proof" || fail "honest proof: $out"
echo "$out" | grep -q "^output 0 (scale" || fail "no output printed: $out"
python3 - "$T/p.zkp" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 1
open(p + '.bad', 'wb').write(bytes(b))
PY
out=$("$V" "$T/keys/vk" "$T/p.zkp.bad"); rc=$?
[ $rc -eq 1 ] || fail "changed proof: exit $rc (want 1): $out"
echo "$out" | grep -q "^invalid proof: " || fail "changed proof: $out"
"$V" "$T/keys/vk" "$T/missing.zkp" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "missing file: exit $rc (want 2)"
"$V" > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no arguments: exit $rc (want 2)"
echo "zkinfer-verify: honest proof accepted, changed proof rejected, bad usage refused"
