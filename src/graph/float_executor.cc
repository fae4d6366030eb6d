// Float executor (float_executor.h).
#include "graph/float_executor.h"

#include <cmath>

#include "common/error.h"
#include "graph/lower_rnn.h"
#include "ops/op.h"

namespace zkinfer::graph {

using ops::FTensor;

std::vector<FTensor> make_inputs(const Graph& g, const std::vector<std::vector<double>>& flat, const std::string& what) {
  if (flat.size() != g.inputs.size())
    throw Error(what + ": " + std::to_string(flat.size()) + " input tensor(s) given, the model has " + std::to_string(g.inputs.size()));
  std::vector<FTensor> out;
  for (size_t i = 0; i < flat.size(); ++i) {
    const TensorInfo& ti = g.tensors[g.inputs[i]];
    ops::Shape s = ti.shape;
    int64_t known = 1;
    int unknown = 0;
    for (auto& d : s) {
      if (d < 0) ++unknown;
      else known *= d;
    }
    int64_t n = static_cast<int64_t>(flat[i].size());
    if (unknown) {
      // Bind the first unknown dimension from the value count, the others to 1.
      bool first = true;
      for (auto& d : s)
        if (d < 0) {
          if (first) {
            if (known == 0 || n % known) throw Error(what + ": input '" + ti.name + "' has " + std::to_string(n) + " values, not a multiple of " + std::to_string(known));
            d = n / known;
            first = false;
          } else {
            d = 1;
          }
        }
    }
    if (ops::numel(s) != n)
      throw Error(what + ": input '" + ti.name + "' has " + std::to_string(n) + " values, the model expects " +
                  std::to_string(ops::numel(s)) + " (shape " + ops::shape_str(s) + ")");
    FTensor t(s, ti.dtype);
    t.data = flat[i];
    if (ti.dtype != ops::DType::kFloat)
      for (double v : t.data)
        if (v != std::floor(v)) throw Error(what + ": input '" + ti.name + "' is integer-typed but holds " + std::to_string(v));
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<FTensor> run_float_all(const Graph& g, const std::vector<FTensor>& inputs) {
  if (inputs.size() != g.inputs.size()) throw Error(g.source + ": wrong number of inputs");
  std::vector<FTensor> v(g.tensors.size());
  std::vector<bool> have(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (g.tensors[i].is_const) {
      v[i] = g.tensors[i].value;
      have[i] = true;
    }
  for (size_t i = 0; i < inputs.size(); ++i) {
    v[g.inputs[i]] = inputs[i];
    have[g.inputs[i]] = true;
  }
  const auto& table = ops::OpTable::get();
  for (const auto& n : g.nodes) {
    std::vector<const FTensor*> in;
    for (int i : n.inputs) {
      if (i >= 0 && !have[i]) throw Error(g.source + ": node '" + n.name + "' reads '" + g.tensors[i].name + "' before it is computed");
      in.push_back(i >= 0 ? &v[i] : nullptr);
    }
    const ops::OpDef* def = table.find(n.op_type);
    if (!def && !is_rnn_op(n.op_type)) throw Error(g.source + ": node '" + n.name + "': unsupported operator " + n.op_type);
    // LSTM, GRU and RNN before lower_rnn: the node unrolled alone on these inputs.
    auto out = def ? def->run_float(n, std::span<const FTensor* const>(in)) : run_rnn_float(g, n, std::span<const FTensor* const>(in));
    if (out.size() < n.outputs.size()) throw Error(g.source + ": node '" + n.name + "' produced too few outputs");
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      if (n.outputs[k] < 0) continue;
      v[n.outputs[k]] = std::move(out[k]);
      have[n.outputs[k]] = true;
    }
  }
  for (int o : g.outputs)
    if (!have[o]) throw Error(g.source + ": output '" + g.tensors[o].name + "' is never computed");
  return v;
}

std::vector<FTensor> run_float(const Graph& g, const std::vector<FTensor>& inputs) {
  auto all = run_float_all(g, inputs);
  std::vector<FTensor> out;
  for (int o : g.outputs) out.push_back(std::move(all[o]));
  return out;
}

void bind_shapes(Graph& g, const std::vector<FTensor>& inputs) {
  auto all = run_float_all(g, inputs);
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    g.tensors[i].shape = all[i].shape;
    if (!g.tensors[i].is_const) g.tensors[i].dtype = all[i].dtype;
  }
}

}  // namespace zkinfer::graph
