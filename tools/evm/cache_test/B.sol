// SPDX-License-Identifier: UNLICENSED
// TEST ONLY (compile_cache_test): Ext under another name, and a library that links it (B links
// ExtB, ExtB links Ext).
pragma solidity ^0.8.24;

import {Ext as E2} from "./Lib.sol";
import {SCALE} from "./Decls.sol";

library ExtB {
    function h(uint256 x) external returns (uint256) {
        uint256[] memory xs = new uint256[](2);
        xs[0] = x;
        xs[1] = E2.f(x);
        return xs[0] + xs[1];
    }
}

contract B {
    function run(uint256 x) external returns (uint256) {
        return ExtB.h(x) + E2.f(x + SCALE);
    }
}
