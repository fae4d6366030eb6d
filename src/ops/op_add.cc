// Add with broadcasting. Integer model: both operands brought exactly to the larger scale
// (multiplication by a power of two), combined, then rescaled to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_add(OpTable& t) {
  OpDef d;
  d.op_type = "Add";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [](double a, double b) { return a + b; });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { plan_rescaled_output(c, std::max(c.in_scale(0), c.in_scale(1))); };
  d.run_int = [](IntContext& c) {
    ITensor y = add_at_common_scale(c.node, c.input(0), c.input(1));
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
