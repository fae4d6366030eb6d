// PRelu: x >= 0 ? x : slope * x with slope broadcast to x. Integer model as LeakyRelu with a
// quantized slope tensor (at its own scale ss): x * 2^ss or x * slope_q, rescaled to the output.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_prelu(OpTable& t) {
  OpDef d;
  d.op_type = "PRelu";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = *in[0];
    auto idx = broadcast_index(in[1]->shape, y.shape);
    broadcast_shape(n, y.shape, in[1]->shape);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = y.data[i] >= 0 ? y.data[i] : y.data[i] * in[1]->data[idx[i]];
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    int sx = c.in_scale(0), ss = c.in_scale(1);
    if (ss < 0) c.fail("slope scale must be non-negative");
    plan_rescaled_output(c, sx + ss);
  };
  d.run_int = [](IntContext& c) {
    const ITensor &x = c.input(0), &s = c.input(1);
    if (broadcast_shape(c.node, x.shape, s.shape) != x.shape) c.fail("slope does not broadcast to the input");
    ITensor y = x;
    auto idx = broadcast_index(s.shape, y.shape);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = y.data[i] >= 0 ? y.data[i] * (int64_t{1} << s.scale) : y.data[i] * s.data[idx[i]];
    y.scale = x.scale + s.scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
