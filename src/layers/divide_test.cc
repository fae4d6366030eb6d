// Tests for divide.h: Div with a positive divisor (scalar, broadcast and elementwise divisors,
// numerator or divisor scaled up) against the op table's run_int; honest proofs verify and every
// operand and advice claim equals the true MLE; serialization round trips; a forged quotient, a
// wrong output claim, tampered divisor evaluations, products and digit evaluations are rejected;
// non-positive divisors are refused by the prover.
#include <gtest/gtest.h>

#include "layers/divide.h"
#include "layers/int_div.h"
#include "layers/proof_circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

ops::ITensor itensor(const std::vector<size_t>& dims, std::vector<int64_t> v, int scale) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt);
  t.data = std::move(v);
  t.scale = scale;
  return t;
}

std::vector<int64_t> run_div(const ops::ITensor& a, const ops::ITensor& b, int so) {
  const ops::OpDef* d = ops::OpTable::get().find("Div");
  EXPECT_NE(d, nullptr);
  ops::Node n;
  n.name = "div";
  n.op_type = "Div";
  ops::QParams qp;
  qp.out_scales = {so};
  ops::IntContext c(n, qp);
  c.in = {&a, &b};
  d->run_int(c);
  return c.out.at(0).data;
}

size_t numel(const std::vector<size_t>& d) {
  size_t n = 1;
  for (size_t x : d) n *= x;
  return n;
}

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

struct Case {
  std::vector<size_t> dims, a_dims, b_dims;
  int sa, sb, so;
  int64_t a_bound, b_lo, b_hi;
};

DivParams params_of(const Case& k) {
  DivParams p;
  p.dims = k.dims;
  p.a_dims = k.a_dims;
  p.b_dims = k.b_dims;
  const int e = k.so - k.sa + k.sb;
  p.ea = static_cast<size_t>(std::max(e, 0));
  p.eb = static_cast<size_t>(std::max(-e, 0));
  p.q_bits = 24;
  p.d_bits = 12;
  return p;
}

Verdict run_verify(const DivParams& p, const std::vector<Claim>& cl, const DivProof& pr, DivClaims* out) {
  transcript::Transcript tv("div-test");
  return verify_div(p, cl, pr, tv, out);
}

void check(TestRng& rng, const Case& k) {
  const DivParams p = params_of(k);
  const auto& ad = k.a_dims.empty() ? k.dims : k.a_dims;
  const auto& bd = k.b_dims.empty() ? k.dims : k.b_dims;
  auto a = testing::random_ints(rng, numel(ad), k.a_bound);
  std::vector<int64_t> b(numel(bd));
  for (auto& v : b) v = k.b_lo + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(k.b_hi - k.b_lo + 1));
  const auto want = run_div(itensor(ad, a, k.sa), itensor(bd, b, k.sb), k.so);
  DivProver prover(p, a, b);
  ASSERT_EQ(prover.output(), want);
  const PaddedShape ys(p.dims);
  auto claims = testing::true_claims(rng, padded_table(ys, want), ys.num_vars(), 2);
  transcript::Transcript tp("div-test");
  DivClaims pc;
  DivProof proof = prover.prove(claims, tp, &pc);
  DivClaims vc;
  Verdict v = run_verify(p, claims, proof, &vc);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto at = padded_table(PaddedShape(ad), a), bt = padded_table(PaddedShape(bd), b);
  ASSERT_EQ(vc.a.size(), claims.size());
  ASSERT_EQ(vc.b.size(), 2 * claims.size());
  for (size_t i = 0; i < vc.a.size(); ++i) {
    EXPECT_EQ(vc.a[i].value, testing::eval(at, vc.a[i].point));
    EXPECT_EQ(vc.a[i].value, pc.a[i].value);
  }
  for (size_t i = 0; i < vc.b.size(); ++i) {
    EXPECT_EQ(vc.b[i].value, testing::eval(bt, vc.b[i].point));
    EXPECT_EQ(vc.b[i].point, pc.b[i].point);
  }
  ASSERT_EQ(vc.advice.size(), pc.advice.size());
  for (const auto& c : vc.advice)
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point));
  EXPECT_EQ(prover.advice().size(), div_advice_shapes(p).size());
  for (size_t i = 0; i < prover.advice().size(); ++i)
    EXPECT_EQ(prover.advice()[i].num_vars(), div_advice_shapes(p)[i].num_vars);

  ByteWriter w;
  proof.serialize(w);
  ByteReader r(w.data());
  auto back = DivProof::deserialize(r, p, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  DivClaims unused;
  EXPECT_TRUE(run_verify(p, claims, back, &unused).ok());

  // A wrong output claim: the quotient's digits disagree.
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    Verdict bv = run_verify(p, bad, proof, &unused);
    EXPECT_FALSE(bv.ok());
    EXPECT_NE(bv.reason().find("quotient's digits"), std::string::npos) << bv.reason();
  }
  // Tampered divisor evaluation, product T, digit evaluation, sumcheck message.
  for (size_t j = 0; j < proof.vals.size(); ++j) {
    auto bad = proof;
    bad.vals[j] += Fr::one();
    Verdict bv = run_verify(p, claims, bad, &unused);
    EXPECT_FALSE(bv.ok()) << "value " << j;
  }
  for (size_t j = 0; j < proof.nl.evals.size(); j += 3) {
    auto bad = proof;
    bad.nl.evals[j] += Fr::one();
    EXPECT_FALSE(run_verify(p, claims, bad, &unused).ok()) << "eval " << j;
  }
  if (!proof.nl.sumchecks.empty() && !proof.nl.sumchecks[0].rounds.empty()) {
    auto bad = proof;
    bad.nl.sumchecks[0].rounds[0].evals[0] += Fr::one();
    EXPECT_FALSE(run_verify(p, claims, bad, &unused).ok());
  }
  // A forged quotient (q + 1 at one entry, remainder made to fit the relation): its remainder
  // leaves [0, 2d), so the range checks fail.
  {
    auto forged = want;
    forged[forged.size() / 2] += 1;
    DivProver cheat(p, a, b, forged);
    auto fcl = testing::true_claims(rng, padded_table(ys, forged), ys.num_vars(), 1);
    transcript::Transcript tc("div-test");
    DivClaims cc;
    DivProof fp = cheat.prove(fcl, tc, &cc);
    Verdict fv = run_verify(p, fcl, fp, &unused);
    EXPECT_FALSE(fv.ok());
    EXPECT_NE(fv.reason().find("div"), std::string::npos) << fv.reason();
  }
}

TEST(DivTest, ScalarDivisorNumeratorScaledUp) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{2, 5}, {}, {1, 1}, 8, 2, 9, 5000, 1, 100});
}

TEST(DivTest, DivisorScaledUp) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{3, 4}, {}, {1, 4}, 8, 0, 6, 100000, 1, 300});
}

TEST(DivTest, ElementwiseDivisorAndBroadcastNumerator) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{3, 6}, {}, {}, 8, 8, 8, 100000, 1, 4000});
  check(rng, {{3, 6}, {1, 6}, {}, 8, 8, 8, 100000, 1, 4000});
}

TEST(DivTest, SingleEntry) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{1, 1}, {}, {}, 8, 11, 8, 3000, 100, 2048});
}

TEST(DivTest, NonPositiveDivisorRefused) {
  DivParams p;
  p.dims = {1, 3};
  p.q_bits = 24;
  p.d_bits = 8;
  std::vector<int64_t> a = {1, 2, 3};
  EXPECT_THROW(DivProver(p, a, std::vector<int64_t>{1, 0, 2}), Error);
  EXPECT_THROW(DivProver(p, a, std::vector<int64_t>{1, -3, 2}), Error);
  EXPECT_THROW(DivProver(p, a, std::vector<int64_t>{1, 300, 2}), Error);  // above 2^d_bits
  p.d_bits = 0;
  EXPECT_TRUE(p.invalid().has_value());
}

// The Div and integer Div verifiers as circuits (verify_div_as, verify_int_div_as over snark::CFr;
// docs/protocol/wrap.md section 3): honest satisfied with the native claims, each changed message
// (quotient, remainder and divisor digits, LogUp, product sumcheck, divisor value, T) not.
std::vector<int64_t> divisors(TestRng& rng, size_t n, int64_t lo, int64_t hi) {
  std::vector<int64_t> z(n);
  for (auto& v : z) v = lo + static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(hi - lo + 1));
  return z;
}

testing::ProofCircuitCase div_case(TestRng& rng, std::string name, const DivParams& p, int64_t a_bound, int64_t b_hi,
                                   size_t nclaims) {
  const PaddedShape ys(p.dims);
  const auto a = testing::random_ints(rng, numel(p.a_dims.empty() ? p.dims : p.a_dims), a_bound);
  const auto b = divisors(rng, numel(p.b_dims.empty() ? p.dims : p.b_dims), 1, b_hi);
  const auto y = DivProver(p, a, b).output();
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, a, b, claims](transcript::Transcript& tr) {
        DivProver prover(p, a, b);
        DivClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = DivProofT<F>::deserialize(r, p, cl.size());
        DivClaimsT<F> out;
        const Verdict v = verify_div_as<F>(p, cl, proof, tr, &out);
        if (v.ok()) {
          testing::flatten_into(*flat, out.a);
          testing::flatten_into(*flat, out.b);
          testing::flatten_into(*flat, out.advice);
        }
        return v;
      });
}

testing::ProofCircuitCase int_div_case(TestRng& rng, std::string name, const IntDivParams& p, int64_t zhi, size_t nclaims) {
  const PaddedShape xs(p.dims);
  const auto x = testing::random_ints(rng, numel(p.dims), int64_t{1} << (p.x_bits - 1));
  const auto z = divisors(rng, numel(p.z_dims.empty() ? p.dims : p.z_dims), 1, zhi);
  const auto y = IntDivProver(p, x, z).output();
  auto claims = testing::true_claims(rng, padded_table(xs, y), xs.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, x, z, claims](transcript::Transcript& tr) {
        IntDivProver prover(p, x, z);
        IntDivClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = IntDivProofT<F>::deserialize(r, p, cl.size());
        IntDivClaimsT<F> out;
        const Verdict v = verify_int_div_as<F>(p, cl, proof, tr, &out);
        if (v.ok()) {
          testing::flatten_into(*flat, out.x);
          testing::flatten_into(*flat, out.z);
          testing::flatten_into(*flat, out.advice);
        }
        return v;
      });
}

TEST(DivTest, VerifiersAsCircuits) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<testing::ProofCircuitCase> cases;
  cases.push_back(div_case(rng, "div, scalar divisor", DivParams{{2, 5}, {}, {1, 1}, 3, 0, 20, 8}, 5000, 100, 2));
  cases.push_back(div_case(rng, "div, elementwise, broadcast numerator", DivParams{{3, 6}, {1, 6}, {}, 0, 2, 20, 12}, 100000, 4000, 1));
  cases.push_back(int_div_case(rng, "integer div, scalar divisor", IntDivParams{{2, 2, 3}, {1, 1, 1}, 12, 8}, 9, 1));
  cases.push_back(int_div_case(rng, "integer div, elementwise", IntDivParams{{3, 5}, {}, 12, 8}, 200, 2));
  size_t total = 0;
  for (const auto& c : cases) {
    const size_t n = testing::check_proof_circuit(c);
    std::printf("%s as a circuit: %zu constraints\n", c.name.c_str(), n);
    total += n;
  }
  std::printf("div/integer div verifiers as circuits: %zu constraints for %zu layers\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
