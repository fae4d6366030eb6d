// Tests for int_div.h: truncating integer Div by positive divisors (scalar and elementwise),
// dividends of both signs, against the op table's run_int; honest proofs verify and every input,
// divisor and advice claim is the true MLE; serialization round trips; a wrong output claim,
// tampered evaluations and sumcheck messages, and forged quotients are rejected.
#include <gtest/gtest.h>

#include "layers/int_div.h"
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

size_t numel(const std::vector<size_t>& d) {
  size_t n = 1;
  for (size_t x : d) n *= x;
  return n;
}

void check(TestRng& rng, std::vector<size_t> dims, std::vector<size_t> z_dims, int64_t zlo, int64_t zhi) {
  IntDivParams p;
  p.dims = dims;
  p.z_dims = z_dims;
  p.x_bits = 12;
  p.d_bits = 8;
  const auto& zd = z_dims.empty() ? dims : z_dims;
  auto x = testing::random_ints(rng, numel(dims), 3000);
  std::vector<int64_t> z(numel(zd));
  for (auto& v : z) v = zlo + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(zhi - zlo + 1));
  ops::Node n;
  n.name = "div";
  n.op_type = "Div";
  ops::QParams qp;
  qp.ints["integer"] = 1;
  qp.out_scales = {0};
  ops::IntContext c(n, qp);
  ops::ITensor ta(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt), tb(ops::Shape(zd.begin(), zd.end()), ops::DType::kInt);
  ta.data = x;
  tb.data = z;
  c.in = {&ta, &tb};
  ops::OpTable::get().find("Div")->run_int(c);
  const auto want = c.out.at(0).data;
  IntDivProver prover(p, x, z);
  ASSERT_EQ(prover.output(), want);
  const PaddedShape xs(dims), zs(zd);
  auto claims = testing::true_claims(rng, padded_table(xs, want), xs.num_vars(), 2);
  transcript::Transcript tp("idiv-test");
  IntDivClaims pc, vc;
  IntDivProof proof = prover.prove(claims, tp, &pc);
  auto run_verify = [&](const IntDivProof& pr, const std::vector<Claim>& cl, IntDivClaims* o) {
    transcript::Transcript tv("idiv-test");
    return verify_int_div(p, cl, pr, tv, o);
  };
  Verdict v = run_verify(proof, claims, &vc);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto xt = padded_table(xs, x), zt = padded_table(zs, z);
  ASSERT_EQ(vc.x.size(), claims.size());
  ASSERT_EQ(vc.z.size(), 2u);
  for (const auto& c : vc.x) EXPECT_EQ(c.value, testing::eval(xt, c.point));
  for (const auto& c : vc.z) EXPECT_EQ(c.value, testing::eval(zt, c.point));
  for (const auto& c : vc.advice)
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point))
        << prover.advice()[c.advice].name << " #" << (&c - vc.advice.data()) << " of " << vc.advice.size()
        << " pts " << c.claim.point.size() << " nv " << prover.advice()[c.advice].num_vars();
  const auto shapes = int_div_advice_shapes(p);
  ASSERT_EQ(shapes.size(), prover.advice().size());
  for (size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(shapes[i].num_vars, prover.advice()[i].num_vars());
  ByteWriter w;
  proof.serialize(w);
  ByteReader r(w.data());
  auto back = IntDivProof::deserialize(r, p, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(run_verify(back, claims, &vc).ok());
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    Verdict bv = run_verify(proof, bad, &vc);
    EXPECT_FALSE(bv.ok());
    EXPECT_NE(bv.reason().find("quotients' digits"), std::string::npos) << bv.reason();
  }
  {
    auto bad = proof;
    bad.z_eval += Fr::one();
    EXPECT_FALSE(run_verify(bad, claims, &vc).ok());
  }
  for (size_t j = 0; j < proof.nl.evals.size(); j += 4) {
    auto bad = proof;
    bad.nl.evals[j] += Fr::one();
    IntDivClaims o;
    Verdict bv = run_verify(bad, claims, &o);
    bool caught = !bv.ok();
    for (const auto& c : o.x) caught |= c.value != testing::eval(xt, c.point);
    EXPECT_TRUE(caught) << "eval " << j;
  }
  for (size_t s = 0; s < proof.nl.sumchecks.size(); ++s) {
    if (proof.nl.sumchecks[s].rounds.empty()) continue;
    auto bad = proof;
    bad.nl.sumchecks[s].rounds[0].evals[0] += Fr::one();
    EXPECT_FALSE(run_verify(bad, claims, &vc).ok()) << "sumcheck " << s;
  }
  // Forged quotients: off by one where x < 0 and where x > 0.
  for (int sign : {-1, 1}) {
    auto forged = want;
    size_t at = x.size();
    for (size_t i = 0; i < x.size(); ++i)
      if ((sign < 0 && x[i] < 0) || (sign > 0 && x[i] > 0)) at = i;
    if (at == x.size()) continue;
    forged[at] += 1;
    IntDivProver cheat(p, x, z, forged);
    auto fcl = testing::true_claims(rng, padded_table(xs, forged), xs.num_vars(), 1);
    transcript::Transcript tc("idiv-test");
    IntDivClaims cc;
    IntDivProof fp = cheat.prove(fcl, tc, &cc);
    Verdict fv = run_verify(fp, fcl, &vc);
    EXPECT_FALSE(fv.ok()) << sign;
  }
}

TEST(IntDivTest, ScalarAndElementwiseDivisors) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {2, 2, 8}, {1, 1, 1}, 1, 9);
  check(rng, {1, 3}, {1, 1}, 4, 4);
  check(rng, {3, 5}, {}, 1, 200);
}

TEST(IntDivTest, NonPositiveDivisorRefused) {
  IntDivParams p;
  p.dims = {1, 2};
  p.x_bits = 8;
  p.d_bits = 4;
  std::vector<int64_t> x = {5, -5};
  EXPECT_THROW(IntDivProver(p, x, std::vector<int64_t>{0, 1}), Error);
  EXPECT_THROW(IntDivProver(p, x, std::vector<int64_t>{-2, 1}), Error);
}

}  // namespace
}  // namespace zkinfer::layers
