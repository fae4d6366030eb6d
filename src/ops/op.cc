// OpTable, planner context and window geometry (see op.h, kernels.h).
#include "ops/op.h"

#include <cmath>
#include <sstream>

#include "ops/kernels.h"

namespace zkinfer::ops {

void register_all_ops(OpTable& t);  // generated from the op_*.cc file names (CMakeLists.txt)

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < s.size(); ++i) o << (i ? "," : "") << s[i];
  o << "]";
  return o.str();
}

size_t checked_size(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) throw Error("negative dimension in shape " + shape_str(s));
    if (d > 0 && n > (int64_t{1} << 31) / d) throw Error("tensor of shape " + shape_str(s) + " is too large");
    n *= d;
  }
  return static_cast<size_t>(n);
}

const OpTable& OpTable::get() {
  static const OpTable table = [] {
    OpTable t;
    register_all_ops(t);
    return t;
  }();
  return table;
}

const OpDef* OpTable::find(std::string_view op_type) const {
  auto it = ops_.find(op_type);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpTable::names() const {
  std::vector<std::string> v;
  for (auto& [k, _] : ops_) v.push_back(k);
  return v;
}

void OpTable::add(OpDef def) {
  std::string k = def.op_type;
  ops_.emplace(std::move(k), std::move(def));
}

static std::string node_label(const Node& n) {
  return "node '" + n.name + "' (" + n.op_type + ", opset " + std::to_string(n.opset) + ")";
}

void unsupported(const Node& n, const std::string& why) { throw Error(node_label(n) + ": unsupported: " + why); }
void bad_node(const Node& n, const std::string& why) { throw Error(node_label(n) + ": " + why); }

int64_t QParams::get(const std::string& k) const {
  auto it = ints.find(k);
  if (it == ints.end()) throw Error("compiled model lacks node parameter '" + k + "'");
  return it->second;
}

int PlanContext::default_const_scale(size_t i) const {
  double m = 0;
  for (double v : consts[i]->data) m = std::max(m, std::fabs(v));
  int s = cfg.max_const_scale;
  while (s > -64 && std::round(m * std::ldexp(1.0, s)) >= std::ldexp(1.0, cfg.weight_bits - 1)) --s;
  return s;
}

int PlanContext::in_scale(size_t i) {
  if (!present(i)) fail("input " + std::to_string(i) + " is absent");
  if (in_scales[i] == kUnset) set_const_scale(i, default_const_scale(i));
  return in_scales[i];
}

void PlanContext::set_const_scale(size_t i, int s) {
  if (!is_const(i)) fail("input " + std::to_string(i) + " must be a constant");
  in_scales[i] = s;
  double m = 0;
  for (double v : consts[i]->data) m = std::max(m, std::fabs(std::round(v * std::ldexp(1.0, s))));
  in_bits[i] = m < 1 ? 1 : static_cast<int64_t>(std::floor(std::log2(m))) + 1;
  if (in_bits[i] > cfg.acc_bits - 2)
    fail("constant input " + std::to_string(i) + " does not fit 2^" + std::to_string(cfg.acc_bits - 2) +
         " at scale 2^" + std::to_string(s));
}

int64_t PlanContext::max_abs_q(size_t i) {
  in_scale(i);
  return int64_t{1} << in_bits[i];
}

int PlanContext::act_scale(const Range& r, int max_scale) const {
  double m = r.maxabs();
  int s = max_scale;
  while (s > -64 && m * std::ldexp(1.0, s) >= std::ldexp(1.0, cfg.act_bits - 2)) --s;
  return s;
}

void PlanContext::check_acc(double bound, const std::string& what) const {
  if (!(bound < std::ldexp(1.0, cfg.acc_bits)))
    fail(what + " accumulator bound 2^" + std::to_string(std::log2(bound)) + " exceeds the limit 2^" +
         std::to_string(cfg.acc_bits) + "; use a smaller --scale");
}

const ITensor& QParams::constant(const std::string& k) const {
  auto it = consts.find(k);
  if (it == consts.end()) throw Error("compiled model lacks node constant '" + k + "'");
  return it->second;
}

void PlanContext::fail(const std::string& why) const { bad_node(node, why); }

const ITensor& IntContext::input(size_t i) const {
  if (i >= in.size() || !in[i]) bad_node(node, "missing input " + std::to_string(i));
  return *in[i];
}

void IntContext::fail(const std::string& why) const { bad_node(node, why); }

Window make_window(const Node& n, const Shape& x, std::vector<int64_t> kernel, bool ceil_mode) {
  int sr = static_cast<int>(x.size()) - 2;
  if (sr < 1 || sr > 2) unsupported(n, "spatial rank " + std::to_string(sr) + " (only 1-D and 2-D)");
  auto ks = n.attrs.get_ints("kernel_shape", kernel);
  if (static_cast<int>(ks.size()) != sr) bad_node(n, "kernel_shape has the wrong length");
  auto st = n.attrs.get_ints("strides", std::vector<int64_t>(sr, 1));
  auto dl = n.attrs.get_ints("dilations", std::vector<int64_t>(sr, 1));
  auto pads = n.attrs.get_ints("pads", std::vector<int64_t>(2 * sr, 0));
  if (static_cast<int>(st.size()) != sr || static_cast<int>(dl.size()) != sr || static_cast<int>(pads.size()) != 2 * sr)
    bad_node(n, "strides/dilations/pads have the wrong length");
  for (int i = 0; i < sr; ++i)
    if (st[i] < 1 || dl[i] < 1 || ks[i] < 1 || pads[i] < 0 || pads[i + sr] < 0) bad_node(n, "bad window attributes");
  std::string ap = n.attrs.get_string("auto_pad", "NOTSET");
  Window w;
  std::vector<int64_t> in(x.begin() + 2, x.end());
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    for (int i = 0; i < sr; ++i) {
      int64_t out = (in[i] + st[i] - 1) / st[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * st[i] + (ks[i] - 1) * dl[i] + 1 - in[i]);
      int64_t small = total / 2, big = total - small;
      pads[i] = ap == "SAME_UPPER" ? small : big;
      pads[i + sr] = ap == "SAME_UPPER" ? big : small;
    }
  } else if (ap == "VALID") {
    std::fill(pads.begin(), pads.end(), 0);
  } else if (ap != "NOTSET") {
    bad_node(n, "auto_pad " + ap);
  }
  auto outdim = [&](int i) {
    int64_t eff = (ks[i] - 1) * dl[i] + 1;
    int64_t span = in[i] + pads[i] + pads[i + sr] - eff;
    if (span < 0) bad_node(n, "window larger than the padded input");
    int64_t o = (ceil_mode ? (span + st[i] - 1) / st[i] : span / st[i]) + 1;
    // ceil_mode: the last window must start inside the input or left padding
    if (ceil_mode && (o - 1) * st[i] >= in[i] + pads[i]) --o;
    return o;
  };
  if (sr == 1) {
    w.kw = ks[0]; w.sw = st[0]; w.dw = dl[0]; w.pl = pads[0]; w.pr = pads[1]; w.iw = in[0]; w.ow = outdim(0);
  } else {
    w.kh = ks[0]; w.kw = ks[1]; w.sh = st[0]; w.sw = st[1]; w.dh = dl[0]; w.dw = dl[1];
    w.pt = pads[0]; w.pl = pads[1]; w.pb = pads[2]; w.pr = pads[3];
    w.ih = in[0]; w.iw = in[1]; w.oh = outdim(0); w.ow = outdim(1);
  }
  return w;
}

}  // namespace zkinfer::ops
