// G2 arithmetic and encodings (see g2.h).
#include "curve/g2.h"

#include <vector>

namespace zkinfer::curve {

namespace {
constexpr uint8_t kOddFlag = 0x80;       // top bit of the last byte: y's sign is odd
constexpr uint8_t kInfinityFlag = 0x40;  // next bit: the identity

Fq fq_from(const field::Limbs<4>& c) { return Fq::from_canonical(c); }

bool sign_odd(const Fq2& y) {
  return y.c0.is_zero() ? (y.c1.to_canonical()[0] & 1) : (y.c0.to_canonical()[0] & 1);
}

std::optional<Fq> read_le(std::span<const uint8_t> in) { return Fq::from_bytes(in); }

std::optional<Fq> read_be(std::span<const uint8_t> in) {
  std::array<uint8_t, 32> le;
  for (size_t i = 0; i < 32; ++i) le[i] = in[31 - i];
  return Fq::from_bytes(le);
}
void write_be(const Fq& v, uint8_t* out) {
  auto le = v.to_bytes();
  for (size_t i = 0; i < 32; ++i) out[i] = le[31 - i];
}

// The order r of G2 as limbs.
constexpr field::Limbs<4> kOrder = field::FrParams::kModulus;
}  // namespace

const Fq2& twist_b() {
  static const Fq2 b = Fq2::from_fq(Fq::from_u64(3)) * Fq2::xi().inverse();
  return b;
}

G2Affine G2Affine::generator() {
  return from_xy(
      Fq2{fq_from({0x46debd5cd992f6edULL, 0x674322d4f75edaddULL, 0x426a00665e5c4479ULL, 0x1800deef121f1e76ULL}),
          fq_from({0x97e485b7aef312c2ULL, 0xf1aa493335a9e712ULL, 0x7260bfb731fb5d25ULL, 0x198e9393920d483aULL})},
      Fq2{fq_from({0x4ce6cc0166fa7daaULL, 0xe3d1e7690c43d37bULL, 0x4aab71808dcb408fULL, 0x12c85ea5db8c6debULL}),
          fq_from({0x55acdadcd122975bULL, 0xbc4b313370b38ef3ULL, 0xec9e99ad690c3395ULL, 0x090689d0585ff075ULL})});
}

bool G2Affine::is_in_subgroup() const {
  if (!is_on_curve()) return false;
  if (infinity) return true;
  return G2(*this).mul_limbs(kOrder).is_identity();
}

std::array<uint8_t, 64> G2Affine::to_bytes() const {
  std::array<uint8_t, 64> out{};
  if (infinity) {
    out[63] = kInfinityFlag;
    return out;
  }
  auto a = x.c0.to_bytes(), b = x.c1.to_bytes();
  std::copy(a.begin(), a.end(), out.begin());
  std::copy(b.begin(), b.end(), out.begin() + 32);
  if (sign_odd(y)) out[63] |= kOddFlag;
  return out;
}

std::optional<G2Affine> G2Affine::from_bytes(std::span<const uint8_t> in) {
  if (in.size() != kCompressedBytes) return std::nullopt;
  const uint8_t flags = in[63] & (kOddFlag | kInfinityFlag);
  if (flags & kInfinityFlag) {
    if (flags != kInfinityFlag) return std::nullopt;
    for (size_t i = 0; i < 63; ++i)
      if (in[i]) return std::nullopt;
    if (in[63] != kInfinityFlag) return std::nullopt;
    return identity();
  }
  std::array<uint8_t, 32> hi;
  std::copy(in.begin() + 32, in.end(), hi.begin());
  hi[31] &= static_cast<uint8_t>(~(kOddFlag | kInfinityFlag));
  auto c0 = read_le(in.subspan(0, 32));
  auto c1 = read_le(hi);
  if (!c0 || !c1) return std::nullopt;
  Fq2 xx{*c0, *c1};
  auto yy = (xx.square() * xx + twist_b()).sqrt();
  if (!yy) return std::nullopt;
  Fq2 y = *yy;
  if (sign_odd(y) != bool(flags & kOddFlag)) y = -y;
  G2Affine p = from_xy(xx, y);
  if (!p.is_in_subgroup()) return std::nullopt;
  return p;
}

std::array<uint8_t, 128> G2Affine::to_bytes_uncompressed() const {
  std::array<uint8_t, 128> out{};
  if (infinity) {
    out[127] = kInfinityFlag;
    return out;
  }
  const Fq* c[4] = {&x.c0, &x.c1, &y.c0, &y.c1};
  for (size_t i = 0; i < 4; ++i) {
    auto b = c[i]->to_bytes();
    std::copy(b.begin(), b.end(), out.begin() + 32 * i);
  }
  return out;
}

std::optional<G2Affine> G2Affine::from_bytes_uncompressed(std::span<const uint8_t> in) {
  if (in.size() != kUncompressedBytes) return std::nullopt;
  if (in[127] & kInfinityFlag) {
    for (size_t i = 0; i < 127; ++i)
      if (in[i]) return std::nullopt;
    if (in[127] != kInfinityFlag) return std::nullopt;
    return identity();
  }
  Fq v[4];
  for (size_t i = 0; i < 4; ++i) {
    auto f = read_le(in.subspan(32 * i, 32));  // rejects any flag bit (value >= q)
    if (!f) return std::nullopt;
    v[i] = *f;
  }
  G2Affine p = from_xy({v[0], v[1]}, {v[2], v[3]});
  if (!p.is_in_subgroup()) return std::nullopt;
  return p;
}

std::array<uint8_t, 128> G2Affine::to_evm_bytes() const {
  std::array<uint8_t, 128> out{};
  if (infinity) return out;
  write_be(x.c1, out.data());
  write_be(x.c0, out.data() + 32);
  write_be(y.c1, out.data() + 64);
  write_be(y.c0, out.data() + 96);
  return out;
}

std::optional<G2Affine> G2Affine::from_evm_bytes(std::span<const uint8_t> in) {
  if (in.size() != 128) return std::nullopt;
  bool all_zero = true;
  for (uint8_t b : in) all_zero = all_zero && b == 0;
  if (all_zero) return identity();
  Fq v[4];
  for (size_t i = 0; i < 4; ++i) {
    auto f = read_be(in.subspan(32 * i, 32));
    if (!f) return std::nullopt;
    v[i] = *f;
  }
  G2Affine p = from_xy({v[1], v[0]}, {v[3], v[2]});
  if (!p.is_in_subgroup()) return std::nullopt;
  return p;
}

std::string G2Affine::to_string() const {
  if (infinity) return "G2(infinity)";
  return "G2((" + x.c0.to_hex() + ", " + x.c1.to_hex() + "), (" + y.c0.to_hex() + ", " +
         y.c1.to_hex() + "))";
}

bool G2::is_on_curve() const {
  if (is_identity()) return true;
  Fq2 z2 = z_.square();
  Fq2 z6 = (z2 * z_).square();
  return y_.square() == x_.square() * x_ + twist_b() * z6;
}

G2 G2::doubled() const {
  if (is_identity()) return *this;
  Fq2 a = x_.square();
  Fq2 b = y_.square();
  Fq2 c = b.square();
  Fq2 d = ((x_ + b).square() - a - c).doubled();
  Fq2 e = a.doubled() + a;
  Fq2 f = e.square();
  G2 r;
  r.x_ = f - d.doubled();
  r.y_ = e * (d - r.x_) - c.doubled().doubled().doubled();
  r.z_ = (y_ * z_).doubled();
  return r;
}

G2 operator+(const G2& p, const G2& q) {
  if (p.is_identity()) return q;
  if (q.is_identity()) return p;
  Fq2 z1z1 = p.z_.square();
  Fq2 z2z2 = q.z_.square();
  Fq2 u1 = p.x_ * z2z2;
  Fq2 u2 = q.x_ * z1z1;
  Fq2 s1 = p.y_ * q.z_ * z2z2;
  Fq2 s2 = q.y_ * p.z_ * z1z1;
  Fq2 h = u2 - u1;
  Fq2 rr = (s2 - s1).doubled();
  if (h.is_zero()) return rr.is_zero() ? p.doubled() : G2::identity();
  Fq2 i = h.doubled().square();
  Fq2 j = h * i;
  Fq2 v = u1 * i;
  G2 r;
  r.x_ = rr.square() - j - v.doubled();
  r.y_ = rr * (v - r.x_) - (s1 * j).doubled();
  r.z_ = ((p.z_ + q.z_).square() - z1z1 - z2z2) * h;
  return r;
}

bool operator==(const G2& p, const G2& q) {
  if (p.is_identity() || q.is_identity()) return p.is_identity() == q.is_identity();
  Fq2 z1z1 = p.z_.square(), z2z2 = q.z_.square();
  if (!(p.x_ * z2z2 == q.x_ * z1z1)) return false;
  return p.y_ * z2z2 * q.z_ == q.y_ * z1z1 * p.z_;
}

G2 G2::mul_limbs(std::span<const uint64_t> k) const {
  std::array<G2, 16> table;
  table[0] = identity();
  table[1] = *this;
  for (size_t i = 2; i < 16; ++i) table[i] = (i % 2 == 0) ? table[i / 2].doubled() : table[i - 1] + *this;
  G2 acc = identity();
  for (size_t limb = k.size(); limb-- > 0;) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      acc = acc.doubled().doubled().doubled().doubled();
      unsigned w = static_cast<unsigned>(k[limb] >> shift) & 15;
      if (w) acc += table[w];
    }
  }
  return acc;
}

G2Affine G2::to_affine() const {
  if (is_identity()) return G2Affine::identity();
  Fq2 zi = z_.inverse();
  Fq2 zi2 = zi.square();
  return G2Affine{x_ * zi2, y_ * zi2 * zi, false};
}

}  // namespace zkinfer::curve
