// Pad (constant, reflect, edge; pads attribute before opset 11, inputs after). Integer model: the
// constant value quantized at the input scale; otherwise data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> pad(const Node& n, std::span<const Tensor<T>* const> in, T value) {
  const auto& x = *in[0];
  std::vector<int64_t> pads = n.opset >= 11 ? int_values(n, opt_in(in, 1), "pads") : n.attrs.get_ints("pads");
  if (n.opset >= 18 && opt_in(in, 3)) unsupported(n, "the axes input");
  int r = x.rank();
  if (static_cast<int>(pads.size()) != 2 * r) bad_node(n, "pads length differs from twice the rank");
  std::string mode = n.attrs.get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") unsupported(n, "mode " + mode);
  for (auto p : pads)
    if (p > (int64_t{1} << 31) || p < -(int64_t{1} << 31)) bad_node(n, "pad too large");
  Shape s(r);
  for (int i = 0; i < r; ++i) {
    s[i] = x.shape[i] + pads[i] + pads[i + r];
    if (s[i] < 0) bad_node(n, "negative output size");
    if (mode == "reflect" && (pads[i] >= x.shape[i] || pads[i + r] >= x.shape[i]) && (pads[i] > 0 || pads[i + r] > 0))
      bad_node(n, "reflect padding larger than the input");
  }
  Tensor<T> y(s, x.dtype);
  auto xs = strides_of(x.shape);
  std::vector<int64_t> pos(r, 0);
  for (int64_t k = 0; k < y.size(); ++k) {
    int64_t off = 0;
    bool inside = true;
    for (int d = 0; d < r; ++d) {
      int64_t i = pos[d] - pads[d], D = x.shape[d];
      if (i < 0 || i >= D) {
        if (mode == "constant" || D == 0) { inside = false; break; }
        if (mode == "edge") i = i < 0 ? 0 : D - 1;
        else i = i < 0 ? -i : 2 * (D - 1) - i;
      }
      off += i * xs[d];
    }
    y.data[k] = inside ? x.data[off] : value;
    for (int d = r - 1; d >= 0; --d) {
      if (++pos[d] < s[d]) break;
      pos[d] = 0;
    }
  }
  return y;
}

double float_value(const Node& n, FIn in) {
  if (n.opset < 11) return n.attrs.get_float("value", 0.0);
  auto v = opt_in(in, 2);
  return v && !v->data.empty() ? v->data[0] : 0.0;
}
}  // namespace

void register_op_pad(OpTable& t) {
  OpDef d;
  d.op_type = "Pad";
  d.run_float = [](const Node& n, FIn in) { return one(pad<double>(n, in, float_value(n, in))); };
  d.plan = [](PlanContext& c) {
    plan_same_scale(c);
    double v = 0;
    if (c.node.opset < 11) v = c.node.attrs.get_float("value", 0.0);
    else if (c.present(2)) {
      if (!c.is_const(2)) unsupported(c.node, "a non-constant pad value");
      v = c.consts[2]->data.empty() ? 0.0 : c.consts[2]->data[0];
    }
    c.params.ints["value"] = static_cast<int64_t>(std::floor(v * std::ldexp(1.0, c.params.out_scales[0]) + 0.5));
  };
  d.run_int = [](IntContext& c) {
    ITensor y = pad<int64_t>(c.node, std::span<const ITensor* const>(c.in), c.p.get("value"));
    y.scale = c.input(0).scale;
    c.out.push_back(std::move(y));
  };
  d.raw_inputs = {1, 3};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
