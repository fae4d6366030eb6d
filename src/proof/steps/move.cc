// Data movement (layers/reindex.h, docs/protocol/layers.md section 8): Reshape, Flatten,
// Identity, Squeeze, Unsqueeze, no-op Cast, Transpose, Slice, Pad, Expand, Tile, Trilu, Gather by
// constant indices; Concat; and Neg (a claim's value negated). Free where every index map is the
// identity on the padded layout (and for reshapes whose input and output have the same padded
// table); otherwise one degree-2 sumcheck.
#include "layers/reindex.h"
#include "proof/evm_verifier.h"
#include "proof/steps/steps.h"
#include "snark/cfr.h"

namespace zkinfer::proof {
namespace {

class NegStep : public Step {
 public:
  bool free_move() const override { return true; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    for (auto& c : cl) c.value = -c.value;
    env.add_claims(x, std::move(cl));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override {
    e.line(e.driver() + ".negate(cl);");
    e.pass_to(x);
    return true;
  }
};

class NegProver : public StepProver {
 public:
  const NegStep& s;
  explicit NegProver(const NegStep& st) : s(st) {}
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    for (auto& c : cl) c.value = -c.value;
    env.add_claims(s.x, std::move(cl));
  }
};

std::unique_ptr<StepProver> NegStep::prover(ProverEnv&) const { return std::make_unique<NegProver>(*this); }

// A reshape whose input and output have the same padded table (layers/layout.h): every entry
// keeps its table index and the padding is the same, so the two MLEs are one polynomial and a
// claim on y is the same claim on x. That holds when, in each of the map's non-identity groups,
// every axis after the group's first is a power of two on both sides: the group's padded index
// is then its row-major index, and its padded size 2^ceil(log2(group size)) on both sides.
// (reshape_map leaves such groups, e.g. [1, 65536] -> [128, 512], to a sumcheck.)
bool same_padded_layout(const layers::ReindexMap& m) {
  auto pow2_tail = [](const std::vector<size_t>& dims, const std::vector<size_t>& axes) {
    for (size_t k = 1; k < axes.size(); ++k) {
      const size_t d = dims[axes[k]];
      if (d == 0 || (d & (d - 1)) != 0) return false;
    }
    return true;
  };
  for (const auto& g : m.groups) {
    if (g.identity) continue;
    if (!pow2_tail(m.y_dims, g.y_axes) || !pow2_tail(m.x_dims, g.x_axes)) return false;
  }
  return layers::PaddedShape(m.x_dims).num_vars() == layers::PaddedShape(m.y_dims).num_vars();
}

class ReindexStep : public Step {
 public:
  layers::ReindexMap rmap;
  bool same_layout = false;  // a reshape with one padded table for x and y: claims pass unchanged
  bool free_move() const override { return same_layout || rmap.sumcheck_vars() == 0; }
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    if (same_layout) {
      env.add_claims(x, std::move(cl));
      return Verdict::accept();
    }
    auto rp = layers::ReindexProofT<F>::deserialize(env.r, rmap, cl.size());
    std::vector<layers::ClaimT<F>> in;
    if (Verdict v = layers::verify_reindex_as<F>(rmap, cl, rp, env.tr, &in); !v)
      return v.within(env.where + ": data movement");
    env.add_claims(x, std::move(in));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
  bool evm(EvmCode& e) const override {
    if (same_layout) {
      e.pass_to(x);
      return true;
    }
    // The map as ZkReindex.ReindexMap: groups built first (a group whose map is 0, 1, .., n-1 is
    // sent as `iota`, without its map).
    e.line("ZkReindex.ReindexGroup[] memory gs = new ZkReindex.ReindexGroup[](" + sol_uint(rmap.groups.size()) + ");");
    for (size_t i = 0; i < rmap.groups.size(); ++i) {
      const auto& g = rmap.groups[i];
      bool iota = !g.identity && !g.map.empty();
      for (size_t k = 0; iota && k < g.map.size(); ++k) iota = g.map[k] == static_cast<int64_t>(k);
      const std::string map = g.identity || iota ? "new int256[](0)" : "ZkDriver.unpackI64(" + sol_i64_bytes(g.map) + ")";
      e.line("gs[" + sol_uint(i) + "] = ZkReindex.ReindexGroup(" + sol_uints(g.y_axes) + ", " + sol_uints(g.x_axes) + ", " +
             sol_bool(g.identity) + ", " + sol_bool(iota) + ", " + map + ");");
    }
    e.routine("ZkReindex", "verifyReindex", "ZkReindex.ReindexMap memory",
              "ZkReindex.ReindexMap(" + sol_uints(rmap.x_dims) + ", " + sol_uints(rmap.y_dims) + ", gs, int256(" +
                  std::to_string(rmap.pad_value) + "))");
    e.claims_to(x, "x");
    return true;
  }
};

class ReindexProver : public StepProver {
 public:
  const ReindexStep& s;
  explicit ReindexProver(const ReindexStep& st) : s(st) {}
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    if (s.same_layout) {
      env.add_claims(s.x, std::move(cl));
      return;
    }
    layers::ReindexProof rp;
    auto in = layers::prove_reindex(s.rmap, env.values(s.x), cl, env.tr, &rp);
    rp.serialize(env.w);
    env.add_claims(s.x, std::move(in));
  }
};

std::unique_ptr<StepProver> ReindexStep::prover(ProverEnv&) const { return std::make_unique<ReindexProver>(*this); }

class ConcatStep : public Step {
 public:
  layers::ConcatParams cc;
  std::vector<int> ins;
  std::unique_ptr<StepProver> prover(ProverEnv&) const override;
  template <class F>
  Verdict verify_as(VerifierEnvT<F>& env, std::vector<layers::ClaimT<F>> cl) const {
    auto cp = layers::ConcatProofT<F>::deserialize(env.r, cc, cl.size());
    std::vector<std::vector<layers::ClaimT<F>>> parts;
    if (Verdict v = layers::verify_concat_as<F>(cc, cl, cp, env.tr, &parts); !v) return v.within(env.where + ": concat");
    if (parts.size() != ins.size()) return Verdict::reject(env.where + ": concat: claims per input");
    for (size_t j = 0; j < ins.size(); ++j) env.add_claims(ins[j], std::move(parts[j]));
    return Verdict::accept();
  }
  ZKINFER_STEP_VERIFIERS
};

class ConcatProver : public StepProver {
 public:
  const ConcatStep& s;
  explicit ConcatProver(const ConcatStep& st) : s(st) {}
  void prove(ProverEnv& env, std::vector<Claim> cl) override {
    std::vector<std::span<const int64_t>> xs;
    for (int t : s.ins) xs.push_back(env.values(t));
    layers::ConcatProof cp;
    auto parts = layers::prove_concat(s.cc, xs, cl, env.tr, &cp);
    cp.serialize(env.w);
    for (size_t j = 0; j < s.ins.size(); ++j) env.add_claims(s.ins[j], std::move(parts[j]));
  }
};

std::unique_ptr<StepProver> ConcatStep::prover(ProverEnv&) const { return std::make_unique<ConcatProver>(*this); }

bool is_reshape_op(const std::string& op) {
  return op == "Flatten" || op == "Reshape" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Cast";  // Cast only where it is a no-op on values (the front end refuses the rest)
}

}  // namespace

std::unique_ptr<Step> plan_neg(const PlanContext& c) {
  auto p = new_step<NegStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  if (c.dims(p->x) != c.dims(p->y)) c.fail("shape mismatch");
  return p;
}

std::unique_ptr<Step> plan_concat(const PlanContext& c) {
  const auto& m = c.m;
  auto p = new_step<ConcatStep>(c);
  const int so = m.params[c.node].out_scales.empty() ? m.scales[p->y] : m.params[c.node].out_scales[0];
  auto& cc = p->cc;
  int64_t axis = c.n().attrs.get_int("axis", 0);
  const int64_t r = static_cast<int64_t>(m.graph.tensors[p->y].shape.size());
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) c.fail("axis out of range");
  cc.axis = static_cast<size_t>(axis);
  for (int t : c.n().inputs) {
    if (t < 0) continue;
    if (is_weight(m, t)) c.fail("constant inputs to Concat are not supported yet");
    p->ins.push_back(t);
    cc.in_dims.push_back(c.dims(t));
    const int up = so - m.scales[t];
    if (up < 0 || up > 40) c.fail("an input is rescaled down (not supported yet)");
    cc.up.push_back(static_cast<size_t>(up));
  }
  if (p->ins.empty()) c.fail("no inputs");
  p->x = p->ins[0];
  if (auto why = cc.invalid()) c.fail(*why);
  if (cc.out_dims() != c.dims(p->y)) c.fail("output shape mismatch");
  return p;
}

std::unique_ptr<Step> plan_reindex(const PlanContext& c) {
  const auto& m = c.m;
  const auto& n = c.n();
  const std::string& op = c.op();
  const size_t i = c.node;
  auto p = new_step<ReindexStep>(c);
  p->x = c.in(0);
  if (p->x < 0) c.fail("missing input");
  const auto xd = c.dims(p->x), yd = c.dims(p->y);
  if (is_reshape_op(op)) {
    p->rmap = layers::reshape_map(xd, yd);
  } else if (op == "Transpose") {
    std::vector<size_t> perm;
    auto pv = n.attrs.get_ints("perm");
    if (pv.empty())
      for (size_t k = xd.size(); k-- > 0;) perm.push_back(k);
    for (int64_t v : pv) {
      if (v < 0 || v >= static_cast<int64_t>(xd.size())) c.fail("bad perm");
      perm.push_back(static_cast<size_t>(v));
    }
    p->rmap = layers::transpose_map(xd, perm);
  } else if (op == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (n.opset < 10) {
      starts = n.attrs.get_ints("starts");
      ends = n.attrs.get_ints("ends");
      axes = n.attrs.get_ints("axes");
    } else {
      starts = int_const(m, i, c.in(1), "starts");
      ends = int_const(m, i, c.in(2), "ends");
      if (c.in(3) >= 0) axes = int_const(m, i, c.in(3), "axes");
      if (c.in(4) >= 0) steps = int_const(m, i, c.in(4), "steps");
    }
    p->rmap = layers::slice_map(xd, starts, ends, axes, steps);
  } else if (op == "Expand") {
    p->rmap = layers::expand_map(xd, yd);
  } else if (op == "Tile") {
    p->rmap = layers::tile_map(xd, int_const(m, i, c.in(1), "repeats"));
  } else if (op == "Gather") {
    int64_t axis = n.attrs.get_int("axis", 0);
    if (axis < 0) axis += static_cast<int64_t>(xd.size());
    if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) c.fail("axis out of range");
    p->rmap = layers::gather_map(xd, static_cast<size_t>(axis), int_const(m, i, c.in(1), "indices"), c.dims(c.in(1)));
  } else if (op == "Trilu") {
    p->rmap = layers::trilu_map(xd, n.attrs.get_int("upper", 1) != 0, m.params[i].get("k"));
  } else {  // Pad
    std::vector<int64_t> pads = n.opset < 11 ? n.attrs.get_ints("pads") : int_const(m, i, c.in(1), "pads");
    if (n.opset >= 18 && c.in(3) >= 0) c.fail("Pad with axes is not supported yet");
    p->rmap = layers::pad_map(xd, pads, m.params[i].get("value"), n.attrs.get_string("mode", "constant"));
  }
  if (auto why = p->rmap.invalid()) c.fail(*why);
  if (p->rmap.y_dims != yd) c.fail("output shape mismatch");
  p->same_layout = is_reshape_op(op) && same_padded_layout(p->rmap);
  if (m.scales[p->x] != m.scales[p->y]) c.fail("scale changes across a data move");
  return p;
}

}  // namespace zkinfer::proof
