// Comparisons by committed sign bits. See compare.h and docs/protocol/compare.md.
#include "layers/compare.h"

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
using Kind = CompareParams::Kind;

// The signs s_j of the strict bits o_j = [s_j d > 0], and whether y = 1 - sum o_j (else y = o_0).
std::vector<int> signs(Kind k) {
  switch (k) {
    case Kind::kGreater: case Kind::kLessOrEqual: return {1};
    case Kind::kLess: case Kind::kGreaterOrEqual: return {-1};
    case Kind::kEqual: return {1, -1};
  }
  return {};
}
bool complemented(Kind k) { return k == Kind::kGreaterOrEqual || k == Kind::kLessOrEqual || k == Kind::kEqual; }

std::optional<std::string> bad_params(const CompareParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.ea > 40 || p.eb > 40) return std::string("alignment exponent above 40");
  if (p.bits < 1 || p.bits > 60) return std::string("bit bound out of range [1, 60]");
  for (const auto* d : {&p.a_dims, &p.b_dims}) {
    if (d->empty()) continue;
    if (d->size() != p.dims.size()) return std::string("operand rank differs from the output's");
    for (size_t i = 0; i < d->size(); ++i)
      if ((*d)[i] != p.dims[i] && (*d)[i] != 1) return std::string("operand dimension neither the output's nor 1");
  }
  return std::nullopt;
}

ElementwiseParams sub_params(const CompareParams& p) {
  ElementwiseParams e;
  e.op = ElementwiseParams::Op::kSub;
  e.dims = p.dims;
  e.a_dims = p.a_dims;
  e.b_dims = p.b_dims;
  e.ea = p.ea;
  e.eb = p.eb;
  return e;
}

// Factors: 0 eq, 1 d, then (o_j, u_j) at 2 + 2j, 3 + 2j. Terms per j, weighted by gamma^j:
// u_j - 2 s_j o_j d + o_j + s_j d.
template <class F>
sumcheck::Composition<F> zero_check(const std::vector<int>& s, const F& gamma) {
  using T = sumcheck::Term<F>;
  std::vector<T> terms;
  F g = F::one();
  for (size_t j = 0; j < s.size(); ++j) {
    const size_t o = 2 + 2 * j, u = 3 + 2 * j;
    const F sg = s[j] > 0 ? g : -g;
    terms.push_back(T{g, {0, u}});
    terms.push_back(T{-(sg + sg), {0, o, 1}});
    terms.push_back(T{g, {0, o}});
    terms.push_back(T{sg, {0, 1}});
    g *= gamma;
  }
  return sumcheck::Composition<F>(2 + 2 * s.size(), std::move(terms));
}

std::vector<Fr> fr_of(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

template <class NL>
void register_ranges(NL& nl, const CompareParams& p, size_t n, std::vector<size_t>* ro, std::vector<size_t>* ru) {
  const auto s = signs(p.kind);
  for (size_t j = 0; j < s.size(); ++j) {
    ro->push_back(nl.add_range("cmp.o" + std::to_string(j), n, 1));
    ru->push_back(nl.add_range("cmp.u" + std::to_string(j), n, p.bits));
  }
}

ProofLayout layout(const CompareParams& p, size_t num_claims) {
  ProofLayout l;
  const size_t n = PaddedShape(p.dims).num_vars(), nb = signs(p.kind).size();
  l.num_evals = num_claims * nb * range_eval_count(n, 1) + nb * (range_eval_count(n, 1) + range_eval_count(n, p.bits));
  for (size_t j = 0; j < nb; ++j) {
    append_range_layout(l, n, 1);
    append_range_layout(l, n, p.bits);
  }
  l.sumchecks.push_back({n, 3, 2 + 2 * nb});
  return l;
}

}  // namespace

template <>
void CompareProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  sub.serialize(w);
}

template <field::PrimeField F>
CompareProofT<F> CompareProofT<F>::deserialize(ByteReader& r, const CompareParams& p, size_t num_claims) {
  CompareProofT<F> out;
  out.nl = deserialize_proof<F>(r, layout(p, num_claims));
  out.sub = ElementwiseProofT<F>::deserialize(r, sub_params(p), 1);
  return out;
}
template CompareProofT<Fr> CompareProofT<Fr>::deserialize(ByteReader&, const CompareParams&, size_t);
template CompareProofT<snark::CFr> CompareProofT<snark::CFr>::deserialize(ByteReader&, const CompareParams&, size_t);

CompareProver::CompareProver(const CompareParams& params, std::span<const int64_t> a, std::span<const int64_t> b,
                             std::span<const int64_t> forced_bits)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("compare: " + *why);
  shape_ = PaddedShape(params.dims);
  sub_ = std::make_unique<ElementwiseProver>(sub_params(params), a, b);
  const auto& d = sub_->output();
  const size_t N = d.size();
  if (!forced_bits.empty() && forced_bits.size() != N) throw Error("compare: forced bits of the wrong size");
  const int64_t lim = int64_t{1} << params.bits;
  for (int64_t v : d)
    if (v >= lim || v <= -lim) throw Error("compare: |a 2^ea - b 2^eb| exceeds 2^" + std::to_string(params.bits));
  const auto s = signs(params.kind);
  std::vector<int64_t> sum(N, 0);
  for (size_t j = 0; j < s.size(); ++j) {
    std::vector<int64_t> o(N), u(N);
    for (size_t i = 0; i < N; ++i) {
      const int64_t e = s[j] * d[i];
      o[i] = (j == 0 && !forced_bits.empty()) ? forced_bits[i] : (e > 0 ? 1 : 0);
      u[i] = 2 * o[i] * e - o[i] - e;
      sum[i] += o[i];
    }
    op_.push_back(padded_i64(shape_, o));
    up_.push_back(padded_i64(shape_, u));
    r_o_.push_back(nl_.add_range("cmp.o" + std::to_string(j), op_.back(), 1));
    r_u_.push_back(nl_.add_range("cmp.u" + std::to_string(j), up_.back(), params.bits));
  }
  y_.resize(N);
  for (size_t i = 0; i < N; ++i) y_[i] = complemented(params.kind) ? 1 - sum[i] : sum[i];
  dp_ = padded_i64(shape_, d);
}

CompareProof CompareProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, ElementwiseClaims* out) {
  absorb_claims(tr, "cmp.claim", out_claims);
  const auto s = signs(params_.kind);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == shape_.num_vars());
    for (size_t j = 0; j < s.size(); ++j) nl_.send_range_eval(r_o_[j], c.point, tr);
  }
  const auto tau = tr.challenges<Fr>("cmp.tau", shape_.num_vars());
  const Fr gamma = tr.challenge<Fr>("cmp.gamma");
  std::vector<std::vector<Fr>> tabs = {{}, fr_of(dp_)};
  for (size_t j = 0; j < s.size(); ++j) {
    tabs.push_back(fr_of(op_[j]));
    tabs.push_back(fr_of(up_[j]));
  }
  auto res = sumcheck::prove_with_eq<Fr>(zero_check(s, gamma), tau, std::move(tabs), tr);
  const cp::Val d_rho = res.proof.final_evals[1];
  nl_.proof.sumchecks.push_back(std::move(res.proof));
  for (size_t j = 0; j < s.size(); ++j) {
    nl_.send_range_eval(r_o_[j], res.point, tr);
    nl_.send_range_eval(r_u_[j], res.point, tr);
  }
  nl_.prove_lookups(tr);
  CompareProof proof;
  proof.nl = std::move(nl_.proof);
  const Claim dc{res.point, d_rho};
  proof.sub = sub_->prove(std::span<const Claim>(&dc, 1), tr, out);
  out->advice = nl_.claims;  // the Sub (shift 0) has no advice
  return proof;
}

std::vector<AdviceShape> compare_advice_shapes(const CompareParams& params) {
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  std::vector<size_t> ro, ru;
  register_ranges(nv, params, PaddedShape(params.dims).num_vars(), &ro, &ru);
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_compare_as(const CompareParams& params, std::span<const ClaimT<F>> out_claims,
                          const CompareProofT<F>& proof, transcript::Transcript& tr, ElementwiseClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("compare: " + *why);
  const PaddedShape shape(params.dims);
  const size_t n = shape.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("compare: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof.nl);
  std::vector<size_t> ro, ru;
  register_ranges(nv, params, n, &ro, &ru);
  absorb_claims(tr, "cmp.claim", out_claims);
  const auto s = signs(params.kind);
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    M sum{};
    for (size_t j = 0; j < s.size(); ++j) {
      M o{};
      if (!nv.recv_range_eval(ro[j], c.point, tr, &o))
        return Verdict::reject("compare: claim " + std::to_string(i) + ": missing evaluations");
      sum = sum + o;
    }
    const M want = complemented(params.kind) ? M(indicator_mle(shape, c.point)) - sum : sum;
    if (want != c.value) return Verdict::reject("compare: claim " + std::to_string(i) + ": output != its committed sign bits");
  }
  const auto tau = tr.challenges<F>("cmp.tau", n);
  const F gamma = tr.challenge<F>("cmp.gamma");
  sumcheck::Subclaim<F> sub;
  if (Verdict v = nv.verify_zero_check(zero_check<F>(s, gamma), n, tau, tr, &sub, "compare: zero-check of the sign bits"); !v)
    return v;
  for (size_t j = 0; j < s.size(); ++j) {
    M o{}, u{};
    if (!nv.recv_range_eval(ro[j], sub.point, tr, &o) || !nv.recv_range_eval(ru[j], sub.point, tr, &u))
      return Verdict::reject("compare: zero-check: missing evaluations");
    if (o != sub.final_evals[2 + 2 * j]) return Verdict::reject("compare: zero-check: bit(rho) != its digits");
    if (u != sub.final_evals[3 + 2 * j]) return Verdict::reject("compare: zero-check: u(rho) != its digits");
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("compare");
  if (Verdict v = nv.finished(); !v) return v.within("compare");
  const ClaimT<F> dc{sub.point, sub.final_evals[1]};
  if (Verdict v = verify_elementwise_as<F>(sub_params(params), std::span<const ClaimT<F>>(&dc, 1), proof.sub, tr, out); !v)
    return v.within("compare: difference");
  out->advice = std::move(nv.claims);
  return Verdict::accept();
}

template Verdict verify_compare_as<Fr>(const CompareParams&, std::span<const Claim>, const CompareProof&,
                                       transcript::Transcript&, ElementwiseClaims*);
template Verdict verify_compare_as<snark::CFr>(const CompareParams&, std::span<const ClaimT<snark::CFr>>,
                                               const CompareProofT<snark::CFr>&, transcript::Transcript&,
                                               ElementwiseClaimsT<snark::CFr>*);

Verdict verify_compare(const CompareParams& params, std::span<const Claim> out_claims, const CompareProof& proof,
                       transcript::Transcript& tr, ElementwiseClaims* out) {
  return verify_compare_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
