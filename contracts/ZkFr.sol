// SPDX-License-Identifier: UNLICENSED
// zkinfer's EVM verifier: arithmetic in BN254's scalar field Fr (src/field's Fr), over uint256
// values in [0, R). Every value that comes from calldata is checked canonical (< R) before use
// (`canonical`), as the C++ decoders reject non-canonical encodings.
pragma solidity ^0.8.24;

library ZkFr {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    error NonCanonicalScalar(uint256 value);
    error ZeroInverse();
    error ModexpFailed();

    function canonical(uint256 a) internal pure returns (uint256) {
        if (a >= R) revert NonCanonicalScalar(a);
        return a;
    }

    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        return addmod(a, b, R);
    }

    // a - b for b < R.
    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        return addmod(a, R - b, R);
    }

    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        return mulmod(a, b, R);
    }

    function neg(uint256 a) internal pure returns (uint256) {
        return a == 0 ? 0 : R - a;
    }

    // a^(R-2) by the modexp precompile (0x05); reverts for a = 0.
    function inv(uint256 a) internal view returns (uint256 out) {
        if (a % R == 0) revert ZeroInverse();
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 0x20)
            mstore(add(p, 0x20), 0x20)
            mstore(add(p, 0x40), 0x20)
            mstore(add(p, 0x60), a)
            mstore(add(p, 0x80), sub(R, 2))
            mstore(add(p, 0xa0), R)
            ok := staticcall(gas(), 0x05, p, 0xc0, p, 0x20)
            out := mload(p)
        }
        if (!ok) revert ModexpFailed();
    }
}
