// Hardmax (before opset 13: over the flattened dimensions from axis on, default 1; after: along
// axis, default -1): 1 at the first maximum of each row, 0 elsewhere. The quantizer rewrites it
// into ArgMax and a OneHot of depth n (rows flattened by Reshapes before opset 13;
// graph::lower_composites): the first maximum of the quantized values.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_hardmax(OpTable& t) {
  add_lowered_op(
      t, "Hardmax",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        FTensor y = *in[0];
        for_each_softmax_row(n, y, [](auto& at, int64_t len) {
          int64_t best = 0;
          for (int64_t j = 1; j < len; ++j)
            if (at(j) > at(best)) best = j;
          for (int64_t j = 0; j < len; ++j) at(j) = j == best ? 1 : 0;
        });
        return one(std::move(y));
      },
      "graph::lower_composites", "its rows must have at most 256 entries (OneHot's depth)");
}
}  // namespace zkinfer::ops
