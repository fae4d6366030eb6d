// `zkinfer encode-evm-calldata` end to end (tools/cli/cmd_encode_evm.cc; docs/protocol/evm.md
// section 3.2): mlp_digits proven with the kzg backend over the TEST-ONLY power-16 .ptau (CTest
// fixture make_test_ptau16), encoded; the calldata's ABI head, its words against the proof file
// (every 32-byte field the verifier reads, in order, as proof::proof_fields enumerates it without
// the encoder's point log: the digest as is, scalars big-endian, points uncompressed and on the
// curve), the proof rebuilt byte for byte from the words, the public output packed at its width
// (proof/evm_public.h; the packing's refusals of a value outside its width or bound), and the refusals (a hyrax proof, a proof
// that does not verify, a missing key) with no file left behind.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "curve/g1.h"
#include "hash/keccak.h"
#include "proof/evm_public.h"
#include "proof/files.h"
#include "proof/model_proof.h"

namespace zkinfer {
namespace {

namespace fs = std::filesystem;
using curve::G1Affine;
using field::Fq;
using field::Fr;

const fs::path kExamples = fs::path(ZKINFER_SOURCE_DIR) / "examples";

struct Result {
  int code = -1;
  std::string out;
};

std::string q(const fs::path& p) {
  std::string s = "'";
  s += p.string();
  s += "'";
  return s;
}

Result zk(const std::string& args) {
  Result r;
  const std::string cmd = std::string("'") + ZKINFER_CLI + "' " + args + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
  const int st = pclose(f);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> b;
  for (size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return b;
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Fixture {
  fs::path dir;
  bool ok = false;
};

// Compiles mlp_digits, sets it up with kzg and with hyrax, proves both.
const Fixture& fixture() {
  static Fixture fx = [] {
    Fixture f;
    f.dir = fs::temp_directory_path() / ("zkinfer_evm_calldata_" + std::to_string(::getpid()));
    fs::create_directories(f.dir);
    const fs::path onnx = kExamples / "mlp_digits" / "model.onnx", input = kExamples / "mlp_digits" / "input.json";
    const fs::path ptau = ZKINFER_TEST_PTAU;
    if (!fs::exists(ptau)) {
      ADD_FAILURE() << ptau << " missing: scripts/make-test-ptau.sh 16 " << ptau;
      return f;
    }
    std::printf("*** %s is a TEST-ONLY powers of tau (known tau): never use it for real keys ***\n", ptau.c_str());
    const fs::path& d = f.dir;
    for (const std::string& c :
         {"compile " + q(onnx) + " --calibration " + q(input) + " -o " + q(d / "m.zkm"),
          "setup " + q(d / "m.zkm") + " --backend kzg --srs " + q(ptau) + " -o " + q(d / "k"),
          "prove " + q(d / "m.zkm") + " --pk " + q(d / "k" / "pk") + " --input " + q(input) + " -o " + q(d / "p.zkp"),
          "setup " + q(d / "m.zkm") + " -o " + q(d / "h"),
          "prove " + q(d / "m.zkm") + " --pk " + q(d / "h" / "pk") + " --input " + q(input) + " -o " + q(d / "h.zkp")}) {
      Result r = zk(c);
      if (r.code != 0) {
        ADD_FAILURE() << c << "\n" << r.out;
        return f;
      }
    }
    f.ok = true;
    return f;
  }();
  return fx;
}

// Removes the fixture's directory after the tests.
class Cleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::temp_directory_path() / ("zkinfer_evm_calldata_" + std::to_string(::getpid())), ec);
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanup = ::testing::AddGlobalTestEnvironment(new Cleanup);

TEST(EvmCalldata, WordsAreTheProofsFieldsAndRebuildIt) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.ok);
  const fs::path& d = f.dir;
  Result r = zk("encode-evm-calldata --vk " + q(d / "k" / "vk") + " --proof " + q(d / "p.zkp") + " -o " +
                q(d / "c.hex") + " --layout " + q(d / "layout.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  std::printf("%s", r.out.c_str());

  std::string text = read_text(d / "c.hex");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  ASSERT_EQ(text.substr(0, 2), "0x");
  const std::vector<uint8_t> cd = unhex(text.substr(2));
  ASSERT_GE(cd.size(), 68u);
  ASSERT_EQ((cd.size() - 4) % 32, 0u);
  hash::Keccak256 h;
  h.update(std::string_view("verifyProof(uint256[],bytes,bytes)"));
  const hash::Digest sel = h.finalize();
  EXPECT_TRUE(std::equal(sel.begin(), sel.begin() + 4, cd.begin())) << "selector of verifyProof(uint256[],bytes,bytes)";
  auto word = [&](size_t i) { return std::span<const uint8_t>(cd.data() + 4 + 32 * i, 32); };
  auto small = [&](size_t i) {
    uint64_t v = 0;
    for (size_t b = 0; b < 32; ++b) {
      if (b < 24) EXPECT_EQ(word(i)[b], 0);
      else v = (v << 8) | word(i)[b];
    }
    return v;
  };
  // Three arguments: the words, the public input (bytes; none: mlp_digits' input is private), the
  // public output (bytes: packed, proof/evm_public.h).
  EXPECT_EQ(small(0), 96u);
  const size_t n = small(3);
  ASSERT_GE(cd.size(), 4 + 32 * (5 + n));
  EXPECT_EQ(small(1), 96 + 32 * (1 + n));
  EXPECT_EQ(small(4 + n), 0u) << "a private input has no public values";
  EXPECT_EQ(small(2), 96 + 32 * (2 + n));
  const size_t nout_bytes = small(5 + n);
  ASSERT_EQ(cd.size(), 4 + 32 * (6 + n + (nout_bytes + 31) / 32));
  auto w = [&](size_t i) { return word(4 + i); };

  // The verifier's enumeration of the proof, without the encoder's point log.
  const std::vector<uint8_t> proof = proof::read_binary((d / "p.zkp").string());
  const proof::VkFile vkf = proof::decode_vk_file(proof::read_binary((d / "k" / "vk").string()));
  std::vector<ByteField> fields;
  ASSERT_TRUE(proof::proof_fields(vkf.model, vkf.vk, proof, &fields).ok());
  std::vector<size_t> at32;
  for (const auto& fl : fields) {
    if (fl.size == 32) at32.push_back(fl.offset);
    else EXPECT_TRUE(fl.size == 1 || fl.size == 4 || fl.size == 8) << "field of " << fl.size << " bytes at " << fl.offset;
  }

  const auto layout = nlohmann::json::parse(read_text(d / "layout.json"));
  ASSERT_EQ(layout.size(), n);
  std::vector<uint8_t> rebuilt = proof;
  for (size_t off : at32) std::fill(rebuilt.begin() + off, rebuilt.begin() + off + 32, 0);
  size_t field = 0, points = 0, scalars = 0;
  for (size_t i = 0; i < n; ++field) {
    if (layout[i]["kind"].get<std::string>() == "chunks") {
      // A zero-knowledge proof's pad chunk count (the u32 before the chunks' commitments, right
      // after the digest): a word of its own, no 32-byte field (session 16).
      EXPECT_EQ(i, 1u);
      const size_t o = layout[i]["offset"].get<size_t>();
      ASSERT_LE(o + 4, proof.size());
      uint64_t k = 0;
      for (size_t b = 0; b < 4; ++b) k |= static_cast<uint64_t>(proof[o + b]) << (8 * b);
      EXPECT_EQ(small(4 + i), k);
      EXPECT_EQ(k, 1u) << "mlp_digits' proof has fewer than 1,024 messages: one chunk";
      --field;  // (the loop's ++field)
      i += 1;
      continue;
    }
    ASSERT_LT(field, at32.size()) << "more words than the proof has 32-byte fields";
    const size_t off = at32[field];
    ASSERT_EQ(layout[i]["offset"].get<size_t>(), off) << "word " << i;
    const std::string kind = layout[i]["kind"].get<std::string>();
    const std::span<const uint8_t> file(proof.data() + off, 32);
    if (kind == "digest") {
      EXPECT_EQ(field, 0u);
      EXPECT_EQ(off, 9u);
      EXPECT_TRUE(std::equal(file.begin(), file.end(), w(i).begin()));
      std::copy(w(i).begin(), w(i).end(), rebuilt.begin() + off);
      i += 1;
    } else if (kind == "fr") {
      std::array<uint8_t, 32> le;
      for (size_t b = 0; b < 32; ++b) le[b] = w(i)[31 - b];
      ASSERT_TRUE(Fr::from_bytes(le).has_value()) << "word " << i << " is not a canonical scalar";
      std::copy(le.begin(), le.end(), rebuilt.begin() + off);
      ++scalars;
      i += 1;
    } else {
      ASSERT_EQ(kind, "g1.x") << "word " << i;
      ASSERT_LT(i + 1, n);
      ASSERT_EQ(layout[i + 1]["kind"].get<std::string>(), "g1.y");
      ASSERT_EQ(layout[i + 1]["offset"].get<size_t>(), off);
      std::array<uint8_t, 32> xl, yl;
      for (size_t b = 0; b < 32; ++b) xl[b] = w(i)[31 - b], yl[b] = w(i + 1)[31 - b];
      G1Affine p;
      if (std::all_of(xl.begin(), xl.end(), [](uint8_t v) { return v == 0; }) &&
          std::all_of(yl.begin(), yl.end(), [](uint8_t v) { return v == 0; })) {
        p = G1Affine::identity();
      } else {
        auto x = Fq::from_bytes(xl), y = Fq::from_bytes(yl);
        ASSERT_TRUE(x && y) << "word " << i << ": coordinates not canonical";
        p = G1Affine::from_xy(*x, *y);
        ASSERT_TRUE(p.is_on_curve()) << "word " << i << ": not on the curve";
      }
      const auto c = p.to_bytes();
      EXPECT_TRUE(std::equal(c.begin(), c.end(), file.begin())) << "word " << i << ": not the file's point";
      std::copy(c.begin(), c.end(), rebuilt.begin() + off);
      ++points;
      i += 2;
    }
  }
  // The public output: the proof's output values, packed at the output's width (big-endian two's
  // complement), the padding after them zero.
  std::vector<ops::ITensor> outs;
  ASSERT_TRUE(proof::verify(vkf.model, vkf.vk, proof, nullptr, &outs, {}).ok());
  ASSERT_EQ(outs.size(), 1u);
  const proof::EvmPublicLayout pub = proof::evm_public_layout(vkf.model);
  EXPECT_TRUE(pub.inputs.empty());
  ASSERT_EQ(pub.outputs.size(), 1u);
  const size_t wd = pub.outputs[0].width;
  EXPECT_EQ(wd, static_cast<size_t>(vkf.model.bits[static_cast<size_t>(vkf.model.graph.outputs[0])] + 8) / 8);
  ASSERT_EQ(outs[0].data.size() * wd, nout_bytes);
  ASSERT_EQ(pub.output_bytes, nout_bytes);
  const uint8_t* ob = cd.data() + 4 + 32 * (6 + n);
  for (size_t i = 0; i < outs[0].data.size(); ++i) {
    uint64_t u = 0;
    for (size_t b = 0; b < wd; ++b) u = (u << 8) | ob[wd * i + b];
    const int sh = static_cast<int>(64 - 8 * wd);
    EXPECT_EQ(static_cast<int64_t>(u << sh) >> sh, outs[0].data[i]) << "output " << i;
  }
  for (size_t b = nout_bytes; b < (nout_bytes + 31) / 32 * 32; ++b) EXPECT_EQ(ob[b], 0) << "padding byte " << b;
  EXPECT_EQ(field, at32.size()) << "the proof has 32-byte fields the calldata lacks";
  EXPECT_EQ(rebuilt, proof) << "the proof rebuilt from the calldata differs";
  // A kzg proof has points (commitments, the opening's folds and witnesses) and scalars.
  EXPECT_GT(points, 10u);
  EXPECT_GT(scalars, 100u);
  std::printf("%zu scalars and %zu points; %zu calldata bytes for a %zu-byte proof\n", scalars, points, cd.size(),
              proof.size());
}

// The packed public values (proof/evm_public.h): the widths from the bit bounds, the bytes
// big-endian two's complement, and a value outside its width or bound refused (no encoding).
TEST(EvmCalldata, PackedValuesAndTheirRefusals) {
  EXPECT_EQ(proof::evm_value_width(1), 1u);
  EXPECT_EQ(proof::evm_value_width(7), 1u);
  EXPECT_EQ(proof::evm_value_width(8), 2u);
  EXPECT_EQ(proof::evm_value_width(11), 2u);
  EXPECT_EQ(proof::evm_value_width(15), 2u);
  EXPECT_EQ(proof::evm_value_width(16), 3u);
  EXPECT_EQ(proof::evm_value_width(62), 8u);
  EXPECT_THROW(proof::evm_value_width(0), Error);
  EXPECT_THROW(proof::evm_value_width(63), Error);

  proof::EvmPublicTensor a{.tensor = 0, .name = "x", .count = 3, .bits = 11, .width = 2, .offset = 0};
  proof::EvmPublicTensor b{.tensor = 1, .name = "z", .count = 2, .bits = 7, .width = 1, .offset = 6};
  const std::vector<proof::EvmPublicTensor> ts = {a, b};
  const auto packed = proof::evm_pack_values(ts, {{-2048, 2047, -1}, {127, -127}}, true);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0xf8, 0x00, 0x07, 0xff, 0xff, 0xff, 0x7f, 0x81}));
  auto refused = [&](std::vector<std::vector<int64_t>> v, bool input, const std::string& why) {
    try {
      proof::evm_pack_values(ts, v, input);
      ADD_FAILURE() << "packed: " << why;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  refused({{0, 40000, 0}, {0, 0}}, true, "public input 'x' entry 1 = 40000 does not fit its 2-byte width");
  refused({{0, 0, 0}, {0, -200}}, true, "public input 'z' entry 1 = -200 does not fit its 1-byte width");
  refused({{0, 2048, 0}, {0, 0}}, true, "outside the tensor's bit bound");
  refused({{-2048, 0, 0}, {0, 0}}, false, "public output 'x' entry 0 = -2048 is outside the tensor's bit bound");  // outputs: (-2^b, 2^b)
  refused({{0, 0}, {0, 0}}, true, "has 2 values, the model 3");
  refused({{0, 0, 0}}, true, "1 tensors given, the layout has 2");
}

TEST(EvmCalldata, RefusesHyraxAndInvalidProofsWithoutWritingAFile) {
  const Fixture& f = fixture();
  ASSERT_TRUE(f.ok);
  const fs::path& d = f.dir;
  Result h = zk("encode-evm-calldata --vk " + q(d / "h" / "vk") + " --proof " + q(d / "h.zkp") + " -o " + q(d / "x.hex"));
  EXPECT_EQ(h.code, 2) << h.out;
  EXPECT_NE(h.out.find("hyrax backend: EVM calldata is for kzg proofs"), std::string::npos) << h.out;
  EXPECT_FALSE(fs::exists(d / "x.hex"));

  std::vector<uint8_t> bad = proof::read_binary((d / "p.zkp").string());
  bad[bad.size() / 2] ^= 0x01;
  proof::write_binary((d / "bad.zkp").string(), bad);
  Result b = zk("encode-evm-calldata --vk " + q(d / "k" / "vk") + " --proof " + q(d / "bad.zkp") + " -o " + q(d / "x.hex"));
  EXPECT_EQ(b.code, 2) << b.out;
  EXPECT_NE(b.out.find("bad.zkp"), std::string::npos) << b.out;
  EXPECT_FALSE(fs::exists(d / "x.hex"));

  // The kzg proof under the hyrax model's key: refused (it does not verify).
  Result k = zk("encode-evm-calldata --vk " + q(d / "h" / "vk") + " --proof " + q(d / "p.zkp") + " -o " + q(d / "x.hex"));
  EXPECT_EQ(k.code, 2) << k.out;
  EXPECT_FALSE(fs::exists(d / "x.hex"));

  Result m = zk("encode-evm-calldata --proof " + q(d / "p.zkp") + " -o " + q(d / "x.hex"));
  EXPECT_EQ(m.code, 2) << m.out;
  EXPECT_FALSE(fs::exists(d / "x.hex"));
}

}  // namespace
}  // namespace zkinfer
