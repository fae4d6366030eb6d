// PRelu (layers/prelu.h, nonlinear.md section 16): LeakyRelu's sign split with a broadcast slope
// weight, one product sumcheck per claim giving a claim on the slope.
#include "layers/prelu.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class PReluStep : public Step {
 public:
  layers::PReluParams pr;
  int w = -1;  // the slope
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::prelu_advice_shapes(pr);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto nl = layers::deserialize_proof<F>(env.r, layers::prelu_proof_layout(pr, cl.size()));
    layers::PReluClaimsT<F> pc;
    if (Verdict v = layers::verify_prelu_as<F>(pr, cl, nl, env.tr, &pc); !v) return v.within(env.where + ": prelu");
    if (Verdict v = env.open_advice(pc.advice, 0); !v) return v;
    env.add_claims(w, std::move(pc.slope));
    env.add_claims(x, std::move(pc.x));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class PReluProver : public StepProver {
 public:
  const PReluStep& s;
  std::unique_ptr<layers::PReluProver> pr;
  explicit PReluProver(const PReluStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    pr = named(env, s, [&] { return std::make_unique<layers::PReluProver>(s.pr, env.values(s.x), env.values(s.w)); });
    env.expect_output(s, pr->output());
    env.commit_advice(*this, pr->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::PReluClaims pc;
    auto nl = pr->prove(cl, env.tr, &pc);
    nl.serialize(env.w);
    env.open_advice(*this, pc.advice, 0);
    env.add_claims(s.w, std::move(pc.slope));
    env.add_claims(s.x, std::move(pc.x));
  }
};

std::unique_ptr<StepProver> PReluStep::prover(ProverEnv&) const { return std::make_unique<PReluProver>(*this); }

}  // namespace

// LeakyRelu with a per-entry slope, a weight (ops/op_prelu.cc).
std::unique_ptr<Step> plan_prelu(const PlanContext& c) {
  auto p = new_step<PReluStep>(c);
  p->x = c.in(0);
  p->w = c.in(1);
  if (p->x < 0) c.fail("missing input");
  if (p->w < 0 || !is_weight(c.m, p->w)) c.fail("the slope must be a constant");
  auto& l = p->pr;
  l.dims = c.dims(p->y);
  if (c.dims(p->x) != l.dims) c.fail("shape mismatch");
  l.s_dims = c.dims(p->w);
  if (l.s_dims.size() > l.dims.size()) c.fail("slope rank above the input's");
  l.s_dims.insert(l.s_dims.begin(), l.dims.size() - l.s_dims.size(), 1);
  const int64_t ss = c.m.scales[p->w], k = shift_of(c.m.params[c.node]);
  if (ss < 0 || ss > 40 || k < 0 || k > 40) c.fail("scale out of range");
  l.slope_scale = static_cast<size_t>(ss);
  l.shift = static_cast<size_t>(k);
  l.bits = c.bits(p->x);
  if (k > 0 && !bounded_by_consumers(c.m, p->y)) l.out_bits = c.bits(p->y);
  if (auto why = l.invalid()) c.fail(*why);
  return p;
}

}  // namespace zkinfer::proof
