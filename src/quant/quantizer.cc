// Calibration and per-node planning (quantizer.h).
#include "quant/quantizer.h"

#include <cmath>
#include <map>
#include <sstream>

#include "graph/fuse_unary.h"
#include "graph/float_executor.h"
#include "graph/lower_composites.h"
#include "graph/lower_moves.h"
#include "graph/lower_rnn.h"
#include "graph/onnx_loader.h"

namespace zkinfer::quant {

using ops::DType;
using ops::FTensor;
using ops::Range;

std::vector<Range> calibrate(graph::Graph& g, const std::vector<graph::Sample>& samples) {
  if (samples.empty()) throw Error(g.source + ": no calibration samples");
  graph::bind_shapes(g, graph::make_inputs(g, samples[0].inputs, "calibration sample 0"));
  graph::fold_constants(g, true, true);  // shapes are now fixed: Shape nodes and what follows fold
  if (graph::lower_rnn(g) > 0)      // LSTM, GRU, RNN unrolled over the (now fixed) sequence
    graph::bind_shapes(g, graph::make_inputs(g, samples[0].inputs, "calibration sample 0"));
  graph::lower_split(g);            // one Slice per Split output: every node has one output
  graph::lower_reductions(g);       // ReduceL1, ReduceL2, ReduceLogSumExp, ... as their parts
  graph::lower_composites(g);       // LogSoftmax, InstanceNormalization, Hardmax, CumSum, ... as proven ops
  graph::lower_arithmetic(g);       // Gemm alpha/beta into constants, variadic Sum/Mean as Adds
  graph::fuse_layer_norm(g);        // spelled-out layer norms as one LayerNormalization
  graph::fuse_gelu(g);              // spelled-out GELUs (tanh or erf form) as one Gelu table activation
  graph::lower_conv_transpose(g);   // zero insertion and a Conv with the flipped kernel
  graph::lower_resize(g);           // Gathers (nearest) and constant interpolation MatMuls per axis
  graph::lower_pool_3d(g);          // 3-D pools into a 2-D pool over (H, W) and one over D
  graph::lower_lrn(g);              // x * x, a banded 1x1 Conv, exp(-beta log d), a product
  graph::lower_max_unpool(g);       // constant indices: a Gather with a zero padded in
  graph::lower_large_max_pool(g, 59);  // rows, then columns (proof/steps/max_pool.cc: <= 59 entries)
  graph::lower_gather_scatter(g);   // GatherND / ScatterND / ScatterElements: data movement or one-hot products
  graph::lower_top_k(g);            // ranks by comparisons, a one-hot permutation
  graph::fold_constants(g, true, true);  // what the rewrites left on constants alone
  graph::lower_concat_constants(g);  // after folding: Concats of constants and computed tensors
  std::vector<Range> r(g.tensors.size());
  std::vector<bool> seen(g.tensors.size(), false);
  // Tensors in the order they are computed (inputs and constants, then each node's outputs), so
  // that a value that is not finite is reported where it first appears.
  std::vector<size_t> order;
  std::vector<bool> listed(g.tensors.size(), false);
  for (const auto& n : g.nodes)
    for (int t : n.outputs)
      if (t >= 0) listed[static_cast<size_t>(t)] = true;
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (!listed[i]) order.push_back(i);
  for (const auto& n : g.nodes)
    for (int t : n.outputs)
      if (t >= 0) order.push_back(static_cast<size_t>(t));
  for (size_t s = 0; s < samples.size(); ++s) {
    auto in = graph::make_inputs(g, samples[s].inputs, "calibration sample " + std::to_string(s));
    auto all = graph::run_float_all(g, in);
    for (size_t i : order) {
      if (all[i].shape != g.tensors[i].shape)
        throw Error("calibration sample " + std::to_string(s) + ": tensor '" + g.tensors[i].name + "' has shape " +
                    ops::shape_str(all[i].shape) + ", sample 0 gave " + ops::shape_str(g.tensors[i].shape));
      for (double v : all[i].data) {
        if (!std::isfinite(v))
          throw Error("calibration sample " + std::to_string(s) + ": tensor '" + g.tensors[i].name + "' is not finite");
        if (!seen[i]) {
          r[i] = {v, v};
          seen[i] = true;
        }
        r[i].lo = std::min(r[i].lo, v);
        r[i].hi = std::max(r[i].hi, v);
      }
    }
  }
  return r;
}

namespace {

int bits_for(double maxabs) {
  int b = 1;
  while (b < 62 && std::ldexp(1.0, b) <= maxabs) ++b;
  return b;
}

// A real-valued constant is committed in the verifying key with private weights, and the key's
// weight range proof shows it within its bit bound, at most 60 bits (docs/PROTOCOL.md, section 9).
// Wider ones are refused here rather than at setup (or as products the integer executor cannot
// hold).
void check_const_bits(const graph::TensorInfo& t, int bits, int scale) {
  if (t.dtype == DType::kFloat && bits > 60)
    throw Error("constant '" + t.name + "' needs " + std::to_string(bits) + " bits at scale 2^" + std::to_string(scale) +
                "; real-valued constants may use at most 60 (use a smaller --scale or rescale the model's constants)");
}

ops::ITensor quantize_const(const FTensor& v, int scale, bool integer, const std::string& name) {
  ops::ITensor q(v.shape, v.dtype);
  q.scale = integer ? 0 : scale;
  double m = std::ldexp(1.0, q.scale);
  for (size_t i = 0; i < v.data.size(); ++i) {
    double x = integer ? v.data[i] : std::floor(v.data[i] * m + 0.5);
    if (integer && std::fabs(x) > 0x1p62) x = x > 0 ? 0x1p62 : -0x1p62;  // INT64_MAX as "to the end"

    if (!(std::fabs(x) <= std::ldexp(1.0, 62))) throw Error("constant '" + name + "' does not fit int64 at scale 2^" + std::to_string(scale));
    q.data[i] = static_cast<int64_t>(x);
  }
  return q;
}

}  // namespace

CompiledModel quantize(graph::Graph g, const std::vector<graph::Sample>& samples, const ops::QuantConfig& cfg) {
  if (cfg.base_scale < 0 || cfg.base_scale > 20) throw Error("--scale must be between 0 and 20");
  CompiledModel m;
  m.ranges = calibrate(g, samples);
  m.cfg = cfg;
  const int kUnset = ops::PlanContext::kUnset;
  std::vector<int> scales(g.tensors.size(), kUnset);
  std::vector<int> bits(g.tensors.size(), cfg.act_bits);
  auto integer = [&](int id) { return g.tensors[id].dtype != DType::kFloat; };
  for (int id : g.inputs) {
    if (integer(id)) {
      scales[id] = 0;
      bits[id] = bits_for(m.ranges[id].maxabs()) + 1;
    } else {
      ops::Node dummy;
      ops::PlanContext tmp(dummy, cfg);
      scales[id] = tmp.act_scale(m.ranges[id], cfg.base_scale);
      bits[id] = std::min(cfg.act_bits, bits_for(m.ranges[id].maxabs() * std::ldexp(1.0, scales[id])) + cfg.range_margin_bits);
    }
  }
  const auto& table = ops::OpTable::get();
  std::vector<ops::QParams> params;
  // Constant uses: (tensor, scale) -> tensor id carrying that quantization.
  std::map<std::pair<int, int>, int> const_at;
  std::vector<ops::ITensor> qconst(g.tensors.size());
  for (size_t ni = 0; ni < g.nodes.size(); ++ni) {
    ops::Node& n = g.nodes[ni];
    const ops::OpDef* def = table.find(n.op_type);
    if (!def) throw Error(g.source + ": node '" + n.name + "': unsupported operator " + n.op_type);
    ops::PlanContext c(n, cfg);
    size_t k = n.inputs.size();
    c.consts.assign(k, nullptr);
    c.in_ranges.assign(k, Range{});
    c.in_shapes.assign(k, ops::Shape{});
    c.in_scales.assign(k, kUnset);
    c.in_bits.assign(k, cfg.act_bits);
    c.in_dtypes.assign(k, DType::kFloat);
    for (size_t i = 0; i < k; ++i) {
      int id = n.inputs[i];
      if (id < 0) continue;
      c.in_ranges[i] = m.ranges[id];
      c.in_dtypes[i] = g.tensors[id].dtype;
      c.in_shapes[i] = g.tensors[id].shape;
      bool raw = std::find(def->raw_inputs.begin(), def->raw_inputs.end(), static_cast<int>(i)) != def->raw_inputs.end();
      if (g.tensors[id].is_const) {
        c.consts[i] = &g.tensors[id].value;
        if (raw || integer(id)) {
          c.in_scales[i] = 0;
          c.in_bits[i] = bits_for(m.ranges[id].maxabs()) + 1;
        }
      } else {
        if (raw) throw Error(g.source + ": node '" + n.name + "' (" + n.op_type + "): input " + std::to_string(i) +
                             " must be a constant in the integer model (shapes and axes are fixed at compile time)");
        c.in_scales[i] = scales[id];
        c.in_bits[i] = bits[id];
      }
    }
    for (int o : n.outputs) {
      c.out_ranges.push_back(o >= 0 ? m.ranges[o] : Range{});
      c.out_shapes.push_back(o >= 0 ? g.tensors[o].shape : ops::Shape{});
      c.out_dtypes.push_back(o >= 0 ? g.tensors[o].dtype : DType::kFloat);
    }
    def->plan(c);
    if (c.params.out_scales.size() < n.outputs.size())
      throw Error(g.source + ": node '" + n.name + "': planner gave no output scale");
    for (size_t i = 0; i < k; ++i)
      if (n.inputs[i] >= 0 && g.tensors[n.inputs[i]].is_const && c.in_scales[i] == kUnset) c.in_scale(i);
    // Quantize constant inputs at the scales asked for (cloning a constant used at two scales).
    for (size_t i = 0; i < k; ++i) {
      int id = n.inputs[i];
      if (id < 0 || !g.tensors[id].is_const) continue;
      int s = integer(id) ? 0 : c.in_scales[i];
      auto key = std::make_pair(id, s);
      auto it = const_at.find(key);
      int use = -1;
      if (it != const_at.end()) {
        use = it->second;
      } else if (scales[id] == kUnset) {
        use = id;
      } else {
        graph::TensorInfo t = g.tensors[id];
        t.name += "@" + std::to_string(s);
        use = g.add_tensor(std::move(t));
        scales.push_back(kUnset);
        bits.push_back(0);
        qconst.emplace_back();
        m.ranges.push_back(m.ranges[id]);
      }
      if (scales[use] == kUnset) {
        scales[use] = s;
        qconst[use] = quantize_const(g.tensors[use].value, s, integer(use), g.tensors[use].name);
        int64_t mx = 0;
        for (auto v : qconst[use].data) mx = std::max<int64_t>(mx, v < 0 ? -v : v);
        bits[use] = bits_for(static_cast<double>(mx)) + 1;
        check_const_bits(g.tensors[use], bits[use], s);
        const_at[key] = use;
      }
      g.nodes[ni].inputs[i] = use;
    }
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      int id = n.outputs[o];
      if (id < 0) continue;
      scales[id] = c.params.out_scales[o];
      if (integer(id)) {
        if (scales[id] != 0)
          throw Error(g.source + ": node '" + n.name + "' (" + n.op_type + "): integer-typed output '" + g.tensors[id].name +
                      "' would get scale 2^" + std::to_string(scales[id]) + "; mixing integer and real values is not supported");
        int in0 = n.inputs.empty() ? -1 : n.inputs[0];
        bits[id] = std::max(bits_for(m.ranges[id].maxabs()) + 1, in0 >= 0 ? bits[in0] : 1);
      } else {
        double need = m.ranges[id].maxabs() * std::ldexp(1.0, scales[id]);
        bits[id] = std::min(cfg.act_bits, bits_for(need) + cfg.range_margin_bits);
        if (need >= std::ldexp(1.0, cfg.act_bits - 1))
          throw Error(g.source + ": node '" + n.name + "' (" + n.op_type + "): output '" + g.tensors[id].name +
                      "' range [" + std::to_string(m.ranges[id].lo) + ", " + std::to_string(m.ranges[id].hi) +
                      "] at scale 2^" + std::to_string(scales[id]) + " exceeds the activation limit 2^" +
                      std::to_string(cfg.act_bits - 1) + "; use a smaller --scale");
      }
    }
    params.push_back(std::move(c.params));
  }
  // Constants no node reads (left over from folding) are kept, quantized at the default rule.
  for (size_t id = 0; id < g.tensors.size(); ++id) {
    if (!g.tensors[id].is_const || scales[id] != kUnset) continue;
    ops::Node dummy;
    ops::PlanContext tmp(dummy, cfg);
    tmp.consts = {&g.tensors[id].value};
    int s = integer(static_cast<int>(id)) ? 0 : tmp.default_const_scale(0);
    scales[id] = s;
    qconst[id] = quantize_const(g.tensors[id].value, s, integer(static_cast<int>(id)), g.tensors[id].name);
    int64_t mx = 0;
    for (auto v : qconst[id].data) mx = std::max<int64_t>(mx, v < 0 ? -v : v);
    bits[id] = integer(static_cast<int>(id)) ? 62 : bits_for(static_cast<double>(mx)) + 1;
    check_const_bits(g.tensors[id], bits[id], s);
  }
  for (int o : g.outputs)
    if (g.tensors[o].is_const) throw Error(g.source + ": output '" + g.tensors[o].name + "' is a constant");
  m.graph = std::move(g);
  m.scales = std::move(scales);
  m.bits = std::move(bits);
  m.qconst = std::move(qconst);
  m.params = std::move(params);
  for (auto& s : m.scales)
    if (s == kUnset) s = 0;
  return m;
}

}  // namespace zkinfer::quant
