// Differential test of the zero-knowledge end section on the EVM (contracts/ZkCp.sol) against the
// C++ verifier (src/zk/cp.cc, Context::verify_finish with kzg pads of key version 8), in a real EVM
// (tools/evm/run.js, harness contracts/test/ZkCpHarness.sol).
//
// Instances: a prover Context (kzg pads in chunks of 4, 8, 16, .. over an INSECURE test SRS of known
// tau) sends padded messages, draws challenges, multiplies hidden values (products, a product of a
// product, a product with a factor whose terms cancel: a public factor), records equalities and
// binds claims to Pedersen commitments; then the end section. The verifier replays the same script
// in C++ (verify_finish) and the harness gets the verifier's relations (the padded values by slot,
// the chunk commitments, the Pedersen claims, the products' factor forms, the equalities) with the
// transcript state before the end section, and the end section's proof words. Asserted: the same
// verdict, final transcript state, pad opening (r', C* = sum_k W_k(r') C_k, V) as the C++ verifier;
// every changed word of the end section, of the padded values in a relation and of the Pedersen
// claims rejected
// (false or a revert) and the C++ verifier rejecting each changed scalar too; a cheating prover
// (a forged product value, a false equality) rejected by both. Gas printed.
//
// Exit status 77 (CTest's skip) when node is not installed. Debugging: EVM_ZK_HONEST_ONLY=1 skips
// the changed-word calls (the rejection tests then check nothing), EVM_ZK_CPP_ONLY=1 the EVM
// altogether; ZKINFER_EVM_KEEP=1 keeps the calls and answers (evm_runner.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <functional>
#include <optional>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "evm_runner.h"
#include "common/random.h"
#include "curve/g1.h"
#include "layers/activation.h"
#include "layers/bound.h"
#include "layers/combine.h"
#include "layers/conv.h"
#include "layers/elementwise.h"
#include "layers/matmul.h"
#include "layers/pool.h"
#include "layers/reindex.h"
#include "layers/rescale.h"
#include "lookup/batch.h"
#include "layers/test_util.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "pcs/reduced_opening.h"
#include "poly/mle.h"
#include "proof/evm_verifier.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "test_seed.h"
#include "transcript/transcript.h"
#include "zk/cp.h"
#include "zk/session.h"
#include "zk/wire.h"

namespace zkinfer {
namespace {

using curve::G1Affine;
using field::Fq;
using field::Fr;
using testing::seed_note;
using testing::test_seed;
using namespace evmtest;
using cp::Context;
using cp::Val;

constexpr std::string_view kDomain = "evm-test-cp";
constexpr size_t kLogFirst = 2;  // chunks of 4, 8, 16, ..
constexpr size_t kMaxVars = 6;   // the test SRS: chunks up to 64 pads
constexpr size_t kPedLog = 5;    // cp's Pedersen generators: U, H, G_0..G_31

const pcs::KzgParams& srs() {
  static const pcs::KzgParams p = pcs::KzgParams::insecure_from_secrets(Fr::from_u64(424242), Fr::from_u64(1717), kMaxVars);
  return p;
}
const pcs::HyraxParams& ped() {
  static const pcs::HyraxParams p(kPedLog);
  return p;
}

Word word_le(std::span<const uint8_t> le) { return be_from_le(le.first(32)); }

// The script's shape.
struct Shape {
  std::string name;
  size_t messages = 8;   // messages before the end section (a derived one every third)
  size_t products = 2;   // hidden products (each in a derived message's equality)
  bool nested = false;   // one product of a product
  bool cancel = false;   // one product whose first factor's terms cancel (a public factor)
  size_t claims = 1;     // claims bound to Pedersen commitments
};

// A cheating prover.
struct Cheat {
  bool forge_product = false;   // product 0's value + 1 in the end section
  bool false_equality = false;  // a derived message off by one
};

struct Script {
  // Filled by the verifier's run: the relations the end section sees.
  std::vector<std::pair<Val, Val>> prods;
  std::vector<G1Affine> peds;
};

// The verifier's code, run by the prover (w, pvals) and the verifier (r). Messages are absorbed as
// read, so a message's id is its slot.
void run_script(const Shape& sh, Context& ctx, transcript::Transcript& tr, ByteWriter* w, ByteReader* r,
                const Cheat& cheat, TestRng* rng, Script& sc) {
  const bool prover = w != nullptr;
  std::vector<Val> m;
  Fr c = Fr::from_u64(5);
  size_t made = 0;
  auto message = [&](const Fr& v) {
    Val x;
    if (prover) {
      x = ctx.send(v);
      tr.absorb("t.msg", x);
      ctx.write(*w, x);
    } else {
      x = cp::read(*r);
      tr.absorb("t.msg", x);
    }
    m.push_back(x);
  };
  auto mul = [&](const Val& a, const Val& b) {
    sc.prods.push_back({a, b});
    return a * b;
  };
  for (size_t j = 0; j < sh.messages; ++j) {
    if (j % 3 != 2) {
      message(prover ? Fr::random(*rng) : Fr::zero());
      if (j % 3 == 1) c = tr.challenge<Fr>("t.c");
      continue;
    }
    // derived: x_j = c x_{j-2} + (x_{j-1} x_{j-2} or 3 x_{j-1}) + 7
    Val rhs = m[j - 2] * c + Val(Fr::from_u64(7));
    if (made < sh.products) {
      Val p;
      if (sh.cancel && made == 0) {
        p = mul(m[j - 1] - m[j - 1], m[j - 2]);
      } else if (sh.nested && made == 1) {
        const Val inner = mul(m[j - 1], m[j - 2]);
        p = mul(inner, m[0]);
      } else {
        p = mul(m[j - 1], m[j - 2]);
      }
      rhs += p * Fr::from_u64(2);
      ++made;
    } else {
      rhs += m[j - 1] * Fr::from_u64(3);
    }
    Fr v = rhs.value();
    if (cheat.false_equality && j == 2) v += Fr::one();
    message(v);
    EXPECT_TRUE(m.back() == rhs);
  }
  for (size_t l = 0; l < sh.claims && l + 1 < m.size(); ++l) {
    const Val x = m[l] + m[l + 1] * c;
    if (prover) {
      ctx.bind_claim(x, *w, tr);
    } else {
      const auto cl = ctx.bind_claim(x, *r, tr);
      sc.peds.push_back(cl.commitment());
    }
  }
}

// A form's words: [c, n, (atom, coeff) x n] (message ids are slots here).
void put_form(std::vector<Word>& out, const Val& x) {
  out.push_back(word(x.is_public() ? x.value() : x.value()));
  out.push_back(word_u64(x.terms().size()));
  for (const auto& t : x.terms()) {
    out.push_back(word_u64(t.atom));
    out.push_back(word(t.coeff));
  }
}

struct Case {
  std::string name;
  std::vector<Word> words;
  size_t s_at = 0, s_n = 0, chunks_at = 0, peds_at = 0, peds_n = 0, proof_at = 0;
  std::vector<bool> in_relation;  // per slot before the end section: a term of some recorded form
  std::vector<uint8_t> bytes;  // the whole proof (C++)
  size_t end_at = 0;           // its end section's first byte
  std::vector<std::pair<size_t, size_t>> scalar_bytes;  // (word index, byte offset) of each end-section scalar
  size_t end_words = 0;  // the end section's proof words (the pad opening's follow)
  bool cpp_ok = false;
  Word state{};
  uint64_t nu = 0;
  std::vector<Word> point;
  G1Affine cstar, v;
  size_t messages = 0, chunks = 0, products = 0, equalities = 0;
};

std::vector<uint8_t> prove(const Shape& sh, const Cheat& cheat, TestRng& rng) {
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteWriter w;
  Script sc;
  run_script(sh, ctx, tr, &w, nullptr, cheat, &rng, sc);
  if (cheat.forge_product) ctx.testing_forge_product(0, ctx.product_value(0) + Fr::one());
  ctx.prove_finish(tr, w);
  if (ctx.has_pad_opening()) {  // the pad opening's HyperKZG batch (one group)
    const auto o = ctx.kzg_pad_opening();
    const pcs::KzgCommitment com{o.num_vars, o.commitment};
    const pcs::KzgBlinds bl{o.blind};
    const std::vector<pcs::KzgOpeningWitness> items{{&com, &bl, o.values, std::vector<Fr>(o.point.begin(), o.point.end()),
                                                     pcs::ProverClaim{o.v, o.t, o.claim}}};
    pcs::prove_batch(srs(), items, tr, random).serialize(w);
  }
  std::vector<uint8_t> out = ctx.rows_block();
  const auto body = w.data();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// The end section's words (the layout of cp.cc's finish: scalars, and points as two words), from
// byte end_at; returns its length in bytes. scalar_bytes: each scalar's (word index, byte offset).
size_t put_end_section(std::vector<Word>& ws, std::span<const uint8_t> bytes, size_t end_at, size_t np, bool hidden,
                       size_t nchunks, std::vector<std::pair<size_t, size_t>>* scalar_bytes) {
  ByteReader e(bytes.subspan(end_at));
  auto scalar = [&] {
    if (scalar_bytes) scalar_bytes->push_back({ws.size(), end_at + e.position()});
    ws.push_back(word_le(e.bytes(32)));
  };
  auto point = [&] { put_g1(ws, zk::read_point(e, "point")); };
  size_t kappa = 0;
  while ((size_t{1} << kappa) < np) ++kappa;
  if (np > 0) kappa = std::max<size_t>(kappa, 1);
  for (size_t k = 0; k < np + 3 * kappa; ++k) scalar();
  // P from the chunk count
  const size_t cap = std::max(kLogFirst, srs().max_vars());
  const size_t nu = nchunks == 0 ? 0 : kLogFirst + std::min(nchunks - 1, cap - kLogFirst);
  size_t lb2 = 1;
  while ((size_t{1} << lb2) < 2 * nu) ++lb2;
  if (hidden) {  // the proof of product
    for (int i = 0; i < 6; ++i) point();
    for (int i = 0; i < 5; ++i) scalar();
  }
  point();
  for (size_t i = 0; i < 2 * nu; ++i) scalar();
  point();
  point();
  point();
  for (size_t i = 0; i < (size_t{1} << lb2) + 2; ++i) scalar();
  return e.position();
}

// The C++ verifier on bytes; with `c`, the harness's words and the expected answers.
Verdict verify(const Shape& sh, std::span<const uint8_t> bytes, Case* c) {
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  Script sc;
  std::vector<G1Affine> chunks;
  size_t end_at = 0;
  Word before{};
  try {
    {
      ByteReader h(bytes);
      const uint32_t n = h.u32();
      for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
    }
    ctx.read_rows(r);
    run_script(sh, ctx, tr, nullptr, &r, Cheat{}, nullptr, sc);
    end_at = r.position();
    before = state_word(tr);
  } catch (const DecodeError& e) {
    return Verdict::reject(e.what());
  }
  if (c) {
    c->products = ctx.num_products();
    c->equalities = ctx.num_equalities();
  }
  const std::vector<Val> zeros(ctx.equalities().begin(), ctx.equalities().end());  // the routines'
  if (c) {
    c->in_relation.assign(sh.messages, false);
    auto mark = [&](const Val& x) {
      for (const auto& t : x.terms())
        if ((t.atom >> cp::kKindShift) == cp::kMsgKind && !t.coeff.is_zero()) c->in_relation.at(t.atom & cp::kIndexMask) = true;
    };
    for (const Val& d : zeros) mark(d);
    for (const auto& [a, b] : sc.prods) {
      mark(a);
      mark(b);
    }
  }
  Verdict v = ctx.verify_finish(tr, r);
  const size_t kzg_at = r.position();
  const bool hidden = ctx.equalities().size() == zeros.size() + 3;  // the proof of product ran
  std::optional<pcs::KzgBatchProof> kzg;
  if (v && ctx.has_pad_opening()) {
    try {
      const auto o = ctx.kzg_pad_opening();
      const pcs::KzgCommitment com{o.num_vars, o.commitment};
      const std::vector<pcs::KzgOpeningClaim> items{
          {&com, std::vector<Fr>(o.point.begin(), o.point.end()), pcs::EvalClaim::committed(o.claim)}};
      kzg = pcs::KzgBatchProof::deserialize(r, srs().form());
      v = pcs::verify_batch(srs(), items, *kzg, tr).within("kzg pad opening");
    } catch (const DecodeError& e) {
      v = Verdict::reject(e.what());
    }
  }
  if (!c) return v && r.remaining() == 0 ? v : (v ? Verdict::reject("trailing bytes") : v);
  c->cpp_ok = v.ok() && r.remaining() == 0;
  EXPECT_TRUE(c->cpp_ok || c->name == "forged product" || c->name == "false equality") << c->name << ": " << v.reason();
  c->state = state_word(tr);
  c->bytes.assign(bytes.begin(), bytes.end());
  c->end_at = end_at;
  c->messages = ctx.num_messages();
  c->chunks = chunks.size();
  if (ctx.has_pad_opening()) {
    const auto o = ctx.kzg_pad_opening();
    c->nu = o.num_vars;
    for (const Fr& x : o.point) c->point.push_back(word(x));
    c->cstar = o.commitment;
    c->v = o.claim;
  }
  // The harness's words.
  auto& ws = c->words;
  ws.push_back(before);
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  // the padded values by slot: the messages read before the end section (each 32 bytes after the
  // header, in order; the claims' points are after them)
  const size_t n0 = sh.messages;
  ws.push_back(word_u64(n0));
  c->s_at = ws.size();
  c->s_n = n0;
  {
    const size_t first = 4 + 32 * chunks.size();
    for (size_t j = 0; j < n0; ++j) ws.push_back(word_le(bytes.subspan(first + 32 * j)));
  }
  ws.push_back(word_u64(chunks.size()));
  c->chunks_at = ws.size();
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(sc.peds.size()));
  c->peds_at = ws.size();
  c->peds_n = sc.peds.size();
  for (const auto& p : sc.peds) put_g1(ws, p);
  ws.push_back(word_u64(sc.prods.size()));
  {
    std::vector<Word> f;
    for (const auto& [a, b] : sc.prods) {
      put_form(f, a);
      put_form(f, b);
    }
    ws.push_back(word_u64(f.size()));
    ws.insert(ws.end(), f.begin(), f.end());
  }
  ws.push_back(word_u64(zeros.size()));
  {
    std::vector<Word> f;
    for (const Val& d : zeros) put_form(f, d);
    ws.push_back(word_u64(f.size()));
    ws.insert(ws.end(), f.begin(), f.end());
  }
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  for (const Word& k : proof::evm_kzg_key_words(srs())) ws.push_back(k);
  c->proof_at = ws.size();
  const size_t np = sc.prods.size();
  const size_t end_len = put_end_section(ws, bytes, end_at, np, hidden, chunks.size(), &c->scalar_bytes);
  const size_t cap = std::max(kLogFirst, srs().max_vars());
  const size_t nu = chunks.empty() ? 0 : kLogFirst + std::min(chunks.size() - 1, cap - kLogFirst);
  if (c->cpp_ok) EXPECT_EQ(nu, c->nu);
  c->end_words = ws.size() - c->proof_at;
  if (c->cpp_ok) EXPECT_EQ(end_at + end_len, kzg_at) << c->name;
  if (kzg) {  // the pad group's words (ZkHyperKzg.verifyGroups: the group, then the witness)
    EXPECT_EQ(kzg->groups.size(), 1u);
    const pcs::KzgGroupProof& g = kzg->groups.at(0);
    put_g1(ws, g.mask);
    put_g1(ws, g.mask_value);
    ws.push_back(word(g.value));
    ws.push_back(word(g.rho));
    ws.push_back(word(g.blind));
    for (const auto& f : g.folds) put_g1(ws, f);
    for (const auto& ev : g.evals)
      for (const Fr& x : ev) ws.push_back(word(x));
    for (const auto& x : kzg->witness) put_g1(ws, x);
  }
  return v;
}

std::vector<Shape> shapes() {
  return {
      {"one product", 6, 1, false, false, 1},
      {"three products, two claims", 12, 3, false, false, 2},
      {"nested product", 12, 3, true, false, 1},
      {"public factor", 6, 1, false, true, 1},
      {"no products", 9, 0, false, false, 1},
      {"no claims", 9, 2, false, false, 0},
      // 40 messages, 5 products: 40 + 5 + 9 slots in chunks of 4, 8, 16, 32 (the end section's
      // messages open the last chunk)
      {"four chunks", 40, 5, true, false, 2},
      // 140 messages: chunks 4 .. 64 then one more of 64 (P = 6)
      {"six chunks", 140, 12, false, false, 2},
  };
}

struct Plan {
  std::vector<Case> cases;
  Evm evm{"ZkCpHarness"};
  std::vector<size_t> honest;
  std::vector<std::vector<std::pair<std::string, size_t>>> bad;  // per case: (what, call)
  std::vector<std::pair<std::string, size_t>> cheats;            // cheating provers' calls
  std::vector<std::string> cheat_cpp;                            // their C++ verdicts (reasons)
  bool ran = false;
};

Plan& plan() {
  static Plan p;
  if (p.ran) return p;
  p.ran = true;
  TestRng rng(test_seed() ^ 0xc0ffee);
  const std::string sig = "finish(uint256[])";
  for (const Shape& sh : shapes()) {
    Case c;
    c.name = sh.name;
    const auto bytes = prove(sh, Cheat{}, rng);
    verify(sh, bytes, &c);
    p.honest.push_back(p.evm.add(sig, c.words));
    std::vector<std::pair<std::string, size_t>> bad;
    if (std::getenv("EVM_ZK_HONEST_ONLY")) {
      p.bad.push_back({});
      p.cases.push_back(std::move(c));
      continue;
    }
    // every word of the end section
    for (size_t i = c.proof_at; i < c.words.size(); ++i) {
      auto w = c.words;
      w[i] = plus_one(w[i]);
      const size_t k = i - c.proof_at;
      bad.push_back({(k < c.end_words ? "end-section word " + std::to_string(k)
                                      : "pad opening word " + std::to_string(k - c.end_words)),
                     p.evm.add(sig, w)});
    }
    // every padded value in a relation (the others are bound by the transcript only, which the
    // harness does not replay), every Pedersen claim coordinate, and the starting state
    for (size_t i = c.s_at; i < c.s_at + c.s_n; ++i) {
      if (!c.in_relation[i - c.s_at] || (c.s_n > 40 && i % 7 != 0)) continue;  // (a sample in the large cases)
      auto w = c.words;
      w[i] = plus_one(w[i]);
      bad.push_back({"padded value " + std::to_string(i - c.s_at), p.evm.add(sig, w)});
    }
    for (size_t i = c.chunks_at; i < c.chunks_at + 2 * c.chunks; ++i) {
      auto w = c.words;
      w[i] = plus_one(w[i]);
      bad.push_back({"chunk commitment word " + std::to_string(i - c.chunks_at), p.evm.add(sig, w)});
    }
    for (size_t i = c.peds_at; i < c.peds_at + 2 * c.peds_n; ++i) {
      auto w = c.words;
      w[i] = plus_one(w[i]);
      bad.push_back({"claim word " + std::to_string(i - c.peds_at), p.evm.add(sig, w)});
    }
    {
      auto w = c.words;
      w[0] = plus_one(w[0]);
      bad.push_back({"state", p.evm.add(sig, w)});
    }
    p.bad.push_back(std::move(bad));
    p.cases.push_back(std::move(c));
  }
  // cheating provers: C++ must reject; the harness gets the words the C++ verifier saw
  for (const auto& [what, ch] : std::vector<std::pair<std::string, Cheat>>{{"forged product", {true, false}},
                                                                          {"false equality", {false, true}}}) {
    const Shape sh = shapes()[1];
    Case c;
    c.name = what;
    const auto bytes = prove(sh, ch, rng);
    verify(sh, bytes, &c);
    p.cheat_cpp.push_back(c.cpp_ok ? "" : "rejected");
    p.cheats.push_back({what, p.evm.add(sig, c.words)});
  }
  if (!std::getenv("EVM_ZK_CPP_ONLY")) p.evm.run();
  return p;
}

bool rejected(const CallResult& r) { return !r.success || r.out.empty() || r.out[0] != word_u64(1); }

bool node_missing() { return std::system("node --version > /dev/null 2>&1") != 0; }

TEST(EvmZk, EndSectionMatchesCpp) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  ASSERT_EQ(p.cases.size(), shapes().size());
  for (size_t i = 0; i < p.cases.size(); ++i) {
    const Case& c = p.cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(c.cpp_ok);
    const CallResult& r = p.evm[p.honest[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), 8 + c.nu);
    EXPECT_EQ(r.out[0], word_u64(1));
    EXPECT_EQ(r.out[1], c.state);
    EXPECT_EQ(r.out[2], word_u64(c.end_words));
    EXPECT_EQ(r.out[3], word_u64(c.nu));
    std::vector<Word> pts;
    put_g1(pts, c.cstar);
    put_g1(pts, c.v);
    EXPECT_EQ(r.out[4], pts[0]);
    EXPECT_EQ(r.out[5], pts[1]);
    EXPECT_EQ(r.out[6], pts[2]);
    EXPECT_EQ(r.out[7], pts[3]);
    for (size_t k = 0; k < c.nu; ++k) EXPECT_EQ(r.out[8 + k], c.point[k]);
    std::printf("  %-28s %3zu messages, %zu chunks, %2zu products, %2zu equalities, P = %llu: %8llu gas\n",
                c.name.c_str(), c.messages, c.chunks, c.products, c.equalities,
                static_cast<unsigned long long>(c.nu), static_cast<unsigned long long>(r.gas));
  }
  // the shapes reach both branches of the product sumcheck's final check and several chunks
  EXPECT_GE(p.cases.back().chunks, 6u);
}

TEST(EvmZk, EveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  for (size_t i = 0; i < p.cases.size(); ++i) {
    ASSERT_FALSE(p.bad[i].empty());
    for (const auto& [what, call] : p.bad[i]) EXPECT_TRUE(rejected(p.evm[call])) << p.cases[i].name << ": " << what;
  }
}

// The C++ verifier rejects the same changes of the end section's scalars (the harness's verdicts
// above are those of the words the C++ decoder would read).
TEST(EvmZk, CppRejectsChangedScalars) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  const auto sh = shapes();
  for (size_t i = 0; i < p.cases.size(); ++i) {
    const Case& c = p.cases[i];
    ASSERT_FALSE(c.scalar_bytes.empty());
    for (const auto& [wi, at] : c.scalar_bytes) {
      auto b = c.bytes;
      for (size_t k = at; k < at + 32; ++k)
        if (++b[k] != 0) break;  // + 1 (little-endian)
      EXPECT_FALSE(verify(sh[i], b, nullptr).ok()) << c.name << ": scalar at byte " << at;
    }
  }
}

TEST(EvmZk, CheatingProversAreRejected) {
  SCOPED_TRACE(seed_note());
  Plan& p = plan();
  ASSERT_EQ(p.cheats.size(), 2u);
  for (size_t i = 0; i < p.cheats.size(); ++i) {
    EXPECT_EQ(p.cheat_cpp[i], "rejected") << p.cheats[i].first;
    EXPECT_TRUE(rejected(p.evm[p.cheats[i].second])) << p.cheats[i].first;
  }
}


// ---- a zero-knowledge sumcheck end to end: ZkCpSumcheck records, ZkCp finishes ----

using Comp = sumcheck::Composition<Fr>;
constexpr std::string_view kScDomain = "evm-test-cpsc";

struct ScShape {
  std::string name;
  Comp comp;
  size_t n;
  bool eq = false;  // factor 0 is eq(rho, x) (prove_with_eq / verify_with_eq)
  std::vector<Fr> rho;
};

// With eq: rho has a zero coordinate in one shape (that round sends q(1..d-1)).
std::vector<ScShape> sc_eq_shapes() {
  using T = sumcheck::Term<Fr>;
  auto rho = [](size_t n, size_t zero_at) {
    std::vector<Fr> r;
    for (size_t i = 0; i < n; ++i) r.push_back(i == zero_at ? Fr::zero() : Fr::from_u64(1000 + 17 * i));
    return r;
  };
  return {
      {"eq f1 f2, n = 3", Comp::product(3), 3, true, rho(3, 99)},
      {"eq f1 f2 f3, n = 4, rho_1 = 0", Comp::product(4), 4, true, rho(4, 1)},
      {"eq mixed, n = 5",
       Comp(3, {T{Fr::from_u64(2), {0, 1, 2}}, T{-Fr::from_u64(3), {0, 2}}, T{Fr::from_u64(5), {0}}, T{Fr::one(), {0, 1, 1}}}),
       5, true, rho(5, 99)},
      {"eq linear, n = 4", Comp(3, {T{Fr::from_u64(4), {0, 1}}, T{Fr::one(), {0, 2}}}), 4, true, rho(4, 99)},
  };
}

std::vector<ScShape> sc_shapes() {
  using T = sumcheck::Term<Fr>;
  return {
      {"f0 f1, n = 3", Comp::product(2), 3},
      {"f0 f1 f2 (a chain), n = 4", Comp::product(3), 4},
      {"mixed pairs, n = 5",
       Comp(3, {T{Fr::from_u64(2), {0, 1}}, T{-Fr::from_u64(3), {1, 2}}, T{Fr::from_u64(5), {0}}, T{Fr::one(), {2, 2}}}), 5},
      {"linear, n = 6", Comp(2, {T{Fr::from_u64(4), {0}}, T{Fr::one(), {1}}}), 6},
  };
}

struct ScCase {
  std::string name;
  std::vector<Word> words;
  size_t proof_at = 0;
  bool cpp_ok = false;
  Word state{};
  uint64_t nu = 0;
  std::vector<Word> pad_point, point;
  G1Affine cstar, v;
  size_t products = 0, equalities = 0, messages = 0;
};

std::vector<uint8_t> sc_prove(const ScShape& sh, TestRng& rng, bool false_claim) {
  const size_t nf = sh.comp.num_factors();
  std::vector<std::vector<Fr>> tables(nf, std::vector<Fr>(size_t{1} << sh.n));
  for (auto& t : tables)
    for (Fr& x : t) x = Fr::random(rng);
  if (sh.eq) tables[0] = poly::eq_table<Fr>(sh.rho);
  Fr sum = Fr::zero();
  for (size_t x = 0; x < (size_t{1} << sh.n); ++x) {
    std::vector<Fr> vals(nf);
    for (size_t j = 0; j < nf; ++j) vals[j] = tables[j][x];
    sum += sh.comp.evaluate(vals);
  }
  if (sh.eq) tables[0].clear();  // (prove_with_eq: factor 0 is eq itself)
  if (false_claim) sum += Fr::one();
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kScDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  const Val claim = cp::send(tr, sum);
  tr.absorb("t.claim", claim);
  cp::write(w, claim);
  if (sh.eq) {
    sumcheck::prove_with_eq<Fr>(sh.comp, sh.rho, tables, tr).proof.serialize(w);
  } else {
    sumcheck::prove<Fr>(sh.comp, tables, tr).proof.serialize(w);
  }
  // the prover's replay of the verifier (relations on)
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  sumcheck::Subclaim<Fr> sub;
  const Val c2 = cp::read(r);
  replay.absorb("t.claim", c2);
  const size_t per = sh.eq ? sh.comp.degree() - 1 : sh.comp.degree();
  const auto proof = sumcheck::Proof<Fr>::deserialize(r, sh.n, per, nf);
  EXPECT_TRUE((sh.eq ? sumcheck::verify_with_eq<Fr>(sh.comp, sh.rho, c2, proof, replay, &sub)
                     : sumcheck::verify<Fr>(sh.comp, sh.n, c2, proof, replay, &sub))
                  .ok());
  for (size_t j = 0; j < nf; ++j) ctx.bind_claim(sub.final_evals[j], w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> out = ctx.rows_block();
  out.insert(out.end(), w.data().begin(), w.data().end());
  return out;
}

ScCase sc_verify(const ScShape& sh, std::span<const uint8_t> bytes) {
  ScCase c;
  c.name = sh.name;
  const size_t nf = sh.comp.num_factors(), d = sh.comp.degree();
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kScDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  const Val claim = cp::read(r);
  tr.absorb("t.claim", claim);
  const auto proof = sumcheck::Proof<Fr>::deserialize(r, sh.n, sh.eq ? d - 1 : d, nf);
  sumcheck::Subclaim<Fr> sub;
  Verdict v = sh.eq ? sumcheck::verify_with_eq<Fr>(sh.comp, sh.rho, claim, proof, tr, &sub)
                    : sumcheck::verify<Fr>(sh.comp, sh.n, claim, proof, tr, &sub);
  EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
  const size_t peds_at = r.position();
  for (size_t j = 0; j < nf; ++j) ctx.bind_claim(sub.final_evals[j], r, tr);
  const size_t end_at = r.position();
  c.products = ctx.num_products();
  const size_t neq = ctx.num_equalities();
  c.equalities = neq;
  v = ctx.verify_finish(tr, r);
  const bool hidden = ctx.num_equalities() == neq + 3;
  c.cpp_ok = v.ok() && r.remaining() == 0;
  c.state = state_word(tr);
  c.messages = ctx.num_messages();
  if (ctx.has_pad_opening()) {
    const auto o = ctx.kzg_pad_opening();
    c.nu = o.num_vars;
    for (const Fr& x : o.point) c.pad_point.push_back(word(x));
    c.cstar = o.commitment;
    c.v = o.claim;
  }
  for (const Fr& x : sub.point) c.point.push_back(word(x));
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  ws.push_back(word_u64(sh.n));
  ws.push_back(word_u64(nf));
  ws.push_back(word_u64(sh.comp.terms().size()));
  std::vector<Word> terms;
  for (const auto& t : sh.comp.terms()) {
    terms.push_back(word(t.coeff));
    terms.push_back(word_u64(t.factors.size()));
    for (size_t f : t.factors) terms.push_back(word_u64(f));
  }
  ws.push_back(word_u64(terms.size()));
  ws.insert(ws.end(), terms.begin(), terms.end());
  ws.push_back(word_u64(sh.eq ? 1 : 0));
  if (sh.eq)
    for (const Fr& x : sh.rho) ws.push_back(word(x));
  c.proof_at = ws.size();
  for (size_t at = claim_at; at < peds_at; at += 32) ws.push_back(word_le(bytes.subspan(at)));
  {
    ByteReader pr(bytes.subspan(peds_at, end_at - peds_at));
    for (size_t j = sh.eq ? 1 : 0; j < nf; ++j) put_g1(ws, zk::read_point(pr, "claim"));
    EXPECT_EQ(pr.remaining(), 0u);
  }
  put_end_section(ws, bytes, end_at, c.products, hidden, chunks.size(), nullptr);
  return c;
}

struct ScPlan {
  explicit ScPlan(const char* harness) : evm(harness) {}
  std::vector<ScCase> cases;
  Evm evm;
  std::vector<size_t> honest;
  std::vector<std::vector<std::pair<std::string, size_t>>> bad;
  std::vector<std::pair<ScCase, size_t>> false_claims;
  bool ran = false;
};

ScPlan& sc_plan(bool eq = false) {
  static ScPlan plain("ZkCpSumcheckHarness"), with_eq("ZkCpSumcheckEqHarness");
  ScPlan& p = eq ? with_eq : plain;
  if (p.ran) return p;
  p.ran = true;
  TestRng rng(test_seed() ^ (eq ? 0xe9e9 : 0x5c5c));
  const std::string sig = "sumcheck(uint256[])";
  const std::vector<ScShape> shapes = eq ? sc_eq_shapes() : sc_shapes();
  for (const ScShape& sh : shapes) {
    ScCase c = sc_verify(sh, sc_prove(sh, rng, false));
    p.honest.push_back(p.evm.add(sig, c.words));
    std::vector<std::pair<std::string, size_t>> bad;
    if (!std::getenv("EVM_ZK_HONEST_ONLY"))
      for (size_t i = c.proof_at; i < c.words.size(); ++i) {
        auto w = c.words;
        w[i] = plus_one(w[i]);
        bad.push_back({"proof word " + std::to_string(i - c.proof_at), p.evm.add(sig, w)});
      }
    p.bad.push_back(std::move(bad));
    p.cases.push_back(std::move(c));
  }
  for (size_t k = 0; k < 2; ++k) {
    ScCase c = sc_verify(shapes[2 * k], sc_prove(shapes[2 * k], rng, true));
    const size_t call = p.evm.add(sig, c.words);
    p.false_claims.push_back({std::move(c), call});
  }
  if (!std::getenv("EVM_ZK_CPP_ONLY")) p.evm.run();
  return p;
}

TEST(EvmZk, SumcheckEndToEndMatchesCpp) {
  SCOPED_TRACE(seed_note());
  for (bool eq : {false, true}) {
  ScPlan& p = sc_plan(eq);
  for (size_t i = 0; i < p.cases.size(); ++i) {
    const ScCase& c = p.cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(c.cpp_ok);
    const CallResult& r = p.evm[p.honest[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), 8 + c.nu + c.point.size());
    EXPECT_EQ(r.out[0], word_u64(1));
    EXPECT_EQ(r.out[1], c.state);
    EXPECT_EQ(r.out[2], word_u64(c.words.size() - c.proof_at));
    EXPECT_EQ(r.out[3], word_u64(c.nu));
    std::vector<Word> pts;
    put_g1(pts, c.cstar);
    put_g1(pts, c.v);
    for (size_t k = 0; k < 4; ++k) EXPECT_EQ(r.out[4 + k], pts[k]);
    for (size_t k = 0; k < c.nu; ++k) EXPECT_EQ(r.out[8 + k], c.pad_point[k]);
    for (size_t k = 0; k < c.point.size(); ++k) EXPECT_EQ(r.out[8 + c.nu + k], c.point[k]);
    std::printf("  sumcheck %-28s %3zu messages, %zu products, %zu equalities, P = %llu: %8llu gas\n", c.name.c_str(),
                c.messages, c.products, c.equalities, static_cast<unsigned long long>(c.nu),
                static_cast<unsigned long long>(r.gas));
  }
  }
}

TEST(EvmZk, SumcheckEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  for (bool eq : {false, true}) {
  ScPlan& p = sc_plan(eq);
  for (size_t i = 0; i < p.cases.size(); ++i) {
    if (!std::getenv("EVM_ZK_HONEST_ONLY")) ASSERT_FALSE(p.bad[i].empty());
    for (const auto& [what, call] : p.bad[i]) EXPECT_TRUE(rejected(p.evm[call])) << p.cases[i].name << ": " << what;
  }
  }
}

TEST(EvmZk, SumcheckFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  for (bool eq : {false, true}) {
  ScPlan& p = sc_plan(eq);
  ASSERT_EQ(p.false_claims.size(), 2u);
  for (const auto& [c, call] : p.false_claims) {
    EXPECT_FALSE(c.cpp_ok) << c.name;
    EXPECT_TRUE(rejected(p.evm[call])) << c.name;
  }
  }
}

// ---- the matrix-product layer in zero-knowledge mode: ZkCpMatmul records, ZkCp finishes ----

constexpr std::string_view kMmDomain = "evm-test-cpmm";

struct MmSpec {
  std::vector<size_t> batch;
  size_t m, k, n;
  bool ta = false, tb = false, bias = false, bias_batch = false, bias_rows = false, bias_cols = false;
  size_t claims = 1;
};

layers::MatmulShape mm_shape(const MmSpec& sp) {
  layers::MatmulShape s;
  s.batch = sp.batch;
  s.m = sp.m, s.k = sp.k, s.n = sp.n;
  s.trans_a = sp.ta, s.trans_b = sp.tb;
  s.bias = sp.bias, s.bias_batch = sp.bias_batch, s.bias_rows = sp.bias_rows, s.bias_cols = sp.bias_cols;
  return s;
}

std::string mm_name(const MmSpec& sp) {
  return "batch=" + std::to_string(sp.batch.size()) + " m=" + std::to_string(sp.m) + " k=" + std::to_string(sp.k) +
         " n=" + std::to_string(sp.n) + (sp.ta ? " tA" : "") + (sp.tb ? " tB" : "") + (sp.bias ? " bias" : "") +
         " claims=" + std::to_string(sp.claims);
}

// Y = A B (+ c), unpadded row-major (evm_layers_test's reference).
std::vector<int64_t> mm_reference(const MmSpec& c, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
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

// The prover: nc claim values sent as padded messages ("t.claim"), the matmul proof, the claims on
// A, B (and c) bound to Pedersen commitments, the end section. false_claim: claim 0's value + 1.
std::vector<uint8_t> mm_prove(const MmSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  const layers::MatmulShape s = mm_shape(sp);
  const auto a = layers::testing::random_ints(rng, s.a_shape().unpadded_size(), 1000);
  const auto b = layers::testing::random_ints(rng, s.b_shape().unpadded_size(), 1000);
  std::vector<int64_t> bias_int;
  std::vector<Fr> bias;
  if (sp.bias) {
    bias_int = layers::testing::random_ints(rng, s.bias_shape().unpadded_size(), 1 << 20);
    bias = layers::padded_table(s.bias_shape(), bias_int);
  }
  const auto y = layers::padded_table(s.y_shape(), mm_reference(sp, a, b, bias_int));
  auto claims = layers::testing::true_claims(rng, y, s.y_shape().num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);

  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  std::vector<Val> cv;
  for (auto& c : claims) cv.push_back(cp::send(tr, c.value.value()));
  tr.absorb_many("t.claim", cv);
  for (size_t t = 0; t < cv.size(); ++t) {
    cp::write(w, cv[t]);
    claims[t].value = cv[t];
  }
  layers::prove_matmul(s, std::span<const int64_t>(a), std::span<const int64_t>(b), bias, claims, tr).serialize(w);
  // the prover's replay of the verifier (relations on)
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  std::vector<layers::Claim> rc = claims;
  std::vector<Val> cv2;
  for (auto& c : rc) {
    c.value = cp::read(r);
    cv2.push_back(c.value);
  }
  replay.absorb_many("t.claim", cv2);
  const auto proof = layers::MatmulProof::deserialize(r, s, rc.size());
  layers::MatmulClaims out;
  EXPECT_TRUE(layers::verify_matmul(s, rc, proof, replay, &out).ok());
  for (size_t t = 0; t < rc.size(); ++t) {
    ctx.bind_claim(out.a[t].value, w, tr);
    ctx.bind_claim(out.b[t].value, w, tr);
    if (sp.bias) ctx.bind_claim(out.bias[t].value, w, tr);
  }
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

struct MmCase {
  std::string name;
  std::vector<Word> words;
  size_t proof_at = 0;
  size_t end_at = 0;  // the end section's first word (its words are evm_zk_test's EndSection cases')
  size_t moved = SIZE_MAX;  // the call with the claims' last coordinate changed
  bool cpp_ok = false;
  std::vector<Word> want;  // the harness's expected answer
  size_t products = 0, equalities = 0, messages = 0;
  size_t peds_at = 0;  // the first Pedersen claim word
  bool sample_peds = false;  // in a case of every change: a sample of the Pedersen words only
};

// The C++ verifier's end section on a routine's case: the counts the harness is given, the
// verdict, and whether the end section recorded its dot-product proof's three equalities.
bool finish_cpp(MmCase& c, Context& ctx, transcript::Transcript& tr, ByteReader& r, Verdict& v) {
  c.products = ctx.num_products();
  const size_t neq = ctx.num_equalities();
  c.equalities = neq;
  v = ctx.verify_finish(tr, r);
  const bool hidden = ctx.num_equalities() == neq + 3;
  c.cpp_ok = v.ok() && r.remaining() == 0;
  c.messages = ctx.num_messages();
  return hidden;
}

// The head of the harness's expected answer: the verdict, the transcript state, the routine's
// word count (want[2], put_routine_proof) and the pad opening (nu, C*, V, r') or zeros.
void put_want_head(MmCase& c, Context& ctx, const transcript::Transcript& tr) {
  c.want = {word_u64(c.cpp_ok ? 1 : 0), state_word(tr), Word{}, word_u64(0)};
  if (ctx.has_pad_opening()) {
    const auto o = ctx.kzg_pad_opening();
    c.want[3] = word_u64(o.num_vars);
    put_g1(c.want, o.commitment);
    put_g1(c.want, o.claim);
    for (const Fr& x : o.point) c.want.push_back(word(x));
  } else {
    for (size_t k = 0; k < 4; ++k) c.want.push_back(Word{});
  }
}

void put_zk_claims(std::vector<Word>& out, std::span<const layers::Claim> cs) {
  out.push_back(word_u64(cs.size()));
  for (const auto& c : cs) {
    out.push_back(word_u64(c.point.size()));
    for (const Fr& x : c.point) out.push_back(word(x));
    out.push_back(word(c.value.value()));
    out.push_back(word_u64(c.value.terms().size()));
    for (const auto& t : c.value.terms()) {
      out.push_back(word_u64(t.atom));
      out.push_back(word(t.coeff));
    }
  }
}

// The routine call's proof words, after its header: the layer proof's 32-byte words (bytes
// [claim_at, peds_at)), its Pedersen claims as points ([peds_at, end_at)), then the end section;
// want[2] is the number of proof words the routine reads.
void put_routine_proof(MmCase& c, std::span<const uint8_t> bytes, size_t claim_at, size_t peds_at, size_t end_at,
                       bool hidden, size_t num_chunks) {
  auto& ws = c.words;
  c.proof_at = ws.size();
  for (size_t at = claim_at; at < peds_at; at += 32) ws.push_back(word_le(bytes.subspan(at)));
  {
    ByteReader pr(bytes.subspan(peds_at, end_at - peds_at));
    while (pr.remaining() > 0) put_g1(ws, zk::read_point(pr, "claim"));
  }
  c.peds_at = c.proof_at + (peds_at - claim_at) / 32;
  c.end_at = ws.size();
  put_end_section(ws, bytes, end_at, c.products, hidden, num_chunks, nullptr);
  c.want[2] = word_u64(ws.size() - c.proof_at);
}

MmCase mm_verify(const MmSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  MmCase c;
  c.name = "matmul " + mm_name(sp);
  const layers::MatmulShape s = mm_shape(sp);
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  std::vector<layers::Claim> yc(sp.claims);
  std::vector<Val> cv;
  for (size_t t = 0; t < yc.size(); ++t) {
    yc[t].point = points.at(t);
    yc[t].value = cp::read(r);
    cv.push_back(yc[t].value);
  }
  tr.absorb_many("t.claim", cv);
  const auto proof = layers::MatmulProof::deserialize(r, s, yc.size());
  layers::MatmulClaims out;
  Verdict v = layers::verify_matmul(s, yc, proof, tr, &out);
  EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
  const size_t peds_at = r.position();
  for (size_t t = 0; t < yc.size(); ++t) {
    ctx.bind_claim(out.a[t].value, r, tr);
    ctx.bind_claim(out.b[t].value, r, tr);
    if (sp.bias) ctx.bind_claim(out.bias[t].value, r, tr);
  }
  const size_t end_at = r.position();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  // the expected answer
  put_want_head(c, ctx, tr);
  put_zk_claims(c.want, out.a);
  put_zk_claims(c.want, out.b);
  put_zk_claims(c.want, out.bias);
  // the harness's words
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  ws.push_back(word_u64(sp.batch.size()));
  for (size_t d : sp.batch) ws.push_back(word_u64(d));
  for (size_t d : {sp.m, sp.k, sp.n}) ws.push_back(word_u64(d));
  ws.push_back(word_u64(sp.ta | sp.tb << 1 | sp.bias << 2 | sp.bias_batch << 3 | sp.bias_rows << 4 | sp.bias_cols << 5));
  ws.push_back(word_u64(yc.size()));
  for (const auto& cl : yc) {
    ws.push_back(word_u64(cl.point.size()));
    for (const Fr& x : cl.point) ws.push_back(word(x));
  }
  put_routine_proof(c, bytes, claim_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

std::vector<MmSpec> mm_specs() {
  return {
      {{}, 3, 5, 7},
      {{}, 5, 7, 3, false, true, true, false, false, true, 2},  // Gemm: B^T, bias (1, n)
      {{}, 1, 16, 8, false, true, true, false, false, true, 1},  // an MLP's Gemm
      {{}, 6, 1, 3, false, false, false, false, false, false, 2},  // k = 1: no rounds
      {{2}, 3, 4, 2, false, false, true, true, true, true, 2},  // batched (degree 3, the eq checks), bias with the batch
  };
}

struct MmPlan {
  explicit MmPlan(Evm& e) : evm(e) {}
  std::vector<MmCase> cases;
  Evm& evm;  // shared by the matmul and combine cases (one compilation of the harness)
  std::vector<size_t> honest;
  std::vector<std::vector<std::pair<std::string, size_t>>> bad;
  std::vector<std::pair<MmCase, size_t>> false_claims;
};

// The changed words of a case: every word of the layer's proof (the claim values, the layer's
// messages) and the Pedersen claims (full), or the first, a middle and the last of them and the
// first Pedersen word; and the end section's first and last words (EndSection* change each of its
// words). Each must be rejected. The claims' last coordinate changed is another claim: rejected, or
// (a claim passed on unchanged) accepted with another output (c.moved).
void schedule_changes(MmPlan& pl, const std::string& sig, MmCase& c, bool full,
                      std::vector<std::pair<std::string, size_t>>& bad) {
  std::vector<size_t> at;
  if (full && c.sample_peds) {  // (the end section's tests change every Pedersen claim's words)
    for (size_t i = c.proof_at; i < c.peds_at; ++i) at.push_back(i);
    if (c.peds_at < c.end_at) at.insert(at.end(), {c.peds_at, c.end_at - 1});
  } else if (full) {
    for (size_t i = c.proof_at; i < c.end_at; ++i) at.push_back(i);
  } else {
    at = {c.proof_at, (c.proof_at + c.end_at) / 2, c.end_at - 1};
  }
  at.push_back(c.end_at);
  at.push_back(c.words.size() - 1);
  for (size_t i : at) {
    auto w = c.words;
    w[i] = plus_one(w[i]);
    bad.push_back({"word " + std::to_string(i), pl.evm.add(sig, w)});
  }
  auto w = c.words;
  w[c.proof_at - 1] = plus_one(w[c.proof_at - 1]);
  c.moved = pl.evm.add(sig, w);
}

MmPlan& mm_plan();
MmPlan& cb_plan();

// A changed claim point: rejected, or another answer than the honest one.
void expect_moved(MmPlan& p, size_t i) {
  const MmCase& c = p.cases[i];
  if (c.moved == SIZE_MAX) return;
  const CallResult& r = p.evm[c.moved];
  if (rejected(r)) return;
  const std::vector<Word> got(r.out.begin(), r.out.end() - 1);
  EXPECT_NE(got, c.want) << c.name << ": a changed claim point gave the same answer";
}

// Proves and verifies each spec (honest), schedules the changed-word calls (every word in the cases
// of `full`, a sample in the others) and two false-claim calls (specs false_at).
template <class Spec, class ProveFn, class VerifyFn>
void build_plan(MmPlan* pl, uint64_t seed, const std::string& sig, const std::vector<Spec>& specs,
                const std::set<size_t>& full, std::array<size_t, 2> false_at, ProveFn prove_fn, VerifyFn verify_fn) {
  TestRng rng(test_seed() ^ seed);
  for (const Spec& sp : specs) {
    std::vector<std::vector<Fr>> pts;
    const auto bytes = prove_fn(sp, rng, false, &pts);
    MmCase c = verify_fn(sp, pts, bytes);
    pl->honest.push_back(pl->evm.add(sig, c.words));
    std::vector<std::pair<std::string, size_t>> bad;
    // every word of the layer's proof, its claims' points and the Pedersen claims; the end
    // section's first and last words (EndSection* change each of its words)
    if (!std::getenv("EVM_ZK_HONEST_ONLY")) schedule_changes(*pl, sig, c, full.count(pl->cases.size()) > 0, bad);
    pl->bad.push_back(std::move(bad));
    pl->cases.push_back(std::move(c));
  }
  for (size_t k : false_at) {
    std::vector<std::vector<Fr>> pts;
    const auto bytes = prove_fn(specs[k], rng, true, &pts);
    MmCase c = verify_fn(specs[k], pts, bytes);
    const size_t call = pl->evm.add(sig, c.words);
    pl->false_claims.push_back({std::move(c), call});
  }
}

void build_mm(MmPlan* pl) {
  // every word changed in cases 1 and 4 (CI time: a sample in the others)
  build_plan(pl, 0x3a3a, "matmul(uint256[])", mm_specs(), {1, 4}, {1, 4}, mm_prove, mm_verify);
}

// The three routine families (matmul, combine, reduction) share their checks: every honest case
// gives the C++ verifier's outputs in the EVM (its gas printed), every changed word is rejected,
// and both false claims are rejected by the C++ and the EVM.
void expect_cases_match_cpp(MmPlan& p, size_t num_specs) {
  ASSERT_EQ(p.cases.size(), num_specs);
  for (size_t i = 0; i < p.cases.size(); ++i) {
    const MmCase& c = p.cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(c.cpp_ok);
    const CallResult& r = p.evm[p.honest[i]];
    ASSERT_TRUE(r.success) << r.error;
    ASSERT_EQ(r.out.size(), c.want.size() + 1);  // (the last word: the routine's own gas)
    for (size_t k = 0; k < c.want.size(); ++k) EXPECT_EQ(r.out[k], c.want[k]) << "output word " << k;
    std::printf("  %-46s %3zu messages, %zu products, %zu equalities: routine %7llu gas, with the end section %8llu\n",
                c.name.c_str(), c.messages, c.products, c.equalities,
                static_cast<unsigned long long>(low_u64(r.out.back())), static_cast<unsigned long long>(r.gas));
  }
}

void expect_every_change_rejected(MmPlan& p) {
  for (size_t i = 0; i < p.cases.size(); ++i) {
    if (!std::getenv("EVM_ZK_HONEST_ONLY")) {
      ASSERT_FALSE(p.bad[i].empty());
    }
    for (const auto& [what, call] : p.bad[i]) EXPECT_TRUE(rejected(p.evm[call])) << p.cases[i].name << ": " << what;
    expect_moved(p, i);
  }
}

void expect_false_claims_rejected(MmPlan& p) {
  ASSERT_EQ(p.false_claims.size(), 2u);
  for (const auto& [c, call] : p.false_claims) {
    EXPECT_FALSE(c.cpp_ok) << c.name;
    EXPECT_TRUE(rejected(p.evm[call])) << c.name;
  }
}

TEST(EvmZk, MatmulMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(mm_plan(), mm_specs().size());
}

TEST(EvmZk, MatmulEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(mm_plan());
}

TEST(EvmZk, MatmulFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(mm_plan());
}

// ---- claim combination in zero-knowledge mode (ZkCpCombine; ZkCpMatmulHarness's combine) ----

struct CbSpec {
  size_t num_vars, claims;
};

std::vector<uint8_t> cb_prove(const CbSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  std::vector<Fr> table(size_t{1} << sp.num_vars);
  for (Fr& x : table) x = Fr::random(rng);
  auto claims = layers::testing::true_claims(rng, table, sp.num_vars, sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  std::vector<Val> cv;
  for (auto& c : claims) cv.push_back(cp::send(tr, c.value.value()));
  tr.absorb_many("t.claim", cv);
  for (size_t t = 0; t < cv.size(); ++t) {
    cp::write(w, cv[t]);
    claims[t].value = cv[t];
  }
  layers::CombineProof pp;
  layers::prove_combine(table, sp.num_vars, claims, tr, &pp);
  pp.serialize(w);
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  std::vector<Val> cv2;
  for (auto& c : claims) {
    c.value = cp::read(r);
    cv2.push_back(c.value);
  }
  replay.absorb_many("t.claim", cv2);
  const auto proof = layers::CombineProof::deserialize(r, sp.num_vars, claims.size());
  layers::Claim out;
  EXPECT_TRUE(layers::verify_combine(sp.num_vars, claims, proof, replay, &out).ok());
  ctx.bind_claim(out.value, w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

MmCase cb_verify(const CbSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  MmCase c;
  c.name = "combine num_vars=" + std::to_string(sp.num_vars) + " claims=" + std::to_string(sp.claims);
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  std::vector<layers::Claim> yc(sp.claims);
  std::vector<Val> cv;
  for (size_t t = 0; t < yc.size(); ++t) {
    yc[t].point = points.at(t);
    yc[t].value = cp::read(r);
    cv.push_back(yc[t].value);
  }
  tr.absorb_many("t.claim", cv);
  const auto proof = layers::CombineProof::deserialize(r, sp.num_vars, yc.size());
  layers::Claim out;
  Verdict v = layers::verify_combine(sp.num_vars, yc, proof, tr, &out);
  EXPECT_TRUE(v.ok()) << v.reason();
  const size_t peds_at = r.position();
  ctx.bind_claim(out.value, r, tr);
  const size_t end_at = r.position();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  put_want_head(c, ctx, tr);
  put_zk_claims(c.want, std::vector<layers::Claim>{out});
  put_zk_claims(c.want, {});
  put_zk_claims(c.want, {});
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  ws.push_back(word_u64(sp.num_vars));
  ws.push_back(word_u64(yc.size()));
  for (const auto& cl : yc)
    for (const Fr& x : cl.point) ws.push_back(word(x));
  put_routine_proof(c, bytes, claim_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

std::vector<CbSpec> cb_specs() { return {{5, 1}, {5, 2}, {4, 4}, {0, 2}}; }

void build_cb(MmPlan* pl) {
  build_plan(pl, 0xc0c0, "combine(uint256[])", cb_specs(), {2}, {1, 2}, cb_prove, cb_verify);
}

// ---- the opening reduction in zero-knowledge mode (ZkCpReduction; ZkCpMatmulHarness's reduction) ----

struct RdSpec {
  std::vector<size_t> num_vars;
  std::vector<size_t> coms;  // per claim its commitment
};

std::string rd_name(const RdSpec& sp) {
  std::string n = "reduction n=(";
  for (size_t i = 0; i < sp.num_vars.size(); ++i) n += (i ? "," : "") + std::to_string(sp.num_vars[i]);
  return n + ") claims=" + std::to_string(sp.coms.size());
}

std::vector<uint8_t> rd_prove(const RdSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  std::vector<std::vector<Fr>> tables;
  for (size_t n : sp.num_vars) {
    std::vector<Fr> t(size_t{1} << n);
    for (Fr& x : t) x = Fr::random(rng);
    tables.push_back(std::move(t));
  }
  std::vector<pcs::ReductionClaim> claims;
  for (size_t c : sp.coms) {
    auto pt = layers::testing::random_point(rng, sp.num_vars[c]);
    const Fr v = poly::evaluate_mle<Fr>(tables[c], pt);
    points->push_back(pt);
    claims.push_back({c, std::move(pt), Val(v)});
  }
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  std::vector<Val> cv;
  for (auto& c : claims) cv.push_back(cp::send(tr, c.value.value()));
  tr.absorb_many("t.claim", cv);
  for (size_t t = 0; t < cv.size(); ++t) {
    cp::write(w, cv[t]);
    claims[t].value = cv[t];
  }
  std::vector<std::span<const Fr>> spans(tables.begin(), tables.end());
  pcs::prove_reduction(spans, claims, tr, w);
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  std::vector<Val> cv2;
  for (auto& c : claims) {
    c.value = cp::read(r);
    cv2.push_back(c.value);
  }
  replay.absorb_many("t.claim", cv2);
  pcs::Reduced red;
  EXPECT_TRUE(pcs::verify_reduction(sp.num_vars, claims, replay, r, &red).ok());
  for (const Val& e : red.evals) ctx.bind_claim(e, w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

MmCase rd_verify(const RdSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  MmCase c;
  c.name = rd_name(sp);
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kMmDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  std::vector<pcs::ReductionClaim> yc(sp.coms.size());
  std::vector<Val> cv;
  for (size_t t = 0; t < yc.size(); ++t) {
    yc[t].com = sp.coms[t];
    yc[t].point = points.at(t);
    yc[t].value = cp::read(r);
    cv.push_back(yc[t].value);
  }
  tr.absorb_many("t.claim", cv);
  pcs::Reduced red;
  Verdict v = pcs::verify_reduction(sp.num_vars, yc, tr, r, &red);
  EXPECT_TRUE(v.ok()) << v.reason();
  const size_t peds_at = r.position();
  for (const Val& e : red.evals) ctx.bind_claim(e, r, tr);
  const size_t end_at = r.position();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  put_want_head(c, ctx, tr);
  std::vector<layers::Claim> evals;
  for (size_t k = 0; k < sp.num_vars.size(); ++k)
    evals.push_back({std::vector<Fr>(red.rho.begin(), red.rho.begin() + sp.num_vars[k]), red.evals[k]});
  put_zk_claims(c.want, evals);
  put_zk_claims(c.want, {});
  put_zk_claims(c.want, {});
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  ws.push_back(word_u64(sp.num_vars.size()));
  for (size_t n : sp.num_vars) ws.push_back(word_u64(n));
  ws.push_back(word_u64(yc.size()));
  for (const auto& cl : yc) {
    ws.push_back(word_u64(cl.com));
    for (const Fr& x : cl.point) ws.push_back(word(x));
  }
  put_routine_proof(c, bytes, claim_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

// (shapes of evm_test's plain reductions: several commitments and claims, one of no variables, one
// commitment with three claims)
std::vector<RdSpec> rd_specs() { return {{{3, 5, 0, 4}, {0, 1, 1, 2, 3, 0}}, {{6}, {0, 0, 0}}, {{2}, {0}}}; }

void build_rd(MmPlan* pl) {
  build_plan(pl, 0x4d4d, "reduction(uint256[])", rd_specs(), {0}, {0, 1}, rd_prove, rd_verify);
}

// The non-linear layers' plans and the lookup batch's (defined with their tests below).
void build_rs(MmPlan* pl);
void build_rl(MmPlan* pl);
void build_bd(MmPlan* pl);
void build_lg(MmPlan* pl);
void build_cv(MmPlan* pl);  // conv and the pools (ZkCpConvPoolHarness, which extends ZkCpNonlinearHarness)
void build_pl(MmPlan* pl);
void build_ew(MmPlan* pl);  // elementwise and data movement (ZkCpElemHarness, which extends ZkCpConvPoolHarness)
void build_ri(MmPlan* pl);
void build_cs(MmPlan* pl);  // Neg and public constants (ZkCpElemHarness.constClaims)

// (ZkCpNonlinearHarness extends ZkCpMatmulHarness, which holds the lookup batch's entry: one
// compilation for all the routines)
struct LayerPlans {
  Evm evm{"ZkCpElemHarness"};
  MmPlan mm{evm}, cb{evm}, rd{evm}, rs{evm}, rl{evm}, bd{evm}, lg{evm}, cv{evm}, pl{evm}, ew{evm}, ri{evm}, cs{evm};
};

LayerPlans& layer_plans() {
  static LayerPlans* p = [] {
    auto* l = new LayerPlans;
    build_mm(&l->mm);
    build_cb(&l->cb);
    build_rd(&l->rd);
    build_rs(&l->rs);
    build_rl(&l->rl);
    build_bd(&l->bd);
    build_lg(&l->lg);
    build_cv(&l->cv);
    build_pl(&l->pl);
    build_ew(&l->ew);
    build_ri(&l->ri);
    build_cs(&l->cs);
    if (!std::getenv("EVM_ZK_CPP_ONLY")) l->evm.run();
    return l;
  }();
  return *p;
}
MmPlan& mm_plan() { return layer_plans().mm; }
MmPlan& cb_plan() { return layer_plans().cb; }
MmPlan& rd_plan() { return layer_plans().rd; }
MmPlan& rs_plan() { return layer_plans().rs; }
MmPlan& rl_plan() { return layer_plans().rl; }
MmPlan& bd_plan() { return layer_plans().bd; }
MmPlan& lg_plan() { return layer_plans().lg; }
MmPlan& cv_plan() { return layer_plans().cv; }
MmPlan& pl_plan() { return layer_plans().pl; }
MmPlan& ew_plan() { return layer_plans().ew; }
MmPlan& ri_plan() { return layer_plans().ri; }
MmPlan& cs_plan() { return layer_plans().cs; }

TEST(EvmZk, CombineMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(cb_plan(), cb_specs().size());
}

TEST(EvmZk, CombineEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(cb_plan());
}

TEST(EvmZk, CombineFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(cb_plan());
}

TEST(EvmZk, ReductionMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(rd_plan(), rd_specs().size());
}

TEST(EvmZk, ReductionEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(rd_plan());
}

TEST(EvmZk, ReductionFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(rd_plan());
}


// ---- the non-linear layers in zero-knowledge mode (ZkCpNonlinear; ZkCpNonlinearHarness) ----
//
// Rescale, ReLU and bound proofs made in zero-knowledge mode under a model-wide lookup batch (the
// session carries a lookup::BatchProver / BatchVerifier: the range checks are registered, the proof
// has no lookup proof of its own); the claims on the input and the advice claims bound to Pedersen
// commitments, then the end section. The harness must return the C++ verifier's verdict, state,
// pad opening, claims on the input and advice claims (forms term by term, message atoms as slots)
// and the lookups the C++ registers (DigitPlan's layout, checked against the BatchVerifier's).

constexpr std::string_view kNlDomain = "evm-test-cpnl";

struct NlSpec {
  enum Kind { kRescale, kRelu, kBound } kind;
  std::vector<size_t> dims;
  size_t a = 0, b = 0;  // rescale: shift, out_bits; relu: shift, bits; bound: bits, first_log
  bool zero_padding = false;
  size_t claims = 1;
};

std::string nl_name(const NlSpec& sp) {
  std::string d;
  for (size_t i = 0; i < sp.dims.size(); ++i) d += (i ? "x" : "") + std::to_string(sp.dims[i]);
  const char* kind = sp.kind == NlSpec::kRescale ? "rescale" : sp.kind == NlSpec::kRelu ? "relu" : "bound";
  const char* pa = sp.kind == NlSpec::kBound ? " bits=" : " shift=";
  const char* pb = sp.kind == NlSpec::kRescale ? " out_bits=" : sp.kind == NlSpec::kRelu ? " bits=" : " first_log=";
  return std::string(kind) + " " + d + pa + std::to_string(sp.a) + pb + std::to_string(sp.b) +
         (sp.zero_padding ? " zero_padding" : "") + " claims=" + std::to_string(sp.claims);
}

layers::PaddedShape nl_shape(const NlSpec& sp) {
  if (sp.kind == NlSpec::kBound) return layers::bound_shape({sp.dims, sp.a, sp.zero_padding, sp.b});
  return layers::PaddedShape(sp.dims);
}

// The layer's proof layout and (id -> slot) of its messages: the verifier reads every evaluation
// before the zero-check's rounds and final values, but absorbs the last `after` evaluations (at the
// zero-check's point) after them.
layers::ProofLayout nl_layout(const NlSpec& sp, size_t nc, size_t* after) {
  const size_t n = nl_shape(sp).num_vars();
  *after = 0;
  switch (sp.kind) {
    case NlSpec::kRescale:
      return layers::rescale_proof_layout({sp.dims, sp.a, sp.b}, nc);
    case NlSpec::kRelu:
      *after = 2 * layers::range_eval_count(n, sp.b);
      return layers::relu_proof_layout({sp.dims, sp.a, sp.b}, nc);
    case NlSpec::kBound: {
      auto l = layers::bound_proof_layout({sp.dims, sp.a, sp.zero_padding, sp.b}, nc);
      if (!l.sumchecks.empty()) *after = layers::range_eval_count(n, sp.a + 1);
      return l;
    }
  }
  return {};
}

// The range checks (num_vars, bits) in add_range order.
std::vector<std::pair<size_t, size_t>> nl_ranges(const NlSpec& sp) {
  const size_t n = nl_shape(sp).num_vars();
  switch (sp.kind) {
    case NlSpec::kRescale:
      if (sp.b > 0) return {{n, sp.a}, {n, sp.b + 1}};
      return {{n, sp.a}};
    case NlSpec::kRelu:
      if (sp.a > 0) return {{n, sp.b}, {n, sp.b}, {n, sp.a}};
      return {{n, sp.b}, {n, sp.b}};
    case NlSpec::kBound:
      return {{n, sp.a + 1}};
  }
  return {};
}

// A prover's integer tensor for the spec: rescale / ReLU input x, bound's y.
std::vector<int64_t> nl_input(const NlSpec& sp, TestRng& rng) {
  const size_t size = layers::PaddedShape(sp.dims).unpadded_size();
  int64_t bound = 0;
  if (sp.kind == NlSpec::kRescale) {
    bound = sp.b > 0 ? (int64_t{1} << (sp.b + sp.a - 1)) : (int64_t{1} << std::min<size_t>(sp.a + 10, 50));
  } else if (sp.kind == NlSpec::kRelu) {
    bound = int64_t{1} << (sp.b + sp.a - 1);
  } else {
    bound = (int64_t{1} << sp.a) - 1;
  }
  return layers::testing::random_ints(rng, size, bound);
}

// The prover: the claim values sent as padded messages ("t.claim"), the layer's proof, the claims
// on the input and the advice claims bound to Pedersen commitments, the end section.
std::vector<uint8_t> nl_prove(const NlSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  const auto x = nl_input(sp, rng);
  const layers::PaddedShape shape = nl_shape(sp);
  std::optional<layers::RescaleProver> rs;
  std::optional<layers::ReluProver> rl;
  std::optional<layers::BoundProver> bd;
  std::vector<Fr> table;
  if (sp.kind == NlSpec::kRescale) {
    rs.emplace(layers::RescaleParams{sp.dims, sp.a, sp.b}, x);
    table = layers::padded_table(shape, rs->output());
  } else if (sp.kind == NlSpec::kRelu) {
    rl.emplace(layers::ReluParams{sp.dims, sp.a, sp.b}, x);
    table = layers::padded_table(shape, rl->output());
  } else {
    bd.emplace(layers::BoundParams{sp.dims, sp.a, sp.zero_padding, sp.b}, x);
    table = layers::padded_table(shape, x);
  }
  auto claims = layers::testing::true_claims(rng, table, shape.num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);

  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  lookup::BatchProver<Fr> bp;
  lookup::BatchVerifier<Fr> bv;  // (the replay's registrations)
  const ProofSession session{&ctx, &bp, &bv};
  transcript::Transcript tr(kNlDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  std::vector<Val> cv;
  for (auto& c : claims) cv.push_back(cp::send(tr, c.value.value()));
  tr.absorb_many("t.claim", cv);
  for (size_t t = 0; t < cv.size(); ++t) {
    cp::write(w, cv[t]);
    claims[t].value = cv[t];
  }
  std::vector<layers::Claim> in;
  std::vector<layers::AdviceClaim> adv;
  if (rs) rs->prove(claims, tr, &in, &adv).serialize(w);
  if (rl) rl->prove(claims, tr, &in, &adv).serialize(w);
  if (bd) bd->prove(claims, tr, &adv).serialize(w);
  // the prover's replay of the verifier (relations on)
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  std::vector<layers::Claim> rc = claims;
  std::vector<Val> cv2;
  for (auto& c : rc) {
    c.value = cp::read(r);
    cv2.push_back(c.value);
  }
  replay.absorb_many("t.claim", cv2);
  size_t after = 0;
  const auto proof = layers::deserialize_proof(r, nl_layout(sp, rc.size(), &after));
  in.clear();
  adv.clear();
  Verdict v = Verdict::accept();
  if (sp.kind == NlSpec::kRescale) v = layers::verify_rescale({sp.dims, sp.a, sp.b}, rc, proof, replay, &in, &adv);
  if (sp.kind == NlSpec::kRelu) v = layers::verify_relu({sp.dims, sp.a, sp.b}, rc, proof, replay, &in, &adv);
  if (sp.kind == NlSpec::kBound) v = layers::verify_bound({sp.dims, sp.a, sp.zero_padding, sp.b}, rc, proof, replay, &adv);
  EXPECT_TRUE(v.ok()) << v.reason();
  for (const auto& c : in) ctx.bind_claim(c.value, w, tr);
  for (const auto& a : adv) ctx.bind_claim(a.claim.value, w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

// A C++ form's words with its message atoms as slots.
void put_slot_form(std::vector<Word>& out, const Val& x, const std::function<uint32_t(uint32_t)>& slot) {
  out.push_back(word(x.value()));
  out.push_back(word_u64(x.terms().size()));
  for (const auto& t : x.terms()) {
    const uint32_t kind = t.atom >> cp::kKindShift;
    out.push_back(word_u64(kind == cp::kMsgKind ? slot(t.atom & cp::kIndexMask) : t.atom));
    out.push_back(word(t.coeff));
  }
}

MmCase nl_verify(const NlSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  MmCase c;
  c.name = nl_name(sp);
  c.sample_peds = true;  // (one per advice claim: many)
  Context ctx(ped(), srs(), kLogFirst);
  lookup::BatchVerifier<Fr> bv;
  const ProofSession session{&ctx, nullptr, &bv};
  transcript::Transcript tr(kNlDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  std::vector<layers::Claim> yc(sp.claims);
  std::vector<Val> cv;
  for (size_t t = 0; t < yc.size(); ++t) {
    yc[t].point = points.at(t);
    yc[t].value = cp::read(r);
    cv.push_back(yc[t].value);
  }
  tr.absorb_many("t.claim", cv);
  size_t after = 0;
  const layers::ProofLayout layout = nl_layout(sp, yc.size(), &after);
  const auto proof = layers::deserialize_proof(r, layout);
  std::vector<layers::Claim> in;
  std::vector<layers::AdviceClaim> adv;
  Verdict v = Verdict::accept();
  if (sp.kind == NlSpec::kRescale) v = layers::verify_rescale({sp.dims, sp.a, sp.b}, yc, proof, tr, &in, &adv);
  if (sp.kind == NlSpec::kRelu) v = layers::verify_relu({sp.dims, sp.a, sp.b}, yc, proof, tr, &in, &adv);
  if (sp.kind == NlSpec::kBound) v = layers::verify_bound({sp.dims, sp.a, sp.zero_padding, sp.b}, yc, proof, tr, &adv);
  EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
  const size_t peds_at = r.position();
  for (const auto& x : in) ctx.bind_claim(x.value, r, tr);
  for (const auto& a : adv) ctx.bind_claim(a.claim.value, r, tr);
  const size_t end_at = r.position();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  // message ids (read order) -> slots (absorption order)
  const size_t nc = yc.size(), ne = layout.num_evals, first_after = nc + ne - after;
  size_t zc_words = 0;
  for (const auto& s : layout.sumchecks) zc_words += s.n * (s.degree - 1) + s.factors;
  const std::function<uint32_t(uint32_t)> slot = [=](uint32_t id) -> uint32_t {
    if (id < first_after) return id;
    if (id < nc + ne) return static_cast<uint32_t>(id + zc_words);
    return static_cast<uint32_t>(id - after);
  };
  // the lookups: per range check its low digits (when any), then its top digit
  std::vector<std::array<size_t, 3>> lookups;
  std::vector<lookup::BatchTableShape> grouped;
  {
    size_t id = 0;
    for (const auto& [n, bits] : nl_ranges(sp)) {
      const auto p = layers::DigitPlan::make(bits, n);
      if (p.num_low > 0) lookups.push_back({id++, n + p.low_vars, p.digit_bits});
      lookups.push_back({id++, n, p.top_bits});
    }
    for (const auto& l : lookups) {
      auto it = std::find_if(grouped.begin(), grouped.end(), [&](const auto& g) { return g.k == l[2]; });
      if (it == grouped.end()) it = grouped.insert(grouped.end(), lookup::BatchTableShape{l[2], 1, {}});
      it->segments.push_back(l[1]);
    }
  }
  const auto shapes = bv.shapes();
  EXPECT_EQ(shapes.size(), grouped.size()) << c.name;
  for (size_t t = 0; t < std::min(shapes.size(), grouped.size()); ++t) {
    EXPECT_EQ(shapes[t].k, grouped[t].k) << c.name;
    EXPECT_EQ(shapes[t].segments, grouped[t].segments) << c.name;
  }
  // the expected answer
  put_want_head(c, ctx, tr);
  c.want.push_back(word_u64(in.size()));
  for (const auto& x : in) {
    c.want.push_back(word_u64(x.point.size()));
    for (const Fr& e : x.point) c.want.push_back(word(e));
    put_slot_form(c.want, x.value, slot);
  }
  c.want.push_back(word_u64(adv.size()));
  for (const auto& a : adv) {
    c.want.push_back(word_u64(a.advice));
    c.want.push_back(word_u64(a.claim.point.size()));
    for (const Fr& e : a.claim.point) c.want.push_back(word(e));
    put_slot_form(c.want, a.claim.value, slot);
  }
  c.want.push_back(word_u64(lookups.size()));
  for (const auto& l : lookups)
    for (size_t k : l) c.want.push_back(word_u64(k));
  // the harness's words
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  std::vector<size_t> params{sp.dims.size()};
  params.insert(params.end(), sp.dims.begin(), sp.dims.end());
  if (sp.kind == NlSpec::kBound) {
    params.insert(params.end(), {sp.a, sp.zero_padding ? size_t{1} : 0, sp.b});
  } else {
    params.insert(params.end(), {sp.a, sp.b});
  }
  ws.push_back(word_u64(params.size()));
  for (size_t p : params) ws.push_back(word_u64(p));
  ws.push_back(word_u64(yc.size()));
  for (const auto& cl : yc) {
    ws.push_back(word_u64(cl.point.size()));
    for (const Fr& x : cl.point) ws.push_back(word(x));
  }
  put_routine_proof(c, bytes, claim_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

// (the plain routines' shapes of evm_nonlinear_test where there is one, for the gas comparison)
std::vector<NlSpec> rs_specs() {
  return {
      {NlSpec::kRescale, {3, 5}, 8, 0, false, 1},
      {NlSpec::kRescale, {4, 6}, 20, 12, false, 2},  // several digits, the output's range check
  };
}

std::vector<NlSpec> rl_specs() {
  return {
      {NlSpec::kRelu, {3, 5}, 0, 8, false, 1},
      {NlSpec::kRelu, {1, 10}, 1, 1, false, 1},
      {NlSpec::kRelu, {4, 6}, 12, 16, false, 2},
  };
}

std::vector<NlSpec> bd_specs() {
  return {
      {NlSpec::kBound, {3, 5}, 8, 0, true, 2},    // the padding zero-check
      {NlSpec::kBound, {3, 5}, 12, 3, true, 1},   // the first dimension widened to 2^3
      {NlSpec::kBound, {3, 6}, 30, 0, false, 1},  // no zero-check
  };
}

// Every word of the layer's proof changed in one case per routine (the Pedersen claims' first and
// last words); false claims: rescale's only with out_bits > 0 (without, the claim on x is wrong
// instead: the next layer rejects it), twice.
void build_rs(MmPlan* pl) { build_plan(pl, 0x5e5e, "rescale(uint256[])", rs_specs(), {1}, {1, 1}, nl_prove, nl_verify); }
void build_rl(MmPlan* pl) { build_plan(pl, 0x7e7e, "relu(uint256[])", rl_specs(), {1}, {0, 1}, nl_prove, nl_verify); }
void build_bd(MmPlan* pl) { build_plan(pl, 0xbdbd, "bound(uint256[])", bd_specs(), {0}, {0, 2}, nl_prove, nl_verify); }

TEST(EvmZk, RescaleMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(rs_plan(), rs_specs().size());
}

TEST(EvmZk, RescaleEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(rs_plan());
}

TEST(EvmZk, RescaleFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(rs_plan());
}

TEST(EvmZk, ReluMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(rl_plan(), rl_specs().size());
}

TEST(EvmZk, ReluEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(rl_plan());
}

TEST(EvmZk, ReluFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(rl_plan());
}

TEST(EvmZk, BoundMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(bd_plan(), bd_specs().size());
}

TEST(EvmZk, BoundEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(bd_plan());
}

TEST(EvmZk, BoundFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(bd_plan());
}


// ---- the model-wide lookup batch in zero-knowledge mode (ZkCpLogup; ZkCpLogupHarness) ----

constexpr std::string_view kLgDomain = "evm-test-cplg";

// Segments (k, n): 2^n random rows into the range [0, 2^k), registered in order (equal tables
// merged), as evm_test's plain batches. cheat (the false-claim calls): 1 a row out of its range,
// 2 one multiplicity moved to another row of its table.
struct LgSpec {
  std::vector<std::pair<size_t, size_t>> segs;
  int cheat = 1;
};

std::string lg_name(const LgSpec& sp) {
  std::string n = "logup batch (k,n)=";
  for (const auto& [k, v] : sp.segs) n += "(" + std::to_string(k) + "," + std::to_string(v) + ")";
  return n;
}

// The batch's registration on both sides: distinct tables' k in order, per segment (table, n).
void lg_shape(const LgSpec& sp, std::vector<size_t>* ks, std::vector<std::pair<size_t, size_t>>* desc) {
  for (const auto& [k, n] : sp.segs) {
    const size_t t = static_cast<size_t>(std::find(ks->begin(), ks->end(), k) - ks->begin());
    if (t == ks->size()) ks->push_back(k);
    desc->push_back({t, n});
  }
}

lookup::BatchVerifier<Fr> lg_verifier(const LgSpec& sp) {
  lookup::BatchVerifier<Fr> bv;
  for (size_t e = 0; e < sp.segs.size(); ++e) bv.add(lookup::LookupTable<Fr>::range(sp.segs[e].first), sp.segs[e].second, {e});
  bv.assign_owner(0);
  return bv;
}

// The prover: the batch proof (multiplicities' commitments left out: the transcript starts at the
// batch), every claim it hands back bound to a Pedersen commitment, the end section.
std::vector<uint8_t> lg_prove(const LgSpec& sp, TestRng& rng, bool cheat, std::vector<std::vector<Fr>>*) {
  lookup::BatchProver<Fr> bp;
  for (size_t e = 0; e < sp.segs.size(); ++e) {
    const auto [k, n] = sp.segs[e];
    std::vector<Fr> col(size_t{1} << n);
    for (Fr& x : col) x = Fr::from_u64(rng.next_u64() & ((uint64_t{1} << k) - 1));
    if (cheat && sp.cheat == 1 && e == 0) col[0] = Fr::from_u64(uint64_t{1} << k);
    bp.add(lookup::LookupTable<Fr>::range(k), {col}, {e});
  }
  bp.assign_owner(0);
  size_t missing = 0;
  auto counts = bp.prepare(&missing);
  EXPECT_EQ(missing, cheat && sp.cheat == 1 ? 1u : 0u);
  if (cheat && sp.cheat == 2) {
    auto& m = counts[0];
    const size_t j = static_cast<size_t>(std::find_if(m.begin(), m.end(), [](uint64_t c) { return c > 0; }) - m.begin());
    --m[j];
    ++m[(j + 1) % m.size()];
  }
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kLgDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  bp.prove(tr, cheat && sp.cheat == 2 ? &counts : nullptr).proof.serialize(w);
  // the prover's replay of the verifier (relations on)
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  const auto bv = lg_verifier(sp);
  const auto proof = lookup::BatchProof<Fr>::deserialize(r, bv.shapes());
  std::vector<lookup::SegmentClaim<Fr>> sc;
  std::vector<lookup::MultiplicityClaim<Fr>> mc;
  EXPECT_TRUE(bv.verify(proof, replay, &sc, &mc).ok());
  for (const auto& x : sc) ctx.bind_claim(x.value, w, tr);
  for (const auto& x : mc) ctx.bind_claim(x.value, w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

MmCase lg_verify(const LgSpec& sp, const std::vector<std::vector<Fr>>&, std::span<const uint8_t> bytes) {
  MmCase c;
  c.name = lg_name(sp);
  Context ctx(ped(), srs(), kLogFirst);
  const ProofSession session{&ctx};
  transcript::Transcript tr(kLgDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t proof_at = r.position();
  const auto bv = lg_verifier(sp);
  const auto proof = lookup::BatchProof<Fr>::deserialize(r, bv.shapes());
  std::vector<lookup::SegmentClaim<Fr>> sc;
  std::vector<lookup::MultiplicityClaim<Fr>> mc;
  Verdict v = bv.verify(proof, tr, &sc, &mc);
  EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
  const size_t peds_at = r.position();
  for (const auto& x : sc) ctx.bind_claim(x.value, r, tr);
  for (const auto& x : mc) ctx.bind_claim(x.value, r, tr);
  const size_t end_at = r.position();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  put_want_head(c, ctx, tr);
  std::vector<layers::Claim> segs, mults;
  for (const auto& x : sc) segs.push_back({x.point, x.value});
  for (const auto& x : mc) mults.push_back({x.point, x.value});
  put_zk_claims(c.want, segs);
  put_zk_claims(c.want, mults);
  put_zk_claims(c.want, {});
  // the harness's words
  std::vector<size_t> ks;
  std::vector<std::pair<size_t, size_t>> desc;
  lg_shape(sp, &ks, &desc);
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  // the log's capacity: none (session 17: the log grows on demand, ZkCp.fit; before, a routine
  // recording more than its room reverted LogFull, which a batch of these sizes does with 0)
  ws.push_back(word_u64(0));
  ws.push_back(word_u64(ks.size()));
  for (size_t k : ks) ws.push_back(word_u64(k));
  ws.push_back(word_u64(desc.size()));
  for (const auto& [t, n] : desc) {
    ws.push_back(word_u64(t));
    ws.push_back(word_u64(n));
  }
  put_routine_proof(c, bytes, proof_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

// A small batch (every word changed: a table deeper than the witness), then evm_test's plain
// batches: three tables (one registered twice), segments of 1 to 32 rows (witness
// deeper than the tables: unit children); one segment, witness as deep as the table; the witness
// two levels deeper (unit children), two tables.
std::vector<LgSpec> lg_specs() {
  return {{{{2, 1}}, 2},
          {{{4, 3}, {3, 5}, {4, 2}, {2, 0}}, 1},
          {{{5, 5}}, 2},
          {{{3, 6}, {3, 6}, {6, 1}}, 2}};
}


void build_lg(MmPlan* pl) {
  // every word changed in case 0 (CI time: a sample in the others); false claims: a row out of
  // range (case 1), a moved multiplicity (case 3)
  build_plan(pl, 0x1091, "rangeBatch(uint256[])", lg_specs(), {0}, {1, 3}, lg_prove, lg_verify);
}

TEST(EvmZk, LogupBatchMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(lg_plan(), lg_specs().size());
}

TEST(EvmZk, LogupBatchEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(lg_plan());
}

TEST(EvmZk, LogupBatchFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(lg_plan());
}


// ---- conv and the pools in zero-knowledge mode (ZkCpConv, ZkCpPool; ZkCpConvPoolHarness) ----
//
// Conv, MaxPool and GlobalAveragePool proofs made in zero-knowledge mode (the pools under a
// model-wide lookup batch: their range checks registered); the claims on the input (conv: on X,
// then on Wt, then on the bias), the advice claims bound to Pedersen commitments, then the end
// section. The harness (ZkCpNonlinearHarness's words in and out) must return the C++ verifier's
// verdict, state, pad opening, claims (forms term by term, message atoms as slots), advice claims
// and lookups. The shapes are the plain routines' tests' (evm_layers_test's convs, evm_nonlinear_test's
// pools): stride, padding, dilation, channels, groups, kernel sizes.

constexpr std::string_view kCvDomain = "evm-test-cpnl";  // (ZkCpNlHarnessUtil.start's domain)

struct CvSpec {
  size_t n, c, h, w, co, kh, kw;
  size_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool bias = false;
  size_t claims = 1, groups = 1;
};

layers::ConvShape cv_shape(const CvSpec& k) {
  layers::ConvShape s;
  s.n = k.n, s.c = k.c, s.h = k.h, s.w = k.w, s.co = k.co, s.kh = k.kh, s.kw = k.kw;
  s.stride_h = k.sh, s.stride_w = k.sw, s.dil_h = k.dh, s.dil_w = k.dw;
  s.pad_top = k.pt, s.pad_left = k.pl, s.pad_bottom = k.pb, s.pad_right = k.pr;
  s.bias = k.bias, s.groups = k.groups;
  return s;
}

std::string cv_name(const CvSpec& k) {
  auto d = [](std::initializer_list<size_t> v) {
    std::string o;
    for (size_t x : v) o += (o.empty() ? "" : "x") + std::to_string(x);
    return o;
  };
  return "conv x=" + d({k.n, k.c, k.h, k.w}) + " co=" + std::to_string(k.co) + " k=" + d({k.kh, k.kw}) + " s=" + d({k.sh, k.sw}) +
         " d=" + d({k.dh, k.dw}) + " p=" + d({k.pt, k.pl, k.pb, k.pr}) + (k.bias ? " bias" : "") + " g=" + std::to_string(k.groups) +
         " claims=" + std::to_string(k.claims);
}

// Y = conv(X, Wt) (+ bias), unpadded NCHW (evm_layers_test's reference).
std::vector<int64_t> cv_reference(const layers::ConvShape& s, const std::vector<int64_t>& x, const std::vector<int64_t>& wt,
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
                acc += wt[((o * cg + c2) * s.kh + a) * s.kw + b] * x[((n * s.c + g * cg + c2) * s.h + hi) * s.w + wi];
              }
          y[((n * s.co + o) * ho + i) * wo + j] = acc;
        }
  return y;
}

// A pool: MaxPool (max) or GlobalAveragePool.
struct PlSpec {
  bool max;
  std::vector<size_t> dims;
  size_t kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0, bits = 12;
  size_t claims = 1;
};

layers::MaxPoolParams pl_max(const PlSpec& sp) {
  layers::MaxPoolParams p;
  p.dims = sp.dims;
  p.kh = sp.kh, p.kw = sp.kw, p.sh = sp.sh, p.sw = sp.sw, p.pt = sp.pt, p.pl = sp.pl, p.pb = sp.pb, p.pr = sp.pr, p.bits = sp.bits;
  return p;
}

std::string pl_name(const PlSpec& sp) {
  std::string d;
  for (size_t i = 0; i < sp.dims.size(); ++i) d += (i ? "x" : "") + std::to_string(sp.dims[i]);
  if (!sp.max) return "global average pool " + d + " claims=" + std::to_string(sp.claims);
  return "max pool " + d + " k=" + std::to_string(sp.kh) + "x" + std::to_string(sp.kw) + " s=" + std::to_string(sp.sh) + "x" +
         std::to_string(sp.sw) + " p=" + std::to_string(sp.pt) + "," + std::to_string(sp.pl) + "," + std::to_string(sp.pb) + "," +
         std::to_string(sp.pr) + " bits=" + std::to_string(sp.bits) + " claims=" + std::to_string(sp.claims);
}

layers::PaddedShape pl_out_shape(const PlSpec& sp) {
  return layers::PaddedShape(sp.max ? pl_max(sp).out_dims() : layers::global_avg_pool_out_dims(sp.dims));
}

size_t pl_spatial(const PlSpec& sp) {
  size_t s = 1;
  for (size_t i = 2; i < sp.dims.size(); ++i) s *= sp.dims[i];
  return s;
}

// The range checks (num_vars, bits) in add_range order.
std::vector<std::pair<size_t, size_t>> pl_ranges(const PlSpec& sp) {
  const size_t ny = pl_out_shape(sp).num_vars();
  if (sp.max) return {{ny + layers::ceil_log2(sp.kh * sp.kw), sp.bits + 1}};
  const size_t S = pl_spatial(sp), m = layers::ceil_log2(2 * S);
  if ((size_t{1} << m) != 2 * S) return {{ny, m}, {ny, m}};
  return {{ny, m}};
}

// The claims' values sent as padded messages ("t.claim"), then the layer (one of the routines),
// with a model-wide lookup batch; the prover's replay of the verifier; the claims on the input and
// the advice claims bound to Pedersen commitments; the end section. `layer` proves (prover
// transcript) or verifies (replay) and returns the claims to bind.
using LayerFn = std::function<std::vector<Val>(std::vector<layers::Claim>& claims, transcript::Transcript& tr, ByteWriter* w,
                                               ByteReader* r)>;

std::vector<uint8_t> layer_prove(std::vector<layers::Claim> claims, TestRng& rng, const LayerFn& layer) {
  const pcs::RandomFr random = pcs::random_fr(rng);
  Context ctx(ped(), srs(), kLogFirst, random);
  ctx.set_relations(false);
  lookup::BatchProver<Fr> bp;
  lookup::BatchVerifier<Fr> bv;  // (the replay's registrations)
  const ProofSession session{&ctx, &bp, &bv};
  transcript::Transcript tr(kCvDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  tr.start_recording();
  ByteWriter w;
  std::vector<Val> cv;
  for (auto& c : claims) cv.push_back(cp::send(tr, c.value.value()));
  tr.absorb_many("t.claim", cv);
  for (size_t t = 0; t < cv.size(); ++t) {
    cp::write(w, cv[t]);
    claims[t].value = cv[t];
  }
  layer(claims, tr, &w, nullptr);
  auto replay = transcript::Transcript::replay(tr.take_recording());
  replay.set_session(&session);
  ctx.set_relations(true);
  const std::vector<uint8_t> body(w.data().begin(), w.data().end());
  ByteReader r(body);
  r.set_session(&session);
  std::vector<Val> cv2;
  for (auto& c : claims) {
    c.value = cp::read(r);
    cv2.push_back(c.value);
  }
  replay.absorb_many("t.claim", cv2);
  for (const Val& v : layer(claims, replay, nullptr, &r)) ctx.bind_claim(v, w, tr);
  ctx.prove_finish(tr, w);
  std::vector<uint8_t> bytes = ctx.rows_block();
  bytes.insert(bytes.end(), w.data().begin(), w.data().end());
  return bytes;
}

// The layer's verdict and claims, the slot of a message id and the lookups (ranges) expected.
struct LayerOut {
  std::vector<layers::Claim> in;
  std::vector<layers::AdviceClaim> adv;
};
using LayerVerifyFn = std::function<LayerOut(std::vector<layers::Claim>& yc, transcript::Transcript& tr, ByteReader& r)>;

MmCase layer_verify(const std::string& name, const std::vector<size_t>& params, const std::vector<std::vector<Fr>>& points,
                    std::span<const uint8_t> bytes, const LayerVerifyFn& layer,
                    const std::function<uint32_t(uint32_t)>& slot, const std::vector<std::pair<size_t, size_t>>& ranges) {
  MmCase c;
  c.name = name;
  c.sample_peds = true;
  Context ctx(ped(), srs(), kLogFirst);
  lookup::BatchVerifier<Fr> bv;
  const ProofSession session{&ctx, nullptr, &bv};
  transcript::Transcript tr(kCvDomain, transcript::Encoding::kV2);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  std::vector<G1Affine> chunks;
  {
    ByteReader h(bytes);
    const uint32_t n = h.u32();
    for (uint32_t i = 0; i < n; ++i) chunks.push_back(zk::read_point(h, "chunk"));
  }
  ctx.read_rows(r);
  const size_t claim_at = r.position();
  std::vector<layers::Claim> yc(points.size());
  std::vector<Val> cv;
  for (size_t t = 0; t < yc.size(); ++t) {
    yc[t].point = points[t];
    yc[t].value = cp::read(r);
    cv.push_back(yc[t].value);
  }
  tr.absorb_many("t.claim", cv);
  const LayerOut o = layer(yc, tr, r);
  const size_t peds_at = r.position();
  for (const auto& x : o.in) ctx.bind_claim(x.value, r, tr);
  for (const auto& a : o.adv) ctx.bind_claim(a.claim.value, r, tr);
  const size_t end_at = r.position();
  Verdict v = Verdict::accept();
  const bool hidden = finish_cpp(c, ctx, tr, r, v);
  // the lookups: per range check its low digits (when any), then its top digit
  std::vector<std::array<size_t, 3>> lookups;
  {
    size_t id = 0;
    for (const auto& [n, bits] : ranges) {
      const auto p = layers::DigitPlan::make(bits, n);
      if (p.num_low > 0) lookups.push_back({id++, n + p.low_vars, p.digit_bits});
      lookups.push_back({id++, n, p.top_bits});
    }
    std::vector<lookup::BatchTableShape> grouped;
    for (const auto& l : lookups) {
      auto it = std::find_if(grouped.begin(), grouped.end(), [&](const auto& g) { return g.k == l[2]; });
      if (it == grouped.end()) it = grouped.insert(grouped.end(), lookup::BatchTableShape{l[2], 1, {}});
      it->segments.push_back(l[1]);
    }
    const auto shapes = bv.shapes();
    EXPECT_EQ(shapes.size(), grouped.size()) << c.name;
    for (size_t t = 0; t < std::min(shapes.size(), grouped.size()); ++t) {
      EXPECT_EQ(shapes[t].k, grouped[t].k) << c.name;
      EXPECT_EQ(shapes[t].segments, grouped[t].segments) << c.name;
    }
  }
  // the expected answer
  put_want_head(c, ctx, tr);
  c.want.push_back(word_u64(o.in.size()));
  for (const auto& x : o.in) {
    c.want.push_back(word_u64(x.point.size()));
    for (const Fr& e : x.point) c.want.push_back(word(e));
    put_slot_form(c.want, x.value, slot);
  }
  c.want.push_back(word_u64(o.adv.size()));
  for (const auto& a : o.adv) {
    c.want.push_back(word_u64(a.advice));
    c.want.push_back(word_u64(a.claim.point.size()));
    for (const Fr& e : a.claim.point) c.want.push_back(word(e));
    put_slot_form(c.want, a.claim.value, slot);
  }
  c.want.push_back(word_u64(lookups.size()));
  for (const auto& l : lookups)
    for (size_t k : l) c.want.push_back(word_u64(k));
  // the harness's words
  auto& ws = c.words;
  ws.push_back(word_u64(kLogFirst));
  ws.push_back(word_u64(std::max(kLogFirst, srs().max_vars())));
  ws.push_back(word_u64(chunks.size()));
  for (const auto& p : chunks) put_g1(ws, p);
  ws.push_back(word_u64(2 + ped().g().size()));
  put_g1(ws, ped().u());
  put_g1(ws, ped().h());
  for (const auto& g : ped().g()) put_g1(ws, g);
  ws.push_back(word_u64(params.size()));
  for (size_t p : params) ws.push_back(word_u64(p));
  ws.push_back(word_u64(yc.size()));
  for (const auto& cl : yc) {
    ws.push_back(word_u64(cl.point.size()));
    for (const Fr& x : cl.point) ws.push_back(word(x));
  }
  put_routine_proof(c, bytes, claim_at, peds_at, end_at, hidden, chunks.size());
  return c;
}

std::vector<uint8_t> cv_prove(const CvSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  const layers::ConvShape s = cv_shape(sp);
  EXPECT_FALSE(s.invalid());
  const auto x = layers::testing::random_ints(rng, s.x_shape().unpadded_size(), 100);
  const auto wt = layers::testing::random_ints(rng, s.w_shape().unpadded_size(), 100);
  std::vector<int64_t> bias_int;
  std::vector<Fr> bias;
  if (sp.bias) {
    bias_int = layers::testing::random_ints(rng, s.co, 1 << 16);
    bias = layers::padded_table(s.bias_shape(), bias_int);
  }
  const auto y = layers::padded_table(s.y_shape(), cv_reference(s, x, wt, bias_int));
  auto claims = layers::testing::true_claims(rng, y, s.y_shape().num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);
  return layer_prove(claims, rng, [&](std::vector<layers::Claim>& cl, transcript::Transcript& tr, ByteWriter* w, ByteReader* r) {
    if (w) {
      layers::prove_conv(s, std::span<const int64_t>(x), std::span<const int64_t>(wt), bias, cl, tr).serialize(*w);
      return std::vector<Val>{};
    }
    const auto proof = layers::ConvProof::deserialize(*r, s, cl.size());
    layers::ConvClaims out;
    EXPECT_TRUE(layers::verify_conv(s, cl, proof, tr, &out).ok());
    std::vector<Val> bind{out.x.value};
    for (const auto& c : out.w) bind.push_back(c.value);
    for (const auto& c : out.bias) bind.push_back(c.value);
    return bind;
  });
}

MmCase cv_verify(const CvSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  const layers::ConvShape s = cv_shape(sp);
  const std::vector<size_t> params{sp.n, sp.c, sp.h, sp.w, sp.co, sp.kh, sp.kw, sp.sh, sp.sw, sp.dh, sp.dw,
                                   sp.pt, sp.pl, sp.pb, sp.pr, sp.bias ? size_t{1} : 0, sp.groups};
  // conv absorbs its messages as it reads them: slot = id
  return layer_verify(cv_name(sp), params, points, bytes, [&](std::vector<layers::Claim>& yc, transcript::Transcript& tr, ByteReader& r) {
    const auto proof = layers::ConvProof::deserialize(r, s, yc.size());
    layers::ConvClaims out;
    const Verdict v = layers::verify_conv(s, yc, proof, tr, &out);
    EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
    LayerOut o;
    o.in.push_back(out.x);
    for (const auto& c : out.w) o.in.push_back(c);
    for (const auto& c : out.bias) o.in.push_back(c);
    return o;
  }, [](uint32_t id) { return id; }, {});
}

std::vector<uint8_t> pl_prove(const PlSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  const layers::PaddedShape xs(sp.dims), ys = pl_out_shape(sp);
  const auto x = layers::testing::random_ints(rng, xs.unpadded_size(), sp.max ? (int64_t{1} << sp.bits) - 1 : int64_t{1} << 20);
  std::optional<layers::MaxPoolProver> mp;
  std::optional<layers::GlobalAvgPoolProver> gp;
  std::vector<Fr> table;
  if (sp.max) {
    mp.emplace(pl_max(sp), x);
    table = layers::padded_table(ys, mp->output());
  } else {
    gp.emplace(layers::GlobalAvgPoolParams{sp.dims}, x);
    table = layers::padded_table(ys, gp->output());
  }
  auto claims = layers::testing::true_claims(rng, table, ys.num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);
  return layer_prove(claims, rng, [&](std::vector<layers::Claim>& cl, transcript::Transcript& tr, ByteWriter* w, ByteReader* r) {
    std::vector<layers::Claim> in;
    std::vector<layers::AdviceClaim> adv;
    if (w) {
      if (mp) mp->prove(cl, tr, &in, &adv).serialize(*w);
      if (gp) gp->prove(cl, tr, &in, &adv).serialize(*w);
      return std::vector<Val>{};
    }
    Verdict v = Verdict::accept();
    if (sp.max) {
      const auto proof = layers::MaxPoolProof::deserialize(*r, pl_max(sp), cl.size());
      v = layers::verify_max_pool(pl_max(sp), cl, proof, tr, &in, &adv);
    } else {
      const auto proof = layers::GlobalAvgPoolProof::deserialize(*r, {sp.dims}, cl.size());
      v = layers::verify_global_avg_pool({sp.dims}, cl, proof, tr, &in, &adv);
    }
    EXPECT_TRUE(v.ok()) << v.reason();
    std::vector<Val> bind;
    for (const auto& c : in) bind.push_back(c.value);
    for (const auto& a : adv) bind.push_back(a.claim.value);
    return bind;
  });
}

MmCase pl_verify(const PlSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  std::vector<size_t> params{sp.dims.size()};
  params.insert(params.end(), sp.dims.begin(), sp.dims.end());
  if (sp.max) params.insert(params.end(), {sp.kh, sp.kw, sp.sh, sp.sw, sp.pt, sp.pl, sp.pb, sp.pr, sp.bits});
  // message ids (read order) -> slots (absorption order). MaxPool reads the evaluations (per claim
  // K at z, then K at the zero-check's point), the zero-check, then each claim's gather; it
  // absorbs per claim its K evaluations and its gather, then the zero-check and the last K.
  // GlobalAveragePool reads every claim's digits, then each claim's sum; it absorbs them per claim.
  const size_t nc = points.size(), nx = layers::PaddedShape(sp.dims).num_vars(), ny = pl_out_shape(sp).num_vars();
  size_t per = 0;  // evaluations per claim
  for (const auto& [n, bits] : pl_ranges(sp)) per += layers::range_eval_count(n, bits) * (sp.max ? sp.kh * sp.kw : 1);
  const size_t K = sp.kh * sp.kw;
  const size_t G = sp.max ? 2 * nx + 2 : nx - ny + 1;     // a gather's (a sum's) words
  const size_t ZC = sp.max ? ny * K + K + 1 : 0;           // the zero-check's words
  const size_t ne = sp.max ? (nc + 1) * per : nc * per;    // the evaluations
  const std::function<uint32_t(uint32_t)> slot = [=](uint32_t id32) -> uint32_t {
    const size_t id = id32;
    if (id < nc) return id32;
    if (id < nc + ne) {
      const size_t e = id - nc;
      if (e < nc * per) return static_cast<uint32_t>(nc + e + (e / per) * G);
      return static_cast<uint32_t>(nc + e + nc * G + ZC);
    }
    if (id < nc + ne + ZC) return static_cast<uint32_t>(nc + nc * per + nc * G + (id - nc - ne));
    const size_t g = id - nc - ne - ZC;
    return static_cast<uint32_t>(nc + (g / G + 1) * per + g);
  };
  return layer_verify(pl_name(sp), params, points, bytes, [&](std::vector<layers::Claim>& yc, transcript::Transcript& tr, ByteReader& r) {
    LayerOut o;
    Verdict v = Verdict::accept();
    if (sp.max) {
      const auto proof = layers::MaxPoolProof::deserialize(r, pl_max(sp), yc.size());
      v = layers::verify_max_pool(pl_max(sp), yc, proof, tr, &o.in, &o.adv);
    } else {
      const auto proof = layers::GlobalAvgPoolProof::deserialize(r, {sp.dims}, yc.size());
      v = layers::verify_global_avg_pool({sp.dims}, yc, proof, tr, &o.in, &o.adv);
    }
    EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
    return o;
  }, slot, pl_ranges(sp));
}

// (evm_layers_test's conv shapes: valid and same padding, bias, batch 2 with stride 2 and uneven
// pads, dilation with 3 claims, depthwise, grouped, a 1x1 kernel, pads beyond the kernel)
std::vector<CvSpec> cv_specs() {
  return {
      {1, 1, 8, 8, 2, 3, 3},
      {1, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 2},
      {2, 2, 9, 7, 3, 3, 2, 2, 2, 1, 1, 1, 0, 1, 1, true, 1},
      {1, 2, 10, 9, 2, 3, 3, 1, 2, 2, 1, 0, 1, 2, 0, false, 3},
      {1, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, 2, 4},
      {1, 4, 5, 5, 6, 2, 3, 2, 1, 1, 1, 0, 1, 0, 1, false, 1, 2},
      {1, 3, 4, 4, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, 1},
      {1, 1, 5, 5, 2, 2, 2, 3, 3, 1, 1, 3, 3, 3, 3, false, 2},
  };
}

// (evm_nonlinear_test's pools: cnn_digits' 2x2 stride 2; resnet18's 3x3 stride 2 pad 1; an odd
// kernel and pads; GlobalAveragePool with and without the complement, rank 3, one position)
std::vector<PlSpec> pl_specs() {
  return {
      {true, {1, 2, 6, 6}, 2, 2, 2, 2, 0, 0, 0, 0, 12, 1},
      {true, {1, 3, 7, 7}, 3, 3, 2, 2, 1, 1, 1, 1, 16, 2},
      {true, {2, 1, 5, 4}, 2, 3, 1, 2, 1, 0, 0, 2, 20, 2},
      {false, {1, 4, 3, 3}, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1},
      {false, {2, 3, 4, 4}, 1, 1, 1, 1, 0, 0, 0, 0, 0, 2},
      {false, {1, 5, 7}, 1, 1, 1, 1, 0, 0, 0, 0, 0, 2},
      {false, {1, 8, 1, 1}, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1},
  };
}

// Every word of the layer's proof changed in conv's first and depthwise cases, MaxPool's first and
// GlobalAveragePool's first (a sample in the others); false claims: conv with bias and grouped,
// a MaxPool and a GlobalAveragePool.
void build_cv(MmPlan* pl) { build_plan(pl, 0xc0c0, "conv(uint256[])", cv_specs(), {0, 4}, {1, 5}, cv_prove, cv_verify); }

void build_pl(MmPlan* pl) {
  // (two signatures: one plan per routine would compile nothing more; the calls are per case)
  TestRng rng(test_seed() ^ 0x9090);
  const auto specs = pl_specs();
  const std::set<size_t> full{0, 3};
  for (const PlSpec& sp : specs) {
    const std::string sig = sp.max ? "maxPool(uint256[])" : "gap(uint256[])";
    std::vector<std::vector<Fr>> pts;
    const auto bytes = pl_prove(sp, rng, false, &pts);
    MmCase c = pl_verify(sp, pts, bytes);
    pl->honest.push_back(pl->evm.add(sig, c.words));
    std::vector<std::pair<std::string, size_t>> bad;
    if (!std::getenv("EVM_ZK_HONEST_ONLY")) schedule_changes(*pl, sig, c, full.count(pl->cases.size()) > 0, bad);
    pl->bad.push_back(std::move(bad));
    pl->cases.push_back(std::move(c));
  }
  for (size_t k : {size_t{1}, size_t{4}}) {
    std::vector<std::vector<Fr>> pts;
    const auto bytes = pl_prove(specs[k], rng, true, &pts);
    MmCase c = pl_verify(specs[k], pts, bytes);
    const size_t call = pl->evm.add(specs[k].max ? "maxPool(uint256[])" : "gap(uint256[])", c.words);
    pl->false_claims.push_back({std::move(c), call});
  }
}

TEST(EvmZk, ConvMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(cv_plan(), cv_specs().size());
}

TEST(EvmZk, ConvEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(cv_plan());
}

TEST(EvmZk, ConvFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(cv_plan());
}

TEST(EvmZk, PoolMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(pl_plan(), pl_specs().size());
}

TEST(EvmZk, PoolEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(pl_plan());
}

TEST(EvmZk, PoolFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(pl_plan());
}


// ---- the elementwise layers and data movement in zero-knowledge mode (ZkCpElementwise,
// ZkCpReindex; ZkCpElemHarness) ----
//
// Elementwise (Add, Sub, Mul with broadcasting, BatchNormalization's affine a x + b, with and
// without the output rescale) and reindex (Flatten, Transpose, Pad with a non-zero value) proofs
// made in zero-knowledge mode (the rescale under a model-wide lookup batch); the claims on the
// inputs (elementwise: on a, then b, then c) and the advice claims bound to Pedersen commitments,
// then the end section. The harness must return the C++ verifier's verdict, state, pad opening,
// claims (forms term by term), advice claims and lookups.

struct EwSpec {
  layers::ElementwiseParams p;
  size_t claims = 1;
};

std::string ew_name(const EwSpec& sp) {
  auto d = [](const std::vector<size_t>& v) {
    std::string o = "[";
    for (size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + std::to_string(v[i]);
    return o + "]";
  };
  static const char* ops[] = {"add", "sub", "mul", "affine"};
  const auto& p = sp.p;
  std::string n = std::string("elementwise ") + ops[static_cast<int>(p.op)] + " " + d(p.dims);
  if (!p.a_dims.empty()) n += " a" + d(p.a_dims);
  if (!p.b_dims.empty()) n += " b" + d(p.b_dims);
  if (!p.c_dims.empty()) n += " c" + d(p.c_dims);
  return n + " e=" + std::to_string(p.ea) + "," + std::to_string(p.eb) + " shift=" + std::to_string(p.shift) +
         " out_bits=" + std::to_string(p.out_bits) + " claims=" + std::to_string(sp.claims);
}

// The rescale's range checks (num_vars, bits) in add_range order.
std::vector<std::pair<size_t, size_t>> ew_ranges(const EwSpec& sp) {
  if (sp.p.shift <= 0) return {};
  const size_t n = layers::PaddedShape(sp.p.dims).num_vars();
  std::vector<std::pair<size_t, size_t>> r{{n, static_cast<size_t>(sp.p.shift)}};
  if (sp.p.out_bits > 0) r.push_back({n, sp.p.out_bits + 1});
  return r;
}

std::vector<uint8_t> ew_prove(const EwSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  using Op = layers::ElementwiseParams::Op;
  const auto& p = sp.p;
  auto shape = [&](const std::vector<size_t>& d) { return layers::PaddedShape(d.empty() ? p.dims : d); };
  const int64_t bound = p.op == Op::kAdd || p.op == Op::kSub ? int64_t{1} << 12 : int64_t{1} << 10;  // (evm_elementwise_test's)
  const auto a = layers::testing::random_ints(rng, shape(p.a_dims).unpadded_size(), bound);
  const auto b = layers::testing::random_ints(rng, shape(p.b_dims).unpadded_size(), bound);
  const auto c = p.op == Op::kAffine ? layers::testing::random_ints(rng, shape(p.c_dims).unpadded_size(), bound)
                                     : std::vector<int64_t>{};
  layers::ElementwiseProver prover(p, a, b, c);
  const layers::PaddedShape ys(p.dims);
  auto claims = layers::testing::true_claims(rng, layers::padded_table(ys, prover.output()), ys.num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& cl : claims) points->push_back(cl.point);
  return layer_prove(claims, rng, [&](std::vector<layers::Claim>& cl, transcript::Transcript& tr, ByteWriter* w, ByteReader* r) {
    layers::ElementwiseClaims out;
    if (w) {
      prover.prove(cl, tr, &out).serialize(*w);
      return std::vector<Val>{};
    }
    const auto proof = layers::ElementwiseProof::deserialize(*r, p, cl.size());
    EXPECT_TRUE(layers::verify_elementwise(p, cl, proof, tr, &out).ok());
    std::vector<Val> bind;
    for (const auto* l : {&out.a, &out.b, &out.c})
      for (const auto& x : *l) bind.push_back(x.value);
    for (const auto& x : out.advice) bind.push_back(x.claim.value);
    return bind;
  });
}

MmCase ew_verify(const EwSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  using Op = layers::ElementwiseParams::Op;
  const auto& p = sp.p;
  std::vector<size_t> params{static_cast<size_t>(p.op), p.ea, p.eb, static_cast<size_t>(p.shift + 64), p.out_bits};
  for (const auto* d : {&p.dims, &p.a_dims, &p.b_dims, &p.c_dims}) {
    params.push_back(d->size());
    params.insert(params.end(), d->begin(), d->end());
  }
  // message ids (read order) -> slots (absorption order): the claims, the rescale's evaluations,
  // then Affine reads every claim's c~(z_c), then every claim's sumcheck (2n + 3 words), but
  // absorbs per claim its evaluation and its sumcheck (the others read as they absorb)
  const size_t nc = points.size(), n = layers::PaddedShape(p.dims).num_vars(), S = 2 * n + 3;
  size_t ne = 0;
  for (const auto& [v, bits] : ew_ranges(sp)) ne += layers::range_eval_count(v, bits) * nc;
  const size_t base = nc + ne;
  const bool affine = p.op == Op::kAffine;
  const std::function<uint32_t(uint32_t)> slot = [=](uint32_t id32) -> uint32_t {
    const size_t id = id32;
    if (!affine || id < base) return id32;
    if (id < base + nc) return static_cast<uint32_t>(base + (id - base) * (1 + S));
    const size_t k = id - base - nc;
    return static_cast<uint32_t>(base + (k / S) * (1 + S) + 1 + k % S);
  };
  return layer_verify(ew_name(sp), params, points, bytes, [&](std::vector<layers::Claim>& yc, transcript::Transcript& tr, ByteReader& r) {
    const auto proof = layers::ElementwiseProof::deserialize(r, p, yc.size());
    layers::ElementwiseClaims out;
    const Verdict v = layers::verify_elementwise(p, yc, proof, tr, &out);
    EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
    LayerOut o;
    for (const auto* l : {&out.a, &out.b, &out.c}) o.in.insert(o.in.end(), l->begin(), l->end());
    o.adv = out.advice;
    return o;
  }, slot, ew_ranges(sp));
}

std::vector<EwSpec> ew_specs() {
  using Op = layers::ElementwiseParams::Op;
  auto ew = [](Op op, std::vector<size_t> dims, std::vector<size_t> ad, std::vector<size_t> bd, std::vector<size_t> cd, size_t ea,
               size_t eb, int shift, size_t out_bits, size_t claims) {
    EwSpec s;
    s.p.op = op, s.p.dims = std::move(dims), s.p.a_dims = std::move(ad), s.p.b_dims = std::move(bd), s.p.c_dims = std::move(cd);
    s.p.ea = ea, s.p.eb = eb, s.p.shift = shift, s.p.out_bits = out_bits;
    s.claims = claims;
    return s;
  };
  // (evm_elementwise_test's shapes, for the plain routine's gas on the same case)
  return {
      ew(Op::kAdd, {2, 3, 4}, {}, {}, {}, 0, 2, 0, 0, 2),                             // two tensors, aligned
      ew(Op::kAdd, {4, 1, 5}, {1, 1, 5}, {4, 1, 1}, {}, 0, 4, 0, 0, 3),               // both broadcast (bias-like b)
      ew(Op::kMul, {2, 6}, {}, {1, 6}, {}, 0, 0, 8, 13, 2),                           // a broadcast b, the rescale and range check
      ew(Op::kSub, {2, 3, 5}, {2, 1, 5}, {1, 3, 1}, {}, 1, 0, 3, 12, 2),              // both broadcast, rescaled
      ew(Op::kAffine, {1, 4, 3, 3}, {}, {1, 4, 1, 1}, {1, 4, 1, 1}, 0, 0, 6, 14, 1),  // BatchNormalization
      ew(Op::kAffine, {2, 3, 2, 2}, {}, {1, 3, 1, 1}, {1, 3, 1, 1}, 0, 0, 4, 0, 2),   // two claims (slots interleaved)
  };
}

// Every word of the layer's proof changed in the first Add and the first affine case; false
// claims: the Mul and the affine form (a false claim on a linear step, Add or Sub, becomes false
// claims on its operands, which the layer cannot tell: it is caught where those are opened).
void build_ew(MmPlan* pl) { build_plan(pl, 0xe1e1, "elementwise(uint256[])", ew_specs(), {0, 4}, {2, 4}, ew_prove, ew_verify); }

struct RiSpec {
  std::string name;
  layers::ReindexMap m;
  size_t claims = 1;
};

std::vector<uint8_t> ri_prove(const RiSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  const layers::PaddedShape xs(sp.m.x_dims), ys(sp.m.y_dims);
  const auto x = layers::testing::random_ints(rng, xs.unpadded_size(), int64_t{1} << 20);
  auto claims = layers::testing::true_claims(rng, layers::padded_table(ys, sp.m.apply(x)), ys.num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& cl : claims) points->push_back(cl.point);
  return layer_prove(claims, rng, [&](std::vector<layers::Claim>& cl, transcript::Transcript& tr, ByteWriter* w, ByteReader* r) {
    if (w) {
      layers::ReindexProof pp;
      layers::prove_reindex(sp.m, x, cl, tr, &pp);
      pp.serialize(*w);
      return std::vector<Val>{};
    }
    const auto proof = layers::ReindexProof::deserialize(*r, sp.m, cl.size());
    std::vector<layers::Claim> out;
    EXPECT_TRUE(layers::verify_reindex(sp.m, cl, proof, tr, &out).ok());
    std::vector<Val> bind;
    for (const auto& c : out) bind.push_back(c.value);
    return bind;
  });
}

MmCase ri_verify(const RiSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  const auto& m = sp.m;
  // the map's words (ZkCpReindexEntry's: map entries + 1, the pad value + 2^62; iota groups as the
  // generator emits them)
  std::vector<size_t> params;
  auto list = [&](const std::vector<size_t>& v) {
    params.push_back(v.size());
    params.insert(params.end(), v.begin(), v.end());
  };
  list(m.x_dims);
  list(m.y_dims);
  params.push_back(m.groups.size());
  for (const auto& g : m.groups) {
    list(g.y_axes);
    list(g.x_axes);
    bool iota = !g.identity && !g.map.empty();
    for (size_t t = 0; iota && t < g.map.size(); ++t) iota = g.map[t] == static_cast<int64_t>(t);
    params.push_back(g.identity ? 1 : iota ? 2 : 0);
    if (g.identity || iota) {
      params.push_back(0);
      continue;
    }
    params.push_back(g.map.size());
    for (int64_t v : g.map) params.push_back(static_cast<size_t>(v + 1));
  }
  params.push_back(static_cast<size_t>(m.pad_value + (int64_t{1} << 62)));
  return layer_verify("reindex " + sp.name + " claims=" + std::to_string(sp.claims), params, points, bytes,
                      [&](std::vector<layers::Claim>& yc, transcript::Transcript& tr, ByteReader& r) {
                        const auto proof = layers::ReindexProof::deserialize(r, m, yc.size());
                        LayerOut o;
                        const Verdict v = layers::verify_reindex(m, yc, proof, tr, &o.in);
                        EXPECT_TRUE(v.ok()) << v.reason();  // (zero knowledge: the checks are recorded)
                        return o;
                      }, [](uint32_t id) { return id; }, {});
}

std::vector<RiSpec> ri_specs() {
  return {
      {"Flatten [1,3,5,6]->[1,90]", layers::reshape_map({1, 3, 5, 6}, {1, 90}), 1},  // a padded CHW tensor flattened
      {"Transpose [1,6,5,3] (0,2,3,1)", layers::transpose_map({1, 6, 5, 3}, {0, 2, 3, 1}), 1},  // (free: unit groups)
      {"Pad [3,5] value -7", layers::pad_map({3, 5}, {1, 0, 2, 3}, -7), 2},  // a non-zero pad value (the sourced target)
      {"Flatten [1,512,1,1]->[1,512]", layers::reshape_map({1, 512, 1, 1}, {1, 512}), 2},  // resnet18's (free)
  };
}

// (evm_layers_test's maps.) Every word of the layer's proof changed in the Flatten; false claims:
// the Flatten and the Pad (a free map passes a false claim on to x: caught where x's is opened).
void build_ri(MmPlan* pl) { build_plan(pl, 0x7171, "reindex(uint256[])", ri_specs(), {0}, {0, 2}, ri_prove, ri_verify); }

// ---- Neg and a step's public constants in zero-knowledge mode (ZkCpDriver.negate,
// checkPublicClaims; session 19) ----
// The C++ verifier's forms of the two (proof/steps/move.cc NegStep::verify: each claim's value
// negated; steps/elementwise.cc and model_proof.cc verify_impl: `mle_eval(table, point) != value`
// on a cp Val, which records MLE - form = 0) against ZkCpElemHarness.constClaims: mode 1 negates
// the claims (they are the claims left, bound to Pedersen commitments), 2 checks them against the
// constant, 3 negates then checks (a Neg before a public constant's claim).
struct CsSpec {
  size_t mode;
  std::vector<size_t> dims;
  size_t claims;
  uint64_t seed;  // the constant's (or the claimed tensor's) values
};

std::string cs_name(const CsSpec& sp) {
  std::string d;
  for (size_t i = 0; i < sp.dims.size(); ++i) d += (i ? "," : "") + std::to_string(sp.dims[i]);
  static const char* modes[] = {"", "negate", "public constant", "negate, then public constant"};
  return std::string(modes[sp.mode]) + " [" + d + "] claims=" + std::to_string(sp.claims);
}

// The constant (modes 2, 3) or the claimed tensor (mode 1): seeded integers, negative ones too.
std::vector<int64_t> cs_values(const CsSpec& sp) {
  TestRng rng(test_seed() ^ sp.seed);
  return layers::testing::random_ints(rng, layers::PaddedShape(sp.dims).unpadded_size(), int64_t{1} << 20);
}

// The verifier's part (C++): the claims negated and/or checked (ok false on a rejection decided
// now); the claims left.
std::vector<layers::Claim> cs_apply(const CsSpec& sp, std::vector<layers::Claim> cl, bool* ok) {
  if (sp.mode & 1)
    for (auto& c : cl) c.value = -c.value;
  if (!(sp.mode & 2)) return cl;
  const layers::PaddedShape s(sp.dims);
  const auto tab = layers::padded_table(s, cs_values(sp));
  for (const auto& c : cl)
    if (c.point.size() != s.num_vars() || Val(poly::evaluate_mle<Fr>(tab, c.point)) != c.value) *ok = false;
  return {};
}

std::vector<uint8_t> cs_prove(const CsSpec& sp, TestRng& rng, bool false_claim, std::vector<std::vector<Fr>>* points) {
  // the claimed tensor: the constant (mode 2), its negation (mode 3: y = -c, so -y = c), or any (mode 1)
  std::vector<int64_t> y = cs_values(sp);
  if (sp.mode == 3)
    for (auto& x : y) x = -x;
  const layers::PaddedShape s(sp.dims);
  auto claims = layers::testing::true_claims(rng, layers::padded_table(s, y), s.num_vars(), sp.claims);
  if (false_claim) claims[0].value = claims[0].value + Val(Fr::one());
  for (const auto& c : claims) points->push_back(c.point);
  return layer_prove(claims, rng, [&](std::vector<layers::Claim>& cl, transcript::Transcript&, ByteWriter* w, ByteReader*) {
    std::vector<Val> bind;
    if (w) return bind;
    bool ok = true;
    for (const auto& c : cs_apply(sp, cl, &ok)) bind.push_back(c.value);
    EXPECT_TRUE(ok);  // (zero knowledge: the check is recorded)
    return bind;
  });
}

MmCase cs_verify(const CsSpec& sp, const std::vector<std::vector<Fr>>& points, std::span<const uint8_t> bytes) {
  std::vector<size_t> params{sp.mode, sp.dims.size()};
  params.insert(params.end(), sp.dims.begin(), sp.dims.end());
  for (int64_t v : cs_values(sp)) params.push_back(static_cast<size_t>(v + (int64_t{1} << 62)));
  return layer_verify(cs_name(sp), params, points, bytes, [&](std::vector<layers::Claim>& yc, transcript::Transcript&, ByteReader&) {
    LayerOut o;
    bool ok = true;
    o.in = cs_apply(sp, yc, &ok);
    EXPECT_TRUE(ok);  // (zero knowledge: the check is recorded)
    return o;
  }, [](uint32_t id) { return id; }, {});
}

std::vector<CsSpec> cs_specs() {
  return {
      {1, {2, 3}, 2, 0x11},        // Neg: two claims negated
      {2, {1, 4}, 1, 0x12},        // a BatchNormalization's a or b on [1, C] (b_dims)
      {2, {1, 3, 1, 1}, 2, 0x13},  // [1, C, 1, 1], two claims
      {2, {5}, 1, 0x14},           // a bias of 5 (padded to 8)
      {3, {2, 3, 5}, 1, 0x15},     // Neg, then a constant of rank 3
  };
}

// Every word changed in the first two cases; false claims on the two constants' checks (a false
// claim through a Neg alone is a false claim on its input: caught where that is checked).
void build_cs(MmPlan* pl) { build_plan(pl, 0xc5c5, "constClaims(uint256[])", cs_specs(), {0, 1}, {1, 4}, cs_prove, cs_verify); }

TEST(EvmZk, ConstClaimsMatchCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(cs_plan(), cs_specs().size());
}

TEST(EvmZk, ConstClaimsEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(cs_plan());
}

TEST(EvmZk, ConstClaimsFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(cs_plan());
}

TEST(EvmZk, ElementwiseMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(ew_plan(), ew_specs().size());
}

TEST(EvmZk, ElementwiseEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(ew_plan());
}

TEST(EvmZk, ElementwiseFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(ew_plan());
}

TEST(EvmZk, ReindexMatchesCpp) {
  SCOPED_TRACE(seed_note());
  expect_cases_match_cpp(ri_plan(), ri_specs().size());
}

TEST(EvmZk, ReindexEveryChangeIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_every_change_rejected(ri_plan());
}

TEST(EvmZk, ReindexFalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  expect_false_claims_rejected(ri_plan());
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (zkinfer::node_missing()) {
    std::fprintf(stderr, "evm_zk_test: node is not installed; skipped\n");
    return 77;
  }
  return RUN_ALL_TESTS();
}
