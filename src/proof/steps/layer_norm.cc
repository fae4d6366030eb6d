// LayerNormalization (layers/layer_norm.h, nonlinear.md section 13): mean, bound, subtraction,
// variance, rsqrt table and the affine with gamma and beta, composed on uncommitted intermediates.
#include <algorithm>

#include "layers/layer_norm.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class LayerNormStep : public Step {
 public:
  layers::LayerNormParams ln;
  int w = -1, b = -1;  // gamma, beta (optional)
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::layer_norm_advice_shapes(ln);
  }
  size_t table_log_size() const override {
    return layers::ceil_log2(ln.wider ? ln.wider->size() : ln.values.size());
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto lp = layers::LayerNormProofT<F>::deserialize(env.r, ln, cl.size());
    layers::LayerNormClaimsT<F> lc;
    if (Verdict v = layers::verify_layer_norm_as<F>(ln, std::span<const layers::ClaimT<F>>(cl), lp, env.tr, &lc); !v)
      return v.within(env.where + ": layer norm");
    if (Verdict v = env.open_advice(lc.advice, 0); !v) return v;
    env.add_claims(w, std::move(lc.gamma));
    if (b >= 0) {
      env.add_claims(b, std::move(lc.beta));
    } else if (!lc.beta.empty()) {
      return Verdict::reject(env.where + ": bias claims without a bias");
    }
    env.add_claims(x, std::move(lc.x));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class LayerNormProver : public StepProver {
 public:
  const LayerNormStep& s;
  std::unique_ptr<layers::LayerNormProver> ln;
  explicit LayerNormProver(const LayerNormStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    ln = named(env, s, [&] {
      return std::make_unique<layers::LayerNormProver>(
          s.ln, env.values(s.x), env.values(s.w), s.b >= 0 ? std::span<const int64_t>(env.values(s.b)) : std::span<const int64_t>());
    });
    env.expect_output(s, ln->output());
    env.commit_advice(*this, ln->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::LayerNormClaims lc;
    auto lp = ln->prove(cl, env.tr, &lc);
    lp.serialize(env.w);
    env.open_advice(*this, lc.advice, 0);
    env.add_claims(s.w, std::move(lc.gamma));
    if (s.b >= 0) env.add_claims(s.b, std::move(lc.beta));
    env.add_claims(s.x, std::move(lc.x));
  }
};

std::unique_ptr<StepProver> LayerNormStep::prover(ProverEnv&) const { return std::make_unique<LayerNormProver>(*this); }

// The longest rsqrt table among the model's LayerNormalization nodes that extends node i's table
// t (same function, scales and lo: t's values a prefix of it) within the same power of two of
// rows, or null (none longer, or not worth it). Looking up there lets the model-wide lookup batch
// merge the tables (one multiplicity vector and one LogUp instead of one per node; tiny_gpt: 2 of
// 2^16 rows instead of 5) for a range check of hi - idx on the node's 2^n variances
// (TableActParams::wider); taken only where those are at most a quarter of the table's rows.
// A function of the public model: the prover and the verifier plan the same.
std::shared_ptr<const std::vector<int64_t>> wider_rsqrt_table(const quant::CompiledModel& m, size_t i,
                                                               const ops::Table& t, size_t rows) {
  const size_t own = layers::next_pow2(t.values.size());
  if (rows * 4 > own) return nullptr;
  const std::vector<int64_t>* best = nullptr;
  for (size_t k = 0; k < m.graph.nodes.size(); ++k) {
    if (k == i || m.graph.nodes[k].op_type != "LayerNormalization" || m.params[k].tables.size() != 1) continue;
    const ops::Table& o = m.params[k].tables[0];
    const size_t len = best ? best->size() : t.values.size();
    if (o.fn != t.fn || o.lo != t.lo || o.in_scale != t.in_scale || o.out_scale != t.out_scale || o.values.size() <= len ||
        layers::next_pow2(o.values.size()) != own || !std::equal(t.values.begin(), t.values.end(), o.values.begin()))
      continue;
    best = &o.values;
  }
  return best ? std::make_shared<const std::vector<int64_t>>(*best) : nullptr;
}

}  // namespace

std::unique_ptr<Step> plan_layer_norm(const PlanContext& c) {
  const auto& m = c.m;
  auto p = new_step<LayerNormStep>(c);
  p->x = c.in(0);
  p->w = c.in(1);
  p->b = c.in(2);
  if (p->x < 0) c.fail("missing input");
  const auto& qp = m.params[c.node];
  auto& l = p->ln;
  l.dims = c.dims(p->x);
  if (c.dims(p->y) != l.dims) c.fail("shape mismatch");
  if (p->w < 0 || !is_weight(m, p->w) || (p->b >= 0 && !is_weight(m, p->b))) c.fail("scale and bias must be constants");
  if (qp.tables.size() != 1 || qp.tables[0].values.empty()) c.fail("rsqrt table missing from the compiled model");
  const int64_t r = static_cast<int64_t>(l.dims.size());
  int64_t a = c.n().attrs.get_int("axis", -1);
  if (a < 0) a += r;
  if (a < 0 || a >= r) c.fail("axis out of range");
  l.axes.assign(l.dims.size(), false);
  for (int64_t d = a; d < r; ++d) l.axes[static_cast<size_t>(d)] = true;
  auto lift = [&](int t) {  // the weight's shape left-padded to x's rank; only row axes may be non-unit
    std::vector<size_t> v = c.dims(t);
    if (v.size() > l.dims.size()) c.fail("scale or bias rank above the input's");
    v.insert(v.begin(), l.dims.size() - v.size(), 1);
    for (size_t k = 0; k < v.size(); ++k)
      if (v[k] != 1 && (v[k] != l.dims[k] || !l.axes[k])) c.fail("scale or bias layout not supported");
    return v;
  };
  l.g_dims = lift(p->w);
  if (p->b >= 0) l.b_dims = lift(p->b);
  const int64_t vs = qp.get("v_shift"), ns = qp.get("n_shift"), k = shift_of(qp);
  if (vs < 0 || vs > 40 || ns < 0 || ns > 40 || k < 0 || k > 40) c.fail("rescale shift out of range");
  l.v_shift = static_cast<size_t>(vs);
  l.n_shift = static_cast<size_t>(ns);
  l.shift = static_cast<size_t>(k);
  l.lo = qp.tables[0].lo;
  l.values = qp.tables[0].values;
  l.wider = wider_rsqrt_table(m, c.node, qp.tables[0], layers::PaddedShape(l.row_dims()).size());
  if (p->b >= 0) {
    const int be = m.scales[p->x] + qp.tables[0].out_scale - static_cast<int>(ns) + m.scales[p->w] - m.scales[p->b];
    if (be < 0 || be > 40) c.fail("bias scale");
    l.beta_exp = static_cast<size_t>(be);
  }
  l.bits = c.bits(p->x);
  if (k > 0 && !bounded_by_consumers(m, p->y)) l.out_bits = c.bits(p->y);
  if (auto why = l.invalid()) c.fail(*why);
  return p;
}

}  // namespace zkinfer::proof
