// SPDX-License-Identifier: UNLICENSED
// Helpers the layer step routines share (ZkMatmul, ZkConv, ZkCombine, ZkReindex): the padded
// layout's arithmetic (src/layers/layout.h: a tensor's MLE over little-endian variables, each
// dimension padded to a power of two, the LAST dimension in the LOWEST variables), eq tables
// (src/poly/mle.h `eq_table`: entry i = prod_k (bit k of i ? r_k : 1 - r_k)), point slices, and
// the claim absorbs of the layers (every point and value checked canonical by the absorb), and the
// degree-2 sumcheck rounds most layers use.
pragma solidity ^0.8.24;

import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkLayerUtil {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R
    uint256 private constant INV2 = 10944121435919637611123202872628637544274182200208017171849102093287904247809;  // (R + 1) / 2

    error BadShape();

    // ceil(log2(d)) for d >= 1 (layers::ceil_log2).
    function ceilLog2(uint256 d) internal pure returns (uint256 l) {
        if (d == 0 || d > (uint256(1) << 62)) revert BadShape();
        while ((uint256(1) << l) < d) ++l;
    }

    // p[off, off + len) as a new array.
    function slice(uint256[] memory p, uint256 off, uint256 len) internal pure returns (uint256[] memory out) {
        if (off + len > p.length) revert BadShape();
        out = new uint256[](len);
        for (uint256 i = 0; i < len; ++i) out[i] = p[off + i];
    }

    // a || b || c.
    function cat3(uint256[] memory a, uint256[] memory b, uint256[] memory c) internal pure returns (uint256[] memory out) {
        out = new uint256[](a.length + b.length + c.length);
        uint256 k;
        for (uint256 i = 0; i < a.length; ++i) out[k++] = a[i];
        for (uint256 i = 0; i < b.length; ++i) out[k++] = b[i];
        for (uint256 i = 0; i < c.length; ++i) out[k++] = c[i];
    }

    // sum_{x < count} eq(p[off, off + len), x), count <= 2^len (layers::eq_prefix_sum).
    function eqPrefixSum(uint256[] memory p, uint256 off, uint256 len, uint256 count) internal pure returns (uint256 sum) {
        if (len >= 64 || count > (uint256(1) << len) || off + len > p.length) revert BadShape();
        if (count == (uint256(1) << len)) return 1;
        uint256 prefix = 1;
        for (uint256 j = len; j > 0; --j) {
            uint256 x = p[off + j - 1];
            uint256 nx = addmod(1, R - x, R);
            if ((count >> (j - 1)) & 1 == 1) {
                sum = addmod(sum, mulmod(prefix, nx, R), R);
                prefix = mulmod(prefix, x, R);
            } else {
                prefix = mulmod(prefix, nx, R);
            }
        }
    }

    // The eq table of p[off, off + len): 2^len entries, variable k = bit k of the index.
    function eqTable(uint256[] memory p, uint256 off, uint256 len) internal pure returns (uint256[] memory t) {
        if (len >= 40 || off + len > p.length) revert BadShape();
        t = new uint256[](uint256(1) << len);
        t[0] = 1;
        assembly ("memory-safe") {
            let tp := add(t, 32)
            let pp := add(add(p, 32), shl(5, off))
            for { let k := 0 } lt(k, len) { k := add(k, 1) } {
                let hb := shl(add(k, 5), 1)  // 32 * 2^k: the upper half's byte offset
                let r := mload(add(pp, shl(5, k)))
                let end := add(tp, hb)
                for { let q := tp } lt(q, end) { q := add(q, 32) } {
                    let v := mload(q)
                    let hi := mulmod(v, r, R)
                    mstore(add(q, hb), hi)
                    mstore(q, addmod(v, sub(R, hi), R))
                }
            }
        }
    }

    // eq(a[aoff, aoff + len), b[boff, boff + len)).
    function eqAt(uint256[] memory a, uint256 aoff, uint256[] memory b, uint256 boff, uint256 len)
        internal
        pure
        returns (uint256 acc)
    {
        if (aoff + len > a.length || boff + len > b.length) revert BadShape();
        acc = 1;
        for (uint256 i = 0; i < len; ++i) {
            uint256 x = a[aoff + i];
            uint256 y = b[boff + i];
            // 1 - x - y + 2 x y (x, y < R: checked canonical when absorbed or drawn)
            acc = mulmod(acc, addmod(addmod(1, mulmod(2 * x, y, R), R), 2 * R - x - y, R), R);
        }
    }

    // A layer's claim absorb (matmul, conv, combine): u64 lblNum = |claims|, then one list lblClaims
    // of every claim's point followed by its value (plain mode: values are absorbed).
    function absorbClaimList(bytes32 st, uint256 lblNum, uint256 lblClaims, ZkTypes.Claim[] memory claims)
        internal
        pure
        returns (bytes32)
    {
        st = ZkTranscript.absorbU64(st, lblNum, uint64(claims.length));
        uint256 total;
        for (uint256 t = 0; t < claims.length; ++t) total += claims[t].point.length + 1;
        uint256[] memory flat = new uint256[](total);
        uint256 k;
        for (uint256 t = 0; t < claims.length; ++t) {
            uint256[] memory p = claims[t].point;
            for (uint256 i = 0; i < p.length; ++i) flat[k++] = p[i];
            flat[k++] = claims[t].value;
        }
        return ZkTranscript.absorbFrs(st, lblClaims, flat);
    }

    // 1, g, g^2, .., g^(n-1).
    function powers(uint256 g, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        uint256 c = 1;
        for (uint256 i = 0; i < n; ++i) {
            out[i] = c;
            c = mulmod(c, g, R);
        }
    }

    // ZkSumcheck.verifyRounds for degree 2 (the same transcript: num_vars, degree 2, the coeffs; per
    // round the values at 0 and 2, then the challenge), with p(r) in Newton form on the nodes 0, 1, 2:
    // p(r) = p0 + r (p1 - p0) + r (r - 1) / 2 (p2 - 2 p1 + p0), p1 = running claim - p0 (no arrays).
    function verifyRounds2(bytes32 st, uint256 n, uint256[] memory coeffs, uint256 claim, uint256[] calldata rounds)
        internal
        pure
        returns (bytes32, uint256 running, uint256[] memory point)
    {
        if (rounds.length != 2 * n || claim >= R) revert BadShape();
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_NUM_VARS, uint64(n));
        st = ZkTranscript.absorbU64(st, ZkSumcheck.L_DEGREE, 2);
        st = ZkTranscript.absorbFrs(st, ZkSumcheck.L_COEFFS, coeffs);
        point = new uint256[](n);
        running = claim;
        // 0x01 || u32be(14) || "sumcheck.round" || u64be(64), and 0x02 || u32be(18) ||
        // "sumcheck.challenge": the bytes after the state, one word each (the rounds in assembly:
        // scratch memory past the free pointer for the hashes).
        uint256 hdrA = (1 << 248) | (14 << 216) | ((ZkSumcheck.L_ROUND & ~uint256(0xff)) >> 40) | (uint256(64) << 40);
        uint256 hdrC = (2 << 248) | (18 << 216) | ((ZkSumcheck.L_CHALLENGE & ~uint256(0xff)) >> 40);
        bool bad;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let src := rounds.offset
            let pp := add(point, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let p0 := calldataload(src)
                let p2 := calldataload(add(src, 32))
                bad := or(bad, or(iszero(lt(p0, R)), iszero(lt(p2, R))))
                mstore(buf, st)
                mstore(add(buf, 32), hdrA)
                mstore(add(buf, 59), p0)
                mstore(add(buf, 91), p2)
                st := keccak256(buf, 123)
                mstore(buf, st)
                mstore(add(buf, 32), hdrC)
                st := keccak256(buf, 55)
                mstore(buf, st)
                mstore8(add(buf, 32), 0)
                let lo := keccak256(buf, 33)
                mstore8(add(buf, 32), 1)
                let r := addmod(mulmod(lo, 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb, R), keccak256(buf, 33), R)
                // p(r) = p0 + r (p1 - p0) + r (r - 1) / 2 (p2 - 2 p1 + p0), p1 = running - p0
                let p1 := addmod(running, sub(R, p0), R)
                let d1 := addmod(p1, sub(R, p0), R)
                let d2 := mulmod(addmod(addmod(p2, p0, R), sub(R, addmod(p1, p1, R)), R), INV2, R)
                running := addmod(addmod(p0, mulmod(r, d1, R), R), mulmod(mulmod(r, addmod(r, sub(R, 1), R), R), d2, R), R)
                mstore(add(pp, shl(5, i)), r)
                src := add(src, 64)
            }
        }
        if (bad) revert ZkTranscript.NonCanonicalScalar();
        return (st, running, point);
    }
}
