// The BN254 extension tower used by the pairing (src/curve/pairing.h):
//   Fq2  = Fq[u]  / (u^2 + 1)
//   Fq6  = Fq2[v] / (v^3 - xi),  xi = 9 + u
//   Fq12 = Fq6[w] / (w^2 - v)    (so w^6 = xi)
// Elements are plain structs of coefficients (c0 + c1 u, c0 + c1 v + c2 v^2, c0 + c1 w) over the
// Montgomery Fq of field/bn254.h. Multiplication is Karatsuba at every level; inverses go down
// the tower to one Fq inversion. Frobenius maps (x -> x^(q^n)) use the constants
// gamma_n[k] = xi^(k (q^n - 1) / 6), computed once at first use from xi^((q-1)/6).
// Nothing here is constant time (the pairing is used by verifiers on public data).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "field/bn254.h"

namespace zkinfer::field {

struct Fq2 {
  Fq c0, c1;

  static Fq2 zero() { return {}; }
  static Fq2 one() { return {Fq::one(), Fq::zero()}; }
  static Fq2 from_fq(const Fq& a) { return {a, Fq::zero()}; }
  static constexpr Fq2 make(const Fq& a, const Fq& b) { return {a, b}; }
  // The non-residue xi = 9 + u defining Fq6 (and the twist's b' = 3 / xi).
  static Fq2 xi() { return {Fq::from_u64(9), Fq::one()}; }

  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool is_one() const { return c0.is_one() && c1.is_zero(); }
  friend bool operator==(const Fq2& a, const Fq2& b) { return a.c0 == b.c0 && a.c1 == b.c1; }

  friend Fq2 operator+(const Fq2& a, const Fq2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fq2 operator-(const Fq2& a, const Fq2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  Fq2 operator-() const { return {-c0, -c1}; }
  friend Fq2 operator*(const Fq2& a, const Fq2& b) {
    Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
  }
  friend Fq2 operator*(const Fq2& a, const Fq& s) { return {a.c0 * s, a.c1 * s}; }
  Fq2& operator+=(const Fq2& b) { return *this = *this + b; }
  Fq2& operator-=(const Fq2& b) { return *this = *this - b; }
  Fq2& operator*=(const Fq2& b) { return *this = *this * b; }

  // (a + bu)^2 = (a + b)(a - b) + 2ab u.
  Fq2 square() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).doubled()}; }
  Fq2 doubled() const { return {c0.doubled(), c1.doubled()}; }
  Fq2 conjugate() const { return {c0, -c1}; }  // also the Frobenius map x -> x^q
  // Multiplication by xi = 9 + u: (9a - b) + (a + 9b) u.
  Fq2 mul_by_xi() const {
    Fq a8 = c0.doubled().doubled().doubled(), b8 = c1.doubled().doubled().doubled();
    return {a8 + c0 - c1, c0 + b8 + c1};
  }
  // 1 / (a + bu) = (a - bu) / (a^2 + b^2); the inverse of zero is zero.
  Fq2 inverse() const {
    Fq n = (c0.square() + c1.square()).inverse();
    return {c0 * n, -(c1 * n)};
  }
  template <size_t M>
  Fq2 pow(const Limbs<M>& e) const {
    Fq2 r = one();
    for (size_t i = bit_length(e); i-- > 0;) {
      r = r.square();
      if (bit(e, i)) r *= *this;
    }
    return r;
  }
  // A square root when there is one (Adj and Rodriguez-Henriquez, "Square root computation
  // over even extension fields", 2012, Algorithm 9, for q = 3 mod 4), checked.
  std::optional<Fq2> sqrt() const;
};

struct Fq6 {
  Fq2 c0, c1, c2;

  static Fq6 zero() { return {}; }
  static Fq6 one() { return {Fq2::one(), Fq2::zero(), Fq2::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
  friend bool operator==(const Fq6& a, const Fq6& b) {
    return a.c0 == b.c0 && a.c1 == b.c1 && a.c2 == b.c2;
  }
  friend Fq6 operator+(const Fq6& a, const Fq6& b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
  friend Fq6 operator-(const Fq6& a, const Fq6& b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
  Fq6 operator-() const { return {-c0, -c1, -c2}; }
  // Karatsuba (Devegili, O hEigeartaigh, Scott, Dahab, "Multiplication and squaring on
  // pairing-friendly fields", 2006, section 4): 6 Fq2 multiplications.
  friend Fq6 operator*(const Fq6& a, const Fq6& b) {
    Fq2 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2;
    Fq2 r0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0;
    Fq2 r1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi();
    Fq2 r2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1;
    return {r0, r1, r2};
  }
  Fq6& operator*=(const Fq6& b) { return *this = *this * b; }
  Fq6& operator+=(const Fq6& b) { return *this = *this + b; }
  Fq6& operator-=(const Fq6& b) { return *this = *this - b; }
  friend Fq6 operator*(const Fq6& a, const Fq2& s) { return {a.c0 * s, a.c1 * s, a.c2 * s}; }
  Fq6 square() const { return *this * *this; }
  // Multiplication by v: (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2.
  Fq6 mul_by_v() const { return {c2.mul_by_xi(), c0, c1}; }
  // Inverse (the same paper's formula through the norm to Fq2); zero maps to zero.
  Fq6 inverse() const {
    Fq2 a = c0.square() - (c1 * c2).mul_by_xi();
    Fq2 b = c2.square().mul_by_xi() - c0 * c1;
    Fq2 c = c1.square() - c0 * c2;
    Fq2 n = c0 * a + ((c2 * b) + (c1 * c)).mul_by_xi();
    Fq2 ni = n.inverse();
    return {a * ni, b * ni, c * ni};
  }
};

struct Fq12 {
  Fq6 c0, c1;

  static Fq12 zero() { return {}; }
  static Fq12 one() { return {Fq6::one(), Fq6::zero()}; }
  bool is_one() const { return *this == one(); }
  friend bool operator==(const Fq12& a, const Fq12& b) { return a.c0 == b.c0 && a.c1 == b.c1; }
  friend bool operator!=(const Fq12& a, const Fq12& b) { return !(a == b); }
  friend Fq12 operator+(const Fq12& a, const Fq12& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fq12 operator-(const Fq12& a, const Fq12& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  friend Fq12 operator*(const Fq12& a, const Fq12& b) {
    Fq6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    return {t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
  }
  Fq12& operator*=(const Fq12& b) { return *this = *this * b; }
  // Complex squaring: (a + bw)^2 = (a + b)(a + vb) - ab - v ab + 2ab w.
  Fq12 square() const {
    Fq6 ab = c0 * c1;
    Fq6 t = (c0 + c1) * (c0 + c1.mul_by_v()) - ab - ab.mul_by_v();
    return {t, ab + ab};
  }
  // x -> x^(q^6): w -> -w.
  Fq12 conjugate() const { return {c0, -c1}; }
  Fq12 inverse() const {
    Fq6 n = (c0.square() - c1.square().mul_by_v()).inverse();
    return {c0 * n, -(c1 * n)};
  }
  template <size_t M>
  Fq12 pow(const Limbs<M>& e) const {
    Fq12 r = one();
    for (size_t i = bit_length(e); i-- > 0;) {
      r = r.square();
      if (bit(e, i)) r *= *this;
    }
    return r;
  }
  Fq12 pow(uint64_t e) const { return pow(Limbs<1>{e}); }
  // x -> x^(q^n) for n = 1, 2, 3 (and any n by repetition).
  Fq12 frobenius(unsigned n = 1) const;

  // The coefficient of w^k, k = 0..5 (w^0, w^2, w^4 are c0's 1, v, v^2; w^1, w^3, w^5 are
  // c1's), the order the pairing's test vectors use.
  Fq2 coeff(unsigned k) const;
  static Fq12 from_coeffs(const std::array<Fq2, 6>& a);
};

// gamma_n[k] = xi^(k (q^n - 1) / 6) for n = 1, 2, 3 and k = 0..5 (index [n-1][k]).
const std::array<std::array<Fq2, 6>, 3>& frobenius_gammas();

}  // namespace zkinfer::field
