// Relu: max(x, 0), same scale (the prover shows it with a sign decomposition).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_relu(OpTable& t) {
  OpDef d;
  d.op_type = "Relu";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (auto& v : y.data) v = v > 0 ? v : 0;
    return one(std::move(y));
  };
  d.plan = plan_same_scale;
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    for (auto& v : y.data) v = v > 0 ? v : 0;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
