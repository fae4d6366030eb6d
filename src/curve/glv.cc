// GLV scalar decomposition for BN254 (see glv.h for the method and the bounds).
#include "curve/glv.h"

#include "common/check.h"

namespace zkinfer::curve {
namespace {

using field::u128;

// The reduced lattice basis v1 = (a1, -b1m), v2 = (a2, b2) with a2 = b1m (glv_test.cc re-derives
// it and checks a1 b2 + a2 b1m = r and a_i + b_i lambda = 0 mod r).
constexpr u128 kA1 = (u128{0x6f4d8248eeb859fcULL} << 64) | 0x8211bbeb7d4f1128ULL;
constexpr u128 kB1m = 0x89d3256894d213e3ULL;  // -b1
constexpr u128 kA2 = kB1m;
constexpr u128 kB2 = (u128{0x6f4d8248eeb859fdULL} << 64) | 0x0be4e1541221250bULL;
// g1 = round(2^256 b2 / r), g2 = round(2^256 (-b1) / r).
constexpr std::array<uint64_t, 3> kG1 = {0x5398fd0300ff6565ULL, 0x4ccef014a773d2d2ULL, 0x2ULL};
constexpr std::array<uint64_t, 3> kG2 = {0xd91d232ec7e0b3d7ULL, 0x2ULL, 0x0ULL};

// round(k g / 2^256) for k < 2^256, g < 2^192: bits 256..383 of k g + 2^255.
u128 mul_shift(const field::Limbs<4>& k, const std::array<uint64_t, 3>& g) {
  std::array<uint64_t, 7> t{};
  for (size_t i = 0; i < 4; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < 3; ++j) t[i + j] = field::mac(t[i + j], k[i], g[j], carry);
    t[i + 3] = carry;
  }
  // + 2^255: bit 63 of limb 3, carried up.
  uint64_t carry = 0;
  t[3] = field::adc(t[3], uint64_t{1} << 63, carry);
  for (size_t i = 4; i < 7; ++i) t[i] = field::adc(t[i], 0, carry);
  ZKINFER_CHECK(t[6] == 0);
  return (u128{t[5]} << 64) | t[4];
}

Fr fr_from_signed(u128 mag, bool neg) {
  const Fr v = Fr::from_canonical({static_cast<uint64_t>(mag), static_cast<uint64_t>(mag >> 64), 0, 0});
  return neg ? -v : v;
}

}  // namespace

GlvSplit glv_split(const Fr& k) {
  const field::Limbs<4> kc = k.to_canonical();
  const u128 c1 = mul_shift(kc, kG1);
  const u128 c2 = mul_shift(kc, kG2);
  // k1 = k - c1 a1 - c2 a2 and k2 = c1 (-b1) - c2 b2; both fit in a signed 128-bit value
  // (|k_i| < 2^127), so they are computed modulo 2^128 and read in two's complement.
  const u128 klo = (u128{kc[1]} << 64) | kc[0];
  const u128 k1 = klo - c1 * kA1 - c2 * kA2;
  const u128 k2 = c1 * kB1m - c2 * kB2;
  GlvSplit s;
  const bool n1 = (k1 >> 127) != 0, n2 = (k2 >> 127) != 0;
  const u128 m1 = n1 ? ~k1 + 1 : k1, m2 = n2 ? ~k2 + 1 : k2;
  s.m1 = {static_cast<uint64_t>(m1), static_cast<uint64_t>(m1 >> 64)};
  s.m2 = {static_cast<uint64_t>(m2), static_cast<uint64_t>(m2 >> 64)};
  s.neg1 = n1;
  s.neg2 = n2;
  // The split must satisfy k1 + k2 lambda = k (a failure would be a bug in the constants or the
  // rounding above, never an input error).
  ZKINFER_CHECK((m1 >> 127) == 0 && (m2 >> 127) == 0);
  ZKINFER_CHECK(fr_from_signed(m1, n1) + fr_from_signed(m2, n2) * kGlvLambda == k);
  return s;
}

}  // namespace zkinfer::curve
