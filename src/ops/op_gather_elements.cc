// GatherElements along an axis: y[..., i_axis, ...] = x[..., idx[..., i_axis, ...], ...], y of the
// indices' shape (negative indices count from the end; out of range: an error naming the node).
// Pure data movement: y keeps x's scale. Computed indices are proven by layers/gather_elements.h.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_gather_elements(OpTable& t) {
  add_move_op(t, "GatherElements", [](const Node& n, auto in) {
    need_inputs(n, in, 2);
    const auto& x = *in[0];
    auto idx = int_values(n, in[1], "indices");
    const auto& is = in[1]->shape;
    const int r = x.rank();
    if (static_cast<int>(is.size()) != r) bad_node(n, "indices rank differs from the data's");
    const int a = norm_axis(n, n.attrs.get_int("axis", 0), r);
    for (int d = 0; d < r; ++d)
      if (d != a && is[d] > x.shape[d]) bad_node(n, "indices dimension above the data's");
    using TT = std::remove_cvref_t<decltype(x)>;
    TT y(is, x.dtype);
    const auto xst = strides_of(x.shape);
    std::vector<int64_t> pos(r, 0);
    const int64_t D = x.shape[a];
    for (size_t k = 0; k < y.data.size(); ++k) {
      int64_t j = idx[k];
      if (j < -D || j >= D) bad_node(n, "index " + std::to_string(j) + " out of range [" + std::to_string(-D) + ", " + std::to_string(D) + ")");
      if (j < 0) j += D;
      int64_t off = 0;
      for (int d = 0; d < r; ++d) off += (d == a ? j : pos[d]) * xst[d];
      y.data[k] = x.data[static_cast<size_t>(off)];
      for (int d = r - 1; d >= 0; --d) {
        if (++pos[d] < is[d]) break;
        pos[d] = 0;
      }
    }
    return one_t(std::move(y));
  });
}
}  // namespace zkinfer::ops
