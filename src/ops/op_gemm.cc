// Gemm: Y = alpha * A' B' + beta * C (A' = A or A^T, B' likewise), C broadcast to Y. Integer
// model (alpha = beta = 1): exact products at scale sa + sb, the bias C quantized at that scale
// and added, one rescale to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> gemm(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 2);
  Tensor<T> a = *in[0], b = *in[1];
  if (a.rank() != 2 || b.rank() != 2) bad_node(n, "Gemm needs 2-D inputs");
  if (n.attrs.get_int("transA", 0)) a = transpose(a, {1, 0});
  if (n.attrs.get_int("transB", 0)) b = transpose(b, {1, 0});
  Tensor<T> y = matmul<T>(n, a, b);
  if (const Tensor<T>* cc = opt_in(in, 2)) {
    if (broadcast_shape(n, y.shape, cc->shape) != y.shape) bad_node(n, "C does not broadcast to the output");
    auto idx = broadcast_index(cc->shape, y.shape);
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] += cc->data[idx[i]];
  }
  return y;
}
}  // namespace

void register_op_gemm(OpTable& t) {
  OpDef d;
  d.op_type = "Gemm";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    double alpha = n.attrs.get_float("alpha", 1.0), beta = n.attrs.get_float("beta", 1.0);
    FTensor a = *in[0], cs;
    for (auto& v : a.data) v *= alpha;
    std::vector<const FTensor*> v = {&a, in[1]};
    if (in.size() > 2 && in[2]) {
      cs = *in[2];
      for (auto& x : cs.data) x *= beta;
      v.push_back(&cs);
    }
    return one(gemm<double>(n, std::span<const FTensor* const>(v)));
  };
  d.plan = [](PlanContext& c) {
    if (c.node.attrs.get_float("alpha", 1.0) != 1.0 || c.node.attrs.get_float("beta", 1.0) != 1.0)
      unsupported(c.node, "alpha or beta other than 1 in the integer model");
    int s = c.in_scale(0) + c.in_scale(1);
    if (c.present(2)) {
      if (c.is_const(2)) c.set_const_scale(2, s);
      else if (c.in_scale(2) > s) unsupported(c.node, "bias at a finer scale than the product");
    }
    const Shape& as = c.in_shapes[0];
    double k = static_cast<double>(as.size() == 2 ? (c.node.attrs.get_int("transA", 0) ? as[0] : as[1]) : 1);
    double bound = std::ldexp(k, static_cast<int>(c.in_bits[0] + c.in_bits[1]));
    if (c.present(2)) bound += std::ldexp(1.0, static_cast<int>(c.in_bits[2]));
    c.check_acc(bound, "Gemm");
    plan_rescaled_output(c, s);
  };
  d.run_int = [](IntContext& c) {
    std::vector<const ITensor*> in = c.in;
    ITensor bias;
    int s = c.input(0).scale + c.input(1).scale;
    if (in.size() > 2 && in[2]) {
      bias = *in[2];
      for (auto& v : bias.data) v *= int64_t{1} << (s - bias.scale);
      in[2] = &bias;
    }
    ITensor y = gemm<int64_t>(c.node, std::span<const ITensor* const>(in));
    y.scale = s;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
