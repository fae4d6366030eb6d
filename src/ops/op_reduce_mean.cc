// ReduceMean (axes attribute before opset 18, input after). Integer model: exact sum divided by the count with round-half-up and an explicit remainder; same scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_reduce_mean(OpTable& t) {
  OpDef d;
  d.op_type = "ReduceMean";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    Reduction R = make_reduction(n, in[0]->shape, axes_of(n, in, 18));
    FTensor y = reduce_sum(*in[0], R);
    for (auto& v : y.data) v /= static_cast<double>(std::max<int64_t>(1, R.count));
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { plan_same_scale(c); };
  d.run_int = [](IntContext& c) {
    Reduction R = make_reduction(c.node, c.input(0).shape, axes_of(c.node, std::span<const ITensor* const>(c.in), 18));
    ITensor y = reduce_sum(c.input(0), R);
    ITensor rem(y.shape, DType::kInt);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = div_round(y.data[i], R.count, &rem.data[i]);
    y.scale = c.input(0).scale;
    c.aux.emplace_back("div.rem", std::move(rem));
    c.out.push_back(std::move(y));
  };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
