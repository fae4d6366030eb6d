// Tests for the convolution layer (conv.h): for a table of shapes (strides, paddings including
// asymmetric ones, dilations, kernel sizes including 1x1, non-powers of two, batch, bias, several
// claims), claims computed from a plain integer reference convolution verify, the output claims
// equal direct MLE evaluations of X, Wt and the bias, the proof survives serialization, and
// wrong outputs, changed proof values and a wrong weight tensor are rejected with a reason.
#include "layers/conv.h"

#include <gtest/gtest.h>

#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

struct Case {
  size_t n, c, h, w, co, kh, kw;
  size_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool bias = false;
  size_t claims = 1;
  size_t groups = 1;
};

ConvShape shape_of(const Case& k) {
  ConvShape s;
  s.n = k.n;
  s.c = k.c;
  s.h = k.h;
  s.w = k.w;
  s.co = k.co;
  s.kh = k.kh;
  s.kw = k.kw;
  s.stride_h = k.sh;
  s.stride_w = k.sw;
  s.dil_h = k.dh;
  s.dil_w = k.dw;
  s.pad_top = k.pt;
  s.pad_left = k.pl;
  s.pad_bottom = k.pb;
  s.pad_right = k.pr;
  s.bias = k.bias;
  s.groups = k.groups;
  return s;
}

std::string describe(const Case& k) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "N%zu C%zu H%zu W%zu Co%zu K%zux%zu s%zu,%zu d%zu,%zu p%zu,%zu,%zu,%zu bias%d claims%zu groups%zu", k.n,
                k.c, k.h, k.w, k.co, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, k.pt, k.pl, k.pb, k.pr, k.bias, k.claims,
                k.groups);
  return buf;
}

// Plain integer reference convolution (NCHW, grouped).
std::vector<int64_t> reference(const ConvShape& s, const std::vector<int64_t>& x, const std::vector<int64_t>& wt,
                               const std::vector<int64_t>& bias) {
  const size_t ho = s.out_h(), wo = s.out_w();
  std::vector<int64_t> y(s.n * s.co * ho * wo, 0);
  for (size_t n = 0; n < s.n; ++n)
    for (size_t o = 0; o < s.co; ++o)
      for (size_t i = 0; i < ho; ++i)
        for (size_t j = 0; j < wo; ++j) {
          int64_t acc = s.bias ? bias[o] : 0;
          const size_t cg = s.c / s.groups, g = o / (s.co / s.groups);
          for (size_t c2 = 0; c2 < cg; ++c2)
            for (size_t a = 0; a < s.kh; ++a)
              for (size_t b = 0; b < s.kw; ++b) {
                const int64_t hi = static_cast<int64_t>(i * s.stride_h + a * s.dil_h) - static_cast<int64_t>(s.pad_top);
                const int64_t wi = static_cast<int64_t>(j * s.stride_w + b * s.dil_w) - static_cast<int64_t>(s.pad_left);
                if (hi < 0 || wi < 0 || hi >= static_cast<int64_t>(s.h) || wi >= static_cast<int64_t>(s.w)) continue;
                const size_t c = g * cg + c2;
                acc += wt[((o * cg + c2) * s.kh + a) * s.kw + b] * x[((n * s.c + c) * s.h + hi) * s.w + wi];
              }
          y[((n * s.co + o) * ho + i) * wo + j] = acc;
        }
  return y;
}

struct Instance {
  ConvShape shape;
  std::vector<int64_t> x_int, w_int, bias_int, y_int;
  std::vector<Fr> x, wt, bias, y;
  std::vector<Claim> claims;
};

Instance make(const Case& k, TestRng& rng) {
  Instance in;
  in.shape = shape_of(k);
  const auto& s = in.shape;
  in.x_int = testing::random_ints(rng, s.x_shape().unpadded_size(), 128);
  in.w_int = testing::random_ints(rng, s.w_shape().unpadded_size(), 128);
  if (s.bias) {
    in.bias_int = testing::random_ints(rng, s.co, 1 << 16);
    in.bias = padded_table(s.bias_shape(), in.bias_int);
  }
  in.x = padded_table(s.x_shape(), in.x_int);
  in.wt = padded_table(s.w_shape(), in.w_int);
  in.y_int = reference(s, in.x_int, in.w_int, in.bias_int);
  in.y = padded_table(s.y_shape(), in.y_int);
  in.claims = testing::true_claims(rng, in.y, s.y_shape().num_vars(), k.claims);
  return in;
}

Verdict verify_fresh(const ConvShape& s, const std::vector<Claim>& claims, const ConvProof& p, ConvClaims* out = nullptr) {
  transcript::Transcript tr("layers-test");
  return verify_conv(s, claims, p, tr, out);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {1, 1, 1, 1, 1, 1, 1},
      {1, 3, 5, 5, 2, 3, 3},
      {1, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},          // same padding
      {1, 2, 7, 6, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},          // stride 2
      {2, 2, 7, 9, 3, 3, 2, 2, 3, 1, 1, 1, 0, 0, 2, true},    // batch, asymmetric
      {1, 3, 8, 8, 4, 1, 1},                                  // 1x1
      {1, 3, 8, 8, 4, 1, 1, 2, 2},                            // 1x1 stride 2 (downsample)
      {1, 2, 9, 9, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},          // dilation 2
      {1, 2, 10, 7, 3, 5, 4, 3, 1, 2, 1, 0, 3, 1, 0, true},   // mixed everything
      {1, 1, 6, 6, 1, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3},          // kernel larger than input
      {3, 2, 4, 5, 5, 2, 3, 1, 2, 1, 1, 0, 1, 1, 0, true, 3}, // several claims
      {1, 4, 6, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, 2},
      {1, 3, 1, 9, 2, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1, true},    // 1-D convolution as H = 1
      {1, 2, 2, 2, 2, 3, 3, 1, 1, 1, 1, 3, 3, 3, 3, true},    // pads wider than the kernel reach
      {2, 1, 5, 3, 1, 2, 2, 4, 4, 1, 1, 0, 0, 3, 3},          // stride larger than the kernel
      {1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, 1, 2},              // groups = 2
      {1, 3, 6, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, 1, 3},               // depthwise, stride 2
      {2, 6, 4, 4, 3, 2, 3, 1, 1, 1, 2, 0, 1, 1, 1, true, 2, 3},               // groups, Co < C, 2 claims
      {1, 4, 5, 5, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, 1, 4},              // grouped 1x1
  };
  return kCases;
}

TEST(Conv, HonestProofsVerifyAndOutputClaimsAreTrue) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const Case& k : cases()) {
    SCOPED_TRACE(describe(k));
    const Instance in = make(k, rng);
    ASSERT_FALSE(in.shape.invalid().has_value());
    transcript::Transcript tp("layers-test");
    ConvClaims pc;
    const ConvProof proof = prove_conv(in.shape, in.x, in.wt, in.bias, in.claims, tp, &pc);
    ConvClaims vc;
    const Verdict v = verify_fresh(in.shape, in.claims, proof, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(vc.x.point, pc.x.point);
    EXPECT_EQ(vc.x.value, testing::eval(in.x, vc.x.point));
    ASSERT_EQ(vc.w.size(), k.groups == 1 ? k.claims : 1);  // grouped: one claim on Wt in all
    for (const auto& wc : vc.w) EXPECT_EQ(wc.value, testing::eval(in.wt, wc.point));
    ASSERT_EQ(vc.bias.size(), k.bias ? k.claims : 0);
    for (size_t t = 0; t < k.claims; ++t) {
      if (k.bias) {
        EXPECT_EQ(vc.bias[t].value, testing::eval(in.bias, vc.bias[t].point));
      }
    }
    ByteWriter w;
    proof.serialize(w);
    // The int64 prover gives the same proof, byte for byte.
    {
      transcript::Transcript ti("layers-test");
      const ConvProof pi = prove_conv(in.shape, std::span<const int64_t>(in.x_int), std::span<const int64_t>(in.w_int),
                                      in.bias, in.claims, ti);
      ByteWriter wi;
      pi.serialize(wi);
      EXPECT_EQ(wi.data(), w.data());
    }
    ByteReader r(w.data());
    const ConvProof back = ConvProof::deserialize(r, in.shape, k.claims);
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_fresh(in.shape, in.claims, back).ok());
    ByteReader shortr(std::span<const uint8_t>(w.data().data(), w.data().size() - 1));
    EXPECT_THROW(ConvProof::deserialize(shortr, in.shape, k.claims), DecodeError);
  }
}

TEST(Conv, TamperedProofsAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  for (const Case& k : cases()) {
    SCOPED_TRACE(describe(k));
    const Instance in = make(k, rng);
    transcript::Transcript tp("layers-test");
    const ConvProof proof = prove_conv(in.shape, in.x, in.wt, in.bias, in.claims, tp);
    ASSERT_TRUE(verify_fresh(in.shape, in.claims, proof).ok());
    for (size_t t = 0; t < k.claims; ++t) {
      auto bad = in.claims;
      bad[t].value += Fr::one();
      const Verdict v = verify_fresh(in.shape, bad, proof);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("conv"), std::string::npos) << v.reason();
    }
    for (int which = 0; which < 2; ++which) {
      const auto& sc = which == 0 ? proof.input_sumcheck : proof.kernel_sumcheck;
      for (size_t i = 0; i < sc.rounds.size(); ++i)
        for (size_t j = 0; j < sc.rounds[i].evals.size(); ++j) {
          ConvProof bad = proof;
          (which == 0 ? bad.input_sumcheck : bad.kernel_sumcheck).rounds[i].evals[j] += Fr::one();
          const Verdict v = verify_fresh(in.shape, in.claims, bad);
          EXPECT_FALSE(v.ok()) << which << " round " << i << " value " << j;
          EXPECT_NE(v.reason().find(which == 0 ? "input sumcheck" : "kernel sumcheck"), std::string::npos)
              << v.reason();
        }
      for (size_t j = 0; j < sc.final_evals.size(); ++j) {
        ConvProof bad = proof;
        (which == 0 ? bad.input_sumcheck : bad.kernel_sumcheck).final_evals[j] += Fr::one();
        EXPECT_FALSE(verify_fresh(in.shape, in.claims, bad).ok()) << which << " final " << j;
      }
    }
    // Final values of the kernel sumcheck changed consistently (w doubled, selector halved: the
    // composition still matches) are caught by the verifier's own selector evaluation.
    {
      ConvProof bad = proof;
      auto& fe = bad.kernel_sumcheck.final_evals;
      fe[0] += fe[0];
      fe[1] *= Fr::from_u64(2).inverse();
      const Verdict v = verify_fresh(in.shape, in.claims, bad);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("selector value"), std::string::npos) << v.reason();
    }
    for (size_t t = 0; t < proof.bias_values.size(); ++t) {
      ConvProof bad = proof;
      bad.bias_values[t] += Fr::one();
      EXPECT_FALSE(verify_fresh(in.shape, in.claims, bad).ok()) << "bias " << t;
    }
    // A wrong weight tensor with the true output claims.
    {
      auto w_int = in.w_int;
      w_int[rng.next_u64() % w_int.size()] += 3;
      const auto w_bad = padded_table(in.shape.w_shape(), w_int);
      transcript::Transcript tb("layers-test");
      const ConvProof bad = prove_conv(in.shape, in.x, w_bad, in.bias, in.claims, tb);
      const Verdict v = verify_fresh(in.shape, in.claims, bad);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("conv: input sumcheck"), std::string::npos) << v.reason();
    }
    // A wrong input tensor likewise, unless the changed entry is never read (strides skip it).
    {
      auto x_int = in.x_int;
      x_int[rng.next_u64() % x_int.size()] -= 5;
      const auto x_bad = padded_table(in.shape.x_shape(), x_int);
      transcript::Transcript tb("layers-test");
      const ConvProof bad = prove_conv(in.shape, x_bad, in.wt, in.bias, in.claims, tb);
      const bool output_changed = reference(in.shape, x_int, in.w_int, in.bias_int) != in.y_int;
      EXPECT_EQ(verify_fresh(in.shape, in.claims, bad).ok(), !output_changed);
    }
  }
}

// Large-magnitude integers (weights near +-2^34, inputs near +-2^20, sums below 2^62) exercise the int64
// accumulator's carries and negation; the int64 and Fr provers must still agree.
TEST(Conv, Int64ProverMatchesWithLargeValues) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 11);
  const Case k{1, 5, 6, 6, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  Instance in = make(k, rng);
  for (auto& v : in.w_int) v = (v % 2 ? 1 : -1) * ((int64_t{1} << 34) - v);
  for (auto& v : in.x_int) v = (v % 3 == 0 ? -1 : 1) * ((int64_t{1} << 20) + v);
  in.x = padded_table(in.shape.x_shape(), in.x_int);
  in.wt = padded_table(in.shape.w_shape(), in.w_int);
  in.y = padded_table(in.shape.y_shape(), reference(in.shape, in.x_int, in.w_int, {}));
  in.claims = testing::true_claims(rng, in.y, in.shape.y_shape().num_vars(), 1);
  transcript::Transcript ta("layers-test"), tb("layers-test");
  const ConvProof pa = prove_conv(in.shape, in.x, in.wt, {}, in.claims, ta);
  const ConvProof pb = prove_conv(in.shape, std::span<const int64_t>(in.x_int), std::span<const int64_t>(in.w_int),
                                  {}, in.claims, tb);
  ByteWriter wa, wb;
  pa.serialize(wa);
  pb.serialize(wb);
  EXPECT_EQ(wa.data(), wb.data());
  EXPECT_TRUE(verify_fresh(in.shape, in.claims, pb).ok());
}

TEST(Conv, RejectsMalformedStatements) {
  ConvShape s;
  s.h = 2;
  s.kh = 3;  // kernel taller than the (unpadded) input
  ConvProof p;
  transcript::Transcript tr("layers-test");
  std::vector<Claim> one = {{{}, Fr::zero()}};
  const Verdict v = verify_conv(s, one, p, tr);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("kernel larger"), std::string::npos) << v.reason();
  s = ConvShape{};
  s.stride_h = 0;
  EXPECT_FALSE(verify_conv(s, one, p, tr).ok());
  s = ConvShape{};
  EXPECT_FALSE(verify_conv(s, {}, p, tr).ok());
}

// The verifier run as a circuit (docs/protocol/wrap.md section 3): proved over the Poseidon field
// transcript, verified natively, then verify_conv_as<CFr> over the circuit twin with the claims as
// public inputs and the proof's bytes read as witnesses. The honest proof satisfies the system and
// the circuit's output claims are the native verifier's; a changed claim value, round value, final
// value, bias value, and the consistent change the selector check catches do not.
TEST(Conv, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 11);
  using ctest::CFr;
  size_t total = 0;
  for (const Case& k : cases()) {
    SCOPED_TRACE(describe(k));
    const Instance in = make(k, rng);
    auto tp = ctest::field_transcript();
    const ConvProof proof = prove_conv(in.shape, in.x, in.wt, in.bias, in.claims, tp);
    ConvClaims native;
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_conv(in.shape, in.claims, proof, tv, &native).ok());
    }
    auto run = [&](const ConvProof& p, const std::vector<Claim>& claims, bool check_claims) {
      const auto bytes = ctest::bytes_of(p);
      size_t n = 0;
      const bool sat = ctest::circuit_satisfied(
          [&] {
            auto tr = ctest::circuit_transcript();
            const auto cl = ctest::lift_claims(claims);
            ByteReader r(bytes);
            const auto cp = ConvProofT<CFr>::deserialize(r, in.shape, claims.size());
            EXPECT_EQ(r.remaining(), 0u);
            ConvClaimsT<CFr> out;
            const Verdict v = verify_conv_as<CFr>(in.shape, cl, cp, tr, &out);
            if (v.ok() && check_claims) {
              ctest::expect_same_claim(out.x, native.x, "x");
              ctest::expect_same_claims(out.w, native.w, "w");
              ctest::expect_same_claims(out.bias, native.bias, "bias");
            }
            return v;
          },
          &n);
      if (check_claims) total += n;
      return sat;
    };
    EXPECT_TRUE(run(proof, in.claims, true));
    {
      auto bad = in.claims;
      bad.back().value += Fr::one();
      EXPECT_FALSE(run(proof, bad, false)) << "changed claim value";
    }
    for (int which = 0; which < 2; ++which) {
      const auto& sc = which == 0 ? proof.input_sumcheck : proof.kernel_sumcheck;
      if (!sc.rounds.empty()) {
        ConvProof bad = proof;
        (which == 0 ? bad.input_sumcheck : bad.kernel_sumcheck).rounds.back().evals[0] += Fr::one();
        EXPECT_FALSE(run(bad, in.claims, false)) << which << " changed round value";
      }
      for (size_t j = 0; j < sc.final_evals.size(); ++j) {
        ConvProof bad = proof;
        (which == 0 ? bad.input_sumcheck : bad.kernel_sumcheck).final_evals[j] += Fr::one();
        EXPECT_FALSE(run(bad, in.claims, false)) << which << " changed final value " << j;
      }
    }
    {
      ConvProof bad = proof;
      auto& fe = bad.kernel_sumcheck.final_evals;
      fe[0] += fe[0];
      fe[1] *= Fr::from_u64(2).inverse();
      EXPECT_FALSE(run(bad, in.claims, false)) << "consistent change of the kernel finals";
    }
    for (size_t t = 0; t < proof.bias_values.size(); ++t) {
      ConvProof bad = proof;
      bad.bias_values[t] += Fr::one();
      EXPECT_FALSE(run(bad, in.claims, false)) << "changed bias value " << t;
    }
  }
  std::printf("conv verifier as a circuit: %zu constraints over %zu cases\n", total, cases().size());
}

}  // namespace
}  // namespace zkinfer::layers
