// ConvTranspose (1-D and 2-D; strides, pads, dilations, groups, output_padding, output_shape).
// Integer model as Conv: exact products at sx + sw, bias at that scale, one rescale.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
template <class T>
Tensor<T> conv_transpose(const Node& n, std::span<const Tensor<T>* const> in) {
  need_inputs(n, in, 2);
  const Tensor<T>& x = *in[0];
  const Tensor<T>& w = *in[1];
  int sr = x.rank() - 2;
  if (x.rank() != w.rank() || sr < 1 || sr > 2) unsupported(n, "only 1-D and 2-D ConvTranspose");
  int64_t N = x.shape[0], C = x.shape[1], G = n.attrs.get_int("group", 1);
  if (G < 1 || C % G || w.shape[0] != C) bad_node(n, "channels do not match the weights");
  int64_t Cg = C / G, Mg = w.shape[1], M = Mg * G;
  auto ks = n.attrs.get_ints("kernel_shape", Shape(w.shape.begin() + 2, w.shape.end()));
  auto st = n.attrs.get_ints("strides", std::vector<int64_t>(sr, 1));
  auto dl = n.attrs.get_ints("dilations", std::vector<int64_t>(sr, 1));
  auto pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sr, 0));
  auto op = n.attrs.get_ints("output_padding", std::vector<int64_t>(sr, 0));
  if ((int)ks.size() != sr || (int)st.size() != sr || (int)dl.size() != sr || (int)pads.size() != 2 * sr || (int)op.size() != sr)
    bad_node(n, "attribute lengths");
  for (int i = 0; i < sr; ++i)
    if (ks[i] != w.shape[2 + i]) bad_node(n, "kernel_shape differs from the weights");
  std::vector<int64_t> ins(x.shape.begin() + 2, x.shape.end()), outs(sr);
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  auto oshape = n.attrs.get_ints("output_shape");
  for (int i = 0; i < sr; ++i) {
    int64_t full = st[i] * (ins[i] - 1) + op[i] + (ks[i] - 1) * dl[i] + 1;
    if (!oshape.empty() || ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      int64_t target = oshape.empty() ? ins[i] * st[i] : oshape[oshape.size() - sr + i];
      int64_t total = full - target;
      if (total < 0) bad_node(n, "output_shape larger than the full output");
      int64_t small = total / 2, big = total - small;
      bool lower = ap == "SAME_LOWER";
      pads[i] = lower ? big : small;
      pads[i + sr] = lower ? small : big;
    }
    outs[i] = full - pads[i] - pads[i + sr];
    if (outs[i] < 1) bad_node(n, "empty output");
  }
  int64_t kh = sr == 2 ? ks[0] : 1, kw = ks[sr - 1], sh = sr == 2 ? st[0] : 1, sw = st[sr - 1];
  int64_t dh = sr == 2 ? dl[0] : 1, dw = dl[sr - 1], pt = sr == 2 ? pads[0] : 0, pl = pads[sr - 1];
  int64_t ih = sr == 2 ? ins[0] : 1, iw = ins[sr - 1], oh = sr == 2 ? outs[0] : 1, ow = outs[sr - 1];
  const Tensor<T>* b = opt_in(in, 2);
  if (b && b->size() != M) bad_node(n, "bias size");
  Shape os = {N, M};
  for (auto v : outs) os.push_back(v);
  Tensor<T> y(os, x.dtype);
  for (int64_t nn = 0; nn < N; ++nn)
    for (int64_t m = 0; m < M; ++m) {
      T* yp = y.data.data() + (nn * M + m) * oh * ow;
      if (b)
        for (int64_t i = 0; i < oh * ow; ++i) yp[i] = b->data[m];
      int64_t grp = m / Mg, mm = m % Mg;
      for (int64_t c = 0; c < Cg; ++c) {
        int64_t ci = grp * Cg + c;
        const T* xp = x.data.data() + (nn * C + ci) * ih * iw;
        const T* wp = w.data.data() + (ci * Mg + mm) * kh * kw;
        for (int64_t iy = 0; iy < ih; ++iy)
          for (int64_t ix = 0; ix < iw; ++ix) {
            T xv = xp[iy * iw + ix];
            for (int64_t ky = 0; ky < kh; ++ky) {
              int64_t oy = iy * sh - pt + ky * dh;
              if (oy < 0 || oy >= oh) continue;
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t ox = ix * sw - pl + kx * dw;
                if (ox < 0 || ox >= ow) continue;
                yp[oy * ow + ox] += xv * wp[ky * kw + kx];
              }
            }
          }
      }
    }
  return y;
}
}  // namespace

void register_op_conv_transpose(OpTable& t) {
  OpDef d;
  d.op_type = "ConvTranspose";
  d.run_float = [](const Node& n, FIn in) { return one(conv_transpose<double>(n, in)); };
  d.plan = [](PlanContext& c) {
    int s = c.in_scale(0) + c.in_scale(1);
    if (c.present(2)) c.set_const_scale(2, s);
    const Shape& ws = c.in_shapes[1];
    double k = static_cast<double>(numel(ws));  // generous bound on the terms summed per output
    double bound = std::ldexp(k, static_cast<int>(c.in_bits[0] + c.in_bits[1]));
    if (c.present(2)) bound += std::ldexp(1.0, static_cast<int>(c.in_bits[2]));
    c.check_acc(bound, "ConvTranspose");
    plan_rescaled_output(c, s);
  };
  d.run_int = [](IntContext& c) {
    ITensor y = conv_transpose<int64_t>(c.node, std::span<const ITensor* const>(c.in));
    y.scale = c.input(0).scale + c.input(1).scale;
    rescale_tensor(c, y, static_cast<int>(c.p.get("shift")), "out");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
