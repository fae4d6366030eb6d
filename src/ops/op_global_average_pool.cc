// GlobalAveragePool: mean over all spatial positions. Integer model: exact sum divided by the
// count with round-half-up and an explicit remainder; same scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> sums(const Node& n, const Tensor<T>& x, int64_t* count) {
  if (x.rank() < 3) bad_node(n, "input rank below 3");
  int64_t NC = x.shape[0] * x.shape[1], S = numel(x.shape) / std::max<int64_t>(1, NC);
  Shape os = {x.shape[0], x.shape[1]};
  for (int i = 2; i < x.rank(); ++i) os.push_back(1);
  Tensor<T> y(os, x.dtype);
  for (int64_t p = 0; p < NC; ++p) {
    T acc(0);
    for (int64_t i = 0; i < S; ++i) acc += x.data[p * S + i];
    y.data[p] = acc;
  }
  *count = S;
  return y;
}
}  // namespace

void register_op_global_average_pool(OpTable& t) {
  OpDef d;
  d.op_type = "GlobalAveragePool";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    int64_t cnt;
    FTensor y = sums(n, *in[0], &cnt);
    for (auto& v : y.data) v /= static_cast<double>(std::max<int64_t>(1, cnt));
    return one(std::move(y));
  };
  d.plan = plan_same_scale;
  d.run_int = [](IntContext& c) {
    int64_t cnt;
    ITensor y = sums(c.node, c.input(0), &cnt);
    ITensor rem(y.shape, DType::kInt);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = div_round(y.data[i], cnt, &rem.data[i]);
    y.scale = c.input(0).scale;
    c.aux.emplace_back("div.rem", std::move(rem));
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
