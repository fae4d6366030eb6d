// Tests for PRelu (prelu.h) against the op table's run_int for PRelu: honest proofs verify
// (per-channel slopes broadcast over (N, C, H, W), a full-shape slope, a scalar slope; with and
// without a rescale and an output range check), the input claims equal x's MLE, the slope claims
// the slope's MLE and the advice claims the advice's MLEs, proofs round-trip through their fixed
// layout; tampered evaluations and sumchecks, wrong output claims, another slope and a wrong sign
// split are rejected with a reason.
#include <gtest/gtest.h>

#include "layers/prelu.h"
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

std::vector<int64_t> run_prelu(const PReluParams& p, const std::vector<int64_t>& x, const std::vector<int64_t>& s) {
  const ops::OpDef* d = ops::OpTable::get().find("PRelu");
  ops::Node n;
  n.name = n.op_type = "PRelu";
  ops::QParams qp;
  qp.ints["shift"] = static_cast<int64_t>(p.shift);
  ops::IntContext c(n, qp);
  ops::ITensor xt(ops::Shape(p.dims.begin(), p.dims.end()), ops::DType::kInt);
  xt.data = x;
  xt.scale = 8;
  ops::ITensor st(ops::Shape(p.s_dims.begin(), p.s_dims.end()), ops::DType::kInt);
  st.data = s;
  st.scale = static_cast<int>(p.slope_scale);
  c.in = {&xt, &st};
  d->run_int(c);
  return c.out.at(0).data;
}

Verdict verify_with(const PReluParams& p, const NonlinearProof& pr, const std::vector<Claim>& cl, PReluClaims* out) {
  transcript::Transcript tv("prelu-test");
  return verify_prelu(p, cl, pr, tv, out);
}

TEST(PRelu, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<PReluParams> cases{{{1, 3, 4, 5}, {1, 3, 1, 1}, 7, 7, 14, 0},   // per channel, rescaled
                                       {{4, 6}, {4, 6}, 6, 6, 12, 20},             // full shape, y range-checked
                                       {{2, 5}, {1, 1}, 4, 0, 10, 0}};             // scalar slope, no rescale
  for (const auto& p : cases) {
    SCOPED_TRACE(p.dims.size());
    const PaddedShape shape(p.dims), ss(p.s_dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << p.bits) - 1);
    x[0] = 0;
    auto s = testing::random_ints(rng, ss.unpadded_size(), int64_t{1} << p.slope_scale);
    auto y = run_prelu(p, x, s);
    PReluProver prover(p, x, s);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
    transcript::Transcript tp("prelu-test");
    PReluClaims pc;
    auto proof = prover.prove(claims, tp, &pc);
    PReluClaims vc;
    Verdict v = verify_with(p, proof, claims, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(shape, x), st = padded_table(ss, s);
    ASSERT_EQ(vc.x.size(), claims.size());
    ASSERT_EQ(vc.slope.size(), claims.size());
    for (const auto& c : vc.x) EXPECT_EQ(c.value, testing::eval(xt, c.point));
    for (const auto& c : vc.slope) EXPECT_EQ(c.value, testing::eval(st, c.point));
    for (const auto& c : vc.advice) {
      ASSERT_LT(c.advice, prover.advice().size());
      EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point))
          << prover.advice()[c.advice].name;
    }
    const auto shapes = prelu_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t a = 0; a < shapes.size(); ++a) {
      EXPECT_EQ(shapes[a].name, prover.advice()[a].name);
      EXPECT_EQ(shapes[a].num_vars, prover.advice()[a].num_vars());
    }
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, prelu_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_with(p, back, claims, &vc).ok());
    for (size_t i = 0; i < proof.evals.size(); ++i) {
      auto t = proof;
      t.evals[i] += Fr::one();
      EXPECT_FALSE(verify_with(p, t, claims, &vc).ok()) << "eval " << i;
    }
    for (size_t i = 0; i < proof.sumchecks.size(); ++i) {
      auto t = proof;
      t.sumchecks[i].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify_with(p, t, claims, &vc).ok()) << "sumcheck " << i;
    }
    {
      auto bad = claims;
      bad[1].value += Fr::one();
      Verdict bv = verify_with(p, proof, bad, &vc);
      EXPECT_FALSE(bv.ok());
      // Every claim is absorbed before the first sumcheck: claim 0's sumcheck already fails.
      EXPECT_NE(bv.reason().find("prelu: claim"), std::string::npos) << bv.reason();
    }
    // Another slope (one entry changed): the verifier's slope claim no longer matches it.
    {
      auto s2 = s;
      s2[0] += 1;
      const auto st2 = padded_table(ss, s2);
      bool differs = false;
      for (const auto& c : vc.slope) differs |= c.value != testing::eval(st2, c.point);
      EXPECT_TRUE(differs);
    }
    // A wrong sign split: pos and neg both one larger at a negative entry: the zero-check fails.
    {
      std::vector<int64_t> fp(x.size());
      size_t at = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        fp[i] = x[i] > 0 ? x[i] : 0;
        if (x[i] < 0) at = i;
      }
      fp[at] += 1;
      PReluProver cheat(p, x, s, fp);
      auto cc = testing::true_claims(rng, padded_table(shape, cheat.output()), shape.num_vars(), 1);
      transcript::Transcript tc("prelu-test");
      PReluClaims cpc;
      auto cp = cheat.prove(cc, tc, &cpc);
      Verdict cv = verify_with(p, cp, cc, &vc);
      EXPECT_FALSE(cv.ok());
      EXPECT_NE(cv.reason().find("zero-check"), std::string::npos) << cv.reason();
    }
  }
}

TEST(PRelu, BadParametersAreRefused) {
  PReluParams p{{2, 3}, {2, 1, 1}, 7, 0, 10, 0};
  EXPECT_TRUE(p.invalid().has_value());  // slope rank
  p.s_dims = {2, 2};
  EXPECT_TRUE(p.invalid().has_value());  // does not broadcast
  p.s_dims = {1, 3};
  EXPECT_FALSE(p.invalid().has_value());
  p.bits = 61;
  EXPECT_TRUE(p.invalid().has_value());
  p.bits = 10;
  EXPECT_THROW(PReluProver(p, std::vector<int64_t>(6, 1), std::vector<int64_t>(2, 1)), Error);  // slope size
  // |x s| beyond 2^62: refused, not wrapped.
  PReluParams big{{1, 2}, {1, 2}, 0, 0, 60, 0};
  EXPECT_THROW(PReluProver(big, std::vector<int64_t>{-(int64_t{1} << 59), 1}, std::vector<int64_t>{1 << 10, 1}), Error);
}

}  // namespace
}  // namespace zkinfer::layers
