// The integer executor: runs a compiled model on quantized inputs with int64 arithmetic only
// (docs/QUANTIZATION.md). Its result is exactly what the prover proves; the Trace keeps every
// tensor and every node's intermediate values (remainders, table indices...) for the prover.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "quant/model.h"

namespace zkinfer::quant {

struct Trace {
  std::vector<ops::ITensor> values;  // by tensor id: constants, inputs and every node output
  std::vector<std::vector<std::pair<std::string, ops::ITensor>>> aux;  // by node index
  std::vector<ops::ITensor> outputs(const CompiledModel& m) const;
};

// Runs the integer model. Inputs must have the model's input shapes and fit their bit bounds;
// any value that leaves its tensor's bound is an Error naming the node.
Trace run_int(const CompiledModel& m, const std::vector<ops::ITensor>& inputs);

// Frees the trace's copies of m's constants (a prover reads every constant from the compiled
// model, proof/step.h ProverEnv::values: the copy would cost 8 bytes a weight, 1 GB for GPT-2
// small), except a constant that is a model output (Trace::outputs reads it from the trace).
// `zkinfer prove`, `zkinfer bench` and the C++/Python API's prove call it before proving.
void release_constants(const CompiledModel& m, Trace& trace);

// Encoding of float inputs at the model's input scales (round half up) and decoding of integer
// outputs; these are the only float steps around the integer executor.
std::vector<ops::ITensor> quantize_inputs(const CompiledModel& m, const std::vector<ops::FTensor>& inputs);
ops::FTensor dequantize(const ops::ITensor& t);

}  // namespace zkinfer::quant
