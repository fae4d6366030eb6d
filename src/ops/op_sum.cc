// Sum of two inputs with broadcasting (the Add route: both operands brought exactly to the larger
// scale, added, then rescaled to the output scale; steps/elementwise.cc proves it). One input:
// Identity semantics. Three or more inputs have no protocol yet and are refused at compile.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_sum(OpTable& t) {
  OpDef d;
  d.op_type = "Sum";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      need_inputs(n, in, i + 1);
      y = broadcast_binary<double>(n, y, *in[i], [](double a, double b) { return a + b; });
    }
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (c.node.inputs.size() != 2)
      unsupported(c.node, "Sum of " + std::to_string(c.node.inputs.size()) + " inputs (only two have a protocol)");
    plan_rescaled_output(c, std::max(c.in_scale(0), c.in_scale(1)));
  };
  d.run_int = [](IntContext& c) {
    if (c.in.size() != 2) c.fail("Sum expects two inputs");
    ITensor y = add_at_common_scale(c.node, c.input(0), c.input(1));
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
