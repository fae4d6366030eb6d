// Montgomery multiplication for 4-limb moduli below 2^255 on x86-64 with BMI2 and ADX: the CIOS
// method (Koç, Acar, Kaliski 1996) with mulx and two independent carry chains (adcx on CF,
// adox on OF), as in Intel's "New Instructions Supporting Large Integer Arithmetic on Intel
// Architecture Processors" (Ozturk, Guilford, Gopal, Feghali, 2012). GCC's code for the
// portable unsigned __int128 version in montgomery.h is about 1.3x slower. Used by MontField
// only at run time (constant evaluation takes the portable path), and only when the compiler
// targets BMI2 and ADX. Checked against GMP by field_test. Also branch-free 4-limb add and
// subtract (the portable ones compare limb by limb with early exits).
#pragma once

#include <immintrin.h>

#include <array>
#include <cstdint>

#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
#define ZKINFER_HAVE_MONT_MUL_ADX 1

namespace zkinfer::field::detail {

// Returns a * b / 2^256 mod p for a, b < p; pinv = -p^-1 mod 2^64; needs p < 2^255.
inline std::array<uint64_t, 4> mont_mul4_adx(const std::array<uint64_t, 4>& a,
                                             const std::array<uint64_t, 4>& b,
                                             const std::array<uint64_t, 4>& p, uint64_t pinv) {
  uint64_t t0, t1, t2, t3, t4, lo, hi, zero;
  // One round: t += a * b[i] (lows on the OF chain, highs on the CF chain), then
  // t = (t + m p) / 2^64 with m = t0 * pinv, the same two chains.
#define ZKINFER_ROUND(boff, first)              \
  "movq " boff "(%[b]), %%rdx\n\t"              \
  "xorl %k[zero], %k[zero]\n\t"                 \
  "mulxq 0(%[a]), %[lo], %[hi]\n\t"             \
  first                                         \
  "mulxq 8(%[a]), %[lo], %[hi]\n\t"             \
  "adoxq %[lo], %[t1]\n\t"                      \
  "adcxq %[hi], %[t2]\n\t"                      \
  "mulxq 16(%[a]), %[lo], %[hi]\n\t"            \
  "adoxq %[lo], %[t2]\n\t"                      \
  "adcxq %[hi], %[t3]\n\t"                      \
  "mulxq 24(%[a]), %[lo], %[hi]\n\t"            \
  "adoxq %[lo], %[t3]\n\t"                      \
  "adcxq %[zero], %[hi]\n\t"                    \
  "adoxq %[zero], %[hi]\n\t"                    \
  "movq %[hi], %[t4]\n\t"                       \
  "movq %[t0], %%rdx\n\t"                       \
  "imulq %[pinv], %%rdx\n\t"                    \
  "xorl %k[zero], %k[zero]\n\t"                 \
  "mulxq 0(%[p]), %[lo], %[hi]\n\t"             \
  "adoxq %[lo], %[t0]\n\t"                      \
  "adcxq %[hi], %[t1]\n\t"                      \
  "mulxq 8(%[p]), %[lo], %[hi]\n\t"             \
  "adoxq %[lo], %[t1]\n\t"                      \
  "adcxq %[hi], %[t2]\n\t"                      \
  "mulxq 16(%[p]), %[lo], %[hi]\n\t"            \
  "adoxq %[lo], %[t2]\n\t"                      \
  "adcxq %[hi], %[t3]\n\t"                      \
  "mulxq 24(%[p]), %[lo], %[hi]\n\t"            \
  "adoxq %[lo], %[t3]\n\t"                      \
  "adcxq %[zero], %[hi]\n\t"                    \
  "adoxq %[t4], %[hi]\n\t"                      \
  "movq %[t1], %[t0]\n\t"                       \
  "movq %[t2], %[t1]\n\t"                       \
  "movq %[t3], %[t2]\n\t"                       \
  "movq %[hi], %[t3]\n\t"
#define ZKINFER_FIRST \
  "movq %[lo], %[t0]\n\tmovq %[hi], %[t1]\n\txorl %k[t2], %k[t2]\n\txorl %k[t3], %k[t3]\n\t"
#define ZKINFER_NEXT "adoxq %[lo], %[t0]\n\tadcxq %[hi], %[t1]\n\t"
  asm(ZKINFER_ROUND("0", ZKINFER_FIRST) ZKINFER_ROUND("8", ZKINFER_NEXT)
          ZKINFER_ROUND("16", ZKINFER_NEXT) ZKINFER_ROUND("24", ZKINFER_NEXT)
      : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
        [lo] "=&r"(lo), [hi] "=&r"(hi), [zero] "=&r"(zero)
      : [a] "r"(a.data()), [b] "r"(b.data()), [p] "r"(p.data()), [pinv] "rm"(pinv), "m"(a), "m"(b),
        "m"(p)
      : "rdx", "cc");
#undef ZKINFER_ROUND
#undef ZKINFER_FIRST
#undef ZKINFER_NEXT
  // t < 2p: subtract p once unless that borrows.
  std::array<uint64_t, 4> t = {t0, t1, t2, t3}, s;
  unsigned __int128 d;
  uint64_t borrow = 0;
  for (size_t i = 0; i < 4; ++i) {
    d = static_cast<unsigned __int128>(t[i]) - p[i] - borrow;
    s[i] = static_cast<uint64_t>(d);
    borrow = static_cast<uint64_t>(d >> 127);
  }
  return borrow ? t : s;
}

// (a + b) mod p and (a - b) mod p for a, b < p < 2^255, without branches on the values.
inline std::array<uint64_t, 4> add4(const std::array<uint64_t, 4>& a, const std::array<uint64_t, 4>& b,
                                    const std::array<uint64_t, 4>& p) {
  unsigned long long r0, r1, r2, r3, s0, s1, s2, s3;
  unsigned char c = _addcarry_u64(0, a[0], b[0], &r0);
  c = _addcarry_u64(c, a[1], b[1], &r1);
  c = _addcarry_u64(c, a[2], b[2], &r2);
  _addcarry_u64(c, a[3], b[3], &r3);  // no carry out: a + b < 2p < 2^256
  unsigned char br = _subborrow_u64(0, r0, p[0], &s0);
  br = _subborrow_u64(br, r1, p[1], &s1);
  br = _subborrow_u64(br, r2, p[2], &s2);
  br = _subborrow_u64(br, r3, p[3], &s3);
  const uint64_t keep = 0 - static_cast<uint64_t>(br);  // all ones when r < p
  return {(r0 & keep) | (s0 & ~keep), (r1 & keep) | (s1 & ~keep), (r2 & keep) | (s2 & ~keep),
          (r3 & keep) | (s3 & ~keep)};
}

inline std::array<uint64_t, 4> sub4(const std::array<uint64_t, 4>& a, const std::array<uint64_t, 4>& b,
                                    const std::array<uint64_t, 4>& p) {
  unsigned long long r0, r1, r2, r3, s0, s1, s2, s3;
  unsigned char br = _subborrow_u64(0, a[0], b[0], &r0);
  br = _subborrow_u64(br, a[1], b[1], &r1);
  br = _subborrow_u64(br, a[2], b[2], &r2);
  br = _subborrow_u64(br, a[3], b[3], &r3);
  const uint64_t mask = 0 - static_cast<uint64_t>(br);  // add p back when a < b
  unsigned char c = _addcarry_u64(0, r0, p[0] & mask, &s0);
  c = _addcarry_u64(c, r1, p[1] & mask, &s1);
  c = _addcarry_u64(c, r2, p[2] & mask, &s2);
  _addcarry_u64(c, r3, p[3] & mask, &s3);
  return {s0, s1, s2, s3};
}

}  // namespace zkinfer::field::detail

#endif
