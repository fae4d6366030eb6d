// Differential tests of the non-linear step routines on the EVM (contracts/ZkNonlinear.sol,
// contracts/ZkPool.sol, through the TEST-ONLY harnesses contracts/test/ZkNonlinearHarness.sol and
// ZkPoolHarness.sol) against the C++ layer verifiers, in a real EVM (@ethereumjs/evm through
// tools/evm/run.js, one node process per harness).
//
// Each case is a layer proof made by the C++ prover (rescale, ReLU with and without the fused
// rescale, bound, MaxPool, GlobalAveragePool) on random integer tensors with a v2 transcript, in a
// session carrying a lookup::BatchProver (the whole-model mode: the range checks are registered
// with the batch; the proof has no multiplicities and no lookup proof). The C++ verifier runs from
// the same transcript state in a session carrying a lookup::BatchVerifier, on the proof's bytes
// (deserialized as the whole-model verifier does), and the Solidity routine on the same words.
// Asserted, for the honest proof: both accept, with equal claims on the input, advice claims,
// final transcript state and words consumed; the lookups the routine returns are what the
// BatchVerifier holds (tables' log sizes and segments' sizes, grouped by table, from shapes();
// the segments' column ids and sizes in registration order from verifying the batch proof that the
// BatchProver makes for the layer); the input and advice claims are true evaluations of the
// prover's tensors. Then every changed word (each proof word + 1, each output claim's value and
// point coordinates + 1) is run through both: the Solidity result must equal the C++ one (a revert
// counts as a rejection), and each change must be rejected or move the transcript state (a change
// of a digit evaluation that only feeds the input and advice claims is accepted by the layer, as
// in C++; the openings of those claims reject it later). DigitPlan::make is compared for every
// (bits, n) in [1, 62] x [0, 40]. The gas per routine is printed (BENCHMARKS.md, "Issue 15:
// non-linear step routines on the EVM").
//
// Exit status 77 (CTest's skip) when node or npm is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evm_runner.h"
#include "evm_step_case.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/random.h"
#include "hash/keccak.h"
#include "layers/activation.h"
#include "layers/bound.h"
#include "layers/layout.h"
#include "layers/pool.h"
#include "layers/rescale.h"
#include "lookup/batch.h"
#include "poly/mle.h"
#include "test_seed.h"
#include "transcript/transcript.h"
#include "zk/session.h"

namespace zkinfer {
namespace {

using field::Fr;
using layers::AdviceClaim;
using layers::Claim;
using layers::PaddedShape;
using testing::seed_note;
using testing::test_seed;
using namespace evmtest;  // Word, calldata, Evm, ... (evm_runner.h)

using namespace evmstep;  // Case, StepResult, make_case, run_cpp, ... (evm_step_case.h)

// A C++ verifier of a layer with one input as a CppVerify.
template <class F>
CppVerify one_input(F f) {
  return [f](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr,
             std::vector<std::vector<Claim>>* inputs, std::vector<AdviceClaim>* adv) {
    inputs->resize(1);
    return f(cl, rd, tr, &(*inputs)[0], adv);
  };
}

std::unique_ptr<Case> rescale_case(TestRng& rng, std::vector<size_t> dims, size_t shift, size_t out_bits, size_t nclaims) {
  auto c = std::make_unique<Case>();
  layers::RescaleParams p{dims, shift, out_bits};
  c->name = "rescale " + dims_name(dims) + " shift " + std::to_string(shift) + " out_bits " + std::to_string(out_bits) +
            ", " + std::to_string(nclaims) + " claim(s)";
  c->signature = "rescale(uint256[])";
  c->params = dims_words(dims);
  c->params.push_back(word_u64(shift));
  c->params.push_back(word_u64(out_bits));
  const PaddedShape s(dims);
  const int64_t bound = out_bits > 0 ? (int64_t{1} << (out_bits + shift - 1)) : (int64_t{1} << std::min<size_t>(shift + 10, 50));
  auto x = random_ints(rng, s.unpadded_size(), bound);
  layers::RescaleProver prover(p, x);
  c->claims = true_claims(rng, s, prover.output(), nclaims);
  for (const auto& a : prover.advice()) c->prover_advice.push_back(fr_table(a));
  c->verify = one_input([p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) {
    const auto proof = layers::deserialize_proof(rd, layers::rescale_proof_layout(p, cl.size()));
    return layers::verify_rescale(p, cl, proof, tr, in, adv);
  });
  const auto table = layers::padded_table(s, x);
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    auto proof = prover.prove(c->claims, tp, &c->prover_inputs.emplace_back(), &adv);
    return bytes_of(proof);
  });
  for (auto& in : c->prover_inputs.at(0)) EXPECT_EQ(in.value.value(), poly::evaluate_mle<Fr>(table, in.point)) << c->name;
  // A forged claim: rejected with the output's range check (its digits give the true value),
  // accepted without it (the claim on x is then wrong).
  reprove(*c, "forged claim value", forged(c->claims), out_bits > 0, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::RescaleProver pr(p, x);
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &in, &adv));
  });
  // y + 1 at entry 0 (the remainder leaves [0, 2^k): the batch's range check rejects it).
  {
    std::vector<int64_t> y = prover.output();
    y[0] += 1;
    layers::RescaleProver pr(p, x, y);
    const auto cl = true_claims(rng, s, y, nclaims);
    reprove(*c, "output + 1 at entry 0", cl, false, [&](const std::vector<Claim>& cl2, transcript::Transcript& tp) {
      std::vector<Claim> in;
      std::vector<AdviceClaim> adv;
      return bytes_of(pr.prove(cl2, tp, &in, &adv));
    });
  }
  return c;
}

std::unique_ptr<Case> relu_case(TestRng& rng, std::vector<size_t> dims, size_t shift, size_t bits, size_t nclaims) {
  auto c = std::make_unique<Case>();
  layers::ReluParams p{dims, shift, bits};
  c->name = "relu " + dims_name(dims) + " shift " + std::to_string(shift) + " bits " + std::to_string(bits) + ", " +
            std::to_string(nclaims) + " claim(s)";
  c->signature = "relu(uint256[])";
  c->params = dims_words(dims);
  c->params.push_back(word_u64(shift));
  c->params.push_back(word_u64(bits));
  const PaddedShape s(dims);
  // |y| < 2^bits for y = rescale(x, shift).
  const int64_t bound = (int64_t{1} << (bits + shift)) - (int64_t{1} << shift);
  auto x = random_ints(rng, s.unpadded_size(), bound);
  layers::ReluProver prover(p, x);
  c->claims = true_claims(rng, s, prover.output(), nclaims);
  for (const auto& a : prover.advice()) c->prover_advice.push_back(fr_table(a));
  c->verify = one_input([p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) {
    const auto proof = layers::deserialize_proof(rd, layers::relu_proof_layout(p, cl.size()));
    return layers::verify_relu(p, cl, proof, tr, in, adv);
  });
  const auto table = layers::padded_table(s, x);
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    return bytes_of(prover.prove(c->claims, tp, &c->prover_inputs.emplace_back(), &adv));
  });
  for (auto& in : c->prover_inputs.at(0)) EXPECT_EQ(in.value.value(), poly::evaluate_mle<Fr>(table, in.point)) << c->name;
  reprove(*c, "forged claim value", forged(c->claims), true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::ReluProver pr(p, x);
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &in, &adv));
  });
  // out + 1 at entry 0: out neg = (out + 1) (neg + 1) != 0 there: the zero-check rejects.
  {
    std::vector<int64_t> out = prover.output();
    out[0] += 1;
    layers::ReluProver pr(p, x, out);
    const auto cl = true_claims(rng, s, out, nclaims);
    reprove(*c, "output + 1 at entry 0", cl, true, [&](const std::vector<Claim>& cl2, transcript::Transcript& tp) {
      std::vector<Claim> in;
      std::vector<AdviceClaim> adv;
      return bytes_of(pr.prove(cl2, tp, &in, &adv));
    });
  }
  return c;
}

std::unique_ptr<Case> bound_case(TestRng& rng, std::vector<size_t> dims, size_t bits, bool zero_padding,
                                 size_t first_log, size_t nclaims) {
  auto c = std::make_unique<Case>();
  layers::BoundParams p{dims, bits, zero_padding, first_log};
  c->name = "bound " + dims_name(dims) + " bits " + std::to_string(bits) + (zero_padding ? " zero_padding" : "") +
            " first_log " + std::to_string(first_log) + ", " + std::to_string(nclaims) + " claim(s)";
  c->signature = "bound(uint256[])";
  c->params = dims_words(dims);
  c->params.push_back(word_u64(bits));
  c->params.push_back(word_u64(zero_padding ? 1 : 0));
  c->params.push_back(word_u64(first_log));
  const PaddedShape s = layers::bound_shape(p);
  auto y = random_ints(rng, s.unpadded_size(), (int64_t{1} << bits) - 1);
  y[0] = -(int64_t{1} << bits);  // the bounds themselves
  y[1] = (int64_t{1} << bits) - 1;
  layers::BoundProver prover(p, y);
  c->claims = true_claims(rng, s, y, nclaims);
  for (const auto& a : prover.advice()) c->prover_advice.push_back(fr_table(a));
  c->verify = one_input([p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, std::vector<Claim>*,
                  std::vector<AdviceClaim>* adv) {
    const auto proof = layers::deserialize_proof(rd, layers::bound_proof_layout(p, cl.size()));
    return layers::verify_bound(p, cl, proof, tr, adv);
  });
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    return bytes_of(prover.prove(c->claims, tp, &adv));
  });
  reprove(*c, "forged claim value", forged(c->claims), true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::BoundProver pr(p, y);
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &adv));
  });
  // A non-zero padding entry of v (rejected by the zero-check when it runs).
  if (s.size() != s.unpadded_size()) {
    auto vt = layers::detail::padded_i64(s, [&] {
      std::vector<int64_t> sh(y);
      for (auto& v : sh) v += int64_t{1} << bits;
      return sh;
    }());
    const auto ones = layers::detail::padded_i64(s, std::vector<int64_t>(s.unpadded_size(), 1));
    for (size_t i = 0; i < vt.size(); ++i)
      if (ones[i] == 0) {
        vt[i] = 5;
        break;
      }
    // Claims on the tensor v - 2^bits I (y with the padding entry): the claims' checks hold, only
    // the zero-check can reject.
    std::vector<Fr> yt(vt.size());
    for (size_t i = 0; i < vt.size(); ++i) yt[i] = Fr::from_i64(vt[i] - (ones[i] << bits));
    std::vector<Claim> cl0;
    for (size_t k = 0; k < nclaims; ++k) {
      std::vector<Fr> pt(s.num_vars());
      for (Fr& x : pt) x = Fr::random(rng);
      cl0.push_back({pt, poly::evaluate_mle<Fr>(yt, pt)});
    }
    reprove(*c, "non-zero padding entry", cl0, zero_padding, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
      layers::BoundProver pr(p, y, vt);
      std::vector<AdviceClaim> adv;
      return bytes_of(pr.prove(cl, tp, &adv));
    });
  }
  return c;
}

std::unique_ptr<Case> max_pool_case(TestRng& rng, const layers::MaxPoolParams& p, size_t nclaims) {
  auto c = std::make_unique<Case>();
  c->name = "max pool " + dims_name(p.dims) + " kernel " + std::to_string(p.kh) + "x" + std::to_string(p.kw) +
            " stride " + std::to_string(p.sh) + "x" + std::to_string(p.sw) + " pads " + std::to_string(p.pt) + "," +
            std::to_string(p.pl) + "," + std::to_string(p.pb) + "," + std::to_string(p.pr) + " bits " +
            std::to_string(p.bits) + ", " + std::to_string(nclaims) + " claim(s)";
  c->signature = "maxPool(uint256[])";
  c->pool = true;
  c->params = dims_words(p.dims);
  for (size_t v : {p.kh, p.kw, p.sh, p.sw, p.pt, p.pl, p.pb, p.pr, p.bits}) c->params.push_back(word_u64(v));
  const PaddedShape xs(p.dims), ys(p.out_dims());
  auto x = random_ints(rng, xs.unpadded_size(), (int64_t{1} << p.bits) - 1);
  layers::MaxPoolProver prover(p, x);
  c->claims = true_claims(rng, ys, prover.output(), nclaims);
  for (const auto& a : prover.advice()) c->prover_advice.push_back(fr_table(a));
  c->verify = one_input([p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) {
    const auto proof = layers::MaxPoolProof::deserialize(rd, p, cl.size());
    return layers::verify_max_pool(p, cl, proof, tr, in, adv);
  });
  const auto table = layers::padded_table(xs, x);
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    return bytes_of(prover.prove(c->claims, tp, &c->prover_inputs.emplace_back(), &adv));
  });
  for (auto& in : c->prover_inputs.at(0)) EXPECT_EQ(in.value.value(), poly::evaluate_mle<Fr>(table, in.point)) << c->name;
  // A forged claim: the gather sumcheck's claim is wrong.
  reprove(*c, "forged claim value", forged(c->claims), true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::MaxPoolProver pr(p, x);
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &in, &adv));
  });
  // y above the window's maximum at entry 0: no difference is zero there, the zero-check rejects.
  {
    std::vector<int64_t> y = prover.output();
    y[0] += 1;
    layers::MaxPoolProver pr(p, x, y);
    const auto cl = true_claims(rng, ys, y, nclaims);
    reprove(*c, "output + 1 at entry 0", cl, true, [&](const std::vector<Claim>& cl2, transcript::Transcript& tp) {
      std::vector<Claim> in;
      std::vector<AdviceClaim> adv;
      return bytes_of(pr.prove(cl2, tp, &in, &adv));
    });
  }
  return c;
}

std::unique_ptr<Case> gap_case(TestRng& rng, std::vector<size_t> dims, size_t nclaims) {
  auto c = std::make_unique<Case>();
  layers::GlobalAvgPoolParams p{dims};
  c->name = "global average pool " + dims_name(dims) + ", " + std::to_string(nclaims) + " claim(s)";
  c->signature = "globalAvgPool(uint256[])";
  c->pool = true;
  c->params = dims_words(dims);
  const PaddedShape xs(dims), ys(layers::global_avg_pool_out_dims(dims));
  auto x = random_ints(rng, xs.unpadded_size(), int64_t{1} << 20);
  layers::GlobalAvgPoolProver prover(p, x);
  c->claims = true_claims(rng, ys, prover.output(), nclaims);
  for (const auto& a : prover.advice()) c->prover_advice.push_back(fr_table(a));
  c->verify = one_input([p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) {
    const auto proof = layers::GlobalAvgPoolProof::deserialize(rd, p, cl.size());
    return layers::verify_global_avg_pool(p, cl, proof, tr, in, adv);
  });
  const auto table = layers::padded_table(xs, x);
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    return bytes_of(prover.prove(c->claims, tp, &c->prover_inputs.emplace_back(), &adv));
  });
  for (auto& in : c->prover_inputs.at(0)) EXPECT_EQ(in.value.value(), poly::evaluate_mle<Fr>(table, in.point)) << c->name;
  reprove(*c, "forged claim value", forged(c->claims), true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::GlobalAvgPoolProver pr(p, x);
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &in, &adv));
  });
  return c;
}

// Proofs for other public parameters with the same proof layout, verified with the case's: each
// reaches exactly one layer-local check, which must reject it.

// MaxPool with other pads (the same output shape): only the gather's selector check differs.
void max_pool_other_pads(Case& c, TestRng& rng, const layers::MaxPoolParams& alt, size_t nclaims) {
  const PaddedShape ys(alt.out_dims());
  auto x = random_ints(rng, PaddedShape(alt.dims).unpadded_size(), (int64_t{1} << alt.bits) - 1);
  layers::MaxPoolProver pr(alt, x);
  reprove(c, "proof for pads " + std::to_string(alt.pt) + "," + std::to_string(alt.pl) + "," + std::to_string(alt.pb) + "," +
                 std::to_string(alt.pr),
          true_claims(rng, ys, pr.output(), nclaims), true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
            std::vector<Claim> in;
            std::vector<AdviceClaim> adv;
            return bytes_of(pr.prove(cl, tp, &in, &adv));
          });
}

// Bound with the transposed shape (the same variables, another padding pattern); the claims made
// to pass the claims' check (v~(r) - 2^bits I~(r) with the case's indicator): only the padding
// zero-check's indicator factor differs.
void bound_other_layout(Case& c, TestRng& rng, const layers::BoundParams& p, const layers::BoundParams& alt, size_t nclaims) {
  const PaddedShape s = layers::bound_shape(p), as = layers::bound_shape(alt);
  ASSERT_EQ(s.num_vars(), as.num_vars());
  auto y = random_ints(rng, as.unpadded_size(), (int64_t{1} << alt.bits) - 1);
  std::vector<int64_t> shifted(y);
  for (auto& v : shifted) v += int64_t{1} << alt.bits;
  std::vector<Fr> vt;
  for (int64_t v : layers::detail::padded_i64(as, shifted)) vt.push_back(Fr::from_i64(v));
  std::vector<Claim> cl0;
  for (size_t k = 0; k < nclaims; ++k) {
    std::vector<Fr> pt(s.num_vars());
    for (Fr& x : pt) x = Fr::random(rng);
    const Fr v = poly::evaluate_mle<Fr>(vt, pt) - layers::detail::pow2_fr(p.bits) * layers::detail::indicator_mle(s, pt);
    cl0.push_back({pt, v});
  }
  layers::BoundProver pr(alt, y);
  reprove(c, "proof for dims " + dims_name(alt.dims), cl0, true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &adv));
  });
}

// GlobalAveragePool over more spatial positions S' (the same layout and remainder bits); the
// claims made to give the prover's spatial sums (S v + (r~ - S I~) / 2 = the sum's MLE): only
// the check r~ + r'~ = (2S - 1) I~ differs.
void gap_other_spatial(Case& c, TestRng& rng, const std::vector<size_t>& dims, const std::vector<size_t>& alt, size_t nclaims) {
  const PaddedShape ys(layers::global_avg_pool_out_dims(dims));
  ASSERT_EQ(PaddedShape(dims).num_vars(), PaddedShape(alt).num_vars());
  size_t S = 1, S2 = 1;
  for (size_t i = 2; i < dims.size(); ++i) S *= dims[i], S2 *= alt[i];
  auto x = random_ints(rng, PaddedShape(alt).unpadded_size(), int64_t{1} << 20);
  const size_t NC = alt[0] * alt[1];
  std::vector<int64_t> sums(NC), rems(NC);
  const int64_t den = 2 * static_cast<int64_t>(S2);
  for (size_t q = 0; q < NC; ++q) {
    int64_t acc = 0;
    for (size_t i = 0; i < S2; ++i) acc += x[q * S2 + i];
    sums[q] = acc;
    rems[q] = ((2 * acc + static_cast<int64_t>(S2)) % den + den) % den;
  }
  const auto st = layers::padded_table(ys, sums), rt = layers::padded_table(ys, rems);
  const Fr Sf = Fr::from_u64(S), half = Fr::from_u64(2).inverse();
  std::vector<Claim> cl0;
  for (size_t k = 0; k < nclaims; ++k) {
    std::vector<Fr> z(ys.num_vars());
    for (Fr& u : z) u = Fr::random(rng);
    const Fr ind = layers::detail::indicator_mle(ys, z);
    const Fr v = (poly::evaluate_mle<Fr>(st, z) - (poly::evaluate_mle<Fr>(rt, z) - Sf * ind) * half) * Sf.inverse();
    cl0.push_back({z, v});
  }
  layers::GlobalAvgPoolProver pr(layers::GlobalAvgPoolParams{alt}, x);
  reprove(c, "proof for dims " + dims_name(alt), cl0, true, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    return bytes_of(pr.prove(cl, tp, &in, &adv));
  });
}

// Every case and every call, run once for all the tests below.
struct Suite {
  std::vector<std::unique_ptr<Case>> cases;
  Evm nonlinear{"ZkNonlinearHarness"}, pool{"ZkPoolHarness"};
  std::vector<size_t> plan_calls;  // one per bits value
  static constexpr size_t kMaxPlanVars = 40;
  Evm& evm(const Case& c) { return c.pool ? pool : nonlinear; }
};

layers::MaxPoolParams mp(std::vector<size_t> dims, size_t kh, size_t kw, size_t sh, size_t sw, size_t pt, size_t pl,
                         size_t pb, size_t pr, size_t bits) {
  layers::MaxPoolParams p;
  p.dims = std::move(dims);
  p.kh = kh, p.kw = kw, p.sh = sh, p.sw = sw, p.pt = pt, p.pl = pl, p.pb = pb, p.pr = pr, p.bits = bits;
  return p;
}

Suite& suite() {
  static Suite* s = [] {
    auto* st = new Suite;
    TestRng rng(test_seed());
    auto& cs = st->cases;
    // Rescale: padded and unpadded shapes, one digit (shift 1, 8), several digits with a narrower
    // top digit (20, 40 bits), with and without the output's range check, a scalar tensor.
    cs.push_back(rescale_case(rng, {3, 5}, 8, 0, 1));
    cs.push_back(rescale_case(rng, {4, 6}, 20, 12, 2));
    cs.push_back(rescale_case(rng, {16}, 1, 0, 3));
    cs.push_back(rescale_case(rng, {2, 3, 7}, 40, 20, 2));
    cs.push_back(rescale_case(rng, {1}, 5, 4, 1));
    // ReLU: without the fused rescale (shift 0) and with it; one and several digits.
    cs.push_back(relu_case(rng, {3, 5}, 0, 8, 1));
    cs.push_back(relu_case(rng, {4, 6}, 12, 16, 2));
    cs.push_back(relu_case(rng, {2, 2, 8}, 30, 29, 3));
    cs.push_back(relu_case(rng, {1, 10}, 1, 1, 1));
    cs.push_back(relu_case(rng, {1}, 3, 5, 2));
    cs.push_back(relu_case(rng, {8, 16}, 0, 40, 1));
    // Bound: with the padding zero-check, without padding, without the zero-check, widened first
    // dimension.
    cs.push_back(bound_case(rng, {3, 5}, 8, true, 0, 2));
    bound_other_layout(*cs.back(), rng, layers::BoundParams{{3, 5}, 8, true, 0}, layers::BoundParams{{5, 3}, 8, true, 0}, 2);
    cs.push_back(bound_case(rng, {4, 4}, 20, true, 0, 1));
    cs.push_back(bound_case(rng, {3, 6}, 30, false, 0, 1));
    cs.push_back(bound_case(rng, {3, 5}, 10, true, 3, 1));
    // MaxPool: cnn_digits' 2x2 stride 2; resnet18's 3x3 stride 2 pad 1; an odd kernel and pads.
    cs.push_back(max_pool_case(rng, mp({1, 2, 6, 6}, 2, 2, 2, 2, 0, 0, 0, 0, 12), 1));
    max_pool_other_pads(*cs.back(), rng, mp({1, 2, 6, 6}, 2, 2, 2, 2, 1, 0, 0, 0, 12), 1);
    cs.push_back(max_pool_case(rng, mp({1, 3, 7, 7}, 3, 3, 2, 2, 1, 1, 1, 1, 16), 2));
    max_pool_other_pads(*cs.back(), rng, mp({1, 3, 7, 7}, 3, 3, 2, 2, 0, 0, 2, 2, 16), 2);
    cs.push_back(max_pool_case(rng, mp({2, 1, 5, 4}, 2, 3, 1, 2, 1, 0, 0, 2, 20), 2));
    max_pool_other_pads(*cs.back(), rng, mp({2, 1, 5, 4}, 2, 3, 1, 2, 0, 1, 1, 1, 20), 2);
    // GlobalAveragePool: 2S not a power of two (the complement's range check), a power of two,
    // rank 3.
    cs.push_back(gap_case(rng, {1, 4, 3, 3}, 1));
    gap_other_spatial(*cs.back(), rng, {1, 4, 3, 3}, {1, 4, 3, 4}, 1);
    cs.push_back(gap_case(rng, {2, 3, 4, 4}, 2));
    cs.push_back(gap_case(rng, {1, 5, 7}, 2));
    // cnn_digits' non-linear layers (zkinfer compile: each ReLU fused with its producer's rescale,
    // shift and bit bound as compiled; one output claim each).
    cs.push_back(relu_case(rng, {1, 16, 8, 8}, 14, 12, 1));
    cs.push_back(max_pool_case(rng, mp({1, 16, 8, 8}, 2, 2, 2, 2, 0, 0, 0, 0, 12), 1));
    cs.push_back(relu_case(rng, {1, 32, 4, 4}, 14, 14, 1));
    cs.push_back(max_pool_case(rng, mp({1, 32, 4, 4}, 2, 2, 2, 2, 0, 0, 0, 0, 13), 1));
    cs.push_back(relu_case(rng, {1, 64}, 15, 15, 1));
    // resnet18's (input 1x3x32x32): the stem's ReLU and MaxPool (3x3, stride 2, pads 1), and the
    // GlobalAveragePool over one spatial position (no spatial variables: a sumcheck of 0 rounds).
    cs.push_back(relu_case(rng, {1, 64, 16, 16}, 16, 13, 1));
    cs.push_back(max_pool_case(rng, mp({1, 64, 16, 16}, 3, 3, 2, 2, 1, 1, 1, 1, 13), 1));
    cs.push_back(gap_case(rng, {1, 512, 1, 1}, 1));

    for (size_t bits = 1; bits <= layers::kMaxRangeBits; ++bits)
      st->plan_calls.push_back(st->nonlinear.add(
          "plans(uint256[])", {word_u64(bits), word_u64(bits), word_u64(0), word_u64(Suite::kMaxPlanVars)}));
    for (auto& cp : cs) add_calls(st->evm(*cp), *cp);
    st->nonlinear.run();
    st->pool.run();
    return st;
  }();
  return *s;
}

TEST(EvmNonlinear, HarnessesFitTheCodeSizeLimit) {
  Suite& s = suite();
  std::printf("code size: ZkNonlinearHarness %llu bytes, ZkPoolHarness %llu bytes (limit 24576)\n",
              static_cast<unsigned long long>(s.nonlinear.code_size()), static_cast<unsigned long long>(s.pool.code_size()));
  EXPECT_GT(s.nonlinear.code_size(), 0u);
  EXPECT_LE(s.nonlinear.code_size(), 24576u);
  EXPECT_GT(s.pool.code_size(), 0u);
  EXPECT_LE(s.pool.code_size(), 24576u);
}

TEST(EvmNonlinear, DigitPlanMatchesCpp) {
  Suite& s = suite();
  for (size_t bits = 1; bits <= layers::kMaxRangeBits; ++bits) {
    const CallResult& r = s.nonlinear[s.plan_calls[bits - 1]];
    ASSERT_TRUE(r.success) << "bits " << bits << ": " << r.error;
    ASSERT_EQ(r.out.size(), 4 * (Suite::kMaxPlanVars + 1));
    for (size_t n = 0; n <= Suite::kMaxPlanVars; ++n) {
      const auto p = layers::DigitPlan::make(bits, n);
      EXPECT_EQ(low_u64(r.out[4 * n]), p.digit_bits) << "bits " << bits << " n " << n;
      EXPECT_EQ(low_u64(r.out[4 * n + 1]), p.num_low) << "bits " << bits << " n " << n;
      EXPECT_EQ(low_u64(r.out[4 * n + 2]), p.low_vars) << "bits " << bits << " n " << n;
      EXPECT_EQ(low_u64(r.out[4 * n + 3]), p.top_bits) << "bits " << bits << " n " << n;
    }
  }
}

TEST(EvmNonlinear, HonestProofsMatchCpp) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    const CallResult& r = s.evm(c)[c.honest_call];
    ASSERT_TRUE(r.success) << c.name << ": " << r.error;
    const StepResult sol = decode_out(r.out, 1);
    ASSERT_TRUE(sol.ok) << c.name;
    std::string why;
    EXPECT_TRUE(same_result(c.honest, sol, &why)) << c.name << ": " << why;
    EXPECT_EQ(sol.consumed, num_words(c)) << c.name;
    // The lookups in registration order: the batch's segments (ids, sizes) ...
    ASSERT_EQ(sol.lookups.size(), c.batch_segments.size()) << c.name;
    for (size_t i = 0; i < sol.lookups.size(); ++i) {
      EXPECT_EQ(sol.lookups[i].id, c.batch_segments[i].first) << c.name << " lookup " << i;
      EXPECT_EQ(sol.lookups[i].num_vars, c.batch_segments[i].second) << c.name << " lookup " << i;
      EXPECT_EQ(c.prover_advice.at(sol.lookups[i].id).size(), size_t{1} << sol.lookups[i].num_vars) << c.name;
    }
    // ... and the tables (log sizes, segments grouped) the BatchVerifier holds.
    EXPECT_TRUE(same_shapes(c.honest.shapes, group(sol.lookups))) << c.name;
    // The claims are true: on the input (the prover's) and on the prover's advice vectors.
    const std::vector<Claim> none;
    const auto& prover_in = c.prover_inputs.empty() ? none : c.prover_inputs[0];
    if (!prover_in.empty() || !sol.inputs[0].empty()) {
      ASSERT_EQ(sol.inputs[0].size(), prover_in.size()) << c.name;
      for (size_t i = 0; i < sol.inputs[0].size(); ++i) {
        EXPECT_EQ(sol.inputs[0][i].point, prover_in[i].point) << c.name;
        EXPECT_EQ(sol.inputs[0][i].value.value(), prover_in[i].value.value()) << c.name;
      }
    }
    for (const auto& a : sol.advice) {
      ASSERT_LT(a.advice, c.prover_advice.size()) << c.name;
      EXPECT_EQ(a.claim.value.value(), poly::evaluate_mle<Fr>(c.prover_advice[a.advice], a.claim.point)) << c.name;
    }
  }
}

TEST(EvmNonlinear, EveryChangedWordMatchesCppAndIsRejectedOrMovesTheState) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  for (const auto& cp : s.cases) expect_changes_match(s.evm(*cp), *cp, 1, 70);
}

TEST(EvmNonlinear, CheatingProversMatchCpp) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  size_t n = 0;
  for (const auto& cp : s.cases) n += expect_reproved_match(s.evm(*cp), *cp, 1);
  // 2 per case (forged claim, forced output) but GlobalAveragePool (1) and bound (the padding
  // entry only where there is padding: 3 of 4), and 5 proofs for other parameters.
  EXPECT_EQ(n, 58u);
}

TEST(EvmNonlinear, MalformedCallsAreRejected) {
  Suite& s = suite();
  for (const auto& cp : s.cases) expect_malformed_rejected(s.evm(*cp), *cp, 1);
}

TEST(EvmNonlinear, GasPerRoutine) {
  Suite& s = suite();
  // routine: the step routine's own gas (gasleft() around it); call: the whole call's execution
  // gas (with the harness's decoding of the words into claims and its encoding of the result).
  // memory: the bytes the routine allocated (a whole-model verifier pays for the memory all its
  // steps leave allocated: the cost is quadratic in the total).
  std::printf("%-74s %5s %9s %9s %8s\n", "routine", "words", "routine", "call", "memory");
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    const CallResult& r = s.evm(c)[c.honest_call];
    ASSERT_TRUE(r.success);
    const StepResult sol = decode_out(r.out, 1);
    EXPECT_GT(sol.gas, 0u);
    EXPECT_LT(sol.gas, r.gas);
    EXPECT_GT(sol.memory, 0u);
    std::printf("%-74s %5zu %9llu %9llu %8llu\n", c.name.c_str(), num_words(c), static_cast<unsigned long long>(sol.gas),
                static_cast<unsigned long long>(r.gas), static_cast<unsigned long long>(sol.memory));
  }
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  if (std::system("node --version > /dev/null 2>&1") != 0 || std::system("npm --version > /dev/null 2>&1") != 0) {
    std::fprintf(stderr, "evm_nonlinear_test: node or npm is not installed (bash scripts/install-deps.sh); skipped\n");
    return 77;
  }
  if (!std::filesystem::exists(std::string(ZKINFER_SOURCE_DIR) + "/tools/evm/node_modules/@ethereumjs/evm")) {
    std::fprintf(stderr, "evm_nonlinear_test: tools/evm/node_modules is missing: run bash scripts/install-evm.sh\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
