// A claim about a tensor's multilinear extension: "f~(point) = value", the unit that the layer
// protocols (GKR-style, Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.6) pass from
// a layer's output back to its inputs. The point follows the padded tensor layout (layout.h).
// The value is a cp::Val (zk/cp.h): a field element in plain mode, a committed value in
// zero-knowledge mode (the verifier's a linear combination of commitments).
#pragma once

#include <vector>

#include "field/bn254.h"
#include "field/concept.h"
#include "sumcheck/proof.h"
#include "zk/cp.h"

namespace zkinfer::layers {

using field::Fr;

// Over any field type: F = Fr gives the protocols' Claim (a cp::Val value); F = snark::CFr the
// claims of the verifier run as a circuit (docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct ClaimT {
  std::vector<F> point;  // point[k] binds variable k of the tensor's padded MLE
  sumcheck::Msg<F> value;
};
using Claim = ClaimT<Fr>;

// A claim on advice vector number `advice` (index into the layer's advice list, whose shape the
// verifier knows from the layer's public parameters).
template <field::PrimeField F>
struct AdviceClaimT {
  size_t advice;
  ClaimT<F> claim;
};
using AdviceClaim = AdviceClaimT<Fr>;

}  // namespace zkinfer::layers
