// MeanVarianceNormalization over `axes` (default 0, 2, 3): y = (x - mean) / (sqrt(var) + 1e-9),
// ONNX's function body. The quantizer rewrites it into a Transpose that moves the axes last, a
// LayerNormalization over them (epsilon 1e-9: 1 / sqrt(var + 1e-9) instead of 1 / (sqrt(var) +
// 1e-9), the same where var is not tiny) and the inverse Transpose (graph::lower_composites).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_mean_variance_normalization(OpTable& t) {
  add_lowered_op(
      t, "MeanVarianceNormalization",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        const FTensor& x = *in[0];
        Node rn = n;
        rn.attrs.ints["keepdims"] = 1;
        const Reduction R = make_reduction(rn, x.shape, n.attrs.get_ints("axes", {0, 2, 3}));
        FTensor mean = reduce_sum(x, R), sq(R.out_shape);
        for (auto& v : mean.data) v /= static_cast<double>(R.count);
        for (size_t k = 0; k < R.map.size(); ++k) {
          const double d = x.data[k] - mean.data[R.map[k]];
          sq.data[R.map[k]] += d * d;
        }
        FTensor y = x;
        for (size_t k = 0; k < R.map.size(); ++k)
          y.data[k] = (x.data[k] - mean.data[R.map[k]]) / (std::sqrt(sq.data[R.map[k]] / static_cast<double>(R.count)) + 1e-9);
        return one(std::move(y));
      },
      "graph::lower_composites");
}
}  // namespace zkinfer::ops
