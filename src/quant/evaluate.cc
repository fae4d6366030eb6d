// Integer-vs-float evaluation (evaluate.h).
#include "quant/evaluate.h"

#include <cmath>

#include "graph/float_executor.h"
#include "quant/int_executor.h"

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
        sum_abs[k] += d;
        ++count[k];
      }
      if (e.classifier) {
        auto a = argmax_rows(fout[k]), b = argmax_rows(q);
        for (size_t r = 0; r < a.size(); ++r) e.argmax_agree += a[r] == b[r];
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

}  // namespace zkinfer::quant
