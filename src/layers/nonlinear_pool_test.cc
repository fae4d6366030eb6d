// Tests for elementwise.h (Add / Sub / Mul against the op table's integer forwards) and pool.h
// (GlobalAveragePool against its integer forward): honest proofs verify, input claims equal the
// inputs' MLEs, advice claims the advice's MLEs, serialization round trips, wrong output claims
// and tampered fields are rejected.
#include <gtest/gtest.h>

#include "layers/elementwise.h"
#include "layers/pool.h"
#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

std::vector<int64_t> run_op(const std::string& op, const ops::QParams& qp, const std::vector<size_t>& dims,
                            std::vector<const ops::ITensor*> in) {
  const ops::OpDef* d = ops::OpTable::get().find(op);
  EXPECT_NE(d, nullptr);
  ops::Node n;
  n.name = op;
  n.op_type = op;
  ops::IntContext c(n, qp);
  c.in = std::move(in);
  d->run_int(c);
  (void)dims;
  return c.out.at(0).data;
}

ops::ITensor itensor(const std::vector<size_t>& dims, std::vector<int64_t> v, int scale) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kFloat);
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

TEST(Elementwise, AddSubMulMatchTheExecutorAndVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  using Op = ElementwiseParams::Op;
  struct Case {
    std::string op;
    Op kind;
    int sa, sb, shift;
  };
  for (const Case& c : std::vector<Case>{{"Add", Op::kAdd, 8, 8, 0},
                                         {"Add", Op::kAdd, 6, 8, 1},
                                         {"Sub", Op::kSub, 8, 5, 2},
                                         {"Mul", Op::kMul, 8, 8, 8},
                                         {"Mul", Op::kMul, 4, 3, 0}}) {
    SCOPED_TRACE(c.op + " shift=" + std::to_string(c.shift));
    const std::vector<size_t> dims{2, 3, 5};
    const PaddedShape shape(dims);
    auto a = testing::random_ints(rng, 30, 1 << 20), b = testing::random_ints(rng, 30, 1 << 20);
    ops::QParams qp;
    qp.ints["shift"] = c.shift;
    auto ta = itensor(dims, a, c.sa), tb = itensor(dims, b, c.sb);
    auto y = run_op(c.op, qp, dims, {&ta, &tb});
    ElementwiseParams p;
    p.op = c.kind;
    p.dims = dims;
    if (c.kind != Op::kMul) {
      const int s = std::max(c.sa, c.sb);
      p.ea = static_cast<size_t>(s - c.sa);
      p.eb = static_cast<size_t>(s - c.sb);
    }
    p.shift = c.shift;
    p.out_bits = c.shift > 0 ? 50 : 0;
    ElementwiseProver prover(p, a, b);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
    transcript::Transcript tp("nl-test");
    ElementwiseClaims pc;
    ElementwiseProof proof = prover.prove(claims, tp, &pc);
    auto verify = [&](const ElementwiseProof& pr, const std::vector<Claim>& cl, ElementwiseClaims* out) {
      transcript::Transcript tv("nl-test");
      return verify_elementwise(p, cl, pr, tv, out);
    };
    ElementwiseClaims vc;
    Verdict v = verify(proof, claims, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto at = padded_table(shape, a), bt = padded_table(shape, b);
    for (size_t i = 0; i < claims.size(); ++i) {
      EXPECT_EQ(vc.a[i].value, testing::eval(at, vc.a[i].point));
      EXPECT_EQ(vc.b[i].value, testing::eval(bt, vc.b[i].point));
      EXPECT_EQ(vc.a[i].point, pc.a[i].point);
    }
    check_advice(prover.advice(), vc.advice);
    auto shapes = elementwise_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = ElementwiseProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    ElementwiseClaims unused;
    EXPECT_TRUE(verify(back, claims, &unused).ok());
    // Tampering.
    if (!proof.a_evals.empty()) {
      auto t = proof;
      t.a_evals[0] += Fr::one();
      ElementwiseClaims tc;
      // The claim moves to a wrong pair (a, b) that sums right: caught at the inputs.
      ASSERT_TRUE(verify(t, claims, &tc).ok());
      EXPECT_NE(tc.a[0].value, testing::eval(at, tc.a[0].point));
    }
    if (!proof.mul.empty()) {
      auto t = proof;
      t.mul[0].rounds[0].evals[0] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &unused).ok());
    }
    if (!proof.rescale.evals.empty()) {
      auto t = proof;
      t.rescale.evals[0] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &unused).ok());
    }
  }
}

TEST(GlobalAvgPool, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const auto& dims : std::vector<std::vector<size_t>>{{1, 3, 4, 4}, {2, 5, 3, 7}, {1, 4, 1, 5}, {2, 2, 6}}) {
    const PaddedShape xs(dims), ys(global_avg_pool_out_dims(dims));
    auto x = testing::random_ints(rng, xs.unpadded_size(), 1 << 22);
    auto tx = itensor(dims, x, 8);
    auto y = run_op("GlobalAveragePool", ops::QParams{}, dims, {&tx});
    GlobalAvgPoolParams p{dims};
    GlobalAvgPoolProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 2);
    transcript::Transcript tp("nl-test");
    std::vector<Claim> pin;
    std::vector<AdviceClaim> padv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    auto verify = [&](const GlobalAvgPoolProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                      std::vector<AdviceClaim>* adv) {
      transcript::Transcript tv("nl-test");
      return verify_global_avg_pool(p, cl, pr, tv, in, adv);
    };
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify(proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(xs, x);
    for (const auto& c : in) EXPECT_EQ(c.value, testing::eval(xt, c.point));
    check_advice(prover.advice(), adv);
    EXPECT_EQ(global_avg_pool_advice_shapes(p).size(), prover.advice().size());
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = GlobalAvgPoolProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.nl.evals.size(); ++i) {
      auto t = proof;
      t.nl.evals[i] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok()) << "eval " << i;
    }
    {
      auto t = proof;
      t.sums[1].final_evals[0] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok());
    }
    // A wrong output claim (honest witness): the spatial sum no longer matches.
    auto bad = claims;
    bad[0].value += Fr::one();
    GlobalAvgPoolProver again(p, x);
    transcript::Transcript tb("nl-test");
    auto bp = again.prove(bad, tb, &pin, &padv);
    Verdict bv = verify(bp, bad, &in, &adv);
    EXPECT_FALSE(bv.ok());
    EXPECT_NE(bv.reason().find("spatial sum"), std::string::npos) << bv.reason();
  }
}

std::vector<int64_t> run_maxpool(const MaxPoolParams& p, const std::vector<int64_t>& x) {
  const ops::OpDef* d = ops::OpTable::get().find("MaxPool");
  ops::Node n;
  n.name = "MaxPool";
  n.op_type = "MaxPool";
  n.attrs.int_lists["kernel_shape"] = {static_cast<int64_t>(p.kh), static_cast<int64_t>(p.kw)};
  n.attrs.int_lists["strides"] = {static_cast<int64_t>(p.sh), static_cast<int64_t>(p.sw)};
  n.attrs.int_lists["pads"] = {static_cast<int64_t>(p.pt), static_cast<int64_t>(p.pl), static_cast<int64_t>(p.pb),
                               static_cast<int64_t>(p.pr)};
  ops::QParams qp;
  ops::IntContext c(n, qp);
  auto t = itensor(p.dims, x, 8);
  c.in = {&t};
  d->run_int(c);
  const auto od = p.out_dims();
  EXPECT_EQ(c.out.at(0).shape, ops::Shape(od.begin(), od.end()));
  return c.out.at(0).data;
}

TEST(MaxPool, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<MaxPoolParams> cases;
  cases.push_back({{1, 3, 4, 4}, 2, 2, 2, 2, 0, 0, 0, 0, 24});
  cases.push_back({{2, 2, 7, 5}, 3, 3, 2, 2, 1, 1, 1, 1, 24});  // ResNet's stem pool, odd sizes
  cases.push_back({{1, 2, 5, 6}, 3, 3, 1, 1, 1, 1, 1, 1, 20});
  cases.push_back({{1, 3, 3, 9}, 1, 3, 1, 2, 0, 2, 0, 1, 24});
  for (const auto& p : cases) {
    SCOPED_TRACE("k=" + std::to_string(p.kh) + "x" + std::to_string(p.kw));
    const PaddedShape xs(p.dims), ys(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), (int64_t{1} << p.bits) - 1);
    x[1] = x[0];  // ties
    auto y = run_maxpool(p, x);
    MaxPoolProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 2);
    transcript::Transcript tp("nl-test");
    std::vector<Claim> pin;
    std::vector<AdviceClaim> padv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    auto verify = [&](const MaxPoolProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                      std::vector<AdviceClaim>* adv) {
      transcript::Transcript tv("nl-test");
      return verify_max_pool(p, cl, pr, tv, in, adv);
    };
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify(proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(xs, x);
    ASSERT_EQ(in.size(), 2u);
    for (const auto& c : in) EXPECT_EQ(c.value, testing::eval(xt, c.point));
    check_advice(prover.advice(), adv);
    const auto shapes = max_pool_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t a = 0; a < shapes.size(); ++a) EXPECT_EQ(shapes[a].num_vars, prover.advice()[a].num_vars());
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = MaxPoolProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.nl.evals.size(); ++i) {
      auto t = proof;
      t.nl.evals[i] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok()) << "eval " << i;
    }
    {
      auto t = proof;
      t.gather[0].final_evals[0] += Fr::one();
      Verdict tv = verify(t, claims, &in, &adv);
      EXPECT_FALSE(tv.ok());
      t = proof;
      t.nl.sumchecks[0].rounds[0].evals[0] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in, &adv).ok());
    }
    // Cheating outputs: above every window element (the zero-check fails), below the maximum
    // (a difference is negative: the range check fails).
    for (int64_t delta : {1, -1}) {
      auto fy = y;
      fy[1] += delta;
      MaxPoolProver cheat(p, x, fy);
      auto cc = testing::true_claims(rng, padded_table(ys, fy), ys.num_vars(), 1);
      transcript::Transcript tc("nl-test");
      auto cp = cheat.prove(cc, tc, &pin, &padv);
      Verdict cv = verify(cp, cc, &in, &adv);
      EXPECT_FALSE(cv.ok());
      // y + 1: every difference >= 1, the product is non-zero. y - 1: one difference is -1 (out of
      // range) and, unless tied, the product is non-zero too; the zero-check comes first.
      const bool named = cv.reason().find("zero-check") != std::string::npos ||
                         cv.reason().find("maxpool.diff") != std::string::npos;
      EXPECT_TRUE(named) << cv.reason();
    }
  }
}

// The GlobalAveragePool and MaxPool verifiers run as circuits (docs/protocol/wrap.md section 3):
// proved over the Poseidon field transcript (standalone lookups), verified natively, then
// verify_*_as<CFr> over the circuit twin on the proof's bytes: the honest proof satisfies the
// system with the native input and advice claims; a changed claim value, evaluation,
// multiplicity, LogUp message, zero-check message and sum / gather sumcheck value do not.
TEST(GlobalAvgPool, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 21);
  using ctest::CFr;
  size_t total = 0;
  const std::vector<std::vector<size_t>> cases{{1, 3, 4, 4}, {2, 5, 3, 7}, {2, 2, 6}};
  for (const auto& dims : cases) {
    const PaddedShape xs(dims), ys(global_avg_pool_out_dims(dims));
    const GlobalAvgPoolParams p{dims};
    GlobalAvgPoolProver prover(p, testing::random_ints(rng, xs.unpadded_size(), 1 << 22));
    const auto claims = testing::true_claims(rng, padded_table(ys, prover.output()), ys.num_vars(), 2);
    auto tp = ctest::field_transcript();
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    const auto proof = prover.prove(claims, tp, &pin, &padv);
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_global_avg_pool(p, claims, proof, tv, &in, &adv).ok());
    }
    auto bad = ctest::tampered_nl(proof);
    for (size_t i = 0; i < proof.sums.size(); ++i) {
      auto b = proof;
      b.sums[i].final_evals[0] += Fr::one();
      bad.emplace_back("sum final " + std::to_string(i), b);
      if (b.sums[i].rounds.empty()) continue;
      b = proof;
      b.sums[i].rounds[0].evals[0] += Fr::one();
      bad.emplace_back("sum round " + std::to_string(i), b);
    }
    total += ctest::check_layer_circuit(
        claims, proof, in, adv,
        [&](ByteReader& r) { return GlobalAvgPoolProofT<CFr>::deserialize(r, p, claims.size()); },
        [&](const auto& cl, const auto& pr, auto& tr, auto* i2, auto* a2) {
          return verify_global_avg_pool_as<CFr>(p, cl, pr, tr, i2, a2);
        },
        bad);
  }
  std::printf("global average pool verifier as a circuit: %zu constraints over %zu cases\n", total, cases.size());
}

TEST(MaxPool, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 22);
  using ctest::CFr;
  size_t total = 0;
  std::vector<MaxPoolParams> cases;
  cases.push_back({{1, 3, 4, 4}, 2, 2, 2, 2, 0, 0, 0, 0, 24});
  cases.push_back({{2, 2, 7, 5}, 3, 3, 2, 2, 1, 1, 1, 1, 24});
  cases.push_back({{1, 3, 3, 9}, 1, 3, 1, 2, 0, 2, 0, 1, 24});
  for (const auto& p : cases) {
    SCOPED_TRACE("k=" + std::to_string(p.kh) + "x" + std::to_string(p.kw));
    const PaddedShape xs(p.dims), ys(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), (int64_t{1} << p.bits) - 1);
    x[1] = x[0];  // ties
    MaxPoolProver prover(p, x);
    const auto claims = testing::true_claims(rng, padded_table(ys, prover.output()), ys.num_vars(), 2);
    auto tp = ctest::field_transcript();
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    const auto proof = prover.prove(claims, tp, &pin, &padv);
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_max_pool(p, claims, proof, tv, &in, &adv).ok());
    }
    auto bad = ctest::tampered_nl(proof);
    for (size_t i = 0; i < proof.gather.size(); ++i)
      for (size_t j = 0; j < 2; ++j) {
        auto b = proof;
        b.gather[i].final_evals[j] += Fr::one();
        bad.emplace_back("gather " + std::to_string(i) + " final " + std::to_string(j), b);
      }
    {
      auto b = proof;
      b.gather[0].rounds.back().evals[1] += Fr::one();
      bad.emplace_back("gather round", b);
    }
    total += ctest::check_layer_circuit(
        claims, proof, in, adv, [&](ByteReader& r) { return MaxPoolProofT<CFr>::deserialize(r, p, claims.size()); },
        [&](const auto& cl, const auto& pr, auto& tr, auto* i2, auto* a2) {
          return verify_max_pool_as<CFr>(p, cl, pr, tr, i2, a2);
        },
        bad);
  }
  std::printf("max pool verifier as a circuit: %zu constraints over %zu cases\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
