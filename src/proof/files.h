// The versioned key files of the whole-model proof (docs/PROOF.md, section 4):
//   vk: the VerifyingKey encoding (magic ZKVK, key version, backend id (0 hyrax, 1 kzg; kzg: the
//       verifier part of the SRS), model digest, model file digest,
//       weight commitments, weight range proof), then u64 length and the compiled model's public
//       .zkm encoding (the public graph, scales and params the verifier walks; it never reads a
//       committed constant's values from it). Every byte is bound by the key's digest: the
//       embedded encoding through model_file_digest, checked on decoding.
//   pk: magic ZKPK, u32 version, the VerifyingKey encoding (the weight commitments computed once
//       in setup), then u64 count and per blinded weight tensor: u32 id, u64 rows, the row blinds
//       (secret: they make the commitments hiding); prove takes the .zkm beside it and checks the
//       model's public digest.
// Decoding allocates by the bytes read (counts are checked against the remaining bytes; the
// per-tensor tables are sparse), whatever counts the file claims.
#pragma once

#include <cstdint>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proof/model_proof.h"
#include "quant/model.h"

namespace zkinfer::proof {

struct VkFile {
  VerifyingKey vk;
  quant::CompiledModel model;
  size_t key_bytes = 0;    // the VerifyingKey part
  size_t model_bytes = 0;  // the embedded .zkm part
};

std::vector<uint8_t> encode_vk_file(const VerifyingKey& vk, std::span<const uint8_t> zkm);
VkFile decode_vk_file(std::span<const uint8_t> bytes);  // throws Error / DecodeError

std::vector<uint8_t> encode_pk_file(const ProvingKey& pk);
// powers_cache (kzg keys; optional): skips the SRS powers' pairing check for powers it recorded as
// checked (pcs::KzgParams::read_powers, proof/key_cache.h PowersCheckCache); *powers_cached says
// whether it did.
ProvingKey decode_pk_file(std::span<const uint8_t> bytes, const pcs::KzgParams::CheckCache* powers_cache = nullptr,
                          bool* powers_cached = nullptr);

bool is_vk_file(std::span<const uint8_t> bytes);
bool is_pk_file(std::span<const uint8_t> bytes);
bool is_proof_file(std::span<const uint8_t> bytes);

// A summary of a vk, pk or proof file for `zkinfer inspect`; nullopt for other files.
std::optional<nlohmann::ordered_json> inspect_json(std::span<const uint8_t> bytes);

std::vector<uint8_t> read_binary(const std::string& path);  // throws Error
void write_binary(const std::string& path, std::span<const uint8_t> bytes);  // atomic (temp + rename)
void write_text(const std::string& path, const std::string& text);            // atomic

}  // namespace zkinfer::proof
