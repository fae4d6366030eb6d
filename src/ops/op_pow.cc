// Pow. Float: std::pow with broadcasting. Integer model: with a constant integer exponent
// 1 <= p <= 8, repeated exact products, each rescaled back to the input scale (the last to the
// output scale); with any other constant scalar exponent (x^-0.1) or a constant scalar base
// (2^x), a table lookup of the single variable operand.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
bool scalar_const(const PlanContext& c, size_t i) {
  if (!c.is_const(i) || c.consts[i]->data.empty()) return false;
  for (double v : c.consts[i]->data)
    if (v != c.consts[i]->data[0]) return false;
  return true;
}
}  // namespace

void register_op_pow(OpTable& t) {
  OpDef d;
  d.op_type = "Pow";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [](double a, double b) { return std::pow(a, b); });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (scalar_const(c, 1)) {
      double p = c.consts[1]->data[0];
      c.set_const_scale(1, 0);
      if (p == std::floor(p) && p >= 1 && p <= 8) {
        int sx = c.in_scale(0);
        c.check_acc(std::ldexp(1.0, static_cast<int>(2 * c.in_bits[0])), "product");
        c.params.ints["power"] = static_cast<int64_t>(p);
        plan_rescaled_output(c, p == 1 ? sx : 2 * sx);
        return;
      }
      // x^p by table; non-integer powers only for x >= 0.
      bool integral = p == std::floor(p);
      plan_unary_table(c, "pow", [p](double x) { return std::pow(x, p); }, integral ? -INFINITY : 0.0);
      if (!integral || p < 0) {
        Table& tb = c.params.tables[0];
        // Drop a zero point where x^p is infinite (negative p): start the domain at 1 step.
        if (p < 0 && tb.lo <= 0) unsupported(c.node, "negative exponent over a domain that contains 0");
      }
      c.params.ints["table_input"] = 0;
      return;
    }
    if (scalar_const(c, 0) && c.consts[0]->data[0] > 0) {
      double b = c.consts[0]->data[0];
      c.set_const_scale(0, 0);
      // b^x by table on input 1: reuse the unary planner by viewing input 1 as the variable.
      PlanContext v(c.node, c.cfg);
      v.consts = {nullptr};
      v.in_ranges = {c.in_ranges[1]};
      v.out_ranges = c.out_ranges;
      v.in_shapes = {c.in_shapes[1]};
      v.in_scales = {c.in_scale(1)};
      v.in_bits = {c.in_bits[1]};
      plan_unary_table(v, "exp_base", [b](double x) { return std::pow(b, x); });
      c.params = v.params;
      c.params.ints["table_input"] = 1;
      return;
    }
    unsupported(c.node, "exponent must be a constant scalar (or the base a positive constant scalar)");
  };
  d.run_int = [](IntContext& c) {
    if (c.p.ints.count("table_input")) {
      size_t vi = static_cast<size_t>(c.p.get("table_input"));
      const ITensor& x = c.input(vi);
      const ITensor& other = c.input(1 - vi);
      if (broadcast_shape(c.node, x.shape, other.shape) != x.shape) c.fail("broadcasting by the constant operand");
      ITensor xs = x;
      rescale_tensor(c, xs, static_cast<int>(c.p.get("shift")), "in");
      c.out.push_back(lookup(c, xs, c.p.tables.at(0), "table"));
      return;
    }
    const ITensor& x = c.input(0);
    int64_t p = c.p.get("power");
    if (p < 1 || p > 8) c.fail("bad power");
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
