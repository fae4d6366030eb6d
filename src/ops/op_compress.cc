// Compress: the slices of x along axis (flattened x without an axis) whose condition entry is
// true (a condition shorter than the axis selects nothing beyond its end). The quantizer rewrites
// a Compress with a constant condition into a Gather of the selected constant indices (after a
// Reshape to 1-D without an axis; graph::lower_composites); a computed condition is refused (the
// output's length would depend on it).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_compress(OpTable& t) {
  add_lowered_op(
      t, "Compress",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        FTensor x = *in[0];
        const bool has_axis = n.attrs.ints.count("axis") != 0;
        if (!has_axis) x.shape = {x.size()};
        if (x.rank() == 0) bad_node(n, "input must have rank >= 1");
        const int a = has_axis ? norm_axis(n, n.attrs.get_int("axis", 0), x.rank()) : 0;
        const FTensor& cond = *in[1];
        if (cond.rank() != 1 || cond.size() > x.shape[a]) bad_node(n, "condition must be 1-D and at most the axis long");
        std::vector<int64_t> keep;
        for (int64_t i = 0; i < cond.size(); ++i)
          if (cond.data[i] != 0) keep.push_back(i);
        int64_t outer = 1, len = x.shape[a], inner = 1;
        for (int i = 0; i < a; ++i) outer *= x.shape[i];
        for (int i = a + 1; i < x.rank(); ++i) inner *= x.shape[i];
        Shape s = x.shape;
        s[a] = static_cast<int64_t>(keep.size());
        FTensor y(s, x.dtype);
        size_t w = 0;
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t k : keep)
            for (int64_t i = 0; i < inner; ++i) y.data[w++] = x.data[(o * len + k) * inner + i];
        return one(std::move(y));
      },
      "graph::lower_composites", "its condition must be a constant");
}
}  // namespace zkinfer::ops
