// GlobalAveragePool. See pool.h and docs/protocol/nonlinear.md, section 5.
#include "layers/pool.h"

#include <array>

#include "common/check.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::padded_i64;
using detail::pow2_fr;

namespace {
std::optional<std::string> bad_params(const GlobalAvgPoolParams& p) {
  if (p.dims.size() < 3) return std::string("input rank below 3");
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  return std::nullopt;
}
size_t spatial(const std::vector<size_t>& d) {
  size_t s = 1;
  for (size_t i = 2; i < d.size(); ++i) s *= d[i];
  return s;
}
// m with 2^m >= 2S.
size_t rem_bits(size_t S) { return ceil_log2(2 * S); }
bool need_comp(size_t S) { return (size_t{1} << rem_bits(S)) != 2 * S; }
size_t spatial_vars(const PaddedShape& xs) { return xs.offsets()[1]; }  // the variables below C's
template <class F = Fr>
sumcheck::Composition<F> sum_comp() { return sumcheck::Composition<F>::product(1); }
}  // namespace

std::vector<size_t> global_avg_pool_out_dims(const std::vector<size_t>& d) {
  std::vector<size_t> o(d.size(), 1);
  o[0] = d[0];
  o[1] = d[1];
  return o;
}

template <>
void GlobalAvgPoolProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& s : sums) s.serialize(w);
}

template <field::PrimeField F>
GlobalAvgPoolProofT<F> GlobalAvgPoolProofT<F>::deserialize(ByteReader& r, const GlobalAvgPoolParams& p, size_t num_claims) {
  if (bad_params(p)) r.fail("global average pool: bad parameters");
  if (num_claims > 1024) r.fail("global average pool: too many claims");
  const PaddedShape xs(p.dims), ys(global_avg_pool_out_dims(p.dims));
  const size_t S = spatial(p.dims), m = rem_bits(S), ny = ys.num_vars();
  ProofLayout l;
  const size_t ranges = need_comp(S) ? 2 : 1;
  l.num_evals = num_claims * ranges * range_eval_count(ny, m);
  for (size_t i = 0; i < ranges; ++i) append_range_layout(l, ny, m);
  GlobalAvgPoolProofT<F> out;
  out.nl = deserialize_proof<F>(r, l);
  for (size_t i = 0; i < num_claims; ++i)
    out.sums.push_back(sumcheck::Proof<F>::deserialize(r, spatial_vars(xs), 1, 1));
  return out;
}
template GlobalAvgPoolProofT<Fr> GlobalAvgPoolProofT<Fr>::deserialize(ByteReader&, const GlobalAvgPoolParams&, size_t);
template GlobalAvgPoolProofT<snark::CFr> GlobalAvgPoolProofT<snark::CFr>::deserialize(ByteReader&,
                                                                                      const GlobalAvgPoolParams&, size_t);

GlobalAvgPoolProver::GlobalAvgPoolProver(const GlobalAvgPoolParams& params, std::span<const int64_t> x)
    : params_(params), x_(x.begin(), x.end()) {
  if (auto why = bad_params(params)) throw Error("global average pool: " + *why);
  xs_ = PaddedShape(params.dims);
  ys_ = PaddedShape(global_avg_pool_out_dims(params.dims));
  if (x.size() != xs_.unpadded_size()) throw Error("global average pool: tensor size does not match the shape");
  const size_t S = spatial(params.dims), NC = params.dims[0] * params.dims[1];
  std::vector<int64_t> rem(NC), comp(NC);
  y_.resize(NC);
  const int64_t Si = static_cast<int64_t>(S);
  for (size_t p = 0; p < NC; ++p) {
    int64_t acc = 0;
    for (size_t i = 0; i < S; ++i) acc += x[p * S + i];
    // ops::div_round(acc, S) for S > 0.
    const int64_t num = 2 * acc + Si, den = 2 * Si;
    int64_t q = num / den, r = num % den;
    if (r < 0) r += den, --q;
    y_[p] = q;
    rem[p] = r;
    comp[p] = den - 1 - r;
  }
  r_rem_ = nl_.add_range("gap.rem", padded_i64(ys_, rem), rem_bits(S));
  if (need_comp(S)) r_comp_ = nl_.add_range("gap.rem_comp", padded_i64(ys_, comp), rem_bits(S));
}

GlobalAvgPoolProof GlobalAvgPoolProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                              std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "gap.claim", out_claims);
  GlobalAvgPoolProof proof;
  const size_t S = spatial(params_.dims);
  const Fr Sf = Fr::from_u64(S), half = Fr::from_u64(2).inverse();
  const auto xt = padded_table(xs_, x_);
  const size_t sv = spatial_vars(xs_), ny = ys_.num_vars();
  in_claims->clear();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == ny);
    const Fr ind = indicator_mle(ys_, c.point);
    const cp::Val r = nl_.send_range_eval(r_rem_, c.point, tr);
    if (r_comp_ != SIZE_MAX) nl_.send_range_eval(r_comp_, c.point, tr);
    const cp::Val s = Sf * c.value + (r - Sf * ind) * half;
    // f(w) = sum_{nc} eq(z, nc) x(nc, w): x's high variables fixed at z.
    const auto eqz = poly::eq_table<Fr>(c.point);
    std::vector<Fr> f(size_t{1} << sv, Fr::zero());
    for (size_t hi = 0; hi < eqz.size(); ++hi)
      for (size_t w = 0; w < f.size(); ++w) f[w] += eqz[hi] * xt[(hi << sv) | w];
    auto res = sumcheck::prove<Fr>(sum_comp(), {std::move(f)}, tr);
    (void)s;  // equals res.claim for an honest output claim; a wrong claim fails the verifier's round 0
    std::vector<Fr> pt = res.point;
    pt.insert(pt.end(), c.point.begin(), c.point.end());
    in_claims->push_back({std::move(pt), res.final_evals[0]});
    proof.sums.push_back(std::move(res.proof));
  }
  nl_.prove_lookups(tr);
  proof.nl = std::move(nl_.proof);
  *advice_claims = nl_.claims;
  return proof;
}

std::vector<AdviceShape> global_avg_pool_advice_shapes(const GlobalAvgPoolParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  const PaddedShape ys(global_avg_pool_out_dims(params.dims));
  const size_t S = spatial(params.dims);
  nv.add_range("gap.rem", ys.num_vars(), rem_bits(S));
  if (need_comp(S)) nv.add_range("gap.rem_comp", ys.num_vars(), rem_bits(S));
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_global_avg_pool_as(const GlobalAvgPoolParams& params, std::span<const ClaimT<F>> out_claims,
                                  const GlobalAvgPoolProofT<F>& proof, transcript::Transcript& tr,
                                  std::vector<ClaimT<F>>* in_claims, std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("global average pool: " + *why);
  const PaddedShape xs(params.dims), ys(global_avg_pool_out_dims(params.dims));
  const size_t S = spatial(params.dims), ny = ys.num_vars(), sv = spatial_vars(xs);
  if (S > (size_t{1} << 40)) return Verdict::reject("global average pool: too many positions");
  for (const auto& c : out_claims)
    if (c.point.size() != ny) return Verdict::reject("global average pool: claim point has the wrong size");
  if (proof.sums.size() != out_claims.size())
    return Verdict::reject("global average pool: wrong number of sum sumchecks");
  detail::NlVerifierT<F> nv(proof.nl);
  const size_t r_rem = nv.add_range("gap.rem", ny, rem_bits(S));
  const size_t r_comp = need_comp(S) ? nv.add_range("gap.rem_comp", ny, rem_bits(S)) : SIZE_MAX;
  absorb_claims(tr, "gap.claim", out_claims);
  const F Sf = F(Fr::from_u64(S)), half = F(Fr::from_u64(2).inverse());
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "global average pool: claim " + std::to_string(i);
    const F ind = indicator_mle(ys, c.point);
    M r{}, rc{};
    if (!nv.recv_range_eval(r_rem, c.point, tr, &r)) return Verdict::reject(where + ": missing remainder digits");
    if (r_comp != SIZE_MAX) {
      if (!nv.recv_range_eval(r_comp, c.point, tr, &rc)) return Verdict::reject(where + ": missing digits");
      if (r + rc != F(Fr::from_u64(2 * S - 1)) * ind)
        return Verdict::reject(where + ": remainder + complement != 2S - 1");
    }
    const M s = Sf * c.value + (r - Sf * ind) * half;
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify<F>(sum_comp<F>(), sv, s, proof.sums[i], tr, &sub); !v)
      return v.within(where + ": spatial sum");
    std::vector<F> pt = sub.point;
    pt.insert(pt.end(), c.point.begin(), c.point.end());
    ins.push_back({std::move(pt), sub.final_evals[0]});
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("global average pool");
  if (Verdict v = nv.finished(); !v) return v.within("global average pool");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_global_avg_pool_as<Fr>(const GlobalAvgPoolParams&, std::span<const Claim>,
                                               const GlobalAvgPoolProof&, transcript::Transcript&, std::vector<Claim>*,
                                               std::vector<AdviceClaim>*);
template Verdict verify_global_avg_pool_as<snark::CFr>(const GlobalAvgPoolParams&, std::span<const ClaimT<snark::CFr>>,
                                                       const GlobalAvgPoolProofT<snark::CFr>&, transcript::Transcript&,
                                                       std::vector<ClaimT<snark::CFr>>*,
                                                       std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_global_avg_pool(const GlobalAvgPoolParams& params, std::span<const Claim> out_claims,
                               const GlobalAvgPoolProof& proof, transcript::Transcript& tr,
                               std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_global_avg_pool_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers

// ---------------- MaxPool ----------------

namespace zkinfer::layers {

namespace {

std::optional<std::string> bad_maxpool(const MaxPoolParams& p) {
  if (p.dims.size() != 4) return std::string("MaxPool: only rank-4 (N, C, H, W) inputs");
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.kh < 1 || p.kw < 1 || p.sh < 1 || p.sw < 1 || p.kh > 16 || p.kw > 16 || p.sh > 64 || p.sw > 64)
    return std::string("MaxPool: kernel or stride out of range");
  if (p.pt >= p.kh || p.pb >= p.kh || p.pl >= p.kw || p.pr >= p.kw) return std::string("MaxPool: pad >= kernel");
  if (p.dims[2] + p.pt + p.pb < p.kh || p.dims[3] + p.pl + p.pr < p.kw) return std::string("MaxPool: kernel larger than the input");
  if (p.bits < 1 || p.bits > 59) return std::string("MaxPool: bit bound out of range [1, 59]");
  return std::nullopt;
}

size_t clampi(int64_t v, size_t n) { return v < 0 ? 0 : (v >= static_cast<int64_t>(n) ? n - 1 : static_cast<size_t>(v)); }

// The input row (column) read by offset k of output row (column) o.
size_t src(size_t o, size_t k, size_t stride, size_t pad, size_t n) {
  return clampi(static_cast<int64_t>(o * stride + k) - static_cast<int64_t>(pad), n);
}

template <class F>
F eq_at(std::span<const F> r, size_t idx) {
  F acc = F::one();
  for (size_t b = 0; b < r.size(); ++b) acc *= ((idx >> b) & 1) ? r[b] : F::one() - r[b];
  return acc;
}

template <class F = Fr>
std::vector<F> with_index(std::span<const F> z, size_t j, size_t vars) {
  std::vector<F> p(z.begin(), z.end());
  for (size_t b = 0; b < vars; ++b) p.push_back((j >> b) & 1 ? F::one() : F::zero());
  return p;
}

size_t kernel_vars(const MaxPoolParams& p) { return ceil_log2(p.kh * p.kw); }

}  // namespace

std::vector<size_t> MaxPoolParams::out_dims() const {
  return {dims[0], dims[1], (dims[2] + pt + pb - kh) / sh + 1, (dims[3] + pl + pr - kw) / sw + 1};
}

template <>
void MaxPoolProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& s : gather) s.serialize(w);
}

template <field::PrimeField F>
MaxPoolProofT<F> MaxPoolProofT<F>::deserialize(ByteReader& r, const MaxPoolParams& p, size_t num_claims) {
  if (bad_maxpool(p)) r.fail("max pool: bad parameters");
  if (num_claims > 1024) r.fail("max pool: too many claims");
  const PaddedShape xs(p.dims), ys(p.out_dims());
  const size_t K = p.kh * p.kw, nd = ys.num_vars() + kernel_vars(p);
  ProofLayout l;
  l.num_evals = (num_claims + 1) * K * range_eval_count(nd, p.bits + 1);
  append_range_layout(l, nd, p.bits + 1);
  l.sumchecks.push_back({ys.num_vars(), K + 1, K + 1});
  MaxPoolProofT<F> out;
  out.nl = deserialize_proof<F>(r, l);
  for (size_t i = 0; i < num_claims; ++i) out.gather.push_back(sumcheck::Proof<F>::deserialize(r, xs.num_vars(), 2, 2));
  return out;
}
template MaxPoolProofT<Fr> MaxPoolProofT<Fr>::deserialize(ByteReader&, const MaxPoolParams&, size_t);
template MaxPoolProofT<snark::CFr> MaxPoolProofT<snark::CFr>::deserialize(ByteReader&, const MaxPoolParams&, size_t);

MaxPoolProver::MaxPoolProver(const MaxPoolParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y)
    : params_(params), x_(x.begin(), x.end()) {
  if (auto why = bad_maxpool(params)) throw Error("max pool: " + *why);
  xs_ = PaddedShape(params.dims);
  ys_ = PaddedShape(params.out_dims());
  if (x.size() != xs_.unpadded_size()) throw Error("max pool: tensor size does not match the shape");
  const auto od = params.out_dims();
  const size_t N = od[0], C = od[1], OH = od[2], OW = od[3], H = params.dims[2], W = params.dims[3];
  const size_t K = params.kh * params.kw, ny = ys_.num_vars();
  std::vector<int64_t> y(N * C * OH * OW);
  std::vector<int64_t> dall((size_t{1} << kernel_vars(params)) << ny, 0);  // slots j >= K stay 0
  for (size_t nc = 0; nc < N * C; ++nc)
    for (size_t oy = 0; oy < OH; ++oy)
      for (size_t ox = 0; ox < OW; ++ox) {
        const size_t o = (nc * OH + oy) * OW + ox;
        int64_t best = 0;
        for (size_t j = 0; j < K; ++j) {
          const int64_t v = x[(nc * H + src(oy, j / params.kw, params.sh, params.pt, H)) * W +
                              src(ox, j % params.kw, params.sw, params.pl, W)];
          if (j == 0 || v > best) best = v;
        }
        y[o] = forced_y.empty() ? best : forced_y[o];
        const size_t pidx = ys_.index(std::array<size_t, 4>{nc / C, nc % C, oy, ox});
        for (size_t j = 0; j < K; ++j) {
          const int64_t v = x[(nc * H + src(oy, j / params.kw, params.sh, params.pt, H)) * W +
                              src(ox, j % params.kw, params.sw, params.pl, W)];
          dall[(j << ny) | pidx] = y[o] - v;
        }
      }
  y_ = std::move(y);
  d_.resize(K);
  for (size_t j = 0; j < K; ++j) {
    d_[j].resize(size_t{1} << ny);
    for (size_t i = 0; i < d_[j].size(); ++i) d_[j][i] = Fr::from_i64(dall[(j << ny) | i]);
  }
  r_d_ = nl_.add_range("maxpool.diff", dall, params.bits + 1);
}

MaxPoolProof MaxPoolProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                  std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "maxpool.claim", out_claims);
  MaxPoolProof proof;
  const auto od = params_.out_dims();
  const size_t N = od[0], C = od[1], OH = od[2], OW = od[3], H = params_.dims[2], W = params_.dims[3];
  const size_t K = params_.kh * params_.kw, lk = kernel_vars(params_);
  const auto xt = padded_table(xs_, x_);
  in_claims->clear();
  for (const Claim& c : out_claims) {
    cp::Val target;
    std::vector<cp::Val> e(K);
    for (size_t j = 0; j < K; ++j) e[j] = nl_.send_range_eval(r_d_, with_index<Fr>(c.point, j, lk), tr);
    const Fr gamma = tr.challenge<Fr>("maxpool.gamma");
    const auto eqz = poly::eq_table<Fr>(c.point);
    std::vector<Fr> wt(xs_.size(), Fr::zero());
    Fr gj = Fr::one();
    for (size_t j = 0; j < K; ++j, gj *= gamma) {
      target += gj * (c.value - e[j]);
      for (size_t nc = 0; nc < N * C; ++nc)
        for (size_t oy = 0; oy < OH; ++oy)
          for (size_t ox = 0; ox < OW; ++ox) {
            const size_t pidx = ys_.index(std::array<size_t, 4>{nc / C, nc % C, oy, ox});
            const size_t xidx = xs_.index(std::array<size_t, 4>{nc / C, nc % C, src(oy, j / params_.kw, params_.sh, params_.pt, H),
                                                                 src(ox, j % params_.kw, params_.sw, params_.pl, W)});
            wt[xidx] += gj * eqz[pidx];
          }
    }
    (void)target;  // the sumcheck's claim for an honest prover
    auto res = sumcheck::prove<Fr>(sumcheck::Composition<Fr>::product(2), {std::move(wt), xt}, tr);
    in_claims->push_back({res.point, res.final_evals[1]});
    proof.gather.push_back(std::move(res.proof));
  }
  const auto tau = tr.challenges<Fr>("maxpool.tau", ys_.num_vars());
  std::vector<std::vector<Fr>> factors{{}};
  for (const auto& d : d_) factors.push_back(d);
  auto zc = sumcheck::prove_with_eq<Fr>(sumcheck::Composition<Fr>::product(K + 1), tau, std::move(factors), tr);
  for (size_t j = 0; j < K; ++j) nl_.send_range_eval(r_d_, with_index<Fr>(zc.point, j, lk), tr);
  nl_.proof.sumchecks.push_back(std::move(zc.proof));
  nl_.prove_lookups(tr);
  proof.nl = std::move(nl_.proof);
  *advice_claims = nl_.claims;
  return proof;
}

std::vector<AdviceShape> max_pool_advice_shapes(const MaxPoolParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  nv.add_range("maxpool.diff", PaddedShape(params.out_dims()).num_vars() + kernel_vars(params), params.bits + 1);
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_max_pool_as(const MaxPoolParams& params, std::span<const ClaimT<F>> out_claims,
                           const MaxPoolProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                           std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_maxpool(params)) return Verdict::reject("max pool: " + *why);
  const PaddedShape xs(params.dims), ys(params.out_dims());
  const auto od = params.out_dims();
  const size_t H = params.dims[2], W = params.dims[3];
  const size_t K = params.kh * params.kw, lk = kernel_vars(params), ny = ys.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != ny) return Verdict::reject("max pool: claim point has the wrong size");
  if (proof.gather.size() != out_claims.size()) return Verdict::reject("max pool: wrong number of gather sumchecks");
  detail::NlVerifierT<F> nv(proof.nl);
  const size_t r_d = nv.add_range("maxpool.diff", ny + lk, params.bits + 1);
  absorb_claims(tr, "maxpool.claim", out_claims);
  std::vector<ClaimT<F>> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "max pool: claim " + std::to_string(i);
    std::vector<M> e(K);
    for (size_t j = 0; j < K; ++j)
      if (!nv.recv_range_eval(r_d, with_index<F>(c.point, j, lk), tr, &e[j]))
        return Verdict::reject(where + ": missing difference digits");
    const F gamma = tr.challenge<F>("maxpool.gamma");
    M target{};
    F gj = F::one();
    for (size_t j = 0; j < K; ++j, gj *= gamma) target += gj * (c.value - e[j]);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify<F>(sumcheck::Composition<F>::product(2), xs.num_vars(), target, proof.gather[i],
                                        tr, &sub);
        !v)
      return v.within(where + ": gather");
    // The selector's MLE at (z, rho), dimension by dimension.
    const auto zp = split_point(ys, c.point), rp = split_point(xs, sub.point);
    F ident = F::one();
    for (size_t d = 0; d < 2; ++d) {
      F s = F::zero();
      for (size_t t = 0; t < od[d]; ++t) s += eq_at<F>(zp[d], t) * eq_at<F>(rp[d], t);
      ident *= s;
    }
    F sel = F::zero();
    gj = F::one();
    for (size_t j = 0; j < K; ++j, gj *= gamma) {
      F sh = F::zero(), sw = F::zero();
      for (size_t oy = 0; oy < od[2]; ++oy)
        sh += eq_at<F>(zp[2], oy) * eq_at<F>(rp[2], src(oy, j / params.kw, params.sh, params.pt, H));
      for (size_t ox = 0; ox < od[3]; ++ox)
        sw += eq_at<F>(zp[3], ox) * eq_at<F>(rp[3], src(ox, j % params.kw, params.sw, params.pl, W));
      sel += gj * sh * sw;
    }
    if (sub.final_evals[0] != M(ident * sel)) return Verdict::reject(where + ": gather: selector value mismatch");
    ins.push_back({sub.point, sub.final_evals[1]});
  }
  const auto tau = tr.challenges<F>("maxpool.tau", ny);
  sumcheck::Subclaim<F> zc;
  if (Verdict v = nv.verify_zero_check(sumcheck::Composition<F>::product(K + 1), ny, tau, tr, &zc,
                                       "max pool: zero-check prod_j d_j = 0");
      !v)
    return v;
  for (size_t j = 0; j < K; ++j) {
    M dj{};
    if (!nv.recv_range_eval(r_d, with_index<F>(zc.point, j, lk), tr, &dj))
      return Verdict::reject("max pool: zero-check: missing evaluations");
    if (dj != zc.final_evals[j + 1]) return Verdict::reject("max pool: zero-check: d_" + std::to_string(j) + "(rho) != its digits");
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("max pool");
  if (Verdict v = nv.finished(); !v) return v.within("max pool");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_max_pool_as<Fr>(const MaxPoolParams&, std::span<const Claim>, const MaxPoolProof&,
                                        transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_max_pool_as<snark::CFr>(const MaxPoolParams&, std::span<const ClaimT<snark::CFr>>,
                                                const MaxPoolProofT<snark::CFr>&, transcript::Transcript&,
                                                std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_max_pool(const MaxPoolParams& params, std::span<const Claim> out_claims, const MaxPoolProof& proof,
                        transcript::Transcript& tr, std::vector<Claim>* in_claims,
                        std::vector<AdviceClaim>* advice_claims) {
  return verify_max_pool_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers

// ---------------- AveragePool ----------------

namespace zkinfer::layers {

namespace {

constexpr size_t kMaxPoolDim = size_t{1} << 24;

// ops::make_window's output size of one spatial dimension (-1: window larger than the input).
int64_t pool_out(size_t in, size_t k, size_t s, size_t d, size_t pb, size_t pe, bool ceil) {
  const int64_t eff = static_cast<int64_t>((k - 1) * d + 1);
  const int64_t span = static_cast<int64_t>(in + pb + pe) - eff;
  if (span < 0) return -1;
  const int64_t st = static_cast<int64_t>(s);
  int64_t o = (ceil ? (span + st - 1) / st : span / st) + 1;
  if (ceil && (o - 1) * st >= static_cast<int64_t>(in + pb)) --o;
  return o;
}

// Per output row: how many kernel rows the executor counts.
std::vector<int64_t> counts(size_t out, size_t in, size_t k, size_t s, size_t d, size_t pb, size_t pe, bool incl) {
  std::vector<int64_t> c(out, 0);
  const int64_t n = static_cast<int64_t>(in), b = static_cast<int64_t>(pb), e = static_cast<int64_t>(pe);
  for (size_t o = 0; o < out; ++o)
    for (size_t j = 0; j < k; ++j) {
      const int64_t i = static_cast<int64_t>(o * s + j * d) - b;
      if ((i >= 0 && i < n) || (incl && i >= -b && i < n + e)) ++c[o];
    }
  return c;
}

size_t avg_rem_bits(const AvgPoolParams& p) { return ceil_log2(2 * p.kh * p.kw); }

template <class F = Fr>
sumcheck::Composition<F> div_comp() { return sumcheck::Composition<F>::product(3); }

// cnt~(z) over y's layout: I_N I_C Ch~ Cw~.
template <class F = Fr>
F count_mle(const AvgPoolParams& p, const PaddedShape& ys, std::span<const F> z) {
  const auto zp = split_point(ys, z);
  const auto od = ys.dims();
  F acc = eq_prefix_sum(zp[0], od[0]) * eq_prefix_sum(zp[1], od[1]);
  const auto ch = p.row_counts(), cw = p.col_counts();
  for (size_t d = 2; d < 4; ++d) {
    const auto& c = d == 2 ? ch : cw;
    const auto e = poly::eq_table<F>(zp[d]);
    F s = F::zero();
    for (size_t t = 0; t < c.size(); ++t) s += e[t] * F(Fr::from_i64(c[t]));
    acc *= s;
  }
  return acc;
}

void avg_range_layout(ProofLayout& l, size_t n, size_t bits) { append_range_layout(l, n, bits); }

}  // namespace

std::optional<std::string> AvgPoolParams::invalid() const {
  if (dims.size() != 4) return std::string("AveragePool: only rank-4 (N, C, H, W) inputs");
  if (auto why = PaddedShape::invalid(dims)) return why;
  for (size_t v : {kh, kw, sh, sw, dh, dw})
    if (v < 1 || v > 1024) return std::string("AveragePool: kernel, stride or dilation out of range");
  if (kh * kw > (size_t{1} << 20)) return std::string("AveragePool: kernel too large");
  for (size_t v : {pt, pl, pb, pr, dims[2], dims[3]})
    if (v > kMaxPoolDim) return std::string("AveragePool: dimension or pad too large");
  if (bits < 1 || bits > 60) return std::string("AveragePool: bit bound out of range [1, 60]");
  const int64_t oh = pool_out(dims[2], kh, sh, dh, pt, pb, ceil_mode), ow = pool_out(dims[3], kw, sw, dw, pl, pr, ceil_mode);
  if (oh < 1 || ow < 1) return std::string("AveragePool: window larger than the padded input");
  for (int64_t c : row_counts())
    if (c == 0) return std::string("AveragePool: a window lies entirely in the padding");
  for (int64_t c : col_counts())
    if (c == 0) return std::string("AveragePool: a window lies entirely in the padding");
  if (auto why = PaddedShape::invalid(out_dims())) return "AveragePool: output: " + *why;
  const ConvShape cs = window_conv();
  if (auto why = cs.invalid()) return "AveragePool: " + *why;
  if (cs.out_h() != static_cast<size_t>(oh) || cs.out_w() != static_cast<size_t>(ow))
    return std::string("AveragePool: ceil_mode output not expressible as a convolution");
  return std::nullopt;
}

std::vector<size_t> AvgPoolParams::out_dims() const {
  return {dims[0], dims[1], static_cast<size_t>(pool_out(dims[2], kh, sh, dh, pt, pb, ceil_mode)),
          static_cast<size_t>(pool_out(dims[3], kw, sw, dw, pl, pr, ceil_mode))};
}
std::vector<int64_t> AvgPoolParams::row_counts() const {
  return counts(out_dims()[2], dims[2], kh, sh, dh, pt, pb, count_include_pad);
}
std::vector<int64_t> AvgPoolParams::col_counts() const {
  return counts(out_dims()[3], dims[3], kw, sw, dw, pl, pr, count_include_pad);
}

ConvShape AvgPoolParams::window_conv() const {
  const auto od = out_dims();
  ConvShape s;
  s.n = dims[0], s.c = dims[1], s.h = dims[2], s.w = dims[3];
  s.co = dims[1], s.groups = dims[1];
  s.kh = kh, s.kw = kw, s.stride_h = sh, s.stride_w = sw, s.dil_h = dh, s.dil_w = dw;
  s.pad_top = pt, s.pad_left = pl;
  // ceil_mode's extra windows: enough bottom / right padding that the floor-mode size matches.
  const int64_t need_b = static_cast<int64_t>((od[2] - 1) * sh + (kh - 1) * dh + 1) - static_cast<int64_t>(dims[2] + pt);
  const int64_t need_r = static_cast<int64_t>((od[3] - 1) * sw + (kw - 1) * dw + 1) - static_cast<int64_t>(dims[3] + pl);
  s.pad_bottom = std::max<int64_t>(static_cast<int64_t>(pb), need_b);
  s.pad_right = std::max<int64_t>(static_cast<int64_t>(pr), need_r);
  return s;
}

template <>
void AvgPoolProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& t : sums) cp::write(w, t);
  for (const auto& s : div) s.serialize(w);
  window.serialize(w);
}

template <field::PrimeField F>
AvgPoolProofT<F> AvgPoolProofT<F>::deserialize(ByteReader& r, const AvgPoolParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("average pool: bad parameters");
  if (num_claims < 1 || num_claims > 1024) r.fail("average pool: claim count out of range");
  const PaddedShape ys(p.out_dims());
  const size_t ny = ys.num_vars(), m = avg_rem_bits(p);
  const size_t ev_y = range_eval_count(ny, p.bits + 1), ev_r = range_eval_count(ny, m);
  ProofLayout l;
  l.num_evals = num_claims * (2 * ev_y + 2 * ev_r);
  avg_range_layout(l, ny, p.bits + 1);
  avg_range_layout(l, ny, m);
  avg_range_layout(l, ny, m);
  AvgPoolProofT<F> out;
  out.nl = deserialize_proof<F>(r, l);
  for (size_t i = 0; i < num_claims; ++i) out.sums.push_back(sumcheck::read_msg<F>(r));
  for (size_t i = 0; i < num_claims; ++i) out.div.push_back(sumcheck::Proof<F>::deserialize(r, ny, 2, 3));  // eq-sumcheck: 2 values a round
  out.window = ConvProofT<F>::deserialize(r, p.window_conv(), num_claims);
  return out;
}
template AvgPoolProofT<Fr> AvgPoolProofT<Fr>::deserialize(ByteReader&, const AvgPoolParams&, size_t);
template AvgPoolProofT<snark::CFr> AvgPoolProofT<snark::CFr>::deserialize(ByteReader&, const AvgPoolParams&, size_t);

AvgPoolProver::AvgPoolProver(const AvgPoolParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y)
    : params_(params), x_(x.begin(), x.end()) {
  if (auto why = params.invalid()) throw Error("average pool: " + *why);
  xs_ = PaddedShape(params.dims);
  ys_ = PaddedShape(params.out_dims());
  if (x.size() != xs_.unpadded_size() || (!forced_y.empty() && forced_y.size() != ys_.unpadded_size()))
    throw Error("average pool: tensor size does not match the shape");
  const auto od = params.out_dims();
  const size_t NC = od[0] * od[1], OH = od[2], OW = od[3], H = params.dims[2], W = params.dims[3];
  const auto ch = params.row_counts(), cw = params.col_counts();
  std::vector<int64_t> yb(NC * OH * OW), rem(yb.size()), comp(yb.size()), cnt(yb.size());
  y_.resize(yb.size());
  for (size_t p = 0; p < NC; ++p)
    for (size_t oy = 0; oy < OH; ++oy)
      for (size_t ox = 0; ox < OW; ++ox) {
        int64_t acc = 0;
        for (size_t ky = 0; ky < params.kh; ++ky) {
          const int64_t iy = static_cast<int64_t>(oy * params.sh + ky * params.dh) - static_cast<int64_t>(params.pt);
          if (iy < 0 || iy >= static_cast<int64_t>(H)) continue;
          for (size_t kx = 0; kx < params.kw; ++kx) {
            const int64_t ix = static_cast<int64_t>(ox * params.sw + kx * params.dw) - static_cast<int64_t>(params.pl);
            if (ix >= 0 && ix < static_cast<int64_t>(W)) acc += x[(p * H + static_cast<size_t>(iy)) * W + static_cast<size_t>(ix)];
          }
        }
        const size_t o = (p * OH + oy) * OW + ox;
        const int64_t c = ch[oy] * cw[ox];
        // ops::div_round(acc, c), c > 0.
        const int64_t num = 2 * acc + c, den = 2 * c;
        int64_t q = num / den, r = num % den;
        if (r < 0) r += den, --q;
        y_[o] = forced_y.empty() ? q : forced_y[o];
        rem[o] = num - den * y_[o];
        comp[o] = den - 1 - rem[o];
        yb[o] = y_[o] + (int64_t{1} << params.bits);
        cnt[o] = c;
      }
  const auto cp = padded_i64(ys_, cnt), yp = padded_i64(ys_, y_);
  cnt_.resize(cp.size());
  yt_.resize(yp.size());
  for (size_t i = 0; i < cp.size(); ++i) cnt_[i] = Fr::from_i64(cp[i]), yt_[i] = Fr::from_i64(yp[i]);
  const size_t m = avg_rem_bits(params);
  r_y_ = nl_.add_range("avgpool.out", padded_i64(ys_, yb), params.bits + 1);
  r_rem_ = nl_.add_range("avgpool.rem", padded_i64(ys_, rem), m);
  r_comp_ = nl_.add_range("avgpool.rem_comp", padded_i64(ys_, comp), m);
}

AvgPoolProof AvgPoolProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                  std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  ZKINFER_CHECK(!out_claims.empty());
  absorb_claims(tr, "avgpool.claim", out_claims);
  AvgPoolProof proof;
  const Fr half = Fr::from_u64(2).inverse(), off = pow2_fr(params_.bits);
  std::vector<Claim> sums;
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == ys_.num_vars());
    nl_.send_range_eval(r_y_, c.point, tr);
    const cp::Val r = nl_.send_range_eval(r_rem_, c.point, tr);
    nl_.send_range_eval(r_comp_, c.point, tr);
    const auto eqz = poly::eq_table<Fr>(c.point);
    Fr tv = Fr::zero();
    for (size_t i = 0; i < eqz.size(); ++i) tv += eqz[i] * cnt_[i] * yt_[i];
    const cp::Val t = cp::send(tr, tv);
    tr.absorb("avgpool.sum", t);
    proof.sums.push_back(t);
    auto res = sumcheck::prove_with_eq<Fr>(div_comp(), c.point, {{}, cnt_, yt_}, tr);
    nl_.send_range_eval(r_y_, res.point, tr);
    proof.div.push_back(std::move(res.proof));
    (void)off;
    sums.push_back({c.point, t + (r - count_mle<Fr>(params_, ys_, c.point)) * half});
  }
  const ConvShape cs = params_.window_conv();
  const std::vector<int64_t> ones(cs.w_shape().unpadded_size(), 1);
  ConvClaims cc;
  proof.window = prove_conv(cs, x_, ones, {}, sums, tr, &cc);
  in_claims->assign(1, cc.x);
  nl_.prove_lookups(tr);
  proof.nl = std::move(nl_.proof);
  *advice_claims = nl_.claims;
  return proof;
}

std::vector<AdviceShape> avg_pool_advice_shapes(const AvgPoolParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  const size_t ny = PaddedShape(params.out_dims()).num_vars(), m = avg_rem_bits(params);
  nv.add_range("avgpool.out", ny, params.bits + 1);
  nv.add_range("avgpool.rem", ny, m);
  nv.add_range("avgpool.rem_comp", ny, m);
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_avg_pool_as(const AvgPoolParams& params, std::span<const ClaimT<F>> out_claims,
                           const AvgPoolProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                           std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = params.invalid()) return Verdict::reject("average pool: " + *why);
  const PaddedShape ys(params.out_dims());
  const size_t ny = ys.num_vars(), m = avg_rem_bits(params);
  if (out_claims.empty()) return Verdict::reject("average pool: no claims");
  for (const auto& c : out_claims)
    if (c.point.size() != ny) return Verdict::reject("average pool: claim point has the wrong size");
  if (proof.sums.size() != out_claims.size() || proof.div.size() != out_claims.size())
    return Verdict::reject("average pool: wrong number of division sumchecks");
  detail::NlVerifierT<F> nv(proof.nl);
  const size_t r_y = nv.add_range("avgpool.out", ny, params.bits + 1);
  const size_t r_rem = nv.add_range("avgpool.rem", ny, m);
  const size_t r_comp = nv.add_range("avgpool.rem_comp", ny, m);
  absorb_claims(tr, "avgpool.claim", out_claims);
  const F half = F(Fr::from_u64(2).inverse()), off = F(pow2_fr(params.bits)), two = F(Fr::from_u64(2));
  std::vector<ClaimT<F>> sums;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "average pool: claim " + std::to_string(i);
    const F ind = indicator_mle(ys, c.point), cnt = count_mle<F>(params, ys, c.point);
    M yv{}, r{}, rc{};
    if (!nv.recv_range_eval(r_y, c.point, tr, &yv) || !nv.recv_range_eval(r_rem, c.point, tr, &r) ||
        !nv.recv_range_eval(r_comp, c.point, tr, &rc))
      return Verdict::reject(where + ": missing evaluations");
    if (yv - off * ind != c.value) return Verdict::reject(where + ": output != its range-checked digits");
    if (r + rc != two * cnt - ind) return Verdict::reject(where + ": remainder + complement != 2 cnt - 1");
    const M t = proof.sums[i];
    tr.absorb("avgpool.sum", t);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify_with_eq<F>(div_comp<F>(), c.point, t, proof.div[i], tr, &sub); !v)
      return v.within(where + ": count . output sum");
    if (sub.final_evals[0] != M(poly::eq_eval<F>(c.point, sub.point)))
      return Verdict::reject(where + ": count . output sum: eq mismatch");
    if (sub.final_evals[1] != M(count_mle<F>(params, ys, sub.point)))
      return Verdict::reject(where + ": count . output sum: count mismatch");
    M yr{};
    if (!nv.recv_range_eval(r_y, sub.point, tr, &yr)) return Verdict::reject(where + ": missing evaluations");
    if (yr - off * indicator_mle(ys, sub.point) != sub.final_evals[2])
      return Verdict::reject(where + ": count . output sum: output != its digits");
    sums.push_back({c.point, t + (r - cnt) * half});
  }
  const ConvShape cs = params.window_conv();
  ConvClaimsT<F> cc;
  if (Verdict v = verify_conv_as<F>(cs, sums, proof.window, tr, &cc); !v) return v.within("average pool: window sums");
  const PaddedShape ws = cs.w_shape();
  for (const auto& w : cc.w)
    if (w.point.size() != ws.num_vars() || w.value != M(indicator_mle(ws, w.point)))
      return Verdict::reject("average pool: window sums: kernel claim is not the all-ones kernel");
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("average pool");
  if (Verdict v = nv.finished(); !v) return v.within("average pool");
  in_claims->assign(1, cc.x);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_avg_pool_as<Fr>(const AvgPoolParams&, std::span<const Claim>, const AvgPoolProof&,
                                        transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_avg_pool_as<snark::CFr>(const AvgPoolParams&, std::span<const ClaimT<snark::CFr>>,
                                                const AvgPoolProofT<snark::CFr>&, transcript::Transcript&,
                                                std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_avg_pool(const AvgPoolParams& params, std::span<const Claim> out_claims, const AvgPoolProof& proof,
                        transcript::Transcript& tr, std::vector<Claim>* in_claims,
                        std::vector<AdviceClaim>* advice_claims) {
  return verify_avg_pool_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
