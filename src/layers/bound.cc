// Bound check (bound.h): digits of v = y + 2^bits I, claims checked against them, optional
// zero-check of v on the padding entries.
#include "layers/bound.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::indicator_mle;
using detail::pow2_fr;

namespace {

bool has_padding(const PaddedShape& s) { return s.size() != s.unpadded_size(); }

template <class F>
sumcheck::Composition<F> padding_zero_check() { return sumcheck::Composition<F>::product(3); }

// The proof layout of one digit range check of 2^n values into [0, 2^bits) (rescale.h).

}  // namespace

std::optional<std::string> bound_invalid(const BoundParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.bits < 1 || p.bits > 60) return std::string("bit bound out of range [1, 60]");
  if (p.first_log > 0) {
    if (p.dims.empty() || p.first_log > 40) return std::string("first dimension's padding out of range");
    size_t vars = p.first_log;
    for (size_t i = 1; i < p.dims.size(); ++i) vars += ceil_log2(p.dims[i]);
    if (vars > 40) return std::string("tensor has more than 2^40 padded entries");
  }
  return std::nullopt;
}

PaddedShape bound_shape(const BoundParams& p) {
  return p.first_log > 0 ? PaddedShape(p.dims, p.first_log) : PaddedShape(p.dims);
}

BoundProver::BoundProver(const BoundParams& params, std::span<const int64_t> y, std::span<const int64_t> forced_v)
    : params_(params), shape_(bound_shape(params)) {
  ZKINFER_CHECK(!bound_invalid(params));
  if (!forced_v.empty()) {
    ZKINFER_CHECK(forced_v.size() == shape_.size());
    v_.assign(forced_v.begin(), forced_v.end());
  } else {
    ZKINFER_CHECK(y.size() == shape_.unpadded_size());
    std::vector<int64_t> shifted(y.begin(), y.end());
    for (auto& x : shifted) x += int64_t{1} << params.bits;
    v_ = detail::padded_i64(shape_, shifted);
  }
  range_ = nl_.add_range("bound", v_, params.bits + 1);
}

NonlinearProof BoundProver::prove(std::span<const Claim> claims, transcript::Transcript& tr,
                                  std::vector<AdviceClaim>* advice_claims) {
  detail::absorb_claims(tr, "bound.claim", claims);
  for (const Claim& c : claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    nl_.send_range_eval(range_, c.point, tr);
  }
  if (params_.zero_padding && has_padding(shape_)) {
    const size_t n = shape_.num_vars();
    const auto tau = tr.challenges<Fr>("bound.tau", n);
    std::vector<Fr> pad(shape_.size()), v(shape_.size());
    std::vector<int64_t> ones(shape_.unpadded_size(), 1);
    auto ind = detail::padded_i64(shape_, ones);
    for (size_t i = 0; i < pad.size(); ++i) {
      pad[i] = Fr::from_i64(1 - ind[i]);
      v[i] = Fr::from_i64(v_[i]);
    }
    auto res = sumcheck::prove_with_eq<Fr>(padding_zero_check<Fr>(), tau, {{}, std::move(pad), std::move(v)}, tr);
    nl_.proof.sumchecks.push_back(std::move(res.proof));
    nl_.send_range_eval(range_, res.point, tr);
  }
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> bound_advice_shapes(const BoundParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  nv.add_range("bound", bound_shape(params).num_vars(), params.bits + 1);
  return nv.advice;
}

ProofLayout bound_proof_layout(const BoundParams& params, size_t num_claims) {
  ProofLayout l;
  const PaddedShape s = bound_shape(params);
  const bool zc = params.zero_padding && has_padding(s);
  l.num_evals = (num_claims + (zc ? 1 : 0)) * range_eval_count(s.num_vars(), params.bits + 1);
  append_range_layout(l, s.num_vars(), params.bits + 1);
  if (zc) l.sumchecks.push_back({s.num_vars(), 3, 3});
  return l;
}

template <field::PrimeField F>
Verdict verify_bound_as(const BoundParams& params, std::span<const ClaimT<F>> claims, const NonlinearProofT<F>& proof,
                        transcript::Transcript& tr, std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bound_invalid(params)) return Verdict::reject("bound: " + *why);
  const PaddedShape shape = bound_shape(params);
  const size_t n = shape.num_vars();
  for (const auto& c : claims)
    if (c.point.size() != n) return Verdict::reject("bound: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const size_t id = nv.add_range("bound", n, params.bits + 1);
  detail::absorb_claims(tr, "bound.claim", claims);
  const F off = F(pow2_fr(params.bits));
  for (size_t i = 0; i < claims.size(); ++i) {
    M v{};
    if (!nv.recv_range_eval(id, claims[i].point, tr, &v))
      return Verdict::reject("bound: claim " + std::to_string(i) + ": missing evaluations");
    if (claims[i].value != v - off * indicator_mle(shape, claims[i].point))
      return Verdict::reject("bound: claim " + std::to_string(i) + ": value differs from its range-checked digits");
  }
  if (params.zero_padding && has_padding(shape)) {
    const auto tau = tr.challenges<F>("bound.tau", n);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = nv.verify_zero_check(padding_zero_check<F>(), n, tau, tr, &sub, "bound: padding zero-check"); !v) return v;
    if (sub.final_evals[1] != M(F::one() - indicator_mle(shape, sub.point)))
      return Verdict::reject("bound: padding zero-check: padding indicator mismatch");
    M v{};
    if (!nv.recv_range_eval(id, sub.point, tr, &v)) return Verdict::reject("bound: padding zero-check: missing evaluation");
    if (v != sub.final_evals[2]) return Verdict::reject("bound: padding zero-check: v(rho) differs from its digits");
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("bound");
  if (Verdict v = nv.finished(); !v) return v.within("bound");
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_bound_as<Fr>(const BoundParams&, std::span<const Claim>, const NonlinearProof&,
                                     transcript::Transcript&, std::vector<AdviceClaim>*);
template Verdict verify_bound_as<snark::CFr>(const BoundParams&, std::span<const ClaimT<snark::CFr>>,
                                             const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                             std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_bound(const BoundParams& params, std::span<const Claim> claims, const NonlinearProof& proof,
                     transcript::Transcript& tr, std::vector<AdviceClaim>* advice_claims) {
  return verify_bound_as<Fr>(params, claims, proof, tr, advice_claims);
}

}  // namespace zkinfer::layers
