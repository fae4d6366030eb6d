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
        const int r = y.rank();
        int64_t outer = 1, len = 1, inner = 1;
        if (r > 0) {
          const bool old = n.opset < 13;
          const int a = norm_axis(n, n.attrs.get_int("axis", old ? 1 : -1), r);
          for (int i = 0; i < a; ++i) outer *= y.shape[i];
          if (old) {
            for (int i = a; i < r; ++i) len *= y.shape[i];
          } else {
            len = y.shape[a];
            for (int i = a + 1; i < r; ++i) inner *= y.shape[i];
          }
        }
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            auto at = [&](int64_t j) -> double& { return y.data[(o * len + j) * inner + i]; };
            int64_t best = 0;
            for (int64_t j = 1; j < len; ++j)
              if (at(j) > at(best)) best = j;
            for (int64_t j = 0; j < len; ++j) at(j) = j == best ? 1 : 0;
          }
        return one(std::move(y));
      },
      "graph::lower_composites", "its rows must have at most 256 entries (OneHot's depth)");
}
}  // namespace zkinfer::ops
