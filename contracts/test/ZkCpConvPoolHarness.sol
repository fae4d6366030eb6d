// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the convolution and the pools in zero-knowledge mode verified end to end on the EVM
// (contracts/ZkCpConv.sol, ZkCpPool.sol recording their relations, the claims on the input (conv:
// then on the kernel and the bias) and on the advice bound to Pedersen commitments, then ZkCp's end
// section) for tools/evm/evm_zk_test.cc (`EvmZk.Conv*`, `EvmZk.MaxPool*`, `EvmZk.Gap*`). The words
// in and out are ZkCpNonlinearHarness's (ZkCpNlHarnessUtil: the parameter words are the routine's,
// below); conv returns its claims on X, Wt and the bias as one list (in that order). The contract
// extends ZkCpNonlinearHarness: one compilation for evm_zk_test's layer routines.
pragma solidity ^0.8.24;

import {ZkConv} from "../ZkConv.sol";
import {ZkCp} from "../ZkCp.sol";
import {ZkCpDriver} from "../ZkCpDriver.sol";
import {ZkCpConv} from "../ZkCpConv.sol";
import {ZkCpNlHarnessUtil, ZkCpNonlinearHarness} from "./ZkCpNonlinearHarness.sol";
import {ZkCpPool} from "../ZkCpPool.sol";
import {ZkPool} from "../ZkPool.sol";
import {ZkTypes} from "../ZkTypes.sol";

// The log's room: the generated verifier's (ZkCpDriver.ROOM words an array for a step routine;
// ZkCpNlHarnessUtil's 512 is too little for a 3x3 MaxPool's gathers with two claims).
uint256 constant LOG = 1024;

// Conv's parameter words: n, c, h, w, co, kh, kw, strideH, strideW, dilH, dilW, padTop, padLeft,
// padBottom, padRight, bias (0 / 1), groups.
library ZkCpConvEntry {
    function conv(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(LOG);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        uint256[] memory q = a.params;
        ZkConv.ConvShape memory s = ZkConv.ConvShape(
            q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13], q[14], q[15] != 0, q[16]
        );
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpConv.verifyConv(st, a.z, s, a.yc, pf, a.yc.length);
        gas -= gasleft();
        // X's, Wt's, then the bias's claims as one list
        ZkTypes.ZkClaim[] memory all = new ZkTypes.ZkClaim[](o.x.length + o.w.length + o.bias.length);
        uint256 k;
        for (uint256 i = 0; i < o.x.length; ++i) all[k++] = o.x[i];
        for (uint256 i = 0; i < o.w.length; ++i) all[k++] = o.w[i];
        for (uint256 i = 0; i < o.bias.length; ++i) all[k++] = o.bias[i];
        o.x = all;
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

// MaxPool's parameter words: ZkPool.decodeMaxPool's; GlobalAveragePool's: decodeGlobalAvgPool's
// (a library each: together they pass the code-size limit).
library ZkCpMaxPoolEntry {
    function maxPool(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(LOG);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        (ZkPool.MaxPoolParams memory p,) = ZkPool.decodeMaxPool(a.params, 0);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpPool.verifyMaxPool(st, a.z, p, a.yc, pf, a.yc.length);
        gas -= gasleft();
        ZkCpDriver.roomyFor(a.z.g, LOG);  // (its log comes back trimmed, as the generated wrapper's; room for the bindings)
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

library ZkCpGapEntry {
    function gap(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(LOG);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        (ZkPool.GlobalAvgPoolParams memory p,) = ZkPool.decodeGlobalAvgPool(a.params, 0);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpPool.verifyGlobalAvgPool(st, a.z, p, a.yc, pf, a.yc.length);
        gas -= gasleft();
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

contract ZkCpConvPoolHarness is ZkCpNonlinearHarness {
    function conv(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpConvEntry.conv(w);
    }

    function maxPool(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpMaxPoolEntry.maxPool(w);
    }

    function gap(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpGapEntry.gap(w);
    }
}
