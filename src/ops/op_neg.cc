// Neg: -x, same scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_neg(OpTable& t) {
  OpDef d;
  d.op_type = "Neg";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (auto& v : y.data) v = -v;
    return one(std::move(y));
  };
  d.plan = plan_same_scale;
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    for (auto& v : y.data) v = -v;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
