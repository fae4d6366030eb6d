// Integer-vs-float evaluation (evaluate.h).
#include "quant/evaluate.h"

#include <cmath>

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

ScaleChoice choose_scale(const graph::Graph& g, const std::vector<graph::Sample>& samples, ops::QuantConfig cfg,
                         const std::function<std::optional<std::string>(const CompiledModel&)>& blocked) {
  ScaleChoice out;
  bool first = true, first_blocked = false;
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
    std::optional<std::string> shortfall;
    try {
      ev = evaluate(*m, samples);
      shortfall = accuracy_shortfall(*m, ev);
    } catch (const Error& e) {
      shortfall = std::string("the integer model leaves its bounds on the calibration data: ") + e.what();
    }
    out.trials.push_back({s, shortfall ? *shortfall : "meets the accuracy target"});
    out.scale = s;
    out.model = std::move(*m);
    out.eval = std::move(ev);
    first = false;
    if (!shortfall) {
      out.met = true;
      break;
    }
  }
  return out;
}

}  // namespace zkinfer::quant
