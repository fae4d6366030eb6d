// Mod (opset 10/13) with broadcasting: fmod = 0, integers: the remainder with the divisor's sign
// (Python's a % b); fmod = 1: the remainder with the dividend's sign (C's fmod; required for real
// tensors). A zero divisor gives 0. Float semantics here; the quantizer rewrites a Mod of integer
// tensors by a constant divisor without zeros (broadcast to the dividend's shape) into proven
// integer ops (graph::lower_composites): with B = |b| and S = sign(b) constants,
// f = x' - B trunc(x' / B) (Div of integers by a positive divisor, Mul, Sub) for x' = x (fmod) or
// S x; fmod = 0 adds B where f < 0 (Less, Add, Where) and multiplies by S. A Mod of real tensors
// (fmod = 1) by a constant or computed divisor: x - B trunc(x / B) with B = |b| (a Mul by 1 / B
// for a constant, Abs and Div for a computed one), trunc(q) = Where(q < 0, Ceil(q), Floor(q))
// (a computed zero divisor: refused by Div's proof).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_mod(OpTable& t) {
  add_lowered_op(
      t, "Mod",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const bool fmod = n.attrs.get_int("fmod", 0) != 0;
        const bool integer = in[0]->dtype != DType::kFloat;
        if (!integer && !fmod) bad_node(n, "fmod must be 1 for real tensors");
        FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [fmod, integer](double a, double b) {
          if (b == 0) return 0.0;
          if (fmod) return std::fmod(a, b);
          double r = std::fmod(a, b);
          if (integer && r != 0 && ((r < 0) != (b < 0))) r += b;
          return r;
        });
        y.dtype = in[0]->dtype;
        return one(std::move(y));
      },
      "graph::lower_composites", "it takes integer tensors and a constant divisor without zeros, broadcast to the dividend's shape, or real tensors with fmod = 1");
}
}  // namespace zkinfer::ops
