// Cross-check with an independent implementation: proofs made by zkinfer's Groth16 prover, written
// in snarkjs's JSON, are accepted by `snarkjs groth16 verify` (snarkjs 0.7.6, installed by
// scripts/install-snarkjs.sh into build-tools/snarkjs), and snarkjs rejects a changed proof and a
// changed public input. Skipped when node or the snarkjs install is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/random.h"
#include "curve/g2.h"
#include "snark/groth16.h"
#include "snark/groth16_test_circuit.h"
#include "shell.h"
#include "test_seed.h"

namespace zkinfer::snark {
namespace {

namespace fs = std::filesystem;
using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

const std::string kSnarkjs = std::string(ZKINFER_SOURCE_DIR) + "/build-tools/snarkjs/node_modules/.bin/snarkjs";

using Shell = testing::ShellResult;
using testing::sh;

void write(const fs::path& p, const std::string& s) {
  std::ofstream f(p);
  f << s;
}

class Snarkjs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sh("command -v node").code != 0) GTEST_SKIP() << "node is missing";
    if (!fs::exists(kSnarkjs)) GTEST_SKIP() << "snarkjs is not installed (scripts/install-snarkjs.sh)";
    dir_ = fs::temp_directory_path() / ("zkinfer_groth16_snarkjs_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // snarkjs's verdict on (vk, public, proof): its exit code (0 valid, 1 invalid) and output.
  Shell verify(const Groth16VerifyingKey& vk, std::span<const Fr> pub, const Groth16Proof& proof, const std::string& tag) {
    const fs::path v = dir_ / (tag + "_vk.json"), x = dir_ / (tag + "_public.json"), p = dir_ / (tag + "_proof.json");
    write(v, groth16_snarkjs_vk_json(vk));
    write(x, groth16_snarkjs_public_json(pub));
    write(p, groth16_snarkjs_proof_json(proof));
    return sh("'" + kSnarkjs + "' groth16 verify '" + v.string() + "' '" + x.string() + "' '" + p.string() + "'");
  }
  fs::path dir_;
};

TEST_F(Snarkjs, AcceptsOurProofsAndRejectsChangedOnes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  // x^3 + x + 5 = y plus 400 random constraints and 6 more public values.
  ConstraintSystem dummy, cs;
  build_test_circuit(dummy, Fr::zero(), 400, 6, 11);
  build_test_circuit(cs, Fr::random(rng), 400, 6, 11);
  const Groth16ProvingKey pk = groth16_setup_insecure(dummy, test_seed() + 17);
  const Groth16Proof proof = groth16_prove(pk, cs, [&rng] { return Fr::random(rng); });
  const std::vector<Fr>& pub = cs.public_values();
  ASSERT_EQ(pub.size(), 7u);
  ASSERT_TRUE(groth16_verify(pk.vk, pub, proof));

  const Shell ok = verify(pk.vk, pub, proof, "honest");
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("OK"), std::string::npos) << ok.out;

  std::vector<Fr> changed = pub;
  changed[3] += Fr::one();
  const Shell bad_pub = verify(pk.vk, changed, proof, "public");
  EXPECT_EQ(bad_pub.code, 1) << bad_pub.out;
  EXPECT_NE(bad_pub.out.find("Invalid proof"), std::string::npos) << bad_pub.out;

  Groth16Proof p = proof;
  p.c = (curve::G1(p.c) + curve::G1::generator()).to_affine();
  const Shell bad_c = verify(pk.vk, pub, p, "proof_c");
  EXPECT_EQ(bad_c.code, 1) << bad_c.out;
  EXPECT_NE(bad_c.out.find("Invalid proof"), std::string::npos) << bad_c.out;

  p = proof;
  p.b = (curve::G2(p.b) + curve::G2::generator()).to_affine();
  const Shell bad_b = verify(pk.vk, pub, p, "proof_b");
  EXPECT_EQ(bad_b.code, 1) << bad_b.out;

  // A second zkinfer proof (other r, s) of the same statement: snarkjs accepts it too.
  const Groth16Proof again = groth16_prove(pk, cs);
  const Shell ok2 = verify(pk.vk, pub, again, "again");
  EXPECT_EQ(ok2.code, 0) << ok2.out;
}

void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
std::string read_text(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The other direction: snarkjs sets up and proves our circuit (exported as circom's .r1cs and
// .wtns) over a TEST-ONLY power-7 powers of tau made here; our verifier accepts snarkjs's proof
// under snarkjs's key and rejects changed ones; `snarkjs wtns check` accepts our assignment and
// rejects an unsatisfying one (so snarkjs reads our constraints as we do).
TEST_F(Snarkjs, OurVerifierAcceptsSnarkjsProofsOfOurCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  ConstraintSystem cs, bad;
  const Fr x = Fr::random(rng);
  build_test_circuit(cs, x, 100, 3, 13);
  build_test_circuit(bad, x, 100, 3, 13, TestFault::kWitness);
  ASSERT_LE(cs.num_constraints() + cs.num_public() + 1, 128u);
  const fs::path r1cs = dir_ / "c.r1cs", wtns = dir_ / "w.wtns", bad_wtns = dir_ / "bad.wtns";
  write_bytes(r1cs, r1cs_snarkjs_bytes(cs));
  write_bytes(wtns, wtns_snarkjs_bytes(cs));
  write_bytes(bad_wtns, wtns_snarkjs_bytes(bad));
  ASSERT_EQ(r1cs_snarkjs_bytes(bad), r1cs_snarkjs_bytes(cs));  // one structure, other values
  const std::string s = "'" + kSnarkjs + "' ";
  auto in = [&](const char* f) {
    std::string q = "'";
    q += (dir_ / f).string();
    q += "' ";
    return q;
  };
  Shell r = sh(s + "wtns check " + in("c.r1cs") + in("w.wtns"));
  ASSERT_EQ(r.code, 0) << r.out;
  r = sh(s + "wtns check " + in("c.r1cs") + in("bad.wtns"));
  EXPECT_NE(r.code, 0) << r.out;
  // TEST ONLY: a one-beacon ceremony with a public beacon; setup without phase-2 contributions.
  const std::vector<std::string> steps = {
      "powersoftau new bn128 7 " + in("p0.ptau"),
      "powersoftau beacon " + in("p0.ptau") + in("p1.ptau") +
          "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 10 -n=test",
      "powersoftau prepare phase2 " + in("p1.ptau") + in("p7.ptau"),
      "groth16 setup " + in("c.r1cs") + in("p7.ptau") + in("c.zkey"),
      "zkey export verificationkey " + in("c.zkey") + in("vk.json"),
      "groth16 prove " + in("c.zkey") + in("w.wtns") + in("proof.json") + in("public.json")};
  std::string chain;
  for (const auto& step : steps) {
    if (!chain.empty()) chain += " && ";
    chain += s;
    chain += step;
  }
  r = sh(chain);
  ASSERT_EQ(r.code, 0) << r.out;
  const Groth16VerifyingKey vk = groth16_vk_from_snarkjs_json(read_text(dir_ / "vk.json"));
  const Groth16Proof proof = groth16_proof_from_snarkjs_json(read_text(dir_ / "proof.json"));
  const std::vector<Fr> pub = groth16_public_from_snarkjs_json(read_text(dir_ / "public.json"));
  EXPECT_EQ(pub, cs.public_values());
  ASSERT_EQ(vk.num_public(), cs.num_public());
  const auto ok = groth16_verify(vk, pub, proof);
  EXPECT_TRUE(ok) << ok.reason;
  std::vector<Fr> changed = pub;
  changed.back() += Fr::one();
  EXPECT_FALSE(groth16_verify(vk, changed, proof));
  Groth16Proof p = proof;
  p.a = (curve::G1(p.a) + curve::G1::generator()).to_affine();
  EXPECT_FALSE(groth16_verify(vk, pub, p));
  // Our JSON of snarkjs's objects reads back to the same objects.
  EXPECT_EQ(groth16_proof_from_snarkjs_json(groth16_snarkjs_proof_json(proof)), proof);
  EXPECT_EQ(groth16_vk_to_bytes(groth16_vk_from_snarkjs_json(groth16_snarkjs_vk_json(vk))), groth16_vk_to_bytes(vk));
}

// A key made from the TEST-ONLY power-10 powers-of-tau file (groth16_setup_ptau: gamma = 1).
TEST_F(Snarkjs, AcceptsProofsUnderAPtauKey) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  ConstraintSystem dummy, cs;
  build_test_circuit(dummy, Fr::zero(), 200, 2, 12);
  build_test_circuit(cs, Fr::random(rng), 200, 2, 12);
  const pcs::Ptau ptau =
      pcs::read_ptau(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau", groth16_ptau_options(cs));
  const auto rand = [&rng] { return Fr::random(rng); };
  const Groth16ProvingKey pk = groth16_setup_ptau(dummy, ptau, rand);
  const Groth16Proof proof = groth16_prove(pk, cs, rand);
  const Shell ok = verify(pk.vk, cs.public_values(), proof, "ptau");
  EXPECT_EQ(ok.code, 0) << ok.out;
  std::vector<Fr> changed = cs.public_values();
  changed[0] += Fr::one();
  const Shell bad = verify(pk.vk, changed, proof, "ptau_public");
  EXPECT_EQ(bad.code, 1) << bad.out;
}

}  // namespace
}  // namespace zkinfer::snark
