// Helpers for writing op_*.cc files: reading constant integer inputs, the common planners
// (scale-preserving ops, rescaled outputs, tabulated unary functions) and their integer forwards.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/int_math.h"
#include "ops/kernels.h"
#include "ops/op.h"

namespace zkinfer::ops {

using FIn = std::span<const FTensor* const>;

inline std::vector<FTensor> one(FTensor t) {
  std::vector<FTensor> v;
  v.push_back(std::move(t));
  return v;
}

// The values of an integer-valued input (shape, axes, pads) as int64.
template <class T>
std::vector<int64_t> int_values(const Node& n, const Tensor<T>* t, const char* what) {
  if (!t) bad_node(n, std::string("missing input '") + what + "'");
  std::vector<int64_t> v;
  v.reserve(t->data.size());
  if constexpr (std::is_integral_v<T>) {  // the integer executor: no floating point
    const int64_t lim = int64_t{1} << 40;
    for (auto x : t->data) v.push_back(x > lim ? lim : (x < -lim ? -lim : x));
    return v;
  }
  for (auto x : t->data) {
    double d = static_cast<double>(x);
    if (std::isnan(d) || d != std::floor(d)) bad_node(n, std::string("non-integer value in '") + what + "'");
    // Huge values (INT64_MAX as "to the end" in Slice) saturate at +-2^40, beyond any dimension
    // (tensors have at most 2^31 elements) and small enough that sums of a few cannot overflow.
    v.push_back(std::fabs(d) > 0x1p40 ? (d > 0 ? (int64_t{1} << 40) : -(int64_t{1} << 40)) : static_cast<int64_t>(d));
  }
  return v;
}

template <class T>
const Tensor<T>* opt_in(std::span<const Tensor<T>* const> in, size_t i) {
  return i < in.size() ? in[i] : nullptr;
}

// The first `min` inputs must be present (an ONNX input name "" is an absent optional input).
template <class T>
void need_inputs(const Node& n, std::span<const Tensor<T>* const> in, size_t min) {
  if (in.size() < min) bad_node(n, "expects at least " + std::to_string(min) + " inputs, has " + std::to_string(in.size()));
  for (size_t i = 0; i < min; ++i)
    if (!in[i]) bad_node(n, "input " + std::to_string(i) + " is required");
}

// The integer sum of Add, Sum and Mean: both operands brought exactly to the larger scale s
// (multiplication by a power of two) and added with broadcasting; the result at scale s.
inline ITensor add_at_common_scale(const Node& n, const ITensor& a, const ITensor& b) {
  const int s = std::max(a.scale, b.scale);
  const int64_t ma = int64_t{1} << (s - a.scale), mb = int64_t{1} << (s - b.scale);
  ITensor y = broadcast_binary<int64_t>(n, a, b, [&](int64_t x, int64_t z) { return x * ma + z * mb; });
  y.scale = s;
  return y;
}

// Output scale = scale of input 0 for every output (data movement, Relu, MaxPool...).
inline void plan_same_scale(PlanContext& c) {
  int s = c.in_scale(0);
  c.params.out_scales.assign(c.node.outputs.size(), s);
}

// For an op whose exact result is at scale s_int: the output scale is at most s_int and what the
// calibrated output range allows; records the shift.
inline int plan_rescaled_output(PlanContext& c, int s_int) {
  int s_out = std::min(s_int, c.act_scale(c.out_ranges[0], c.cfg.base_scale));
  c.params.out_scales = {s_out};
  c.params.ints["shift"] = s_int - s_out;
  return s_out;
}

// Builds a table of f over the real interval [lo, hi] (clamped to where f is finite), choosing the
// largest input scale <= max_in_scale that keeps the table within 2^table_log entries; the output
// scale is the largest <= max_out_scale that keeps every entry below 2^(act_bits-2). Shrinks each end
// of the interval to where the rounded output stops changing (saturation) for monotone f.
Table make_table(PlanContext& c, const std::string& name, const std::function<double(double)>& f, double lo,
                 double hi, int max_in_scale, int max_out_scale);

// Planner and integer forward for y = f(x) by table lookup (Sigmoid, Tanh, Erf, Exp, Sqrt).
void plan_unary_table(PlanContext& c, const std::string& name, const std::function<double(double)>& f,
                      double domain_lo = -INFINITY, double domain_hi = INFINITY);
void run_unary_table(IntContext& c);

// Registers an elementwise unary op with float function f tabulated in the integer model.
void add_table_op(OpTable& t, const std::string& op_type, const std::string& fn, double (*f)(double),
                  double domain_lo = -INFINITY, double domain_hi = INFINITY);

}  // namespace zkinfer::ops

namespace zkinfer::ops {

// Registers a data-movement op: f is a generic callable (const Node&, span<const Tensor<T>* const>)
// -> std::vector<Tensor<T>> used for both executors; every output keeps input 0's scale.
template <class F>
void add_move_op(OpTable& t, const std::string& op_type, F f, std::vector<int> raw_inputs = {}) {
  OpDef d;
  d.op_type = op_type;
  d.run_float = [f](const Node& n, FIn in) -> std::vector<FTensor> {
    need_inputs(n, in, 1);
    return f(n, in);
  };
  d.plan = plan_same_scale;
  d.run_int = [f](IntContext& c) {
    auto outs = f(c.node, std::span<const ITensor* const>(c.in));
    for (auto& o : outs) {
      o.scale = c.input(0).scale;
      o.dtype = c.input(0).dtype;
      c.out.push_back(std::move(o));
    }
  };
  d.raw_inputs = std::move(raw_inputs);
  t.add(std::move(d));
}

// Copies t with a new shape of the same element count.
template <class T>
Tensor<T> reshaped(const Tensor<T>& t, Shape s) {
  Tensor<T> o = t;
  o.shape = std::move(s);
  return o;
}

template <class T>
std::vector<Tensor<T>> one_t(Tensor<T> t) {
  std::vector<Tensor<T>> v;
  v.push_back(std::move(t));
  return v;
}

// Axes from attribute "axes" (before axes_input_opset) or from input 1.
template <class T>
std::vector<int64_t> axes_of(const Node& n, std::span<const Tensor<T>* const> in, int axes_input_opset) {
  if (n.opset >= axes_input_opset) {
    const Tensor<T>* a = opt_in(in, 1);
    return a ? int_values(n, a, "axes") : std::vector<int64_t>{};
  }
  return n.attrs.get_ints("axes");
}

}  // namespace zkinfer::ops

namespace zkinfer::ops {

// Reduction geometry: for each input element, the index of the output element it sums into.
struct Reduction {
  Shape out_shape;
  std::vector<int64_t> map;
  int64_t count = 1;  // input elements per output element
};

inline Reduction make_reduction(const Node& n, const Shape& in, std::vector<int64_t> axes) {
  int r = static_cast<int>(in.size());
  bool keep = n.attrs.get_int("keepdims", 1) != 0;
  std::vector<bool> red(r, false);
  if (axes.empty()) {
    if (n.attrs.get_int("noop_with_empty_axes", 0) == 0) red.assign(r, true);
  }
  for (auto a : axes) red[norm_axis(n, a, r)] = true;
  Reduction R;
  Shape full;
  for (int i = 0; i < r; ++i) {
    full.push_back(red[i] ? 1 : in[i]);
    if (red[i]) R.count *= in[i];
    if (!red[i] || keep) R.out_shape.push_back(red[i] ? 1 : in[i]);
  }
  auto ost = strides_of(full);
  R.map.resize(static_cast<size_t>(numel(in)));
  std::vector<int64_t> pos(r, 0);
  for (size_t k = 0; k < R.map.size(); ++k) {
    int64_t o = 0;
    for (int d = 0; d < r; ++d) o += red[d] ? 0 : pos[d] * ost[d];
    R.map[k] = o;
    for (int d = r - 1; d >= 0; --d) {
      if (++pos[d] < in[d]) break;
      pos[d] = 0;
    }
  }
  return R;
}

template <class T>
Tensor<T> reduce_sum(const Tensor<T>& x, const Reduction& R) {
  Tensor<T> y(R.out_shape, x.dtype);
  for (size_t k = 0; k < R.map.size(); ++k) y.data[R.map[k]] += x.data[k];
  return y;
}

}  // namespace zkinfer::ops

namespace zkinfer::ops {

// Comparisons (op_less.cc, op_less_or_equal.cc, op_greater.cc, op_greater_or_equal.cc,
// op_equal.cc) with broadcasting. Float: the comparison, output bool (0/1). Integer model: both
// operands brought exactly to a common scale s (a constant operand, a threshold, is quantized 12
// bits finer than the other operand, at most at its default constant scale), compared as
// integers; output bool at scale 0. layers/compare.h proves it.
enum class CompareKind { kLess, kLessOrEqual, kGreater, kGreaterOrEqual, kEqual };
void add_compare_op(OpTable& t, const std::string& op_type, CompareKind kind);

// Boolean logic on 0/1 values (op_not.cc, op_and.cc, op_or.cc, op_xor.cc), with broadcasting.
// Float and integer: the truth table on x != 0 (inputs are bools); output bool at scale 0.
enum class LogicKind { kNot, kAnd, kOr, kXor };
void add_logic_op(OpTable& t, const std::string& op_type, LogicKind kind);

}  // namespace zkinfer::ops

namespace zkinfer::ops {

// ArgMax / ArgMin (op_arg_max.cc, op_arg_min.cc) along `axis` (keepdims, select_last_index): the
// index of the first (last) extreme entry, int64 at scale 0. The integer model compares the
// quantized values exactly (ties broken as the float op does on those values). layers/argmax.h.
void add_arg_op(OpTable& t, const std::string& op_type, bool is_min);

// The rows of the Softmax family (Hardmax, LogSoftmax): before opset 13 the flattened dimensions
// from axis on (default 1), from 13 on the entries along axis (default -1). Calls
// row(at, len) for each row, at(j) the row's j-th entry of y.
template <typename Row>
void for_each_softmax_row(const Node& n, FTensor& y, Row row) {
  const int r = y.rank();
  int64_t outer = 1, len = 1, inner = 1;
  if (r > 0) {
    const bool old = n.opset < 13;
    const int a = norm_axis(n, n.attrs.get_int("axis", old ? 1 : -1), r);
    for (int i = 0; i < a; ++i) outer *= y.shape[i];
    if (old) {
      for (int i = a; i < r; ++i) len *= y.shape[i];
    } else {
      len = y.shape[a];
      for (int i = a + 1; i < r; ++i) inner *= y.shape[i];
    }
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) -> double& { return y.data[(o * len + j) * inner + i]; };
      row(at, len);
    }
}

}  // namespace zkinfer::ops
