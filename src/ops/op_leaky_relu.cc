// LeakyRelu: x >= 0 ? x : alpha * x. Integer model: alpha quantized at scale sa, both branches
// computed at scale sx + sa (x * 2^sa or x * alpha_q), then rescaled to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_leaky_relu(OpTable& t) {
  OpDef d;
  d.op_type = "LeakyRelu";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    double a = n.attrs.get_float("alpha", 0.01);
    FTensor y = *in[0];
    for (auto& v : y.data) v = v >= 0 ? v : a * v;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    int sx = c.in_scale(0);
    double a = c.node.attrs.get_float("alpha", 0.01);
    int sa = c.cfg.max_const_scale;
    while (sa > 0 && std::fabs(a) * std::ldexp(1.0, sa) >= std::ldexp(1.0, c.cfg.weight_bits - 1)) --sa;
    c.params.ints["alpha_q"] = static_cast<int64_t>(std::floor(a * std::ldexp(1.0, sa) + 0.5));
    c.params.ints["alpha_scale"] = sa;
    plan_rescaled_output(c, sx + sa);
  };
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    int64_t aq = c.p.get("alpha_q");
    int sa = static_cast<int>(c.p.get("alpha_scale"));
    for (auto& v : y.data) v = v >= 0 ? v * (int64_t{1} << sa) : v * aq;
    y.scale += sa;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
