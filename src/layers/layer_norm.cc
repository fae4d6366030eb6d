// LayerNormalization by composition (layer_norm.h; docs/protocol/nonlinear.md, section 13).
#include "layers/layer_norm.h"

#include <algorithm>
#include <bit>

#include "common/check.h"

namespace zkinfer::layers {

namespace {
using EOp = ElementwiseParams::Op;

int64_t table_max(const LayerNormParams& p) {
  int64_t v = 0;
  for (int64_t x : p.values) v = std::max(v, x < 0 ? -x : x);
  return v;
}
template <class F>
void append(detail::SubLayerLookupsT<F>& sl, std::vector<AdviceClaimT<F>>* to, std::vector<AdviceClaimT<F>> v, size_t off) {
  sl.shift(off);
  for (auto& c : v) {
    c.advice += off;
    to->push_back(std::move(c));
  }
}
Fr inv_pow2(size_t e) { return detail::pow2_fr(e).inverse(); }
}  // namespace

std::vector<size_t> LayerNormParams::row_dims() const {
  std::vector<size_t> o = dims;
  for (size_t d = 0; d < o.size() && d < axes.size(); ++d)
    if (axes[d]) o[d] = 1;
  return o;
}
ReduceParams LayerNormParams::mean_params() const {
  ReduceParams r;
  r.op = ReduceParams::Op::kMean;
  r.dims = dims;
  r.axes = axes;
  return r;
}
BoundParams LayerNormParams::mu_bound() const { return BoundParams{row_dims(), bits, false}; }
ElementwiseParams LayerNormParams::sub_params() const {
  ElementwiseParams e;
  e.op = EOp::kSub;
  e.dims = dims;
  e.a_dims = dims;
  e.b_dims = row_dims();
  return e;
}
ElementwiseParams LayerNormParams::sq_params() const {
  ElementwiseParams e;
  e.op = EOp::kMul;
  e.dims = dims;
  return e;
}
size_t LayerNormParams::norm_bits() const {
  const size_t b = bits + 2 + static_cast<size_t>(std::bit_width(static_cast<uint64_t>(table_max(*this))));
  return b > n_shift ? std::min<size_t>(b - n_shift, 60) : 1;
}
ElementwiseParams LayerNormParams::norm_params() const {
  ElementwiseParams e;
  e.op = EOp::kMul;
  e.dims = dims;
  e.a_dims = dims;
  e.b_dims = row_dims();
  e.shift = static_cast<int>(n_shift);
  if (n_shift > 0) e.out_bits = norm_bits();
  return e;
}
ElementwiseParams LayerNormParams::out_params() const {
  ElementwiseParams e;
  e.op = b_dims.empty() ? EOp::kMul : EOp::kAffine;
  e.dims = dims;
  e.a_dims = dims;
  e.b_dims = g_dims;
  e.c_dims = b_dims;
  e.shift = static_cast<int>(shift);
  if (shift > 0) e.out_bits = out_bits;
  return e;
}
TableActParams LayerNormParams::act_params() const {
  TableActParams t;
  t.dims = row_dims();
  t.shift = v_shift;
  const size_t vb = 2 * bits + 3;  // v <= (2^(bits+1))^2
  t.excess_bits = std::max<size_t>(1, vb + 1 - std::min(v_shift, vb));
  t.lo = lo;
  t.values = values;
  t.wider = wider;
  return t;
}

std::optional<std::string> LayerNormParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (axes.size() != dims.size()) return std::string("axes mask size differs from the rank");
  if (bits < 1 || bits > 28) return std::string("bit bound out of range [1, 28]");
  if (v_shift > 60 || n_shift > 60 || shift > 60 || beta_exp > 40) return std::string("shift out of range");
  if (out_bits > 60 || (shift == 0 && out_bits > 0)) return std::string("out_bits without a rescale or above 60");
  if (values.empty()) return std::string("empty rsqrt table");
  if (g_dims.size() != dims.size() || (!b_dims.empty() && b_dims.size() != dims.size()))
    return std::string("gamma or beta rank differs from the input's");
  if (auto why = mean_params().invalid()) return "mean: " + *why;
  return std::nullopt;
}

template <>
void LayerNormProofT<Fr>::serialize(ByteWriter& w) const {
  out.serialize(w);
  norm.serialize(w);
  act.serialize(w);
  var.serialize(w);
  sq.serialize(w);
  combine.serialize(w);
  sub.serialize(w);
  mu_bound.serialize(w);
  mean.serialize(w);
}

template <field::PrimeField F>
LayerNormProofT<F> LayerNormProofT<F>::deserialize(ByteReader& r, const LayerNormParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("layer norm: bad parameters");
  if (num_claims > 256) r.fail("layer norm: too many claims");
  LayerNormProofT<F> o;
  const size_t n = num_claims;
  o.out = ElementwiseProofT<F>::deserialize(r, p.out_params(), n);
  o.norm = ElementwiseProofT<F>::deserialize(r, p.norm_params(), n);
  o.act = deserialize_proof<F>(r, table_act_proof_layout(p.act_params(), n));
  o.var = ReduceProofT<F>::deserialize(r, p.mean_params(), n);
  o.sq = ElementwiseProofT<F>::deserialize(r, p.sq_params(), n);
  o.combine = CombineProofT<F>::deserialize(r, PaddedShape(p.dims).num_vars(), 3 * n);
  o.sub = ElementwiseProofT<F>::deserialize(r, p.sub_params(), 1);
  o.mu_bound = deserialize_proof<F>(r, bound_proof_layout(p.mu_bound(), 1));
  o.mean = ReduceProofT<F>::deserialize(r, p.mean_params(), 1);
  return o;
}
template LayerNormProofT<Fr> LayerNormProofT<Fr>::deserialize(ByteReader&, const LayerNormParams&, size_t);
template LayerNormProofT<snark::CFr> LayerNormProofT<snark::CFr>::deserialize(ByteReader&, const LayerNormParams&, size_t);

LayerNormProver::LayerNormProver(const LayerNormParams& params, std::span<const int64_t> x,
                                 std::span<const int64_t> gamma, std::span<const int64_t> beta)
    : params_(params) {
  if (auto why = params.invalid()) throw Error("layer norm: " + *why);
  mean_ = std::make_unique<ReduceProver>(params.mean_params(), x);
  mu_bound_ = std::make_unique<BoundProver>(params.mu_bound(), mean_->output());
  sub_ = std::make_unique<ElementwiseProver>(params.sub_params(), x, mean_->output());
  d_ = sub_->output();
  sq_ = std::make_unique<ElementwiseProver>(params.sq_params(), d_, d_);
  var_ = std::make_unique<ReduceProver>(params.mean_params(), sq_->output());
  act_ = std::make_unique<TableActProver>(params.act_params(), var_->output());
  norm_ = std::make_unique<ElementwiseProver>(params.norm_params(), d_, act_->output());
  if (params.b_dims.empty()) {
    out_ = std::make_unique<ElementwiseProver>(params.out_params(), norm_->output(), gamma);
  } else {
    std::vector<int64_t> c(beta.begin(), beta.end());
    for (auto& v : c) v *= int64_t{1} << params.beta_exp;
    out_ = std::make_unique<ElementwiseProver>(params.out_params(), norm_->output(), gamma, c);
  }
  // advice order: mean, mu bound, var, act, norm, out
  for (const auto* v : {&mean_->advice(), &mu_bound_->advice(), &var_->advice(), &act_->advice(), &norm_->advice(),
                        &out_->advice()}) {
    offsets_.push_back(advice_.size());
    advice_.insert(advice_.end(), v->begin(), v->end());
  }
}

LayerNormProof LayerNormProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, LayerNormClaims* out) {
  *out = {};
  detail::SubLayerLookups sl(tr, false);
  LayerNormProof proof;
  std::vector<AdviceClaim> adv;
  ElementwiseClaims oc;
  proof.out = out_->prove(out_claims, tr, &oc);
  append(sl, &out->advice, std::move(oc.advice), offsets_[5]);
  out->gamma = std::move(oc.b);
  const Fr binv = inv_pow2(params_.beta_exp);
  for (auto& c : oc.c) out->beta.push_back({std::move(c.point), c.value * binv});
  ElementwiseClaims nc;
  proof.norm = norm_->prove(oc.a, tr, &nc);
  append(sl, &out->advice, std::move(nc.advice), offsets_[4]);
  std::vector<Claim> vcl;
  proof.act = act_->prove(nc.b, tr, &vcl, &adv);
  append(sl, &out->advice, std::move(adv), offsets_[3]);
  std::vector<Claim> qcl;
  proof.var = var_->prove(vcl, tr, &qcl, &adv);
  append(sl, &out->advice, std::move(adv), offsets_[2]);
  ElementwiseClaims sc;
  proof.sq = sq_->prove(qcl, tr, &sc);
  std::vector<Claim> dcl = std::move(nc.a);
  for (auto* v : {&sc.a, &sc.b})
    for (auto& c : *v) dcl.push_back(std::move(c));
  const PaddedShape xs(params_.dims);
  const Claim one = prove_combine(padded_table(xs, d_), xs.num_vars(), dcl, tr, &proof.combine);
  ElementwiseClaims dc;
  proof.sub = sub_->prove(std::span<const Claim>(&one, 1), tr, &dc);
  proof.mu_bound = mu_bound_->prove(dc.b, tr, &adv);
  append(sl, &out->advice, std::move(adv), offsets_[1]);
  std::vector<Claim> xm;
  proof.mean = mean_->prove(dc.b, tr, &xm, &adv);
  append(sl, &out->advice, std::move(adv), offsets_[0]);
  out->x = std::move(dc.a);
  for (auto& c : xm) out->x.push_back(std::move(c));
  return proof;
}

std::vector<AdviceShape> layer_norm_advice_shapes(const LayerNormParams& params) {
  if (auto why = params.invalid()) throw Error("layer norm: " + *why);
  std::vector<AdviceShape> o;
  for (const auto& v : {reduce_advice_shapes(params.mean_params()), bound_advice_shapes(params.mu_bound()),
                        reduce_advice_shapes(params.mean_params()), table_act_advice_shapes(params.act_params()),
                        elementwise_advice_shapes(params.norm_params()), elementwise_advice_shapes(params.out_params())})
    o.insert(o.end(), v.begin(), v.end());
  return o;
}

template <field::PrimeField F>
Verdict verify_layer_norm_as(const LayerNormParams& params, std::span<const ClaimT<F>> out_claims,
                             const LayerNormProofT<F>& proof, transcript::Transcript& tr, LayerNormClaimsT<F>* out) {
  using Span = std::span<const ClaimT<F>>;
  if (auto why = params.invalid()) return Verdict::reject("layer norm: " + *why);
  std::vector<size_t> off;
  {
    size_t acc = 0;
    for (const auto& v : {reduce_advice_shapes(params.mean_params()), bound_advice_shapes(params.mu_bound()),
                          reduce_advice_shapes(params.mean_params()), table_act_advice_shapes(params.act_params()),
                          elementwise_advice_shapes(params.norm_params()), elementwise_advice_shapes(params.out_params())}) {
      off.push_back(acc);
      acc += v.size();
    }
  }
  LayerNormClaimsT<F> res;
  detail::SubLayerLookupsT<F> sl(tr, true);
  std::vector<AdviceClaimT<F>> adv;
  ElementwiseClaimsT<F> oc;
  if (Verdict v = verify_elementwise_as<F>(params.out_params(), out_claims, proof.out, tr, &oc); !v)
    return v.within("layer norm: scale and bias");
  append(sl, &res.advice, std::move(oc.advice), off[5]);
  res.gamma = std::move(oc.b);
  const F binv = F(inv_pow2(params.beta_exp));
  for (auto& c : oc.c) res.beta.push_back({std::move(c.point), c.value * binv});
  ElementwiseClaimsT<F> nc;
  if (Verdict v = verify_elementwise_as<F>(params.norm_params(), Span(oc.a), proof.norm, tr, &nc); !v)
    return v.within("layer norm: d rs");
  append(sl, &res.advice, std::move(nc.advice), off[4]);
  std::vector<ClaimT<F>> vcl;
  if (Verdict v = verify_table_act_as<F>(params.act_params(), Span(nc.b), proof.act, tr, &vcl, &adv); !v)
    return v.within("layer norm: rsqrt table");
  append(sl, &res.advice, std::move(adv), off[3]);
  std::vector<ClaimT<F>> qcl;
  if (Verdict v = verify_reduce_as<F>(params.mean_params(), Span(vcl), proof.var, tr, &qcl, &adv); !v)
    return v.within("layer norm: variance");
  append(sl, &res.advice, std::move(adv), off[2]);
  ElementwiseClaimsT<F> sc;
  if (Verdict v = verify_elementwise_as<F>(params.sq_params(), Span(qcl), proof.sq, tr, &sc); !v) return v.within("layer norm: d d");
  std::vector<ClaimT<F>> dcl = std::move(nc.a);
  for (auto* v : {&sc.a, &sc.b})
    for (auto& c : *v) dcl.push_back(std::move(c));
  const PaddedShape xs(params.dims);
  ClaimT<F> one;
  if (Verdict v = verify_combine_as<F>(xs.num_vars(), Span(dcl), proof.combine, tr, &one); !v) return v.within("layer norm: d claims");
  ElementwiseClaimsT<F> dc;
  if (Verdict v = verify_elementwise_as<F>(params.sub_params(), Span(&one, 1), proof.sub, tr, &dc); !v)
    return v.within("layer norm: x - mean");
  if (Verdict v = verify_bound_as<F>(params.mu_bound(), Span(dc.b), proof.mu_bound, tr, &adv); !v) return v.within("layer norm: mean bound");
  append(sl, &res.advice, std::move(adv), off[1]);
  std::vector<ClaimT<F>> xm;
  if (Verdict v = verify_reduce_as<F>(params.mean_params(), Span(dc.b), proof.mean, tr, &xm, &adv); !v) return v.within("layer norm: mean");
  append(sl, &res.advice, std::move(adv), off[0]);
  res.x = std::move(dc.a);
  for (auto& c : xm) res.x.push_back(std::move(c));
  *out = std::move(res);
  return Verdict::accept();
}

template Verdict verify_layer_norm_as<Fr>(const LayerNormParams&, std::span<const Claim>, const LayerNormProof&,
                                          transcript::Transcript&, LayerNormClaims*);
template Verdict verify_layer_norm_as<snark::CFr>(const LayerNormParams&, std::span<const ClaimT<snark::CFr>>,
                                                  const LayerNormProofT<snark::CFr>&, transcript::Transcript&,
                                                  LayerNormClaimsT<snark::CFr>*);

Verdict verify_layer_norm(const LayerNormParams& params, std::span<const Claim> out_claims, const LayerNormProof& proof,
                          transcript::Transcript& tr, LayerNormClaims* out) {
  return verify_layer_norm_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
