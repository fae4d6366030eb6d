// Frobenius constants and the Fq2 square root of field/tower.h.
#include "field/tower.h"

namespace zkinfer::field {

namespace {
// Exact division of a little-endian number by a small d (d divides it).
template <size_t N>
Limbs<N> div_small(Limbs<N> a, uint64_t d) {
  u128 rem = 0;
  for (size_t i = N; i-- > 0;) {
    u128 cur = (rem << 64) | a[i];
    a[i] = static_cast<uint64_t>(cur / d);
    rem = cur % d;
  }
  return a;
}
Limbs<4> minus_small(uint64_t k) {
  Limbs<4> m = Fq::kModulus;
  sub_in_place(m, Limbs<4>{k, 0, 0, 0});
  return m;
}
}  // namespace

const std::array<std::array<Fq2, 6>, 3>& frobenius_gammas() {
  static const std::array<std::array<Fq2, 6>, 3> g = [] {
    std::array<std::array<Fq2, 6>, 3> out;
    Fq2 g1 = Fq2::xi().pow(div_small(minus_small(1), 6));  // xi^((q-1)/6)
    Fq2 p = Fq2::one();
    for (size_t k = 0; k < 6; ++k, p *= g1) out[0][k] = p;
    // xi^(k(q^n-1)/6) = prod_{i<n} (xi^(k(q-1)/6))^(q^i), and y^(q^i) is i conjugations.
    for (size_t k = 0; k < 6; ++k) {
      Fq2 a = out[0][k];
      out[1][k] = a * a.conjugate();
      out[2][k] = out[1][k] * a;  // a^(1 + q + q^2): conj^2 = id
    }
    return out;
  }();
  return g;
}

Fq2 Fq12::coeff(unsigned k) const {
  const Fq6& h = (k & 1) ? c1 : c0;
  unsigned j = k / 2;
  return j == 0 ? h.c0 : (j == 1 ? h.c1 : h.c2);
}

Fq12 Fq12::from_coeffs(const std::array<Fq2, 6>& a) {
  return {{a[0], a[2], a[4]}, {a[1], a[3], a[5]}};
}

Fq12 Fq12::frobenius(unsigned n) const {
  if (n == 0) return *this;
  if (n > 3) return frobenius(3).frobenius(n - 3);
  const auto& g = frobenius_gammas()[n - 1];
  std::array<Fq2, 6> a;
  for (unsigned k = 0; k < 6; ++k) {
    Fq2 c = coeff(k);
    if (n & 1) c = c.conjugate();
    a[k] = c * g[k];
  }
  return from_coeffs(a);
}

std::optional<Fq2> Fq2::sqrt() const {
  if (is_zero()) return *this;
  static const Limbs<4> e1 = div_small(minus_small(3), 4);  // (q-3)/4
  static const Limbs<4> e2 = div_small(minus_small(1), 2);  // (q-1)/2
  Fq2 a1 = pow(e1);
  Fq2 alpha = a1.square() * *this;
  Fq2 a0 = alpha.conjugate() * alpha;
  if (a0 == -one()) return std::nullopt;
  Fq2 x0 = a1 * *this;
  Fq2 x;
  if (alpha == -one()) {
    x = Fq2{-x0.c1, x0.c0};  // u * x0
  } else {
    x = (one() + alpha).pow(e2) * x0;
  }
  if (x.square() == *this) return x;
  return std::nullopt;
}

}  // namespace zkinfer::field
