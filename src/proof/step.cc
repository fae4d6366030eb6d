#include "proof/step.h"

namespace zkinfer::proof {

void ProverEnv::expect_output(const Step& s, const std::vector<int64_t>& got) const {
  if (got != values(s.y)) throw Error("proof: " + node_label(model, s.node) + ": the layer's output differs from the trace");
}

void PlanContext::fail(const std::string& why) const { throw Error("proof: " + node_label(m, node) + ": " + why); }

Verdict Step::verify_circuit(CircuitVerifierEnv& env, std::vector<CircuitClaim>) const {
  throw Error("wrap: " + env.where + ": this step's verifier has no circuit form yet (docs/protocol/wrap.md section 6)");
}

Step* PlanContext::producer(int t) const {
  for (auto& s : planned)
    if (s->y == t) return s.get();
  return nullptr;
}

}  // namespace zkinfer::proof
