// TopK(X, K) (K: the attribute k before opset 10, else a constant input): along `axis` (default
// -1), the K largest (largest = 1) or smallest entries in that order (ties: the lower index
// first, as ONNX specifies), and their indices. Float semantics here (the reference); the
// quantizer lowers the node before planning (graph/lower_moves.h: ranks from comparisons, a
// OneHot permutation, products), so its integer model and proof are those nodes'.
#include <algorithm>
#include <numeric>

#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_top_k(OpTable& t) {
  OpDef d;
  d.op_type = "TopK";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    const FTensor& x = *in[0];
    int64_t k = n.attrs.get_int("k", -1);
    if (n.opset >= 10) {
      const auto kv = int_values(n, opt_in(in, 1), "K");
      if (kv.size() != 1) bad_node(n, "K must hold one value");
      k = kv[0];
    }
    const int r = x.rank();
    int64_t axis = n.attrs.get_int("axis", -1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) bad_node(n, "axis out of range");
    const int64_t D = x.shape[axis];
    if (k < 0 || k > D) bad_node(n, "K out of range [0, " + std::to_string(D) + "]");
    const bool largest = n.attrs.get_int("largest", 1) != 0;
    int64_t inner = 1, outer = 1;
    for (int a = static_cast<int>(axis) + 1; a < r; ++a) inner *= x.shape[a];
    for (int a = 0; a < axis; ++a) outer *= x.shape[a];
    Shape ys = x.shape;
    ys[axis] = k;
    FTensor v(ys, x.dtype), ix(ys, DType::kInt);
    std::vector<int64_t> order(static_cast<size_t>(D));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t j) { return x.data[static_cast<size_t>((o * D + j) * inner + i)]; };
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return largest ? at(a) > at(b) : at(a) < at(b); });
        for (int64_t j = 0; j < k; ++j) {
          const auto p = static_cast<size_t>((o * k + j) * inner + i);
          v.data[p] = at(order[static_cast<size_t>(j)]);
          ix.data[p] = static_cast<double>(order[static_cast<size_t>(j)]);
        }
      }
    std::vector<FTensor> out;
    out.push_back(std::move(v));
    out.push_back(std::move(ix));
    return out;
  };
  d.plan = [](PlanContext& c) {
    unsupported(c.node, "TopK is lowered at compile time (graph::lower_top_k); this one was not: K not a constant, "
                        "or more than 256 entries along the axis");
  };
  d.run_int = [](IntContext& c) { c.fail("TopK should have been lowered"); };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
