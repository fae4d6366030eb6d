// Div with broadcasting. Integer model: q = round(a * 2^(so - sa + sb) / b) with ties up and an
// explicit remainder (int_math.h div_round); when the exponent is negative the divisor is
// multiplied instead. b == 0 gives 0. Integer-typed tensors divide with truncation (ONNX).
#include "ops/helpers.h"
namespace zkinfer::ops {
void register_op_div(OpTable& t) {
  OpDef d;
  d.op_type = "Div";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    bool integer = in[0]->dtype == DType::kInt;
    FTensor y = broadcast_binary<double>(n, *in[0], *in[1], [integer](double a, double b) {
      if (integer) return b == 0 ? 0.0 : std::trunc(a / b);
      return a / b;
    });
    y.dtype = in[0]->dtype;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    // The proofs take positive divisors only (layers/divide.h, layers/int_div.h): a divisor whose
    // calibrated range reaches 0 or below is refused here rather than when proving.
    if (c.is_const(1)) {
      for (double v : c.consts[1]->data)
        if (!(v > 0)) c.fail("divisor holds " + std::to_string(v) + ": only positive divisors are proven");
    } else if (c.in_ranges.size() > 1 && !(c.in_ranges[1].lo > 0)) {
      c.fail("the divisor's calibrated range [" + std::to_string(c.in_ranges[1].lo) + ", " + std::to_string(c.in_ranges[1].hi) +
             "] reaches 0 or below: only positive divisors are proven");
    }
    if (c.out_dtypes.at(0) != DType::kFloat) {  // integer division of integer tensors: truncation
      c.in_scale(0);
      c.in_scale(1);
      c.params.out_scales = {0};
      c.params.ints["integer"] = 1;
      return;
    }
    int sa = c.in_scale(0), sb = c.in_scale(1);
    int so = c.act_scale(c.out_ranges[0], c.cfg.base_scale);
    int e = so - sa + sb;
    c.check_acc(std::ldexp(1.0, static_cast<int>(c.in_bits[e >= 0 ? 0 : 1]) + (e >= 0 ? e : -e) + 2), "division");
    c.params.out_scales = {so};
  };
  d.run_int = [](IntContext& c) {
    const ITensor &a = c.input(0), &b = c.input(1);
    int so = c.p.out_scales.at(0);
    if (c.p.ints.count("integer")) {
      if (a.scale != 0 || b.scale != 0) c.fail("integer division of scaled values");
      ITensor y = broadcast_binary<int64_t>(c.node, a, b, [](int64_t x, int64_t z) { return z == 0 ? 0 : x / z; });
      y.dtype = DType::kInt;
      c.out.push_back(std::move(y));
      return;
    }
    int e = so - a.scale + b.scale;
    ITensor y(broadcast_shape(c.node, a.shape, b.shape)), rem(y.shape, DType::kInt);
    auto ia = broadcast_index(a.shape, y.shape), ib = broadcast_index(b.shape, y.shape);
    for (size_t i = 0; i < y.data.size(); ++i) {
      int64_t num = a.data[ia[i]], den = b.data[ib[i]];
      if (e >= 0) num *= int64_t{1} << e; else den *= int64_t{1} << -e;
      y.data[i] = div_round(num, den, &rem.data[i]);
    }
    y.scale = so;
    c.aux.emplace_back("div.rem", std::move(rem));
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
