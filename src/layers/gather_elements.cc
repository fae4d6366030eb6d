// GatherElements by a committed one-hot of the indices. See gather_elements.h and
// docs/protocol/compare.md, section 6.
#include "layers/gather_elements.h"

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

std::optional<std::string> bad_params(const GatherElementsParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.axis >= p.dims.size()) return std::string("axis out of range");
  if (p.dims[p.axis] < 1 || p.dims[p.axis] > kMaxEntries) return std::string("more than 256 entries along the axis");
  if (p.count < 1) return std::string("empty indices");
  if (!p.sub.empty()) {
    if (p.sub.size() != p.dims.size()) return std::string("indices rank differs from the data's");
    for (size_t d = 0; d < p.dims.size(); ++d)
      if (d != p.axis && (p.sub[d] > p.dims[d] || (p.sub[d] != p.dims[d] && next_pow2(p.sub[d]) != p.sub[d])))
        return std::string("indices smaller than the data off the axis, not by a power of two");
  }
  if (auto why = PaddedShape::invalid(p.out_dims())) return why;
  return std::nullopt;
}

size_t entry_vars(const GatherElementsParams& p) { return ceil_log2(p.dims[p.axis]); }

template <class F>
std::vector<F> at(const std::vector<F>& z, size_t j, size_t l) {
  std::vector<F> pt(z.begin(), z.end());
  for (size_t b = 0; b < l; ++b) pt.push_back((j >> b) & 1 ? F::one() : F::zero());
  return pt;
}

// x's point for a point r on the row layout and entry j.
template <class F>
std::vector<F> x_point(const GatherElementsParams& p, const std::vector<F>& r, size_t j) {
  auto parts = split_point(PaddedShape(p.row_dims()), r);
  parts[p.axis] = at<F>({}, j, entry_vars(p));
  const PaddedShape xs(p.dims);
  const auto logs = xs.log_sizes();
  for (size_t d = 0; d < parts.size(); ++d) parts[d].resize(logs[d], F::zero());  // the leading block
  return join_point(xs, parts);
}

// Factors: 0 eq; 1 + j: H_j; 1 + D + j: Xb_j. sum_j eq H_j Xb_j.
template <class F = Fr>
sumcheck::Composition<F> comp(size_t D) {
  using T = sumcheck::Term<F>;
  std::vector<T> terms;
  for (size_t j = 0; j < D; ++j) terms.push_back(T{F::one(), {0, 1 + j, 1 + D + j}});
  return sumcheck::Composition<F>(1 + 2 * D, std::move(terms));
}

// The one-hot H, then the negative-index bits N (registration order = the advice order).
template <class NL>
std::pair<size_t, size_t> register_ranges(NL& nl, const GatherElementsParams& p) {
  const size_t ny = PaddedShape(p.out_dims()).num_vars();
  const size_t h = nl.add_range("gather_elements.onehot", ny + entry_vars(p), 1);
  return {h, nl.add_range("gather_elements.negative", ny, 1)};
}

}  // namespace

std::vector<size_t> GatherElementsParams::out_dims() const {
  auto o = sub.empty() ? dims : sub;
  if (axis < o.size()) o[axis] = count;
  return o;
}
std::vector<size_t> GatherElementsParams::row_dims() const {
  auto o = sub.empty() ? dims : sub;
  if (axis < o.size()) o[axis] = 1;
  return o;
}

GatherElementsProver::GatherElementsProver(const GatherElementsParams& params, std::span<const int64_t> x,
                                           std::span<const int64_t> idx, std::span<const int64_t> forced)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("gather elements: " + *why);
  const PaddedShape xs(params.dims), ys(params.out_dims()), rs(params.row_dims());
  if (x.size() != xs.unpadded_size() || idx.size() != ys.unpadded_size() || (!forced.empty() && forced.size() != idx.size()))
    throw Error("gather elements: tensor size does not match the shape");
  const size_t D = params.dims[params.axis], l = entry_vars(params), R = params.dims.size();
  std::vector<size_t> xst(R, 1);
  for (size_t d = R - 1; d-- > 0;) xst[d] = xst[d + 1] * params.dims[d + 1];
  // x's offset of the entry with multi-index m (over `shape`) and axis coordinate j.
  auto offset = [&](size_t k, const std::vector<size_t>& shape, size_t j) {
    size_t off = 0;
    for (size_t d = R; d-- > 0;) {
      off += (d == params.axis ? j : k % shape[d]) * xst[d];
      k /= shape[d];
    }
    return off;
  };
  const auto od = params.out_dims(), rd = params.row_dims();
  const size_t N = idx.size();
  y_.resize(N);
  std::vector<std::vector<int64_t>> h(D, std::vector<int64_t>(N, 0));
  std::vector<std::vector<int64_t>> rows(D, std::vector<int64_t>(rs.unpadded_size()));
  for (size_t r = 0; r < rs.unpadded_size(); ++r)
    for (size_t j = 0; j < D; ++j) rows[j][r] = x[offset(r, rd, j)];
  std::vector<int64_t> neg(N, 0);
  for (size_t k = 0; k < N; ++k) {
    int64_t j = forced.empty() ? idx[k] : forced[k];
    const int64_t Di = static_cast<int64_t>(D);
    if (j < -Di || j >= Di) throw Error("gather elements: index " + std::to_string(j) + " outside [-" + std::to_string(D) + ", " + std::to_string(D) + ")");
    if (j < 0) {
      j += Di;
      neg[k] = 1;
    }
    h[static_cast<size_t>(j)][k] = 1;
    y_[k] = x[offset(k, od, static_cast<size_t>(j))];
  }
  const size_t Np = size_t{1} << ys.num_vars();
  std::vector<int64_t> H(Np << l, 0);
  auto fr = [](const std::vector<int64_t>& v) {
    std::vector<Fr> o(v.size());
    for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
    return o;
  };
  for (size_t j = 0; j < D; ++j) {
    const auto hp = detail::padded_i64(ys, h[j]);
    for (size_t p = 0; p < Np; ++p) H[j * Np + p] = hp[p];
    hj_.push_back(fr(hp));
    xj_.push_back(fr(detail::padded_i64(ys, broadcast_values(rows[j], params.row_dims(), params.out_dims()))));
  }
  r_h_ = nl_.add_range("gather_elements.onehot", H, 1);
  r_n_ = nl_.add_range("gather_elements.negative", detail::padded_i64(ys, neg), 1);
}

NonlinearProof GatherElementsProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                           GatherElementsClaims* out) {
  const PaddedShape ys(params_.out_dims());
  const size_t D = params_.dims[params_.axis], l = entry_vars(params_);
  absorb_claims(tr, "gather_elements.claim", out_claims);
  out->x.clear();
  out->idx.clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == ys.num_vars());
    std::vector<std::vector<Fr>> tabs = {{}};
    for (const auto& v : hj_) tabs.push_back(v);
    for (const auto& v : xj_) tabs.push_back(v);
    auto res = sumcheck::prove_with_eq<Fr>(comp(D), c.point, std::move(tabs), tr);
    const Fr k = broadcast_factor(ys, params_.row_dims(), res.point);
    const Fr ki = k.is_zero() ? Fr::zero() : k.inverse();
    const auto rp = broadcast_point(ys, params_.row_dims(), res.point);
    for (size_t j = 0; j < D; ++j) out->x.push_back({x_point(params_, rp, j), res.proof.final_evals[1 + D + j] * ki});
    const auto rho = res.point;
    nl_.proof.sumchecks.push_back(std::move(res.proof));
    cp::Val idx = Fr::zero();
    for (size_t j = 0; j < D; ++j) idx = idx + nl_.send_range_eval(r_h_, at(rho, j, l), tr) * Fr::from_u64(j);
    idx = idx - nl_.send_range_eval(r_n_, rho, tr) * Fr::from_u64(D);
    out->idx.push_back({rho, idx});
  }
  nl_.prove_lookups(tr);
  out->advice = nl_.claims;
  return std::move(nl_.proof);
}

std::vector<AdviceShape> gather_elements_advice_shapes(const GatherElementsParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params);
  return nv.advice;
}

ProofLayout gather_elements_proof_layout(const GatherElementsParams& params, size_t num_claims) {
  ProofLayout l;
  const size_t ny = PaddedShape(params.out_dims()).num_vars(), n = ny + entry_vars(params), D = params.dims[params.axis];
  l.num_evals = num_claims * (D * range_eval_count(n, 1) + range_eval_count(ny, 1));
  append_range_layout(l, n, 1);
  append_range_layout(l, ny, 1);
  for (size_t i = 0; i < num_claims; ++i) l.sumchecks.push_back({ny, 3, 1 + 2 * D});
  return l;
}

template <field::PrimeField F>
Verdict verify_gather_elements_as(const GatherElementsParams& params, std::span<const ClaimT<F>> out_claims,
                                  const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                                  GatherElementsClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("gather elements: " + *why);
  const PaddedShape ys(params.out_dims());
  const size_t D = params.dims[params.axis], l = entry_vars(params), n = ys.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("gather elements: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof);
  const auto [rh, rn] = register_ranges(nv, params);
  absorb_claims(tr, "gather_elements.claim", out_claims);
  out->x.clear();
  out->idx.clear();
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "gather elements: claim " + std::to_string(i);
    const auto* sp = nv.next_sumcheck();
    if (!sp) return Verdict::reject(where + ": missing sumcheck");
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify_with_eq<F>(comp<F>(D), c.point, c.value, *sp, tr, &sub); !v) return v.within(where);
    if (sub.final_evals[0] != M(poly::eq_eval<F>(c.point, sub.point))) return Verdict::reject(where + ": eq(z, rho) mismatch");
    const F k = broadcast_factor(ys, params.row_dims(), sub.point);
    if (k.is_zero()) return Verdict::reject(where + ": broadcast factor is zero");
    const F ki = k.inverse();
    const auto rp = broadcast_point(ys, params.row_dims(), sub.point);
    for (size_t j = 0; j < D; ++j) out->x.push_back({x_point(params, rp, j), sub.final_evals[1 + D + j] * ki});
    M idx{}, ones{};
    for (size_t j = 0; j < D; ++j) {
      M h{};
      if (!nv.recv_range_eval(rh, at(sub.point, j, l), tr, &h)) return Verdict::reject(where + ": missing evaluations");
      if (h != sub.final_evals[1 + j]) return Verdict::reject(where + ": onehot(rho) != its digits");
      idx = idx + h * F::from_u64(j);
      ones = ones + h;
    }
    if (ones != M(indicator_mle(ys, sub.point))) return Verdict::reject(where + ": an entry's one-hot does not sum to 1");
    M neg{};
    if (!nv.recv_range_eval(rn, sub.point, tr, &neg)) return Verdict::reject(where + ": missing evaluations");
    out->idx.push_back({sub.point, idx - neg * F::from_u64(D)});
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("gather elements");
  if (Verdict v = nv.finished(); !v) return v.within("gather elements");
  out->advice = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_gather_elements_as<Fr>(const GatherElementsParams&, std::span<const Claim>, const NonlinearProof&,
                                               transcript::Transcript&, GatherElementsClaims*);
template Verdict verify_gather_elements_as<snark::CFr>(const GatherElementsParams&, std::span<const ClaimT<snark::CFr>>,
                                                       const NonlinearProofT<snark::CFr>&, transcript::Transcript&,
                                                       GatherElementsClaimsT<snark::CFr>*);

Verdict verify_gather_elements(const GatherElementsParams& params, std::span<const Claim> out_claims,
                               const NonlinearProof& proof, transcript::Transcript& tr, GatherElementsClaims* out) {
  return verify_gather_elements_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
