// Range: start, start + delta, ... up to (excluding) limit; max(ceil((limit - start) / delta), 0)
// values of start's type. Folded to a constant when its three inputs are constants
// (graph::fold_constants); computed ones are refused (the output's length would depend on them).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_range(OpTable& t) {
  add_lowered_op(
      t, "Range",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 3);
        for (int k = 0; k < 3; ++k)
          if (in[k]->size() != 1) bad_node(n, "start, limit and delta must be scalars");
        const double start = in[0]->data[0], limit = in[1]->data[0], delta = in[2]->data[0];
        if (delta == 0 || !std::isfinite(start) || !std::isfinite(limit) || !std::isfinite(delta)) bad_node(n, "bad start, limit or delta");
        const double len = std::max(std::ceil((limit - start) / delta), 0.0);
        if (len > 0x1p31) bad_node(n, "output too large");
        FTensor y(Shape{static_cast<int64_t>(len)}, in[0]->dtype);
        for (int64_t i = 0; i < y.size(); ++i) y.data[i] = start + static_cast<double>(i) * delta;
        return one(std::move(y));
      },
      "graph::fold_constants", "its start, limit and delta must be constants");
}
}  // namespace zkinfer::ops
