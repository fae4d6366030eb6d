#!/usr/bin/env bash
# resnet18 verified in the EVM (issue 15's second target: <= 3 M gas, <= 150 KB calldata):
# compile with public input and fixed weights, kzg setup over a power-22 .ptau, prove, verify
# natively, create-evm-verifier, encode-evm-calldata, run the verifier in a real EVM
# (tools/evm/run.js: every contract deployed under the 24,576-byte limit; execution and
# transaction gas), a changed proof word rejected, and a gas profile (tools/evm/profile.js).
# Each zkinfer step is its own process under an address-space cap (prlimit --as) and nice, timed
# by /usr/bin/time -v.
#
# Usage: bench/evm_resnet18.sh ZKINFER DIR [PTAU]
#   DIR: the work folder (created); PTAU: a powers-of-tau file of power >= 22. Without PTAU,
#   DIR/../test_pot22.ptau is made if missing by `zkinfer insecure-test-ptau --power 22 --unprepared`
#   (kzg reads only the powers; a prepared file, the default, adds the Lagrange sections: 3x the points)
#   (TEST ONLY, INSECURE: its secrets are public; a few CPU minutes, 1.5 GB). For real use pass a
#   ceremony file (docs/protocol/kzg.md section 2), e.g. the Hermez powersOfTau28_hez_final_22.ptau.
#   MODEL=folder (default ../shared/models/resnet18), CAP=bytes (default 8 GiB), PROFILE=0 skips
#   the profile (a few CPU minutes).
# Logs and files: DIR/{compile,setup,prove,verify,create,encode,run,profile}.{log,time}.
set -euo pipefail
zk="$(realpath "$1")"; d="$2"; mkdir -p "$d"; d="$(realpath "$d")"
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${MODEL:-$root/../shared/models/resnet18}"
cap="${CAP:-8589934592}"
ptau="${3:-$(dirname "$d")/test_pot22.ptau}"
step() {
  local name="$1"; shift
  echo "== $name: $*"
  # (node, i.e. solc-js's WebAssembly, reserves more address space than the cap: no cap for it)
  local lim=(prlimit --as="$cap")
  [ "$1" = node ] && lim=()
  if ! nice "${lim[@]}" /usr/bin/time -v "$@" >"$d/$name.log" 2>"$d/$name.time"; then
    echo "$name FAILED:"; tail -30 "$d/$name.time"; tail -5 "$d/$name.log"; exit 1
  fi
  grep -E "Elapsed|Maximum resident|User time|System time" "$d/$name.time" | sed 's/^\s*/   /'
}
uptime
if [ ! -s "$ptau" ]; then
  step ptau "$zk" insecure-test-ptau --power 22 --unprepared -o "$ptau"
fi
step compile "$zk" compile "$model/model.onnx" --calibration "$model/input.json" \
  --input-visibility public --weights-visibility fixed -o "$d/m.zkm"
rm -rf "$d/k"
step setup "$zk" setup "$d/m.zkm" --backend kzg --srs "$ptau" -o "$d/k"
step prove "$zk" prove "$d/m.zkm" --pk "$d/k/pk" --input "$model/input.json" -o "$d/p.zkp" --output "$d/out.json"
step verify "$zk" verify --vk "$d/k/vk" --proof "$d/p.zkp" --input "$model/input.json" --output "$d/out.json" --no-key-cache
sed 's/^/   /' "$d/verify.log"
step create "$zk" create-evm-verifier --vk "$d/k/vk" -o "$d/V.sol"
step encode "$zk" encode-evm-calldata --vk "$d/k/vk" --proof "$d/p.zkp" --input "$model/input.json" -o "$d/c.hex"
ls -l "$d/p.zkp" "$d/k/vk" "$d/k/pk" "$d/V.sol"
echo "calldata bytes: $(( ($(wc -c <"$d/c.hex") - 2) / 2 ))"
# The honest call, then one changed proof word (the 40th) and one changed output value (the last:
# the low bit of the packed outputs' last byte): one solc compile and deployment for the three calls.
python3 - "$d/c.hex" "$d/calls.txt" <<'PY'
import sys
h = open(sys.argv[1]).read().strip()
at = 2 + 2 * (4 + 3 * 32 + 32 + 39 * 32) + 63  # last hex digit of words[39]
bad_word = h[:at] + format(int(h[at], 16) ^ 1, "x") + h[at + 1:]
cd = bytearray(bytes.fromhex(h[2:]))
o3 = 4 + int.from_bytes(cd[4 + 64:4 + 96], "big")  # verifyProof(uint256[], bytes, bytes): the outputs
n = int.from_bytes(cd[o3:o3 + 32], "big")
cd[o3 + 32 + n - 1] ^= 1
bad_out = "0x" + cd.hex()
open(sys.argv[2], "w").write(h + "\n" + bad_word + "\n" + bad_out + "\n")
PY
step run node "$root/tools/evm/run.js" --contract ZkinferVerifier --size "$d/V.sol" --calls "$d/calls.txt"
cat "$d/run.log"
python3 - "$d/run.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sizes, calls = lines[0], lines[1:]
true = "0x" + "0" * 63 + "1"
assert max([sizes["codeSize"]] + list(sizes["libraries"].values())) <= 24576, "a contract over 24,576 bytes"
assert calls[0]["success"] and calls[0]["returnData"] == true, "the honest proof is rejected"
for what, c in zip(["a changed proof word", "a changed output"], calls[1:]):
    assert not (c["success"] and c["returnData"] == true), what + " is accepted"
print(f"honest: verified, execution gas {calls[0]['gasUsed']:,}, transaction gas {calls[0]['txGas']:,}; "
      "a changed proof word and a changed output rejected; every contract <= 24,576 bytes")
PY
if [ "${PROFILE:-1}" != 0 ]; then
  step profile node "$root/tools/evm/profile.js" --contract ZkinferVerifier --top 40 "$d/V.sol" < "$d/c.hex"
  head -80 "$d/profile.log"
fi
uptime
