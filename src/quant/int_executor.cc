// Integer executor (int_executor.h). No floating point in run_int.
#include "quant/int_executor.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace zkinfer::quant {

using ops::ITensor;

std::vector<ITensor> Trace::outputs(const CompiledModel& m) const {
  std::vector<ITensor> out;
  for (int o : m.graph.outputs) out.push_back(values.at(static_cast<size_t>(o)));
  return out;
}

static void check_bound(const CompiledModel& m, int id, const ITensor& t, const std::string& where) {
  int b = m.bits[id];
  int64_t lim = b >= 63 ? INT64_MAX : (int64_t{1} << b);
  for (size_t i = 0; i < t.data.size(); ++i) {
    int64_t v = t.data[i];
    if (v >= lim || v <= -lim) {
      const auto& r = m.ranges[id];
      throw Error(where + ": tensor '" + m.graph.tensors[id].name + "' value " + std::to_string(v) + " at index " +
                  std::to_string(i) + " exceeds the bound 2^" + std::to_string(b) + " (scale 2^" +
                  std::to_string(m.scales[id]) + "; calibrated range [" + std::to_string(r.lo) + ", " +
                  std::to_string(r.hi) + "]): the input is outside what the model was calibrated for");
    }
  }
}

void release_constants(const CompiledModel& m, Trace& trace) {
  for (size_t t = 0; t < m.graph.tensors.size() && t < trace.values.size(); ++t)
    if (m.graph.tensors[t].is_const &&
        std::find(m.graph.outputs.begin(), m.graph.outputs.end(), static_cast<int>(t)) == m.graph.outputs.end())
      std::vector<int64_t>().swap(trace.values[t].data);
}

Trace run_int(const CompiledModel& m, const std::vector<ITensor>& inputs) {
  const auto& g = m.graph;
  if (inputs.size() != g.inputs.size())
    throw Error("the model has " + std::to_string(g.inputs.size()) + " inputs, " + std::to_string(inputs.size()) + " given");
  Trace tr;
  tr.values.resize(g.tensors.size());
  std::vector<bool> have(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (g.tensors[i].is_const) {
      tr.values[i] = m.qconst[i];
      have[i] = true;
    }
  for (size_t i = 0; i < inputs.size(); ++i) {
    int id = g.inputs[i];
    if (inputs[i].shape != g.tensors[id].shape)
      throw Error("input '" + g.tensors[id].name + "' has shape " + ops::shape_str(inputs[i].shape) + ", the model expects " +
                  ops::shape_str(g.tensors[id].shape));
    if (inputs[i].scale != m.scales[id]) throw Error("input '" + g.tensors[id].name + "' is at the wrong scale");
    check_bound(m, id, inputs[i], "input");
    tr.values[id] = inputs[i];
    tr.values[id].dtype = g.tensors[id].dtype;
    have[id] = true;
  }
  const auto& table = ops::OpTable::get();
  tr.aux.resize(g.nodes.size());
  for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
    const ops::Node& n = g.nodes[ni];
    const ops::OpDef* def = table.find(n.op_type);
    if (!def) throw Error("node '" + n.name + "': unsupported operator " + n.op_type);
    ops::IntContext c(n, m.params.at(ni));
    for (int i : n.inputs) {
      if (i >= 0 && !have[i]) throw Error("node '" + n.name + "' reads a tensor before it is computed");
      c.in.push_back(i >= 0 ? &tr.values[i] : nullptr);
    }
    def->run_int(c);
    if (c.out.size() < n.outputs.size()) throw Error("node '" + n.name + "' produced too few outputs");
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      int id = n.outputs[k];
      if (id < 0) continue;
      ITensor& y = c.out[k];
      std::string where = "node '" + n.name + "' (" + n.op_type + ")";
      if (y.scale != m.scales[id])
        throw Error(where + ": output scale " + std::to_string(y.scale) + " differs from the compiled " + std::to_string(m.scales[id]));
      if (y.shape != g.tensors[id].shape)
        throw Error(where + ": output shape " + ops::shape_str(y.shape) + " differs from the compiled " + ops::shape_str(g.tensors[id].shape));
      y.dtype = g.tensors[id].dtype;
      check_bound(m, id, y, where);
      tr.values[id] = std::move(y);
      have[id] = true;
    }
    tr.aux[ni] = std::move(c.aux);
  }
  return tr;
}

std::vector<ITensor> quantize_inputs(const CompiledModel& m, const std::vector<ops::FTensor>& inputs) {
  std::vector<ITensor> out;
  if (inputs.size() != m.graph.inputs.size()) throw Error("wrong number of inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    int id = m.graph.inputs[i];
    ITensor q(inputs[i].shape, m.graph.tensors[id].dtype);
    q.scale = m.scales[id];
    double s = std::ldexp(1.0, q.scale), lim = std::ldexp(1.0, std::min(m.bits[id], 62));
    for (size_t k = 0; k < inputs[i].data.size(); ++k) {
      double v = std::floor(inputs[i].data[k] * s + 0.5);
      if (!(std::fabs(v) < lim))
        throw Error("input '" + m.graph.tensors[id].name + "' value " + std::to_string(inputs[i].data[k]) + " at index " +
                    std::to_string(k) + " does not fit the input's bound 2^" + std::to_string(m.bits[id]) + " at scale 2^" +
                    std::to_string(q.scale));
      q.data[k] = static_cast<int64_t>(v);
    }
    out.push_back(std::move(q));
  }
  return out;
}

ops::FTensor dequantize(const ITensor& t) {
  ops::FTensor f(t.shape, t.dtype);
  for (size_t i = 0; i < t.data.size(); ++i) f.data[i] = std::ldexp(static_cast<double>(t.data[i]), -t.scale);
  return f;
}

}  // namespace zkinfer::quant
