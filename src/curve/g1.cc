// BN254 G1: serialization, scalar multiplication and affine conversion (see g1.h).
#include "curve/g1.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "common/check.h"
#include "curve/g1_decode_log.h"
#include "curve/msm.h"

namespace zkinfer::curve {

namespace {
constexpr uint8_t kOddFlag = 0x80;       // bit 255: canonical y is odd
constexpr uint8_t kInfinityFlag = 0x40;  // bit 254: the identity
thread_local std::vector<const uint8_t*>* g_decode_log = nullptr;
}  // namespace

void set_g1_decode_log(std::vector<const uint8_t*>* log) { g_decode_log = log; }

Fq sqrt_candidate(const Fq& a) {
  static constexpr field::Limbs<4> kExp = [] {
    field::Limbs<4> e = Fq::kModulus;
    field::Limbs<4> one{1, 0, 0, 0};
    field::add_in_place(e, one);
    for (size_t i = 0; i < 4; ++i) e[i] = (e[i] >> 2) | (i + 1 < 4 ? e[i + 1] << 62 : 0);
    return e;
  }();
  // Sliding windows of up to 5 bits over the odd powers a, a^3, .., a^31: about 254 squarings and
  // 45 multiplications (fixed 4-bit windows took about 63 + 15).
  std::array<Fq, 16> odd;  // odd[k] = a^(2k + 1)
  odd[0] = a;
  const Fq a2 = a.square();
  for (size_t k = 1; k < 16; ++k) odd[k] = odd[k - 1] * a2;
  auto bit = [](int i) { return ((kExp[static_cast<size_t>(i) / 64] >> (i % 64)) & 1) != 0; };
  Fq r = Fq::one();
  bool started = false;
  int i = 255;
  while (i >= 0 && !bit(i)) --i;
  while (i >= 0) {
    if (!bit(i)) {
      r = r.square();
      --i;
      continue;
    }
    int l = std::max(i - 4, 0);
    while (!bit(l)) ++l;  // the window [l, i] ends in a set bit
    unsigned w = 0;
    for (int k = i; k >= l; --k) w = (w << 1) | (bit(k) ? 1u : 0u);
    if (started)
      for (int k = i; k >= l; --k) r = r.square();
    r = started ? r * odd[w >> 1] : odd[w >> 1];
    started = true;
    i = l - 1;
  }
  return r;
}

std::array<uint8_t, 32> G1Affine::to_bytes() const {
  std::array<uint8_t, 32> out{};
  if (infinity) {
    out[31] = kInfinityFlag;
    return out;
  }
  out = x.to_bytes();
  if (is_odd(y)) out[31] |= kOddFlag;
  return out;
}

std::optional<G1Affine> G1Affine::from_bytes(std::span<const uint8_t> in) {
  if (in.size() != kBytes) return std::nullopt;
  const uint8_t flags = in[31] & (kOddFlag | kInfinityFlag);
  if (flags & kInfinityFlag) {
    if (flags != kInfinityFlag) return std::nullopt;  // identity with the y-odd flag
    for (size_t i = 0; i < 31; ++i)
      if (in[i]) return std::nullopt;
    if (in[31] != kInfinityFlag) return std::nullopt;
    if (g_decode_log) g_decode_log->push_back(in.data());
    return G1Affine::identity();
  }
  std::array<uint8_t, 32> xb;
  std::copy(in.begin(), in.end(), xb.begin());
  xb[31] &= static_cast<uint8_t>(~(kOddFlag | kInfinityFlag));
  auto x = Fq::from_bytes(xb);  // rejects x >= q
  if (!x) return std::nullopt;
  const Fq rhs = x->square() * *x + kCurveB;
  std::optional<Fq> y = sqrt_candidate(rhs);
  if (y->square() != rhs) return std::nullopt;  // no point with this x
  // y != 0 always (no 2-torsion), so y and -y have different parities and exactly one matches.
  if (is_odd(*y) != ((flags & kOddFlag) != 0)) *y = -*y;
  if (g_decode_log) g_decode_log->push_back(in.data());
  return G1Affine{*x, *y, false};
}

std::string G1Affine::to_string() const {
  if (infinity) return "G1(infinity)";
  return "G1(" + x.to_hex() + ", " + y.to_hex() + ")";
}

bool G1::is_on_curve() const {
  if (is_identity()) return true;
  Fq z2 = z_.square();
  Fq z6 = (z2 * z_).square();
  return y_.square() == x_.square() * x_ + kCurveB * z6;
}

bool operator==(const G1& p, const G1& q) {
  if (p.is_identity() || q.is_identity()) return p.is_identity() == q.is_identity();
  Fq z1z1 = p.z_.square();
  Fq z2z2 = q.z_.square();
  if (p.x_ * z2z2 != q.x_ * z1z1) return false;
  return p.y_ * z2z2 * q.z_ == q.y_ * z1z1 * p.z_;
}

G1 G1::mul_limbs(std::span<const uint64_t> k) const {
  // Table of 0..15 times this point, then 4-bit windows from the top.
  std::array<G1, 16> table;
  table[0] = identity();
  table[1] = *this;
  for (size_t i = 2; i < 16; ++i) table[i] = (i % 2 == 0) ? table[i / 2].doubled() : table[i - 1] + *this;
  G1 acc = identity();
  for (size_t limb = k.size(); limb-- > 0;) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      acc = acc.doubled().doubled().doubled().doubled();
      unsigned w = static_cast<unsigned>(k[limb] >> shift) & 15;
      if (w) acc += table[w];
    }
  }
  return acc;
}

G1 G1::mul(const Fr& k) const { return mul_glv(*this, k); }

G1 G1::mul_i64(int64_t k) const {
  // |k| as an unsigned 64-bit value (well defined for INT64_MIN too).
  uint64_t mag = k < 0 ? ~static_cast<uint64_t>(k) + 1 : static_cast<uint64_t>(k);
  std::array<uint64_t, 1> limbs{mag};
  G1 r = mul_limbs(limbs);
  return k < 0 ? -r : r;
}

G1Affine G1::to_affine() const {
  if (is_identity()) return G1Affine::identity();
  Fq zi = z_.inverse();
  Fq zi2 = zi.square();
  return G1Affine{x_ * zi2, y_ * zi2 * zi, false};
}

namespace {
void batch_to_affine_serial(std::span<const G1> in, std::span<G1Affine> out) {
  std::vector<Fq> zs(in.size());
  for (size_t i = 0; i < in.size(); ++i) zs[i] = in[i].z();
  Fq::batch_inverse(zs);  // zeros (identities) stay zero
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i].is_identity()) {
      out[i] = G1Affine::identity();
      continue;
    }
    Fq zi2 = zs[i].square();
    out[i] = G1Affine{in[i].x() * zi2, in[i].y() * zi2 * zs[i], false};
  }
}
}  // namespace

void G1::batch_to_affine(std::span<const G1> in, std::span<G1Affine> out) {
  ZKINFER_CHECK(in.size() == out.size());
  constexpr size_t kChunk = 1 << 12;
  const size_t n = in.size();
  if (n <= kChunk) {
    batch_to_affine_serial(in, out);
    return;
  }
  const int64_t chunks = static_cast<int64_t>((n + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    size_t lo = static_cast<size_t>(c) * kChunk;
    size_t len = std::min(kChunk, n - lo);
    batch_to_affine_serial(in.subspan(lo, len), out.subspan(lo, len));
  }
}

}  // namespace zkinfer::curve
