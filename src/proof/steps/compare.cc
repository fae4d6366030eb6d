// Comparisons (Less, LessOrEqual, Greater, GreaterOrEqual, Equal: layers/compare.h), boolean logic
// (Not, And, Or, Xor) and Where (layers/logic.h), docs/protocol/compare.md. A boolean operand that
// is not proven 0/1 by its producer (a comparison or logic step, data movement of one, a constant
// the verifier holds with values 0 and 1) gets the logic layer's 0/1 check.
#include "layers/compare.h"
#include "layers/logic.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {

namespace {

bool is_bool_op(const std::string& op) {
  return op == "Less" || op == "LessOrEqual" || op == "Greater" || op == "GreaterOrEqual" || op == "Equal" ||
         op == "Not" || op == "And" || op == "Or" || op == "Xor";
}
bool is_value_move(const std::string& op) {
  return op == "Reshape" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze" || op == "Flatten" ||
         op == "Transpose" || op == "Slice" || op == "Expand" || op == "Tile" || op == "Cast" || op == "Gather";
}

}  // namespace

// Whether tensor t's values are proven to be 0 or 1 wherever it is produced.
bool proven_bool(const quant::CompiledModel& m, int t, int depth) {
  if (t < 0 || depth > 64) return false;
  const auto& g = m.graph;
  if (g.tensors[t].is_const) {
    if (!verifier_evaluates(m, t) || m.qconst[t].data.empty()) return false;
    for (int64_t v : m.qconst[t].data)
      if (v != 0 && v != 1) return false;
    return true;
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    if (n.outputs.empty() || n.outputs[0] != t) continue;
    if (is_bool_op(n.op_type)) return true;
    if (is_value_move(n.op_type) && !n.inputs.empty()) return proven_bool(m, n.inputs[0], depth + 1);
    if (n.op_type == "Where" && n.inputs.size() == 3 && m.params[i].get("ea") == 0 && m.params[i].get("eb") == 0)
      return proven_bool(m, n.inputs[1], depth + 1) && proven_bool(m, n.inputs[2], depth + 1);
    return false;
  }
  return false;  // a model input
}

namespace {

// numpy broadcasting: an operand's shape left-padded with ones to the output's rank.
std::vector<size_t> lift(const PlanContext& c, std::vector<size_t> d, const std::vector<size_t>& y) {
  if (d.size() > y.size()) c.fail("operand rank above the output's");
  d.insert(d.begin(), y.size() - d.size(), 1);
  for (size_t k = 0; k < d.size(); ++k)
    if (d[k] != y[k] && d[k] != 1) c.fail("operand does not broadcast");
  return d;
}

class CompareStep : public Step {
 public:
  layers::CompareParams cmp;
  int w = -1;  // the second operand
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::compare_advice_shapes(cmp);
  }
  bool constant_input_ok() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto p = layers::CompareProofT<F>::deserialize(env.r, cmp, cl.size());
    layers::ElementwiseClaimsT<F> ec;
    if (Verdict v = layers::verify_compare_as<F>(cmp, std::span<const layers::ClaimT<F>>(cl), p, env.tr, &ec); !v)
      return v.within(env.where);
    if (Verdict v = env.open_advice(ec.advice, 0); !v) return v;
    env.add_claims(x, std::move(ec.a));
    env.add_claims(w, std::move(ec.b));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class CompareProver : public StepProver {
 public:
  const CompareStep& s;
  std::unique_ptr<layers::CompareProver> cmp;
  explicit CompareProver(const CompareStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    cmp = named(env, s, [&] { return std::make_unique<layers::CompareProver>(s.cmp, env.values(s.x), env.values(s.w)); });
    env.expect_output(s, cmp->output());
    env.commit_advice(*this, cmp->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::ElementwiseClaims ec;
    auto p = cmp->prove(cl, env.tr, &ec);
    p.serialize(env.w);
    env.open_advice(*this, ec.advice, 0);
    env.add_claims(s.x, std::move(ec.a));
    env.add_claims(s.w, std::move(ec.b));
  }
};

std::unique_ptr<StepProver> CompareStep::prover(ProverEnv&) const { return std::make_unique<CompareProver>(*this); }

class LogicStep : public Step {
 public:
  layers::LogicParams lg;
  std::vector<int> ins;
  bool constant_input_ok() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto p = layers::LogicProofT<F>::deserialize(env.r, lg, cl.size());
    layers::LogicClaimsT<F> lc;
    if (Verdict v = layers::verify_logic_as<F>(lg, std::span<const layers::ClaimT<F>>(cl), p, env.tr, &lc); !v)
      return v.within(env.where);
    for (size_t i = 0; i < ins.size(); ++i) env.add_claims(ins[i], std::move(lc.in[i]));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class LogicProver : public StepProver {
 public:
  const LogicStep& s;
  std::unique_ptr<layers::LogicProver> lg;
  explicit LogicProver(const LogicStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    std::vector<std::span<const int64_t>> in;
    for (int t : s.ins) in.emplace_back(env.values(t));
    lg = named(env, s, [&] { return std::make_unique<layers::LogicProver>(s.lg, in); });
    env.expect_output(s, lg->output());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::LogicClaims lc;
    auto p = lg->prove(cl, env.tr, &lc);
    p.serialize(env.w);
    for (size_t i = 0; i < s.ins.size(); ++i) env.add_claims(s.ins[i], std::move(lc.in[i]));
  }
};

std::unique_ptr<StepProver> LogicStep::prover(ProverEnv&) const { return std::make_unique<LogicProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_compare(const PlanContext& c) {
  using K = layers::CompareParams::Kind;
  const std::string& op = c.op();
  auto p = new_step<CompareStep>(c);
  p->x = c.in(0);
  p->w = c.in(1);
  if (p->x < 0 || p->w < 0) c.fail("missing input");
  auto& s = p->cmp;
  s.kind = op == "Less" ? K::kLess
           : op == "LessOrEqual" ? K::kLessOrEqual
           : op == "Greater" ? K::kGreater
           : op == "GreaterOrEqual" ? K::kGreaterOrEqual : K::kEqual;
  s.dims = c.dims(p->y);
  s.a_dims = lift(c, c.dims(p->x), s.dims);
  s.b_dims = lift(c, c.dims(p->w), s.dims);
  const auto& qp = c.m.params[c.node];
  const int64_t ea = qp.get("ea"), eb = qp.get("eb");
  if (ea < 0 || ea > 40 || eb < 0 || eb > 40) c.fail("scale alignment out of range");
  s.ea = static_cast<size_t>(ea);
  s.eb = static_cast<size_t>(eb);
  s.bits = std::max(c.bits(p->x) + s.ea, c.bits(p->w) + s.eb) + 1;
  if (s.bits > 60) c.fail("operand difference above 2^59");
  return p;
}

std::unique_ptr<Step> plan_logic(const PlanContext& c) {
  using K = layers::LogicParams::Kind;
  const std::string& op = c.op();
  auto p = new_step<LogicStep>(c);
  auto& s = p->lg;
  s.kind = op == "Not" ? K::kNot : op == "And" ? K::kAnd : op == "Or" ? K::kOr : op == "Xor" ? K::kXor : K::kWhere;
  const size_t arity = s.kind == K::kNot ? 1 : (s.kind == K::kWhere ? 3 : 2);
  for (size_t i = 0; i < arity; ++i) {
    if (c.in(i) < 0) c.fail("missing input");
    p->ins.push_back(c.in(i));
  }
  p->x = p->ins[0];
  s.dims = c.dims(p->y);
  for (size_t i = 0; i < arity; ++i) s.in_dims[i] = lift(c, c.dims(p->ins[i]), s.dims);
  if (s.kind == K::kNot && s.in_dims[0] != s.dims) c.fail("shape mismatch");
  if (s.kind == K::kWhere) {
    const auto& qp = c.m.params[c.node];
    const int64_t ea = qp.get("ea"), eb = qp.get("eb");
    if (ea < 0 || ea > 40 || eb < 0 || eb > 40) c.fail("scale alignment out of range");
    s.ea = static_cast<size_t>(ea);
    s.eb = static_cast<size_t>(eb);
  }
  for (size_t i = 0; i < (s.kind == K::kWhere ? 1 : arity); ++i) s.check[i] = !proven_bool(c.m, p->ins[i], 0);
  return p;
}

}  // namespace zkinfer::proof
