// ReduceMin (axes attribute before opset 18, input after); same scale, exact (comparisons in the prover).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> reduce(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 1);
  const auto& x = *in[0];
  Reduction R = make_reduction(n, x.shape, axes_of(n, in, 18));
  Tensor<T> y(R.out_shape, x.dtype);
  y.scale = x.scale;
  std::vector<bool> seen(y.data.size(), false);
  for (size_t k = 0; k < R.map.size(); ++k) {
    auto o = static_cast<size_t>(R.map[k]);
    if (!seen[o] || x.data[k] < y.data[o]) y.data[o] = x.data[k];
    seen[o] = true;
  }
  return y;
}
}  // namespace
void register_op_reduce_min(OpTable& t) {
  OpDef d;
  d.op_type = "ReduceMin";
  d.run_float = [](const Node& n, FIn in) { return one(reduce<double>(n, in)); };
  d.plan = plan_same_scale;
  d.run_int = [](IntContext& c) { c.out.push_back(reduce<int64_t>(c.node, std::span<const ITensor* const>(c.in))); };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
