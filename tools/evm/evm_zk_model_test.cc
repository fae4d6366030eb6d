// The whole-model EVM verifier in zero-knowledge mode end to end (issue 15; docs/protocol/evm.md
// sections 3.3 and 4.1): models compiled with private weights (the weights committed in the key
// with hiding: proofs are zero-knowledge), set up with the kzg backend (key version 8: cp's pads
// KZG-committed in chunks; --kzg-weight-rows off) over the TEST-ONLY power-16 .ptau and proven;
// `zkinfer create-evm-verifier` writes the contract (contracts/ZkCpDriver.sol's driver),
// `zkinfer encode-evm-calldata` the calldata (with the pad chunks' count); tools/evm/run.js runs
// it in an in-memory EVM (Osaka), one compiled verifier per model. Cases: a scale-0 Gemm with a
// private output; a Gemm at the default scale (its rescale, the lookup batch) with a Neg and a
// BatchNormalization, private input and fixed weights (public constants against hidden claims); examples/mlp_digits
// in the default visibility (private input and weights: the input's bound check, ReLU) with the
// default key (version 9: weights in rows, combined on chain) and a version-8 key. Asserted: the honest proof returns true; changed proof words (the head,
// the tail: end section and pad group, a sample between), a changed output, a changed input
// (where public), a truncated proof and other proofs return false or revert. Gas printed.
//
// Exit status 77 (CTest's skip) when node or npm is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/random.h"
#include "evm_call.h"
#include "evm_models.h"
#include "onnx_build.h"
#include "test_seed.h"

namespace zkinfer {
namespace {

namespace fs = std::filesystem;
using namespace evm_call;  // Word, Call, parse_call, encode, plus_one, ..
using evm_models::write_deep_mlp;
using evm_models::write_resnet;

const fs::path kSource = ZKINFER_SOURCE_DIR;

Result zk(const std::string& args) { return sh(std::string("'") + ZKINFER_CLI + "' " + args); }

// Integers in [-span, span] as floats, the first of magnitude `span` (the largest).
std::vector<float> ints(TestRng& rng, size_t n, int64_t span) {
  std::vector<float> v(n);
  for (auto& f : v) f = static_cast<float>(static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(2 * span + 1)) - span);
  if (n) v[0] = static_cast<float>(span);
  return v;
}

// One Gemm 6 -> 3 with bias (transB), compiled at --scale 0: its weights are integers of at most
// 20,000 in magnitude, so that they quantize at scale 0 (the largest scale keeping them under
// 2^15: src/ops/op.cc default_const_scale) and the product needs no output rescale (the one step
// routine without a zero-knowledge form on chain: ZkNonlinear's rescale); the input integers in
// [-3, 3] (seeded).
// Floats in (-1, 1) (seeded).
std::vector<float> reals(TestRng& rng, size_t n) {
  std::vector<float> v(n);
  for (auto& f : v) f = static_cast<float>(static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
  return v;
}

// reals: real weights and input in (-1, 1) instead (the default scale then needs the output rescale).
void write_gemm(const fs::path& onnx, const fs::path& input, uint64_t seed, bool real = false) {
  TestRng rng(seed);
  onnx::ModelProto m = evm_models::new_model("gemm");
  auto* g = m.mutable_graph();
  test_onnx::add_init(g, "W", {3, 6}, real ? reals(rng, 18) : ints(rng, 18, 20000));
  test_onnx::add_init(g, "b", {3}, real ? reals(rng, 3) : ints(rng, 3, 1000));
  test_onnx::add_io(g->add_input(), "x", {1, 6});
  test_onnx::add_io(g->add_output(), "y", {1, 3});
  test_onnx::set_int(test_onnx::add_node(g, "Gemm", {"x", "W", "b"}, "y"), "transB", 1);
  evm_models::save_model(m, onnx, input, real ? reals(rng, 6) : ints(rng, 6, 3));
}

// Session 19: fixed weights on a private input, and a Neg. Gemm 16 -> 4 (transB) at the default
// scale (its rescale), Neg, BatchNormalization over the 4 channels: compiled with a private input
// and fixed weights (the proof is zero-knowledge: the claims are forms), the weight W (64 entries)
// is a constant the key commits to (opened), the bias b (4) one the verifier evaluates
// (_constants: ZkCpDriver.checkPublic), the BatchNormalization's folded a, b checked in its step
// (ZkCpDriver.checkPublic), the Neg's claims negated (ZkCpDriver.negate). Input and weights in
// (-1, 1) (seeded).
void write_fixed_neg_bn(const fs::path& onnx, const fs::path& input, uint64_t seed) {
  TestRng rng(seed);
  onnx::ModelProto m = evm_models::new_model("fixed_neg_bn");
  auto* g = m.mutable_graph();
  auto pos = [&](size_t n) {  // in [0.5, 1.5)
    std::vector<float> v = reals(rng, n);
    for (auto& x : v) x = 1.0f + x / 2;
    return v;
  };
  test_onnx::add_init(g, "W", {4, 16}, reals(rng, 64));
  // (a positive bias: its embedded values' word then starts with zero bytes, a PUSH that run.js
  // --patch finds; one starting with ff bytes may be written as a NOT of a shorter one)
  test_onnx::add_init(g, "b", {4}, pos(4));
  test_onnx::add_init(g, "bn_scale", {4}, pos(4));
  test_onnx::add_init(g, "bn_bias", {4}, reals(rng, 4));
  test_onnx::add_init(g, "bn_mean", {4}, reals(rng, 4));
  test_onnx::add_init(g, "bn_var", {4}, pos(4));
  test_onnx::add_io(g->add_input(), "x", {1, 16});
  test_onnx::add_io(g->add_output(), "y", {1, 4});
  test_onnx::set_int(test_onnx::add_node(g, "Gemm", {"x", "W", "b"}, "h"), "transB", 1);
  test_onnx::add_node(g, "Neg", {"h"}, "n");
  test_onnx::add_node(g, "BatchNormalization", {"n", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, "y");
  evm_models::save_model(m, onnx, input, reals(rng, 16));
}

// A small CNN with a MaxPool: Conv 1 -> 2 channels 3x3 (pads 1) with bias, Relu, MaxPool 2x2
// stride 2, Flatten, Gemm 32 -> 3 (transB), on a 1x1x8x8 input (seeded, in (-1, 1)); the
// power-of-two sizes keep the Flatten a free move (the same padded layout: the reindex routine has
// no zero-knowledge form yet).
void write_pool_cnn(const fs::path& onnx, const fs::path& input, uint64_t seed) {
  TestRng rng(seed);
  onnx::ModelProto m = evm_models::new_model("cnn");
  auto* g = m.mutable_graph();
  test_onnx::add_init(g, "Wc", {2, 1, 3, 3}, reals(rng, 18));
  test_onnx::add_init(g, "bc", {2}, reals(rng, 2));
  test_onnx::add_init(g, "W", {3, 32}, reals(rng, 96));
  test_onnx::add_init(g, "b", {3}, reals(rng, 3));
  test_onnx::add_io(g->add_input(), "x", {1, 1, 8, 8});
  test_onnx::add_io(g->add_output(), "y", {1, 3});
  test_onnx::set_ints(test_onnx::add_node(g, "Conv", {"x", "Wc", "bc"}, "c"), "pads", {1, 1, 1, 1});
  test_onnx::add_node(g, "Relu", {"c"}, "r");
  auto* mp = test_onnx::add_node(g, "MaxPool", {"r"}, "p");
  test_onnx::set_ints(mp, "kernel_shape", {2, 2});
  test_onnx::set_ints(mp, "strides", {2, 2});
  test_onnx::add_node(g, "Flatten", {"p"}, "f");
  test_onnx::set_int(test_onnx::add_node(g, "Gemm", {"f", "W", "b"}, "y"), "transB", 1);
  evm_models::save_model(m, onnx, input, reals(rng, 64));
}

// Compiles the Gemm model (public input, private weights, scale 0), sets up (kzg), proves,
// verifies and encodes it; with `contract`, writes its EVM verifier too.
bool prepare(const fs::path& d, bool contract,
             const std::string& compile_flags = "--scale 0 --input-visibility public --weights-visibility private",
             const std::string& setup_flags = "--kzg-weight-rows off", bool public_input = true) {
  const fs::path ptau = ZKINFER_TEST_PTAU;
  if (!fs::exists(ptau)) {
    ADD_FAILURE() << ptau << " missing: scripts/make-test-ptau.sh 16 " << ptau;
    return false;
  }
  const fs::path in = d / "input.json";
  std::vector<std::string> cmds = {
      "compile " + q(d / "model.onnx") + " --calibration " + q(in) + " " + compile_flags + " -o " + q(d / "m.zkm"),
      "setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + " " + setup_flags + " -o " + q(d / "k"),
      "prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(in) + " -o " + q(d / "p.zkp"),
      "verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + (public_input ? " --input " + q(in) : std::string()) +
          " --no-key-cache",
      "encode-evm-calldata --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + (public_input ? " --input " + q(in) : std::string()) +
          " -o " + q(d / "calldata.hex") + " --layout " + q(d / "layout.json")};
  if (contract) cmds.push_back("create-evm-verifier --vk " + q(d / "k" / "vk") + " -o " + q(d / "Verifier.sol"));
  for (const std::string& c : cmds) {
    const Result r = zk(c);
    if (r.code != 0) {
      ADD_FAILURE() << c << "\n" << r.out;
      return false;
    }
  }
  return true;
}

struct Outcome {
  bool success = false, accepted = false;
  uint64_t gas = 0, tx_gas = 0;
};

// Runs `calls` (calldata hex, one a line) against dir/Verifier.sol's contract in the EVM; the
// code sizes checked (24,576 bytes each) and returned as printed.
std::vector<Outcome> run_calls(const fs::path& dir, const std::vector<std::string>& calls, std::string* sizes) {
  {
    std::ofstream f(dir / "calls.txt");
    for (const auto& c : calls) f << c << "\n";
  }
  const Result r = sh("node " + q(kSource / "tools/evm/run.js") + " --contract ZkinferVerifier --size --cache " + q(dir / "solc.json") +
                      " --calls " + q(dir / "calls.txt") + " " +
                      q(dir / "Verifier.sol") + " > " + q(dir / "out.jsonl"));
  EXPECT_EQ(r.code, 0) << r.out << read_text(dir / "out.jsonl").substr(0, 4000);
  std::vector<Outcome> out;
  std::ifstream in(dir / "out.jsonl");
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("codeSize")) {
      *sizes = line;
      EXPECT_LE(j["codeSize"].get<uint64_t>(), 24576u);
      if (j.contains("libraries")) {
        for (const auto& [lib, size] : j["libraries"].items()) EXPECT_LE(size.get<uint64_t>(), 24576u) << lib;
      }
      continue;
    }
    Outcome o;
    o.success = j["success"].get<bool>();
    const std::string rd = j["returnData"].get<std::string>();
    o.accepted = o.success && rd.size() == 66 && rd.back() == '1' && rd.find_first_not_of('0', 2) == 65;
    o.gas = j["gasUsed"].get<uint64_t>();
    o.tx_gas = j["txGas"].get<uint64_t>();
    out.push_back(o);
  }
  return out;
}

// The honest call of dir (prepared with its verifier) accepted; changed proof words (the head's
// 8, the last 16 (the end section's tail, the pad group), about `sampled` spread between), each output byte, an input byte (when public), a
// truncated proof and `others` (other proofs' calls) rejected. Returns the honest outcome.
Outcome check_changes(const fs::path& dir, const std::string& label, const std::vector<std::pair<std::string, Call>>& others,
                      size_t sampled, std::string* sizes_out = nullptr) {
  const Call honest = parse_call(dir / "calldata.hex");
  const auto layout = nlohmann::json::parse(read_text(dir / "layout.json"));
  EXPECT_EQ(layout.size(), honest.words.size());
  std::vector<std::string> calls = {encode(honest)};
  std::vector<std::string> what = {"honest"};
  const size_t n = honest.words.size(), stride = std::max<size_t>(1, n / std::max<size_t>(1, sampled));
  for (size_t i = 0; i < n; ++i) {
    if (i >= 8 && i + 16 < n && i % stride != 0) continue;
    Call c = honest;
    c.words[i] = plus_one(c.words[i]);
    calls.push_back(encode(c));
    what.push_back("proof word " + std::to_string(i) + " (" + layout[i]["kind"].get<std::string>() + ") + 1");
  }
  {
    Call c = honest;
    c.words.pop_back();
    calls.push_back(encode(c));
    what.push_back("truncated proof");
  }
  for (size_t i = 0; i < honest.outputs.size(); ++i) {
    Call c = honest;
    c.outputs[i] ^= 1;
    calls.push_back(encode(c));
    what.push_back("output byte " + std::to_string(i) + " ^ 1");
  }
  if (!honest.inputs.empty()) {
    Call c = honest;
    c.inputs[honest.inputs.size() / 2] ^= 1;
    calls.push_back(encode(c));
    what.push_back("an input byte ^ 1");
  }
  for (const auto& [w, c] : others) {
    calls.push_back(encode(c));
    what.push_back(w);
  }
  std::string sizes;
  const auto out = run_calls(dir, calls, &sizes);
  if (out.size() != calls.size()) {
    ADD_FAILURE() << label << ": " << out.size() << " outcomes for " << calls.size() << " calls";
    return {};
  }
  EXPECT_TRUE(out[0].accepted) << label << ": the honest proof is rejected";
  size_t reverted = 0;
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_FALSE(out[i].accepted) << label << ": " << what[i] << " is accepted";
    reverted += !out[i].success;
  }
  if (sizes_out) *sizes_out = sizes;
  std::printf("%s: %zu proof words (%zu bytes of calldata), %zu bytes of public values; sizes %s\n", label.c_str(), n,
              (calls[0].size() - 2) / 2, honest.inputs.size() + honest.outputs.size(), sizes.c_str());
  std::printf("  honest: execution gas %llu, transaction gas %llu; %zu changes rejected (%zu by a revert)\n",
              static_cast<unsigned long long>(out[0].gas), static_cast<unsigned long long>(out[0].tx_gas), out.size() - 1, reverted);
  return out[0];
}

class EvmZkModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = fs::temp_directory_path() / ("zkinfer_evm_zk_model_" + std::to_string(::getpid())); }
  static void TearDownTestSuite() {
    if (std::getenv("ZKINFER_EVM_KEEP")) {
      std::printf("kept %s\n", dir_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static fs::path dir_;
};
fs::path EvmZkModel::dir_;

// The scale-0 Gemm with a PRIVATE output (its first claim a padded message, checked against its
// committed digits by ZkCpNonlinear.verifyBound after the input's claims): the honest proof
// returns true; changed proof words (the chunk count and commitments, a sample of the rest, and
// the tail: end section and pad group), a changed input and another model's proof are rejected
// (false or a revert).
TEST_F(EvmZkModel, GemmPrivateWeightsVerifiesAndRejectsChanges) {
  std::printf("*** %s is a TEST-ONLY powers of tau (known tau): never use it for real keys ***\n", ZKINFER_TEST_PTAU);
  const uint64_t seed = testing::test_seed();
  const fs::path a = dir_ / "a", b = dir_ / "b";
  fs::create_directories(a);
  fs::create_directories(b);
  write_gemm(a / "model.onnx", a / "input.json", seed);
  write_gemm(b / "model.onnx", b / "input.json", seed + 1);
  const std::string flags = "--scale 0 --input-visibility public --weights-visibility private --output-visibility private";
  ASSERT_TRUE(prepare(a, true, flags));
  ASSERT_TRUE(prepare(b, false, flags));
  const std::string sol = read_text(a / "Verifier.sol");
  EXPECT_NE(sol.find("ZkCpDriver.privateOutputClaim"), std::string::npos);
  EXPECT_NE(sol.find("ZkCpNonlinear.verifyBound"), std::string::npos);
  EXPECT_NE(sol.find("ZkCpDriver.readChunks"), std::string::npos);
  EXPECT_NE(sol.find("ZkCpMatmul.verifyMatmul"), std::string::npos);
  const Call honest = parse_call(a / "calldata.hex"), other = parse_call(b / "calldata.hex");
  // The layout: the digest, then the pad chunks' count (one chunk: fewer than 1,024 messages)
  // and its commitment.
  const auto layout = nlohmann::json::parse(read_text(a / "layout.json"));
  ASSERT_EQ(layout.size(), honest.words.size());
  ASSERT_GE(honest.words.size(), 4u);
  EXPECT_EQ(layout[0]["kind"], "digest");
  EXPECT_EQ(layout[1]["kind"], "chunks");
  EXPECT_EQ(honest.words[1], u64_word(1));
  EXPECT_EQ(layout[2]["kind"], "g1.x");
  EXPECT_EQ(layout[3]["kind"], "g1.y");
  size_t chunk_words = 0;
  for (const auto& e : layout) chunk_words += e["kind"] == "chunks";
  EXPECT_EQ(chunk_words, 1u);

  std::vector<std::string> calls = {encode(honest)};
  std::vector<std::string> what = {"honest"};
  const size_t n = honest.words.size();
  for (size_t i = 0; i < n; ++i) {
    // every word of the head (digest, count, chunk, commitments) and of the last 32 (the end
    // section's tail and the pad group), every 20th between
    if (i >= 8 && i + 32 < n && i % 20 != 0) continue;
    Call c = honest;
    c.words[i] = plus_one(c.words[i]);
    calls.push_back(encode(c));
    what.push_back("proof word " + std::to_string(i) + " (" + layout[i]["kind"].get<std::string>() + ") + 1");
  }
  {
    Call c = honest;
    c.words[1] = u64_word(2);  // a second chunk claimed (the proof's words shift)
    calls.push_back(encode(c));
    what.push_back("chunk count 2");
    c = honest;
    c.words[1] = u64_word(0);
    calls.push_back(encode(c));
    what.push_back("chunk count 0");
    c = honest;
    c.words.pop_back();
    calls.push_back(encode(c));
    what.push_back("truncated proof");
  }
  for (size_t i = 0; i < honest.outputs.size(); ++i) {  // each output byte changed
    Call c = honest;
    c.outputs[i] ^= 1;
    calls.push_back(encode(c));
    what.push_back("output byte " + std::to_string(i) + " ^ 1");
  }
  {
    Call c = honest;
    c.inputs[honest.inputs.size() / 2] ^= 1;
    calls.push_back(encode(c));
    what.push_back("an input byte ^ 1");
    c = other;
    calls.push_back(encode(c));
    what.push_back("another model's proof with its values");
    c = honest;
    c.words = other.words;
    calls.push_back(encode(c));
    what.push_back("another model's proof words");
  }
  {
    std::ofstream f(a / "calls.txt");
    for (const auto& c : calls) f << c << "\n";
  }
  const Result r = sh("node " + q(kSource / "tools/evm/run.js") + " --contract ZkinferVerifier --size --calls " + q(a / "calls.txt") + " " +
                      q(a / "Verifier.sol") + " > " + q(a / "out.jsonl"));
  ASSERT_EQ(r.code, 0) << r.out << read_text(a / "out.jsonl").substr(0, 4000);
  std::vector<Outcome> out;
  std::string sizes;
  {
    std::ifstream in(a / "out.jsonl");
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j.contains("codeSize")) {
        sizes = line;
        EXPECT_LE(j["codeSize"].get<uint64_t>(), 24576u);
        if (j.contains("libraries")) {
          for (const auto& [lib, size] : j["libraries"].items()) EXPECT_LE(size.get<uint64_t>(), 24576u) << lib;
        }
        continue;
      }
      Outcome o;
      o.success = j["success"].get<bool>();
      const std::string rd = j["returnData"].get<std::string>();
      o.accepted = o.success && rd.size() == 66 && rd.back() == '1' && rd.find_first_not_of('0', 2) == 65;
      o.gas = j["gasUsed"].get<uint64_t>();
      o.tx_gas = j["txGas"].get<uint64_t>();
      out.push_back(o);
    }
  }
  ASSERT_EQ(out.size(), calls.size());
  EXPECT_TRUE(out[0].accepted) << "the honest proof is rejected";
  size_t reverted = 0;
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_FALSE(out[i].accepted) << what[i] << " is accepted";
    reverted += !out[i].success;
  }
  std::printf("zero-knowledge Gemm 6 -> 3 (public input, private weights, private output): %zu proof words, %zu bytes of public values; sizes %s\n", n,
              honest.inputs.size() + honest.outputs.size(), sizes.c_str());
  std::printf("  honest: execution gas %llu, transaction gas %llu; %zu changes rejected (%zu by a revert)\n",
              static_cast<unsigned long long>(out[0].gas), static_cast<unsigned long long>(out[0].tx_gas), out.size() - 1, reverted);
}

// A Gemm at the default scale (its output rescale: ZkCpNonlinear.verifyRescale, advice claims bound
// at the step's commitments, the model-wide lookup batch in zero-knowledge mode: ZkCpLookups), then a
// Neg and a BatchNormalization (write_fixed_neg_bn), with a PRIVATE input and FIXED weights (session
// 19; before, public input and private weights): the zero-knowledge forms of Neg (ZkCpDriver.negate)
// and of public constants against hidden claims (ZkCpDriver.checkPublic: the BatchNormalization's a,
// b in its step, the bias in _constants; the weight opened against the key's commitment), the
// input's bound check; the default kzg key (version 9, no weight rows). Besides check_changes'
// changes: the contract deployed with one value of the BatchNormalization's a, or of the bias,
// changed (run.js --patch) rejects the honest proof.
TEST_F(EvmZkModel, GemmNegBnFixedWeightsPrivateInputVerifiesAndRejectsChanges) {
  const uint64_t seed = testing::test_seed() + 11;
  const fs::path a = dir_ / "ra", b = dir_ / "rb";
  fs::create_directories(a);
  fs::create_directories(b);
  write_fixed_neg_bn(a / "model.onnx", a / "input.json", seed);
  write_fixed_neg_bn(b / "model.onnx", b / "input.json", seed + 1);
  const std::string flags = "--input-visibility private --weights-visibility fixed";
  ASSERT_TRUE(prepare(a, true, flags, "", false));
  ASSERT_TRUE(prepare(b, false, flags, "", false));
  EXPECT_NE(zk("inspect " + q(a / "k" / "vk")).out.find("\"version\": 9"), std::string::npos);
  const std::string sol = read_text(a / "Verifier.sol");
  for (const char* r : {"ZkCpNonlinear.verifyRescale", "ZkCpLookups.run", "ZkCpNonlinear.verifyBound", "ZkCpDriver.negate(cl);",
                        "        if (!ZkCpDriver.checkPublic(c, ", "ZkCpDriver.openClaims(c, ", "&& !ZkCpDriver.checkPublic(c, "})
    EXPECT_NE(sol.find(r), std::string::npos) << r;
  EXPECT_EQ(sol.find("revert ZkCpDriver.BadShape();  // b"), std::string::npos);
  const Call honest = parse_call(a / "calldata.hex"), other = parse_call(b / "calldata.hex");
  Call words = honest;
  words.words = other.words;
  check_changes(a, "zero-knowledge Gemm 16 -> 4 with its rescale, Neg, BatchNormalization (private input, fixed weights)",
                {{"another model's proof with its values", other}, {"another model's proof words", words}}, 16);
  // A public constant changed in the deployed contract: the BatchNormalization's a (in its node
  // function) and the bias (the contract's _c function), one 8-byte value's low byte.
  const std::string call = encode(honest);
  const fs::path run_js = kSource / "tools/evm/run.js";
  for (const std::string marker : {"        if (!ZkCpDriver.checkPublic(c, ", "private pure returns (int256[] memory) {"}) {
    const std::string from = hex_literal_after(sol, marker);
    ASSERT_GE(from.size(), 64u) << marker;
    std::string to;
    for (size_t at = 14; at < 64 && to.empty(); at += 16) {  // the low byte of value k (a 32-byte piece's)
      std::string t = from;
      t[at + 1] = t[at + 1] == '1' ? '2' : '1';
      if (patchable(from, t)) to = t;
    }
    ASSERT_FALSE(to.empty()) << "no patchable value in " << from;
    const PatchedRun bad = run_patched(run_js, a / "Verifier.sol", "ZkinferVerifier", a / "solc.json", "ZkinferVerifier", from, to, call, a);
    ASSERT_TRUE(bad.ran) << bad.out;
    EXPECT_FALSE(bad.accepted) << "a contract with a public constant changed (" << marker << ") accepts the honest proof";
    std::printf("the contract with a public constant changed (%s...) rejects the honest proof (%s)\n", marker.substr(8, 20).c_str(),
                bad.success ? "returns false" : "reverts");
  }
}

// examples/mlp_digits (Gemm, ReLU, Gemm) in the default visibility: private input and private
// weights (the input's digits' bound check on chain too), with the DEFAULT kzg key (version 9:
// fc1.weight (64 x 64) in 4 rows and fc2.weight in 2 rows of 2^10, combined on chain at the
// reduction's point, docs/protocol/evm.md section 3.4a). Rejected besides: the proof of another
// input with this proof's outputs, another model's proof, and the same model and input proven
// with the version-8 key (--kzg-weight-rows off: single commitments, the opening at all of rho).
// That key's own verifier (no rows) accepts its proof and rejects the version-9 key's (with
// ZKINFER_EVM_BOTH_KEYS set: a second contract's compile).
TEST_F(EvmZkModel, MlpDigitsDefaultVisibilityVerifiesAndRejectsChanges) {
  const fs::path a = dir_ / "mlp", b = dir_ / "mlp2", o = dir_ / "mlpo", k8 = dir_ / "mlp8";
  fs::create_directories(a);
  fs::create_directories(b);
  fs::create_directories(o);
  fs::create_directories(k8);
  fs::copy_file(kSource / "examples/mlp_digits/model.onnx", a / "model.onnx", fs::copy_options::overwrite_existing);
  fs::copy_file(kSource / "examples/mlp_digits/input.json", a / "input.json", fs::copy_options::overwrite_existing);
  ASSERT_TRUE(prepare(a, true, "", "", false));
  EXPECT_NE(zk("inspect " + q(a / "k" / "vk")).out.find("\"version\": 9"), std::string::npos);
  const std::string sol = read_text(a / "Verifier.sol");
  EXPECT_NE(sol.find("ZkCpNonlinear.verifyRelu"), std::string::npos);
  EXPECT_NE(sol.find("ZkCpNonlinear.verifyBound"), std::string::npos);
  EXPECT_NE(sol.find("fc1.weight (2^12 in 4 rows of 2^10: combined in the opening)"), std::string::npos);
  EXPECT_NE(sol.find("fc2.weight (2^11 in 2 rows of 2^10: combined in the opening)"), std::string::npos);
  // another input (the first value changed) proven with the same key
  {
    auto j = nlohmann::json::parse(read_text(a / "input.json"));
    auto& v = j["input_data"][0];
    v[0] = v[0].get<double>() + 0.5;
    std::ofstream(b / "input.json") << j.dump() << "\n";
    const Result r = zk("prove " + q(a / "m.zkm") + " --pk " + q(a / "k" / "pk") + " --input " + q(b / "input.json") + " -o " +
                        q(b / "p.zkp"));
    ASSERT_EQ(r.code, 0) << r.out;
    ASSERT_EQ(zk("encode-evm-calldata --vk " + q(a / "k" / "vk") + " --proof " + q(b / "p.zkp") + " -o " + q(b / "calldata.hex")).code, 0);
  }
  // the same model and input with a version-8 key (--kzg-weight-rows off), its own verifier
  {
    const fs::path ptau = ZKINFER_TEST_PTAU;
    for (const std::string& c :
         {"setup " + q(a / "m.zkm") + " --backend kzg --srs " + q(ptau) + " --kzg-weight-rows off -o " + q(k8 / "k"),
          "prove " + q(a / "m.zkm") + " --pk " + q(k8 / "k" / "pk") + " --input " + q(a / "input.json") + " -o " + q(k8 / "p.zkp"),
          "encode-evm-calldata --vk " + q(k8 / "k" / "vk") + " --proof " + q(k8 / "p.zkp") + " -o " + q(k8 / "calldata.hex"),
          "create-evm-verifier --vk " + q(k8 / "k" / "vk") + " -o " + q(k8 / "Verifier.sol")}) {
      const Result r = zk(c);
      ASSERT_EQ(r.code, 0) << c << "\n" << r.out;
    }
    EXPECT_NE(zk("inspect " + q(k8 / "k" / "vk")).out.find("\"version\": 8"), std::string::npos);
    EXPECT_EQ(read_text(k8 / "Verifier.sol").find("rows of 2^"), std::string::npos);
  }
  // another model's proof (the scale-0 Gemm's)
  write_gemm(o / "model.onnx", o / "input.json", testing::test_seed() + 5);
  ASSERT_TRUE(prepare(o, false));
  const Call honest = parse_call(a / "calldata.hex"), second = parse_call(b / "calldata.hex"), other = parse_call(o / "calldata.hex"),
             v8 = parse_call(k8 / "calldata.hex");
  Call mixed = second;
  mixed.outputs = honest.outputs;
  Call words = honest;
  words.words = other.words;
  std::vector<std::pair<std::string, Call>> others = {{"another model's proof words", words},
                                                      {"the version-8 key's proof of the same model and input", v8}};
  if (mixed.outputs != second.outputs) others.push_back({"another input's proof with this proof's outputs", mixed});
  Call swapped = honest;
  swapped.words = second.words;
  if (second.outputs != honest.outputs) others.push_back({"this proof's outputs with another input's proof", swapped});
  const Outcome h = check_changes(a, "mlp_digits, default visibility (private input and weights), default key (version 9, weight rows)",
                                  others, 8);
  // The key is what the proof is checked against: the same compiled contract deployed with the
  // first row-committed weight's rows 0 and 1 swapped in its key library, or with a key commitment
  // negated (run.js --patch, the compile cached), rejects the honest proof; with an identity patch
  // it accepts it.
  {
    const std::string rows = hex_literal_after(read_text(a / "Verifier.sol"), "function rows()");
    ASSERT_GE(rows.size(), 8u + 256u) << "no weight committed in two rows or more";  // index (2 bytes), n, L, then 64-byte rows
    ASSERT_GT(static_cast<int>(std::stoi(rows.substr(4, 2), nullptr, 16)) - std::stoi(rows.substr(6, 2), nullptr, 16), 0);
    const std::string& from = rows;
    const std::string swapped = rows.substr(0, 8) + rows.substr(8 + 128, 128) + rows.substr(8, 128) + rows.substr(8 + 256);
    ASSERT_NE(from, swapped);
    const std::string call = encode(parse_call(a / "calldata.hex"));
    const fs::path run_js = kSource / "tools/evm/run.js";
    const PatchedRun same =
        run_patched(run_js, a / "Verifier.sol", "ZkinferVerifier", a / "solc.json", "ZkinferVerifierKey", from, from, call, a);
    ASSERT_TRUE(same.ran) << same.out;
    EXPECT_TRUE(same.accepted) << "the honest proof is rejected by the identically patched contract: " << same.out;
    const PatchedRun bad =
        run_patched(run_js, a / "Verifier.sol", "ZkinferVerifier", a / "solc.json", "ZkinferVerifierKey", from, swapped, call, a);
    ASSERT_TRUE(bad.ran) << bad.out;
    EXPECT_FALSE(bad.accepted) << "a contract with two weight rows swapped accepts the honest proof";
    std::printf("mlp_digits: the contract with two weight rows swapped rejects the honest proof (%s)\n",
                bad.success ? "returns false" : "reverts");
    // and with a single key commitment (a weight not in rows: 65 bytes x, y, variables; a
    // row-committed weight's entry is a placeholder (0, 0)) negated: the first whose changed
    // words run_patched can find
    const std::string coms = hex_literal_after(read_text(a / "Verifier.sol"), "ZkCpDriver.addCommitments(c, ");
    size_t at = 0;
    std::string negated;
    for (; at + 130 <= coms.size(); at += 130) {
      if (coms.find_first_not_of('0', at) >= at + 128) continue;
      negated = coms.substr(0, at) + negate_g1_hex(coms.substr(at, 128)) + coms.substr(at + 128);
      if (patchable(coms, negated)) break;
    }
    ASSERT_LE(at + 130, coms.size()) << "no single key commitment to negate in the contract";
    const PatchedRun neg =
        run_patched(run_js, a / "Verifier.sol", "ZkinferVerifier", a / "solc.json", "ZkinferVerifier", coms, negated, call, a);
    ASSERT_TRUE(neg.ran) << neg.out;
    EXPECT_FALSE(neg.accepted) << "a contract with a key commitment negated accepts the honest proof";
    std::printf("mlp_digits: the contract with key commitment %zu negated rejects the honest proof (%s)\n", at / 130,
                neg.success ? "returns false" : "reverts");
  }
  // the version-8 key's verifier: its proof accepted, the version-9 key's rejected (a second
  // contract to compile: about 2 min of CPU, so only with ZKINFER_EVM_BOTH_KEYS set, as for
  // BENCHMARKS.md's gas of both keys)
  if (!std::getenv("ZKINFER_EVM_BOTH_KEYS")) return;
  std::string sizes;
  const auto out8 = run_calls(k8, {encode(v8), encode(honest)}, &sizes);
  ASSERT_EQ(out8.size(), 2u);
  EXPECT_TRUE(out8[0].accepted) << "the version-8 key's proof is rejected by its verifier";
  EXPECT_FALSE(out8[1].accepted) << "the version-9 key's proof is accepted by the version-8 key's verifier";
  std::printf("mlp_digits, default visibility, version-8 key (--kzg-weight-rows off): %zu proof words; sizes %s\n", v8.words.size(),
              sizes.c_str());
  std::printf("  honest: execution gas %llu, transaction gas %llu (version-9 key: %llu, %llu)\n",
              static_cast<unsigned long long>(out8[0].gas), static_cast<unsigned long long>(out8[0].tx_gas),
              static_cast<unsigned long long>(h.gas), static_cast<unsigned long long>(h.tx_gas));
}

// A CNN in the default visibility (private input and weights) on chain: ZkCpConv's conv,
// ZkCpPool's pool, ZkCpNonlinear's rescale / ReLU / bound, the lookup batch. `dir` holds
// model.onnx and input.json; the key is made with --kzg-weight-rows off where `rows_off` (a
// version-8 key; the default version-9 key's rows are combined on chain since zknodes). Rejected besides check_changes'
// changes: another input's proof with this proof's outputs (and the reverse), another model's proof.
void check_cnn(const fs::path& a, const std::string& label, const std::vector<std::string>& routines, bool rows_off) {
  const fs::path b = a / "second", o = a / "other";
  fs::create_directories(b);
  fs::create_directories(o);
  ASSERT_TRUE(prepare(a, true, "", rows_off ? "--kzg-weight-rows off" : "", false));
  const std::string sol = read_text(a / "Verifier.sol");
  for (const auto& r : routines) EXPECT_NE(sol.find(r), std::string::npos) << r;
  {
    auto j = nlohmann::json::parse(read_text(a / "input.json"));
    auto& v = j["input_data"][0];
    v[0] = v[0].get<double>() + 0.5;
    std::ofstream(b / "input.json") << j.dump() << "\n";
    const Result r = zk("prove " + q(a / "m.zkm") + " --pk " + q(a / "k" / "pk") + " --input " + q(b / "input.json") + " -o " +
                        q(b / "p.zkp"));
    ASSERT_EQ(r.code, 0) << r.out;
    ASSERT_EQ(zk("encode-evm-calldata --vk " + q(a / "k" / "vk") + " --proof " + q(b / "p.zkp") + " -o " + q(b / "calldata.hex")).code, 0);
  }
  write_gemm(o / "model.onnx", o / "input.json", testing::test_seed() + 7);
  ASSERT_TRUE(prepare(o, false));
  const Call honest = parse_call(a / "calldata.hex"), second = parse_call(b / "calldata.hex"), other = parse_call(o / "calldata.hex");
  Call words = honest;
  words.words = other.words;
  std::vector<std::pair<std::string, Call>> others = {{"another model's proof words", words}};
  Call mixed = second;
  mixed.outputs = honest.outputs;
  if (mixed.outputs != second.outputs) others.push_back({"another input's proof with this proof's outputs", mixed});
  Call swapped = honest;
  swapped.words = second.words;
  others.push_back({"another input's proof words with this proof's outputs", swapped});
  check_changes(a, label, others, 12);
}

// A small CNN (Conv with bias and pads, Relu, MaxPool 2x2 stride 2, Flatten, Gemm) in the default
// visibility on the default key (version 9: no weight here is committed in rows).
TEST_F(EvmZkModel, PoolCnnDefaultVisibilityVerifiesAndRejectsChanges) {
  const fs::path a = dir_ / "poolcnn";
  fs::create_directories(a);
  write_pool_cnn(a / "model.onnx", a / "input.json", testing::test_seed() + 19);
  check_cnn(a, "CNN with MaxPool, default visibility (private input and weights)",
            {"ZkCpConv.verifyConv", "ZkCpPool.verifyMaxPool"}, false);
}

// A residual CNN (Conv with bias and pads, BatchNormalization, Relu, Conv, the skip Add,
// GlobalAveragePool, Flatten, Gemm) in the default visibility on the default key (session 18: the
// elementwise routine in zero-knowledge mode, ZkCpElementwise: BatchNormalization's affine form and
// the Add; it replaces session 17's CNN with GlobalAveragePool, which it contains).
TEST_F(EvmZkModel, ResidualCnnDefaultVisibilityVerifiesAndRejectsChanges) {
  const fs::path a = dir_ / "rescnn";
  fs::create_directories(a);
  write_resnet(a / "model.onnx", a / "input.json", testing::test_seed() + 21);
  check_cnn(a, "residual CNN, default visibility (private input and weights)",
            {"ZkCpConv.verifyConv", "ZkCpPool.verifyGlobalAvgPool", "ZkCpElementwise.verifyElementwise"}, false);
}

// A zero-knowledge model of more than 10 node steps (session 17): the deep perceptron 8x7-3 in the
// default visibility (private input and weights; 15 node steps) gets its node functions in node
// libraries in zero-knowledge mode (ZkCpDriver.part / strip / mergePart: the context and the cp
// log stay in the contract, each library gets the claims on its tensors and an empty part of the
// log, and gives back what it added). Every contract under 24,576 bytes; the honest proof
// verifies; changed words, a truncated proof, the other input's proof and another model's proof
// are rejected.
TEST_F(EvmZkModel, DeepMlpNodeLibrariesVerifyAndRejectChanges) {
  const uint64_t seed = testing::test_seed() + 17;
  const fs::path a = dir_ / "deep", b = dir_ / "deep2";
  fs::create_directories(a);
  fs::create_directories(b);
  write_deep_mlp(a / "model.onnx", a / "input.json", seed);
  write_deep_mlp(b / "model.onnx", b / "input.json", seed + 1);
  ASSERT_TRUE(prepare(a, true, "", "", false));
  ASSERT_TRUE(prepare(b, false, "", "", false));
  const std::string sol = read_text(a / "Verifier.sol");
  EXPECT_NE(sol.find("library ZkinferVerifierNodes0"), std::string::npos);
  EXPECT_NE(sol.find("ZkCpDriver.mergePart(c, ZkCpDriver.unpackMem(r))"), std::string::npos);
  const Call honest = parse_call(a / "calldata.hex"), other = parse_call(b / "calldata.hex");
  Call words = honest;
  words.words = other.words;
  std::string sizes;
  check_changes(a, "deep mlp 8x7-3, default visibility (private input and weights; node libraries)",
                {{"another model's proof with its values", other}, {"another model's proof words", words}}, 8, &sizes);
  ASSERT_FALSE(sizes.empty());
  const auto j = nlohmann::json::parse(sizes);
  size_t node_libs = 0;
  for (const auto& [lib, size] : j["libraries"].items()) node_libs += lib.rfind("ZkinferVerifierNodes", 0) == 0;
  EXPECT_GE(node_libs, 2u) << sizes;
}

// examples/cnn_digits in the default visibility (private input and weights) on the default key:
// conv1, ReLU, MaxPool, conv2, ReLU, MaxPool, the Flatten ([1,32,2,2] -> [1,128]: one padded
// table, its claims passed on: no reindex routine), fc1, ReLU, fc2 (10 node steps: node
// libraries). Every
// contract under 24,576 bytes, the honest proof verifies, check_cnn's changes are rejected.
// Minutes of CPU: run only with ZKINFER_EVM_ZK_CNN_DIGITS=1.
TEST_F(EvmZkModel, CnnDigitsDefaultVisibilityVerifiesAndRejectsChanges) {
  if (!std::getenv("ZKINFER_EVM_ZK_CNN_DIGITS")) GTEST_SKIP() << "set ZKINFER_EVM_ZK_CNN_DIGITS=1 to run (minutes of CPU)";
  const fs::path a = dir_ / "cnn_digits";
  fs::create_directories(a);
  fs::copy_file(kSource / "examples/cnn_digits/model.onnx", a / "model.onnx", fs::copy_options::overwrite_existing);
  fs::copy_file(kSource / "examples/cnn_digits/input.json", a / "input.json", fs::copy_options::overwrite_existing);
  check_cnn(a, "examples/cnn_digits, default visibility (private input and weights)",
            {"ZkCpConv.verifyConv", "ZkCpPool.verifyMaxPool", "library ZkinferVerifierNodes1"}, false);
}

}  // namespace
}  // namespace zkinfer

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    std::printf("node is not installed: skipped\n");
    return 77;
  }
  return RUN_ALL_TESTS();
}
