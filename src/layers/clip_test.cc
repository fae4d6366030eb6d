// Tests for Clip (clip.h) against the op table's run_int for Clip: honest proofs verify (ReLU6-like
// bounds, a negative range, equal bounds, a bound beyond the input range), the input claims equal
// x's MLE and the advice claims the advice's MLEs, proofs round-trip through their fixed layout;
// tampered evaluations and sumchecks, wrong output claims and cheating witnesses (a wrong sign
// split, an output off by one) are rejected with a reason; bad parameters are refused.
#include <gtest/gtest.h>

#include "layers/clip.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

std::vector<int64_t> run_clip(const ClipParams& p, const std::vector<int64_t>& x) {
  const ops::OpDef* d = ops::OpTable::get().find("Clip");
  ops::Node n;
  n.name = n.op_type = "Clip";
  ops::QParams qp;
  qp.ints["min"] = p.lo;
  qp.ints["max"] = p.hi;
  ops::IntContext c(n, qp);
  ops::ITensor t(ops::Shape(p.dims.begin(), p.dims.end()), ops::DType::kInt);
  t.data = x;
  t.scale = 8;
  c.in = {&t};
  d->run_int(c);
  return c.out.at(0).data;
}

Verdict verify_with(const ClipParams& p, const NonlinearProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                    std::vector<AdviceClaim>* adv) {
  transcript::Transcript tv("clip-test");
  return verify_clip(p, cl, pr, tv, in, adv);
}

TEST(Clip, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    int64_t lo, hi;
    size_t x_bits;
  };
  const std::vector<Case> cases{{{2, 3, 5}, 0, 6 * 256, 12},      // ReLU6 at scale 8
                                {{4, 7}, -300, -20, 10},          // a negative range
                                {{1, 6}, 5, 5, 4},                // equal bounds
                                {{3, 3}, -(int64_t{1} << 24), 100, 9}};  // lower bound beyond x's range
  for (const auto& cs : cases) {
    SCOPED_TRACE(cs.lo);
    ClipParams p{cs.dims, cs.lo, cs.hi, clip_bits(cs.x_bits, cs.lo, cs.hi)};
    const PaddedShape shape(p.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << cs.x_bits) - 1);
    x[0] = cs.lo;
    x[1] = cs.hi;
    auto y = run_clip(p, x);
    ClipProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
    transcript::Transcript tp("clip-test");
    std::vector<Claim> pin;
    std::vector<AdviceClaim> padv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify_with(p, proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(shape, x);
    ASSERT_EQ(in.size(), claims.size());
    for (const auto& c : in) EXPECT_EQ(c.value, testing::eval(xt, c.point));
    for (const auto& c : adv) {
      ASSERT_LT(c.advice, prover.advice().size());
      EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point))
          << prover.advice()[c.advice].name;
    }
    const auto shapes = clip_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t a = 0; a < shapes.size(); ++a) {
      EXPECT_EQ(shapes[a].name, prover.advice()[a].name);
      EXPECT_EQ(shapes[a].num_vars, prover.advice()[a].num_vars());
    }
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, clip_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_with(p, back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.evals.size(); ++i) {
      auto t = proof;
      t.evals[i] += Fr::one();
      EXPECT_FALSE(verify_with(p, t, claims, &in, &adv).ok()) << "eval " << i;
    }
    for (size_t s = 0; s < proof.sumchecks.size(); ++s) {
      auto t = proof;
      t.sumchecks[s].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify_with(p, t, claims, &in, &adv).ok()) << "sumcheck " << s;
    }
    {
      auto bad = claims;
      bad[1].value += Fr::one();
      Verdict bv = verify_with(p, proof, bad, &in, &adv);
      EXPECT_FALSE(bv.ok());
      EXPECT_NE(bv.reason().find("claim 1"), std::string::npos) << bv.reason();
    }
    // Other bounds in the verifier's parameters (a model whose Clip differs): rejected.
    {
      ClipParams other = p;
      other.hi += 1;
      EXPECT_FALSE(verify_with(other, proof, claims, &in, &adv).ok());
    }
    // A wrong split of x - lo: pa and na both one larger at one entry (x - lo unchanged), so the
    // output the cheater claims is y + 1 there; the linear relations hold, the zero-check fails.
    {
      std::vector<int64_t> fp(x.size());
      for (size_t i = 0; i < x.size(); ++i) fp[i] = std::max<int64_t>(x[i] - p.lo, 0);
      fp[2] += 1;
      ClipProver cheat(p, x, fp);
      EXPECT_NE(cheat.output(), y);
      auto cc = testing::true_claims(rng, padded_table(shape, cheat.output()), shape.num_vars(), 1);
      transcript::Transcript tc("clip-test");
      auto cp = cheat.prove(cc, tc, &pin, &padv);
      Verdict cv = verify_with(p, cp, cc, &in, &adv);
      EXPECT_FALSE(cv.ok());
      EXPECT_NE(cv.reason().find("zero-check pa . na"), std::string::npos) << cv.reason();
    }
    // The honest proof against the claims of an output off by one at one entry.
    {
      auto yb = y;
      yb[3] += 1;
      auto cc = testing::true_claims(rng, padded_table(shape, yb), shape.num_vars(), 1);
      transcript::Transcript tc("clip-test");
      ClipProver fresh(p, x);
      auto cp = fresh.prove(cc, tc, &pin, &padv);
      Verdict bv = verify_with(p, cp, cc, &in, &adv);
      EXPECT_FALSE(bv.ok());
      EXPECT_NE(bv.reason().find("output != lo"), std::string::npos) << bv.reason();
    }
  }
}

TEST(Clip, BadParametersAreRefused) {
  const std::vector<int64_t> x(6, 1);
  EXPECT_THROW(ClipProver(ClipParams{{6}, 7, 3, 10}, x), Error);  // min above max
  EXPECT_THROW(ClipProver(ClipParams{{6}, 0, 3, 61}, x), Error);  // bits above 60
  EXPECT_THROW(ClipProver(ClipParams{{5}, 0, 3, 10}, x), Error);  // size mismatch
  NonlinearProof empty;
  transcript::Transcript t("clip-test");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  EXPECT_FALSE(verify_clip(ClipParams{{6}, 7, 3, 10}, {}, empty, t, &in, &adv).ok());
  EXPECT_EQ(clip_bits(8, 0, 1536), 12u);  // |x - c| < 2^8 + 2^11 <= 2^12
  EXPECT_EQ(clip_bits(12, -5, 5), 13u);
}

}  // namespace
}  // namespace zkinfer::layers
