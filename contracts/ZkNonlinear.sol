// SPDX-License-Identifier: UNLICENSED
// zkinfer's non-linear layers on the EVM, part 1: the shared machinery of src/layers/rescale.h
// (DigitPlan, detail::NlVerifier: advice vectors, digit range checks, evaluations, zero-checks,
// the range lookups registered with the model-wide batch) and the step routines of the rescale,
// ReLU and bound layers (layers::verify_rescale, verify_relu, verify_bound). Pools: ZkPool.sol.
//
// Mode: plain (every message a field element in the clear) under the model-wide lookup batch (a
// lookup::BatchVerifier in the proof's session, zk/session.h): a layer's range checks are
// registered with the batch (StepOut.lookups, in registration order) and its proof has no
// multiplicities and no lookup proof of its own. Table lookups (two-column tables: tabulated
// activations) are not supported here (NotSupported).
//
// Proof words (one per field element, the layer's NonlinearProof::serialize order, from `pos`):
// first every evaluation the layer sends (`nonlinear.eval`, in the order the verifier receives
// them: a range-checked vector's evaluation is its digits' evaluations, the low digits first,
// then the top digit), then each sumcheck's rounds and final values. The transcript absorbs them
// in protocol order (evaluations after a zero-check come after its sumcheck on the transcript but
// before it in the words).
//
// Public parameters: each routine takes a struct that mirrors the C++ params struct field by
// field; a descriptor-driven driver can decode them from flat words with the decode* functions:
//   RescaleParams {dims, shift, out_bits}          words: [rank, dims..., shift, out_bits]
//   ReluParams    {dims, shift, bits}              words: [rank, dims..., shift, bits]
//   BoundParams   {dims, bits, zero_padding, first_log}
//                                                  words: [rank, dims..., bits, zero_padding (0/1), first_log]
// (dims row-major, as the C++ vector; the words' order is the struct's; out_bits, zero_padding,
// first_log are the fields outBits, zeroPadding, firstLog.) Parameters the C++
// verifier rejects (PaddedShape::invalid, a shift or bit bound out of range) give ok = false, as
// do claims whose points have the wrong length.
//
// Advice ids (StepOut.advice[i].advice, RangeLookup.advice) are NlVerifier's: the layer's advice
// list in add_range order, each range check adding its low-digit vector (when it has low digits)
// then its top-digit vector. A failed check returns ok = false (the other fields are then
// meaningless); malformed words (non-canonical field elements, too few words) revert.
pragma solidity ^0.8.24;

import {ZkFr} from "./ZkFr.sol";
import {ZkSumcheck} from "./ZkSumcheck.sol";
import {ZkTranscript} from "./ZkTranscript.sol";
import {ZkTypes} from "./ZkTypes.sol";

library ZkNonlinear {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;  // ZkFr.R
    uint256 internal constant NONE = type(uint256).max;
    uint256 internal constant DIGIT_BITS = 16;  // layers::kDigitBits
    uint256 internal constant DIGIT_OVERHEAD = 64;  // layers::kDigitOverhead
    uint256 internal constant MAX_RANGE_BITS = 62;  // layers::kMaxRangeBits

    error NotSupported();
    error BadShape();

    uint256 internal constant L_EVAL = uint256(bytes32("nonlinear.eval")) | 14;
    uint256 internal constant L_RESCALE_CLAIM = uint256(bytes32("rescale.claim")) | 13;
    uint256 internal constant L_RESCALE_NUM = uint256(bytes32("rescale.claim.num_claims")) | 24;
    uint256 internal constant L_RELU_CLAIM = uint256(bytes32("relu.claim")) | 10;
    uint256 internal constant L_RELU_NUM = uint256(bytes32("relu.claim.num_claims")) | 21;
    uint256 internal constant L_RELU_TAU = uint256(bytes32("relu.tau")) | 8;
    uint256 internal constant L_BOUND_CLAIM = uint256(bytes32("bound.claim")) | 11;
    uint256 internal constant L_BOUND_NUM = uint256(bytes32("bound.claim.num_claims")) | 22;
    uint256 internal constant L_BOUND_TAU = uint256(bytes32("bound.tau")) | 9;

    // ---------------------------------------------------------------------------------------
    // Layout helpers (src/layers/layout.h).

    // ceil(log2(d)), d >= 1.
    function ceilLog2(uint256 d) internal pure returns (uint256 k) {
        while ((uint256(1) << k) < d) ++k;
    }

    // PaddedShape: whether dims is valid (PaddedShape::invalid) and its number of variables.
    function shapeVars(uint256[] memory dims) internal pure returns (bool valid, uint256 n) {
        for (uint256 i = 0; i < dims.length; ++i) {
            uint256 d = dims[i];
            if (d == 0 || d > (uint256(1) << 40)) return (false, 0);
            n += ceilLog2(d);
        }
        if (n > 40) return (false, 0);
        valid = true;
    }

    // sum over x < count of eq(point[lo .. lo + len), x) (layout.cc eq_prefix_sum).
    function eqPrefixSum(uint256[] memory point, uint256 lo, uint256 len, uint256 count)
        internal
        pure
        returns (uint256 sum)
    {
        if (count == (uint256(1) << len)) return 1;
        uint256 prefix = 1;
        for (uint256 j = len; j > 0; --j) {
            uint256 p = point[lo + j - 1];
            if ((count >> (j - 1)) & 1 == 1) {
                sum = addmod(sum, mulmod(prefix, addmod(1, R - p, R), R), R);
                prefix = mulmod(prefix, p, R);
            } else {
                prefix = mulmod(prefix, addmod(1, R - p, R), R);
            }
        }
    }

    // The indicator MLE of the unpadded entries at point (rescale.cc indicator_mle). firstLog: the
    // first dimension's variables when widened (bound.h first_log; 0: its own).
    function indicator(uint256[] memory dims, uint256 firstLog, uint256[] memory point)
        internal
        pure
        returns (uint256 acc)
    {
        acc = 1;
        uint256 off = 0;
        for (uint256 d = dims.length; d > 0; --d) {
            uint256 len = ceilLog2(dims[d - 1]);
            if (d == 1 && firstLog > len) len = firstLog;
            acc = mulmod(acc, eqPrefixSum(point, off, len, dims[d - 1]), R);
            off += len;
        }
    }

    // ---------------------------------------------------------------------------------------
    // DigitPlan (rescale.cc DigitPlan::make): the digit layout of a range check of 2^numVars
    // values into [0, 2^bits). The cost is the C++'s (exact in a double: every term a power of two
    // below 2^47 or a multiple of 64), minimized over digit widths 16 down to 1, ties to the wider.

    struct Plan {
        uint256 bits;
        uint256 numVars;
        uint256 digitBits;
        uint256 numLow;
        uint256 lowVars;
        uint256 topBits;
    }

    function _planFor(uint256 bits, uint256 numVars, uint256 w) private pure returns (Plan memory p) {
        p.bits = bits;
        p.numVars = numVars;
        (p.digitBits, p.numLow, p.lowVars, p.topBits) = _split(bits, w);
    }

    // (digitBits, numLow, lowVars, topBits) of digit width w.
    function _split(uint256 bits, uint256 w)
        private
        pure
        returns (uint256 digitBits, uint256 numLow, uint256 lowVars, uint256 topBits)
    {
        numLow = (bits - 1) / w;
        topBits = bits - w * numLow;
        lowVars = numLow == 0 ? 0 : ceilLog2(numLow);
        digitBits = numLow == 0 ? bits : w;
    }

    // DigitPlan::make's width: the one of the C++ cost (2^numVars + 2^topBits + 64, plus, with low
    // digits, 2^(numVars + lowVars) + 2^digitBits + 64 numLow) minimized over widths 16 down to 1,
    // ties to the wider. Session 19: a table instead of the 16 costs computed per call (resnet18:
    // about 0.4 M gas): per bit bound 1..62, a 5-byte big-endian entry: w0 (5 bits), then three
    // pairs (t: 6 bits, w: 5 bits), the width being the w of the last pair with t <= numVars (w0
    // when none; t = 63: never). Every (bits, numVars) is checked against DigitPlan::make by
    // evm_nonlinear_test (DigitPlanMatchesCpp). (Bytes, not a switch of words: code size, the
    // zero-knowledge max pool's entry is near the 24,576-byte limit.)
    bytes private constant WIDTHS = hex"21fc3f87f021fc3f87f021fc3f87f021fc3f87f021fc3f87f021fc3f87f021fc3f80c421fc3f810421fc3f812521fc3f814521fc0b306421fc0c30a421fc0d38e521fc0e390521fc0f410521fc10412613fa7f494613fa4a308515fa8b38a515fa8b38a517facc38c617facc40e619fb0d40e619fb0d41051bfb4e49051bfb4e49261dfb8f49261dfb8f51461ffbd051461ffbd05146208acb3826208acb384617facb386619fb0c388619fb0c38a619fb0c40a61bfb4d40a61bfb4d40a61bfb4d40c61dfb8e40e61dfb8e48e61dfb8e48e61ffbcf48e71ffbcf48e71ffbcf490721fc10510721fc10510721fc10510715fabf512615fabf512717faff592717faff592717faff594717faff594717faff594719fb0a386619fb3f616719fb3f616719fb3f616719fb3f61671bfb7f69871bfb7f6987";

    function _width(uint256 bits, uint256 numVars) private pure returns (uint256 w) {
        uint256 fp;
        assembly ("memory-safe") {
            fp := mload(0x40)
        }
        bytes memory t = WIDTHS;
        assembly ("memory-safe") {
            let e := shr(216, mload(add(add(t, 32), mul(5, sub(bits, 1)))))
            mstore(0x40, fp)  // the table's copy is not kept
            w := and(e, 31)
            for { let s := 5 } lt(s, 38) { s := add(s, 11) } {
                if iszero(lt(numVars, and(shr(s, e), 63))) { w := and(shr(add(s, 6), e), 31) }
            }
        }
    }

    function digitPlan(uint256 bits, uint256 numVars) internal pure returns (Plan memory) {
        if (bits < 1 || bits > MAX_RANGE_BITS || numVars > 40) revert BadShape();
        return _planFor(bits, numVars, _width(bits, numVars));
    }

    // The number of evaluations one recvRangeEval of a range check into [0, 2^bits) over 2^n
    // values reads (range_eval_count).
    function rangeEvalCount(uint256 n, uint256 bits) internal pure returns (uint256) {
        return digitPlan(bits, n).numLow + 1;
    }

    // ---------------------------------------------------------------------------------------
    // NlVerifier (rescale.h detail::NlVerifier), plain mode under the model-wide batch.

    struct Range {
        Plan plan;
        uint256 low;  // advice id of the low digits (NONE without low digits)
        uint256 top;  // advice id of the top digit
    }

    struct Nl {
        bytes32 st;  // the transcript
        uint256 evalPos;  // the next evaluation's word
        uint256 evalEnd;  // the end of the evaluations (the sumchecks' words start there)
        uint256 numAdvice;
        Range[] ranges;
        uint256 numRanges;
        ZkTypes.AdviceClaim[] claims;  // one per evaluation
        uint256 numClaims;
        uint256 numLookups;
    }

    // A verifier for a layer with at most maxRanges range checks whose words start at pos.
    function nlNew(bytes32 st, uint256 pos, uint256 maxRanges) internal pure returns (Nl memory nl) {
        nl.st = st;
        nl.evalPos = pos;
        nl.evalEnd = pos;
        nl.ranges = new Range[](maxRanges);
    }

    // After the ranges are added: the layer sends numEvals evaluations (its proof layout).
    // (Session 19: the claims' pointer array allocated zeroed, without a default struct per entry
    // as `new` makes: recvEval writes each entry before nlFinish hands the list out, and nlFinish
    // hands it out only when every entry is written.)
    function nlSetEvals(Nl memory nl, uint256 numEvals) internal pure {
        if (numEvals > 1 << 32) revert BadShape();
        nl.evalEnd = nl.evalPos + numEvals;
        ZkTypes.AdviceClaim[] memory cl;
        assembly ("memory-safe") {
            cl := mload(0x40)
            mstore(cl, numEvals)
            calldatacopy(add(cl, 32), calldatasize(), shl(5, numEvals))
            mstore(0x40, add(cl, shl(5, add(numEvals, 1))))
        }
        nl.claims = cl;
    }

    // add_range: a range check of 2^numVars values into [0, 2^bits); returns its id.
    function addRange(Nl memory nl, uint256 numVars, uint256 bits) internal pure returns (uint256 id) {
        Range memory rg;
        rg.plan = digitPlan(bits, numVars);
        rg.low = NONE;
        if (rg.plan.numLow > 0) {
            rg.low = nl.numAdvice++;
            ++nl.numLookups;
        }
        rg.top = nl.numAdvice++;
        ++nl.numLookups;
        id = nl.numRanges++;
        nl.ranges[id] = rg;
    }

    // The evaluations one recvRangeEval of range `id` reads.
    function evalCount(Nl memory nl, uint256 id) internal pure returns (uint256) {
        return nl.ranges[id].plan.numLow + 1;
    }

    // recv_eval: the next evaluation of advice a at point (absorbed; non-canonical reverts),
    // recorded as an advice claim. False when the layer's evaluations are used up.
    function recvEval(Nl memory nl, uint256[] calldata w, uint256 a, uint256[] memory point)
        internal
        pure
        returns (bool, uint256 v)
    {
        if (nl.evalPos >= nl.evalEnd) return (false, 0);
        v = w[nl.evalPos++];
        nl.st = ZkTranscript.absorbFr(nl.st, L_EVAL, v);
        nl.claims[nl.numClaims++] = ZkTypes.AdviceClaim({advice: a, point: point, value: v});
        return (true, v);
    }

    // point followed by the bits of j (vars of them, low first): rescale.cc with_digit.
    // (Allocated without zeroing: every word is written.)
    function withIndex(uint256[] memory point, uint256 j, uint256 vars) internal pure returns (uint256[] memory p) {
        uint256 n = point.length;
        assembly ("memory-safe") {
            p := mload(0x40)
            mstore(p, add(n, vars))
            mstore(0x40, add(p, shl(5, add(add(n, vars), 1))))
            let dst := add(p, 32)
            mcopy(dst, add(point, 32), shl(5, n))
            dst := add(dst, shl(5, n))
            for { let b := 0 } lt(b, vars) { b := add(b, 1) } { mstore(add(dst, shl(5, b)), and(shr(b, j), 1)) }
        }
    }

    // recv_range_eval: the range-checked vector's MLE at point from its digits' evaluations,
    // sum_j 2^(digitBits j) low(point, j) + 2^(digitBits numLow) top(point).
    function recvRangeEval(Nl memory nl, uint256[] calldata w, uint256 id, uint256[] memory point)
        internal
        pure
        returns (bool, uint256 acc)
    {
        Range memory rg = nl.ranges[id];
        bool ok;
        uint256 e;
        for (uint256 j = 0; j < rg.plan.numLow; ++j) {
            (ok, e) = recvEval(nl, w, rg.low, withIndex(point, j, rg.plan.lowVars));
            if (!ok) return (false, 0);
            acc = addmod(acc, mulmod(uint256(1) << (rg.plan.digitBits * j), e, R), R);
        }
        (ok, e) = recvEval(nl, w, rg.top, point);
        if (!ok) return (false, 0);
        acc = addmod(acc, mulmod(uint256(1) << (rg.plan.digitBits * rg.plan.numLow), e, R), R);
        return (true, acc);
    }

    // Table lookups (two-column tables) are not supported on chain here.
    function addTableLookup(Nl memory, uint256, uint256) internal pure {
        revert NotSupported();
    }

    // register_lookups with the model-wide batch: per range check, its low digits into
    // [0, 2^digitBits) (numVars + lowVars variables) when it has any, then its top digit into
    // [0, 2^topBits) (numVars variables).
    function registerLookups(Nl memory nl) internal pure returns (ZkTypes.RangeLookup[] memory out) {
        out = new ZkTypes.RangeLookup[](nl.numLookups);
        uint256 k = 0;
        for (uint256 i = 0; i < nl.numRanges; ++i) {
            Plan memory p = nl.ranges[i].plan;
            if (p.numLow > 0) {
                out[k++] = ZkTypes.RangeLookup({advice: nl.ranges[i].low, numVars: p.numVars + p.lowVars, tableLog: p.digitBits});
            }
            out[k++] = ZkTypes.RangeLookup({advice: nl.ranges[i].top, numVars: p.numVars, tableLog: p.topBits});
        }
    }

    // verify_lookups (under the batch: registration only) and finished(): every evaluation read.
    // Fills out.advice, out.lookups and out.ok.
    function nlFinish(Nl memory nl, ZkTypes.StepOut memory out) internal pure {
        if (nl.evalPos != nl.evalEnd) return;
        out.advice = nl.claims;
        out.lookups = registerLookups(nl);
        out.ok = true;
    }

    // ---------------------------------------------------------------------------------------
    // Sumchecks (src/sumcheck/verifier.h) of products f_0 ... f_{k-1} (coefficient 1).

    function _one() private pure returns (uint256[] memory c) {
        c = new uint256[](1);
        c[0] = 1;
    }

    // The result of a sumcheck: the point, the final values (factor 0 the verifier's own for a
    // zero-check), the next word.
    struct Sub {
        bool ok;
        uint256[] point;
        uint256[] finals;
        uint256 next;
    }

    // verify_zero_check for the product of k factors, factor 0 eq(tau, .): sum over the hypercube
    // is 0 (verify_with_eq with claim 0); the final values' factor 0 must equal eq(tau, rho), the
    // product of the final values the last claim; the final values are absorbed. The words at
    // pos: n rounds of k - 1 values, then k final values.
    function zeroCheck(Nl memory nl, uint256[] calldata w, uint256 pos, uint256[] memory tau, uint256 k)
        internal
        view
        returns (Sub memory s)
    {
        uint256 n = tau.length;
        uint256 end = pos + n * (k - 1);
        uint256 num;
        uint256 den;
        uint256 c;
        // The last claim as c num / den (den != 0: a product of non-zero rho_i): the product of
        // the final values P equals it iff P den = c num (session 19: no inversion).
        (nl.st, num, den, s.point, c) = ZkSumcheck.verifyRoundsWithEqFrac(nl.st, tau, k, _one(), 0, w[pos:end]);
        s.next = end + k;
        s.ok = _finalProduct(w[end:end + k], mulmod(num, c, R), den, c, true);
        s.finals = w[end:end + k];
        nl.st = ZkSumcheck.absorbFinal(nl.st, w[end:end + k]);
    }

    // sumcheck::verify of the product of k factors over n variables with this claim (the words:
    // n rounds of k values, then k final values); the final values' product must equal the last
    // claim; they are absorbed.
    function productSumcheck(bytes32 st, uint256[] calldata w, uint256 pos, uint256 n, uint256 k, uint256 claim)
        internal
        view
        returns (bytes32, Sub memory s)
    {
        uint256 end = pos + n * k;
        uint256 running;
        (st, running, s.point) = ZkSumcheck.verifyRounds(st, n, k, _one(), claim, w[pos:end]);
        s.next = end + k;
        s.ok = _finalProduct(w[end:end + k], running, 1, 0, false);
        s.finals = w[end:end + k];
        st = ZkSumcheck.absorbFinal(st, w[end:end + k]);
        return (st, s);
    }

    // final_check with the last claim as the fraction num / den (den != 0; den = 1 for a plain
    // claim): factor 0 (when known) must equal c, and the product of the values (factor 0 as c)
    // times den must equal num.
    function _finalProduct(uint256[] calldata f, uint256 num, uint256 den, uint256 c, bool known) private pure returns (bool) {
        uint256 acc = den;
        for (uint256 j = 0; j < f.length; ++j) {
            uint256 v = f[j];
            if (v >= R) return false;  // (absorbFinal reverts)
            if (j == 0 && known && v != c) return false;
            acc = mulmod(acc, v, R);
        }
        return acc == num;
    }

    // tr.challenges(label, n).
    function challenges(Nl memory nl, uint256 lbl, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) (nl.st, out[i]) = ZkTranscript.challenge(nl.st, lbl);
    }

    // absorb_claims (plain mode): u64 "<label>.num_claims", then per claim its point and value.
    function absorbClaims(bytes32 st, uint256 lblNum, uint256 lbl, ZkTypes.Claim[] memory cl)
        internal
        pure
        returns (bytes32)
    {
        st = ZkTranscript.absorbU64(st, lblNum, uint64(cl.length));
        for (uint256 i = 0; i < cl.length; ++i) {
            st = ZkTranscript.absorbFrs(st, lbl, cl[i].point);
            st = ZkTranscript.absorbFr(st, lbl, cl[i].value);
        }
        return st;
    }

    // A StepOut that rejects (ok = false), with empty lists.
    function rejected(bytes32 st, uint256 pos) internal pure returns (ZkTypes.StepOut memory out) {
        out.st = st;
        out.pos = pos;
        out.x = new ZkTypes.Claim[](0);
        out.w = new ZkTypes.Claim[](0);
        out.bias = new ZkTypes.Claim[](0);
        out.advice = new ZkTypes.AdviceClaim[](0);
        out.lookups = new ZkTypes.RangeLookup[](0);
    }

    function _pointsHaveLength(ZkTypes.Claim[] memory cl, uint256 n) private pure returns (bool) {
        for (uint256 i = 0; i < cl.length; ++i) if (cl[i].point.length != n) return false;
        return true;
    }

    // ---------------------------------------------------------------------------------------
    // Rescale (layers::verify_rescale): y = floor((x + 2^(k-1)) / 2^k); per claim y~(z) = v the
    // claim x~(z) = 2^k v + r~(z) - 2^(k-1) I~(z) with r's digits; with out_bits > 0 also
    // y + 2^out_bits I's digits, which must give v. Advice: the remainder's range check
    // ([0, 2^shift)), then y + 2^out_bits's ([0, 2^(out_bits + 1))). Words: per claim, y's digits
    // (out_bits > 0) then r's digits.

    struct RescaleParams {
        uint256[] dims;  // the tensor's shape
        uint256 shift;  // k, in [1, 61]
        uint256 outBits;  // 0: no range check of y; at most 60
    }

    function decodeRescale(uint256[] memory d, uint256 at) internal pure returns (RescaleParams memory p, uint256 next) {
        (p.dims, at) = decodeDims(d, at);
        p.shift = d[at];
        p.outBits = d[at + 1];
        next = at + 2;
    }

    function verifyRescale(
        bytes32 st,
        RescaleParams memory p,
        ZkTypes.Claim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal pure returns (ZkTypes.StepOut memory out) {
        out = rejected(st, pos);
        (bool valid, uint256 n) = shapeVars(p.dims);
        if (!valid || p.shift < 1 || p.shift > 61 || p.outBits > 60) return out;
        if (!_pointsHaveLength(outClaims, n)) return out;
        Nl memory nl = nlNew(st, pos, 2);
        uint256 rRem = addRange(nl, n, p.shift);
        uint256 rY = p.outBits > 0 ? addRange(nl, n, p.outBits + 1) : NONE;
        nlSetEvals(nl, outClaims.length * (evalCount(nl, rRem) + (rY != NONE ? evalCount(nl, rY) : 0)));
        nl.st = absorbClaims(nl.st, L_RESCALE_NUM, L_RESCALE_CLAIM, outClaims);
        uint256 twoK = uint256(1) << p.shift;
        uint256 half = uint256(1) << (p.shift - 1);
        out.x = new ZkTypes.Claim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            ZkTypes.Claim memory c = outClaims[i];
            uint256 ind = indicator(p.dims, 0, c.point);
            bool ok;
            if (rY != NONE) {
                uint256 yv;
                (ok, yv) = recvRangeEval(nl, w, rY, c.point);
                if (!ok) return out;
                if (addmod(yv, R - mulmod(uint256(1) << p.outBits, ind, R), R) != c.value) return out;
            }
            uint256 r;
            (ok, r) = recvRangeEval(nl, w, rRem, c.point);
            if (!ok) return out;
            uint256 v = addmod(addmod(mulmod(twoK, c.value, R), r, R), R - mulmod(half, ind, R), R);
            out.x[i] = ZkTypes.Claim({point: c.point, value: v});
        }
        out.st = nl.st;
        out.pos = nl.evalEnd;
        nlFinish(nl, out);
    }

    // ---------------------------------------------------------------------------------------
    // ReLU (layers::verify_relu): out = max(y, 0), y = rescale(x, shift) (shift 0: y = x). Advice:
    // the range checks of out, of neg = out - y (both [0, 2^bits)) and, when shift > 0, of the
    // remainder ([0, 2^shift)). Per claim (point z, value v): out's digits (must give v), neg's,
    // the remainder's; the claim on x is 2^k (v - neg~(z)) + r~(z) - 2^(k-1) I~(z) (shift 0:
    // v - neg~(z)). Then tau (n challenges "relu.tau"), the zero-check sum eq(tau, x) out neg = 0
    // (degree 3), and out's and neg's digits at its point rho, which must equal its final values.
    // Words: the evaluations (per claim: out, neg, rem digits; then out and neg at rho), then the
    // zero-check (n rounds of 2 values, 3 final values).

    struct ReluParams {
        uint256[] dims;
        uint256 shift;  // the rescale before the relu (0: none), at most 61
        uint256 bits;  // |y| < 2^bits, in [1, 60]
    }

    function decodeRelu(uint256[] memory d, uint256 at) internal pure returns (ReluParams memory p, uint256 next) {
        (p.dims, at) = decodeDims(d, at);
        p.shift = d[at];
        p.bits = d[at + 1];
        next = at + 2;
    }

    struct ReluIds {
        uint256 out;
        uint256 neg;
        uint256 rem;
        uint256 n;
    }

    function verifyRelu(
        bytes32 st,
        ReluParams memory p,
        ZkTypes.Claim[] memory outClaims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.StepOut memory out) {
        out = rejected(st, pos);
        (bool valid, uint256 n) = shapeVars(p.dims);
        if (!valid || p.shift > 61 || p.bits < 1 || p.bits > 60) return out;
        if (!_pointsHaveLength(outClaims, n)) return out;
        Nl memory nl = nlNew(st, pos, 3);
        ReluIds memory ids;
        ids.n = n;
        ids.out = addRange(nl, n, p.bits);
        ids.neg = addRange(nl, n, p.bits);
        ids.rem = p.shift > 0 ? addRange(nl, n, p.shift) : NONE;
        {
            uint256 per = evalCount(nl, ids.out) + evalCount(nl, ids.neg);
            nlSetEvals(nl, outClaims.length * (per + (ids.rem != NONE ? evalCount(nl, ids.rem) : 0)) + per);
        }
        nl.st = absorbClaims(nl.st, L_RELU_NUM, L_RELU_CLAIM, outClaims);
        out.x = new ZkTypes.Claim[](outClaims.length);
        for (uint256 i = 0; i < outClaims.length; ++i) {
            (bool ok, ZkTypes.Claim memory xc) = _reluClaim(nl, p, ids, outClaims[i], w);
            if (!ok) return out;
            out.x[i] = xc;
        }
        uint256[] memory tau = challenges(nl, L_RELU_TAU, n);
        Sub memory s = zeroCheck(nl, w, nl.evalEnd, tau, 3);
        if (!s.ok) return out;
        {
            (bool ok1, uint256 o) = recvRangeEval(nl, w, ids.out, s.point);
            (bool ok2, uint256 ng) = recvRangeEval(nl, w, ids.neg, s.point);
            if (!ok1 || !ok2 || o != s.finals[1] || ng != s.finals[2]) return out;
        }
        out.st = nl.st;
        out.pos = s.next;
        nlFinish(nl, out);
    }

    function _reluClaim(Nl memory nl, ReluParams memory p, ReluIds memory ids, ZkTypes.Claim memory c, uint256[] calldata w)
        private
        pure
        returns (bool, ZkTypes.Claim memory xc)
    {
        (bool ok1, uint256 o) = recvRangeEval(nl, w, ids.out, c.point);
        (bool ok2, uint256 ng) = recvRangeEval(nl, w, ids.neg, c.point);
        bool ok3 = true;
        uint256 r;
        if (p.shift > 0) (ok3, r) = recvRangeEval(nl, w, ids.rem, c.point);
        if (!ok1 || !ok2 || !ok3 || o != c.value) return (false, xc);
        uint256 y = addmod(c.value, R - ng, R);
        xc.point = c.point;
        if (p.shift == 0) {
            xc.value = y;
        } else {
            uint256 ind = indicator(p.dims, 0, c.point);
            xc.value = addmod(
                addmod(mulmod(uint256(1) << p.shift, y, R), r, R), R - mulmod(uint256(1) << (p.shift - 1), ind, R), R
            );
        }
        return (true, xc);
    }

    // ---------------------------------------------------------------------------------------
    // Bound (layers::verify_bound): -2^bits <= y < 2^bits. Advice: the range check of
    // v = y + 2^bits I ([0, 2^(bits + 1))). Per claim (z, c): v's digits at z, and
    // c = v~(z) - 2^bits I~(z). With zero_padding and a padded shape: tau (n challenges
    // "bound.tau"), the zero-check sum eq(tau, x) (1 - I(x)) v(x) = 0 (degree 3; factor 1 must be
    // 1 - I~(rho)) and v's digits at rho (must equal factor 2). The claims stay claims on y (the
    // caller passes them on): out.x is empty, as the C++ returns none. Words: the evaluations (per
    // claim, then at rho), then the zero-check if any.

    struct BoundParams {
        uint256[] dims;
        uint256 bits;  // in [1, 60]
        bool zeroPadding;  // also prove y = 0 on the padding entries
        uint256 firstLog;  // the first dimension padded to at least 2^firstLog (0: its own)
    }

    function decodeBound(uint256[] memory d, uint256 at) internal pure returns (BoundParams memory p, uint256 next) {
        (p.dims, at) = decodeDims(d, at);
        p.bits = d[at];
        p.zeroPadding = d[at + 1] != 0;
        p.firstLog = d[at + 2];
        next = at + 3;
    }

    // bound_invalid, and the shape's variables and whether it has padding entries.
    function _boundShape(BoundParams memory p) private pure returns (bool valid, uint256 n, bool padded) {
        (valid, n) = shapeVars(p.dims);
        if (!valid || p.bits < 1 || p.bits > 60) return (false, 0, false);
        if (p.firstLog > 0) {
            if (p.dims.length == 0 || p.firstLog > 40) return (false, 0, false);
            uint256 l0 = ceilLog2(p.dims[0]);
            if (p.firstLog > l0) n += p.firstLog - l0;
            if (n > 40) return (false, 0, false);
        }
        uint256 size = 1;
        for (uint256 i = 0; i < p.dims.length; ++i) size *= p.dims[i];
        padded = size != (uint256(1) << n);
    }

    function verifyBound(
        bytes32 st,
        BoundParams memory p,
        ZkTypes.Claim[] memory claims,
        uint256[] calldata w,
        uint256 pos
    ) internal view returns (ZkTypes.StepOut memory out) {
        out = rejected(st, pos);
        (bool valid, uint256 n, bool padded) = _boundShape(p);
        if (!valid || !_pointsHaveLength(claims, n)) return out;
        bool zc = p.zeroPadding && padded;
        Nl memory nl = nlNew(st, pos, 1);
        uint256 id = addRange(nl, n, p.bits + 1);
        nlSetEvals(nl, (claims.length + (zc ? 1 : 0)) * evalCount(nl, id));
        nl.st = absorbClaims(nl.st, L_BOUND_NUM, L_BOUND_CLAIM, claims);
        uint256 off = uint256(1) << p.bits;
        for (uint256 i = 0; i < claims.length; ++i) {
            (bool ok, uint256 v) = recvRangeEval(nl, w, id, claims[i].point);
            if (!ok) return out;
            uint256 ind = indicator(p.dims, p.firstLog, claims[i].point);
            if (claims[i].value != addmod(v, R - mulmod(off, ind, R), R)) return out;
        }
        out.pos = nl.evalEnd;
        if (zc) {
            uint256[] memory tau = challenges(nl, L_BOUND_TAU, n);
            Sub memory s = zeroCheck(nl, w, nl.evalEnd, tau, 3);
            if (!s.ok) return out;
            if (s.finals[1] != addmod(1, R - indicator(p.dims, p.firstLog, s.point), R)) return out;
            (bool ok, uint256 v) = recvRangeEval(nl, w, id, s.point);
            if (!ok || v != s.finals[2]) return out;
            out.pos = s.next;
        }
        out.st = nl.st;
        nlFinish(nl, out);
    }

    // ---------------------------------------------------------------------------------------

    // [rank, dims...] from d at `at`.
    function decodeDims(uint256[] memory d, uint256 at) internal pure returns (uint256[] memory dims, uint256 next) {
        uint256 rank = d[at];
        if (rank > 64) revert BadShape();
        dims = new uint256[](rank);
        for (uint256 i = 0; i < rank; ++i) dims[i] = d[at + 1 + i];
        next = at + 1 + rank;
    }
}
