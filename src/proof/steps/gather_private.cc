// Gather of a computed tensor by indices that are a weight (a float initializer with integer
// values, quantized at scale 0; committed in the verifying key with private weights): the feature
// selection of tree ensembles (graph/lower_ml.cc, the complete form). Gather(X, feat) on X's last
// axis, X[N..., F] with at most one leading dimension not 1, feat with at most one dimension not
// 1 (M indices): y[r, n] = X[r, feat[n]], by the indexed lookup of lookup/indexed.h
// (docs/protocol/indexed_lookup.md): y and the multiplicities m are the step's
// advice; the lookup leaves claims on feat (opened against its commitment, or evaluated by the
// verifier with public weights), on X (passed to X's producer), on y and on m (opened). The lookup
// proves every feat[n] in [0, F), and a zero-check that y's padding entries are 0. The claims on
// the output are opened against y's commitment.
#include "lookup/indexed.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class PrivateGatherStep : public Step {
 public:
  int idx = -1;                 // feat
  lookup::IndexedShape shape;   // N rows of F entries, M indices
  std::vector<size_t> ydims;    // the output's dims
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return {{"gather.y", shape.n()}, {"gather.multiplicities", shape.k()}};
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto proof = lookup::IndexedProofT<F>::deserialize(env.r, shape);
    lookup::IndexedClaimsT<F> ic;
    if (Verdict v = lookup::verify_indexed_as<F>(shape, proof, env.tr, &ic); !v) return v.within(env.where);
    std::vector<layers::AdviceClaimT<F>> adv;
    for (auto& c : cl) adv.push_back({0, std::move(c)});
    adv.push_back({0, {ic.y_point, ic.y}});
    if (!ic.y_pad_point.empty()) adv.push_back({0, {ic.y_pad_point, ic.y_pad}});
    adv.push_back({1, {ic.m_point, ic.m}});
    if (Verdict v = env.open_advice(adv, 0); !v) return v;
    env.add_claims(idx, {{ic.feat_point, ic.feat}});
    env.add_claims(x, {{ic.x_point, ic.x}});
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class PrivateGatherProver : public StepProver {
 public:
  const PrivateGatherStep& s;
  std::vector<int64_t> y, m;
  std::vector<layers::LayerAdvice> adv_;  // committed (borrowed by the opening: step.h)
  explicit PrivateGatherProver(const PrivateGatherStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    const auto& X = env.values(s.x);
    const auto& feat = committed_values(env.model, s.idx);
    const size_t N = s.shape.rows, F = s.shape.feats, M = s.shape.nodes;
    m = named(env, s, [&] { return lookup::indexed_multiplicities(s.shape, feat); });
    y.resize(N * M);
    for (size_t r = 0; r < N; ++r)
      for (size_t n = 0; n < M; ++n) y[r * M + n] = X[r * F + static_cast<size_t>(feat[n])];
    env.expect_output(s, y);
    // y's advice is its padded table: row-major [Np, Mp] (unit dimensions carry no variables).
    const size_t nv = s.shape.node_vars();
    std::vector<int64_t> ypad(size_t{1} << s.shape.n(), 0);
    for (size_t r = 0; r < N; ++r)
      for (size_t n = 0; n < M; ++n) ypad[(r << nv) + n] = y[r * M + n];
    adv_ = {{"gather.y", std::move(ypad)}, {"gather.multiplicities", m}};
    env.commit_advice(*this, adv_);
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    const size_t nv = s.shape.node_vars(), fv = s.shape.feat_vars(), rv = s.shape.row_vars();
    const size_t N = s.shape.rows, F = s.shape.feats, M = s.shape.nodes;
    const auto& X = env.values(s.x);
    const auto& feat = committed_values(env.model, s.idx);
    std::vector<Fr> ft(size_t{1} << nv, Fr::zero()), yt(size_t{1} << (rv + nv), Fr::zero()),
        xt(size_t{1} << (rv + fv), Fr::zero()), mt(m.size());
    for (size_t n = 0; n < M; ++n) ft[n] = Fr::from_i64(feat[n]);
    for (size_t r = 0; r < N; ++r) {
      for (size_t n = 0; n < M; ++n) yt[(r << nv) + n] = Fr::from_i64(y[r * M + n]);
      for (size_t f = 0; f < F; ++f) xt[(r << fv) + f] = Fr::from_i64(X[r * F + f]);
    }
    for (size_t j = 0; j < m.size(); ++j) mt[j] = Fr::from_i64(m[j]);
    lookup::IndexedClaims ic;
    auto proof = lookup::prove_indexed(s.shape, ft, yt, xt, mt, env.tr, &ic);
    proof.serialize(env.w);
    std::vector<layers::AdviceClaim> adv;
    for (auto& c : cl) adv.push_back({0, std::move(c)});
    adv.push_back({0, {ic.y_point, ic.y}});
    if (!ic.y_pad_point.empty()) adv.push_back({0, {ic.y_pad_point, ic.y_pad}});
    adv.push_back({1, {ic.m_point, ic.m}});
    env.open_advice(*this, adv, 0);
    env.add_claims(s.idx, {{ic.feat_point, ic.feat}});
    env.add_claims(s.x, {{ic.x_point, ic.x}});
  }
};

std::unique_ptr<StepProver> PrivateGatherStep::prover(ProverEnv&) const {
  return std::make_unique<PrivateGatherProver>(*this);
}

// The product of dims and whether at most one is not 1.
std::pair<size_t, bool> count_single(const std::vector<size_t>& d) {
  size_t p = 1, non_unit = 0;
  for (size_t v : d) {
    p *= v;
    if (v != 1) ++non_unit;
  }
  return {p, non_unit <= 1};
}

}  // namespace

std::unique_ptr<Step> plan_gather_private(const PlanContext& c, std::string* why_not) {
  const auto& m = c.m;
  auto no = [&](std::string why) -> std::unique_ptr<Step> {
    *why_not = std::move(why);
    return nullptr;
  };
  const int data = c.in(0), idx = c.in(1);
  if (!is_weight(m, idx)) return no("the indices are not a weight");
  if (m.graph.tensors[data].is_const) return no("Gather of a constant by weight indices (fold it at compile time)");
  if (m.scales[idx] != 0) return no("weight indices must be quantized at scale 0");
  const auto xd = c.dims(data);
  if (xd.empty()) return no("Gather of a scalar");
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(xd.size());
  if (axis != static_cast<int64_t>(xd.size()) - 1)
    return no("Gather by weight indices on the data's last axis only (axis " + std::to_string(axis) + " of rank " +
              std::to_string(xd.size()) + ")");
  const std::vector<size_t> lead(xd.begin(), xd.end() - 1);
  auto [N, lead_ok] = count_single(lead);
  if (!lead_ok) return no("Gather by weight indices of data with several leading dimensions not 1");
  auto id = c.dims(idx);
  auto [M, idx_ok] = count_single(id);
  if (!idx_ok) return no("weight indices with several dimensions not 1");
  auto s = new_step<PrivateGatherStep>(c);
  s->x = data;
  s->idx = idx;
  s->shape = {N, xd.back(), M};
  if (auto why = s->shape.invalid()) return no(*why);
  s->ydims = lead;
  s->ydims.insert(s->ydims.end(), id.begin(), id.end());
  if (s->ydims.empty()) s->ydims = {1};
  if (c.dims(s->y) != s->ydims) return no("output shape mismatch");
  // The lookup's layouts must be the tensors' (unit dimensions carry no variables).
  if (shape_of(m, s->y).num_vars() != s->shape.n() || shape_of(m, data).num_vars() != s->shape.k() ||
      shape_of(m, idx).num_vars() != s->shape.node_vars())
    return no("layout not supported");
  if (m.scales[data] != m.scales[s->y]) return no("scale changes across a Gather");
  return s;
}

}  // namespace zkinfer::proof
