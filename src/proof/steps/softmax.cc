// Softmax (layers/softmax.h, nonlinear.md section 12): max, subtraction, exp table, sum and
// division composed on uncommitted intermediates.
#include "layers/softmax.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class SoftmaxStep : public Step {
 public:
  layers::SoftmaxParams sm;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::softmax_advice_shapes(sm);
  }
  size_t table_log_size() const override { return layers::ceil_log2(sm.act_params().values.size()); }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "softmax", [&] { return layers::SoftmaxProofT<F>::deserialize(env.r, sm, cl.size()); },
        [&](const auto& p, auto* in, auto* adv) {
          return layers::verify_softmax_as<F>(sm, std::span<const layers::ClaimT<F>>(cl), p, env.tr, in, adv);
        });
  }
  ZKINFER_STEP_VERIFIERS
};

class SoftmaxProver : public StepProver {
 public:
  const SoftmaxStep& s;
  std::unique_ptr<layers::SoftmaxProver> sm;
  explicit SoftmaxProver(const SoftmaxStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    sm = named(env, s, [&] { return std::make_unique<layers::SoftmaxProver>(s.sm, env.values(s.x)); });
    env.expect_output(s, sm->output());
    env.commit_advice(*this, sm->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *sm, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> SoftmaxStep::prover(ProverEnv&) const { return std::make_unique<SoftmaxProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_softmax(const PlanContext& c) {
  const auto& n = c.n();
  auto p = new_step<SoftmaxStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  const auto& qp = c.m.params[c.node];
  auto& s = p->sm;
  s.dims = c.dims(p->x);
  if (c.dims(p->y) != s.dims) c.fail("shape mismatch");
  if (qp.tables.size() != 1 || qp.tables[0].values.empty() || qp.out_scales.size() != 1)
    c.fail("exp table missing from the compiled model");
  const int64_t r = static_cast<int64_t>(c.m.graph.tensors[p->x].shape.size());
  if (r == 0) c.fail("softmax of a scalar");
  int64_t a = n.attrs.get_int("axis", n.opset < 13 ? 1 : -1);
  if (a < 0) a += r;
  if (a < 0 || a >= r) c.fail("axis out of range");
  s.axes.assign(s.dims.size(), false);
  for (int64_t d = a; d < (n.opset < 13 ? r : a + 1); ++d) s.axes[static_cast<size_t>(d)] = true;
  const int k = shift_of(qp), so = qp.out_scales[0];
  if (k < 0 || k > 40 || so < 0 || so > 40) c.fail("scale out of range");
  s.shift = static_cast<size_t>(k);
  s.out_scale = static_cast<size_t>(so);
  s.lo = qp.tables[0].lo;
  s.values = qp.tables[0].values;
  s.bits = c.bits(p->x);
  s.q_bits = c.bits(p->y);
  if (auto why = s.invalid()) c.fail(*why);
  return p;
}

}  // namespace zkinfer::proof
