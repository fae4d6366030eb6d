// Differential tests of every operator's integer forward against a plain reference: one row per
// operator and shape in kCases (adding an operator = one new op_<name>.cc file + one row here).
// For each row, a one-node graph is built, calibrated on seeded random samples and quantized; the
// dequantized integer output must match the float executor run on the dequantized inputs within
// the row's tolerance. The rescale/division remainders recorded in the trace must lie in their
// ranges. Seeded (ZKINFER_TEST_SEED); the seed is printed on failure.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

#include "common/random.h"
#include "graph/float_executor.h"
#include "ops/int_math.h"
#include "ops/op.h"
#include "quant/int_executor.h"
#include "quant/quantizer.h"
#include "test_seed.h"

using namespace zkinfer;
using ops::DType;
using ops::Shape;

namespace {

struct In {
  Shape shape;
  bool is_const = false;
  std::vector<double> values = {};  // fixed values (constants); random when empty
  double lo = -2, hi = 2;
  DType dtype = DType::kFloat;
};

struct OpCase {
  std::string name, op;
  std::vector<In> in;
  std::function<void(ops::Attributes&)> attrs = nullptr;
  double tol = 0.005;  // max abs error of the dequantized integer output
  int opset = 17;
  int outputs = 1;
};

In act(Shape s, double lo = -2, double hi = 2) { return In{s, false, {}, lo, hi}; }
In cst(Shape s, double lo = -1, double hi = 1) { return In{s, true, {}, lo, hi}; }
In ints(std::vector<double> v) { return In{{static_cast<int64_t>(v.size())}, true, v, 0, 0, DType::kInt}; }

const std::vector<OpCase> kCases = {
    {"gemm", "Gemm", {act({4, 8}), cst({8, 3}), cst({3})}},
    {"gemm_transB", "Gemm", {act({4, 8}), cst({3, 8}), cst({3})}, [](auto& a) { a.ints["transB"] = 1; }},
    {"matmul_act_act", "MatMul", {act({2, 3, 4}), act({4, 5})}, nullptr, 0.01},
    {"matmul_act_const", "MatMul", {act({3, 4}), cst({4, 2})}},
    {"conv_pad_stride", "Conv", {act({1, 2, 6, 6}), cst({4, 2, 3, 3}), cst({4})},
     [](auto& a) { a.int_lists["pads"] = {1, 1, 1, 1}; a.int_lists["strides"] = {2, 2}; }, 0.01},
    {"conv_dilation_group", "Conv", {act({1, 2, 7, 7}), cst({4, 1, 3, 3})},
     [](auto& a) { a.int_lists["dilations"] = {2, 2}; a.ints["group"] = 2; }},
    {"conv_1d", "Conv", {act({1, 2, 9}), cst({3, 2, 3})}},
    {"conv_transpose", "ConvTranspose", {act({1, 2, 3, 3}), cst({2, 3, 3, 3}), cst({3})},
     [](auto& a) { a.int_lists["strides"] = {2, 2}; }, 0.01},
    {"relu", "Relu", {act({3, 5})}, nullptr, 0},
    {"leaky_relu", "LeakyRelu", {act({3, 5})}, [](auto& a) { a.floats["alpha"] = 0.1; }},
    {"prelu", "PRelu", {act({2, 3}), cst({3}, 0, 0.5)}},
    {"sigmoid", "Sigmoid", {act({4, 6}, -8, 8)}},
    {"tanh", "Tanh", {act({4, 6}, -4, 4)}},
    {"erf", "Erf", {act({4, 6}, -3, 3)}},
    {"exp", "Exp", {act({4, 6}, -3, 2)}, nullptr, 0.01},
    {"sqrt", "Sqrt", {act({4, 6}, 0, 4)}},
    {"softmax", "Softmax", {act({3, 7}, -5, 5)}},
    {"softmax_opset11", "Softmax", {act({2, 3, 4}, -5, 5)}, [](auto& a) { a.ints["axis"] = 1; }, 0.005, 11},
    {"add", "Add", {act({2, 3}), act({3})}, nullptr, 0},
    {"add_const", "Add", {act({2, 3}), cst({2, 3}, -100, 100)}},
    {"sub", "Sub", {act({2, 3}), act({2, 3})}, nullptr, 0},
    {"mul", "Mul", {act({2, 3}), act({2, 3})}},
    {"div", "Div", {act({2, 3}), act({2, 3}, 0.5, 2)}},
    {"div_const", "Div", {act({2, 3}), In{{1}, true, {5.656854}}}},
    {"pow_2", "Pow", {act({2, 3}), In{{1}, true, {2.0}}}},
    {"pow_3", "Pow", {act({2, 3}), In{{1}, true, {3.0}}}, nullptr, 0.01},
    {"pow_frac", "Pow", {act({2, 3}, 0.5, 2), In{{1}, true, {-0.5}}}},
    {"max_pool", "MaxPool", {act({1, 2, 4, 4})},
     [](auto& a) { a.int_lists["kernel_shape"] = {2, 2}; a.int_lists["strides"] = {2, 2}; }, 0},
    {"average_pool", "AveragePool", {act({1, 2, 4, 4})},
     [](auto& a) { a.int_lists["kernel_shape"] = {3, 3}; a.int_lists["pads"] = {1, 1, 1, 1}; }, 0.005},
    {"global_average_pool", "GlobalAveragePool", {act({1, 3, 4, 4})}, nullptr, 0.005},
    {"batch_norm", "BatchNormalization", {act({1, 3, 2, 2}), cst({3}), cst({3}), cst({3}), cst({3}, 0.5, 2)}},
    {"layer_norm", "LayerNormalization", {act({2, 8}), cst({8}), cst({8})}, nullptr, 0.01},
    {"reduce_mean", "ReduceMean", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {1}; }, 0.005},
    {"reduce_sum", "ReduceSum", {act({2, 3, 4}), ints({2})}, nullptr, 0},
    {"reduce_l1", "ReduceL1", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {2}; }, 0},
    {"reduce_sum_square", "ReduceSumSquare", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {1}; }, 0.02},
    {"reduce_l2", "ReduceL2", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {2}; a.ints["keepdims"] = 0; }, 0.02},
    {"reduce_log_sum", "ReduceLogSum", {act({2, 3, 4}, 0.5, 2)}, [](auto& a) { a.int_lists["axes"] = {2}; }, 0.02},
    {"reduce_log_sum_exp", "ReduceLogSumExp", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {2}; }, 0.02},
    {"reshape", "Reshape", {act({2, 3, 4}), ints({4, -1})}, nullptr, 0},
    {"flatten", "Flatten", {act({2, 3, 4})}, [](auto& a) { a.ints["axis"] = 2; }, 0},
    {"transpose", "Transpose", {act({2, 3, 4})}, [](auto& a) { a.int_lists["perm"] = {1, 0, 2}; }, 0},
    {"concat", "Concat", {act({2, 3}), act({2, 2})}, [](auto& a) { a.ints["axis"] = 1; }, 0},
    {"slice", "Slice", {act({4, 5}), ints({1, 4}), ints({4, 0}), ints({0, 1}), ints({2, -1})}, nullptr, 0},
    {"gather_const_idx", "Gather", {act({5, 3}), ints({4, 0, 4})}, nullptr, 0},
    {"gather_tokens", "Gather", {cst({6, 4}), In{{1, 3}, false, {}, 0, 5, DType::kInt}}, nullptr, 1e-4},
    {"split", "Split", {act({2, 6}), ints({2, 4})}, [](auto& a) { a.ints["axis"] = 1; }, 0, 17, 2},
    {"squeeze", "Squeeze", {act({2, 1, 3}), ints({1})}, nullptr, 0},
    {"unsqueeze", "Unsqueeze", {act({2, 3}), ints({0})}, nullptr, 0},
    {"pad_constant", "Pad", {act({2, 3}), ints({1, 0, 0, 2}), In{{1}, true, {0.5}}}, nullptr, 0},
    {"pad_reflect", "Pad", {act({3, 3}), ints({1, 1, 1, 1})}, [](auto& a) { a.strings["mode"] = "reflect"; }, 0},
    {"clip", "Clip", {act({3, 4}), In{{}, true, {-0.5}}, In{{}, true, {1.0}}}, nullptr, 0},
    {"identity", "Identity", {act({3, 4})}, nullptr, 0},
    {"cast", "Cast", {act({3, 4})}, [](auto& a) { a.ints["to"] = 1; }, 0},
    {"abs", "Abs", {act({3, 4})}, nullptr, 0},
    {"neg", "Neg", {act({3, 4})}, nullptr, 0},
    {"reduce_max", "ReduceMax", {act({2, 3, 4})}, [](auto& a) { a.int_lists["axes"] = {2}; }, 0},
    {"reduce_min", "ReduceMin", {act({2, 3, 4})}, [](auto& a) { a.ints["keepdims"] = 0; }, 0},
    {"log", "Log", {act({3, 4}, 0.1, 4)}, nullptr, 0.02},
    {"elu", "Elu", {act({3, 4})}},
    {"hard_sigmoid", "HardSigmoid", {act({3, 4}, -4, 4)}},
    {"mean", "Mean", {act({2, 3}), act({2, 1}, -6, 6)}, nullptr, 0.005},
    {"sum", "Sum", {act({2, 3}), act({3}, -6, 6)}, nullptr, 0.005},
    // op_unary_math.cc: table lookups.
    {"softplus", "Softplus", {act({3, 4}, -4, 4)}},
    {"softsign", "Softsign", {act({3, 4}, -4, 4)}},
    {"mish", "Mish", {act({3, 4}, -4, 4)}, nullptr, 0.01},
    {"selu", "Selu", {act({3, 4})}, nullptr, 0.01},
    {"celu", "Celu", {act({3, 4})}, [](auto& a) { a.floats["alpha"] = 0.5; }, 0.01},
    {"thresholded_relu", "ThresholdedRelu", {act({3, 4})}, [](auto& a) { a.floats["alpha"] = 0.3; }, 0.01},
    {"hard_swish", "HardSwish", {act({3, 4}, -5, 5)}, nullptr, 0.01},
    {"shrink", "Shrink", {act({3, 4})}, [](auto& a) { a.floats["bias"] = 0.25; a.floats["lambd"] = 0.75; }, 0.01},
    {"gelu", "Gelu", {act({3, 4}, -3, 3)}, nullptr, 0.01, 20},
    {"gelu_tanh", "Gelu", {act({3, 4}, -3, 3)}, [](auto& a) { a.strings["approximate"] = "tanh"; }, 0.01, 20},
    {"sign", "Sign", {act({3, 4})}, nullptr, 0},
    {"floor", "Floor", {act({3, 4}, -3, 3)}, nullptr, 0},
    {"ceil", "Ceil", {act({3, 4}, -3, 3)}, nullptr, 0},
    {"round", "Round", {act({3, 4}, -3, 3)}, nullptr, 0},
    {"sin", "Sin", {act({3, 4}, -3, 3)}, nullptr, 0.01},
    {"cos", "Cos", {act({3, 4}, -3, 3)}, nullptr, 0.01},
    {"tan", "Tan", {act({3, 4}, -1.2, 1.2)}, nullptr, 0.05},
    {"atan", "Atan", {act({3, 4}, -3, 3)}, nullptr, 0.01},
    {"sinh", "Sinh", {act({3, 4})}, nullptr, 0.02},
    {"cosh", "Cosh", {act({3, 4})}, nullptr, 0.02},
    {"asinh", "Asinh", {act({3, 4}, -3, 3)}, nullptr, 0.01},
    {"asin", "Asin", {act({3, 4}, -0.9, 0.9)}, nullptr, 0.02},
    {"acos", "Acos", {act({3, 4}, -0.9, 0.9)}, nullptr, 0.02},
    {"atanh", "Atanh", {act({3, 4}, -0.9, 0.9)}, nullptr, 0.05},
    {"acosh", "Acosh", {act({3, 4}, 1.1, 3)}, nullptr, 0.02},
    {"reciprocal", "Reciprocal", {act({3, 4}, 0.5, 3)}, nullptr, 0.02},
    // A range whose 10 % margin would reach 0 or below: the table stays on the calibrated sign's side.
    {"max_three_broadcast", "Max", {act({3, 4}), act({4}), act({3, 1})}, nullptr, 0.005},
    {"min_two", "Min", {act({3, 4}), act({3, 4})}, nullptr, 0.005},
    {"max_one", "Max", {act({3, 4})}, nullptr, 0},
    {"reciprocal_wide", "Reciprocal", {act({3, 4}, 0.25, 4)}, nullptr, 0.1},
    {"reciprocal_negative", "Reciprocal", {act({3, 4}, -4, -0.25)}, nullptr, 0.1},
    {"tan_branch", "Tan", {act({3, 4}, 2, 4)}, nullptr, 0.05},
    {"expand", "Expand", {act({3, 1}), ints({2, 3, 4})}, nullptr, 0},
    {"tile", "Tile", {act({2, 3}), ints({2, 1})}, nullptr, 0},
    {"less", "Less", {act({3, 4}), act({3, 4})}, nullptr, 0},
    {"less_const", "Less", {act({3, 4}), In{{4}, true, {0.5, -0.3, 1.1, 0.0}}}, nullptr, 0},
    {"less_or_equal", "LessOrEqual", {In{{1}, true, {0.25}}, act({3, 4})}, nullptr, 0},
    {"greater", "Greater", {act({3, 4}), act({1, 4})}, nullptr, 0},
    {"greater_or_equal", "GreaterOrEqual", {act({3, 4}), In{{3, 1}, true, {-1.5, 0.125, 0.7}}}, nullptr, 0},
    {"equal", "Equal", {In{{3, 4}, false, {}, -3, 3, DType::kInt}, In{{4}, false, {}, -3, 3, DType::kInt}}, nullptr, 0},
    {"not", "Not", {In{{3, 4}, false, {}, 0, 2, DType::kBool}}, nullptr, 0},
    {"and", "And", {In{{3, 4}, false, {}, 0, 2, DType::kBool}, In{{3, 4}, false, {}, 0, 2, DType::kBool}}, nullptr, 0},
    {"or", "Or", {In{{3, 4}, false, {}, 0, 2, DType::kBool}, In{{1, 4}, false, {}, 0, 2, DType::kBool}}, nullptr, 0},
    {"xor", "Xor", {In{{3, 4}, false, {}, 0, 2, DType::kBool}, In{{3, 4}, false, {}, 0, 2, DType::kBool}}, nullptr, 0},
    {"where", "Where", {In{{3, 4}, false, {}, 0, 2, DType::kBool}, act({3, 4}), act({1, 4}, -8, 8)}, nullptr, 0},
    {"where_const", "Where", {In{{3, 4}, false, {}, 0, 2, DType::kBool}, cst({1}), cst({1}, -4, 4)}},
    {"arg_max", "ArgMax", {act({3, 5})}, [](auto& a) { a.ints["axis"] = 1; }, 0},
    {"arg_max_last", "ArgMax", {In{{4, 3}, false, {}, -2, 2, DType::kInt}}, [](auto& a) { a.ints["select_last_index"] = 1; a.ints["keepdims"] = 0; }, 0},
    {"arg_min", "ArgMin", {act({2, 3, 4})}, [](auto& a) { a.ints["axis"] = -1; }, 0},
    {"gather_elements", "GatherElements", {act({3, 4}), In{{3, 5}, true, {0, 3, 1, 2, 2, -1, 0, 0, 3, 1, 2, 1, 0, 3, 3}, 0, 0, DType::kInt}}, [](auto& a) { a.ints["axis"] = 1; }, 0},
    {"one_hot", "OneHot", {In{{2, 3}, false, {}, -4, 4, DType::kInt}, ints({4}), In{{2}, true, {-0.5, 2.0}}}, [](auto& a) { a.ints["axis"] = 1; }, 0},
    {"trilu_upper", "Trilu", {act({3, 4})}, nullptr, 0},
    {"trilu_lower_k", "Trilu", {act({2, 3, 5}), ints({1})}, [](auto& a) { a.ints["upper"] = 0; }, 0},
    // GatherND / ScatterND / ScatterElements / Scatter are lowered by the quantizer
    // (graph/lower_moves.h): constant indices to data movement, computed ones to one-hot products.
    {"gather_nd", "GatherND", {act({3, 4, 5}), In{{2, 2, 2}, true, {0, 1, 2, 3, 2, 0, 1, -1}, 0, 0, DType::kInt}}, nullptr, 0},
    {"gather_nd_computed", "GatherND", {act({3, 4, 5}), In{{4, 2}, false, {}, 0, 3, DType::kInt}}, nullptr, 0},
    {"scatter_nd", "ScatterND", {act({4, 3}), In{{2, 1}, true, {3, 1}, 0, 0, DType::kInt}, act({2, 3}, -8, 8)}, nullptr, 0},
    {"scatter_nd_add_computed", "ScatterND", {act({4, 3}), In{{3, 1}, false, {}, 0, 4, DType::kInt}, act({3, 3})},
     [](auto& a) { a.strings["reduction"] = "add"; }, 0},
    {"scatter_elements", "ScatterElements", {act({3, 4}), In{{2, 4}, true, {0, 2, 1, -1, 2, 0, 0, 1}, 0, 0, DType::kInt}, act({2, 4})}, nullptr, 0},
    {"scatter_elements_add_computed", "ScatterElements", {act({3, 4}), In{{3, 2}, false, {}, 0, 4, DType::kInt}, act({3, 2})},
     [](auto& a) { a.ints["axis"] = 1; a.strings["reduction"] = "add"; }, 0},
    {"scatter", "Scatter", {act({3, 4}), In{{1, 4}, true, {2, 0, 1, 2}, 0, 0, DType::kInt}, act({1, 4})}, nullptr, 0},
    {"top_k", "TopK", {act({3, 6}), ints({4})}, nullptr, 0, 17, 2},
    {"top_k_smallest_axis0", "TopK", {act({5, 2}), ints({2})}, [](auto& a) { a.ints["axis"] = 0; a.ints["largest"] = 0; }, 0},
    // Rewritten by the quantizer into proven ops (graph/lower_composites.h).
    {"log_softmax", "LogSoftmax", {act({3, 7}, -5, 5)}, nullptr, 0.03},
    {"log_softmax_opset11", "LogSoftmax", {act({2, 3, 4}, -5, 5)}, [](auto& a) { a.ints["axis"] = 1; }, 0.03, 11},
    {"log_softmax_axis0", "LogSoftmax", {act({4, 3}, -5, 5)}, [](auto& a) { a.ints["axis"] = 0; }, 0.03},
    {"dropout", "Dropout", {act({3, 4})}, nullptr, 0},
    {"cast_like", "CastLike", {act({3, 4}), cst({1})}, nullptr, 0, 15},
    {"global_max_pool", "GlobalMaxPool", {act({1, 3, 4, 4})}, nullptr, 0},
    {"instance_norm", "InstanceNormalization", {act({2, 3, 4, 4}), cst({3}), cst({3})}, nullptr, 0.02},
    {"mean_variance_norm", "MeanVarianceNormalization", {act({2, 3, 4, 4})}, nullptr, 0.02},
    {"hardmax", "Hardmax", {act({3, 5})}, nullptr, 0},
    {"hardmax_opset11", "Hardmax", {act({2, 3, 4})}, nullptr, 0, 11},
    {"cum_sum", "CumSum", {act({3, 5}), ints({1})}, nullptr, 0.01},
    {"cum_sum_reverse_exclusive", "CumSum", {act({4, 3}), ints({0})}, [](auto& a) { a.ints["reverse"] = 1; a.ints["exclusive"] = 1; }, 0.01},
    {"depth_to_space", "DepthToSpace", {act({1, 8, 2, 3})}, [](auto& a) { a.ints["blocksize"] = 2; }, 0},
    {"depth_to_space_crd", "DepthToSpace", {act({1, 8, 2, 3})}, [](auto& a) { a.ints["blocksize"] = 2; a.strings["mode"] = "CRD"; }, 0},
    {"space_to_depth", "SpaceToDepth", {act({1, 2, 4, 6})}, [](auto& a) { a.ints["blocksize"] = 2; }, 0},
    {"compress", "Compress", {act({4, 3}), In{{4}, true, {1, 0, 1, 1}, 0, 0, DType::kBool}}, [](auto& a) { a.ints["axis"] = 0; }, 0},
    {"compress_flat", "Compress", {act({2, 3}), In{{5}, true, {0, 1, 1, 0, 1}, 0, 0, DType::kBool}}, nullptr, 0},
    {"einsum_matmul", "Einsum", {act({3, 4}), act({4, 2})}, [](auto& a) { a.strings["equation"] = "ij,jk->ik"; }, 0.01, 12},
    {"einsum_attention", "Einsum", {act({2, 3, 4}), cst({2, 5, 4})}, [](auto& a) { a.strings["equation"] = "bqd,bkd->bqk"; }, 0.01, 12},
    {"einsum_diagonal", "Einsum", {act({2, 3, 3}), cst({3, 4})}, [](auto& a) { a.strings["equation"] = "bii,ik->bk"; }, 0.01, 12},
    {"einsum_transpose_sum", "Einsum", {act({3, 4, 2})}, [](auto& a) { a.strings["equation"] = "ijk->ki"; }, 0.005, 12},
    {"layer_norm_stats", "LayerNormalization", {act({2, 8}), cst({8}), cst({8})}, nullptr, 0.02, 17, 3},
    {"pow_tensor_exponent", "Pow", {act({2, 3}, 0.5, 2), act({2, 3}, -1, 2)}, nullptr, 0.02},
    {"quantize_linear_uint8", "QuantizeLinear", {act({2, 3}, -1, 3)},
     [](auto& a) { a.floats["zkinfer_scale"] = 0.02; a.ints["zkinfer_zero_point"] = 100; a.ints["output_dtype"] = 2; }, 1.0, 13},
    {"quantize_linear_int8", "QuantizeLinear", {act({2, 4}, -3, 3)},
     [](auto& a) { a.floats["zkinfer_scale"] = 0.05; a.ints["zkinfer_zero_point"] = -3; a.ints["output_dtype"] = 3; }, 1.0, 13},
    {"quantize_linear_axis", "QuantizeLinear",
     {act({2, 3, 2}, -2, 2), In{{3}, true, {0.02, 0.05, 0.1}}, In{{3}, true, {128, 100, 0}, 0, 0, DType::kInt}},
     [](auto& a) { a.ints["output_dtype"] = 2; }, 1.0, 13},
    {"dequantize_linear", "DequantizeLinear", {In{{2, 3}, false, {}, 0, 256, DType::kInt}, In{{}, true, {0.02}}, In{{}, true, {100}, 0, 0, DType::kInt}}, nullptr, 0.005, 13},
    {"dequantize_linear_axis", "DequantizeLinear", {In{{2, 3, 2}, false, {}, -128, 128, DType::kInt}, In{{3}, true, {0.01, 0.02, 0.05}}, In{{3}, true, {0, -3, 7}, 0, 0, DType::kInt}}, nullptr, 0.005, 13},
    // Resize / Upsample are lowered by the quantizer (graph/lower_moves.h): a Gather per nearest
    // axis, a constant interpolation MatMul per linear or cubic axis.
    {"resize_nearest", "Resize", {act({1, 2, 3, 4}), cst({0}), In{{4}, true, {1, 1, 2, 1.5}}}, nullptr, 0},
    {"resize_linear", "Resize", {act({1, 2, 3, 4}), cst({0}), In{{4}, true, {1, 1, 2, 2}}},
     [](auto& a) { a.strings["mode"] = "linear"; }, 0.01},
    {"resize_cubic_sizes", "Resize", {act({1, 2, 4, 4}), cst({0}), cst({0}), ints({1, 2, 7, 3})},
     [](auto& a) { a.strings["mode"] = "cubic"; a.strings["coordinate_transformation_mode"] = "align_corners"; }, 0.02},
    {"resize_crop_extrapolate", "Resize", {act({1, 1, 4, 4}), In{{8}, true, {0, 0, 0.2, -0.3, 1, 1, 1.1, 0.9}}, cst({0}), ints({1, 1, 3, 5})},
     [](auto& a) { a.strings["mode"] = "linear"; a.strings["coordinate_transformation_mode"] = "tf_crop_and_resize";
                   a.floats["extrapolation_value"] = 0.5; }, 0.01},
    // 1-D, dilated and 3-D pools are rewritten into 2-D ones (graph/lower_moves.h).
    {"max_pool_1d_dilated", "MaxPool", {act({1, 2, 11})},
     [](auto& a) { a.int_lists["kernel_shape"] = {3}; a.int_lists["dilations"] = {2}; a.int_lists["pads"] = {1, 2}; }, 0},
    {"max_pool_indices", "MaxPool", {act({2, 2, 5, 6})},
     [](auto& a) { a.int_lists["kernel_shape"] = {2, 3}; a.int_lists["strides"] = {2, 2}; a.int_lists["pads"] = {1, 1, 0, 1}; },
     0, 17, 2},
    {"max_pool_3d", "MaxPool", {act({1, 2, 4, 5, 4})},
     [](auto& a) { a.int_lists["kernel_shape"] = {2, 2, 2}; a.int_lists["strides"] = {2, 1, 2}; }, 0},
    {"avg_pool_3d", "AveragePool", {act({1, 2, 4, 5, 4})},
     [](auto& a) { a.int_lists["kernel_shape"] = {2, 3, 2}; a.int_lists["pads"] = {1, 1, 0, 0, 1, 1}; a.ints["count_include_pad"] = 1; }, 0.01},
    {"lrn", "LRN", {act({1, 5, 3, 3})}, [](auto& a) { a.ints["size"] = 3; a.floats["alpha"] = 0.5; a.floats["bias"] = 1.5; }, 0.01},
    {"max_unpool", "MaxUnpool", {act({1, 1, 2, 2}), In{{1, 1, 2, 2}, true, {1, 6, 8, 15}, 0, 0, DType::kInt}},
     [](auto& a) { a.int_lists["kernel_shape"] = {2, 2}; a.int_lists["strides"] = {2, 2}; }, 0},
    {"upsample_nearest", "Upsample", {act({1, 2, 3, 3}), In{{4}, true, {1, 1, 2, 3}}}, nullptr, 0, 9},
    {"nll_loss_mean", "NegativeLogLikelihoodLoss", {act({3, 5}), In{{3}, true, {1, 4, 0}, 0, 0, DType::kInt}}, nullptr, 0.01, 13},
    {"nll_loss_none_weight_ignore", "NegativeLogLikelihoodLoss",
     {act({2, 4, 3}), In{{2, 3}, true, {0, 3, -1, 2, -1, 1}, 0, 0, DType::kInt}, cst({4}, 0.2, 1)},
     [](auto& a) { a.strings["reduction"] = "none"; a.ints["ignore_index"] = -1; }, 0.01, 13},
    {"nll_loss_mean_weight", "NegativeLogLikelihoodLoss",
     {act({2, 3, 2}), In{{2, 2}, true, {0, 2, 1, 1}, 0, 0, DType::kInt}, cst({3}, 0.2, 1)}, nullptr, 0.01, 13},
    {"sce_sum", "SoftmaxCrossEntropyLoss", {act({3, 5}, -3, 3), In{{3}, true, {2, 0, 4}, 0, 0, DType::kInt}},
     [](auto& a) { a.strings["reduction"] = "sum"; }, 0.05, 13},
    {"sce_mean_log_prob", "SoftmaxCrossEntropyLoss",
     {act({2, 4, 3}, -3, 3), In{{2, 3}, true, {0, 3, 5, 2, 1, 1}, 0, 0, DType::kInt}, cst({4}, 0.2, 1)},
     [](auto& a) { a.ints["ignore_index"] = 5; }, 0.05, 13, 2},
    {"reduce_prod_axis", "ReduceProd", {act({3, 5, 2}, 0.5, 1.5)}, [](auto& a) { a.int_lists["axes"] = {1}; }, 0.03, 13},
    {"reduce_prod_all", "ReduceProd", {act({2, 3}, -1.5, 1.5)}, [](auto& a) { a.ints["keepdims"] = 0; }, 0.03, 13},
    {"mod_python", "Mod", {In{{3, 4}, false, {}, -40, 40, DType::kInt}, In{{4}, true, {3, -5, 7, -2}, 0, 0, DType::kInt}}, nullptr, 0},
    {"mod_fmod", "Mod", {In{{3, 4}, false, {}, -40, 40, DType::kInt}, In{{3, 1}, true, {3, -5, 7}, 0, 0, DType::kInt}},
     [](auto& a) { a.ints["fmod"] = 1; }, 0},
    {"cast_bool", "Cast", {In{{3, 4}, false, {}, 0, 2, DType::kBool}}, [](auto& a) { a.ints["to"] = 1; }, 0},
    {"nll_loss_computed_target", "NegativeLogLikelihoodLoss", {act({3, 5}), In{{3}, false, {}, 0, 4, DType::kInt}, cst({5}, 0.2, 1)},
     [](auto& a) { a.ints["ignore_index"] = 2; a.strings["reduction"] = "sum"; }, 0.02, 13},
    {"matmul_integer", "MatMulInteger",
     {In{{2, 4}, false, {}, 0, 255, DType::kInt}, In{{4, 3}, true, {12, -100, 97, 127, 0, -128, 64, 77, -1, 8, 3, -50}, 0, 0, DType::kInt},
      In{{}, true, {128}, 0, 0, DType::kInt}, In{{}, true, {2}, 0, 0, DType::kInt}}, nullptr, 0, 10},
    {"qlinear_matmul", "QLinearMatMul",
     {In{{2, 4}, false, {}, 0, 255, DType::kInt}, In{{}, true, {0.05}}, In{{}, true, {128}, 0, 0, DType::kInt},
      In{{4, 3}, true, {12, 200, 97, 255, 0, 131, 64, 77, 190, 128, 3, 250}, 0, 0, DType::kInt}, In{{3}, true, {0.02, 0.01, 0.03}},
      In{{3}, true, {120, 128, 100}, 0, 0, DType::kInt}, In{{}, true, {0.1}}, In{{}, true, {100}, 0, 0, DType::kInt}}, nullptr, 1, 10},
    {"conv_integer", "ConvInteger",
     {In{{1, 2, 4, 4}, false, {}, 0, 255, DType::kInt}, In{{3, 2, 3, 3}, true, {}, -100, 100, DType::kInt},
      In{{}, true, {128}, 0, 0, DType::kInt}, In{{3}, true, {1, 0, -2}, 0, 0, DType::kInt}},
     [](auto& a) { a.int_lists["pads"] = {1, 1, 1, 1}; }, 0, 10},
    {"qlinear_conv", "QLinearConv",
     {In{{1, 2, 4, 4}, false, {}, 0, 255, DType::kInt}, In{{}, true, {0.05}}, In{{}, true, {128}, 0, 0, DType::kInt},
      In{{3, 2, 3, 3}, true, {}, -100, 100, DType::kInt}, In{{3}, true, {0.01, 0.02, 0.005}}, In{{3}, true, {0, 0, 0}, 0, 0, DType::kInt},
      In{{}, true, {0.2}}, In{{}, true, {110}, 0, 0, DType::kInt}, In{{3}, true, {100, -400, 2000}, 0, 0, DType::kInt}},
     [](auto& a) { a.int_lists["strides"] = {2, 2}; }, 1, 10},
};

double uniform(TestRng& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng.next_u64() >> 11) * 0x1p-53;
}

graph::Graph one_node_graph(const OpCase& c, TestRng& rng) {
  graph::Graph g;
  g.source = c.name;
  g.opset = c.opset;
  ops::Node n;
  n.name = c.name;
  n.op_type = c.op;
  n.opset = c.opset;
  if (c.attrs) c.attrs(n.attrs);
  for (size_t i = 0; i < c.in.size(); ++i) {
    const In& in = c.in[i];
    graph::TensorInfo t;
    t.name = "in" + std::to_string(i);
    t.shape = in.shape;
    t.dtype = in.dtype;
    if (in.is_const) {
      t.is_const = true;
      t.value = ops::FTensor(in.shape, in.dtype);
      for (size_t k = 0; k < t.value.data.size(); ++k)
        t.value.data[k] = in.values.empty() ? (in.dtype != DType::kFloat ? std::floor(uniform(rng, in.lo, in.hi)) : uniform(rng, in.lo, in.hi))
                                            : in.values[k];
    }
    int id = g.add_tensor(std::move(t));
    if (!in.is_const) g.inputs.push_back(id);
    n.inputs.push_back(id);
  }
  for (int o = 0; o < c.outputs; ++o) {
    graph::TensorInfo t;
    t.name = "out" + std::to_string(o);
    int id = g.add_tensor(std::move(t));
    n.outputs.push_back(id);
    g.outputs.push_back(id);
  }
  g.nodes.push_back(std::move(n));
  return g;
}

std::vector<graph::Sample> random_samples(const OpCase& c, TestRng& rng, int count) {
  std::vector<graph::Sample> v;
  for (int s = 0; s < count; ++s) {
    graph::Sample smp;
    for (const In& in : c.in) {
      if (in.is_const) continue;
      std::vector<double> x(static_cast<size_t>(ops::numel(in.shape)));
      for (auto& e : x) {
        e = uniform(rng, in.lo, in.hi);
        if (in.dtype != DType::kFloat) e = std::floor(e);
      }
      smp.inputs.push_back(std::move(x));
    }
    v.push_back(std::move(smp));
  }
  return v;
}

}  // namespace

TEST(Ops, EveryOperatorHasACase) {
  std::set<std::string> covered;
  for (const auto& c : kCases) covered.insert(c.op);
  for (const auto& name : ops::OpTable::get().names()) {
    if (name == "Constant" || name == "Shape" || name == "ConstantOfShape" || name == "NonZero" || name == "Size" ||
        name == "EyeLike" || name == "Range")
      continue;  // always folded (graph_composites_test: Size, EyeLike)
    EXPECT_TRUE(covered.count(name)) << "no row in kCases for " << name;
  }
}

TEST(Ops, IntegerForwardMatchesReference) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name + " " + zkinfer::testing::seed_note());
    TestRng rng(zkinfer::testing::test_seed() ^ std::hash<std::string>{}(c.name));
    graph::Graph g = one_node_graph(c, rng);
    auto calib = random_samples(c, rng, 16);
    quant::CompiledModel m;
    try {
      m = quant::quantize(g, calib, ops::QuantConfig{});
    } catch (const Error& e) {
      ADD_FAILURE() << "quantize: " << e.what();
      continue;
    }
    double worst = 0;
    for (const auto& s : calib) {
      auto fin = graph::make_inputs(m.graph, s.inputs, c.name);
      auto qin = quant::quantize_inputs(m, fin);
      std::vector<ops::FTensor> deq;
      for (const auto& q : qin) deq.push_back(quant::dequantize(q));
      auto ref = graph::run_float(m.graph, deq);
      quant::Trace tr = quant::run_int(m, qin);
      auto out = tr.outputs(m);
      ASSERT_EQ(out.size(), ref.size());
      for (size_t k = 0; k < out.size(); ++k) {
        ops::FTensor q = quant::dequantize(out[k]);
        ASSERT_EQ(q.shape, ref[k].shape);
        for (int64_t i = 0; i < q.size(); ++i) worst = std::max(worst, std::fabs(q.data[i] - ref[k].data[i]));
      }
      for (const auto& node_aux : tr.aux)
        for (const auto& [label, t] : node_aux)
          if (label.size() > 4 && label.substr(label.size() - 4) == ".rem") {
            for (auto r : t.data) ASSERT_GE(r, 0) << label;
          }
    }
    std::printf("%-22s max abs error %.3g (tolerance %.3g)\n", c.name.c_str(), worst, c.tol);
    EXPECT_LE(worst, c.tol) << c.name;
  }
}

// Reciprocal over 0 and Tan across a pole have no table, a Div by a computed divisor reaching 0
// or below no proof: quantize refuses the node by name.
TEST(Ops, UnboundedTablesAreRefused) {
  const std::vector<OpCase> refused = {
      {"reciprocal_over_zero", "Reciprocal", {act({3, 4}, -1, 1)}},
      {"tan_across_pole", "Tan", {act({3, 4}, 1, 2)}},
      {"div_by_mixed_signs", "Div", {act({3, 4}), act({3, 4}, -2, 2)}},
  };
  for (const auto& c : refused) {
    SCOPED_TRACE(c.name + " " + zkinfer::testing::seed_note());
    TestRng rng(zkinfer::testing::test_seed() ^ std::hash<std::string>{}(c.name));
    graph::Graph g = one_node_graph(c, rng);
    auto calib = random_samples(c, rng, 16);
    try {
      quant::quantize(g, calib, ops::QuantConfig{});
      ADD_FAILURE() << c.name << " was quantized";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(c.op == "Tan" ? "pole" : "reaches 0"), std::string::npos) << what;
      EXPECT_NE(what.find(c.op), std::string::npos) << what;
    }
  }
}

// The rounding primitives satisfy the relations the prover checks, on random values.
TEST(Ops, RoundingPrimitives) {
  SCOPED_TRACE(zkinfer::testing::seed_note());
  TestRng rng(zkinfer::testing::test_seed());
  for (int i = 0; i < 20000; ++i) {
    int64_t x = static_cast<int64_t>(rng.next_u64() >> 20) - (int64_t{1} << 43);
    int k = static_cast<int>(rng.next_u64() % 30);
    int64_t r;
    int64_t q = ops::rescale_round(x, k, &r);
    if (k == 0) {
      EXPECT_EQ(q, x);
      continue;
    }
    ASSERT_EQ(x + (int64_t{1} << (k - 1)), q * (int64_t{1} << k) + r);
    ASSERT_TRUE(r >= 0 && r < (int64_t{1} << k));
    // Round half up agrees with floor(x / 2^k + 1/2) in exact rational arithmetic.
    long double exact = std::floor(static_cast<long double>(x) / std::ldexp(1.0L, k) + 0.5L);
    ASSERT_EQ(static_cast<long double>(q), exact);
    int64_t b = static_cast<int64_t>(rng.next_u64() % 1000) - 500;
    if (b == 0) continue;
    int64_t a = x >> 10;
    int64_t dq = ops::div_round(a, b, &r);
    int64_t bb = b < 0 ? -b : b, aa = b < 0 ? -a : a;
    ASSERT_EQ(2 * aa + bb, dq * 2 * bb + r);
    ASSERT_TRUE(r >= 0 && r < 2 * bb);
  }
}
