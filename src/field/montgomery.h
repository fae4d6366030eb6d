// Prime fields in Montgomery form over N 64-bit limbs (N = 4 for BN254's Fr and Fq).
//
// Elements are kept as aR mod p with R = 2^(64N). Multiplication is the CIOS method of
// Koç, Acar and Kaliski ("Analyzing and comparing Montgomery multiplication algorithms", 1996)
// in the variant that needs no extra carry word when the modulus's top limb is below 2^63 - 1
// (true for both BN254 fields). All constants derive at compile time from the modulus.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "field/bigint.h"
#include "field/mont_mul_adx.h"

namespace zkinfer::field {

// Params provides: static constexpr size_t kLimbs; static constexpr Limbs<kLimbs> kModulus;
// static constexpr const char* kName.
template <class Params>
class MontField {
 public:
  static constexpr size_t kLimbs = Params::kLimbs;
  using Repr = Limbs<kLimbs>;
  static constexpr Repr kModulus = Params::kModulus;
  static constexpr size_t kBits = bit_length(kModulus);
  static constexpr size_t kBytes = 8 * kLimbs;
  static constexpr const char* kName = Params::kName;

  static_assert(kModulus[0] & 1, "modulus must be odd");
  static_assert(kModulus[kLimbs - 1] < (UINT64_MAX >> 1) - 1,
                "the no-carry CIOS multiplication needs a spare top bit");

  static constexpr uint64_t kInv = neg_inv64(kModulus[0]);  // -p^-1 mod 2^64
  static constexpr Repr kR = pow2_mod(64 * kLimbs, kModulus);       // R mod p (Montgomery one)
  static constexpr Repr kR2 = pow2_mod(2 * 64 * kLimbs, kModulus);  // R^2 mod p

  constexpr MontField() = default;

  static constexpr MontField zero() { return MontField(); }
  static constexpr MontField one() { return from_mont(kR); }

  static constexpr MontField from_u64(uint64_t v) {
    Repr r{};
    r[0] = v;
    return from_canonical(r);
  }
  // Negative v embeds as p - |v|.
  static constexpr MontField from_i64(int64_t v) {
    if (v >= 0) return from_u64(static_cast<uint64_t>(v));
    return -from_u64(static_cast<uint64_t>(-(v + 1)) + 1);
  }
  // x must be < p (checked by the caller; use from_bytes for untrusted input).
  static constexpr MontField from_canonical(const Repr& x) { return from_mont(mont_mul(x, kR2)); }
  static constexpr MontField from_mont(const Repr& m) {
    MontField f;
    f.m_ = m;
    return f;
  }

  constexpr Repr to_canonical() const {
    Repr one{};
    one[0] = 1;
    return mont_mul(m_, one);
  }
  constexpr const Repr& mont() const { return m_; }

  // Canonical little-endian bytes; decoding rejects values >= p.
  std::array<uint8_t, kBytes> to_bytes() const {
    std::array<uint8_t, kBytes> out{};
    Repr c = to_canonical();
    for (size_t i = 0; i < kBytes; ++i) out[i] = static_cast<uint8_t>(c[i / 8] >> (8 * (i % 8)));
    return out;
  }
  static std::optional<MontField> from_bytes(std::span<const uint8_t> in) {
    if (in.size() != kBytes) return std::nullopt;
    Repr c = load(in);
    if (geq(c, kModulus)) return std::nullopt;
    return from_canonical(c);
  }
  // Maps 2*kBytes uniform bytes to a field element with statistical distance about
  // 2^-(8*kBytes + 8*kBytes - kBits) from uniform: the integer lo + 2^(64N) hi reduced mod p.
  static MontField from_uniform_bytes(std::span<const uint8_t> in) {
    Repr lo = load(in.subspan(0, kBytes));
    Repr hi = load(in.subspan(kBytes, kBytes));
    return from_canonical(reduce_once_wide(lo)) +
           from_canonical(reduce_once_wide(hi)) * from_mont(kR2);  // hi * R, R = 2^(64N)
  }
  template <class Rng>
  static MontField random(Rng& rng) {
    std::array<uint8_t, 2 * kBytes> b;
    rng.fill(b);
    return from_uniform_bytes(b);
  }

  // The signed integer v with |v| < 2^63 that this element embeds, if there is one.
  std::optional<int64_t> to_i64() const {
    Repr c = to_canonical();
    auto small = [](const Repr& x) {
      for (size_t i = 1; i < kLimbs; ++i)
        if (x[i]) return false;
      return x[0] < (uint64_t{1} << 63);
    };
    if (small(c)) return static_cast<int64_t>(c[0]);
    Repr n = kModulus;
    sub_in_place(n, c);
    if (small(n)) return -static_cast<int64_t>(n[0]);
    return std::nullopt;
  }

  constexpr bool is_zero() const { return field::is_zero(m_); }
  constexpr bool is_one() const { return m_ == kR; }
  friend constexpr bool operator==(const MontField& a, const MontField& b) { return a.m_ == b.m_; }

  friend constexpr MontField operator+(const MontField& a, const MontField& b) {
#ifdef ZKINFER_HAVE_MONT_MUL_ADX
    if constexpr (kLimbs == 4) {
      if (!std::is_constant_evaluated()) return from_mont(detail::add4(a.m_, b.m_, kModulus));
    }
#endif
    Repr r = a.m_;
    add_in_place(r, b.m_);  // no carry out: both < p < 2^(64N-1)
    if (geq(r, kModulus)) sub_in_place(r, kModulus);
    return from_mont(r);
  }
  friend constexpr MontField operator-(const MontField& a, const MontField& b) {
#ifdef ZKINFER_HAVE_MONT_MUL_ADX
    if constexpr (kLimbs == 4) {
      if (!std::is_constant_evaluated()) return from_mont(detail::sub4(a.m_, b.m_, kModulus));
    }
#endif
    Repr r = a.m_;
    if (sub_in_place(r, b.m_)) add_in_place(r, kModulus);
    return from_mont(r);
  }
  constexpr MontField operator-() const { return zero() - *this; }
  friend constexpr MontField operator*(const MontField& a, const MontField& b) {
    return from_mont(mont_mul(a.m_, b.m_));
  }
  constexpr MontField& operator+=(const MontField& b) { return *this = *this + b; }
  constexpr MontField& operator-=(const MontField& b) { return *this = *this - b; }
  constexpr MontField& operator*=(const MontField& b) { return *this = *this * b; }

  constexpr MontField square() const { return *this * *this; }
  constexpr MontField doubled() const { return *this + *this; }

  template <size_t M>
  constexpr MontField pow(const Limbs<M>& e) const {
    MontField r = one();
    for (size_t i = bit_length(e); i-- > 0;) {
      r = r.square();
      if (bit(e, i)) r *= *this;
    }
    return r;
  }
  constexpr MontField pow(uint64_t e) const { return pow(Limbs<1>{e}); }

  // Multiplicative inverse by Fermat's little theorem; the inverse of zero is zero.
  constexpr MontField inverse() const { return pow(kModulusMinus2); }

  // Replaces every non-zero element by its inverse with one inversion (Montgomery's trick);
  // zeros stay zero.
  static void batch_inverse(std::span<MontField> xs) {
    std::vector<MontField> prefix(xs.size());
    MontField acc = one();
    for (size_t i = 0; i < xs.size(); ++i) {
      prefix[i] = acc;
      if (!xs[i].is_zero()) acc *= xs[i];
    }
    MontField inv = acc.inverse();
    for (size_t i = xs.size(); i-- > 0;) {
      if (xs[i].is_zero()) continue;
      MontField t = inv * prefix[i];
      inv *= xs[i];
      xs[i] = t;
    }
  }

  // Square root for p = 3 mod 4 (BN254's Fq): a^((p+1)/4), checked; nullopt for non-squares.
  std::optional<MontField> sqrt() const
    requires((kModulus[0] & 3) == 3)
  {
    MontField r = pow(kSqrtExponent);
    if (r.square() == *this) return r;
    return std::nullopt;
  }
  bool is_square() const { return pow(kLegendreExponent).is_zero() || pow(kLegendreExponent).is_one(); }

  std::string to_hex() const {
    static const char* d = "0123456789abcdef";
    Repr c = to_canonical();
    std::string s = "0x";
    for (size_t i = kLimbs; i-- > 0;)
      for (int j = 60; j >= 0; j -= 4) s.push_back(d[(c[i] >> j) & 15]);
    return s;
  }

  // Montgomery product a * b / R mod p, for a, b < p.
  static constexpr Repr mont_mul(const Repr& a, const Repr& b) {
#ifdef ZKINFER_HAVE_MONT_MUL_ADX
    if constexpr (kLimbs == 4) {
      if (!std::is_constant_evaluated()) return detail::mont_mul4_adx(a, b, kModulus, kInv);
    }
#endif
    Repr t{};
    for (size_t i = 0; i < kLimbs; ++i) {
      uint64_t c = 0;
      t[0] = mac(t[0], a[0], b[i], c);
      uint64_t m = t[0] * kInv;
      uint64_t c2 = 0;
      mac(t[0], m, kModulus[0], c2);
      for (size_t j = 1; j < kLimbs; ++j) {
        t[j] = mac(t[j], a[j], b[i], c);
        t[j - 1] = mac(t[j], m, kModulus[j], c2);
      }
      t[kLimbs - 1] = c + c2;
    }
    if (geq(t, kModulus)) sub_in_place(t, kModulus);
    return t;
  }

 private:
  static constexpr Repr minus_small(uint64_t k) {
    Repr r = kModulus;
    Repr s{};
    s[0] = k;
    sub_in_place(r, s);
    return r;
  }
  static constexpr Repr shifted_right(Repr x, unsigned k) {
    for (size_t i = 0; i < kLimbs; ++i) {
      x[i] = (x[i] >> k) | (i + 1 < kLimbs ? x[i + 1] << (64 - k) : 0);
    }
    return x;
  }
  static constexpr Repr plus_one_over_4() {
    Repr r = kModulus;
    Repr one{};
    one[0] = 1;
    add_in_place(r, one);
    return shifted_right(r, 2);
  }
  static constexpr Repr kModulusMinus2 = minus_small(2);
  static constexpr Repr kSqrtExponent = plus_one_over_4();
  static constexpr Repr kLegendreExponent = shifted_right(minus_small(1), 1);

  static Repr load(std::span<const uint8_t> in) {
    Repr c{};
    for (size_t i = 0; i < kBytes; ++i) c[i / 8] |= static_cast<uint64_t>(in[i]) << (8 * (i % 8));
    return c;
  }
  // x mod p for any x < 2^(64N), by repeated subtraction (at most 2^(64N)/p times: 5 for BN254).
  static constexpr Repr reduce_once_wide(Repr x) {
    while (geq(x, kModulus)) sub_in_place(x, kModulus);
    return x;
  }

  Repr m_{};
};

}  // namespace zkinfer::field
