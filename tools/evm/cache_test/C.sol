// SPDX-License-Identifier: UNLICENSED
// TEST ONLY (compile_cache_test): A.sol over Lib2.sol (Ext's text unchanged, Inner changed); a contract with a base, an interface, a linked library and
// file-level declarations from another file.
pragma solidity ^0.8.24;

import {Ext, Inner} from "./Lib2.sol";
import {Pair, SCALE, mix} from "./Decls.sol";

interface IC {
    function run(uint256 x) external returns (uint256);
}

abstract contract Base {
    uint256 internal acc;

    function bump(uint256 x) internal virtual returns (uint256) {
        acc += x;
        return acc;
    }
}

contract C is Base, IC {
    function run(uint256 x) external returns (uint256) {
        uint256 y = Ext.f(x);
        return bump(mix(Pair(y, Inner.twice(x)))) + SCALE;
    }
}
