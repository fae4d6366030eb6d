#include "proof/model_facts.h"

#include "common/check.h"
#include "common/error.h"
#include "proof/step.h"

namespace zkinfer::proof {

std::vector<size_t> dims_of(const quant::CompiledModel& m, int t) {
  std::vector<size_t> d;
  for (int64_t x : m.graph.tensors[t].shape) d.push_back(x < 1 ? 1 : static_cast<size_t>(x));
  return d;
}
layers::PaddedShape shape_of(const quant::CompiledModel& m, int t) { return layers::PaddedShape(dims_of(m, t)); }

std::vector<Fr> to_fr(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

Fr mle_eval(std::vector<Fr> t, std::span<const Fr> point) {
  ZKINFER_CHECK(t.size() == (size_t{1} << point.size()));
  for (const Fr& r : point) {
    const size_t h = t.size() / 2;
    for (size_t i = 0; i < h; ++i) t[i] = t[2 * i] + r * (t[2 * i + 1] - t[2 * i]);
    t.resize(h);
  }
  return t[0];
}

bool is_weight(const quant::CompiledModel& m, int t) {
  // An empty constant (Resize's absent roi or scales given as [0]) is no weight: it has no
  // values, withheld or not, so prover and verifier agree.
  return t >= 0 && m.graph.tensors[t].is_const && m.graph.tensors[t].dtype == ops::DType::kFloat &&
         ops::numel(m.graph.tensors[t].shape) > 0 && (!m.qconst[t].data.empty() || m.is_withheld(t));
}
bool is_public_const(const quant::CompiledModel& m, int t) {
  return t >= 0 && m.graph.tensors[t].is_const && !is_weight(m, t) && !m.is_withheld(t);
}
bool input_is_public(const quant::CompiledModel& m) { return m.visibility.input == quant::Visibility::kPublic; }
bool output_is_private(const quant::CompiledModel& m) { return m.visibility.output == quant::Visibility::kPrivate; }
bool is_committed_weight(const quant::CompiledModel& m, int t) {
  return is_weight(m, t) && m.visibility.weights == quant::Visibility::kPrivate;
}
bool verifier_evaluates(const quant::CompiledModel& m, int t) {
  return is_public_const(m, t) || (is_weight(m, t) && !is_committed_weight(m, t) && !m.is_withheld(t));
}
bool zero_knowledge(const quant::CompiledModel& m) {
  if (m.benchmark_plain_messages) return false;  // benchmarks only (quant/model.h)
  return !input_is_public(m) || output_is_private(m) || m.visibility.weights == quant::Visibility::kPrivate;
}
bool public_keeps_bn(const quant::CompiledModel& m) { return m.visibility.weights != quant::Visibility::kPrivate; }
const std::vector<int64_t>& committed_values(const quant::CompiledModel& m, int t) {
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const auto& n = m.graph.nodes[i];
    if (n.op_type != "BatchNormalization" || n.inputs.size() < 3) continue;
    if (n.inputs[1] == t && m.params[i].consts.count("a")) return m.params[i].consts.at("a").data;
    if (n.inputs[2] == t && m.params[i].consts.count("b")) return m.params[i].consts.at("b").data;
  }
  return m.qconst[t].data;
}

std::string node_label(const quant::CompiledModel& m, size_t i) {
  return "node " + std::to_string(i) + " (" + m.graph.nodes[i].name + ", " + m.graph.nodes[i].op_type + ")";
}

std::vector<int64_t> int_const(const quant::CompiledModel& m, size_t node, int t, const char* what) {
  if (!is_public_const(m, t)) throw Error("proof: " + node_label(m, node) + ": " + what + " must be an integer constant");
  return m.qconst[t].data;
}

int shift_of(const ops::QParams& p) {
  auto it = p.ints.find("shift");
  return it == p.ints.end() ? 0 : static_cast<int>(it->second);
}

size_t checked_bits(const quant::CompiledModel& m, size_t node, int t) {
  const int b = m.bits[t];
  if (b < 1 || b > 60) throw Error("proof: " + node_label(m, node) + ": bit bound 2^" + std::to_string(b) + " out of range");
  return static_cast<size_t>(b);
}

std::vector<size_t> consumers(const quant::CompiledModel& m, int t) {
  std::vector<size_t> out;
  for (size_t i = 0; i < m.graph.nodes.size(); ++i)
    for (int in : m.graph.nodes[i].inputs)
      if (in == t) {
        out.push_back(i);
        break;
      }
  return out;
}

bool bounded_by_consumers(const quant::CompiledModel& m, int t, int depth) {
  const auto& g = m.graph;
  if (depth > 64) return false;
  for (int o : g.outputs)
    if (o == t) return true;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const auto& n = g.nodes[k];
    bool bounded = true, uses = false;
    for (size_t j = 0; j < n.inputs.size(); ++j) {
      if (n.inputs[j] != t) continue;
      uses = true;
      const StepEntry* e = find_step(n.op_type);
      if (e && e->bounds_input && e->bounds_input(m, k, j)) continue;
      if (e && e->passes_bound && n.outputs.size() == 1 && bounded_by_consumers(m, n.outputs[0], depth + 1)) continue;
      bounded = false;
    }
    if (uses && !bounded) return false;
  }
  return true;
}

}  // namespace zkinfer::proof
