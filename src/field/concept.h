// The PrimeField concept: what generic code (polynomials, sumcheck, lookups, commitments) may
// use of a field. Fr, Fq (field/bn254.h) and the toy fields of field/toy.h satisfy it.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace zkinfer::field {

template <class F>
concept PrimeField = std::regular<F> && requires(F a, const F& b, std::span<const uint8_t> bytes,
                                                  uint64_t u, int64_t i) {
  { F::kBytes } -> std::convertible_to<size_t>;
  { F::kBits } -> std::convertible_to<size_t>;
  { F::zero() } -> std::same_as<F>;
  { F::one() } -> std::same_as<F>;
  { F::from_u64(u) } -> std::same_as<F>;
  { F::from_i64(i) } -> std::same_as<F>;
  { a + b } -> std::same_as<F>;
  { a - b } -> std::same_as<F>;
  { a * b } -> std::same_as<F>;
  { -a } -> std::same_as<F>;
  { a += b } -> std::same_as<F&>;
  { a -= b } -> std::same_as<F&>;
  { a *= b } -> std::same_as<F&>;
  { a.square() } -> std::same_as<F>;
  { a.inverse() } -> std::same_as<F>;
  { a.is_zero() } -> std::same_as<bool>;
  { a.to_bytes() };
  { F::from_bytes(bytes) } -> std::same_as<std::optional<F>>;
  { F::from_uniform_bytes(bytes) } -> std::same_as<F>;  // 2 * kBytes uniform bytes
  { a.to_i64() } -> std::same_as<std::optional<int64_t>>;
};

}  // namespace zkinfer::field
