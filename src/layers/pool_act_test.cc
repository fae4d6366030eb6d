// Tests for the windowed AveragePool (pool.h) and LeakyRelu (leaky_relu.h) against the op table's
// run_int: honest proofs verify, the input claims equal x's MLE, advice claims the advice's MLEs,
// proofs round-trip through their fixed layout; tampered evaluations / sums / sumchecks, wrong
// output claims and cheating witnesses (outputs off by one, a wrong sign split) are rejected with
// a reason.
#include <gtest/gtest.h>

#include "layers/leaky_relu.h"
#include "layers/pool.h"
#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {

struct AvgPoolTestPeer {
  static std::vector<Fr>& counts(AvgPoolProver& p) { return p.cnt_; }
};

namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

ops::ITensor itensor(const std::vector<size_t>& dims, std::vector<int64_t> v, int scale) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt);
  t.data = std::move(v);
  t.scale = scale;
  return t;
}

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

void check_advice(const std::vector<LayerAdvice>& advice, const std::vector<AdviceClaim>& claims) {
  for (const auto& c : claims) {
    ASSERT_LT(c.advice, advice.size());
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(advice[c.advice].values), c.claim.point)) << advice[c.advice].name;
  }
}

std::vector<int64_t> run_avg(const AvgPoolParams& p, const std::vector<int64_t>& x) {
  const ops::OpDef* d = ops::OpTable::get().find("AveragePool");
  ops::Node n;
  n.name = n.op_type = "AveragePool";
  n.attrs.int_lists["kernel_shape"] = {static_cast<int64_t>(p.kh), static_cast<int64_t>(p.kw)};
  n.attrs.int_lists["strides"] = {static_cast<int64_t>(p.sh), static_cast<int64_t>(p.sw)};
  n.attrs.int_lists["dilations"] = {static_cast<int64_t>(p.dh), static_cast<int64_t>(p.dw)};
  n.attrs.int_lists["pads"] = {static_cast<int64_t>(p.pt), static_cast<int64_t>(p.pl), static_cast<int64_t>(p.pb),
                               static_cast<int64_t>(p.pr)};
  n.attrs.ints["ceil_mode"] = p.ceil_mode;
  n.attrs.ints["count_include_pad"] = p.count_include_pad;
  ops::QParams qp;
  ops::IntContext c(n, qp);
  auto t = itensor(p.dims, x, 8);
  c.in = {&t};
  d->run_int(c);
  const auto od = p.out_dims();
  EXPECT_EQ(c.out.at(0).shape, ops::Shape(od.begin(), od.end()));
  return c.out.at(0).data;
}

TEST(AvgPool, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto make = [](std::vector<size_t> dims, size_t k, size_t s, size_t pad, bool ceil, bool incl, size_t dil = 1) {
    AvgPoolParams p;
    p.dims = std::move(dims);
    p.kh = p.kw = k;
    p.sh = p.sw = s;
    p.dh = p.dw = dil;
    p.pt = p.pl = p.pb = p.pr = pad;
    p.ceil_mode = ceil;
    p.count_include_pad = incl;
    p.bits = 22;
    return p;
  };
  std::vector<AvgPoolParams> cases{make({1, 2, 4, 4}, 2, 2, 0, false, false),   // uniform counts (LeNet-style)
                                   make({2, 3, 7, 5}, 3, 2, 1, false, false),   // edge windows count fewer
                                   make({1, 2, 5, 6}, 3, 1, 1, false, true),    // pads counted
                                   make({1, 2, 6, 7}, 2, 2, 0, true, false),    // ceil_mode tail
                                   make({1, 1, 7, 7}, 2, 2, 1, false, false, 2)};  // dilation
  {
    auto p = make({1, 3, 1, 9}, 1, 1, 0, false, false);  // a 1-D pool as (N, C, 1, W)
    p.kw = 3, p.sw = 2, p.pl = 1;
    cases.push_back(p);
  }
  for (const auto& p : cases) {
    ASSERT_FALSE(p.invalid()) << *p.invalid();
    const PaddedShape xs(p.dims), ys(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), (int64_t{1} << 20) - 1);
    auto y = run_avg(p, x);
    AvgPoolProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 2);
    transcript::Transcript tp("avg-test");
    std::vector<Claim> pin;
    std::vector<AdviceClaim> padv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    auto verify = [&](const AvgPoolProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                      std::vector<AdviceClaim>* adv) {
      transcript::Transcript tv("avg-test");
      return verify_avg_pool(p, cl, pr, tv, in, adv);
    };
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify(proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].value, testing::eval(padded_table(xs, x), in[0].point));
    EXPECT_EQ(in[0].point, pin[0].point);
    check_advice(prover.advice(), adv);
    const auto shapes = avg_pool_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t a = 0; a < shapes.size(); ++a) EXPECT_EQ(shapes[a].num_vars, prover.advice()[a].num_vars());
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = AvgPoolProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.nl.evals.size(); ++i) {
      auto t = proof;
      t.nl.evals[i] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok()) << "eval " << i;
    }
    {
      auto t = proof;
      t.sums[1] += Fr::one();
      Verdict tv = verify(t, claims, &in, &adv);
      EXPECT_FALSE(tv.ok());
      EXPECT_NE(tv.reason().find("count . output sum"), std::string::npos) << tv.reason();
      t = proof;
      t.div[0].final_evals[1] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok());
      t = proof;
      t.window.input_sumcheck.rounds[0].evals[0] += Fr::one();
      tv = verify(t, claims, &in, &adv);
      EXPECT_FALSE(tv.ok());
      EXPECT_NE(tv.reason().find("window sums"), std::string::npos) << tv.reason();
      auto bad = claims;
      bad[0].value += Fr::one();
      tv = verify(proof, bad, &in, &adv);
      EXPECT_FALSE(tv.ok());
      EXPECT_NE(tv.reason().find("digits"), std::string::npos) << tv.reason();
    }
    // Outputs off by one: the remainder (y + 1) or its complement (y - 1) leaves its range.
    for (int64_t delta : {1, -1}) {
      auto fy = y;
      fy[fy.size() / 2] += delta;
      AvgPoolProver cheat(p, x, fy);
      auto cc = testing::true_claims(rng, padded_table(ys, fy), ys.num_vars(), 1);
      transcript::Transcript tc("avg-test");
      auto cp = cheat.prove(cc, tc, &pin, &padv);
      Verdict cv = verify(cp, cc, &in, &adv);
      EXPECT_FALSE(cv.ok());
      EXPECT_NE(cv.reason().find("avgpool.rem"), std::string::npos) << cv.reason();
    }
  }
  {
    // A count table changed only in y's padding (where y = 0, so T is unchanged and every other
    // check passes): only the verifier's own count evaluation catches it.
    const auto p = cases[1];
    const PaddedShape xs(p.dims), ys(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), 1000);
    AvgPoolProver forged(p, x);
    auto& cnt = AvgPoolTestPeer::counts(forged);
    ASSERT_GT(cnt.size(), ys.unpadded_size());
    cnt.back() += Fr::one();
    auto claims = testing::true_claims(rng, padded_table(ys, forged.output()), ys.num_vars(), 1);
    transcript::Transcript tp("avg-test"), tv("avg-test");
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    auto proof = forged.prove(claims, tp, &pin, &padv);
    Verdict v = verify_avg_pool(p, claims, proof, tv, &in, &adv);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("count mismatch"), std::string::npos) << v.reason();
  }
  AvgPoolParams bad = make({1, 1, 4, 4}, 2, 2, 0, false, false);
  bad.pt = 3;  // the first window row lies entirely in the padding
  EXPECT_TRUE(bad.invalid());
  EXPECT_THROW(AvgPoolProver(bad, std::vector<int64_t>(16)), Error);
}

std::vector<int64_t> run_leaky(const LeakyReluParams& p, const std::vector<int64_t>& x) {
  const ops::OpDef* d = ops::OpTable::get().find("LeakyRelu");
  ops::Node n;
  n.name = n.op_type = "LeakyRelu";
  ops::QParams qp;
  qp.ints["alpha_q"] = p.alpha_q;
  qp.ints["alpha_scale"] = static_cast<int64_t>(p.alpha_scale);
  qp.ints["shift"] = static_cast<int64_t>(p.shift);
  ops::IntContext c(n, qp);
  auto t = itensor(p.dims, x, 8);
  c.in = {&t};
  d->run_int(c);
  return c.out.at(0).data;
}

TEST(LeakyRelu, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<LeakyReluParams> cases{{{2, 3, 5}, 82, 13, 13, 20, 0},   // alpha 0.01
                                     {{4, 7}, 26, 7, 7, 18, 24},       // alpha 0.2, y range-checked
                                     {{1, 6}, -3, 2, 0, 16, 0}};       // negative alpha, no rescale
  for (const auto& p : cases) {
    const PaddedShape shape(p.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << p.bits) - 1);
    x[0] = 0;
    auto y = run_leaky(p, x);
    LeakyReluProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
    transcript::Transcript tp("lrelu-test");
    std::vector<Claim> pin;
    std::vector<AdviceClaim> padv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    auto verify = [&](const NonlinearProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                      std::vector<AdviceClaim>* adv) {
      transcript::Transcript tv("lrelu-test");
      return verify_leaky_relu(p, cl, pr, tv, in, adv);
    };
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify(proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(shape, x);
    ASSERT_EQ(in.size(), claims.size());
    for (const auto& c : in) EXPECT_EQ(c.value, testing::eval(xt, c.point));
    check_advice(prover.advice(), adv);
    const auto shapes = leaky_relu_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t a = 0; a < shapes.size(); ++a) {
      EXPECT_EQ(shapes[a].name, prover.advice()[a].name);
      EXPECT_EQ(shapes[a].num_vars, prover.advice()[a].num_vars());
    }
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, leaky_relu_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.evals.size(); ++i) {
      auto t = proof;
      t.evals[i] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok()) << "eval " << i;
    }
    {
      auto t = proof;
      t.sumchecks[0].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok());
      auto bad = claims;
      bad[1].value += Fr::one();
      Verdict bv = verify(proof, bad, &in, &adv);
      EXPECT_FALSE(bv.ok());
      EXPECT_NE(bv.reason().find("claim 1"), std::string::npos) << bv.reason();
    }
    // A wrong sign split: pos and neg both one larger at a negative entry (x unchanged, so the
    // linear relations hold for the cheating output): the zero-check fails.
    {
      std::vector<int64_t> fp(x.size());
      size_t at = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        fp[i] = x[i] > 0 ? x[i] : 0;
        if (x[i] < 0) at = i;
      }
      fp[at] += 1;
      LeakyReluProver cheat(p, x, fp);
      auto cc = testing::true_claims(rng, padded_table(shape, cheat.output()), shape.num_vars(), 1);
      transcript::Transcript tc("lrelu-test");
      auto cp = cheat.prove(cc, tc, &pin, &padv);
      Verdict cv = verify(cp, cc, &in, &adv);
      EXPECT_FALSE(cv.ok());
      EXPECT_NE(cv.reason().find("zero-check"), std::string::npos) << cv.reason();
    }
  }
}

// The AveragePool verifier run as a circuit (docs/protocol/wrap.md section 3), its window
// convolution included: the honest proof satisfies the system with the native claims; a changed
// claim value, evaluation, LogUp message, sum T, division sumcheck value and window convolution
// value do not.
TEST(AvgPool, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 23);
  using ctest::CFr;
  auto make = [](std::vector<size_t> dims, size_t k, size_t s, size_t pad, bool ceil, bool incl) {
    AvgPoolParams p;
    p.dims = std::move(dims);
    p.kh = p.kw = k;
    p.sh = p.sw = s;
    p.pt = p.pl = p.pb = p.pr = pad;
    p.ceil_mode = ceil;
    p.count_include_pad = incl;
    p.bits = 22;
    return p;
  };
  const std::vector<AvgPoolParams> cases{make({1, 2, 4, 4}, 2, 2, 0, false, false),
                                         make({2, 3, 7, 5}, 3, 2, 1, false, false),
                                         make({1, 2, 6, 7}, 2, 2, 0, true, false)};
  size_t total = 0;
  for (const auto& p : cases) {
    ASSERT_FALSE(p.invalid());
    const PaddedShape xs(p.dims), ys(p.out_dims());
    AvgPoolProver prover(p, testing::random_ints(rng, xs.unpadded_size(), (int64_t{1} << 20) - 1));
    const auto claims = testing::true_claims(rng, padded_table(ys, prover.output()), ys.num_vars(), 2);
    auto tp = ctest::field_transcript();
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    const auto proof = prover.prove(claims, tp, &pin, &padv);
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_avg_pool(p, claims, proof, tv, &in, &adv).ok());
    }
    auto bad = ctest::tampered_nl(proof);
    {
      auto b = proof;
      b.sums[1] += Fr::one();
      bad.emplace_back("sum T", b);
      for (size_t j = 0; j < 3; ++j) {
        b = proof;
        b.div[0].final_evals[j] += Fr::one();
        bad.emplace_back("division final " + std::to_string(j), b);
      }
      b = proof;
      b.div[1].rounds.back().evals[0] += Fr::one();
      bad.emplace_back("division round", b);
      b = proof;
      b.window.input_sumcheck.final_evals[1] += Fr::one();
      bad.emplace_back("window input final", b);
      b = proof;
      b.window.kernel_sumcheck.final_evals[0] += Fr::one();
      bad.emplace_back("window kernel final", b);
    }
    total += ctest::check_layer_circuit(
        claims, proof, in, adv, [&](ByteReader& r) { return AvgPoolProofT<CFr>::deserialize(r, p, claims.size()); },
        [&](const auto& cl, const auto& pr, auto& tr, auto* i2, auto* a2) {
          return verify_avg_pool_as<CFr>(p, cl, pr, tr, i2, a2);
        },
        bad);
  }
  std::printf("average pool verifier as a circuit: %zu constraints over %zu cases\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
