// Keccak-256 as used by Ethereum (the original Keccak padding 0x01, not SHA3's 0x06), and
// SHA3-256 on the same permutation so the permutation can be checked against NIST's vectors.
// Specification: FIPS 202 (Keccak-f[1600], sponge with rate 1088 bits for 256-bit output).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace zkinfer::hash {

using Digest = std::array<uint8_t, 32>;

// The Keccak-f[1600] permutation on 25 lanes.
void keccak_f1600(uint64_t state[25]);

class Keccak256 {
 public:
  // pad is the domain byte appended to the message: 0x01 for Keccak-256, 0x06 for SHA3-256.
  explicit Keccak256(uint8_t pad = 0x01) : pad_(pad) {}
  Keccak256& update(std::span<const uint8_t> data);
  Keccak256& update(std::string_view s) {
    return update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  Digest finalize();

  static constexpr size_t kRate = 136;

 private:
  uint64_t state_[25] = {};
  size_t pos_ = 0;  // bytes absorbed into the current block
  uint8_t pad_;
};

inline Digest keccak256(std::span<const uint8_t> data) { return Keccak256(0x01).update(data).finalize(); }
inline Digest sha3_256(std::span<const uint8_t> data) { return Keccak256(0x06).update(data).finalize(); }

}  // namespace zkinfer::hash
