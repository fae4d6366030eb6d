// The verifier's third interpreter end to end on its first protocol: a sumcheck proved natively over
// the field-native transcript, verified natively, and verified again as a circuit (CFr messages and
// the transcript's circuit twin). The sponge is a toy (x -> (s + x)^5 + c) standing in for Poseidon
// (branch poseidon); what is tested is the plumbing: the same challenges on both sides, a satisfied
// system for an honest proof, an unsatisfied one for every changed message.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "common/error.h"
#include "snark/cfr.h"
#include "sumcheck/composition.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "transcript/transcript.h"

namespace zkinfer::snark {
namespace {

template <class T>
T pow5(const T& x) {
  T x2 = x * x;
  return x2 * x2 * x;
}

class ToySponge : public transcript::FieldSponge {
 public:
  void absorb(const Fr& x) override { s_ = pow5(s_ + x) + Fr::from_u64(7); }
  Fr squeeze() override {
    s_ = pow5(s_) + Fr::from_u64(11);
    return s_;
  }
  std::unique_ptr<transcript::FieldSponge> clone() const override { return std::make_unique<ToySponge>(*this); }

 private:
  Fr s_ = Fr::zero();
};

class ToyCircuitSponge : public transcript::CircuitSponge {
 public:
  void absorb(const CFr& x) override { s_ = pow5(s_ + x) + CFr::from_u64(7); }
  CFr squeeze() override {
    s_ = pow5(s_) + CFr::from_u64(11);
    return s_;
  }
  std::unique_ptr<transcript::CircuitSponge> clone() const override {
    return std::make_unique<ToyCircuitSponge>(*this);
  }

 private:
  CFr s_;
};

Fr rnd(std::mt19937_64& g) { return Fr::from_u64(g()) * Fr::from_u64(g()) + Fr::from_u64(g()); }

TEST(FieldTranscript, CircuitTwinDrawsTheSameChallenges) {
  std::mt19937_64 g(5);
  transcript::Transcript native("twin", std::make_unique<ToySponge>());
  ConstraintSystem cs;
  CircuitScope scope(cs);
  transcript::Transcript circ("twin", std::make_unique<ToyCircuitSponge>());
  EXPECT_TRUE(native.field_native());
  EXPECT_TRUE(circ.in_circuit());
  for (int step = 0; step < 30; ++step) {
    switch (g() % 4) {
      case 0: {
        Fr x = rnd(g);
        native.absorb("x", x);
        circ.absorb("x", CFr::witness(x));
        break;
      }
      case 1: {
        uint64_t v = g();
        native.absorb_u64("n", v);
        circ.absorb_u64("n", v);
        break;
      }
      case 2: {
        std::vector<uint8_t> b(g() % 70);
        for (auto& c : b) c = static_cast<uint8_t>(g());
        native.absorb_bytes("b", b);
        circ.absorb_bytes("b", b);
        break;
      }
      default:
        EXPECT_EQ(circ.challenge<CFr>("c").value(), native.challenge<Fr>("c"));
    }
  }
  EXPECT_EQ(circ.challenge<CFr>("c").value(), native.challenge<Fr>("c"));
  EXPECT_TRUE(cs.is_satisfied());
  EXPECT_GT(cs.num_constraints(), 0u);
  // A circuit's transcript hands out no native challenges, and a native one takes no variables.
  EXPECT_THROW((void)circ.challenge<Fr>("c"), Error);
  EXPECT_THROW(native.absorb("x", CFr::witness(Fr::one())), Error);
}

TEST(FieldTranscript, EncodingDiffersFromKeccakAndCopiesAreIndependent) {
  transcript::Transcript a("d", std::make_unique<ToySponge>());
  a.absorb("x", Fr::from_u64(3));
  transcript::Transcript b = a;
  Fr ca = a.challenge<Fr>("c");
  Fr cb = b.challenge<Fr>("c");
  EXPECT_EQ(ca, cb);  // a copy continues from the same state
  a.absorb("x", Fr::from_u64(4));
  b.absorb("x", Fr::from_u64(5));
  EXPECT_NE(a.challenge<Fr>("c"), b.challenge<Fr>("c"));
  // Recording and replay (the zero-knowledge prover's replay of the verifier) hand the same elements back.
  transcript::Transcript r("d", std::make_unique<ToySponge>());
  r.start_recording();
  std::vector<Fr> drawn = {r.challenge<Fr>("c"), r.challenge<Fr>("c")};
  auto replay = transcript::Transcript::replay(r.take_recording());
  EXPECT_EQ(replay.challenge<Fr>("c"), drawn[0]);
  EXPECT_EQ(replay.challenge<Fr>("c"), drawn[1]);
}

sumcheck::Proof<CFr> lift(const sumcheck::Proof<Fr>& p) {
  sumcheck::Proof<CFr> out;
  for (const auto& m : p.rounds) {
    sumcheck::RoundMessage<CFr> cm;
    for (const auto& e : m.evals) cm.evals.push_back(CFr::witness(e.value()));
    out.rounds.push_back(std::move(cm));
  }
  for (const auto& e : p.final_evals) out.final_evals.push_back(CFr::witness(e.value()));
  return out;
}

sumcheck::Composition<CFr> lift(const sumcheck::Composition<Fr>& c) {
  std::vector<sumcheck::Term<CFr>> terms;
  for (const auto& t : c.terms()) terms.push_back({CFr(t.coeff), t.factors});
  return sumcheck::Composition<CFr>(c.num_factors(), std::move(terms));
}

TEST(CircuitVerify, SumcheckHonestSatisfiesChangedBreaks) {
  std::mt19937_64 g(9);
  const size_t n = 5;
  // g = 3 f0 f1 f2 - f1 + f0 f2: degree 3, three factors.
  sumcheck::Composition<Fr> comp(3, {sumcheck::Term<Fr>{Fr::from_u64(3), {0, 1, 2}},
                                     sumcheck::Term<Fr>{-Fr::one(), {1}}, sumcheck::Term<Fr>{Fr::one(), {0, 2}}});
  std::vector<std::vector<Fr>> factors(3, std::vector<Fr>(size_t{1} << n));
  for (auto& f : factors)
    for (auto& x : f) x = rnd(g);
  transcript::Transcript ptr("sumcheck-circuit", std::make_unique<ToySponge>());
  auto res = sumcheck::prove<Fr>(comp, factors, ptr);

  {  // the native verifier over the same field transcript accepts
    transcript::Transcript vtr("sumcheck-circuit", std::make_unique<ToySponge>());
    sumcheck::Subclaim<Fr> sub;
    ASSERT_TRUE(sumcheck::verify<Fr>(comp, n, cp::Val(res.claim), res.proof, vtr, &sub).ok());
    EXPECT_EQ(sub.point, res.point);
  }

  auto run_circuit = [&](const sumcheck::Proof<Fr>& proof, const Fr& claim, size_t* constraints) {
    ConstraintSystem cs;
    CircuitScope scope(cs);
    transcript::Transcript ctr("sumcheck-circuit", std::make_unique<ToyCircuitSponge>());
    sumcheck::Subclaim<CFr> sub;
    const auto ccomp = lift(comp);
    Verdict v = sumcheck::verify<CFr>(ccomp, n, CFr::public_input(claim), lift(proof), ctr, &sub);
    EXPECT_TRUE(v.ok()) << v.reason();  // the circuit's shape never depends on the values
    if (constraints) *constraints = cs.num_constraints();
    // The point is the natively drawn one.
    if (proof.rounds.size() == res.proof.rounds.size())
      for (size_t i = 0; i < n; ++i)
        if (&proof == &res.proof) EXPECT_EQ(sub.point[i].value(), res.point[i]);
    return cs.is_satisfied() && scope.false_equalities() == 0;
  };

  size_t constraints = 0;
  EXPECT_TRUE(run_circuit(res.proof, res.claim, &constraints));
  EXPECT_GT(constraints, 0u);

  // A wrong claim, each changed round value, each changed final value: unsatisfied.
  EXPECT_FALSE(run_circuit(res.proof, res.claim + Fr::one(), nullptr));
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < res.proof.rounds[i].evals.size(); ++k) {
      auto bad = res.proof;
      bad.rounds[i].evals[k] = cp::Val(bad.rounds[i].evals[k].value() + Fr::one());
      EXPECT_FALSE(run_circuit(bad, res.claim, nullptr)) << "round " << i << " value " << k;
    }
  for (size_t j = 0; j < res.proof.final_evals.size(); ++j) {
    auto bad = res.proof;
    bad.final_evals[j] = cp::Val(bad.final_evals[j].value() + Fr::one());
    EXPECT_FALSE(run_circuit(bad, res.claim, nullptr)) << "final value " << j;
  }
}

}  // namespace
}  // namespace zkinfer::snark
