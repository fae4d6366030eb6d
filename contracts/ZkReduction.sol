// SPDX-License-Identifier: UNLICENSED
// zkinfer's opening reduction (src/pcs/reduced_opening.h `verify_reduction`, plain mode): claims
// f_c(z_i) = v_i on K committed multilinears (f_c of n_c variables, N = max n_c) become one
// evaluation F_c = f_c(rho[0..n_c)) per commitment at one random point rho, by one sumcheck of
// degree 2 over sum_x sum_c E'_c(x) f'_c(x) = sum_i beta^i v_i, E_c = sum_{claims i on c} beta^i eq(z_i, .),
// f'_c the N-variable extension by (1 - x_j) for j >= n_c. Both backends' whole-model openings
// start with it (pcs/hyrax_scheme.cc, pcs/kzg_scheme.cc); the F_c then go to the batch opening
// (ZkHyperKzg for kzg keys).
//
// Transcript: absorb u64 N ("open.reduce.n"), draw beta ("open.reduce.beta"); per round absorb
// p(0) ("open.reduce.p0") and p(2) ("open.reduce.p2") (p(1) = claim - p(0)), draw r_j
// ("open.reduce.r"), the claim becomes p(r_j) (Lagrange on 0, 1, 2); then absorb each F_c
// ("open.reduce.eval"); accept iff the last claim equals sum_c F_c E_c(rho[0..n_c))
// prod_{j >= n_c} (1 - rho_j)^2.
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkTranscript} from "./ZkTranscript.sol";

library ZkReduction {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R
    uint256 internal constant INV2 = 10944121435919637611123202872628637544274182200208017171849102093287904247809;  // 1/2 mod R
    uint256 internal constant MAX_NUM_VARS = 40;  // pcs::kMaxNumVars

    error BadShape();

    uint256 internal constant L_N = uint256(bytes32("open.reduce.n")) | 13;
    uint256 internal constant L_BETA = uint256(bytes32("open.reduce.beta")) | 16;
    uint256 internal constant L_P0 = uint256(bytes32("open.reduce.p0")) | 14;
    uint256 internal constant L_P2 = uint256(bytes32("open.reduce.p2")) | 14;
    uint256 internal constant L_R = uint256(bytes32("open.reduce.r")) | 13;
    uint256 internal constant L_EVAL = uint256(bytes32("open.reduce.eval")) | 16;

    // A claim f_com(point) = value.
    struct Claim {
        uint256 com;
        uint256[] point;
        uint256 value;
    }

    // numVars[c] = n_c; proof: N rounds of (p(0), p(2)), then the K evaluations F_c. Returns the
    // transcript, whether accepted, rho (N coordinates) and the F_c (the proof's last K words).
    function verifyReduction(bytes32 st, uint256[] memory numVars, Claim[] memory claims, uint256[] calldata proof)
        internal
        view
        returns (bytes32, bool, uint256[] memory rho)
    {
        uint256 k = numVars.length;
        uint256 n = _check(numVars, claims);
        if (proof.length != 2 * n + k) revert BadShape();
        st = ZkTranscript.absorbU64(st, L_N, uint64(n));
        uint256 beta;
        (st, beta) = ZkTranscript.challenge(st, L_BETA);
        (uint256 claim, uint256[] memory betas) = _combine(claims, beta);
        (st, claim, rho) = _rounds(st, n, claim, proof);
        uint256[] calldata evals = proof[2 * n:];
        for (uint256 c = 0; c < k; ++c) st = ZkTranscript.absorbFr(st, L_EVAL, ZkFr.canonical(evals[c]));
        return (st, claim == _expected(numVars, claims, betas, rho, evals), rho);
    }

    // sum_i beta^i v_i and the beta^i.
    function _combine(Claim[] memory claims, uint256 beta) private pure returns (uint256 claim, uint256[] memory betas) {
        betas = new uint256[](claims.length);
        uint256 bi = 1;
        for (uint256 i = 0; i < claims.length; ++i) {
            claim = addmod(claim, mulmod(ZkFr.canonical(claims[i].value), bi, R), R);
            betas[i] = bi;
            bi = mulmod(bi, beta, R);
        }
    }

    // The N rounds: returns the transcript, the last claim and rho.
    function _rounds(bytes32 st, uint256 n, uint256 claim, uint256[] calldata proof)
        private
        pure
        returns (bytes32, uint256, uint256[] memory rho)
    {
        rho = new uint256[](n);
        for (uint256 j = 0; j < n; ++j) {
            uint256 m0 = ZkFr.canonical(proof[2 * j]);
            uint256 m2 = ZkFr.canonical(proof[2 * j + 1]);
            st = ZkTranscript.absorbFr(st, L_P0, m0);
            st = ZkTranscript.absorbFr(st, L_P2, m2);
            uint256 x;
            (st, x) = ZkTranscript.challenge(st, L_R);
            rho[j] = x;
            claim = _lagrange3(m0, addmod(claim, R - m0, R), m2, x);
        }
        return (st, claim, rho);
    }

    // sum_c F_c E_c(rho[0..n_c)) prod_{j >= n_c} (1 - rho_j)^2, E_c = sum_{claims i on c} beta^i eq(z_i, .).
    function _expected(
        uint256[] memory numVars,
        Claim[] memory claims,
        uint256[] memory betas,
        uint256[] memory rho,
        uint256[] calldata evals
    ) private pure returns (uint256 expected) {
        uint256 k = numVars.length;
        uint256[] memory weight = new uint256[](k);
        // weight[c] += beta^i eq(z_i, rho[0..|z_i|)) over the claims, in one assembly loop (a
        // Claim in memory: com, a pointer to the point, value), eq(z, rho) = prod_j (1 + 2 a b - a - b)
        // (a = z_j, b = rho_j < R; every z_j checked < R here, else a revert); |z_i| <= |rho|
        // (_check). Claims at one point share its eq: a table of (keccak of the point, eq) in
        // scratch memory past the free pointer, open addressing over 2^h >= 2 |claims| slots.
        bool bad;
        if (rho.length > 0 || claims.length > 0) {
            uint256 nr = rho.length;
            assembly ("memory-safe") {
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                let rp := add(rho, 32)
                let wp := add(weight, 32)
                let bp := add(betas, 32)
                let n := mload(claims)
                let slots := 16
                for {} lt(slots, shl(1, n)) {} { slots := shl(1, slots) }
                let tab := mload(0x40)  // slots of (key, eq); key 0: empty
                for { let s := 0 } lt(s, slots) { s := add(s, 1) } { mstore(add(tab, shl(6, s)), 0) }
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let cl := mload(add(add(claims, 32), shl(5, i)))
                    let z := mload(add(cl, 32))
                    let len := mload(z)
                    if gt(len, nr) { revert(0, 0) }
                    // key: keccak of |z| and z (never 0 in practice; 0 is forced to 1)
                    let key := keccak256(z, shl(5, add(len, 1)))
                    if iszero(key) { key := 1 }
                    let s := and(key, sub(slots, 1))
                    let e := 0
                    for {} 1 {} {
                        let slot := add(tab, shl(6, s))
                        let k0 := mload(slot)
                        if eq(k0, key) {
                            e := mload(add(slot, 32))
                            break
                        }
                        if iszero(k0) {
                            let zp := add(z, 32)
                            e := 1
                            for { let j := 0 } lt(j, len) { j := add(j, 1) } {
                                let a := mload(add(zp, shl(5, j)))
                                let b := mload(add(rp, shl(5, j)))
                                bad := or(bad, iszero(lt(a, q)))
                                e := mulmod(e, addmod(addmod(1, mulmod(addmod(a, a, q), b, q), q), sub(add(q, q), add(a, b)), q), q)
                            }
                            mstore(slot, key)
                            mstore(add(slot, 32), e)
                            break
                        }
                        s := and(add(s, 1), sub(slots, 1))
                    }
                    let slot := add(wp, shl(5, mload(cl)))  // com < k: _check
                    mstore(slot, addmod(mload(slot), mulmod(mload(add(bp, shl(5, i))), e, q), q))
                }
            }
        }
        if (bad) revert ZkFr.NonCanonicalScalar(0);  // a claim coordinate >= R
        for (uint256 c = 0; c < k; ++c) {
            uint256 wc = weight[c];
            for (uint256 j = numVars[c]; j < rho.length; ++j) {
                uint256 o = addmod(1, R - rho[j], R);
                wc = mulmod(wc, mulmod(o, o, R), R);
            }
            expected = addmod(expected, mulmod(evals[c], wc, R), R);
        }
    }

    // The shape checks of claims_problem (every claim on a known commitment with a point of its
    // size, every commitment claimed) and N.
    function _check(uint256[] memory numVars, Claim[] memory claims) private pure returns (uint256 n) {
        uint256 k = numVars.length;
        if (k == 0) revert BadShape();
        bool[] memory seen = new bool[](k);
        bool shape;
        assembly ("memory-safe") {
            let nc := mload(claims)
            for { let i := 0 } lt(i, nc) { i := add(i, 1) } {
                let cl := mload(add(add(claims, 32), shl(5, i)))
                let c := mload(cl)
                let z := mload(add(cl, 32))
                let len := mload(z)
                switch lt(c, k)
                case 0 { shape := 1 }
                default {
                    if iszero(eq(len, mload(add(add(numVars, 32), shl(5, c))))) { shape := 1 }
                    mstore(add(add(seen, 32), shl(5, c)), 1)
                }
            }
        }
        if (shape) revert BadShape();
        for (uint256 c = 0; c < k; ++c) {
            if (!seen[c]) revert BadShape();
            if (numVars[c] > n) n = numVars[c];
        }
        if (n > MAX_NUM_VARS) revert BadShape();
    }

    // p(x) for the quadratic with p(0) = a, p(1) = b, p(2) = c:
    // a (x - 1)(x - 2) / 2 - b x (x - 2) + c x (x - 1) / 2.
    function _lagrange3(uint256 a, uint256 b, uint256 c, uint256 x) private pure returns (uint256) {
        uint256 x1 = addmod(x, R - 1, R);
        uint256 x2 = addmod(x, R - 2, R);
        uint256 l0 = mulmod(mulmod(x1, x2, R), INV2, R);
        uint256 l1 = R - mulmod(x, x2, R);
        uint256 l2 = mulmod(mulmod(x, x1, R), INV2, R);
        return addmod(addmod(mulmod(a, l0, R), mulmod(b, l1 % R, R), R), mulmod(c, l2, R), R);
    }
}
