// SPDX-License-Identifier: UNLICENSED
// The non-linear layers' step routines in zero-knowledge mode: src/layers/rescale.cc
// (detail::NlVerifier, verify_rescale), activation.cc (verify_relu) and bound.cc (verify_bound)
// over cp Vals (kzg pads of key version 8; docs/protocol/evm.md section 4.1.1, design (a)),
// transcribed beside ZkNonlinear's plain mode (same parameters, digit plans, advice ids, lookups
// registered with the model-wide batch, proof words in the same order).
//
// Differences from the plain routines, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are sparse forms (ZkTypes.ZkClaim) and are not absorbed (absorb_claims
//     absorbs "<label>.num_claims" and each claim's point only);
//   - every evaluation and every round and final value of a zero-check is a padded message
//     (ZkCp.absorbMessages: each takes the next slot in absorption order, a chunk's commitment
//     absorbed with its first message); a range-checked vector's value at a point is the form
//     sum_j 2^(digitBits j) low_j + 2^(digitBits numLow) top over its digits' slots;
//   - each check the plain routine decides is an equality recorded into the caller's ZkCp.Log
//     (the C++ Val's a - b for `a != b`, in the C++ order): rescale's range-checked output against
//     the claim, ReLU's output digits against the claim and, after the zero-check, out's and neg's
//     digits against its final values, the bound's digits against the claim and the padding
//     zero-check's indicator and digits against its final values;
//   - the zero-checks are ZkCpSumcheck.verifyWithEq (eq(tau, rho) checked by the sumcheck itself:
//     NlVerifier's second check of factor 0 compares two public values and records nothing);
//   - the claims on the input are forms (rescale: 2^k c + r - 2^(k-1) I(z); ReLU: c - neg, or
//     2^k (c - neg) + r - 2^(k-1) I(z)), with the C++ terms in the C++ order, and the advice claims
//     (ZkStepOut.advice) are forms of one slot each.
// Entry points as ZkCpMatmul.verifyMatmul: (state, cp context, the plain routine's parameters, the
// output claims as forms, the proof words, the first word) -> ZkStepOut (x: the claims on the
// input, advice and lookups as the plain StepOut's). Differentially tested by evm_zk_test
// (`EvmZk.Rescale*`, `EvmZk.Relu*`, `EvmZk.Bound*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkNonlinear} from "./ZkNonlinear.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpNonlinear {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant NONE = type(uint256).max;

    error BadShape();

    // NlVerifier in zero-knowledge mode: the plain one's range bookkeeping (nl: st, evalPos,
    // evalEnd, ranges, advice and lookup counts; its claims unused), the cp context and the advice
    // claims as forms.
    struct Zn {
        ZkNonlinear.Nl nl;
        ZkCpMatmul.Cp z;
        bool ok;  // false: a missing pad chunk
        ZkTypes.ZkAdviceClaim[] claims;
        uint256 numClaims;
    }

    function _new(bytes32 st, ZkCpMatmul.Cp memory z, uint256 pos, uint256 maxRanges) internal pure returns (Zn memory zn) {
        zn.nl = ZkNonlinear.nlNew(st, pos, maxRanges);
        zn.z = z;
        zn.ok = true;
    }

    function _setEvals(Zn memory zn, uint256 numEvals) internal pure {
        zn.nl.evalEnd = zn.nl.evalPos + numEvals;
        zn.claims = new ZkTypes.ZkAdviceClaim[](numEvals);
    }

    // recv_eval: the next evaluation of advice a at point, a padded message absorbed as
    // "nonlinear.eval" (its slot: the next one); recorded as an advice claim. False when the
    // layer's evaluations are used up.
    function _recvEval(Zn memory zn, uint256[] calldata w, uint256 a, uint256[] memory point)
        internal
        pure
        returns (bool, uint256 slot)
    {
        ZkNonlinear.Nl memory nl = zn.nl;
        if (nl.evalPos >= nl.evalEnd) return (false, 0);
        slot = zn.z.g.ns;
        bool okc;
        (nl.st, okc) = ZkCp.absorbMessages(nl.st, zn.z.g, zn.z.prm, zn.z.chunks, ZkNonlinear.L_EVAL, w[nl.evalPos:nl.evalPos + 1]);
        zn.ok = zn.ok && okc;
        ++nl.evalPos;
        zn.claims[zn.numClaims++] = ZkTypes.ZkAdviceClaim({advice: a, point: point, form: ZkCpMatmul.single(slot)});
        return (true, slot);
    }

    // recv_range_eval: the form sum_j 2^(digitBits j) low_j + 2^(digitBits numLow) top.
    function _recvRangeEval(Zn memory zn, uint256[] calldata w, uint256 id, uint256[] memory point)
        internal
        pure
        returns (bool, uint256[] memory f)
    {
        ZkNonlinear.Range memory rg = zn.nl.ranges[id];
        uint256 nd = rg.plan.numLow + 1;
        f = new uint256[](2 + 2 * nd);
        f[1] = nd;
        bool ok;
        uint256 slot;
        for (uint256 j = 0; j < rg.plan.numLow; ++j) {
            (ok, slot) = _recvEval(zn, w, rg.low, ZkNonlinear.withIndex(point, j, rg.plan.lowVars));
            if (!ok) return (false, f);
            f[2 + 2 * j] = slot;
            f[3 + 2 * j] = uint256(1) << (rg.plan.digitBits * j);
        }
        (ok, slot) = _recvEval(zn, w, rg.top, point);
        if (!ok) return (false, f);
        f[2 * nd] = slot;
        f[2 * nd + 1] = uint256(1) << (rg.plan.digitBits * rg.plan.numLow);
        return (true, f);
    }

    // verify_lookups (under the model-wide batch: registration only) and finished().
    function _finish(Zn memory zn, ZkTypes.ZkStepOut memory out) internal pure {
        out.st = zn.nl.st;
        if (zn.nl.evalPos != zn.nl.evalEnd) return;
        out.advice = zn.claims;
        out.lookups = ZkNonlinear.registerLookups(zn.nl);
        out.ok = zn.ok;
    }

    // ---- forms ([c, n, (atom, coeff) x n]) ----

    function _check(uint256[] memory f) internal pure {
        if (f.length < 2 || f.length != 2 + 2 * f[1] || f[0] >= R) revert BadShape();
        for (uint256 i = 0; i < f[1]; ++i) if (f[3 + 2 * i] >= R) revert BadShape();
    }

    // c + sum_i k_i fs_i, the terms of fs_0 (times k_0), then fs_1's, .. (the C++ Val sum's order).
    function _sum(uint256 c, uint256[][] memory fs, uint256[] memory ks) internal pure returns (uint256[] memory f) {
        uint256 nt;
        for (uint256 i = 0; i < fs.length; ++i) nt += fs[i][1];
        f = new uint256[](2 + 2 * nt);
        f[1] = nt;
        uint256 at = 2;
        for (uint256 i = 0; i < fs.length; ++i) {
            uint256[] memory g = fs[i];
            uint256 k = ks[i];
            c = addmod(c, mulmod(k, g[0], R), R);
            for (uint256 t = 0; t < g[1]; ++t) {
                f[at++] = g[2 + 2 * t];
                f[at++] = mulmod(k, g[3 + 2 * t], R);
            }
        }
        f[0] = c;
    }

    function _lin(uint256 c, uint256[] memory a, uint256 ka, uint256[] memory b, uint256 kb)
        internal
        pure
        returns (uint256[] memory)
    {
        uint256[][] memory fs = new uint256[][](2);
        fs[0] = a;
        fs[1] = b;
        uint256[] memory ks = new uint256[](2);
        ks[0] = ka;
        ks[1] = kb;
        return _sum(c, fs, ks);
    }

    function _neg(uint256 x) internal pure returns (uint256) {
        return x == 0 ? 0 : R - x;
    }

    // a - b = 0 recorded (the C++ `a != b` of hidden Vals).
    function _recordDiff(Zn memory zn, uint256[] memory a, uint256[] memory b) private pure {
        ZkCp.recordZero(zn.z.g, _lin(0, a, 1, b, R - 1), 0);
    }

    // absorb_claims in zero-knowledge mode: u64 "<label>.num_claims", then each claim's point.
    function _absorbPoints(bytes32 st, uint256 lblNum, uint256 lbl, ZkTypes.ZkClaim[] memory cl, uint256 n)
        internal
        pure
        returns (bytes32, bool)
    {
        st = ZkTranscript.absorbU64(st, lblNum, uint64(cl.length));
        for (uint256 i = 0; i < cl.length; ++i) {
            if (cl[i].point.length != n) return (st, false);
            _check(cl[i].form);
            st = ZkTranscript.absorbFrs(st, lbl, cl[i].point);
        }
        return (st, true);
    }

    function _rejected(bytes32 st, uint256 pos) internal pure returns (ZkTypes.ZkStepOut memory out) {
        out.st = st;
        out.pos = pos;
    }

    // The zero-check sum eq(tau, x) f_1(x) f_2(x) = 0 over n variables (tau: n challenges `lblTau`;
    // the words from the layer's evaluations' end): verifyWithEq of the product of 3 factors with
    // claim 0. Returns its result (the final values' slots: r.finals + j).
    function _zeroCheck(Zn memory zn, uint256[] calldata w, uint256 n, uint256 lblTau)
        private
        view
        returns (ZkCpSumcheck.Res memory r)
    {
        uint256[] memory tau = ZkNonlinear.challenges(zn.nl, lblTau, n);
        ZkCpSumcheck.Statement memory sc;
        sc.n = n;
        sc.nf = 3;
        sc.nterms = 1;
        sc.terms = new uint256[](5);
        sc.terms[0] = 1;
        sc.terms[1] = 3;
        sc.terms[3] = 1;
        sc.terms[4] = 2;
        sc.claim = new uint256[](2);
        r = ZkCpSumcheck.verifyWithEq(zn.nl.st, zn.z.g, zn.z.prm, zn.z.chunks, sc, tau, w[zn.nl.evalEnd:]);
        zn.nl.st = r.st;
        zn.ok = zn.ok && r.ok;
    }

    // ---------------------------------------------------------------------------------------
    // Rescale (layers::verify_rescale). Per claim (z, c): with outBits > 0, y + 2^outBits I's
    // digits D (words first) and D - 2^outBits I(z) - c = 0 recorded; the remainder's digits r;
    // the claim on x is 2^k c + r - 2^(k-1) I(z).

    function verifyRescale(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkNonlinear.RescaleParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal pure returns (ZkTypes.ZkStepOut memory out) {
        out = _rejected(st, pos);
        (bool valid, uint256 n) = ZkNonlinear.shapeVars(p.dims);
        if (!valid || p.shift < 1 || p.shift > 61 || p.outBits > 60) return out;
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != n) return out;
        Zn memory zn = _new(st, z, pos, 2);
        uint256 rRem = ZkNonlinear.addRange(zn.nl, n, p.shift);
        uint256 rY = p.outBits > 0 ? ZkNonlinear.addRange(zn.nl, n, p.outBits + 1) : NONE;
        _setEvals(
            zn,
            outClaims.length
                * (ZkNonlinear.evalCount(zn.nl, rRem) + (rY != NONE ? ZkNonlinear.evalCount(zn.nl, rY) : 0))
        );
        (zn.nl.st,) = _absorbPoints(zn.nl.st, ZkNonlinear.L_RESCALE_NUM, ZkNonlinear.L_RESCALE_CLAIM, outClaims, n);
        uint256 twoK = uint256(1) << p.shift;
        uint256 half = uint256(1) << (p.shift - 1);
        out.x = new ZkTypes.ZkClaim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            ZkTypes.ZkClaim memory c = outClaims[i];
            uint256 ind = ZkNonlinear.indicator(p.dims, 0, c.point);
            bool ok;
            uint256[] memory f;
            if (rY != NONE) {
                (ok, f) = _recvRangeEval(zn, w, rY, c.point);
                if (!ok) return out;
                // (yv - 2^outBits I) - c
                ZkCp.recordZero(zn.z.g, _lin(_neg(mulmod(uint256(1) << p.outBits, ind, R)), f, 1, c.form, R - 1), 0);
            }
            (ok, f) = _recvRangeEval(zn, w, rRem, c.point);
            if (!ok) return out;
            out.x[i].point = c.point;
            out.x[i].form = _lin(_neg(mulmod(half, ind, R)), c.form, twoK, f, 1);
        }
        out.pos = zn.nl.evalEnd;
        _finish(zn, out);
    }

    // ---------------------------------------------------------------------------------------
    // ReLU (layers::verify_relu). Per claim (z, c): out's digits O, neg's N, the remainder's r
    // (shift > 0); O - c = 0 recorded; the claim on x is c - N (shift 0) or
    // 2^k (c - N) + r - 2^(k-1) I(z). Then tau ("relu.tau"), the zero-check
    // sum eq(tau, x) out neg = 0, out's and neg's digits at its point rho, and
    // O(rho) - out(rho), N(rho) - neg(rho) = 0 recorded (the final values).

    function verifyRelu(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkNonlinear.ReluParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        out = _rejected(st, pos);
        (bool valid, uint256 n) = ZkNonlinear.shapeVars(p.dims);
        if (!valid || p.shift > 61 || p.bits < 1 || p.bits > 60) return out;
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != n) return out;
        Zn memory zn = _new(st, z, pos, 3);
        ZkNonlinear.ReluIds memory ids;
        ids.n = n;
        ids.out = ZkNonlinear.addRange(zn.nl, n, p.bits);
        ids.neg = ZkNonlinear.addRange(zn.nl, n, p.bits);
        ids.rem = p.shift > 0 ? ZkNonlinear.addRange(zn.nl, n, p.shift) : NONE;
        {
            uint256 per = ZkNonlinear.evalCount(zn.nl, ids.out) + ZkNonlinear.evalCount(zn.nl, ids.neg);
            _setEvals(zn, outClaims.length * (per + (ids.rem != NONE ? ZkNonlinear.evalCount(zn.nl, ids.rem) : 0)) + per);
        }
        (zn.nl.st,) = _absorbPoints(zn.nl.st, ZkNonlinear.L_RELU_NUM, ZkNonlinear.L_RELU_CLAIM, outClaims, n);
        out.x = new ZkTypes.ZkClaim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            bool ok;
            (ok, out.x[i]) = _reluClaim(zn, p, ids, outClaims[i], w);
            if (!ok) return out;
        }
        ZkCpSumcheck.Res memory r = _zeroCheck(zn, w, n, ZkNonlinear.L_RELU_TAU);
        {
            (bool ok1, uint256[] memory o) = _recvRangeEval(zn, w, ids.out, r.point);
            (bool ok2, uint256[] memory ng) = _recvRangeEval(zn, w, ids.neg, r.point);
            if (!ok1 || !ok2) return out;
            _recordDiff(zn, o, ZkCpMatmul.single(r.finals + 1));
            _recordDiff(zn, ng, ZkCpMatmul.single(r.finals + 2));
        }
        out.pos = zn.nl.evalEnd + r.p;
        _finish(zn, out);
    }

    function _reluClaim(
        Zn memory zn,
        ZkNonlinear.ReluParams memory p,
        ZkNonlinear.ReluIds memory ids,
        ZkTypes.ZkClaim memory c,
        uint256[] calldata w
    ) private pure returns (bool, ZkTypes.ZkClaim memory xc) {
        (bool ok1, uint256[] memory o) = _recvRangeEval(zn, w, ids.out, c.point);
        (bool ok2, uint256[] memory ng) = _recvRangeEval(zn, w, ids.neg, c.point);
        if (!ok1 || !ok2) return (false, xc);
        uint256[] memory r;
        if (p.shift > 0) {
            bool ok3;
            (ok3, r) = _recvRangeEval(zn, w, ids.rem, c.point);
            if (!ok3) return (false, xc);
        }
        _recordDiff(zn, o, c.form);
        xc.point = c.point;
        if (p.shift == 0) {
            xc.form = _lin(0, c.form, 1, ng, R - 1);
        } else {
            uint256 k = uint256(1) << p.shift;
            uint256[][] memory fs = new uint256[][](3);
            fs[0] = c.form;
            fs[1] = ng;
            fs[2] = r;
            uint256[] memory ks = new uint256[](3);
            ks[0] = k;
            ks[1] = R - k;
            ks[2] = 1;
            uint256 ind = ZkNonlinear.indicator(p.dims, 0, c.point);
            xc.form = _sum(_neg(mulmod(uint256(1) << (p.shift - 1), ind, R)), fs, ks);
        }
        return (true, xc);
    }

    // ---------------------------------------------------------------------------------------
    // Bound (layers::verify_bound). Per claim (z, c): v's digits V and c - (V - 2^bits I(z)) = 0
    // recorded. With zero_padding and a padded shape: tau ("bound.tau"), the zero-check
    // sum eq(tau, x) (1 - I(x)) v(x) = 0, f_1(rho) - (1 - I(rho)) = 0 recorded, v's digits at rho
    // and V(rho) - f_2(rho) = 0 recorded. out.x is empty (the claims stay claims on y).

    function verifyBound(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkNonlinear.BoundParams memory p,
        ZkTypes.ZkClaim[] memory claims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        out = _rejected(st, pos);
        (bool valid, uint256 n, bool padded) = _boundShape(p);
        if (!valid) return out;
        for (uint256 i = 0; i < claims.length; ++i) if (claims[i].point.length != n) return out;
        bool zc = p.zeroPadding && padded;
        Zn memory zn = _new(st, z, pos, 1);
        uint256 id = ZkNonlinear.addRange(zn.nl, n, p.bits + 1);
        _setEvals(zn, (claims.length + (zc ? 1 : 0)) * ZkNonlinear.evalCount(zn.nl, id));
        (zn.nl.st,) = _absorbPoints(zn.nl.st, ZkNonlinear.L_BOUND_NUM, ZkNonlinear.L_BOUND_CLAIM, claims, n);
        uint256 off = uint256(1) << p.bits;
        for (uint256 i = 0; i < claims.length; ++i) {
            (bool ok, uint256[] memory v) = _recvRangeEval(zn, w, id, claims[i].point);
            if (!ok) return out;
            uint256 ind = ZkNonlinear.indicator(p.dims, p.firstLog, claims[i].point);
            ZkCp.recordZero(zn.z.g, _lin(mulmod(off, ind, R), claims[i].form, 1, v, R - 1), 0);
        }
        out.pos = zn.nl.evalEnd;
        if (zc) {
            ZkCpSumcheck.Res memory r = _zeroCheck(zn, w, n, ZkNonlinear.L_BOUND_TAU);
            {
                uint256[] memory f1 = ZkCpMatmul.single(r.finals + 1);
                f1[0] = addmod(ZkNonlinear.indicator(p.dims, p.firstLog, r.point), R - 1, R);
                ZkCp.recordZero(zn.z.g, f1, 0);
            }
            (bool ok, uint256[] memory v) = _recvRangeEval(zn, w, id, r.point);
            if (!ok) return out;
            _recordDiff(zn, v, ZkCpMatmul.single(r.finals + 2));
            out.pos = zn.nl.evalEnd + r.p;
        }
        _finish(zn, out);
    }

    // bound_invalid, the shape's variables and whether it has padding entries (ZkNonlinear's).
    function _boundShape(ZkNonlinear.BoundParams memory p) private pure returns (bool valid, uint256 n, bool padded) {
        (valid, n) = ZkNonlinear.shapeVars(p.dims);
        if (!valid || p.bits < 1 || p.bits > 60) return (false, 0, false);
        if (p.firstLog > 0) {
            if (p.dims.length == 0 || p.firstLog > 40) return (false, 0, false);
            uint256 l0 = ZkNonlinear.ceilLog2(p.dims[0]);
            if (p.firstLog > l0) n += p.firstLog - l0;
            if (n > 40) return (false, 0, false);
        }
        uint256 size = 1;
        for (uint256 i = 0; i < p.dims.length; ++i) size *= p.dims[i];
        padded = size != (uint256(1) << n);
    }
}
