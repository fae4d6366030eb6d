// The conformance rows (conformance_rows.h): each a small opset-17 model around one node kind.
#include "conformance_rows.h"

#include <onnx/onnx_pb.h>

#include <functional>

namespace zkinfer::conformance {
namespace {

// Deterministic weights in [lo, hi] (an LCG: the rows are the same in every run and build).
class Weights {
 public:
  explicit Weights(uint64_t seed) : s_(seed) {}
  std::vector<float> uniform(size_t n, double lo, double hi) {
    std::vector<float> v(n);
    for (auto& f : v) {
      s_ = s_ * 6364136223846793005ULL + 1442695040888963407ULL;
      f = static_cast<float>(lo + (hi - lo) * static_cast<double>(s_ >> 11) / 9007199254740992.0);
    }
    return v;
  }

 private:
  uint64_t s_;
};

size_t count(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return n;
}

// A graph under construction: x (float, the row's input shape) -> nodes -> y.
class G {
 public:
  G(const std::string& name, std::vector<int64_t> in, uint64_t seed) : w_(seed) {
    m_.set_ir_version(8);
    m_.add_opset_import()->set_version(17);
    g_ = m_.mutable_graph();
    g_->set_name(name);
    io(g_->add_input(), "x", std::move(in));
  }
  // A float initializer with weights uniform in [lo, hi].
  std::string weight(const std::vector<int64_t>& dims, double lo, double hi) {
    return floats(dims, w_.uniform(count(dims), lo, hi));
  }
  std::string floats(const std::vector<int64_t>& dims, const std::vector<float>& v) {
    const std::string name = "w" + std::to_string(next_++);
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float f : v) t->add_float_data(f);
    return name;
  }
  std::string ints(const std::vector<int64_t>& v) {
    const std::string name = "i" + std::to_string(next_++);
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return name;
  }
  // An integer initializer of the given ONNX element type (UINT8, INT64...) and shape.
  std::string typed_ints(int elem, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
    const std::string name = "i" + std::to_string(next_++);
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) {
      if (elem == onnx::TensorProto::INT64) t->add_int64_data(x);
      else t->add_int32_data(static_cast<int32_t>(x));
    }
    return name;
  }
  // A node; returns its output's name ("y" for the last node: call out() for it).
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, const std::string& out) {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(out + "_" + op);
    for (auto& s : in) n->add_input(s);
    n->add_output(out);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  bool int_output = false;  // y is int64 (ArgMax)
  int output_type = 0;      // y's ONNX element type when set (QuantizeLinear: UINT8)
  std::vector<uint8_t> finish(std::vector<int64_t> out_shape) {
    const int elem = output_type ? output_type : (int_output ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT);
    io(g_->add_output(), "y", std::move(out_shape), elem);
    std::string bytes;
    m_.SerializeToString(&bytes);
    return {bytes.begin(), bytes.end()};
  }

 private:
  static void io(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims,
                 int elem = onnx::TensorProto::FLOAT) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    tt->mutable_shape();  // present for a scalar too
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto m_;
  onnx::GraphProto* g_ = nullptr;
  Weights w_;
  int next_ = 0;
};

using Build = std::function<std::vector<int64_t>(G&)>;  // adds the nodes; returns y's shape

std::vector<Row> make_rows() {
  std::vector<Row> out;
  uint64_t seed = 1;
  auto add = [&](const std::string& name, const std::string& op, std::vector<int64_t> in, const Build& build,
                 double range = 3.0) {
    G g(name, in, seed++);
    const auto y = build(g);
    out.push_back({name, op, std::move(in), range, g.finish(y)});
  };
  using V = std::vector<int64_t>;

  // Linear layers.
  add("Gemm 1x8 -> 6", "Gemm", {1, 8}, [](G& g) {
    g.node("Gemm", {"x", g.weight({8, 6}, -1, 1), g.weight({6}, -0.5, 0.5)}, "y");
    return V{1, 6};
  });
  add("Gemm 2x8 -> 5, transB", "Gemm", {2, 8}, [](G& g) {
    auto* n = g.node("Gemm", {"x", g.weight({5, 8}, -1, 1), g.weight({5}, -0.5, 0.5)}, "y");
    G::attr(n, "transB", int64_t{1});
    return V{2, 5};
  });
  add("MatMul 3x8 * 8x4", "MatMul", {3, 8}, [](G& g) {
    g.node("MatMul", {"x", g.weight({8, 4}, -1, 1)}, "y");
    return V{3, 4};
  });
  add("Conv 2->3 3x3 pad 1", "Conv", {1, 2, 6, 6}, [](G& g) {
    auto* n = g.node("Conv", {"x", g.weight({3, 2, 3, 3}, -0.6, 0.6), g.weight({3}, -0.3, 0.3)}, "y");
    G::attr(n, "pads", V{1, 1, 1, 1});
    return V{1, 3, 6, 6};
  });
  add("Conv 2->4 3x3 stride 2", "Conv", {1, 2, 7, 7}, [](G& g) {
    auto* n = g.node("Conv", {"x", g.weight({4, 2, 3, 3}, -0.6, 0.6)}, "y");
    G::attr(n, "strides", V{2, 2});
    return V{1, 4, 3, 3};
  });
  add("Conv depthwise 3 groups", "Conv", {1, 3, 5, 5}, [](G& g) {
    auto* n = g.node("Conv", {"x", g.weight({3, 1, 3, 3}, -0.6, 0.6), g.weight({3}, -0.3, 0.3)}, "y");
    G::attr(n, "group", int64_t{3});
    G::attr(n, "pads", V{1, 1, 1, 1});
    return V{1, 3, 5, 5};
  });
  add("BatchNormalization after Conv", "BatchNormalization", {1, 2, 4, 4}, [](G& g) {
    g.node("Conv", {"x", g.weight({3, 2, 1, 1}, -1, 1)}, "c");
    g.node("BatchNormalization",
           {"c", g.weight({3}, 0.5, 1.5), g.weight({3}, -0.5, 0.5), g.weight({3}, -0.3, 0.3), g.weight({3}, 0.5, 2)},
           "y");
    return V{1, 3, 4, 4};
  });

  // Activations.
  add("Relu 2x8", "Relu", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "y");
    return V{2, 8};
  });
  add("LeakyRelu 0.1 2x8", "LeakyRelu", {2, 8}, [](G& g) {
    G::attr(g.node("LeakyRelu", {"x"}, "y"), "alpha", 0.1f);
    return V{2, 8};
  });
  add("Clip [0, 6] 2x8", "Clip", {2, 8}, [](G& g) {
    g.node("Clip", {"x", g.floats({}, {0.f}), g.floats({}, {6.f})}, "y");
    return V{2, 8};
  }, 8.0);
  add("PRelu per channel", "PRelu", {1, 3, 2, 2}, [](G& g) {
    g.node("PRelu", {"x", g.weight({3, 1, 1}, 0.05, 0.5)}, "y");
    return V{1, 3, 2, 2};
  });
  add("Sigmoid 2x8", "Sigmoid", {2, 8}, [](G& g) {
    g.node("Sigmoid", {"x"}, "y");
    return V{2, 8};
  });
  add("Tanh 2x8", "Tanh", {2, 8}, [](G& g) {
    g.node("Tanh", {"x"}, "y");
    return V{2, 8};
  });

  add("Softplus 2x8", "Softplus", {2, 8}, [](G& g) {
    g.node("Softplus", {"x"}, "y");
    return V{2, 8};
  });
  add("Floor 2x8", "Floor", {2, 8}, [](G& g) {
    g.node("Floor", {"x"}, "y");
    return V{2, 8};
  });
  add("Reciprocal of a positive range", "Reciprocal", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Add", {"r", g.floats({}, {0.5f})}, "p");
    g.node("Reciprocal", {"p"}, "y");
    return V{2, 8};
  });

  // Pooling.
  add("MaxPool 2x2 on 2x4x4", "MaxPool", {1, 2, 4, 4}, [](G& g) {
    auto* n = g.node("MaxPool", {"x"}, "y");
    G::attr(n, "kernel_shape", V{2, 2});
    G::attr(n, "strides", V{2, 2});
    return V{1, 2, 2, 2};
  });
  add("MaxPool 3x3 stride 2 ceil_mode on 2x6x6", "MaxPool", {1, 2, 6, 6}, [](G& g) {
    auto* n = g.node("MaxPool", {"x"}, "y");  // squeezenet, googlenet: the last window is cut
    G::attr(n, "kernel_shape", V{3, 3});
    G::attr(n, "strides", V{2, 2});
    G::attr(n, "ceil_mode", int64_t{1});
    return V{1, 2, 3, 3};
  });
  add("AveragePool 2x2 on 2x4x4", "AveragePool", {1, 2, 4, 4}, [](G& g) {
    auto* n = g.node("AveragePool", {"x"}, "y");
    G::attr(n, "kernel_shape", V{2, 2});
    G::attr(n, "strides", V{2, 2});
    return V{1, 2, 2, 2};
  });
  add("GlobalAveragePool 3x4x4", "GlobalAveragePool", {1, 3, 4, 4}, [](G& g) {
    g.node("GlobalAveragePool", {"x"}, "y");
    return V{1, 3, 1, 1};
  });

  // Element-wise arithmetic.
  add("Add computed + constant (broadcast)", "Add", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Add", {"r", g.weight({8}, -1, 1)}, "y");
    return V{2, 8};
  });
  add("Sub of two computed", "Sub", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Sub", {"x", "r"}, "y");
    return V{2, 8};
  });
  add("Mul of two computed", "Mul", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Mul", {"x", "r"}, "y");
    return V{2, 8};
  });
  add("Sum of two computed", "Sum", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Sum", {"r", "x"}, "y");
    return V{2, 8};
  });
  add("Mean of two computed", "Mean", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Mean", {"x", "r"}, "y");
    return V{2, 8};
  });
  add("Div by a constant", "Div", {2, 8}, [](G& g) {
    g.node("Div", {"x", g.floats({}, {3.f})}, "y");
    return V{2, 8};
  });

  // Reductions and normalizations.
  add("ReduceSum axis 1", "ReduceSum", {2, 8}, [](G& g) {
    g.node("ReduceSum", {"x", g.ints({1})}, "y");
    return V{2, 1};
  });
  add("ReduceMean axis 1", "ReduceMean", {2, 8}, [](G& g) {
    G::attr(g.node("ReduceMean", {"x"}, "y"), "axes", V{1});
    return V{2, 1};
  });
  add("ReduceL2 axis 1 (lowered: Mul, ReduceSum, Sqrt)", "ReduceL2", {2, 8}, [](G& g) {
    G::attr(g.node("ReduceL2", {"x"}, "y"), "axes", V{1});
    return V{2, 1};
  });
  add("ReduceLogSumExp axis 1, keepdims 0 (lowered: Exp, ReduceSum, Log)", "ReduceLogSumExp", {2, 8}, [](G& g) {
    auto* n = g.node("ReduceLogSumExp", {"x"}, "y");
    G::attr(n, "axes", V{1});
    G::attr(n, "keepdims", int64_t{0});
    return V{2};
  });
  add("ReduceMax axis 1", "ReduceMax", {2, 8}, [](G& g) {
    G::attr(g.node("ReduceMax", {"x"}, "y"), "axes", V{1});
    return V{2, 1};
  });
  add("Softmax rows of 6", "Softmax", {2, 6}, [](G& g) {
    g.node("Softmax", {"x"}, "y");
    return V{2, 6};
  });
  add("LayerNormalization width 8", "LayerNormalization", {2, 8}, [](G& g) {
    g.node("LayerNormalization", {"x", g.weight({8}, 0.5, 1.5), g.weight({8}, -0.5, 0.5)}, "y");
    return V{2, 8};
  });

  // Layout (free moves).
  add("Concat of two computed", "Concat", {2, 4}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    G::attr(g.node("Concat", {"x", "r"}, "y"), "axis", int64_t{1});
    return V{2, 8};
  });
  add("Reshape 2x8 -> 4x4 after Gemm", "Reshape", {2, 8}, [](G& g) {
    g.node("Gemm", {"x", g.weight({8, 8}, -1, 1)}, "h");
    g.node("Reshape", {"h", g.ints({4, 4})}, "y");
    return V{4, 4};
  });
  add("Transpose 2x3x4 perm 2,0,1", "Transpose", {2, 3, 4}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    G::attr(g.node("Transpose", {"r"}, "y"), "perm", V{2, 0, 1});
    return V{4, 2, 3};
  });
  add("Slice columns 2..6", "Slice", {2, 8}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Slice", {"r", g.ints({2}), g.ints({6}), g.ints({1})}, "y");
    return V{2, 4};
  });
  add("Trilu lower, k = 1, 2x3x5", "Trilu", {2, 3, 5}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    G::attr(g.node("Trilu", {"r", g.ints({1})}, "y"), "upper", int64_t{0});
    return V{2, 3, 5};
  });

  // Recurrent layers, unrolled over the sequence (graph/lower_rnn.h): Y of x [seq 2, batch 1, 3].
  add("LSTM seq 2, hidden 2, peepholes", "LSTM", {2, 1, 3}, [](G& g) {
    auto* n = g.node("LSTM", {"x", g.weight({1, 8, 3}, -1, 1), g.weight({1, 8, 2}, -1, 1), g.weight({1, 16}, -0.5, 0.5),
                              "", "", "", g.weight({1, 6}, -0.5, 0.5)}, "y");
    G::attr(n, "hidden_size", int64_t{2});
    return V{2, 1, 1, 2};
  }, 1.5);
  add("GRU seq 2, hidden 2, linear_before_reset", "GRU", {2, 1, 3}, [](G& g) {
    auto* n = g.node("GRU", {"x", g.weight({1, 6, 3}, -1, 1), g.weight({1, 6, 2}, -1, 1), g.weight({1, 12}, -0.5, 0.5)}, "y");
    G::attr(n, "hidden_size", int64_t{2});
    G::attr(n, "linear_before_reset", int64_t{1});
    return V{2, 1, 1, 2};
  }, 1.5);
  add("RNN bidirectional seq 2, hidden 2", "RNN", {2, 1, 3}, [](G& g) {
    auto* n = g.node("RNN", {"x", g.weight({2, 2, 3}, -1, 1), g.weight({2, 2, 2}, -1, 1)}, "y");
    G::attr(n, "hidden_size", int64_t{2});
    G::attr(n, "direction", std::string("bidirectional"));
    return V{2, 2, 1, 2};
  }, 1.5);

  // Comparisons and selection.
  add("Less then Where", "Where", {2, 8}, [](G& g) {
    g.node("Less", {"x", g.weight({8}, -1, 1)}, "c");
    g.node("Where", {"c", "x", g.weight({8}, -1, 1)}, "y");
    return V{2, 8};
  });
  add("ArgMax axis 1 after Gemm", "ArgMax", {1, 8}, [](G& g) {
    g.node("Gemm", {"x", g.weight({8, 6}, -1, 1)}, "h");
    G::attr(g.node("ArgMax", {"h"}, "y"), "axis", int64_t{1});
    g.int_output = true;
    return V{1, 1};
  });

  // Rewritten at compile time into the protocols above (graph/lower_composites.h).
  add("QuantizeLinear per tensor 2x8 -> uint8, zero point 128", "QuantizeLinear", {2, 8}, [](G& g) {
    g.node("QuantizeLinear", {"x", g.floats({}, {0.05f}), g.typed_ints(onnx::TensorProto::UINT8, {}, {128})}, "y");
    g.output_type = onnx::TensorProto::UINT8;
    return V{2, 8};
  });
  add("QuantizeLinear per axis 1x3x2x2 -> int8", "QuantizeLinear", {1, 3, 2, 2}, [](G& g) {
    auto* n = g.node("QuantizeLinear", {"x", g.floats({3}, {0.05f, 0.1f, 0.025f}),
                                        g.typed_ints(onnx::TensorProto::INT8, {3}, {0, -20, 10})}, "y");
    G::attr(n, "axis", int64_t{1});
    g.output_type = onnx::TensorProto::INT8;
    return V{1, 3, 2, 2};
  });
  add("NegativeLogLikelihoodLoss mean after LogSoftmax 3x5", "NegativeLogLikelihoodLoss", {3, 5}, [](G& g) {
    G::attr(g.node("LogSoftmax", {"x"}, "l"), "axis", int64_t{1});
    g.node("NegativeLogLikelihoodLoss", {"l", g.ints({2, 0, 4})}, "y");
    return V{};
  });
  add("SoftmaxCrossEntropyLoss none, weights, ignore_index 4x5", "SoftmaxCrossEntropyLoss", {4, 5}, [](G& g) {
    auto* n = g.node("SoftmaxCrossEntropyLoss", {"x", g.ints({1, 4, 0, 2}), g.weight({5}, 0.2, 1)}, "y");
    G::attr(n, "reduction", std::string("none"));
    G::attr(n, "ignore_index", int64_t{0});
    return V{4};
  });
  add("NegativeLogLikelihoodLoss, computed target (ArgMax), weights, ignore_index 2, mean 3x5", "NegativeLogLikelihoodLoss", {3, 5},
      [](G& g) {
        G::attr(g.node("LogSoftmax", {"x"}, "l"), "axis", int64_t{1});
        g.node("Gemm", {"x", g.weight({5, 5}, -1, 1)}, "h");
        auto* a = g.node("ArgMax", {"h"}, "t");
        G::attr(a, "axis", int64_t{1});
        G::attr(a, "keepdims", int64_t{0});
        G::attr(g.node("NegativeLogLikelihoodLoss", {"l", "t", g.weight({5}, 0.2, 1)}, "y"), "ignore_index", int64_t{2});
        return V{};
      });
  add("Mod of reals (fmod) by a constant of mixed signs 2x4", "Mod", {2, 4}, [](G& g) {
    G::attr(g.node("Mod", {"x", g.floats({4}, {0.7f, -0.45f, 1.3f, -1.1f})}, "y"), "fmod", int64_t{1});
    return V{2, 4};
  });
  add("Mod of reals (fmod) by a computed divisor of mixed signs 2x4", "Mod", {2, 4}, [](G& g) {
    g.node("Sigmoid", {"x"}, "s");
    g.node("Add", {"s", g.floats({}, {0.5f})}, "p");
    g.node("Mul", {"p", g.floats({4}, {1, -1, 1, -1})}, "d");
    g.node("Mul", {"x", g.floats({}, {3})}, "x3");
    G::attr(g.node("Mod", {"x3", "d"}, "y"), "fmod", int64_t{1});
    return V{2, 4};
  });
  add("QLinearMatMul uint8 2x4 by a constant 4x3", "QLinearMatMul", {2, 4}, [](G& g) {
    const int u8 = onnx::TensorProto::UINT8;
    g.node("QuantizeLinear", {"x", g.floats({}, {0.05f}), g.typed_ints(u8, {}, {128})}, "q");
    auto* n = g.node("QLinearMatMul", {"q", g.floats({}, {0.05f}), g.typed_ints(u8, {}, {128}),
                                       g.typed_ints(u8, {4, 3}, {12, 200, 97, 255, 0, 131, 64, 77, 190, 128, 3, 250}),
                                       g.floats({}, {0.02f}), g.typed_ints(u8, {}, {120}), g.floats({}, {0.1f}),
                                       g.typed_ints(u8, {}, {100})}, "y");
    (void)n;
    g.output_type = u8;
    return V{2, 3};
  });
  add("MatMulInteger uint8 x int8 2x4 by a constant 4x3", "MatMulInteger", {2, 4}, [](G& g) {
    const int u8 = onnx::TensorProto::UINT8, i8 = onnx::TensorProto::INT8;
    g.node("QuantizeLinear", {"x", g.floats({}, {0.05f}), g.typed_ints(u8, {}, {128})}, "q");
    g.node("MatMulInteger", {"q", g.typed_ints(i8, {4, 3}, {12, -100, 97, 127, 0, -128, 64, 77, -1, 8, 3, -50}),
                             g.typed_ints(u8, {}, {128}), g.typed_ints(i8, {}, {2})}, "y");
    g.output_type = onnx::TensorProto::INT32;
    return V{2, 3};
  });
  add("QLinearConv uint8 1x2x4x4, 3 channels, per-channel w_scale, bias, pads 1", "QLinearConv", {1, 2, 4, 4}, [](G& g) {
    const int u8 = onnx::TensorProto::UINT8, i8 = onnx::TensorProto::INT8, i32 = onnx::TensorProto::INT32;
    g.node("QuantizeLinear", {"x", g.floats({}, {0.05f}), g.typed_ints(u8, {}, {128})}, "q");
    std::vector<int64_t> w(3 * 2 * 3 * 3);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int64_t>((i * 37) % 200) - 100;
    auto* n = g.node("QLinearConv", {"q", g.floats({}, {0.05f}), g.typed_ints(u8, {}, {128}), g.typed_ints(i8, {3, 2, 3, 3}, w),
                                     g.floats({3}, {0.01f, 0.02f, 0.005f}), g.typed_ints(i8, {3}, {0, 0, 0}), g.floats({}, {0.2f}),
                                     g.typed_ints(u8, {}, {110}), g.typed_ints(i32, {3}, {100, -400, 2000})}, "y");
    G::attr(n, "pads", V{1, 1, 1, 1});
    g.output_type = u8;
    return V{1, 3, 4, 4};
  });
  add("ReduceProd axis 1 of 2x4", "ReduceProd", {2, 4}, [](G& g) {
    auto* n = g.node("ReduceProd", {"x"}, "y");
    G::attr(n, "axes", V{1});
    G::attr(n, "keepdims", int64_t{0});
    return V{2};
  }, 1.5);
  add("Pow by integer exponents 2x4 (products)", "Pow", {2, 4}, [](G& g) {
    g.node("Pow", {"x", g.floats({4}, {2, 3, 0, 1})}, "y");
    return V{2, 4};
  });
  add("Mod of ArgMax by -4", "Mod", {3, 6}, [](G& g) {
    G::attr(g.node("ArgMax", {"x"}, "i"), "axis", int64_t{1});
    g.node("Mod", {"i", g.ints({-4})}, "y");
    g.int_output = true;
    return V{3, 1};
  });

  // Rewritten at compile time into the protocols above (graph/lower_moves.h).
  add("ConvTranspose 2x3x3 groups 2 stride 2 pads 1 output_padding 1", "ConvTranspose", {1, 2, 3, 3}, [](G& g) {
    auto* n = g.node("ConvTranspose", {"x", g.weight({2, 2, 3, 3}, -0.6, 0.6), g.weight({4}, -0.3, 0.3)}, "y");
    G::attr(n, "group", int64_t{2});
    G::attr(n, "strides", V{2, 2});
    G::attr(n, "pads", V{1, 1, 1, 1});
    G::attr(n, "output_padding", V{1, 1});
    return V{1, 4, 6, 6};
  });
  add("MaxPool 8x8 on 2x8x8 (rows, then columns)", "MaxPool", {1, 2, 8, 8}, [](G& g) {
    G::attr(g.node("MaxPool", {"x"}, "y"), "kernel_shape", V{8, 8});
    return V{1, 2, 1, 1};
  });
  // Gather by weight indices (a float initializer with integer values: the tree ensembles'
  // feature selection, proof/steps/gather_private.cc's indexed lookup), one row and a batch.
  add("Gather 1x6 by 9 weight indices, axis 1", "Gather", {1, 6}, [](G& g) {
    G::attr(g.node("Gather", {"x", g.floats({9}, {5, 0, 2, 2, 1, 3, 0, 4, 5})}, "y"), "axis", int64_t{1});
    return V{1, 9};
  });
  add("Gather 3x5 by 7 weight indices, axis 1", "Gather", {3, 5}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    G::attr(g.node("Gather", {"r", g.floats({7}, {4, 0, 2, 2, 1, 3, 0})}, "y"), "axis", int64_t{1});
    return V{3, 7};
  });
  add("GatherND by computed indices (ArgMax)", "GatherND", {4, 6}, [](G& g) {
    g.node("Gemm", {"x", g.weight({6, 4}, -1, 1)}, "h");
    G::attr(g.node("ArgMax", {"h"}, "i"), "axis", int64_t{1});
    g.node("GatherND", {"x", "i"}, "y");
    return V{4, 6};
  });
  add("ScatterElements by computed indices (ArgMax)", "ScatterElements", {4, 6}, [](G& g) {
    g.node("Gemm", {"x", g.weight({6, 3}, -1, 1)}, "h");
    G::attr(g.node("ArgMax", {"h"}, "i"), "axis", int64_t{1});
    g.node("Relu", {"x"}, "r");
    g.node("Slice", {"r", g.ints({0}), g.ints({1}), g.ints({1})}, "u");
    G::attr(g.node("ScatterElements", {"x", "i", "u"}, "y"), "axis", int64_t{1});
    return V{4, 6};
  });
  add("TopK 3 of 6 per row, with the indices used", "TopK", {2, 6}, [](G& g) {
    g.node("TopK", {"x", g.ints({3})}, "v")->add_output("i");
    G::attr(g.node("GatherElements", {"x", "i"}, "e"), "axis", int64_t{1});
    g.node("Add", {"v", "e"}, "y");
    return V{2, 3};
  });
  add("ScatterND by constant indices", "ScatterND", {4, 3}, [](G& g) {
    g.node("Relu", {"x"}, "r");
    g.node("Slice", {"r", g.ints({0}), g.ints({2}), g.ints({0})}, "u");
    g.node("Reshape", {g.ints({3, 1}), g.ints({2, 1})}, "k");
    g.node("ScatterND", {"x", "k", "u"}, "y");
    return V{4, 3};
  });
  return out;
}

}  // namespace

const std::vector<Row>& rows() {
  static const std::vector<Row> r = make_rows();
  return r;
}

}  // namespace zkinfer::conformance
