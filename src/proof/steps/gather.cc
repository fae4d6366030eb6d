// Gather: by constant indices, data movement (move.cc, plan_reindex); by computed indices from a
// constant table the verifier holds (a 1-D table: Gather on axis 0 of a tensor whose other
// dimensions are 1), a lookup of (index, value) pairs (layers/activation.h, the table activation
// with no rescale) in the table of rows (j, T[j mod d]) for j in [-d, d) (ONNX's negative
// indices). The lookup clamps an index outside [-d, d) to the nearest row where the executor
// refuses it (an honest prover never proves such a run). docs/protocol/compare.md.
#include "layers/activation.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class TableGatherStep : public Step {
 public:
  layers::TableActParams act;
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::table_act_advice_shapes(act);
  }
  size_t table_log_size() const override { return layers::ceil_log2(act.values.size()); }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  Verdict verify(VerifierEnv& env, std::vector<Claim> cl) const override {
    return verify_layer(
        env, cl, x, "gather by a table lookup",
        [&] { return layers::deserialize_proof(env.r, layers::table_act_proof_layout(act, cl.size())); },
        [&](const auto& p, auto* in, auto* adv) { return layers::verify_table_act(act, cl, p, env.tr, in, adv); });
  }
};

class TableGatherProver : public StepProver {
 public:
  const TableGatherStep& s;
  std::unique_ptr<layers::TableActProver> act;
  explicit TableGatherProver(const TableGatherStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    act = named(env, s, [&] { return std::make_unique<layers::TableActProver>(s.act, env.values(s.x)); });
    env.expect_output(s, act->output());
    env.commit_advice(*this, act->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override { prove_layer(env, *this, *act, std::move(cl), s.x); }
};

std::unique_ptr<StepProver> TableGatherStep::prover(ProverEnv&) const { return std::make_unique<TableGatherProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_gather(const PlanContext& c) {
  const auto& m = c.m;
  const int data = c.in(0), idx = c.in(1);
  if (data < 0 || idx < 0) c.fail("missing input");
  if (m.graph.tensors[idx].is_const) return plan_reindex(c);
  if (!m.graph.tensors[data].is_const) c.fail("no protocol for Gather with computed indices from a computed tensor yet");
  const auto dd = c.dims(data);
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(dd.size());
  if (axis < 0 || axis >= static_cast<int64_t>(dd.size())) c.fail("axis out of range");
  for (size_t k = 0; k < dd.size(); ++k)
    if (static_cast<int64_t>(k) != axis && dd[k] != 1) c.fail("no protocol for Gather with computed indices from a table of rank above 1 yet");
  // [visibility] The table is in the key's public model: with private weights that would publish it.
  if (!verifier_evaluates(m, data))
    c.fail("its table '" + m.graph.tensors[data].name +
           "' would be public in the verifying key (the lookup table is the gathered constant); compile with "
           "--weights-visibility fixed or public");
  const auto& T = m.qconst[data].data;
  const size_t d = T.size();
  if (d == 0 || d != dd[static_cast<size_t>(axis)]) c.fail("table values missing from the compiled model");
  auto s = new_step<TableGatherStep>(c);
  s->x = idx;
  s->act.dims = c.dims(s->y);
  {
    auto sq = [](std::vector<size_t> v) {
      std::erase(v, size_t{1});
      return v;
    };
    if (sq(c.dims(idx)) != sq(s->act.dims)) c.fail("output shape mismatch");
    if (c.dims(idx) != s->act.dims) s->act.dims = c.dims(idx);  // unit dimensions have no variables
  }
  if (2 * d > (size_t{1} << 20)) c.fail("table above 2^20 rows");
  s->act.shift = 0;
  s->act.excess_bits = std::max<size_t>(1, c.bits(idx) + 1);
  s->act.lo = -static_cast<int64_t>(d);
  s->act.values.assign(T.begin(), T.end());
  s->act.values.insert(s->act.values.end(), T.begin(), T.end());
  return s;
}

}  // namespace zkinfer::proof
