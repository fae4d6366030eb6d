// Resize and Upsample as separable per-axis maps (op_resize.cc): output entry o of an axis is
// sum_k w_k x[i_k] over a few input entries of that axis, or the extrapolation value where
// tf_crop_and_resize maps o outside the input. The float operator applies the maps axis by axis
// (as ONNX's reference does); graph/lower_moves.h rewrites the node into a Gather per nearest
// axis and a constant MatMul per interpolated axis from the same maps.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ops/tensor.h"

namespace zkinfer::ops {

struct ResizeAxis {
  int64_t in = 1, out = 1;
  std::vector<std::vector<std::pair<int64_t, double>>> taps;  // per output entry: (input index, weight)
  std::vector<bool> outside;                                   // per output entry
  bool identity() const;  // out == in and every entry reads its own input with weight 1
  bool moves() const;     // every entry reads one input with weight 1 (or is outside)
  bool any_outside() const;
};

struct ResizePlan {
  std::vector<ResizeAxis> axes;  // one per input axis
  double extrapolation = 0;
  Shape out_shape() const;
};

// The per-axis maps of a Resize (opset 10, 11, 13, 18, 19) or Upsample (7, 9) node on an input of
// shape xs. in: the node's inputs (in[0], the data, is not read; nullptr for absent ones). Throws
// (naming the node) for malformed or unsupported content.
ResizePlan resize_plan(const Node& n, const Shape& xs, std::span<const FTensor* const> in);

// y = the plan applied to x (float), axis by axis, then the extrapolation value where any axis is
// outside.
FTensor resize_apply(const ResizePlan& p, const FTensor& x);

}  // namespace zkinfer::ops
