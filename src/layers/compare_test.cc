// Tests for the comparison layer (compare.h) and boolean logic / Where (logic.h), against the op
// table's integer forwards (ops/helpers.h, op_where.cc): honest proofs verify for every kind, with
// broadcasting and scale alignment, the input claims equal the operands' MLEs and the advice claims
// the advice's MLEs, proofs round-trip; a tampered proof, a wrong output claim, a cheating sign bit
// (the output flipped at one entry), an out-of-range bit and other parameters are rejected.
#include <gtest/gtest.h>

#include "layers/argmax.h"
#include "layers/compare.h"
#include "layers/gather_elements.h"
#include "layers/logic.h"
#include "layers/one_hot.h"
#include "layers/proof_circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/kernels.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;
using Kind = CompareParams::Kind;
using LKind = LogicParams::Kind;

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

ops::ITensor itensor(const std::vector<size_t>& dims, const std::vector<int64_t>& v, ops::DType dt) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), dt);
  t.data = v;
  return t;
}

// The op table's integer forward of `op` on operands of the given shapes.
std::vector<int64_t> run_op(const std::string& op, std::vector<ops::ITensor> in, const ops::QParams& qp) {
  const ops::OpDef* d = ops::OpTable::get().find(op);
  EXPECT_NE(d, nullptr) << op;
  ops::Node n;
  n.name = n.op_type = op;
  ops::IntContext c(n, qp);
  for (const auto& t : in) c.in.push_back(&t);
  d->run_int(c);
  return c.out.at(0).data;
}

const char* op_name(Kind k) {
  switch (k) {
    case Kind::kLess: return "Less";
    case Kind::kLessOrEqual: return "LessOrEqual";
    case Kind::kGreater: return "Greater";
    case Kind::kGreaterOrEqual: return "GreaterOrEqual";
    case Kind::kEqual: return "Equal";
  }
  return "";
}

Verdict verify_cmp(const CompareParams& p, const CompareProof& pr, const std::vector<Claim>& cl, ElementwiseClaims* out) {
  transcript::Transcript tv("cmp-test");
  return verify_compare(p, cl, pr, tv, out);
}

TEST(Compare, EveryKindMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims, a_dims, b_dims;
    size_t ea, eb;
  };
  const std::vector<Case> cases{{{3, 5}, {3, 5}, {3, 5}, 0, 0},   // equal shapes
                                {{4, 6}, {4, 6}, {1, 6}, 0, 3},   // b broadcast along rows, scaled
                                {{2, 3}, {1, 1}, {2, 3}, 2, 0}};  // a scalar threshold
  for (Kind kind : {Kind::kLess, Kind::kLessOrEqual, Kind::kGreater, Kind::kGreaterOrEqual, Kind::kEqual}) {
    for (const auto& cs : cases) {
      SCOPED_TRACE(std::string(op_name(kind)) + " " + std::to_string(cs.dims[0]));
      CompareParams p{kind, cs.dims, cs.a_dims, cs.b_dims, cs.ea, cs.eb, 12};
      const PaddedShape shape(p.dims), as(cs.a_dims), bs(cs.b_dims);
      auto a = testing::random_ints(rng, as.unpadded_size(), 6);  // small: ties are frequent
      auto b = testing::random_ints(rng, bs.unpadded_size(), 6 << cs.ea);
      ops::QParams qp;
      qp.ints["ea"] = static_cast<int64_t>(cs.ea);
      qp.ints["eb"] = static_cast<int64_t>(cs.eb);
      auto y = run_op(op_name(kind), {itensor(cs.a_dims, a, ops::DType::kInt), itensor(cs.b_dims, b, ops::DType::kInt)}, qp);
      CompareProver prover(p, a, b);
      ASSERT_EQ(prover.output(), y);
      auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
      transcript::Transcript tp("cmp-test");
      ElementwiseClaims pc;
      auto proof = prover.prove(claims, tp, &pc);
      ElementwiseClaims vc;
      Verdict v = verify_cmp(p, proof, claims, &vc);
      ASSERT_TRUE(v.ok()) << v.reason();
      const auto at = padded_table(as, a), bt = padded_table(bs, b);
      ASSERT_EQ(vc.a.size(), 1u);
      ASSERT_EQ(vc.b.size(), 1u);
      EXPECT_EQ(vc.a[0].value, testing::eval(at, vc.a[0].point));
      EXPECT_EQ(vc.b[0].value, testing::eval(bt, vc.b[0].point));
      for (const auto& c : vc.advice) {
        ASSERT_LT(c.advice, prover.advice().size());
        EXPECT_EQ(c.claim.value, testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point))
            << prover.advice()[c.advice].name;
      }
      const auto shapes = compare_advice_shapes(p);
      ASSERT_EQ(shapes.size(), prover.advice().size());
      for (size_t k = 0; k < shapes.size(); ++k) {
        EXPECT_EQ(shapes[k].name, prover.advice()[k].name);
        EXPECT_EQ(shapes[k].num_vars, prover.advice()[k].num_vars());
      }
      ByteWriter w;
      proof.serialize(w);
      ByteReader r(w.data());
      auto back = CompareProof::deserialize(r, p, claims.size());
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_TRUE(verify_cmp(p, back, claims, &vc).ok());
      for (size_t i = 0; i < proof.nl.evals.size(); ++i) {
        auto t = proof;
        t.nl.evals[i] += Fr::one();
        EXPECT_FALSE(verify_cmp(p, t, claims, &vc).ok()) << "eval " << i;
      }
      {
        auto t = proof;
        t.nl.sumchecks[0].rounds[0].evals[1] += Fr::one();
        EXPECT_FALSE(verify_cmp(p, t, claims, &vc).ok());
      }
      {
        auto bad = claims;
        bad[1].value += Fr::one();
        Verdict bv = verify_cmp(p, proof, bad, &vc);
        EXPECT_FALSE(bv.ok());
        EXPECT_NE(bv.reason().find("claim 1"), std::string::npos) << bv.reason();
      }
      {  // another comparison in the verifier's parameters
        CompareParams other = p;
        other.kind = kind == Kind::kLess ? Kind::kGreater : Kind::kLess;
        EXPECT_FALSE(verify_cmp(other, proof, claims, &vc).ok());
      }
      // A cheating prover: the first sign bit flipped at one entry (the output the cheater claims
      // then differs there); u from the relation is negative or the bit is wrong: rejected.
      {
        const auto sgn = (kind == Kind::kLess || kind == Kind::kGreaterOrEqual) ? -1 : 1;
        std::vector<int64_t> fb(y.size());
        const auto ia = ops::broadcast_index(ops::Shape(cs.a_dims.begin(), cs.a_dims.end()), ops::Shape(p.dims.begin(), p.dims.end()));
        const auto ib = ops::broadcast_index(ops::Shape(cs.b_dims.begin(), cs.b_dims.end()), ops::Shape(p.dims.begin(), p.dims.end()));
        for (size_t i = 0; i < y.size(); ++i) {
          const int64_t d = (a[ia[i]] << cs.ea) - (b[ib[i]] << cs.eb);
          fb[i] = sgn * d > 0 ? 1 : 0;
        }
        fb[1] = 1 - fb[1];
        CompareProver cheat(p, a, b, fb);
        EXPECT_NE(cheat.output(), y);
        auto cc = testing::true_claims(rng, padded_table(shape, cheat.output()), shape.num_vars(), 1);
        transcript::Transcript tc("cmp-test");
        ElementwiseClaims xc;
        auto cpf = cheat.prove(cc, tc, &xc);
        EXPECT_FALSE(verify_cmp(p, cpf, cc, &vc).ok());
      }
    }
  }
}

TEST(Compare, BadParametersAreRefused) {
  const std::vector<int64_t> x(6, 1);
  EXPECT_THROW(CompareProver(CompareParams{Kind::kLess, {6}, {}, {}, 0, 0, 61}, x, x), Error);
  EXPECT_THROW(CompareProver(CompareParams{Kind::kLess, {6}, {}, {}, 41, 0, 20}, x, x), Error);
  EXPECT_THROW(CompareProver(CompareParams{Kind::kLess, {6}, {}, {}, 0, 0, 1}, std::vector<int64_t>(6, 3), x), Error);
  CompareProof empty;
  transcript::Transcript t("cmp-test");
  ElementwiseClaims out;
  EXPECT_FALSE(verify_compare(CompareParams{Kind::kLess, {6}, {}, {}, 0, 0, 0}, {}, empty, t, &out).ok());
}

const char* op_name(LKind k) {
  switch (k) {
    case LKind::kNot: return "Not";
    case LKind::kAnd: return "And";
    case LKind::kOr: return "Or";
    case LKind::kXor: return "Xor";
    case LKind::kWhere: return "Where";
  }
  return "";
}

Verdict verify_lg(const LogicParams& p, const LogicProof& pr, const std::vector<Claim>& cl, LogicClaims* out) {
  transcript::Transcript tv("logic-test");
  return verify_logic(p, cl, pr, tv, out);
}

TEST(Logic, EveryKindMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (LKind kind : {LKind::kNot, LKind::kAnd, LKind::kOr, LKind::kXor, LKind::kWhere}) {
    SCOPED_TRACE(op_name(kind));
    LogicParams p;
    p.kind = kind;
    p.dims = {3, 5};
    const size_t n_in = kind == LKind::kNot ? 1 : (kind == LKind::kWhere ? 3 : 2);
    if (kind != LKind::kNot) p.in_dims[1] = {1, 5};  // broadcast along rows
    if (kind == LKind::kWhere) {
      p.in_dims[0] = {3, 5};
      p.in_dims[2] = {3, 1};
      p.ea = 2;
      p.eb = 0;
    }
    std::vector<std::vector<int64_t>> in(n_in);
    std::vector<ops::ITensor> tens;
    for (size_t i = 0; i < n_in; ++i) {
      const auto& d = p.in_dims[i].empty() ? p.dims : p.in_dims[i];
      const size_t sz = PaddedShape(d).unpadded_size();
      const bool boolean = kind != LKind::kWhere || i == 0;
      in[i] = boolean ? std::vector<int64_t>(sz) : testing::random_ints(rng, sz, 200);
      if (boolean)
        for (auto& v : in[i]) v = static_cast<int64_t>(rng.next_u64() & 1);
      tens.push_back(itensor(d, in[i], boolean ? ops::DType::kBool : ops::DType::kInt));
      tens.back().scale = (kind == LKind::kWhere && i == 1) ? 6 : (kind == LKind::kWhere && i == 2 ? 8 : 0);
    }
    ops::QParams qp;
    qp.ints["ea"] = static_cast<int64_t>(p.ea);
    qp.ints["eb"] = static_cast<int64_t>(p.eb);
    auto y = run_op(op_name(kind), tens, qp);
    std::vector<std::span<const int64_t>> spans(in.begin(), in.end());
    LogicProver prover(p, spans);
    ASSERT_EQ(prover.output(), y);
    const PaddedShape shape(p.dims);
    auto claims = testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), 2);
    transcript::Transcript tp("logic-test");
    LogicClaims pc;
    auto proof = prover.prove(claims, tp, &pc);
    LogicClaims vc;
    Verdict v = verify_lg(p, proof, claims, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    for (size_t i = 0; i < n_in; ++i) {
      const auto t = padded_table(PaddedShape(p.in_dims[i].empty() ? p.dims : p.in_dims[i]), in[i]);
      EXPECT_FALSE(vc.in[i].empty());
      for (const auto& c : vc.in[i]) EXPECT_EQ(c.value, testing::eval(t, c.point)) << "operand " << i;
    }
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = LogicProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_lg(p, back, claims, &vc).ok());
    if (kind != LKind::kNot) {
      auto t = proof;
      t.parts[0].mul[0].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify_lg(p, t, claims, &vc).ok());
    }
    // A wrong output: the honest proof of other claims passes the verifier only if the input
    // claims change; the claims it derives on the operands are then false.
    {
      auto yb = y;
      yb[2] = 1 - yb[2];
      auto cc = testing::true_claims(rng, padded_table(shape, yb), shape.num_vars(), 1);
      transcript::Transcript tc("logic-test");
      LogicProver fresh(p, spans);
      LogicClaims fc;
      auto fp = fresh.prove(cc, tc, &fc);
      LogicClaims xc;
      Verdict bv = verify_lg(p, fp, cc, &xc);
      bool all_true = bv.ok();
      for (size_t i = 0; i < n_in && all_true; ++i) {
        const auto t = padded_table(PaddedShape(p.in_dims[i].empty() ? p.dims : p.in_dims[i]), in[i]);
        for (const auto& c : xc.in[i]) all_true = all_true && c.value == testing::eval(t, c.point);
      }
      EXPECT_FALSE(all_true);
    }
  }
}

// The 0/1 check of an operand not proven boolean: honest operands pass (every kind), an operand
// holding a 2 is rejected even though the product relations hold for the value it claims.
TEST(Logic, ZeroOneCheckOfUncheckedOperands) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (LKind kind : {LKind::kNot, LKind::kAnd, LKind::kOr, LKind::kXor, LKind::kWhere}) {
    SCOPED_TRACE(op_name(kind));
    LogicParams p;
    p.kind = kind;
    p.dims = {2, 4};
    const size_t n_in = kind == LKind::kNot ? 1 : (kind == LKind::kWhere ? 3 : 2);
    p.check[0] = true;
    if (kind != LKind::kWhere && n_in > 1) p.check[1] = true;
    std::vector<std::vector<int64_t>> in(n_in, std::vector<int64_t>(8));
    for (size_t i = 0; i < n_in; ++i)
      for (auto& v : in[i]) v = (kind == LKind::kWhere && i > 0) ? static_cast<int64_t>(rng.next_u64() % 50) : static_cast<int64_t>(rng.next_u64() & 1);
    const PaddedShape shape(p.dims);
    for (bool cheat : {false, true}) {
      auto op = in;
      if (cheat) op[0][3] = 2;
      std::vector<std::span<const int64_t>> spans(op.begin(), op.end());
      LogicProver prover(p, spans, cheat);
      auto claims = testing::true_claims(rng, padded_table(shape, prover.output()), shape.num_vars(), 1);
      transcript::Transcript tp("logic-test");
      LogicClaims pc;
      auto proof = prover.prove(claims, tp, &pc);
      LogicClaims vc;
      Verdict v = verify_lg(p, proof, claims, &vc);
      if (!cheat) {
        ASSERT_TRUE(v.ok()) << v.reason();
        for (size_t i = 0; i < n_in; ++i)
          for (const auto& c : vc.in[i]) EXPECT_EQ(c.value, testing::eval(padded_table(shape, op[i]), c.point));
        ByteWriter w;
        proof.serialize(w);
        ByteReader r(w.data());
        auto back = LogicProof::deserialize(r, p, claims.size());
        EXPECT_EQ(r.remaining(), 0u);
        EXPECT_TRUE(verify_lg(p, back, claims, &vc).ok());
        LogicParams unchecked = p;
        unchecked.check[0] = false;
        EXPECT_FALSE(verify_lg(unchecked, proof, claims, &vc).ok());
      } else {
        EXPECT_FALSE(v.ok());
        EXPECT_NE(v.reason().find("0/1 check of operand 0"), std::string::npos) << v.reason();
      }
    }
  }
}

TEST(Logic, NonBooleanOperandsAreRefused) {
  const std::vector<int64_t> x{0, 1, 2};
  LogicParams p;
  p.kind = LKind::kAnd;
  p.dims = {3};
  EXPECT_THROW(LogicProver(p, {x, x}), Error);
}

Verdict verify_am(const ArgmaxParams& p, const NonlinearProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) {
  transcript::Transcript tv("argmax-test");
  return verify_argmax(p, cl, pr, tv, in, adv);
}

// ArgMax / ArgMin (argmax.h) against the op table's run_int, with ties (first and last index),
// an inner axis and a middle axis: honest proofs verify, the input claims equal x's MLE, a tampered
// evaluation or sumcheck and a wrong output claim are rejected, and a cheating prover committing
// the one-hot of another index (a non-maximal entry, or a tied entry the tie rule does not pick)
// is rejected.
TEST(Argmax, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    size_t axis;
    bool min, last;
  };
  const std::vector<Case> cases{{{3, 7}, 1, false, false}, {{4, 5}, 1, false, true}, {{2, 6, 3}, 1, true, false},
                                {{8}, 0, false, false}, {{5, 3}, 0, true, true}};
  for (const auto& cs : cases) {
    SCOPED_TRACE(std::to_string(cs.dims.size()) + " axis " + std::to_string(cs.axis) + (cs.min ? " min" : " max") +
                 (cs.last ? " last" : " first"));
    ArgmaxParams p{cs.dims, cs.axis, cs.min, cs.last, 6};
    const PaddedShape xs(p.dims), rs(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), 3);  // small: ties are frequent
    ops::QParams qp;
    ops::Node n;
    n.name = n.op_type = cs.min ? "ArgMin" : "ArgMax";
    n.attrs.ints["axis"] = static_cast<int64_t>(cs.axis);
    n.attrs.ints["select_last_index"] = cs.last;
    ops::IntContext c(n, qp);
    ops::ITensor t = itensor(cs.dims, x, ops::DType::kInt);
    c.in = {&t};
    ops::OpTable::get().find(n.op_type)->run_int(c);
    const auto y = c.out.at(0).data;
    ArgmaxProver prover(p, x);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(rs, y), rs.num_vars(), 2);
    transcript::Transcript tp("argmax-test");
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    Verdict v = verify_am(p, proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(xs, x);
    ASSERT_EQ(in.size(), p.dims[p.axis]);
    for (const auto& cl : in) EXPECT_EQ(cl.value, testing::eval(xt, cl.point));
    for (const auto& a : adv)
      EXPECT_EQ(a.claim.value, testing::eval(fr_vec(prover.advice()[a.advice].values), a.claim.point));
    const auto shapes = argmax_advice_shapes(p);
    ASSERT_EQ(shapes.size(), prover.advice().size());
    for (size_t k = 0; k < shapes.size(); ++k) EXPECT_EQ(shapes[k].num_vars, prover.advice()[k].num_vars());
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, argmax_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_am(p, back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.evals.size(); i += 3) {
      auto tt = proof;
      tt.evals[i] += Fr::one();
      EXPECT_FALSE(verify_am(p, tt, claims, &in, &adv).ok()) << "eval " << i;
    }
    if (!proof.sumchecks[0].rounds.empty()) {
      auto tt = proof;
      tt.sumchecks[0].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify_am(p, tt, claims, &in, &adv).ok());
    }
    {
      auto bad = claims;
      bad[0].value += Fr::one();
      EXPECT_FALSE(verify_am(p, proof, bad, &in, &adv).ok());
    }
    {  // the other tie rule in the verifier's parameters: rejected unless no row has a tie
      ArgmaxParams other = p;
      other.last = !p.last;
      ArgmaxProver op(other, x);
      if (op.output() != y) EXPECT_FALSE(verify_am(other, proof, claims, &in, &adv).ok());
    }
    // Cheating provers: every other index of row 0 (the output changes there).
    const size_t L = p.dims[p.axis];
    for (size_t k = 0; k < L; ++k) {
      if (static_cast<int64_t>(k) == y[0]) continue;
      auto forced = y;
      forced[0] = static_cast<int64_t>(k);
      ArgmaxProver cheat(p, x, forced);
      auto cc = testing::true_claims(rng, padded_table(rs, cheat.output()), rs.num_vars(), 1);
      transcript::Transcript tc("argmax-test");
      auto cpf = cheat.prove(cc, tc, &pin, &padv);
      EXPECT_FALSE(verify_am(p, cpf, cc, &in, &adv).ok()) << "index " << k;
    }
  }
}

// GatherElements (gather_elements.h) against the op table's run_int: honest proofs verify, the
// claims on x and on the indices equal their MLEs, a tampered evaluation or sumcheck and a wrong
// output claim are rejected, and a cheating prover committing the one-hot of another index (so
// its output is x at that index) is rejected.
TEST(GatherElements, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    size_t axis, count;
    std::vector<size_t> sub;
  };
  const std::vector<Case> cases{{{3, 4}, 1, 7, {}}, {{5, 3}, 0, 2, {}}, {{2, 3, 4}, 1, 5, {}},
                                {{2, 5, 6}, 1, 3, {2, 3, 2}}};  // EZKL's gather_elements: a leading block
  for (const auto& cs : cases) {
    SCOPED_TRACE(std::to_string(cs.dims.size()) + " axis " + std::to_string(cs.axis));
    GatherElementsParams p{cs.dims, cs.axis, cs.count, cs.sub};
    const PaddedShape xs(p.dims), ys(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), 1000);
    std::vector<int64_t> idx(ys.unpadded_size());
    const int64_t D = static_cast<int64_t>(p.dims[p.axis]);
    for (auto& v : idx) v = static_cast<int64_t>(rng.next_u64() % (2 * p.dims[p.axis])) - D;  // [-D, D)
    idx[0] = -1;  // a negative index in every case
    ops::Node n;
    n.name = n.op_type = "GatherElements";
    n.attrs.ints["axis"] = static_cast<int64_t>(cs.axis);
    ops::QParams qp;
    ops::IntContext c(n, qp);
    ops::ITensor tx = itensor(cs.dims, x, ops::DType::kInt), ti = itensor(p.out_dims(), idx, ops::DType::kInt);
    c.in = {&tx, &ti};
    ops::OpTable::get().find("GatherElements")->run_int(c);
    const auto y = c.out.at(0).data;
    GatherElementsProver prover(p, x, idx);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 1);
    auto verify = [&](const NonlinearProof& pr, const std::vector<Claim>& cl, GatherElementsClaims* out) {
      transcript::Transcript tv("ge-test");
      return verify_gather_elements(p, cl, pr, tv, out);
    };
    transcript::Transcript tp("ge-test");
    GatherElementsClaims pc, vc;
    auto proof = prover.prove(claims, tp, &pc);
    Verdict v = verify(proof, claims, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto xt = padded_table(xs, x), it = padded_table(ys, idx);
    ASSERT_EQ(vc.x.size(), p.dims[p.axis]);
    for (const auto& cl : vc.x) EXPECT_EQ(cl.value, testing::eval(xt, cl.point));
    ASSERT_EQ(vc.idx.size(), 1u);
    EXPECT_EQ(vc.idx[0].value, testing::eval(it, vc.idx[0].point));
    for (const auto& a : vc.advice)
      EXPECT_EQ(a.claim.value, testing::eval(fr_vec(prover.advice()[a.advice].values), a.claim.point));
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, gather_elements_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &vc).ok());
    for (size_t i = 0; i < proof.evals.size(); ++i) {
      auto tt = proof;
      tt.evals[i] += Fr::one();
      EXPECT_FALSE(verify(tt, claims, &vc).ok()) << "eval " << i;
    }
    {
      auto tt = proof;
      tt.sumchecks[0].rounds.at(0).evals[0] += Fr::one();
      EXPECT_FALSE(verify(tt, claims, &vc).ok());
    }
    {
      auto bad = claims;
      bad[0].value += Fr::one();
      EXPECT_FALSE(verify(proof, bad, &vc).ok());
    }
    // A cheating prover: the one-hot of another index at entry 1 (its output is x there); the
    // proof verifies only with a claim on the indices that is false.
    {
      auto forced = idx;
      forced[1] = (forced[1] + 1) % static_cast<int64_t>(p.dims[p.axis]);
      GatherElementsProver cheat(p, x, idx, forced);
      EXPECT_NE(cheat.output(), y);
      auto cc = testing::true_claims(rng, padded_table(ys, cheat.output()), ys.num_vars(), 1);
      transcript::Transcript tc("ge-test");
      GatherElementsClaims xc, wc;
      auto cpf = cheat.prove(cc, tc, &xc);
      Verdict cv = verify(cpf, cc, &wc);
      const bool idx_true = cv.ok() && wc.idx.size() == 1 && wc.idx[0].value == testing::eval(it, wc.idx[0].point);
      EXPECT_FALSE(idx_true);
    }
    // A cheating prover flipping the negative bit of entry 0 (index -1 read as D - 1: the same
    // entry of x, so the same output): the claim on the indices is false.
    {
      auto forced = idx;
      forced[0] = D - 1;
      GatherElementsProver cheat(p, x, idx, forced);
      EXPECT_EQ(cheat.output(), y);
      transcript::Transcript tc("ge-test");
      GatherElementsClaims xc, wc;
      auto cpf = cheat.prove(claims, tc, &xc);
      Verdict cv = verify(cpf, claims, &wc);
      ASSERT_TRUE(cv.ok()) << cv.reason();
      EXPECT_NE(wc.idx.at(0).value, testing::eval(it, wc.idx[0].point));
    }
  }
}

// OneHot (one_hot.h) against the op table's run_int: honest proofs verify, the claim on the
// indices equals their MLE, tampered evaluations and a wrong output claim are rejected, and a
// cheating one-hot (another index) leaves a false claim on the indices.
TEST(OneHot, MatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> idims;
    size_t axis, depth;
    int64_t off, on;
  };
  // Depths above 256 (300, 1000): the rows' checks by a sumcheck over the axis (one_hot.h).
  const std::vector<Case> cases{{{3, 2}, 1, 4, 0, 1},    {{5}, 1, 3, -128, 512}, {{2, 3}, 0, 5, 7, -2},
                                {{3, 2}, 1, 300, 0, 1}, {{4}, 0, 1000, -3, 5}};
  for (const auto& cs : cases) {
    SCOPED_TRACE(std::to_string(cs.depth));
    OneHotParams p{cs.idims, cs.axis, cs.depth, cs.off, cs.on};
    const PaddedShape is(p.idx_dims), ys(p.out_dims());
    std::vector<int64_t> idx(is.unpadded_size());
    for (auto& v : idx) v = static_cast<int64_t>(rng.next_u64() % (2 * cs.depth)) - static_cast<int64_t>(cs.depth);  // [-D, D)
    idx[0] = -1;  // a negative index (ONNX: counts from D) in every case
    ops::Node n;
    n.name = n.op_type = "OneHot";
    n.attrs.ints["axis"] = static_cast<int64_t>(cs.axis);
    ops::QParams qp;
    ops::IntContext c(n, qp);
    ops::ITensor ti = itensor(cs.idims, idx, ops::DType::kInt), td = itensor({1}, {static_cast<int64_t>(cs.depth)}, ops::DType::kInt),
                 tv = itensor({2}, {cs.off, cs.on}, ops::DType::kInt);
    c.in = {&ti, &td, &tv};
    ops::OpTable::get().find("OneHot")->run_int(c);
    const auto y = c.out.at(0).data;
    OneHotProver prover(p, idx);
    ASSERT_EQ(prover.output(), y);
    auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 2);
    auto verify = [&](const NonlinearProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* in, std::vector<AdviceClaim>* adv) {
      transcript::Transcript tv2("oh-test");
      return verify_one_hot(p, cl, pr, tv2, in, adv);
    };
    transcript::Transcript tp("oh-test");
    std::vector<Claim> pin, in;
    std::vector<AdviceClaim> padv, adv;
    auto proof = prover.prove(claims, tp, &pin, &padv);
    Verdict v = verify(proof, claims, &in, &adv);
    ASSERT_TRUE(v.ok()) << v.reason();
    const auto it = padded_table(is, idx);
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0].value, testing::eval(it, in[0].point));
    for (const auto& a : adv)
      EXPECT_EQ(a.claim.value, testing::eval(fr_vec(prover.advice()[a.advice].values), a.claim.point));
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = deserialize_proof(r, one_hot_proof_layout(p, claims.size()));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &in, &adv).ok());
    for (size_t i = 0; i < proof.evals.size(); ++i) {
      auto tt = proof;
      tt.evals[i] += Fr::one();
      EXPECT_FALSE(verify(tt, claims, &in, &adv).ok()) << "eval " << i;
    }
    {
      auto bad = claims;
      bad[1].value += Fr::one();
      EXPECT_FALSE(verify(proof, bad, &in, &adv).ok());
    }
    EXPECT_EQ(proof.sumchecks.size(), cs.depth > 256 ? 1u : 0u);
    for (size_t s = 0; s < proof.sumchecks.size(); ++s)
      for (size_t i = 0; i < proof.sumchecks[s].rounds.size(); ++i) {
        auto tt = proof;
        tt.sumchecks[s].rounds[i].evals[0] += Fr::one();
        EXPECT_FALSE(verify(tt, claims, &in, &adv).ok()) << "sumcheck round " << i;
      }
    {
      auto forced = idx;
      forced[0] = (forced[0] + 1) % static_cast<int64_t>(cs.depth);
      OneHotProver cheat(p, idx, forced);
      EXPECT_NE(cheat.output(), y);
      auto cc = testing::true_claims(rng, padded_table(ys, cheat.output()), ys.num_vars(), 1);
      transcript::Transcript tc("oh-test");
      auto cpf = cheat.prove(cc, tc, &pin, &padv);
      std::vector<Claim> xin;
      Verdict cv = verify(cpf, cc, &xin, &adv);
      EXPECT_FALSE(cv.ok() && xin.size() == 1 && xin[0].value == testing::eval(it, xin[0].point));
    }
  }
}

// The comparison, logic and GatherElements verifiers as circuits (verify_compare_as,
// verify_logic_as, verify_gather_elements_as over snark::CFr; docs/protocol/wrap.md section 3):
// honest satisfied with the native claims, each changed message (sign-bit digit, LogUp, zero-check,
// difference, product, 0/1 check, one-hot) not.
template <class Flat, class Claims>
void flatten_three(Flat* flat, const Claims& c) {
  testing::flatten_into(*flat, c.a);
  testing::flatten_into(*flat, c.b);
  testing::flatten_into(*flat, c.advice);
}

testing::ProofCircuitCase compare_case(TestRng& rng, std::string name, const CompareParams& p, size_t nclaims) {
  const PaddedShape ys(p.dims), as(p.a_dims.empty() ? p.dims : p.a_dims), bs(p.b_dims.empty() ? p.dims : p.b_dims);
  const int64_t bound = int64_t{1} << (p.bits - 2 - std::max(p.ea, p.eb));
  auto a = testing::random_ints(rng, as.unpadded_size(), bound), b = testing::random_ints(rng, bs.unpadded_size(), bound);
  if (!a.empty() && !b.empty() && as.unpadded_size() == bs.unpadded_size() && p.ea == p.eb) a[0] = b[0];  // an equal pair
  const auto y = CompareProver(p, a, b).output();
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, a, b, claims](transcript::Transcript& tr) {
        CompareProver prover(p, a, b);
        ElementwiseClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = CompareProofT<F>::deserialize(r, p, cl.size());
        ElementwiseClaimsT<F> out;
        const Verdict v = verify_compare_as<F>(p, cl, proof, tr, &out);
        if (v.ok()) flatten_three(flat, out);
        return v;
      });
}

testing::ProofCircuitCase logic_case(TestRng& rng, std::string name, const LogicParams& p, size_t nclaims) {
  const size_t arity = p.kind == LKind::kNot ? 1 : (p.kind == LKind::kWhere ? 3 : 2);
  std::vector<std::vector<int64_t>> ops;
  for (size_t i = 0; i < arity; ++i) {
    const PaddedShape s(p.in_dims[i].empty() ? p.dims : p.in_dims[i]);
    const bool boolean = p.kind != LKind::kWhere || i == 0;
    ops.push_back(testing::random_ints(rng, s.unpadded_size(), 1000));
    if (boolean)
      for (auto& v : ops.back()) v = static_cast<int64_t>(rng.next_u64() % 2);
  }
  auto spans = [](const std::vector<std::vector<int64_t>>& o) {
    std::vector<std::span<const int64_t>> sp;
    for (const auto& v : o) sp.emplace_back(v);
    return sp;
  };
  const auto y = LogicProver(p, spans(ops)).output();
  const PaddedShape ys(p.dims);
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, ops, claims, spans](transcript::Transcript& tr) {
        LogicProver prover(p, spans(ops));
        LogicClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = LogicProofT<F>::deserialize(r, p, cl.size());
        LogicClaimsT<F> out;
        const Verdict v = verify_logic_as<F>(p, cl, proof, tr, &out);
        if (v.ok())
          for (const auto& in : out.in) testing::flatten_into(*flat, in);
        return v;
      });
}

testing::ProofCircuitCase gather_elements_case(TestRng& rng, std::string name, const GatherElementsParams& p, size_t nclaims) {
  const PaddedShape xs(p.dims), ys(p.out_dims());
  auto x = testing::random_ints(rng, xs.unpadded_size(), 1000);
  std::vector<int64_t> idx(ys.unpadded_size());
  const int64_t D = static_cast<int64_t>(p.dims[p.axis]);
  for (auto& v : idx) v = static_cast<int64_t>(rng.next_u64() % (2 * p.dims[p.axis])) - D;  // [-D, D)
  const auto y = GatherElementsProver(p, x, idx).output();
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), nclaims);
  return testing::proof_case(
      std::move(name), claims,
      [p, x, idx, claims](transcript::Transcript& tr) {
        GatherElementsProver prover(p, x, idx);
        GatherElementsClaims out;
        ByteWriter w;
        prover.prove(claims, tr, &out).serialize(w);
        return w.data();
      },
      [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
        using F = testing::claims_field_t<decltype(cl)>;
        const auto proof = deserialize_proof<F>(r, gather_elements_proof_layout(p, cl.size()));
        GatherElementsClaimsT<F> out;
        const Verdict v = verify_gather_elements_as<F>(p, cl, proof, tr, &out);
        if (v.ok()) {
          testing::flatten_into(*flat, out.x);
          testing::flatten_into(*flat, out.idx);
          testing::flatten_into(*flat, out.advice);
        }
        return v;
      });
}

TEST(Compare, VerifiersAsCircuits) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<testing::ProofCircuitCase> cases;
  cases.push_back(compare_case(rng, "less", CompareParams{Kind::kLess, {3, 5}, {}, {}, 0, 0, 14}, 2));
  cases.push_back(compare_case(rng, "equal, broadcast, aligned", CompareParams{Kind::kEqual, {2, 4}, {}, {1, 4}, 2, 0, 16}, 1));
  cases.push_back(compare_case(rng, "greater or equal", CompareParams{Kind::kGreaterOrEqual, {6}, {}, {}, 0, 1, 12}, 1));
  {
    LogicParams p;
    p.kind = LKind::kNot;
    p.dims = {5};
    p.check[0] = true;
    cases.push_back(logic_case(rng, "not, checked", p, 2));
  }
  {
    LogicParams p;
    p.kind = LKind::kAnd;
    p.dims = {2, 3};
    p.in_dims[1] = {1, 3};
    cases.push_back(logic_case(rng, "and, broadcast", p, 1));
  }
  {
    LogicParams p;
    p.kind = LKind::kXor;
    p.dims = {7};
    p.check[0] = p.check[1] = true;
    cases.push_back(logic_case(rng, "xor, checked", p, 1));
  }
  {
    LogicParams p;
    p.kind = LKind::kOr;
    p.dims = {4};
    cases.push_back(logic_case(rng, "or", p, 1));
  }
  {
    LogicParams p;
    p.kind = LKind::kWhere;
    p.dims = {2, 3};
    p.in_dims[2] = {1, 3};
    p.ea = 1;
    p.check[0] = true;
    cases.push_back(logic_case(rng, "where", p, 1));
  }
  cases.push_back(gather_elements_case(rng, "gather elements", GatherElementsParams{{3, 4}, 1, 5, {}}, 1));
  cases.push_back(gather_elements_case(rng, "gather elements, block", GatherElementsParams{{2, 5, 6}, 1, 3, {2, 3, 2}}, 2));
  size_t total = 0;
  for (const auto& c : cases) {
    const size_t n = testing::check_proof_circuit(c);
    std::printf("%s as a circuit: %zu constraints\n", c.name.c_str(), n);
    total += n;
  }
  std::printf("compare/logic/gather elements verifiers as circuits: %zu constraints for %zu layers\n", total, cases.size());
}

}  // namespace
}  // namespace zkinfer::layers
