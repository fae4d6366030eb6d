// Reshape (0 copies a dimension unless allowzero, -1 is inferred). Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_reshape(OpTable& t) {
  add_move_op(t, "Reshape", [](const Node& n, auto in) {
    need_inputs(n, in, 2);
    const auto& x = *in[0];
    auto s = int_values(n, in[1], "shape");
    bool allowzero = n.attrs.get_int("allowzero", 0) != 0;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == 0 && !allowzero) {
        if (i >= x.shape.size()) bad_node(n, "0 in shape beyond the input rank");
        s[i] = x.shape[i];
      }
      if (s[i] == -1) {
        if (infer >= 0) bad_node(n, "two -1 in shape");
        infer = static_cast<int64_t>(i);
      } else if (s[i] < 0) {
        bad_node(n, "negative dimension in shape");
      } else {
        if (s[i] > (int64_t{1} << 31) || (s[i] > 0 && known > (int64_t{1} << 31) / s[i])) bad_node(n, "shape " + shape_str(s) + " too large");
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || x.size() % known) bad_node(n, "cannot infer -1 in " + shape_str(s) + " from " + shape_str(x.shape));
      s[infer] = x.size() / known;
    }
    if (numel(s) != x.size()) bad_node(n, "cannot reshape " + shape_str(x.shape) + " to " + shape_str(s));
    return one_t(reshaped(x, s));
  }, {1});
}
}  // namespace zkinfer::ops
