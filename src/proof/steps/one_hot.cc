// OneHot by computed indices (layers/one_hot.h, docs/protocol/compare.md section 7).
#include "layers/one_hot.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class OneHotStep : public Step {
 public:
  layers::OneHotParams oh;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::one_hot_advice_shapes(oh);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "one hot", [&] { return layers::deserialize_proof<F>(env.r, layers::one_hot_proof_layout(oh, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_one_hot_as<F>(oh, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class OneHotProver : public StepProver {
 public:
  const OneHotStep& s;
  std::unique_ptr<layers::OneHotProver> oh;
  explicit OneHotProver(const OneHotStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    oh = named(env, s, [&] { return std::make_unique<layers::OneHotProver>(s.oh, env.values(s.x)); });
    env.expect_output(s, oh->output());
    env.commit_advice(*this, oh->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *oh, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> OneHotStep::prover(ProverEnv&) const { return std::make_unique<OneHotProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_one_hot(const PlanContext& c) {
  const auto& m = c.m;
  auto p = new_step<OneHotStep>(c);
  p->x = c.in(0);
  const int depth = c.in(1), values = c.in(2);
  if (p->x < 0 || depth < 0 || values < 0) c.fail("missing input");
  auto& o = p->oh;
  o.idx_dims = c.dims(p->x);
  const auto dv = int_const(m, c.node, depth, "depth");
  if (dv.size() != 1 || dv[0] < 1 || dv[0] > 256) c.fail("depth must be a scalar in [1, 256]");
  o.depth = static_cast<size_t>(dv[0]);
  int64_t axis = c.n().attrs.get_int("axis", -1);
  const int64_t r = static_cast<int64_t>(o.idx_dims.size()) + 1;
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) c.fail("axis out of range");
  o.axis = static_cast<size_t>(axis);
  // The values are in the key's public model (the relation uses them): a weight only when the
  // verifier holds it.
  if (!verifier_evaluates(m, values) || m.qconst[values].data.size() != 2)
    c.fail("its values '" + m.graph.tensors[values].name +
           "' would be public in the verifying key; compile with --weights-visibility fixed or public");
  o.off = m.qconst[values].data[0];
  o.on = m.qconst[values].data[1];
  if (o.on == o.off) c.fail("equal on and off values");
  if (c.dims(p->y) != o.out_dims()) c.fail("output shape mismatch");
  return p;
}

}  // namespace zkinfer::proof
