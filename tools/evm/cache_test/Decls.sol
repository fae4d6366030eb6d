// SPDX-License-Identifier: UNLICENSED
// TEST ONLY (compile_cache_test): file-level declarations (they count for every unit).
pragma solidity ^0.8.24;

struct Pair {
    uint256 a;
    uint256 b;
}

uint256 constant SCALE = 7;

function mix(Pair memory p) pure returns (uint256) {
    return p.a * SCALE + p.b;
}
