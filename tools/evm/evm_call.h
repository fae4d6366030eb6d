// The calldata of a generated verifier's verifyProof(uint256[] words, bytes inputs, bytes outputs)
// (docs/protocol/evm.md section 3.2), parsed from and encoded to the hex that
// `zkinfer encode-evm-calldata` writes: what evm_model_test and evm_zk_model_test change in it;
// and the shell runner both use for the CLI.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace zkinfer::evm_call {

using Word = std::array<uint8_t, 32>;  // big-endian uint256

// A shell-quoted path, and a command's exit code and output (stdout and stderr).
inline std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

struct Result {
  int code = -1;
  std::string out;
};

inline Result sh(const std::string& cmd) {
  Result r;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
  const int st = pclose(f);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The words and the packed public values (proof/evm_public.h), as ABI-decoded.
struct Call {
  std::array<uint8_t, 4> selector{};
  std::vector<Word> words;
  std::vector<uint8_t> inputs, outputs;
};

inline std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> b;
  for (size_t i = 0; i + 1 < s.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return b;
}

inline std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}

// The low 8 bytes of the ABI word at `at` (offsets and lengths).
inline uint64_t small(const std::vector<uint8_t>& cd, size_t at) {
  uint64_t v = 0;
  for (size_t b = 24; b < 32; ++b) v = (v << 8) | cd.at(at + b);
  return v;
}

inline Call parse_call(const std::filesystem::path& file) {
  std::string text = read_text(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::vector<uint8_t> cd = unhex(text.substr(2));
  Call c;
  std::copy(cd.begin(), cd.begin() + 4, c.selector.begin());
  auto at = [&](size_t head) { return 4 + small(cd, 4 + 32 * head); };
  const size_t w = at(0), n = small(cd, w);
  c.words.resize(n);
  for (size_t i = 0; i < n; ++i) std::copy(cd.begin() + w + 32 + 32 * i, cd.begin() + w + 64 + 32 * i, c.words[i].begin());
  for (auto [head, dst] : {std::pair{size_t{1}, &c.inputs}, std::pair{size_t{2}, &c.outputs}}) {
    const size_t o = at(head), len = small(cd, o);
    dst->assign(cd.begin() + o + 32, cd.begin() + o + 32 + len);
  }
  return c;
}

inline Word u64_word(uint64_t v) {
  Word w{};
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

inline std::string encode(const Call& c) {
  std::string s = "0x" + hex(c.selector.data(), 4);
  auto padded = [](size_t n) { return 32 * (1 + (n + 31) / 32); };
  const size_t o1 = 96, o2 = o1 + 32 * (1 + c.words.size()), o3 = o2 + padded(c.inputs.size());
  for (size_t o : {o1, o2, o3}) s += hex(u64_word(o).data(), 32);
  s += hex(u64_word(c.words.size()).data(), 32);
  for (const Word& w : c.words) s += hex(w.data(), 32);
  for (const auto* b : {&c.inputs, &c.outputs}) {
    std::vector<uint8_t> p = *b;
    p.resize((p.size() + 31) / 32 * 32, 0);
    s += hex(u64_word(b->size()).data(), 32) + hex(p.data(), p.size());
  }
  return s;
}

// w + 1 (mod 2^256): a changed word (a field element stays canonical unless it was R - 1).
inline Word plus_one(Word w) {
  for (size_t i = 32; i-- > 0;)
    if (++w[i] != 0) break;
  return w;
}

}  // namespace zkinfer::evm_call
