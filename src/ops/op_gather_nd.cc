// GatherND(data, indices), batch_dims b: indices[..., 0:k] address data's axes b..b+k-1 (negatives
// from the end), y = indices.shape[:-1] + data.shape[b+k:]. Float semantics here (the reference);
// the quantizer lowers the node before planning (graph/lower_moves.h): constant indices into a
// Gather by constant indices (data movement), computed ones into a OneHot of the flattened index
// times the data (a product), so its integer model and proof are those nodes'.
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_gather_nd(OpTable& t) {
  OpDef d;
  d.op_type = "GatherND";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    const FTensor &x = *in[0], &idx = *in[1];
    const int64_t b = n.attrs.get_int("batch_dims", 0);
    if (idx.rank() < 1 || b < 0 || b >= idx.rank() || b >= x.rank()) bad_node(n, "bad batch_dims or indices rank");
    const int64_t k = idx.shape.back();
    if (k < 1 || b + k > x.rank()) bad_node(n, "indices address more axes than the data has");
    for (int64_t a = 0; a < b; ++a)
      if (idx.shape[a] != x.shape[a]) bad_node(n, "batch dimensions differ");
    Shape ys(idx.shape.begin(), idx.shape.end() - 1);
    for (int64_t a = b + k; a < x.rank(); ++a) ys.push_back(x.shape[a]);
    FTensor y(ys, x.dtype);
    int64_t B = 1, Nb = 1, M = 1, R = 1;
    for (int64_t a = 0; a < b; ++a) B *= x.shape[a];
    for (int64_t a = b; a + 1 < idx.rank(); ++a) Nb *= idx.shape[a];
    for (int64_t a = b; a < b + k; ++a) M *= x.shape[a];
    for (int64_t a = b + k; a < x.rank(); ++a) R *= x.shape[a];
    for (int64_t bb = 0; bb < B; ++bb)
      for (int64_t i = 0; i < Nb; ++i) {
        int64_t lin = 0;
        for (int64_t t2 = 0; t2 < k; ++t2) {
          const int64_t dim = x.shape[b + t2];
          int64_t j = static_cast<int64_t>(idx.data[static_cast<size_t>((bb * Nb + i) * k + t2)]);
          if (j < -dim || j >= dim) bad_node(n, "index out of range");
          if (j < 0) j += dim;
          lin = lin * dim + j;
        }
        for (int64_t r = 0; r < R; ++r)
          y.data[static_cast<size_t>((bb * Nb + i) * R + r)] = x.data[static_cast<size_t>((bb * M + lin) * R + r)];
      }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    unsupported(c.node, "GatherND is lowered at compile time (graph::lower_gather_scatter); this one was not: "
                        "batch_dims > 0 with computed indices, or more than 256 addressed entries");
  };
  d.run_int = [](IntContext& c) { c.fail("GatherND should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
