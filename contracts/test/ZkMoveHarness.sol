// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the data-movement step routine (contracts/ZkReindex.sol) for the differential test
// tools/evm/evm_layers_test.cc, in a contract of its own (ZkLinearHarness is near the 24 KB
// code-size limit). The entry point takes one uint256[] of words: the map, the claims on y (count;
// per claim |point|, point, value), the transcript state before, then the proof words, which the
// routine reads in place. It returns [ok, state after, pos after, x claims (count; per claim
// |point|, point, value), 0, 0 (no w or bias claims), gas (the routine's call, by gasleft())].
pragma solidity ^0.8.24;

import {ZkReindex} from "../ZkReindex.sol";
import {ZkTypes} from "../ZkTypes.sol";

contract ZkMoveHarness {
    function _list(uint256[] calldata w, uint256 pos) internal pure returns (uint256[] memory v, uint256) {
        uint256 n = w[pos];
        v = w[pos + 1:pos + 1 + n];
        return (v, pos + 1 + n);
    }

    // [|xDims|, xDims, |yDims|, yDims, |groups|, per group (|yAxes|, yAxes, |xAxes|, xAxes, kind:
    // 0 map, 1 identity, 2 iota, |map|, map as int256), padValue (int256), claims, state, proof]
    function reindex(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkReindex.ReindexMap memory m;
        uint256 pos;
        (m.xDims, pos) = _list(w, 0);
        (m.yDims, pos) = _list(w, pos);
        uint256 ng = w[pos++];
        m.groups = new ZkReindex.ReindexGroup[](ng);
        for (uint256 g = 0; g < ng; ++g) {
            ZkReindex.ReindexGroup memory gr = m.groups[g];
            (gr.yAxes, pos) = _list(w, pos);
            (gr.xAxes, pos) = _list(w, pos);
            uint256 kind = w[pos++];
            gr.identity = kind == 1;
            gr.iota = kind == 2;
            uint256 n = w[pos++];
            gr.map = new int256[](n);
            for (uint256 t = 0; t < n; ++t) gr.map[t] = int256(w[pos + t]);
            pos += n;
        }
        m.padValue = int256(w[pos++]);
        uint256 nc = w[pos++];
        ZkTypes.Claim[] memory c = new ZkTypes.Claim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            uint256 len = w[pos++];
            c[t].point = w[pos:pos + len];
            c[t].value = w[pos + len];
            pos += len + 1;
        }
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkReindex.verifyReindex(bytes32(w[pos]), m, c, w, pos + 1);
        g -= gasleft();
        uint256 size = 4;
        for (uint256 t = 0; t < o.x.length; ++t) size += 2 + o.x[t].point.length;
        out = new uint256[](size + 3);
        out[0] = o.ok ? 1 : 0;
        out[1] = uint256(o.st);
        out[2] = o.pos;
        out[3] = o.x.length;
        uint256 k = 4;
        for (uint256 t = 0; t < o.x.length; ++t) {
            out[k++] = o.x[t].point.length;
            for (uint256 i = 0; i < o.x[t].point.length; ++i) out[k++] = o.x[t].point[i];
            out[k++] = o.x[t].value;
        }
        // empty w and bias claim lists, as ZkLinearHarness returns them
        out[k++] = 0;
        out[k++] = 0;
        out[k] = g;
    }
}
