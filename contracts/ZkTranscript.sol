// SPDX-License-Identifier: UNLICENSED
// zkinfer's Fiat-Shamir transcript (src/transcript/transcript.h), replayed on the EVM byte for byte.
// The state is a bytes32 that every call takes and returns:
//   init:      state = keccak256("zkinfer-transcript-v1" || u32le(|domain|) || domain)
//   absorb:    state = keccak256(state || 0x01 || u32le(|label|) || label || u64le(|data|) || data)
//   challenge: h = keccak256(state || 0x02 || u32le(|label|) || label); state = h;
//              c = (le(keccak256(h || 0x00)) + 2^256 le(keccak256(h || 0x01))) mod R
// where le() reads 32 bytes as a little-endian integer (Fr's from_uniform_bytes). Encodings of the
// absorbed values (as the C++ to_bytes): a field element is its 32 canonical little-endian bytes;
// a G1 point (x, y) its 32-byte compressed form, little-endian x with bit 255 set for odd y, and
// 2^254 alone for the identity, which the EVM writes (0, 0); a u64 its 8 little-endian bytes.
// The functions hash in free memory without moving the free-memory pointer (scratch space).
// Field elements absorbed are checked canonical (< R); G1 coordinates are checked by the
// precompiles every point goes through (ecAdd/ecMul revert on a point off the curve).
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";

library ZkTranscript {
    uint256 internal constant R = ZkFr.R;
    uint256 internal constant TWO256_MOD_R = 0x0e0a77c19a07df2f666ea36f7879462e36fc76959f60cd29ac96341c4ffffffb;

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

    // The compressed G1 encoding (src/curve/g1.h) as the word whose bytes are absorbed.
    function g1Word(uint256 x, uint256 y) internal pure returns (uint256) {
        if (x == 0 && y == 0) return rev(1 << 254);
        return rev(x | ((y & 1) << 255));
    }

    function init(bytes memory domain) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("zkinfer-transcript-v1", bytes4(bytes32(rev(domain.length))), domain));
    }

    // Writes state || kind || u32le(|label|) || label at the free-memory pointer; returns the start
    // and the cursor after the label. Whatever lies past the cursor is overwritten or not hashed.
    function _begin(bytes32 st, uint256 kind, bytes memory label) private pure returns (uint256 p, uint256 cur) {
        uint256 ll = rev(label.length);
        assembly ("memory-safe") {
            p := mload(0x40)
            mstore(p, st)
            mstore8(add(p, 32), kind)
            mstore(add(p, 33), ll)
            cur := add(p, 37)
            let n := mload(label)
            for { let i := 0 } lt(i, n) { i := add(i, 32) } { mstore(add(cur, i), mload(add(add(label, 32), i))) }
            cur := add(cur, n)
        }
    }

    function _hash(uint256 p, uint256 end) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(p, sub(end, p))
        }
    }

    function _putLen(uint256 cur, uint256 len) private pure returns (uint256) {
        uint256 w = rev(len);
        assembly ("memory-safe") {
            mstore(cur, w)
        }
        return cur + 8;
    }

    function _putWord(uint256 cur, uint256 w) private pure returns (uint256) {
        assembly ("memory-safe") {
            mstore(cur, w)
        }
        return cur + 32;
    }

    function absorbBytes(bytes32 st, bytes memory label, bytes memory data) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, data.length);
        assembly ("memory-safe") {
            let n := mload(data)
            for { let i := 0 } lt(i, n) { i := add(i, 32) } { mstore(add(cur, i), mload(add(add(data, 32), i))) }
            cur := add(cur, n)
        }
        return _hash(p, cur);
    }

    function absorbU64(bytes32 st, bytes memory label, uint64 v) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, 8);
        cur = _putLen(cur, v);
        return _hash(p, cur);
    }

    function absorbFr(bytes32 st, bytes memory label, uint256 x) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, 32);
        cur = _putWord(cur, rev(ZkFr.canonical(x)));
        return _hash(p, cur);
    }

    function absorbFrs(bytes32 st, bytes memory label, uint256[] memory xs) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, 32 * xs.length);
        for (uint256 i = 0; i < xs.length; ++i) cur = _putWord(cur, rev(ZkFr.canonical(xs[i])));
        return _hash(p, cur);
    }

    // The same for a calldata slice (proof words read in place).
    function absorbFrsCd(bytes32 st, bytes memory label, uint256[] calldata xs) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, 32 * xs.length);
        for (uint256 i = 0; i < xs.length; ++i) cur = _putWord(cur, rev(ZkFr.canonical(xs[i])));
        return _hash(p, cur);
    }

    function absorbG1(bytes32 st, bytes memory label, uint256 x, uint256 y) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        cur = _putLen(cur, 32);
        cur = _putWord(cur, g1Word(x, y));
        return _hash(p, cur);
    }

    // Points given as consecutive (x, y) words of a calldata slice.
    function absorbG1sCd(bytes32 st, bytes memory label, uint256[] calldata xy) internal pure returns (bytes32) {
        (uint256 p, uint256 cur) = _begin(st, 1, label);
        uint256 n = xy.length / 2;
        cur = _putLen(cur, 32 * n);
        for (uint256 i = 0; i < n; ++i) cur = _putWord(cur, g1Word(xy[2 * i], xy[2 * i + 1]));
        return _hash(p, cur);
    }

    function challenge(bytes32 st, bytes memory label) internal pure returns (bytes32 h, uint256 c) {
        (uint256 p, uint256 cur) = _begin(st, 2, label);
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
        c = addmod(rev(lo), mulmod(rev(hi), TWO256_MOD_R, R), R);
    }
}
