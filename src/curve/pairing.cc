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

// The line through T with slope lambda (on the twist), untwisted and evaluated at P = (xp, yp):
// yp - lambda xp w + (lambda x_T - y_T) w^3.
Fq12 line(const Fq2& lambda, const Affine2& t, const G1Affine& p) {
  std::array<Fq2, 6> a{};
  a[0] = Fq2::from_fq(p.y);
  a[1] = -(lambda * p.x);
  a[3] = lambda * t.x - t.y;
  return Fq12::from_coeffs(a);
}

// T <- 2T, returning the tangent's slope.
Fq2 double_step(Affine2& t) {
  Fq2 x2 = t.x.square();
  Fq2 lambda = (x2.doubled() + x2) * t.y.doubled().inverse();
  Fq2 x3 = lambda.square() - t.x.doubled();
  t.y = lambda * (t.x - x3) - t.y;
  t.x = x3;
  return lambda;
}
// T <- T + Q (T != +-Q), returning the chord's slope.
Fq2 add_step(Affine2& t, const Affine2& q) {
  Fq2 lambda = (q.y - t.y) * (q.x - t.x).inverse();
  Fq2 x3 = lambda.square() - t.x - q.x;
  t.y = lambda * (t.x - x3) - t.y;
  t.x = x3;
  return lambda;
}

Fq12 sparse_line_step(Affine2& t, const Affine2& q, const G1Affine& p, bool dbl) {
  Affine2 before = t;
  Fq2 lambda = dbl ? double_step(t) : add_step(t, q);
  return line(lambda, before, p);
}

// f^x for f in the cyclotomic subgroup.
Fq12 pow_x(const Fq12& f) { return f.pow(kX); }
}  // namespace

Fq12 miller_loop(std::span<const PairingInput> pairs) {
  std::vector<std::pair<G1Affine, Affine2>> ps;
  std::vector<Affine2> ts;
  for (const auto& [p, q] : pairs) {
    if (p.is_identity() || q.is_identity()) continue;
    ps.push_back({p, {q.x, q.y}});
    ts.push_back({q.x, q.y});
  }
  Fq12 f = Fq12::one();
  int top = 127;
  while (!((kLoop >> top) & 1)) --top;
  for (int i = top - 1; i >= 0; --i) {
    f = f.square();
    for (size_t j = 0; j < ps.size(); ++j) f *= sparse_line_step(ts[j], ts[j], ps[j].first, true);
    if ((kLoop >> i) & 1)
      for (size_t j = 0; j < ps.size(); ++j)
        f *= sparse_line_step(ts[j], ps[j].second, ps[j].first, false);
  }
  const auto& g = field::frobenius_gammas();
  for (size_t j = 0; j < ps.size(); ++j) {
    const Affine2& q = ps[j].second;
    // pi(Q) = (conj(x) xi^((q-1)/3), conj(y) xi^((q-1)/2)); pi^2(Q) = (x xi^((q^2-1)/3), y xi^((q^2-1)/2)).
    Affine2 q1{q.x.conjugate() * g[0][2], q.y.conjugate() * g[0][3]};
    Affine2 q2{q.x * g[1][2], -(q.y * g[1][3])};  // -pi^2(Q)
    f *= sparse_line_step(ts[j], q1, ps[j].first, false);
    f *= sparse_line_step(ts[j], q2, ps[j].first, false);
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
