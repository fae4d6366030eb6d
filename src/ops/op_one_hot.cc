// OneHot(indices, depth, values): y has the indices' shape with a new dimension of `depth` entries
// inserted at `axis` (default -1: last); y = values[1] where the new coordinate equals the index
// (a negative index counts from depth), values[0] elsewhere (an index outside [-depth, depth):
// a row of values[0]). depth is a compile-time constant; values are quantized constants (their
// scale is the output's); the indices must be integers (scale 0). layers/one_hot.h proves it.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> one_hot(const Node& n, const Tensor<T>& idx, int64_t depth, T off, T on) {
  if (depth < 1 || depth > (int64_t{1} << 20)) bad_node(n, "depth out of range [1, 2^20]");
  const int r = idx.rank() + 1;
  int64_t a = n.attrs.get_int("axis", -1);
  if (a < 0) a += r;
  if (a < 0 || a >= r) bad_node(n, "axis out of range");
  Shape s(idx.shape.begin(), idx.shape.end());
  s.insert(s.begin() + a, depth);
  int64_t inner = 1;
  for (int d = static_cast<int>(a); d < idx.rank(); ++d) inner *= idx.shape[d];
  Tensor<T> y(s, DType::kFloat);
  for (size_t k = 0; k < idx.data.size(); ++k) {
    const int64_t o = static_cast<int64_t>(k) / inner, i = static_cast<int64_t>(k) % inner;
    int64_t j = static_cast<int64_t>(idx.data[k]);
    if (j < 0) j += depth;
    for (int64_t c = 0; c < depth; ++c) y.data[static_cast<size_t>((o * depth + c) * inner + i)] = c == j ? on : off;
  }
  return y;
}
}  // namespace

void register_op_one_hot(OpTable& t) {
  OpDef d;
  d.op_type = "OneHot";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 3);
    const auto depth = int_values(n, in[1], "depth");
    if (depth.size() != 1 || in[2]->data.size() != 2) bad_node(n, "depth must be a scalar and values hold 2 entries");
    FTensor y = one_hot<double>(n, *in[0], depth[0], in[2]->data[0], in[2]->data[1]);
    y.dtype = in[2]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (!c.is_const(2)) unsupported(c.node, "values must be a constant");
    if (c.in_scale(0) != 0) unsupported(c.node, "indices must be integers (scale 2^0)");
    c.params.out_scales = {c.in_scale(2)};
  };
  d.run_int = [](IntContext& c) {
    const auto& v = c.input(2);
    const auto depth = int_values(c.node, &c.input(1), "depth");
    if (depth.size() != 1 || v.data.size() != 2) c.fail("depth must be a scalar and values hold 2 entries");
    ITensor y = one_hot<int64_t>(c.node, c.input(0), depth[0], v.data[0], v.data[1]);
    y.scale = v.scale;
    y.dtype = v.dtype;
    c.out.push_back(std::move(y));
  };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
