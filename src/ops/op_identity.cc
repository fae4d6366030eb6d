// Identity. Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_identity(OpTable& t) {
  add_move_op(t, "Identity", [](const Node& n, auto in) { return one_t(*in[0]); });
}
}  // namespace zkinfer::ops
