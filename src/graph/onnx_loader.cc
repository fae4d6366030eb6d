// ONNX -> graph::Graph (onnx_loader.h). Uses onnx's protobuf classes, checker and shape
// inference (Debian libonnx-dev).
#include "graph/onnx_loader.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "graph/float_executor.h"
#include "graph/lower_ml.h"
#include "graph/lower_rnn.h"
#include "ops/kernels.h"
#include "ops/op.h"

namespace zkinfer::graph {

using ops::DType;
using ops::FTensor;

static DType dtype_of(int t, const std::string& what) {
  switch (t) {
    case onnx::TensorProto::FLOAT: case onnx::TensorProto::DOUBLE: case onnx::TensorProto::FLOAT16:
      return DType::kFloat;
    case onnx::TensorProto::INT8: case onnx::TensorProto::INT16: case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT64: case onnx::TensorProto::UINT8: case onnx::TensorProto::UINT16:
    case onnx::TensorProto::UINT32: case onnx::TensorProto::UINT64:
      return DType::kInt;
    case onnx::TensorProto::BOOL:
      return DType::kBool;
    default:
      throw Error(what + ": unsupported element type " + std::to_string(t));
  }
}

static double half_to_double(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : std::ldexp(m + 1024, e - 25);
  return s ? -v : v;
}

FTensor tensor_from_proto(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) throw Error(what + ": external tensor data is not supported");
  FTensor out;
  out.dtype = dtype_of(t.data_type(), what);
  int64_t n = 1;
  for (auto d : t.dims()) {
    if (d < 0 || d > (int64_t{1} << 32)) throw Error(what + ": bad dimension " + std::to_string(d));
    out.shape.push_back(d);
    n *= d;
    if (n > (int64_t{1} << 31)) throw Error(what + ": tensor too large");
  }
  const std::string& raw = t.raw_data();
  // The values present must match the shape before anything is allocated (a corrupt model can
  // declare 2^31 elements in a few bytes).
  {
    int64_t have = 0;
    size_t width = 1;
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT: width = 4; have = t.float_data_size(); break;
      case onnx::TensorProto::DOUBLE: width = 8; have = t.double_data_size(); break;
      case onnx::TensorProto::INT64: width = 8; have = t.int64_data_size(); break;
      case onnx::TensorProto::UINT64: width = 8; have = t.uint64_data_size(); break;
      case onnx::TensorProto::UINT32: width = 4; have = t.uint64_data_size(); break;
      case onnx::TensorProto::INT32: width = 4; have = t.int32_data_size(); break;
      case onnx::TensorProto::FLOAT16: case onnx::TensorProto::INT16: case onnx::TensorProto::UINT16:
        width = 2; have = t.int32_data_size(); break;
      default: width = 1; have = t.int32_data_size(); break;
    }
    if (t.has_raw_data()) have = static_cast<int64_t>(raw.size() / width);
    if (have != n) throw Error(what + ": tensor holds " + std::to_string(have) + " values, shape needs " + std::to_string(n));
  }
  out.data.resize(static_cast<size_t>(n));
  auto need = [&](int64_t have) {
    if (have != n) throw Error(what + ": tensor holds " + std::to_string(have) + " values, shape needs " + std::to_string(n));
  };
  auto from_raw = [&](auto tag) {
    using T = decltype(tag);
    if (raw.size() != static_cast<size_t>(n) * sizeof(T)) need(static_cast<int64_t>(raw.size() / sizeof(T)));
    for (int64_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
      out.data[i] = static_cast<double>(v);
    }
  };
  bool has_raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (has_raw) from_raw(float{});
      else { need(t.float_data_size()); for (int64_t i = 0; i < n; ++i) out.data[i] = t.float_data(i); }
      break;
    case onnx::TensorProto::DOUBLE:
      if (has_raw) from_raw(double{});
      else { need(t.double_data_size()); for (int64_t i = 0; i < n; ++i) out.data[i] = t.double_data(i); }
      break;
    case onnx::TensorProto::INT64:
      if (has_raw) from_raw(int64_t{});
      else { need(t.int64_data_size()); for (int64_t i = 0; i < n; ++i) out.data[i] = static_cast<double>(t.int64_data(i)); }
      break;
    case onnx::TensorProto::UINT64:
      if (has_raw) from_raw(uint64_t{});
      else { need(t.uint64_data_size()); for (int64_t i = 0; i < n; ++i) out.data[i] = static_cast<double>(t.uint64_data(i)); }
      break;
    case onnx::TensorProto::UINT32:
      if (has_raw) from_raw(uint32_t{});
      else { need(t.uint64_data_size()); for (int64_t i = 0; i < n; ++i) out.data[i] = static_cast<double>(t.uint64_data(i)); }
      break;
    case onnx::TensorProto::FLOAT16:
      if (has_raw) {
        if (raw.size() != static_cast<size_t>(n) * 2) need(static_cast<int64_t>(raw.size() / 2));
        for (int64_t i = 0; i < n; ++i) {
          uint16_t h;
          std::memcpy(&h, raw.data() + 2 * i, 2);
          out.data[i] = half_to_double(h);
        }
      } else {
        need(t.int32_data_size());
        for (int64_t i = 0; i < n; ++i) out.data[i] = half_to_double(static_cast<uint16_t>(t.int32_data(i)));
      }
      break;
    case onnx::TensorProto::INT32: case onnx::TensorProto::INT16: case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16: case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL:
      if (has_raw) {
        switch (t.data_type()) {
          case onnx::TensorProto::INT32: from_raw(int32_t{}); break;
          case onnx::TensorProto::INT16: from_raw(int16_t{}); break;
          case onnx::TensorProto::INT8: from_raw(int8_t{}); break;
          case onnx::TensorProto::UINT16: from_raw(uint16_t{}); break;
          default: from_raw(uint8_t{}); break;
        }
      } else {
        need(t.int32_data_size());
        for (int64_t i = 0; i < n; ++i) out.data[i] = t.int32_data(i);
      }
      break;
    default:
      throw Error(what + ": unsupported element type");
  }
  return out;
}

FTensor read_tensor_pb(const std::string& path) {
  auto b = read_file(path);
  onnx::TensorProto t;
  if (!t.ParseFromArray(b.data(), static_cast<int>(b.size()))) throw Error(path + ": not a TensorProto");
  return tensor_from_proto(t, path);
}

namespace {

ops::Attributes convert_attributes(const onnx::NodeProto& n, const std::string& what) {
  ops::Attributes a;
  for (const auto& at : n.attribute()) {
    const std::string& k = at.name();
    switch (at.type()) {
      case onnx::AttributeProto::FLOAT: a.floats[k] = at.f(); break;
      case onnx::AttributeProto::INT: a.ints[k] = at.i(); break;
      case onnx::AttributeProto::STRING: a.strings[k] = at.s(); break;
      case onnx::AttributeProto::FLOATS: a.float_lists[k] = std::vector<double>(at.floats().begin(), at.floats().end()); break;
      case onnx::AttributeProto::INTS: a.int_lists[k] = std::vector<int64_t>(at.ints().begin(), at.ints().end()); break;
      case onnx::AttributeProto::TENSOR: a.tensors[k] = tensor_from_proto(at.t(), what + " attribute " + k); break;
      case onnx::AttributeProto::STRINGS: a.string_lists[k] = std::vector<std::string>(at.strings().begin(), at.strings().end()); break;
      default: break;  // graphs, strings lists, sparse tensors: no supported op uses them
    }
  }
  return a;
}

ops::Shape shape_of(const onnx::TypeProto& t) {
  ops::Shape s;
  if (!t.has_tensor_type() || !t.tensor_type().has_shape()) return s;
  for (const auto& d : t.tensor_type().shape().dim()) s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return s;
}

}  // namespace

Graph load_onnx_bytes(std::span<const uint8_t> bytes, const std::string& what, const LoadOptions& opt) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) || !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(what + ": not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) throw Error(what + ": ONNX model has no graph");
  if (opt.check) {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception& e) {
      throw Error(what + ": ONNX checker rejected the model: " + e.what());
    }
  }
  Graph g;
  g.source = what;
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset = static_cast<int>(op.version());
  const onnx::GraphProto& gp = model.graph();
  // Unsupported operators, all at once (before ONNX's shape inference, which then never runs the
  // inference functions of operators zkinfer does not know: STFT's writes out of bounds).
  const auto& table = ops::OpTable::get();
  std::ostringstream bad;
  int nbad = 0;
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& n = gp.node(i);
    bool dom = n.domain().empty() || n.domain() == "ai.onnx";
    if (is_ml_op(n.domain(), n.op_type())) continue;  // lowered below (lower_ml.h)
    if (dom && is_rnn_op(n.op_type())) continue;      // unrolled once shapes are bound (lower_rnn.h)
    if (!dom || !table.find(n.op_type())) {
      bad << "\n  node '" << (n.name().empty() ? "#" + std::to_string(i) : n.name()) << "': " << n.op_type()
          << (dom ? "" : " (domain " + n.domain() + ")") << ", opset " << g.opset;
      ++nbad;
    }
  }
  if (nbad)
    throw UnsupportedOps(what + ": " + std::to_string(nbad) + " node(s) use unsupported operators:" + bad.str());
  // ONNX 1.12's shape inference trusts attributes (a fuzzed model with strides 0 divides by zero,
  // one with axis 2^63-1 reads out of bounds: fuzz/regressions/), so they are checked first.
  for (const auto& n : model.graph().node())
    for (const auto& at : n.attribute()) {
      const std::string& k = at.name();
      bool positive = k == "strides" || k == "dilations" || k == "kernel_shape";
      if (k == "batch_dims" && (at.i() < 0 || at.i() > 64))  // GatherND's inference indexes with it
        throw Error(what + ": node '" + n.name() + "' (" + n.op_type() + "): attribute batch_dims = " + std::to_string(at.i()) + " out of range");
      if (positive || k == "pads" || k == "output_padding" || k == "output_shape")
        for (auto v : at.ints())
          if ((positive ? v <= 0 : v < 0) || v > (int64_t{1} << 31))
            throw Error(what + ": node '" + n.name() + "' (" + n.op_type() + "): attribute " + k + " has invalid value " + std::to_string(v));
      if (k == "group" && at.i() <= 0) throw Error(what + ": node '" + n.name() + "': group must be positive");
      // Axes index ranks (at most a few dozen); ONNX's inference functions index arrays with them.
      bool axis_like = k == "axis" || k == "axes" || k == "perm" || k == "split" || k == "batch_axis";
      if (axis_like && (at.i() > 64 || at.i() < -64))
        throw Error(what + ": node '" + n.name() + "' (" + n.op_type() + "): attribute " + k + " = " + std::to_string(at.i()) + " out of range");
      if (axis_like && k != "split")
        for (auto v : at.ints())
          if (v > 64 || v < -64)
            throw Error(what + ": node '" + n.name() + "' (" + n.op_type() + "): attribute " + k + " has value " + std::to_string(v) + " out of range");
    }
  // ONNX 1.12 infers LayerNormalization's Mean and InvStdDev shapes by writing dimension `axis` of
  // the input's shape unchecked (axis < -rank writes out of bounds: fuzz/regressions/). They are
  // hidden from inference, which only annotates, and put back; the op checks axis when bound.
  std::vector<std::pair<int, std::vector<std::string>>> hidden_outputs;
  for (int i = 0; i < model.graph().node_size(); ++i) {
    auto* np = model.mutable_graph()->mutable_node(i);
    if (np->op_type() != "LayerNormalization" || np->output_size() < 2) continue;
    hidden_outputs.push_back({i, {np->output().begin() + 1, np->output().end()}});
    while (np->output_size() > 1) np->mutable_output()->RemoveLast();
  }
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception&) {
    // Shapes are bound later by a float run; inference only annotates.
  }
  for (auto& [i, outs] : hidden_outputs)
    for (auto& o : outs) model.mutable_graph()->mutable_node(i)->add_output(std::move(o));
  if (g.opset == 0) {
    // A model of ONNX-ML operators only may import no default-domain opset; its lowered nodes
    // (lower_ml.h) are read at opset 13.
    bool all_ml = gp.node_size() > 0;
    for (const auto& n : gp.node()) all_ml = all_ml && is_ml_op(n.domain(), n.op_type());
    if (!all_ml) throw Error(what + ": model imports no default-domain opset");
    g.opset = 13;
  }
  std::map<std::string, int> ids;
  auto define = [&](TensorInfo t) {
    if (ids.count(t.name)) throw Error(what + ": tensor '" + t.name + "' defined twice");
    std::string name = t.name;
    int id = g.add_tensor(std::move(t));
    ids[name] = id;
    return id;
  };
  for (const auto& init : gp.initializer()) {
    TensorInfo t;
    t.name = init.name();
    t.value = tensor_from_proto(init, what + ": initializer '" + init.name() + "'");
    t.shape = t.value.shape;
    t.dtype = t.value.dtype;
    t.is_const = true;
    define(std::move(t));
  }
  for (const auto& in : gp.input()) {
    if (ids.count(in.name())) continue;  // an input with an initializer is a weight
    TensorInfo t;
    t.name = in.name();
    t.shape = shape_of(in.type());
    t.dtype = dtype_of(in.type().tensor_type().elem_type(), what + ": input '" + in.name() + "'");
    g.inputs.push_back(define(std::move(t)));
  }
  std::map<int, int64_t> width;  // known last dimensions, for lowering ONNX-ML nodes
  for (int id : g.inputs)
    if (g.tensors[id].shape.size() == 2 && g.tensors[id].shape[1] > 0) width[id] = g.tensors[id].shape[1];
  std::map<std::string, ops::Shape> inferred;
  for (const auto& vi : gp.value_info()) inferred[vi.name()] = shape_of(vi.type());
  // ONNX element types, where the internal graph (float, int, bool) loses the width: QuantizeLinear
  // saturates to the range of its zero point's type.
  std::map<std::string, int> elem_type;
  for (const auto& init : gp.initializer()) elem_type[init.name()] = init.data_type();
  for (const auto& vi : gp.value_info()) elem_type[vi.name()] = vi.type().tensor_type().elem_type();
  for (const auto& in : gp.input()) elem_type.emplace(in.name(), in.type().tensor_type().elem_type());
  for (const auto& np : gp.node())
    if (np.op_type() == "Constant" && np.output_size() == 1)
      for (const auto& a : np.attribute())
        if (a.name() == "value" && a.has_t()) elem_type[np.output(0)] = a.t().data_type();
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& np = gp.node(i);
    ops::Node n;
    n.name = np.name().empty() ? np.op_type() + "_" + std::to_string(i) : np.name();
    n.op_type = np.op_type();
    n.opset = g.opset;
    n.attrs = convert_attributes(np, what + ": node '" + n.name + "'");
    if ((n.op_type == "QuantizeLinear" || n.op_type == "QLinearMatMul" || n.op_type == "QLinearConv") && n.attrs.get_int("output_dtype", 0) == 0) {
      // The output type (opset 21's attribute): the zero point's, else uint8.
      int t = onnx::TensorProto::UINT8;
      const int zi = n.op_type == "QuantizeLinear" ? 2 : 7;
      if (np.input_size() > zi && !np.input(zi).empty() && elem_type.count(np.input(zi))) t = elem_type[np.input(zi)];
      n.attrs.ints["output_dtype"] = t;
    }
    for (const auto& in : np.input()) {
      if (in.empty()) {
        n.inputs.push_back(-1);
        continue;
      }
      auto it = ids.find(in);
      if (it == ids.end()) throw Error(what + ": node '" + n.name + "' reads undefined tensor '" + in + "'");
      n.inputs.push_back(it->second);
    }
    for (const auto& out : np.output()) {
      if (out.empty()) {
        n.outputs.push_back(-1);
        continue;
      }
      TensorInfo t;
      t.name = out;
      if (inferred.count(out)) t.shape = inferred[out];
      n.outputs.push_back(define(std::move(t)));
    }
    if (is_ml_op(np.domain(), np.op_type())) lower_ml_node(g, n, width);
    else g.nodes.push_back(std::move(n));
  }
  for (const auto& out : gp.output()) {
    auto it = ids.find(out.name());
    if (it == ids.end()) throw Error(what + ": graph output '" + out.name() + "' is never computed");
    g.outputs.push_back(it->second);
    if (!g.tensors[it->second].is_const && g.tensors[it->second].shape.empty())
      g.tensors[it->second].shape = shape_of(out.type());
  }
  if (opt.fold) fold_constants(g, true);
  return g;
}

void fold_constants(Graph& g, bool fold_shapes, bool shapes_bound) {
  const auto& table = ops::OpTable::get();
  std::vector<ops::Node> kept;
  for (auto& n : g.nodes) {
    bool all_const = true;
    for (int in : n.inputs)
      if (in >= 0 && !g.tensors[in].is_const) all_const = false;
    std::vector<FTensor> shape_only;
    bool shape_node = false;
    // Shape, Size and EyeLike read only their input's shape.
    const bool shape_op = n.op_type == "Shape" || n.op_type == "Size" || n.op_type == "EyeLike";
    if (!all_const && fold_shapes && shape_op && !n.inputs.empty() && n.inputs[0] >= 0) {
      const auto& t = g.tensors[n.inputs[0]];
      bool known = !t.shape.empty() || t.is_const || shapes_bound;
      for (auto d : t.shape) known = known && d >= 0;
      if (known) {
        FTensor dummy;
        dummy.shape = t.shape;
        dummy.dtype = t.dtype;
        shape_only.push_back(dummy);
        shape_node = true;
      }
    }
    if ((!all_const && !shape_node) || !table.find(n.op_type)) {  // LSTM, GRU, RNN: lower_rnn.h
      kept.push_back(std::move(n));
      continue;
    }
    std::vector<const FTensor*> in;
    if (shape_node) in.push_back(&shape_only[0]);
    else
      for (int i : n.inputs) in.push_back(i >= 0 ? &g.tensors[i].value : nullptr);
    std::vector<FTensor> out = table.find(n.op_type)->run_float(n, std::span<const FTensor* const>(in));
    if (out.size() < n.outputs.size()) throw Error(g.source + ": node '" + n.name + "' produced too few outputs");
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      if (n.outputs[k] < 0) continue;
      auto& t = g.tensors[n.outputs[k]];
      t.is_const = true;
      t.value = std::move(out[k]);
      t.shape = t.value.shape;
      t.dtype = t.value.dtype;
    }
  }
  g.nodes = std::move(kept);
}

void lower_split(Graph& g) {
  const auto& table = ops::OpTable::get();
  std::vector<ops::Node> out;
  for (auto& n : g.nodes) {
    bool known = n.op_type == "Split" && !n.inputs.empty() && n.inputs[0] >= 0 && !g.tensors[n.inputs[0]].is_const;
    for (size_t k = 1; known && k < n.inputs.size(); ++k)
      if (n.inputs[k] >= 0 && !g.tensors[n.inputs[k]].is_const) known = false;
    if (known)
      for (auto d : g.tensors[n.inputs[0]].shape) known = known && d >= 0;
    if (!known) {
      out.push_back(std::move(n));
      continue;
    }
    // The split sizes as the op computes them: run it on zeros of the input's shape.
    FTensor dummy(g.tensors[n.inputs[0]].shape, g.tensors[n.inputs[0]].dtype);
    std::vector<const FTensor*> in{&dummy};
    for (size_t k = 1; k < n.inputs.size(); ++k) in.push_back(n.inputs[k] >= 0 ? &g.tensors[n.inputs[k]].value : nullptr);
    const auto parts = table.find("Split")->run_float(n, std::span<const FTensor* const>(in));
    const int rank = dummy.rank();
    int64_t axis = n.attrs.get_int("axis", 0);
    if (axis < 0) axis += rank;
    if (parts.size() < n.outputs.size() || axis < 0 || axis >= rank) throw Error(g.source + ": node '" + n.name + "': bad Split");
    auto constant = [&](const std::string& name, int64_t v) {
      TensorInfo t;
      t.name = n.name + "/lowered_" + name;
      t.shape = {1};
      t.dtype = DType::kInt;
      t.is_const = true;
      t.value = FTensor({1}, DType::kInt);
      t.value.data[0] = static_cast<double>(v);
      return g.add_tensor(std::move(t));
    };
    int64_t off = 0;
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      const int64_t sz = parts[k].shape[static_cast<size_t>(axis)];
      if (n.outputs[k] >= 0) {
        ops::Node s;
        s.name = n.name + "/slice_" + std::to_string(k);
        s.op_type = "Slice";
        s.opset = std::max(n.opset, 13);
        const std::string tag = std::to_string(k);
        s.inputs = {n.inputs[0], constant("starts_" + tag, off), constant("ends_" + tag, off + sz),
                    constant("axes_" + tag, axis)};
        s.outputs = {n.outputs[k]};
        out.push_back(std::move(s));
      }
      off += sz;
    }
  }
  g.nodes = std::move(out);
}

void lower_arithmetic(Graph& g) {
  std::vector<ops::Node> out;
  auto constant_like = [&](int t, const std::string& name) {
    TensorInfo c = g.tensors[t];
    c.name = name;
    return g.add_tensor(std::move(c));
  };
  auto scalar = [&](const std::string& name, double v) {
    TensorInfo t;
    t.name = name;
    t.shape = {};
    t.dtype = DType::kFloat;
    t.is_const = true;
    t.value = FTensor({}, DType::kFloat);
    t.value.data = {v};
    return g.add_tensor(std::move(t));
  };
  auto identity = [](const ops::Node& n) {  // n's first input as its output
    ops::Node id;
    id.name = n.name + "/identity";
    id.op_type = "Identity";
    id.opset = n.opset;
    id.inputs = {n.inputs[0]};
    id.outputs = n.outputs;
    return id;
  };
  for (auto& n : g.nodes) {
    const auto is_const = [&](size_t k) { return k < n.inputs.size() && n.inputs[k] >= 0 && g.tensors[n.inputs[k]].is_const; };
    if (n.op_type == "Gemm") {
      const double alpha = n.attrs.get_float("alpha", 1.0), beta = n.attrs.get_float("beta", 1.0);
      if (alpha != 1.0 && is_const(1)) {
        const int b = constant_like(n.inputs[1], n.name + "/lowered_alpha_B");
        for (auto& v : g.tensors[b].value.data) v *= alpha;
        n.inputs[1] = b;
        n.attrs.floats["alpha"] = 1.0;
      }
      // Output columns, when a one-element constant bias must be expanded to one entry per column.
      const auto& ys = g.tensors[n.outputs[0]].shape;
      const int64_t cols = is_const(2) && g.tensors[n.inputs[2]].value.size() == 1 && n.outputs.size() == 1 &&
                                   ys.size() == 2 && ys[1] > 0
                               ? ys[1]
                               : 0;
      if (is_const(2) && (beta != 1.0 || cols > 0)) {
        const int c = constant_like(n.inputs[2], n.name + "/lowered_beta_C");
        TensorInfo& ct = g.tensors[c];
        for (auto& v : ct.value.data) v *= beta;
        if (cols > 0) {
          const double v = ct.value.data[0];
          ct.shape = {cols};
          ct.value = FTensor({cols}, ct.dtype);
          for (auto& e : ct.value.data) e = v;
        }
        n.inputs[2] = c;
        n.attrs.floats["beta"] = 1.0;
      }
      out.push_back(std::move(n));
      continue;
    }
    const bool extremum = (n.op_type == "Max" || n.op_type == "Min") && n.outputs.size() == 1 && n.outputs[0] >= 0 &&
                          !n.inputs.empty() && std::all_of(n.inputs.begin(), n.inputs.end(), [](int t) { return t >= 0; });
    if (extremum) {
      // Max(a, b) = a + Relu(b - a), Min(a, b) = a - Relu(a - b), chained: exact in integers.
      const bool is_max = n.op_type == "Max";
      const int y = n.outputs[0];
      int acc = n.inputs[0];
      if (n.inputs.size() == 1) {
        out.push_back(identity(n));
        continue;
      }
      auto step = [&](const std::string& type, std::vector<int> in, const ops::Shape& shape, int o, size_t k) {
        if (o < 0) {
          TensorInfo t;
          t.name = n.name + "/lowered_" + type + "_" + std::to_string(k);
          t.shape = shape;
          t.dtype = g.tensors[y].dtype;
          o = g.add_tensor(std::move(t));
        }
        ops::Node m;
        m.name = n.name + "/" + type + "_" + std::to_string(k);
        m.op_type = type;
        m.opset = std::max(n.opset, 14);
        m.inputs = std::move(in);
        m.outputs = {o};
        out.push_back(std::move(m));
        return o;
      };
      for (size_t k = 1; k < n.inputs.size(); ++k) {
        const int b = n.inputs[k];
        const ops::Shape shape = ops::broadcast_shape(n, g.tensors[acc].shape, g.tensors[b].shape);
        const int d = step("Sub", is_max ? std::vector<int>{b, acc} : std::vector<int>{acc, b}, shape, -1, k);
        const int r = step("Relu", {d}, shape, -1, k);
        acc = step(is_max ? "Add" : "Sub", {acc, r}, shape, k + 1 == n.inputs.size() ? y : -1, k);
      }
      continue;
    }
    const bool variadic = (n.op_type == "Sum" || n.op_type == "Mean") && n.outputs.size() == 1 && n.outputs[0] >= 0 &&
                          (n.inputs.size() == 1 || n.inputs.size() >= 3) &&
                          std::all_of(n.inputs.begin(), n.inputs.end(), [](int t) { return t >= 0; });
    const bool reduce_noop = n.op_type == "ReduceSum" && n.attrs.get_int("noop_with_empty_axes", 0) != 0 &&
                             (n.inputs.size() < 2 || n.inputs[1] < 0 ||
                              (g.tensors[n.inputs[1]].is_const && g.tensors[n.inputs[1]].value.size() == 0));
    if (reduce_noop || (variadic && n.inputs.size() == 1)) {
      out.push_back(identity(n));
      continue;
    }
    if (!variadic) {
      out.push_back(std::move(n));
      continue;
    }
    // ((x0 + x1) + x2) + ...: each partial sum of the broadcast shape of its inputs.
    const int y = n.outputs[0];
    const bool mean = n.op_type == "Mean";
    int acc = n.inputs[0];
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      const bool last = k + 1 == n.inputs.size();
      int o = y;
      if (!last || mean) {
        TensorInfo t;
        t.name = n.name + "/lowered_sum_" + std::to_string(k);
        t.shape = ops::broadcast_shape(n, g.tensors[acc].shape, g.tensors[n.inputs[k]].shape);
        t.dtype = g.tensors[y].dtype;
        o = g.add_tensor(std::move(t));
      }
      ops::Node a;
      a.name = n.name + "/add_" + std::to_string(k);
      a.op_type = "Add";
      a.opset = std::max(n.opset, 14);
      a.inputs = {acc, n.inputs[k]};
      a.outputs = {o};
      out.push_back(std::move(a));
      acc = o;
    }
    if (mean) {
      ops::Node d;
      d.name = n.name + "/div";
      d.op_type = "Div";
      d.opset = std::max(n.opset, 14);
      d.inputs = {acc, scalar(n.name + "/lowered_count", static_cast<double>(n.inputs.size()))};
      d.outputs = {y};
      out.push_back(std::move(d));
    }
  }
  g.nodes = std::move(out);
}

void lower_reductions(Graph& g) {
  std::vector<ops::Node> out;
  for (auto& n : g.nodes) {
    const std::string& op = n.op_type;
    const bool known = op == "ReduceL1" || op == "ReduceSumSquare" || op == "ReduceL2" || op == "ReduceLogSum" ||
                       op == "ReduceLogSumExp";
    if (!known || n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) {
      out.push_back(std::move(n));
      continue;
    }
    const int x = n.inputs[0], y = n.outputs[0];
    std::vector<int64_t> axes;
    if (n.opset >= 18) {
      if (n.inputs.size() > 1 && n.inputs[1] >= 0) {
        if (!g.tensors[n.inputs[1]].is_const) throw Error(g.source + ": node '" + n.name + "': non-constant axes");
        for (double v : g.tensors[n.inputs[1]].value.data) axes.push_back(static_cast<int64_t>(v));
      }
    } else {
      axes = n.attrs.get_ints("axes");
    }
    auto tensor = [&](const std::string& suffix, const ops::Shape& shape) {
      TensorInfo t;
      t.name = n.name + "/lowered_" + suffix;
      t.shape = shape;
      t.dtype = DType::kFloat;
      return g.add_tensor(std::move(t));
    };
    auto node = [&](const std::string& type, std::vector<int> in, int o) {
      ops::Node m;
      m.name = n.name + "/" + type;
      m.op_type = type;
      m.opset = n.opset;
      m.inputs = std::move(in);
      m.outputs = {o};
      return m;
    };
    const int64_t keepdims = n.attrs.get_int("keepdims", 1), noop = n.attrs.get_int("noop_with_empty_axes", 0);
    // A reduction over `axes` with n's keepdims and noop_with_empty_axes (axes as an input from
    // `input_opset` on, as an attribute before).
    auto reduce = [&](const std::string& type, int in, int o, int64_t keep, int input_opset) {
      ops::Node r = node(type, {in}, o);
      r.attrs.ints["keepdims"] = keep;
      if (n.opset >= 18) r.attrs.ints["noop_with_empty_axes"] = noop;
      if (n.opset >= input_opset) {
        if (!axes.empty()) {
          TensorInfo t;
          t.name = n.name + "/lowered_axes_" + type + std::to_string(o);
          t.shape = {static_cast<int64_t>(axes.size())};
          t.dtype = DType::kInt;
          t.is_const = true;
          t.value = FTensor(t.shape, DType::kInt);
          for (size_t k = 0; k < axes.size(); ++k) t.value.data[k] = static_cast<double>(axes[k]);
          r.inputs.push_back(g.add_tensor(std::move(t)));
        }
      } else if (!axes.empty()) {
        r.attrs.int_lists["axes"] = axes;
      }
      return r;
    };
    int src = x, max_kept = -1;
    if (op == "ReduceLogSumExp") {
      // Stable form: log(sum(exp(x - m))) + m with m the maximum over the axes, so that exp's
      // inputs are <= 0 and the sum lies in [1, count] whatever the range of x (exp(x) alone
      // would need a table up to e^max(x)).
      ops::Shape kept_shape = g.tensors[x].shape;
      const int64_t rank = static_cast<int64_t>(kept_shape.size());
      if (!(axes.empty() && noop))
        for (int64_t d = 0; d < rank; ++d)
          if (axes.empty() || std::find_if(axes.begin(), axes.end(), [&](int64_t a) { return a == d || a + rank == d; }) != axes.end())
            kept_shape[static_cast<size_t>(d)] = 1;
      max_kept = tensor("max", kept_shape);
      out.push_back(reduce("ReduceMax", x, max_kept, 1, 18));
      const int d = tensor("shifted", g.tensors[x].shape);
      out.push_back(node("Sub", {x, max_kept}, d));
      src = d;
    }
    if (op != "ReduceLogSum") {  // the element-wise part
      const int e = tensor("elementwise", g.tensors[x].shape);
      if (op == "ReduceL1") out.push_back(node("Abs", {src}, e));
      else if (op == "ReduceLogSumExp") out.push_back(node("Exp", {src}, e));
      else out.push_back(node("Mul", {src, src}, e));
      src = e;
    }
    const bool post = op == "ReduceL2" || op == "ReduceLogSum" || op == "ReduceLogSumExp";
    const int s = post ? tensor("sum", g.tensors[y].shape) : y;
    out.push_back(reduce("ReduceSum", src, s, keepdims, 13));  // ReduceSum reads its axes from an input since opset 13
    if (op == "ReduceL2") {
      out.push_back(node("Sqrt", {s}, y));
    } else if (op == "ReduceLogSumExp") {
      const int l = tensor("log", g.tensors[y].shape);
      out.push_back(node("Log", {s}, l));
      int m = max_kept;
      if (keepdims == 0) {  // the maximum again, without the reduced axes
        m = tensor("max_squeezed", g.tensors[y].shape);
        out.push_back(reduce("ReduceMax", x, m, 0, 18));
      }
      out.push_back(node("Add", {l, m}, y));
    } else if (post) {
      out.push_back(node("Log", {s}, y));
    }
  }
  g.nodes = std::move(out);
}

namespace {

// The reduced axes of a ReduceMean node (attribute, or constant input from opset 18), normalized;
// nullopt when not known.
std::optional<std::vector<int64_t>> mean_axes(const Graph& g, const ops::Node& n, int64_t rank) {
  std::vector<int64_t> axes;
  if (n.opset >= 18) {
    if (n.inputs.size() < 2 || n.inputs[1] < 0 || !g.tensors[n.inputs[1]].is_const) return std::nullopt;
    for (double v : g.tensors[n.inputs[1]].value.data) axes.push_back(static_cast<int64_t>(v));
  } else {
    axes = n.attrs.get_ints("axes");
  }
  if (axes.empty()) return std::nullopt;
  for (auto& a : axes) {
    if (a < -rank || a >= rank) return std::nullopt;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

bool is_scalar_const(const Graph& g, int t) {
  return t >= 0 && g.tensors[t].is_const && g.tensors[t].value.data.size() == 1 && g.tensors[t].dtype == DType::kFloat;
}

// A constant whose shape, without leading 1s, is `dims`: it broadcasts along the trailing axes only.
bool trailing_const(const Graph& g, int t, const std::vector<int64_t>& dims) {
  if (t < 0 || !g.tensors[t].is_const || g.tensors[t].dtype != DType::kFloat) return false;
  std::vector<int64_t> s = g.tensors[t].value.shape;
  while (!s.empty() && s.front() == 1 && s.size() > dims.size()) s.erase(s.begin());
  return s == dims;
}

}  // namespace

void fuse_layer_norm(Graph& g) {
  const size_t nt = g.tensors.size();
  std::vector<int> uses(nt, 0), producer(nt, -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int t : g.nodes[i].inputs)
      if (t >= 0) ++uses[t];
    for (int t : g.nodes[i].outputs)
      if (t >= 0) producer[t] = static_cast<int>(i);
  }
  for (int t : g.outputs) uses[t] += 1000;  // a model output is never an inner tensor
  auto node_of = [&](int t, const char* op) -> ops::Node* {
    if (t < 0 || producer[t] < 0) return nullptr;
    ops::Node& n = g.nodes[producer[t]];
    return n.op_type == op && n.outputs.size() == 1 ? &n : nullptr;
  };
  auto other = [](const ops::Node& n, int t) { return n.inputs[0] == t ? n.inputs[1] : n.inputs[0]; };
  std::vector<bool> dead(g.nodes.size(), false);
  std::vector<std::pair<size_t, ops::Node>> fused;  // (position of the last node, the new node)
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ops::Node& div = g.nodes[i];
    if (div.op_type != "Div" || div.inputs.size() != 2 || div.outputs.size() != 1 || dead[i]) continue;
    const int d = div.inputs[0], s = div.inputs[1];
    ops::Node* sq = node_of(s, "Sqrt");
    ops::Node* add = sq ? node_of(sq->inputs[0], "Add") : nullptr;
    if (!add || add->inputs.size() != 2) continue;
    const int eps_t = is_scalar_const(g, add->inputs[1]) ? add->inputs[1] : is_scalar_const(g, add->inputs[0]) ? add->inputs[0] : -1;
    if (eps_t < 0) continue;
    const double eps = g.tensors[eps_t].value.data[0];
    ops::Node* var = node_of(other(*add, eps_t), "ReduceMean");
    ops::Node* sub = node_of(d, "Sub");
    if (!var || !sub || sub->inputs.size() != 2) continue;
    const int p = var->inputs[0];
    ops::Node* sqr = node_of(p, "Pow");
    bool square = sqr && sqr->inputs.size() == 2 && sqr->inputs[0] == d && is_scalar_const(g, sqr->inputs[1]) &&
                  g.tensors[sqr->inputs[1]].value.data[0] == 2.0;
    if (!square) {
      sqr = node_of(p, "Mul");
      square = sqr && sqr->inputs.size() == 2 && sqr->inputs[0] == d && sqr->inputs[1] == d;
    }
    if (!square) continue;
    const int x = sub->inputs[0];
    ops::Node* mean = node_of(sub->inputs[1], "ReduceMean");
    if (!mean || mean->inputs.empty() || mean->inputs[0] != x || x < 0) continue;
    const auto& xs = g.tensors[x].shape;
    const auto rank = static_cast<int64_t>(xs.size());
    if (rank == 0 || g.tensors[d].shape != xs || g.tensors[div.outputs[0]].shape != xs) continue;
    bool known = true;
    for (auto v : xs) known = known && v > 0;
    if (!known) continue;
    const auto a1 = mean_axes(g, *mean, rank), a2 = mean_axes(g, *var, rank);
    if (!a1 || !a2 || *a1 != *a2 || mean->attrs.get_int("keepdims", 1) == 0 || var->attrs.get_int("keepdims", 1) == 0) continue;
    // The reduced axes must be the trailing ones (LayerNormalization's axis..rank-1).
    const int64_t axis = a1->front();
    bool trailing = a1->back() == rank - 1 && static_cast<int64_t>(a1->size()) == rank - axis;
    if (!trailing) continue;
    // Every inner tensor is used only inside the pattern (d by the square and the Div).
    const int dmul = sqr->op_type == "Mul" ? 2 : 1;
    if (uses[mean->outputs[0]] != 1 || uses[d] != 1 + dmul || uses[p] != 1 || uses[var->outputs[0]] != 1 ||
        uses[add->outputs[0]] != 1 || uses[s] != 1)
      continue;
    const std::vector<int64_t> norm(xs.begin() + axis, xs.end());
    std::vector<size_t> members = {static_cast<size_t>(producer[mean->outputs[0]]), static_cast<size_t>(producer[d]),
                                   static_cast<size_t>(producer[p]), static_cast<size_t>(producer[var->outputs[0]]),
                                   static_cast<size_t>(producer[add->outputs[0]]), static_cast<size_t>(producer[s]), i};
    // A following Mul by a scale and Add of a bias of the normalized shape join it.
    int y = div.outputs[0], gamma = -1, beta = -1;
    auto consumer = [&](int t) -> int {
      if (uses[t] != 1) return -1;
      for (size_t k = i + 1; k < g.nodes.size(); ++k)
        for (int in : g.nodes[k].inputs)
          if (in == t) return static_cast<int>(k);
      return -1;
    };
    if (int k = consumer(y); k >= 0 && g.nodes[k].op_type == "Mul" && g.nodes[k].inputs.size() == 2 && !dead[k]) {
      const int c = other(g.nodes[k], y);
      if (c != y && trailing_const(g, c, norm) && g.tensors[g.nodes[k].outputs[0]].shape == xs) {
        gamma = c;
        members.push_back(static_cast<size_t>(k));
        y = g.nodes[k].outputs[0];
        if (int k2 = consumer(y); k2 >= 0 && g.nodes[k2].op_type == "Add" && g.nodes[k2].inputs.size() == 2 && !dead[k2]) {
          const int b = other(g.nodes[k2], y);
          if (b != y && trailing_const(g, b, norm) && g.tensors[g.nodes[k2].outputs[0]].shape == xs) {
            beta = b;
            members.push_back(static_cast<size_t>(k2));
            y = g.nodes[k2].outputs[0];
          }
        }
      }
    }
    auto constant = [&](const std::string& name, const FTensor& v) {
      TensorInfo t;
      t.name = div.name + "/fused_" + name;
      t.shape = norm;
      t.dtype = DType::kFloat;
      t.is_const = true;
      t.value = FTensor(norm);
      std::copy(v.data.begin(), v.data.end(), t.value.data.begin());
      return g.add_tensor(std::move(t));
    };
    FTensor ones(norm);
    std::fill(ones.data.begin(), ones.data.end(), 1.0);
    ops::Node ln;
    ln.name = div.name + "/layer_norm";
    ln.op_type = "LayerNormalization";
    ln.opset = std::max(div.opset, 17);
    ln.inputs = {x, constant("scale", gamma >= 0 ? g.tensors[gamma].value : ones)};
    if (beta >= 0) ln.inputs.push_back(constant("bias", g.tensors[beta].value));
    ln.outputs = {y};
    ln.attrs.ints["axis"] = axis;
    ln.attrs.floats["epsilon"] = eps;
    size_t last = 0;
    for (size_t m : members) {
      dead[m] = true;
      last = std::max(last, m);
      // The inner tensors are no longer computed: no shape, like any tensor nothing produces.
      for (int t : g.nodes[m].outputs)
        if (t >= 0 && t != y) g.tensors[t].shape.clear();
    }
    fused.emplace_back(last, std::move(ln));
  }
  if (fused.empty()) return;
  std::vector<ops::Node> out;
  size_t f = 0;
  std::sort(fused.begin(), fused.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!dead[i]) out.push_back(std::move(g.nodes[i]));
    while (f < fused.size() && fused[f].first == i) out.push_back(std::move(fused[f++].second));
  }
  g.nodes = std::move(out);
}

Graph load_onnx_file(const std::string& path, const LoadOptions& opt) {
  auto b = read_file(path);
  return load_onnx_bytes(b, path, opt);
}

}  // namespace zkinfer::graph
