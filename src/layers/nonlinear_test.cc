// Tests for the non-linear layer protocols (rescale.h, activation.h): random integer tensors run
// through the REAL integer forwards (ops::rescale_round, the op table's Relu / Sigmoid / Tanh
// run_int); honest proofs verify, input claims equal the input's MLE, advice claims equal the
// advice's MLEs, proofs round-trip through their fixed layout; cheating witnesses (out-of-range
// remainders, wrong outputs, wrong clamps), wrong claims and tampered proof fields are rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "layers/activation.h"
#include "layers/argmax.h"
#include "layers/bound.h"
#include "layers/clip.h"
#include "layers/leaky_relu.h"
#include "layers/one_hot.h"
#include "layers/prelu.h"
#include "layers/nl_circuit_test_util.h"
#include "layers/rescale.h"
#include "layers/test_util.h"
#include "ops/int_math.h"
#include "ops/op.h"
#include "test_seed.h"
#include "zk/session.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

using VerifyFn = std::function<Verdict(std::span<const Claim>, const NonlinearProof&, transcript::Transcript&,
                                       std::vector<Claim>*, std::vector<AdviceClaim>*)>;

struct ProveRun {
  NonlinearProof proof;
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  std::vector<LayerAdvice> advice;
};

template <class Prover>
ProveRun prove_with(Prover& p, const std::vector<Claim>& claims) {
  transcript::Transcript tr("nonlinear-test");
  ProveRun r;
  r.advice = p.advice();
  r.proof = p.prove(claims, tr, &r.in, &r.adv);
  return r;
}

Verdict verify_with(const VerifyFn& vf, const std::vector<Claim>& claims, const NonlinearProof& p,
                    std::vector<Claim>* in = nullptr, std::vector<AdviceClaim>* adv = nullptr) {
  transcript::Transcript tr("nonlinear-test");
  std::vector<Claim> i2;
  std::vector<AdviceClaim> a2;
  return vf(claims, p, tr, in ? in : &i2, adv ? adv : &a2);
}

std::vector<Fr> fr_vec(const std::vector<int64_t>& v) {
  std::vector<Fr> o(v.size());
  for (size_t i = 0; i < v.size(); ++i) o[i] = Fr::from_i64(v[i]);
  return o;
}

// Honest run: accepted; claims true; layout round trip; every tampered field rejected.
void expect_honest(const ProveRun& r, const std::vector<Claim>& claims, const PaddedShape& shape,
                   const std::vector<int64_t>& x, const VerifyFn& vf, const ProofLayout& layout,
                   const std::vector<AdviceShape>& shapes) {
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  Verdict v = verify_with(vf, claims, r.proof, &in, &adv);
  ASSERT_TRUE(v.ok()) << v.reason();
  ASSERT_EQ(in.size(), claims.size());
  const auto xt = padded_table(shape, x);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(in[i].point, r.in[i].point);
    EXPECT_EQ(in[i].value, r.in[i].value);
    EXPECT_EQ(in[i].value, testing::eval(xt, in[i].point)) << "input claim " << i;
  }
  ASSERT_EQ(adv.size(), r.adv.size());
  ASSERT_EQ(shapes.size(), r.advice.size());
  for (size_t a = 0; a < shapes.size(); ++a) {
    EXPECT_EQ(shapes[a].name, r.advice[a].name);
    EXPECT_EQ(shapes[a].num_vars, r.advice[a].num_vars()) << shapes[a].name;
  }
  for (size_t i = 0; i < adv.size(); ++i) {
    ASSERT_LT(adv[i].advice, r.advice.size());
    EXPECT_EQ(adv[i].advice, r.adv[i].advice);
    EXPECT_EQ(adv[i].claim.point, r.adv[i].claim.point);
    EXPECT_EQ(adv[i].claim.value, testing::eval(fr_vec(r.advice[adv[i].advice].values), adv[i].claim.point))
        << "advice claim " << i << " on " << r.advice[adv[i].advice].name;
  }
  // Fixed layout round trip.
  ByteWriter w;
  r.proof.serialize(w);
  ByteReader rd(w.data());
  NonlinearProof back = deserialize_proof(rd, layout);
  EXPECT_EQ(rd.remaining(), 0u);
  ByteWriter w2;
  back.serialize(w2);
  EXPECT_EQ(w.data(), w2.data());
  // Tampering: every evaluation, every LogUp root and first step, every sumcheck round.
  for (size_t i = 0; i < r.proof.evals.size(); ++i) {
    NonlinearProof t = r.proof;
    t.evals[i] += Fr::one();
    Verdict tv = verify_with(vf, claims, t);
    EXPECT_FALSE(tv.ok()) << "eval " << i;
    EXPECT_FALSE(tv.reason().empty());
  }
  if (!r.proof.lookups.empty()) {
    NonlinearProof t = r.proof;
    t.lookups.gkr.root_denominator += Fr::one();
    EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "lookup root";
    for (size_t j = 0; j < r.proof.lookups.segment_evals.size(); ++j) {
      t = r.proof;
      t.lookups.segment_evals[j] += Fr::one();
      EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "lookup segment value " << j;
    }
    for (size_t j = 0; j < r.proof.lookups.multiplicity_evals.size(); ++j) {
      t = r.proof;
      t.lookups.multiplicity_evals[j] += Fr::one();
      EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "lookup multiplicity value " << j;
    }
  }
  for (size_t i = 0; i < r.proof.multiplicities.size(); ++i) {
    NonlinearProof t = r.proof;
    t.multiplicities[i][0] += Fr::one();
    EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "multiplicities " << i;
  }
  for (size_t i = 0; i < r.proof.sumchecks.size(); ++i) {
    for (size_t k = 0; k < r.proof.sumchecks[i].rounds.size(); ++k) {
      NonlinearProof t = r.proof;
      t.sumchecks[i].rounds[k].evals[1] += Fr::one();
      EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "sumcheck " << i << " round " << k;
    }
    for (size_t k = 0; k < r.proof.sumchecks[i].final_evals.size(); ++k) {
      NonlinearProof t = r.proof;
      t.sumchecks[i].final_evals[k] += Fr::one();
      EXPECT_FALSE(verify_with(vf, claims, t).ok()) << "sumcheck " << i << " final " << k;
    }
  }
  // Missing and extra parts.
  {
    NonlinearProof t = r.proof;
    t.evals.pop_back();
    EXPECT_FALSE(verify_with(vf, claims, t).ok());
    t = r.proof;
    t.evals.push_back(Fr::zero());
    EXPECT_FALSE(verify_with(vf, claims, t).ok());
  }
}

std::vector<Claim> claims_on(TestRng& rng, const PaddedShape& shape, const std::vector<int64_t>& y, size_t count) {
  return testing::true_claims(rng, padded_table(shape, y), shape.num_vars(), count);
}

// ---------------- rescale ----------------

TEST(DigitPlan, WidthFollowsTheWitnessSizeAndCoversTheBits) {
  for (size_t n = 0; n <= 24; ++n)
    for (size_t bits = 1; bits <= kMaxRangeBits; ++bits) {
      const DigitPlan p = DigitPlan::make(bits, n);
      ASSERT_GE(p.digit_bits, 1u);
      ASSERT_LE(p.digit_bits, kDigitBits);
      ASSERT_GE(p.top_bits, 1u);
      ASSERT_LE(p.top_bits, p.digit_bits);
      ASSERT_EQ(p.num_low * p.digit_bits + p.top_bits, bits) << "n=" << n << " bits=" << bits;
      ASSERT_GE(size_t{1} << p.low_vars, p.num_low);
      ASSERT_EQ(range_eval_count(n, bits), p.num_low + 1);
      // Deterministic: the verifier derives the same plan.
      ASSERT_EQ(DigitPlan::make(bits, n).digit_bits, p.digit_bits);
    }
  // Small tensors get small tables; large ones keep wide digits.
  EXPECT_LE(DigitPlan::make(16, 6).digit_bits, 8u);
  EXPECT_EQ(DigitPlan::make(16, 16).digit_bits, 16u);
  EXPECT_EQ(DigitPlan::make(32, 20).digit_bits, 16u);
  EXPECT_EQ(DigitPlan::make(3, 10).digit_bits, 3u);  // one digit, table of 8
  ProofLayout l;
  append_range_layout(l, 6, 16);
  const DigitPlan p = DigitPlan::make(16, 6);
  ASSERT_EQ(l.lookups.size(), 2u);
  EXPECT_EQ(l.lookups[0].k, p.digit_bits);
  EXPECT_EQ(l.lookups[0].n, 6 + p.low_vars);
  EXPECT_EQ(l.lookups[1].k, p.top_bits);
}

TEST(Rescale, HonestProofsVerifyAndClaimsAreTrue) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    size_t shift, out_bits, claims;
  };
  for (const Case& c : std::vector<Case>{{{3, 5}, 1, 0, 1},
                                         {{2, 3, 7}, 8, 24, 2},
                                         {{16}, 16, 0, 1},
                                         {{5, 6}, 17, 24, 1},
                                         {{1, 9}, 33, 20, 3}}) {
    SCOPED_TRACE("shift=" + std::to_string(c.shift));
    const PaddedShape shape(c.dims);
    const int64_t bound = int64_t{1} << std::min<size_t>(c.shift + 18, 50);
    auto x = testing::random_ints(rng, shape.unpadded_size(), bound);
    RescaleParams p{c.dims, c.shift, c.out_bits};
    RescaleProver prover(p, x);
    // The executor's primitive.
    std::vector<int64_t> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      int64_t rem;
      y[i] = ops::rescale_round(x[i], static_cast<int>(c.shift), &rem);
    }
    ASSERT_EQ(prover.output(), y);
    auto claims = claims_on(rng, shape, y, c.claims);
    ProveRun r = prove_with(prover, claims);
    VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
      return verify_rescale(p, cl, pr, tr, in, adv);
    };
    expect_honest(r, claims, shape, x, vf, rescale_proof_layout(p, c.claims), rescale_advice_shapes(p));
  }
}

TEST(Rescale, CheatingWitnessesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t shift : {4, 20}) {
    const std::vector<size_t> dims{4, 6};
    const PaddedShape shape(dims);
    auto x = testing::random_ints(rng, 24, 1 << 26);
    RescaleParams p{dims, shift, 30};
    VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
      return verify_rescale(p, cl, pr, tr, in, adv);
    };
    RescaleProver honest(p, x);
    for (int64_t delta : {-1, 1}) {
      // y off by one somewhere: the remainder leaves [0, 2^k) and the range check fails.
      std::vector<int64_t> y = honest.output();
      y[7] += delta;
      RescaleProver cheat(p, x, y);
      auto claims = claims_on(rng, shape, y, 1);
      ProveRun r = prove_with(cheat, claims);
      Verdict v = verify_with(vf, claims, r.proof);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("rescale.rem"), std::string::npos) << v.reason();
    }
    // A claim on a wrong output with the honest witness: the y range digits disagree.
    std::vector<int64_t> y = honest.output();
    y[3] += 1;
    auto claims = claims_on(rng, shape, y, 1);
    RescaleProver again(p, x);
    ProveRun r = prove_with(again, claims);
    Verdict v = verify_with(vf, claims, r.proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("output claim"), std::string::npos) << v.reason();
  }
  // Without the y range check, a wrong claim passes to a wrong input claim (caught upstream).
  const std::vector<size_t> dims{8};
  auto x = testing::random_ints(rng, 8, 1 << 20);
  RescaleParams p{dims, 6, 0};
  RescaleProver pr(p, x);
  auto y = pr.output();
  y[0] += 1;
  auto claims = claims_on(rng, PaddedShape(dims), y, 1);
  ProveRun r = prove_with(pr, claims);
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  transcript::Transcript tr("nonlinear-test");
  ASSERT_TRUE(verify_rescale(p, claims, r.proof, tr, &in, &adv).ok());
  EXPECT_NE(in[0].value, testing::eval(padded_table(PaddedShape(dims), x), in[0].point));
}

TEST(Rescale, BadParametersAreRejected) {
  NonlinearProof empty;
  transcript::Transcript tr("nonlinear-test");
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  EXPECT_FALSE(verify_rescale({{0}, 4, 0}, {}, empty, tr, &in, &adv).ok());
  EXPECT_FALSE(verify_rescale({{4}, 0, 0}, {}, empty, tr, &in, &adv).ok());
  EXPECT_FALSE(verify_rescale({{4}, 70, 0}, {}, empty, tr, &in, &adv).ok());
  std::vector<Claim> bad{{{Fr::one()}, Fr::zero()}};
  EXPECT_FALSE(verify_rescale({{4}, 4, 0}, bad, empty, tr, &in, &adv).ok());
}

// The rescale verifier as a circuit (verify_rescale_as<snark::CFr>; docs/protocol/wrap.md section
// 3): standalone (the layer's own LogUp batch) and under one model-wide batch verified as a circuit
// too (nl_circuit_test_util.h).
testing::NlCircuitCase rescale_case(TestRng& rng, const std::vector<size_t>& dims, size_t shift, size_t out_bits, size_t claims) {
  const RescaleParams p{dims, shift, out_bits};
  const PaddedShape shape(dims);
  const size_t y_bits = out_bits > 0 ? out_bits - 1 : 12;  // |y| < 2^out_bits when it is range-checked
  auto x = testing::random_ints(rng, shape.unpadded_size(), int64_t{1} << std::min<size_t>(shift + y_bits, 40));
  const std::vector<int64_t> y = RescaleProver(p, x).output();
  return testing::nl_case(
      "rescale " + std::to_string(shift) + "/" + std::to_string(out_bits), claims_on(rng, shape, y, claims),
      rescale_proof_layout(p, claims), [p, x] { return std::make_unique<RescaleProver>(p, x); },
      [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) { return verify_rescale_as(p, cl, pr, tr, in, adv); });
}

TEST(Rescale, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<testing::NlCircuitCase> cases;
  cases.push_back(rescale_case(rng, {3, 5}, 4, 0, 1));
  cases.push_back(rescale_case(rng, {2, 3, 3}, 8, 12, 2));
  cases.push_back(rescale_case(rng, {8}, 20, 10, 1));
  size_t standalone = 0;
  for (const auto& c : cases) standalone += testing::check_standalone(c);
  const size_t batched = testing::check_batched(cases);
  std::printf("rescale verifier as a circuit: %zu constraints standalone (%zu layers), %zu under one batch\n", standalone,
              cases.size(), batched);
}

// ---------------- ReLU ----------------

std::vector<int64_t> run_op(const std::string& op, const ops::QParams& qp, const std::vector<size_t>& dims,
                            const std::vector<int64_t>& x, int scale) {
  const ops::OpDef* d = ops::OpTable::get().find(op);
  EXPECT_NE(d, nullptr);
  ops::Node n;
  n.name = op;
  n.op_type = op;
  ops::Shape s(dims.begin(), dims.end());
  ops::ITensor t(s, ops::DType::kFloat);
  t.data = x;
  t.scale = scale;
  ops::IntContext c(n, qp);
  c.in = {&t};
  d->run_int(c);
  return c.out.at(0).data;
}

TEST(Relu, HonestProofsVerifyAgainstTheExecutorsRelu) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    size_t shift, claims;
  };
  for (const Case& c : std::vector<Case>{{{2, 3, 5}, 0, 1}, {{4, 4}, 8, 2}, {{1, 3, 3, 3}, 15, 1}, {{7}, 20, 1}}) {
    SCOPED_TRACE("shift=" + std::to_string(c.shift));
    const PaddedShape shape(c.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), int64_t{1} << (20 + c.shift));
    // The executor: rescale (the producer's out.rem), then the Relu op's integer forward.
    std::vector<int64_t> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      int64_t rem;
      y[i] = ops::rescale_round(x[i], static_cast<int>(c.shift), &rem);
    }
    auto out = run_op("Relu", ops::QParams{}, c.dims, y, 8);
    ReluParams p{c.dims, c.shift, 24};
    ReluProver prover(p, x);
    ASSERT_EQ(prover.output(), out);
    auto claims = claims_on(rng, shape, out, c.claims);
    ProveRun r = prove_with(prover, claims);
    VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
      return verify_relu(p, cl, pr, tr, in, adv);
    };
    expect_honest(r, claims, shape, x, vf, relu_proof_layout(p, c.claims), relu_advice_shapes(p));
  }
}

TEST(Relu, CheatingWitnessesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims{3, 5};
  const PaddedShape shape(dims);
  auto x = testing::random_ints(rng, 15, 1 << 18);
  x[4] = -(5 << 8);  // y = -5 after the rescale by 2^8
  ReluParams p{dims, 8, 24};
  VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
    return verify_relu(p, cl, pr, tr, in, adv);
  };
  ReluProver honest(p, x);
  {
    // out = 2 for y = -5 (neg = 7): out . neg != 0.
    auto out = honest.output();
    out[4] = 2;
    ReluProver cheat(p, x, out);
    auto claims = claims_on(rng, shape, out, 1);
    Verdict v = verify_with(vf, claims, prove_with(cheat, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("zero-check"), std::string::npos) << v.reason();
  }
  {
    // out = -5 (= y, neg = 0): out leaves [0, 2^bits).
    auto out = honest.output();
    out[4] = -5;
    ReluProver cheat(p, x, out);
    auto claims = claims_on(rng, shape, out, 1);
    Verdict v = verify_with(vf, claims, prove_with(cheat, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("relu.out"), std::string::npos) << v.reason();
  }
  {
    // A claim on a wrong output, honest witness.
    auto out = honest.output();
    out[0] += 1;
    auto claims = claims_on(rng, shape, out, 1);
    ReluProver pr(p, x);
    Verdict v = verify_with(vf, claims, prove_with(pr, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("output != its digits"), std::string::npos) << v.reason();
  }
}

// ---------------- table activations ----------------

// A table as the planner builds it: domain [lo, lo + n) at scale t, outputs at scale so.
ops::Table make_table(const std::string& fn, double (*f)(double), int64_t lo, size_t n, int t, int so) {
  ops::Table tb;
  tb.fn = fn;
  tb.lo = lo;
  tb.in_scale = t;
  tb.out_scale = so;
  for (size_t i = 0; i < n; ++i)
    tb.values.push_back(static_cast<int64_t>(
        std::floor(f(std::ldexp(static_cast<double>(lo + static_cast<int64_t>(i)), -t)) * std::ldexp(1.0, so) + 0.5)));
  return tb;
}
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double tanh_fn(double x) { return std::tanh(x); }

TEST(TableActivation, HonestProofsVerifyAgainstTheExecutorsTableOps) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::string op;
    double (*f)(double);
    std::vector<size_t> dims;
    size_t shift;
    int64_t lo;
    size_t n;
    size_t claims;
  };
  for (const Case& c : std::vector<Case>{{"Sigmoid", sigmoid, {2, 9}, 4, -1000, 2000, 1},
                                         {"Tanh", tanh_fn, {3, 3, 3}, 0, -300, 601, 2},
                                         {"Sigmoid", sigmoid, {5}, 20, -37, 100, 1}}) {
    SCOPED_TRACE(c.op + " shift=" + std::to_string(c.shift));
    const PaddedShape shape(c.dims);
    ops::QParams qp;
    qp.ints["shift"] = static_cast<int64_t>(c.shift);
    qp.tables.push_back(make_table(c.op, c.f, c.lo, c.n, 6, 8));
    // Inputs well beyond the domain on both sides, so clamping is exercised.
    const int64_t span = (std::abs(c.lo) + static_cast<int64_t>(c.n)) * 2;
    auto x = testing::random_ints(rng, shape.unpadded_size(), span << c.shift);
    x[0] = (c.lo - 5) * (int64_t{1} << c.shift);
    x[1] = (c.lo + static_cast<int64_t>(c.n) + 7) * (int64_t{1} << c.shift);
    auto out = run_op(c.op, qp, c.dims, x, 6 + static_cast<int>(c.shift));
    TableActParams p{c.dims, c.shift, 26, c.lo, qp.tables[0].values};
    TableActProver prover(p, x);
    ASSERT_EQ(prover.output(), out);
    auto claims = claims_on(rng, shape, out, c.claims);
    ProveRun r = prove_with(prover, claims);
    VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
      return verify_table_act(p, cl, pr, tr, in, adv);
    };
    expect_honest(r, claims, shape, x, vf, table_act_proof_layout(p, c.claims), table_act_advice_shapes(p));
  }
}

TEST(TableActivation, CheatingWitnessesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims{2, 5};
  const PaddedShape shape(dims);
  const auto tb = make_table("sigmoid", sigmoid, -200, 400, 6, 8);
  TableActParams p{dims, 3, 26, tb.lo, tb.values};
  VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
    return verify_table_act(p, cl, pr, tr, in, adv);
  };
  std::vector<int64_t> x{0, 8 * 50, 8 * -50, 8 * 1000, 8 * -1000, 3, 8 * 150, 8 * 199, 8 * -200, 8 * 7};
  TableActProver honest(p, x);
  auto check_cheat = [&](size_t i, int64_t idx, const std::string& expect) {
    SCOPED_TRACE("entry " + std::to_string(i) + " idx " + std::to_string(idx));
    ops::ITensor unused;
    std::vector<int64_t> forced(x.size());
    for (size_t j = 0; j < x.size(); ++j) forced[j] = std::clamp<int64_t>((x[j] + 4) >> 3, -200, 199);
    forced[i] = idx;
    TableActProver cheat(p, x, forced);
    auto claims = claims_on(rng, shape, cheat.output(), 1);
    Verdict v = verify_with(vf, claims, prove_with(cheat, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find(expect), std::string::npos) << v.reason();
  };
  check_cheat(1, 49, "zero-check");     // in the domain, wrong index (a = 1 but idx != hi)
  check_cheat(3, 150, "zero-check");    // above the domain, clamped to the wrong place
  check_cheat(4, -150, "zero-check");   // below the domain
  check_cheat(3, 1000, "table.idx");    // outside the table: the lookup fails
  {
    // A claim on a wrong output with the honest witness.
    auto out = honest.output();
    out[2] += 1;
    auto claims = claims_on(rng, shape, out, 1);
    TableActProver pr(p, x);
    Verdict v = verify_with(vf, claims, prove_with(pr, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("lookup output column"), std::string::npos) << v.reason();
  }
}

// A node's table looked up in a longer table that extends it (TableActParams::wider): honest
// proofs verify (clamping at the node's own hi, not the wider table's); an index above hi that is
// in the wider table (its lookup passes) is caught by the headroom range check; a wider table that
// does not extend the node's is refused.
TEST(TableActivation, WiderSharedTable) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<size_t> dims{2, 5};
  const PaddedShape shape(dims);
  const auto tb = make_table("sigmoid", sigmoid, -200, 400, 6, 8);
  const auto wide = make_table("sigmoid", sigmoid, -200, 500, 6, 8);
  ASSERT_TRUE(std::equal(tb.values.begin(), tb.values.end(), wide.values.begin()));
  TableActParams p{dims, 3, 26, tb.lo, tb.values};
  p.wider = std::make_shared<const std::vector<int64_t>>(wide.values);
  VerifyFn vf = [&](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
    return verify_table_act(p, cl, pr, tr, in, adv);
  };
  std::vector<int64_t> x{0, 8 * 50, 8 * -50, 8 * 1000, 8 * -1000, 3, 8 * 150, 8 * 199, 8 * 250, 8 * 7};
  {
    TableActProver honest(p, x);
    TableActParams own{dims, 3, 26, tb.lo, tb.values};
    TableActProver plain(own, x);
    ASSERT_EQ(honest.output(), plain.output());  // clamped at the node's hi (x = 8 * 250 reads T[199])
    auto claims = claims_on(rng, shape, honest.output(), 2);
    ProveRun r = prove_with(honest, claims);
    expect_honest(r, claims, shape, x, vf, table_act_proof_layout(p, 2), table_act_advice_shapes(p));
    EXPECT_EQ(table_act_advice_shapes(p).size(), table_act_advice_shapes(own).size() + 2);  // the headroom digits
    EXPECT_EQ(act_table(p)->size(), 512u);
    EXPECT_EQ(act_table(p)->entry(1, 450), Fr::from_i64(wide.values[450]));
  }
  {
    // idx = 250 for x = 8 * 250 (y = 250 > hi = 199): a = b = 0 passes the clamp zero-check and
    // (250, T'[250]) is a row of the wider table; only idx <= hi fails.
    std::vector<int64_t> forced(x.size());
    for (size_t j = 0; j < x.size(); ++j) forced[j] = std::clamp<int64_t>((x[j] + 4) >> 3, -200, 199);
    forced[8] = 250;
    TableActProver cheat(p, x, forced);
    auto claims = claims_on(rng, shape, cheat.output(), 1);
    Verdict v = verify_with(vf, claims, prove_with(cheat, claims).proof);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("table.headroom"), std::string::npos) << v.reason();
  }
  {
    TableActParams bad = p;
    auto w = wide.values;
    w[17] += 1;
    bad.wider = std::make_shared<const std::vector<int64_t>>(w);
    EXPECT_THROW(TableActProver(bad, x), Error);
    TableActProver honest(p, x);
    auto claims = claims_on(rng, shape, honest.output(), 1);
    auto r = prove_with(honest, claims);
    transcript::Transcript tr("nonlinear-test");
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    Verdict v = verify_table_act(bad, claims, r.proof, tr, &in, &adv);
    EXPECT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("does not extend"), std::string::npos) << v.reason();
  }
}

// act_table's shared tables: each is the table of its own parameters (rows (lo + j, values[j]),
// padded by the last row), whichever tables were asked for before; equal parameters share one.
TEST(TableActivation, SharedTablesHoldTheirOwnRows) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto expect_rows = [](const TableActParams& p, const lookup::LookupTable<Fr>& t) {
    ASSERT_EQ(t.size(), next_pow2(p.values.size()));
    for (size_t j = 0; j < t.size(); ++j) {
      const size_t i = std::min(j, p.values.size() - 1);
      ASSERT_EQ(t.entry(0, j), Fr::from_i64(p.lo + static_cast<int64_t>(i))) << j;
      ASSERT_EQ(t.entry(1, j), Fr::from_i64(p.values[i])) << j;
    }
  };
  std::vector<TableActParams> ps;
  for (int k = 0; k < 6; ++k) {
    TableActParams p;
    p.dims = {4};
    p.lo = static_cast<int64_t>(rng.next_u64() % 2001) - 1000;
    p.values = testing::random_ints(rng, 1 + rng.next_u64() % 700, 1 << 20);
    ps.push_back(p);
  }
  ps.push_back(ps[0]);
  ps.back().lo += 1;  // same values, other domain
  ps.push_back(ps[1]);
  ps.back().values.back() += 1;  // one value differs
  ps.push_back(ps[2]);
  ps.back().values.push_back(ps[2].values.back());  // one more row equal to the padding
  std::vector<std::shared_ptr<const lookup::LookupTable<Fr>>> ts;
  for (const auto& p : ps) {
    ts.push_back(act_table(p));
    expect_rows(p, *ts.back());
  }
  for (size_t a = 0; a < ps.size(); ++a) {
    auto again = act_table(ps[a]);
    EXPECT_EQ(again.get(), ts[a].get()) << a;  // shared
    expect_rows(ps[a], *again);
    for (size_t b = 0; b < a; ++b) EXPECT_NE(ts[a].get(), ts[b].get()) << a << " " << b;
  }
  // Beyond the cache's bound the oldest tables are dropped (a table above the bound is not kept);
  // every table still holds its own rows.
  const size_t bound = detail::act_table_cache_rows;
  detail::act_table_cache_rows = 1024;
  for (int round = 0; round < 2; ++round) {
    for (const auto& p : ps) expect_rows(p, *act_table(p));
    TableActParams big;
    big.dims = {4};
    big.lo = -5 - round;
    big.values = testing::random_ints(rng, 1025, 1 << 20);
    expect_rows(big, *act_table(big));
  }
  for (const auto& p : ps) expect_rows(p, *act_table(p));
  detail::act_table_cache_rows = bound;
}

// Layers under one model-wide lookup batch (as in a whole-model proof): their range checks join
// the batch's one LogUp; the layers' proofs carry no lookups; honest: every claim the batch hands
// back equals the MLE of the owner's advice vector; one remainder out of range in one layer among
// six: rejected.
TEST(ModelWideBatch, OneOutOfRangeRemainderAmongManyLayersIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct L {
    RescaleParams p;
    std::vector<int64_t> x;
    std::vector<Claim> claims;
  };
  const std::vector<std::pair<std::vector<size_t>, size_t>> shapes = {
      {{4, 6}, 8}, {{3, 5}, 12}, {{16}, 8}, {{2, 2, 8}, 4}, {{7}, 12}, {{5, 5}, 8}};
  for (int victim : {-1, 0, 3, 5}) {
    std::vector<L> layers;
    std::vector<std::unique_ptr<RescaleProver>> provers;
    for (size_t i = 0; i < shapes.size(); ++i) {
      RescaleParams p{shapes[i].first, shapes[i].second, 0};
      auto x = testing::random_ints(rng, PaddedShape(p.dims).unpadded_size(), 1 << 20);
      RescaleProver honest(p, x);
      std::vector<int64_t> y = honest.output();
      if (static_cast<int>(i) == victim) y[1] -= 1;  // remainder + 2^k: outside [0, 2^k)
      provers.push_back(std::make_unique<RescaleProver>(p, x, y));
      layers.push_back({p, x, claims_on(rng, PaddedShape(p.dims), y, 1)});
    }
    // Prover: every layer, then the batch (the multiplicities absorbed in the clear here; the
    // whole-model prover commits them).
    lookup::BatchProver<Fr> bp;
    transcript::Transcript tp("batch-layers");
    std::vector<NonlinearProof> proofs;
    std::vector<std::vector<AdviceClaim>> adv(layers.size());
    {
      const ProofSession session{nullptr, &bp, nullptr};
      tp.set_session(&session);
      for (size_t i = 0; i < layers.size(); ++i) {
        std::vector<Claim> in;
        proofs.push_back(provers[i]->prove(layers[i].claims, tp, &in, &adv[i]));
        EXPECT_TRUE(proofs.back().lookups.empty() && proofs.back().multiplicities.empty());
        bp.assign_owner(i);
      }
      tp.set_session(nullptr);
    }
    const auto counts = bp.prepare();
    for (const auto& c : counts)
      for (uint64_t k : c) tp.absorb_u64("test.m", k);
    auto res = bp.prove(tp);
    // Verifier.
    lookup::BatchVerifier<Fr> bv;
    transcript::Transcript tv("batch-layers");
    {
      const ProofSession session{nullptr, nullptr, &bv};
      tv.set_session(&session);
      for (size_t i = 0; i < layers.size(); ++i) {
        ByteWriter w;
        proofs[i].serialize(w);
        ByteReader rd(w.data());
        rd.set_session(&session);
        const NonlinearProof back = deserialize_proof(rd, rescale_proof_layout(layers[i].p, 1));  // no lookups part
        EXPECT_EQ(rd.remaining(), 0u);
        std::vector<Claim> in;
        std::vector<AdviceClaim> a;
        Verdict v = verify_rescale(layers[i].p, layers[i].claims, back, tv, &in, &a);
        ASSERT_TRUE(v.ok()) << v.reason();  // the layer relation holds; the range is the batch's
        bv.assign_owner(i, "layer " + std::to_string(i));
      }
      tv.set_session(nullptr);
    }
    for (const auto& c : counts)
      for (uint64_t k : c) tv.absorb_u64("test.m", k);
    std::vector<lookup::SegmentClaim<Fr>> sc;
    std::vector<lookup::MultiplicityClaim<Fr>> mc;
    Verdict v = bv.verify(res.proof, tv, &sc, &mc);
    if (victim >= 0) {
      EXPECT_FALSE(v.ok()) << "victim " << victim;
      // One argument for all tables: the rejection names the batch's tables and first columns,
      // not the bad one (the argument shows that some row lies outside its table, not which).
      EXPECT_EQ(v.reason().rfind("logup batch (2 tables: range 2^4, range 2^6; 11 column(s): layer 0: rescale.rem.lo", 0), 0u) << v.reason();
      EXPECT_NE(v.reason().find("logup: root numerator is not zero"), std::string::npos) << v.reason();
      continue;
    }
    ASSERT_TRUE(v.ok()) << v.reason();
    ASSERT_EQ(sc.size(), res.segment_claims.size());
    for (const auto& c : sc) {
      ASSERT_LT(c.owner, provers.size());
      const auto& a = provers[c.owner]->advice();
      ASSERT_LT(c.id, a.size());
      EXPECT_EQ(c.value, testing::eval(fr_vec(a[c.id].values), c.point)) << a[c.id].name;
    }
    for (const auto& c : mc) {
      std::vector<Fr> m;
      for (uint64_t k : counts[c.table]) m.push_back(Fr::from_u64(k));
      EXPECT_EQ(c.value, testing::eval(m, c.point));
    }
  }
}


// ---------------- the family's verifiers as circuits ----------------

// Adapters to the harness's prover shape (advice(), prove(claims, tr, &in, &adv)): a bound check has
// no input claims; a PReLU's input claims are those on x then those on the slope.
struct BoundAdapter {
  BoundProver p;
  const std::vector<LayerAdvice>& advice() const { return p.advice(); }
  NonlinearProof prove(std::span<const Claim> cl, transcript::Transcript& tr, std::vector<Claim>* in,
                       std::vector<AdviceClaim>* adv) {
    in->clear();
    return p.prove(cl, tr, adv);
  }
};
struct PReluAdapter {
  PReluProver p;
  const std::vector<LayerAdvice>& advice() const { return p.advice(); }
  NonlinearProof prove(std::span<const Claim> cl, transcript::Transcript& tr, std::vector<Claim>* in,
                       std::vector<AdviceClaim>* adv) {
    PReluClaims pc;
    NonlinearProof pr = p.prove(cl, tr, &pc);
    *in = pc.x;
    in->insert(in->end(), pc.slope.begin(), pc.slope.end());
    *adv = pc.advice;
    return pr;
  }
};

// Every layer of the family (rescale above) over snark::CFr, standalone and all under one
// model-wide batch: relu (fused rescale or none), table activations (two sharing one table, so
// the circuit's batch must group their lifted tables as the native batch does; a wider shared
// table), bound (with the padding zero-check), clip, leaky relu, prelu, argmax, one-hot (sent rows
// and the rows' sumcheck).
TEST(NonlinearLayers, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  using testing::nl_case;
  using testing::NlCircuitCase;
  std::vector<NlCircuitCase> cases;
  // relu
  for (const ReluParams& p : {ReluParams{{3, 5}, 6, 12}, ReluParams{{2, 4}, 0, 8}}) {
    const PaddedShape shape(p.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << (p.shift + p.bits - 1)) - 1);
    const auto y = ReluProver(p, x).output();
    cases.push_back(nl_case("relu " + std::to_string(p.shift), claims_on(rng, shape, y, 2), relu_proof_layout(p, 2),
                            [p, x] { return std::make_unique<ReluProver>(p, x); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              return verify_relu_as(p, cl, pr, tr, in, adv);
                            }));
  }
  // table activations: two nodes of one table, and one looking up in a wider shared table
  {
    TableActParams p{{3, 5}, 4, 10, -8, {}, nullptr};
    for (int i = 0; i < 16; ++i) p.values.push_back(static_cast<int64_t>(rng.next_u64() % 200) - 100);
    TableActParams q = p;
    q.dims = {7};
    TableActParams w{{4}, 0, 8, -8, std::vector<int64_t>(p.values.begin(), p.values.begin() + 12), nullptr};
    auto wider = std::make_shared<std::vector<int64_t>>(p.values);
    for (int i = 0; i < 8; ++i) wider->push_back(i);
    w.wider = wider;
    for (const TableActParams& t : {p, q, w}) {
      const PaddedShape shape(t.dims);
      auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << (t.shift + t.excess_bits - 1)) - 1);
      const auto y = TableActProver(t, x).output();
      cases.push_back(nl_case("table " + std::to_string(t.dims.size()) + (t.wider ? " wider" : ""),
                              claims_on(rng, shape, y, 1), table_act_proof_layout(t, 1),
                              [t, x] { return std::make_unique<TableActProver>(t, x); },
                              [t](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                                return verify_table_act_as(t, cl, pr, tr, in, adv);
                              }));
    }
  }
  // bound, with the padding zero-check
  {
    const BoundParams p{{3, 5}, 8, true};
    const PaddedShape shape = bound_shape(p);
    auto y = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << p.bits) - 1);
    cases.push_back(nl_case("bound", claims_on(rng, shape, y, 2), bound_proof_layout(p, 2),
                            [p, y] { return std::make_unique<BoundAdapter>(BoundAdapter{BoundProver(p, y)}); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              in->clear();
                              return verify_bound_as(p, cl, pr, tr, adv);
                            }));
  }
  // clip
  {
    const ClipParams p{{3, 5}, -20, 30, clip_bits(10, -20, 30)};
    const PaddedShape shape(p.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << 10) - 1);
    const auto y = ClipProver(p, x).output();
    cases.push_back(nl_case("clip", claims_on(rng, shape, y, 1), clip_proof_layout(p, 1),
                            [p, x] { return std::make_unique<ClipProver>(p, x); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              return verify_clip_as(p, cl, pr, tr, in, adv);
                            }));
  }
  // leaky relu: rescaled, and with the output range-checked
  for (const LeakyReluParams& p : {LeakyReluParams{{2, 3, 5}, 82, 13, 13, 16, 0}, LeakyReluParams{{6}, 82, 13, 13, 16, 17}}) {
    const PaddedShape shape(p.dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << (p.bits - 1)) - 1);
    const auto y = LeakyReluProver(p, x).output();
    cases.push_back(nl_case("leaky relu " + std::to_string(p.out_bits), claims_on(rng, shape, y, 1),
                            leaky_relu_proof_layout(p, 1), [p, x] { return std::make_unique<LeakyReluProver>(p, x); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              return verify_leaky_relu_as(p, cl, pr, tr, in, adv);
                            }));
  }
  // prelu: per channel, and full shape with the output range-checked
  for (const PReluParams& p : {PReluParams{{1, 3, 2, 3}, {1, 3, 1, 1}, 7, 7, 14, 0}, PReluParams{{4, 3}, {4, 3}, 6, 6, 12, 20}}) {
    const PaddedShape shape(p.dims), ss(p.s_dims);
    auto x = testing::random_ints(rng, shape.unpadded_size(), (int64_t{1} << p.bits) - 1);
    auto sl = testing::random_ints(rng, ss.unpadded_size(), int64_t{1} << p.slope_scale);
    const auto y = PReluProver(p, x, sl).output();
    cases.push_back(nl_case("prelu " + std::to_string(p.out_bits), claims_on(rng, shape, y, 2), prelu_proof_layout(p, 2),
                            [p, x, sl] { return std::make_unique<PReluAdapter>(PReluAdapter{PReluProver(p, x, sl)}); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              using F = typename std::remove_cvref_t<decltype(cl[0].point)>::value_type;
                              PReluClaimsT<F> pc;
                              const Verdict v = verify_prelu_as(p, cl, pr, tr, &pc);
                              *in = pc.x;
                              in->insert(in->end(), pc.slope.begin(), pc.slope.end());
                              *adv = pc.advice;
                              return v;
                            }));
  }
  // argmax (first maximum), argmin (last minimum)
  for (const ArgmaxParams& p : {ArgmaxParams{{3, 7}, 1, false, false, 6}, ArgmaxParams{{5, 3}, 0, true, true, 6}}) {
    const PaddedShape xs(p.dims), rs(p.out_dims());
    auto x = testing::random_ints(rng, xs.unpadded_size(), 3);  // ties
    const auto y = ArgmaxProver(p, x).output();
    cases.push_back(nl_case(std::string(p.min ? "argmin" : "argmax"), claims_on(rng, rs, y, 1), argmax_proof_layout(p, 1),
                            [p, x] { return std::make_unique<ArgmaxProver>(p, x); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              return verify_argmax_as(p, cl, pr, tr, in, adv);
                            }));
  }
  // one-hot: rows sent (depth 5), rows by a sumcheck over the axis (depth 300)
  for (const OneHotParams& p : {OneHotParams{{2, 3}, 0, 5, 7, -2}, OneHotParams{{3, 2}, 1, 300, 0, 1}}) {
    const PaddedShape is(p.idx_dims), ys(p.out_dims());
    std::vector<int64_t> idx(is.unpadded_size());
    for (auto& v : idx) v = static_cast<int64_t>(rng.next_u64() % (2 * p.depth)) - static_cast<int64_t>(p.depth);
    const auto y = OneHotProver(p, idx).output();
    cases.push_back(nl_case("one hot " + std::to_string(p.depth), claims_on(rng, ys, y, 1), one_hot_proof_layout(p, 1),
                            [p, idx] { return std::make_unique<OneHotProver>(p, idx); },
                            [p](auto cl, const auto& pr, auto& tr, auto* in, auto* adv) {
                              return verify_one_hot_as(p, cl, pr, tr, in, adv);
                            }));
  }
  size_t standalone = 0;
  for (const auto& c : cases) {
    const size_t n = testing::check_standalone(c);
    std::printf("  %-16s %8zu constraints standalone\n", c.name.c_str(), n);
    standalone += n;
  }
  const size_t batched = testing::check_batched(cases);
  std::printf("non-linear verifiers as circuits: %zu constraints standalone (%zu layers), %zu under one batch\n",
              standalone, cases.size(), batched);
}

}  // namespace
}  // namespace zkinfer::layers
