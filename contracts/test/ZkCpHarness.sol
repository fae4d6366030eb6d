// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: the end section of cp's zero-knowledge values (contracts/ZkCp.sol) for the
// differential test tools/evm/evm_zk_test.cc. One uint256[] of words in, one out.
pragma solidity ^0.8.24;

import {ZkCp} from "../ZkCp.sol";
import {ZkHyperKzg} from "../ZkHyperKzg.sol";

contract ZkCpHarness {
    function _arr(uint256[] calldata w, uint256 at, uint256 n) private pure returns (uint256[] memory a) {
        a = w[at:at + n];
    }

    // [state, b, cap, n0, s (n0), nchunks, C_k (2 each), nped, P_l (2 each), nprod, len, prods (len),
    //  nzero, len, zeros (len), ngens, gens (2 each: U, H, G_0, ..), kzg key (ZkHyperKzg.KEY_WORDS),
    //  proof words: the end section's, then the pad opening's HyperKZG batch (one group: C* at r'
    //  with the committed claim V)]:
    // returns [ok, state, end-section words read, nu, C*.x, C*.y, V.x, V.y, r' (nu)]: ok and state
    // after both (after the end section alone when it rejects).
    function finish(uint256[] calldata w) external view returns (uint256[] memory out) {
        bytes32 st = bytes32(w[0]);
        ZkCp.Params memory prm;
        prm.b = w[1];
        prm.cap = w[2];
        ZkCp.Rel memory rel;
        uint256 pos = 3;
        uint256 n = w[pos++];
        rel.s = _arr(w, pos, n);
        pos += n;
        n = w[pos++];
        rel.chunks = _arr(w, pos, 2 * n);
        pos += 2 * n;
        n = w[pos++];
        rel.peds = _arr(w, pos, 2 * n);
        pos += 2 * n;
        rel.nprod = w[pos++];
        n = w[pos++];
        rel.prods = _arr(w, pos, n);
        pos += n;
        rel.nzero = w[pos++];
        n = w[pos++];
        rel.zeros = _arr(w, pos, n);
        pos += n;
        n = w[pos++];
        prm.gens = _arr(w, pos, 2 * n);
        pos += 2 * n;
        uint256[] memory key = _arr(w, pos, ZkHyperKzg.KEY_WORDS);
        pos += ZkHyperKzg.KEY_WORDS;
        (bytes32 st2, bool ok, ZkCp.Out memory o, uint256 used) = ZkCp.finish(st, rel, prm, w[pos:]);
        if (ok && o.nu > 0) {
            uint256[][] memory zs = new uint256[][](1);
            zs[0] = o.point;
            uint256[] memory counts = new uint256[](1);
            counts[0] = 1;
            uint256[] memory items = new uint256[](5);
            items[0] = o.cstar[0];
            items[1] = o.cstar[1];
            items[2] = 1;
            items[3] = o.v[0];
            items[4] = o.v[1];
            (st2, ok) = ZkHyperKzg.verifyGroups(st2, key, zs, counts, items, w[pos + used:]);
        }
        out = new uint256[](8 + o.nu);
        out[0] = ok ? 1 : 0;
        out[1] = uint256(st2);
        out[2] = used;
        out[3] = o.nu;
        out[4] = o.cstar[0];
        out[5] = o.cstar[1];
        out[6] = o.v[0];
        out[7] = o.v[1];
        for (uint256 i = 0; i < o.nu; ++i) out[8 + i] = o.point[i];
    }
}
