// Sigmoid: 1 / (1 + e^-x); integer model: table lookup (saturating, so clamping is harmless).
#include "ops/helpers.h"
namespace zkinfer::ops {
static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
void register_op_sigmoid(OpTable& t) { add_table_op(t, "Sigmoid", "sigmoid", sigmoid); }
}  // namespace zkinfer::ops
