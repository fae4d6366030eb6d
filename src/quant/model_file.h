// The .zkm file: a versioned binary encoding of a CompiledModel.
//   "ZKM\0" | u32 version | u64 n | body (n bytes) | Keccak-256(magic|version|n|body) | float part
// The body holds everything the proof binds (graph, shapes, scales, bit bounds, quantized
// constants, node parameters and tables); the digest is over it. The float part (float
// constants and calibrated ranges, used by `run` for the float reference) is not bound by it (a
// verifying key binds the whole public encoding it embeds: VerifyingKey::model_file_digest).
// Decoding never trusts the bytes: every count, id, shape and size is checked, and any problem
// is a DecodeError / Error naming the file.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "quant/model.h"

namespace zkinfer::quant {

// Version 2 adds the visibility record (3 bytes after the configuration); version 1 files decode
// with the default visibility (private input, private weights, public output).
inline constexpr uint32_t kZkmVersion = 2;

std::vector<uint8_t> encode_model(CompiledModel& m);  // also sets m.digest
// The public encoding: the same format with every float constant's values withheld (its shape,
// scale and bit bound kept; integer constants such as shapes, indices and pads stay) and no float part. What a verifying key embeds: the verifier walks the graph
// and never reads a constant's values; the weights are bound by their commitments instead.
// With weights fixed or public (m.visibility), the float constants are kept (quantized values in
// the body, float values in the float part): the verifier evaluates them itself.
std::vector<uint8_t> encode_public_model(const CompiledModel& m);
// The digest of the public encoding (for a model already public, its digest: withheld constants,
// or digest_is_public).
std::array<uint8_t, 32> public_digest(const CompiledModel& m);
CompiledModel decode_model(std::span<const uint8_t> bytes, const std::string& what);

void save_model(CompiledModel& m, const std::string& path);
CompiledModel load_model(const std::string& path);

bool is_zkm(std::span<const uint8_t> bytes);

// Readable summary for `zkinfer inspect`: graph, scales, shapes, sizes, digest.
nlohmann::ordered_json model_to_json(const CompiledModel& m, size_t file_bytes);

std::string hex(std::span<const uint8_t> b);

// The visibility record from the names given to `compile` (--input-visibility public|private,
// --weights-visibility private|public|fixed, --output-visibility public|private). Error naming
// the option for an unknown or disallowed value.
VisibilityRecord make_visibility(const std::string& input, const std::string& weights, const std::string& output);

}  // namespace zkinfer::quant
