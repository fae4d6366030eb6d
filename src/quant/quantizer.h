// Calibration and quantization (DESIGN.md section 4, docs/QUANTIZATION.md): runs the float model
// on the calibration samples, records every tensor's range, and asks each op's planner for its
// output scale, shifts and tables; quantizes the constants at the scales chosen. Fails with an
// Error naming the node, the range seen and the limit when something cannot fit.
#pragma once

#include <vector>

#include "graph/json_io.h"
#include "quant/model.h"

namespace zkinfer::quant {

// Calibrated float range of every tensor over the samples (first sample also binds the shapes).
std::vector<ops::Range> calibrate(graph::Graph& g, const std::vector<graph::Sample>& samples);

CompiledModel quantize(graph::Graph g, const std::vector<graph::Sample>& samples, const ops::QuantConfig& cfg);

}  // namespace zkinfer::quant
