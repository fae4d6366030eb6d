// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: claim combination in zero-knowledge mode verified end to end on the EVM
// (contracts/ZkCpCombine.sol, the combined claim bound to a Pedersen commitment, ZkCp's end
// section) for tools/evm/evm_zk_test.cc; the common part is ZkCpMatmulHarness.sol's.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkCpCombine} from "../ZkCpCombine.sol";
import {ZkCpMatmul} from "../ZkCpMatmul.sol";
import {ZkTranscript} from "../ZkTranscript.sol";
import {ZkTypes} from "../ZkTypes.sol";
import {ZkCpLayerHarnessBase, ZkCpMatmulHarnessFinish} from "./ZkCpMatmulHarness.sol";

contract ZkCpCombineHarness is ZkCpLayerHarnessBase {
    // [b, cap, nchunks, C_k (2 each), ngens, gens (2 each), numVars, nc, the claims' points
    //  (numVars each); proof words: the nc claim values ("t.claim"), the combine proof, a Pedersen
    //  claim (2 words) for the combined claim, the end section]: returns as matmul, with one list
    // (the claim on the tensor).
    function combine(uint256[] calldata w) external view returns (uint256[] memory out) {
        ZkCpMatmul.Cp memory z;
        uint256 pos = _params(z, w);
        uint256 nv = w[pos++];
        uint256 nc = w[pos++];
        ZkTypes.ZkClaim[] memory yc = new ZkTypes.ZkClaim[](nc);
        for (uint256 t = 0; t < nc; ++t) {
            yc[t].point = _arr(w, pos, nv);
            pos += nv;
        }
        uint256[] calldata pf = w[pos:];
        bytes32 st = ZkTranscript.init("evm-test-cpmm");
        z.g = ZkCp.newLog(256);
        bool ok;
        (st, ok) = ZkCp.absorbMessages(st, z.g, z.prm, z.chunks, L_CLAIM, pf[0:nc]);
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
        out = _out(ok && ok2, st, used, e, o, gas);
    }
}
