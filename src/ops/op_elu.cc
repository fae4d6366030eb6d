// Elu: x >= 0 ? x : alpha (e^x - 1); integer model: table lookup.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_elu(OpTable& t) {
  OpDef d;
  d.op_type = "Elu";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    double a = n.attrs.get_float("alpha", 1.0);
    FTensor y = *in[0];
    for (auto& v : y.data) v = v >= 0 ? v : a * (std::exp(v) - 1);
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    double a = c.node.attrs.get_float("alpha", 1.0);
    plan_unary_table(c, "elu", [a](double v) { return v >= 0 ? v : a * (std::exp(v) - 1); });
  };
  d.run_int = run_unary_table;
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
