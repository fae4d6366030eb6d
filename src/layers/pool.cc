// GlobalAveragePool. See pool.h and docs/protocol/nonlinear.md, section 5.
#include "layers/pool.h"

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
  const DigitPlan dp = DigitPlan::make(m);
  const size_t ranges = need_comp(S) ? 2 : 1;
  l.num_evals = num_claims * ranges * (dp.num_low + 1);
  for (size_t i = 0; i < ranges; ++i) {
    if (dp.num_low > 0) l.lookups.push_back({ny + dp.low_vars, kDigitBits, 1});
    l.lookups.push_back({ny, dp.top_bits, 1});
  }
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
