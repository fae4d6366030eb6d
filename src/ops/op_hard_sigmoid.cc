// HardSigmoid: max(0, min(1, alpha x + beta)); integer model: table lookup (saturating).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_hard_sigmoid(OpTable& t) {
  OpDef d;
  d.op_type = "HardSigmoid";
  auto f = [](const Node& n) {
    double a = n.attrs.get_float("alpha", 0.2), b = n.attrs.get_float("beta", 0.5);
    return [a, b](double v) { return std::max(0.0, std::min(1.0, a * v + b)); };
  };
  d.run_float = [f](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    auto g = f(n);
    for (auto& v : y.data) v = g(v);
    return one(std::move(y));
  };
  d.plan = [f](PlanContext& c) { plan_unary_table(c, "hard_sigmoid", f(c.node)); };
  d.run_int = run_unary_table;
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
