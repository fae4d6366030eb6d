// LeakyRelu with the executor's integer semantics. See leaky_relu.h and
// docs/protocol/nonlinear.md, section 9.
#include "layers/leaky_relu.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::padded_i64;
using detail::pow2_fr;

namespace {

std::optional<std::string> bad_params(const LeakyReluParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.alpha_scale > 40) return std::string("alpha scale above 40");
  if (p.alpha_q > (int64_t{1} << 40) || p.alpha_q < -(int64_t{1} << 40)) return std::string("alpha_q out of range");
  if (p.shift > 61) return std::string("shift above 61");
  if (p.bits < 1 || p.bits > 60) return std::string("bit bound out of range [1, 60]");
  if (p.out_bits > 60) return std::string("out_bits above 60");
  return std::nullopt;
}

template <class F>
sumcheck::Composition<F> zero_check() { return sumcheck::Composition<F>::product(3); }

std::vector<Fr> fr_of(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

struct Ranges {
  size_t pos = 0, neg = 0, rem = 0, out = 0;
};
template <class NL>
Ranges register_ranges(NL& nl, const LeakyReluParams& p, size_t n) {
  Ranges r;
  r.pos = nl.add_range("lrelu.pos", n, p.bits);
  r.neg = nl.add_range("lrelu.neg", n, p.bits);
  if (p.shift > 0) r.rem = nl.add_range("lrelu.rem", n, p.shift);
  if (p.out_bits > 0) r.out = nl.add_range("lrelu.out", n, p.out_bits + 1);
  return r;
}


// t~(z) from y~(z) = v and the remainder.
// Over any field type F (messages sumcheck::Msg<F>).
template <class F>
sumcheck::Msg<F> pre_rescale(size_t k, const sumcheck::Msg<F>& v, const sumcheck::Msg<F>& r, const F& ind) {
  if (k == 0) return v;
  return F(pow2_fr(k)) * v + r - F(pow2_fr(k - 1)) * ind;
}

}  // namespace

LeakyReluProver::LeakyReluProver(const LeakyReluParams& params, std::span<const int64_t> x,
                                 std::span<const int64_t> forced_pos)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("leaky relu: " + *why);
  shape_ = PaddedShape(params.dims);
  if (x.size() != shape_.unpadded_size() || (!forced_pos.empty() && forced_pos.size() != x.size()))
    throw Error("leaky relu: tensor size does not match the shape");
  const size_t N = x.size(), k = params.shift;
  std::vector<int64_t> pos(N), neg(N), rem(N), yo(N);
  y_.resize(N);
  for (size_t i = 0; i < N; ++i) {
    pos[i] = forced_pos.empty() ? (x[i] > 0 ? x[i] : 0) : forced_pos[i];
    neg[i] = pos[i] - x[i];
    // The executor: x >= 0 ? x 2^sa : x alpha_q (for the honest split; a forced split uses it).
    const int64_t t = pos[i] * (int64_t{1} << params.alpha_scale) - neg[i] * params.alpha_q;
    if (k > 0) {
      const int64_t u = t + (int64_t{1} << (k - 1));
      y_[i] = u >> k;
      rem[i] = u - (y_[i] << k);
    } else {
      y_[i] = t;
    }
    yo[i] = y_[i] + (params.out_bits > 0 ? (int64_t{1} << params.out_bits) : 0);
  }
  posp_ = padded_i64(shape_, pos);
  negp_ = padded_i64(shape_, neg);
  r_pos_ = nl_.add_range("lrelu.pos", posp_, params.bits);
  r_neg_ = nl_.add_range("lrelu.neg", negp_, params.bits);
  if (k > 0) r_rem_ = nl_.add_range("lrelu.rem", padded_i64(shape_, rem), k);
  if (params.out_bits > 0) r_out_ = nl_.add_range("lrelu.out", padded_i64(shape_, yo), params.out_bits + 1);
}

NonlinearProof LeakyReluProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                      std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "lrelu.claim", out_claims);
  in_claims->clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    if (params_.out_bits > 0) nl_.send_range_eval(r_out_, c.point, tr);
    const cp::Val r = params_.shift > 0 ? nl_.send_range_eval(r_rem_, c.point, tr) : Fr::zero();
    (void)r;
    const cp::Val p = nl_.send_range_eval(r_pos_, c.point, tr);
    const cp::Val n = nl_.send_range_eval(r_neg_, c.point, tr);
    in_claims->push_back({c.point, p - n});
  }
  const auto tau = tr.challenges<Fr>("lrelu.tau", shape_.num_vars());
  auto res = sumcheck::prove_with_eq<Fr>(zero_check<Fr>(), tau, {{}, fr_of(posp_), fr_of(negp_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  nl_.send_range_eval(r_pos_, res.point, tr);
  nl_.send_range_eval(r_neg_, res.point, tr);
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> leaky_relu_advice_shapes(const LeakyReluParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params, PaddedShape(params.dims).num_vars());
  return nv.advice;
}

ProofLayout leaky_relu_proof_layout(const LeakyReluParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  auto range_evals = [n](size_t bits) { return range_eval_count(n, bits); };
  const size_t per = 2 * range_evals(params.bits) + (params.shift > 0 ? range_evals(params.shift) : 0) +
                     (params.out_bits > 0 ? range_evals(params.out_bits + 1) : 0);
  l.num_evals = num_claims * per + 2 * range_evals(params.bits);
  append_range_layout(l, n, params.bits);
  append_range_layout(l, n, params.bits);
  if (params.shift > 0) append_range_layout(l, n, params.shift);
  if (params.out_bits > 0) append_range_layout(l, n, params.out_bits + 1);
  l.sumchecks.push_back({n, 3, 3});
  return l;
}

template <field::PrimeField F>
Verdict verify_leaky_relu_as(const LeakyReluParams& params, std::span<const ClaimT<F>> out_claims,
                             const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                             std::vector<ClaimT<F>>* in_claims, std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("leaky relu: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("leaky relu: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const Ranges rr = register_ranges(nv, params, n);
  absorb_claims(tr, "lrelu.claim", out_claims);
  const F two_sa = pow2_fr(params.alpha_scale), aq = Fr::from_i64(params.alpha_q);
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "leaky relu: claim " + std::to_string(i);
    const F ind = indicator_mle(shape, c.point);
    M yo, r = F::zero(), p, ng;
    if (params.out_bits > 0) {
      if (!nv.recv_range_eval(rr.out, c.point, tr, &yo)) return Verdict::reject(where + ": missing evaluations");
      if (yo - F(pow2_fr(params.out_bits)) * ind != c.value)
        return Verdict::reject(where + ": output != its range-checked digits");
    }
    if ((params.shift > 0 && !nv.recv_range_eval(rr.rem, c.point, tr, &r)) || !nv.recv_range_eval(rr.pos, c.point, tr, &p) ||
        !nv.recv_range_eval(rr.neg, c.point, tr, &ng))
      return Verdict::reject(where + ": missing evaluations");
    if (two_sa * p - aq * ng != pre_rescale<F>(params.shift, c.value, r, ind))
      return Verdict::reject(where + ": 2^sa pos - alpha neg != the rescale's input");
    ins.push_back({c.point, p - ng});
  }
  const auto tau = tr.challenges<F>("lrelu.tau", n);
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(zero_check<F>(), n, tau, tr, &sub, "leaky relu: zero-check pos . neg = 0"); !v) return v;
  M p, ng;
  if (!nv.recv_range_eval(rr.pos, sub.point, tr, &p) || !nv.recv_range_eval(rr.neg, sub.point, tr, &ng))
    return Verdict::reject("leaky relu: zero-check: missing evaluations");
  if (p != sub.final_evals[1]) return Verdict::reject("leaky relu: zero-check: pos(rho) != its digits");
  if (ng != sub.final_evals[2]) return Verdict::reject("leaky relu: zero-check: neg(rho) != its digits");
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("leaky relu");
  if (Verdict v = nv.finished(); !v) return v.within("leaky relu");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_leaky_relu_as<Fr>(const LeakyReluParams&, std::span<const Claim>, const NonlinearProof&,
                                          transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_leaky_relu_as<snark::CFr>(const LeakyReluParams&, std::span<const ClaimT<snark::CFr>>,
                                                  const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                                  std::vector<ClaimT<snark::CFr>>*,
                                                  std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_leaky_relu(const LeakyReluParams& params, std::span<const Claim> out_claims,
                          const NonlinearProof& proof, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                          std::vector<AdviceClaim>* advice_claims) {
  return verify_leaky_relu_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
