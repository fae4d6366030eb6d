#include "hash/poseidon.h"

#include <array>
#include <mutex>
#include <set>

#include "common/check.h"
#include "field/bigint.h"

namespace zkinfer::hash {

namespace {

// R_P for t = 2..17 (x^5, n = 254, M = 128): the paper's round numbers with its margin.
constexpr size_t kPartialRounds[16] = {56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68};

// The paper's Grain LFSR (80 bits: b_{i+80} = b_{i+62} ^ b_{i+51} ^ b_{i+38} ^ b_{i+23} ^ b_{i+13}
// ^ b_i), seeded with the instance's description, clocked 160 times, then used as a self-shrinking
// generator: bits are taken in pairs (a, b); b is output when a = 1, the pair dropped otherwise.
class Grain {
 public:
  Grain(unsigned field, unsigned sbox, unsigned n, unsigned t, unsigned rf, unsigned rp) {
    size_t k = 0;
    auto put = [&](unsigned v, int bits) {
      for (int i = bits - 1; i >= 0; --i) bits_[k++] = (v >> i) & 1;
    };
    put(field, 2);
    put(sbox, 4);
    put(n, 12);
    put(t, 12);
    put(rf, 10);
    put(rp, 10);
    while (k < 80) bits_[k++] = 1;
    for (int i = 0; i < 160; ++i) clock();
  }

  bool next_bit() {
    for (;;) {
      bool a = clock();
      bool b = clock();
      if (a) return b;
    }
  }

  // n bits, most significant first.
  field::Limbs<4> next_bits(unsigned n) {
    field::Limbs<4> x{};
    for (unsigned i = 0; i < n; ++i) {
      for (int l = 3; l > 0; --l) x[l] = (x[l] << 1) | (x[l - 1] >> 63);
      x[0] = (x[0] << 1) | static_cast<uint64_t>(next_bit());
    }
    return x;
  }

 private:
  bool clock() {
    auto at = [&](size_t i) { return bits_[(head_ + i) % 80]; };
    uint8_t b = at(62) ^ at(51) ^ at(38) ^ at(23) ^ at(13) ^ at(0);
    bits_[head_] = b;  // the oldest bit leaves, the new one enters at the end
    head_ = (head_ + 1) % 80;
    return b;
  }
  std::array<uint8_t, 80> bits_{};
  size_t head_ = 0;
};

constexpr unsigned kFieldBits = 254;

}  // namespace

size_t poseidon_partial_rounds(size_t t) {
  ZKINFER_CHECK(t >= kPoseidonMinWidth && t <= kPoseidonMaxWidth);
  return kPartialRounds[t - 2];
}

PoseidonParams generate_poseidon_params(size_t t, size_t full_rounds, size_t partial_rounds) {
  ZKINFER_CHECK(t >= 2 && full_rounds % 2 == 0);
  static_assert(field::bit_length(Fr::kModulus) == kFieldBits);
  PoseidonParams p;
  p.t = t;
  p.full_rounds = full_rounds;
  p.partial_rounds = partial_rounds;
  Grain g(1, 0, kFieldBits, static_cast<unsigned>(t), static_cast<unsigned>(full_rounds),
          static_cast<unsigned>(partial_rounds));
  // Round constants: n-bit samples, those >= p rejected.
  size_t count = (full_rounds + partial_rounds) * t;
  p.round_constants.reserve(count);
  while (p.round_constants.size() < count) {
    field::Limbs<4> x = g.next_bits(kFieldBits);
    if (field::geq(x, Fr::kModulus)) continue;
    p.round_constants.push_back(Fr::from_canonical(x));
  }
  // The MDS matrix: 2t samples reduced mod p (2^254 < 2p: one subtraction), redrawn until all
  // are distinct; M[i][j] = 1 / (x_i + y_j) with x = the first t, y = the last t (redrawn if some
  // x_i + y_j = 0).
  //
  // The reference then tests the matrix against infinitely long invariant subspace trails
  // (its algorithms 1 to 3) and draws again if one is found. That test is not repeated here: for
  // the instances this code uses the first matrix is the one the reference kept, which the
  // permutation vectors in the tests confirm (any other matrix would change them).
  for (;;) {
    std::vector<Fr> xs;
    std::set<std::array<uint8_t, 32>> seen;
    bool distinct = true;
    for (size_t i = 0; i < 2 * t; ++i) {
      field::Limbs<4> x = g.next_bits(kFieldBits);
      if (field::geq(x, Fr::kModulus)) field::sub_in_place(x, Fr::kModulus);
      xs.push_back(Fr::from_canonical(x));
      distinct = seen.insert(xs.back().to_bytes()).second && distinct;
    }
    if (!distinct) continue;
    std::vector<Fr> m(t * t);
    bool ok = true;
    for (size_t i = 0; i < t && ok; ++i)
      for (size_t j = 0; j < t && ok; ++j) {
        Fr s = xs[i] + xs[t + j];
        if (s.is_zero()) ok = false;
        else m[i * t + j] = s.inverse();
      }
    if (!ok) continue;
    p.mds = std::move(m);
    break;
  }
  return p;
}

const PoseidonParams& poseidon_params(size_t t) {
  ZKINFER_CHECK(t >= kPoseidonMinWidth && t <= kPoseidonMaxWidth);
  static std::once_flag once[kPoseidonMaxWidth + 1];
  static PoseidonParams params[kPoseidonMaxWidth + 1];
  std::call_once(once[t], [t] { params[t] = generate_poseidon_params(t, kPoseidonFullRounds, poseidon_partial_rounds(t)); });
  return params[t];
}

void poseidon_permute(const PoseidonParams& p, std::span<Fr> s) {
  const size_t t = p.t;
  ZKINFER_CHECK(s.size() == t);
  std::array<Fr, kPoseidonMaxWidth> next;
  ZKINFER_CHECK(t <= next.size());
  auto sbox = [](Fr& x) {
    Fr x2 = x.square();
    x = x2.square() * x;
  };
  const Fr* c = p.round_constants.data();
  for (size_t r = 0; r < p.rounds(); ++r, c += t) {
    for (size_t i = 0; i < t; ++i) s[i] += c[i];
    if (p.is_full_round(r)) {
      for (size_t i = 0; i < t; ++i) sbox(s[i]);
    } else {
      sbox(s[0]);
    }
    const Fr* m = p.mds.data();
    for (size_t i = 0; i < t; ++i, m += t) {
      Fr acc = m[0] * s[0];
      for (size_t j = 1; j < t; ++j) acc += m[j] * s[j];
      next[i] = acc;
    }
    for (size_t i = 0; i < t; ++i) s[i] = next[i];
  }
}

Fr poseidon_circom_hash(std::span<const Fr> inputs) {
  ZKINFER_CHECK(!inputs.empty() && inputs.size() + 1 <= kPoseidonMaxWidth);
  std::vector<Fr> s(inputs.size() + 1, Fr::zero());
  for (size_t i = 0; i < inputs.size(); ++i) s[i + 1] = inputs[i];
  poseidon_permute(poseidon_params(s.size()), s);
  return s[0];
}

std::vector<Fr> pack_bytes_31(std::string_view bytes) {
  std::vector<Fr> out;
  for (size_t at = 0; at < bytes.size(); at += 31) {
    size_t n = std::min<size_t>(31, bytes.size() - at);
    Fr acc = Fr::zero();
    const Fr k256 = Fr::from_u64(256);
    for (size_t i = 0; i < n; ++i) acc = acc * k256 + Fr::from_u64(static_cast<uint8_t>(bytes[at + i]));
    out.push_back(acc);
  }
  return out;
}

Fr poseidon_label(std::string_view label) {
  static const Fr domain = pack_bytes_31("zkinfer-poseidon-label")[0];
  PoseidonSponge sp(3, domain);
  sp.absorb(Fr::from_u64(label.size()));
  for (const Fr& c : pack_bytes_31(label)) sp.absorb(c);
  return sp.squeeze();
}

}  // namespace zkinfer::hash
