// Add, Sub, Mul with broadcasting, Pow with power 2 as x * x, and BatchNormalization as the affine
// a x + b with its folded per-channel constants (layers/elementwise.h, nonlinear.md section 6).
#include "layers/elementwise.h"
#include "poly/mle.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class ElementwiseStep : public Step {
 public:
  layers::ElementwiseParams ew;
  int w = -1;       // the second operand (none for BatchNormalization)
  bool bn = false;  // affine with the BatchNormalization's compile-time constants a, b
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::elementwise_advice_shapes(ew);
  }
  bool constant_input_ok() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const;
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override;
};

// The MLE of a public table at a point of the verifier's field type (over snark::CFr: the table's
// entries are constants, the point's eq table costs about 2^n constraints).
template <class F>
sumcheck::Msg<F> public_mle(const std::vector<Fr>& t, const std::vector<F>& point) {
  if constexpr (std::is_same_v<F, Fr>) {
    return mle_eval(t, point);
  } else {
    const std::vector<F> tf(t.begin(), t.end());
    return poly::evaluate_mle<F>(tf, point);
  }
}

class ElementwiseProver : public StepProver {
 public:
  const ElementwiseStep& s;
  std::unique_ptr<layers::ElementwiseProver> ew;
  explicit ElementwiseProver(const ElementwiseStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    if (s.bn) {
      const auto& qp = env.model.params[s.node];
      ew = std::make_unique<layers::ElementwiseProver>(s.ew, env.values(s.x), qp.constant("a").data, qp.constant("b").data);
    } else {
      ew = std::make_unique<layers::ElementwiseProver>(s.ew, env.values(s.x), env.values(s.w));
    }
    env.expect_output(s, ew->output());
    env.commit_advice(*this, ew->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::ElementwiseClaims ec;
    auto ep = ew->prove(cl, env.tr, &ec);
    ep.serialize(env.w);
    env.open_advice(*this, ec.advice, 0);
    if (!s.bn) {
      env.add_claims(s.w, std::move(ec.b));
    } else if (!public_keeps_bn(env.model)) {  // private weights: a, b opened (committed_values)
      const auto& ni = env.model.graph.nodes[s.node].inputs;
      env.add_claims(ni[1], std::move(ec.b));
      env.add_claims(ni[2], std::move(ec.c));
    }  // else the verifier evaluates a, b from the public model
    env.add_claims(s.x, std::move(ec.a));
  }
};

std::unique_ptr<StepProver> ElementwiseStep::prover(ProverEnv&) const { return std::make_unique<ElementwiseProver>(*this); }

template <class F>
Verdict ElementwiseStep::verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
  const auto& model = env.model;
  auto ep = layers::ElementwiseProofT<F>::deserialize(env.r, ew, cl.size());
  layers::ElementwiseClaimsT<F> ec;
  if (Verdict v = layers::verify_elementwise_as<F>(ew, std::span<const layers::ClaimT<F>>(cl), ep, env.tr, &ec); !v)
    return v.within(env.where + ": elementwise");
  if (Verdict v = env.open_advice(ec.advice, 0); !v) return v;
  if (bn && !public_keeps_bn(model)) {  // private weights: a, b opened (committed_values)
    const auto& ni = model.graph.nodes[node].inputs;
    env.add_claims(ni[1], std::move(ec.b));
    env.add_claims(ni[2], std::move(ec.c));
  } else if (bn) {
    const auto& qp = model.params[node];
    const layers::PaddedShape cs(ew.b_dims);
    const auto ta = layers::padded_table(cs, qp.constant("a").data), tb = layers::padded_table(cs, qp.constant("b").data);
    for (const auto& c : ec.b)
      if (c.point.size() != cs.num_vars() || public_mle<F>(ta, c.point) != c.value)
        return Verdict::reject(env.where + ": claim on the scale constants a fails");
    for (const auto& c : ec.c)
      if (c.point.size() != cs.num_vars() || public_mle<F>(tb, c.point) != c.value)
        return Verdict::reject(env.where + ": claim on the shift constants b fails");
  } else {
    env.add_claims(w, std::move(ec.b));
  }
  env.add_claims(x, std::move(ec.a));
  return Verdict::accept();
}

// ZkElementwise.verifyElementwise (its claims: x on a, w on b, bias on c), routed as verify()
// routes them; the public BatchNormalization constants a, b evaluated by the contract.
bool ElementwiseStep::evm(EvmCode& e) const {
  const auto& model = e.model;
  std::string params = "ZkElementwise.ElementwiseParams(" + sol_uint(static_cast<uint64_t>(ew.op)) + ", " + sol_uints(ew.dims) + ", " +
                       sol_uints(ew.a_dims) + ", " + sol_uints(ew.b_dims) + ", " + sol_uints(ew.c_dims) + ", " + sol_uint(ew.ea) + ", " +
                       sol_uint(ew.eb) + ", " + std::to_string(ew.shift) + ", " + sol_uint(ew.out_bits) + ")";
  e.routine("ZkElementwise", "verifyElementwise", "ZkElementwise.ElementwiseParams memory", params);
  if (bn && !public_keeps_bn(model)) {
    const auto& ni = model.graph.nodes[node].inputs;
    e.claims_to(ni[1], "w");
    e.claims_to(ni[2], "bias");
  } else if (bn) {
    // The claims on a and b against their padded MLEs, through the output's (now empty) claim
    // list: the driver's checkPublic takes them (ZkDriver's, or ZkCpDriver's over forms).
    const auto& qp = model.params[node];
    const std::string yt = sol_uint(static_cast<uint64_t>(y)), dims = sol_uints(ew.b_dims);
    const std::string d = e.driver();
    e.line(d + ".add(c, " + yt + ", o.w);");
    e.line("if (!" + d + ".checkPublic(c, " + yt + ", ZkDriver.unpackI64(" + sol_i64_bytes(qp.constant("a").data) + "), " + dims +
           ")) return false;");
    e.line(d + ".add(c, " + yt + ", o.bias);");
    e.line("if (!" + d + ".checkPublic(c, " + yt + ", ZkDriver.unpackI64(" + sol_i64_bytes(qp.constant("b").data) + "), " + dims +
           ")) return false;");
  } else {
    e.claims_to(w, "w");
  }
  e.claims_to(x, "x");
  return true;
}

}  // namespace

std::unique_ptr<Step> plan_elementwise(const PlanContext& c) {
  const auto& m = c.m;
  const std::string& op = c.op();
  auto p = new_step<ElementwiseStep>(c);
  p->x = c.in(0);
  // Pow with power 2 (table.cc hands it here): x * x.
  p->w = op == "BatchNormalization" ? -1 : (op == "Pow" ? c.in(0) : c.in(1));
  if (p->x < 0 || (op != "BatchNormalization" && p->w < 0)) c.fail("missing input");
  auto& e = p->ew;
  e.dims = c.dims(p->y);
  auto lift = [&](std::vector<size_t> d) {  // numpy broadcasting: left-pad with ones
    if (d.size() > e.dims.size()) c.fail("operand rank above the output's");
    d.insert(d.begin(), e.dims.size() - d.size(), 1);
    for (size_t k = 0; k < d.size(); ++k)
      if (d[k] != e.dims[k] && d[k] != 1) c.fail("operand does not broadcast");
    return d;
  };
  e.a_dims = lift(c.dims(p->x));
  if (op == "BatchNormalization") {
    const auto& qp = m.params[c.node];
    if (!qp.consts.count("a") || !qp.consts.count("b")) c.fail("folded constants missing");
    const size_t C = qp.consts.at("a").data.size();
    if (e.dims.size() < 2 || e.dims[1] != C || qp.consts.at("b").data.size() != C) c.fail("channel count mismatch");
    if (c.n().inputs.size() < 3) c.fail("missing input");
    e.op = layers::ElementwiseParams::Op::kAffine;
    e.b_dims.assign(e.dims.size(), 1);
    e.b_dims[1] = C;
    e.c_dims = e.b_dims;
    p->bn = true;
  } else {
    e.op = (op == "Add" || op == "Sum" || op == "Mean") ? layers::ElementwiseParams::Op::kAdd
                       : (op == "Sub" ? layers::ElementwiseParams::Op::kSub : layers::ElementwiseParams::Op::kMul);
    e.b_dims = lift(c.dims(p->w));
    if (op != "Mul" && op != "Pow") {
      const int s = std::max(m.scales[p->x], m.scales[p->w]);
      e.ea = static_cast<size_t>(s - m.scales[p->x]);
      e.eb = static_cast<size_t>(s - m.scales[p->w]);
      if (e.ea > 40 || e.eb > 40) c.fail("scale alignment out of range");
    }
  }
  e.shift = shift_of(m.params[c.node]);
  if (e.shift < -40 || e.shift > 40) c.fail("rescale shift out of range");
  if (e.shift > 0 && !bounded_by_consumers(m, p->y)) e.out_bits = c.bits(p->y);
  return p;
}

}  // namespace zkinfer::proof
