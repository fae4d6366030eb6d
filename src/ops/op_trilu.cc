// Trilu: the upper (upper = 1, default) or lower triangle of each matrix of the last two axes,
// the diagonal shifted by the optional constant input k (upper keeps column - row >= k, lower
// keeps column - row <= k); the rest is zero. Integer model: the same selection at the input's
// scale; proven as data movement (proof/steps/move.cc, layers::trilu_map).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> trilu(const Node& n, const Tensor<T>& x, int64_t k) {
  if (x.rank() < 2) bad_node(n, "input of rank below 2");
  const bool upper = n.attrs.get_int("upper", 1) != 0;
  const int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
  Tensor<T> y = x;
  for (int64_t i = 0; i < y.size(); ++i) {
    const int64_t c = i % cols, r = (i / cols) % rows;
    if (upper ? c - r < k : c - r > k) y.data[i] = 0;
  }
  return y;
}
template <class T>
int64_t k_of(const Node& n, std::span<const Tensor<T>* const> in) {
  const Tensor<T>* k = opt_in(in, 1);
  if (!k) return 0;
  auto v = int_values(n, k, "k");
  if (v.size() != 1) bad_node(n, "k is not a scalar");
  if (v[0] > (int64_t{1} << 31) || v[0] < -(int64_t{1} << 31)) bad_node(n, "k out of range");
  return v[0];
}
}  // namespace

void register_op_trilu(OpTable& t) {
  OpDef d;
  d.op_type = "Trilu";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    return one(trilu<double>(n, *in[0], k_of(n, in)));
  };
  d.plan = [](PlanContext& c) {
    if (c.present(1) && !c.is_const(1)) unsupported(c.node, "a non-constant k");
    plan_same_scale(c);
    c.params.ints["k"] = c.present(1) ? k_of(c.node, std::span<const FTensor* const>(c.consts)) : 0;
  };
  d.run_int = [](IntContext& c) {
    ITensor y = trilu<int64_t>(c.node, c.input(0), c.p.get("k"));
    y.scale = c.input(0).scale;
    c.out.push_back(std::move(y));
  };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
