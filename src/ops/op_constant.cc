// Constant: the loader folds it into a constant tensor; the float forward serves folding.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_constant(OpTable& t) {
  OpDef d;
  d.op_type = "Constant";
  d.run_float = [](const Node& n, FIn) {
    auto it = n.attrs.tensors.find("value");
    if (it != n.attrs.tensors.end()) return one(it->second);
    FTensor y;
    if (n.attrs.floats.count("value_float")) {
      y.data = {n.attrs.floats.at("value_float")};
    } else if (n.attrs.ints.count("value_int")) {
      y.data = {static_cast<double>(n.attrs.ints.at("value_int"))};
      y.dtype = DType::kInt;
    } else if (n.attrs.float_lists.count("value_floats")) {
      y.data = n.attrs.float_lists.at("value_floats");
      y.shape = {y.size()};
    } else if (n.attrs.int_lists.count("value_ints")) {
      for (auto v : n.attrs.int_lists.at("value_ints")) y.data.push_back(static_cast<double>(v));
      y.shape = {y.size()};
      y.dtype = DType::kInt;
    } else {
      unsupported(n, "Constant without a numeric value");
    }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { c.fail("Constant should have been folded"); };
  d.run_int = [](IntContext& c) { c.fail("Constant should have been folded"); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
