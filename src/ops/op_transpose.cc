// Transpose by perm (default: reversed axes). Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_transpose(OpTable& t) {
  add_move_op(t, "Transpose", [](const Node& n, auto in) {
    const auto& x = *in[0];
    std::vector<int64_t> perm(x.rank());
    for (int i = 0; i < x.rank(); ++i) perm[i] = x.rank() - 1 - i;
    perm = n.attrs.get_ints("perm", perm);
    std::vector<bool> seen(x.rank(), false);
    if (static_cast<int>(perm.size()) != x.rank()) bad_node(n, "perm length differs from the rank");
    for (auto& p : perm) {
      p = norm_axis(n, p, x.rank());
      if (seen[p]) bad_node(n, "perm repeats an axis");
      seen[p] = true;
    }
    return one_t(transpose(x, perm));
  });
}
}  // namespace zkinfer::ops
