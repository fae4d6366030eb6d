// Zero-knowledge of the ZK sumcheck, tested statistically (docs/PROTOCOL.md, "Zero knowledge"):
// on a small instance (eq * f * g over 2 variables: round commitments, final commitments, a
// product chain and the batched round check, in both modes, all occur), the revealed elements of real proofs
// and of proofs made by the simulator (zk::simulate, which never sees the factors nor the claim's
// opening) have the same distribution: for every position in the proof, a two-sample chi-square
// test on two features of the element's encoding, the low 4 bits of byte 0 (the low byte of a
// point's x or of a scalar) and of byte 17 (a middle byte), over many runs. The same test separates real proofs made without blinding (the negative
// control), and finds no difference between real proofs for two different witnesses.
#include <gtest/gtest.h>

#include <array>

#include "common/random.h"
#include "poly/mle.h"
#include "test_seed.h"
#include "zk/zk_sumcheck.h"

namespace zkinfer::zk {
namespace {

using testing::seed_note;
using testing::test_seed;

constexpr size_t kRuns = 500;
constexpr size_t kBins = 16;
// The chi-square (15 degrees of freedom) value exceeded with probability about 1e-6
// (Wilson-Hilferty approximation).
constexpr double kThreshold = 57.0;

const PedersenParams& params() {
  static const PedersenParams p(4);
  return p;
}

// The proof's revealed elements, in order, as their 32-byte encodings.
std::vector<std::array<uint8_t, 32>> elements(const ZkSumcheckProof& p) {
  std::vector<std::array<uint8_t, 32>> out;
  for (const auto& x : p.rounds) out.push_back(x.to_bytes());
  for (const auto& x : p.finals) out.push_back(x.to_bytes());
  for (size_t i = 0; i < p.products.size(); ++i) {
    const ProductProof& q = p.product_proofs[i];
    for (const G1Affine* g : {&p.products[i], &q.alpha, &q.beta, &q.delta}) out.push_back(g->to_bytes());
    for (const Fr* z : {&q.z1, &q.z2, &q.z3, &q.z4, &q.z5}) out.push_back(z->to_bytes());
  }
  if (p.mode == ConsistencyMode::kLog) {
    for (size_t j = 0; j < p.ipa.l.size(); ++j) {
      out.push_back(p.ipa.l[j].to_bytes());
      out.push_back(p.ipa.r[j].to_bytes());
    }
    out.push_back(p.ipa.a.to_bytes());
    out.push_back(p.ipa.z1.to_bytes());
    out.push_back(p.ipa.z2.to_bytes());
  } else {
    out.push_back(p.dot.delta.to_bytes());
    out.push_back(p.dot.beta.to_bytes());
    for (const Fr& z : p.dot.z) out.push_back(z.to_bytes());
    out.push_back(p.dot.zd.to_bytes());
    out.push_back(p.dot.zb.to_bytes());
  }
  return out;
}

using Histograms = std::vector<std::array<size_t, kBins>>;

void add(Histograms& h, const ZkSumcheckProof& p) {
  const auto el = elements(p);
  if (h.empty()) h.resize(2 * el.size(), std::array<size_t, kBins>{});
  ASSERT_EQ(h.size(), 2 * el.size());
  for (size_t i = 0; i < el.size(); ++i) {
    ++h[2 * i][el[i][0] % kBins];
    ++h[2 * i + 1][el[i][17] % kBins];
  }
}

// Two-sample chi-square statistic per position (equal sample sizes).
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

// The statement: eq(rho, x) f(x) g(x) over n = 2 variables with a committed claim.
struct Instance {
  size_t n = 2;
  Composition comp = Composition::product(3);
  std::vector<Fr> rho;
  std::vector<std::vector<Fr>> factors;  // factors[0] empty (eq)
  pcs::ProverClaim claim;

  Instance(TestRng& rng) {
    for (size_t i = 0; i < n; ++i) rho.push_back(Fr::random(rng));
    factors.resize(3);
    for (size_t j = 1; j < 3; ++j)
      for (size_t x = 0; x < (size_t{1} << n); ++x) factors[j].push_back(Fr::random(rng));
    const auto eq = poly::eq_table<Fr>(rho);
    Fr sum = Fr::zero();
    for (size_t x = 0; x < eq.size(); ++x) sum += eq[x] * factors[1][x] * factors[2][x];
    const Fr blind = Fr::random(rng);
    claim = {sum, blind, commit_scalar(params(), sum, blind).to_affine()};
  }
};

Histograms real_histograms(const Instance& inst, uint64_t seed, bool blind,
                           ConsistencyMode mode = ConsistencyMode::kLinear) {
  Histograms h;
  TestRng rng(seed);
  const RandomFr random = blind ? pcs::random_fr(rng) : RandomFr([] { return Fr::zero(); });
  for (size_t run = 0; run < kRuns; ++run) {
    transcript::Transcript t("zk-simulator-test");
    const auto res = prove_with_eq(params(), inst.comp, inst.rho, inst.factors, inst.claim, t, random, mode);
    add(h, res.proof);
  }
  return h;
}

Histograms simulated_histograms(const Instance& inst, uint64_t seed,
                                ConsistencyMode mode = ConsistencyMode::kLinear) {
  Histograms h;
  TestRng rng(seed);
  const RandomFr random = pcs::random_fr(rng);
  const std::vector<Fr> rho = inst.rho;
  auto eq = [&rho](size_t, std::span<const Fr> point) { return poly::eq_eval<Fr>(rho, point); };
  for (size_t run = 0; run < kRuns; ++run)
    add(h, simulate(params(), inst.comp, inst.n, {true, false, false}, inst.claim.public_claim(), eq, random, mode));
  return h;
}

double max_of(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, x);
  return m;
}

class ZkSimulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestRng rng(test_seed());
    a_ = new Instance(rng);
    b_ = new Instance(rng);
    real_a_ = new Histograms(real_histograms(*a_, test_seed() + 1, true));
    sim_a_ = new Histograms(simulated_histograms(*a_, test_seed() + 2));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
    delete real_a_;
    delete sim_a_;
  }
  static Instance *a_, *b_;
  static Histograms *real_a_, *sim_a_;
};
Instance* ZkSimulation::a_ = nullptr;
Instance* ZkSimulation::b_ = nullptr;
Histograms* ZkSimulation::real_a_ = nullptr;
Histograms* ZkSimulation::sim_a_ = nullptr;

TEST_F(ZkSimulation, SimulatedProofsAreDistributedLikeRealOnes) {
  SCOPED_TRACE(seed_note());
  // The simulator's output has the real proof's shape, and it does not see the witness.
  const auto chi = chi_square(*real_a_, *sim_a_);
  ASSERT_EQ(chi.size(), 2 * 23u);  // 2 rounds, 2 finals, 1 product (1 + 8), dot product: 2 + 2 * 3 + 2
  for (size_t i = 0; i < chi.size(); ++i) EXPECT_LT(chi[i], kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

TEST_F(ZkSimulation, LogModeSimulatedProofsAreDistributedLikeRealOnes) {
  SCOPED_TRACE(seed_note());
  const auto real = real_histograms(*a_, test_seed() + 5, true, ConsistencyMode::kLog);
  const auto sim = simulated_histograms(*a_, test_seed() + 6, ConsistencyMode::kLog);
  const auto chi = chi_square(real, sim);
  ASSERT_EQ(chi.size(), 2 * 22u);  // 2 rounds, 2 finals, 1 product (1 + 8), IPA over 8: 3 L/R pairs + 3
  for (size_t i = 0; i < chi.size(); ++i) EXPECT_LT(chi[i], kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

TEST_F(ZkSimulation, RealProofsForTwoWitnessesAreDistributedAlike) {
  SCOPED_TRACE(seed_note());
  const auto real_b = real_histograms(*b_, test_seed() + 3, true);
  const auto chi = chi_square(*real_a_, real_b);
  for (size_t i = 0; i < chi.size(); ++i) EXPECT_LT(chi[i], kThreshold) << "element " << i / 2 << " feature " << i % 2;
}

// The simulator's transcripts are accepting ones: they satisfy every verifier equation for the
// challenges it drew, in both modes, with public and committed claims, several compositions;
// and a changed element fails that check (so the check is not vacuous).
TEST(ZkSimulator, SimulatedTranscriptsAreAccepting) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 9);
  const RandomFr random = pcs::random_fr(rng);
  using T = sumcheck::Term<Fr>;
  const std::vector<std::pair<Composition, std::vector<bool>>> cases = {
      {Composition::product(3), {true, false, false}},
      {Composition(3, {T{Fr::from_u64(3), {0, 1, 1}}, T{-Fr::from_u64(2), {2}}, T{Fr::from_u64(5), {}},
                       T{Fr::one(), {0, 2, 1, 2}}}),
       {false, false, false}},
      {Composition(2, {T{Fr::from_u64(4), {0}}, T{Fr::one(), {1}}}), {false, true}},
  };
  auto pub_eval = [](size_t j, std::span<const Fr> point) {
    Fr acc = Fr::from_u64(j + 1);
    for (const Fr& x : point) acc *= x + Fr::one();
    return acc;
  };
  for (const auto& [comp, pub] : cases) {
    for (size_t n : {0u, 1u, 3u}) {
      for (ConsistencyMode mode : {ConsistencyMode::kLinear, ConsistencyMode::kLog}) {
        for (bool committed : {false, true}) {
          SCOPED_TRACE("n=" + std::to_string(n) + " mode " + std::to_string(static_cast<int>(mode)));
          const pcs::EvalClaim claim = committed ? pcs::EvalClaim::committed(params().mul_h(random()).to_affine())
                                                 : pcs::EvalClaim::plain(random());
          ZkChallenges ch;
          const ZkSumcheckProof proof = simulate(params(), comp, n, pub, claim, pub_eval, random, mode, &ch);
          const Verdict v = check_with_challenges(params(), comp, n, pub, claim, proof, pub_eval, ch, mode);
          EXPECT_TRUE(v) << v.reason();
          ZkSumcheckProof bad = proof;
          bad.finals[0] = (G1(bad.finals[0]) + G1Affine::generator()).to_affine();
          EXPECT_FALSE(check_with_challenges(params(), comp, n, pub, claim, bad, pub_eval, ch, mode));
          ZkChallenges other = ch;
          other.e += Fr::one();
          EXPECT_FALSE(check_with_challenges(params(), comp, n, pub, claim, proof, pub_eval, other, mode));
        }
      }
    }
  }
}

// Negative control: without blinding the same test sees the difference at once.
TEST_F(ZkSimulation, UnblindedProofsAreDistinguished) {
  SCOPED_TRACE(seed_note());
  const auto unblinded = real_histograms(*a_, test_seed() + 4, false);
  const auto chi = chi_square(unblinded, *sim_a_);
  EXPECT_GT(max_of(chi), 10 * kThreshold);
  EXPECT_GT(chi[0], kThreshold);  // the first round commitment alone gives it away
}

}  // namespace
}  // namespace zkinfer::zk
