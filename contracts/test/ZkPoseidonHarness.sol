// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: ZkPoseidon (contracts/ZkPoseidon.sol) exposed to its differential test
// (tools/evm/evm_poseidon_test.cc): one uint256[] in, one uint256[] out.
pragma solidity ^0.8.24;

import {ZkPoseidon} from "../ZkPoseidon.sol";

contract ZkPoseidonHarness {
    // w = (k, s0, s1, s2): the permutation applied k times.
    function chain(uint256[] calldata w) external pure returns (uint256[] memory out) {
        uint256 a = w[1];
        uint256 b = w[2];
        uint256 c = w[3];
        for (uint256 i = 0; i < w[0]; ++i) (a, b, c) = ZkPoseidon.permute(a, b, c);
        out = new uint256[](3);
        out[0] = a;
        out[1] = b;
        out[2] = c;
    }

    // w = (a, b): circomlib's poseidon(a, b).
    function hash2(uint256[] calldata w) external pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = ZkPoseidon.hash2(w[0], w[1]);
    }
}
