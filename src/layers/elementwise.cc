// Elementwise Add / Sub / Mul with scale alignment and rescale. See elementwise.h and
// docs/protocol/nonlinear.md, section 6.
#include "layers/elementwise.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::pow2_fr;

namespace {
using Op = ElementwiseParams::Op;
const std::vector<size_t>& dims_or(const std::vector<size_t>& d, const ElementwiseParams& p) {
  return d.empty() ? p.dims : d;
}
std::optional<std::string> bad_operand(const std::vector<size_t>& d, const ElementwiseParams& p, const char* name) {
  if (d.empty()) return std::nullopt;
  if (d.size() != p.dims.size()) return std::string(name) + ": rank differs from the output's";
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] != p.dims[i] && d[i] != 1) return std::string(name) + ": dimension neither the output's nor 1";
  return std::nullopt;
}
std::optional<std::string> bad_params(const ElementwiseParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.ea > 40 || p.eb > 40) return std::string("alignment exponent above 40");
  if (p.shift > 61 || p.shift < -40) return std::string("shift out of range [-40, 61]");
  if (p.out_bits > 60) return std::string("out_bits above 60");
  if (auto why = bad_operand(p.a_dims, p, "a")) return why;
  if (auto why = bad_operand(p.b_dims, p, "b")) return why;
  if (auto why = bad_operand(p.c_dims, p, "c")) return why;
  if (p.op != Op::kAffine && !p.c_dims.empty()) return std::string("c given for a two-operand op");
  return std::nullopt;
}
RescaleParams rescale_params(const ElementwiseParams& p) {
  return {p.dims, static_cast<size_t>(p.shift), p.out_bits};
}
template <class F = Fr>
sumcheck::Composition<F> mul_comp() {
  using T = sumcheck::Term<F>;
  return sumcheck::Composition<F>(3, {T{F::one(), {0, 1, 2}}});
}
bool uses_sumcheck(const ElementwiseParams& p) { return p.op == Op::kMul || p.op == Op::kAffine; }

std::vector<Fr> fr_padded(const PaddedShape& s, std::span<const int64_t> v) { return padded_table(s, v); }
// value / k, or zero when k is zero (the verifier rejects such points).
cp::Val div_or_zero(const cp::Val& value, const Fr& k) { return k.is_zero() ? cp::Val() : value * k.inverse(); }
}  // namespace

template <>
void ElementwiseProofT<Fr>::serialize(ByteWriter& w) const {
  rescale.serialize(w);
  for (const auto& e : a_evals) cp::write(w, e);
  for (const auto& s : mul) s.serialize(w);
}

template <field::PrimeField F>
ElementwiseProofT<F> ElementwiseProofT<F>::deserialize(ByteReader& r, const ElementwiseParams& p, size_t num_claims) {
  if (bad_params(p)) r.fail("elementwise: bad parameters");
  if (num_claims > 1024) r.fail("elementwise: too many claims");
  ElementwiseProofT<F> out;
  if (p.shift > 0) out.rescale = deserialize_proof<F>(r, rescale_proof_layout(rescale_params(p), num_claims));
  const size_t n = PaddedShape(p.dims).num_vars();
  if (p.op != Op::kMul) {
    for (size_t i = 0; i < num_claims; ++i) out.a_evals.push_back(sumcheck::read_msg<F>(r));
  }
  if (uses_sumcheck(p))
    for (size_t i = 0; i < num_claims; ++i) out.mul.push_back(sumcheck::Proof<F>::deserialize(r, n, 2, 3));  // eq-sumcheck: 2 values a round
  return out;
}
template ElementwiseProofT<Fr> ElementwiseProofT<Fr>::deserialize(ByteReader&, const ElementwiseParams&, size_t);
template ElementwiseProofT<snark::CFr> ElementwiseProofT<snark::CFr>::deserialize(ByteReader&, const ElementwiseParams&,
                                                                                  size_t);

ElementwiseProver::ElementwiseProver(const ElementwiseParams& params, std::span<const int64_t> a,
                                     std::span<const int64_t> b, std::span<const int64_t> c)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("elementwise: " + *why);
  shape_ = PaddedShape(params.dims);
  as_ = PaddedShape(dims_or(params.a_dims, params));
  bs_ = PaddedShape(dims_or(params.b_dims, params));
  cs_ = PaddedShape(dims_or(params.c_dims, params));
  const bool affine = params.op == Op::kAffine;
  if (a.size() != as_.unpadded_size() || b.size() != bs_.unpadded_size() ||
      (affine ? c.size() != cs_.unpadded_size() : !c.empty()))
    throw Error("elementwise: tensor sizes do not match the shapes");
  a0_.assign(a.begin(), a.end());
  c0_.assign(c.begin(), c.end());
  a_ = broadcast_values(a, as_.dims(), params.dims);
  b_ = broadcast_values(b, bs_.dims(), params.dims);
  if (affine) c_ = broadcast_values(c, cs_.dims(), params.dims);
  s_.resize(a_.size());
  for (size_t i = 0; i < a_.size(); ++i) {
    switch (params.op) {
      case Op::kAdd: s_[i] = a_[i] * (int64_t{1} << params.ea) + b_[i] * (int64_t{1} << params.eb); break;
      case Op::kSub: s_[i] = a_[i] * (int64_t{1} << params.ea) - b_[i] * (int64_t{1} << params.eb); break;
      case Op::kMul: s_[i] = a_[i] * b_[i]; break;
      case Op::kAffine: s_[i] = a_[i] * b_[i] + c_[i]; break;
    }
  }
  if (params.shift > 0) {
    rescale_ = std::make_unique<RescaleProver>(rescale_params(params), s_);
    y_ = rescale_->output();
  } else {
    y_ = s_;
    for (auto& v : y_) v *= int64_t{1} << (-params.shift);
  }
}

const std::vector<LayerAdvice>& ElementwiseProver::advice() const { return rescale_ ? rescale_->advice() : none_; }

ElementwiseProof ElementwiseProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                          ElementwiseClaims* out) {
  ElementwiseProof proof;
  *out = {};
  absorb_claims(tr, "elementwise.claim", out_claims);
  std::vector<Claim> sc;
  if (rescale_) {
    proof.rescale = rescale_->prove(out_claims, tr, &sc, &out->advice);
  } else {
    const Fr inv = pow2_fr(static_cast<size_t>(-params_.shift)).inverse();
    for (const Claim& c : out_claims) sc.push_back({c.point, c.value * inv});
  }
  const auto at = fr_padded(shape_, a_), bt = fr_padded(shape_, b_);
  const auto& ad = as_.dims();
  const auto& bd = bs_.dims();
  for (const Claim& c : sc) {
    if (params_.op == Op::kMul || params_.op == Op::kAffine) {
      cp::Val target = c.value;
      if (params_.op == Op::kAffine) {
        const auto zc = broadcast_point(shape_, cs_.dims(), c.point);
        const cp::Val cv = cp::send(tr, poly::evaluate_mle<Fr>(fr_padded(cs_, c0_), zc));
        tr.absorb("elementwise.a_eval", cv);
        proof.a_evals.push_back(cv);
        out->c.push_back({zc, cv});
        target -= broadcast_factor(shape_, cs_.dims(), c.point) * cv;
      }
      (void)target;
      auto res = sumcheck::prove_with_eq<Fr>(mul_comp(), c.point, {{}, at, bt}, tr);
      out->a.push_back({broadcast_point(shape_, ad, res.point),
                        div_or_zero(res.proof.final_evals[1], broadcast_factor(shape_, ad, res.point))});
      out->b.push_back({broadcast_point(shape_, bd, res.point),
                        div_or_zero(res.proof.final_evals[2], broadcast_factor(shape_, bd, res.point))});
      proof.mul.push_back(std::move(res.proof));
    } else {
      const auto za = broadcast_point(shape_, ad, c.point);
      const cp::Val av = cp::send(tr, poly::evaluate_mle<Fr>(fr_padded(as_, a0_), za));
      tr.absorb("elementwise.a_eval", av);
      proof.a_evals.push_back(av);
      const Fr ka = broadcast_factor(shape_, ad, c.point), kb = broadcast_factor(shape_, bd, c.point);
      cp::Val bv = div_or_zero(c.value - pow2_fr(params_.ea) * ka * av, pow2_fr(params_.eb) * kb);
      if (params_.op == Op::kSub) bv = -bv;
      out->a.push_back({za, av});
      out->b.push_back({broadcast_point(shape_, bd, c.point), bv});
    }
  }
  return proof;
}

std::vector<AdviceShape> elementwise_advice_shapes(const ElementwiseParams& params) {
  if (params.shift <= 0) return {};
  return rescale_advice_shapes(rescale_params(params));
}

template <field::PrimeField F>
Verdict verify_elementwise_as(const ElementwiseParams& params, std::span<const ClaimT<F>> out_claims,
                              const ElementwiseProofT<F>& proof, transcript::Transcript& tr, ElementwiseClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("elementwise: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  const auto& ad = dims_or(params.a_dims, params);
  const auto& bd = dims_or(params.b_dims, params);
  const auto& cd = dims_or(params.c_dims, params);
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("elementwise: claim point has the wrong size");
  ElementwiseClaimsT<F> res;
  absorb_claims(tr, "elementwise.claim", out_claims);
  std::vector<ClaimT<F>> sc;
  if (params.shift > 0) {
    if (Verdict v = verify_rescale_as<F>(rescale_params(params), out_claims, proof.rescale, tr, &sc, &res.advice); !v)
      return v.within("elementwise");
  } else {
    if (!proof.rescale.evals.empty() || !proof.rescale.lookups.empty() || !proof.rescale.multiplicities.empty())
      return Verdict::reject("elementwise: unexpected rescale proof");
    const F inv = F(pow2_fr(static_cast<size_t>(-params.shift)).inverse());
    for (const ClaimT<F>& c : out_claims) sc.push_back({c.point, c.value * inv});
  }
  const bool sum = uses_sumcheck(params);
  if (proof.mul.size() != (sum ? sc.size() : 0) || proof.a_evals.size() != (params.op == Op::kMul ? 0 : sc.size()))
    return Verdict::reject("elementwise: wrong number of sumchecks or operand evaluations");
  for (size_t i = 0; i < sc.size(); ++i) {
    const std::string where = "elementwise: claim " + std::to_string(i);
    if (sum) {
      M target = sc[i].value;
      if (params.op == Op::kAffine) {
        const M cv = proof.a_evals[i];
        tr.absorb("elementwise.a_eval", cv);
        res.c.push_back({broadcast_point(shape, cd, sc[i].point), cv});
        target -= broadcast_factor(shape, cd, sc[i].point) * cv;
      }
      sumcheck::Subclaim<F> sub;
      if (Verdict v = sumcheck::verify_with_eq<F>(mul_comp<F>(), sc[i].point, target, proof.mul[i], tr, &sub); !v)
        return v.within(params.op == Op::kMul ? "elementwise: mul: claim " + std::to_string(i) : where + ": product");
      if (sub.final_evals[0] != M(poly::eq_eval<F>(sc[i].point, sub.point)))
        return Verdict::reject("elementwise: mul: claim " + std::to_string(i) + ": eq(z, rho) mismatch");
      const F ka = broadcast_factor(shape, ad, sub.point), kb = broadcast_factor(shape, bd, sub.point);
      // Over snark::CFr a non-constant K's is_zero() is constrained (an honest proof's K is nonzero
      // but with probability <= (#vars)/|F|).
      if (ka.is_zero() || kb.is_zero()) return Verdict::reject(where + ": degenerate point (broadcast factor 0)");
      res.a.push_back({broadcast_point(shape, ad, sub.point), sub.final_evals[1] * ka.inverse()});
      res.b.push_back({broadcast_point(shape, bd, sub.point), sub.final_evals[2] * kb.inverse()});
    } else {
      const M av = proof.a_evals[i];
      tr.absorb("elementwise.a_eval", av);
      const F ka = broadcast_factor(shape, ad, sc[i].point), kb = broadcast_factor(shape, bd, sc[i].point);
      if (kb.is_zero()) return Verdict::reject(where + ": degenerate point (broadcast factor 0)");
      M bv = (sc[i].value - F(pow2_fr(params.ea)) * ka * av) * (F(pow2_fr(params.eb)) * kb).inverse();
      if (params.op == Op::kSub) bv = -bv;
      res.a.push_back({broadcast_point(shape, ad, sc[i].point), av});
      res.b.push_back({broadcast_point(shape, bd, sc[i].point), bv});
    }
  }
  *out = std::move(res);
  return Verdict::accept();
}

template Verdict verify_elementwise_as<Fr>(const ElementwiseParams&, std::span<const Claim>, const ElementwiseProof&,
                                           transcript::Transcript&, ElementwiseClaims*);
template Verdict verify_elementwise_as<snark::CFr>(const ElementwiseParams&, std::span<const ClaimT<snark::CFr>>,
                                                   const ElementwiseProofT<snark::CFr>&, transcript::Transcript&,
                                                   ElementwiseClaimsT<snark::CFr>*);

Verdict verify_elementwise(const ElementwiseParams& params, std::span<const Claim> out_claims,
                           const ElementwiseProof& proof, transcript::Transcript& tr, ElementwiseClaims* out) {
  return verify_elementwise_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
