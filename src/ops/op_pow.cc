// Pow. Float: std::pow with broadcasting. Integer model: only a constant integer exponent
// 1 <= p <= 8, computed as repeated exact products, each rescaled back to the input scale (the
// last to the output scale).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_pow(OpTable& t) {
  OpDef d;
  d.op_type = "Pow";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in.size(), 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [](double a, double b) { return std::pow(a, b); });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (!c.is_const(1) || c.consts[1]->data.empty()) unsupported(c.node, "exponent must be a constant");
    double p = c.consts[1]->data[0];
    for (double v : c.consts[1]->data)
      if (v != p) unsupported(c.node, "exponent must be a single value");
    if (p != std::floor(p) || p < 1 || p > 8) unsupported(c.node, "exponent " + std::to_string(p) + " (integers 1..8 only)");
    c.set_const_scale(1, 0);
    int sx = c.in_scale(0);
    c.check_acc(std::ldexp(1.0, static_cast<int>(2 * c.in_bits[0])), "product");
    c.params.ints["power"] = static_cast<int64_t>(p);
    if (p == 1) {
      plan_rescaled_output(c, sx);
    } else {
      plan_rescaled_output(c, 2 * sx);
    }
  };
  d.run_int = [](IntContext& c) {
    const ITensor& x = c.input(0);
    int64_t p = c.p.get("power");
    ITensor y = x;
    for (int64_t i = 1; i < p; ++i) {
      if (i > 1) to_scale(c, y, x.scale, "step" + std::to_string(i));
      for (size_t j = 0; j < y.data.size(); ++j) y.data[j] *= x.data[j];
      y.scale += x.scale;
    }
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
