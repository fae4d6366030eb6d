// Sub with broadcasting. Integer model: both operands brought exactly to the larger scale
// (multiplication by a power of two), combined, then rescaled to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_sub(OpTable& t) {
  OpDef d;
  d.op_type = "Sub";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [](double a, double b) { return a - b; });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { plan_rescaled_output(c, std::max(c.in_scale(0), c.in_scale(1))); };
  d.run_int = [](IntContext& c) {
    const ITensor &a = c.input(0), &b = c.input(1);
    int s = std::max(a.scale, b.scale);
    int64_t ma = int64_t{1} << (s - a.scale), mb = int64_t{1} << (s - b.scale);
    ITensor y = broadcast_binary<int64_t>(c.node, a, b, [&](int64_t x, int64_t z) { return x * ma - z * mb; });
    y.scale = s;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
