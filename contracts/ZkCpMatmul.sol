// SPDX-License-Identifier: UNLICENSED
// The matrix-product layer's step routine in zero-knowledge mode: src/layers/matmul.cc
// `verify_matmul` over cp Vals (kzg pads of key version 8; docs/protocol/evm.md section 4.1.1,
// design (a)), transcribed beside ZkMatmul's plain mode (same shape, same vars and bias indicator).
//
// Differences from the plain routine, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are sparse forms (ZkTypes.ZkClaim) and are not absorbed
//     ("layers.matmul.claims" holds the points only: absorb_claims skips derived values);
//   - the bias values and every round and final value are padded messages (ZkCp.absorbMessages:
//     each takes the next slot, a chunk's commitment absorbed with its first message);
//   - the sumcheck is ZkCpSumcheck.verify (its final check's products and equality recorded into
//     the caller's ZkCp.Log); with batch variables, each claim's batch eq value is an equality
//     (final value - eq(r_b^t, r_b) = 0) recorded after the sumcheck's, in claim order.
// The claims on A, B and c are forms of one slot each (a final value, a bias value), with the
// points of the plain routine. Differentially tested by evm_zk_test (`EvmZk.Matmul*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkMatmul} from "./ZkMatmul.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpMatmul {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    // The cp context of the step: the log the relations go to, the pad parameters and the proof's
    // chunk commitments.
    struct Cp {
        ZkCp.Log g;
        ZkCp.Params prm;
        uint256[] chunks;
    }

    // A layer's claim list in zero-knowledge mode (the layers' absorb_claims): the count, then
    // every claim's point (the values are derived forms, never absorbed).
    function absorbPoints(bytes32 st, uint256 lblNum, uint256 lblClaims, ZkTypes.ZkClaim[] memory claims)
        internal
        pure
        returns (bytes32)
    {
        st = ZkTranscript.absorbU64(st, lblNum, uint64(claims.length));
        uint256 total;
        for (uint256 t = 0; t < claims.length; ++t) total += claims[t].point.length;
        uint256[] memory flat = new uint256[](total);
        uint256 k;
        for (uint256 t = 0; t < claims.length; ++t) {
            uint256[] memory p = claims[t].point;
            for (uint256 i = 0; i < p.length; ++i) flat[k++] = p[i];
        }
        return ZkTranscript.absorbFrs(st, lblClaims, flat);
    }

    // A form of one atom with coefficient 1.
    function single(uint256 atom) internal pure returns (uint256[] memory f) {
        f = new uint256[](4);
        f[1] = 1;
        f[2] = atom;
        f[3] = 1;
    }

    // sum_t k_t form_t.
    function combineForms(ZkTypes.ZkClaim[] memory yc, uint256[] memory k) internal pure returns (uint256[] memory) {
        return _claimForm(yc, k, false, 0, k);
    }

    // sum_t k_t (form_t - b_t ind_t) (b_t: slot bias0 + t when bias).
    function _claimForm(ZkTypes.ZkClaim[] memory yc, uint256[] memory k, bool bias, uint256 bias0, uint256[] memory ind)
        internal
        pure
        returns (uint256[] memory f)
    {
        uint256 nt;
        for (uint256 t = 0; t < yc.length; ++t) nt += yc[t].form[1] + (bias ? 1 : 0);
        f = new uint256[](2 + 2 * nt);
        uint256 at = 2;
        for (uint256 t = 0; t < yc.length; ++t) {
            uint256[] memory y = yc[t].form;
            if (y.length != 2 + 2 * y[1] || y[0] >= R) revert ZkLayerUtil.BadShape();
            f[0] = addmod(f[0], mulmod(k[t], y[0], R), R);
            for (uint256 i = 0; i < y[1]; ++i) {
                uint256 c = y[3 + 2 * i];
                if (c >= R) revert ZkLayerUtil.BadShape();
                f[at++] = y[2 + 2 * i];
                f[at++] = mulmod(k[t], c, R);
            }
            if (bias) {
                uint256 c = mulmod(k[t], ind[t], R);
                f[at++] = bias0 + t;
                f[at++] = c == 0 ? 0 : R - c;
            }
        }
        f[1] = nt;
    }

    function verifyMatmul(
        bytes32 st,
        Cp memory z,
        ZkMatmul.MatmulShape memory s,
        ZkTypes.ZkClaim[] memory yClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        uint256 nc = yClaims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        ZkMatmul.Vars memory v = ZkMatmul._vars(s);
        for (uint256 t = 0; t < nc; ++t)
            if (yClaims[t].point.length != v.ln + v.lm + v.lb) revert ZkLayerUtil.BadShape();

        st = absorbPoints(st, ZkMatmul.L_NUM, ZkMatmul.L_CLAIMS, yClaims);
        out.ok = true;
        uint256 bias0 = z.g.ns;
        uint256[] memory ind = new uint256[](nc);
        if (s.bias) {
            bool okc;
            (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkMatmul.L_BIAS, w[pos:pos + nc]);
            out.ok = okc;
            pos += nc;
            for (uint256 t = 0; t < nc; ++t) ind[t] = ZkMatmul._biasIndicator(s, v, yClaims[t].point);
        }
        uint256 gamma;
        (st, gamma) = ZkTranscript.challenge(st, ZkMatmul.L_GAMMA);
        uint256[] memory coeffs = ZkLayerUtil.powers(gamma, nc);

        uint256 per = v.lb > 0 ? 3 : 2;
        ZkCpSumcheck.Statement memory sc;
        sc.n = v.lk + v.lb;
        sc.nf = per * nc;
        sc.nterms = nc;
        sc.terms = new uint256[](nc * (2 + per));
        for (uint256 t = 0; t < nc; ++t) {
            uint256 b = t * (2 + per);
            sc.terms[b] = coeffs[t];
            sc.terms[b + 1] = per;
            for (uint256 j = 0; j < per; ++j) sc.terms[b + 2 + j] = per * t + j;
        }
        sc.claim = _claimForm(yClaims, coeffs, s.bias, bias0, ind);
        ZkCpSumcheck.Res memory r = ZkCpSumcheck.verify(st, z.g, z.prm, z.chunks, sc, w[pos:]);
        out.ok = out.ok && r.ok;
        out.st = r.st;
        out.pos = pos + r.p;

        if (v.lb > 0) {
            for (uint256 t = 0; t < nc; ++t) {
                uint256 e = ZkLayerUtil.eqAt(yClaims[t].point, v.ln + v.lm, r.point, v.lk, v.lb);
                uint256[] memory f = single(r.finals + 3 * t);
                f[0] = e == 0 ? 0 : R - e;
                ZkCp.recordZero(z.g, f, 0);
            }
        }
        _outputClaims(s, v, yClaims, r.point, r.finals, bias0, out);
    }

    function _outputClaims(
        ZkMatmul.MatmulShape memory s,
        ZkMatmul.Vars memory v,
        ZkTypes.ZkClaim[] memory yClaims,
        uint256[] memory point,
        uint256 finals,
        uint256 bias0,
        ZkTypes.ZkStepOut memory out
    ) private pure {
        uint256 nc = yClaims.length;
        uint256 per = v.lb > 0 ? 3 : 2;
        uint256[] memory rz = ZkLayerUtil.slice(point, 0, v.lk);
        uint256[] memory rb = ZkLayerUtil.slice(point, v.lk, v.lb);
        out.x = new ZkTypes.ZkClaim[](nc);
        out.w = new ZkTypes.ZkClaim[](nc);
        if (s.bias) out.bias = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            uint256[] memory y = yClaims[t].point;
            uint256[] memory ry = ZkLayerUtil.slice(y, 0, v.ln);
            uint256[] memory rx = ZkLayerUtil.slice(y, v.ln, v.lm);
            out.x[t].point = s.transA ? ZkLayerUtil.cat3(rx, rz, rb) : ZkLayerUtil.cat3(rz, rx, rb);
            out.x[t].form = single(finals + per * t + per - 2);
            out.w[t].point = s.transB ? ZkLayerUtil.cat3(rz, ry, rb) : ZkLayerUtil.cat3(ry, rz, rb);
            out.w[t].form = single(finals + per * t + per - 1);
            if (s.bias) {
                out.bias[t].point = ZkLayerUtil.cat3(
                    s.biasCols ? ry : new uint256[](0),
                    s.biasRows ? rx : new uint256[](0),
                    s.biasBatch ? ZkLayerUtil.slice(y, v.ln + v.lm, v.lb) : new uint256[](0)
                );
                out.bias[t].form = single(bias0 + t);
            }
        }
    }
}
