// Spelled-out GELU subgraphs as one Gelu node (fuse_unary.h).
#include "graph/fuse_unary.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <set>
#include <string>

namespace zkinfer::graph {

namespace {

using ops::DType;

bool element_op(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Neg" || op == "Tanh" ||
         op == "Erf";
}
size_t arity(const std::string& op) { return op == "Neg" || op == "Tanh" || op == "Erf" ? 1 : 2; }

double gelu_tanh(double x) {
  return 0.5 * x * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (x + 0.044715 * x * x * x)));
}
double gelu_erf(double x) { return 0.5 * x * (1 + std::erf(x / std::numbers::sqrt2)); }

}  // namespace

size_t fuse_gelu(Graph& g) {
  const size_t nt = g.tensors.size();
  std::vector<int> producer(nt, -1);
  std::vector<int> uses(nt, 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int t : g.nodes[i].inputs)
      if (t >= 0) ++uses[t];
    for (int t : g.nodes[i].outputs)
      if (t >= 0) producer[t] = static_cast<int>(i);
  }
  for (int t : g.outputs) uses[t] += 1000;  // a model output is never an inner tensor
  std::vector<bool> dead(g.nodes.size(), false);
  auto scalar_const = [&](int t) {
    return t >= 0 && g.tensors[t].is_const && g.tensors[t].dtype == DType::kFloat && g.tensors[t].value.data.size() == 1;
  };
  // A node the subgraph may contain: an element-wise op with one output and its operands present.
  auto member_ok = [&](int i) {
    if (i < 0 || dead[i]) return false;
    const ops::Node& n = g.nodes[i];
    if (!element_op(n.op_type) || n.outputs.size() != 1 || n.outputs[0] < 0 || n.inputs.size() != arity(n.op_type))
      return false;
    for (int t : n.inputs)
      if (t < 0) return false;
    return g.tensors[n.outputs[0]].dtype == DType::kFloat;
  };
  // The nodes computing t from x and scalar constants alone (false: t needs something else).
  std::function<bool(int, int, std::set<int>&)> closure = [&](int t, int x, std::set<int>& m) -> bool {
    if (t == x || scalar_const(t)) return true;
    const int p = t >= 0 ? producer[t] : -1;
    if (!member_ok(p)) return false;
    if (m.count(p)) return true;
    m.insert(p);
    for (int in : g.nodes[p].inputs)
      if (!closure(in, x, m)) return false;
    return true;
  };

  std::vector<std::pair<size_t, ops::Node>> fused;  // (position of the last member, the Gelu node)
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    const ops::Node& anchor = g.nodes[a];
    if ((anchor.op_type != "Tanh" && anchor.op_type != "Erf") || !member_ok(static_cast<int>(a))) continue;
    // Candidate inputs x: the computed tensors the anchor's operand depends on through member
    // nodes, nearest first; the farthest that works is taken (the largest subgraph).
    std::vector<int> cand;
    {
      std::vector<int> queue = {anchor.inputs[0]};
      std::set<int> seen = {anchor.inputs[0]};
      for (size_t q = 0; q < queue.size() && q < 64; ++q) {
        const int t = queue[q];
        if (!scalar_const(t) && !g.tensors[t].is_const) cand.push_back(t);
        const int p = producer[t];
        if (!member_ok(p)) continue;
        for (int in : g.nodes[p].inputs)
          if (!scalar_const(in) && seen.insert(in).second) queue.push_back(in);
      }
    }
    bool done = false;
    for (size_t ci = cand.size(); ci-- > 0 && !done;) {
      const int x = cand[ci];
      const ops::Shape& xs = g.tensors[x].shape;
      if (xs.empty() || g.tensors[x].dtype != DType::kFloat ||
          std::any_of(xs.begin(), xs.end(), [](int64_t d) { return d <= 0; }))
        continue;
      std::set<int> back;
      if (!closure(anchor.outputs[0], x, back)) continue;
      // The tensors computed from x (the anchor's among them), then, in node order, the member
      // nodes that read only those and scalar constants (0.5 x may come before the anchor): the
      // candidate results y.
      std::set<int> region = {x};
      for (int i : back) region.insert(g.nodes[i].outputs[0]);
      std::vector<int> ys = {anchor.outputs[0]};
      for (size_t i = 0; i < g.nodes.size(); ++i) {
        if (back.count(static_cast<int>(i)) || !member_ok(static_cast<int>(i))) continue;
        bool inside = true;
        for (int in : g.nodes[i].inputs) inside = inside && (region.count(in) || scalar_const(in));
        if (!inside) continue;
        region.insert(g.nodes[i].outputs[0]);
        ys.push_back(g.nodes[i].outputs[0]);
      }
      for (size_t yi = ys.size(); yi-- > 0 && !done;) {
        const int y = ys[yi];
        std::set<int> m;
        if (!closure(y, x, m) || !m.count(static_cast<int>(a))) continue;
        // Element-wise on x's shape, and every inner tensor used inside the subgraph only.
        std::map<int, int> inner_uses;
        bool ok = true;
        for (int i : m) {
          const int o = g.nodes[i].outputs[0];
          ok = ok && g.tensors[o].shape == xs;
          for (int in : g.nodes[i].inputs) ++inner_uses[in];
        }
        for (int i : m) {
          const int o = g.nodes[i].outputs[0];
          if (o != y && uses[o] != inner_uses[o]) ok = false;
        }
        if (!ok) continue;
        // The subgraph's function of x, in double precision.
        auto eval = [&](double xv) {
          std::map<int, double> v = {{x, xv}};
          std::function<double(int)> at = [&](int t) -> double {
            if (auto it = v.find(t); it != v.end()) return it->second;
            if (scalar_const(t)) return g.tensors[t].value.data[0];
            const ops::Node& n = g.nodes[producer[t]];
            const double p = at(n.inputs[0]), q = n.inputs.size() > 1 ? at(n.inputs[1]) : 0.0;
            double r = 0;
            if (n.op_type == "Add") r = p + q;
            else if (n.op_type == "Sub") r = p - q;
            else if (n.op_type == "Mul") r = p * q;
            else if (n.op_type == "Div") r = p / q;
            else if (n.op_type == "Pow") r = std::pow(p, q);
            else if (n.op_type == "Neg") r = -p;
            else if (n.op_type == "Tanh") r = std::tanh(p);
            else r = std::erf(p);
            return v[t] = r;
          };
          return at(y);
        };
        double err_tanh = 0, err_erf = 0;
        for (int k = 0; k <= 64; ++k) {
          const double xv = k == 64 ? 0.0 : -8.0 + 16.0 * (k + 0.37) / 64.0;
          const double f = eval(xv), tol = 1e-5 * (1 + std::fabs(xv));
          if (!std::isfinite(f)) err_tanh = err_erf = 1e300;
          err_tanh = std::max(err_tanh, std::fabs(f - gelu_tanh(xv)) / tol);
          err_erf = std::max(err_erf, std::fabs(f - gelu_erf(xv)) / tol);
        }
        if (err_tanh > 1 && err_erf > 1) continue;
        ops::Node gelu;
        gelu.name = g.nodes[producer[y]].name + "/gelu";
        gelu.op_type = "Gelu";
        gelu.opset = std::max(g.nodes[producer[y]].opset, 20);
        gelu.inputs = {x};
        gelu.outputs = {y};
        gelu.attrs.strings["approximate"] = err_tanh <= err_erf ? "tanh" : "none";
        size_t last = 0;
        for (int i : m) {
          dead[static_cast<size_t>(i)] = true;
          last = std::max(last, static_cast<size_t>(i));
          // The inner tensors are no longer computed: no shape, like any tensor nothing produces.
          const int o = g.nodes[i].outputs[0];
          if (o != y) g.tensors[o].shape.clear();
        }
        fused.emplace_back(last, std::move(gelu));
        done = true;
      }
    }
  }
  if (fused.empty()) return 0;
  std::sort(fused.begin(), fused.end(), [](const auto& p, const auto& q) { return p.first < q.first; });
  std::vector<ops::Node> out;
  size_t f = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!dead[i]) out.push_back(std::move(g.nodes[i]));
    while (f < fused.size() && fused[f].first == i) out.push_back(std::move(fused[f++].second));
  }
  const size_t count = fused.size();
  g.nodes = std::move(out);
  return count;
}

}  // namespace zkinfer::graph
