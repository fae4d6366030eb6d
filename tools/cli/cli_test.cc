// End-to-end tests of the zkinfer binary: compile/run/inspect on the bundled example, and every
// error path (unsupported operators, malformed ONNX or JSON, wrong input size, unreadable or
// corrupt files, bad usage) ends with exit code 2 and a clear message, never a crash.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>
#include <sstream>

#include "onnx_build.h"

namespace fs = std::filesystem;

namespace {
const fs::path kShared = fs::path(ZKINFER_SHARED_DIR) / "models";
const fs::path kExamples = fs::path(ZKINFER_SOURCE_DIR) / "examples";

struct Result {
  int code;
  std::string out;
};

fs::path tmp_dir() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("zkinfer_cli_test_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

Result zk(const std::string& args) {
  fs::path log = tmp_dir() / "log.txt";
  // The verified-key cache (proof/key_cache.h) in the test's own directory, never the user's.
  std::string cmd = "ZKINFER_KEY_CACHE=" + (tmp_dir() / "key_cache").string() + " " + std::string(ZKINFER_CLI) + " " +
                    args + " > " + log.string() + " 2>&1";
  int st = std::system(cmd.c_str());
  std::ifstream f(log);
  std::stringstream s;
  s << f.rdbuf();
  return {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), s.str()};
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::string graph_text(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string read_file(const fs::path& p) { return graph_text(p); }
}  // namespace

TEST(Cli, CompileRunInspectBundledExample) {
  fs::path zkm = tmp_dir() / "mlp.zkm", out = tmp_dir() / "out.json";
  Result c = zk("compile " + q(kExamples / "mlp_digits" / "model.onnx") + " -o " + q(zkm));
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("max abs error"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("arg-max agreement 1/1"), std::string::npos) << c.out;
  Result r = zk("run " + q(zkm) + " --input " + q(kExamples / "mlp_digits" / "input.json") + " --output " + q(out));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("max abs difference"), std::string::npos);
  std::ifstream f(out);
  auto j = nlohmann::json::parse(f);
  ASSERT_EQ(j["output_data"].size(), 1u);
  ASSERT_EQ(j["output_data"][0].size(), 10u);
  ASSERT_EQ(j["float_output_data"][0].size(), 10u);
  for (size_t i = 0; i < 10; ++i)
    EXPECT_NEAR(j["output_data"][0][i].get<double>(), j["float_output_data"][0][i].get<double>(), 0.1);
  Result in = zk("inspect " + q(zkm));
  ASSERT_EQ(in.code, 0) << in.out;
  auto ij = nlohmann::json::parse(in.out);
  EXPECT_EQ(ij["digest"].get<std::string>().size(), 10u + 64u);
  EXPECT_EQ(ij["nodes"].size(), 5u);  // Gemm Relu Gemm Relu Gemm
  // Same model compiled twice gives the same digest.
  fs::path zkm2 = tmp_dir() / "mlp2.zkm";
  ASSERT_EQ(zk("compile " + q(kExamples / "mlp_digits" / "model.onnx") + " -o " + q(zkm2)).code, 0);
  EXPECT_EQ(nlohmann::json::parse(zk("inspect " + q(zkm2)).out)["digest"], ij["digest"]);
}

TEST(Cli, CalibrationFileWithLabels) {
  fs::path zkm = tmp_dir() / "cnn.zkm";
  Result c = zk("compile " + q(kShared / "digits" / "cnn_digits" / "model.onnx") + " --calibration " +
                q(kShared / "digits" / "cnn_digits" / "testset.json") + " --scale 7 -o " + q(zkm));
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("360 labelled samples"), std::string::npos) << c.out;
}

TEST(Cli, UnsupportedOperatorsAllReported) {
  // A model with 3 nodes of operators zkinfer does not know (two Det, one LpNormalization), every one
  // listed with its opset. (EZKL's examples no longer have such nodes but for the recurrent ones.)
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("unknown_ops");
  zkinfer::test_onnx::add_io(g->add_input(), "x", {1, 4, 2, 2});
  zkinfer::test_onnx::add_io(g->add_output(), "y", {1});
  zkinfer::test_onnx::add_node(g, "Reshape", {"x", "s"}, "r");
  zkinfer::test_onnx::add_init_i64(g, "s", {3}, {4, 2, 2});
  zkinfer::test_onnx::add_node(g, "Det", {"r"}, "d1");
  zkinfer::test_onnx::add_node(g, "LpNormalization", {"x"}, "z");
  zkinfer::test_onnx::add_node(g, "Reshape", {"z", "t"}, "zr");
  zkinfer::test_onnx::add_init_i64(g, "t", {3}, {4, 2, 2});
  zkinfer::test_onnx::add_node(g, "Det", {"zr"}, "d2");
  zkinfer::test_onnx::add_node(g, "Add", {"d1", "d2"}, "a");
  zkinfer::test_onnx::add_node(g, "ReduceSum", {"a"}, "y");
  const fs::path onnx = tmp_dir() / "unknown_ops.onnx";
  const auto bytes = zkinfer::test_onnx::serialize(m);
  write(onnx, std::string(bytes.begin(), bytes.end()));
  Result c = zk("compile " + q(onnx) + " -o " + q(tmp_dir() / "t.zkm"));
  EXPECT_EQ(c.code, 2) << c.out;
  EXPECT_NE(c.out.find("zkinfer: error:"), std::string::npos);
  EXPECT_NE(c.out.find("3 node(s)"), std::string::npos) << c.out;
  for (const char* s : {"'d1_node': Det, opset 13", "'d2_node': Det, opset 13", "'z_node': LpNormalization, opset 13"})
    EXPECT_NE(c.out.find(s), std::string::npos) << s << "\n" << c.out;
}

TEST(Cli, ErrorPathsExitTwo) {
  fs::path d = tmp_dir();
  write(d / "garbage.onnx", "this is not a protobuf \x01\x02\x03");
  write(d / "bad.json", "{\"input_data\": [[1, 2,");
  write(d / "short.json", "{\"input_data\": [[1, 2, 3]]}");
  write(d / "strings.json", "{\"input_data\": [[\"a\"]]}");
  fs::path zkm = d / "m.zkm";
  ASSERT_EQ(zk("compile " + q(kExamples / "mlp_digits" / "model.onnx") + " -o " + q(zkm)).code, 0);
  std::string bytes;
  {
    std::ifstream f(zkm, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    bytes = s.str();
  }
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  write(d / "flipped.zkm", flipped);
  write(d / "truncated.zkm", bytes.substr(0, bytes.size() / 3));
  struct Case {
    std::string args, expect;
  };
  std::string in = q(kExamples / "mlp_digits" / "input.json");
  std::vector<Case> cases = {
      {"compile " + q(d / "garbage.onnx"), "not a valid ONNX model"},
      {"compile " + q(d / "missing.onnx"), "cannot open"},
      {"compile " + q(kExamples / "mlp_digits" / "model.onnx") + " --calibration " + q(d / "bad.json") + " -o " + q(d / "x.zkm"), "malformed JSON"},
      {"compile " + q(kExamples / "mlp_digits" / "model.onnx") + " --calibration " + q(d / "short.json") + " -o " + q(d / "x.zkm"), "values"},
      {"run " + q(zkm) + " --input " + q(d / "bad.json"), "malformed JSON"},
      {"run " + q(zkm) + " --input " + q(d / "short.json"), "has 3 values, the model expects 64"},
      {"run " + q(zkm) + " --input " + q(d / "strings.json"), "expected a number"},
      {"run " + q(zkm) + " --input " + q(d / "missing.json"), "cannot open"},
      {"run " + q(d / "flipped.zkm") + " --input " + in, "zkinfer: error:"},
      {"run " + q(d / "truncated.zkm") + " --input " + in, "truncated"},
      {"run " + q(d / "garbage.onnx") + " --input " + in, "not a zkinfer model"},
      {"inspect " + q(d / "garbage.onnx"), "not a valid ONNX model"},
      {"compile --no-such-option x", "no-such-option"},
      {"run " + q(zkm), "--input is required"},
  };
  for (const auto& c : cases) {
    Result r = zk(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
  }
}

// compile, setup, prove, verify through the command line: exit codes 0 (valid), 1 (invalid, with
// the reason), 2 (bad usage or files); --output checks every proven output (several outputs too);
// a failed prove leaves no proof file.
TEST(Cli, SetupProveVerify) {
  struct Case {
    fs::path onnx, input;
  };
  std::vector<Case> cases{{kExamples / "cnn_digits" / "model.onnx", kExamples / "cnn_digits" / "input.json"}};
  if (fs::exists(kShared / "ezkl" / "bitshift" / "network.onnx"))  // four outputs
    cases.push_back({kShared / "ezkl" / "bitshift" / "network.onnx", kShared / "ezkl" / "bitshift" / "input.json"});
  int k = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.onnx.string());
    const fs::path d = tmp_dir() / ("spv" + std::to_string(k++));
    fs::create_directories(d);
    ASSERT_EQ(zk("compile " + q(c.onnx) + " --calibration " + q(c.input) + " -o " + q(d / "m.zkm")).code, 0);
    Result s = zk("setup " + q(d / "m.zkm") + " -o " + q(d / "keys"));
    ASSERT_EQ(s.code, 0) << s.out;
    Result p = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "keys" / "pk") + " --input " + q(c.input) + " -o " +
                  q(d / "p.zkp") + " --output " + q(d / "out.json"));
    ASSERT_EQ(p.code, 0) << p.out;
    Result v = zk("verify --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "p.zkp") + " --output " + q(d / "out.json"));
    EXPECT_EQ(v.code, 0) << v.out;
    // The key check: once per key (the verified-key cache), printed apart from the proof's.
    EXPECT_NE(v.out.find("key check"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("recorded in the verified-key cache"), std::string::npos) << v.out;
    Result v2 = zk("verify --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "p.zkp"));
    EXPECT_EQ(v2.code, 0) << v2.out;
    EXPECT_NE(v2.out.find("found in the verified-key cache"), std::string::npos) << v2.out;
    Result v3 = zk("verify --no-key-cache --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "p.zkp"));
    EXPECT_EQ(v3.code, 0) << v3.out;
    EXPECT_NE(v3.out.find("checked in full, no cache"), std::string::npos) << v3.out;
    Result vk_only = zk("verify --key-only --vk " + q(d / "keys" / "vk"));
    EXPECT_EQ(vk_only.code, 0) << vk_only.out;
    EXPECT_NE(vk_only.out.find("valid key (found in the verified-key cache)"), std::string::npos) << vk_only.out;
    EXPECT_EQ(zk("verify --vk " + q(d / "keys" / "vk")).code, 2);  // no --proof
    // A changed output value: invalid (exit 1) with the reason.
    std::ifstream f(d / "out.json");
    std::stringstream ss;
    ss << f.rdbuf();
    std::string text = ss.str();
    const size_t at = text.find_last_of("0123456789");
    ASSERT_NE(at, std::string::npos);
    text[at] = text[at] == '9' ? '8' : static_cast<char>(text[at] + 1);
    write(d / "bad.json", text);
    Result vb = zk("verify --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "p.zkp") + " --output " + q(d / "bad.json"));
    EXPECT_EQ(vb.code, 1) << vb.out;
    EXPECT_NE(vb.out.find("differs"), std::string::npos) << vb.out;
    // A changed proof byte: invalid.
    {
      std::ifstream pf(d / "p.zkp", std::ios::binary);
      std::vector<char> bytes((std::istreambuf_iterator<char>(pf)), std::istreambuf_iterator<char>());
      bytes[bytes.size() / 2] ^= 0x10;
      std::ofstream bf(d / "bad.zkp", std::ios::binary);
      bf.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    Result vp = zk("verify --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "bad.zkp"));
    EXPECT_EQ(vp.code, 1) << vp.out;
    // Unreadable files: exit 2. A proving key for nothing: exit 2 and no proof file written.
    EXPECT_EQ(zk("verify --vk " + q(d / "missing") + " --proof " + q(d / "p.zkp")).code, 2);
    write(d / "junk", "not a key");
    Result pj = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "junk") + " --input " + q(c.input) + " -o " + q(d / "q.zkp"));
    EXPECT_EQ(pj.code, 2) << pj.out;
    EXPECT_FALSE(fs::exists(d / "q.zkp"));
  }
}

// The kzg backend from the command line (docs/protocol/kzg.md): the setup file's errors (missing,
// misplaced, too small, truncated: exit 2 naming the file and what the model needs, no key
// written); with the TEST-ONLY power-16 .ptau (CTest fixture make_test_ptau16) setup, prove and
// verify, inspect shows the backend, and a hyrax proof given to the kzg key is invalid, named.
// kzg keys of version 9 (weight rows; setup --backend kzg's default since session 16) and 8
// (--kzg-weight-rows off): both prove and verify through the CLI, inspect tells them apart; the EVM
// generator writes this zero-knowledge model's verifier for both keys (the version-9 key's rows
// combined on chain: tools/evm/evm_zk_model_test.cc); --kzg-weight-rows on is kzg-only.
TEST(Cli, KzgWeightRows) {
  const fs::path d = tmp_dir() / "kzgrows";
  fs::create_directories(d);
  const fs::path onnx = kExamples / "mlp_digits" / "model.onnx", input = kExamples / "mlp_digits" / "input.json";
  ASSERT_EQ(zk("compile " + q(onnx) + " --calibration " + q(input) + " -o " + q(d / "m.zkm")).code, 0);
  const fs::path ptau = ZKINFER_TEST_PTAU;
  ASSERT_TRUE(fs::exists(ptau)) << ptau << " missing: scripts/make-test-ptau.sh 16 " << ptau;
  Result h = zk("setup " + q(d / "m.zkm") + " --kzg-weight-rows on -o " + q(d / "h"));
  EXPECT_EQ(h.code, 2) << h.out;
  EXPECT_NE(h.out.find("--kzg-weight-rows on is for --backend kzg"), std::string::npos) << h.out;
  for (const auto& [opt, version] : std::vector<std::pair<std::string, int>>{{"", 9}, {" --kzg-weight-rows on", 9}, {" --kzg-weight-rows off", 8}}) {
    const fs::path k = d / ("k" + std::to_string(version) + (opt.empty() ? "d" : ""));
    Result s = zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + opt + " -o " + q(k));
    ASSERT_EQ(s.code, 0) << opt << s.out;
    auto j = nlohmann::json::parse(zk("inspect " + q(k / "vk")).out);
    EXPECT_EQ(j["version"], version) << opt;
    Result p = zk("prove " + q(d / "m.zkm") + " --pk " + q(k / "pk") + " --input " + q(input) + " -o " + q(k / "p.zkp"));
    ASSERT_EQ(p.code, 0) << opt << p.out;
    Result v = zk("verify --vk " + q(k / "vk") + " --proof " + q(k / "p.zkp"));
    EXPECT_EQ(v.code, 0) << opt << v.out;
    if (version == 8) {  // another key version's proof of the same model: rejected
      Result x = zk("verify --vk " + q(k / "vk") + " --proof " + q(d / "k9d" / "p.zkp"));
      EXPECT_EQ(x.code, 1) << x.out;
    }
  }
  // The zero-knowledge EVM verifier (docs/protocol/evm.md sections 3.3.1, 3.4a): the default key
  // commits fc1.weight (64 x 64) in 4 rows and fc2.weight in 2; since session 17 the contract
  // combines them in the opening (tools/evm/evm_zk_model_test.cc runs it); the version-8 key's
  // contract has no rows.
  Result e = zk("create-evm-verifier --vk " + q(d / "k9d" / "vk") + " -o " + q(d / "v9.sol"));
  EXPECT_EQ(e.code, 0) << e.out;
  const std::string v9 = read_file(d / "v9.sol");
  EXPECT_NE(v9.find("fc1.weight (2^12 in 4 rows of 2^10: combined in the opening)"), std::string::npos);
  EXPECT_NE(v9.find("ZkCpEnd.combineRows"), std::string::npos);
  Result e8 = zk("create-evm-verifier --vk " + q(d / "k8" / "vk") + " -o " + q(d / "v.sol"));
  EXPECT_EQ(e8.code, 0) << e8.out;
  EXPECT_TRUE(fs::exists(d / "v.sol"));
  EXPECT_EQ(read_file(d / "v.sol").find("rows of 2^"), std::string::npos);
}

// The wrapping proof from the command line (docs/protocol/wrap.md section 8): a wrappable kzg key,
// wrap-setup (TEST ONLY here: a .ptau-based phase 2 of a 2^16-row circuit takes minutes), wrap,
// verify-wrapped; a changed wrapped proof, a proof of another key and bad usage are refused.
TEST(Cli, WrapCommands) {
  const fs::path d = tmp_dir() / "wrap";
  fs::create_directories(d);
  const fs::path onnx = kExamples / "mlp_digits" / "model.onnx", input = kExamples / "mlp_digits" / "input.json";
  ASSERT_EQ(zk("compile " + q(onnx) + " --calibration " + q(input) + " -o " + q(d / "m.zkm")).code, 0);
  const fs::path ptau = ZKINFER_TEST_PTAU;
  ASSERT_TRUE(fs::exists(ptau)) << ptau << " missing: scripts/make-test-ptau.sh 16 " << ptau;
  ASSERT_EQ(zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + " --wrappable -o " + q(d / "k")).code, 0);
  ASSERT_EQ(zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + " -o " + q(d / "k8")).code, 0);
  for (const char* p : {"s.zkp", "p.zkp"})
    ASSERT_EQ(zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(input) + " -o " + q(d / p)).code, 0);
  ASSERT_EQ(zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "k8" / "pk") + " --input " + q(input) + " -o " + q(d / "p8.zkp")).code, 0);
  // Bad usage: no phase-1 source, both, a key that is not wrappable.
  Result u = zk("wrap-setup --vk " + q(d / "k" / "vk") + " --proof " + q(d / "s.zkp") + " -o " + q(d / "w"));
  EXPECT_EQ(u.code, 2) << u.out;
  EXPECT_NE(u.out.find("--srs"), std::string::npos) << u.out;
  Result u2 = zk("wrap-setup --vk " + q(d / "k8" / "vk") + " --proof " + q(d / "p8.zkp") + " --insecure-test-setup -o " + q(d / "w"));
  EXPECT_EQ(u2.code, 2) << u2.out;
  EXPECT_NE(u2.out.find("not wrappable"), std::string::npos) << u2.out;
  Result s = zk("wrap-setup --vk " + q(d / "k" / "vk") + " --proof " + q(d / "s.zkp") + " --insecure-test-setup -o " + q(d / "w"));
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_NE(s.out.find("TEST-ONLY"), std::string::npos) << s.out;
  ASSERT_TRUE(fs::exists(d / "w" / "wrap.pk") && fs::exists(d / "w" / "wrap.vk"));
  Result w = zk("wrap --vk " + q(d / "k" / "vk") + " --wrap-pk " + q(d / "w" / "wrap.pk") + " --proof " + q(d / "p.zkp") + " -o " +
                q(d / "p.wzkp"));
  ASSERT_EQ(w.code, 0) << w.out;
  Result v = zk("verify-wrapped --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "w" / "wrap.vk") + " --proof " + q(d / "p.wzkp") + " --json");
  ASSERT_EQ(v.code, 0) << v.out;
  const auto j = nlohmann::json::parse(v.out);
  EXPECT_TRUE(j["valid"].get<bool>());
  EXPECT_EQ(j["output"][0].size(), 10u);
  // A changed byte near the end (the batch proof) or in the middle: invalid (1) or undecodable (1).
  const auto bytes = [&] {
    std::ifstream f(d / "p.wzkp", std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }();
  for (size_t at : {bytes.size() - 40, bytes.size() / 2, size_t{20}}) {
    auto bad = bytes;
    bad[at] ^= 0x01;
    std::ofstream(d / "bad.wzkp", std::ios::binary).write(bad.data(), static_cast<std::streamsize>(bad.size()));
    Result b = zk("verify-wrapped --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "w" / "wrap.vk") + " --proof " + q(d / "bad.wzkp"));
    EXPECT_EQ(b.code, 1) << "byte " << at << ": " << b.out;
    EXPECT_NE(b.out.find("invalid wrapped proof"), std::string::npos) << b.out;
  }
  // The contract of wrapped proofs and its calldata (run in an EVM by evm_wrap_test).
  Result ce = zk("create-evm-verifier --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "w" / "wrap.vk") + " -o " + q(d / "W.sol"));
  ASSERT_EQ(ce.code, 0) << ce.out;
  EXPECT_NE(ce.out.find("verifier of wrapped proofs"), std::string::npos) << ce.out;
  EXPECT_NE(read_file(d / "W.sol").find("function verifyProof(uint256[8] calldata g16"), std::string::npos);
  Result cd = zk("encode-evm-calldata --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "w" / "wrap.vk") + " --proof " + q(d / "p.wzkp") +
                 " -o " + q(d / "cd.hex"));
  ASSERT_EQ(cd.code, 0) << cd.out;
  EXPECT_EQ(read_file(d / "cd.hex").rfind("0x", 0), 0u);
  Result cdb = zk("encode-evm-calldata --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "w" / "wrap.vk") + " --proof " + q(d / "bad.wzkp") +
                  " -o " + q(d / "cdb.hex"));
  EXPECT_EQ(cdb.code, 2) << cdb.out;
  EXPECT_FALSE(fs::exists(d / "cdb.hex"));
  // A proof of another key is not wrapped; the file is not written.
  Result o = zk("wrap --vk " + q(d / "k" / "vk") + " --wrap-pk " + q(d / "w" / "wrap.pk") + " --proof " + q(d / "p8.zkp") + " -o " +
                q(d / "o.wzkp"));
  EXPECT_EQ(o.code, 2) << o.out;
  EXPECT_NE(o.out.find("does not verify"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(d / "o.wzkp"));
  // A wrapping key file that is not one: a clear error naming the file.
  Result n = zk("verify-wrapped --vk " + q(d / "k" / "vk") + " --wrap-vk " + q(d / "p.zkp") + " --proof " + q(d / "p.wzkp"));
  EXPECT_EQ(n.code, 2) << n.out;
  EXPECT_NE(n.out.find("not a wrapping verifying key"), std::string::npos) << n.out;
}

TEST(Cli, KzgBackend) {
  const fs::path d = tmp_dir() / "kzg";
  fs::create_directories(d);
  const fs::path onnx = kExamples / "mlp_digits" / "model.onnx", input = kExamples / "mlp_digits" / "input.json";
  ASSERT_EQ(zk("compile " + q(onnx) + " --calibration " + q(input) + " -o " + q(d / "m.zkm")).code, 0);
  const fs::path pot10 = fs::path(ZKINFER_SOURCE_DIR) / "tests" / "vectors" / "test_pot10.ptau";
  Result a = zk("setup " + q(d / "m.zkm") + " --backend kzg -o " + q(d / "k0"));
  EXPECT_EQ(a.code, 2) << a.out;
  EXPECT_NE(a.out.find("needs --srs"), std::string::npos) << a.out;
  Result b = zk("setup " + q(d / "m.zkm") + " --srs " + q(pot10) + " -o " + q(d / "k0"));
  EXPECT_EQ(b.code, 2) << b.out;
  Result c = zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(pot10) + " -o " + q(d / "k0"));
  EXPECT_EQ(c.code, 2) << c.out;
  EXPECT_NE(c.out.find("test_pot10.ptau"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("needs 2^16 powers"), std::string::npos) << c.out;
  {  // truncated
    std::ifstream f(pot10, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::ofstream o(d / "cut.ptau", std::ios::binary);
    o.write(bytes.data(), 5000);
  }
  Result t = zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(d / "cut.ptau") + " -o " + q(d / "k0"));
  EXPECT_EQ(t.code, 2) << t.out;
  EXPECT_NE(t.out.find("cut.ptau"), std::string::npos) << t.out;
  EXPECT_FALSE(fs::exists(d / "k0" / "vk"));
  const fs::path ptau = ZKINFER_TEST_PTAU;
  ASSERT_TRUE(fs::exists(ptau)) << ptau << " missing: scripts/make-test-ptau.sh 16 " << ptau;
  std::printf("*** %s is a TEST-ONLY powers of tau (known tau): never use it for real keys ***\n", ptau.c_str());
  Result s = zk("setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + " -o " + q(d / "k"));
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_NE(s.out.find("kzg backend"), std::string::npos) << s.out;
  Result p = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(input) + " -o " + q(d / "p.zkp"));
  ASSERT_EQ(p.code, 0) << p.out;
  Result v = zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp"));
  EXPECT_EQ(v.code, 0) << v.out;
  // The pk's SRS powers: checked (and recorded in the test's key cache) by the prove above, found
  // there by the next one; --no-key-cache checks them again (proof/key_cache.h, PowersCheckCache).
  // Both proofs verify.
  Result p2 = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(input) + " -o " + q(d / "p2.zkp") + " --json");
  ASSERT_EQ(p2.code, 0) << p2.out;
  EXPECT_NE(p2.out.find("\"pk_powers_cached\": true"), std::string::npos) << p2.out;
  Result p3 = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(input) + " -o " + q(d / "p3.zkp") +
                 " --json --no-key-cache");
  ASSERT_EQ(p3.code, 0) << p3.out;
  EXPECT_NE(p3.out.find("\"pk_powers_cached\": false"), std::string::npos) << p3.out;
  EXPECT_EQ(zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p2.zkp")).code, 0);
  EXPECT_EQ(zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p3.zkp")).code, 0);
  // --srs: the key's SRS checked against a powers-of-tau file: the one it came from passes, another
  // file (the power-10 test file: the same test beacon, too few powers for the key) is a rejection
  // naming what differs, a file that is no ptau an error.
  Result vs = zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + " --srs " + q(ptau));
  EXPECT_EQ(vs.code, 0) << vs.out;
  Result vo = zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + " --srs " + q(pot10));
  EXPECT_EQ(vo.code, 1) << vo.out;
  EXPECT_NE(vo.out.find("its SRS is not the one of"), std::string::npos) << vo.out;
  EXPECT_NE(vo.out.find("the key states 2^16 powers of tau, the file holds 2047"), std::string::npos) << vo.out;
  Result vc = zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + " --srs " + q(d / "cut.ptau"));
  EXPECT_EQ(vc.code, 2) << vc.out;
  EXPECT_NE(vc.out.find("cut.ptau"), std::string::npos) << vc.out;
  Result i = zk("inspect " + q(d / "k" / "vk"));
  EXPECT_NE(i.out.find("\"backend\": \"kzg\""), std::string::npos) << i.out;
  ASSERT_EQ(zk("setup " + q(d / "m.zkm") + " -o " + q(d / "h")).code, 0);
  ASSERT_EQ(zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "h" / "pk") + " --input " + q(input) + " -o " + q(d / "h.zkp")).code, 0);
  Result x = zk("verify --vk " + q(d / "k" / "vk") + " --proof " + q(d / "h.zkp"));
  EXPECT_EQ(x.code, 1) << x.out;
  EXPECT_NE(x.out.find("made with the hyrax backend, the verifying key is for kzg"), std::string::npos) << x.out;
  Result xh = zk("verify --vk " + q(d / "h" / "vk") + " --proof " + q(d / "h.zkp") + " --srs " + q(ptau));
  EXPECT_EQ(xh.code, 2) << xh.out;
  EXPECT_NE(xh.out.find("no powers of tau to check"), std::string::npos) << xh.out;
  // A public input and fixed weights: a kzg key (version 7 on; setup makes 9) commits the weights (proof/key_constants.h)
  // and the proof opens them; the round trip works, and inspect tells the constants apart.
  ASSERT_EQ(zk("compile " + q(onnx) + " --calibration " + q(input) +
               " --input-visibility public --weights-visibility fixed -o " + q(d / "f.zkm"))
                .code,
            0);
  Result fsu = zk("setup " + q(d / "f.zkm") + " --backend kzg --srs " + q(ptau) + " -o " + q(d / "f") + " --json");
  ASSERT_EQ(fsu.code, 0) << fsu.out;
  EXPECT_GT(nlohmann::json::parse(fsu.out)["vk_constant_openings_bytes"].get<size_t>(), 0u) << fsu.out;
  Result fp = zk("prove " + q(d / "f.zkm") + " --pk " + q(d / "f" / "pk") + " --input " + q(input) + " -o " + q(d / "f.zkp"));
  ASSERT_EQ(fp.code, 0) << fp.out;
  Result fv = zk("verify --no-key-cache --vk " + q(d / "f" / "vk") + " --proof " + q(d / "f.zkp") + " --input " + q(input));
  EXPECT_EQ(fv.code, 0) << fv.out;
  auto fj = nlohmann::json::parse(zk("inspect " + q(d / "f" / "vk")).out);
  EXPECT_EQ(fj["version"], 9);
  EXPECT_EQ(fj["weight_commitments"], 0);
  EXPECT_GT(fj["constant_commitments"].get<size_t>(), 0u);
  EXPECT_GT(fj["constant_openings_bytes"].get<size_t>(), 0u);
}

// Visibility chosen at compile time (docs/PROOF.md, "Visibility"): flags validated; a public input
// is required by verify (exit 2 without --input), a wrong one is rejected (exit 1); a private input
// refuses --input; a private output prints no values and refuses --output; inspect shows the record.
TEST(Cli, Visibility) {
  const fs::path d = tmp_dir() / "vis";
  fs::create_directories(d);
  const fs::path onnx = kExamples / "mlp_digits" / "model.onnx", input = kExamples / "mlp_digits" / "input.json";
  // Bad values: exit 2 with a clear message.
  for (const auto& [flags, expect] : std::vector<std::pair<std::string, std::string>>{
           {"--input-visibility fixed", "--input-visibility must be public or private (got 'fixed'): only weights can be fixed"},
           {"--output-visibility fixed", "--output-visibility must be public or private"},
           {"--weights-visibility secret", "--weights-visibility must be private, public or fixed (got 'secret')"}}) {
    Result r = zk("compile " + q(onnx) + " " + flags + " -o " + q(d / "bad.zkm"));
    EXPECT_EQ(r.code, 2) << flags << "\n" << r.out;
    EXPECT_NE(r.out.find(expect), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(d / "bad.zkm"));
  }
  // Public input, fixed weights, private output.
  Result c = zk("compile " + q(onnx) + " --input-visibility public --weights-visibility fixed --output-visibility private -o " +
                q(d / "m.zkm"));
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("visibility: input public, weights fixed, output private"), std::string::npos) << c.out;
  auto ij = nlohmann::json::parse(zk("inspect " + q(d / "m.zkm")).out);
  EXPECT_EQ(ij["visibility"]["input"], "public");
  EXPECT_EQ(ij["visibility"]["weights"], "fixed");
  EXPECT_EQ(ij["visibility"]["output"], "private");
  ASSERT_EQ(zk("setup " + q(d / "m.zkm") + " -o " + q(d / "keys")).code, 0);
  auto vj = nlohmann::json::parse(zk("inspect " + q(d / "keys" / "vk")).out);
  EXPECT_EQ(vj["visibility"]["output"], "private");
  EXPECT_EQ(vj["weight_commitments"], 0);  // fixed weights: values in the key, no commitments
  Result p = zk("prove " + q(d / "m.zkm") + " --pk " + q(d / "keys" / "pk") + " --input " + q(input) + " -o " + q(d / "p.zkp") +
                " --output " + q(d / "out.json"));
  ASSERT_EQ(p.code, 0) << p.out;
  EXPECT_TRUE(fs::exists(d / "out.json"));  // the private output, for the prover's own use
  const std::string vk = " --vk " + q(d / "keys" / "vk") + " --proof " + q(d / "p.zkp");
  Result missing = zk("verify" + vk);
  EXPECT_EQ(missing.code, 2) << missing.out;
  EXPECT_NE(missing.out.find("the model's input is public: pass --input FILE"), std::string::npos) << missing.out;
  Result ok = zk("verify" + vk + " --input " + q(input) + " --json");
  ASSERT_EQ(ok.code, 0) << ok.out;
  auto oj = nlohmann::json::parse(ok.out);
  EXPECT_TRUE(oj["valid"].get<bool>());
  EXPECT_FALSE(oj.contains("output")) << ok.out;  // private: no values
  Result with_out = zk("verify" + vk + " --input " + q(input) + " --output " + q(d / "out.json"));
  EXPECT_EQ(with_out.code, 2) << with_out.out;
  EXPECT_NE(with_out.out.find("output is private"), std::string::npos) << with_out.out;
  // One input value changed: a valid input, not the proof's: invalid (exit 1).
  auto in = nlohmann::json::parse(graph_text(input));
  in["input_data"][0][10] = in["input_data"][0][10].get<double>() + 0.25;
  write(d / "wrong.json", in.dump());
  Result wrong = zk("verify" + vk + " --input " + q(d / "wrong.json"));
  EXPECT_EQ(wrong.code, 1) << wrong.out;
  EXPECT_NE(wrong.out.find("invalid proof"), std::string::npos) << wrong.out;
  // The default model (private input): --input refused.
  ASSERT_EQ(zk("compile " + q(onnx) + " -o " + q(d / "def.zkm")).code, 0);
  ASSERT_EQ(zk("setup " + q(d / "def.zkm") + " -o " + q(d / "dkeys")).code, 0);
  ASSERT_EQ(zk("prove " + q(d / "def.zkm") + " --pk " + q(d / "dkeys" / "pk") + " --input " + q(input) + " -o " + q(d / "d.zkp")).code, 0);
  Result given = zk("verify --vk " + q(d / "dkeys" / "vk") + " --proof " + q(d / "d.zkp") + " --input " + q(input));
  EXPECT_EQ(given.code, 2) << given.out;
  EXPECT_NE(given.out.find("the model's input is private"), std::string::npos) << given.out;
  EXPECT_EQ(zk("verify --vk " + q(d / "dkeys" / "vk") + " --proof " + q(d / "d.zkp")).code, 0);
  // The other model's key: invalid.
  Result other = zk("verify --vk " + q(d / "dkeys" / "vk") + " --proof " + q(d / "p.zkp"));
  EXPECT_EQ(other.code, 1) << other.out;
}


// compile checks that every node can be proven: a model with two ArgMax over rows of 300 entries
// (the ArgMax protocol takes at most 256 a row) is refused with both listed (node index, name, op,
// opset, reason), exit 2 and no file written; --allow-unprovable writes it with the same list as a
// warning; run works on it and setup refuses it with the list.
TEST(Cli, CompileRefusesUnprovableModelsListingEveryBlocker) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("wide_argmax");
  zkinfer::test_onnx::add_io(g->add_input(), "x", {1, 300});
  zkinfer::test_onnx::add_io(g->add_output(), "y", {1, 1}, onnx::TensorProto::INT64);
  zkinfer::test_onnx::set_int(zkinfer::test_onnx::add_node(g, "ArgMax", {"x"}, "a"), "axis", 1);
  zkinfer::test_onnx::add_node(g, "Neg", {"x"}, "nx");
  zkinfer::test_onnx::set_int(zkinfer::test_onnx::add_node(g, "ArgMax", {"nx"}, "b"), "axis", 1);
  zkinfer::test_onnx::add_node(g, "Add", {"a", "b"}, "y");
  const fs::path onnx = tmp_dir() / "wide_argmax.onnx";
  const auto bytes = zkinfer::test_onnx::serialize(m);
  write(onnx, std::string(bytes.begin(), bytes.end()));
  std::string data;
  for (int i = 0; i < 300; ++i) data += (i ? ", " : "") + std::to_string((i * 37) % 101 / 10.0);
  const fs::path input = tmp_dir() / "wide_argmax.json";
  write(input, "{\"input_data\": [[" + data + "]]}");
  fs::path zkm = tmp_dir() / "wide.zkm";
  fs::remove(zkm);
  Result c = zk("compile " + q(onnx) + " --calibration " + q(input) + " -o " + q(zkm));
  EXPECT_EQ(c.code, 2) << c.out;
  EXPECT_FALSE(fs::exists(zkm));
  EXPECT_NE(c.out.find("cannot be proven (2 blockers)"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("node 0 'a_node' (ArgMax, opset 13): more than 256 entries per row"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("node 2 "), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("max abs error"), std::string::npos) << c.out;  // no accuracy report

  Result a = zk("compile " + q(onnx) + " --calibration " + q(input) + " --allow-unprovable -o " + q(zkm));
  ASSERT_EQ(a.code, 0) << a.out;
  ASSERT_TRUE(fs::exists(zkm));
  EXPECT_NE(a.out.find("warning"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("NOT provable: 2 blocker(s)"), std::string::npos) << a.out;
  Result r = zk("run " + q(zkm) + " --input " + q(input));
  EXPECT_EQ(r.code, 0) << r.out;
  Result s = zk("setup " + q(zkm) + " -o " + q(tmp_dir() / "wide_keys"));
  EXPECT_EQ(s.code, 2) << s.out;
  EXPECT_NE(s.out.find("cannot be proven (2 blockers)"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("node 2 "), std::string::npos) << s.out;
  EXPECT_FALSE(fs::exists(tmp_dir() / "wide_keys" / "pk"));

  // A provable model says so.
  Result ok = zk("compile " + q(kExamples / "mlp_digits" / "model.onnx") + " -o " + q(tmp_dir() / "ok.zkm"));
  ASSERT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("provable: every node has a proof protocol"), std::string::npos) << ok.out;
  // --help says what compile checks.
  Result h = zk("compile --help");
  EXPECT_NE(h.out.find("--allow-unprovable"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("proof protocol"), std::string::npos) << h.out;
}
