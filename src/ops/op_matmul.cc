// MatMul (numpy semantics, batched with broadcasting). Integer model: exact int64 products
// accumulated at scale sa + sb, rescaled to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_matmul(OpTable& t) {
  OpDef d;
  d.op_type = "MatMul";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    return one(matmul<double>(n, *in[0], *in[1]));
  };
  d.plan = [](PlanContext& c) {
    int s = c.in_scale(0) + c.in_scale(1);
    double k = static_cast<double>(c.in_shapes[0].empty() ? 1 : c.in_shapes[0].back());
    c.check_acc(std::ldexp(k, static_cast<int>(c.in_bits[0] + c.in_bits[1])), "matrix product");
    plan_rescaled_output(c, s);
  };
  d.run_int = [](IntContext& c) {
    const ITensor &a = c.input(0), &b = c.input(1);
    ITensor y = matmul<int64_t>(c.node, a, b);
    y.scale = a.scale + b.scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
