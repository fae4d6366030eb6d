// CastLike: x cast to the element type of the second input (real, integer or bool; the float
// executor converts as Cast does, real targets keep double precision). The quantizer rewrites it
// into a Cast (graph::lower_composites), whose integer model applies.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_cast_like(OpTable& t) {
  add_lowered_op(
      t, "CastLike",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        FTensor y = *in[0];
        const DType to = in[1]->dtype;
        for (auto& v : y.data) {
          if (to == DType::kInt) v = std::trunc(v);
          else if (to == DType::kBool) v = v != 0 ? 1.0 : 0.0;
        }
        y.dtype = to;
        return one(std::move(y));
      },
      "graph::lower_composites");
}
}  // namespace zkinfer::ops
