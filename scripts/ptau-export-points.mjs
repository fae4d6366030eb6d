// Exports a few points of a .ptau file as affine decimal coordinates, decoded by snarkjs's own
// libraries (@iden3/binfileutils for the sections, ffjavascript's bn128 for the points), so that
// zkinfer's reader (src/pcs/ptau.cc) can be cross-checked against an independent decoder.
// Run by scripts/make-test-ptau.sh from the folder where it installed snarkjs.
// Usage: node ptau-export-points.mjs FILE.ptau OUT.json
import * as binFileUtils from "@iden3/binfileutils";
import { buildBn128 } from "ffjavascript";
import fs from "fs";

const [file, out] = process.argv.slice(2);
const curve = await buildBn128();
const { fd, sections } = await binFileUtils.readBinFile(file, "ptau", 1);
fd.pos = sections[1][0].p;
const n8 = await fd.readULE32();
await fd.read(n8);
const power = await fd.readULE32();
const ceremonyPower = await fd.readULE32();

async function points(sectionId, group, count, picks) {
  const G = curve[group];
  const size = G.F.n8 * 2;
  const res = [];
  for (const i of picks) {
    if (i >= count) continue;
    const buff = await fd.read(size, sections[sectionId][0].p + i * size);
    const [x, y] = G.toObject(G.fromRprLEM(buff, 0));
    const enc = (v) => (Array.isArray(v) ? v.map((c) => c.toString()) : v.toString());
    res.push({ i, x: enc(x), y: enc(y) });
  }
  return res;
}
const n1 = 2 ** power * 2 - 1, n2 = 2 ** power;
const picks = (n) => [0, 1, 2, 3, 100, n - 1];
const result = {
  comment: "TEST ONLY. Affine points of the .ptau file next to this one, decoded by snarkjs's libraries (decimal; G2 coordinates [c0, c1])",
  power, ceremonyPower,
  tauG1: await points(2, "G1", n1, picks(n1)),
  tauG2: await points(3, "G2", n2, picks(n2)),
  alphaTauG1: await points(4, "G1", n2, picks(n2)),
  betaTauG1: await points(5, "G1", n2, picks(n2)),
  betaG2: await points(6, "G2", 1, [0]),
};
await fd.close();
fs.writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
await curve.terminate();
