// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: ZkCpSumcheckHarness with ZkCpSumcheck.verifyWithEq (a contract of its own: code-size
// limit), for tools/evm/evm_zk_test.cc.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpSumcheck} from "../ZkCpSumcheck.sol";
import {ZkCpSumcheckBase} from "./ZkCpSumcheckHarness.sol";

contract ZkCpSumcheckEqHarness is ZkCpSumcheckBase {
    error WrongHarness();

    function _rounds(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        ZkCpSumcheck.Statement memory s,
        bool eq,
        uint256[] memory rho,
        uint256[] calldata pf
    ) internal view override returns (ZkCpSumcheck.Res memory) {
        if (!eq) revert WrongHarness();
        return ZkCpSumcheck.verifyWithEq(st, g, prm, chunks, s, rho, pf);
    }
}
