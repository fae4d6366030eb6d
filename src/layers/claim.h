// A claim about a tensor's multilinear extension: "f~(point) = value", the unit that the layer
// protocols (GKR-style, Thaler, "Proofs, Arguments, and Zero-Knowledge", section 4.6) pass from
// a layer's output back to its inputs. The point follows the padded tensor layout (layout.h).
// A later zero-knowledge variant replaces `value` by a Pedersen commitment to it; protocol code
// touches `value` only where it absorbs claims and where it forms a sumcheck's claimed sum.
#pragma once

#include <vector>

#include "field/bn254.h"

namespace zkinfer::layers {

using field::Fr;

struct Claim {
  std::vector<Fr> point;  // point[k] binds variable k of the tensor's padded MLE
  Fr value;
};

}  // namespace zkinfer::layers
