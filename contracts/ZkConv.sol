// SPDX-License-Identifier: UNLICENSED
// The 2-D convolution layer's step routine: src/layers/conv.cc `verify_conv` in plain mode
// (docs/protocol/layers.md, section 3), transcribed: NCHW, any stride, padding, dilation and
// groups (groups = 1 ordinary, groups > 1 grouped or depthwise), optional bias.
//
// Public parameters (ConvShape, field by field layers::ConvShape, all uint256 but `bias`):
//   n, c, h, w          X: (n, c, h, w)
//   co, kh, kw          Wt: (co, c / groups, kh, kw); Y: (n, co, outH, outW)
//   strideH, strideW, dilH, dilW
//   padTop, padLeft, padBottom, padRight
//   bias (bool)         bias: (co)
//   groups
// outH = (h + padTop + padBottom - dilH (kh - 1) - 1) / strideH + 1, likewise outW. A shape that
// ConvShape::invalid() refuses reverts (BadShape).
//
// Proof words from `pos` (ConvProof::serialize): the bias values (one per claim, when bias); the
// input sumcheck over X's variables (degree 2: 2 values per round; finals X(r), G(r)); the kernel
// sumcheck: groups = 1 over (kw, kh)'s variables with 2 finals per claim (Wt_t, Phi_t), groups > 1
// over Wt's variables with 2 finals (Wt, ME).
// Transcript: u64 "layers.conv.num_claims", "layers.conv.claims" (each point then its value),
// "layers.conv.bias_values" (when bias), challenge "layers.conv.gamma", the input sumcheck (coeffs
// [1]), the kernel sumcheck (coeffs kappa_t = gamma^t eq(r_n^t, r_n') for groups = 1, [1] else).
// Returns out.x = {the claim on X}, out.w = the claims on Wt (one per output claim for groups = 1,
// one in all for groups > 1), out.bias = one per output claim (the value as the prover sent it).
pragma solidity ^0.8.24;

import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkConv {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    uint256 internal constant L_NUM = uint256(bytes32("layers.conv.num_claims")) | 22;
    uint256 internal constant L_CLAIMS = uint256(bytes32("layers.conv.claims")) | 18;
    uint256 internal constant L_BIAS = uint256(bytes32("layers.conv.bias_values")) | 23;
    uint256 internal constant L_GAMMA = uint256(bytes32("layers.conv.gamma")) | 17;

    uint256 private constant MAX_DIM = uint256(1) << 31;

    struct ConvShape {
        uint256 n;
        uint256 c;
        uint256 h;
        uint256 w;
        uint256 co;
        uint256 kh;
        uint256 kw;
        uint256 strideH;
        uint256 strideW;
        uint256 dilH;
        uint256 dilW;
        uint256 padTop;
        uint256 padLeft;
        uint256 padBottom;
        uint256 padRight;
        bool bias;
        uint256 groups;
    }

    // Output sizes and variable counts; the verification's intermediate values.
    struct Ctx {
        uint256 oh;
        uint256 ow;
        uint256 ln;
        uint256 lc;
        uint256 lh;
        uint256 lw;
        uint256 lco;
        uint256 loh;
        uint256 low;
        uint256 lkh;
        uint256 lkw;
        uint256 lcg;
        uint256[] g;  // gamma^t
        uint256[] kappa;  // the kernel sumcheck's coefficients
        uint256[] p1;  // the input sumcheck's point (on X)
        uint256[] p2;  // the kernel sumcheck's point
        uint256[] phi;
    }

    function _ctx(ConvShape memory s) internal pure returns (Ctx memory v) {
        uint256[12] memory all = [s.n, s.c, s.h, s.w, s.co, s.kh, s.kw, s.strideH, s.strideW, s.dilH, s.dilW, s.groups];
        for (uint256 i = 0; i < 12; ++i)
            if (all[i] == 0 || all[i] > MAX_DIM) revert ZkLayerUtil.BadShape();
        if (s.c % s.groups != 0 || s.co % s.groups != 0) revert ZkLayerUtil.BadShape();
        if (s.padTop > MAX_DIM || s.padLeft > MAX_DIM || s.padBottom > MAX_DIM || s.padRight > MAX_DIM) revert ZkLayerUtil.BadShape();
        if (s.h + s.padTop + s.padBottom < s.dilH * (s.kh - 1) + 1 || s.w + s.padLeft + s.padRight < s.dilW * (s.kw - 1) + 1)
            revert ZkLayerUtil.BadShape();
        v.oh = (s.h + s.padTop + s.padBottom - s.dilH * (s.kh - 1) - 1) / s.strideH + 1;
        v.ow = (s.w + s.padLeft + s.padRight - s.dilW * (s.kw - 1) - 1) / s.strideW + 1;
        v.ln = ZkLayerUtil.ceilLog2(s.n);
        v.lc = ZkLayerUtil.ceilLog2(s.c);
        v.lh = ZkLayerUtil.ceilLog2(s.h);
        v.lw = ZkLayerUtil.ceilLog2(s.w);
        v.lco = ZkLayerUtil.ceilLog2(s.co);
        v.loh = ZkLayerUtil.ceilLog2(v.oh);
        v.low = ZkLayerUtil.ceilLog2(v.ow);
        v.lkh = ZkLayerUtil.ceilLog2(s.kh);
        v.lkw = ZkLayerUtil.ceilLog2(s.kw);
        v.lcg = ZkLayerUtil.ceilLog2(s.c / s.groups);
        // PaddedShape::invalid of X, Wt, Y: at most 2^40 padded entries (each dim <= 2^31 already)
        if (v.ln + v.lc + v.lh + v.lw > 40 || v.lco + v.lcg + v.lkh + v.lkw > 40 || v.ln + v.lco + v.loh + v.low > 40)
            revert ZkLayerUtil.BadShape();
    }

    function verifyConv(bytes32 st, ConvShape memory s, ZkTypes.Claim[] memory yClaims, uint256[] calldata w, uint256 pos)
        internal
        view
        returns (ZkTypes.StepOut memory out)
    {
        uint256 nc = yClaims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        Ctx memory v = _ctx(s);
        for (uint256 t = 0; t < nc; ++t)
            if (yClaims[t].point.length != v.ln + v.lco + v.loh + v.low) revert ZkLayerUtil.BadShape();

        st = ZkLayerUtil.absorbClaimList(st, L_NUM, L_CLAIMS, yClaims);
        uint256[] calldata biasVals = w[pos:pos + (s.bias ? nc : 0)];
        if (s.bias) st = ZkTranscript.absorbFrsCd(st, L_BIAS, biasVals);
        pos += biasVals.length;
        {
            uint256 gamma;
            (st, gamma) = ZkTranscript.challenge(st, L_GAMMA);
            v.g = ZkLayerUtil.powers(gamma, nc);
        }

        // The input sumcheck: sum X G = sum_t gamma^t (y_t - bias_t indicator_t).
        uint256[] calldata f1;
        {
            uint256 claim;
            for (uint256 t = 0; t < nc; ++t) {
                uint256 val = yClaims[t].value;
                if (s.bias) val = addmod(val, R - mulmod(biasVals[t], _biasIndicator(s, v, yClaims[t].point), R), R);
                claim = addmod(claim, mulmod(v.g[t], val, R), R);
            }
            uint256 nx = v.ln + v.lc + v.lh + v.lw;
            uint256 running;
            (st, running, v.p1) = ZkLayerUtil.verifyRounds2(st, nx, _one(), claim, w[pos:pos + 2 * nx]);
            pos += 2 * nx;
            f1 = w[pos:pos + 2];
            pos += 2;
            if (mulmod(f1[0], f1[1], R) != running) {
                out.st = st;
                out.pos = pos;
                return out;
            }
            st = ZkSumcheck.absorbFinal(st, f1);
        }

        // The kernel sumcheck.
        v.kappa = new uint256[](nc);
        for (uint256 t = 0; t < nc; ++t)
            v.kappa[t] = mulmod(v.g[t], ZkLayerUtil.eqAt(yClaims[t].point, v.low + v.loh + v.lco, v.p1, v.lw + v.lh + v.lc, v.ln), R);
        uint256[] calldata f2;
        {
            bool one = s.groups == 1;
            uint256 nk = one ? v.lkw + v.lkh : v.lco + v.lcg + v.lkh + v.lkw;
            uint256 running;
            (st, running, v.p2) = ZkLayerUtil.verifyRounds2(st, nk, one ? v.kappa : _one(), f1[1], w[pos:pos + 2 * nk]);
            pos += 2 * nk;
            uint256 nf = one ? 2 * nc : 2;
            f2 = w[pos:pos + nf];
            pos += nf;
            out.pos = pos;
            uint256 acc;
            if (one) {
                for (uint256 t = 0; t < nc; ++t) acc = addmod(acc, mulmod(v.kappa[t], mulmod(f2[2 * t], f2[2 * t + 1], R), R), R);
            } else {
                acc = mulmod(f2[0], f2[1], R);
            }
            if (acc != running) {
                out.st = st;
                return out;
            }
            st = ZkSumcheck.absorbFinal(st, f2);
            out.st = st;
        }

        // Phi_t(r_kh, r_kw) = Sh~(r_kh; r_ho, r_h) Sw~(r_kw; r_wo, r_w).
        _windowSelectors(s, v, yClaims);
        if (s.groups == 1) {
            for (uint256 t = 0; t < nc; ++t)
                if (f2[2 * t + 1] != v.phi[t]) return out;
        } else if (f2[1] != _groupedSelector(s, v, yClaims)) {
            return out;
        }
        _outputClaims(s, v, yClaims, f1[0], f2, biasVals, out);
        out.ok = true;
    }

    function _one() private pure returns (uint256[] memory o) {
        o = new uint256[](1);
        o[0] = 1;
    }

    function _biasIndicator(ConvShape memory s, Ctx memory v, uint256[] memory y) internal pure returns (uint256) {
        return mulmod(
            mulmod(ZkLayerUtil.eqPrefixSum(y, v.low + v.loh + v.lco, v.ln, s.n), ZkLayerUtil.eqPrefixSum(y, v.low, v.loh, v.oh), R),
            ZkLayerUtil.eqPrefixSum(y, 0, v.low, v.ow),
            R
        );
    }

    // sum over the taps (a, o, i = o stride + a dil - pad, 0 <= i < len) of ek[a] eo[o] ei[i]: the
    // window selector's MLE on one axis (Axis::selector, summed against eq(r_k, a)).
    function _axis(
        uint256 k,
        uint256 outLen,
        uint256 stride,
        uint256 dil,
        uint256 pad,
        uint256 len,
        uint256[] memory ek,
        uint256[] memory eo,
        uint256[] memory ei
    ) private pure returns (uint256 acc) {
        // eo has >= outLen entries, ei >= len, ek >= k (eq tables of the padded dims)
        if (eo.length < outLen || ei.length < len || ek.length < k) revert ZkLayerUtil.BadShape();
        for (uint256 a = 0; a < k; ++a) {
            // the outputs o with 0 <= o stride + a dil - pad < len: o in [lo, hi)
            uint256 base = a * dil;  // <= 2^62 (dims and dilations <= 2^31)
            uint256 lo = base >= pad ? 0 : (pad - base + stride - 1) / stride;
            if (len + pad <= base) continue;
            uint256 hi = (len + pad - base - 1) / stride + 1;
            if (hi > outLen) hi = outLen;
            if (lo >= hi) continue;
            uint256 i0 = lo * stride + base - pad;
            uint256 sa;
            assembly ("memory-safe") {
                let op := add(add(eo, 32), shl(5, lo))
                let ip := add(add(ei, 32), shl(5, i0))
                let step := shl(5, stride)
                for { let o := lo } lt(o, hi) { o := add(o, 1) } {
                    sa := addmod(sa, mulmod(mload(op), mload(ip), R), R)
                    op := add(op, 32)
                    ip := add(ip, step)
                }
            }
            acc = addmod(acc, mulmod(ek[a], sa, R), R);
        }
    }

    function _windowSelectors(ConvShape memory s, Ctx memory v, ZkTypes.Claim[] memory yClaims) internal pure {
        uint256[] memory ekw = ZkLayerUtil.eqTable(v.p2, 0, v.lkw);
        uint256[] memory ekh = ZkLayerUtil.eqTable(v.p2, v.lkw, v.lkh);
        uint256[] memory erw = ZkLayerUtil.eqTable(v.p1, 0, v.lw);
        uint256[] memory erh = ZkLayerUtil.eqTable(v.p1, v.lw, v.lh);
        v.phi = new uint256[](yClaims.length);
        for (uint256 t = 0; t < yClaims.length; ++t) {
            uint256[] memory y = yClaims[t].point;
            uint256 vh = _axis(s.kh, v.oh, s.strideH, s.dilH, s.padTop, s.h, ekh, ZkLayerUtil.eqTable(y, v.low, v.loh), erh);
            uint256 vw = _axis(s.kw, v.ow, s.strideW, s.dilW, s.padLeft, s.w, ekw, ZkLayerUtil.eqTable(y, 0, v.low), erw);
            v.phi[t] = mulmod(vh, vw, R);
        }
    }

    // ME(r) = sum_t kappa_t Phi_t sum_o eq(r_o, o) eq(r_co^t, o) inner(o / (co / groups)),
    // inner(g) = sum_{c' < c / groups} eq(r_c', c') eq(r_c, g c / groups + c').
    function _groupedSelector(ConvShape memory s, Ctx memory v, ZkTypes.Claim[] memory yClaims) internal pure returns (uint256 me) {
        uint256 cg = s.c / s.groups;
        uint256 mg = s.co / s.groups;
        uint256[] memory eo = ZkLayerUtil.eqTable(v.p2, v.lkw + v.lkh + v.lcg, v.lco);
        uint256[] memory inner = new uint256[](s.groups);
        {
            uint256[] memory ec2 = ZkLayerUtil.eqTable(v.p2, v.lkw + v.lkh, v.lcg);
            uint256[] memory erc = ZkLayerUtil.eqTable(v.p1, v.lw + v.lh, v.lc);
            for (uint256 gi = 0; gi < s.groups; ++gi) {
                uint256 acc;
                for (uint256 c2 = 0; c2 < cg; ++c2) acc = addmod(acc, mulmod(ec2[c2], erc[gi * cg + c2], R), R);
                inner[gi] = acc;
            }
        }
        for (uint256 t = 0; t < yClaims.length; ++t) {
            uint256[] memory eco = ZkLayerUtil.eqTable(yClaims[t].point, v.low + v.loh, v.lco);
            uint256 m;
            for (uint256 o = 0; o < s.co; ++o) m = addmod(m, mulmod(mulmod(eo[o], eco[o], R), inner[o / mg], R), R);
            me = addmod(me, mulmod(mulmod(v.kappa[t], m, R), v.phi[t], R), R);
        }
    }

    function _outputClaims(
        ConvShape memory s,
        Ctx memory v,
        ZkTypes.Claim[] memory yClaims,
        uint256 xVal,
        uint256[] calldata f2,
        uint256[] calldata biasVals,
        ZkTypes.StepOut memory out
    ) private pure {
        uint256 nc = yClaims.length;
        out.x = new ZkTypes.Claim[](1);
        out.x[0].point = v.p1;
        out.x[0].value = xVal;
        if (s.bias) {
            out.bias = new ZkTypes.Claim[](nc);
            for (uint256 t = 0; t < nc; ++t) {
                out.bias[t].point = ZkLayerUtil.slice(yClaims[t].point, v.low + v.loh, v.lco);
                out.bias[t].value = biasVals[t];
            }
        }
        if (s.groups > 1) {
            out.w = new ZkTypes.Claim[](1);
            out.w[0].point = v.p2;
            out.w[0].value = f2[0];
            return;
        }
        out.w = new ZkTypes.Claim[](nc);
        uint256[] memory rc = ZkLayerUtil.slice(v.p1, v.lw + v.lh, v.lc);
        for (uint256 t = 0; t < nc; ++t) {
            out.w[t].point = ZkLayerUtil.cat3(v.p2, rc, ZkLayerUtil.slice(yClaims[t].point, v.low + v.loh, v.lco));
            out.w[t].value = f2[2 * t];
        }
    }
}
