// PRelu with the executor's integer semantics. See prelu.h and docs/protocol/nonlinear.md,
// section 16.
#include "layers/prelu.h"

#include "common/check.h"
#include "layers/layout.h"
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

template <class F>
sumcheck::Composition<F> product3() { return sumcheck::Composition<F>::product(3); }

std::vector<Fr> fr_of(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

struct Ranges {
  size_t pos = 0, neg = 0, rem = 0, out = 0;
};
template <class NL>
Ranges register_ranges(NL& nl, const PReluParams& p, size_t n) {
  Ranges r;
  r.pos = nl.add_range("prelu.pos", n, p.bits);
  r.neg = nl.add_range("prelu.neg", n, p.bits);
  if (p.shift > 0) r.rem = nl.add_range("prelu.rem", n, p.shift);
  if (p.out_bits > 0) r.out = nl.add_range("prelu.out", n, p.out_bits + 1);
  return r;
}

// t~(z) from y~(z) = v and the remainder.
// Over any field type F (messages sumcheck::Msg<F>).
template <class F>
sumcheck::Msg<F> pre_rescale(size_t k, const sumcheck::Msg<F>& v, const sumcheck::Msg<F>& r, const F& ind) {
  if (k == 0) return v;
  return F(pow2_fr(k)) * v + r - F(pow2_fr(k - 1)) * ind;
}

cp::Val div_or_zero(const cp::Val& value, const Fr& k) { return k.is_zero() ? cp::Val() : value * k.inverse(); }

}  // namespace

std::optional<std::string> PReluParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (s_dims.size() != dims.size()) return std::string("slope rank differs from the input's");
  for (size_t d = 0; d < dims.size(); ++d)
    if (s_dims[d] != dims[d] && s_dims[d] != 1) return std::string("slope does not broadcast to the input");
  if (slope_scale > 40) return std::string("slope scale above 40");
  if (shift > 61) return std::string("shift above 61");
  if (bits < 1 || bits > 60) return std::string("bit bound out of range [1, 60]");
  if (out_bits > 60) return std::string("out_bits above 60");
  return std::nullopt;
}

PReluProver::PReluProver(const PReluParams& params, std::span<const int64_t> x, std::span<const int64_t> slope,
                         std::span<const int64_t> forced_pos)
    : params_(params) {
  if (auto why = params.invalid()) throw Error("prelu: " + *why);
  shape_ = PaddedShape(params.dims);
  if (x.size() != shape_.unpadded_size() || slope.size() != PaddedShape(params.s_dims).unpadded_size() ||
      (!forced_pos.empty() && forced_pos.size() != x.size()))
    throw Error("prelu: tensor size does not match the shape");
  const size_t N = x.size(), k = params.shift;
  const auto sb = broadcast_values(slope, params.s_dims, params.dims);
  std::vector<int64_t> pos(N), neg(N), rem(N), yo(N);
  y_.resize(N);
  const __int128 lim = __int128{1} << 62;
  for (size_t i = 0; i < N; ++i) {
    pos[i] = forced_pos.empty() ? (x[i] > 0 ? x[i] : 0) : forced_pos[i];
    neg[i] = pos[i] - x[i];
    // The executor: x >= 0 ? x 2^ss : x s (for the honest split; a forced split uses it).
    const __int128 t128 = static_cast<__int128>(pos[i]) * (int64_t{1} << params.slope_scale) -
                          static_cast<__int128>(neg[i]) * sb[i];
    if (t128 >= lim || t128 <= -lim) throw Error("prelu: x times the slope out of range");
    const int64_t t = static_cast<int64_t>(t128);
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
  sb_ = padded_i64(shape_, sb);
  r_pos_ = nl_.add_range("prelu.pos", posp_, params.bits);
  r_neg_ = nl_.add_range("prelu.neg", negp_, params.bits);
  if (k > 0) r_rem_ = nl_.add_range("prelu.rem", padded_i64(shape_, rem), k);
  if (params.out_bits > 0) r_out_ = nl_.add_range("prelu.out", padded_i64(shape_, yo), params.out_bits + 1);
}

NonlinearProof PReluProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, PReluClaims* out) {
  *out = {};
  absorb_claims(tr, "prelu.claim", out_claims);
  const auto st = fr_of(sb_), nt = fr_of(negp_);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    if (params_.out_bits > 0) nl_.send_range_eval(r_out_, c.point, tr);
    if (params_.shift > 0) nl_.send_range_eval(r_rem_, c.point, tr);
    const cp::Val p = nl_.send_range_eval(r_pos_, c.point, tr);
    const cp::Val n = nl_.send_range_eval(r_neg_, c.point, tr);
    out->x.push_back({c.point, p - n});
    auto res = sumcheck::prove_with_eq<Fr>(product3<Fr>(), c.point, {{}, st, nt}, tr);
    nl_.send_range_eval(r_neg_, res.point, tr);
    out->slope.push_back({broadcast_point(shape_, params_.s_dims, res.point),
                          div_or_zero(res.proof.final_evals[1], broadcast_factor(shape_, params_.s_dims, res.point))});
    nl_.proof.sumchecks.push_back(std::move(res.proof));
  }
  const auto tau = tr.challenges<Fr>("prelu.tau", shape_.num_vars());
  auto res = sumcheck::prove_with_eq<Fr>(product3<Fr>(), tau, {{}, fr_of(posp_), nt}, tr);
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  nl_.send_range_eval(r_pos_, res.point, tr);
  nl_.send_range_eval(r_neg_, res.point, tr);
  nl_.prove_lookups(tr);
  out->advice = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> prelu_advice_shapes(const PReluParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params, PaddedShape(params.dims).num_vars());
  return nv.advice;
}

ProofLayout prelu_proof_layout(const PReluParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  auto range_evals = [n](size_t bits) { return range_eval_count(n, bits); };
  const size_t per = 3 * range_evals(params.bits) + (params.shift > 0 ? range_evals(params.shift) : 0) +
                     (params.out_bits > 0 ? range_evals(params.out_bits + 1) : 0);
  l.num_evals = num_claims * per + 2 * range_evals(params.bits);
  append_range_layout(l, n, params.bits);
  append_range_layout(l, n, params.bits);
  if (params.shift > 0) append_range_layout(l, n, params.shift);
  if (params.out_bits > 0) append_range_layout(l, n, params.out_bits + 1);
  for (size_t i = 0; i <= num_claims; ++i) l.sumchecks.push_back({n, 3, 3});
  return l;
}

template <field::PrimeField F>
Verdict verify_prelu_as(const PReluParams& params, std::span<const ClaimT<F>> out_claims,
                        const NonlinearProofT<F>& proof, transcript::Transcript& tr, PReluClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = params.invalid()) return Verdict::reject("prelu: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("prelu: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const Ranges rr = register_ranges(nv, params, n);
  absorb_claims(tr, "prelu.claim", out_claims);
  const F two_ss = pow2_fr(params.slope_scale);
  PReluClaimsT<F> res;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "prelu: claim " + std::to_string(i);
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
    res.x.push_back({c.point, p - ng});
    // sum_x eq(z, x) S(x) neg(x) = 2^ss pos~(z) - t~(z).
    const sumcheck::Proof<F>* sp = nv.next_sumcheck();
    if (sp == nullptr) return Verdict::reject(where + ": slope product sumcheck missing");
    const M target = two_ss * p - pre_rescale<F>(params.shift, c.value, r, ind);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify_with_eq<F>(product3<F>(), c.point, target, *sp, tr, &sub); !v)
      return v.within(where + ": slope product (2^ss pos - slope neg != the rescale's input)");
    if (sub.final_evals.size() != 3 || sub.final_evals[0] != M(poly::eq_eval<F>(c.point, sub.point)))
      return Verdict::reject(where + ": slope product: eq(z, rho) mismatch");
    M nr;
    if (!nv.recv_range_eval(rr.neg, sub.point, tr, &nr)) return Verdict::reject(where + ": missing evaluations");
    if (nr != sub.final_evals[2]) return Verdict::reject(where + ": slope product: neg(rho) != its digits");
    const F k = broadcast_factor(shape, params.s_dims, sub.point);
    if (k.is_zero()) return Verdict::reject(where + ": degenerate point (broadcast factor 0)");
    res.slope.push_back({broadcast_point(shape, params.s_dims, sub.point), sub.final_evals[1] * k.inverse()});
  }
  const auto tau = tr.challenges<F>("prelu.tau", n);
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(product3<F>(), n, tau, tr, &sub, "prelu: zero-check pos . neg = 0"); !v) return v;
  M p, ng;
  if (!nv.recv_range_eval(rr.pos, sub.point, tr, &p) || !nv.recv_range_eval(rr.neg, sub.point, tr, &ng))
    return Verdict::reject("prelu: zero-check: missing evaluations");
  if (p != sub.final_evals[1]) return Verdict::reject("prelu: zero-check: pos(rho) != its digits");
  if (ng != sub.final_evals[2]) return Verdict::reject("prelu: zero-check: neg(rho) != its digits");
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("prelu");
  if (Verdict v = nv.finished(); !v) return v.within("prelu");
  res.advice = std::move(nv.claims);
  *out = std::move(res);
  return Verdict::accept();
}
template Verdict verify_prelu_as<Fr>(const PReluParams&, std::span<const Claim>, const NonlinearProof&,
                                     transcript::Transcript&, PReluClaimsT<Fr>*);
template Verdict verify_prelu_as<snark::CFr>(const PReluParams&, std::span<const ClaimT<snark::CFr>>,
                                             const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                             PReluClaimsT<snark::CFr>*);

Verdict verify_prelu(const PReluParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                     transcript::Transcript& tr, PReluClaims* out) {
  return verify_prelu_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
