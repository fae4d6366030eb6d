// Tests of the masked-HyperKZG commitment (pcs/kzg.h) over the TEST-ONLY powers of tau
// tests/vectors/test_pot10.ptau and over powers of a known tau: commitments against independent
// references, strict encodings, openings of every size with plain and hidden claims, batches of
// mixed sizes and points, and rejection of changed values, points, commitments, claim
// commitments and every proof element.
#include "pcs/kzg.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "curve/msm.h"
#include "pcs/hyrax.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

const KzgParams& file_params() {
  static const KzgParams p =
      KzgParams::from_ptau_file(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau", 10);
  return p;
}

std::vector<Fr> random_values(TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (Fr& x : v) x = Fr::random(rng);
  return v;
}

TEST(Kzg, ParamsFromFile) {
  const KzgParams& p = file_params();
  EXPECT_EQ(p.max_vars(), 10u);
  EXPECT_EQ(p.powers().size(), 1024u);
  EXPECT_EQ(p.g1(), G1Affine::generator());
  EXPECT_EQ(p.g2(), G2Affine::generator());
  // The claim generators are Hyrax's (zk/cp.h commits values with them).
  HyraxParams h(1);
  EXPECT_EQ(p.u(), h.u());
  EXPECT_EQ(p.h(), h.h());
  EXPECT_THROW(KzgParams::from_ptau_file(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau", 11),
               Error);
}

// A key's SRS against a powers-of-tau file (verify --srs): the file it came from passes; another
// tau, another beta, other generators or too few powers are each named.
TEST(Kzg, SrsMismatchNamesWhatDiffers) {
  const KzgParams& p = file_params();
  const Ptau file = read_ptau(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau", KzgParams::srs_check_options());
  EXPECT_EQ(file.power, 10u);
  EXPECT_FALSE(p.verifier_part().srs_mismatch(file).has_value());
  const KzgParams other = KzgParams::insecure_from_secrets(Fr::from_u64(12345), Fr::from_u64(678), 4);
  auto reason = [&](const Ptau& f) { return other.srs_mismatch(f).value_or("(none)"); };
  Ptau same;
  same.power = 4;
  same.tau_g1 = {other.g1(), other.tau_g1(), other.tau2_g1()};
  same.tau_g2 = {other.g2(), other.tau_g2(), other.tau2_g2(), other.tau3_g2()};
  same.beta_tau_g1 = {other.beta_g1()};
  EXPECT_FALSE(other.srs_mismatch(same).has_value());
  EXPECT_NE(reason(file).find("[tau]_2 differs"), std::string::npos) << reason(file);
  Ptau f = same;
  f.beta_tau_g1[0] = p.beta_g1();
  EXPECT_NE(reason(f).find("[beta]_1 differs"), std::string::npos) << reason(f);
  f = same;
  f.tau_g2[0] = other.tau_g2();
  EXPECT_NE(reason(f).find("[1]_2 differs"), std::string::npos) << reason(f);
  f = same;
  f.tau_g1[0] = other.beta_g1();
  EXPECT_NE(reason(f).find("[1]_1 differs"), std::string::npos) << reason(f);
  f = same;
  f.power = 2;  // 7 powers, the key states 16
  EXPECT_NE(reason(f).find("the file holds 7"), std::string::npos) << reason(f);
  f = same;
  f.tau_g2.resize(1);
  EXPECT_TRUE(other.srs_mismatch(f).has_value());
  // The one-witness form's extra powers; the three-witness form does not read them.
  f = same;
  f.tau_g1[2] = other.tau_g1();
  EXPECT_NE(reason(f).find("[tau^2]_1 differs"), std::string::npos) << reason(f);
  EXPECT_FALSE(other.with_form(KzgForm::kThreeWitnesses).srs_mismatch(f).has_value());
  f = same;
  f.tau_g2[3] = other.tau2_g2();
  EXPECT_NE(reason(f).find("[tau^3]_2 differs"), std::string::npos) << reason(f);
  f = same;
  f.tau_g2.resize(3);
  EXPECT_NE(reason(f).find("too few points"), std::string::npos) << reason(f);
  // The insecure powers are those of one tau: [tau^2 + tau]_2 and the G1 / G2 powers agree.
  EXPECT_EQ(other.tau2_plus_tau_g2(), (curve::G2(other.tau2_g2()) + curve::G2(other.tau_g2())).to_affine());
  EXPECT_EQ(other.tau_g1(), other.powers()[1]);
  EXPECT_EQ(other.tau2_g1(), other.powers()[2]);
  EXPECT_EQ(p.tau_g1(), p.powers()[1]);
  EXPECT_EQ(p.tau2_g1(), p.powers()[2]);
}

TEST(Kzg, CommitmentMatchesReferences) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  // Against the loaded powers, by the naive MSM (one scalar multiplication per power).
  const KzgParams& p = file_params();
  for (size_t n : {0, 1, 3, 7, 10}) {
    auto v = random_values(rng, size_t{1} << n);
    Fr rho = Fr::random(rng);
    KzgCommitment c = commit_with_blind(p, std::span<const Fr>(v), rho);
    EXPECT_EQ(c.num_vars, n);
    G1 want = curve::msm_naive(p.powers(v.size()), v) + G1(p.beta_g1()) * rho;
    EXPECT_EQ(c.point, want.to_affine()) << n;
  }
  // Against f(tau) and beta computed in the field, for powers of a known tau.
  const Fr tau = Fr::random(rng), beta = Fr::random(rng);
  KzgParams q = KzgParams::insecure_from_secrets(tau, beta, 6);
  for (size_t n : {0, 2, 6}) {
    auto v = random_values(rng, size_t{1} << n);
    Fr rho = Fr::random(rng), f_tau = Fr::zero(), t = Fr::one();
    for (const Fr& x : v) f_tau += x * t, t *= tau;
    KzgCommitment c = commit_with_blind(q, std::span<const Fr>(v), rho);
    EXPECT_EQ(c.point, (G1::generator() * (f_tau + rho * beta)).to_affine()) << n;
  }
  // Small integers: the same commitment as their field embedding.
  std::vector<int64_t> small(256);
  for (int64_t& x : small) x = static_cast<int64_t>(rng.next_u64() % 65536) - 32768;
  std::vector<Fr> embedded;
  for (int64_t x : small) embedded.push_back(Fr::from_i64(x));
  Fr rho = Fr::random(rng);
  EXPECT_EQ(commit_with_blind(p, std::span<const int64_t>(small), rho),
            commit_with_blind(p, std::span<const Fr>(embedded), rho));
  // Hiding: the same values, fresh blinds, different commitments.
  auto a = commit(p, std::span<const int64_t>(small), rng);
  auto b = commit(p, std::span<const int64_t>(small), rng);
  EXPECT_NE(a.commitment.point, b.commitment.point);
}

TEST(Kzg, CommitmentEncodingIsStrict) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto v = random_values(rng, 8);
  KzgCommitment c = commit(file_params(), std::span<const Fr>(v), rng).commitment;
  auto bytes = c.to_bytes();
  ASSERT_EQ(bytes.size(), 36u);
  EXPECT_EQ(KzgCommitment::from_bytes(bytes), c);
  auto bad = [&](std::vector<uint8_t> b) { EXPECT_THROW(KzgCommitment::from_bytes(b), DecodeError); };
  bad(std::vector<uint8_t>(bytes.begin(), bytes.end() - 1));  // truncated
  auto t = bytes;
  t.push_back(0);
  bad(t);  // trailing byte
  t = bytes;
  t[0] = 31;
  bad(t);  // num_vars too large
  t = bytes;
  for (size_t i = 4; i < 35; ++i) t[i] = 0xff;
  t[35] = 0x3f;
  bad(t);  // x >= q
  // An x with no point on the curve: try x = 0, 1, 2, ... until x^3 + 3 is a non-square.
  for (uint64_t x = 0;; ++x) {
    field::Fq fx = field::Fq::from_u64(x);
    if ((fx.square() * fx + curve::kCurveB).sqrt()) continue;
    t = bytes;
    std::fill(t.begin() + 4, t.end(), 0);
    t[4] = static_cast<uint8_t>(x);
    bad(t);
    break;
  }
  // Absorbing: different commitments give different transcripts.
  transcript::Transcript t1("t"), t2("t");
  c.absorb_into(t1);
  KzgCommitment d = c;
  d.num_vars = 2;
  d.absorb_into(t2);
  EXPECT_NE(t1.state(), t2.state());
}

struct Item {
  std::vector<Fr> values;
  KzgCommitted c;
  std::vector<Fr> point;
  ProverClaim claim;
};

Item make_item(const KzgParams& p, TestRng& rng, size_t n, bool hidden, std::vector<Fr> point = {}) {
  Item it;
  it.values = random_values(rng, size_t{1} << n);
  it.c = commit(p, std::span<const Fr>(it.values), rng);
  it.point = point.empty() ? random_values(rng, n) : point;
  Fr v = poly::evaluate_mle<Fr>(it.values, it.point);
  it.claim = hidden ? commit_claim(p, v, rng) : ProverClaim::plain(v);
  return it;
}

std::vector<KzgOpeningWitness> witnesses(const std::vector<Item>& items) {
  std::vector<KzgOpeningWitness> w;
  for (const Item& it : items) w.push_back({&it.c.commitment, &it.c.blinds, it.values, it.point, it.claim});
  return w;
}
std::vector<KzgOpeningClaim> claims(const std::vector<Item>& items) {
  std::vector<KzgOpeningClaim> c;
  for (const Item& it : items) c.push_back({&it.c.commitment, it.point, it.claim.public_claim()});
  return c;
}

using transcript::Encoding;

KzgBatchProof kzg_test_prove(const KzgParams& p, const std::vector<Item>& items, TestRng& rng, Encoding e) {
  transcript::Transcript tr("kzg-test", e);
  auto w = witnesses(items);
  return prove_batch(p, w, tr, random_fr(rng));
}
Verdict kzg_test_verify(const KzgParams& p, const std::vector<KzgOpeningClaim>& c, const KzgBatchProof& proof,
                        Encoding e) {
  transcript::Transcript tr("kzg-test", e);
  return verify_batch(p, c, proof, tr);
}
KzgBatchProof prove(const KzgParams& p, const std::vector<Item>& items, TestRng& rng) {
  return kzg_test_prove(p, items, rng, Encoding::kV1);
}
Verdict verify(const KzgParams& p, const std::vector<KzgOpeningClaim>& c, const KzgBatchProof& proof) {
  return kzg_test_verify(p, c, proof, Encoding::kV1);
}

const KzgParams& file_params_in(KzgForm form) {
  static const KzgParams three = file_params().with_form(KzgForm::kThreeWitnesses);
  return form == KzgForm::kOneWitness ? file_params() : three;
}

class KzgForms : public ::testing::TestWithParam<KzgForm> {};
INSTANTIATE_TEST_SUITE_P(Forms, KzgForms, ::testing::Values(KzgForm::kOneWitness, KzgForm::kThreeWitnesses),
                         [](const auto& info) { return info.param == KzgForm::kOneWitness ? "one" : "three"; });

TEST_P(KzgForms, SingleOpeningsEverySize) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params_in(GetParam());
  const size_t num_witnesses = GetParam() == KzgForm::kOneWitness ? 1 : 3;
  for (size_t n : {0, 1, 2, 3, 5, 8, 10}) {
    for (bool hidden : {false, true}) {
      SCOPED_TRACE("n = " + std::to_string(n) + (hidden ? " hidden" : " plain"));
      std::vector<Item> items = {make_item(p, rng, n, hidden)};
      KzgBatchProof proof = prove(p, items, rng);
      auto c = claims(items);
      Verdict ok = verify(p, c, proof);
      ASSERT_TRUE(ok) << ok.reason();
      EXPECT_EQ(proof.groups.size(), 1u);
      EXPECT_EQ(proof.groups[0].folds.size(), n > 0 ? n - 1 : 0);
      // Round trip through bytes.
      KzgBatchProof back = KzgBatchProof::from_bytes(proof.to_bytes(), GetParam());
      EXPECT_TRUE(verify(p, c, back));
      EXPECT_EQ(proof.witness.size(), num_witnesses);
      EXPECT_EQ(proof.size_bytes(), 8 + 5 * 32 + 8 + 32 * proof.groups[0].folds.size() + 8 +
                                        96 * proof.groups[0].evals.size() + num_witnesses * 32);
      // The other form's parameters reject it (another witness count, another transcript).
      const KzgForm other_form = GetParam() == KzgForm::kOneWitness ? KzgForm::kThreeWitnesses : KzgForm::kOneWitness;
      EXPECT_FALSE(verify(file_params_in(other_form), c, proof));

      // A wrong value / a different P.
      {
        auto bad = c;
        if (hidden) {
          bad[0].claim = EvalClaim::committed(commit_value(p, items[0].claim.value + Fr::one(), items[0].claim.blind));
        } else {
          bad[0].claim = EvalClaim::plain(items[0].claim.value + Fr::one());
        }
        Verdict v = verify(p, bad, proof);
        EXPECT_FALSE(v);
        EXPECT_EQ(v.failure(), Failure::kOpening);
        if (hidden) {  // same value, another blind
          bad[0].claim = EvalClaim::committed(commit_value(p, items[0].claim.value, items[0].claim.blind + Fr::one()));
          EXPECT_FALSE(verify(p, bad, proof));
        }
        // A plain claim where the proof was for a hidden one (and vice versa).
        bad[0].claim = hidden ? EvalClaim::plain(items[0].claim.value)
                              : EvalClaim::committed(commit_value(p, items[0].claim.value, Fr::zero()));
        EXPECT_FALSE(verify(p, bad, proof));
      }
      // A wrong point.
      if (n > 0) {
        auto bad = c;
        bad[0].point[n - 1] += Fr::one();
        EXPECT_FALSE(verify(p, bad, proof));
        bad = c;
        bad[0].point[0] += Fr::one();
        EXPECT_FALSE(verify(p, bad, proof));
      }
      // A different commitment (another polynomial's of the same size, and the right one's
      // point changed by the generator).
      {
        Item other = make_item(p, rng, n, false);
        auto bad = c;
        bad[0].commitment = &other.c.commitment;
        EXPECT_FALSE(verify(p, bad, proof));
        KzgCommitment shifted = items[0].c.commitment;
        shifted.point = (G1(shifted.point) + G1::generator()).to_affine();
        bad[0].commitment = &shifted;
        EXPECT_FALSE(verify(p, bad, proof));
      }
      // Another transcript domain.
      {
        transcript::Transcript tr("other");
        EXPECT_FALSE(verify_batch(p, c, proof, tr));
      }
    }
  }
}

// Every element of a proof changed in turn is rejected.
TEST_P(KzgForms, EveryProofElementMatters) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params_in(GetParam());
  std::vector<Item> items = {make_item(p, rng, 4, true), make_item(p, rng, 2, false), make_item(p, rng, 0, true)};
  KzgBatchProof proof = prove(p, items, rng);
  auto c = claims(items);
  ASSERT_TRUE(verify(p, c, proof));
  const G1 g = G1::generator();
  size_t tried = 0;
  auto expect_reject = [&](const KzgBatchProof& bad, const std::string& what) {
    ++tried;
    Verdict v = verify(p, c, bad);
    EXPECT_FALSE(v) << what;
    EXPECT_EQ(v.failure(), Failure::kOpening) << what;
  };
  for (size_t gi = 0; gi < proof.groups.size(); ++gi) {
    const std::string at = "group " + std::to_string(gi) + " ";
    auto bad = proof;
    bad.groups[gi].mask = (G1(bad.groups[gi].mask) + g).to_affine();
    expect_reject(bad, at + "mask");
    bad = proof;
    bad.groups[gi].mask_value = (G1(bad.groups[gi].mask_value) + g).to_affine();
    expect_reject(bad, at + "mask value");
    bad = proof;
    bad.groups[gi].value += Fr::one();
    expect_reject(bad, at + "value");
    bad = proof;
    bad.groups[gi].rho += Fr::one();
    expect_reject(bad, at + "rho");
    bad = proof;
    bad.groups[gi].blind += Fr::one();
    expect_reject(bad, at + "blind");
    for (size_t k = 0; k < proof.groups[gi].folds.size(); ++k) {
      bad = proof;
      bad.groups[gi].folds[k] = (G1(bad.groups[gi].folds[k]) + g).to_affine();
      expect_reject(bad, at + "fold " + std::to_string(k));
    }
    for (size_t k = 0; k < proof.groups[gi].evals.size(); ++k)
      for (size_t j = 0; j < 3; ++j) {
        bad = proof;
        bad.groups[gi].evals[k][j] += Fr::one();
        expect_reject(bad, at + "eval " + std::to_string(k) + "," + std::to_string(j));
      }
    // Structure: a fold or an evaluation dropped.
    if (!proof.groups[gi].folds.empty()) {
      bad = proof;
      bad.groups[gi].folds.pop_back();
      expect_reject(bad, at + "fold dropped");
    }
    bad = proof;
    bad.groups[gi].evals.pop_back();
    expect_reject(bad, at + "eval dropped");
  }
  for (size_t j = 0; j < proof.witness.size(); ++j) {
    auto bad = proof;
    bad.witness[j] = (G1(bad.witness[j]) + g).to_affine();
    expect_reject(bad, "witness " + std::to_string(j));
  }
  {
    auto bad = proof;
    bad.witness.push_back(proof.witness[0]);
    expect_reject(bad, "a witness too many");
    bad.witness.clear();
    expect_reject(bad, "no witness");
  }
  {
    auto bad = proof;
    bad.groups.pop_back();
    expect_reject(bad, "group dropped");
  }
  EXPECT_GT(tried, 30u);
  // Byte level: truncation and trailing bytes are decode errors.
  auto bytes = proof.to_bytes();
  EXPECT_THROW(KzgBatchProof::from_bytes(std::span<const uint8_t>(bytes).first(bytes.size() - 1), GetParam()),
               DecodeError);
  bytes.push_back(0);
  EXPECT_THROW(KzgBatchProof::from_bytes(bytes, GetParam()), DecodeError);
}

// verify_batch with extra terms that must sum to the identity (the zero-knowledge end section's
// deferred checks), decided in the batch's MSM and pairing check: accepted exactly when both the
// opening and the extra sum hold, and the reason names the failing part.
TEST_P(KzgForms, ExtraTermsJoinTheBatch) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  const KzgParams& p = file_params_in(GetParam());
  std::vector<Item> items = {make_item(p, rng, 5, true), make_item(p, rng, 3, false), make_item(p, rng, 0, true)};
  const KzgBatchProof proof = prove(p, items, rng);
  const auto c = claims(items);
  auto run = [&](const KzgBatchProof& pf, const MsmTerms& extra) {
    transcript::Transcript tr("kzg-test", Encoding::kV1);
    return verify_batch(p, c, pf, tr, extra);
  };
  ASSERT_TRUE(verify(p, c, proof));
  // Holding extra sums: empty, s P - s P, and a*G + b*G - (a + b)*G over three points.
  const G1Affine pt = (G1::generator() * Fr::random(rng)).to_affine();
  const Fr s = Fr::random(rng), a = Fr::random(rng), b = Fr::random(rng);
  MsmTerms empty, cancel, three;
  cancel.add(pt, s);
  cancel.add(pt, -s);
  three.add(G1Affine::generator(), a);
  three.add((G1::generator() * b).to_affine(), Fr::one());
  three.add(G1Affine::generator(), -(a + b));
  for (const MsmTerms* e : {&empty, &cancel, &three}) {
    const Verdict v = run(proof, *e);
    EXPECT_TRUE(v) << v.reason();
  }
  // Failing extra sums (one term off by one): rejected, reason "the deferred checks fail".
  MsmTerms off = three;
  off.scalars[0] += Fr::one();
  MsmTerms single;
  single.add(pt, Fr::one());
  for (const MsmTerms* e : {&off, &single}) {
    const Verdict v = run(proof, *e);
    EXPECT_FALSE(v);
    EXPECT_EQ(v.failure(), Failure::kOpening);
    EXPECT_NE(v.reason().find("the deferred checks fail"), std::string::npos) << v.reason();
  }
  // A changed proof with a holding extra sum: the opening's own reason.
  {
    auto bad = proof;
    bad.groups[0].blind += Fr::one();  // (absorbed: the later challenges change, a fold fails first)
    const Verdict v = run(bad, three);
    EXPECT_FALSE(v);
    EXPECT_EQ(v.reason().find("deferred"), std::string::npos) << v.reason();
    bad = proof;
    bad.witness[0] = (G1(bad.witness[0]) + G1::generator()).to_affine();
    const Verdict w = run(bad, three);
    EXPECT_FALSE(w);
    EXPECT_NE(w.reason().find("the pairing check fails"), std::string::npos) << w.reason();
    // The extra sum off and the proof changed: rejected.
    EXPECT_FALSE(run(bad, off));
  }
  // A prover whose hidden claim's commitment is not v U + t H for the blind t it uses: the proof is
  // consistent with the transcript, only that group's Pedersen equation fails (off by a multiple
  // of H). Rejected with the group named, with or without a holding extra sum, and an extra term
  // on H cannot cancel it (the groups' weights are drawn after the extra terms are fixed).
  {
    std::vector<Item> liars = items;
    ProverClaim& cl = liars[1].claim;
    cl = commit_claim(p, cl.value, rng);
    cl.commitment = commit_value(p, cl.value, cl.blind + Fr::one());
    const KzgBatchProof lie = prove(p, liars, rng);
    const auto lc = claims(liars);
    auto run_lie = [&](const MsmTerms& extra) {
      transcript::Transcript tr("kzg-test", Encoding::kV1);
      return verify_batch(p, lc, lie, tr, extra);
    };
    const Verdict v0 = verify(p, lc, lie);
    EXPECT_FALSE(v0);
    EXPECT_NE(v0.reason().find("does not open the claims' commitments"), std::string::npos) << v0.reason();
    for (const MsmTerms* e : {&empty, &three}) {
      const Verdict v = run_lie(*e);
      EXPECT_FALSE(v);
      EXPECT_NE(v.reason().find("does not open the claims' commitments"), std::string::npos) << v.reason();
    }
    for (const Fr& k : {Fr::one(), -Fr::one(), Fr::random(rng)}) {
      MsmTerms comp;
      comp.add(p.h(), k);
      EXPECT_FALSE(run_lie(comp));
    }
  }
}

// Both transcript encodings: v1 absorbs every item's point, v2 each group's point once with the
// group's members (kzg keys of version 4).
class KzgEnc : public ::testing::TestWithParam<Encoding> {};
INSTANTIATE_TEST_SUITE_P(Encodings, KzgEnc, ::testing::Values(Encoding::kV1, Encoding::kV2),
                         [](const auto& info) { return info.param == Encoding::kV1 ? "v1" : "v2"; });

TEST_P(KzgEnc, BatchesOfMixedSizesAndPoints) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params();
  const Encoding enc = GetParam();
  auto prove = [&](const KzgParams& pp, const std::vector<Item>& its, TestRng& r) { return kzg_test_prove(pp, its, r, enc); };
  auto verify = [&](const KzgParams& pp, const std::vector<KzgOpeningClaim>& cc, const KzgBatchProof& pf) {
    return kzg_test_verify(pp, cc, pf, enc);
  };
  // Points: z (6 coordinates), z's prefixes zero-padded, and two unrelated points.
  std::vector<Fr> z = random_values(rng, 6);
  std::vector<Fr> z4(z.begin(), z.begin() + 4);
  std::vector<Fr> z4pad = z4;
  z4pad.resize(6, Fr::zero());
  std::vector<Item> items;
  items.push_back(make_item(p, rng, 6, true, z));
  items.push_back(make_item(p, rng, 6, false, z4pad));  // same group as the 4-variable items at z4
  items.push_back(make_item(p, rng, 4, true, z4));
  items.push_back(make_item(p, rng, 4, false, z4));
  items.push_back(make_item(p, rng, 3, true));
  items.push_back(make_item(p, rng, 0, false));
  items.push_back(make_item(p, rng, 0, true));
  items.push_back(make_item(p, rng, 9, true));
  items.push_back(make_item(p, rng, 6, true, z));  // second item at z
  // The same commitment opened at two points.
  Item again = items[0];
  again.point = random_values(rng, 6);
  again.claim = commit_claim(p, poly::evaluate_mle<Fr>(again.values, again.point), rng);
  items.push_back(again);
  KzgBatchProof proof = prove(p, items, rng);
  auto c = claims(items);
  Verdict ok = verify(p, c, proof);
  ASSERT_TRUE(ok) << ok.reason();
  // Groups: z, z4/z4pad, the 3-variable point, the two 0-variable items (empty point), the
  // 9-variable point, the second point of item 0.
  EXPECT_EQ(proof.groups.size(), 6u);
  // Changing any one claim, point or commitment is rejected.
  for (size_t i = 0; i < items.size(); ++i) {
    SCOPED_TRACE("item " + std::to_string(i));
    auto bad = c;
    const Fr v1 = items[i].claim.value + Fr::one();
    bad[i].claim = items[i].claim.commitment ? EvalClaim::committed(commit_value(p, v1, items[i].claim.blind))
                                             : EvalClaim::plain(v1);
    EXPECT_FALSE(verify(p, bad, proof));
    if (!items[i].point.empty()) {
      bad = c;
      bad[i].point.back() += Fr::one();
      EXPECT_FALSE(verify(p, bad, proof));
    }
    bad = c;
    bad[i].commitment = &items[(i + 2) % items.size()].c.commitment;  // (item 9 shares item 0's)
    EXPECT_FALSE(verify(p, bad, proof));
  }
  // Items reordered: a different statement (the transcript differs), rejected.
  auto swapped = c;
  std::swap(swapped[0], swapped[8]);
  EXPECT_FALSE(verify(p, swapped, proof));
  // An item left out.
  auto fewer = c;
  fewer.pop_back();
  EXPECT_FALSE(verify(p, fewer, proof));
  // The other encoding's verifier rejects the proof (another transcript).
  EXPECT_FALSE(kzg_test_verify(p, c, proof, enc == Encoding::kV1 ? Encoding::kV2 : Encoding::kV1));
}

// v2 absorbs each group's point once: which items belong to which group is absorbed too (their
// members). Two statements whose items absorb the same commitments and claims in the same order,
// with the same group points in the same order, differing only in which item is at which point
// (a constant polynomial has the same value everywhere), must absorb differently; and a proof of
// one does not verify for the other.
TEST(Kzg, V2BindsGroupMembership) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params();
  const std::vector<Fr> z1 = random_values(rng, 4), z2 = random_values(rng, 4);
  Item x = make_item(p, rng, 4, false, z1);
  std::fill(x.values.begin(), x.values.end(), Fr::from_u64(7));
  x.c = commit(p, std::span<const Fr>(x.values), rng);
  x.claim = ProverClaim::plain(Fr::from_u64(7));
  std::vector<Item> a = {make_item(p, rng, 4, false, z1), x, x};
  a[1].point = z2;  // groups z1 {0, 2}, z2 {1}
  std::vector<Item> b = a;
  b[1].point = z1;  // groups z1 {0, 1}, z2 {2}
  b[2].point = z2;
  auto state = [&](const std::vector<Item>& its, Encoding e) {
    transcript::Transcript tr("kzg-test", e);
    absorb_batch_statement(p, claims(its), tr);
    return tr.state();
  };
  EXPECT_NE(state(a, Encoding::kV2), state(b, Encoding::kV2));
  EXPECT_NE(state(a, Encoding::kV1), state(b, Encoding::kV1));
  for (Encoding e : {Encoding::kV1, Encoding::kV2}) {
    const KzgBatchProof proof = kzg_test_prove(p, a, rng, e);
    EXPECT_EQ(proof.groups.size(), 2u);
    EXPECT_TRUE(kzg_test_verify(p, claims(a), proof, e));
    EXPECT_FALSE(kzg_test_verify(p, claims(b), proof, e));
  }
}

// A prover whose claim is false cannot make the verifier accept.
TEST(Kzg, FalseClaimsFail) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params();
  for (bool hidden : {false, true}) {
    std::vector<Item> items = {make_item(p, rng, 5, hidden), make_item(p, rng, 3, !hidden)};
    items[0].claim.value += Fr::one();  // false value, and (hidden) a P that commits to it
    if (hidden) items[0].claim.commitment = commit_value(p, items[0].claim.value, items[0].claim.blind);
    KzgBatchProof proof = prove(p, items, rng);
    EXPECT_FALSE(verify(p, claims(items), proof)) << hidden;
  }
}

// The masks are fresh: two proofs of one statement share no message, and the revealed value is
// not the claimed one.
TEST(Kzg, MasksAreFresh) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams& p = file_params();
  std::vector<Item> items = {make_item(p, rng, 4, true)};
  KzgBatchProof a = prove(p, items, rng), b = prove(p, items, rng);
  EXPECT_TRUE(verify(p, claims(items), a));
  EXPECT_TRUE(verify(p, claims(items), b));
  EXPECT_NE(a.groups[0].value, b.groups[0].value);
  EXPECT_NE(a.groups[0].value, items[0].claim.value);
  EXPECT_NE(a.groups[0].mask, b.groups[0].mask);
  EXPECT_NE(a.groups[0].evals[0][0], b.groups[0].evals[0][0]);
  EXPECT_NE(a.witness[0], b.witness[0]);
}

// Powers of a known tau serve sizes beyond the test file (for the benchmark) the same way.
TEST(Kzg, InsecureParamsOpenLargerPolynomials) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  KzgParams p = KzgParams::insecure_from_secrets(Fr::random(rng), Fr::random(rng), 12);
  std::vector<Item> items = {make_item(p, rng, 12, true), make_item(p, rng, 11, false)};
  KzgBatchProof proof = prove(p, items, rng);
  EXPECT_TRUE(verify(p, claims(items), proof));
  // And a proof under one setup does not verify under another.
  KzgParams other = KzgParams::insecure_from_secrets(Fr::random(rng), Fr::random(rng), 12);
  EXPECT_FALSE(verify(other, claims(items), proof));
}

// A proving key's powers read back (KzgParams::read_powers): the same powers; one power replaced
// by another valid point, or two powers swapped, fails the randomized consistency check (128-bit
// weights since session 11) with its reason.
TEST(Kzg, ReadPowersChecksConsistency) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const KzgParams p = KzgParams::insecure_from_secrets(Fr::random(rng), Fr::random(rng), 6);
  ByteWriter vw;
  p.serialize_verifier(vw);
  ByteReader vr(vw.data());
  const KzgParams verifier = KzgParams::deserialize_verifier(vr, p.form());
  ByteWriter w;
  p.serialize_powers(w);
  const std::vector<uint8_t> good = w.take();
  {
    ByteReader r(good);
    const KzgParams back = KzgParams::read_powers(verifier, r);
    ASSERT_EQ(back.powers().size(), p.powers().size());
    for (size_t i = 0; i < p.powers().size(); ++i) EXPECT_EQ(back.powers()[i], p.powers()[i]);
  }
  ASSERT_EQ(good.size(), 8 + 64 * p.powers().size());  // uncompressed since session 13
  auto put = [](std::vector<uint8_t>& b, size_t i, const G1Affine& q) {
    const auto x = q.x.to_bytes(), y = q.y.to_bytes();
    std::copy(x.begin(), x.end(), b.begin() + 8 + 64 * static_cast<std::ptrdiff_t>(i));
    std::copy(y.begin(), y.end(), b.begin() + 8 + 64 * static_cast<std::ptrdiff_t>(i) + 32);
  };
  for (size_t i : {size_t{3}, size_t{63}}) {
    std::vector<uint8_t> bad = good;
    put(bad, i, (G1(p.powers()[i]) + G1::generator()).to_affine());
    ByteReader r(bad);
    try {
      (void)KzgParams::read_powers(verifier, r);
      ADD_FAILURE() << "a changed power " << i << " was accepted";
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find("not consecutive powers"), std::string::npos) << e.what();
    }
  }
  {
    std::vector<uint8_t> bad = good;
    put(bad, 10, p.powers()[11]);
    put(bad, 11, p.powers()[10]);
    ByteReader r(bad);
    EXPECT_THROW((void)KzgParams::read_powers(verifier, r), DecodeError);
  }
}

// The powers' encodings (KzgParams::serialize_powers): the uncompressed one (count with bit 63)
// rejects points off the curve, non-canonical coordinates, a short section and a wrong count, each
// with its reason; the compressed one of keys written before session 13 still loads, to the same
// powers, and is checked as before.
TEST(Kzg, ReadPowersEncodings) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const KzgParams p = KzgParams::insecure_from_secrets(Fr::random(rng), Fr::random(rng), 5);
  ByteWriter vw;
  p.serialize_verifier(vw);
  ByteReader vr(vw.data());
  const KzgParams verifier = KzgParams::deserialize_verifier(vr, p.form());
  ByteWriter w;
  p.serialize_powers(w);
  const std::vector<uint8_t> good = w.take();
  const size_t n = p.powers().size();
  auto fails_with = [&](const std::vector<uint8_t>& bytes, const std::string& why) {
    ByteReader r(bytes);
    try {
      (void)KzgParams::read_powers(verifier, r);
      ADD_FAILURE() << "accepted; expected: " << why;
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  {
    std::vector<uint8_t> bad = good;
    bad[8 + 64 * 5 + 32] ^= 1;  // y of power 5 changed: off the curve
    fails_with(bad, "not a valid point");
  }
  {
    std::vector<uint8_t> bad = good;
    for (size_t k = 0; k < 32; ++k) bad[8 + 64 * 7 + k] = 0xff;  // x of power 7 >= q
    fails_with(bad, "not a valid point");
  }
  {
    std::vector<uint8_t> bad = good;
    for (size_t k = 0; k < 64; ++k) bad[8 + 64 * 9 + k] = 0;  // (0, 0): not on the curve
    fails_with(bad, "not a valid point");
  }
  {
    std::vector<uint8_t> bad(good.begin(), good.end() - 1);
    ByteReader r(bad);
    EXPECT_THROW((void)KzgParams::read_powers(verifier, r), DecodeError);
  }
  {
    std::vector<uint8_t> bad = good;
    bad[0] = static_cast<uint8_t>(n / 2);  // a count the key does not state
    fails_with(bad, "powers, the key states");
  }
  // The compressed encoding, as serialize_powers wrote it before.
  ByteWriter cw;
  cw.u64(n);
  for (const G1Affine& q : p.powers()) cw.bytes(q.to_bytes());
  const std::vector<uint8_t> old = cw.take();
  {
    ByteReader r(old);
    const KzgParams back = KzgParams::read_powers(verifier, r);
    r.expect_end();
    ASSERT_EQ(back.powers().size(), n);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(back.powers()[i], p.powers()[i]);
  }
  {
    std::vector<uint8_t> bad = old;
    const auto q = (G1(p.powers()[4]) + G1::generator()).to_affine().to_bytes();
    std::copy(q.begin(), q.end(), bad.begin() + 8 + 32 * 4);
    fails_with(bad, "not consecutive powers");
  }
  {
    std::vector<uint8_t> bad = old;
    bad[8 + 32 * 3 + 31] |= 0x40;  // the identity flag on a nonzero x
    fails_with(bad, "not a valid point");
  }
}

}  // namespace
}  // namespace zkinfer::pcs
