// Size: the number of elements of the input, an int64 scalar. It depends on the input's shape
// only: folded to a constant once shapes are known (graph::fold_constants), never proven.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_size(OpTable& t) {
  add_lowered_op(
      t, "Size",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        FTensor y(Shape{}, DType::kInt);
        y.data = {static_cast<double>(numel(in[0]->shape))};
        return one(std::move(y));
      },
      "graph::fold_constants, from the input's shape");
}
}  // namespace zkinfer::ops
