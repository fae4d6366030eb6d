// SPDX-License-Identifier: UNLICENSED
// The data-movement step routine: src/layers/reindex.cc `verify_reindex` in plain mode
// (docs/protocol/layers.md, section 8), transcribed: y[i] = x[pi(i)] (or the pad value where i has
// no source), for every map the C++ builds (reshape_map: Flatten / Reshape / Squeeze / Unsqueeze;
// transpose_map; slice_map; pad_map; gather_map; expand_map; tile_map; trilu_map). Concat
// (verify_concat) is not transcribed. A reshape whose x and y share one padded table
// (proof/steps/move.cc `same_padded_layout`) is no reindex at all: its step passes the claims on
// unchanged, without calling this routine.
//
// Public parameters (ReindexMap, field by field layers::ReindexMap):
//   xDims, yDims   uint256[]
//   groups         ReindexGroup[] (layers::ReindexGroup):
//     yAxes, xAxes uint256[]  contiguous increasing axes of y and of x
//     identity     bool       the identity of one y axis onto one x axis of the same size (map empty)
//     iota         bool       (a compression: not in the C++ struct) map[t] = t for every t; `map`
//                             left empty. The generator sets it where the C++ map is 0, 1, .., n-1
//                             (reshape_map's non-identity blocks, e.g. Flatten's C.H.W block) and
//                             never on an identity group
//     map          int256[]   else: per row-major y sub-index, the row-major x sub-index or -1
//   padValue       int256     the value of y entries without a source
// A map that ReindexMap::invalid() refuses reverts (BadShape).
//
// Proof words from `pos` (ReindexProof::serialize): none when every group is free (identity
// groups, and unit groups mapping one entry onto one: then each claim moves to x at the permuted
// point with its value); else per claim a degree-2 sumcheck over the non-free groups' x variables
// (in increasing order of those variables): rounds of 2 values, then 2 finals (P(r), x(r)).
// Transcript: u64 "reindex.claim.num_claims"; per claim "reindex.claim" its point, then
// "reindex.claim" its value; per claim the sumcheck (coeffs [1]).
// Returns out.x = one claim on x per claim on y, in order.
pragma solidity ^0.8.24;

import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkReindex {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    uint256 internal constant L_NUM = uint256(bytes32("reindex.claim.num_claims")) | 24;
    uint256 internal constant L_CLAIM = uint256(bytes32("reindex.claim")) | 13;

    uint256 private constant MAX_MAP_ENTRIES = uint256(1) << 28;

    struct ReindexGroup {
        uint256[] yAxes;
        uint256[] xAxes;
        bool identity;
        bool iota;
        int256[] map;
    }

    struct ReindexMap {
        uint256[] xDims;
        uint256[] yDims;
        ReindexGroup[] groups;
        int256 padValue;
    }

    // Per group: the sub-shapes, their sizes, the variable ranges in y and x, whether free.
    struct GroupInfo {
        uint256[] ys;
        uint256[] xs;
        uint256 ny;
        uint256 nx;
        uint256 yvFirst;
        uint256 yvLen;
        uint256 xvFirst;
        uint256 xvLen;
        bool free;
    }

    struct Ctx {
        GroupInfo[] gi;
        uint256[] sc;  // the non-free groups in increasing order of their x variables
        uint256 sumVars;  // the sumcheck's variables
        uint256 xVars;
        uint256 yVars;
    }

    // The per-axis offsets (first variable) and log sizes of a padded shape.
    function _layout(uint256[] memory dims) private pure returns (uint256[] memory off, uint256[] memory lg, uint256 total) {
        off = new uint256[](dims.length);
        lg = new uint256[](dims.length);
        for (uint256 i = dims.length; i > 0; --i) {
            if (dims[i - 1] > (uint256(1) << 40)) revert ZkLayerUtil.BadShape();
            lg[i - 1] = ZkLayerUtil.ceilLog2(dims[i - 1]);
            off[i - 1] = total;
            total += lg[i - 1];
        }
        if (total > 40) revert ZkLayerUtil.BadShape();
    }

    function _pick(uint256[] memory dims, uint256[] memory axes, uint256[] memory off, uint256[] memory lg, uint256[] memory seen)
        private
        pure
        returns (uint256[] memory sub, uint256 n, uint256 first, uint256 len)
    {
        sub = new uint256[](axes.length);
        n = 1;
        for (uint256 i = 0; i < axes.length; ++i) {
            uint256 a = axes[i];
            if (a >= dims.length || (i > 0 && a != axes[i - 1] + 1)) revert ZkLayerUtil.BadShape();
            ++seen[a];
            sub[i] = dims[a];
            n *= dims[a];
            len += lg[a];
        }
        if (axes.length > 0) first = off[axes[axes.length - 1]];
    }

    // ReindexMap::invalid (reverts), group_info and sumcheck_groups.
    function _ctx(ReindexMap memory m) internal pure returns (Ctx memory c) {
        (uint256[] memory yoff, uint256[] memory ylg, uint256 yv) = _layout(m.yDims);
        (uint256[] memory xoff, uint256[] memory xlg, uint256 xv) = _layout(m.xDims);
        c.yVars = yv;
        c.xVars = xv;
        uint256 ng = m.groups.length;
        c.gi = new GroupInfo[](ng);
        uint256[] memory yseen = new uint256[](m.yDims.length);
        uint256[] memory xseen = new uint256[](m.xDims.length);
        uint256 entries;
        uint256 nsc;
        for (uint256 g = 0; g < ng; ++g) {
            ReindexGroup memory gr = m.groups[g];
            GroupInfo memory info = c.gi[g];
            (info.ys, info.ny, info.yvFirst, info.yvLen) = _pick(m.yDims, gr.yAxes, yoff, ylg, yseen);
            (info.xs, info.nx, info.xvFirst, info.xvLen) = _pick(m.xDims, gr.xAxes, xoff, xlg, xseen);
            if (gr.identity) {
                if (gr.yAxes.length != 1 || gr.xAxes.length != 1 || gr.map.length != 0 || gr.iota || info.ny != info.nx)
                    revert ZkLayerUtil.BadShape();
                info.free = true;
                continue;
            }
            entries += info.ny;
            if (entries > MAX_MAP_ENTRIES) revert ZkLayerUtil.BadShape();
            if (gr.iota) {
                if (gr.map.length != 0 || info.ny > info.nx) revert ZkLayerUtil.BadShape();
                info.free = info.yvLen + info.xvLen == 0;  // the map [0]
            } else {
                if (gr.map.length != info.ny) revert ZkLayerUtil.BadShape();
                for (uint256 t = 0; t < info.ny; ++t)
                    if (gr.map[t] < -1 || gr.map[t] >= int256(info.nx)) revert ZkLayerUtil.BadShape();
                info.free = info.yvLen + info.xvLen == 0 && info.ny == 1 && gr.map[0] == 0;
            }
            if (!info.free) {
                ++nsc;
                c.sumVars += info.xvLen;
            }
        }
        for (uint256 a = 0; a < yseen.length; ++a)
            if (yseen[a] != 1) revert ZkLayerUtil.BadShape();
        for (uint256 a = 0; a < xseen.length; ++a)
            if (xseen[a] != 1) revert ZkLayerUtil.BadShape();
        c.sc = new uint256[](nsc);
        uint256 k;
        for (uint256 g = 0; g < ng; ++g) {
            if (c.gi[g].free) continue;
            // insertion by xvFirst (distinct for groups with variables; ties have none)
            uint256 j = k++;
            while (j > 0 && c.gi[c.sc[j - 1]].xvFirst > c.gi[g].xvFirst) {
                c.sc[j] = c.sc[j - 1];
                --j;
            }
            c.sc[j] = g;
        }
    }

    function verifyReindex(bytes32 st, ReindexMap memory m, ZkTypes.Claim[] memory yClaims, uint256[] calldata w, uint256 pos)
        internal
        view
        returns (ZkTypes.StepOut memory out)
    {
        Ctx memory c = _ctx(m);
        uint256 nc = yClaims.length;
        for (uint256 t = 0; t < nc; ++t)
            if (yClaims[t].point.length != c.yVars) revert ZkLayerUtil.BadShape();
        st = ZkTranscript.absorbU64(st, L_NUM, uint64(nc));
        for (uint256 t = 0; t < nc; ++t) {
            st = ZkTranscript.absorbFrs(st, L_CLAIM, yClaims[t].point);
            st = ZkTranscript.absorbFr(st, L_CLAIM, yClaims[t].value);
        }
        out.x = new ZkTypes.Claim[](nc);
        uint256[] memory one = new uint256[](1);
        one[0] = 1;
        for (uint256 t = 0; t < nc; ++t) {
            uint256[] memory z = yClaims[t].point;
            if (c.sc.length == 0) {
                out.x[t].point = _xPoint(m, c, z, new uint256[](0));
                out.x[t].value = yClaims[t].value;
                continue;
            }
            uint256 running;
            uint256[] memory rho;
            (st, running, rho) =
                ZkLayerUtil.verifyRounds2(st, c.sumVars, one, _target(m, c, yClaims[t]), w[pos:pos + 2 * c.sumVars]);
            pos += 2 * c.sumVars;
            uint256[] calldata f = w[pos:pos + 2];
            pos += 2;
            if (mulmod(f[0], f[1], R) != running) {
                out.st = st;
                out.pos = pos;
                return out;
            }
            st = ZkSumcheck.absorbFinal(st, f);
            if (f[0] != _selector(m, c, z, rho)) {
                out.st = st;
                out.pos = pos;
                return out;
            }
            out.x[t].point = _xPoint(m, c, z, rho);
            out.x[t].value = f[1];
        }
        out.st = st;
        out.pos = pos;
        out.ok = true;
    }

    // x's point: identity groups' variables from z, the sumcheck groups' from rho (in order).
    function _xPoint(ReindexMap memory m, Ctx memory c, uint256[] memory z, uint256[] memory rho)
        internal
        pure
        returns (uint256[] memory p)
    {
        p = new uint256[](c.xVars);
        for (uint256 g = 0; g < m.groups.length; ++g) {
            if (!m.groups[g].identity) continue;
            GroupInfo memory info = c.gi[g];
            for (uint256 k = 0; k < info.yvLen; ++k) p[info.xvFirst + k] = z[info.yvFirst + k];
        }
        uint256 at;
        for (uint256 i = 0; i < c.sc.length; ++i) {
            GroupInfo memory info = c.gi[c.sc[i]];
            for (uint256 k = 0; k < info.xvLen; ++k) p[info.xvFirst + k] = rho[at + k];
            at += info.xvLen;
        }
    }

    // The product over the sumcheck groups of sum_{sourced t} eq(z_g, ypad(t)) eq(r_g, xpad(map t)).
    function _selector(ReindexMap memory m, Ctx memory c, uint256[] memory z, uint256[] memory rho)
        internal
        pure
        returns (uint256 sel)
    {
        sel = 1;
        uint256 at;
        for (uint256 i = 0; i < c.sc.length; ++i) {
            GroupInfo memory info = c.gi[c.sc[i]];
            sel = mulmod(sel, _groupSum(m.groups[c.sc[i]], info, z, rho, at), R);
            at += info.xvLen;
        }
    }

    // Whether a sub-shape's padded index is its row-major index (every axis after the first a power
    // of two).
    function _rowMajor(uint256[] memory dims) private pure returns (bool) {
        for (uint256 i = 1; i < dims.length; ++i)
            if (dims[i] & (dims[i] - 1) != 0) return false;
        return true;
    }

    // The first variable of each axis of a sub-shape whose variables start at off (its last axis
    // lowest), and the sub-shape's size.
    function _axisOffsets(uint256[] memory dims, uint256 off) private pure returns (uint256[] memory axOff, uint256 n) {
        axOff = new uint256[](dims.length);
        n = 1;
        for (uint256 i = dims.length; i > 0; --i) {
            axOff[i - 1] = off;
            off += ZkLayerUtil.ceilLog2(dims[i - 1]);
            n *= dims[i - 1];
        }
    }

    // The row-major table of a sub-shape's eq values at p[off, ..): entry t = eq(p_g, pad(t)) for
    // the unpadded row-major index t (at least that many entries): the eq table itself when the
    // padded index is the row-major one, else the Kronecker product of the axes' eq tables cut to
    // their dims.
    function _rowMajorEq(uint256[] memory p, uint256 off, uint256[] memory dims) private pure returns (uint256[] memory out) {
        (uint256[] memory axOff, uint256 n) = _axisOffsets(dims, off);
        if (_rowMajor(dims)) {
            uint256 len;
            for (uint256 i = 0; i < dims.length; ++i) len += ZkLayerUtil.ceilLog2(dims[i]);
            return ZkLayerUtil.eqTable(p, off, len);
        }
        out = new uint256[](n);
        out[0] = 1;
        uint256 cur = 1;
        for (uint256 a = 0; a < dims.length; ++a) {
            uint256 d = dims[a];
            uint256[] memory e = ZkLayerUtil.eqTable(p, axOff[a], ZkLayerUtil.ceilLog2(d));
            // out[i d + j] = out[i] e[j], from the back (in place)
            assembly ("memory-safe") {
                let op := add(out, 32)
                let ep := add(e, 32)
                for { let i := cur } gt(i, 0) { i := sub(i, 1) } {
                    let v := mload(add(op, shl(5, sub(i, 1))))
                    let base := add(op, shl(5, mul(sub(i, 1), d)))
                    for { let j := d } gt(j, 0) { j := sub(j, 1) } {
                        mstore(add(base, shl(5, sub(j, 1))), mulmod(v, mload(add(ep, shl(5, sub(j, 1)))), R))
                    }
                }
            }
            cur *= d;
        }
    }

    // sum_t a[t] eq(p_g, pad(t)) over a sub-shape's unpadded row-major indices t, p_g = p[off, ..):
    // a contracted with the axes' eq tables from the innermost axis out, in place (a is consumed).
    function _contract(uint256[] memory a, uint256[] memory p, uint256 off, uint256[] memory dims) private pure returns (uint256) {
        (uint256[] memory axOff, uint256 n) = _axisOffsets(dims, off);
        for (uint256 ax = dims.length; ax > 0; --ax) {
            uint256 d = dims[ax - 1];
            uint256[] memory e = ZkLayerUtil.eqTable(p, axOff[ax - 1], ZkLayerUtil.ceilLog2(d));
            n /= d;
            // a[i] = sum_j a[i d + j] e[j] (a[i d ..] is read before a[i] is written: i <= i d)
            assembly ("memory-safe") {
                let ap := add(a, 32)
                let ep := add(e, 32)
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    let base := add(ap, shl(5, mul(i, d)))
                    let s := 0
                    for { let j := 0 } lt(j, d) { j := add(j, 1) } {
                        s := addmod(s, mulmod(mload(add(base, shl(5, j))), mload(add(ep, shl(5, j))), R), R)
                    }
                    mstore(add(ap, shl(5, i)), s)
                }
            }
        }
        return a[0];
    }

    // sum_{sourced t} eq(z_g, ypad(t)) eq(r_g, xpad(map t)) (group_selector); z_g = z[yvFirst, ..),
    // r_g = rho[at, ..).
    function _groupSum(ReindexGroup memory gr, GroupInfo memory info, uint256[] memory z, uint256[] memory rho, uint256 at)
        private
        pure
        returns (uint256 acc)
    {
        if (gr.iota) {
            // the sum of the two row-major tables' products: one side's table (the one that is an
            // eq table as it stands, if either) contracted with the other's axes
            if (_rowMajor(info.ys) || !_rowMajor(info.xs))
                return _contract(_rowMajorEq(z, info.yvFirst, info.ys), rho, at, info.xs);
            return _contract(_rowMajorEq(rho, at, info.xs), z, info.yvFirst, info.ys);
        }
        uint256[] memory a = _rowMajorEq(z, info.yvFirst, info.ys);
        uint256[] memory b = _rowMajorEq(rho, at, info.xs);
        uint256 n = info.ny;
        int256[] memory map = gr.map;  // sources checked in range by _ctx
        assembly ("memory-safe") {
            let ap := add(a, 32)
            let bp := add(b, 32)
            let mp := add(map, 32)
            for { let t := 0 } lt(t, n) { t := add(t, 1) } {
                let src := mload(add(mp, shl(5, t)))
                if iszero(slt(src, 0)) {
                    acc := addmod(acc, mulmod(mload(add(ap, shl(5, t))), mload(add(bp, shl(5, src))), R), R)
                }
            }
        }
    }

    // sum_{sourced t} eq(z_g, ypad(t)): the MLE of the group's "has a source" indicator at z_g.
    function _groupSourced(ReindexGroup memory gr, GroupInfo memory info, uint256[] memory z) private pure returns (uint256 acc) {
        if (gr.identity || gr.iota) {
            // every entry sourced: the product of the axes' prefix sums
            acc = 1;
            uint256 off = info.yvFirst;
            for (uint256 i = info.ys.length; i > 0; --i) {
                uint256 l = ZkLayerUtil.ceilLog2(info.ys[i - 1]);
                acc = mulmod(acc, ZkLayerUtil.eqPrefixSum(z, off, l, info.ys[i - 1]), R);
                off += l;
            }
            return acc;
        }
        uint256[] memory a = _rowMajorEq(z, info.yvFirst, info.ys);
        for (uint256 t = 0; t < info.ny; ++t)
            if (gr.map[t] >= 0) acc = addmod(acc, a[t], R);
    }

    // v - c (MLE of y's unsourced entries at z) (sourced_target).
    function _target(ReindexMap memory m, Ctx memory c, ZkTypes.Claim memory cl) internal pure returns (uint256) {
        if (m.padValue == 0) return cl.value;
        uint256 src = 1;
        for (uint256 g = 0; g < m.groups.length; ++g) src = mulmod(src, _groupSourced(m.groups[g], c.gi[g], cl.point), R);
        // indicator_mle(y, z): the product over y's axes of eq_prefix_sum
        uint256 ind = 1;
        uint256 off;
        for (uint256 a = m.yDims.length; a > 0; --a) {
            uint256 l = ZkLayerUtil.ceilLog2(m.yDims[a - 1]);
            ind = mulmod(ind, ZkLayerUtil.eqPrefixSum(cl.point, off, l, m.yDims[a - 1]), R);
            off += l;
        }
        int256 pv = m.padValue;
        uint256 pad = pv >= 0 ? uint256(pv) % R : R - (uint256(-pv) % R);
        return addmod(cl.value, R - mulmod(pad, addmod(ind, R - src, R), R), R);
    }
}
