// Element-wise functions proven by a lookup table of (input, output) pairs (layers/activation.h):
// Sigmoid, Tanh, Erf, Exp, Log, Sqrt, Elu, HardSigmoid, and Pow with a constant operand (the
// table is a function of the other one). The input is range-checked by the lookup.
#include "layers/activation.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {

bool is_table_pow(const quant::CompiledModel& m, size_t node) {
  const auto& qp = m.params[node];
  if (m.graph.nodes[node].op_type != "Pow" || !qp.ints.count("table_input")) return false;
  const int64_t ti = qp.ints.at("table_input");
  return (ti == 0 || ti == 1) && m.graph.nodes[node].inputs.size() == 2;
}

namespace {

class TableStep : public Step {
 public:
  layers::TableActParams act;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::table_act_advice_shapes(act);
  }
  size_t table_log_size() const override { return layers::ceil_log2(act.values.size()); }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    return verify_layer(
        env, cl, x, "table activation",
        [&] { return layers::deserialize_proof<F>(env.r, layers::table_act_proof_layout(act, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_table_act_as<F>(act, cl, p, env.tr, in, adv); });
  }
  ZKINFER_STEP_VERIFIERS
};

class TableProver : public StepProver {
 public:
  const TableStep& s;
  std::unique_ptr<layers::TableActProver> act;
  explicit TableProver(const TableStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    act = std::make_unique<layers::TableActProver>(s.act, env.values(s.x));
    env.expect_output(s, act->output());
    env.commit_advice(*this, act->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *act, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> TableStep::prover(ProverEnv&) const { return std::make_unique<TableProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_table(const PlanContext& c) {
  const auto& m = c.m;
  const bool pow = c.op() == "Pow";
  if (pow && !is_table_pow(m, c.node)) {
    // x^2 (the integer model's exact product, rescaled): the elementwise product of x with itself.
    const auto& qp = m.params[c.node];
    if (qp.ints.count("power") && qp.get("power") == 2) return plan_elementwise(c);
    c.fail("no protocol for Pow with a computed exponent and base, or a power other than 2 by products, yet");
  }
  // [visibility] The table a Pow proves with is computed from its constant operand, and the key's
  // public model carries it: with private weights that would publish the constant. Refused
  // (docs/PROOF.md, "Visibility").
  if (pow && m.visibility.weights == quant::Visibility::kPrivate)
    for (int t : c.n().inputs)
      if (is_weight(m, t))
        c.fail("its constant operand '" + m.graph.tensors[t].name +
               "' would be public in the verifying key (the lookup table is computed from it); compile with "
               "--weights-visibility fixed or public");
  auto s = new_step<TableStep>(c);
  const auto& qp = m.params[c.node];
  s->x = pow ? c.in(static_cast<size_t>(qp.get("table_input"))) : c.in(0);
  if (s->x < 0) c.fail("missing input");
  if (qp.tables.size() != 1 || qp.tables[0].values.empty()) c.fail("table missing from the compiled model");
  if (c.dims(s->x) != c.dims(s->y)) c.fail("shape mismatch");
  const int k = shift_of(qp);
  if (k < 0 || k > 40) c.fail("table input shift out of range");
  const size_t xb = c.bits(s->x);
  s->act.dims = c.dims(s->y);
  s->act.shift = static_cast<size_t>(k);
  s->act.excess_bits = std::max<size_t>(1, xb + 1 - std::min<size_t>(static_cast<size_t>(k), xb));
  s->act.lo = qp.tables[0].lo;
  s->act.values = qp.tables[0].values;
  return s;
}

}  // namespace zkinfer::proof
