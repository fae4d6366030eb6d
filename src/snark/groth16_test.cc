// Groth16 (groth16.h): honest proofs verify; each proof element, a public input, the key, the
// circuit and the witness changed are rejected with a reason; the byte formats round-trip and
// refuse truncated or corrupt input. The independent cross-check (snarkjs) is groth16_snarkjs_test.
#include "snark/groth16.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "snark/groth16_test_circuit.h"
#include "test_seed.h"

namespace zkinfer::snark {
namespace {

using curve::G1;
using curve::G2;
using field::Fq;
using field::Fq2;
using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

RandomFr rand_of(TestRng& rng) {
  return [&rng] { return Fr::random(rng); };
}

struct Fixture {
  ConstraintSystem cs;
  Groth16ProvingKey pk;
  Groth16Proof proof;
};

// x^3 + x + 5 = y plus `extra` random constraints and `outputs` more public values.
Fixture make(uint64_t seed, size_t extra, size_t outputs, uint64_t structure = 1) {
  Fixture f;
  TestRng rng(seed);
  // Setup on a dummy-valued build of the same circuit (as the wrapping proof does).
  ConstraintSystem dummy;
  build_test_circuit(dummy, Fr::zero(), extra, outputs, structure);
  f.pk = groth16_setup_insecure(dummy, seed ^ 0x7e57);
  build_test_circuit(f.cs, Fr::random(rng), extra, outputs, structure);
  EXPECT_TRUE(f.cs.is_satisfied());
  f.proof = groth16_prove(f.pk, f.cs, rand_of(rng));
  return f;
}

TEST(Groth16, CubicVerifies) {
  SCOPED_TRACE(seed_note());
  ConstraintSystem dummy, cs;
  build_test_circuit(dummy, Fr::zero(), 0, 0, 1);
  build_test_circuit(cs, Fr::from_u64(3), 0, 0, 1);
  ASSERT_EQ(cs.num_public(), 1u);
  EXPECT_EQ(cs.public_values()[0], Fr::from_u64(35));  // 27 + 3 + 5
  const auto pk = groth16_setup_insecure(dummy, test_seed());
  TestRng rng(test_seed());
  const auto proof = groth16_prove(pk, cs, rand_of(rng));
  const auto ok = groth16_verify(pk.vk, cs.public_values(), proof);
  EXPECT_TRUE(ok) << ok.reason;
  const Fr wrong[] = {Fr::from_u64(36)};
  const auto bad = groth16_verify(pk.vk, wrong, proof);
  EXPECT_FALSE(bad);
  EXPECT_NE(bad.reason.find("pairing"), std::string::npos) << bad.reason;
}

TEST(Groth16, HonestProofsVerifyAndAreRandomized) {
  SCOPED_TRACE(seed_note());
  for (auto [extra, outputs] : {std::pair<size_t, size_t>{0, 0}, {10, 3}, {300, 5}, {1500, 20}}) {
    Fixture f = make(test_seed() + extra, extra, outputs);
    EXPECT_EQ(f.cs.num_public(), 1 + outputs);
    EXPECT_EQ(f.pk.vk.ic.size(), 2 + outputs);
    EXPECT_EQ(size_t{1} << f.pk.log_domain,
              std::bit_ceil(f.cs.num_constraints() + f.cs.num_public() + 1));
    const auto ok = groth16_verify(f.pk.vk, f.cs.public_values(), f.proof);
    EXPECT_TRUE(ok) << "extra " << extra << ": " << ok.reason;
    // A second proof of the same statement: other bytes, also valid.
    const auto again = groth16_prove(f.pk, f.cs);
    EXPECT_FALSE(again == f.proof);
    EXPECT_TRUE(groth16_verify(f.pk.vk, f.cs.public_values(), again));
  }
}

TEST(Groth16, ChangedProofElementsAreRejected) {
  SCOPED_TRACE(seed_note());
  Fixture f = make(test_seed(), 200, 4);
  const auto& pub = f.cs.public_values();
  ASSERT_TRUE(groth16_verify(f.pk.vk, pub, f.proof));
  auto rejected = [&](const Groth16Proof& p, const std::string& what) {
    const auto r = groth16_verify(f.pk.vk, pub, p);
    EXPECT_FALSE(r) << what;
    EXPECT_FALSE(r.reason.empty()) << what;
    return r.reason;
  };
  Groth16Proof p = f.proof;
  p.a = (G1(p.a) + G1::generator()).to_affine();
  rejected(p, "A + G");
  p = f.proof;
  p.b = (G2(p.b) + G2::generator()).to_affine();
  rejected(p, "B + G2");
  p = f.proof;
  p.c = (G1(p.c) + G1::generator()).to_affine();
  rejected(p, "C + G");
  p = f.proof;
  std::swap(p.a, p.c);
  rejected(p, "A and C swapped");
  p = f.proof;
  p.a = -p.a;
  rejected(p, "-A");
  p = f.proof;
  p.a = G1Affine::identity();
  rejected(p, "A = O");
  // Not on the curve / not in the subgroup: rejected before the pairing, by name.
  p = f.proof;
  p.a.y += Fq::one();
  EXPECT_NE(rejected(p, "A off the curve").find("A is not on G1"), std::string::npos);
  p = f.proof;
  p.c.x += Fq::one();
  EXPECT_NE(rejected(p, "C off the curve").find("C is not on G1"), std::string::npos);
  p = f.proof;
  p.b.y = p.b.y + Fq2::one();
  EXPECT_NE(rejected(p, "B off the twist").find("B is not on the twist"), std::string::npos);
  {
    TestRng rng(test_seed());
    for (;;) {
      Fq2 x{Fq::random(rng), Fq::random(rng)};
      if (auto y = (x.square() * x + curve::twist_b()).sqrt()) {
        p.b = G2Affine::from_xy(x, *y);
        break;
      }
    }
    ASSERT_TRUE(p.b.is_on_curve());
    ASSERT_FALSE(p.b.is_in_subgroup());
    EXPECT_NE(rejected(p, "B outside G2").find("not in G2"), std::string::npos);
  }
}

TEST(Groth16, ChangedPublicInputsAreRejected) {
  SCOPED_TRACE(seed_note());
  Fixture f = make(test_seed() + 1, 100, 3);
  std::vector<Fr> pub = f.cs.public_values();
  for (size_t i = 0; i < pub.size(); ++i) {
    std::vector<Fr> q = pub;
    q[i] += Fr::one();
    const auto r = groth16_verify(f.pk.vk, q, f.proof);
    EXPECT_FALSE(r) << "public input " << i;
    EXPECT_NE(r.reason.find("pairing"), std::string::npos);
  }
  std::vector<Fr> q = pub;
  std::swap(q[0], q[1]);
  EXPECT_FALSE(groth16_verify(f.pk.vk, q, f.proof));
  q = pub;
  q.pop_back();
  auto r = groth16_verify(f.pk.vk, q, f.proof);
  EXPECT_FALSE(r);
  EXPECT_NE(r.reason.find("wrong number of public inputs"), std::string::npos) << r.reason;
  q = pub;
  q.push_back(Fr::zero());
  EXPECT_FALSE(groth16_verify(f.pk.vk, q, f.proof));
}

TEST(Groth16, OtherCircuitsKeyAndChangedKeyAreRejected) {
  SCOPED_TRACE(seed_note());
  Fixture f = make(test_seed() + 2, 120, 2, /*structure=*/1);
  // The same shape (counts) but other constraints: its key rejects f's proof, and f's key is
  // refused for proving it.
  Fixture g = make(test_seed() + 3, 120, 2, /*structure=*/2);
  ASSERT_EQ(f.cs.num_constraints(), g.cs.num_constraints());
  ASSERT_EQ(f.cs.num_witness(), g.cs.num_witness());
  EXPECT_FALSE(groth16_verify(g.pk.vk, f.cs.public_values(), f.proof));
  EXPECT_FALSE(groth16_verify(f.pk.vk, g.cs.public_values(), g.proof));
  try {
    groth16_prove(f.pk, g.cs);
    ADD_FAILURE() << "proved with another circuit's key";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another circuit"), std::string::npos) << e.what();
  }
  // Another setup of the same circuit: other toxic waste, other key.
  ConstraintSystem dummy;
  build_test_circuit(dummy, Fr::zero(), 120, 2, 1);
  const auto pk2 = groth16_setup_insecure(dummy, test_seed() + 99);
  EXPECT_FALSE(groth16_verify(pk2.vk, f.cs.public_values(), f.proof));
  // Each key element changed.
  auto vk = f.pk.vk;
  vk.alpha = (G1(vk.alpha) + G1::generator()).to_affine();
  EXPECT_FALSE(groth16_verify(vk, f.cs.public_values(), f.proof));
  vk = f.pk.vk;
  vk.ic[1] = (G1(vk.ic[1]) + G1::generator()).to_affine();
  EXPECT_FALSE(groth16_verify(vk, f.cs.public_values(), f.proof));
  vk = f.pk.vk;
  std::swap(vk.gamma, vk.delta);
  EXPECT_FALSE(groth16_verify(vk, f.cs.public_values(), f.proof));
  vk = f.pk.vk;
  vk.beta = (G2(vk.beta) + G2::generator()).to_affine();
  EXPECT_FALSE(groth16_verify(vk, f.cs.public_values(), f.proof));
}

TEST(Groth16, UnsatisfiedAssignmentIsRefusedAndItsForcedProofFails) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  ConstraintSystem dummy;
  build_test_circuit(dummy, Fr::zero(), 150, 3, 1);
  const auto pk = groth16_setup_insecure(dummy, test_seed());
  // y claimed one too large: the cubic's last constraint fails.
  for (int which = 0; which < 2; ++which) {
    ConstraintSystem cs;
    build_test_circuit(cs, Fr::random(rng), 150, 3, 1, which == 0 ? TestFault::kPublicY : TestFault::kWitness);
    size_t bad = 0;
    ASSERT_FALSE(cs.is_satisfied(&bad));
    try {
      groth16_prove(pk, cs, rand_of(rng));
      ADD_FAILURE() << "proved an unsatisfied assignment";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("does not satisfy constraint " + std::to_string(bad)), std::string::npos)
          << e.what();
    }
    // Forced: h is then not a polynomial of degree < n - 1 and the proof fails.
    const auto forced = groth16_prove(pk, cs, rand_of(rng), ProveOptions{.check_satisfied = false});
    EXPECT_FALSE(groth16_verify(pk.vk, cs.public_values(), forced)) << "fault " << which;
  }
}

// A public input that no constraint mentions, and one used only in C: the input-consistency rows
// still give them independent polynomials, so the proof binds their values.
TEST(Groth16, UnusedAndCOnlyPublicInputsAreBound) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  auto build = [](ConstraintSystem& cs, const Fr& x, const Fr& free_value) {
    const Num xw = cs.witness(x);
    const Num sq = cs.square(xw);
    cs.public_input(free_value);  // unused
    const Num c_only = cs.public_input(sq.value());
    cs.enforce(xw.lc(), xw.lc(), c_only.lc());  // x * x = c_only
  };
  ConstraintSystem dummy, cs;
  build(dummy, Fr::zero(), Fr::zero());
  build(cs, Fr::from_u64(12), Fr::random(rng));
  ASSERT_TRUE(cs.is_satisfied());
  const auto pk = groth16_setup_insecure(dummy, test_seed());
  const auto proof = groth16_prove(pk, cs, rand_of(rng));
  std::vector<Fr> pub = cs.public_values();
  ASSERT_TRUE(groth16_verify(pk.vk, pub, proof));
  for (size_t i = 0; i < pub.size(); ++i) {
    std::vector<Fr> q = pub;
    q[i] += Fr::one();
    EXPECT_FALSE(groth16_verify(pk.vk, q, proof)) << "public input " << i;
  }
  // Their IC points are distinct and not the identity.
  EXPECT_FALSE(pk.vk.ic[1].is_identity());
  EXPECT_FALSE(pk.vk.ic[1] == pk.vk.ic[2]);
}

TEST(Groth16, BytesRoundTripAndRejectCorruption) {
  SCOPED_TRACE(seed_note());
  Fixture f = make(test_seed() + 5, 50, 2);
  const auto vkb = groth16_vk_to_bytes(f.pk.vk);
  const auto pb = groth16_proof_to_bytes(f.proof);
  const auto xb = fr_vector_to_bytes(f.cs.public_values());
  EXPECT_EQ(pb.size(), 136u);
  EXPECT_EQ(vkb.size(), 12u + 32 + 3 * 64 + 32 * f.pk.vk.ic.size());
  const auto vk = groth16_vk_from_bytes(vkb);
  const auto proof = groth16_proof_from_bytes(pb);
  const auto pub = fr_vector_from_bytes(xb);
  EXPECT_EQ(proof, f.proof);
  EXPECT_EQ(pub, f.cs.public_values());
  EXPECT_EQ(groth16_vk_to_bytes(vk), vkb);
  EXPECT_TRUE(groth16_verify(vk, pub, proof));
  // Every truncation and one trailing byte.
  for (size_t n = 0; n < pb.size(); ++n)
    EXPECT_THROW(groth16_proof_from_bytes(std::span(pb).first(n)), DecodeError) << n;
  for (size_t n = 0; n < vkb.size(); n += 7)
    EXPECT_THROW(groth16_vk_from_bytes(std::span(vkb).first(n)), DecodeError) << n;
  auto longer = pb;
  longer.push_back(0);
  EXPECT_THROW(groth16_proof_from_bytes(longer), DecodeError);
  // Wrong magic, version; a corrupted point (x's top bits set: not canonical, or no point).
  auto bad = pb;
  bad[0] ^= 1;
  EXPECT_THROW(groth16_proof_from_bytes(bad), DecodeError);
  bad = pb;
  bad[4] = 2;
  try {
    groth16_proof_from_bytes(bad);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
  // Each byte of the proof's points flipped: rejected by the decoder or by the verifier.
  size_t decoded_but_rejected = 0;
  for (size_t i = 8; i < pb.size(); i += 5) {
    bad = pb;
    bad[i] ^= 0x10;
    try {
      const auto q = groth16_proof_from_bytes(bad);
      EXPECT_FALSE(groth16_verify(vk, pub, q)) << "byte " << i;
      ++decoded_but_rejected;
    } catch (const DecodeError&) {
    }
  }
  EXPECT_GT(decoded_but_rejected, 0u);
  // A count of public inputs larger than the bytes hold.
  bad = vkb;
  bad[8] = 0xff;
  EXPECT_THROW(groth16_vk_from_bytes(bad), DecodeError);
  // Public inputs: non-canonical (r itself) and a partial word.
  std::vector<uint8_t> r_bytes(32);
  const auto r = field::FrParams::kModulus;
  for (size_t i = 0; i < 32; ++i) r_bytes[i] = static_cast<uint8_t>(r[i / 8] >> (8 * (i % 8)));
  EXPECT_THROW(fr_vector_from_bytes(r_bytes), DecodeError);
  EXPECT_THROW(fr_vector_from_bytes(std::span(xb).first(31)), DecodeError);
}

TEST(Groth16, ProvingKeyBytes) {
  SCOPED_TRACE(seed_note());
  Fixture f = make(test_seed() + 8, 60, 2);
  const auto b = groth16_pk_to_bytes(f.pk);
  const auto pk = groth16_pk_from_bytes(b);
  EXPECT_EQ(groth16_pk_to_bytes(pk), b);
  EXPECT_TRUE(pk.shape == f.pk.shape);
  EXPECT_EQ(pk.h_query, f.pk.h_query);
  EXPECT_EQ(pk.b2_query, f.pk.b2_query);
  TestRng rng(test_seed());
  const auto proof = groth16_prove(pk, f.cs, rand_of(rng));
  EXPECT_TRUE(groth16_verify(f.pk.vk, f.cs.public_values(), proof));
  // Truncations (a sample of lengths), trailing bytes, a point moved off its curve, a list count.
  for (size_t n = 0; n < b.size(); n += 97) EXPECT_THROW(groth16_pk_from_bytes(std::span(b).first(n)), DecodeError) << n;
  auto bad = b;
  bad.push_back(0);
  EXPECT_THROW(groth16_pk_from_bytes(bad), DecodeError);
  bad = b;
  bad[b.size() - 40] ^= 1;  // the last h_query point's y
  try {
    groth16_pk_from_bytes(bad);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("h_query["), std::string::npos) << e.what();
  }
  bad = b;
  bad[24] ^= 1;  // the witness count: the lists no longer fit it
  EXPECT_THROW(groth16_pk_from_bytes(bad), DecodeError);
  bad = b;
  bad[40] ^= 1;  // the circuit digest: decodes, but the prover refuses the key for this circuit
  const auto other = groth16_pk_from_bytes(bad);
  EXPECT_THROW(groth16_prove(other, f.cs, rand_of(rng)), Error);
}

TEST(Groth16, SnarkjsJsonShapes) {
  Fixture f = make(test_seed() + 6, 5, 1);
  const std::string vk = groth16_snarkjs_vk_json(f.pk.vk);
  EXPECT_NE(vk.find("\"protocol\": \"groth16\""), std::string::npos);
  EXPECT_NE(vk.find("\"nPublic\": 2"), std::string::npos);
  EXPECT_NE(vk.find("\"IC\""), std::string::npos);
  const auto j = nlohmann::json::parse(vk);
  ASSERT_TRUE(j["vk_beta_2"].is_array());
  ASSERT_EQ(j["vk_beta_2"].size(), 3u);
  EXPECT_EQ(j["vk_beta_2"][0][0], to_decimal(f.pk.vk.beta.x.c0));
  EXPECT_EQ(j["vk_beta_2"][0][1], to_decimal(f.pk.vk.beta.x.c1));
  EXPECT_EQ(j["vk_beta_2"][2], nlohmann::json::array({"1", "0"}));
  ASSERT_EQ(j["IC"].size(), 3u);
  EXPECT_EQ(j["IC"][2][1], to_decimal(f.pk.vk.ic[2].y));
  const auto pj = nlohmann::json::parse(groth16_snarkjs_proof_json(f.proof));
  EXPECT_EQ(pj["pi_a"][0], to_decimal(f.proof.a.x));
  EXPECT_EQ(pj["pi_b"][1][1], to_decimal(f.proof.b.y.c1));
  EXPECT_EQ(pj["pi_c"][2], "1");
  const std::string pub = groth16_snarkjs_public_json(f.cs.public_values());
  EXPECT_NE(pub.find(to_decimal(f.cs.public_values()[0])), std::string::npos);
  EXPECT_EQ(to_decimal(Fr::from_u64(1234567890123456789ULL)), "1234567890123456789");
  EXPECT_EQ(to_decimal(-Fr::one()),
            "21888242871839275222246405745257275088548364400416034343698204186575808495616");
  EXPECT_EQ(to_decimal(Fr::zero()), "0");
  // Read back; refusals by name.
  const auto vk2 = groth16_vk_from_snarkjs_json(vk);
  EXPECT_EQ(groth16_vk_to_bytes(vk2), groth16_vk_to_bytes(f.pk.vk));
  EXPECT_EQ(groth16_proof_from_snarkjs_json(groth16_snarkjs_proof_json(f.proof)), f.proof);
  EXPECT_EQ(groth16_public_from_snarkjs_json(pub), f.cs.public_values());
  auto refused = [](const std::function<void()>& fn, const std::string& needle) {
    try {
      fn();
      ADD_FAILURE() << "accepted; wanted a refusal naming " << needle;
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  refused([] { groth16_public_from_snarkjs_json("[\"21888242871839275222246405745257275088548364400416034343698204186575808495617\"]"); },
          "not below the field's modulus");
  refused([] { groth16_public_from_snarkjs_json("[\"12a\"]"); }, "not a decimal number");
  refused([] { groth16_public_from_snarkjs_json("[5]"); }, "not a decimal string");
  refused([] { groth16_public_from_snarkjs_json("{"); }, "not JSON");
  auto pj2 = nlohmann::json::parse(groth16_snarkjs_proof_json(f.proof));
  pj2["pi_a"][1] = to_decimal(f.proof.a.y + field::Fq::one());
  refused([&] { groth16_proof_from_snarkjs_json(pj2.dump()); }, "pi_a: not on G1");
  pj2 = nlohmann::json::parse(groth16_snarkjs_proof_json(f.proof));
  pj2["pi_b"][2][0] = "2";
  refused([&] { groth16_proof_from_snarkjs_json(pj2.dump()); }, "only affine points");
  pj2 = nlohmann::json::parse(groth16_snarkjs_proof_json(f.proof));
  pj2["curve"] = "bls12381";
  refused([&] { groth16_proof_from_snarkjs_json(pj2.dump()); }, "curve is not bn128");
  auto vj = nlohmann::json::parse(vk);
  vj["nPublic"] = 7;
  refused([&] { groth16_vk_from_snarkjs_json(vj.dump()); }, "nPublic");
  vj = nlohmann::json::parse(vk);
  vj.erase("vk_delta_2");
  refused([&] { groth16_vk_from_snarkjs_json(vj.dump()); }, "vk_delta_2");
}

}  // namespace
}  // namespace zkinfer::snark
