// MatMulInteger (opset 10): y = (A - a_zero_point) (B - b_zero_point), integers (int32), the zero
// points scalars or per row of A ([M]) / per column of B ([N]). QLinearMatMul (opset 10): the
// quantized product y = saturate(round_half_even(A' B' / y_scale) + y_zero_point), A' = (A -
// a_zero_point) a_scale and B' = (B - b_zero_point) b_scale (ONNX's reference: dequantize, float
// product, quantize), into the range of the output type (output_dtype, which the loader fills from
// y_zero_point's type). Float semantics here; the quantizer rewrites a node whose B, zero points
// and scales are constants into proven ops (graph::lower_composites): a Sub of the constant zero
// point, a Cast to real (an integer at scale 0: exact), a MatMul by the constant (B -
// b_zero_point) (times a_scale b_scale for QLinearMatMul), and for QLinearMatMul the QuantizeLinear
// table with y_scale and y_zero_point.
#include <algorithm>
#include <cmath>

#include "ops/helpers.h"
#include "ops/lowered.h"

namespace zkinfer::ops {
namespace {

// x - zero_point, the zero point a scalar or one entry per row (axis -2, rows) or per column
// (the last axis, !rows) of x.
FTensor minus_zero_point(const Node& n, const FTensor& x, const FTensor* zp, bool rows) {
  FTensor y = x;
  y.dtype = DType::kFloat;
  if (!zp || zp->size() == 0) return y;
  if (x.rank() < 2 && zp->size() != 1) bad_node(n, "a per-row or per-column zero point needs a matrix");
  const int64_t cols = x.shape.back(), len = rows ? x.shape[x.rank() - 2] : cols;
  if (zp->size() != 1 && zp->size() != len) bad_node(n, "zero point of " + std::to_string(zp->size()) + " entries for " + std::to_string(len));
  for (int64_t k = 0; k < x.size(); ++k) {
    const int64_t c = zp->size() == 1 ? 0 : rows ? (k / cols) % len : k % cols;
    y.data[static_cast<size_t>(k)] -= zp->data[static_cast<size_t>(c)];
  }
  return y;
}

std::pair<double, double> saturation(const Node& n) {
  switch (n.attrs.get_int("output_dtype", 2)) {
    case 2: return {0, 255};     // uint8
    case 3: return {-128, 127};  // int8
    default: unsupported(n, "output type " + std::to_string(n.attrs.get_int("output_dtype", 2)));
  }
}

// The QLinear ops' output: saturate(round_half_even(real / y_scale) + y_zero_point), the quotient
// in single precision (as QuantizeLinear: op_quantize_linear.cc).
double requantize(double real, float ys, double yz, std::pair<double, double> range) {
  const float q = static_cast<float>(real) / ys;
  return std::clamp(std::nearbyint(static_cast<double>(q)) + yz, range.first, range.second);
}

// Input i of a QLinear op, which must be one value (a per-tensor scale or zero point).
double scalar_input(const Node& n, FIn in, size_t i) {
  if (in[i]->size() != 1) unsupported(n, "a per-axis scale or zero point for input " + std::to_string(i));
  return in[i]->data[0];
}

// w - w_zero_point with the zero point a scalar or one per output channel (axis 0).
FTensor minus_channel_zero_point(const Node& n, const FTensor& w, const FTensor* zp) {
  FTensor y = w;
  y.dtype = DType::kFloat;
  if (!zp || zp->size() == 0) return y;
  const int64_t M = w.shape.at(0), per = w.size() / std::max<int64_t>(M, 1);
  if (zp->size() != 1 && zp->size() != M) bad_node(n, "weight zero point of " + std::to_string(zp->size()) + " entries for " + std::to_string(M) + " channels");
  for (int64_t k = 0; k < w.size(); ++k) y.data[static_cast<size_t>(k)] -= zp->data[static_cast<size_t>(zp->size() == 1 ? 0 : k / per)];
  return y;
}

// Conv's float semantics (op_conv.cc) of x and w (and a bias) under n's attributes.
FTensor conv_of(const Node& n, const FTensor& x, const FTensor& w, const FTensor* bias) {
  Node c = n;
  c.op_type = "Conv";
  std::vector<const FTensor*> in = {&x, &w};
  if (bias) in.push_back(bias);
  return OpTable::get().find("Conv")->run_float(c, in).at(0);
}

}  // namespace

void register_op_matmul_integer(OpTable& t) {
  // ConvInteger (opset 10): y = Conv(x - x_zero_point, w - w_zero_point), integers; QLinearConv
  // (opset 10): the quantized Conv (x_scale, x_zero_point, y_scale, y_zero_point per tensor;
  // w_scale, w_zero_point per tensor or per output channel; an optional int32 bias at scale
  // x_scale w_scale): y = saturate(round_half_even((Conv(x', w') + B) x_scale w_scale / y_scale) +
  // y_zero_point). Rewritten like MatMulInteger / QLinearMatMul (constant w, scales, zero points,
  // bias), the Conv keeping the node's attributes.
  add_lowered_op(
      t, "ConvInteger",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const FTensor x = minus_zero_point(n, *in[0], opt_in(in, 2), true);
        const FTensor w = minus_channel_zero_point(n, *in[1], opt_in(in, 3));
        FTensor y = conv_of(n, x, w, nullptr);
        y.dtype = DType::kInt;
        return one(std::move(y));
      },
      "graph::lower_composites", "its weights and zero points must be constants (x's zero point per tensor)");
  add_lowered_op(
      t, "QLinearConv",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 8);
        const auto range = saturation(n);
        auto scalar = [&](size_t i) { return scalar_input(n, in, i); };
        if (in[2]->size() != 1) unsupported(n, "a per-axis zero point for x");
        const FTensor x = minus_zero_point(n, *in[0], in[2], true);
        const FTensor w = minus_channel_zero_point(n, *in[3], in[5]);
        FTensor acc = conv_of(n, x, w, opt_in(in, 8));  // integers: exact in double
        const double xs = scalar(1);
        const FTensor& ws = *in[4];
        const int64_t M = w.shape.at(0);
        if (ws.size() != 1 && ws.size() != M) bad_node(n, "w_scale must be a scalar or one per output channel");
        const int64_t per = acc.rank() > 2 ? acc.size() / (acc.shape[0] * acc.shape[1]) : 1;
        const float ys = static_cast<float>(scalar(6));
        const double yz = scalar(7);
        for (int64_t k = 0; k < acc.size(); ++k) {
          const int64_t m = (k / per) % M;
          const double real = acc.data[static_cast<size_t>(k)] * xs * ws.data[static_cast<size_t>(ws.size() == 1 ? 0 : m)];
          acc.data[static_cast<size_t>(k)] = requantize(real, ys, yz, range);
        }
        acc.dtype = DType::kInt;
        return one(std::move(acc));
      },
      "graph::lower_composites", "its weights, bias, scales and zero points must be constants (x's and y's per tensor)");
  add_lowered_op(
      t, "MatMulInteger",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const FTensor a = minus_zero_point(n, *in[0], opt_in(in, 2), true);
        const FTensor b = minus_zero_point(n, *in[1], opt_in(in, 3), false);
        FTensor y = matmul<double>(n, a, b);
        y.dtype = DType::kInt;
        return one(std::move(y));
      },
      "graph::lower_composites", "its B and zero points must be constants");
  add_lowered_op(
      t, "QLinearMatMul",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 8);
        const auto range = saturation(n);
        auto scalar = [&](size_t i) { return scalar_input(n, in, i); };
        // A' and B' in single precision, the product accumulated in double, the quotient in single
        // precision (requantize).
        FTensor a = minus_zero_point(n, *in[0], in[2], true), b = minus_zero_point(n, *in[3], in[5], false);
        const double as = scalar(1);
        for (auto& v : a.data) v = static_cast<float>(v * as);
        const FTensor& bs = *in[4];
        if (bs.size() != 1 && (b.rank() < 2 || bs.size() != b.shape.back())) bad_node(n, "b_scale must be a scalar or one per column");
        for (int64_t k = 0; k < b.size(); ++k)
          b.data[static_cast<size_t>(k)] =
              static_cast<float>(b.data[static_cast<size_t>(k)] * bs.data[static_cast<size_t>(bs.size() == 1 ? 0 : k % b.shape.back())]);
        FTensor y = matmul<double>(n, a, b);
        const float ys = static_cast<float>(scalar(6));
        const double yz = scalar(7);
        for (auto& v : y.data) v = requantize(v, ys, yz, range);
        y.dtype = DType::kInt;
        return one(std::move(y));
      },
      "graph::lower_composites", "its B, scales and zero points must be constants (a and y per tensor)");
}

}  // namespace zkinfer::ops
