// ReduceSum (axes attribute before opset 13, input after). Integer model: exact sum, rescaled to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_reduce_sum(OpTable& t) {
  OpDef d;
  d.op_type = "ReduceSum";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    Reduction R = make_reduction(n, in[0]->shape, axes_of(n, in, 13));
    FTensor y = reduce_sum(*in[0], R);
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { plan_rescaled_output(c, c.in_scale(0)); };
  d.run_int = [](IntContext& c) {
    Reduction R = make_reduction(c.node, c.input(0).shape, axes_of(c.node, std::span<const ITensor* const>(c.in), 13));
    ITensor y = reduce_sum(c.input(0), R);
    y.scale = c.input(0).scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
