// Clip with the executor's integer semantics. See clip.h and docs/protocol/nonlinear.md, section 15.
#include "layers/clip.h"

#include <bit>

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::padded_i64;

namespace {

constexpr int64_t kMaxBound = int64_t{1} << 59;

std::optional<std::string> bad_params(const ClipParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.lo > p.hi) return std::string("min above max");
  if (p.lo <= -kMaxBound || p.lo >= kMaxBound || p.hi <= -kMaxBound || p.hi >= kMaxBound)
    return std::string("bounds out of range");
  if (p.bits < 1 || p.bits > 60) return std::string("bit bound out of range [1, 60]");
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
  size_t pa = 0, na = 0, pb = 0, nb = 0;
};
template <class NL>
Ranges register_ranges(NL& nl, const ClipParams& p, size_t n) {
  Ranges r;
  r.pa = nl.add_range("clip.pa", n, p.bits);
  r.na = nl.add_range("clip.na", n, p.bits);
  r.pb = nl.add_range("clip.pb", n, p.bits);
  r.nb = nl.add_range("clip.nb", n, p.bits);
  return r;
}

size_t bitlen(int64_t v) {
  const uint64_t a = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  return static_cast<size_t>(std::bit_width(a));
}

}  // namespace

size_t clip_bits(size_t x_bits, int64_t lo, int64_t hi) {
  return std::max({x_bits, bitlen(lo), bitlen(hi)}) + 1;
}

ClipProver::ClipProver(const ClipParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_pa)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("clip: " + *why);
  shape_ = PaddedShape(params.dims);
  if (x.size() != shape_.unpadded_size() || (!forced_pa.empty() && forced_pa.size() != x.size()))
    throw Error("clip: tensor size does not match the shape");
  const size_t N = x.size();
  std::vector<int64_t> pa(N), na(N), pb(N), nb(N);
  y_.resize(N);
  for (size_t i = 0; i < N; ++i) {
    const int64_t a = x[i] - params.lo, b = x[i] - params.hi;
    pa[i] = forced_pa.empty() ? std::max<int64_t>(a, 0) : forced_pa[i];
    na[i] = pa[i] - a;
    pb[i] = std::max<int64_t>(b, 0);
    nb[i] = pb[i] - b;
    y_[i] = params.lo + pa[i] - pb[i];  // min(max(x, lo), hi) for the honest split
  }
  pa_ = padded_i64(shape_, pa);
  na_ = padded_i64(shape_, na);
  pb_ = padded_i64(shape_, pb);
  nb_ = padded_i64(shape_, nb);
  r_pa_ = nl_.add_range("clip.pa", pa_, params.bits);
  r_na_ = nl_.add_range("clip.na", na_, params.bits);
  r_pb_ = nl_.add_range("clip.pb", pb_, params.bits);
  r_nb_ = nl_.add_range("clip.nb", nb_, params.bits);
}

NonlinearProof ClipProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                 std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "clip.claim", out_claims);
  in_claims->clear();
  const Fr lo = Fr::from_i64(params_.lo);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    const cp::Val pa = nl_.send_range_eval(r_pa_, c.point, tr);
    const cp::Val na = nl_.send_range_eval(r_na_, c.point, tr);
    nl_.send_range_eval(r_pb_, c.point, tr);
    nl_.send_range_eval(r_nb_, c.point, tr);
    in_claims->push_back({c.point, pa - na + lo * indicator_mle(shape_, c.point)});
  }
  const size_t n = shape_.num_vars();
  const auto tau_a = tr.challenges<Fr>("clip.tau_a", n);
  auto ra = sumcheck::prove_with_eq<Fr>(zero_check<Fr>(), tau_a, {{}, fr_of(pa_), fr_of(na_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(ra.proof));
  nl_.send_range_eval(r_pa_, ra.point, tr);
  nl_.send_range_eval(r_na_, ra.point, tr);
  const auto tau_b = tr.challenges<Fr>("clip.tau_b", n);
  auto rb = sumcheck::prove_with_eq<Fr>(zero_check<Fr>(), tau_b, {{}, fr_of(pb_), fr_of(nb_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(rb.proof));
  nl_.send_range_eval(r_pb_, rb.point, tr);
  nl_.send_range_eval(r_nb_, rb.point, tr);
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> clip_advice_shapes(const ClipParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params, PaddedShape(params.dims).num_vars());
  return nv.advice;
}

ProofLayout clip_proof_layout(const ClipParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.dims).num_vars();
  const size_t e = range_eval_count(n, params.bits);
  l.num_evals = num_claims * 4 * e + 4 * e;
  for (int i = 0; i < 4; ++i) append_range_layout(l, n, params.bits);
  l.sumchecks.push_back({n, 3, 3});
  l.sumchecks.push_back({n, 3, 3});
  return l;
}

template <field::PrimeField F>
Verdict verify_clip_as(const ClipParams& params, std::span<const ClaimT<F>> out_claims, const NonlinearProofT<F>& proof,
                       transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                       std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("clip: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("clip: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const Ranges rr = register_ranges(nv, params, n);
  absorb_claims(tr, "clip.claim", out_claims);
  const F lo = Fr::from_i64(params.lo), hi = Fr::from_i64(params.hi);
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "clip: claim " + std::to_string(i);
    const F ind = indicator_mle(shape, c.point);
    M pa, na, pb, nb;
    if (!nv.recv_range_eval(rr.pa, c.point, tr, &pa) || !nv.recv_range_eval(rr.na, c.point, tr, &na) ||
        !nv.recv_range_eval(rr.pb, c.point, tr, &pb) || !nv.recv_range_eval(rr.nb, c.point, tr, &nb))
      return Verdict::reject(where + ": missing evaluations");
    if (pa - na + lo * ind != pb - nb + hi * ind)
      return Verdict::reject(where + ": the two splits are not of the same input (x - lo, x - hi)");
    if (lo * ind + pa - pb != c.value) return Verdict::reject(where + ": output != lo + max(x - lo, 0) - max(x - hi, 0)");
    ins.push_back({c.point, pa - na + lo * ind});
  }
  const std::pair<size_t, size_t> splits[2] = {{rr.pa, rr.na}, {rr.pb, rr.nb}};
  const char* labels[2] = {"clip.tau_a", "clip.tau_b"};
  for (int s = 0; s < 2; ++s) {
    const std::string what = s == 0 ? "clip: zero-check pa . na = 0" : "clip: zero-check pb . nb = 0";
    const auto tau = tr.challenges<F>(labels[s], n);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = nv.verify_zero_check(zero_check<F>(), n, tau, tr, &sub, what); !v) return v;
    M p, ng;
    if (!nv.recv_range_eval(splits[s].first, sub.point, tr, &p) || !nv.recv_range_eval(splits[s].second, sub.point, tr, &ng))
      return Verdict::reject(what + ": missing evaluations");
    if (p != sub.final_evals[1]) return Verdict::reject(what + ": pos(rho) != its digits");
    if (ng != sub.final_evals[2]) return Verdict::reject(what + ": neg(rho) != its digits");
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("clip");
  if (Verdict v = nv.finished(); !v) return v.within("clip");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_clip_as<Fr>(const ClipParams&, std::span<const Claim>, const NonlinearProof&,
                                    transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_clip_as<snark::CFr>(const ClipParams&, std::span<const ClaimT<snark::CFr>>,
                                            const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                            std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_clip(const ClipParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                    transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_clip_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
