// Mean of two inputs with broadcasting. Integer model: the Add route (both operands brought exactly
// to the larger scale s and added), the sum read at scale s + 1 (exactly (a + b) / 2: halving is
// one more fractional bit, no rounding), then rescaled to the output scale; steps/elementwise.cc
// proves it as Add. One input: Identity semantics. Three or more inputs have no protocol yet and
// are refused at compile.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_mean(OpTable& t) {
  OpDef d;
  d.op_type = "Mean";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      need_inputs(n, in, i + 1);
      y = broadcast_binary<double>(n, y, *in[i], [](double a, double b) { return a + b; });
    }
    for (auto& v : y.data) v /= static_cast<double>(in.size());
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (c.node.inputs.size() != 2)
      unsupported(c.node, "Mean of " + std::to_string(c.node.inputs.size()) + " inputs (only two have a protocol)");
    plan_rescaled_output(c, std::max(c.in_scale(0), c.in_scale(1)) + 1);
  };
  d.run_int = [](IntContext& c) {
    if (c.in.size() != 2) c.fail("Mean expects two inputs");
    ITensor y = add_at_common_scale(c.node, c.input(0), c.input(1));
    y.scale += 1;  // (a + b) / 2
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
