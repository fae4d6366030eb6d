// Whole-model prover and verifier (docs/PROOF.md): backward claim reduction over the graph with
// the layer protocols of src/layers, LogUp range checks of rescale remainders, and one Hyrax
// batch opening of every claim on the input, the weights and the advice.
#include "proof/model_proof.h"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "common/check.h"
#include "hash/keccak.h"
#include "layers/activation.h"
#include "layers/combine.h"
#include "layers/conv.h"
#include "layers/layout.h"
#include "layers/matmul.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"
#include "ops/kernels.h"
#include "pcs/hyrax_eval.h"
#include "sumcheck/proof.h"

namespace zkinfer::proof {

using field::Fr;
using layers::Claim;
using layers::PaddedShape;

namespace {

constexpr std::array<uint8_t, 4> kProofMagic = {'Z', 'K', 'P', 'F'};
constexpr std::array<uint8_t, 4> kVkMagic = {'Z', 'K', 'V', 'K'};

std::vector<size_t> dims_of(const quant::CompiledModel& m, int t) {
  std::vector<size_t> d;
  for (int64_t x : m.graph.tensors[t].shape) d.push_back(x < 1 ? 1 : static_cast<size_t>(x));
  return d;
}
PaddedShape shape_of(const quant::CompiledModel& m, int t) { return PaddedShape(dims_of(m, t)); }

// padded index of each unpadded row-major entry
std::vector<size_t> index_map(const PaddedShape& s) {
  const size_t n = s.unpadded_size();
  std::vector<size_t> out(n);
  std::vector<size_t> idx(s.rank(), 0);
  for (size_t i = 0; i < n; ++i) {
    out[i] = s.index(idx);
    for (size_t d = s.rank(); d-- > 0;) {
      if (++idx[d] < s.dims()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

std::vector<int64_t> padded_i64(const PaddedShape& s, std::span<const int64_t> v) {
  std::vector<int64_t> out(s.size(), 0);
  auto map = index_map(s);
  ZKINFER_CHECK(map.size() == v.size());
  for (size_t i = 0; i < v.size(); ++i) out[map[i]] = v[i];
  return out;
}

std::vector<Fr> to_fr(std::span<const int64_t> v) {
  std::vector<Fr> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Fr::from_i64(v[i]);
  return out;
}

Fr mle_eval(std::vector<Fr> t, std::span<const Fr> point) {
  ZKINFER_CHECK(t.size() == (size_t{1} << point.size()));
  for (const Fr& r : point) {
    const size_t h = t.size() / 2;
    for (size_t i = 0; i < h; ++i) t[i] = t[2 * i] + r * (t[2 * i + 1] - t[2 * i]);
    t.resize(h);
  }
  return t[0];
}

// MLE of the indicator of the unpadded entries.
Fr indicator_eval(const PaddedShape& s, std::span<const Fr> point) {
  auto parts = layers::split_point(s, point);
  Fr acc = Fr::one();
  for (size_t d = 0; d < s.rank(); ++d) acc *= layers::eq_prefix_sum(parts[d], s.dims()[d]);
  return acc;
}

Fr pow2(int e) { return Fr::from_u64(uint64_t{1} << e); }

// ---- the plan: which protocol proves each node (public, from the model) ----
enum class Kind { kMatmul, kConv, kReshape, kRelu };
struct NodePlan {
  size_t node = 0;
  Kind kind = Kind::kReshape;
  layers::MatmulShape mm;
  layers::ConvShape cv;
  int x = -1, w = -1, b = -1, y = -1;
  int shift = 0;     // rescale k (0: none)
  int bias_exp = 0;  // the executor multiplies the bias by 2^bias_exp
  layers::ReluParams relu;
};

bool is_weight(const quant::CompiledModel& m, int t) {
  return t >= 0 && m.graph.tensors[t].is_const && !m.qconst[t].data.empty();
}

std::string node_label(const quant::CompiledModel& m, size_t i) {
  return "node " + std::to_string(i) + " (" + m.graph.nodes[i].name + ", " + m.graph.nodes[i].op_type + ")";
}

int shift_of(const ops::QParams& p) {
  auto it = p.ints.find("shift");
  return it == p.ints.end() ? 0 : static_cast<int>(it->second);
}

std::vector<NodePlan> make_plan(const quant::CompiledModel& m) {
  const auto& g = m.graph;
  if (g.outputs.size() != 1) throw Error("proof: models with " + std::to_string(g.outputs.size()) + " outputs are not supported yet");
  std::vector<NodePlan> plan;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    NodePlan p;
    p.node = i;
    if (n.outputs.size() != 1) throw Error("proof: " + node_label(m, i) + " has several outputs");
    p.y = n.outputs[0];
    auto in = [&](size_t k) { return k < n.inputs.size() ? n.inputs[k] : -1; };
    const std::string& op = n.op_type;
    if (op == "Gemm" || op == "MatMul") {
      p.kind = Kind::kMatmul;
      p.x = in(0);
      p.w = in(1);
      p.b = op == "Gemm" ? in(2) : -1;
      p.shift = shift_of(m.params[i]);
      auto ad = dims_of(m, p.x), bd = dims_of(m, p.w), yd = dims_of(m, p.y);
      if (ad.size() != 2 || bd.size() != 2 || yd.size() != 2)
        throw Error("proof: " + node_label(m, i) + ": only rank-2 products are supported yet");
      auto& s = p.mm;
      s.trans_a = op == "Gemm" && n.attrs.get_int("transA", 0) != 0;
      s.trans_b = op == "Gemm" && n.attrs.get_int("transB", 0) != 0;
      s.m = s.trans_a ? ad[1] : ad[0];
      s.k = s.trans_a ? ad[0] : ad[1];
      s.n = s.trans_b ? bd[0] : bd[1];
      if (p.b >= 0) {
        if (!is_weight(m, p.b)) throw Error("proof: " + node_label(m, i) + ": the bias must be a constant");
        auto cd = dims_of(m, p.b);
        s.bias = true;
        if (cd.size() == 1) {
          s.bias_cols = cd[0] == s.n && s.n > 1;
        } else if (cd.size() == 2) {
          s.bias_rows = cd[0] == s.m && s.m > 1;
          s.bias_cols = cd[1] == s.n && s.n > 1;
        } else {
          throw Error("proof: " + node_label(m, i) + ": bias of rank " + std::to_string(cd.size()));
        }
        if (s.bias_shape().num_vars() != shape_of(m, p.b).num_vars())
          throw Error("proof: " + node_label(m, i) + ": bias layout not supported");
        p.bias_exp = m.scales[p.x] + m.scales[p.w] - m.scales[p.b];
        if (p.bias_exp < 0 || p.bias_exp > 60) throw Error("proof: " + node_label(m, i) + ": bias scale");
      }
      if (auto why = s.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
      if (s.y_shape().dims() != yd) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
    } else if (op == "Conv") {
      p.kind = Kind::kConv;
      p.x = in(0);
      p.w = in(1);
      p.b = in(2);
      p.shift = shift_of(m.params[i]);
      const auto& xs = g.tensors[p.x].shape;
      const auto& ws = g.tensors[p.w].shape;
      if (xs.size() != 4 || ws.size() != 4) throw Error("proof: " + node_label(m, i) + ": only 2-D convolutions are supported yet");
      ops::Window win = ops::make_window(n, xs, ops::Shape(ws.begin() + 2, ws.end()), false);
      auto& s = p.cv;
      s.n = xs[0], s.c = xs[1], s.h = xs[2], s.w = xs[3];
      s.co = ws[0], s.kh = ws[2], s.kw = ws[3];
      s.stride_h = win.sh, s.stride_w = win.sw, s.dil_h = win.dh, s.dil_w = win.dw;
      s.pad_top = win.pt, s.pad_left = win.pl, s.pad_bottom = win.pb, s.pad_right = win.pr;
      s.groups = static_cast<size_t>(n.attrs.get_int("group", 1));
      if (p.b >= 0) {
        if (!is_weight(m, p.b)) throw Error("proof: " + node_label(m, i) + ": the bias must be a constant");
        s.bias = true;
        p.bias_exp = m.scales[p.x] + m.scales[p.w] - m.scales[p.b];
        if (p.bias_exp < 0 || p.bias_exp > 60) throw Error("proof: " + node_label(m, i) + ": bias scale");
      }
      if (auto why = s.invalid()) throw Error("proof: " + node_label(m, i) + ": " + *why);
      if (s.y_shape().dims() != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": output shape mismatch");
    } else if (op == "Relu") {
      p.kind = Kind::kRelu;
      p.x = in(0);
      if (dims_of(m, p.x) != dims_of(m, p.y)) throw Error("proof: " + node_label(m, i) + ": shape mismatch");
      p.relu.dims = dims_of(m, p.y);
      p.relu.shift = 0;
      p.relu.bits = static_cast<size_t>(m.bits[p.x]);
      if (p.relu.bits < 1 || p.relu.bits > 60) throw Error("proof: " + node_label(m, i) + ": bit bound out of range");
    } else if (op == "Flatten" || op == "Reshape" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze") {
      p.kind = Kind::kReshape;
      p.x = in(0);
      PaddedShape xs = shape_of(m, p.x), ys = shape_of(m, p.y);
      if (xs.num_vars() != ys.num_vars() || index_map(xs) != index_map(ys))
        throw Error("proof: " + node_label(m, i) + ": reshape is not free on the padded layout (re-indexing claim reduction not implemented yet)");
    } else {
      throw Error("proof: " + node_label(m, i) + ": no protocol for " + op + " yet");
    }
    if (p.shift < 0 || p.shift > 40) throw Error("proof: " + node_label(m, i) + ": rescale shift out of range");
    plan.push_back(p);
  }
  for (int t : g.inputs)
    if (is_weight(m, t)) throw Error("proof: input is a constant");
  return plan;
}

size_t params_log_cols(const quant::CompiledModel& m, const std::vector<NodePlan>& plan) {
  size_t nv = 0;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    if (is_weight(m, static_cast<int>(t))) nv = std::max(nv, shape_of(m, static_cast<int>(t)).num_vars());
  for (int t : m.graph.inputs) nv = std::max(nv, shape_of(m, t).num_vars());
  for (const auto& p : plan)
    if (p.shift > 0) nv = std::max({nv, shape_of(m, p.y).num_vars(), static_cast<size_t>(p.shift)});
  for (const auto& p : plan)
    if (p.kind == Kind::kRelu)
      for (const auto& a : layers::relu_advice_shapes(p.relu)) nv = std::max(nv, a.num_vars);
  return pcs::default_log_cols(nv);
}

const pcs::HyraxParams& params_for(size_t log_cols) {
  static std::map<size_t, std::unique_ptr<pcs::HyraxParams>> cache;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = cache[log_cols];
  if (!p) p = std::make_unique<pcs::HyraxParams>(log_cols);
  return *p;
}

void absorb_i64s(transcript::Transcript& tr, std::string_view label, std::span<const int64_t> v) {
  ByteWriter w;
  w.u64(v.size());
  for (int64_t x : v) w.u64(static_cast<uint64_t>(x));
  tr.absorb_bytes(label, w.data());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Verifying key

void VerifyingKey::serialize(ByteWriter& w) const {
  w.bytes(kVkMagic);
  w.u32(kProofVersion);
  w.bytes(model_digest);
  w.u64(weights.size());
  uint64_t count = 0;
  for (const auto& c : weights) count += c.has_value();
  w.u64(count);
  for (size_t t = 0; t < weights.size(); ++t)
    if (weights[t]) {
      w.u32(static_cast<uint32_t>(t));
      weights[t]->serialize(w);
    }
}

VerifyingKey VerifyingKey::deserialize(ByteReader& r) {
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kVkMagic.begin())) r.fail("vk: bad magic");
  if (r.u32() != kProofVersion) r.fail("vk: unsupported version");
  VerifyingKey vk;
  auto d = r.bytes(32);
  std::copy(d.begin(), d.end(), vk.model_digest.begin());
  uint64_t ntensors = r.count(0, uint64_t{1} << 24);
  vk.weights.resize(ntensors);
  uint64_t count = r.count(8, ntensors);
  uint32_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t t = r.u32();
    if (t >= ntensors || (i > 0 && t <= last)) r.fail("vk: bad tensor id");
    last = t;
    vk.weights[t] = pcs::HyraxCommitment::deserialize(r);
  }
  return vk;
}

size_t VerifyingKey::size_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.data().size();
}

std::array<uint8_t, 32> VerifyingKey::digest() const {
  ByteWriter w;
  serialize(w);
  return hash::keccak256(w.data());
}

std::optional<std::string> unsupported(const quant::CompiledModel& model) {
  try {
    make_plan(model);
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

VerifyingKey setup(const quant::CompiledModel& model) {
  auto plan = make_plan(model);
  const auto& params = params_for(params_log_cols(model, plan));
  VerifyingKey vk;
  vk.model_digest = model.digest;
  vk.weights.resize(model.graph.tensors.size());
  for (size_t t = 0; t < model.graph.tensors.size(); ++t) {
    if (!is_weight(model, static_cast<int>(t))) continue;
    PaddedShape s = shape_of(model, static_cast<int>(t));
    auto vals = padded_i64(s, model.qconst[t].data);
    pcs::HyraxLayout lay = pcs::layout_for(vals.size(), pcs::default_log_cols(s.num_vars()));
    std::vector<Fr> zero(lay.num_rows(), Fr::zero());
    vk.weights[t] = pcs::commit_with_blinds(params, std::span<const int64_t>(vals), lay.log_cols, zero);
  }
  return vk;
}

// ---------------------------------------------------------------------------------------------
// Prover

std::vector<uint8_t> prove(const quant::CompiledModel& model, const VerifyingKey& vk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats) {
  auto plan = make_plan(model);
  if (vk.model_digest != model.digest) throw Error("proof: the proving key is for another model");
  const auto& params = params_for(params_log_cols(model, plan));
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  auto t0 = std::chrono::steady_clock::now();

  transcript::Transcript tr(kProofDomain);
  ByteWriter w;
  w.bytes(kProofMagic);
  w.u32(kProofVersion);
  auto vkd = vk.digest();
  w.bytes(vkd);
  tr.absorb_bytes("proof.vk_digest", vkd);

  const int t_out = g.outputs[0];
  const auto& out = trace.values[t_out].data;
  w.u64(out.size());
  for (int64_t v : out) w.u64(static_cast<uint64_t>(v));
  absorb_i64s(tr, "proof.output", out);

  // Fr tables of every committed tensor (kept alive for the batch opening).
  std::deque<std::vector<Fr>> tables;
  std::deque<pcs::HyraxCommitted> committed;
  auto commit_i64 = [&](std::span<const int64_t> padded) -> pcs::HyraxCommitted& {
    size_t nv = layers::ceil_log2(padded.size());
    pcs::HyraxLayout lay = pcs::layout_for(padded.size(), pcs::default_log_cols(nv));
    std::vector<Fr> blinds(lay.num_rows());
    for (auto& b : blinds) b = random();
    auto c = pcs::commit_with_blinds(params, padded, lay.log_cols, blinds);
    committed.push_back({std::move(c), pcs::HyraxBlinds{std::move(blinds)}});
    committed.back().commitment.serialize(w);
    committed.back().commitment.absorb_into(tr);
    return committed.back();
  };

  std::vector<const pcs::HyraxCommitted*> input_com(nt, nullptr);
  std::vector<const std::vector<Fr>*> input_table(nt, nullptr);
  for (int t : g.inputs) {
    PaddedShape s = shape_of(model, t);
    auto p = padded_i64(s, trace.values[t].data);
    input_com[t] = &commit_i64(p);
    tables.push_back(to_fr(p));
    input_table[t] = &tables.back();
  }
  // Advice: per rescaling node (reverse order), remainder then multiplicities.
  struct Advice {
    const pcs::HyraxCommitted* rem_com = nullptr;
    const pcs::HyraxCommitted* mult_com = nullptr;
    const std::vector<Fr>* rem = nullptr;
    const std::vector<Fr>* mult = nullptr;
    std::unique_ptr<layers::ReluProver> relu;
    std::vector<const pcs::HyraxCommitted*> nl_com;  // the layer's advice, in its order
    std::vector<const std::vector<Fr>*> nl_table;
  };
  std::vector<Advice> advice(plan.size());
  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    if (p.kind == Kind::kRelu) {
      auto& a = advice[pi];
      a.relu = std::make_unique<layers::ReluProver>(p.relu, trace.values[p.x].data);
      for (const auto& adv : a.relu->advice()) {
        a.nl_com.push_back(&commit_i64(adv.values));
        tables.push_back(to_fr(adv.values));
        a.nl_table.push_back(&tables.back());
      }
      continue;
    }
    if (p.shift <= 0) continue;
    const ops::ITensor* rem = nullptr;
    for (const auto& [k, v] : trace.aux[p.node])
      if (k == "out.rem") rem = &v;
    ZKINFER_CHECK(rem != nullptr);
    auto rp = padded_i64(shape_of(model, p.y), rem->data);
    advice[pi].rem_com = &commit_i64(rp);
    tables.push_back(to_fr(rp));
    advice[pi].rem = &tables.back();
    auto table = lookup::LookupTable<Fr>::range(p.shift);
    auto mult = lookup::compute_multiplicities<Fr>(table, {*advice[pi].rem});
    std::vector<int64_t> mi(mult.counts.begin(), mult.counts.end());
    advice[pi].mult_com = &commit_i64(mi);
    tables.push_back(to_fr(mi));
    advice[pi].mult = &tables.back();
  }
  if (stats) stats->commit_s = seconds_since(t0);

  std::vector<std::vector<Claim>> claims(nt);
  std::vector<pcs::OpeningWitness> openings;
  auto open_at = [&](const pcs::HyraxCommitted* c, const std::vector<Fr>* values, std::vector<Fr> point, const Fr& v) {
    openings.push_back({&c->commitment, &c->blinds, *values, std::move(point), pcs::ProverClaim::plain(v)});
  };

  {
    PaddedShape s = shape_of(model, t_out);
    auto z = tr.challenges<Fr>("proof.output_point", s.num_vars());
    Fr v = mle_eval(layers::padded_table(s, out), z);
    claims[t_out].push_back({std::move(z), v});
  }

  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    auto tn = std::chrono::steady_clock::now();
    std::vector<Claim> cl = std::move(claims[p.y]);
    claims[p.y].clear();
    if (cl.empty()) continue;
    PaddedShape ys = shape_of(model, p.y);
    if (p.kind == Kind::kReshape) {
      for (auto& c : cl) claims[p.x].push_back(std::move(c));
      if (stats) stats->per_node.emplace_back(g.nodes[p.node].name, seconds_since(tn));
      continue;
    }
    if (cl.size() > 1) {
      layers::CombineProof cp;
      auto yt = layers::padded_table(ys, trace.values[p.y].data);
      Claim one = layers::prove_combine(yt, ys.num_vars(), cl, tr, &cp);
      cp.serialize(w);
      cl = {std::move(one)};
    }
    if (p.kind == Kind::kRelu) {
      auto& a = advice[pi];
      std::vector<Claim> in_claims;
      std::vector<layers::AdviceClaim> adv_claims;
      auto nl = a.relu->prove(cl, tr, &in_claims, &adv_claims);
      nl.serialize(w);
      for (auto& c : in_claims) claims[p.x].push_back(std::move(c));
      for (auto& c : adv_claims) open_at(a.nl_com[c.advice], a.nl_table[c.advice], c.claim.point, c.claim.value);
      if (stats) stats->per_node.emplace_back(g.nodes[p.node].name, seconds_since(tn));
      continue;
    }
    Claim acc = cl[0];
    if (p.shift > 0) {
      const auto& a = advice[pi];
      Fr rem_eval = mle_eval(*a.rem, acc.point);
      sumcheck::write_field(w, rem_eval);
      tr.absorb("proof.rem_eval", rem_eval);
      open_at(a.rem_com, a.rem, acc.point, rem_eval);
      acc.value = pow2(p.shift) * cl[0].value + rem_eval - pow2(p.shift - 1) * indicator_eval(ys, acc.point);
      auto table = lookup::LookupTable<Fr>::range(p.shift);
      auto res = lookup::prove<Fr>(table, {*a.rem}, *a.mult, tr);
      res.proof.serialize(w);
      open_at(a.rem_com, a.rem, res.claims.witness_point, res.claims.witness_evals[0]);
      open_at(a.mult_com, a.mult, res.claims.multiplicity_point, res.claims.multiplicity_eval);
    }
    std::vector<Fr> bias;
    if (p.b >= 0) {
      std::vector<int64_t> bv = trace.values[p.b].data;
      for (auto& v : bv) v *= int64_t{1} << p.bias_exp;
      bias = layers::padded_table(shape_of(model, p.b), bv);
    }
    const Fr bias_unscale = pow2(p.bias_exp).inverse();
    std::vector<Claim> accs{acc};
    if (p.kind == Kind::kMatmul) {
      layers::MatmulClaims mc;
      auto proof = layers::prove_matmul(p.mm, trace.values[p.x].data, trace.values[p.w].data, bias, accs, tr, &mc);
      proof.serialize(w);
      for (auto& c : mc.a) claims[p.x].push_back(std::move(c));
      for (auto& c : mc.b) claims[p.w].push_back(std::move(c));
      for (auto& c : mc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
    } else {
      layers::ConvClaims cc;
      auto proof = layers::prove_conv(p.cv, trace.values[p.x].data, trace.values[p.w].data, bias, accs, tr, &cc);
      proof.serialize(w);
      claims[p.x].push_back(std::move(cc.x));
      for (auto& c : cc.w) claims[p.w].push_back(std::move(c));
      for (auto& c : cc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
    }
    if (stats) stats->per_node.emplace_back(g.nodes[p.node].name, seconds_since(tn));
  }

  auto to = std::chrono::steady_clock::now();
  // Weights' Fr tables and zero blinds.
  std::deque<pcs::HyraxBlinds> zero_blinds;
  for (size_t t = 0; t < nt; ++t) {
    if (claims[t].empty()) continue;
    if (input_com[t]) {
      for (auto& c : claims[t]) open_at(input_com[t], input_table[t], c.point, c.value);
    } else if (is_weight(model, static_cast<int>(t))) {
      const auto& com = *vk.weights[t];
      tables.push_back(layers::padded_table(shape_of(model, static_cast<int>(t)), model.qconst[t].data));
      zero_blinds.push_back({std::vector<Fr>(com.layout.num_rows(), Fr::zero())});
      for (auto& c : claims[t])
        openings.push_back({&com, &zero_blinds.back(), tables.back(), c.point, pcs::ProverClaim::plain(c.value)});
    } else {
      ZKINFER_CHECK(false && "claims left on an unproven tensor");
    }
  }
  auto batch = pcs::prove_batch(params, openings, tr, random);
  batch.serialize(w);
  if (stats) stats->open_s = seconds_since(to);
  return w.data();
}

// ---------------------------------------------------------------------------------------------
// Verifier

namespace {

Verdict verify_impl(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> bytes,
                    ops::ITensor* output) {
  std::vector<NodePlan> plan;
  try {
    plan = make_plan(model);
  } catch (const Error& e) {
    return Verdict::reject(std::string("model: ") + e.what());
  }
  if (vk.model_digest != model.digest) return Verdict::reject("vk: the verifying key is for another model");
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  if (vk.weights.size() != nt) return Verdict::reject("vk: tensor count differs from the model");
  for (size_t t = 0; t < nt; ++t) {
    bool want = is_weight(model, static_cast<int>(t));
    if (want != vk.weights[t].has_value()) return Verdict::reject("vk: weight commitments do not match the model");
    if (want && vk.weights[t]->layout.num_vars != shape_of(model, static_cast<int>(t)).num_vars())
      return Verdict::reject("vk: weight commitment layout does not match the model");
  }
  const auto& params = params_for(params_log_cols(model, plan));

  ByteReader r(bytes);
  transcript::Transcript tr(kProofDomain);
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kProofMagic.begin())) return Verdict::reject("proof: bad magic");
  if (r.u32() != kProofVersion) return Verdict::reject("proof: unsupported version");
  auto vkd = vk.digest();
  auto pd = r.bytes(32);
  if (!std::equal(pd.begin(), pd.end(), vkd.begin())) return Verdict::reject("proof: made for another verifying key");
  tr.absorb_bytes("proof.vk_digest", vkd);

  const int t_out = g.outputs[0];
  PaddedShape os = shape_of(model, t_out);
  uint64_t n_out = r.u64();
  if (n_out != os.unpadded_size()) return Verdict::reject("proof: output size differs from the model");
  std::vector<int64_t> out(n_out);
  const int bits = model.bits[t_out];
  for (auto& v : out) {
    v = static_cast<int64_t>(r.u64());
    if (bits < 63 && (v >= (int64_t{1} << bits) || v <= -(int64_t{1} << bits)))
      return Verdict::reject("proof: output value outside the tensor's bit bound");
  }
  absorb_i64s(tr, "proof.output", out);

  auto read_commitment = [&](size_t num_vars) -> pcs::HyraxCommitment {
    auto c = pcs::HyraxCommitment::deserialize(r);
    if (c.layout.num_vars != num_vars || c.layout.log_cols != pcs::default_log_cols(num_vars))
      r.fail("commitment layout differs from the model");
    c.absorb_into(tr);
    return c;
  };
  std::deque<pcs::HyraxCommitment> coms;
  std::vector<const pcs::HyraxCommitment*> input_com(nt, nullptr);
  for (int t : g.inputs) {
    coms.push_back(read_commitment(shape_of(model, t).num_vars()));
    input_com[t] = &coms.back();
  }
  std::vector<const pcs::HyraxCommitment*> rem_com(plan.size(), nullptr), mult_com(plan.size(), nullptr);
  std::vector<std::vector<const pcs::HyraxCommitment*>> nl_com(plan.size());
  for (size_t pi = plan.size(); pi-- > 0;) {
    if (plan[pi].kind == Kind::kRelu) {
      for (const auto& a : layers::relu_advice_shapes(plan[pi].relu)) {
        coms.push_back(read_commitment(a.num_vars));
        nl_com[pi].push_back(&coms.back());
      }
      continue;
    }
    if (plan[pi].shift <= 0) continue;
    coms.push_back(read_commitment(shape_of(model, plan[pi].y).num_vars()));
    rem_com[pi] = &coms.back();
    coms.push_back(read_commitment(static_cast<size_t>(plan[pi].shift)));
    mult_com[pi] = &coms.back();
  }

  std::vector<std::vector<Claim>> claims(nt);
  std::vector<pcs::OpeningClaim> openings;
  auto open_at = [&](const pcs::HyraxCommitment* c, std::vector<Fr> point, const Fr& v) {
    openings.push_back({c, std::move(point), pcs::EvalClaim::plain(v)});
  };
  {
    auto z = tr.challenges<Fr>("proof.output_point", os.num_vars());
    Fr v = mle_eval(layers::padded_table(os, out), z);
    claims[t_out].push_back({std::move(z), v});
  }

  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto& p = plan[pi];
    const std::string where = node_label(model, p.node);
    std::vector<Claim> cl = std::move(claims[p.y]);
    claims[p.y].clear();
    if (cl.empty()) continue;
    PaddedShape ys = shape_of(model, p.y);
    if (p.kind == Kind::kReshape) {
      for (auto& c : cl) claims[p.x].push_back(std::move(c));
      continue;
    }
    if (cl.size() > 1) {
      auto cp = layers::CombineProof::deserialize(r, ys.num_vars(), cl.size());
      Claim one;
      if (Verdict v = layers::verify_combine(ys.num_vars(), cl, cp, tr, &one); !v) return v.within(where + ": combine");
      cl = {std::move(one)};
    }
    if (p.kind == Kind::kRelu) {
      auto nl = layers::deserialize_proof(r, layers::relu_proof_layout(p.relu, cl.size()));
      std::vector<Claim> in_claims;
      std::vector<layers::AdviceClaim> adv_claims;
      if (Verdict v = layers::verify_relu(p.relu, cl, nl, tr, &in_claims, &adv_claims); !v) return v.within(where + ": relu");
      for (auto& c : in_claims) claims[p.x].push_back(std::move(c));
      for (auto& c : adv_claims) {
        if (c.advice >= nl_com[pi].size()) return Verdict::reject(where + ": relu: claim on unknown advice");
        open_at(nl_com[pi][c.advice], std::move(c.claim.point), c.claim.value);
      }
      continue;
    }
    Claim acc = cl[0];
    if (p.shift > 0) {
      Fr rem_eval = sumcheck::read_field<Fr>(r);
      tr.absorb("proof.rem_eval", rem_eval);
      open_at(rem_com[pi], acc.point, rem_eval);
      acc.value = pow2(p.shift) * cl[0].value + rem_eval - pow2(p.shift - 1) * indicator_eval(ys, acc.point);
      auto table = lookup::LookupTable<Fr>::range(p.shift);
      auto lp = lookup::LogupProof<Fr>::deserialize(r, ys.num_vars(), table.log_size(), 1);
      lookup::LookupClaims<Fr> lc;
      if (Verdict v = lookup::verify<Fr>(table, ys.num_vars(), lp, tr, &lc); !v)
        return v.within(where + ": rescale remainder range check");
      if (lc.witness_evals.size() != 1) return Verdict::reject(where + ": range check: witness evaluations");
      open_at(rem_com[pi], lc.witness_point, lc.witness_evals[0]);
      open_at(mult_com[pi], lc.multiplicity_point, lc.multiplicity_eval);
    }
    const Fr bias_unscale = pow2(p.bias_exp).inverse();
    std::vector<Claim> accs{acc};
    if (p.kind == Kind::kMatmul) {
      auto proof = layers::MatmulProof::deserialize(r, p.mm, 1);
      layers::MatmulClaims mc;
      if (Verdict v = layers::verify_matmul(p.mm, accs, proof, tr, &mc); !v) return v.within(where + ": matmul");
      for (auto& c : mc.a) claims[p.x].push_back(std::move(c));
      for (auto& c : mc.b) claims[p.w].push_back(std::move(c));
      for (auto& c : mc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
    } else {
      auto proof = layers::ConvProof::deserialize(r, p.cv, 1);
      layers::ConvClaims cc;
      if (Verdict v = layers::verify_conv(p.cv, accs, proof, tr, &cc); !v) return v.within(where + ": conv");
      claims[p.x].push_back(std::move(cc.x));
      for (auto& c : cc.w) claims[p.w].push_back(std::move(c));
      for (auto& c : cc.bias) claims[p.b].push_back({std::move(c.point), c.value * bias_unscale});
    }
  }

  for (size_t t = 0; t < nt; ++t) {
    if (claims[t].empty()) continue;
    const pcs::HyraxCommitment* c = input_com[t] ? input_com[t] : (vk.weights[t] ? &*vk.weights[t] : nullptr);
    if (!c) return Verdict::reject("proof: claims left on tensor " + g.tensors[t].name + " that nothing proves");
    for (auto& cl : claims[t]) open_at(c, cl.point, cl.value);
  }
  auto batch = pcs::HyraxBatchProof::deserialize(r);
  r.expect_end();
  if (Verdict v = pcs::verify_batch(params, openings, batch, tr); !v) return v.within("batch opening");
  if (output) {
    ops::ITensor t(g.tensors[t_out].shape, ops::DType::kInt);
    t.data = out;
    t.scale = model.scales[t_out];
    *output = std::move(t);
  }
  return Verdict::accept();
}

}  // namespace

Verdict verify(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
               ops::ITensor* output) {
  try {
    return verify_impl(model, vk, proof, output);
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("proof decoding: ") + e.what());
  } catch (const Error& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  }
}

}  // namespace zkinfer::proof
