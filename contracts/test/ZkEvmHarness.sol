// SPDX-License-Identifier: UNLICENSED
// TEST ONLY: a contract exposing the verifier libraries to the differential test
// (tools/evm/evm_test.cc): every entry point takes one uint256[] of words and returns one
// uint256[] (ABI), so the C++ side encodes and decodes with a few lines. Not a verifier of
// anything by itself: the statement (points, claims, key) comes from the caller.
pragma solidity ^0.8.24;

import {ZkFr} from "../ZkFr.sol";
import {ZkTranscript} from "../ZkTranscript.sol";
import {ZkSumcheck} from "../ZkSumcheck.sol";
import {ZkBn254} from "../ZkBn254.sol";
import {ZkHyperKzg} from "../ZkHyperKzg.sol";

contract ZkEvmHarness {
    uint256 internal constant R = ZkFr.R;
    uint256 internal constant L_VALUE = uint256(bytes32("kzg.value")) | 9;
    uint256 internal constant L_ROUND = uint256(bytes32("sumcheck.round")) | 14;
    uint256 internal constant L_MASK = uint256(bytes32("kzg.mask")) | 8;
    uint256 internal constant L_CHALLENGE = uint256(bytes32("sumcheck.challenge")) | 18;

    // A byte string given as its length and its bytes packed into words (first byte first).
    function _bytes(uint256[] calldata w, uint256 pos) private pure returns (bytes memory b, uint256 next) {
        uint256 len = w[pos];
        uint256 words = (len + 31) / 32;
        b = new bytes(words * 32);
        for (uint256 i = 0; i < words; ++i) {
            uint256 v = w[pos + 1 + i];
            assembly ("memory-safe") {
                mstore(add(add(b, 32), mul(i, 32)), v)
            }
        }
        assembly ("memory-safe") {
            mstore(b, len)
        }
        next = pos + 1 + words;
    }

    // A transcript script: domain, then operations (see evm_test.cc): returns the challenges drawn,
    // then the final state.
    function transcriptScript(uint256[] calldata w) external pure returns (uint256[] memory out) {
        (bytes memory domain, uint256 pos) = _bytes(w, 0);
        bytes32 st = ZkTranscript.init(domain);
        uint256[] memory ch = new uint256[](w.length);
        uint256 nc = 0;
        while (pos < w.length) {
            uint256 op = w[pos];
            bytes memory lb;
            (lb, pos) = _bytes(w, pos + 1);
            uint256 label = ZkTranscript.label(lb);
            if (op == 1) {
                uint256 cnt = w[pos];
                st = ZkTranscript.absorbFrsCd(st, label, w[pos + 1:pos + 1 + cnt]);
                pos += 1 + cnt;
            } else if (op == 2) {
                uint256 cnt = w[pos];
                st = ZkTranscript.absorbG1sCd(st, label, w[pos + 1:pos + 1 + 2 * cnt]);
                pos += 1 + 2 * cnt;
            } else if (op == 3) {
                st = ZkTranscript.absorbU64(st, label, uint64(w[pos]));
                pos += 1;
            } else if (op == 4) {
                (st, ch[nc]) = ZkTranscript.challenge(st, label);
                ++nc;
            } else if (op == 5) {
                bytes memory data;
                (data, pos) = _bytes(w, pos);
                st = ZkTranscript.absorbBytes(st, label, data);
            } else if (op == 6) {
                st = ZkTranscript.absorbFr(st, label, w[pos]);
                pos += 1;
            } else if (op == 7) {
                st = ZkTranscript.absorbG1(st, label, w[pos], w[pos + 1]);
                pos += 2;
            } else {
                revert("bad op");
            }
        }
        out = new uint256[](nc + 1);
        for (uint256 i = 0; i < nc; ++i) out[i] = ch[i];
        out[nc] = uint256(st);
    }

    // The terms' coefficients of a [n, d, k, T, T terms (coeff, len, factor indices), ...] header,
    // and the position after the terms.
    function _coefficients(uint256[] calldata w, uint256 nt) internal pure returns (uint256[] memory coeffs, uint256 pos) {
        coeffs = new uint256[](nt);
        pos = 4;
        for (uint256 t = 0; t < nt; ++t) {
            coeffs[t] = w[pos];
            pos += 2 + w[pos + 1];
        }
    }

    // [n, d, k, T, T terms (coeff, len, factor indices), claim, rounds (n d), finals (k)]:
    // returns [ok, the point (n), state].
    function sumcheck(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 n = w[0];
        uint256 d = w[1];
        uint256 nt = w[3];
        (uint256[] memory coeffs, uint256 pos) = _coefficients(w, nt);
        if (pos + 1 + n * d + w[2] != w.length) revert("bad length");
        bytes32 st = ZkTranscript.init("evm-test-sumcheck");
        st = ZkTranscript.absorbFr(st, ZkTranscript.label("test.claim"), w[pos]);
        uint256 running;
        uint256[] memory point;
        (st, running, point) = ZkSumcheck.verifyRounds(st, n, d, coeffs, w[pos], w[pos + 1:pos + 1 + n * d]);
        uint256[] calldata finals = w[pos + 1 + n * d:];
        bool ok = _composition(w, nt, finals) == running;
        st = ZkSumcheck.absorbFinal(st, finals);
        out = new uint256[](n + 2);
        out[0] = ok ? 1 : 0;
        for (uint256 i = 0; i < n; ++i) out[1 + i] = point[i];
        out[n + 1] = uint256(st);
    }

    // verify_with_eq: [n, d, k, T, T terms, rho (n), claim, rounds (n (d - 1)), finals (k)];
    // factor 0 is eq(rho, x): returns [ok, the point (n), state].
    function sumcheckWithEq(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 n = w[0];
        uint256 d = w[1];
        uint256 nt = w[3];
        (uint256[] memory coeffs, uint256 pos) = _coefficients(w, nt);
        uint256[] memory rho = w[pos:pos + n];
        pos += n;
        if (pos + 1 + n * (d - 1) + w[2] != w.length) revert("bad length");
        bytes32 st = ZkTranscript.init("evm-test-sumcheck");
        st = ZkTranscript.absorbFr(st, ZkTranscript.label("test.claim"), w[pos]);
        uint256 running;
        uint256[] memory point;
        uint256 c;
        (st, running, point, c) = ZkSumcheck.verifyRoundsWithEq(st, rho, d, coeffs, w[pos], w[pos + 1:pos + 1 + n * (d - 1)]);
        uint256[] calldata finals = w[pos + 1 + n * (d - 1):];
        bool ok = finals[0] == c && _compositionEq(w, nt, finals, c) == running;
        st = ZkSumcheck.absorbFinal(st, finals);
        out = new uint256[](n + 2);
        out[0] = ok ? 1 : 0;
        for (uint256 i = 0; i < n; ++i) out[1 + i] = point[i];
        out[n + 1] = uint256(st);
    }

    // The composition with factor 0's value replaced by c (the verifier's own eq).
    function _compositionEq(uint256[] calldata w, uint256 nt, uint256[] calldata finals, uint256 c)
        private
        pure
        returns (uint256 g)
    {
        uint256 pos = 4;
        for (uint256 t = 0; t < nt; ++t) {
            uint256 prod = ZkFr.canonical(w[pos]);
            uint256 len = w[pos + 1];
            for (uint256 i = 0; i < len; ++i) {
                uint256 j = w[pos + 2 + i];
                prod = mulmod(prod, j == 0 ? c : ZkFr.canonical(finals[j]), R);
            }
            g = addmod(g, prod, R);
            pos += 2 + len;
        }
    }

    // sum_t c_t prod_{j in T_t} finals[j], the terms at w[4..].
    function _composition(uint256[] calldata w, uint256 nt, uint256[] calldata finals)
        private
        pure
        returns (uint256 g)
    {
        uint256 pos = 4;
        for (uint256 t = 0; t < nt; ++t) {
            uint256 prod = ZkFr.canonical(w[pos]);
            uint256 len = w[pos + 1];
            for (uint256 i = 0; i < len; ++i) prod = mulmod(prod, ZkFr.canonical(finals[w[pos + 2 + i]]), R);
            g = addmod(g, prod, R);
            pos += 2 + len;
        }
    }

    // [n, z (n), m, items (5 m), key (ZkHyperKzg.KEY_WORDS), proof]: returns [ok, state].
    function hyperKzg(uint256[] calldata w) external view returns (uint256[] memory out) {
        uint256 n = w[0];
        uint256[] calldata z = w[1:1 + n];
        uint256 m = w[1 + n];
        uint256 pos = 2 + n;
        uint256[] calldata items = w[pos:pos + 5 * m];
        pos += 5 * m;
        uint256[] calldata key = w[pos:pos + ZkHyperKzg.KEY_WORDS];
        pos += ZkHyperKzg.KEY_WORDS;
        uint256[] calldata pf = w[pos:];
        bytes32 st = ZkTranscript.init("evm-test-kzg");
        bool ok;
        (st, ok) = ZkHyperKzg.verify(st, key, z, items, pf);
        out = new uint256[](2);
        out[0] = ok ? 1 : 0;
        out[1] = uint256(st);
    }

    // eq(a, b) and the MLE of a table: [n, a (n), b (n), table (2^n)] -> [eq, mle(table, a)].
    function mleEval(uint256[] calldata w) external pure returns (uint256[] memory out) {
        uint256 n = w[0];
        uint256[] memory a = w[1:1 + n];
        uint256[] memory b = w[1 + n:1 + 2 * n];
        uint256[] memory table = w[1 + 2 * n:];
        for (uint256 i = 0; i < n; ++i) {
            ZkFr.canonical(a[i]);
            ZkFr.canonical(b[i]);
        }
        out = new uint256[](2);
        out[0] = ZkSumcheck.eq(a, b);
        out[1] = ZkSumcheck.mle(table, a);
    }

    function g2Generator(uint256[] calldata) external pure returns (uint256[] memory out) {
        out = new uint256[](4);
        out[0] = ZkBn254.G2_X1;
        out[1] = ZkBn254.G2_X0;
        out[2] = ZkBn254.G2_Y1;
        out[3] = ZkBn254.G2_Y0;
    }

    // kind || u32be(|label|) || label || (absorb: u64be(dataLen)) left-aligned in a word, and its
    // length (labels up to 18 bytes here): transcript v2's header.
    function _header(uint256 kind, uint256 lbl, uint256 dataLen) private pure returns (uint256 h, uint256 n) {
        uint256 ll = lbl & 0xff;
        h = (kind << 248) | (ll << 216) | ((lbl & ~uint256(0xff)) >> 40);
        n = 5 + ll;
        if (kind == 1) {
            h |= dataLen << (192 - 8 * n);
            n += 8;
        }
    }

    // One absorbed word after a constant header; le: byte-reversed first (what v1 paid).
    function _constAbsorb(bytes32 st, uint256 h, uint256 n, uint256 x, bool le) private pure returns (bytes32 out) {
        uint256 v = le ? ZkTranscript.rev(x) : x;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, st)
            mstore(add(p, 32), h)
            mstore(add(add(p, 32), n), v)
            out := keccak256(p, add(64, n))
        }
    }

    function _constAbsorb16(bytes32 st, uint256 h, uint256 n, uint256[] memory xs, bool le) private pure returns (bytes32 out) {
        assembly ("memory-safe") {
            function rev(v) -> r {
                v := or(and(shr(8, v), 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff), shl(8, and(v, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)))
                v := or(and(shr(16, v), 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff), shl(16, and(v, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)))
                v := or(and(shr(32, v), 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff), shl(32, and(v, 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)))
                v := or(and(shr(64, v), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff), shl(64, and(v, 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)))
                r := or(shr(128, v), shl(128, v))
            }
            let p := mload(0x40)
            mstore(p, st)
            mstore(add(p, 32), h)
            let cur := add(add(p, 32), n)
            switch le
            case 0 {
                for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                    mstore(add(cur, shl(5, i)), mload(add(add(xs, 32), shl(5, i))))
                }
            }
            default {
                for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                    mstore(add(cur, shl(5, i)), rev(mload(add(add(xs, 32), shl(5, i)))))
                }
            }
            out := keccak256(p, add(add(32, n), 512))
        }
    }

    function _constChallenge(bytes32 st, uint256 h, uint256 n, bool le) private pure returns (bytes32 hh, uint256 c) {
        uint256 lo;
        uint256 hi;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, st)
            mstore(add(p, 32), h)
            hh := keccak256(p, add(32, n))
            mstore(p, hh)
            mstore8(add(p, 32), 0)
            lo := keccak256(p, 33)
            mstore8(add(p, 32), 1)
            hi := keccak256(p, 33)
        }
        if (le) c = addmod(ZkTranscript.rev(lo), mulmod(ZkTranscript.rev(hi), ZkTranscript.TWO256_MOD_R, R), R);
        else c = addmod(mulmod(lo, ZkTranscript.TWO256_MOD_R, R), hi, R);
    }

    // Gas per primitive, measured with gasleft() over `reps` repetitions (the loop's own overhead
    // included, a few dozen gas): [absorbFr, absorbFrs of 4, absorbG1, challenge, inverse, ecAdd,
    // ecMul, 2-pair pairing, eq per coordinate (n = 16), MLE of 2^8 entries, one degree-3 round's
    // interpolation, absorb 16 Fr, then the constant-header ones below]; the library is v2.
    // Input: [reps, tau2 (4)] (a valid G2 point for the pairing).
    function bench(uint256[] calldata w) external view returns (uint256[] memory g) {
        uint256 reps = w[0];
        g = new uint256[](18);
        bytes32 st = bytes32(uint256(1));
        uint256 x = 12345;
        uint256 before;
        // Warm-up: the scratch memory the primitives hash in is paid for once, here.
        st = ZkTranscript.absorbFrs(st, L_ROUND, new uint256[](8));
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = ZkTranscript.absorbFr(st, L_VALUE, x + i);
        g[0] = (before - gasleft()) / reps;
        uint256[] memory four = new uint256[](4);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = ZkTranscript.absorbFrs(st, L_ROUND, four);
        g[1] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = ZkTranscript.absorbG1(st, L_MASK, 1, 2);
        g[2] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) (st, x) = ZkTranscript.challenge(st, L_CHALLENGE);
        g[3] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) x = ZkFr.inv(x + 1);
        g[4] = (before - gasleft()) / reps;
        uint256 px = 1;
        uint256 py = 2;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) (px, py) = ZkBn254.add(px, py, 1, 2);
        g[5] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) (px, py) = ZkBn254.mul(px, py, x + i);
        g[6] = (before - gasleft()) / reps;
        uint256[4] memory t2 = [w[1], w[2], w[3], w[4]];
        uint256[4] memory g2 = [ZkBn254.G2_X1, ZkBn254.G2_X0, ZkBn254.G2_Y1, ZkBn254.G2_Y0];
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) ZkBn254.pairing2([px, py], g2, [px, py], t2);
        g[7] = (before - gasleft()) / reps;
        uint256[] memory a = new uint256[](16);
        uint256[] memory b = new uint256[](16);
        for (uint256 i = 0; i < 16; ++i) (a[i], b[i]) = (x + i, x + 2 * i);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) x = ZkSumcheck.eq(a, b);
        g[8] = (before - gasleft()) / reps / 16;
        uint256[] memory table = new uint256[](256);
        uint256[] memory pt = new uint256[](8);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) x = ZkSumcheck.mle(table, pt);
        g[9] = (before - gasleft()) / reps;
        uint256[] memory lw = ZkSumcheck.lagrangeWeights(3);
        uint256[] memory vals = new uint256[](4);
        uint256[] memory suf = new uint256[](4);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) x = ZkSumcheck.interpolate(lw, vals, x, suf);
        g[10] = (before - gasleft()) / reps;
        uint256[] memory sixteen = new uint256[](16);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = ZkTranscript.absorbFrs(st, L_ROUND, sixteen);
        g[11] = (before - gasleft()) / reps;
        // What generated code would do: every absorb's header (kind, label, lengths) is a constant
        // of the model's verifier, written with one mstore. v1 (little-endian: each word
        // byte-reversed, the challenge's two words too), for reference: 12 one Fr, 13 16 Fr,
        // 15 challenge; v2 (the library's encoding): 14 one Fr, 16 16 Fr, 17 challenge.
        (uint256 hA, uint256 nA) = _header(1, L_VALUE, 32);
        (uint256 h16, uint256 n16) = _header(1, L_ROUND, 512);
        (uint256 hC, uint256 nC) = _header(2, L_CHALLENGE, 0);
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = _constAbsorb(st, hA, nA, x + i, true);
        g[12] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = _constAbsorb16(st, h16, n16, sixteen, true);
        g[13] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = _constAbsorb(st, hA, nA, x + i, false);
        g[14] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) (st, x) = _constChallenge(st, hC, nC, true);
        g[15] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) st = _constAbsorb16(st, h16, n16, sixteen, false);
        g[16] = (before - gasleft()) / reps;
        before = gasleft();
        for (uint256 i = 0; i < reps; ++i) (st, x) = _constChallenge(st, hC, nC, false);
        g[17] = (before - gasleft()) / reps;
        if (uint256(st) == 0 && x == 7) g[0] = 0;  // keep st and x live
    }
}
