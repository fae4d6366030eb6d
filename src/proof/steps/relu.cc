// Relu (layers/rescale.h, nonlinear.md): a sign split of the input with digit range checks; when
// the input is a linear step's rescaled output used nowhere else, the Relu proves that rescale too
// (fused: its claims are on the accumulator).
#include "layers/activation.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class ReluStep : public Step {
 public:
  layers::ReluParams relu;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::relu_advice_shapes(relu);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "relu", [&] { return layers::deserialize_proof<F>(env.r, layers::relu_proof_layout(relu, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_relu_as<F>(relu, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override {
    e.routine("ZkNonlinear", "verifyRelu", "ZkNonlinear.ReluParams memory",
              "ZkNonlinear.ReluParams(" + sol_uints(relu.dims) + ", " + sol_uint(relu.shift) + ", " + sol_uint(relu.bits) + ")");
    e.claims_to(x, "x");
    return true;
  }
};

class ReluProver : public StepProver {
 public:
  const ReluStep& s;
  std::unique_ptr<layers::ReluProver> relu;
  explicit ReluProver(const ReluStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    const StepProver* q = env.prover_of(s.x);
    const std::vector<int64_t>* fused = q ? q->claimed_values() : nullptr;  // a fused producer's accumulator
    relu = std::make_unique<layers::ReluProver>(s.relu, fused ? *fused : env.values(s.x), env.values(s.y));
    env.commit_advice(*this, relu->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *relu, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> ReluStep::prover(ProverEnv&) const { return std::make_unique<ReluProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_relu(const PlanContext& c) {
  auto s = new_step<ReluStep>(c);
  s->x = c.in(0);
  if (s->x < 0) c.fail("missing input");
  if (c.dims(s->x) != c.dims(s->y)) c.fail("shape mismatch");
  s->relu.dims = c.dims(s->y);
  s->relu.shift = 0;
  s->relu.bits = c.bits(s->x);
  // Fuse with the rescale of the linear node producing x when this Relu is its only use.
  Step* prod = c.producer(s->x);
  if (prod && prod->fusable_shift() > 0) {
    bool is_output = false;
    for (int o : c.m.graph.outputs) is_output |= o == s->x;
    if (!is_output && consumers(c.m, s->x).size() == 1) {
      prod->fuse();
      s->relu.shift = static_cast<size_t>(prod->fusable_shift());
    }
  }
  return s;
}

}  // namespace zkinfer::proof
