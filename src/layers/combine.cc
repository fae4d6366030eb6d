// Claim combination (combine.h; docs/protocol/layers.md, section 4).
#include "layers/combine.h"

#include <string>
#include <vector>

#include "common/check.h"
#include "poly/mle.h"
#include "poly/parallel.h"
#include "snark/cfr.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "zk/session.h"

namespace zkinfer::layers {

namespace {

constexpr std::string_view kLabelNumClaims = "layers.combine.num_claims";
constexpr std::string_view kLabelClaims = "layers.combine.claims";
constexpr std::string_view kLabelGamma = "layers.combine.gamma";

template <class F>
F absorb_and_gamma(transcript::Transcript& tr, std::span<const ClaimT<F>> claims) {
  tr.absorb_u64(kLabelNumClaims, claims.size());
  std::vector<sumcheck::Msg<F>> values;
  for (const auto& c : claims) {  // each claim's point, then its value
    values.insert(values.end(), c.point.begin(), c.point.end());
    if (!zk_of(tr)) values.push_back(c.value);  // zero knowledge: claim values are derived, never absorbed
  }
  tr.absorb_many(kLabelClaims, values);
  return tr.challenge<F>(kLabelGamma);
}

}  // namespace

Claim prove_combine(std::span<const Fr> table, size_t num_vars, std::span<const Claim> claims,
                    transcript::Transcript& tr, CombineProof* proof) {
  ZKINFER_CHECK(!claims.empty() && num_vars < 48 && table.size() == (size_t{1} << num_vars));
  for (const auto& c : claims) ZKINFER_CHECK(c.point.size() == num_vars);
  *proof = CombineProof{};
  if (claims.size() == 1) return claims[0];
  const Fr gamma = absorb_and_gamma<Fr>(tr, claims);
  // E(x) = sum_t gamma^t eq(z_t, x).
  std::vector<Fr> e = poly::eq_table<Fr>(claims[0].point);
  Fr g = gamma;
  for (size_t t = 1; t < claims.size(); ++t) {
    const auto et = poly::eq_table<Fr>(claims[t].point, g);
#pragma omp parallel for schedule(static) if (poly::go_parallel(e.size()))
    for (size_t i = 0; i < e.size(); ++i) e[i] += et[i];
    g *= gamma;
  }
  std::vector<std::vector<Fr>> factors;
  factors.push_back(std::move(e));
  factors.emplace_back(table.begin(), table.end());
  auto res = sumcheck::prove(sumcheck::Composition<Fr>::product(2), std::move(factors), tr);
  proof->sumcheck = std::move(res.proof);
  return Claim{std::move(res.point), res.final_evals[1]};
}

template <field::PrimeField F>
Verdict verify_combine_as(size_t num_vars, std::span<const ClaimT<F>> claims, const CombineProofT<F>& proof,
                          transcript::Transcript& tr, ClaimT<F>* out) {
  if (claims.empty()) return Verdict::reject("combine: no claims");
  for (const auto& c : claims)
    if (c.point.size() != num_vars) return Verdict::reject("combine: claim point has the wrong length");
  if (claims.size() == 1) {
    if (!proof.sumcheck.rounds.empty() || !proof.sumcheck.final_evals.empty())
      return Verdict::reject("combine: proof given for a single claim");
    if (out) *out = claims[0];
    return Verdict::accept();
  }
  const F gamma = absorb_and_gamma<F>(tr, claims);
  sumcheck::Msg<F> claim{};
  F g = F::one();
  for (const auto& c : claims) {
    claim += g * c.value;
    g *= gamma;
  }
  sumcheck::Subclaim<F> sub;
  // Factor 0, E(r) = sum_t gamma^t eq(z_t, r), is the verifier's own.
  auto e_at = [&](size_t j, std::span<const F> r) -> std::optional<F> {
    if (j != 0) return std::nullopt;
    F e = F::zero(), gt = F::one();
    for (const auto& c : claims) {
      e += gt * poly::eq_eval<F>(c.point, r);
      gt *= gamma;
    }
    return e;
  };
  Verdict v = sumcheck::verify<F>(sumcheck::Composition<F>::product(2), num_vars, claim, proof.sumcheck, tr, &sub, e_at);
  if (!v.ok()) return v.within("combine");
  if (out) *out = ClaimT<F>{std::move(sub.point), sub.final_evals[1]};
  return Verdict::accept();
}

template Verdict verify_combine_as<Fr>(size_t, std::span<const Claim>, const CombineProof&, transcript::Transcript&,
                                       Claim*);
template Verdict verify_combine_as<snark::CFr>(size_t, std::span<const ClaimT<snark::CFr>>,
                                               const CombineProofT<snark::CFr>&, transcript::Transcript&,
                                               ClaimT<snark::CFr>*);

Verdict verify_combine(size_t num_vars, std::span<const Claim> claims, const CombineProof& proof,
                       transcript::Transcript& tr, Claim* out) {
  return verify_combine_as<Fr>(num_vars, claims, proof, tr, out);
}

}  // namespace zkinfer::layers
