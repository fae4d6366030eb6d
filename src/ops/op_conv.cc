// Conv (1-D and 2-D; strides, pads, auto_pad, dilations, groups). Integer model: exact products
// at scale sx + sw plus the bias quantized at that scale, one rescale to the output scale.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> conv(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 2);
  const Tensor<T>& x = *in[0];
  const Tensor<T>& w = *in[1];
  if (x.rank() != w.rank() || x.rank() < 3) bad_node(n, "input and weight ranks differ");
  Window g = make_window(n, x.shape, Shape(w.shape.begin() + 2, w.shape.end()), false);
  if (g.kw != w.shape.back() || (x.rank() == 4 && g.kh != w.shape[2])) bad_node(n, "kernel_shape differs from the weights");
  int64_t N = x.shape[0], C = x.shape[1], M = w.shape[0], G = n.attrs.get_int("group", 1);
  if (G < 1 || C % G || M % G || w.shape[1] != C / G) bad_node(n, "channels do not match the groups");
  int64_t Cg = C / G, Mg = M / G;
  const Tensor<T>* b = opt_in(in, 2);
  if (b && b->size() != M) bad_node(n, "bias size differs from the output channels");
  Shape os = {N, M};
  if (x.rank() == 4) os.push_back(g.oh);
  os.push_back(g.ow);
  Tensor<T> y(os, x.dtype);
  for (int64_t nn = 0; nn < N; ++nn)
    for (int64_t m = 0; m < M; ++m) {
      int64_t grp = m / Mg;
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          T acc = b ? b->data[m] : T(0);
          for (int64_t c = 0; c < Cg; ++c) {
            const T* xp = x.data.data() + ((nn * C + grp * Cg + c) * g.ih) * g.iw;
            const T* wp = w.data.data() + ((m * Cg + c) * g.kh) * g.kw;
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              int64_t iy = oy * g.sh - g.pt + ky * g.dh;
              if (iy < 0 || iy >= g.ih) continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                int64_t ix = ox * g.sw - g.pl + kx * g.dw;
                if (ix < 0 || ix >= g.iw) continue;
                acc += xp[iy * g.iw + ix] * wp[ky * g.kw + kx];
              }
            }
          }
          y.data[((nn * M + m) * g.oh + oy) * g.ow + ox] = acc;
        }
    }
  return y;
}
}  // namespace

void register_op_conv(OpTable& t) {
  OpDef d;
  d.op_type = "Conv";
  d.run_float = [](const Node& n, FIn in) { return one(conv<double>(n, in)); };
  d.plan = [](PlanContext& c) {
    int s = c.in_scale(0) + c.in_scale(1);
    if (c.present(2)) c.set_const_scale(2, s);
    const Shape& ws = c.in_shapes[1];
    double k = static_cast<double>(numel(ws) / std::max<int64_t>(1, ws.empty() ? 1 : ws[0]));
    double bound = std::ldexp(k, static_cast<int>(c.in_bits[0] + c.in_bits[1]));
    if (c.present(2)) bound += std::ldexp(1.0, static_cast<int>(c.in_bits[2]));
    c.check_acc(bound, "Conv");
    plan_rescaled_output(c, s);
  };
  d.run_int = [](IntContext& c) {
    ITensor y = conv<int64_t>(c.node, std::span<const ITensor* const>(c.in));
    y.scale = c.input(0).scale + c.input(1).scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
