// The EVM tests' shared runner (evm_test, evm_layers_test, evm_nonlinear_test): 32-byte words,
// ABI calldata of NAME(uint256[]), and every call of a test against one deployment of a TEST-ONLY
// harness contract (contracts/test/NAME.sol) in one node process (tools/evm/run.js).
// ZKINFER_EVM_KEEP=1 keeps the calls and answers in the temporary directory (debugging).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "curve/g1.h"
#include "field/bn254.h"
#include "hash/keccak.h"
#include "transcript/transcript.h"

namespace zkinfer::evmtest {

using Word = std::array<uint8_t, 32>;  // big-endian uint256

inline const std::string kSource = ZKINFER_SOURCE_DIR;

inline Word be_from_le(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < le.size(); ++i) w[31 - i] = le[i];
  return w;
}
inline Word word(const field::Fr& x) { return be_from_le(x.to_bytes()); }
inline Word word_fq(const field::Fq& x) { return be_from_le(x.to_bytes()); }
// A G1 point as the precompiles take it: x, y (the identity as two zero words).
inline void put_g1(std::vector<Word>& out, const curve::G1Affine& p) {
  if (p.is_identity()) {
    out.push_back(Word{});
    out.push_back(Word{});
    return;
  }
  out.push_back(word_fq(p.x));
  out.push_back(word_fq(p.y));
}
inline Word word_u64(uint64_t v) {
  Word w{};
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}
// An int64 as a two's-complement int256 word.
inline Word word_i64(int64_t v) {
  Word w;
  w.fill(v < 0 ? 0xff : 0);
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
  return w;
}
// w + 1 (mod 2^256): a changed word.
inline Word plus_one(Word w) {
  for (size_t i = 32; i-- > 0;)
    if (++w[i] != 0) break;
  return w;
}
// w + R (mod 2^256): the same residue, not canonical (w < R, so no overflow).
inline Word plus_r(Word w) {
  static const Word r = word(-field::Fr::one());  // R - 1
  unsigned carry = 1;                             // + (R - 1) + 1
  for (size_t i = 32; i-- > 0;) {
    const unsigned v = w[i] + r[i] + carry;
    w[i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return w;
}
inline std::string hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) s += d[x >> 4], s += d[x & 15];
  return s;
}
// ABI calldata of NAME(uint256[]) with these words.
inline std::string calldata(const std::string& signature, const std::vector<Word>& words) {
  hash::Keccak256 h;
  h.update(signature);
  const hash::Digest sel = h.finalize();
  std::string s = "0x" + hex(std::span<const uint8_t>(sel.data(), 4));
  s += hex(word_u64(32));
  s += hex(word_u64(words.size()));
  for (const Word& w : words) s += hex(w);
  return s;
}
inline Word parse_word(const std::string& h, size_t at) {
  Word w;
  for (size_t i = 0; i < 32; ++i) w[i] = static_cast<uint8_t>(std::stoi(h.substr(at + 2 * i, 2), nullptr, 16));
  return w;
}
inline uint64_t low_u64(const Word& w) {
  uint64_t v = 0;
  for (size_t b = 24; b < 32; ++b) v = (v << 8) | w[b];
  return v;
}
inline Word state_word(const transcript::Transcript& t) {
  Word w;
  std::copy(t.state().begin(), t.state().end(), w.begin());
  return w;
}

struct CallResult {
  bool success = false;
  std::vector<Word> out;  // the returned uint256[]
  uint64_t gas = 0, tx_gas = 0, calldata_gas = 0;
  std::string error;
};

// Every call of a test against one deployment of contracts/test/NAME.sol, in one node process.
class Evm {
 public:
  explicit Evm(std::string name) : name_(std::move(name)) {}
  size_t add(const std::string& signature, const std::vector<Word>& words) {
    calls_.push_back(calldata(signature, words));
    return calls_.size() - 1;
  }
  size_t size() const { return calls_.size(); }
  void run() {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("zkinfer_evm_" + name_ + "_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    struct Remove {
      fs::path d;
      ~Remove() {
        if (std::getenv("ZKINFER_EVM_KEEP")) {
          std::fprintf(stderr, "EVM calls and answers kept in %s\n", d.c_str());
          return;
        }
        std::error_code ec;
        fs::remove_all(d, ec);
      }
    } remove{dir};
    {
      std::ofstream f(dir / "calls.txt");
      for (const auto& c : calls_) f << c << "\n";
    }
    const std::string cmd = "node '" + kSource + "/tools/evm/run.js' --contract " + name_ + " --size --calls '" +
                            (dir / "calls.txt").string() + "' '" + kSource + "/contracts/test/" + name_ + ".sol' > '" +
                            (dir / "out.jsonl").string() + "'";
    const int rc = std::system(cmd.c_str());
    ASSERT_EQ(rc, 0) << "the EVM runner failed: " << cmd;
    std::ifstream in(dir / "out.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line);
      if (j.contains("codeSize")) {
        code_size_ = j["codeSize"].get<uint64_t>();
        continue;
      }
      CallResult r;
      r.success = j["success"].get<bool>();
      r.gas = j["gasUsed"].get<uint64_t>();
      r.tx_gas = j["txGas"].get<uint64_t>();
      r.calldata_gas = j["calldataGas"].get<uint64_t>();
      if (j.contains("error")) r.error = j["error"].get<std::string>();
      const std::string h = j["returnData"].get<std::string>().substr(2);
      if (r.success && h.size() >= 128) {
        const size_t n = low_u64(parse_word(h, 64));
        for (size_t i = 0; i < n; ++i) r.out.push_back(parse_word(h, 128 + 64 * i));
      }
      results_.push_back(std::move(r));
    }
    ASSERT_EQ(results_.size(), calls_.size()) << "the runner answered fewer calls than asked";
  }
  const CallResult& operator[](size_t i) const { return results_.at(i); }
  uint64_t code_size() const { return code_size_; }

 private:
  std::string name_;
  std::vector<std::string> calls_;
  std::vector<CallResult> results_;
  uint64_t code_size_ = 0;
};

}  // namespace zkinfer::evmtest
