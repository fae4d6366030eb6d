// Split along axis (split sizes from the attribute before opset 13, input 1 after, or equal parts;
// num_outputs of opset 18). Pure data movement.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_split(OpTable& t) {
  add_move_op(t, "Split", [](const Node& n, auto in) {
    const auto& x = *in[0];
    int a = norm_axis(n, n.attrs.get_int("axis", 0), x.rank());
    std::vector<int64_t> sizes = n.opset >= 13 ? (opt_in(in, 1) ? int_values(n, in[1], "split") : std::vector<int64_t>{})
                                               : n.attrs.get_ints("split");
    int64_t parts = static_cast<int64_t>(n.outputs.size()), d = x.shape[a];
    if (sizes.empty()) {
      if (parts < 1) bad_node(n, "no outputs");
      int64_t each = (d + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::min(each, d - i * each));
    }
    int64_t total = 0;
    for (auto s : sizes) {
      if (s < 0 || s > d) bad_node(n, "bad split size");
      total += s;
    }
    if (total != d || static_cast<int64_t>(sizes.size()) != parts) bad_node(n, "split sizes do not match the axis");
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < a; ++i) outer *= x.shape[i];
    for (int i = a + 1; i < x.rank(); ++i) inner *= x.shape[i];
    using TT = std::remove_cvref_t<decltype(x)>;
    std::vector<TT> outs;
    int64_t off = 0;
    for (auto sz : sizes) {
      Shape s = x.shape;
      s[a] = sz;
      TT y(s, x.dtype);
      size_t k = 0;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < sz * inner; ++j) y.data[k++] = x.data[(o * d + off) * inner + j];
      off += sz;
      outs.push_back(std::move(y));
    }
    return outs;
  }, {1});
}
}  // namespace zkinfer::ops
