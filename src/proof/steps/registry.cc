// The step table: every op the whole-model prover proves, the step file that plans, proves and
// verifies it, and which of its inputs the step range-checks (so that a rescale producing them need
// not; model_facts.h, bounded_by_consumers).
#include "proof/steps/steps.h"

namespace zkinfer::proof {
namespace {

bool any_input(const quant::CompiledModel&, size_t, size_t) { return true; }
bool first_input(const quant::CompiledModel&, size_t, size_t input) { return input == 0; }
// Pow by a table: the table's input is range-checked by the lookup.
bool table_input(const quant::CompiledModel& m, size_t node, size_t input) {
  return is_table_pow(m, node) && static_cast<int64_t>(input) == m.params[node].get("table_input");
}

const std::vector<StepEntry> kSteps = {
    // linear.cc
    {"Gemm", plan_matmul},
    {"MatMul", plan_matmul},
    {"Conv", plan_conv},
    // relu.cc, leaky_relu.cc, clip.cc, prelu.cc: sign splits
    {"Relu", plan_relu, any_input},
    {"LeakyRelu", plan_leaky_relu, any_input},
    {"Abs", plan_leaky_relu, any_input},
    {"Clip", plan_clip},
    {"PRelu", plan_prelu, first_input},
    // table.cc: lookup tables
    {"Sigmoid", plan_table, any_input},
    {"Tanh", plan_table, any_input},
    {"Erf", plan_table, any_input},
    {"Exp", plan_table, any_input},
    {"Log", plan_table, any_input},
    {"Sqrt", plan_table, any_input},
    {"Elu", plan_table, any_input},
    {"HardSigmoid", plan_table, any_input},
    {"Softplus", plan_table, any_input},  // ops/op_unary_math.cc
    {"Softsign", plan_table, any_input},  // ops/op_unary_math.cc
    {"Mish", plan_table, any_input},  // ops/op_unary_math.cc
    {"Selu", plan_table, any_input},  // ops/op_unary_math.cc
    {"Celu", plan_table, any_input},  // ops/op_unary_math.cc
    {"ThresholdedRelu", plan_table, any_input},  // ops/op_unary_math.cc
    {"HardSwish", plan_table, any_input},  // ops/op_unary_math.cc
    {"Shrink", plan_table, any_input},  // ops/op_unary_math.cc
    {"Gelu", plan_table, any_input},  // ops/op_unary_math.cc
    {"Sign", plan_table, any_input},  // ops/op_unary_math.cc
    {"Floor", plan_table, any_input},  // ops/op_unary_math.cc
    {"Ceil", plan_table, any_input},  // ops/op_unary_math.cc
    {"Round", plan_table, any_input},  // ops/op_unary_math.cc
    {"QuantizeLinear", plan_table, any_input},  // ops/op_quantize_linear.cc (lowered form)
    {"Sin", plan_table, any_input},  // ops/op_unary_math.cc
    {"Cos", plan_table, any_input},  // ops/op_unary_math.cc
    {"Tan", plan_table, any_input},  // ops/op_unary_math.cc
    {"Atan", plan_table, any_input},  // ops/op_unary_math.cc
    {"Sinh", plan_table, any_input},  // ops/op_unary_math.cc
    {"Cosh", plan_table, any_input},  // ops/op_unary_math.cc
    {"Asinh", plan_table, any_input},  // ops/op_unary_math.cc
    {"Asin", plan_table, any_input},  // ops/op_unary_math.cc
    {"Acos", plan_table, any_input},  // ops/op_unary_math.cc
    {"Atanh", plan_table, any_input},  // ops/op_unary_math.cc
    {"Acosh", plan_table, any_input},  // ops/op_unary_math.cc
    {"Reciprocal", plan_table, any_input},  // ops/op_unary_math.cc
    {"Pow", plan_table, table_input},
    // max_pool.cc, avg_pool.cc
    {"MaxPool", plan_max_pool},
    {"AveragePool", plan_avg_pool},
    {"GlobalAveragePool", plan_global_avg_pool},
    // elementwise.cc, div.cc, reduce.cc, softmax.cc, layer_norm.cc
    {"Add", plan_elementwise},
    {"Sub", plan_elementwise},
    {"Sum", plan_elementwise},   // two inputs: Add (ops/op_sum.cc)
    {"Mean", plan_elementwise},  // two inputs: Add read at one more fractional bit (ops/op_mean.cc)
    {"Mul", plan_elementwise},
    {"BatchNormalization", plan_elementwise},
    {"Div", plan_div},
    {"ReduceSum", plan_reduce},
    {"ReduceMean", plan_reduce},
    {"ReduceMax", plan_reduce},
    {"ReduceMin", plan_reduce},
    {"Softmax", plan_softmax},
    {"LayerNormalization", plan_layer_norm},
    // compare.cc: comparisons by sign bits, boolean logic and Where by broadcast products
    {"Less", plan_compare},
    {"LessOrEqual", plan_compare},
    {"Greater", plan_compare},
    {"GreaterOrEqual", plan_compare},
    {"Equal", plan_compare},
    {"Not", plan_logic},
    {"And", plan_logic},
    {"Or", plan_logic},
    {"Xor", plan_logic},
    {"Where", plan_logic},
    // argmax.cc: one-hot and range-checked gaps (the gaps bound differences, not the input)
    {"ArgMax", plan_argmax},
    {"ArgMin", plan_argmax},
    // gather_elements.cc: one-hot of the indices
    {"GatherElements", plan_gather_elements, nullptr, true},
    {"OneHot", plan_one_hot},
    // move.cc: data movement passes a bound on
    {"Neg", plan_neg, nullptr, true},
    {"Concat", plan_concat, nullptr, true},
    {"Flatten", plan_reindex, nullptr, true},
    {"Reshape", plan_reindex, nullptr, true},
    {"Identity", plan_reindex, nullptr, true},
    {"Squeeze", plan_reindex, nullptr, true},
    {"Unsqueeze", plan_reindex, nullptr, true},
    {"Cast", plan_reindex, nullptr, true},
    {"Transpose", plan_reindex, nullptr, true},
    {"Slice", plan_reindex, nullptr, true},
    {"Pad", plan_reindex, nullptr, true},
    {"Expand", plan_reindex, nullptr, true},
    {"Tile", plan_reindex, nullptr, true},
    {"Trilu", plan_reindex, nullptr, true},
    {"Gather", plan_gather, nullptr, true},  // gather.cc: by computed indices, a table lookup
};

}  // namespace

const std::vector<StepEntry>& step_table() { return kSteps; }

const StepEntry* find_step(std::string_view op) {
  for (const auto& e : kSteps)
    if (e.op == op) return &e;
  return nullptr;
}

}  // namespace zkinfer::proof
