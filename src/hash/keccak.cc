#include "hash/keccak.h"

#include <bit>
#include <cstring>

namespace zkinfer::hash {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// Rho rotation amounts and pi lane order, walked along the pi cycle starting from lane 1.
constexpr int kRho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                          27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                         15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

void keccak_f1600(uint64_t st[25]) {
  uint64_t bc[5];
  for (int round = 0; round < 24; ++round) {
#pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
    for (int i = 0; i < 5; ++i) {
      uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
      for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
    }
    uint64_t t = st[1];
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) {
      int j = kPi[i];
      uint64_t tmp = st[j];
      st[j] = rotl(t, kRho[i]);
      t = tmp;
    }
    for (int j = 0; j < 25; j += 5) {
      for (int i = 0; i < 5; ++i) bc[i] = st[j + i];
      for (int i = 0; i < 5; ++i) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
    }
    st[0] ^= kRoundConstants[round];
  }
}

Keccak256& Keccak256::update(std::span<const uint8_t> data) {
  size_t i = 0;
  const size_t n = data.size();
  // Bytes up to a lane boundary, then whole 64-bit lanes (little-endian), then the tail.
  while (i < n && pos_ % 8 != 0) {
    state_[pos_ / 8] ^= static_cast<uint64_t>(data[i++]) << (8 * (pos_ % 8));
    if (++pos_ == kRate) {
      keccak_f1600(state_);
      pos_ = 0;
    }
  }
  while (n - i >= 8) {
    uint64_t lane;
    std::memcpy(&lane, data.data() + i, 8);
    if constexpr (std::endian::native == std::endian::big) lane = __builtin_bswap64(lane);
    state_[pos_ / 8] ^= lane;
    i += 8;
    pos_ += 8;
    if (pos_ == kRate) {
      keccak_f1600(state_);
      pos_ = 0;
    }
  }
  for (; i < n; ++i) {
    state_[pos_ / 8] ^= static_cast<uint64_t>(data[i]) << (8 * (pos_ % 8));
    if (++pos_ == kRate) {
      keccak_f1600(state_);
      pos_ = 0;
    }
  }
  return *this;
}

Digest Keccak256::finalize() {
  state_[pos_ / 8] ^= static_cast<uint64_t>(pad_) << (8 * (pos_ % 8));
  state_[(kRate - 1) / 8] ^= 0x80ULL << (8 * ((kRate - 1) % 8));
  keccak_f1600(state_);
  Digest out;
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  return out;
}

}  // namespace zkinfer::hash
