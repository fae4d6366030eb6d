// SPDX-License-Identifier: UNLICENSED
// zkinfer's masked HyperKZG batch opening (src/pcs/kzg.h `verify_batch`, docs/protocol/kzg.md
// section 4) for ONE group: every item opened at the same point z of n >= 1 variables, as the kzg
// backend's whole-model opening is (all commitments widened to N variables at the reduction's
// point rho: pcs/kzg_scheme.cc). Items are (commitment, claim) with the claim a plain value or a
// Pedersen commitment P = v U + t H.
//
// This is the one-witness form (pcs::KzgForm::kOneWitness, kzg keys of version 6).
//
// Words (uint256, big-endian; G1 points as (x, y), the identity (0, 0)); key, point and items in
// memory (the whole-model verifier builds them), the proof in calldata:
//   key:    beta (2), [tau^3]_2 (4, EIP-197 order), U (2), H (2), srs (14: the 448 bytes the C++
//           verifier absorbs as "kzg.srs": compressed [1]_1, [beta]_1, [1]_2, [tau]_2, U, H,
//           [tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2), [tau]_1 (2), [tau^2]_1 (2),
//           [tau^2 + tau]_2 (4, EIP-197 order)
//   items:  per item 5 words: C (2), kind (0 plain, 1 committed), then the value and 0, or P (2)
//   proof:  C_m (2), M (2), w, rho_G, t_G, folds (2 (n - 1)), evals (3 n: G_k(r), G_k(-r),
//           G_k(r^2) for k = 0..n-1), the witness W (2) of (B - I) / Z
// The transcript is v2 (ZkTranscript.sol; kzg keys of version 4 and 5): the items' commitments and
// claims, then the group's point once and its members, as verify_batch absorbs them in a v2
// transcript (src/pcs/kzg.cc absorb_items); then the proof in verify_batch's order. The checks: (a) the fold equations, (b) the Pedersen
// equation sum_{committed} gamma^j P_j + eta M + (sum_{plain} gamma^j v_j - w) U - t_G H = 0,
// (c) with B = sum_k q^k G_k, b_j its values at x = (r, -r, r^2), I the quadratic through them and
// Z(X) = (X - r)(X + r)(X - r^2): e(C_B - [I(tau)]_1 - r^4 W, [1]_2) e(-W, [tau^3]_2)
// e(r^2 W, [tau^2 + tau]_2) = 1. verify returns false when a check
// fails; it reverts on malformed input (a scalar >= R, a point off the curve, wrong lengths).
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkBn254} from "./ZkBn254.sol";

library ZkHyperKzg {
    uint256 internal constant R = ZkFr.R;
    uint256 internal constant KEY_WORDS = 32;
    uint256 internal constant ITEM_WORDS = 5;

    error BadShape();

    uint256 internal constant L_SRS = uint256(bytes32("kzg.srs")) | 7;
    uint256 internal constant L_ITEMS = uint256(bytes32("kzg.items")) | 9;
    uint256 internal constant L_COMMITMENT = uint256(bytes32("kzg.commitment")) | 14;
    uint256 internal constant L_POINT = uint256(bytes32("kzg.point")) | 9;
    uint256 internal constant L_GROUPS = uint256(bytes32("kzg.groups")) | 10;
    uint256 internal constant L_MEMBERS = uint256(bytes32("kzg.members")) | 11;
    uint256 internal constant L_CLAIM_KIND = uint256(bytes32("hyrax.claim.kind")) | 16;
    uint256 internal constant L_CLAIM = uint256(bytes32("hyrax.claim")) | 11;
    uint256 internal constant L_GAMMA = uint256(bytes32("kzg.gamma")) | 9;
    uint256 internal constant L_MASK = uint256(bytes32("kzg.mask")) | 8;
    uint256 internal constant L_MASK_VALUE = uint256(bytes32("kzg.mask_value")) | 14;
    uint256 internal constant L_ETA = uint256(bytes32("kzg.eta")) | 7;
    uint256 internal constant L_VALUE = uint256(bytes32("kzg.value")) | 9;
    uint256 internal constant L_RHO = uint256(bytes32("kzg.rho")) | 7;
    uint256 internal constant L_BLIND = uint256(bytes32("kzg.blind")) | 9;
    uint256 internal constant L_FOLDS = uint256(bytes32("kzg.folds")) | 9;
    uint256 internal constant L_R = uint256(bytes32("kzg.r")) | 5;
    uint256 internal constant L_EVALS = uint256(bytes32("kzg.evals")) | 9;
    uint256 internal constant L_Q = uint256(bytes32("kzg.q")) | 5;
    uint256 internal constant L_WITNESS = uint256(bytes32("kzg.witness")) | 11;
    uint256 internal constant L_LAMBDA = uint256(bytes32("kzg.lambda")) | 10;

    // key[from..to) as bytes (the words big-endian, back to back).
    function _words(uint256[] memory key, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(32 * (to - from));
        for (uint256 i = from; i < to; ++i) {
            uint256 v = key[i];
            assembly ("memory-safe") {
                mstore(add(add(out, 32), shl(5, sub(i, from))), v)
            }
        }
    }

    // Proof words for n variables.
    function proofWords(uint256 n) internal pure returns (uint256) {
        return 7 + 2 * (n - 1) + 3 * n + 2;
    }

    struct Ch {
        uint256 gamma;
        uint256 eta;
        uint256 r;
        uint256 q;
    }

    // The transcript part: absorbs the setup, the items and the proof in verify_batch's order and
    // draws gamma, eta, r, q.
    function _transcript(
        bytes32 st,
        uint256[] memory key,
        uint256[] memory z,
        uint256[] memory items,
        uint256[] calldata pf
    ) private pure returns (bytes32, Ch memory c) {
        uint256 n = z.length;
        st = ZkTranscript.absorbBytes(st, L_SRS, _words(key, 10, 24));
        uint256 m = items.length / ITEM_WORDS;
        st = ZkTranscript.absorbU64(st, L_ITEMS, uint64(m));
        st = _absorbItems(st, n, items);
        // One group: its point once, its members 0..m-1 (u32 big-endian each).
        st = ZkTranscript.absorbU64(st, L_GROUPS, 1);
        st = ZkTranscript.absorbFrs(st, L_POINT, z);
        {
            bytes memory mb = new bytes(4 * m + 28);
            assembly ("memory-safe") {
                for { let j := 0 } lt(j, m) { j := add(j, 1) } { mstore(add(add(mb, 32), shl(2, j)), shl(224, j)) }
                mstore(mb, shl(2, m))
            }
            st = ZkTranscript.absorbBytes(st, L_MEMBERS, mb);
        }
        (st, c.gamma) = ZkTranscript.challenge(st, L_GAMMA);
        st = ZkTranscript.absorbG1(st, L_MASK, pf[0], pf[1]);
        st = ZkTranscript.absorbG1(st, L_MASK_VALUE, pf[2], pf[3]);
        (st, c.eta) = ZkTranscript.challenge(st, L_ETA);
        st = ZkTranscript.absorbFr(st, L_VALUE, pf[4]);
        st = ZkTranscript.absorbFr(st, L_RHO, pf[5]);
        st = ZkTranscript.absorbFr(st, L_BLIND, pf[6]);
        uint256 e0 = 7 + 2 * (n - 1);
        st = ZkTranscript.absorbG1sCd(st, L_FOLDS, pf[7:e0]);
        (st, c.r) = ZkTranscript.challenge(st, L_R);
        st = ZkTranscript.absorbFrsCd(st, L_EVALS, pf[e0:e0 + 3 * n]);
        (st, c.q) = ZkTranscript.challenge(st, L_Q);
        st = ZkTranscript.absorbG1sCd(st, L_WITNESS, pf[e0 + 3 * n:e0 + 3 * n + 2]);
        return (st, c);
    }

    // The items' absorbs as verify_batch makes them, in one assembly loop with constant headers:
    // 0x01 || u32be(14) || "kzg.commitment" || u64be(36) || u32be(n) || the point's word, then
    // 0x01 || u32be(16) || "hyrax.claim.kind" || u64be(8) || u64be(kind), then
    // 0x01 || u32be(11) || "hyrax.claim" || u64be(32) || the value (kind 0: canonical, the item's
    // last word 0) or the point's word (kind 1); any other kind reverts.
    function _absorbItems(bytes32 st, uint256 n, uint256[] memory items) private pure returns (bytes32) {
        uint256 hCom = (1 << 248) | (14 << 216) | ((L_COMMITMENT & ~uint256(0xff)) >> 40) | (uint256(36) << 40) | (n << 8);
        uint256 hKind = (1 << 248) | (16 << 216) | ((L_CLAIM_KIND & ~uint256(0xff)) >> 40) | (uint256(8) << 24);
        uint256 hClaim = (1 << 248) | (11 << 216) | ((L_CLAIM & ~uint256(0xff)) >> 40) | (uint256(32) << 64);
        uint256 m = items.length / ITEM_WORDS;
        uint256 q = R;
        bool bad;
        assembly ("memory-safe") {
            // The transcript word of a G1 point (x, y): the identity 2^254, else x | odd(y) << 255.
            function g1w(x, y) -> w {
                w := or(x, shl(255, and(y, 1)))
                if iszero(or(x, y)) { w := shl(254, 1) }
            }
            let buf := mload(0x40)
            let ip := add(items, 32)
            for { let j := 0 } lt(j, m) { j := add(j, 1) } {
                let it := add(ip, mul(160, j))
                mstore(buf, st)
                mstore(add(buf, 32), hCom)  // the header's 31 bytes, u32be(n) last
                mstore(add(buf, 63), g1w(mload(it), mload(add(it, 32))))
                st := keccak256(buf, 95)
                let kind := mload(add(it, 64))
                mstore(buf, st)
                mstore(add(buf, 32), hKind)
                mstore(add(buf, 61), shl(192, kind))
                st := keccak256(buf, 69)
                let w := mload(add(it, 96))
                switch kind
                case 0 { bad := or(bad, or(iszero(lt(w, q)), iszero(iszero(mload(add(it, 128)))))) }
                case 1 { w := g1w(w, mload(add(it, 128))) }
                default { bad := 1 }
                mstore(buf, st)
                mstore(add(buf, 32), hClaim)
                mstore(add(buf, 56), w)
                st := keccak256(buf, 88)
            }
        }
        if (bad) revert BadShape();  // a kind other than 0 and 1, a plain claim >= R or with a nonzero last word
        return st;
    }

    // (b): the Pedersen equation of the claims.
    function _pedersen(uint256[] memory key, uint256[] memory items, uint256[] calldata pf, Ch memory c)
        private
        view
        returns (bool)
    {
        uint256[2] memory acc;
        uint256 uCoef = ZkFr.neg(pf[4]);
        uint256 g = 1;
        uint256 m = items.length / ITEM_WORDS;
        for (uint256 j = 0; j < m; ++j) {
            uint256 b = j * ITEM_WORDS;
            if (items[b + 2] == 1) ZkBn254.mulAdd(acc, items[b + 3], items[b + 4], g);
            else uCoef = addmod(uCoef, mulmod(g, ZkFr.canonical(items[b + 3]), R), R);
            g = mulmod(g, c.gamma, R);
        }
        ZkBn254.mulAdd(acc, pf[2], pf[3], c.eta);
        ZkBn254.mulAdd(acc, key[6], key[7], uCoef);
        ZkBn254.mulAdd(acc, key[8], key[9], ZkFr.neg(ZkFr.canonical(pf[6])));
        return acc[0] == 0 && acc[1] == 0;
    }

    // The coefficients of the quadratic I through (r, b0), (-r, b1), (r^2, b2) (r not 0, 1, -1):
    // L_0 = (X + r)(X - r^2) / (2r (r - r^2)), L_1 = (X - r)(X - r^2) / (2r (r + r^2)),
    // L_2 = (X^2 - r^2) / (r^4 - r^2); one inversion for the three denominators.
    function _interpolate(uint256 r, uint256 b0, uint256 b1, uint256 b2)
        private
        view
        returns (uint256 i0, uint256 i1, uint256 i2)
    {
        uint256 r2 = mulmod(r, r, R);
        uint256 r3 = mulmod(r2, r, R);
        uint256 den0 = mulmod(addmod(r, r, R), addmod(r, R - r2, R), R);
        uint256 den1 = mulmod(addmod(r, r, R), addmod(r, r2, R), R);
        uint256 den2 = addmod(mulmod(r2, r2, R), R - r2, R);
        uint256 den01 = mulmod(den0, den1, R);
        uint256 t = ZkFr.inv(mulmod(den01, den2, R));
        uint256 inv01 = mulmod(t, den2, R);
        uint256 c0 = mulmod(b0, mulmod(den1, inv01, R), R);
        uint256 c1 = mulmod(b1, mulmod(den0, inv01, R), R);
        uint256 c2 = mulmod(b2, mulmod(t, den01, R), R);
        i0 = addmod(mulmod(r3, addmod(c1, R - c0, R), R), R - mulmod(r2, c2, R), R);
        i1 = addmod(mulmod(c0, addmod(r, R - r2, R), R), R - mulmod(c1, addmod(r, r2, R), R), R);
        i2 = addmod(addmod(c0, c1, R), c2, R);
    }

    // (c): A = C_B - [I(tau)]_1 - r^4 W, C_B = sum_k q^k C_{G_k},
    // C_{G_0} = sum_j gamma^j C_j + eta C_m - rho_G [beta]_1; then the 3-pair pairing.
    function _pairing(uint256[] memory key, uint256[] memory items, uint256 n, uint256[] calldata pf, Ch memory c)
        private
        view
        returns (bool)
    {
        uint256[2] memory acc;
        {
            uint256 g = 1;
            uint256 m = items.length / ITEM_WORDS;
            // the first item's weight is 1: an ecAdd to the identity (which checks the point is
            // on the curve as the ecMul would) instead of an ecMul
            (acc[0], acc[1]) = ZkBn254.add(0, 0, items[0], items[1]);
            for (uint256 j = 1; j < m; ++j) {
                g = mulmod(g, c.gamma, R);
                ZkBn254.mulAdd(acc, items[j * ITEM_WORDS], items[j * ITEM_WORDS + 1], g);
            }
        }
        ZkBn254.mulAdd(acc, pf[0], pf[1], c.eta);
        ZkBn254.mulAdd(acc, key[0], key[1], ZkFr.neg(ZkFr.canonical(pf[5])));
        uint256 e0 = 7 + 2 * (n - 1);
        uint256 b0;
        uint256 b1;
        uint256 b2;
        {
            uint256 qk = 1;
            for (uint256 k = 0; k < n; ++k) {
                if (k > 0) ZkBn254.mulAdd(acc, pf[7 + 2 * (k - 1)], pf[8 + 2 * (k - 1)], qk);
                b0 = addmod(b0, mulmod(qk, pf[e0 + 3 * k], R), R);
                b1 = addmod(b1, mulmod(qk, pf[e0 + 3 * k + 1], R), R);
                b2 = addmod(b2, mulmod(qk, pf[e0 + 3 * k + 2], R), R);
                qk = mulmod(qk, c.q, R);
            }
        }
        return _close(acc, key, pf, e0 + 3 * n, c.r, [b0, b1, b2]);
    }

    // The end of (c), shared by one group and several: the batch's combined evaluations b at r,
    // -r, r^2 interpolated into I(X) and subtracted, r^4 W, then the 3-pair pairing with the
    // witness W at word w0 of the proof.
    function _close(uint256[2] memory acc, uint256[] memory key, uint256[] calldata pf, uint256 w0, uint256 r, uint256[3] memory b)
        private
        view
        returns (bool)
    {
        {
            (uint256 i0, uint256 i1, uint256 i2) = _interpolate(r, b[0], b[1], b[2]);
            ZkBn254.mulAdd(acc, 1, 2, ZkFr.neg(i0));
            ZkBn254.mulAdd(acc, key[24], key[25], ZkFr.neg(i1));
            ZkBn254.mulAdd(acc, key[26], key[27], ZkFr.neg(i2));
        }
        uint256 r2 = mulmod(r, r, R);
        ZkBn254.mulAdd(acc, pf[w0], pf[w0 + 1], ZkFr.neg(mulmod(r2, r2, R)));
        uint256[2] memory wneg;
        (wneg[0], wneg[1]) = ZkBn254.negate(pf[w0], pf[w0 + 1]);
        uint256[2] memory wr2;
        (wr2[0], wr2[1]) = ZkBn254.mul(pf[w0], pf[w0 + 1], r2);
        uint256[4] memory g2 = [ZkBn254.G2_X1, ZkBn254.G2_X0, ZkBn254.G2_Y1, ZkBn254.G2_Y0];
        uint256[4] memory tau3 = [key[2], key[3], key[4], key[5]];
        uint256[4] memory tau21 = [key[28], key[29], key[30], key[31]];
        return ZkBn254.pairing3(acc, g2, wneg, tau3, wr2, tau21);
    }

    // Verifies the batch; returns the transcript after it (the witness absorbed last) and the verdict.
    function verify(
        bytes32 st,
        uint256[] memory key,
        uint256[] memory z,
        uint256[] memory items,
        uint256[] calldata pf
    ) internal view returns (bytes32, bool) {
        uint256 n = z.length;
        if (key.length != KEY_WORDS || n == 0 || items.length == 0 || items.length % ITEM_WORDS != 0)
            revert BadShape();
        if (pf.length != proofWords(n)) revert BadShape();
        Ch memory c;
        (st, c) = _transcript(st, key, z, items, pf);
        if (c.r == 0 || c.r == 1 || c.r == R - 1) return (st, false);  // degenerate r
        if (!_foldsAt(z, pf, 0, c.r)) return (st, false);
        if (!_pedersen(key, items, pf, c)) return (st, false);
        return (st, _pairing(key, items, n, pf, c));
    }
    // ---- several groups (pcs/kzg.cc verify_batch with more than one group) ----
    //
    // The kzg backend's zero-knowledge proofs of kzg keys of version 8 open cp's pads (their
    // chunks' combination C*, docs/protocol/kzg.md section 5) at the pad sumcheck's point r', in
    // a second group of the same batch. Items come in group order: counts[g] consecutive items
    // (5 words each, as above) at the point zs[g] (n_g >= 1 variables; the items' commitments are
    // absorbed with num_vars n_g). The groups must be the ones verify_batch forms (distinct
    // points, in order of first appearance): otherwise the transcripts differ and the proof fails.
    // Proof: per group C_m (2), M (2), w, rho_G, t_G, folds (2 (n_g - 1)), evals (3 n_g); then the
    // witness W (2). Transcript (v2) and checks as verify_batch: the items, then per group its point
    // and members; gamma over all items; the groups' masks; eta; their values; their folds; r (shared);
    // their evaluations; q (its powers run over every group's polynomials, in order); the witness.
    // The Pedersen equations of the groups are checked together, weighted by powers of lambda
    // ("kzg.lambda", drawn from the final state without changing it, as the C++ verifier's copy).

    function groupWords(uint256 n) internal pure returns (uint256) {
        return 7 + 2 * (n - 1) + 3 * n;
    }

    struct Groups {
        uint256[][] zs;
        uint256[] counts;
        uint256[] offs;  // each group's first proof word; offs[G]: the witness's
    }

    function _absorbStatement(bytes32 st, uint256[] memory key, Groups memory gs, uint256[] memory items)
        private
        pure
        returns (bytes32)
    {
        st = ZkTranscript.absorbBytes(st, L_SRS, _words(key, 10, 24));
        uint256 m = items.length / ITEM_WORDS;
        st = ZkTranscript.absorbU64(st, L_ITEMS, uint64(m));
        uint256 j = 0;
        for (uint256 g = 0; g < gs.counts.length; ++g) {
            uint256 n = gs.zs[g].length;
            for (uint256 e = j + gs.counts[g]; j < e; ++j) {
                uint256 b = j * ITEM_WORDS;
                st = ZkTranscript.absorbBytes(
                    st, L_COMMITMENT, abi.encodePacked(uint32(n), bytes32(ZkTranscript.g1Word(items[b], items[b + 1])))
                );
                if (items[b + 2] == 0) {
                    if (items[b + 4] != 0) revert BadShape();
                    st = ZkTranscript.absorbU64(st, L_CLAIM_KIND, 0);
                    st = ZkTranscript.absorbFr(st, L_CLAIM, items[b + 3]);
                } else if (items[b + 2] == 1) {
                    st = ZkTranscript.absorbU64(st, L_CLAIM_KIND, 1);
                    st = ZkTranscript.absorbG1(st, L_CLAIM, items[b + 3], items[b + 4]);
                } else {
                    revert BadShape();
                }
            }
        }
        st = ZkTranscript.absorbU64(st, L_GROUPS, uint64(gs.counts.length));
        j = 0;
        for (uint256 g = 0; g < gs.counts.length; ++g) {
            st = ZkTranscript.absorbFrs(st, L_POINT, gs.zs[g]);
            uint256 c = gs.counts[g];
            bytes memory mb = new bytes(4 * c + 28);
            assembly ("memory-safe") {
                for { let i := 0 } lt(i, c) { i := add(i, 1) } { mstore(add(add(mb, 32), shl(2, i)), shl(224, add(j, i))) }
                mstore(mb, shl(2, c))
            }
            st = ZkTranscript.absorbBytes(st, L_MEMBERS, mb);
            j += c;
        }
        return st;
    }

    function _transcriptGroups(bytes32 st, uint256[] memory key, Groups memory gs, uint256[] memory items, uint256[] calldata pf)
        private
        pure
        returns (bytes32, Ch memory c)
    {
        st = _absorbStatement(st, key, gs, items);
        uint256 ng = gs.counts.length;
        (st, c.gamma) = ZkTranscript.challenge(st, L_GAMMA);
        for (uint256 g = 0; g < ng; ++g) {
            uint256 o = gs.offs[g];
            st = ZkTranscript.absorbG1(st, L_MASK, pf[o], pf[o + 1]);
            st = ZkTranscript.absorbG1(st, L_MASK_VALUE, pf[o + 2], pf[o + 3]);
        }
        (st, c.eta) = ZkTranscript.challenge(st, L_ETA);
        for (uint256 g = 0; g < ng; ++g) {
            uint256 o = gs.offs[g];
            st = ZkTranscript.absorbFr(st, L_VALUE, pf[o + 4]);
            st = ZkTranscript.absorbFr(st, L_RHO, pf[o + 5]);
            st = ZkTranscript.absorbFr(st, L_BLIND, pf[o + 6]);
        }
        for (uint256 g = 0; g < ng; ++g) {
            uint256 o = gs.offs[g];
            st = ZkTranscript.absorbG1sCd(st, L_FOLDS, pf[o + 7:o + 7 + 2 * (gs.zs[g].length - 1)]);
        }
        (st, c.r) = ZkTranscript.challenge(st, L_R);
        for (uint256 g = 0; g < ng; ++g) {
            uint256 e0 = gs.offs[g] + 7 + 2 * (gs.zs[g].length - 1);
            st = ZkTranscript.absorbFrsCd(st, L_EVALS, pf[e0:e0 + 3 * gs.zs[g].length]);
        }
        (st, c.q) = ZkTranscript.challenge(st, L_Q);
        uint256 w0 = gs.offs[ng];
        st = ZkTranscript.absorbG1sCd(st, L_WITNESS, pf[w0:w0 + 2]);
        return (st, c);
    }

    // (a), for the group whose words start at o (0: a batch of one group):
    // 2 r G_{k+1}(r^2) = r (1 - z_k)(G_k(r) + G_k(-r)) + z_k (G_k(r) - G_k(-r)), G_n := w.
    function _foldsAt(uint256[] memory z, uint256[] calldata pf, uint256 o, uint256 r) private pure returns (bool) {
        uint256 n = z.length;
        uint256 e0 = o + 7 + 2 * (n - 1);
        for (uint256 k = 0; k < n; ++k) {
            uint256 a = pf[e0 + 3 * k];
            uint256 b = pf[e0 + 3 * k + 1];
            uint256 y = k + 1 < n ? pf[e0 + 3 * (k + 1) + 2] : pf[o + 4];
            uint256 zk = ZkFr.canonical(z[k]);
            uint256 lhs = mulmod(addmod(r, r, R), y, R);
            uint256 rhs = addmod(
                mulmod(mulmod(r, addmod(1, R - zk, R), R), addmod(a, b, R), R), mulmod(zk, addmod(a, R - b, R), R), R
            );
            if (lhs != rhs) return false;
        }
        return true;
    }

    // (b) for every group, weighted by powers of lambda.
    function _pedersenGroups(
        bytes32 st,
        uint256[] memory key,
        Groups memory gs,
        uint256[] memory items,
        uint256[] calldata pf,
        Ch memory c
    ) private view returns (bool) {
        (, uint256 lambda) = ZkTranscript.challenge(st, L_LAMBDA);
        uint256[2] memory acc;
        uint256 uCoef;
        uint256 hCoef;
        uint256 wgt = 1;
        uint256 gj = 1;
        uint256 j = 0;
        for (uint256 g = 0; g < gs.counts.length; ++g) {
            uint256 o = gs.offs[g];
            uint256 ug = ZkFr.neg(pf[o + 4]);
            for (uint256 e = j + gs.counts[g]; j < e; ++j) {
                uint256 b = j * ITEM_WORDS;
                if (items[b + 2] == 1) ZkBn254.mulAdd(acc, items[b + 3], items[b + 4], mulmod(wgt, gj, R));
                else ug = addmod(ug, mulmod(gj, ZkFr.canonical(items[b + 3]), R), R);
                gj = mulmod(gj, c.gamma, R);
            }
            ZkBn254.mulAdd(acc, pf[o + 2], pf[o + 3], mulmod(wgt, c.eta, R));
            uCoef = addmod(uCoef, mulmod(wgt, ug, R), R);
            hCoef = addmod(hCoef, mulmod(wgt, ZkFr.canonical(pf[o + 6]), R), R);
            wgt = mulmod(wgt, lambda, R);
        }
        ZkBn254.mulAdd(acc, key[6], key[7], uCoef);
        ZkBn254.mulAdd(acc, key[8], key[9], ZkFr.neg(hCoef));
        return acc[0] == 0 && acc[1] == 0;
    }

    // (c) over every group's polynomials (q's powers continue from group to group).
    function _pairingGroups(uint256[] memory key, Groups memory gs, uint256[] memory items, uint256[] calldata pf, Ch memory c)
        private
        view
        returns (bool)
    {
        uint256[2] memory acc;
        uint256[3] memory bv;
        {
            uint256 qk = 1;
            uint256 gj = 1;
            uint256 j = 0;
            uint256 betaCoef;
            for (uint256 g = 0; g < gs.counts.length; ++g) {
                uint256 o = gs.offs[g];
                uint256 n = gs.zs[g].length;
                for (uint256 e = j + gs.counts[g]; j < e; ++j) {
                    ZkBn254.mulAdd(acc, items[j * ITEM_WORDS], items[j * ITEM_WORDS + 1], mulmod(qk, gj, R));
                    gj = mulmod(gj, c.gamma, R);
                }
                ZkBn254.mulAdd(acc, pf[o], pf[o + 1], mulmod(qk, c.eta, R));
                betaCoef = addmod(betaCoef, mulmod(qk, ZkFr.canonical(pf[o + 5]), R), R);
                uint256 e0 = o + 7 + 2 * (n - 1);
                for (uint256 k = 0; k < n; ++k) {
                    if (k > 0) ZkBn254.mulAdd(acc, pf[o + 7 + 2 * (k - 1)], pf[o + 8 + 2 * (k - 1)], qk);
                    bv[0] = addmod(bv[0], mulmod(qk, pf[e0 + 3 * k], R), R);
                    bv[1] = addmod(bv[1], mulmod(qk, pf[e0 + 3 * k + 1], R), R);
                    bv[2] = addmod(bv[2], mulmod(qk, pf[e0 + 3 * k + 2], R), R);
                    qk = mulmod(qk, c.q, R);
                }
            }
            ZkBn254.mulAdd(acc, key[0], key[1], ZkFr.neg(betaCoef));
        }
        return _close(acc, key, pf, gs.offs[gs.counts.length], c.r, bv);
    }

    // Verifies a batch of several groups (one group: the same verdict and state as verify).
    function verifyGroups(
        bytes32 st,
        uint256[] memory key,
        uint256[][] memory zs,
        uint256[] memory counts,
        uint256[] memory items,
        uint256[] calldata pf
    ) internal view returns (bytes32, bool) {
        uint256 ng = counts.length;
        if (key.length != KEY_WORDS || ng == 0 || zs.length != ng || items.length % ITEM_WORDS != 0) revert BadShape();
        Groups memory gs = Groups(zs, counts, new uint256[](ng + 1));
        uint256 total;
        uint256 words;
        for (uint256 g = 0; g < ng; ++g) {
            if (zs[g].length == 0 || counts[g] == 0) revert BadShape();
            total += counts[g];
            gs.offs[g] = words;
            words += groupWords(zs[g].length);
        }
        gs.offs[ng] = words;
        if (total * ITEM_WORDS != items.length || pf.length != words + 2) revert BadShape();
        Ch memory c;
        (st, c) = _transcriptGroups(st, key, gs, items, pf);
        if (c.r == 0 || c.r == 1 || c.r == R - 1) return (st, false);
        for (uint256 g = 0; g < ng; ++g) if (!_foldsAt(zs[g], pf, gs.offs[g], c.r)) return (st, false);
        if (!_pedersenGroups(st, key, gs, items, pf, c)) return (st, false);
        return (st, _pairingGroups(key, gs, items, pf, c));
    }
}
