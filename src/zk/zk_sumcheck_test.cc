// Tests of the zero-knowledge sumcheck (zk/zk_sumcheck.h): honest proofs of brute-force sums
// verify for several compositions, sizes, public-factor masks and plain or committed claims; the
// committed final evaluations open to the factors' MLEs at the point (checked directly and through
// a pcs Hyrax opening with a committed claim); false claims are rejected; every proof element,
// changed, is rejected; serialization is exact; no witness value occurs in the proof bytes.
#include "zk/zk_sumcheck.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>

#include "common/random.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "test_seed.h"

namespace zkinfer::zk {
namespace {

using testing::seed_note;
using testing::test_seed;

const PedersenParams& params() {
  static const PedersenParams p(7);
  return p;
}

G1Affine bump(const G1Affine& p) { return (G1(p) + G1Affine::generator()).to_affine(); }
transcript::Transcript fresh() { return transcript::Transcript("zk-sumcheck-test"); }

std::vector<std::vector<Fr>> random_tables(const RandomFr& random, size_t k, size_t n) {
  std::vector<std::vector<Fr>> t(k, std::vector<Fr>(size_t{1} << n));
  for (auto& f : t)
    for (Fr& x : f) x = random();
  return t;
}

Fr brute_sum(const Composition& comp, const std::vector<std::vector<Fr>>& t) {
  Fr s = Fr::zero();
  std::vector<Fr> vals(t.size());
  for (size_t x = 0; x < t[0].size(); ++x) {
    for (size_t j = 0; j < t.size(); ++j) vals[j] = t[j][x];
    s += comp.evaluate(vals);
  }
  return s;
}

struct Case {
  std::string name;
  Composition comp;
  std::vector<bool> pub;
};

std::vector<Case> cases() {
  using T = sumcheck::Term<Fr>;
  return {
      {"f0 f1", Composition::product(2), {false, false}},
      {"f0 f1 f2", Composition::product(3), {false, false, false}},
      {"f0 f1 f2, f0 public", Composition::product(3), {true, false, false}},
      {"mixed", Composition(3, {T{Fr::from_u64(3), {0, 1, 1}}, T{-Fr::from_u64(2), {2}}, T{Fr::from_u64(5), {}},
                                T{Fr::one(), {0, 2, 1, 2}}}),
       {false, false, false}},
      {"mixed, f1 public", Composition(3, {T{Fr::from_u64(3), {0, 1, 1}}, T{-Fr::from_u64(2), {2}},
                                           T{Fr::from_u64(7), {1}}, T{Fr::one(), {0, 2, 1}}}),
       {false, true, false}},
      {"linear", Composition(2, {T{Fr::from_u64(4), {0}}, T{Fr::one(), {1}}}), {false, false}},
  };
}

struct ProverRun {
  std::vector<std::vector<Fr>> tables;
  Fr claim;
  pcs::ProverClaim prover_claim;
  ZkProverResult res;
};

ProverRun run_prover(const Case& c, size_t n, bool committed, const RandomFr& random,
                     ConsistencyMode mode = ConsistencyMode::kLinear) {
  ProverRun run;
  run.tables = random_tables(random, c.comp.num_factors(), n);
  run.claim = brute_sum(c.comp, run.tables);
  run.prover_claim =
      committed ? pcs::ProverClaim{run.claim, random(), std::nullopt} : pcs::ProverClaim::plain(run.claim);
  if (committed) run.prover_claim.commitment = commit_scalar(params(), run.claim, run.prover_claim.blind).to_affine();
  auto tp = fresh();
  run.res = prove(params(), c.comp, run.tables, c.pub, run.prover_claim, tp, random, mode);
  return run;
}

PublicEvaluator table_evaluator(const std::vector<std::vector<Fr>>& tables) {
  return [&tables](size_t j, std::span<const Fr> point) { return poly::evaluate_mle<Fr>(tables[j], point); };
}

TEST(ZkSumcheck, HonestProofsVerifyAndFinalCommitmentsOpenToTheFactors) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {0u, 1u, 2u, 5u}) {
      for (int kind = 0; kind < 4; ++kind) {
        const bool committed = kind & 1;
        const ConsistencyMode mode = kind & 2 ? ConsistencyMode::kLog : ConsistencyMode::kLinear;
        SCOPED_TRACE(c.name + " n=" + std::to_string(n) + (committed ? " committed" : " plain") +
                     (kind & 2 ? " log" : " linear"));
        ProverRun run = run_prover(c, n, committed, random, mode);
        auto tv = fresh();
        ZkSubclaim sub;
        const Verdict v = verify(params(), c.comp, n, c.pub, run.prover_claim.public_claim(), run.res.proof,
                                 table_evaluator(run.tables), tv, &sub, mode);
        ASSERT_TRUE(v) << v.reason();
        EXPECT_EQ(sub.point, run.res.point);
        ASSERT_EQ(run.res.point.size(), n);
        for (size_t j = 0; j < c.comp.num_factors(); ++j) {
          const Fr want = poly::evaluate_mle<Fr>(run.tables[j], run.res.point);
          EXPECT_EQ(run.res.final_values[j], want);
          ASSERT_EQ(sub.final_commitments[j].has_value(), !c.pub[j]);
          if (!c.pub[j]) {
            EXPECT_EQ(*sub.final_commitments[j], commit_scalar(params(), want, run.res.final_blinds[j]).to_affine());
            EXPECT_EQ(*run.res.final_commitments[j], *sub.final_commitments[j]);
          }
        }
        // A false claim (plain or committed) is rejected.
        pcs::ProverClaim wrong = run.prover_claim;
        wrong.value += Fr::one();
        if (committed) wrong.commitment = commit_scalar(params(), wrong.value, wrong.blind).to_affine();
        auto tp2 = fresh();
        auto res2 = prove(params(), c.comp, run.tables, c.pub, wrong, tp2, random, mode);
        auto tv2 = fresh();
        EXPECT_FALSE(verify(params(), c.comp, n, c.pub, wrong.public_claim(), res2.proof,
                            table_evaluator(run.tables), tv2, nullptr, mode));
        // The other mode's verifier rejects the proof.
        auto tv3 = fresh();
        const ConsistencyMode other = mode == ConsistencyMode::kLinear ? ConsistencyMode::kLog : ConsistencyMode::kLinear;
        EXPECT_FALSE(verify(params(), c.comp, n, c.pub, run.prover_claim.public_claim(), run.res.proof,
                            table_evaluator(run.tables), tv3, nullptr, other));
      }
    }
  }
}

TEST(ZkSumcheck, WithEqMatchesBruteForce) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const RandomFr random = pcs::random_fr(rng);
  using T = sumcheck::Term<Fr>;
  const Composition eq_fg = Composition::product(3);
  const Composition eq_mixed(3, {T{Fr::from_u64(2), {0, 1, 2}}, T{Fr::from_u64(9), {1, 0}}, T{Fr::one(), {0}}});
  for (const Composition* comp : {&eq_fg, &eq_mixed}) {
    for (size_t n : {0u, 1u, 4u, 6u}) {
     for (ConsistencyMode mode : {ConsistencyMode::kLinear, ConsistencyMode::kLog}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " mode " + std::to_string(static_cast<int>(mode)));
      std::vector<Fr> rho(n);
      for (Fr& x : rho) x = random();
      auto tables = random_tables(random, 3, n);
      tables[0] = poly::eq_table<Fr>(rho);
      const Fr claim = brute_sum(*comp, tables);
      auto factors = tables;
      factors[0].clear();
      const Fr blind = random();
      const pcs::ProverClaim pcb{claim, blind, commit_scalar(params(), claim, blind).to_affine()};
      auto tp = fresh();
      auto res = prove_with_eq(params(), *comp, rho, factors, pcb, tp, random, mode);
      auto tv = fresh();
      ZkSubclaim sub;
      const Verdict v = verify_with_eq(params(), *comp, rho, pcb.public_claim(), res.proof, tv, &sub, mode);
      ASSERT_TRUE(v) << v.reason();
      EXPECT_EQ(tv.state(), tp.state());
      for (size_t j = 0; j < 3; ++j)
        EXPECT_EQ(res.final_values[j], poly::evaluate_mle<Fr>(tables[j], res.point));
      EXPECT_FALSE(sub.final_commitments[0].has_value());
      // The generic prover on the full eq table gives a proof the same verifier accepts.
      auto tp2 = fresh();
      auto res2 = prove(params(), *comp, tables, {true, false, false}, pcb, tp2, random, mode);
      auto tv2 = fresh();
      EXPECT_TRUE(verify_with_eq(params(), *comp, rho, pcb.public_claim(), res2.proof, tv2, nullptr, mode));
      // Another eq point is rejected.
      if (n > 0) {
        std::vector<Fr> rho2 = rho;
        rho2[0] += Fr::one();
        auto tv3 = fresh();
        EXPECT_FALSE(verify_with_eq(params(), *comp, rho2, pcb.public_claim(), res.proof, tv3, nullptr, mode));
      }
     }
    }
  }
}

// Every element of the proof, changed, is rejected.
class ZkSumcheckModes : public ::testing::TestWithParam<ConsistencyMode> {};
INSTANTIATE_TEST_SUITE_P(Modes, ZkSumcheckModes,
                         ::testing::Values(ConsistencyMode::kLinear, ConsistencyMode::kLog));

TEST_P(ZkSumcheckModes, EveryChangedElementIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const RandomFr random = pcs::random_fr(rng);
  const Case c = cases()[3];  // products, repeats, a constant term
  const size_t n = 3;
  const ConsistencyMode mode = GetParam();
  ProverRun run = run_prover(c, n, true, random, mode);
  const ZkSumcheckProof& proof = run.res.proof;
  ASSERT_GT(proof.products.size(), 0u);
  std::vector<std::pair<std::string, std::function<void(ZkSumcheckProof&)>>> edits;
  for (size_t i = 0; i < proof.rounds.size(); ++i)
    edits.push_back({"round " + std::to_string(i), [i](ZkSumcheckProof& p) { p.rounds[i] = bump(p.rounds[i]); }});
  for (size_t i = 0; i < proof.finals.size(); ++i)
    edits.push_back({"final " + std::to_string(i), [i](ZkSumcheckProof& p) { p.finals[i] = bump(p.finals[i]); }});
  for (size_t i = 0; i < proof.products.size(); ++i) {
    edits.push_back({"product " + std::to_string(i), [i](ZkSumcheckProof& p) { p.products[i] = bump(p.products[i]); }});
    edits.push_back({"product proof alpha", [i](ZkSumcheckProof& p) { p.product_proofs[i].alpha = bump(p.product_proofs[i].alpha); }});
    edits.push_back({"product proof beta", [i](ZkSumcheckProof& p) { p.product_proofs[i].beta = bump(p.product_proofs[i].beta); }});
    edits.push_back({"product proof delta", [i](ZkSumcheckProof& p) { p.product_proofs[i].delta = bump(p.product_proofs[i].delta); }});
    edits.push_back({"product proof z1", [i](ZkSumcheckProof& p) { p.product_proofs[i].z1 += Fr::one(); }});
    edits.push_back({"product proof z2", [i](ZkSumcheckProof& p) { p.product_proofs[i].z2 += Fr::one(); }});
    edits.push_back({"product proof z3", [i](ZkSumcheckProof& p) { p.product_proofs[i].z3 += Fr::one(); }});
    edits.push_back({"product proof z4", [i](ZkSumcheckProof& p) { p.product_proofs[i].z4 += Fr::one(); }});
    edits.push_back({"product proof z5", [i](ZkSumcheckProof& p) { p.product_proofs[i].z5 += Fr::one(); }});
  }
  if (mode == ConsistencyMode::kLog) {
    ASSERT_EQ(proof.ipa.l.size(), 4u);  // 3 rounds x 3 coefficients -> 16
    for (size_t i = 0; i < proof.ipa.l.size(); ++i) {
      edits.push_back({"ipa L", [i](ZkSumcheckProof& p) { p.ipa.l[i] = bump(p.ipa.l[i]); }});
      edits.push_back({"ipa R", [i](ZkSumcheckProof& p) { p.ipa.r[i] = bump(p.ipa.r[i]); }});
    }
    edits.push_back({"ipa A", [](ZkSumcheckProof& p) { p.ipa.a = bump(p.ipa.a); }});
    edits.push_back({"ipa z1", [](ZkSumcheckProof& p) { p.ipa.z1 += Fr::one(); }});
    edits.push_back({"ipa z2", [](ZkSumcheckProof& p) { p.ipa.z2 += Fr::one(); }});
    edits.push_back({"drop ipa round", [](ZkSumcheckProof& p) {
                       p.ipa.l.pop_back();
                       p.ipa.r.pop_back();
                     }});
  } else {
    ASSERT_EQ(proof.dot.z.size(), 12u);  // 3 rounds x (degree 4 - 1 implied + 1)
    for (size_t i = 0; i < proof.dot.z.size(); ++i)
      edits.push_back({"dot z " + std::to_string(i), [i](ZkSumcheckProof& p) { p.dot.z[i] += Fr::one(); }});
    edits.push_back({"dot delta", [](ZkSumcheckProof& p) { p.dot.delta = bump(p.dot.delta); }});
    edits.push_back({"dot beta", [](ZkSumcheckProof& p) { p.dot.beta = bump(p.dot.beta); }});
    edits.push_back({"dot zd", [](ZkSumcheckProof& p) { p.dot.zd += Fr::one(); }});
    edits.push_back({"dot zb", [](ZkSumcheckProof& p) { p.dot.zb += Fr::one(); }});
    edits.push_back({"drop dot z", [](ZkSumcheckProof& p) { p.dot.z.pop_back(); }});
  }
  edits.push_back({"swap rounds", [](ZkSumcheckProof& p) { std::swap(p.rounds[0], p.rounds[1]); }});
  edits.push_back({"drop round", [](ZkSumcheckProof& p) { p.rounds.pop_back(); }});
  edits.push_back({"drop final", [](ZkSumcheckProof& p) { p.finals.pop_back(); }});
  edits.push_back({"drop product", [](ZkSumcheckProof& p) {
                     p.products.pop_back();
                     p.product_proofs.pop_back();
                   }});
  const auto claim = run.prover_claim.public_claim();
  for (const auto& [what, edit] : edits) {
    ZkSumcheckProof bad = proof;
    edit(bad);
    auto tv = fresh();
    EXPECT_FALSE(verify(params(), c.comp, n, c.pub, claim, bad, table_evaluator(run.tables), tv, nullptr, mode)) << what;
  }
  {  // the statement: another claim commitment, composition, mask, size, transcript
    auto tv = fresh();
    EXPECT_TRUE(verify(params(), c.comp, n, c.pub, claim, proof, table_evaluator(run.tables), tv, nullptr, mode));
    auto tv1 = fresh();
    EXPECT_FALSE(verify(params(), c.comp, n, c.pub, pcs::EvalClaim::committed(bump(claim.commitment())), proof,
                        table_evaluator(run.tables), tv1, nullptr, mode));
    auto tv2 = fresh();
    EXPECT_FALSE(verify(params(), cases()[4].comp, n, c.pub, claim, proof, table_evaluator(run.tables), tv2, nullptr, mode));
    auto tv3 = fresh();
    EXPECT_FALSE(verify(params(), c.comp, n + 1, c.pub, claim, proof, table_evaluator(run.tables), tv3, nullptr, mode));
    auto tv4 = fresh();
    EXPECT_FALSE(verify(params(), c.comp, n, {true, false, false}, claim, proof, table_evaluator(run.tables), tv4, nullptr, mode));
    auto tv5 = fresh();
    EXPECT_FALSE(verify(params(), c.comp, n, {false}, claim, proof, table_evaluator(run.tables), tv5, nullptr, mode));
    transcript::Transcript other("other");
    EXPECT_FALSE(verify(params(), c.comp, n, c.pub, claim, proof, table_evaluator(run.tables), other, nullptr, mode));
    const PedersenParams small(2);  // too few generators: a rejection, not a crash
    auto tv6 = fresh();
    EXPECT_FALSE(verify(small, c.comp, n, c.pub, claim, proof, table_evaluator(run.tables), tv6, nullptr, mode));
  }
}

TEST(ZkSumcheck, PublicFactorValueIsChecked) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const RandomFr random = pcs::random_fr(rng);
  const Case c = cases()[2];
  ProverRun run = run_prover(c, 4, false, random);
  auto wrong_eval = [&](size_t j, std::span<const Fr> point) {
    return poly::evaluate_mle<Fr>(run.tables[j], point) + Fr::one();
  };
  auto tv = fresh();
  EXPECT_FALSE(verify(params(), c.comp, 4, c.pub, run.prover_claim.public_claim(), run.res.proof, wrong_eval, tv));
}

TEST(ZkSumcheck, SerializationIsExactAndStrict) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  const RandomFr random = pcs::random_fr(rng);
  for (const Case& c : cases()) {
    for (size_t n : {0u, 3u, 6u}) {
     for (ConsistencyMode mode : {ConsistencyMode::kLinear, ConsistencyMode::kLog}) {
      SCOPED_TRACE(c.name + " n=" + std::to_string(n) + " mode " + std::to_string(static_cast<int>(mode)));
      ProverRun run = run_prover(c, n, true, random, mode);
      const ZkShape shape(c.comp, n, c.pub, mode);
      const auto bytes = run.res.proof.to_bytes();
      EXPECT_EQ(bytes.size(), run.res.proof.size_bytes());
      EXPECT_EQ(bytes.size(), shape.proof_bytes());
      ByteReader r(bytes);
      const ZkSumcheckProof back = ZkSumcheckProof::deserialize(r, shape);
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_EQ(back.to_bytes(), bytes);
      for (size_t cut : {size_t{0}, bytes.size() / 2, bytes.size() - 1}) {
        ByteReader rc(std::span<const uint8_t>(bytes).first(cut));
        EXPECT_THROW(ZkSumcheckProof::deserialize(rc, shape), DecodeError) << cut;
      }
      auto bad = bytes;
      for (size_t i = 0; i < 32; ++i) bad[i] = 0xff;  // not a point encoding
      if (n > 0) {
        ByteReader rb(bad);
        EXPECT_THROW(ZkSumcheckProof::deserialize(rb, shape), DecodeError);
      }
     }
    }
  }
}

// The committed final evaluations are usable as committed claims of Hyrax openings.
TEST(ZkSumcheck, FinalCommitmentsFeedHyraxOpenings) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  const RandomFr random = pcs::random_fr(rng);
  const pcs::HyraxParams hp(4);
  const Case c = cases()[0];
  const size_t n = 6;
  ProverRun run = run_prover(c, n, true, random);
  auto tv = fresh();
  ZkSubclaim sub;
  ASSERT_TRUE(verify(params(), c.comp, n, c.pub, run.prover_claim.public_claim(), run.res.proof,
                     table_evaluator(run.tables), tv, &sub));
  for (size_t j = 0; j < 2; ++j) {
    const auto committed = pcs::commit(hp, std::span<const Fr>(run.tables[j]), pcs::default_log_cols(n), rng);
    auto tp = fresh();
    const auto opening = pcs::prove_eval(hp, committed.commitment, committed.blinds, run.tables[j], run.res.point,
                                         run.res.final_claim(j), tp, random);
    auto tvj = fresh();
    EXPECT_TRUE(pcs::verify_eval(hp, committed.commitment, sub.point, sub.final_claim(j), opening, tvj));
    auto tvw = fresh();  // the other factor's commitment does not open this polynomial
    EXPECT_FALSE(pcs::verify_eval(hp, committed.commitment, sub.point, sub.final_claim(1 - j), opening, tvw));
  }
}

// The attack that the lambda weighting (zk_sumcheck.h, step 5) stops: a false claim (true + delta)
// makes round 0's implied polynomial p_0 + delta X; after seeing r_0 the prover adds Delta G_0 to
// its round-1 commitment, moving round 0's c_0 so that p_0(r_0) is the true e_1 again, and
// continues honestly. The unweighted check <a, w> = v - R claim holds for the effective vectors
// (asserted below: the attack would pass it); the verifier rejects. With delta = 0 the same
// hand-made prover is accepted, so the rejection is the attack's, not the construction's.
TEST(ZkSumcheck, CrossRoundAdjustmentIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  const RandomFr random = pcs::random_fr(rng);
  const Composition comp = Composition::product(2);
  const std::vector<bool> pub{false, false};
  const ZkShape shape(comp, 2, pub);
  auto tables = random_tables(random, 2, 2);
  const Fr true_claim = brute_sum(comp, tables);
  const Fr two_inv = Fr::from_u64(2).inverse();
  // Coefficients (c0, c1, c2) of the degree-2 polynomial with values e at 0, 1, 2.
  auto coeffs = [&](const std::array<Fr, 3>& e) {
    const Fr c2 = (e[2] - e[1] - e[1] + e[0]) * two_inv;
    return std::array<Fr, 3>{e[0], e[1] - e[0] - c2, c2};
  };
  auto line = [](const Fr& lo, const Fr& hi, const Fr& x) { return lo + x * (hi - lo); };
  auto attack = [&](const Fr& delta, bool* unweighted_holds) {
    const Fr claim = true_claim + delta;
    auto tr = fresh();
    detail::absorb_statement(tr, comp, shape, pcs::EvalClaim::plain(claim));
    ZkSumcheckProof proof;
    // Round 0: the true p_0.
    std::array<Fr, 3> e0{};
    for (size_t x = 0; x < 3; ++x) {
      const Fr X = Fr::from_u64(x);
      for (size_t x1 = 0; x1 < 2; ++x1)
        e0[x] += line(tables[0][2 * x1], tables[0][2 * x1 + 1], X) * line(tables[1][2 * x1], tables[1][2 * x1 + 1], X);
    }
    const auto c0 = coeffs(e0);
    const std::vector<Fr> w0{c0[0], c0[2]};
    const Fr s0 = random();
    proof.rounds.push_back(commit_vector(params(), w0, 0, s0).to_affine());
    tr.absorb("zk.sumcheck.round", proof.rounds[0]);
    const Fr r0 = tr.challenge<Fr>("zk.sumcheck.challenge");
    const Fr adj = -(delta * r0) * (Fr::one() - r0 - r0).inverse();
    // Round 1: the true p_1, plus the adjustment of round 0's c_0 on generator G_0.
    std::array<Fr, 2> g0{line(tables[0][0], tables[0][1], r0), line(tables[0][2], tables[0][3], r0)};
    std::array<Fr, 2> g1{line(tables[1][0], tables[1][1], r0), line(tables[1][2], tables[1][3], r0)};
    std::array<Fr, 3> e1{};
    for (size_t x = 0; x < 3; ++x) {
      const Fr X = Fr::from_u64(x);
      e1[x] = line(g0[0], g0[1], X) * line(g1[0], g1[1], X);
    }
    const auto c1 = coeffs(e1);
    const std::vector<Fr> w1{c1[0], c1[2]};
    const Fr s1 = random();
    proof.rounds.push_back((commit_vector(params(), w1, 2, s1) + G1(params().g()[0]) * adj).to_affine());
    tr.absorb("zk.sumcheck.round", proof.rounds[1]);
    const Fr r1 = tr.challenge<Fr>("zk.sumcheck.challenge");
    // Finals and the product, honestly.
    const std::vector<Fr> point{r0, r1};
    const Fr f0 = poly::evaluate_mle<Fr>(tables[0], point), f1 = poly::evaluate_mle<Fr>(tables[1], point);
    const Fr b0 = random(), b1 = random(), bz = random();
    proof.finals = {commit_scalar(params(), f0, b0).to_affine(), commit_scalar(params(), f1, b1).to_affine()};
    tr.absorb_many("zk.sumcheck.final", proof.finals);
    const Fr v = f0 * f1;
    proof.products = {commit_scalar(params(), v, bz).to_affine()};
    proof.product_proofs = {prove_product(params(), proof.finals[0], proof.finals[1], proof.products[0],
                                          ProductWitness{f0, b0, f1, b1, bz}, tr, random)};
    // The effective round vectors satisfy the unweighted check.
    Fr big_r;
    std::vector<Fr> a = detail::consistency_vector(shape, point, &big_r);
    const std::vector<Fr> w_eff{w0[0] + adj, w0[1], w1[0], w1[1]};
    Fr dot = Fr::zero();
    for (size_t i = 0; i < 4; ++i) dot += a[i] * w_eff[i];
    *unweighted_holds = dot == v - big_r * claim;
    // The weighted statement the verifier checks: W = C_0 + lambda C_1.
    const Fr lambda = pcs::nonzero_challenge(tr, "zk.sumcheck.lambda");
    const Fr li = lambda.inverse();
    const std::vector<Fr> w{w0[0] + lambda * adj, w0[1], lambda * w1[0], lambda * w1[1]};
    const std::vector<Fr> a_w{a[0], a[1], a[2] * li, a[3] * li};
    const G1Affine cx = (G1(proof.rounds[0]) + G1(proof.rounds[1]) * lambda).to_affine();
    const G1Affine y = commit_scalar(params(), v - big_r * claim, bz).to_affine();
    proof.dot = prove_dot_product(params(), cx, 0, w, s0 + lambda * s1, a_w, y, bz, tr, random);
    auto tv = fresh();
    return verify(params(), comp, 2, pub, pcs::EvalClaim::plain(claim), proof, table_evaluator(tables), tv);
  };
  bool holds = false;
  const Verdict honest = attack(Fr::zero(), &holds);
  EXPECT_TRUE(holds);
  EXPECT_TRUE(honest) << honest.reason();
  const Verdict cheat = attack(Fr::one(), &holds);
  EXPECT_TRUE(holds);  // the unweighted check would have accepted
  EXPECT_FALSE(cheat);
  EXPECT_NE(cheat.reason().find("round consistency"), std::string::npos) << cheat.reason();
}

bool contains(const std::vector<uint8_t>& hay, const std::array<uint8_t, 32>& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// No witness value (table entry, final evaluation, claim) occurs in the proof bytes, while the
// plain sumcheck's proof of the same statement does contain them (the check can fail).
TEST(ZkSumcheck, NoWitnessValueInProofBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  const RandomFr random = pcs::random_fr(rng);
  const Case c = cases()[1];
  const size_t n = 4;
  ProverRun run = run_prover(c, n, true, random);
  // Small integers too, as in quantized tensors.
  for (size_t x = 0; x < run.tables[0].size(); ++x) run.tables[0][x] = Fr::from_i64(static_cast<int64_t>(x) - 7);
  run.claim = brute_sum(c.comp, run.tables);
  run.prover_claim = {run.claim, random(), commit_scalar(params(), run.claim, Fr::zero()).to_affine()};
  run.prover_claim.commitment = commit_scalar(params(), run.claim, run.prover_claim.blind).to_affine();
  auto tp = fresh();
  run.res = prove(params(), c.comp, run.tables, c.pub, run.prover_claim, tp, random);
  const auto bytes = run.res.proof.to_bytes();
  std::vector<Fr> secrets{run.claim};
  for (const auto& t : run.tables) secrets.insert(secrets.end(), t.begin(), t.end());
  for (const Fr& v : run.res.final_values) secrets.push_back(v);
  for (const Fr& s : secrets) EXPECT_FALSE(contains(bytes, s.to_bytes()));
  // Control: the plain sumcheck's final values are in its proof.
  transcript::Transcript tq("plain");
  const auto plain = sumcheck::prove<Fr>(c.comp, run.tables, tq);
  ByteWriter w;
  plain.proof.serialize(w);
  const auto plain_bytes = w.take();
  EXPECT_TRUE(contains(plain_bytes, plain.final_evals[0].to_bytes()));
}

}  // namespace
}  // namespace zkinfer::zk
