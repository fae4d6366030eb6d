// The internal graph shared by the float executor, the quantizer, the integer executor and the
// prover: tensors (name, shape, type, constant value) and nodes (ops::Node) in topological order.
// Built from ONNX by onnx_loader.h; every node's op type is in ops::OpTable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/tensor.h"

namespace zkinfer::graph {

struct TensorInfo {
  std::string name;
  ops::Shape shape;            // fixed after loading (symbolic dimensions bound), -1 where unknown
  ops::DType dtype = ops::DType::kFloat;
  bool is_const = false;
  ops::FTensor value;          // constants only
};

struct Graph {
  std::string source;          // file the graph came from (for messages)
  int opset = 0;
  std::vector<TensorInfo> tensors;
  std::vector<ops::Node> nodes;   // topological order
  std::vector<int> inputs;        // runtime inputs (tensor ids)
  std::vector<int> outputs;

  int find(const std::string& name) const;  // -1 when absent
  int add_tensor(TensorInfo t);
};

// The bytes of a file, or Error("<path>: ...").
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace zkinfer::graph
