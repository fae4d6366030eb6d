// ConstantOfShape: a tensor of the given (constant) shape filled with the attribute value.
// Its input is a constant after shape folding, so the loader or quantizer folds it.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_constant_of_shape(OpTable& t) {
  OpDef d;
  d.op_type = "ConstantOfShape";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    auto s = int_values(n, in[0], "shape");
    int64_t total = 1;
    for (auto v : s) {
      if (v < 0 || v > (int64_t{1} << 31)) bad_node(n, "bad dimension");
      total *= v;
      if (total > (int64_t{1} << 31)) bad_node(n, "tensor too large");
    }
    double v = 0;
    DType dt = DType::kFloat;
    auto it = n.attrs.tensors.find("value");
    if (it != n.attrs.tensors.end() && !it->second.data.empty()) {
      v = it->second.data[0];
      dt = it->second.dtype;
    }
    FTensor y(s, dt);
    std::fill(y.data.begin(), y.data.end(), v);
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { c.fail("ConstantOfShape should have been folded (its shape must be constant)"); };
  d.run_int = [](IntContext& c) { c.fail("ConstantOfShape should have been folded"); };
  d.raw_inputs = {0};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
