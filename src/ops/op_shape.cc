// Shape: the input's shape as an int64 vector (start/end of opset 15). Shapes are fixed at
// compile time, so the quantizer folds every Shape node (and what is computed from it) into
// constants; the forwards exist for the float executor and folding.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> shape_of(const Node& n, const Tensor<T>& x) {
  int64_t r = x.rank(), s = n.attrs.get_int("start", 0), e = n.attrs.get_int("end", r);
  if (s < 0) s += r;
  if (e < 0) e += r;
  s = std::clamp<int64_t>(s, 0, r);
  e = std::clamp<int64_t>(e, s, r);
  Tensor<T> y(Shape{e - s}, DType::kInt);
  for (int64_t i = s; i < e; ++i) y.data[i - s] = static_cast<T>(x.shape[i]);
  return y;
}
}  // namespace
void register_op_shape(OpTable& t) {
  OpDef d;
  d.op_type = "Shape";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    return one(shape_of(n, *in[0]));
  };
  d.plan = [](PlanContext& c) { c.params.out_scales = {0}; };
  d.run_int = [](IntContext& c) { c.out.push_back(shape_of(c.node, c.input(0))); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
