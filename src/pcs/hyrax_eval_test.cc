// Tests of the zero-knowledge Hyrax evaluation proofs (pcs/hyrax_eval.h): single openings with
// plain and committed claims for every size, rejection of wrong values, points, commitments,
// blinds and changed proof fields; batches at one point, at several points (per-point and
// reduced), of mixed sizes; serialization.
#include "pcs/hyrax_eval.h"

#include <gtest/gtest.h>

#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

const HyraxParams& params() {
  static const HyraxParams p(7);
  return p;
}

std::vector<Fr> random_values(TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (Fr& x : v) x = Fr::random(rng);
  return v;
}

struct Poly {
  std::vector<Fr> values;
  HyraxCommitted c;
};

Poly make_poly(TestRng& rng, size_t n, size_t b, bool small) {
  Poly p;
  if (small) {
    std::vector<int64_t> v(size_t{1} << n);
    for (int64_t& x : v) x = static_cast<int64_t>(rng.next_u64() % 65536) - 32768;
    for (int64_t x : v) p.values.push_back(Fr::from_i64(x));
    p.c = commit(params(), std::span<const int64_t>(v), b, rng);
  } else {
    p.values = random_values(rng, size_t{1} << n);
    p.c = commit(params(), std::span<const Fr>(p.values), b, rng);
  }
  return p;
}

TEST(HyraxEval, HonestOpeningsVerifyForAllSizes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n = 0; n <= 12; ++n) {
    for (int kind = 0; kind < 4; ++kind) {
      const bool committed = kind & 1, small = kind & 2;
      const size_t b = n % 3 == 2 ? std::min<size_t>(n + 1, 7) : default_log_cols(n);
      SCOPED_TRACE("n=" + std::to_string(n) + " b=" + std::to_string(b) +
                   (committed ? " committed" : " plain") + (small ? " int64" : " Fr"));
      Poly p = make_poly(rng, n, b, small);
      auto point = random_values(rng, n);
      const Fr v = poly::evaluate_mle<Fr>(p.values, point);
      ProverClaim claim = committed ? commit_claim(params(), v, rng) : ProverClaim::plain(v);
      transcript::Transcript tp("eval-test"), tv("eval-test");
      DotProof proof = prove_eval(params(), p.c.commitment, p.c.blinds, p.values, point, claim, tp,
                                  random_fr(rng));
      EXPECT_EQ(proof.z.size(), size_t{1} << std::min(n, b));
      Verdict ok = verify_eval(params(), p.c.commitment, point, claim.public_claim(), proof, tv);
      EXPECT_TRUE(ok) << ok.reason();
      EXPECT_EQ(tp.state(), tv.state());
    }
  }
}

TEST(HyraxEval, RejectsWrongStatements) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const size_t n = 9, b = 5;
  Poly p = make_poly(rng, n, b, false);
  auto point = random_values(rng, n);
  const Fr v = poly::evaluate_mle<Fr>(p.values, point);
  for (bool committed : {false, true}) {
    SCOPED_TRACE(committed ? "committed" : "plain");
    ProverClaim claim = committed ? commit_claim(params(), v, rng) : ProverClaim::plain(v);
    transcript::Transcript tp("eval-test");
    DotProof proof = prove_eval(params(), p.c.commitment, p.c.blinds, p.values, point, claim, tp,
                                random_fr(rng));
    auto verify = [&](const HyraxCommitment& c, std::span<const Fr> pt, const EvalClaim& cl,
                      const DotProof& pr) {
      transcript::Transcript tv("eval-test");
      return verify_eval(params(), c, pt, cl, pr, tv);
    };
    ASSERT_TRUE(verify(p.c.commitment, point, claim.public_claim(), proof));

    // A wrong value: plain, or a commitment to v + 1, or the right value with a different blind.
    EXPECT_FALSE(verify(p.c.commitment, point, EvalClaim::plain(v + Fr::one()), proof));
    EXPECT_FALSE(verify(p.c.commitment, point,
                        EvalClaim::committed(commit_value(params(), v + Fr::one(), claim.blind)), proof));
    EXPECT_FALSE(verify(p.c.commitment, point,
                        EvalClaim::committed(commit_value(params(), v, claim.blind + Fr::one())), proof));
    // The proof for a plain claim does not verify for the committed form and vice versa.
    EXPECT_FALSE(verify(p.c.commitment, point,
                        committed ? EvalClaim::plain(v) : EvalClaim::committed(commit_value(params(), v, Fr::zero())),
                        proof));
    // A wrong point (row and column variables).
    for (size_t i : {size_t{0}, size_t{4}, size_t{5}, n - 1}) {
      auto wp = point;
      wp[i] += Fr::one();
      Verdict r = verify(p.c.commitment, wp, claim.public_claim(), proof);
      EXPECT_FALSE(r) << "coordinate " << i;
      EXPECT_NE(r.reason().find("hyrax eval: opening 0: final check"), std::string::npos) << r.reason();
    }
    Verdict r = verify(p.c.commitment, std::span<const Fr>(point).first(n - 1), claim.public_claim(), proof);
    EXPECT_FALSE(r);
    EXPECT_NE(r.reason().find("coordinates"), std::string::npos) << r.reason();
    // A wrong commitment: one row changed, or a row missing.
    for (size_t i : {size_t{0}, size_t{7}, size_t{15}}) {
      HyraxCommitment wc = p.c.commitment;
      wc.rows[i] = (G1(wc.rows[i]) + G1::generator()).to_affine();
      EXPECT_FALSE(verify(wc, point, claim.public_claim(), proof)) << "row " << i;
    }
    HyraxCommitment wc = p.c.commitment;
    wc.rows.pop_back();
    EXPECT_FALSE(verify(wc, point, claim.public_claim(), proof));
    // A prover using a wrong blind for one row, or wrong values.
    HyraxBlinds wb = p.c.blinds;
    wb.rho[3] += Fr::one();
    transcript::Transcript tw("eval-test");
    DotProof bad = prove_eval(params(), p.c.commitment, wb, p.values, point, claim, tw, random_fr(rng));
    EXPECT_FALSE(verify(p.c.commitment, point, claim.public_claim(), bad));
    auto wv = p.values;
    wv[100] += Fr::one();
    transcript::Transcript tw2("eval-test");
    bad = prove_eval(params(), p.c.commitment, p.c.blinds, wv, point, claim, tw2, random_fr(rng));
    EXPECT_FALSE(verify(p.c.commitment, point, claim.public_claim(), bad));
    // Each proof field changed.
    for (size_t j : {size_t{0}, size_t{7}, proof.z.size() - 1}) {
      bad = proof;
      bad.z[j] += Fr::one();
      EXPECT_FALSE(verify(p.c.commitment, point, claim.public_claim(), bad)) << "z" << j;
    }
    bad = proof;
    bad.d = G1Affine::generator();
    EXPECT_FALSE(verify(p.c.commitment, point, claim.public_claim(), bad));
    bad = proof;
    bad.z.pop_back();
    Verdict rz = verify(p.c.commitment, point, claim.public_claim(), bad);
    EXPECT_FALSE(rz);
    EXPECT_NE(rz.reason().find("z has"), std::string::npos) << rz.reason();
    bad = proof;
    bad.z2 += Fr::one();
    EXPECT_FALSE(verify(p.c.commitment, point, claim.public_claim(), bad));
  }
}

TEST(HyraxEval, HidingCommitmentsBothOpenAndProofsDiffer) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto values = random_values(rng, 64);
  SecureRng srng;
  HyraxCommitted c1 = commit(params(), std::span<const Fr>(values), 3, srng);
  HyraxCommitted c2 = commit(params(), std::span<const Fr>(values), 3, srng);
  EXPECT_FALSE(c1.commitment == c2.commitment);
  auto point = random_values(rng, 6);
  const Fr v = poly::evaluate_mle<Fr>(values, point);
  std::vector<DotProof> proofs;
  for (const HyraxCommitted* c : {&c1, &c2}) {
    transcript::Transcript tp("eval-test"), tv("eval-test");
    proofs.push_back(prove_eval(params(), c->commitment, c->blinds, values, point,
                                ProverClaim::plain(v), tp, random_fr(srng)));
    EXPECT_TRUE(verify_eval(params(), c->commitment, point, EvalClaim::plain(v), proofs.back(), tv));
  }
  EXPECT_FALSE(proofs[0] == proofs[1]);
}

// ---- batches ----

struct BatchCase {
  std::vector<Poly> polys;
  std::vector<OpeningWitness> witnesses;
  std::vector<OpeningClaim> claims() const {
    std::vector<OpeningClaim> out;
    for (const auto& w : witnesses) out.push_back(w.public_claim());
    return out;
  }
};

// Items: (poly index, point index); points are drawn per distinct index with num_vars of the
// largest polynomial and truncated to each polynomial's size.
BatchCase make_batch(TestRng& rng, const std::vector<size_t>& sizes, size_t b,
                     const std::vector<std::pair<size_t, size_t>>& items, size_t num_points,
                     bool committed) {
  BatchCase bc;
  for (size_t i = 0; i < sizes.size(); ++i) bc.polys.push_back(make_poly(rng, sizes[i], b, i % 2 == 0));
  size_t nmax = *std::max_element(sizes.begin(), sizes.end());
  std::vector<std::vector<Fr>> points;
  for (size_t i = 0; i < num_points; ++i) points.push_back(random_values(rng, nmax));
  for (auto [pi, qi] : items) {
    const Poly& p = bc.polys[pi];
    std::vector<Fr> pt(points[qi].begin(), points[qi].begin() + sizes[pi]);
    const Fr v = poly::evaluate_mle<Fr>(p.values, pt);
    ProverClaim cl = committed && (pi % 2 == 1) ? commit_claim(params(), v, rng) : ProverClaim::plain(v);
    bc.witnesses.push_back({&p.c.commitment, &p.c.blinds, p.values, pt, cl});
  }
  return bc;
}

Verdict run_verify(const std::vector<OpeningClaim>& claims, const HyraxBatchProof& proof) {
  transcript::Transcript tv("batch-test");
  return verify_batch(params(), claims, proof, tv);
}

TEST(HyraxBatch, SamePointSeveralPolynomials) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (bool committed : {false, true}) {
    BatchCase bc = make_batch(rng, {8, 8, 8, 8}, 4, {{0, 0}, {1, 0}, {2, 0}, {3, 0}}, 1, committed);
    transcript::Transcript tp("batch-test");
    HyraxBatchProof proof = prove_batch(params(), bc.witnesses, tp, random_fr(rng));
    EXPECT_EQ(proof.mode, BatchMode::kPerPoint);
    EXPECT_EQ(proof.openings.size(), 1u);
    Verdict ok = run_verify(bc.claims(), proof);
    EXPECT_TRUE(ok) << ok.reason();
    // A wrong member value, for each member.
    for (size_t k = 0; k < 4; ++k) {
      auto claims = bc.claims();
      claims[k].claim = EvalClaim::plain(bc.witnesses[k].claim.value + Fr::one());
      EXPECT_FALSE(run_verify(claims, proof)) << "member " << k;
    }
    // A wrong member commitment.
    HyraxCommitment wc = *bc.witnesses[2].commitment;
    wc.rows[1] = (G1(wc.rows[1]) + G1::generator()).to_affine();
    auto claims = bc.claims();
    claims[2].commitment = &wc;
    EXPECT_FALSE(run_verify(claims, proof));
    // Members reordered.
    claims = bc.claims();
    std::swap(claims[0], claims[1]);
    EXPECT_FALSE(run_verify(claims, proof));
  }
}

TEST(HyraxBatch, PointsDifferingOnlyInRowsShareAnOpening) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (bool committed : {false, true}) {
    // Two polynomials (8 and 6 variables, b = 4) at points with the same 4 column coordinates and
    // different row coordinates (like the digits of one range check): one opening.
    BatchCase bc = make_batch(rng, {8, 6}, 4, {{0, 0}, {1, 1}, {0, 1}}, 2, committed);
    auto col = random_values(rng, 4);
    for (auto& w : bc.witnesses) {
      std::copy(col.begin(), col.end(), w.point.begin());
      const Fr v = poly::evaluate_mle<Fr>(w.values, w.point);
      w.claim = committed ? commit_claim(params(), v, rng) : ProverClaim::plain(v);
    }
    transcript::Transcript tp("batch-test");
    HyraxBatchProof proof = prove_batch(params(), bc.witnesses, tp, random_fr(rng));
    EXPECT_EQ(proof.openings.size(), 1u);
    Verdict ok = run_verify(bc.claims(), proof);
    EXPECT_TRUE(ok) << ok.reason();
    for (size_t k = 0; k < bc.witnesses.size(); ++k) {
      auto claims = bc.claims();
      claims[k].claim = EvalClaim::plain(bc.witnesses[k].claim.value + Fr::one());
      EXPECT_FALSE(run_verify(claims, proof)) << "member " << k;
      claims = bc.claims();
      claims[k].point[5] += Fr::one();  // a row coordinate
      EXPECT_FALSE(run_verify(claims, proof)) << "member " << k << " row point";
    }
  }
}

TEST(HyraxBatch, SeveralPointsMixedSizesBothModes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const std::vector<std::pair<size_t, size_t>> items = {{0, 0}, {1, 0}, {2, 1}, {0, 1}, {3, 2}, {1, 2}};
  for (bool reduced : {false, true}) {
    for (bool committed : {false, true}) {
      SCOPED_TRACE(std::string(reduced ? "reduced" : "per-point") + (committed ? " committed" : " plain"));
      BatchCase bc = make_batch(rng, {9, 6, 9, 3}, 4, items, 3, committed);
      transcript::Transcript tp("batch-test");
      BatchOptions opt;
      opt.allow_reduced = reduced;
      HyraxBatchProof proof = prove_batch(params(), bc.witnesses, tp, random_fr(rng), opt);
      const bool expect_reduced = reduced && !committed;
      EXPECT_EQ(proof.mode, expect_reduced ? BatchMode::kReduced : BatchMode::kPerPoint);
      // Groups are by column prefix (the first min(b, n) coordinates, compared zero-padded):
      // items 0 and 1 share point 0's first 4 coordinates, items 2 and 3 point 1's; item 4 (3
      // variables) and item 5 (point 2's first 4) differ in coordinate 3. 4 groups.
      EXPECT_EQ(proof.openings.size(), expect_reduced ? 1u : 4u);
      Verdict ok = run_verify(bc.claims(), proof);
      ASSERT_TRUE(ok) << ok.reason();
      // Serialization round trip, and the decoded proof verifies.
      auto bytes = proof.to_bytes();
      HyraxBatchProof back = HyraxBatchProof::from_bytes(bytes);
      EXPECT_EQ(back.to_bytes(), bytes);
      EXPECT_TRUE(run_verify(bc.claims(), back));
      // Wrong member value, for each member; wrong point for one member.
      for (size_t k = 0; k < items.size(); ++k) {
        auto claims = bc.claims();
        if (claims[k].claim.is_committed())
          claims[k].claim = EvalClaim::committed(
              commit_value(params(), bc.witnesses[k].claim.value + Fr::one(), bc.witnesses[k].claim.blind));
        else
          claims[k].claim = EvalClaim::plain(bc.witnesses[k].claim.value + Fr::one());
        EXPECT_FALSE(run_verify(claims, proof)) << "member " << k;
        claims = bc.claims();
        claims[k].point[0] += Fr::one();
        EXPECT_FALSE(run_verify(claims, proof)) << "point of member " << k;
      }
      // Changed proof fields.
      for (size_t i = 0; i < proof.reduction.rounds.size(); ++i)
        for (size_t j = 0; j < proof.reduction.rounds[i].evals.size(); ++j) {
          HyraxBatchProof bad = proof;
          bad.reduction.rounds[i].evals[j] += Fr::one();
          Verdict v = run_verify(bc.claims(), bad);
          EXPECT_FALSE(v) << "round " << i << " value " << j;
          EXPECT_NE(v.reason().find("reduction"), std::string::npos) << v.reason();
        }
      for (size_t k = 0; k < proof.reduction.final_evals.size(); ++k) {
        HyraxBatchProof bad = proof;
        bad.reduction.final_evals[k] += Fr::one();
        Verdict v = run_verify(bc.claims(), bad);
        EXPECT_FALSE(v) << "final value " << k;
        EXPECT_NE(v.reason().find("reduction"), std::string::npos) << v.reason();
      }
      if (expect_reduced) {
        // A consistent change: eq_0 and f_0 scaled so that the product is the same. The sumcheck
        // accepts; the eq check catches it.
        HyraxBatchProof bad = proof;
        const Fr two = Fr::from_u64(2);
        bad.reduction.final_evals[0] *= two;
        bad.reduction.final_evals[1] *= two.inverse();
        Verdict v = run_verify(bc.claims(), bad);
        EXPECT_FALSE(v);
        EXPECT_NE(v.reason().find("eq(z_0"), std::string::npos) << v.reason();
        EXPECT_EQ(bytes.size(), proof.size_bytes());
      }
      for (size_t o = 0; o < proof.openings.size(); ++o) {
        HyraxBatchProof bad = proof;
        bad.openings[o].z2 += Fr::one();
        EXPECT_FALSE(run_verify(bc.claims(), bad)) << "opening " << o;
        bad = proof;
        bad.openings[o].d = G1Affine::generator();
        EXPECT_FALSE(run_verify(bc.claims(), bad)) << "opening " << o;
      }
      HyraxBatchProof bad = proof;
      bad.mode = reduced && !committed ? BatchMode::kPerPoint : BatchMode::kReduced;
      EXPECT_FALSE(run_verify(bc.claims(), bad));
      bad = proof;
      bad.openings.pop_back();
      EXPECT_FALSE(run_verify(bc.claims(), bad));
      // An item dropped from the statement.
      auto claims = bc.claims();
      claims.pop_back();
      EXPECT_FALSE(run_verify(claims, proof));
    }
  }
}

TEST(HyraxBatch, ZeroPaddedPointsShareAGroup) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  // A 4-variable polynomial at (z0..z3) and an 8-variable one at (z0..z3, 0, 0, 0, 0): one group.
  Poly a = make_poly(rng, 4, 3, true), b = make_poly(rng, 8, 3, false);
  auto z = random_values(rng, 4);
  std::vector<Fr> zb = z;
  zb.resize(8, Fr::zero());
  std::vector<OpeningWitness> w = {
      {&a.c.commitment, &a.c.blinds, a.values, z, ProverClaim::plain(poly::evaluate_mle<Fr>(a.values, z))},
      {&b.c.commitment, &b.c.blinds, b.values, zb, ProverClaim::plain(poly::evaluate_mle<Fr>(b.values, zb))}};
  transcript::Transcript tp("batch-test");
  HyraxBatchProof proof = prove_batch(params(), w, tp, random_fr(rng));
  EXPECT_EQ(proof.openings.size(), 1u);
  std::vector<OpeningClaim> claims = {w[0].public_claim(), w[1].public_claim()};
  Verdict ok = run_verify(claims, proof);
  EXPECT_TRUE(ok) << ok.reason();
}

TEST(HyraxBatch, DecoderRejectsCorruptBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  BatchCase bc = make_batch(rng, {5, 5}, 3, {{0, 0}, {1, 1}}, 2, false);
  transcript::Transcript tp("batch-test");
  BatchOptions opt;
  opt.allow_reduced = true;
  HyraxBatchProof proof = prove_batch(params(), bc.witnesses, tp, random_fr(rng), opt);
  ASSERT_EQ(proof.mode, BatchMode::kReduced);
  auto bytes = proof.to_bytes();
  auto bad = bytes;
  bad[0] = 7;  // unknown mode
  EXPECT_THROW(HyraxBatchProof::from_bytes(bad), DecodeError);
  bad = bytes;
  bad[1] = 0xff;  // round count larger than the input
  EXPECT_THROW(HyraxBatchProof::from_bytes(bad), DecodeError);
  bad = bytes;
  bad[9 + 31] = 0xff;  // first round value not canonical
  EXPECT_THROW(HyraxBatchProof::from_bytes(bad), DecodeError);
  bad = bytes;
  bad.resize(bytes.size() - 5);
  EXPECT_THROW(HyraxBatchProof::from_bytes(bad), DecodeError);
  bad = bytes;
  bad.push_back(1);
  EXPECT_THROW(HyraxBatchProof::from_bytes(bad), DecodeError);
  // Every single-byte change either fails to decode or yields a proof that does not verify.
  for (size_t i = 0; i < bytes.size(); i += 7) {
    bad = bytes;
    bad[i] ^= 0x01;
    try {
      HyraxBatchProof p = HyraxBatchProof::from_bytes(bad);
      EXPECT_FALSE(run_verify(bc.claims(), p)) << "byte " << i;
    } catch (const DecodeError&) {
    }
  }
}

// Random byte strings never crash the decoders or the verifier.
TEST(HyraxBatch, RandomBytesNeverCrash) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  BatchCase bc = make_batch(rng, {4}, 2, {{0, 0}}, 1, false);
  transcript::Transcript tp("batch-test");
  const auto good = prove_batch(params(), bc.witnesses, tp, random_fr(rng)).to_bytes();
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<uint8_t> bytes;
    if (iter % 2 == 0) {
      bytes.resize(rng.next_u64() % 600);
      rng.fill(bytes);
    } else {  // a valid prefix with random tail: gets past the headers more often
      bytes.assign(good.begin(), good.begin() + static_cast<long>(rng.next_u64() % good.size()));
      std::vector<uint8_t> tail(rng.next_u64() % 200);
      rng.fill(tail);
      bytes.insert(bytes.end(), tail.begin(), tail.end());
    }
    try {
      HyraxBatchProof p = HyraxBatchProof::from_bytes(bytes);
      EXPECT_FALSE(run_verify(bc.claims(), p));
    } catch (const DecodeError&) {
    }
    try {
      HyraxCommitment::from_bytes(bytes);
    } catch (const DecodeError&) {
    }
  }
}

}  // namespace
}  // namespace zkinfer::pcs
