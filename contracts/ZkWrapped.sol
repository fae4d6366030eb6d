// SPDX-License-Identifier: UNLICENSED
// The wrapped proof's contract (src/proof/evm_wrapped.h, docs/protocol/wrap.md section 9): the
// pieces of its check that do not depend on the model. The generated contract calls them in order:
//   fingerprint: the packed public values (the encoding of ZkPublic.sol: wd bytes a value,
//             big-endian two's complement), each range-checked and folded into y = sum_i v_i z^i
//             (v_i as a field element, negative x as R - |x|), z = keccak256(inputs || outputs)
//             mod R: the two Groth16 public inputs that bind the circuit's copies of the values;
//   digests:  each commitment group's digest, keccak256 of its points' (x, y) words as they stand
//             in calldata, read as a big-endian integer mod R (proof::detail::commitment_group_digest),
//             after checking every point: coordinates < Q, on the curve or the identity (0, 0);
//   scalars:  prover-supplied field elements, each < R (the precompiles would reduce a larger one:
//             two encodings of one proof);
//   proofOk:  the shape of the HyperKZG batch proof words (ZkHyperKzg.sol: one group, one-witness
//             form), its scalars < R and its points on the curve, so that ZkHyperKzg.verify, which
//             reverts on such input, only ever returns a verdict;
//   combine:  C = C_mask + sum_c gamma^(c+1) C_c over the opening's table;
//   deferred: the v2 Keccak transcript "zkinfer/proof/deferred-opening/v1" seeded with the seed,
//             then ZkHyperKzg.verify of the one plain item (C, V) at rho.
// Every function returns false (never reverts) on a bad proof: the verifier's answer is a bool.
pragma solidity ^0.8.24;

import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkHyperKzg} from "./ZkHyperKzg.sol";

library ZkWrapped {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 internal constant L_SEED = uint256(bytes32("wrap.seed")) | 9;
    // The opening's table that `combine` reads, item after item: a source byte, then for a key
    // commitment its x and y (64 bytes), for one of the proof's its index (2 bytes, big-endian).

    // The public values' fingerprint (proof/wrap.h public_values_fingerprint): n values of v[at..)
    // (wd bytes each, big-endian two's complement), each in [-2^bits, 2^bits) (lowOpen: a public
    // input) or (-2^bits, 2^bits) (an output), added to y as v_i z^i with zi = z^i on entry;
    // returns y and z^(i+n). False for a value out of its bound or a slice past the end of v.
    function fingerprint(bytes calldata v, uint256 at, uint256 n, uint256 wd, uint256 bits, bool lowOpen, uint256 z, uint256 y,
                         uint256 zi) internal pure returns (bool ok, uint256, uint256)
    {
        if (wd == 0 || wd > 8 || bits == 0 || bits > 62 || bits + 1 > 8 * wd || at + n * wd > v.length) return (false, y, zi);
        ok = true;
        assembly ("memory-safe") {
            let src := add(v.offset, at)
            let sh := sub(256, shl(3, wd))
            let w1 := sub(wd, 1)
            // x in [lo, lo + span): (x - lo) < span, unsigned
            let lo := sub(0, shl(bits, 1))
            let span := shl(add(bits, 1), 1)
            if iszero(lowOpen) {
                lo := add(lo, 1)
                span := sub(span, 1)
            }
            let r := R
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let u := signextend(w1, shr(sh, calldataload(add(src, mul(i, wd)))))
                ok := and(ok, lt(sub(u, lo), span))
                // a negative x (two's complement 2^256 - |x|) as R - |x|: R + u wraps to it
                if slt(u, 0) { u := add(r, u) }
                y := addmod(y, mulmod(u, zi, r), r)
                zi := mulmod(zi, z, r)
            }
        }
        return (ok, y, zi);
    }

    // The digests of the groups whose sizes (in points) are `sizes` over the points coms (x, y
    // words), into pub[k..k + sizes.length); every point checked first. False for a coordinate
    // >= Q, a point off the curve, or coms not exactly the groups' points.
    function digests(uint256[] memory pub, uint256 k, uint256[] calldata coms, uint256[] memory sizes) internal pure returns (bool ok) {
        uint256 total;
        for (uint256 g = 0; g < sizes.length; ++g) total += sizes[g];
        if (coms.length != 2 * total || k + sizes.length > pub.length) return false;
        ok = true;
        assembly ("memory-safe") {
            let q := Q
            for { let i := 0 } lt(i, total) { i := add(i, 1) } {
                let x := calldataload(add(coms.offset, shl(6, i)))
                let y := calldataload(add(coms.offset, add(shl(6, i), 32)))
                // y^2 = x^3 + 3, or the identity (0, 0)
                let onCurve := eq(mulmod(y, y, q), addmod(mulmod(x, mulmod(x, x, q), q), 3, q))
                ok := and(ok, and(and(lt(x, q), lt(y, q)), or(onCurve, iszero(or(x, y)))))
            }
            let buf := mload(0x40)
            let at := coms.offset
            let n := mload(sizes)
            for { let g := 0 } lt(g, n) { g := add(g, 1) } {
                let len := shl(6, mload(add(add(sizes, 32), shl(5, g))))
                calldatacopy(buf, at, len)
                mstore(add(add(pub, 32), shl(5, add(k, g))), mod(keccak256(buf, len), R))
                at := add(at, len)
            }
        }
    }

    // op[from..from + n) into pub[k..k + n): false unless each is < R.
    function scalars(uint256[] memory pub, uint256 k, uint256[] calldata op, uint256 from, uint256 n) internal pure returns (bool ok) {
        if (from + n > op.length || k + n > pub.length) return false;
        ok = true;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let s := calldataload(add(op.offset, shl(5, add(from, i))))
                ok := and(ok, lt(s, R))
                mstore(add(add(pub, 32), shl(5, add(k, i))), s)
            }
        }
    }

    // The batch proof of one group at n variables (ZkHyperKzg: C_m (2), M (2), w, rho_G, t_G,
    // folds (2 (n - 1)), evals (3 n), W (2)): its length, its scalars < R, its points (coordinates
    // < Q) on the curve or the identity.
    function proofOk(uint256[] calldata pf, uint256 n) internal pure returns (bool ok) {
        if (n == 0 || pf.length != ZkHyperKzg.proofWords(n)) return false;
        ok = true;
        uint256 e0 = 7 + 2 * (n - 1);
        assembly ("memory-safe") {
            let q := Q
            function pointOk(cd, at, qq) -> good {
                let x := calldataload(add(cd, shl(5, at)))
                let y := calldataload(add(cd, shl(5, add(at, 1))))
                let onCurve := eq(mulmod(y, y, qq), addmod(mulmod(x, mulmod(x, x, qq), qq), 3, qq))
                good := and(and(lt(x, qq), lt(y, qq)), or(onCurve, iszero(or(x, y))))
            }
            let cd := pf.offset
            ok := and(pointOk(cd, 0, q), pointOk(cd, 2, q))
            for { let i := 4 } lt(i, 7) { i := add(i, 1) } { ok := and(ok, lt(calldataload(add(cd, shl(5, i))), R)) }
            for { let i := 7 } lt(i, e0) { i := add(i, 2) } { ok := and(ok, pointOk(cd, i, q)) }
            let e1 := add(e0, mul(3, n))
            for { let i := e0 } lt(i, e1) { i := add(i, 1) } { ok := and(ok, lt(calldataload(add(cd, shl(5, i))), R)) }
            ok := and(ok, pointOk(cd, e1, q))
        }
    }

    // C = C_mask + sum_c gamma^(c+1) C_c, C_c the table's items in order (source 0, a key
    // commitment (x, y); source 1, the proof's commitment coms[2 j], coms[2 j + 1] with j the
    // two-byte index), C_mask the proof's commitment `mask`. False when a precompile refuses
    // (a point off the curve: the callers check them first) or an index is out of range (the
    // generator writes none).
    function combine(bytes memory table, uint256[] calldata coms, uint256 mask, uint256 gamma)
        internal
        view
        returns (bool ok, uint256 x, uint256 y)
    {
        uint256 ncoms = coms.length / 2;
        if (mask >= ncoms) return (false, 0, 0);
        ok = true;
        assembly ("memory-safe") {
            let p := mload(0x40)
            // p[0..64) the sum, p[64..160) ecMul's input
            mstore(p, calldataload(add(coms.offset, shl(6, mask))))
            mstore(add(p, 0x20), calldataload(add(coms.offset, add(shl(6, mask), 32))))
            let g := gamma
            let t := add(table, 32)
            let end := add(t, mload(table))
            for { } lt(t, end) { } {
                let px := 0
                let py := 0
                switch byte(0, mload(t))
                case 0 {
                    // the inner key's commitment: its (x, y) in the table
                    px := mload(add(t, 1))
                    py := mload(add(t, 33))
                    t := add(t, 65)
                }
                default {
                    // the proof's commitment number idx (two bytes): its words in coms (an index
                    // past coms clears ok; calldataload past the end reads zeros)
                    let idx := shr(240, mload(add(t, 1)))
                    ok := and(ok, lt(idx, ncoms))
                    let at := add(coms.offset, shl(6, idx))
                    px := calldataload(at)
                    py := calldataload(add(at, 32))
                    t := add(t, 3)
                }
                mstore(add(p, 0x40), px)
                mstore(add(p, 0x60), py)
                mstore(add(p, 0x80), g)
                ok := and(ok, staticcall(gas(), 0x07, add(p, 0x40), 0x60, add(p, 0x40), 0x40))
                ok := and(ok, staticcall(gas(), 0x06, p, 0x80, p, 0x40))
                g := mulmod(g, gamma, R)
            }
            // a table that does not end on an item's end is malformed
            ok := and(ok, eq(t, end))
            x := mload(p)
            y := mload(add(p, 0x20))
        }
    }

    // The deferred opening: (C, V) at rho under the kzg key words `key` (ZkHyperKzg's 32), over the
    // transcript of the domain seeded with `seed`. rho, V and seed < R and pf's shape checked by
    // the caller (scalars, proofOk): verify then returns its verdict without reverting.
    function deferred(uint256[] memory key, uint256[] memory rho, uint256 cx, uint256 cy, uint256 v, uint256 seed, uint256[] calldata pf)
        internal
        view
        returns (bool)
    {
        bytes32 st = ZkTranscript.init("zkinfer/proof/deferred-opening/v1");
        st = ZkTranscript.absorbFr(st, L_SEED, seed);
        uint256[] memory items = new uint256[](ZkHyperKzg.ITEM_WORDS);
        items[0] = cx;
        items[1] = cy;
        items[3] = v;
        (, bool ok) = ZkHyperKzg.verify(st, key, rho, items, pf);
        return ok;
    }
}
