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
    // (Session 14: the claims' shape check, their combination, the rounds, the evaluations' absorbs
    // and the final check in assembly, with constant transcript headers; the loops' variables kept
    // few enough that none is moved to memory.)
    function verifyReduction(bytes32 st, uint256[] memory numVars, Claim[] memory claims, uint256[] calldata proof)
        internal
        view
        returns (bytes32, bool, uint256[] memory rho)
    {
        uint256 k = numVars.length;
        uint256 n = _maxVars(numVars);
        if (proof.length != 2 * n + k) revert BadShape();
        st = ZkTranscript.absorbU64(st, L_N, uint64(n));
        uint256 beta;
        (st, beta) = ZkTranscript.challenge(st, L_BETA);
        (uint256 claim, uint256[] memory betas) = _combine(numVars, claims, beta);
        (st, claim, rho) = _rounds(st, n, claim, proof);
        st = _absorbEvals(st, proof[2 * n:]);
        return (st, claim == _expected(numVars, claims, betas, rho, proof[2 * n:]), rho);
    }

    // N = max n_c (at least one commitment, at most MAX_NUM_VARS variables).
    function _maxVars(uint256[] memory numVars) private pure returns (uint256 n) {
        if (numVars.length == 0) revert BadShape();
        for (uint256 c = 0; c < numVars.length; ++c) if (numVars[c] > n) n = numVars[c];
        if (n > MAX_NUM_VARS) revert BadShape();
    }

    // The shape checks of claims_problem (every claim on a known commitment with a point of its
    // size, every commitment claimed), every claimed value canonical, and sum_i beta^i v_i with
    // the beta^i, in one assembly loop (a Claim in memory: com, a pointer to the point, value).
    function _combine(uint256[] memory numVars, Claim[] memory claims, uint256 beta)
        private
        pure
        returns (uint256 claim, uint256[] memory betas)
    {
        uint256 nc = claims.length;
        betas = new uint256[](nc);
        uint256[] memory seen = new uint256[](numVars.length);
        uint256 fresh;  // commitments claimed
        uint256 flags;  // 1: a bad shape, 2: a value >= R
        assembly ("memory-safe") {
            let k := mload(numVars)
            let bi := 1
            for { let i := 0 } lt(i, nc) { i := add(i, 1) } {
                let cl := mload(add(add(claims, 32), shl(5, i)))
                let c := mload(cl)
                switch lt(c, k)
                case 0 { flags := or(flags, 1) }
                default {
                    if iszero(eq(mload(mload(add(cl, 32))), mload(add(add(numVars, 32), shl(5, c))))) { flags := or(flags, 1) }
                    let sp := add(add(seen, 32), shl(5, c))
                    if iszero(mload(sp)) {
                        mstore(sp, 1)
                        fresh := add(fresh, 1)
                    }
                }
                let v := mload(add(cl, 64))
                if iszero(lt(v, R)) { flags := or(flags, 2) }
                claim := addmod(claim, mulmod(v, bi, R), R)
                mstore(add(add(betas, 32), shl(5, i)), bi)
                bi := mulmod(bi, beta, R)
            }
        }
        if (flags & 1 != 0 || fresh != numVars.length) revert BadShape();
        if (flags & 2 != 0) revert ZkFr.NonCanonicalScalar(0);  // a claimed value >= R
    }

    // The N rounds: returns the transcript, the last claim and rho. Per round the absorbs
    // 0x01 || u32be(14) || "open.reduce.p0" || u64be(32) || p(0) (and "open.reduce.p2", p(2)) and
    // the challenge 0x02 || u32be(13) || "open.reduce.r", their headers constants.
    function _rounds(bytes32 st, uint256 n, uint256 claim, uint256[] calldata proof)
        private
        pure
        returns (bytes32, uint256, uint256[] memory rho)
    {
        rho = new uint256[](n);
        uint256 hdr0 = (1 << 248) | (14 << 216) | ((L_P0 & ~uint256(0xff)) >> 40) | (uint256(32) << 40);
        uint256 hdr2 = (1 << 248) | (14 << 216) | ((L_P2 & ~uint256(0xff)) >> 40) | (uint256(32) << 40);
        uint256 hdrC = (2 << 248) | (13 << 216) | ((L_R & ~uint256(0xff)) >> 40);
        bool bad;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let src := proof.offset
            let rp := add(rho, 32)
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                let m0 := calldataload(src)
                let m2 := calldataload(add(src, 32))
                bad := or(bad, or(iszero(lt(m0, R)), iszero(lt(m2, R))))
                mstore(buf, st)
                mstore(add(buf, 32), hdr0)
                mstore(add(buf, 59), m0)
                st := keccak256(buf, 91)
                mstore(buf, st)
                mstore(add(buf, 32), hdr2)
                mstore(add(buf, 59), m2)
                st := keccak256(buf, 91)
                mstore(buf, st)
                mstore(add(buf, 32), hdrC)
                st := keccak256(buf, 50)
                mstore(buf, st)
                mstore8(add(buf, 32), 0)
                let lo := keccak256(buf, 33)
                mstore8(add(buf, 32), 1)
                let x := addmod(mulmod(lo, 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb, R), keccak256(buf, 33), R)
                mstore(add(rp, shl(5, j)), x)
                // p(x) = m0 + x (m1 - m0) + x (x - 1) / 2 (m2 - 2 m1 + m0), m1 = claim - m0
                let m1 := addmod(claim, sub(R, m0), R)
                let d1 := addmod(m1, sub(R, m0), R)
                let d2 := mulmod(addmod(addmod(m2, m0, R), sub(R, addmod(m1, m1, R)), R), INV2, R)
                claim := addmod(addmod(m0, mulmod(x, d1, R), R), mulmod(mulmod(x, addmod(x, sub(R, 1), R), R), d2, R), R)
                src := add(src, 64)
            }
        }
        if (bad) revert ZkFr.NonCanonicalScalar(0);  // a round value >= R
        return (st, claim, rho);
    }

    // Each F_c absorbed: 0x01 || u32be(16) || "open.reduce.eval" || u64be(32) || F_c.
    function _absorbEvals(bytes32 st, uint256[] calldata evals) private pure returns (bytes32) {
        uint256 hdr = (1 << 248) | (16 << 216) | ((L_EVAL & ~uint256(0xff)) >> 40) | (uint256(32) << 24);
        bool bad;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let k := evals.length
            for { let c := 0 } lt(c, k) { c := add(c, 1) } {
                let v := calldataload(add(evals.offset, shl(5, c)))
                bad := or(bad, iszero(lt(v, R)))
                mstore(buf, st)
                mstore(add(buf, 32), hdr)
                mstore(add(buf, 61), v)
                st := keccak256(buf, 93)
            }
        }
        if (bad) revert ZkFr.NonCanonicalScalar(0);  // an evaluation >= R
        return st;
    }

    // sum_c F_c E_c(rho[0..n_c)) prod_{j >= n_c} (1 - rho_j)^2, E_c = sum_{claims i on c} beta^i eq(z_i, .).
    // weight[c] += beta^i eq(z_i, rho[0..|z_i|)) over the claims (|z_i| = n_c <= |rho|: _combine),
    // eq(z, rho) = prod_j (1 + 2 a b - a - b) (a = z_j, b = rho_j < R; every z_j checked < R here,
    // else a revert). Session 19: the prefix products of the previous claim's point are kept
    // (scratch memory past the free pointer), and a claim's point is compared with it coordinate
    // by coordinate: only the factors after their common prefix are computed (a claim at the
    // previous claim's point, the same array or equal coordinates, costs no factor; a range
    // check's digit claims, at (z, the digit's index bits), only the index's). Before, each claim's
    // point was hashed and looked up in a table of the points seen (cnn_digits' 103 claims are at
    // nearly as many distinct points, which share long prefixes). Every coordinate of every claim
    // is still checked < R: a shared prefix is the previous point's, checked when it was read.
    function _expected(
        uint256[] memory numVars,
        Claim[] memory claims,
        uint256[] memory betas,
        uint256[] memory rho,
        uint256[] calldata evals
    ) private pure returns (uint256 expected) {
        uint256[] memory weight = new uint256[](numVars.length);
        bool bad;
        assembly ("memory-safe") {
            // weight[c] += beta^i eq(z_i, rho) over the claims; whether a coordinate is >= R.
            // (Small Yul functions, each kept out of line: a function that may call itself is
            // not inlined (solc inlines a function called once, here into callers whose stacks
            // are deep: a compile of ZkStepHarness failed with "too deep in the stack" when these
            // were inlined) and its variables are not moved to memory. The self-call sits behind
            // a condition that never holds: a memory pointer is never 0.)
            function addWeights(cls, rp, bp, wp) -> b {
                if iszero(cls) { b := addWeights(cls, rp, bp, wp) }
                let n := mload(cls)
                let pre := mload(0x40)  // pre[j] = prod_{t < j} factor_t of the previous point
                mstore(pre, 1)
                let prev := 0
                let e := 1
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let cl := mload(add(add(cls, 32), shl(5, i)))
                    let z := mload(add(cl, 32))
                    if iszero(eq(z, prev)) {
                        let bz
                        e, bz := eqFrom(z, prev, pre, rp)
                        b := or(b, bz)
                        prev := z
                    }
                    let wslot := add(wp, shl(5, mload(cl)))  // com < k: _combine
                    mstore(wslot, addmod(mload(wslot), mulmod(mload(add(bp, shl(5, i))), e, 21888242871839275222246405745257275088548364400416034343698204186575808495617), 21888242871839275222246405745257275088548364400416034343698204186575808495617))
                }
            }
            // eq(z, rho[0..|z|)) from the previous point's prefix products (prev: 0 for none),
            // pre[] updated to z's; b: a coordinate of z past the common prefix >= R.
            function eqFrom(z, prev, pre, rp) -> e, b {
                if iszero(pre) { e, b := eqFrom(z, prev, pre, rp) }
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                let len := mload(z)
                let zp := add(z, 32)
                let l := 0
                if prev { l := commonPrefix(zp, add(prev, 32), len, mload(prev)) }
                e := mload(add(pre, shl(5, l)))
                for { let j := l } lt(j, len) { j := add(j, 1) } {
                    let a := mload(add(zp, shl(5, j)))
                    let r := mload(add(rp, shl(5, j)))
                    b := or(b, iszero(lt(a, q)))
                    e := mulmod(e, addmod(addmod(1, mulmod(addmod(a, a, q), r, q), q), sub(add(q, q), add(a, r)), q), q)
                    mstore(add(pre, shl(5, add(j, 1))), e)
                }
            }
            // The number of leading coordinates the two points share (lengths la, lb).
            function commonPrefix(ap, bp, la, lb) -> l {
                if iszero(ap) { l := commonPrefix(ap, bp, la, lb) }
                let m := la
                if lt(lb, m) { m := lb }
                for {} and(lt(l, m), eq(mload(add(ap, shl(5, l))), mload(add(bp, shl(5, l))))) { l := add(l, 1) } {}
            }
            bad := addWeights(claims, add(rho, 32), add(betas, 32), add(weight, 32))
        }
        if (bad) revert ZkFr.NonCanonicalScalar(0);  // a claim coordinate >= R
        // sq[j] = prod_{j' >= j} (1 - rho_j')^2, then sum_c F_c weight[c] sq[n_c].
        uint256 nr = rho.length;
        uint256[] memory sq = new uint256[](nr + 1);
        assembly ("memory-safe") {
            let sp := add(sq, 32)
            mstore(add(sp, shl(5, nr)), 1)
            for { let j := nr } gt(j, 0) { j := sub(j, 1) } {
                let o := addmod(1, sub(R, mload(add(rho, shl(5, j)))), R)
                mstore(add(sp, shl(5, sub(j, 1))), mulmod(mload(add(sp, shl(5, j))), mulmod(o, o, R), R))
            }
            let k := mload(numVars)
            for { let c := 0 } lt(c, k) { c := add(c, 1) } {
                let wc := mulmod(mload(add(add(weight, 32), shl(5, c))), mload(add(sp, shl(5, mload(add(add(numVars, 32), shl(5, c)))))), R)
                expected := addmod(expected, mulmod(calldataload(add(evals.offset, shl(5, c))), wc, R), R)
            }
        }
    }
}
