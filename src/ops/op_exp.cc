// Exp; integer model: table lookup over the calibrated domain (inputs beyond it are clamped).
#include "ops/helpers.h"
namespace zkinfer::ops {
static double exp_fn(double x) { return std::exp(x); }
void register_op_exp(OpTable& t) { add_table_op(t, "Exp", "exp", exp_fn); }
}  // namespace zkinfer::ops
