// Generates tests/vectors/bn254_pairing.json: BN254 G2 multiples and optimal ate pairing values
// computed with the audited @noble/curves implementation (its bn254 export, the EIP-197 curve and
// the same tower as zkinfer: Fq2 = Fq[u]/(u^2+1), Fq6 = Fq2[v]/(v^3-(9+u)), Fq12 = Fq6[w]/(w^2-v)).
// Deterministic (inputs are Keccak-256 outputs of a counter, domain 'zkinfer-pairing-vectors').
//   cd tests/vectors/gen && npm ci && node gen_pairing.mjs ../bn254_pairing.json
//
// Fq12 values are written as the six Fq2 coefficients of 1, w, w^2, w^3, w^4, w^5, each
// [c0, c1] (real, imaginary) in big-endian hex. In noble's nested form {c0: Fp6, c1: Fp6},
// Fp6 = {c0, c1, c2}: w^0 = c0.c0, w^1 = c1.c0, w^2 = c0.c1, w^3 = c1.c1, w^4 = c0.c2,
// w^5 = c1.c2 (w^2 = v). G2 points are {x: [c0, c1], y: [c0, c1]}.
import { writeFileSync } from 'node:fs';
import { bn254 } from '@noble/curves/bn254.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

const r = bn254.fields.Fr.ORDER;
const G1 = bn254.G1.Point.BASE;
const G2 = bn254.G2.Point.BASE;
const hex = (v) => '0x' + v.toString(16);
const fp2 = (a) => [hex(a.c0), hex(a.c1)];
let counter = 0;
const rand = () => {
  const msg = new TextEncoder().encode('zkinfer-pairing-vectors' + counter++);
  let v = 0n;
  for (const b of keccak_256(msg)) v = (v << 8n) | BigInt(b);
  return v % r;
};
const g2json = (P) => {
  const a = P.toAffine();
  return { x: fp2(a.x), y: fp2(a.y) };
};
const fp12 = (f) => [f.c0.c0, f.c1.c0, f.c0.c1, f.c1.c1, f.c0.c2, f.c1.c2].map(fp2);

const out = { g2_mul: [], pairing: [] };
const ks = [1n, 2n, 3n, 5n, r - 1n, rand(), rand(), rand()];
for (const k of ks) out.g2_mul.push({ k: hex(k), p: g2json(G2.multiply(k)) });
const pairs = [[1n, 1n], [2n, 3n], [rand(), rand()], [rand(), rand()], [rand(), 1n]];
for (const [a, b] of pairs) {
  const P = G1.multiply(a), Q = G2.multiply(b);
  const pa = P.toAffine();
  out.pairing.push({ a: hex(a), b: hex(b), p: { x: hex(pa.x), y: hex(pa.y) }, q: g2json(Q),
                     e: fp12(bn254.pairing(P, Q)) });
}
writeFileSync(process.argv[2] ?? '../bn254_pairing.json', JSON.stringify(out, null, 1) + '\n');
