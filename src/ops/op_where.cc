// Where(cond, a, b) with broadcasting of all three. Float: cond != 0 ? a : b. Integer model: cond
// is a bool; a and b are brought exactly to a common scale s (a constant operand is quantized at
// the other's scale, both constant: at the output's activation scale), y = cond ? a 2^ea : b 2^eb
// at scale s. Proven as y = b 2^eb + cond (a 2^ea - b 2^eb) (layers/logic.h).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T, class F>
Tensor<T> ternary(const Node& n, const Tensor<T>& c, const Tensor<T>& a, const Tensor<T>& b, F f) {
  Tensor<T> out(broadcast_shape(n, broadcast_shape(n, c.shape, a.shape), b.shape));
  auto ic = broadcast_index(c.shape, out.shape), ia = broadcast_index(a.shape, out.shape),
       ib = broadcast_index(b.shape, out.shape);
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = f(c.data[ic[i]], a.data[ia[i]], b.data[ib[i]]);
  return out;
}
}  // namespace

void register_op_where(OpTable& t) {
  OpDef d;
  d.op_type = "Where";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 3);
    FTensor y = ternary<double>(n, *in[0], *in[1], *in[2], [](double c, double a, double b) { return c != 0 ? a : b; });
    y.dtype = in[1]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (c.is_const(0) && c.in_scales[0] == PlanContext::kUnset) c.set_const_scale(0, 0);
    if (c.in_scale(0) != 0 || c.in_dtypes[0] != DType::kBool) c.fail("condition is not a bool");
    const bool c1 = c.is_const(1) && c.in_scales[1] == PlanContext::kUnset;
    const bool c2 = c.is_const(2) && c.in_scales[2] == PlanContext::kUnset;
    if (c1 && c2) {
      const int s = c.act_scale(c.out_ranges[0], c.cfg.base_scale);
      c.set_const_scale(1, s);
      c.set_const_scale(2, s);
    } else if (c1) {
      c.set_const_scale(1, c.in_scale(2));
    } else if (c2) {
      c.set_const_scale(2, c.in_scale(1));
    }
    const int s = std::max(c.in_scale(1), c.in_scale(2));
    const int ea = s - c.in_scale(1), eb = s - c.in_scale(2);
    if (ea > 40 || eb > 40) c.fail("operand scales too far apart");
    c.check_acc(std::ldexp(1.0, static_cast<int>(std::max(c.in_bits[1] + ea, c.in_bits[2] + eb) + 2)), "difference");
    c.params.out_scales = {s};
    c.params.ints["ea"] = ea;
    c.params.ints["eb"] = eb;
  };
  d.run_int = [](IntContext& c) {
    const ITensor &k = c.input(0), &a = c.input(1), &b = c.input(2);
    for (int64_t v : k.data)
      if (v != 0 && v != 1) c.fail("condition holds a value other than 0 and 1");
    const int64_t ma = int64_t{1} << c.p.get("ea"), mb = int64_t{1} << c.p.get("eb");
    ITensor y = ternary<int64_t>(c.node, k, a, b, [&](int64_t cv, int64_t x, int64_t z) { return cv ? x * ma : z * mb; });
    y.scale = std::max(a.scale, b.scale);
    y.dtype = a.dtype;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
