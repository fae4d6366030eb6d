// JSON files of the front end: inputs in EZKL's layout ({"input_data": [[flat values], ...]}),
// calibration files (EZKL layout with several samples, or the "cases" layout of
// ../shared/models with named tensors and optional labels), and named float outputs
// ({"outputs": {name: {"shape", "data"}}}, as in ort_output.json). Malformed files are an Error
// naming the file and what is wrong.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/tensor.h"

namespace zkinfer::graph {

struct Sample {
  std::vector<std::vector<double>> inputs;  // flat values per graph input
  std::optional<int64_t> label;
};

// One input set in EZKL's layout.
std::vector<std::vector<double>> parse_input_json(const std::string& text, const std::string& what);

// Several samples for the graph g: EZKL layout (k inputs: the lists taken k at a time) or cases.
std::vector<Sample> parse_samples(const std::string& text, const std::string& what, const Graph& g);

// Named outputs of one run ("outputs") or of every case ("cases"[i]["outputs"]).
struct NamedTensor {
  std::string name;
  ops::FTensor value;
};
std::vector<std::vector<NamedTensor>> parse_named_outputs(const std::string& text, const std::string& what);

std::string read_text(const std::string& path);

}  // namespace zkinfer::graph
