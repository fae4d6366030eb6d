// Equal with broadcasting: the comparison at a common scale, output bool (helpers.h add_compare_op;
// proven by layers/compare.h).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_equal(OpTable& t) { add_compare_op(t, "Equal", CompareKind::kEqual); }
}  // namespace zkinfer::ops
