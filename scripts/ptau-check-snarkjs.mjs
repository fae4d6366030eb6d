// Checks a .ptau file's powers with snarkjs's own libraries (@iden3/binfileutils for the sections,
// ffjavascript's bn128 for the points, multi-exponentiations and pairings), the checks of
// `snarkjs powersoftau verify` on the final points (its processSection / sameRatio), which that
// command runs only after a contribution record, and a file made by `zkinfer insecure-test-ptau`
// (TEST ONLY) has none:
//   tauG1[0] and tauG2[0] the generators;
//   tauG1, alphaTauG1, betaTauG1: e(R1, [tau]_2) = e(R2, [1]_2) with R1 = sum r_i P_i,
//     R2 = sum r_i P_(i+1), r_i random 32-bit (as snarkjs);
//   tauG2: e([1]_1, R2) = e([tau]_1, R1) over the G2 powers;
//   betaG2: e(betaTauG1[0], [1]_2) = e([1]_1, betaG2).
// Usage (from a folder where snarkjs is installed, as scripts/make-test-ptau.sh does):
//   node ptau-check-snarkjs.mjs FILE.ptau     -> prints "ok" and exits 0, or names the failed check, exit 1
import * as binFileUtils from "@iden3/binfileutils";
import { buildBn128 } from "ffjavascript";
import crypto from "crypto";

const file = process.argv[2];
const curve = await buildBn128();
const { fd, sections } = await binFileUtils.readBinFile(file, "ptau", 1);
fd.pos = sections[1][0].p;
const n8 = await fd.readULE32();
await fd.read(n8);
const power = await fd.readULE32();

async function relation(id, group, nPoints) {
  const G = curve[group];
  const sG = G.F.n8 * 2;
  const CHUNK = 1 << 16;
  let R1 = G.zero, R2 = G.zero, last = null;
  const first = [];
  for (let i = 0; i < nPoints; i += CHUNK) {
    const n = Math.min(nPoints - i, CHUNK);
    const bases = await fd.read(n * sG, sections[id][0].p + i * sG);
    if (i === 0) for (let k = 0; k < Math.min(2, n); k++) first.push(G.fromRprLEM(bases, k * sG));
    if (last !== null) {  // the pair (last point of the previous chunk, first of this one)
      const r = crypto.randomBytes(4).readUInt32BE(0);
      R1 = G.add(R1, G.timesScalar(last, r));
      R2 = G.add(R2, G.timesScalar(G.fromRprLEM(bases, 0), r));
    }
    if (n > 1) {
      const scalars = new Uint8Array(crypto.randomBytes(4 * (n - 1)));
      R1 = G.add(R1, await G.multiExpAffine(bases.slice(0, (n - 1) * sG), scalars));
      R2 = G.add(R2, await G.multiExpAffine(bases.slice(sG), scalars));
    }
    last = G.fromRprLEM(bases, (n - 1) * sG);
  }
  return { R1, R2, first };
}

async function sameRatio(g1s, g1sx, g2s, g2sx) {
  return curve.pairingEq(g1s, g2sx, curve.G1.neg(g1sx), g2s);
}

function fail(why) {
  console.log("FAILED: " + why);
  process.exit(1);
}

const t1 = await relation(2, "G1", 2 ** power * 2 - 1);
const t2 = await relation(3, "G2", 2 ** power);
const a1 = await relation(4, "G1", 2 ** power);
const b1 = await relation(5, "G1", 2 ** power);
const betaG2 = curve.G2.fromRprLEM(await fd.read(curve.G2.F.n8 * 2, sections[6][0].p), 0);
const tauG2 = t2.first[1];
if (!curve.G1.eq(t1.first[0], curve.G1.g)) fail("tauG1[0] is not the generator");
if (!curve.G2.eq(t2.first[0], curve.G2.g)) fail("tauG2[0] is not the generator");
if (!(await sameRatio(t1.R1, t1.R2, curve.G2.g, tauG2))) fail("tauG1 powers do not match [tau]_2");
if (!(await sameRatio(curve.G1.g, t1.first[1], t2.R1, t2.R2))) fail("tauG2 powers do not match [tau]_1");
if (!(await sameRatio(a1.R1, a1.R2, curve.G2.g, tauG2))) fail("alphaTauG1 powers do not match [tau]_2");
if (!(await sameRatio(b1.R1, b1.R2, curve.G2.g, tauG2))) fail("betaTauG1 powers do not match [tau]_2");
if (!(await sameRatio(curve.G1.g, b1.first[0], curve.G2.g, betaG2))) fail("betaG2 does not match betaTauG1[0]");
await fd.close();
await curve.terminate();
console.log("ok: power " + power + ", every section's powers consistent (snarkjs's libraries)");
