// Clip to [min, max] (attributes before opset 11, optional inputs after). Integer model: bounds
// quantized at the input scale (rounded inward), same scale.
#include <limits>
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
void bounds(const Node& n, FIn in, double* lo, double* hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (n.opset < 11) {
    *lo = n.attrs.get_float("min", -INFINITY);
    *hi = n.attrs.get_float("max", INFINITY);
  } else {
    if (auto a = opt_in(in, 1); a && !a->data.empty()) *lo = a->data[0];
    if (auto b = opt_in(in, 2); b && !b->data.empty()) *hi = b->data[0];
  }
}
}  // namespace

void register_op_clip(OpTable& t) {
  OpDef d;
  d.op_type = "Clip";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    double lo, hi;
    bounds(n, in, &lo, &hi);
    FTensor y = *in[0];
    for (auto& v : y.data) v = std::min(std::max(v, lo), hi);
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    plan_same_scale(c);
    for (size_t i = 1; i < 3; ++i)
      if (c.present(i) && !c.is_const(i)) unsupported(c.node, "non-constant bounds");
    std::vector<const FTensor*> v = {nullptr};
    for (size_t i = 1; i < c.consts.size(); ++i) v.push_back(c.consts[i]);
    double lo, hi;
    bounds(c.node, FIn(v), &lo, &hi);
    double s = std::ldexp(1.0, c.params.out_scales[0]), big = std::ldexp(1.0, c.cfg.act_bits);
    c.params.ints["min"] = static_cast<int64_t>(std::max(std::ceil(lo * s), -big));
    c.params.ints["max"] = static_cast<int64_t>(std::min(std::floor(hi * s), big));
  };
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    int64_t lo = c.p.get("min"), hi = c.p.get("max");
    for (auto& v : y.data) v = std::min(std::max(v, lo), hi);
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
