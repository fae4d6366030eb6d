// Gather by computed (private) indices from a committed table: the token embedding of a language
// model with private weights (docs/protocol/gather.md). Gather(T, idx) on axis 0 with T[d, C] a
// weight the verifier does not hold (its dims after the first: at most one not 1, C entries a row)
// and idx with at most one dimension that is not 1 (M indices):
//   y = H T,   H[i, j] = [idx[i] = j]   (M x d, the one-hot of the indices),
// H committed as advice by the OneHot layer (layers/one_hot.h: entries range-checked into {0, 1},
// each row summing to 1 and none on the padding at a random row point tau, and the claim
// idx~(tau) = sum_j j H~(tau, j) on the indices), y = H T by the matmul sumcheck
// (layers/matmul.h), which leaves a claim on H (the OneHot layer's output, off 0, on 1) and one on
// T (opened against T's commitment in the verifying key). Everything sent is padded (zk/cp.h).
// A table the verifier holds: the same protocol for rows of C >= 2 entries gathered by at most 2C
// indices (the claim on T evaluated by the verifier), gather.cc's lookup otherwise.
#include "layers/matmul.h"
#include "layers/one_hot.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

class CommittedGatherStep : public Step {
 public:
  int table = -1;          // T
  layers::OneHotParams oh;  // H: the indices' shape ++ [d], off 0, on 1
  layers::MatmulShape mm;   // H (M x d) times T (d x C)
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const override {
    return layers::one_hot_advice_shapes(oh);
  }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto proof = layers::MatmulProofT<F>::deserialize(env.r, mm, cl.size());
    layers::MatmulClaimsT<F> mc;
    if (Verdict v = layers::verify_matmul_as<F>(mm, cl, proof, env.tr, &mc); !v)
      return v.within(env.where + ": gather product");
    if (!mc.bias.empty()) return Verdict::reject(env.where + ": bias claims without a bias");
    const size_t na = mc.a.size();
    if (Verdict v = verify_layer(
            env, mc.a, x, "gather one-hot",
            [&] { return layers::deserialize_proof<F>(env.r, layers::one_hot_proof_layout(oh, na)); },
            [&](const auto& p, auto* in, auto* adv) { return layers::verify_one_hot_as<F>(oh, mc.a, p, env.tr, in, adv); });
        !v)
      return v;
    env.add_claims(table, std::move(mc.b));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class CommittedGatherProver : public StepProver {
 public:
  const CommittedGatherStep& s;
  std::unique_ptr<layers::OneHotProver> oh;
  explicit CommittedGatherProver(const CommittedGatherStep& st) : s(st) {}
  void commit(ProverEnv& env) override {
    oh = named(env, s, [&] { return std::make_unique<layers::OneHotProver>(s.oh, env.values(s.x)); });
    // The output the protocol proves: row idx[i] of T for each index.
    const auto& T = env.values(s.table);
    const auto& idx = env.values(s.x);
    std::vector<int64_t> y(s.mm.m * s.mm.n);
    for (size_t i = 0; i < s.mm.m; ++i)
      for (size_t c = 0; c < s.mm.n; ++c) y[i * s.mm.n + c] = T[static_cast<size_t>(idx[i]) * s.mm.n + c];
    env.expect_output(s, y);
    env.commit_advice(*this, oh->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    layers::MatmulClaims mc;
    auto proof = layers::prove_matmul(s.mm, oh->output(), env.values(s.table), {}, cl, env.tr, &mc);
    proof.serialize(env.w);
    prove_layer(env, *this, *oh, std::move(mc.a), s.x);
    env.add_claims(s.table, std::move(mc.b));
  }
};

std::unique_ptr<StepProver> CommittedGatherStep::prover(ProverEnv&) const {
  return std::make_unique<CommittedGatherProver>(*this);
}

}  // namespace

std::unique_ptr<Step> plan_gather_committed(const PlanContext& c, std::string* why_not) {
  const auto& m = c.m;
  auto no = [&](std::string why) -> std::unique_ptr<Step> {
    *why_not = std::move(why);
    return nullptr;
  };
  const int data = c.in(0), idx = c.in(1);
  auto s = new_step<CommittedGatherStep>(c);
  s->x = idx;
  s->table = data;
  const auto dd = c.dims(data);
  int64_t axis = c.n().attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(dd.size());
  if (dd.empty() || axis != 0) return no("a committed table is gathered on its first axis only yet");
  const size_t d = dd[0];
  size_t C = 1, trail_non_unit = 0;
  for (size_t k = 1; k < dd.size(); ++k) {
    C *= dd[k];
    if (dd[k] != 1) ++trail_non_unit;
  }
  if (trail_non_unit > 1) return no("a committed table's rows with several dimensions are not supported yet");
  if (d < 1 || d > layers::kMaxOneHotDepth)
    return no("Gather by computed indices from a committed table of " + std::to_string(d) + " rows (at most 2^16)");
  auto idims = c.dims(idx);
  size_t M = 1, non_unit = 0;
  for (size_t v : idims) {
    M *= v;
    if (v != 1) ++non_unit;
  }
  if (non_unit > 1) return no("no protocol for Gather from a committed table by indices with several dimensions yet");
  if (idims.empty()) idims = {1};
  if (m.scales[idx] != 0) return no("indices must be integers (scale 0)");
  s->oh.idx_dims = idims;
  s->oh.axis = idims.size();
  s->oh.depth = d;
  s->oh.off = 0;
  s->oh.on = 1;
  s->mm.m = M;
  s->mm.k = d;
  s->mm.n = C;
  if (auto why = s->mm.invalid()) return no(*why);
  auto yd = idims;
  yd.insert(yd.end(), dd.begin() + 1, dd.end());
  auto sq = [](std::vector<size_t> v) {
    std::erase(v, size_t{1});
    return v;
  };
  if (sq(yd) != sq(c.dims(s->y))) return no("output shape mismatch");
  // The layer layouts must be the tensors' (unit dims carry no variables).
  if (s->mm.y_shape().num_vars() != shape_of(m, s->y).num_vars() ||
      s->mm.a_shape().num_vars() != layers::PaddedShape(s->oh.out_dims()).num_vars() ||
      s->mm.b_shape().num_vars() != shape_of(m, data).num_vars())
    return no("layout not supported");
  return s;
}

}  // namespace zkinfer::proof
