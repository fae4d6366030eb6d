// ArgMax / ArgMin by a committed one-hot and range-checked gaps. See argmax.h and
// docs/protocol/compare.md, section 5.
#include "layers/argmax.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;

namespace {

constexpr size_t kMaxEntries = 256;

std::optional<std::string> bad_params(const ArgmaxParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.axis >= p.dims.size()) return std::string("axis out of range");
  if (p.dims[p.axis] < 1 || p.dims[p.axis] > kMaxEntries) return std::string("more than 256 entries per row");
  if (p.bits < 1 || p.bits > 59) return std::string("bit bound out of range [1, 59]");
  return std::nullopt;
}

size_t entry_vars(const ArgmaxParams& p) { return ceil_log2(p.dims[p.axis]); }

// The point (z, bin(k)) on a (k, p) table.
// Generic: P a contiguous range of field values (Fr, or snark::CFr).
template <class P>
auto at(const P& z, size_t k, size_t l) {
  using T = std::remove_cvref_t<decltype(z[0])>;
  std::vector<T> pt(std::begin(z), std::end(z));
  for (size_t b = 0; b < l; ++b) pt.push_back((k >> b) & 1 ? T::one() : T::zero());
  return pt;
}

// x's point for row point z and entry k.
template <class F>
std::vector<F> x_point(const ArgmaxParams& p, const std::vector<F>& z, size_t k) {
  auto parts = split_point(PaddedShape(p.out_dims()), z);
  parts[p.axis] = at(std::vector<F>{}, k, entry_vars(p));
  return join_point(PaddedShape(p.dims), parts);
}

// Factors: 0 eq; 1 + k: H_k; 1 + L + k: X_k (s x); 1 + 2L + k: G_k. Terms:
// sum_k beta^k G_k - B sum_k H_k X_k + sum_k beta^k X_k + sum_k c_k H_k, with B = sum_k beta^k and
// c_k = sum of beta^j over the j whose t_j counts k (j < k first; j > k last).
template <class F>
sumcheck::Composition<F> zero_check(size_t L, bool last, const F& beta) {
  using T = sumcheck::Term<F>;
  std::vector<F> pw(L);
  F b = F::one(), B = F::zero();
  for (size_t k = 0; k < L; ++k) {
    pw[k] = b;
    B += b;
    b *= beta;
  }
  std::vector<T> terms;
  F prefix = F::zero();  // sum_{j < k} beta^j
  for (size_t k = 0; k < L; ++k) {
    terms.push_back(T{pw[k], {0, 1 + 2 * L + k}});
    terms.push_back(T{-B, {0, 1 + k, 1 + L + k}});
    terms.push_back(T{pw[k], {0, 1 + L + k}});
    const F ck = last ? B - prefix - pw[k] : prefix;
    // (Over snark::CFr is_zero constrains its answer: ck is a constant or a polynomial in beta, zero
    // only with negligible probability.)
    if (!ck.is_zero()) terms.push_back(T{ck, {0, 1 + k}});
    prefix += pw[k];
  }
  return sumcheck::Composition<F>(1 + 3 * L, std::move(terms));
}

template <class NL>
void register_ranges(NL& nl, const ArgmaxParams& p, size_t* rh, size_t* rg) {
  const size_t n = PaddedShape(p.out_dims()).num_vars() + entry_vars(p);
  *rh = nl.add_range("argmax.onehot", n, 1);
  *rg = nl.add_range("argmax.gap", n, p.bits + 1);
}

}  // namespace

std::vector<size_t> ArgmaxParams::out_dims() const {
  auto o = dims;
  if (axis < o.size()) o[axis] = 1;
  return o;
}

ArgmaxProver::ArgmaxProver(const ArgmaxParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_idx)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("argmax: " + *why);
  const PaddedShape xs(params.dims), rs(params.out_dims());
  if (x.size() != xs.unpadded_size()) throw Error("argmax: tensor size does not match the shape");
  const size_t R = rs.unpadded_size(), L = params.dims[params.axis], l = entry_vars(params);
  if (!forced_idx.empty() && forced_idx.size() != R) throw Error("argmax: forced indices of the wrong size");
  size_t inner = 1;
  for (size_t i = params.axis + 1; i < params.dims.size(); ++i) inner *= params.dims[i];
  const int64_t s = params.min ? -1 : 1;
  auto xv = [&](size_t r, size_t k) { return s * x[(r / inner * L + k) * inner + r % inner]; };
  const int64_t lim = int64_t{1} << params.bits;
  for (int64_t v : x)
    if (v >= lim || v <= -lim) throw Error("argmax: |x| exceeds 2^" + std::to_string(params.bits));
  y_.resize(R);
  std::vector<std::vector<int64_t>> hrow(L, std::vector<int64_t>(R)), grow(L, std::vector<int64_t>(R)),
      xrow(L, std::vector<int64_t>(R));
  for (size_t r = 0; r < R; ++r) {
    size_t best = 0;
    for (size_t k = 1; k < L; ++k)
      if (params.last ? xv(r, k) >= xv(r, best) : xv(r, k) > xv(r, best)) best = k;
    if (!forced_idx.empty()) best = static_cast<size_t>(forced_idx[r]);
    y_[r] = static_cast<int64_t>(best);
    const int64_t m = xv(r, best);
    for (size_t k = 0; k < L; ++k) {
      hrow[k][r] = k == best;
      xrow[k][r] = xv(r, k);
      const int64_t t = params.last ? (k > best) : (k < best);
      grow[k][r] = m - xv(r, k) - t;
    }
  }
  const size_t nr = rs.num_vars(), Np = size_t{1} << nr;
  std::vector<int64_t> H(Np << l, 0), G(Np << l, 0);
  for (size_t k = 0; k < L; ++k) {
    const auto hp = detail::padded_i64(rs, hrow[k]), gp = detail::padded_i64(rs, grow[k]), xp = detail::padded_i64(rs, xrow[k]);
    for (size_t p = 0; p < Np; ++p) {
      H[k * Np + p] = hp[p];
      G[k * Np + p] = gp[p];
    }
    auto fr = [](const std::vector<int64_t>& v) {
      std::vector<Fr> o(v.size());
      for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
      return o;
    };
    hk_.push_back(fr(hp));
    xk_.push_back(fr(xp));
    gk_.push_back(fr(gp));
  }
  r_h_ = nl_.add_range("argmax.onehot", H, 1);
  r_g_ = nl_.add_range("argmax.gap", G, params.bits + 1);
}

NonlinearProof ArgmaxProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                   std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  const PaddedShape rs(params_.out_dims());
  const size_t L = params_.dims[params_.axis], l = entry_vars(params_), n = rs.num_vars();
  absorb_claims(tr, "argmax.claim", out_claims);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == n);
    for (size_t k = 0; k < L; ++k) nl_.send_range_eval(r_h_, at(c.point, k, l), tr);
  }
  const auto tau = tr.challenges<Fr>("argmax.tau", n);
  const Fr beta = tr.challenge<Fr>("argmax.beta");
  std::vector<std::vector<Fr>> tabs = {{}};
  for (const auto& v : hk_) tabs.push_back(v);
  for (const auto& v : xk_) tabs.push_back(v);
  for (const auto& v : gk_) tabs.push_back(v);
  auto res = sumcheck::prove_with_eq<Fr>(zero_check(L, params_.last, beta), tau, std::move(tabs), tr);
  in_claims->clear();
  for (size_t k = 0; k < L; ++k) {
    cp::Val v = res.proof.final_evals[1 + L + k];
    if (params_.min) v = -v;
    in_claims->push_back({x_point(params_, res.point, k), v});
  }
  const auto rho = res.point;
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  for (size_t k = 0; k < L; ++k) {
    nl_.send_range_eval(r_h_, at(rho, k, l), tr);
    nl_.send_range_eval(r_g_, at(rho, k, l), tr);
  }
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> argmax_advice_shapes(const ArgmaxParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  size_t rh, rg;
  register_ranges(nv, params, &rh, &rg);
  return nv.advice;
}

ProofLayout argmax_proof_layout(const ArgmaxParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t nr = PaddedShape(params.out_dims()).num_vars(), n = nr + entry_vars(params), L = params.dims[params.axis];
  l.num_evals = num_claims * L * range_eval_count(n, 1) + L * (range_eval_count(n, 1) + range_eval_count(n, params.bits + 1));
  append_range_layout(l, n, 1);
  append_range_layout(l, n, params.bits + 1);
  l.sumchecks.push_back({nr, 3, 1 + 3 * L});
  return l;
}

template <field::PrimeField F>
Verdict verify_argmax_as(const ArgmaxParams& params, std::span<const ClaimT<F>> out_claims,
                         const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                         std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("argmax: " + *why);
  const PaddedShape rs(params.out_dims());
  const size_t L = params.dims[params.axis], l = entry_vars(params), n = rs.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("argmax: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  size_t rh, rg;
  register_ranges(nv, params, &rh, &rg);
  absorb_claims(tr, "argmax.claim", out_claims);
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    M sum = F::zero();
    for (size_t k = 0; k < L; ++k) {
      M h;
      if (!nv.recv_range_eval(rh, at(c.point, k, l), tr, &h))
        return Verdict::reject("argmax: claim " + std::to_string(i) + ": missing evaluations");
      sum = sum + h * F(Fr::from_u64(k));
    }
    if (sum != c.value) return Verdict::reject("argmax: claim " + std::to_string(i) + ": output != sum_k k onehot_k");
  }
  const auto tau = tr.challenges<F>("argmax.tau", n);
  const F beta = tr.challenge<F>("argmax.beta");
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(zero_check(L, params.last, beta), n, tau, tr, &sub, "argmax: zero-check of the gaps"); !v)
    return v;
  std::vector<ClaimT<F>> ins;
  M ones = F::zero();
  for (size_t k = 0; k < L; ++k) {
    M v = sub.final_evals[1 + L + k];
    if (params.min) v = -v;
    ins.push_back({x_point(params, sub.point, k), v});
  }
  for (size_t k = 0; k < L; ++k) {
    M h, g;
    if (!nv.recv_range_eval(rh, at(sub.point, k, l), tr, &h) || !nv.recv_range_eval(rg, at(sub.point, k, l), tr, &g))
      return Verdict::reject("argmax: zero-check: missing evaluations");
    if (h != sub.final_evals[1 + k]) return Verdict::reject("argmax: zero-check: onehot(rho) != its digits");
    if (g != sub.final_evals[1 + 2 * L + k]) return Verdict::reject("argmax: zero-check: gap(rho) != its digits");
    ones = ones + h;
  }
  if (ones != M(indicator_mle(rs, sub.point))) return Verdict::reject("argmax: a row's one-hot does not sum to 1");
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("argmax");
  if (Verdict v = nv.finished(); !v) return v.within("argmax");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_argmax_as<Fr>(const ArgmaxParams&, std::span<const Claim>, const NonlinearProof&,
                                      transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_argmax_as<snark::CFr>(const ArgmaxParams&, std::span<const ClaimT<snark::CFr>>,
                                              const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                              std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_argmax(const ArgmaxParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                      transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_argmax_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
