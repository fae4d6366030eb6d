// Differential tests of the Solidity verifier libraries (contracts/) against the C++ implementation,
// run in a real EVM: @ethereumjs/evm through tools/evm/run.js (solc-js compiles
// contracts/test/ZkEvmHarness.sol, one deployment, every call in one node process).
//
// Instances made here with the C++ code, every transcript in the v2 encoding (big-endian: what the
// contracts implement; kzg keys of version 4): transcript scripts (absorbs of every kind, challenges),
// sumcheck proofs (src/sumcheck, plain mode), eq and MLE evaluations, LogUp fraction-sum GKRs
// (src/lookup, plain mode: the leaf claims), and masked-HyperKZG batch
// openings (src/pcs/kzg.h) of random committed multilinears over the TEST-ONLY
// tests/vectors/test_pot10.ptau. Asserted: the challenges, points and final transcript states equal
// the C++ ones; honest proofs verify; every changed proof word (each coordinate of each G1 point,
// each field element, the claims, the commitments, the point) is rejected (false or a revert), and
// each G1 point replaced by another valid point returns false. The gas used is printed
// (BENCHMARKS.md, "Issue 15: EVM primitives").
//
// Exit status 77 (CTest's skip) when node or npm is not installed; tools/evm/node_modules missing
// while npm is there is a failure (scripts/install-evm.sh installs it; the CTest fixture
// install_evm runs it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "evm_runner.h"
#include "common/random.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "hash/keccak.h"
#include "pcs/ipa.h"
#include "lookup/batch.h"
#include "lookup/logup.h"
#include "lookup/prover.h"
#include "lookup/table.h"
#include "lookup/verifier.h"
#include "pcs/kzg.h"
#include "pcs/reduced_opening.h"
#include "proof/evm_verifier.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "test_seed.h"
#include "transcript/transcript.h"

namespace zkinfer {
namespace {

using curve::G1;
using curve::G1Affine;
using curve::G2Affine;
using field::Fq;
using field::Fr;
using testing::seed_note;
using testing::test_seed;
using namespace evmtest;  // Word, calldata, Evm, ... (evm_runner.h)

void put_g2(std::vector<Word>& out, const G2Affine& p) {
  auto b = p.to_evm_bytes();
  for (size_t i = 0; i < 4; ++i) {
    Word w;
    std::copy(b.begin() + 32 * i, b.begin() + 32 * (i + 1), w.begin());
    out.push_back(w);
  }
}
// A byte string as its length and the bytes packed into words (the harness's _bytes).
void put_bytes(std::vector<Word>& out, std::span<const uint8_t> b) {
  out.push_back(word_u64(b.size()));
  for (size_t i = 0; i < b.size(); i += 32) {
    Word w{};
    for (size_t j = 0; j < 32 && i + j < b.size(); ++j) w[j] = b[i + j];
    out.push_back(w);
  }
}
void put_bytes(std::vector<Word>& out, std::string_view s) {
  put_bytes(out, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The call with these words, and one more per word from `from` on with that word + 1 (each must be
// rejected): returns the honest call's index and the changed ones' indices.
std::pair<size_t, std::vector<size_t>> add_with_changed_words(Evm& evm, const std::string& signature,
                                                              const std::vector<Word>& words, size_t from) {
  const size_t honest = evm.add(signature, words);
  std::vector<size_t> bad;
  for (size_t i = from; i < words.size(); ++i) {
    std::vector<Word> w = words;
    w[i] = plus_one(w[i]);
    bad.push_back(evm.add(signature, w));
  }
  return {honest, std::move(bad)};
}

const pcs::KzgParams& file_params() {
  static const pcs::KzgParams p =
      pcs::KzgParams::from_ptau_file(kSource + "/tests/vectors/test_pot10.ptau", 8);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Instances.

struct TranscriptCase {
  std::vector<Word> words;
  std::vector<Word> want;  // the challenges, then the final state
};

// A random script: every kind of absorb with labels of 0..40 bytes and data of every length seen in
// proofs (empty lists, one element, several; G1 identity and odd/even y), challenges between.
TranscriptCase transcript_case(TestRng& rng) {
  TranscriptCase c;
  const std::string domain = "evm-test-transcript";
  put_bytes(c.words, domain);
  transcript::Transcript t(domain, transcript::Encoding::kV2);
  // Labels of 0 to 31 bytes (ZkTranscript packs a label into one word; the C++ protocol's have at
  // most 28 bytes).
  const std::vector<std::string> labels = {"", "kzg.r", "sumcheck.challenge", std::string(31, 'a'),
                                           "logup.batch.segment_evals", std::string(30, 'b'), "x"};
  for (int step = 0; step < 60; ++step) {
    const std::string& label = labels[rng.next_u64() % labels.size()];
    const int op = 1 + static_cast<int>(rng.next_u64() % 7);
    c.words.push_back(word_u64(op));
    put_bytes(c.words, label);
    switch (op) {
      case 1: {  // Fr list
        const size_t n = rng.next_u64() % 6;
        std::vector<Fr> xs(n);
        for (Fr& x : xs) x = Fr::random(rng);
        if (n && rng.next_u64() % 3 == 0) xs[0] = -Fr::one();  // R - 1: the largest canonical value
        c.words.push_back(word_u64(n));
        for (const Fr& x : xs) c.words.push_back(word(x));
        t.absorb_many(label, xs);
        break;
      }
      case 2: {  // G1 list
        const size_t n = rng.next_u64() % 4;
        std::vector<G1Affine> ps;
        for (size_t i = 0; i < n; ++i)
          ps.push_back(rng.next_u64() % 5 == 0 ? G1Affine::identity() : (G1::generator() * Fr::random(rng)).to_affine());
        c.words.push_back(word_u64(n));
        for (const auto& p : ps) put_g1(c.words, p);
        t.absorb_many(label, ps);
        break;
      }
      case 3: {
        const uint64_t v = rng.next_u64() >> (rng.next_u64() % 64);
        c.words.push_back(word_u64(v));
        t.absorb_u64(label, v);
        break;
      }
      case 4: {
        c.want.push_back(word(t.challenge<Fr>(label)));
        break;
      }
      case 5: {
        std::vector<uint8_t> b(rng.next_u64() % 71);
        for (auto& x : b) x = static_cast<uint8_t>(rng.next_u64());
        put_bytes(c.words, b);
        t.absorb_bytes(label, b);
        break;
      }
      case 6: {
        const Fr x = Fr::random(rng);
        c.words.push_back(word(x));
        t.absorb(label, x);
        break;
      }
      case 7: {
        const G1Affine p = (G1::generator() * Fr::random(rng)).to_affine();
        put_g1(c.words, p);
        t.absorb(label, p);
        break;
      }
    }
  }
  c.want.push_back(state_word(t));
  return c;
}

struct SumcheckCase {
  std::vector<Word> words;
  size_t n = 0, claim_at = 0, proof_at = 0;  // claim word index; proof words from proof_at on
  std::vector<Fr> point;
  Word state{};
};

// The brute-force sum of a composition over the hypercube of its n-variable tables.
Fr brute_sum(const sumcheck::Composition<Fr>& comp, const std::vector<std::vector<Fr>>& tables, size_t n) {
  Fr claim = Fr::zero();
  for (size_t i = 0; i < (size_t{1} << n); ++i) {
    std::vector<Fr> v;
    for (const auto& t : tables) v.push_back(t[i]);
    claim += comp.evaluate(v);
  }
  return claim;
}

// The harness's header words: n, degree, factor count, term count, then each term (coeff, len,
// factor indices).
std::vector<Word> composition_words(size_t n, const sumcheck::Composition<Fr>& comp) {
  std::vector<Word> w = {word_u64(n), word_u64(comp.degree()), word_u64(comp.num_factors()), word_u64(comp.terms().size())};
  for (const auto& term : comp.terms()) {
    w.push_back(word(term.coeff));
    w.push_back(word_u64(term.factors.size()));
    for (size_t j : term.factors) w.push_back(word_u64(j));
  }
  return w;
}

// The claim, then every round value and final value of the proof (their positions noted).
void push_claim_and_proof(SumcheckCase& c, const Fr& claim, const sumcheck::Proof<Fr>& proof) {
  c.claim_at = c.words.size();
  c.words.push_back(word(claim));
  c.proof_at = c.words.size();
  for (const auto& m : proof.rounds)
    for (const auto& e : m.evals) c.words.push_back(word(e.value()));
  for (const auto& e : proof.final_evals) c.words.push_back(word(e.value()));
}

// sum_x g(x) for a composition of random tables, proven by sumcheck::prove (plain mode) after the
// claim is absorbed ("test.claim"); the C++ verifier's point and final state.
SumcheckCase sumcheck_case(TestRng& rng, size_t n, const sumcheck::Composition<Fr>& comp) {
  SumcheckCase c;
  c.n = n;
  std::vector<std::vector<Fr>> tables(comp.num_factors(), std::vector<Fr>(size_t{1} << n));
  for (auto& t : tables)
    for (Fr& x : t) x = Fr::random(rng);
  const Fr claim = brute_sum(comp, tables, n);
  transcript::Transcript tp("evm-test-sumcheck", transcript::Encoding::kV2);
  tp.absorb("test.claim", claim);
  auto res = sumcheck::prove<Fr>(comp, tables, tp);
  EXPECT_EQ(res.claim, claim);
  transcript::Transcript tv("evm-test-sumcheck", transcript::Encoding::kV2);
  tv.absorb("test.claim", claim);
  sumcheck::Subclaim<Fr> sub;
  EXPECT_TRUE(sumcheck::verify<Fr>(comp, n, cp::Val(claim), res.proof, tv, &sub).ok());
  c.point = sub.point;
  c.state = state_word(tv);

  c.words = composition_words(n, comp);
  push_claim_and_proof(c, claim, res.proof);
  return c;
}

// The same for prove_with_eq / verify_with_eq: factor 0 is eq(rho, x) in every term (the LogUp
// layers', the opening reduction's form); rho[zero_at] = 0 when zero_at < n (its other branch).
SumcheckCase sumcheck_eq_case(TestRng& rng, size_t n, const sumcheck::Composition<Fr>& comp, size_t zero_at) {
  SumcheckCase c;
  c.n = n;
  std::vector<Fr> rho(n);
  for (Fr& x : rho) x = Fr::random(rng);
  if (zero_at < n) rho[zero_at] = Fr::zero();
  std::vector<std::vector<Fr>> tables(comp.num_factors(), std::vector<Fr>(size_t{1} << n));
  tables[0] = poly::eq_table<Fr>(rho);
  for (size_t j = 1; j < tables.size(); ++j)
    for (Fr& x : tables[j]) x = Fr::random(rng);
  const Fr claim = brute_sum(comp, tables, n);
  tables[0].clear();
  transcript::Transcript tp("evm-test-sumcheck", transcript::Encoding::kV2);
  tp.absorb("test.claim", claim);
  auto res = sumcheck::prove_with_eq<Fr>(comp, rho, tables, tp);
  EXPECT_EQ(res.claim, claim);
  transcript::Transcript tv("evm-test-sumcheck", transcript::Encoding::kV2);
  tv.absorb("test.claim", claim);
  sumcheck::Subclaim<Fr> sub;
  EXPECT_TRUE(sumcheck::verify_with_eq<Fr>(comp, rho, cp::Val(claim), res.proof, tv, &sub).ok());
  c.point = sub.point;
  c.state = state_word(tv);
  c.words = composition_words(n, comp);
  for (const Fr& x : rho) c.words.push_back(word(x));
  push_claim_and_proof(c, claim, res.proof);
  return c;
}

// LogUp's fraction GKR (lookup::verify_fractions): a lookup of 2^n random rows into the range
// table [0, 2^k), proven by lookup::prove (plain mode). The words: n, k, the transcript state after
// the shape and alpha (where verify_fractions starts), then the root and every step (the proof
// without the witness evaluations, which the caller checks). The C++ verifier's leaf claims and
// final state.
struct LogupCase {
  size_t n = 0, k = 0;
  std::vector<Word> words;
  static constexpr size_t kProofAt = 3;
  lookup::FractionLeafClaims<Fr> leaves;
  Word state{};
};

LogupCase logup_case(TestRng& rng, size_t n, size_t k) {
  LogupCase c;
  c.n = n;
  c.k = k;
  const auto table = lookup::LookupTable<Fr>::range(k);
  std::vector<Fr> col(size_t{1} << n);
  for (Fr& x : col) x = Fr::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
  const auto m = lookup::compute_multiplicities<Fr>(table, {col});
  EXPECT_EQ(m.num_missing, 0u);
  transcript::Transcript tp("evm-test-logup", transcript::Encoding::kV2);
  const auto res = lookup::prove<Fr>(table, {col}, m.to_field(), tp);
  transcript::Transcript tv("evm-test-logup", transcript::Encoding::kV2);
  lookup::absorb_shape<Fr>(tv, table, n);
  (void)tv.challenge<Fr>(lookup::kLabelAlpha);
  c.words = {word_u64(n), word_u64(k), state_word(tv)};
  EXPECT_TRUE(lookup::verify_fractions<Fr>(n, k, res.proof, tv, &c.leaves).ok());
  c.state = state_word(tv);
  c.words.push_back(word(res.proof.root_numerator.value()));
  c.words.push_back(word(res.proof.root_denominator.value()));
  for (const auto& st : res.proof.steps) {
    for (const auto& m : st.rounds)
      for (const auto& e : m.evals) c.words.push_back(word(e.value()));
    for (const auto& e : st.final_evals) c.words.push_back(word(e.value()));
  }
  return c;
}

// The model-wide batch of range lookups (lookup::BatchVerifier::verify, range tables only):
// segments (k, n) of 2^n random rows into [0, 2^k), registered in order (equal tables merged).
// The words: the shape (distinct tables' k; per segment its table and n), the transcript state
// before, the proof (BatchProof's serialization). The C++ verifier's claims' points and final state.
struct BatchCase {
  std::vector<Word> words;
  size_t state_at = 0;
  std::vector<std::vector<Fr>> segment_points, table_points;
  Word state{};
};

BatchCase batch_case(TestRng& rng, const std::vector<std::pair<size_t, size_t>>& segs) {
  BatchCase c;
  lookup::BatchProver<Fr> bp;
  lookup::BatchVerifier<Fr> bv;
  std::vector<size_t> ks;
  std::vector<std::pair<size_t, size_t>> desc;
  for (size_t e = 0; e < segs.size(); ++e) {
    const auto [k, n] = segs[e];
    const auto table = lookup::LookupTable<Fr>::range(k);
    const size_t t = static_cast<size_t>(std::find(ks.begin(), ks.end(), k) - ks.begin());
    if (t == ks.size()) ks.push_back(k);
    std::vector<Fr> col(size_t{1} << n);
    for (Fr& x : col) x = Fr::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
    bp.add(table, {col}, {e});
    bv.add(table, n, {e});
    desc.push_back({t, n});
  }
  bp.assign_owner(0);
  bv.assign_owner(0);
  size_t missing = 0;
  bp.prepare(&missing);
  EXPECT_EQ(missing, 0u);
  transcript::Transcript tp("evm-test-batch", transcript::Encoding::kV2), tv("evm-test-batch", transcript::Encoding::kV2);
  const Word before = state_word(tv);
  const auto res = bp.prove(tp);
  std::vector<lookup::SegmentClaim<Fr>> sc;
  std::vector<lookup::MultiplicityClaim<Fr>> mc;
  EXPECT_TRUE(bv.verify(res.proof, tv, &sc, &mc).ok());
  c.state = state_word(tv);
  for (const auto& x : sc) c.segment_points.push_back(x.point);
  for (const auto& x : mc) c.table_points.push_back(x.point);
  c.words.push_back(word_u64(ks.size()));
  for (size_t k : ks) c.words.push_back(word_u64(k));
  c.words.push_back(word_u64(desc.size()));
  for (const auto& [t, n] : desc) {
    c.words.push_back(word_u64(t));
    c.words.push_back(word_u64(n));
  }
  c.state_at = c.words.size();
  c.words.push_back(before);
  ByteWriter w;
  res.proof.serialize(w);
  EXPECT_EQ(w.data().size() % 32, 0u);
  for (size_t i = 0; i + 32 <= w.data().size(); i += 32) c.words.push_back(be_from_le(std::span(w.data()).subspan(i, 32)));
  return c;
}

// The opening reduction (pcs::verify_reduction, plain mode): K random multilinears of n_c
// variables, claims at random points (two on some), proven by pcs::prove_reduction. The words: the
// shape, the claims, the transcript state before, the proof's field elements. The C++ verifier's
// rho and final state.
struct ReductionCase {
  std::vector<Word> words;
  size_t state_at = 0;
  std::vector<Fr> rho;
  Word state{};
};

ReductionCase reduction_case(TestRng& rng, const std::vector<size_t>& num_vars, const std::vector<size_t>& claim_coms) {
  ReductionCase c;
  std::vector<std::vector<Fr>> tables;
  for (size_t n : num_vars) {
    tables.emplace_back(size_t{1} << n);
    for (Fr& x : tables.back()) x = Fr::random(rng);
  }
  std::vector<pcs::ReductionClaim> claims;
  for (size_t com : claim_coms) {
    pcs::ReductionClaim cl;
    cl.com = com;
    for (size_t j = 0; j < num_vars[com]; ++j) cl.point.push_back(Fr::random(rng));
    cl.value = cp::Val(poly::evaluate_mle<Fr>(tables[com], cl.point));
    claims.push_back(std::move(cl));
  }
  std::vector<std::span<const Fr>> spans(tables.begin(), tables.end());
  transcript::Transcript tp("evm-test-reduction", transcript::Encoding::kV2), tv("evm-test-reduction", transcript::Encoding::kV2);
  const Word before = state_word(tv);
  ByteWriter w;
  pcs::prove_reduction(spans, claims, tp, w);
  ByteReader r(w.data(), "reduction");
  pcs::Reduced red;
  EXPECT_TRUE(pcs::verify_reduction(num_vars, claims, tv, r, &red).ok());
  c.rho = red.rho;
  c.state = state_word(tv);
  c.words.push_back(word_u64(num_vars.size()));
  for (size_t n : num_vars) c.words.push_back(word_u64(n));
  c.words.push_back(word_u64(claims.size()));
  for (const auto& cl : claims) {
    c.words.push_back(word_u64(cl.com));
    c.words.push_back(word_u64(cl.point.size()));
    for (const Fr& x : cl.point) c.words.push_back(word(x));
    c.words.push_back(word(cl.value.value()));
  }
  c.state_at = c.words.size();
  c.words.push_back(before);
  EXPECT_EQ(w.data().size() % 32, 0u);
  for (size_t i = 0; i + 32 <= w.data().size(); i += 32) c.words.push_back(be_from_le(std::span(w.data()).subspan(i, 32)));
  return c;
}

// The key's words for ZkHyperKzg (the one-witness form): beta, [tau^3]_2, U, H, the 448 bytes of
// "kzg.srs", [tau]_1, [tau^2]_1, [tau^2 + tau]_2.
constexpr size_t kKzgKeyWords = 32;
// (proof::evm_kzg_key_words: what create-evm-verifier writes into a model's contract.)
std::vector<Word> key_words(const pcs::KzgParams& p) {
  EXPECT_EQ(p.form(), pcs::KzgForm::kOneWitness);
  const std::vector<Word> k = proof::evm_kzg_key_words(p);
  EXPECT_EQ(k.size(), kKzgKeyWords);
  return k;
}

struct KzgCase {
  std::vector<Word> words;
  size_t n = 0, items = 0;
  size_t z_at = 1, items_at = 0, proof_at = 0;
  std::vector<size_t> proof_points;  // word index of each proof G1 point's x
  std::vector<size_t> item_points;   // commitments and committed claims
  std::vector<G1Affine> point_values;  // the point at each index of proof_points then item_points
  Word state{};
  bool cpp_ok = false;
};

// One group at a random point z of n variables: `full` commitments of n variables (claims plain and
// Pedersen-committed alternately) and one of a shorter table widened to n variables (as
// pcs/kzg_scheme.cc widens every commitment to the reduction's point), opened by prove_batch.
KzgCase kzg_case(TestRng& rng, size_t n, size_t full) {
  const pcs::KzgParams& p = file_params();
  KzgCase c;
  c.n = n;
  std::vector<Fr> z(n);
  for (Fr& x : z) x = Fr::random(rng);
  struct It {
    std::vector<Fr> values;
    pcs::KzgCommitted com;
    pcs::KzgCommitment wide;
    pcs::ProverClaim claim;
  };
  std::vector<It> its(full + 1);
  for (size_t i = 0; i <= full; ++i) {
    It& it = its[i];
    const size_t nv = i < full ? n : n / 2;
    it.values.resize(size_t{1} << nv);
    for (Fr& x : it.values) x = Fr::random(rng);
    it.com = pcs::commit(p, std::span<const Fr>(it.values), rng);
    it.wide = {static_cast<uint32_t>(n), it.com.commitment.point};
    Fr v = poly::evaluate_mle<Fr>(it.values, std::span<const Fr>(z).first(nv));
    for (size_t j = nv; j < n; ++j) v *= Fr::one() - z[j];
    it.claim = i % 2 == 1 ? pcs::commit_claim(p, v, rng) : pcs::ProverClaim::plain(v);
  }
  std::vector<pcs::KzgOpeningWitness> wit;
  std::vector<pcs::KzgOpeningClaim> pub;
  for (It& it : its) {
    wit.push_back({&it.wide, &it.com.blinds, it.values, z, it.claim});
    pub.push_back({&it.wide, z, it.claim.public_claim()});
  }
  transcript::Transcript tp("evm-test-kzg", transcript::Encoding::kV2);
  const pcs::KzgBatchProof proof = pcs::prove_batch(p, wit, tp, pcs::random_fr(rng));
  transcript::Transcript tv("evm-test-kzg", transcript::Encoding::kV2);
  c.cpp_ok = pcs::verify_batch(p, pub, proof, tv).ok();
  c.state = state_word(tv);
  EXPECT_EQ(proof.groups.size(), 1u);

  c.words.push_back(word_u64(n));
  for (const Fr& x : z) c.words.push_back(word(x));
  c.items = its.size();
  c.words.push_back(word_u64(c.items));
  c.items_at = c.words.size();
  for (const It& it : its) {
    c.item_points.push_back(c.words.size());
    put_g1(c.words, it.wide.point);
    if (it.claim.commitment) {
      c.words.push_back(word_u64(1));
      c.item_points.push_back(c.words.size());
      put_g1(c.words, *it.claim.commitment);
    } else {
      c.words.push_back(word_u64(0));
      c.words.push_back(word(it.claim.value));
      c.words.push_back(Word{});
    }
  }
  for (const Word& w : key_words(p)) c.words.push_back(w);
  c.proof_at = c.words.size();
  const pcs::KzgGroupProof& g = proof.groups[0];
  auto point = [&](const G1Affine& q) {
    c.proof_points.push_back(c.words.size());
    c.point_values.push_back(q);
    put_g1(c.words, q);
  };
  point(g.mask);
  point(g.mask_value);
  c.words.push_back(word(g.value));
  c.words.push_back(word(g.rho));
  c.words.push_back(word(g.blind));
  for (const auto& f : g.folds) point(f);
  for (const auto& e : g.evals)
    for (const Fr& x : e) c.words.push_back(word(x));
  for (const auto& w : proof.witness) point(w);
  for (size_t i = 0; i < c.item_points.size(); ++i) {
    // the item points' values, read back from the words (for the valid-point replacement)
    const size_t at = c.item_points[i];
    Word xw = c.words[at], yw = c.words[at + 1];
    std::array<uint8_t, 32> xl, yl;
    for (size_t b = 0; b < 32; ++b) xl[b] = xw[31 - b], yl[b] = yw[31 - b];
    c.point_values.push_back(G1Affine::from_xy(*Fq::from_bytes(xl), *Fq::from_bytes(yl)));
  }
  return c;
}

// Several groups (ZkHyperKzg.verifyGroups): group g at its own random point of ns[g] variables
// holds counts[g] items (claims plain and Pedersen-committed alternately; a group's last item
// committed, as cp's pad opening with kzg pads is: docs/protocol/kzg.md section 5). Words:
// [G, per group (n_g, count_g, z_g), items, key, proof (per group its words, then the witness)].
struct KzgGroupsCase {
  std::vector<Word> words;
  std::vector<size_t> ns, counts;
  size_t key_at = 0, proof_at = 0;
  std::vector<size_t> shape_words;     // G, n_g, count_g, claim kinds: not changed by the test
  std::vector<size_t> proof_points;    // word index of each proof G1 point's x
  std::vector<G1Affine> point_values;  // their values
  std::vector<size_t> scalars;         // proof scalars (for the + R test)
  Word state{};
  bool cpp_ok = false;
};

KzgGroupsCase kzg_groups_case(TestRng& rng, std::vector<size_t> ns, std::vector<size_t> counts) {
  const pcs::KzgParams& p = file_params();
  KzgGroupsCase c;
  c.ns = ns;
  c.counts = counts;
  struct It {
    std::vector<Fr> values;
    pcs::KzgCommitted com;
    pcs::ProverClaim claim;
    std::vector<Fr> point;
  };
  std::vector<std::vector<Fr>> zs(ns.size());
  std::deque<It> its;
  for (size_t g = 0; g < ns.size(); ++g) {
    zs[g].resize(ns[g]);
    for (Fr& x : zs[g]) x = Fr::random(rng);
    for (size_t i = 0; i < counts[g]; ++i) {
      It& it = its.emplace_back();
      it.values.resize(size_t{1} << ns[g]);
      for (Fr& x : it.values) x = Fr::random(rng);
      it.com = pcs::commit(p, std::span<const Fr>(it.values), rng);
      it.point = zs[g];
      const Fr v = poly::evaluate_mle<Fr>(it.values, zs[g]);
      it.claim = (i % 2 == 1 || i + 1 == counts[g]) ? pcs::commit_claim(p, v, rng) : pcs::ProverClaim::plain(v);
    }
  }
  std::vector<pcs::KzgOpeningWitness> wit;
  std::vector<pcs::KzgOpeningClaim> pub;
  for (It& it : its) {
    wit.push_back({&it.com.commitment, &it.com.blinds, it.values, it.point, it.claim});
    pub.push_back({&it.com.commitment, it.point, it.claim.public_claim()});
  }
  transcript::Transcript tp("evm-test-kzg", transcript::Encoding::kV2);
  const pcs::KzgBatchProof proof = pcs::prove_batch(p, wit, tp, pcs::random_fr(rng));
  transcript::Transcript tv("evm-test-kzg", transcript::Encoding::kV2);
  c.cpp_ok = pcs::verify_batch(p, pub, proof, tv).ok();
  c.state = state_word(tv);
  EXPECT_EQ(proof.groups.size(), ns.size());

  c.shape_words.push_back(0);
  c.words.push_back(word_u64(ns.size()));
  for (size_t g = 0; g < ns.size(); ++g) {
    c.shape_words.push_back(c.words.size());
    c.words.push_back(word_u64(ns[g]));
    c.shape_words.push_back(c.words.size());
    c.words.push_back(word_u64(counts[g]));
    for (const Fr& x : zs[g]) c.words.push_back(word(x));
  }
  for (const It& it : its) {
    put_g1(c.words, it.com.commitment.point);
    c.shape_words.push_back(c.words.size());
    if (it.claim.commitment) {
      c.words.push_back(word_u64(1));
      put_g1(c.words, *it.claim.commitment);
    } else {
      c.words.push_back(word_u64(0));
      c.words.push_back(word(it.claim.value));
      c.words.push_back(Word{});
    }
  }
  c.key_at = c.words.size();
  for (const Word& w : key_words(p)) c.words.push_back(w);
  c.proof_at = c.words.size();
  auto point = [&](const G1Affine& q) {
    c.proof_points.push_back(c.words.size());
    c.point_values.push_back(q);
    put_g1(c.words, q);
  };
  auto scalar = [&](const Fr& x) {
    c.scalars.push_back(c.words.size());
    c.words.push_back(word(x));
  };
  for (const pcs::KzgGroupProof& g : proof.groups) {
    point(g.mask);
    point(g.mask_value);
    scalar(g.value);
    scalar(g.rho);
    scalar(g.blind);
    for (const auto& f : g.folds) point(f);
    for (const auto& e : g.evals)
      for (const Fr& x : e) scalar(x);
  }
  for (const auto& w : proof.witness) point(w);
  return c;
}

// ---------------------------------------------------------------------------------------------
// One run for the whole test program (compiling the harness takes seconds).

struct Plan {
  Evm evm{"ZkEvmHarness"};
  std::vector<TranscriptCase> transcripts;
  std::vector<size_t> transcript_calls;
  std::vector<SumcheckCase> sumchecks;
  std::vector<size_t> sumcheck_calls;
  std::vector<std::vector<size_t>> sumcheck_bad;  // a call per changed word
  struct Mle {
    Fr eq, mle;
    size_t call;
  };
  std::vector<Mle> mles;
  std::vector<KzgCase> kzgs;
  std::vector<size_t> kzg_calls;
  std::vector<std::vector<std::pair<std::string, size_t>>> kzg_bad;       // false or revert
  std::vector<std::vector<std::pair<std::string, size_t>>> kzg_bad_valid;  // valid points: false
  std::vector<size_t> kzg_noncanonical;  // must revert
  Evm kzg_evm{"ZkKzgHarness"};  // several groups
  std::vector<KzgGroupsCase> kzg_groups;
  std::vector<size_t> kzg_group_calls;
  std::vector<std::vector<std::pair<std::string, size_t>>> kzg_group_bad;        // false or revert
  std::vector<std::vector<std::pair<std::string, size_t>>> kzg_group_bad_valid;  // valid points: false
  std::vector<size_t> kzg_group_noncanonical;  // must revert
  Evm step_evm{"ZkStepHarness"};  // ZkEvmHarness is near the code-size limit
  std::vector<LogupCase> logups;
  std::vector<size_t> logup_calls;
  std::vector<std::vector<size_t>> logup_bad;
  std::vector<ReductionCase> reductions;
  std::vector<size_t> reduction_calls;
  std::vector<std::vector<size_t>> reduction_bad;
  std::vector<BatchCase> batches;
  std::vector<size_t> batch_calls;
  std::vector<std::vector<size_t>> batch_bad;
  size_t g2_call = 0, bench_call = 0, long_label_call = 0;
};

Plan& plan() {
  static Plan* p = [] {
    auto* pl = new Plan;
    TestRng rng(test_seed());
    for (int i = 0; i < 4; ++i) {
      pl->transcripts.push_back(transcript_case(rng));
      pl->transcript_calls.push_back(pl->evm.add("transcriptScript(uint256[])", pl->transcripts.back().words));
    }
    {  // a label of 32 bytes: refused (a revert), not hashed differently
      std::vector<Word> w;
      put_bytes(w, std::string_view("d"));
      w.push_back(word_u64(4));
      put_bytes(w, std::string(32, 'l'));
      pl->long_label_call = pl->evm.add("transcriptScript(uint256[])", w);
    }
    using sumcheck::Composition;
    using sumcheck::Term;
    const std::vector<std::pair<size_t, Composition<Fr>>> comps = {
        {6, Composition<Fr>(4, {Term<Fr>{Fr::from_u64(3), {0, 1, 2}}, Term<Fr>{-Fr::from_u64(5), {3}},
                                Term<Fr>{Fr::from_u64(7), {0, 3}}})},
        {3, Composition<Fr>::product(2)},
        {1, Composition<Fr>(2, {Term<Fr>{Fr::one(), {0}}, Term<Fr>{Fr::from_u64(2), {1}}})},
        {16, Composition<Fr>(3, {Term<Fr>{Fr::one(), {0, 1, 2}}})},
        {3, Composition<Fr>::product(5)},  // degree 5: barycentric rounds
    };
    for (const auto& [n, comp] : comps) {
      pl->sumchecks.push_back(sumcheck_case(rng, n, comp));
      const SumcheckCase& c = pl->sumchecks.back();
      auto [call, bad] = add_with_changed_words(pl->evm, "sumcheck(uint256[])", c.words, c.claim_at);
      pl->sumcheck_calls.push_back(call);
      pl->sumcheck_bad.push_back(std::move(bad));
    }
    {
      const std::vector<std::tuple<size_t, Composition<Fr>, size_t>> eq_comps = {
          {8, Composition<Fr>::product(3), 99},  // eq f g
          {5, Composition<Fr>::product(2), 2},   // eq f, rho_2 = 0
          {4, Composition<Fr>(4, {Term<Fr>{Fr::one(), {0, 1}}, Term<Fr>{Fr::from_u64(3), {0, 2, 3}}}), 0},
          {3, Composition<Fr>(1, {Term<Fr>{Fr::from_u64(5), {0}}}), 99},  // degree 1: no values sent
          {4, Composition<Fr>::product(5), 1},  // degree 5 (a 2x2 max pool's zero-check), rho_1 = 0
      };
      for (const auto& [n, comp, zero_at] : eq_comps) {
        pl->sumchecks.push_back(sumcheck_eq_case(rng, n, comp, zero_at));
        const SumcheckCase& c = pl->sumchecks.back();
        auto [call, bad] = add_with_changed_words(pl->evm, "sumcheckWithEq(uint256[])", c.words, c.claim_at);
        pl->sumcheck_calls.push_back(call);
        pl->sumcheck_bad.push_back(std::move(bad));
      }
    }
    for (size_t n : {1, 5, 8}) {
      std::vector<Fr> a(n), b(n), t(size_t{1} << n);
      for (Fr& x : a) x = Fr::random(rng);
      for (Fr& x : b) x = Fr::random(rng);
      for (Fr& x : t) x = Fr::random(rng);
      std::vector<Word> w = {word_u64(n)};
      for (const Fr& x : a) w.push_back(word(x));
      for (const Fr& x : b) w.push_back(word(x));
      for (const Fr& x : t) w.push_back(word(x));
      pl->mles.push_back({poly::eq_eval<Fr>(a, b), poly::evaluate_mle<Fr>(t, a), pl->evm.add("mleEval(uint256[])", w)});
    }
    for (auto [n, full] : std::vector<std::pair<size_t, size_t>>{{1, 1}, {4, 3}, {8, 4}}) {
      pl->kzgs.push_back(kzg_case(rng, n, full));
      const KzgCase& c = pl->kzgs.back();
      pl->kzg_calls.push_back(pl->evm.add("hyperKzg(uint256[])", c.words));
      std::vector<std::pair<std::string, size_t>> bad, bad_valid;
      // Every word of the point z, the items and the proof (not the key: the setup is the verifier's).
      for (size_t i = 1; i < c.words.size(); ++i) {
        if (i == 1 + n) continue;  // the item count (a shape)
        const bool in_key = i + kKzgKeyWords >= c.proof_at && i < c.proof_at;
        if (in_key) continue;
        if (i >= c.items_at && i < c.proof_at && (i - c.items_at) % 5 == 2) continue;  // claim kind (a shape)
        std::vector<Word> w = c.words;
        w[i] = plus_one(w[i]);
        bad.push_back({"word " + std::to_string(i), pl->evm.add("hyperKzg(uint256[])", w)});
      }
      // Each scalar of the proof (w, rho_G, t_G, the evaluations) and a plain claim's value as
      // value + R, the same residue: reverts (one encoding per value, as the C++ decoder).
      {
        std::vector<size_t> scalars = {c.proof_at + 4, c.proof_at + 5, c.proof_at + 6};
        const size_t e0 = c.proof_at + 7 + 2 * (n - 1);
        for (size_t k = 0; k < 3 * n; ++k) scalars.push_back(e0 + k);
        scalars.push_back(c.items_at + 3);  // item 0's plain claim value
        for (size_t at : scalars) {
          std::vector<Word> w = c.words;
          w[at] = plus_r(w[at]);
          pl->kzg_noncanonical.push_back(pl->evm.add("hyperKzg(uint256[])", w));
        }
      }
      // Each G1 point (proof and items) replaced by another valid point (P + G).
      std::vector<size_t> at = c.proof_points;
      at.insert(at.end(), c.item_points.begin(), c.item_points.end());
      for (size_t k = 0; k < at.size(); ++k) {
        std::vector<Word> w = c.words;
        std::vector<Word> q;
        put_g1(q, (G1(c.point_values[k]) + G1::generator()).to_affine());
        w[at[k]] = q[0];
        w[at[k] + 1] = q[1];
        bad_valid.push_back({"point at word " + std::to_string(at[k]), pl->evm.add("hyperKzg(uint256[])", w)});
      }
      pl->kzg_bad.push_back(std::move(bad));
      pl->kzg_bad_valid.push_back(std::move(bad_valid));
    }
    // LogUp: witness shallower than, as deep as, and deeper than the table (unit children), and
    // a single row.
    for (auto [n, k] : std::vector<std::pair<size_t, size_t>>{{3, 5}, {4, 4}, {6, 3}, {0, 2}}) {
      pl->logups.push_back(logup_case(rng, n, k));
      const LogupCase& c = pl->logups.back();
      // The state before and every proof word changed.
      auto [call, bad] = add_with_changed_words(pl->step_evm, "logupFractions(uint256[])", c.words, 2);
      pl->logup_calls.push_back(call);
      pl->logup_bad.push_back(std::move(bad));
    }
    // Batches: three tables (one registered twice), segments of 1 to 32 rows; one segment; a
    // witness deeper than the table (unit children).
    for (const auto& segs : std::vector<std::vector<std::pair<size_t, size_t>>>{
             {{4, 3}, {3, 5}, {4, 2}, {2, 0}}, {{5, 5}}, {{3, 6}, {3, 6}, {6, 1}}}) {
      pl->batches.push_back(batch_case(rng, segs));
      const BatchCase& c = pl->batches.back();
      auto [call, bad] = add_with_changed_words(pl->step_evm, "logupRangeBatch(uint256[])", c.words, c.state_at);
      pl->batch_calls.push_back(call);
      pl->batch_bad.push_back(std::move(bad));
    }
    // Reductions: four commitments of 3, 5, 1 and 5 variables with two claims on two of them; one
    // commitment of 0 variables; one of 6 variables with three claims.
    for (const auto& [nv, coms] : std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>{
             {{3, 5, 1, 5}, {0, 1, 2, 3, 1, 0}}, {{0}, {0}}, {{6}, {0, 0, 0}}}) {
      pl->reductions.push_back(reduction_case(rng, nv, coms));
      const ReductionCase& c = pl->reductions.back();
      // Each claim value and point coordinate, the state and every proof word changed.
      auto [call, bad] = add_with_changed_words(pl->step_evm, "reduction(uint256[])", c.words, 2 + nv.size());
      pl->reduction_calls.push_back(call);
      pl->reduction_bad.push_back(std::move(bad));
    }
    pl->step_evm.run();
    // Several groups: two (the reduction's and cp's pads', of other lengths), three, and one (the
    // same verdict and state as ZkHyperKzg.verify); the last two: what a second group of one
    // committed item at n = 8 adds.
    for (const auto& [ns, counts] : std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>{
             {{5, 3}, {3, 1}}, {{4, 4}, {2, 1}}, {{2, 6, 1}, {1, 2, 1}}, {{3}, {2}}, {{8}, {3}}, {{8, 8}, {3, 1}}}) {
      pl->kzg_groups.push_back(kzg_groups_case(rng, ns, counts));
      const KzgGroupsCase& c = pl->kzg_groups.back();
      const std::string sig = "hyperKzgGroups(uint256[])";
      pl->kzg_group_calls.push_back(pl->kzg_evm.add(sig, c.words));
      std::vector<std::pair<std::string, size_t>> bad, bad_valid;
      for (size_t i = 1; i < c.words.size(); ++i) {
        if (i >= c.key_at && i < c.proof_at) continue;  // the setup is the verifier's
        if (std::find(c.shape_words.begin(), c.shape_words.end(), i) != c.shape_words.end()) continue;
        std::vector<Word> w = c.words;
        w[i] = plus_one(w[i]);
        bad.push_back({"word " + std::to_string(i), pl->kzg_evm.add(sig, w)});
      }
      for (size_t k = 0; k < c.proof_points.size(); ++k) {
        std::vector<Word> w = c.words;
        std::vector<Word> q;
        put_g1(q, (G1(c.point_values[k]) + G1::generator()).to_affine());
        w[c.proof_points[k]] = q[0];
        w[c.proof_points[k] + 1] = q[1];
        bad_valid.push_back({"point at word " + std::to_string(c.proof_points[k]), pl->kzg_evm.add(sig, w)});
      }
      for (size_t at : c.scalars) {
        std::vector<Word> w = c.words;
        w[at] = plus_r(w[at]);
        pl->kzg_group_noncanonical.push_back(pl->kzg_evm.add(sig, w));
      }
      pl->kzg_group_bad.push_back(std::move(bad));
      pl->kzg_group_bad_valid.push_back(std::move(bad_valid));
    }
    pl->kzg_evm.run();
    pl->g2_call = pl->evm.add("g2Generator(uint256[])", {});
    std::vector<Word> bw = {word_u64(20)};
    put_g2(bw, file_params().tau_g2());
    pl->bench_call = pl->evm.add("bench(uint256[])", bw);
    pl->evm.run();
    return pl;
  }();
  return *p;
}

bool rejected(const CallResult& r) { return !r.success || (!r.out.empty() && r.out[0] == Word{}); }
bool accepted(const CallResult& r) { return r.success && !r.out.empty() && r.out[0] == word_u64(1); }

TEST(Evm, TranscriptMatchesCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.transcripts.size(); ++i) {
    const CallResult& r = p.evm[p.transcript_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), p.transcripts[i].want.size()) << "script " << i;
    for (size_t j = 0; j < r.out.size(); ++j)
      EXPECT_EQ(hex(r.out[j]), hex(p.transcripts[i].want[j])) << "script " << i << ", challenge/state " << j;
    std::printf("transcript script %zu: %zu challenges, %zu words of calldata, %llu gas\n", i,
                p.transcripts[i].want.size() - 1, p.transcripts[i].words.size(), (unsigned long long)r.gas);
  }
}

TEST(Evm, TranscriptRefusesLabelsAbove31Bytes) {
  Plan& p = plan();
  EXPECT_FALSE(p.evm[p.long_label_call].success);
}

TEST(Evm, SumcheckHonestVerifiesWithTheCppPoint) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.sumchecks.size(); ++i) {
    const SumcheckCase& c = p.sumchecks[i];
    const CallResult& r = p.evm[p.sumcheck_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), c.n + 2);
    EXPECT_TRUE(accepted(r)) << "sumcheck " << i;
    for (size_t j = 0; j < c.n; ++j) EXPECT_EQ(hex(r.out[1 + j]), hex(word(c.point[j]))) << "sumcheck " << i << " r_" << j;
    EXPECT_EQ(hex(r.out[c.n + 1]), hex(c.state)) << "sumcheck " << i << ": final transcript state";
    std::printf("sumcheck %zu%s: n = %zu, degree %s, %llu gas (tx %llu)\n", i, i >= 5 ? " (with eq)" : "", c.n,
                std::to_string(c.words[1][31]).c_str(), (unsigned long long)r.gas, (unsigned long long)r.tx_gas);
  }
}

TEST(Evm, SumcheckEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.sumchecks.size(); ++i)
    for (size_t k = 0; k < p.sumcheck_bad[i].size(); ++k)
      EXPECT_TRUE(rejected(p.evm[p.sumcheck_bad[i][k]]))
          << "sumcheck " << i << ": word " << p.sumchecks[i].claim_at + k << " changed, still accepted";
}

TEST(Evm, EqAndMleMatchCpp) {
  Plan& p = plan();
  for (const auto& m : p.mles) {
    const CallResult& r = p.evm[m.call];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), 2u);
    EXPECT_EQ(hex(r.out[0]), hex(word(m.eq)));
    EXPECT_EQ(hex(r.out[1]), hex(word(m.mle)));
  }
}

TEST(Evm, HyperKzgHonestVerifies) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.kzgs.size(); ++i) {
    const KzgCase& c = p.kzgs[i];
    EXPECT_TRUE(c.cpp_ok);
    const CallResult& r = p.evm[p.kzg_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_TRUE(accepted(r)) << "kzg " << i;
    ASSERT_EQ(r.out.size(), 2u);
    EXPECT_EQ(hex(r.out[1]), hex(c.state)) << "kzg " << i << ": final transcript state";
    std::printf("hyperkzg: n = %zu, %zu items, %zu calldata words: %llu gas (tx %llu, calldata %llu)\n", c.n, c.items,
                c.words.size(), (unsigned long long)r.gas, (unsigned long long)r.tx_gas,
                (unsigned long long)r.calldata_gas);
  }
}

TEST(Evm, HyperKzgEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.kzgs.size(); ++i) {
    size_t reverts = 0;
    for (const auto& [what, call] : p.kzg_bad[i]) {
      EXPECT_TRUE(rejected(p.evm[call])) << "kzg " << i << ": " << what << " changed, still accepted";
      reverts += !p.evm[call].success;
    }
    for (const auto& [what, call] : p.kzg_bad_valid[i]) {
      const CallResult& r = p.evm[call];
      EXPECT_TRUE(r.success) << "kzg " << i << ": " << what << ": a valid point reverted: " << r.error;
      EXPECT_TRUE(rejected(r)) << "kzg " << i << ": " << what << " replaced by another point, still accepted";
    }
    std::printf("hyperkzg n = %zu: %zu changed words rejected (%zu by a revert), %zu replaced points rejected\n",
                p.kzgs[i].n, p.kzg_bad[i].size(), reverts, p.kzg_bad_valid[i].size());
  }
}

TEST(Evm, HyperKzgNonCanonicalScalarsRevert) {
  Plan& p = plan();
  ASSERT_FALSE(p.kzg_noncanonical.empty());
  for (size_t call : p.kzg_noncanonical) EXPECT_FALSE(p.evm[call].success) << "a scalar + R was not refused";
}

// Several groups (contracts/ZkHyperKzg.sol verifyGroups) against pcs::verify_batch: the honest
// batches verify with the C++ verifier's final transcript state; every changed word of the points,
// items and proof, every proof point replaced by another valid point, every proof scalar + R: refused.
TEST(Evm, HyperKzgGroupsMatchCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  ASSERT_EQ(p.kzg_groups.size(), 6u);
  for (size_t i = 0; i < p.kzg_groups.size(); ++i) {
    const KzgGroupsCase& c = p.kzg_groups[i];
    EXPECT_TRUE(c.cpp_ok);
    const CallResult& r = p.kzg_evm[p.kzg_group_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_TRUE(accepted(r)) << "kzg groups " << i;
    ASSERT_EQ(r.out.size(), 2u);
    EXPECT_EQ(hex(r.out[1]), hex(c.state)) << "kzg groups " << i << ": final transcript state";
    std::string shape;
    for (size_t g = 0; g < c.ns.size(); ++g)
      shape += (g ? ", " : "") + std::to_string(c.counts[g]) + " item(s) at n = " + std::to_string(c.ns[g]);
    std::printf("hyperkzg groups [%s]: %zu calldata words: %llu gas (tx %llu)\n", shape.c_str(), c.words.size(),
                (unsigned long long)r.gas, (unsigned long long)r.tx_gas);
  }
}

TEST(Evm, HyperKzgGroupsEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.kzg_groups.size(); ++i) {
    ASSERT_FALSE(p.kzg_group_bad[i].empty());
    for (const auto& [what, call] : p.kzg_group_bad[i])
      EXPECT_TRUE(rejected(p.kzg_evm[call])) << "kzg groups " << i << ": " << what << " changed, still accepted";
    for (const auto& [what, call] : p.kzg_group_bad_valid[i]) {
      const CallResult& r = p.kzg_evm[call];
      EXPECT_TRUE(r.success) << "kzg groups " << i << ": " << what << ": a valid point reverted: " << r.error;
      EXPECT_TRUE(rejected(r)) << "kzg groups " << i << ": " << what << " replaced by another point, still accepted";
    }
  }
  ASSERT_FALSE(p.kzg_group_noncanonical.empty());
  for (size_t call : p.kzg_group_noncanonical) EXPECT_FALSE(p.kzg_evm[call].success) << "a scalar + R was not refused";
}

TEST(Evm, LogupFractionsMatchCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.logups.size(); ++i) {
    const LogupCase& c = p.logups[i];
    const CallResult& r = p.step_evm[p.logup_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), 7 + c.n + c.k);
    EXPECT_TRUE(accepted(r)) << "logup " << i;
    const auto& l = c.leaves;
    EXPECT_EQ(r.out[1], word_u64(l.witness_unit ? 1 : 0)) << "logup " << i;
    EXPECT_EQ(hex(r.out[2]), hex(word(l.witness_p.value()))) << "logup " << i << ": witness numerator";
    EXPECT_EQ(hex(r.out[3]), hex(word(l.witness_q.value()))) << "logup " << i << ": witness denominator";
    EXPECT_EQ(hex(r.out[4]), hex(word(l.table_p.value()))) << "logup " << i << ": table numerator";
    EXPECT_EQ(hex(r.out[5]), hex(word(l.table_q.value()))) << "logup " << i << ": table denominator";
    ASSERT_EQ(l.witness_point.size(), c.n);
    ASSERT_EQ(l.table_point.size(), c.k);
    for (size_t j = 0; j < c.n; ++j) EXPECT_EQ(hex(r.out[6 + j]), hex(word(l.witness_point[j]))) << "logup " << i;
    for (size_t j = 0; j < c.k; ++j) EXPECT_EQ(hex(r.out[6 + c.n + j]), hex(word(l.table_point[j]))) << "logup " << i;
    EXPECT_EQ(hex(r.out[6 + c.n + c.k]), hex(c.state)) << "logup " << i << ": final transcript state";
    std::printf("logup fractions %zu: witness 2^%zu rows, table 2^%zu rows, %zu words, %llu gas (tx %llu)\n", i, c.n,
                c.k, c.words.size(), (unsigned long long)r.gas, (unsigned long long)r.tx_gas);
  }
}

TEST(Evm, LogupEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.logups.size(); ++i) {
    ASSERT_EQ(p.logup_bad[i].size(), p.logups[i].words.size() - 2);
    for (size_t k = 0; k < p.logup_bad[i].size(); ++k)
      EXPECT_TRUE(rejected(p.step_evm[p.logup_bad[i][k]])) << "logup " << i << ": word " << 2 + k << " changed, still accepted";
  }
}

TEST(Evm, LogupRangeBatchMatchesCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.batches.size(); ++i) {
    const BatchCase& c = p.batches[i];
    const CallResult& r = p.step_evm[p.batch_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_TRUE(accepted(r)) << "batch " << i;
    ASSERT_GE(r.out.size(), 4u);
    const size_t n = r.out[1][31], k = r.out[2 + n][31];
    ASSERT_EQ(r.out.size(), 4 + n + k);
    for (size_t e = 0; e < c.segment_points.size(); ++e) {
      ASSERT_LE(c.segment_points[e].size(), n);
      for (size_t j = 0; j < c.segment_points[e].size(); ++j)
        EXPECT_EQ(hex(r.out[2 + j]), hex(word(c.segment_points[e][j]))) << "batch " << i << ", segment " << e;
    }
    for (size_t t = 0; t < c.table_points.size(); ++t) {
      ASSERT_LE(c.table_points[t].size(), k);
      for (size_t j = 0; j < c.table_points[t].size(); ++j)
        EXPECT_EQ(hex(r.out[3 + n + j]), hex(word(c.table_points[t][j]))) << "batch " << i << ", table " << t;
    }
    EXPECT_EQ(hex(r.out[3 + n + k]), hex(c.state)) << "batch " << i << ": final transcript state";
    std::printf("logup range batch %zu: %zu segments, %zu tables, witness 2^%zu, table 2^%zu rows, %zu words, %llu gas (tx %llu)\n", i,
                c.segment_points.size(), c.table_points.size(), n, k, c.words.size(), (unsigned long long)r.gas,
                (unsigned long long)r.tx_gas);
  }
}

TEST(Evm, LogupRangeBatchEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.batches.size(); ++i) {
    ASSERT_EQ(p.batch_bad[i].size(), p.batches[i].words.size() - p.batches[i].state_at);
    for (size_t k = 0; k < p.batch_bad[i].size(); ++k)
      EXPECT_TRUE(rejected(p.step_evm[p.batch_bad[i][k]]))
          << "batch " << i << ": word " << p.batches[i].state_at + k << " changed, still accepted";
  }
}

TEST(Evm, OpeningReductionMatchesCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.reductions.size(); ++i) {
    const ReductionCase& c = p.reductions[i];
    const CallResult& r = p.step_evm[p.reduction_calls[i]];
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_TRUE(accepted(r)) << "reduction " << i;
    ASSERT_EQ(r.out.size(), 2 + c.rho.size());
    for (size_t j = 0; j < c.rho.size(); ++j) EXPECT_EQ(hex(r.out[1 + j]), hex(word(c.rho[j]))) << "reduction " << i << " rho_" << j;
    EXPECT_EQ(hex(r.out[1 + c.rho.size()]), hex(c.state)) << "reduction " << i << ": final transcript state";
    std::printf("opening reduction %zu: N = %zu, %zu words, %llu gas (tx %llu)\n", i, c.rho.size(), c.words.size(),
                (unsigned long long)r.gas, (unsigned long long)r.tx_gas);
  }
}

TEST(Evm, OpeningReductionEveryChangedWordIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.reductions.size(); ++i) {
    const ReductionCase& c = p.reductions[i];
    const size_t from = c.words.size() - p.reduction_bad[i].size();
    // A claim's commitment index and point length too: another commitment or a misread claim.
    // The state before: rejected, or (no challenge used: one claim, no variable) a different
    // state after, on which the caller's next step draws its challenges.
    for (size_t k = 0; k < p.reduction_bad[i].size(); ++k) {
      const CallResult& r = p.step_evm[p.reduction_bad[i][k]];
      const bool other_state = from + k == c.state_at && accepted(r) && r.out.back() != c.state;
      EXPECT_TRUE(rejected(r) || other_state) << "reduction " << i << ": word " << from + k << " changed, still accepted";
    }
  }
}

TEST(Evm, G2GeneratorConstant) {
  Plan& p = plan();
  const CallResult& r = p.evm[p.g2_call];
  ASSERT_TRUE(r.success);
  std::vector<Word> want;
  put_g2(want, G2Affine::generator());
  ASSERT_EQ(r.out.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(hex(r.out[i]), hex(want[i]));
}

TEST(Evm, GasPerPrimitive) {
  Plan& p = plan();
  const CallResult& r = p.evm[p.bench_call];
  ASSERT_TRUE(r.success) << r.error;
  const char* names[] = {"absorb one Fr",          "absorb 4 Fr (one round message)", "absorb one G1",
                         "challenge",              "Fr inverse (modexp)",             "ecAdd",
                         "ecMul",                  "2-pair pairing check",            "eq, per coordinate",
                         "MLE of 2^8 entries",     "degree-3 round interpolation",   "absorb 16 Fr",
                         "const header: one Fr, v1 (LE)", "const header: 16 Fr, v1 (LE)", "const header: one Fr, v2",
                         "const header: challenge, v1 (LE)", "const header: 16 Fr, v2", "const header: challenge, v2"};
  ASSERT_EQ(r.out.size(), std::size(names));
  std::printf("harness code size: %llu bytes\n", (unsigned long long)p.evm.code_size());
  for (size_t i = 0; i < r.out.size(); ++i) {
    uint64_t g = 0;
    for (size_t b = 24; b < 32; ++b) g = (g << 8) | r.out[i][b];
    EXPECT_GT(g, 0u) << names[i];
    std::printf("gas: %-34s %8llu\n", names[i], (unsigned long long)g);
  }
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  if (std::system("node --version > /dev/null 2>&1") != 0 || std::system("npm --version > /dev/null 2>&1") != 0) {
    std::fprintf(stderr, "evm_test: node or npm is not installed (bash scripts/install-deps.sh); skipped\n");
    return 77;
  }
  std::printf("*** tests/vectors/test_pot10.ptau is a TEST-ONLY powers of tau (known tau): never use it for real keys ***\n");
  if (!std::filesystem::exists(std::string(ZKINFER_SOURCE_DIR) + "/tools/evm/node_modules/@ethereumjs/evm")) {
    std::fprintf(stderr, "evm_test: tools/evm/node_modules is missing: run bash scripts/install-evm.sh\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
