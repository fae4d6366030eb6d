// Memory the CLI's provers (`zkinfer prove`, `zkinfer bench`) release before proving: the prover
// reads every constant from the compiled model (proof/step.h ProverEnv::values), so the integer
// executor's trace need not keep its own copy of the weights (8 bytes a weight, 1 GB for GPT-2
// small's 124M).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "quant/int_executor.h"
#include "quant/model.h"

namespace zkinfer::cli {

// Frees the trace's copies of m's constants, except a constant that is a model output (the output
// file and Trace::outputs read it from the trace).
inline void release_trace_constants(const quant::CompiledModel& m, quant::Trace& trace) {
  for (size_t t = 0; t < m.graph.tensors.size() && t < trace.values.size(); ++t)
    if (m.graph.tensors[t].is_const &&
        std::find(m.graph.outputs.begin(), m.graph.outputs.end(), static_cast<int>(t)) == m.graph.outputs.end())
      std::vector<int64_t>().swap(trace.values[t].data);
}

}  // namespace zkinfer::cli
