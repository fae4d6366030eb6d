// Boolean logic and Where as affine forms of broadcast products. See logic.h and
// docs/protocol/compare.md.
#include "layers/logic.h"

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::layers {

using detail::absorb_claims;
using detail::indicator_mle;
using detail::pow2_fr;

namespace {
using Kind = LogicParams::Kind;

size_t arity(Kind k) { return k == Kind::kNot ? 1 : (k == Kind::kWhere ? 3 : 2); }

const std::vector<size_t>& dims_of(const LogicParams& p, size_t i) { return p.in_dims[i].empty() ? p.dims : p.in_dims[i]; }

std::optional<std::string> bad_params(const LogicParams& p) {
  if (auto why = PaddedShape::invalid(p.dims)) return why;
  if (p.ea > 40 || p.eb > 40) return std::string("alignment exponent above 40");
  for (size_t i = 0; i < 3; ++i) {
    const auto& d = p.in_dims[i];
    if (d.empty()) continue;
    if (i >= arity(p.kind)) return std::string("operand shape given for an absent operand");
    if (d.size() != p.dims.size()) return std::string("operand rank differs from the output's");
    for (size_t k = 0; k < d.size(); ++k)
      if (d[k] != p.dims[k] && d[k] != 1) return std::string("operand dimension neither the output's nor 1");
  }
  if (p.kind == Kind::kNot && dims_of(p, 0) != p.dims) return std::string("Not changes the shape");
  for (size_t i = 0; i < 3; ++i)
    if (p.check[i] && (i >= arity(p.kind) || (p.kind == Kind::kWhere && i > 0)))
      return std::string("0/1 check of a non-boolean operand");
  return std::nullopt;
}

// y = alpha I + beta M, M = a' b', a' = g a + h I_a (the same for b).
struct Affine {
  Fr alpha, beta, g, h;
};
Affine affine(Kind k) {
  const Fr one = Fr::one(), two = Fr::from_u64(2);
  switch (k) {
    case Kind::kAnd: return {Fr::zero(), one, one, Fr::zero()};
    case Kind::kOr: return {one, -one, -one, one};
    case Kind::kXor: {
      const Fr half = two.inverse();
      return {half, -half, two, -one};
    }
    default: return {};
  }
}
int64_t transform(Kind k, int64_t v) {
  switch (k) {
    case Kind::kAnd: return v;
    case Kind::kOr: return 1 - v;
    case Kind::kXor: return 2 * v - 1;
    default: return v;
  }
}

// Where: the shape of d (a's and b's broadcast), and the operands' shapes relative to it.
std::vector<size_t> d_dims(const LogicParams& p) {
  const auto &a = dims_of(p, 1), &b = dims_of(p, 2);
  std::vector<size_t> d(p.dims.size());
  for (size_t k = 0; k < d.size(); ++k) d[k] = std::max(a[k], b[k]);
  return d;
}

ElementwiseParams main_params(const LogicParams& p) {
  ElementwiseParams e;
  e.dims = p.dims;
  if (p.kind == Kind::kWhere) {
    e.op = ElementwiseParams::Op::kAffine;
    e.a_dims = dims_of(p, 0);
    e.b_dims = d_dims(p);
    e.c_dims = dims_of(p, 2);
  } else {
    e.op = ElementwiseParams::Op::kMul;
    e.a_dims = dims_of(p, 0);
    e.b_dims = dims_of(p, 1);
  }
  return e;
}
ElementwiseParams sub_params(const LogicParams& p) {
  ElementwiseParams e;
  e.op = ElementwiseParams::Op::kSub;
  e.dims = d_dims(p);
  e.a_dims = dims_of(p, 1);
  e.b_dims = dims_of(p, 2);
  e.ea = p.ea;
  e.eb = p.eb;
  return e;
}

// Claims on a transformed operand a' = g a + h I_a back to claims on a.
template <class F>
std::vector<ClaimT<F>> untransform(const Affine& f, const std::vector<size_t>& dims, std::vector<ClaimT<F>> cl) {
  using M = sumcheck::Msg<F>;
  const PaddedShape s(dims);
  const F gi = F(f.g.inverse());
  for (auto& c : cl) c.value = (c.value - M(F(f.h) * indicator_mle(s, c.point))) * gi;
  return cl;
}

// sum eq(tau, x) (a^2 - a): factors eq, a.
template <class F = Fr>
sumcheck::Composition<F> bool_check() {
  using T = sumcheck::Term<F>;
  return sumcheck::Composition<F>(2, {T{F::one(), {0, 1, 1}}, T{-F::one(), {0, 1}}});
}
std::string check_label(size_t i) { return "logic.bool_tau" + std::to_string(i); }

}  // namespace

template <>
void LogicProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& p : parts) p.serialize(w);
  for (const auto& c : checks) c.serialize(w);
}

template <field::PrimeField F>
LogicProofT<F> LogicProofT<F>::deserialize(ByteReader& r, const LogicParams& p, size_t num_claims) {
  LogicProofT<F> out;
  if (p.kind != Kind::kNot) {
    out.parts.push_back(ElementwiseProofT<F>::deserialize(r, main_params(p), num_claims));
    if (p.kind == Kind::kWhere) out.parts.push_back(ElementwiseProofT<F>::deserialize(r, sub_params(p), num_claims));
  }
  for (size_t i = 0; i < 3; ++i)
    if (p.check[i]) out.checks.push_back(sumcheck::Proof<F>::deserialize(r, PaddedShape(dims_of(p, i)).num_vars(), 2, 2));
  return out;
}
template LogicProofT<Fr> LogicProofT<Fr>::deserialize(ByteReader&, const LogicParams&, size_t);
template LogicProofT<snark::CFr> LogicProofT<snark::CFr>::deserialize(ByteReader&, const LogicParams&, size_t);

LogicProver::LogicProver(const LogicParams& params, std::vector<std::span<const int64_t>> in, bool cheat)
    : params_(params) {
  if (auto why = bad_params(params)) throw Error("logic: " + *why);
  if (in.size() != arity(params.kind)) throw Error("logic: wrong number of operands");
  for (size_t i = 0; i < in.size(); ++i) {
    const PaddedShape s(dims_of(params, i));
    if (in[i].size() != s.unpadded_size()) throw Error("logic: operand size does not match its shape");
    if (!cheat && (params.kind != Kind::kWhere || i == 0))
      for (int64_t v : in[i])
        if (v != 0 && v != 1) throw Error("logic: a boolean operand holds a value other than 0 and 1");
  }
  for (const auto& v : in) in_.emplace_back(v.begin(), v.end());
  switch (params.kind) {
    case Kind::kNot:
      y_.resize(in[0].size());
      for (size_t i = 0; i < y_.size(); ++i) y_[i] = 1 - in[0][i];
      break;
    case Kind::kWhere: {
      sub_ = std::make_unique<ElementwiseProver>(sub_params(params), in[1], in[2]);
      std::vector<int64_t> bs(in[2].begin(), in[2].end());
      for (auto& v : bs) v <<= params.eb;
      main_ = std::make_unique<ElementwiseProver>(main_params(params), in[0], sub_->output(), bs);
      y_ = main_->output();
      break;
    }
    default: {
      std::vector<int64_t> a(in[0].begin(), in[0].end()), b(in[1].begin(), in[1].end());
      for (auto& v : a) v = transform(params.kind, v);
      for (auto& v : b) v = transform(params.kind, v);
      main_ = std::make_unique<ElementwiseProver>(main_params(params), a, b);
      const auto& m = main_->output();
      y_.resize(m.size());
      for (size_t i = 0; i < m.size(); ++i) {
        switch (params.kind) {
          case Kind::kAnd: y_[i] = m[i]; break;
          case Kind::kOr: y_[i] = 1 - m[i]; break;
          default: y_[i] = (1 - m[i]) / 2; break;
        }
      }
    }
  }
}

LogicProof LogicProver::prove(std::span<const Claim> out_claims, transcript::Transcript& tr, LogicClaims* out) {
  LogicProof proof = prove_main(out_claims, tr, out);
  for (size_t i = 0; i < 3; ++i) {
    if (!params_.check[i]) continue;
    const PaddedShape s(dims_of(params_, i));
    const auto tau = tr.challenges<Fr>(check_label(i), s.num_vars());
    const auto t = padded_table(s, in_[i]);
    std::vector<Fr> tf(t.begin(), t.end());
    auto res = sumcheck::prove_with_eq<Fr>(bool_check(), tau, {{}, std::move(tf)}, tr);
    out->in[i].push_back({res.point, res.proof.final_evals[1]});
    proof.checks.push_back(std::move(res.proof));
  }
  return proof;
}

LogicProof LogicProver::prove_main(std::span<const Claim> out_claims, transcript::Transcript& tr, LogicClaims* out) {
  absorb_claims(tr, "logic.claim", out_claims);
  const PaddedShape ys(params_.dims);
  LogicProof proof;
  for (auto& v : out->in) v.clear();
  if (params_.kind == Kind::kNot) {
    for (const auto& c : out_claims) out->in[0].push_back({c.point, cp::Val(indicator_mle(ys, c.point)) - c.value});
    return proof;
  }
  ElementwiseClaims ec;
  if (params_.kind == Kind::kWhere) {
    proof.parts.push_back(main_->prove(out_claims, tr, &ec));
    ElementwiseClaims sc;
    proof.parts.push_back(sub_->prove(ec.b, tr, &sc));
    out->in[0] = std::move(ec.a);
    out->in[1] = std::move(sc.a);
    out->in[2] = std::move(sc.b);
    const Fr inv = pow2_fr(params_.eb).inverse();
    for (auto c : ec.c) out->in[2].push_back({c.point, c.value * inv});
    return proof;
  }
  const Affine f = affine(params_.kind);
  const Fr bi = f.beta.inverse();
  std::vector<Claim> mc;
  for (const auto& c : out_claims) mc.push_back({c.point, (c.value - cp::Val(f.alpha * indicator_mle(ys, c.point))) * bi});
  proof.parts.push_back(main_->prove(mc, tr, &ec));
  out->in[0] = untransform(f, dims_of(params_, 0), std::move(ec.a));
  out->in[1] = untransform(f, dims_of(params_, 1), std::move(ec.b));
  return proof;
}

namespace {
template <field::PrimeField F>
Verdict verify_main(const LogicParams& params, std::span<const ClaimT<F>> out_claims, const LogicProofT<F>& proof,
                    transcript::Transcript& tr, LogicClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = bad_params(params)) return Verdict::reject("logic: " + *why);
  const PaddedShape ys(params.dims);
  for (const auto& c : out_claims)
    if (c.point.size() != ys.num_vars()) return Verdict::reject("logic: claim point has the wrong size");
  const size_t parts = params.kind == Kind::kNot ? 0 : (params.kind == Kind::kWhere ? 2 : 1);
  if (proof.parts.size() != parts) return Verdict::reject("logic: wrong number of sub-proofs");
  absorb_claims(tr, "logic.claim", out_claims);
  for (auto& v : out->in) v.clear();
  if (params.kind == Kind::kNot) {
    for (const auto& c : out_claims) out->in[0].push_back({c.point, M(indicator_mle(ys, c.point)) - c.value});
    return Verdict::accept();
  }
  ElementwiseClaimsT<F> ec;
  if (params.kind == Kind::kWhere) {
    if (Verdict v = verify_elementwise_as<F>(main_params(params), out_claims, proof.parts[0], tr, &ec); !v)
      return v.within("where: product");
    ElementwiseClaimsT<F> sc;
    if (Verdict v = verify_elementwise_as<F>(sub_params(params), std::span<const ClaimT<F>>(ec.b), proof.parts[1], tr, &sc); !v)
      return v.within("where: difference");
    out->in[0] = std::move(ec.a);
    out->in[1] = std::move(sc.a);
    out->in[2] = std::move(sc.b);
    const F inv = F(pow2_fr(params.eb).inverse());
    for (auto c : ec.c) out->in[2].push_back({c.point, c.value * inv});
    return Verdict::accept();
  }
  const Affine f = affine(params.kind);
  const F bi = F(f.beta.inverse());
  std::vector<ClaimT<F>> mc;
  for (const auto& c : out_claims)
    mc.push_back({c.point, (c.value - M(F(f.alpha) * indicator_mle(ys, c.point))) * bi});
  if (Verdict v = verify_elementwise_as<F>(main_params(params), std::span<const ClaimT<F>>(mc), proof.parts[0], tr, &ec); !v)
    return v.within("logic: product");
  out->in[0] = untransform<F>(f, dims_of(params, 0), std::move(ec.a));
  out->in[1] = untransform<F>(f, dims_of(params, 1), std::move(ec.b));
  return Verdict::accept();
}
}  // namespace

template <field::PrimeField F>
Verdict verify_logic_as(const LogicParams& params, std::span<const ClaimT<F>> out_claims, const LogicProofT<F>& proof,
                        transcript::Transcript& tr, LogicClaimsT<F>* out) {
  if (Verdict v = verify_main<F>(params, out_claims, proof, tr, out); !v) return v;
  size_t k = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (!params.check[i]) continue;
    if (k >= proof.checks.size()) return Verdict::reject("logic: a 0/1 check is missing");
    const PaddedShape s(dims_of(params, i));
    const auto tau = tr.challenges<F>(check_label(i), s.num_vars());
    sumcheck::Subclaim<F> sub;
    const std::string what = "logic: 0/1 check of operand " + std::to_string(i);
    if (Verdict v = sumcheck::verify_with_eq<F>(bool_check<F>(), tau, sumcheck::Msg<F>{}, proof.checks[k++], tr, &sub); !v)
      return v.within(what);
    if (sub.final_evals[0] != sumcheck::Msg<F>(poly::eq_eval<F>(tau, sub.point)))
      return Verdict::reject(what + ": eq(tau, rho) mismatch");
    out->in[i].push_back({sub.point, sub.final_evals[1]});
  }
  if (k != proof.checks.size()) return Verdict::reject("logic: extra 0/1 checks");
  return Verdict::accept();
}

template Verdict verify_logic_as<Fr>(const LogicParams&, std::span<const Claim>, const LogicProof&, transcript::Transcript&,
                                     LogicClaims*);
template Verdict verify_logic_as<snark::CFr>(const LogicParams&, std::span<const ClaimT<snark::CFr>>,
                                             const LogicProofT<snark::CFr>&, transcript::Transcript&,
                                             LogicClaimsT<snark::CFr>*);

Verdict verify_logic(const LogicParams& params, std::span<const Claim> out_claims, const LogicProof& proof,
                     transcript::Transcript& tr, LogicClaims* out) {
  return verify_logic_as<Fr>(params, out_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
