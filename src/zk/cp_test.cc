// Tests of commit-and-prove values with padded messages (zk/cp.h) on a small complete proof:
// the factor tables f_1.. of sum_x eq(rho, x) h(f_1(x), ...) = claim are committed with Hyrax, the
// claim is sent as a message, the sumcheck is proven by sumcheck::prove_with_eq and checked by
// sumcheck::verify_with_eq, each final value of a committed factor is bound to a Pedersen claim
// (Context::bind_claim) and opened, with the pad matrix, by one Hyrax batch. Zero-knowledge proofs
// are made as model_proof.cc makes them: a first pass sends padded messages (relations off) while
// recording the challenges; the verifier's code replayed on the prover's own bytes gives every
// derived value its affine form and records products and equalities; then the claims, the end
// section and the batch; the pad rows go first in the bytes. Checked:
//   - honest proofs verify for several compositions (0, 1 and 2 products), in both modes, and the
//     committed claims open to the factors' MLEs at the sumcheck's point;
//   - a false claim, a byte changed in every 32-byte element, truncation and trailing bytes, a
//     dropped or duplicated pad row: all rejected; a prover that forges a product's value so that
//     the sumcheck's final check holds for a false claim is rejected by the product sumcheck;
//   - plain mode (no context): the messages are the plain values;
//   - zero knowledge: two proofs of one statement share no 32-byte element; no witness value
//     (table entries, claim, round values, final values, small integers included) occurs in the
//     bytes at any offset, while the plain proof contains them; and every 32-byte element of the
//     proof is distributed as a simulator that knows no witness outputs it (uniform scalars, and
//     uniform points), by a chi-square test per position over many proofs for two different
//     witnesses; negative control: proofs whose pads are all zero are told apart at once.
#include "zk/cp.h"
#include "zk/cp_defer.h"
#include "zk/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/random.h"
#include "pcs/hyrax_eval.h"
#include "pcs/kzg.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "test_seed.h"

namespace zkinfer::cp {
namespace {

using testing::seed_note;
using testing::test_seed;
using Comp = sumcheck::Composition<Fr>;
using SumcheckProof = sumcheck::Proof<Fr>;
using Element = std::array<uint8_t, 32>;

constexpr size_t kLogCols = 6;
constexpr size_t kLogRow = 3;  // 8 pads a row: small tests span several rows
const pcs::HyraxParams& params() {
  static const pcs::HyraxParams p(kLogCols);
  return p;
}

// kzg pads (key version 8, zk/cp.h): the pads in KZG-committed chunks of 4, 8, 16, .. (small tests
// span several chunks), their opening in a masked HyperKZG batch over an INSECURE test SRS (known
// tau), the factors' in the Hyrax batch as above. Set by KzgPads below for the tests it runs.
constexpr size_t kLogFirstChunk = 2;
bool g_kzg = false;
const pcs::KzgParams& kzg_params() {
  // INSECURE, test only: tau and beta are known.
  static const pcs::KzgParams p = pcs::KzgParams::insecure_from_secrets(Fr::from_u64(987654321), Fr::from_u64(12345), 10);
  return p;
}
// An SRS of 2^3 powers: chunks of 4, 8, 8, 8, .. pads (lengths capped at the SRS's).
const pcs::KzgParams& small_kzg_params() {
  static const pcs::KzgParams p = pcs::KzgParams::insecure_from_secrets(Fr::from_u64(55555), Fr::from_u64(777), 3);
  return p;
}
const pcs::KzgParams* g_srs = nullptr;  // the SRS the kzg pads use (kzg_params() when null)
const pcs::KzgParams& srs() { return g_srs ? *g_srs : kzg_params(); }
struct KzgPads {
  explicit KzgPads(const pcs::KzgParams* p = nullptr) {
    g_kzg = true;
    g_srs = p;
  }
  ~KzgPads() {
    g_kzg = false;
    g_srs = nullptr;
  }
};
// What the kzg batch rejects on the verifier's side (tests change its bytes).
struct KzgPadBatch {
  // extra: the end section's deferred checks, decided in the batch's MSM and pairing check as
  // the whole-model kzg verifier does (pcs/kzg_scheme.cc).
  static Verdict verify(const Context& ctx, ByteReader& r, transcript::Transcript& tr,
                        const pcs::MsmTerms* extra = nullptr) {
    const auto o = ctx.kzg_pad_opening();
    const pcs::KzgCommitment com{o.num_vars, o.commitment};
    const std::vector<pcs::KzgOpeningClaim> items{
        {&com, std::vector<Fr>(o.point.begin(), o.point.end()), pcs::EvalClaim::committed(o.claim)}};
    const auto proof = pcs::KzgBatchProof::deserialize(r, srs().form());
    if (extra) return pcs::verify_batch(srs(), items, proof, tr, *extra).within("kzg pad opening");
    return pcs::verify_batch(srs(), items, proof, tr).within("kzg pad opening");
  }
  static void prove(const Context& ctx, ByteWriter& w, transcript::Transcript& tr, const RandomFr& random) {
    const auto o = ctx.kzg_pad_opening();
    const pcs::KzgCommitment com{o.num_vars, o.commitment};
    const pcs::KzgBlinds bl{o.blind};
    const std::vector<pcs::KzgOpeningWitness> items{{&com, &bl, o.values, std::vector<Fr>(o.point.begin(), o.point.end()),
                                                     pcs::ProverClaim{o.v, o.t, o.claim}}};
    pcs::prove_batch(srs(), items, tr, random).serialize(w);
  }
};

constexpr std::string_view kDomain = "cp-test";
constexpr std::string_view kLabelClaim = "cp-test.claim";

// ---- the statement ----

struct Public {
  Comp comp = Comp::product(3);  // factor 0 is eq(rho, x), once in every term
  std::vector<Fr> rho;
  size_t num_vars() const { return rho.size(); }
};
struct Statement {
  Public pub;
  std::vector<std::vector<Fr>> tables;  // tables[0] empty (eq); the others 2^n entries
  Fr claim;
};

Fr brute_sum(const Statement& st) {
  const auto eq = poly::eq_table<Fr>(st.pub.rho);
  std::vector<Fr> vals(st.tables.size());
  Fr s = Fr::zero();
  for (size_t x = 0; x < eq.size(); ++x) {
    vals[0] = eq[x];
    for (size_t j = 1; j < vals.size(); ++j) vals[j] = st.tables[j][x];
    s += st.pub.comp.evaluate(vals);
  }
  return s;
}

Statement make_statement(const Comp& comp, size_t n, const RandomFr& random, bool small, uint64_t salt = 0) {
  Statement st{{comp, {}}, {}, Fr::zero()};
  for (size_t i = 0; i < n; ++i) st.pub.rho.push_back(Fr::from_u64(1000 + 17 * i));  // public, fixed
  st.tables.resize(comp.num_factors());
  for (size_t j = 1; j < comp.num_factors(); ++j)
    for (size_t x = 0; x < (size_t{1} << n); ++x)
      st.tables[j].push_back(small ? Fr::from_i64(static_cast<int64_t>((x * 7 + j * 3 + salt) % 19) - 9) : random());
  st.claim = brute_sum(st);
  return st;
}

struct Case {
  std::string name;
  Comp comp;
  size_t products;  // hidden products the verifier's final check makes
};

std::vector<Case> cases() {
  using T = sumcheck::Term<Fr>;
  return {
      {"eq f1 f2", Comp::product(3), 1},
      {"eq f1 f2 f3", Comp::product(4), 2},
      {"mixed",
       Comp(3, {T{Fr::from_u64(2), {0, 1, 2}}, T{-Fr::from_u64(3), {0, 2}}, T{Fr::from_u64(5), {0}},
                T{Fr::one(), {0, 1, 1}}}),
       1},
      {"linear", Comp(3, {T{Fr::from_u64(4), {0, 1}}, T{Fr::one(), {0, 2}}}), 0},
  };
}

Element element(std::span<const uint8_t> bytes, size_t at) {
  Element e;
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), 32, e.begin());
  return e;
}
bool contains(std::span<const uint8_t> hay, const Element& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// ---- the verifier's code (run by the verifier and by the prover's replay) ----

// Reads the factor commitments, the claim and the sumcheck; returns the subclaim.
Verdict check_body(const Public& pub, ByteReader& r, transcript::Transcript& tr, std::vector<pcs::HyraxCommitment>& coms,
                   sumcheck::Subclaim<Fr>& sub) {
  coms.clear();
  for (size_t j = 1; j < pub.comp.num_factors(); ++j) {
    coms.push_back(pcs::HyraxCommitment::deserialize(r));
    if (coms.back().layout.num_vars != pub.num_vars()) r.fail("commitment layout");
    coms.back().absorb_into(tr);
  }
  const Val claim = cp::read(r);
  tr.absorb(kLabelClaim, claim);
  const auto proof = SumcheckProof::deserialize(r, pub.num_vars(), pub.comp.degree() - 1, pub.comp.num_factors());
  return sumcheck::verify_with_eq<Fr>(pub.comp, pub.rho, claim, proof, tr, &sub);
}

// defer: the end section's group checks are deferred (a DeferredChecks collector, zk/cp_defer.h) and
// evaluated here in one IpaBatch, as the whole-model verifier does in the Hyrax batch opening.
Verdict verify_bytes(const Public& pub, std::span<const uint8_t> bytes, bool zk, bool defer = false) {
  std::optional<Context> ctx;
  if (zk && g_kzg) {
    ctx.emplace(params(), srs(), kLogFirstChunk);
  } else if (zk) {
    ctx.emplace(params(), kLogRow);
  }
  std::optional<DeferredChecks> deferred;
  if (defer) deferred.emplace();
  const ProofSession session{zk ? &*ctx : nullptr};
  transcript::Transcript tr(kDomain);
  tr.set_session(&session);
  ByteReader r(bytes);
  r.set_session(&session);
  try {
    if (zk) ctx->read_rows(r);
    std::vector<pcs::HyraxCommitment> coms;
    sumcheck::Subclaim<Fr> sub;
    if (Verdict v = check_body(pub, r, tr, coms, sub); !v) return v;
    std::vector<pcs::OpeningClaim> open;
    for (size_t j = 1; j < pub.comp.num_factors(); ++j) {
      const Val& f = sub.final_evals[j];
      open.push_back({&coms[j - 1], sub.point, zk ? ctx->bind_claim(f, r, tr) : pcs::EvalClaim::plain(f.value())});
    }
    if (zk) {
      if (Verdict v = ctx->verify_finish(tr, r, deferred ? &*deferred : nullptr); !v) return v;
      if (ctx->has_pad_opening() && !g_kzg) open.push_back(ctx->pad_opening_claim());
    }
    const auto batch = pcs::HyraxBatchProof::deserialize(r);
    if (zk && g_kzg) {
      EXPECT_TRUE(ctx->has_pad_opening());
      pcs::MsmTerms extra;
      if (defer) {
        EXPECT_TRUE(deferred->checks().size() == 5 || deferred->checks().size() == 2) << deferred->checks().size();
        const auto g = params().g();
        for (const auto& c : deferred->take()) {
          for (size_t k = 0; k < c.gen_scalars.size(); ++k) extra.add(g[k], c.gen_scalars[k]);
          for (size_t k = 0; k < c.rest.points.size(); ++k) extra.add(c.rest.points[k], c.rest.scalars[k]);
        }
      }
      if (Verdict v = KzgPadBatch::verify(*ctx, r, tr, defer ? &extra : nullptr); !v) {
        if (defer)
          if (const std::string why = deferred->failing(params()); !why.empty())
            return Verdict::reject("zero-knowledge checks: " + why);
        return v;
      }
    }
    r.expect_end();
    if (Verdict v = pcs::verify_batch(params(), open, batch, tr); !v) return v;
    if (defer && !(zk && g_kzg)) {
      // The end section's five group equations (a proof of product, a proof of dot product;
      // two without hidden products.)
      if (zk)
        EXPECT_TRUE(deferred->checks().size() == 5 || deferred->checks().size() == 2) << deferred->checks().size();
      else
        EXPECT_TRUE(deferred->checks().empty());
      EXPECT_EQ(deferred->settled(), !zk);
      pcs::IpaBatch ib(params().g());
      for (const auto& c : deferred->take()) ib.add(Fr::one(), c.gen_scalars, c.rest);
      EXPECT_TRUE(deferred->settled());
      if (!ib.holds()) {
        const std::string why = deferred->failing(params());
        EXPECT_FALSE(why.empty()) << "the batch fails but no deferred check alone does";
        return Verdict::reject("zero-knowledge checks: " + why);
      }
      EXPECT_TRUE(deferred->failing(params()).empty());
    }
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("decoding: ") + e.what());
  }
}

struct Options {
  Fr claim_delta = Fr::zero();                // the claim sent is the true sum plus this
  std::optional<std::pair<size_t, Fr>> forge;  // a product's value replaced (cheating prover)
  bool forge_fits = false;                     // forge product 0 with the value the final check needs
};

struct ProverInfo {
  std::vector<Fr> point;
  std::vector<Fr> sent;  // every message's value, in order
  size_t products = 0, equalities = 0, false_equalities = 0, messages = 0, rows = 0;
  std::vector<pcs::ProverClaim> claims;
};

// random: pads and blinds (zero knowledge), or nullptr (plain).
std::vector<uint8_t> prove_bytes(const Statement& st, const RandomFr& blinds, const RandomFr* random, const Options& o = {},
                                 ProverInfo* info = nullptr) {
  std::optional<Context> ctx;
  if (random) {
    if (g_kzg) {
      ctx.emplace(params(), srs(), kLogFirstChunk, *random);
    } else {
      ctx.emplace(params(), kLogRow, *random);
    }
    ctx->set_relations(false);
  }
  const ProofSession session{random ? &*ctx : nullptr};
  transcript::Transcript tr(kDomain);
  tr.set_session(&session);
  if (ctx) tr.start_recording();
  ByteWriter w;
  std::vector<pcs::HyraxCommitted> coms;
  for (size_t j = 1; j < st.tables.size(); ++j) {
    std::vector<Fr> bl(pcs::layout_for(st.tables[j].size(), pcs::default_log_cols(st.pub.num_vars())).num_rows());
    for (Fr& b : bl) b = random ? (*random)() : Fr::zero();
    auto c = pcs::commit_with_blinds(params(), st.tables[j], pcs::default_log_cols(st.pub.num_vars()), bl);
    c.serialize(w);
    c.absorb_into(tr);
    coms.push_back({std::move(c), {std::move(bl)}});
  }
  const Val claim = cp::send(tr, st.claim + o.claim_delta);
  tr.absorb(kLabelClaim, claim);
  cp::write(w, claim);
  const auto res = sumcheck::prove_with_eq<Fr>(st.pub.comp, st.pub.rho, st.tables, tr);
  res.proof.serialize(w);
  std::vector<pcs::ProverClaim> claims;
  if (ctx) {
    auto replay = transcript::Transcript::replay(tr.take_recording());
    replay.set_session(&session);
    ctx->set_relations(true);
    ByteReader r(w.data());
    r.set_session(&session);
    std::vector<pcs::HyraxCommitment> vcoms;
    sumcheck::Subclaim<Fr> sub;
    const Verdict v = check_body(st.pub, r, replay, vcoms, sub);
    EXPECT_TRUE(v) << v.reason();
    EXPECT_TRUE(replay.replay_done());
    EXPECT_EQ(r.remaining(), 0u);
    for (size_t j = 1; j < st.tables.size(); ++j) claims.push_back(ctx->bind_claim(sub.final_evals[j], w, tr));
    if (o.forge) ctx->testing_forge_product(o.forge->first, o.forge->second);
    if (o.forge_fits) {
      // The sumcheck's final check, recorded as D = e_n - (terms with product 0's atom, coefficient
      // c) - ..., is false for a false claim; product 0 gets the value that makes D zero.
      bool forged = false;
      for (const Val& d : ctx->equalities()) {
        if (d.value().is_zero()) continue;
        for (const LinTerm& t : d.terms())
          if (t.atom == atom_id(kProdKind, 0) && !forged) {
            ctx->testing_forge_product(0, ctx->product_value(0) - d.value() * t.coeff.inverse());
            forged = true;
          }
      }
      EXPECT_TRUE(forged);
    }
    ctx->prove_finish(tr, w);
  } else {
    for (size_t j = 1; j < st.tables.size(); ++j) claims.push_back(pcs::ProverClaim::plain(res.proof.final_evals[j].value()));
  }
  std::vector<pcs::OpeningWitness> open;
  for (size_t j = 1; j < st.tables.size(); ++j)
    open.push_back({&coms[j - 1].commitment, &coms[j - 1].blinds, st.tables[j], res.point, claims[j - 1]});
  if (ctx && ctx->has_pad_opening() && !g_kzg) open.push_back(ctx->pad_opening_witness());
  // (kzg pads: the Hyrax batch's bytes first, then the kzg batch's; the transcript takes the
  // Hyrax batch after the kzg one, as the verifier reads them: the verifier decodes the Hyrax batch,
  // checks the kzg one, then the Hyrax one.)
  ByteWriter hyrax_batch;
  std::vector<uint8_t> kzg_batch;
  if (ctx && g_kzg) {
    ByteWriter kw;
    KzgPadBatch::prove(*ctx, kw, tr, blinds);
    kzg_batch = kw.take();
  }
  pcs::prove_batch(params(), open, tr, blinds).serialize(hyrax_batch);
  w.bytes(hyrax_batch.data());
  w.bytes(kzg_batch);
  if (info) {
    info->point = res.point;
    info->sent = {claim.value()};
    for (const auto& m : res.proof.rounds)
      for (const auto& e : m.evals) info->sent.push_back(e.value());
    for (const auto& e : res.proof.final_evals) info->sent.push_back(e.value());
    info->claims = claims;
    if (ctx) {
      info->products = ctx->num_products();
      info->equalities = ctx->num_equalities();
      info->false_equalities = ctx->num_false_equalities();
      info->messages = ctx->num_messages();
    }
  }
  if (!ctx) return w.take();
  std::vector<uint8_t> out = ctx->rows_block();
  if (info) info->rows = (out.size() - 4) / 32;
  out.insert(out.end(), w.data().begin(), w.data().end());
  return out;
}

// ---- soundness ----

TEST(CpPads, HonestProofsVerifyAndClaimsOpenToTheFactors) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {1u, 3u, 5u}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      const Statement st = make_statement(c.comp, n, random, false);
      ProverInfo info;
      const auto zk = prove_bytes(st, random, &random, {}, &info);
      const Verdict v = verify_bytes(st.pub, zk, true);
      EXPECT_TRUE(v) << v.reason();
      EXPECT_EQ(info.products, c.products);
      EXPECT_EQ(info.false_equalities, 0u);
      EXPECT_GE(info.rows, 1u);
      // The rows hold every message: 1 claim + rounds + finals + products + the product sumcheck.
      EXPECT_EQ(info.rows, (info.messages + (size_t{1} << kLogRow) - 1) >> kLogRow);
      for (size_t j = 1; j < st.tables.size(); ++j) {
        const Fr truth = poly::evaluate_mle<Fr>(st.tables[j], info.point);
        EXPECT_EQ(info.claims[j - 1].value, truth);
        ASSERT_TRUE(info.claims[j - 1].commitment.has_value());
        EXPECT_EQ(*info.claims[j - 1].commitment, pcs::commit_value(params(), truth, info.claims[j - 1].blind));
      }
      const auto plain = prove_bytes(st, random, nullptr);
      const Verdict vp = verify_bytes(st.pub, plain, false);
      EXPECT_TRUE(vp) << vp.reason();
      EXPECT_FALSE(verify_bytes(st.pub, zk, false));
      EXPECT_FALSE(verify_bytes(st.pub, plain, true));
    }
  }
}

TEST(CpPads, FalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 3, random, false);
    ProverInfo info;
    const auto bytes = prove_bytes(st, random, &random, {Fr::one(), std::nullopt, false}, &info);
    EXPECT_GT(info.false_equalities, 0u);
    for (const bool defer : {false, true}) {
      const Verdict v = verify_bytes(st.pub, bytes, true, defer);
      EXPECT_FALSE(v);
      EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
    }
    EXPECT_FALSE(verify_bytes(st.pub, prove_bytes(st, random, nullptr, {Fr::one(), std::nullopt, false}), false));
  }
}

// A cheating prover sends, for product 0, the value that makes the sumcheck's final check hold for
// a false claim: every recorded equality then holds, and only the product relation is false.
TEST(CpPads, ForgedProductIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : {cases()[0], cases()[2]}) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 3, random, false);
    // Control: forging product 0 with its true value changes nothing.
    const auto honest = prove_bytes(st, random, &random, {});
    EXPECT_TRUE(verify_bytes(st.pub, honest, true));
    EXPECT_TRUE(verify_bytes(st.pub, honest, true, true));
    Options o;
    o.claim_delta = Fr::from_u64(5);
    o.forge_fits = true;
    ProverInfo info;
    const auto bytes = prove_bytes(st, random, &random, o, &info);
    Options o2;
    o2.forge = std::make_pair(size_t{0}, Fr::from_u64(12345));
    const auto forged = prove_bytes(st, random, &random, o2);
    for (const bool defer : {false, true}) {
      SCOPED_TRACE(defer ? "deferred group checks" : "group checks in the end section");
      const Verdict v = verify_bytes(st.pub, bytes, true, defer);
      EXPECT_FALSE(v);
      EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
      // A forged product with an honest claim is rejected too.
      EXPECT_FALSE(verify_bytes(st.pub, forged, true, defer));
    }
  }
}

TEST(CpPads, EveryChangedElementIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const RandomFr random = pcs::random_fr(rng);
  const Statement st = make_statement(cases()[0].comp, 3, random, false);
  const auto bytes = prove_bytes(st, random, &random);
  ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
  ASSERT_TRUE(verify_bytes(st.pub, bytes, true, true));
  size_t checked = 0;
  for (size_t at = 0; at < bytes.size(); at += 8) {  // a byte in every 8: every 32-byte element, 4 times
    auto bad = bytes;
    bad[at] ^= 0x01;
    EXPECT_FALSE(verify_bytes(st.pub, bad, true)) << "byte " << at << " of " << bytes.size();
    EXPECT_FALSE(verify_bytes(st.pub, bad, true, true)) << "deferred, byte " << at << " of " << bytes.size();
    ++checked;
  }
  EXPECT_GT(checked, bytes.size() / 8 - 1);
  auto shorter = bytes;
  shorter.pop_back();
  EXPECT_FALSE(verify_bytes(st.pub, shorter, true));
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(verify_bytes(st.pub, longer, true));
  // One pad row fewer (the count and the rows shifted) or a row repeated.
  std::vector<uint8_t> fewer(bytes.begin(), bytes.end());
  fewer[0] -= 1;
  fewer.erase(fewer.begin() + 4, fewer.begin() + 36);
  EXPECT_FALSE(verify_bytes(st.pub, fewer, true));
  std::vector<uint8_t> more(bytes.begin(), bytes.end());
  more[0] += 1;
  more.insert(more.begin() + 4, bytes.begin() + 4, bytes.begin() + 36);
  EXPECT_FALSE(verify_bytes(st.pub, more, true));
}

// ---- plain mode ----

TEST(CpPlain, MessagesAreThePlainValues) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  const RandomFr random = pcs::random_fr(rng);
  const Statement st = make_statement(cases()[1].comp, 3, random, true);
  ProverInfo info;
  const auto plain = prove_bytes(st, random, nullptr, {}, &info);
  for (const Fr& x : info.sent) EXPECT_TRUE(contains(plain, x.to_bytes()));
  EXPECT_EQ(info.sent.front(), st.claim);
}

// ---- zero knowledge ----

TEST(CpZeroKnowledge, TwoProofsShareNoElement) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  const RandomFr random = pcs::random_fr(rng);
  const Statement st = make_statement(cases()[1].comp, 3, random, true);
  const auto p1 = prove_bytes(st, random, &random), p2 = prove_bytes(st, random, &random);
  ASSERT_EQ(p1.size(), p2.size());
  EXPECT_TRUE(verify_bytes(st.pub, p1, true));
  EXPECT_TRUE(verify_bytes(st.pub, p2, true));
  // The first 4 bytes are the row count; the factor commitments' layouts are public (8 bytes each).
  std::map<Element, int> seen;
  for (size_t at = 4; at + 32 <= p1.size(); at += 32) ++seen[element(p1, at)];
  size_t shared = 0;
  for (size_t at = 4; at + 32 <= p2.size(); at += 32) shared += seen.count(element(p2, at));
  EXPECT_EQ(shared, 0u);
}

TEST(CpZeroKnowledge, NoWitnessValueInProofBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 8);
  const RandomFr random = pcs::random_fr(rng);
  for (bool small : {true, false}) {
    for (const Case& c : cases()) {
      SCOPED_TRACE(c.name + (small ? " small" : " random"));
      const Statement st = make_statement(c.comp, 3, random, small);
      ProverInfo info;
      const auto bytes = prove_bytes(st, random, &random, {}, &info);
      ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
      std::vector<Fr> secrets{st.claim};
      for (size_t j = 1; j < st.tables.size(); ++j) secrets.insert(secrets.end(), st.tables[j].begin(), st.tables[j].end());
      for (const Fr& x : info.sent) secrets.push_back(x);
      for (const Fr& s : secrets) EXPECT_FALSE(contains(bytes, s.to_bytes()));
      ProverInfo plain_info;
      const auto plain = prove_bytes(st, random, nullptr, {}, &plain_info);
      for (const Fr& x : plain_info.sent) EXPECT_TRUE(contains(plain, x.to_bytes()));
    }
  }
}

// Proofs for two different witnesses of the same shape are distributed alike: every pad and blind
// is uniform and used once, the sigma protocols' and the Hyrax opening's responses are masked by
// fresh randomness and their first messages are then fixed by the verification equations, so a
// simulator that draws every scalar and point uniformly produces the same distribution whatever
// the witness. Two-sample chi-square per byte position (low nibble, 16 bins) between many proofs
// of witness a and of witness b (layout words are equal in both and contribute nothing). Negative
// control: with zero pads and blinds the message positions carry the witness and the test tells
// the witnesses apart at once.
constexpr size_t kRuns = 300;
constexpr size_t kBins = 16;
constexpr double kThreshold = 70.0;  // chi-square, 15 degrees of freedom: p ~ 1e-8 per position

std::vector<std::vector<uint8_t>> many_proofs(const Statement& st, const RandomFr& random, const RandomFr& pads, size_t runs) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < runs; ++i) out.push_back(prove_bytes(st, random, &pads));
  return out;
}

double worst_two_sample_chi_square(const std::vector<std::vector<uint8_t>>& a, const std::vector<std::vector<uint8_t>>& b) {
  double worst = 0;
  const size_t len = a[0].size();
  for (size_t at = 0; at < len; ++at) {
    std::array<double, kBins> ca{}, cb{};
    for (const auto& p : a) ++ca[p[at] & 0x0f];
    for (const auto& p : b) ++cb[p[at] & 0x0f];
    double chi = 0;
    for (size_t i = 0; i < kBins; ++i)
      if (ca[i] + cb[i] > 0) chi += (ca[i] - cb[i]) * (ca[i] - cb[i]) / (ca[i] + cb[i]);
    worst = std::max(worst, chi);
  }
  return worst;
}

TEST(CpZeroKnowledge, ProofsForTwoWitnessesAreDistributedAlike) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 9);
  const RandomFr random = pcs::random_fr(rng);
  const Statement a = make_statement(cases()[0].comp, 2, random, true, 0);
  const Statement b = make_statement(cases()[0].comp, 2, random, true, 5);
  ASSERT_NE(a.claim, b.claim);
  const auto pa = many_proofs(a, random, random, kRuns), pb = many_proofs(b, random, random, kRuns);
  ASSERT_EQ(pa[0].size(), pb[0].size());
  EXPECT_LT(worst_two_sample_chi_square(pa, pb), kThreshold);
  // Negative control: no pads, no blinds.
  const RandomFr zero = [] { return Fr::zero(); };
  const auto za = many_proofs(a, zero, zero, 40), zb = many_proofs(b, zero, zero, 40);
  EXPECT_GT(worst_two_sample_chi_square(za, zb), kThreshold);
}

// ---- kzg pads (key version 8) ----

// The chunks n messages use with the first chunk of 2^kLogFirstChunk, each chunk twice the last up
// to the SRS's 2^max_vars: the least K whose lengths sum to n or more.
size_t expected_chunks(size_t n, size_t max_vars) {
  size_t k = 0, have = 0;
  while (have < n) have += size_t{1} << std::min(kLogFirstChunk + k++, max_vars);
  return k;
}

TEST(CpKzgPads, HonestProofsVerifyAndClaimsOpenToTheFactors) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 20);
  const RandomFr random = pcs::random_fr(rng);
  for (const pcs::KzgParams* srs_p : {&kzg_params(), &small_kzg_params()}) {
  const KzgPads kzg(srs_p);
  SCOPED_TRACE("SRS of 2^" + std::to_string(srs_p->max_vars()) + " powers");
  size_t most_chunks = 0;
  for (const Case& c : cases()) {
    for (size_t n : {1u, 3u, 5u}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      const Statement st = make_statement(c.comp, n, random, false);
      ProverInfo info;
      const auto zk = prove_bytes(st, random, &random, {}, &info);
      const Verdict v = verify_bytes(st.pub, zk, true);
      EXPECT_TRUE(v) << v.reason();
      EXPECT_EQ(info.products, c.products);
      EXPECT_EQ(info.false_equalities, 0u);
      EXPECT_EQ(info.rows, expected_chunks(info.messages, srs_p->max_vars())) << info.messages << " messages";
      most_chunks = std::max(most_chunks, info.rows);
      for (size_t j = 1; j < st.tables.size(); ++j) {
        const Fr truth = poly::evaluate_mle<Fr>(st.tables[j], info.point);
        EXPECT_EQ(info.claims[j - 1].value, truth);
      }
      // The same bytes are not a proof with Hyrax pad rows, nor a plain proof.
      g_kzg = false;
      EXPECT_FALSE(verify_bytes(st.pub, zk, true));
      g_kzg = true;
      EXPECT_FALSE(verify_bytes(st.pub, zk, false));
      // Nor with the other SRS (other chunk lengths, other powers).
      g_srs = srs_p == &kzg_params() ? &small_kzg_params() : &kzg_params();
      EXPECT_FALSE(verify_bytes(st.pub, zk, true));
      g_srs = srs_p;
    }
  }
  // The tests cover several chunks: 4, 8, 16 pads; with 2^3 powers 4, 8, 8, 8, .. (past the cap).
  EXPECT_GE(most_chunks, srs_p == &kzg_params() ? 3u : 4u);
  }
}

TEST(CpKzgPads, FalseClaimAndForgedProductAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 21);
  const RandomFr random = pcs::random_fr(rng);
  const KzgPads kzg;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 3, random, false);
    ProverInfo info;
    const auto bytes = prove_bytes(st, random, &random, {Fr::one(), std::nullopt, false}, &info);
    EXPECT_GT(info.false_equalities, 0u);
    for (const bool defer : {false, true}) {
      const Verdict v = verify_bytes(st.pub, bytes, true, defer);
      EXPECT_FALSE(v);
      EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
    }
  }
  for (const Case& c : {cases()[0], cases()[2]}) {
    SCOPED_TRACE(c.name + " forged product");
    const Statement st = make_statement(c.comp, 3, random, false);
    const auto honest = prove_bytes(st, random, &random, {});
    EXPECT_TRUE(verify_bytes(st.pub, honest, true));
    EXPECT_TRUE(verify_bytes(st.pub, honest, true, true));
    Options o;
    o.claim_delta = Fr::from_u64(5);
    o.forge_fits = true;
    const auto bytes = prove_bytes(st, random, &random, o);
    Options o2;
    o2.forge = std::make_pair(size_t{0}, Fr::from_u64(12345));
    const auto forged = prove_bytes(st, random, &random, o2);
    for (const bool defer : {false, true}) {
      // Deferred: the group checks decided in the kzg batch's MSM and pairing (pcs/kzg.h).
      SCOPED_TRACE(defer ? "deferred group checks" : "group checks in the end section");
      const Verdict v = verify_bytes(st.pub, bytes, true, defer);
      EXPECT_FALSE(v);
      EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
      EXPECT_FALSE(verify_bytes(st.pub, forged, true, defer));
    }
  }
}

TEST(CpKzgPads, EveryChangedElementIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 22);
  const RandomFr random = pcs::random_fr(rng);
  const KzgPads kzg;
  const Statement st = make_statement(cases()[1].comp, 3, random, false);
  ProverInfo info;
  const auto bytes = prove_bytes(st, random, &random, {}, &info);
  ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
  ASSERT_GE(info.rows, 3u);
  size_t checked = 0;
  std::map<std::string, size_t> reasons;
  for (size_t at = 0; at < bytes.size(); at += 8) {
    auto bad = bytes;
    bad[at] ^= 0x01;
    const Verdict v = verify_bytes(st.pub, bad, true);
    EXPECT_FALSE(v) << "byte " << at << " of " << bytes.size();
    EXPECT_FALSE(v.reason().empty());
    const Verdict vd = verify_bytes(st.pub, bad, true, true);
    EXPECT_FALSE(vd) << "deferred, byte " << at << " of " << bytes.size();
    EXPECT_FALSE(vd.reason().empty());
    ++checked;
  }
  EXPECT_GT(checked, bytes.size() / 8 - 1);
  // Each chunk commitment, the kzg opening's bytes (the last ones): rejected with a reason naming
  // what failed.
  for (size_t k = 0; k < info.rows; ++k) {
    auto bad = bytes;
    bad[4 + 32 * k + 5] ^= 0x02;
    EXPECT_FALSE(verify_bytes(st.pub, bad, true)) << "chunk " << k;
  }
  {
    auto bad = bytes;
    bad[bytes.size() - 40] ^= 0x02;  // the kzg batch's witness / last group scalars
    const Verdict v = verify_bytes(st.pub, bad, true);
    EXPECT_FALSE(v);
  }
  auto shorter = bytes;
  shorter.pop_back();
  EXPECT_FALSE(verify_bytes(st.pub, shorter, true));
  // One chunk fewer or one repeated.
  std::vector<uint8_t> fewer(bytes.begin(), bytes.end());
  fewer[0] -= 1;
  fewer.erase(fewer.begin() + 4, fewer.begin() + 36);
  EXPECT_FALSE(verify_bytes(st.pub, fewer, true));
  std::vector<uint8_t> more(bytes.begin(), bytes.end());
  more[0] += 1;
  more.insert(more.begin() + 4, bytes.begin() + 4, bytes.begin() + 36);
  EXPECT_FALSE(verify_bytes(st.pub, more, true));
  // The last chunk swapped with the first: every pad is read from its own chunk.
  std::vector<uint8_t> swapped(bytes.begin(), bytes.end());
  const size_t last = 4 + 32 * (info.rows - 1);
  std::swap_ranges(swapped.begin() + 4, swapped.begin() + 36, swapped.begin() + static_cast<std::ptrdiff_t>(last));
  EXPECT_FALSE(verify_bytes(st.pub, swapped, true));
}

TEST(CpKzgPads, NoWitnessValueInProofBytesAndTwoProofsShareNoElement) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 23);
  const RandomFr random = pcs::random_fr(rng);
  const KzgPads kzg;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 3, random, true);
    ProverInfo info;
    const auto bytes = prove_bytes(st, random, &random, {}, &info);
    ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
    std::vector<Fr> secrets{st.claim};
    for (size_t j = 1; j < st.tables.size(); ++j) secrets.insert(secrets.end(), st.tables[j].begin(), st.tables[j].end());
    for (const Fr& x : info.sent) secrets.push_back(x);
    for (const Fr& s : secrets) EXPECT_FALSE(contains(bytes, s.to_bytes()));
    const auto again = prove_bytes(st, random, &random);
    ASSERT_EQ(again.size(), bytes.size());
    std::map<Element, int> seen;
    for (size_t at = 4; at + 32 <= bytes.size(); at += 32) ++seen[element(bytes, at)];
    size_t shared = 0;
    for (size_t at = 4; at + 32 <= again.size(); at += 32) shared += seen.count(element(again, at));
    EXPECT_EQ(shared, 0u);
  }
}

// As CpZeroKnowledge.ProofsForTwoWitnessesAreDistributedAlike, with kzg pads (fewer runs).
TEST(CpKzgPads, ProofsForTwoWitnessesAreDistributedAlike) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 24);
  const RandomFr random = pcs::random_fr(rng);
  const KzgPads kzg;
  const Statement a = make_statement(cases()[0].comp, 2, random, true, 0);
  const Statement b = make_statement(cases()[0].comp, 2, random, true, 5);
  ASSERT_NE(a.claim, b.claim);
  const auto pa = many_proofs(a, random, random, 200), pb = many_proofs(b, random, random, 200);
  ASSERT_EQ(pa[0].size(), pb[0].size());
  EXPECT_LT(worst_two_sample_chi_square(pa, pb), kThreshold);
  const RandomFr zero = [] { return Fr::zero(); };
  const auto za = many_proofs(a, zero, zero, 40), zb = many_proofs(b, zero, zero, 40);
  EXPECT_GT(worst_two_sample_chi_square(za, zb), kThreshold);
}

// No ambient mode (zk/session.h): a message is hidden exactly when the transcript it is sent with
// names a context, and a hidden value's products and equalities go to its own context, with two
// contexts alive on one thread.
TEST(CpSession, ModeComesFromTheTranscriptAndValuesKeepTheirContext) {
  TestRng rng(test_seed());
  Context a(params(), kLogRow, pcs::random_fr(rng)), b(params(), kLogRow, pcs::random_fr(rng));
  const ProofSession sa{&a}, sb{&b};
  transcript::Transcript ta(kDomain), tb(kDomain), plain(kDomain);
  ta.set_session(&sa);
  tb.set_session(&sb);
  const Val x = cp::send(ta, Fr::from_u64(3)), y = cp::send(tb, Fr::from_u64(5)), z = cp::send(plain, Fr::from_u64(7));
  EXPECT_FALSE(x.is_public());
  EXPECT_FALSE(y.is_public());
  EXPECT_TRUE(z.is_public());
  EXPECT_EQ(x.context(), &a);
  EXPECT_EQ(y.context(), &b);
  EXPECT_EQ(z.context(), nullptr);
  const Val p = x * x + z;  // a product recorded in a; a public term
  EXPECT_EQ(p.context(), &a);
  EXPECT_EQ(p.value(), Fr::from_u64(16));
  EXPECT_EQ(a.num_products(), 1u);
  EXPECT_EQ(b.num_products(), 0u);
  EXPECT_TRUE(y == Val(Fr::from_u64(6)));  // recorded in b (a false equality: the end section fails)
  EXPECT_EQ(b.num_equalities(), 1u);
  EXPECT_EQ(b.num_false_equalities(), 1u);
  EXPECT_EQ(a.num_equalities(), 0u);
  EXPECT_TRUE(z == Val(Fr::from_u64(7)));   // public: decided, recorded nowhere
  EXPECT_FALSE(z == Val(Fr::from_u64(8)));
  EXPECT_EQ(a.num_equalities() + b.num_equalities(), 1u);
  // A reader without a session reads plain values; with one, the context's messages.
  ByteWriter w;
  w.bytes(Fr::from_u64(9).to_bytes());
  ByteReader r0(w.data());
  EXPECT_TRUE(cp::read(r0).is_public());
  Context v(params(), kLogRow);
  const ProofSession sv{&v};
  ByteReader r1(w.data());
  r1.set_session(&sv);
  const Val m = cp::read(r1);
  EXPECT_FALSE(m.is_public());
  EXPECT_EQ(m.context(), &v);
}

}  // namespace
}  // namespace zkinfer::cp
