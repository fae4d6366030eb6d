// Reductions over axes: Sum, Mean, Max, Min (reduce.h; docs/protocol/nonlinear.md, section 11).
#include "layers/reduce.h"

#include <type_traits>

#include "common/check.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::pow2_fr;
using Op = ReduceParams::Op;

namespace {

constexpr size_t kMaxCount = 4096;  // the row sums send S~(j, tau') for each of the K (padded) j

bool is_extremum(const ReduceParams& p) { return p.op == Op::kMax || p.op == Op::kMin; }
size_t mean_bits(size_t K) { return ceil_log2(2 * K) < 1 ? 1 : ceil_log2(2 * K); }
RescaleParams rescale_params(const ReduceParams& p) { return {p.out_dims(), p.shift, p.out_bits}; }


// The variable structure: which x variables belong to kept dimensions (and their y variable) and
// which to reduced dimensions (and their bit in the reduced index jp), and the valid jp values.
struct Vars {
  size_t nx = 0, ny = 0, nj = 0;
  std::vector<int> yvar, jbit;  // per x variable: its y variable or -1; its jp bit or -1
  std::vector<size_t> valid;    // jp of the K reduced entries, increasing
  Vars(const ReduceParams& p) {
    const size_t r = p.dims.size();
    std::vector<size_t> nv(r);
    for (size_t d = 0; d < r; ++d) nv[d] = ceil_log2(p.dims[d]);
    // x variables: last dimension lowest.
    for (size_t d = r; d-- > 0;)
      for (size_t k = 0; k < nv[d]; ++k) {
        if (p.axes[d]) {
          yvar.push_back(-1);
          jbit.push_back(static_cast<int>(nj++));
        } else {
          yvar.push_back(static_cast<int>(ny++));
          jbit.push_back(-1);
        }
      }
    nx = yvar.size();
    for (size_t jp = 0; jp < (size_t{1} << nj); ++jp) {
      // decode per reduced dimension (last dimension lowest) and check the range
      size_t bit = 0;
      bool ok = true;
      for (size_t d = r; d-- > 0;) {
        if (!p.axes[d]) continue;
        const size_t c = (jp >> bit) & ((size_t{1} << nv[d]) - 1);
        if (c >= p.dims[d]) ok = false;
        bit += nv[d];
      }
      if (ok) valid.push_back(jp);
    }
  }
  size_t yidx(size_t w) const {
    size_t o = 0;
    for (size_t v = 0; v < nx; ++v)
      if (yvar[v] >= 0 && ((w >> v) & 1)) o |= size_t{1} << yvar[v];
    return o;
  }
  size_t jidx(size_t w) const {
    size_t o = 0;
    for (size_t v = 0; v < nx; ++v)
      if (jbit[v] >= 0 && ((w >> v) & 1)) o |= size_t{1} << jbit[v];
    return o;
  }
  std::vector<Fr> x_point(std::span<const Fr> z, size_t jp) const {
    std::vector<Fr> out(nx);
    for (size_t v = 0; v < nx; ++v)
      out[v] = yvar[v] >= 0 ? z[static_cast<size_t>(yvar[v])] : ((jp >> jbit[v]) & 1 ? Fr::one() : Fr::zero());
    return out;
  }
  std::vector<Fr> y_part(std::span<const Fr> w) const {
    std::vector<Fr> out(ny);
    for (size_t v = 0; v < nx; ++v)
      if (yvar[v] >= 0) out[static_cast<size_t>(yvar[v])] = w[v];
    return out;
  }
  // x's point with the reduced coordinates at a field point r (nj values). (Over any field type.)
  template <class F>
  std::vector<F> x_point_at(std::span<const F> z, std::span<const F> r) const {
    std::vector<F> out(nx);
    for (size_t v = 0; v < nx; ++v) out[v] = yvar[v] >= 0 ? z[static_cast<size_t>(yvar[v])] : r[static_cast<size_t>(jbit[v])];
    return out;
  }
  // sum over the valid j of eq(r, j).
  template <class F>
  F valid_weight(std::span<const F> r) const {
    F s = F::zero();
    for (size_t jp : valid) {
      F e = F::one();
      for (size_t k = 0; k < nj; ++k) e *= (jp >> k) & 1 ? r[k] : F::one() - r[k];
      s += e;
    }
    return s;
  }
  template <class F>
  static std::vector<F> cat(std::span<const F> a, std::span<const F> b) {
    std::vector<F> out(a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
  }
  template <class F>
  std::vector<F> d_point(std::span<const F> z, size_t jp) const {
    std::vector<F> out(z.begin(), z.end());
    for (size_t k = 0; k < nj; ++k) out.push_back((jp >> k) & 1 ? F::one() : F::zero());
    return out;
  }
};

// A Sum's claim s~(z) = c as the claim on x at the half point: s~(z) = sum over every reduced index
// j (padding included, where x is 0) of x~(z, j), and the sum of a multilinear polynomial over the
// Boolean cube of its nj variables is 2^nj times its value at (1/2, ..., 1/2).
template <class F>
ClaimT<F> half_claim(const Vars& vs, const ClaimT<F>& c) {
  const Fr half = Fr::from_u64(2).inverse();
  const std::vector<F> h(vs.nj, F(half));
  Fr scale = Fr::one();
  for (size_t k = 0; k < vs.nj; ++k) scale *= half;
  return {vs.x_point_at<F>(c.point, h), c.value * F(scale)};
}

// Every reduced index valid (each reduced dimension a power of two): the selector's row sums are
// one evaluation at the half point of the reduced variables.
bool all_valid(const Vars& vs) { return vs.valid.size() == (size_t{1} << vs.nj); }
// (rows, 1/2, ..., 1/2): the selector's point with nj halves in its reduced (high) variables.
template <class F>
std::vector<F> half_point(std::span<const F> rows, size_t nj) {
  std::vector<F> out(rows.begin(), rows.end());
  out.insert(out.end(), nj, F(Fr::from_u64(2).inverse()));
  return out;
}

template <class Nl>
void register_ranges(Nl& nl, const ReduceParams& p, const Vars& vs, size_t* a, size_t* b, const std::vector<int64_t>* va,
                     const std::vector<int64_t>* vb) {
  auto add = [&](const char* name, size_t n, size_t bits, const std::vector<int64_t>* v) -> size_t {
    if constexpr (std::is_same_v<Nl, detail::NlProver>) {
      (void)n;
      return nl.add_range(name, *v, bits);
    } else {
      (void)v;
      return nl.add_range(name, n, bits);
    }
  };
  if (p.op == Op::kMean) {
    *a = add("reduce.rem", vs.ny, mean_bits(p.count()), va);
    *b = add("reduce.rem_comp", vs.ny, mean_bits(p.count()), vb);
  } else if (is_extremum(p)) {
    *a = add("reduce.diff", vs.ny + vs.nj, p.bits + 1, va);
    *b = add("reduce.sel", vs.ny + vs.nj, 1, vb);
  }
}

}  // namespace

std::optional<std::string> ReduceParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (axes.size() != dims.size()) return std::string("axes mask size differs from the rank");
  if (count() == 0) return std::string("empty reduction");
  if (op == Op::kSum) {
    if (shift > 61) return std::string("shift above 61");
    if (out_bits > 60 || (shift == 0 && out_bits > 0)) return std::string("out_bits without a rescale or above 60");
  } else if (shift != 0 || out_bits != 0) {
    return std::string("shift or out_bits given for a reduction without a rescale");
  }
  if (is_extremum(*this)) {
    if (bits < 1 || bits > 60) return std::string("bit bound out of range [1, 60]");
    if (count() > kMaxCount) return std::string("more than 4096 entries per output (not supported yet)");
  }
  return std::nullopt;
}

std::vector<size_t> ReduceParams::out_dims() const {
  std::vector<size_t> o = dims;
  for (size_t d = 0; d < o.size() && d < axes.size(); ++d)
    if (axes[d]) o[d] = 1;
  return o;
}

size_t ReduceParams::count() const {
  size_t k = 1;
  for (size_t d = 0; d < dims.size() && d < axes.size(); ++d)
    if (axes[d]) k *= dims[d];
  return k;
}

template <>
void ReduceProofT<Fr>::serialize(ByteWriter& w) const {
  rescale.serialize(w);
  nl.serialize(w);
}

template <field::PrimeField F>
ReduceProofT<F> ReduceProofT<F>::deserialize(ByteReader& r, const ReduceParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("reduce: bad parameters");
  if (num_claims > 1024) r.fail("reduce: too many claims");
  const Vars vs(p);
  ReduceProofT<F> out;
  if (p.op == Op::kSum && p.shift > 0) out.rescale = deserialize_proof<F>(r, rescale_proof_layout(rescale_params(p), num_claims));
  ProofLayout l;
  if (p.op == Op::kMean) {
    const size_t m = mean_bits(p.count());
    l.num_evals = num_claims * 2 * range_eval_count(vs.ny, m);
    append_range_layout(l, vs.ny, m);
    append_range_layout(l, vs.ny, m);
  } else if (is_extremum(p)) {
    const size_t n = vs.ny + vs.nj;
    const size_t row_sums = all_valid(vs) ? 1 : (size_t{1} << vs.nj);
    l.num_evals = (num_claims + 1) * range_eval_count(n, p.bits + 1) + (1 + row_sums) * range_eval_count(n, 1);
    append_range_layout(l, n, p.bits + 1);
    append_range_layout(l, n, 1);
    l.sumchecks.push_back({n, 3, 3});
  }
  out.nl = deserialize_proof<F>(r, l);
  return out;
}
template ReduceProofT<Fr> ReduceProofT<Fr>::deserialize(ByteReader&, const ReduceParams&, size_t);
template ReduceProofT<snark::CFr> ReduceProofT<snark::CFr>::deserialize(ByteReader&, const ReduceParams&, size_t);

ReduceProver::ReduceProver(const ReduceParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y)
    : params_(params) {
  if (auto why = params.invalid()) throw Error("reduce: " + *why);
  xs_ = PaddedShape(params.dims);
  ys_ = PaddedShape(params.out_dims());
  if (x.size() != xs_.unpadded_size()) throw Error("reduce: tensor size does not match the shape");
  const Vars vs(params);
  x_ = detail::padded_i64(xs_, x);  // padded
  const size_t NY = ys_.size();
  // Per padded y index: the reduced values (valid entries only).
  s_.assign(NY, 0);
  std::vector<int64_t> ext(NY, 0);
  std::vector<bool> seen(NY, false);
  std::vector<bool> valid_j(size_t{1} << vs.nj, false);
  for (size_t jp : vs.valid) valid_j[jp] = true;
  for (size_t w = 0; w < x_.size(); ++w) {
    if (!valid_j[vs.jidx(w)]) continue;
    const size_t yi = vs.yidx(w);
    s_[yi] += x_[w];
    const bool better = params.op == Op::kMax ? x_[w] > ext[yi] : x_[w] < ext[yi];
    if (!seen[yi] || better) ext[yi] = x_[w];
    seen[yi] = true;
  }
  // y on the padded layout, then unpadded for output().
  std::vector<int64_t> yp(NY, 0);
  const auto K = static_cast<int64_t>(params.count());
  std::vector<int64_t> rem(NY, 0), comp(NY, 0);
  std::vector<int64_t> ones(ys_.unpadded_size(), 1);
  const auto ind = detail::padded_i64(ys_, ones);
  std::vector<int64_t> forced_p;
  if (!forced_y.empty()) {
    if (forced_y.size() != ys_.unpadded_size()) throw Error("reduce: forced output size");
    forced_p = detail::padded_i64(ys_, forced_y);
  }
  switch (params.op) {
    case Op::kSum:
      if (params.shift > 0) {
        // s on the unpadded layout for the rescale prover
        std::vector<int64_t> su(ys_.unpadded_size());
        {
          std::vector<size_t> idx(ys_.rank(), 0);
          for (size_t i = 0; i < su.size(); ++i) {
            su[i] = s_[ys_.index(idx)];
            for (size_t d = ys_.rank(); d-- > 0;) {
              if (++idx[d] < ys_.dims()[d]) break;
              idx[d] = 0;
            }
          }
        }
        rescale_ = std::make_unique<RescaleProver>(rescale_params(params), su);
        y_ = rescale_->output();
        return;
      }
      yp = s_;
      break;
    case Op::kMean:
      for (size_t i = 0; i < NY; ++i) {
        if (!ind[i]) continue;
        const int64_t num = 2 * s_[i] + K, den = 2 * K;
        int64_t q = num / den, r = num % den;
        if (r < 0) r += den, --q;
        if (!forced_p.empty()) q = forced_p[i], r = num - den * q;
        yp[i] = q;
        rem[i] = r;
        comp[i] = den - 1 - r;
      }
      break;
    case Op::kMax:
    case Op::kMin:
      yp = forced_p.empty() ? ext : forced_p;
      break;
  }
  {
    y_.resize(ys_.unpadded_size());
    std::vector<size_t> idx(ys_.rank(), 0);
    for (size_t i = 0; i < y_.size(); ++i) {
      y_[i] = yp[ys_.index(idx)];
      for (size_t d = ys_.rank(); d-- > 0;) {
        if (++idx[d] < ys_.dims()[d]) break;
        idx[d] = 0;
      }
    }
  }
  std::vector<int64_t> diff, sel;
  if (is_extremum(params)) {
    diff.assign(size_t{1} << (vs.ny + vs.nj), 0);
    for (size_t w = 0; w < x_.size(); ++w) {
      const size_t jp = vs.jidx(w);
      if (!valid_j[jp]) continue;
      const size_t yi = vs.yidx(w);
      diff[(jp << vs.ny) | yi] = params.op == Op::kMax ? yp[yi] - x_[w] : x_[w] - yp[yi];
    }
    // The selector: per row the first valid j where the difference is 0 (a forced wrong y has
    // none: the first valid j, and the zero-check fails).
    sel.assign(diff.size(), 0);
    for (size_t yi = 0; yi < NY; ++yi) {
      size_t pick = vs.valid[0];
      for (size_t jp : vs.valid)
        if (diff[(jp << vs.ny) | yi] == 0) {
          pick = jp;
          break;
        }
      sel[(pick << vs.ny) | yi] = 1;
    }
  }
  register_ranges(nl_, params, vs, &r_a_, &r_b_, is_extremum(params) ? &diff : &rem, is_extremum(params) ? &sel : &comp);
  diff_ = std::move(diff);
  sel_ = std::move(sel);
  s_ = yp;  // keep the padded y (extremum zero-check) ; s for Sum/Mean is recomputed from x
}

const std::vector<LayerAdvice>& ReduceProver::advice() const { return rescale_ ? rescale_->advice() : nl_.advice; }

ReduceProof ReduceProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                                std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  absorb_claims(tr, "reduce.claim", out_claims);
  ReduceProof proof;
  const Vars vs(params_);
  in_claims->clear();
  advice_claims->clear();
  if (is_extremum(params_)) {
    const size_t n = vs.ny + vs.nj;
    const auto r = tr.challenges<Fr>("reduce.r", vs.nj);
    const Fr V = vs.valid_weight<Fr>(r);
    for (const Claim& c : out_claims) {
      ZKINFER_CHECK(c.point.size() == vs.ny);
      const cp::Val d = nl_.send_range_eval(r_a_, Vars::cat<Fr>(c.point, r), tr);
      in_claims->push_back({vs.x_point_at<Fr>(c.point, r), params_.op == Op::kMax ? c.value * V - d : c.value * V + d});
    }
    const auto tau = tr.challenges<Fr>("reduce.tau", n);
    std::vector<std::vector<Fr>> factors;
    factors.push_back({});
    for (const auto* v : {&sel_, &diff_}) {
      std::vector<Fr> t(v->size());
      for (size_t i = 0; i < t.size(); ++i) t[i] = Fr::from_i64((*v)[i]);
      factors.push_back(std::move(t));
    }
    auto res = sumcheck::prove_with_eq<Fr>(sumcheck::Composition<Fr>::product(3), tau, std::move(factors), tr);
    nl_.proof.sumchecks.push_back(std::move(res.proof));
    nl_.send_range_eval(r_b_, res.point, tr);
    nl_.send_range_eval(r_a_, res.point, tr);
    const auto rows = tr.challenges<Fr>("reduce.rows", vs.ny);
    if (all_valid(vs)) {
      nl_.send_range_eval(r_b_, half_point<Fr>(rows, vs.nj), tr);
    } else {
      for (size_t jp = 0; jp < (size_t{1} << vs.nj); ++jp) nl_.send_range_eval(r_b_, vs.d_point<Fr>(rows, jp), tr);
    }
    nl_.prove_lookups(tr);
    proof.nl = std::move(nl_.proof);
    *advice_claims = nl_.claims;
    return proof;
  }
  std::vector<Claim> sc;
  if (rescale_) {
    proof.rescale = rescale_->prove(out_claims, tr, &sc, advice_claims);
  } else if (params_.op == Op::kSum) {
    sc.assign(out_claims.begin(), out_claims.end());
  } else {  // Mean
    const Fr Kf = Fr::from_u64(params_.count()), half = Fr::from_u64(2).inverse();
    for (const Claim& c : out_claims) {
      ZKINFER_CHECK(c.point.size() == vs.ny);
      const cp::Val r = nl_.send_range_eval(r_a_, c.point, tr);
      nl_.send_range_eval(r_b_, c.point, tr);
      sc.push_back({c.point, Kf * c.value + (r - Kf * indicator_mle(ys_, c.point)) * half});
    }
  }
  // Sum / Mean: s~(z) = sum_j x~(z, j) = 2^nj x~(z, 1/2, ..., 1/2) (x vanishes on its padding):
  // the claim on x at the half point, with no message (docs/protocol/nonlinear.md, section 11).
  for (const Claim& c : sc) in_claims->push_back(half_claim<Fr>(vs, c));
  if (params_.op == Op::kMean) {
    nl_.prove_lookups(tr);
    proof.nl = std::move(nl_.proof);
    *advice_claims = nl_.claims;
  }
  return proof;
}

std::vector<AdviceShape> reduce_advice_shapes(const ReduceParams& params) {
  if (auto why = params.invalid()) throw Error("reduce: " + *why);
  if (params.op == Op::kSum) return params.shift > 0 ? rescale_advice_shapes(rescale_params(params)) : std::vector<AdviceShape>{};
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  size_t a = 0, b = 0;
  register_ranges(nv, params, Vars(params), &a, &b, nullptr, nullptr);
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_reduce_as(const ReduceParams& params, std::span<const ClaimT<F>> out_claims, const ReduceProofT<F>& proof,
                         transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                         std::vector<AdviceClaimT<F>>* advice_claims) {
  using M = sumcheck::Msg<F>;
  if (auto why = params.invalid()) return Verdict::reject("reduce: " + *why);
  const Vars vs(params);
  const PaddedShape ys(params.out_dims());
  for (const auto& c : out_claims)
    if (c.point.size() != vs.ny) return Verdict::reject("reduce: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof.nl);
  size_t ra = 0, rb = 0;
  register_ranges(nv, params, vs, &ra, &rb, nullptr, nullptr);
  absorb_claims(tr, "reduce.claim", out_claims);
  std::vector<ClaimT<F>> ins;
  std::vector<AdviceClaimT<F>> adv;
  if (is_extremum(params)) {
    if (!proof.rescale.evals.empty()) return Verdict::reject("reduce: unexpected proof parts");
    const size_t n = vs.ny + vs.nj;
    const auto r = tr.challenges<F>("reduce.r", vs.nj);
    const F V = vs.valid_weight<F>(r);
    for (size_t i = 0; i < out_claims.size(); ++i) {
      const ClaimT<F>& c = out_claims[i];
      M d{};
      if (!nv.recv_range_eval(ra, Vars::cat<F>(c.point, r), tr, &d))
        return Verdict::reject("reduce: claim " + std::to_string(i) + ": missing difference evaluation");
      ins.push_back({vs.x_point_at<F>(c.point, r), params.op == Op::kMax ? c.value * V - d : c.value * V + d});
    }
    const auto tau = tr.challenges<F>("reduce.tau", n);
    sumcheck::Subclaim<F> sub;
    if (Verdict v = nv.verify_zero_check(sumcheck::Composition<F>::product(3), n, tau, tr, &sub,
                                         "reduce: zero-check (the selected difference is not zero)");
        !v)
      return v;
    M sv{}, dv{};
    if (!nv.recv_range_eval(rb, sub.point, tr, &sv) || !nv.recv_range_eval(ra, sub.point, tr, &dv))
      return Verdict::reject("reduce: zero-check: missing evaluations");
    if (sv != sub.final_evals[1]) return Verdict::reject("reduce: zero-check: the selector differs from its digits");
    if (dv != sub.final_evals[2]) return Verdict::reject("reduce: zero-check: the difference differs from its digits");
    const auto rows = tr.challenges<F>("reduce.rows", vs.ny);
    if (all_valid(vs)) {  // every row sums to 1: 2^nj S~(tau', h) = sum_j S~(tau', j) = 1
      M e{};
      if (!nv.recv_range_eval(rb, half_point<F>(rows, vs.nj), tr, &e)) return Verdict::reject("reduce: missing selector row sum");
      Fr scale = Fr::one();
      for (size_t k = 0; k < vs.nj; ++k) scale *= Fr::from_u64(2);
      if (e * F(scale) != M(F::one())) return Verdict::reject("reduce: the selector does not pick one entry per row");
      if (Verdict v = nv.verify_lookups(tr); !v) return v.within("reduce: differences");
      if (Verdict v = nv.finished(); !v) return v.within("reduce");
      *in_claims = std::move(ins);
      *advice_claims = std::move(nv.claims);
      return Verdict::accept();
    }
    std::vector<bool> valid_j(size_t{1} << vs.nj, false);
    for (size_t jp : vs.valid) valid_j[jp] = true;
    M in_range = M(F::zero()), outside = M(F::zero());
    for (size_t jp = 0; jp < (size_t{1} << vs.nj); ++jp) {
      M e{};
      if (!nv.recv_range_eval(rb, vs.d_point<F>(rows, jp), tr, &e)) return Verdict::reject("reduce: missing selector row sums");
      if (valid_j[jp]) in_range = in_range + e;
      else outside = outside + e;
    }
    if (in_range != M(F::one())) return Verdict::reject("reduce: the selector does not pick one entry per row");
    if (outside != M(F::zero())) return Verdict::reject("reduce: the selector picks a padding entry");
    if (Verdict v = nv.verify_lookups(tr); !v) return v.within("reduce: differences");
    if (Verdict v = nv.finished(); !v) return v.within("reduce");
    *in_claims = std::move(ins);
    *advice_claims = std::move(nv.claims);
    return Verdict::accept();
  }
  std::vector<ClaimT<F>> sc;
  if (params.op == Op::kSum && params.shift > 0) {
    if (Verdict v = verify_rescale_as<F>(rescale_params(params), out_claims, proof.rescale, tr, &sc, &adv); !v)
      return v.within("reduce");
  } else {
    if (!proof.rescale.evals.empty() || !proof.rescale.lookups.empty() || !proof.rescale.multiplicities.empty()) return Verdict::reject("reduce: unexpected rescale proof");
    if (params.op == Op::kSum) {
      sc.assign(out_claims.begin(), out_claims.end());
    } else {
      const F Kf = F(Fr::from_u64(params.count())), half = F(Fr::from_u64(2).inverse());
      for (size_t i = 0; i < out_claims.size(); ++i) {
        const ClaimT<F>& c = out_claims[i];
        M r{}, rc{};
        if (!nv.recv_range_eval(ra, c.point, tr, &r) || !nv.recv_range_eval(rb, c.point, tr, &rc))
          return Verdict::reject("reduce: claim " + std::to_string(i) + ": missing remainder evaluations");
        const F ind = indicator_mle(ys, c.point);
        if (r + rc != F(Fr::from_u64(2 * params.count() - 1)) * ind)
          return Verdict::reject("reduce: claim " + std::to_string(i) + ": remainder not below twice the count");
        sc.push_back({c.point, Kf * c.value + (r - Kf * ind) * half});
      }
    }
  }
  for (const ClaimT<F>& c : sc) ins.push_back(half_claim<F>(vs, c));
  if (params.op == Op::kMean) {
    if (Verdict v = nv.verify_lookups(tr); !v) return v.within("reduce: remainders");
    adv = std::move(nv.claims);
  }
  if (Verdict v = nv.finished(); !v) return v.within("reduce");
  *in_claims = std::move(ins);
  *advice_claims = std::move(adv);
  return Verdict::accept();
}

template Verdict verify_reduce_as<Fr>(const ReduceParams&, std::span<const Claim>, const ReduceProof&,
                                      transcript::Transcript&, std::vector<Claim>*, std::vector<AdviceClaim>*);
template Verdict verify_reduce_as<snark::CFr>(const ReduceParams&, std::span<const ClaimT<snark::CFr>>,
                                              const ReduceProofT<snark::CFr>&, transcript::Transcript&,
                                              std::vector<ClaimT<snark::CFr>>*, std::vector<AdviceClaimT<snark::CFr>>*);

Verdict verify_reduce(const ReduceParams& params, std::span<const Claim> out_claims, const ReduceProof& proof,
                      transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims) {
  return verify_reduce_as<Fr>(params, out_claims, proof, tr, in_claims, advice_claims);
}

}  // namespace zkinfer::layers
