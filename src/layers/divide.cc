// Div with a positive divisor (divide.h; docs/protocol/nonlinear.md, section 10).
#include "layers/divide.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::pow2_fr;

namespace {

const std::vector<size_t>& dims_or(const std::vector<size_t>& d, const DivParams& p) { return d.empty() ? p.dims : d; }

std::optional<std::string> bad_operand(const std::vector<size_t>& d, const DivParams& p, const char* name) {
  if (d.empty()) return std::nullopt;
  if (d.size() != p.dims.size()) return std::string(name) + ": rank differs from the output's";
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] != p.dims[i] && d[i] != 1) return std::string(name) + ": dimension neither the output's nor 1";
  return std::nullopt;
}

size_t rem_bits(const DivParams& p) { return p.d_bits + p.eb + 1; }

template <class F = Fr>
sumcheck::Composition<F> mul_comp() {
  using T = sumcheck::Term<F>;
  return sumcheck::Composition<F>(3, {T{F::one(), {0, 1, 2}}});
}



// Registration order of the range checks (prover and verifier alike).
struct Ranges {
  size_t q, rem, comp, den;
};
template <class Nl>
Ranges register_ranges(Nl& nl, const DivParams& p, size_t ny, size_t nb) {
  Ranges r;
  r.q = nl.add_range("div.q", ny, p.q_bits + 1);
  r.rem = nl.add_range("div.rem", ny, rem_bits(p));
  r.comp = nl.add_range("div.rem_comp", ny, rem_bits(p));
  r.den = nl.add_range("div.den", nb, p.d_bits);
  return r;
}

}  // namespace

std::optional<std::string> DivParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (ea > 40 || eb > 40) return std::string("scale exponent above 40");
  if (q_bits < 1 || q_bits > 60) return std::string("quotient bit bound out of range [1, 60]");
  if (d_bits < 1 || d_bits > 40) return std::string("divisor bit bound out of range [1, 40]");
  if (rem_bits(*this) > kMaxRangeBits) return std::string("remainder range above 2^62");
  if (auto why = bad_operand(a_dims, *this, "a")) return why;
  if (auto why = bad_operand(b_dims, *this, "b")) return why;
  return std::nullopt;
}

template <>
void DivProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  for (const auto& v : vals) cp::write(w, v);
}

template <field::PrimeField F>
DivProofT<F> DivProofT<F>::deserialize(ByteReader& r, const DivParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("div: bad parameters");
  if (num_claims > 1024) r.fail("div: too many claims");
  const size_t ny = PaddedShape(p.dims).num_vars(), nb = PaddedShape(dims_or(p.b_dims, p)).num_vars();
  ProofLayout l;
  // Per claim: q at z, r at z, r' at z, den at z_b, q at rho, den at rho_b.
  l.num_evals = num_claims * (2 * range_eval_count(ny, p.q_bits + 1) + 2 * range_eval_count(ny, rem_bits(p)) + 2 * range_eval_count(nb, p.d_bits));
  append_range_layout(l, ny, p.q_bits + 1);
  append_range_layout(l, ny, rem_bits(p));
  append_range_layout(l, ny, rem_bits(p));
  append_range_layout(l, nb, p.d_bits);
  for (size_t i = 0; i < num_claims; ++i) l.sumchecks.push_back({ny, 3, 3});
  DivProofT<F> out;
  out.nl = deserialize_proof<F>(r, l);
  for (size_t i = 0; i < 2 * num_claims; ++i) out.vals.push_back(sumcheck::read_msg<F>(r));
  return out;
}
template DivProofT<Fr> DivProofT<Fr>::deserialize(ByteReader&, const DivParams&, size_t);
template DivProofT<snark::CFr> DivProofT<snark::CFr>::deserialize(ByteReader&, const DivParams&, size_t);

namespace {
// Adapter so that register_ranges works on the prover with values.
struct ProverRanges {
  detail::NlProver& nl;
  const std::vector<int64_t> *q, *rem, *comp, *den;
  size_t add_range(const std::string& name, size_t, size_t bits) {
    const std::vector<int64_t>* v = name == "div.q" ? q : name == "div.rem" ? rem : name == "div.rem_comp" ? comp : den;
    return nl.add_range(name, *v, bits);
  }
};
}  // namespace

DivProver::DivProver(const DivParams& params, std::span<const int64_t> a, std::span<const int64_t> b,
                     std::span<const int64_t> forced_q)
    : params_(params) {
  if (auto why = params.invalid()) throw Error("div: " + *why);
  ys_ = PaddedShape(params.dims);
  as_ = PaddedShape(dims_or(params.a_dims, params));
  bs_ = PaddedShape(dims_or(params.b_dims, params));
  if (a.size() != as_.unpadded_size() || b.size() != bs_.unpadded_size())
    throw Error("div: tensor sizes do not match the shapes");
  const int64_t dmax = int64_t{1} << params.d_bits;
  for (int64_t v : b)
    if (v < 1 || v > dmax)
      throw Error("div: divisor " + std::to_string(v) + " outside [1, 2^" + std::to_string(params.d_bits) +
                  "] (only positive divisors are proven)");
  b0_.assign(b.begin(), b.end());
  const auto ab = broadcast_values(a, as_.dims(), params.dims);
  bb_ = broadcast_values(b, bs_.dims(), params.dims);
  const size_t N = ab.size();
  if (!forced_q.empty() && forced_q.size() != N) throw Error("div: forced quotient size");
  q_.resize(N);
  std::vector<int64_t> rem(N), comp(N), qs(N), den(b.size());
  const int64_t qoff = int64_t{1} << params.q_bits;
  for (size_t i = 0; i < N; ++i) {
    const int64_t num = 2 * ab[i] * (int64_t{1} << params.ea), d = bb_[i] * (int64_t{1} << params.eb);
    // ops::div_round for d > 0: floor((2n + d) / 2d).
    const int64_t t = num + d, den2 = 2 * d;
    int64_t q = t / den2, r = t % den2;
    if (r < 0) r += den2, --q;
    if (!forced_q.empty()) {
      q = forced_q[i];
      r = t - den2 * q;
    }
    q_[i] = q;
    rem[i] = r;
    comp[i] = den2 - 1 - r;
    qs[i] = q + qoff;
  }
  for (size_t i = 0; i < b.size(); ++i) den[i] = b[i] - 1;
  const auto qp = detail::padded_i64(ys_, qs), rp = detail::padded_i64(ys_, rem), cp = detail::padded_i64(ys_, comp),
             dp = detail::padded_i64(bs_, den);
  ProverRanges pr{nl_, &qp, &rp, &cp, &dp};
  Ranges rg = register_ranges(pr, params, ys_.num_vars(), bs_.num_vars());
  r_q_ = rg.q, r_rem_ = rg.rem, r_comp_ = rg.comp, r_den_ = rg.den;
}

DivProof DivProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, DivClaims* out) {
  *out = {};
  absorb_claims(tr, "div.claim", out_claims);
  DivProof proof;
  const auto& ad = as_.dims();
  const auto& bd = bs_.dims();
  const auto bt0 = padded_table(bs_, b0_);
  const auto bbt = padded_table(ys_, bb_), qt = padded_table(ys_, q_);
  const Fr two_eb = pow2_fr(params_.eb), two_eb1 = pow2_fr(params_.eb + 1), two_ea1 = pow2_fr(params_.ea + 1);
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == ys_.num_vars());
    nl_.send_range_eval(r_q_, c.point, tr);
    const cp::Val r = nl_.send_range_eval(r_rem_, c.point, tr);
    nl_.send_range_eval(r_comp_, c.point, tr);
    const auto zb = broadcast_point(ys_, bd, c.point);
    const cp::Val bz = cp::send(tr, poly::evaluate_mle<Fr>(bt0, zb));
    tr.absorb("div.b_eval", bz);
    proof.vals.push_back(bz);
    nl_.send_range_eval(r_den_, zb, tr);
    out->b.push_back({zb, bz});
    // T = sum_x eq(z, x) bb(x) q(x), sent and absorbed before its sumcheck.
    Fr t_val = Fr::zero();
    {
      const auto ez = poly::eq_table<Fr>(c.point);
      for (size_t x = 0; x < ez.size(); ++x) t_val += ez[x] * bbt[x] * qt[x];
    }
    const cp::Val T = cp::send(tr, t_val);
    tr.absorb("div.T", T);
    proof.vals.push_back(T);
    auto res = sumcheck::prove_with_eq<Fr>(mul_comp(), c.point, {{}, bbt, qt}, tr);
    ZKINFER_CHECK(res.claim == t_val);
    const Fr kb = broadcast_factor(ys_, bd, c.point), ka = broadcast_factor(ys_, ad, c.point);
    const cp::Val av = (two_eb1 * T + r - two_eb * kb * bz) * (two_ea1 * ka).inverse();
    out->a.push_back({broadcast_point(ys_, ad, c.point), av});
    nl_.send_range_eval(r_q_, res.point, tr);
    const auto rb = broadcast_point(ys_, bd, res.point);
    const Fr krb = broadcast_factor(ys_, bd, res.point);
    out->b.push_back({rb, krb.is_zero() ? Fr::zero() : res.final_evals[1] * krb.inverse()});
    nl_.send_range_eval(r_den_, rb, tr);
    nl_.proof.sumchecks.push_back(std::move(res.proof));
  }
  nl_.prove_lookups(tr);
  proof.nl = std::move(nl_.proof);
  out->advice = nl_.claims;
  return proof;
}

std::vector<AdviceShape> div_advice_shapes(const DivParams& params) {
  if (auto why = params.invalid()) throw Error("div: " + *why);
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  register_ranges(nv, params, PaddedShape(params.dims).num_vars(), PaddedShape(dims_or(params.b_dims, params)).num_vars());
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_div_as(const DivParams& params, std::span<const ClaimT<F>> out_claims, const DivProofT<F>& proof,
                      transcript::Transcript& tr, DivClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = params.invalid()) return Verdict::reject("div: " + *why);
  const PaddedShape ys(params.dims), bs(dims_or(params.b_dims, params));
  const auto& ad = dims_or(params.a_dims, params);
  const auto& bd = bs.dims();
  const size_t n = ys.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("div: claim point has the wrong size");
  if (proof.vals.size() != 2 * out_claims.size()) return Verdict::reject("div: wrong number of values");
  detail::NlVerifierT<F> nv(proof.nl);
  const Ranges rg = register_ranges(nv, params, n, bs.num_vars());
  absorb_claims(tr, "div.claim", out_claims);
  DivClaimsT<F> res;
  const F qoff = F(pow2_fr(params.q_bits)), two_eb = F(pow2_fr(params.eb)), two_eb1 = F(pow2_fr(params.eb + 1)),
           two_ea1 = F(pow2_fr(params.ea + 1));
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    const std::string where = "div: claim " + std::to_string(i);
    M qv{}, r{}, rc{}, dz{};
    if (!nv.recv_range_eval(rg.q, c.point, tr, &qv) || !nv.recv_range_eval(rg.rem, c.point, tr, &r) ||
        !nv.recv_range_eval(rg.comp, c.point, tr, &rc))
      return Verdict::reject(where + ": missing evaluations");
    const F ind = indicator_mle(ys, c.point);
    if (qv - qoff * ind != c.value) return Verdict::reject(where + ": value differs from the quotient's digits");
    const auto zb = broadcast_point(ys, bd, c.point);
    const M bz = proof.vals[2 * i];
    tr.absorb("div.b_eval", bz);
    if (!nv.recv_range_eval(rg.den, zb, tr, &dz)) return Verdict::reject(where + ": missing evaluations");
    if (dz != bz - indicator_mle(bs, zb)) return Verdict::reject(where + ": divisor differs from its positive digits");
    const F kb = broadcast_factor(ys, bd, c.point), ka = broadcast_factor(ys, ad, c.point);
    if (ka.is_zero() || kb.is_zero()) return Verdict::reject(where + ": degenerate point (broadcast factor 0)");
    if (r + rc != two_eb1 * kb * bz - ind) return Verdict::reject(where + ": remainder not below twice the divisor");
    res.b.push_back({zb, bz});
    const M T = proof.vals[2 * i + 1];
    tr.absorb("div.T", T);
    const sumcheck::Proof<F>* sp = nv.next_sumcheck();
    if (sp == nullptr) return Verdict::reject(where + ": missing product sumcheck");
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify_with_eq<F>(mul_comp<F>(), c.point, T, *sp, tr, &sub); !v) return v.within(where + ": product");
    if (sub.final_evals[0] != M(poly::eq_eval<F>(c.point, sub.point)))
      return Verdict::reject(where + ": product: eq(z, rho) mismatch");
    res.a.push_back({broadcast_point(ys, ad, c.point), (two_eb1 * T + r - two_eb * kb * bz) * (two_ea1 * ka).inverse()});
    M qr{}, dr{};
    if (!nv.recv_range_eval(rg.q, sub.point, tr, &qr)) return Verdict::reject(where + ": missing evaluations");
    if (qr - qoff * indicator_mle(ys, sub.point) != sub.final_evals[2])
      return Verdict::reject(where + ": product: q(rho) differs from the quotient's digits");
    const auto rb = broadcast_point(ys, bd, sub.point);
    const F krb = broadcast_factor(ys, bd, sub.point);
    if (krb.is_zero()) return Verdict::reject(where + ": degenerate point (broadcast factor 0)");
    const M brv = sub.final_evals[1] * krb.inverse();
    if (!nv.recv_range_eval(rg.den, rb, tr, &dr)) return Verdict::reject(where + ": missing evaluations");
    if (dr != brv - indicator_mle(bs, rb)) return Verdict::reject(where + ": product: divisor differs from its positive digits");
    res.b.push_back({rb, brv});
  }
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("div");
  if (Verdict v = nv.finished(); !v) return v.within("div");
  res.advice = std::move(nv.claims);
  *out = std::move(res);
  return Verdict::accept();
}

template Verdict verify_div_as<Fr>(const DivParams&, std::span<const Claim>, const DivProof&, transcript::Transcript&,
                                   DivClaims*);
template Verdict verify_div_as<snark::CFr>(const DivParams&, std::span<const ClaimT<snark::CFr>>,
                                           const DivProofT<snark::CFr>&, transcript::Transcript&, DivClaimsT<snark::CFr>*);

Verdict verify_div(const DivParams& params, std::span<const Claim> out_claims, const DivProof& proof,
                   transcript::Transcript& tr, DivClaims* out) {
  return verify_div_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
