// SPDX-License-Identifier: UNLICENSED
// The opening reduction in zero-knowledge mode: src/pcs/reduced_opening.cc `verify_reduction`
// over cp Vals (docs/protocol/evm.md section 4.1.1), beside ZkReduction's plain mode. Same
// transcript except that every round value and evaluation is a padded message (ZkCp.absorbMessages:
// p(0) and p(2) absorbed one at a time, "open.reduce.p0" / "open.reduce.p2", then each F_c,
// "open.reduce.eval"). The claims' values are sparse forms; the running claim is a form
// a * (sum_i beta^i v_i) + sum_j c_j x_j over the rounds' slots (p(1) = claim - p(0): round j
// multiplies everything by L_1(r_j) and gives p(0) the coefficient L_0 - L_1, p(2) L_2); the final
// check (claim - sum_c F_c E_c(rho) prod_{j >= n_c} (1 - rho_j)^2 = 0) is recorded, not decided.
// The F_c are the slots evals0 + c, what the caller binds to Pedersen commitments for the HyperKZG
// batch. Differentially tested by evm_zk_test (`EvmZk.Reduction*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkReduction} from "./ZkReduction.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpReduction {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant INV2 = 10944121435919637611123202872628637544274182200208017171849102093287904247809;

    struct Res {
        bytes32 st;
        bool ok;      // false: a pad chunk missing from the header
        uint256 p;    // words read
        uint256[] rho;
        uint256 evals0;  // F_c's slot: evals0 + c
    }

    // numVars[c] = n_c; coms[i] the commitment claim i is on; proof words from pf[0]: N rounds of
    // (p(0), p(2)), then the K evaluations.
    function verifyReduction(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        uint256[] memory numVars,
        uint256[] memory coms,
        ZkTypes.ZkClaim[] memory claims,
        uint256[] calldata pf
    ) internal view returns (Res memory o) {
        uint256 k = numVars.length;
        if (k == 0) revert ZkReduction.BadShape();
        uint256 n;
        for (uint256 c = 0; c < k; ++c) {
            if (numVars[c] > ZkReduction.MAX_NUM_VARS) revert ZkReduction.BadShape();
            if (numVars[c] > n) n = numVars[c];
        }
        if (coms.length != claims.length) revert ZkReduction.BadShape();
        {
            // claims_problem: every claim on a commitment, of its length; every commitment claimed
            bool[] memory seen = new bool[](k);
            for (uint256 i = 0; i < claims.length; ++i) {
                if (coms[i] >= k || claims[i].point.length != numVars[coms[i]]) revert ZkReduction.BadShape();
                seen[coms[i]] = true;
            }
            for (uint256 c = 0; c < k; ++c) if (!seen[c]) revert ZkReduction.BadShape();
        }
        st = ZkTranscript.absorbU64(st, ZkReduction.L_N, uint64(n));
        uint256 beta;
        (st, beta) = ZkTranscript.challenge(st, ZkReduction.L_BETA);
        uint256[] memory betas = new uint256[](claims.length);
        {
            uint256 b = 1;
            for (uint256 i = 0; i < claims.length; ++i) {
                betas[i] = b;
                b = mulmod(b, beta, R);
            }
        }
        o.ok = true;
        o.rho = new uint256[](n);
        uint256 s0 = z.g.ns;
        uint256 a = 1;
        uint256[] memory cf = new uint256[](2 * n);
        bool okc;
        for (uint256 j = 0; j < n; ++j) {
            (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkReduction.L_P0, pf[2 * j:2 * j + 1]);
            o.ok = o.ok && okc;
            (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkReduction.L_P2, pf[2 * j + 1:2 * j + 2]);
            o.ok = o.ok && okc;
            uint256 x;
            (st, x) = ZkTranscript.challenge(st, ZkReduction.L_R);
            o.rho[j] = x;
            uint256 xm1 = addmod(x, R - 1, R);
            uint256 xm2 = addmod(x, R - 2, R);
            uint256 l0 = mulmod(mulmod(xm1, xm2, R), INV2, R);
            uint256 l1 = mulmod(x, R - xm2, R);
            uint256 l2 = mulmod(mulmod(x, xm1, R), INV2, R);
            a = mulmod(a, l1, R);
            for (uint256 i = 0; i < 2 * j; ++i) cf[i] = mulmod(cf[i], l1, R);
            cf[2 * j] = addmod(l0, R - l1, R);
            cf[2 * j + 1] = l2;
        }
        o.evals0 = z.g.ns;
        for (uint256 c = 0; c < k; ++c) {
            (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkReduction.L_EVAL, pf[2 * n + c:2 * n + c + 1]);
            o.ok = o.ok && okc;
        }
        o.p = 2 * n + k;
        o.st = st;
        _finalCheck(z, numVars, coms, claims, betas, o, a, cf, s0);
    }

    // records a * claim + sum_j cf_j x_{s0 + j} - sum_c w_c F_c = 0
    function _finalCheck(
        ZkCpMatmul.Cp memory z,
        uint256[] memory numVars,
        uint256[] memory coms,
        ZkTypes.ZkClaim[] memory claims,
        uint256[] memory betas,
        Res memory o,
        uint256 a,
        uint256[] memory cf,
        uint256 s0
    ) private pure {
        uint256 k = numVars.length;
        uint256 n = o.rho.length;
        uint256[] memory wt = new uint256[](k);
        uint256[] memory rho = o.rho;
        for (uint256 i = 0; i < claims.length; ++i) {
            uint256[] memory pt = claims[i].point;
            if (pt.length > rho.length) revert ZkReduction.BadShape();
            uint256 e = 1;
            // (session 18) eq(pt, rho) in assembly: 1 + 2xy - x - y per variable
            assembly ("memory-safe") {
                let xp := add(pt, 32)
                let yp := add(rho, 32)
                let xe := add(xp, shl(5, mload(pt)))
                for {} lt(xp, xe) {
                    xp := add(xp, 32)
                    yp := add(yp, 32)
                } {
                    let x := mload(xp)
                    let y := mload(yp)
                    e := mulmod(e, addmod(addmod(1, mulmod(addmod(x, x, R), y, R), R), sub(R, addmod(x, y, R)), R), R)
                }
            }
            wt[coms[i]] = addmod(wt[coms[i]], mulmod(betas[i], e, R), R);
        }
        for (uint256 c = 0; c < k; ++c)
            for (uint256 j = numVars[c]; j < n; ++j) {
                uint256 om = addmod(1, R - o.rho[j], R);
                wt[c] = mulmod(wt[c], mulmod(om, om, R), R);
            }
        uint256[] memory f = ZkCpMatmul.combineForms(claims, betas);
        uint256 nt = f[1];
        uint256[] memory zf = new uint256[](2 + 2 * (nt + 2 * n + k));
        zf[0] = mulmod(a, f[0], R);
        uint256 at = 2;
        for (uint256 i = 0; i < nt; ++i) {
            zf[at++] = f[2 + 2 * i];
            zf[at++] = mulmod(a, f[3 + 2 * i], R);
        }
        for (uint256 j = 0; j < 2 * n; ++j) {
            zf[at++] = s0 + j;
            zf[at++] = cf[j];
        }
        for (uint256 c = 0; c < k; ++c) {
            zf[at++] = o.evals0 + c;
            zf[at++] = wt[c] == 0 ? 0 : R - wt[c];
        }
        zf[1] = nt + 2 * n + k;
        ZkCp.recordZero(z.g, zf, 0);
    }
}
