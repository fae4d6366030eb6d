// Sqrt; integer model: table lookup over [0, calibrated max] (negative inputs clamp to 0).
#include "ops/helpers.h"
namespace zkinfer::ops {
static double sqrt_fn(double x) { return std::sqrt(x); }
void register_op_sqrt(OpTable& t) { add_table_op(t, "Sqrt", "sqrt", sqrt_fn, 0.0); }
}  // namespace zkinfer::ops
