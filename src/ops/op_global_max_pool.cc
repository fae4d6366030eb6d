// GlobalMaxPool: the maximum over every spatial axis (2..), kept as dimensions of 1. The quantizer
// rewrites it into a ReduceMax over those axes with keepdims (graph::lower_composites).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_global_max_pool(OpTable& t) {
  add_lowered_op(
      t, "GlobalMaxPool",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        const FTensor& x = *in[0];
        if (x.rank() < 3) bad_node(n, "input must have a batch, a channel and spatial axes");
        const int64_t outer = x.shape[0] * x.shape[1], len = x.size() / std::max<int64_t>(outer, 1);
        Shape s = x.shape;
        for (size_t i = 2; i < s.size(); ++i) s[i] = 1;
        FTensor y(s, x.dtype);
        for (int64_t o = 0; o < outer; ++o) {
          double m = -INFINITY;
          for (int64_t j = 0; j < len; ++j) m = std::max(m, x.data[o * len + j]);
          y.data[o] = m;
        }
        return one(std::move(y));
      },
      "graph::lower_composites");
}
}  // namespace zkinfer::ops
