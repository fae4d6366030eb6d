// Flatten to 2-D at axis. Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_flatten(OpTable& t) {
  add_move_op(t, "Flatten", [](const Node& n, auto in) {
    const auto& x = *in[0];
    int64_t ax = n.attrs.get_int("axis", 1);
    if (ax < 0) ax += x.rank();
    if (ax < 0 || ax > x.rank()) bad_node(n, "axis out of range");
    int64_t a = 1;
    for (int64_t i = 0; i < ax; ++i) a *= x.shape[i];
    return one_t(reshaped(x, {a, a ? x.size() / a : 0}));
  });
}
}  // namespace zkinfer::ops
