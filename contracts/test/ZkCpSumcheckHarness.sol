// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: a zero-knowledge sumcheck verified end to end on the EVM (contracts/ZkCpSumcheck.sol
// recording its relations, then ZkCp's end section) for tools/evm/evm_zk_test.cc; the pad group's
// HyperKZG batch is ZkCpHarness's (code-size limit: both would be 30 KB). One uint256[] of words
// in, one out.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpSumcheck} from "../ZkCpSumcheck.sol";
import {ZkTranscript} from "../ZkTranscript.sol";

// The common part; ZkCpSumcheckHarness runs ZkCpSumcheck.verify, ZkCpSumcheckEqHarness (a file of
// its own: code-size limit) verifyWithEq.
abstract contract ZkCpSumcheckBase {
    uint256 private constant L_CLAIM = uint256(bytes32("t.claim")) | 7;

    function _arr(uint256[] calldata w, uint256 at, uint256 n) private pure returns (uint256[] memory a) {
        a = w[at:at + n];
    }

    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), n, nf, nterms, len, terms (len), eq,
    //  (eq: rho (n)), proof words: the claim, the rounds, the final values, a Pedersen claim per
    //  hidden final value (2 each), the end section]: returns [ok, state, words read, nu, C*.x, C*.y, V.x, V.y, r' (nu), r (n)].
    // The transcript starts as evm_zk_test's ("evm-test-cpsc"); the claim is one padded message.
    function sumcheck(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCp.Params memory prm;
        prm.b = w[0];
        prm.cap = w[1];
        uint256 pos = 2;
        uint256 n = w[pos++];
        uint256[] memory chunks = _arr(w, pos, 2 * n);
        pos += 2 * n;
        n = w[pos++];
        prm.gens = _arr(w, pos, 2 * n);
        pos += 2 * n;
        ZkCpSumcheck.Statement memory s;
        s.n = w[pos++];
        s.nf = w[pos++];
        s.nterms = w[pos++];
        n = w[pos++];
        s.terms = _arr(w, pos, n);
        pos += n;
        bool eq = w[pos++] != 0;
        uint256[] memory rho;
        if (eq) {
            rho = _arr(w, pos, s.n);
            pos += s.n;
        }
        uint256[] calldata pf = w[pos:];

        bytes32 st = ZkTranscript.init("evm-test-cpsc");
        ZkCp.Log memory g = ZkCp.newLog(1024);
        bool ok;
        (st, ok) = ZkCp.absorbMessages(st, g, prm, chunks, L_CLAIM, pf[0:1]);
        s.claim = new uint256[](4);
        s.claim[1] = 1;
        s.claim[2] = 0;  // slot 0
        s.claim[3] = 1;
        ZkCpSumcheck.Res memory r = _rounds(st, g, prm, chunks, s, eq, rho, pf[1:]);
        ok = ok && r.ok;
        st = r.st;
        uint256 p = 1 + r.p;
        uint256[] memory f = new uint256[](4);
        f[1] = 1;
        f[3] = 1;
        for (uint256 j = eq ? 1 : 0; j < s.nf; ++j) {  // (with eq, factor 0 is public: no claim)
            f[2] = r.finals + j;
            (st,) = ZkCp.bindClaim(st, g, f, 0, pf, p);
            p += 2;
        }
        ZkCp.Out memory o;
        uint256 used;
        bool ok2;
        (st, ok2, o, used) = ZkCp.finish(st, ZkCp.rel(g, chunks), prm, pf[p:]);
        ok = ok && ok2;
        out = new uint256[](8 + o.nu + s.n);
        out[0] = ok ? 1 : 0;
        out[1] = uint256(st);
        out[2] = p + used;
        out[3] = o.nu;
        out[4] = o.cstar[0];
        out[5] = o.cstar[1];
        out[6] = o.v[0];
        out[7] = o.v[1];
        for (uint256 i = 0; i < o.nu; ++i) out[8 + i] = o.point[i];
        for (uint256 i = 0; i < s.n; ++i) out[8 + o.nu + i] = r.point[i];
    }


    function _rounds(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        ZkCpSumcheck.Statement memory s,
        bool eq,
        uint256[] memory rho,
        uint256[] calldata pf
    ) internal view virtual returns (ZkCpSumcheck.Res memory);
}

contract ZkCpSumcheckHarness is ZkCpSumcheckBase {
    error WrongHarness();

    function _rounds(
        bytes32 st,
        ZkCp.Log memory g,
        ZkCp.Params memory prm,
        uint256[] memory chunks,
        ZkCpSumcheck.Statement memory s,
        bool eq,
        uint256[] memory,
        uint256[] calldata pf
    ) internal view override returns (ZkCpSumcheck.Res memory) {
        if (eq) revert WrongHarness();
        return ZkCpSumcheck.verify(st, g, prm, chunks, s, pf);
    }
}
