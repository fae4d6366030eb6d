// LSTM, GRU and RNN unrolled (lower_rnn.h), checked three ways:
// - against a naive reference of ONNX's equations written here, for every combination of
//   direction (forward, reverse, bidirectional), layout (0, 1), B, initial_h, initial_c (absent,
//   given, constant zeros), peepholes, GRU's linear_before_reset, constant or computed weights, and
//   random activations, sizes and sets of used outputs: both the float executor on the unlowered
//   node and the lowered graph (folded; only ops with a proof step left, every hand-set shape right);
// - against libonnx-testdata's node tests (lstm, gru, rnn), lowered after binding shapes;
// - by proofs: EZKL's lstm, lstm_large, gru and rnn and built models (bidirectional LSTM with
//   peepholes and initial states, GRU layout 1, RNN with computed weights) compile, set up, prove and
//   verify with default visibility, and a changed output or proof is rejected.
// Refusals (clip, input_forget, partial sequence_lens, unknown activations, unknown sequence
// length) name the node.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/lower_rnn.h"
#include "graph/onnx_loader.h"
#include "onnx_build.h"
#include "proof/step.h"
#include "test_seed.h"
#include "zkinfer/zkinfer.h"

namespace zkinfer::graph {
namespace {

namespace fs = std::filesystem;
using ops::DType;
using ops::FTensor;
using ops::Shape;

struct ActSpec {
  std::string name;
  double alpha = 0, beta = 0;
};

double apply(const ActSpec& a, double x) {
  const std::string& k = a.name;
  if (k == "Sigmoid") return 1 / (1 + std::exp(-x));
  if (k == "Tanh") return std::tanh(x);
  if (k == "Relu") return std::max(0.0, x);
  if (k == "HardSigmoid") return std::max(0.0, std::min(1.0, a.alpha * x + a.beta));
  if (k == "LeakyRelu") return x >= 0 ? x : a.alpha * x;
  if (k == "ThresholdedRelu") return x > a.alpha ? x : 0;
  if (k == "Elu") return x >= 0 ? x : a.alpha * (std::exp(x) - 1);
  if (k == "Softsign") return x / (1 + std::fabs(x));
  if (k == "Softplus") return std::log1p(std::exp(x));
  if (k == "Affine") return a.alpha * x + a.beta;
  if (k == "ScaledTanh") return a.alpha * std::tanh(a.beta * x);
  ADD_FAILURE() << k;
  return 0;
}

struct Config {
  std::string op = "LSTM", direction = "forward";
  int64_t layout = 0, seq = 2, batch = 2, input = 3, hidden = 2;
  bool bias = true, peepholes = false, lbr = false, const_weights = true, hidden_attr = true, seq_lens = false;
  int h0 = 0, c0 = 0;  // 0 absent, 1 given, 2 constant zeros
  std::vector<ActSpec> acts;  // one per activation slot and direction (empty: the defaults)
  std::vector<bool> used = {true, true, true};
};

int64_t gates_of(const std::string& op) { return op == "LSTM" ? 4 : op == "GRU" ? 3 : 1; }

struct Values {
  FTensor x, w, r, b, p, h0, c0;
};

// ONNX's equations, element by element.
std::vector<FTensor> reference(const Config& c, const Values& v) {
  const int64_t dirs = c.direction == "bidirectional" ? 2 : 1, H = c.hidden, G = gates_of(c.op), T = c.seq,
                N = c.batch, I = c.input;
  const size_t per = c.op == "LSTM" ? 3 : c.op == "GRU" ? 2 : 1;
  std::vector<ActSpec> acts = c.acts;
  if (acts.empty()) {
    for (int64_t d = 0; d < dirs; ++d) {
      if (c.op == "LSTM") acts.insert(acts.end(), {{"Sigmoid"}, {"Tanh"}, {"Tanh"}});
      else if (c.op == "GRU") acts.insert(acts.end(), {{"Sigmoid"}, {"Tanh"}});
      else acts.push_back({"Tanh"});
    }
  }
  FTensor y(c.layout ? Shape{N, T, dirs, H} : Shape{T, dirs, N, H});
  FTensor yh(c.layout ? Shape{N, dirs, H} : Shape{dirs, N, H}), yc = yh;
  auto X = [&](int64_t t, int64_t n, int64_t i) { return v.x.data[c.layout ? (n * T + t) * I + i : (t * N + n) * I + i]; };
  auto state_at = [&](int64_t d, int64_t n, int64_t h) { return c.layout ? (n * dirs + d) * H + h : (d * N + n) * H + h; };
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = c.direction == "reverse" || d == 1;
    const ActSpec &f = acts[d * per], &g = acts[d * per + (per > 1 ? 1 : 0)], &hh = acts[d * per + (per > 2 ? 2 : 0)];
    auto W = [&](int64_t row, int64_t i) { return v.w.data[(d * G * H + row) * I + i]; };
    auto R = [&](int64_t row, int64_t k) { return v.r.data[(d * G * H + row) * H + k]; };
    auto Wb = [&](int64_t row) { return c.bias ? v.b.data[d * 2 * G * H + row] : 0.0; };
    auto Rb = [&](int64_t row) { return c.bias ? v.b.data[d * 2 * G * H + G * H + row] : 0.0; };
    auto P = [&](int64_t k, int64_t h) { return c.peepholes ? v.p.data[d * 3 * H + k * H + h] : 0.0; };
    std::vector<double> Hs(N * H, 0.0), Cs(N * H, 0.0);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h) {
        if (c.h0 == 1) Hs[n * H + h] = v.h0.data[state_at(d, n, h)];
        if (c.c0 == 1) Cs[n * H + h] = v.c0.data[state_at(d, n, h)];
      }
    for (int64_t k = 0; k < T; ++k) {
      const int64_t t = reverse ? T - 1 - k : k;
      std::vector<double> Hn(N * H), Cn(N * H);
      for (int64_t n = 0; n < N; ++n) {
        auto xw = [&](int64_t row) {
          double s = Wb(row);
          for (int64_t i = 0; i < I; ++i) s += X(t, n, i) * W(row, i);
          return s;
        };
        auto hr = [&](int64_t row, const std::vector<double>& hv) {
          double s = 0;
          for (int64_t q = 0; q < H; ++q) s += hv[n * H + q] * R(row, q);
          return s;
        };
        for (int64_t h = 0; h < H; ++h) {
          if (c.op == "LSTM") {
            const double cp = Cs[n * H + h];
            const double i = apply(f, xw(h) + hr(h, Hs) + Rb(h) + P(0, h) * cp);
            const double fg = apply(f, xw(2 * H + h) + hr(2 * H + h, Hs) + Rb(2 * H + h) + P(2, h) * cp);
            const double cc = apply(g, xw(3 * H + h) + hr(3 * H + h, Hs) + Rb(3 * H + h));
            const double cn = fg * cp + i * cc;
            const double o = apply(f, xw(H + h) + hr(H + h, Hs) + Rb(H + h) + P(1, h) * cn);
            Cn[n * H + h] = cn;
            Hn[n * H + h] = o * apply(hh, cn);
          } else if (c.op == "GRU") {
            const double z = apply(f, xw(h) + hr(h, Hs) + Rb(h));
            double cand;
            if (c.lbr) {
              const double r = apply(f, xw(H + h) + hr(H + h, Hs) + Rb(H + h));
              cand = apply(g, xw(2 * H + h) + r * (hr(2 * H + h, Hs) + Rb(2 * H + h)));
            } else {
              std::vector<double> rh(N * H);
              for (int64_t q = 0; q < H; ++q) rh[n * H + q] = apply(f, xw(H + q) + hr(H + q, Hs) + Rb(H + q)) * Hs[n * H + q];
              cand = apply(g, xw(2 * H + h) + hr(2 * H + h, rh) + Rb(2 * H + h));
            }
            Hn[n * H + h] = (1 - z) * cand + z * Hs[n * H + h];
          } else {
            Hn[n * H + h] = apply(f, xw(h) + hr(h, Hs) + Rb(h));
          }
        }
      }
      Hs = Hn;
      if (c.op == "LSTM") Cs = Cn;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t h = 0; h < H; ++h)
          y.data[c.layout ? ((n * T + t) * dirs + d) * H + h : ((t * dirs + d) * N + n) * H + h] = Hs[n * H + h];
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h) {
        yh.data[state_at(d, n, h)] = Hs[n * H + h];
        yc.data[state_at(d, n, h)] = Cs[n * H + h];
      }
  }
  return {y, yh, yc};
}

FTensor random_tensor(TestRng& rng, const Shape& s, double scale) {
  FTensor t(s);
  for (auto& x : t.data) x = scale * (static_cast<double>(rng.next_u64() % 20001) / 10000.0 - 1.0);
  return t;
}

struct Built {
  Graph g;
  std::vector<FTensor> inputs;
  int node_outputs[3] = {-1, -1, -1};
};

// One node of the configuration, its operands constants (weights) or graph inputs.
Built build(const Config& c, const Values& v) {
  Built b;
  Graph& g = b.g;
  g.source = "rnn_test";
  g.opset = 14;
  auto input = [&](const std::string& name, const FTensor& val) {
    TensorInfo t;
    t.name = name;
    t.shape = val.shape;
    const int id = g.add_tensor(std::move(t));
    g.inputs.push_back(id);
    b.inputs.push_back(val);
    return id;
  };
  auto constant = [&](const std::string& name, const FTensor& val) {
    TensorInfo t;
    t.name = name;
    t.shape = val.shape;
    t.dtype = val.dtype;
    t.is_const = true;
    t.value = val;
    return g.add_tensor(std::move(t));
  };
  auto operand = [&](const std::string& name, const FTensor& val) {
    return c.const_weights ? constant(name, val) : input(name, val);
  };
  ops::Node n;
  n.name = "rnn";
  n.op_type = c.op;
  n.opset = 14;
  n.inputs = {input("X", v.x), operand("W", v.w), operand("R", v.r), c.bias ? operand("B", v.b) : -1};
  const int64_t dirs = c.direction == "bidirectional" ? 2 : 1;
  if (c.seq_lens) {
    FTensor lens({c.batch}, DType::kInt);
    std::fill(lens.data.begin(), lens.data.end(), static_cast<double>(c.seq));
    n.inputs.push_back(constant("lens", lens));
  } else {
    n.inputs.push_back(-1);
  }
  auto state = [&](int kind, const std::string& name, const FTensor& val) {
    if (kind == 0) return -1;
    if (kind == 2) return constant(name, FTensor(val.shape));
    return operand(name, val);
  };
  n.inputs.push_back(state(c.h0, "h0", v.h0));
  if (c.op == "LSTM") {
    n.inputs.push_back(state(c.c0, "c0", v.c0));
    n.inputs.push_back(c.peepholes ? operand("P", v.p) : -1);
  }
  n.attrs.strings["direction"] = c.direction;
  if (c.hidden_attr) n.attrs.ints["hidden_size"] = c.hidden;
  n.attrs.ints["layout"] = c.layout;
  if (c.op == "GRU") n.attrs.ints["linear_before_reset"] = c.lbr;
  if (!c.acts.empty()) {
    auto& names = n.attrs.string_lists["activations"];
    auto& al = n.attrs.float_lists["activation_alpha"];
    auto& be = n.attrs.float_lists["activation_beta"];
    for (const auto& a : c.acts) {
      names.push_back(a.name);
      if (a.name == "HardSigmoid" || a.name == "Affine" || a.name == "ScaledTanh") al.push_back(a.alpha), be.push_back(a.beta);
      if (a.name == "LeakyRelu" || a.name == "ThresholdedRelu" || a.name == "Elu") al.push_back(a.alpha);
    }
  }
  const int nout = c.op == "LSTM" ? 3 : 2;
  (void)dirs;
  for (int k = 0; k < nout; ++k) {
    TensorInfo t;
    t.name = std::string("out") + std::to_string(k);
    const int id = g.add_tensor(std::move(t));
    n.outputs.push_back(id);
    b.node_outputs[k] = id;
    if (c.used[k]) g.outputs.push_back(id);
  }
  g.nodes.push_back(std::move(n));
  return b;
}

Values random_values(TestRng& rng, const Config& c) {
  const int64_t dirs = c.direction == "bidirectional" ? 2 : 1, G = gates_of(c.op), H = c.hidden;
  Values v;
  v.x = random_tensor(rng, c.layout ? Shape{c.batch, c.seq, c.input} : Shape{c.seq, c.batch, c.input}, 1.5);
  v.w = random_tensor(rng, {dirs, G * H, c.input}, 0.8);
  v.r = random_tensor(rng, {dirs, G * H, H}, 0.8);
  v.b = random_tensor(rng, {dirs, 2 * G * H}, 0.5);
  v.p = random_tensor(rng, {dirs, 3 * H}, 0.5);
  const Shape st = c.layout ? Shape{c.batch, dirs, H} : Shape{dirs, c.batch, H};
  v.h0 = random_tensor(rng, st, 0.9);
  v.c0 = random_tensor(rng, st, 0.9);
  return v;
}

void expect_close(const FTensor& got, const FTensor& want, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  for (size_t i = 0; i < want.data.size(); ++i)
    ASSERT_NEAR(got.data[i], want.data[i], 1e-9 * (1 + std::fabs(want.data[i]))) << what << " [" << i << "]";
}

std::string describe(const Config& c) {
  std::string s = c.op + " " + c.direction + " layout " + std::to_string(c.layout) + " seq " + std::to_string(c.seq) +
                  " batch " + std::to_string(c.batch) + " input " + std::to_string(c.input) + " hidden " +
                  std::to_string(c.hidden) + " B " + std::to_string(c.bias) + " h0 " + std::to_string(c.h0) + " c0 " +
                  std::to_string(c.c0) + " P " + std::to_string(c.peepholes) + " lbr " + std::to_string(c.lbr) +
                  (c.const_weights ? " constant" : " computed") + " weights, used " + std::to_string(c.used[0]) +
                  std::to_string(c.used[1]) + std::to_string(c.used[2]) + ", acts";
  for (const auto& a : c.acts) s += " " + a.name;
  return s;
}

// The float executor on the node, and the lowered, folded graph, against the reference.
void check_config(const Config& c, TestRng& rng) {
  SCOPED_TRACE(describe(c));
  const Values v = random_values(rng, c);
  const auto want = reference(c, v);
  Built b = build(c, v);
  std::vector<FTensor> expect;
  for (int k = 0; k < 3; ++k)
    if (b.node_outputs[k] >= 0 && c.used[k]) expect.push_back(want[k]);
  auto direct = run_float(b.g, b.inputs);
  ASSERT_EQ(direct.size(), expect.size());
  for (size_t k = 0; k < expect.size(); ++k) expect_close(direct[k], expect[k], "float executor, output " + std::to_string(k));
  Graph lowered = b.g;
  ASSERT_EQ(lower_rnn(lowered), 1);
  // Every hand-set shape is the computed one.
  auto all = run_float_all(lowered, b.inputs);
  for (const auto& n : lowered.nodes)
    for (int o : n.outputs) ASSERT_EQ(lowered.tensors[o].shape, all[o].shape) << n.name;
  // No real-valued constant is left unread (each would be a committed weight).
  std::vector<bool> read(lowered.tensors.size(), false);
  for (const auto& n : lowered.nodes)
    for (int t : n.inputs)
      if (t >= 0) read[t] = true;
  for (size_t t = 0; t < lowered.tensors.size(); ++t)
    if (lowered.tensors[t].is_const && lowered.tensors[t].dtype == DType::kFloat)
      EXPECT_TRUE(read[t]) << lowered.tensors[t].name << " is an unread constant";
  for (const auto& n : lowered.nodes) {
    EXPECT_FALSE(is_rnn_op(n.op_type));
    EXPECT_NE(proof::find_step(n.op_type), nullptr) << n.op_type << " has no proof step";
    if (c.const_weights && n.op_type == "Gemm") EXPECT_TRUE(lowered.tensors[n.inputs[1]].is_const) << n.name;
  }
  auto out = run_float(lowered, b.inputs);
  ASSERT_EQ(out.size(), expect.size());
  for (size_t k = 0; k < expect.size(); ++k) expect_close(out[k], expect[k], "lowered, output " + std::to_string(k));
}

std::vector<ActSpec> random_acts(TestRng& rng, const std::string& op, int64_t dirs) {
  static const std::vector<ActSpec> gates = {{"Sigmoid"}, {"HardSigmoid", 0.25, 0.45}, {"HardSigmoid", 0.2, 0.5}};
  static const std::vector<ActSpec> others = {{"Tanh"},           {"Relu"},       {"Softsign"}, {"Softplus"},
                                              {"LeakyRelu", 0.1}, {"Elu", 0.7},   {"ThresholdedRelu", 0.2},
                                              {"Affine", 0.5, 0.1}, {"ScaledTanh", 1.5, 0.7}, {"Sigmoid"}};
  std::vector<ActSpec> a;
  const size_t per = op == "LSTM" ? 3 : op == "GRU" ? 2 : 1;
  for (int64_t d = 0; d < dirs; ++d)
    for (size_t k = 0; k < per; ++k) {
      const bool gate = k == 0 && op != "RNN";
      a.push_back(gate ? gates[rng.next_u64() % gates.size()] : others[rng.next_u64() % others.size()]);
    }
  return a;
}

TEST(LowerRnn, MatchesReferenceEveryCombination) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  int cases = 0;
  for (const std::string op : {"LSTM", "GRU", "RNN"})
    for (const std::string dir : {"forward", "reverse", "bidirectional"})
      for (int64_t layout : {0, 1})
        for (bool bias : {false, true})
          for (int h0 : {0, 1, 2})
            for (int c0 : op == "LSTM" ? std::vector<int>{0, 1, 2} : std::vector<int>{0})
              for (bool peep : op == "LSTM" ? std::vector<bool>{false, true} : std::vector<bool>{false})
                for (bool lbr : op == "GRU" ? std::vector<bool>{false, true} : std::vector<bool>{false})
                  for (bool cw : {true, false}) {
                    Config c;
                    c.op = op, c.direction = dir, c.layout = layout, c.bias = bias, c.h0 = h0, c.c0 = c0;
                    c.peepholes = peep, c.lbr = lbr, c.const_weights = cw;
                    c.seq = 1 + static_cast<int64_t>(rng.next_u64() % 4);
                    c.batch = 1 + static_cast<int64_t>(rng.next_u64() % 3);
                    c.input = 1 + static_cast<int64_t>(rng.next_u64() % 4);
                    c.hidden = 1 + static_cast<int64_t>(rng.next_u64() % 4);
                    c.hidden_attr = rng.next_u64() % 4 != 0;
                    c.seq_lens = rng.next_u64() % 4 == 0;
                    const int64_t dirs = dir == "bidirectional" ? 2 : 1;
                    if (rng.next_u64() % 2) c.acts = random_acts(rng, op, dirs);
                    const int nout = op == "LSTM" ? 3 : 2;
                    do {
                      for (int k = 0; k < 3; ++k) c.used[k] = k < nout && rng.next_u64() % 2;
                    } while (!c.used[0] && !c.used[1] && !c.used[2]);
                    check_config(c, rng);
                    if (::testing::Test::HasFatalFailure()) return;
                    ++cases;
                  }
  EXPECT_EQ(cases, 3 * 2 * 2 * 3 * 2 * (3 * 2 + 2 + 1));  // LSTM: c0 x P; GRU: lbr
}

// One activation set for both directions is used for each; a longer sequence.
TEST(LowerRnn, SharedActivationsAndLongSequence) {
  TestRng rng(testing::test_seed() + 1);
  Config c;
  c.op = "GRU";
  c.direction = "bidirectional";
  c.seq = 7;
  c.h0 = 1;
  c.lbr = true;
  c.acts = {{"HardSigmoid", 0.3, 0.4}, {"Relu"}, {"HardSigmoid", 0.3, 0.4}, {"Relu"}};
  check_config(c, rng);
  // The same activations given once: the lowering uses them for both directions.
  const Values v = random_values(rng, c);
  const auto want = reference(c, v);
  Config once = c;
  once.acts.resize(2);
  Built b = build(once, v);
  auto out = run_float(b.g, b.inputs);
  expect_close(out[0], want[0], "Y");
}

TEST(LowerRnn, Refusals) {
  TestRng rng(testing::test_seed() + 2);
  auto refused = [&](const Config& c, const std::function<void(ops::Node&, Graph&)>& change, const std::string& why) {
    const Values v = random_values(rng, c);
    Built b = build(c, v);
    change(b.g.nodes[0], b.g);
    try {
      lower_rnn(b.g);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("node 'rnn' (" + c.op + ")"), std::string::npos) << msg;
      EXPECT_NE(msg.find(why), std::string::npos) << msg;
    }
  };
  Config lstm;
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.floats["clip"] = 3.0; }, "clip is not supported");
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.ints["input_forget"] = 1; }, "input_forget = 1 is not supported");
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.string_lists["activations"] = {"Sigmoid", "Gelu", "Tanh"}; },
          "activation 'Gelu' is not supported");
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.string_lists["activations"] = {"Sigmoid", "Affine", "Tanh"}; },
          "activation Affine needs alpha");
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.string_lists["activations"] = {"Sigmoid", "Tanh"}; },
          "2 activations given, 3 expected");
  refused(lstm, [](ops::Node& n, Graph&) { n.attrs.strings["direction"] = "sideways"; }, "direction 'sideways'");
  refused(lstm, [](ops::Node& n, Graph& g) { g.tensors[n.inputs[0]].shape = {-1, 2, 3}; }, "must be known");
  Config lens = lstm;
  lens.seq_lens = true;
  refused(lens, [](ops::Node& n, Graph& g) { g.tensors[n.inputs[4]].value.data[0] = 1; }, "sequence_lens holds 1");
  refused(lens, [](ops::Node& n, Graph& g) { g.tensors[n.inputs[4]].is_const = false; }, "sequence_lens is computed");
  refused(lstm, [](ops::Node& n, Graph& g) { g.tensors[n.inputs[1]].shape = {1, 7, 3}; }, "W has shape [1,7,3]");
}

// libonnx-testdata's node tests: the float executor on the node and the lowered graph.
TEST(LowerRnn, OnnxNodeTests) {
  const fs::path dir = "/usr/share/libonnx-testdata/data/node";
  if (!fs::exists(dir)) GTEST_SKIP() << "libonnx-testdata is not installed";
  int checked = 0;
  for (const char* name : {"test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes",
                           "test_lstm_batchwise", "test_gru_defaults", "test_gru_with_initial_bias", "test_gru_seq_length",
                           "test_gru_batchwise", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias",
                           "test_rnn_seq_length", "test_simple_rnn_batchwise"}) {
    SCOPED_TRACE(name);
    const fs::path d = dir / name;
    if (!fs::exists(d)) continue;
    Graph g = load_onnx_file((d / "model.onnx").string());
    std::vector<FTensor> in, want;
    for (int i = 0; fs::exists(d / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb")); ++i)
      in.push_back(read_tensor_pb((d / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb")).string()));
    for (int i = 0; fs::exists(d / "test_data_set_0" / ("output_" + std::to_string(i) + ".pb")); ++i)
      want.push_back(read_tensor_pb((d / "test_data_set_0" / ("output_" + std::to_string(i) + ".pb")).string()));
    ASSERT_EQ(in.size(), g.inputs.size());
    auto check = [&](const std::vector<FTensor>& out, const char* what) {
      ASSERT_EQ(out.size(), want.size()) << what;
      for (size_t k = 0; k < want.size(); ++k) {
        ASSERT_EQ(out[k].shape, want[k].shape) << what;
        for (size_t i = 0; i < want[k].data.size(); ++i)
          EXPECT_NEAR(out[k].data[i], want[k].data[i], 1e-5 + 1e-4 * std::fabs(want[k].data[i])) << what << " " << k << "[" << i << "]";
      }
    };
    // sequence_lens as a model input is refused (it could be shorter); as a constant (the test's
    // full lengths) it is accepted.
    for (size_t k = 0; k < g.inputs.size(); ++k) {
      if (g.tensors[g.inputs[k]].name != "sequence_lens") continue;
      try {
        (void)run_float(g, in);
        ADD_FAILURE() << "a computed sequence_lens was accepted";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("sequence_lens is computed"), std::string::npos) << e.what();
      }
      auto& t = g.tensors[g.inputs[k]];
      t.is_const = true;
      t.value = in[k];
      t.dtype = in[k].dtype;
      g.inputs.erase(g.inputs.begin() + static_cast<long>(k));
      in.erase(in.begin() + static_cast<long>(k));
      break;
    }
    check(run_float(g, in), "float executor");
    bind_shapes(g, in);
    fold_constants(g, true);
    ASSERT_EQ(lower_rnn(g), 1);
    fold_constants(g, true);
    check(run_float(g, in), "lowered");
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

// --- proofs ---------------------------------------------------------------------------------

api::Tensor flat(const FTensor& t) { return api::Tensor{t.shape, t.data}; }

// Compiles with the samples, sets up, proves the first, verifies (default visibility: private
// input and weights, public output); a changed output and a changed proof are rejected.
void prove_and_reject(const std::string& onnx, const std::vector<api::Sample>& samples, const std::string& what) {
  SCOPED_TRACE(what);
  api::Model m = api::Model::compile(onnx, samples);
  api::Keys keys = api::setup(m);
  api::ProveResult r = api::prove(m, keys.pk, samples[0].inputs);
  api::VerifyResult v = api::verify(keys.vk, r.proof, r.outputs);
  ASSERT_TRUE(v.verdict.ok()) << v.verdict.reason();
  EXPECT_EQ(r.outputs[0].data, m.run(samples[0].inputs).outputs[0].data);
  auto changed = r.outputs;
  changed[0].data[0] += std::ldexp(1.0, -m.outputs()[0].scale);
  EXPECT_FALSE(api::verify(keys.vk, r.proof, changed).verdict.ok());
  auto bytes = r.proof.bytes();
  bytes[4 + 4 + 32 + 8] ^= 1;  // the public output's first entry
  EXPECT_FALSE(api::verify(keys.vk, api::Proof(bytes)).verdict.ok());
}

TEST(RnnProof, EzklExamples) {
  const std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/ezkl/";
  for (const char* name : {"lstm", "gru", "rnn", "lstm_large"}) {
    const std::string onnx = dir + name + "/network.onnx";
    if (!fs::exists(onnx)) GTEST_SKIP() << onnx << " missing";
    Graph g = load_onnx_file(onnx);
    const std::string json = dir + name + "/input.json";
    std::vector<api::Sample> samples;
    for (const auto& s : parse_samples(read_text(json), json, g)) {
      api::Sample a;
      for (const auto& v : s.inputs) a.inputs.push_back(api::Tensor{{static_cast<int64_t>(v.size())}, v});
      samples.push_back(a);
    }
    ASSERT_FALSE(samples.empty());
    prove_and_reject(onnx, samples, name);
  }
}

// Built ONNX models: a bidirectional LSTM with peepholes and initial states (layout 0, seq 3), a
// reverse GRU with linear_before_reset = 0 and HardSigmoid gates (alpha 0.25, beta 0.45) in layout 1, and an RNN with Relu whose W is a second
// model input (private: the input product is private times private).
void add_strings(onnx::NodeProto* n, const std::string& name, const std::vector<std::string>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (const auto& s : v) a->add_strings(s);
}
void add_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

TEST(RnnProof, BuiltModels) {
  using namespace test_onnx;
  TestRng rng(testing::test_seed() + 3);
  const fs::path tmp = fs::temp_directory_path() / ("zkinfer_rnn_test_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  struct Spec {
    std::string name, op, direction;
    int64_t layout, seq, batch, input, hidden;
  };
  for (const Spec& s : {Spec{"lstm_bidir_peep", "LSTM", "bidirectional", 0, 3, 2, 3, 4},
                        Spec{"gru_reverse_layout1", "GRU", "reverse", 1, 3, 2, 3, 4},
                        Spec{"rnn_computed_w", "RNN", "forward", 0, 4, 1, 3, 3}}) {
    SCOPED_TRACE(s.name);
    const int64_t dirs = s.direction == "bidirectional" ? 2 : 1, G = gates_of(s.op), H = s.hidden;
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(14);
    auto* g = m.mutable_graph();
    g->set_name(s.name);
    const std::vector<int64_t> xs = s.layout ? std::vector<int64_t>{s.batch, s.seq, s.input} : std::vector<int64_t>{s.seq, s.batch, s.input};
    add_io(g->add_input(), "x", xs);
    const size_t nw = static_cast<size_t>(dirs * G * H * s.input);
    std::string w = "W";
    const std::vector<int64_t> ws = {dirs, G * H, s.input};
    if (s.op == "RNN") {
      add_io(g->add_input(), "W", ws);
    } else {
      add_init(g, "W", {dirs, G * H, s.input}, rnd(rng, nw, 0.8));
    }
    add_init(g, "R", {dirs, G * H, H}, rnd(rng, static_cast<size_t>(dirs * G * H * H), 0.8));
    add_init(g, "B", {dirs, 2 * G * H}, rnd(rng, static_cast<size_t>(dirs * 2 * G * H), 0.5));
    const std::vector<int64_t> st = s.layout ? std::vector<int64_t>{s.batch, dirs, H} : std::vector<int64_t>{dirs, s.batch, H};
    std::vector<std::string> ins = {"x", w, "R", "B", ""};
    if (s.op != "RNN") {
      add_init(g, "h0", st, rnd(rng, static_cast<size_t>(dirs * s.batch * H), 0.5));
      ins.push_back("h0");
    }
    if (s.op == "LSTM") {
      add_init(g, "c0", st, rnd(rng, static_cast<size_t>(dirs * s.batch * H), 0.5));
      add_init(g, "P", {dirs, 3 * H}, rnd(rng, static_cast<size_t>(dirs * 3 * H), 0.5));
      ins.push_back("c0");
      ins.push_back("P");
    }
    std::vector<std::string> outs = {"y", "y_h"};
    if (s.op == "LSTM") outs.push_back("y_c");
    auto* n = add_node_outs(g, s.op, ins, outs);
    set_int(n, "hidden_size", H);
    add_string(n, "direction", s.direction);
    set_int(n, "layout", s.layout);
    if (s.op == "RNN") add_strings(n, "activations", {"Relu"});
    if (s.op == "GRU") {  // a hard sigmoid of its own slope for the gates
      add_strings(n, "activations", {"HardSigmoid", "Tanh"});
      for (const char* k : {"activation_alpha", "activation_beta"}) {
        auto* a = n->add_attribute();
        a->set_name(k);
        a->set_type(onnx::AttributeProto::FLOATS);
        a->add_floats(k[11] == 'a' ? 0.25f : 0.45f);
      }
    }
    std::vector<int64_t> ys = s.layout ? std::vector<int64_t>{s.batch, s.seq, dirs, H} : std::vector<int64_t>{s.seq, dirs, s.batch, H};
    add_io(g->add_output(), "y", ys);
    if (s.op == "LSTM") add_io(g->add_output(), "y_c", st);
    const std::string path = (tmp / (s.name + ".onnx")).string();
    {
      auto bytes = serialize(m);
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    std::vector<api::Sample> samples;
    for (int k = 0; k < 4; ++k) {
      api::Sample a;
      a.inputs.push_back(flat(random_tensor(rng, xs, 1.0)));
      if (s.op == "RNN") a.inputs.push_back(flat(random_tensor(rng, ws, 0.6)));
      samples.push_back(a);
    }
    prove_and_reject(path, samples, s.name);
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace zkinfer::graph
