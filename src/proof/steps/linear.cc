// Gemm, MatMul and Conv (layers/matmul.h, layers/conv.h), with the rescale of the accumulator
// (layers/rescale.h) unless a consuming Relu proves it (steps/relu.cc).
#include "layers/conv.h"
#include "layers/matmul.h"
#include "ops/kernels.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

class LinearStep : public Step {
 public:
  bool conv = false;
  layers::MatmulShape mm;
  layers::ConvShape cv;
  int w = -1, b = -1;
  int shift = 0;        // rescale k (0: none)
  int bias_exp = 0;     // the executor multiplies the bias by 2^bias_exp
  bool fused = false;   // the rescale is proven by the Relu that consumes the output
  size_t out_bits = 0;  // range-check the rescaled output (its consumers do not bound it)

  layers::RescaleParams rescale_params(const quant::CompiledModel& m) const {
    return layers::RescaleParams{dims_of(m, y), static_cast<size_t>(shift), out_bits};
  }
  bool rescaled() const { return shift > 0 && !fused; }
  std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel& m) const override {
    return rescaled() ? layers::rescale_advice_shapes(rescale_params(m)) : std::vector<layers::AdviceShape>{};
  }
  bool constant_input_ok() const override { return true; }
  int fusable_shift() const override { return shift; }
  void fuse() override { fused = true; }
  void finish_plan(const quant::CompiledModel& m) override {
    if (shift > 0 && !fused && !bounded_by_consumers(m, y)) out_bits = checked_bits(m, node, y);
  }
  std::unique_ptr<StepProver> prover(ProverEnv& env) const override;
  Verdict verify(VerifierEnv& env, std::vector<Claim> cl) const override;
  bool evm(EvmCode& e) const override;
};

class LinearProver : public StepProver {
 public:
  const LinearStep& s;
  std::vector<int64_t> acc;  // with a rescale: the accumulator before it
  std::unique_ptr<layers::RescaleProver> rescale;
  explicit LinearProver(const LinearStep& st) : s(st) {}
  const std::vector<int64_t>* claimed_values() const override { return s.fused ? &acc : nullptr; }
  void commit(ProverEnv& env) override {
    if (!s.rescaled()) return;
    rescale = std::make_unique<layers::RescaleProver>(s.rescale_params(env.model), acc, env.values(s.y));
    env.commit_advice(*this, rescale->advice());
  }
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    std::vector<Claim> accs = cl;
    if (rescale) {
      std::vector<layers::AdviceClaim> adv;
      auto rp = rescale->prove(cl, env.tr, &accs, &adv);
      rp.serialize(env.w);
      env.open_advice(*this, adv, 0);
    }
    std::vector<Fr> bias;
    if (s.b >= 0) {
      std::vector<int64_t> bv = env.values(s.b);
      for (auto& v : bv) v *= int64_t{1} << s.bias_exp;
      bias = layers::padded_table(shape_of(env.model, s.b), bv);
    }
    const Fr bias_unscale = pow2(s.bias_exp).inverse();
    std::vector<Claim> bc;
    if (!s.conv) {
      layers::MatmulClaims mc;
      auto proof = layers::prove_matmul(s.mm, env.values(s.x), env.values(s.w), bias, accs, env.tr, &mc);
      proof.serialize(env.w);
      env.add_claims(s.x, std::move(mc.a));
      env.add_claims(s.w, std::move(mc.b));
      for (auto& c : mc.bias) bc.push_back({std::move(c.point), c.value * bias_unscale});
    } else {
      layers::ConvClaims cc;
      auto proof = layers::prove_conv(s.cv, env.values(s.x), env.values(s.w), bias, accs, env.tr, &cc);
      proof.serialize(env.w);
      env.add_claims(s.x, {std::move(cc.x)});
      env.add_claims(s.w, std::move(cc.w));
      for (auto& c : cc.bias) bc.push_back({std::move(c.point), c.value * bias_unscale});
    }
    if (s.b >= 0) env.add_claims(s.b, std::move(bc));
  }
};

// A linear node's accumulator before its rescale, from the trace: acc = 2^k y + rem - 2^(k-1).
std::vector<int64_t> accumulator(const ProverEnv& env, const LinearStep& s) {
  const ops::ITensor* rem = nullptr;
  for (const auto& [k, v] : env.trace.aux[s.node])
    if (k == "out.rem") rem = &v;
  const auto& y = env.values(s.y);
  if (rem == nullptr || rem->data.size() != y.size())
    throw Error("proof: " + node_label(env.model, s.node) + ": the trace lacks the rescale remainder");
  std::vector<int64_t> acc(y.size());
  for (size_t i = 0; i < y.size(); ++i) acc[i] = y[i] * (int64_t{1} << s.shift) + rem->data[i] - (int64_t{1} << (s.shift - 1));
  return acc;
}

std::unique_ptr<StepProver> LinearStep::prover(ProverEnv& env) const {
  auto p = std::make_unique<LinearProver>(*this);
  if (shift > 0) p->acc = accumulator(env, *this);
  return p;
}

Verdict LinearStep::verify(VerifierEnv& env, std::vector<Claim> cl) const {
  std::vector<Claim> accs = cl;
  if (rescaled()) {
    const auto rpar = rescale_params(env.model);
    auto rp = layers::deserialize_proof(env.r, layers::rescale_proof_layout(rpar, cl.size()));
    std::vector<layers::AdviceClaim> adv;
    if (Verdict v = layers::verify_rescale(rpar, cl, rp, env.tr, &accs, &adv); !v) return v.within(env.where + ": rescale");
    if (Verdict v = env.open_advice(adv, 0); !v) return v;
  }
  const Fr bias_unscale = pow2(bias_exp).inverse();
  std::vector<Claim> bc;
  if (!conv) {
    auto proof = layers::MatmulProof::deserialize(env.r, mm, accs.size());
    layers::MatmulClaims mc;
    if (Verdict v = layers::verify_matmul(mm, accs, proof, env.tr, &mc); !v) return v.within(env.where + ": matmul");
    env.add_claims(x, std::move(mc.a));
    env.add_claims(w, std::move(mc.b));
    for (auto& c : mc.bias) bc.push_back({std::move(c.point), c.value * bias_unscale});
  } else {
    auto proof = layers::ConvProof::deserialize(env.r, cv, accs.size());
    layers::ConvClaims cc;
    if (Verdict v = layers::verify_conv(cv, accs, proof, env.tr, &cc); !v) return v.within(env.where + ": conv");
    env.add_claims(x, {std::move(cc.x)});
    env.add_claims(w, std::move(cc.w));
    for (auto& c : cc.bias) bc.push_back({std::move(c.point), c.value * bias_unscale});
  }
  if (b >= 0) {
    env.add_claims(b, std::move(bc));
  } else if (!bc.empty()) {
    return Verdict::reject(env.where + ": bias claims without a bias");
  }
  return Verdict::accept();
}

bool LinearStep::evm(EvmCode& e) const {
  if (rescaled()) {
    const auto rp = rescale_params(e.model);
    e.routine("ZkNonlinear", "verifyRescale", "ZkNonlinear.RescaleParams memory",
              "ZkNonlinear.RescaleParams(" + sol_uints(rp.dims) + ", " + sol_uint(rp.shift) + ", " + sol_uint(rp.out_bits) + ")");
    e.line("cl = o.x;");
  }
  if (conv) {
    e.routine("ZkConv", "verifyConv", "ZkConv.ConvShape memory",
              "ZkConv.ConvShape(" + sol_uint(cv.n) + ", " + sol_uint(cv.c) + ", " + sol_uint(cv.h) + ", " + sol_uint(cv.w) + ", " +
                  sol_uint(cv.co) + ", " + sol_uint(cv.kh) + ", " + sol_uint(cv.kw) + ", " + sol_uint(cv.stride_h) + ", " +
                  sol_uint(cv.stride_w) + ", " + sol_uint(cv.dil_h) + ", " + sol_uint(cv.dil_w) + ", " + sol_uint(cv.pad_top) + ", " +
                  sol_uint(cv.pad_left) + ", " + sol_uint(cv.pad_bottom) + ", " + sol_uint(cv.pad_right) + ", " + sol_bool(cv.bias) +
                  ", " + sol_uint(cv.groups) + ")",
              e.advice_count);
  } else {
    e.routine("ZkMatmul", "verifyMatmul", "ZkMatmul.MatmulShape memory",
            "ZkMatmul.MatmulShape(" + sol_uints(mm.batch) + ", " + sol_uint(mm.m) + ", " + sol_uint(mm.k) + ", " + sol_uint(mm.n) +
                ", " + sol_bool(mm.trans_a) + ", " + sol_bool(mm.trans_b) + ", " + sol_bool(mm.bias) + ", " + sol_bool(mm.bias_batch) +
                ", " + sol_bool(mm.bias_rows) + ", " + sol_bool(mm.bias_cols) + ")",
            e.advice_count);
  }
  e.claims_to(x, "x");
  e.claims_to(w, "w");
  if (b >= 0) {
    e.scaled_claims_to(b, "bias", pow2(bias_exp).inverse());
  } else {
    e.line("if (o.bias.length != 0) return false;");
  }
  return true;
}

std::vector<size_t> with_batch(std::vector<size_t> b, const std::vector<size_t>& d) {
  b.insert(b.end(), d.begin(), d.end());
  return b;
}

void plan_bias(const PlanContext& c, LinearStep& s) {
  if (!is_weight(c.m, s.b)) c.fail("the bias must be a constant");
  s.bias_exp = c.m.scales[s.x] + c.m.scales[s.w] - c.m.scales[s.b];
  if (s.bias_exp < 0 || s.bias_exp > 60) c.fail("bias scale");
}

void plan_shift(const PlanContext& c, LinearStep& s) {
  s.shift = shift_of(c.m.params[c.node]);
  if (s.shift < 0 || s.shift > 40) c.fail("rescale shift out of range");
}

}  // namespace

std::unique_ptr<Step> plan_matmul(const PlanContext& c) {
  auto st = new_step<LinearStep>(c);
  LinearStep& p = *st;
  const std::string& op = c.op();
  p.x = c.in(0);
  p.w = c.in(1);
  p.b = op == "Gemm" ? c.in(2) : -1;
  if (p.x < 0 || p.w < 0) c.fail("missing input");
  plan_shift(c, p);
  auto ad = c.dims(p.x), bd = c.dims(p.w), yd = c.dims(p.y);
  // Leading unit (batch) dimensions have no variables: [1, ..., m, k] is the rank-2 product.
  auto drop_units = [](std::vector<size_t>& d) {
    while (d.size() > 2 && d.front() == 1) d.erase(d.begin());
  };
  if (op == "MatMul") drop_units(ad), drop_units(bd), drop_units(yd);
  auto& s = p.mm;
  // MatMul of rank 3 and more (attention heads): the leading dims are a batch both operands and
  // the output share (no broadcast of one operand along it yet).
  if (op == "MatMul" && (ad.size() > 2 || bd.size() > 2)) {
    if (ad.size() != bd.size() || yd.size() != ad.size())
      c.fail("batched MatMul with operands of different ranks (a broadcast operand) is not supported yet");
    s.batch.assign(ad.begin(), ad.end() - 2);
    if (!std::equal(s.batch.begin(), s.batch.end(), bd.begin()) || !std::equal(s.batch.begin(), s.batch.end(), yd.begin()))
      c.fail("batched MatMul with differing batch dimensions (a broadcast operand) is not supported yet");
    ad.erase(ad.begin(), ad.end() - 2);
    bd.erase(bd.begin(), bd.end() - 2);
    yd.erase(yd.begin(), yd.end() - 2);
  }
  if (ad.size() != 2 || bd.size() != 2 || yd.size() != 2) c.fail("only rank-2 products are supported yet");
  s.trans_a = op == "Gemm" && c.n().attrs.get_int("transA", 0) != 0;
  s.trans_b = op == "Gemm" && c.n().attrs.get_int("transB", 0) != 0;
  s.m = s.trans_a ? ad[1] : ad[0];
  s.k = s.trans_a ? ad[0] : ad[1];
  s.n = s.trans_b ? bd[0] : bd[1];
  if (p.b >= 0) {
    plan_bias(c, p);
    auto cd = c.dims(p.b);
    s.bias = true;
    if (cd.size() == 1) {
      s.bias_cols = cd[0] == s.n && s.n > 1;
    } else if (cd.size() == 2) {
      s.bias_rows = cd[0] == s.m && s.m > 1;
      s.bias_cols = cd[1] == s.n && s.n > 1;
    } else {
      c.fail("bias of rank " + std::to_string(cd.size()));
    }
    if (s.bias_shape().num_vars() != shape_of(c.m, p.b).num_vars()) c.fail("bias layout not supported");
  }
  if (auto why = s.invalid()) c.fail(*why);
  if (s.y_shape().dims() != with_batch(s.batch, yd)) c.fail("output shape mismatch");
  // The operands' padded layouts must be the layer's (leading unit dims carry no variables).
  if (s.a_shape().num_vars() != shape_of(c.m, p.x).num_vars() || s.b_shape().num_vars() != shape_of(c.m, p.w).num_vars())
    c.fail("operand layout not supported");
  return st;
}

std::unique_ptr<Step> plan_conv(const PlanContext& c) {
  auto st = new_step<LinearStep>(c);
  LinearStep& p = *st;
  p.conv = true;
  p.x = c.in(0);
  p.w = c.in(1);
  p.b = c.in(2);
  if (p.x < 0 || p.w < 0) c.fail("missing input");
  plan_shift(c, p);
  const auto& xs = c.m.graph.tensors[p.x].shape;
  const auto& ws = c.m.graph.tensors[p.w].shape;
  if (xs.size() != 4 || ws.size() != 4) c.fail("only 2-D convolutions are supported yet");
  ops::Window win = ops::make_window(c.n(), xs, ops::Shape(ws.begin() + 2, ws.end()), false);
  auto& s = p.cv;
  s.n = xs[0], s.c = xs[1], s.h = xs[2], s.w = xs[3];
  s.co = ws[0], s.kh = ws[2], s.kw = ws[3];
  s.stride_h = win.sh, s.stride_w = win.sw, s.dil_h = win.dh, s.dil_w = win.dw;
  s.pad_top = win.pt, s.pad_left = win.pl, s.pad_bottom = win.pb, s.pad_right = win.pr;
  s.groups = static_cast<size_t>(c.n().attrs.get_int("group", 1));
  if (p.b >= 0) {
    plan_bias(c, p);
    s.bias = true;
  }
  if (auto why = s.invalid()) c.fail(*why);
  if (s.y_shape().dims() != c.dims(p.y)) c.fail("output shape mismatch");
  return st;
}

}  // namespace zkinfer::proof
