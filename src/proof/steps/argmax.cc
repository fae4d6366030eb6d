// ArgMax, ArgMin (layers/argmax.h, docs/protocol/compare.md section 5): a committed one-hot and
// range-checked gaps; L claims on the input per claim.
#include "layers/argmax.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class ArgmaxStep : public Step {
 public:
  layers::ArgmaxParams am;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::argmax_advice_shapes(am);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "argmax", [&] { return layers::deserialize_proof<F>(env.r, layers::argmax_proof_layout(am, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_argmax_as<F>(am, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class ArgmaxProver : public StepProver {
 public:
  const ArgmaxStep& s;
  std::unique_ptr<layers::ArgmaxProver> am;
  explicit ArgmaxProver(const ArgmaxStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    am = named(env, s, [&] { return std::make_unique<layers::ArgmaxProver>(s.am, env.values(s.x)); });
    env.expect_output(s, am->output());
    env.commit_advice(*this, am->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *am, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> ArgmaxStep::prover(ProverEnv&) const { return std::make_unique<ArgmaxProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_argmax(const PlanContext& c) {
  auto p = new_step<ArgmaxStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  auto& a = p->am;
  a.dims = c.dims(p->x);
  if (a.dims.empty()) c.fail("ArgMax of a scalar");
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(a.dims.size());
  if (axis < 0 || axis >= static_cast<int64_t>(a.dims.size())) c.fail("axis out of range");
  a.axis = static_cast<size_t>(axis);
  a.min = c.op() == "ArgMin";
  a.last = c.n().attrs.get_int("select_last_index", 0) != 0;
  a.bits = c.bits(p->x);
  if (a.bits > 59) c.fail("input range above 2^59");
  if (a.dims[a.axis] > 256) c.fail("more than 256 entries per row");
  auto squeeze = [](std::vector<size_t> v) {
    std::erase(v, size_t{1});
    return v;
  };
  if (squeeze(a.out_dims()) != squeeze(c.dims(p->y))) c.fail("output shape mismatch");
  return p;
}

}  // namespace zkinfer::proof
