// Differential tests of the elementwise step routine on the EVM (contracts/ZkElementwise.sol,
// through the TEST-ONLY harness contracts/test/ZkElementwiseHarness.sol) against the C++ layer
// verifier layers::verify_elementwise, in a real EVM (@ethereumjs/evm through tools/evm/run.js).
//
// Each case is an elementwise proof made by the C++ prover (Add, Sub, Mul, Pow 2 as x * x, the
// affine a x + b of BatchNormalization; operands of the output's shape and broadcast ones; with
// the output rescale (shift > 0, with and without its output range check), without it (shift 0)
// and with a scale-up (shift < 0)) on random integer tensors with a v2 transcript, in a session
// carrying a lookup::BatchProver (the whole-model mode: the rescale's range checks are registered
// with the batch). The C++ verifier runs from the same transcript state in a session carrying a
// lookup::BatchVerifier, on the proof's bytes, and the Solidity routine on the same words.
// Asserted, for the honest proof: both accept, with equal claims on a, b and c, advice claims,
// final transcript state and words consumed; the lookups the routine returns are what the
// BatchVerifier holds; the claims on the operands are the prover's and true evaluations of the
// operands (their own, unbroadcast shapes). Then every changed word (each proof word + 1, each
// output claim's value and point coordinates + 1) is run through both: the Solidity result must
// equal the C++ one (a revert counts as a rejection), and each change must be rejected or move
// the transcript state. Cheating provers (a forged output claim) and malformed calls (a word
// short, a short claim point) are checked as in evm_nonlinear_test. The gas per case is printed
// (BENCHMARKS.md, "Issue 15: whole-model EVM verifier").
//
// Exit status 77 (CTest's skip) when node or npm is not installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "evm_runner.h"
#include "evm_step_case.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/random.h"
#include "layers/elementwise.h"
#include "layers/layout.h"
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
using Op = layers::ElementwiseParams::Op;

using namespace evmstep;  // Case, StepResult, make_case, run_cpp, ... (evm_step_case.h)

const char* op_name(Op op) {
  switch (op) {
    case Op::kAdd: return "add";
    case Op::kSub: return "sub";
    case Op::kMul: return "mul";
    case Op::kAffine: return "affine";
  }
  return "?";
}

std::vector<size_t> dims_or(const std::vector<size_t>& d, const std::vector<size_t>& y) { return d.empty() ? y : d; }

// An elementwise case: operands of these shapes (empty: y's), values bounded by `bound`; `same`:
// b is a itself (Pow 2 as x * x).
std::unique_ptr<Case> ew_case(TestRng& rng, const layers::ElementwiseParams& p, int64_t bound, size_t nclaims,
                              bool same = false) {
  auto c = std::make_unique<Case>();
  c->signature = "elementwise(uint256[])";
  c->name = std::string(same ? "pow2" : op_name(p.op)) + " " + dims_name(p.dims);
  if (!p.a_dims.empty()) c->name += " a " + dims_name(p.a_dims);
  if (!p.b_dims.empty()) c->name += " b " + dims_name(p.b_dims);
  if (!p.c_dims.empty()) c->name += " c " + dims_name(p.c_dims);
  if (p.ea || p.eb) c->name += " e " + std::to_string(p.ea) + "," + std::to_string(p.eb);
  c->name += " shift " + std::to_string(p.shift) + (p.out_bits ? " out_bits " + std::to_string(p.out_bits) : "") + ", " +
             std::to_string(nclaims) + " claim(s)";
  c->params = {word_u64(static_cast<uint64_t>(p.op))};
  for (const auto* d : {&p.dims, &p.a_dims, &p.b_dims, &p.c_dims})
    for (const Word& w : dims_words(*d)) c->params.push_back(w);
  c->params.push_back(word_u64(p.ea));
  c->params.push_back(word_u64(p.eb));
  c->params.push_back(word_i64(p.shift));
  c->params.push_back(word_u64(p.out_bits));
  const PaddedShape ys(p.dims), as(dims_or(p.a_dims, p.dims)), bs(dims_or(p.b_dims, p.dims)), cs(dims_or(p.c_dims, p.dims));
  const auto a = random_ints(rng, as.unpadded_size(), bound);
  const auto b = same ? a : random_ints(rng, bs.unpadded_size(), bound);
  const auto cv = p.op == Op::kAffine ? random_ints(rng, cs.unpadded_size(), bound) : std::vector<int64_t>{};
  layers::ElementwiseProver prover(p, a, b, cv);
  c->claims = true_claims(rng, ys, prover.output(), nclaims);
  for (const auto& adv : prover.advice()) c->prover_advice.push_back(fr_table(adv));
  c->verify = [p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr,
                  std::vector<std::vector<Claim>>* inputs, std::vector<AdviceClaim>* adv) {
    const auto proof = layers::ElementwiseProof::deserialize(rd, p, cl.size());
    layers::ElementwiseClaims out;
    Verdict v = layers::verify_elementwise(p, cl, proof, tr, &out);
    *inputs = {std::move(out.a), std::move(out.b), std::move(out.c)};
    *adv = std::move(out.advice);
    return v;
  };
  make_case(*c, rng, [&](transcript::Transcript& tp) {
    layers::ElementwiseClaims out;
    auto proof = bytes_of(prover.prove(c->claims, tp, &out));
    c->prover_inputs = {std::move(out.a), std::move(out.b), std::move(out.c)};
    return proof;
  });
  // The claims on the operands are true (their own shapes).
  const auto at = layers::padded_table(as, a), bt = layers::padded_table(bs, b);
  for (const auto& x : c->prover_inputs.at(0)) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(at, x.point)) << c->name;
  for (const auto& x : c->prover_inputs.at(1)) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(bt, x.point)) << c->name;
  if (p.op == Op::kAffine) {
    const auto ct = layers::padded_table(cs, cv);
    for (const auto& x : c->prover_inputs.at(2)) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(ct, x.point)) << c->name;
  }
  // A forged claim: the rescale's output range check rejects it, as does the product's sumcheck;
  // Add/Sub accept it otherwise (the claim on b is then wrong).
  const bool reject = (p.shift > 0 && p.out_bits > 0) || p.op == Op::kMul || p.op == Op::kAffine;
  reprove(*c, "forged claim value", forged(c->claims), reject, [&](const std::vector<Claim>& cl, transcript::Transcript& tp) {
    layers::ElementwiseProver pr(p, a, b, cv);
    layers::ElementwiseClaims ec;
    return bytes_of(pr.prove(cl, tp, &ec));
  });
  return c;
}

layers::ElementwiseParams ew(Op op, std::vector<size_t> dims, std::vector<size_t> ad, std::vector<size_t> bd, std::vector<size_t> cd,
                             size_t ea, size_t eb, int shift, size_t out_bits) {
  layers::ElementwiseParams p;
  p.op = op;
  p.dims = std::move(dims);
  p.a_dims = std::move(ad);
  p.b_dims = std::move(bd);
  p.c_dims = std::move(cd);
  p.ea = ea, p.eb = eb, p.shift = shift, p.out_bits = out_bits;
  return p;
}

struct Suite {
  std::vector<std::unique_ptr<Case>> cases;
  Evm evm{"ZkElementwiseHarness"};
  std::vector<size_t> bad_param_calls;
};

Suite& suite() {
  static Suite* s = [] {
    auto* st = new Suite;
    TestRng rng(test_seed());
    auto& cs = st->cases;
    // Add/Sub: equal shapes with scale alignment and no rescale; a residual add with the rescale
    // (with and without the output's range check); broadcast operands on both sides; a scale-up.
    cs.push_back(ew_case(rng, ew(Op::kAdd, {2, 3, 4}, {}, {}, {}, 0, 2, 0, 0), 1 << 12, 2));
    cs.push_back(ew_case(rng, ew(Op::kAdd, {1, 4, 3, 3}, {}, {}, {}, 3, 0, 4, 14), 1 << 12, 1));
    cs.push_back(ew_case(rng, ew(Op::kAdd, {1, 4, 3, 3}, {}, {}, {}, 0, 0, 2, 0), 1 << 12, 1));
    cs.push_back(ew_case(rng, ew(Op::kSub, {2, 3, 5}, {2, 1, 5}, {1, 3, 1}, {}, 1, 0, 3, 12), 1 << 12, 2));
    cs.push_back(ew_case(rng, ew(Op::kSub, {3, 6}, {}, {1, 6}, {}, 0, 0, -2, 0), 1 << 12, 1));
    cs.push_back(ew_case(rng, ew(Op::kAdd, {4, 1, 5}, {1, 1, 5}, {4, 1, 1}, {}, 0, 4, 0, 0), 1 << 12, 3));
    // Mul: equal shapes without the rescale, a broadcast operand with it, a scalar operand; Pow 2.
    cs.push_back(ew_case(rng, ew(Op::kMul, {3, 5}, {}, {}, {}, 0, 0, 0, 0), 1 << 10, 1));
    cs.push_back(ew_case(rng, ew(Op::kMul, {2, 6}, {}, {1, 6}, {}, 0, 0, 8, 13), 1 << 10, 2));
    cs.push_back(ew_case(rng, ew(Op::kMul, {2, 3, 3}, {1, 1, 1}, {}, {}, 0, 0, 6, 0), 1 << 10, 1));
    cs.push_back(ew_case(rng, ew(Op::kMul, {1, 8}, {}, {}, {}, 0, 0, -1, 0), 1 << 10, 1, true));
    // Affine (BatchNormalization): per-channel a, b over (N, C, H, W), with and without the
    // rescale's range check, and without the rescale.
    cs.push_back(ew_case(rng, ew(Op::kAffine, {1, 4, 3, 3}, {}, {1, 4, 1, 1}, {1, 4, 1, 1}, 0, 0, 6, 14), 1 << 10, 1));
    cs.push_back(ew_case(rng, ew(Op::kAffine, {2, 3, 2, 2}, {}, {1, 3, 1, 1}, {1, 3, 1, 1}, 0, 0, 4, 0), 1 << 10, 2));
    cs.push_back(ew_case(rng, ew(Op::kAffine, {1, 5, 4}, {}, {1, 5, 1}, {1, 5, 1}, 0, 0, 0, 0), 1 << 10, 1));

    Evm& evm = st->evm;
    for (auto& cp : cs) add_calls(evm, *cp);
    // Parameters the C++ verifier rejects: the routine must reject them too (the honest words of
    // case 0 with bad parameters).
    {
      const Case& c = *cs[0];
      auto bad = [&](size_t at, Word w) {
        auto words = call_words(c, c.claims, c.proof);
        words[at] = w;
        st->bad_param_calls.push_back(evm.add(c.signature, words));
      };
      bad(0, word_u64(4));                       // op 4
      bad(c.params.size() - 4, word_u64(41));    // ea
      bad(c.params.size() - 3, word_u64(41));    // eb
      bad(c.params.size() - 2, word_i64(-41));   // shift
      bad(c.params.size() - 2, word_i64(62));    // shift
      bad(c.params.size() - 1, word_u64(61));    // out_bits
    }
    evm.run();
    return st;
  }();
  return *s;
}

TEST(EvmElementwise, HarnessFitsTheCodeSizeLimit) {
  Suite& s = suite();
  std::printf("code size: ZkElementwiseHarness %llu bytes (limit 24576)\n", static_cast<unsigned long long>(s.evm.code_size()));
  EXPECT_GT(s.evm.code_size(), 0u);
  EXPECT_LE(s.evm.code_size(), 24576u);
}

TEST(EvmElementwise, HonestProofsMatchCpp) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    const CallResult& r = s.evm[c.honest_call];
    ASSERT_TRUE(r.success) << c.name << ": " << r.error;
    const StepResult sol = decode_out(r.out, 3);
    ASSERT_TRUE(sol.ok) << c.name;
    std::string why;
    EXPECT_TRUE(same_result(c.honest, sol, &why)) << c.name << ": " << why;
    EXPECT_EQ(sol.consumed, num_words(c)) << c.name;
    ASSERT_EQ(sol.lookups.size(), c.batch_segments.size()) << c.name;
    for (size_t i = 0; i < sol.lookups.size(); ++i) {
      EXPECT_EQ(sol.lookups[i].id, c.batch_segments[i].first) << c.name << " lookup " << i;
      EXPECT_EQ(sol.lookups[i].num_vars, c.batch_segments[i].second) << c.name << " lookup " << i;
    }
    EXPECT_TRUE(same_shapes(c.honest.shapes, group(sol.lookups))) << c.name;
    // The claims are the prover's (true evaluations of the operands: checked in ew_case).
    ASSERT_EQ(c.prover_inputs.size(), 3u) << c.name;
    for (size_t k = 0; k < 3; ++k) EXPECT_TRUE(same_claims(sol.inputs[k], c.prover_inputs[k])) << c.name << " operand " << k;
    EXPECT_EQ(sol.inputs[0].size(), c.claims.size()) << c.name;
    for (const auto& a : sol.advice) {
      ASSERT_LT(a.advice, c.prover_advice.size()) << c.name;
      EXPECT_EQ(a.claim.value.value(), poly::evaluate_mle<Fr>(c.prover_advice[a.advice], a.claim.point)) << c.name;
    }
  }
}

TEST(EvmElementwise, EveryChangedWordMatchesCppAndIsRejectedOrMovesTheState) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  for (const auto& cp : s.cases) expect_changes_match(s.evm, *cp, 3, 82);
}

TEST(EvmElementwise, CheatingProversMatchCpp) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  size_t n = 0;
  for (const auto& cp : s.cases) n += expect_reproved_match(s.evm, *cp, 3);
  EXPECT_EQ(n, s.cases.size());
}

TEST(EvmElementwise, MalformedCallsAndParametersAreRejected) {
  Suite& s = suite();
  for (const auto& cp : s.cases) expect_malformed_rejected(s.evm, *cp, 3);
  ASSERT_EQ(s.bad_param_calls.size(), 6u);
  for (size_t i = 0; i < s.bad_param_calls.size(); ++i) {
    const CallResult& r = s.evm[s.bad_param_calls[i]];
    ASSERT_TRUE(r.success) << "bad parameters " << i << ": " << r.error;
    EXPECT_FALSE(decode_out(r.out, 3).ok) << "bad parameters " << i << " accepted";
  }
}

TEST(EvmElementwise, GasPerCase) {
  Suite& s = suite();
  std::printf("%-82s %5s %9s %9s %8s\n", "routine", "words", "routine", "call", "memory");
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    const CallResult& r = s.evm[c.honest_call];
    ASSERT_TRUE(r.success);
    const StepResult sol = decode_out(r.out, 3);
    EXPECT_GT(sol.gas, 0u);
    EXPECT_LT(sol.gas, r.gas);
    std::printf("%-82s %5zu %9llu %9llu %8llu\n", c.name.c_str(), num_words(c), static_cast<unsigned long long>(sol.gas),
                static_cast<unsigned long long>(r.gas), static_cast<unsigned long long>(sol.memory));
  }
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  if (std::system("node --version > /dev/null 2>&1") != 0 || std::system("npm --version > /dev/null 2>&1") != 0) {
    std::fprintf(stderr, "evm_elementwise_test: node or npm is not installed (bash scripts/install-deps.sh); skipped\n");
    return 77;
  }
  if (!std::filesystem::exists(std::string(ZKINFER_SOURCE_DIR) + "/tools/evm/node_modules/@ethereumjs/evm")) {
    std::fprintf(stderr, "evm_elementwise_test: tools/evm/node_modules is missing: run bash scripts/install-evm.sh\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
