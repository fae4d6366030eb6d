// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the elementwise and data-movement routines in zero-knowledge mode verified end to end
// on the EVM (contracts/ZkCpElementwise.sol, ZkCpReindex.sol recording their relations, the claims
// on the inputs and on the advice bound to Pedersen commitments, then ZkCp's end section) for
// tools/evm/evm_zk_test.cc (`EvmZk.Elementwise*`, `EvmZk.Reindex*`). The words in and out are
// ZkCpNonlinearHarness's (ZkCpNlHarnessUtil); the parameter words are below. elementwise returns
// its claims on a, b and c as one list (in that order). constClaims (session 19): Neg's claims
// negated (ZkCpDriver.negate) and a step's public constants (ZkCpDriver.checkPublicClaims: the
// claims against the constant's padded MLE, equalities recorded) for `EvmZk.Const*`. The contract
// extends ZkCpConvPoolHarness: one compilation for evm_zk_test's layer routines.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpConvPoolHarness} from "./ZkCpConvPoolHarness.sol";
import {ZkCpDriver} from "../ZkCpDriver.sol";
import {ZkCpElementwise} from "../ZkCpElementwise.sol";
import {ZkCpNlHarnessUtil} from "./ZkCpNonlinearHarness.sol";
import {ZkCpReindex} from "../ZkCpReindex.sol";
import {ZkElementwise} from "../ZkElementwise.sol";
import {ZkReindex} from "../ZkReindex.sol";
import {ZkTypes} from "../ZkTypes.sol";

library ZkCpElemHarnessUtil {
    function list(uint256[] memory w, uint256 pos) internal pure returns (uint256[] memory v, uint256) {
        uint256 n = w[pos];
        v = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) v[i] = w[pos + 1 + i];
        return (v, pos + 1 + n);
    }
}

// Elementwise's parameter words: [op, ea, eb, shift + 64, outBits, |dims|, dims, |aDims|, aDims,
// |bDims|, bDims, |cDims|, cDims].
library ZkCpElementwiseEntry {
    function elementwise(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(1024);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        uint256[] memory q = a.params;
        ZkElementwise.ElementwiseParams memory p;
        p.op = q[0];
        p.ea = q[1];
        p.eb = q[2];
        p.shift = int256(q[3]) - 64;
        p.outBits = q[4];
        uint256 at = 5;
        (p.dims, at) = ZkCpElemHarnessUtil.list(q, at);
        (p.aDims, at) = ZkCpElemHarnessUtil.list(q, at);
        (p.bDims, at) = ZkCpElemHarnessUtil.list(q, at);
        (p.cDims, at) = ZkCpElemHarnessUtil.list(q, at);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpElementwise.verifyElementwise(st, a.z, p, a.yc, pf, a.yc.length);
        gas -= gasleft();
        ZkTypes.ZkClaim[] memory all = new ZkTypes.ZkClaim[](o.x.length + o.w.length + o.bias.length);
        uint256 k;
        for (uint256 i = 0; i < o.x.length; ++i) all[k++] = o.x[i];
        for (uint256 i = 0; i < o.w.length; ++i) all[k++] = o.w[i];
        for (uint256 i = 0; i < o.bias.length; ++i) all[k++] = o.bias[i];
        o.x = all;
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

// Reindex's parameter words: [|xDims|, xDims, |yDims|, yDims, |groups|, per group (|yAxes|, yAxes,
// |xAxes|, xAxes, kind: 0 map, 1 identity, 2 iota, |map|, map entries + 1), padValue + 2^62].
library ZkCpReindexEntry {
    function reindex(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(1024);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        ZkReindex.ReindexMap memory m = _map(a.params);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpReindex.verifyReindex(st, a.z, m, a.yc, pf, a.yc.length);
        gas -= gasleft();
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }

    function _map(uint256[] memory q) private pure returns (ZkReindex.ReindexMap memory m) {
        uint256 pos;
        (m.xDims, pos) = ZkCpElemHarnessUtil.list(q, 0);
        (m.yDims, pos) = ZkCpElemHarnessUtil.list(q, pos);
        uint256 ng = q[pos++];
        m.groups = new ZkReindex.ReindexGroup[](ng);
        for (uint256 g = 0; g < ng; ++g) {
            ZkReindex.ReindexGroup memory gr = m.groups[g];
            (gr.yAxes, pos) = ZkCpElemHarnessUtil.list(q, pos);
            (gr.xAxes, pos) = ZkCpElemHarnessUtil.list(q, pos);
            uint256 kind = q[pos++];
            gr.identity = kind == 1;
            gr.iota = kind == 2;
            uint256 n = q[pos++];
            gr.map = new int256[](n);
            for (uint256 t = 0; t < n; ++t) gr.map[t] = int256(q[pos + t]) - 1;
            pos += n;
        }
        m.padValue = int256(q[pos]) - int256(uint256(1) << 62);
    }
}

// constClaims' parameter words: [mode (1: negate the claims, 2: check them against the constant,
// 3: both, negated first), |dims|, dims, the constant's values + 2^62 (row-major)]. Returns the
// claims left (negated, or none when checked).
library ZkCpConstEntry {
    function constClaims(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        a.z.g = ZkCp.newLog(1024);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        (ZkTypes.ZkStepOut memory o, uint256 gas) = _run(a, st);
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }

    // (its own function: the entry's stack)
    function _run(ZkCpNlHarnessUtil.In memory a, bytes32 st) private view returns (ZkTypes.ZkStepOut memory o, uint256 gas) {
        uint256[] memory q = a.params;
        (uint256[] memory dims, uint256 at) = ZkCpElemHarnessUtil.list(q, 1);
        int256[] memory v = new int256[](q.length - at);
        for (uint256 i = 0; i < v.length; ++i) v[i] = int256(q[at + i]) - int256(uint256(1) << 62);
        o.st = st;
        o.pos = a.yc.length;
        o.ok = true;
        gas = gasleft();
        ZkTypes.ZkClaim[] memory cl = a.yc;
        if (q[0] & 1 != 0) ZkCpDriver.negate(cl);
        if (q[0] & 2 != 0) {
            o.ok = ZkCpDriver.checkPublicClaims(a.z.g, cl, v, dims);
            cl = new ZkTypes.ZkClaim[](0);
        }
        gas -= gasleft();
        o.x = cl;
    }
}

contract ZkCpElemHarness is ZkCpConvPoolHarness {
    function constClaims(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpConstEntry.constClaims(w);
    }

    function elementwise(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpElementwiseEntry.elementwise(w);
    }

    function reindex(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpReindexEntry.reindex(w);
    }
}
