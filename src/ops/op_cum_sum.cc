// CumSum along a constant axis (exclusive, reverse): y_i = sum of x_j over j <= i (exclusive: j <
// i; reverse: j >= i, j > i). The quantizer rewrites it into a MatMul by a constant 0/1 triangular
// matrix, the axis moved last by Transposes (graph::lower_composites): exact sums.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_cum_sum(OpTable& t) {
  add_lowered_op(
      t, "CumSum",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        FTensor y = *in[0];
        const auto ax = int_values(n, in[1], "axis");
        if (ax.size() != 1 || y.rank() == 0) bad_node(n, "axis must be one value of a tensor of rank >= 1");
        const int a = norm_axis(n, ax[0], y.rank());
        const bool exclusive = n.attrs.get_int("exclusive", 0) != 0, reverse = n.attrs.get_int("reverse", 0) != 0;
        int64_t outer = 1, len = y.shape[a], inner = 1;
        for (int i = 0; i < a; ++i) outer *= y.shape[i];
        for (int i = a + 1; i < y.rank(); ++i) inner *= y.shape[i];
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            double s = 0;
            for (int64_t k = 0; k < len; ++k) {
              const int64_t j = reverse ? len - 1 - k : k;
              const size_t at = static_cast<size_t>((o * len + j) * inner + i);
              const double v = in[0]->data[at];
              if (!exclusive) s += v;
              y.data[at] = s;
              if (exclusive) s += v;
            }
          }
        return one(std::move(y));
      },
      "graph::lower_composites", "its axis must be a constant and the axis at most 4096 long");
}
}  // namespace zkinfer::ops
