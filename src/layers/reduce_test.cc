// Tests for reduce.h: ReduceSum (with and without a rescale), ReduceMean, ReduceMax, ReduceMin
// over various axes, against the op table's run_int; honest proofs verify and every input and
// advice claim equals the true MLE; serialization round trips; a wrong output claim and forged
// outputs (a non-maximal "maximum", a wrong mean) are rejected with a reason.
#include <gtest/gtest.h>

#include "layers/reduce.h"
#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;
using Op = ReduceParams::Op;

std::vector<int64_t> run_reduce(const std::string& op, const std::vector<size_t>& dims, const std::vector<int64_t>& x,
                                const std::vector<int64_t>& axes, int64_t shift) {
  const ops::OpDef* d = ops::OpTable::get().find(op);
  EXPECT_NE(d, nullptr);
  ops::Node n;
  n.name = op;
  n.op_type = op;
  n.opset = 11;  // axes as an attribute
  n.attrs.int_lists["axes"] = axes;
  n.attrs.ints["keepdims"] = 1;
  ops::QParams qp;
  qp.ints["shift"] = shift;
  ops::IntContext c(n, qp);
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt);
  t.data = x;
  t.scale = 8;
  c.in = {&t};
  d->run_int(c);
  return c.out.at(0).data;
}

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

Verdict run_verify(const ReduceParams& p, const std::vector<Claim>& cl, const ReduceProof& pr, std::vector<Claim>* in,
                   std::vector<AdviceClaim>* adv) {
  transcript::Transcript tv("reduce-test");
  return verify_reduce(p, cl, pr, tv, in, adv);
}

void check(TestRng& rng, Op op, std::vector<size_t> dims, std::vector<int64_t> axes, size_t shift = 0) {
  ReduceParams p;
  p.op = op;
  p.dims = dims;
  p.axes.assign(dims.size(), false);
  for (auto a : axes) p.axes[static_cast<size_t>(a)] = true;
  p.shift = shift;
  if (shift > 0) p.out_bits = 30;
  if (op == Op::kMax || op == Op::kMin) p.bits = 20;
  size_t N = 1;
  for (size_t d : dims) N *= d;
  auto x = testing::random_ints(rng, N, 100000);
  const char* name = op == Op::kSum ? "ReduceSum" : op == Op::kMean ? "ReduceMean" : op == Op::kMax ? "ReduceMax" : "ReduceMin";
  const auto want = run_reduce(name, dims, x, axes, static_cast<int64_t>(shift));
  ReduceProver prover(p, x);
  ASSERT_EQ(prover.output(), want) << name;
  const PaddedShape ys(p.out_dims()), xs(dims);
  auto claims = testing::true_claims(rng, padded_table(ys, want), ys.num_vars(), 2);
  transcript::Transcript tp("reduce-test");
  std::vector<Claim> pin, vin;
  std::vector<AdviceClaim> padv, vadv;
  ReduceProof proof = prover.prove(claims, tp, &pin, &padv);
  Verdict v = run_verify(p, claims, proof, &vin, &vadv);
  ASSERT_TRUE(v.ok()) << name << ": " << v.reason();
  const auto xt = padded_table(xs, x);
  ASSERT_EQ(vin.size(), claims.size());  // one claim on x per output claim
  for (size_t i = 0; i < vin.size(); ++i) {
    EXPECT_EQ(vin[i].value, testing::eval(xt, vin[i].point)) << name << " input claim " << i;
    EXPECT_EQ(vin[i].value, pin[i].value);
  }
  ASSERT_EQ(vadv.size(), padv.size());
  const auto shapes = reduce_advice_shapes(p);
  ASSERT_EQ(prover.advice().size(), shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(prover.advice()[i].num_vars(), shapes[i].num_vars);
  for (const auto& c : vadv)
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point)) << name;

  ByteWriter w;
  proof.serialize(w);
  ByteReader r(w.data());
  auto back = ReduceProof::deserialize(r, p, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(run_verify(p, claims, back, &vin, &vadv).ok());
  if (op == Op::kSum || op == Op::kMean) {
    // The sum sends nothing (a Sum without a rescale: no byte at all); each claim on x is at the
    // output claim's point with 1/2 at every reduced variable.
    if (op == Op::kSum && shift == 0) EXPECT_TRUE(w.data().empty()) << w.data().size();
    const Fr half = Fr::from_u64(2).inverse();
    for (const auto& c : vin) {
      size_t halves = 0;
      for (const Fr& z : c.point) halves += z == half ? 1 : 0;
      EXPECT_GE(halves, xs.num_vars() - ys.num_vars()) << name;
    }
  }

  // A wrong output claim: rejected, or moved to false input claims.
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    std::vector<Claim> bin;
    Verdict bv = run_verify(p, bad, proof, &bin, &vadv);
    bool some_false = !bv.ok();
    for (const auto& c : bin) some_false |= c.value != testing::eval(xt, c.point);
    EXPECT_TRUE(some_false) << name;
  }
  // Tampered digit evaluations are rejected.
  for (size_t j = 0; j < proof.nl.evals.size(); j += 5) {
    auto bad = proof;
    bad.nl.evals[j] += Fr::one();
    std::vector<Claim> bin;
    Verdict bv = run_verify(p, claims, bad, &bin, &vadv);
    bool some_false = !bv.ok();
    for (const auto& c : bin) some_false |= c.value != testing::eval(xt, c.point);
    EXPECT_TRUE(some_false) << name << " eval " << j;
  }
  // Max / Min: the selector's row sums (the last evaluations: one at the half point when every
  // reduced index is valid, one per index otherwise) changed: rejected.
  if (op == Op::kMax || op == Op::kMin) {
    auto bad = proof;
    bad.nl.evals.back() += Fr::one();
    std::vector<Claim> bin;
    EXPECT_FALSE(run_verify(p, claims, bad, &bin, &vadv).ok()) << name;
  }
  // A forged output (a wrong extremum / mean committed with its differences / remainders).
  if (op != Op::kSum) {
    auto forged = want;
    forged[0] += op == Op::kMin ? -1 : 1;  // Max: above every entry (no difference is zero)
    ReduceProver cheat(p, x, forged);
    auto fcl = testing::true_claims(rng, padded_table(ys, forged), ys.num_vars(), 1);
    transcript::Transcript tc("reduce-test");
    std::vector<Claim> fin;
    std::vector<AdviceClaim> fadv;
    ReduceProof fp = cheat.prove(fcl, tc, &fin, &fadv);
    Verdict fv = run_verify(p, fcl, fp, &fin, &fadv);
    EXPECT_FALSE(fv.ok()) << name;
    EXPECT_NE(fv.reason().find("reduce"), std::string::npos) << fv.reason();
    // A non-maximal output (below the maximum: a negative difference).
    if (op == Op::kMax || op == Op::kMin) {
      forged = want;
      forged[0] += op == Op::kMax ? -1 : 1;
      ReduceProver cheat2(p, x, forged);
      auto fcl2 = testing::true_claims(rng, padded_table(ys, forged), ys.num_vars(), 1);
      transcript::Transcript tc2("reduce-test");
      ReduceProof fp2 = cheat2.prove(fcl2, tc2, &fin, &fadv);
      Verdict fv2 = run_verify(p, fcl2, fp2, &fin, &fadv);
      EXPECT_FALSE(fv2.ok()) << name;
    }
  }
}

TEST(ReduceTest, SumOverAxes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, Op::kSum, {2, 3, 5}, {1});
  check(rng, Op::kSum, {2, 3, 5}, {0, 2}, 3);
  check(rng, Op::kSum, {3, 6}, {0, 1});
}

TEST(ReduceTest, MeanOverAxes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, Op::kMean, {2, 3, 5}, {2});
  check(rng, Op::kMean, {4, 3, 2}, {0, 1});
  check(rng, Op::kMean, {1, 7}, {1});
}

TEST(ReduceTest, MaxMin) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, Op::kMax, {1, 3, 2, 2}, {0, 1, 2, 3});
  check(rng, Op::kMin, {1, 3, 2, 2}, {0, 1, 2, 3});
  check(rng, Op::kMax, {2, 3, 5}, {1});
  check(rng, Op::kMin, {3, 5, 2}, {0, 2});
  // More than 32 entries a row (attention's softmax rows): 64, 100 and 120.
  check(rng, Op::kMax, {2, 64}, {1});
  check(rng, Op::kMax, {3, 100}, {1});
  check(rng, Op::kMin, {2, 3, 40}, {1, 2});
}

TEST(ReduceTest, BadParameters) {
  ReduceParams p;
  p.op = Op::kMax;
  p.dims = {2, 5000};
  p.axes = {false, true};
  p.bits = 20;
  EXPECT_TRUE(p.invalid().has_value());  // more than 4096 entries
  p.dims = {2, 10};
  EXPECT_FALSE(p.invalid().has_value());
  p.axes = {true};
  EXPECT_TRUE(p.invalid().has_value());
  EXPECT_THROW(ReduceProver(p, std::vector<int64_t>(20, 0)), Error);
}

// The reduce verifier run as a circuit (docs/protocol/wrap.md section 3) for Sum (with and
// without its rescale), Mean, Max and Min (every reduced index valid, and not): the honest proof
// satisfies the system with the native claims; a changed claim value and each changed message of
// the non-linear parts (evaluations, multiplicities, LogUp messages, zero-check) do not.
TEST(ReduceTest, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 24);
  using ctest::CFr;
  struct Case {
    Op op;
    std::vector<size_t> dims;
    std::vector<int64_t> axes;
    size_t shift = 0;
  };
  const std::vector<Case> cases{{Op::kSum, {2, 3, 5}, {1}},    {Op::kSum, {2, 3, 5}, {0, 2}, 3},
                                {Op::kMean, {2, 3, 5}, {2}},   {Op::kMax, {1, 3, 2, 2}, {0, 1, 2, 3}},
                                {Op::kMin, {3, 5, 2}, {0, 2}}, {Op::kMax, {2, 3, 5}, {1}}};
  size_t total = 0;
  for (const auto& c : cases) {
    ReduceParams p;
    p.op = c.op;
    p.dims = c.dims;
    p.axes.assign(c.dims.size(), false);
    for (auto a : c.axes) p.axes[static_cast<size_t>(a)] = true;
    p.shift = c.shift;
    if (c.shift > 0) p.out_bits = 30;
    if (c.op == Op::kMax || c.op == Op::kMin) p.bits = 20;
    const PaddedShape ys(p.out_dims()), xs(c.dims);
    ReduceProver prover(p, testing::random_ints(rng, xs.unpadded_size(), 100000));
    const auto claims = testing::true_claims(rng, padded_table(ys, prover.output()), ys.num_vars(), 2);
    auto tp = ctest::field_transcript();
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    const auto proof = prover.prove(claims, tp, &pin, &padv);
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_reduce(p, claims, proof, tv, &in, &adv).ok());
    }
    auto bad = ctest::tampered_nl(proof);
    for (auto& b : ctest::tampered_nl(proof, &ReduceProof::rescale, "rescale")) bad.push_back(std::move(b));
    total += ctest::check_layer_circuit(
        claims, proof, in, adv, [&](ByteReader& r) { return ReduceProofT<CFr>::deserialize(r, p, claims.size()); },
        [&](const auto& cl, const auto& pr, auto& tr, auto* i2, auto* a2) {
          return verify_reduce_as<CFr>(p, cl, pr, tr, i2, a2);
        },
        bad, c.op != Op::kSum || c.shift > 0);
  }
  std::printf("reduce verifier as a circuit: %zu constraints over %zu cases\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
