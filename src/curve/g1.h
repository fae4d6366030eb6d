// The BN254 (alt_bn128) group G1: points of y^2 = x^3 + 3 over Fq, of prime order r (Fr's
// modulus; cofactor 1, so every point on the curve is in the group and there is no 2-torsion).
// Affine points (G1Affine) are the stored and serialized form; Jacobian points (G1, with
// x = X/Z^2, y = Y/Z^3 and Z = 0 for the identity) are for arithmetic.
// Formulas for a = 0 from the Explicit-Formulas Database (hyperelliptic.org/EFD, "g1p/shortw-
// jacobian-0"): dbl-2009-l, add-2007-bl, madd-2007-bl. Curve constants from EIP-196.
//
// Nothing here is constant time: G1 is used with public scalars (verifier checks, MSMs over
// committed values are computed by the prover, whose timing is not a secret boundary in this
// project; see src/curve/README.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "field/bn254.h"

namespace zkinfer::curve {

using field::Fq;
using field::Fr;

// The curve coefficient b = 3 (a = 0).
inline constexpr Fq kCurveB = Fq::from_u64(3);

// The parity (lowest bit) of an element's canonical representative.
inline bool is_odd(const Fq& v) { return v.to_canonical()[0] & 1; }
// a^((q+1)/4) with 4-bit fixed windows (about 250 squarings and 75 multiplications; Fq::sqrt's
// square-and-multiply needs about 125 multiplications): a square root of a when a is a square.
// Used by point decompression and hash-to-curve; the caller checks root^2 == a.
Fq sqrt_candidate(const Fq& a);

struct G1Affine {
  field::Fq x, y;
  bool infinity = true;  // a default-constructed point is the identity

  static constexpr G1Affine identity() { return G1Affine{}; }
  static constexpr G1Affine generator() { return G1Affine{Fq::from_u64(1), Fq::from_u64(2), false}; }
  static constexpr G1Affine from_xy(const Fq& x, const Fq& y) { return G1Affine{x, y, false}; }

  bool is_identity() const { return infinity; }
  // y^2 = x^3 + 3, or the identity.
  bool is_on_curve() const { return infinity || y.square() == x.square() * x + kCurveB; }

  G1Affine operator-() const { return infinity ? *this : G1Affine{x, -y, false}; }
  friend bool operator==(const G1Affine& a, const G1Affine& b) {
    if (a.infinity || b.infinity) return a.infinity == b.infinity;
    return a.x == b.x && a.y == b.y;
  }

  // Compressed encoding, 32 bytes: canonical little-endian x; bit 255 (the top bit of byte 31)
  // is set when the canonical y is odd; bit 254 is set for the identity, which is otherwise all
  // zero. (x < q < 2^254, so the two top bits are free.)
  static constexpr size_t kBytes = 32;
  std::array<uint8_t, kBytes> to_bytes() const;
  // Strict decoder: every point has exactly one accepted encoding. Rejects a wrong length, the
  // identity flag with any other bit set, x >= q, and an x with no point on the curve. Every
  // point decoded is on the curve and (cofactor 1) in the prime-order group.
  static std::optional<G1Affine> from_bytes(std::span<const uint8_t> in);

  std::string to_string() const;
};

class G1 {
 public:
  constexpr G1() : x_(Fq::one()), y_(Fq::one()), z_() {}  // the identity
  G1(const G1Affine& p) : x_(p.x), y_(p.y), z_(p.infinity ? Fq::zero() : Fq::one()) {  // NOLINT
    if (p.infinity) x_ = y_ = Fq::one();
  }
  static constexpr G1 from_jacobian(const Fq& x, const Fq& y, const Fq& z) { return G1(x, y, z); }

  static constexpr G1 identity() { return G1(); }
  static G1 generator() { return G1(G1Affine::generator()); }

  bool is_identity() const { return z_.is_zero(); }
  bool is_on_curve() const;  // Y^2 = X^3 + 3 Z^6

  const Fq& x() const { return x_; }
  const Fq& y() const { return y_; }
  const Fq& z() const { return z_; }

  // dbl-2009-l: 2M + 5S.
  G1 doubled() const {
    if (is_identity()) return *this;
    Fq a = x_.square();
    Fq b = y_.square();
    Fq c = b.square();
    Fq d = ((x_ + b).square() - a - c).doubled();
    Fq e = a.doubled() + a;
    Fq f = e.square();
    G1 r;
    r.x_ = f - d.doubled();
    r.y_ = e * (d - r.x_) - c.doubled().doubled().doubled();
    r.z_ = (y_ * z_).doubled();
    return r;
  }

  // add-2007-bl: 11M + 5S; falls back to doubling for equal inputs.
  friend G1 operator+(const G1& p, const G1& q) {
    if (p.is_identity()) return q;
    if (q.is_identity()) return p;
    Fq z1z1 = p.z_.square();
    Fq z2z2 = q.z_.square();
    Fq u1 = p.x_ * z2z2;
    Fq u2 = q.x_ * z1z1;
    Fq s1 = p.y_ * q.z_ * z2z2;
    Fq s2 = q.y_ * p.z_ * z1z1;
    Fq h = u2 - u1;
    Fq rr = (s2 - s1).doubled();
    if (h.is_zero()) return rr.is_zero() ? p.doubled() : identity();
    Fq i = h.doubled().square();
    Fq j = h * i;
    Fq v = u1 * i;
    G1 r;
    r.x_ = rr.square() - j - v.doubled();
    r.y_ = rr * (v - r.x_) - (s1 * j).doubled();
    r.z_ = ((p.z_ + q.z_).square() - z1z1 - z2z2) * h;
    return r;
  }

  // madd-2007-bl: 7M + 4S; mixed addition with an affine point.
  friend G1 operator+(const G1& p, const G1Affine& q) {
    if (q.infinity) return p;
    if (p.is_identity()) return G1(q);
    Fq z1z1 = p.z_.square();
    Fq u2 = q.x * z1z1;
    Fq s2 = q.y * p.z_ * z1z1;
    Fq h = u2 - p.x_;
    Fq rr = (s2 - p.y_).doubled();
    if (h.is_zero()) return rr.is_zero() ? p.doubled() : identity();
    Fq hh = h.square();
    Fq i = hh.doubled().doubled();
    Fq j = h * i;
    Fq v = p.x_ * i;
    G1 r;
    r.x_ = rr.square() - j - v.doubled();
    r.y_ = rr * (v - r.x_) - (p.y_ * j).doubled();
    r.z_ = (p.z_ + h).square() - z1z1 - hh;
    return r;
  }
  friend G1 operator+(const G1Affine& q, const G1& p) { return p + q; }

  G1 operator-() const { return G1(x_, -y_, z_); }
  friend G1 operator-(const G1& p, const G1& q) { return p + (-q); }
  friend G1 operator-(const G1& p, const G1Affine& q) { return p + (-q); }
  G1& operator+=(const G1& q) { return *this = *this + q; }
  G1& operator+=(const G1Affine& q) { return *this = *this + q; }
  G1& operator-=(const G1& q) { return *this = *this - q; }

  // Scalar multiplication, not constant time. By Fr: the GLV endomorphism with width-5 NAFs
  // (curve/glv.h, msm.h mul_glv); by int64_t and mul_limbs: 4-bit fixed windows over the plain
  // binary scalar (mul_limbs is also the reference the GLV paths are tested against).
  friend G1 operator*(const G1& p, const Fr& k) { return p.mul(k); }
  friend G1 operator*(const Fr& k, const G1& p) { return p.mul(k); }
  friend G1 operator*(const G1& p, int64_t k) { return p.mul_i64(k); }
  friend G1 operator*(int64_t k, const G1& p) { return p.mul_i64(k); }
  G1 mul(const Fr& k) const;
  G1 mul_i64(int64_t k) const;
  // Multiplication by a non-negative integer given as little-endian limbs (any size).
  G1 mul_limbs(std::span<const uint64_t> k) const;

  // Projective equality: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3.
  friend bool operator==(const G1& p, const G1& q);

  G1Affine to_affine() const;
  // Converts all points with one field inversion (chunks of it in parallel for large inputs).
  // out.size() must equal in.size().
  static void batch_to_affine(std::span<const G1> in, std::span<G1Affine> out);

  std::array<uint8_t, 32> to_bytes() const { return to_affine().to_bytes(); }
  std::string to_string() const { return to_affine().to_string(); }

 private:
  constexpr G1(const Fq& x, const Fq& y, const Fq& z) : x_(x), y_(y), z_(z) {}
  Fq x_, y_, z_;
};

}  // namespace zkinfer::curve
