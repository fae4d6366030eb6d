// SPDX-License-Identifier: UNLICENSED
// zkinfer's elementwise layers on the EVM (src/layers/elementwise.h verify_elementwise, plain mode,
// under the model-wide lookup batch): Add, Sub, Mul with numpy broadcasting, Pow 2 as x * x, and
// the affine a x + b BatchNormalization lowers to; the output rescale through ZkNonlinear.
//
// Per claim y~(z) = v, after the claims are absorbed ("elementwise.claim"): the claim on the sum s
// (shift > 0: ZkNonlinear.verifyRescale's claim on its input; shift <= 0: v / 2^-shift); then
//   Add/Sub: the prover's a~(z_a) ("elementwise.a_eval"), and b~(z_b) = +-(s - 2^ea K_a(z) a~(z_a))
//            / (2^eb K_b(z)) (K_b(z) = 0 rejected);
//   Mul:     the degree-3 eq-sumcheck sum_x eq(z, x) A(x) B(x) = s (verify_with_eq), its final
//            values A(rho), B(rho) divided by K_a(rho), K_b(rho) (either 0 rejected);
//   Affine:  the prover's c~(z_c) ("elementwise.a_eval"), then Mul's sumcheck with the claim
//            s - K_c(z) c~(z_c).
// Broadcasting (nonlinear.md section 6): an operand's shape has y's rank, each dimension y's or
// 1; z_a is z without the broadcast dimensions' sub-points, K_a(z) the product over them of
// eq_prefix_sum(z_d, dims[d]).
//
// Parameters: ElementwiseParams {op (0 Add, 1 Sub, 2 Mul, 3 Affine), dims, aDims, bDims, cDims
// (empty: y's shape), ea, eb, shift (signed, in [-40, 61]), outBits}
//   words: [op, rank, dims..., |aDims|, aDims..., |bDims|, bDims..., |cDims|, cDims..., ea, eb,
//           shift (int256 two's complement), outBits]
// Parameters the C++ verifier rejects give ok = false.
//
// Words (ElementwiseProof::serialize): the rescale's (shift > 0: ZkNonlinear's rescale words),
// then one evaluation per claim (Add/Sub: a~(z_a); Affine: c~(z_c); none for Mul), then per claim
// the sumcheck (Mul/Affine: n rounds of 2 values, 3 final values). StepOut: x the claims on a, w
// on b, bias on c (Affine), advice and lookups the rescale's.
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkNonlinear} from "./ZkNonlinear.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkElementwise {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R
    uint256 internal constant INV2 = (R + 1) / 2;

    uint256 internal constant OP_ADD = 0;
    uint256 internal constant OP_SUB = 1;
    uint256 internal constant OP_MUL = 2;
    uint256 internal constant OP_AFFINE = 3;

    uint256 internal constant L_CLAIM = uint256(bytes32("elementwise.claim")) | 17;
    uint256 internal constant L_NUM = uint256(bytes32("elementwise.claim.num_claims")) | 28;
    uint256 internal constant L_A_EVAL = uint256(bytes32("elementwise.a_eval")) | 18;

    struct ElementwiseParams {
        uint256 op;
        uint256[] dims;  // y's shape
        uint256[] aDims;  // the operands' shapes (y's rank; each dimension y's or 1); empty: y's
        uint256[] bDims;
        uint256[] cDims;  // Affine only
        uint256 ea;  // Add/Sub: the operands times 2^ea, 2^eb (at most 40)
        uint256 eb;
        int256 shift;  // > 0: rescale by 2^shift; <= 0: times 2^-shift
        uint256 outBits;  // the rescale's output range check (0: none), at most 60
    }

    function decodeElementwise(uint256[] memory d, uint256 at)
        internal
        pure
        returns (ElementwiseParams memory p, uint256 next)
    {
        p.op = d[at++];
        (p.dims, at) = ZkNonlinear.decodeDims(d, at);
        (p.aDims, at) = ZkNonlinear.decodeDims(d, at);
        (p.bDims, at) = ZkNonlinear.decodeDims(d, at);
        (p.cDims, at) = ZkNonlinear.decodeDims(d, at);
        p.ea = d[at];
        p.eb = d[at + 1];
        p.shift = int256(d[at + 2]);
        p.outBits = d[at + 3];
        next = at + 4;
    }

    // bad_operand: empty, or y's rank with each dimension y's or 1.
    function _badOperand(uint256[] memory od, uint256[] memory dims) private pure returns (bool) {
        if (od.length == 0) return false;
        if (od.length != dims.length) return true;
        for (uint256 i = 0; i < od.length; ++i) if (od[i] != dims[i] && od[i] != 1) return true;
        return false;
    }

    // bad_params; n: y's variables.
    function _valid(ElementwiseParams memory p) internal pure returns (bool, uint256 n) {
        bool valid;
        (valid, n) = ZkNonlinear.shapeVars(p.dims);
        if (!valid || p.op > OP_AFFINE || p.ea > 40 || p.eb > 40) return (false, 0);
        if (p.shift > 61 || p.shift < -40 || p.outBits > 60) return (false, 0);
        if (_badOperand(p.aDims, p.dims) || _badOperand(p.bDims, p.dims) || _badOperand(p.cDims, p.dims)) return (false, 0);
        if (p.op != OP_AFFINE && p.cDims.length != 0) return (false, 0);
        return (true, n);
    }

    // broadcast_point(y, od, z): z without the sub-points of the dimensions od broadcasts (od
    // empty: z itself).
    function bpoint(uint256[] memory dims, uint256[] memory od, uint256[] memory z)
        internal
        pure
        returns (uint256[] memory out)
    {
        if (od.length == 0 || _same(od, dims)) return z;
        uint256 len = 0;
        for (uint256 d = 0; d < dims.length; ++d) if (od[d] == dims[d]) len += ZkNonlinear.ceilLog2(dims[d]);
        out = new uint256[](len);
        uint256 off = 0;
        uint256 k = 0;
        for (uint256 d = dims.length; d > 0; --d) {  // the last dimension in the lowest variables
            uint256 l = ZkNonlinear.ceilLog2(dims[d - 1]);
            if (od[d - 1] == dims[d - 1]) for (uint256 j = 0; j < l; ++j) out[k++] = z[off + j];
            off += l;
        }
    }

    // broadcast_factor(y, od, z): the product over od's broadcast dimensions of eq_prefix_sum.
    function bfactor(uint256[] memory dims, uint256[] memory od, uint256[] memory z) internal pure returns (uint256 k) {
        k = 1;
        if (od.length == 0) return k;
        uint256 off = 0;
        for (uint256 d = dims.length; d > 0; --d) {
            uint256 l = ZkNonlinear.ceilLog2(dims[d - 1]);
            if (od[d - 1] != dims[d - 1]) k = mulmod(k, ZkNonlinear.eqPrefixSum(z, off, l, dims[d - 1]), R);
            off += l;
        }
    }

    function _same(uint256[] memory a, uint256[] memory b) private pure returns (bool) {
        if (a.length != b.length) return false;
        for (uint256 i = 0; i < a.length; ++i) if (a[i] != b[i]) return false;
        return true;
    }

    // 1 / 2^k.
    function _invPow2(uint256 k) internal pure returns (uint256 v) {
        v = 1;
        for (uint256 i = 0; i < k; ++i) v = mulmod(v, INV2, R);
    }

    // 1 / k for k != 0 (1 without an inversion).
    function _inv(uint256 k) internal view returns (uint256) {
        return k == 1 ? 1 : ZkFr.inv(k);
    }

    struct Run {
        bytes32 st;
        uint256 aAt;  // the next evaluation word
        uint256 sAt;  // the next sumcheck's first word
        uint256 n;
    }

    function verifyElementwise(
        bytes32 st,
        ElementwiseParams memory p,
        ZkTypes.Claim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.StepOut memory out) {
        out = ZkNonlinear.rejected(st, pos);
        Run memory run;
        {
            bool valid;
            (valid, run.n) = _valid(p);
            if (!valid) return out;
        }
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != run.n) return out;
        run.st = ZkNonlinear.absorbClaims(st, L_NUM, L_CLAIM, outClaims);
        ZkTypes.Claim[] memory sc;
        if (p.shift > 0) {
            ZkTypes.StepOut memory ro = ZkNonlinear.verifyRescale(
                run.st, ZkNonlinear.RescaleParams(p.dims, uint256(p.shift), p.outBits), outClaims, w, pos
            );
            if (!ro.ok) return out;
            run.st = ro.st;
            run.aAt = ro.pos;
            sc = ro.x;
            out.advice = ro.advice;
            out.lookups = ro.lookups;
        } else {
            uint256 inv = _invPow2(uint256(-p.shift));
            sc = new ZkTypes.Claim[](outClaims.length);
            for (uint256 i = 0; i < outClaims.length; ++i) {
                sc[i] = ZkTypes.Claim(outClaims[i].point, mulmod(outClaims[i].value, inv, R));
            }
            run.aAt = pos;
        }
        bool sum = p.op == OP_MUL || p.op == OP_AFFINE;
        run.sAt = run.aAt + (p.op == OP_MUL ? 0 : sc.length);
        out.x = new ZkTypes.Claim[](sc.length);
        out.w = new ZkTypes.Claim[](sc.length);
        if (p.op == OP_AFFINE) out.bias = new ZkTypes.Claim[](sc.length);
        for (uint256 i = 0; i < sc.length; ++i) {
            bool ok = sum ? _product(p, run, sc[i], out, i, w) : _linear(p, run, sc[i], out, i, w);
            if (!ok) return ZkNonlinear.rejected(st, pos);
        }
        out.st = run.st;
        out.pos = sum ? run.sAt : run.aAt;
        out.ok = true;
    }

    // Add/Sub: a~(z_a) received, b~(z_b) derived.
    function _linear(
        ElementwiseParams memory p,
        Run memory run,
        ZkTypes.Claim memory c,
        ZkTypes.StepOut memory out,
        uint256 i,
        uint256[] calldata w
    ) private view returns (bool) {
        uint256 av = w[run.aAt++];
        run.st = ZkTranscript.absorbFr(run.st, L_A_EVAL, av);  // reverts when not canonical
        uint256 ka = bfactor(p.dims, p.aDims, c.point);
        uint256 kb = bfactor(p.dims, p.bDims, c.point);
        if (kb == 0) return false;
        uint256 num = addmod(c.value, R - mulmod(mulmod(uint256(1) << p.ea, ka, R), av, R), R);
        uint256 bv = mulmod(num, _inv(mulmod(uint256(1) << p.eb, kb, R)), R);
        if (p.op == OP_SUB && bv != 0) bv = R - bv;
        out.x[i] = ZkTypes.Claim(bpoint(p.dims, p.aDims, c.point), av);
        out.w[i] = ZkTypes.Claim(bpoint(p.dims, p.bDims, c.point), bv);
        return true;
    }

    // Mul/Affine: the eq-sumcheck of A B (Affine: c~(z_c) received first).
    function _product(
        ElementwiseParams memory p,
        Run memory run,
        ZkTypes.Claim memory c,
        ZkTypes.StepOut memory out,
        uint256 i,
        uint256[] calldata w
    ) private view returns (bool) {
        uint256 target = c.value;
        if (p.op == OP_AFFINE) {
            uint256 cv = w[run.aAt++];
            run.st = ZkTranscript.absorbFr(run.st, L_A_EVAL, cv);  // reverts when not canonical
            out.bias[i] = ZkTypes.Claim(bpoint(p.dims, p.cDims, c.point), cv);
            target = addmod(target, R - mulmod(bfactor(p.dims, p.cDims, c.point), cv, R), R);
        }
        uint256 end = run.sAt + 2 * run.n;
        uint256 running;
        uint256[] memory rho;
        uint256 e;
        (run.st, running, rho, e) = ZkSumcheck.verifyRoundsWithEq(run.st, c.point, 3, _one(), target, w[run.sAt:end]);
        uint256[] calldata f = w[end:end + 3];
        run.sAt = end + 3;
        if (f[0] >= R || f[1] >= R || f[2] >= R) return false;  // (a decode error in C++)
        if (f[0] != e || mulmod(mulmod(f[0], f[1], R), f[2], R) != running) return false;
        run.st = ZkSumcheck.absorbFinal(run.st, f);
        uint256 ka = bfactor(p.dims, p.aDims, rho);
        uint256 kb = bfactor(p.dims, p.bDims, rho);
        if (ka == 0 || kb == 0) return false;
        out.x[i] = ZkTypes.Claim(bpoint(p.dims, p.aDims, rho), mulmod(f[1], _inv(ka), R));
        out.w[i] = ZkTypes.Claim(bpoint(p.dims, p.bDims, rho), mulmod(f[2], _inv(kb), R));
        return true;
    }

    function _one() private pure returns (uint256[] memory c) {
        c = new uint256[](1);
        c[0] = 1;
    }
}
