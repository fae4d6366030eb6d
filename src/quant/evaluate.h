// Accuracy of the integer model against the float model over a set of samples: per output, the
// max and mean absolute error of the dequantized integer outputs, and for classifiers (outputs
// whose last dimension is at least 2) how often the arg-max agrees; with labels, the accuracy of
// both models (arg-max of the first output).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/json_io.h"
#include "quant/model.h"

namespace zkinfer::quant {

struct OutputError {
  std::string name;
  double max_abs = 0, mean_abs = 0;
  double max_float_abs = 0;  // the float output's largest magnitude
  bool classifier = false;
  int64_t argmax_agree = 0, argmax_rows = 0;
  // Rows where the integer model's arg-max is a float arg-max up to the output's resolution: the
  // float value at the integer's arg-max is within one output step (2^-scale) of the float maximum
  // (a tie in float that quantization breaks either way is not an error).
  int64_t argmax_near = 0;
};

struct Evaluation {
  std::vector<OutputError> outputs;
  size_t samples = 0;
  int64_t labelled = 0, float_correct = 0, int_correct = 0;
};

Evaluation evaluate(const CompiledModel& m, const std::vector<graph::Sample>& samples);

// The accuracy target of a scale chosen by compile (no --scale given): every classifier output's
// arg-max agrees with float's on every sample (up to ties within one output step: argmax_near);
// every other output's max abs error is at most 1 % of its largest float magnitude plus one
// output step. nullopt when met, else why not (output named).
std::optional<std::string> accuracy_shortfall(const CompiledModel& m, const Evaluation& ev);

// Thresholds that collapse at the model's scales: for each comparison (Less, LessOrEqual, Greater,
// GreaterOrEqual, Equal) of an activation with a constant whose activation selects input columns
// (a MatMul by a constant 0/1 matrix with one 1 per column: the GEMM form of tree ensembles,
// lower_ml.h, and Hummingbird's exports; or a Gather on the last axis by weight indices: the
// complete form's selection), two distinct thresholds on one input column must be at
// least one step (2^-scale of the compared activation) apart, else inputs between them are not
// representable and the branch between them is unreachable. nullopt when none collapse, else the
// first pair (node, column, values). Part of the accuracy target of choose_scale.
std::optional<std::string> threshold_collapse(const CompiledModel& m);

// The scales compile tries, cheapest first (8 is the default of --scale).
inline constexpr int kScaleLadder[] = {8, 10, 12, 14, 16};

struct ScaleTrial {
  int scale = 0;
  std::string outcome;  // "meets the target", the shortfall, or why the scale is infeasible
};
struct ScaleChoice {
  bool met = false;      // a scale met the target (model and eval are its); else the last feasible
  int scale = 0;
  CompiledModel model;
  Evaluation eval;
  std::vector<ScaleTrial> trials;
  std::string summary() const;  // one line per trial
};
// Quantizes g at each scale of kScaleLadder (cfg otherwise as given) until one meets the accuracy
// target on the samples. A scale is infeasible when quantization fails (an accumulator or a table
// beyond the field's and tables' limits) or `blocked` (when set) names a node without a protocol
// at that scale that had one at the first; trying stops at the first infeasible scale. Throws
// the first scale's Error when even it cannot be quantized.
ScaleChoice choose_scale(const graph::Graph& g, const std::vector<graph::Sample>& samples, ops::QuantConfig cfg,
                         const std::function<std::optional<std::string>(const CompiledModel&)>& blocked = {});

// Index of the maximum of each row of the last dimension.
std::vector<int64_t> argmax_rows(const ops::FTensor& t);

}  // namespace zkinfer::quant
