// SPDX-License-Identifier: UNLICENSED
// zkinfer's LogUp fraction-sum GKR verifier (src/lookup/verifier.h `verify_fractions`, plain mode:
// every message a field element in the clear; docs/protocol/logup.md, verifier steps 2 and 3).
//
// A lookup of 2^n witness rows into a table of 2^k rows proves sum_i 1/(alpha - w_i) =
// sum_j m_j/(alpha - t_j) by a GKR over two binary trees of fractions (p, q) (the witness tree W
// and the table tree T, whose leaves hold (-m_j, alpha - t_j)); below the smaller depth s =
// min(n, k) their levels are combined (C: P = p_W q_T + p_T q_W, Q = q_W q_T at the root). The
// steps (`plan_steps`): the combined tree's levels l = 0..s (each drawing mu except the last,
// which splits the claim into a W and a T claim), then the deeper tree's levels s..max(n, k) - 1
// (the witness tree's last level has unit numerators, which are not sent).
//
// Transcript, as verify_fractions: absorb (root numerator, root denominator) ("logup.root"); per
// step draw lambda ("logup.lambda"), run the sumcheck with eq of degree 3 over the step's
// variables (ZkSumcheck.verifyRoundsWithEq) on claim_p + lambda claim_q, check and absorb the
// final values (eq, p0, p1, q0, q1) or, for unit children, (eq, q0, q1), then draw mu
// ("logup.mu") where the step draws it. The proof's words, in the C++ serialization order: the
// two root values, then per step its rounds (2 values each) and its final values.
//
// What is left to the caller (as in C++): the leaf claims. The witness leaves' numerators must be
// 1 (unless the witness tree ended with unit children), their denominators alpha - w(witness
// point), and the table leaves' denominators alpha - t(table point); the table numerators are
// -m(table point), checked against the multiplicities' commitment.
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";

library ZkLogup {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    error BadShape();

    uint256 internal constant L_ROOT = uint256(bytes32("logup.root")) | 10;
    uint256 internal constant L_LAMBDA = uint256(bytes32("logup.lambda")) | 12;
    uint256 internal constant L_MU = uint256(bytes32("logup.mu")) | 8;
    uint256 internal constant L_BETA = uint256(bytes32("logup.beta")) | 10;
    uint256 internal constant L_ALPHA = uint256(bytes32("logup.alpha")) | 11;
    uint256 internal constant L_BATCH_SHAPE = uint256(bytes32("logup.batch.shape")) | 17;
    uint256 internal constant L_BATCH_GAMMA = uint256(bytes32("logup.batch.gamma")) | 17;
    uint256 internal constant L_SEGMENT_EVALS = uint256(bytes32("logup.batch.segment_evals")) | 25;
    uint256 internal constant L_MULTIPLICITY_EVALS = uint256(bytes32("logup.batch.multiplicity_evals")) | 30;
    uint256 internal constant MAX_LOG_ROWS = 48;  // lookup::kMaxLogRows

    // The leaf claims of an accepted proof (lookup::FractionLeafClaims).
    struct Leaves {
        uint256[] witnessPoint;  // n coordinates
        uint256 witnessP;
        uint256 witnessQ;
        bool witnessUnit;  // the witness tree's last step had unit children (witnessP is 1 then)
        uint256[] tablePoint;  // k coordinates
        uint256 tableP;
        uint256 tableQ;
    }

    // The running state of the steps (a struct against stack depth).
    struct Run {
        uint256[] rho;
        uint256 claimP;
        uint256 claimQ;
        uint256 pos;
    }

    // The number of proof words for a witness of 2^n rows and a table of 2^k rows.
    function proofWords(uint256 n, uint256 k) internal pure returns (uint256 len) {
        uint256 s = n < k ? n : k;
        uint256 big = n < k ? k : n;
        len = 2;
        for (uint256 l = 0; l <= s; ++l) len += 2 * l + 5;
        for (uint256 l = s; l < big; ++l) len += 2 * l + (n > k && l + 1 == n ? 3 : 5);
    }

    // Verifies the root and every GKR step. Returns the transcript, whether the proof is accepted
    // (false: a check failed; malformed words revert) and, when accepted, the leaf claims.
    function verifyFractions(bytes32 st, uint256 n, uint256 k, uint256[] calldata proof)
        internal
        view
        returns (bytes32, bool, Leaves memory res)
    {
        if (n > MAX_LOG_ROWS || k > MAX_LOG_ROWS || proof.length != proofWords(n, k)) revert BadShape();
        st = ZkTranscript.absorbFrsCd(st, L_ROOT, proof[0:2]);  // checks both canonical
        if (proof[0] != 0 || proof[1] == 0) return (st, false, res);
        uint256 s = n < k ? n : k;
        uint256 steps = (n < k ? k : n) + 1;
        Run memory run = Run(new uint256[](0), proof[0], proof[1], 2);
        for (uint256 i = 0; i < steps; ++i) {
            // Step i: the combined tree's level i (i <= s), then the deeper tree's level i - 1.
            uint256 nv = i <= s ? i : i - 1;
            bool unit = i > s && n > k && nv + 1 == n;
            bool ok;
            (st, ok) = _step(st, run, proof, nv, unit, i < s || i > s);
            if (!ok) return (st, false, res);
            if (i == s) {
                // The split: (p0, q0) is W's claim and (p1, q1) T's, at the same point.
                (res.witnessP, res.witnessQ, res.tableP, res.tableQ) = _split(proof, run.pos);
                run.pos += 5;
                if (n == s) res.witnessPoint = run.rho;
                if (k == s) res.tablePoint = run.rho;
                if (n > s) (run.claimP, run.claimQ) = (res.witnessP, res.witnessQ);
                else if (k > s) (run.claimP, run.claimQ) = (res.tableP, res.tableQ);
            } else if (i > s) {
                res.witnessUnit = unit;
            }
        }
        if (n > s) (res.witnessPoint, res.witnessP, res.witnessQ) = (run.rho, run.claimP, run.claimQ);
        if (k > s) (res.tablePoint, res.tableP, res.tableQ) = (run.rho, run.claimP, run.claimQ);
        return (st, true, res);
    }

    // One GKR step over nv variables: the sumcheck of eq (p0 q1 + p1 q0 + lambda q0 q1) (unit
    // children: eq (q1 + q0 + lambda q0 q1)) on claim_p + lambda claim_q, its final values checked
    // and absorbed; then, if drawsMu, the next claim p0 + mu (p1 - p0), q0 + mu (q1 - q0) at
    // (point, mu). Without mu the point becomes rho and the claims stay for the caller (_split).
    function _step(bytes32 st, Run memory run, uint256[] calldata proof, uint256 nv, bool unit, bool drawsMu)
        private
        view
        returns (bytes32, bool)
    {
        uint256 lambda;
        (st, lambda) = ZkTranscript.challenge(st, L_LAMBDA);
        uint256[] memory coeffs = new uint256[](3);
        coeffs[0] = 1;
        coeffs[1] = 1;
        coeffs[2] = lambda;
        uint256 claim = addmod(run.claimP, mulmod(lambda, run.claimQ, R), R);
        uint256 num;  // the last round's claim is c num / den
        uint256 den;
        uint256[] memory point;
        uint256 c;
        (st, num, den, point, c) =
            ZkSumcheck.verifyRoundsWithEqFrac(st, run.rho, 3, coeffs, claim, proof[run.pos:run.pos + 2 * nv]);
        run.pos += 2 * nv;
        uint256 nf = unit ? 3 : 5;
        uint256[] calldata fe = proof[run.pos:run.pos + nf];
        // Factor 0 is eq(rho, point), the verifier's own value.
        if (ZkFr.canonical(fe[0]) != c) return (st, false);
        uint256 p0 = unit ? 1 : ZkFr.canonical(fe[1]);
        uint256 p1 = unit ? 1 : ZkFr.canonical(fe[2]);
        uint256 q0 = ZkFr.canonical(fe[unit ? 1 : 3]);
        uint256 q1 = ZkFr.canonical(fe[unit ? 2 : 4]);
        uint256 g = addmod(addmod(mulmod(p0, q1, R), mulmod(p1, q0, R), R), mulmod(lambda, mulmod(q0, q1, R), R), R);
        if (mulmod(mulmod(c, g, R), den, R) != mulmod(c, num, R)) return (st, false);  // c g = c num / den
        st = ZkSumcheck.absorbFinal(st, fe);
        if (drawsMu) {
            run.pos += nf;
            uint256 mu;
            (st, mu) = ZkTranscript.challenge(st, L_MU);
            uint256[] memory next = new uint256[](nv + 1);
            for (uint256 j = 0; j < nv; ++j) next[j] = point[j];
            next[nv] = mu;
            run.rho = next;
            run.claimP = addmod(p0, mulmod(mu, addmod(p1, R - p0, R), R), R);
            run.claimQ = addmod(q0, mulmod(mu, addmod(q1, R - q0, R), R), R);
        } else {
            run.rho = point;  // run.pos stays at the final values: _split reads them
        }
        return (st, true);
    }

    // The last combined step's final values (eq, p0, p1, q0, q1) at pos: W's (p0, q0), T's (p1, q1).
    function _split(uint256[] calldata proof, uint256 pos)
        private
        pure
        returns (uint256 wp, uint256 wq, uint256 tp, uint256 tq)
    {
        wp = proof[pos + 1];
        tp = proof[pos + 2];
        wq = proof[pos + 3];
        tq = proof[pos + 4];
    }

    // ---- the model-wide batch of range lookups (src/lookup/batch.h BatchVerifier::verify) ----

    // The batch's shape as the verifying key fixes it: the distinct range tables [0, 2^k_t) in
    // registration order (tag t = their index), and per segment (registration order) its table and
    // its 2^n_e rows (one column each).
    struct RangeBatch {
        uint256[] tableLogs;
        uint256[] segTable;
        uint256[] segVars;
    }

    // What an accepted batch leaves the caller to check against the commitments: segment e's
    // column has MLE value segmentEvals[e] (the proof's words) at witnessPoint[0..n_e), table t's
    // multiplicities have multiplicityEvals[t] at tablePoint[0..k_t).
    struct BatchClaims {
        uint256[] witnessPoint;
        uint256[] tablePoint;
    }

    // BatchLayout::make: blocks of 2^vars[e] rows placed largest first (ties in order), each at an
    // offset that is a multiple of its size; the total and its variables ceil(log2 total). (Sizes
    // are powers of two placed in decreasing order, so every offset is a multiple of its size and
    // the total is their sum: block e starts after every larger block and every equal one before
    // it. One pass counts the sizes, one places the blocks: O(m + 49), in assembly.)
    function layout(uint256[] memory vars) internal pure returns (uint256[] memory offsets, uint256 nv) {
        uint256 m = vars.length;
        offsets = new uint256[](m);
        uint256 total;
        bool bad;
        assembly ("memory-safe") {
            // cursor[v] (v = 0..48) in scratch memory past the free pointer: first the bytes of
            // blocks of 2^v rows, then where the next one goes.
            let cur := mload(0x40)
            for { let v := 0 } lt(v, 49) { v := add(v, 1) } { mstore(add(cur, shl(5, v)), 0) }
            let vp := add(vars, 32)
            for { let e := 0 } lt(e, m) { e := add(e, 1) } {
                let v := mload(add(vp, shl(5, e)))
                switch gt(v, 48)
                case 1 { bad := 1 }
                default {
                    let slot := add(cur, shl(5, v))
                    mstore(slot, add(mload(slot), shl(v, 1)))
                }
            }
            if iszero(bad) {
                for { let v := 49 } gt(v, 0) { v := sub(v, 1) } {
                    let slot := add(cur, shl(5, sub(v, 1)))
                    let size := mload(slot)
                    mstore(slot, total)
                    total := add(total, size)
                }
                let op := add(offsets, 32)
                for { let e := 0 } lt(e, m) { e := add(e, 1) } {
                    let v := mload(add(vp, shl(5, e)))
                    let slot := add(cur, shl(5, v))
                    let o := mload(slot)
                    mstore(add(op, shl(5, e)), o)
                    mstore(slot, add(o, shl(v, 1)))
                }
            }
        }
        if (bad) revert BadShape();
        while ((uint256(1) << nv) < total) ++nv;
        if (nv > MAX_LOG_ROWS) revert BadShape();
    }

    // eq(bits of i, point[lo..]): the selector of block i of 2^lo rows.
    function eqIndex(uint256[] memory point, uint256 lo, uint256 i) internal pure returns (uint256 acc) {
        uint256 n = point.length;
        acc = 1;
        assembly ("memory-safe") {
            let pp := add(point, 32)
            for { let b := lo } lt(b, n) { b := add(b, 1) } {
                let p := mload(add(pp, shl(5, b)))
                switch and(shr(sub(b, lo), i), 1)
                case 1 { acc := mulmod(acc, p, R) }
                default { acc := mulmod(acc, addmod(1, sub(R, p), R), R) }
            }
        }
    }

    // absorb_batch_shape's bytes: u64 (little-endian) count of tables, per table u8 kind (1: range),
    // u64 k, u64 columns (1); u64 count of segments, per segment u64 table, u64 n.
    function shapeBytes(RangeBatch memory b) internal pure returns (bytes memory out) {
        uint256 nt = b.tableLogs.length;
        uint256 ns = b.segTable.length;
        out = new bytes(8 + 17 * nt + 8 + 16 * ns);
        uint256[] memory logs = b.tableLogs;
        uint256[] memory segT = b.segTable;
        uint256[] memory segV = b.segVars;
        assembly ("memory-safe") {
            // 8 little-endian bytes of v at p (the word's other bytes are overwritten next, or past
            // the end: the allocation is padded to a word, and memory past it is scratch).
            function put(p, u) -> q {
                u := and(u, 0xffffffffffffffff)
                u := or(shl(8, and(u, 0x00ff00ff00ff00ff)), and(shr(8, u), 0x00ff00ff00ff00ff))
                u := or(shl(16, and(u, 0x0000ffff0000ffff)), and(shr(16, u), 0x0000ffff0000ffff))
                u := and(or(shl(32, u), shr(32, u)), 0xffffffffffffffff)
                mstore(p, shl(192, u))
                q := add(p, 8)
            }
            let p := put(add(out, 32), nt)
            for { let t := 0 } lt(t, nt) { t := add(t, 1) } {
                mstore8(p, 1)
                p := put(add(p, 1), mload(add(add(logs, 32), shl(5, t))))
                p := put(p, 1)
            }
            p := put(p, ns)
            for { let e := 0 } lt(e, ns) { e := add(e, 1) } {
                p := put(p, mload(add(add(segT, 32), shl(5, e))))
                p := put(p, mload(add(add(segV, 32), shl(5, e))))
            }
        }
    }

    // Verifies the batch after the multiplicities' commitments are absorbed: the shape, beta,
    // gamma, alpha, the fraction GKR over the tagged witness (2^N rows) and the tagged table (2^K
    // rows), then the leaves: the witness numerators 1, alpha - w~(rho_W) from the segments' values
    // and tags (the padding rows are table 0's row 0, the value 0 of a range table: no term), and
    // alpha - t~(rho_T), -m~(rho_T) from the tables (a range table's MLE is sum_i 2^i x_i) and the
    // multiplicities' values. proof: the GKR's words, then the segments' values, then the tables'.
    function verifyRangeBatch(bytes32 st, RangeBatch memory b, uint256[] calldata proof)
        internal
        view
        returns (bytes32, bool, BatchClaims memory c)
    {
        uint256 ns = b.segTable.length;
        uint256 nt = b.tableLogs.length;
        if (ns == 0 || nt == 0 || b.segVars.length != ns) revert BadShape();
        for (uint256 e = 0; e < ns; ++e) if (b.segTable[e] >= nt) revert BadShape();
        (uint256[] memory offW, uint256 n) = layout(b.segVars);
        (uint256[] memory offT, uint256 k) = layout(b.tableLogs);
        uint256 g = proofWords(n, k);
        if (proof.length != g + ns + nt) revert BadShape();
        st = ZkTranscript.absorbBytes(st, L_BATCH_SHAPE, shapeBytes(b));
        uint256 gamma;
        uint256 alpha;
        (st,) = ZkTranscript.challenge(st, L_BETA);  // beta: no two-column table here
        (st, gamma) = ZkTranscript.challenge(st, L_BATCH_GAMMA);
        (st, alpha) = ZkTranscript.challenge(st, L_ALPHA);
        Leaves memory leaves;
        bool ok;
        (st, ok, leaves) = verifyFractions(st, n, k, proof[0:g]);
        if (!ok || (!leaves.witnessUnit && leaves.witnessP != 1)) return (st, false, c);
        uint256[] calldata segEvals = proof[g:g + ns];
        st = ZkTranscript.absorbFrsCd(st, L_SEGMENT_EVALS, segEvals);  // checks each canonical
        uint256 acc;
        for (uint256 e = 0; e < ns; ++e) {
            uint256 v = addmod(mulmod(gamma, b.segTable[e], R), segEvals[e], R);
            acc = addmod(acc, mulmod(v, eqIndex(leaves.witnessPoint, b.segVars[e], offW[e] >> b.segVars[e]), R), R);
        }
        if (addmod(alpha, R - acc, R) != leaves.witnessQ) return (st, false, c);
        uint256[] calldata multEvals = proof[g + ns:];
        st = ZkTranscript.absorbFrsCd(st, L_MULTIPLICITY_EVALS, multEvals);
        uint256 tv;
        uint256 mv;
        for (uint256 t = 0; t < nt; ++t) {
            uint256 kt = b.tableLogs[t];
            uint256 sel = eqIndex(leaves.tablePoint, kt, offT[t] >> kt);
            uint256 x = mulmod(gamma, t, R);
            for (uint256 i = 0; i < kt; ++i) x = addmod(x, mulmod(leaves.tablePoint[i], (uint256(1) << i) % R, R), R);
            tv = addmod(tv, mulmod(sel, x, R), R);
            mv = addmod(mv, mulmod(multEvals[t], sel, R), R);
        }
        if (addmod(alpha, R - tv, R) != leaves.tableQ || addmod(R - mv, 0, R) != leaves.tableP) return (st, false, c);
        c.witnessPoint = leaves.witnessPoint;
        c.tablePoint = leaves.tablePoint;
        return (st, true, c);
    }
}
