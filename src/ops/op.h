// The operator table. Each supported ONNX operator is one file op_<name>.cc that defines
//   void register_op_<name>(OpTable&)
// (src/ops/CMakeLists.txt generates the list of calls from the file names), and adds an OpDef with
// three functions: the float forward (reference semantics), the planner (compile time: chooses the
// output scales, quantizes constants, builds lookup tables from calibrated ranges) and the integer
// forward (the exact computation the prover will prove; no floating point). A later issue adds
// the prover and verifier of each op beside them.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "ops/tensor.h"

namespace zkinfer::ops {

// Fixed-point parameters of a compiled model (stored in the .zkm file; nothing else in the code
// chooses a scale or a width).
struct QuantConfig {
  int base_scale = 8;     // fractional bits of activations (upper bound)
  int act_bits = 24;      // |activation| < 2^act_bits
  int weight_bits = 16;   // |quantized constant| < 2^weight_bits
  int max_const_scale = 24;  // fractional bits of constants (upper bound)
  int table_log = 16;     // lookup tables have at most 2^table_log entries
  int exp_scale = 16;     // fractional bits of exp() values inside Softmax
  int acc_bits = 62;      // every exact accumulator stays below 2^acc_bits in absolute value
  // A real tensor's bound is its calibrated maximum times 2^range_margin_bits (at most 2^act_bits):
  // tighter bounds make the prover's range checks cheaper; inputs whose values exceed a bound are
  // refused by the integer executor with the tensor named. Compile-time only (the per-tensor
  // bounds themselves are stored in the .zkm).
  int range_margin_bits = 2;
};

// Observed float range of a tensor over the calibration samples.
struct Range {
  double lo = 0, hi = 0;
  double maxabs() const { return lo < 0 ? (-lo > hi ? -lo : hi) : hi; }
};

// A function tabulated over the integer domain [lo, lo + size): input at in_scale fractional bits,
// output at out_scale. Inputs outside the domain are clamped to it (documented in QUANTIZATION.md).
struct Table {
  std::string fn;  // "sigmoid", "tanh", "erf", "exp", "sqrt", "rsqrt"
  int64_t lo = 0;
  int in_scale = 0, out_scale = 0;
  std::vector<int64_t> values;
  int64_t hi() const { return lo + static_cast<int64_t>(values.size()) - 1; }
  int64_t clamp(int64_t q) const { return q < lo ? lo : (q > hi() ? hi() : q); }
  int64_t at(int64_t clamped) const { return values[static_cast<size_t>(clamped - lo)]; }
};

// Per-node parameters chosen at compile time.
struct QParams {
  std::vector<int> out_scales;
  std::map<std::string, int64_t> ints;
  std::vector<Table> tables;
  std::map<std::string, ITensor> consts;  // constants derived at compile time (folded BatchNorm...)
  int64_t get(const std::string& k) const;
  const ITensor& constant(const std::string& k) const;
};

// Given to an op's planner. Constant inputs carry their float value and are quantized by the
// quantizer at the scale the planner asks for (set_const_scale) or, when it does not ask, at the
// default constant scale (the largest that keeps |q| < 2^weight_bits).
struct PlanContext {
  const Node& node;
  const QuantConfig& cfg;
  std::vector<const FTensor*> consts;  // float value of each constant input, else nullptr
  std::vector<Range> in_ranges, out_ranges;
  std::vector<Shape> in_shapes, out_shapes;
  std::vector<DType> in_dtypes, out_dtypes;
  std::vector<int> in_scales;          // chosen scale per input; kUnset for unassigned constants
  std::vector<int64_t> in_bits;        // bound on |q| of each input (bits), once its scale is known
  QParams params;
  static constexpr int kUnset = -1000;

  PlanContext(const Node& n, const QuantConfig& c) : node(n), cfg(c) {}
  bool is_const(size_t i) const { return i < consts.size() && consts[i] != nullptr; }
  bool present(size_t i) const { return i < node.inputs.size() && node.inputs[i] >= 0; }
  int in_scale(size_t i);                 // the scale of input i (assigns the default to a constant)
  void set_const_scale(size_t i, int s);  // quantize constant input i at scale s
  int default_const_scale(size_t i) const;
  int64_t max_abs_q(size_t i);            // bound on |q| of input i at its scale
  // The activation scale for a tensor with float range r, at most max_scale.
  int act_scale(const Range& r, int max_scale) const;
  // Fails, naming the node, if an accumulator bounded by `bound` (a double to avoid overflow)
  // would not stay below 2^acc_bits.
  void check_acc(double bound, const std::string& what) const;
  [[noreturn]] void fail(const std::string& why) const;
};

// Given to an op's integer forward.
struct IntContext {
  const Node& node;
  const QParams& p;
  std::vector<const ITensor*> in;  // nullptr for absent optional inputs
  std::vector<ITensor> out;
  // Intermediate values the prover will need (remainders of rescales and divisions, table
  // indices, maxima), in the order they are computed.
  std::vector<std::pair<std::string, ITensor>> aux;

  IntContext(const Node& n, const QParams& params) : node(n), p(params) {}
  const ITensor& input(size_t i) const;
  [[noreturn]] void fail(const std::string& why) const;
};

using FloatFn = std::function<std::vector<FTensor>(const Node&, std::span<const FTensor* const>)>;
using PlanFn = std::function<void(PlanContext&)>;
using IntFn = std::function<void(IntContext&)>;

struct OpDef {
  std::string op_type;
  FloatFn run_float;
  PlanFn plan;
  IntFn run_int;
  // Inputs that must be compile-time constants and are used as exact integers (shapes, axes,
  // pads, indices of a constant Gather).
  std::vector<int> raw_inputs;
};

class OpTable {
 public:
  static const OpTable& get();
  const OpDef* find(std::string_view op_type) const;
  std::vector<std::string> names() const;
  void add(OpDef def);

 private:
  std::map<std::string, OpDef, std::less<>> ops_;
};

// Raised for model content the operators do not support (an attribute value, a rank...).
[[noreturn]] void unsupported(const Node& n, const std::string& why);
// Raised for malformed model content (wrong input count, inconsistent shapes...).
[[noreturn]] void bad_node(const Node& n, const std::string& why);

}  // namespace zkinfer::ops
