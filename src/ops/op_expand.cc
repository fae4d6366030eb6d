// Expand: numpy broadcast of the input to a (constant) shape. Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_expand(OpTable& t) {
  add_move_op(t, "Expand", [](const Node& n, auto in) {
    need_inputs(n, in, 2);
    const auto& x = *in[0];
    Shape target = int_values(n, in[1], "shape");
    Shape os = broadcast_shape(n, x.shape, target);
    using TT = std::remove_cvref_t<decltype(x)>;
    TT y(os, x.dtype);
    auto idx = broadcast_index(x.shape, os);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = x.data[idx[i]];
    return one_t(std::move(y));
  }, {1});
}
}  // namespace zkinfer::ops
