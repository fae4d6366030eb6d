// Table construction and the generic unary-table op (see helpers.h). Runs at compile time only:
// the tables it builds are stored in the compiled model and the integer forward only reads them.
#include "ops/helpers.h"

#include <algorithm>

namespace zkinfer::ops {

Table make_table(PlanContext& c, const std::string& name, const std::function<double(double)>& f, double lo,
                 double hi, int max_in_scale, int max_out_scale) {
  if (!(lo <= hi)) c.fail("empty domain for table " + name);
  // Saturation: the rounded output at out scale max_out_scale stops changing beyond some point.
  auto q = [&](double x) { return std::round(f(x) * std::ldexp(1.0, max_out_scale)); };
  const double far = 1e6;
  if (std::isfinite(f(hi + far)) && q(hi) == q(hi + far)) {
    double a = lo, b = hi;  // smallest x with q(x) == q(far)
    for (int i = 0; i < 60; ++i) {
      double m = (a + b) / 2;
      (q(m) == q(hi + far) ? b : a) = m;
    }
    hi = b;
  }
  if (std::isfinite(f(lo - far)) && q(lo) == q(lo - far)) {
    double a = lo, b = hi;  // largest x with q(x) == q(-far)
    for (int i = 0; i < 60; ++i) {
      double m = (a + b) / 2;
      (q(m) == q(lo - far) ? a : b) = m;
    }
    lo = a;
  }
  const double limit = std::ldexp(1.0, c.cfg.table_log) - 1;
  int t = max_in_scale;
  while (t > -64 && (std::ceil(hi * std::ldexp(1.0, t)) - std::floor(lo * std::ldexp(1.0, t))) >= limit) --t;
  Table tb;
  tb.fn = name;
  tb.in_scale = t;
  tb.lo = static_cast<int64_t>(std::floor(lo * std::ldexp(1.0, t)));
  if (!std::isfinite(f(std::ldexp(static_cast<double>(tb.lo), -t)))) ++tb.lo;  // e.g. log at 0
  int64_t hq = static_cast<int64_t>(std::ceil(hi * std::ldexp(1.0, t)));
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
