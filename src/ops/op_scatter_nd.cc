// ScatterND(data, indices, updates), reduction none or add: y = data, then for each index tuple
// indices[i, 0:k] (addressing data's first k axes, negatives from the end) the slice
// updates[i, ...] written into (none) or added to (add) y at that place. Duplicate tuples with
// reduction none are undefined in ONNX; here the later update wins. Float semantics here (the
// reference); the quantizer lowers the node before planning (graph/lower_moves.h): constant
// indices into data movement, computed ones into a OneHot product. mul / max / min are refused.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_scatter_nd(OpTable& t) {
  OpDef d;
  d.op_type = "ScatterND";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 3);
    const FTensor &x = *in[0], &idx = *in[1], &u = *in[2];
    const std::string red = n.attrs.get_string("reduction", "none");
    if (red != "none" && red != "add") unsupported(n, "reduction '" + red + "'");
    if (idx.rank() < 1) bad_node(n, "indices of rank 0");
    const int64_t k = idx.shape.back();
    if (k < 1 || k > x.rank()) bad_node(n, "indices address more axes than the data has");
    Shape us(idx.shape.begin(), idx.shape.end() - 1);
    for (int64_t a = k; a < x.rank(); ++a) us.push_back(x.shape[a]);
    if (us != u.shape) bad_node(n, "updates shape " + shape_str(u.shape) + ", expected " + shape_str(us));
    int64_t N = 1, R = 1;
    for (int64_t a = 0; a + 1 < idx.rank(); ++a) N *= idx.shape[a];
    for (int64_t a = k; a < x.rank(); ++a) R *= x.shape[a];
    FTensor y = x;
    for (int64_t i = 0; i < N; ++i) {
      int64_t lin = 0;
      for (int64_t t2 = 0; t2 < k; ++t2) {
        const int64_t dim = x.shape[t2];
        int64_t j = static_cast<int64_t>(idx.data[static_cast<size_t>(i * k + t2)]);
        if (j < -dim || j >= dim) bad_node(n, "index out of range");
        if (j < 0) j += dim;
        lin = lin * dim + j;
      }
      for (int64_t r = 0; r < R; ++r) {
        double& o = y.data[static_cast<size_t>(lin * R + r)];
        const double v = u.data[static_cast<size_t>(i * R + r)];
        o = red == "add" ? o + v : v;
      }
    }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    unsupported(c.node, "ScatterND is lowered at compile time (graph::lower_gather_scatter); this one was not: "
                        "reduction mul/max/min, or more than 256 addressed entries with computed indices");
  };
  d.run_int = [](IntContext& c) { c.fail("ScatterND should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
