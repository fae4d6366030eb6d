// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the pool step routines (contracts/ZkPool.sol) for tools/evm/evm_nonlinear_test.cc, in a
// contract of its own (code-size limit); the words in and out as ZkNonlinearHarness's.
pragma solidity ^0.8.24;

import {ZkPool} from "../ZkPool.sol";
import {ZkTypes} from "../ZkTypes.sol";
import {ZkStepCodec} from "./ZkNonlinearHarness.sol";

contract ZkPoolHarness is ZkStepCodec {
    function maxPool(uint256[] calldata w) external view returns (uint256[] memory) {
        uint256[] memory d = w;
        (ZkPool.MaxPoolParams memory p, uint256 at) = ZkPool.decodeMaxPool(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkPool.verifyMaxPool(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        return _encode(o, at + 1, g, _freeMemory() - m);
    }

    function globalAvgPool(uint256[] calldata w) external view returns (uint256[] memory) {
        uint256[] memory d = w;
        (ZkPool.GlobalAvgPoolParams memory p, uint256 at) = ZkPool.decodeGlobalAvgPool(d, 0);
        ZkTypes.Claim[] memory cl;
        (cl, at) = _claims(d, at);
        uint256 m = _freeMemory();
        uint256 g = gasleft();
        ZkTypes.StepOut memory o = ZkPool.verifyGlobalAvgPool(bytes32(w[at]), p, cl, w, at + 1);
        g -= gasleft();
        return _encode(o, at + 1, g, _freeMemory() - m);
    }
}
