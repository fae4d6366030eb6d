// Tests for claim combination (combine.h): true claims combine into a true claim; a single claim
// passes through; wrong values, changed proof values and a mismatched table are rejected.
#include "layers/combine.h"

#include <gtest/gtest.h>

#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

Verdict verify_fresh(size_t n, const std::vector<Claim>& claims, const CombineProof& p, Claim* out = nullptr) {
  transcript::Transcript tr("layers-test");
  return verify_combine(n, claims, p, tr, out);
}

TEST(Combine, TrueClaimsCombineIntoATrueClaim) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {0, 1, 3, 6}) {
    for (size_t count : {1, 2, 3, 5}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " claims=" + std::to_string(count));
      const PaddedShape shape({size_t{1} << n});
      const auto table = padded_table(shape, testing::random_ints(rng, size_t{1} << n, 1 << 20));
      auto claims = testing::true_claims(rng, table, n, count);
      if (count >= 3) claims[2].point = claims[0].point, claims[2].value = claims[0].value;  // repeated point
      transcript::Transcript tp("layers-test");
      CombineProof proof;
      const Claim pc = prove_combine(table, n, claims, tp, &proof);
      Claim vc;
      const Verdict v = verify_fresh(n, claims, proof, &vc);
      ASSERT_TRUE(v.ok()) << v.reason();
      EXPECT_EQ(vc.point, pc.point);
      EXPECT_EQ(vc.value, testing::eval(table, vc.point));
      ByteWriter w;
      proof.serialize(w);
      ByteReader r(w.data());
      EXPECT_TRUE(verify_fresh(n, claims, CombineProof::deserialize(r, n, count)).ok());
      EXPECT_EQ(r.remaining(), 0u);
      if (count == 1) continue;
      // Wrong claimed values.
      for (size_t t = 0; t < count; ++t) {
        auto bad = claims;
        bad[t].value += Fr::one();
        const Verdict bv = verify_fresh(n, bad, proof);
        EXPECT_FALSE(bv.ok());
        EXPECT_NE(bv.reason().find("combine"), std::string::npos) << bv.reason();
      }
      // Changed proof values.
      for (size_t i = 0; i < proof.sumcheck.rounds.size(); ++i)
        for (size_t j = 0; j < proof.sumcheck.rounds[i].evals.size(); ++j) {
          CombineProof bad = proof;
          bad.sumcheck.rounds[i].evals[j] += Fr::one();
          EXPECT_FALSE(verify_fresh(n, claims, bad).ok());
        }
      for (size_t j = 0; j < 2; ++j) {
        CombineProof bad = proof;
        bad.sumcheck.final_evals[j] += Fr::one();
        EXPECT_FALSE(verify_fresh(n, claims, bad).ok());
      }
      // Proving from a different table (claims true for the original) fails.
      auto other = table;
      other[0] += Fr::one();
      transcript::Transcript to("layers-test");
      CombineProof bad;
      prove_combine(other, n, claims, to, &bad);
      EXPECT_FALSE(verify_fresh(n, claims, bad).ok());
    }
  }
}

TEST(Combine, SingleClaimNeedsAnEmptyProof) {
  TestRng rng(test_seed());
  const std::vector<Fr> table = {Fr::from_u64(3), Fr::from_u64(5)};
  auto claims = testing::true_claims(rng, table, 1, 2);
  transcript::Transcript tp("layers-test");
  CombineProof proof;
  prove_combine(table, 1, claims, tp, &proof);
  std::vector<Claim> one = {claims[0]};
  EXPECT_FALSE(verify_fresh(1, one, proof).ok());
  EXPECT_FALSE(verify_fresh(2, claims, proof).ok());  // wrong point length
}

// The verifier run as a circuit (docs/protocol/wrap.md section 3): the combined claim equals the
// native verifier's; changed claim, round and final values leave the system unsatisfied.
TEST(Combine, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  using ctest::CFr;
  size_t total = 0, cases = 0;
  for (size_t n : {0, 1, 3, 6}) {
    for (size_t count : {1, 2, 3, 5}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " claims=" + std::to_string(count));
      const PaddedShape shape({size_t{1} << n});
      const auto table = padded_table(shape, testing::random_ints(rng, size_t{1} << n, 1 << 20));
      const auto claims = testing::true_claims(rng, table, n, count);
      auto tp = ctest::field_transcript();
      CombineProof proof;
      prove_combine(table, n, claims, tp, &proof);
      Claim native;
      {
        auto tv = ctest::field_transcript();
        ASSERT_TRUE(verify_combine(n, claims, proof, tv, &native).ok());
      }
      auto run = [&](const CombineProof& p, const std::vector<Claim>& cl, bool check) {
        const auto bytes = ctest::bytes_of(p);
        size_t nc = 0;
        const bool sat = ctest::circuit_satisfied(
            [&] {
              auto tr = ctest::circuit_transcript();
              const auto lc = ctest::lift_claims(cl);
              ByteReader r(bytes);
              const auto cp = CombineProofT<CFr>::deserialize(r, n, cl.size());
              ClaimT<CFr> out;
              const Verdict v = verify_combine_as<CFr>(n, lc, cp, tr, &out);
              if (v.ok() && check) ctest::expect_same_claim(out, native, "combined");
              return v;
            },
            &nc);
        if (check) total += nc, ++cases;
        return sat;
      };
      EXPECT_TRUE(run(proof, claims, true));
      if (count == 1) continue;
      for (size_t t = 0; t < count; ++t) {
        auto bad = claims;
        bad[t].value += Fr::one();
        EXPECT_FALSE(run(proof, bad, false)) << "changed claim value " << t;
      }
      for (size_t i = 0; i < proof.sumcheck.rounds.size(); ++i) {
        CombineProof bad = proof;
        bad.sumcheck.rounds[i].evals[0] += Fr::one();
        EXPECT_FALSE(run(bad, claims, false)) << "changed round value " << i;
      }
      for (size_t j = 0; j < 2; ++j) {
        CombineProof bad = proof;
        bad.sumcheck.final_evals[j] += Fr::one();
        EXPECT_FALSE(run(bad, claims, false)) << "changed final value " << j;
      }
    }
  }
  std::printf("combine verifier as a circuit: %zu constraints over %zu cases\n", total, cases);
}

}  // namespace
}  // namespace zkinfer::layers
