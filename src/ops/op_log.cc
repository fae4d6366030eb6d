// Log; integer model: table lookup over the calibrated positive domain.
#include "ops/helpers.h"
namespace zkinfer::ops {
static double log_fn(double x) { return std::log(x); }
void register_op_log(OpTable& t) { add_table_op(t, "Log", "log", log_fn, 1e-6); }
}  // namespace zkinfer::ops
