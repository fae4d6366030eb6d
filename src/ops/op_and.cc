// And on bools (0/1), with broadcasting (helpers.h add_logic_op; proven by layers/logic.h).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_and(OpTable& t) { add_logic_op(t, "And", LogicKind::kAnd); }
}  // namespace zkinfer::ops
