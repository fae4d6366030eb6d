// Accuracy of the integer model against the float model over a set of samples: per output, the
// max and mean absolute error of the dequantized integer outputs, and for classifiers (outputs
// whose last dimension is at least 2) how often the arg-max agrees; with labels, the accuracy of
// both models (arg-max of the first output).
#pragma once

#include <string>
#include <vector>

#include "graph/json_io.h"
#include "quant/model.h"

namespace zkinfer::quant {

struct OutputError {
  std::string name;
  double max_abs = 0, mean_abs = 0;
  bool classifier = false;
  int64_t argmax_agree = 0, argmax_rows = 0;
};

struct Evaluation {
  std::vector<OutputError> outputs;
  size_t samples = 0;
  int64_t labelled = 0, float_correct = 0, int_correct = 0;
};

Evaluation evaluate(const CompiledModel& m, const std::vector<graph::Sample>& samples);

// Index of the maximum of each row of the last dimension.
std::vector<int64_t> argmax_rows(const ops::FTensor& t);

}  // namespace zkinfer::quant
