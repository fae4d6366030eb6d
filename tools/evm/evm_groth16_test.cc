// The generated Groth16 Solidity verifier (snark::groth16_solidity) run in @ethereumjs/evm
// (tools/evm/run.js): honest proofs return true; every proof word changed, non-canonical words
// (+q, +r), a changed, missing or extra public input, B's coordinates in the wrong order, another
// circuit's proof return false, each in agreement with the C++ verifier (groth16_verify) wherever
// the words decode to points. Prints the gas, for 1 and 9 public inputs (one compile each).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "evm_call.h"
#include "snark/groth16.h"
#include "snark/groth16_solidity.h"
#include "snark/groth16_test_circuit.h"
#include "test_seed.h"

namespace zkinfer::snark {
namespace {

namespace fs = std::filesystem;
using Word = std::array<uint8_t, 32>;
using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

const std::string kSource = ZKINFER_SOURCE_DIR;

std::string hex(const std::vector<uint8_t>& b) { return "0x" + evm_call::hex(b.data(), b.size()); }

// Adds a big-endian 256-bit constant to the word at byte `at` of calldata (mod 2^256).
std::vector<uint8_t> add_at(std::vector<uint8_t> cd, size_t at, const std::array<uint64_t, 4>& k) {
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const size_t byte = at + 31 - i;
    const unsigned v = cd[byte] + static_cast<unsigned>((k[i / 8] >> (8 * (i % 8))) & 0xff) + carry;
    cd[byte] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return cd;
}

struct Outcome {
  bool success = false;  // no revert
  bool value = false;    // the returned bool
  uint64_t gas = 0, tx_gas = 0;
};

// Deploys `sol` and runs every calldata against it.
std::vector<Outcome> run_all(const std::string& sol, const std::string& contract, const std::vector<std::string>& calls) {
  const fs::path dir = fs::temp_directory_path() / ("zkinfer_evm_groth16_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path src = dir / (contract + ".sol"), cf = dir / "calls.txt", out = dir / "out.jsonl";
  std::ofstream(src) << sol;
  {
    std::ofstream f(cf);
    for (const auto& c : calls) f << c << "\n";
  }
  const auto r = evm_call::sh("node " + evm_call::q(kSource + "/tools/evm/run.js") + " --contract " + contract +
                              " --size --calls " + evm_call::q(cf) + " " + evm_call::q(src) + " > " + evm_call::q(out));
  std::vector<Outcome> res;
  EXPECT_EQ(r.code, 0) << r.out;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("codeSize")) {
      std::printf("%s: deployed code %llu bytes\n", contract.c_str(),
                  static_cast<unsigned long long>(j["codeSize"].get<uint64_t>()));
      continue;
    }
    Outcome o;
    o.success = j["success"].get<bool>();
    o.gas = j["gasUsed"].get<uint64_t>();
    o.tx_gas = j["txGas"].get<uint64_t>();
    const std::string h = j["returnData"].get<std::string>();
    o.value = o.success && h.size() == 66 && h.substr(2, 63) == std::string(63, '0') && h.back() == '1';
    if (o.success) {
      EXPECT_EQ(h.size(), 66u) << h;
    }
    res.push_back(o);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  EXPECT_EQ(res.size(), calls.size());
  return res;
}

// The C++ verifier's verdict on calldata, where its words decode to points; nullopt otherwise
// (the EVM must then reject on its own).
std::optional<bool> cpp_verdict(const Groth16VerifyingKey& vk, const std::vector<uint8_t>& cd) {
  auto word = [&](size_t i) -> std::optional<field::Fq> {
    std::array<uint8_t, 32> le;
    for (size_t b = 0; b < 32; ++b) le[b] = cd[4 + 32 * i + 31 - b];
    return field::Fq::from_bytes(le);
  };
  std::optional<field::Fq> f[8];
  for (size_t i = 0; i < 8; ++i)
    if (!(f[i] = word(i))) return std::nullopt;
  Groth16Proof p;
  p.a = G1Affine::from_xy(*f[0], *f[1]);
  p.b = G2Affine::from_xy({*f[3], *f[2]}, {*f[5], *f[4]});
  p.c = G1Affine::from_xy(*f[6], *f[7]);
  const size_t n = (cd.size() - 4 - 32 * 10) / 32;
  std::vector<Fr> pub(n);
  for (size_t i = 0; i < n; ++i) {
    std::array<uint8_t, 32> le;
    for (size_t b = 0; b < 32; ++b) le[b] = cd[4 + 32 * (10 + i) + 31 - b];
    auto x = Fr::from_bytes(le);
    if (!x) return std::nullopt;
    pub[i] = *x;
  }
  return groth16_verify(vk, pub, p).ok;
}

void check_contract(size_t outputs, uint64_t structure) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + outputs);
  ConstraintSystem dummy, cs, other;
  build_test_circuit(dummy, Fr::zero(), 300, outputs, structure);
  build_test_circuit(cs, Fr::random(rng), 300, outputs, structure);
  build_test_circuit(other, Fr::random(rng), 300, outputs, structure + 1);
  // The key is a function of the seed: the solc cache serves reruns.
  const Groth16ProvingKey pk = groth16_setup_insecure(dummy, 0x6a0716 + outputs);
  const auto rand = [&rng] { return Fr::random(rng); };
  const Groth16Proof proof = groth16_prove(pk, cs, rand);
  const Groth16Proof proof2 = groth16_prove(pk, cs, rand);
  ConstraintSystem other_dummy;
  build_test_circuit(other_dummy, Fr::zero(), 300, outputs, structure + 1);
  const Groth16ProvingKey other_pk = groth16_setup_insecure(other_dummy, 0x6a0717 + outputs);
  const Groth16Proof other_proof = groth16_prove(other_pk, other, rand);
  const std::vector<Fr>& pub = cs.public_values();
  const size_t l = pub.size();
  ASSERT_EQ(l, 1 + outputs);

  const std::string name = "Groth16Verifier" + std::to_string(l);
  const std::string sol = groth16_solidity(pk.vk, name);

  struct Case {
    std::string what;
    std::vector<uint8_t> cd;
    bool expect;
  };
  std::vector<Case> cases;
  const auto honest = groth16_evm_calldata(proof, pub);
  ASSERT_EQ(honest.size(), 4 + 32 * (10 + l));
  // The first call pays cold access (2600 gas) to each precompile: run.js calls evm.runCall, which,
  // unlike a transaction (EIP-2929), does not pre-warm the precompiles; the journal keeps them warm
  // for the later calls. The figures reported are the later calls' (what a transaction pays).
  cases.push_back({"honest (first call)", honest, true});
  cases.push_back({"honest", honest, true});
  cases.push_back({"honest, other randomizers", groth16_evm_calldata(proof2, pub), true});
  for (size_t wi = 0; wi < 8; ++wi) cases.push_back({"proof word " + std::to_string(wi) + " + 1", add_at(honest, 4 + 32 * wi, {1, 0, 0, 0}), false});
  const auto q = field::FqParams::kModulus, r = field::FrParams::kModulus;
  for (size_t wi : {1, 2, 7}) cases.push_back({"proof word " + std::to_string(wi) + " + q", add_at(honest, 4 + 32 * wi, q), false});
  for (size_t i = 0; i < l; ++i) {
    cases.push_back({"public " + std::to_string(i) + " + 1", add_at(honest, 4 + 32 * (10 + i), {1, 0, 0, 0}), false});
    cases.push_back({"public " + std::to_string(i) + " + r", add_at(honest, 4 + 32 * (10 + i), r), false});
  }
  {
    Groth16Proof p = proof;
    p.a = -p.a;
    cases.push_back({"-A", groth16_evm_calldata(p, pub), false});
    p = proof;
    std::swap(p.b.x.c0, p.b.x.c1);
    std::swap(p.b.y.c0, p.b.y.c1);
    cases.push_back({"B's coordinates real part first", groth16_evm_calldata(p, pub), false});
    p = proof;
    std::swap(p.a, p.c);
    cases.push_back({"A and C swapped", groth16_evm_calldata(p, pub), false});
  }
  {
    std::vector<Fr> fewer(pub.begin(), pub.end() - 1), more = pub;
    more.push_back(Fr::zero());
    cases.push_back({"one public input fewer", groth16_evm_calldata(proof, fewer), false});
    cases.push_back({"one public input more", groth16_evm_calldata(proof, more), false});
  }
  cases.push_back({"another circuit's proof", groth16_evm_calldata(other_proof, other.public_values()), false});

  std::vector<std::string> calls;
  for (const auto& c : cases) calls.push_back(hex(c.cd));
  const auto res = run_all(sol, name, calls);
  ASSERT_EQ(res.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_TRUE(res[i].success) << cases[i].what << ": reverted (the verifier returns false instead)";
    EXPECT_EQ(res[i].value, cases[i].expect) << cases[i].what;
    if (cases[i].cd.size() == honest.size()) {
      const auto cpp = cpp_verdict(pk.vk, cases[i].cd);
      if (cpp) {
        EXPECT_EQ(res[i].value, *cpp) << cases[i].what << ": the EVM and the C++ verifier disagree";
      }
    }
  }
  std::printf("groth16 EVM verifier, %zu public inputs: verifyProof %llu gas (execution; first call %llu), "
              "%zu bytes of calldata, transaction %llu gas\n",
              l, static_cast<unsigned long long>(res[1].gas), static_cast<unsigned long long>(res[0].gas), honest.size(),
              static_cast<unsigned long long>(res[1].tx_gas));
  // The gas is deterministic: both honest proofs cost the same; the first call 3 cold accesses more.
  EXPECT_EQ(res[1].gas, res[2].gas);
  EXPECT_EQ(res[0].gas, res[1].gas + 3 * 2500);
}

bool have_tools() {
  if (evm_call::sh("command -v node").code != 0) return false;
  return fs::exists(kSource + "/tools/evm/node_modules/solc");
}

TEST(EvmGroth16, OnePublicInput) {
  if (!have_tools()) GTEST_SKIP() << "node or tools/evm/node_modules missing (scripts/install-evm.sh)";
  check_contract(0, 21);
}

TEST(EvmGroth16, NinePublicInputs) {
  if (!have_tools()) GTEST_SKIP() << "node or tools/evm/node_modules missing (scripts/install-evm.sh)";
  check_contract(8, 22);
}

TEST(EvmGroth16, RefusesBadContractNames) {
  Groth16VerifyingKey vk;
  vk.ic.resize(1, G1Affine::generator());
  vk.alpha = G1Affine::generator();
  vk.beta = vk.gamma = vk.delta = G2Affine::generator();
  EXPECT_NO_THROW(groth16_solidity(vk, "V_1"));
  EXPECT_THROW(groth16_solidity(vk, "1V"), Error);
  EXPECT_THROW(groth16_solidity(vk, "V; contract X"), Error);
  vk.ic[0] = G1Affine::identity();
  EXPECT_THROW(groth16_solidity(vk, "V"), Error);
}

}  // namespace
}  // namespace zkinfer::snark
