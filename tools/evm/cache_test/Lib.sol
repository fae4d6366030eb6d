// SPDX-License-Identifier: UNLICENSED
// TEST ONLY (compile_cache_test): libraries shared by A.sol and B.sol. A comment that looks like a
// unit: library Fake { function g() external {} } and an unbalanced brace {
pragma solidity ^0.8.24;

/* another one: contract Fake2 { } } */
library Ext {
    event Seen(string what);

    // a string literal with braces and quotes
    function f(uint256 x) external returns (uint256) {
        emit Seen("}{ \"library Nope {\" '");
        return Inner.twice(x) + 1;
    }

    function g(uint256[] calldata xs) public pure returns (uint256 s) {
        for (uint256 i = 0; i < xs.length; ++i) s += Inner.twice(xs[i]);
    }
}

library Inner {
    function twice(uint256 x) internal pure returns (uint256) {
        return 2 * x;
    }
}
