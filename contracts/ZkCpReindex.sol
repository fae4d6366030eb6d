// SPDX-License-Identifier: UNLICENSED
// The data-movement step routine in zero-knowledge mode: src/layers/reindex.cc `verify_reindex`
// over cp Vals (kzg pads of key version 8 and later; docs/protocol/evm.md section 9), transcribed
// beside ZkReindex's plain mode (same map, validity, groups, x point, selector and sourced target:
// ZkReindex's own functions).
//
// Differences from the plain routine, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are forms, not absorbed ("reindex.claim.num_claims", then each point);
//   - every group free: each claim moves to x at the permuted point with its form unchanged;
//   - else per claim the degree-2 sumcheck sum P(x) x(x) = v - pad (I(z) - src(z)) (a form: the
//     claim's terms, its constant shifted) is ZkCpSumcheck.verify (product of 2 over the sumcheck's
//     variables; its final check recorded), then the selector check final_0 - sel = 0 recorded;
//     the claim on x is (x's point, final_1), a form of one slot.
// Entry point as ZkCpMatmul.verifyMatmul's; a map ZkReindex refuses reverts (BadShape), as there.
// Differentially tested by evm_zk_test (`EvmZk.Reindex*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpNonlinear} from "./ZkCpNonlinear.sol";
import {ZkCpPool} from "./ZkCpPool.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkReindex} from "./ZkReindex.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpReindex {
    function verifyReindex(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkReindex.ReindexMap memory m,
        ZkTypes.ZkClaim[] memory yClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        ZkReindex.Ctx memory c = ZkReindex._ctx(m);
        uint256 nc = yClaims.length;
        for (uint256 t = 0; t < nc; ++t)
            if (yClaims[t].point.length != c.yVars) revert ZkLayerUtil.BadShape();
        (st,) = ZkCpNonlinear._absorbPoints(st, ZkReindex.L_NUM, ZkReindex.L_CLAIM, yClaims, c.yVars);
        out.x = new ZkTypes.ZkClaim[](nc);
        bool ok = true;
        for (uint256 t = 0; t < nc; ++t) {
            uint256[] memory zp = yClaims[t].point;
            if (c.sc.length == 0) {
                out.x[t] = ZkTypes.ZkClaim(ZkReindex._xPoint(m, c, zp, new uint256[](0)), yClaims[t].form);
                continue;
            }
            // v - pad (I(z) - src(z)): the claim's form, its constant shifted
            uint256[] memory target = yClaims[t].form;
            if (m.padValue != 0) {
                uint256 c0 = ZkReindex._target(m, c, ZkTypes.Claim(zp, target[0]));
                target = new uint256[](yClaims[t].form.length);
                for (uint256 k = 1; k < target.length; ++k) target[k] = yClaims[t].form[k];
                target[0] = c0;
            }
            ZkCpSumcheck.Res memory r =
                ZkCpSumcheck.verify(st, z.g, z.prm, z.chunks, ZkCpPool._product(c.sumVars, 2, target), w[pos:]);
            st = r.st;
            ok = ok && r.ok;
            pos += r.p;
            {
                // final_0 - sel = 0
                uint256[] memory f = ZkCpMatmul.single(r.finals);
                f[0] = ZkCpNonlinear._neg(ZkReindex._selector(m, c, zp, r.point));
                ZkCp.recordZero(z.g, f, 0);
            }
            out.x[t] = ZkTypes.ZkClaim(ZkReindex._xPoint(m, c, zp, r.point), ZkCpMatmul.single(r.finals + 1));
        }
        out.st = st;
        out.pos = pos;
        out.ok = ok;
    }
}
