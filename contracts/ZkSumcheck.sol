// SPDX-License-Identifier: UNLICENSED
// zkinfer's sumcheck verifier (src/sumcheck/verifier.h `verify`, plain mode: every message a field
// element in the clear), and multilinear evaluations (src/poly/mle.h).
//
// Transcript, as proof.h: absorb u64 "sumcheck.num_vars" n, u64 "sumcheck.degree" d and the term
// coefficients "sumcheck.coeffs"; per round absorb the round polynomial's values at 0, 2, 3, .., d
// ("sumcheck.round"; p(1) = running claim - p(0) is not sent) and draw r_i ("sumcheck.challenge");
// the running claim becomes p(r_i), by Lagrange interpolation on the nodes 0..d. The caller then
// checks the composition of the final factor values against the returned claim and absorbs them
// ("sumcheck.final_evals", `absorbFinal`).
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkTranscript} from "./ZkTranscript.sol";

library ZkSumcheck {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    error BadShape();

    uint256 internal constant L_NUM_VARS = uint256(bytes32("sumcheck.num_vars")) | 17;
    uint256 internal constant L_DEGREE = uint256(bytes32("sumcheck.degree")) | 15;
    uint256 internal constant L_COEFFS = uint256(bytes32("sumcheck.coeffs")) | 15;
    uint256 internal constant L_ROUND = uint256(bytes32("sumcheck.round")) | 14;
    uint256 internal constant L_CHALLENGE = uint256(bytes32("sumcheck.challenge")) | 18;
    uint256 internal constant L_FINAL = uint256(bytes32("sumcheck.final_evals")) | 20;

    // 1 / d! for the degrees the layers use (d <= 8), so that a sumcheck needs no modexp (about
    // 4,500 gas a call); 0 above.
    function _invFactorial(uint256 d) private pure returns (uint256) {
        if (d <= 1) return 1;
        if (d == 2) return 0x183227397098d014dc2822db40c0ac2e9419f4243cdcb848a1f0fac9f8000001;
        if (d == 3) return 0x285396b510feb022c442e4c2c1411ef84c2b4191bac53323b891a1fb48000001;
        if (d == 4) return 0x2e6020836d24e427fb4ced7991714a03f131be9ac9fc6135e10de0adc6000001;
        if (d == 5) return 0x12f4163142de1a76bd85d7099d63ba136b7abafa40bdf6c16dc991405799999a;
        if (d == 6) return 0x134a1dd92b8ae47707b110691abbbc779f506c97335d7950a8ecea115e99999a;
        if (d == 7) return 0x2c3bfe5cebd0a9eb9f14f4f497651d85825c8d784b1a041a52513d139215f160;
        if (d == 8) return 0x05877fcb9d7a153d73e29e9e92eca3b0b04b91af096340834a4a27a27242be2c;
        return 0;
    }

    // Barycentric weights of the nodes 0..d: w_k = 1 / prod_{j != k} (k - j)
    // = (-1)^(d-k) C(d, k) / d!  (1 / d! from a table, else one inversion).
    function lagrangeWeights(uint256 d) internal view returns (uint256[] memory w) {
        if (d == 0 || d > 40) revert BadShape();
        uint256 inv = _invFactorial(d);
        if (inv == 0) {
            uint256 fact = 1;
            for (uint256 i = 2; i <= d; ++i) fact = mulmod(fact, i, R);
            inv = ZkFr.inv(fact);
        }
        w = new uint256[](d + 1);
        uint256 binom = 1;
        for (uint256 k = 0; k <= d; ++k) {
            uint256 v = mulmod(binom % R, inv, R);
            w[k] = ((d - k) & 1) == 1 ? ZkFr.neg(v) : v;
            binom = (binom * (d - k)) / (k + 1);
        }
    }

    // p(r) for the polynomial of degree <= d with values vals[k] = p(k), k = 0..d: the sum of
    // w_k prod_{j != k} (r - j) p(k), by prefix and suffix products (no inversion). suf: scratch of
    // d + 1 words.
    function interpolate(uint256[] memory w, uint256[] memory vals, uint256 r, uint256[] memory suf)
        internal
        pure
        returns (uint256 acc)
    {
        uint256 d = w.length - 1;
        if (vals.length != d + 1 || suf.length != d + 1) revert BadShape();
        assembly ("memory-safe") {
            let sp := add(suf, 32)
            let wp := add(w, 32)
            let vp := add(vals, 32)
            mstore(add(sp, mul(d, 32)), 1)
            for { let k := d } gt(k, 0) { k := sub(k, 1) } {
                mstore(add(sp, mul(sub(k, 1), 32)), mulmod(mload(add(sp, mul(k, 32))), addmod(r, sub(R, k), R), R))
            }
            let pre := 1
            for { let k := 0 } iszero(gt(k, d)) { k := add(k, 1) } {
                let o := mul(k, 32)
                acc := addmod(acc, mulmod(mulmod(pre, mload(add(sp, o)), R), mulmod(mload(add(wp, o)), mload(add(vp, o)), R), R), R)
                pre := mulmod(pre, addmod(r, sub(R, k), R), R)
            }
        }
    }

    // Absorbs the statement and runs the n rounds of degree d (rounds: n * d values, round i at
    // [i d, (i + 1) d)); returns the transcript, the last round's claim and the point r_0..r_{n-1}.
    // (Session 19: the rounds in one assembly loop, as verifyRoundsWithEqFrac's: the round's absorb
    // with a constant header, the challenge, p(r) in Newton form for d <= 2, else barycentric
    // (`_interp`); every round value checked canonical, a non-canonical one reverts.)
    function verifyRounds(
        bytes32 st,
        uint256 n,
        uint256 d,
        uint256[] memory coeffs,
        uint256 claim,
        uint256[] calldata rounds
    ) internal view returns (bytes32, uint256, uint256[] memory point) {
        if (d == 0 || d > 40 || rounds.length != n * d) revert BadShape();
        st = ZkTranscript.absorbU64(st, L_NUM_VARS, uint64(n));
        st = ZkTranscript.absorbU64(st, L_DEGREE, uint64(d));
        st = ZkTranscript.absorbFrs(st, L_COEFFS, coeffs);
        uint256[] memory w;
        if (d > 2) w = lagrangeWeights(d);
        point = new uint256[](n);
        uint256 running = ZkFr.canonical(claim);
        bool bad;
        // Scratch past the free pointer: the hash buffer (59 + 32 d bytes), then p's values at
        // 0..d and the suffix products (d + 1 words each).
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let src := rounds.offset
            let pp := add(point, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let r, b := _round(buf, st, src, d)
                st := mload(buf)
                bad := or(bad, b)
                running := _next(running, src, r, d, add(w, 32), add(buf, add(96, shl(5, d))))
                mstore(add(pp, shl(5, i)), r)
                src := add(src, shl(5, d))
            }
            // The round's absorb (its d values from src, each checked < R: b) and the challenge r;
            // the new state left at buf.
            function _round(bf, st0, sc, dg) -> r, b {
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                mstore(bf, st0)
                // 0x01 || u32be(14) || "sumcheck.round" || u64be(32 dg): the bytes after the state
                mstore(add(bf, 32), or(0x010000000e73756d636865636b2e726f756e6400000000000000000000000000, shl(45, dg)))
                for { let t := 0 } lt(t, dg) { t := add(t, 1) } {
                    let x := calldataload(add(sc, shl(5, t)))
                    b := or(b, iszero(lt(x, q)))
                    mstore(add(add(bf, 59), shl(5, t)), x)
                }
                let h := keccak256(bf, add(59, shl(5, dg)))
                // the challenge: 0x02 || u32be(18) || "sumcheck.challenge"
                mstore(bf, h)
                mstore(add(bf, 32), 0x020000001273756d636865636b2e6368616c6c656e6765000000000000000000)
                h := keccak256(bf, 55)
                mstore(bf, h)
                mstore8(add(bf, 32), 0)
                let lo := keccak256(bf, 33)
                mstore8(add(bf, 32), 1)
                r := addmod(mulmod(lo, 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb, q), keccak256(bf, 33), q)
            }
            // p(r): p(0) = m0, p(1) = run0 - m0, p(k) = m_{k-1}; Newton form for dg <= 2, else
            // barycentric with the weights wp (vp: scratch of 2 (dg + 1) words).
            function _next(run0, sc, r, dg, wp, vp) -> e {
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                let p0 := calldataload(sc)
                let p1 := addmod(run0, sub(q, p0), q)
                switch dg
                case 1 { e := addmod(p0, mulmod(r, addmod(p1, sub(q, p0), q), q), q) }
                case 2 {
                    let d2 := mulmod(addmod(addmod(calldataload(add(sc, 32)), p0, q), sub(q, addmod(p1, p1, q)), q), 10944121435919637611123202872628637544274182200208017171849102093287904247809, q)
                    e := addmod(addmod(p0, mulmod(r, addmod(p1, sub(q, p0), q), q), q), mulmod(mulmod(r, addmod(r, sub(q, 1), q), q), d2, q), q)
                }
                default {
                    mstore(vp, p0)
                    mstore(add(vp, 32), p1)
                    for { let k := 2 } iszero(gt(k, dg)) { k := add(k, 1) } { mstore(add(vp, shl(5, k)), calldataload(add(sc, shl(5, sub(k, 1))))) }
                    e := _interp(wp, vp, add(vp, shl(5, add(dg, 1))), dg, r)
                }
            }
            // p(r) for the polynomial of degree dd with p(k) = v[k], k = 0..dd, from the
            // barycentric weights wp (interpolate's sum; sp: scratch of dd + 1 words).
            // (Kept out of line, as _interpEq below.)
            function _interp(wp, v, sp, dd, r) -> acc {
                if iszero(wp) { acc := _interp(wp, v, sp, dd, r) }
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                mstore(add(sp, shl(5, dd)), 1)
                for { let k := dd } gt(k, 0) { k := sub(k, 1) } {
                    mstore(add(sp, shl(5, sub(k, 1))), mulmod(mload(add(sp, shl(5, k))), addmod(r, sub(q, k), q), q))
                }
                let pre := 1
                for { let k := 0 } iszero(gt(k, dd)) { k := add(k, 1) } {
                    let o := shl(5, k)
                    acc := addmod(acc, mulmod(mulmod(pre, mload(add(sp, o)), q), mulmod(mload(add(wp, o)), mload(add(v, o)), q), q), q)
                    pre := mulmod(pre, addmod(r, sub(q, k), q), q)
                }
            }
        }
        if (bad) revert ZkTranscript.NonCanonicalScalar();  // a round value >= R
        return (st, running, point);
    }

    // verify_with_eq (src/sumcheck/verifier.h): factor 0 of every term is eq(rho, x), which the
    // verifier evaluates itself; round i sends q_i's values at 0, 2, .., d - 1 (d - 1 values:
    // q_i(1) follows from the normalized claim e_i = (1 - rho_i) q_i(0) + rho_i q_i(1); when
    // rho_i = 0 or d = 1 the values are q_i(1..d-1) and q_i(0) = e_i). Returns the transcript, the
    // last round's claim c e_n, the point, and c = eq(rho, point), which the caller must use as
    // factor 0's final value (and the prover's must equal it).
    function verifyRoundsWithEq(
        bytes32 st,
        uint256[] memory rho,
        uint256 d,
        uint256[] memory coeffs,
        uint256 claim,
        uint256[] calldata rounds
    ) internal view returns (bytes32, uint256 running, uint256[] memory point, uint256 c) {
        uint256 num;
        uint256 den;
        (st, num, den, point, c) = verifyRoundsWithEqFrac(st, rho, d, coeffs, claim, rounds);
        running = mulmod(den == 1 ? num : mulmod(num, ZkFr.inv(den), R), c, R);
        return (st, running, point, c);
    }

    // verifyRoundsWithEq with the last round's claim as a fraction: c num / den (den != 0), so
    // that a caller that only compares it with a value (c g = c num / den iff c g den = c num)
    // needs no inversion. The rounds divide by rho_i (q_i(1) = (e_i - (1 - rho_i) q_i(0)) / rho_i);
    // e_i is kept as num / den with den the product of the non-zero rho_i so far.
    function verifyRoundsWithEqFrac(
        bytes32 st,
        uint256[] memory rho,
        uint256 d,
        uint256[] memory coeffs,
        uint256 claim,
        uint256[] calldata rounds
    ) internal view returns (bytes32, uint256 e, uint256 den, uint256[] memory point, uint256 c) {
        uint256 n = rho.length;
        if (d == 0 || d > 41 || rounds.length != n * (d - 1)) revert BadShape();
        st = ZkTranscript.absorbU64(st, L_NUM_VARS, uint64(n));
        st = ZkTranscript.absorbU64(st, L_DEGREE, uint64(d));
        st = ZkTranscript.absorbFrs(st, L_COEFFS, coeffs);
        point = new uint256[](n);
        e = ZkFr.canonical(claim);
        // d >= 4 (session 19: in the loop below, barycentric on 0..d - 1, no longer a Solidity loop)
        uint256[] memory wts;
        if (d >= 4) wts = lagrangeWeights(d - 1);
        den = 1;
        bool bad;
        // The rounds in one assembly loop: per round the absorb of its d - 1 values
        // ("sumcheck.round", the header a constant but for the data length), the challenge
        // ("sumcheck.challenge"), q's values at 0..d-1 and q(r), eq's factor. Scratch memory past
        // the free pointer: the hash buffer (59 + 32 (d - 1) bytes), then q and the suffix products
        // (d words each).
        assembly ("memory-safe") {
            let m := sub(d, 1)
            let buf := mload(0x40)
            let qp := add(buf, add(96, shl(5, m)))
            let src := rounds.offset
            let rp := add(rho, 32)
            let pp := add(point, 32)
            c := 1
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let rh := mload(add(rp, shl(5, i)))
                bad := or(bad, iszero(lt(rh, R)))
                // absorb the round's values (each checked canonical)
                mstore(buf, st)
                // 0x01 || u32be(14) || "sumcheck.round" || u64be(32 m): the bytes after the state
                mstore(add(buf, 32), or(0x010000000e73756d636865636b2e726f756e6400000000000000000000000000, shl(45, m)))
                for { let t := 0 } lt(t, m) { t := add(t, 1) } {
                    let x := calldataload(add(src, shl(5, t)))
                    bad := or(bad, iszero(lt(x, R)))
                    mstore(add(add(buf, 59), shl(5, t)), x)
                }
                st := keccak256(buf, add(59, shl(5, m)))
                // the challenge
                mstore(buf, st)
                // 0x02 || u32be(18) || "sumcheck.challenge"
                mstore(add(buf, 32), 0x020000001273756d636865636b2e6368616c6c656e6765000000000000000000)
                st := keccak256(buf, 55)
                mstore(buf, st)
                mstore8(add(buf, 32), 0)
                let lo := keccak256(buf, 33)
                mstore8(add(buf, 32), 1)
                let r := addmod(mulmod(lo, 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb, R), keccak256(buf, 33), R)
                // q's values at 0..d-1, times den (after this round's update)
                switch or(eq(d, 1), iszero(rh))
                case 1 {
                    mstore(qp, e)
                    for { let t := 1 } lt(t, d) { t := add(t, 1) } { mstore(add(qp, shl(5, t)), mulmod(calldataload(add(src, shl(5, sub(t, 1)))), den, R)) }
                }
                default {
                    // q(1) = (e - (1 - rho) q(0)) / rho: den becomes den rho
                    let m0 := calldataload(src)
                    let dr := mulmod(den, rh, R)
                    mstore(qp, mulmod(m0, dr, R))
                    mstore(add(qp, 32), addmod(e, sub(R, mulmod(mulmod(den, addmod(1, sub(R, rh), R), R), m0, R)), R))
                    for { let t := 2 } lt(t, d) { t := add(t, 1) } { mstore(add(qp, shl(5, t)), mulmod(calldataload(add(src, shl(5, sub(t, 1)))), dr, R)) }
                    den := dr
                }
                // e = q(r)
                switch d
                case 1 { e := mload(qp) }
                case 2 {
                    let q0 := mload(qp)
                    e := addmod(q0, mulmod(r, addmod(mload(add(qp, 32)), sub(R, q0), R), R), R)
                }
                case 3 {
                    // Newton on 0, 1, 2: q0 + r (q1 - q0) + r (r - 1) / 2 (q2 - 2 q1 + q0)
                    let q0 := mload(qp)
                    let q1 := mload(add(qp, 32))
                    let q2 := mload(add(qp, 64))
                    let d2 := mulmod(addmod(addmod(q2, q0, R), sub(R, addmod(q1, q1, R)), R), INV2, R)
                    e := addmod(addmod(q0, mulmod(r, addmod(q1, sub(R, q0), R), R), R), mulmod(mulmod(r, addmod(r, sub(R, 1), R), R), d2, R), R)
                }
                default { e := _interpEq(add(wts, 32), qp, add(qp, shl(5, d)), m, r) }
                // c *= 1 - rho - r + 2 rho r
                c := mulmod(c, addmod(addmod(1, mulmod(add(rh, rh), r, R), R), sub(add(R, R), add(rh, r)), R), R)
                mstore(add(pp, shl(5, i)), r)
                src := add(src, shl(5, m))
            }
            // q(r) for q of degree dd with q(k) = v[k], k = 0..dd, from the barycentric weights
            // wp (interpolate's sum; sp: scratch of dd + 1 words).
            // (Kept out of line: a function that may call itself is not inlined, behind a
            // condition that never holds, wp being a memory pointer. Inlined into the max pool's
            // routine, its variables made resnet18's verifier too deep in the stack to compile.)
            function _interpEq(wp, v, sp, dd, r) -> acc {
                if iszero(wp) { acc := _interpEq(wp, v, sp, dd, r) }
                let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
                mstore(add(sp, shl(5, dd)), 1)
                for { let k := dd } gt(k, 0) { k := sub(k, 1) } {
                    mstore(add(sp, shl(5, sub(k, 1))), mulmod(mload(add(sp, shl(5, k))), addmod(r, sub(q, k), q), q))
                }
                let pre := 1
                for { let k := 0 } iszero(gt(k, dd)) { k := add(k, 1) } {
                    let o := shl(5, k)
                    acc := addmod(acc, mulmod(mulmod(pre, mload(add(sp, o)), q), mulmod(mload(add(wp, o)), mload(add(v, o)), q), q), q)
                    pre := mulmod(pre, addmod(r, sub(q, k), q), q)
                }
            }
        }
        if (bad) revert ZkTranscript.NonCanonicalScalar();  // a round value or a coordinate of rho >= R
        return (st, e, den, point, c);
    }

    uint256 private constant INV2 = 10944121435919637611123202872628637544274182200208017171849102093287904247809;  // 1/2 mod R

    function absorbFinal(bytes32 st, uint256[] calldata finals) internal pure returns (bytes32) {
        return ZkTranscript.absorbFrsCd(st, L_FINAL, finals);
    }

    // eq(a, b) = prod_i (a_i b_i + (1 - a_i)(1 - b_i)) = prod_i (1 - a_i - b_i + 2 a_i b_i).
    function eq(uint256[] memory a, uint256[] memory b) internal pure returns (uint256 acc) {
        if (a.length != b.length) revert BadShape();
        acc = 1;
        uint256 n = a.length;
        assembly ("memory-safe") {
            let ap := add(a, 32)
            let bp := add(b, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let x := mload(add(ap, mul(i, 32)))
                let y := mload(add(bp, mul(i, 32)))
                // 1 - x - y + 2 x y, for x, y < R
                let t := addmod(add(1, mulmod(add(x, x), y, R)), sub(add(R, R), add(x, y)), R)
                acc := mulmod(acc, t, R)
            }
        }
    }

    // The multilinear extension of table (2^n values, variable k = bit k of the index) at point:
    // folds variable 0 first, in place (table is overwritten).
    function mle(uint256[] memory table, uint256[] memory point) internal pure returns (uint256) {
        uint256 len = table.length;
        if (len != (uint256(1) << point.length)) revert BadShape();
        uint256 nv = point.length;
        uint256 out;
        assembly ("memory-safe") {
            let tp := add(table, 32)
            for { let k := 0 } lt(k, nv) { k := add(k, 1) } {
                len := shr(1, len)
                let u := mload(add(add(point, 32), mul(k, 32)))
                for { let i := 0 } lt(i, len) { i := add(i, 1) } {
                    let lo := mload(add(tp, mul(i, 64)))
                    let hi := mload(add(tp, add(mul(i, 64), 32)))
                    mstore(add(tp, mul(i, 32)), addmod(lo, mulmod(u, addmod(hi, sub(R, mod(lo, R)), R), R), R))
                }
            }
            out := mload(tp)
        }
        return out;
    }
}
