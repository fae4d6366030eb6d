// DequantizeLinear: y = (x - zero_point) * scale, per tensor or per slice along `axis` (default 1)
// with 1-D scale and zero point. Of a constant x (QDQ exports' weights) it folds to a constant;
// otherwise the quantizer rewrites it into a Sub of the constant zero point and a Mul by the
// constant scale (graph::lower_composites).
#include "ops/helpers.h"
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
        if (zp && zp->size() != sc.size()) bad_node(n, "scale and zero point differ in size");
        int64_t inner = 1, len = 1;
        if (sc.size() > 1) {
          const int a = norm_axis(n, n.attrs.get_int("axis", 1), x.rank());
          len = x.shape[a];
          if (len != sc.size()) bad_node(n, "scale does not match the axis");
          for (int i = a + 1; i < x.rank(); ++i) inner *= x.shape[i];
        }
        FTensor y(x.shape);
        for (int64_t k = 0; k < x.size(); ++k) {
          const size_t c = static_cast<size_t>(sc.size() > 1 ? (k / inner) % len : 0);
          y.data[k] = (x.data[k] - (zp ? zp->data[c] : 0.0)) * sc.data[c];
        }
        return one(std::move(y));
      },
      "graph::lower_composites", "its scale and zero point must be constants");
}
}  // namespace zkinfer::ops
