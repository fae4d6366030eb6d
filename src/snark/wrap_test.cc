// The wrapping proof end to end on its first protocol (docs/protocol/wrap.md): a sumcheck proved
// natively over the Poseidon field transcript; its verifier, unchanged (sumcheck::verify<CFr>), run
// as a circuit over the transcript's Poseidon twin; a Groth16 proof of that circuit (TEST-ONLY
// setup) that the sumcheck verifier accepted the claim, which is the proof's public input together
// with the point and the final values the sumcheck reduces it to (what a caller goes on with).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "common/error.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"
#include "snark/cfr.h"
#include "snark/groth16.h"
#include "snark/poseidon_gadget.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "transcript/poseidon_transcript.h"
#include "transcript/transcript.h"

namespace zkinfer::snark {
namespace {

constexpr size_t kVars = 4;

Fr rnd(std::mt19937_64& g) { return Fr::from_u64(g()) * Fr::from_u64(g()) + Fr::from_u64(g()); }

sumcheck::Composition<Fr> composition() {
  // g = 3 f0 f1 f2 - f1 + f0 f2: degree 3.
  return sumcheck::Composition<Fr>(3, {sumcheck::Term<Fr>{Fr::from_u64(3), {0, 1, 2}},
                                       sumcheck::Term<Fr>{-Fr::one(), {1}},
                                       sumcheck::Term<Fr>{Fr::one(), {0, 2}}});
}

struct Proved {
  sumcheck::ProverResult<Fr> res;
};

Proved prove(uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<std::vector<Fr>> factors(3, std::vector<Fr>(size_t{1} << kVars));
  for (auto& f : factors)
    for (auto& x : f) x = rnd(g);
  transcript::Transcript tr("wrap-sumcheck", std::make_unique<transcript::PoseidonFieldSponge>());
  return {sumcheck::prove<Fr>(composition(), factors, tr)};
}

// The wrapped statement's circuit: public inputs claim, point (kVars), final values (3); the
// proof's messages are witnesses. Returns the system (with the assignment from `p`).
ConstraintSystem build(const sumcheck::ProverResult<Fr>& p, const Fr& claim) {
  ConstraintSystem cs;
  CircuitScope scope(cs);
  CFr cclaim = CFr::public_input(claim);
  std::vector<CFr> point, finals;
  for (size_t i = 0; i < kVars; ++i) point.push_back(CFr::public_input(p.point[i]));
  for (const auto& e : p.proof.final_evals) finals.push_back(CFr::public_input(e.value()));
  sumcheck::Proof<CFr> proof;
  for (const auto& m : p.proof.rounds) {
    sumcheck::RoundMessage<CFr> cm;
    for (const auto& e : m.evals) cm.evals.push_back(CFr::witness(e.value()));
    proof.rounds.push_back(std::move(cm));
  }
  for (const auto& f : finals) proof.final_evals.push_back(CFr::witness(f.value()));
  std::vector<sumcheck::Term<CFr>> terms;
  const auto native_comp = composition();
  for (const auto& t : native_comp.terms()) terms.push_back({CFr(t.coeff), t.factors});
  sumcheck::Composition<CFr> comp(3, std::move(terms));
  transcript::Transcript tr("wrap-sumcheck", std::make_unique<PoseidonCircuitSponge>());
  sumcheck::Subclaim<CFr> sub;
  Verdict v = sumcheck::verify<CFr>(comp, kVars, cclaim, proof, tr, &sub);
  EXPECT_TRUE(v.ok()) << v.reason();
  // What the verifier reduced the claim to is what the statement says.
  for (size_t i = 0; i < kVars; ++i) EXPECT_TRUE(sub.point[i] == point[i]);
  for (size_t j = 0; j < finals.size(); ++j) EXPECT_TRUE(proof.final_evals[j] == finals[j]);
  return cs;
}

std::vector<Fr> publics(const sumcheck::ProverResult<Fr>& p, const Fr& claim) {
  std::vector<Fr> out = {claim};
  out.insert(out.end(), p.point.begin(), p.point.end());
  for (const auto& e : p.proof.final_evals) out.push_back(e.value());
  return out;
}

TEST(WrapSumcheck, GrothProofOfTheVerifiersRun) {
  const Proved a = prove(1), b = prove(2);
  ConstraintSystem ca = build(a.res, a.res.claim);
  ConstraintSystem cb = build(b.res, b.res.claim);
  ASSERT_TRUE(ca.is_satisfied());
  ASSERT_TRUE(cb.is_satisfied());
  // The circuit does not depend on the proof it was built from: one setup serves every proof.
  EXPECT_EQ(r1cs_shape(ca), r1cs_shape(cb));
  std::printf("wrapped sumcheck (%zu variables, degree 3): %zu constraints, %zu public inputs\n", kVars,
              ca.num_constraints(), ca.num_public());

  const Groth16ProvingKey pk = groth16_setup_insecure(ca, 42);  // TEST ONLY
  std::mt19937_64 g(3);
  auto random = [&] { return rnd(g); };
  const Groth16Proof pa = groth16_prove(pk, ca, random);
  const Groth16Proof pb = groth16_prove(pk, cb, random);
  EXPECT_TRUE(groth16_verify(pk.vk, publics(a.res, a.res.claim), pa).ok);
  EXPECT_TRUE(groth16_verify(pk.vk, publics(b.res, b.res.claim), pb).ok);

  // A false claim, a changed point or final value in the statement: rejected.
  auto pub = publics(a.res, a.res.claim);
  for (size_t i = 0; i < pub.size(); ++i) {
    auto bad = pub;
    bad[i] += Fr::one();
    Groth16Result r = groth16_verify(pk.vk, bad, pa);
    EXPECT_FALSE(r.ok) << "public input " << i;
  }
  EXPECT_FALSE(groth16_verify(pk.vk, publics(b.res, b.res.claim), pa).ok);
}

TEST(WrapSumcheck, FalseClaimHasNoProof) {
  const Proved a = prove(4);
  ConstraintSystem bad = build(a.res, a.res.claim + Fr::one());
  EXPECT_FALSE(bad.is_satisfied());
  const Groth16ProvingKey pk = groth16_setup_insecure(build(a.res, a.res.claim), 7);  // TEST ONLY
  EXPECT_THROW((void)groth16_prove(pk, bad), Error);  // the prover refuses an unsatisfied assignment
  // Forced anyway, the proof does not verify against the false claim.
  std::mt19937_64 g(5);
  ProveOptions force;
  force.check_satisfied = false;
  const Groth16Proof forced = groth16_prove(pk, bad, [&] { return rnd(g); }, force);
  EXPECT_FALSE(groth16_verify(pk.vk, publics(a.res, a.res.claim + Fr::one()), forced).ok);
}

// The LogUp-GKR lookup verifier (lookup/verifier.h), unchanged, as a circuit: a range lookup of
// 2^6 values into [0, 2^4), proved natively over the Poseidon field transcript.
lookup::LogupProof<CFr> lift(const lookup::LogupProof<Fr>& p) {
  auto w = [](const cp::Val& v) { return CFr::witness(v.value()); };
  lookup::LogupProof<CFr> out;
  out.root_numerator = w(p.root_numerator);
  out.root_denominator = w(p.root_denominator);
  for (const auto& step : p.steps) {
    sumcheck::Proof<CFr> s;
    for (const auto& m : step.rounds) {
      sumcheck::RoundMessage<CFr> cm;
      for (const auto& e : m.evals) cm.evals.push_back(w(e));
      s.rounds.push_back(std::move(cm));
    }
    for (const auto& e : step.final_evals) s.final_evals.push_back(w(e));
    out.steps.push_back(std::move(s));
  }
  for (const auto& e : p.witness_evals) out.witness_evals.push_back(w(e));
  return out;
}

TEST(WrapLookup, LogupVerifierAsCircuit) {
  const size_t n = 6, k = 4;
  std::mt19937_64 g(11);
  std::vector<std::vector<Fr>> cols(1, std::vector<Fr>(size_t{1} << n));
  for (auto& x : cols[0]) x = Fr::from_u64(g() % (1u << k));
  const auto table = lookup::LookupTable<Fr>::range(k);
  const auto mult = lookup::compute_multiplicities<Fr>(table, cols);
  transcript::Transcript ptr("wrap-logup", std::make_unique<transcript::PoseidonFieldSponge>());
  const auto res = lookup::prove<Fr>(table, cols, mult.to_field(), ptr);
  {
    transcript::Transcript vtr("wrap-logup", std::make_unique<transcript::PoseidonFieldSponge>());
    ASSERT_TRUE(lookup::verify<Fr>(table, n, res.proof, vtr).ok());
  }
  auto run = [&](const lookup::LogupProof<Fr>& proof, size_t* constraints) {
    ConstraintSystem cs;
    CircuitScope scope(cs);
    transcript::Transcript tr("wrap-logup", std::make_unique<PoseidonCircuitSponge>());
    lookup::LookupClaims<CFr> claims;
    Verdict v = lookup::verify<CFr>(lookup::LookupTable<CFr>::range(k), n, lift(proof), tr, &claims);
    EXPECT_TRUE(v.ok()) << v.reason();
    // The claims left to the caller are the native verifier's.
    for (size_t i = 0; i < claims.witness_point.size() && &proof == &res.proof; ++i)
      EXPECT_EQ(claims.witness_point[i].value(), res.claims.witness_point[i]);
    if (constraints) *constraints = cs.num_constraints();
    return cs.is_satisfied() && scope.false_equalities() == 0;
  };
  size_t constraints = 0;
  EXPECT_TRUE(run(res.proof, &constraints));
  std::printf("LogUp verifier as a circuit (2^%zu rows, table 2^%zu): %zu constraints\n", n, k, constraints);
  // A non-zero root numerator (a value outside the table would need one), each changed step
  // message (sampled), each changed witness evaluation: unsatisfied.
  {
    auto bad = res.proof;
    bad.root_numerator = cp::Val(Fr::one());
    EXPECT_FALSE(run(bad, nullptr));
  }
  for (size_t s = 0; s < res.proof.steps.size(); ++s) {
    auto bad = res.proof;
    auto& step = bad.steps[s];
    if (!step.rounds.empty()) {
      step.rounds[0].evals[0] = cp::Val(step.rounds[0].evals[0].value() + Fr::one());
    } else {
      step.final_evals[0] = cp::Val(step.final_evals[0].value() + Fr::one());
    }
    EXPECT_FALSE(run(bad, nullptr)) << "step " << s;
  }
  {
    auto bad = res.proof;
    bad.witness_evals[0] = cp::Val(bad.witness_evals[0].value() + Fr::one());
    EXPECT_FALSE(run(bad, nullptr));
  }
}

}  // namespace
}  // namespace zkinfer::snark
