// NonZero: the indices of the nonzero entries, one row per axis (shape [rank, count], row-major
// order of the entries). Its output shape depends on the values, so it is proven only where its
// input is a constant and the whole node folds at compile time (PyTorch exports
// torch.arange-like index ranges this way: NonZero(ConstantOfShape(...))).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_non_zero(OpTable& t) {
  OpDef d;
  d.op_type = "NonZero";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    const FTensor& x = *in[0];
    const size_t rank = x.shape.size();
    std::vector<size_t> hits;
    for (size_t i = 0; i < x.data.size(); ++i)
      if (x.data[i] != 0) hits.push_back(i);
    FTensor y(Shape{static_cast<int64_t>(rank == 0 ? 1 : rank), static_cast<int64_t>(hits.size())}, DType::kInt);
    for (size_t k = 0; k < hits.size(); ++k) {
      size_t rest = hits[k];
      for (size_t a = rank; a-- > 0;) {
        const auto dim = static_cast<size_t>(x.shape[a]);
        y.data[a * hits.size() + k] = static_cast<double>(rest % dim);
        rest /= dim;
      }
    }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { c.fail("NonZero of a computed tensor has a data-dependent shape (only a constant input folds)"); };
  d.run_int = [](IntContext& c) { c.fail("NonZero should have been folded"); };
  d.raw_inputs = {0};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
