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

Fq12 miller_loop_reference(std::span<const PairingInput> pairs) {
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

Fq12 final_exponentiation_reference(const Fq12& f) {
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

namespace {

// The coefficients (c0, c1, c3) of double_step's and add_step's lines, without the G1 point.
std::array<Fq2, 3> double_coeffs(G2& t) {
  const Fq2 &x = t.x(), &y = t.y(), &z = t.z();
  Fq2 x2 = x.square(), z2 = z.square(), y2 = y.square();
  Fq2 x2_3 = x2.doubled() + x2;
  std::array<Fq2, 3> l = {(y * z * z2).doubled(), -(x2_3 * z2), x2_3 * x - y2.doubled()};
  t = t.doubled();
  return l;
}
std::array<Fq2, 3> add_coeffs(G2& t, const Affine2& q) {
  const Fq2 &x = t.x(), &y = t.y(), &z = t.z();
  Fq2 z2 = z.square();
  Fq2 n = q.y * z2 * z - y;
  Fq2 d = z * (q.x * z2 - x);
  std::array<Fq2, 3> l = {d, -n, n * q.x - q.y * d};
  t = t + G2(G2Affine::from_xy(q.x, q.y));
  return l;
}

// (x0 + x1 v + x2 v^2)(b0 + b1 v): 5 Fq2 multiplications (v^3 = xi).
Fq6 mul_by_01(const Fq6& x, const Fq2& b0, const Fq2& b1) {
  const Fq2 t0 = x.c0 * b0, t1 = x.c1 * b1;
  return {t0 + (x.c2 * b1).mul_by_xi(), (x.c0 + x.c1) * (b0 + b1) - t0 - t1, t1 + x.c2 * b0};
}

// f * (a0 + a1 w + a3 w^3), i.e. f times the Fq12 element with c0 = (a0, 0, 0), c1 = (a1, a3, 0):
// 13 Fq2 multiplications instead of a full multiplication's 18.
void mul_by_line(Fq12& f, const Fq2& a0, const Fq2& a1, const Fq2& a3) {
  const Fq6 t0 = f.c0 * a0;
  const Fq6 t1 = mul_by_01(f.c1, a1, a3);
  const Fq6 s = mul_by_01(f.c0 + f.c1, a0 + a1, a3);
  f.c0 = t0 + t1.mul_by_v();
  f.c1 = s - t0 - t1;
}

// The signed digits of x (non-adjacent form), most significant first.
const std::vector<int8_t>& x_naf() {
  static const std::vector<int8_t> d = [] {
    std::vector<int8_t> out;
    field::u128 k = kX;
    while (k != 0) {
      int8_t z = 0;
      if (k & 1) {
        z = (k & 3) == 3 ? -1 : 1;
        if (z == 1) k -= 1;
        else k += 1;
      }
      out.push_back(z);
      k >>= 1;
    }
    return std::vector<int8_t>(out.rbegin(), out.rend());
  }();
  return d;
}

// f^x for f in the cyclotomic subgroup (its inverse is its conjugate).
Fq12 cyclotomic_pow_x(const Fq12& f) {
  const Fq12 fi = f.conjugate();
  const auto& d = x_naf();
  Fq12 r = f;  // the leading digit is 1
  for (size_t i = 1; i < d.size(); ++i) {
    r = cyclotomic_square(r);
    if (d[i] == 1) r *= f;
    else if (d[i] == -1) r *= fi;
  }
  return r;
}

}  // namespace

Fq12 cyclotomic_square(const Fq12& f) {
  // Granger and Scott, "Faster squaring in the cyclotomic subgroup of sixth degree extensions"
  // (PKC 2010), section 3.2: Fq12 as Fq4^3 with Fq4 = Fq2[s] / (s^2 - xi). In our basis the Fq4
  // elements are (z0, z1), (z2, z3), (z4, z5) below; each squares by 2 Fq2 multiplications.
  const Fq2 z0 = f.c0.c0, z4 = f.c0.c1, z3 = f.c0.c2, z2 = f.c1.c0, z1 = f.c1.c1, z5 = f.c1.c2;
  auto sq4 = [](const Fq2& a, const Fq2& b, Fq2& lo, Fq2& hi) {  // (a + b s)^2 = lo + hi s
    const Fq2 ab = a * b;
    lo = (a + b) * (a + b.mul_by_xi()) - ab - ab.mul_by_xi();
    hi = ab.doubled();
  };
  Fq2 t0, t1, t2, t3, t4, t5;
  sq4(z0, z1, t0, t1);
  sq4(z2, z3, t2, t3);
  sq4(z4, z5, t4, t5);
  Fq12 r;
  r.c0.c0 = (t0 - z0).doubled() + t0;  // 3 t0 - 2 z0
  r.c1.c1 = (t1 + z1).doubled() + t1;  // 3 t1 + 2 z1
  const Fq2 t5x = t5.mul_by_xi();
  r.c1.c0 = (z2 + t5x).doubled() + t5x;  // 3 xi t5 + 2 z2
  r.c0.c2 = (t4 - z3).doubled() + t4;    // 3 t4 - 2 z3
  r.c0.c1 = (t2 - z4).doubled() + t2;    // 3 t2 - 2 z4
  r.c1.c2 = (t3 + z5).doubled() + t3;    // 3 t3 + 2 z5
  return r;
}

G2Prepared::G2Prepared(const G2Affine& q) {
  if (q.is_identity()) return;
  const Affine2 qa{q.x, q.y};
  G2 t(q);
  int top = 127;
  while (!((kLoop >> top) & 1)) --top;
  lines_.reserve(2 * static_cast<size_t>(top) + 2);
  for (int i = top - 1; i >= 0; --i) {
    lines_.push_back(double_coeffs(t));
    if ((kLoop >> i) & 1) lines_.push_back(add_coeffs(t, qa));
  }
  const auto& g = field::frobenius_gammas();
  const Affine2 q1{qa.x.conjugate() * g[0][2], qa.y.conjugate() * g[0][3]};
  const Affine2 q2{qa.x * g[1][2], -(qa.y * g[1][3])};  // -pi^2(Q)
  lines_.push_back(add_coeffs(t, q1));
  lines_.push_back(add_coeffs(t, q2));
}

Fq12 miller_loop_prepared(std::span<const PreparedInput> pairs) {
  std::vector<std::pair<G1Affine, std::span<const std::array<Fq2, 3>>>> ps;
  for (const auto& [p, q] : pairs) {
    if (p.is_identity() || q == nullptr || q->is_identity()) continue;
    ps.push_back({p, q->lines()});
  }
  Fq12 f = Fq12::one();
  if (ps.empty()) return f;
  auto apply = [&](size_t idx) {
    for (const auto& [p, l] : ps) {
      const auto& c = l[idx];
      mul_by_line(f, c[0] * p.y, c[1] * p.x, c[2]);
    }
  };
  int top = 127;
  while (!((kLoop >> top) & 1)) --top;
  size_t idx = 0;
  for (int i = top - 1; i >= 0; --i) {
    if (i != top - 1) f = f.square();
    apply(idx++);
    if ((kLoop >> i) & 1) apply(idx++);
  }
  apply(idx++);
  apply(idx++);
  return f;
}

Fq12 miller_loop(std::span<const PairingInput> pairs) {
  std::vector<G2Prepared> prep;
  prep.reserve(pairs.size());
  std::vector<PreparedInput> in;
  in.reserve(pairs.size());
  for (const auto& [p, q] : pairs) {
    prep.emplace_back(p.is_identity() ? G2Affine::identity() : q);
    in.push_back({p, &prep.back()});
  }
  return miller_loop_prepared(in);
}

Fq12 final_exponentiation(const Fq12& f) {
  // Easy part: f^((q^6 - 1)(q^2 + 1)); the result m lies in the cyclotomic subgroup, where the
  // inverse is the conjugate.
  Fq12 m = f.conjugate() * f.inverse();
  m = m.frobenius(2) * m;
  // Hard part m^(lambda0 + lambda1 q + lambda2 q^2 + lambda3 q^3) (pairing.h) as
  // y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 with
  // y0 = m^(q + q^2 + q^3), y1 = m^-1, y2 = m^(x^2 q^2), y3 = m^(-x q), y4 = m^(-x - x^2 q),
  // y5 = m^(-x^2), y6 = m^(-x^3 - x^3 q); the exponents sum to the lambdas.
  const Fq12 a = cyclotomic_pow_x(m), b = cyclotomic_pow_x(a), c = cyclotomic_pow_x(b);
  const Fq12 y0 = m.frobenius(1) * m.frobenius(2) * m.frobenius(3);
  const Fq12 y1 = m.conjugate();
  const Fq12 y2 = b.frobenius(2);
  const Fq12 y3 = a.frobenius(1).conjugate();
  const Fq12 y4 = (a * b.frobenius(1)).conjugate();
  const Fq12 y5 = b.conjugate();
  const Fq12 y6 = (c * c.frobenius(1)).conjugate();
  Fq12 t0 = cyclotomic_square(y6) * y4 * y5;
  Fq12 t1 = y3 * y5 * t0;
  t0 *= y2;
  t1 = cyclotomic_square(t1) * t0;
  t1 = cyclotomic_square(t1);
  t0 = t1 * y1;
  t1 *= y0;
  t0 = cyclotomic_square(t0);
  return t0 * t1;
}

bool pairing_check_prepared(std::span<const PreparedInput> pairs) {
  for (const auto& [p, q] : pairs)
    if (!p.is_on_curve()) return false;
  return final_exponentiation(miller_loop_prepared(pairs)).is_one();
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
