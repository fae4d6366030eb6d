// SPDX-License-Identifier: UNLICENSED
// The model-wide lookup batch of a zero-knowledge verifier, run behind an external call (code
// size): what src/proof/model_proof.cc verify_impl does after the inputs' (and private outputs')
// bound checks in zero-knowledge mode: the multiplicities' commitments (one per table, in order
// of the tables' first registration; read and absorbed as the proof's commitments), then the
// batch in zero-knowledge mode (ZkCpLogup.verifyRangeBatch). The caller (ZkCpDriver.lookupsApply)
// opens the claims it returns: each segment's column against its step's advice commitment, each
// table's multiplicities against the commitment read here.
pragma solidity ^0.8.24;

import {ZkCp} from "./ZkCp.sol";
import {ZkCpDriver} from "./ZkCpDriver.sol";
import {ZkCpLogup} from "./ZkCpLogup.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkLogup} from "./ZkLogup.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkCpLookups {
    uint256 internal constant L_COMMITMENT = uint256(bytes32("kzg.commitment")) | 14;

    struct Res {
        ZkTypes.ZkStepOut o;  // the batch's (pos: relative to the words given)
        uint256[] tableLogs;  // the tables, in order of first registration
        uint256[] multX;  // the multiplicities' commitments, one per table
        uint256[] multY;
    }

    // segVars, segTableLog: the registered segments (ns of them, ns > 0); w: the words from the
    // multiplicities' commitments on. The log z.g is given room for the batch and trimmed after.
    // zc, and the cp part returned: ZkCpDriver.packCp's bytes (session 20: not through the ABI coder).
    function run(bytes32 st, bytes calldata zc, uint256[] memory segVars, uint256[] memory segTableLog, uint256 ns, bytes calldata wb)
        external
        view
        returns (Res memory r, bytes memory)
    {
        ZkCpMatmul.Cp memory z = ZkCpDriver.unpack(zc).z;
        uint256[] calldata w;
        assembly {
            w.offset := wb.offset
            w.length := shr(5, wb.length)
        }
        ZkLogup.RangeBatch memory b;
        b.segTable = new uint256[](ns);
        b.segVars = new uint256[](ns);
        uint256[] memory logs = new uint256[](ns);
        uint256 nt = 0;
        for (uint256 e = 0; e < ns; ++e) {
            uint256 t = 0;
            while (t < nt && logs[t] != segTableLog[e]) ++t;
            if (t == nt) logs[nt++] = segTableLog[e];
            b.segTable[e] = t;
            b.segVars[e] = segVars[e];
        }
        b.tableLogs = new uint256[](nt);
        r.multX = new uint256[](nt);
        r.multY = new uint256[](nt);
        uint256 pos = 0;
        if (w.length < 2 * nt) revert ZkLogup.BadShape();
        for (uint256 t = 0; t < nt; ++t) {
            b.tableLogs[t] = logs[t];
            (r.multX[t], r.multY[t]) = (w[pos], w[pos + 1]);
            st = ZkTranscript.absorbBytes(st, L_COMMITMENT, abi.encodePacked(uint32(logs[t]), bytes32(ZkTranscript.g1Word(w[pos], w[pos + 1]))));
            pos += 2;
        }
        r.tableLogs = b.tableLogs;
        // the log's room: every word of the batch a slot at most; per GKR step (at most n + k + 2
        // of them, up to max(n, k) + 1 variables) 20 + 4 nv words of equalities and 18 of products;
        // the root's and the leaves' equalities (28 + 2 S + 2 T)
        {
            (, uint256 n) = ZkLogup.layout(b.segVars);
            (, uint256 k) = ZkLogup.layout(b.tableLogs);
            uint256 nv = (n > k ? n : k) + 1;
            // (session 18: each array its own room, not the sum: the frame's memory, whose
            // expansion is quadratic, was four times the largest; the log still grows on demand)
            uint256 steps = n + k + 2;
            _room(z.g, ZkLogup.proofWords(n, k) + ns + nt, 8, steps * 18, steps * (20 + 4 * nv) + 28 + 2 * ns + 2 * nt);
        }
        r.o = ZkCpLogup.verifyRangeBatch(st, z, b, w, pos);
        _trim(z.g);
        return (r, ZkCpDriver.packCp(ZkCpDriver.back(z)));
    }

    function _room(ZkCp.Log memory g, uint256 rs, uint256 rp, uint256 rq, uint256 rz) private pure {
        g.s = _widen(g.s, g.ns - g.s0, rs);
        g.peds = _widen(g.peds, 2 * (g.nped - g.ped0), rp);
        g.prods = _widen(g.prods, g.plen, rq);
        g.zeros = _widen(g.zeros, g.zlen, rz);
    }

    function _trim(ZkCp.Log memory g) private pure {
        _setLen(g.s, g.ns - g.s0);
        _setLen(g.peds, 2 * (g.nped - g.ped0));
        _setLen(g.prods, g.plen);
        _setLen(g.zeros, g.zlen);
    }

    function _widen(uint256[] memory a, uint256 used, uint256 room) private pure returns (uint256[] memory b) {
        if (used > a.length) revert ZkLogup.BadShape();
        b = new uint256[](used + room);
        assembly ("memory-safe") {
            mcopy(add(b, 32), add(a, 32), shl(5, used))
        }
    }

    function _setLen(uint256[] memory a, uint256 n) private pure {
        if (n > a.length) revert ZkLogup.BadShape();
        assembly ("memory-safe") {
            mstore(a, n)
        }
    }
}
