// Table construction and the generic unary-table op (see helpers.h). Runs at compile time only:
// the tables it builds are stored in the compiled model and the integer forward only reads them.
#include "ops/helpers.h"
#include "ops/lowered.h"

#include <algorithm>

namespace zkinfer::ops {

Table make_table(PlanContext& c, const std::string& name, const std::function<double(double)>& f, double lo,
                 double hi, int max_in_scale, int max_out_scale) {
  if (!(lo <= hi)) c.fail("empty domain for table " + name);
  // Saturation: the rounded output at out scale max_out_scale stops changing beyond some point.
  auto q = [&](double x) { return std::round(f(x) * std::ldexp(1.0, max_out_scale)); };
  const double far = 1e6;
  // The bisection assumes q is monotone near the end; for a function that is not (GELU, Mish and
  // HardSwish dip below their limit at -inf), the narrowed end is kept only if q is constant on the
  // part cut off, checked at the input resolution (at most 2^20 points).
  auto constant_on = [&](double a, double b, double v) {
    const double step = std::max(std::ldexp(1.0, -max_in_scale), (b - a) / double(1 << 20));
    for (double x = a; x <= b; x += step)
      if (q(x) != v) return false;
    return q(b) == v;
  };
  if (std::isfinite(f(hi + far)) && q(hi) == q(hi + far)) {
    double a = lo, b = hi;  // smallest x with q(x) == q(far)
    for (int i = 0; i < 60; ++i) {
      double m = (a + b) / 2;
      (q(m) == q(hi + far) ? b : a) = m;
    }
    if (constant_on(b, hi, q(hi + far))) hi = b;
  }
  if (std::isfinite(f(lo - far)) && q(lo) == q(lo - far)) {
    double a = lo, b = hi;  // largest x with q(x) == q(-far)
    for (int i = 0; i < 60; ++i) {
      double m = (a + b) / 2;
      (q(m) == q(lo - far) ? a : b) = m;
    }
    if (constant_on(lo, a, q(lo - far))) lo = a;
  }
  const double limit = std::ldexp(1.0, c.cfg.table_log) - 1;
  int t = max_in_scale;
  while (t > -64 && (std::ceil(hi * std::ldexp(1.0, t)) - std::floor(lo * std::ldexp(1.0, t))) >= limit) --t;
  if ((std::ceil(hi * std::ldexp(1.0, t)) - std::floor(lo * std::ldexp(1.0, t))) >= limit)
    c.fail("table " + name + " over [" + std::to_string(lo) + ", " + std::to_string(hi) + "] needs more than 2^" +
           std::to_string(c.cfg.table_log) + " entries even at 2^-64 input resolution");
  Table tb;
  tb.fn = name;
  tb.in_scale = t;
  tb.lo = static_cast<int64_t>(std::floor(lo * std::ldexp(1.0, t)));
  if (!std::isfinite(f(std::ldexp(static_cast<double>(tb.lo), -t)))) ++tb.lo;  // e.g. log at 0
  int64_t hq = static_cast<int64_t>(std::ceil(hi * std::ldexp(1.0, t)));
  if (!std::isfinite(f(std::ldexp(static_cast<double>(hq), -t)))) --hq;  // e.g. atanh at 1
  double fmax = 0;
  std::vector<double> fv;
  for (int64_t k = tb.lo; k <= hq; ++k) {
    double y = f(std::ldexp(static_cast<double>(k), -t));
    if (!std::isfinite(y)) c.fail("table " + name + " is not finite at " + std::to_string(std::ldexp(double(k), -t)));
    fmax = std::max(fmax, std::fabs(y));
    fv.push_back(y);
  }
  int so = max_out_scale;
  while (so > -64 && fmax * std::ldexp(1.0, so) >= std::ldexp(1.0, c.cfg.act_bits - 2)) --so;
  tb.out_scale = so;
  for (double y : fv) tb.values.push_back(static_cast<int64_t>(std::floor(y * std::ldexp(1.0, so) + 0.5)));
  return tb;
}

void plan_unary_table(PlanContext& c, const std::string& name, const std::function<double(double)>& f,
                      double domain_lo, double domain_hi) {
  int sx = c.in_scale(0);
  Range r = c.in_ranges[0];
  double w = std::max(r.hi - r.lo, 1.0);
  double lo = std::max(r.lo - 0.1 * w, domain_lo), hi = std::min(r.hi + 0.1 * w, domain_hi);
  if (lo > hi) lo = hi = std::max(domain_lo, std::min(domain_hi, 0.0));
  Table tb = make_table(c, name, f, lo, hi, sx, c.cfg.base_scale);
  c.params.ints["shift"] = sx - tb.in_scale;
  c.params.out_scales = {tb.out_scale};
  c.params.tables.push_back(std::move(tb));
}

void run_unary_table(IntContext& c) {
  ITensor x = c.input(0);
  rescale_tensor(c, x, static_cast<int>(c.p.get("shift")), "in");
  c.out.push_back(lookup(c, x, c.p.tables.at(0), "table"));
}

void add_table_op(OpTable& t, const std::string& op_type, const std::string& fn, double (*f)(double),
                  double domain_lo, double domain_hi) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = [f](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (auto& v : y.data) v = f(v);
    return one(std::move(y));
  };
  d.plan = [fn, f, domain_lo, domain_hi](PlanContext& c) { plan_unary_table(c, fn, f, domain_lo, domain_hi); };
  d.run_int = run_unary_table;
  t.add(std::move(d));
}

}  // namespace zkinfer::ops

namespace zkinfer::ops {

namespace {

bool compare(CompareKind k, int64_t a, int64_t b) {
  switch (k) {
    case CompareKind::kLess: return a < b;
    case CompareKind::kLessOrEqual: return a <= b;
    case CompareKind::kGreater: return a > b;
    case CompareKind::kGreaterOrEqual: return a >= b;
    case CompareKind::kEqual: return a == b;
  }
  return false;
}
bool compare_f(CompareKind k, double a, double b) {
  switch (k) {
    case CompareKind::kLess: return a < b;
    case CompareKind::kLessOrEqual: return a <= b;
    case CompareKind::kGreater: return a > b;
    case CompareKind::kGreaterOrEqual: return a >= b;
    case CompareKind::kEqual: return a == b;
  }
  return false;
}

int64_t logic(LogicKind k, int64_t a, int64_t b) {
  const bool x = a != 0, y = b != 0;
  switch (k) {
    case LogicKind::kNot: return !x;
    case LogicKind::kAnd: return x && y;
    case LogicKind::kOr: return x || y;
    case LogicKind::kXor: return x != y;
  }
  return 0;
}

}  // namespace

void add_compare_op(OpTable& t, const std::string& op_type, CompareKind kind) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = [kind](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [kind](double a, double b) { return compare_f(kind, a, b) ? 1.0 : 0.0; });
    y.dtype = DType::kBool;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    // A constant operand (a threshold) is quantized kConstExtra bits finer than the other operand
    // (at most at its default scale): the comparison of x with a rounded threshold c' differs from
    // the one with c only for x within 2^-(s + kConstExtra + 1) of c (both constant: folded at load).
    constexpr int kConstExtra = 12;
    const bool c0 = c.is_const(0) && c.in_scales[0] == PlanContext::kUnset;
    const bool c1 = c.is_const(1) && c.in_scales[1] == PlanContext::kUnset;
    if (c0 && !c1) c.set_const_scale(0, std::max(c.in_scale(1), std::min(c.in_scale(1) + kConstExtra, c.default_const_scale(0))));
    if (c1 && !c0) c.set_const_scale(1, std::max(c.in_scale(0), std::min(c.in_scale(0) + kConstExtra, c.default_const_scale(1))));
    const int s = std::max(c.in_scale(0), c.in_scale(1));
    const int ea = s - c.in_scale(0), eb = s - c.in_scale(1);
    if (ea > 40 || eb > 40) c.fail("operand scales too far apart");
    c.check_acc(std::ldexp(1.0, static_cast<int>(std::max(c.in_bits[0] + ea, c.in_bits[1] + eb) + 1)), "difference");
    c.params.out_scales = {0};
    c.params.ints["ea"] = ea;
    c.params.ints["eb"] = eb;
  };
  d.run_int = [kind](IntContext& c) {
    const ITensor &a = c.input(0), &b = c.input(1);
    const int64_t ma = int64_t{1} << c.p.get("ea"), mb = int64_t{1} << c.p.get("eb");
    ITensor y = broadcast_binary<int64_t>(c.node, a, b, [&](int64_t x, int64_t z) { return compare(kind, x * ma, z * mb) ? 1 : 0; });
    y.scale = 0;
    y.dtype = DType::kBool;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}

void add_logic_op(OpTable& t, const std::string& op_type, LogicKind kind) {
  OpDef d;
  d.op_type = op_type;
  const size_t arity = kind == LogicKind::kNot ? 1 : 2;
  d.run_float = [kind, arity](const Node& n, FIn in) {
    need_inputs(n, in, arity);
    FTensor y;
    if (arity == 1) {
      y = *in[0];
      for (auto& v : y.data) v = static_cast<double>(logic(kind, v != 0, 0));
    } else {
      y = broadcast_binary<double>(n, *in[0], *in[1], [kind](double a, double b) {
        return static_cast<double>(logic(kind, a != 0, b != 0));
      });
    }
    y.dtype = DType::kBool;
    return one(std::move(y));
  };
  d.plan = [arity](PlanContext& c) {
    for (size_t i = 0; i < arity; ++i) {
      if (c.is_const(i) && c.in_scales[i] == PlanContext::kUnset) c.set_const_scale(i, 0);
      if (c.in_scale(i) != 0 || c.in_dtypes[i] != DType::kBool) c.fail("operand " + std::to_string(i) + " is not a bool");
    }
    c.params.out_scales = {0};
  };
  d.run_int = [kind, arity](IntContext& c) {
    for (size_t i = 0; i < arity; ++i)
      for (int64_t v : c.input(i).data)
        if (v != 0 && v != 1) c.fail("operand " + std::to_string(i) + " holds a value other than 0 and 1");
    ITensor y;
    if (arity == 1) {
      y = c.input(0);
      for (auto& v : y.data) v = logic(kind, v, 0);
    } else {
      y = broadcast_binary<int64_t>(c.node, c.input(0), c.input(1), [kind](int64_t a, int64_t b) { return logic(kind, a, b); });
    }
    y.scale = 0;
    y.dtype = DType::kBool;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}

}  // namespace zkinfer::ops

namespace zkinfer::ops {

namespace {
template <class T>
Tensor<T> arg_reduce(const Node& n, const Tensor<T>& x, bool is_min) {
  const int r = x.rank();
  if (r == 0) bad_node(n, "ArgMax/ArgMin of a scalar");
  const int a = norm_axis(n, n.attrs.get_int("axis", 0), r);
  const bool keep = n.attrs.get_int("keepdims", 1) != 0, last = n.attrs.get_int("select_last_index", 0) != 0;
  int64_t outer = 1, inner = 1, L = x.shape[a];
  if (L == 0) bad_node(n, "ArgMax/ArgMin over an empty axis");
  for (int i = 0; i < a; ++i) outer *= x.shape[i];
  for (int i = a + 1; i < r; ++i) inner *= x.shape[i];
  Shape s;
  for (int i = 0; i < r; ++i)
    if (i != a) s.push_back(x.shape[i]);
    else if (keep) s.push_back(1);
  Tensor<T> y(s, DType::kInt);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < L; ++j) {
        const T v = x.data[(o * L + j) * inner + i], b = x.data[(o * L + best) * inner + i];
        const bool better = is_min ? (last ? v <= b : v < b) : (last ? v >= b : v > b);
        if (better) best = j;
      }
      y.data[o * inner + i] = static_cast<T>(best);
    }
  return y;
}
}  // namespace

void add_arg_op(OpTable& t, const std::string& op_type, bool is_min) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = [is_min](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    return one(arg_reduce<double>(n, *in[0], is_min));
  };
  d.plan = [](PlanContext& c) {
    c.in_scale(0);
    c.params.out_scales = {0};
  };
  d.run_int = [is_min](IntContext& c) {
    ITensor y = arg_reduce<int64_t>(c.node, c.input(0), is_min);
    y.scale = 0;
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}

}  // namespace zkinfer::ops

namespace zkinfer::ops {

void add_lowered_op(OpTable& t, const std::string& op_type, FloatFn f, const std::string& by, const std::string& why) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = std::move(f);
  const std::string msg = op_type + " is rewritten into proven ops at compile time (" + by + "); this node was not" +
                          (why.empty() ? "" : ": " + why);
  d.plan = [msg](PlanContext& c) { unsupported(c.node, msg); };
  d.run_int = [msg](IntContext& c) { c.fail(msg); };
  t.add(std::move(d));
}

}  // namespace zkinfer::ops
