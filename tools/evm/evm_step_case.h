// The scaffolding of the step routines' differential tests on the EVM (evm_nonlinear_test,
// evm_elementwise_test): a case is one layer proof made by the C++ prover in a session carrying a
// lookup::BatchProver (the whole-model mode), verified by the C++ layer verifier in a session
// carrying a lookup::BatchVerifier and by the Solidity routine on the same words.
//
// A routine's result words: ok, the transcript state, the words consumed, then `num_inputs`
// lists of claims on the layer's inputs (a list: count, then per claim its point's length, the
// coordinates and the value), the advice claims (count; per claim the advice id, the point's
// length, the coordinates, the value), the lookups (count; per lookup id, num_vars, table log
// size), the routine's gas and the memory it allocated.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "evm_runner.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/random.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "layers/rescale.h"  // LayerAdvice, AdviceClaim
#include "lookup/batch.h"
#include "poly/mle.h"
#include "transcript/transcript.h"
#include "zk/session.h"

namespace zkinfer::evmstep {

using evmtest::Word;
using field::Fr;
using layers::AdviceClaim;
using layers::Claim;
using layers::PaddedShape;

struct Lookup {
  size_t id = 0, num_vars = 0, table_log = 0;
  bool operator==(const Lookup&) const = default;
};

// What a step verifier produced: the C++ verifier's, or the routine's words decoded.
struct StepResult {
  bool ok = false;
  Word state{};
  size_t consumed = 0;
  std::vector<std::vector<Claim>> inputs;  // the claims on each of the layer's inputs
  std::vector<AdviceClaim> advice;
  // C++: the BatchVerifier's shapes (per table: log size, segments' num_vars); Solidity: the
  // lookups in registration order.
  std::vector<lookup::BatchTableShape> shapes;
  std::vector<Lookup> lookups;
  uint64_t gas = 0;  // Solidity: the routine's own gas (gasleft() around its call)
  uint64_t memory = 0;  // Solidity: the memory the routine allocated (free-memory pointer's growth)
};

inline Fr fr_of(const Word& w) {
  std::array<uint8_t, 32> le;
  for (size_t i = 0; i < 32; ++i) le[i] = w[31 - i];
  auto v = Fr::from_bytes(std::span<const uint8_t>(le.data(), 32));
  if (!v) throw Error("non-canonical word");
  return *v;
}

inline StepResult decode_out(const std::vector<Word>& o, size_t num_inputs) {
  using evmtest::low_u64;
  StepResult r;
  size_t k = 0;
  auto next = [&]() -> const Word& {
    if (k >= o.size()) throw Error("short output");
    return o[k++];
  };
  auto read_claim = [&](Claim* c) {
    const size_t len = low_u64(next());
    for (size_t j = 0; j < len; ++j) c->point.push_back(fr_of(next()));
    c->value = fr_of(next());
  };
  r.ok = low_u64(next()) == 1;
  r.state = next();
  r.consumed = low_u64(next());
  r.inputs.resize(num_inputs);
  for (auto& list : r.inputs) {
    const size_t nx = low_u64(next());
    for (size_t i = 0; i < nx; ++i) read_claim(&list.emplace_back());
  }
  const size_t na = low_u64(next());
  for (size_t i = 0; i < na; ++i) {
    AdviceClaim& a = r.advice.emplace_back();
    a.advice = low_u64(next());
    read_claim(&a.claim);
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
inline std::vector<lookup::BatchTableShape> group(const std::vector<Lookup>& ls) {
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

inline bool same_shapes(const std::vector<lookup::BatchTableShape>& a, const std::vector<lookup::BatchTableShape>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].k != b[i].k || a[i].num_columns != b[i].num_columns || a[i].segments != b[i].segments) return false;
  return true;
}

inline bool same_claims(const std::vector<Claim>& a, const std::vector<Claim>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].point != b[i].point || a[i].value.value() != b[i].value.value()) return false;
  return true;
}

// Whether the routine's result equals the C++ verifier's (the lookups against the BatchVerifier's
// shapes); the first difference in *why.
inline bool same_result(const StepResult& cpp, const StepResult& sol, std::string* why) {
  if (cpp.ok != sol.ok) return *why = "ok differs", false;
  if (!cpp.ok) return true;
  if (cpp.state != sol.state) return *why = "final state differs", false;
  if (cpp.consumed != sol.consumed) return *why = "words consumed differ", false;
  if (cpp.inputs.size() != sol.inputs.size()) return *why = "number of inputs differs", false;
  for (size_t i = 0; i < cpp.inputs.size(); ++i)
    if (!same_claims(cpp.inputs[i], sol.inputs[i])) return *why = "claims on input " + std::to_string(i) + " differ", false;
  if (cpp.advice.size() != sol.advice.size()) return *why = "number of advice claims differs", false;
  for (size_t i = 0; i < cpp.advice.size(); ++i)
    if (cpp.advice[i].advice != sol.advice[i].advice || cpp.advice[i].claim.point != sol.advice[i].claim.point ||
        cpp.advice[i].claim.value.value() != sol.advice[i].claim.value.value())
      return *why = "advice claim " + std::to_string(i) + " differs", false;
  if (!same_shapes(cpp.shapes, group(sol.lookups))) return *why = "registered lookups differ", false;
  return true;
}

// The C++ verifier of one layer: deserializes the layer's bytes with the reader in the session
// (as the whole-model verifier does), verifies, and gives the claims on its inputs and advice.
using CppVerify = std::function<Verdict(const std::vector<Claim>&, ByteReader&, transcript::Transcript&,
                                        std::vector<std::vector<Claim>>*, std::vector<AdviceClaim>*)>;

struct Case {
  std::string name;
  std::string signature;
  bool pool = false;  // which harness runs it, where a test has two
  std::vector<Word> params;
  std::vector<Claim> claims;
  transcript::Transcript start{"evm-step-test", transcript::Encoding::kV2};
  std::vector<uint8_t> proof;  // the layer proof's bytes
  CppVerify verify;
  // The honest run's C++ result, the BatchVerifier's lookups read back by verifying the batch
  // proof (id, num_vars in registration order), and what the prover's tensors say: the prover's
  // claims on each input and each advice vector's table.
  StepResult honest;
  std::vector<std::pair<size_t, size_t>> batch_segments;
  std::vector<std::vector<Claim>> prover_inputs;
  std::vector<std::vector<Fr>> prover_advice;
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
inline std::vector<Claim> forged(std::vector<Claim> cl) {
  cl[0].value += Fr::one();
  return cl;
}

inline size_t num_words(const Case& c) { return c.proof.size() / 32; }

// The words of a call: params, claims, the start state, the proof words, two stray words after.
inline std::vector<Word> call_words(const Case& c, const std::vector<Claim>& claims, const std::vector<uint8_t>& proof,
                                    bool stray = true) {
  using namespace evmtest;
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
inline StepResult run_cpp(const Case& c, const std::vector<Claim>& claims, const std::vector<uint8_t>& proof,
                          lookup::BatchVerifier<Fr>* keep = nullptr, transcript::Transcript* tr_out = nullptr) {
  StepResult r;
  lookup::BatchVerifier<Fr> own;
  lookup::BatchVerifier<Fr>& bv = keep ? *keep : own;
  const ProofSession session{nullptr, nullptr, &bv};
  transcript::Transcript tr = c.start;
  tr.set_session(&session);
  ByteReader rd(proof);
  rd.set_session(&session);
  std::vector<std::vector<Claim>> inputs;
  std::vector<AdviceClaim> adv;
  Verdict v = Verdict::reject("decode");
  try {
    v = c.verify(claims, rd, tr, &inputs, &adv);
  } catch (const DecodeError&) {
    v = Verdict::reject("decode");
  }
  tr.set_session(nullptr);
  r.ok = v.ok() && rd.remaining() == 0;
  if (!r.ok) return r;
  r.state = evmtest::state_word(tr);
  r.consumed = rd.position() / 32;
  r.inputs = std::move(inputs);
  r.advice = std::move(adv);
  r.shapes = bv.shapes();
  if (tr_out) *tr_out = tr;
  return r;
}

// Proves a layer in a BatchProver session: prove(tr) returns the proof bytes (and fills in the
// case's prover_inputs); then runs the honest C++ verification and the batch of its lookups.
template <class Prove>
void make_case(Case& c, TestRng& rng, Prove prove) {
  using evmtest::state_word;
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

// Registers a case's calls on its harness: the honest one; each proof word + 1 (with the C++
// verifier's result on the same bytes); the proof one word short; claim 0's point one coordinate
// short (or long, for a point of none); each cheating variant; each claim's coordinates and value
// + 1.
inline void add_calls(evmtest::Evm& evm, Case& c) {
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
  c.truncated_call =
      evm.add(c.signature, call_words(c, c.claims, std::vector<uint8_t>(c.proof.begin(), c.proof.end() - 32), false));
  {
    auto cl = c.claims;
    if (!cl[0].point.empty()) {
      cl[0].point.pop_back();
    } else {
      cl[0].point.push_back(Fr::one());
    }
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
      c.change_names.push_back("claim " + std::to_string(k) +
                               (j == c.claims[k].point.size() ? " value" : " coordinate " + std::to_string(j)));
      c.changed_cpp.push_back(run_cpp(c, cl, c.proof));
    }
}

// Every changed word's routine result equals the C++ verifier's (a revert where C++ rejects), and
// an accepted change moves the transcript state; prints the counts (name column `width` wide).
inline void expect_changes_match(const evmtest::Evm& evm, const Case& c, size_t num_inputs, int width) {
  size_t rejected = 0, moved = 0, reverted = 0;
  ASSERT_EQ(c.changed_calls.size(), c.changed_cpp.size());
  for (size_t i = 0; i < c.changed_calls.size(); ++i) {
    const evmtest::CallResult& r = evm[c.changed_calls[i]];
    const StepResult& cpp = c.changed_cpp[i];
    const std::string where = c.name + ", " + c.change_names[i];
    if (!r.success) {
      EXPECT_FALSE(cpp.ok) << where << ": the routine reverts (" << r.error << "), the C++ verifier accepts";
      ++reverted;
      continue;
    }
    const StepResult sol = decode_out(r.out, num_inputs);
    std::string why;
    EXPECT_TRUE(same_result(cpp, sol, &why)) << where << ": " << why;
    if (!sol.ok) {
      ++rejected;
    } else {
      EXPECT_NE(sol.state, c.honest.state) << where << ": accepted with the honest state";
      ++moved;
    }
  }
  std::printf("%-*s %3zu changes: %3zu rejected, %2zu reverted, %3zu accepted with another state\n", width, c.name.c_str(),
              c.changed_calls.size(), rejected, reverted, moved);
  EXPECT_GT(c.changed_calls.size(), 0u);
}

// Each cheating variant: the C++ layer verifier decides as expected and the routine agrees.
// Returns the number of variants.
inline size_t expect_reproved_match(const evmtest::Evm& evm, const Case& c, size_t num_inputs) {
  for (const auto& v : c.reproved) {
    const std::string where = c.name + ", " + v.name;
    EXPECT_EQ(v.cpp.ok, !v.reject) << where << ": the C++ layer verifier";
    const evmtest::CallResult& r = evm[v.call];
    EXPECT_TRUE(r.success) << where << ": " << r.error;
    if (!r.success) continue;
    const StepResult sol = decode_out(r.out, num_inputs);
    std::string why;
    EXPECT_TRUE(same_result(v.cpp, sol, &why)) << where << ": " << why;
  }
  return c.reproved.size();
}

// The proof one word short reverts; a claim point of the wrong length is rejected by both.
inline void expect_malformed_rejected(const evmtest::Evm& evm, const Case& c, size_t num_inputs) {
  EXPECT_FALSE(evm[c.truncated_call].success) << c.name << ": a proof one word short does not revert";
  EXPECT_FALSE(c.short_point_cpp.ok) << c.name;
  const evmtest::CallResult& r = evm[c.short_point_call];
  ASSERT_TRUE(r.success) << c.name << ": " << r.error;
  EXPECT_FALSE(decode_out(r.out, num_inputs).ok) << c.name << ": a claim point of the wrong length is accepted";
}

inline std::vector<Fr> fr_table(const layers::LayerAdvice& a) {
  std::vector<Fr> t(a.values.size());
  for (size_t i = 0; i < t.size(); ++i) t[i] = Fr::from_i64(a.values[i]);
  return t;
}

inline std::vector<int64_t> random_ints(TestRng& rng, size_t n, int64_t bound) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % (2 * static_cast<uint64_t>(bound) + 1)) - bound;
  return v;
}

inline std::vector<Claim> true_claims(TestRng& rng, const PaddedShape& s, std::span<const int64_t> values, size_t count) {
  const auto table = layers::padded_table(s, values);
  std::vector<Claim> out;
  for (size_t i = 0; i < count; ++i) {
    std::vector<Fr> p(s.num_vars());
    for (Fr& x : p) x = Fr::random(rng);
    out.push_back({p, poly::evaluate_mle<Fr>(table, p)});
  }
  return out;
}

inline std::vector<Word> dims_words(const std::vector<size_t>& dims) {
  std::vector<Word> w = {evmtest::word_u64(dims.size())};
  for (size_t d : dims) w.push_back(evmtest::word_u64(d));
  return w;
}

template <class P>
std::vector<uint8_t> bytes_of(const P& proof) {
  ByteWriter w;
  proof.serialize(w);
  return w.data();
}

inline std::string dims_name(const std::vector<size_t>& d) {
  std::string s = "(";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + ")";
}

}  // namespace zkinfer::evmstep
