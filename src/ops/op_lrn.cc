// LRN (AlexNet, GoogLeNet): y = x / (bias + alpha / size * S)^beta, S[n, c, ...] the sum of x^2
// over the channels c - floor((size - 1) / 2) ... c + ceil((size - 1) / 2) that exist. Float
// semantics here; the quantizer rewrites the node before planning (graph/lower_moves.h,
// lower_lrn) into x * x (Mul), a 1x1 Conv with the constant band of alpha / size and the bias
// (the windowed sum), exp(-beta log d) (Log and Exp tables, a product by a constant) and a Mul, so
// its integer model and proof are those nodes'. bias must be positive.
#include <cmath>

#include "ops/helpers.h"

namespace zkinfer::ops {
void register_op_lrn(OpTable& t) {
  OpDef d;
  d.op_type = "LRN";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    const FTensor& x = *in[0];
    if (x.rank() < 3) bad_node(n, "input rank below 3");
    const int64_t size = n.attrs.get_int("size", 0);
    if (size < 1) bad_node(n, "attribute 'size' must be a positive integer");
    const double alpha = n.attrs.get_float("alpha", 1e-4), beta = n.attrs.get_float("beta", 0.75),
                 bias = n.attrs.get_float("bias", 1.0);
    const int64_t N = x.shape[0], C = x.shape[1], R = x.size() / std::max<int64_t>(1, N * C);
    const int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
    FTensor y(x.shape, x.dtype);
    for (int64_t b = 0; b < N; ++b)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < R; ++r) {
          double s = 0;
          for (int64_t i = std::max<int64_t>(0, c - lo); i <= std::min(C - 1, c + hi); ++i) {
            const double v = x.data[static_cast<size_t>((b * C + i) * R + r)];
            s += v * v;
          }
          const size_t e = static_cast<size_t>((b * C + c) * R + r);
          y.data[e] = x.data[e] / std::pow(bias + alpha / static_cast<double>(size) * s, beta);
        }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    unsupported(c.node, "LRN is lowered at compile time (graph::lower_lrn); this one was not: an integer input or a bias <= 0");
  };
  d.run_int = [](IntContext& c) { c.fail("LRN should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
