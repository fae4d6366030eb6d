// Small ONNX models built in tests (onnx protobuf): initializers, graph inputs and outputs, nodes
// with attributes, serialization. Shared by the whole-model proof tests that build their models.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/random.h"

namespace zkinfer::test_onnx {

inline void add_init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, const std::vector<float>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float f : v) t->add_float_data(f);
}

inline void add_init_i64(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                         const std::vector<int64_t>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t f : v) t->add_int64_data(f);
}

inline void add_io(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims,
                   int type = onnx::TensorProto::FLOAT) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(type);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

// A node named after its first output (add_node_outs: several outputs).
inline onnx::NodeProto* add_node_outs(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                                      std::vector<std::string> out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(out[0] + "_node");
  for (auto& s : in) n->add_input(s);
  for (auto& s : out) n->add_output(s);
  return n;
}
inline onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                                 const std::string& out) {
  return add_node_outs(g, op, std::move(in), std::vector<std::string>{out});
}

inline void set_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

inline std::vector<uint8_t> serialize(const onnx::ModelProto& m) {
  std::string bytes;
  m.SerializeToString(&bytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

// n values uniform in [-scale, scale] (steps of scale / 1000).
inline std::vector<float> rnd(TestRng& rng, size_t n, double scale) {
  std::vector<float> v(n);
  for (auto& f : v) f = static_cast<float>(scale * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0));
  return v;
}

}  // namespace zkinfer::test_onnx
