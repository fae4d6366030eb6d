// SPDX-License-Identifier: UNLICENSED
// The model-wide lookup batch in zero-knowledge mode: src/lookup/verifier.h `verify_fractions` and
// src/lookup/batch.h `BatchVerifier::verify` over cp Vals (kzg pads of key version 8;
// docs/protocol/evm.md section 4.1.1, design (a)), beside ZkLogup's plain mode (same shapes: range
// tables only, the batch's words in the same order).
//
// Differences from the plain routines, all the C++ verifier's own in zero-knowledge mode:
//   - every proof word is a padded message (ZkCp.absorbMessages: the root's two values, each step's
//     rounds and final values, the segments' and the multiplicities' values); no value is
//     checked on the spot: each check is an equality recorded into the caller's ZkCp.Log, in the
//     C++ order: the root numerator = 0; per step, sumcheck::verify_with_eq's (factor 0's final
//     value = eq(rho, r), the composition's products q0 (p1 + lambda q1) and p0 q1, resp. the one
//     product q0 (lambda q1) for unit children, then composition = running: what
//     ZkCpSumcheck.verifyWithEq records, in a transcription for the two compositions, `_sumcheck`);
//     then the witness numerator = 1 (unless unit children), alpha - w~(rho_W) = witness
//     denominator, alpha - t~(rho_T) = table denominator, -m~(rho_T) = table numerator;
//   - the GKR's claims are forms: p0 + mu (p1 - p0) kept as (1 - mu) p0 + mu p1 (unit children:
//     the public 1); eq(rho, r) is the verifier's own value (sumcheck's known factor 0), so the
//     plain "eq value" check is the recorded equality above.
// The claims handed back are forms of one slot each: segment e's column at witnessPoint[0..n_e)
// and table t's multiplicities at tablePoint[0..k_t). Differentially tested by evm_zk_test
// (`EvmZk.Logup*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkFr} from "./ZkFr.sol";
import {ZkLogup} from "./ZkLogup.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpLogup {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    // The leaf claims as forms (lookup::FractionLeafClaims over cp Vals).
    struct Leaves {
        uint256[] witnessPoint;
        uint256[] witnessP;  // flat forms [c, n, (atom, coeff) x n]
        uint256[] witnessQ;
        bool witnessUnit;  // witnessP is the public 1 then
        uint256[] tablePoint;
        uint256[] tableP;
        uint256[] tableQ;
    }

    // The running state of the steps (a struct against stack depth).
    struct Run {
        bytes32 st;
        bool ok;
        uint256 pos;
        uint256[] rho;
        uint256[] claimP;
        uint256[] claimQ;
    }

    // ---- forms ----

    // [v, 0]: a public value.
    function _pub(uint256 v) private pure returns (uint256[] memory f) {
        f = new uint256[](2);
        f[0] = v;
    }

    // ka a + kb b (terms concatenated, a's first).
    function _lin(uint256[] memory a, uint256 ka, uint256[] memory b, uint256 kb) private pure returns (uint256[] memory f) {
        uint256 na = a[1];
        uint256 nb = b[1];
        f = new uint256[](2 + 2 * (na + nb));
        f[0] = addmod(mulmod(a[0], ka, R), mulmod(b[0], kb, R), R);
        f[1] = na + nb;
        for (uint256 i = 0; i < na; ++i) {
            f[2 + 2 * i] = a[2 + 2 * i];
            f[3 + 2 * i] = mulmod(a[3 + 2 * i], ka, R);
        }
        for (uint256 i = 0; i < nb; ++i) {
            f[2 + 2 * (na + i)] = b[2 + 2 * i];
            f[3 + 2 * (na + i)] = mulmod(b[3 + 2 * i], kb, R);
        }
    }

    // (1 - mu) x_a + mu x_b: the claim p0 + mu (p1 - p0) on slots a, b.
    function _fold(uint256 a, uint256 b, uint256 mu) private pure returns (uint256[] memory f) {
        f = new uint256[](6);
        f[1] = 2;
        f[2] = a;
        f[3] = addmod(1, R - mu, R);
        f[4] = b;
        f[5] = mu;
    }

    // ---- the fraction GKR (verify_fractions) ----

    // Verifies the root and every GKR step from pf[0] (ZkLogup.proofWords(n, k) words, all padded
    // messages), recording the checks into z.g. Returns the state, ok (false: a pad chunk missing
    // from the header) and the leaf claims as forms, which the caller must check.
    function verifyFractions(bytes32 st, ZkCpMatmul.Cp memory z, uint256 n, uint256 k, uint256[] calldata pf)
        internal
        view
        returns (bytes32, bool, Leaves memory res)
    {
        if (n > ZkLogup.MAX_LOG_ROWS || k > ZkLogup.MAX_LOG_ROWS || pf.length != ZkLogup.proofWords(n, k)) {
            revert ZkLogup.BadShape();
        }
        Run memory run;
        uint256 s0 = z.g.ns;
        (run.st, run.ok) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkLogup.L_ROOT, pf[0:2]);
        // the root numerator is 0
        run.claimP = ZkCpMatmul.single(s0);
        run.claimQ = ZkCpMatmul.single(s0 + 1);
        ZkCp.recordZero(z.g, run.claimP, 0);
        run.pos = 2;
        uint256 s = n < k ? n : k;
        uint256 steps = (n < k ? k : n) + 1;
        for (uint256 i = 0; i < steps; ++i) {
            // Step i: the combined tree's level i (i <= s), then the deeper tree's level i - 1.
            uint256 nv = i <= s ? i : i - 1;
            bool unit = i > s && n > k && nv + 1 == n;
            uint256 f = _step(run, z, nv, unit, i != s, pf);
            if (i == s) {
                // the split: (p0, q0) is W's claim and (p1, q1) T's, at the same point
                res.witnessP = ZkCpMatmul.single(f + 1);
                res.tableP = ZkCpMatmul.single(f + 2);
                res.witnessQ = ZkCpMatmul.single(f + 3);
                res.tableQ = ZkCpMatmul.single(f + 4);
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
        return (run.st, run.ok, res);
    }

    // One GKR step over nv variables: lambda, the sumcheck with eq of
    // eq (p0 q1 + p1 q0 + lambda q0 q1) (unit children: eq (q1 + q0 + lambda q0 q1)) on
    // claim_p + lambda claim_q (`_sumcheck` records its checks); then, if drawsMu, the
    // next claims at (point, mu); else the point becomes rho and the caller reads the final values.
    // Returns the final values' first slot (factor j: + j; factor 0 is eq).
    function _step(Run memory run, ZkCpMatmul.Cp memory z, uint256 nv, bool unit, bool drawsMu, uint256[] calldata pf)
        private
        view
        returns (uint256 f)
    {
        uint256 lambda;
        (run.st, lambda) = ZkTranscript.challenge(run.st, ZkLogup.L_LAMBDA);
        uint256[] memory point;
        (f, point) = _sumcheck(run, z, nv, unit, lambda, _lin(run.claimP, 1, run.claimQ, lambda), pf);
        if (drawsMu) {
            uint256 mu;
            (run.st, mu) = ZkTranscript.challenge(run.st, ZkLogup.L_MU);
            uint256[] memory next = new uint256[](nv + 1);
            for (uint256 j = 0; j < nv; ++j) next[j] = point[j];
            next[nv] = mu;
            run.rho = next;
            if (unit) {
                run.claimP = _pub(1);
                run.claimQ = _fold(f + 1, f + 2, mu);
            } else {
                run.claimP = _fold(f + 1, f + 2, mu);
                run.claimQ = _fold(f + 3, f + 4, mu);
            }
        } else {
            run.rho = point;
        }
    }

    // ---- a step's sumcheck: ZkCpSumcheck.verifyWithEq for LogUp's two compositions ----
    //
    // The same transcript, slots, products and equalities as ZkCpSumcheck.verifyWithEq on
    // step_composition (factors (eq, p0, p1, q0, q1), terms [1: 0 1 4], [1: 0 2 3], [lambda: 0 3 4];
    // unit children (eq, q0, q1), [1: 0 2], [1: 0 1], [lambda: 0 1 2]), with what the generic code
    // derives written out: degree 3, two values a round (q(0) and q(2), or q(1) and q(2) when
    // rho_i = 0), the Lagrange weights of the nodes 0, 1, 2 in closed form, and the composition's
    // grouping (evaluate_composition: the shared factor q0 first, then p0): with c = eq(rho, r),
    // products q0 (c p1 + lambda c q1) and p0 (c q1), composition = both; unit children: the one
    // product q0 (lambda c q1), composition = c q1 + c q0 + it.

    uint256 private constant INV2 = 10944121435919637611123202872628637544274182200208017171849102093287904247809;

    // The rounds' state: running claim = a * claim + sum_j c[j] x_{s0 + j}.
    struct Sc {
        bytes32 st;
        uint256 a;
        uint256[] c;
        uint256 cEq;
        uint256 s0;
        uint256 p;
    }

    // Returns the final values' first slot and the point.
    function _sumcheck(
        Run memory run,
        ZkCpMatmul.Cp memory z,
        uint256 nv,
        bool unit,
        uint256 lambda,
        uint256[] memory claim,
        uint256[] calldata pf
    ) private view returns (uint256 finals, uint256[] memory point) {
        if (run.rho.length != nv) revert ZkLogup.BadShape();
        Sc memory u;
        {
            bytes32 st = ZkTranscript.absorbU64(run.st, ZkSumcheck.L_NUM_VARS, uint64(nv));
            st = ZkTranscript.absorbU64(st, ZkSumcheck.L_DEGREE, 3);
            uint256[] memory coeffs = new uint256[](3);
            (coeffs[0], coeffs[1], coeffs[2]) = (1, 1, lambda);
            u.st = ZkTranscript.absorbFrs(st, ZkSumcheck.L_COEFFS, coeffs);
        }
        point = _rounds(u, run, z, nv, pf);
        finals = u.s0 + 2 * nv;
        // factor 0's final value = c
        {
            uint256[] memory e0 = ZkCpMatmul.single(finals);
            e0[0] = u.cEq == 0 ? 0 : R - u.cEq;
            ZkCp.recordZero(z.g, e0, 0);
        }
        // the composition (its products) minus the running claim
        uint256 nt = unit ? 3 : 2;
        uint256[] memory zf = new uint256[](2 + 2 * (nt + claim[1] + 2 * nv));
        {
            uint256 cq = mulmod(u.cEq, lambda, R);
            // x: [0, 1, factor, 1]; y: up to two terms
            uint256[] memory xy = new uint256[](10);
            (xy[1], xy[3]) = (1, 1);
            if (unit) {
                (zf[2], zf[3], zf[4], zf[5]) = (finals + 2, u.cEq, finals + 1, u.cEq);
                xy[2] = finals + 1;
                (xy[5], xy[6], xy[7]) = (1, finals + 2, cq);
                zf[6] = ZkCp.recordProduct(z.g, xy, 0, xy, 4);
                zf[7] = 1;
            } else {
                xy[2] = finals + 3;
                (xy[5], xy[6], xy[7], xy[8], xy[9]) = (2, finals + 2, u.cEq, finals + 4, cq);
                zf[2] = ZkCp.recordProduct(z.g, xy, 0, xy, 4);
                xy[2] = finals + 1;
                (xy[5], xy[6], xy[7]) = (1, finals + 4, u.cEq);
                zf[4] = ZkCp.recordProduct(z.g, xy, 0, xy, 4);
                (zf[3], zf[5]) = (1, 1);
            }
        }
        // - a claim - sum_j c_j x_{s0 + j}
        uint256 at = 2 + 2 * nt;
        uint256 na = u.a == 0 ? 0 : R - u.a;
        zf[0] = mulmod(na, claim[0], R);
        for (uint256 i = 0; i < claim[1]; ++i) {
            zf[at++] = claim[2 + 2 * i];
            zf[at++] = mulmod(claim[3 + 2 * i], na, R);
        }
        for (uint256 j = 0; j < 2 * nv; ++j) {
            uint256 cj = u.c[j];
            zf[at++] = u.s0 + j;
            zf[at++] = cj == 0 ? 0 : R - cj;
        }
        zf[1] = (at - 2) / 2;
        ZkCp.recordZero(z.g, zf, 0);
        bool okf;
        uint256 nf = unit ? 3 : 5;
        (run.st, okf) = ZkCp.absorbMessages(u.st, z.g, z.prm, z.chunks, ZkSumcheck.L_FINAL, pf[u.p:u.p + nf]);
        run.ok = run.ok && okf;
        run.pos = u.p + nf;
    }

    // The rounds (verify_with_eq's loop): q(1) from the normalized claim when rho_i != 0.
    function _rounds(Sc memory u, Run memory run, ZkCpMatmul.Cp memory z, uint256 nv, uint256[] calldata pf)
        private
        view
        returns (uint256[] memory point)
    {
        uint256[] memory rho = run.rho;
        uint256[] memory rinv = _inverses(rho);
        point = new uint256[](nv);
        u.s0 = z.g.ns;
        u.a = 1;
        u.cEq = 1;
        u.c = new uint256[](2 * nv);
        u.p = run.pos;
        uint256[] memory c = u.c;
        for (uint256 i = 0; i < nv; ++i) {
            bool okc;
            (u.st, okc) = ZkCp.absorbMessages(u.st, z.g, z.prm, z.chunks, ZkSumcheck.L_ROUND, pf[u.p:u.p + 2]);
            run.ok = run.ok && okc;
            u.p += 2;
            uint256 r;
            (u.st, r) = ZkTranscript.challenge(u.st, ZkSumcheck.L_CHALLENGE);
            point[i] = r;
            uint256 ri = rho[i];
            // the Lagrange weights of the nodes 0, 1, 2 at r
            uint256 r1 = addmod(r, R - 1, R);
            uint256 r2 = addmod(r, R - 2, R);
            uint256 l0 = mulmod(mulmod(r1, r2, R), INV2, R);
            uint256 l1 = mulmod(r, r2, R);
            l1 = l1 == 0 ? 0 : R - l1;
            uint256 l2 = mulmod(mulmod(r, r1, R), INV2, R);
            uint256 scale;
            uint256 b = 2 * i;
            if (ri == 0) {
                // q(0) = e, q(1), q(2) sent
                scale = l0;
                c[b] = l1;
            } else {
                // q(1) = (e - (1 - rho) q(0)) / rho
                scale = mulmod(l1, rinv[i], R);
                c[b] = addmod(l0, R - mulmod(scale, addmod(1, R - ri, R), R), R);
            }
            c[b + 1] = l2;
            u.a = mulmod(u.a, scale, R);
            assembly ("memory-safe") {
                let cp := add(c, 32)
                for { let j := 0 } lt(j, b) { j := add(j, 1) } {
                    let q := add(cp, shl(5, j))
                    mstore(q, mulmod(mload(q), scale, R))
                }
            }
            u.cEq = mulmod(u.cEq, addmod(addmod(1, R - ri, R), addmod(R - r, mulmod(addmod(ri, ri, R), r, R), R), R), R);
        }
        // running = c e_n
        u.a = mulmod(u.a, u.cEq, R);
        uint256 ce = u.cEq;
        assembly ("memory-safe") {
            let cp := add(c, 32)
            for { let j := 0 } lt(j, mload(c)) { j := add(j, 1) } {
                let q := add(cp, shl(5, j))
                mstore(q, mulmod(mload(q), ce, R))
            }
        }
    }

    // 1 / x for the non-zero x (0 stays 0), with one inversion (ZkCpSumcheck's).
    function _inverses(uint256[] memory xs) private view returns (uint256[] memory inv) {
        uint256 n = xs.length;
        inv = new uint256[](n);
        uint256 acc = 1;
        for (uint256 i = 0; i < n; ++i) {
            inv[i] = acc;
            if (xs[i] != 0) acc = mulmod(acc, xs[i], R);
        }
        uint256 t = ZkFr.inv(acc);
        for (uint256 i = n; i > 0; --i) {
            if (xs[i - 1] == 0) {
                inv[i - 1] = 0;
                continue;
            }
            inv[i - 1] = mulmod(inv[i - 1], t, R);
            t = mulmod(t, xs[i - 1], R);
        }
    }

    // ---- the model-wide batch of range lookups (BatchVerifier::verify) ----

    // The batch's challenges and layout (a struct against stack depth).
    struct Batch {
        uint256 gamma;
        uint256 alpha;
        uint256[] offW;
        uint256[] offT;
        uint256 n;
        uint256 k;
        uint256 g;  // the GKR's words
        uint256 seg0;  // segment e's value: slot seg0 + e
        uint256 mult0;  // table t's multiplicities' value: slot mult0 + t
    }

    // Verifies the batch after the multiplicities' commitments are absorbed, from w[pos]: the GKR's
    // words, then the segments' values, then the tables' (ZkLogup.verifyRangeBatch's words, each a
    // padded message). Returns, in the matmul routine's ZkStepOut: the state, ok (false: a pad
    // chunk missing), the next unread word, x: per segment (registration order) the claim on its
    // column (point witnessPoint[0..n_e), the form of its value's slot) and w: per table the claim on
    // its multiplicities (point tablePoint[0..k_t), its value's slot). The checks are recorded into
    // z.g (see the file comment); the caller opens the claims against the commitments. z.g must
    // have room (else ZkCp.LogFull) for proofWords(N, K) + S + T slots, at most 20 + 4 nv words of
    // equalities and 18 words of products per step (nv: the step's variables), and 4 words of
    // equalities for the root and 24 + 2 S + 2 T for the leaves.
    function verifyRangeBatch(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkLogup.RangeBatch memory b,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        uint256 ns = b.segTable.length;
        uint256 nt = b.tableLogs.length;
        if (ns == 0 || nt == 0 || b.segVars.length != ns) revert ZkLogup.BadShape();
        for (uint256 e = 0; e < ns; ++e) if (b.segTable[e] >= nt) revert ZkLogup.BadShape();
        Batch memory q;
        (q.offW, q.n) = ZkLogup.layout(b.segVars);
        (q.offT, q.k) = ZkLogup.layout(b.tableLogs);
        q.g = ZkLogup.proofWords(q.n, q.k);
        if (w.length < pos + q.g + ns + nt) revert ZkLogup.BadShape();
        st = ZkTranscript.absorbBytes(st, ZkLogup.L_BATCH_SHAPE, ZkLogup.shapeBytes(b));
        (st,) = ZkTranscript.challenge(st, ZkLogup.L_BETA);  // beta: no two-column table here
        (st, q.gamma) = ZkTranscript.challenge(st, ZkLogup.L_BATCH_GAMMA);
        (st, q.alpha) = ZkTranscript.challenge(st, ZkLogup.L_ALPHA);
        Leaves memory leaves;
        (st, out.ok, leaves) = verifyFractions(st, z, q.n, q.k, w[pos:pos + q.g]);
        pos += q.g;
        // the witness numerators are 1
        if (!leaves.witnessUnit) ZkCp.recordZero(z.g, _lin(leaves.witnessP, 1, _pub(1), R - 1), 0);
        bool okc;
        q.seg0 = z.g.ns;
        (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkLogup.L_SEGMENT_EVALS, w[pos:pos + ns]);
        out.ok = out.ok && okc;
        pos += ns;
        _witnessLeaves(z, b, q, leaves);
        q.mult0 = z.g.ns;
        (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkLogup.L_MULTIPLICITY_EVALS, w[pos:pos + nt]);
        out.ok = out.ok && okc;
        pos += nt;
        _tableLeaves(z, b, q, leaves);
        out.st = st;
        out.pos = pos;
        out.x = new ZkTypes.ZkClaim[](ns);
        for (uint256 e = 0; e < ns; ++e) {
            out.x[e].point = _prefix(leaves.witnessPoint, b.segVars[e]);
            out.x[e].form = ZkCpMatmul.single(q.seg0 + e);
        }
        out.w = new ZkTypes.ZkClaim[](nt);
        for (uint256 t = 0; t < nt; ++t) {
            out.w[t].point = _prefix(leaves.tablePoint, b.tableLogs[t]);
            out.w[t].form = ZkCpMatmul.single(q.mult0 + t);
        }
    }

    function _prefix(uint256[] memory p, uint256 len) private pure returns (uint256[] memory out) {
        out = new uint256[](len);
        for (uint256 i = 0; i < len; ++i) out[i] = p[i];
    }

    // alpha - w~(rho_W) - witness_q = 0, w~(rho_W) = sum_e sel_e (gamma tag_e + a_e) (the padding
    // rows: table 0's row 0, the value 0 of a range table: no term).
    function _witnessLeaves(ZkCpMatmul.Cp memory z, ZkLogup.RangeBatch memory b, Batch memory q, Leaves memory leaves)
        private
        pure
    {
        uint256 ns = b.segTable.length;
        uint256[] memory d = new uint256[](2 + 2 * ns);
        uint256 c = q.alpha;
        for (uint256 e = 0; e < ns; ++e) {
            uint256 sel = ZkLogup.eqIndex(leaves.witnessPoint, b.segVars[e], q.offW[e] >> b.segVars[e]);
            c = addmod(c, R - mulmod(mulmod(q.gamma, b.segTable[e], R), sel, R), R);
            d[2 + 2 * e] = q.seg0 + e;
            d[3 + 2 * e] = sel == 0 ? 0 : R - sel;
        }
        d[0] = c;
        d[1] = ns;
        ZkCp.recordZero(z.g, _lin(d, 1, leaves.witnessQ, R - 1), 0);
    }

    // alpha - t~(rho_T) - table_q = 0 (public tables: t~ = sum_t sel_t (gamma t + sum_i 2^i x_i)),
    // then -m~(rho_T) - table_p = 0, m~ = sum_t sel_t m_t.
    function _tableLeaves(ZkCpMatmul.Cp memory z, ZkLogup.RangeBatch memory b, Batch memory q, Leaves memory leaves)
        private
        pure
    {
        uint256 nt = b.tableLogs.length;
        uint256[] memory m = new uint256[](2 + 2 * nt);
        m[1] = nt;
        uint256 tv;
        uint256[] memory tp = leaves.tablePoint;
        for (uint256 t = 0; t < nt; ++t) {
            uint256 kt = b.tableLogs[t];
            uint256 sel = ZkLogup.eqIndex(tp, kt, q.offT[t] >> kt);
            uint256 x = mulmod(q.gamma, t, R);
            for (uint256 i = 0; i < kt; ++i) x = addmod(x, mulmod(tp[i], (uint256(1) << i) % R, R), R);
            tv = addmod(tv, mulmod(sel, x, R), R);
            m[2 + 2 * t] = q.mult0 + t;
            m[3 + 2 * t] = sel == 0 ? 0 : R - sel;
        }
        ZkCp.recordZero(z.g, _lin(_pub(addmod(q.alpha, R - tv, R)), 1, leaves.tableQ, R - 1), 0);
        ZkCp.recordZero(z.g, _lin(m, 1, leaves.tableP, R - 1), 0);
    }
}
