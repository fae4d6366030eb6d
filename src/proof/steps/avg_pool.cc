// AveragePool and GlobalAveragePool (layers/pool.h, nonlinear.md section 5): a window sum by
// sumcheck and a range-checked division by the window size.
#include "layers/pool.h"
#include "ops/kernels.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

class AvgPoolStep : public Step {
 public:
  layers::AvgPoolParams ap;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::avg_pool_advice_shapes(ap);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "average pool", [&] { return layers::AvgPoolProofT<F>::deserialize(env.r, ap, cl.size()); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_avg_pool_as<F>(ap, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class AvgPoolProver : public StepProver {
 public:
  const AvgPoolStep& s;
  std::unique_ptr<layers::AvgPoolProver> ap;
  explicit AvgPoolProver(const AvgPoolStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    ap = std::make_unique<layers::AvgPoolProver>(s.ap, env.values(s.x), env.values(s.y));
    env.commit_advice(*this, ap->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *ap, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> AvgPoolStep::prover(ProverEnv&) const { return std::make_unique<AvgPoolProver>(*this); }

class GapStep : public Step {
 public:
  layers::GlobalAvgPoolParams gap;
  std::optional<layers::BoundParams> bound;  // the output's bound check, when nothing downstream bounds it
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    auto out = layers::global_avg_pool_advice_shapes(gap);
    if (bound)
      for (auto& a : layers::bound_advice_shapes(*bound)) out.push_back(a);
    return out;
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    if (bound)
      if (Verdict v = verify_output_bound(env, *bound, cl, layers::global_avg_pool_advice_shapes(gap).size()); !v) return v;
    return verify_layer(
        env, cl, x, "global average pool",
        [&] { return layers::GlobalAvgPoolProofT<F>::deserialize(env.r, gap, cl.size()); },
        [&](const auto& p, auto* in, auto* adv) {
          return layers::verify_global_avg_pool_as<F>(gap, cl, p, env.tr, in, adv);
        });
  }
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override {
    if (bound)
      e.routine("ZkNonlinear", "verifyBound", "ZkNonlinear.BoundParams memory",
                "ZkNonlinear.BoundParams(" + sol_uints(bound->dims) + ", " + sol_uint(bound->bits) + ", " +
                    sol_bool(bound->zero_padding) + ", " + sol_uint(bound->first_log) + ")",
                layers::global_avg_pool_advice_shapes(gap).size());
    e.routine("ZkPool", "verifyGlobalAvgPool", "ZkPool.GlobalAvgPoolParams memory", "ZkPool.GlobalAvgPoolParams(" + sol_uints(gap.dims) + ")");
    e.claims_to(x, "x");
    return true;
  }
};

class GapProver : public StepProver {
 public:
  const GapStep& s;
  std::unique_ptr<layers::GlobalAvgPoolProver> gap;
  std::unique_ptr<layers::BoundProver> bound;
  explicit GapProver(const GapStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    gap = std::make_unique<layers::GlobalAvgPoolProver>(s.gap, env.values(s.x));
    env.expect_output(s, gap->output());
    env.commit_advice(*this, gap->advice());
    if (s.bound) {
      bound = std::make_unique<layers::BoundProver>(*s.bound, env.values(s.y));
      env.commit_advice(*this, bound->advice());
    }
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    if (bound) prove_output_bound(env, *this, *bound, cl, gap->advice().size());
    prove_layer(env, *this, *gap, std::move(cl), s.x);
  }
};

std::unique_ptr<StepProver> GapStep::prover(ProverEnv&) const { return std::make_unique<GapProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_avg_pool(const PlanContext& c) {
  auto p = new_step<AvgPoolStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  const auto& xs = c.m.graph.tensors[p->x].shape;
  if (xs.size() != 4 && xs.size() != 3) c.fail("only 1-D and 2-D average pooling are supported yet");
  const bool ceil = c.n().attrs.get_int("ceil_mode", 0) != 0;
  ops::Window win = ops::make_window(c.n(), xs, {}, ceil);
  auto& a = p->ap;
  a.dims = c.dims(p->x);
  if (xs.size() == 3) a.dims.insert(a.dims.begin() + 2, 1);  // (N, C, W) as (N, C, 1, W): the same padded layout
  a.kh = win.kh, a.kw = win.kw, a.sh = win.sh, a.sw = win.sw, a.dh = win.dh, a.dw = win.dw;
  a.pt = win.pt, a.pl = win.pl, a.pb = win.pb, a.pr = win.pr;
  a.ceil_mode = ceil;
  a.count_include_pad = c.n().attrs.get_int("count_include_pad", 0) != 0;
  a.bits = c.bits(p->y);
  if (auto why = a.invalid()) c.fail(*why);
  auto want = c.dims(p->y);
  if (xs.size() == 3) want.insert(want.begin() + 2, 1);
  if (a.out_dims() != want) c.fail("output shape mismatch");
  return p;
}

std::unique_ptr<Step> plan_global_avg_pool(const PlanContext& c) {
  auto p = new_step<GapStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  p->gap.dims = c.dims(p->x);
  if (p->gap.dims.size() < 3) c.fail("input rank below 3");
  if (layers::global_avg_pool_out_dims(p->gap.dims) != c.dims(p->y)) c.fail("output shape mismatch");
  if (!bounded_by_consumers(c.m, p->y)) p->bound = layers::BoundParams{c.dims(p->y), c.bits(p->y), false};
  return p;
}

}  // namespace zkinfer::proof
