// LayerNormalization over the dimensions from axis on. Integer model per row of N values at
// scale sx: mu = round(sum x / N); d = x - mu; v = round(sum d^2 / N) at 2sx; r = rsqrt table of
// v (1/sqrt(v + eps), domain [0, (hi-lo)^2/4] by Popoviciu's bound on the variance); n = d * r
// rescaled to base_scale; y = n * gamma + beta (beta at the product's scale), rescaled to the
// output scale. Remainders of every division and rescale are kept.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
int64_t row_len(const Node& n, const Shape& s) {
  int a = norm_axis(n, n.attrs.get_int("axis", -1), static_cast<int>(s.size()));
  int64_t N = 1;
  for (size_t i = a; i < s.size(); ++i) N *= s[i];
  return N;
}
}  // namespace

void register_op_layer_normalization(OpTable& t) {
  OpDef d;
  d.op_type = "LayerNormalization";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    FTensor y = *in[0];
    int ax = norm_axis(n, n.attrs.get_int("axis", -1), y.rank());
    Shape ms = y.shape;
    for (int i = ax; i < y.rank(); ++i) ms[i] = 1;
    FTensor mean_t(ms), inv_t(ms);
    int64_t N = row_len(n, y.shape);
    double eps = n.attrs.get_float("epsilon", 1e-5);
    const FTensor* g = in[1];
    const FTensor* b = opt_in(in, 2);
    if (g->size() != N && g->size() != 1) unsupported(n, "scale not of the normalized shape");
    if (b && b->size() != N && b->size() != 1) unsupported(n, "bias not of the normalized shape");
    for (int64_t r = 0; r < (N ? y.size() / N : 0); ++r) {
      double* p = y.data.data() + r * N;
      double mu = 0, var = 0;
      for (int64_t i = 0; i < N; ++i) mu += p[i];
      mu /= static_cast<double>(N);
      for (int64_t i = 0; i < N; ++i) var += (p[i] - mu) * (p[i] - mu);
      var /= static_cast<double>(N);
      double rs = 1.0 / std::sqrt(var + eps);
      mean_t.data[r] = mu;
      inv_t.data[r] = rs;
      for (int64_t i = 0; i < N; ++i)
        p[i] = (p[i] - mu) * rs * g->data[g->size() == 1 ? 0 : i] + (b ? b->data[b->size() == 1 ? 0 : i] : 0.0);
    }
    std::vector<FTensor> out;
    out.push_back(std::move(y));
    out.push_back(std::move(mean_t));
    out.push_back(std::move(inv_t));
    return out;
  };
  d.plan = [](PlanContext& c) {
    for (size_t i = 1; i < c.node.outputs.size(); ++i)
      if (c.node.outputs[i] >= 0) unsupported(c.node, "Mean and InvStdDev outputs in the integer model");
    if (!c.is_const(1) || (c.present(2) && !c.is_const(2))) unsupported(c.node, "non-constant scale or bias");
    int sx = c.in_scale(0);
    double eps = c.node.attrs.get_float("epsilon", 1e-5);
    double w = c.in_ranges[0].hi - c.in_ranges[0].lo;
    double vmax = std::max(w * w / 4 * 1.05, 1e-6);
    Table tb = make_table(c, "rsqrt", [eps](double v) { return 1.0 / std::sqrt(std::max(v, 0.0) + eps); }, 0.0, vmax,
                          2 * sx, c.cfg.max_const_scale);
    int sr = tb.out_scale;
    c.params.ints["v_shift"] = 2 * sx - tb.in_scale;
    int sn = std::min(sx + sr, c.cfg.base_scale);
    c.params.ints["n_shift"] = sx + sr - sn;
    c.params.tables.push_back(std::move(tb));
    int sg = c.in_scale(1);
    if (c.present(2)) c.set_const_scale(2, sn + sg);
    c.check_acc(std::ldexp(1.0, 2 * static_cast<int>(c.in_bits[0]) + 2) * static_cast<double>(c.in_shapes[0].empty() ? 1 : numel(c.in_shapes[0])), "variance");
    plan_rescaled_output(c, sn + sg);
  };
  d.run_int = [](IntContext& c) {
    const ITensor& x = c.input(0);
    const ITensor& g = c.input(1);
    const ITensor* b = c.in.size() > 2 ? c.in[2] : nullptr;
    int64_t N = row_len(c.node, x.shape), rows = N ? x.size() / N : 0;
    if ((g.size() != N && g.size() != 1) || (b && b->size() != N && b->size() != 1)) c.fail("scale or bias shape");
    ITensor mu(Shape{rows}, DType::kInt), mu_rem(mu.shape, DType::kInt), v(mu.shape), v_rem(mu.shape, DType::kInt);
    ITensor dd(x.shape);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* p = x.data.data() + r * N;
      int64_t s = 0;
      for (int64_t i = 0; i < N; ++i) s += p[i];
      mu.data[r] = div_round(s, N, &mu_rem.data[r]);
      int64_t s2 = 0;
      for (int64_t i = 0; i < N; ++i) {
        int64_t di = p[i] - mu.data[r];
        dd.data[r * N + i] = di;
        s2 += di * di;
      }
      v.data[r] = div_round(s2, N, &v_rem.data[r]);
    }
    v.scale = 2 * x.scale;
    c.aux.emplace_back("mean", mu);
    c.aux.emplace_back("mean.rem", std::move(mu_rem));
    c.aux.emplace_back("var", v);
    c.aux.emplace_back("var.rem", std::move(v_rem));
    rescale_tensor(c, v, static_cast<int>(c.p.get("v_shift")), "var");
    ITensor rs = lookup(c, v, c.p.tables.at(0), "rsqrt");
    ITensor y(x.shape);
    for (int64_t k = 0; k < x.size(); ++k) y.data[k] = dd.data[k] * rs.data[k / N];
    y.scale = x.scale + rs.scale;
    c.aux.emplace_back("rsqrt", std::move(rs));
    rescale_tensor(c, y, static_cast<int>(c.p.get("n_shift")), "norm");
    int sp = y.scale + g.scale;
    for (int64_t k = 0; k < x.size(); ++k) {
      int64_t i = k % N;
      y.data[k] = y.data[k] * g.data[g.size() == 1 ? 0 : i];
      if (b) y.data[k] += b->data[b->size() == 1 ? 0 : i] * (int64_t{1} << (sp - b->scale));
    }
    y.scale = sp;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
