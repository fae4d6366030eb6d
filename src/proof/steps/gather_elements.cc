// GatherElements (layers/gather_elements.h, docs/protocol/compare.md section 6): a committed
// one-hot of the indices, one sumcheck per claim; claims on the data (one per entry along the
// axis) and on the indices.
#include "layers/gather_elements.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class GatherElementsStep : public Step {
 public:
  layers::GatherElementsParams ge;
  int idx = -1;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::gather_elements_advice_shapes(ge);
  }
  bool constant_input_ok() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto p = layers::deserialize_proof<F>(env.r, layers::gather_elements_proof_layout(ge, cl.size()));
    layers::GatherElementsClaimsT<F> gc;
    if (Verdict v = layers::verify_gather_elements_as<F>(ge, std::span<const layers::ClaimT<F>>(cl), p, env.tr, &gc); !v)
      return v.within(env.where);
    if (Verdict v = env.open_advice(gc.advice, 0); !v) return v;
    env.add_claims(x, std::move(gc.x));
    env.add_claims(idx, std::move(gc.idx));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class GatherElementsProver : public StepProver {
 public:
  const GatherElementsStep& s;
  std::unique_ptr<layers::GatherElementsProver> ge;
  explicit GatherElementsProver(const GatherElementsStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    ge = named(env, s, [&] {
      return std::make_unique<layers::GatherElementsProver>(s.ge, env.values(s.x), env.values(s.idx));
    });
    env.expect_output(s, ge->output());
    env.commit_advice(*this, ge->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::GatherElementsClaims gc;
    auto p = ge->prove(cl, env.tr, &gc);
    p.serialize(env.w);
    env.open_advice(*this, gc.advice, 0);
    env.add_claims(s.x, std::move(gc.x));
    env.add_claims(s.idx, std::move(gc.idx));
  }
};

std::unique_ptr<StepProver> GatherElementsStep::prover(ProverEnv&) const {
  return std::make_unique<GatherElementsProver>(*this);
}

}  // namespace

std::unique_ptr<Step> plan_gather_elements(const PlanContext& c) {
  auto p = new_step<GatherElementsStep>(c);
  p->x = c.in(0);
  p->idx = c.in(1);
  if (p->x < 0 || p->idx < 0) c.fail("missing input");
  auto& g = p->ge;
  g.dims = c.dims(p->x);
  const auto id = c.dims(p->idx);
  if (id.size() != g.dims.size() || g.dims.empty()) c.fail("indices rank differs from the data's");
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(g.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(g.dims.size())) c.fail("axis out of range");
  g.axis = static_cast<size_t>(axis);
  for (size_t d = 0; d < id.size(); ++d)
    if (d != g.axis && id[d] != g.dims[d] && (id[d] > g.dims[d] || layers::next_pow2(id[d]) != id[d]))
      c.fail("no protocol for indices smaller than the data off the axis by other than a power of two yet");
  g.sub = id;
  g.count = id[g.axis];
  if (g.dims[g.axis] > 256) c.fail("more than 256 entries along the axis");
  if (c.dims(p->y) != g.out_dims()) c.fail("output shape mismatch");
  return p;
}

}  // namespace zkinfer::proof
