// Tests of the sigma protocols (zk/sigma.h): honest proofs verify; every proof field, changed, is
// rejected; a false statement (wrong witness) is rejected; statements and transcripts that differ
// are rejected; serialization round-trips and bad bytes are DecodeErrors; the special-HVZK
// simulators produce accepting transcripts for any challenge.
#include "zk/sigma.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::zk {
namespace {

using testing::seed_note;
using testing::test_seed;

const PedersenParams& params() {
  static const PedersenParams p(6);
  return p;
}

G1Affine bump(const G1Affine& p) { return (G1(p) + G1Affine::generator()).to_affine(); }

transcript::Transcript fresh() { return transcript::Transcript("zk-sigma-test"); }

TEST(Pedersen, SharesHyraxValueAndBlindingGenerators) {
  const pcs::HyraxParams hp(1);
  EXPECT_EQ(params().u(), hp.u());
  EXPECT_EQ(params().h(), hp.h());
  for (const auto& g : params().g()) {
    EXPECT_FALSE(g == params().u() || g == params().h() || g == hp.g()[0] || g == hp.g()[1]);
  }
  EXPECT_EQ(params().num_gens(), 64u);
}

TEST(Sigma, Opening) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const RandomFr random = pcs::random_fr(rng);
  const Fr v = random(), s = random();
  const G1Affine c = commit_scalar(params(), v, s).to_affine();
  auto tp = fresh();
  const OpeningProof proof = prove_opening(params(), c, v, s, tp, random);
  {
    auto tv = fresh();
    EXPECT_TRUE(verify_opening(params(), c, proof, tv));
    EXPECT_EQ(tv.state(), tp.state());
  }
  std::vector<std::function<void(OpeningProof&)>> edits = {
      [](OpeningProof& p) { p.a = bump(p.a); }, [](OpeningProof& p) { p.z1 += Fr::one(); },
      [](OpeningProof& p) { p.z2 += Fr::one(); }};
  for (size_t i = 0; i < edits.size(); ++i) {
    OpeningProof bad = proof;
    edits[i](bad);
    auto tv = fresh();
    EXPECT_FALSE(verify_opening(params(), c, bad, tv)) << "field " << i;
  }
  {  // another statement
    auto tv = fresh();
    EXPECT_FALSE(verify_opening(params(), bump(c), proof, tv));
    transcript::Transcript other("other");
    EXPECT_FALSE(verify_opening(params(), c, proof, other));
  }
  {  // a wrong witness cannot be proven
    auto t1 = fresh();
    const OpeningProof p1 = prove_opening(params(), c, v + Fr::one(), s, t1, random);
    auto tv = fresh();
    EXPECT_FALSE(verify_opening(params(), c, p1, tv));
  }
  // serialization
  ByteWriter w;
  proof.serialize(w);
  auto bytes = w.take();
  ASSERT_EQ(bytes.size(), OpeningProof::kBytes);
  ByteReader r(bytes);
  EXPECT_EQ(OpeningProof::deserialize(r), proof);
  auto bad_bytes = bytes;
  for (size_t i = 32; i < 64; ++i) bad_bytes[i] = 0xff;  // z1 >= r
  ByteReader r2(bad_bytes);
  EXPECT_THROW(OpeningProof::deserialize(r2), DecodeError);
  ByteReader r3(std::span<const uint8_t>(bytes).first(40));
  EXPECT_THROW(OpeningProof::deserialize(r3), DecodeError);
  // simulation: an accepting transcript for any challenge, without (v, s)
  const Fr e = random();
  EXPECT_TRUE(opening_holds(params(), c, simulate_opening(params(), c, e, random), e));
}

TEST(Sigma, Equality) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const RandomFr random = pcs::random_fr(rng);
  const Fr v = random(), s1 = random(), s2 = random();
  const G1Affine c1 = commit_scalar(params(), v, s1).to_affine();
  const G1Affine c2 = commit_scalar(params(), v, s2).to_affine();
  auto tp = fresh();
  const EqualityProof proof = prove_equality(params(), c1, c2, s1, s2, tp, random);
  {
    auto tv = fresh();
    EXPECT_TRUE(verify_equality(params(), c1, c2, proof, tv));
    EXPECT_EQ(tv.state(), tp.state());
  }
  for (int i = 0; i < 2; ++i) {
    EqualityProof bad = proof;
    if (i == 0) bad.a = bump(bad.a);
    if (i == 1) bad.z += Fr::one();
    auto tv = fresh();
    EXPECT_FALSE(verify_equality(params(), c1, c2, bad, tv)) << "field " << i;
  }
  {  // different values: the prover cannot succeed
    const G1Affine c3 = commit_scalar(params(), v + Fr::one(), s2).to_affine();
    auto t1 = fresh();
    const EqualityProof p = prove_equality(params(), c1, c3, s1, s2, t1, random);
    auto tv = fresh();
    EXPECT_FALSE(verify_equality(params(), c1, c3, p, tv));
    auto tv2 = fresh();
    EXPECT_FALSE(verify_equality(params(), c2, c1, proof, tv2));
  }
  ByteWriter w;
  proof.serialize(w);
  auto bytes = w.take();
  ASSERT_EQ(bytes.size(), EqualityProof::kBytes);
  ByteReader r(bytes);
  EXPECT_EQ(EqualityProof::deserialize(r), proof);
}

TEST(Sigma, Product) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const RandomFr random = pcs::random_fr(rng);
  const ProductWitness wit{random(), random(), random(), random(), random()};
  const G1Affine x = commit_scalar(params(), wit.x, wit.rx).to_affine();
  const G1Affine y = commit_scalar(params(), wit.y, wit.ry).to_affine();
  const G1Affine z = commit_scalar(params(), wit.x * wit.y, wit.rz).to_affine();
  auto tp = fresh();
  const ProductProof proof = prove_product(params(), x, y, z, wit, tp, random);
  {
    auto tv = fresh();
    EXPECT_TRUE(verify_product(params(), x, y, z, proof, tv));
    EXPECT_EQ(tv.state(), tp.state());
  }
  std::vector<std::function<void(ProductProof&)>> edits = {
      [](ProductProof& p) { p.alpha = bump(p.alpha); }, [](ProductProof& p) { p.beta = bump(p.beta); },
      [](ProductProof& p) { p.delta = bump(p.delta); }, [](ProductProof& p) { p.z1 += Fr::one(); },
      [](ProductProof& p) { p.z2 += Fr::one(); },       [](ProductProof& p) { p.z3 += Fr::one(); },
      [](ProductProof& p) { p.z4 += Fr::one(); },       [](ProductProof& p) { p.z5 += Fr::one(); }};
  for (size_t i = 0; i < edits.size(); ++i) {
    ProductProof bad = proof;
    edits[i](bad);
    auto tv = fresh();
    EXPECT_FALSE(verify_product(params(), x, y, z, bad, tv)) << "field " << i;
  }
  {  // swapped / wrong statements
    auto tv = fresh();
    EXPECT_FALSE(verify_product(params(), y, x, z, proof, tv));
    auto tv2 = fresh();
    EXPECT_FALSE(verify_product(params(), x, y, bump(z), proof, tv2));
  }
  {  // z != x y: the honest algorithm on a false statement is rejected
    const G1Affine z_bad = commit_scalar(params(), wit.x * wit.y + Fr::one(), wit.rz).to_affine();
    auto t1 = fresh();
    const ProductProof p = prove_product(params(), x, y, z_bad, wit, t1, random);
    auto tv = fresh();
    EXPECT_FALSE(verify_product(params(), x, y, z_bad, p, tv));
  }
  ByteWriter w;
  proof.serialize(w);
  auto bytes = w.take();
  ASSERT_EQ(bytes.size(), ProductProof::kBytes);
  ByteReader r(bytes);
  EXPECT_EQ(ProductProof::deserialize(r), proof);
  auto bad_bytes = bytes;
  bad_bytes[31] ^= 0x40;  // alpha's identity flag with other bits set
  ByteReader r2(bad_bytes);
  EXPECT_THROW(ProductProof::deserialize(r2), DecodeError);
  const Fr e = random();
  EXPECT_TRUE(product_holds(params(), x, y, z, simulate_product(params(), x, y, z, e, random), e));
}

TEST(Sigma, DotProduct) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const RandomFr random = pcs::random_fr(rng);
  for (size_t len : {1u, 5u, 16u}) {
    SCOPED_TRACE("len=" + std::to_string(len));
    const size_t offset = 3;
    std::vector<Fr> xv(len), a(len);
    for (Fr& v : xv) v = random();
    for (Fr& v : a) v = random();
    Fr yv = Fr::zero();
    for (size_t i = 0; i < len; ++i) yv += xv[i] * a[i];
    const Fr rx = random(), ry = random();
    const G1Affine cx = commit_vector(params(), xv, offset, rx).to_affine();
    const G1Affine y = commit_scalar(params(), yv, ry).to_affine();
    auto tp = fresh();
    const DotProductProof proof = prove_dot_product(params(), cx, offset, xv, rx, a, y, ry, tp, random);
    {
      auto tv = fresh();
      EXPECT_TRUE(verify_dot_product(params(), cx, offset, a, y, proof, tv));
      EXPECT_EQ(tv.state(), tp.state());
    }
    std::vector<std::function<void(DotProductProof&)>> edits = {
        [](DotProductProof& p) { p.delta = bump(p.delta); }, [](DotProductProof& p) { p.beta = bump(p.beta); },
        [](DotProductProof& p) { p.zd += Fr::one(); }, [](DotProductProof& p) { p.zb += Fr::one(); }};
    for (size_t i = 0; i < len; ++i) edits.push_back([i](DotProductProof& p) { p.z[i] += Fr::one(); });
    edits.push_back([](DotProductProof& p) { p.z.push_back(Fr::one()); });
    for (size_t i = 0; i < edits.size(); ++i) {
      DotProductProof bad = proof;
      edits[i](bad);
      auto tv = fresh();
      EXPECT_FALSE(verify_dot_product(params(), cx, offset, a, y, bad, tv)) << "edit " << i;
    }
    {  // another public vector, another offset, a false y
      std::vector<Fr> a2 = a;
      a2[0] += Fr::one();
      auto tv = fresh();
      EXPECT_FALSE(verify_dot_product(params(), cx, offset, a2, y, proof, tv));
      auto tv2 = fresh();
      EXPECT_FALSE(verify_dot_product(params(), cx, offset + 1, a, y, proof, tv2));
      const G1Affine y_bad = commit_scalar(params(), yv + Fr::one(), ry).to_affine();
      auto t1 = fresh();
      const DotProductProof p = prove_dot_product(params(), cx, offset, xv, rx, a, y_bad, ry, t1, random);
      auto tv3 = fresh();
      EXPECT_FALSE(verify_dot_product(params(), cx, offset, a, y_bad, p, tv3));
      auto tv4 = fresh();  // generators out of range: a clear rejection, no crash
      EXPECT_FALSE(verify_dot_product(params(), cx, params().num_gens(), a, y, proof, tv4));
    }
    ByteWriter w;
    proof.serialize(w);
    auto bytes = w.take();
    ASSERT_EQ(bytes.size(), proof.size_bytes());
    ByteReader r(bytes);
    EXPECT_EQ(DotProductProof::deserialize(r, len), proof);
    ByteReader r2(bytes);
    EXPECT_THROW(DotProductProof::deserialize(r2, len + 1), DecodeError);
    ByteReader r3(bytes);
    EXPECT_THROW(DotProductProof::deserialize(r3, size_t{1} << 40), DecodeError);
  }
}

}  // namespace
}  // namespace zkinfer::zk
