// BatchNormalization (inference). Float: (x - mean) / sqrt(var + eps) * scale + B per channel.
// Integer model: folded at compile time to y = x * a + b per channel (a at its own scale sa,
// b at sx + sa), one rescale to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
void fold(const Node& n, std::span<const FTensor* const> in, std::vector<double>& a, std::vector<double>& b) {
  if (in.size() < 5) bad_node(n, "expects 5 inputs");
  for (size_t i = 1; i < 5; ++i)
    if (!in[i]) bad_node(n, "input " + std::to_string(i) + " is required");
  double eps = n.attrs.get_float("epsilon", 1e-5);
  int64_t C = in[1]->size();
  for (int i = 2; i < 5; ++i)
    if (in[i]->size() != C) bad_node(n, "parameter sizes differ");
  a.resize(C);
  b.resize(C);
  for (int64_t c = 0; c < C; ++c) {
    a[c] = in[1]->data[c] / std::sqrt(in[4]->data[c] + eps);
    b[c] = in[2]->data[c] - in[3]->data[c] * a[c];
  }
}
int64_t channel_span(const Node& n, const Shape& s, int64_t C) {
  if (s.size() < 2 || s[1] != C) bad_node(n, "channel count differs from the parameters");
  int64_t inner = 1;
  for (size_t i = 2; i < s.size(); ++i) inner *= s[i];
  return inner;
}
}  // namespace

void register_op_batch_normalization(OpTable& t) {
  OpDef d;
  d.op_type = "BatchNormalization";
  d.run_float = [](const Node& n, FIn in) {
    if (n.attrs.get_int("training_mode", 0)) unsupported(n, "training_mode");
    need_inputs(n, in, 5);
    std::vector<double> a, b;
    fold(n, in, a, b);
    FTensor y = *in[0];
    int64_t C = static_cast<int64_t>(a.size()), inner = channel_span(n, y.shape, C);
    for (int64_t k = 0; k < y.size(); ++k) {
      int64_t c = (k / inner) % C;
      y.data[k] = y.data[k] * a[c] + b[c];
    }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    if (c.node.outputs.size() > 1) unsupported(c.node, "training outputs");
    for (size_t i = 1; i < 5; ++i)
      if (!c.is_const(i)) unsupported(c.node, "non-constant parameters");
    std::vector<double> a, b;
    fold(c.node, std::span<const FTensor* const>(c.consts), a, b);
    int sx = c.in_scale(0);
    double m = 0;
    for (double v : a) m = std::max(m, std::fabs(v));
    int sa = c.cfg.max_const_scale;
    while (sa > -64 && m * std::ldexp(1.0, sa) >= std::ldexp(1.0, c.cfg.weight_bits - 1)) --sa;
    ITensor qa(Shape{static_cast<int64_t>(a.size())}), qb(qa.shape);
    for (size_t i = 0; i < a.size(); ++i) {
      qa.data[i] = static_cast<int64_t>(std::floor(a[i] * std::ldexp(1.0, sa) + 0.5));
      qb.data[i] = static_cast<int64_t>(std::floor(b[i] * std::ldexp(1.0, sx + sa) + 0.5));
    }
    qa.scale = sa;
    qb.scale = sx + sa;
    c.params.consts["a"] = qa;
    c.params.consts["b"] = qb;
    c.check_acc(std::ldexp(1.0, static_cast<int>(c.in_bits[0]) + c.cfg.weight_bits + 1), "BatchNormalization");
    plan_rescaled_output(c, sx + sa);
  };
  d.run_int = [](IntContext& c) {
    const ITensor &qa = c.p.constant("a"), &qb = c.p.constant("b");
    ITensor y = c.input(0);
    int64_t C = qa.size(), inner = channel_span(c.node, y.shape, C);
    for (int64_t k = 0; k < y.size(); ++k) {
      int64_t ch = (k / inner) % C;
      y.data[k] = y.data[k] * qa.data[ch] + qb.data[ch];
    }
    y.scale += qa.scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
