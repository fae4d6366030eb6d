// Gather: by constant indices, data movement (move.cc, plan_reindex); by computed indices from a
// constant table the verifier holds (Gather on the first axis that is not 1 of a constant tensor
// T[d, C...]), per column c a lookup of (index, value) pairs (layers/activation.h, the table
// activation with no rescale) in the table of rows (j, T[j mod d, c]) for j in [-d, d) (ONNX's
// negative indices). Indices that are a weight (committed with private weights): the indexed
// lookup of gather_private.cc. With several columns the prover sends, per claim y~(z) = v, the columns'
// values y_c~(z_idx) (z_idx: z's index part) and the verifier checks v = sum_c E_c(z) y_c~(z_idx),
// E_c the eq weight of column c in z's trailing part; each column's claim goes to its lookup. Rows of
// C >= 2 entries gathered by at most 2C indices: the one-hot product of gather_committed.cc
// instead (its size does not grow with C). The lookup clamps an index outside [-d, d) to the nearest row where the executor
// refuses it (an honest prover never proves such a run). docs/protocol/compare.md.
#include "layers/activation.h"
#include "poly/mle.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

// eq(part, bits of c) for a sub-point of one dimension.
// Over any field type (Fr, or snark::CFr for the verifier as a circuit).
template <class F>
F eq_index(const std::vector<F>& part, size_t c) {
  F e = F::one();
  for (size_t b = 0; b < part.size(); ++b) e *= ((c >> b) & 1) ? part[b] : F::one() - part[b];
  return e;
}

class TableGatherStep : public Step {
 public:
  std::vector<layers::TableActParams> cols;  // one lookup per column (the entries after the axis)
  std::vector<size_t> idims, ydims, trail;   // index, output and trailing (column) shapes
  size_t ridx = 0;                           // the index's rank (y = index dims ++ trail)
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    std::vector<layers::AdviceShape> out;
    for (const auto& c : cols)
      for (auto& a : layers::table_act_advice_shapes(c)) out.push_back(a);
    return out;
  }
  size_t table_log_size() const override { return layers::ceil_log2(cols[0].values.size()); }
  size_t per_col() const { return layers::table_act_advice_shapes(cols[0]).size(); }
  // The index's point of a point on y, and the column weights E(c).
  template <class F>
  std::pair<std::vector<F>, std::vector<F>> split(const std::vector<F>& z) const {
    const auto parts = layers::split_point(layers::PaddedShape(ydims), z);
    std::vector<std::vector<F>> ip(parts.begin(), parts.begin() + static_cast<long>(ridx));
    std::vector<F> e(cols.size(), F::one());
    for (size_t c = 0; c < cols.size(); ++c) {
      size_t rest = c;
      for (size_t d = trail.size(); d-- > 0;) {
        e[c] *= eq_index(parts[ridx + d], rest % trail[d]);
        rest /= trail[d];
      }
    }
    return {layers::join_point(layers::PaddedShape(idims), ip), e};
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    using M = sumcheck::Msg<F>;
    std::vector<std::vector<layers::ClaimT<F>>> per(cols.size());
    if (cols.size() == 1) {
      per[0] = std::move(cl);
    } else {
      for (size_t i = 0; i < cl.size(); ++i) {
        auto [zi, e] = split(cl[i].point);
        M sum = F::zero();
        for (size_t c = 0; c < cols.size(); ++c) {
          const M v = sumcheck::read_msg<F>(env.r);
          env.tr.absorb("gather.column", v);
          sum = sum + v * e[c];
          per[c].push_back({zi, v});
        }
        if (sum != cl[i].value) return Verdict::reject(env.where + ": claim " + std::to_string(i) + ": output != its columns");
      }
    }
    for (size_t c = 0; c < cols.size(); ++c)
      if (Verdict v = verify_layer(
              env, per[c], x, "gather by a table lookup",
              [&] { return layers::deserialize_proof<F>(env.r, layers::table_act_proof_layout(cols[c], per[c].size())); },
              [&](const auto& p, auto* in, auto* adv) {
                return layers::verify_table_act_as<F>(cols[c], per[c], p, env.tr, in, adv);
              },
              c * per_col());
          !v)
        return v;
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class TableGatherProver : public StepProver {
 public:
  const TableGatherStep& s;
  std::vector<std::unique_ptr<layers::TableActProver>> acts;
  explicit TableGatherProver(const TableGatherStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    const size_t C = s.cols.size();
    std::vector<int64_t> y;
    for (const auto& p : s.cols) {
      acts.push_back(named(env, s, [&] { return std::make_unique<layers::TableActProver>(p, env.values(s.x)); }));
      env.commit_advice(*this, acts.back()->advice());
    }
    const size_t N = acts[0]->output().size();
    y.resize(N * C);
    for (size_t i = 0; i < N; ++i)
      for (size_t c = 0; c < C; ++c) y[i * C + c] = acts[c]->output()[i];
    env.expect_output(s, y);
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    const size_t C = s.cols.size();
    std::vector<std::vector<Claim>> per(C);
    if (C == 1) {
      per[0] = std::move(cl);
    } else {
      const layers::PaddedShape is(s.idims);
      std::vector<std::vector<Fr>> tabs;
      for (const auto& a : acts) tabs.push_back(layers::padded_table(is, a->output()));
      for (const auto& c : cl) {
        auto [zi, e] = s.split(c.point);
        for (size_t k = 0; k < C; ++k) {
          const cp::Val v = cp::send(env.tr, poly::evaluate_mle<Fr>(tabs[k], zi));
          env.tr.absorb("gather.column", v);
          cp::write(env.w, v);
          per[k].push_back({zi, v});
        }
      }
    }
    for (size_t k = 0; k < C; ++k) prove_layer(env, *this, *acts[k], std::move(per[k]), s.x, k * s.per_col());
  }
};

std::unique_ptr<StepProver> TableGatherStep::prover(ProverEnv&) const { return std::make_unique<TableGatherProver>(*this); }

}  // namespace

std::unique_ptr<Step> plan_gather(const PlanContext& c) {
  const auto& m = c.m;
  const int data = c.in(0), idx = c.in(1);
  if (data < 0 || idx < 0) c.fail("missing input");
  if (is_weight(m, idx)) {  // indices that are a weight: gather_private.cc's indexed lookup
    std::string why;
    if (auto s = plan_gather_private(c, &why)) return s;
    c.fail(why);
  }
  if (m.graph.tensors[idx].is_const) return plan_reindex(c);
  if (!m.graph.tensors[data].is_const) c.fail("no protocol for Gather with computed indices from a computed tensor yet");
  const auto dd = c.dims(data);
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(dd.size());
  if (axis < 0 || axis >= static_cast<int64_t>(dd.size())) c.fail("axis out of range");
  for (size_t k = 0; k < static_cast<size_t>(axis); ++k)
    if (dd[k] != 1) c.fail("no protocol for Gather with computed indices on an inner axis yet");
  // [visibility] The lookup's table would be in the key's public model: with private weights the
  // table stays committed and the rows are gathered by a one-hot product (gather_committed.cc)
  // where that applies.
  // A table the verifier holds, gathered by M indices into rows of C >= 2 entries: the one-hot
  // product too where it applies and M <= 2C (the C lookups below cost a multiplicity commitment,
  // a LogUp sumcheck and openings each, about 1.8 KB a column: tiny_gpt's 32-column embedding
  // 58 KB of a 184 KB proof; the product's size does not grow with C, and its prover work,
  // about M d + C d, is then at most the lookups' C (2d + M)). docs/PROOF.md, "proof size by
  // weight visibility".
  if (verifier_evaluates(m, data)) {
    size_t C = 1, M = 1;
    for (size_t k = static_cast<size_t>(axis) + 1; k < dd.size(); ++k) C *= dd[k];
    for (size_t v : c.dims(idx)) M *= v;
    std::string why;
    if (C >= 2 && M <= 2 * C)
      if (auto s = plan_gather_committed(c, &why)) return s;
  }
  if (!verifier_evaluates(m, data)) {
    std::string why;
    if (auto s = plan_gather_committed(c, &why)) return s;
    c.fail("its table '" + m.graph.tensors[data].name +
           "' would be public in the verifying key (the lookup table is the gathered constant; " + why +
           "); compile with --weights-visibility fixed or public");
  }
  const auto& T = m.qconst[data].data;
  const size_t d = dd[static_cast<size_t>(axis)];
  auto s = new_step<TableGatherStep>(c);
  s->x = idx;
  s->idims = c.dims(idx);
  s->ridx = s->idims.size();
  s->trail.assign(dd.begin() + axis + 1, dd.end());
  size_t C = 1;
  for (size_t t : s->trail) C *= t;
  if (d == 0 || T.size() != d * C) c.fail("table values missing from the compiled model");
  if (C > 64) c.fail("more than 64 columns per gathered row");
  if (2 * d > (size_t{1} << 20)) c.fail("table above 2^20 rows");
  s->ydims = s->idims;
  s->ydims.insert(s->ydims.end(), s->trail.begin(), s->trail.end());
  auto sq = [](std::vector<size_t> v) {
    std::erase(v, size_t{1});
    return v;
  };
  if (sq(s->ydims) != sq(c.dims(s->y))) c.fail("output shape mismatch");
  if (s->idims.empty()) s->idims = {1};
  for (size_t col = 0; col < C; ++col) {
    layers::TableActParams p;
    p.dims = s->idims;
    p.shift = 0;
    p.excess_bits = std::max<size_t>(1, c.bits(idx) + 1);
    p.lo = -static_cast<int64_t>(d);
    for (int rep = 0; rep < 2; ++rep)
      for (size_t j = 0; j < d; ++j) p.values.push_back(T[j * C + col]);
    s->cols.push_back(std::move(p));
  }
  return s;
}

}  // namespace zkinfer::proof
