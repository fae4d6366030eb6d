// Gather along axis with (possibly negative) integer indices. Pure data movement; out-of-range
// indices are an error naming the node. Indices that are a float constant (a weight with integer
// values: the feature selection of tree ensembles, graph/lower_ml.cc) are quantized at scale 0, so
// they stay indices (committed with private weights; proven by proof/steps/gather_private.cc).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
std::vector<Tensor<T>> gather(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 2);
  const auto& x = *in[0];
  auto idx = int_values(n, in[1], "indices");
  int a = norm_axis(n, n.attrs.get_int("axis", 0), x.rank());
  int64_t outer = 1, inner = 1, d = x.shape[a];
  for (int i = 0; i < a; ++i) outer *= x.shape[i];
  for (int i = a + 1; i < x.rank(); ++i) inner *= x.shape[i];
  Shape s(x.shape.begin(), x.shape.begin() + a);
  s.insert(s.end(), in[1]->shape.begin(), in[1]->shape.end());
  s.insert(s.end(), x.shape.begin() + a + 1, x.shape.end());
  Tensor<T> y(s, x.dtype);
  size_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : idx) {
      if (j < -d || j >= d) bad_node(n, "index " + std::to_string(j) + " out of range [" + std::to_string(-d) + ", " + std::to_string(d) + ")");
      if (j < 0) j += d;
      for (int64_t i = 0; i < inner; ++i) y.data[k++] = x.data[(o * d + j) * inner + i];
    }
  return one_t(std::move(y));
}
}  // namespace

void register_op_gather(OpTable& t) {
  OpDef d;
  d.op_type = "Gather";
  d.run_float = [](const Node& n, FIn in) -> std::vector<FTensor> { return gather<double>(n, in); };
  d.plan = [](PlanContext& c) {
    if (c.is_const(1) && c.in_dtypes[1] == DType::kFloat) c.set_const_scale(1, 0);
    plan_same_scale(c);
  };
  d.run_int = [](IntContext& c) {
    auto outs = gather<int64_t>(c.node, std::span<const ITensor* const>(c.in));
    for (auto& o : outs) {
      o.scale = c.input(0).scale;
      o.dtype = c.input(0).dtype;
      c.out.push_back(std::move(o));
    }
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
