// SPDX-License-Identifier: UNLICENSED
// The end section of zkinfer's commit-and-prove values (src/zk/cp.{h,cc}, `Context::finish`,
// verifier side, kzg pads of key version 8: docs/protocol/kzg.md section 5), on the EVM.
//
// In zero-knowledge mode every message is sent as s_j = x_j + m_j (m_j: the pad of slot j, the
// message's rank in the order the transcript absorbed it); the verifier's values are affine forms
// over the hidden x_j, the product values and the Pedersen-committed claims P_l. The step routines
// record their products (two factor forms each) and equalities (one form each, = 0) in a `Rel`
// (docs/protocol/evm.md section 4.1: option (a), small sparse forms); `finish` then runs the end
// section in cp.cc's order:
//   1. the K product values as padded messages ("cp.product"; product k is slot n0 + k, n0 the
//      slots used before the end section);
//   2. the product sumcheck: tau ("cp.prod.tau"), rounds p(0), p(2), p(3) as padded messages
//      ("cp.prod.round", "cp.prod.r"); its final check with Hyrax's proof of product
//      ("cp.prod.abc", "cp.prod.alpha", "cp.prod.e", "cp.prod.z") unless a factor is public;
//   3. every equality batched with powers of rho ("cp.zero.rho") into one dense form
//      D = c + sum_j W_j x_j + sum_l b_l p_l; with x_j = s_j - m_j: <W, m> = T0 + sum_l b_l p_l,
//      T0 = c + sum_j W_j s_j;
//   4. the pad sumcheck sum_y sum_k W_k(y) m_k(y) over P variables, its messages padded by a short
//      committed pad C2 ("cp.pad2", "cp.pad.round", "cp.pad.r"), ending in V ("cp.pad.claim");
//   5. Hyrax's proof of dot product over C2 ("cp.dot.delta", "cp.dot.e", "cp.dot.z"): two group
//      equations over the generators G_0..G_{b2-1}, U, H of cp's Pedersen parameters;
//   6. the pad opening: C* = sum_k W_k(r') C_k at r' with the committed claim V, returned for the
//      caller's HyperKZG batch (ZkHyperKzg.verifyGroups, a group of its own).
//
// Forms are flat words: [c, n, atom_0, coeff_0, .., atom_{n-1}, coeff_{n-1}], atom = kind << 30 |
// index: kind 0 a message (index: its slot, < n0), 1 a product (its index; slot n0 + index),
// 2 a Pedersen claim (its index in `peds`). Coefficients and constants are canonical.
// Differentially tested against cp.cc by evm_zk_test (tools/evm/evm_zk_test.cc).
pragma solidity ^0.8.24;

import {ZkBn254} from "./ZkBn254.sol";
import {ZkTranscript} from "./ZkTranscript.sol";

library ZkCp {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant INV2 = 0x183227397098d014dc2822db40c0ac2e9419f4243cdcb848a1f0fac9f8000001;
    uint256 private constant INV6 = 0x285396b510feb022c442e4c2c1411ef84c2b4191bac53323b891a1fb48000001;

    uint256 internal constant KIND_SHIFT = 30;
    uint256 internal constant INDEX_MASK = (1 << 30) - 1;

    uint256 internal constant L_PRODUCT = uint256(bytes32("cp.product")) | 10;
    uint256 internal constant L_PROD_TAU = uint256(bytes32("cp.prod.tau")) | 11;
    uint256 internal constant L_PROD_ROUND = uint256(bytes32("cp.prod.round")) | 13;
    uint256 internal constant L_PROD_R = uint256(bytes32("cp.prod.r")) | 9;
    uint256 internal constant L_PROD_ABC = uint256(bytes32("cp.prod.abc")) | 11;
    uint256 internal constant L_PROD_ALPHA = uint256(bytes32("cp.prod.alpha")) | 13;
    uint256 internal constant L_PROD_E = uint256(bytes32("cp.prod.e")) | 9;
    uint256 internal constant L_PROD_Z = uint256(bytes32("cp.prod.z")) | 9;
    uint256 internal constant L_ZERO_RHO = uint256(bytes32("cp.zero.rho")) | 11;
    uint256 internal constant L_PAD2 = uint256(bytes32("cp.pad2")) | 7;
    uint256 internal constant L_PAD_ROUND = uint256(bytes32("cp.pad.round")) | 12;
    uint256 internal constant L_PAD_R = uint256(bytes32("cp.pad.r")) | 8;
    uint256 internal constant L_PAD_CLAIM = uint256(bytes32("cp.pad.claim")) | 12;
    uint256 internal constant L_DOT_DELTA = uint256(bytes32("cp.dot.delta")) | 12;
    uint256 internal constant L_DOT_E = uint256(bytes32("cp.dot.e")) | 8;
    uint256 internal constant L_DOT_Z = uint256(bytes32("cp.dot.z")) | 8;

    error BadForm(uint256 where);
    error NonCanonical();

    // What the step routines recorded (see the file comment).
    struct Rel {
        uint256[] s;       // the padded value of every slot absorbed so far (n0 = s.length)
        uint256[] chunks;  // the pad chunks' commitments C_k, (x, y) pairs (the proof's header)
        uint256[] peds;    // the Pedersen-committed claims P_l, (x, y) pairs
        uint256[] prods;   // per product its two factor forms X, Y
        uint256 nprod;
        uint256[] zeros;   // the recorded equalities (forms that must be zero)
        uint256 nzero;
    }

    // The key's part: the pad chunks' shape (log2 of the first chunk's length b, and cap: the SRS's
    // max_vars; chunk k holds 2^(b+k) pads up to 2^cap, then 2^cap each) and cp's Pedersen
    // generators as (x, y) pairs: U, H, G_0, G_1, ...
    struct Params {
        uint256 b;
        uint256 cap;
        uint256[] gens;
    }

    // The pad opening for the caller's batch (nu == 0: nothing hidden was sent, no opening).
    struct Out {
        uint256 nu;
        uint256[] point;  // r'
        uint256[2] cstar;  // C* = sum_k W_k(r') C_k
        uint256[2] v;      // the committed claim V
    }

    // A dense affine form: c + sum msg[j] x_j (by slot) + sum ped[l] p_l.
    struct Dense {
        uint256 c;
        uint256[] msg;
        uint256[] ped;
    }

    // Working state.
    struct W {
        bytes32 st;
        uint256 p;       // proof cursor (words)
        uint256[] s;     // padded values by slot, the end section's included
        uint256 n;       // slots used
        uint256 n0;      // slots before the end section
        uint256 np;      // products
        uint256 nped;    // Pedersen claims before the end section
        uint256[] peds;  // their points, then the proof of product's A, B, C
        bool bad;        // a rejection (the verdict is false)
        // the product section's equalities, added after rho is known
        uint256 kappa;
        uint256[] ecoef;  // e's coefficients on the product rounds' slots
        uint256[] er;     // eq(r, k)
        uint256 eqTr;
        bool hidden;      // both factors hidden: the proof of product ran
        Dense dx;
        Dense dy;
    }

    // ---- recording (the step routines' zero-knowledge mode) ----

    // A Rel under construction: arrays allocated with room (cap words each) and the words used.
    struct Log {
        uint256[] s;       // padded values by slot
        uint256 ns;
        uint256[] peds;    // (x, y) pairs
        uint256 nped;
        uint256[] prods;
        uint256 plen;
        uint256 nprod;
        uint256[] zeros;
        uint256 zlen;
        uint256 nzero;
        // A part of a log (session 17, ZkCpDriver.sub / merge: what one step or node library
        // records, crossing its external call alone): s holds slots s0.., peds Pedersen claims
        // ped0.. (ns, nped, nprod, nzero count from the whole log's start; prods and zeros hold
        // only the part's words). 0, 0: a whole log.
        uint256 s0;
        uint256 ped0;
    }

    error LogFull();

    function newLog(uint256 cap) internal pure returns (Log memory g) {
        g.s = new uint256[](cap);
        g.peds = new uint256[](cap);
        g.prods = new uint256[](cap);
        g.zeros = new uint256[](cap);
    }

    function _trim(uint256[] memory a, uint256 n) private pure {
        assembly ("memory-safe") {
            mstore(a, n)
        }
    }

    // The Rel of a finished log (its arrays shortened in place) with the proof's chunk commitments.
    function rel(Log memory g, uint256[] memory chunks) internal pure returns (Rel memory r) {
        if (g.s0 != 0 || g.ped0 != 0) revert LogFull();  // (a part of a log)
        _trim(g.s, g.ns);
        _trim(g.peds, 2 * g.nped);
        _trim(g.prods, g.plen);
        _trim(g.zeros, g.zlen);
        r.s = g.s;
        r.chunks = chunks;
        r.peds = g.peds;
        r.prods = g.prods;
        r.nprod = g.nprod;
        r.zeros = g.zeros;
        r.nzero = g.nzero;
    }

    // The log grows on demand (session 17): an array a whose `used` words are filled and which
    // must hold `need` words is replaced, when shorter, by a copy of length 2 need (callers give it
    // room first, ZkCpDriver.roomy; this only keeps a larger step than that room from reverting).
    function fit(uint256[] memory a, uint256 used, uint256 need) internal pure returns (uint256[] memory b) {
        if (need <= a.length) return a;
        if (used > a.length) revert LogFull();
        b = new uint256[](2 * need);
        assembly ("memory-safe") {
            mcopy(add(b, 32), add(a, 32), shl(5, used))
        }
    }

    function put(uint256[] memory a, uint256 at, uint256 v) internal pure returns (uint256) {
        if (at >= a.length) revert LogFull();
        a[at] = v;
        return at + 1;
    }

    // Padded messages absorbed together under one label (absorb_many of cp Vals: each value's
    // word, followed by its chunk's commitment when its slot starts a chunk); their slots are the
    // next ones. ok = false when a chunk is missing from the header.
    function absorbMessages(
        bytes32 st,
        Log memory g,
        Params memory prm,
        uint256[] memory chunks,
        uint256 lbl,
        uint256[] calldata vals
    ) internal pure returns (bytes32, bool ok) {
        g.s = fit(g.s, g.ns - g.s0, g.ns - g.s0 + vals.length);
        bytes memory buf;
        (buf, ok) = _messageWords(g, prm, chunks, vals);
        // (the values were checked canonical; the commitments' words need not be < R)
        st = ZkTranscript.absorbBytes(st, lbl, buf);
        assembly ("memory-safe") {
            mstore(0x40, buf)  // (the words' buffer released)
        }
        return (st, ok);
    }

    // absorbMessages' words (session 18): the values stored at their slots and copied into a buffer
    // with each chunk's commitment word after the value that starts it, run by run between chunk
    // starts (the next start tracked, not chunkOf per slot); ok = false when a chunk is missing.
    function _messageWords(Log memory g, Params memory prm, uint256[] memory chunks, uint256[] calldata vals)
        private
        pure
        returns (bytes memory buf, bool ok)
    {
        uint256 slot = g.ns;
        uint256 end = slot + vals.length;
        uint256 k = chunkOf(prm.b, prm.cap, slot);
        uint256 next = chunkStart(prm.b, prm.cap, k);
        if (next < slot) next = chunkStart(prm.b, prm.cap, ++k);
        uint256 dst;
        uint256 out;
        uint256 src = 0;
        {
            uint256[] memory sa = g.s;
            uint256 s0 = g.s0;
            assembly ("memory-safe") {
                buf := mload(0x40)
                mstore(0x40, add(buf, add(32, shl(6, vals.length))))
                out := add(buf, 32)
                dst := add(add(sa, 32), shl(5, sub(slot, s0)))
                src := vals.offset
            }
        }
        ok = true;
        bool bad;
        while (slot < end) {
            uint256 upto = next < end ? next + 1 : end;
            assembly ("memory-safe") {
                let e := add(src, shl(5, sub(upto, slot)))
                for {} lt(src, e) { src := add(src, 32) } {
                    let v := calldataload(src)
                    bad := or(bad, iszero(lt(v, R)))
                    mstore(dst, v)
                    mstore(out, v)
                    dst := add(dst, 32)
                    out := add(out, 32)
                }
            }
            if (upto == next + 1) {
                if (2 * k + 1 >= chunks.length) {
                    ok = false;
                } else {
                    uint256 cw = ZkTranscript.g1Word(chunks[2 * k], chunks[2 * k + 1]);
                    assembly ("memory-safe") {
                        mstore(out, cw)
                        out := add(out, 32)
                    }
                }
                next = chunkStart(prm.b, prm.cap, ++k);
            }
            slot = upto;
        }
        if (bad) revert NonCanonical();
        g.ns = end;
        assembly ("memory-safe") {
            mstore(buf, sub(out, add(buf, 32)))
        }
    }

    // A product of two hidden forms: appends X and Y (flat forms at x[xa..], y[ya..]); returns its
    // atom.
    function recordProduct(Log memory g, uint256[] memory x, uint256 xa, uint256[] memory y, uint256 ya)
        internal
        pure
        returns (uint256 atom)
    {
        g.prods = fit(g.prods, g.plen, g.plen + 4 + 2 * (x[xa + 1] + y[ya + 1]));
        g.plen = _copyForm(g.prods, g.plen, x, xa);
        g.plen = _copyForm(g.prods, g.plen, y, ya);
        atom = (1 << KIND_SHIFT) | g.nprod;
        ++g.nprod;
    }

    // An equality (the flat form at f[fa..] must be zero).
    function recordZero(Log memory g, uint256[] memory f, uint256 fa) internal pure {
        g.zeros = fit(g.zeros, g.zlen, g.zlen + 2 + 2 * f[fa + 1]);
        g.zlen = _copyForm(g.zeros, g.zlen, f, fa);
        ++g.nzero;
    }

    function _copyForm(uint256[] memory dst, uint256 at, uint256[] memory f, uint256 fa) private pure returns (uint256) {
        uint256 len = 2 + 2 * f[fa + 1];
        if (at + len > dst.length) revert LogFull();
        if (fa + len > f.length) revert BadForm(5);
        assembly ("memory-safe") {
            mcopy(add(add(dst, 32), shl(5, at)), add(add(f, 32), shl(5, fa)), shl(5, len))
        }
        return at + len;
    }

    uint256 internal constant L_CLAIM = uint256(bytes32("cp.claim")) | 8;

    // bind_claim: a hidden claim (the flat form at f[fa..]) bound to a Pedersen commitment P read
    // from pf[p], pf[p + 1] and absorbed ("cp.claim"); records f - P = 0. Returns P's index.
    function bindClaim(bytes32 st, Log memory g, uint256[] memory f, uint256 fa, uint256[] calldata pf, uint256 p)
        internal
        pure
        returns (bytes32, uint256 l)
    {
        uint256 x = pf[p];
        uint256 y = pf[p + 1];
        st = ZkTranscript.absorbG1(st, L_CLAIM, x, y);
        l = g.nped++;
        uint256 pl = 2 * (l - g.ped0);
        g.peds = fit(g.peds, pl, pl + 2);
        put(g.peds, pl, x);
        put(g.peds, pl + 1, y);
        uint256 nt = f[fa + 1];
        uint256 len = 2 + 2 * nt;
        g.zeros = fit(g.zeros, g.zlen, g.zlen + len + 2);
        uint256[] memory z = g.zeros;
        uint256 at = g.zlen;
        if (fa + len > f.length) revert BadForm(5);
        assembly ("memory-safe") {
            mcopy(add(add(z, 32), shl(5, at)), add(add(f, 32), shl(5, fa)), shl(5, len))
        }
        z[at + 1] = nt + 1;
        z[at + len] = (2 << KIND_SHIFT) | l;
        z[at + len + 1] = R - 1;
        g.zlen = at + len + 2;
        ++g.nzero;
        return (st, l);
    }

    // ---- the pad chunks (cp.cc's Chunks) ----

    function chunkStart(uint256 b, uint256 cap, uint256 k) internal pure returns (uint256) {
        uint256 d = cap - b;
        if (k <= d + 1) return (1 << (b + k)) - (1 << b);
        return ((1 << (cap + 1)) - (1 << b)) + ((k - d - 1) << cap);
    }

    function chunkOf(uint256 b, uint256 cap, uint256 slot) internal pure returns (uint256) {
        uint256 geo = (1 << (cap + 1)) - (1 << b);
        if (slot < geo) {
            uint256 v = (slot >> b) + 1;
            uint256 w = 0;
            while (v > 0) {
                v >>= 1;
                ++w;
            }
            return w - 1;
        }
        return cap - b + 1 + ((slot - geo) >> cap);
    }

    function _ceilLog2(uint256 n) private pure returns (uint256 k) {
        while ((1 << k) < n) ++k;
    }

    // ---- reading ----

    function _scalar(W memory w, uint256[] calldata pf) private pure returns (uint256 x) {
        x = pf[w.p++];
        if (x >= R) revert NonCanonical();
    }

    // A padded message of the end section: the next slot; absorbed with its chunk's commitment when
    // it starts one (the v2 bytes of the pair: s, then the commitment's word).
    function _message(W memory w, Params memory prm, uint256[] memory chunks, uint256 lbl, uint256[] calldata pf)
        private
        pure
        returns (uint256 s)
    {
        s = _scalar(w, pf);
        uint256 slot = w.n++;
        w.s[slot] = s;
        uint256 k = chunkOf(prm.b, prm.cap, slot);
        if (chunkStart(prm.b, prm.cap, k) == slot) {
            if (2 * k + 1 >= chunks.length) {
                w.bad = true;  // more messages than pad chunks
                return s;
            }
            w.st = ZkTranscript.absorbBytes(
                w.st, lbl, abi.encodePacked(s, ZkTranscript.g1Word(chunks[2 * k], chunks[2 * k + 1]))
            );
        } else {
            w.st = ZkTranscript.absorbFr(w.st, lbl, s);
        }
    }

    function _point(W memory w, uint256 lbl, uint256[] calldata pf) private pure returns (uint256 x, uint256 y) {
        x = pf[w.p];
        y = pf[w.p + 1];
        w.p += 2;
        w.st = ZkTranscript.absorbG1(w.st, lbl, x, y);
    }

    // n scalars absorbed together (absorb_many).
    function _scalars(W memory w, uint256 lbl, uint256 n, uint256[] calldata pf) private pure returns (uint256[] memory xs) {
        uint256[] calldata sl = pf[w.p:w.p + n];
        w.st = ZkTranscript.absorbFrsCd(w.st, lbl, sl);
        xs = sl;
        w.p += n;
    }

    function _challenge(W memory w, uint256 lbl) private pure returns (uint256 c) {
        (w.st, c) = ZkTranscript.challenge(w.st, lbl);
    }

    // ---- forms ----

    function _newDense(uint256 nmsg, uint256 nped) private pure returns (Dense memory d) {
        d.msg = new uint256[](nmsg);
        d.ped = new uint256[](nped);
    }

    // d += k * form (the form at forms[at..]); returns the position after it. (One assembly loop
    // over the terms: the end section's hottest field work.)
    function _add(Dense memory d, W memory w, uint256[] memory forms, uint256 at, uint256 k) private pure returns (uint256) {
        uint256 nt = forms[at + 1];
        d.c = addmod(d.c, mulmod(forms[at], k, R), R);
        uint256 end = at + 2 + 2 * nt;
        if (end > forms.length) revert BadForm(1);
        uint256[] memory dm = d.msg;
        uint256[] memory dp = d.ped;
        uint256 n0 = w.n0;
        uint256 np = w.np;
        bool bad;
        assembly ("memory-safe") {
            let fp := add(forms, shl(5, add(at, 3)))
            let fe := add(forms, shl(5, add(end, 1)))
            let dmp := add(dm, 32)
            let dpp := add(dp, 32)
            let npd := mload(dp)
            for {} lt(fp, fe) { fp := add(fp, 64) } {
                let atom := mload(fp)
                let kind := shr(30, atom)
                let idx := and(atom, 0x3fffffff)
                let slot := 0
                switch kind
                case 0 {
                    if iszero(lt(idx, n0)) { bad := 1 }
                    slot := add(dmp, shl(5, idx))
                }
                case 1 {
                    if iszero(lt(idx, np)) { bad := 1 }
                    slot := add(dmp, shl(5, add(n0, idx)))
                }
                case 2 {
                    if iszero(lt(idx, npd)) { bad := 1 }
                    slot := add(dpp, shl(5, idx))
                }
                default { bad := 1 }
                if bad { break }
                mstore(slot, addmod(mload(slot), mulmod(mload(add(fp, 32)), k, R), R))
            }
        }
        if (bad) revert BadForm(2);
        return end;
    }

    // d += k * e (a dense form; e's arrays no longer than d's).
    function _addDense(Dense memory d, Dense memory e, uint256 k) private pure {
        d.c = addmod(d.c, mulmod(e.c, k, R), R);
        _axpy(d.msg, e.msg, k);
        _axpy(d.ped, e.ped, k);
    }

    // y += k x over x's length (zero entries skipped).
    function _axpy(uint256[] memory y, uint256[] memory x, uint256 k) private pure {
        if (x.length > y.length) revert BadForm(3);
        assembly ("memory-safe") {
            let n := mload(x)
            let xp := add(x, 32)
            let yp := add(y, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let v := mload(add(xp, shl(5, i)))
                if v {
                    let q := add(yp, shl(5, i))
                    mstore(q, addmod(mload(q), mulmod(v, k, R), R))
                }
            }
        }
    }

    function _neg(uint256 a) private pure returns (uint256) {
        return a == 0 ? 0 : R - a;
    }

    // sum_{j < n} a_j b_j (mod R).
    function _inner(uint256[] memory a, uint256[] memory b, uint256 n) private pure returns (uint256 acc) {
        if (n > a.length || n > b.length) revert BadForm(4);
        assembly ("memory-safe") {
            let ap := add(a, 32)
            let bp := add(b, 32)
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                let v := mload(add(ap, shl(5, j)))
                if v { acc := addmod(acc, mulmod(v, mload(add(bp, shl(5, j))), R), R) }
            }
        }
    }

    function _isPublic(Dense memory d) private pure returns (bool pub) {
        uint256[] memory a = d.msg;
        uint256[] memory b = d.ped;
        assembly ("memory-safe") {
            // (stops at the first non-zero coefficient)
            let any := 0
            let e := add(add(a, 32), shl(5, mload(a)))
            for { let q := add(a, 32) } and(lt(q, e), iszero(any)) { q := add(q, 32) } { any := mload(q) }
            e := add(add(b, 32), shl(5, mload(b)))
            for { let q := add(b, 32) } and(lt(q, e), iszero(any)) { q := add(q, 32) } { any := mload(q) }
            pub := iszero(any)
        }
    }

    // eq(point, x) for x in {0,1}^n, variable i the bit i of the index.
    function eqTable(uint256[] memory point) internal pure returns (uint256[] memory t) {
        t = new uint256[](1 << point.length);
        t[0] = 1;
        _expand(t, point, point.length);
    }

    // eq(point, x) for x < 2^t, t = ceil(log2 m) (at most point.length): the first entries of
    // eqTable(point) (the variables from t on are 0 in them: their factor prod_{i >= t} (1 - p_i)),
    // 2^t <= 2m entries instead of 2^n (session 16: the end section's C* needs only the slots used).
    function eqTablePrefix(uint256[] memory point, uint256 m) internal pure returns (uint256[] memory t) {
        uint256 n = point.length;
        uint256 lt = 0;
        while (lt < n && (uint256(1) << lt) < m) ++lt;
        t = new uint256[](1 << lt);
        uint256 hiFactor = 1;
        for (uint256 i = lt; i < n; ++i) hiFactor = mulmod(hiFactor, addmod(1, R - point[i], R), R);
        t[0] = hiFactor;
        _expand(t, point, lt);
    }

    // t[0..2^m) from t[0] (the rest zero): the eq table's doubling over point[0..m), in assembly.
    function _expand(uint256[] memory t, uint256[] memory point, uint256 m) private pure {
        if (m > point.length || (uint256(1) << m) > t.length) revert BadForm(7);
        assembly ("memory-safe") {
            let tp := add(t, 32)
            let h := 32
            for { let i := 0 } lt(i, m) { i := add(i, 1) } {
                let p := mload(add(add(point, 32), shl(5, i)))
                let e := add(tp, h)
                for { let q := tp } lt(q, e) { q := add(q, 32) } {
                    let a := mload(q)
                    let hi := mulmod(a, p, R)
                    mstore(add(q, h), hi)
                    mstore(q, addmod(a, sub(R, hi), R))
                }
                h := shl(1, h)
            }
        }
    }

    // ---- group equations ----

    function _mulAdd(uint256[2] memory acc, uint256[] memory pts, uint256 i, uint256 s) private view {
        if (s != 0) ZkBn254.mulAdd(acc, pts[2 * i], pts[2 * i + 1], s);
    }

    function _eqPts(uint256[2] memory a, uint256[2] memory b) private pure returns (bool) {
        return a[0] == b[0] && a[1] == b[1];
    }

    // Hyrax's proof of product: alpha_0 + e A = z0 U + z1 H, alpha_1 + e B = z2 U + z3 H,
    // alpha_2 + e C = z0 B + z4 H (abc, alpha: (x, y) x 3; U = gens[0], H = gens[1]).
    function _productProof(
        uint256[] memory gens,
        uint256[6] memory abc,
        uint256[6] memory alpha,
        uint256 e,
        uint256[] memory z
    ) private view returns (bool) {
        for (uint256 i = 0; i < 3; ++i) {
            uint256[2] memory l = [alpha[2 * i], alpha[2 * i + 1]];
            ZkBn254.mulAdd(l, abc[2 * i], abc[2 * i + 1], e);
            uint256[2] memory r;
            if (i < 2) {
                _mulAdd(r, gens, 0, z[2 * i]);
                _mulAdd(r, gens, 1, z[2 * i + 1]);
            } else {
                if (z[0] != 0) ZkBn254.mulAdd(r, abc[2], abc[3], z[0]);
                _mulAdd(r, gens, 1, z[4]);
            }
            if (!_eqPts(l, r)) return false;
        }
        return true;
    }

    // ---- the end section ----

    // Runs steps 1 to 5 from transcript state st on the proof words pf (from the first word of the
    // end section); returns the state, the verdict, the pad opening (step 6, for the caller's
    // batch) and the words read. Reverts on malformed words (a non-canonical scalar, a point off
    // the curve), as the C++ decoder rejects them.
    function finish(bytes32 st, Rel memory rel, Params memory prm, uint256[] calldata pf)
        internal
        view
        returns (bytes32, bool, Out memory o, uint256)
    {
        W memory w;
        w.st = st;
        w.n0 = rel.s.length;
        uint256 np = rel.nprod;
        w.kappa = np == 0 ? 0 : (np == 1 ? 1 : _ceilLog2(np));
        uint256 total = w.n0 + np + 3 * w.kappa;
        w.s = new uint256[](total);
        {
            uint256[] memory ws = w.s;
            uint256[] memory rs = rel.s;
            uint256 n0 = w.n0;
            assembly ("memory-safe") {
                mcopy(add(ws, 32), add(rs, 32), shl(5, n0))
            }
        }
        w.n = w.n0;
        w.nped = rel.peds.length / 2;
        w.peds = rel.peds;
        w.np = np;
        // 1. the product values
        for (uint256 k = 0; k < np; ++k) _message(w, prm, rel.chunks, L_PRODUCT, pf);
        // 2. the product sumcheck
        if (np > 0) _products(w, rel, prm, pf);
        if (w.bad) return (w.st, false, o, w.p);
        // 3. every equality, batched
        uint256 nmsg = w.n;
        uint256 nrows = rel.chunks.length / 2;
        if (nmsg == 0 ? nrows != 0 : nrows != chunkOf(prm.b, prm.cap, nmsg - 1) + 1) return (w.st, false, o, w.p);
        uint256 rho = _challenge(w, L_ZERO_RHO);
        Dense memory d = _batch(w, rel, rho);
        if (nmsg == 0) {
            bool ok = d.c == 0;
            for (uint256 l = 0; l < d.ped.length; ++l) if (d.ped[l] != 0) ok = false;
            return (w.st, ok, o, w.p);
        }
        uint256 t0 = addmod(d.c, _inner(d.msg, w.s, nmsg), R);
        bool good;
        (good, o) = _pads(w, rel, prm, d, t0, pf);
        return (w.st, good && !w.bad, o, w.p);
    }

    function _lagrange3(uint256 r) private pure returns (uint256[4] memory l) {
        uint256 r1 = addmod(r, R - 1, R);
        uint256 r2 = addmod(r, R - 2, R);
        uint256 r3 = addmod(r, R - 3, R);
        // nodes 0..3: denominators -6, 2, -2, 6
        l[0] = R - mulmod(mulmod(mulmod(r1, r2, R), r3, R), INV6, R);
        if (l[0] == R) l[0] = 0;
        l[1] = mulmod(mulmod(mulmod(r, r2, R), r3, R), INV2, R);
        l[2] = R - mulmod(mulmod(mulmod(r, r1, R), r3, R), INV2, R);
        if (l[2] == R) l[2] = 0;
        l[3] = mulmod(mulmod(mulmod(r, r1, R), r2, R), INV6, R);
    }

    function _lagrange2(uint256 r) private pure returns (uint256[3] memory l) {
        uint256 r1 = addmod(r, R - 1, R);
        uint256 r2 = addmod(r, R - 2, R);
        // nodes 0..2: denominators 2, -1, 2
        l[0] = mulmod(mulmod(r1, r2, R), INV2, R);
        l[1] = R - mulmod(r, r2, R);
        if (l[1] == R) l[1] = 0;
        l[2] = mulmod(mulmod(r, r1, R), INV2, R);
    }

    // Step 2: sum_k eq(tau, k) (X_k Y_k - Z_k) = 0, its final check (equalities kept in w for step 3).
    function _products(W memory w, Rel memory rel, Params memory prm, uint256[] calldata pf) private view {
        uint256 kappa = w.kappa;
        uint256[] memory tau = new uint256[](kappa);
        for (uint256 i = 0; i < kappa; ++i) tau[i] = _challenge(w, L_PROD_TAU);
        uint256[] memory rs = new uint256[](kappa);
        w.ecoef = new uint256[](3 * kappa);
        for (uint256 i = 0; i < kappa; ++i) {
            _message(w, prm, rel.chunks, L_PROD_ROUND, pf);
            _message(w, prm, rel.chunks, L_PROD_ROUND, pf);
            _message(w, prm, rel.chunks, L_PROD_ROUND, pf);
            uint256 ri = _challenge(w, L_PROD_R);
            rs[i] = ri;
            uint256[4] memory lw = _lagrange3(ri);
            // e' = L0 p0 + L1 (e - p0) + L2 p2 + L3 p3
            for (uint256 j = 0; j < 3 * i; ++j) w.ecoef[j] = mulmod(w.ecoef[j], lw[1], R);
            w.ecoef[3 * i] = addmod(lw[0], R - lw[1], R);
            w.ecoef[3 * i + 1] = lw[2];
            w.ecoef[3 * i + 2] = lw[3];
        }
        uint256 eqTr = 1;
        for (uint256 i = 0; i < kappa; ++i) {
            uint256 t = addmod(mulmod(tau[i], rs[i], R), mulmod(addmod(1, R - tau[i], R), addmod(1, R - rs[i], R), R), R);
            eqTr = mulmod(eqTr, t, R);
        }
        w.eqTr = eqTr;
        w.er = eqTable(rs);
        uint256 nmsg = w.n0 + rel.nprod + 3 * kappa;
        w.dx = _newDense(nmsg, w.nped);
        w.dy = _newDense(nmsg, w.nped);
        uint256 at = 0;
        for (uint256 k = 0; k < rel.nprod; ++k) {
            at = _add(w.dx, w, rel.prods, at, w.er[k]);
            at = _add(w.dy, w, rel.prods, at, w.er[k]);
        }
        if (_isPublic(w.dx) || _isPublic(w.dy)) return;
        // Pedersen A, B, C and Hyrax's proof of product
        w.hidden = true;
        uint256[6] memory abc;
        for (uint256 i = 0; i < 3; ++i) (abc[2 * i], abc[2 * i + 1]) = _point(w, L_PROD_ABC, pf);
        uint256[6] memory alpha;
        for (uint256 i = 0; i < 3; ++i) (alpha[2 * i], alpha[2 * i + 1]) = _point(w, L_PROD_ALPHA, pf);
        uint256 pe = _challenge(w, L_PROD_E);
        uint256[] memory z = _scalars(w, L_PROD_Z, 5, pf);
        if (!_productProof(prm.gens, abc, alpha, pe, z)) w.bad = true;
        uint256[] memory peds = new uint256[](2 * w.nped + 6);
        for (uint256 i = 0; i < rel.peds.length; ++i) peds[i] = rel.peds[i];
        for (uint256 i = 0; i < 6; ++i) peds[2 * w.nped + i] = abc[i];
        w.peds = peds;
    }

    // Step 3: D = sum_i rho^i D_i over the routines' equalities, then the product section's.
    function _batch(W memory w, Rel memory rel, uint256 rho) private pure returns (Dense memory d) {
        uint256 nped = w.nped + (w.hidden ? 3 : 0);
        d = _newDense(w.n, nped);
        uint256 pw = 1;
        uint256 at = 0;
        for (uint256 i = 0; i < rel.nzero; ++i) {
            at = _add(d, w, rel.zeros, at, pw);
            pw = mulmod(pw, rho, R);
        }
        if (at != rel.zeros.length) revert BadForm(6);
        if (rel.nprod == 0) return d;
        uint256 base = w.n0 + rel.nprod;
        if (!w.hidden) {
            // e - (ab - zr) eq_tr, ab = a.c b (a public) or b.c a
            uint256 k = mulmod(pw, w.eqTr, R);
            for (uint256 j = 0; j < w.ecoef.length; ++j) d.msg[base + j] = addmod(d.msg[base + j], mulmod(w.ecoef[j], pw, R), R);
            for (uint256 q = 0; q < rel.nprod; ++q) d.msg[w.n0 + q] = addmod(d.msg[w.n0 + q], mulmod(w.er[q], k, R), R);
            bool aPub = _isPublic(w.dx);
            Dense memory other = aPub ? w.dy : w.dx;
            uint256 scale = aPub ? w.dx.c : w.dy.c;
            _addDense(d, other, _neg(mulmod(k, scale, R)));
            return d;
        }
        uint256 l0 = w.nped;
        // a - A
        _addDense(d, w.dx, pw);
        d.ped[l0] = addmod(d.ped[l0], _neg(pw), R);
        pw = mulmod(pw, rho, R);
        // b - B
        _addDense(d, w.dy, pw);
        d.ped[l0 + 1] = addmod(d.ped[l0 + 1], _neg(pw), R);
        pw = mulmod(pw, rho, R);
        // e - (C - zr) eq_tr
        uint256 k2 = mulmod(pw, w.eqTr, R);
        for (uint256 j = 0; j < w.ecoef.length; ++j) d.msg[base + j] = addmod(d.msg[base + j], mulmod(w.ecoef[j], pw, R), R);
        for (uint256 q = 0; q < rel.nprod; ++q) d.msg[w.n0 + q] = addmod(d.msg[w.n0 + q], mulmod(w.er[q], k2, R), R);
        d.ped[l0 + 2] = addmod(d.ped[l0 + 2], _neg(k2), R);
    }

    struct Pad {
        uint256 nu;
        uint256 b2;
        uint256 ec;
        uint256 ealpha;
        uint256[] gamma;
        uint256[] rp;
        uint256[2] c2;
        uint256[2] v;
        uint256[4] delta;
        uint256 de;
        uint256[] dz;
    }

    // Steps 4 and 5 and C*.
    function _pads(W memory w, Rel memory rel, Params memory prm, Dense memory d, uint256 t0, uint256[] calldata pf)
        private
        view
        returns (bool, Out memory o)
    {
        Pad memory q;
        uint256 nrows = rel.chunks.length / 2;
        q.nu = prm.b + (nrows - 1 < prm.cap - prm.b ? nrows - 1 : prm.cap - prm.b);
        uint256 logB2 = _ceilLog2(2 * q.nu);
        if (logB2 == 0) logB2 = 1;
        q.b2 = 1 << logB2;
        if (2 * (q.b2 + 2) > prm.gens.length) return (false, o);
        (q.c2[0], q.c2[1]) = _point(w, L_PAD2, pf);
        q.ec = t0;
        q.ealpha = 1;
        q.gamma = new uint256[](q.b2);
        q.rp = new uint256[](q.nu);
        for (uint256 i = 0; i < q.nu; ++i) {
            uint256[] memory sent = _scalars(w, L_PAD_ROUND, 2, pf);
            uint256 ri = _challenge(w, L_PAD_R);
            q.rp[i] = ri;
            uint256[3] memory lw = _lagrange2(ri);
            uint256 k0 = addmod(lw[0], R - lw[1], R);
            q.ec = addmod(addmod(mulmod(lw[1], q.ec, R), mulmod(k0, sent[0], R), R), mulmod(lw[2], sent[1], R), R);
            q.ealpha = mulmod(q.ealpha, lw[1], R);
            for (uint256 j = 0; j < 2 * i; ++j) q.gamma[j] = mulmod(q.gamma[j], lw[1], R);
            q.gamma[2 * i] = k0;
            q.gamma[2 * i + 1] = lw[2];
        }
        (q.v[0], q.v[1]) = _point(w, L_PAD_CLAIM, pf);
        (q.delta[0], q.delta[1]) = _point(w, L_DOT_DELTA, pf);
        (q.delta[2], q.delta[3]) = _point(w, L_DOT_DELTA, pf);
        q.de = _challenge(w, L_DOT_E);
        q.dz = _scalars(w, L_DOT_Z, q.b2 + 2, pf);
        bool ok = _dot(w, prm, d, q);
        // C* = sum_k W_k(r') C_k
        o.nu = q.nu;
        o.point = q.rp;
        o.v = q.v;
        // (only the entries below the longest used part of a chunk: eqTablePrefix)
        uint256 used;
        for (uint256 k = 0; k < nrows; ++k) {
            uint256 start = chunkStart(prm.b, prm.cap, k);
            uint256 end = start + (1 << (k <= prm.cap - prm.b ? prm.b + k : prm.cap));
            if (end > w.n) end = w.n;
            if (end > start && end - start > used) used = end - start;
        }
        uint256[] memory eqt = eqTablePrefix(q.rp, used);
        for (uint256 k = 0; k < nrows; ++k) {
            uint256 start = chunkStart(prm.b, prm.cap, k);
            uint256 end = start + (1 << (k <= prm.cap - prm.b ? prm.b + k : prm.cap));
            if (end > w.n) end = w.n;
            uint256 wk;
            if (end > start) {
                if (end > d.msg.length || end - start > eqt.length) revert BadForm(8);
                uint256[] memory dm = d.msg;
                assembly ("memory-safe") {
                    let ep := add(eqt, 32)
                    let dp := add(add(dm, 32), shl(5, start))
                    let de := add(add(dm, 32), shl(5, end))
                    for {} lt(dp, de) { dp := add(dp, 32) } {
                        let c := mload(dp)
                        if c { wk := addmod(wk, mulmod(c, mload(ep), R), R) }
                        ep := add(ep, 32)
                    }
                }
            }
            _mulAdd(o.cstar, rel.chunks, k, wk);
        }
        return (ok, o);
    }

    // Step 5's two equations: e C2 + delta_0 = <z, G> + z_d H and
    // e Y + delta_1 = <z, gamma> U + z_b H with Y = ec U + alpha P* - V (P* = sum_l D.ped[l] P_l).
    function _dot(W memory w, Params memory prm, Dense memory d, Pad memory q) private view returns (bool) {
        uint256[] memory g = prm.gens;
        uint256[2] memory l;
        uint256[2] memory r = [q.delta[0], q.delta[1]];
        for (uint256 k = 0; k < q.b2; ++k) _mulAdd(l, g, 2 + k, q.dz[k]);
        _mulAdd(l, g, 1, q.dz[q.b2]);
        if (q.de != 0) ZkBn254.mulAdd(r, q.c2[0], q.c2[1], q.de);
        if (!_eqPts(l, r)) return false;
        // e ec U + e alpha P* + delta_1 = e V + <z, gamma> U + z_b H
        uint256 zg;
        for (uint256 k = 0; k < q.b2; ++k) zg = addmod(zg, mulmod(q.dz[k], q.gamma[k], R), R);
        uint256[] memory peds = w.peds;
        uint256[2] memory a = [q.delta[2], q.delta[3]];
        uint256[2] memory b;
        uint256 ea = mulmod(q.de, q.ealpha, R);
        for (uint256 l2 = 0; l2 < d.ped.length; ++l2) {
            if (d.ped[l2] == 0) continue;
            uint256 sc = mulmod(ea, d.ped[l2], R);
            _mulAdd(a, peds, l2, sc);
        }
        _mulAdd(a, g, 0, addmod(mulmod(q.de, q.ec, R), R - zg, R));
        if (q.de != 0) ZkBn254.mulAdd(b, q.v[0], q.v[1], q.de);
        _mulAdd(b, g, 1, q.dz[q.b2 + 1]);
        return _eqPts(a, b);
    }
}
