// Gemm, MatMul and Conv (layers/matmul.h, layers/conv.h), with the rescale of the accumulator
// (layers/rescale.h) unless a consuming Relu proves it (steps/relu.cc).
#include <algorithm>

#include "layers/conv.h"
#include "layers/matmul.h"
#include "ops/kernels.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

using layers::next_pow2;

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
  // MatMul [b..., m, k] x [k, n] with b's not all powers of two: A's dims (b..., m, k), whose rows
  // the prover lays out as the folded product's (fold_rows).
  std::vector<size_t> fold_dims;

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
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const;
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override;
};

// A [b_1, ..., b_j, m, k] (row-major, unpadded) as the folded product's A: b_1 (b_2)...(m) rows of
// k, with (.) the power of two at or above: row (i_1, ..., i_j, i) goes to the row its index has
// in A's padded layout (zero rows between), the layout the folded MatmulShape's a_shape() has.
std::vector<int64_t> fold_rows(const std::vector<int64_t>& a, const std::vector<size_t>& dims) {
  const size_t k = dims.back(), r = dims.size() - 1;
  size_t rows = 1, frows = dims[0];
  for (size_t i = 0; i < r; ++i) rows *= dims[i];
  for (size_t i = 1; i < r; ++i) frows *= next_pow2(dims[i]);
  if (a.size() != rows * k) throw Error("proof: MatMul operand of the wrong size");
  std::vector<int64_t> out(frows * k, 0);
  for (size_t u = 0; u < rows; ++u) {
    size_t rem = u, at = 0, scale = 1;
    for (size_t i = r; i-- > 0;) {
      at += (rem % dims[i]) * scale;
      rem /= dims[i];
      scale *= i == 0 ? dims[i] : next_pow2(dims[i]);
    }
    std::copy(a.begin() + static_cast<std::ptrdiff_t>(u * k), a.begin() + static_cast<std::ptrdiff_t>((u + 1) * k),
              out.begin() + static_cast<std::ptrdiff_t>(at * k));
  }
  return out;
}

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
      std::vector<int64_t> folded;
      if (!s.fold_dims.empty()) folded = fold_rows(env.values(s.x), s.fold_dims);
      auto proof = layers::prove_matmul(s.mm, s.fold_dims.empty() ? env.values(s.x) : folded, env.values(s.w), bias, accs, env.tr, &mc);
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

template <class F>
Verdict LinearStep::verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
  std::vector<layers::ClaimT<F>> accs = cl;
  if (rescaled()) {
    const auto rpar = rescale_params(env.model);
    auto rp = layers::deserialize_proof<F>(env.r, layers::rescale_proof_layout(rpar, cl.size()));
    std::vector<layers::AdviceClaimT<F>> adv;
    if (Verdict v = layers::verify_rescale_as<F>(rpar, cl, rp, env.tr, &accs, &adv); !v)
      return v.within(env.where + ": rescale");
    if (Verdict v = env.open_advice(adv, 0); !v) return v;
  }
  const F bias_unscale = F(pow2(bias_exp).inverse());
  std::vector<layers::ClaimT<F>> bc;
  if (!conv) {
    auto proof = layers::MatmulProofT<F>::deserialize(env.r, mm, accs.size());
    layers::MatmulClaimsT<F> mc;
    if (Verdict v = layers::verify_matmul_as<F>(mm, accs, proof, env.tr, &mc); !v) return v.within(env.where + ": matmul");
    env.add_claims(x, std::move(mc.a));
    env.add_claims(w, std::move(mc.b));
    for (auto& c : mc.bias) bc.push_back({std::move(c.point), c.value * bias_unscale});
  } else {
    auto proof = layers::ConvProofT<F>::deserialize(env.r, cv, accs.size());
    layers::ConvClaimsT<F> cc;
    if (Verdict v = layers::verify_conv_as<F>(cv, accs, proof, env.tr, &cc); !v) return v.within(env.where + ": conv");
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
    // The Solidity MatmulShape has one batch for both operands (the folded [b..., m, k] x [k, n]
    // is a plain product and has a routine).
    if (mm.broadcast())
      throw Error("node " + node_label(e.model, node) +
                  ": a batched MatMul with an operand broadcast along some batch dims (not all) has no EVM routine yet");
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
  auto& s = p.mm;
  bool folded = false;
  // MatMul of rank 3 and more (numpy/ONNX semantics): the leading dims are a batch, each operand's
  // batch (its leading dims, left-padded with 1s) broadcast to the output's. Batch dims where the
  // output's is 1 have no variables and are dropped. When B has no batch dims left, A's batch
  // dims become rows of a plain product (folded); otherwise the layer's batch, with the operand
  // that lacks a dim broadcast along it (layers/matmul.h).
  if (op == "MatMul" && ad.size() >= 2 && bd.size() >= 2 && yd.size() >= 2) {
    const size_t br = yd.size() - 2;
    if (ad.size() - 2 > br || bd.size() - 2 > br) c.fail("MatMul operand of higher rank than the output");
    std::vector<size_t> yb(yd.begin(), yd.end() - 2), ab(br, 1), bb(br, 1);
    std::copy(ad.begin(), ad.end() - 2, ab.end() - static_cast<std::ptrdiff_t>(ad.size() - 2));
    std::copy(bd.begin(), bd.end() - 2, bb.end() - static_cast<std::ptrdiff_t>(bd.size() - 2));
    std::vector<size_t> kb, ka, kbb;
    for (size_t i = 0; i < br; ++i) {
      if ((ab[i] != yb[i] && ab[i] != 1) || (bb[i] != yb[i] && bb[i] != 1) || (yb[i] > 1 && ab[i] != yb[i] && bb[i] != yb[i]))
        c.fail("MatMul batch dims do not broadcast to the output's");
      if (yb[i] == 1) continue;
      kb.push_back(yb[i]), ka.push_back(ab[i]), kbb.push_back(bb[i]);
    }
    ad.erase(ad.begin(), ad.end() - 2);
    bd.erase(bd.begin(), bd.end() - 2);
    yd.erase(yd.begin(), yd.end() - 2);
    if (!kb.empty() && std::all_of(kbb.begin(), kbb.end(), [](size_t d) { return d == 1; })) {
      // [b_1, ..., b_j, m, k] x [k, n]: A's padded layout is that of b_1 (b_2)...(b_j)(m) rows.
      folded = true;
      size_t rows = kb[0];
      bool pow2 = next_pow2(ad[0]) == ad[0];
      for (size_t i = 1; i < kb.size(); ++i) rows *= next_pow2(kb[i]), pow2 = pow2 && next_pow2(kb[i]) == kb[i];
      rows *= next_pow2(ad[0]);
      if (!pow2) p.fold_dims = with_batch(kb, ad);
      ad[0] = yd[0] = rows;
    } else {
      s.batch = kb;
      if (ka != kb) s.a_batch = ka;
      if (kbb != kb) s.b_batch = kbb;
    }
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
  if (folded && s.y_shape().num_vars() != shape_of(c.m, p.y).num_vars()) c.fail("output layout not supported");
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
