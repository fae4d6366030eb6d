// GlobalAveragePool. See pool.h and docs/protocol/nonlinear.md, section 5.
#include "layers/pool.h"

#include <array>

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
sumcheck::Composition<Fr> sum_comp() { return sumcheck::Composition<Fr>::product(1); }
}  // namespace

std::vector<size_t> global_avg_pool_out_dims(const std::vector<size_t>& d) {
  std::vector<size_t> o(d.size(), 1);
  o[0] = d[0];
  o[1] = d[1];
  return o;
}

void GlobalAvgPoolProof::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& s : sums) s.serialize(w);
}

GlobalAvgPoolProof GlobalAvgPoolProof::deserialize(ByteReader& r, const GlobalAvgPoolParams& p, size_t num_claims) {
  if (bad_params(p)) r.fail("global average pool: bad parameters");
  if (num_claims > 1024) r.fail("global average pool: too many claims");
  const PaddedShape xs(p.dims), ys(global_avg_pool_out_dims(p.dims));
  const size_t S = spatial(p.dims), m = rem_bits(S), ny = ys.num_vars();
  ProofLayout l;
  const size_t ranges = need_comp(S) ? 2 : 1;
  l.num_evals = num_claims * ranges * range_eval_count(ny, m);
  for (size_t i = 0; i < ranges; ++i) append_range_layout(l, ny, m);
  GlobalAvgPoolProof out;
  out.nl = deserialize_proof(r, l);
  for (size_t i = 0; i < num_claims; ++i)
    out.sums.push_back(sumcheck::Proof<Fr>::deserialize(r, spatial_vars(xs), 1, 1));
  return out;
}

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
    const Fr r = nl_.send_range_eval(r_rem_, c.point, tr);
    if (r_comp_ != SIZE_MAX) nl_.send_range_eval(r_comp_, c.point, tr);
    const Fr s = Sf * c.value + (r - Sf * ind) * half;
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

Verdict verify_global_avg_pool(const GlobalAvgPoolParams& params, std::span<const Claim> out_claims,
                               const GlobalAvgPoolProof& proof, transcript::Transcript& tr,
                               std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  if (auto why = bad_params(params)) return Verdict::reject("global average pool: " + *why);
  const PaddedShape xs(params.dims), ys(global_avg_pool_out_dims(params.dims));
  const size_t S = spatial(params.dims), ny = ys.num_vars(), sv = spatial_vars(xs);
  if (S > (size_t{1} << 40)) return Verdict::reject("global average pool: too many positions");
  for (const auto& c : out_claims)
    if (c.point.size() != ny) return Verdict::reject("global average pool: claim point has the wrong size");
  if (proof.sums.size() != out_claims.size())
    return Verdict::reject("global average pool: wrong number of sum sumchecks");
  detail::NlVerifier nv(proof.nl);
  const size_t r_rem = nv.add_range("gap.rem", ny, rem_bits(S));
  const size_t r_comp = need_comp(S) ? nv.add_range("gap.rem_comp", ny, rem_bits(S)) : SIZE_MAX;
  absorb_claims(tr, "gap.claim", out_claims);
  const Fr Sf = Fr::from_u64(S), half = Fr::from_u64(2).inverse();
  std::vector<Claim> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const Claim& c = out_claims[i];
    const std::string where = "global average pool: claim " + std::to_string(i);
    const Fr ind = indicator_mle(ys, c.point);
    Fr r, rc;
    if (!nv.recv_range_eval(r_rem, c.point, tr, &r)) return Verdict::reject(where + ": missing remainder digits");
    if (r_comp != SIZE_MAX) {
      if (!nv.recv_range_eval(r_comp, c.point, tr, &rc)) return Verdict::reject(where + ": missing digits");
      if (r + rc != (Fr::from_u64(2 * S - 1)) * ind)
        return Verdict::reject(where + ": remainder + complement != 2S - 1");
    }
    const Fr s = Sf * c.value + (r - Sf * ind) * half;
    sumcheck::Subclaim<Fr> sub;
    if (Verdict v = sumcheck::verify<Fr>(sum_comp(), sv, s, proof.sums[i], tr, &sub); !v)
      return v.within(where + ": spatial sum");
    std::vector<Fr> pt = sub.point;
    pt.insert(pt.end(), c.point.begin(), c.point.end());
    ins.push_back({std::move(pt), sub.final_evals[0]});
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("global average pool");
  if (Verdict v = nv.finished(); !v) return v.within("global average pool");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
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

Fr eq_at(std::span<const Fr> r, size_t idx) {
  Fr acc = Fr::one();
  for (size_t b = 0; b < r.size(); ++b) acc *= ((idx >> b) & 1) ? r[b] : Fr::one() - r[b];
  return acc;
}

std::vector<Fr> with_index(std::span<const Fr> z, size_t j, size_t vars) {
  std::vector<Fr> p(z.begin(), z.end());
  for (size_t b = 0; b < vars; ++b) p.push_back((j >> b) & 1 ? Fr::one() : Fr::zero());
  return p;
}

size_t kernel_vars(const MaxPoolParams& p) { return ceil_log2(p.kh * p.kw); }

}  // namespace

std::vector<size_t> MaxPoolParams::out_dims() const {
  return {dims[0], dims[1], (dims[2] + pt + pb - kh) / sh + 1, (dims[3] + pl + pr - kw) / sw + 1};
}

void MaxPoolProof::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& s : gather) s.serialize(w);
}

MaxPoolProof MaxPoolProof::deserialize(ByteReader& r, const MaxPoolParams& p, size_t num_claims) {
  if (bad_maxpool(p)) r.fail("max pool: bad parameters");
  if (num_claims > 1024) r.fail("max pool: too many claims");
  const PaddedShape xs(p.dims), ys(p.out_dims());
  const size_t K = p.kh * p.kw, nd = ys.num_vars() + kernel_vars(p);
  ProofLayout l;
  l.num_evals = (num_claims + 1) * K * range_eval_count(nd, p.bits + 1);
  append_range_layout(l, nd, p.bits + 1);
  l.sumchecks.push_back({ys.num_vars(), K + 1, K + 1});
  MaxPoolProof out;
  out.nl = deserialize_proof(r, l);
  for (size_t i = 0; i < num_claims; ++i) out.gather.push_back(sumcheck::Proof<Fr>::deserialize(r, xs.num_vars(), 2, 2));
  return out;
}

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
    Fr target = Fr::zero();
    std::vector<Fr> e(K);
    for (size_t j = 0; j < K; ++j) e[j] = nl_.send_range_eval(r_d_, with_index(c.point, j, lk), tr);
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
  for (size_t j = 0; j < K; ++j) nl_.send_range_eval(r_d_, with_index(zc.point, j, lk), tr);
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

Verdict verify_max_pool(const MaxPoolParams& params, std::span<const Claim> out_claims, const MaxPoolProof& proof,
                        transcript::Transcript& tr, std::vector<Claim>* in_claims,
                        std::vector<AdviceClaim>* advice_claims) {
  if (auto why = bad_maxpool(params)) return Verdict::reject("max pool: " + *why);
  const PaddedShape xs(params.dims), ys(params.out_dims());
  const auto od = params.out_dims();
  const size_t H = params.dims[2], W = params.dims[3];
  const size_t K = params.kh * params.kw, lk = kernel_vars(params), ny = ys.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != ny) return Verdict::reject("max pool: claim point has the wrong size");
  if (proof.gather.size() != out_claims.size()) return Verdict::reject("max pool: wrong number of gather sumchecks");
  detail::NlVerifier nv(proof.nl);
  const size_t r_d = nv.add_range("maxpool.diff", ny + lk, params.bits + 1);
  absorb_claims(tr, "maxpool.claim", out_claims);
  std::vector<Claim> ins;
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const Claim& c = out_claims[i];
    const std::string where = "max pool: claim " + std::to_string(i);
    std::vector<Fr> e(K);
    for (size_t j = 0; j < K; ++j)
      if (!nv.recv_range_eval(r_d, with_index(c.point, j, lk), tr, &e[j]))
        return Verdict::reject(where + ": missing difference digits");
    const Fr gamma = tr.challenge<Fr>("maxpool.gamma");
    Fr target = Fr::zero(), gj = Fr::one();
    for (size_t j = 0; j < K; ++j, gj *= gamma) target += gj * (c.value - e[j]);
    sumcheck::Subclaim<Fr> sub;
    if (Verdict v = sumcheck::verify<Fr>(sumcheck::Composition<Fr>::product(2), xs.num_vars(), target,
                                         proof.gather[i], tr, &sub);
        !v)
      return v.within(where + ": gather");
    // The selector's MLE at (z, rho), dimension by dimension.
    const auto zp = split_point(ys, c.point), rp = split_point(xs, sub.point);
    Fr ident = Fr::one();
    for (size_t d = 0; d < 2; ++d) {
      Fr s = Fr::zero();
      for (size_t t = 0; t < od[d]; ++t) s += eq_at(zp[d], t) * eq_at(rp[d], t);
      ident *= s;
    }
    Fr sel = Fr::zero();
    gj = Fr::one();
    for (size_t j = 0; j < K; ++j, gj *= gamma) {
      Fr sh = Fr::zero(), sw = Fr::zero();
      for (size_t oy = 0; oy < od[2]; ++oy)
        sh += eq_at(zp[2], oy) * eq_at(rp[2], src(oy, j / params.kw, params.sh, params.pt, H));
      for (size_t ox = 0; ox < od[3]; ++ox)
        sw += eq_at(zp[3], ox) * eq_at(rp[3], src(ox, j % params.kw, params.sw, params.pl, W));
      sel += gj * sh * sw;
    }
    if (sub.final_evals[0] != ident * sel) return Verdict::reject(where + ": gather: selector value mismatch");
    ins.push_back({sub.point, sub.final_evals[1]});
  }
  const auto tau = tr.challenges<Fr>("maxpool.tau", ny);
  const sumcheck::Proof<Fr>* sp = nv.next_sumcheck();
  if (sp == nullptr) return Verdict::reject("max pool: missing zero-check");
  sumcheck::Subclaim<Fr> zc;
  if (Verdict v = sumcheck::verify<Fr>(sumcheck::Composition<Fr>::product(K + 1), ny, Fr::zero(), *sp, tr, &zc); !v)
    return v.within("max pool: zero-check prod_j d_j = 0");
  if (zc.final_evals[0] != poly::eq_eval<Fr>(tau, zc.point)) return Verdict::reject("max pool: zero-check: eq mismatch");
  for (size_t j = 0; j < K; ++j) {
    Fr dj;
    if (!nv.recv_range_eval(r_d, with_index(zc.point, j, lk), tr, &dj))
      return Verdict::reject("max pool: zero-check: missing evaluations");
    if (dj != zc.final_evals[j + 1]) return Verdict::reject("max pool: zero-check: d_" + std::to_string(j) + "(rho) != its digits");
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("max pool");
  if (Verdict v = nv.finished(); !v) return v.within("max pool");
  *in_claims = std::move(ins);
  *advice_claims = std::move(nv.claims);
  return Verdict::accept();
}

}  // namespace zkinfer::layers
