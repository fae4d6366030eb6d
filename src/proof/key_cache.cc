#include "proof/key_cache.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <system_error>

#include "common/bytes.h"
#include "hash/keccak.h"
#include "quant/model_file.h"

namespace zkinfer::proof {

namespace {

using quant::hex;
using Digest = std::array<uint8_t, 32>;

// What an entry holds: the key's full digest and its model's, so an entry is also checked by
// content (a file of the right name with anything else in it is a miss).
std::string entry_content(const VerifyingKey& vk, const Digest& d) {
  return "zkinfer verified key v1\nkey " + hex(d) + "\nmodel " + hex(vk.model_digest) + "\nmodel file " +
         hex(vk.model_file_digest) + "\n";
}

// The entry's name from the key's digest (d = vk.digest(): a large key's encoding is tens of MB,
// so it is computed once per check).
std::string entry_name(const VerifyingKey& vk, const Digest& d) {
  ByteWriter w;
  // The tag's version is the cache's epoch: bump it whenever what check_key verifies changes (the
  // weight range proof's verifier above all), so that entries made by an older verifier are misses.
  const std::string_view tag = "zkinfer/verified-key/v1";
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
  w.u32(kProofVersion);
  w.u32(vk.effective_version());
  w.bytes(d);
  return hex(hash::keccak256(w.data()));
}

}  // namespace

std::filesystem::path default_key_cache_dir() {
  if (const char* e = std::getenv("ZKINFER_KEY_CACHE")) return e;  // set and empty: no cache
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "zkinfer" / "verified-keys";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "zkinfer" / "verified-keys";
  return {};
}

std::string key_cache_entry_name(const VerifyingKey& vk) { return entry_name(vk, vk.digest()); }

namespace {

// Writes content to dir/name atomically (a temporary file renamed); false when it could not.
bool write_entry(const std::filesystem::path& dir, const std::string& name, const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::random_device rd;
  const auto tmp = dir / (".tmp-" + std::to_string(rd()) + "-" + name);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    f.close();
    if (!f) {
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, dir / name, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

std::string read_entry(const std::filesystem::path& path) {
  std::string have;
  std::ifstream in(path, std::ios::binary);
  if (in) have.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return have;
}

std::string powers_entry_content(const Digest& d) { return "zkinfer checked kzg powers v1\npowers " + hex(d) + "\n"; }

}  // namespace

std::string PowersCheckCache::entry_name(const std::array<uint8_t, 32>& digest) {
  const std::string_view tag = "zkinfer/kzg-powers-checked/v1";
  return hex(hash::Keccak256().update(tag).update(digest).finalize());
}

bool PowersCheckCache::checked(const std::array<uint8_t, 32>& digest) const {
  if (dir_.empty()) return false;
  try {
    return read_entry(dir_ / entry_name(digest)) == powers_entry_content(digest);
  } catch (const std::exception&) {
    return false;
  }
}

void PowersCheckCache::record(const std::array<uint8_t, 32>& digest) const {
  if (dir_.empty()) return;
  try {
    (void)write_entry(dir_, entry_name(digest), powers_entry_content(digest));
  } catch (const std::exception&) {
  }
}

KeyCheck check_key_cached(const quant::CompiledModel& model, const VerifyingKey& vk, const std::filesystem::path& dir) {
  KeyCheck out;
  const auto t0 = std::chrono::steady_clock::now();
  auto done = [&] {
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  };
  try {
    if (dir.empty()) {
      out.verdict = check_key(model, vk);
      return done();
    }
    const Digest d = vk.digest();
    const std::string content = entry_content(vk, d);
    const std::string name = entry_name(vk, d);
    const auto path = dir / name;
    if (read_entry(path) == content) {
      out.cached = true;
      out.verdict = check_key_trusting_range_proof(model, vk);
      return done();
    }
    out.verdict = check_key(model, vk);
    if (out.verdict.ok()) out.recorded = write_entry(dir, name, content);
    return done();
  } catch (const std::exception& e) {
    out.verdict = Verdict::reject(std::string("vk: ") + e.what());
    return done();
  }
}

}  // namespace zkinfer::proof
