// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the non-linear step routines of contracts/ZkNonlinear.sol (pools: ZkPoolHarness.sol) for the
// differential test tools/evm/evm_nonlinear_test.cc. Entry points take one uint256[] of words and
// return one uint256[]:
//   in:  [the params' words (ZkNonlinear / ZkPool decode*), C, per claim (|z|, z..., value),
//         the transcript state before, the layer's proof words...]
//   out: [ok, state after, words consumed, |x|, per x claim (|z|, z..., value), |advice|,
//         per advice claim (id, |z|, z..., value), |lookups|, per lookup (id, numVars, tableLog),
//         the routine's gas (gasleft() around the call), the memory it allocated (bytes)]
// (the routines read the proof words in place: pos is their first word's index in the input).
pragma solidity ^0.8.24;

import {ZkNonlinear} from "../ZkNonlinear.sol";
import {ZkTypes} from "../ZkTypes.sol";

// The words in and out (shared with ZkPoolHarness).
abstract contract ZkStepCodec {
    function _claims(uint256[] memory d, uint256 at) internal pure returns (ZkTypes.Claim[] memory cl, uint256) {
        cl = new ZkTypes.Claim[](d[at++]);
        for (uint256 i = 0; i < cl.length; ++i) {
            uint256 len = d[at++];
            cl[i].point = new uint256[](len);
            for (uint256 j = 0; j < len; ++j) cl[i].point[j] = d[at++];
            cl[i].value = d[at++];
        }
        return (cl, at);
    }

    function _freeMemory() internal pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := mload(0x40)
        }
    }

    function _encode(ZkTypes.StepOut memory o, uint256 start, uint256 gasUsed, uint256 memUsed)
        internal
        pure
        returns (uint256[] memory out)
    {
        uint256 len = 8 + 3 * o.lookups.length;
        for (uint256 i = 0; i < o.x.length; ++i) len += 2 + o.x[i].point.length;
        for (uint256 i = 0; i < o.advice.length; ++i) len += 3 + o.advice[i].point.length;
        out = new uint256[](len);
        uint256 k = 0;
        out[k++] = o.ok ? 1 : 0;
        out[k++] = uint256(o.st);
        out[k++] = o.pos - start;
        out[k++] = o.x.length;
        for (uint256 i = 0; i < o.x.length; ++i) {
            uint256[] memory pt = o.x[i].point;
            out[k++] = pt.length;
            for (uint256 j = 0; j < pt.length; ++j) out[k++] = pt[j];
            out[k++] = o.x[i].value;
        }
        out[k++] = o.advice.length;
        for (uint256 i = 0; i < o.advice.length; ++i) {
            uint256[] memory pt = o.advice[i].point;
            out[k++] = o.advice[i].advice;
            out[k++] = pt.length;
            for (uint256 j = 0; j < pt.length; ++j) out[k++] = pt[j];
            out[k++] = o.advice[i].value;
        }
        out[k++] = o.lookups.length;
        for (uint256 i = 0; i < o.lookups.length; ++i) {
            out[k++] = o.lookups[i].advice;
            out[k++] = o.lookups[i].numVars;
            out[k++] = o.lookups[i].tableLog;
        }
        out[k++] = gasUsed;
        out[k] = memUsed;
    }
}

contract ZkNonlinearHarness is ZkStepCodec {
    // DigitPlan::make for bits in [b0, b1], numVars in [n0, n1]: [digitBits, numLow, lowVars,
    // topBits] per plan, bits-major.
    function plans(uint256[] calldata w) external pure returns (uint256[] memory out) {
        uint256 b0 = w[0];
        uint256 b1 = w[1];
        uint256 n0 = w[2];
        uint256 n1 = w[3];
        out = new uint256[](4 * (b1 - b0 + 1) * (n1 - n0 + 1));
        uint256 k = 0;
        for (uint256 b = b0; b <= b1; ++b) {
            for (uint256 n = n0; n <= n1; ++n) {
                ZkNonlinear.Plan memory p = ZkNonlinear.digitPlan(b, n);
                out[k++] = p.digitBits;
                out[k++] = p.numLow;
                out[k++] = p.lowVars;
                out[k++] = p.topBits;
            }
        }
    }

    function rescale(uint256[] calldata w) external view returns (uint256[] memory) {
        uint256[] memory d = w;
        (ZkNonlinear.RescaleParams memory p, uint256 at) = ZkNonlinear.decodeRescale(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkNonlinear.verifyRescale(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        return _encode(o, at + 1, g, _freeMemory() - m);
    }

    function relu(uint256[] calldata w) external view returns (uint256[] memory) {
        uint256[] memory d = w;
        (ZkNonlinear.ReluParams memory p, uint256 at) = ZkNonlinear.decodeRelu(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkNonlinear.verifyRelu(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        return _encode(o, at + 1, g, _freeMemory() - m);
    }

    function bound(uint256[] calldata w) external view returns (uint256[] memory) {
        uint256[] memory d = w;
        (ZkNonlinear.BoundParams memory p, uint256 at) = ZkNonlinear.decodeBound(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkNonlinear.verifyBound(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        return _encode(o, at + 1, g, _freeMemory() - m);
    }
}
