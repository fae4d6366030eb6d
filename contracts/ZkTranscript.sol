// SPDX-License-Identifier: UNLICENSED
// zkinfer's Fiat-Shamir transcript (src/transcript/transcript.h), replayed on the EVM byte for byte,
// in its v2 encoding (the EVM's byte order; what kzg keys of version 4 and later use:
// docs/protocol/evm.md section 4.3). The state is a bytes32 that every call takes and returns:
//   init:      state = keccak256("zkinfer-transcript-v2" || u32be(|domain|) || domain)
//   absorb:    state = keccak256(state || 0x01 || u32be(|label|) || label || u64be(|data|) || data)
//   challenge: h = keccak256(state || 0x02 || u32be(|label|) || label); state = h;
//              c = (2^256 keccak256(h || 0x00) + keccak256(h || 0x01)) mod R
// (the 64 hash bytes read as one big-endian integer). Encodings of the absorbed values: a field
// element is its 32-byte big-endian word; a G1 point (x, y) the big-endian word of its compressed
// form, x | (y & 1) << 255, and 2^254 for the identity, which the EVM writes (0, 0); a u64 its
// 8 big-endian bytes. No byte reversal anywhere: the words are absorbed as the EVM holds them.
// (v1, the little-endian encoding hyrax keys and version-3 kzg keys use, is not implemented here.)
//
// Labels are packed words: the label's bytes from the top, its length (at most 31) in the lowest
// byte: `label("kzg.r")` off chain, or uint256(bytes32("kzg.r")) | 5 as a constant (every label of
// the C++ protocol has at most 28 bytes). The functions hash in free memory without moving the
// free-memory pointer (scratch space: nothing allocates between the writes and the hash).
// Field elements absorbed are checked canonical (< R); G1 coordinates are checked by the
// precompiles every point goes through (ecAdd/ecMul revert on a point off the curve).
pragma solidity ^0.8.24;

library ZkTranscript {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant TWO256_MOD_R = 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb;

    error NonCanonicalScalar();
    error LabelTooLong();

    // A packed label from bytes (at most 31).
    function label(bytes memory s) internal pure returns (uint256 w) {
        if (s.length > 31) revert LabelTooLong();
        assembly ("memory-safe") {
            // bytes past the label are never hashed (overwritten first or past the end)
            w := or(and(mload(add(s, 32)), not(0xff)), mload(s))
        }
    }

    // Byte reversal of a word: the little-endian bytes of v, first byte first.
    function rev(uint256 v) internal pure returns (uint256) {
        v = ((v >> 8) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
            | ((v & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
        v = ((v >> 16) & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
            | ((v & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
        v = ((v >> 32) & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)
            | ((v & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
        v = ((v >> 64) & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
            | ((v & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff) << 64);
        return (v >> 128) | (v << 128);
    }

    // The compressed G1 encoding (src/curve/g1.h) as the big-endian word absorbed.
    function g1Word(uint256 x, uint256 y) internal pure returns (uint256) {
        if (x == 0 && y == 0) return 1 << 254;
        return x | ((y & 1) << 255);
    }

    function frWord(uint256 x) internal pure returns (uint256) {
        if (x >= R) revert NonCanonicalScalar();
        return x;
    }

    function init(bytes memory domain) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("zkinfer-transcript-v2", uint32(domain.length), domain));
    }

    // Writes state || kind || u32be(|label|) || label (and for an absorb u64be(dataLen)) at the
    // free-memory pointer; returns the start and the cursor after them. Bytes past the cursor are
    // overwritten next or not hashed.
    function _begin(bytes32 st, uint256 kind, uint256 lbl, uint256 dataLen) private pure returns (uint256 p, uint256 cur) {
        uint256 n = lbl & 0xff;
        assembly ("memory-safe") {
            p := mload(0x40)
            mstore(p, st)
            mstore8(add(p, 32), kind)
            mstore(add(p, 33), shl(224, n))
            mstore(add(p, 37), lbl)
            cur := add(add(p, 37), n)
            if eq(kind, 1) {
                mstore(cur, shl(192, dataLen))
                cur := add(cur, 8)
            }
        }
    }

    function _hash(uint256 p, uint256 end) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(p, sub(end, p))
        }
    }

    function _put(uint256 cur, uint256 w) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(cur, w)
        }
        return cur + 32;
    }

    function absorbBytes(bytes32 st, uint256 lbl, bytes memory data) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, data.length);
        assembly ("memory-safe") {
            let n := mload(data)
            for { let i := 0 } lt(i, n) { i := add(i, 32) } { mstore(add(cur, i), mload(add(add(data, 32), i))) }
            cur := add(cur, n)
        }
        return _hash(p, cur);
    }

    function absorbU64(bytes32 st, uint256 lbl, uint64 v) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 8);
        uint256 w = uint256(v) << 192;
        assembly ("memory-safe") {
            mstore(cur, w)
            cur := add(cur, 8)
        }
        return _hash(p, cur);
    }

    function absorbFr(bytes32 st, uint256 lbl, uint256 x) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 32);
        return _hash(p, _put(cur, frWord(x)));
    }

    function absorbFrs(bytes32 st, uint256 lbl, uint256[] memory xs) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 32 * xs.length);
        bool bad;
        assembly ("memory-safe") {
            let n := mload(xs)
            let src := add(xs, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let x := mload(add(src, shl(5, i)))
                bad := or(bad, iszero(lt(x, R)))
                mstore(cur, x)
                cur := add(cur, 32)
            }
        }
        if (bad) revert NonCanonicalScalar();
        return _hash(p, cur);
    }

    // The same for a calldata slice (proof words read in place).
    function absorbFrsCd(bytes32 st, uint256 lbl, uint256[] calldata xs) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 32 * xs.length);
        bool bad;
        assembly ("memory-safe") {
            let n := xs.length
            let src := xs.offset
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let x := calldataload(add(src, shl(5, i)))
                bad := or(bad, iszero(lt(x, R)))
                mstore(cur, x)
                cur := add(cur, 32)
            }
        }
        if (bad) revert NonCanonicalScalar();
        return _hash(p, cur);
    }

    function absorbG1(bytes32 st, uint256 lbl, uint256 x, uint256 y) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 32);
        return _hash(p, _put(cur, g1Word(x, y)));
    }

    // Points given as consecutive (x, y) words of a calldata slice.
    function absorbG1sCd(bytes32 st, uint256 lbl, uint256[] calldata xy) internal pure returns (bytes32) {
        uint256 n = xy.length / 2;
        (uint256 p, uint256 cur) = _begin(st, 1, lbl, 32 * n);
        assembly ("memory-safe") {
            let src := xy.offset
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let x := calldataload(add(src, shl(6, i)))
                let y := calldataload(add(src, add(shl(6, i), 32)))
                let w := or(x, shl(255, and(y, 1)))
                if iszero(or(x, y)) { w := shl(254, 1) }
                mstore(cur, w)
                cur := add(cur, 32)
            }
        }
        return _hash(p, cur);
    }

    function challenge(bytes32 st, uint256 lbl) internal pure returns (bytes32 h, uint256 c) {
        (uint256 p, uint256 cur) = _begin(st, 2, lbl, 0);
        h = _hash(p, cur);
        uint256 lo;
        uint256 hi;
        assembly ("memory-safe") {
            mstore(p, h)
            mstore8(add(p, 32), 0)
            lo := keccak256(p, 33)
            mstore8(add(p, 32), 1)
            hi := keccak256(p, 33)
        }
        c = addmod(mulmod(lo, TWO256_MOD_R, R), hi, R);
    }
}
