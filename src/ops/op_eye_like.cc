// EyeLike: a 2-D tensor of the input's shape with ones on the k-th diagonal (y[i][j] = j - i == k),
// of type `dtype` (default: the input's). It depends on the input's shape only: folded to a
// constant once shapes are known (graph::fold_constants), never proven.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_eye_like(OpTable& t) {
  add_lowered_op(
      t, "EyeLike",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        if (in[0]->rank() != 2) bad_node(n, "input must be 2-D");
        DType dt = in[0]->dtype;
        if (n.attrs.ints.count("dtype")) {
          const int64_t c = n.attrs.get_int("dtype", 1);
          dt = c == 9 ? DType::kBool : (c == 1 || c == 10 || c == 11 || c == 16) ? DType::kFloat : DType::kInt;
        }
        FTensor y(in[0]->shape, dt);
        const int64_t k = n.attrs.get_int("k", 0), rows = y.shape[0], cols = y.shape[1];
        for (int64_t i = 0; i < rows; ++i)
          if (i + k >= 0 && i + k < cols) y.data[i * cols + i + k] = 1;
        return one(std::move(y));
      },
      "graph::fold_constants, from the input's shape");
}
}  // namespace zkinfer::ops
