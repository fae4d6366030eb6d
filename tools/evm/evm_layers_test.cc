// Differential tests of the linear layers' EVM step routines (contracts/ZkMatmul.sol, ZkConv.sol,
// ZkCombine.sol, ZkReindex.sol) against the C++ layer verifiers (src/layers: verify_matmul,
// verify_conv, verify_combine, verify_reindex; plain mode), run in a real EVM: @ethereumjs/evm
// through tools/evm/run.js, one deployment per TEST-ONLY harness (contracts/test/ZkLinearHarness.sol,
// ZkMoveHarness.sol), every call in one node process per harness.
//
// Each case: random integer tensors of a shape (odd sizes that pad, several output claims, bias or
// none, Gemm transposes, batched products, convolutions with stride / padding / dilation / groups,
// combinations of 1..4 claims, every ReindexMap constructor: Flatten, Reshape, Transpose, Slice,
// Pad, Expand, Gather, Tile, Trilu), true claims on the output at random points, a proof by the
// C++ prover from a v2 transcript in a random state, and the C++ verifier from the same state on
// the proof as deserialized. The Solidity routine runs on the same words from the same state;
// asserted: it accepts and returns exactly the C++ verifier's claims (every point coordinate and
// value, in order), the C++ final transcript state and the number of words the C++ deserializer
// read. Then every changed word (+ 1) is refused: each proof word and each claim value on the
// output must be rejected (ok = false or a revert); each claim point coordinate and the state
// before must be rejected or move the output (another point is another claim, which may hold:
// with k = 1 a matmul has no rounds, and free moves carry any claim); the first proof word + R
// (the same residue, not canonical) is rejected; shapes that the C++ refuses revert. Gas per
// routine is printed (BENCHMARKS.md, "Issue 15: layer step routines on the EVM").
//
// Exit status 77 (CTest's skip) when node or npm is not installed. ZKINFER_EVM_KEEP=1 keeps the
// runner's calls and answers.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "evm_runner.h"
#include "common/random.h"
#include "hash/keccak.h"
#include "layers/combine.h"
#include "layers/conv.h"
#include "layers/matmul.h"
#include "layers/reindex.h"
#include "layers/test_util.h"
#include "poly/mle.h"
#include "test_seed.h"
#include "transcript/transcript.h"

namespace zkinfer {
namespace {

using field::Fr;
using layers::Claim;
using testing::seed_note;
using testing::test_seed;
using namespace evmtest;  // Word, calldata, Evm, ... (evm_runner.h)

bool accepted(const CallResult& r) { return r.success && !r.out.empty() && r.out[0] == word_u64(1); }
// The harness's output without its last word (the routine's gas).
std::vector<Word> body(const CallResult& r) {
  return r.out.empty() ? r.out : std::vector<Word>(r.out.begin(), r.out.end() - 1);
}
bool rejected(const CallResult& r) { return !accepted(r); }

// A transcript (v2) in a random state: the same for prover and verifier.
transcript::Transcript fresh(uint64_t salt) {
  transcript::Transcript t("evm-layers-test", transcript::Encoding::kV2);
  t.absorb_u64("test.salt", salt);
  return t;
}

// The claims as words (count; per claim |point|, point, value); the indices of the point
// coordinates go to *points and of the values to *values when given.
void put_claims(std::vector<Word>& out, std::span<const Claim> cl, std::vector<size_t>* points = nullptr,
                std::vector<size_t>* values = nullptr) {
  out.push_back(word_u64(cl.size()));
  for (const auto& c : cl) {
    out.push_back(word_u64(c.point.size()));
    for (const Fr& x : c.point) {
      if (points) points->push_back(out.size());
      out.push_back(word(x));
    }
    if (values) values->push_back(out.size());
    out.push_back(word(c.value.value()));
  }
}

std::vector<Word> proof_words(const ByteWriter& w) {
  std::vector<Word> out;
  EXPECT_EQ(w.data().size() % 32, 0u);
  for (size_t i = 0; i + 32 <= w.data().size(); i += 32) out.push_back(be_from_le(std::span(w.data()).subspan(i, 32)));
  return out;
}

// One differential case: the harness words (the shape, the claims on the output, the state, the
// proof) and what the C++ verifier returned, as the harness's output words.
struct Case {
  std::string name, sig;
  std::vector<Word> words;
  std::vector<size_t> changed;  // word indices whose change must be rejected
  // word indices (claim points, the state before) whose change must be rejected or move the output:
  // a changed point is another claim, which may hold (k = 1: no rounds) and then gives other claims
  std::vector<size_t> moved;
  size_t proof_at = 0;
  std::vector<Word> want;  // [1, state, pos, x claims, w claims, bias claims]
  size_t honest = 0, noncanonical = SIZE_MAX;
  std::vector<size_t> bad, bad_moved;
};

// Finishes a case: the state before and the proof appended; the expected output from the C++
// verifier's verdict, final state and claims.
void finish(Case& c, const Word& before, const std::vector<Word>& proof, bool cpp_ok, const transcript::Transcript& tv,
            std::span<const Claim> x, std::span<const Claim> w, std::span<const Claim> bias) {
  EXPECT_TRUE(cpp_ok) << c.name << ": the C++ verifier rejected the honest proof";
  c.moved.push_back(c.words.size());
  c.words.push_back(before);
  c.proof_at = c.words.size();
  for (const Word& p : proof) {
    c.changed.push_back(c.words.size());
    c.words.push_back(p);
  }
  c.want = {word_u64(1), state_word(tv), word_u64(c.words.size())};
  put_claims(c.want, x);
  put_claims(c.want, w);
  put_claims(c.want, bias);
}

void schedule(Evm& evm, Case& c) {
  c.honest = evm.add(c.sig, c.words);
  for (size_t i : c.changed) {
    auto w = c.words;
    w[i] = plus_one(w[i]);
    c.bad.push_back(evm.add(c.sig, w));
  }
  for (size_t i : c.moved) {
    auto w = c.words;
    w[i] = plus_one(w[i]);
    c.bad_moved.push_back(evm.add(c.sig, w));
  }
  if (c.proof_at < c.words.size()) {
    auto w = c.words;
    w[c.proof_at] = plus_r(w[c.proof_at]);
    c.noncanonical = evm.add(c.sig, w);
  }
}

// ---------------------------------------------------------------------------------------------
// Matmul.

struct MatmulSpec {
  std::vector<size_t> batch;
  size_t m, k, n;
  bool ta = false, tb = false, bias = false, bias_batch = false, bias_rows = false, bias_cols = false;
  size_t claims = 1;
};

// Y = A B (+ c) over unpadded row-major int64 (the layer test's reference).
std::vector<int64_t> matmul_reference(const MatmulSpec& c, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                      const std::vector<int64_t>& bias) {
  size_t nb = 1;
  for (size_t d : c.batch) nb *= d;
  std::vector<int64_t> y(nb * c.m * c.n, 0);
  for (size_t bi = 0; bi < nb; ++bi)
    for (size_t i = 0; i < c.m; ++i)
      for (size_t j = 0; j < c.n; ++j) {
        int64_t acc = 0;
        for (size_t z = 0; z < c.k; ++z) {
          const int64_t av = c.ta ? a[(bi * c.k + z) * c.m + i] : a[(bi * c.m + i) * c.k + z];
          const int64_t bv = c.tb ? b[(bi * c.n + j) * c.k + z] : b[(bi * c.k + z) * c.n + j];
          acc += av * bv;
        }
        if (c.bias) {
          const size_t rows = c.bias_rows ? c.m : 1, cols = c.bias_cols ? c.n : 1;
          acc += bias[((c.bias_batch ? bi : 0) * rows + (c.bias_rows ? i : 0)) * cols + (c.bias_cols ? j : 0)];
        }
        y[(bi * c.m + i) * c.n + j] = acc;
      }
  return y;
}

Case matmul_case(TestRng& rng, const MatmulSpec& sp, uint64_t salt) {
  layers::MatmulShape s;
  s.batch = sp.batch;
  s.m = sp.m, s.k = sp.k, s.n = sp.n;
  s.trans_a = sp.ta, s.trans_b = sp.tb;
  s.bias = sp.bias, s.bias_batch = sp.bias_batch, s.bias_rows = sp.bias_rows, s.bias_cols = sp.bias_cols;
  EXPECT_FALSE(s.invalid());
  const auto a = layers::testing::random_ints(rng, s.a_shape().unpadded_size(), 1000);
  const auto b = layers::testing::random_ints(rng, s.b_shape().unpadded_size(), 1000);
  std::vector<int64_t> bias_int;
  std::vector<Fr> bias;
  if (sp.bias) {
    bias_int = layers::testing::random_ints(rng, s.bias_shape().unpadded_size(), 1 << 20);
    bias = layers::padded_table(s.bias_shape(), bias_int);
  }
  const auto y = layers::padded_table(s.y_shape(), matmul_reference(sp, a, b, bias_int));
  const auto claims = layers::testing::true_claims(rng, y, s.y_shape().num_vars(), sp.claims);

  auto tp = fresh(salt), tv = fresh(salt);
  const Word before = state_word(tv);
  ByteWriter bw;
  layers::prove_matmul(s, std::span<const int64_t>(a), std::span<const int64_t>(b), bias, claims, tp).serialize(bw);
  ByteReader r(bw.data(), "matmul");
  const auto proof = layers::MatmulProof::deserialize(r, s, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  layers::MatmulClaims out;
  const bool ok = layers::verify_matmul(s, claims, proof, tv, &out).ok();

  Case c;
  c.sig = "matmul(uint256[])";
  c.name = "matmul batch=" + std::to_string(sp.batch.size()) + " m=" + std::to_string(sp.m) + " k=" + std::to_string(sp.k) +
           " n=" + std::to_string(sp.n) + (sp.ta ? " tA" : "") + (sp.tb ? " tB" : "") +
           (sp.bias ? std::string(" bias(") + (sp.bias_batch ? "b" : "") + (sp.bias_rows ? "r" : "") + (sp.bias_cols ? "c" : "") + ")" : "") +
           " claims=" + std::to_string(sp.claims);
  c.words.push_back(word_u64(sp.batch.size()));
  for (size_t d : sp.batch) c.words.push_back(word_u64(d));
  for (size_t d : {sp.m, sp.k, sp.n}) c.words.push_back(word_u64(d));
  c.words.push_back(word_u64(sp.ta | sp.tb << 1 | sp.bias << 2 | sp.bias_batch << 3 | sp.bias_rows << 4 | sp.bias_cols << 5));
  put_claims(c.words, claims, &c.moved, &c.changed);
  finish(c, before, proof_words(bw), ok, tv, out.a, out.b, out.bias);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Combine.

Case combine_case(TestRng& rng, size_t num_vars, size_t count, uint64_t salt) {
  std::vector<Fr> table(size_t{1} << num_vars);
  for (Fr& x : table) x = Fr::random(rng);
  const auto claims = layers::testing::true_claims(rng, table, num_vars, count);
  auto tp = fresh(salt), tv = fresh(salt);
  const Word before = state_word(tv);
  layers::CombineProof pp;
  layers::prove_combine(table, num_vars, claims, tp, &pp);
  ByteWriter bw;
  pp.serialize(bw);
  ByteReader r(bw.data(), "combine");
  const auto proof = layers::CombineProof::deserialize(r, num_vars, count);
  EXPECT_EQ(r.remaining(), 0u);
  Claim out;
  const bool ok = layers::verify_combine(num_vars, claims, proof, tv, &out).ok();
  Case c;
  c.sig = "combine(uint256[])";
  c.name = "combine vars=" + std::to_string(num_vars) + " claims=" + std::to_string(count);
  c.words.push_back(word_u64(num_vars));
  put_claims(c.words, claims, &c.moved, &c.changed);
  finish(c, before, proof_words(bw), ok, tv, std::vector<Claim>{out}, {}, {});
  if (count == 1) c.changed.clear();  // nothing to reject: the claim passes unchanged (and moves)
  return c;
}

// ---------------------------------------------------------------------------------------------
// Conv.

struct ConvSpec {
  size_t n, c, h, w, co, kh, kw;
  size_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool bias = false;
  size_t claims = 1, groups = 1;
};

// Plain integer reference convolution (NCHW, grouped; the layer test's).
std::vector<int64_t> conv_reference(const layers::ConvShape& s, const std::vector<int64_t>& x, const std::vector<int64_t>& wt,
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

Case conv_case(TestRng& rng, const ConvSpec& k, uint64_t salt) {
  layers::ConvShape s;
  s.n = k.n, s.c = k.c, s.h = k.h, s.w = k.w, s.co = k.co, s.kh = k.kh, s.kw = k.kw;
  s.stride_h = k.sh, s.stride_w = k.sw, s.dil_h = k.dh, s.dil_w = k.dw;
  s.pad_top = k.pt, s.pad_left = k.pl, s.pad_bottom = k.pb, s.pad_right = k.pr;
  s.bias = k.bias, s.groups = k.groups;
  EXPECT_FALSE(s.invalid());
  const auto x = layers::testing::random_ints(rng, s.x_shape().unpadded_size(), 100);
  const auto wt = layers::testing::random_ints(rng, s.w_shape().unpadded_size(), 100);
  std::vector<int64_t> bias_int;
  std::vector<Fr> bias;
  if (k.bias) {
    bias_int = layers::testing::random_ints(rng, s.co, 1 << 16);
    bias = layers::padded_table(s.bias_shape(), bias_int);
  }
  const auto y = layers::padded_table(s.y_shape(), conv_reference(s, x, wt, bias_int));
  const auto claims = layers::testing::true_claims(rng, y, s.y_shape().num_vars(), k.claims);

  auto tp = fresh(salt), tv = fresh(salt);
  const Word before = state_word(tv);
  ByteWriter bw;
  layers::prove_conv(s, std::span<const int64_t>(x), std::span<const int64_t>(wt), bias, claims, tp).serialize(bw);
  ByteReader r(bw.data(), "conv");
  const auto proof = layers::ConvProof::deserialize(r, s, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  layers::ConvClaims out;
  const bool ok = layers::verify_conv(s, claims, proof, tv, &out).ok();

  Case c;
  c.sig = "conv(uint256[])";
  c.name = "conv x=" + std::to_string(k.n) + "x" + std::to_string(k.c) + "x" + std::to_string(k.h) + "x" + std::to_string(k.w) +
           " co=" + std::to_string(k.co) + " k=" + std::to_string(k.kh) + "x" + std::to_string(k.kw) +
           (k.sh * k.sw > 1 ? " s=" + std::to_string(k.sh) + "," + std::to_string(k.sw) : "") +
           (k.dh * k.dw > 1 ? " d=" + std::to_string(k.dh) + "," + std::to_string(k.dw) : "") +
           (k.pt + k.pl + k.pb + k.pr > 0 ? " p=" + std::to_string(k.pt) + std::to_string(k.pl) + std::to_string(k.pb) + std::to_string(k.pr) : "") +
           (k.groups > 1 ? " g=" + std::to_string(k.groups) : "") + (k.bias ? " bias" : "") + " claims=" + std::to_string(k.claims);
  for (size_t v : {k.n, k.c, k.h, k.w, k.co, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, k.pt, k.pl, k.pb, k.pr, size_t{k.bias}, k.groups})
    c.words.push_back(word_u64(v));
  put_claims(c.words, claims, &c.moved, &c.changed);
  finish(c, before, proof_words(bw), ok, tv, std::vector<Claim>{out.x}, out.w, out.bias);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Reindex (data movement).

// The map's words; `compress`: groups whose map is 0, 1, .., n-1 as iota (kind 2), as the
// generator emits them.
void put_map(std::vector<Word>& out, const layers::ReindexMap& m, bool compress) {
  auto list = [&](const std::vector<size_t>& v) {
    out.push_back(word_u64(v.size()));
    for (size_t d : v) out.push_back(word_u64(d));
  };
  list(m.x_dims);
  list(m.y_dims);
  out.push_back(word_u64(m.groups.size()));
  for (const auto& g : m.groups) {
    list(g.y_axes);
    list(g.x_axes);
    bool iota = !g.identity && compress;
    for (size_t t = 0; iota && t < g.map.size(); ++t) iota = g.map[t] == static_cast<int64_t>(t);
    out.push_back(word_u64(g.identity ? 1 : iota ? 2 : 0));
    if (iota) {
      out.push_back(word_u64(0));
      continue;
    }
    out.push_back(word_u64(g.map.size()));
    for (int64_t v : g.map) out.push_back(word_i64(v));
  }
  out.push_back(word_i64(m.pad_value));
}

Case reindex_case(TestRng& rng, const std::string& name, const layers::ReindexMap& m, size_t count, bool compress,
                  uint64_t salt) {
  EXPECT_FALSE(m.invalid()) << name;
  const layers::PaddedShape xs(m.x_dims), ys(m.y_dims);
  const auto x = layers::testing::random_ints(rng, xs.unpadded_size(), 1 << 20);
  const auto y = layers::padded_table(ys, m.apply(x));
  const auto claims = layers::testing::true_claims(rng, y, ys.num_vars(), count);
  auto tp = fresh(salt), tv = fresh(salt);
  const Word before = state_word(tv);
  layers::ReindexProof pp;
  layers::prove_reindex(m, x, claims, tp, &pp);
  ByteWriter bw;
  pp.serialize(bw);
  ByteReader r(bw.data(), "reindex");
  const auto proof = layers::ReindexProof::deserialize(r, m, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  std::vector<Claim> out;
  const bool ok = layers::verify_reindex(m, claims, proof, tv, &out).ok();
  Case c;
  c.sig = "reindex(uint256[])";
  c.name = "reindex " + name + (compress ? "" : " (explicit maps)") + " claims=" + std::to_string(count);
  put_map(c.words, m, compress);
  put_claims(c.words, claims, &c.moved, &c.changed);
  finish(c, before, proof_words(bw), ok, tv, out, {}, {});
  if (proof.sumchecks.empty()) {  // free: every claim moves to x unchanged, its value too
    c.moved.insert(c.moved.end(), c.changed.begin(), c.changed.end());
    c.changed.clear();
  }
  return c;
}

// ---------------------------------------------------------------------------------------------

struct Plan {
  Evm linear{"ZkLinearHarness"};
  std::vector<Case> linear_cases;
  Evm move{"ZkMoveHarness"};
  std::vector<Case> move_cases;
  // Shapes that the C++ refuses (ConvShape::invalid and the like): each call must revert.
  std::vector<std::pair<std::string, size_t>> malformed_linear, malformed_move;
};

Plan& plan() {
  static Plan* p = [] {
    auto* pl = new Plan;
    TestRng rng(test_seed());
    uint64_t salt = 1;
    const std::vector<MatmulSpec> mm = {
        {{}, 3, 5, 7},
        {{}, 5, 7, 3, false, true, true, false, false, true, 2},  // Gemm: B^T, bias (1, n)
        {{}, 5, 6, 3, true, true, true, false, true, true, 3},    // A^T B^T, bias (m, n)
        {{}, 5, 6, 3, false, false, true, false, false, false},   // scalar bias
        {{}, 6, 5, 3, true, false, true, false, true, false, 2},  // A^T, bias (m, 1)
        {{}, 1, 9, 1, false, false, false, false, false, false, 2},  // no output variables
        {{}, 6, 1, 3, false, false, false, false, false, false, 2},  // k = 1: no rounds
        {{2, 3}, 3, 5, 4, false, false, true, true, true, true, 2},  // batched, bias with the batch
        {{3}, 2, 3, 5, false, true, true, false, false, true, 3},    // batched, broadcast bias
        {{4}, 4, 8, 2, true, false, false, false, false, false, 1},
        {{}, 1, 128, 64, false, true, true, false, false, true, 1},  // cnn_digits' fc1 (Gemm, B^T, bias)
        {{}, 1, 64, 10, false, true, true, false, false, true, 1},   // cnn_digits' fc2
    };
    for (const auto& sp : mm) pl->linear_cases.push_back(matmul_case(rng, sp, salt++));
    for (auto [nv, cnt] : std::vector<std::pair<size_t, size_t>>{{5, 1}, {5, 2}, {7, 4}, {0, 2}, {3, 3}})
      pl->linear_cases.push_back(combine_case(rng, nv, cnt, salt++));
    const std::vector<ConvSpec> cv = {
        {1, 1, 8, 8, 2, 3, 3},                                            // plain, valid padding
        {1, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 2},           // same padding, bias, 2 claims
        {2, 2, 9, 7, 3, 3, 2, 2, 2, 1, 1, 1, 0, 1, 1, true, 1},           // batch 2, stride 2, uneven pads
        {1, 2, 10, 9, 2, 3, 3, 1, 2, 2, 1, 0, 1, 2, 0, false, 3},         // dilation, 3 claims
        {1, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 2, 4},        // depthwise (groups = c = co)
        {1, 4, 5, 5, 6, 2, 3, 2, 1, 1, 1, 0, 1, 0, 1, false, 1, 2},       // grouped (2 groups)
        {1, 3, 4, 4, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, 1},           // 1x1 kernel: no kernel rounds
        {1, 1, 28, 28, 4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, true, 1},         // LeNet-like first conv
        {1, 1, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 1},          // cnn_digits' conv1
        {1, 16, 4, 4, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 1},         // cnn_digits' conv2
        {1, 1, 5, 5, 2, 2, 2, 3, 3, 1, 1, 3, 3, 3, 3, false, 2},          // pads beyond the kernel, stride 3
        {1, 1, 2, 6, 2, 3, 2, 1, 1, 4, 1, 0, 0, 7, 1, true, 1},           // a kernel row that reads only padding
    };
    for (const auto& k : cv) pl->linear_cases.push_back(conv_case(rng, k, salt++));
    for (auto& c : pl->linear_cases) schedule(pl->linear, c);
    {
      auto w = pl->linear_cases[0].words;  // matmul, no batch: word 1 is m
      w[1] = word_u64(0);
      pl->malformed_linear.push_back({"matmul m = 0", pl->linear.add("matmul(uint256[])", w)});
      for (const Case& c : pl->linear_cases)
        if (c.sig == "conv(uint256[])" && c.words[16] != word_u64(1)) {  // grouped: c = 4
          w = c.words;
          w[16] = word_u64(3);
          pl->malformed_linear.push_back({"conv groups not dividing c", pl->linear.add("conv(uint256[])", w)});
          w = c.words;
          w[5] = word_u64(9);  // kh = 9 > h + pads
          pl->malformed_linear.push_back({"conv kernel over the padded input", pl->linear.add("conv(uint256[])", w)});
          break;
        }
      for (const Case& c : pl->linear_cases)
        if (c.sig == "combine(uint256[])" && c.words[0] == word_u64(5) && c.proof_at + 1 < c.words.size()) {
          w = c.words;
          w[0] = word_u64(4);  // points of 5 coordinates
          pl->malformed_linear.push_back({"combine point length", pl->linear.add("combine(uint256[])", w)});
          break;
        }
    }
    pl->linear.run();

    using layers::ReindexMap;
    const std::vector<std::tuple<std::string, ReindexMap, size_t>> maps = {
        {"Flatten [1,8,7,7]->[1,392]", layers::reshape_map({1, 8, 7, 7}, {1, 392}), 2},  // cnn_digits-like
        {"Flatten [1,3,5,6]->[1,90]", layers::reshape_map({1, 3, 5, 6}, {1, 90}), 1},
        {"Flatten [1,512,1,1]->[1,512]", layers::reshape_map({1, 512, 1, 1}, {1, 512}), 2},  // resnet18: free
        {"Reshape [2,6,10]->[4,3,2,5,1]", layers::reshape_map({2, 6, 10}, {4, 3, 2, 5, 1}), 2},
        {"Reshape [3,5]->[5,3]", layers::reshape_map({3, 5}, {5, 3}), 1},
        {"Transpose [2,3,5] (2,0,1)", layers::transpose_map({2, 3, 5}, {2, 0, 1}), 3},  // free
        {"Transpose [1,6,5,3] (0,2,3,1)", layers::transpose_map({1, 6, 5, 3}, {0, 2, 3, 1}), 1},
        {"Slice [4,7,5]", layers::slice_map({4, 7, 5}, {1, 6}, {4, 0}, {0, 1}, {1, -2}), 2},
        {"Pad [3,5] value -7", layers::pad_map({3, 5}, {1, 0, 2, 3}, -7), 2},
        {"Pad [4,3] reflect", layers::pad_map({4, 3}, {0, 2, 1, 0}, 0, "reflect"), 1},
        {"Expand [3,1]->[2,3,4]", layers::expand_map({3, 1}, {2, 3, 4}), 2},
        {"Gather [5,6] axis 1", layers::gather_map({5, 6}, 1, {4, 0, -1}, {3}), 1},
        {"Tile [3,2] (2,3)", layers::tile_map({3, 2}, {2, 3}), 1},
        {"Trilu [2,4,5] upper", layers::trilu_map({2, 4, 5}, true, 1), 2},
    };
    for (const auto& [name, m, count] : maps) pl->move_cases.push_back(reindex_case(rng, name, m, count, true, salt++));
    pl->move_cases.push_back(reindex_case(rng, "Flatten [1,3,5,6]->[1,90]", layers::reshape_map({1, 3, 5, 6}, {1, 90}), 2, false, salt++));
    for (auto& c : pl->move_cases) schedule(pl->move, c);
    {
      // x axis 1 in two groups and x axis 0 in none; an identity between axes of different sizes;
      // a source out of range
      auto bad1 = layers::transpose_map({2, 3}, {1, 0});
      bad1.groups[1].x_axes = {1};
      auto bad2 = layers::transpose_map({2, 3}, {1, 0});
      std::swap(bad2.y_dims[0], bad2.y_dims[1]);
      auto bad3 = layers::slice_map({4, 7}, {1}, {3}, {0}, {});
      bad3.groups[0].map[1] = 4;
      for (const auto* m : {&bad1, &bad2, &bad3}) {
        EXPECT_TRUE(m->invalid());
        std::vector<Word> w;
        put_map(w, *m, true);
        std::vector<Claim> cl(1);
        cl[0].point.assign(layers::PaddedShape(m->y_dims).num_vars(), Fr::one());
        cl[0].value = cp::Val(Fr::one());
        put_claims(w, cl);
        w.push_back(Word{});
        for (int i = 0; i < 8; ++i) w.push_back(word_u64(1));
        pl->malformed_move.push_back({"invalid map " + std::string(*m->invalid()), pl->move.add("reindex(uint256[])", w)});
      }
    }
    pl->move.run();
    return pl;
  }();
  return *p;
}

void check_honest(const Evm& evm, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const CallResult& r = evm[c.honest];
    ASSERT_TRUE(r.success) << c.name << ": reverted: " << r.error;
    ASSERT_EQ(r.out.size(), c.want.size() + 1) << c.name;
    EXPECT_TRUE(accepted(r)) << c.name;
    for (size_t i = 0; i < c.want.size(); ++i) EXPECT_EQ(hex(r.out[i]), hex(c.want[i])) << c.name << ": output word " << i;
    const uint64_t routine = low_u64(r.out.back());
    EXPECT_GT(routine, 0u);
    EXPECT_LT(routine, r.gas);
    std::printf("%-60s %4zu proof words: routine %8llu gas (harness call %llu, tx %llu)\n", c.name.c_str(),
                c.words.size() - c.proof_at, (unsigned long long)routine, (unsigned long long)r.gas,
                (unsigned long long)r.tx_gas);
  }
}

void check_rejected(const Evm& evm, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    ASSERT_EQ(c.bad.size(), c.changed.size());
    size_t reverts = 0;
    for (size_t k = 0; k < c.bad.size(); ++k) {
      EXPECT_TRUE(rejected(evm[c.bad[k]])) << c.name << ": word " << c.changed[k] << " changed, still accepted";
      reverts += !evm[c.bad[k]].success;
    }
    size_t moved = 0;
    for (size_t k = 0; k < c.bad_moved.size(); ++k) {
      const CallResult& r = evm[c.bad_moved[k]];
      const bool other = accepted(r) && body(r) != c.want;
      EXPECT_TRUE(rejected(r) || other) << c.name << ": word " << c.moved[k] << " changed, same output";
      moved += other;
    }
    if (c.noncanonical != SIZE_MAX) EXPECT_TRUE(rejected(evm[c.noncanonical])) << c.name << ": a proof word + R was accepted";
    std::printf("%-60s %zu changed words rejected (%zu by a revert); %zu changed points/states: %zu rejected, %zu moved the output\n",
                c.name.c_str(), c.bad.size(), reverts, c.bad_moved.size(), c.bad_moved.size() - moved, moved);
  }
}

TEST(EvmLayers, LinearHarnessUnderCodeSizeLimit) {
  Plan& p = plan();
  std::printf("ZkLinearHarness code size: %llu bytes\n", (unsigned long long)p.linear.code_size());
  EXPECT_LE(p.linear.code_size(), 24576u);
}

TEST(EvmLayers, MoveHarnessUnderCodeSizeLimit) {
  Plan& p = plan();
  std::printf("ZkMoveHarness code size: %llu bytes\n", (unsigned long long)p.move.code_size());
  EXPECT_LE(p.move.code_size(), 24576u);
}

TEST(EvmLayers, ReindexMatchesCpp) {
  SCOPED_TRACE(seed_note());
  check_honest(plan().move, plan().move_cases);
}

TEST(EvmLayers, ReindexEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  check_rejected(plan().move, plan().move_cases);
}

TEST(EvmLayers, MalformedShapesRevert) {
  Plan& p = plan();
  EXPECT_EQ(p.malformed_linear.size(), 4u);
  EXPECT_EQ(p.malformed_move.size(), 3u);
  for (const auto& [what, call] : p.malformed_linear) EXPECT_FALSE(p.linear[call].success) << what << ": no revert";
  for (const auto& [what, call] : p.malformed_move) EXPECT_FALSE(p.move[call].success) << what << ": no revert";
}

TEST(EvmLayers, MatmulConvCombineMatchCpp) {
  SCOPED_TRACE(seed_note());
  check_honest(plan().linear, plan().linear_cases);
}

TEST(EvmLayers, MatmulConvCombineEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  check_rejected(plan().linear, plan().linear_cases);
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  if (std::system("node --version > /dev/null 2>&1") != 0 || std::system("npm --version > /dev/null 2>&1") != 0) {
    std::fprintf(stderr, "evm_layers_test: node or npm is not installed (bash scripts/install-deps.sh); skipped\n");
    return 77;
  }
  if (!std::filesystem::exists(std::string(ZKINFER_SOURCE_DIR) + "/tools/evm/node_modules/@ethereumjs/evm")) {
    std::fprintf(stderr, "evm_layers_test: tools/evm/node_modules is missing: run bash scripts/install-evm.sh\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
