// Gather along axis with (possibly negative) integer indices. Pure data movement; out-of-range
// indices are an error naming the node.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_gather(OpTable& t) {
  add_move_op(t, "Gather", [](const Node& n, auto in) {
    need_inputs(n, in, 2);
    const auto& x = *in[0];
    auto idx = int_values(n, in[1], "indices");
    int a = norm_axis(n, n.attrs.get_int("axis", 0), x.rank());
    int64_t outer = 1, inner = 1, d = x.shape[a];
    for (int i = 0; i < a; ++i) outer *= x.shape[i];
    for (int i = a + 1; i < x.rank(); ++i) inner *= x.shape[i];
    Shape s(x.shape.begin(), x.shape.begin() + a);
    s.insert(s.end(), in[1]->shape.begin(), in[1]->shape.end());
    s.insert(s.end(), x.shape.begin() + a + 1, x.shape.end());
    using TT = std::remove_cvref_t<decltype(x)>;
    TT y(s, x.dtype);
    size_t k = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j : idx) {
        if (j < -d || j >= d) bad_node(n, "index " + std::to_string(j) + " out of range [" + std::to_string(-d) + ", " + std::to_string(d) + ")");
        if (j < 0) j += d;
        for (int64_t i = 0; i < inner; ++i) y.data[k++] = x.data[(o * d + j) * inner + i];
      }
    return one_t(std::move(y));
  });
}
}  // namespace zkinfer::ops
