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
#include <tuple>
#include <vector>

#include "evm_runner.h"
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

// ---------------------------------------------------------------------------------------------
// What a step verifier produced: the C++ verifier's, or the routine's words decoded.

struct Lookup {
  size_t id = 0, num_vars = 0, table_log = 0;
  bool operator==(const Lookup&) const = default;
};

struct StepResult {
  bool ok = false;
  Word state{};
  size_t consumed = 0;
  std::vector<Claim> x, w, bias;  // the claims on a, b, c
  std::vector<AdviceClaim> advice;
  // C++: the BatchVerifier's shapes (per table: log size, segments' num_vars); Solidity: the
  // lookups in registration order.
  std::vector<lookup::BatchTableShape> shapes;
  std::vector<Lookup> lookups;
  uint64_t gas = 0;  // Solidity: the routine's own gas (gasleft() around its call)
  uint64_t memory = 0;  // Solidity: the memory the routine allocated (free-memory pointer's growth)
};

Fr fr_of(const Word& w) {
  std::array<uint8_t, 32> le;
  for (size_t i = 0; i < 32; ++i) le[i] = w[31 - i];
  auto v = Fr::from_bytes(std::span<const uint8_t>(le.data(), 32));
  if (!v) throw Error("non-canonical word");
  return *v;
}

StepResult decode_out(const std::vector<Word>& o) {
  StepResult r;
  size_t k = 0;
  auto next = [&]() -> const Word& {
    if (k >= o.size()) throw Error("short output");
    return o[k++];
  };
  r.ok = low_u64(next()) == 1;
  r.state = next();
  r.consumed = low_u64(next());
  for (auto* list : {&r.x, &r.w, &r.bias}) {
    const size_t nx = low_u64(next());
    for (size_t i = 0; i < nx; ++i) {
      Claim c;
      const size_t len = low_u64(next());
      for (size_t j = 0; j < len; ++j) c.point.push_back(fr_of(next()));
      c.value = fr_of(next());
      list->push_back(std::move(c));
    }
  }
  const size_t na = low_u64(next());
  for (size_t i = 0; i < na; ++i) {
    AdviceClaim a;
    a.advice = low_u64(next());
    const size_t len = low_u64(next());
    for (size_t j = 0; j < len; ++j) a.claim.point.push_back(fr_of(next()));
    a.claim.value = fr_of(next());
    r.advice.push_back(std::move(a));
  }
  const size_t nl = low_u64(next());
  for (size_t i = 0; i < nl; ++i) {
    Lookup l;
    l.id = low_u64(next());
    l.num_vars = low_u64(next());
    l.table_log = low_u64(next());
    r.lookups.push_back(l);
  }
  r.gas = low_u64(next());
  r.memory = low_u64(next());
  if (k != o.size()) throw Error("trailing output words");
  return r;
}

// The lookups grouped by table as lookup::BatchVerifier groups them (range tables are equal iff
// their log sizes are): first-registration order of tables, registration order within.
std::vector<lookup::BatchTableShape> group(const std::vector<Lookup>& ls) {
  std::vector<lookup::BatchTableShape> out;
  for (const auto& l : ls) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& t) { return t.k == l.table_log; });
    if (it == out.end()) {
      out.push_back({l.table_log, 1, {}});
      it = out.end() - 1;
    }
    it->segments.push_back(l.num_vars);
  }
  return out;
}

bool same_shapes(const std::vector<lookup::BatchTableShape>& a, const std::vector<lookup::BatchTableShape>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].k != b[i].k || a[i].num_columns != b[i].num_columns || a[i].segments != b[i].segments) return false;
  return true;
}

// Whether the routine's result equals the C++ verifier's (the lookups against the BatchVerifier's
// shapes); the first difference in *why.
bool same_result(const StepResult& cpp, const StepResult& sol, std::string* why) {
  if (cpp.ok != sol.ok) return *why = "ok differs", false;
  if (!cpp.ok) return true;
  if (cpp.state != sol.state) return *why = "final state differs", false;
  if (cpp.consumed != sol.consumed) return *why = "words consumed differ", false;
  for (auto [a, b, name] : {std::tuple{&cpp.x, &sol.x, "a"}, std::tuple{&cpp.w, &sol.w, "b"}, std::tuple{&cpp.bias, &sol.bias, "c"}}) {
    if (a->size() != b->size()) return *why = std::string("number of claims on ") + name + " differs", false;
    for (size_t i = 0; i < a->size(); ++i)
      if ((*a)[i].point != (*b)[i].point || (*a)[i].value.value() != (*b)[i].value.value())
        return *why = std::string("claim ") + std::to_string(i) + " on " + name + " differs", false;
  }
  if (cpp.advice.size() != sol.advice.size()) return *why = "number of advice claims differs", false;
  for (size_t i = 0; i < cpp.advice.size(); ++i)
    if (cpp.advice[i].advice != sol.advice[i].advice || cpp.advice[i].claim.point != sol.advice[i].claim.point ||
        cpp.advice[i].claim.value.value() != sol.advice[i].claim.value.value())
      return *why = "advice claim " + std::to_string(i) + " differs", false;
  if (!same_shapes(cpp.shapes, group(sol.lookups))) return *why = "registered lookups differ", false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Cases.

// The C++ verifier of one layer: deserializes the layer's bytes with the reader in the session
// (as the whole-model verifier does) and verifies; *consumed the bytes read.
using CppVerify = std::function<Verdict(const std::vector<Claim>&, ByteReader&, transcript::Transcript&,
                                        layers::ElementwiseClaims*)>;

struct Case {
  std::string name;
  std::string signature = "elementwise(uint256[])";
  std::vector<Word> params;
  std::vector<Claim> claims;
  transcript::Transcript start{"evm-elementwise-test", transcript::Encoding::kV2};
  std::vector<uint8_t> proof;  // the layer proof's bytes
  CppVerify verify;
  // The honest run's C++ result, the BatchVerifier's lookups read back by verifying the batch
  // proof (id, num_vars in registration order), and what the prover's tensors say.
  StepResult honest;
  std::vector<std::pair<size_t, size_t>> batch_segments;
  layers::ElementwiseClaims prover_out;
  std::vector<std::vector<Fr>> prover_advice;  // each advice vector's table
  // EVM calls: the honest one, then one per changed word (change_names).
  size_t honest_call = 0;
  std::vector<size_t> changed_calls;
  std::vector<std::string> change_names;
  std::vector<StepResult> changed_cpp;
  // Cheating provers, re-proved from the start state (their proofs are consistent with the
  // transcript, so each layer-local check is reached): a forged output claim value, or an output
  // tensor that is not the layer's (forced outputs). reject: whether the C++ layer verifier must
  // reject (false: the layer accepts, its input or advice claims are then wrong, or the batch's
  // range check rejects).
  struct Variant {
    std::string name;
    std::vector<Claim> claims;
    std::vector<uint8_t> proof;
    bool reject = false;
    size_t call = 0;
    StepResult cpp;
  };
  std::vector<Variant> reproved;
  // Malformed calls: the proof's last word missing (nothing after it: must revert); claim 0's
  // point one coordinate short (must be rejected, as the C++ verifier rejects it).
  size_t truncated_call = 0, short_point_call = 0;
  StepResult short_point_cpp;
};

// Proves a cheating variant in a BatchProver session from the case's start state.
template <class Prove>
void reprove(Case& c, std::string name, std::vector<Claim> claims, bool reject, Prove prove) {
  lookup::BatchProver<Fr> bp;
  transcript::Transcript tp = c.start;
  const ProofSession session{nullptr, &bp, nullptr};
  tp.set_session(&session);
  Case::Variant v;
  v.name = std::move(name);
  v.claims = std::move(claims);
  v.reject = reject;
  v.proof = prove(v.claims, tp);
  tp.set_session(nullptr);
  c.reproved.push_back(std::move(v));
}

// The claims with claim 0's value + 1.
std::vector<Claim> forged(std::vector<Claim> cl) {
  cl[0].value += Fr::one();
  return cl;
}

size_t num_words(const Case& c) { return c.proof.size() / 32; }

// The words of a call: params, claims, the start state, the proof words, two stray words after.
std::vector<Word> call_words(const Case& c, const std::vector<Claim>& claims, const std::vector<uint8_t>& proof,
                             bool stray = true) {
  std::vector<Word> w = c.params;
  w.push_back(word_u64(claims.size()));
  for (const auto& cl : claims) {
    w.push_back(word_u64(cl.point.size()));
    for (const Fr& x : cl.point) w.push_back(word(x));
    w.push_back(word(cl.value.value()));
  }
  w.push_back(state_word(c.start));
  for (size_t i = 0; i < proof.size(); i += 32) {
    Word x{};
    for (size_t j = 0; j < 32; ++j) x[j] = proof[i + 31 - j];
    w.push_back(x);
  }
  if (stray) {
    w.push_back(word_u64(0xdead));
    w.push_back(word(-Fr::one()));
  }
  return w;
}

// The C++ verifier on these claims and proof bytes, in a fresh BatchVerifier's session.
StepResult run_cpp(const Case& c, const std::vector<Claim>& claims, const std::vector<uint8_t>& proof,
                   lookup::BatchVerifier<Fr>* keep = nullptr, transcript::Transcript* tr_out = nullptr) {
  StepResult r;
  lookup::BatchVerifier<Fr> own;
  lookup::BatchVerifier<Fr>& bv = keep ? *keep : own;
  const ProofSession session{nullptr, nullptr, &bv};
  transcript::Transcript tr = c.start;
  tr.set_session(&session);
  ByteReader rd(proof);
  rd.set_session(&session);
  layers::ElementwiseClaims ec;
  Verdict v = Verdict::reject("decode");
  try {
    v = c.verify(claims, rd, tr, &ec);
  } catch (const DecodeError&) {
    v = Verdict::reject("decode");
  }
  tr.set_session(nullptr);
  r.ok = v.ok() && rd.remaining() == 0;
  if (!r.ok) return r;
  r.state = state_word(tr);
  r.consumed = rd.position() / 32;
  r.x = std::move(ec.a);
  r.w = std::move(ec.b);
  r.bias = std::move(ec.c);
  r.advice = std::move(ec.advice);
  r.shapes = bv.shapes();
  if (tr_out) *tr_out = tr;
  return r;
}

// Proves a layer in a BatchProver session: prove(tr) returns the proof bytes and fills in and
// advice claims; then runs the honest C++ verification and the batch of its lookups.
template <class Prove>
void make_case(Case& c, TestRng& rng, Prove prove) {
  c.start.absorb("test.start", Fr::random(rng));
  lookup::BatchProver<Fr> bp;
  transcript::Transcript tp = c.start;
  {
    const ProofSession session{nullptr, &bp, nullptr};
    tp.set_session(&session);
    c.proof = prove(tp);
    tp.set_session(nullptr);
  }
  ASSERT_EQ(c.proof.size() % 32, 0u);
  lookup::BatchVerifier<Fr> bv;
  transcript::Transcript tv = c.start;
  c.honest = run_cpp(c, c.claims, c.proof, &bv, &tv);
  ASSERT_TRUE(c.honest.ok) << c.name << ": the C++ verifier rejects the honest proof";
  ASSERT_EQ(c.honest.state, state_word(tp)) << c.name;
  // The layer's lookups, proven and verified as the model-wide batch would.
  bp.assign_owner(0);
  bv.assign_owner(0, c.name);
  size_t missing = 0;
  const auto counts = bp.prepare(&missing);
  ASSERT_EQ(missing, 0u) << c.name;
  for (const auto& m : counts)
    for (uint64_t k : m) tp.absorb_u64("test.m", k), tv.absorb_u64("test.m", k);
  auto res = bp.prove(tp);
  std::vector<lookup::SegmentClaim<Fr>> sc;
  std::vector<lookup::MultiplicityClaim<Fr>> mc;
  Verdict v = bv.verify(res.proof, tv, &sc, &mc);
  ASSERT_TRUE(v.ok()) << c.name << ": " << v.reason();
  for (const auto& s : sc) {
    ASSERT_EQ(s.column, 0u);
    c.batch_segments.push_back({s.id, s.point.size()});
    ASSERT_LT(s.id, c.prover_advice.size());
    EXPECT_EQ(s.value.value(), poly::evaluate_mle<Fr>(c.prover_advice[s.id], s.point)) << c.name;
  }
}

std::vector<Fr> fr_table(const layers::LayerAdvice& a) {
  std::vector<Fr> t(a.values.size());
  for (size_t i = 0; i < t.size(); ++i) t[i] = Fr::from_i64(a.values[i]);
  return t;
}

std::vector<int64_t> random_ints(TestRng& rng, size_t n, int64_t bound) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % (2 * static_cast<uint64_t>(bound) + 1)) - bound;
  return v;
}

std::vector<Claim> true_claims(TestRng& rng, const PaddedShape& s, std::span<const int64_t> values, size_t count) {
  const auto table = layers::padded_table(s, values);
  std::vector<Claim> out;
  for (size_t i = 0; i < count; ++i) {
    std::vector<Fr> p(s.num_vars());
    for (Fr& x : p) x = Fr::random(rng);
    out.push_back({p, poly::evaluate_mle<Fr>(table, p)});
  }
  return out;
}

std::vector<Word> dims_words(const std::vector<size_t>& dims) {
  std::vector<Word> w = {word_u64(dims.size())};
  for (size_t d : dims) w.push_back(word_u64(d));
  return w;
}

template <class P>
std::vector<uint8_t> bytes_of(const P& proof) {
  ByteWriter w;
  proof.serialize(w);
  return w.data();
}

std::string dims_name(const std::vector<size_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + ")";
}

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
  c->verify = [p](const std::vector<Claim>& cl, ByteReader& rd, transcript::Transcript& tr, layers::ElementwiseClaims* out) {
    const auto proof = layers::ElementwiseProof::deserialize(rd, p, cl.size());
    return layers::verify_elementwise(p, cl, proof, tr, out);
  };
  make_case(*c, rng, [&](transcript::Transcript& tp) { return bytes_of(prover.prove(c->claims, tp, &c->prover_out)); });
  // The claims on the operands are true (their own shapes).
  const auto at = layers::padded_table(as, a), bt = layers::padded_table(bs, b);
  for (const auto& x : c->prover_out.a) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(at, x.point)) << c->name;
  for (const auto& x : c->prover_out.b) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(bt, x.point)) << c->name;
  if (p.op == Op::kAffine) {
    const auto ct = layers::padded_table(cs, cv);
    for (const auto& x : c->prover_out.c) EXPECT_EQ(x.value.value(), poly::evaluate_mle<Fr>(ct, x.point)) << c->name;
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
    for (auto& cp : cs) {
      Case& c = *cp;
      c.honest_call = evm.add(c.signature, call_words(c, c.claims, c.proof));
      for (size_t i = 0; i < num_words(c); ++i) {
        std::vector<uint8_t> bad = c.proof;
        std::array<uint8_t, 32> le;
        std::copy(bad.begin() + 32 * i, bad.begin() + 32 * (i + 1), le.begin());
        auto v = Fr::from_bytes(std::span<const uint8_t>(le.data(), 32));
        if (*v == -Fr::one()) continue;  // (its + 1 is not canonical: a revert; never drawn here)
        const auto b = (*v + Fr::one()).to_bytes();
        std::copy(b.begin(), b.end(), bad.begin() + 32 * i);
        c.changed_calls.push_back(evm.add(c.signature, call_words(c, c.claims, bad)));
        c.change_names.push_back("proof word " + std::to_string(i));
        c.changed_cpp.push_back(run_cpp(c, c.claims, bad));
      }
      c.truncated_call = evm.add(
          c.signature, call_words(c, c.claims, std::vector<uint8_t>(c.proof.begin(), c.proof.end() - 32), false));
      {
        auto cl = c.claims;
        cl[0].point.pop_back();
        c.short_point_call = evm.add(c.signature, call_words(c, cl, c.proof));
        c.short_point_cpp = run_cpp(c, cl, c.proof);
      }
      for (auto& v : c.reproved) {
        v.call = evm.add(c.signature, call_words(c, v.claims, v.proof));
        v.cpp = run_cpp(c, v.claims, v.proof);
      }
      for (size_t k = 0; k < c.claims.size(); ++k)
        for (size_t j = 0; j <= c.claims[k].point.size(); ++j) {
          auto cl = c.claims;
          if (j == c.claims[k].point.size()) {
            cl[k].value += Fr::one();
          } else {
            cl[k].point[j] += Fr::one();
          }
          c.changed_calls.push_back(evm.add(c.signature, call_words(c, cl, c.proof)));
          c.change_names.push_back("claim " + std::to_string(k) + (j == c.claims[k].point.size() ? " value" : " coordinate " + std::to_string(j)));
          c.changed_cpp.push_back(run_cpp(c, cl, c.proof));
        }
    }
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
    const StepResult sol = decode_out(r.out);
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
    for (auto [mine, theirs] : {std::pair{&sol.x, &c.prover_out.a}, std::pair{&sol.w, &c.prover_out.b}, std::pair{&sol.bias, &c.prover_out.c}}) {
      ASSERT_EQ(mine->size(), theirs->size()) << c.name;
      for (size_t i = 0; i < mine->size(); ++i) {
        EXPECT_EQ((*mine)[i].point, (*theirs)[i].point) << c.name;
        EXPECT_EQ((*mine)[i].value.value(), (*theirs)[i].value.value()) << c.name;
      }
    }
    EXPECT_EQ(sol.x.size(), c.claims.size()) << c.name;
    for (const auto& a : sol.advice) {
      ASSERT_LT(a.advice, c.prover_advice.size()) << c.name;
      EXPECT_EQ(a.claim.value.value(), poly::evaluate_mle<Fr>(c.prover_advice[a.advice], a.claim.point)) << c.name;
    }
  }
}

TEST(EvmElementwise, EveryChangedWordMatchesCppAndIsRejectedOrMovesTheState) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    size_t rejected = 0, moved = 0, reverted = 0;
    ASSERT_EQ(c.changed_calls.size(), c.changed_cpp.size());
    for (size_t i = 0; i < c.changed_calls.size(); ++i) {
      const CallResult& r = s.evm[c.changed_calls[i]];
      const StepResult& cpp = c.changed_cpp[i];
      const std::string where = c.name + ", " + c.change_names[i];
      if (!r.success) {
        EXPECT_FALSE(cpp.ok) << where << ": the routine reverts (" << r.error << "), the C++ verifier accepts";
        ++reverted;
        continue;
      }
      const StepResult sol = decode_out(r.out);
      std::string why;
      EXPECT_TRUE(same_result(cpp, sol, &why)) << where << ": " << why;
      if (!sol.ok) {
        ++rejected;
      } else {
        EXPECT_NE(sol.state, c.honest.state) << where << ": accepted with the honest state";
        ++moved;
      }
    }
    std::printf("%-82s %3zu changes: %3zu rejected, %2zu reverted, %3zu accepted with another state\n", c.name.c_str(),
                c.changed_calls.size(), rejected, reverted, moved);
    EXPECT_GT(c.changed_calls.size(), 0u);
  }
}

TEST(EvmElementwise, CheatingProversMatchCpp) {
  SCOPED_TRACE(seed_note());
  Suite& s = suite();
  size_t n = 0;
  for (const auto& cp : s.cases) {
    for (const auto& v : cp->reproved) {
      const std::string where = cp->name + ", " + v.name;
      EXPECT_EQ(v.cpp.ok, !v.reject) << where << ": the C++ layer verifier";
      const CallResult& r = s.evm[v.call];
      ASSERT_TRUE(r.success) << where << ": " << r.error;
      const StepResult sol = decode_out(r.out);
      std::string why;
      EXPECT_TRUE(same_result(v.cpp, sol, &why)) << where << ": " << why;
      ++n;
    }
  }
  EXPECT_EQ(n, s.cases.size());
}

TEST(EvmElementwise, MalformedCallsAndParametersAreRejected) {
  Suite& s = suite();
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    EXPECT_FALSE(s.evm[c.truncated_call].success) << c.name << ": a proof one word short does not revert";
    EXPECT_FALSE(c.short_point_cpp.ok) << c.name;
    const CallResult& r = s.evm[c.short_point_call];
    ASSERT_TRUE(r.success) << c.name << ": " << r.error;
    EXPECT_FALSE(decode_out(r.out).ok) << c.name << ": a claim point of the wrong length is accepted";
  }
  ASSERT_EQ(s.bad_param_calls.size(), 6u);
  for (size_t i = 0; i < s.bad_param_calls.size(); ++i) {
    const CallResult& r = s.evm[s.bad_param_calls[i]];
    ASSERT_TRUE(r.success) << "bad parameters " << i << ": " << r.error;
    EXPECT_FALSE(decode_out(r.out).ok) << "bad parameters " << i << " accepted";
  }
}

TEST(EvmElementwise, GasPerCase) {
  Suite& s = suite();
  std::printf("%-82s %5s %9s %9s %8s\n", "routine", "words", "routine", "call", "memory");
  for (const auto& cp : s.cases) {
    const Case& c = *cp;
    const CallResult& r = s.evm[c.honest_call];
    ASSERT_TRUE(r.success);
    const StepResult sol = decode_out(r.out);
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
