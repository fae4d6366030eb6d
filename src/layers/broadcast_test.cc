// Tests for broadcasting in elementwise.h: Add / Sub / Mul with a broadcast operand (per-channel
// constants, numpy right-aligned shapes, either side) and the per-channel affine map of the
// executor's BatchNormalization, against the op table's run_int; honest proofs verify and every
// operand claim equals that operand's own MLE; serialization round trips; tampered operand
// evaluations, sumcheck messages and output claims are rejected or give false operand claims.
#include <gtest/gtest.h>

#include "layers/elementwise.h"
#include "layers/proof_circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;
using Op = ElementwiseParams::Op;

ops::ITensor itensor(const std::vector<size_t>& dims, std::vector<int64_t> v, int scale) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt);
  t.data = std::move(v);
  t.scale = scale;
  return t;
}

std::vector<int64_t> run_op(const std::string& op, const ops::QParams& qp, std::vector<const ops::ITensor*> in) {
  const ops::OpDef* d = ops::OpTable::get().find(op);
  EXPECT_NE(d, nullptr);
  ops::Node n;
  n.name = op;
  n.op_type = op;
  ops::IntContext c(n, qp);
  c.in = std::move(in);
  d->run_int(c);
  return c.out.at(0).data;
}

std::vector<size_t> left_pad(std::vector<size_t> d, size_t rank) {
  while (d.size() < rank) d.insert(d.begin(), 1);
  return d;
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

struct Case3 {
  ElementwiseParams p;
  std::vector<int64_t> a, b, c, y;
};

void check(TestRng& rng, const Case3& run) {
  const auto& p = run.p;
  ElementwiseProver prover(p, run.a, run.b, run.c);
  ASSERT_EQ(prover.output(), run.y);
  const PaddedShape ys(p.dims);
  auto claims = testing::true_claims(rng, padded_table(ys, run.y), ys.num_vars(), 2);
  transcript::Transcript tp("bcast-test");
  ElementwiseClaims pc;
  ElementwiseProof proof = prover.prove(claims, tp, &pc);
  auto verify = [&](const ElementwiseProof& pr, const std::vector<Claim>& cl, ElementwiseClaims* out) {
    transcript::Transcript tv("bcast-test");
    return verify_elementwise(p, cl, pr, tv, out);
  };
  ElementwiseClaims vc;
  Verdict v = verify(proof, claims, &vc);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto at = padded_table(PaddedShape(p.a_dims.empty() ? p.dims : p.a_dims), run.a);
  const auto bt = padded_table(PaddedShape(p.b_dims.empty() ? p.dims : p.b_dims), run.b);
  auto true_ops = [&](const ElementwiseClaims& c) {
    bool ok = c.a.size() == claims.size() && c.b.size() == claims.size();
    for (size_t i = 0; ok && i < c.a.size(); ++i)
      ok = c.a[i].value == testing::eval(at, c.a[i].point) && c.b[i].value == testing::eval(bt, c.b[i].point);
    if (p.op == Op::kAffine) {
      const auto ct = padded_table(PaddedShape(p.c_dims), run.c);
      ok = ok && c.c.size() == claims.size();
      for (size_t i = 0; ok && i < c.c.size(); ++i) ok = c.c[i].value == testing::eval(ct, c.c[i].point);
    }
    return ok;
  };
  EXPECT_TRUE(true_ops(vc));
  for (size_t i = 0; i < claims.size(); ++i) {
    EXPECT_EQ(vc.a[i].point, pc.a[i].point);
    EXPECT_EQ(vc.b[i].value, pc.b[i].value);
  }
  for (const auto& c : vc.advice)
    EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point));
  ByteWriter w;
  proof.serialize(w);
  ByteReader r(w.data());
  auto back = ElementwiseProof::deserialize(r, p, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  ElementwiseClaims unused;
  EXPECT_TRUE(verify(back, claims, &unused).ok());
  // A wrong output claim: rejected (rescale digits, sumcheck) or moved to false operand claims.
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    ElementwiseClaims bc;
    Verdict bv = verify(proof, bad, &bc);
    if (bv.ok()) {
      EXPECT_FALSE(true_ops(bc));
    }
  }
  for (size_t k = 0; k < proof.a_evals.size(); ++k) {
    auto t = proof;
    t.a_evals[k] += Fr::one();
    ElementwiseClaims tc;
    Verdict tv = verify(t, claims, &tc);
    if (tv.ok()) {
      EXPECT_FALSE(true_ops(tc)) << "a_eval " << k;
    }
    if (p.op == Op::kAffine) {
      EXPECT_FALSE(tv.ok());
      EXPECT_NE(tv.reason().find("product"), std::string::npos) << tv.reason();
    }
  }
  if (!proof.mul.empty()) {
    auto t = proof;
    t.mul[1].rounds[0].evals[0] += Fr::one();
    EXPECT_FALSE(verify(t, claims, &unused).ok());
    t = proof;
    t.mul[0].final_evals[2] += Fr::one();
    EXPECT_FALSE(verify(t, claims, &unused).ok());
  }
}

TEST(Broadcast, AddSubMulMatchTheExecutorAndVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::string op;
    Op kind;
    std::vector<size_t> ad, bd;  // executor shapes (numpy broadcasting)
    int sa, sb, shift;
  };
  for (const Case& c : std::vector<Case>{{"Add", Op::kAdd, {2, 3, 4, 5}, {3, 1, 1}, 8, 6, 1},
                                         {"Add", Op::kAdd, {1, 5}, {3, 5}, 8, 8, 0},
                                         {"Sub", Op::kSub, {3, 4}, {4}, 7, 8, 0},
                                         {"Sub", Op::kSub, {3, 1}, {3, 6}, 8, 8, 2},
                                         {"Mul", Op::kMul, {2, 3, 4}, {3, 1}, 8, 8, 8},
                                         {"Mul", Op::kMul, {1, 3, 1}, {2, 1, 5}, 4, 4, 0}}) {
    SCOPED_TRACE(c.op);
    Case3 run;
    run.a = testing::random_ints(rng, numel(c.ad), 1 << 18);
    run.b = testing::random_ints(rng, numel(c.bd), 1 << 18);
    auto ta = itensor(c.ad, run.a, c.sa), tb = itensor(c.bd, run.b, c.sb);
    ops::QParams qp;
    qp.ints["shift"] = c.shift;
    run.y = run_op(c.op, qp, {&ta, &tb});
    const size_t rank = std::max(c.ad.size(), c.bd.size());
    auto& p = run.p;
    p.op = c.kind;
    p.a_dims = left_pad(c.ad, rank);
    p.b_dims = left_pad(c.bd, rank);
    for (size_t d = 0; d < rank; ++d) p.dims.push_back(std::max(p.a_dims[d], p.b_dims[d]));
    if (c.kind != Op::kMul) {
      const int s = std::max(c.sa, c.sb);
      p.ea = static_cast<size_t>(s - c.sa);
      p.eb = static_cast<size_t>(s - c.sb);
    }
    p.shift = c.shift;
    p.out_bits = c.shift > 0 ? 50 : 0;
    check(rng, run);
  }
}

TEST(Broadcast, BatchNormAffineMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const auto& dims : std::vector<std::vector<size_t>>{{2, 3, 5, 5}, {1, 4, 3}, {1, 6, 2, 2}}) {
    const size_t C = dims[1];
    Case3 run;
    run.a = testing::random_ints(rng, numel(dims), 1 << 16);
    run.b = testing::random_ints(rng, C, 1 << 10);
    run.c = testing::random_ints(rng, C, 1 << 24);
    ops::QParams qp;
    qp.ints["shift"] = 10;
    qp.consts["a"] = itensor({C}, run.b, 10);
    qp.consts["b"] = itensor({C}, run.c, 18);
    auto tx = itensor(dims, run.a, 8);
    run.y = run_op("BatchNormalization", qp, {&tx});
    auto& p = run.p;
    p.op = Op::kAffine;
    p.dims = dims;
    std::vector<size_t> cd(dims.size(), 1);
    cd[1] = C;
    p.b_dims = cd;
    p.c_dims = cd;
    p.shift = 10;
    p.out_bits = 40;
    check(rng, run);
  }
}

TEST(Broadcast, BadShapesAreRejected) {
  ElementwiseParams p;
  p.op = Op::kAdd;
  p.dims = {2, 3};
  p.b_dims = {2, 2};
  std::vector<int64_t> a(6), b(4);
  EXPECT_THROW(ElementwiseProver(p, a, b), Error);
  transcript::Transcript tv("t");
  ElementwiseClaims out;
  Verdict v = verify_elementwise(p, {}, ElementwiseProof{}, tv, &out);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("neither"), std::string::npos) << v.reason();
  p.b_dims = {1, 3};
  std::vector<int64_t> b3(3);
  EXPECT_THROW(ElementwiseProver(p, a, b3, b3), Error);  // c for a two-operand op
  EXPECT_THROW(ElementwiseProver(p, a, b), Error);       // wrong size
}

// The elementwise verifier as a circuit (verify_elementwise_as<snark::CFr>; docs/protocol/wrap.md
// section 3): Add/Sub with alignment and broadcasting, Mul with a rescale and an output range
// check, the affine op, a multiply by 2^-shift; honest satisfied with the native claims, each
// changed message (operand evaluation, rescale digit, lookup, sumcheck round and final value) not.
testing::ProofCircuitCase elementwise_case(TestRng& rng, std::string name, const ElementwiseParams& p, size_t nclaims,
                                           int64_t bound) {
  const auto& ad = p.a_dims.empty() ? p.dims : p.a_dims;
  const auto& bd = p.b_dims.empty() ? p.dims : p.b_dims;
  const auto a = testing::random_ints(rng, numel(ad), bound), b = testing::random_ints(rng, numel(bd), bound);
  const auto c = p.op == Op::kAffine ? testing::random_ints(rng, numel(p.c_dims), bound) : std::vector<int64_t>{};
  const auto y = ElementwiseProver(p, a, b, c).output();
  const PaddedShape ys(p.dims);
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, a, b, c, claims](transcript::Transcript& tr) {
        ElementwiseProver prover(p, a, b, c);
        ElementwiseClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = ElementwiseProofT<F>::deserialize(r, p, cl.size());
        ElementwiseClaimsT<F> out;
        const Verdict v = verify_elementwise_as<F>(p, cl, proof, tr, &out);
        if (v.ok()) {
          testing::flatten_into(*flat, out.a);
          testing::flatten_into(*flat, out.b);
          testing::flatten_into(*flat, out.c);
          testing::flatten_into(*flat, out.advice);
        }
        return v;
      });
}

TEST(Broadcast, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<testing::ProofCircuitCase> cases;
  {
    ElementwiseParams p;
    p.op = Op::kAdd;
    p.dims = {3, 5};
    p.ea = 2;
    cases.push_back(elementwise_case(rng, "add", p, 2, 1000));
  }
  {
    ElementwiseParams p;
    p.op = Op::kSub;
    p.dims = {2, 3, 4};
    p.b_dims = {1, 3, 1};
    p.eb = 3;
    p.shift = 2;
    p.out_bits = 14;
    cases.push_back(elementwise_case(rng, "sub broadcast, rescale", p, 1, 1000));
  }
  {
    ElementwiseParams p;
    p.op = Op::kMul;
    p.dims = {2, 6};
    p.a_dims = {2, 1};
    p.shift = 6;
    cases.push_back(elementwise_case(rng, "mul broadcast, rescale", p, 2, 500));
  }
  {
    ElementwiseParams p;
    p.op = Op::kMul;
    p.dims = {5};
    p.shift = -3;
    cases.push_back(elementwise_case(rng, "mul, 2^3", p, 1, 500));
  }
  {
    ElementwiseParams p;
    p.op = Op::kAffine;
    p.dims = {1, 3, 2, 2};
    p.b_dims = {1, 3, 1, 1};
    p.c_dims = p.b_dims;
    p.shift = 4;
    cases.push_back(elementwise_case(rng, "affine", p, 1, 300));
  }
  size_t total = 0;
  for (const auto& c : cases) {
    const size_t n = testing::check_proof_circuit(c);
    std::printf("elementwise %s as a circuit: %zu constraints\n", c.name.c_str(), n);
    total += n;
  }
  std::printf("elementwise verifier as a circuit: %zu constraints for %zu layers\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
