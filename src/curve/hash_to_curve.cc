// Try-and-increment hashing to BN254 G1 over Keccak-256 (see hash_to_curve.h).
#include "curve/hash_to_curve.h"

#include <array>
#include <optional>

#include "common/check.h"
#include "hash/keccak.h"

namespace zkinfer::curve {
namespace {

constexpr std::string_view kTag = "zkinfer/bn254/g1/hash-to-curve/v1";

void update_u64(hash::Keccak256& h, uint64_t v) {
  std::array<uint8_t, 8> b;
  for (size_t i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  h.update(b);
}

hash::Digest finish(hash::Keccak256 h, uint8_t suffix) {
  const uint8_t s[1] = {suffix};
  return h.update(std::span<const uint8_t>(s, 1)).finalize();
}

}  // namespace

G1Affine hash_to_curve(std::string_view domain, std::span<const uint8_t> msg) {
  hash::Keccak256 prefix;
  prefix.update(kTag);
  update_u64(prefix, domain.size());
  prefix.update(domain);
  update_u64(prefix, msg.size());
  prefix.update(msg);
  for (uint64_t ctr = 0;; ++ctr) {
    // Each try fails with probability about 1/2: 2^32 failures in a row do not happen.
    ZKINFER_CHECK(ctr <= UINT32_MAX);
    hash::Keccak256 h = prefix;
    std::array<uint8_t, 4> cb;
    for (size_t i = 0; i < 4; ++i) cb[i] = static_cast<uint8_t>(ctr >> (8 * i));
    h.update(cb);
    std::array<uint8_t, 64> wide;
    hash::Digest b0 = finish(h, 0x00), b1 = finish(h, 0x01);
    std::copy(b0.begin(), b0.end(), wide.begin());
    std::copy(b1.begin(), b1.end(), wide.begin() + 32);
    Fq x = Fq::from_uniform_bytes(wide);
    const Fq rhs = x.square() * x + kCurveB;
    Fq root = sqrt_candidate(rhs);
    if (root.square() != rhs) continue;  // not a square: next counter
    std::optional<Fq> y = root;
    const bool want_odd = finish(h, 0x02)[0] & 1;
    if (is_odd(*y) != want_odd) *y = -*y;
    return G1Affine::from_xy(x, *y);
  }
}

std::vector<G1Affine> derive_generators(std::string_view domain, size_t n) {
  std::vector<G1Affine> out(n);
#pragma omp parallel for schedule(dynamic, 256) if (n >= 64)
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    std::array<uint8_t, 8> msg;
    for (size_t k = 0; k < 8; ++k) msg[k] = static_cast<uint8_t>(static_cast<uint64_t>(i) >> (8 * k));
    out[static_cast<size_t>(i)] = hash_to_curve(domain, msg);
  }
  return out;
}

}  // namespace zkinfer::curve
