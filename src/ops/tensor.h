// Tensors and nodes shared by the float executor, the quantizer, the integer executor and (later)
// the prover: a shape plus a flat row-major vector of values. Float tensors hold doubles (ONNX
// integer tensors such as indices and shapes are held exactly as doubles below 2^53); integer
// tensors hold int64 values whose real value is data * 2^-scale (DESIGN.md section 4).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zkinfer::ops {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar). Dimensions are non-negative by construction.
inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s);

// Element count of a shape about to be allocated; throws zkinfer::Error for negative dimensions or
// more than 2^31 elements (a malformed model must not exhaust memory).
size_t checked_size(const Shape& s);

// Element type as seen by the model: real-valued (quantized in the integer model), integer
// (indices, token ids, shapes: exact, scale 0), or boolean.
enum class DType : uint8_t { kFloat = 0, kInt = 1, kBool = 2 };

template <class T>
struct Tensor {
  Shape shape;
  std::vector<T> data;
  DType dtype = DType::kFloat;
  int scale = 0;  // integer tensors only: fractional bits (real = data / 2^scale)

  Tensor() = default;
  Tensor(Shape s, DType dt = DType::kFloat) : shape(std::move(s)), data(checked_size(shape)), dtype(dt) {}
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int rank() const { return static_cast<int>(shape.size()); }
};

using FTensor = Tensor<double>;
using ITensor = Tensor<int64_t>;

// ONNX node attributes, by kind.
struct Attributes {
  std::map<std::string, int64_t> ints;
  std::map<std::string, double> floats;
  std::map<std::string, std::string> strings;
  std::map<std::string, std::vector<int64_t>> int_lists;
  std::map<std::string, std::vector<double>> float_lists;
  std::map<std::string, FTensor> tensors;
  std::map<std::string, std::vector<std::string>> string_lists;  // ONNX-ML (nodes_modes, class labels)

  int64_t get_int(const std::string& k, int64_t def) const {
    auto it = ints.find(k);
    return it == ints.end() ? def : it->second;
  }
  double get_float(const std::string& k, double def) const {
    auto it = floats.find(k);
    return it == floats.end() ? def : it->second;
  }
  std::string get_string(const std::string& k, const std::string& def) const {
    auto it = strings.find(k);
    return it == strings.end() ? def : it->second;
  }
  std::vector<int64_t> get_ints(const std::string& k, std::vector<int64_t> def = {}) const {
    auto it = int_lists.find(k);
    return it == int_lists.end() ? def : it->second;
  }
  bool has(const std::string& k) const {
    return ints.count(k) || floats.count(k) || strings.count(k) || int_lists.count(k) ||
           float_lists.count(k) || tensors.count(k);
  }
};

// One operation of the graph. inputs/outputs are tensor ids of the owning graph; an absent
// optional input is -1.
struct Node {
  std::string name;
  std::string op_type;
  int opset = 0;  // the opset of the default ONNX domain the model was exported with
  std::vector<int> inputs;
  std::vector<int> outputs;
  Attributes attrs;
};

}  // namespace zkinfer::ops
