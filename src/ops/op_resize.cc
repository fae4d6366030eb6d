// Resize (opset 10, 11, 13, 18, 19) and Upsample (7, 9): modes nearest (every nearest_mode),
// linear / bilinear and cubic (cubic_coeff_a, exclude_outside, antialias), every
// coordinate_transformation_mode (half_pixel, half_pixel_symmetric, pytorch_half_pixel,
// align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize with roi and
// extrapolation_value), scales or sizes, axes and keep_aspect_ratio_policy. Resize-10 and Upsample
// map coordinates asymmetrically and pick the nearest entry by truncation when enlarging and by
// ceiling when shrinking (as onnxruntime). Float semantics here, as ONNX's reference computes
// them: a separable map per axis (ops/resize.h). The quantizer lowers the node before planning
// (graph/lower_moves.h, lower_resize) into data movement (a Gather of constant indices per
// nearest axis) and constant-weight products (a MatMul by the axis's interpolation matrix, with
// its exact integer rescale), so its integer model and proof are those nodes'; scales, sizes and
// roi must then be constants.
#include <algorithm>
#include <cmath>

#include "ops/helpers.h"
#include "ops/resize.h"

namespace zkinfer::ops {

bool ResizeAxis::identity() const {
  if (in != out) return false;
  for (int64_t o = 0; o < out; ++o) {
    const auto& t = taps[static_cast<size_t>(o)];
    if (outside[static_cast<size_t>(o)] || t.size() != 1 || t[0].first != o || t[0].second != 1.0) return false;
  }
  return true;
}

bool ResizeAxis::moves() const {
  for (int64_t o = 0; o < out; ++o) {
    const auto& t = taps[static_cast<size_t>(o)];
    if (!outside[static_cast<size_t>(o)] && (t.size() != 1 || t[0].second != 1.0)) return false;
  }
  return true;
}

bool ResizeAxis::any_outside() const { return std::find(outside.begin(), outside.end(), true) != outside.end(); }

Shape ResizePlan::out_shape() const {
  Shape s;
  for (const auto& a : axes) s.push_back(a.out);
  return s;
}

namespace {

std::vector<double> floats_of(const FTensor* t) {
  if (!t || t->data.empty()) return {};
  return t->data;
}

// Coefficients of the interpolation kernels (ONNX's reference), for the n entries
// base - n/2 + 1 ... base + n/2, ratio in (0, 1].
std::vector<double> linear_coeffs(double ratio, double scale, bool antialias) {
  if (!antialias) return {1 - ratio, ratio};
  scale = std::min(scale, 1.0);
  const int64_t start = static_cast<int64_t>(std::floor(-1 / scale)) + 1, n = 2 - 2 * start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    c.push_back(std::clamp(1 - std::fabs((static_cast<double>(start + i) - ratio) * scale), 0.0, 1.0));
    sum += c.back();
  }
  for (auto& v : c) v /= sum;
  return c;
}

std::vector<double> cubic_coeffs(double ratio, double scale, double A, bool antialias) {
  if (!antialias) {
    const double r = ratio, s = 1 - ratio;
    return {((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A, ((A + 2) * r - (A + 3)) * r * r + 1,
            ((A + 2) * s - (A + 3)) * s * s + 1, ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A};
  }
  scale = std::min(scale, 1.0);
  auto k = [A](double x) {
    x = std::fabs(x);
    if (x <= 1) return (A + 2) * x * x * x - (A + 3) * x * x + 1;
    if (x < 2) return A * x * x * x - 5 * A * x * x + 8 * A * x - 4 * A;
    return 0.0;
  };
  const int64_t start = static_cast<int64_t>(std::floor(-2 / scale)) + 1, end = 2 - start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = start; i < end; ++i) {
    c.push_back(k(scale * (static_cast<double>(i) - ratio)));
    sum += c.back();
  }
  for (auto& v : c) v /= sum;
  return c;
}

}  // namespace

ResizePlan resize_plan(const Node& n, const Shape& xs, std::span<const FTensor* const> in) {
  const bool upsample = n.op_type == "Upsample";
  const bool legacy = upsample || n.opset < 11;  // Upsample, Resize-10: inputs (X, scales), asymmetric
  const int64_t r = static_cast<int64_t>(xs.size());
  std::vector<double> scales, roi;
  std::vector<int64_t> sizes;
  if (upsample && n.opset < 9) {
    auto it = n.attrs.float_lists.find("scales");
    if (it == n.attrs.float_lists.end()) bad_node(n, "missing attribute 'scales'");
    scales = it->second;
  } else if (legacy) {
    scales = floats_of(opt_in(in, 1));
    if (scales.empty()) bad_node(n, "missing input 'scales'");
  } else {
    roi = floats_of(opt_in(in, 1));
    scales = floats_of(opt_in(in, 2));
    const FTensor* sz = opt_in(in, 3);
    if (sz && !sz->data.empty()) sizes = int_values(n, sz, "sizes");
    if (scales.empty() == sizes.empty()) bad_node(n, "exactly one of 'scales' and 'sizes' must be given");
  }
  std::string mode = n.attrs.get_string("mode", "nearest");
  if (mode == "bilinear" || mode == "trilinear") mode = "linear";
  if (mode != "nearest" && mode != "linear" && (mode != "cubic" || legacy)) unsupported(n, "mode '" + mode + "'");
  const std::string ctm = legacy ? "asymmetric" : n.attrs.get_string("coordinate_transformation_mode", "half_pixel");
  const std::string nm = n.attrs.get_string("nearest_mode", "round_prefer_floor");
  const double A = n.attrs.get_float("cubic_coeff_a", -0.75);
  const bool exclude = n.attrs.get_int("exclude_outside", 0) != 0;
  const bool antialias = n.attrs.get_int("antialias", 0) != 0 && n.opset >= 18;
  const std::string policy = n.opset >= 18 ? n.attrs.get_string("keep_aspect_ratio_policy", "stretch") : "stretch";
  // The axes the inputs address (opset 18: `axes`; else all).
  std::vector<int64_t> axes = n.opset >= 18 ? n.attrs.get_ints("axes") : std::vector<int64_t>{};
  if (axes.empty())
    for (int64_t a = 0; a < r; ++a) axes.push_back(a);
  for (auto& a : axes) {
    if (a < -r || a >= r) bad_node(n, "axis out of range");
    if (a < 0) a += r;
  }
  const size_t na = axes.size();
  if (!scales.empty() && scales.size() != na) bad_node(n, "'scales' has " + std::to_string(scales.size()) + " entries for " + std::to_string(na) + " axes");
  if (!sizes.empty() && sizes.size() != na) bad_node(n, "'sizes' has " + std::to_string(sizes.size()) + " entries for " + std::to_string(na) + " axes");
  if (!roi.empty() && roi.size() != 2 * na) bad_node(n, "'roi' must have 2 entries per axis");
  std::vector<double> scale(static_cast<size_t>(r), 1.0), rs(static_cast<size_t>(r), 0.0), re(static_cast<size_t>(r), 1.0);
  Shape out = xs;
  if (!sizes.empty() && policy != "stretch") {
    if (policy != "not_larger" && policy != "not_smaller") unsupported(n, "keep_aspect_ratio_policy '" + policy + "'");
    double s = policy == "not_larger" ? INFINITY : 0;
    for (size_t k = 0; k < na; ++k) {
      const double q = static_cast<double>(sizes[k]) / static_cast<double>(xs[static_cast<size_t>(axes[k])]);
      s = policy == "not_larger" ? std::min(s, q) : std::max(s, q);
    }
    for (size_t k = 0; k < na; ++k) {
      const auto a = static_cast<size_t>(axes[k]);
      scale[a] = s;
      out[a] = static_cast<int64_t>(std::floor(s * static_cast<double>(xs[a]) + 0.5));
    }
  } else {
    for (size_t k = 0; k < na; ++k) {
      const auto a = static_cast<size_t>(axes[k]);
      if (!sizes.empty()) {
        out[a] = sizes[k];
        scale[a] = static_cast<double>(sizes[k]) / static_cast<double>(xs[a]);
      } else {
        if (!(scales[k] > 0) || !std::isfinite(scales[k])) bad_node(n, "scales must be positive");
        scale[a] = scales[k];
        out[a] = static_cast<int64_t>(std::floor(scales[k] * static_cast<double>(xs[a])));
      }
    }
  }
  for (size_t k = 0; k < na && !roi.empty(); ++k) {
    rs[static_cast<size_t>(axes[k])] = roi[k];
    re[static_cast<size_t>(axes[k])] = roi[na + k];
  }
  ResizePlan p;
  p.extrapolation = n.attrs.get_float("extrapolation_value", 0.0);
  for (int64_t a = 0; a < r; ++a) {
    const auto ua = static_cast<size_t>(a);
    ResizeAxis ax;
    ax.in = xs[ua];
    ax.out = out[ua];
    if (ax.in < 1 || ax.out < 1) bad_node(n, "axis " + std::to_string(a) + " resized to " + std::to_string(ax.out) + " entries");
    if (ax.out > (int64_t{1} << 24)) unsupported(n, "an axis of more than 2^24 entries");
    const double s = scale[ua], len_in = static_cast<double>(ax.in), len_out = s * len_in;
    const bool axis_resized = std::find(axes.begin(), axes.end(), a) != axes.end();
    for (int64_t o = 0; o < ax.out; ++o) {
      const double od = static_cast<double>(o);
      double x = od;
      if (axis_resized) {
        if (ctm == "half_pixel") x = (od + 0.5) / s - 0.5;
        else if (ctm == "half_pixel_symmetric") {
          const double adj = static_cast<double>(ax.out) / len_out, center = len_in / 2;
          x = center * (1 - adj) + (od + 0.5) / s - 0.5;
        } else if (ctm == "pytorch_half_pixel") x = len_out > 1 ? (od + 0.5) / s - 0.5 : 0;
        else if (ctm == "align_corners") x = len_out == 1 ? 0 : od * (len_in - 1) / (len_out - 1);
        else if (ctm == "asymmetric") x = od / s;
        else if (ctm == "tf_half_pixel_for_nn") x = (od + 0.5) / s;
        else if (ctm == "tf_crop_and_resize")
          x = len_out > 1 ? rs[ua] * (len_in - 1) + od * (re[ua] - rs[ua]) * (len_in - 1) / (len_out - 1)
                          : 0.5 * (rs[ua] + re[ua]) * (len_in - 1);
        else unsupported(n, "coordinate_transformation_mode '" + ctm + "'");
      }
      const bool outside = axis_resized && ctm == "tf_crop_and_resize" && (x < 0 || x > len_in - 1);
      ax.outside.push_back(outside);
      std::vector<std::pair<int64_t, double>> taps;
      if (outside) {
        // no taps: the extrapolation value
      } else if (mode == "nearest") {
        const double fl = std::floor(x);
        int64_t i = static_cast<int64_t>(fl);
        if (legacy) {
          i = s < 1 ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(std::trunc(x));
        } else if (x != fl) {
          const double ratio = x - fl;
          if (nm == "round_prefer_floor") i += ratio > 0.5;
          else if (nm == "round_prefer_ceil") i += ratio >= 0.5;
          else if (nm == "ceil") i += 1;
          else if (nm != "floor") unsupported(n, "nearest_mode '" + nm + "'");
        }
        taps.emplace_back(std::clamp<int64_t>(i, 0, ax.in - 1), 1.0);
      } else {
        // ONNX's reference: ratio in (0, 1] (1 where x is an integer), the n entries nearest x.
        const double fl = std::floor(x);
        const bool integral = x == fl;
        const double ratio = integral ? 1.0 : x - fl;
        const int64_t base = static_cast<int64_t>(fl) - (integral ? 1 : 0);
        std::vector<double> c = mode == "linear" ? linear_coeffs(ratio, s, antialias) : cubic_coeffs(ratio, s, A, antialias);
        const int64_t cn = static_cast<int64_t>(c.size()), first = base - cn / 2 + 1;
        if (exclude) {
          double sum = 0;
          for (int64_t k = 0; k < cn; ++k) {
            const int64_t i = first + k;
            if (i < 0 || i >= ax.in) c[static_cast<size_t>(k)] = 0;
            sum += c[static_cast<size_t>(k)];
          }
          if (sum != 0)
            for (auto& v : c) v /= sum;
        }
        for (int64_t k = 0; k < cn; ++k) {  // edge entries repeat (indices clamped), weights merged
          const double w = c[static_cast<size_t>(k)];
          if (w == 0) continue;
          const int64_t i = std::clamp<int64_t>(first + k, 0, ax.in - 1);
          auto it = std::find_if(taps.begin(), taps.end(), [&](const auto& t) { return t.first == i; });
          if (it == taps.end()) taps.emplace_back(i, w);
          else it->second += w;
        }
      }
      ax.taps.push_back(std::move(taps));
    }
    p.axes.push_back(std::move(ax));
  }
  return p;
}

FTensor resize_apply(const ResizePlan& p, const FTensor& x) {
  FTensor cur = x;
  const size_t r = p.axes.size();
  std::vector<bool> outside(static_cast<size_t>(numel(p.out_shape())), false);
  bool any_outside = false;
  for (size_t a = 0; a < r; ++a) {
    const ResizeAxis& ax = p.axes[a];
    any_outside = any_outside || ax.any_outside();
    if (ax.identity()) continue;
    int64_t outer = 1, inner = 1;
    for (size_t b = 0; b < a; ++b) outer *= cur.shape[b];
    for (size_t b = a + 1; b < r; ++b) inner *= cur.shape[b];
    Shape s = cur.shape;
    s[a] = ax.out;
    FTensor y(s, cur.dtype);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < ax.out; ++j)
        for (int64_t i = 0; i < inner; ++i) {
          double v = 0;
          for (const auto& [k, w] : ax.taps[static_cast<size_t>(j)]) v += w * cur.data[static_cast<size_t>((o * ax.in + k) * inner + i)];
          y.data[static_cast<size_t>((o * ax.out + j) * inner + i)] = v;
        }
    cur = std::move(y);
  }
  if (any_outside) {
    const Shape s = p.out_shape();
    for (size_t e = 0; e < cur.data.size(); ++e) {
      size_t rem = e;
      bool out = false;
      for (size_t a = r; a-- > 0;) {
        out = out || p.axes[a].outside[rem % static_cast<size_t>(s[a])];
        rem /= static_cast<size_t>(s[a]);
      }
      if (out) cur.data[e] = p.extrapolation;
    }
  }
  return cur;
}

namespace {
void add_resize(OpTable& t, const std::string& op) {
  OpDef d;
  d.op_type = op;
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    const FTensor& x = *in[0];
    const ResizePlan p = resize_plan(n, x.shape, in);
    bool interpolates = false;
    for (const auto& a : p.axes) interpolates = interpolates || !a.moves();
    if (interpolates && x.dtype != DType::kFloat) unsupported(n, "linear or cubic resizing of an integer tensor");
    return one(resize_apply(p, x));
  };
  d.plan = [op](PlanContext& c) {
    unsupported(c.node, op + " is lowered at compile time (graph::lower_resize); this one was not: its scales, "
                             "sizes or roi are computed in the model, not constants (export them as constants)");
  };
  d.run_int = [op](IntContext& c) { c.fail(op + " should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace

void register_op_resize(OpTable& t) {
  add_resize(t, "Resize");
  add_resize(t, "Upsample");
}

}  // namespace zkinfer::ops
