// SPDX-License-Identifier: UNLICENSED
// The whole-model EVM verifier's driver (docs/protocol/evm.md, section 3.3): the part of
// src/proof/model_proof.cc `verify_impl` (plain mode, kzg keys) that is not a layer. A verifier
// that `zkinfer create-evm-verifier` generates for one model calls these functions in verify_impl's
// order, with the layers' step routines (ZkMatmul, ZkConv, ZkNonlinear, ...) in between:
//
//   begin (vk digest)  ->  public input, public output (absorbed)  ->  the advice commitments
//   (readCommitment, in verify_impl's order)  ->  the output claims (outputClaims)  ->  per node
//   in reverse order: its claims (take), a combine when several, the step routine, its claims
//   routed (add, openAdvice, registerLookups)  ->  the input's claims (checkPublic)  ->  the
//   model-wide lookups (lookupsRun, in a library of its own, then lookupsApply)  ->  the
//   constants' claims (checkPublic, or openAt a key
//   commitment)  ->  the batch opening (opening: the reduction, then HyperKZG)  ->  every word read.
//
// State (Ctx): the transcript, the next proof word, the claims waiting on each tensor, the
// commitments (the proof's, in reading order, and the key's), the claims to open (pcs::ClaimList:
// commitments in order of their first claim) and the range lookups registered with the batch
// (lookup::BatchVerifier: tables in order of first registration, segments in registration order).
// A failed check returns false; malformed words revert (ZkFr, the precompiles, BadShape).
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTypes} from "./ZkTypes.sol";
import {ZkLogup} from "./ZkLogup.sol";
import {ZkReduction} from "./ZkReduction.sol";
import {ZkHyperKzg} from "./ZkHyperKzg.sol";

library ZkDriver {
    uint256 internal constant R = ZkFr.R;

    error BadShape();

    uint256 internal constant L_VK_DIGEST = uint256(bytes32("proof.vk_digest")) | 15;
    uint256 internal constant L_INPUT = uint256(bytes32("proof.input")) | 11;
    uint256 internal constant L_OUTPUT = uint256(bytes32("proof.output")) | 12;
    uint256 internal constant L_OUTPUT_POINT = uint256(bytes32("proof.output_point")) | 18;
    uint256 internal constant L_COMMITMENT = uint256(bytes32("kzg.commitment")) | 14;

    struct Ctx {
        bytes32 st;
        uint256 pos;
        ZkTypes.Claim[][] claims;  // per tensor
        // Commitments: (x, y) and variables, the proof's in reading order, then the key's.
        uint256[] comX;
        uint256[] comY;
        uint256[] comVars;
        uint256 nCom;
        // Claims to open: commitment, point, value.
        uint256[] openCom;
        uint256[][] openPoint;
        uint256[] openValue;
        uint256 nOpen;
        // Range lookups registered with the batch: the column's commitment, its variables, the
        // table's log size.
        uint256[] segCom;
        uint256[] segVars;
        uint256[] segTableLog;
        uint256 nSeg;
    }

    // ---- start ----

    // The transcript of the proof domain with the vk digest absorbed; the proof's first word must
    // be the digest (the proof is for this key).
    function begin(bytes memory domain, bytes32 vkDigest, uint256 numTensors, uint256[] calldata w)
        internal
        pure
        returns (Ctx memory c, bool ok)
    {
        return beginSized(domain, vkDigest, numTensors, 16, 16, w);
    }

    // begin with room for numCom commitments and numOpen claims to open (session 18: the
    // generator's estimates from the key; the lists still grow past them). Each growth copies a
    // list into new memory and leaves the old one behind: resnet18's 392 claims to open grew the
    // lists six times, 140 KB of the contract's memory (whose cost is quadratic) for 37 KB used.
    // The lists are not zeroed (only [0, count) is ever read).
    function beginSized(bytes memory domain, bytes32 vkDigest, uint256 numTensors, uint256 numCom, uint256 numOpen, uint256[] calldata w)
        internal
        pure
        returns (Ctx memory c, bool ok)
    {
        if (w.length == 0 || bytes32(w[0]) != vkDigest) return (c, false);
        c.st = ZkTranscript.absorbBytes(ZkTranscript.init(domain), L_VK_DIGEST, abi.encodePacked(vkDigest));
        c.pos = 1;
        c.claims = new ZkTypes.Claim[][](numTensors);
        c.comX = _room(numCom);
        c.comY = _room(numCom);
        c.comVars = _room(numCom);
        c.openCom = _room(numOpen);
        c.openValue = _room(numOpen);
        uint256[] memory op = _room(numOpen);
        uint256[][] memory opp;
        assembly ("memory-safe") {
            opp := op
        }
        c.openPoint = opp;
        c.segCom = new uint256[](16);
        c.segVars = new uint256[](16);
        c.segTableLog = new uint256[](16);
        return (c, true);
    }

    // The next proof words as a kzg commitment of 2^numVars entries (absorbed as
    // KzgCommitment::absorb_into does in v2: u32 numVars and the compressed point's word); returns
    // its index.
    function readCommitment(Ctx memory c, uint256[] calldata w, uint256 numVars) internal pure returns (uint256 idx) {
        uint256 x = w[c.pos];
        uint256 y = w[c.pos + 1];
        c.pos += 2;
        c.st = _absorbCommitment(c.st, numVars, x, y);
        return addCommitment(c, x, y, numVars);
    }

    // absorbBytes(st, L_COMMITMENT, u32be(numVars) || the point's word) with its header a constant
    // (session 17): st || 0x01 || u32be(14) || "kzg.commitment" || u64be(36) || u32be(numVars) || word,
    // hashed in scratch memory past the free pointer.
    function _absorbCommitment(bytes32 st, uint256 numVars, uint256 x, uint256 y) private pure returns (bytes32 h) {
        uint256 word = ZkTranscript.g1Word(x, y);
        uint256 hdr = (1 << 248) | (14 << 216) | ((L_COMMITMENT & ~uint256(0xff)) >> 40) | (uint256(36) << 40);
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, st)
            mstore(add(buf, 32), hdr)
            mstore(add(buf, 59), shl(224, and(numVars, 0xffffffff)))
            mstore(add(buf, 63), word)
            h := keccak256(buf, 95)
        }
    }

    // A commitment of the key (not absorbed: the vk digest binds it); returns its index.
    function addCommitment(Ctx memory c, uint256 x, uint256 y, uint256 numVars) internal pure returns (uint256 idx) {
        idx = c.nCom++;
        if (idx == c.comX.length) {
            c.comX = _grow(c.comX);
            c.comY = _grow(c.comY);
            c.comVars = _grow(c.comVars);
        }
        c.comX[idx] = x;
        c.comY[idx] = y;
        c.comVars[idx] = numVars;
    }

    // The key's commitments from one byte string, 65 bytes each (x and y as 32-byte big-endian
    // words, then numVars as one byte), in order: what the generated contract holds as data instead
    // of one addCommitment call each (a model with many constants passes the code-size limit).
    function addCommitments(Ctx memory c, bytes memory k) internal pure {
        if (k.length % 65 != 0) revert BadShape();
        for (uint256 i = 0; i < k.length; i += 65) {
            uint256 x;
            uint256 y;
            uint256 v;
            assembly ("memory-safe") {
                let p := add(add(k, 32), i)
                x := mload(p)
                y := mload(add(p, 32))
                v := byte(0, mload(add(p, 64)))
            }
            addCommitment(c, x, y, v);
        }
    }

    // The next proof words as commitments, one per byte of numVars (its variables), in order:
    // readCommitment for each (the generated contract's list as data rather than code).
    function readCommitments(Ctx memory c, uint256[] calldata w, bytes memory numVars) internal pure {
        for (uint256 i = 0; i < numVars.length; ++i) readCommitment(c, w, uint8(numVars[i]));
    }

    // ---- claims ----

    // The claims waiting on tensor t, removed.
    function take(Ctx memory c, uint256 t) internal pure returns (ZkTypes.Claim[] memory cl) {
        cl = c.claims[t];
        ZkTypes.Claim[] memory none;  // the empty array at 0x60: nothing allocated
        c.claims[t] = none;
    }

    function add(Ctx memory c, uint256 t, ZkTypes.Claim[] memory cs) internal pure {
        if (cs.length == 0) return;
        ZkTypes.Claim[] memory old = c.claims[t];
        if (old.length == 0) {
            c.claims[t] = cs;
            return;
        }
        ZkTypes.Claim[] memory all = new ZkTypes.Claim[](old.length + cs.length);
        for (uint256 i = 0; i < old.length; ++i) all[i] = old[i];
        for (uint256 i = 0; i < cs.length; ++i) all[old.length + i] = cs[i];
        c.claims[t] = all;
    }

    // Claims on tensor t times a constant (a linear step's bias claims, scaled by 2^-bias_exp).
    function addScaled(Ctx memory c, uint256 t, ZkTypes.Claim[] memory cs, uint256 factor) internal pure {
        for (uint256 i = 0; i < cs.length; ++i) cs[i].value = mulmod(cs[i].value, factor, R);
        add(c, t, cs);
    }

    // Every claim's value negated (Neg).
    function negate(ZkTypes.Claim[] memory cs) internal pure {
        for (uint256 i = 0; i < cs.length; ++i) cs[i].value = cs[i].value == 0 ? 0 : R - cs[i].value;
    }

    // A claim value at a point on commitment com, to be opened at the end.
    // (Session 17: the checks and stores in assembly; the three lists grow together, by _grow,
    // so openCom's length is theirs.)
    function openAt(Ctx memory c, uint256 com, uint256[] memory point, uint256 value) internal pure {
        uint256[] memory vars = c.comVars;
        uint256 nCom = c.nCom;
        bool bad;
        assembly ("memory-safe") {
            switch lt(com, nCom)
            case 0 { bad := 1 }
            default { bad := iszero(eq(mload(point), mload(add(add(vars, 32), shl(5, com))))) }
        }
        if (bad) revert BadShape();
        uint256 i = c.nOpen;
        if (i == c.openCom.length) {
            c.openCom = _grow(c.openCom);
            c.openValue = _grow(c.openValue);
            uint256[][] memory q = c.openPoint;
            uint256[][] memory p;
            assembly ("memory-safe") {
                // 2 i + 8 pointers, not zeroed (only [0, nOpen) is read)
                p := mload(0x40)
                let n := add(shl(1, i), 8)
                mstore(p, n)
                mstore(0x40, add(p, shl(5, add(n, 1))))
                mcopy(add(p, 32), add(q, 32), shl(5, i))
            }
            c.openPoint = p;
        }
        uint256[] memory oc = c.openCom;
        uint256[][] memory op = c.openPoint;
        uint256[] memory ov = c.openValue;
        assembly ("memory-safe") {
            let o := add(32, shl(5, i))
            mstore(add(oc, o), com)
            mstore(add(op, o), point)
            mstore(add(ov, o), value)
        }
        c.nOpen = i + 1;
    }

    // A step's advice claims: advice a is commitment base + a.
    function openAdvice(Ctx memory c, ZkTypes.AdviceClaim[] memory adv, uint256 base, uint256 count) internal pure {
        uint256 n = adv.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 a;
            uint256[] memory pt;
            uint256 v;
            assembly ("memory-safe") {
                let s := mload(add(add(adv, 32), shl(5, i)))
                a := mload(s)
                pt := mload(add(s, 32))
                v := mload(add(s, 64))
            }
            if (a >= count) revert BadShape();
            openAt(c, base + a, pt, v);
        }
    }

    // A step's range lookups: column advice a is commitment base + a.
    function registerLookups(Ctx memory c, ZkTypes.RangeLookup[] memory lk, uint256 base, uint256 count) internal pure {
        uint256 n = lk.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 e = c.nSeg;
            if (e == c.segCom.length) {
                c.segCom = _grow(c.segCom);
                c.segVars = _grow(c.segVars);
                c.segTableLog = _grow(c.segTableLog);
            }
            uint256[] memory sc = c.segCom;
            uint256[] memory sv = c.segVars;
            uint256[] memory st = c.segTableLog;
            bool bad;
            assembly ("memory-safe") {
                let s := mload(add(add(lk, 32), shl(5, i)))  // (advice, numVars, tableLog)
                let a := mload(s)
                bad := iszero(lt(a, count))
                let o := add(32, shl(5, e))
                mstore(add(sc, o), add(base, a))
                mstore(add(sv, o), mload(add(s, 32)))
                mstore(add(st, o), mload(add(s, 64)))
            }
            if (bad) revert BadShape();
            c.nSeg = e + 1;
        }
    }

    // Takes a step's result: false when it rejected; else its state and position.
    function accept(Ctx memory c, ZkTypes.StepOut memory o) internal pure returns (bool) {
        if (!o.ok) return false;
        c.st = o.st;
        c.pos = o.pos;
        return true;
    }

    // Every claim on tensor t (a public input, or a constant the verifier evaluates) against the
    // padded MLE of its values v[from, from + size).
    function checkPublic(Ctx memory c, uint256 t, int256[] memory v, uint256[] memory dims) internal pure returns (bool) {
        ZkTypes.Claim[] memory cl = take(c, t);
        if (cl.length == 0) return true;
        uint256[] memory table = _paddedTableMem(v, dims);
        uint256 nv = _log2(table.length);
        for (uint256 i = 0; i < cl.length; ++i) {
            if (cl[i].point.length != nv) return false;
            // ZkSumcheck.mle folds its table in place: a copy per claim.
            uint256[] memory t = i + 1 == cl.length ? table : _copy(table);
            if (ZkSumcheck.mle(t, cl[i].point) != cl[i].value) return false;
        }
        return true;
    }

    // Every claim on tensor t opened against commitment com (a committed constant of the key).
    function openClaims(Ctx memory c, uint256 t, uint256 com) internal pure {
        ZkTypes.Claim[] memory cl = take(c, t);
        for (uint256 i = 0; i < cl.length; ++i) openAt(c, com, cl[i].point, cl[i].value);
    }

    // Every claim taken (a claim left on a tensor nothing proves is a rejection, as in C++).
    function noneLeft(Ctx memory c) internal pure returns (bool ok) {
        ZkTypes.Claim[][] memory cl = c.claims;
        assembly ("memory-safe") {
            ok := 1
            let n := mload(cl)
            for { let t := 0 } lt(t, n) { t := add(t, 1) } {
                if mload(mload(add(add(cl, 32), shl(5, t)))) {
                    ok := 0
                    break
                }
            }
        }
    }

    // A shape: dimension i in bits [32 i, 32 i + 32) of packed.
    function dims(uint256 rank, uint256 packed) internal pure returns (uint256[] memory d) {
        d = new uint256[](rank);
        for (uint256 i = 0; i < rank; ++i) d[i] = (packed >> (32 * i)) & 0xffffffff;
    }

    // Values packed as 8 bytes each, big-endian two's complement.
    function unpackI64(bytes memory b) internal pure returns (int256[] memory v) {
        uint256 n = b.length / 8;
        v = new int256[](n);
        assembly ("memory-safe") {
            let src := add(b, 32)
            let dst := add(v, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // The 8 bytes at src + 8 i, sign-extended from bit 63.
                mstore(add(dst, shl(5, i)), signextend(7, shr(192, mload(add(src, shl(3, i))))))
            }
        }
    }

    function _copy(uint256[] memory a) private pure returns (uint256[] memory b) {
        b = new uint256[](a.length);
        assembly ("memory-safe") {
            mcopy(add(b, 32), add(a, 32), shl(5, mload(a)))
        }
    }

    // ---- padded tables (src/layers/layout.h: each dimension padded to a power of two, row-major,
    // the last dimension in the lowest variables) ----

    function _count(uint256[] memory dims) private pure returns (uint256 n) {
        n = 1;
        for (uint256 i = 0; i < dims.length; ++i) n *= dims[i];
    }

    function _paddedTableMem(int256[] memory v, uint256[] memory dims) private pure returns (uint256[] memory table) {
        uint256 rank = dims.length;
        uint256[] memory pad = new uint256[](rank);
        uint256 size = 1;
        for (uint256 i = 0; i < rank; ++i) {
            uint256 p = 1;
            while (p < dims[i]) p <<= 1;
            pad[i] = p;
            size *= p;
        }
        if (v.length != _count(dims)) revert BadShape();
        table = new uint256[](size);
        // Row-major over the unpadded dims: the last dimension in runs of dims[rank - 1] entries,
        // each run at its padded row's start.
        uint256 last = rank == 0 ? 1 : dims[rank - 1];
        uint256 rows = v.length / last;
        uint256[] memory idx = new uint256[](rank);
        for (uint256 r = 0; r < rows; ++r) {
            uint256 at = 0;
            for (uint256 i = 0; i + 1 < rank; ++i) at = at * pad[i] + idx[i];
            if (rank > 0) at *= pad[rank - 1];
            uint256 f = r * last;
            uint256 q = R;
            assembly ("memory-safe") {
                let tp := add(add(table, 32), shl(5, at))
                let vp := add(add(v, 32), shl(5, f))
                for { let j := 0 } lt(j, last) { j := add(j, 1) } {
                    let x := mload(add(vp, shl(5, j)))
                    // x in (-2^255, 2^255): its residue mod R
                    switch slt(x, 0)
                    case 0 { mstore(add(tp, shl(5, j)), mod(x, q)) }
                    default { mstore(add(tp, shl(5, j)), mod(sub(q, mod(sub(0, x), q)), q)) }
                }
            }
            for (uint256 i = rank > 0 ? rank - 1 : 0; i > 0; --i) {
                if (++idx[i - 1] < dims[i - 1]) break;
                idx[i - 1] = 0;
            }
        }
    }

    function _log2(uint256 n) private pure returns (uint256 k) {
        while ((uint256(1) << k) < n) ++k;
        if ((uint256(1) << k) != n) revert BadShape();
    }

    // An array of n words, not zeroed (at least 1 word: _grow doubles the length).
    function _room(uint256 n) private pure returns (uint256[] memory a) {
        if (n == 0) n = 1;
        assembly ("memory-safe") {
            a := mload(0x40)
            mstore(a, n)
            mstore(0x40, add(a, shl(5, add(n, 1))))
        }
    }

    // a's words in an array of 2 |a| + 8 (the rest not zeroed: the lists' counts say what is used).
    function _grow(uint256[] memory a) private pure returns (uint256[] memory b) {
        assembly ("memory-safe") {
            let m := mload(a)
            let n := add(shl(1, m), 8)
            b := mload(0x40)
            mstore(b, n)
            mstore(0x40, add(b, shl(5, add(n, 1))))
            mcopy(add(b, 32), add(a, 32), shl(5, m))
        }
    }

    // ---- external calls: what crosses them as bytes (ABI-coding of nested arrays costs about 100
    // gas a word each way; bytes are copied whole) ----

    // The proof words from pos on as a calldata bytes slice (what a library's external function
    // takes; `words` turns it back into uint256[] calldata without a copy).
    function tail(uint256[] calldata w, uint256 pos) internal pure returns (bytes calldata b) {
        if (pos > w.length) revert BadShape();
        assembly ("memory-safe") {
            b.offset := add(w.offset, shl(5, pos))
            b.length := shl(5, sub(w.length, pos))
        }
    }

    function words(bytes calldata b) internal pure returns (uint256[] calldata w) {
        assembly ("memory-safe") {
            w.offset := b.offset
            w.length := shr(5, b.length)
        }
    }

    // The context as words, for the opening library (packCtx; unpackCtx rebuilds it there):
    // st, pos, nCom, comX[nCom], comY[nCom], comVars[nCom], nOpen, openCom[nOpen],
    // openValue[nOpen], per open claim its point: (|point|, point), or, when the claim before it
    // has a point of the same coordinates, the one word 2^255 | j, j the earlier claim whose
    // point was written (session 18: resnet18's claims to open are mostly at shared points; each
    // copied point was memory in both frames, whose cost is quadratic), the number of tensors, per tensor (the number of its claims, per claim
    // (|point|, point, value)). The range lookups are not packed (lookupsApply has consumed them).
    // The context is not used after this (callFinish is the contract's last step): the open
    // points' pointers are replaced by the references (_refPoints).
    function packCtx(Ctx memory c) internal pure returns (bytes memory b) {
        uint256 n = 3 + 3 * c.nCom + 1 + 2 * c.nOpen + 1 + _refPoints(c.openPoint, c.nOpen);
        for (uint256 t = 0; t < c.claims.length; ++t) {
            n += 1;
            ZkTypes.Claim[] memory cl = c.claims[t];
            for (uint256 i = 0; i < cl.length; ++i) n += 2 + cl[i].point.length;
        }
        b = _words(n);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        p = _put(p, uint256(c.st));
        p = _put(p, c.pos);
        p = _put(p, c.nCom);
        p = _putN(p, c.comX, c.nCom);
        p = _putN(p, c.comY, c.nCom);
        p = _putN(p, c.comVars, c.nCom);
        p = _put(p, c.nOpen);
        p = _putN(p, c.openCom, c.nOpen);
        p = _putN(p, c.openValue, c.nOpen);
        {
            uint256[][] memory op = c.openPoint;
            uint256 no = c.nOpen;
            assembly ("memory-safe") {
                for { let i := 0 } lt(i, no) { i := add(i, 1) } {
                    let a := mload(add(add(op, 32), shl(5, i)))
                    switch shr(255, a)
                    case 1 {
                        mstore(p, a)
                        p := add(p, 32)
                    }
                    default {
                        let k := add(mload(a), 1)
                        mcopy(p, a, shl(5, k))
                        p := add(p, shl(5, k))
                    }
                }
            }
        }
        p = _put(p, c.claims.length);
        for (uint256 t = 0; t < c.claims.length; ++t) {
            ZkTypes.Claim[] memory cl = c.claims[t];
            p = _put(p, cl.length);
            for (uint256 i = 0; i < cl.length; ++i) {
                p = _putArr(p, cl[i].point);
                p = _put(p, cl[i].value);
            }
        }
    }

    // packCtx's points: each open claim's point pointer op[i] (i < n) whose coordinates equal the
    // point of the claim before it is replaced by 2^255 | j, j the claim where that point was
    // written (resnet18: 392 claims at 106 distinct points, 265 of them at the previous claim's
    // point: a step's advice claims share its point; a hash table of every point seen cost more
    // than it saved); returns the words the points then take (1 + |point| for a point written,
    // 1 for a reference). Points are compared by the keccak of (|point|, point) (equal hashes of
    // different points would be a keccak collision; a word-by-word comparison cost about 0.3 M
    // gas on resnet18, more than the memory it saved).
    function _refPoints(uint256[][] memory op, uint256 n) private pure returns (uint256 words) {
        assembly ("memory-safe") {
            let lastKey := 0  // the keccak of the last point written, and its claim
            let lastIdx := 0
            let ap := add(op, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let a := mload(ap)
                let len := shl(5, add(mload(a), 1))
                let key := keccak256(a, len)
                switch eq(key, lastKey)
                case 0 {
                    lastKey := key
                    lastIdx := i
                    words := add(words, shr(5, len))
                }
                default {
                    mstore(ap, or(shl(255, 1), lastIdx))
                    words := add(words, 1)
                }
                ap := add(ap, 32)
            }
        }
    }

    // A node library's run(packFor(c, ts), the words from c.pos on) (words: false, the constants'
    // library's check(packFor(c, ts))), lib and sel its address and selector, the call data written
    // in place; returns its (bool, bytes) with the bytes where the call data was (nothing of it is
    // needed after the call). An ABI-encoded call would copy the packed claims once more, and its
    // result twice (the return data, then the decoded bytes), each at the top of the contract's
    // memory. A revert in the call is passed on.
    function callNodes(address lib, bytes4 sel, Ctx memory c, bytes memory ts, uint256[] calldata w, bool words)
        internal
        view
        returns (bool ok, bytes memory r)
    {
        uint256 pos = c.pos;
        if (pos > w.length) revert BadShape();
        uint256 start;
        assembly ("memory-safe") {
            start := mload(0x40)
            mstore(0x40, add(start, 96))
        }
        bytes memory b = packFor(c, ts);
        uint256 at;
        assembly ("memory-safe") {
            at := b
        }
        if (at != start + 96) revert BadShape();
        bool bad;
        assembly ("memory-safe") {
            let len1 := mload(b)
            let end := add(add(b, 32), len1)
            let cd := add(start, 28)
            switch words
            case 0 {
                // sel | 0x20 | len1 | data
                cd := add(start, 60)
                mstore(start, 0)
                mstore(add(start, 32), shr(224, sel))
                mstore(add(start, 64), 0x20)
            }
            default {
                mstore(start, shr(224, sel))
                mstore(add(start, 32), 0x40)
                mstore(add(start, 64), add(0x60, len1))
                let len2 := shl(5, sub(w.length, pos))
                mstore(end, len2)
                calldatacopy(add(end, 32), add(w.offset, shl(5, pos)), len2)
                end := add(add(end, 32), len2)
            }
            mstore(0x40, end)
            let success := staticcall(gas(), lib, cd, sub(end, cd), 0, 0)
            if iszero(success) {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }
            // (bool, bytes): ok, 0x40, len, data (padded)
            let rs := returndatasize()
            if lt(rs, 96) { bad := 1 }
            if iszero(bad) {
                returndatacopy(0, 0, 64)
                ok := iszero(iszero(mload(0)))
                if iszero(eq(mload(32), 0x40)) { bad := 1 }
            }
            if iszero(bad) {
                r := start
                returndatacopy(r, 64, sub(rs, 64))
                let len := mload(r)
                if gt(add(96, len), rs) { bad := 1 }
                mstore(0x40, add(add(r, 32), and(add(len, 31), not(31))))
            }
        }
        if (bad) revert BadShape();
    }

    // The opening library's finish(packCtx(c), the words from c.pos on) (lib, sel: its address and
    // selector), its call data written in place: the packed context where the call reads it (an
    // ABI-encoded call copies it once more, at the top of this frame's memory: resnet18's context
    // is about 0.25 MB, and memory costs quadratically). A revert in the call is passed on.
    function callFinish(address lib, bytes4 sel, Ctx memory c, uint256[] calldata w) internal view returns (bool ok) {
        uint256 pos = c.pos;
        if (pos > w.length) revert BadShape();
        c.pos = 0;  // the library reads the words from here on
        uint256 start;
        assembly ("memory-safe") {
            start := mload(0x40)
            mstore(0x40, add(start, 96))
        }
        bytes memory b = packCtx(c);
        uint256 at;
        assembly ("memory-safe") {
            at := b
        }
        if (at != start + 96) revert BadShape();
        assembly ("memory-safe") {
            let len1 := mload(b)
            mstore(start, shr(224, sel))
            mstore(add(start, 32), 0x40)
            mstore(add(start, 64), add(0x60, len1))
            let e := add(add(b, 32), len1)
            let len2 := shl(5, sub(w.length, pos))
            mstore(e, len2)
            calldatacopy(add(e, 32), add(w.offset, shl(5, pos)), len2)
            let end := add(add(e, 32), len2)
            mstore(0x40, end)
            let cd := add(start, 28)
            let success := staticcall(gas(), lib, cd, sub(end, cd), 0, 0)
            if iszero(success) {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }
            if lt(returndatasize(), 32) { revert(0, 0) }
            returndatacopy(0, 0, 32)
            ok := iszero(iszero(mload(0)))
        }
    }

    function _put(uint256 p, uint256 x) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(p, x)
        }
        return p + 32;
    }

    // a[0..n) (n <= a.length)
    function _putN(uint256 p, uint256[] memory a, uint256 n) private pure returns (uint256) {
        assembly ("memory-safe") {
            mcopy(p, add(a, 32), shl(5, n))
        }
        return p + 32 * n;
    }

    // |a|, then a
    function _putArr(uint256 p, uint256[] memory a) private pure returns (uint256) {
        assembly ("memory-safe") {
            let n := mload(a)
            mcopy(p, a, shl(5, add(n, 1)))
            p := add(p, shl(5, add(n, 1)))
        }
        return p;
    }

    // packCtx's words back (b: calldata of the opening library's call). Arrays get exactly their
    // used length (nothing is added to them after this but by openAt, which grows them).
    // (Session 17: b copied into memory once, the points, the claims, comX and openCom built in
    // place, as unpackFor does; before, an allocation and a copy per point.)
    function unpackCtx(bytes calldata b) internal pure returns (Ctx memory c) {
        uint256 p;
        uint256 len = b.length;
        assembly ("memory-safe") {
            p := mload(0x40)
            calldatacopy(p, b.offset, len)
            mstore(0x40, add(p, and(add(len, 31), not(31))))
        }
        uint256 end = p + len;
        if (p + 96 > end) revert BadShape();
        c.st = bytes32(_mword(p));
        c.pos = _mword(p + 32);
        uint256 n = _mword(p + 64);
        if (n > (end - p - 96) / 96) revert BadShape();
        c.nCom = n;
        uint256[] memory a;
        assembly ("memory-safe") {
            a := add(p, 64)  // (nCom, comX) as it stands
        }
        c.comX = a;
        p += 96 + 32 * n;
        (c.comY, p) = _memN(p, n);
        (c.comVars, p) = _memN(p, n);
        if (p + 32 > end) revert BadShape();
        n = _mword(p);
        if (n > (end - p - 32) / 64) revert BadShape();
        c.nOpen = n;
        assembly ("memory-safe") {
            a := p  // (nOpen, openCom) as it stands
        }
        c.openCom = a;
        p += 32 + 32 * n;
        (c.openValue, p) = _memN(p, n);
        uint256[][] memory op;
        bool bad;
        assembly ("memory-safe") {
            op := mload(0x40)
            mstore(op, n)
            mstore(0x40, add(op, shl(5, add(n, 1))))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // (|point|, point) as it stands
                if gt(add(p, 32), end) {
                    bad := 1
                    break
                }
                let k := mload(p)
                if shr(255, k) {
                    // 2^255 | j: claim j's point (j < i)
                    let j := and(k, sub(shl(255, 1), 1))
                    if iszero(lt(j, i)) {
                        bad := 1
                        break
                    }
                    mstore(add(add(op, 32), shl(5, i)), mload(add(add(op, 32), shl(5, j))))
                    p := add(p, 32)
                    continue
                }
                if gt(k, shr(5, sub(sub(end, p), 32))) {
                    bad := 1
                    break
                }
                mstore(add(add(op, 32), shl(5, i)), p)
                p := add(p, shl(5, add(k, 1)))
            }
        }
        if (bad || p + 32 > end) revert BadShape();
        c.openPoint = op;
        uint256 nt = _mword(p);
        p += 32;
        if (nt > (end - p) / 32) revert BadShape();
        ZkTypes.Claim[][] memory cls;
        assembly ("memory-safe") {
            cls := mload(0x40)
            mstore(cls, nt)
            mstore(0x40, add(cls, shl(5, add(nt, 1))))
        }
        for (uint256 t = 0; t < nt; ++t) {
            ZkTypes.Claim[] memory cl;
            (cl, p) = _claimsAt(p, end);
            assembly ("memory-safe") {
                mstore(add(add(cls, 32), shl(5, t)), cl)
            }
        }
        if (p != end) revert BadShape();
        c.claims = cls;
        c.segCom = new uint256[](0);
        c.segVars = new uint256[](0);
        c.segTableLog = new uint256[](0);
    }

    // A copy of the n words at memory p (checked in bounds by the caller) as an array; the next word.
    function _memN(uint256 p, uint256 n) private pure returns (uint256[] memory a, uint256 next) {
        assembly ("memory-safe") {
            a := mload(0x40)
            mstore(a, n)
            mcopy(add(a, 32), p, shl(5, n))
            mstore(0x40, add(a, shl(5, add(n, 1))))
            next := add(p, shl(5, n))
        }
    }

    // ---- packed bytes across the step routines' and node libraries' calls (session 16) ----
    //
    // Claims as words: n, then per claim |point|, point, value. In memory, (|point|, point) is a
    // uint256[] as it stands, so the unpackers build the claims in place (each Claim struct points
    // into the buffer): no ABI-decoding of nested arrays, no copy of the points. A step routine's
    // result (StepOut) as words: st, ok, pos, the claims x, w, bias, then the advice claims (n, per
    // claim advice, |point|, point, value) and the range lookups (n, per lookup advice, numVars,
    // tableLog: the struct as it stands).

    // The words the claims take.
    function _claimsWords(ZkTypes.Claim[] memory cl) private pure returns (uint256 n) {
        n = 1;
        for (uint256 i = 0; i < cl.length; ++i) n += 2 + cl[i].point.length;
    }

    // cl at p (claims words), returns the next free word.
    function _putClaims(uint256 p, ZkTypes.Claim[] memory cl) private pure returns (uint256 q) {
        assembly ("memory-safe") {
            let n := mload(cl)
            mstore(p, n)
            q := add(p, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let s := mload(add(add(cl, 32), shl(5, i)))
                let pt := mload(s)
                let k := add(mload(pt), 1)
                mcopy(q, pt, shl(5, k))
                q := add(q, shl(5, k))
                mstore(q, mload(add(s, 32)))
                q := add(q, 32)
            }
        }
    }

    // Claims words at p (memory, below end) as a Claim[] whose points are in the buffer; returns
    // the word after them.
    function _claimsAt(uint256 p, uint256 end) private pure returns (ZkTypes.Claim[] memory cl, uint256 q) {
        bool bad;
        assembly ("memory-safe") {
            q := p
            for {} 1 {} {
                if gt(add(q, 32), end) {
                    bad := 1
                    break
                }
                let n := mload(q)
                q := add(q, 32)
                if gt(n, shr(6, sub(end, q))) {
                    bad := 1
                    break
                }
                cl := mload(0x40)
                mstore(cl, n)
                let s := add(cl, shl(5, add(n, 1)))
                mstore(0x40, add(s, shl(6, n)))
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    if gt(add(q, 32), end) {
                        bad := 1
                        break
                    }
                    let k := mload(q)
                    if gt(k, shr(5, sub(end, q))) {
                        bad := 1
                        break
                    }
                    let v := add(q, shl(5, add(k, 1)))
                    if gt(add(v, 32), end) {
                        bad := 1
                        break
                    }
                    let sp := add(s, shl(6, i))
                    mstore(sp, q)
                    mstore(add(sp, 32), mload(v))
                    mstore(add(add(cl, 32), shl(5, i)), sp)
                    q := add(v, 32)
                }
                break
            }
        }
        if (bad) revert BadShape();
    }

    // The claims as bytes (a step routine's input).
    function packClaims(ZkTypes.Claim[] memory cl) internal pure returns (bytes memory b) {
        uint256 n = _claimsWords(cl);
        b = _words(n);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        _putClaims(p, cl);
    }

    // packClaims' bytes back (calldata: copied into memory once, the claims built in place).
    function unpackClaims(bytes calldata b) internal pure returns (ZkTypes.Claim[] memory cl) {
        uint256 p;
        uint256 len = b.length;
        assembly ("memory-safe") {
            p := mload(0x40)
            calldatacopy(p, b.offset, len)
            mstore(0x40, add(p, len))
        }
        uint256 q;
        (cl, q) = _claimsAt(p, p + len);
        if (q != p + len) revert BadShape();
    }

    // ---- step routines' calls (session 17): written in place ----
    //
    // A step routine's wrapper takes (st, params, packed claims) ABI-encoded and the proof words
    // from the caller's position on after them, then their count (one word): `stepWords` reads
    // them. callStep writes the call data at the free pointer (the encoded arguments, the words),
    // makes the call and takes the returned bytes back where the call data was: it is not kept
    // (before, solc's call kept the words' copy above the free pointer and held the result twice:
    // the return data, then its decoded copy), and the result is built in place (unpackOut).

    // The words a step call is first given (session 18): a step reads far fewer (resnet18's step
    // calls read 2 to 166 words, most under 41), and every word given is copied into the caller's
    // memory (3 gas a word, and the memory's quadratic expansion: resnet18's calls were given
    // about 2,000 words each, 0.8 M gas in all).
    uint256 internal constant STEP_WORDS = 256;

    // args: abi.encodeWithSelector(wrapper's selector, st, params, packClaims(claims)), consumed:
    // the result is written where it was (session 18: the encoded arguments are not kept in the
    // caller's memory). Returns the step's result with its position made absolute (pos + the
    // words read).
    // The call is first made with the words [pos, pos + STEP_WORDS) only (when more remain); its
    // result is taken when it accepts (ok) having read within them, which is the result of the
    // call with every remaining word (a routine is a function of its arguments and the words it
    // reads, which are the same; none reads the words' count, and a read past a calldata slice
    // reverts); otherwise (a revert, ok false, or a position past them) the call is made again
    // with every remaining word, as before, and its result or revert is the step's. A step call
    // has no effect (STATICCALL), so the first try changes nothing but the gas.
    function callStep(address lib, bytes memory args, uint256[] calldata w, uint256 pos)
        internal
        view
        returns (ZkTypes.StepOut memory o)
    {
        if (pos > w.length) revert BadShape();
        uint256 rem = w.length - pos;
        if (rem > STEP_WORDS) {
            bool done;
            (done, o) = _tryStep(lib, args, w, pos, STEP_WORDS);
            if (done) return o;
        }
        bytes memory r;
        bool bad;
        assembly ("memory-safe") {
            // the call data at the free pointer: args, the words, their count
            let cd := mload(0x40)
            let len := mload(args)
            mcopy(cd, add(args, 32), len)
            let e := add(cd, len)
            calldatacopy(e, add(w.offset, shl(5, pos)), shl(5, rem))
            mstore(add(e, shl(5, rem)), rem)
            let success := staticcall(gas(), lib, cd, add(len, shl(5, add(rem, 1))), 0, 0)
            if iszero(success) {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }
            // (bytes): 0x20, length, data; the bytes taken where the call data was
            let rs := returndatasize()
            switch lt(rs, 64)
            case 1 { bad := 1 }
            default {
                returndatacopy(0, 0, 32)
                if iszero(eq(mload(0), 0x20)) { bad := 1 }
            }
            if iszero(bad) {
                r := args
                returndatacopy(r, 32, sub(rs, 32))
                let rl := mload(r)
                if gt(add(64, rl), rs) { bad := 1 }
                mstore(0x40, add(add(r, 32), and(add(rl, 31), not(31))))
            }
        }
        if (bad) revert BadShape();
        o = unpackOut(r);
        o.pos += pos;
    }

    // callStep's first try with the words [pos, pos + n): done when the call returned a
    // well-formed result that accepts (ok) and read at most n words (o.pos made absolute; the
    // result where args was); otherwise not done, args and the free pointer as they were (the
    // call data was written above the free pointer, not allocated).
    function _tryStep(address lib, bytes memory args, uint256[] calldata w, uint256 pos, uint256 n)
        private
        view
        returns (bool done, ZkTypes.StepOut memory o)
    {
        bytes memory r;
        assembly ("memory-safe") {
            let cd := mload(0x40)
            let len := mload(args)
            mcopy(cd, add(args, 32), len)
            let e := add(cd, len)
            calldatacopy(e, add(w.offset, shl(5, pos)), shl(5, n))
            mstore(add(e, shl(5, n)), n)
            if staticcall(gas(), lib, cd, add(len, shl(5, add(n, 1))), 0, 0) {
                let rs := returndatasize()
                // (bytes): 0x20, length, then packOut's words st, ok, pos, ..: ok and pos <= n
                if iszero(lt(rs, 160)) {
                    returndatacopy(0, 0, 64)
                    let rl := mload(32)
                    if and(eq(mload(0), 0x20), and(iszero(lt(rl, 96)), iszero(gt(add(64, rl), rs)))) {
                        returndatacopy(0, 96, 64)
                        if and(iszero(iszero(mload(0))), iszero(gt(mload(32), n))) {
                            // taken where args was (args is consumed: callStep's)
                            r := args
                            returndatacopy(r, 32, sub(rs, 32))
                            mstore(0x40, add(add(r, 32), and(add(rl, 31), not(31))))
                            done := 1
                        }
                    }
                }
            }
        }
        if (done) {
            o = unpackOut(r);
            o.pos += pos;
        }
    }

    // In a step routine's wrapper: the proof words callStep appended to the call data (the words,
    // then their count).
    function stepWords() internal pure returns (uint256[] calldata w) {
        uint256 n;
        uint256 end;
        assembly ("memory-safe") {
            end := sub(calldatasize(), 32)
            if gt(calldatasize(), 35) { n := calldataload(end) }
        }
        if (msg.data.length < 36 || n > (end - 4) / 32) revert BadShape();
        assembly ("memory-safe") {
            w.offset := sub(end, shl(5, n))
            w.length := n
        }
    }

    // A step routine's result as bytes (what its wrapper returns).
    function packOut(ZkTypes.StepOut memory o) internal pure returns (bytes memory b) {
        uint256 n = 3 + _claimsWords(o.x) + _claimsWords(o.w) + _claimsWords(o.bias) + 2 + 3 * o.lookups.length;
        for (uint256 i = 0; i < o.advice.length; ++i) n += 3 + o.advice[i].point.length;
        b = _words(n);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        p = _put(p, uint256(o.st));
        p = _put(p, o.ok ? 1 : 0);
        p = _put(p, o.pos);
        p = _putClaims(p, o.x);
        p = _putClaims(p, o.w);
        p = _putClaims(p, o.bias);
        ZkTypes.AdviceClaim[] memory adv = o.advice;
        ZkTypes.RangeLookup[] memory lk = o.lookups;
        assembly ("memory-safe") {
            let na := mload(adv)
            mstore(p, na)
            p := add(p, 32)
            for { let i := 0 } lt(i, na) { i := add(i, 1) } {
                let s := mload(add(add(adv, 32), shl(5, i)))
                mstore(p, mload(s))
                let pt := mload(add(s, 32))
                let k := add(mload(pt), 1)
                mcopy(add(p, 32), pt, shl(5, k))
                p := add(add(p, 32), shl(5, k))
                mstore(p, mload(add(s, 64)))
                p := add(p, 32)
            }
            let nl := mload(lk)
            mstore(p, nl)
            p := add(p, 32)
            for { let i := 0 } lt(i, nl) { i := add(i, 1) } {
                mcopy(p, mload(add(add(lk, 32), shl(5, i))), 96)
                p := add(p, 96)
            }
        }
    }

    // packOut's bytes back (the wrapper call's return data, in memory): the claims, advice claims
    // and lookups built in place.
    function unpackOut(bytes memory b) internal pure returns (ZkTypes.StepOut memory o) {
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := add(b, 32)
            end := add(p, mload(b))
        }
        if (p + 96 > end) revert BadShape();
        uint256 okWord;
        assembly ("memory-safe") {
            okWord := mload(add(p, 32))
        }
        o.st = bytes32(_mword(p));
        o.ok = okWord != 0;
        o.pos = _mword(p + 64);
        p += 96;
        (o.x, p) = _claimsAt(p, end);
        (o.w, p) = _claimsAt(p, end);
        (o.bias, p) = _claimsAt(p, end);
        ZkTypes.AdviceClaim[] memory adv;
        ZkTypes.RangeLookup[] memory lk;
        bool bad;
        assembly ("memory-safe") {
            for {} 1 {} {
                if gt(add(p, 32), end) {
                    bad := 1
                    break
                }
                let n := mload(p)
                p := add(p, 32)
                if gt(n, shr(6, sub(end, p))) {
                    bad := 1
                    break
                }
                adv := mload(0x40)
                mstore(adv, n)
                let s := add(adv, shl(5, add(n, 1)))
                mstore(0x40, add(s, mul(96, n)))
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    if gt(add(p, 64), end) {
                        bad := 1
                        break
                    }
                    let k := mload(add(p, 32))
                    if gt(k, shr(5, sub(end, p))) {
                        bad := 1
                        break
                    }
                    let v := add(p, shl(5, add(k, 2)))
                    if gt(add(v, 32), end) {
                        bad := 1
                        break
                    }
                    let sp := add(s, mul(96, i))
                    mstore(sp, mload(p))
                    mstore(add(sp, 32), add(p, 32))
                    mstore(add(sp, 64), mload(v))
                    mstore(add(add(adv, 32), shl(5, i)), sp)
                    p := add(v, 32)
                }
                if bad { break }
                if gt(add(p, 32), end) {
                    bad := 1
                    break
                }
                n := mload(p)
                p := add(p, 32)
                if iszero(eq(mul(96, n), sub(end, p))) {
                    bad := 1
                    break
                }
                lk := mload(0x40)
                mstore(lk, n)
                mstore(0x40, add(lk, shl(5, add(n, 1))))
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    mstore(add(add(lk, 32), shl(5, i)), add(p, mul(96, i)))
                }
                break
            }
        }
        if (bad) revert BadShape();
        o.advice = adv;
        o.lookups = lk;
    }

    // n words of bytes, not zeroed (the packers write every word).
    function _words(uint256 n) private pure returns (bytes memory b) {
        assembly ("memory-safe") {
            b := mload(0x40)
            mstore(b, shl(5, n))
            mstore(0x40, add(b, shl(5, add(n, 1))))
        }
    }

    function _mword(uint256 p) private pure returns (uint256 x) {
        assembly ("memory-safe") {
            x := mload(p)
        }
    }

    // ---- node libraries (a model of more than 10 node steps): what crosses their calls ----
    //
    // The contract keeps the context. A node library gets only the claims on the tensors its
    // nodes take (packFor: taken out of the context) and the commitments' variables (openAt's
    // check), and gives back (packBack) the transcript state, the words it read, the claims to
    // open and the range lookups its steps added, and the claims left on any tensor (on the inputs
    // of its nodes, for the libraries after it, the public input and the constants): mergeBack
    // appends them to the context's, in order. Each claim crosses one call once (resnet18: the
    // whole context ABI-encoded into and out of every node library's call before session 16).

    // Words: st, pos (0: the library reads the words from c.pos on), nCom, comVars[nCom], the
    // number of tensors that follow, per tensor (t, its claims): those of tensors ts (two bytes a
    // tensor, big-endian) that have claims, taken out of c.
    function packFor(Ctx memory c, bytes memory ts) internal pure returns (bytes memory b) {
        uint256 nt = ts.length / 2;
        uint256 n = 4 + c.nCom;
        uint256 k = 0;
        for (uint256 i = 0; i < nt; ++i) {
            uint256 t = (uint256(uint8(ts[2 * i])) << 8) | uint8(ts[2 * i + 1]);
            if (c.claims[t].length == 0) continue;
            n += 1 + _claimsWords(c.claims[t]);
            ++k;
        }
        b = _words(n);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        p = _put(p, uint256(c.st));
        p = _put(p, 0);
        p = _put(p, c.nCom);
        p = _putN(p, c.comVars, c.nCom);
        p = _put(p, k);
        for (uint256 i = 0; i < nt; ++i) {
            uint256 t = (uint256(uint8(ts[2 * i])) << 8) | uint8(ts[2 * i + 1]);
            if (c.claims[t].length == 0) continue;
            p = _put(p, t);
            p = _putClaims(p, take(c, t));
        }
    }

    // packFor's bytes (calldata of the node library's call) as the library's context over
    // numTensors tensors: no commitments but their variables, no claims to open, no lookups.
    function unpackFor(bytes calldata b, uint256 numTensors) internal pure returns (Ctx memory c) {
        uint256 p;
        uint256 len = b.length;
        assembly ("memory-safe") {
            p := mload(0x40)
            calldatacopy(p, b.offset, len)
            mstore(0x40, add(p, len))
        }
        uint256 end = p + len;
        if (p + 128 > end) revert BadShape();
        c.st = bytes32(_mword(p));
        c.pos = _mword(p + 32);
        c.nCom = _mword(p + 64);
        if (c.nCom > (end - p - 96) / 32) revert BadShape();
        uint256[] memory vars;
        assembly ("memory-safe") {
            vars := add(p, 64)  // (nCom, comVars) as it stands
        }
        c.comVars = vars;
        p += 96 + 32 * c.nCom;
        if (p + 32 > end) revert BadShape();
        uint256 k = _mword(p);
        p += 32;
        c.claims = new ZkTypes.Claim[][](numTensors);
        for (uint256 i = 0; i < k; ++i) {
            if (p + 32 > end) revert BadShape();
            uint256 t = _mword(p);
            if (t >= numTensors) revert BadShape();
            (c.claims[t], p) = _claimsAt(p + 32, end);
        }
        if (p != end) revert BadShape();
        c.comX = new uint256[](0);
        c.comY = new uint256[](0);
        c.openCom = new uint256[](16);
        c.openPoint = new uint256[][](16);
        c.openValue = new uint256[](16);
        c.segCom = new uint256[](16);
        c.segVars = new uint256[](16);
        c.segTableLog = new uint256[](16);
    }

    // Words: st, pos, nOpen, per claim to open (com, value, |point|, point), nSeg, per lookup (com,
    // numVars, tableLog), the number of tensors with claims, per such tensor (t, its claims).
    function packBack(Ctx memory c) internal pure returns (bytes memory b) {
        uint256 n = 5 + 3 * c.nSeg;
        for (uint256 i = 0; i < c.nOpen; ++i) n += 3 + c.openPoint[i].length;
        uint256 k = 0;
        for (uint256 t = 0; t < c.claims.length; ++t) {
            if (c.claims[t].length == 0) continue;
            n += 1 + _claimsWords(c.claims[t]);
            ++k;
        }
        b = _words(n);
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        p = _put(p, uint256(c.st));
        p = _put(p, c.pos);
        p = _put(p, c.nOpen);
        for (uint256 i = 0; i < c.nOpen; ++i) {
            p = _put(p, c.openCom[i]);
            p = _put(p, c.openValue[i]);
            p = _putArr(p, c.openPoint[i]);
        }
        p = _put(p, c.nSeg);
        for (uint256 e = 0; e < c.nSeg; ++e) {
            p = _put(p, c.segCom[e]);
            p = _put(p, c.segVars[e]);
            p = _put(p, c.segTableLog[e]);
        }
        p = _put(p, k);
        for (uint256 t = 0; t < c.claims.length; ++t) {
            if (c.claims[t].length == 0) continue;
            p = _put(p, t);
            p = _putClaims(p, c.claims[t]);
        }
    }

    // packBack's bytes (the node library's return data) into c: its state, its words after c's
    // position, its claims to open, lookups and claims appended (points in place).
    function mergeBack(Ctx memory c, bytes memory b) internal pure {
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := add(b, 32)
            end := add(p, mload(b))
        }
        if (p + 96 > end) revert BadShape();
        c.st = bytes32(_mword(p));
        c.pos += _mword(p + 32);
        uint256 n = _mword(p + 64);
        p += 96;
        for (uint256 i = 0; i < n; ++i) {
            if (p + 96 > end) revert BadShape();
            uint256 k = _mword(p + 64);
            if (k > (end - p) / 32 || p + 96 + 32 * k > end) revert BadShape();
            uint256[] memory pt;
            assembly ("memory-safe") {
                pt := add(p, 64)
            }
            openAt(c, _mword(p), pt, _mword(p + 32));
            p += 96 + 32 * k;
        }
        if (p + 32 > end) revert BadShape();
        n = _mword(p);
        p += 32;
        if (n > (end - p) / 96) revert BadShape();
        for (uint256 i = 0; i < n; ++i) {
            uint256 e = c.nSeg++;
            if (e == c.segCom.length) {
                c.segCom = _grow(c.segCom);
                c.segVars = _grow(c.segVars);
                c.segTableLog = _grow(c.segTableLog);
            }
            c.segCom[e] = _mword(p);
            c.segVars[e] = _mword(p + 32);
            c.segTableLog[e] = _mword(p + 64);
            p += 96;
        }
        if (p + 32 > end) revert BadShape();
        n = _mword(p);
        p += 32;
        for (uint256 i = 0; i < n; ++i) {
            if (p + 32 > end) revert BadShape();
            uint256 t = _mword(p);
            if (t >= c.claims.length) revert BadShape();
            ZkTypes.Claim[] memory cl;
            (cl, p) = _claimsAt(p + 32, end);
            add(c, t, cl);
        }
        if (p != end) revert BadShape();
    }

    // ---- the model-wide lookups (lookup/batch.h BatchVerifier::verify with range tables) ----

    // What the model-wide lookups leave (the lookups library returns this, not the whole context:
    // an external call copies what it passes).
    struct LookupResult {
        bool ok;
        bytes32 st;
        uint256 pos;  // the first word of the batch proof (after the multiplicities' commitments)
        uint256 end;  // the next unread word
        uint256[] tableLogs;  // the tables, in order of first registration
        uint256[] segTable;  // each segment's table
        uint256[] multX;  // the multiplicities' commitments, one per table
        uint256[] multY;
        uint256[] witnessPoint;
        uint256[] tablePoint;
    }

    // The batch of the nSeg registered range lookups (segVars, segTableLog): the multiplicities'
    // commitments (one per table, 2^k entries; read and absorbed), the batch proof verified
    // (ZkLogup.verifyRangeBatch). Nothing registered: ok, nothing read.
    function lookupsRun(bytes32 st, uint256 pos, uint256[] memory segVars, uint256[] memory segTableLog, uint256 ns, uint256[] calldata w)
        internal
        view
        returns (LookupResult memory r)
    {
        r.st = st;
        r.pos = pos;
        r.end = pos;
        if (ns == 0) {
            r.ok = true;
            return r;
        }
        ZkLogup.RangeBatch memory b;
        b.segTable = new uint256[](ns);
        b.segVars = new uint256[](ns);
        uint256[] memory logs = new uint256[](ns);
        uint256 nt = 0;
        for (uint256 e = 0; e < ns; ++e) {
            uint256 t = 0;
            while (t < nt && logs[t] != segTableLog[e]) ++t;
            if (t == nt) logs[nt++] = segTableLog[e];
            b.segTable[e] = t;
            b.segVars[e] = segVars[e];
        }
        b.tableLogs = new uint256[](nt);
        r.multX = new uint256[](nt);
        r.multY = new uint256[](nt);
        for (uint256 t = 0; t < nt; ++t) {
            b.tableLogs[t] = logs[t];
            (r.multX[t], r.multY[t]) = (w[pos], w[pos + 1]);
            st = _absorbCommitment(st, logs[t], w[pos], w[pos + 1]);
            pos += 2;
        }
        (, uint256 n) = ZkLogup.layout(b.segVars);
        (, uint256 k) = ZkLogup.layout(b.tableLogs);
        uint256 len = ZkLogup.proofWords(n, k) + ns + nt;
        if (pos + len > w.length) revert BadShape();
        ZkLogup.BatchClaims memory bc;
        (r.st, r.ok, bc) = ZkLogup.verifyRangeBatch(st, b, w[pos:pos + len]);
        r.pos = pos;
        r.end = pos + len;
        r.tableLogs = b.tableLogs;
        r.segTable = b.segTable;
        r.witnessPoint = bc.witnessPoint;
        r.tablePoint = bc.tablePoint;
    }

    // The lookups' claims to open at the end: each segment's column at the witness point's prefix
    // (its value the proof's segment value), each table's multiplicities at the table point's.
    function lookupsApply(Ctx memory c, LookupResult memory r, uint256[] calldata w) internal pure returns (bool) {
        if (!r.ok) return false;
        c.st = r.st;
        c.pos = r.end;
        uint256 nt = r.tableLogs.length;
        if (c.nSeg == 0) return true;
        uint256 g = r.end - r.pos - c.nSeg - nt;  // the GKR's words
        uint256[] memory mcom = new uint256[](nt);
        for (uint256 t = 0; t < nt; ++t) mcom[t] = addCommitment(c, r.multX[t], r.multY[t], r.tableLogs[t]);
        // (Session 18: segments of one size share their prefix's array: resnet18's segments
        // each copied theirs, about 80 k gas of the contract's memory.)
        uint256[] memory byLen = new uint256[](r.witnessPoint.length + 1);
        for (uint256 e = 0; e < c.nSeg; ++e) openAt(c, c.segCom[e], _prefixShared(byLen, r.witnessPoint, c.segVars[e]), w[r.pos + g + e]);
        for (uint256 t = 0; t < nt; ++t) openAt(c, mcom[t], _prefix(r.tablePoint, r.tableLogs[t]), w[r.pos + g + c.nSeg + t]);
        return true;
    }

    // _prefix(a, n), the array made once per n (byLen[n]: 0, or the array made; byLen has
    // |a| + 1 entries). The arrays are only read after this (openAt keeps the pointer; nothing
    // writes a claim's point).
    function _prefixShared(uint256[] memory byLen, uint256[] memory a, uint256 n) private pure returns (uint256[] memory b) {
        if (n >= byLen.length) revert BadShape();
        uint256 q = byLen[n];
        if (q == 0) {
            b = _prefix(a, n);
            assembly ("memory-safe") {
                q := b
            }
            byLen[n] = q;
        } else {
            assembly ("memory-safe") {
                b := q
            }
        }
    }

    function _prefix(uint256[] memory a, uint256 n) private pure returns (uint256[] memory b) {
        if (n > a.length) revert BadShape();
        assembly ("memory-safe") {
            b := mload(0x40)
            mstore(b, n)
            mcopy(add(b, 32), add(a, 32), shl(5, n))
            mstore(0x40, add(b, shl(5, add(n, 1))))
        }
    }

    // ---- the batch opening (pcs/kzg_scheme.cc verify_open + finish, plain claims) ----

    // The opening reduction over every claim (commitments in order of first claim), the values
    // F_c prod_{j >= n_c} (1 - rho_j) at rho, and the masked HyperKZG batch of those commitments
    // (widened to N variables) at rho; then every proof word must have been read. key: the
    // ZkHyperKzg key words.
    function opening(Ctx memory c, uint256[] calldata w, uint256[] memory key) internal view returns (bool) {
        if (c.nOpen == 0) return c.pos == w.length;
        // pcs::ClaimList: the commitments in order of their first claim.
        uint256[] memory handleOf = new uint256[](c.nCom);  // handle + 1, 0: none
        uint256[] memory coms = new uint256[](c.nCom);
        uint256 nh = 0;
        ZkReduction.Claim[] memory claims;
        {
            // In assembly: the claims array and its structs (com, point, value: three words each)
            // allocated at once, the handles of the commitments in order of first claim.
            uint256 nOpen = c.nOpen;
            uint256 nCom = c.nCom;
            uint256[] memory openCom = c.openCom;
            uint256[][] memory openPoint = c.openPoint;
            uint256[] memory openValue = c.openValue;
            bool bad;
            assembly ("memory-safe") {
                claims := mload(0x40)
                mstore(claims, nOpen)
                let structs := add(claims, shl(5, add(nOpen, 1)))
                mstore(0x40, add(structs, mul(96, nOpen)))
                let hp := add(handleOf, 32)
                let cp := add(coms, 32)
                for { let i := 0 } lt(i, nOpen) { i := add(i, 1) } {
                    let com := mload(add(add(openCom, 32), shl(5, i)))
                    switch lt(com, nCom)
                    case 0 { bad := 1 }
                    default {
                        let hs := add(hp, shl(5, com))
                        let h := mload(hs)
                        if iszero(h) {
                            mstore(add(cp, shl(5, nh)), com)
                            nh := add(nh, 1)
                            h := nh
                            mstore(hs, h)
                        }
                        let sp := add(structs, mul(96, i))
                        mstore(sp, sub(h, 1))
                        mstore(add(sp, 32), mload(add(add(openPoint, 32), shl(5, i))))
                        mstore(add(sp, 64), mload(add(add(openValue, 32), shl(5, i))))
                        mstore(add(add(claims, 32), shl(5, i)), sp)
                    }
                }
            }
            if (bad) revert BadShape();
        }
        uint256[] memory numVars = new uint256[](nh);
        uint256 n = 0;
        for (uint256 h = 0; h < nh; ++h) {
            numVars[h] = c.comVars[coms[h]];
            if (numVars[h] > n) n = numVars[h];
        }
        uint256 p = c.pos;
        uint256 len = 2 * n + nh;
        if (n == 0 || p + len > w.length) revert BadShape();
        bool ok;
        uint256[] memory rho;
        (c.st, ok, rho) = ZkReduction.verifyReduction(c.st, numVars, claims, w[p:p + len]);
        if (!ok) return false;
        p += len;
        uint256[] memory items = new uint256[](nh * ZkHyperKzg.ITEM_WORDS);
        // suf[j] = prod_{j' >= j} (1 - rho_j'): F_c widened to N variables is F_c suf[n_c]
        uint256[] memory suf = new uint256[](n + 1);
        assembly ("memory-safe") {
            let q := 21888242871839275222246405745257275088548364400416034343698204186575808495617
            let sp := add(suf, 32)
            let rp := add(rho, 32)
            mstore(add(sp, shl(5, n)), 1)
            for { let j := n } gt(j, 0) { j := sub(j, 1) } {
                mstore(add(sp, shl(5, sub(j, 1))), mulmod(mload(add(sp, shl(5, j))), addmod(1, sub(q, mload(add(rp, shl(5, sub(j, 1))))), q), q))
            }
        }
        for (uint256 h = 0; h < nh; ++h) {
            uint256 s = mulmod(w[p - nh + h], suf[numVars[h]], R);
            items[5 * h] = c.comX[coms[h]];
            items[5 * h + 1] = c.comY[coms[h]];
            items[5 * h + 3] = s;
        }
        uint256 pl = ZkHyperKzg.proofWords(n);
        if (p + pl != w.length) revert BadShape();  // the opening is the proof's end
        (c.st, ok) = ZkHyperKzg.verify(c.st, key, rho, items, w[p:p + pl]);
        c.pos = p + pl;
        return ok;
    }
}
