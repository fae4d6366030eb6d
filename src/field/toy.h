// Toy prime fields GF(p) for p < 2^31, for exhaustive and brute-force tests of the generic
// protocols (sumcheck, lookups) where every element or every assignment can be enumerated.
// Not for production: the soundness error of any protocol over them is about 1/p.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "field/concept.h"

namespace zkinfer::field {

template <uint32_t P>
class ToyField {
  static_assert(P > 2 && P < (1u << 31));

 public:
  static constexpr uint64_t kModulus = P;
  static constexpr size_t kBytes = 4;
  static constexpr size_t kBits = 32 - __builtin_clz(P);

  constexpr ToyField() = default;
  static constexpr ToyField zero() { return ToyField(); }
  static constexpr ToyField one() { return from_u64(1); }
  static constexpr ToyField from_u64(uint64_t v) { return raw(static_cast<uint32_t>(v % P)); }
  static constexpr ToyField from_i64(int64_t v) {
    int64_t r = v % static_cast<int64_t>(P);
    return raw(static_cast<uint32_t>(r < 0 ? r + P : r));
  }
  constexpr uint32_t value() const { return v_; }

  friend constexpr bool operator==(ToyField a, ToyField b) { return a.v_ == b.v_; }
  friend constexpr ToyField operator+(ToyField a, ToyField b) { return raw((a.v_ + b.v_) % P); }
  friend constexpr ToyField operator-(ToyField a, ToyField b) { return raw((a.v_ + P - b.v_) % P); }
  friend constexpr ToyField operator*(ToyField a, ToyField b) {
    return raw(static_cast<uint32_t>(static_cast<uint64_t>(a.v_) * b.v_ % P));
  }
  constexpr ToyField operator-() const { return raw((P - v_) % P); }
  constexpr ToyField& operator+=(ToyField b) { return *this = *this + b; }
  constexpr ToyField& operator-=(ToyField b) { return *this = *this - b; }
  constexpr ToyField& operator*=(ToyField b) { return *this = *this * b; }
  constexpr ToyField square() const { return *this * *this; }
  constexpr ToyField pow(uint64_t e) const {
    ToyField r = one(), b = *this;
    for (; e; e >>= 1, b = b * b)
      if (e & 1) r *= b;
    return r;
  }
  constexpr ToyField inverse() const { return pow(P - 2); }
  constexpr bool is_zero() const { return v_ == 0; }

  std::array<uint8_t, kBytes> to_bytes() const {
    return {static_cast<uint8_t>(v_), static_cast<uint8_t>(v_ >> 8), static_cast<uint8_t>(v_ >> 16),
            static_cast<uint8_t>(v_ >> 24)};
  }
  static std::optional<ToyField> from_bytes(std::span<const uint8_t> b) {
    if (b.size() != kBytes) return std::nullopt;
    uint32_t v = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
    if (v >= P) return std::nullopt;
    return raw(v);
  }
  static ToyField from_uniform_bytes(std::span<const uint8_t> b) {
    uint64_t v = 0;
    for (size_t i = 0; i < 2 * kBytes; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return from_u64(v);
  }
  template <class Rng>
  static ToyField random(Rng& rng) {
    return from_u64(rng.next_u64());
  }
  std::optional<int64_t> to_i64() const {
    return v_ <= P / 2 ? static_cast<int64_t>(v_) : static_cast<int64_t>(v_) - static_cast<int64_t>(P);
  }

 private:
  static constexpr ToyField raw(uint32_t v) {
    ToyField f;
    f.v_ = v;
    return f;
  }
  uint32_t v_ = 0;
};

using F97 = ToyField<97>;
using F2p31m1 = ToyField<2147483647>;  // 2^31 - 1
static_assert(PrimeField<F97>);

}  // namespace zkinfer::field
