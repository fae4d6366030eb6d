// Whole-model prover and verifier (docs/PROOF.md): backward claim reduction over the graph with
// the layer protocols of src/layers, LogUp range checks of rescale remainders, and one Hyrax
// batch opening of every claim on the input, the weights and the advice.
#include "proof/model_proof.h"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "common/check.h"
#include "hash/keccak.h"
#include "layers/activation.h"
#include "layers/bound.h"
#include "layers/elementwise.h"
#include "layers/clip.h"
#include "layers/leaky_relu.h"
#include "layers/prelu.h"
#include "layers/reindex.h"
#include "layers/pool.h"
#include "layers/rescale.h"
#include "layers/combine.h"
#include "layers/conv.h"
#include "layers/divide.h"
#include "layers/reduce.h"
#include "layers/softmax.h"
#include "layers/layer_norm.h"
#include "layers/int_div.h"
#include "layers/layout.h"
#include "layers/matmul.h"
#include "lookup/batch.h"
#include "ops/kernels.h"
#include "pcs/hyrax_eval.h"
#include "quant/model_file.h"
#include "sumcheck/proof.h"
#include "proof/weight_bounds.h"
#include "zk/cp.h"

namespace zkinfer::proof {

using field::Fr;
using layers::Claim;
using layers::PaddedShape;

namespace {

constexpr std::array<uint8_t, 4> kProofMagic = {'Z', 'K', 'P', 'F'};
constexpr std::array<uint8_t, 4> kVkMagic = {'Z', 'K', 'V', 'K'};

std::vector<size_t> dims_of(const quant::CompiledModel& m, int t) {
  std::vector<size_t> d;
  for (int64_t x : m.graph.tensors[t].shape) d.push_back(x < 1 ? 1 : static_cast<size_t>(x));
  return d;
}
PaddedShape shape_of(const quant::CompiledModel& m, int t) { return PaddedShape(dims_of(m, t)); }

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

Fr pow2(int e) { return Fr::from_u64(uint64_t{1} << e); }

// ---- the plan: which protocol proves each node (public, from the model) ----
enum class Kind { kMatmul, kConv, kReindex, kConcat, kRelu, kLeakyRelu, kTable, kMaxPool, kAvgPool, kGap, kElementwise, kDiv, kNeg, kReduce, kSoftmax, kLayerNorm, kIntDiv, kClip, kPRelu };
struct NodePlan {
  size_t node = 0;
  Kind kind = Kind::kReindex;
  layers::MatmulShape mm;
  layers::ConvShape cv;
  int x = -1, w = -1, b = -1, y = -1;  // w: the second operand of an elementwise node
  int shift = 0;        // rescale k of a linear node (0: none)
  int bias_exp = 0;     // the executor multiplies the bias by 2^bias_exp
  bool fused = false;   // linear: its rescale is proven by the Relu that consumes it
  size_t out_bits = 0;  // linear: range-check the rescaled output (its consumers do not bound it)
  layers::ReluParams relu;
  layers::TableActParams act;
  layers::MaxPoolParams mp;
  layers::GlobalAvgPoolParams gap;
  layers::ElementwiseParams ew;
  bool bn = false;  // elementwise affine with the BatchNormalization's compile-time constants a, b
  layers::ReindexMap rmap;
  layers::ConcatParams cc;
  std::vector<int> ins;  // Concat's inputs
  layers::AvgPoolParams ap;
  layers::LeakyReluParams lr;
  layers::ClipParams clip;
  layers::PReluParams pr;  // kPRelu: x, w = the slope
  layers::DivParams dv;  // kDiv: x / w
  layers::ReduceParams rd;
  layers::SoftmaxParams sm;
  layers::LayerNormParams ln;  // x, w = gamma, b = beta
  layers::IntDivParams idv;    // kIntDiv: trunc(x / w)
  std::optional<layers::BoundParams> bound;  // a bound check of the node's output
  bool linear() const { return kind == Kind::kMatmul || kind == Kind::kConv; }
  layers::RescaleParams rescale_params(const std::vector<size_t>& ydims) const {
    return layers::RescaleParams{ydims, static_cast<size_t>(shift), out_bits};
  }
};

// A float constant, bound by a weight commitment (its values are withheld in a public model).
bool is_weight(const quant::CompiledModel& m, int t) {
  return t >= 0 && m.graph.tensors[t].is_const && m.graph.tensors[t].dtype == ops::DType::kFloat &&
         (!m.qconst[t].data.empty() || m.is_withheld(t));
}
// An integer constant (shapes, indices, pads): public in the verifying key; claims on it are
// checked by evaluating its MLE.
bool is_public_const(const quant::CompiledModel& m, int t) {
  return t >= 0 && m.graph.tensors[t].is_const && !is_weight(m, t) && !m.is_withheld(t);
}
// ---- visibility (docs/PROOF.md, "Visibility"): what each mode commits, sends or evaluates ----
// A public input is absorbed and evaluated by the verifier (no digits committed).
bool input_is_public(const quant::CompiledModel& m) { return m.visibility.input == quant::Visibility::kPublic; }
// A private output is committed as range-checked digits (layers/bound.h) instead of sent.
bool output_is_private(const quant::CompiledModel& m) { return m.visibility.output == quant::Visibility::kPrivate; }
// A weight bound by a commitment of the verifying key (private weights); fixed and public weights
// are in the key's public model and the verifier evaluates their MLEs itself.
bool is_committed_weight(const quant::CompiledModel& m, int t) {
  return is_weight(m, t) && m.visibility.weights == quant::Visibility::kPrivate;
}
// A constant whose values the verifier holds: integer constants, and fixed or public weights.
bool verifier_evaluates(const quant::CompiledModel& m, int t) {
  return is_public_const(m, t) || (is_weight(m, t) && !is_committed_weight(m, t) && !m.is_withheld(t));
}
// Zero knowledge whenever anything is private (docs/PROTOCOL.md, section 8): every value the
// layers send is a commitment and the verifier's relations are proven at the end (zk/cp.h).
bool zero_knowledge(const quant::CompiledModel& m) {
  if (m.benchmark_plain_messages) return false;  // benchmarks only (quant/model.h)
  return !input_is_public(m) || output_is_private(m) || m.visibility.weights == quant::Visibility::kPrivate;
}
// A BatchNormalization's folded per-channel constants a and b (node parameters) stand in for its
// scale and bias input tensors: with private weights those tensors' commitments in the verifying
// key are commitments to a and b, and the public model carries zeros for them
// (quant/model_file.cc). Returns the values a weight tensor is committed as.
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
// ---- end visibility ----
std::vector<int64_t> int_const(const quant::CompiledModel& m, size_t node, int t, const char* what) {
  if (!is_public_const(m, t))
    throw Error("proof: " + std::string("node ") + std::to_string(node) + " (" + m.graph.nodes[node].name + "): " + what +
                " must be an integer constant");
  return m.qconst[t].data;
}

std::string node_label(const quant::CompiledModel& m, size_t i) {
  return "node " + std::to_string(i) + " (" + m.graph.nodes[i].name + ", " + m.graph.nodes[i].op_type + ")";
}

int shift_of(const ops::QParams& p) {
  auto it = p.ints.find("shift");
  return it == p.ints.end() ? 0 : static_cast<int>(it->second);
}

bool is_reshape_op(const std::string& op) {
  return op == "Flatten" || op == "Reshape" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Cast";  // Cast only where it is a no-op on values (the front end refuses the rest)
}
// Data movement: every output entry is an input entry (or a constant).
bool is_move_op(const std::string& op) {
  return is_reshape_op(op) || op == "Transpose" || op == "Slice" || op == "Pad" || op == "Concat" || op == "Expand" ||
         op == "Tile" || op == "Gather";
}
bool is_table_op(const std::string& op) {
  return op == "Sigmoid" || op == "Tanh" || op == "Erf" || op == "Exp" || op == "Log" || op == "Sqrt" ||
         op == "Elu" || op == "HardSigmoid";
}

// Pow with a constant operand, computed by a table of the other (ops/op_pow.cc).
bool is_table_pow(const quant::CompiledModel& m, size_t node) {
  const auto& qp = m.params[node];
  if (m.graph.nodes[node].op_type != "Pow" || !qp.ints.count("table_input")) return false;
  const int64_t ti = qp.ints.at("table_input");
  return (ti == 0 || ti == 1) && m.graph.nodes[node].inputs.size() == 2;
}

// Whether every use of tensor t range-checks it (so a rescale producing it need not): the graph
// output (the verifier checks its bit bound), Relu and table activations (their advice bounds
// their input), through free reshapes.
bool bounded_by_consumers(const quant::CompiledModel& m, int t, int depth = 0) {
  const auto& g = m.graph;
  if (depth > 64) return false;
  for (int o : g.outputs)
    if (o == t) return true;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const auto& n = g.nodes[k];
    bool uses = false;
    for (int i : n.inputs) uses |= i == t;
    if (!uses) continue;
    if (n.op_type == "Relu" || n.op_type == "LeakyRelu" || n.op_type == "Abs" || is_table_op(n.op_type)) continue;
    if (n.op_type == "PRelu" && !n.inputs.empty() && n.inputs[0] == t) continue;  // its sign split bounds x
    if (is_table_pow(m, k) && n.inputs[static_cast<size_t>(m.params[k].get("table_input"))] == t) continue;
    if ((is_move_op(n.op_type) || n.op_type == "Neg") && n.outputs.size() == 1 &&
        bounded_by_consumers(m, n.outputs[0], depth + 1))
      continue;
    return false;
  }
  return true;
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

size_t checked_bits(const quant::CompiledModel& m, size_t node, int t) {
  const int b = m.bits[t];
  if (b < 1 || b > 60) throw Error("proof: " + node_label(m, node) + ": bit bound 2^" + std::to_string(b) + " out of range");
  return static_cast<size_t>(b);
}

// A blocker of node i from the planner's error message: the reason without the "proof: node i
// (name, op): " prefix the message starts with (the Blocker names the node itself).
Blocker blocker_at(const quant::CompiledModel& m, size_t i, std::string why) {
  const auto& n = m.graph.nodes[i];
  for (const std::string& prefix : {std::string("proof: ") + node_label(m, i) + ": ",
                                    "proof: node " + std::to_string(i) + " (" + n.name + "): ",
                                    std::string("proof: ") + node_label(m, i) + " ", std::string("proof: ")})
    if (why.starts_with(prefix)) {
      why = why.substr(prefix.size());
      break;
    }
  return Blocker{static_cast<int>(i), n.name, n.op_type, n.opset, why};
}
Blocker model_blocker(std::string why) {
  if (why.starts_with("proof: ")) why = why.substr(7);
  return Blocker{-1, "", "", 0, why};
}

// The plan, or every reason the model cannot be proven (in node order; the model-level ones
// first): each node is planned on its own, so one node's blocker does not hide the next one's.
std::vector<NodePlan> plan_model(const quant::CompiledModel& m, std::vector<Blocker>& out) {
  const auto& g = m.graph;
  if (g.outputs.empty()) {
    out.push_back(model_blocker("the model has no outputs"));
    return {};
  }
  for (size_t a = 0; a < g.outputs.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (g.outputs[a] == g.outputs[b]) out.push_back(model_blocker("a tensor is listed twice among the outputs"));
  for (int t : g.inputs)
    if (is_weight(m, t)) out.push_back(model_blocker("input '" + g.tensors[t].name + "' is a constant"));
  std::vector<NodePlan> plan;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    try {
      const auto& n = g.nodes[i];
      NodePlan p;
      p.node = i;
      if (n.outputs.size() != 1) throw Error("proof: " + node_label(m, i) + " has several outputs");
      p.y = n.outputs[0];
      auto in = [&](size_t k) { return k < n.inputs.size() ? n.inputs[k] : -1; };
      const std::string& op = n.op_type;
      if (op == "Gemm" || op == "MatMul") {
        p.kind = Kind::kMatmul;
        p.x = in(0);
        p.w = in(1);
        p.b = op == "Gemm" ? in(2) : -1;
        p.shift = shift_of(m.params[i]);
        auto ad = dims_of(m, p.x), bd = dims_of(m, p.w), yd = dims_of(m, p.y);
        // Leading unit (batch) dimensions have no variables: [1, ..., m, k] is the rank-2 product.
        auto drop_units = [](std::vector<size_t>& d) {
          while (d.size() > 2 && d.front() == 1) d.erase(d.begin());
        };
        if (op == "MatMul") drop_units(ad), drop_units(bd), drop_units(yd);
        if (ad.size() != 2 || bd.size() != 2 || yd.size() != 2)
          throw Error("proof: " + node_label(m, i) + ": only rank-2 products are supported yet");
        auto& s = p.mm;
        s.trans_a = op == "Gemm" && n.attrs.get_int("transA", 0) != 0;
        s.trans_b = op == "Gemm" && n.attrs.get_int("transB", 0) != 0;
        s.m = s.trans_a ? ad[1] : ad[0];
        s.k = s.trans_a ? ad[0] : ad[1];
        s.n = s.trans_b ? bd[0] : bd[1];
        if (p.b >= 0) {
          if (!is_weight(m, p.b)) throw Error("proof: " + node_label(m, i) + ": the bias must be a constant");
          auto cd = dims_of(m, p.b);
          s.bias = true;
          if (cd.size() == 1) {
            s.bias_cols = cd[0] == s.n && s.n > 1;
          } else if (cd.size() == 2) {
            s.bias_rows = cd[0] == s.m && s.m > 1;
            s.bias_cols = cd[1] == s.n && s.n > 1;
          } else {
            throw Error("proof: " + node_label(m, i) + ": bias of rank " + std::to_string(cd.size()));
          }
          if (s.bias_shape().num_vars() != shape_of(m, p.b).num_vars())
            throw Error("proof: " + node_label(m, i) + ": bias layout not supported");
          p.bias_exp = m.scales[p.x] + m.scales[p.w] - m.scales[p.b];
          if (p.bias_exp < 0 || p.bias_exp > 60) throw Error("proof: " + node_label(m, i) + ": bias scale");
        }
        if (auto why = s.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        if (s.y_shape().dims() != yd) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (op == "Conv") {
        p.kind = Kind::kConv;
        p.x = in(0);
        p.w = in(1);
        p.b = in(2);
        p.shift = shift_of(m.params[i]);
        const auto& xs = g.tensors[p.x].shape;
        const auto& ws = g.tensors[p.w].shape;
        if (xs.size() != 4 || ws.size() != 4) throw Error("proof: " + node_label(m, i) + ": only 2-D convolutions are supported yet");
        ops::Window win = ops::make_window(n, xs, ops::Shape(ws.begin() + 2, ws.end()), false);
        auto& s = p.cv;
        s.n = xs[0], s.c = xs[1], s.h = xs[2], s.w = xs[3];
        s.co = ws[0], s.kh = ws[2], s.kw = ws[3];
        s.stride_h = win.sh, s.stride_w = win.sw, s.dil_h = win.dh, s.dil_w = win.dw;
        s.pad_top = win.pt, s.pad_left = win.pl, s.pad_bottom = win.pb, s.pad_right = win.pr;
        s.groups = static_cast<size_t>(n.attrs.get_int("group", 1));
        if (p.b >= 0) {
          if (!is_weight(m, p.b)) throw Error("proof: " + node_label(m, i) + ": the bias must be a constant");
          s.bias = true;
          p.bias_exp = m.scales[p.x] + m.scales[p.w] - m.scales[p.b];
          if (p.bias_exp < 0 || p.bias_exp > 60) throw Error("proof: " + node_label(m, i) + ": bias scale");
        }
        if (auto why = s.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        if (s.y_shape().dims() != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (op == "Relu") {
        p.kind = Kind::kRelu;
        p.x = in(0);
        if (dims_of(m, p.x) != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        p.relu.dims = dims_of(m, p.y);
        p.relu.shift = 0;
        p.relu.bits = checked_bits(m, i, p.x);
        // Fuse with the rescale of the linear node producing x when this Relu is its only use.
        for (size_t q = 0; q < plan.size(); ++q) {
          NodePlan& prod = plan[q];
          if (prod.y != p.x || !prod.linear() || prod.shift <= 0) continue;
          bool is_output = false;
          for (int o : g.outputs) is_output |= o == p.x;
          if (is_output || consumers(m, p.x).size() != 1) continue;
          prod.fused = true;
          p.relu.shift = static_cast<size_t>(prod.shift);
        }
      } else if (is_table_op(op) || is_table_pow(m, i)) {
      // [visibility] The table a Pow proves with is computed from its constant operand,
      // and the key's public model carries it: with private weights that would publish the
      // constant. Refused (docs/PROOF.md, "Visibility").
      if (op == "Pow" && m.visibility.weights == quant::Visibility::kPrivate)
        for (int c : g.nodes[i].inputs)
          if (is_weight(m, c))
            throw Error("proof: " + node_label(m, i) + ": its constant operand '" + g.tensors[c].name +
                        "' would be public in the verifying key (the lookup table is computed from it); compile with "
                        "--weights-visibility fixed or public");
        p.kind = Kind::kTable;
        p.x = op == "Pow" ? in(static_cast<size_t>(m.params[i].get("table_input"))) : in(0);
        const auto& qp = m.params[i];
        if (qp.tables.size() != 1 || qp.tables[0].values.empty())
          throw Error("proof: " + node_label(m, i) + ": table missing from the compiled model");
        if (dims_of(m, p.x) != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        const int k = shift_of(qp);
        if (k < 0 || k > 40) throw Error("proof: " + node_label(m, i) + ": table input shift out of range");
        p.act.dims = dims_of(m, p.y);
        p.act.shift = static_cast<size_t>(k);
        p.act.excess_bits = std::max<size_t>(1, checked_bits(m, i, p.x) + 1 - std::min<size_t>(static_cast<size_t>(k), checked_bits(m, i, p.x)));
        p.act.lo = qp.tables[0].lo;
        p.act.values = qp.tables[0].values;
      } else if (op == "MaxPool") {
        p.kind = Kind::kMaxPool;
        p.x = in(0);
        const auto& xs = g.tensors[p.x].shape;
        if (xs.size() != 4) throw Error("proof: " + node_label(m, i) + ": only 2-D max pooling is supported yet");
        if (n.attrs.get_int("ceil_mode", 0) != 0) throw Error("proof: " + node_label(m, i) + ": ceil_mode is not supported yet");
        ops::Window win = ops::make_window(n, xs, {}, false);
        if (win.dh != 1 || win.dw != 1) throw Error("proof: " + node_label(m, i) + ": dilated max pooling is not supported yet");
        if (win.pt >= win.kh || win.pb >= win.kh || win.pl >= win.kw || win.pr >= win.kw)
          throw Error("proof: " + node_label(m, i) + ": pads must be smaller than the kernel");
        auto& s = p.mp;
        s.dims = dims_of(m, p.x);
        s.kh = win.kh, s.kw = win.kw, s.sh = win.sh, s.sw = win.sw;
        s.pt = win.pt, s.pl = win.pl, s.pb = win.pb, s.pr = win.pr;
        s.bits = checked_bits(m, i, p.x);
        if (s.kh * s.kw > 59)  // the zero-check's degree is kh kw + 1 (sumcheck degrees up to 60)
          throw Error("proof: " + node_label(m, i) + ": max pooling windows above 59 entries are not supported yet");
        if (s.out_dims() != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (op == "GlobalAveragePool") {
        p.kind = Kind::kGap;
        p.x = in(0);
        p.gap.dims = dims_of(m, p.x);
        if (p.gap.dims.size() < 3) throw Error("proof: " + node_label(m, i) + ": input rank below 3");
        if (layers::global_avg_pool_out_dims(p.gap.dims) != dims_of(m, p.y))
          throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
        if (!bounded_by_consumers(m, p.y)) p.bound = layers::BoundParams{dims_of(m, p.y), checked_bits(m, i, p.y), false};
      } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "BatchNormalization") {
        p.kind = Kind::kElementwise;
        p.x = in(0);
        p.w = op == "BatchNormalization" ? -1 : in(1);
        auto& e = p.ew;
        e.dims = dims_of(m, p.y);
        auto lift = [&](std::vector<size_t> d) {  // numpy broadcasting: left-pad with ones
          if (d.size() > e.dims.size()) throw Error("proof: " + node_label(m, i) + ": operand rank above the output's");
          d.insert(d.begin(), e.dims.size() - d.size(), 1);
          for (size_t k = 0; k < d.size(); ++k)
            if (d[k] != e.dims[k] && d[k] != 1) throw Error("proof: " + node_label(m, i) + ": operand does not broadcast");
          return d;
        };
        e.a_dims = lift(dims_of(m, p.x));
        if (op == "BatchNormalization") {
          const auto& qp = m.params[i];
          if (!qp.consts.count("a") || !qp.consts.count("b")) throw Error("proof: " + node_label(m, i) + ": folded constants missing");
          const size_t C = qp.consts.at("a").data.size();
          if (e.dims.size() < 2 || e.dims[1] != C || qp.consts.at("b").data.size() != C)
            throw Error("proof: " + node_label(m, i) + ": channel count mismatch");
          e.op = layers::ElementwiseParams::Op::kAffine;
          e.b_dims.assign(e.dims.size(), 1);
          e.b_dims[1] = C;
          e.c_dims = e.b_dims;
          p.bn = true;
        } else {
          e.op = op == "Add" ? layers::ElementwiseParams::Op::kAdd
                             : (op == "Sub" ? layers::ElementwiseParams::Op::kSub : layers::ElementwiseParams::Op::kMul);
          e.b_dims = lift(dims_of(m, p.w));
          if (op != "Mul") {
            const int s = std::max(m.scales[p.x], m.scales[p.w]);
            e.ea = static_cast<size_t>(s - m.scales[p.x]);
            e.eb = static_cast<size_t>(s - m.scales[p.w]);
            if (e.ea > 40 || e.eb > 40) throw Error("proof: " + node_label(m, i) + ": scale alignment out of range");
          }
        }
        e.shift = shift_of(m.params[i]);
        if (e.shift < -40 || e.shift > 40) throw Error("proof: " + node_label(m, i) + ": rescale shift out of range");
        if (e.shift > 0 && !bounded_by_consumers(m, p.y)) e.out_bits = checked_bits(m, i, p.y);
      } else if (op == "Div") {
        p.x = in(0);
        p.w = in(1);
        if (p.x < 0 || p.w < 0) throw Error("proof: " + node_label(m, i) + ": missing input");
        if (m.params[i].ints.count("integer")) {  // integer tensors: truncation
          p.kind = Kind::kIntDiv;
          auto& d = p.idv;
          d.dims = dims_of(m, p.y);
          if (dims_of(m, p.x) != d.dims) throw Error("proof: " + node_label(m, i) + ": a broadcast dividend is not supported yet");
          std::vector<size_t> zd = dims_of(m, p.w);
          if (zd.size() > d.dims.size()) throw Error("proof: " + node_label(m, i) + ": divisor rank above the output's");
          zd.insert(zd.begin(), d.dims.size() - zd.size(), 1);
          d.z_dims = zd;
          d.x_bits = checked_bits(m, i, p.x);
          d.d_bits = checked_bits(m, i, p.w);
          if (d.d_bits > 40) throw Error("proof: " + node_label(m, i) + ": divisor bound above 2^40");
          if (auto why = d.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        } else {
        p.kind = Kind::kDiv;
        auto& d = p.dv;
        d.dims = dims_of(m, p.y);
        auto lift = [&](std::vector<size_t> v) {  // numpy broadcasting: left-pad with ones
          if (v.size() > d.dims.size()) throw Error("proof: " + node_label(m, i) + ": operand rank above the output's");
          v.insert(v.begin(), d.dims.size() - v.size(), 1);
          for (size_t k = 0; k < v.size(); ++k)
            if (v[k] != d.dims[k] && v[k] != 1) throw Error("proof: " + node_label(m, i) + ": operand does not broadcast");
          return v;
        };
        d.a_dims = lift(dims_of(m, p.x));
        d.b_dims = lift(dims_of(m, p.w));
        const int so = m.params[i].out_scales.empty() ? m.scales[p.y] : m.params[i].out_scales[0];
        const int e = so - m.scales[p.x] + m.scales[p.w];
        d.ea = static_cast<size_t>(std::max(e, 0));
        d.eb = static_cast<size_t>(std::max(-e, 0));
        d.q_bits = checked_bits(m, i, p.y);
        d.d_bits = checked_bits(m, i, p.w);
        if (d.d_bits > 40) throw Error("proof: " + node_label(m, i) + ": divisor bound above 2^40");
        if (auto why = d.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        }
      } else if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax" || op == "ReduceMin") {
        p.kind = Kind::kReduce;
        p.x = in(0);
        auto& rd = p.rd;
        rd.op = op == "ReduceSum" ? layers::ReduceParams::Op::kSum
                : op == "ReduceMean" ? layers::ReduceParams::Op::kMean
                : op == "ReduceMax" ? layers::ReduceParams::Op::kMax : layers::ReduceParams::Op::kMin;
        rd.dims = dims_of(m, p.x);
        const int axes_opset = op == "ReduceSum" ? 13 : 18;
        std::vector<int64_t> axes = n.opset >= axes_opset ? (in(1) >= 0 ? int_const(m, i, in(1), "axes") : std::vector<int64_t>{})
                                                           : n.attrs.get_ints("axes");
        const int64_t r = static_cast<int64_t>(rd.dims.size());
        rd.axes.assign(rd.dims.size(), false);
        if (axes.empty()) {
          if (n.attrs.get_int("noop_with_empty_axes", 0) != 0) throw Error("proof: " + node_label(m, i) + ": empty reduction");
          rd.axes.assign(rd.dims.size(), true);
        }
        for (int64_t a : axes) {
          if (a < 0) a += r;
          if (a < 0 || a >= r) throw Error("proof: " + node_label(m, i) + ": axis out of range");
          rd.axes[static_cast<size_t>(a)] = true;
        }
        if (rd.op == layers::ReduceParams::Op::kSum) {
          const int k = shift_of(m.params[i]);
          if (k < 0 || k > 40) throw Error("proof: " + node_label(m, i) + ": rescale shift out of range");
          rd.shift = static_cast<size_t>(k);
          if (k > 0 && !bounded_by_consumers(m, p.y)) rd.out_bits = checked_bits(m, i, p.y);
        } else if (rd.op == layers::ReduceParams::Op::kMean) {
          if (!bounded_by_consumers(m, p.y)) p.bound = layers::BoundParams{dims_of(m, p.y), checked_bits(m, i, p.y), false};
        } else {
          rd.bits = checked_bits(m, i, p.x);
        }
        if (auto why = rd.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        // unit dimensions have no variables: y's layout is out_dims' whatever keepdims says
        auto squeeze = [](std::vector<size_t> v) {
          std::erase(v, size_t{1});
          return v;
        };
        if (squeeze(rd.out_dims()) != squeeze(dims_of(m, p.y))) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (op == "Softmax") {
        p.kind = Kind::kSoftmax;
        p.x = in(0);
        const auto& qp = m.params[i];
        auto& s = p.sm;
        s.dims = dims_of(m, p.x);
        if (dims_of(m, p.y) != s.dims) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        if (qp.tables.size() != 1 || qp.tables[0].values.empty() || qp.out_scales.size() != 1)
          throw Error("proof: " + node_label(m, i) + ": exp table missing from the compiled model");
        const int64_t r = static_cast<int64_t>(g.tensors[p.x].shape.size());
        if (r == 0) throw Error("proof: " + node_label(m, i) + ": softmax of a scalar");
        int64_t a = n.attrs.get_int("axis", n.opset < 13 ? 1 : -1);
        if (a < 0) a += r;
        if (a < 0 || a >= r) throw Error("proof: " + node_label(m, i) + ": axis out of range");
        s.axes.assign(s.dims.size(), false);
        for (int64_t d = a; d < (n.opset < 13 ? r : a + 1); ++d) s.axes[static_cast<size_t>(d)] = true;
        const int k = shift_of(qp), so = qp.out_scales[0];
        if (k < 0 || k > 40 || so < 0 || so > 40) throw Error("proof: " + node_label(m, i) + ": scale out of range");
        s.shift = static_cast<size_t>(k);
        s.out_scale = static_cast<size_t>(so);
        s.lo = qp.tables[0].lo;
        s.values = qp.tables[0].values;
        s.bits = checked_bits(m, i, p.x);
        s.q_bits = checked_bits(m, i, p.y);
        if (auto why = s.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
      } else if (op == "LayerNormalization") {
        p.kind = Kind::kLayerNorm;
        p.x = in(0);
        p.w = in(1);
        p.b = in(2);
        const auto& qp = m.params[i];
        auto& l = p.ln;
        l.dims = dims_of(m, p.x);
        if (dims_of(m, p.y) != l.dims) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        if (p.w < 0 || !is_weight(m, p.w) || (p.b >= 0 && !is_weight(m, p.b)))
          throw Error("proof: " + node_label(m, i) + ": scale and bias must be constants");
        if (qp.tables.size() != 1 || qp.tables[0].values.empty())
          throw Error("proof: " + node_label(m, i) + ": rsqrt table missing from the compiled model");
        const int64_t r = static_cast<int64_t>(l.dims.size());
        int64_t a = n.attrs.get_int("axis", -1);
        if (a < 0) a += r;
        if (a < 0 || a >= r) throw Error("proof: " + node_label(m, i) + ": axis out of range");
        l.axes.assign(l.dims.size(), false);
        for (int64_t d = a; d < r; ++d) l.axes[static_cast<size_t>(d)] = true;
        auto lift = [&](int t) {  // the weight's shape left-padded to x's rank; only row axes may be non-unit
          std::vector<size_t> v = dims_of(m, t);
          if (v.size() > l.dims.size()) throw Error("proof: " + node_label(m, i) + ": scale or bias rank above the input's");
          v.insert(v.begin(), l.dims.size() - v.size(), 1);
          for (size_t k = 0; k < v.size(); ++k)
            if (v[k] != 1 && (v[k] != l.dims[k] || !l.axes[k]))
              throw Error("proof: " + node_label(m, i) + ": scale or bias layout not supported");
          return v;
        };
        l.g_dims = lift(p.w);
        if (p.b >= 0) l.b_dims = lift(p.b);
        const int64_t vs = qp.get("v_shift"), ns = qp.get("n_shift"), k = shift_of(qp);
        if (vs < 0 || vs > 40 || ns < 0 || ns > 40 || k < 0 || k > 40)
          throw Error("proof: " + node_label(m, i) + ": rescale shift out of range");
        l.v_shift = static_cast<size_t>(vs);
        l.n_shift = static_cast<size_t>(ns);
        l.shift = static_cast<size_t>(k);
        l.lo = qp.tables[0].lo;
        l.values = qp.tables[0].values;
        if (p.b >= 0) {
          const int be = m.scales[p.x] + qp.tables[0].out_scale - static_cast<int>(ns) + m.scales[p.w] - m.scales[p.b];
          if (be < 0 || be > 40) throw Error("proof: " + node_label(m, i) + ": bias scale");
          l.beta_exp = static_cast<size_t>(be);
        }
        l.bits = checked_bits(m, i, p.x);
        if (k > 0 && !bounded_by_consumers(m, p.y)) l.out_bits = checked_bits(m, i, p.y);
        if (auto why = l.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
      } else if (op == "Abs") {
        // |x| is LeakyRelu with slopes 1 and -1: t = pos + neg (leaky_relu.h).
        p.kind = Kind::kLeakyRelu;
        p.x = in(0);
        if (dims_of(m, p.x) != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        p.lr.dims = dims_of(m, p.y);
        p.lr.alpha_q = -1;
        p.lr.alpha_scale = 0;
        p.lr.shift = 0;
        p.lr.bits = checked_bits(m, i, p.x);
      } else if (op == "Neg") {
        p.kind = Kind::kNeg;
        p.x = in(0);
        if (dims_of(m, p.x) != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
      } else if (op == "Clip") {
        // min(max(x, lo), hi) at x's scale (ops/op_clip.cc; ReLU6 is Clip(0, 6)): layers/clip.h.
        p.kind = Kind::kClip;
        p.x = in(0);
        const auto& qp = m.params[i];
        auto& c = p.clip;
        c.dims = dims_of(m, p.y);
        if (dims_of(m, p.x) != c.dims) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        if (m.scales[p.x] != m.scales[p.y]) throw Error("proof: " + node_label(m, i) + ": scale changes across Clip");
        c.lo = qp.get("min");
        c.hi = qp.get("max");
        if (c.lo > c.hi) throw Error("proof: " + node_label(m, i) + ": min above max (the output is max everywhere)");
        c.bits = layers::clip_bits(checked_bits(m, i, p.x), c.lo, c.hi);
        if (c.bits > 60) throw Error("proof: " + node_label(m, i) + ": bounds and input range above 2^59");
      } else if (op == "PRelu") {
        // LeakyRelu with a per-entry slope, a weight (ops/op_prelu.cc): layers/prelu.h.
        p.kind = Kind::kPRelu;
        p.x = in(0);
        p.w = in(1);
        if (p.w < 0 || !is_weight(m, p.w)) throw Error("proof: " + node_label(m, i) + ": the slope must be a constant");
        auto& l = p.pr;
        l.dims = dims_of(m, p.y);
        if (dims_of(m, p.x) != l.dims) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
        l.s_dims = dims_of(m, p.w);
        if (l.s_dims.size() > l.dims.size()) throw Error("proof: " + node_label(m, i) + ": slope rank above the input's");
        l.s_dims.insert(l.s_dims.begin(), l.dims.size() - l.s_dims.size(), 1);
        const int64_t ss = m.scales[p.w], k = shift_of(m.params[i]);
        if (ss < 0 || ss > 40 || k < 0 || k > 40) throw Error("proof: " + node_label(m, i) + ": scale out of range");
        l.slope_scale = static_cast<size_t>(ss);
        l.shift = static_cast<size_t>(k);
        l.bits = checked_bits(m, i, p.x);
        if (k > 0 && !bounded_by_consumers(m, p.y)) l.out_bits = checked_bits(m, i, p.y);
        if (auto why = l.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
      } else if (op == "LeakyRelu") {
        p.kind = Kind::kLeakyRelu;
        p.x = in(0);
        const auto& qp = m.params[i];
        auto& l = p.lr;
        l.dims = dims_of(m, p.y);
        l.alpha_q = qp.get("alpha_q");
        const int64_t sa = qp.get("alpha_scale"), k = shift_of(qp);
        if (sa < 0 || sa > 40 || k < 0 || k > 40) throw Error("proof: " + node_label(m, i) + ": scale out of range");
        l.alpha_scale = static_cast<size_t>(sa);
        l.shift = static_cast<size_t>(k);
        l.bits = checked_bits(m, i, p.x);
        if (k > 0 && !bounded_by_consumers(m, p.y)) l.out_bits = checked_bits(m, i, p.y);
      } else if (op == "AveragePool") {
        p.kind = Kind::kAvgPool;
        p.x = in(0);
        const auto& xs = g.tensors[p.x].shape;
        if (xs.size() != 4 && xs.size() != 3) throw Error("proof: " + node_label(m, i) + ": only 1-D and 2-D average pooling are supported yet");
        const bool ceil = n.attrs.get_int("ceil_mode", 0) != 0;
        ops::Window win = ops::make_window(n, xs, {}, ceil);
        auto& a = p.ap;
        a.dims = dims_of(m, p.x);
        if (xs.size() == 3) a.dims.insert(a.dims.begin() + 2, 1);  // (N, C, W) as (N, C, 1, W): the same padded layout
        a.kh = win.kh, a.kw = win.kw, a.sh = win.sh, a.sw = win.sw, a.dh = win.dh, a.dw = win.dw;
        a.pt = win.pt, a.pl = win.pl, a.pb = win.pb, a.pr = win.pr;
        a.ceil_mode = ceil;
        a.count_include_pad = n.attrs.get_int("count_include_pad", 0) != 0;
        a.bits = checked_bits(m, i, p.y);
        if (auto why = a.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        auto want = dims_of(m, p.y);
        if (xs.size() == 3) want.insert(want.begin() + 2, 1);
        if (a.out_dims() != want) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (op == "Concat") {
        p.kind = Kind::kConcat;
        const int so = m.params[i].out_scales.empty() ? m.scales[p.y] : m.params[i].out_scales[0];
        auto& c = p.cc;
        int64_t axis = n.attrs.get_int("axis", 0);
        const int64_t r = static_cast<int64_t>(g.tensors[p.y].shape.size());
        if (axis < 0) axis += r;
        if (axis < 0 || axis >= r) throw Error("proof: " + node_label(m, i) + ": axis out of range");
        c.axis = static_cast<size_t>(axis);
        for (int t : n.inputs) {
          if (t < 0) continue;
          if (is_weight(m, t)) throw Error("proof: " + node_label(m, i) + ": constant inputs to Concat are not supported yet");
          p.ins.push_back(t);
          c.in_dims.push_back(dims_of(m, t));
          const int up = so - m.scales[t];
          if (up < 0 || up > 40) throw Error("proof: " + node_label(m, i) + ": an input is rescaled down (not supported yet)");
          c.up.push_back(static_cast<size_t>(up));
        }
        if (p.ins.empty()) throw Error("proof: " + node_label(m, i) + ": no inputs");
        p.x = p.ins[0];
        if (auto why = c.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        if (c.out_dims() != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
      } else if (is_move_op(op)) {
        p.kind = Kind::kReindex;
        p.x = in(0);
        const auto xd = dims_of(m, p.x), yd = dims_of(m, p.y);
        if (is_reshape_op(op)) {
          p.rmap = layers::reshape_map(xd, yd);
        } else if (op == "Transpose") {
          std::vector<size_t> perm;
          auto pv = n.attrs.get_ints("perm");
          if (pv.empty())
            for (size_t k = xd.size(); k-- > 0;) perm.push_back(k);
          for (int64_t v : pv) {
            if (v < 0 || v >= static_cast<int64_t>(xd.size())) throw Error("proof: " + node_label(m, i) + ": bad perm");
            perm.push_back(static_cast<size_t>(v));
          }
          p.rmap = layers::transpose_map(xd, perm);
        } else if (op == "Slice") {
          std::vector<int64_t> starts, ends, axes, steps;
          if (n.opset < 10) {
            starts = n.attrs.get_ints("starts");
            ends = n.attrs.get_ints("ends");
            axes = n.attrs.get_ints("axes");
          } else {
            starts = int_const(m, i, in(1), "starts");
            ends = int_const(m, i, in(2), "ends");
            if (in(3) >= 0) axes = int_const(m, i, in(3), "axes");
            if (in(4) >= 0) steps = int_const(m, i, in(4), "steps");
          }
          p.rmap = layers::slice_map(xd, starts, ends, axes, steps);
        } else if (op == "Expand") {
          p.rmap = layers::expand_map(xd, yd);
        } else if (op == "Tile") {
          p.rmap = layers::tile_map(xd, int_const(m, i, in(1), "repeats"));
        } else if (op == "Gather") {
          int64_t axis = n.attrs.get_int("axis", 0);
          if (axis < 0) axis += static_cast<int64_t>(xd.size());
          if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) throw Error("proof: " + node_label(m, i) + ": axis out of range");
          p.rmap = layers::gather_map(xd, static_cast<size_t>(axis), int_const(m, i, in(1), "indices"), dims_of(m, in(1)));
        } else {  // Pad
          std::vector<int64_t> pads = n.opset < 11 ? n.attrs.get_ints("pads") : int_const(m, i, in(1), "pads");
          if (n.opset >= 18 && in(3) >= 0) throw Error("proof: " + node_label(m, i) + ": Pad with axes is not supported yet");
          p.rmap = layers::pad_map(xd, pads, m.params[i].get("value"), n.attrs.get_string("mode", "constant"));
        }
        if (auto why = p.rmap.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
        if (p.rmap.y_dims != yd) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
        if (m.scales[p.x] != m.scales[p.y]) throw Error("proof: " + node_label(m, i) + ": scale changes across a data move");
      } else {
        throw Error("proof: " + node_label(m, i) + ": no protocol for " + op + " yet");
      }
      if (p.shift < 0 || p.shift > 40) throw Error("proof: " + node_label(m, i) + ": rescale shift out of range");
      if (p.x < 0 || (p.kind == Kind::kElementwise && !p.bn && p.w < 0)) throw Error("proof: " + node_label(m, i) + ": missing input");
      if (p.kind != Kind::kMatmul && p.kind != Kind::kConv && p.kind != Kind::kElementwise && p.kind != Kind::kDiv &&
          m.graph.tensors[p.x].is_const)
        throw Error("proof: " + node_label(m, i) + ": constant input (fold it at compile time)");
      plan.push_back(p);
    } catch (const std::exception& e) {
      out.push_back(blocker_at(m, i, e.what()));
    }
  }
  // Out bits of unfused rescales whose output nothing else bounds.
  for (auto& p : plan)
    try {
      if (p.linear() && p.shift > 0 && !p.fused && !bounded_by_consumers(m, p.y)) p.out_bits = checked_bits(m, p.node, p.y);
    } catch (const std::exception& e) {
      out.push_back(blocker_at(m, p.node, e.what()));
    }
  return plan;
}

// The plan; throws Error listing every blocker (setup, prove and verify refuse such a model).
std::vector<NodePlan> make_plan(const quant::CompiledModel& m) {
  std::vector<Blocker> bs;
  auto plan = plan_model(m, bs);
  if (!bs.empty()) throw Error(describe_blockers(bs));
  return plan;
}

// The bound check of each private model input and private output (its committed digits are the
// tensor's commitment).
layers::BoundParams input_bound(const quant::CompiledModel& m, int t, const char* what = "input") {
  const int b = m.bits[t];
  if (b < 1 || b > 60) throw Error("proof: " + std::string(what) + " '" + m.graph.tensors[t].name + "': bit bound out of range");
  return layers::BoundParams{dims_of(m, t), static_cast<size_t>(b), true};
}

// The advice shapes of a plan node, in commitment order.
std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel& m, const NodePlan& p) {
  std::vector<layers::AdviceShape> out;
  auto add = [&](std::vector<layers::AdviceShape> v) { out.insert(out.end(), v.begin(), v.end()); };
  switch (p.kind) {
    case Kind::kMatmul:
    case Kind::kConv:
      if (p.shift > 0 && !p.fused) add(layers::rescale_advice_shapes(p.rescale_params(dims_of(m, p.y))));
      break;
    case Kind::kRelu: add(layers::relu_advice_shapes(p.relu)); break;
    case Kind::kTable: add(layers::table_act_advice_shapes(p.act)); break;
    case Kind::kMaxPool: add(layers::max_pool_advice_shapes(p.mp)); break;
    case Kind::kGap:
      add(layers::global_avg_pool_advice_shapes(p.gap));
      if (p.bound) add(layers::bound_advice_shapes(*p.bound));
      break;
    case Kind::kElementwise: add(layers::elementwise_advice_shapes(p.ew)); break;
    case Kind::kLeakyRelu: add(layers::leaky_relu_advice_shapes(p.lr)); break;
    case Kind::kClip: add(layers::clip_advice_shapes(p.clip)); break;
    case Kind::kPRelu: add(layers::prelu_advice_shapes(p.pr)); break;
    case Kind::kAvgPool: add(layers::avg_pool_advice_shapes(p.ap)); break;
    case Kind::kDiv: add(layers::div_advice_shapes(p.dv)); break;
    case Kind::kSoftmax: add(layers::softmax_advice_shapes(p.sm)); break;
    case Kind::kLayerNorm: add(layers::layer_norm_advice_shapes(p.ln)); break;
    case Kind::kIntDiv: add(layers::int_div_advice_shapes(p.idv)); break;
    case Kind::kReduce:
      add(layers::reduce_advice_shapes(p.rd));
      if (p.bound) add(layers::bound_advice_shapes(*p.bound));
      break;
    case Kind::kNeg:
    case Kind::kReindex:
    case Kind::kConcat: break;
  }
  return out;
}

constexpr size_t kMinPadLogRow = 6;
size_t params_log_cols(const quant::CompiledModel& m, const std::vector<NodePlan>& plan) {
  size_t nv = 0;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    if (is_committed_weight(m, static_cast<int>(t))) nv = std::max(nv, shape_of(m, static_cast<int>(t)).num_vars());
  for (int t : m.graph.inputs)
    if (!input_is_public(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t))) nv = std::max(nv, a.num_vars);
  for (int t : m.graph.outputs)
    if (output_is_private(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t, "output"))) nv = std::max(nv, a.num_vars);
  for (const auto& p : plan) {
    for (const auto& a : advice_shapes(m, p)) nv = std::max(nv, a.num_vars);
    // The model-wide lookups' multiplicities (one vector per table, lookup/batch.h): range tables
    // of up to 2^kDigitBits rows (below), activation tables of their own sizes.
    if (p.kind == Kind::kTable) nv = std::max(nv, layers::ceil_log2(p.act.values.size()));
    if (p.kind == Kind::kSoftmax) nv = std::max(nv, layers::ceil_log2(p.sm.act_params().values.size()));
    if (p.kind == Kind::kLayerNorm) nv = std::max(nv, layers::ceil_log2(p.ln.act_params().values.size()));
  }
  if (!plan.empty()) nv = std::max(nv, layers::kDigitBits);
  // Zero knowledge needs at least 2^kMinPadLogRow generators for its pad rows (zk/cp.h).
  if (zero_knowledge(m)) return std::max(pcs::default_log_cols(nv), kMinPadLogRow);
  return pcs::default_log_cols(nv);
}

const pcs::HyraxParams& params_for(size_t log_cols) {
  static std::map<size_t, std::unique_ptr<pcs::HyraxParams>> cache;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = cache[log_cols];
  if (!p) p = std::make_unique<pcs::HyraxParams>(log_cols);
  return *p;
}

void absorb_i64s(transcript::Transcript& tr, std::string_view label, std::span<const int64_t> v) {
  ByteWriter w;
  w.u64(v.size());
  for (int64_t x : v) w.u64(static_cast<uint64_t>(x));
  tr.absorb_bytes(label, w.data());
}

// Zero knowledge: messages are padded by pads committed in rows of 2^pad_log_row (zk/cp.h).
size_t pad_log_row(const pcs::HyraxParams& params) { return std::min<size_t>(8, params.max_log_cols()); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Verifying key

namespace {
// The key up to the weight range proof (what that proof's transcript starts from).
void serialize_statement(const VerifyingKey& vk, ByteWriter& w) {
  w.bytes(kVkMagic);
  w.u32(kKeyVersion);
  w.bytes(vk.model_digest);
  w.bytes(vk.model_file_digest);
  w.u64(vk.weights.size());
  uint64_t count = 0;
  for (const auto& [t, c] : vk.weights.entries()) count += c.has_value();
  w.u64(count);
  for (const auto& [t, c] : vk.weights.entries())
    if (c) {
      w.u32(static_cast<uint32_t>(t));
      c->serialize(w);
    }
}
}  // namespace

void VerifyingKey::serialize(ByteWriter& w) const {
  serialize_statement(*this, w);
  w.u64(weight_bounds.size());
  w.bytes(weight_bounds);
}

VerifyingKey VerifyingKey::deserialize(ByteReader& r) {
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kVkMagic.begin())) r.fail("vk: bad magic");
  const uint32_t version = r.u32();
  if (version != kKeyVersion)
    r.fail("vk: unsupported version " + std::to_string(version) + " (this zkinfer reads " + std::to_string(kKeyVersion) +
           "; keys made before the weight range proof must be made again with setup)");
  VerifyingKey vk;
  auto d = r.bytes(32);
  std::copy(d.begin(), d.end(), vk.model_digest.begin());
  d = r.bytes(32);
  std::copy(d.begin(), d.end(), vk.model_file_digest.begin());
  // The tensor count sizes nothing (weights is sparse); each listed commitment takes at least
  // 4 (id) + 8 (layout) + 32 (one row) bytes.
  const uint64_t ntensors = r.u64();
  if (ntensors > (uint64_t{1} << 24)) r.fail("vk: tensor count " + std::to_string(ntensors) + " out of range");
  vk.weights.resize(ntensors);
  const uint64_t count = r.count(44, ntensors);
  uint32_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t t = r.u32();
    if (t >= ntensors || (i > 0 && t <= last)) r.fail("vk: bad tensor id");
    last = t;
    vk.weights[t] = pcs::HyraxCommitment::deserialize(r);
  }
  const uint64_t nb = r.count(1);
  auto wb = r.bytes(nb);
  vk.weight_bounds.assign(wb.begin(), wb.end());
  return vk;
}

size_t VerifyingKey::size_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.data().size();
}

std::array<uint8_t, 32> VerifyingKey::digest() const {
  ByteWriter w;
  serialize(w);
  return hash::keccak256(w.data());
}

std::vector<Blocker> blockers(const quant::CompiledModel& model) {
  std::vector<Blocker> out;
  auto plan = plan_model(model, out);
  if (!out.empty()) return out;
  // The key and proof layout: the bit bounds of the committed input and output, the advice sizes.
  try {
    (void)params_log_cols(model, plan);
  } catch (const std::exception& e) {
    out.push_back(model_blocker(e.what()));
  }
  return out;
}

std::array<uint8_t, 32> VerifyingKey::statement_digest() const {
  ByteWriter w;
  serialize_statement(*this, w);
  return hash::keccak256(w.data());
}

std::optional<std::string> unsupported(const quant::CompiledModel& model) {
  auto bs = blockers(model);
  if (bs.empty()) return std::nullopt;
  return describe_blockers(bs);
}

VerifyingKey setup(const quant::CompiledModel& model, const std::function<void(size_t, size_t)>& progress) {
  return setup_keys(model, nullptr, progress).vk;
}

namespace {

size_t clamp_bits(int64_t b) { return static_cast<size_t>(std::clamp<int64_t>(b, 1, 60)); }

// The width each committed constant is declared to have (docs/PROTOCOL.md, section 9): the public
// model's bit bound of the tensor, at most 60; for the tensors whose commitments hold a
// BatchNormalization's folded constants (committed_values): a: the model's weight_bits (the planner
// keeps |a| 2^s_a below 2^(weight_bits - 1)); b: the BatchNormalization input's bit bound plus
// weight_bits (the accumulator x a + b stays within the bound the planner checks).
size_t declared_bits(const quant::CompiledModel& m, int t) {
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const auto& n = m.graph.nodes[i];
    if (n.op_type != "BatchNormalization" || n.inputs.size() < 3) continue;
    if (n.inputs[1] == t && m.params[i].consts.count("a")) return clamp_bits(m.cfg.weight_bits);
    if (n.inputs[2] == t && m.params[i].consts.count("b") && n.inputs[0] >= 0)
      return clamp_bits(int64_t{m.bits[n.inputs[0]]} + m.cfg.weight_bits);
  }
  return clamp_bits(m.bits[t]);
}

}  // namespace

std::vector<WeightBoundItem> weight_bound_items(const quant::CompiledModel& m, const VerifyingKey& vk) {
  std::vector<WeightBoundItem> items;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const int ti = static_cast<int>(t);
    if (!is_committed_weight(m, ti)) continue;
    const auto& c = vk.weights[t];
    items.push_back({m.graph.tensors[t].name, layers::BoundParams{dims_of(m, ti), declared_bits(m, ti), true},
                     c ? &*c : nullptr});
  }
  return items;
}

namespace {
const pcs::HyraxParams& weight_bounds_params(const quant::CompiledModel& m, const std::vector<NodePlan>& plan,
                                             std::span<const WeightBoundItem> items) {
  return params_for(std::max({params_log_cols(m, plan), weight_bounds_log_cols(items), kMinPadLogRow}));
}
}  // namespace

const pcs::HyraxParams& key_params(const quant::CompiledModel& model) {
  const auto plan = make_plan(model);
  return weight_bounds_params(model, plan, weight_bound_items(model, VerifyingKey{}));
}

ProvingKey setup_keys(const quant::CompiledModel& model, const pcs::RandomFr& random,
                      const std::function<void(size_t, size_t)>& progress) {
  auto plan = make_plan(model);
  if (!model.withheld.empty()) throw Error("setup: needs the compiled model with its weights (.zkm), not a public model");
  const auto& params = params_for(params_log_cols(model, plan));
  ProvingKey pk;
  VerifyingKey& vk = pk.vk;
  vk.model_digest = quant::public_digest(model);
  vk.model_file_digest = hash::keccak256(quant::encode_public_model(model));
  vk.weights.resize(model.graph.tensors.size());
  pk.blinds.resize(model.graph.tensors.size());
  size_t total = 0, done = 0;
  // Fixed and public weights get no commitment: they are in the key's public model.
  for (size_t t = 0; t < model.graph.tensors.size(); ++t) total += is_committed_weight(model, static_cast<int>(t));
  ++total;  // the weight range proof
  for (size_t t = 0; t < model.graph.tensors.size(); ++t) {
    if (!is_committed_weight(model, static_cast<int>(t))) continue;
    if (progress) progress(done++, total);
    PaddedShape s = shape_of(model, static_cast<int>(t));
    const auto& values = committed_values(model, static_cast<int>(t));
    WeightBoundItem item{model.graph.tensors[t].name, layers::BoundParams{dims_of(model, static_cast<int>(t)),
                                                                            declared_bits(model, static_cast<int>(t)), true}};
    if (auto why = weight_out_of_bounds(item, values)) throw Error("setup: " + *why);
    auto vals = layers::detail::padded_i64(s, values);
    pcs::HyraxLayout lay = pcs::layout_for(vals.size(), pcs::default_log_cols(s.num_vars()));
    std::vector<Fr> blinds(lay.num_rows(), Fr::zero());
    if (random)
      for (auto& b : blinds) b = random();
    vk.weights[t] = pcs::commit_with_blinds(params, std::span<const int64_t>(vals), lay.log_cols, blinds);
    if (random) pk.blinds[t] = std::move(blinds);
  }
  // The weight range proof, bound to everything else in the key. Without a secret random source
  // (setup(): a key that does not hide the weights anyway) its blinds come from a fixed seed.
  if (progress) progress(done, total);
  const auto items = weight_bound_items(model, std::as_const(vk));
  if (!items.empty()) {
    std::vector<WeightBoundWitness> wit;
    for (size_t t = 0; t < model.graph.tensors.size(); ++t)
      if (is_committed_weight(model, static_cast<int>(t)))
        wit.push_back({committed_values(model, static_cast<int>(t)), std::as_const(pk.blinds)[t]});
    TestRng fixed(0x7a6b2d7762ull);
    const pcs::RandomFr rnd = random ? random : pcs::random_fr(fixed);
    vk.weight_bounds = prove_weight_bounds(weight_bounds_params(model, plan, items), items, wit, vk.statement_digest(), rnd);
  }
  if (progress) progress(total, total);
  return pk;
}

Verdict check_key(const quant::CompiledModel& model, const VerifyingKey& vk) {
  static std::mutex mu;
  static std::set<std::array<uint8_t, 32>> checked;  // digests of keys that passed
  try {
    std::vector<NodePlan> plan;
    try {
      plan = make_plan(model);
    } catch (const Error& e) {
      return Verdict::reject(std::string("model: ") + e.what());
    }
    if (vk.model_digest != quant::public_digest(model)) return Verdict::reject("vk: the verifying key is for another model");
    const auto d = vk.digest();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (checked.count(d)) return Verdict::accept();
    }
    const size_t nt = model.graph.tensors.size();
    if (vk.weights.size() != nt) return Verdict::reject("vk: tensor count differs from the model");
    for (size_t t = 0; t < nt; ++t) {
      const bool want = is_committed_weight(model, static_cast<int>(t));
      if (want != vk.weights[t].has_value()) return Verdict::reject("vk: weight commitments do not match the model");
      if (want && (vk.weights[t]->layout.num_vars != shape_of(model, static_cast<int>(t)).num_vars() ||
                   vk.weights[t]->layout.log_cols != pcs::default_log_cols(vk.weights[t]->layout.num_vars)))
        return Verdict::reject("vk: weight commitment layout does not match the model");
    }
    const auto items = weight_bound_items(model, vk);
    if (items.empty()) {
      if (!vk.weight_bounds.empty()) return Verdict::reject("vk: a weight range proof, but no weight is committed");
    } else {
      if (vk.weight_bounds.empty())
        return Verdict::reject("vk: no weight range proof: nothing shows the committed weights are integers of their declared widths");
      if (Verdict v = verify_weight_bounds(weight_bounds_params(model, plan, items), items, vk.weight_bounds, vk.statement_digest()); !v)
        return v.within("vk");
    }
    std::lock_guard<std::mutex> lock(mu);
    checked.insert(d);
    return Verdict::accept();
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("vk: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Prover

namespace {

// A linear node's accumulator before its rescale, from the trace: acc = 2^k y + rem - 2^(k-1).
std::vector<int64_t> accumulator(const quant::CompiledModel& m, const quant::Trace& trace, const NodePlan& p) {
  const ops::ITensor* rem = nullptr;
  for (const auto& [k, v] : trace.aux[p.node])
    if (k == "out.rem") rem = &v;
  const auto& y = trace.values[p.y].data;
  if (rem == nullptr || rem->data.size() != y.size())
    throw Error("proof: " + node_label(m, p.node) + ": the trace lacks the rescale remainder");
  std::vector<int64_t> acc(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    acc[i] = y[i] * (int64_t{1} << p.shift) + rem->data[i] - (int64_t{1} << (p.shift - 1));
  return acc;
}

void expect_output(const quant::CompiledModel& m, const NodePlan& p, const std::vector<int64_t>& got,
                   const quant::Trace& trace) {
  if (got != trace.values[p.y].data)
    throw Error("proof: " + node_label(m, p.node) + ": the layer's output differs from the trace");
}

struct NodeProver {
  std::unique_ptr<layers::RescaleProver> rescale;
  std::unique_ptr<layers::ReluProver> relu;
  std::unique_ptr<layers::TableActProver> act;
  std::unique_ptr<layers::MaxPoolProver> mp;
  std::unique_ptr<layers::GlobalAvgPoolProver> gap;
  std::unique_ptr<layers::BoundProver> bound;
  std::unique_ptr<layers::ElementwiseProver> ew;
  std::unique_ptr<layers::LeakyReluProver> lr;
  std::unique_ptr<layers::ClipProver> clip;
  std::unique_ptr<layers::PReluProver> pr;
  std::unique_ptr<layers::AvgPoolProver> ap;
  std::unique_ptr<layers::DivProver> dv;
  std::unique_ptr<layers::ReduceProver> rd;
  std::unique_ptr<layers::SoftmaxProver> sm;
  std::unique_ptr<layers::LayerNormProver> ln;
  std::unique_ptr<layers::IntDivProver> idv;
  std::vector<const pcs::HyraxCommitted*> com;  // the node's advice commitments, in advice order
  std::vector<const std::vector<Fr>*> tab;
  std::vector<int64_t> acc;  // linear nodes with a rescale: the accumulator
};

}  // namespace

namespace {
// The prover's replay of the verifier (zero-knowledge mode; zk/cp.h): the recorded challenges, and
// what the verifier would open at the end, each claim as a committed value with its blind.
struct ReplayOpening {
  int com_index = -1;  // index among the proof's commitments, in order, or
  int weight = -1;     // the weight tensor whose key commitment is opened
  std::vector<Fr> point;
  cp::Val value;
};
struct ReplayState {
  transcript::Transcript tr;
  std::vector<ReplayOpening> openings;
};
Verdict verify_impl(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> bytes,
                    ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs,
                    ReplayState* replay);
}  // namespace

std::vector<uint8_t> prove(const quant::CompiledModel& model, const VerifyingKey& vk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats) {
  return prove(model, ProvingKey{vk, {}}, trace, random, stats);
}

std::vector<uint8_t> prove(const quant::CompiledModel& model, const ProvingKey& pk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats) {
  const VerifyingKey& vk = pk.vk;
  auto plan = make_plan(model);
  if (!model.withheld.empty()) throw Error("proof: proving needs the compiled model with its weights (.zkm), not a public model");
  if (vk.model_digest != quant::public_digest(model)) throw Error("proof: the proving key is for another model");
  const auto& params = params_for(params_log_cols(model, plan));
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  if (trace.values.size() != nt) throw Error("proof: the trace does not belong to this model");
  auto t0 = std::chrono::steady_clock::now();

  transcript::Transcript tr(kProofDomain);
  // Zero knowledge: a first pass sends commitments (relations off) while recording the challenges;
  // the verifier's replay on the bytes then gives every claim its blind (see ReplayState).
  const bool zk = zero_knowledge(model);
  std::optional<cp::Context> zctx;
  if (zk) {
    zctx.emplace(params, pad_log_row(params), random);
    zctx->set_relations(false);
    tr.start_recording();
  }
  const cp::Context::Scope zscope(zk ? &*zctx : nullptr);
  // Every range check and table lookup of the layers joins one LogUp per table (lookup/batch.h),
  // proven after the inputs' and outputs' checks.
  lookup::BatchProver<Fr> lookups;
  const lookup::BatchProver<Fr>::Scope lscope(&lookups);
  // The owner of each batch segment: a node's advice commitments from an offset (open_advice).
  std::vector<std::pair<const NodeProver*, size_t>> lookup_owners;
  ByteWriter w;
  w.bytes(kProofMagic);
  w.u32(kProofVersion);
  auto vkd = vk.digest();
  w.bytes(vkd);
  tr.absorb_bytes("proof.vk_digest", vkd);
  // [visibility] A public input is not in the proof: the verifier is given it; both absorb it here.
  if (input_is_public(model))
    for (int t : g.inputs) absorb_i64s(tr, "proof.input", trace.values[t].data);

  // Every public output is absorbed before the first challenge (each gets its own random point
  // below); a private output is committed with the inputs' digits instead.
  for (int t_out : g.outputs) {
    if (output_is_private(model)) break;  // [visibility]
    const auto& out = trace.values[t_out].data;
    w.u64(out.size());
    for (int64_t v : out) w.u64(static_cast<uint64_t>(v));
    absorb_i64s(tr, "proof.output", out);
  }
  const size_t header_end = w.data().size();
  if (stats) stats->header_bytes = header_end;

  // Fr tables of every committed vector (kept alive for the batch opening).
  std::deque<std::vector<Fr>> tables;
  std::deque<pcs::HyraxCommitted> committed;
  std::vector<const std::vector<Fr>*> committed_tab;  // each commitment's table, in commitment order
  auto commit_i64 = [&](std::span<const int64_t> padded) -> pcs::HyraxCommitted& {
    size_t nv = layers::ceil_log2(padded.size());
    pcs::HyraxLayout lay = pcs::layout_for(padded.size(), pcs::default_log_cols(nv));
    std::vector<Fr> blinds(lay.num_rows());
    for (auto& b : blinds) b = random();
    auto c = pcs::commit_with_blinds(params, padded, lay.log_cols, blinds);
    committed.push_back({std::move(c), pcs::HyraxBlinds{std::move(blinds)}});
    committed.back().commitment.serialize(w);
    committed.back().commitment.absorb_into(tr);
    return committed.back();
  };
  auto commit_advice = [&](NodeProver& np, const std::vector<layers::LayerAdvice>& adv) {
    for (const auto& a : adv) {
      np.com.push_back(&commit_i64(a.values));
      tables.push_back(to_fr(a.values));
      np.tab.push_back(&tables.back());
      committed_tab.push_back(&tables.back());
    }
  };

  const size_t total_steps = plan.size() + 2;
  auto progress = [&](size_t done, const std::string& what) {
    if (stats && stats->progress) stats->progress(done, total_steps, what);
  };
  progress(0, "committing the advice");
  // Phase 1: the layers' advice, committed: the inputs' bound digits, then per node (reverse order).
  std::vector<NodeProver> input_provers(g.inputs.size());
  for (size_t i = 0; i < g.inputs.size() && !input_is_public(model); ++i) {  // [visibility] none when public
    const int t = g.inputs[i];
    input_provers[i].bound = std::make_unique<layers::BoundProver>(input_bound(model, t), trace.values[t].data);
    commit_advice(input_provers[i], input_provers[i].bound->advice());
  }
  // [visibility] A private output: its range-checked digits are its commitment (as the input's).
  std::vector<NodeProver> output_provers(output_is_private(model) ? g.outputs.size() : 0);
  for (size_t o = 0; o < output_provers.size(); ++o) {
    const int t = g.outputs[o];
    output_provers[o].bound = std::make_unique<layers::BoundProver>(input_bound(model, t, "output"), trace.values[t].data);
    commit_advice(output_provers[o], output_provers[o].bound->advice());
  }
  std::vector<NodeProver> np(plan.size());
  std::vector<int> producer(nt, -1);
  for (size_t pi = 0; pi < plan.size(); ++pi) producer[plan[pi].y] = static_cast<int>(pi);
  for (size_t pi = 0; pi < plan.size(); ++pi)
    if (plan[pi].linear() && plan[pi].shift > 0) np[pi].acc = accumulator(model, trace, plan[pi]);
  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    auto& n = np[pi];
    const auto& xv = trace.values[p.x].data;
    const auto& yv = trace.values[p.y].data;
    switch (p.kind) {
      case Kind::kMatmul:
      case Kind::kConv:
        if (p.shift > 0 && !p.fused) {
          n.rescale = std::make_unique<layers::RescaleProver>(p.rescale_params(dims_of(model, p.y)), n.acc, yv);
          commit_advice(n, n.rescale->advice());
        }
        break;
      case Kind::kRelu: {
        const int q = producer[p.x];
        const bool fused = q >= 0 && plan[q].fused;
        n.relu = std::make_unique<layers::ReluProver>(p.relu, fused ? np[q].acc : xv, yv);
        commit_advice(n, n.relu->advice());
        break;
      }
      case Kind::kTable:
        n.act = std::make_unique<layers::TableActProver>(p.act, xv);
        expect_output(model, p, n.act->output(), trace);
        commit_advice(n, n.act->advice());
        break;
      case Kind::kMaxPool:
        n.mp = std::make_unique<layers::MaxPoolProver>(p.mp, xv, yv);
        commit_advice(n, n.mp->advice());
        break;
      case Kind::kGap:
        n.gap = std::make_unique<layers::GlobalAvgPoolProver>(p.gap, xv);
        expect_output(model, p, n.gap->output(), trace);
        commit_advice(n, n.gap->advice());
        if (p.bound) {
          n.bound = std::make_unique<layers::BoundProver>(*p.bound, yv);
          commit_advice(n, n.bound->advice());
        }
        break;
      case Kind::kElementwise:
        if (p.bn) {
          const auto& qp = model.params[p.node];
          n.ew = std::make_unique<layers::ElementwiseProver>(p.ew, xv, qp.constant("a").data, qp.constant("b").data);
        } else {
          n.ew = std::make_unique<layers::ElementwiseProver>(p.ew, xv, trace.values[p.w].data);
        }
        expect_output(model, p, n.ew->output(), trace);
        commit_advice(n, n.ew->advice());
        break;
      case Kind::kLeakyRelu:
        n.lr = std::make_unique<layers::LeakyReluProver>(p.lr, xv);
        expect_output(model, p, n.lr->output(), trace);
        commit_advice(n, n.lr->advice());
        break;
      case Kind::kClip:
        n.clip = std::make_unique<layers::ClipProver>(p.clip, xv);
        expect_output(model, p, n.clip->output(), trace);
        commit_advice(n, n.clip->advice());
        break;
      case Kind::kPRelu:
        try {
          n.pr = std::make_unique<layers::PReluProver>(p.pr, xv, trace.values[p.w].data);
        } catch (const Error& e) {
          throw Error("proof: " + node_label(model, p.node) + ": " + e.what());
        }
        expect_output(model, p, n.pr->output(), trace);
        commit_advice(n, n.pr->advice());
        break;
      case Kind::kAvgPool:
        n.ap = std::make_unique<layers::AvgPoolProver>(p.ap, xv, yv);
        commit_advice(n, n.ap->advice());
        break;
      case Kind::kDiv:
        try {
          n.dv = std::make_unique<layers::DivProver>(p.dv, xv, trace.values[p.w].data);
        } catch (const Error& e) {
          throw Error("proof: " + node_label(model, p.node) + ": " + e.what());
        }
        expect_output(model, p, n.dv->output(), trace);
        commit_advice(n, n.dv->advice());
        break;
      case Kind::kSoftmax:
        try {
          n.sm = std::make_unique<layers::SoftmaxProver>(p.sm, xv);
        } catch (const Error& e) {
          throw Error("proof: " + node_label(model, p.node) + ": " + e.what());
        }
        expect_output(model, p, n.sm->output(), trace);
        commit_advice(n, n.sm->advice());
        break;
      case Kind::kLayerNorm:
        try {
          n.ln = std::make_unique<layers::LayerNormProver>(
              p.ln, xv, trace.values[p.w].data,
              p.b >= 0 ? std::span<const int64_t>(trace.values[p.b].data) : std::span<const int64_t>());
        } catch (const Error& e) {
          throw Error("proof: " + node_label(model, p.node) + ": " + e.what());
        }
        expect_output(model, p, n.ln->output(), trace);
        commit_advice(n, n.ln->advice());
        break;
      case Kind::kIntDiv:
        try {
          n.idv = std::make_unique<layers::IntDivProver>(p.idv, xv, trace.values[p.w].data);
        } catch (const Error& e) {
          throw Error("proof: " + node_label(model, p.node) + ": " + e.what());
        }
        expect_output(model, p, n.idv->output(), trace);
        commit_advice(n, n.idv->advice());
        break;
      case Kind::kReduce:
        n.rd = std::make_unique<layers::ReduceProver>(p.rd, xv);
        expect_output(model, p, n.rd->output(), trace);
        commit_advice(n, n.rd->advice());
        if (p.bound) {
          n.bound = std::make_unique<layers::BoundProver>(*p.bound, yv);
          commit_advice(n, n.bound->advice());
        }
        break;
      case Kind::kNeg:
      case Kind::kReindex:
      case Kind::kConcat: break;
    }
  }
  if (stats) {
    stats->commit_s = seconds_since(t0);
    stats->commit_bytes = w.data().size() - header_end;
  }

  std::vector<std::vector<Claim>> claims(nt);
  std::vector<pcs::OpeningWitness> openings;
  // (Zero knowledge: the openings come from the verifier's replay instead, below.)
  auto open_at = [&](const pcs::HyraxCommitted* c, const std::vector<Fr>* values, std::vector<Fr> point, const cp::Val& v) {
    if (zk) return;
    openings.push_back({&c->commitment, &c->blinds, *values, std::move(point), pcs::ProverClaim::plain(v.value())});
  };
  // A layer's advice claims, and the owner of the lookups it just registered (same advice).
  auto open_advice = [&](const NodeProver& n, const std::vector<layers::AdviceClaim>& adv, size_t offset) {
    for (const auto& c : adv) {
      ZKINFER_CHECK(offset + c.advice < n.com.size());
      open_at(n.com[offset + c.advice], n.tab[offset + c.advice], c.claim.point, c.claim.value);
    }
    lookups.assign_owner(lookup_owners.size());
    lookup_owners.emplace_back(&n, offset);
  };

  std::vector<Claim> output_claims;  // [visibility] private outputs: the first claim on each
  for (int t_out : g.outputs) {
    PaddedShape s = shape_of(model, t_out);
    auto z = tr.challenges<Fr>("proof.output_point", s.num_vars());
    Fr v = mle_eval(layers::padded_table(s, trace.values[t_out].data), z);
    if (output_is_private(model)) {  // [visibility] sent, and checked against the digits at the end
      const cp::Val sv = cp::send(v);
      tr.absorb("proof.output_claim", sv);
      cp::write(w, sv);
      output_claims.push_back({z, sv});
      claims[t_out].push_back({std::move(z), sv});
      continue;
    }
    claims[t_out].push_back({std::move(z), v});
  }

  // Phase 2: claim reduction from the output backwards.
  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    auto& n = np[pi];
    progress(plan.size() - pi, g.nodes[p.node].name + " (" + g.nodes[p.node].op_type + ")");
    auto tn = std::chrono::steady_clock::now();
    const size_t bytes_before = w.data().size();
    std::vector<Claim> cl = std::move(claims[p.y]);
    claims[p.y].clear();
    if (cl.empty()) continue;
    PaddedShape ys = shape_of(model, p.y);
    const bool free_move = (p.kind == Kind::kReindex && p.rmap.sumcheck_vars() == 0) || p.kind == Kind::kNeg;
    if (cl.size() > 1 && !free_move) {
      layers::CombineProof cp;
      const auto& claimed = p.fused ? n.acc : trace.values[p.y].data;  // a fused node's claims are on acc
      auto yt = layers::padded_table(ys, claimed);
      Claim one = layers::prove_combine(yt, ys.num_vars(), cl, tr, &cp);
      cp.serialize(w);
      cl = {std::move(one)};
    }
    std::vector<Claim> in;
    std::vector<layers::AdviceClaim> adv;
    switch (p.kind) {
      case Kind::kRelu: {
        auto nl = n.relu->prove(cl, tr, &in, &adv);
        nl.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kTable: {
        auto nl = n.act->prove(cl, tr, &in, &adv);
        nl.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kMaxPool: {
        auto mp = n.mp->prove(cl, tr, &in, &adv);
        mp.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kGap: {
        const size_t na = n.gap->advice().size();
        if (n.bound) {
          auto bp = n.bound->prove(cl, tr, &adv);
          bp.serialize(w);
          open_advice(n, adv, na);
        }
        auto gp = n.gap->prove(cl, tr, &in, &adv);
        gp.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kElementwise: {
        layers::ElementwiseClaims ec;
        auto ep = n.ew->prove(cl, tr, &ec);
        ep.serialize(w);
        open_advice(n, ec.advice, 0);
        if (!p.bn) {
          for (auto& c : ec.b) claims[p.w].push_back(std::move(c));
        } else if (!public_keeps_bn(model)) {  // private weights: a, b opened (committed_values)
          const auto& ni = g.nodes[p.node].inputs;
          for (auto& c : ec.b) claims[ni[1]].push_back(std::move(c));
          for (auto& c : ec.c) claims[ni[2]].push_back(std::move(c));
        }  // else the verifier evaluates a, b from the public model
        in = std::move(ec.a);
        break;
      }
      case Kind::kLeakyRelu: {
        auto nl = n.lr->prove(cl, tr, &in, &adv);
        nl.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kClip: {
        auto nl = n.clip->prove(cl, tr, &in, &adv);
        nl.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kPRelu: {
        layers::PReluClaims pc;
        auto nl = n.pr->prove(cl, tr, &pc);
        nl.serialize(w);
        open_advice(n, pc.advice, 0);
        for (auto& c : pc.slope) claims[p.w].push_back(std::move(c));
        in = std::move(pc.x);
        break;
      }
      case Kind::kAvgPool: {
        auto ap = n.ap->prove(cl, tr, &in, &adv);
        ap.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kDiv: {
        layers::DivClaims dc;
        auto dp = n.dv->prove(cl, tr, &dc);
        dp.serialize(w);
        open_advice(n, dc.advice, 0);
        for (auto& c : dc.b) claims[p.w].push_back(std::move(c));
        in = std::move(dc.a);
        break;
      }
      case Kind::kNeg:
        for (auto& c : cl) in.push_back({std::move(c.point), -c.value});
        break;
      case Kind::kSoftmax: {
        auto sp = n.sm->prove(cl, tr, &in, &adv);
        sp.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kLayerNorm: {
        layers::LayerNormClaims lc;
        auto lp = n.ln->prove(cl, tr, &lc);
        lp.serialize(w);
        open_advice(n, lc.advice, 0);
        for (auto& c : lc.gamma) claims[p.w].push_back(std::move(c));
        for (auto& c : lc.beta) claims[p.b].push_back(std::move(c));
        in = std::move(lc.x);
        break;
      }
      case Kind::kIntDiv: {
        layers::IntDivClaims ic;
        auto ip = n.idv->prove(cl, tr, &ic);
        ip.serialize(w);
        open_advice(n, ic.advice, 0);
        for (auto& c : ic.z) claims[p.w].push_back(std::move(c));
        in = std::move(ic.x);
        break;
      }
      case Kind::kReduce: {
        const size_t na = n.rd->advice().size();
        if (n.bound) {
          auto bp = n.bound->prove(cl, tr, &adv);
          bp.serialize(w);
          open_advice(n, adv, na);
        }
        auto rp = n.rd->prove(cl, tr, &in, &adv);
        rp.serialize(w);
        open_advice(n, adv, 0);
        break;
      }
      case Kind::kReindex: {
        layers::ReindexProof rp;
        in = layers::prove_reindex(p.rmap, trace.values[p.x].data, cl, tr, &rp);
        rp.serialize(w);
        break;
      }
      case Kind::kConcat: {
        std::vector<std::span<const int64_t>> xs;
        for (int t : p.ins) xs.push_back(trace.values[t].data);
        layers::ConcatProof cp;
        auto parts = layers::prove_concat(p.cc, xs, cl, tr, &cp);
        cp.serialize(w);
        for (size_t j = 0; j < p.ins.size(); ++j)
          for (auto& c : parts[j]) claims[p.ins[j]].push_back(std::move(c));
        break;
      }
      case Kind::kMatmul:
      case Kind::kConv: {
        std::vector<Claim> accs = cl;
        if (n.rescale) {
          auto rp = n.rescale->prove(cl, tr, &accs, &adv);
          rp.serialize(w);
          open_advice(n, adv, 0);
        }
        std::vector<Fr> bias;
        if (p.b >= 0) {
          std::vector<int64_t> bv = trace.values[p.b].data;
          for (auto& v : bv) v *= int64_t{1} << p.bias_exp;
          bias = layers::padded_table(shape_of(model, p.b), bv);
        }
        const Fr bias_unscale = pow2(p.bias_exp).inverse();
        if (p.kind == Kind::kMatmul) {
          layers::MatmulClaims mc;
          auto proof = layers::prove_matmul(p.mm, trace.values[p.x].data, trace.values[p.w].data, bias, accs, tr, &mc);
          proof.serialize(w);
          in = std::move(mc.a);
          for (auto& c : mc.b) claims[p.w].push_back(std::move(c));
          for (auto& c : mc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
        } else {
          layers::ConvClaims cc;
          auto proof = layers::prove_conv(p.cv, trace.values[p.x].data, trace.values[p.w].data, bias, accs, tr, &cc);
          proof.serialize(w);
          in.push_back(std::move(cc.x));
          for (auto& c : cc.w) claims[p.w].push_back(std::move(c));
          for (auto& c : cc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
        }
        break;
      }
    }
    for (auto& c : in) claims[p.x].push_back(std::move(c));
    if (stats) {
      stats->per_node.emplace_back(g.nodes[p.node].name, seconds_since(tn));
      stats->per_node_bytes.push_back(w.data().size() - bytes_before);
    }
  }

  progress(plan.size() + 1, "batch opening");
  auto to = std::chrono::steady_clock::now();
  const size_t open_start = w.data().size();
  // The inputs: every claim checked against the range-checked digits (which are its commitment).
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const int t = g.inputs[i];
    if (input_is_public(model)) {  // [visibility] the verifier evaluates the public input itself
      claims[t].clear();
      continue;
    }
    std::vector<layers::AdviceClaim> adv;
    auto bp = input_provers[i].bound->prove(claims[t], tr, &adv);
    bp.serialize(w);
    open_advice(input_provers[i], adv, 0);
    claims[t].clear();
  }
  // [visibility] Private outputs: the first claim on each checked against its digits.
  for (size_t o = 0; o < output_provers.size(); ++o) {
    std::vector<layers::AdviceClaim> adv;
    auto bp = output_provers[o].bound->prove(std::span<const Claim>(&output_claims[o], 1), tr, &adv);
    bp.serialize(w);
    open_advice(output_provers[o], adv, 0);
  }
  // The model's lookups: each table's multiplicities committed (absorbed before its LogUp
  // challenges, after every column's commitment), then one LogUp per table; the claims on the
  // columns go to their layers' commitments.
  NodeProver mult_np;
  const auto tl = std::chrono::steady_clock::now();
  const size_t lookup_start = w.data().size();
  if (!lookups.empty()) {
    std::vector<layers::LayerAdvice> ms;
    for (auto& counts : lookups.prepare()) ms.push_back({"lookup.mult", std::vector<int64_t>(counts.begin(), counts.end())});
    commit_advice(mult_np, ms);
    auto res = lookups.prove(tr);
    res.proof.serialize(w);
    for (const auto& c : res.segment_claims) {
      ZKINFER_CHECK(c.owner < lookup_owners.size());
      const auto& [owner, offset] = lookup_owners[c.owner];
      ZKINFER_CHECK(offset + c.id < owner->com.size());
      open_at(owner->com[offset + c.id], owner->tab[offset + c.id], c.point, c.value);
    }
    for (const auto& c : res.multiplicity_claims) open_at(mult_np.com[c.table], mult_np.tab[c.table], c.point, c.value);
  }
  if (stats) {
    stats->lookup_s = seconds_since(tl);
    stats->lookup_bytes = w.data().size() - lookup_start;
    stats->lookup_offset = lookup_start;
    stats->lookup_tables = lookups.num_tables();
  }
  // Weights: opened against the verifying key's commitments (the setup's blinds).
  std::deque<pcs::HyraxBlinds> weight_blinds;
  std::map<size_t, std::pair<const pcs::HyraxBlinds*, const std::vector<Fr>*>> weight_open;
  auto open_weight = [&](size_t t) {
    auto it = weight_open.find(t);
    if (it != weight_open.end()) return it->second;
    ZKINFER_CHECK(is_committed_weight(model, static_cast<int>(t)) && "claims left on an unproven tensor");
    const auto& com = *vk.weights[t];
    tables.push_back(layers::padded_table(shape_of(model, static_cast<int>(t)), committed_values(model, static_cast<int>(t))));
    // The setup's blinds (zero for a key made by setup(), which does not hide).
    if (t < pk.blinds.size() && !pk.blinds[t].empty()) {
      if (pk.blinds[t].size() != com.layout.num_rows()) throw Error("proof: the proving key's blinds do not match its commitments");
      weight_blinds.push_back({pk.blinds[t]});
    } else {
      weight_blinds.push_back({std::vector<Fr>(com.layout.num_rows(), Fr::zero())});
    }
    return weight_open[t] = {&weight_blinds.back(), &tables.back()};
  };
  if (!zk) {
    for (size_t t = 0; t < nt; ++t) {
      if (claims[t].empty() || verifier_evaluates(model, static_cast<int>(t))) continue;  // the verifier evaluates those
      auto [bl, tab] = open_weight(t);
      for (auto& c : claims[t])
        openings.push_back({&*vk.weights[t], bl, *tab, c.point, pcs::ProverClaim::plain(c.value.value())});
    }
  } else {
    // Second pass: the verifier replayed on the proof so far gives every value the verifier
    // derives, with its blind, and every product and equality it will check (cp.h).
    ReplayState rs{transcript::Transcript::replay(tr.take_recording()), {}};
    zctx->set_relations(true);
    std::vector<ops::ITensor> pub_in;
    if (input_is_public(model))
      for (int t : g.inputs) pub_in.push_back(trace.values[t]);
    if (Verdict v = verify_impl(model, vk, w.data(), nullptr, nullptr, pub_in, &rs); !v)
      throw Error("proof: internal error: the prover's own proof fails its replay: " + v.reason());
    ZKINFER_CHECK(rs.tr.replay_done());
    std::vector<pcs::ProverClaim> bound;
    bound.reserve(rs.openings.size());
    for (auto& o : rs.openings) bound.push_back(zctx->bind_claim(o.value, w, tr));
    zctx->prove_finish(tr, w);
    for (size_t i = 0; i < rs.openings.size(); ++i) {
      auto& o = rs.openings[i];
      const pcs::ProverClaim& claim = bound[i];
      if (o.weight >= 0) {
        auto [bl, tab] = open_weight(static_cast<size_t>(o.weight));
        openings.push_back({&*vk.weights[o.weight], bl, *tab, std::move(o.point), claim});
      } else {
        ZKINFER_CHECK(o.com_index >= 0 && static_cast<size_t>(o.com_index) < committed.size());
        const auto& c = committed[o.com_index];
        openings.push_back({&c.commitment, &c.blinds, *committed_tab[o.com_index], std::move(o.point), claim});
      }
    }
  }
  if (zk && zctx->has_pad_opening()) openings.push_back(zctx->pad_opening_witness());
  // Nothing to open (public input, fixed weights, data-movement ops only): no batch proof.
  if (!openings.empty()) pcs::prove_batch(params, openings, tr, random).serialize(w);
  if (stats) {
    stats->open_s = seconds_since(to);
    stats->open_bytes = w.data().size() - open_start;
  }
  progress(total_steps, "done");
  if (!zk) return w.data();
  // The pad rows go after the header, where the verifier reads them before any message.
  std::vector<uint8_t> out(w.data().begin(), w.data().begin() + static_cast<std::ptrdiff_t>(header_end));
  const auto rows = zctx->rows_block();
  out.insert(out.end(), rows.begin(), rows.end());
  out.insert(out.end(), w.data().begin() + static_cast<std::ptrdiff_t>(header_end), w.data().end());
  if (stats) stats->commit_bytes += rows.size();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verifier

namespace {

Verdict verify_impl(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> bytes,
                    ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs,
                    ReplayState* replay) {
  std::vector<NodePlan> plan;
  try {
    plan = make_plan(model);
  } catch (const Error& e) {
    return Verdict::reject(std::string("model: ") + e.what());
  }
  if (vk.model_digest != quant::public_digest(model)) return Verdict::reject("vk: the verifying key is for another model");
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  if (vk.weights.size() != nt) return Verdict::reject("vk: tensor count differs from the model");
  for (size_t t = 0; t < nt; ++t) {
    bool want = is_committed_weight(model, static_cast<int>(t));
    if (want != vk.weights[t].has_value()) return Verdict::reject("vk: weight commitments do not match the model");
    if (want && vk.weights[t]->layout.num_vars != shape_of(model, static_cast<int>(t)).num_vars())
      return Verdict::reject("vk: weight commitment layout does not match the model");
  }
  const auto& params = params_for(params_log_cols(model, plan));

  ByteReader r(bytes);
  transcript::Transcript own(kProofDomain);
  transcript::Transcript& tr = replay ? replay->tr : own;
  // Zero knowledge: the verifier's context (the prover's replay runs under the prover's).
  const bool zk = zero_knowledge(model);
  std::optional<cp::Context> zctx;
  if (zk && !replay) zctx.emplace(params, pad_log_row(params));
  const cp::Context::Scope zscope(zk ? (replay ? cp::current() : &*zctx) : nullptr);
  // The layers register their lookups here (lookup/batch.h); verified after the inputs' checks.
  lookup::BatchVerifier<Fr> lookups;
  const lookup::BatchVerifier<Fr>::Scope lscope(&lookups);
  std::vector<std::pair<const std::vector<const pcs::HyraxCommitment*>*, size_t>> lookup_owners;
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kProofMagic.begin())) return Verdict::reject("proof: bad magic");
  if (r.u32() != kProofVersion) return Verdict::reject("proof: unsupported version");
  auto vkd = vk.digest();
  auto pd = r.bytes(32);
  if (!std::equal(pd.begin(), pd.end(), vkd.begin())) return Verdict::reject("proof: made for another verifying key");
  tr.absorb_bytes("proof.vk_digest", vkd);
  // [visibility] The public input: given to the verifier (one tensor per model input), checked
  // against its shape and bit bound (-2^b <= x < 2^b, what a private input's digits prove),
  // absorbed, and evaluated at the end where a private input's digits would be opened.
  if (input_is_public(model)) {
    if (public_inputs.size() != g.inputs.size())
      return Verdict::reject("proof: the model's input is public: verify needs it (" + std::to_string(g.inputs.size()) +
                             " tensor(s), got " + std::to_string(public_inputs.size()) + ")");
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const int t = g.inputs[i];
      const auto& x = public_inputs[i].data;
      if (x.size() != shape_of(model, t).unpadded_size())
        return Verdict::reject("proof: public input '" + g.tensors[t].name + "' size differs from the model");
      const int b = model.bits[t];
      if (b < 1 || b > 60) return Verdict::reject("proof: input '" + g.tensors[t].name + "': bit bound out of range");
      for (int64_t v : x)
        if (v < -(int64_t{1} << b) || v >= (int64_t{1} << b))
          return Verdict::reject("proof: public input '" + g.tensors[t].name + "' value outside the tensor's bit bound");
      absorb_i64s(tr, "proof.input", x);
    }
  } else if (!public_inputs.empty()) {
    return Verdict::reject("proof: the model's input is private: verify takes no input");
  }

  std::vector<std::vector<int64_t>> outs;
  for (int t_out : g.outputs) {
    if (output_is_private(model)) break;  // [visibility] committed, not sent
    PaddedShape os = shape_of(model, t_out);
    uint64_t n_out = r.u64();
    if (n_out != os.unpadded_size()) return Verdict::reject("proof: output size differs from the model");
    std::vector<int64_t> out(n_out);
    const int bits = model.bits[t_out];
    for (auto& v : out) {
      v = static_cast<int64_t>(r.u64());
      if (bits < 63 && (v >= (int64_t{1} << bits) || v <= -(int64_t{1} << bits)))
        return Verdict::reject("proof: output value outside the tensor's bit bound");
    }
    absorb_i64s(tr, "proof.output", out);
    outs.push_back(std::move(out));
  }
  // Zero knowledge: the pad rows (absorbed as the messages that use them are; zk/cp.h). Not in
  // the bytes the prover replays: it writes them last.
  if (zk && !replay) zctx->read_rows(r);

  std::deque<pcs::HyraxCommitment> coms;
  auto read_advice = [&](const std::vector<layers::AdviceShape>& shapes) {
    std::vector<const pcs::HyraxCommitment*> v;
    for (const auto& a : shapes) {
      auto c = pcs::HyraxCommitment::deserialize(r);
      if (c.layout.num_vars != a.num_vars || c.layout.log_cols != pcs::default_log_cols(a.num_vars))
        r.fail("commitment layout differs from the model");
      c.absorb_into(tr);
      coms.push_back(std::move(c));
      v.push_back(&coms.back());
    }
    return v;
  };
  std::vector<layers::BoundParams> in_bound;
  std::vector<std::vector<const pcs::HyraxCommitment*>> in_com;
  for (int t : g.inputs) {
    if (input_is_public(model)) break;  // [visibility] no digits
    in_bound.push_back(input_bound(model, t));
    in_com.push_back(read_advice(layers::bound_advice_shapes(in_bound.back())));
  }
  // [visibility] Private outputs: their digits, committed after the inputs'.
  std::vector<layers::BoundParams> out_bound;
  std::vector<std::vector<const pcs::HyraxCommitment*>> out_com;
  for (int t : g.outputs) {
    if (!output_is_private(model)) break;
    out_bound.push_back(input_bound(model, t, "output"));
    out_com.push_back(read_advice(layers::bound_advice_shapes(out_bound.back())));
  }
  std::vector<std::vector<const pcs::HyraxCommitment*>> node_com(plan.size());
  for (size_t pi = plan.size(); pi-- > 0;) node_com[pi] = read_advice(advice_shapes(model, plan[pi]));

  std::vector<std::vector<Claim>> claims(nt);
  struct PendingOpening {
    const pcs::HyraxCommitment* c;
    std::vector<Fr> point;
    cp::Val v;
  };
  std::vector<PendingOpening> pending;  // turned into claims once the products are read (zk)
  auto open_at = [&](const pcs::HyraxCommitment* c, std::vector<Fr> point, const cp::Val& v) {
    pending.push_back({c, std::move(point), v});
  };
  auto open_advice = [&](const std::vector<const pcs::HyraxCommitment*>& com, std::vector<layers::AdviceClaim>& adv,
                         size_t offset, const std::string& where) -> Verdict {
    for (auto& c : adv) {
      if (offset + c.advice >= com.size()) return Verdict::reject(where + ": claim on unknown advice");
      open_at(com[offset + c.advice], std::move(c.claim.point), c.claim.value);
    }
    lookups.assign_owner(lookup_owners.size(), where);
    lookup_owners.emplace_back(&com, offset);
    return Verdict::accept();
  };
  std::vector<Claim> output_claims;  // [visibility] private outputs: the first claim on each
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    PaddedShape os = shape_of(model, g.outputs[o]);
    auto z = tr.challenges<Fr>("proof.output_point", os.num_vars());
    cp::Val v;
    if (output_is_private(model)) {  // [visibility] the prover's value, checked against the digits at the end
      v = cp::read(r);
      tr.absorb("proof.output_claim", v);
      output_claims.push_back({z, v});
    } else {
      v = mle_eval(layers::padded_table(os, outs[o]), z);
    }
    claims[g.outputs[o]].push_back({std::move(z), v});
  }

  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    const std::string where = node_label(model, p.node);
    std::vector<Claim> cl = std::move(claims[p.y]);
    claims[p.y].clear();
    if (cl.empty()) continue;
    PaddedShape ys = shape_of(model, p.y);
    const bool free_move = (p.kind == Kind::kReindex && p.rmap.sumcheck_vars() == 0) || p.kind == Kind::kNeg;
    if (cl.size() > 1 && !free_move) {
      auto cp = layers::CombineProof::deserialize(r, ys.num_vars(), cl.size());
      Claim one;
      if (Verdict v = layers::verify_combine(ys.num_vars(), cl, cp, tr, &one); !v) return v.within(where + ": combine");
      cl = {std::move(one)};
    }
    const auto& com = node_com[pi];
    std::vector<Claim> in;
    std::vector<layers::AdviceClaim> adv;
    switch (p.kind) {
      case Kind::kRelu: {
        auto nl = layers::deserialize_proof(r, layers::relu_proof_layout(p.relu, cl.size()));
        if (Verdict v = layers::verify_relu(p.relu, cl, nl, tr, &in, &adv); !v) return v.within(where + ": relu");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kTable: {
        auto nl = layers::deserialize_proof(r, layers::table_act_proof_layout(p.act, cl.size()));
        if (Verdict v = layers::verify_table_act(p.act, cl, nl, tr, &in, &adv); !v) return v.within(where + ": table activation");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kMaxPool: {
        auto mp = layers::MaxPoolProof::deserialize(r, p.mp, cl.size());
        if (Verdict v = layers::verify_max_pool(p.mp, cl, mp, tr, &in, &adv); !v) return v.within(where + ": max pool");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kGap: {
        const size_t na = layers::global_avg_pool_advice_shapes(p.gap).size();
        if (p.bound) {
          auto bp = layers::deserialize_proof(r, layers::bound_proof_layout(*p.bound, cl.size()));
          if (Verdict v = layers::verify_bound(*p.bound, cl, bp, tr, &adv); !v) return v.within(where + ": output bound");
          if (Verdict v = open_advice(com, adv, na, where); !v) return v;
        }
        auto gp = layers::GlobalAvgPoolProof::deserialize(r, p.gap, cl.size());
        if (Verdict v = layers::verify_global_avg_pool(p.gap, cl, gp, tr, &in, &adv); !v)
          return v.within(where + ": global average pool");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kElementwise: {
        auto ep = layers::ElementwiseProof::deserialize(r, p.ew, cl.size());
        layers::ElementwiseClaims ec;
        if (Verdict v = layers::verify_elementwise(p.ew, cl, ep, tr, &ec); !v) return v.within(where + ": elementwise");
        if (Verdict v = open_advice(com, ec.advice, 0, where); !v) return v;
        if (p.bn && !public_keeps_bn(model)) {  // private weights: a, b opened (committed_values)
          const auto& ni = g.nodes[p.node].inputs;
          for (auto& c : ec.b) claims[ni[1]].push_back(std::move(c));
          for (auto& c : ec.c) claims[ni[2]].push_back(std::move(c));
        } else if (p.bn) {
          const auto& qp = model.params[p.node];
          const PaddedShape cs(p.ew.b_dims);
          const auto ta = layers::padded_table(cs, qp.constant("a").data), tb = layers::padded_table(cs, qp.constant("b").data);
          for (const auto& c : ec.b)
            if (c.point.size() != cs.num_vars() || mle_eval(ta, c.point) != c.value)
              return Verdict::reject(where + ": claim on the scale constants a fails");
          for (const auto& c : ec.c)
            if (c.point.size() != cs.num_vars() || mle_eval(tb, c.point) != c.value)
              return Verdict::reject(where + ": claim on the shift constants b fails");
        } else {
          for (auto& c : ec.b) claims[p.w].push_back(std::move(c));
        }
        in = std::move(ec.a);
        break;
      }
      case Kind::kLeakyRelu: {
        auto nl = layers::deserialize_proof(r, layers::leaky_relu_proof_layout(p.lr, cl.size()));
        if (Verdict v = layers::verify_leaky_relu(p.lr, cl, nl, tr, &in, &adv); !v) return v.within(where + ": leaky relu");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kClip: {
        auto nl = layers::deserialize_proof(r, layers::clip_proof_layout(p.clip, cl.size()));
        if (Verdict v = layers::verify_clip(p.clip, cl, nl, tr, &in, &adv); !v) return v.within(where + ": clip");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kPRelu: {
        auto nl = layers::deserialize_proof(r, layers::prelu_proof_layout(p.pr, cl.size()));
        layers::PReluClaims pc;
        if (Verdict v = layers::verify_prelu(p.pr, cl, nl, tr, &pc); !v) return v.within(where + ": prelu");
        if (Verdict v = open_advice(com, pc.advice, 0, where); !v) return v;
        for (auto& c : pc.slope) claims[p.w].push_back(std::move(c));
        in = std::move(pc.x);
        break;
      }
      case Kind::kDiv: {
        auto dp = layers::DivProof::deserialize(r, p.dv, cl.size());
        layers::DivClaims dc;
        if (Verdict v = layers::verify_div(p.dv, cl, dp, tr, &dc); !v) return v.within(where + ": div");
        if (Verdict v = open_advice(com, dc.advice, 0, where); !v) return v;
        for (auto& c : dc.b) claims[p.w].push_back(std::move(c));
        in = std::move(dc.a);
        break;
      }
      case Kind::kNeg:
        for (auto& c : cl) in.push_back({std::move(c.point), -c.value});
        break;
      case Kind::kSoftmax: {
        auto sp = layers::SoftmaxProof::deserialize(r, p.sm, cl.size());
        if (Verdict v = layers::verify_softmax(p.sm, cl, sp, tr, &in, &adv); !v) return v.within(where);
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kLayerNorm: {
        auto lp = layers::LayerNormProof::deserialize(r, p.ln, cl.size());
        layers::LayerNormClaims lc;
        if (Verdict v = layers::verify_layer_norm(p.ln, cl, lp, tr, &lc); !v) return v.within(where);
        if (Verdict v = open_advice(com, lc.advice, 0, where); !v) return v;
        for (auto& c : lc.gamma) claims[p.w].push_back(std::move(c));
        if (p.b >= 0) {
          for (auto& c : lc.beta) claims[p.b].push_back(std::move(c));
        } else if (!lc.beta.empty()) {
          return Verdict::reject(where + ": bias claims without a bias");
        }
        in = std::move(lc.x);
        break;
      }
      case Kind::kIntDiv: {
        auto ip = layers::IntDivProof::deserialize(r, p.idv, cl.size());
        layers::IntDivClaims ic;
        if (Verdict v = layers::verify_int_div(p.idv, cl, ip, tr, &ic); !v) return v.within(where);
        if (Verdict v = open_advice(com, ic.advice, 0, where); !v) return v;
        for (auto& c : ic.z) claims[p.w].push_back(std::move(c));
        in = std::move(ic.x);
        break;
      }
      case Kind::kReduce: {
        const size_t na = layers::reduce_advice_shapes(p.rd).size();
        if (p.bound) {
          auto bp = layers::deserialize_proof(r, layers::bound_proof_layout(*p.bound, cl.size()));
          if (Verdict v = layers::verify_bound(*p.bound, cl, bp, tr, &adv); !v) return v.within(where + ": output bound");
          if (Verdict v = open_advice(com, adv, na, where); !v) return v;
        }
        auto rp = layers::ReduceProof::deserialize(r, p.rd, cl.size());
        if (Verdict v = layers::verify_reduce(p.rd, cl, rp, tr, &in, &adv); !v) return v.within(where + ": reduce");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kAvgPool: {
        auto ap = layers::AvgPoolProof::deserialize(r, p.ap, cl.size());
        if (Verdict v = layers::verify_avg_pool(p.ap, cl, ap, tr, &in, &adv); !v) return v.within(where + ": average pool");
        if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        break;
      }
      case Kind::kReindex: {
        auto rp = layers::ReindexProof::deserialize(r, p.rmap, cl.size());
        if (Verdict v = layers::verify_reindex(p.rmap, cl, rp, tr, &in); !v) return v.within(where + ": data movement");
        break;
      }
      case Kind::kConcat: {
        auto cp = layers::ConcatProof::deserialize(r, p.cc, cl.size());
        std::vector<std::vector<Claim>> parts;
        if (Verdict v = layers::verify_concat(p.cc, cl, cp, tr, &parts); !v) return v.within(where + ": concat");
        if (parts.size() != p.ins.size()) return Verdict::reject(where + ": concat: claims per input");
        for (size_t j = 0; j < p.ins.size(); ++j)
          for (auto& c : parts[j]) claims[p.ins[j]].push_back(std::move(c));
        break;
      }
      case Kind::kMatmul:
      case Kind::kConv: {
        std::vector<Claim> accs = cl;
        if (p.shift > 0 && !p.fused) {
          const auto rpar = p.rescale_params(dims_of(model, p.y));
          auto rp = layers::deserialize_proof(r, layers::rescale_proof_layout(rpar, cl.size()));
          if (Verdict v = layers::verify_rescale(rpar, cl, rp, tr, &accs, &adv); !v) return v.within(where + ": rescale");
          if (Verdict v = open_advice(com, adv, 0, where); !v) return v;
        }
        const Fr bias_unscale = pow2(p.bias_exp).inverse();
        if (p.kind == Kind::kMatmul) {
          auto proof = layers::MatmulProof::deserialize(r, p.mm, accs.size());
          layers::MatmulClaims mc;
          if (Verdict v = layers::verify_matmul(p.mm, accs, proof, tr, &mc); !v) return v.within(where + ": matmul");
          in = std::move(mc.a);
          for (auto& c : mc.b) claims[p.w].push_back(std::move(c));
          for (auto& c : mc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
        } else {
          auto proof = layers::ConvProof::deserialize(r, p.cv, accs.size());
          layers::ConvClaims cc;
          if (Verdict v = layers::verify_conv(p.cv, accs, proof, tr, &cc); !v) return v.within(where + ": conv");
          in.push_back(std::move(cc.x));
          for (auto& c : cc.w) claims[p.w].push_back(std::move(c));
          for (auto& c : cc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
        }
        break;
      }
    }
    for (auto& c : in) claims[p.x].push_back(std::move(c));
  }

  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const int t = g.inputs[i];
    if (input_is_public(model)) {  // [visibility] the verifier evaluates the public input's padded MLE
      const PaddedShape xs = shape_of(model, t);
      const auto tab = layers::padded_table(xs, public_inputs[i].data);
      for (const auto& c : claims[t])
        if (c.point.size() != xs.num_vars() || mle_eval(tab, c.point) != c.value)
          return Verdict::reject("input '" + g.tensors[t].name + "': claim on the public input fails");
      claims[t].clear();
      continue;
    }
    auto bp = layers::deserialize_proof(r, layers::bound_proof_layout(in_bound[i], claims[t].size()));
    std::vector<layers::AdviceClaim> adv;
    if (Verdict v = layers::verify_bound(in_bound[i], claims[t], bp, tr, &adv); !v)
      return v.within("input '" + g.tensors[t].name + "'");
    if (Verdict v = open_advice(in_com[i], adv, 0, "input"); !v) return v;
    claims[t].clear();
  }
  // [visibility] Private outputs: the first claim on each against its digits (range and padding).
  for (size_t o = 0; o < out_bound.size(); ++o) {
    auto bp = layers::deserialize_proof(r, layers::bound_proof_layout(out_bound[o], 1));
    std::vector<layers::AdviceClaim> adv;
    if (Verdict v = layers::verify_bound(out_bound[o], std::span<const Claim>(&output_claims[o], 1), bp, tr, &adv); !v)
      return v.within("output '" + g.tensors[g.outputs[o]].name + "'");
    if (Verdict v = open_advice(out_com[o], adv, 0, "output"); !v) return v;
  }
  // The model's lookups (one LogUp per table): multiplicity commitments, the batch proof; claims
  // on the columns go to their layers' commitments.
  if (!lookups.empty()) {
    std::vector<layers::AdviceShape> ms;
    for (size_t t = 0; t < lookups.num_tables(); ++t) ms.push_back({"lookup.mult", lookups.table(t).log_size()});
    const auto mcom = read_advice(ms);
    const auto bp = lookup::BatchProof<Fr>::deserialize(r, lookups.shapes());
    std::vector<lookup::SegmentClaim<Fr>> sc;
    std::vector<lookup::MultiplicityClaim<Fr>> mc;
    if (Verdict v = lookups.verify(bp, tr, &sc, &mc); !v) return v.within("lookups");
    for (auto& c : sc) {
      if (c.owner >= lookup_owners.size()) return Verdict::reject("lookups: internal: segment without owner");
      const auto& [com, offset] = lookup_owners[c.owner];
      if (offset + c.id >= com->size()) return Verdict::reject("lookups: claim on unknown advice");
      open_at((*com)[offset + c.id], std::move(c.point), c.value);
    }
    for (auto& c : mc) open_at(mcom[c.table], std::move(c.point), c.value);
  }
  for (size_t t = 0; t < nt; ++t) {
    if (claims[t].empty()) continue;
    if (verifier_evaluates(model, static_cast<int>(t))) {  // [visibility] integer constants, fixed/public weights
      const auto tab = layers::padded_table(shape_of(model, static_cast<int>(t)), model.qconst[t].data);
      for (const auto& c : claims[t])
        if (c.point.size() != shape_of(model, static_cast<int>(t)).num_vars() || mle_eval(tab, c.point) != c.value)
          return Verdict::reject("proof: claim on the " + std::string(is_weight(model, static_cast<int>(t)) ? "weight " : "constant ") +
                                 g.tensors[t].name + " fails");
      continue;
    }
    if (!vk.weights[t]) return Verdict::reject("proof: claims left on tensor " + g.tensors[t].name + " that nothing proves");
    for (auto& cl : claims[t]) open_at(&*vk.weights[t], cl.point, cl.value);
  }
  if (replay) {  // the prover's replay stops here: what would be opened, and against what
    std::map<const pcs::HyraxCommitment*, int> com_index, weight_index;
    for (size_t i = 0; i < coms.size(); ++i) com_index[&coms[i]] = static_cast<int>(i);
    for (size_t t = 0; t < nt; ++t)
      if (vk.weights[t]) weight_index[&*vk.weights[t]] = static_cast<int>(t);
    for (auto& o : pending) {
      ReplayOpening ro;
      if (auto it = com_index.find(o.c); it != com_index.end()) ro.com_index = it->second;
      else ro.weight = weight_index.at(o.c);
      ro.point = std::move(o.point);
      ro.value = std::move(o.v);
      replay->openings.push_back(std::move(ro));
    }
    return Verdict::accept();
  }
  // Zero knowledge: each hidden claim is bound to a Pedersen commitment, then the end section
  // proves every recorded relation (zk/cp.h); the pad matrix joins the batch opening.
  std::vector<pcs::OpeningClaim> openings;
  openings.reserve(pending.size() + 1);
  for (auto& o : pending) {
    const auto claim = zk ? zctx->bind_claim(o.v, r, tr) : pcs::EvalClaim::plain(o.v.value());
    openings.push_back({o.c, std::move(o.point), claim});
  }
  if (zk) {
    if (Verdict v = zctx->verify_finish(tr, r); !v) return v.within("proof");
    if (zctx->has_pad_opening()) openings.push_back(zctx->pad_opening_claim());
  }
  if (!openings.empty()) {  // (none: the prover sends no batch proof)
    auto batch = pcs::HyraxBatchProof::deserialize(r);
    r.expect_end();
    if (Verdict v = pcs::verify_batch(params, openings, batch, tr); !v) return v.within("batch opening");
  } else {
    r.expect_end();
  }
  std::vector<ops::ITensor> proven;
  for (size_t k = 0; k < outs.size(); ++k) {  // [visibility] none when the output is private
    const int t_out = g.outputs[k];
    ops::ITensor t(g.tensors[t_out].shape, ops::DType::kInt);
    t.data = std::move(outs[k]);
    t.scale = model.scales[t_out];
    proven.push_back(std::move(t));
  }
  if (output) *output = proven.empty() ? ops::ITensor{} : proven[0];
  if (outputs) *outputs = std::move(proven);
  return Verdict::accept();
}

}  // namespace

Verdict verify(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
               ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs) {
  try {
    if (Verdict v = check_key(model, vk); !v) return v;
    return verify_impl(model, vk, proof, output, outputs, public_inputs, nullptr);
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("proof decoding: ") + e.what());
  } catch (const Error& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  }
}

}  // namespace zkinfer::proof
