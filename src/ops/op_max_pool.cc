// MaxPool (1-D, 2-D and 3-D, pads ignored as -inf, ceil_mode, dilations; the Indices output for
// 1-D and 2-D, storage_order 0 or 1); same scale in the
// integer model (the prover shows each maximum with sign decompositions; 1-D, 3-D and dilated
// forms are rewritten into 2-D ones first, graph/lower_moves.h).
#include "ops/helpers.h"
#include "ops/pool3d.h"
namespace zkinfer::ops {
namespace {
// idx (when given): the Indices output, each maximum's flat index into x (the first in the
// window's row-major order among equal maxima; (n C + c) H W + h W + w, or with storage_order 1
// (n C + c) H W + w H + h).
template <class T>
Tensor<T> max_pool(const Node& n, const Tensor<T>& x, Tensor<T>* idx = nullptr) {
  const bool col_major = n.attrs.get_int("storage_order", 0) != 0;  // Indices only
  if (x.rank() < 3) bad_node(n, "input rank below 3");
  if (x.rank() == 5) {
    if (idx) unsupported(n, "the Indices output of 3-D pooling");
    return pool_3d(n, x, false, nullptr);
  }
  Window g = make_window(n, x.shape, {}, n.attrs.get_int("ceil_mode", 0) != 0);
  int64_t NC = x.shape[0] * x.shape[1];
  Shape os = {x.shape[0], x.shape[1]};
  if (x.rank() == 4) os.push_back(g.oh);
  os.push_back(g.ow);
  Tensor<T> y(os, x.dtype);
  y.scale = x.scale;
  if (idx) *idx = Tensor<T>(os, DType::kInt);
  for (int64_t p = 0; p < NC; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        bool any = false;
        T best{};
        int64_t at = 0;
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.ih) continue;
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.iw) continue;
            T v = x.data[(p * g.ih + iy) * g.iw + ix];
            if (!any || v > best) {
              best = v;
              at = col_major ? (p * g.iw + ix) * g.ih + iy : (p * g.ih + iy) * g.iw + ix;
            }
            any = true;
          }
        }
        y.data[(p * g.oh + oy) * g.ow + ox] = best;
        if (idx) idx->data[static_cast<size_t>((p * g.oh + oy) * g.ow + ox)] = static_cast<T>(at);
      }
  return y;
}
}  // namespace

void register_op_max_pool(OpTable& t) {
  OpDef d;
  d.op_type = "MaxPool";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    if (n.outputs.size() > 1 && n.outputs[1] >= 0) {
      FTensor idx;
      std::vector<FTensor> out;
      out.push_back(max_pool(n, *in[0], &idx));
      out.push_back(std::move(idx));
      return out;
    }
    return one(max_pool(n, *in[0]));
  };
  d.plan = [](PlanContext& c) {
    if (c.node.outputs.size() > 1 && c.node.outputs[1] >= 0)
      unsupported(c.node, "the Indices output is proven through its rewrite (graph::lower_large_max_pool: window "
                          "Gathers, ArgMax, OneHot); this one was not rewritten (3-D, or a window above 256 entries)");
    plan_same_scale(c);
  };
  d.run_int = [](IntContext& c) { c.out.push_back(max_pool(c.node, c.input(0))); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
