// Compile-time rewrites into proven operators (lower_moves.h).
#include "graph/lower_moves.h"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "common/error.h"
#include "common/check.h"
#include "graph/emitter.h"
#include "ops/kernels.h"
#include "ops/pool3d.h"
#include "ops/resize.h"

namespace zkinfer::graph {

using ops::DType;
using ops::FTensor;
using ops::Shape;

namespace {

// Emits the nodes replacing one node (graph/emitter.h), at opset 13 or n's.
struct Builder : NodeEmitter {
  using NodeEmitter::NodeEmitter;
  int emit(const std::string& op, std::vector<int> inputs, Shape s, DType dt, ops::Attributes a = {}, int to = -1) {
    return emit_node(op, std::max(n.opset, 13), std::move(inputs), std::move(s), dt, std::move(a), to);
  }
  int reshape(int x, Shape s, int to = -1) {
    if (to < 0 && shape(x) == s) return x;
    if (to < 0 && g.tensors[x].is_const) {  // a constant stays one (so that all_zero sees it)
      std::vector<double> v = g.tensors[x].value.data;
      return constant("reshaped", std::move(s), dtype(x), std::move(v));
    }
    return emit("Reshape", {x, ints("shape", s)}, s, dtype(x), {}, to);
  }
  int pad(int x, const std::vector<int64_t>& pads) {
    Shape s = shape(x);
    const size_t r = s.size();
    bool any = false;
    for (size_t a = 0; a < r; ++a) {
      s[a] += pads[a] + pads[a + r];
      any = any || pads[a] != 0 || pads[a + r] != 0;
    }
    if (!any) return x;
    return emit("Pad", {x, ints("pads", pads)}, s, dtype(x));
  }
  int gather_rows(int x, const std::vector<int64_t>& rows) {  // axis 0, constant rows
    Shape s = shape(x);
    s[0] = static_cast<int64_t>(rows.size());
    return emit("Gather", {x, ints("rows", rows)}, s, dtype(x));
  }
  int transpose(int x, const std::vector<int64_t>& perm) {
    bool id = true;
    for (size_t a = 0; a < perm.size(); ++a) id = id && perm[a] == static_cast<int64_t>(a);
    if (id) return x;
    Shape s;
    for (int64_t p : perm) s.push_back(shape(x)[static_cast<size_t>(p)]);
    ops::Attributes a;
    a.int_lists["perm"] = perm;
    return emit("Transpose", {x}, s, dtype(x), a);
  }
  int binary(const std::string& op, int a, int b) {
    Shape s = shape(a).size() >= shape(b).size() ? shape(a) : shape(b);
    const Shape& o = shape(a).size() >= shape(b).size() ? shape(b) : shape(a);
    for (size_t k = 0; k < o.size(); ++k) {
      auto& d = s[s.size() - o.size() + k];
      d = std::max(d, o[k]);
    }
    const DType dt = dtype(a) == DType::kFloat || dtype(b) == DType::kFloat ? DType::kFloat : dtype(a);
    return emit(op, {a, b}, s, dt);
  }
  int reduce_sum(int x, int64_t axis, bool keep) {
    Shape s = shape(x);
    if (keep) s[static_cast<size_t>(axis)] = 1;
    else s.erase(s.begin() + axis);
    ops::Attributes a;
    a.ints["keepdims"] = keep ? 1 : 0;
    return emit("ReduceSum", {x, ints("axes", {axis})}, s, dtype(x), a);
  }
  int matmul(int a, int b) {
    Shape s = shape(a);
    s.back() = shape(b).back();
    const DType dt = dtype(a) == DType::kFloat || dtype(b) == DType::kFloat ? DType::kFloat : dtype(b);
    return emit("MatMul", {a, b}, s, dt);
  }
  // OneHot of integer indices into `depth` entries as integers 0 / 1, the new axis at `axis`.
  int one_hot(int idx, int64_t depth, int64_t axis) {
    Shape s = shape(idx);
    const int64_t r = static_cast<int64_t>(s.size()) + 1;
    if (axis < 0) axis += r;
    s.insert(s.begin() + axis, depth);
    ops::Attributes a;
    a.ints["axis"] = axis;
    return emit("OneHot", {idx, ints("depth", {depth}), ints("values", {0, 1})}, s, DType::kInt, a);
  }
};

bool all_zero(const TensorInfo& t) {
  return t.is_const && std::all_of(t.value.data.begin(), t.value.data.end(), [](double v) { return v == 0; });
}

constexpr int64_t kMaxOneHot = 256;  // layers/one_hot.h: depth at most 256

// ---- ConvTranspose ----

bool lower_one_conv_transpose(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const TensorInfo xt = g.tensors[n.inputs[0]];  // copies: new tensors move g.tensors
  const TensorInfo wt = g.tensors[n.inputs[1]];
  if (!wt.is_const || xt.is_const) return false;
  const int sr = static_cast<int>(xt.shape.size()) - 2;
  if (sr < 1 || sr > 2 || wt.shape.size() != xt.shape.size()) return false;
  const int64_t C = xt.shape[1], G = n.attrs.get_int("group", 1);
  if (G < 1 || C % G || wt.shape[0] != C) return false;
  const int64_t Cg = C / G, Mg = wt.shape[1], M = Mg * G;
  auto ks = n.attrs.get_ints("kernel_shape", Shape(wt.shape.begin() + 2, wt.shape.end()));
  auto st = n.attrs.get_ints("strides", std::vector<int64_t>(sr, 1));
  auto dl = n.attrs.get_ints("dilations", std::vector<int64_t>(sr, 1));
  auto pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sr, 0));
  auto op = n.attrs.get_ints("output_padding", std::vector<int64_t>(sr, 0));
  if (static_cast<int>(ks.size()) != sr || static_cast<int>(st.size()) != sr || static_cast<int>(dl.size()) != sr ||
      static_cast<int>(pads.size()) != 2 * sr || static_cast<int>(op.size()) != sr)
    return false;
  const std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  const auto oshape = n.attrs.get_ints("output_shape");
  Shape ins(xt.shape.begin() + 2, xt.shape.end()), outs(sr);
  for (int i = 0; i < sr; ++i) {  // as ops/op_conv_transpose.cc
    if (ks[i] != wt.shape[2 + i] || st[i] < 1 || dl[i] < 1) return false;
    const int64_t full = st[i] * (ins[i] - 1) + op[i] + (ks[i] - 1) * dl[i] + 1;
    if (!oshape.empty() || ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      const int64_t target = oshape.empty() ? ins[i] * st[i] : oshape[oshape.size() - sr + i];
      const int64_t total = full - target;
      if (total < 0) return false;
      const int64_t small = total / 2, big = total - small;
      const bool lower = ap == "SAME_LOWER";
      pads[i] = lower ? big : small;
      pads[i + sr] = lower ? small : big;
    }
    outs[i] = full - pads[i] - pads[i + sr];
    if (outs[i] < 1) return false;
  }
  if (g.tensors[n.outputs[0]].shape.size() != xt.shape.size()) return false;
  Builder b{g, n, out};
  // Everything in 2-D: a 1-D convolution is one of height 1.
  const int64_t N = xt.shape[0];
  const int64_t kh = sr == 2 ? ks[0] : 1, kw = ks[sr - 1];
  const int64_t H = sr == 2 ? ins[0] : 1, W = ins[sr - 1];
  const int64_t sh = sr == 2 ? st[0] : 1, sw = st[sr - 1];
  const int64_t dh = sr == 2 ? dl[0] : 1, dw = dl[sr - 1];
  const int64_t pt = sr == 2 ? pads[0] : 0, pb = sr == 2 ? pads[2] : 0, pl = pads[sr - 1], pr = pads[2 * sr - 1];
  const int64_t oph = sr == 2 ? op[0] : 0, opw = op[sr - 1];
  int x = b.reshape(n.inputs[0], {N, C, H, W});
  // Zero insertion: [N, C, H, 1, W, 1] padded to [N, C, H, sh, W, sw], read as [N, C, H sh, W sw];
  // the trailing sh - 1 (sw - 1) zeros are taken off by the pad below.
  if (sh > 1 || sw > 1) {
    x = b.reshape(x, {N, C, H, 1, W, 1});
    x = b.pad(x, {0, 0, 0, 0, 0, 0, 0, 0, 0, sh - 1, 0, sw - 1});
    x = b.reshape(x, {N, C, H * sh, W * sw});
  }
  x = b.pad(x, {0, 0, (kh - 1) * dh - pt, (kw - 1) * dw - pl, 0, 0, (kh - 1) * dh - pb + oph - (sh - 1),
                (kw - 1) * dw - pr + opw - (sw - 1)});
  // The flipped, transposed kernel [M, Cg, kh, kw].
  std::vector<double> wf(static_cast<size_t>(M * Cg * kh * kw));
  for (int64_t gr = 0; gr < G; ++gr)
    for (int64_t m = 0; m < Mg; ++m)
      for (int64_t c = 0; c < Cg; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            wf[static_cast<size_t>((((gr * Mg + m) * Cg + c) * kh + i) * kw + j)] =
                wt.value.data[static_cast<size_t>((((gr * Cg + c) * Mg + m) * kh + (kh - 1 - i)) * kw + (kw - 1 - j))];
  const int w2 = b.constant("kernel", {M, Cg, kh, kw}, wt.dtype, std::move(wf));
  ops::Attributes a;
  a.int_lists["kernel_shape"] = {kh, kw};
  a.int_lists["dilations"] = {dh, dw};
  a.int_lists["strides"] = {1, 1};
  a.int_lists["pads"] = {0, 0, 0, 0};
  a.ints["group"] = G;
  std::vector<int> cin = {x, w2};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) cin.push_back(n.inputs[2]);
  const int64_t OH = sr == 2 ? outs[0] : 1, OW = outs[sr - 1];
  if (sr == 2) {
    b.emit("Conv", cin, {}, DType::kFloat, a, n.outputs[0]);
  } else {
    const int y = b.emit("Conv", cin, {N, M, OH, OW}, g.tensors[n.outputs[0]].dtype, a);
    b.reshape(y, g.tensors[n.outputs[0]].shape, n.outputs[0]);
  }
  return true;
}

// ---- MaxPool ----

// One axis of a general MaxPool rewrite: the entries each window reads, k2 per output (k2 >= k:
// the window's entries, a pad or a filler read as one of the window's own entries, which leaves the
// maximum unchanged), and the factors (each <= max_window) of k2 the pools take it in.
struct PoolAxis {
  bool identity = true;
  int64_t k2 = 1;
  std::vector<int64_t> idx, factors;
};

bool pool_axis(int64_t in, int64_t o, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t max_window, PoolAxis* a) {
  a->identity = k == 1 && s == 1 && p0 == 0 && o == in;
  if (a->identity) return true;
  if (k <= max_window) {
    a->k2 = k;
    if (k > 1) a->factors = {k};
  } else {
    int64_t q = 1;
    while (q * q < k) ++q;
    const int64_t q2 = (k + q - 1) / q;
    if (q > max_window || q2 > max_window) return false;
    a->k2 = q * q2;
    a->factors = {q, q2};
  }
  for (int64_t y = 0; y < o; ++y) {
    int64_t first = -1;
    for (int64_t j = 0; j < k && first < 0; ++j) {
      const int64_t i = y * s - p0 + j * d;
      if (i >= 0 && i < in) first = i;
    }
    if (first < 0) return false;  // a window of pads only
    for (int64_t j = 0; j < a->k2; ++j) {
      const int64_t i = y * s - p0 + j * d;
      a->idx.push_back(j < k && i >= 0 && i < in ? i : first);
    }
  }
  return true;
}

// MaxPool (1-D, 2-D) that the MaxPool step does not take as it is (1-D, dilations, pads not below
// the kernel, an axis above max_window): per spatial axis a Gather of each window's entries into
// a block of its own, then MaxPools with kernel = stride over the blocks, no pads.
bool lower_general_max_pool(Graph& g, const ops::Node& n, std::vector<ops::Node>& out, int64_t max_window) {
  const TensorInfo xt = g.tensors[n.inputs[0]];
  const int64_t r = static_cast<int64_t>(xt.shape.size());
  if (r != 3 && r != 4) return false;
  ops::Window w;
  try {
    w = ops::make_window(n, xt.shape, {}, n.attrs.get_int("ceil_mode", 0) != 0);
  } catch (const Error&) {
    return false;
  }
  // What the MaxPool step takes (proof/steps/max_pool.cc): 2-D, no dilation, pads below the
  // kernel after ceil_mode's extra padding, each axis within max_window.
  const int64_t pb = std::max(w.pb, (w.oh - 1) * w.sh + w.kh - w.ih - w.pt);
  const int64_t pr = std::max(w.pr, (w.ow - 1) * w.sw + w.kw - w.iw - w.pl);
  if (r == 4 && w.dh == 1 && w.dw == 1 && w.pt < w.kh && pb < w.kh && w.pl < w.kw && pr < w.kw && w.kh <= max_window &&
      w.kw <= max_window)
    return false;
  PoolAxis ah, aw;
  if (!pool_axis(w.ih, w.oh, w.kh, w.sh, w.dh, w.pt, max_window, &ah) ||
      !pool_axis(w.iw, w.ow, w.kw, w.sw, w.dw, w.pl, max_window, &aw))
    return false;
  Builder b{g, n, out};
  const int64_t N = xt.shape[0], C = xt.shape[1];
  int cur = b.reshape(n.inputs[0], {N, C, w.ih, w.iw});
  auto gather = [&](const PoolAxis& a, int64_t axis) {
    if (a.identity) return;
    Shape s = b.shape(cur);
    s[static_cast<size_t>(axis)] = static_cast<int64_t>(a.idx.size());
    ops::Attributes at;
    at.ints["axis"] = axis;
    cur = b.emit("Gather", {cur, b.ints("indices", a.idx)}, s, xt.dtype, at);
  };
  gather(ah, 2);
  gather(aw, 3);
  auto pool = [&](int64_t fh, int64_t fw) {
    Shape s = b.shape(cur);
    s[2] /= fh;
    s[3] /= fw;
    ops::Attributes at;
    at.int_lists["kernel_shape"] = {fh, fw};
    at.int_lists["strides"] = {fh, fw};
    cur = b.emit("MaxPool", {cur}, s, xt.dtype, at);
    out.back().opset = n.opset;
  };
  if (ah.factors.size() <= 1 && aw.factors.size() <= 1 && ah.k2 * aw.k2 <= max_window) {
    if (ah.k2 * aw.k2 > 1) pool(ah.k2, aw.k2);
  } else {
    for (int64_t f : ah.factors) pool(f, 1);
    for (int64_t f : aw.factors) pool(1, f);
  }
  b.reshape(cur, g.tensors[n.outputs[0]].shape, n.outputs[0]);
  return true;
}

// MaxPool with its Indices output (1-D, 2-D; windows of at most 256 entries):
// the windows gathered per axis as above, laid out as [N, C, OH, OW, K]; Y = ReduceMax over K;
// a = ArgMax over K (the first maximum: a pad's copy of the window's first entry maps to that
// entry's index); I = ReduceSum(OneHot(a) * P) + (n C + c) H W, P[oh, ow, k] the constant flat
// position (h W + w; w H + h with storage_order 1) of window entry k.
bool lower_max_pool_with_indices(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.outputs.size() != 2 || n.outputs[0] < 0 || n.outputs[1] < 0) return false;
  const TensorInfo xt = g.tensors[n.inputs[0]];
  const int64_t r = static_cast<int64_t>(xt.shape.size());
  if (r != 3 && r != 4) return false;
  const bool col_major = n.attrs.get_int("storage_order", 0) != 0;
  ops::Window w;
  try {
    w = ops::make_window(n, xt.shape, {}, n.attrs.get_int("ceil_mode", 0) != 0);
  } catch (const Error&) {
    return false;
  }
  const int64_t K = w.kh * w.kw;
  if (K > kMaxOneHot) return false;
  PoolAxis ah, aw;
  if (!pool_axis(w.ih, w.oh, w.kh, w.sh, w.dh, w.pt, kMaxOneHot, &ah) || !pool_axis(w.iw, w.ow, w.kw, w.sw, w.dw, w.pl, kMaxOneHot, &aw))
    return false;
  auto index = [](const PoolAxis& a, int64_t o, int64_t k, int64_t kk) { return a.identity ? o : a.idx[static_cast<size_t>(o * k + kk)]; };
  Builder b{g, n, out};
  const int64_t N = xt.shape[0], C = xt.shape[1];
  int cur = b.reshape(n.inputs[0], {N, C, w.ih, w.iw});
  for (const auto& [a, axis] : {std::pair<const PoolAxis*, int64_t>{&ah, 2}, {&aw, 3}}) {
    if (a->identity) continue;
    Shape s = b.shape(cur);
    s[static_cast<size_t>(axis)] = static_cast<int64_t>(a->idx.size());
    ops::Attributes at;
    at.ints["axis"] = axis;
    cur = b.emit("Gather", {cur, b.ints("indices", a->idx)}, s, xt.dtype, at);
  }
  cur = b.reshape(cur, {N, C, w.oh, w.kh, w.ow, w.kw});
  cur = b.transpose(cur, {0, 1, 2, 4, 3, 5});
  const int win = b.reshape(cur, {N, C, w.oh, w.ow, K});
  auto reduce = [&](const std::string& op, int x, DType dt) {
    ops::Attributes at;
    at.ints["keepdims"] = 0;
    std::vector<int> ins = {x};
    if (op == "ReduceSum" || std::max(n.opset, 13) >= 18) ins.push_back(b.ints("axes", {4}));
    else at.int_lists["axes"] = {4};
    return b.emit(op, ins, {N, C, w.oh, w.ow}, dt, at);
  };
  b.reshape(reduce("ReduceMax", win, xt.dtype), g.tensors[n.outputs[0]].shape, n.outputs[0]);
  ops::Attributes am;
  am.ints["axis"] = 4;
  am.ints["keepdims"] = 0;
  const int arg = b.emit("ArgMax", {win}, {N, C, w.oh, w.ow}, DType::kInt, am);
  const int hot = b.one_hot(arg, K, -1);
  std::vector<double> pos(static_cast<size_t>(w.oh * w.ow * K));
  for (int64_t oy = 0; oy < w.oh; ++oy)
    for (int64_t ox = 0; ox < w.ow; ++ox)
      for (int64_t ky = 0; ky < w.kh; ++ky)
        for (int64_t kx = 0; kx < w.kw; ++kx)
          pos[static_cast<size_t>(((oy * w.ow + ox) * w.kh + ky) * w.kw + kx)] =
              static_cast<double>(col_major ? index(aw, ox, w.kw, kx) * w.ih + index(ah, oy, w.kh, ky)
                                            : index(ah, oy, w.kh, ky) * w.iw + index(aw, ox, w.kw, kx));
  const int pt = b.constant("positions", {w.oh, w.ow, K}, DType::kInt, std::move(pos));
  const int flat = reduce("ReduceSum", b.binary("Mul", hot, pt), DType::kInt);
  std::vector<double> off(static_cast<size_t>(N * C));
  for (int64_t p = 0; p < N * C; ++p) off[static_cast<size_t>(p)] = static_cast<double>(p * w.ih * w.iw);
  const int idx = b.binary("Add", flat, b.constant("offsets", {N, C, 1, 1}, DType::kInt, std::move(off)));
  b.reshape(idx, g.tensors[n.outputs[1]].shape, n.outputs[1]);
  return true;
}

bool lower_one_max_pool(Graph& g, const ops::Node& n, std::vector<ops::Node>& out, int64_t max_window) {
  if (!n.inputs.empty() && n.inputs[0] >= 0 && lower_max_pool_with_indices(g, n, out)) return true;
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  if (lower_general_max_pool(g, n, out, max_window)) return true;
  const TensorInfo xt = g.tensors[n.inputs[0]];
  if (xt.shape.size() != 4 || n.attrs.get_int("ceil_mode", 0) != 0) return false;
  const ops::Window w = ops::make_window(n, xt.shape, {}, false);
  if (w.dh != 1 || w.dw != 1 || w.kh * w.kw <= max_window || w.kh > max_window || w.kw > max_window) return false;
  Builder b{g, n, out};
  ops::Attributes rows, cols;
  rows.int_lists["kernel_shape"] = {w.kh, 1};
  rows.int_lists["strides"] = {w.sh, 1};
  rows.int_lists["pads"] = {w.pt, 0, w.pb, 0};
  cols.int_lists["kernel_shape"] = {1, w.kw};
  cols.int_lists["strides"] = {1, w.sw};
  cols.int_lists["pads"] = {0, w.pl, 0, w.pr};
  const int mid = b.emit("MaxPool", {n.inputs[0]}, {xt.shape[0], xt.shape[1], w.oh, xt.shape[3]}, xt.dtype, rows);
  b.emit("MaxPool", {mid}, {}, xt.dtype, cols, n.outputs[0]);
  // The new nodes keep the model's opset semantics (MaxPool's attributes are the same in all).
  out[out.size() - 1].opset = out[out.size() - 2].opset = n.opset;
  return true;
}

// ---- GatherND, ScatterND, ScatterElements ----

std::vector<int64_t> const_ints(const TensorInfo& t) {
  std::vector<int64_t> v;
  for (double d : t.value.data) v.push_back(static_cast<int64_t>(d));
  return v;
}

// Computed flat row index of each index tuple: idx [N..., k] over dims -> [P] (P = prod N...).
int flat_index(Builder& b, int idx, const Shape& dims) {
  const Shape s = b.shape(idx);  // a copy: emitting adds tensors (g.tensors may reallocate)
  const int64_t k = s.back();
  int64_t P = 1;
  for (size_t a = 0; a + 1 < s.size(); ++a) P *= s[a];
  if (k == 1) return b.reshape(idx, {P});  // a negative index: counted from the end by the OneHot
  int r = b.reshape(idx, {P, k});
  // A negative component counts from the end of its axis (ONNX): c + dims_t [c < 0], before the
  // components are combined (a negative flat index would count from the end of all rows).
  std::vector<double> dv(static_cast<size_t>(k));
  for (int64_t t = 0; t < k; ++t) dv[static_cast<size_t>(t)] = static_cast<double>(dims[static_cast<size_t>(t)]);
  const int zero = b.constant("zero", {1}, DType::kInt, {0.0});
  const int neg = b.emit("Less", {r, zero}, {P, k}, DType::kBool);
  ops::Attributes to_int;
  to_int.ints["to"] = 7;  // INT64
  const int negi = b.emit("Cast", {neg}, {P, k}, DType::kInt, to_int);
  r = b.binary("Add", r, b.binary("Mul", negi, b.constant("dims", {k}, DType::kInt, std::move(dv))));
  std::vector<double> strides(static_cast<size_t>(k));
  int64_t acc = 1;
  for (int64_t t = k; t-- > 0;) {
    strides[static_cast<size_t>(t)] = static_cast<double>(acc);
    acc *= dims[static_cast<size_t>(t)];
  }
  const int sc = b.constant("strides", {k}, DType::kInt, std::move(strides));
  return b.reduce_sum(b.binary("Mul", r, sc), 1, false);
}

// y [rows, R] = data [rows, R] with rows written by updates [N, R] at constant targets (reduction
// none: the last write wins; add: sums). False where add meets a repeated target.
bool scatter_rows_const(Builder& b, int data, int upd, const std::vector<int64_t>& target, bool add, int* y) {
  const int64_t rows = b.shape(data)[0], N = b.shape(upd)[0];
  std::vector<int64_t> keep(static_cast<size_t>(rows)), write(static_cast<size_t>(rows), N);
  for (int64_t r = 0; r < rows; ++r) keep[static_cast<size_t>(r)] = r;
  for (int64_t i = 0; i < N; ++i) {
    const auto t = static_cast<size_t>(target[static_cast<size_t>(i)]);
    if (add && write[t] != N) return false;
    write[t] = i;
    if (!add) keep[t] = rows;
  }
  const bool any_write = std::any_of(write.begin(), write.end(), [&](int64_t v) { return v != N; });
  const bool any_keep = std::any_of(keep.begin(), keep.end(), [&](int64_t v) { return v != rows; });
  const bool keep_all = std::all_of(keep.begin(), keep.end(), [&](int64_t v) { return v != rows; });
  int kept = -1, written = -1;
  if (any_keep && !all_zero(b.g.tensors[data]))
    kept = keep_all ? data : b.gather_rows(b.pad(data, {0, 0, 1, 0}), keep);
  if (any_write) written = b.gather_rows(b.pad(upd, {0, 0, 1, 0}), write);
  if (kept >= 0 && written >= 0) *y = b.binary("Add", kept, written);
  else if (written >= 0) *y = written;
  else *y = kept >= 0 ? kept : data;
  return true;
}

// Computed targets [N] (integers): y [rows, R] by the one-hot product.
int scatter_rows_computed(Builder& b, int data, int upd, int target, bool add) {
  const int64_t rows = b.shape(data)[0];
  const int ht = b.one_hot(target, rows, 0);  // [rows, N]
  const int s = b.matmul(ht, upd);            // [rows, R]
  if (all_zero(b.g.tensors[data])) return s;
  if (add) return b.binary("Add", data, s);
  const int count = b.reduce_sum(ht, 1, true);  // [rows, 1], broadcast along R
  return b.binary("Add", s, b.binary("Sub", data, b.binary("Mul", data, count)));
}

bool lower_one_gather_scatter(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const std::string& op = n.op_type;
  for (int t : n.inputs)
    if (t < 0) return false;
  if (n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const int y = n.outputs[0];
  const Shape ys = g.tensors[y].shape;  // copies: new tensors move g.tensors
  const std::string red = n.attrs.get_string("reduction", "none");
  if (red != "none" && red != "add") return false;
  const bool add = red == "add";
  Builder b{g, n, out};
  if (op == "GatherND") {
    if (n.inputs.size() != 2) return false;
    const int x = n.inputs[0], idx = n.inputs[1];
    const Shape xs = g.tensors[x].shape, is = g.tensors[idx].shape;
    const int64_t bd = n.attrs.get_int("batch_dims", 0);
    if (is.empty() || bd < 0 || bd >= static_cast<int64_t>(is.size())) return false;
    const int64_t k = is.back();
    if (k < 1 || bd + k > static_cast<int64_t>(xs.size())) return false;
    int64_t B = 1, Nb = 1, M = 1, R = 1;
    for (int64_t a = 0; a < bd; ++a) B *= xs[a];
    for (int64_t a = bd; a + 1 < static_cast<int64_t>(is.size()); ++a) Nb *= is[a];
    for (int64_t a = bd; a < bd + k; ++a) M *= xs[a];
    for (int64_t a = bd + k; a < static_cast<int64_t>(xs.size()); ++a) R *= xs[a];
    const int xr = b.reshape(x, {B * M, R});
    int yr = -1;
    if (g.tensors[idx].is_const) {
      const auto iv = const_ints(g.tensors[idx]);
      std::vector<int64_t> rows;
      for (int64_t bb = 0; bb < B; ++bb)
        for (int64_t i = 0; i < Nb; ++i) {
          int64_t lin = 0;
          for (int64_t t = 0; t < k; ++t) {
            const int64_t dim = xs[static_cast<size_t>(bd + t)];
            int64_t j = iv[static_cast<size_t>((bb * Nb + i) * k + t)];
            if (j < -dim || j >= dim) return false;  // the float op names the error
            lin = lin * dim + (j < 0 ? j + dim : j);
          }
          rows.push_back(bb * M + lin);
        }
      yr = b.gather_rows(xr, rows);
    } else {
      if (bd != 0 || M > kMaxOneHot || g.tensors[idx].dtype == DType::kFloat) return false;
      const int h = b.one_hot(flat_index(b, idx, Shape(xs.begin(), xs.begin() + k)), M, -1);  // [Nb, M]
      yr = b.matmul(h, xr);
    }
    b.reshape(yr, ys, y);
    return true;
  }
  if (n.inputs.size() != 3) return false;
  const int x = n.inputs[0], idx = n.inputs[1], u = n.inputs[2];
  const Shape xs = g.tensors[x].shape, is = g.tensors[idx].shape, us = g.tensors[u].shape;
  const bool cidx = g.tensors[idx].is_const;
  if (!cidx && g.tensors[idx].dtype == DType::kFloat) return false;
  if (op == "ScatterND") {
    if (is.empty()) return false;
    const int64_t k = is.back();
    if (k < 1 || k > static_cast<int64_t>(xs.size())) return false;
    int64_t N = 1, M = 1, R = 1;
    for (size_t a = 0; a + 1 < is.size(); ++a) N *= is[a];
    for (int64_t a = 0; a < k; ++a) M *= xs[a];
    for (size_t a = static_cast<size_t>(k); a < xs.size(); ++a) R *= xs[a];
    if (ops::numel(us) != N * R) return false;
    const int xr = b.reshape(x, {M, R}), ur = b.reshape(u, {N, R});
    int yr = -1;
    if (cidx) {
      const auto iv = const_ints(g.tensors[idx]);
      std::vector<int64_t> target;
      for (int64_t i = 0; i < N; ++i) {
        int64_t lin = 0;
        for (int64_t t = 0; t < k; ++t) {
          const int64_t dim = xs[static_cast<size_t>(t)];
          const int64_t j = iv[static_cast<size_t>(i * k + t)];
          if (j < -dim || j >= dim) return false;
          lin = lin * dim + (j < 0 ? j + dim : j);
        }
        target.push_back(lin);
      }
      if (!scatter_rows_const(b, xr, ur, target, add, &yr)) return false;
    } else {
      if (M > kMaxOneHot) return false;
      yr = scatter_rows_computed(b, xr, ur, flat_index(b, idx, Shape(xs.begin(), xs.begin() + k)), add);
    }
    b.reshape(yr, ys, y);
    return true;
  }
  // ScatterElements / Scatter
  const int64_t r = static_cast<int64_t>(xs.size());
  int64_t axis = n.attrs.get_int("axis", 0);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r || is != us || static_cast<int64_t>(is.size()) != r) return false;
  if (cidx) {
    const auto iv = const_ints(g.tensors[idx]);
    std::vector<int64_t> target(iv.size());
    std::vector<int64_t> pos(static_cast<size_t>(r));
    for (size_t e = 0; e < iv.size(); ++e) {
      int64_t rem = static_cast<int64_t>(e);
      for (int64_t a = r - 1; a >= 0; --a) {
        pos[a] = rem % is[a];
        rem /= is[a];
      }
      const int64_t dim = xs[axis];
      int64_t j = iv[e];
      if (j < -dim || j >= dim) return false;
      if (j < 0) j += dim;
      int64_t flat = 0;
      for (int64_t a = 0; a < r; ++a) {
        const int64_t c = a == axis ? j : pos[a];
        if (c >= xs[a]) return false;
        flat = flat * xs[a] + c;
      }
      target[e] = flat;
    }
    int yr = -1;
    if (!scatter_rows_const(b, b.reshape(x, {ops::numel(xs), 1}), b.reshape(u, {ops::numel(us), 1}), target, add, &yr))
      return false;
    b.reshape(yr, ys, y);
    return true;
  }
  // Computed: the axis moved last; off the axis the indices must cover the data.
  for (int64_t a = 0; a < r; ++a)
    if (a != axis && is[a] != xs[a]) return false;
  const int64_t D = xs[axis], T = is[axis];
  if (D > kMaxOneHot) return false;
  std::vector<int64_t> perm, inv(static_cast<size_t>(r));
  for (int64_t a = 0; a < r; ++a)
    if (a != axis) perm.push_back(a);
  perm.push_back(axis);
  for (int64_t a = 0; a < r; ++a) inv[static_cast<size_t>(perm[a])] = a;
  const int64_t P = ops::numel(xs) / D;
  const int xt = b.transpose(x, perm), it = b.transpose(idx, perm), ut = b.transpose(u, perm);
  const Shape xts = b.shape(xt);
  const int xr = b.reshape(xt, {P, D});
  const int h = b.one_hot(b.reshape(it, {P, T}), D, -1);         // [P, T, D]
  int s = b.matmul(b.reshape(ut, {P, 1, T}), h);                 // [P, 1, D]
  s = b.reshape(s, {P, D});
  int yr = s;
  if (!all_zero(g.tensors[x])) {
    if (add) {
      yr = b.binary("Add", xr, s);
    } else {
      const int count = b.reduce_sum(h, 1, false);  // [P, D]
      yr = b.binary("Add", s, b.binary("Sub", xr, b.binary("Mul", xr, count)));
    }
  }
  const int back = b.reshape(yr, xts);
  if (std::is_sorted(perm.begin(), perm.end())) {  // the axis was already last
    b.reshape(back, ys, y);
  } else {
    ops::Attributes a;
    a.int_lists["perm"] = inv;
    b.emit("Transpose", {back}, ys, b.dtype(back), a, y);
  }
  return true;
}

// ---- Concat with constant inputs ----

bool lower_one_concat(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.outputs.size() != 1 || n.outputs[0] < 0 || n.inputs.empty()) return false;
  const int y = n.outputs[0];
  const Shape ys = g.tensors[y].shape;
  const int64_t r = static_cast<int64_t>(ys.size());
  int64_t axis = n.attrs.get_int("axis", 0);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return false;
  std::vector<int> comp;
  bool any_const = false;
  for (int t : n.inputs) {
    if (t < 0) return false;
    if (g.tensors[t].is_const) any_const = true;
    else comp.push_back(t);
  }
  if (!any_const || comp.empty()) return false;
  Builder b{g, n, out};
  // The constant parts in place, zeros elsewhere; the computed parts padded into place.
  FTensor c(ys, DType::kFloat);
  DType cdt = DType::kInt;
  int64_t inner = 1, outer = 1;
  for (int64_t a = axis + 1; a < r; ++a) inner *= ys[a];
  for (int64_t a = 0; a < axis; ++a) outer *= ys[a];
  std::vector<int> parts;
  int64_t off = 0;
  for (int t : n.inputs) {
    const TensorInfo ti = g.tensors[t];
    const int64_t len = ti.shape[static_cast<size_t>(axis)];
    if (ti.is_const) {
      if (ti.dtype == DType::kFloat) cdt = DType::kFloat;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < len * inner; ++k)
          c.data[static_cast<size_t>((o * ys[axis] + off) * inner + k)] = ti.value.data[static_cast<size_t>(o * len * inner + k)];
    } else {
      std::vector<int64_t> pads(static_cast<size_t>(2 * r), 0);
      pads[static_cast<size_t>(axis)] = off;
      pads[static_cast<size_t>(r + axis)] = ys[axis] - off - len;
      parts.push_back(b.pad(t, pads));
    }
    off += len;
  }
  int acc = parts[0];
  for (size_t j = 1; j < parts.size(); ++j) acc = b.binary("Add", acc, parts[j]);
  const int ct = b.constant("parts", ys, cdt, std::move(c.data));
  b.emit("Add", {acc, ct}, {}, DType::kFloat, {}, y);
  return true;
}

// ---- 3-D pooling ----

bool lower_one_pool_3d(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const TensorInfo xt = g.tensors[n.inputs[0]];
  if (xt.shape.size() != 5) return false;
  const bool ceil = n.attrs.get_int("ceil_mode", 0) != 0;
  std::array<ops::PoolAxis3, 3> w;
  try {
    w = ops::make_window_3d(n, xt.shape, ceil);
  } catch (const Error&) {
    return false;
  }
  Builder b{g, n, out};
  const int64_t N = xt.shape[0], C = xt.shape[1];
  auto pool = [&](int x, const ops::PoolAxis3& a, const ops::PoolAxis3& c, Shape s) {
    ops::Attributes at;
    at.int_lists["kernel_shape"] = {a.k, c.k};
    at.int_lists["strides"] = {a.s, c.s};
    at.int_lists["dilations"] = {a.d, c.d};
    at.int_lists["pads"] = {a.p0, c.p0, a.p1, c.p1};
    at.ints["ceil_mode"] = ceil ? 1 : 0;
    if (n.op_type == "AveragePool") at.ints["count_include_pad"] = n.attrs.get_int("count_include_pad", 0);
    const int y = b.emit(n.op_type, {x}, std::move(s), xt.dtype, at);
    out.back().opset = n.opset;
    return y;
  };
  // (H, W) windows per (n, c, d), then D windows per (n, c, oh, ow): the maximum (average) over a
  // box is that of the (H, W) maxima (averages: each box's count is the product of its axes').
  int cur = b.reshape(n.inputs[0], {N, C * w[0].in, w[1].in, w[2].in});
  cur = pool(cur, w[1], w[2], {N, C * w[0].in, w[1].out, w[2].out});
  cur = b.reshape(cur, {N, C, w[0].in, w[1].out * w[2].out});
  const ops::PoolAxis3 unit{w[1].out * w[2].out, 1, 1, 1, 0, 0, w[1].out * w[2].out};
  cur = pool(cur, w[0], unit, {N, C, w[0].out, w[1].out * w[2].out});
  b.reshape(cur, g.tensors[n.outputs[0]].shape, n.outputs[0]);
  return true;
}

// ---- MaxUnpool ----

bool lower_one_max_unpool(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.size() < 2 || n.inputs[0] < 0 || n.inputs[1] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  if (!g.tensors[n.inputs[1]].is_const) return false;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !g.tensors[n.inputs[2]].is_const) return false;
  const TensorInfo xt = g.tensors[n.inputs[0]];
  const FTensor idx = g.tensors[n.inputs[1]].value;
  const FTensor* os = n.inputs.size() > 2 && n.inputs[2] >= 0 ? &g.tensors[n.inputs[2]].value : nullptr;
  Shape ys;
  std::vector<int64_t> src;
  try {
    src = ops::max_unpool_sources(n, xt.shape, idx, os, &ys);
  } catch (const Error&) {
    return false;
  }
  if (ys != g.tensors[n.outputs[0]].shape) return false;
  // y_flat = Gather(x_flat with a zero appended, the source of each entry or the zero).
  Builder b{g, n, out};
  const int64_t m = ops::numel(xt.shape);
  for (auto& s : src)
    if (s < 0) s = m;
  const int xf = b.pad(b.reshape(n.inputs[0], {m}), {0, 1});
  const int64_t total = static_cast<int64_t>(src.size());
  const int yf = b.emit("Gather", {xf, b.ints("indices", src)}, {total}, xt.dtype);
  b.reshape(yf, ys, n.outputs[0]);
  return true;
}

// ---- LRN ----

bool lower_one_lrn(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.size() != 1 || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const TensorInfo xt = g.tensors[n.inputs[0]];
  const int64_t size = n.attrs.get_int("size", 0);
  if (xt.shape.size() < 3 || xt.dtype != DType::kFloat || size < 1 || !(n.attrs.get_float("bias", 1.0) > 0)) return false;
  const double alpha = n.attrs.get_float("alpha", 1e-4), beta = n.attrs.get_float("beta", 0.75),
               bias = n.attrs.get_float("bias", 1.0);
  const int64_t N = xt.shape[0], C = xt.shape[1], R = ops::numel(xt.shape) / (N * C);
  const int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  Builder b{g, n, out};
  const int x = n.inputs[0];
  const int sq = b.emit("Mul", {x, x}, xt.shape, DType::kFloat);
  // d = bias + alpha / size * (the channel window's sum of squares): a 1x1 Conv over [N, C, R, 1].
  std::vector<double> w(static_cast<size_t>(C * C), 0.0);
  for (int64_t o = 0; o < C; ++o)
    for (int64_t i = std::max<int64_t>(0, o - lo); i <= std::min(C - 1, o + hi); ++i)
      w[static_cast<size_t>(o * C + i)] = alpha / static_cast<double>(size);
  const int wt = b.constant("band", {C, C, 1, 1}, DType::kFloat, std::move(w));
  const int bt = b.constant("bias", {C}, DType::kFloat, std::vector<double>(static_cast<size_t>(C), bias));
  ops::Attributes a;
  a.int_lists["kernel_shape"] = {1, 1};
  int d = b.emit("Conv", {b.reshape(sq, {N, C, R, 1}), wt, bt}, {N, C, R, 1}, DType::kFloat, a);
  d = b.reshape(d, xt.shape);
  // d^-beta = exp(-beta log d) (d >= bias > 0): two tables and a product by a constant (a Pow
  // by a constant exponent would need the exponent public, as its table is computed from it).
  const int ld = b.emit("Log", {d}, xt.shape, DType::kFloat);
  const int sc = b.emit("Mul", {ld, b.constant("minus_beta", {}, DType::kFloat, {-beta})}, xt.shape, DType::kFloat);
  const int p = b.emit("Exp", {sc}, xt.shape, DType::kFloat);
  b.emit("Mul", {x, p}, xt.shape, DType::kFloat, {}, n.outputs[0]);
  return true;
}

// ---- Resize, Upsample ----

bool lower_one_resize(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const int y = n.outputs[0];
  const TensorInfo xt = g.tensors[n.inputs[0]];  // copies: new tensors move g.tensors
  const Shape ys = g.tensors[y].shape;
  std::vector<const FTensor*> in = {nullptr};
  for (size_t k = 1; k < n.inputs.size(); ++k) {
    const int t = n.inputs[k];
    if (t >= 0 && !g.tensors[t].is_const) return false;  // computed scales, sizes or roi: refused by the planner
    in.push_back(t >= 0 ? &g.tensors[t].value : nullptr);
  }
  ops::ResizePlan p;
  try {
    p = ops::resize_plan(n, xt.shape, in);
  } catch (const Error&) {
    return false;  // the float operator names the problem
  }
  if (p.out_shape() != ys) return false;
  const int64_t r = static_cast<int64_t>(xt.shape.size());
  bool any_outside = false;
  for (const auto& a : p.axes) {
    any_outside = any_outside || a.any_outside();
    if (!a.moves() && xt.dtype != DType::kFloat) return false;
  }
  Builder b{g, n, out};
  int cur = n.inputs[0];
  for (int64_t a = 0; a < r; ++a) {
    const ops::ResizeAxis& ax = p.axes[static_cast<size_t>(a)];
    if (ax.identity()) continue;
    if (ax.moves()) {
      // A Gather along the axis; an outside entry reads the zero padded at the axis's end.
      std::vector<int64_t> idx;
      for (int64_t o = 0; o < ax.out; ++o)
        idx.push_back(ax.outside[static_cast<size_t>(o)] ? ax.in : ax.taps[static_cast<size_t>(o)][0].first);
      int src = cur;
      if (ax.any_outside()) {
        std::vector<int64_t> pads(static_cast<size_t>(2 * r), 0);
        pads[static_cast<size_t>(r + a)] = 1;
        src = b.pad(cur, pads);
      }
      Shape s = b.shape(cur);
      s[static_cast<size_t>(a)] = ax.out;
      ops::Attributes at;
      at.ints["axis"] = a;
      cur = b.emit("Gather", {src, b.ints("indices", idx)}, s, b.dtype(cur), at);
      continue;
    }
    // The axis last, rows times the constant matrix M [in, out] (M[i][o]: input i's weight in o).
    std::vector<int64_t> perm;
    for (int64_t k = 0; k < r; ++k)
      if (k != a) perm.push_back(k);
    perm.push_back(a);
    std::vector<int64_t> inv(static_cast<size_t>(r));
    for (int64_t k = 0; k < r; ++k) inv[static_cast<size_t>(perm[static_cast<size_t>(k)])] = k;
    const int t = b.transpose(cur, perm);
    Shape ts = b.shape(t);
    const int64_t rows = ops::numel(ts) / ax.in;
    std::vector<double> m(static_cast<size_t>(ax.in * ax.out), 0.0);
    for (int64_t o = 0; o < ax.out; ++o)
      for (const auto& [i, w] : ax.taps[static_cast<size_t>(o)]) m[static_cast<size_t>(i * ax.out + o)] += w;
    const int mt = b.constant("interpolation", {ax.in, ax.out}, DType::kFloat, std::move(m));
    int z = b.matmul(b.reshape(t, {rows, ax.in}), mt);
    ts.back() = ax.out;
    z = b.reshape(z, ts);
    cur = b.transpose(z, inv);
  }
  if (any_outside && p.extrapolation != 0) {
    FTensor c(ys, DType::kFloat);
    for (size_t e = 0; e < c.data.size(); ++e) {
      size_t rem = e;
      bool o = false;
      for (size_t a = static_cast<size_t>(r); a-- > 0;) {
        o = o || p.axes[a].outside[rem % static_cast<size_t>(ys[a])];
        rem /= static_cast<size_t>(ys[a]);
      }
      if (o) c.data[e] = p.extrapolation;
    }
    const int ct = b.constant("extrapolation", ys, DType::kFloat, std::move(c.data));
    b.emit("Add", {cur, ct}, ys, DType::kFloat, {}, y);
  } else if (cur == n.inputs[0]) {
    b.emit("Identity", {cur}, ys, b.dtype(cur), {}, y);
  } else {
    // The last node writes y: re-point its output (a new tensor of the same shape and type, left
    // without a producer and without a shape).
    g.tensors[static_cast<size_t>(out.back().outputs[0])].shape.clear();
    out.back().outputs[0] = y;
  }
  return true;
}

// ---- TopK ----

bool lower_one_top_k(Graph& g, const ops::Node& n, std::vector<ops::Node>& out, const std::vector<bool>& used) {
  if (n.inputs.empty() || n.inputs[0] < 0 || g.tensors[n.inputs[0]].is_const) return false;
  int64_t k = n.attrs.get_int("k", -1);
  if (n.opset >= 10) {
    if (n.inputs.size() < 2 || n.inputs[1] < 0 || !g.tensors[n.inputs[1]].is_const) return false;
    const auto& kv = g.tensors[n.inputs[1]].value.data;
    if (kv.size() != 1) return false;
    k = static_cast<int64_t>(kv[0]);
  }
  const Shape xs = g.tensors[n.inputs[0]].shape;
  const int64_t r = static_cast<int64_t>(xs.size());
  int64_t axis = n.attrs.get_int("axis", -1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return false;
  const int64_t D = xs[axis];
  if (k < 1 || k > D || D > kMaxOneHot) return false;
  const bool largest = n.attrs.get_int("largest", 1) != 0;
  Builder b{g, n, out};
  std::vector<int64_t> perm, inv(static_cast<size_t>(r));
  for (int64_t a = 0; a < r; ++a)
    if (a != axis) perm.push_back(a);
  perm.push_back(axis);
  for (int64_t a = 0; a < r; ++a) inv[static_cast<size_t>(perm[a])] = a;
  const int xt = b.transpose(n.inputs[0], perm);
  Shape lead = b.shape(xt);
  lead.pop_back();
  auto with = [&](std::vector<int64_t> tail) {
    Shape s = lead;
    s.insert(s.end(), tail.begin(), tail.end());
    return s;
  };
  const int xa = b.reshape(xt, with({D, 1}));  // x_i down the rows
  const int xb = b.reshape(xt, with({1, D}));  // x_j along the columns
  // rank_i = #{j : x_j beats x_i} + #{j < i : x_j = x_i}: a permutation of 0..D-1.
  const int beats = b.emit(largest ? "Greater" : "Less", {xb, xa}, with({D, D}), DType::kBool);
  const int same = b.emit("Equal", {xb, xa}, with({D, D}), DType::kBool);
  std::vector<double> lower(static_cast<size_t>(D * D));
  for (int64_t i = 0; i < D; ++i)
    for (int64_t j = 0; j < i; ++j) lower[static_cast<size_t>(i * D + j)] = 1;
  const int before = b.constant("earlier", {D, D}, DType::kBool, std::move(lower));
  const int tie = b.emit("And", {same, before}, with({D, D}), DType::kBool);
  const int ahead = b.emit("Or", {beats, tie}, with({D, D}), DType::kBool);
  ops::Attributes to_int;
  to_int.ints["to"] = 7;  // INT64
  const int ahead_i = b.emit("Cast", {ahead}, with({D, D}), DType::kInt, to_int);
  const int rank = b.reduce_sum(ahead_i, static_cast<int64_t>(lead.size()) + 1, false);  // [.., D]
  const int p = b.one_hot(rank, D, -1);  // [.., D (i), D (rank)]
  auto finish = [&](int full, int to) {  // full [.., D] in rank order -> the first k, axis back
    Shape ks = with({k});
    ops::Attributes none;
    const int top = k == D ? full
                           : b.emit("Slice", {full, b.ints("starts", {0}), b.ints("ends", {k}), b.ints("axes", {static_cast<int64_t>(lead.size())})},
                                    ks, b.dtype(full));
    if (std::is_sorted(perm.begin(), perm.end())) {
      b.reshape(top, g.tensors[to].shape, to);
    } else {
      ops::Attributes a;
      a.int_lists["perm"] = inv;
      b.emit("Transpose", {top}, g.tensors[to].shape, b.dtype(top), a, to);
    }
  };
  const int axis_i = static_cast<int64_t>(lead.size());
  if (n.outputs.size() > 0 && n.outputs[0] >= 0 && used[static_cast<size_t>(n.outputs[0])])
    finish(b.reduce_sum(b.binary("Mul", p, xa), axis_i, false), n.outputs[0]);
  // An output nothing reads is left without a producer (and without a shape: no values).
  for (int o : n.outputs)
    if (o >= 0 && !used[static_cast<size_t>(o)]) g.tensors[o].shape.clear();
  if (n.outputs.size() > 1 && n.outputs[1] >= 0 && used[static_cast<size_t>(n.outputs[1])]) {
    std::vector<double> iota(static_cast<size_t>(D));
    for (int64_t i = 0; i < D; ++i) iota[static_cast<size_t>(i)] = static_cast<double>(i);
    const int col = b.constant("positions", {D, 1}, DType::kInt, std::move(iota));
    finish(b.reduce_sum(b.binary("Mul", p, col), axis_i, false), n.outputs[1]);
  }
  return true;
}

template <class F>
void rewrite(Graph& g, F&& f) {
  std::vector<ops::Node> out;
  for (auto& n : g.nodes) {
    const size_t mark = out.size();
    const size_t tensors = g.tensors.size();
    if (!f(n, out)) {
      out.resize(mark);
      g.tensors.resize(tensors);
      out.push_back(std::move(n));
    }
  }
  g.nodes = std::move(out);
}

}  // namespace

void lower_conv_transpose(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) {
    return n.op_type == "ConvTranspose" && lower_one_conv_transpose(g, n, out);
  });
}

void lower_large_max_pool(Graph& g, int64_t max_window) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) {
    return n.op_type == "MaxPool" && lower_one_max_pool(g, n, out, max_window);
  });
}

void lower_pool_3d(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) {
    return (n.op_type == "MaxPool" || n.op_type == "AveragePool") && lower_one_pool_3d(g, n, out);
  });
}

void lower_max_unpool(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) { return n.op_type == "MaxUnpool" && lower_one_max_unpool(g, n, out); });
}

void lower_lrn(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) { return n.op_type == "LRN" && lower_one_lrn(g, n, out); });
}

void lower_resize(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) {
    return (n.op_type == "Resize" || n.op_type == "Upsample") && lower_one_resize(g, n, out);
  });
}

void lower_top_k(Graph& g) {
  std::vector<bool> used(g.tensors.size(), false);
  for (const auto& n : g.nodes)
    for (int t : n.inputs)
      if (t >= 0) used[static_cast<size_t>(t)] = true;
  for (int t : g.outputs) used[static_cast<size_t>(t)] = true;
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) { return n.op_type == "TopK" && lower_one_top_k(g, n, out, used); });
}

void lower_concat_constants(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) { return n.op_type == "Concat" && lower_one_concat(g, n, out); });
}

void lower_gather_scatter(Graph& g) {
  rewrite(g, [&](const ops::Node& n, std::vector<ops::Node>& out) {
    const std::string& op = n.op_type;
    return (op == "GatherND" || op == "ScatterND" || op == "ScatterElements" || op == "Scatter") &&
           lower_one_gather_scatter(g, n, out);
  });
}

}  // namespace zkinfer::graph
