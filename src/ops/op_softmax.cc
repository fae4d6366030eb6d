// Softmax (before opset 13: over the flattened dimensions from axis on; after: along axis).
// Integer model, per row: m = max(x); d = x - m <= 0 rescaled to the table scale; e = exp table
// (at exp_scale fractional bits; the domain is [calibrated min of d, 0], clamped below where
// exp rounds to 0); S = sum e; y = round(e * 2^so / S) with an explicit remainder.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
struct Rows {
  int64_t outer, n, inner;
};
Rows rows(const Node& n, const Shape& s) {
  int r = static_cast<int>(s.size());
  if (r == 0) return {1, 1, 1};
  Rows R{1, 1, 1};
  if (n.opset < 13) {
    int a = norm_axis(n, n.attrs.get_int("axis", 1), r);
    for (int i = 0; i < a; ++i) R.outer *= s[i];
    for (int i = a; i < r; ++i) R.n *= s[i];
  } else {
    int a = norm_axis(n, n.attrs.get_int("axis", -1), r);
    for (int i = 0; i < a; ++i) R.outer *= s[i];
    R.n = s[a];
    for (int i = a + 1; i < r; ++i) R.inner *= s[i];
  }
  return R;
}
}  // namespace

void register_op_softmax(OpTable& t) {
  OpDef d;
  d.op_type = "Softmax";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    Rows R = rows(n, y.shape);
    for (int64_t o = 0; o < R.outer; ++o)
      for (int64_t i = 0; i < R.inner; ++i) {
        auto at = [&](int64_t j) -> double& { return y.data[(o * R.n + j) * R.inner + i]; };
        double m = -INFINITY, s = 0;
        for (int64_t j = 0; j < R.n; ++j) m = std::max(m, at(j));
        for (int64_t j = 0; j < R.n; ++j) s += (at(j) = std::exp(at(j) - m));
        for (int64_t j = 0; j < R.n; ++j) at(j) /= s;
      }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    int sx = c.in_scale(0);
    double lo = std::min(c.in_ranges[0].lo - c.in_ranges[0].hi, -1.0);
    Table tb = make_table(c, "exp", [](double v) { return std::exp(v); }, 1.25 * lo, 0.0, sx, c.cfg.exp_scale);
    c.params.ints["shift"] = sx - tb.in_scale;
    c.params.tables.push_back(std::move(tb));
    c.params.out_scales = {c.cfg.base_scale};
  };
  d.run_int = [](IntContext& c) {
    const ITensor& x = c.input(0);
    Rows R = rows(c.node, x.shape);
    if (x.data.empty()) {
      ITensor y = x;
      y.scale = c.p.out_scales.at(0);
      c.out.push_back(std::move(y));
      return;
    }
    const Table& tb = c.p.tables.at(0);
    int k = static_cast<int>(c.p.get("shift")), so = c.p.out_scales.at(0);
    ITensor mx(Shape{R.outer * R.inner}, DType::kInt), d(x.shape, DType::kInt), y(x.shape), sum(mx.shape, DType::kInt);
    for (int64_t o = 0; o < R.outer; ++o)
      for (int64_t i = 0; i < R.inner; ++i) {
        int64_t m = x.data[o * R.n * R.inner + i];
        for (int64_t j = 0; j < R.n; ++j) m = std::max(m, x.data[(o * R.n + j) * R.inner + i]);
        mx.data[o * R.inner + i] = m;
        for (int64_t j = 0; j < R.n; ++j) d.data[(o * R.n + j) * R.inner + i] = x.data[(o * R.n + j) * R.inner + i] - m;
      }
    d.scale = x.scale;
    rescale_tensor(c, d, k, "in");
    ITensor e = lookup(c, d, tb, "table");
    ITensor rem(x.shape, DType::kInt);
    for (int64_t o = 0; o < R.outer; ++o)
      for (int64_t i = 0; i < R.inner; ++i) {
        int64_t s = 0;
        for (int64_t j = 0; j < R.n; ++j) s += e.data[(o * R.n + j) * R.inner + i];
        sum.data[o * R.inner + i] = s;
        for (int64_t j = 0; j < R.n; ++j) {
          size_t q = static_cast<size_t>((o * R.n + j) * R.inner + i);
          y.data[q] = div_round(e.data[q] * (int64_t{1} << so), s, &rem.data[q]);
        }
      }
    y.scale = so;
    c.aux.emplace_back("max", std::move(mx));
    c.aux.emplace_back("exp", std::move(e));
    c.aux.emplace_back("sum", std::move(sum));
    c.aux.emplace_back("div.rem", std::move(rem));
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
