// Or on bools (0/1), with broadcasting (helpers.h add_logic_op; proven by layers/logic.h).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_or(OpTable& t) { add_logic_op(t, "Or", LogicKind::kOr); }
}  // namespace zkinfer::ops
