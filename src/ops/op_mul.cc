// Mul with broadcasting. Integer model: exact product at scale sa + sb, rescaled to the output.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_mul(OpTable& t) {
  OpDef d;
  d.op_type = "Mul";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [](double a, double b) { return a * b; });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    int s = c.in_scale(0) + c.in_scale(1);
    c.check_acc(std::ldexp(1.0, static_cast<int>(c.in_bits[0] + c.in_bits[1])), "product");
    plan_rescaled_output(c, s);
  };
  d.run_int = [](IntContext& c) {
    const ITensor &a = c.input(0), &b = c.input(1);
    ITensor y = broadcast_binary<int64_t>(c.node, a, b, [](int64_t x, int64_t z) { return x * z; });
    y.scale = a.scale + b.scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
