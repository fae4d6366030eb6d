// DequantizeLinear: y = (x - zero_point) * scale, per tensor or per slice along `axis` (default 1)
// with 1-D scale and zero point. Of a constant x (QDQ exports' weights) it folds to a constant;
// otherwise the quantizer rewrites it into a Sub of the constant zero point and a Mul by the
// constant scale (graph::lower_composites).
#include "ops/helpers.h"
#include "ops/per_axis.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_dequantize_linear(OpTable& t) {
  add_lowered_op(
      t, "DequantizeLinear",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const FTensor& x = *in[0];
        const FTensor& sc = *in[1];
        const FTensor* zp = opt_in(in, 2);
        const PerAxis axis = per_axis(n, x, sc, zp);
        FTensor y(x.shape);
        for (int64_t k = 0; k < x.size(); ++k) {
          const size_t c = axis.index(k);
          y.data[k] = (x.data[k] - (zp ? zp->data[c] : 0.0)) * sc.data[c];
        }
        return one(std::move(y));
      },
      "graph::lower_composites", "its scale and zero point must be constants");
}
}  // namespace zkinfer::ops
