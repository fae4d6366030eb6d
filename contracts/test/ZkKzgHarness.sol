// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the masked HyperKZG batch of several groups (contracts/ZkHyperKzg.sol verifyGroups)
// for the differential test (tools/evm/evm_test.cc), in a contract of its own (ZkEvmHarness is near
// the 24 KB code-size limit). One uint256[] of words in, one out.
pragma solidity ^0.8.24;

import {ZkHyperKzg} from "../ZkHyperKzg.sol";
import {ZkTranscript} from "../ZkTranscript.sol";

contract ZkKzgHarness {
    // [G, per group (n_g, count_g, z_g (n_g)), items (5 sum count_g), key (ZkHyperKzg.KEY_WORDS),
    // proof]: returns [ok, state]. The transcript starts as evm_test's ("evm-test-kzg").
    function hyperKzgGroups(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 ng = w[0];
        uint256 pos = 1;
        uint256[][] memory zs = new uint256[][](ng);
        uint256[] memory counts = new uint256[](ng);
        uint256 total;
        for (uint256 g = 0; g < ng; ++g) {
            uint256 n = w[pos];
            counts[g] = w[pos + 1];
            total += counts[g];
            zs[g] = w[pos + 2:pos + 2 + n];
            pos += 2 + n;
        }
        uint256[] memory items = w[pos:pos + 5 * total];
        pos += 5 * total;
        uint256[] memory key = w[pos:pos + ZkHyperKzg.KEY_WORDS];
        pos += ZkHyperKzg.KEY_WORDS;
        bytes32 st = ZkTranscript.init("evm-test-kzg");
        bool ok;
        (st, ok) = ZkHyperKzg.verifyGroups(st, key, zs, counts, items, w[pos:]);
        out = new uint256[](2);
        out[0] = ok ? 1 : 0;
        out[1] = uint256(st);
    }
}
