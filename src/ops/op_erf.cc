// Erf (GELU's building block); integer model: table lookup.
#include "ops/helpers.h"
namespace zkinfer::ops {
static double erf_fn(double x) { return std::erf(x); }
void register_op_erf(OpTable& t) { add_table_op(t, "Erf", "erf", erf_fn); }
}  // namespace zkinfer::ops
