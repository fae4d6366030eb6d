// Tile: repeats the input along each axis by the (constant) repeats. Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_tile(OpTable& t) {
  add_move_op(t, "Tile", [](const Node& n, auto in) {
    need_inputs(n, in, 2);
    const auto& x = *in[0];
    auto reps = int_values(n, in[1], "repeats");
    if (static_cast<int>(reps.size()) != x.rank()) bad_node(n, "repeats length differs from the rank");
    Shape os = x.shape;
    for (int i = 0; i < x.rank(); ++i) {
      if (reps[i] < 0 || reps[i] > (int64_t{1} << 31)) bad_node(n, "bad repeat");
      os[i] *= reps[i];
    }
    checked_size(os);
    using TT = std::remove_cvref_t<decltype(x)>;
    TT y(os, x.dtype);
    auto xs = strides_of(x.shape);
    std::vector<int64_t> pos(x.rank(), 0);
    for (int64_t k = 0; k < y.size(); ++k) {
      int64_t off = 0;
      for (int d = 0; d < x.rank(); ++d) off += (pos[d] % x.shape[d]) * xs[d];
      y.data[k] = x.data[off];
      for (int d = x.rank() - 1; d >= 0; --d) {
        if (++pos[d] < os[d]) break;
        pos[d] = 0;
      }
    }
    return one_t(std::move(y));
  }, {1});
}
}  // namespace zkinfer::ops
