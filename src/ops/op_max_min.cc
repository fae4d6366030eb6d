// Max and Min of one or more inputs, element-wise with broadcasting (ONNX Max-8/13, Min-8/13; NaN
// propagates as in std::fmax's opposite: any NaN operand gives NaN). Float semantics here; the
// quantizer rewrites each into proven ops before planning (graph::lower_arithmetic):
// Max(a, b) = a + Relu(b - a), Min(a, b) = a - Relu(a - b), chained over the inputs, which is
// exact in the integer model (the operands brought to a common scale, no rounding).
#include <cmath>

#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
void add_extremum(OpTable& t, const std::string& op, bool is_max) {
  OpDef d;
  d.op_type = op;
  d.run_float = [is_max](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      need_inputs(n, in, i + 1);
      y = broadcast_binary<double>(n, y, *in[i], [is_max](double a, double b) {
        if (std::isnan(a) || std::isnan(b)) return std::nan("");
        return is_max ? std::max(a, b) : std::min(a, b);
      });
    }
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { unsupported(c.node, "should have been rewritten into Sub, Relu and Add (graph::lower_arithmetic)"); };
  d.run_int = [](IntContext& c) { c.fail("should have been rewritten into Sub, Relu and Add"); };
  t.add(std::move(d));
}
}  // namespace

void register_op_max_min(OpTable& t) {
  add_extremum(t, "Max", true);
  add_extremum(t, "Min", false);
}
}  // namespace zkinfer::ops
