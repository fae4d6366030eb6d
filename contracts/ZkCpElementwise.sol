// SPDX-License-Identifier: UNLICENSED
// The elementwise layers in zero-knowledge mode: src/layers/elementwise.cc `verify_elementwise`
// over cp Vals (kzg pads of key version 8 and later; docs/protocol/evm.md section 9), transcribed
// beside ZkElementwise's plain mode (same parameters, validity, broadcast points and factors:
// ZkElementwise's own functions; the rescale: ZkCpNonlinear.verifyRescale).
//
// Differences from the plain routine, all the C++ verifier's own in zero-knowledge mode:
//   - the claims' values are forms, not absorbed ("elementwise.claim.num_claims", the points);
//   - shift > 0: the claims on the sum are ZkCpNonlinear.verifyRescale's (its digits' advice claims
//     and lookups are the step's; run in the external library ZkCpElementwiseRescale below: the
//     routine with it inline passes 24 KB); shift <= 0: the claim's form times 2^shift;
//   - Add/Sub: a~(z_a) is a padded message ("elementwise.a_eval", the next slot); the claim on b
//     is the form +-(s - 2^ea K_a(z) a) / (2^eb K_b(z)) (terms: s's, then a's; K_b(z) = 0 rejected);
//   - Mul/Affine: (Affine: c~(z_c), a padded message, and the target s - K_c(z) c, a form) the
//     eq-sumcheck of A B is ZkCpSumcheck.verifyWithEq (3 factors; it records factor 0's final
//     value - eq(z, rho) = 0 and the final check; the C++ verifier's second eq check then compares
//     public values: nothing recorded); the claims on a and b are the final values 1 and 2 times
//     1 / K_a(rho), 1 / K_b(rho) (either 0 rejected): forms of one slot.
// The words are read in the proof's order (the rescale's, every claim's evaluation, then every
// claim's sumcheck) and absorbed per claim (Affine: its evaluation, then its sumcheck), so slots
// follow absorption. Entry point as ZkCpMatmul.verifyMatmul's; StepOut as ZkElementwise's (x on a,
// w on b, bias on c). Differentially tested by evm_zk_test (`EvmZk.Elementwise*`).
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpDriver} from "./ZkCpDriver.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpNonlinear} from "./ZkCpNonlinear.sol";
import {ZkCpPool} from "./ZkCpPool.sol";
import {ZkCpSumcheck} from "./ZkCpSumcheck.sol";
import {ZkElementwise} from "./ZkElementwise.sol";
import {ZkNonlinear} from "./ZkNonlinear.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpElementwise {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    struct Run {
        bytes32 st;
        bool ok;  // false: a missing pad chunk
        uint256 aAt;  // the next evaluation word
        uint256 sAt;  // the next sumcheck's first word
        uint256 n;
    }

    function verifyElementwise(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkElementwise.ElementwiseParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.ZkStepOut memory out) {
        out = ZkCpNonlinear._rejected(st, pos);
        Run memory run;
        {
            bool valid;
            (valid, run.n) = ZkElementwise._valid(p);
            if (!valid) return out;
        }
        for (uint256 i = 0; i < outClaims.length; ++i) if (outClaims[i].point.length != run.n) return out;
        (run.st,) = ZkCpNonlinear._absorbPoints(st, ZkElementwise.L_NUM, ZkElementwise.L_CLAIM, outClaims, run.n);
        run.ok = true;
        ZkTypes.ZkClaim[] memory sc;
        if (p.shift > 0) {
            // (an external library: code size; only its part of the log crosses, as a wrapper's)
            ZkTypes.ZkStepOut memory ro;
            ZkCpMatmul.Cp memory d;
            (ro, d) = ZkCpElementwiseRescale.rescale(
                run.st, ZkCpDriver.sub(z), ZkNonlinear.RescaleParams(p.dims, uint256(p.shift), p.outBits), outClaims, w, pos
            );
            ZkCpDriver.merge(z, d);
            if (!ro.ok) return out;
            run.st = ro.st;
            run.aAt = ro.pos;
            sc = ro.x;
            out.advice = ro.advice;
            out.lookups = ro.lookups;
        } else {
            uint256 inv = ZkElementwise._invPow2(uint256(-p.shift));
            sc = new ZkTypes.ZkClaim[](outClaims.length);
            for (uint256 i = 0; i < outClaims.length; ++i) {
                sc[i] = ZkTypes.ZkClaim(outClaims[i].point, _scaled(outClaims[i].form, inv));
            }
            run.aAt = pos;
        }
        bool sum = p.op == ZkElementwise.OP_MUL || p.op == ZkElementwise.OP_AFFINE;
        run.sAt = run.aAt + (p.op == ZkElementwise.OP_MUL ? 0 : sc.length);
        out.x = new ZkTypes.ZkClaim[](sc.length);
        out.w = new ZkTypes.ZkClaim[](sc.length);
        if (p.op == ZkElementwise.OP_AFFINE) out.bias = new ZkTypes.ZkClaim[](sc.length);
        for (uint256 i = 0; i < sc.length; ++i) {
            bool ok = sum ? _product(z, p, run, sc[i], out, i, w) : _linear(z, p, run, sc[i], out, i, w);
            if (!ok) return ZkCpNonlinear._rejected(st, pos);
        }
        out.st = run.st;
        out.pos = sum ? run.sAt : run.aAt;
        out.ok = run.ok;
    }

    // k f (the C++ Val times a public k: every coefficient and the constant times k).
    function _scaled(uint256[] memory f, uint256 k) private pure returns (uint256[] memory g) {
        uint256[][] memory fs = new uint256[][](1);
        fs[0] = f;
        uint256[] memory ks = new uint256[](1);
        ks[0] = k;
        return ZkCpNonlinear._sum(0, fs, ks);
    }

    // k x_atom.
    function _atom(uint256 atom, uint256 k) private pure returns (uint256[] memory f) {
        f = ZkCpMatmul.single(atom);
        f[3] = k;
    }

    // The next evaluation word, a padded message absorbed as "elementwise.a_eval": its slot.
    function _eval(ZkCpMatmul.Cp memory z, Run memory run, uint256[] calldata w) private pure returns (uint256 slot) {
        slot = z.g.ns;
        bool okc;
        (run.st, okc) = ZkCp.absorbMessages(run.st, z.g, z.prm, z.chunks, ZkElementwise.L_A_EVAL, w[run.aAt:run.aAt + 1]);
        run.ok = run.ok && okc;
        ++run.aAt;
    }

    // Add/Sub: a~(z_a) received, b~(z_b) derived.
    function _linear(
        ZkCpMatmul.Cp memory z,
        ZkElementwise.ElementwiseParams memory p,
        Run memory run,
        ZkTypes.ZkClaim memory c,
        ZkTypes.ZkStepOut memory out,
        uint256 i,
        uint256[] calldata w
    ) private view returns (bool) {
        uint256 av = _eval(z, run, w);
        uint256 ka = ZkElementwise.bfactor(p.dims, p.aDims, c.point);
        uint256 kb = ZkElementwise.bfactor(p.dims, p.bDims, c.point);
        if (kb == 0) return false;
        uint256 inv = ZkElementwise._inv(mulmod(uint256(1) << p.eb, kb, R));
        // (s - 2^ea K_a a) / (2^eb K_b): s's terms, then a's
        uint256[] memory bv = ZkCpNonlinear._lin(
            0, c.form, inv, ZkCpMatmul.single(av), mulmod(ZkCpNonlinear._neg(mulmod(uint256(1) << p.ea, ka, R)), inv, R)
        );
        if (p.op == ZkElementwise.OP_SUB) {
            bv[0] = ZkCpNonlinear._neg(bv[0]);
            for (uint256 t = 0; t < bv[1]; ++t) bv[3 + 2 * t] = ZkCpNonlinear._neg(bv[3 + 2 * t]);
        }
        out.x[i] = ZkTypes.ZkClaim(ZkElementwise.bpoint(p.dims, p.aDims, c.point), ZkCpMatmul.single(av));
        out.w[i] = ZkTypes.ZkClaim(ZkElementwise.bpoint(p.dims, p.bDims, c.point), bv);
        return true;
    }

    // Mul/Affine: the eq-sumcheck of A B (Affine: c~(z_c) received first).
    function _product(
        ZkCpMatmul.Cp memory z,
        ZkElementwise.ElementwiseParams memory p,
        Run memory run,
        ZkTypes.ZkClaim memory c,
        ZkTypes.ZkStepOut memory out,
        uint256 i,
        uint256[] calldata w
    ) private view returns (bool) {
        uint256[] memory target = c.form;
        if (p.op == ZkElementwise.OP_AFFINE) {
            uint256 cv = _eval(z, run, w);
            out.bias[i] = ZkTypes.ZkClaim(ZkElementwise.bpoint(p.dims, p.cDims, c.point), ZkCpMatmul.single(cv));
            // s - K_c(z) c: s's terms, then c's
            target = ZkCpNonlinear._lin(
                0, c.form, 1, ZkCpMatmul.single(cv), ZkCpNonlinear._neg(ZkElementwise.bfactor(p.dims, p.cDims, c.point))
            );
        }
        ZkCpSumcheck.Res memory r = ZkCpSumcheck.verifyWithEq(
            run.st, z.g, z.prm, z.chunks, ZkCpPool._product(run.n, 3, target), c.point, w[run.sAt:]
        );
        run.st = r.st;
        run.ok = run.ok && r.ok;
        run.sAt += r.p;
        uint256 ka = ZkElementwise.bfactor(p.dims, p.aDims, r.point);
        uint256 kb = ZkElementwise.bfactor(p.dims, p.bDims, r.point);
        if (ka == 0 || kb == 0) return false;
        out.x[i] = ZkTypes.ZkClaim(ZkElementwise.bpoint(p.dims, p.aDims, r.point), _atom(r.finals + 1, ZkElementwise._inv(ka)));
        out.w[i] = ZkTypes.ZkClaim(ZkElementwise.bpoint(p.dims, p.bDims, r.point), _atom(r.finals + 2, ZkElementwise._inv(kb)));
        return true;
    }
}

// The elementwise layer's output rescale (ZkCpNonlinear.verifyRescale), an external library (code
// size): it records into the part of the log it is given (ZkCpDriver.sub) and returns that part
// trimmed (ZkCpDriver.back), which the caller appends (merge), as the generated wrappers do.
library ZkCpElementwiseRescale {
    function rescale(
        bytes32 st,
        ZkCpMatmul.Cp memory z,
        ZkNonlinear.RescaleParams memory p,
        ZkTypes.ZkClaim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) external pure returns (ZkTypes.ZkStepOut memory o, ZkCpMatmul.Cp memory) {
        ZkCpDriver.roomy(z.g);
        o = ZkCpNonlinear.verifyRescale(st, z, p, outClaims, w, pos);
        return (o, ZkCpDriver.back(z));
    }
}
