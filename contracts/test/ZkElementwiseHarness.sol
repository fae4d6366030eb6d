// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the elementwise step routine (contracts/ZkElementwise.sol) for the differential test
// tools/evm/evm_elementwise_test.cc.
//   in:  [the params' words (ZkElementwise.decodeElementwise), C, per claim (|z|, z..., value),
//         the transcript state before, the layer's proof words...]
//   out: [ok, state after, words consumed, then three claim lists (x: on a, w: on b, bias: on c;
//         each: count, per claim (|z|, z..., value)), |advice|, per advice claim (id, |z|, z...,
//         value), |lookups|, per lookup (id, numVars, tableLog), the routine's gas, the memory it
//         allocated (bytes)]
pragma solidity ^0.8.24;

import {ZkElementwise} from "../ZkElementwise.sol";
import {ZkTypes} from "../ZkTypes.sol";
import {ZkStepCodec} from "./ZkNonlinearHarness.sol";

contract ZkElementwiseHarness is ZkStepCodec {
    function _size(ZkTypes.Claim[] memory c) private pure returns (uint256 n) {
        n = 1;
        for (uint256 t = 0; t < c.length; ++t) n += 2 + c[t].point.length;
    }

    function _put(uint256[] memory out, uint256 k, ZkTypes.Claim[] memory c) private pure returns (uint256) {
        out[k++] = c.length;
        for (uint256 t = 0; t < c.length; ++t) {
            out[k++] = c[t].point.length;
            for (uint256 i = 0; i < c[t].point.length; ++i) out[k++] = c[t].point[i];
            out[k++] = c[t].value;
        }
        return k;
    }

    function elementwise(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256[] memory d = w;
        (ZkElementwise.ElementwiseParams memory p, uint256 at) = ZkElementwise.decodeElementwise(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkElementwise.verifyElementwise(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        m = _freeMemory() - m;
        // The x, w and bias lists, then _encode's words from its advice on (its x list empty).
        uint256[] memory rest;
        {
            ZkTypes.Claim[] memory x = o.x;
            o.x = new ZkTypes.Claim[](0);
            rest = _encode(o, at + 1, g, m);
            o.x = x;
        }
        out = new uint256[](rest.length + _size(o.x) + _size(o.w) + _size(o.bias) - 1);
        out[0] = rest[0];
        out[1] = rest[1];
        out[2] = rest[2];
        uint256 k = _put(out, 3, o.x);
        k = _put(out, k, o.w);
        k = _put(out, k, o.bias);
        for (uint256 i = 4; i < rest.length; ++i) out[k++] = rest[i];
    }
}
