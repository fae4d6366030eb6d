// Fixed-width unsigned integers as little-endian arrays of 64-bit limbs, with the carry
// primitives the Montgomery fields are built from. Everything is constexpr so that field
// constants (R, R^2, -p^-1) are computed by the compiler from the modulus alone.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace zkinfer::field {

template <size_t N>
using Limbs = std::array<uint64_t, N>;

using u128 = unsigned __int128;

// a + b + carry; carry is updated to the carry out (0 or 1).
constexpr uint64_t adc(uint64_t a, uint64_t b, uint64_t& carry) {
  u128 t = static_cast<u128>(a) + b + carry;
  carry = static_cast<uint64_t>(t >> 64);
  return static_cast<uint64_t>(t);
}

// a - b - borrow; borrow is updated to the borrow out (0 or 1).
constexpr uint64_t sbb(uint64_t a, uint64_t b, uint64_t& borrow) {
  u128 t = static_cast<u128>(a) - b - borrow;
  borrow = static_cast<uint64_t>(t >> 64) != 0 ? 1 : 0;
  return static_cast<uint64_t>(t);
}

// a + b * c + carry; carry is updated to the high word. Never overflows 128 bits.
constexpr uint64_t mac(uint64_t a, uint64_t b, uint64_t c, uint64_t& carry) {
  u128 t = static_cast<u128>(b) * c + a + carry;
  carry = static_cast<uint64_t>(t >> 64);
  return static_cast<uint64_t>(t);
}

template <size_t N>
constexpr bool geq(const Limbs<N>& a, const Limbs<N>& b) {
  for (size_t i = N; i-- > 0;) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return true;
}

template <size_t N>
constexpr bool is_zero(const Limbs<N>& a) {
  for (auto l : a)
    if (l) return false;
  return true;
}

// a += b, returns the carry out.
template <size_t N>
constexpr uint64_t add_in_place(Limbs<N>& a, const Limbs<N>& b) {
  uint64_t c = 0;
  for (size_t i = 0; i < N; ++i) a[i] = adc(a[i], b[i], c);
  return c;
}

// a -= b, returns the borrow out.
template <size_t N>
constexpr uint64_t sub_in_place(Limbs<N>& a, const Limbs<N>& b) {
  uint64_t br = 0;
  for (size_t i = 0; i < N; ++i) a[i] = sbb(a[i], b[i], br);
  return br;
}

template <size_t N>
constexpr size_t bit_length(const Limbs<N>& a) {
  for (size_t i = N; i-- > 0;) {
    if (a[i]) return 64 * i + (64 - static_cast<size_t>(__builtin_clzll(a[i])));
  }
  return 0;
}

template <size_t N>
constexpr bool bit(const Limbs<N>& a, size_t i) {
  return (a[i / 64] >> (i % 64)) & 1;
}

// (a + a) mod m for a < m < 2^(64N - 1).
template <size_t N>
constexpr Limbs<N> double_mod(Limbs<N> a, const Limbs<N>& m) {
  Limbs<N> b = a;
  add_in_place(a, b);
  if (geq(a, m)) sub_in_place(a, m);
  return a;
}

// 2^k mod m, by repeated doubling (compile-time only: k is a few hundred).
template <size_t N>
constexpr Limbs<N> pow2_mod(size_t k, const Limbs<N>& m) {
  Limbs<N> r{};
  r[0] = 1;
  for (size_t i = 0; i < k; ++i) r = double_mod(r, m);
  return r;
}

// -m^-1 mod 2^64 for odd m, by Newton iteration.
constexpr uint64_t neg_inv64(uint64_t m0) {
  uint64_t x = 1;
  for (int i = 0; i < 7; ++i) x *= 2 - m0 * x;
  return ~x + 1;
}

}  // namespace zkinfer::field
