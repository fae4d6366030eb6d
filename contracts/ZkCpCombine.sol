// SPDX-License-Identifier: UNLICENSED
// Claim combination in zero-knowledge mode: src/layers/combine.cc `verify_combine` over cp Vals
// (docs/protocol/evm.md section 4.1.1), beside ZkCombine's plain mode. One claim passes unchanged
// (no words); several: their points absorbed (not their values: absorb_and_gamma skips derived
// values), gamma, then the sumcheck of E(x) T(x) with E(r) = sum_t gamma^t eq(z_t, r) the
// verifier's own (ZkCpSumcheck.verifyKnown0: the prover's E(r) must equal it, recorded; the
// running claim sum_t gamma^t v_t as a form). The claim on T: the sumcheck's point with factor
// 1's final value (one slot). Differentially tested by evm_zk_test (`EvmZk.Combine*`).
pragma solidity ^0.8.24;

import {ZkCombine} from "./ZkCombine.sol";
import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpCombine {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    function verifyCombine(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        uint256 numVars,
        ZkTypes.ZkClaim[] memory claims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        uint256 nc = claims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        for (uint256 t = 0; t < nc; ++t)
            if (claims[t].point.length != numVars) revert ZkLayerUtil.BadShape();
        out.x = new ZkTypes.ZkClaim[](1);
        out.st = st;
        out.pos = pos;
        out.ok = true;
        if (nc == 1) {
            out.x[0] = claims[0];
            return out;
        }
        st = ZkCpMatmul.absorbPoints(st, ZkCombine.L_NUM, ZkCombine.L_CLAIMS, claims);
        uint256 gamma;
        (st, gamma) = ZkTranscript.challenge(st, ZkCombine.L_GAMMA);
        uint256[] memory g = ZkLayerUtil.powers(gamma, nc);

        ZkCpSumcheck.Statement memory sc;
        sc.n = numVars;
        sc.nf = 2;
        sc.nterms = 1;
        sc.terms = new uint256[](4);
        sc.terms[0] = 1;
        sc.terms[1] = 2;
        sc.terms[3] = 1;
        sc.claim = ZkCpMatmul.combineForms(claims, g);
        uint256[][] memory pts = new uint256[][](nc);
        for (uint256 t = 0; t < nc; ++t) pts[t] = claims[t].point;
        ZkCpSumcheck.Res memory r = ZkCpSumcheck.verifyKnown0(st, z.g, z.prm, z.chunks, sc, pts, g, w[pos:]);
        out.ok = r.ok;
        out.st = r.st;
        out.pos = pos + r.p;
        out.x[0].point = r.point;
        out.x[0].form = ZkCpMatmul.single(r.finals + 1);
    }
}
