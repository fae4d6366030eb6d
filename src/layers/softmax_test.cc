// Tests for softmax.h: Softmax over the last axis, over an inner axis and over two axes (the
// pre-opset-13 flattening), with and without a rescale before the exp table, against the op
// table's run_int; honest proofs verify, every input and advice claim is the true MLE;
// serialization round trips; a wrong output claim and tampered parts of each sub-proof are
// rejected or give false input claims.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/proof_circuit_test_util.h"
#include "layers/softmax.h"
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

struct Case {
  std::vector<size_t> dims;
  int64_t axis;
  int opset;
  int sx, table_in_scale;
};

// circuit: also run the verifier as a circuit (verify_softmax_as<snark::CFr>, wrap.md section 3;
// proof_circuit_test_util.h) and print its constraint count.
void check(TestRng& rng, const Case& k, bool circuit = false) {
  // the exp table over [lo, 0] at scale table_in_scale, values at 2^16
  ops::Table tb;
  tb.fn = "exp";
  tb.in_scale = k.table_in_scale;
  tb.out_scale = 16;
  tb.lo = -(int64_t{5} << k.table_in_scale);
  for (int64_t i = tb.lo; i <= 0; ++i)
    tb.values.push_back(std::llround(std::exp(static_cast<double>(i) / std::ldexp(1.0, k.table_in_scale)) * 65536.0));
  ops::QParams qp;
  qp.ints["shift"] = k.sx - k.table_in_scale;
  qp.tables = {tb};
  qp.out_scales = {8};
  size_t N = 1;
  for (size_t d : k.dims) N *= d;
  auto x = testing::random_ints(rng, N, int64_t{3} << k.sx);  // |x| < 3.0
  ops::Node n;
  n.name = "softmax";
  n.op_type = "Softmax";
  n.opset = k.opset;
  n.attrs.ints["axis"] = k.axis;
  ops::IntContext c(n, qp);
  ops::ITensor t(ops::Shape(k.dims.begin(), k.dims.end()), ops::DType::kInt);
  t.data = x;
  t.scale = k.sx;
  c.in = {&t};
  ops::OpTable::get().find("Softmax")->run_int(c);
  const auto want = c.out.at(0).data;

  SoftmaxParams p;
  p.dims = k.dims;
  const size_t r = k.dims.size(), a = static_cast<size_t>(k.axis < 0 ? k.axis + static_cast<int64_t>(r) : k.axis);
  p.axes.assign(r, false);
  for (size_t d = a; d < (k.opset < 13 ? r : a + 1); ++d) p.axes[d] = true;
  p.bits = static_cast<size_t>(k.sx) + 3;
  p.shift = static_cast<size_t>(k.sx - k.table_in_scale);
  p.lo = tb.lo;
  p.values = tb.values;
  p.out_scale = 8;
  p.q_bits = 24;
  ASSERT_FALSE(p.invalid().has_value()) << *p.invalid();
  SoftmaxProver prover(p, x);
  ASSERT_EQ(prover.output(), want);
  const PaddedShape xs(p.dims);
  auto claims = testing::true_claims(rng, padded_table(xs, want), xs.num_vars(), 2);
  transcript::Transcript tp("softmax-test");
  std::vector<Claim> pin, vin;
  std::vector<AdviceClaim> padv, vadv;
  SoftmaxProof proof = prover.prove(claims, tp, &pin, &padv);
  auto run_verify = [&](const SoftmaxProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                        std::vector<AdviceClaim>* adv) {
    transcript::Transcript tv("softmax-test");
    return verify_softmax(p, cl, pr, tv, in, adv);
  };
  Verdict v = run_verify(proof, claims, &vin, &vadv);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto xt = padded_table(xs, x);
  ASSERT_EQ(vin.size(), pin.size());
  for (size_t i = 0; i < vin.size(); ++i) EXPECT_EQ(vin[i].value, testing::eval(xt, vin[i].point)) << i;
  const auto shapes = softmax_advice_shapes(p);
  ASSERT_EQ(prover.advice().size(), shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(prover.advice()[i].num_vars(), shapes[i].num_vars);
  ASSERT_EQ(vadv.size(), padv.size());
  for (const auto& c : vadv) {
    ASSERT_LT(c.advice, prover.advice().size());
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point));
  }
  ByteWriter w;
  proof.serialize(w);
  ByteReader rd(w.data());
  auto back = SoftmaxProof::deserialize(rd, p, claims.size());
  EXPECT_EQ(rd.remaining(), 0u);
  EXPECT_TRUE(run_verify(back, claims, &vin, &vadv).ok());
  auto rejected_or_false = [&](const SoftmaxProof& pr, const std::vector<Claim>& cl) {
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict bv = run_verify(pr, cl, &in, &adv);
    bool bad = !bv.ok();
    for (const auto& c : in) bad |= c.value != testing::eval(xt, c.point);
    for (const auto& c : adv)
      bad |= c.advice >= prover.advice().size() ||
             c.claim.value != testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point);
    return bad;
  };
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    EXPECT_TRUE(rejected_or_false(proof, bad));
  }
  {
    auto bad = proof;
    bad.div.vals[1] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  if (!proof.act.evals.empty()) {
    auto bad = proof;
    bad.act.evals[0] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  {
    auto bad = proof;
    bad.max.nl.evals.back() += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  // (The row sum sends nothing: its claims on e are at the half point, reduce.h.)
  EXPECT_TRUE(proof.sum.rescale.evals.empty() && proof.sum.nl.evals.empty());
  if (circuit) {
    const auto c = testing::proof_case(
        "softmax", claims,
        [p, x, claims](transcript::Transcript& tr) {
          SoftmaxProver pr(p, x);
          std::vector<Claim> in;
          std::vector<AdviceClaim> adv;
          ByteWriter bw;
          pr.prove(claims, tr, &in, &adv).serialize(bw);
          return bw.data();
        },
        [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
          using F = testing::claims_field_t<decltype(cl)>;
          const auto pr = SoftmaxProofT<F>::deserialize(r, p, cl.size());
          std::vector<ClaimT<F>> in;
          std::vector<AdviceClaimT<F>> adv;
          const Verdict v = verify_softmax_as<F>(p, cl, pr, tr, &in, &adv);
          if (v.ok()) {
            testing::flatten_into(*flat, in);
            testing::flatten_into(*flat, adv);
          }
          return v;
        });
    std::printf("softmax over %zu entries as a circuit: %zu constraints\n", xs.unpadded_size(),
                testing::check_proof_circuit(c, 24));
  }
}

TEST(SoftmaxTest, LastAxis) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{1, 3}, 1, 10, 8, 8});
  check(rng, {{2, 5}, -1, 13, 10, 8});
}

// The verifier as a circuit: honest satisfied with the native claims, changed messages not.
TEST(SoftmaxTest, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{2, 5}, -1, 13, 10, 8}, true);
}

TEST(SoftmaxTest, InnerAxisAndFlattenedRows) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{2, 3, 4}, 1, 13, 8, 8});
  check(rng, {{2, 3, 2}, 1, 11, 8, 8});  // rows of 3 x 2 entries
}

}  // namespace
}  // namespace zkinfer::layers
