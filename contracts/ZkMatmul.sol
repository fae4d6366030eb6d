// SPDX-License-Identifier: UNLICENSED
// The matrix-product layer's step routine: src/layers/matmul.cc `verify_matmul` in plain mode
// (docs/protocol/layers.md, section 2), transcribed. Y = A B (+ c) with optional batch dims,
// Gemm's transposes and a broadcast bias.
//
// Public parameters (MatmulShape, field by field layers::MatmulShape):
//   batch      uint256[]  the leading batch dims (empty for a plain product)
//   m, k, n    uint256    A: (batch.., m, k) or (batch.., k, m) when transA; B: (batch.., k, n) or
//                         (batch.., n, k) when transB; Y: (batch.., m, n)
//   transA, transB, bias, biasBatch, biasRows, biasCols   bool  (c: (biasBatch ? batch.. : ,
//                         biasRows ? m : 1, biasCols ? n : 1), broadcast to Y)
// Every dim >= 1, at most 2^40 padded entries per tensor (else BadShape, a revert).
//
// Proof words from `pos` (MatmulProof::serialize): the bias values (one per claim, when bias), the
// sumcheck's rounds ((ceil_log2 k + batch vars) rounds of `per` values: per = 3 with batch
// variables, else 2) and its final values (per per claim: (eq_batch,) A_t, B_t).
// Transcript: u64 "layers.matmul.num_claims", "layers.matmul.claims" (each point then its value),
// "layers.matmul.bias_values" (when bias), challenge "layers.matmul.gamma", then the sumcheck of
// sum_t gamma^t [eq_t] A_t B_t (ZkLayerUtil.verifyRounds2 for degree 2, ZkSumcheck.verifyRounds for
// degree 3; its final values absorbed).
// Returns out.x = the claims on A (MatmulClaims.a), out.w = on B (.b), out.bias = on c (.bias,
// the value c~ at the bias point as the prover sent it; the caller scales it), in claim order.
pragma solidity ^0.8.24;

import {ZkLayerUtil} from "./ZkLayerUtil.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkMatmul {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R

    uint256 internal constant L_NUM = uint256(bytes32("layers.matmul.num_claims")) | 24;
    uint256 internal constant L_CLAIMS = uint256(bytes32("layers.matmul.claims")) | 20;
    uint256 internal constant L_BIAS = uint256(bytes32("layers.matmul.bias_values")) | 25;
    uint256 internal constant L_GAMMA = uint256(bytes32("layers.matmul.gamma")) | 19;

    struct MatmulShape {
        uint256[] batch;
        uint256 m;
        uint256 k;
        uint256 n;
        bool transA;
        bool transB;
        bool bias;
        bool biasBatch;
        bool biasRows;
        bool biasCols;
    }

    // Variable counts: n's, m's, k's, the batch's together.
    struct Vars {
        uint256 ln;
        uint256 lm;
        uint256 lk;
        uint256 lb;
    }

    function _vars(MatmulShape memory s) internal pure returns (Vars memory v) {
        v.ln = ZkLayerUtil.ceilLog2(s.n);
        v.lm = ZkLayerUtil.ceilLog2(s.m);
        v.lk = ZkLayerUtil.ceilLog2(s.k);
        for (uint256 i = 0; i < s.batch.length; ++i) {
            if (s.batch[i] > (uint256(1) << 40)) revert ZkLayerUtil.BadShape();
            v.lb += ZkLayerUtil.ceilLog2(s.batch[i]);
        }
        if (s.m > (uint256(1) << 40) || s.k > (uint256(1) << 40) || s.n > (uint256(1) << 40)) revert ZkLayerUtil.BadShape();
        if (v.lb + v.lm + v.lk + v.ln > 40) revert ZkLayerUtil.BadShape();  // MatmulShape::invalid
    }

    // The MLE of the bias's broadcast indicator at a point on Y (bias_point's second half).
    function _biasIndicator(MatmulShape memory s, Vars memory v, uint256[] memory y) internal pure returns (uint256 ind) {
        ind = 1;
        if (!s.biasCols) ind = mulmod(ind, ZkLayerUtil.eqPrefixSum(y, 0, v.ln, s.n), R);
        if (!s.biasRows) ind = mulmod(ind, ZkLayerUtil.eqPrefixSum(y, v.ln, v.lm, s.m), R);
        if (!s.biasBatch && s.batch.length > 0) {
            // split_point over the batch dims: the last dim's variables first
            uint256 off = v.ln + v.lm;
            for (uint256 i = s.batch.length; i > 0; --i) {
                uint256 l = ZkLayerUtil.ceilLog2(s.batch[i - 1]);
                ind = mulmod(ind, ZkLayerUtil.eqPrefixSum(y, off, l, s.batch[i - 1]), R);
                off += l;
            }
        }
    }

    function verifyMatmul(bytes32 st, MatmulShape memory s, ZkTypes.Claim[] memory yClaims, uint256[] calldata w, uint256 pos)
        internal
        view
        returns (ZkTypes.StepOut memory out)
    {
        uint256 nc = yClaims.length;
        if (nc == 0) revert ZkLayerUtil.BadShape();
        Vars memory v = _vars(s);
        for (uint256 t = 0; t < nc; ++t)
            if (yClaims[t].point.length != v.ln + v.lm + v.lb) revert ZkLayerUtil.BadShape();

        st = ZkLayerUtil.absorbClaimList(st, L_NUM, L_CLAIMS, yClaims);
        uint256 nbias = s.bias ? nc : 0;
        uint256[] calldata biasVals = w[pos:pos + nbias];
        if (s.bias) st = ZkTranscript.absorbFrsCd(st, L_BIAS, biasVals);
        pos += nbias;
        uint256 gamma;
        (st, gamma) = ZkTranscript.challenge(st, L_GAMMA);
        uint256[] memory coeffs = ZkLayerUtil.powers(gamma, nc);

        uint256 claim;
        for (uint256 t = 0; t < nc; ++t) {
            uint256 val = yClaims[t].value;
            if (s.bias) val = addmod(val, R - mulmod(biasVals[t], _biasIndicator(s, v, yClaims[t].point), R), R);
            claim = addmod(claim, mulmod(coeffs[t], val, R), R);
        }

        uint256 per = v.lb > 0 ? 3 : 2;
        uint256 nv = v.lk + v.lb;
        uint256 running;
        uint256[] memory point;
        (st, running, point) = per == 2
            ? ZkLayerUtil.verifyRounds2(st, nv, coeffs, claim, w[pos:pos + nv * per])
            : ZkSumcheck.verifyRounds(st, nv, per, coeffs, claim, w[pos:pos + nv * per]);
        pos += nv * per;
        uint256[] calldata finals = w[pos:pos + per * nc];
        pos += per * nc;
        out.pos = pos;

        // sum_t gamma^t prod of claim t's factors = the last round's claim
        uint256 acc;
        for (uint256 t = 0; t < nc; ++t) {
            uint256 prod = coeffs[t];
            for (uint256 j = 0; j < per; ++j) prod = mulmod(prod, finals[per * t + j], R);
            acc = addmod(acc, prod, R);
        }
        if (acc != running) {
            out.st = st;
            return out;
        }
        st = ZkSumcheck.absorbFinal(st, finals);
        out.st = st;
        if (v.lb > 0)
            for (uint256 t = 0; t < nc; ++t)
                if (finals[3 * t] != ZkLayerUtil.eqAt(yClaims[t].point, v.ln + v.lm, point, v.lk, v.lb)) return out;

        _outputClaims(s, v, yClaims, point, finals, biasVals, out);
        out.ok = true;
    }

    function _outputClaims(
        MatmulShape memory s,
        Vars memory v,
        ZkTypes.Claim[] memory yClaims,
        uint256[] memory point,
        uint256[] calldata finals,
        uint256[] calldata biasVals,
        ZkTypes.StepOut memory out
    ) private pure {
        uint256 nc = yClaims.length;
        uint256 per = v.lb > 0 ? 3 : 2;
        uint256[] memory rz = ZkLayerUtil.slice(point, 0, v.lk);
        uint256[] memory rb = ZkLayerUtil.slice(point, v.lk, v.lb);
        out.x = new ZkTypes.Claim[](nc);
        out.w = new ZkTypes.Claim[](nc);
        if (s.bias) out.bias = new ZkTypes.Claim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            uint256[] memory y = yClaims[t].point;
            uint256[] memory ry = ZkLayerUtil.slice(y, 0, v.ln);
            uint256[] memory rx = ZkLayerUtil.slice(y, v.ln, v.lm);
            out.x[t].point = s.transA ? ZkLayerUtil.cat3(rx, rz, rb) : ZkLayerUtil.cat3(rz, rx, rb);
            out.x[t].value = finals[per * t + per - 2];
            out.w[t].point = s.transB ? ZkLayerUtil.cat3(rz, ry, rb) : ZkLayerUtil.cat3(ry, rz, rb);
            out.w[t].value = finals[per * t + per - 1];
            if (s.bias) {
                out.bias[t].point = ZkLayerUtil.cat3(
                    s.biasCols ? ry : new uint256[](0),
                    s.biasRows ? rx : new uint256[](0),
                    s.biasBatch ? ZkLayerUtil.slice(y, v.ln + v.lm, v.lb) : new uint256[](0)
                );
                out.bias[t].value = biasVals[t];
            }
        }
    }
}
