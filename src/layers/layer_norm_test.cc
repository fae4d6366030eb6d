// Tests for layer_norm.h: LayerNormalization over the last axis and over two axes, with and
// without a bias (and a bias below the product's scale), against the op table's run_int; honest
// proofs verify and every input, gamma, beta and advice claim is the true MLE; serialization round
// trips; a wrong output claim and tampered parts of the sub-proofs are rejected or give false
// claims.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/layer_norm.h"
#include "layers/proof_circuit_test_util.h"
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

struct Case {
  std::vector<size_t> dims;
  int64_t axis;
  bool bias;
  int beta_exp;
};

// circuit: also run the verifier as a circuit (verify_layer_norm_as<snark::CFr>, wrap.md section 3;
// proof_circuit_test_util.h) and print its constraint count.
void check(TestRng& rng, const Case& k, bool circuit = false) {
  const int sx = 8, sr = 12, tin = 8, sg = 8, sn = 8, out_shift = 8;
  ops::Table tb;
  tb.fn = "rsqrt";
  tb.in_scale = tin;
  tb.out_scale = sr;
  tb.lo = 0;
  for (int64_t i = 0; i <= (int64_t{10} << tin); ++i)
    tb.values.push_back(std::llround(std::ldexp(1.0, sr) / std::sqrt(std::ldexp(static_cast<double>(i), -tin) + 1e-5)));
  ops::QParams qp;
  qp.ints["v_shift"] = 2 * sx - tin;
  qp.ints["n_shift"] = sx + sr - sn;
  qp.ints["shift"] = out_shift;
  qp.tables = {tb};
  const size_t r = k.dims.size(), a = static_cast<size_t>(k.axis < 0 ? k.axis + static_cast<int64_t>(r) : k.axis);
  std::vector<size_t> wd;  // gamma / beta: the normalized shape
  for (size_t d = a; d < r; ++d) wd.push_back(k.dims[d]);
  auto x = testing::random_ints(rng, numel(k.dims), int64_t{3} << sx);
  auto g = testing::random_ints(rng, numel(wd), int64_t{1} << sg);
  auto b = testing::random_ints(rng, numel(wd), int64_t{1} << 12);
  ops::Node n;
  n.name = "ln";
  n.op_type = "LayerNormalization";
  n.opset = 17;
  n.attrs.ints["axis"] = k.axis;
  ops::IntContext c(n, qp);
  ops::ITensor tx(ops::Shape(k.dims.begin(), k.dims.end()), ops::DType::kInt), tg(ops::Shape(wd.begin(), wd.end()), ops::DType::kInt),
      tbeta(tg.shape, ops::DType::kInt);
  tx.data = x;
  tx.scale = sx;
  tg.data = g;
  tg.scale = sg;
  tbeta.data = b;
  tbeta.scale = sn + sg - k.beta_exp;
  c.in = {&tx, &tg};
  if (k.bias) c.in.push_back(&tbeta);
  ops::OpTable::get().find("LayerNormalization")->run_int(c);
  const auto want = c.out.at(0).data;

  LayerNormParams p;
  p.dims = k.dims;
  p.axes.assign(r, false);
  for (size_t d = a; d < r; ++d) p.axes[d] = true;
  p.g_dims = k.dims;
  for (size_t d = 0; d < a; ++d) p.g_dims[d] = 1;
  if (k.bias) p.b_dims = p.g_dims;
  p.bits = sx + 3;
  p.v_shift = 2 * sx - tin;
  p.lo = tb.lo;
  p.values = tb.values;
  p.n_shift = sx + sr - sn;
  p.beta_exp = static_cast<size_t>(k.beta_exp);
  p.shift = out_shift;
  p.out_bits = 24;
  ASSERT_FALSE(p.invalid().has_value()) << *p.invalid();
  LayerNormProver prover(p, x, g, k.bias ? std::span<const int64_t>(b) : std::span<const int64_t>());
  ASSERT_EQ(prover.output(), want);
  const PaddedShape xs(p.dims), gs(p.g_dims);
  auto claims = testing::true_claims(rng, padded_table(xs, want), xs.num_vars(), 2);
  transcript::Transcript tp("ln-test");
  LayerNormClaims pc, vc;
  LayerNormProof proof = prover.prove(claims, tp, &pc);
  auto run_verify = [&](const LayerNormProof& pr, const std::vector<Claim>& cl, LayerNormClaims* o) {
    transcript::Transcript tv("ln-test");
    return verify_layer_norm(p, cl, pr, tv, o);
  };
  Verdict v = run_verify(proof, claims, &vc);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto xt = padded_table(xs, x), gt = padded_table(gs, g), bt = padded_table(gs, b);
  auto all_true = [&](const LayerNormClaims& o) {
    bool ok = !o.x.empty() && o.gamma.size() == claims.size() && o.beta.size() == (k.bias ? claims.size() : 0);
    for (const auto& c : o.x) ok = ok && c.value == testing::eval(xt, c.point);
    for (const auto& c : o.gamma) ok = ok && c.value == testing::eval(gt, c.point);
    for (const auto& c : o.beta) ok = ok && c.value == testing::eval(bt, c.point);
    for (const auto& c : o.advice)
      ok = ok && c.advice < prover.advice().size() &&
           c.claim.value == testing::eval(fr_vec(prover.advice()[c.advice].values), c.claim.point);
    return ok;
  };
  EXPECT_TRUE(all_true(vc));
  EXPECT_EQ(vc.advice.size(), pc.advice.size());
  const auto shapes = layer_norm_advice_shapes(p);
  ASSERT_EQ(prover.advice().size(), shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(prover.advice()[i].num_vars(), shapes[i].num_vars);
  ByteWriter w;
  proof.serialize(w);
  ByteReader rd(w.data());
  auto back = LayerNormProof::deserialize(rd, p, claims.size());
  EXPECT_EQ(rd.remaining(), 0u);
  EXPECT_TRUE(run_verify(back, claims, &vc).ok());
  auto rejected_or_false = [&](const LayerNormProof& pr, const std::vector<Claim>& cl) {
    LayerNormClaims o;
    Verdict bv = run_verify(pr, cl, &o);
    return !bv.ok() || !all_true(o);
  };
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    EXPECT_TRUE(rejected_or_false(proof, bad));
  }
  {
    auto bad = proof;
    bad.act.evals[0] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  {
    auto bad = proof;
    bad.mu_bound.evals[0] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  {
    auto bad = proof;
    bad.var.nl.evals[0] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  {
    auto bad = proof;
    ASSERT_FALSE(bad.sq.mul.empty());
    bad.sq.mul[0].final_evals[1] += Fr::one();
    EXPECT_TRUE(rejected_or_false(bad, claims));
  }
  if (circuit) {
    const bool bias = k.bias;
    const auto c = testing::proof_case(
        "layer norm", claims,
        [p, x, g, b, bias, claims](transcript::Transcript& tr) {
          LayerNormProver pr(p, x, g, bias ? std::span<const int64_t>(b) : std::span<const int64_t>());
          LayerNormClaims o;
          ByteWriter bw;
          pr.prove(claims, tr, &o).serialize(bw);
          return bw.data();
        },
        [p](ByteReader& r, auto cl, transcript::Transcript& tr, auto* flat) {
          using F = testing::claims_field_t<decltype(cl)>;
          const auto pr = LayerNormProofT<F>::deserialize(r, p, cl.size());
          LayerNormClaimsT<F> o;
          const Verdict v = verify_layer_norm_as<F>(p, cl, pr, tr, &o);
          if (v.ok()) {
            testing::flatten_into(*flat, o.x);
            testing::flatten_into(*flat, o.gamma);
            testing::flatten_into(*flat, o.beta);
            testing::flatten_into(*flat, o.advice);
          }
          return v;
        });
    std::printf("layer norm over %zu entries as a circuit: %zu constraints\n", xs.unpadded_size(),
                testing::check_proof_circuit(c, 24));
  }
}

TEST(LayerNormTest, LastAxis) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{3, 6}, -1, true, 0});
  check(rng, {{2, 5}, 1, false, 0});
}

// The verifier as a circuit: honest satisfied with the native claims, changed messages not.
TEST(LayerNormTest, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{3, 6}, -1, true, 0}, true);
}

TEST(LayerNormTest, TwoAxesAndLowBias) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  check(rng, {{2, 3, 4}, 1, true, 2});
}

}  // namespace
}  // namespace zkinfer::layers
