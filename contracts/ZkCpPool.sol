// SPDX-License-Identifier: UNLICENSED
// The pools in zero-knowledge mode: src/layers/pool.cc `verify_max_pool` and
// `verify_global_avg_pool` over cp Vals (kzg pads of key version 8 and later; docs/protocol/evm.md
// section 4.1.1, design (a)), transcribed beside ZkPool's plain mode (same parameters, shapes,
// selector: ZkPool's own functions) on ZkCpNonlinear's NlVerifier in zero-knowledge mode (digit
// plans, advice ids, lookups registered with the model-wide batch, proof words in the same order).
//
// Differences from the plain routines, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are forms, not absorbed (absorb_claims: "<label>.num_claims", the points);
//   - every evaluation, every round and final value is a padded message in absorption order (which
//     is not the words' order: MaxPool's words are the evaluations, the zero-check, then the
//     gathers, but it absorbs per claim its K evaluations and its gather, then the zero-check and
//     the K evaluations at its point; GlobalAveragePool per claim its digits and its sum sumcheck);
//   - MaxPool: each gather's target sum_j gamma^j (c - d_j(z)) is a form; the gather sumcheck is
//     ZkCpSumcheck.verify (product of 2) and the selector check final_0 - sel = 0 is recorded after
//     it; the zero-check prod_j d_j = 0 is ZkCpSumcheck.verifyWithEq of K + 1 factors (its
//     eq(tau, rho) check compares public values: nothing recorded); then d_j's digits at its point
//     minus final_{j+1} = 0 recorded for j < K; the claim on x: (rho, final_1 of its gather);
//   - GlobalAveragePool: r + r' - (2S - 1) I(z) = 0 recorded (when 2S is not a power of two); the
//     sum sumcheck (product of 1, sv variables) with the claim S c + (r - S I(z)) / 2; the claim
//     on x: ((its point, z), its final value).
// Entry points as ZkCpMatmul.verifyMatmul. Differentially tested by evm_zk_test (`EvmZk.Pool*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpDriver} from "./ZkCpDriver.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpNonlinear} from "./ZkCpNonlinear.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkNonlinear} from "./ZkNonlinear.sol";
import {ZkPool} from "./ZkPool.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpPool {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant INV2 = (R + 1) / 2;

    // The statement of a product of nf factors (coefficient 1) over n variables.
    function _product(uint256 n, uint256 nf, uint256[] memory claim) internal pure returns (ZkCpSumcheck.Statement memory sc) {
        sc.n = n;
        sc.nf = nf;
        sc.nterms = 1;
        sc.terms = new uint256[](2 + nf);
        sc.terms[0] = 1;
        sc.terms[1] = nf;
        for (uint256 j = 0; j < nf; ++j) sc.terms[2 + j] = j;
        sc.claim = claim;
    }

    // ---------------------------------------------------------------------------------------
    // MaxPool (layers::verify_max_pool).

    function verifyMaxPool(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkPool.MaxPoolParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        out = ZkCpNonlinear._rejected(st, pos);
        if (!ZkPool._valid(p)) return out;
        ZkPool.MpShape memory s = ZkPool._shape(p);
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != s.ny) return out;
        ZkCpNonlinear.Zn memory zn = ZkCpNonlinear._new(st, z, pos, 1);
        s.rd = ZkNonlinear.addRange(zn.nl, s.ny + s.lk, p.bits + 1);
        s.digits = ZkNonlinear.evalCount(zn.nl, s.rd);
        ZkCpNonlinear._setEvals(zn, (outClaims.length + 1) * s.k * s.digits);
        (zn.nl.st,) = ZkCpNonlinear._absorbPoints(zn.nl.st, ZkPool.L_MP_NUM, ZkPool.L_MP_CLAIM, outClaims, s.ny);
        // The words: evaluations, the zero-check (ny rounds of K values, K + 1 final values), then the gathers.
        uint256 gatherPos = zn.nl.evalEnd + s.ny * s.k + s.k + 1;
        out.x = new ZkTypes.ZkClaim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            bool ok;
            (ok, out.x[i], gatherPos) = _gather(zn, p, s, outClaims[i], w, gatherPos);
            if (!ok) return out;
        }
        bool okz;
        ZkCpDriver.trim(zn.z.g);  // (the log crosses the call: its used words only)
        (okz, zn) = ZkCpPoolZeroCheck.zeroCheck(zn, s, w);
        z.g = zn.z.g;  // (the log came back as a copy: the caller's context takes it)
        if (!okz) return out;
        out.pos = gatherPos;
        ZkCpNonlinear._finish(zn, out);
    }

    // One claim: its differences' evaluations, gamma, the gather sumcheck and the selector check.
    function _gather(
        ZkCpNonlinear.Zn memory zn,
        ZkPool.MaxPoolParams memory p,
        ZkPool.MpShape memory s,
        ZkTypes.ZkClaim memory c,
        uint256[] calldata w,
        uint256 at
    ) private view returns (bool, ZkTypes.ZkClaim memory xc, uint256) {
        // target = sum_j gamma^j (c - d_j(z)): the forms c, d_0, c, d_1, .. with gamma^j, -gamma^j
        uint256[][] memory fs = new uint256[][](2 * s.k);
        uint256[] memory ks = new uint256[](2 * s.k);
        for (uint256 j = 0; j < s.k; ++j) {
            bool ok;
            (ok, fs[2 * j + 1]) = ZkCpNonlinear._recvRangeEval(zn, w, s.rd, ZkNonlinear.withIndex(c.point, j, s.lk));
            if (!ok) return (false, xc, at);
            fs[2 * j] = c.form;
        }
        uint256 gamma;
        (zn.nl.st, gamma) = ZkTranscript.challenge(zn.nl.st, ZkPool.L_MP_GAMMA);
        uint256 gj = 1;
        for (uint256 j = 0; j < s.k; ++j) {
            ks[2 * j] = gj;
            ks[2 * j + 1] = ZkCpNonlinear._neg(gj);
            gj = mulmod(gj, gamma, R);
        }
        ZkCpSumcheck.Res memory r = ZkCpSumcheck.verify(
            zn.nl.st, zn.z.g, zn.z.prm, zn.z.chunks, _product(s.nx, 2, ZkCpNonlinear._sum(0, fs, ks)), w[at:]
        );
        zn.nl.st = r.st;
        zn.ok = zn.ok && r.ok;
        {
            uint256[] memory f = ZkCpMatmul.single(r.finals);
            f[0] = ZkCpNonlinear._neg(ZkPool._selector(p, s, c.point, r.point, gamma));
            ZkCp.recordZero(zn.z.g, f, 0);
        }
        xc.point = r.point;
        xc.form = ZkCpMatmul.single(r.finals + 1);
        return (true, xc, at + r.p);
    }

    // ---------------------------------------------------------------------------------------
    // GlobalAveragePool (layers::verify_global_avg_pool).

    function verifyGlobalAvgPool(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkPool.GlobalAvgPoolParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        out = ZkCpNonlinear._rejected(st, pos);
        ZkPool.GapShape memory g;
        {
            // bad_params, the output's shape, S and the remainder's bits (ZkPool.verifyGlobalAvgPool's)
            if (p.dims.length < 3) return out;
            (bool valid, uint256 nx) = ZkNonlinear.shapeVars(p.dims);
            if (!valid) return out;
            g.s = 1;
            for (uint256 i = 2; i < p.dims.length; ++i) g.s *= p.dims[i];
            if (g.s > (uint256(1) << 40)) return out;
            g.m = ZkNonlinear.ceilLog2(2 * g.s);
            g.yd = new uint256[](p.dims.length);
            for (uint256 i = 0; i < p.dims.length; ++i) g.yd[i] = i < 2 ? p.dims[i] : 1;
            (, g.ny) = ZkNonlinear.shapeVars(g.yd);
            g.sv = nx - g.ny;
        }
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != g.ny) return out;
        ZkCpNonlinear.Zn memory zn = ZkCpNonlinear._new(st, z, pos, 2);
        g.rRem = ZkNonlinear.addRange(zn.nl, g.ny, g.m);
        g.rComp = (uint256(1) << g.m) != 2 * g.s ? ZkNonlinear.addRange(zn.nl, g.ny, g.m) : ZkNonlinear.NONE;
        ZkCpNonlinear._setEvals(
            zn, outClaims.length * ZkNonlinear.evalCount(zn.nl, g.rRem) * (g.rComp != ZkNonlinear.NONE ? 2 : 1)
        );
        (zn.nl.st,) = ZkCpNonlinear._absorbPoints(zn.nl.st, ZkPool.L_GAP_NUM, ZkPool.L_GAP_CLAIM, outClaims, g.ny);
        uint256 at = zn.nl.evalEnd;
        out.x = new ZkTypes.ZkClaim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            bool ok;
            (ok, out.x[i], at) = _gapClaim(zn, g, outClaims[i], w, at);
            if (!ok) return out;
        }
        out.pos = at;
        ZkCpNonlinear._finish(zn, out);
    }

    function _gapClaim(
        ZkCpNonlinear.Zn memory zn,
        ZkPool.GapShape memory g,
        ZkTypes.ZkClaim memory c,
        uint256[] calldata w,
        uint256 at
    ) private view returns (bool, ZkTypes.ZkClaim memory xc, uint256) {
        uint256 ind = ZkNonlinear.indicator(g.yd, 0, c.point);
        (bool ok, uint256[] memory r) = ZkCpNonlinear._recvRangeEval(zn, w, g.rRem, c.point);
        if (!ok) return (false, xc, at);
        if (g.rComp != ZkNonlinear.NONE) {
            uint256[] memory rc;
            (ok, rc) = ZkCpNonlinear._recvRangeEval(zn, w, g.rComp, c.point);
            if (!ok) return (false, xc, at);
            // (r + r') - (2S - 1) I(z)
            ZkCp.recordZero(zn.z.g, ZkCpNonlinear._lin(ZkCpNonlinear._neg(mulmod(2 * g.s - 1, ind, R)), r, 1, rc, 1), 0);
        }
        // s = S c + (r - S I) / 2
        uint256[] memory sum =
            ZkCpNonlinear._lin(ZkCpNonlinear._neg(mulmod(mulmod(g.s, ind, R), INV2, R)), c.form, g.s, r, INV2);
        ZkCpSumcheck.Res memory res =
            ZkCpSumcheck.verify(zn.nl.st, zn.z.g, zn.z.prm, zn.z.chunks, _product(g.sv, 1, sum), w[at:]);
        zn.nl.st = res.st;
        zn.ok = zn.ok && res.ok;
        xc.point = new uint256[](g.sv + c.point.length);
        for (uint256 i = 0; i < g.sv; ++i) xc.point[i] = res.point[i];
        for (uint256 i = 0; i < c.point.length; ++i) xc.point[g.sv + i] = c.point[i];
        xc.form = ZkCpMatmul.single(res.finals);
        return (true, xc, at + res.p);
    }
}

// MaxPool's zero-check and the differences' digits at its point, an external library (code size:
// MaxPool's wrapper with it inline passes 24 KB): tau ("maxpool.tau"), the zero-check
// prod_j d_j = 0 (ZkCpSumcheck.verifyWithEq of K + 1 factors over y's variables), then per j < K
// d_j's digits at (rho, j) minus the zero-check's final value j + 1 = 0 recorded. Returns false
// when the layer's evaluations are used up; zn updated (it is copied in and out).
library ZkCpPoolZeroCheck {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    function zeroCheck(ZkCpNonlinear.Zn memory zn, ZkPool.MpShape memory s, uint256[] calldata w)
        external
        view
        returns (bool, ZkCpNonlinear.Zn memory)
    {
        // room for what it records: the rounds' and final values' slots, the digits', the final
        // check's terms and the chain of K products, the K equalities
        ZkCpDriver.roomyFor(zn.z.g, 256 + 8 * (s.ny * (s.k + 1) + s.k * (s.digits + 3)));
        uint256[] memory tau = ZkNonlinear.challenges(zn.nl, ZkPool.L_MP_TAU, s.ny);
        ZkCpSumcheck.Res memory r = ZkCpSumcheck.verifyWithEq(
            zn.nl.st, zn.z.g, zn.z.prm, zn.z.chunks, ZkCpPool._product(s.ny, s.k + 1, new uint256[](2)), tau, w[zn.nl.evalEnd:]
        );
        zn.nl.st = r.st;
        zn.ok = zn.ok && r.ok;
        for (uint256 j = 0; j < s.k; ++j) {
            (bool ok, uint256[] memory dj) =
                ZkCpNonlinear._recvRangeEval(zn, w, s.rd, ZkNonlinear.withIndex(r.point, j, s.lk));
            if (!ok) return (false, zn);
            ZkCp.recordZero(zn.z.g, ZkCpNonlinear._lin(0, dj, 1, ZkCpMatmul.single(r.finals + j + 1), R - 1), 0);
        }
        ZkCpDriver.trim(zn.z.g);
        return (true, zn);
    }
}
