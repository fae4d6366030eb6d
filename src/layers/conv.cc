// 2-D convolution layer (conv.h; docs/protocol/layers.md, section 3).
#include "layers/conv.h"

#include <utility>

#include "common/check.h"
#include "layers/contract.h"
#include "poly/mle.h"
#include "poly/parallel.h"
#include "snark/cfr.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "zk/session.h"

namespace zkinfer::layers {

namespace {

constexpr std::string_view kLabelNumClaims = "layers.conv.num_claims";
constexpr std::string_view kLabelClaims = "layers.conv.claims";
constexpr std::string_view kLabelBias = "layers.conv.bias_values";
constexpr std::string_view kLabelGamma = "layers.conv.gamma";

constexpr size_t kMaxDim = size_t{1} << 31;  // so that products like dil * kh stay below 2^62

// One spatial axis: input length `in`, kernel length `k`, output length `out`; kernel tap a at
// output position o reads input position o stride + a dil - pad when that lies in [0, in).
struct Axis {
  size_t in, k, out, stride, dil, pad;
  // The valid (a, o, i) triples, a-major.
  struct Tap {
    size_t a, o, i;
  };
  std::vector<Tap> taps() const {
    std::vector<Tap> v;
    for (size_t a = 0; a < k; ++a)
      for (size_t o = 0; o < out; ++o) {
        const size_t pos = o * stride + a * dil;  // input position + pad
        if (pos >= pad && pos - pad < in) v.push_back({a, o, pos - pad});
      }
    return v;
  }
  // sel[a] = sum_{o : i(a, o) valid} e_out[o] e_in[i(a, o)] for a < k (the selector's MLE with the
  // output and input variables bound), padded with zeros to next_pow2(k). O(k out).
  template <class T>
  std::vector<T> selector(std::span<const T> e_out, std::span<const T> e_in) const {
    std::vector<T> sel(next_pow2(k), T::zero());
    for (const Tap& t : taps()) sel[t.a] += e_out[t.o] * e_in[t.i];
    return sel;
  }
};

Axis axis_h(const ConvShape& s) { return {s.h, s.kh, s.out_h(), s.stride_h, s.dil_h, s.pad_top}; }
Axis axis_w(const ConvShape& s) { return {s.w, s.kw, s.out_w(), s.stride_w, s.dil_w, s.pad_left}; }

// A claim point on Y = (N, Co, Ho, Wo) split per dimension.
template <class F>
struct YPointT {
  std::vector<F> rn, rco, rho, rwo;
};
using YPoint = YPointT<Fr>;
template <class F>
YPointT<F> split_y(const ConvShape& s, std::span<const F> point) {
  auto parts = split_point(s.y_shape(), point);
  return {std::move(parts[0]), std::move(parts[1]), std::move(parts[2]), std::move(parts[3])};
}

template <class F>
F bias_indicator(const ConvShape& s, const YPointT<F>& y) {
  return eq_prefix_sum(y.rn, s.n) * eq_prefix_sum(y.rho, s.out_h()) * eq_prefix_sum(y.rwo, s.out_w());
}

template <class F>
void absorb_claims(transcript::Transcript& tr, std::span<const ClaimT<F>> claims) {
  tr.absorb_u64(kLabelNumClaims, claims.size());
  std::vector<sumcheck::Msg<F>> values;
  for (const auto& c : claims) {  // each claim's point, then its value
    values.insert(values.end(), c.point.begin(), c.point.end());
    if (!zk_of(tr)) values.push_back(c.value);  // zero knowledge: claim values are derived, never absorbed
  }
  tr.absorb_many(kLabelClaims, values);
}

// sum_t coeffs[t] Wt_t Phi_t (factors 2t, 2t + 1).
template <class F>
sumcheck::Composition<F> kernel_composition(std::span<const F> coeffs) {
  std::vector<sumcheck::Term<F>> terms;
  for (size_t t = 0; t < coeffs.size(); ++t) terms.push_back({coeffs[t], {2 * t, 2 * t + 1}});
  return sumcheck::Composition<F>(2 * coeffs.size(), std::move(terms));
}

// The point of sumcheck 1 split as (r_w, r_h, r_c, r_n') (X's layout).
template <class F>
YPointT<F> split_x(const ConvShape& s, std::span<const F> point) {
  auto parts = split_point(s.x_shape(), point);
  // reuse YPoint's fields: rn = r_n', rco = r_c, rho = r_h, rwo = r_w
  return {std::move(parts[0]), std::move(parts[1]), std::move(parts[2]), std::move(parts[3])};
}

template <class F>
std::vector<F> kernel_coeffs(std::span<const YPointT<F>> ys, const std::vector<F>& rn_x, const F& gamma) {
  std::vector<F> coeffs;
  F g = F::one();
  for (const auto& y : ys) {
    coeffs.push_back(g * poly::eq_eval<F>(y.rn, rn_x));
    g *= gamma;
  }
  return coeffs;
}

template <class F>
void output_claims(const ConvShape& s, std::span<const YPointT<F>> ys, const std::vector<F>& x_point,
                   const sumcheck::Msg<F>& x_val, const std::vector<F>& k_point,
                   std::span<const sumcheck::Msg<F>> k_finals, std::span<const sumcheck::Msg<F>> bias_values,
                   ConvClaimsT<F>* out) {
  const YPointT<F> xp = split_x<F>(s, x_point);
  out->x = {x_point, x_val};
  out->w.clear();
  out->bias.clear();
  if (s.groups > 1) out->w.push_back({k_point, k_finals[0]});  // k_point is on Wt itself
  for (size_t t = 0; t < ys.size(); ++t) {
    if (s.bias) out->bias.push_back({ys[t].rco, bias_values[t]});
    if (s.groups > 1) continue;
    std::vector<F> pt = k_point;  // (r_kw, r_kh)
    pt.insert(pt.end(), xp.rco.begin(), xp.rco.end());
    pt.insert(pt.end(), ys[t].rco.begin(), ys[t].rco.end());
    out->w.push_back({std::move(pt), k_finals[2 * t]});
  }
}

}  // namespace

std::optional<std::string> ConvShape::invalid() const {
  for (size_t v : {n, c, h, w, co, kh, kw, stride_h, stride_w, dil_h, dil_w, groups})
    if (v == 0 || v > kMaxDim) return std::string("conv: a dimension, stride, dilation or group count is 0 or too large");
  if (c % groups != 0 || co % groups != 0) return std::string("conv: channels are not divisible by the groups");
  for (size_t v : {pad_top, pad_left, pad_bottom, pad_right})
    if (v > kMaxDim) return std::string("conv: padding too large");
  if (h + pad_top + pad_bottom < dil_h * (kh - 1) + 1 || w + pad_left + pad_right < dil_w * (kw - 1) + 1)
    return std::string("conv: kernel larger than the padded input");
  for (const auto& dims : {std::vector<size_t>{n, c, h, w}, std::vector<size_t>{co, c / groups, kh, kw},
                           std::vector<size_t>{n, co, out_h(), out_w()}})
    if (auto e = PaddedShape::invalid(dims)) return "conv: " + *e;
  return std::nullopt;
}

size_t ConvShape::out_h() const { return (h + pad_top + pad_bottom - dil_h * (kh - 1) - 1) / stride_h + 1; }
size_t ConvShape::out_w() const { return (w + pad_left + pad_right - dil_w * (kw - 1) - 1) / stride_w + 1; }
PaddedShape ConvShape::x_shape() const { return PaddedShape({n, c, h, w}); }
PaddedShape ConvShape::w_shape() const { return PaddedShape({co, c / groups, kh, kw}); }
PaddedShape ConvShape::y_shape() const { return PaddedShape({n, co, out_h(), out_w()}); }
PaddedShape ConvShape::bias_shape() const { return PaddedShape({co}); }

template <>
void ConvProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& v : bias_values) cp::write(w, v);
  input_sumcheck.serialize(w);
  kernel_sumcheck.serialize(w);
}

template <field::PrimeField F>
ConvProofT<F> ConvProofT<F>::deserialize(ByteReader& r, const ConvShape& s, size_t num_claims) {
  ConvProofT<F> p;
  if (s.bias) {
    for (size_t i = 0; i < num_claims; ++i) p.bias_values.push_back(sumcheck::read_msg<F>(r));
  }
  p.input_sumcheck = sumcheck::Proof<F>::deserialize(r, s.x_shape().num_vars(), 2, 2);
  p.kernel_sumcheck = s.groups == 1
                          ? sumcheck::Proof<F>::deserialize(r, ceil_log2(s.kh) + ceil_log2(s.kw), 2, 2 * num_claims)
                          : sumcheck::Proof<F>::deserialize(r, s.w_shape().num_vars(), 2, 2);
  return p;
}
template ConvProofT<Fr> ConvProofT<Fr>::deserialize(ByteReader&, const ConvShape&, size_t);
template ConvProofT<snark::CFr> ConvProofT<snark::CFr>::deserialize(ByteReader&, const ConvShape&, size_t);

namespace {

// The prover, given X's padded table, Wt's padded table when groups > 1 (else empty), and
// fill_wr(eco, wr) that sets wr (pc kwin entries, zero on entry) to
// Wr(c, a, b) = sum_{o in c's group} eq(r_co, o) Wt[o, c - g(o) C/G, a, b] for the eq table eco.
template <class FillWr>
ConvProof prove_impl(const ConvShape& s, std::vector<Fr> x, std::vector<Fr> wt_fr, std::span<const Fr> bias,
                     std::span<const Claim> y_claims, transcript::Transcript& tr, ConvClaims* out,
                     FillWr&& fill_wr) {
  ZKINFER_CHECK(!s.invalid() && !y_claims.empty());
  const PaddedShape xs = s.x_shape();
  ZKINFER_CHECK(x.size() == xs.size());
  const size_t num_claims = y_claims.size();
  const size_t pn = next_pow2(s.n), pc = next_pow2(s.c), ph = next_pow2(s.h), pw = next_pow2(s.w);
  const size_t pkh = next_pow2(s.kh), pkw = next_pow2(s.kw);
  const size_t kwin = pkh * pkw;   // one channel's padded kernel window
  const size_t kchan = ph * pw;    // one channel's padded input plane
  const Axis ah = axis_h(s), aw = axis_w(s);
  const auto taps_h = ah.taps(), taps_w = aw.taps();

  absorb_claims<Fr>(tr, y_claims);
  ConvProof proof;
  std::vector<YPoint> ys;
  for (const auto& c : y_claims) {
    ZKINFER_CHECK(c.point.size() == s.y_shape().num_vars());
    ys.push_back(split_y<Fr>(s, c.point));
  }
  if (s.bias) {
    ZKINFER_CHECK(bias.size() == s.bias_shape().size());
    for (const auto& y : ys) proof.bias_values.push_back(cp::send(tr, poly::evaluate_mle<Fr>(bias, y.rco)));
    tr.absorb_many(kLabelBias, proof.bias_values);
  }
  const Fr gamma = tr.challenge<Fr>(kLabelGamma);

  // Per claim: Wr_t[c][a][b] = Wt~(r_co, c, a, b); K_t[c][i][j] = sum_{a,b} Wr_t[c][a][b]
  // Sh(a, i) Sw(b, j); G = sum_t gamma^t eq(r_n, n) K_t[c][i][j] over X's padded layout.
  std::vector<std::vector<Fr>> wr(num_claims);
  std::vector<Fr> g(xs.size(), Fr::zero());
  std::vector<Fr> kt(pc * kchan);
  std::vector<Fr> u(s.c * s.kh * s.w);
  Fr gt = Fr::one();
  for (size_t t = 0; t < num_claims; ++t) {
    const auto eco = poly::eq_table<Fr>(ys[t].rco);
    const auto eh = poly::eq_table<Fr>(ys[t].rho);
    const auto ew = poly::eq_table<Fr>(ys[t].rwo);
    auto& w_r = wr[t];
    w_r.assign(pc * kwin, Fr::zero());
    std::fill(kt.begin(), kt.end(), Fr::zero());
    fill_wr(eco, w_r);
#pragma omp parallel for schedule(static) if (poly::go_parallel(s.c * s.kh * (s.kw * s.out_w() + s.out_h() * s.w)))
    for (size_t c = 0; c < s.c; ++c) {
      const Fr* dst = w_r.data() + c * kwin;
      // U[c][a][j] = sum_{(b, o) -> j} Wr[c][a][b] ew[o].
      Fr* uc = u.data() + c * s.kh * s.w;
      for (size_t q = 0; q < s.kh * s.w; ++q) uc[q] = Fr::zero();
      for (size_t a = 0; a < s.kh; ++a)
        for (const auto& tp : taps_w) uc[a * s.w + tp.i] += dst[a * pkw + tp.a] * ew[tp.o];
      // K[c][i][j] = sum_{(a, o) -> i} eh[o] U[c][a][j].
      Fr* kc = kt.data() + c * kchan;
      for (const auto& tp : taps_h) {
        const Fr e = eh[tp.o];
        const Fr* ua = uc + tp.a * s.w;
        Fr* krow = kc + tp.i * pw;
        for (size_t j = 0; j < s.w; ++j) krow[j] += e * ua[j];
      }
    }
    const size_t kvol = pc * kchan;
    if (num_claims == 1 && pn == 1) {
      std::swap(g, kt);  // G = eq(r_n, 0) K = K (no batch variables, gamma^0 = 1)
    } else {
      const auto en = poly::eq_table<Fr>(ys[t].rn, gt);
#pragma omp parallel for schedule(static) if (poly::go_parallel(pn * kvol / 4))
      for (size_t q = 0; q < pn * kvol; ++q) g[q] += en[q / kvol] * kt[q % kvol];
    }
    gt *= gamma;
  }

  // Sumcheck 1: sum_{n, c, i, j} X G = sum_t gamma^t (y_t - bias_t).
  std::vector<std::vector<Fr>> f1;
  f1.push_back(std::move(x));
  f1.push_back(std::move(g));
  auto r1 = sumcheck::prove(sumcheck::Composition<Fr>::product(2), std::move(f1), tr);
  proof.input_sumcheck = std::move(r1.proof);
  const YPoint xp = split_x<Fr>(s, r1.point);  // rn = r_n', rco = r_c, rho = r_h, rwo = r_w

  // Sumcheck 2: g_val = sum_{a, b} sum_t kappa_t Wr_t~(r_c, a, b) Phi_t(a, b), kappa_t =
  // gamma^t eq(r_n, r_n').
  const auto erc = poly::eq_table<Fr>(xp.rco);
  const auto erh = poly::eq_table<Fr>(xp.rho);
  const auto erw = poly::eq_table<Fr>(xp.rwo);
  const auto coeffs = kernel_coeffs<Fr>(ys, xp.rn, gamma);
  std::vector<std::vector<Fr>> phis;
  for (size_t t = 0; t < num_claims; ++t) {
    const auto sh = ah.selector<Fr>(poly::eq_table<Fr>(ys[t].rho), erh);
    const auto sw = aw.selector<Fr>(poly::eq_table<Fr>(ys[t].rwo), erw);
    std::vector<Fr> phi(kwin);
    for (size_t a = 0; a < pkh; ++a)
      for (size_t b = 0; b < pkw; ++b) phi[a * pkw + b] = sh[a] * sw[b];
    phis.push_back(std::move(phi));
  }
  if (s.groups == 1) {
    std::vector<std::vector<Fr>> f2;
    for (size_t t = 0; t < num_claims; ++t) {
      std::vector<Fr> wk(kwin);
      detail::contract_middle(wr[t], 1, pc, s.c, kwin, kwin, erc, wk);
      f2.push_back(std::move(wk));
      f2.push_back(std::move(phis[t]));
    }
    auto r2 = sumcheck::prove(kernel_composition<Fr>(coeffs), std::move(f2), tr);
    proof.kernel_sumcheck = std::move(r2.proof);
    if (out)
      output_claims<Fr>(s, ys, r1.point, proof.input_sumcheck.final_evals[0], r2.point,
                        std::span<const cp::Val>(proof.kernel_sumcheck.final_evals), std::span<const cp::Val>(proof.bias_values), out);
  } else {
    // Over Wt's variables: Wt . ME, ME(o, c', a, b) = sum_t kappa_t eq(r_co^t, o)
    // eq(r_c, g(o) C/G + c') Phi_t(a, b).
    const size_t cg = s.c / s.groups, mg = s.co / s.groups, pcg = next_pow2(cg);
    ZKINFER_CHECK(wt_fr.size() == s.w_shape().size());
    std::vector<Fr> me(wt_fr.size(), Fr::zero());
    for (size_t t = 0; t < num_claims; ++t) {
      const auto eco = poly::eq_table<Fr>(ys[t].rco);
      const Fr kappa = coeffs[t];
      const auto& phi = phis[t];
#pragma omp parallel for schedule(static) if (poly::go_parallel(s.co * cg * kwin / 2))
      for (size_t o = 0; o < s.co; ++o) {
        const Fr ko = kappa * eco[o];
        for (size_t c2 = 0; c2 < cg; ++c2) {
          const Fr coef = ko * erc[(o / mg) * cg + c2];
          Fr* dst = me.data() + (o * pcg + c2) * kwin;
          for (size_t ab = 0; ab < kwin; ++ab) dst[ab] += coef * phi[ab];
        }
      }
    }
    std::vector<std::vector<Fr>> f2;
    f2.push_back(std::move(wt_fr));
    f2.push_back(std::move(me));
    auto r2 = sumcheck::prove(sumcheck::Composition<Fr>::product(2), std::move(f2), tr);
    proof.kernel_sumcheck = std::move(r2.proof);
    if (out)
      output_claims<Fr>(s, ys, r1.point, proof.input_sumcheck.final_evals[0], r2.point,
                        std::span<const cp::Val>(proof.kernel_sumcheck.final_evals), std::span<const cp::Val>(proof.bias_values), out);
  }
  return proof;
}

}  // namespace

ConvProof prove_conv(const ConvShape& s, std::span<const Fr> x, std::span<const Fr> wt, std::span<const Fr> bias,
                     std::span<const Claim> y_claims, transcript::Transcript& tr, ConvClaims* out) {
  ZKINFER_CHECK(!s.invalid());
  ZKINFER_CHECK(x.size() == s.x_shape().size() && wt.size() == s.w_shape().size());
  const size_t kwin = next_pow2(s.kh) * next_pow2(s.kw), pkw = next_pow2(s.kw);
  const size_t cg = s.c / s.groups, mg = s.co / s.groups, pcg = next_pow2(cg);
  std::vector<Fr> wt_fr;
  if (s.groups > 1) wt_fr.assign(wt.begin(), wt.end());
  return prove_impl(s, std::vector<Fr>(x.begin(), x.end()), std::move(wt_fr), bias, y_claims, tr, out,
                    [&](const std::vector<Fr>& eco, std::vector<Fr>& w_r) {
#pragma omp parallel for schedule(static) if (poly::go_parallel(s.co * cg * s.kh * s.kw / 4))
                      for (size_t c = 0; c < s.c; ++c) {
                        Fr* dst = w_r.data() + c * kwin;
                        const size_t g = c / cg, c2 = c % cg;
                        for (size_t o = g * mg; o < (g + 1) * mg; ++o) {
                          const Fr e = eco[o];
                          const Fr* src = wt.data() + (o * pcg + c2) * kwin;
                          for (size_t a = 0; a < s.kh; ++a)
                            for (size_t b = 0; b < s.kw; ++b) dst[a * pkw + b] += e * src[a * pkw + b];
                        }
                      }
                    });
}

ConvProof prove_conv(const ConvShape& s, std::span<const int64_t> x, std::span<const int64_t> wt,
                     std::span<const Fr> bias, std::span<const Claim> y_claims, transcript::Transcript& tr,
                     ConvClaims* out) {
  ZKINFER_CHECK(!s.invalid());
  const PaddedShape xs = s.x_shape(), ws = s.w_shape();
  ZKINFER_CHECK(x.size() == xs.unpadded_size() && wt.size() == ws.unpadded_size());
  const size_t pkw = next_pow2(s.kw), kwin = next_pow2(s.kh) * pkw;
  const size_t cg = s.c / s.groups, mg = s.co / s.groups;
  const size_t win = s.kh * s.kw, cols = cg * win;  // one output channel's weights
  std::vector<Fr> flat(s.c * win);
  return prove_impl(s, padded_table(xs, x), s.groups > 1 ? padded_table(ws, wt) : std::vector<Fr>{}, bias, y_claims,
                    tr, out, [&](const std::vector<Fr>& eco, std::vector<Fr>& w_r) {
                      // Group g's output channels contract into its input channels g cg .. (g + 1) cg.
                      for (size_t g = 0; g < s.groups; ++g)
                        detail::contract_middle_i64(wt.data() + g * mg * cols, mg,
                                                    cols, std::span<const Fr>(eco).subspan(g * mg),
                                                    flat.data() + g * cols);
                      for (size_t c = 0; c < s.c; ++c)
                        for (size_t a = 0; a < s.kh; ++a)
                          for (size_t b = 0; b < s.kw; ++b) w_r[c * kwin + a * pkw + b] = flat[c * win + a * s.kw + b];
                    });
}

template <field::PrimeField F>
Verdict verify_conv_as(const ConvShape& s, std::span<const ClaimT<F>> y_claims, const ConvProofT<F>& proof,
                       transcript::Transcript& tr, ConvClaimsT<F>* out) {
  if (auto e = s.invalid()) return Verdict::reject(*e);
  if (y_claims.empty()) return Verdict::reject("conv: no claims on the output");
  const size_t num_claims = y_claims.size();
  const size_t y_vars = s.y_shape().num_vars();
  for (const auto& c : y_claims)
    if (c.point.size() != y_vars) return Verdict::reject("conv: output claim point has the wrong length");
  if (proof.bias_values.size() != (s.bias ? num_claims : 0))
    return Verdict::reject("conv: wrong number of bias values");

  absorb_claims<F>(tr, y_claims);
  if (s.bias) tr.absorb_many(kLabelBias, proof.bias_values);
  const F gamma = tr.challenge<F>(kLabelGamma);

  std::vector<YPointT<F>> ys;
  sumcheck::Msg<F> claim{};
  F gt = F::one();
  for (size_t t = 0; t < num_claims; ++t) {
    ys.push_back(split_y<F>(s, y_claims[t].point));
    sumcheck::Msg<F> v = y_claims[t].value;
    if (s.bias) v -= proof.bias_values[t] * bias_indicator<F>(s, ys.back());
    claim += gt * v;
    gt *= gamma;
  }
  sumcheck::Subclaim<F> sub1;
  Verdict v = sumcheck::verify<F>(sumcheck::Composition<F>::product(2), s.x_shape().num_vars(), claim,
                                  proof.input_sumcheck, tr, &sub1);
  if (!v.ok()) return v.within("conv: input sumcheck");
  const YPointT<F> xp = split_x<F>(s, sub1.point);

  const auto coeffs = kernel_coeffs<F>(ys, xp.rn, gamma);
  const size_t lkh = ceil_log2(s.kh), lkw = ceil_log2(s.kw);
  sumcheck::Subclaim<F> sub2;
  if (s.groups == 1) {
    v = sumcheck::verify<F>(kernel_composition<F>(coeffs), lkw + lkh, sub1.final_evals[1], proof.kernel_sumcheck, tr,
                            &sub2);
  } else {
    v = sumcheck::verify<F>(sumcheck::Composition<F>::product(2), s.w_shape().num_vars(), sub1.final_evals[1],
                            proof.kernel_sumcheck, tr, &sub2);
  }
  if (!v.ok()) return v.within("conv: kernel sumcheck");

  // Phi_t(r_kh, r_kw) = Sh~(r_kh; r_ho, r_h) Sw~(r_kw; r_wo, r_w), each in O(K out + in + K).
  const std::span<const F> rkw(sub2.point.data(), lkw), rkh(sub2.point.data() + lkw, lkh);
  const auto ekh = poly::eq_table<F>(rkh), ekw = poly::eq_table<F>(rkw);
  const auto erh = poly::eq_table<F>(xp.rho), erw = poly::eq_table<F>(xp.rwo);
  const Axis ah = axis_h(s), aw = axis_w(s);
  std::vector<F> phi(num_claims);
  for (size_t t = 0; t < num_claims; ++t) {
    const auto sh = ah.selector<F>(poly::eq_table<F>(ys[t].rho), erh);
    const auto sw = aw.selector<F>(poly::eq_table<F>(ys[t].rwo), erw);
    F vh = F::zero(), vw = F::zero();
    for (size_t a = 0; a < s.kh; ++a) vh += ekh[a] * sh[a];
    for (size_t b = 0; b < s.kw; ++b) vw += ekw[b] * sw[b];
    phi[t] = vh * vw;
    if (s.groups == 1 && sub2.final_evals[2 * t + 1] != sumcheck::Msg<F>(phi[t]))
      return Verdict::reject("conv: window selector value of claim " + std::to_string(t) + " is wrong");
  }
  if (s.groups > 1) {
    // ME(r) = sum_t kappa_t M_t(r_o, r_c') Phi_t, M_t(r_o, r_c') = sum_{o, c'} eq(r_o, o)
    // eq(r_co^t, o) eq(r_c', c') eq(r_c, g(o) C/G + c'): O(Co C/G) per claim.
    const size_t cg = s.c / s.groups, mg = s.co / s.groups;
    const auto parts = split_point(s.w_shape(), sub2.point);  // (r_o, r_c', r_kh, r_kw)
    const auto eo = poly::eq_table<F>(parts[0]), ec2 = poly::eq_table<F>(parts[1]);
    const auto erc = poly::eq_table<F>(xp.rco);
    F me = F::zero();
    for (size_t t = 0; t < num_claims; ++t) {
      const auto eco = poly::eq_table<F>(ys[t].rco);
      F m = F::zero();
      for (size_t o = 0; o < s.co; ++o) {
        F inner = F::zero();
        for (size_t c2 = 0; c2 < cg; ++c2) inner += ec2[c2] * erc[(o / mg) * cg + c2];
        m += eo[o] * eco[o] * inner;
      }
      me += coeffs[t] * m * phi[t];
    }
    if (sub2.final_evals[1] != sumcheck::Msg<F>(me)) return Verdict::reject("conv: grouped channel selector value is wrong");
  }
  if (out)
    output_claims<F>(s, ys, sub1.point, sub1.final_evals[0], sub2.point,
                     std::span<const sumcheck::Msg<F>>(sub2.final_evals),
                     std::span<const sumcheck::Msg<F>>(proof.bias_values), out);
  return Verdict::accept();
}

template Verdict verify_conv_as<Fr>(const ConvShape&, std::span<const Claim>, const ConvProof&, transcript::Transcript&,
                                    ConvClaims*);
template Verdict verify_conv_as<snark::CFr>(const ConvShape&, std::span<const ClaimT<snark::CFr>>,
                                            const ConvProofT<snark::CFr>&, transcript::Transcript&,
                                            ConvClaimsT<snark::CFr>*);

Verdict verify_conv(const ConvShape& s, std::span<const Claim> y_claims, const ConvProof& proof,
                    transcript::Transcript& tr, ConvClaims* out) {
  return verify_conv_as<Fr>(s, y_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
