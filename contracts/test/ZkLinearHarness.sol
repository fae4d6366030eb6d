// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the linear layers' step routines (contracts/ZkMatmul.sol, ZkConv.sol, ZkCombine.sol) for the
// differential test tools/evm/evm_layers_test.cc. Entry points take one uint256[] of words: the
// shape, the claims on the output (count; per claim |point|, point, value), the transcript state
// before, then the proof words, which the routine reads in place (its `pos` is the index of the
// first proof word). They return [ok, state after, pos after, x claims, w claims, bias claims, gas]
// (each claim list: count; per claim |point|, point, value; gas: what the routine's call used,
// measured by gasleft() around it).
pragma solidity ^0.8.24;

import {ZkCombine} from "../ZkCombine.sol";
import {ZkConv} from "../ZkConv.sol";
import {ZkMatmul} from "../ZkMatmul.sol";
import {ZkTypes} from "../ZkTypes.sol";

contract ZkLinearHarness {
    function _claims(uint256[] calldata w, uint256 pos) internal pure returns (ZkTypes.Claim[] memory c, uint256) {
        uint256 nc = w[pos++];
        c = new ZkTypes.Claim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            uint256 len = w[pos++];
            c[t].point = w[pos:pos + len];
            c[t].value = w[pos + len];
            pos += len + 1;
        }
        return (c, pos);
    }

    function _size(ZkTypes.Claim[] memory c) internal pure returns (uint256 n) {
        n = 1;
        for (uint256 t = 0; t < c.length; ++t) n += 2 + c[t].point.length;
    }

    function _put(uint256[] memory out, uint256 k, ZkTypes.Claim[] memory c) internal pure returns (uint256) {
        out[k++] = c.length;
        for (uint256 t = 0; t < c.length; ++t) {
            out[k++] = c[t].point.length;
            for (uint256 i = 0; i < c[t].point.length; ++i) out[k++] = c[t].point[i];
            out[k++] = c[t].value;
        }
        return k;
    }

    function _emit(ZkTypes.StepOut memory o, uint256 gas) internal pure returns (uint256[] memory out) {
        out = new uint256[](4 + _size(o.x) + _size(o.w) + _size(o.bias));
        out[out.length - 1] = gas;
        out[0] = o.ok ? 1 : 0;
        out[1] = uint256(o.st);
        out[2] = o.pos;
        uint256 k = _put(out, 3, o.x);
        k = _put(out, k, o.w);
        _put(out, k, o.bias);
    }

    // [|batch|, batch.., m, k, n, flags (bit 0 transA, 1 transB, 2 bias, 3 biasBatch, 4 biasRows,
    // 5 biasCols), claims, state, proof]
    function matmul(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkMatmul.MatmulShape memory s;
        uint256 nb = w[0];
        s.batch = w[1:1 + nb];
        uint256 pos = 1 + nb;
        s.m = w[pos];
        s.k = w[pos + 1];
        s.n = w[pos + 2];
        uint256 f = w[pos + 3];
        s.transA = f & 1 != 0;
        s.transB = f & 2 != 0;
        s.bias = f & 4 != 0;
        s.biasBatch = f & 8 != 0;
        s.biasRows = f & 16 != 0;
        s.biasCols = f & 32 != 0;
        ZkTypes.Claim[] memory c;
        (c, pos) = _claims(w, pos + 4);
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkMatmul.verifyMatmul(bytes32(w[pos]), s, c, w, pos + 1);
        return _emit(o, g - gasleft());
    }

    // [numVars, claims, state, proof]
    function combine(uint256[] calldata w) external view returns (uint256[] memory) {
        (ZkTypes.Claim[] memory c, uint256 pos) = _claims(w, 1);
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkCombine.verifyCombine(bytes32(w[pos]), w[0], c, w, pos + 1);
        return _emit(o, g - gasleft());
    }

    // [n, c, h, w, co, kh, kw, strideH, strideW, dilH, dilW, padTop, padLeft, padBottom, padRight,
    // bias, groups, claims, state, proof]
    function conv(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkConv.ConvShape memory s = ZkConv.ConvShape(
            w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15] != 0, w[16]
        );
        (ZkTypes.Claim[] memory c, uint256 pos) = _claims(w, 17);
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkConv.verifyConv(bytes32(w[pos]), s, c, w, pos + 1);
        return _emit(o, g - gasleft());
    }
}
