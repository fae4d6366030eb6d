// OneHot by a committed 0/1 tensor. See one_hot.h and docs/protocol/compare.md, section 7.
#include "layers/one_hot.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;

namespace {

std::optional<std::string> bad_params(const OneHotParams& p) {
  if (p.axis > p.idx_dims.size()) return std::string("axis out of range");
  if (p.depth < 1 || p.depth > kMaxOneHotDepth) return std::string("depth out of range [1, 2^16]");
  if (p.on == p.off) return std::string("equal on and off values");
  if (p.on > (int64_t{1} << 40) || p.on < -(int64_t{1} << 40) || p.off > (int64_t{1} << 40) || p.off < -(int64_t{1} << 40))
    return std::string("values out of range");
  if (auto why = PaddedShape::invalid(p.out_dims())) return why;
  return std::nullopt;
}

size_t axis_vars(const OneHotParams& p) { return ceil_log2(p.depth); }

// Above this depth the rows' checks at tau are one sumcheck over the axis (one_hot.h) instead of
// 2^ceil(log2 D) values sent.
constexpr size_t kSentRowsUpTo = 256;
bool row_sumcheck(const OneHotParams& p) { return p.depth > kSentRowsUpTo; }

// y's point for a row point r and axis coordinates a (axis_vars of them, least significant first).
template <class F>
std::vector<F> y_point(const OneHotParams& p, const std::vector<F>& r, std::vector<F> a) {
  auto parts = split_point(PaddedShape(p.row_dims()), r);
  parts[p.axis] = std::move(a);
  return join_point(PaddedShape(p.out_dims()), parts);
}
// ... and axis coordinate j.
template <class F>
std::vector<F> y_point(const OneHotParams& p, const std::vector<F>& r, size_t j) {
  std::vector<F> bits;
  for (size_t b = 0; b < axis_vars(p); ++b) bits.push_back((j >> b) & 1 ? F::one() : F::zero());
  return y_point(p, r, std::move(bits));
}

// The row sumcheck's known factor W(j) = [j < D] + gamma [j >= D] + gamma^2 j over the padded axis.
std::vector<Fr> row_weights(const OneHotParams& p, const Fr& gamma) {
  std::vector<Fr> w(size_t{1} << axis_vars(p));
  const Fr g2 = gamma * gamma;
  for (size_t j = 0; j < w.size(); ++j) w[j] = (j < p.depth ? Fr::one() : gamma) + g2 * Fr::from_u64(j);
  return w;
}
// The MLE of row_weights at pt, in O(|pt|): I~(pt) + gamma (1 - I~(pt)) + gamma^2 sum_b 2^b pt_b,
// I the indicator of j < D (eq_prefix_sum). Over any field type (the verifier as a circuit: no
// table of 2^|pt| weights).
template <class F>
F row_weights_mle(const OneHotParams& p, const F& gamma, std::span<const F> pt) {
  const F below = eq_prefix_sum(pt, p.depth);
  F lin = F::zero(), pow2 = F::one();
  for (size_t b = 0; b < pt.size(); ++b, pow2 += pow2) lin += pow2 * pt[b];
  return below + gamma * (F::one() - below) + gamma * gamma * lin;
}

// H, then the negative-index bits N on the rows (registration order = the advice order); with the
// row sumcheck also J, the non-negative index j of each row (not range-checked: its value at tau
// fixes the sum the sumcheck proves before gamma is drawn).
struct Registered {
  size_t h, n, j = SIZE_MAX;
};
template <class NL>
Registered register_ranges(NL& nl, const OneHotParams& p) {
  Registered r;
  r.h = nl.add_range("one_hot.h", PaddedShape(p.out_dims()).num_vars(), 1);
  r.n = nl.add_range("one_hot.negative", PaddedShape(p.row_dims()).num_vars(), 1);
  if (row_sumcheck(p)) r.j = nl.add_advice("one_hot.index", PaddedShape(p.row_dims()).num_vars());
  return r;
}

}  // namespace

std::vector<size_t> OneHotParams::out_dims() const {
  auto o = idx_dims;
  o.insert(o.begin() + static_cast<long>(std::min(axis, o.size())), depth);
  return o;
}
std::vector<size_t> OneHotParams::row_dims() const {
  auto o = out_dims();
  o[axis] = 1;
  return o;
}

OneHotProver::OneHotProver(const OneHotParams& params, std::span<const int64_t> idx, std::span<const int64_t> forced)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("one hot: " + *why);
  const PaddedShape is(params.idx_dims), ys(params.out_dims());
  if (idx.size() != is.unpadded_size() || (!forced.empty() && forced.size() != idx.size()))
    throw Error("one hot: tensor size does not match the shape");
  size_t inner = 1;
  for (size_t d = params.axis; d < params.idx_dims.size(); ++d) inner *= params.idx_dims[d];
  const size_t D = params.depth;
  std::vector<int64_t> h(ys.unpadded_size(), 0);
  y_.assign(h.size(), params.off);
  std::vector<int64_t> neg(idx.size(), 0);
  for (size_t k = 0; k < idx.size(); ++k) {
    int64_t j = forced.empty() ? idx[k] : forced[k];
    const int64_t Di = static_cast<int64_t>(D);
    if (j < -Di || j >= Di) throw Error("one hot: index " + std::to_string(j) + " outside [-" + std::to_string(D) + ", " + std::to_string(D) + ")");
    if (j < 0) {
      j += Di;
      neg[k] = 1;
    }
    const size_t pos = (k / inner * D + static_cast<size_t>(j)) * inner + k % inner;
    h[pos] = 1;
    y_[pos] = params.on;
  }
  r_h_ = nl_.add_range("one_hot.h", detail::padded_i64(ys, h), 1);
  const PaddedShape rs(params.row_dims());
  r_n_ = nl_.add_range("one_hot.negative", detail::padded_i64(rs, neg), 1);
  if (row_sumcheck(params)) {
    // J[k] = idx[k] + D N[k], and each index's position in the rows' padded layout.
    std::vector<int64_t> jv(idx.size()), tag(idx.size());
    for (size_t k = 0; k < idx.size(); ++k) {
      jv[k] = (forced.empty() ? idx[k] : forced[k]) + static_cast<int64_t>(D) * neg[k];
      tag[k] = static_cast<int64_t>(k) + 1;
    }
    a_j_ = nl_.add_advice("one_hot.index", detail::padded_i64(rs, jv));
    const auto tags = detail::padded_i64(rs, tag);
    row_pos_.assign(idx.size(), 0);
    for (size_t p = 0; p < tags.size(); ++p)
      if (tags[p] != 0) row_pos_[static_cast<size_t>(tags[p] - 1)] = p;
    j_ = std::move(jv);
  }
}

NonlinearProof OneHotProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                   std::vector<Claim>* idx_claims, std::vector<AdviceClaim>* advice_claims) {
  const PaddedShape ys(params_.out_dims()), rs(params_.row_dims());
  absorb_claims(tr, "one_hot.claim", out_claims);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == ys.num_vars());
    nl_.send_range_eval(r_h_, c.point, tr);
  }
  const auto tau = tr.challenges<Fr>("one_hot.tau", rs.num_vars());
  cp::Val idx = Fr::zero();
  if (row_sumcheck(params_)) {
    // J~(tau) = sum_j j H~(tau, j), sum_{j < D} H~(tau, j) = I~(tau), sum_{j >= D} H~(tau, j) = 0,
    // combined by gamma into one sumcheck of h(j) W(j) over the axis, h(j) = H~(tau, j).
    idx = nl_.send_eval(a_j_, tau, tr);
    const Fr gamma = tr.challenge<Fr>("one_hot.gamma");
    const auto eq = poly::eq_table<Fr>(tau);
    std::vector<Fr> h(size_t{1} << axis_vars(params_), Fr::zero());
    for (size_t k = 0; k < j_.size(); ++k) h[static_cast<size_t>(j_[k])] += eq[row_pos_[k]];
    auto res = sumcheck::prove<Fr>(sumcheck::Composition<Fr>::product(2), {std::move(h), row_weights(params_, gamma)}, tr);
    const auto rho = res.point;
    nl_.proof.sumchecks.push_back(std::move(res.proof));
    nl_.send_range_eval(r_h_, y_point(params_, tau, rho), tr);
  } else {
    for (size_t j = 0; j < (size_t{1} << axis_vars(params_)); ++j)
      idx = idx + nl_.send_range_eval(r_h_, y_point(params_, tau, j), tr) * Fr::from_u64(j);
  }
  idx = idx - nl_.send_range_eval(r_n_, tau, tr) * Fr::from_u64(params_.depth);
  idx_claims->assign(1, Claim{tau, idx});
  nl_.prove_lookups(tr);
  *advice_claims = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> one_hot_advice_shapes(const OneHotParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params);
  return nv.advice;
}

ProofLayout one_hot_proof_layout(const OneHotParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(params.out_dims()).num_vars();
  const size_t nr = PaddedShape(params.row_dims()).num_vars();
  if (row_sumcheck(params)) {
    l.num_evals = (num_claims + 1) * range_eval_count(n, 1) + 1 + range_eval_count(nr, 1);
    // A plain degree-2 sumcheck sends 2 values a round; the layout's degree field is one more than
    // the values a round (deserialize_proof reads degree - 1, the count of the eq-factor sumchecks).
    l.sumchecks.push_back({axis_vars(params), 3, 2});
  } else {
    l.num_evals = (num_claims + (size_t{1} << axis_vars(params))) * range_eval_count(n, 1) + range_eval_count(nr, 1);
  }
  append_range_layout(l, n, 1);
  append_range_layout(l, nr, 1);
  return l;
}

template <field::PrimeField F>
Verdict verify_one_hot_as(const OneHotParams& params, std::span<const ClaimT<F>> out_claims,
                          const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                          std::vector<ClaimT<F>>* idx_claims, std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("one hot: " + *why);
  const PaddedShape ys(params.out_dims()), rs(params.row_dims());
  for (const auto& c : out_claims)
    if (c.point.size() != ys.num_vars()) return Verdict::reject("one hot: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const auto [rh, rn, aj] = register_ranges(nv, params);
  absorb_claims(tr, "one_hot.claim", out_claims);
  const F off = Fr::from_i64(params.off), diff = Fr::from_i64(params.on - params.off);
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    M h;
    if (!nv.recv_range_eval(rh, c.point, tr, &h)) return Verdict::reject("one hot: missing evaluations");
    if (h * diff + M(off * indicator_mle(ys, c.point)) != c.value)
      return Verdict::reject("one hot: claim " + std::to_string(i) + ": output != off + (on - off) onehot");
  }
  const auto tau = tr.challenges<F>("one_hot.tau", rs.num_vars());
  M idx = F::zero();
  if (row_sumcheck(params)) {
    if (!nv.recv_eval(aj, tau, tr, &idx)) return Verdict::reject("one hot: missing evaluations");
    const F gamma = tr.challenge<F>("one_hot.gamma");
    const auto* sp = nv.next_sumcheck();
    if (!sp) return Verdict::reject("one hot: missing the rows' sumcheck");
    sumcheck::KnownFactors<F> known = [&](size_t f, std::span<const F> pt) -> std::optional<F> {
      if (f == 1) return row_weights_mle<F>(params, gamma, pt);
      return std::nullopt;
    };
    sumcheck::Subclaim<F> sub;
    const M target = M(indicator_mle(rs, tau)) + idx * (gamma * gamma);
    if (Verdict v = sumcheck::verify<F>(sumcheck::Composition<F>::product(2), axis_vars(params), target, *sp, tr, &sub, known);
        !v)
      return v.within("one hot: the rows' sums (one 1 per row, none on the padding, the index)");
    M h;
    if (!nv.recv_range_eval(rh, y_point(params, tau, sub.point), tr, &h)) return Verdict::reject("one hot: missing evaluations");
    if (h != sub.final_evals[0]) return Verdict::reject("one hot: the rows' sumcheck's final value is not the committed one-hot's");
  } else {
    M ones = F::zero(), pad = F::zero();
    for (size_t j = 0; j < (size_t{1} << axis_vars(params)); ++j) {
      M h;
      if (!nv.recv_range_eval(rh, y_point(params, tau, j), tr, &h)) return Verdict::reject("one hot: missing evaluations");
      idx = idx + h * F(Fr::from_u64(j));
      (j < params.depth ? ones : pad) = (j < params.depth ? ones : pad) + h;
    }
    if (ones != M(indicator_mle(rs, tau))) return Verdict::reject("one hot: a row's one-hot does not sum to 1");
    if (pad != M(F::zero())) return Verdict::reject("one hot: a one on the padding");
  }
  M neg;
  if (!nv.recv_range_eval(rn, tau, tr, &neg)) return Verdict::reject("one hot: missing evaluations");
  idx = idx - neg * F(Fr::from_u64(params.depth));
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("one hot");
  if (Verdict v = nv.finished(); !v) return v.within("one hot");
  idx_claims->assign(1, ClaimT<F>{tau, idx});
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}
template Verdict verify_one_hot_as<Fr>(const OneHotParams&, std::span<const Claim>, const NonlinearProof&,
                                       transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_one_hot_as<snark::CFr>(const OneHotParams&, std::span<const ClaimT<snark::CFr>>,
                                               const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                               std::vector<ClaimT<snark::CFr>>*,
                                               std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_one_hot(const OneHotParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* idx_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_one_hot_as<Fr>(params, out_claims, proof, tr, idx_claims, advice_claims);
}

}  // namespace zkinfer::layers
