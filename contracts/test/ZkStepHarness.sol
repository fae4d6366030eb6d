// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the verifier's step routines (contracts/ZkLogup.sol, contracts/ZkReduction.sol) for the
// differential test (tools/evm/evm_test.cc), in a contract of its own (ZkEvmHarness is near the
// 24 KB code-size limit). Entry points take one uint256[] of words and return one uint256[]; the statement (the
// transcript state before, the shapes) comes from the caller.
pragma solidity ^0.8.24;

import {ZkLogup} from "../ZkLogup.sol";
import {ZkReduction} from "../ZkReduction.sol";

contract ZkStepHarness {
    // The fraction GKR: [n, k, the transcript state before (after alpha), proof
    // (ZkLogup.proofWords(n, k))]: returns [ok, witnessUnit, witnessP, witnessQ, tableP, tableQ,
    // witness point (n), table point (k), state].
    function logupFractions(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 n = w[0];
        uint256 k = w[1];
        (bytes32 st, bool ok, ZkLogup.Leaves memory res) = ZkLogup.verifyFractions(bytes32(w[2]), n, k, w[3:]);
        out = new uint256[](7 + n + k);
        out[0] = ok ? 1 : 0;
        if (ok) {
            out[1] = res.witnessUnit ? 1 : 0;
            out[2] = res.witnessP;
            out[3] = res.witnessQ;
            out[4] = res.tableP;
            out[5] = res.tableQ;
            for (uint256 i = 0; i < n; ++i) out[6 + i] = res.witnessPoint[i];
            for (uint256 i = 0; i < k; ++i) out[6 + n + i] = res.tablePoint[i];
        }
        out[6 + n + k] = uint256(st);
    }

    // A batch of range lookups: [T, k_0..k_{T-1}, S, (table, n) per segment, the transcript state
    // before (after the multiplicities' commitments), proof]: returns [ok, N, witness point (N), K,
    // table point (K), state] (the points empty when rejected).
    function logupRangeBatch(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkLogup.RangeBatch memory b;
        uint256 nt = w[0];
        b.tableLogs = w[1:1 + nt];
        uint256 ns = w[1 + nt];
        uint256 pos = 2 + nt;
        b.segTable = new uint256[](ns);
        b.segVars = new uint256[](ns);
        for (uint256 e = 0; e < ns; ++e) {
            b.segTable[e] = w[pos + 2 * e];
            b.segVars[e] = w[pos + 2 * e + 1];
        }
        pos += 2 * ns;
        (bytes32 st, bool ok, ZkLogup.BatchClaims memory c) = ZkLogup.verifyRangeBatch(bytes32(w[pos]), b, w[pos + 1:]);
        uint256 n = c.witnessPoint.length;
        uint256 k = c.tablePoint.length;
        out = new uint256[](4 + n + k);
        out[0] = ok ? 1 : 0;
        out[1] = n;
        for (uint256 i = 0; i < n; ++i) out[2 + i] = c.witnessPoint[i];
        out[2 + n] = k;
        for (uint256 i = 0; i < k; ++i) out[3 + n + i] = c.tablePoint[i];
        out[3 + n + k] = uint256(st);
    }

    // The opening reduction: [K, n_0..n_{K-1}, C, per claim (com, |z|, z, value), the transcript
    // state before, proof (2 N rounds' values, K evaluations)]: returns [ok, rho (N), state].
    function reduction(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 k = w[0];
        uint256[] memory numVars = w[1:1 + k];
        uint256 nc = w[1 + k];
        uint256 pos = 2 + k;
        ZkReduction.Claim[] memory claims = new ZkReduction.Claim[](nc);
        for (uint256 i = 0; i < nc; ++i) {
            claims[i].com = w[pos];
            uint256 len = w[pos + 1];
            claims[i].point = w[pos + 2:pos + 2 + len];
            claims[i].value = w[pos + 2 + len];
            pos += 3 + len;
        }
        (bytes32 st, bool ok, uint256[] memory rho) = ZkReduction.verifyReduction(bytes32(w[pos]), numVars, claims, w[pos + 1:]);
        out = new uint256[](2 + rho.length);
        out[0] = ok ? 1 : 0;
        for (uint256 j = 0; j < rho.length; ++j) out[1 + j] = rho[j];
        out[1 + rho.length] = uint256(st);
    }
}
