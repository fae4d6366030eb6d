// The BN254 group G2: the order-r subgroup of the sextic twist E'(Fq2): y^2 = x^3 + 3/xi,
// xi = 9 + u (field/tower.h), as in EIP-197. E'(Fq2) has order r * h with cofactor
// h = 2q - r, so (unlike G1) a point on the twist need not be in G2: decoders of untrusted
// points check the subgroup (G2Affine::is_in_subgroup). Jacobian formulas as in g1.h.
// Not constant time (public data only).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "field/tower.h"

namespace zkinfer::curve {

using field::Fq;
using field::Fq2;
using field::Fr;

// b' = 3 / (9 + u).
const Fq2& twist_b();

struct G2Affine {
  Fq2 x, y;
  bool infinity = true;

  static G2Affine identity() { return G2Affine{}; }
  // The standard generator (EIP-197).
  static G2Affine generator();
  static G2Affine from_xy(const Fq2& x, const Fq2& y) { return G2Affine{x, y, false}; }

  bool is_identity() const { return infinity; }
  bool is_on_curve() const { return infinity || y.square() == x.square() * x + twist_b(); }
  // On the twist and r * P = O.
  bool is_in_subgroup() const;

  G2Affine operator-() const { return infinity ? *this : G2Affine{x, -y, false}; }
  friend bool operator==(const G2Affine& a, const G2Affine& b) {
    if (a.infinity || b.infinity) return a.infinity == b.infinity;
    return a.x == b.x && a.y == b.y;
  }

  // Compressed encoding, 64 bytes, the G1 layout (g1.h) over Fq2: canonical little-endian x.c0
  // then x.c1; bit 7 of byte 63 set when y's sign is odd, where the sign is the parity of y.c0
  // if y.c0 != 0 and of y.c1 otherwise; bit 6 of byte 63 set for the identity (all else zero).
  static constexpr size_t kCompressedBytes = 64;
  std::array<uint8_t, kCompressedBytes> to_bytes() const;
  // Strict: one encoding per point; rejects non-canonical coordinates, x with no point on the
  // twist, and points outside the subgroup G2.
  static std::optional<G2Affine> from_bytes(std::span<const uint8_t> in);

  // Uncompressed, 128 bytes: x.c0, x.c1, y.c0, y.c1, canonical little endian; the identity is
  // bit 6 of byte 127 with all else zero. Decoding checks the curve and the subgroup.
  static constexpr size_t kUncompressedBytes = 128;
  std::array<uint8_t, kUncompressedBytes> to_bytes_uncompressed() const;
  static std::optional<G2Affine> from_bytes_uncompressed(std::span<const uint8_t> in);

  // The EVM encoding (EIP-197 ecPairing input): big-endian 32-byte words x.c1, x.c0, y.c1, y.c0;
  // the identity is all zeros. Decoding checks canonical words, the curve and the subgroup.
  std::array<uint8_t, 128> to_evm_bytes() const;
  static std::optional<G2Affine> from_evm_bytes(std::span<const uint8_t> in);

  std::string to_string() const;
};

class G2 {
 public:
  G2() : x_(Fq2::one()), y_(Fq2::one()), z_() {}
  G2(const G2Affine& p)  // NOLINT
      : x_(p.infinity ? Fq2::one() : p.x), y_(p.infinity ? Fq2::one() : p.y),
        z_(p.infinity ? Fq2::zero() : Fq2::one()) {}
  static G2 from_jacobian(const Fq2& x, const Fq2& y, const Fq2& z) { return G2(x, y, z); }
  static G2 identity() { return G2(); }
  static G2 generator() { return G2(G2Affine::generator()); }

  bool is_identity() const { return z_.is_zero(); }
  bool is_on_curve() const;
  const Fq2& x() const { return x_; }
  const Fq2& y() const { return y_; }
  const Fq2& z() const { return z_; }

  G2 doubled() const;
  friend G2 operator+(const G2& p, const G2& q);
  G2 operator-() const { return G2(x_, -y_, z_); }
  friend G2 operator-(const G2& p, const G2& q) { return p + (-q); }
  G2& operator+=(const G2& q) { return *this = *this + q; }
  friend bool operator==(const G2& p, const G2& q);

  friend G2 operator*(const G2& p, const Fr& k) { return p.mul_limbs(k.to_canonical()); }
  friend G2 operator*(const Fr& k, const G2& p) { return p.mul_limbs(k.to_canonical()); }
  // Multiplication by a non-negative integer given as little-endian limbs (any size).
  G2 mul_limbs(std::span<const uint64_t> k) const;

  G2Affine to_affine() const;

 private:
  G2(const Fq2& x, const Fq2& y, const Fq2& z) : x_(x), y_(y), z_(z) {}
  Fq2 x_, y_, z_;
};

}  // namespace zkinfer::curve
