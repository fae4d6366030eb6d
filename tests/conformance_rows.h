// The protocol conformance table (issue 11, item 6): one row per node kind and shape, each a small
// ONNX model built here around that node (the node's input is the model input x, or x after one
// node that gives the node the input kind it needs), with the shapes and attributes the row names.
// The same rows drive the conformance harness (src/proof/conformance_test.cc: honest proofs verify
// in every visibility mode, every claim is its tensor's true evaluation, every field of the proof
// changed is rejected) and the layer benchmarks (bench/conformance_bench.cc).
//
// Adding a protocol means adding its rows here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zkinfer::conformance {

struct Row {
  std::string name;                 // "<op> <shape and attributes>"
  std::string op;                   // the node kind the row is for
  std::vector<int64_t> input;       // the model input's shape (one float input "x")
  double input_range = 3.0;         // calibration and test inputs are uniform in [-range, range]
  std::vector<uint8_t> onnx;        // the serialized model
};

// Every row, in a fixed order (deterministic weights: the rows are the same in every run).
const std::vector<Row>& rows();

}  // namespace zkinfer::conformance
