// Truncating integer Div with a positive divisor (int_div.h; docs/protocol/nonlinear.md, section 14).
#include "layers/int_div.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;

namespace {

const std::vector<size_t>& zdims(const IntDivParams& p) { return p.z_dims.empty() ? p.dims : p.z_dims; }

template <class F = Fr>
sumcheck::Composition<F> prod3() { return sumcheck::Composition<F>::product(3); }

}  // namespace

std::optional<std::string> IntDivParams::invalid() const {
  if (auto why = PaddedShape::invalid(dims)) return why;
  if (x_bits < 1 || x_bits > 60) return std::string("dividend bit bound out of range [1, 60]");
  if (d_bits < 1 || d_bits > 40) return std::string("divisor bit bound out of range [1, 40]");
  if (!z_dims.empty()) {
    if (z_dims.size() != dims.size()) return std::string("divisor rank differs from the dividend's");
    for (size_t i = 0; i < dims.size(); ++i)
      if (z_dims[i] != dims[i] && z_dims[i] != 1) return std::string("divisor does not broadcast");
  }
  return std::nullopt;
}

template <>
void IntDivProofT<Fr>::serialize(ByteWriter& w) const {
  nl.serialize(w);
  cp::write(w, z_eval);
}

template <field::PrimeField F>
IntDivProofT<F> IntDivProofT<F>::deserialize(ByteReader& r, const IntDivParams& p, size_t num_claims) {
  if (p.invalid()) r.fail("integer div: bad parameters");
  if (num_claims > 1024) r.fail("integer div: too many claims");
  const size_t ny = PaddedShape(p.dims).num_vars(), nz = PaddedShape(zdims(p)).num_vars();
  const size_t ex = range_eval_count(ny, p.x_bits), ed = range_eval_count(ny, p.d_bits), ez = range_eval_count(nz, p.d_bits);
  ProofLayout l;
  l.num_evals = num_claims * 4 * ex + 6 * ex + 4 * ed + 2 * ez;
  for (int i = 0; i < 4; ++i) append_range_layout(l, ny, p.x_bits);
  for (int i = 0; i < 4; ++i) append_range_layout(l, ny, p.d_bits);
  append_range_layout(l, nz, p.d_bits);
  l.sumchecks.push_back({ny, 3, 3});
  l.sumchecks.push_back({ny, 3, 3});
  IntDivProofT<F> out;
  out.nl = deserialize_proof<F>(r, l);
  out.z_eval = sumcheck::read_msg<F>(r);
  return out;
}
template IntDivProofT<Fr> IntDivProofT<Fr>::deserialize(ByteReader&, const IntDivParams&, size_t);
template IntDivProofT<snark::CFr> IntDivProofT<snark::CFr>::deserialize(ByteReader&, const IntDivParams&, size_t);

IntDivProver::IntDivProver(const IntDivParams& params, std::span<const int64_t> x, std::span<const int64_t> z,
                           std::span<const int64_t> forced_q)
    : params_(params) {
  if (auto why = params.invalid()) throw Error("integer div: " + *why);
  xs_ = PaddedShape(params.dims);
  zs_ = PaddedShape(zdims(params));
  if (x.size() != xs_.unpadded_size() || z.size() != zs_.unpadded_size())
    throw Error("integer div: tensor sizes do not match the shapes");
  const int64_t dmax = int64_t{1} << params.d_bits, xmax = int64_t{1} << params.x_bits;
  for (int64_t v : z)
    if (v < 1 || v > dmax)
      throw Error("integer div: divisor " + std::to_string(v) + " outside [1, 2^" + std::to_string(params.d_bits) +
                  "] (only positive divisors are proven)");
  z0_.assign(z.begin(), z.end());
  zb_ = broadcast_values(z, zs_.dims(), params.dims);
  const size_t N = x.size();
  if (!forced_q.empty() && forced_q.size() != N) throw Error("integer div: forced quotient size");
  q_.resize(N);
  std::vector<int64_t> pos(N), neg(N), qp(N), qn(N), rp(N), rn(N), rpc(N), rnc(N), den(z.size());
  for (size_t i = 0; i < N; ++i) {
    if (x[i] >= xmax || x[i] <= -xmax) throw Error("integer div: dividend outside its bit bound");
    pos[i] = x[i] > 0 ? x[i] : 0;
    neg[i] = x[i] < 0 ? -x[i] : 0;
    qp[i] = pos[i] / zb_[i];
    qn[i] = neg[i] / zb_[i];
    if (!forced_q.empty()) {  // move the difference into the non-zero side
      const int64_t delta = forced_q[i] - (qp[i] - qn[i]);
      if (neg[i] > 0) qn[i] -= delta; else qp[i] += delta;
    }
    rp[i] = pos[i] - qp[i] * zb_[i];
    rn[i] = neg[i] - qn[i] * zb_[i];
    rpc[i] = zb_[i] - 1 - rp[i];
    rnc[i] = zb_[i] - 1 - rn[i];
    q_[i] = qp[i] - qn[i];
  }
  for (size_t i = 0; i < z.size(); ++i) den[i] = z[i] - 1;
  pos_ = detail::padded_i64(xs_, pos);
  neg_ = detail::padded_i64(xs_, neg);
  qp_ = detail::padded_i64(xs_, qp);
  qn_ = detail::padded_i64(xs_, qn);
  r_pos_ = nl_.add_range("idiv.pos", pos_, params.x_bits);
  r_neg_ = nl_.add_range("idiv.neg", neg_, params.x_bits);
  r_qp_ = nl_.add_range("idiv.qp", qp_, params.x_bits);
  r_qn_ = nl_.add_range("idiv.qn", qn_, params.x_bits);
  r_rp_ = nl_.add_range("idiv.rp", detail::padded_i64(xs_, rp), params.d_bits);
  r_rn_ = nl_.add_range("idiv.rn", detail::padded_i64(xs_, rn), params.d_bits);
  r_rpc_ = nl_.add_range("idiv.rp_comp", detail::padded_i64(xs_, rpc), params.d_bits);
  r_rnc_ = nl_.add_range("idiv.rn_comp", detail::padded_i64(xs_, rnc), params.d_bits);
  r_den_ = nl_.add_range("idiv.den", detail::padded_i64(zs_, den), params.d_bits);
}

IntDivProof IntDivProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, IntDivClaims* out) {
  *out = {};
  absorb_claims(tr, "idiv.claim", out_claims);
  IntDivProof proof;
  const size_t n = xs_.num_vars();
  const auto& zd = zs_.dims();
  for (const Claim& c : out_claims) {
    ZKINFER_CHECK(c.point.size() == n);
    nl_.send_range_eval(r_qp_, c.point, tr);
    nl_.send_range_eval(r_qn_, c.point, tr);
    const cp::Val p = nl_.send_range_eval(r_pos_, c.point, tr);
    const cp::Val m = nl_.send_range_eval(r_neg_, c.point, tr);
    out->x.push_back({c.point, p - m});
  }
  auto fr = [](const std::vector<int64_t>& v) {
    std::vector<Fr> t(v.size());
    for (size_t i = 0; i < v.size(); ++i) t[i] = Fr::from_i64(v[i]);
    return t;
  };
  const auto tau1 = tr.challenges<Fr>("idiv.tau1", n);
  auto zc = sumcheck::prove_with_eq<Fr>(prod3(), tau1, {{}, fr(pos_), fr(neg_)}, tr);
  nl_.proof.sumchecks.push_back(std::move(zc.proof));
  nl_.send_range_eval(r_pos_, zc.point, tr);
  nl_.send_range_eval(r_neg_, zc.point, tr);
  const auto tau2 = tr.challenges<Fr>("idiv.tau2", n);
  const Fr gamma = tr.challenge<Fr>("idiv.gamma");
  for (size_t a : {r_pos_, r_neg_, r_rp_, r_rn_, r_rpc_, r_rnc_}) nl_.send_range_eval(a, tau2, tr);
  const auto t2z = broadcast_point(xs_, zd, tau2);
  proof.z_eval = cp::send(tr, poly::evaluate_mle<Fr>(padded_table(zs_, z0_), t2z));
  tr.absorb("idiv.z_eval", proof.z_eval);
  nl_.send_range_eval(r_den_, t2z, tr);
  out->z.push_back({t2z, proof.z_eval});
  std::vector<Fr> w(qp_.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = Fr::from_i64(qp_[i]) + gamma * Fr::from_i64(qn_[i]);
  auto pc = sumcheck::prove_with_eq<Fr>(prod3(), tau2, {{}, padded_table(xs_, zb_), std::move(w)}, tr);
  nl_.send_range_eval(r_qp_, pc.point, tr);
  nl_.send_range_eval(r_qn_, pc.point, tr);
  const auto rz = broadcast_point(xs_, zd, pc.point);
  const Fr k = broadcast_factor(xs_, zd, pc.point);
  out->z.push_back({rz, k.is_zero() ? Fr::zero() : pc.final_evals[1] * k.inverse()});
  nl_.send_range_eval(r_den_, rz, tr);
  nl_.proof.sumchecks.push_back(std::move(pc.proof));
  nl_.prove_lookups(tr);
  proof.nl = std::move(nl_.proof);
  out->advice = nl_.claims;
  return proof;
}

std::vector<AdviceShape> int_div_advice_shapes(const IntDivParams& params) {
  if (auto why = params.invalid()) throw Error("integer div: " + *why);
  NonlinearProof empty;
  detail::NlVerifier nv(empty);
  const size_t ny = PaddedShape(params.dims).num_vars(), nz = PaddedShape(zdims(params)).num_vars();
  for (const char* nm : {"idiv.pos", "idiv.neg", "idiv.qp", "idiv.qn"}) nv.add_range(nm, ny, params.x_bits);
  for (const char* nm : {"idiv.rp", "idiv.rn", "idiv.rp_comp", "idiv.rn_comp"}) nv.add_range(nm, ny, params.d_bits);
  nv.add_range("idiv.den", nz, params.d_bits);
  return nv.advice;
}

template <field::PrimeField F>
Verdict verify_int_div_as(const IntDivParams& params, std::span<const ClaimT<F>> out_claims,
                          const IntDivProofT<F>& proof, transcript::Transcript& tr, IntDivClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = params.invalid()) return Verdict::reject("integer div: " + *why);
  const PaddedShape xs(params.dims), zs(zdims(params));
  const auto& zd = zs.dims();
  const size_t n = xs.num_vars();
  for (const auto& c : out_claims)
    if (c.point.size() != n) return Verdict::reject("integer div: claim point has the wrong size");
  detail::NlVerifierT<F> nv(proof.nl);
  std::vector<size_t> rg;
  for (const char* nm : {"idiv.pos", "idiv.neg", "idiv.qp", "idiv.qn"}) rg.push_back(nv.add_range(nm, n, params.x_bits));
  for (const char* nm : {"idiv.rp", "idiv.rn", "idiv.rp_comp", "idiv.rn_comp"})
    rg.push_back(nv.add_range(nm, n, params.d_bits));
  const size_t r_den = nv.add_range("idiv.den", zs.num_vars(), params.d_bits);
  const size_t r_pos = rg[0], r_neg = rg[1], r_qp = rg[2], r_qn = rg[3];
  absorb_claims(tr, "idiv.claim", out_claims);
  IntDivClaimsT<F> res;
  const std::string miss = "integer div: missing evaluations";
  for (size_t i = 0; i < out_claims.size(); ++i) {
    const ClaimT<F>& c = out_claims[i];
    M qp{}, qn{}, p{}, m{};
    if (!nv.recv_range_eval(r_qp, c.point, tr, &qp) || !nv.recv_range_eval(r_qn, c.point, tr, &qn) ||
        !nv.recv_range_eval(r_pos, c.point, tr, &p) || !nv.recv_range_eval(r_neg, c.point, tr, &m))
      return Verdict::reject(miss);
    if (qp - qn != c.value)
      return Verdict::reject("integer div: claim " + std::to_string(i) + ": value differs from the quotients' digits");
    res.x.push_back({c.point, p - m});
  }
  const auto tau1 = tr.challenges<F>("idiv.tau1", n);
  sumcheck::Subclaim<F> zsub;
  if (Verdict v = nv.verify_zero_check(prod3<F>(), n, tau1, tr, &zsub, "integer div: sign zero-check"); !v) return v;
  {
    M p{}, m{};
    if (!nv.recv_range_eval(r_pos, zsub.point, tr, &p) || !nv.recv_range_eval(r_neg, zsub.point, tr, &m))
      return Verdict::reject(miss);
    if (p != zsub.final_evals[1] || m != zsub.final_evals[2])
      return Verdict::reject("integer div: sign zero-check: final values differ from the digits");
  }
  const auto tau2 = tr.challenges<F>("idiv.tau2", n);
  const F gamma = tr.challenge<F>("idiv.gamma");
  M e[6]{};  // pos, neg, rp, rn, rp', rn' at tau2
  const size_t at_tau2[6] = {rg[0], rg[1], rg[4], rg[5], rg[6], rg[7]};
  for (size_t k = 0; k < 6; ++k)
    if (!nv.recv_range_eval(at_tau2[k], tau2, tr, &e[k])) return Verdict::reject(miss);
  const auto t2z = broadcast_point(xs, zd, tau2);
  const M zv = proof.z_eval;
  tr.absorb("idiv.z_eval", zv);
  M den{};
  if (!nv.recv_range_eval(r_den, t2z, tr, &den)) return Verdict::reject(miss);
  if (den != zv - indicator_mle(zs, t2z)) return Verdict::reject("integer div: divisor differs from its positive digits");
  const F kz = broadcast_factor(xs, zd, tau2), ind = indicator_mle(xs, tau2);
  if (kz.is_zero()) return Verdict::reject("integer div: degenerate point (broadcast factor 0)");
  if (e[2] + e[4] != kz * zv - ind || e[3] + e[5] != kz * zv - ind)
    return Verdict::reject("integer div: remainder not below the divisor");
  res.z.push_back({t2z, zv});
  const sumcheck::Proof<F>* psp = nv.next_sumcheck();
  if (psp == nullptr) return Verdict::reject("integer div: missing product sumcheck");
  sumcheck::Subclaim<F> psub;
  const M target = (e[0] - e[2]) + gamma * (e[1] - e[3]);
  if (Verdict v = sumcheck::verify_with_eq<F>(prod3<F>(), tau2, target, *psp, tr, &psub); !v) return v.within("integer div: product");
  if (psub.final_evals[0] != M(poly::eq_eval<F>(tau2, psub.point)))
    return Verdict::reject("integer div: product: eq(tau, rho) mismatch");
  M qp{}, qn{};
  if (!nv.recv_range_eval(r_qp, psub.point, tr, &qp) || !nv.recv_range_eval(r_qn, psub.point, tr, &qn))
    return Verdict::reject(miss);
  if (qp + gamma * qn != psub.final_evals[2])
    return Verdict::reject("integer div: product: quotients differ from their digits");
  const auto rz = broadcast_point(xs, zd, psub.point);
  const F k = broadcast_factor(xs, zd, psub.point);
  if (k.is_zero()) return Verdict::reject("integer div: degenerate point (broadcast factor 0)");
  const M zr = psub.final_evals[1] * k.inverse();
  if (!nv.recv_range_eval(r_den, rz, tr, &den)) return Verdict::reject(miss);
  if (den != zr - indicator_mle(zs, rz)) return Verdict::reject("integer div: product: divisor differs from its positive digits");
  res.z.push_back({rz, zr});
  if (Verdict v = nv.verify_lookups(tr); !v) return v.within("integer div");
  if (Verdict v = nv.finished(); !v) return v.within("integer div");
  res.advice = std::move(nv.claims);
  *out = std::move(res);
  return Verdict::accept();
}

template Verdict verify_int_div_as<Fr>(const IntDivParams&, std::span<const Claim>, const IntDivProof&,
                                       transcript::Transcript&, IntDivClaims*);
template Verdict verify_int_div_as<snark::CFr>(const IntDivParams&, std::span<const ClaimT<snark::CFr>>,
                                               const IntDivProofT<snark::CFr>&, transcript::Transcript&,
                                               IntDivClaimsT<snark::CFr>*);

Verdict verify_int_div(const IntDivParams& params, std::span<const Claim> out_claims, const IntDivProof& proof,
                       transcript::Transcript& tr, IntDivClaims* out) {
  return verify_int_div_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
