// Squeeze (axes attribute before opset 13, input after; none = all size-1 axes).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_squeeze(OpTable& t) {
  add_move_op(t, "Squeeze", [](const Node& n, auto in) {
    const auto& x = *in[0];
    auto axes = axes_of(n, in, 13);
    std::vector<bool> drop(x.rank(), false);
    if (axes.empty())
      for (int i = 0; i < x.rank(); ++i) drop[i] = x.shape[i] == 1;
    for (auto a : axes) {
      int k = norm_axis(n, a, x.rank());
      if (x.shape[k] != 1) bad_node(n, "squeezed axis has size " + std::to_string(x.shape[k]));
      drop[k] = true;
    }
    Shape s;
    for (int i = 0; i < x.rank(); ++i)
      if (!drop[i]) s.push_back(x.shape[i]);
    return one_t(reshaped(x, s));
  }, {1});
}
}  // namespace zkinfer::ops
