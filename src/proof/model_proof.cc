// The whole-model verifier and the keys (docs/PROOF.md): a driver over the step handlers (step.h,
// steps/): backward claim reduction over the graph, each node's claims checked by its step; one
// LogUp for all tables of the whole model; the zero-knowledge end section (zk/cp.h); and the reduced
// openings of every claim on the input, the weights and the advice. The prover is prover.cc.
#include "proof/model_proof.h"
#include "proof/driver.h"
#include "proof/key_cache.h"
#include "proof/key_constants.h"
#include "proof/packed_values.h"
#include "proof/wrap.h"
#include "proof/wrap_opening.h"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "common/check.h"
#include "hash/keccak.h"
#include "layers/bound.h"
#include "layers/combine.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "lookup/batch.h"
#include "pcs/hyrax_eval.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/kzg_scheme.h"
#include "pcs/reduced_opening.h"
#include "poly/mle.h"
#include "proof/model_facts.h"
#include "proof/step.h"
#include "proof/weight_bounds.h"
#include "quant/model_file.h"
#include "snark/poseidon_gadget.h"
#include "sumcheck/proof.h"
#include "transcript/poseidon_transcript.h"
#include "zk/cp_defer.h"
#include "zk/cp.h"
#include "zk/session.h"

namespace zkinfer::proof {

using field::Fr;
using layers::Claim;
using layers::PaddedShape;

namespace detail {

constexpr std::array<uint8_t, 4> kVkMagic = {'Z', 'K', 'V', 'K'};


// A blocker of node i from the planner's error message: the reason without the "proof: node i
// (name, op): " prefix the message starts with (the Blocker names the node itself).
Blocker blocker_at(const quant::CompiledModel& m, size_t i, std::string why) {
  const auto& n = m.graph.nodes[i];
  for (const std::string& prefix : {std::string("proof: ") + node_label(m, i) + ": ",
                                    "proof: node " + std::to_string(i) + " (" + n.name + "): ",
                                    std::string("proof: ") + node_label(m, i) + " ", std::string("proof: ")})
    if (why.starts_with(prefix)) {
      why = why.substr(prefix.size());
      break;
    }
  return Blocker{static_cast<int>(i), n.name, n.op_type, n.opset, why};
}
Blocker model_blocker(std::string why) {
  if (why.starts_with("proof: ")) why = why.substr(7);
  return Blocker{-1, "", "", 0, why};
}

// The plan, or every reason the model cannot be proven (in node order; the model-level ones
// first): each node is planned on its own, so one node's blocker does not hide the next one's.
std::vector<std::unique_ptr<Step>> plan_model(const quant::CompiledModel& m, std::vector<Blocker>& out) {
  const auto& g = m.graph;
  if (g.outputs.empty()) {
    out.push_back(model_blocker("the model has no outputs"));
    return {};
  }
  for (size_t a = 0; a < g.outputs.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (g.outputs[a] == g.outputs[b]) out.push_back(model_blocker("a tensor is listed twice among the outputs"));
  for (int t : g.inputs)
    if (is_weight(m, t)) out.push_back(model_blocker("input '" + g.tensors[t].name + "' is a constant"));
  Plan plan;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    try {
      const auto& n = g.nodes[i];
      const PlanContext c{m, i, plan};
      if (n.outputs.size() != 1) c.fail("has several outputs");
      for (int t : n.inputs)  // the protocols commit and sum over entries: an empty tensor has none
        if (t >= 0 && !g.tensors[t].is_const && ops::numel(g.tensors[t].shape) == 0)
          c.fail("input '" + g.tensors[t].name + "' has no entries (shape " + ops::shape_str(g.tensors[t].shape) + ")");
      if (ops::numel(g.tensors[n.outputs[0]].shape) == 0)
        c.fail("output '" + g.tensors[n.outputs[0]].name + "' has no entries (shape " +
               ops::shape_str(g.tensors[n.outputs[0]].shape) + ")");
      const StepEntry* e = find_step(n.op_type);
      if (e == nullptr) c.fail("no protocol for " + n.op_type + " yet");
      std::unique_ptr<Step> s = e->plan(c);
      ZKINFER_CHECK(s && s->node == i && s->y == n.outputs[0]);
      if (s->x < 0) c.fail("missing input");
      if (!s->constant_input_ok() && g.tensors[s->x].is_const) c.fail("constant input (fold it at compile time)");
      plan.push_back(std::move(s));
    } catch (const std::exception& e) {
      out.push_back(blocker_at(m, i, e.what()));
    }
  }
  for (auto& s : plan)
    try {
      s->finish_plan(m);
    } catch (const std::exception& e) {
      out.push_back(blocker_at(m, s->node, e.what()));
    }
  return plan;
}

// The plan; throws Error listing every blocker (setup, prove and verify refuse such a model).
Plan make_plan(const quant::CompiledModel& m) {
  std::vector<Blocker> bs;
  auto plan = plan_model(m, bs);
  if (!bs.empty()) throw Error(describe_blockers(bs));
  return plan;
}

// The bound check of each private model input and private output (its committed digits are the
// tensor's commitment).
layers::BoundParams input_bound(const quant::CompiledModel& m, int t, const char* what) {
  const int b = m.bits[t];
  if (b < 1 || b > 60) throw Error("proof: " + std::string(what) + " '" + m.graph.tensors[t].name + "': bit bound out of range");
  return layers::BoundParams{dims_of(m, t), static_cast<size_t>(b), true};
}

// The number of variables of the largest vector a proof or the key commits to.
// The widest vector a proof commits to (digits, advice, activation tables' multiplicities): not the
// weights, and not the range tables' bound 2^kDigitBits (their actual sizes, set by the digit
// planner, are at most the digits' advice in practice). It is only a layout choice for version-9
// keys (the row width L): a wider proof vector is opened unchunked and raises N' by itself.
static size_t max_proof_advice_vars(const quant::CompiledModel& m, const Plan& plan) {
  size_t nv = 0;
  for (int t : m.graph.inputs)
    if (!input_is_public(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t))) nv = std::max(nv, a.num_vars);
  for (int t : m.graph.outputs)
    if (output_is_private(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t, "output"))) nv = std::max(nv, a.num_vars);
  for (const auto& s : plan) {
    for (const auto& a : s->advice_shapes(m)) nv = std::max(nv, a.num_vars);
    // The model-wide lookups' multiplicities (one vector per table, lookup/batch.h): range tables
    // of up to 2^kDigitBits rows (below), activation tables of their own sizes.
    nv = std::max(nv, s->table_log_size());
  }
  return nv;
}

// The widest vector a proof may commit to: the above and range tables of up to 2^kDigitBits rows.
static size_t max_proof_vars(const quant::CompiledModel& m, const Plan& plan) {
  size_t nv = max_proof_advice_vars(m, plan);
  if (!plan.empty()) nv = std::max(nv, layers::kDigitBits);
  return nv;
}

size_t max_committed_vars(const quant::CompiledModel& m, const Plan& plan) {
  size_t nv = max_proof_vars(m, plan);
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    if (is_committed_weight(m, static_cast<int>(t))) nv = std::max(nv, shape_of(m, static_cast<int>(t)).num_vars());
  return nv;
}

// The variables of every vector a proof commits (its rows are MSM points of the verifier and
// points of the proof): the inputs' and a private output's bound digits, each step's advice, one
// multiplicity vector per lookup table (range tables of 2^kDigitBits rows, activation tables of
// their own sizes; a table shared by several steps counted once a size). A cost model only
// (params_log_cols, hyrax keys of version 11).
static std::vector<size_t> proof_vector_vars(const quant::CompiledModel& m, const Plan& plan) {
  std::vector<size_t> v;
  for (int t : m.graph.inputs)
    if (!input_is_public(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t))) v.push_back(a.num_vars);
  for (int t : m.graph.outputs)
    if (output_is_private(m))
      for (const auto& a : layers::bound_advice_shapes(input_bound(m, t, "output"))) v.push_back(a.num_vars);
  std::set<size_t> tables;
  for (const auto& s : plan) {
    for (const auto& a : s->advice_shapes(m)) v.push_back(a.num_vars);
    if (s->table_log_size() > 0) tables.insert(s->table_log_size());
  }
  if (!plan.empty()) tables.insert(layers::kDigitBits);
  v.insert(v.end(), tables.begin(), tables.end());
  return v;
}

size_t params_log_cols(const quant::CompiledModel& m, const Plan& plan, bool count_proof_rows) {
  const size_t nv = max_committed_vars(m, plan);
  size_t lc = pcs::key_log_cols(nv);
  // The lookups' multiplicities (one vector per table, lookup/batch.h) are per-proof commitments
  // of min(k, log_cols) columns: an activation table of 2^k rows costs 2^(k - log_cols) row
  // commitments. With at least 2^(k - 6) generators (at most 2^10) each such vector is at most 64
  // rows (tiny_gpt's five 2^16-row tables: 5 x 256 -> 5 x 64 rows; BENCHMARKS.md "Issue 11: one
  // batched LogUp-GKR for all tables").
  size_t table = 0;
  for (const auto& s : plan) table = std::max(table, s->table_log_size());
  if (table > 6) lc = std::max(lc, std::min<size_t>(table - 6, 10));
  // Hyrax keys (version 5 on) commit each weight in rows as wide as the parameters
  // (HyraxScheme::log_cols): a weight of 2^n entries is 2^(n - min(n, L)) row commitments, and the
  // batch opening's argument runs over (up to) 2^L generators, so the verifier's one MSM has about
  // 2^L + sum_weights 2^(n - min(n, L)) points. L: the smallest minimizing that, from lc up
  // (resnet18: L = 12, about 9 k points instead of 12 k at L = 11).
  {
    std::vector<size_t> wv;
    for (size_t t = 0; t < m.graph.tensors.size(); ++t)
      if (is_committed_weight(m, static_cast<int>(t))) wv.push_back(shape_of(m, static_cast<int>(t)).num_vars());
    // Version-11 keys count the proof's own vectors' rows too (model_proof.h).
    if (count_proof_rows) {
      const auto pv = proof_vector_vars(m, plan);
      wv.insert(wv.end(), pv.begin(), pv.end());
    }
    lc = pcs::HyraxScheme::best_log_cols(wv, lc);
  }
  // Zero knowledge needs at least 2^kMinPadLogRow generators for its pad rows (zk/cp.h).
  if (zero_knowledge(m)) return std::max(lc, kMinPadLogRow);
  return lc;
}

// Whether the key's Hyrax width counts the proof's rows (hyrax keys of version 11).
static bool counts_proof_rows(const VerifyingKey& vk) {
  return vk.backend == Backend::kHyrax && vk.effective_version() == kKeyVersionHyraxWide;
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
  if (tr.field_native()) {  // wrappable keys: the count, then one element per value (wrap.md)
    tr.absorb_u64(label, v.size());
    for (int64_t x : v) tr.absorb(label, Fr::from_i64(x));
    return;
  }
  ByteWriter w;
  w.u64(v.size());
  for (int64_t x : v) w.u64(static_cast<uint64_t>(x));
  tr.absorb_bytes(label, w.data());
}

transcript::Transcript proof_transcript(const VerifyingKey& vk) {
  if (vk.wrappable()) return transcript::Transcript(kProofDomain, std::make_unique<transcript::PoseidonFieldSponge>());
  return transcript::Transcript(kProofDomain, vk.transcript_encoding());
}

std::shared_ptr<const pcs::Scheme> scheme_for(const quant::CompiledModel& m, const Plan& plan, const VerifyingKey& vk) {
  if (vk.backend == Backend::kKzg) {
    if (!vk.kzg) throw Error("proof: a kzg key without its SRS");
    size_t need = max_committed_vars(m, plan);
    if (vk.effective_version() >= kKeyVersionKzgV7) need = std::max(need, key_constant_max_vars(m));
    if (vk.kzg->max_vars() < need)
      throw Error("proof: the key's SRS has 2^" + std::to_string(vk.kzg->max_vars()) + " powers of tau; the model's largest committed vector needs 2^" +
                  std::to_string(need));
    // cp's pads (zk/cp.h): key version 8: KZG-committed chunks, the first of 2^kKzgPadLogFirst
    // (its Pedersen generators and short pad: Hyrax's of 2^kKzgPadLogRow); before: Hyrax row
    // commitments over 2^kKzgPadLogRow generators.
    // Version 9: key weights of more than 2^L entries in rows of 2^L (L stated by the key).
    if (vk.effective_version() == kKeyVersionKzgRows)
      return std::make_shared<const pcs::KzgScheme>(vk.kzg, params_for(kKzgPadLogRow), kKzgPadLogFirst, true,
                                                    vk.kzg_row_vars);
    if (kzg_pads(vk.effective_version()))
      return std::make_shared<const pcs::KzgScheme>(vk.kzg, params_for(kKzgPadLogRow), kKzgPadLogFirst, true);
    return std::make_shared<const pcs::KzgScheme>(vk.kzg, params_for(kKzgPadLogRow), kKzgPadLogRow);
  }
  const size_t log_cols = params_log_cols(m, plan, counts_proof_rows(vk));
  const pcs::HyraxParams& params = params_for(log_cols);
  static std::map<size_t, std::shared_ptr<const pcs::HyraxScheme>> cache;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto& s = cache[log_cols];
  // Zero knowledge: messages are padded by pads committed in rows of up to 2^8 (zk/cp.h).
  if (!s) s = std::make_shared<const pcs::HyraxScheme>(params, std::min<size_t>(8, params.max_log_cols()));
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace detail

using namespace detail;

// ---------------------------------------------------------------------------------------------
// Verifying key

namespace {
// The key up to the weight range proof (what that proof's transcript starts from).
void serialize_statement(const VerifyingKey& vk, ByteWriter& w) {
  w.bytes(kVkMagic);
  w.u32(vk.effective_version());
  w.u8(static_cast<uint8_t>(vk.backend));
  if (vk.backend == Backend::kKzg) {
    ZKINFER_CHECK(vk.kzg != nullptr);
    ZKINFER_CHECK(vk.kzg->form() == kzg_form(vk.effective_version()));  // the SRS block the version states
    vk.kzg->serialize_verifier(w);
    if (vk.effective_version() == kKeyVersionKzgRows) w.u32(vk.kzg_row_vars);
  }
  w.bytes(vk.model_digest);
  w.bytes(vk.model_file_digest);
  w.u64(vk.weights.size());
  uint64_t count = 0;
  for (const auto& [t, c] : vk.weights.entries()) count += c != nullptr;
  w.u64(count);
  for (const auto& [t, c] : vk.weights.entries())
    if (c) {
      w.u32(static_cast<uint32_t>(t));
      c->serialize(w);
    }
}
}  // namespace

// kzg keys of version 7 on carry the constants' openings after the weight range proof.
static bool has_constant_openings(Backend b, uint32_t version) { return b == Backend::kKzg && version >= kKeyVersionKzgV7; }

void VerifyingKey::serialize(ByteWriter& w) const {
  serialize_statement(*this, w);
  w.u64(weight_bounds.size());
  w.bytes(weight_bounds);
  if (has_constant_openings(backend, effective_version())) {  // (other versions: none; check_key refuses any)
    w.u64(constant_openings.size());
    w.bytes(constant_openings);
  }
}

VerifyingKey VerifyingKey::deserialize(ByteReader& r) {
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kVkMagic.begin())) r.fail("vk: bad magic");
  const uint32_t version = r.u32();
  if (!known_key_version(version))
    r.fail("vk: unsupported version " + std::to_string(version) + " (this zkinfer reads " + std::to_string(kKeyVersionHyrax) +
           " and " + std::to_string(kKeyVersionHyraxWide) + " for hyrax, " + std::to_string(kKeyVersion) + ", " + std::to_string(kKeyVersionKzgV4) + ", " +
           std::to_string(kKeyVersionKzgV6) + ", " + std::to_string(kKeyVersionKzgV7) + ", " + std::to_string(kKeyVersionKzg) +
           ", " + std::to_string(kKeyVersionKzgRows) + " and " + std::to_string(kKeyVersionKzgWrap) +
           " for kzg; keys made before the commitment backend was chosen at setup must be made again with setup)");
  VerifyingKey vk;
  vk.version = version;
  const uint8_t backend = r.u8();
  if (backend > static_cast<uint8_t>(Backend::kKzg)) r.fail("vk: unknown commitment backend " + std::to_string(backend));
  vk.backend = static_cast<Backend>(backend);
  if (!is_hyrax_version(version) && vk.backend != Backend::kKzg)
    r.fail("vk: a hyrax key of version " + std::to_string(version) + " (a hyrax key is version " +
           std::to_string(kKeyVersionHyrax) + " or " + std::to_string(kKeyVersionHyraxWide) +
           ": its weights are committed in wider rows since; make the key again with setup)");
  if (is_hyrax_version(version) && vk.backend != Backend::kHyrax)
    r.fail("vk: version " + std::to_string(version) + " is for hyrax keys only");
  if (vk.backend == Backend::kKzg) vk.kzg = std::make_shared<const pcs::KzgParams>(pcs::KzgParams::deserialize_verifier(r, kzg_form(version)));
  if (vk.backend == Backend::kKzg && version == kKeyVersionKzgRows) {
    vk.kzg_row_vars = r.u32();
    if (vk.kzg_row_vars < kKzgMinRowVars || vk.kzg_row_vars > vk.kzg->max_vars())
      r.fail("vk: weight rows of " + std::to_string(vk.kzg_row_vars) + " variables (a version-" +
             std::to_string(kKeyVersionKzgRows) + " key's are at least " + std::to_string(kKzgMinRowVars) +
             " and at most the SRS's " + std::to_string(vk.kzg->max_vars()) + ")");
  }
  auto d = r.bytes(32);
  std::copy(d.begin(), d.end(), vk.model_digest.begin());
  d = r.bytes(32);
  std::copy(d.begin(), d.end(), vk.model_file_digest.begin());
  // The tensor count sizes nothing (weights is sparse); each listed commitment takes at least
  // 4 (id) + 36 bytes (kzg: num_vars and a point; hyrax: 8 bytes of layout and a row).
  const uint64_t ntensors = r.u64();
  if (ntensors > (uint64_t{1} << 24)) r.fail("vk: tensor count " + std::to_string(ntensors) + " out of range");
  vk.weights.resize(ntensors);
  const uint64_t count = r.count(40, ntensors);
  uint32_t last = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t t = r.u32();
    if (t >= ntensors || (i > 0 && t <= last)) r.fail("vk: bad tensor id");
    last = t;
    vk.weights[t] = vk.backend == Backend::kKzg ? pcs::KzgScheme::read_any(r) : pcs::HyraxScheme::read_any(r);
  }
  const uint64_t nb = r.count(1);
  auto wb = r.bytes(nb);
  vk.weight_bounds.assign(wb.begin(), wb.end());
  if (has_constant_openings(vk.backend, version)) {
    const uint64_t nc = r.count(1);
    auto cb = r.bytes(nc);
    vk.constant_openings.assign(cb.begin(), cb.end());
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
  // Hashing a large key (hundreds of KB, mostly its weight range proof) costs about a millisecond,
  // and every verification asks twice (check_key, the proof's binding). The last key's encoding
  // is remembered and compared byte for byte, so any change to the key is a miss.
  static std::mutex mu;
  static std::vector<uint8_t> last_bytes;
  static std::array<uint8_t, 32> last_digest{};
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!last_bytes.empty() && last_bytes == w.data()) return last_digest;
  }
  const auto d = hash::keccak256(w.data());
  std::lock_guard<std::mutex> lock(mu);
  last_bytes = w.data();
  last_digest = d;
  return d;
}

std::vector<Blocker> blockers(const quant::CompiledModel& model) {
  std::vector<Blocker> out;
  auto plan = plan_model(model, out);
  if (!out.empty()) return out;
  // The key and proof layout: the bit bounds of the committed input and output, the advice sizes.
  try {
    (void)params_log_cols(model, plan, true);
  } catch (const std::exception& e) {
    out.push_back(model_blocker(e.what()));
  }
  return out;
}

std::array<uint8_t, 32> VerifyingKey::statement_digest() const {
  ByteWriter w;
  serialize_statement(*this, w);
  return hash::keccak256(w.data());
}

std::optional<std::string> unsupported(const quant::CompiledModel& model) {
  auto bs = blockers(model);
  if (bs.empty()) return std::nullopt;
  return describe_blockers(bs);
}

VerifyingKey setup(const quant::CompiledModel& model, const std::function<void(size_t, size_t)>& progress) {
  return setup_keys(model, nullptr, progress).vk;
}

std::string_view backend_name(Backend b) { return b == Backend::kKzg ? "kzg" : "hyrax"; }
std::optional<Backend> parse_backend(std::string_view name) {
  if (name == "hyrax") return Backend::kHyrax;
  if (name == "kzg") return Backend::kKzg;
  return std::nullopt;
}

std::optional<std::string> key_srs_mismatch(const VerifyingKey& vk, const std::string& ptau_path) {
  if (vk.backend != Backend::kKzg || !vk.kzg)
    throw Error("the key's backend is " + std::string(backend_name(vk.backend)) +
                ": transparent, it has no powers of tau to check against " + ptau_path);
  return vk.kzg->srs_mismatch(pcs::read_ptau(ptau_path, pcs::KzgParams::srs_check_options()));
}

size_t kzg_max_vars(const quant::CompiledModel& model) {
  return std::max(max_committed_vars(model, make_plan(model)), key_constant_max_vars(model));
}

namespace {

size_t clamp_bits(int64_t b) { return static_cast<size_t>(std::clamp<int64_t>(b, 1, 60)); }

// The width each committed constant is declared to have (docs/PROTOCOL.md, section 9): the public
// model's bit bound of the tensor, at most 60; for the tensors whose commitments hold a
// BatchNormalization's folded constants (committed_values): a: the model's weight_bits (the planner
// keeps |a| 2^s_a below 2^(weight_bits - 1)); b: the BatchNormalization input's bit bound plus
// weight_bits (the accumulator x a + b stays within the bound the planner checks).
size_t declared_bits(const quant::CompiledModel& m, int t) {
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    const auto& n = m.graph.nodes[i];
    if (n.op_type != "BatchNormalization" || n.inputs.size() < 3) continue;
    if (n.inputs[1] == t && m.params[i].consts.count("a")) return clamp_bits(m.cfg.weight_bits);
    if (n.inputs[2] == t && m.params[i].consts.count("b") && n.inputs[0] >= 0)
      return clamp_bits(int64_t{m.bits[n.inputs[0]]} + m.cfg.weight_bits);
  }
  return clamp_bits(m.bits[t]);
}

}  // namespace

std::vector<WeightBoundItem> weight_bound_items(const quant::CompiledModel& m, const VerifyingKey& vk) {
  std::vector<WeightBoundItem> items;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const int ti = static_cast<int>(t);
    if (!is_committed_weight(m, ti)) continue;
    const auto& c = vk.weights[t];
    items.push_back({m.graph.tensors[t].name, layers::BoundParams{dims_of(m, ti), declared_bits(m, ti), true},
                     c.get()});
  }
  return items;
}

namespace {
const pcs::HyraxParams& weight_bounds_params(const quant::CompiledModel& m, const Plan& plan,
                                             std::span<const WeightBoundItem> items, const VerifyingKey& vk) {
  return params_for(std::max({params_log_cols(m, plan, counts_proof_rows(vk)), weight_bounds_log_cols(items), kMinPadLogRow}));
}
}  // namespace

const pcs::HyraxParams& key_params(const quant::CompiledModel& model, const VerifyingKey& vk) {
  const auto plan = make_plan(model);
  return weight_bounds_params(model, plan, weight_bound_items(model, vk), vk);
}

size_t kzg_row_vars(const quant::CompiledModel& model) {
  return std::max(kKzgMinRowVars, max_proof_advice_vars(model, make_plan(model)));
}

ProvingKey setup_keys(const quant::CompiledModel& model, const pcs::RandomFr& random,
                      const std::function<void(size_t, size_t)>& progress, std::shared_ptr<const pcs::KzgParams> kzg,
                      bool kzg_weight_rows, bool wrappable) {
  auto plan = make_plan(model);
  if (kzg_weight_rows && !kzg) throw Error("setup: weight rows are a kzg key layout (--backend kzg)");
  if (wrappable && !kzg) throw Error("setup: wrappable keys are kzg keys (--backend kzg)");
  if (wrappable && kzg_weight_rows) throw Error("setup: a wrappable key has no weight rows (--kzg-weight-rows off)");
  if (!model.withheld.empty()) throw Error("setup: needs the compiled model with its weights (.zkm), not a public model");
  ProvingKey pk;
  VerifyingKey& vk = pk.vk;
  if (kzg) {
    const size_t need = std::max(max_committed_vars(model, plan), key_constant_max_vars(model));
    if (!kzg->has_powers() || kzg->max_vars() < need)
      throw Error("setup: the kzg SRS has " + (kzg->has_powers() ? "2^" + std::to_string(kzg->max_vars()) : std::string("no")) +
                  " powers of tau; the model's largest committed vector needs 2^" + std::to_string(need));
    vk.backend = Backend::kKzg;
    vk.kzg = std::move(kzg);
    if (wrappable) vk.version = kKeyVersionKzgWrap;
    if (kzg_weight_rows) {
      vk.version = kKeyVersionKzgRows;
      vk.kzg_row_vars = static_cast<uint32_t>(std::max(kKzgMinRowVars, max_proof_advice_vars(model, plan)));
      if (vk.kzg_row_vars > vk.kzg->max_vars())
        throw Error("setup: weight rows of 2^" + std::to_string(vk.kzg_row_vars) + " entries need as many powers of tau; the SRS has 2^" +
                    std::to_string(vk.kzg->max_vars()) + " (a larger .ptau, or --kzg-weight-rows off: a version-8 key)");
    }
  }
  // Hyrax: version 11 (the width counting the proof's rows) only where that width differs from
  // version 5's; elsewhere the key is version 5's, byte for byte (model_proof.h).
  if (!vk.kzg) vk.version = params_log_cols(model, plan, true) != params_log_cols(model, plan, false) ? kKeyVersionHyraxWide : kKeyVersionHyrax;
  const auto scheme_ptr = scheme_for(model, plan, vk);
  const pcs::Scheme& scheme = *scheme_ptr;
  vk.model_digest = quant::public_digest(model);
  vk.model_file_digest = hash::keccak256(quant::encode_public_model(model));
  vk.weights.resize(model.graph.tensors.size());
  pk.blinds.resize(model.graph.tensors.size());
  size_t total = 0, done = 0;
  // Fixed and public weights get no commitment: they are in the key's public model.
  for (size_t t = 0; t < model.graph.tensors.size(); ++t) total += is_committed_weight(model, static_cast<int>(t));
  // kzg: the public constants the key commits to (proof/key_constants.h), and their openings.
  const size_t nconst = vk.backend == Backend::kKzg ? key_constant_count(model) : 0;
  total += nconst + (nconst > 0);
  ++total;  // the weight range proof
  for (size_t t = 0; t < model.graph.tensors.size(); ++t) {
    if (!is_committed_weight(model, static_cast<int>(t))) continue;
    if (progress) progress(done++, total);
    PaddedShape s = shape_of(model, static_cast<int>(t));
    const auto& values = committed_values(model, static_cast<int>(t));
    WeightBoundItem item{model.graph.tensors[t].name, layers::BoundParams{dims_of(model, static_cast<int>(t)),
                                                                            declared_bits(model, static_cast<int>(t)), true}};
    if (auto why = weight_out_of_bounds(item, values)) throw Error("setup: " + *why);
    auto vals = layers::detail::padded_i64(s, values);
    std::vector<Fr> blinds(scheme.blind_count(s.num_vars(), pcs::Use::kKey), Fr::zero());
    if (random)
      for (auto& b : blinds) b = random();
    // A weight the range proof splits into chunks: its pure padding chunks' rows are committed with
    // zero blinds (the identity, which the verifier checks instead of a proof; weight_bounds.h).
    if (const auto* hs = dynamic_cast<const pcs::HyraxScheme*>(&scheme)) {
      const pcs::HyraxLayout lay{static_cast<uint32_t>(s.num_vars()),
                                 static_cast<uint32_t>(hs->log_cols(s.num_vars(), pcs::Use::kKey))};
      for (const auto& [b, e] : weight_padding_rows(item.bound, lay))
        for (size_t r = b; r < e && r < blinds.size(); ++r) blinds[r] = Fr::zero();
    }
    pcs::Committed c = scheme.commit(vals, pcs::Use::kKey, std::move(blinds));
    vk.weights[t] = std::move(c.commitment);
    if (random) pk.blinds[t] = std::move(c.blinds);
  }
  commit_key_constants(model, vk, scheme, [&] {
    if (progress) progress(done++, total);
  });
  // The weight range proof, bound to everything else in the key. Without a secret random source
  // (setup(): a key that does not hide the weights anyway) its blinds come from a fixed seed.
  if (progress) progress(done, total);
  const auto items = weight_bound_items(model, std::as_const(vk));
  if (!items.empty()) {
    std::vector<WeightBoundWitness> wit;
    for (size_t t = 0; t < model.graph.tensors.size(); ++t)
      if (is_committed_weight(model, static_cast<int>(t)))
        wit.push_back({committed_values(model, static_cast<int>(t)), std::as_const(pk.blinds)[t]});
    TestRng fixed(0x7a6b2d7762ull);
    const pcs::RandomFr rnd = random ? random : pcs::random_fr(fixed);
    vk.weight_bounds =
        prove_weight_bounds(weight_bounds_params(model, plan, items, vk), items, wit, vk.statement_digest(), rnd, vk.kzg.get());
  }
  if (nconst > 0) {
    if (progress) progress(++done, total);
    TestRng fixed(0x6b63306e7374ull);
    vk.constant_openings = prove_key_constants(model, vk, random ? random : pcs::random_fr(fixed));
  }
  if (progress) progress(total, total);
  return pk;
}

namespace detail {
// The key holds a commitment exactly for each private weight and (kzg version 7) each public
// constant it commits to, each of its tensor's size.
Verdict check_key_commitments(const quant::CompiledModel& model, const VerifyingKey& vk, const pcs::Scheme& scheme) {
  const size_t nt = model.graph.tensors.size();
  for (size_t t = 0; t < nt; ++t) {
    const int ti = static_cast<int>(t);
    const bool constant = key_commits_constant(model, vk, ti);
    const bool want = is_committed_weight(model, ti) || constant;
    if (want != (vk.weights[t] != nullptr))
      return Verdict::reject(Failure::kKey, constant || verifier_evaluates(model, ti)
                                                ? "vk: constant commitments do not match the model (tensor " + model.graph.tensors[t].name + ")"
                                                : "vk: weight commitments do not match the model");
    // (A committed public constant is one commitment in every kzg key version, never rows: it is
    // shaped as a proof's vector; Use matters to kzg keys of version 9 only.)
    if (want && !scheme.fits(*vk.weights[t], shape_of(model, ti).num_vars(), constant ? pcs::Use::kProof : pcs::Use::kKey))
      return Verdict::reject(Failure::kKey, "vk: weight commitment layout does not match the model");
  }
  return Verdict::accept();
}
}  // namespace detail

namespace {

// Digests of keys that passed check_key in this process (or that the caller's verified-key cache
// vouched for: check_key_trusting_range_proof).
std::mutex checked_keys_mu;
std::set<std::array<uint8_t, 32>> checked_keys;

// check_key; with trust_range_proof the weight range proof is not verified (every other check is).
Verdict check_key_impl(const quant::CompiledModel& model, const VerifyingKey& vk, bool trust_range_proof) {
  auto& mu = checked_keys_mu;
  auto& checked = checked_keys;
  try {
    Plan plan;
    try {
      plan = make_plan(model);
    } catch (const Error& e) {
      return Verdict::reject(Failure::kModel, std::string("model: ") + e.what());
    }
    if (vk.model_digest != quant::public_digest(model)) return Verdict::reject("vk: the verifying key is for another model");
    if (vk.backend == Backend::kKzg && vk.effective_version() == kKeyVersionKzgRows &&
        (vk.kzg_row_vars < kKzgMinRowVars || !vk.kzg || vk.kzg_row_vars > vk.kzg->max_vars()))
      return Verdict::reject(Failure::kKey, "vk: weight rows of " + std::to_string(vk.kzg_row_vars) + " variables out of range");
    // (Not in the encoding of such a key: an in-memory key only.)
    if (!has_constant_openings(vk.backend, vk.effective_version()) && !vk.constant_openings.empty())
      return Verdict::reject(Failure::kKey, "vk: constant openings in a key of a version without them");
    const auto d = vk.digest();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (checked.count(d)) return Verdict::accept();
    }
    const size_t nt = model.graph.tensors.size();
    if (vk.weights.size() != nt) return Verdict::reject(Failure::kKey, "vk: tensor count differs from the model");
    const auto scheme_ptr = scheme_for(model, plan, vk);
    const pcs::Scheme& scheme = *scheme_ptr;
    if (Verdict v = check_key_commitments(model, vk, scheme); !v) return v;
    const auto items = weight_bound_items(model, vk);
    if (items.empty()) {
      if (!vk.weight_bounds.empty()) return Verdict::reject("vk: a weight range proof, but no weight is committed");
    } else {
      if (vk.weight_bounds.empty())
        return Verdict::reject("vk: no weight range proof: nothing shows the committed weights are integers of their declared widths");
      if (trust_range_proof) {
        // The caller's verified-key cache vouches for this exact key (proof/key_cache.h).
      } else if (Verdict v = verify_weight_bounds(weight_bounds_params(model, plan, items, vk), items, vk.weight_bounds,
                                           vk.statement_digest(), vk.kzg.get());
          !v)
        return v.within("vk");
    }
    // kzg keys of version 7: each public constant's commitment holds the public model's values
    // (its opening in the key at a point drawn after every commitment; proof/key_constants.h).
    // Like the range proof, a per-key check the verified-key cache vouches for.
    if (has_constant_openings(vk.backend, vk.effective_version()) && !trust_range_proof)
      if (Verdict v = verify_key_constants(model, vk); !v) return v;
    std::lock_guard<std::mutex> lock(mu);
    checked.insert(d);
    return Verdict::accept();
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("vk: ") + e.what());
  }
}

}  // namespace

Verdict check_key(const quant::CompiledModel& model, const VerifyingKey& vk) { return check_key_impl(model, vk, false); }

Verdict check_key_trusting_range_proof(const quant::CompiledModel& model, const VerifyingKey& vk) {
  return check_key_impl(model, vk, true);
}

bool key_checked_in_process(const VerifyingKey& vk) {
  const auto d = vk.digest();
  std::lock_guard<std::mutex> lock(checked_keys_mu);
  return checked_keys.count(d) != 0;
}

// ---------------------------------------------------------------------------------------------
// Verifier

namespace {

template <field::PrimeField F>
class DriverVerifierEnv : public VerifierEnvT<F> {
 public:
  using VerifierEnvT<F>::VerifierEnvT;
  std::function<Verdict(std::vector<layers::AdviceClaimT<F>>&, size_t)> open_fn;
  std::function<void(int, std::vector<layers::ClaimT<F>>)> claims_fn;
  Verdict open_advice(std::vector<layers::AdviceClaimT<F>>& adv, size_t offset) override { return open_fn(adv, offset); }
  void add_claims(int t, std::vector<layers::ClaimT<F>> claims) override { claims_fn(t, std::move(claims)); }
};

// Public integers (the public input, the public outputs) absorbed. As a circuit each is a witness
// variable (appended to *publics and returned), absorbed as one element as a field transcript
// absorbs the integers (absorb_i64s); the circuit binds them all to the caller's values by one
// fingerprint (proof/wrap.h: public_values_fingerprint), not one public input each.
template <field::PrimeField F>
std::vector<F> absorb_public(transcript::Transcript& tr, std::string_view label, std::span<const int64_t> v, std::vector<F>* publics) {
  if constexpr (std::is_same_v<F, Fr>) {
    absorb_i64s(tr, label, v);
    return {};
  } else {
    ZKINFER_CHECK(tr.field_native());
    tr.absorb_u64(label, v.size());
    std::vector<F> xs;
    xs.reserve(v.size());
    for (int64_t x : v) {
      xs.push_back(F::witness(Fr::from_i64(x)));
      publics->push_back(xs.back());
      tr.absorb(label, xs.back());
    }
    return xs;
  }
}

// The MLE at `point` of a tensor the verifier holds: values (unpadded, row-major), or as a circuit
// `vars` (the variables of absorb_public; empty: values are constants of the circuit).
template <field::PrimeField F>
F held_mle(const PaddedShape& s, std::span<const int64_t> values, std::span<const F> vars, std::span<const F> point) {
  if constexpr (std::is_same_v<F, Fr>) {
    return mle_eval(layers::padded_table(s, values), point);
  } else {
    const std::vector<Fr> tab = layers::padded_table(s, values);
    std::vector<F> t(tab.begin(), tab.end());
    if (!vars.empty()) {  // each value's padded position: the table of the indices 1..n
      std::vector<int64_t> idx(values.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int64_t>(i + 1);
      const std::vector<Fr> at = layers::padded_table(s, idx);
      for (size_t j = 0; j < at.size(); ++j) {
        const auto k = at[j].to_i64();
        if (k && *k > 0) t[j] = vars[static_cast<size_t>(*k - 1)];
      }
    }
    return poly::evaluate_mle<F>(t, point);
  }
}

// A claim on a committed vector, left for the batch opening (as a circuit: the deferred opening's).
template <field::PrimeField F>
struct PendingClaim {
  const pcs::Commitment* com;
  std::vector<F> point;
  sumcheck::Msg<F> value;
};

// The verifier's driver from the proof's first byte to its claims on committed vectors: the part
// that is the same for the verifier (F = Fr) and for its circuit (F = snark::CFr; the wrapping
// proof, docs/protocol/wrap.md section 3). The caller owns the reader and the transcript (with
// their session: the zero-knowledge context, the model-wide lookups) and opens the claims.
template <field::PrimeField F>
struct ClaimsRun {
  const quant::CompiledModel& model;
  const VerifyingKey& vk;
  const Plan& plan;
  const pcs::Scheme& scheme;
  std::span<const uint8_t> bytes;
  ByteReader& r;
  transcript::Transcript& tr;
  lookup::BatchVerifier<F>& lookups;
  std::span<const ops::ITensor> public_inputs;
  std::function<void()> after_outputs;                   // zero knowledge: the pad rows are read here
  std::function<void(double VerifyProfile::*)> lap;      // the profile's sections
  // Out.
  std::vector<std::vector<int64_t>> outs;  // the public outputs
  std::vector<F> publics;                  // as a circuit: the public values' variables, inputs then outputs
  std::deque<pcs::CommitmentPtr> coms;     // the proof's commitments (pending points into them)
  std::vector<size_t> group_sizes;         // wrappable keys: the commitments of each digest group
  std::vector<PendingClaim<F>> pending;
};

// A wrappable key's claims on committed vectors, grouped by commitment in order of first mention
// (as pcs::ClaimList groups them for the other keys): the reduction's input, with each
// commitment's point (wrappable keys open single kzg commitments only) and where it comes from.
template <field::PrimeField F>
struct WrapOpeningClaims {
  std::vector<const pcs::Commitment*> coms;
  std::vector<size_t> num_vars;
  std::vector<curve::G1Affine> points;
  std::vector<pcs::ReductionClaimT<F>> claims;
};

template <field::PrimeField F>
Verdict wrap_opening_claims(ClaimsRun<F>& run, WrapOpeningClaims<F>* out) {
  std::map<const pcs::Commitment*, size_t> index;
  for (auto& c : run.pending) {
    auto [it, fresh] = index.emplace(c.com, out->coms.size());
    if (fresh) {
      const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*c.com);
      if (k == nullptr) return Verdict::reject(Failure::kOpening, "proof: batch opening: a wrappable key opens single kzg commitments only");
      out->coms.push_back(c.com);
      out->num_vars.push_back(k->num_vars);
      out->points.push_back(k->point);
    }
    out->claims.push_back({it->second, std::move(c.point), c.value});
  }
  return Verdict::accept();
}

template <field::PrimeField F>
Verdict verify_claims(ClaimsRun<F>& run) {
  using ClaimF = layers::ClaimT<F>;
  using AdviceF = layers::AdviceClaimT<F>;
  constexpr bool kCircuit = !std::is_same_v<F, Fr>;
  const quant::CompiledModel& model = run.model;
  const VerifyingKey& vk = run.vk;
  const Plan& plan = run.plan;
  const pcs::Scheme& scheme = run.scheme;
  ByteReader& r = run.r;
  transcript::Transcript& tr = run.tr;
  lookup::BatchVerifier<F>& lookups = run.lookups;
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  const bool wrap = vk.wrappable();
  std::vector<std::pair<const std::vector<const pcs::Commitment*>*, size_t>> lookup_owners;
  // As a circuit, each part's constraints are labelled (snark::ConstraintSystem::which_label).
  auto label = [&](const std::string& what) {
    if constexpr (kCircuit) snark::CircuitScope::current()->set_label(what);
  };
  label("public values");
  auto magic = r.bytes(4);
  if (!std::equal(magic.begin(), magic.end(), kProofMagic.begin())) return Verdict::reject(Failure::kDecode, "proof: bad magic");
  if (r.u32() != kProofVersion) return Verdict::reject(Failure::kDecode, "proof: unsupported version");
  // The backend the proof was made with, before the key's digest: a proof of the other backend is
  // named as such.
  const uint8_t backend = r.u8();
  if (backend != static_cast<uint8_t>(vk.backend))
    return Verdict::reject(Failure::kKey, "proof: made with the " +
                                              std::string(backend <= 1 ? backend_name(static_cast<Backend>(backend)) : "unknown") +
                                              " backend, the verifying key is for " + std::string(backend_name(vk.backend)));
  auto vkd = vk.digest();
  auto pd = r.bytes(32);
  if (!std::equal(pd.begin(), pd.end(), vkd.begin())) return Verdict::reject(Failure::kKey, "proof: made for another verifying key");
  tr.absorb_bytes("proof.vk_digest", vkd);
  // [visibility] The public input: given to the verifier (one tensor per model input), checked
  // against its shape and bit bound (-2^b <= x < 2^b, what a private input's digits prove),
  // absorbed, and evaluated at the end where a private input's digits would be opened.
  std::vector<std::vector<F>> input_vars(g.inputs.size());
  if (input_is_public(model)) {
    if (run.public_inputs.size() != g.inputs.size())
      return Verdict::reject(Failure::kPublicValues, "proof: the model's input is public: verify needs it (" + std::to_string(g.inputs.size()) +
                             " tensor(s), got " + std::to_string(run.public_inputs.size()) + ")");
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const int t = g.inputs[i];
      const auto& x = run.public_inputs[i].data;
      if (x.size() != shape_of(model, t).unpadded_size())
        return Verdict::reject(Failure::kPublicValues, "proof: public input '" + g.tensors[t].name + "' size differs from the model");
      const int b = model.bits[t];
      if (b < 1 || b > 60) return Verdict::reject(Failure::kModel, "proof: input '" + g.tensors[t].name + "': bit bound out of range");
      for (int64_t v : x)
        if (v < -(int64_t{1} << b) || v >= (int64_t{1} << b))
          return Verdict::reject(Failure::kPublicValues, "proof: public input '" + g.tensors[t].name + "' value outside the tensor's bit bound");
      input_vars[i] = absorb_public<F>(tr, "proof.input", x, &run.publics);
    }
  } else if (!run.public_inputs.empty()) {
    return Verdict::reject(Failure::kPublicValues, "proof: the model's input is private: verify takes no input");
  }

  std::vector<std::vector<F>> out_vars;
  for (int t_out : g.outputs) {
    if (output_is_private(model)) break;  // [visibility] committed, not sent
    PaddedShape os = shape_of(model, t_out);
    uint64_t n_out = r.u64();
    if (n_out != os.unpadded_size()) return Verdict::reject(Failure::kPublicValues, "proof: output size differs from the model");
    std::vector<int64_t> out = read_packed_values(r, n_out);  // canonical, or a decode error
    const int bits = model.bits[t_out];
    for (int64_t v : out) {
      if (bits < 63 && (v >= (int64_t{1} << bits) || v <= -(int64_t{1} << bits)))
        return Verdict::reject(Failure::kPublicValues, "proof: output value outside the tensor's bit bound");
    }
    out_vars.push_back(absorb_public<F>(tr, "proof.output", out, &run.publics));
    run.outs.push_back(std::move(out));
  }
  if (run.after_outputs) run.after_outputs();

  // A wrappable key's proof absorbs each group of commitments as one element (commitment_digest);
  // as a circuit that element is a public input (the contract computes it from its calldata).
  size_t group_start = 0, group_first = 0;
  auto absorb_group = [&] {
    run.group_sizes.push_back(run.coms.size() - group_first);
    const Fr d = commitment_group_digest(run.bytes.subspan(group_start, r.position() - group_start));
    if constexpr (kCircuit) {
      tr.absorb("proof.commitments", F::public_input(d));
    } else {
      tr.absorb("proof.commitments", d);
    }
  };
  auto read_advice = [&](const std::vector<layers::AdviceShape>& shapes) {
    std::vector<const pcs::Commitment*> v;
    for (const auto& a : shapes) {
      auto c = scheme.read(r);
      if (!scheme.fits(*c, a.num_vars, pcs::Use::kProof)) r.fail("commitment layout differs from the model");
      if (!wrap) c->absorb_into(tr);
      run.coms.push_back(std::move(c));
      v.push_back(run.coms.back().get());
    }
    return v;
  };
  std::vector<layers::BoundParams> in_bound;
  std::vector<std::vector<const pcs::Commitment*>> in_com;
  group_start = r.position();
  group_first = run.coms.size();
  for (int t : g.inputs) {
    if (input_is_public(model)) break;  // [visibility] no digits
    in_bound.push_back(input_bound(model, t));
    in_com.push_back(read_advice(layers::bound_advice_shapes(in_bound.back())));
  }
  // [visibility] Private outputs: their digits, committed after the inputs'.
  std::vector<layers::BoundParams> out_bound;
  std::vector<std::vector<const pcs::Commitment*>> out_com;
  for (int t : g.outputs) {
    if (!output_is_private(model)) break;
    out_bound.push_back(input_bound(model, t, "output"));
    out_com.push_back(read_advice(layers::bound_advice_shapes(out_bound.back())));
  }
  std::vector<std::vector<const pcs::Commitment*>> node_com(plan.size());
  for (size_t pi = plan.size(); pi-- > 0;) node_com[pi] = read_advice(plan[pi]->advice_shapes(model));
  if (wrap) absorb_group();

  std::vector<std::vector<ClaimF>> claims(nt);
  auto open_at = [&](const pcs::Commitment* c, std::vector<F> point, const sumcheck::Msg<F>& v) {
    run.pending.push_back({c, std::move(point), v});
  };
  auto open_advice = [&](const std::vector<const pcs::Commitment*>& com, std::vector<AdviceF>& adv, size_t offset,
                         const std::string& where) -> Verdict {
    for (auto& c : adv) {
      if (offset + c.advice >= com.size()) return Verdict::reject(where + ": claim on unknown advice");
      open_at(com[offset + c.advice], std::move(c.claim.point), c.claim.value);
    }
    lookups.assign_owner(lookup_owners.size(), where);
    lookup_owners.emplace_back(&com, offset);
    return Verdict::accept();
  };
  std::vector<ClaimF> output_claims;  // [visibility] private outputs: the first claim on each
  size_t public_out = 0;
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    PaddedShape os = shape_of(model, g.outputs[o]);
    auto z = tr.challenges<F>("proof.output_point", os.num_vars());
    sumcheck::Msg<F> v;
    if (output_is_private(model)) {  // [visibility] the prover's value, checked against the digits at the end
      v = sumcheck::read_msg<F>(r);
      tr.absorb("proof.output_claim", v);
      output_claims.push_back({z, v});
    } else {
      v = held_mle<F>(os, run.outs[public_out], out_vars[public_out], z);
      ++public_out;
    }
    claims[g.outputs[o]].push_back({std::move(z), v});
  }

  run.lap(&VerifyProfile::setup);
  DriverVerifierEnv<F> env(model, r, tr);
  const std::vector<const pcs::Commitment*>* step_com = nullptr;
  env.open_fn = [&](std::vector<AdviceF>& adv, size_t offset) { return open_advice(*step_com, adv, offset, env.where); };
  env.claims_fn = [&](int t, std::vector<ClaimF> cs) {
    if (cs.empty()) return;
    ZKINFER_CHECK(t >= 0 && static_cast<size_t>(t) < nt);
    for (auto& c : cs) claims[t].push_back(std::move(c));
  };
  for (size_t pi = plan.size(); pi-- > 0;) {
    const Step& s = *plan[pi];
    env.where = node_label(model, s.node);
    label(env.where);
    std::vector<ClaimF> cl = std::move(claims[s.y]);
    claims[s.y].clear();
    if (cl.empty()) continue;
    if (cl.size() > 1 && !s.free_move()) {
      const PaddedShape ys = shape_of(model, s.y);
      ClaimF one;
      auto cp = layers::CombineProofT<F>::deserialize(r, ys.num_vars(), cl.size());
      if (Verdict v = layers::verify_combine_as<F>(ys.num_vars(), cl, cp, tr, &one); !v)
        return v.within(env.where + ": combine").classified(Failure::kNode, static_cast<int>(s.node));
      cl = {std::move(one)};
    }
    step_com = &node_com[pi];
    Verdict v = Verdict::accept();
    if constexpr (kCircuit) {
      v = s.verify_circuit(env, std::move(cl));
    } else {
      v = s.verify(env, std::move(cl));
    }
    if (!v) return v.classified(Failure::kNode, static_cast<int>(s.node));
  }
  run.lap(&VerifyProfile::nodes);
  label("inputs and outputs");

  // A range-checked tensor's claims against its committed digits (a private input, a private output).
  auto verify_digits = [&](const layers::BoundParams& bp_params, std::span<const ClaimF> cl, std::vector<AdviceF>* adv) -> Verdict {
    auto bp = layers::deserialize_proof<F>(r, layers::bound_proof_layout(bp_params, cl.size()));
    return layers::verify_bound_as<F>(bp_params, cl, bp, tr, adv);
  };
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const int t = g.inputs[i];
    if (input_is_public(model)) {  // [visibility] the verifier evaluates the public input's padded MLE
      const PaddedShape xs = shape_of(model, t);
      for (const auto& c : claims[t])
        if (c.point.size() != xs.num_vars() || held_mle<F>(xs, run.public_inputs[i].data, input_vars[i], c.point) != c.value)
          return Verdict::reject(Failure::kPublicValues, "input '" + g.tensors[t].name + "': claim on the public input fails");
      claims[t].clear();
      continue;
    }
    std::vector<AdviceF> adv;
    if (Verdict v = verify_digits(in_bound[i], claims[t], &adv); !v)
      return v.within("input '" + g.tensors[t].name + "'").classified(Failure::kInput);
    if (Verdict v = open_advice(in_com[i], adv, 0, "input"); !v) return v;
    claims[t].clear();
  }
  // [visibility] Private outputs: the first claim on each against its digits (range and padding).
  for (size_t o = 0; o < out_bound.size(); ++o) {
    std::vector<AdviceF> adv;
    if (Verdict v = verify_digits(out_bound[o], std::span<const ClaimF>(&output_claims[o], 1), &adv); !v)
      return v.within("output '" + g.tensors[g.outputs[o]].name + "'").classified(Failure::kInput);
    if (Verdict v = open_advice(out_com[o], adv, 0, "output"); !v) return v;
  }
  run.lap(&VerifyProfile::bounds);
  // The model's lookups (one LogUp for all tables): multiplicity commitments, the batch proof; claims
  // on the columns go to their layers' commitments.
  label("lookups");
  if (!lookups.empty()) {
    std::vector<layers::AdviceShape> ms;
    for (size_t t = 0; t < lookups.num_tables(); ++t) ms.push_back({"lookup.mult", lookups.table(t).log_size()});
    group_start = r.position();
    group_first = run.coms.size();
    const auto mcom = read_advice(ms);
    if (wrap) absorb_group();
    const auto bp = lookup::BatchProof<F>::deserialize(r, lookups.shapes());
    std::vector<lookup::SegmentClaim<F>> sc;
    std::vector<lookup::MultiplicityClaim<F>> mc;
    if (Verdict v = lookups.verify(bp, tr, &sc, &mc); !v) return v.within("lookups").classified(Failure::kLookup);
    for (auto& c : sc) {
      if (c.owner >= lookup_owners.size()) return Verdict::reject("lookups: internal: segment without owner");
      const auto& [com, offset] = lookup_owners[c.owner];
      if (offset + c.id >= com->size()) return Verdict::reject("lookups: claim on unknown advice");
      open_at((*com)[offset + c.id], std::move(c.point), c.value);
    }
    for (auto& c : mc) open_at(mcom[c.table], std::move(c.point), c.value);
  }
  label("constants");
  for (size_t t = 0; t < nt; ++t) {
    if (claims[t].empty()) continue;
    if (key_commits_constant(model, vk, static_cast<int>(t))) {  // kzg version 7: opened against the key's commitment
      const size_t nv = shape_of(model, static_cast<int>(t)).num_vars();
      for (auto& cl : claims[t]) {
        if (cl.point.size() != nv)
          return Verdict::reject(Failure::kOpening, "proof: claim on the constant " + g.tensors[t].name + " at a point of another size");
        open_at(vk.weights[t].get(), cl.point, cl.value);
      }
      continue;
    }
    if (verifier_evaluates(model, static_cast<int>(t))) {  // [visibility] integer constants, fixed/public weights
      const PaddedShape ts = shape_of(model, static_cast<int>(t));
      for (const auto& c : claims[t])
        if (c.point.size() != ts.num_vars() || held_mle<F>(ts, model.qconst[t].data, {}, c.point) != c.value)
          return Verdict::reject(Failure::kOpening, "proof: claim on the " + std::string(is_weight(model, static_cast<int>(t)) ? "weight " : "constant ") +
                                 g.tensors[t].name + " fails");
      continue;
    }
    if (!vk.weights[t]) return Verdict::reject(Failure::kKey, "proof: claims left on tensor " + g.tensors[t].name + " that nothing proves");
    for (auto& cl : claims[t]) open_at(vk.weights[t].get(), cl.point, cl.value);
  }
  run.lap(&VerifyProfile::lookups);
  return Verdict::accept();
}

}  // namespace

namespace detail {

Verdict verify_impl(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> bytes,
                    ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs,
                    ReplayState* replay, std::vector<ByteField>* fields, VerifyProfile* profile) {
  using clock = std::chrono::steady_clock;
  auto mark = clock::now();
  auto lap = [&](double VerifyProfile::*slot) {  // time since the last lap into *profile's slot
    if (!profile) return;
    const auto now = clock::now();
    profile->*slot += std::chrono::duration<double>(now - mark).count();
    mark = now;
  };
  Plan plan;
  try {
    plan = make_plan(model);
  } catch (const Error& e) {
    return Verdict::reject(Failure::kModel, std::string("model: ") + e.what());
  }
  if (vk.model_digest != quant::public_digest(model))
    return Verdict::reject(Failure::kKey, "vk: the verifying key is for another model");
  if (vk.weights.size() != model.graph.tensors.size()) return Verdict::reject(Failure::kKey, "vk: tensor count differs from the model");
  std::shared_ptr<const pcs::Scheme> scheme_ptr;
  try {
    scheme_ptr = scheme_for(model, plan, vk);
  } catch (const Error& e) {
    return Verdict::reject(Failure::kKey, std::string("vk: ") + e.what());
  }
  const pcs::Scheme& scheme = *scheme_ptr;
  if (Verdict v = check_key_commitments(model, vk, scheme); !v) return v;

  ByteReader r(bytes);
  r.log_fields(fields);
  transcript::Transcript own = proof_transcript(vk);
  transcript::Transcript& tr = replay ? replay->tr : own;
  // Zero knowledge: the verifier's context (the prover's replay runs under the prover's). A
  // wrappable key's proofs are plain: the wrapping Groth16 proof is the zero-knowledge one.
  const bool zk = zero_knowledge(model) && !vk.wrappable();
  std::unique_ptr<cp::Context> zctx;
  if (zk && !replay) zctx = scheme.zk_context(nullptr);
  cp::Context* const zk_ctx = zk ? (replay ? replay->zk : zctx.get()) : nullptr;
  ZKINFER_CHECK(!zk || zk_ctx != nullptr);
  // The layers register their lookups here (lookup/batch.h); verified after the inputs' checks.
  lookup::BatchVerifier<Fr> lookups;
  // The layers read and absorb through r and tr: their session names the zero-knowledge context and
  // the lookups (zk/session.h). The replay's transcript is the caller's: detached on the way out.
  const ProofSession session{zk_ctx, nullptr, &lookups};
  r.set_session(&session);
  tr.set_session(&session);
  struct Detach {
    transcript::Transcript& t;
    ~Detach() { t.set_session(nullptr); }
  } const detach{tr};
  ClaimsRun<Fr> run{model, vk, plan, scheme, bytes, r, tr, lookups, public_inputs, {}, lap};
  // Zero knowledge: the pad rows (absorbed as the messages that use them are; zk/cp.h). Not in
  // the bytes the prover replays: it writes them last.
  if (zk && !replay) run.after_outputs = [&] { zctx->read_rows(r); };
  if (Verdict v = verify_claims(run); !v) return v;
  // The public outputs, once the whole proof is checked.
  auto accept = [&] {
    const auto& g = model.graph;
    std::vector<ops::ITensor> proven;
    for (size_t k = 0; k < run.outs.size(); ++k) {  // [visibility] none when the output is private
      const int t_out = g.outputs[k];
      ops::ITensor t(g.tensors[t_out].shape, ops::DType::kInt);
      t.data = std::move(run.outs[k]);
      t.scale = model.scales[t_out];
      proven.push_back(std::move(t));
    }
    if (output) *output = proven.empty() ? ops::ITensor{} : proven[0];
    if (outputs) *outputs = std::move(proven);
    return Verdict::accept();
  };
  if (vk.wrappable()) {
    // A wrappable key's opening (proof/wrap_opening.h): the mask, the reduction and the combined
    // opening; plain, so no replay.
    ZKINFER_CHECK(!zk && replay == nullptr);
    const auto* kzg = dynamic_cast<const pcs::KzgScheme*>(&scheme);
    ZKINFER_CHECK(kzg != nullptr);
    WrapOpeningClaims<Fr> oc;
    if (Verdict v = wrap_opening_claims(run, &oc); !v) return v;
    WrapFrontT<Fr> front;
    if (Verdict v = verify_wrap_front<Fr>(oc.num_vars, oc.claims, tr, r, [](const Fr& d) { return d; }, &front); !v)
      return v.within("proof: batch opening");
    lap(&VerifyProfile::open_front);
    const pcs::KzgBatchProof batch = pcs::KzgBatchProof::deserialize(r, kzg->params().form());
    if (Verdict v = verify_wrap_back(kzg->params(), front.mask.point, oc.points, front.rho, front.gamma, front.value,
                                     front.seed, batch);
        !v)
      return v.within("proof");
    lap(&VerifyProfile::open_back);
    r.expect_end();
    return accept();
  }
  // Every claim opened together (pcs/scheme.h): the front half, then, in zero-knowledge mode,
  // each value it leaves bound to a Pedersen commitment and the end section proving every recorded
  // relation (zk/cp.h), then the back half (its pad matrix opened last).
  pcs::ClaimList<const pcs::Commitment*> pending;
  for (auto& c : run.pending) pending.add(c.com, std::move(c.point), c.value);
  std::unique_ptr<pcs::VerifierOpening> opening;
  if (Verdict v = scheme.verify_open(pending.handles(), pending.claims(), tr, r, &opening); !v)
    return v.within("proof: batch opening").classified(Failure::kOpening);
  lap(&VerifyProfile::open_front);
  const std::vector<cp::Val> values = opening->values();
  if (replay) {  // the prover's replay stops here: the values, which the prover binds
    replay->opening_values = values;
    return Verdict::accept();
  }
  std::vector<pcs::EvalClaim> bound;
  for (const cp::Val& v : values) bound.push_back(zk ? zctx->bind_claim(v, r, tr) : pcs::EvalClaim::plain(v.value()));
  // The end section's group equations join the batch opening's one MSM (zk/cp_defer.h; kzg: its
  // MSM and pairing check, pcs/kzg.h).
  std::optional<cp::DeferredChecks> deferred;
  if (zk) deferred.emplace();
  cp::DeferredChecks* const defer = deferred ? &*deferred : nullptr;
  if (zk)
    if (Verdict v = zctx->verify_finish(tr, r, defer); !v) return v.within("proof").classified(Failure::kZeroKnowledge);
  lap(&VerifyProfile::zk);
  if (Verdict v = opening->finish(bound, zctx.get(), tr, r, defer); !v) {
    // Name the end section when one of its deferred equations is what fails.
    if (deferred)
      if (std::string why = deferred->failing(zctx->params()); !why.empty())
        return Verdict::reject("proof: zero-knowledge checks: " + why).classified(Failure::kZeroKnowledge);
    return v.within("proof: batch opening").classified(Failure::kOpening);
  }
  if (deferred && !deferred->settled())
    return Verdict::reject("proof: internal: the zero-knowledge end section's deferred checks were not evaluated");
  lap(&VerifyProfile::open_back);
  r.expect_end();
  return accept();
}

}  // namespace detail

Verdict verifier_circuit(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                         VerifierCircuit* out, std::span<const ops::ITensor> public_inputs) {
  using snark::CFr;
  if (!vk.wrappable())
    throw Error("wrap: the key is not wrappable (version " + std::to_string(vk.effective_version()) +
                "): make one with zkinfer setup --backend kzg --wrappable");
  ZKINFER_CHECK(out != nullptr);
  *out = VerifierCircuit{};
  try {
    if (Verdict v = check_key(model, vk); !v) return v.classified(Failure::kKey);
    const Plan plan = make_plan(model);
    if (vk.model_digest != quant::public_digest(model)) return Verdict::reject(Failure::kKey, "vk: the verifying key is for another model");
    const auto scheme_ptr = scheme_for(model, plan, vk);
    if (Verdict v = check_key_commitments(model, vk, *scheme_ptr); !v) return v;
    ByteReader r(proof);
    snark::CircuitScope scope(out->cs);
    transcript::Transcript tr(kProofDomain, std::make_unique<snark::PoseidonCircuitSponge>());
    lookup::BatchVerifier<CFr> lookups;
    ProofSession session;
    session.circuit_lookup_verifier = &lookups;
    r.set_session(&session);
    tr.set_session(&session);
    ClaimsRun<CFr> run{model, vk, plan, *scheme_ptr, proof, r, tr, lookups, public_inputs, {}, [](double VerifyProfile::*) {}};
    if (Verdict v = verify_claims(run); !v) return v;
    // The opening's front (proof/wrap_opening.h): the mask, the reduction, gamma, V, the seed.
    out->cs.set_label("batch opening");
    WrapOpeningClaims<CFr> oc;
    if (Verdict v = wrap_opening_claims(run, &oc); !v) return v;
    WrapFrontT<CFr> front;
    auto digest = [&](const Fr& d) { return CFr::public_input(d); };
    if (Verdict v = verify_wrap_front<CFr>(oc.num_vars, oc.claims, tr, r, digest, &front); !v) return v.within("proof: batch opening");
    // Exposed: each value the back half needs becomes a public input equal to it.
    auto expose = [](const CFr& x) {
      const CFr p = CFr::public_input(x.value());
      (void)(p == x);  // recorded (cfr.h): the public input is the circuit's value
      return x.value();
    };
    for (const CFr& x : front.rho) out->rho.push_back(expose(x));
    out->gamma = expose(front.gamma);
    out->value = expose(front.value);
    out->seed = expose(front.seed);
    // The public values, bound by one fingerprint: y = sum_i v_i z^i over the values in order
    // (inputs, then outputs), z and y public inputs the verifier computes from the values it holds.
    for (const auto& x : public_inputs) out->inputs.push_back(x.data);
    out->outputs = run.outs;
    if (!run.publics.empty()) {
      const Fr z = public_values_point(model, out->inputs, out->outputs);
      const CFr zv = CFr::public_input(z);
      const CFr yv = CFr::public_input(public_values_fingerprint(out->inputs, out->outputs, z));
      CFr acc = CFr::zero();
      for (size_t i = run.publics.size(); i-- > 0;) acc = acc * zv + run.publics[i];
      (void)(acc == yv);  // recorded: the fingerprint of the values the circuit verified
      out->has_fingerprint = true;
    }
    const auto* kzg = dynamic_cast<const pcs::KzgScheme*>(scheme_ptr.get());
    ZKINFER_CHECK(kzg != nullptr);
    out->back = pcs::KzgBatchProof::deserialize(r, kzg->params().form());
    r.expect_end();
    // Where the opening's commitments come from: the key's weights or the proof's own.
    for (const auto& c : run.coms) out->commitments.push_back(pcs::KzgScheme::as_kzg(*c)->point);
    out->commitments.push_back(front.mask.point);
    for (size_t n : run.group_sizes) out->group_sizes.push_back(static_cast<uint32_t>(n));
    out->group_sizes.push_back(1);
    for (size_t c = 0; c < oc.coms.size(); ++c) {
      WrapOpenItem it;
      it.num_vars = static_cast<uint32_t>(oc.num_vars[c]);
      bool found = false;
      for (size_t t = 0; t < vk.weights.size() && !found; ++t)
        if (vk.weights[t].get() == oc.coms[c]) it = {WrapOpenItem::Source::kKey, static_cast<uint32_t>(t), it.num_vars}, found = true;
      for (size_t k = 0; k < run.coms.size() && !found; ++k)
        if (run.coms[k].get() == oc.coms[c]) it = {WrapOpenItem::Source::kProof, static_cast<uint32_t>(k), it.num_vars}, found = true;
      ZKINFER_CHECK(found && "an opened commitment neither the key's nor the proof's");
      out->opening.push_back(it);
    }
    out->false_equalities = scope.false_equalities();
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(Failure::kDecode, std::string("proof decoding: ") + e.what());
  }
}

Verdict verify(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
               ops::ITensor* output, std::vector<ops::ITensor>* outputs, std::span<const ops::ITensor> public_inputs) {
  try {
    if (Verdict v = check_key(model, vk); !v) return v.classified(Failure::kKey);
    return verify_impl(model, vk, proof, output, outputs, public_inputs, nullptr);
  } catch (const DecodeError& e) {
    return Verdict::reject(Failure::kDecode, std::string("proof decoding: ") + e.what());
  } catch (const Error& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  }
}

Verdict verify_profiled(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                        VerifyProfile* profile) {
  try {
    const auto t0 = std::chrono::steady_clock::now();
    if (Verdict v = check_key(model, vk); !v) return v.classified(Failure::kKey);
    if (profile) profile->key += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return verify_impl(model, vk, proof, nullptr, nullptr, {}, nullptr, nullptr, profile);
  } catch (const DecodeError& e) {
    return Verdict::reject(Failure::kDecode, std::string("proof decoding: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  }
}

Verdict proof_fields(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                     std::vector<ByteField>* fields, std::span<const ops::ITensor> public_inputs) {
  ZKINFER_CHECK(fields != nullptr);
  fields->clear();
  try {
    if (Verdict v = check_key(model, vk); !v) return v.classified(Failure::kKey);
    return verify_impl(model, vk, proof, nullptr, nullptr, public_inputs, nullptr, fields);
  } catch (const DecodeError& e) {
    return Verdict::reject(Failure::kDecode, std::string("proof decoding: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("proof: ") + e.what());
  }
}

}  // namespace zkinfer::proof
