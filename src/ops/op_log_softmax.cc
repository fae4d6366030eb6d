// LogSoftmax (before opset 13: over the flattened dimensions from axis on, default 1; after:
// along axis, default -1): y = x - m - log(sum exp(x - m)), m the row's maximum. Float semantics
// here; the quantizer rewrites it into ReduceMax, Sub, Exp, ReduceSum, Log and Sub
// (graph::lower_composites, the stable form: exp's inputs are <= 0 and the sum lies in [1, n]).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_log_softmax(OpTable& t) {
  add_lowered_op(
      t, "LogSoftmax",
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
            double m = -INFINITY, s = 0;
            for (int64_t j = 0; j < len; ++j) m = std::max(m, at(j));
            for (int64_t j = 0; j < len; ++j) s += std::exp(at(j) - m);
            const double l = std::log(s);
            for (int64_t j = 0; j < len; ++j) at(j) = at(j) - m - l;
          }
        return one(std::move(y));
      },
      "graph::lower_composites");
}
}  // namespace zkinfer::ops
