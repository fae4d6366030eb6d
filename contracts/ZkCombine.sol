// SPDX-License-Identifier: UNLICENSED
// Claim combination's step routine: src/layers/combine.cc `verify_combine` in plain mode
// (docs/protocol/layers.md, section 4), transcribed: several claims f~(z_t) = v_t on one tensor
// of numVars variables become one claim f~(r) = v.
//
// Public parameter: numVars (uint256, the tensor's padded variable count; every claim's point has
// that length, else BadShape).
// Proof words from `pos` (CombineProof::serialize): none for a single claim (returned unchanged,
// the transcript untouched); else the degree-2 sumcheck's numVars rounds of 2 values and its 2
// final values (E(r), f(r)).
// Transcript (two or more claims): u64 "layers.combine.num_claims", "layers.combine.claims"
// (each point then its value), challenge "layers.combine.gamma", the sumcheck of
// sum_x (sum_t gamma^t eq(z_t, x)) f(x) = sum_t gamma^t v_t, whose factor 0 the verifier evaluates
// itself (the prover's final value must equal it).
// Returns out.x = {the combined claim}.
pragma solidity ^0.8.24;

import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCombine {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    uint256 internal constant L_NUM = uint256(bytes32("layers.combine.num_claims")) | 25;
    uint256 internal constant L_CLAIMS = uint256(bytes32("layers.combine.claims")) | 21;
    uint256 internal constant L_GAMMA = uint256(bytes32("layers.combine.gamma")) | 20;

    function verifyCombine(bytes32 st, uint256 numVars, ZkTypes.Claim[] memory claims, uint256[] calldata w, uint256 pos)
        internal
        view
        returns (ZkTypes.StepOut memory out)
    {
        uint256 nc = claims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        for (uint256 t = 0; t < nc; ++t)
            if (claims[t].point.length != numVars) revert ZkLayerUtil.BadShape();
        out.x = new ZkTypes.Claim[](1);
        if (nc == 1) {
            out.st = st;
            out.pos = pos;
            out.ok = true;
            out.x[0] = claims[0];
            return out;
        }
        st = ZkLayerUtil.absorbClaimList(st, L_NUM, L_CLAIMS, claims);
        uint256 gamma;
        (st, gamma) = ZkTranscript.challenge(st, L_GAMMA);
        uint256[] memory g = ZkLayerUtil.powers(gamma, nc);
        uint256 claim;
        for (uint256 t = 0; t < nc; ++t) claim = addmod(claim, mulmod(g[t], claims[t].value, R), R);

        uint256[] memory one = new uint256[](1);
        one[0] = 1;
        uint256 running;
        uint256[] memory point;
        (st, running, point) = ZkLayerUtil.verifyRounds2(st, numVars, one, claim, w[pos:pos + 2 * numVars]);
        pos += 2 * numVars;
        uint256[] calldata finals = w[pos:pos + 2];
        out.pos = pos + 2;
        out.st = st;
        // factor 0, E(r) = sum_t gamma^t eq(z_t, r), is the verifier's own
        uint256 e;
        for (uint256 t = 0; t < nc; ++t) e = addmod(e, mulmod(g[t], ZkLayerUtil.eqAt(claims[t].point, 0, point, 0, numVars), R), R);
        if (finals[0] != e) return out;
        if (mulmod(e, finals[1], R) != running) return out;
        out.st = ZkSumcheck.absorbFinal(st, finals);
        out.x[0].point = point;
        out.x[0].value = finals[1];
        out.ok = true;
    }
}
