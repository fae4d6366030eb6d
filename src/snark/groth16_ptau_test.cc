// Groth16 keys from a powers-of-tau file (groth16_setup_ptau) over the TEST-ONLY power-10 file in
// tests/vectors (scripts/make-test-ptau.sh): the group inverse NTT against the field one and the
// Lagrange identities sum_i L_i = 1, sum_i w^i L_i = tau; honest proofs verify, changed ones and
// another circuit's are rejected; a file with too few powers is refused. Prepared files (the
// Lagrange sections 12-15, from the TEST-ONLY writer): their points equal the group inverse NTT,
// the setup uses them, and a prepared and an unprepared file of the same secrets give byte-identical
// keys under the same randomness; a changed Lagrange point makes the file refused.
#include <gtest/gtest.h>

#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "curve/g2_msm.h"
#include "curve/msm.h"
#include "pcs/ptau_writer.h"
#include "poly/ntt.h"
#include "snark/groth16.h"
#include "snark/groth16_test_circuit.h"
#include "test_seed.h"

namespace zkinfer::snark {
namespace {

using curve::G1;
using curve::G2;
using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

const std::string kPtau = std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau";

TEST(Groth16Ptau, GroupInttMatchesFieldIntt) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {1, 2, 8, 32}) {
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    std::vector<G1> p1(n);
    std::vector<G2> p2(n);
    for (size_t i = 0; i < n; ++i) p1[i] = G1::generator() * s[i], p2[i] = G2::generator() * s[i];
    std::vector<G1Affine> a1(n);
    std::vector<G2Affine> a2(n);
    G1::batch_to_affine(p1, a1);
    curve::g2_batch_to_affine(p2, a2);
    std::vector<Fr> t = s;
    poly::intt(t);
    const auto l1 = lagrange_g1(a1);
    const auto l2 = lagrange_g2(a2);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(l1[i], (G1::generator() * t[i]).to_affine()) << n << " " << i;
      EXPECT_EQ(l2[i], (G2::generator() * t[i]).to_affine()) << n << " " << i;
    }
  }
}

class Groth16PtauFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pcs::PtauOptions o;
    o.g1_powers = 2 * 512 - 1;  // domain 2^9
    o.g2_powers = 512;
    ptau_ = new pcs::Ptau(pcs::read_ptau(kPtau, o));
  }
  static void TearDownTestSuite() { delete ptau_; }
  static pcs::Ptau* ptau_;
};
pcs::Ptau* Groth16PtauFile::ptau_ = nullptr;

TEST_F(Groth16PtauFile, LagrangeIdentities) {
  const size_t n = 256;
  const auto l1 = lagrange_g1(std::span(ptau_->tau_g1).first(n));
  const auto l2 = lagrange_g2(std::span(ptau_->tau_g2).first(n));
  const Fr w = poly::root_of_unity(8);
  std::vector<Fr> ones(n, Fr::one()), pw(n);
  pw[0] = Fr::one();
  for (size_t i = 1; i < n; ++i) pw[i] = pw[i - 1] * w;
  EXPECT_EQ(curve::msm(l1, ones).to_affine(), G1Affine::generator());  // sum L_i(tau) = 1
  EXPECT_EQ(curve::msm(l1, pw).to_affine(), ptau_->tau_g1[1]);          // sum w^i L_i(tau) = tau
  EXPECT_EQ(curve::msm_g2(l2, ones).to_affine(), G2Affine::generator());
  EXPECT_EQ(curve::msm_g2(l2, pw).to_affine(), ptau_->tau_g2[1]);
  const auto la = lagrange_g1(std::span(ptau_->alpha_tau_g1).first(n));
  EXPECT_EQ(curve::msm(la, ones).to_affine(), ptau_->alpha_tau_g1[0]);  // alpha
  EXPECT_EQ(curve::msm(la, pw).to_affine(), ptau_->alpha_tau_g1[1]);    // alpha tau
}

TEST_F(Groth16PtauFile, ProofsVerifyAndChangedOnesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  auto rand = [&rng] { return Fr::random(rng); };
  ConstraintSystem dummy, cs;
  build_test_circuit(dummy, Fr::zero(), 400, 5, 3);
  build_test_circuit(cs, Fr::random(rng), 400, 5, 3);
  ASSERT_EQ(groth16_log_domain(cs), 9u);
  const auto pk = groth16_setup_ptau(dummy, *ptau_, rand);
  EXPECT_EQ(pk.vk.gamma, G2Affine::generator());
  EXPECT_EQ(pk.vk.alpha, ptau_->alpha_tau_g1[0]);
  const auto proof = groth16_prove(pk, cs, rand);
  const auto ok = groth16_verify(pk.vk, cs.public_values(), proof);
  EXPECT_TRUE(ok) << ok.reason;
  for (size_t i = 0; i < cs.num_public(); ++i) {
    std::vector<Fr> q = cs.public_values();
    q[i] += Fr::one();
    EXPECT_FALSE(groth16_verify(pk.vk, q, proof)) << i;
  }
  Groth16Proof p = proof;
  p.c = (G1(p.c) + G1::generator()).to_affine();
  EXPECT_FALSE(groth16_verify(pk.vk, cs.public_values(), p));
  // A second phase-2 contribution (another delta): other key, the first key's proof rejected.
  const auto pk2 = groth16_setup_ptau(dummy, *ptau_, rand);
  EXPECT_FALSE(pk2.vk.delta == pk.vk.delta);
  EXPECT_FALSE(groth16_verify(pk2.vk, cs.public_values(), proof));
  EXPECT_TRUE(groth16_verify(pk2.vk, cs.public_values(), groth16_prove(pk2, cs, rand)));
  // The same statement under the TEST-ONLY toxic-waste setup: both keys' proofs verify only under
  // their own key.
  const auto pk3 = groth16_setup_insecure(dummy, test_seed());
  EXPECT_FALSE(groth16_verify(pk3.vk, cs.public_values(), proof));
  // The input-consistency rows' IC points are distinct.
  EXPECT_FALSE(pk.vk.ic[1] == pk.vk.ic[2]);
}

TEST_F(Groth16PtauFile, TooFewPowersAreRefused) {
  ConstraintSystem dummy;
  build_test_circuit(dummy, Fr::zero(), 600, 0, 3);  // domain 2^10 > the 2^9 read
  ASSERT_EQ(groth16_log_domain(dummy), 10u);
  EXPECT_EQ(groth16_ptau_options(dummy).g1_powers, 2047u);
  EXPECT_EQ(groth16_ptau_options(dummy).g2_powers, 1024u);
  try {
    groth16_setup_ptau(dummy, *ptau_, [] { return Fr::from_u64(5); });
    ADD_FAILURE() << "accepted a file with too few powers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs 2047"), std::string::npos) << e.what();
  }
}

// ---- prepared files (Lagrange sections) ----

// A prepared and an unprepared TEST-ONLY file of the same secrets, power 9 (the test circuit's
// domain), read as groth16_setup_ptau's callers do (groth16_ptau_options).
class Groth16PtauPrepared : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    build_test_circuit(*(dummy_ = new ConstraintSystem), Fr::zero(), 400, 5, 3);
    const auto s = pcs::insecure_test_ptau_secrets("groth16_ptau_test");
    prepared_bytes_ = new std::vector<uint8_t>(pcs::insecure_test_ptau_bytes(9, s));
    prepared_ = new pcs::Ptau(pcs::read_ptau_bytes(*prepared_bytes_, "prepared.ptau", groth16_ptau_options(*dummy_)));
    plain_ = new pcs::Ptau(
        pcs::read_ptau_bytes(pcs::insecure_test_ptau_bytes(9, s, false), "plain.ptau", groth16_ptau_options(*dummy_)));
  }
  static void TearDownTestSuite() {
    delete dummy_, delete prepared_bytes_, delete prepared_, delete plain_;
  }
  static ConstraintSystem* dummy_;
  static std::vector<uint8_t>* prepared_bytes_;
  static pcs::Ptau *prepared_, *plain_;
};
ConstraintSystem* Groth16PtauPrepared::dummy_ = nullptr;
std::vector<uint8_t>* Groth16PtauPrepared::prepared_bytes_ = nullptr;
pcs::Ptau* Groth16PtauPrepared::prepared_ = nullptr;
pcs::Ptau* Groth16PtauPrepared::plain_ = nullptr;

TEST_F(Groth16PtauPrepared, LagrangeSectionsEqualTheGroupIntt) {
  ASSERT_EQ(groth16_log_domain(*dummy_), 9u);
  ASSERT_TRUE(prepared_->prepared);
  ASSERT_TRUE(prepared_->lagrange.has_value());
  EXPECT_FALSE(plain_->prepared);
  EXPECT_FALSE(plain_->lagrange.has_value());
  const auto& l = *prepared_->lagrange;
  const size_t n = 512;
  ASSERT_EQ(l.power, 9u);
  EXPECT_EQ(l.tau_g1, lagrange_g1(std::span(plain_->tau_g1).first(n)));
  EXPECT_EQ(l.alpha_tau_g1, lagrange_g1(std::span(plain_->alpha_tau_g1).first(n)));
  EXPECT_EQ(l.beta_tau_g1, lagrange_g1(std::span(plain_->beta_tau_g1).first(n)));
  EXPECT_EQ(l.tau_g2, lagrange_g2(std::span(plain_->tau_g2).first(n)));
}

TEST_F(Groth16PtauPrepared, PreparedAndUnpreparedGiveTheSameKey) {
  SCOPED_TRACE(seed_note());
  const uint64_t seed = test_seed() + 2;
  TestRng r1(seed), r2(seed), rng(seed + 1);
  const auto pk = groth16_setup_ptau(*dummy_, *prepared_, [&r1] { return Fr::random(r1); });
  const auto pk_plain = groth16_setup_ptau(*dummy_, *plain_, [&r2] { return Fr::random(r2); });
  const auto bytes = groth16_pk_to_bytes(pk);
  EXPECT_GT(bytes.size(), size_t{512} * 64);
  EXPECT_TRUE(bytes == groth16_pk_to_bytes(pk_plain));
  // A proof under it verifies; a changed public input is rejected.
  ConstraintSystem cs;
  build_test_circuit(cs, Fr::random(rng), 400, 5, 3);
  auto rand = [&rng] { return Fr::random(rng); };
  const auto proof = groth16_prove(pk, cs, rand);
  const auto ok = groth16_verify(pk.vk, cs.public_values(), proof);
  EXPECT_TRUE(ok) << ok.reason;
  std::vector<Fr> q = cs.public_values();
  q[0] += Fr::one();
  EXPECT_FALSE(groth16_verify(pk.vk, q, proof));
}

// The setup takes the file's Lagrange points when there are some (not a silent fallback): with
// the points of a Ptau changed by hand (bypassing read_ptau's check) the key changes.
TEST_F(Groth16PtauPrepared, SetupUsesTheFilesLagrangePoints) {
  pcs::Ptau changed = *prepared_;
  changed.lagrange->tau_g1[3] = changed.lagrange->tau_g1[4];
  auto five = [] { return Fr::from_u64(5); };
  const auto a = groth16_pk_to_bytes(groth16_setup_ptau(*dummy_, *prepared_, five));
  const auto b = groth16_pk_to_bytes(groth16_setup_ptau(*dummy_, changed, five));
  EXPECT_FALSE(a == b);
  // ...and read_ptau refuses exactly that change in a file.
  auto bad = *prepared_bytes_;
  size_t pos = 12, at = 0;
  for (uint32_t i = 0; i < 11; ++i) {  // section 12's data
    uint32_t id = 0;
    uint64_t size = 0;
    for (int j = 0; j < 4; ++j) id |= uint32_t{bad[pos + j]} << (8 * j);
    for (int j = 0; j < 8; ++j) size |= uint64_t{bad[pos + 4 + j]} << (8 * j);
    if (id == 12) at = pos + 12;
    pos += 12 + size;
  }
  ASSERT_NE(at, 0u);
  const size_t base = 511;  // the domain 2^9's block
  std::copy_n(bad.begin() + static_cast<std::ptrdiff_t>(at + (base + 4) * 64), 64,
              bad.begin() + static_cast<std::ptrdiff_t>(at + (base + 3) * 64));
  try {
    pcs::read_ptau_bytes(bad, "changed.ptau", groth16_ptau_options(*dummy_));
    ADD_FAILURE() << "accepted a file with a changed Lagrange point";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("section 12 (tauG1 Lagrange)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zkinfer::snark
