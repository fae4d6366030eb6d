// ScatterElements(data, indices, updates), axis, reduction none or add (Scatter, opset 9-10, is the
// same with reduction none): y = data, then for each entry p of indices, y at p with the axis
// coordinate replaced by indices[p] (negatives from the end) is set to (none) or increased by
// (add) updates[p]. Duplicates with reduction none: the later update wins (ONNX: undefined).
// Float semantics here (the reference); the quantizer lowers the node before planning
// (graph/lower_moves.h). mul / max / min are refused.
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
std::vector<FTensor> scatter_elements(const Node& n, FIn in) {
  need_inputs(n, in, 3);
  const FTensor &x = *in[0], &idx = *in[1], &u = *in[2];
  const std::string red = n.attrs.get_string("reduction", "none");
  if (red != "none" && red != "add") unsupported(n, "reduction '" + red + "'");
  const int r = x.rank();
  int64_t axis = n.attrs.get_int("axis", 0);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) bad_node(n, "axis out of range");
  if (idx.shape != u.shape || idx.rank() != r) bad_node(n, "indices and updates must have the data's rank and one shape");
  for (int a = 0; a < r; ++a)
    if (idx.shape[a] > x.shape[a] && a != axis) bad_node(n, "indices larger than the data");
  FTensor y = x;
  std::vector<int64_t> pos(static_cast<size_t>(r), 0);
  for (size_t e = 0; e < idx.data.size(); ++e) {
    int64_t rem = static_cast<int64_t>(e);
    for (int a = r - 1; a >= 0; --a) {
      pos[a] = rem % idx.shape[a];
      rem /= idx.shape[a];
    }
    int64_t j = static_cast<int64_t>(idx.data[e]);
    const int64_t dim = x.shape[axis];
    if (j < -dim || j >= dim) bad_node(n, "index out of range");
    if (j < 0) j += dim;
    int64_t flat = 0;
    for (int a = 0; a < r; ++a) flat = flat * x.shape[a] + (a == axis ? j : pos[a]);
    double& o = y.data[static_cast<size_t>(flat)];
    o = red == "add" ? o + u.data[e] : u.data[e];
  }
  return one(std::move(y));
}
void add(OpTable& t, const std::string& op) {
  OpDef d;
  d.op_type = op;
  d.run_float = scatter_elements;
  d.plan = [op](PlanContext& c) {
    unsupported(c.node, op + " is lowered at compile time (graph::lower_gather_scatter); this one was not: "
                        "reduction mul/max/min, or more than 256 entries along the axis with computed indices");
  };
  d.run_int = [op](IntContext& c) { c.fail(op + " should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace
void register_op_scatter_elements(OpTable& t) {
  add(t, "ScatterElements");
  add(t, "Scatter");
}
}  // namespace zkinfer::ops
