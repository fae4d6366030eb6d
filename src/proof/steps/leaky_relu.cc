// LeakyRelu, and Abs as LeakyRelu with slopes 1 and -1 (layers/leaky_relu.h, nonlinear.md
// section 9): a sign split of the input, range-checked.
#include "layers/leaky_relu.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class LeakyReluStep : public Step {
 public:
  layers::LeakyReluParams lr;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::leaky_relu_advice_shapes(lr);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "leaky relu", [&] { return layers::deserialize_proof<F>(env.r, layers::leaky_relu_proof_layout(lr, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_leaky_relu_as<F>(lr, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class LeakyReluProver : public StepProver {
 public:
  const LeakyReluStep& s;
  std::unique_ptr<layers::LeakyReluProver> lr;
  explicit LeakyReluProver(const LeakyReluStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    lr = std::make_unique<layers::LeakyReluProver>(s.lr, env.values(s.x));
    env.expect_output(s, lr->output());
    env.commit_advice(*this, lr->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *lr, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> LeakyReluStep::prover(ProverEnv&) const { return std::make_unique<LeakyReluProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_leaky_relu(const PlanContext& c) {
  auto p = new_step<LeakyReluStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  auto& l = p->lr;
  l.dims = c.dims(p->y);
  if (c.op() == "Abs") {  // |x| = pos + neg (leaky_relu.h)
    if (c.dims(p->x) != l.dims) c.fail("shape mismatch");
    l.alpha_q = -1;
    l.alpha_scale = 0;
    l.shift = 0;
    l.bits = c.bits(p->x);
    return p;
  }
  const auto& qp = c.m.params[c.node];
  l.alpha_q = qp.get("alpha_q");
  const int64_t sa = qp.get("alpha_scale"), k = shift_of(qp);
  if (sa < 0 || sa > 40 || k < 0 || k > 40) c.fail("scale out of range");
  l.alpha_scale = static_cast<size_t>(sa);
  l.shift = static_cast<size_t>(k);
  l.bits = c.bits(p->x);
  if (k > 0 && !bounded_by_consumers(c.m, p->y)) l.out_bits = c.bits(p->y);
  return p;
}

}  // namespace zkinfer::proof
