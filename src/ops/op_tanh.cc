// Tanh; integer model: table lookup.
#include "ops/helpers.h"
namespace zkinfer::ops {
static double tanh_fn(double x) { return std::tanh(x); }
void register_op_tanh(OpTable& t) { add_table_op(t, "Tanh", "tanh", tanh_fn); }
}  // namespace zkinfer::ops
