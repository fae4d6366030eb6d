// Div: of fixed-point tensors by a positive divisor (layers/divide.h, nonlinear.md section 10),
// or truncating division of integer tensors (layers/int_div.h, section 14).
#include "layers/divide.h"
#include "layers/int_div.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class DivStep : public Step {
 public:
  layers::DivParams dv;  // x / w
  int w = -1;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::div_advice_shapes(dv);
  }
  bool constant_input_ok() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto dp = layers::DivProofT<F>::deserialize(env.r, dv, cl.size());
    layers::DivClaimsT<F> dc;
    if (Verdict v = layers::verify_div_as<F>(dv, std::span<const layers::ClaimT<F>>(cl), dp, env.tr, &dc); !v)
      return v.within(env.where + ": div");
    if (Verdict v = env.open_advice(dc.advice, 0); !v) return v;
    env.add_claims(w, std::move(dc.b));
    env.add_claims(x, std::move(dc.a));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class DivProver : public StepProver {
 public:
  const DivStep& s;
  std::unique_ptr<layers::DivProver> dv;
  explicit DivProver(const DivStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    dv = named(env, s, [&] { return std::make_unique<layers::DivProver>(s.dv, env.values(s.x), env.values(s.w)); });
    env.expect_output(s, dv->output());
    env.commit_advice(*this, dv->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::DivClaims dc;
    auto dp = dv->prove(cl, env.tr, &dc);
    dp.serialize(env.w);
    env.open_advice(*this, dc.advice, 0);
    env.add_claims(s.w, std::move(dc.b));
    env.add_claims(s.x, std::move(dc.a));
  }
};

std::unique_ptr<StepProver> DivStep::prover(ProverEnv&) const { return std::make_unique<DivProver>(*this); }

class IntDivStep : public Step {
 public:
  layers::IntDivParams idv;  // trunc(x / w)
  int w = -1;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::int_div_advice_shapes(idv);
  }
    std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto ip = layers::IntDivProofT<F>::deserialize(env.r, idv, cl.size());
    layers::IntDivClaimsT<F> ic;
    if (Verdict v = layers::verify_int_div_as<F>(idv, std::span<const layers::ClaimT<F>>(cl), ip, env.tr, &ic); !v)
      return v.within(env.where + ": integer div");
    if (Verdict v = env.open_advice(ic.advice, 0); !v) return v;
    env.add_claims(w, std::move(ic.z));
    env.add_claims(x, std::move(ic.x));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class IntDivProver : public StepProver {
 public:
  const IntDivStep& s;
  std::unique_ptr<layers::IntDivProver> idv;
  explicit IntDivProver(const IntDivStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    idv = named(env, s, [&] { return std::make_unique<layers::IntDivProver>(s.idv, env.values(s.x), env.values(s.w)); });
    env.expect_output(s, idv->output());
    env.commit_advice(*this, idv->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::IntDivClaims ic;
    auto ip = idv->prove(cl, env.tr, &ic);
    ip.serialize(env.w);
    env.open_advice(*this, ic.advice, 0);
    env.add_claims(s.w, std::move(ic.z));
    env.add_claims(s.x, std::move(ic.x));
  }
};

std::unique_ptr<StepProver> IntDivStep::prover(ProverEnv&) const { return std::make_unique<IntDivProver>(*this); }

std::unique_ptr<Step> plan_int_div(const PlanContext& c) {
  auto p = new_step<IntDivStep>(c);
  p->x = c.in(0);
  p->w = c.in(1);
  auto& d = p->idv;
  d.dims = c.dims(p->y);
  if (c.dims(p->x) != d.dims) c.fail("a broadcast dividend is not supported yet");
  std::vector<size_t> zd = c.dims(p->w);
  if (zd.size() > d.dims.size()) c.fail("divisor rank above the output's");
  zd.insert(zd.begin(), d.dims.size() - zd.size(), 1);
  d.z_dims = zd;
  d.x_bits = c.bits(p->x);
  d.d_bits = c.bits(p->w);
  if (d.d_bits > 40) c.fail("divisor bound above 2^40");
  if (auto why = d.invalid()) c.fail(*why);
  return p;
}

}  // namespace

std::unique_ptr<Step> plan_div(const PlanContext& c) {
  if (c.in(0) < 0 || c.in(1) < 0) c.fail("missing input");
  if (c.m.params[c.node].ints.count("integer")) return plan_int_div(c);  // integer tensors: truncation
  auto p = new_step<DivStep>(c);
  p->x = c.in(0);
  p->w = c.in(1);
  auto& d = p->dv;
  d.dims = c.dims(p->y);
  auto lift = [&](std::vector<size_t> v) {  // numpy broadcasting: left-pad with ones
    if (v.size() > d.dims.size()) c.fail("operand rank above the output's");
    v.insert(v.begin(), d.dims.size() - v.size(), 1);
    for (size_t k = 0; k < v.size(); ++k)
      if (v[k] != d.dims[k] && v[k] != 1) c.fail("operand does not broadcast");
    return v;
  };
  d.a_dims = lift(c.dims(p->x));
  d.b_dims = lift(c.dims(p->w));
  const auto& qp = c.m.params[c.node];
  const int so = qp.out_scales.empty() ? c.m.scales[p->y] : qp.out_scales[0];
  const int e = so - c.m.scales[p->x] + c.m.scales[p->w];
  d.ea = static_cast<size_t>(std::max(e, 0));
  d.eb = static_cast<size_t>(std::max(-e, 0));
  d.q_bits = c.bits(p->y);
  d.d_bits = c.bits(p->w);
  if (d.d_bits > 40) c.fail("divisor bound above 2^40");
  if (auto why = d.invalid()) c.fail(*why);
  return p;
}

}  // namespace zkinfer::proof
