// ReduceProd (axes attribute before opset 18, input after; keepdims, noop_with_empty_axes): the
// product of the entries along the axes. Float semantics here; the quantizer rewrites it into
// exact products (graph::lower_composites): the reduced axes moved last and flattened to
// [rows, n], padded with ones to a power of two (Pad), then halves multiplied pairwise (Slice,
// Mul) until one column is left, each product rescaled like any Mul.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_reduce_prod(OpTable& t) {
  add_lowered_op(
      t, "ReduceProd",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        Reduction R = make_reduction(n, in[0]->shape, axes_of(n, in, 18));
        FTensor y(R.out_shape, in[0]->dtype);
        std::fill(y.data.begin(), y.data.end(), 1.0);
        for (size_t k = 0; k < R.map.size(); ++k) y.data[static_cast<size_t>(R.map[k])] *= in[0]->data[k];
        return one(std::move(y));
      },
      "graph::lower_composites", "its axes must be constants");
}
}  // namespace zkinfer::ops
