// ArgMax along an axis (keepdims, select_last_index), int64 output (helpers.h add_arg_op; proven by
// layers/argmax.h).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_arg_max(OpTable& t) { add_arg_op(t, "ArgMax", false); }
}  // namespace zkinfer::ops
