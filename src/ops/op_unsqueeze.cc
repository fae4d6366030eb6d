// Unsqueeze (axes attribute before opset 13, input after).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_unsqueeze(OpTable& t) {
  add_move_op(t, "Unsqueeze", [](const Node& n, auto in) {
    const auto& x = *in[0];
    auto axes = axes_of(n, in, 13);
    int r = x.rank() + static_cast<int>(axes.size());
    std::vector<bool> ins(r, false);
    for (auto a : axes) {
      int k = norm_axis(n, a, r);
      if (ins[k]) bad_node(n, "repeated axis");
      ins[k] = true;
    }
    Shape s;
    size_t j = 0;
    for (int i = 0; i < r; ++i) s.push_back(ins[i] ? 1 : x.shape[j++]);
    return one_t(reshaped(x, s));
  }, {1});
}
}  // namespace zkinfer::ops
