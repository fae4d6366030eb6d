// Softmax by composition (softmax.h; docs/protocol/nonlinear.md, section 12).
#include "layers/softmax.h"

#include <algorithm>
#include <bit>

#include "common/check.h"

namespace zkinfer::layers {

namespace {

size_t count_of(const SoftmaxParams& p) {
  size_t k = 1;
  for (size_t d = 0; d < p.dims.size() && d < p.axes.size(); ++d)
    if (p.axes[d]) k *= p.dims[d];
  return k;
}
int64_t table_max(const SoftmaxParams& p) {
  int64_t v = 0;
  for (int64_t x : p.values) v = std::max(v, x);
  return v;
}
size_t sum_bits(const SoftmaxParams& p) {
  const uint64_t top = static_cast<uint64_t>(count_of(p)) * static_cast<uint64_t>(std::max<int64_t>(table_max(p), 1));
  return static_cast<size_t>(std::bit_width(top));
}
std::vector<size_t> row_dims(const SoftmaxParams& p) {
  std::vector<size_t> o = p.dims;
  for (size_t d = 0; d < o.size() && d < p.axes.size(); ++d)
    if (p.axes[d]) o[d] = 1;
  return o;
}
template <class F>
std::vector<AdviceClaimT<F>> shifted(std::vector<AdviceClaimT<F>> v, size_t off) {
  for (auto& c : v) c.advice += off;
  return v;
}

}  // namespace

ReduceParams SoftmaxParams::max_params() const {
  ReduceParams r;
  r.op = ReduceParams::Op::kMax;
  r.dims = dims;
  r.axes = axes;
  r.bits = bits;
  return r;
}
ElementwiseParams SoftmaxParams::sub_params() const {
  ElementwiseParams e;
  e.op = ElementwiseParams::Op::kSub;
  e.dims = dims;
  e.a_dims = dims;
  e.b_dims = row_dims(*this);
  return e;
}
TableActParams SoftmaxParams::act_params() const {
  TableActParams t;
  t.dims = dims;
  t.shift = shift;
  const size_t db = bits + 1;  // |x - max| < 2^(bits+1)
  t.excess_bits = std::max<size_t>(1, db + 1 - std::min(shift, db));
  t.lo = lo;
  t.values = values;
  return t;
}
ReduceParams SoftmaxParams::sum_params() const {
  ReduceParams r;
  r.op = ReduceParams::Op::kSum;
  r.dims = dims;
  r.axes = axes;
  return r;
}
DivParams SoftmaxParams::div_params() const {
  DivParams d;
  d.dims = dims;
  d.a_dims = dims;
  d.b_dims = row_dims(*this);
  d.ea = out_scale;
  d.q_bits = q_bits;
  d.d_bits = sum_bits(*this);
  return d;
}

std::optional<std::string> SoftmaxParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (axes.size() != dims.size()) return std::string("axes mask size differs from the rank");
  if (bits < 1 || bits > 58) return std::string("bit bound out of range [1, 58]");
  if (shift > 40 || out_scale > 40) return std::string("shift or output scale above 40");
  if (values.empty() || table_max(*this) < 1) return std::string("empty exp table");
  if (sum_bits(*this) > 40) return std::string("row sum above 2^40");
  if (auto why = max_params().invalid()) return "max: " + *why;
  if (auto why = div_params().invalid()) return "division: " + *why;
  return std::nullopt;
}

template <>
void SoftmaxProofT<Fr>::serialize(ByteWriter& w) const {
  div.serialize(w);
  sum.serialize(w);
  combine.serialize(w);
  act.serialize(w);
  sub.serialize(w);
  max.serialize(w);
}

template <field::PrimeField F>
SoftmaxProofT<F> SoftmaxProofT<F>::deserialize(ByteReader& r, const SoftmaxParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("softmax: bad parameters");
  if (num_claims > 256) r.fail("softmax: too many claims");
  SoftmaxProofT<F> out;
  out.div = DivProofT<F>::deserialize(r, p.div_params(), num_claims);
  out.sum = ReduceProofT<F>::deserialize(r, p.sum_params(), 2 * num_claims);
  out.combine = CombineProofT<F>::deserialize(r, PaddedShape(p.dims).num_vars(), 3 * num_claims);
  out.act = deserialize_proof<F>(r, table_act_proof_layout(p.act_params(), 1));
  out.sub = ElementwiseProofT<F>::deserialize(r, p.sub_params(), 1);
  out.max = ReduceProofT<F>::deserialize(r, p.max_params(), 1);
  return out;
}
template SoftmaxProofT<Fr> SoftmaxProofT<Fr>::deserialize(ByteReader&, const SoftmaxParams&, size_t);
template SoftmaxProofT<snark::CFr> SoftmaxProofT<snark::CFr>::deserialize(ByteReader&, const SoftmaxParams&, size_t);

SoftmaxProver::SoftmaxProver(const SoftmaxParams& params, std::span<const int64_t> x) : params_(params) {
  if (auto why = params.invalid()) throw Error("softmax: " + *why);
  max_ = std::make_unique<ReduceProver>(params.max_params(), x);
  sub_ = std::make_unique<ElementwiseProver>(params.sub_params(), x, max_->output());
  act_ = std::make_unique<TableActProver>(params.act_params(), sub_->output());
  e_ = act_->output();
  sum_ = std::make_unique<ReduceProver>(params.sum_params(), e_);
  div_ = std::make_unique<DivProver>(params.div_params(), e_, sum_->output());
  for (const auto* v : {&max_->advice(), &act_->advice(), &div_->advice()}) advice_.insert(advice_.end(), v->begin(), v->end());
}

SoftmaxProof SoftmaxProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                  std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  SoftmaxProof proof;
  const size_t off_act = max_->advice().size(), off_div = off_act + act_->advice().size();
  in_claims->clear();
  advice_claims->clear();
  detail::SubLayerLookups sl(tr, false);
  auto add_adv = [&](std::vector<AdviceClaim> v, size_t off) {
    sl.shift(off);
    for (auto& c : shifted(std::move(v), off)) advice_claims->push_back(std::move(c));
  };
  DivClaims dc;
  proof.div = div_->prove(out_claims, tr, &dc);
  add_adv(std::move(dc.advice), off_div);
  std::vector<Claim> ec = std::move(dc.a), sc;
  std::vector<AdviceClaim> adv;
  proof.sum = sum_->prove(dc.b, tr, &sc, &adv);
  ZKINFER_CHECK(adv.empty());
  for (auto& c : sc) ec.push_back(std::move(c));
  const PaddedShape xs(params_.dims);
  const Claim one = prove_combine(padded_table(xs, e_), xs.num_vars(), ec, tr, &proof.combine);
  std::vector<Claim> dcl;
  proof.act = act_->prove(std::span<const Claim>(&one, 1), tr, &dcl, &adv);
  add_adv(std::move(adv), off_act);
  ElementwiseClaims sub;
  proof.sub = sub_->prove(dcl, tr, &sub);
  ZKINFER_CHECK(sub.advice.empty());
  std::vector<Claim> xm;
  proof.max = max_->prove(sub.b, tr, &xm, &adv);
  add_adv(std::move(adv), 0);
  *in_claims = std::move(sub.a);
  for (auto& c : xm) in_claims->push_back(std::move(c));
  return proof;
}

std::vector<AdviceShape> softmax_advice_shapes(const SoftmaxParams& params) {
  if (auto why = params.invalid()) throw Error("softmax: " + *why);
  std::vector<AdviceShape> out = reduce_advice_shapes(params.max_params());
  for (const auto& v : {table_act_advice_shapes(params.act_params()), div_advice_shapes(params.div_params())})
    out.insert(out.end(), v.begin(), v.end());
  return out;
}

template <field::PrimeField F>
Verdict verify_softmax_as(const SoftmaxParams& params, std::span<const ClaimT<F>> out_claims, const SoftmaxProofT<F>& proof,
                          transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                          std::vector<AdviceClaimT<F>>* advice_claims) {
  using Claims = std::vector<ClaimT<F>>;
  using Span = std::span<const ClaimT<F>>;
  if (auto why = params.invalid()) return Verdict::reject("softmax: " + *why);
  const size_t off_act = reduce_advice_shapes(params.max_params()).size();
  const size_t off_div = off_act + table_act_advice_shapes(params.act_params()).size();
  std::vector<AdviceClaimT<F>> advs;
  detail::SubLayerLookupsT<F> sl(tr, true);
  auto add_adv = [&](std::vector<AdviceClaimT<F>> v, size_t off) {
    sl.shift(off);
    for (auto& c : shifted<F>(std::move(v), off)) advs.push_back(std::move(c));
  };
  DivClaimsT<F> dc;
  if (Verdict v = verify_div_as<F>(params.div_params(), out_claims, proof.div, tr, &dc); !v) return v.within("softmax");
  add_adv(std::move(dc.advice), off_div);
  Claims ec = std::move(dc.a), sc;
  std::vector<AdviceClaimT<F>> adv;
  if (Verdict v = verify_reduce_as<F>(params.sum_params(), Span(dc.b), proof.sum, tr, &sc, &adv); !v)
    return v.within("softmax: row sum");
  if (!adv.empty()) return Verdict::reject("softmax: row sum: unexpected advice claims");
  for (auto& c : sc) ec.push_back(std::move(c));
  const PaddedShape xs(params.dims);
  ClaimT<F> one;
  if (Verdict v = verify_combine_as<F>(xs.num_vars(), Span(ec), proof.combine, tr, &one); !v)
    return v.within("softmax: exp claims");
  Claims dcl;
  if (Verdict v = verify_table_act_as<F>(params.act_params(), Span(&one, 1), proof.act, tr, &dcl, &adv); !v)
    return v.within("softmax: exp table");
  add_adv(std::move(adv), off_act);
  ElementwiseClaimsT<F> sub;
  if (Verdict v = verify_elementwise_as<F>(params.sub_params(), Span(dcl), proof.sub, tr, &sub); !v)
    return v.within("softmax: x - max");
  Claims xm;
  if (Verdict v = verify_reduce_as<F>(params.max_params(), Span(sub.b), proof.max, tr, &xm, &adv); !v)
    return v.within("softmax: row max");
  add_adv(std::move(adv), 0);
  *in_claims = std::move(sub.a);
  for (auto& c : xm) in_claims->push_back(std::move(c));
  *advice_claims = std::move(advs);
  return Verdict::accept();
}

template Verdict verify_softmax_as<Fr>(const SoftmaxParams&, std::span<const Claim>, const SoftmaxProof&,
                                       transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_softmax_as<snark::CFr>(const SoftmaxParams&, std::span<const ClaimT<snark::CFr>>,
                                               const SoftmaxProofT<snark::CFr>&, transcript::Transcript&,
                                               std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_softmax(const SoftmaxParams& params, std::span<const Claim> out_claims, const SoftmaxProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_softmax_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
