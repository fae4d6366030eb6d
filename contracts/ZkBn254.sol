// SPDX-License-Identifier: UNLICENSED
// BN254 group operations through the EVM's precompiles: ecAdd (0x06), ecMul (0x07), ecPairing (0x08)
// (EIP-196, EIP-197). G1 points are (x, y) words, the identity (0, 0); the precompiles reject
// coordinates >= Q and points off the curve, which makes every call here revert (InvalidPoint).
// G2 points are four words in EIP-197 order: x.c1, x.c0, y.c1, y.c0 (G2Affine::to_evm_bytes).
pragma solidity ^0.8.24;

library ZkBn254 {
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    // [1]_2, the standard generator (EIP-197), as every snarkjs / Perpetual Powers of Tau file has it.
    uint256 internal constant G2_X1 = 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2;
    uint256 internal constant G2_X0 = 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed;
    uint256 internal constant G2_Y1 = 0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b;
    uint256 internal constant G2_Y0 = 0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa;

    error InvalidPoint();

    function add(uint256 ax, uint256 ay, uint256 bx, uint256 by) internal view returns (uint256 x, uint256 y) {
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, ax)
            mstore(add(p, 0x20), ay)
            mstore(add(p, 0x40), bx)
            mstore(add(p, 0x60), by)
            ok := staticcall(gas(), 0x06, p, 0x80, p, 0x40)
            x := mload(p)
            y := mload(add(p, 0x20))
        }
        if (!ok) revert InvalidPoint();
    }

    function mul(uint256 ax, uint256 ay, uint256 s) internal view returns (uint256 x, uint256 y) {
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, ax)
            mstore(add(p, 0x20), ay)
            mstore(add(p, 0x40), s)
            ok := staticcall(gas(), 0x07, p, 0x60, p, 0x40)
            x := mload(p)
            y := mload(add(p, 0x20))
        }
        if (!ok) revert InvalidPoint();
    }

    // acc + s P (one ecMul, one ecAdd).
    function mulAdd(uint256[2] memory acc, uint256 px, uint256 py, uint256 s) internal view {
        (uint256 x, uint256 y) = mul(px, py, s);
        (acc[0], acc[1]) = add(acc[0], acc[1], x, y);
    }

    function negate(uint256 x, uint256 y) internal pure returns (uint256, uint256) {
        if (x == 0 && y == 0) return (0, 0);
        return (x, (Q - (y % Q)) % Q);
    }

    // e(a, ga) e(b, gb) e(c, gc) == 1 (the one-witness HyperKZG check: ZkHyperKzg).
    function pairing3(
        uint256[2] memory a,
        uint256[4] memory ga,
        uint256[2] memory b,
        uint256[4] memory gb,
        uint256[2] memory c,
        uint256[4] memory gc
    ) internal view returns (bool) {
        uint256[18] memory input = [
            a[0], a[1], ga[0], ga[1], ga[2], ga[3],
            b[0], b[1], gb[0], gb[1], gb[2], gb[3],
            c[0], c[1], gc[0], gc[1], gc[2], gc[3]
        ];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x240, out, 0x20)
        }
        if (!ok) revert InvalidPoint();
        return out[0] == 1;
    }

    // e(a, A) e(b, B) == 1, A and B in EIP-197 order; reverts on invalid input.
    function pairing2(uint256[2] memory a, uint256[4] memory ga, uint256[2] memory b, uint256[4] memory gb)
        internal
        view
        returns (bool)
    {
        uint256[12] memory input =
            [a[0], a[1], ga[0], ga[1], ga[2], ga[3], b[0], b[1], gb[0], gb[1], gb[2], gb[3]];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x180, out, 0x20)
        }
        if (!ok) revert InvalidPoint();
        return out[0] == 1;
    }
}
