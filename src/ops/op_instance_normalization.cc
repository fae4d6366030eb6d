// InstanceNormalization: x [N, C, D1, ...], per (n, c) over the spatial axes:
// y = (x - mean) / sqrt(var + epsilon) * scale[c] + B[c]. The quantizer rewrites it into a
// LayerNormalization over the trailing spatial axes (scale ones, no bias), a Mul by the scale and an
// Add of the bias as [C, 1, ...] constants (graph::lower_composites; constant scale and B).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_instance_normalization(OpTable& t) {
  add_lowered_op(
      t, "InstanceNormalization",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 3);
        FTensor y = *in[0];
        if (y.rank() < 3) bad_node(n, "input must have a batch, a channel and spatial axes");
        const int64_t C = y.shape[1], len = y.size() / std::max<int64_t>(y.shape[0] * C, 1);
        if (in[1]->size() != C || in[2]->size() != C) bad_node(n, "scale and B must have one value per channel");
        const double eps = n.attrs.get_float("epsilon", 1e-5);
        for (int64_t r = 0; r < y.shape[0] * C; ++r) {
          double* p = y.data.data() + r * len;
          double mu = 0, var = 0;
          for (int64_t i = 0; i < len; ++i) mu += p[i];
          mu /= static_cast<double>(len);
          for (int64_t i = 0; i < len; ++i) var += (p[i] - mu) * (p[i] - mu);
          var /= static_cast<double>(len);
          const double rs = 1.0 / std::sqrt(var + eps);
          for (int64_t i = 0; i < len; ++i) p[i] = (p[i] - mu) * rs * in[1]->data[r % C] + in[2]->data[r % C];
        }
        return one(std::move(y));
      },
      "graph::lower_composites", "its scale and B must be constants");
}
}  // namespace zkinfer::ops
