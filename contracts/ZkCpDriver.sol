// SPDX-License-Identifier: UNLICENSED
// The whole-model EVM verifier's driver in zero-knowledge mode (docs/protocol/evm.md sections 3.3
// and 4.1): src/proof/model_proof.cc `verify_impl` for kzg keys of version 8 (cp's pads
// KZG-committed in chunks) when the model's proofs are zero-knowledge, beside ZkDriver's plain
// mode (which it reuses for words, tails and the public values). A verifier that
// `zkinfer create-evm-verifier` generates (src/proof/evm_verifier_zk.cc) calls, in verify_impl's
// order:
//
//   begin (vk digest; cp's pad parameters and Pedersen generators from the key)  ->  the public
//   values (absorbPublic)  ->  the pad chunks' commitments (readChunks: a count word, which
//   `encode-evm-calldata` writes for zero-knowledge proofs, then the points; not absorbed here:
//   each is absorbed with the first message of its chunk)  ->  the key's and the proof's
//   commitments  ->  the output claims (public values: forms without terms)  ->  per node in
//   reverse order: its claims (take), a combine when several (ZkCpCombine), the step routine in
//   zero-knowledge mode (ZkCpMatmul, ...: relations recorded into the context's ZkCp.Log), its
//   claims routed (add, addScaled)  ->  the public input's claims (checkInput: equalities
//   recorded)  ->  the claims on key commitments (openClaims) and on the constants the verifier
//   evaluates (checkPublic, session 19; a step's own public constants and Neg's claims too:
//   checkPublic, negate)  ->  opening: the reduction over
//   forms (ZkCpReduction), each evaluation s_c F_c bound to a Pedersen commitment
//   (ZkCp.bindClaim, in the commitments' order), the end section (ZkCp.finish, through the
//   external library ZkCpEnd: code size), then ONE HyperKZG batch of two groups
//   (ZkHyperKzg.verifyGroups: the commitments at rho with their committed claims, then the pad
//   chunks' combination C* at r' with the committed claim V)  ->  every word read.
//
// Session 17: each step routine's wrapper, the lookup batch and each node library (a model of
// more than 6 node steps) get a PART of the log (sub: empty arrays continuing the counters) and
// give back what they recorded, which merge appends in place; the log's arrays grow on demand
// (ZkCp.fit), so ROOM is a first allotment, not a limit; a version-9 key's weight rows are
// combined at the reduction's point by ZkCpEnd.combineRows (opening).
//
// Claims carry forms (ZkTypes.ZkClaim: ZkCp's flat sparse affine forms [c, n, (atom, coeff) x n]);
// a public value is [v, 0]. The ZkCp.Log lives in the context TRIMMED (each array's length = the
// words used), so that it crosses the step routines' external calls at its size; whatever records
// into it first gives it room (`roomy`: ROOM words an array for a step routine; the opening and
// the input's equalities what they need) and trims it after (`trim`).
// A failed check returns false; malformed words revert (ZkFr, the precompiles, BadShape).
pragma solidity ^0.8.24;

import {ZkBn254} from "./ZkBn254.sol";
import {ZkCp} from "./ZkCp.sol";
import {ZkCpMatmul} from "./ZkCpMatmul.sol";
import {ZkCpReduction} from "./ZkCpReduction.sol";
import {ZkDriver} from "./ZkDriver.sol";
import {ZkHyperKzg} from "./ZkHyperKzg.sol";
import {ZkPublic} from "./ZkPublic.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

// The end section behind an external call (the opening with it inline passes 24 KB).
library ZkCpEnd {
    // ctx: ZkCpDriver.pack of a context holding the transcript state and the cp part (log, pad
    // parameters, chunks) alone (session 20: not through the ABI coder).
    function finish(bytes calldata ctx, bytes calldata w) external view returns (bytes32, bool, ZkCp.Out memory, uint256) {
        ZkCpDriver.Ctx memory c = ZkCpDriver.unpack(ctx);
        return ZkCp.finish(c.st, ZkCp.rel(c.z.g, c.z.chunks), c.z.prm, ZkDriver.words(w));
    }

    // Key version 9's weight rows combined at the reduction's point rho (docs/protocol/evm.md
    // section 3.4a; pcs/kzg_scheme.cc `widened`): `rows` holds, per row commitment of the key, its
    // commitment index (2 bytes, big-endian), n and L (a byte each), then its 2^(n-L) row
    // commitments C_b as 64-byte (x, y). Returns per entry (commitment, x, y, L) with
    // (x, y) = sum_b eq(rho[L..n), b) C_b (b's bit i the variable L + i): one ecMul and ecAdd a row.
    function combineRows(bytes memory rows, uint256[] memory rho) external view returns (uint256[] memory out) {
        uint256 m;
        for (uint256 at = 0; at < rows.length; ++m) {
            if (at + 4 > rows.length) revert ZkCpDriver.BadShape();
            uint256 n = uint8(rows[at + 2]);
            uint256 l = uint8(rows[at + 3]);
            if (l == 0 || l >= n || n > rho.length || n - l > 16) revert ZkCpDriver.BadShape();
            at += 4 + (64 << (n - l));
            if (at > rows.length) revert ZkCpDriver.BadShape();
        }
        out = new uint256[](4 * m);
        uint256 p;
        for (uint256 k = 0; k < m; ++k) {
            uint256 n = uint8(rows[p + 2]);
            uint256 l = uint8(rows[p + 3]);
            out[4 * k] = (uint256(uint8(rows[p])) << 8) | uint8(rows[p + 1]);
            out[4 * k + 3] = l;
            // eq(rho[L..n), .) over the 2^(n-L) rows
            uint256 nr = 1 << (n - l);
            uint256[] memory e = new uint256[](nr);
            e[0] = 1;
            for (uint256 j = 0; j < n - l; ++j) {
                uint256 half = 1 << j;
                uint256 r = rho[l + j];
                for (uint256 i = 0; i < half; ++i) {
                    uint256 hi = mulmod(e[i], r, ZkCpDriver.R);
                    e[i + half] = hi;
                    e[i] = addmod(e[i], ZkCpDriver.R - hi, ZkCpDriver.R);
                }
            }
            uint256[2] memory acc;
            p += 4;
            for (uint256 b = 0; b < nr; ++b) {
                uint256 x;
                uint256 y;
                assembly ("memory-safe") {
                    let q := add(add(rows, 32), p)
                    x := mload(q)
                    y := mload(add(q, 32))
                }
                ZkBn254.mulAdd(acc, x, y, e[b]);
                p += 64;
            }
            out[4 * k + 1] = acc[0];
            out[4 * k + 2] = acc[1];
        }
    }
}

library ZkCpDriver {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    // Room given to the log before a routine records (words per array; a routine recording more
    // grows it: ZkCp.fit, session 17).
    uint256 internal constant ROOM = 128;
    // At most this many pad chunks (2^10, 2^11, .. up to the SRS, then 2^cap each).
    uint256 internal constant MAX_CHUNKS = 64;

    error BadShape();

    struct Ctx {
        bytes32 st;
        uint256 pos;
        ZkTypes.ZkClaim[][] claims;  // per tensor
        // Commitments: (x, y) and variables, the key's then the proof's, in reading order.
        uint256[] comX;
        uint256[] comY;
        uint256[] comVars;
        uint256 nCom;
        // Claims to open: commitment, point, form.
        uint256[] openCom;
        uint256[][] openPoint;
        uint256[][] openForm;
        uint256 nOpen;
        // cp: the log (trimmed), the pad parameters and generators, the proof's chunk commitments.
        ZkCpMatmul.Cp z;
        // The range lookups registered with the model-wide batch (registerLookups), in
        // registration order: each segment's column commitment, variables and table's log size.
        uint256[] segCom;
        uint256[] segVars;
        uint256[] segTableLog;
        uint256 nSeg;
        // [visibility] each private output's first claim (privateOutputClaim), for its bound check
        ZkTypes.ZkClaim[] outClaims;
    }

    uint256 internal constant L_OUTPUT_CLAIM = uint256(bytes32("proof.output_claim")) | 18;

    // ---- start ----

    // As ZkDriver.begin; b, cap: the pad chunks' shape (ZkCp.Params); gens: U, H, G_0, .. as
    // 64-byte (x, y) pairs.
    function begin(bytes memory domain, bytes32 vkDigest, uint256 numTensors, uint256[] calldata w, uint256 b, uint256 cap, bytes memory gens)
        internal
        pure
        returns (Ctx memory c, bool ok)
    {
        if (w.length == 0 || bytes32(w[0]) != vkDigest) return (c, false);
        c.st = ZkTranscript.absorbBytes(ZkTranscript.init(domain), ZkDriver.L_VK_DIGEST, abi.encodePacked(vkDigest));
        c.pos = 1;
        c.claims = new ZkTypes.ZkClaim[][](numTensors);
        c.comX = new uint256[](0);
        c.comY = new uint256[](0);
        c.comVars = new uint256[](0);
        c.openCom = new uint256[](0);
        c.openPoint = new uint256[][](0);
        c.openForm = new uint256[][](0);
        c.segCom = new uint256[](0);
        c.segVars = new uint256[](0);
        c.segTableLog = new uint256[](0);
        c.outClaims = new ZkTypes.ZkClaim[](0);
        c.z.prm.b = b;
        c.z.prm.cap = cap;
        if (gens.length % 32 != 0) revert BadShape();
        uint256 ng = gens.length / 32;
        c.z.prm.gens = new uint256[](ng);
        for (uint256 i = 0; i < ng; ++i) {
            uint256 x;
            assembly ("memory-safe") {
                x := mload(add(add(gens, 32), shl(5, i)))
            }
            c.z.prm.gens[i] = x;
        }
        c.z.g = ZkCp.newLog(0);
        return (c, true);
    }

    // Public values (ZkPublic.absorb on this context's transcript).
    function absorbPublic(Ctx memory c, uint256 lbl, bytes calldata v, uint256 at, uint256 n, uint256 wd, uint256 bits, bool lowOpen)
        internal
        pure
        returns (bool ok)
    {
        ZkDriver.Ctx memory t;
        t.st = c.st;
        ok = ZkPublic.absorb(t, lbl, v, at, n, wd, bits, lowOpen);
        c.st = t.st;
    }

    // The pad chunks' commitments: a count K (at most MAX_CHUNKS), then K points (x, y). Not
    // absorbed (each is absorbed with its chunk's first message); ZkCp.finish checks that K is
    // the number the messages need.
    function readChunks(Ctx memory c, uint256[] calldata w) internal pure {
        uint256 p = c.pos;
        if (p >= w.length) revert BadShape();
        uint256 k = w[p];
        if (k > MAX_CHUNKS || p + 1 + 2 * k > w.length) revert BadShape();
        c.z.chunks = w[p + 1:p + 1 + 2 * k];
        c.pos = p + 1 + 2 * k;
    }

    function addCommitment(Ctx memory c, uint256 x, uint256 y, uint256 numVars) internal pure returns (uint256 idx) {
        idx = c.nCom++;
        c.comX = _push(c.comX, idx, x);
        c.comY = _push(c.comY, idx, y);
        c.comVars = _push(c.comVars, idx, numVars);
    }

    // The key's commitments, 65 bytes each (x, y, numVars), as ZkDriver.addCommitments.
    function addCommitments(Ctx memory c, bytes memory k) internal pure {
        if (k.length % 65 != 0) revert BadShape();
        for (uint256 i = 0; i < k.length; i += 65) {
            uint256 x;
            uint256 y;
            uint256 v;
            assembly ("memory-safe") {
                let p := add(add(k, 32), i)
                x := mload(p)
                y := mload(add(p, 32))
                v := byte(0, mload(add(p, 64)))
            }
            addCommitment(c, x, y, v);
        }
    }

    // The proof's commitments, one per byte of numVars, read and absorbed as ZkDriver's.
    function readCommitments(Ctx memory c, uint256[] calldata w, bytes memory numVars) internal pure {
        for (uint256 i = 0; i < numVars.length; ++i) {
            uint256 nv = uint8(numVars[i]);
            uint256 x = w[c.pos];
            uint256 y = w[c.pos + 1];
            c.pos += 2;
            c.st = ZkTranscript.absorbBytes(c.st, ZkDriver.L_COMMITMENT, abi.encodePacked(uint32(nv), bytes32(ZkTranscript.g1Word(x, y))));
            addCommitment(c, x, y, nv);
        }
    }

    // ---- claims ----

    function pub(uint256 v) internal pure returns (uint256[] memory f) {
        f = new uint256[](2);
        f[0] = v;
    }

    // The public output's claim on tensor t: its padded MLE at a challenged point (a public form).
    function outputClaim(Ctx memory c, uint256 t, bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims) internal pure {
        uint256 nv = ZkPublic.numVars(dims);
        uint256[] memory z = new uint256[](nv);
        for (uint256 i = 0; i < nv; ++i) (c.st, z[i]) = ZkTranscript.challenge(c.st, ZkPublic.L_OUTPUT_POINT);
        ZkTypes.ZkClaim[] memory one = new ZkTypes.ZkClaim[](1);
        one[0] = ZkTypes.ZkClaim(z, pub(ZkPublic.mle(v, at, wd, dims, z)));
        add(c, t, one);
    }

    // A private output's claim on tensor t (nv variables): a challenged point, its value the
    // proof's next word as a padded message ("proof.output_claim"); kept in outClaims for the
    // output's bound check (verify_impl's [visibility] private outputs).
    function privateOutputClaim(Ctx memory c, uint256 t, uint256 nv, uint256[] calldata w) internal pure returns (bool ok) {
        uint256[] memory z = new uint256[](nv);
        for (uint256 i = 0; i < nv; ++i) (c.st, z[i]) = ZkTranscript.challenge(c.st, ZkPublic.L_OUTPUT_POINT);
        if (c.pos + 1 > w.length) revert BadShape();
        roomyFor(c.z.g, 8);
        uint256 slot = c.z.g.ns;
        (c.st, ok) = ZkCp.absorbMessages(c.st, c.z.g, c.z.prm, c.z.chunks, L_OUTPUT_CLAIM, w[c.pos:c.pos + 1]);
        trim(c.z.g);
        c.pos += 1;
        ZkTypes.ZkClaim[] memory one = new ZkTypes.ZkClaim[](1);
        one[0] = ZkTypes.ZkClaim(z, ZkCpMatmul.single(slot));
        add(c, t, one);
        ZkTypes.ZkClaim[] memory all = new ZkTypes.ZkClaim[](c.outClaims.length + 1);
        for (uint256 i = 0; i < c.outClaims.length; ++i) all[i] = c.outClaims[i];
        all[c.outClaims.length] = ZkTypes.ZkClaim(z, ZkCpMatmul.single(slot));
        c.outClaims = all;
    }

    function take(Ctx memory c, uint256 t) internal pure returns (ZkTypes.ZkClaim[] memory cl) {
        cl = c.claims[t];
        c.claims[t] = new ZkTypes.ZkClaim[](0);
    }

    function add(Ctx memory c, uint256 t, ZkTypes.ZkClaim[] memory cs) internal pure {
        if (cs.length == 0) return;
        ZkTypes.ZkClaim[] memory old = c.claims[t];
        ZkTypes.ZkClaim[] memory all = new ZkTypes.ZkClaim[](old.length + cs.length);
        for (uint256 i = 0; i < old.length; ++i) all[i] = old[i];
        for (uint256 i = 0; i < cs.length; ++i) all[old.length + i] = cs[i];
        c.claims[t] = all;
    }

    // Claims on tensor t times a constant (every coefficient and the constant of each form).
    function addScaled(Ctx memory c, uint256 t, ZkTypes.ZkClaim[] memory cs, uint256 factor) internal pure {
        for (uint256 i = 0; i < cs.length; ++i) cs[i].form = scaled(cs[i].form, factor);
        add(c, t, cs);
    }

    function scaled(uint256[] memory f, uint256 k) internal pure returns (uint256[] memory g) {
        uint256 n = f[1];
        if (f.length != 2 + 2 * n) revert BadShape();
        g = new uint256[](f.length);
        g[0] = mulmod(f[0], k, R);
        g[1] = n;
        for (uint256 i = 0; i < n; ++i) {
            g[2 + 2 * i] = f[2 + 2 * i];
            g[3 + 2 * i] = mulmod(f[3 + 2 * i], k, R);
        }
    }

    // A step's result: its state and position taken, false on a rejection.
    function accept(Ctx memory c, ZkTypes.ZkStepOut memory o) internal pure returns (bool) {
        if (!o.ok) return false;
        c.st = o.st;
        c.pos = o.pos;
        return true;
    }

    // `value == form` as cp's Val comparison: decided when the form has no terms, recorded
    // (value - form = 0, cp.cc operator==) otherwise.
    function equal(Ctx memory c, uint256 value, uint256[] memory f) internal pure returns (bool) {
        if (f[1] == 0) return _publicEqual(c.z.g, value, f);  // decided: nothing recorded
        roomyFor(c.z.g, f.length);
        _publicEqual(c.z.g, value, f);
        trim(c.z.g);
        return true;
    }

    // Neg (session 19): each claim's form negated, constant and coefficients, in its order (cp.cc's
    // Val::operator-; free: nothing recorded). New forms and claims (a form may be shared).
    function negate(ZkTypes.ZkClaim[] memory cs) internal pure {
        for (uint256 i = 0; i < cs.length; ++i) cs[i] = ZkTypes.ZkClaim(cs[i].point, scaled(cs[i].form, R - 1));
    }

    // A step's public constants (session 19; ZkDriver.checkPublic in zero-knowledge mode): every
    // claim on tensor t (taken) against the padded MLE of the constant v of shape dims, computed in
    // the clear; a claim whose point has another length is a rejection, otherwise the equality
    // MLE(point) == form is recorded (cp.cc operator==: MLE - form = 0) or, for a form without
    // terms, decided, as verify_impl's `mle_eval(table, point) != value` on a cp Val.
    function checkPublic(Ctx memory c, uint256 t, int256[] memory v, uint256[] memory dims) internal pure returns (bool ok) {
        ok = checkPublicClaims(c.z.g, take(c, t), v, dims);
        trim(c.z.g);
    }

    // checkPublic's checks of the claims cl, recorded into the log g (which grows on demand).
    function checkPublicClaims(ZkCp.Log memory g, ZkTypes.ZkClaim[] memory cl, int256[] memory v, uint256[] memory dims)
        internal
        pure
        returns (bool)
    {
        if (cl.length == 0) return true;
        uint256 nv = ZkPublic.numVars(dims);
        for (uint256 i = 0; i < cl.length; ++i) {
            if (cl[i].point.length != nv) return false;
            if (!_publicEqual(g, publicMle(v, dims, cl[i].point), cl[i].form)) return false;
        }
        return true;
    }

    // value == f: decided for a form without terms, else value - f = 0 recorded into g.
    function _publicEqual(ZkCp.Log memory g, uint256 value, uint256[] memory f) private pure returns (bool) {
        if (f[1] == 0) {
            if (f.length != 2 || f[0] >= R) revert BadShape();
            return f[0] == value;
        }
        ZkCp.recordZero(g, _difference(value, f), 0);
        return true;
    }

    // The padded MLE at z (ZkPublic.numVars(dims) coordinates) of the constant v of shape dims,
    // row-major (src/layers/layout.h: each dimension padded to a power of two, the last in the
    // lowest variables): sum_i v_i prod_d eq(i_d, z's coordinates of dimension d).
    function publicMle(int256[] memory v, uint256[] memory dims, uint256[] memory z) internal pure returns (uint256) {
        uint256 count = 1;
        for (uint256 d = 0; d < dims.length; ++d) count *= dims[d];
        if (v.length != count) revert BadShape();
        return _publicSum(v, dims, _eqTables(dims, z));
    }

    // Per dimension d, eq(i, z's coordinates of d) for i < 2^ceil(log2 dims[d]) (the last
    // dimension's over z[0..), bit b of i with its b-th coordinate).
    function _eqTables(uint256[] memory dims, uint256[] memory z) private pure returns (uint256[][] memory eqs) {
        uint256 rank = dims.length;
        eqs = new uint256[][](rank);
        uint256 off;
        for (uint256 k = 0; k < rank; ++k) {
            uint256 d = rank - 1 - k;
            uint256 l;
            while ((uint256(1) << l) < dims[d]) ++l;
            if (off + l > z.length) revert BadShape();
            eqs[d] = _eqTable(z, off, l);
            off += l;
        }
        if (off != z.length) revert BadShape();
    }

    function _eqTable(uint256[] memory z, uint256 off, uint256 l) private pure returns (uint256[] memory e) {
        e = new uint256[](uint256(1) << l);
        e[0] = 1;
        for (uint256 b = 0; b < l; ++b) {
            uint256 zb = z[off + b] % R;
            uint256 nzb = addmod(1, R - zb, R);
            uint256 h = uint256(1) << b;
            for (uint256 j = 0; j < h; ++j) {
                e[j + h] = mulmod(e[j], zb, R);
                e[j] = mulmod(e[j], nzb, R);
            }
        }
    }

    // sum_i v_i prod_d eqs[d][i_d] over the entries of v (row-major over dims).
    function _publicSum(int256[] memory v, uint256[] memory dims, uint256[][] memory eqs) private pure returns (uint256 out) {
        uint256 rank = dims.length;
        uint256[] memory idx = new uint256[](rank);
        for (uint256 i = 0; i < v.length; ++i) {
            int256 x = v[i];
            if (x != 0) {
                // |x| < 2^255: its residue mod R
                uint256 u = x >= 0 ? uint256(x) % R : (R - (uint256(-x) % R)) % R;
                for (uint256 d = 0; d < rank; ++d) u = mulmod(u, eqs[d][idx[d]], R);
                out = addmod(out, u, R);
            }
            for (uint256 d = rank; d > 0; --d) {
                if (++idx[d - 1] < dims[d - 1]) break;
                idx[d - 1] = 0;
            }
        }
    }

    // value - f as a flat form (cp.cc operator==: the difference a - b of a public a).
    function _difference(uint256 value, uint256[] memory f) private pure returns (uint256[] memory d) {
        uint256 n = f[1];
        if (f.length != 2 + 2 * n || f[0] >= R) revert BadShape();
        d = new uint256[](f.length);
        d[0] = addmod(value, R - f[0], R);
        d[1] = n;
        for (uint256 i = 0; i < n; ++i) {
            uint256 k = f[3 + 2 * i];
            if (k >= R) revert BadShape();
            d[2 + 2 * i] = f[2 + 2 * i];
            d[3 + 2 * i] = k == 0 ? 0 : R - k;
        }
    }

    // The public input's claims on tensor t against its packed values (ZkPublic.mle).
    function checkInput(Ctx memory c, uint256 t, bytes calldata v, uint256 at, uint256 wd, uint256[] memory dims) internal pure returns (bool) {
        ZkTypes.ZkClaim[] memory cl = take(c, t);
        uint256 nv = ZkPublic.numVars(dims);
        for (uint256 i = 0; i < cl.length; ++i) {
            if (cl[i].point.length != nv) return false;
            if (!equal(c, ZkPublic.mle(v, at, wd, dims, cl[i].point), cl[i].form)) return false;
        }
        return true;
    }

    function openAt(Ctx memory c, uint256 com, uint256[] memory point, uint256[] memory form) internal pure {
        if (com >= c.nCom || point.length != c.comVars[com]) revert BadShape();
        uint256 i = c.nOpen++;
        c.openCom = _push(c.openCom, i, com);
        if (i == c.openPoint.length) {
            uint256[][] memory p = new uint256[][](2 * i + 8);
            uint256[][] memory f = new uint256[][](2 * i + 8);
            for (uint256 j = 0; j < i; ++j) (p[j], f[j]) = (c.openPoint[j], c.openForm[j]);
            c.openPoint = p;
            c.openForm = f;
        }
        c.openPoint[i] = point;
        c.openForm[i] = form;
    }

    // Tensor t's claims opened against commitment com (a key commitment: private weights).
    function openClaims(Ctx memory c, uint256 t, uint256 com) internal pure {
        ZkTypes.ZkClaim[] memory cl = take(c, t);
        for (uint256 i = 0; i < cl.length; ++i) openAt(c, com, cl[i].point, cl[i].form);
    }

    // A step's advice claims (forms), bound at its commitments: advice a is commitment base + a
    // (ZkDriver.openAdvice's plain form, claims as forms).
    function openAdvice(Ctx memory c, ZkTypes.ZkAdviceClaim[] memory adv, uint256 base, uint256 count) internal pure {
        for (uint256 i = 0; i < adv.length; ++i) {
            if (adv[i].advice >= count) revert BadShape();
            openAt(c, base + adv[i].advice, adv[i].point, adv[i].form);
        }
    }

    // A step's range lookups: column advice a is commitment base + a (ZkDriver.registerLookups).
    function registerLookups(Ctx memory c, ZkTypes.RangeLookup[] memory lk, uint256 base, uint256 count) internal pure {
        for (uint256 i = 0; i < lk.length; ++i) {
            if (lk[i].advice >= count) revert BadShape();
            uint256 e = c.nSeg++;
            c.segCom = _push(c.segCom, e, base + lk[i].advice);
            c.segVars = _push(c.segVars, e, lk[i].numVars);
            c.segTableLog = _push(c.segTableLog, e, lk[i].tableLog);
        }
    }

    // The model-wide batch's result (ZkCpLookups.run, called by the verifier when a lookup is
    // registered): its state and position taken, the multiplicities' commitments added (after
    // every other, as verify_impl reads them), each segment's claim (o.x, registration order)
    // bound at its column's commitment, each table's (o.w) at its multiplicities'.
    function lookupsApply(Ctx memory c, ZkTypes.ZkStepOut memory o, uint256[] memory tableLogs, uint256[] memory mx, uint256[] memory my)
        internal
        pure
        returns (bool)
    {
        if (o.x.length != c.nSeg || o.w.length != tableLogs.length) revert BadShape();
        o.pos += c.pos;
        if (!accept(c, o)) return false;
        uint256 nt = tableLogs.length;
        uint256[] memory mcom = new uint256[](nt);
        for (uint256 t = 0; t < nt; ++t) mcom[t] = addCommitment(c, mx[t], my[t], tableLogs[t]);
        for (uint256 e = 0; e < c.nSeg; ++e) openAt(c, c.segCom[e], o.x[e].point, o.x[e].form);
        for (uint256 t = 0; t < nt; ++t) openAt(c, mcom[t], o.w[t].point, o.w[t].form);
        return true;
    }

    // ---- node libraries (a model of more than kZkNodesInContract node steps, session 17) ----
    //
    // The contract keeps the context. A node library's `run(Ctx, words)` gets a part of it (part):
    // the claims on the tensors its nodes take (taken out of c), the commitments' variables
    // (openAt's check), the pad parameters and chunks, and an empty cp log continuing c's counters
    // (sub); it gives back (strip) what its steps added: the transcript state, the words read,
    // the claims left on any tensor, the claims to open, the range lookups and its part of the
    // log, which mergePart appends to c's (in place: merge). So each claim and each recorded word
    // crosses one call once, and the contract's memory grows with what the proof adds, not with
    // the number of calls times the log.

    // The part for a node library whose nodes take the tensors ts (two bytes a tensor, big-endian).
    function part(Ctx memory c, bytes memory ts) internal pure returns (Ctx memory p) {
        p.st = c.st;
        p.claims = new ZkTypes.ZkClaim[][](c.claims.length);
        for (uint256 i = 0; i + 1 < ts.length; i += 2) {
            uint256 t = (uint256(uint8(ts[i])) << 8) | uint8(ts[i + 1]);
            p.claims[t] = take(c, t);
        }
        uint256 nc = c.nCom;
        uint256[] memory cv = c.comVars;
        uint256[] memory pv = new uint256[](nc);
        assembly ("memory-safe") {
            mcopy(add(pv, 32), add(cv, 32), shl(5, nc))
        }
        p.comVars = pv;
        p.nCom = nc;
        p.z = sub(c.z);
    }

    // What a node library gives back: its context without what the contract has already (the
    // commitments' variables, the pad parameters, the chunks), its log trimmed.
    function strip(Ctx memory c) internal pure returns (Ctx memory) {
        c.comVars = new uint256[](0);
        c.z.prm.gens = new uint256[](0);
        c.z.chunks = new uint256[](0);
        trim(c.z.g);
        return c;
    }

    // c with a node library's result r (of part(c, ..)) appended: its state and position (r.pos
    // counts from c.pos), its claims on every tensor, claims to open, lookups and log.
    function mergePart(Ctx memory c, Ctx memory r) internal pure {
        if (r.claims.length != c.claims.length) revert BadShape();
        c.st = r.st;
        c.pos += r.pos;
        for (uint256 t = 0; t < r.claims.length; ++t) add(c, t, r.claims[t]);
        for (uint256 i = 0; i < r.nOpen; ++i) openAt(c, r.openCom[i], r.openPoint[i], r.openForm[i]);
        for (uint256 i = 0; i < r.nSeg; ++i) {
            uint256 e = c.nSeg++;
            c.segCom = _push(c.segCom, e, r.segCom[i]);
            c.segVars = _push(c.segVars, e, r.segVars[i]);
            c.segTableLog = _push(c.segTableLog, e, r.segTableLog[i]);
        }
        merge(c.z, r.z);
    }

    function noneLeft(Ctx memory c) internal pure returns (bool) {
        for (uint256 t = 0; t < c.claims.length; ++t) if (c.claims[t].length != 0) return false;
        return true;
    }

    // ---- the context as one buffer (session 20, branch zkcap) ----
    //
    // What crosses the external calls of a generated verifier (its node libraries, the opening
    // library): the whole context as one `bytes` (pack), read back (unpack) as views into one copy
    // of it, not through the ABI coder: solc's coder moves a uint256[] word by word with its checks
    // and gives each nested array and struct its own allocation (cnn_digits' zero-knowledge verifier
    // spent about 3 M gas in it). The same deep copy as the ABI's (every array with its length as it
    // stands, no aliasing kept), in one mcopy per array. Layout (32-byte words): st, pos, nCom,
    // nOpen, nSeg, the log's ns, nped, plen, nprod, zlen, nzero, s0, ped0, the pad parameters' b and
    // cap; the arrays comX, comY, comVars, openCom, segCom, segVars, segTableLog, the log's s, peds,
    // prods, zeros, the generators and chunks, each as (length, words); openPoint and openForm (a
    // count, then each array); claims (a count of tensors, then per tensor a count of claims, each
    // claim its point and form); outClaims (a count, then each claim).

    uint256 private constant PACK_HEADER = 15;

    function pack(Ctx memory c) internal pure returns (bytes memory b) {
        uint256 n = PACK_HEADER + _arrWords(c.comX) + _arrWords(c.comY) + _arrWords(c.comVars) + _arrWords(c.openCom);
        n += _arrWords(c.segCom) + _arrWords(c.segVars) + _arrWords(c.segTableLog);
        n += _arrWords(c.z.g.s) + _arrWords(c.z.g.peds) + _arrWords(c.z.g.prods) + _arrWords(c.z.g.zeros);
        n += _arrWords(c.z.prm.gens) + _arrWords(c.z.chunks);
        n += _arrsWords(c.openPoint) + _arrsWords(c.openForm) + _claimsWords(c.outClaims);
        ZkTypes.ZkClaim[][] memory cls = c.claims;
        n += 1;
        for (uint256 t = 0; t < cls.length; ++t) n += _claimsWords(cls[t]);
        uint256 p;
        assembly ("memory-safe") {
            b := mload(0x40)
            mstore(b, shl(5, n))
            p := add(b, 32)
            mstore(0x40, add(p, shl(5, n)))
        }
        ZkCp.Log memory g = c.z.g;
        // (one word at a time: an array literal of the 15 made the callers too deep in the stack)
        p = _putWord(p, uint256(c.st));
        p = _putWord(p, c.pos);
        p = _putWord(p, c.nCom);
        p = _putWord(p, c.nOpen);
        p = _putWord(p, c.nSeg);
        p = _putWord(p, g.ns);
        p = _putWord(p, g.nped);
        p = _putWord(p, g.plen);
        p = _putWord(p, g.nprod);
        p = _putWord(p, g.zlen);
        p = _putWord(p, g.nzero);
        p = _putWord(p, g.s0);
        p = _putWord(p, g.ped0);
        p = _putWord(p, c.z.prm.b);
        p = _putWord(p, c.z.prm.cap);
        p = _putArr(p, c.comX);
        p = _putArr(p, c.comY);
        p = _putArr(p, c.comVars);
        p = _putArr(p, c.openCom);
        p = _putArr(p, c.segCom);
        p = _putArr(p, c.segVars);
        p = _putArr(p, c.segTableLog);
        p = _putArr(p, g.s);
        p = _putArr(p, g.peds);
        p = _putArr(p, g.prods);
        p = _putArr(p, g.zeros);
        p = _putArr(p, c.z.prm.gens);
        p = _putArr(p, c.z.chunks);
        p = _putArrs(p, c.openPoint);
        p = _putArrs(p, c.openForm);
        p = _putWord(p, cls.length);
        for (uint256 t = 0; t < cls.length; ++t) p = _putClaims(p, cls[t]);
        p = _putClaims(p, c.outClaims);
    }

    // A cp part (a step routine's wrapper's argument and answer, the lookup batch's) as pack's bytes
    // of a context holding it alone.
    function packCp(ZkCpMatmul.Cp memory z) internal pure returns (bytes memory) {
        Ctx memory x;
        x.z = z;
        return pack(x);
    }

    // pack's bytes in calldata (a node or the opening library's argument): one copy to memory, read in place.
    function unpack(bytes calldata b) internal pure returns (Ctx memory c) {
        uint256 p;
        uint256 len = b.length;
        assembly ("memory-safe") {
            p := mload(0x40)
            calldatacopy(p, b.offset, len)
            mstore(0x40, add(p, len))
        }
        return _unpackAt(p, p + len);
    }

    // pack's bytes in memory (a library's answer): read in place (b is not to be used after).
    function unpackMem(bytes memory b) internal pure returns (Ctx memory c) {
        uint256 p;
        assembly ("memory-safe") {
            p := add(b, 32)
        }
        return _unpackAt(p, p + b.length);
    }

    function _unpackAt(uint256 p, uint256 end) private pure returns (Ctx memory c) {
        if (end - p < 32 * PACK_HEADER || (end - p) % 32 != 0) revert BadShape();
        ZkCp.Log memory g = c.z.g;
        c.st = bytes32(_mword(p));
        c.pos = _mword(p + 32);
        c.nCom = _mword(p + 64);
        c.nOpen = _mword(p + 96);
        c.nSeg = _mword(p + 128);
        g.ns = _mword(p + 160);
        g.nped = _mword(p + 192);
        g.plen = _mword(p + 224);
        g.nprod = _mword(p + 256);
        g.zlen = _mword(p + 288);
        g.nzero = _mword(p + 320);
        g.s0 = _mword(p + 352);
        g.ped0 = _mword(p + 384);
        c.z.prm.b = _mword(p + 416);
        c.z.prm.cap = _mword(p + 448);
        p += 32 * PACK_HEADER;
        (c.comX, p) = _arrAt(p, end);
        (c.comY, p) = _arrAt(p, end);
        (c.comVars, p) = _arrAt(p, end);
        (c.openCom, p) = _arrAt(p, end);
        (c.segCom, p) = _arrAt(p, end);
        (c.segVars, p) = _arrAt(p, end);
        (c.segTableLog, p) = _arrAt(p, end);
        (g.s, p) = _arrAt(p, end);
        (g.peds, p) = _arrAt(p, end);
        (g.prods, p) = _arrAt(p, end);
        (g.zeros, p) = _arrAt(p, end);
        (c.z.prm.gens, p) = _arrAt(p, end);
        (c.z.chunks, p) = _arrAt(p, end);
        (c.openPoint, p) = _arrsAt(p, end);
        (c.openForm, p) = _arrsAt(p, end);
        uint256 nt;
        (nt, p) = _wordAt(p, end);
        if (nt > (end - p) / 32) revert BadShape();
        c.claims = new ZkTypes.ZkClaim[][](nt);
        for (uint256 t = 0; t < nt; ++t) (c.claims[t], p) = _claimsAt(p, end);
        (c.outClaims, p) = _claimsAt(p, end);
        if (p != end) revert BadShape();
    }

    function _arrWords(uint256[] memory a) private pure returns (uint256) {
        return 1 + a.length;
    }

    function _arrsWords(uint256[][] memory a) private pure returns (uint256 n) {
        n = 1;
        for (uint256 i = 0; i < a.length; ++i) n += 1 + a[i].length;
    }

    function _claimsWords(ZkTypes.ZkClaim[] memory cl) private pure returns (uint256 n) {
        n = 1;
        for (uint256 i = 0; i < cl.length; ++i) n += 2 + cl[i].point.length + cl[i].form.length;
    }

    function _putWord(uint256 p, uint256 x) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(p, x)
        }
        return p + 32;
    }

    // a's length and words at p (one mcopy).
    function _putArr(uint256 p, uint256[] memory a) private pure returns (uint256 q) {
        assembly ("memory-safe") {
            let n := shl(5, add(mload(a), 1))
            mcopy(p, a, n)
            q := add(p, n)
        }
    }

    function _putArrs(uint256 p, uint256[][] memory a) private pure returns (uint256) {
        p = _putWord(p, a.length);
        for (uint256 i = 0; i < a.length; ++i) p = _putArr(p, a[i]);
        return p;
    }

    function _putClaims(uint256 p, ZkTypes.ZkClaim[] memory cl) private pure returns (uint256) {
        p = _putWord(p, cl.length);
        for (uint256 i = 0; i < cl.length; ++i) {
            p = _putArr(p, cl[i].point);
            p = _putArr(p, cl[i].form);
        }
        return p;
    }

    function _mword(uint256 p) private pure returns (uint256 x) {
        assembly ("memory-safe") {
            x := mload(p)
        }
    }

    function _wordAt(uint256 p, uint256 end) private pure returns (uint256 x, uint256) {
        if (p + 32 > end) revert BadShape();
        assembly ("memory-safe") {
            x := mload(p)
        }
        return (x, p + 32);
    }

    // The array whose length word is at p: a view (no copy).
    function _arrAt(uint256 p, uint256 end) private pure returns (uint256[] memory a, uint256) {
        if (p + 32 > end) revert BadShape();
        uint256 n;
        assembly ("memory-safe") {
            n := mload(p)
        }
        if (n > (end - p - 32) / 32) revert BadShape();
        assembly ("memory-safe") {
            a := p
        }
        return (a, p + 32 + 32 * n);
    }

    function _arrsAt(uint256 p, uint256 end) private pure returns (uint256[][] memory a, uint256) {
        uint256 k;
        (k, p) = _wordAt(p, end);
        if (k > (end - p) / 32) revert BadShape();
        assembly ("memory-safe") {
            a := mload(0x40)
            mstore(a, k)
            mstore(0x40, add(a, shl(5, add(k, 1))))
        }
        for (uint256 i = 0; i < k; ++i) (a[i], p) = _arrAt(p, end);
        return (a, p);
    }

    function _claimsAt(uint256 p, uint256 end) private pure returns (ZkTypes.ZkClaim[] memory cl, uint256) {
        uint256 k;
        (k, p) = _wordAt(p, end);
        if (k > (end - p) / 64) revert BadShape();
        uint256 s;
        assembly ("memory-safe") {
            // k pointers, then k structs of two words (point, form)
            cl := mload(0x40)
            mstore(cl, k)
            s := add(cl, shl(5, add(k, 1)))
            mstore(0x40, add(s, shl(6, k)))
        }
        for (uint256 i = 0; i < k; ++i) {
            uint256[] memory pt;
            uint256[] memory fm;
            (pt, p) = _arrAt(p, end);
            (fm, p) = _arrAt(p, end);
            assembly ("memory-safe") {
                let q := add(s, shl(6, i))
                mstore(q, pt)
                mstore(add(q, 32), fm)
                mstore(add(cl, shl(5, add(i, 1))), q)
            }
        }
        return (cl, p);
    }

    // ---- the log ----

    // Room for ROOM more words in each of the log's arrays (a copy).
    function roomy(ZkCp.Log memory g) internal pure {
        roomyFor(g, ROOM);
    }

    // Room for `room` more words in each of the log's arrays (a copy).
    function roomyFor(ZkCp.Log memory g, uint256 room) internal pure {
        g.s = _widen(g.s, g.ns - g.s0, room);
        g.peds = _widen(g.peds, 2 * (g.nped - g.ped0), room);
        g.prods = _widen(g.prods, g.plen, room);
        g.zeros = _widen(g.zeros, g.zlen, room);
    }

    // Each array's length set to the words used.
    function trim(ZkCp.Log memory g) internal pure {
        _setLen(g.s, g.ns - g.s0);
        _setLen(g.peds, 2 * (g.nped - g.ped0));
        _setLen(g.prods, g.plen);
        _setLen(g.zeros, g.zlen);
    }

    // The part of the cp context a step routine (or a node library) records into (session 17):
    // the pad parameters and chunks, and an empty log that continues z's counters. What crosses
    // the external call is then the part alone, not the whole log (whose copy in and out of every
    // call made the memory grow quadratically with the steps).
    function sub(ZkCpMatmul.Cp memory z) internal pure returns (ZkCpMatmul.Cp memory d) {
        d.prm = z.prm;
        d.chunks = z.chunks;
        ZkCp.Log memory g = z.g;
        d.g.s = new uint256[](0);
        d.g.peds = new uint256[](0);
        d.g.prods = new uint256[](0);
        d.g.zeros = new uint256[](0);
        (d.g.ns, d.g.s0) = (g.ns, g.ns);
        (d.g.nped, d.g.ped0) = (g.nped, g.nped);
        d.g.nprod = g.nprod;
        d.g.nzero = g.nzero;
    }

    // What a step routine's wrapper gives back: its part of the log, trimmed (merge reads nothing else).
    function back(ZkCpMatmul.Cp memory z) internal pure returns (ZkCpMatmul.Cp memory d) {
        d.g = z.g;
        trim(d.g);
    }

    // z's log with the part d (sub(z), recorded into since) appended in place (its arrays grown
    // geometrically: ZkCp.fit).
    function merge(ZkCpMatmul.Cp memory z, ZkCpMatmul.Cp memory d) internal pure {
        ZkCp.Log memory g = z.g;
        ZkCp.Log memory e = d.g;
        if (e.s0 != g.ns || e.ped0 != g.nped || e.ns < e.s0 || e.nped < e.ped0 || e.nprod < g.nprod || e.nzero < g.nzero) revert BadShape();
        uint256 ds = e.ns - e.s0;
        uint256 dp = 2 * (e.nped - e.ped0);
        uint256 us = g.ns - g.s0;
        uint256 up = 2 * (g.nped - g.ped0);
        g.s = _append(ZkCp.fit(g.s, us, us + ds), us, e.s, ds);
        g.peds = _append(ZkCp.fit(g.peds, up, up + dp), up, e.peds, dp);
        g.prods = _append(ZkCp.fit(g.prods, g.plen, g.plen + e.plen), g.plen, e.prods, e.plen);
        g.zeros = _append(ZkCp.fit(g.zeros, g.zlen, g.zlen + e.zlen), g.zlen, e.zeros, e.zlen);
        g.ns = e.ns;
        g.nped = e.nped;
        g.plen += e.plen;
        g.nprod = e.nprod;
        g.zlen += e.zlen;
        g.nzero = e.nzero;
    }

    // a with n words of b written at a[at..) (a has room).
    function _append(uint256[] memory a, uint256 at, uint256[] memory b, uint256 n) private pure returns (uint256[] memory) {
        if (n > b.length || at + n > a.length) revert BadShape();
        assembly ("memory-safe") {
            mcopy(add(add(a, 32), shl(5, at)), add(b, 32), shl(5, n))
        }
        return a;
    }

    function _widen(uint256[] memory a, uint256 used, uint256 room) private pure returns (uint256[] memory b) {
        if (used > a.length) revert BadShape();
        b = new uint256[](used + room);
        assembly ("memory-safe") {
            mcopy(add(b, 32), add(a, 32), shl(5, used))
        }
    }

    function _setLen(uint256[] memory a, uint256 n) private pure {
        if (n > a.length) revert BadShape();
        assembly ("memory-safe") {
            mstore(a, n)
        }
    }

    function _push(uint256[] memory a, uint256 i, uint256 v) private pure returns (uint256[] memory) {
        if (i == a.length) {
            uint256[] memory b = new uint256[](2 * i + 8);
            assembly ("memory-safe") {
                mcopy(add(b, 32), add(a, 32), shl(5, i))
            }
            a = b;
        }
        a[i] = v;
        return a;
    }

    // ---- the opening ----

    struct Open {
        uint256 nh;
        uint256 n;
        uint256[] coms;     // commitment of each handle (order of first claim)
        uint256[] numVars;  // per handle
        uint256[] claimCom; // handle of each claim
        ZkTypes.ZkClaim[] claims;
    }

    function _handles(Ctx memory c) private pure returns (Open memory o) {
        uint256[] memory handleOf = new uint256[](c.nCom);  // handle + 1, 0: none
        o.coms = new uint256[](c.nCom);
        o.claimCom = new uint256[](c.nOpen);
        o.claims = new ZkTypes.ZkClaim[](c.nOpen);
        for (uint256 i = 0; i < c.nOpen; ++i) {
            uint256 com = c.openCom[i];
            if (com >= c.nCom) revert BadShape();
            uint256 h = handleOf[com];
            if (h == 0) {
                o.coms[o.nh++] = com;
                h = o.nh;
                handleOf[com] = h;
            }
            o.claimCom[i] = h - 1;
            o.claims[i] = ZkTypes.ZkClaim(c.openPoint[i], c.openForm[i]);
        }
        o.numVars = new uint256[](o.nh);
        for (uint256 h = 0; h < o.nh; ++h) {
            o.numVars[h] = c.comVars[o.coms[h]];
            if (o.numVars[h] > o.n) o.n = o.numVars[h];
        }
        if (o.n == 0) revert BadShape();
    }

    // The batch opening in zero-knowledge mode (see the file comment); key: ZkHyperKzg's 32 words;
    // rows: the key's weight rows (key version 9, ZkCpEnd.combineRows' layout; empty: none). A
    // commitment in rows is opened as its rows' combination at rho[L..n), of L variables; the batch's
    // first group is at rho[0..N'), N' the largest such opening size (pcs/kzg_scheme.cc open_vars).
    function opening(Ctx memory c, uint256[] calldata w, uint256[] memory key, bytes memory rows) internal view returns (bool) {
        if (c.nOpen == 0) revert BadShape();  // (every model of a zero-knowledge proof opens something)
        Open memory o = _handles(c);
        {
            // the reduction's slots (2N + K), its final check (every claim's terms, 2N + K more) and
            // the K bindings (a form of two terms and a point each), with margin
            uint256 terms;
            for (uint256 i = 0; i < c.nOpen; ++i) terms += c.openForm[i][1];
            uint256 need = 2 * terms + 8 * o.n + 8 * o.nh + 16;
            // (session 18) each array its own room (slots 2N + K, claims K, no products): the
            // frame's memory was four copies of the largest
            ZkCp.Log memory g = c.z.g;
            g.s = _widen(g.s, g.ns - g.s0, 2 * o.n + o.nh + ROOM);
            g.peds = _widen(g.peds, 2 * (g.nped - g.ped0), 2 * o.nh + ROOM);
            g.prods = _widen(g.prods, g.plen, ROOM);
            g.zeros = _widen(g.zeros, g.zlen, need > ROOM ? need : ROOM);
        }
        ZkCpReduction.Res memory r = ZkCpReduction.verifyReduction(c.st, c.z, o.numVars, o.claimCom, o.claims, w[c.pos:]);
        bool ok = r.ok;
        bytes32 st = r.st;
        uint256 p = c.pos + r.p;
        uint256[] memory items = new uint256[]((o.nh + 1) * ZkHyperKzg.ITEM_WORDS);
        // each handle's commitment and opening size (o.numVars becomes e_c: L for a row commitment)
        for (uint256 h = 0; h < o.nh; ++h) {
            items[5 * h] = c.comX[o.coms[h]];
            items[5 * h + 1] = c.comY[o.coms[h]];
        }
        if (rows.length != 0) {
            uint256[] memory rc = ZkCpEnd.combineRows(rows, r.rho);
            for (uint256 k = 0; k < rc.length; k += 4)
                for (uint256 h = 0; h < o.nh; ++h)
                    if (o.coms[h] == rc[k]) {
                        if (o.numVars[h] <= rc[k + 3]) revert BadShape();
                        (items[5 * h], items[5 * h + 1], o.numVars[h]) = (rc[k + 1], rc[k + 2], rc[k + 3]);
                    }
        }
        uint256 n;
        for (uint256 h = 0; h < o.nh; ++h) if (o.numVars[h] > n) n = o.numVars[h];
        // suf[j] = prod_{j <= j' < N'} (1 - rho_j'): the value of F_c widened to N' variables is
        // s_c F_c, s_c = suf[e_c] (pcs/kzg_scheme.cc padded_values), bound to a Pedersen commitment.
        uint256[] memory suf = new uint256[](n + 1);
        suf[n] = 1;
        for (uint256 j = n; j > 0; --j) suf[j - 1] = mulmod(suf[j], addmod(1, R - r.rho[j - 1], R), R);
        for (uint256 h = 0; h < o.nh; ++h) {
            uint256 s = suf[o.numVars[h]];
            if (s == 0) revert BadShape();  // (a coordinate of rho equal to 1: probability about N / R)
            uint256[] memory f = ZkCpMatmul.single(r.evals0 + h);
            f[3] = s;
            if (p + 2 > w.length) revert BadShape();
            (st,) = ZkCp.bindClaim(st, c.z.g, f, 0, w, p);
            items[5 * h + 2] = 1;
            items[5 * h + 3] = w[p];
            items[5 * h + 4] = w[p + 1];
            p += 2;
        }
        trim(c.z.g);
        ZkCp.Out memory e;
        uint256 used;
        bool ok2;
        {
            Ctx memory x;
            x.st = st;
            x.z = c.z;
            (st, ok2, e, used) = ZkCpEnd.finish(pack(x), ZkDriver.tail(w, p));
        }
        if (!ok || !ok2) return false;
        p += used;
        uint256 ng = e.nu > 0 ? 2 : 1;
        uint256[][] memory zs = new uint256[][](ng);
        uint256[] memory counts = new uint256[](ng);
        zs[0] = r.rho;
        if (n < r.rho.length) _setLen(zs[0], n);  // rho[0..N') (rho is not read after)
        counts[0] = o.nh;
        uint256 words = ZkHyperKzg.groupWords(n) + 2;
        if (e.nu > 0) {
            uint256 k = 5 * o.nh;
            items[k] = e.cstar[0];
            items[k + 1] = e.cstar[1];
            items[k + 2] = 1;
            items[k + 3] = e.v[0];
            items[k + 4] = e.v[1];
            zs[1] = e.point;
            counts[1] = 1;
            words += ZkHyperKzg.groupWords(e.nu);
        } else {
            _setLen(items, 5 * o.nh);
        }
        if (p + words != w.length) revert BadShape();  // the opening is the proof's end
        (st, ok) = ZkHyperKzg.verifyGroups(st, key, zs, counts, items, w[p:]);
        c.st = st;
        c.pos = w.length;
        return ok;
    }
}
