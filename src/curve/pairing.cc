// The optimal ate pairing (see pairing.h).
#include "curve/pairing.h"

#include <vector>

namespace zkinfer::curve {

namespace {
using field::Fq2;
using field::Fq6;

constexpr uint64_t kX = 4965661367192848881ULL;  // the BN parameter
// 6x + 2 = 29793968203157093288 (65 bits): limbs little endian.
constexpr field::u128 kLoop = static_cast<field::u128>(kX) * 6 + 2;

struct Affine2 {
  Fq2 x, y;
};

// yp c0 + (xp c1) w + c3 w^3: a line through a point of the twist, untwisted and evaluated at
// P = (xp, yp), scaled by a non-zero element of Fq2 (which the final exponentiation removes,
// as (q^6 - 1) divides its exponent). For slope lambda through (x_T, y_T) the unscaled line is
// yp - lambda xp w + (lambda x_T - y_T) w^3.
Fq12 line(const Fq2& c0, const Fq2& c1, const Fq2& c3, const G1Affine& p) {
  std::array<Fq2, 6> a{};
  a[0] = c0 * p.y;
  a[1] = c1 * p.x;
  a[3] = c3;
  return Fq12::from_coeffs(a);
}

// T <- 2T in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); the tangent at T times 2 Y Z^3:
// lambda = 3X^2 / (2YZ), so the line is 2YZ^3 yp - 3X^2 Z^2 xp w + (3X^3 - 2Y^2) w^3.
Fq12 double_step(G2& t, const G1Affine& p) {
  const Fq2 &x = t.x(), &y = t.y(), &z = t.z();
  Fq2 x2 = x.square(), z2 = z.square(), y2 = y.square();
  Fq2 x2_3 = x2.doubled() + x2;
  Fq12 l = line((y * z * z2).doubled(), -(x2_3 * z2), x2_3 * x - y2.doubled(), p);
  t = t.doubled();
  return l;
}
// T <- T + Q (Q affine, T != +-Q); the chord times D = Z (xQ Z^2 - X): with N = yQ Z^3 - Y,
// lambda = N / D and the line through Q is D yp - N xp w + (N xQ - yQ D) w^3.
Fq12 add_step(G2& t, const Affine2& q, const G1Affine& p) {
  const Fq2 &x = t.x(), &y = t.y(), &z = t.z();
  Fq2 z2 = z.square();
  Fq2 n = q.y * z2 * z - y;
  Fq2 d = z * (q.x * z2 - x);
  Fq12 l = line(d, -n, n * q.x - q.y * d, p);
  t = t + G2(G2Affine::from_xy(q.x, q.y));
  return l;
}

// f^x for f in the cyclotomic subgroup.
Fq12 pow_x(const Fq12& f) { return f.pow(kX); }
}  // namespace

Fq12 miller_loop(std::span<const PairingInput> pairs) {
  std::vector<std::pair<G1Affine, Affine2>> ps;
  std::vector<G2> ts;
  for (const auto& [p, q] : pairs) {
    if (p.is_identity() || q.is_identity()) continue;
    ps.push_back({p, {q.x, q.y}});
    ts.push_back(G2(q));
  }
  Fq12 f = Fq12::one();
  int top = 127;
  while (!((kLoop >> top) & 1)) --top;
  for (int i = top - 1; i >= 0; --i) {
    f = f.square();
    for (size_t j = 0; j < ps.size(); ++j) f *= double_step(ts[j], ps[j].first);
    if ((kLoop >> i) & 1)
      for (size_t j = 0; j < ps.size(); ++j) f *= add_step(ts[j], ps[j].second, ps[j].first);
  }
  const auto& g = field::frobenius_gammas();
  for (size_t j = 0; j < ps.size(); ++j) {
    const Affine2& q = ps[j].second;
    // pi(Q) = (conj(x) xi^((q-1)/3), conj(y) xi^((q-1)/2)); pi^2(Q) = (x xi^((q^2-1)/3), y xi^((q^2-1)/2)).
    Affine2 q1{q.x.conjugate() * g[0][2], q.y.conjugate() * g[0][3]};
    Affine2 q2{q.x * g[1][2], -(q.y * g[1][3])};  // -pi^2(Q)
    f *= add_step(ts[j], q1, ps[j].first);
    f *= add_step(ts[j], q2, ps[j].first);
  }
  return f;
}

Fq12 final_exponentiation(const Fq12& f) {
  // Easy part: f^((q^6 - 1)(q^2 + 1)); the result lies in the cyclotomic subgroup, where the
  // inverse is the conjugate.
  Fq12 m = f.conjugate() * f.inverse();
  m = m.frobenius(2) * m;
  // Hard part: m^(lambda0 + lambda1 q + lambda2 q^2 + lambda3 q^3).
  Fq12 a = pow_x(m), b = pow_x(a), c = pow_x(b);  // m^x, m^(x^2), m^(x^3)
  Fq12 c36 = c.pow(36);
  Fq12 l0 = (c36 * b.pow(30) * a.pow(18) * m.square()).conjugate();
  Fq12 l1 = (c36 * b.pow(18) * a.pow(12)).conjugate() * m;
  Fq12 l2 = b.pow(6) * m;
  return l0 * l1.frobenius(1) * l2.frobenius(2) * m.frobenius(3);
}

Fq12 pairing(const G1Affine& p, const G2Affine& q) {
  PairingInput in[1] = {{p, q}};
  return final_exponentiation(miller_loop(in));
}

bool pairing_check(std::span<const PairingInput> pairs) {
  for (const auto& [p, q] : pairs)
    if (!p.is_on_curve() || !q.is_on_curve()) return false;
  return final_exponentiation(miller_loop(pairs)).is_one();
}

}  // namespace zkinfer::curve
