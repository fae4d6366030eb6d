#!/usr/bin/env bash
# resnet18's WRAPPED proof end to end (issue 15; docs/protocol/wrap.md sections 8-9): compile in the
# default visibility (private input and weights), a wrappable kzg key over a power-22 .ptau, prove,
# verify, wrap-setup, wrap, verify-wrapped, then the wrapped contract in a real EVM
# (tools/evm/run.js): the honest calldata, and a few changed bytes (each must return false or
# revert). Figures: BENCHMARKS.md "Issue 15: session 22, wrapped contract".
#
# Usage: bench/wrap_resnet18.sh ZKINFER DIR [PTAU]
#   Without PTAU, DIR/pot22.ptau is made by `zkinfer insecure-test-ptau --power 22` (TEST ONLY,
#   INSECURE: public secrets; about 4 CPU minutes). The wrapping key is made with
#   `wrap-setup --insecure-test-setup` (TEST ONLY) unless WRAP_PTAU=file is set (a ceremony file of
#   power >= 20, prepared: its Lagrange sections make the phase 1 fast).
set -euo pipefail
Z="$(realpath "$1")"; D="$2"; mkdir -p "$D"; D="$(realpath "$D")"
root="$(cd "$(dirname "$0")/.." && pwd)"
M="${MODEL:-$root/../shared/models/resnet18}"
P="${3:-$D/pot22.ptau}"
cd "$D"
t() { /usr/bin/time -f "%e s, %M KB" "$@"; }
[ -f "$P" ] || t "$Z" insecure-test-ptau --power 22 -o "$P"
[ -f m.zkm ] || t "$Z" compile "$M/model.onnx" --calibration "$M/input.json" -o m.zkm
[ -f k/vk ] || t "$Z" setup m.zkm --backend kzg --srs "$P" --wrappable -o k
[ -f p.zkp ] || t "$Z" prove m.zkm --pk k/pk --input "$M/input.json" -o p.zkp
"$Z" verify --vk k/vk --proof p.zkp
if [ ! -f w/wrap.pk ]; then
  if [ -n "${WRAP_PTAU:-}" ]; then t "$Z" wrap-setup --vk k/vk --proof p.zkp --srs "$WRAP_PTAU" -o w
  else t "$Z" wrap-setup --vk k/vk --proof p.zkp --insecure-test-setup -o w; fi
fi
t "$Z" wrap --vk k/vk --wrap-pk w/wrap.pk --proof p.zkp -o p.wzkp --json
"$Z" verify-wrapped --vk k/vk --wrap-vk w/wrap.vk --proof p.wzkp
"$Z" create-evm-verifier --vk k/vk --wrap-vk w/wrap.vk -o R.sol --contract ResnetWrapped
"$Z" encode-evm-calldata --vk k/vk --wrap-vk w/wrap.vk --proof p.wzkp -o cd.hex
python3 - <<'PY'
h = open('cd.hex').read().strip()
b = bytearray.fromhex(h[2:])
calls = [h]
for at in [4 + 32 * 3, len(b) - 40, len(b) // 2]:  # a Groth16 word, the batch proof's witness, a commitment or op word
    c = bytearray(b); c[at] ^= 1; calls.append('0x' + c.hex())
open('calls.txt', 'w').write('\n'.join(calls) + '\n')
PY
node "$root/tools/evm/run.js" --contract ResnetWrapped --size --calls calls.txt R.sol | tee run.log
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('run.log') if l.startswith('{"success"')]
ok = rows[0]['returnData'].endswith('1') and all(not r['success'] or r['returnData'].endswith('0') for r in rows[1:])
print('honest true, changed false:', ok, '| gas', rows[0]['gasUsed'], 'tx', rows[0]['txGas'])
raise SystemExit(0 if ok else 1)
PY
