// Slice (starts/ends/axes attributes before opset 10, inputs after; negative steps). Pure data
// movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_slice(OpTable& t) {
  add_move_op(t, "Slice", [](const Node& n, auto in) {
    const auto& x = *in[0];
    std::vector<int64_t> starts, ends, axes, steps;
    if (n.opset < 10) {
      starts = n.attrs.get_ints("starts");
      ends = n.attrs.get_ints("ends");
      axes = n.attrs.get_ints("axes");
    } else {
      need_inputs(n, in, 3);
      starts = int_values(n, in[1], "starts");
      ends = int_values(n, in[2], "ends");
      if (auto a = opt_in(in, 3)) axes = int_values(n, a, "axes");
      if (auto s = opt_in(in, 4)) steps = int_values(n, s, "steps");
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      bad_node(n, "starts/ends/axes/steps lengths differ");
    int r = x.rank();
    std::vector<int64_t> st(r, 0), step(r, 1), cnt(x.shape.begin(), x.shape.end());
    for (size_t i = 0; i < axes.size(); ++i) {
      int a = norm_axis(n, axes[i], r);
      int64_t d = x.shape[a], s = starts[i], e = ends[i], k = steps[i];
      if (k == 0) bad_node(n, "step 0");
      if (s < 0) s += d;
      if (e < 0) e += d;
      if (k > 0) {
        s = std::clamp<int64_t>(s, 0, d);
        e = std::clamp<int64_t>(e, 0, d);
        cnt[a] = e > s ? (e - s + k - 1) / k : 0;
      } else {
        s = std::clamp<int64_t>(s, 0, d - 1);
        e = std::clamp<int64_t>(e, -1, d - 1);
        cnt[a] = s > e ? (s - e + (-k) - 1) / (-k) : 0;
      }
      st[a] = s;
      step[a] = k;
    }
    using TT = std::remove_cvref_t<decltype(x)>;
    TT y(Shape(cnt.begin(), cnt.end()), x.dtype);
    auto xs = strides_of(x.shape);
    std::vector<int64_t> pos(r, 0);
    for (int64_t k = 0; k < y.size(); ++k) {
      int64_t off = 0;
      for (int d = 0; d < r; ++d) off += (st[d] + pos[d] * step[d]) * xs[d];
      y.data[k] = x.data[off];
      for (int d = r - 1; d >= 0; --d) {
        if (++pos[d] < cnt[d]) break;
        pos[d] = 0;
      }
    }
    return one_t(std::move(y));
  }, {1, 2, 3, 4});
}
}  // namespace zkinfer::ops
