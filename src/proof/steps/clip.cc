// Clip and ReLU6 (layers/clip.h, nonlinear.md section 15): two sign splits, of x - lo and x - hi.
#include "layers/clip.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class ClipStep : public Step {
 public:
  layers::ClipParams clip;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::clip_advice_shapes(clip);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "clip", [&] { return layers::deserialize_proof<F>(env.r, layers::clip_proof_layout(clip, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_clip_as<F>(clip, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class ClipProver : public StepProver {
 public:
  const ClipStep& s;
  std::unique_ptr<layers::ClipProver> clip;
  explicit ClipProver(const ClipStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    clip = std::make_unique<layers::ClipProver>(s.clip, env.values(s.x));
    env.expect_output(s, clip->output());
    env.commit_advice(*this, clip->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *clip, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> ClipStep::prover(ProverEnv&) const { return std::make_unique<ClipProver>(*this); }

}  // namespace

// min(max(x, lo), hi) at x's scale (ops/op_clip.cc; ReLU6 is Clip(0, 6)).
std::unique_ptr<Step> plan_clip(const PlanContext& c) {
  auto p = new_step<ClipStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  const auto& qp = c.m.params[c.node];
  auto& s = p->clip;
  s.dims = c.dims(p->y);
  if (c.dims(p->x) != s.dims) c.fail("shape mismatch");
  if (c.m.scales[p->x] != c.m.scales[p->y]) c.fail("scale changes across Clip");
  s.lo = qp.get("min");
  s.hi = qp.get("max");
  if (s.lo > s.hi) c.fail("min above max (the output is max everywhere)");
  s.bits = layers::clip_bits(c.bits(p->x), s.lo, s.hi);
  if (s.bits > 60) c.fail("bounds and input range above 2^59");
  return p;
}

}  // namespace zkinfer::proof
