// ReduceSum, ReduceMean, ReduceMax, ReduceMin (layers/reduce.h, nonlinear.md section 11).
#include "layers/reduce.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

class ReduceStep : public Step {
 public:
  layers::ReduceParams rd;
  std::optional<layers::BoundParams> bound;  // a mean's output bound, when nothing downstream bounds it
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    auto out = layers::reduce_advice_shapes(rd);
    if (bound)
      for (auto& a : layers::bound_advice_shapes(*bound)) out.push_back(a);
    return out;
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    if (bound)
      if (Verdict v = verify_output_bound(env, *bound, cl, layers::reduce_advice_shapes(rd).size()); !v) return v;
    return verify_layer(
        env, cl, x, "reduce", [&] { return layers::ReduceProofT<F>::deserialize(env.r, rd, cl.size()); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_reduce_as<F>(rd, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class ReduceProver : public StepProver {
 public:
  const ReduceStep& s;
  std::unique_ptr<layers::ReduceProver> rd;
  std::unique_ptr<layers::BoundProver> bound;
  explicit ReduceProver(const ReduceStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    rd = std::make_unique<layers::ReduceProver>(s.rd, env.values(s.x));
    env.expect_output(s, rd->output());
    env.commit_advice(*this, rd->advice());
    if (s.bound) {
      bound = std::make_unique<layers::BoundProver>(*s.bound, env.values(s.y));
      env.commit_advice(*this, bound->advice());
    }
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    if (bound) prove_output_bound(env, *this, *bound, cl, rd->advice().size());
    prove_layer(env, *this, *rd, std::move(cl), s.x);
  }
};

std::unique_ptr<StepProver> ReduceStep::prover(ProverEnv&) const { return std::make_unique<ReduceProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_reduce(const PlanContext& c) {
  const auto& m = c.m;
  const auto& n = c.n();
  const std::string& op = c.op();
  auto p = new_step<ReduceStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  auto& rd = p->rd;
  rd.op = op == "ReduceSum" ? layers::ReduceParams::Op::kSum
          : op == "ReduceMean" ? layers::ReduceParams::Op::kMean
          : op == "ReduceMax" ? layers::ReduceParams::Op::kMax : layers::ReduceParams::Op::kMin;
  rd.dims = c.dims(p->x);
  const int axes_opset = op == "ReduceSum" ? 13 : 18;
  std::vector<int64_t> axes = n.opset >= axes_opset ? (c.in(1) >= 0 ? int_const(m, c.node, c.in(1), "axes") : std::vector<int64_t>{})
                                                     : n.attrs.get_ints("axes");
  const int64_t r = static_cast<int64_t>(rd.dims.size());
  rd.axes.assign(rd.dims.size(), false);
  if (axes.empty()) {
    if (n.attrs.get_int("noop_with_empty_axes", 0) != 0) c.fail("empty reduction");
    rd.axes.assign(rd.dims.size(), true);
  }
  for (int64_t a : axes) {
    if (a < 0) a += r;
    if (a < 0 || a >= r) c.fail("axis out of range");
    rd.axes[static_cast<size_t>(a)] = true;
  }
  if (rd.op == layers::ReduceParams::Op::kSum) {
    const int k = shift_of(m.params[c.node]);
    if (k < 0 || k > 40) c.fail("rescale shift out of range");
    rd.shift = static_cast<size_t>(k);
    if (k > 0 && !bounded_by_consumers(m, p->y)) rd.out_bits = c.bits(p->y);
  } else if (rd.op == layers::ReduceParams::Op::kMean) {
    if (!bounded_by_consumers(m, p->y)) p->bound = layers::BoundParams{c.dims(p->y), c.bits(p->y), false};
  } else {
    rd.bits = c.bits(p->x);
  }
  if (auto why = rd.invalid()) c.fail(*why);
  // unit dimensions have no variables: y's layout is out_dims' whatever keepdims says
  auto squeeze = [](std::vector<size_t> v) {
    std::erase(v, size_t{1});
    return v;
  };
  if (squeeze(rd.out_dims()) != squeeze(c.dims(p->y))) c.fail("output shape mismatch");
  return p;
}

}  // namespace zkinfer::proof
