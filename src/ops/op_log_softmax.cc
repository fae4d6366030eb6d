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
        for_each_softmax_row(n, y, [](auto& at, int64_t len) {
          double m = -INFINITY, s = 0;
          for (int64_t j = 0; j < len; ++j) m = std::max(m, at(j));
          for (int64_t j = 0; j < len; ++j) s += std::exp(at(j) - m);
          const double l = std::log(s);
          for (int64_t j = 0; j < len; ++j) at(j) = at(j) - m - l;
        });
        return one(std::move(y));
      },
      "graph::lower_composites");
}
}  // namespace zkinfer::ops
