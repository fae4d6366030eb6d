// The nodes and tensors a compile-time rewrite emits in place of one node n (shared by
// graph/lower_moves.cc and graph/lower_composites.cc): fresh names derived from n's, constants,
// and nodes whose outputs are new tensors of a known shape and type (or a given tensor).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/check.h"
#include "graph/graph.h"

namespace zkinfer::graph {

struct NodeEmitter {
  Graph& g;
  const ops::Node& n;
  std::vector<ops::Node>& out;
  int counter = 0;

  NodeEmitter(Graph& graph, const ops::Node& node, std::vector<ops::Node>& emitted) : g(graph), n(node), out(emitted) {}

  std::string fresh(const std::string& what) { return n.name + "/lowered_" + what + "_" + std::to_string(counter++); }
  // By value, like everything read from g.tensors here: every constant() / emit_node() adds a
  // tensor, which may reallocate g.tensors and leave a reference into it dangling (a
  // `const Shape& s = shape(x)` bound to the copy keeps the copy alive instead).
  ops::Shape shape(int t) const { return g.tensors[t].shape; }
  ops::DType dtype(int t) const { return g.tensors[t].dtype; }
  int constant(const std::string& what, ops::Shape s, ops::DType dt, std::vector<double> data) {
    TensorInfo t;
    t.name = fresh(what);
    t.value = ops::FTensor(s, dt);
    ZKINFER_CHECK(t.value.data.size() == data.size());
    t.value.data = std::move(data);
    t.shape = std::move(s);
    t.dtype = dt;
    t.is_const = true;
    return g.add_tensor(std::move(t));
  }
  int ints(const std::string& what, const std::vector<int64_t>& v) {
    return constant(what, {static_cast<int64_t>(v.size())}, ops::DType::kInt, std::vector<double>(v.begin(), v.end()));
  }
  // One node of the given opset; its output is `to` when given, else a new tensor (s, dt).
  int emit_node(const std::string& op, int opset, std::vector<int> inputs, ops::Shape s, ops::DType dt,
                ops::Attributes a = {}, int to = -1) {
    if (to < 0) {
      TensorInfo t;
      t.name = fresh(op);
      t.shape = std::move(s);
      t.dtype = dt;
      to = g.add_tensor(std::move(t));
    }
    ops::Node m;
    m.name = fresh(op + "_node");
    m.op_type = op;
    m.opset = opset;
    m.inputs = std::move(inputs);
    m.outputs = {to};
    m.attrs = std::move(a);
    out.push_back(std::move(m));
    return to;
  }
};

}  // namespace zkinfer::graph
