// Key files of the whole-model proof (docs/PROOF.md, section 4).
#include "proof/files.h"
#include "proof/key_constants.h"

#include "common/file_io.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "hash/keccak.h"
#include "pcs/hyrax_scheme.h"
#include "quant/model_file.h"
#include "sumcheck/proof.h"

namespace zkinfer::proof {

namespace {
bool has_magic(std::span<const uint8_t> b, const char* m) {
  return b.size() >= 4 && std::equal(b.begin(), b.begin() + 4, reinterpret_cast<const uint8_t*>(m));
}
}  // namespace

bool is_vk_file(std::span<const uint8_t> b) { return has_magic(b, "ZKVK"); }
bool is_pk_file(std::span<const uint8_t> b) { return has_magic(b, "ZKPK"); }
bool is_proof_file(std::span<const uint8_t> b) { return has_magic(b, "ZKPF"); }

std::vector<uint8_t> encode_vk_file(const VerifyingKey& vk, std::span<const uint8_t> zkm) {
  if (hash::keccak256(zkm) != vk.model_file_digest)
    throw Error("verifying key: the public model given differs from the one the key was made for");
  ByteWriter w;
  vk.serialize(w);
  w.u64(zkm.size());
  w.bytes(zkm);
  return w.data();
}

VkFile decode_vk_file(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "key file");
  VkFile f;
  f.vk = VerifyingKey::deserialize(r);
  f.key_bytes = bytes.size() - r.remaining();
  uint64_t n = r.count(1);
  auto zkm = r.bytes(n);
  r.expect_end();
  f.model_bytes = n;
  // Every byte of the embedded model (its float part too, which `run` and `inspect` read) is bound
  // by the key's digest through model_file_digest.
  if (hash::keccak256(zkm) != f.vk.model_file_digest)
    throw Error("verifying key: the embedded model does not match the key's digest of it (the file was modified)");
  f.model = quant::decode_model(zkm, "verifying key");
  if (f.model.digest != f.vk.model_digest) throw Error("verifying key: the embedded model does not match its digest");
  // The embedded model is a public encoding (encode_vk_file) and its digest was just checked
  // against the key: public_digest() need not encode and hash it again on every check_key / verify.
  f.model.digest_is_public = true;
  return f;
}

std::vector<uint8_t> encode_pk_file(const ProvingKey& pk) {
  ByteWriter w;
  w.u8('Z'), w.u8('K'), w.u8('P'), w.u8('K');
  w.u32(pk.vk.effective_version());
  pk.vk.serialize(w);
  uint64_t count = 0;
  for (const auto& [t, b] : pk.blinds.entries()) count += !b.empty();
  w.u64(count);
  for (const auto& [t, b] : pk.blinds.entries()) {
    if (b.empty()) continue;
    w.u32(static_cast<uint32_t>(t));
    w.u64(b.size());
    for (const field::Fr& x : b) sumcheck::write_field(w, x);
  }
  // kzg: the SRS powers the prover commits with (the verifier part is in the key above).
  if (pk.vk.backend == Backend::kKzg) {
    if (!pk.vk.kzg || !pk.vk.kzg->has_powers()) throw Error("proving key: a kzg key without its SRS powers");
    pk.vk.kzg->serialize_powers(w);
  }
  return w.data();
}

ProvingKey decode_pk_file(std::span<const uint8_t> bytes, const pcs::KzgParams::CheckCache* powers_cache,
                          bool* powers_cached) {
  if (powers_cached) *powers_cached = false;
  ByteReader r(bytes, "key file");
  if (!is_pk_file(bytes)) r.fail("proving key: bad magic");
  r.bytes(4);
  const uint32_t version = r.u32();
  if (!known_key_version(version)) r.fail("proving key: unsupported version");
  ProvingKey pk;
  pk.vk = VerifyingKey::deserialize(r);
  if (pk.vk.version != version) r.fail("proving key: its header's version differs from its verifying key's");
  const size_t nt = pk.vk.weights.size();
  pk.blinds.resize(nt);
  const uint64_t count = r.count(12, nt);
  uint32_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint32_t t = r.u32();
    if (t >= nt || (i > 0 && t <= last) || !pk.vk.weights[t]) r.fail("proving key: bad tensor id");
    last = t;
    const uint64_t rows = r.count(32, uint64_t{1} << 32);
    if (rows != pk.vk.weights[t]->num_blinds()) r.fail("proving key: blind count differs from the commitment's");
    pk.blinds[t].resize(rows);
    for (auto& b : pk.blinds[t]) b = sumcheck::read_field<field::Fr>(r);
  }
  if (pk.vk.backend == Backend::kKzg)
    pk.vk.kzg = std::make_shared<const pcs::KzgParams>(pcs::KzgParams::read_powers(*pk.vk.kzg, r, powers_cache, powers_cached));
  r.expect_end();
  return pk;
}

namespace {
nlohmann::ordered_json key_json(const VerifyingKey& vk) {
  nlohmann::ordered_json j;
  j["backend"] = std::string(backend_name(vk.backend));
  if (vk.kzg) j["srs_powers"] = size_t{1} << vk.kzg->max_vars();
  j["model_digest"] = "keccak256:" + quant::hex(vk.model_digest);
  j["vk_digest"] = "keccak256:" + quant::hex(vk.digest());
  size_t count = 0, rows = 0;
  for (const auto& [t, c] : vk.weights.entries())
    if (c) {
      ++count;
      if (const auto* h = pcs::HyraxScheme::as_hyrax(*c)) rows += h->rows.size();
    }
  j["weight_commitments"] = count;
  j["commitment_rows"] = rows;
  j["weight_range_proof_bytes"] = vk.weight_bounds.size();
  if (vk.backend == Backend::kKzg) j["constant_openings_bytes"] = vk.constant_openings.size();  // version 7 (key_constants.h)
  j["key_bytes"] = vk.size_bytes();
  return j;
}
}  // namespace

std::optional<nlohmann::ordered_json> inspect_json(std::span<const uint8_t> bytes) {
  nlohmann::ordered_json j;
  if (is_vk_file(bytes)) {
    VkFile f = decode_vk_file(bytes);
    j["format"] = "zkinfer verifying key";
    j["version"] = f.vk.effective_version();
    j["file_bytes"] = bytes.size();
    nlohmann::ordered_json kj = key_json(f.vk);
    for (auto& [k, v] : kj.items()) j[k] = v;
    if (f.vk.backend == Backend::kKzg) {  // the public constants a version-7 kzg key commits to, apart
      size_t constants = 0;
      for (size_t t = 0; t < f.model.graph.tensors.size(); ++t)
        constants += f.vk.weights[t] != nullptr && key_commits_constant(f.model, f.vk, static_cast<int>(t));
      j["weight_commitments"] = j["weight_commitments"].get<size_t>() - constants;
      j["constant_commitments"] = constants;
    }
    j["model_bytes"] = f.model_bytes;
    j["model_nodes"] = f.model.graph.nodes.size();
    const auto& vis = f.model.visibility;
    j["visibility"] = {{"input", quant::visibility_name(vis.input)}, {"weights", quant::visibility_name(vis.weights)},
                       {"output", quant::visibility_name(vis.output)}};
    return j;
  }
  if (is_pk_file(bytes)) {
    VerifyingKey vk = decode_pk_file(bytes).vk;
    j["format"] = "zkinfer proving key";
    j["version"] = vk.effective_version();
    j["file_bytes"] = bytes.size();
    nlohmann::ordered_json kj = key_json(vk);
    for (auto& [k, v] : kj.items()) j[k] = v;
    return j;
  }
  if (is_proof_file(bytes)) {
    ByteReader r(bytes, "proof");
    r.bytes(4);
    j["format"] = "zkinfer proof";
    j["version"] = r.u32();
    j["file_bytes"] = bytes.size();
    const uint8_t backend = r.u8();
    j["backend"] = backend <= 1 ? std::string(backend_name(static_cast<Backend>(backend))) : "unknown";
    j["vk_digest"] = "keccak256:" + quant::hex(r.bytes(32));
    // Public outputs come next; a proof for a model with a private output starts with a
    // commitment instead (u32 num_vars, u32 log_cols: an implausible count), and carries none.
    const uint64_t n = r.u64();
    if (n <= r.remaining() / 8) {
      std::vector<int64_t> out(n);
      for (auto& v : out) v = static_cast<int64_t>(r.u64());
      j["output_values"] = out;
    } else {
      j["output_values"] = "none (a private output: the proof carries its commitment)";
    }
    j["note"] = "the sub-proofs' layout depends on the model: verify with its vk";
    return j;
  }
  return std::nullopt;
}

std::vector<uint8_t> read_binary(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot read file");
  // In blocks (a byte-at-a-time istreambuf_iterator copy took about 3 ms of a verifier's CPU for a
  // 200 KB key); works for files whose size is not known in advance (pipes) too.
  std::vector<uint8_t> b;
  constexpr size_t kBlock = size_t{1} << 16;
  for (;;) {
    const size_t at = b.size();
    b.resize(at + kBlock);
    f.read(reinterpret_cast<char*>(b.data() + at), static_cast<std::streamsize>(kBlock));
    const auto got = static_cast<size_t>(f.gcount());
    b.resize(at + got);
    if (got < kBlock) break;
  }
  if (f.bad()) throw Error(path + ": read failed");
  return b;
}

void write_binary(const std::string& path, std::span<const uint8_t> bytes) { write_file_atomic(path, bytes); }

void write_text(const std::string& path, const std::string& text) {
  write_binary(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace zkinfer::proof
