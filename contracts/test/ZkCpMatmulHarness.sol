// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the layer routines in zero-knowledge mode verified end to end on the EVM
// (contracts/ZkCpMatmul.sol, ZkCpCombine.sol, ZkCpReduction.sol and ZkCpLogup.sol recording their
// relations, the output claims bound to Pedersen commitments, then ZkCp's end section) for
// tools/evm/evm_zk_test.cc. One uint256[] of words in, one out.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpCombine} from "../ZkCpCombine.sol";
import {ZkCpLogup} from "../ZkCpLogup.sol";
import {ZkCpMatmul} from "../ZkCpMatmul.sol";
import {ZkCpReduction} from "../ZkCpReduction.sol";
import {ZkLogup} from "../ZkLogup.sol";
import {ZkMatmul} from "../ZkMatmul.sol";
import {ZkTranscript} from "../ZkTranscript.sol";
import {ZkTypes} from "../ZkTypes.sol";

// The end section behind an external call (code-size limit: the harness with it inline is 28 KB).
// The output claims' forms bound to Pedersen commitments (pf[p..], 2 words each), then the end
// section; returns the state, the verdict, the pad opening and the position after the proof.
library ZkCpMatmulHarnessFinish {
    function finish(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        uint256[][] memory forms,
        uint256[] calldata pf,
        uint256 p
    ) external view returns (bytes32, bool, ZkCp.Out memory o, uint256) {
        for (uint256 i = 0; i < forms.length; ++i) {
            (st,) = ZkCp.bindClaim(st, g, forms[i], 0, pf, p);
            p += 2;
        }
        bool ok;
        uint256 used;
        (st, ok, o, used) = ZkCp.finish(st, ZkCp.rel(g, chunks), prm, pf[p:]);
        return (st, ok, o, p + used);
    }
}

// The common part of the entry points.
library ZkCpLayerHarnessUtil {
    uint256 internal constant L_CLAIM = uint256(bytes32("t.claim")) | 7;

    function _arr(uint256[] calldata w, uint256 at, uint256 n) internal pure returns (uint256[] memory a) {
        a = w[at:at + n];
    }

    function _params(ZkCpMatmul.Cp memory z, uint256[] calldata w) internal pure returns (uint256 pos) {
        z.prm.b = w[0];
        z.prm.cap = w[1];
        pos = 2;
        uint256 n = w[pos++];
        z.chunks = _arr(w, pos, 2 * n);
        pos += 2 * n;
        n = w[pos++];
        z.prm.gens = _arr(w, pos, 2 * n);
        pos += 2 * n;
    }

    function _count(ZkTypes.ZkClaim[] memory c) private pure returns (uint256 k) {
        k = 1;
        for (uint256 t = 0; t < c.length; ++t) k += 1 + c[t].point.length + c[t].form.length;
    }

    function _put(uint256[] memory out, uint256 at, ZkTypes.ZkClaim[] memory c) private pure returns (uint256) {
        out[at++] = c.length;
        for (uint256 t = 0; t < c.length; ++t) {
            out[at++] = c[t].point.length;
            for (uint256 i = 0; i < c[t].point.length; ++i) out[at++] = c[t].point[i];
            for (uint256 i = 0; i < c[t].form.length; ++i) out[at++] = c[t].form[i];
        }
        return at;
    }

    function _out(bool ok, bytes32 st, uint256 used, ZkCp.Out memory e, ZkTypes.ZkStepOut memory o, uint256 gas)
        internal
        pure
        returns (uint256[] memory out)
    {
        uint256 n = 8 + e.nu + _count(o.x) + _count(o.w) + _count(o.bias);
        out = new uint256[](n + 1);
        out[n] = gas;
        out[0] = ok ? 1 : 0;
        out[1] = uint256(st);
        out[2] = used;
        out[3] = e.nu;
        out[4] = e.cstar[0];
        out[5] = e.cstar[1];
        out[6] = e.v[0];
        out[7] = e.v[1];
        for (uint256 i = 0; i < e.nu; ++i) out[8 + i] = e.point[i];
        uint256 at = _put(out, 8 + e.nu, o.x);
        at = _put(out, at, o.w);
        _put(out, at, o.bias);
    }
}

// Each entry point in a library of its own (one compilation, each deployment under the code-size
// limit).
library ZkCpMatmulEntry {
    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), nb, batch (nb), m, k, n, flags, nc,
    //  per claim: its point's length and coordinates; proof words: the nc claim values (padded
    //  messages absorbed together as "t.claim"), the matmul proof, a Pedersen claim (2 words) per
    //  output claim (per claim t: A's, B's, c's when bias), the end section]: returns
    // [ok, state, words read, nu, C*.x, C*.y, V.x, V.y, r' (nu), then the claims on A, B and c:
    //  per list its count, per claim its point's length, the coordinates, the flat form; the
    //  routine's own gas (gasleft() around its call)].
    // The transcript starts as evm_zk_test's ("evm-test-cpmm").
    function matmul(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        uint256 pos = ZkCpLayerHarnessUtil._params(z, w);
        ZkMatmul.MatmulShape memory s;
        uint256 n = w[pos++];
        s.batch = ZkCpLayerHarnessUtil._arr(w, pos, n);
        pos += n;
        s.m = w[pos];
        s.k = w[pos + 1];
        s.n = w[pos + 2];
        uint256 f = w[pos + 3];
        pos += 4;
        s.transA = f & 1 != 0;
        s.transB = f & 2 != 0;
        s.bias = f & 4 != 0;
        s.biasBatch = f & 8 != 0;
        s.biasRows = f & 16 != 0;
        s.biasCols = f & 32 != 0;
        uint256 nc = w[pos++];
        ZkTypes.ZkClaim[] memory yc = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            n = w[pos++];
            yc[t].point = ZkCpLayerHarnessUtil._arr(w, pos, n);
            pos += n;
        }
        uint256[] calldata pf = w[pos:];

        bytes32 st = ZkTranscript.init("evm-test-cpmm");
        z.g = ZkCp.newLog(256);
        bool ok;
        (st, ok) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkCpLayerHarnessUtil.L_CLAIM, pf[0:nc]);
        for (uint256 t = 0; t < nc; ++t) yc[t].form = ZkCpMatmul.single(t);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpMatmul.verifyMatmul(st, z, s, yc, pf, nc);
        gas -= gasleft();
        ok = ok && o.ok;
        st = o.st;
        uint256[][] memory forms = new uint256[][]((s.bias ? 3 : 2) * nc);
        uint256 k;
        for (uint256 t = 0; t < nc; ++t) {
            forms[k++] = o.x[t].form;
            forms[k++] = o.w[t].form;
            if (s.bias) forms[k++] = o.bias[t].form;
        }
        ZkCp.Out memory e;
        uint256 used;
        bool ok2;
        (st, ok2, e, used) = ZkCpMatmulHarnessFinish.finish(st, z.g, z.prm, z.chunks, forms, pf, o.pos);
        out = ZkCpLayerHarnessUtil._out(ok && ok2, st, used, e, o, gas);
    }
}

library ZkCpCombineEntry {
    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), numVars, nc, the claims' points
    //  (numVars each); proof words: the nc claim values ("t.claim"), the combine proof, a Pedersen
    //  claim (2 words) for the combined claim, the end section]: returns as matmul, with one list
    // (the claim on the tensor).
    function combine(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        uint256 pos = ZkCpLayerHarnessUtil._params(z, w);
        uint256 nv = w[pos++];
        uint256 nc = w[pos++];
        ZkTypes.ZkClaim[] memory yc = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            yc[t].point = ZkCpLayerHarnessUtil._arr(w, pos, nv);
            pos += nv;
        }
        uint256[] calldata pf = w[pos:];
        bytes32 st = ZkTranscript.init("evm-test-cpmm");
        z.g = ZkCp.newLog(256);
        bool ok;
        (st, ok) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkCpLayerHarnessUtil.L_CLAIM, pf[0:nc]);
        for (uint256 t = 0; t < nc; ++t) yc[t].form = ZkCpMatmul.single(t);
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpCombine.verifyCombine(st, z, nv, yc, pf, nc);
        gas -= gasleft();
        ok = ok && o.ok;
        st = o.st;
        uint256[][] memory forms = new uint256[][](1);
        forms[0] = o.x[0].form;
        ZkCp.Out memory e;
        uint256 used;
        bool ok2;
        (st, ok2, e, used) = ZkCpMatmulHarnessFinish.finish(st, z.g, z.prm, z.chunks, forms, pf, o.pos);
        out = ZkCpLayerHarnessUtil._out(ok && ok2, st, used, e, o, gas);
    }
}

library ZkCpReductionEntry {
    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), K, numVars (K), nclaims, per claim its
    //  commitment and point (numVars[com] coordinates); proof words: the claim values ("t.claim"),
    //  the reduction's rounds and evaluations, a Pedersen claim (2 words) per evaluation, the end
    //  section]: returns as matmul, the first list the K evaluations' claims (rho[0..n_c), F_c).
    function reduction(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        uint256 pos = ZkCpLayerHarnessUtil._params(z, w);
        uint256 k = w[pos++];
        uint256[] memory nv = ZkCpLayerHarnessUtil._arr(w, pos, k);
        pos += k;
        uint256 nc = w[pos++];
        uint256[] memory coms = new uint256[](nc);
        ZkTypes.ZkClaim[] memory yc = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            coms[t] = w[pos++];
            uint256 len = nv[coms[t]];
            yc[t].point = ZkCpLayerHarnessUtil._arr(w, pos, len);
            pos += len;
        }
        uint256[] calldata pf = w[pos:];
        bytes32 st = ZkTranscript.init("evm-test-cpmm");
        z.g = ZkCp.newLog(256);
        bool ok;
        (st, ok) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, ZkCpLayerHarnessUtil.L_CLAIM, pf[0:nc]);
        for (uint256 t = 0; t < nc; ++t) yc[t].form = ZkCpMatmul.single(t);
        uint256 gas = gasleft();
        ZkCpReduction.Res memory r = ZkCpReduction.verifyReduction(st, z, nv, coms, yc, pf[nc:]);
        gas -= gasleft();
        ZkTypes.ZkStepOut memory o;
        o.x = new ZkTypes.ZkClaim[](k);
        uint256[][] memory forms = new uint256[][](k);
        for (uint256 c = 0; c < k; ++c) {
            uint256[] memory pt = new uint256[](nv[c]);
            for (uint256 j = 0; j < nv[c]; ++j) pt[j] = r.rho[j];
            o.x[c].point = pt;
            o.x[c].form = ZkCpMatmul.single(r.evals0 + c);
            forms[c] = o.x[c].form;
        }
        ZkCp.Out memory e;
        uint256 used;
        bool ok2;
        (st, ok2, e, used) = ZkCpMatmulHarnessFinish.finish(r.st, z.g, z.prm, z.chunks, forms, pf, nc + r.p);
        out = ZkCpLayerHarnessUtil._out(ok && r.ok && ok2, st, used, e, o, gas);
    }
}

library ZkCpLogupEntry {
    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), the log's capacity (words per array),
    //  T, k_0..k_{T-1}, S, (table, n) per segment (registration order); proof words: the batch's
    //  (GKR, segment values, multiplicity values), a Pedersen claim (2 words) per segment claim, then
    //  per multiplicity claim, the end section]: returns as matmul, the lists the segment claims and
    //  the multiplicity claims (and an empty third). The transcript starts as evm_zk_test's
    //  ("evm-test-cplg").
    function rangeBatch(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        uint256 pos = ZkCpLayerHarnessUtil._params(z, w);
        z.g = ZkCp.newLog(w[pos++]);
        ZkLogup.RangeBatch memory b;
        uint256 nt = w[pos++];
        b.tableLogs = ZkCpLayerHarnessUtil._arr(w, pos, nt);
        pos += nt;
        uint256 ns = w[pos++];
        b.segTable = new uint256[](ns);
        b.segVars = new uint256[](ns);
        for (uint256 e = 0; e < ns; ++e) {
            b.segTable[e] = w[pos + 2 * e];
            b.segVars[e] = w[pos + 2 * e + 1];
        }
        pos += 2 * ns;
        uint256[] calldata pf = w[pos:];
        bytes32 st = ZkTranscript.init("evm-test-cplg");
        uint256 gas = gasleft();
        ZkTypes.ZkStepOut memory o = ZkCpLogup.verifyRangeBatch(st, z, b, pf, 0);
        gas -= gasleft();
        uint256[][] memory forms = new uint256[][](ns + nt);
        for (uint256 e = 0; e < ns; ++e) forms[e] = o.x[e].form;
        for (uint256 t = 0; t < nt; ++t) forms[ns + t] = o.w[t].form;
        ZkCp.Out memory e2;
        uint256 used;
        bool ok2;
        (st, ok2, e2, used) = ZkCpMatmulHarnessFinish.finish(o.st, z.g, z.prm, z.chunks, forms, pf, o.pos);
        out = ZkCpLayerHarnessUtil._out(o.ok && ok2, st, used, e2, o, gas);
    }
}

contract ZkCpMatmulHarness {
    function matmul(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpMatmulEntry.matmul(w);
    }

    function combine(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpCombineEntry.combine(w);
    }

    function reduction(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpReductionEntry.reduction(w);
    }

    function rangeBatch(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpLogupEntry.rangeBatch(w);
    }
}
