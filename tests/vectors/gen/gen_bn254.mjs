// Generates tests/vectors/bn254.json: BN254 field, G1 and MSM vectors computed with the audited
// @noble/curves implementation (and @noble/hashes' Keccak-256 for zkinfer's hash-to-curve and
// point encoding, re-implemented here from the specification in src/curve/hash_to_curve.h and
// src/curve/g1.h). Deterministic: the "random" inputs are Keccak-256 outputs of a counter, so
// rerunning gives the same file.
//   cd tests/vectors/gen && npm ci && node gen_bn254.mjs ../bn254.json
import { writeFileSync } from 'node:fs';
import { bn254 } from '@noble/curves/bn254.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { keccak_256 } from '@noble/hashes/sha3.js';

const Fp = bn254.fields.Fp;
const Fr = bn254.fields.Fr;
const q = Fp.ORDER;
const r = Fr.ORDER;
const G = bn254.G1.Point.BASE;
const Zero = bn254.G1.Point.ZERO;

const hex = (v) => '0x' + v.toString(16);
const bytesHex = (b) => Buffer.from(b).toString('hex');
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const leInt = (b) => {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
};
const leBytes = (v, n) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};
const utf8 = (s) => new TextEncoder().encode(s);

// Deterministic stream of 256-bit integers.
let counter = 0;
const rand256 = () => leInt(keccak_256(concat(utf8('zkinfer-test-vectors'), leBytes(BigInt(counter++), 8))));
const randBelow = (m) => (rand256() | (rand256() << 256n)) % m;
const randBits = (bits) => rand256() & ((1n << BigInt(bits)) - 1n);

const pointJson = (P) => {
  if (P.equals(Zero)) return null;
  const a = P.toAffine();
  return { x: hex(a.x), y: hex(a.y) };
};

// zkinfer's compressed encoding (src/curve/g1.h): little-endian x, bit 255 = y odd,
// bit 254 = identity (all other bits zero).
const encode = (P) => {
  if (P.equals(Zero)) {
    const b = new Uint8Array(32);
    b[31] = 0x40;
    return b;
  }
  const a = P.toAffine();
  const b = leBytes(a.x, 32);
  if (a.y & 1n) b[31] |= 0x80;
  return b;
};

// zkinfer's hash-to-curve (src/curve/hash_to_curve.h), re-implemented from its specification.
const hashToCurve = (domain, msg) => {
  const d = utf8(domain);
  const prefix = concat(utf8('zkinfer/bn254/g1/hash-to-curve/v1'), leBytes(BigInt(d.length), 8), d,
                        leBytes(BigInt(msg.length), 8), msg);
  for (let ctr = 0n; ; ctr++) {
    const s = concat(prefix, leBytes(ctr, 4));
    const b0 = keccak_256(concat(s, Uint8Array.of(0)));
    const b1 = keccak_256(concat(s, Uint8Array.of(1)));
    const x = leInt(concat(b0, b1)) % q;
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 3n);
    let y;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      continue;
    }
    if (Fp.sqr(y) !== rhs) continue;
    const wantOdd = BigInt(keccak_256(concat(s, Uint8Array.of(2)))[0] & 1);
    if ((y & 1n) !== wantOdd) y = Fp.neg(y);
    const P = bn254.G1.Point.fromAffine({ x, y });
    P.assertValidity();
    return P;
  }
};

const edge = (m) => [0n, 1n, 2n, m - 1n, m - 2n, (m - 1n) / 2n, (m + 1n) / 2n, 1n << 128n, (1n << 253n) % m];

const fieldVectors = (F, m, withSqrt) => {
  const mul = [], inv = [], sqrt = [];
  const vals = [...edge(m)];
  for (let i = 0; i < 40; i++) vals.push(randBelow(m));
  for (let i = 0; i < vals.length; i++) {
    const a = vals[i], b = vals[(i * 7 + 3) % vals.length];
    mul.push({ a: hex(a), b: hex(b), ab: hex(F.mul(a, b)) });
    if (a !== 0n) inv.push({ a: hex(a), inv: hex(F.inv(a)) });
    if (withSqrt) {
      let root = null;
      try {
        root = F.sqrt(a);
        if (F.sqr(root) !== a) root = null;
      } catch {
        root = null;
      }
      sqrt.push({ a: hex(a), root: root === null ? null : hex(root) });
    }
  }
  return withSqrt ? { mul, inv, sqrt } : { mul, inv };
};

const out = {
  generator: 'tests/vectors/gen/gen_bn254.mjs with @noble/curves 2.4.0 and @noble/hashes 2.4.0',
  q: hex(q),
  r: hex(r),
};
out.fr = fieldVectors(Fr, r, false);
out.fq = fieldVectors(Fp, q, true);

// Scalar multiples of the generator.
const gScalars = [0n, 1n, 2n, 3n, 7n, 255n, 256n, r - 1n, r - 2n, (r - 1n) / 2n, (r + 1n) / 2n, 1n << 64n,
                  (1n << 64n) - 1n, 1n << 200n];
for (let i = 0; i < 12; i++) gScalars.push(randBelow(r));
out.g1_mul_generator = gScalars.map((k) => ({ k: hex(k), p: pointJson(k === 0n ? Zero : G.multiply(k)) }));

// Scalar multiples of other points (P = s G for a random s, so it is on the curve).
const randPoint = () => G.multiply(1n + randBelow(r - 1n));
out.g1_mul = [];
for (let i = 0; i < 16; i++) {
  const P = randPoint();
  const k = i < 4 ? [1n, 2n, r - 1n, randBits(16)][i] : randBelow(r);
  out.g1_mul.push({ p: pointJson(P), k: hex(k), kp: pointJson(P.multiply(k)) });
}

// Additions, including doubling, inverses and the identity.
out.g1_add = [];
for (let i = 0; i < 16; i++) {
  const P = randPoint();
  let Q;
  if (i === 0) Q = P;
  else if (i === 1) Q = P.negate();
  else if (i === 2) Q = Zero;
  else Q = randPoint();
  out.g1_add.push({ p: pointJson(P), q: pointJson(Q), sum: pointJson(P.add(Q)) });
}

// Encodings (zkinfer's format) of a few points and the identity.
out.g1_encoding = [Zero, G, G.negate(), randPoint(), randPoint(), randPoint(), randPoint()].map((P) => ({
  p: pointJson(P),
  bytes: bytesHex(encode(P)),
}));

// MSMs: full-width scalars and small signed ones (given as decimal int64 strings too).
const msmCase = (n, scalarOf) => {
  const points = [], scalars = [];
  for (let i = 0; i < n; i++) {
    points.push(i % 5 === 4 ? points[i - 1] : randPoint());  // some repeated bases
    scalars.push(scalarOf(i));
  }
  const frScalars = scalars.map((s) => ((s % r) + r) % r);
  const res = pippenger(bn254.G1.Point, points, frScalars);
  let naive = Zero;
  for (let i = 0; i < n; i++) if (frScalars[i] !== 0n) naive = naive.add(points[i].multiply(frScalars[i]));
  if (!naive.equals(res)) throw new Error('noble pippenger disagrees with the naive sum');
  return {
    points: points.map(pointJson),
    scalars: scalars.map((s) => s.toString()),
    result: pointJson(res),
  };
};
out.msm = [
  msmCase(20, () => randBelow(r)),
  msmCase(33, (i) => (i % 3 === 0 ? 0n : randBits(254) % r)),
  msmCase(40, (i) => (randBits(16) - (1n << 15n))),  // signed 16-bit
  msmCase(40, (i) => (randBits(33) - (1n << 32n))),  // signed 33-bit
];

// zkinfer's hash-to-curve.
const h2c = [
  ['zkinfer/test', new Uint8Array(0)],
  ['zkinfer/test', utf8('abc')],
  ['', utf8('abc')],
  ['zkinfer/test2', utf8('abc')],
];
for (let i = 0; i < 6; i++) h2c.push(['zkinfer/generators', leBytes(BigInt(i), 8)]);
out.hash_to_curve = h2c.map(([domain, msg]) => ({ domain, msg: bytesHex(msg), p: pointJson(hashToCurve(domain, msg)) }));

writeFileSync(process.argv[2] ?? '../bn254.json', JSON.stringify(out, null, 1) + '\n');
