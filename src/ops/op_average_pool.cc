// AveragePool (1-D, 2-D and 3-D, count_include_pad, ceil_mode, dilations). Integer model: exact
// window sums divided by the element count with round-half-up and an explicit remainder; same
// scale (3-D is rewritten into a 2-D pool over (H, W) and one over D first, graph/lower_moves.h).
#include "ops/helpers.h"
#include "ops/pool3d.h"
namespace zkinfer::ops {
namespace {
// Window sums and counts (count includes pads when count_include_pad, never the ceil_mode tail).
template <class T>
void pool_sums(const Node& n, const Tensor<T>& x, Tensor<T>& sums, std::vector<int64_t>& counts) {
  if (x.rank() < 3) bad_node(n, "input rank below 3");
  if (x.rank() == 5) {
    sums = pool_3d(n, x, true, &counts);
    return;
  }
  Window g = make_window(n, x.shape, {}, n.attrs.get_int("ceil_mode", 0) != 0);
  bool incl = n.attrs.get_int("count_include_pad", 0) != 0;
  int64_t NC = x.shape[0] * x.shape[1];
  Shape os = {x.shape[0], x.shape[1]};
  if (x.rank() == 4) os.push_back(g.oh);
  os.push_back(g.ow);
  sums = Tensor<T>(os, x.dtype);
  counts.assign(static_cast<size_t>(g.oh * g.ow), 0);
  for (int64_t p = 0; p < NC; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        T acc(0);
        int64_t cnt = 0;
        for (int64_t ky = 0; ky < g.kh; ++ky) {
          int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          bool yin = iy >= 0 && iy < g.ih, ypad = iy >= -g.pt && iy < g.ih + g.pb;
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            bool xin = ix >= 0 && ix < g.iw, xpad = ix >= -g.pl && ix < g.iw + g.pr;
            if (yin && xin) {
              acc += x.data[(p * g.ih + iy) * g.iw + ix];
              ++cnt;
            } else if (incl && ypad && xpad) {
              ++cnt;
            }
          }
        }
        sums.data[(p * g.oh + oy) * g.ow + ox] = acc;
        counts[oy * g.ow + ox] = cnt;
      }
}
}  // namespace

void register_op_average_pool(OpTable& t) {
  OpDef d;
  d.op_type = "AveragePool";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor s;
    std::vector<int64_t> cnt;
    pool_sums(n, *in[0], s, cnt);
    for (size_t i = 0; i < s.data.size(); ++i) s.data[i] /= static_cast<double>(std::max<int64_t>(1, cnt[i % cnt.size()]));
    return one(std::move(s));
  };
  d.plan = plan_same_scale;
  d.run_int = [](IntContext& c) {
    ITensor s;
    std::vector<int64_t> cnt;
    pool_sums(c.node, c.input(0), s, cnt);
    ITensor rem(s.shape, DType::kInt);
    for (size_t i = 0; i < s.data.size(); ++i) s.data[i] = div_round(s.data[i], cnt[i % cnt.size()], &rem.data[i]);
    s.scale = c.input(0).scale;
    c.aux.emplace_back("div.rem", std::move(rem));
    c.out.push_back(std::move(s));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
