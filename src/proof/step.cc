#include "proof/step.h"

namespace zkinfer::proof {

void ProverEnv::expect_output(const Step& s, const std::vector<int64_t>& got) const {
  if (got != values(s.y)) throw Error("proof: " + node_label(model, s.node) + ": the layer's output differs from the trace");
}

void PlanContext::fail(const std::string& why) const { throw Error("proof: " + node_label(m, node) + ": " + why); }

Step* PlanContext::producer(int t) const {
  for (auto& s : planned)
    if (s->y == t) return s.get();
  return nullptr;
}

}  // namespace zkinfer::proof
