// CFr: a circuit field element, so that verifier code generic over field::PrimeField (sumcheck,
// polynomials, eq and Lagrange evaluations) builds its own circuit when run on it
// (docs/protocol/wrap.md section 3: the verifier's third interpreter).
//
// A CFr is a snark::Num (a linear combination of the current constraint system's variables and its
// value). The system is the one of the innermost CircuitScope on this thread; arithmetic between a
// constant and anything is free, a product of two non-constant CFrs adds one constraint, and so does
// an inversion. The verifier's decisions become constraints:
//   - a == b / a != b on a non-constant operand records a = b and reports "equal" (as cp::Val does):
//     a false equality makes the system unsatisfiable (counted by the scope, for diagnostics) instead
//     of changing the circuit's shape;
//   - is_zero() on a non-constant value constrains the answer it gives (x = 0, or x has an inverse),
//     so any branch taken on it is part of the statement.
// What a circuit cannot do fails loudly (zkinfer::Error): bytes of a non-constant value (a Keccak
// absorption: the circuit's transcript is field-native), a challenge from uniform bytes (a Keccak
// challenge), and to_i64 of a non-constant value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "field/bn254.h"
#include "poly/parallel.h"
#include "snark/circuit.h"

namespace zkinfer::snark {

// Makes cs the current system of this thread while it lives (scopes nest).
class CircuitScope {
 public:
  explicit CircuitScope(ConstraintSystem& cs);
  ~CircuitScope();
  CircuitScope(const CircuitScope&) = delete;
  CircuitScope& operator=(const CircuitScope&) = delete;

  // The current system (nullptr outside any scope).
  static ConstraintSystem* current();
  // Equalities recorded in this scope whose values differ (an honest witness has none).
  size_t false_equalities() const { return false_equalities_; }
  // Counts a false equality in the innermost scope (CFr's ==).
  static void note_false_equality();

 private:
  ConstraintSystem* cs_;
  CircuitScope* outer_;
  size_t false_equalities_ = 0;
};

class CFr {
 public:
  static constexpr size_t kBytes = Fr::kBytes;
  static constexpr size_t kBits = Fr::kBits;

  CFr() = default;  // the constant 0
  CFr(const Fr& c) : n_(c) {}  // NOLINT(google-explicit-constructor): a constant
  explicit CFr(Num n) : n_(std::move(n)) {}

  static CFr zero() { return CFr(); }
  static CFr one() { return CFr(Fr::one()); }
  static CFr from_u64(uint64_t u) { return CFr(Fr::from_u64(u)); }
  static CFr from_i64(int64_t i) { return CFr(Fr::from_i64(i)); }
  // New variables of the current system.
  static CFr witness(const Fr& value);
  static CFr public_input(const Fr& value);

  const Num& num() const { return n_; }
  const Fr& value() const { return n_.value(); }
  bool is_constant() const { return n_.is_constant(); }

  CFr& operator+=(const CFr& o) {
    n_ += o.n_;
    return *this;
  }
  CFr& operator-=(const CFr& o) {
    n_ -= o.n_;
    return *this;
  }
  CFr& operator*=(const CFr& o);
  friend CFr operator+(CFr a, const CFr& b) { return a += b; }
  friend CFr operator-(CFr a, const CFr& b) { return a -= b; }
  friend CFr operator*(CFr a, const CFr& b) { return a *= b; }
  CFr operator-() const { return CFr(-n_); }

  CFr square() const { return *this * *this; }
  CFr inverse() const;
  bool is_zero() const;

  friend bool operator==(const CFr& a, const CFr& b);
  friend bool operator!=(const CFr& a, const CFr& b) { return !(a == b); }

  std::array<uint8_t, kBytes> to_bytes() const;
  static std::optional<CFr> from_bytes(std::span<const uint8_t> bytes);
  static CFr from_uniform_bytes(std::span<const uint8_t> bytes);
  std::optional<int64_t> to_i64() const;

 private:
  Num n_;
};

static_assert(field::PrimeField<CFr>);

}  // namespace zkinfer::snark

// CFr arithmetic builds the current thread's constraint system: generic polynomial loops
// (poly/mle.h) run it serially.
template <>
struct zkinfer::poly::SerialArithmetic<zkinfer::snark::CFr> {
  static constexpr bool value = true;
};
