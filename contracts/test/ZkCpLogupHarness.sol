// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the model-wide lookup batch in zero-knowledge mode verified end to end on the EVM
// (contracts/ZkCpLogup.sol recording its relations, the claims it hands back bound to Pedersen
// commitments, then ZkCp's end section) for tools/evm/evm_zk_test.cc (`EvmZk.Logup*`). One
// uint256[] of words in, one out, in the format of ZkCpMatmulHarness (whose helpers are copied here
// rather than imported: one compilation of that file is 3 routines more).
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpLogup} from "../ZkCpLogup.sol";
import {ZkCpMatmul} from "../ZkCpMatmul.sol";
import {ZkLogup} from "../ZkLogup.sol";
import {ZkTranscript} from "../ZkTranscript.sol";
import {ZkTypes} from "../ZkTypes.sol";

// The end section behind an external call (code size): the claims' forms bound to Pedersen
// commitments (pf[p..], 2 words each), then the end section; returns the state, the verdict, the
// pad opening and the position after the proof.
library ZkCpLogupHarnessFinish {
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

library ZkCpLogupEntry {
    function _arr(uint256[] calldata w, uint256 at, uint256 n) private pure returns (uint256[] memory a) {
        a = w[at:at + n];
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

    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), the log's capacity (words per array),
    //  T, k_0..k_{T-1}, S, (table, n) per segment (registration order); proof words: the batch's
    //  (GKR, segment values, multiplicity values), a Pedersen claim (2 words) per segment claim and
    //  then per multiplicity claim, the end section]: returns [ok, state, words read, nu, C*.x, C*.y,
    //  V.x, V.y, r' (nu), the segment claims, the multiplicity claims, an empty list (per list its
    //  count, per claim its point's length, the coordinates, the flat form), the routine's own gas].
    // The transcript starts as evm_zk_test's ("evm-test-cplg").
    function rangeBatch(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        z.prm.b = w[0];
        z.prm.cap = w[1];
        uint256 pos = 2;
        uint256 n = w[pos++];
        z.chunks = _arr(w, pos, 2 * n);
        pos += 2 * n;
        n = w[pos++];
        z.prm.gens = _arr(w, pos, 2 * n);
        pos += 2 * n;
        z.g = ZkCp.newLog(w[pos++]);
        ZkLogup.RangeBatch memory b;
        uint256 nt = w[pos++];
        b.tableLogs = _arr(w, pos, nt);
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
        (st, ok2, e2, used) = ZkCpLogupHarnessFinish.finish(o.st, z.g, z.prm, z.chunks, forms, pf, o.pos);
        uint256 len = 8 + e2.nu + _count(o.x) + _count(o.w) + 1;
        out = new uint256[](len + 1);
        out[len] = gas;
        out[0] = o.ok && ok2 ? 1 : 0;
        out[1] = uint256(st);
        out[2] = used;
        out[3] = e2.nu;
        out[4] = e2.cstar[0];
        out[5] = e2.cstar[1];
        out[6] = e2.v[0];
        out[7] = e2.v[1];
        for (uint256 i = 0; i < e2.nu; ++i) out[8 + i] = e2.point[i];
        uint256 at = _put(out, 8 + e2.nu, o.x);
        _put(out, at, o.w);  // (then the empty list: out[len - 1] = 0)
    }
}

contract ZkCpLogupHarness {
    function rangeBatch(uint256[] calldata w) external view returns (uint256[] memory) {
        return ZkCpLogupEntry.rangeBatch(w);
    }
}
