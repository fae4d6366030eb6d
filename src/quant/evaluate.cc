// Integer-vs-float evaluation (evaluate.h).
#include "quant/evaluate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include "graph/float_executor.h"
#include "quant/int_executor.h"
#include "quant/quantizer.h"

namespace zkinfer::quant {

std::vector<int64_t> argmax_rows(const ops::FTensor& t) {
  std::vector<int64_t> out;
  int64_t n = t.shape.empty() ? 1 : t.shape.back();
  if (n <= 0) return out;
  for (int64_t r = 0; r < t.size() / n; ++r) {
    int64_t best = 0;
    for (int64_t j = 1; j < n; ++j)
      if (t.data[r * n + j] > t.data[r * n + best]) best = j;
    out.push_back(best);
  }
  return out;
}

Evaluation evaluate(const CompiledModel& m, const std::vector<graph::Sample>& samples) {
  Evaluation ev;
  const auto& g = m.graph;
  for (int o : g.outputs) {
    OutputError e;
    e.name = g.tensors[o].name;
    e.classifier = !g.tensors[o].shape.empty() && g.tensors[o].shape.back() >= 2 && g.tensors[o].dtype == ops::DType::kFloat;
    ev.outputs.push_back(e);
  }
  std::vector<double> sum_abs(g.outputs.size(), 0.0);
  std::vector<int64_t> count(g.outputs.size(), 0);
  for (size_t s = 0; s < samples.size(); ++s) {
    auto in = graph::make_inputs(g, samples[s].inputs, "sample " + std::to_string(s));
    auto fout = graph::run_float(g, in);
    auto tr = run_int(m, quantize_inputs(m, in));
    auto iout = tr.outputs(m);
    for (size_t k = 0; k < g.outputs.size(); ++k) {
      ops::FTensor q = dequantize(iout[k]);
      auto& e = ev.outputs[k];
      for (int64_t i = 0; i < q.size(); ++i) {
        double d = std::fabs(q.data[i] - fout[k].data[i]);
        e.max_abs = std::max(e.max_abs, d);
        e.max_float_abs = std::max(e.max_float_abs, std::fabs(fout[k].data[i]));
        sum_abs[k] += d;
        ++count[k];
      }
      if (e.classifier) {
        auto a = argmax_rows(fout[k]), b = argmax_rows(q);
        const double step = std::ldexp(1.0, -m.scales[g.outputs[k]]);
        const int64_t n = fout[k].shape.empty() ? 1 : fout[k].shape.back();
        for (size_t r = 0; r < a.size(); ++r) {
          e.argmax_agree += a[r] == b[r];
          const auto row = static_cast<int64_t>(r) * n;
          e.argmax_near += fout[k].data[row + b[r]] >= fout[k].data[row + a[r]] - step;
        }
        e.argmax_rows += static_cast<int64_t>(a.size());
        if (k == 0 && samples[s].label && !a.empty()) {
          ++ev.labelled;
          ev.float_correct += a[0] == *samples[s].label;
          ev.int_correct += b[0] == *samples[s].label;
        }
      }
    }
    ++ev.samples;
  }
  for (size_t k = 0; k < g.outputs.size(); ++k)
    ev.outputs[k].mean_abs = count[k] ? sum_abs[k] / static_cast<double>(count[k]) : 0.0;
  return ev;
}

std::optional<std::string> accuracy_shortfall(const CompiledModel& m, const Evaluation& ev) {
  const auto& g = m.graph;
  for (size_t k = 0; k < ev.outputs.size() && k < g.outputs.size(); ++k) {
    const auto& o = ev.outputs[k];
    const double step = std::ldexp(1.0, -m.scales[g.outputs[k]]);
    char buf[256];
    if (o.classifier && o.argmax_rows > 0) {
      if (o.argmax_near < o.argmax_rows) {
        std::snprintf(buf, sizeof buf, "output '%s': arg-max agrees with float on %lld of %lld rows", o.name.c_str(),
                      static_cast<long long>(o.argmax_near), static_cast<long long>(o.argmax_rows));
        return std::string(buf);
      }
    } else if (o.max_abs > 0.01 * o.max_float_abs + step) {
      std::snprintf(buf, sizeof buf, "output '%s': max abs error %.4g above 1 %% of its range %.4g plus one step", o.name.c_str(),
                    o.max_abs, o.max_float_abs);
      return std::string(buf);
    }
  }
  return std::nullopt;
}

std::string ScaleChoice::summary() const {
  std::string s;
  for (const auto& t : trials) s += "scale " + std::to_string(t.scale) + ": " + t.outcome + "\n";
  return s;
}

std::optional<std::string> threshold_collapse(const CompiledModel& m) {
  const auto& g = m.graph;
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t k = 0; k < g.nodes.size(); ++k)
    for (int o : g.nodes[k].outputs)
      if (o >= 0) producer[static_cast<size_t>(o)] = static_cast<int>(k);
  for (const auto& n : g.nodes) {
    const auto& op = n.op_type;
    if (op != "Less" && op != "LessOrEqual" && op != "Greater" && op != "GreaterOrEqual" && op != "Equal") continue;
    if (n.inputs.size() != 2 || n.inputs[0] < 0 || n.inputs[1] < 0) continue;
    int act = n.inputs[0], thr = n.inputs[1];
    if (g.tensors[act].is_const) std::swap(act, thr);
    if (g.tensors[act].is_const || !g.tensors[thr].is_const) continue;
    const int p = producer[static_cast<size_t>(act)];
    if (p < 0 || g.nodes[p].inputs.size() != 2) continue;
    const int sel = g.nodes[p].inputs[1];
    if (sel < 0 || !g.tensors[sel].is_const) continue;
    const auto& B = g.tensors[thr].value;
    // The input column each output column selects (-1: none); not a selection: skip the node.
    std::vector<int64_t> feat;
    bool selection = true;
    if (g.nodes[p].op_type == "MatMul" && g.tensors[sel].value.rank() == 2) {  // one-hot columns
      const auto& A = g.tensors[sel].value;
      const int64_t F = A.shape[0], I = A.shape[1];
      if (B.size() != I) continue;
      feat.assign(static_cast<size_t>(I), -1);
      for (int64_t f = 0; f < F && selection; ++f)
        for (int64_t i = 0; i < I; ++i) {
          double a = A.data[static_cast<size_t>(f * I + i)];
          if (a == 0) continue;
          if (a != 1 || feat[static_cast<size_t>(i)] >= 0) selection = false;
          feat[static_cast<size_t>(i)] = f;
        }
    } else if (g.nodes[p].op_type == "Gather" && g.tensors[sel].dtype == ops::DType::kFloat &&
               g.tensors[sel].value.rank() == 1 && g.tensors[sel].value.size() == B.size()) {
      // weight indices (the trees' complete form, graph/lower_ml.cc) along the input's last axis
      const auto& src = g.tensors[static_cast<size_t>(g.nodes[p].inputs[0])];
      const int64_t axis = g.nodes[p].attrs.get_int("axis", 0);
      if (src.shape.empty() || (axis != static_cast<int64_t>(src.shape.size()) - 1 && axis != -1)) continue;
      for (double v : g.tensors[sel].value.data) feat.push_back(static_cast<int64_t>(v));
    } else {
      continue;
    }
    if (!selection) continue;
    const int64_t I = static_cast<int64_t>(feat.size());
    const double step = std::ldexp(1.0, -m.scales[static_cast<size_t>(act)]);
    std::map<int64_t, std::vector<double>> by_feature;
    for (int64_t i = 0; i < I; ++i)
      if (feat[static_cast<size_t>(i)] >= 0) by_feature[feat[static_cast<size_t>(i)]].push_back(B.data[static_cast<size_t>(i)]);
    for (auto& [f, t] : by_feature) {
      std::sort(t.begin(), t.end());
      for (size_t j = 1; j < t.size(); ++j)
        if (t[j] != t[j - 1] && t[j] - t[j - 1] < step) {
          std::ostringstream o;
          o << "node '" << n.name << "': thresholds " << t[j - 1] << " and " << t[j] << " of input column " << f
            << " are closer than one step (2^-" << m.scales[static_cast<size_t>(act)] << ")";
          return o.str();
        }
    }
  }
  return std::nullopt;
}

ScaleChoice choose_scale(const graph::Graph& g, const std::vector<graph::Sample>& samples, ops::QuantConfig cfg,
                         const std::function<std::optional<std::string>(const CompiledModel&)>& blocked) {
  ScaleChoice out;
  bool first = true, first_blocked = false;
  std::optional<std::tuple<int, CompiledModel, Evaluation>> fallback;
  for (int s : kScaleLadder) {
    cfg.base_scale = s;
    std::optional<CompiledModel> m;
    try {
      m = quantize(g, samples, cfg);
    } catch (const Error& e) {
      if (first) throw;
      out.trials.push_back({s, std::string("infeasible: ") + e.what()});
      break;
    }
    if (blocked) {
      auto why = blocked(*m);
      if (first) {
        first_blocked = why.has_value();
      } else if (why && !first_blocked) {
        out.trials.push_back({s, "infeasible: " + *why});
        break;
      }
    }
    // An integer model whose values leave their calibrated bounds on the calibration samples
    // themselves (errors amplified past the headroom) falls short too.
    Evaluation ev;
    std::optional<std::string> shortfall, collapse;
    try {
      ev = evaluate(*m, samples);
      shortfall = accuracy_shortfall(*m, ev);
      if (!shortfall) collapse = threshold_collapse(*m);
    } catch (const Error& e) {
      shortfall = std::string("the integer model leaves its bounds on the calibration data: ") + e.what();
    }
    out.trials.push_back({s, shortfall ? *shortfall : collapse ? "meets the accuracy target, but " + *collapse : "meets the accuracy target"});
    first = false;
    // Accurate but with collapsing thresholds: kept as the fallback (the first such scale) in case
    // no scale separates them (per-tensor scales can stop below the ladder's, e.g. features of
    // very different magnitudes).
    if (!shortfall && collapse) {
      if (!fallback) fallback.emplace(s, std::move(*m), std::move(ev));
      continue;
    }
    out.scale = s;
    out.model = std::move(*m);
    out.eval = std::move(ev);
    if (!shortfall) {
      out.met = true;
      break;
    }
  }
  if (!out.met && fallback) {
    out.met = true;
    out.scale = std::get<0>(*fallback);
    out.model = std::move(std::get<1>(*fallback));
    out.eval = std::move(std::get<2>(*fallback));
    out.trials.push_back({out.scale, "chosen: the first scale that meets the accuracy target (no scale separates every threshold)"});
  }
  return out;
}

}  // namespace zkinfer::quant
