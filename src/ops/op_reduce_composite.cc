// The reductions that are a composition of proven ops (axes attribute before opset 18, input
// after): ReduceL1 = ReduceSum(|x|), ReduceSumSquare = ReduceSum(x x), ReduceL2 =
// Sqrt(ReduceSum(x x)), ReduceLogSum = Log(ReduceSum(x)), ReduceLogSumExp = Log(ReduceSum(Exp(x)))
// (lowered in its stable form m + Log(ReduceSum(Exp(x - m))), m = ReduceMax(x)).
// Float semantics here; the quantizer lowers each into those nodes before planning
// (graph::lower_reductions), so their integer models and proofs are the parts'.
#include <cmath>

#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
void add_composite(OpTable& t, const std::string& op, double (*pre)(double), double (*post)(double)) {
  OpDef d;
  d.op_type = op;
  d.run_float = [pre, post](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor x = *in[0];
    for (auto& v : x.data) v = pre(v);
    Reduction R = make_reduction(n, x.shape, axes_of(n, in, 18));
    FTensor y = reduce_sum(x, R);
    for (auto& v : y.data) v = post(v);
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) { unsupported(c.node, "should have been lowered to its parts (graph::lower_reductions)"); };
  d.run_int = [](IntContext& c) { c.fail("should have been lowered to its parts"); };
  d.raw_inputs = {1};
  t.add(std::move(d));
}
double id(double v) { return v; }
double sq(double v) { return v * v; }
double abs_(double v) { return std::fabs(v); }
double exp_(double v) { return std::exp(v); }
double log_(double v) { return std::log(v); }
double sqrt_(double v) { return std::sqrt(v); }
}  // namespace

void register_op_reduce_composite(OpTable& t) {
  add_composite(t, "ReduceL1", abs_, id);
  add_composite(t, "ReduceSumSquare", sq, id);
  add_composite(t, "ReduceL2", sq, sqrt_);
  add_composite(t, "ReduceLogSum", id, log_);
  add_composite(t, "ReduceLogSumExp", exp_, log_);
}
}  // namespace zkinfer::ops
