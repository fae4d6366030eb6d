// Tests for the bound check (bound.h): honest claims on a bounded tensor verify and the advice
// claims are true; a value outside the bound, a non-zero padding entry (when zero_padding is on),
// a wrong claim and tampered proof fields are rejected.
#include <gtest/gtest.h>

#include "layers/bound.h"
#include "layers/test_util.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

struct BoundRun {
  NonlinearProof proof;
  std::vector<AdviceClaim> adv;
  std::vector<LayerAdvice> advice;
};

BoundRun prove_bound(const BoundParams& p, const std::vector<int64_t>& y, const std::vector<Claim>& claims,
                std::vector<int64_t> forced_v = {}) {
  BoundProver prover(p, y, forced_v);
  transcript::Transcript tr("bound-test");
  BoundRun r;
  r.advice = prover.advice();
  r.proof = prover.prove(claims, tr, &r.adv);
  return r;
}

Verdict verify(const BoundParams& p, const std::vector<Claim>& claims, const NonlinearProof& proof,
               std::vector<AdviceClaim>* adv = nullptr) {
  transcript::Transcript tr("bound-test");
  std::vector<AdviceClaim> a;
  return verify_bound(p, claims, proof, tr, adv ? adv : &a);
}

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

TEST(Bound, HonestClaimsVerifyAndAdviceClaimsAreTrue) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    size_t bits;
    bool zero_padding;
    size_t claims;
  };
  for (const Case& c : std::vector<Case>{{{3, 5}, 8, true, 2}, {{4, 4}, 8, true, 1}, {{1, 3, 7}, 20, true, 3},
                                         {{6}, 17, false, 1}}) {
    const PaddedShape shape(c.dims);
    const BoundParams p{c.dims, c.bits, c.zero_padding};
    auto y = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << c.bits) - 1);
    y[0] = (int64_t{1} << c.bits) - 1;  // the extremes are inside the bound
    y[1] = -((int64_t{1} << c.bits) - 1);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), c.claims);
    BoundRun r = prove_bound(p, y, claims);
    std::vector<AdviceClaim> adv;
    Verdict v = verify(p, claims, r.proof, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    ASSERT_EQ(adv.size(), r.adv.size());
    auto shapes = bound_advice_shapes(p);
    ASSERT_EQ(shapes.size(), r.advice.size());
    for (size_t a = 0; a < shapes.size(); ++a) EXPECT_EQ(shapes[a].num_vars, r.advice[a].num_vars());
    for (size_t i = 0; i < adv.size(); ++i)
      EXPECT_EQ(adv[i].claim.value, testing::eval(fr_vec(r.advice[adv[i].advice].values), adv[i].claim.point));
    // Layout round trip.
    ByteWriter w;
    r.proof.serialize(w);
    ByteReader rd(w.data());
    NonlinearProof back = deserialize_proof(rd, bound_proof_layout(p, c.claims));
    EXPECT_EQ(rd.remaining(), 0u);
    // Tampering.
    for (size_t i = 0; i < r.proof.evals.size(); ++i) {
      NonlinearProof t = r.proof;
      t.evals[i] += Fr::one();
      EXPECT_FALSE(verify(p, claims, t).ok()) << "eval " << i;
    }
    for (size_t i = 0; i < r.proof.sumchecks.size(); ++i) {
      NonlinearProof t = r.proof;
      t.sumchecks[i].rounds[0].evals[0] += Fr::one();
      EXPECT_FALSE(verify(p, claims, t).ok());
    }
    // A wrong claim.
    auto bad = claims;
    bad[0].value += Fr::one();
    Verdict bv = verify(p, bad, r.proof);
    EXPECT_FALSE(bv.ok());
    EXPECT_NE(bv.reason().find("digits"), std::string::npos) << bv.reason();
  }
}

TEST(Bound, ValueOutsideTheBoundIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims{3, 5};
  const PaddedShape shape(dims);
  const BoundParams p{dims, 8, true};
  for (int64_t outside : {int64_t{256}, int64_t{-257}, int64_t{1} << 20}) {
    auto y = testing::random_ints(rng, shape.unpadded_size(), 255);
    y[4] = outside;
    std::vector<int64_t> shifted = y;
    for (auto& x : shifted) x += 256;
    auto v = detail::padded_i64(shape, shifted);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 1);
    BoundRun r = prove_bound(p, y, claims, v);
    Verdict verdict = verify(p, claims, r.proof);
    EXPECT_FALSE(verdict.ok()) << outside;
    EXPECT_NE(verdict.reason().find("lookup"), std::string::npos) << verdict.reason();
  }
}

TEST(Bound, NonZeroPaddingIsRejectedWhenRequired) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims{3, 5};
  const PaddedShape shape(dims);
  auto y = testing::random_ints(rng, shape.unpadded_size(), 255);
  std::vector<int64_t> shifted = y;
  for (auto& x : shifted) x += 256;
  auto v = detail::padded_i64(shape, shifted);
  // Entry (0, 7) is padding: put an in-range value there; the tensor y' = v - 256 I then has a
  // non-zero padding entry, and the claims are true claims on y'.
  const size_t pad_index = 5;  // row 0, column 5 of the padded 4 x 8 layout
  ASSERT_EQ(shape.size(), 32u);
  v[pad_index] = 77;
  std::vector<Fr> yt = padded_table(shape, y);
  yt[pad_index] = Fr::from_i64(77);
  auto claims = testing::true_claims(rng, yt, shape.num_vars(), 2);
  for (bool zp : {true, false}) {
    const BoundParams p{dims, 8, zp};
    BoundRun r = prove_bound(p, y, claims, v);
    Verdict verdict = verify(p, claims, r.proof);
    if (zp) {
      EXPECT_FALSE(verdict.ok());
      EXPECT_NE(verdict.reason().find("padding"), std::string::npos) << verdict.reason();
    } else {
      EXPECT_TRUE(verdict.ok()) << verdict.reason();  // what the zero-check is there for
    }
  }
}

}  // namespace
}  // namespace zkinfer::layers
