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
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../../tests/shell.h"

namespace zkinfer::evm_call {

using Word = std::array<uint8_t, 32>;  // big-endian uint256

// A shell-quoted path, and a command's exit code and output (stdout and stderr).
inline std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

using Result = testing::ShellResult;
using testing::sh;

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

// The hex of the first `hex"..."` literal after `marker` in a generated verifier's source (the
// key's tables: ZkDriver.addCommitments' commitments, NAMEKey.rows' weight rows); empty if none.
inline std::string hex_literal_after(const std::string& sol, const std::string& marker) {
  const size_t m = sol.find(marker);
  if (m == std::string::npos) return {};
  const size_t open = sol.find("hex\"", m);
  if (open == std::string::npos) return {};
  const size_t close = sol.find('"', open + 4);
  return close == std::string::npos ? std::string() : sol.substr(open + 4, close - open - 4);
}

// A BN254 G1 point's 64-byte (x, y) hex, negated: (x, p - y) (another point of the curve; the
// point at infinity's (0, 0) unchanged).
inline std::string negate_g1_hex(const std::string& xy) {
  static const char* kP = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
  const std::vector<uint8_t> p = unhex(kP), y = unhex(xy.substr(64, 64));
  if (std::all_of(y.begin(), y.end(), [](uint8_t b) { return b == 0; })) return xy;
  std::vector<uint8_t> d(32);
  int borrow = 0;
  for (size_t i = 32; i-- > 0;) {
    int v = int{p[i]} - int{y[i]} - borrow;
    borrow = v < 0;
    d[i] = static_cast<uint8_t>(v + (borrow ? 256 : 0));
  }
  return xy.substr(0, 64) + hex(d.data(), d.size());
}

// One call run against `sol`'s `contract` deployed with one hex literal of its code (or of a linked
// library's, `name`) changed from `from` to `to` (the literal from its start, the same length): each
// 32-byte piece of it that differs is replaced in the creation code (run.js --patch; solc writes a
// literal's bytes as 32-byte words from its start, each without its leading zero bytes, or as a
// whole), the compile taken from `cache`
// (run.js --cache; the run that compiled it wrote it). `ran`: run.js exited 0 and printed the
// call's outcome.
// Whether run_patched can find `from`'s changed 32-byte pieces in the code: each ends in a non-zero
// byte in both (solc's optimizer writes a word with trailing zero bytes as a shorter push and a
// shift).
inline bool patchable(const std::string& from, const std::string& to) {
  if (from.size() != to.size()) return false;
  for (size_t at = 0; at < from.size(); at += 64) {
    const std::string f = from.substr(at, 64), t = to.substr(at, 64);
    if (f != t && (f.size() < 64 || f.compare(62, 2, "00") == 0 || t.compare(62, 2, "00") == 0)) return false;
  }
  return true;
}

struct PatchedRun {
  bool ran = false, success = false, accepted = false;
  std::string out;
};
inline PatchedRun run_patched(const std::filesystem::path& run_js, const std::filesystem::path& sol, const std::string& contract,
                              const std::filesystem::path& cache, const std::string& name, const std::string& from, const std::string& to,
                              const std::string& call, const std::filesystem::path& work) {
  PatchedRun p;
  {
    std::ofstream f(work / "patched_call.txt");
    f << call << "\n";
  }
  if (from.size() != to.size()) return p;
  std::string patches;
  for (size_t at = 0; at < from.size() && at < to.size(); at += 64) {
    std::string f = from.substr(at, 64), t = to.substr(at, 64);
    if (f == t) continue;
    // a word's leading zero bytes are not in the code (a shorter PUSH): drop those both share
    while (f.size() > 2 && f.compare(0, 2, "00") == 0 && t.compare(0, 2, "00") == 0) f.erase(0, 2), t.erase(0, 2);
    patches += " --patch " + name + ":" + f + ":" + t;
  }
  const Result r = sh("node " + q(run_js) + " --contract " + contract + " --cache " + q(cache) + patches + " --calls " +
                      q(work / "patched_call.txt") + " " + q(sol));
  p.out = r.out;
  if (r.code != 0) return p;
  // the outcome's line is the last one starting with '{'
  const size_t at = r.out.rfind("\n{\"success\"");
  const std::string line = r.out.substr(at == std::string::npos ? 0 : at + 1);
  const auto j = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
  if (j.is_discarded() || !j.contains("success")) return p;
  p.ran = true;
  p.success = j["success"].get<bool>();
  const std::string rd = j.value("returnData", std::string());
  p.accepted = p.success && rd.size() == 66 && rd.back() == '1' && rd.find_first_not_of('0', 2) == 65;
  return p;
}

}  // namespace zkinfer::evm_call
