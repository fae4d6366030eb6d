// Randomness. SecureRng draws from the operating system (getrandom) and is what provers use for
// blinding factors and masks. TestRng is a seeded xoshiro256** for reproducible tests and
// benchmarks: never use it for anything a proof's secrecy depends on.
#pragma once

#include <cstdint>
#include <span>

namespace zkinfer {

// Fills out with bytes from the kernel's CSPRNG; aborts if the kernel refuses (never on Linux
// after boot).
void secure_random_bytes(std::span<uint8_t> out);

class SecureRng {
 public:
  uint64_t next_u64();
  void fill(std::span<uint8_t> out) { secure_random_bytes(out); }
};

class TestRng {
 public:
  explicit TestRng(uint64_t seed);
  uint64_t next_u64();
  void fill(std::span<uint8_t> out);

 private:
  uint64_t s_[4];
};

}  // namespace zkinfer
