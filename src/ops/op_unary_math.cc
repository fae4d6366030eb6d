// Element-wise functions of one input proven as a table lookup (like Sigmoid and Elu): the
// integer model clamps its input to the table's domain (the calibrated range with 10 % margin,
// within the function's own domain below) and looks the output up. Float semantics follow the ONNX
// operator specifications, attribute defaults included:
//   Softplus ln(1 + e^x); Softsign x / (1 + |x|); Mish x tanh(softplus(x));
//   Selu gamma (x > 0 ? x : alpha (e^x - 1)), alpha 1.67326319217681884765625, gamma
//   1.05070102214813232421875; Celu max(0, x) + min(0, alpha (e^(x / alpha) - 1)), alpha 1;
//   ThresholdedRelu x > alpha ? x : 0, alpha 1; HardSwish x max(0, min(1, x / 6 + 1 / 2));
//   Shrink x < -lambd ? x + bias : x > lambd ? x - bias : 0, bias 0, lambd 0.5;
//   Gelu (opset 20) x Phi(x), or with approximate = "tanh" 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)));
//   Sign; Floor; Ceil; Round (half to even); Sin, Cos, Tan, Atan, Sinh, Cosh, Asinh;
//   Asin and Acos on [-1, 1], Atanh on (-1, 1), Acosh on [1, inf) (a table clamps its input to
//   the domain); Reciprocal 1 / x, refused at compile when the calibrated input range reaches 0
//   (the table would need every value of 1 / x near 0), its table on the calibrated sign's side
//   only, down to half the calibrated bound nearest 0 (so its largest entry is at most twice the
//   largest calibrated output); Tan, refused at compile when the calibrated input range crosses a
//   pole (an odd multiple of pi / 2), its table within that branch, stopping 1/64 short of each
//   pole (|entries| <= 64). Inputs beyond a table are clamped to its ends.
#include <cmath>
#include <numbers>

#include "ops/helpers.h"

namespace zkinfer::ops {
namespace {

using Fn = std::function<double(double)>;
using Factory = std::function<Fn(const Node&)>;
// The table's domain from the calibrated input range: a range the function cannot be tabulated
// over fails the plan (PlanContext::fail names the node); the default is the whole real line.
using Domain = std::function<Range(PlanContext&, Range)>;

Domain interval(double lo, double hi) {
  return [lo, hi](PlanContext&, Range) { return Range{lo, hi}; };
}

std::string range_text(Range r) { return "[" + std::to_string(r.lo) + ", " + std::to_string(r.hi) + "]"; }

void add_unary(OpTable& t, const std::string& op_type, const std::string& name, Factory make,
               Domain domain = interval(-INFINITY, INFINITY)) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = [make](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    const Fn f = make(n);
    for (auto& v : y.data) v = f(v);
    return one(std::move(y));
  };
  d.plan = [make, name, domain](PlanContext& c) {
    const Range dom = domain(c, c.in_ranges[0]);
    plan_unary_table(c, name, make(c.node), dom.lo, dom.hi);
  };
  d.run_int = run_unary_table;
  t.add(std::move(d));
}

Factory fixed(double (*f)(double)) {
  return [f](const Node&) { return Fn(f); };
}

double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }
double round_half_even(double x) { return std::nearbyint(x); }  // the default rounding mode: to even

// 1 / x on the calibrated sign's side of 0, down to half the calibrated bound nearest 0.
Range reciprocal_domain(PlanContext& c, Range r) {
  if (r.lo > 0) return {r.lo / 2, INFINITY};
  if (r.hi < 0) return {-INFINITY, r.hi / 2};
  c.fail("its calibrated input range " + range_text(r) + " reaches 0, where 1/x has no table");
}

// tan within the branch ((k - 1/2) pi, (k + 1/2) pi) holding the calibrated range, 1/64 short of its poles.
Range tan_domain(PlanContext& c, Range r) {
  const double k = std::floor(r.lo / std::numbers::pi + 0.5), k2 = std::floor(r.hi / std::numbers::pi + 0.5);
  if (k != k2)
    c.fail("its calibrated input range " + range_text(r) + " crosses a pole of tan (an odd multiple of pi/2)");
  const double d = 1.0 / 64;
  return {(k - 0.5) * std::numbers::pi + d, (k + 0.5) * std::numbers::pi - d};
}

}  // namespace

void register_op_unary_math(OpTable& t) {
  add_unary(t, "Softplus", "softplus", fixed(softplus));
  add_unary(t, "Softsign", "softsign", fixed([](double x) { return x / (1 + std::fabs(x)); }));
  add_unary(t, "Mish", "mish", fixed([](double x) { return x * std::tanh(softplus(x)); }));
  add_unary(t, "Selu", "selu", [](const Node& n) {
    const double a = n.attrs.get_float("alpha", 1.67326319217681884765625);
    const double g = n.attrs.get_float("gamma", 1.05070102214813232421875);
    return Fn([a, g](double x) { return g * (x > 0 ? x : a * (std::exp(x) - 1)); });
  });
  add_unary(t, "Celu", "celu", [](const Node& n) {
    const double a = n.attrs.get_float("alpha", 1.0);
    if (a == 0) throw Error("node '" + n.name + "' (Celu): alpha must not be 0");
    return Fn([a](double x) { return std::max(0.0, x) + std::min(0.0, a * (std::exp(x / a) - 1)); });
  });
  add_unary(t, "ThresholdedRelu", "thresholded_relu", [](const Node& n) {
    const double a = n.attrs.get_float("alpha", 1.0);
    return Fn([a](double x) { return x > a ? x : 0.0; });
  });
  add_unary(t, "HardSwish", "hard_swish",
            fixed([](double x) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }));
  add_unary(t, "Shrink", "shrink", [](const Node& n) {
    const double b = n.attrs.get_float("bias", 0.0), l = n.attrs.get_float("lambd", 0.5);
    return Fn([b, l](double x) { return x < -l ? x + b : x > l ? x - b : 0.0; });
  });
  add_unary(t, "Gelu", "gelu", [](const Node& n) {
    const std::string approx = n.attrs.get_string("approximate", "none");
    if (approx == "tanh")
      return Fn([](double x) {
        return 0.5 * x * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
      });
    if (approx != "none") throw Error("node '" + n.name + "' (Gelu): approximate must be \"none\" or \"tanh\"");
    return Fn([](double x) { return 0.5 * x * (1 + std::erf(x / std::numbers::sqrt2)); });
  });
  add_unary(t, "Sign", "sign", fixed([](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }));
  add_unary(t, "Floor", "floor", fixed([](double x) { return std::floor(x); }));
  add_unary(t, "Ceil", "ceil", fixed([](double x) { return std::ceil(x); }));
  add_unary(t, "Round", "round", fixed(round_half_even));
  add_unary(t, "Sin", "sin", fixed([](double x) { return std::sin(x); }));
  add_unary(t, "Cos", "cos", fixed([](double x) { return std::cos(x); }));
  add_unary(t, "Tan", "tan", fixed([](double x) { return std::tan(x); }), tan_domain);
  add_unary(t, "Atan", "atan", fixed([](double x) { return std::atan(x); }));
  add_unary(t, "Sinh", "sinh", fixed([](double x) { return std::sinh(x); }));
  add_unary(t, "Cosh", "cosh", fixed([](double x) { return std::cosh(x); }));
  add_unary(t, "Asinh", "asinh", fixed([](double x) { return std::asinh(x); }));
  add_unary(t, "Asin", "asin", fixed([](double x) { return std::asin(x); }), interval(-1.0, 1.0));
  add_unary(t, "Acos", "acos", fixed([](double x) { return std::acos(x); }), interval(-1.0, 1.0));
  add_unary(t, "Atanh", "atanh", fixed([](double x) { return std::atanh(x); }), interval(-1.0 + 1e-6, 1.0 - 1e-6));
  add_unary(t, "Acosh", "acosh", fixed([](double x) { return std::acosh(x); }), interval(1.0, INFINITY));
  add_unary(t, "Reciprocal", "reciprocal", fixed([](double x) { return 1.0 / x; }), reciprocal_domain);
}

}  // namespace zkinfer::ops
