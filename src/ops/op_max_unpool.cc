// MaxUnpool(X, I, output_shape?): u = zeros of the unpooled shape (per spatial axis (in - 1) *
// stride + kernel - pad_begin - pad_end) with u_flat[I_k] = X_flat[k] (I flat indices into the
// whole of u, as MaxPool's Indices output gives them; a repeated index: the later entry); y = u,
// or u padded with zeros at the end of each axis to output_shape when given (ONNX's reference). Float semantics here; the quantizer rewrites a node with constant indices
// into data movement (graph/lower_moves.h, lower_max_unpool: a Gather of X with a zero padded in
// at constant positions), so its integer model and proof are that Gather's.
#include "ops/helpers.h"
#include "ops/pool3d.h"

namespace zkinfer::ops {
namespace {
// The shape the pooling inverts: per spatial axis (in - 1) * stride + kernel - pads.
Shape unpool_shape(const Node& n, const Shape& xs) {
  const int64_t sr = static_cast<int64_t>(xs.size()) - 2;
  if (sr < 1) bad_node(n, "input rank below 3");
  const auto ks = n.attrs.get_ints("kernel_shape");
  const auto st = n.attrs.get_ints("strides", std::vector<int64_t>(static_cast<size_t>(sr), 1));
  const auto pads = n.attrs.get_ints("pads", std::vector<int64_t>(static_cast<size_t>(2 * sr), 0));
  if (static_cast<int64_t>(ks.size()) != sr || static_cast<int64_t>(st.size()) != sr || static_cast<int64_t>(pads.size()) != 2 * sr)
    bad_node(n, "kernel_shape/strides/pads have the wrong length");
  Shape s = {xs[0], xs[1]};
  for (int64_t i = 0; i < sr; ++i) s.push_back((xs[2 + i] - 1) * st[i] + ks[i] - pads[i] - pads[sr + i]);
  return s;
}
}  // namespace

// The source entry of X for each output entry, or -1 (a zero).
std::vector<int64_t> max_unpool_sources(const Node& n, const Shape& xs, const FTensor& idx, const FTensor* os, Shape* ys) {
  const Shape inf = unpool_shape(n, xs);
  *ys = inf;
  if (os && !os->data.empty()) {
    auto v = int_values(n, os, "output_shape");
    *ys = Shape(v.begin(), v.end());
  }
  if (ys->size() != xs.size()) bad_node(n, "output_shape has the wrong rank");
  for (size_t a = 0; a < inf.size(); ++a)
    if ((*ys)[a] < inf[a] || inf[a] < 1) bad_node(n, "output_shape below the unpooled shape");
  if (idx.shape != xs) bad_node(n, "indices must have X's shape");
  // The indices address the unpooled shape; a larger output_shape pads it with zeros at the end of
  // each axis (ONNX's reference).
  const int64_t total = numel(inf);
  std::vector<int64_t> in_inf(static_cast<size_t>(total), -1);
  for (size_t k = 0; k < idx.data.size(); ++k) {
    const double v = idx.data[k];
    if (v != std::floor(v) || v < 0 || v >= static_cast<double>(total)) bad_node(n, "index out of range");
    in_inf[static_cast<size_t>(v)] = static_cast<int64_t>(k);
  }
  std::vector<int64_t> src(static_cast<size_t>(numel(*ys)), -1);
  for (size_t e = 0; e < src.size(); ++e) {
    size_t rem = e;
    int64_t flat = 0, stride = 1;
    bool inside = true;
    for (size_t a = ys->size(); a-- > 0;) {
      const int64_t c = static_cast<int64_t>(rem % static_cast<size_t>((*ys)[a]));
      rem /= static_cast<size_t>((*ys)[a]);
      inside = inside && c < inf[a];
      flat += c * stride;
      stride *= inf[a];
    }
    if (inside) src[e] = in_inf[static_cast<size_t>(flat)];
  }
  return src;
}

void register_op_max_unpool(OpTable& t) {
  OpDef d;
  d.op_type = "MaxUnpool";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 2);
    Shape ys;
    const auto src = max_unpool_sources(n, in[0]->shape, *in[1], opt_in(in, 2), &ys);
    FTensor y(ys, in[0]->dtype);
    for (size_t j = 0; j < src.size(); ++j)
      if (src[j] >= 0) y.data[j] = in[0]->data[static_cast<size_t>(src[j])];
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    unsupported(c.node, "MaxUnpool is lowered at compile time (graph::lower_max_unpool); this one was not: its "
                        "indices or output_shape are computed, not constants");
  };
  d.run_int = [](IntContext& c) { c.fail("MaxUnpool should have been lowered"); };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
