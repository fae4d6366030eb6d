// SPDX-License-Identifier: UNLICENSED
// The types the whole-model EVM verifier's step routines share (docs/protocol/evm.md, section 3.3).
//
// A step routine is the Solidity transcription of one C++ layer verifier (src/layers/*.h
// `verify_*`, plain mode: every message a field element in the clear). It takes the transcript
// state, the layer's public parameters, the claims on its output and the proof words (calldata,
// in proof-file order: the words `zkinfer encode-evm-calldata` writes, one per field element, two
// per G1 point) from position `pos`; it returns a StepOut. Its claims, advice claims and lookup
// registrations are exactly what the C++ verifier produces, in the same order, and its transcript
// state after the step is the C++ transcript's.
pragma solidity ^0.8.24;

library ZkTypes {
    // A claim that a tensor's padded MLE (little-endian variables, src/layers/layout.h) has `value`
    // at `point` (layers::Claim).
    struct Claim {
        uint256[] point;
        uint256 value;
    }

    // A claim on the step's advice vector number `advice` (layers::AdviceClaim: an index into the
    // step's advice list, in advice_shapes order, before the caller's offset).
    struct AdviceClaim {
        uint256 advice;
        uint256[] point;
        uint256 value;
    }

    // A range lookup the step registers with the model-wide lookup batch (what
    // NlVerifier::register_lookups adds to lookup::BatchVerifier, in registration order): the
    // column is the step's advice vector `advice` (2^numVars rows, numVars as registered), the
    // table the range [0, 2^tableLog).
    struct RangeLookup {
        uint256 advice;
        uint256 numVars;
        uint256 tableLog;
    }

    // What a step routine returns (one struct: stack depth).
    struct StepOut {
        bytes32 st;  // the transcript state after the step
        bool ok;  // false: a check failed (malformed words may revert instead)
        uint256 pos;  // the next unread proof word
        Claim[] x;  // claims on the main input, in the C++ order
        Claim[] w;  // claims on the second operand (matmul's B, conv's W), if any
        Claim[] bias;  // claims on the bias, values as the C++ layer returns them
        AdviceClaim[] advice;  // in the C++ order
        RangeLookup[] lookups;  // in registration order
    }

    // ---- zero-knowledge mode (docs/protocol/evm.md section 4.1.1): claim values as sparse forms ----

    // A claim whose value is a sparse affine form over cp's atoms (ZkCp's flat form
    // [c, n, (atom, coeff) x n]; a public value: [v, 0]): the zero-knowledge verifier's
    // layers::Claim with a hidden cp::Val.
    struct ZkClaim {
        uint256[] point;
        uint256[] form;
    }

    // What a step routine returns in zero-knowledge mode (its relations go to the caller's
    // ZkCp.Log, which also counts the slots used).
    struct ZkStepOut {
        bytes32 st;
        bool ok;  // false: a check failed outside the recorded relations (e.g. a missing pad chunk)
        uint256 pos;
        ZkClaim[] x;
        ZkClaim[] w;
        ZkClaim[] bias;
        ZkAdviceClaim[] advice;  // the non-linear layers' (ZkCpNonlinear), in the C++ order
        RangeLookup[] lookups;  // the non-linear layers' range lookups, in registration order
    }

    // A claim on the step's advice vector number `advice` with its value as a form (AdviceClaim
    // in zero-knowledge mode: a digit vector's evaluation, a padded message of one slot).
    struct ZkAdviceClaim {
        uint256 advice;
        uint256[] point;
        uint256[] form;
    }
}
