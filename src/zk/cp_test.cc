// Tests of commit-and-prove values (zk/cp.h) on the statement sum_x eq(rho, x) h(f_1(x), ...) =
// claim, proved by sumcheck::prove_with_eq and checked by sumcheck::verify_with_eq, with the
// claim sent as a message first. Zero-knowledge proofs are made as model_proof.cc makes them: a
// first pass sends commitments (relations off) while recording the challenges, the verifier's code
// replayed on the prover's own bytes gives every derived value its blind and records the products
// and equalities, and prove_finish writes the end section. Checked:
//   - honest proofs verify, with the final commitments opening to the factors' MLEs at the point,
//     and the expected numbers of products and equalities; Val arithmetic and commitment_of agree
//     between prover and verifier;
//   - a false claim, every 32-byte element of the proof changed (a bit flip, or a valid point or
//     scalar replaced by another), a product commitment, the equality proof's response and the
//     opening proof changed, truncation and trailing bytes: all rejected;
//   - the end section written here from cp.h's description (not by prove_finish) verifies, and a
//     prover with a false claim whose product commitment is what the final check needs (every
//     other proof honest) is rejected by the proof of product (the delta equation, or the link to
//     X when it proves the factor that fits the product);
//   - plain mode (no context): the proof is exactly the brute-force values, and the relations are
//     decided directly (rejections name the sumcheck's check);
//   - zero knowledge: two proofs of one statement share no element; no witness value (table entry,
//     claim, round value, final value, small integers included) occurs in the proof bytes, while
//     it does in the plain proof; the proof is distributed like the output of a simulator that
//     never sees the witness (per-position chi-square on byte features, as simulator_test.cc, plus
//     four features only a distinguisher knowing the witness computes: the product's masks b1,
//     b3 H and b2 H, and the opening proof's mask), and the simulator's end sections satisfy the end-section
//     equations of cp.h for the challenges it drew itself (checked here one by one, independently
//     of verify_finish; real proofs satisfy them for their Fiat-Shamir challenges). Negative
//     control: real proofs made with all blinds and masks zero are told apart at once.
#include "zk/cp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/random.h"
#include "pcs/ipa.h"
#include "poly/mle.h"
#include "poly/univariate.h"
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

const pcs::HyraxParams& params() {
  static const pcs::HyraxParams p(1);  // cp uses U and H only
  return p;
}

constexpr std::string_view kDomain = "cp-test";
constexpr std::string_view kLabelClaim = "cp-test.claim";

// ---- the statement ----

// What the verifier knows: the composition (factor 0 is eq(rho, x), once in every term) and rho.
struct Public {
  Comp comp = Comp::product(3);
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

// Random rho; table entries random, or small integers (as quantized tensors are).
Statement make_statement(const Comp& comp, size_t n, const RandomFr& random, bool small = false) {
  Statement st{{comp, {}}, {}, Fr::zero()};
  for (size_t i = 0; i < n; ++i) st.pub.rho.push_back(random());
  st.tables.resize(comp.num_factors());
  for (size_t j = 1; j < comp.num_factors(); ++j)
    for (size_t x = 0; x < (size_t{1} << n); ++x)
      st.tables[j].push_back(small ? Fr::from_i64(static_cast<int64_t>((x * 7 + j * 3) % 19) - 9) : random());
  st.claim = brute_sum(st);
  return st;
}

struct Case {
  std::string name;
  Comp comp;
  size_t products;  // committed products the verifier's final check makes
};

std::vector<Case> cases() {
  using T = sumcheck::Term<Fr>;
  return {
      {"eq f1 f2", Comp::product(3), 1},
      {"eq f1 f2 f3", Comp::product(4), 2},
      {"mixed",
       Comp(3, {T{Fr::from_u64(2), {0, 1, 2}}, T{-Fr::from_u64(3), {0, 2}}, T{Fr::from_u64(5), {0}},
                T{Fr::one(), {0, 1, 1}}}),
       1},  // the two-committed-factor terms grouped by their shared factor f1: f1 (2 eq f2 + eq f1)
      {"linear", Comp(3, {T{Fr::from_u64(4), {0, 1}}, T{Fr::one(), {0, 2}}}), 0},
  };
}

// ---- proof layout: the claim, the sumcheck (rounds, finals), the end section (cp.h) ----

struct Layout {
  size_t messages, products;
  Layout(const Public& p, size_t np)
      : messages(1 + p.num_vars() * (p.comp.degree() - 1) + p.comp.num_factors()), products(np) {}
  size_t end() const { return 32 * messages; }
  size_t product(size_t k) const { return end() + 32 * k; }                    // Z_k
  size_t delta(size_t k) const { return end() + 32 * (products + k); }         // delta_k
  size_t alpha() const { return end() + 32 * 2 * products; }                   // one alpha
  size_t response(size_t i) const { return alpha() + 32 * (1 + i); }           // z1_0, z3_0, z1_1, ..., z2
  size_t num_responses() const { return 2 * products + 1; }
  size_t zero_a() const { return response(num_responses()); }
  size_t zero_z() const { return zero_a() + 32; }
  size_t open_a() const { return zero_a() + 64; }
  size_t open_z(size_t i) const { return zero_a() + 96 + 32 * i; }
  size_t total() const { return zero_a() + 160; }
  // Whether element i (32-byte aligned) is a scalar, in zero-knowledge mode.
  bool is_scalar(size_t i) const {
    const size_t at = 32 * i;
    return (at >= response(0) && at < zero_a()) || at == zero_z() || at >= open_z(0);
  }
};

Element element(std::span<const uint8_t> bytes, size_t at) {
  Element e;
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), 32, e.begin());
  return e;
}
void put(std::vector<uint8_t>& bytes, size_t at, const Element& e) {
  std::copy(e.begin(), e.end(), bytes.begin() + at);
}
G1Affine point_at(std::span<const uint8_t> bytes, size_t at) {
  auto p = G1Affine::from_bytes(bytes.subspan(at, 32));
  EXPECT_TRUE(p.has_value()) << "no point at " << at;
  return p.value_or(G1Affine::identity());
}
Fr scalar_at(std::span<const uint8_t> bytes, size_t at) {
  auto x = Fr::from_bytes(bytes.subspan(at, 32));
  EXPECT_TRUE(x.has_value()) << "no scalar at " << at;
  return x.value_or(Fr::zero());
}
void add_point(std::vector<uint8_t>& bytes, size_t at, const G1& d) {
  put(bytes, at, (G1(point_at(bytes, at)) + d).to_affine().to_bytes());
}
void add_scalar(std::vector<uint8_t>& bytes, size_t at, const Fr& d) {
  put(bytes, at, (scalar_at(bytes, at) + d).to_bytes());
}

bool contains(std::span<const uint8_t> hay, const Element& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// ---- prover and verifier ----

// The verifier's code, run by the verifier and by the prover's replay: the claim, then the sumcheck.
// (The final values of f_1.. are left to the caller, here unchecked: in a whole proof they are
// claims on committed tensors.)
Verdict check_sumcheck(const Public& pub, ByteReader& r, transcript::Transcript& tr,
                       sumcheck::Subclaim<Fr>* sub = nullptr) {
  const Val claim = cp::read(r);
  tr.absorb(kLabelClaim, claim);
  const auto proof = SumcheckProof::deserialize(r, pub.num_vars(), pub.comp.degree() - 1, pub.comp.num_factors());
  return sumcheck::verify_with_eq<Fr>(pub.comp, pub.rho, claim, proof, tr, sub);
}

// Zero knowledge with a verifier Context, else plain.
Verdict verify_bytes(const Public& pub, std::span<const uint8_t> bytes, bool zk, sumcheck::Subclaim<Fr>* sub = nullptr,
                     std::vector<G1>* final_commitments = nullptr) {
  std::optional<Context> ctx;
  if (zk) ctx.emplace(params());
  const Context::Scope scope(zk ? &*ctx : nullptr);
  transcript::Transcript tr(kDomain);
  ByteReader r(bytes);
  try {
    if (Verdict v = check_sumcheck(pub, r, tr, sub); !v) return v;
    if (zk)
      if (Verdict v = ctx->verify_finish(tr, r); !v) return v;
    r.expect_end();
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("decoding: ") + e.what());
  }
  if (final_commitments && sub && ctx)
    for (const Val& x : sub->final_evals) final_commitments->push_back(ctx->commitment_of(x));
  return Verdict::accept();
}

struct ProverInfo {
  std::vector<Fr> point;
  std::vector<Val> sent;  // every message in order (the prover's Vals: value and blind)
  size_t products = 0, equalities = 0, false_equalities = 0;
};

// random: the prover's blinds (zero knowledge), or nullptr (plain). The claim sent is the true sum
// plus claim_delta.
std::vector<uint8_t> prove_bytes(const Statement& st, const RandomFr* random, const Fr& claim_delta = Fr::zero(),
                                 ProverInfo* info = nullptr) {
  std::optional<Context> ctx;
  if (random) {
    ctx.emplace(params(), *random);
    ctx->set_relations(false);
  }
  const Context::Scope scope(random ? &*ctx : nullptr);
  transcript::Transcript tr(kDomain);
  if (ctx) tr.start_recording();
  ByteWriter w;
  const Val claim = cp::send(st.claim + claim_delta);
  cp::write(w, claim);
  tr.absorb(kLabelClaim, claim);
  const auto res = sumcheck::prove_with_eq<Fr>(st.pub.comp, st.pub.rho, st.tables, tr);
  res.proof.serialize(w);
  if (ctx) {
    auto replay = transcript::Transcript::replay(tr.take_recording());
    ctx->set_relations(true);
    ByteReader r(w.data());
    const Verdict v = check_sumcheck(st.pub, r, replay);
    EXPECT_TRUE(v) << v.reason();
    EXPECT_TRUE(replay.replay_done());
    EXPECT_EQ(r.remaining(), 0u);
    ctx->prove_finish(tr, w);
  }
  if (info) {
    info->point = res.point;
    info->sent = {claim};
    for (const auto& m : res.proof.rounds) info->sent.insert(info->sent.end(), m.evals.begin(), m.evals.end());
    info->sent.insert(info->sent.end(), res.proof.final_evals.begin(), res.proof.final_evals.end());
    if (ctx) {
      info->products = ctx->num_products();
      info->equalities = ctx->num_equalities();
      info->false_equalities = ctx->num_false_equalities();
    }
  }
  return w.take();
}

// ---- zero knowledge mode: soundness ----

TEST(CpSumcheck, HonestProofsVerifyAndFinalCommitmentsOpenToTheFactors) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {0u, 1u, 3u}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      const Statement st = make_statement(c.comp, n, random);
      ProverInfo info;
      const auto bytes = prove_bytes(st, &random, Fr::zero(), &info);
      EXPECT_EQ(bytes.size(), Layout(st.pub, c.products).total());
      EXPECT_EQ(info.products, c.products);
      EXPECT_EQ(info.equalities, 2u);  // eq's final value, and the final check
      EXPECT_EQ(info.false_equalities, 0u);
      sumcheck::Subclaim<Fr> sub;
      std::vector<G1> finals;
      const Verdict v = verify_bytes(st.pub, bytes, true, &sub, &finals);
      ASSERT_TRUE(v) << v.reason();
      EXPECT_EQ(sub.point, info.point);
      // The verifier's final values: eq's is its own (public), the others the received commitments,
      // which open (with the prover's blinds) to the factors' MLEs at the point.
      ASSERT_EQ(finals.size(), c.comp.num_factors());
      EXPECT_TRUE(sub.final_evals[0].is_public());
      EXPECT_EQ(sub.final_evals[0].value(), poly::eq_eval<Fr>(st.pub.rho, info.point));
      const size_t first_final = info.sent.size() - c.comp.num_factors();
      for (size_t j = 1; j < c.comp.num_factors(); ++j) {
        const Val& sent = info.sent[first_final + j];
        EXPECT_EQ(sent.value(), poly::evaluate_mle<Fr>(st.tables[j], info.point));
        EXPECT_EQ(finals[j], params().mul_u(sent.value()) + params().mul_h(sent.blind()));
      }
    }
  }
}

TEST(CpSumcheck, FalseClaimIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {0u, 2u}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      const Statement st = make_statement(c.comp, n, random);
      for (const Fr& delta : {Fr::one(), -Fr::from_u64(5), random()}) {
        ProverInfo info;
        const auto bytes = prove_bytes(st, &random, delta, &info);
        EXPECT_EQ(info.false_equalities, 1u);  // the final check (the replay answers "equal" and goes on)
        const Verdict v = verify_bytes(st.pub, bytes, true);
        ASSERT_FALSE(v);
        EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
      }
    }
  }
}

// Every 32-byte element, with one bit flipped (often not a point or not canonical: a decoding
// rejection) or replaced by another valid point or scalar (P + G, x + 1: a rejection by the end
// section's checks), is rejected; so are a truncated proof and trailing bytes.
TEST(CpSumcheck, EveryChangedElementIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : {cases()[0], cases()[1], cases()[3]}) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 2, random);
    const auto bytes = prove_bytes(st, &random);
    ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
    const Layout lay(st.pub, c.products);
    ASSERT_EQ(bytes.size(), lay.total());
    size_t decode_rejections = 0;
    for (size_t i = 0; i < bytes.size() / 32; ++i) {
      SCOPED_TRACE("element " + std::to_string(i));
      for (size_t bit : {size_t{0}, 8 * (i % 31) + 3}) {
        auto bad = bytes;
        bad[32 * i + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        const Verdict v = verify_bytes(st.pub, bad, true);
        EXPECT_FALSE(v) << "bit " << bit;
        if (v.reason().find("decoding") != std::string::npos || v.reason().find("end section") != std::string::npos)
          ++decode_rejections;
      }
      auto bad = bytes;
      if (lay.is_scalar(i)) {
        add_scalar(bad, 32 * i, Fr::one());
      } else {
        add_point(bad, 32 * i, G1::generator());
      }
      const Verdict v = verify_bytes(st.pub, bad, true);
      ASSERT_FALSE(v);
      EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
    }
    EXPECT_GT(decode_rejections, 0u);
    auto shorter = bytes;
    shorter.pop_back();
    EXPECT_FALSE(verify_bytes(st.pub, shorter, true));
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_FALSE(verify_bytes(st.pub, longer, true));
  }
}

// The forgeries named in cp.h, each a change a cheating prover could make with valid encodings.
TEST(CpSumcheck, EndSectionForgeriesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const RandomFr random = pcs::random_fr(rng);
  const Case c = cases()[1];  // two products
  const Statement st = make_statement(c.comp, 3, random);
  const auto bytes = prove_bytes(st, &random);
  ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
  const Layout lay(st.pub, c.products);
  const auto& pp = params();
  auto expect_rejected = [&](const std::vector<uint8_t>& bad, const std::string& what) {
    const Verdict v = verify_bytes(st.pub, bad, true);
    EXPECT_FALSE(v) << what;
    EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << what << ": " << v.reason();
  };
  for (size_t k = 0; k < c.products; ++k) {
    auto bad = bytes;  // a product commitment to the product plus 1 (same blind)
    add_point(bad, lay.product(k), G1(pp.u()));
    expect_rejected(bad, "product " + std::to_string(k) + " + U");
    bad = bytes;  // one with another blind
    add_point(bad, lay.product(k), G1(pp.h()));
    expect_rejected(bad, "product " + std::to_string(k) + " + H");
    bad = bytes;  // the two products swapped
    if (c.products == 2) {
      put(bad, lay.product(0), element(bytes, lay.product(1)));
      put(bad, lay.product(1), element(bytes, lay.product(0)));
      expect_rejected(bad, "products swapped");
    }
  }
  for (size_t k = 0; k < c.products; ++k) {
    auto bad = bytes;  // a delta_k moved by H
    add_point(bad, lay.delta(k), G1(pp.h()));
    expect_rejected(bad, "delta " + std::to_string(k) + " + H");
  }
  if (c.products == 2) {
    auto bad = bytes;  // the deltas swapped
    put(bad, lay.delta(0), element(bytes, lay.delta(1)));
    put(bad, lay.delta(1), element(bytes, lay.delta(0)));
    expect_rejected(bad, "deltas swapped");
  }
  for (const G1Affine& d : {pp.u(), pp.h()}) {
    auto bad = bytes;  // alpha moved by U (the sigma-weighted x's) or by H (the blinds)
    add_point(bad, lay.alpha(), G1(d));
    expect_rejected(bad, "alpha moved");
  }
  for (size_t i = 0; i < lay.num_responses(); ++i) {
    auto bad = bytes;
    add_scalar(bad, lay.response(i), Fr::one());
    expect_rejected(bad, "product response " + std::to_string(i));
  }
  {
    auto bad = bytes;  // the equality proof's response
    add_scalar(bad, lay.zero_z(), Fr::one());
    expect_rejected(bad, "equality response");
    bad = bytes;
    add_point(bad, lay.zero_a(), G1(pp.h()));
    expect_rejected(bad, "equality commitment");
  }
  {
    auto bad = bytes;  // the opening proof
    add_point(bad, lay.open_a(), G1(pp.u()));
    expect_rejected(bad, "opening commitment");
    for (size_t i = 0; i < 2; ++i) {
      bad = bytes;
      add_scalar(bad, lay.open_z(i), Fr::one());
      expect_rejected(bad, "opening response " + std::to_string(i));
    }
  }
}

// Val arithmetic under contexts: the verifier's commitment to a derived value is the prover's
// commitment to its value and blind (linear combinations before the end section, products after);
// a true equality of committed expressions verifies, a false one is rejected.
TEST(CpVal, ProverAndVerifierAgreeOnDerivedCommitments) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  const RandomFr random = pcs::random_fr(rng);
  const Fr a = random(), b = random(), c = random(), k = random();
  for (bool honest : {true, false}) {
    SCOPED_TRACE(honest ? "honest" : "false equality");
    Context pc(params(), random);
    std::vector<uint8_t> bytes;
    std::vector<G1> prover_side;
    {
      const Context::Scope s(&pc);
      transcript::Transcript tr(kDomain);
      ByteWriter w;
      const auto xs = cp::send_many(std::vector<Fr>{a, b, c});
      for (const Val& x : xs) cp::write(w, x);
      tr.absorb_many("cp-test.xs", xs);
      const Val lin = xs[0] * k - xs[1] * Fr::from_u64(2) + Val(Fr::from_u64(5));
      const Val prod = (xs[0] + xs[1]) * xs[2];
      const Val prod2 = prod * xs[0];
      EXPECT_FALSE(lin.is_public());
      EXPECT_EQ(lin.value(), a * k - b - b + Fr::from_u64(5));
      EXPECT_EQ(prod2.value(), (a + b) * c * a);
      EXPECT_TRUE(prod == xs[0] * xs[2] + xs[1] * xs[2]);  // recorded, reported equal
      EXPECT_TRUE(honest ? (prod2 == prod * xs[0]) : (prod2 == prod * xs[1]));
      EXPECT_EQ(pc.num_products(), 5u);
      EXPECT_EQ(pc.num_equalities(), 2u);
      EXPECT_EQ(pc.num_false_equalities(), honest ? 0u : 1u);
      for (const Val& x : {lin, prod, prod2}) prover_side.push_back(pc.commitment_of(x));
      pc.prove_finish(tr, w);
      bytes = w.take();
    }
    Context vc(params());
    const Context::Scope s(&vc);
    transcript::Transcript tr(kDomain);
    ByteReader r(bytes);
    std::vector<Val> xs;
    for (int i = 0; i < 3; ++i) xs.push_back(cp::read(r));
    tr.absorb_many("cp-test.xs", xs);
    const Val lin = xs[0] * k - xs[1] * Fr::from_u64(2) + Val(Fr::from_u64(5));
    EXPECT_EQ(vc.commitment_of(lin), prover_side[0]);  // before the end section
    const Val prod = (xs[0] + xs[1]) * xs[2];
    const Val prod2 = prod * xs[0];
    EXPECT_TRUE(prod == xs[0] * xs[2] + xs[1] * xs[2]);
    EXPECT_TRUE(honest ? (prod2 == prod * xs[0]) : (prod2 == prod * xs[1]));
    const Verdict v = vc.verify_finish(tr, r);
    EXPECT_EQ(v.ok(), honest) << v.reason();
    if (honest) {
      EXPECT_EQ(vc.commitment_of(prod), prover_side[1]);
      EXPECT_EQ(vc.commitment_of(prod2), prover_side[2]);
    }
  }
}

// ---- plain mode ----

// The round polynomial p_i(t) = sum over x_{>i} of g(r_{<i}, t, x_{>i}), by brute force.
Fr round_value(const Statement& st, std::span<const Fr> r, size_t i, const Fr& t) {
  const size_t n = st.pub.num_vars();
  Fr s = Fr::zero();
  std::vector<Fr> point(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(i));
  point.push_back(t);
  point.resize(n);
  std::vector<Fr> vals(st.tables.size());
  for (size_t x = 0; x < (size_t{1} << (n - i - 1)); ++x) {
    for (size_t k = i + 1; k < n; ++k) point[k] = Fr::from_u64((x >> (k - i - 1)) & 1);
    vals[0] = poly::eq_eval<Fr>(st.pub.rho, point);
    for (size_t j = 1; j < vals.size(); ++j) vals[j] = poly::evaluate_mle<Fr>(st.tables[j], point);
    s += st.pub.comp.evaluate(vals);
  }
  return s;
}

// Round i of prove_with_eq sends q_i(t) = p_i(t) / (c_i eq(rho_i, t)), c_i = prod_{j<i} eq(rho_j, r_j),
// at t = 0, 2, .., d - 1 (t = 1, 2, .. when rho_i = 0): the values it sends, by brute force.
std::vector<Fr> round_message(const Statement& st, std::span<const Fr> r, size_t i) {
  const size_t d = st.pub.comp.degree();
  Fr c = Fr::one();
  for (size_t j = 0; j < i; ++j) c *= poly::eq_eval<Fr>(std::span<const Fr>(&st.pub.rho[j], 1), r.subspan(j, 1));
  const Fr rho = st.pub.rho[i];
  std::vector<Fr> out;
  for (size_t t = 0; t < d; ++t) {
    if (d == 1 || t == (rho.is_zero() ? size_t{0} : size_t{1})) continue;
    const Fr x = Fr::from_u64(t);
    const Fr eq_t = Fr::one() - rho - x + (rho + rho) * x;
    out.push_back(round_value(st, r, i, x) * (c * eq_t).inverse());
  }
  return out;
}

// Without a context every message is its value: the proof is the claim, p_i(0), p_i(2..d) and
// the factors' values at the point, each as its 32-byte encoding, computed here by brute force.
TEST(CpPlain, MessagesAreThePlainValues) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {0u, 1u, 3u}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n));
      const Statement st = make_statement(c.comp, n, random);
      ProverInfo info;
      const auto bytes = prove_bytes(st, nullptr, Fr::zero(), &info);
      ASSERT_EQ(bytes.size(), 32 * Layout(st.pub, 0).messages);
      for (const Val& x : info.sent) EXPECT_TRUE(x.is_public());
      std::vector<Fr> want{st.claim};
      for (size_t i = 0; i < n; ++i)
        for (const Fr& q : round_message(st, info.point, i)) want.push_back(q);
      want.push_back(poly::eq_eval<Fr>(st.pub.rho, info.point));
      for (size_t j = 1; j < c.comp.num_factors(); ++j)
        want.push_back(poly::evaluate_mle<Fr>(st.tables[j], info.point));
      ASSERT_EQ(want.size(), bytes.size() / 32);
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(element(bytes, 32 * i), want[i].to_bytes()) << "element " << i;
        EXPECT_EQ(info.sent[i].value(), want[i]) << "element " << i;
      }
      sumcheck::Subclaim<Fr> sub;
      const Verdict v = verify_bytes(st.pub, bytes, false, &sub);
      ASSERT_TRUE(v) << v.reason();
      EXPECT_EQ(sub.point, info.point);
    }
  }
}

// Plain Vals: products are products and equalities are decided on the spot.
TEST(CpPlain, RelationsAreDecidedDirectly) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  const RandomFr random = pcs::random_fr(rng);
  ASSERT_EQ(cp::current(), nullptr);
  const Fr a = random(), b = random();
  const Val x = cp::send(a), y = cp::send(b);
  EXPECT_TRUE(x.is_public());
  EXPECT_EQ(x.atom(), -1);
  EXPECT_EQ((x * y).value(), a * b);
  EXPECT_TRUE((x * y).is_public());
  EXPECT_TRUE(x * y == Val(a * b));
  EXPECT_FALSE(x * y == Val(a * b + Fr::one()));
  EXPECT_EQ((x * Fr::from_u64(3) - y).value(), a * Fr::from_u64(3) - b);
  // A false claim, a changed final value (eq's, checked against the verifier's own; f_1's, in the
  // final check) and every element plus one: rejected by the sumcheck's own checks.
  for (const Case& c : {cases()[0], cases()[2]}) {
    SCOPED_TRACE(c.name);
    const Statement st = make_statement(c.comp, 3, random);
    const auto bytes = prove_bytes(st, nullptr);
    ASSERT_TRUE(verify_bytes(st.pub, bytes, false));
    const Verdict v = verify_bytes(st.pub, prove_bytes(st, nullptr, Fr::one()), false);
    ASSERT_FALSE(v);
    EXPECT_NE(v.reason().find("sumcheck: final evaluations do not satisfy"), std::string::npos) << v.reason();
    const Layout lay(st.pub, 0);
    const size_t eq_at = 32 * (lay.messages - c.comp.num_factors());
    auto bad = bytes;
    add_scalar(bad, eq_at, Fr::one());
    const Verdict ve = verify_bytes(st.pub, bad, false);
    ASSERT_FALSE(ve);
    EXPECT_NE(ve.reason().find("the verifier's own) is wrong"), std::string::npos) << ve.reason();
    for (size_t i = 0; i < lay.messages; ++i) {
      bad = bytes;
      add_scalar(bad, 32 * i, Fr::one());
      EXPECT_FALSE(verify_bytes(st.pub, bad, false)) << "element " << i;
    }
    bad = bytes;  // a non-canonical scalar
    std::fill(bad.begin(), bad.begin() + 32, 0xff);
    const Verdict vd = verify_bytes(st.pub, bad, false);
    ASSERT_FALSE(vd);
    EXPECT_NE(vd.reason().find("decoding"), std::string::npos) << vd.reason();
  }
}

// ---- zero knowledge ----

TEST(CpZeroKnowledge, TwoProofsShareNoElement) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  const RandomFr random = pcs::random_fr(rng);
  const Statement st = make_statement(cases()[1].comp, 3, random, /*small=*/true);
  const auto p1 = prove_bytes(st, &random), p2 = prove_bytes(st, &random);
  ASSERT_EQ(p1.size(), p2.size());
  EXPECT_NE(p1, p2);
  EXPECT_TRUE(verify_bytes(st.pub, p1, true));
  EXPECT_TRUE(verify_bytes(st.pub, p2, true));
  for (size_t i = 0; i < p1.size() / 32; ++i) EXPECT_NE(element(p1, 32 * i), element(p2, 32 * i)) << "element " << i;
  // Plain proofs of the same statement are the same bytes.
  EXPECT_EQ(prove_bytes(st, nullptr), prove_bytes(st, nullptr));
}

// No witness value occurs anywhere in the bytes (at any offset) of a zero-knowledge proof; the
// plain proof of the same statement contains each of its messages' values (the search works).
TEST(CpZeroKnowledge, NoWitnessValueInProofBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 8);
  const RandomFr random = pcs::random_fr(rng);
  for (bool small : {true, false}) {
    for (const Case& c : cases()) {
      SCOPED_TRACE(c.name + (small ? " small" : " random"));
      const Statement st = make_statement(c.comp, 3, random, small);
      ProverInfo info;
      const auto bytes = prove_bytes(st, &random, Fr::zero(), &info);
      ASSERT_TRUE(verify_bytes(st.pub, bytes, true));
      std::vector<Fr> secrets{st.claim};
      for (size_t j = 1; j < st.tables.size(); ++j)
        secrets.insert(secrets.end(), st.tables[j].begin(), st.tables[j].end());
      for (const Val& x : info.sent) secrets.push_back(x.value());  // round values, finals (eq's too)
      for (const Fr& s : secrets) EXPECT_FALSE(contains(bytes, s.to_bytes()));
      // Control: the plain proof carries them.
      ProverInfo plain_info;
      const auto plain = prove_bytes(st, nullptr, Fr::zero(), &plain_info);
      EXPECT_TRUE(contains(plain, st.claim.to_bytes()));
      for (size_t j = 1; j < st.tables.size(); ++j)
        EXPECT_TRUE(contains(plain, poly::evaluate_mle<Fr>(st.tables[j], plain_info.point).to_bytes()));
      for (const Val& x : plain_info.sent) EXPECT_TRUE(contains(plain, x.value().to_bytes()));
    }
  }
}

// ---- the end section from cp.h's description: the verifier's view, a checker, a prover, a simulator ----
//
// All on eq f1 f2. The statistical test is on eq f1 f2 over n = 2 variables: 8 messages (claim, 2 rounds of 2
// values of q, 3 finals) and an end section with one product (X = F1, Y = eq F2, Z: Z, delta, alpha, z1,
// z3, z2), two equalities (D1 = F0 - eq U, D2 = Z - R with R the last round's claim: A, z) and the
// opening of the 9 commitments (A, z1, z2): 19 elements.

constexpr size_t kRuns = 500;
constexpr size_t kBins = 16;
// The chi-square (15 degrees of freedom) value exceeded with probability about 1e-6.
constexpr double kThreshold = 57.0;

// What the verifier derives from the messages: the end section's statement. Under a verifier
// Context the Vals are linear combinations of the received commitments; under the prover's own
// Context (reading its own bytes) they carry its openings.
struct View {
  transcript::Transcript tr{kDomain};  // after the sumcheck part
  std::vector<Val> sent;               // the messages
  Val x, y, d1, r;                     // F1, eq F2 (the final check's F1 (eq F2)), F0 - eq, the claim R
  G1 xc, yc, d1c, rc;                  // their commitments
  std::vector<G1Affine> messages;      // the messages' commitments
  std::vector<Fr> point;               // the sumcheck's challenges
};

View view_of(const Public& pub, std::span<const uint8_t> bytes, Context& ctx) {
  View view;
  const Context::Scope scope(&ctx);
  ByteReader rd(bytes);
  const Val claim = cp::read(rd);
  view.tr.absorb(kLabelClaim, claim);
  const auto proof = SumcheckProof::deserialize(rd, pub.num_vars(), pub.comp.degree() - 1, pub.comp.num_factors());
  view.sent = {claim};
  for (const auto& m : proof.rounds) view.sent.insert(view.sent.end(), m.evals.begin(), m.evals.end());
  view.sent.insert(view.sent.end(), proof.final_evals.begin(), proof.final_evals.end());
  // The sumcheck's linear relations, written out: q_i's missing value from the running claim
  // c ((1 - rho) q(0) + rho q(1)), then p_i(r) = c eq(rho_i, r) q_i(r) by Lagrange weights.
  sumcheck::absorb_statement(view.tr, pub.num_vars(), pub.comp);
  const size_t d = pub.comp.degree();
  const auto basis = poly::lagrange_basis<Fr>(d - 1);
  Val running = claim;
  Fr c = Fr::one();
  std::vector<Fr> point;
  for (size_t i = 0; i < proof.rounds.size(); ++i) {
    const auto& m = proof.rounds[i];
    const Fr rho = pub.rho[i];
    std::vector<Val> q(d);
    if (d == 1 || rho.is_zero()) {
      q[0] = running * c.inverse();
      for (size_t t = 1; t < d; ++t) q[t] = m.evals[t - 1];
    } else {
      q[0] = m.evals[0];
      q[1] = (running * c.inverse() - q[0] * (Fr::one() - rho)) * rho.inverse();
      for (size_t t = 2; t < d; ++t) q[t] = m.evals[t - 1];
    }
    const Fr ri = sumcheck::absorb_round(view.tr, m);
    const auto l = basis.coefficients(ri);
    Val qr;
    for (size_t t = 0; t < d; ++t) qr += q[t] * l[t];
    const Fr eq_r = Fr::one() - rho - ri + (rho + rho) * ri;
    running = qr * (c * eq_r);
    c *= eq_r;
    point.push_back(ri);
  }
  sumcheck::absorb_final<Fr>(view.tr, proof.final_evals);
  const Fr eq = poly::eq_eval<Fr>(pub.rho, point);
  view.point = point;
  view.x = proof.final_evals[1];
  view.y = proof.final_evals[2] * eq;
  view.d1 = proof.final_evals[0] - Val(eq);
  view.r = running;
  view.xc = ctx.commitment_of(view.x);
  view.yc = ctx.commitment_of(view.y);
  view.d1c = ctx.commitment_of(view.d1);
  view.rc = ctx.commitment_of(view.r);
  for (const Val& m : view.sent) view.messages.push_back(ctx.commitment_of(m).to_affine());
  return view;
}
View view_of(const Public& pub, std::span<const uint8_t> bytes) {
  Context ctx(params());
  return view_of(pub, bytes, ctx);
}

// One product (k = 0, so sigma^k = 1 and sigma only enters the transcript).
struct EndSection {
  G1Affine z, delta, alpha;
  std::array<Fr, 3> pz;  // z1, z3, z2
  G1Affine za;
  Fr zz;
  G1Affine oa;
  std::array<Fr, 2> oz;
};
struct Challenges {
  Fr sigma, e, rho, ze, oc, oe;
};

EndSection end_of(std::span<const uint8_t> bytes, const Layout& lay) {
  EndSection s;
  s.z = point_at(bytes, lay.product(0));
  s.delta = point_at(bytes, lay.delta(0));
  s.alpha = point_at(bytes, lay.alpha());
  for (size_t i = 0; i < 3; ++i) s.pz[i] = scalar_at(bytes, lay.response(i));
  s.za = point_at(bytes, lay.zero_a());
  s.zz = scalar_at(bytes, lay.zero_z());
  s.oa = point_at(bytes, lay.open_a());
  for (size_t i = 0; i < 2; ++i) s.oz[i] = scalar_at(bytes, lay.open_z(i));
  return s;
}

void write_end(ByteWriter& w, const EndSection& s) {
  for (const auto& p : {s.z, s.delta, s.alpha}) w.bytes(p.to_bytes());
  for (const Fr& x : s.pz) w.bytes(x.to_bytes());
  w.bytes(s.za.to_bytes());
  w.bytes(s.zz.to_bytes());
  w.bytes(s.oa.to_bytes());
  for (const Fr& x : s.oz) w.bytes(x.to_bytes());
}

// The Fiat-Shamir challenges of a real end section (transcript labels as in cp.cc).
Challenges real_challenges(transcript::Transcript tr, const EndSection& s) {
  Challenges ch;
  tr.absorb_many("cp.products", std::vector<G1Affine>{s.z});
  tr.absorb_many("cp.product.delta", std::vector<G1Affine>{s.delta});
  ch.sigma = tr.challenge<Fr>("cp.product.sigma");
  tr.absorb("cp.product.alpha", s.alpha);
  ch.e = tr.challenge<Fr>("cp.product.e");
  tr.absorb_many("cp.product.z", std::vector<Fr>(s.pz.begin(), s.pz.end()));
  ch.rho = tr.challenge<Fr>("cp.zero.rho");
  tr.absorb("cp.zero.a", s.za);
  ch.ze = tr.challenge<Fr>("cp.zero.e");
  tr.absorb("cp.zero.z", s.zz);
  ch.oc = tr.challenge<Fr>("cp.open.c");
  tr.absorb("cp.open.a", s.oa);
  ch.oe = tr.challenge<Fr>("cp.open.e");
  return ch;
}

// sum_i c^(i+1) C_i over the distinct commitments (messages and Z) in the order of their encodings.
G1 weighted_commitments(const View& view, const G1Affine& z, const Fr& c) {
  std::vector<Element> enc;
  for (const auto& m : view.messages) enc.push_back(m.to_bytes());
  enc.push_back(z.to_bytes());
  std::sort(enc.begin(), enc.end());
  enc.erase(std::unique(enc.begin(), enc.end()), enc.end());
  G1 acc = G1::identity();
  Fr pw = c;
  for (const auto& e : enc) {
    acc += G1(*G1Affine::from_bytes(e)) * pw;
    pw *= c;
  }
  return acc;
}

// The end-section equations of cp.h, one by one.
struct Equations {
  bool delta, alpha, zero, open;
  bool all() const { return delta && alpha && zero && open; }
};
Equations end_equations(const View& v, const EndSection& s, const Challenges& ch) {
  const auto& pp = params();
  const G1 u(pp.u()), h(pp.h()), z(s.z);
  return {
      G1(s.delta) + z * ch.e == v.yc * s.pz[0] + h * s.pz[1],                             // delta + e Z = z1 Y + z3 H
      G1(s.alpha) + v.xc * ch.e == u * s.pz[0] + h * s.pz[2],                             // alpha + e X = z1 U + z2 H
      G1(s.za) + (v.d1c + (z - v.rc) * ch.rho) * ch.ze == h * s.zz,                       // A + e sum rho^k D_k = z H
      G1(s.oa) + weighted_commitments(v, s.z, ch.oc) * ch.oe == u * s.oz[0] + h * s.oz[1],  // opening
  };
}
bool end_holds(const View& v, const EndSection& s, const Challenges& ch) { return end_equations(v, s, ch).all(); }

// The simulator: sees the public statement only. Messages and Z are uniform points; the sigma
// proofs are simulated for challenges it draws itself (responses uniform, first messages solved
// from the verification equations).
std::vector<uint8_t> simulate(const Public& pub, const RandomFr& random, Challenges* challenges = nullptr) {
  const auto& pp = params();
  const Layout lay(pub, 1);
  ByteWriter w;
  for (size_t i = 0; i < lay.messages; ++i) w.bytes(pp.mul_h(random()).to_affine().to_bytes());
  const View v = view_of(pub, w.data());
  const Challenges ch{random(), random(), random(), random(), random(), random()};
  EndSection s;
  s.z = pp.mul_h(random()).to_affine();
  const G1 u(pp.u()), h(pp.h()), z(s.z);
  for (Fr& x : s.pz) x = random();
  s.delta = (v.yc * s.pz[0] + h * s.pz[1] - z * ch.e).to_affine();
  s.alpha = (u * s.pz[0] + h * s.pz[2] - v.xc * ch.e).to_affine();
  s.zz = random();
  s.za = (h * s.zz - (v.d1c + (z - v.rc) * ch.rho) * ch.ze).to_affine();
  for (Fr& x : s.oz) x = random();
  s.oa = (u * s.oz[0] + h * s.oz[1] - weighted_commitments(v, s.z, ch.oc) * ch.oe).to_affine();
  write_end(w, s);
  if (challenges) *challenges = ch;
  return w.take();
}

// An end section made here from the prover's openings as cp.h describes it (not by prove_finish).
// The product is committed to x y (honest) or, cheating, to the value the final check needs (the
// last round's claim R), so that with a false claim every equation but the product's holds. The
// cheat's proof of product uses X's x (then delta + e Z = z1 Y + z3 H fails), or x' = R / y, the
// factor that makes Z = x' Y + t' H and the delta equation hold (then the link to X fails).
enum class Product { kHonest, kWhatTheClaimNeeds, kWhatTheClaimNeedsWithItsFactor };

std::vector<uint8_t> prove_end_here(const Statement& st, const RandomFr& random, const Fr& claim_delta,
                                    Product product) {
  const auto& pp = params();
  Context ctx(pp, random);
  ctx.set_relations(false);
  ByteWriter w;
  {
    const Context::Scope scope(&ctx);
    transcript::Transcript tr(kDomain);
    const Val claim = cp::send(st.claim + claim_delta);
    cp::write(w, claim);
    tr.absorb(kLabelClaim, claim);
    sumcheck::prove_with_eq<Fr>(st.pub.comp, st.pub.rho, st.tables, tr).proof.serialize(w);
  }
  View v = view_of(st.pub, w.data(), ctx);  // reading its own bytes: every derived value's opening
  transcript::Transcript& tr = v.tr;
  const Fr x = v.x.value(), rx = v.x.blind(), y = v.y.value(), ry = v.y.blind();
  const Fr zv = product == Product::kHonest ? x * y : v.r.value(), zs = random();
  const Fr xp = product == Product::kWhatTheClaimNeedsWithItsFactor ? zv * y.inverse() : x;  // the factor proven
  EndSection s;
  s.z = (pp.mul_u(zv) + pp.mul_h(zs)).to_affine();
  tr.absorb_many("cp.products", std::vector<G1Affine>{s.z});
  // delta = b1 Y + b3 H; alpha = b1 U + b2 H (sigma^0 = 1).
  const Fr b1 = random(), b3 = random(), b2 = random();
  s.delta = (v.yc * b1 + pp.mul_h(b3)).to_affine();
  tr.absorb_many("cp.product.delta", std::vector<G1Affine>{s.delta});
  tr.challenge<Fr>("cp.product.sigma");
  s.alpha = (pp.mul_u(b1) + pp.mul_h(b2)).to_affine();
  tr.absorb("cp.product.alpha", s.alpha);
  const Fr e = tr.challenge<Fr>("cp.product.e");
  s.pz = {b1 + e * xp, b3 + e * (zs - xp * ry), b2 + e * rx};  // z1, z3, z2
  tr.absorb_many("cp.product.z", std::vector<Fr>(s.pz.begin(), s.pz.end()));
  // Equalities D1 = F0 - eq, D2 = Z - R: a Schnorr proof for the blind of D1 + rho D2.
  const Fr rho = tr.challenge<Fr>("cp.zero.rho");
  const Fr bl = random();
  s.za = pp.mul_h(bl).to_affine();
  tr.absorb("cp.zero.a", s.za);
  const Fr ze = tr.challenge<Fr>("cp.zero.e");
  s.zz = bl + ze * (v.d1.blind() + rho * (zs - v.r.blind()));
  tr.absorb("cp.zero.z", s.zz);
  // Openings of the distinct commitments in the order of their encodings, weighted by c, c^2, ...
  const Fr oc = tr.challenge<Fr>("cp.open.c");
  std::vector<std::tuple<Element, Fr, Fr>> openings;
  for (size_t i = 0; i < v.sent.size(); ++i)
    openings.emplace_back(v.messages[i].to_bytes(), v.sent[i].value(), v.sent[i].blind());
  openings.emplace_back(s.z.to_bytes(), zv, zs);
  std::sort(openings.begin(), openings.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
  Fr ov = Fr::zero(), os = Fr::zero(), pw = oc;
  for (size_t i = 0; i < openings.size(); ++i) {
    if (i > 0 && std::get<0>(openings[i]) == std::get<0>(openings[i - 1])) continue;
    ov += pw * std::get<1>(openings[i]);
    os += pw * std::get<2>(openings[i]);
    pw *= oc;
  }
  const Fr a1 = random(), a2 = random();
  s.oa = (pp.mul_u(a1) + pp.mul_h(a2)).to_affine();
  tr.absorb("cp.open.a", s.oa);
  const Fr oe = tr.challenge<Fr>("cp.open.e");
  s.oz = {a1 + oe * ov, a2 + oe * os};
  write_end(w, s);
  return w.take();
}

// The end section written from cp.h's description verifies (so the checks below test the protocol
// cp.h states); a prover with a false claim that commits the product to what the final check
// needs, with every other proof honest, is caught by the proof of product alone: by the delta
// equation when it proves X's x, by the link to X when it proves the factor that fits Z.
TEST(CpEndSection, ProofOfProductCatchesAWrongProduct) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 16);
  const RandomFr random = pcs::random_fr(rng);
  for (size_t n : {0u, 1u, 3u}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const Statement st = make_statement(Comp::product(3), n, random);
    const Verdict honest = verify_bytes(st.pub, prove_end_here(st, random, Fr::zero(), Product::kHonest), true);
    EXPECT_TRUE(honest) << honest.reason();
    const Layout lay(st.pub, 1);
    for (Product cheat : {Product::kWhatTheClaimNeeds, Product::kWhatTheClaimNeedsWithItsFactor}) {
      const bool own_factor = cheat == Product::kWhatTheClaimNeedsWithItsFactor;
      SCOPED_TRACE(own_factor ? "the factor that fits Z" : "X's factor");
      // The same cheat with a true claim is no cheat (R = x y): accepted.
      EXPECT_TRUE(verify_bytes(st.pub, prove_end_here(st, random, Fr::zero(), cheat), true));
      for (const Fr& delta : {Fr::one(), random()}) {
        const auto bytes = prove_end_here(st, random, delta, cheat);
        const Verdict v = verify_bytes(st.pub, bytes, true);
        EXPECT_FALSE(v);
        EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
        // Exactly one of the product's two equations fails; the equalities and openings hold.
        const View cv = view_of(st.pub, bytes);
        const EndSection cs = end_of(bytes, lay);
        const Equations eqs = end_equations(cv, cs, real_challenges(cv.tr, cs));
        EXPECT_EQ(eqs.delta, own_factor);
        EXPECT_EQ(eqs.alpha, !own_factor);
        EXPECT_TRUE(eqs.zero);
        EXPECT_TRUE(eqs.open);
      }
    }
    EXPECT_FALSE(verify_bytes(st.pub, prove_end_here(st, random, Fr::one(), Product::kHonest), true));
  }
}

using Histograms = std::vector<std::array<size_t, kBins>>;

// Two features per 32-byte element: the low 4 bits of byte 0 and of byte 17.
void add(Histograms& h, std::span<const uint8_t> bytes) {
  const size_t ne = bytes.size() / 32;
  if (h.empty()) h.resize(2 * ne, std::array<size_t, kBins>{});
  ASSERT_EQ(h.size(), 2 * ne);
  for (size_t i = 0; i < ne; ++i) {
    ++h[2 * i][bytes[32 * i] % kBins];
    ++h[2 * i + 1][bytes[32 * i + 17] % kBins];
  }
}

// Two-sample chi-square statistic per feature (equal sample sizes).
std::vector<double> chi_square(const Histograms& a, const Histograms& b) {
  std::vector<double> out;
  for (size_t i = 0; i < a.size(); ++i) {
    double s = 0;
    for (size_t k = 0; k < kBins; ++k) {
      const double x = static_cast<double>(a[i][k]), y = static_cast<double>(b[i][k]);
      if (x + y > 0) s += (x - y) * (x - y) / (x + y);
    }
    out.push_back(s);
  }
  return out;
}

// Four more elements, which a distinguisher who knows the witness computes: the product's masks,
// b1 = z1 - e x with x computed from the witness at the proof's point, and b3 H = delta - b1 Y and
// b2 H = alpha - b1 U (b3 and b2 sit beside blinds in z3 and z2, so only these multiples of H are
// computable), and the openings' mask z1 - e sum c^i v_i with the committed values v_i computed
// from the witness. Uniform for real proofs when the prover's masks are, and for the simulator's
// (its responses are uniform); a missing or fixed mask shows here.
constexpr size_t kMasks = 4;
std::vector<uint8_t> with_masks(const Statement& st, std::vector<uint8_t> bytes, const Challenges* own = nullptr) {
  const Layout lay(st.pub, 1);
  const View v = view_of(st.pub, bytes);
  const EndSection s = end_of(bytes, lay);
  const Challenges ch = own ? *own : real_challenges(v.tr, s);
  const Fr eq = poly::eq_eval<Fr>(st.pub.rho, v.point);
  const Fr f1 = poly::evaluate_mle<Fr>(st.tables[1], v.point), f2 = poly::evaluate_mle<Fr>(st.tables[2], v.point);
  std::vector<std::pair<Element, Fr>> committed{{v.messages[0].to_bytes(), st.claim}};
  for (size_t i = 0; i < st.pub.num_vars(); ++i)
    for (const Fr& q : round_message(st, v.point, i))
      committed.emplace_back(v.messages[committed.size()].to_bytes(), q);
  for (const Fr& f : {eq, f1, f2}) committed.emplace_back(v.messages[committed.size()].to_bytes(), f);
  committed.emplace_back(s.z.to_bytes(), eq * f1 * f2);
  std::sort(committed.begin(), committed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Fr sum = Fr::zero(), pw = ch.oc;
  for (size_t i = 0; i < committed.size(); ++i) {
    if (i > 0 && committed[i].first == committed[i - 1].first) continue;
    sum += pw * committed[i].second;
    pw *= ch.oc;
  }
  const Fr b1 = s.pz[0] - ch.e * f1;
  const std::array<Element, kMasks> masks{b1.to_bytes(), (G1(s.delta) - v.yc * b1).to_affine().to_bytes(),
                                          (G1(s.alpha) - G1(params().u()) * b1).to_affine().to_bytes(),
                                          (s.oz[0] - ch.oe * sum).to_bytes()};
  for (const auto& m : masks) bytes.insert(bytes.end(), m.begin(), m.end());
  return bytes;
}

Histograms real_histograms(const Statement& st, uint64_t seed, bool blind) {
  TestRng rng(seed);
  const RandomFr random = blind ? pcs::random_fr(rng) : RandomFr([] { return Fr::zero(); });
  Histograms h;
  for (size_t run = 0; run < kRuns; ++run) add(h, with_masks(st, prove_bytes(st, &random)));
  return h;
}

// The simulator sees the public statement only; the distinguisher's features use the witness.
Histograms simulated_histograms(const Statement& st, uint64_t seed) {
  TestRng rng(seed);
  const RandomFr random = pcs::random_fr(rng);
  Histograms h;
  for (size_t run = 0; run < kRuns; ++run) {
    Challenges ch;
    auto bytes = simulate(st.pub, random, &ch);
    add(h, with_masks(st, std::move(bytes), &ch));
  }
  return h;
}

class CpSimulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestRng rng(test_seed() + 10);
    const RandomFr random = pcs::random_fr(rng);
    a_ = new Statement(make_statement(Comp::product(3), 2, random));
    b_ = new Statement(*a_);  // the same public statement, another witness
    for (auto& t : b_->tables)
      for (Fr& x : t) x = random();
    b_->claim = brute_sum(*b_);
    real_a_ = new Histograms(real_histograms(*a_, test_seed() + 11, true));
    sim_ = new Histograms(simulated_histograms(*a_, test_seed() + 12));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
    delete real_a_;
    delete sim_;
  }
  static Statement *a_, *b_;
  static Histograms *real_a_, *sim_;
};
Statement* CpSimulation::a_ = nullptr;
Statement* CpSimulation::b_ = nullptr;
Histograms* CpSimulation::real_a_ = nullptr;
Histograms* CpSimulation::sim_ = nullptr;

// The simulator's end sections satisfy the equations for its own challenges; real proofs satisfy
// them for their Fiat-Shamir challenges (so the equations here are the verifier's); a changed
// element or other challenges do not.
TEST_F(CpSimulation, SimulatedEndSectionsAreAccepting) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 13);
  const RandomFr random = pcs::random_fr(rng);
  const Layout lay(a_->pub, 1);
  for (int run = 0; run < 5; ++run) {
    Challenges ch;
    const auto sim = simulate(a_->pub, random, &ch);
    ASSERT_EQ(sim.size(), lay.total());
    const View v = view_of(a_->pub, sim);
    const EndSection s = end_of(sim, lay);
    EXPECT_TRUE(end_holds(v, s, ch));
    EndSection bad = s;
    bad.pz[1] += Fr::one();  // z3: the delta equation
    EXPECT_FALSE(end_holds(v, bad, ch));
    bad = s;
    bad.pz[2] += Fr::one();  // z2: the link to X
    EXPECT_FALSE(end_holds(v, bad, ch));
    bad = s;
    bad.zz += Fr::one();
    EXPECT_FALSE(end_holds(v, bad, ch));
    Challenges other = ch;
    other.e += Fr::one();
    EXPECT_FALSE(end_holds(v, s, other));
    other = ch;
    other.rho += Fr::one();
    EXPECT_FALSE(end_holds(v, s, other));
    other = ch;
    other.oc += Fr::one();
    EXPECT_FALSE(end_holds(v, s, other));
    // Fiat-Shamir does not hold for the simulator's challenges: the verifier rejects its bytes.
    EXPECT_FALSE(verify_bytes(a_->pub, sim, true));

    const auto real = prove_bytes(*a_, &random);
    ASSERT_TRUE(verify_bytes(a_->pub, real, true));
    const View rv = view_of(a_->pub, real);
    const EndSection rs = end_of(real, lay);
    EXPECT_TRUE(end_holds(rv, rs, real_challenges(rv.tr, rs)));
    EXPECT_FALSE(end_holds(rv, rs, ch));
  }
}

TEST_F(CpSimulation, SimulatedProofsAreDistributedLikeRealOnes) {
  SCOPED_TRACE(seed_note());
  const auto chi = chi_square(*real_a_, *sim_);
  ASSERT_EQ(chi.size(), 2 * (19 + kMasks));  // 19 proof elements, the masks
  for (size_t i = 0; i < chi.size(); ++i) EXPECT_LT(chi[i], kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

TEST_F(CpSimulation, RealProofsForTwoWitnessesAreDistributedAlike) {
  SCOPED_TRACE(seed_note());
  const auto chi = chi_square(*real_a_, real_histograms(*b_, test_seed() + 14, true));
  for (size_t i = 0; i < chi.size(); ++i) EXPECT_LT(chi[i], kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

// Negative control: real proofs with every blind and mask zero are told apart at once (they are
// one fixed string): every element gives it away, message commitments and end section alike.
TEST_F(CpSimulation, UnblindedProofsAreDistinguished) {
  SCOPED_TRACE(seed_note());
  // The masks computed from the witness are then zero (so their formulas are the prover's): b1 and
  // the opening's mask the scalar 0, b3 H and b2 H the identity.
  const RandomFr zero = [] { return Fr::zero(); };
  const auto unblinded = with_masks(*a_, prove_bytes(*a_, &zero));
  const size_t first_mask = unblinded.size() - 32 * kMasks;
  const Element zero_point = G1Affine::identity().to_bytes();
  const std::array<Element, kMasks> zero_masks{Element{}, zero_point, zero_point, Element{}};
  for (size_t i = 0; i < kMasks; ++i) EXPECT_EQ(element(unblinded, first_mask + 32 * i), zero_masks[i]) << "mask " << i;
  const auto chi = chi_square(real_histograms(*a_, test_seed() + 15, false), *sim_);
  ASSERT_EQ(chi.size(), 2 * (19 + kMasks));  // 19 proof elements, the masks
  for (size_t i = 0; i < chi.size(); ++i)
    EXPECT_GT(chi[i], 10 * kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

}  // namespace
}  // namespace zkinfer::cp
