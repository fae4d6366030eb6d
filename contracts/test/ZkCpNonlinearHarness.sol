// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the non-linear layers' routines in zero-knowledge mode verified end to end on the EVM
// (contracts/ZkCpNonlinear.sol recording its relations, the claims on the input and on the advice
// bound to Pedersen commitments, then ZkCp's end section) for tools/evm/evm_zk_test.cc
// (`EvmZk.Rescale*`, `EvmZk.Relu*`, `EvmZk.Bound*`). One uint256[] of words in, one out. The
// contract extends ZkCpMatmulHarness (its end-section library is shared) so that the layer routines'
// tests compile one harness.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpMatmulHarness, ZkCpMatmulHarnessFinish} from "./ZkCpMatmulHarness.sol";
import {ZkCpMatmul} from "../ZkCpMatmul.sol";
import {ZkCpNonlinear} from "../ZkCpNonlinear.sol";
import {ZkNonlinear} from "../ZkNonlinear.sol";
import {ZkTranscript} from "../ZkTranscript.sol";
import {ZkTypes} from "../ZkTypes.sol";

library ZkCpNlHarnessUtil {
    uint256 internal constant L_CLAIM = uint256(bytes32("t.claim")) | 7;

    // Words: [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), nparams, the plain routine's
    // parameter words (ZkNonlinear.decode*), nc, per claim its point's length and coordinates,
    // then the proof words: the nc claim values (padded messages absorbed together as "t.claim"),
    // the layer's proof, a Pedersen claim (2 words) per claim on the input then per advice claim,
    // the end section].
    struct In {
        ZkCpMatmul.Cp z;
        uint256[] params;
        ZkTypes.ZkClaim[] yc;
        uint256 proofAt;
    }

    function decode(uint256[] calldata w) internal pure returns (In memory a) {
        ZkCpMatmul.Cp memory z = a.z;
        z.prm.b = w[0];
        z.prm.cap = w[1];
        uint256 pos = 2;
        uint256 n = w[pos++];
        z.chunks = w[pos:pos + 2 * n];
        pos += 2 * n;
        n = w[pos++];
        z.prm.gens = w[pos:pos + 2 * n];
        pos += 2 * n;
        n = w[pos++];
        a.params = w[pos:pos + n];
        pos += n;
        uint256 nc = w[pos++];
        a.yc = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            n = w[pos++];
            a.yc[t].point = w[pos:pos + n];
            pos += n;
        }
        a.proofAt = pos;
        z.g = ZkCp.newLog(512);
    }

    // The transcript as evm_zk_test's ("evm-test-cpnl") after the claim values.
    function start(In memory a, uint256[] calldata pf) internal pure returns (bytes32 st, bool ok) {
        uint256 nc = a.yc.length;
        st = ZkTranscript.init("evm-test-cpnl");
        (st, ok) = ZkCp.absorbMessages(st, a.z.g, a.z.prm, a.z.chunks, L_CLAIM, pf[0:nc]);
        for (uint256 t = 0; t < nc; ++t) a.yc[t].form = ZkCpMatmul.single(t);
    }

    // Binds the claims on the input and the advice claims, runs the end section; returns
    // [ok, state, words read, nu, C*.x, C*.y, V.x, V.y, r' (nu), the claims on the input (count, per
    //  claim its point's length, the coordinates, the flat form), the advice claims (count, per
    //  claim its advice id, point's length, coordinates, flat form), the lookups (count, per lookup
    //  advice id, numVars, tableLog), the routine's own gas].
    function end(In memory a, bytes32 st, bool ok, ZkTypes.ZkStepOut memory o, uint256[] calldata pf, uint256 gas)
        internal
        view
        returns (uint256[] memory out)
    {
        ok = ok && o.ok;
        uint256 nx = o.x.length;
        uint256[][] memory forms = new uint256[][](nx + o.advice.length);
        for (uint256 t = 0; t < nx; ++t) forms[t] = o.x[t].form;
        for (uint256 t = 0; t < o.advice.length; ++t) forms[nx + t] = o.advice[t].form;
        ZkCp.Out memory e;
        uint256 used;
        bool ok2;
        (st, ok2, e, used) = ZkCpMatmulHarnessFinish.finish(o.st, a.z.g, a.z.prm, a.z.chunks, forms, pf, o.pos);
        uint256 len = 11 + e.nu + 3 * o.lookups.length;
        for (uint256 t = 0; t < nx; ++t) len += 1 + o.x[t].point.length + o.x[t].form.length;
        for (uint256 t = 0; t < o.advice.length; ++t) len += 2 + o.advice[t].point.length + o.advice[t].form.length;
        out = new uint256[](len + 1);
        out[len] = gas;
        out[0] = ok && ok2 ? 1 : 0;
        out[1] = uint256(st);
        out[2] = used;
        out[3] = e.nu;
        out[4] = e.cstar[0];
        out[5] = e.cstar[1];
        out[6] = e.v[0];
        out[7] = e.v[1];
        uint256 at = 8;
        for (uint256 i = 0; i < e.nu; ++i) out[at++] = e.point[i];
        out[at++] = nx;
        for (uint256 t = 0; t < nx; ++t) at = _claim(out, at, o.x[t].point, o.x[t].form);
        out[at++] = o.advice.length;
        for (uint256 t = 0; t < o.advice.length; ++t) {
            out[at++] = o.advice[t].advice;
            at = _claim(out, at, o.advice[t].point, o.advice[t].form);
        }
        out[at++] = o.lookups.length;
        for (uint256 t = 0; t < o.lookups.length; ++t) {
            out[at++] = o.lookups[t].advice;
            out[at++] = o.lookups[t].numVars;
            out[at++] = o.lookups[t].tableLog;
        }
    }

    function _claim(uint256[] memory out, uint256 at, uint256[] memory point, uint256[] memory form)
        private
        pure
        returns (uint256)
    {
        out[at++] = point.length;
        for (uint256 i = 0; i < point.length; ++i) out[at++] = point[i];
        for (uint256 i = 0; i < form.length; ++i) out[at++] = form[i];
        return at;
    }
}

// The entry points in two libraries, each under the code-size limit: rescale and ReLU share one
// compilation of their code (ZkCpNonlinear's digit checks, the decoding); the bound has its own.
library ZkCpNonlinearEntry {
    function run(bool relu, uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        ZkTypes.ZkStepOut memory o;
        uint256 gas;
        if (!relu) {
            (ZkNonlinear.RescaleParams memory p,) = ZkNonlinear.decodeRescale(a.params, 0);
            gas = gasleft();
            o = ZkCpNonlinear.verifyRescale(st, a.z, p, a.yc, pf, a.yc.length);
        } else {
            (ZkNonlinear.ReluParams memory p,) = ZkNonlinear.decodeRelu(a.params, 0);
            gas = gasleft();
            o = ZkCpNonlinear.verifyRelu(st, a.z, p, a.yc, pf, a.yc.length);
        }
        gas -= gasleft();
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

library ZkCpBoundEntry {
    function bound(uint256[] calldata w) external view returns (uint256[] memory) {
        ZkCpNlHarnessUtil.In memory a = ZkCpNlHarnessUtil.decode(w);
        uint256[] calldata pf = w[a.proofAt:];
        (bytes32 st, bool ok) = ZkCpNlHarnessUtil.start(a, pf);
        (ZkNonlinear.BoundParams memory p,) = ZkNonlinear.decodeBound(a.params, 0);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpNonlinear.verifyBound(st, a.z, p, a.yc, pf, a.yc.length);
        gas -= gasleft();
        return ZkCpNlHarnessUtil.end(a, st, ok, o, pf, gas);
    }
}

// The matmul harnesss entry points too: one compilation for evm_zk_test's layer routines.
contract ZkCpNonlinearHarness is ZkCpMatmulHarness {
    function rescale(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpNonlinearEntry.run(false, w);
    }

    function relu(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpNonlinearEntry.run(true, w);
    }

    function bound(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpBoundEntry.bound(w);
    }
}
