// Concat along axis. Integer model: inputs brought to a common scale (the largest, limited by
// the calibrated output range; down-scaling rescales with a remainder).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> concat(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 1);
  const auto& x0 = *in[0];
  int a = norm_axis(n, n.attrs.get_int("axis", 0), x0.rank());
  Shape s = x0.shape;
  s[a] = 0;
  for (auto* x : in) {
    if (!x || x->rank() != x0.rank()) bad_node(n, "inputs differ in rank");
    for (int i = 0; i < x0.rank(); ++i)
      if (i != a && x->shape[i] != x0.shape[i]) bad_node(n, "inputs differ in shape off the axis");
    s[a] += x->shape[a];
  }
  Tensor<T> y(s, x0.dtype);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < a; ++i) outer *= s[i];
  for (int i = a + 1; i < x0.rank(); ++i) inner *= s[i];
  size_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (auto* x : in) {
      int64_t len = x->shape[a] * inner;
      for (int64_t j = 0; j < len; ++j) y.data[k++] = x->data[o * len + j];
    }
  return y;
}
}  // namespace

void register_op_concat(OpTable& t) {
  OpDef d;
  d.op_type = "Concat";
  d.run_float = [](const Node& n, FIn in) { return one(concat<double>(n, in)); };
  d.plan = [](PlanContext& c) {
    int s = -1000;
    for (size_t i = 0; i < c.node.inputs.size(); ++i) s = std::max(s, c.in_scale(i));
    c.params.out_scales = {std::min(s, c.act_scale(c.out_ranges[0], std::max(s, c.cfg.base_scale)))};
  };
  d.run_int = [](IntContext& c) {
    int so = c.p.out_scales.at(0);
    std::vector<ITensor> al;
    for (size_t i = 0; i < c.in.size(); ++i) {
      al.push_back(c.input(i));
      to_scale(c, al.back(), so, "in" + std::to_string(i));
    }
    std::vector<const ITensor*> ptr;
    for (auto& x : al) ptr.push_back(&x);
    ITensor y = concat<int64_t>(c.node, std::span<const ITensor* const>(ptr));
    y.scale = so;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
