// LSTM, GRU and RNN unrolled over the sequence (lower_rnn.h). The equations are ONNX's
// (onnx/defs/rnn/defs.cc), with the gate orders i o f c (LSTM), z r h (GRU) and peepholes i o f:
//   LSTM  i = f(Xt Wi' + Ht-1 Ri' + Pi . Ct-1 + Wbi + Rbi)   f = f(... Pf . Ct-1 ...)
//         c = g(Xt Wc' + Ht-1 Rc' + Wbc + Rbc)               Ct = f . Ct-1 + i . c
//         o = f(Xt Wo' + Ht-1 Ro' + Po . Ct + Wbo + Rbo)     Ht = o . h(Ct)
//   GRU   z = f(Xt Wz' + Ht-1 Rz' + Wbz + Rbz)   r likewise
//         h = g(Xt Wh' + (r . Ht-1) Rh' + Rbh + Wbh)          (linear_before_reset = 0)
//         h = g(Xt Wh' + r . (Ht-1 Rh' + Rbh) + Wbh)          (linear_before_reset = 1)
//         Ht = (1 - z) . h + z . Ht-1, computed as h + z . (Ht-1 - h)
//   RNN   Ht = f(Xt Wi' + Ht-1 Ri' + Wbi + Rbi)
// The input products of all time steps are one Gemm (X reshaped to [seq * batch, input]); each step
// adds the recurrent product Ht-1 R' (a Gemm with R transposed by the Gemm itself). A zero initial
// state (absent, or a constant of zeros as PyTorch exports it) drops the terms it multiplies.
#include "graph/lower_rnn.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "common/error.h"
#include "graph/float_executor.h"
#include "graph/onnx_loader.h"

namespace zkinfer::graph {

using ops::DType;
using ops::FTensor;
using ops::Shape;

bool is_rnn_op(const std::string& op_type) { return op_type == "LSTM" || op_type == "GRU" || op_type == "RNN"; }

namespace {

struct Act {
  std::string kind;  // lower case
  double alpha = 0, beta = 0;
};

std::string lowercase(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

class Lowering {
 public:
  Lowering(Graph& g, const ops::Node& n, std::vector<ops::Node>& out) : g_(g), n_(n), out_(out) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw Error(g_.source + ": node '" + n_.name + "' (" + n_.op_type + "): " + why);
  }

  void run(const std::vector<bool>& need);

 private:
  Graph& g_;
  const ops::Node& n_;
  std::vector<ops::Node>& out_;
  int counter_ = 0;

  int in(size_t k) const { return k < n_.inputs.size() ? n_.inputs[k] : -1; }
  Shape shape(int t) const { return g_.tensors[t].shape; }
  bool known(int t) const {
    const auto& s = g_.tensors[t].shape;
    if (s.empty() && !g_.tensors[t].is_const) return false;
    return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 0; });
  }

  int fresh(Shape s) {
    TensorInfo t;
    t.name = n_.name + "/rnn_" + std::to_string(counter_++);
    t.shape = std::move(s);
    t.dtype = DType::kFloat;
    return g_.add_tensor(std::move(t));
  }
  int constant(const std::vector<double>& v, Shape s, DType dt) {
    TensorInfo t;
    t.name = n_.name + "/rnn_const_" + std::to_string(counter_++);
    t.shape = s;
    t.dtype = dt;
    t.is_const = true;
    t.value = FTensor(s, dt);
    std::copy(v.begin(), v.end(), t.value.data.begin());
    return g_.add_tensor(std::move(t));
  }
  int ints(const std::vector<int64_t>& v) {
    std::vector<double> d(v.begin(), v.end());
    return constant(d, {static_cast<int64_t>(v.size())}, DType::kInt);
  }
  int emit(const std::string& type, std::vector<int> inputs, Shape s, ops::Attributes attrs = {}) {
    ops::Node m;
    m.name = n_.name + "/" + type + "_" + std::to_string(counter_);
    m.op_type = type;
    m.opset = std::max(n_.opset, 13);
    m.inputs = std::move(inputs);
    m.attrs = std::move(attrs);
    const int y = fresh(std::move(s));
    m.outputs = {y};
    out_.push_back(std::move(m));
    return y;
  }
  // The node that computed `t` (a fresh tensor of this lowering) writes `target` instead.
  void redirect(int t, int target) {
    for (auto it = out_.rbegin(); it != out_.rend(); ++it)
      if (it->outputs.size() == 1 && it->outputs[0] == t) {
        it->outputs[0] = target;
        g_.tensors[target].shape = g_.tensors[t].shape;
        g_.tensors[target].dtype = DType::kFloat;
        g_.tensors[t].shape.clear();
        return;
      }
    fail("internal: output not produced by the lowering");
  }

  int gather(int x, int64_t index, int64_t axis) {
    Shape s = shape(x);
    s.erase(s.begin() + axis);
    ops::Attributes a;
    a.ints["axis"] = axis;
    return emit("Gather", {x, constant({static_cast<double>(index)}, {}, DType::kInt)}, s, a);
  }
  int slice(int x, int64_t from, int64_t to, int64_t axis) {
    Shape s = shape(x);
    s[axis] = to - from;
    return emit("Slice", {x, ints({from}), ints({to}), ints({axis})}, s);
  }
  int reshape(int x, const Shape& s) { return emit("Reshape", {x, ints(s)}, s); }
  int unsqueeze(int x, const std::vector<int64_t>& axes) {
    Shape s = shape(x);
    for (auto a : axes) s.insert(s.begin() + a, 1);  // axes ascending
    return emit("Unsqueeze", {x, ints(axes)}, s);
  }
  int concat(const std::vector<int>& xs, int64_t axis) {
    if (xs.size() == 1) return xs[0];
    Shape s = shape(xs[0]);
    for (size_t k = 1; k < xs.size(); ++k) s[axis] += shape(xs[k])[axis];
    ops::Attributes a;
    a.ints["axis"] = axis;
    return emit("Concat", xs, s, a);
  }
  // a [m, k] times b' for b [n, k] (plus a constant or absent bias of n entries).
  int gemm(int a, int b, int bias = -1) {
    ops::Attributes at;
    at.ints["transB"] = 1;
    std::vector<int> ins{a, b};
    if (bias >= 0) ins.push_back(bias);
    return emit("Gemm", ins, {shape(a)[0], shape(b)[0]}, at);
  }
  static Shape broadcast(Shape a, Shape b) {
    if (a.size() < b.size()) std::swap(a, b);
    for (size_t k = 0; k < b.size(); ++k) {
      auto& d = a[a.size() - b.size() + k];
      d = std::max(d, b[k]);
    }
    return a;
  }
  int binary(const std::string& op, int a, int b) { return emit(op, {a, b}, broadcast(shape(a), shape(b))); }
  int add(int a, int b) { return binary("Add", a, b); }
  int sub(int a, int b) { return binary("Sub", a, b); }
  int mul(int a, int b) { return binary("Mul", a, b); }
  int scalar(double v) { return constant({v}, {1}, DType::kFloat); }

  int activation(const Act& f, int x) {
    const Shape s = shape(x);
    ops::Attributes a;
    if (f.kind == "sigmoid") return emit("Sigmoid", {x}, s);
    if (f.kind == "tanh") return emit("Tanh", {x}, s);
    if (f.kind == "relu") return emit("Relu", {x}, s);
    if (f.kind == "softsign") return emit("Softsign", {x}, s);
    if (f.kind == "softplus") return emit("Softplus", {x}, s);
    if (f.kind == "hardsigmoid") {
      a.floats["alpha"] = f.alpha;
      a.floats["beta"] = f.beta;
      return emit("HardSigmoid", {x}, s, a);
    }
    if (f.kind == "leakyrelu" || f.kind == "thresholdedrelu" || f.kind == "elu") {
      a.floats["alpha"] = f.alpha;
      return emit(f.kind == "leakyrelu" ? "LeakyRelu" : f.kind == "elu" ? "Elu" : "ThresholdedRelu", {x}, s, a);
    }
    if (f.kind == "affine") return add(mul(x, scalar(f.alpha)), scalar(f.beta));
    if (f.kind == "scaledtanh") return mul(emit("Tanh", {mul(x, scalar(f.beta))}, s), scalar(f.alpha));
    fail("activation " + f.kind);
  }

  std::vector<Act> activations(size_t per_dir, size_t dirs) {
    std::vector<std::string> names;
    if (auto it = n_.attrs.string_lists.find("activations"); it != n_.attrs.string_lists.end()) names = it->second;
    if (names.empty()) {
      if (n_.op_type == "LSTM") names = {"Sigmoid", "Tanh", "Tanh"};
      else if (n_.op_type == "GRU") names = {"Sigmoid", "Tanh"};
      else names = {"Tanh"};
    }
    // One set (with its alpha / beta values) for both directions of a bidirectional node is used
    // for each.
    const bool shared = dirs == 2 && names.size() == per_dir;
    if (!shared && names.size() != per_dir * dirs)
      fail(std::to_string(names.size()) + " activations given, " + std::to_string(per_dir * dirs) + " expected (" +
           std::to_string(per_dir) + " per direction)");
    std::vector<double> alphas, betas;
    if (auto it = n_.attrs.float_lists.find("activation_alpha"); it != n_.attrs.float_lists.end()) alphas = it->second;
    if (auto it = n_.attrs.float_lists.find("activation_beta"); it != n_.attrs.float_lists.end()) betas = it->second;
    // activation_alpha / activation_beta are consumed in order by the activations that take them
    // (onnxruntime's reading); a missing value takes the operator's default.
    size_t ai = 0, bi = 0;
    std::vector<Act> acts;
    for (const auto& name : names) {
      Act f;
      f.kind = lowercase(name);
      auto take = [&](std::vector<double>& v, size_t& i, double def, bool required, const char* what) {
        if (i < v.size()) return v[i++];
        if (required) fail("activation " + name + " needs " + what + " (activation_" + what + ")");
        return def;
      };
      if (f.kind == "leakyrelu") f.alpha = take(alphas, ai, 0.01, false, "alpha");
      else if (f.kind == "thresholdedrelu" || f.kind == "elu") f.alpha = take(alphas, ai, 1.0, false, "alpha");
      else if (f.kind == "hardsigmoid") {
        f.alpha = take(alphas, ai, 0.2, false, "alpha");
        f.beta = take(betas, bi, 0.5, false, "beta");
      } else if (f.kind == "affine" || f.kind == "scaledtanh") {
        f.alpha = take(alphas, ai, 0, true, "alpha");
        f.beta = take(betas, bi, 0, true, "beta");
      } else if (f.kind != "sigmoid" && f.kind != "tanh" && f.kind != "relu" && f.kind != "softsign" && f.kind != "softplus") {
        fail("activation '" + name +
             "' is not supported (supported: Sigmoid, Tanh, Relu, HardSigmoid, LeakyRelu, ThresholdedRelu, Elu, Softsign, "
             "Softplus, Affine, ScaledTanh)");
      }
      acts.push_back(f);
    }
    if (shared) {
      const std::vector<Act> once = acts;
      acts.insert(acts.end(), once.begin(), once.end());
    }
    return acts;
  }

  bool zero_const(int t) const {
    if (t < 0 || !g_.tensors[t].is_const) return false;
    const auto& v = g_.tensors[t].value.data;
    return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
  }
  void expect_shape(int t, const Shape& want, const char* what) {
    if (t < 0 || !known(t)) return;
    if (shape(t) != want) fail(std::string(what) + " has shape " + ops::shape_str(shape(t)) + ", expected " + ops::shape_str(want));
  }
};

void Lowering::run(const std::vector<bool>& need) {
  const std::string& op = n_.op_type;
  const bool lstm = op == "LSTM", gru = op == "GRU";
  const int64_t gates = lstm ? 4 : gru ? 3 : 1;
  const int X = in(0), W = in(1), R = in(2), B = in(3), lens = in(4), h0 = in(5), c0 = lstm ? in(6) : -1,
            P = lstm ? in(7) : -1;
  if (X < 0 || W < 0 || R < 0) fail("X, W and R are required");
  if (n_.attrs.has("clip")) fail("attribute clip is not supported");
  if (lstm && n_.attrs.get_int("input_forget", 0) != 0) fail("input_forget = 1 is not supported");
  const std::string direction = n_.attrs.get_string("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    fail("direction '" + direction + "' (forward, reverse or bidirectional)");
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  const int64_t layout = n_.attrs.get_int("layout", 0);
  if (layout != 0 && layout != 1) fail("layout " + std::to_string(layout));
  if (!known(X) || shape(X).size() != 3)
    fail("the shape of X (" + ops::shape_str(shape(X)) +
         ") must be known and of rank 3: the sequence is unrolled, its length and the batch size must be static");
  if (g_.tensors[X].dtype != DType::kFloat) fail("X must be real-valued");
  const Shape xs = shape(X);
  const int64_t seq = layout ? xs[1] : xs[0], batch = layout ? xs[0] : xs[1], input = xs[2];
  if (seq < 1 || batch < 1 || input < 1) fail("X has shape " + ops::shape_str(xs) + " (an empty sequence, batch or input)");
  int64_t hidden = n_.attrs.get_int("hidden_size", 0);
  if (hidden <= 0) {
    if (!known(R) || shape(R).size() != 3) fail("no hidden_size, and the shape of R is not known");
    hidden = shape(R)[2];
  }
  if (hidden <= 0 || hidden > (int64_t{1} << 24)) fail("hidden_size " + std::to_string(hidden));
  const int64_t gh = gates * hidden;
  expect_shape(W, {dirs, gh, input}, "W");
  expect_shape(R, {dirs, gh, hidden}, "R");
  expect_shape(B, {dirs, 2 * gh}, "B");
  expect_shape(P, {dirs, 3 * hidden}, "P");
  const Shape state = layout ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden};
  expect_shape(h0, state, "initial_h");
  expect_shape(c0, state, "initial_c");
  if (!known(W) || !known(R)) fail("the shapes of W and R must be known");
  if (lens >= 0) {
    if (!g_.tensors[lens].is_const)
      fail("sequence_lens is computed; only a constant sequence_lens equal to the sequence length (" + std::to_string(seq) +
           ") everywhere is supported");
    for (double v : g_.tensors[lens].value.data)
      if (v != static_cast<double>(seq))
        fail("sequence_lens holds " + std::to_string(static_cast<int64_t>(v)) + ": only sequences of the full length " +
             std::to_string(seq) + " are supported");
  }
  const bool lbr = gru && n_.attrs.get_int("linear_before_reset", 0) != 0;
  const size_t per_dir = lstm ? 3 : gru ? 2 : 1;
  const std::vector<Act> acts = activations(per_dir, static_cast<size_t>(dirs));
  const bool need_y = need.size() > 0 && need[0], need_yh = need.size() > 1 && need[1],
             need_yc = lstm && need.size() > 2 && need[2];
  if (!need_y && !need_yh && !need_yc) return;

  const int x2 = reshape(X, {seq * batch, input});  // rows: time-major (layout 0) or batch-major (1)
  const bool bias_const = B < 0 || g_.tensors[B].is_const;
  std::vector<std::vector<int>> hs(static_cast<size_t>(dirs), std::vector<int>(static_cast<size_t>(seq), -1));
  std::vector<int> h_last(static_cast<size_t>(dirs), -1), c_last(static_cast<size_t>(dirs), -1);
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = direction == "reverse" || d == 1;
    const Act& f = acts[static_cast<size_t>(d) * per_dir];
    const Act& gact = acts[static_cast<size_t>(d) * per_dir + (per_dir > 1 ? 1 : 0)];
    const Act& hact = acts[static_cast<size_t>(d) * per_dir + (per_dir > 2 ? 2 : 0)];
    const int wd = gather(W, d, 0);
    int bias_x = -1, rbh = -1;
    if (B >= 0) {
      const int bd = gather(B, d, 0);
      const int wb = slice(bd, 0, gh, 0), rb = slice(bd, gh, 2 * gh, 0);
      if (lbr) {  // Rbh stays inside r . (Ht-1 Rh' + Rbh)
        std::vector<double> mask(static_cast<size_t>(gh), 1.0);
        std::fill(mask.begin() + 2 * hidden, mask.end(), 0.0);
        bias_x = add(wb, mul(rb, constant(mask, {gh}, DType::kFloat)));
        rbh = slice(rb, 2 * hidden, 3 * hidden, 0);
      } else {
        bias_x = add(wb, rb);
      }
    }
    int xw = gemm(x2, wd, bias_const ? bias_x : -1);  // [seq * batch, gates * hidden]
    if (!bias_const && bias_x >= 0) xw = add(xw, bias_x);
    int xw3 = -1;
    auto x_at = [&](int64_t t) {
      if (seq == 1) return xw;
      if (layout == 0) return slice(xw, t * batch, (t + 1) * batch, 0);
      if (xw3 < 0) xw3 = reshape(xw, {batch, seq, gh});
      return gather(xw3, t, 1);
    };
    // Weights the steps may not need (a zero state drops them) are made on first use.
    std::map<std::string, int> memo;
    auto lazy = [&](const std::string& key, const std::function<int()>& make) {
      auto it = memo.find(key);
      if (it != memo.end()) return it->second;
      const int v = make();
      memo[key] = v;
      return v;
    };
    auto rd = [&] { return lazy("R", [&] { return gather(R, d, 0); }); };
    auto peep = [&](int k) {
      const int pd = lazy("P", [&] { return gather(P, d, 0); });
      return lazy("P" + std::to_string(k), [&] { return slice(pd, k * hidden, (k + 1) * hidden, 0); });
    };
    const bool peepholes = P >= 0 && !zero_const(P);
    int h = h0 >= 0 && !zero_const(h0) ? gather(h0, d, layout ? 1 : 0) : -1;  // -1: the zero state
    int c = c0 >= 0 && !zero_const(c0) ? gather(c0, d, layout ? 1 : 0) : -1;
    for (int64_t k = 0; k < seq; ++k) {
      const int64_t t = reverse ? seq - 1 - k : k;
      const bool last = k == seq - 1;
      const int xt = x_at(t);
      if (lstm) {
        const int pre = h >= 0 ? add(xt, gemm(h, rd())) : xt;
        int gi = slice(pre, 0, hidden, 1), go = slice(pre, hidden, 2 * hidden, 1);
        const int gc = slice(pre, 3 * hidden, 4 * hidden, 1);
        if (peepholes && c >= 0) gi = add(gi, mul(c, peep(0)));
        const int ic = mul(activation(f, gi), activation(gact, gc));
        int cn = ic;
        if (c >= 0) {
          int gf = slice(pre, 2 * hidden, 3 * hidden, 1);
          if (peepholes) gf = add(gf, mul(c, peep(2)));
          cn = add(mul(activation(f, gf), c), ic);
        }
        c = cn;
        if (!last || need_y || need_yh) {
          if (peepholes) go = add(go, mul(c, peep(1)));
          h = mul(activation(f, go), activation(hact, c));
        } else {
          h = -1;
        }
      } else if (gru) {
        int zr = slice(xt, 0, 2 * hidden, 1);
        if (h >= 0) zr = add(zr, gemm(h, lazy("Rzr", [&] { return slice(rd(), 0, 2 * hidden, 0); })));
        const int z = activation(f, slice(zr, 0, hidden, 1));
        auto r = [&] { return activation(f, slice(zr, hidden, 2 * hidden, 1)); };
        int hpre = slice(xt, 2 * hidden, 3 * hidden, 1);
        auto rh = [&] { return lazy("Rh", [&] { return slice(rd(), 2 * hidden, 3 * hidden, 0); }); };
        if (!lbr) {
          if (h >= 0) hpre = add(hpre, gemm(mul(r(), h), rh()));
        } else if (h >= 0) {
          int hr = gemm(h, rh(), bias_const ? rbh : -1);
          if (!bias_const && rbh >= 0) hr = add(hr, rbh);
          hpre = add(hpre, mul(r(), hr));
        } else if (rbh >= 0) {
          hpre = add(hpre, mul(r(), rbh));
        }
        const int ht = activation(gact, hpre);
        h = h >= 0 ? add(ht, mul(z, sub(h, ht))) : sub(ht, mul(z, ht));
      } else {
        h = activation(f, h >= 0 ? add(xt, gemm(h, rd())) : xt);
      }
      hs[static_cast<size_t>(d)][static_cast<size_t>(t)] = h;
    }
    h_last[static_cast<size_t>(d)] = h;
    c_last[static_cast<size_t>(d)] = c;
  }
  // Outputs: Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]), Y_h and Y_c
  // [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]).
  if (need_y) {
    std::vector<int> per_dir_y;
    for (int64_t d = 0; d < dirs; ++d) {
      std::vector<int> steps;
      for (int64_t t = 0; t < seq; ++t)
        steps.push_back(unsqueeze(hs[static_cast<size_t>(d)][static_cast<size_t>(t)], layout ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{0, 1}));
      per_dir_y.push_back(concat(steps, layout ? 1 : 0));
    }
    redirect(concat(per_dir_y, layout ? 2 : 1), n_.outputs[0]);
  }
  auto final_state = [&](const std::vector<int>& last, int target) {
    std::vector<int> parts;
    for (int v : last) parts.push_back(unsqueeze(v, {layout ? 1 : 0}));
    redirect(concat(parts, layout ? 1 : 0), target);
  };
  if (need_yh) final_state(h_last, n_.outputs[1]);
  if (need_yc) final_state(c_last, n_.outputs[2]);
}

}  // namespace

int lower_rnn(Graph& g) {
  std::vector<bool> used(g.tensors.size(), false);
  bool any = false;
  for (const auto& n : g.nodes) {
    any = any || is_rnn_op(n.op_type);
    for (int t : n.inputs)
      if (t >= 0) used[static_cast<size_t>(t)] = true;
  }
  if (!any) return 0;
  for (int t : g.outputs) used[static_cast<size_t>(t)] = true;
  int count = 0;
  std::vector<ops::Node> out;
  std::vector<ops::Node> nodes = std::move(g.nodes);
  const size_t first_new = g.tensors.size();
  std::vector<int> operands;  // the nodes' inputs: weights the lowering may leave unread
  for (auto& n : nodes) {
    if (!is_rnn_op(n.op_type)) {
      out.push_back(std::move(n));
      continue;
    }
    std::vector<bool> need;
    for (int o : n.outputs) need.push_back(o >= 0 && used[static_cast<size_t>(o)]);
    operands.insert(operands.end(), n.inputs.begin(), n.inputs.end());
    Lowering(g, n, out).run(need);
    for (size_t k = 0; k < n.outputs.size(); ++k)
      if (n.outputs[k] >= 0 && !need[k]) g.tensors[n.outputs[k]].shape.clear();  // no longer computed
    ++count;
  }
  g.nodes = std::move(out);
  // Fold the weights' slices, sums and transposes into constants, then drop the constants no node
  // reads any more (the original W / R / B, the folded intermediates): every real-valued constant
  // of a compiled model is a committed weight.
  fold_constants(g, true);
  std::vector<bool> read(g.tensors.size(), false);
  for (const auto& n : g.nodes)
    for (int t : n.inputs)
      if (t >= 0) read[static_cast<size_t>(t)] = true;
  for (int t : g.outputs) read[static_cast<size_t>(t)] = true;
  auto drop = [&](size_t t) {
    if (read[t] || !g.tensors[t].is_const) return;
    g.tensors[t].is_const = false;
    g.tensors[t].value = FTensor{};
    g.tensors[t].shape.clear();
  };
  for (int t : operands)
    if (t >= 0) drop(static_cast<size_t>(t));
  for (size_t t = first_new; t < g.tensors.size(); ++t) drop(t);
  return count;
}

std::vector<FTensor> run_rnn_float(const Graph& g, const ops::Node& n, std::span<const FTensor* const> in) {
  Graph m;
  m.source = g.source;
  m.opset = g.opset;
  ops::Node c = n;
  std::vector<FTensor> values;
  std::map<int, int> ids;  // g's tensor -> m's
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    const int t = c.inputs[k];
    if (t < 0 || k >= in.size() || !in[k]) {
      c.inputs[k] = -1;
      continue;
    }
    if (auto it = ids.find(t); it != ids.end()) {
      c.inputs[k] = it->second;
      continue;
    }
    TensorInfo ti;
    ti.name = g.tensors[t].name;
    ti.shape = in[k]->shape;
    ti.dtype = in[k]->dtype;
    ti.is_const = g.tensors[t].is_const;
    if (ti.is_const) ti.value = *in[k];
    const int id = m.add_tensor(std::move(ti));
    if (!m.tensors[id].is_const) {
      m.inputs.push_back(id);
      values.push_back(*in[k]);
    }
    ids[t] = c.inputs[k] = id;
  }
  std::vector<bool> need;
  for (auto& o : c.outputs) {
    need.push_back(o >= 0);
    if (o >= 0) {
      TensorInfo ti;
      ti.name = g.tensors[o].name;
      o = m.add_tensor(std::move(ti));
      m.outputs.push_back(o);
    }
  }
  Lowering(m, c, m.nodes).run(need);
  auto all = run_float_all(m, values);
  std::vector<FTensor> out;
  for (int o : c.outputs) out.push_back(o >= 0 ? std::move(all[static_cast<size_t>(o)]) : FTensor{});
  return out;
}

}  // namespace zkinfer::graph
