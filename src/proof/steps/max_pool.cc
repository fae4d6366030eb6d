// MaxPool (layers/pool.h, nonlinear.md): range-checked differences to the claimed maximum and a
// product zero-check over each window.
#include "layers/pool.h"
#include "proof/evm_verifier.h"
#include "ops/kernels.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

class MaxPoolStep : public Step {
 public:
  layers::MaxPoolParams mp;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::max_pool_advice_shapes(mp);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "max pool", [&] { return layers::MaxPoolProofT<F>::deserialize(env.r, mp, cl.size()); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_max_pool_as<F>(mp, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override {
    e.routine("ZkPool", "verifyMaxPool", "ZkPool.MaxPoolParams memory",
              "ZkPool.MaxPoolParams(" + sol_uints(mp.dims) + ", " + sol_uint(mp.kh) + ", " + sol_uint(mp.kw) + ", " + sol_uint(mp.sh) +
                  ", " + sol_uint(mp.sw) + ", " + sol_uint(mp.pt) + ", " + sol_uint(mp.pl) + ", " + sol_uint(mp.pb) + ", " +
                  sol_uint(mp.pr) + ", " + sol_uint(mp.bits) + ")");
    e.claims_to(x, "x");
    return true;
  }
};

class MaxPoolProver : public StepProver {
 public:
  const MaxPoolStep& s;
  std::unique_ptr<layers::MaxPoolProver> mp;
  explicit MaxPoolProver(const MaxPoolStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    mp = std::make_unique<layers::MaxPoolProver>(s.mp, env.values(s.x), env.values(s.y));
    env.commit_advice(*this, mp->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *mp, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> MaxPoolStep::prover(ProverEnv&) const { return std::make_unique<MaxPoolProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_max_pool(const PlanContext& c) {
  auto p = new_step<MaxPoolStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  const auto& xs = c.m.graph.tensors[p->x].shape;
  if (xs.size() != 4) c.fail("only 2-D max pooling is supported yet");
  ops::Window win = ops::make_window(c.n(), xs, {}, c.n().attrs.get_int("ceil_mode", 0) != 0);
  // ceil_mode's extra windows run past the bottom / right padding: pad by enough that the
  // floor-mode size is the ceil-mode size. Padding never changes a maximum (ops/op_max_pool.cc
  // skips it; the protocol clamps into the window), and as the last window starts inside the
  // input, the extra padding stays below the kernel size (checked below).
  win.pb = std::max(win.pb, (win.oh - 1) * win.sh + win.kh - win.ih - win.pt);
  win.pr = std::max(win.pr, (win.ow - 1) * win.sw + win.kw - win.iw - win.pl);
  if (win.dh != 1 || win.dw != 1) c.fail("dilated max pooling is not supported yet");
  if (win.pt >= win.kh || win.pb >= win.kh || win.pl >= win.kw || win.pr >= win.kw) c.fail("pads must be smaller than the kernel");
  auto& s = p->mp;
  s.dims = c.dims(p->x);
  s.kh = win.kh, s.kw = win.kw, s.sh = win.sh, s.sw = win.sw;
  s.pt = win.pt, s.pl = win.pl, s.pb = win.pb, s.pr = win.pr;
  s.bits = c.bits(p->x);
  if (s.kh * s.kw > 59)  // the zero-check's degree is kh kw + 1 (sumcheck degrees up to 60)
    c.fail("max pooling windows above 59 entries are not supported yet");
  if (s.out_dims() != c.dims(p->y)) c.fail("output shape mismatch");
  return p;
}

}  // namespace zkinfer::proof
