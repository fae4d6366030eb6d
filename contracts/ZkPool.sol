// SPDX-License-Identifier: UNLICENSED
// zkinfer's non-linear layers on the EVM, part 2: pools (src/layers/pool.h verify_max_pool and
// verify_global_avg_pool), on the machinery of ZkNonlinear.sol (plain mode, under the model-wide
// lookup batch: the range checks are registered, StepOut.lookups).
//
// Public parameters (structs mirroring the C++ params field by field; decode* reads them from
// flat words):
//   MaxPoolParams       {dims (N, C, H, W), kh, kw, sh, sw, pt, pl, pb, pr, bits}
//                       words: [4, N, C, H, W, kh, kw, sh, sw, pt, pl, pb, pr, bits]
//   GlobalAvgPoolParams {dims (N, C, spatial...)}   words: [rank, dims...]
// Parameters the C++ verifier rejects give ok = false. (The C++ proof readers also refuse more than
// 1024 output claims; the routines take any number.)
//
// MaxPool words (MaxPoolProof::serialize): the evaluations (per claim the K difference vectors'
// digits at (z, j), j < K; then at (rho, j) after the zero-check), the zero-check (ny rounds of K
// values, K + 1 final values), then per claim the gather sumcheck (nx rounds of 2 values, 2 final
// values). Transcript order: the claims; per claim its evaluations, gamma ("maxpool.gamma"), the
// gather sumcheck (claim sum_j gamma^j (v - d_j~(z)); factor 0 the selector, which the verifier
// evaluates per dimension, factor 1 x at rho: the claim on x); then tau ("maxpool.tau", ny
// challenges), the zero-check prod_j d_j = 0 (degree K + 1) and the differences' evaluations at its
// point, which must equal its final values. Advice: the one range check of the K difference
// vectors (ny + ceil(log2 K) variables) into [0, 2^(bits + 1)).
//
// GlobalAveragePool words (GlobalAvgPoolProof::serialize): the evaluations (per claim the
// remainder's digits, then its complement's when 2S is not a power of two), then per claim the
// spatial sum's sumcheck (sv rounds of 1 value, 1 final value). Per claim (z, v): r~(z) (and
// r~(z) + r'~(z) = (2S - 1) I~(z)), then the degree-1 sumcheck of sum_w x~(w, z) =
// S v + (r~(z) - S I~(z)) / 2 over the sv spatial variables; the claim on x is at (rho, z).
// Advice: the remainder's range check into [0, 2^m), 2^m >= 2S, then the complement's.
pragma solidity ^0.8.24;

import {ZkNonlinear} from "./ZkNonlinear.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkPool {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R
    uint256 internal constant INV2 = (R + 1) / 2;

    uint256 internal constant L_MP_CLAIM = uint256(bytes32("maxpool.claim")) | 13;
    uint256 internal constant L_MP_NUM = uint256(bytes32("maxpool.claim.num_claims")) | 24;
    uint256 internal constant L_MP_GAMMA = uint256(bytes32("maxpool.gamma")) | 13;
    uint256 internal constant L_MP_TAU = uint256(bytes32("maxpool.tau")) | 11;
    uint256 internal constant L_GAP_CLAIM = uint256(bytes32("gap.claim")) | 9;
    uint256 internal constant L_GAP_NUM = uint256(bytes32("gap.claim.num_claims")) | 20;

    // ---------------------------------------------------------------------------------------
    // MaxPool.

    struct MaxPoolParams {
        uint256[] dims;  // the input's shape (N, C, H, W)
        uint256 kh;
        uint256 kw;
        uint256 sh;
        uint256 sw;
        uint256 pt;  // pads: top, left, bottom, right
        uint256 pl;
        uint256 pb;
        uint256 pr;
        uint256 bits;  // |x| < 2^bits, in [1, 59]
    }

    function decodeMaxPool(uint256[] memory d, uint256 at) internal pure returns (MaxPoolParams memory p, uint256 next) {
        (p.dims, at) = ZkNonlinear.decodeDims(d, at);
        p.kh = d[at];
        p.kw = d[at + 1];
        p.sh = d[at + 2];
        p.sw = d[at + 3];
        p.pt = d[at + 4];
        p.pl = d[at + 5];
        p.pb = d[at + 6];
        p.pr = d[at + 7];
        p.bits = d[at + 8];
        next = at + 9;
    }

    // bad_maxpool.
    function _valid(MaxPoolParams memory p) internal pure returns (bool) {
        if (p.dims.length != 4) return false;
        (bool valid,) = ZkNonlinear.shapeVars(p.dims);
        if (!valid) return false;
        if (p.kh < 1 || p.kw < 1 || p.sh < 1 || p.sw < 1 || p.kh > 16 || p.kw > 16 || p.sh > 64 || p.sw > 64) return false;
        if (p.pt >= p.kh || p.pb >= p.kh || p.pl >= p.kw || p.pr >= p.kw) return false;
        if (p.dims[2] + p.pt + p.pb < p.kh || p.dims[3] + p.pl + p.pr < p.kw) return false;
        if (p.bits < 1 || p.bits > 59) return false;
        return true;
    }

    // The shapes a max pool's verifier works with.
    struct MpShape {
        uint256[] od;  // (N, C, OH, OW)
        uint256 k;  // kh kw
        uint256 lk;  // ceil(log2 K)
        uint256 ny;  // y's variables
        uint256 nx;  // x's variables
        uint256 rd;  // the range check's id
        uint256 digits;  // evaluations per recvRangeEval
    }

    function _shape(MaxPoolParams memory p) internal pure returns (MpShape memory s) {
        s.od = new uint256[](4);
        s.od[0] = p.dims[0];
        s.od[1] = p.dims[1];
        s.od[2] = (p.dims[2] + p.pt + p.pb - p.kh) / p.sh + 1;
        s.od[3] = (p.dims[3] + p.pl + p.pr - p.kw) / p.sw + 1;
        s.k = p.kh * p.kw;
        s.lk = ZkNonlinear.ceilLog2(s.k);
        (, s.ny) = ZkNonlinear.shapeVars(s.od);
        (, s.nx) = ZkNonlinear.shapeVars(p.dims);
    }

    function verifyMaxPool(
        bytes32 st,
        MaxPoolParams memory p,
        ZkTypes.Claim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.StepOut memory out) {
        out = ZkNonlinear.rejected(st, pos);
        if (!_valid(p)) return out;
        MpShape memory s = _shape(p);
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != s.ny) return out;
        ZkNonlinear.Nl memory nl = ZkNonlinear.nlNew(st, pos, 1);
        s.rd = ZkNonlinear.addRange(nl, s.ny + s.lk, p.bits + 1);
        s.digits = ZkNonlinear.evalCount(nl, s.rd);
        ZkNonlinear.nlSetEvals(nl, (outClaims.length + 1) * s.k * s.digits);
        nl.st = ZkNonlinear.absorbClaims(nl.st, L_MP_NUM, L_MP_CLAIM, outClaims);
        // The words: evaluations, the zero-check, then the gathers.
        uint256 zcPos = nl.evalEnd;
        uint256 gatherPos = zcPos + s.ny * s.k + s.k + 1;
        out.x = new ZkTypes.Claim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            bool ok;
            (ok, out.x[i], gatherPos) = _gather(nl, p, s, outClaims[i], w, gatherPos);
            if (!ok) return out;
        }
        uint256[] memory tau = ZkNonlinear.challenges(nl, L_MP_TAU, s.ny);
        ZkNonlinear.Sub memory zc = ZkNonlinear.zeroCheck(nl, w, zcPos, tau, s.k + 1);
        if (!zc.ok) return out;
        for (uint256 j = 0; j < s.k; ++j) {
            (bool ok, uint256 dj) = ZkNonlinear.recvRangeEval(nl, w, s.rd, ZkNonlinear.withIndex(zc.point, j, s.lk));
            if (!ok || dj != zc.finals[j + 1]) return out;
        }
        out.st = nl.st;
        out.pos = gatherPos;
        ZkNonlinear.nlFinish(nl, out);
    }

    // One claim: its differences' evaluations, gamma, the gather sumcheck and the selector check.
    function _gather(
        ZkNonlinear.Nl memory nl,
        MaxPoolParams memory p,
        MpShape memory s,
        ZkTypes.Claim memory c,
        uint256[] calldata w,
        uint256 at
    ) private view returns (bool, ZkTypes.Claim memory xc, uint256 next) {
        uint256 target;
        {
            uint256[] memory e = new uint256[](s.k);
            for (uint256 j = 0; j < s.k; ++j) {
                bool ok;
                (ok, e[j]) = ZkNonlinear.recvRangeEval(nl, w, s.rd, ZkNonlinear.withIndex(c.point, j, s.lk));
                if (!ok) return (false, xc, at);
            }
            uint256 gamma;
            (nl.st, gamma) = ZkTranscript.challenge(nl.st, L_MP_GAMMA);
            uint256 gj = 1;
            for (uint256 j = 0; j < s.k; ++j) {
                target = addmod(target, mulmod(gj, addmod(c.value, R - e[j], R), R), R);
                gj = mulmod(gj, gamma, R);
            }
            ZkNonlinear.Sub memory sub;
            (nl.st, sub) = ZkNonlinear.productSumcheck(nl.st, w, at, s.nx, 2, target);
            if (!sub.ok) return (false, xc, at);
            if (sub.finals[0] != _selector(p, s, c.point, sub.point, gamma)) return (false, xc, at);
            xc.point = sub.point;
            xc.value = sub.finals[1];
            next = sub.next;
        }
        return (true, xc, next);
    }

    // The gather's selector MLE at (z on y, rho on x): prod over N, C of
    // sum_{t < od[d]} eq(z_d, t) eq(rho_d, t), times sum_j gamma^j S_H(j / kw) S_W(j % kw),
    // S_H(ky) = sum_{oy < OH} eq(z_H, oy) eq(rho_H, src(oy, ky)) (and S_W alike), src the clamped
    // input row (column) offset ky reads.
    function _selector(MaxPoolParams memory p, MpShape memory s, uint256[] memory z, uint256[] memory rho, uint256 gamma)
        internal
        pure
        returns (uint256 sel)
    {
        // Variables (low first): W, H, C, N; y's and x's N and C have the same lengths.
        uint256 lw = ZkNonlinear.ceilLog2(s.od[3]);
        uint256 lh = ZkNonlinear.ceilLog2(s.od[2]);
        uint256 xw = ZkNonlinear.ceilLog2(p.dims[3]);
        uint256 xh = ZkNonlinear.ceilLog2(p.dims[2]);
        uint256 lc = ZkNonlinear.ceilLog2(s.od[1]);
        uint256 ln = ZkNonlinear.ceilLog2(s.od[0]);
        uint256 ident = mulmod(
            _eqDot(z, lw + lh, rho, xw + xh, lc, s.od[1]), _eqDot(z, lw + lh + lc, rho, xw + xh + lc, ln, s.od[0]), R
        );
        uint256[] memory sh = _axis(_eqTable(z, lw, lh), _eqTable(rho, xw, xh), s.od[2], p.kh, p.sh, p.pt, p.dims[2]);
        uint256[] memory sw = _axis(_eqTable(z, 0, lw), _eqTable(rho, 0, xw), s.od[3], p.kw, p.sw, p.pl, p.dims[3]);
        uint256 gj = 1;
        for (uint256 j = 0; j < s.k; ++j) {
            sel = addmod(sel, mulmod(gj, mulmod(sh[j / p.kw], sw[j % p.kw], R), R), R);
            gj = mulmod(gj, gamma, R);
        }
        sel = mulmod(ident, sel, R);
    }

    // sum_{t < count} eq(a[ao .. ao + len), t) eq(b[bo .. bo + len), t), in O(len): per bit the
    // weights w1 = a b (bit 1) and w0 = (1 - a)(1 - b) (bit 0); the prefix sum over t < count as
    // eq_prefix_sum, with the free lower bits contributing prod (w0 + w1).
    function _eqDot(uint256[] memory a, uint256 ao, uint256[] memory b, uint256 bo, uint256 len, uint256 count)
        private
        pure
        returns (uint256 sum)
    {
        uint256[] memory free = new uint256[](len + 1);  // free[j] = prod_{i < j} (w0_i + w1_i)
        free[0] = 1;
        for (uint256 i = 0; i < len; ++i) {
            uint256 x = a[ao + i];
            uint256 y = b[bo + i];
            uint256 w1 = mulmod(x, y, R);
            uint256 w0 = mulmod(addmod(1, R - x, R), addmod(1, R - y, R), R);
            free[i + 1] = mulmod(free[i], addmod(w0, w1, R), R);
        }
        if (count == (uint256(1) << len)) return free[len];
        uint256 prefix = 1;
        for (uint256 j = len; j > 0; --j) {
            uint256 x = a[ao + j - 1];
            uint256 y = b[bo + j - 1];
            uint256 w1 = mulmod(x, y, R);
            uint256 w0 = mulmod(addmod(1, R - x, R), addmod(1, R - y, R), R);
            if ((count >> (j - 1)) & 1 == 1) {
                sum = addmod(sum, mulmod(mulmod(prefix, w0, R), free[j - 1], R), R);
                prefix = mulmod(prefix, w1, R);
            } else {
                prefix = mulmod(prefix, w0, R);
            }
        }
    }

    // eq(point[lo .. lo + len), t) for every t < 2^len (bit b of t against coordinate lo + b).
    // (Session 19: in assembly, the table allocated without zeroing; a coordinate >= R reverts,
    // as the checked arithmetic did.)
    function _eqTable(uint256[] memory point, uint256 lo, uint256 len) private pure returns (uint256[] memory t) {
        if (lo + len > point.length || len > 40) revert ZkNonlinear.BadShape();
        bool bad;
        assembly ("memory-safe") {
            let size := shl(len, 1)
            t := mload(0x40)
            mstore(t, size)
            mstore(0x40, add(t, shl(5, add(size, 1))))
            let tp := add(t, 32)
            mstore(tp, 1)
            let pp := add(add(point, 32), shl(5, lo))
            for { let b := 0 } lt(b, len) { b := add(b, 1) } {
                let r := mload(add(pp, shl(5, b)))
                bad := or(bad, iszero(lt(r, R)))
                let omr := addmod(1, sub(R, r), R)
                let hi := add(tp, shl(5, shl(b, 1)))
                for { let i := tp } lt(i, hi) { i := add(i, 32) } {
                    let v := mload(i)
                    mstore(add(i, sub(hi, tp)), mulmod(v, r, R))
                    mstore(i, mulmod(v, omr, R))
                }
            }
        }
        if (bad) revert ZkNonlinear.BadShape();
    }

    // S(k) = sum_{o < outLen} ez[o] er[src(o, k)] for each kernel offset k < kLen.
    function _axis(
        uint256[] memory ez,
        uint256[] memory er,
        uint256 outLen,
        uint256 kLen,
        uint256 stride,
        uint256 pad,
        uint256 inLen
    ) private pure returns (uint256[] memory v) {
        v = new uint256[](kLen);
        for (uint256 k = 0; k < kLen; ++k) {
            uint256 acc;
            for (uint256 o = 0; o < outLen; ++o) {
                uint256 at = o * stride + k;
                uint256 src = at < pad ? 0 : at - pad;
                if (src >= inLen) src = inLen - 1;
                acc = addmod(acc, mulmod(ez[o], er[src], R), R);
            }
            v[k] = acc;
        }
    }

    // ---------------------------------------------------------------------------------------
    // GlobalAveragePool.

    struct GlobalAvgPoolParams {
        uint256[] dims;  // the input's shape (N, C, spatial...), rank >= 3
    }

    function decodeGlobalAvgPool(uint256[] memory d, uint256 at)
        internal
        pure
        returns (GlobalAvgPoolParams memory p, uint256 next)
    {
        (p.dims, next) = ZkNonlinear.decodeDims(d, at);
    }

    struct GapShape {
        uint256 s;  // spatial positions
        uint256 m;  // the remainder's bits: 2^m >= 2S
        uint256 ny;  // y's variables (N, C)
        uint256 sv;  // spatial variables
        uint256 rRem;
        uint256 rComp;  // NONE when 2S is a power of two
        uint256[] yd;  // y's shape (N, C, 1, ...)
    }

    function verifyGlobalAvgPool(
        bytes32 st,
        GlobalAvgPoolParams memory p,
        ZkTypes.Claim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.StepOut memory out) {
        out = ZkNonlinear.rejected(st, pos);
        GapShape memory g;
        {
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
        ZkNonlinear.Nl memory nl = ZkNonlinear.nlNew(st, pos, 2);
        g.rRem = ZkNonlinear.addRange(nl, g.ny, g.m);
        g.rComp = (uint256(1) << g.m) != 2 * g.s ? ZkNonlinear.addRange(nl, g.ny, g.m) : ZkNonlinear.NONE;
        ZkNonlinear.nlSetEvals(
            nl, outClaims.length * ZkNonlinear.evalCount(nl, g.rRem) * (g.rComp != ZkNonlinear.NONE ? 2 : 1)
        );
        nl.st = ZkNonlinear.absorbClaims(nl.st, L_GAP_NUM, L_GAP_CLAIM, outClaims);
        uint256 at = nl.evalEnd;
        out.x = new ZkTypes.Claim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            bool ok;
            (ok, out.x[i], at) = _gapClaim(nl, g, outClaims[i], w, at);
            if (!ok) return out;
        }
        out.st = nl.st;
        out.pos = at;
        ZkNonlinear.nlFinish(nl, out);
    }

    function _gapClaim(
        ZkNonlinear.Nl memory nl,
        GapShape memory g,
        ZkTypes.Claim memory c,
        uint256[] calldata w,
        uint256 at
    ) private view returns (bool, ZkTypes.Claim memory xc, uint256) {
        uint256 ind = ZkNonlinear.indicator(g.yd, 0, c.point);
        (bool ok, uint256 r) = ZkNonlinear.recvRangeEval(nl, w, g.rRem, c.point);
        if (!ok) return (false, xc, at);
        if (g.rComp != ZkNonlinear.NONE) {
            uint256 rc;
            (ok, rc) = ZkNonlinear.recvRangeEval(nl, w, g.rComp, c.point);
            if (!ok || addmod(r, rc, R) != mulmod(2 * g.s - 1, ind, R)) return (false, xc, at);
        }
        // s = S v + (r - S I) / 2
        uint256 sum = addmod(mulmod(g.s, c.value, R), mulmod(addmod(r, R - mulmod(g.s, ind, R), R), INV2, R), R);
        ZkNonlinear.Sub memory sub;
        (nl.st, sub) = ZkNonlinear.productSumcheck(nl.st, w, at, g.sv, 1, sum);
        if (!sub.ok) return (false, xc, at);
        xc.point = new uint256[](g.sv + c.point.length);
        for (uint256 i = 0; i < g.sv; ++i) xc.point[i] = sub.point[i];
        for (uint256 i = 0; i < c.point.length; ++i) xc.point[g.sv + i] = c.point[i];
        xc.value = sub.finals[0];
        return (true, xc, sub.next);
    }
}
