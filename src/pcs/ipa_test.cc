// Tests of the zero-knowledge inner-product argument (pcs/ipa.h): the folding weights against an
// explicit fold, honest proofs for every size, each proof field changed, wrong statements, and
// strict decoding.
#include "pcs/ipa.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

struct Setup {
  std::vector<G1Affine> g = curve::derive_generators("zkinfer/test/ipa/G", 64);
  G1Affine h = curve::hash_to_curve("zkinfer/test/ipa/H", {});
  G1Affine u = curve::hash_to_curve("zkinfer/test/ipa/U", {});
};
const Setup& setup() {
  static const Setup s;
  return s;
}

std::vector<Fr> random_values(TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (Fr& x : v) x = Fr::random(rng);
  return v;
}

Fr inner(std::span<const Fr> a, std::span<const Fr> b) {
  Fr acc = Fr::zero();
  for (size_t i = 0; i < a.size(); ++i) acc += a[i] * b[i];
  return acc;
}

// P = <a, G> + <a, y> u_scale U + alpha H, as MSM terms.
MsmTerms statement(std::span<const G1Affine> g, std::span<const Fr> a, std::span<const Fr> y,
                   const Fr& u_scale, const Fr& alpha) {
  MsmTerms p;
  for (size_t i = 0; i < a.size(); ++i) p.add(g[i], a[i]);
  p.add(setup().u, inner(a, y) * u_scale);
  p.add(setup().h, alpha);
  return p;
}

TEST(Ipa, FoldWeightsMatchExplicitFolding) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t k = 0; k <= 5; ++k) {
    auto x = random_values(rng, k);
    auto v = random_values(rng, size_t{1} << k);
    // Explicit: v <- x^-1 v_lo + x v_hi, round by round.
    std::vector<Fr> cur = v;
    for (size_t j = 0; j < k; ++j) {
      const size_t half = cur.size() / 2;
      for (size_t i = 0; i < half; ++i) cur[i] = x[j].inverse() * cur[i] + x[j] * cur[half + i];
      cur.resize(half);
    }
    EXPECT_EQ(inner(ipa_fold_weights(x), v), cur[0]) << "k=" << k;
  }
}

TEST(Ipa, HonestProofsVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t k = 0; k <= 6; ++k) {
    SCOPED_TRACE("k=" + std::to_string(k));
    const size_t n = size_t{1} << k;
    std::span<const G1Affine> g(setup().g.data(), n);
    auto a = random_values(rng, n), y = random_values(rng, n);
    const Fr alpha = Fr::random(rng), us = Fr::random(rng);
    transcript::Transcript tp("ipa-test"), tv("ipa-test");
    IpaProof proof = ipa_prove(g, setup().h, setup().u, us, a, y, alpha, tp, random_fr(rng));
    EXPECT_EQ(proof.rounds(), k);
    Verdict v = ipa_verify(g, setup().h, setup().u, us, y, statement(g, a, y, us, alpha), proof, tv);
    EXPECT_TRUE(v) << v.reason();
    EXPECT_EQ(tp.state(), tv.state());
  }
}

// IpaBatch: proofs of several sizes over one generator list, their final checks deferred into
// one MSM: all honest holds (and the transcripts stay in step with the provers'); any one
// statement made false (P claims <a, y> + 1) makes the batch fail, though each deferred verdict
// alone accepts; a check on other generators is evaluated at once instead.
TEST(Ipa, BatchedFinalChecks) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct One {
    size_t k;
    std::vector<Fr> y;
    Fr us;
    MsmTerms p;
    IpaProof proof;
  };
  std::vector<One> all;
  for (size_t k : {3, 5, 0, 5}) {
    const size_t n = size_t{1} << k;
    std::span<const G1Affine> g(setup().g.data(), n);
    auto a = random_values(rng, n), y = random_values(rng, n);
    const Fr alpha = Fr::random(rng), us = Fr::random(rng);
    transcript::Transcript tp("ipa-batch");
    IpaProof proof = ipa_prove(g, setup().h, setup().u, us, a, y, alpha, tp, random_fr(rng));
    all.push_back({k, y, us, statement(g, a, y, us, alpha), proof});
  }
  auto run = [&](int falsify) {
    IpaBatch batch(setup().g);
    for (size_t i = 0; i < all.size(); ++i) {
      const One& o = all[i];
      std::span<const G1Affine> g(setup().g.data(), size_t{1} << o.k);
      MsmTerms p = o.p;
      if (static_cast<int>(i) == falsify) p.add(setup().u, o.us);
      transcript::Transcript tv("ipa-batch"), tp("ipa-batch");
      Verdict v = ipa_verify(g, setup().h, setup().u, o.us, o.y, p, o.proof, tv, &batch);
      EXPECT_TRUE(v) << v.reason();
      transcript::Transcript t2("ipa-batch");
      (void)ipa_verify(g, setup().h, setup().u, o.us, o.y, p, o.proof, t2);
      EXPECT_EQ(tv.state(), t2.state());  // deferring leaves the transcript as it is
    }
    EXPECT_EQ(batch.size(), all.size());
    return batch.holds();
  };
  EXPECT_TRUE(run(-1));
  for (int i = 0; i < static_cast<int>(all.size()); ++i) EXPECT_FALSE(run(i)) << "statement " << i << " false";
  // Generators the batch does not hold: evaluated at once, the batch untouched.
  IpaBatch other(std::span<const G1Affine>(setup().g.data() + 1, 8));
  const One& o = all[0];
  MsmTerms p = o.p;
  p.add(setup().u, o.us);
  transcript::Transcript tv("ipa-batch");
  EXPECT_FALSE(ipa_verify(std::span<const G1Affine>(setup().g.data(), 8), setup().h, setup().u, o.us, o.y, p, o.proof, tv, &other));
  EXPECT_EQ(other.size(), 0u);
  EXPECT_TRUE(other.holds());
}

// IpaBatch merges equal points into one term before its MSM: repeated points whose scalars sum to
// zero, P and -P, identity points and generators that also occur among the other terms, against
// the plain sum.
TEST(Ipa, BatchMergesEqualPoints) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  const auto& g = setup().g;
  const G1Affine p = g[1], q = setup().h;
  const Fr a = Fr::random(rng), b = Fr::random(rng);
  auto holds = [&](const MsmTerms& rest, std::vector<Fr> gen) {
    IpaBatch batch(g);
    batch.add(Fr::random(rng) + Fr::one(), gen, rest);
    return batch.holds();
  };
  MsmTerms t;
  t.add(p, a);
  t.add(q, b);
  t.add(p, -a);  // P twice, scalars summing to zero
  t.add(G1Affine::identity(), a);
  t.add(q, -b);
  EXPECT_TRUE(holds(t, {}));
  t.add(p, Fr::one());
  EXPECT_FALSE(holds(t, {}));
  // -P with the same scalar cancels it; a generator also among the other terms: g[1] is P.
  t.add(-p, Fr::one());
  EXPECT_TRUE(holds(t, {}));
  EXPECT_FALSE(holds(t, {Fr::zero(), a}));
  t.add(p, -a);
  EXPECT_TRUE(holds(t, {Fr::zero(), a}));
  // Against the plain MSM of the same terms, many repeats.
  MsmTerms u;
  for (size_t i = 0; i < 200; ++i) u.add(g[i % 7], Fr::random(rng));
  u.add(G1Affine::identity(), Fr::random(rng));
  const G1 want = u.evaluate();
  u.add(want.to_affine(), -Fr::one());
  EXPECT_TRUE(holds(u, {}));
  u.scalars[3] += Fr::one();
  EXPECT_FALSE(holds(u, {}));
}

TEST(Ipa, RejectsWrongStatementsAndChangedFields) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const size_t k = 4, n = size_t{1} << k;
  std::span<const G1Affine> g(setup().g.data(), n);
  auto a = random_values(rng, n), y = random_values(rng, n);
  const Fr alpha = Fr::random(rng), us = Fr::random(rng);
  transcript::Transcript tp("ipa-test");
  IpaProof proof = ipa_prove(g, setup().h, setup().u, us, a, y, alpha, tp, random_fr(rng));
  auto verify = [&](const IpaProof& pr, const MsmTerms& p, std::span<const Fr> yy) {
    transcript::Transcript tv("ipa-test");
    return ipa_verify(g, setup().h, setup().u, us, yy, p, pr, tv);
  };
  const MsmTerms good = statement(g, a, y, us, alpha);
  ASSERT_TRUE(verify(proof, good, y));

  // Wrong inner product: P claims <a, y> + 1.
  MsmTerms p = good;
  p.add(setup().u, us);
  EXPECT_FALSE(verify(proof, p, y));
  // Wrong blind, wrong vector, wrong y.
  p = good;
  p.add(setup().h, Fr::one());
  EXPECT_FALSE(verify(proof, p, y));
  p = good;
  p.add(g[3], Fr::one());
  EXPECT_FALSE(verify(proof, p, y));
  auto y2 = y;
  y2[7] += Fr::one();
  EXPECT_FALSE(verify(proof, good, y2));

  // Each proof field changed.
  const G1Affine other = G1Affine::generator();
  for (size_t j = 0; j < k; ++j) {
    IpaProof bad = proof;
    bad.l[j] = other;
    Verdict v = verify(bad, good, y);
    EXPECT_FALSE(v) << "L" << j;
    EXPECT_NE(v.reason().find("final check"), std::string::npos);
    bad = proof;
    bad.r[j] = other;
    EXPECT_FALSE(verify(bad, good, y)) << "R" << j;
    // Swapping L and R of one round.
    bad = proof;
    std::swap(bad.l[j], bad.r[j]);
    EXPECT_FALSE(verify(bad, good, y)) << "swap " << j;
  }
  IpaProof bad = proof;
  bad.a = other;
  EXPECT_FALSE(verify(bad, good, y));
  bad = proof;
  bad.z1 += Fr::one();
  EXPECT_FALSE(verify(bad, good, y));
  bad = proof;
  bad.z2 += Fr::one();
  EXPECT_FALSE(verify(bad, good, y));
  bad = proof;
  bad.l.pop_back();
  bad.r.pop_back();
  Verdict v = verify(bad, good, y);
  EXPECT_FALSE(v);
  EXPECT_NE(v.reason().find("expected"), std::string::npos);
  // A proof for another transcript domain.
  transcript::Transcript tv("other-domain");
  EXPECT_FALSE(ipa_verify(g, setup().h, setup().u, us, y, good, proof, tv));
}

TEST(Ipa, ProofsAreRandomized) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::span<const G1Affine> g(setup().g.data(), 8);
  auto a = random_values(rng, 8), y = random_values(rng, 8);
  transcript::Transcript t1("ipa-test"), t2("ipa-test");
  SecureRng srng;
  IpaProof p1 = ipa_prove(g, setup().h, setup().u, Fr::one(), a, y, Fr::zero(), t1, random_fr(srng));
  IpaProof p2 = ipa_prove(g, setup().h, setup().u, Fr::one(), a, y, Fr::zero(), t2, random_fr(srng));
  EXPECT_FALSE(p1.l[0] == p2.l[0]);
  EXPECT_NE(p1.z1, p2.z1);
}

TEST(Ipa, SerializationRoundTripsAndRejectsCorruptBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::span<const G1Affine> g(setup().g.data(), 8);
  auto a = random_values(rng, 8), y = random_values(rng, 8);
  transcript::Transcript tp("ipa-test");
  IpaProof proof = ipa_prove(g, setup().h, setup().u, Fr::one(), a, y, Fr::one(), tp, random_fr(rng));
  ByteWriter w;
  proof.serialize(w);
  auto bytes = w.take();
  EXPECT_EQ(bytes.size(), proof.size_bytes());
  {
    ByteReader r(bytes);
    EXPECT_EQ(IpaProof::deserialize(r), proof);
    EXPECT_EQ(r.remaining(), 0u);
  }
  auto decode = [](std::vector<uint8_t> b) {
    ByteReader r(b);
    IpaProof p = IpaProof::deserialize(r);
    r.expect_end();
    return p;
  };
  auto bad = bytes;
  bad.pop_back();
  EXPECT_THROW(decode(bad), DecodeError);
  bad = bytes;
  bad[0] = 200;  // more rounds than allowed
  EXPECT_THROW(decode(bad), DecodeError);
  bad = bytes;
  bad[0] = 4;  // more rounds than present
  EXPECT_THROW(decode(bad), DecodeError);
  bad = bytes;
  bad[bytes.size() - 1] = 0xff;  // z2 not canonical
  EXPECT_THROW(decode(bad), DecodeError);
  bad = bytes;
  bad[1 + 31] |= 0x40;  // L_0 with the identity flag and other bits set
  EXPECT_THROW(decode(bad), DecodeError);
}

}  // namespace
}  // namespace zkinfer::pcs
