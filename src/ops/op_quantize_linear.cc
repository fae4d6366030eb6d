// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) into the range of the
// output type (the attribute output_dtype, which the loader fills from the zero point's type when
// the model leaves it out: uint8 by default, int8, uint16, int16), per tensor or per slice along
// `axis` (default 1) with a 1-D scale and zero point.
//
// Integer model: graph::lower_composites moves a constant per-tensor scale and zero point into the
// node's attributes (zkinfer_scale, zkinfer_zero_point). Like an activation's slope they define
// the function, and the node is proven by a table lookup of x -> y (steps/table.cc) whose entries,
// public in the key, are computed from them: they are quantization parameters, public in every
// visibility mode, not weights. The output is an integer at scale 0. A constant per-axis scale
// and zero point become a Mul by m / scale and an Add of zero_point m along the axis (m the
// smallest scale) before the lookup, whose scale is then m and zero point 0
// (round(x / s) + z = round(x / s + z) for an integer z).
#include <algorithm>

#include "ops/helpers.h"
#include "ops/per_axis.h"

namespace zkinfer::ops {
namespace {

// ONNX TensorProto element types QuantizeLinear may produce.
std::pair<double, double> saturation(const Node& n) {
  switch (n.attrs.get_int("output_dtype", 2)) {
    case 2: return {0, 255};         // uint8
    case 3: return {-128, 127};      // int8
    case 4: return {0, 65535};       // uint16
    case 5: return {-32768, 32767};  // int16
    default: unsupported(n, "output type " + std::to_string(n.attrs.get_int("output_dtype", 2)));
  }
}

// The division in single precision, as ONNX's reference and runtimes do for float tensors (a
// quotient on a rounding tie can differ from the double one).
double quantize(double x, double scale, double zero_point, std::pair<double, double> range) {
  const float q = static_cast<float>(x) / static_cast<float>(scale);
  return std::clamp(std::nearbyint(static_cast<double>(q)) + zero_point, range.first, range.second);
}

bool lowered(const Node& n) { return n.inputs.size() == 1 && n.attrs.floats.count("zkinfer_scale"); }

}  // namespace

void register_op_quantize_linear(OpTable& t) {
  OpDef d;
  d.op_type = "QuantizeLinear";
  d.run_float = [](const Node& n, FIn in) {
    const auto range = saturation(n);
    if (n.attrs.get_int("block_size", 0) != 0) unsupported(n, "blocked quantization (block_size)");
    need_inputs(n, in, 1);
    const FTensor& x = *in[0];
    FTensor y(x.shape, DType::kInt);
    if (lowered(n)) {
      const double sc = n.attrs.get_float("zkinfer_scale", 1.0);
      const double zp = static_cast<double>(n.attrs.get_int("zkinfer_zero_point", 0));
      for (int64_t k = 0; k < x.size(); ++k) y.data[k] = quantize(x.data[k], sc, zp, range);
      return one(std::move(y));
    }
    need_inputs(n, in, 2);
    const FTensor& sc = *in[1];
    const FTensor* zp = opt_in(in, 2);
    if (sc.size() < 1) bad_node(n, "empty scale");
    const PerAxis axis = per_axis(n, x, sc, zp);
    for (int64_t k = 0; k < x.size(); ++k) {
      const size_t c = axis.index(k);
      if (!(sc.data[c] > 0)) bad_node(n, "scale must be positive");
      y.data[k] = quantize(x.data[k], sc.data[c], zp ? zp->data[c] : 0.0, range);
    }
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    const Node& n = c.node;
    if (!lowered(n)) unsupported(n, "its scale and zero point must be constants (per tensor or along the axis)");
    const auto range = saturation(n);
    const double sc = n.attrs.get_float("zkinfer_scale", 1.0);
    const double zp = static_cast<double>(n.attrs.get_int("zkinfer_zero_point", 0));
    if (!(sc > 0) || !std::isfinite(sc)) unsupported(n, "scale must be positive");
    const int sx = c.in_scale(0);
    const Range r = c.in_ranges[0];
    const double w = std::max(r.hi - r.lo, 1.0);
    Table tb = make_table(c, "quantize_linear", [&](double v) { return quantize(v, sc, zp, range); }, r.lo - 0.1 * w,
                          r.hi + 0.1 * w, sx, 0);
    if (tb.out_scale != 0) unsupported(n, "its output range does not fit a table of integers at scale 0");
    c.params.ints["shift"] = sx - tb.in_scale;
    c.params.out_scales = {0};
    c.params.tables.push_back(std::move(tb));
  };
  d.run_int = [](IntContext& c) {
    run_unary_table(c);
    c.out.back().dtype = DType::kInt;
  };
  t.add(std::move(d));
}

}  // namespace zkinfer::ops
