// SPDX-License-Identifier: UNLICENSED
// The 2-D convolution layer's step routine in zero-knowledge mode: src/layers/conv.cc `verify_conv`
// over cp Vals (kzg pads of key version 8 and later; docs/protocol/evm.md section 4.1.1, design
// (a)), transcribed beside ZkConv's plain mode (same ConvShape, same variable counts, bias
// indicator, window selectors and grouped channel selector: ZkConv's own functions).
//
// Differences from the plain routine, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are sparse forms (ZkTypes.ZkClaim) and are not absorbed
//     ("layers.conv.claims" holds the points only: absorb_claims skips derived values);
//   - the bias values and every round and final value are padded messages (ZkCp.absorbMessages:
//     each takes the next slot, a chunk's commitment absorbed with its first message);
//   - both sumchecks are ZkCpSumcheck.verify (the input sumcheck sum X G over X's variables with
//     the claim sum_t gamma^t (y_t - b_t ind_t); the kernel sumcheck with the claim G(r), the input
//     sumcheck's second final value: its final checks' products and equalities recorded into the
//     caller's ZkCp.Log);
//   - the window selector checks (groups = 1: Phi_t - final_{2t+1} per claim, in claim order) and
//     the grouped channel selector check (groups > 1: ME - final_1) are equalities recorded after
//     the kernel sumcheck's.
// The claims on X, Wt and the bias are forms of one slot each (a final value, a bias value), at
// the plain routine's points. Entry point as ZkCpMatmul.verifyMatmul. Differentially tested by
// evm_zk_test (`EvmZk.Conv*`).
pragma solidity ^0.8.24;

import {ZkConv} from "./ZkConv.sol";
import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpConv {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    // A product of two factors (a, b) with coefficient k, as a statement's flat terms.
    function _product2(ZkCpSumcheck.Statement memory sc, uint256 n, uint256[] memory claim) private pure {
        sc.n = n;
        sc.nf = 2;
        sc.nterms = 1;
        sc.terms = new uint256[](4);
        sc.terms[0] = 1;
        sc.terms[1] = 2;
        sc.terms[3] = 1;
        sc.claim = claim;
    }

    // f - k = 0 for the one-slot form of `slot` (the C++ `Val != Fr`).
    function _recordSlot(ZkCp.Log memory g, uint256 slot, uint256 k) private pure {
        uint256[] memory f = ZkCpMatmul.single(slot);
        f[0] = k == 0 ? 0 : R - k;
        ZkCp.recordZero(g, f, 0);
    }

    function verifyConv(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkConv.ConvShape memory s,
        ZkTypes.ZkClaim[] memory yClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        uint256 nc = yClaims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        ZkConv.Ctx memory v = ZkConv._ctx(s);
        ZkTypes.Claim[] memory yp = new ZkTypes.Claim[](nc);  // the points (ZkConv's selectors read them)
        for (uint256 t = 0; t < nc; ++t) {
            if (yClaims[t].point.length != v.ln + v.lco + v.loh + v.low) revert ZkLayerUtil.BadShape();
            yp[t].point = yClaims[t].point;
        }

        st = ZkCpMatmul.absorbPoints(st, ZkConv.L_NUM, ZkConv.L_CLAIMS, yClaims);
        out.ok = true;
        uint256 bias0 = z.g.ns;
        uint256[] memory ind = new uint256[](nc);
        if (s.bias) {
            bool okc;
            (st, okc) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkConv.L_BIAS, w[pos:pos + nc]);
            out.ok = okc;
            pos += nc;
            for (uint256 t = 0; t < nc; ++t) ind[t] = ZkConv._biasIndicator(s, v, yClaims[t].point);
        }
        {
            uint256 gamma;
            (st, gamma) = ZkTranscript.challenge(st, ZkConv.L_GAMMA);
            v.g = ZkLayerUtil.powers(gamma, nc);
        }

        // The input sumcheck: sum X G = sum_t gamma^t (y_t - bias_t ind_t).
        ZkCpSumcheck.Statement memory sc;
        _product2(sc, v.ln + v.lc + v.lh + v.lw, ZkCpMatmul._claimForm(yClaims, v.g, s.bias, bias0, ind));
        ZkCpSumcheck.Res memory r1 = ZkCpSumcheck.verify(st, z.g, z.prm, z.chunks, sc, w[pos:]);
        pos += r1.p;
        v.p1 = r1.point;

        // The kernel sumcheck (groups = 1: sum_t kappa_t Wt_t Phi_t over (kw, kh)'s variables;
        // groups > 1: Wt ME over Wt's variables), its claim G(r).
        v.kappa = new uint256[](nc);
        for (uint256 t = 0; t < nc; ++t)
            v.kappa[t] = mulmod(v.g[t], ZkLayerUtil.eqAt(yClaims[t].point, v.low + v.loh + v.lco, v.p1, v.lw + v.lh + v.lc, v.ln), R);
        if (s.groups == 1) {
            sc.n = v.lkw + v.lkh;
            sc.nf = 2 * nc;
            sc.nterms = nc;
            sc.terms = new uint256[](4 * nc);
            for (uint256 t = 0; t < nc; ++t) {
                sc.terms[4 * t] = v.kappa[t];
                sc.terms[4 * t + 1] = 2;
                sc.terms[4 * t + 2] = 2 * t;
                sc.terms[4 * t + 3] = 2 * t + 1;
            }
            sc.claim = ZkCpMatmul.single(r1.finals + 1);
        } else {
            _product2(sc, v.lco + v.lcg + v.lkh + v.lkw, ZkCpMatmul.single(r1.finals + 1));
        }
        ZkCpSumcheck.Res memory r2 = ZkCpSumcheck.verify(r1.st, z.g, z.prm, z.chunks, sc, w[pos:]);
        out.ok = out.ok && r1.ok && r2.ok;
        out.st = r2.st;
        out.pos = pos + r2.p;
        v.p2 = r2.point;

        // Phi_t(r_kh, r_kw) = Sh~(r_kh; r_ho, r_h) Sw~(r_kw; r_wo, r_w).
        ZkConv._windowSelectors(s, v, yp);
        if (s.groups == 1) {
            for (uint256 t = 0; t < nc; ++t) _recordSlot(z.g, r2.finals + 2 * t + 1, v.phi[t]);
        } else {
            _recordSlot(z.g, r2.finals + 1, ZkConv._groupedSelector(s, v, yp));
        }
        _outputClaims(s, v, yClaims, r1.finals, r2.finals, bias0, out);
    }

    function _outputClaims(
        ZkConv.ConvShape memory s,
        ZkConv.Ctx memory v,
        ZkTypes.ZkClaim[] memory yClaims,
        uint256 f1,
        uint256 f2,
        uint256 bias0,
        ZkTypes.ZkStepOut memory out
    ) private pure {
        uint256 nc = yClaims.length;
        out.x = new ZkTypes.ZkClaim[](1);
        out.x[0].point = v.p1;
        out.x[0].form = ZkCpMatmul.single(f1);
        if (s.bias) {
            out.bias = new ZkTypes.ZkClaim[](nc);
            for (uint256 t = 0; t < nc; ++t) {
                out.bias[t].point = ZkLayerUtil.slice(yClaims[t].point, v.low + v.loh, v.lco);
                out.bias[t].form = ZkCpMatmul.single(bias0 + t);
            }
        }
        if (s.groups > 1) {
            out.w = new ZkTypes.ZkClaim[](1);
            out.w[0].point = v.p2;
            out.w[0].form = ZkCpMatmul.single(f2);
            return;
        }
        out.w = new ZkTypes.ZkClaim[](nc);
        uint256[] memory rc = ZkLayerUtil.slice(v.p1, v.lw + v.lh, v.lc);
        for (uint256 t = 0; t < nc; ++t) {
            out.w[t].point = ZkLayerUtil.cat3(v.p2, rc, ZkLayerUtil.slice(yClaims[t].point, v.low + v.loh, v.lco));
            out.w[t].form = ZkCpMatmul.single(f2 + 2 * t);
        }
    }
}
