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
std::optional<std::string> bad_params(const ElementwiseParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.ea > 40 || p.eb > 40) return std::string("alignment exponent above 40");
  if (p.shift > 61 || p.shift < -40) return std::string("shift out of range [-40, 61]");
  if (p.out_bits > 60) return std::string("out_bits above 60");
  return std::nullopt;
}
RescaleParams rescale_params(const ElementwiseParams& p) {
  return {p.dims, static_cast<size_t>(p.shift), p.out_bits};
}
sumcheck::Composition<Fr> mul_comp() {
  using T = sumcheck::Term<Fr>;
  return sumcheck::Composition<Fr>(3, {T{Fr::one(), {0, 1, 2}}});
}
std::vector<Fr> fr_padded(const PaddedShape& s, std::span<const int64_t> v) { return padded_table(s, v); }
}  // namespace

void ElementwiseProof::serialize(ByteWriter& w) const {
  rescale.serialize(w);
  for (const Fr& e : a_evals) sumcheck::write_field(w, e);
  for (const auto& s : mul) s.serialize(w);
}

ElementwiseProof ElementwiseProof::deserialize(ByteReader& r, const ElementwiseParams& p, size_t num_claims) {
  if (bad_params(p)) r.fail("elementwise: bad parameters");
  if (num_claims > 1024) r.fail("elementwise: too many claims");
  ElementwiseProof out;
  if (p.shift > 0) out.rescale = deserialize_proof(r, rescale_proof_layout(rescale_params(p), num_claims));
  const size_t n = PaddedShape(p.dims).num_vars();
  if (p.op == ElementwiseParams::Op::kMul) {
    for (size_t i = 0; i < num_claims; ++i) out.mul.push_back(sumcheck::Proof<Fr>::deserialize(r, n, 3, 3));
  } else {
    out.a_evals.resize(num_claims);
    for (Fr& e : out.a_evals) e = sumcheck::read_field<Fr>(r);
  }
  return out;
}

ElementwiseProver::ElementwiseProver(const ElementwiseParams& params, std::span<const int64_t> a,
                                     std::span<const int64_t> b)
    : params_(params), a_(a.begin(), a.end()), b_(b.begin(), b.end()) {
  if (auto why = bad_params(params)) throw Error("elementwise: " + *why);
  shape_ = PaddedShape(params.dims);
  if (a.size() != shape_.unpadded_size() || b.size() != a.size())
    throw Error("elementwise: tensor sizes do not match the shape");
  s_.resize(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    switch (params.op) {
      case ElementwiseParams::Op::kAdd: s_[i] = a[i] * (int64_t{1} << params.ea) + b[i] * (int64_t{1} << params.eb); break;
      case ElementwiseParams::Op::kSub: s_[i] = a[i] * (int64_t{1} << params.ea) - b[i] * (int64_t{1} << params.eb); break;
      case ElementwiseParams::Op::kMul: s_[i] = a[i] * b[i]; break;
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
  for (const Claim& c : sc) {
    if (params_.op == ElementwiseParams::Op::kMul) {
      auto res = sumcheck::prove_with_eq<Fr>(mul_comp(), c.point, {{}, at, bt}, tr);
      out->a.push_back({res.point, res.final_evals[1]});
      out->b.push_back({res.point, res.final_evals[2]});
      proof.mul.push_back(std::move(res.proof));
    } else {
      const Fr av = poly::evaluate_mle<Fr>(at, c.point);
      tr.absorb("elementwise.a_eval", av);
      proof.a_evals.push_back(av);
      Fr bv = (c.value - pow2_fr(params_.ea) * av) * pow2_fr(params_.eb).inverse();
      if (params_.op == ElementwiseParams::Op::kSub) bv = -bv;
      out->a.push_back({c.point, av});
      out->b.push_back({c.point, bv});
    }
  }
  return proof;
}

std::vector<AdviceShape> elementwise_advice_shapes(const ElementwiseParams& params) {
  if (params.shift <= 0) return {};
  return rescale_advice_shapes(rescale_params(params));
}

Verdict verify_elementwise(const ElementwiseParams& params, std::span<const Claim> out_claims,
                           const ElementwiseProof& proof, transcript::Transcript& tr, ElementwiseClaims* out) {
  if (auto why = bad_params(params)) return Verdict::reject("elementwise: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("elementwise: claim point has the wrong size");
  ElementwiseClaims res;
  absorb_claims(tr, "elementwise.claim", out_claims);
  std::vector<Claim> sc;
  if (params.shift > 0) {
    if (Verdict v = verify_rescale(rescale_params(params), out_claims, proof.rescale, tr, &sc, &res.advice); !v)
      return v.within("elementwise");
  } else {
    if (!proof.rescale.evals.empty() || !proof.rescale.lookups.empty())
      return Verdict::reject("elementwise: unexpected rescale proof");
    const Fr inv = pow2_fr(static_cast<size_t>(-params.shift)).inverse();
    for (const Claim& c : out_claims) sc.push_back({c.point, c.value * inv});
  }
  if (params.op == ElementwiseParams::Op::kMul) {
    if (proof.mul.size() != sc.size() || !proof.a_evals.empty())
      return Verdict::reject("elementwise: mul: wrong number of sumchecks");
    for (size_t i = 0; i < sc.size(); ++i) {
      sumcheck::Subclaim<Fr> sub;
      if (Verdict v = sumcheck::verify<Fr>(mul_comp(), n, sc[i].value, proof.mul[i], tr, &sub); !v)
        return v.within("elementwise: mul: claim " + std::to_string(i));
      if (sub.final_evals[0] != poly::eq_eval<Fr>(sc[i].point, sub.point))
        return Verdict::reject("elementwise: mul: claim " + std::to_string(i) + ": eq(z, rho) mismatch");
      res.a.push_back({sub.point, sub.final_evals[1]});
      res.b.push_back({sub.point, sub.final_evals[2]});
    }
  } else {
    if (proof.a_evals.size() != sc.size() || !proof.mul.empty())
      return Verdict::reject("elementwise: wrong number of operand evaluations");
    for (size_t i = 0; i < sc.size(); ++i) {
      const Fr av = proof.a_evals[i];
      tr.absorb("elementwise.a_eval", av);
      Fr bv = (sc[i].value - pow2_fr(params.ea) * av) * pow2_fr(params.eb).inverse();
      if (params.op == ElementwiseParams::Op::kSub) bv = -bv;
      res.a.push_back({sc[i].point, av});
      res.b.push_back({sc[i].point, bv});
    }
  }
  *out = std::move(res);
  return Verdict::accept();
}

}  // namespace zkinfer::layers
