// SPDX-License-Identifier: UNLICENSED
// The public values of the whole-model EVM verifier (docs/protocol/evm.md section 3.2), packed in
// calldata: the model's public input and output as small signed integers, `wd` bytes each
// (1 <= wd <= 8, chosen by `zkinfer create-evm-verifier` from the tensor's bit bound:
// wd = ceil((bits + 1) / 8), proof/evm_public.h), big-endian two's complement, tensor after tensor
// in one `bytes` argument each (inputs, outputs). What src/proof/model_proof.cc verify_impl does
// with them, on the packed bytes:
//   absorb:      each value range-checked against the tensor's bit bound and absorbed as
//                absorb_i64s does (u64 count, then each value as a little-endian u64);
//   outputClaim: the public output's claim (its padded MLE at "proof.output_point" challenges);
//   checkInput:  every claim on the public input against its padded MLE.
// Soundness: a value is the sign extension of exactly wd bytes, so its integer (the one absorbed
// and the one evaluated) is unique: no two byte strings of the declared length give one value, no
// value has two encodings, and every value is far below R (|x| < 2^63), so its field element is
// x mod R as in C++ (evaluate_mle of the tensor's int64s). The caller checks each argument's total
// length against the constant the generator wrote (a byte more or less is a rejection).
//
// The padded MLE is evaluated without building the padded table (whose 2^n words of memory cost
// quadratically in a large frame): per dimension d an eq table E_d over its own variables (the
// last dimension in the lowest variables, layers/layout.h), then
//   MLE(z) = sum over rows (i_0 .. i_{r-2}) of prod_d E_d[i_d] * sum_j x[row, j] E_last[j],
// one mulmod and addmod per value. Memory: sum_d 2^ceil(log2 dims[d]) words.
pragma solidity ^0.8.24;

import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";
import {ZkDriver} from "./ZkDriver.sol";

library ZkPublic {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant L_OUTPUT_POINT = uint256(bytes32("proof.output_point")) | 18;

    error BadShape();

    // Values v[at, at + n wd) (n values of wd bytes): each in [-2^bits, 2^bits) (lowOpen: the
    // input's bound) or (-2^bits, 2^bits) (the output's), absorbed under `lbl` as u64 n then each
    // value as a little-endian u64 (two's complement). False when a value is out of its bound.
    function absorb(ZkDriver.Ctx memory c, uint256 lbl, bytes calldata v, uint256 at, uint256 n, uint256 wd, uint256 bits, bool lowOpen)
        internal
        pure
        returns (bool)
    {
        // bits + 1 <= 8 wd: every value in the bound has a wd-byte encoding
        if (wd == 0 || wd > 8 || bits == 0 || bits > 62 || bits + 1 > 8 * wd || at + n * wd > v.length) revert BadShape();
        bytes32 st = c.st;
        bool bad;
        assembly ("memory-safe") {
            // ZkTranscript's absorb in scratch memory (the free-memory pointer is not moved):
            // st || 0x01 || u32be(|label|) || label || u64be(8 + 8 n) || u64le(n) || u64le(x_i)..
            let p := mload(0x40)
            let ll := and(lbl, 0xff)
            mstore(p, st)
            mstore8(add(p, 32), 1)
            mstore(add(p, 33), shl(224, ll))
            mstore(add(p, 37), lbl)
            let cur := add(add(p, 37), ll)
            mstore(cur, shl(192, add(8, shl(3, n))))
            cur := add(cur, 8)
            // u64le(n): n < 2^32 here (calldata)
            mstore(cur, shl(192, or(or(shl(56, and(n, 0xff)), shl(48, and(shr(8, n), 0xff))), or(shl(40, and(shr(16, n), 0xff)), shl(32, shr(24, n))))))
            cur := add(cur, 8)
            let src := add(v.offset, at)
            let sh := sub(256, shl(3, wd))
            let w1 := sub(wd, 1)
            // x in [lo, lo + span): (x - lo) < span, unsigned
            let lo := sub(0, shl(bits, 1))
            let span := shl(add(bits, 1), 1)
            if iszero(lowOpen) {
                lo := add(lo, 1)
                span := sub(span, 1)
            }
            let m8 := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
            let m16 := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
            let m32 := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
            let m64 := 0xffffffffffffffff
            // four values a word: their u64s in the word's lanes, each lane's bytes reversed at once
            // (session 18: the groups of four without the inner loop, the last group below)
            let full := and(n, not(3))
            let q := src
            for { let i := 0 } lt(i, full) { i := add(i, 4) } {
                let u0 := signextend(w1, shr(sh, calldataload(q)))
                let u1 := signextend(w1, shr(sh, calldataload(add(q, wd))))
                let u2 := signextend(w1, shr(sh, calldataload(add(q, shl(1, wd)))))
                let u3 := signextend(w1, shr(sh, calldataload(add(q, mul(3, wd)))))
                q := add(q, shl(2, wd))
                bad := or(bad, or(or(iszero(lt(sub(u0, lo), span)), iszero(lt(sub(u1, lo), span))), or(iszero(lt(sub(u2, lo), span)), iszero(lt(sub(u3, lo), span)))))
                let acc := or(or(shl(192, u0), shl(128, and(u1, m64))), or(shl(64, and(u2, m64)), and(u3, m64)))
                acc := or(shr(8, and(acc, not(m8))), shl(8, and(acc, m8)))
                acc := or(shr(16, and(acc, not(m16))), shl(16, and(acc, m16)))
                acc := or(shr(32, and(acc, not(m32))), shl(32, and(acc, m32)))
                mstore(cur, acc)
                cur := add(cur, 32)
            }
            for { let i := full } lt(i, n) { i := add(i, 4) } {
                let acc := 0
                for { let k := 0 } lt(k, 4) { k := add(k, 1) } {
                    let u := 0
                    let j := add(i, k)
                    if lt(j, n) {
                        u := signextend(w1, shr(sh, calldataload(add(src, mul(j, wd)))))
                        bad := or(bad, iszero(lt(sub(u, lo), span)))
                    }
                    acc := or(shl(64, acc), and(u, m64))
                }
                acc := or(shr(8, and(acc, not(m8))), shl(8, and(acc, m8)))
                acc := or(shr(16, and(acc, not(m16))), shl(16, and(acc, m16)))
                acc := or(shr(32, and(acc, not(m32))), shl(32, and(acc, m32)))
                mstore(cur, acc)
                cur := add(cur, 32)
            }
            // the last word may hold fewer than four values: the hash ends after the n-th
            cur := sub(cur, shl(3, sub(and(add(n, 3), not(3)), n)))
            st := keccak256(p, sub(cur, p))
        }
        if (bad) return false;
        c.st = st;
        return true;
    }

    // The claim on output tensor t: z = its number of variables of "proof.output_point"
    // challenges, the value its padded MLE at z.
    function outputClaim(ZkDriver.Ctx memory c, uint256 t, bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims) internal pure {
        uint256 nv = numVars(dims);
        uint256[] memory z = new uint256[](nv);
        for (uint256 i = 0; i < nv; ++i) (c.st, z[i]) = ZkTranscript.challenge(c.st, L_OUTPUT_POINT);
        ZkTypes.Claim[] memory one = new ZkTypes.Claim[](1);
        one[0] = ZkTypes.Claim(z, mle(v, at, wd, dims, z));
        ZkDriver.add(c, t, one);
    }

    // Every claim on input tensor t (taken) against its padded MLE.
    function checkInput(ZkDriver.Ctx memory c, uint256 t, bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims)
        internal
        pure
        returns (bool)
    {
        ZkTypes.Claim[] memory cl = ZkDriver.take(c, t);
        uint256 nv = numVars(dims);
        for (uint256 i = 0; i < cl.length; ++i) {
            if (cl[i].point.length != nv) return false;
            if (mle(v, at, wd, dims, cl[i].point) != cl[i].value) return false;
        }
        return true;
    }

    // The padded shape's variables: sum of ceil(log2 dims[d]).
    function numVars(uint256[] memory dims) internal pure returns (uint256 nv) {
        for (uint256 d = 0; d < dims.length; ++d) nv += _log2ceil(dims[d]);
    }

    // The padded MLE at z of the tensor of shape dims whose values are v[at..] (wd bytes each,
    // row-major): see the file's head. z.length must be numVars(dims).
    // (Session 18: the memory it allocates, the eq tables, is given back: the free pointer is
    // restored before it returns a value; resnet18's output table is 1,024 words that stayed in
    // the contract's memory, whose cost is quadratic.)
    function mle(bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims, uint256[] memory z) internal pure returns (uint256 out) {
        uint256 fp;
        assembly ("memory-safe") {
            fp := mload(0x40)
        }
        out = _mle(v, at, wd, dims, z);
        assembly ("memory-safe") {
            mstore(0x40, fp)
        }
    }

    function _mle(bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims, uint256[] memory z) private pure returns (uint256) {
        if (dims.length == 0) {
            dims = new uint256[](1);
            dims[0] = 1;
        }
        uint256 count = 1;
        for (uint256 d = 0; d < dims.length; ++d) count *= dims[d];
        if (wd == 0 || wd > 8 || at + count * wd > v.length) revert BadShape();
        uint256 src;
        assembly ("memory-safe") {
            src := add(v.offset, at)
        }
        return _sum(src, wd, dims, _eqs(dims, z), count);
    }

    // E_d for each dimension, over its variables z[off_d, off_d + l_d) (off_d: the variables of
    // the dimensions after d).
    function _eqs(uint256[] memory dims, uint256[] memory z) private pure returns (uint256[][] memory eqs) {
        uint256 rank = dims.length;
        eqs = new uint256[][](rank);
        uint256 off = 0;
        for (uint256 k = 0; k < rank; ++k) {
            uint256 d = rank - 1 - k;
            uint256 l = _log2ceil(dims[d]);
            if (off + l > z.length) revert BadShape();
            eqs[d] = _eqTable(z, off, l);
            off += l;
        }
        if (off != z.length) revert BadShape();
    }

    // sum over rows of prod_{d < rank - 1} E_d[idx_d] * sum_j x[row, j] E_last[j] (calldata values
    // from src, wd bytes each)
    function _sum(uint256 src, uint256 wd, uint256[] memory dims, uint256[][] memory eqs, uint256 count) private pure returns (uint256 out) {
        uint256 rank = dims.length;
        uint256[] memory idx = new uint256[](rank);
        assembly ("memory-safe") {
            let last := mload(add(dims, shl(5, rank)))
            let el := add(mload(add(eqs, shl(5, rank))), 32)  // E_last's entries
            let sh := sub(256, shl(3, wd))
            let w1 := sub(wd, 1)
            let rowBytes := mul(last, wd)
            let rows := div(count, last)
            for { let r := 0 } lt(r, rows) { r := add(r, 1) } {
                // the row's weight prod_{d < rank - 1} E_d[idx_d]
                let wgt := 1
                for { let d := 1 } lt(d, rank) { d := add(d, 1) } {
                    // eqs[d - 1][idx[d - 1]]
                    wgt := mulmod(wgt, mload(add(mload(add(eqs, shl(5, d))), shl(5, add(mload(add(idx, shl(5, d))), 1)))), R)
                }
                let s := 0
                let rp := add(src, mul(r, rowBytes))
                let ep := el
                let ee := add(el, shl(5, last))
                // four values at a time (session 18): x + R is the residue of x (|x| < 2^63) as a
                // word, no sign test; four products mod R add up below 2^256, one addmod for them
                let ee4 := sub(ee, and(shl(5, last), 0x60))
                for {} lt(ep, ee4) { ep := add(ep, 128) } {
                    let t := add(
                        add(mulmod(add(signextend(w1, shr(sh, calldataload(rp))), R), mload(ep), R),
                            mulmod(add(signextend(w1, shr(sh, calldataload(add(rp, wd)))), R), mload(add(ep, 32)), R)),
                        add(mulmod(add(signextend(w1, shr(sh, calldataload(add(rp, shl(1, wd))))), R), mload(add(ep, 64)), R),
                            mulmod(add(signextend(w1, shr(sh, calldataload(add(rp, mul(3, wd))))), R), mload(add(ep, 96)), R)))
                    s := addmod(s, t, R)
                    rp := add(rp, shl(2, wd))
                }
                for {} lt(ep, ee) { ep := add(ep, 32) } {
                    let x := add(signextend(w1, shr(sh, calldataload(rp))), R)
                    s := addmod(s, mulmod(x, mload(ep), R), R)
                    rp := add(rp, wd)
                }
                out := addmod(out, mulmod(wgt, s, R), R)
                // the next row's index over dims[0 .. rank - 1)
                for { let d := sub(rank, 1) } gt(d, 0) { d := sub(d, 1) } {
                    let ip := add(idx, shl(5, d))  // idx[d - 1]
                    let i := add(mload(ip), 1)
                    switch lt(i, mload(add(dims, shl(5, d))))
                    case 1 {
                        mstore(ip, i)
                        d := 1
                    }
                    default { mstore(ip, 0) }
                }
            }
        }
    }

    // eq(i, z[off, off + l)) for i < 2^l: bit b of i goes with z[off + b].
    function _eqTable(uint256[] memory z, uint256 off, uint256 l) private pure returns (uint256[] memory e) {
        e = new uint256[](uint256(1) << l);
        assembly ("memory-safe") {
            let ep := add(e, 32)
            mstore(ep, 1)
            for { let b := 0 } lt(b, l) { b := add(b, 1) } {
                let zb := mload(add(z, shl(5, add(add(off, b), 1))))
                let nzb := addmod(1, sub(R, mod(zb, R)), R)
                let h := shl(b, 1)
                for { let j := 0 } lt(j, h) { j := add(j, 1) } {
                    let q := add(ep, shl(5, j))
                    let x := mload(q)
                    mstore(add(q, shl(5, h)), mulmod(x, zb, R))
                    mstore(q, mulmod(x, nzb, R))
                }
            }
        }
    }

    function _log2ceil(uint256 n) private pure returns (uint256 k) {
        if (n == 0) revert BadShape();
        while ((uint256(1) << k) < n) ++k;
    }
}
