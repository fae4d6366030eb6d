// Compile-time rewrites of composite operators into proven ones (lower_composites.h).
#include "graph/lower_composites.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "common/check.h"
#include "common/error.h"
#include "graph/emitter.h"
#include "ops/helpers.h"
#include "ops/lowered.h"

namespace zkinfer::graph {

using ops::DType;
using ops::FTensor;
using ops::Shape;

namespace {

// Emits the nodes replacing one node (graph/emitter.h), each at its own opset.
struct Emitter : NodeEmitter {
  using NodeEmitter::NodeEmitter;
  int emit(const std::string& op, int opset, std::vector<int> inputs, Shape s, DType dt, ops::Attributes a = {},
           int to = -1) {
    return emit_node(op, opset, std::move(inputs), std::move(s), dt, std::move(a), to);
  }
  int filled(const std::string& what, Shape s, double v) {
    std::vector<double> d(static_cast<size_t>(ops::numel(s)), v);
    return constant(what, std::move(s), DType::kFloat, std::move(d));
  }
  int reshape(int x, Shape s, int to = -1) {
    if (to < 0 && shape(x) == s) return x;
    return emit("Reshape", 14, {x, ints("shape", s)}, s, g.tensors[x].dtype, {}, to);
  }
  int transpose(int x, const std::vector<int64_t>& perm, int to = -1) {
    bool id = true;
    for (size_t i = 0; i < perm.size(); ++i) id = id && perm[i] == static_cast<int64_t>(i);
    if (id && to < 0) return x;
    Shape s;
    for (auto p : perm) s.push_back(shape(x)[static_cast<size_t>(p)]);
    ops::Attributes a;
    a.int_lists["perm"] = perm;
    return emit("Transpose", 13, {x}, s, g.tensors[x].dtype, a, to);
  }
  // ReduceMax (axes attribute, opset 13) or ReduceSum (axes input, opset 13), keepdims 1.
  int reduce(const std::string& op, int x, const std::vector<int64_t>& axes) {
    Shape s = shape(x);
    for (auto a : axes) s[static_cast<size_t>(a)] = 1;
    ops::Attributes at;
    at.ints["keepdims"] = 1;
    if (op == "ReduceSum") return emit(op, 13, {x, ints("axes", axes)}, s, g.tensors[x].dtype, at);
    at.int_lists["axes"] = axes;
    return emit(op, 13, {x}, s, g.tensors[x].dtype, at);
  }
  // LayerNormalization of x over axes axis.. (scale ones, no bias).
  int layer_norm(int x, int64_t axis, double eps, int to = -1) {
    const Shape s = shape(x);  // a copy: filled() below adds a tensor (g.tensors may reallocate)
    Shape norm(s.begin() + axis, s.end());
    ops::Attributes a;
    a.ints["axis"] = axis;
    a.floats["epsilon"] = eps;
    return emit("LayerNormalization", 17, {x, filled("ones", norm, 1.0)}, s, DType::kFloat, a, to);
  }
};

bool known_shape(const Graph& g, int t) {
  if (t < 0) return false;
  for (auto d : g.tensors[t].shape)
    if (d < 0) return false;
  return true;
}

bool is_const(const Graph& g, const ops::Node& n, size_t k) {
  return k < n.inputs.size() && n.inputs[k] >= 0 && g.tensors[n.inputs[k]].is_const;
}

// The (outer, len, inner) view of a softmax-like op's rows (before opset 13: flattened from axis
// on; after: along axis) and its reduced axes.
std::vector<int64_t> softmax_axes(const ops::Node& n, int rank) {
  const bool old = n.opset < 13;
  const int a = ops::norm_axis(n, n.attrs.get_int("axis", old ? 1 : -1), rank);
  std::vector<int64_t> axes;
  for (int i = a; i < (old ? rank : a + 1); ++i) axes.push_back(i);
  return axes;
}

// LayerNormalization with its Mean and InvStdDev outputs: the node keeps Y alone, and
// Mean = ReduceMean(x), InvStdDev = Reciprocal(Sqrt(ReduceMean((x - Mean)^2) + epsilon)) over axes
// axis.. (keepdims) are computed beside it.
bool lower_layer_norm_stats(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  bool extra = false;
  for (size_t k = 1; k < n.outputs.size(); ++k) extra = extra || n.outputs[k] >= 0;
  const int x = n.inputs[0];
  if (!extra || !known_shape(g, x)) return false;
  const Shape xs = g.tensors[x].shape;
  const int rank = static_cast<int>(xs.size());
  if (rank == 0) return false;
  const int64_t axis = ops::norm_axis(n, n.attrs.get_int("axis", -1), rank);
  std::vector<int64_t> axes;
  Shape ms = xs;
  for (int64_t a = axis; a < rank; ++a) {
    axes.push_back(a);
    ms[static_cast<size_t>(a)] = 1;
  }
  Emitter e{g, n, out};
  ops::Node y = n;
  y.outputs = {n.outputs[0]};
  out.push_back(std::move(y));
  ops::Attributes ra;
  ra.ints["keepdims"] = 1;
  ra.int_lists["axes"] = axes;
  const int mean_to = n.outputs.size() > 1 ? n.outputs[1] : -1;
  const int m = e.emit("ReduceMean", 13, {x}, ms, DType::kFloat, ra, mean_to);
  if (n.outputs.size() > 2 && n.outputs[2] >= 0) {
    const int d = e.emit("Sub", 14, {x, m}, xs, DType::kFloat);
    const int sq = e.emit("Mul", 14, {d, d}, xs, DType::kFloat);
    const int v = e.emit("ReduceMean", 13, {sq}, ms, DType::kFloat, ra);
    const int ve = e.emit("Add", 14, {v, e.constant("epsilon", {}, DType::kFloat, {n.attrs.get_float("epsilon", 1e-5)})}, ms,
                          DType::kFloat);
    // 1 / sqrt by two tables (a Pow by the constant -0.5 would publish that constant: its table is
    // computed from it).
    const int sd = e.emit("Sqrt", 13, {ve}, ms, DType::kFloat);
    e.emit("Reciprocal", 13, {sd}, ms, DType::kFloat, {}, n.outputs[2]);
  }
  return true;
}

// Einsum of one or two operands, no letter repeated inside an operand: the letters only one
// operand has and the output lacks are summed first (ReduceSum); then, for two operands, each is
// transposed to [batch letters, its own kept letters, contracted letters] (B: [batch, contracted,
// own]) and reshaped to 3 groups, one MatMul, a Reshape to the letters and a Transpose to the
// output's order.
bool lower_einsum(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.empty()) return false;
  std::vector<int64_t> ranks;
  for (int t : n.inputs) {
    if (t < 0 || !known_shape(g, t)) return false;
    ranks.push_back(static_cast<int64_t>(g.tensors[t].shape.size()));
  }
  const ops::EinsumTerms e = ops::parse_einsum(n, ranks);
  if (e.in.size() > 2) {
    // Three or more operands: the first two contracted into the letters the output or a later
    // operand still needs, then the rest, pair by pair (left to right).
    std::map<char, int64_t> dims;
    for (size_t k = 0; k < e.in.size(); ++k)
      for (size_t i = 0; i < e.in[k].size(); ++i) dims[e.in[k][i]] = g.tensors[n.inputs[k]].shape[i];
    std::string keep;
    for (char ch : e.in[0] + e.in[1]) {
      bool needed = e.out.find(ch) != std::string::npos;
      for (size_t k = 2; k < e.in.size(); ++k) needed = needed || e.in[k].find(ch) != std::string::npos;
      if (needed && keep.find(ch) == std::string::npos) keep += ch;
    }
    TensorInfo mid;
    mid.name = n.name + "/pair_" + std::to_string(e.in.size());
    for (char ch : keep) mid.shape.push_back(dims[ch]);
    const int m = g.add_tensor(std::move(mid));
    ops::Node first = n, rest = n;
    first.name = n.name + "/pair";
    first.inputs = {n.inputs[0], n.inputs[1]};
    first.outputs = {m};
    first.attrs.strings["equation"] = e.in[0] + "," + e.in[1] + "->" + keep;
    rest.inputs.erase(rest.inputs.begin(), rest.inputs.begin() + 2);
    rest.inputs.insert(rest.inputs.begin(), m);
    std::string eq = keep;
    for (size_t k = 2; k < e.in.size(); ++k) eq += "," + e.in[k];
    rest.attrs.strings["equation"] = eq + "->" + e.out;
    return lower_einsum(g, first, out) && lower_einsum(g, rest, out);
  }
  for (const auto& s : e.in)
    if (s.size() != g.tensors[n.inputs[&s - &e.in[0]]].shape.size()) return false;
  // Diagonals: a letter repeated inside an operand. Its two axes are moved last (Transpose),
  // flattened to n * n entries (Reshape) and the diagonal gathered by the constant indices
  // k (n + 1) (Gather), until every letter of the operand is distinct; then the Einsum of the
  // new operands.
  bool diagonal = false;
  ops::Node rest = n;
  std::vector<std::string> terms = e.in;
  for (size_t k = 0; k < terms.size(); ++k) {
    std::string& s = terms[k];
    int t = n.inputs[k];
    for (;;) {
      size_t p = 0, q = 0;
      for (size_t i = 0; i < s.size() && q == 0; ++i)
        if (s.find(s[i]) != i) {
          p = s.find(s[i]);
          q = i;
        }
      if (q == 0) break;
      if (!diagonal) {
        rest.name = n.name + "/diagonal";
        diagonal = true;
      }
      const Shape ts = g.tensors[t].shape;
      const int64_t len = ts[p];
      if (ts[q] != len) return false;
      std::vector<int64_t> perm;
      std::string letters;
      Shape flat;
      for (size_t i = 0; i < s.size(); ++i)
        if (i != p && i != q) {
          perm.push_back(static_cast<int64_t>(i));
          letters += s[i];
          flat.push_back(ts[i]);
        }
      perm.push_back(static_cast<int64_t>(p));
      perm.push_back(static_cast<int64_t>(q));
      Emitter em{g, n, out};
      em.counter = static_cast<int>(out.size()) * 7 + static_cast<int>(k);  // fresh names across the loop
      Shape view = flat, diag = flat;
      view.push_back(len * len);
      diag.push_back(len);
      std::vector<int64_t> idx;
      for (int64_t i = 0; i < len; ++i) idx.push_back(i * (len + 1));
      const int v = em.reshape(em.transpose(t, perm), view);
      ops::Attributes ga;
      ga.ints["axis"] = static_cast<int64_t>(flat.size());
      t = em.emit("Gather", 13, {v, em.ints("diagonal", idx)}, diag, g.tensors[t].dtype, ga);
      s = letters + s[p];
    }
    rest.inputs[k] = t;
  }
  if (diagonal) {
    std::string eq;
    for (size_t k = 0; k < terms.size(); ++k) eq += (k ? "," : "") + terms[k];
    rest.attrs.strings["equation"] = eq + "->" + e.out;
    return lower_einsum(g, rest, out);
  }
  std::map<char, int64_t> dim;
  for (size_t k = 0; k < e.in.size(); ++k)
    for (size_t i = 0; i < e.in[k].size(); ++i) {
      const int64_t d = g.tensors[n.inputs[k]].shape[i];
      if (dim.count(e.in[k][i]) && dim[e.in[k][i]] != d) return false;  // broadcasting of 1s: not taken
      dim[e.in[k][i]] = d;
    }
  Emitter em{g, n, out};
  const int y = n.outputs[0];
  auto has = [](const std::string& s, char ch) { return s.find(ch) != std::string::npos; };
  // Sums over the letters of operand k that neither the output nor the other operand has.
  auto reduce_own = [&](size_t k, std::string& letters) {
    int t = n.inputs[k];
    std::vector<int64_t> axes;
    std::string kept;
    for (size_t i = 0; i < letters.size(); ++i) {
      const bool other = e.in.size() == 2 && has(e.in[1 - k], letters[i]);
      if (!has(e.out, letters[i]) && !other) axes.push_back(static_cast<int64_t>(i));
      else kept += letters[i];
    }
    if (!axes.empty()) {
      Shape s;
      for (char ch : kept) s.push_back(dim[ch]);
      ops::Attributes a;
      a.ints["keepdims"] = 0;
      t = em.emit("ReduceSum", 13, {t, em.ints("axes", axes)}, s, DType::kFloat, a);
    }
    letters = kept;
    return t;
  };
  auto perm_to = [](const std::string& from, const std::string& to) {
    std::vector<int64_t> p;
    for (char ch : to) p.push_back(static_cast<int64_t>(from.find(ch)));
    return p;
  };
  auto shape_of = [&](const std::string& letters) {
    Shape s;
    for (char ch : letters) s.push_back(dim[ch]);
    return s;
  };
  if (e.in.size() == 1) {
    std::string a = e.in[0];
    const int t = reduce_own(0, a);
    if (t == n.inputs[0] && a == e.out) {
      em.emit("Identity", 13, {t}, shape_of(e.out), DType::kFloat, {}, y);
    } else if (a == e.out) {
      g.tensors[out.back().outputs[0]].shape.clear();  // no longer computed: no shape
      out.back().outputs = {y};
    } else {
      em.transpose(t, perm_to(a, e.out), y);
    }
    return true;
  }
  std::string la = e.in[0], lb = e.in[1];
  const int a0 = reduce_own(0, la), b0 = reduce_own(1, lb);
  std::string batch, own_a, own_b, contr;
  for (char ch : e.out)
    if (has(la, ch) && has(lb, ch)) batch += ch;
  for (char ch : la)
    if (!has(lb, ch)) own_a += ch;
    else if (!has(e.out, ch)) contr += ch;
  for (char ch : lb)
    if (!has(la, ch)) own_b += ch;
  auto prod = [&](const std::string& s) {
    int64_t p = 1;
    for (char ch : s) p *= dim[ch];
    return p;
  };
  Shape bs = shape_of(batch);
  Shape va = bs, vb = bs, vy = bs;
  va.push_back(prod(own_a));
  va.push_back(prod(contr));
  vb.push_back(prod(contr));
  vb.push_back(prod(own_b));
  vy.push_back(prod(own_a));
  vy.push_back(prod(own_b));
  const int a1 = em.reshape(em.transpose(a0, perm_to(la, batch + own_a + contr)), va);
  const int b1 = em.reshape(em.transpose(b0, perm_to(lb, batch + contr + own_b)), vb);
  const int p = em.emit("MatMul", 13, {a1, b1}, vy, DType::kFloat);
  const std::string got = batch + own_a + own_b;
  const int r = em.reshape(p, shape_of(got), got == e.out ? y : -1);
  if (got != e.out) em.transpose(r, perm_to(got, e.out), y);
  return true;
}

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss with a constant target (labels) and
// weight: (SCE: log_prob = the stable LogSoftmax along axis 1, to the node's second output when it
// has one) loss = ReduceSum(Mul(log_prob, M)) over the classes ("none") or every axis ("sum",
// "mean"), M the constant [N, C, d..] holding -weight[t] / divisor at class t = target[n, d] of
// each entry (0 elsewhere and where the target is ignore_index; divisor: the sum of the weights
// for "mean", else 1).
// SoftmaxCrossEntropyLoss's log_prob: the stable LogSoftmax of x along axis 1 (to the node's
// second output when it has one); NegativeLogLikelihoodLoss's input as it is.
int loss_log_prob(Emitter& e, const ops::Node& n, int x) {
  if (n.op_type != "SoftmaxCrossEntropyLoss") return x;
  const Shape xs = e.shape(x);
  const int lp_to = n.outputs.size() > 1 ? n.outputs[1] : -1;
  const int m = e.reduce("ReduceMax", x, {1});
  const int d = e.emit("Sub", 14, {x, m}, xs, DType::kFloat);
  const int ex = e.emit("Exp", 13, {d}, xs, DType::kFloat);
  const int s = e.reduce("ReduceSum", ex, {1});
  const int l = e.emit("Log", 13, {s}, e.shape(s), DType::kFloat);
  return e.emit("Sub", 14, {d, l}, xs, DType::kFloat, {}, lp_to);
}

// The loss with a computed (integer) target t [N, d..]: W = -OneHot(t) along axis 1 ([N, C, d..],
// the integer values 0 / -1 cast to real), times the weights reshaped to [1, C, 1..] when given;
// with ignore_index, an ignored entry's class becomes C (Where(Equal(t, ignore_index), C, t)),
// a OneHot of depth C + 1 and the extra class sliced off, so its row of W is 0 (the OneHot
// relation refuses an index outside [-C, C): an ignored index never reaches it). Then
// "none": ReduceSum(log_prob W) over axis 1; "sum": over every axis; "mean": that sum divided by
// the sum of the weights of the entries not ignored, -ReduceSum(W) (a computed Div).
bool lower_loss_computed(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const int x = n.inputs[0], t = n.inputs[1], y = n.outputs[0];
  const bool has_w = n.inputs.size() > 2 && n.inputs[2] >= 0;
  if (!known_shape(g, x) || !known_shape(g, t) || !known_shape(g, y) || (has_w && !known_shape(g, n.inputs[2]))) return false;
  if (g.tensors[t].dtype != DType::kInt) return false;
  const Shape xs = g.tensors[x].shape, ts = g.tensors[t].shape;
  if (xs.size() < 2) return false;
  const int64_t C = xs[1];
  Shape want = xs;
  want.erase(want.begin() + 1);
  if (ts != want || C < 1 || C + 1 > 256) return false;  // the OneHot operator's depth bound
  if (has_w && g.tensors[n.inputs[2]].shape != Shape{C}) return false;
  const std::string red = n.attrs.get_string("reduction", "mean");
  if (red != "none" && red != "sum" && red != "mean") return false;
  Emitter e{g, n, out};
  const int src = loss_log_prob(e, n, x);
  int idx = t;
  int64_t depth = C;
  if (n.attrs.has("ignore_index")) {
    const double ii = static_cast<double>(n.attrs.get_int("ignore_index", 0));
    const int eq = e.emit("Equal", 13, {t, e.constant("ignore_index", {}, DType::kInt, {ii})}, ts, DType::kBool);
    idx = e.emit("Where", 16, {eq, e.constant("ignored_class", {}, DType::kInt, {static_cast<double>(C)}), t}, ts, DType::kInt);
    depth = C + 1;
  }
  ops::Attributes ao;
  ao.ints["axis"] = 1;
  Shape hs = xs;
  hs[1] = depth;
  int h = e.emit("OneHot", 11, {idx, e.ints("depth", {depth}), e.ints("values", {0, -1})}, hs, DType::kInt, ao);
  if (depth > C) h = e.emit("Slice", 13, {h, e.ints("starts", {0}), e.ints("ends", {C}), e.ints("axes", {1})}, xs, DType::kInt);
  ops::Attributes ac;
  ac.ints["to"] = 1;
  int W = e.emit("Cast", 13, {h}, xs, DType::kFloat, ac);
  if (has_w) {
    Shape bs(xs.size(), 1);
    bs[1] = C;
    const int w = n.inputs[2];
    const int wb = g.tensors[w].is_const ? e.constant("weight", bs, DType::kFloat, g.tensors[w].value.data) : e.reshape(w, bs);
    W = e.emit("Mul", 14, {W, wb}, xs, DType::kFloat);
  }
  const int p = e.emit("Mul", 14, {src, W}, xs, DType::kFloat);
  std::vector<int64_t> axes = {1};
  if (red != "none") {
    axes.clear();
    for (size_t i = 0; i < xs.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  ops::Attributes ra;
  ra.ints["keepdims"] = 0;
  if (red != "mean") {
    e.emit("ReduceSum", 13, {p, e.ints("axes", axes)}, g.tensors[y].shape, DType::kFloat, ra, y);
    return true;
  }
  const int num = e.emit("ReduceSum", 13, {p, e.ints("axes", axes)}, {}, DType::kFloat, ra);
  const int den = e.emit("ReduceSum", 13, {W, e.ints("axes", axes)}, {}, DType::kFloat, ra);
  const int pos = e.emit("Neg", 13, {den}, {}, DType::kFloat);
  e.emit("Div", 14, {num, pos}, g.tensors[y].shape, DType::kFloat, {}, y);
  return true;
}

bool lower_loss(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const bool sce = n.op_type == "SoftmaxCrossEntropyLoss";
  if (n.inputs.size() < 2 || n.inputs[1] < 0) return false;
  for (size_t k = sce ? 2 : 1; k < n.outputs.size(); ++k)
    if (n.outputs[k] >= 0) return false;
  const bool has_w = n.inputs.size() > 2 && n.inputs[2] >= 0;
  if (!is_const(g, n, 1)) return lower_loss_computed(g, n, out);
  if (has_w && !is_const(g, n, 2)) return false;
  const int x = n.inputs[0], y = n.outputs[0];
  if (!known_shape(g, x) || !known_shape(g, y)) return false;
  const Shape xs = g.tensors[x].shape;
  const ops::LossTerms L = ops::loss_terms(n, xs, g.tensors[n.inputs[1]].value, has_w ? &g.tensors[n.inputs[2]].value : nullptr);
  if (!(L.denominator != 0) || !std::isfinite(L.denominator)) return false;
  Emitter e{g, n, out};
  const int src = loss_log_prob(e, n, x);
  std::vector<double> mask(static_cast<size_t>(ops::numel(xs)), 0.0);
  for (int64_t a = 0; a < L.N; ++a)
    for (int64_t d = 0; d < L.D; ++d) {
      const size_t k = static_cast<size_t>(a * L.D + d);
      mask[static_cast<size_t>((a * L.C + L.cls[k]) * L.D + d)] = L.coef[k] / L.denominator;
    }
  const int p = e.emit("Mul", 14, {src, e.constant("loss_mask", xs, DType::kFloat, mask)}, xs, DType::kFloat);
  std::vector<int64_t> axes = {1};
  if (L.reduction != "none") {
    axes.clear();
    for (size_t i = 0; i < xs.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  ops::Attributes ra;
  ra.ints["keepdims"] = 0;
  e.emit("ReduceSum", 13, {p, e.ints("axes", axes)}, g.tensors[y].shape, DType::kFloat, ra, y);
  return true;
}

// ReduceProd over constant axes: the reduced axes moved last (Transpose) and flattened to
// [rows, len] (Reshape), padded with ones to a power of two (Pad), then the first and second
// halves of the columns multiplied (Slice, Slice, Mul) until one column is left, reshaped to the
// output.
bool lower_reduce_prod(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const int x = n.inputs[0], y = n.outputs[0];
  if (!known_shape(g, x) || !known_shape(g, y)) return false;
  const Shape xs = g.tensors[x].shape;
  const int rank = static_cast<int>(xs.size());
  std::vector<int64_t> axes;
  if (n.opset >= 18) {
    if (n.inputs.size() > 1 && n.inputs[1] >= 0) {
      if (!is_const(g, n, 1)) return false;
      for (double v : g.tensors[n.inputs[1]].value.data) axes.push_back(static_cast<int64_t>(v));
    }
  } else {
    axes = n.attrs.get_ints("axes");
  }
  std::vector<bool> red(static_cast<size_t>(rank), false);
  if (axes.empty() && n.attrs.get_int("noop_with_empty_axes", 0) == 0) red.assign(static_cast<size_t>(rank), true);
  for (auto a : axes) red[static_cast<size_t>(ops::norm_axis(n, a, rank))] = true;
  std::vector<int64_t> perm;
  int64_t len = 1, rows = 1;
  for (int i = 0; i < rank; ++i)
    if (!red[static_cast<size_t>(i)]) {
      perm.push_back(i);
      rows *= xs[static_cast<size_t>(i)];
    }
  for (int i = 0; i < rank; ++i)
    if (red[static_cast<size_t>(i)]) {
      perm.push_back(i);
      len *= xs[static_cast<size_t>(i)];
    }
  if (len < 1 || rows < 1) return false;
  Emitter e{g, n, out};
  int cur = e.reshape(e.transpose(x, perm), {rows, len});
  const DType dt = g.tensors[x].dtype;
  auto slice = [&](int t, int64_t from, int64_t to) {
    return e.emit("Slice", 13, {t, e.ints("starts", {from}), e.ints("ends", {to}), e.ints("axes", {1})}, {rows, to - from}, dt);
  };
  int64_t full = 1;
  while (full < len) full *= 2;
  if (full > len)  // padded with ones to a power of two (a Concat would meet two scales)
    cur = e.emit("Pad", 13, {cur, e.ints("pads", {0, 0, 0, full - len}), e.constant("one", {}, dt, {1.0})}, {rows, full}, dt);
  len = full;
  while (len > 1) {
    const int64_t h = len / 2;
    cur = e.emit("Mul", 14, {slice(cur, 0, h), slice(cur, h, len)}, {rows, h}, dt);
    len = h;
  }
  e.reshape(cur, g.tensors[y].shape, y);
  return true;
}

// Mod of integer tensors by a constant divisor b without zeros whose broadcast against x is x's
// shape (ops/op_mod.cc): B = |b|, S = sign(b) as constants of x's rank; x' = x (fmod) or S x;
// f = x' - B Div(x', B) (truncating division by a positive divisor); fmod: y = f; else
// y = S Where(f < 0, f + B, f) (Python's remainder: the divisor's sign).
// Mod of real tensors (fmod = 1, the only mode ONNX allows for them), by a constant or computed
// divisor b: fmod(x, b) = fmod(x, |b|) = x - B trunc(x / B) with B = |b| (the proven Div takes
// positive divisors only): q = x (1 / B) for a constant b (a Mul by a constant), else
// Div(x, Abs(b)); t = trunc(q) = Where(q < 0, Ceil(q), Floor(q)) (two tables and a comparison);
// y = x - t B. In fixed point, q within one step of an integer may truncate to the neighbouring
// integer (an error of B in y, as for any table of a discontinuous function).
bool lower_mod_real(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const int x = n.inputs[0], b = n.inputs[1], y = n.outputs[0];
  if (!known_shape(g, x) || !known_shape(g, b) || !known_shape(g, y)) return false;
  if (n.attrs.get_int("fmod", 0) == 0 || g.tensors[x].dtype != DType::kFloat || g.tensors[b].dtype != DType::kFloat)
    return false;
  const bool constant = g.tensors[b].is_const;
  const FTensor bv = g.tensors[b].value;  // a copy: emitting adds tensors
  if (constant && std::any_of(bv.data.begin(), bv.data.end(), [](double z) { return z == 0 || !std::isfinite(z); })) return false;
  const Shape ys = g.tensors[y].shape;
  Emitter e{g, n, out};
  int B = -1, q = -1;
  if (constant) {
    std::vector<double> mag, inv;
    for (double z : bv.data) {
      mag.push_back(std::fabs(z));
      inv.push_back(1.0 / std::fabs(z));
    }
    B = e.constant("divisor_magnitude", bv.shape, DType::kFloat, mag);
    q = e.emit("Mul", 14, {x, e.constant("inverse_divisor", bv.shape, DType::kFloat, inv)}, ys, DType::kFloat);
  } else {
    B = e.emit("Abs", 13, {b}, e.shape(b), DType::kFloat);
    q = e.emit("Div", 14, {x, B}, ys, DType::kFloat);
  }
  const int neg = e.emit("Less", 13, {q, e.constant("zero", {}, DType::kFloat, {0.0})}, ys, DType::kBool);
  const int up = e.emit("Ceil", 13, {q}, ys, DType::kFloat);
  const int down = e.emit("Floor", 13, {q}, ys, DType::kFloat);
  const int t = e.emit("Where", 16, {neg, up, down}, ys, DType::kFloat);
  const int tb = e.emit("Mul", 14, {t, B}, ys, DType::kFloat);
  e.emit("Sub", 14, {x, tb}, ys, DType::kFloat, {}, y);
  return true;
}

// MatMulInteger / QLinearMatMul and ConvInteger / QLinearConv (ops/op_matmul_integer.cc) with a
// constant weight W (B of the MatMuls), constant zero points, scales and bias (x's and y's per
// tensor; W's per tensor or per output channel: a column of B, a first-axis slice of a Conv's W).
// The integer ops stay in integers: MatMul / Conv of x - x_zero_point by the integer constant
// W - w_zero_point (exact at scale 0). The QLinear ops: Cast(x - x_zero_point) to real (an integer
// at scale 0), MatMul / Conv by the constant (W - w_zero_point) x_scale w_scale[c] (QLinearConv's
// bias B times x_scale w_scale[c]), then the QuantizeLinear table of y_scale and y_zero_point (its
// attributes, as lower_one's QuantizeLinear). A Conv keeps the node's attributes.
bool lower_linear_integer(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  const bool conv = n.op_type == "ConvInteger" || n.op_type == "QLinearConv";
  const bool qlinear = n.op_type == "QLinearMatMul" || n.op_type == "QLinearConv";
  const int x = n.inputs[0], y = n.outputs[0];
  const size_t wi = qlinear ? 3 : 1;
  if (!known_shape(g, x) || !known_shape(g, y) || g.tensors[x].is_const) return false;
  for (size_t k = 1; k < n.inputs.size(); ++k)
    if (n.inputs[k] >= 0 && !is_const(g, n, k)) return false;
  if (n.inputs.size() <= wi || n.inputs[wi] < 0 || (qlinear && n.inputs.size() < 8)) return false;
  const Shape xs = g.tensors[x].shape;
  const FTensor W = g.tensors[n.inputs[wi]].value;  // copies: emitting adds tensors
  if (conv ? W.rank() < 3 : W.rank() < 2 || xs.empty() || xs.back() != W.shape[W.shape.size() - 2]) return false;
  // C output channels; entry i of W belongs to channel channel(i).
  const int64_t C = conv ? W.shape[0] : W.shape.back(), per = W.size() / C;
  auto channel = [&](size_t i) { return conv ? i / static_cast<size_t>(per) : i % static_cast<size_t>(C); };
  auto value = [&](size_t k) { return k < n.inputs.size() && n.inputs[k] >= 0 ? g.tensors[n.inputs[k]].value : FTensor(); };
  const FTensor xzp = value(2), wzp = value(qlinear ? 5 : 3);
  if (xzp.size() > 1 || (wzp.size() > 1 && wzp.size() != C)) return false;  // per-row zero points of x: not taken
  std::vector<double> ch_scale(static_cast<size_t>(C), 1.0);
  double ys = 1, yz = 0;
  FTensor bias;
  if (qlinear) {
    const FTensor xscale = value(1), wscale = value(4), yscale = value(6), yzp = value(7);
    if (conv) bias = value(8);
    if (xscale.size() != 1 || yscale.size() != 1 || yzp.size() != 1 || (wscale.size() != 1 && wscale.size() != C)) return false;
    if (bias.size() != 0 && bias.size() != C) return false;
    for (int64_t c = 0; c < C; ++c) ch_scale[static_cast<size_t>(c)] = xscale.data[0] * wscale.data[static_cast<size_t>(wscale.size() == 1 ? 0 : c)];
    ys = yscale.data[0];
    yz = yzp.data[0];
    if (!(ys > 0) || !std::isfinite(ys)) return false;
  }
  std::vector<double> w(W.data.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t c = channel(i);
    w[i] = (W.data[i] - (wzp.size() == 0 ? 0.0 : wzp.data[wzp.size() == 1 ? 0 : c])) * ch_scale[c];
  }
  ops::Attributes ca;
  if (conv) {
    ca = n.attrs;
    ca.ints.erase("output_dtype");
  }
  const char* op = conv ? "Conv" : "MatMul";
  const int opset = conv ? 11 : 13;
  Emitter e{g, n, out};
  int t = x;
  if (xzp.size() == 1 && xzp.data[0] != 0)
    t = e.emit("Sub", 14, {x, e.constant(conv ? "x_zero_point" : "a_zero_point", {}, DType::kInt, {xzp.data[0]})}, xs, DType::kInt);
  const Shape ys_shape = g.tensors[y].shape;
  if (!qlinear) {  // integers throughout: an exact product at scale 0
    e.emit(op, opset, {t, e.constant("weights", W.shape, DType::kInt, w)}, ys_shape, DType::kInt, ca, y);
    return true;
  }
  ops::Attributes to_real;
  to_real.ints["to"] = 1;
  t = e.emit("Cast", 13, {t}, xs, DType::kFloat, to_real);
  std::vector<int> ins = {t, e.constant("weights", W.shape, DType::kFloat, w)};
  if (bias.size() > 0) {
    std::vector<double> b(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) b[static_cast<size_t>(c)] = bias.data[static_cast<size_t>(c)] * ch_scale[static_cast<size_t>(c)];
    ins.push_back(e.constant("bias", {C}, DType::kFloat, b));
  }
  const int p = e.emit(op, opset, ins, ys_shape, DType::kFloat, ca);
  ops::Attributes q;
  q.ints["output_dtype"] = n.attrs.get_int("output_dtype", 2);
  q.floats["zkinfer_scale"] = ys;
  q.ints["zkinfer_zero_point"] = static_cast<int64_t>(yz);
  e.emit("QuantizeLinear", 13, {p}, ys_shape, DType::kInt, q, y);
  return true;
}

bool lower_mod(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) {
  if (n.inputs.size() != 2 || n.inputs[1] < 0) return false;
  const int x = n.inputs[0], y = n.outputs[0];
  if (x >= 0 && g.tensors[x].dtype == DType::kFloat) return lower_mod_real(g, n, out);
  if (!is_const(g, n, 1)) return false;
  if (!known_shape(g, x) || !known_shape(g, y)) return false;
  if (g.tensors[x].dtype != DType::kInt || g.tensors[y].dtype != DType::kInt) return false;
  const Shape xs = g.tensors[x].shape;
  const FTensor b = g.tensors[n.inputs[1]].value;  // a copy: emitting adds tensors
  if (b.rank() > static_cast<int>(xs.size()) || g.tensors[y].shape != xs) return false;
  Shape bs(xs.size() - static_cast<size_t>(b.rank()), 1);
  bs.insert(bs.end(), b.shape.begin(), b.shape.end());
  for (size_t i = 0; i < bs.size(); ++i)
    if (bs[i] != 1 && bs[i] != xs[i]) return false;
  std::vector<double> mag, sgn;
  bool negative = false;
  for (double v : b.data) {
    if (v == 0 || v != std::floor(v)) return false;
    mag.push_back(std::fabs(v));
    sgn.push_back(v < 0 ? -1.0 : 1.0);
    negative = negative || v < 0;
  }
  const bool fmod = n.attrs.get_int("fmod", 0) != 0;
  Emitter e{g, n, out};
  const int B = e.constant("divisor_magnitude", bs, DType::kInt, mag);
  const int S = negative && !fmod ? e.constant("divisor_sign", bs, DType::kInt, sgn) : -1;
  const int xp = S >= 0 ? e.emit("Mul", 14, {x, S}, xs, DType::kInt) : x;
  const int q = e.emit("Div", 14, {xp, B}, xs, DType::kInt);
  const int qb = e.emit("Mul", 14, {q, B}, xs, DType::kInt);
  if (fmod) {
    e.emit("Sub", 14, {xp, qb}, xs, DType::kInt, {}, y);
    return true;
  }
  const int f = e.emit("Sub", 14, {xp, qb}, xs, DType::kInt);
  const int neg = e.emit("Less", 13, {f, e.constant("zero", {}, DType::kInt, {0.0})}, xs, DType::kBool);
  const int fb = e.emit("Add", 14, {f, B}, xs, DType::kInt);
  if (S < 0) {
    e.emit("Where", 16, {neg, fb, f}, xs, DType::kInt, {}, y);
  } else {
    const int r = e.emit("Where", 16, {neg, fb, f}, xs, DType::kInt);
    e.emit("Mul", 14, {r, S}, xs, DType::kInt, {}, y);
  }
  return true;
}

// Rewrites n into `out`; false when n is left as it is.
bool lower_one(Graph& g, const ops::Node& n, std::vector<ops::Node>& out, const std::vector<int>& uses) {
  const std::string& op = n.op_type;
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.empty() || n.outputs[0] < 0) return false;
  if (op == "LayerNormalization") return lower_layer_norm_stats(g, n, out);
  if (op == "Einsum") return lower_einsum(g, n, out);
  if (op == "NegativeLogLikelihoodLoss" || op == "SoftmaxCrossEntropyLoss") return lower_loss(g, n, out);
  if (op == "ReduceProd") return lower_reduce_prod(g, n, out);
  if (op == "Mod") return lower_mod(g, n, out);
  if (op == "MatMulInteger" || op == "QLinearMatMul" || op == "ConvInteger" || op == "QLinearConv")
    return lower_linear_integer(g, n, out);
  for (size_t k = 1; k < n.outputs.size(); ++k)
    if (n.outputs[k] >= 0 && uses[n.outputs[k]] > 0 && op != "Dropout") return false;
  const int x = n.inputs[0], y = n.outputs[0];
  if (!known_shape(g, x) || !known_shape(g, y)) return false;
  const Shape xs = g.tensors[x].shape;
  const int rank = static_cast<int>(xs.size());
  Emitter e{g, n, out};
  if (op == "LogSoftmax") {
    if (rank == 0) return false;
    const auto axes = softmax_axes(n, rank);
    const int m = e.reduce("ReduceMax", x, axes);
    const int d = e.emit("Sub", 14, {x, m}, xs, DType::kFloat);
    const int ex = e.emit("Exp", 13, {d}, xs, DType::kFloat);
    const int s = e.reduce("ReduceSum", ex, axes);
    const int l = e.emit("Log", 13, {s}, e.shape(s), DType::kFloat);
    e.emit("Sub", 14, {d, l}, xs, DType::kFloat, {}, y);
    return true;
  }
  if (op == "Dropout") {
    if (is_const(g, n, 2) && g.tensors[n.inputs[2]].value.size() > 0 && g.tensors[n.inputs[2]].value.data[0] != 0) {
      double r = n.attrs.get_float("ratio", 0.5);
      if (is_const(g, n, 1) && g.tensors[n.inputs[1]].value.size() > 0) r = g.tensors[n.inputs[1]].value.data[0];
      if (r > 0) return false;
    } else if (n.inputs.size() > 2 && n.inputs[2] >= 0 && !is_const(g, n, 2)) {
      return false;  // a computed training_mode
    }
    e.emit("Identity", 13, {x}, xs, g.tensors[x].dtype, {}, y);
    if (n.outputs.size() > 1 && n.outputs[1] >= 0) {
      if (uses[n.outputs[1]] > 0) {
        // The mask, all true without dropout: Equal(x, x) (a comparison of x with itself; true
        // for every value the integer model holds).
        e.emit("Equal", 13, {x, x}, xs, DType::kBool, {}, n.outputs[1]);
      } else {
        g.tensors[n.outputs[1]].shape.clear();  // not computed
      }
    }
    return true;
  }
  if (op == "CastLike") {
    if (n.inputs.size() < 2 || n.inputs[1] < 0) return false;
    const DType to = g.tensors[n.inputs[1]].dtype;
    ops::Attributes a;
    a.ints["to"] = to == DType::kBool ? 9 : to == DType::kInt ? 7 : 11;  // bool, int64, double
    e.emit("Cast", 13, {x}, xs, to, a, y);
    return true;
  }
  if (op == "GlobalMaxPool") {
    if (rank < 3) return false;
    std::vector<int64_t> axes;
    for (int i = 2; i < rank; ++i) axes.push_back(i);
    ops::Attributes at;
    at.ints["keepdims"] = 1;
    at.int_lists["axes"] = axes;
    e.emit("ReduceMax", 13, {x}, g.tensors[y].shape, g.tensors[x].dtype, at, y);
    return true;
  }
  if (op == "InstanceNormalization") {
    if (rank < 3 || n.inputs.size() < 3 || n.inputs[1] < 0 || n.inputs[2] < 0) return false;
    if (ops::numel(e.shape(n.inputs[1])) != xs[1] || ops::numel(e.shape(n.inputs[2])) != xs[1]) return false;
    Shape cs(static_cast<size_t>(rank - 1), 1);
    cs[0] = xs[1];
    // A constant scale / B: a new [C, 1, ...] constant, left out when all ones / zeros; a computed
    // one: reshaped to [C, 1, ...] (a product and a sum of two computed tensors).
    auto all_are = [&](int t, double v) {
      return g.tensors[t].is_const &&
             std::all_of(g.tensors[t].value.data.begin(), g.tensors[t].value.data.end(), [v](double z) { return z == v; });
    };
    auto per_channel = [&](int t, const char* what) {
      return g.tensors[t].is_const ? e.constant(what, cs, DType::kFloat, g.tensors[t].value.data) : e.reshape(t, cs);
    };
    const bool ones = all_are(n.inputs[1], 1.0), zeros = all_are(n.inputs[2], 0.0);
    const double eps = n.attrs.get_float("epsilon", 1e-5);
    int t = e.layer_norm(x, 2, eps, ones && zeros ? y : -1);
    if (!ones) t = e.emit("Mul", 14, {t, per_channel(n.inputs[1], "scale")}, xs, DType::kFloat, {}, zeros ? y : -1);
    if (!zeros) e.emit("Add", 14, {t, per_channel(n.inputs[2], "bias")}, xs, DType::kFloat, {}, y);
    return true;
  }
  if (op == "MeanVarianceNormalization") {
    std::vector<bool> red(static_cast<size_t>(rank), false);
    for (auto a : n.attrs.get_ints("axes", {0, 2, 3})) {
      if (a < -rank || a >= rank) return false;
      red[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
    }
    std::vector<int64_t> perm;
    for (int i = 0; i < rank; ++i)
      if (!red[i]) perm.push_back(i);
    const int64_t kept = static_cast<int64_t>(perm.size());
    if (kept == rank) return false;
    for (int i = 0; i < rank; ++i)
      if (red[i]) perm.push_back(i);
    std::vector<int64_t> inv(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
    const bool id = std::is_sorted(perm.begin(), perm.end());
    const int t = e.transpose(x, perm);
    const int l = e.layer_norm(t, kept, 1e-9, id ? y : -1);
    if (!id) e.transpose(l, inv, y);
    return true;
  }
  if (op == "Hardmax") {
    if (rank == 0) return false;
    const auto axes = softmax_axes(n, rank);
    int64_t len = 1, outer = 1;
    for (auto a : axes) len *= xs[static_cast<size_t>(a)];
    for (int64_t i = 0; i < axes.front(); ++i) outer *= xs[static_cast<size_t>(i)];
    if (len > 256 || len < 1) return false;
    const bool flat = axes.size() > 1;  // before opset 13, several axes: as [outer, len] rows
    const int v = flat ? e.reshape(x, {outer, len}) : x;
    const int64_t a = flat ? 1 : axes.front();
    ops::Attributes am;
    am.ints["axis"] = a;
    am.ints["keepdims"] = 0;
    Shape is = e.shape(v);
    is.erase(is.begin() + a);
    const int idx = e.emit("ArgMax", 13, {v}, is, DType::kInt, am);
    ops::Attributes ao;
    ao.ints["axis"] = a;
    // Integer values 0 / 1: public constants of the key (a real pair would be a private weight the
    // OneHot relation cannot use); then a Cast to real (exact: a 0 / 1 integer at scale 0).
    const int oh = e.emit("OneHot", 11, {idx, e.ints("depth", {len}), e.ints("values", {0, 1})}, e.shape(v), DType::kInt, ao);
    ops::Attributes ac;
    ac.ints["to"] = 1;
    const int f = e.emit("Cast", 13, {oh}, e.shape(v), DType::kFloat, ac, flat ? -1 : y);
    if (flat) e.reshape(f, xs, y);
    return true;
  }
  if (op == "CumSum") {
    if (rank == 0 || !is_const(g, n, 1) || g.tensors[n.inputs[1]].value.size() != 1) return false;
    const int64_t a = ops::norm_axis(n, static_cast<int64_t>(g.tensors[n.inputs[1]].value.data[0]), rank);
    const int64_t len = xs[static_cast<size_t>(a)];
    if (len < 1 || len > 1024) return false;
    const bool exclusive = n.attrs.get_int("exclusive", 0) != 0, reverse = n.attrs.get_int("reverse", 0) != 0;
    std::vector<double> tri(static_cast<size_t>(len * len), 0.0);  // tri[j][i] = 1: x_j counts in y_i
    for (int64_t j = 0; j < len; ++j)
      for (int64_t i = 0; i < len; ++i)
        tri[static_cast<size_t>(j * len + i)] = reverse ? (exclusive ? j > i : j >= i) : (exclusive ? j < i : j <= i);
    std::vector<int64_t> perm;
    for (int i = 0; i < rank; ++i)
      if (i != a) perm.push_back(i);
    perm.push_back(a);
    std::vector<int64_t> inv(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inv[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
    // The MatMul step takes rank-2 products: [rows, len] x [len, len].
    const int t = e.transpose(x, perm);
    const Shape ts = e.shape(t);
    const int r = e.reshape(t, {ops::numel(xs) / len, len});
    const int m = e.emit("MatMul", 13, {r, e.constant("triangle", {len, len}, DType::kFloat, tri)}, e.shape(r),
                         g.tensors[x].dtype);
    if (a == rank - 1) {
      e.reshape(m, xs, y);
    } else {
      e.transpose(e.reshape(m, ts), inv, y);
    }
    return true;
  }
  if (op == "DepthToSpace" || op == "SpaceToDepth") {
    Shape view, os;
    std::vector<int64_t> perm;
    try {
      ops::space_depth_plan(n, xs, view, perm, os);
    } catch (const Error&) {
      return false;
    }
    e.reshape(e.transpose(e.reshape(x, view), perm), os, y);
    return true;
  }
  if (op == "Pow") {
    // A tensor exponent (the Pow planner takes a constant scalar exponent or base): for a positive
    // base, x^b = Exp(b Log(x)). The Log tensor's name says why a non-positive base is refused
    // (its float value is not finite: calibration names it).
    if (n.inputs.size() != 2 || n.inputs[1] < 0) return false;
    auto uniform = [&](int t) {
      const auto& v = g.tensors[t].value.data;
      return g.tensors[t].is_const && !v.empty() && std::all_of(v.begin(), v.end(), [&](double z) { return z == v[0]; });
    };
    if (uniform(n.inputs[1]) || (uniform(x) && g.tensors[x].value.data[0] > 0)) return false;
    if (is_const(g, n, 1)) {
      // A constant exponent tensor of integers in [0, 8] (any base, integer bases included):
      // x^p = sum over k of [p == k] x^k, the powers x^k exact products (Mul), each selected by a
      // constant 0/1 mask (Mul) and summed (Add); [p == 0] adds a constant.
      const FTensor p = g.tensors[n.inputs[1]].value;  // copies: emitting adds tensors
      const bool small = std::all_of(p.data.begin(), p.data.end(), [](double v) { return v == std::floor(v) && v >= 0 && v <= 8; });
      if (small) {
        const Shape ys = g.tensors[y].shape;
        const DType dt = g.tensors[y].dtype;
        const int64_t top = static_cast<int64_t>(*std::max_element(p.data.begin(), p.data.end()));
        auto mask = [&](int64_t k) {
          std::vector<double> m(p.data.size());
          for (size_t i = 0; i < m.size(); ++i) m[i] = p.data[i] == static_cast<double>(k) ? 1.0 : 0.0;
          return m;
        };
        auto present = [&](int64_t k) { return std::find(p.data.begin(), p.data.end(), static_cast<double>(k)) != p.data.end(); };
        std::vector<int> terms;
        int pw = x;
        for (int64_t k = 1; k <= top; ++k) {
          if (k > 1) pw = e.emit("Mul", 14, {pw, x}, xs, g.tensors[x].dtype);
          if (present(k)) terms.push_back(e.emit("Mul", 14, {pw, e.constant("pow_mask", p.shape, DType::kInt, mask(k))}, ys, dt));
        }
        if (present(0)) terms.push_back(e.constant("pow_zero_mask", p.shape, DType::kInt, mask(0)));
        if (terms.size() < 2) return false;  // a uniform exponent (excluded above)
        int acc = terms[0];
        for (size_t i = 1; i < terms.size(); ++i)
          acc = e.emit("Add", 14, {acc, terms[i]}, ys, dt, {}, i + 1 == terms.size() ? y : -1);
        return true;
      }
    }
    if (g.tensors[x].dtype != DType::kFloat || g.tensors[y].dtype != DType::kFloat) return false;
    TensorInfo lt;
    lt.name = n.name + "/log_base (Pow with a tensor exponent is proven as exp(b log x): the base must be positive)";
    lt.shape = xs;
    const int l = g.add_tensor(std::move(lt));
    e.emit("Log", 13, {x}, xs, DType::kFloat, {}, l);
    const int m = e.emit("Mul", 14, {n.inputs[1], l}, g.tensors[y].shape, DType::kFloat);
    e.emit("Exp", 13, {m}, g.tensors[y].shape, DType::kFloat, {}, y);
    return true;
  }
  if (op == "DequantizeLinear") {
    // y = (x - zero_point) * scale, per tensor or per slice along axis (constant scale and zero
    // point, reshaped to broadcast along the axis).
    if (!is_const(g, n, 1) || (n.inputs.size() > 2 && n.inputs[2] >= 0 && !is_const(g, n, 2))) return false;
    const FTensor sc = g.tensors[n.inputs[1]].value;  // copies: emitting adds tensors
    Shape bs;
    if (sc.size() > 1) {
      const int64_t a = ops::norm_axis(n, n.attrs.get_int("axis", 1), rank);
      bs.assign(static_cast<size_t>(rank), 1);
      bs[static_cast<size_t>(a)] = sc.size();
    }
    int t = x;
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      const FTensor zp = g.tensors[n.inputs[2]].value;
      if (zp.size() != sc.size()) return false;
      if (std::any_of(zp.data.begin(), zp.data.end(), [](double v) { return v != 0; }))
        t = e.emit("Sub", 14, {x, e.constant("zero_point", bs, DType::kInt, zp.data)}, xs, g.tensors[x].dtype);
    }
    e.emit("Mul", 14, {t, e.constant("scale", bs, DType::kFloat, sc.data)}, xs, DType::kFloat, {}, y);
    return true;
  }
  if (op == "QuantizeLinear") {
    // A constant per-tensor scale and zero point become the node's attributes (ops/op_quantize_linear.cc:
    // they define the table that proves it and are public, like an activation's slope).
    if (n.inputs.size() < 2 || !is_const(g, n, 1) || (n.inputs.size() > 2 && n.inputs[2] >= 0 && !is_const(g, n, 2)))
      return false;
    const FTensor sc = g.tensors[n.inputs[1]].value;  // a copy: emitting adds tensors
    const bool has_zp = n.inputs.size() > 2 && n.inputs[2] >= 0;
    if (has_zp && g.tensors[n.inputs[2]].value.size() != sc.size()) return false;
    for (double v : sc.data)
      if (!(v > 0) || !std::isfinite(v)) return false;
    ops::Attributes at = n.attrs;
    if (sc.size() > 1) {
      // Per axis, with m the smallest scale: t = x (m / scale) + zero_point m by a Mul and an Add
      // of [.., C, 1, ..] constants, then one table lookup with scale m and zero point 0:
      // round(t / m) = round(x / scale + zero_point) = round(x / scale) + zero_point for an
      // integer zero point, and |x m / scale| <= |x| keeps the table over t as small as x's.
      if (rank == 0) return false;
      const int64_t a = ops::norm_axis(n, n.attrs.get_int("axis", 1), rank);
      if (xs[static_cast<size_t>(a)] != sc.size()) return false;
      Shape bs(static_cast<size_t>(rank), 1);
      bs[static_cast<size_t>(a)] = sc.size();
      const double m = *std::min_element(sc.data.begin(), sc.data.end());
      std::vector<double> ratio, offset;
      for (double v : sc.data) ratio.push_back(m / v);
      if (has_zp)
        for (double z : g.tensors[n.inputs[2]].value.data) offset.push_back(z * m);
      int t = e.emit("Mul", 14, {x, e.constant("scale_ratio", bs, DType::kFloat, ratio)}, xs, DType::kFloat);
      if (std::any_of(offset.begin(), offset.end(), [](double v) { return v != 0; }))
        t = e.emit("Add", 14, {t, e.constant("zero_point", bs, DType::kFloat, offset)}, xs, DType::kFloat);
      at.floats["zkinfer_scale"] = m;
      at.ints["zkinfer_zero_point"] = 0;
      e.emit("QuantizeLinear", n.opset, {t}, g.tensors[y].shape, DType::kInt, at, y);
      return true;
    }
    at.floats["zkinfer_scale"] = sc.data[0];
    at.ints["zkinfer_zero_point"] = has_zp ? static_cast<int64_t>(g.tensors[n.inputs[2]].value.data[0]) : 0;
    e.emit("QuantizeLinear", n.opset, {x}, g.tensors[y].shape, DType::kInt, at, y);
    return true;
  }
  if (op == "Compress") {
    if (!is_const(g, n, 1)) return false;
    const FTensor cond = g.tensors[n.inputs[1]].value;  // a copy: emitting adds tensors
    const bool has_axis = n.attrs.ints.count("axis") != 0;
    const int64_t total = ops::numel(xs);
    if (rank == 0 && has_axis) return false;
    const int64_t a = has_axis ? ops::norm_axis(n, n.attrs.get_int("axis", 0), rank) : 0;
    if (cond.rank() != 1 || cond.size() > (has_axis ? xs[static_cast<size_t>(a)] : total)) return false;
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < cond.size(); ++i)
      if (cond.data[static_cast<size_t>(i)] != 0) keep.push_back(i);
    if (keep.empty()) return false;
    const int v = has_axis ? x : e.reshape(x, {total});
    ops::Attributes at;
    at.ints["axis"] = a;
    e.emit("Gather", 13, {v, e.ints("indices", keep)}, g.tensors[y].shape, g.tensors[x].dtype, at, y);
    return true;
  }
  return false;
}

}  // namespace

void lower_composites(Graph& g) {
  std::vector<int> uses(g.tensors.size(), 0);
  for (const auto& n : g.nodes)
    for (int t : n.inputs)
      if (t >= 0) ++uses[t];
  for (int t : g.outputs) ++uses[t];
  std::vector<ops::Node> out;
  for (auto& n : g.nodes) {
    const size_t mark = out.size();
    bool done = false;
    try {
      done = lower_one(g, n, out, uses);
    } catch (const Error&) {
      done = false;  // a malformed node: left for its float semantics to report
    }
    if (!done) {
      out.resize(mark);
      out.push_back(std::move(n));
    }
  }
  g.nodes = std::move(out);
}

}  // namespace zkinfer::graph
