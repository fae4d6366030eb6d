// Pooling shared with graph/lower_moves.cc. 3-D pooling (N, C, D, H, W) for MaxPool and AveragePool (op_max_pool.cc, op_average_pool.cc):
// the windows as make_window computes them per axis (kernel_shape, strides, dilations, pads,
// auto_pad, ceil_mode: the last window starts inside the input or its leading pad), and the
// direct loops. graph/lower_moves.h (lower_pool_3d) rewrites such a node into a 2-D pool over
// (H, W) and one over D, which the proof takes; these are the reference semantics.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "ops/op.h"

namespace zkinfer::ops {

struct PoolAxis3 {
  int64_t in = 1, k = 1, s = 1, d = 1, p0 = 0, p1 = 0, out = 1;
};

inline std::array<PoolAxis3, 3> make_window_3d(const Node& n, const Shape& x, bool ceil_mode) {
  if (x.size() != 5) bad_node(n, "expected a rank-5 input");
  const auto ks = n.attrs.get_ints("kernel_shape");
  const auto st = n.attrs.get_ints("strides", {1, 1, 1});
  const auto dl = n.attrs.get_ints("dilations", {1, 1, 1});
  auto pads = n.attrs.get_ints("pads", {0, 0, 0, 0, 0, 0});
  if (ks.size() != 3 || st.size() != 3 || dl.size() != 3 || pads.size() != 6)
    bad_node(n, "kernel_shape/strides/dilations/pads have the wrong length");
  const std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  std::array<PoolAxis3, 3> w;
  for (size_t i = 0; i < 3; ++i) {
    auto& a = w[i];
    a.in = x[2 + i], a.k = ks[i], a.s = st[i], a.d = dl[i], a.p0 = pads[i], a.p1 = pads[i + 3];
    if (a.k < 1 || a.s < 1 || a.d < 1 || a.p0 < 0 || a.p1 < 0) bad_node(n, "bad window attributes");
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      const int64_t out = (a.in + a.s - 1) / a.s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * a.s + (a.k - 1) * a.d + 1 - a.in);
      const int64_t small = total / 2, big = total - small;
      a.p0 = ap == "SAME_UPPER" ? small : big;
      a.p1 = ap == "SAME_UPPER" ? big : small;
    } else if (ap == "VALID") {
      a.p0 = a.p1 = 0;
    } else if (ap != "NOTSET") {
      bad_node(n, "auto_pad " + ap);
    }
    const int64_t span = a.in + a.p0 + a.p1 - ((a.k - 1) * a.d + 1);
    if (span < 0) bad_node(n, "window larger than the padded input");
    a.out = (ceil_mode ? (span + a.s - 1) / a.s : span / a.s) + 1;
    if (ceil_mode && (a.out - 1) * a.s >= a.in + a.p0) --a.out;
  }
  return w;
}

// MaxPool (avg = false: the maximum of the window's entries inside the input) or the window sums
// and counts of AveragePool (inside the input; with count_include_pad, inside the padded extent).
template <class T>
Tensor<T> pool_3d(const Node& n, const Tensor<T>& x, bool avg, std::vector<int64_t>* counts) {
  const bool ceil = n.attrs.get_int("ceil_mode", 0) != 0;
  const bool incl = n.attrs.get_int("count_include_pad", 0) != 0;
  const auto w = make_window_3d(n, x.shape, ceil);
  const int64_t NC = x.shape[0] * x.shape[1];
  Tensor<T> y({x.shape[0], x.shape[1], w[0].out, w[1].out, w[2].out}, x.dtype);
  y.scale = x.scale;
  if (counts) counts->assign(static_cast<size_t>(w[0].out * w[1].out * w[2].out), 0);
  for (int64_t p = 0; p < NC; ++p)
    for (int64_t o0 = 0; o0 < w[0].out; ++o0)
      for (int64_t o1 = 0; o1 < w[1].out; ++o1)
        for (int64_t o2 = 0; o2 < w[2].out; ++o2) {
          T acc{};
          bool any = false;
          int64_t cnt = 0;
          for (int64_t k0 = 0; k0 < w[0].k; ++k0)
            for (int64_t k1 = 0; k1 < w[1].k; ++k1)
              for (int64_t k2 = 0; k2 < w[2].k; ++k2) {
                const int64_t i0 = o0 * w[0].s - w[0].p0 + k0 * w[0].d, i1 = o1 * w[1].s - w[1].p0 + k1 * w[1].d,
                              i2 = o2 * w[2].s - w[2].p0 + k2 * w[2].d;
                const bool in = i0 >= 0 && i0 < w[0].in && i1 >= 0 && i1 < w[1].in && i2 >= 0 && i2 < w[2].in;
                const bool padded = i0 >= -w[0].p0 && i0 < w[0].in + w[0].p1 && i1 >= -w[1].p0 && i1 < w[1].in + w[1].p1 &&
                                    i2 >= -w[2].p0 && i2 < w[2].in + w[2].p1;
                if (in) {
                  const T v = x.data[static_cast<size_t>(((p * w[0].in + i0) * w[1].in + i1) * w[2].in + i2)];
                  if (avg) acc += v;
                  else if (!any || v > acc) acc = v;
                  any = true;
                  ++cnt;
                } else if (incl && padded) {
                  ++cnt;
                }
              }
          y.data[static_cast<size_t>(((p * w[0].out + o0) * w[1].out + o1) * w[2].out + o2)] = acc;
          if (counts) (*counts)[static_cast<size_t>((o0 * w[1].out + o1) * w[2].out + o2)] = cnt;
        }
  return y;
}

// MaxUnpool (op_max_unpool.cc): the output shape (output_shape when given, os may be null) and,
// per output entry, the X entry written there or -1 (a zero). Shared with its rewrite.
std::vector<int64_t> max_unpool_sources(const Node& n, const Shape& xs, const FTensor& idx, const FTensor* os, Shape* ys);

}  // namespace zkinfer::ops
