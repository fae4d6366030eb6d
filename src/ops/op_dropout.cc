// Dropout at inference: y = x (ratio and training_mode ignored unless training_mode is a constant
// true with a ratio above 0, which is refused); the optional mask output is all true. The quantizer
// rewrites it into an Identity (graph::lower_composites), and a mask that something reads into
// Equal(x, x) (all true).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_dropout(OpTable& t) {
  add_lowered_op(
      t, "Dropout",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 1);
        const FTensor* ratio = opt_in(in, 1);
        const FTensor* training = opt_in(in, 2);
        const double r = ratio && ratio->size() > 0 ? ratio->data[0] : n.attrs.get_float("ratio", 0.5);
        if (training && training->size() > 0 && training->data[0] != 0 && r > 0)
          unsupported(n, "training mode (random dropout)");
        std::vector<FTensor> out;
        out.push_back(*in[0]);
        FTensor mask(in[0]->shape, DType::kBool);
        std::fill(mask.data.begin(), mask.data.end(), 1.0);
        out.push_back(std::move(mask));
        return out;
      },
      "graph::lower_composites", "it is in training mode");
}
}  // namespace zkinfer::ops
