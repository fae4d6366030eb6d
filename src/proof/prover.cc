// The whole-model prover (docs/PROOF.md): the driver over the step handlers' provers (step.h),
// its two passes in zero-knowledge mode (the second one a replay of the verifier, driver.h), and
// the openings. Not part of the verifier library (zkinfer_verifier).
#include "proof/model_proof.h"
#include "proof/driver.h"
#include "proof/key_constants.h"
#include "proof/packed_values.h"
#include "proof/wrap_opening.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "common/check.h"
#include "common/mem_trace.h"
#include "hash/keccak.h"
#include "layers/bound.h"
#include "layers/combine.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "lookup/batch.h"
#include "pcs/hyrax_eval.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/kzg_scheme.h"
#include "proof/model_facts.h"
#include "proof/step.h"
#include "pcs/small_values.h"
#include "proof/weight_bounds.h"
#include "quant/model_file.h"
#include "sumcheck/proof.h"
#include "zk/cp.h"
#include "zk/session.h"

namespace zkinfer::proof {

using field::Fr;
using layers::Claim;
using layers::PaddedShape;

using namespace detail;
// ---------------------------------------------------------------------------------------------
// Prover



namespace {

// The driver's services to the steps (step.h), as callbacks into prove() and verify_impl().
class DriverProverEnv : public ProverEnv {
 public:
  using ProverEnv::ProverEnv;
  std::function<void(StepProver&, const std::vector<layers::LayerAdvice>&)> commit_fn;
  std::function<void(const StepProver&, const std::vector<layers::AdviceClaim>&, size_t)> open_fn;
  std::function<void(int, std::vector<Claim>)> claims_fn;
  std::function<const StepProver*(int)> producer_fn;
  void commit_advice(StepProver& sp, const std::vector<layers::LayerAdvice>& adv) override { commit_fn(sp, adv); }
  void open_advice(const StepProver& sp, const std::vector<layers::AdviceClaim>& adv, size_t offset) override {
    open_fn(sp, adv, offset);
  }
  void add_claims(int t, std::vector<Claim> claims) override { claims_fn(t, std::move(claims)); }
  const StepProver* prover_of(int t) const override { return producer_fn(t); }
};


// The commitments of a model input's or private output's digits (and of the lookups'
// multiplicities): advice owned by the driver, not by a step.
class BoundHolder : public StepProver {
 public:
  std::unique_ptr<layers::BoundProver> bound;
  void prove(ProverEnv&, std::vector<Claim>) override {}
};

}  // namespace



std::vector<uint8_t> prove(const quant::CompiledModel& model, const VerifyingKey& vk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats) {
  return prove(model, ProvingKey{vk, {}}, trace, random, stats);
}

std::vector<uint8_t> prove(const quant::CompiledModel& model, const ProvingKey& pk, const quant::Trace& trace,
                           const pcs::RandomFr& random, ProveStats* stats) {
  const VerifyingKey& vk = pk.vk;
  auto plan = make_plan(model);
  if (!model.withheld.empty()) throw Error("proof: proving needs the compiled model with its weights (.zkm), not a public model");
  if (vk.model_digest != quant::public_digest(model)) throw Error("proof: the proving key is for another model");
  if (vk.backend == Backend::kKzg && (!vk.kzg || !vk.kzg->has_powers()))
    throw Error("proof: a kzg key without the SRS powers (proving needs the proving key, pk)");
  const auto scheme_ptr = scheme_for(model, plan, vk);
  const pcs::Scheme& scheme = *scheme_ptr;
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  if (trace.values.size() != nt) throw Error("proof: the trace does not belong to this model");
  auto t0 = std::chrono::steady_clock::now();

  transcript::Transcript tr = proof_transcript(vk);
  // Zero knowledge: a first pass sends commitments (relations off) while recording the challenges;
  // the verifier's replay on the bytes then gives every claim its blind (see ReplayState). A
  // wrappable key's proofs are plain (the wrapping proof hides them).
  const bool wrap = vk.wrappable();
  const bool zk = zero_knowledge(model) && !wrap;
  std::unique_ptr<cp::Context> zctx;
  if (zk) {
    zctx = scheme.zk_context(&random);
    zctx->set_relations(false);
    tr.start_recording();
  }
  // Every range check and table lookup of the layers joins one LogUp for all tables (lookup/batch.h),
  // proven after the inputs' and outputs' checks.
  lookup::BatchProver<Fr> lookups;
  // The layers send through tr: its session names the zero-knowledge context and the lookups
  // (zk/session.h).
  const ProofSession session{zctx.get(), &lookups, nullptr};
  tr.set_session(&session);
  // The owner of each batch segment: a node's advice commitments from an offset (open_advice).
  std::vector<std::pair<const StepProver*, size_t>> lookup_owners;
  ByteWriter w;
  w.bytes(kProofMagic);
  w.u32(kProofVersion);
  w.u8(static_cast<uint8_t>(vk.backend));
  auto vkd = vk.digest();
  w.bytes(vkd);
  tr.absorb_bytes("proof.vk_digest", vkd);
  // [visibility] A public input is not in the proof: the verifier is given it; both absorb it here.
  if (input_is_public(model))
    for (int t : g.inputs) absorb_i64s(tr, "proof.input", trace.values[t].data);

  // Every public output is absorbed before the first challenge (each gets its own random point
  // below); a private output is committed with the inputs' digits instead.
  for (int t_out : g.outputs) {
    if (output_is_private(model)) break;  // [visibility]
    const auto& out = trace.values[t_out].data;
    w.u64(out.size());
    write_packed_values(w, out);  // proof/packed_values.h
    absorb_i64s(tr, "proof.output", out);
  }
  const size_t header_end = w.data().size();
  if (stats) stats->header_bytes = header_end;

  // What the batch opening reads of every committed vector: under Hyrax the advice's small
  // integers, borrowed from the step provers that hold them to the end of the proof (step.h
  // commit_advice; no copy: 8 bytes an entry; its row combinations come from them,
  // pcs/small_values.h), under KZG the Fr table (32 bytes an entry; the opening needs the whole
  // table). A Hyrax commitment's entry in `tables` is empty (no_table) and its pcs::Committed
  // points to its values.
  std::deque<std::vector<Fr>> tables;
  std::deque<pcs::SmallValues> advice_small;
  const std::vector<Fr> no_table;
  std::deque<pcs::Committed> committed;
  auto commit_i64 = [&](std::span<const int64_t> padded) -> pcs::Committed& {
    std::vector<Fr> blinds(scheme.blind_count(layers::ceil_log2(padded.size()), pcs::Use::kProof));
    for (auto& b : blinds) b = random();
    committed.push_back(scheme.commit(padded, pcs::Use::kProof, std::move(blinds)));
    committed.back().commitment->serialize(w);
    if (!wrap) committed.back().commitment->absorb_into(tr);
    return committed.back();
  };
  auto commit_advice = [&](StepProver& sp, const std::vector<layers::LayerAdvice>& adv) {
    for (const auto& a : adv) {
      pcs::Committed& c = commit_i64(a.values);
      sp.com.push_back(&c);
      if (pcs::HyraxScheme::as_hyrax(*c.commitment) != nullptr) {
        advice_small.push_back(pcs::SmallValues::flat(a.values));
        c.small = &advice_small.back();
        sp.tab.push_back(&no_table);
      } else {
        tables.push_back(to_fr(a.values));
        sp.tab.push_back(&tables.back());
      }
    }
  };

  std::vector<std::vector<Claim>> claims(nt);
  // [conformance] Every claim is the true evaluation of its vector's extension (stats->check_claims).
  const bool check = stats && stats->check_claims;
  auto check_claim = [&](std::span<const Fr> table, std::span<const Fr> point, const cp::Val& value, const std::string& where) {
    if (!check) return;
    if (table.size() != (size_t{1} << point.size()))
      throw Error("proof: conformance: " + where + ": a claim at a point of " + std::to_string(point.size()) +
                  " variables on a vector of " + std::to_string(table.size()) + " entries");
    if (mle_eval(std::vector<Fr>(table.begin(), table.end()), point) != value.value())
      throw Error("proof: conformance: " + where + ": a claim is not its vector's evaluation");
    ++stats->claims_checked;
  };
  // Every claim on a committed vector, in the order the verifier meets them, opened together at
  // the end (pcs/scheme.h); each commitment's table.
  pcs::ClaimList<const pcs::Committed*> pending;
  std::map<const pcs::Committed*, const std::vector<Fr>*> table_of;
  auto open_at = [&](const pcs::Committed* c, const std::vector<Fr>* values, std::vector<Fr> point, const cp::Val& v) {
    if (check && c->small != nullptr) {
      if (c->small->size() != (size_t{1} << point.size()))
        throw Error("proof: conformance: an advice claim at a point of the wrong size");
      if (pcs::mle_small(*c->small, point) != v.value()) throw Error("proof: conformance: an advice claim is not its vector's evaluation");
      ++stats->claims_checked;
    } else {
      check_claim(*values, point, v, "an advice claim");
    }
    table_of[c] = values;
    pending.add(c, std::move(point), v);
  };
  // A layer's advice claims, and the owner of the lookups it just registered (same advice).
  auto open_advice = [&](const StepProver& n, const std::vector<layers::AdviceClaim>& adv, size_t offset) {
    for (const auto& c : adv) {
      ZKINFER_CHECK(offset + c.advice < n.com.size());
      open_at(n.com[offset + c.advice], n.tab[offset + c.advice], c.claim.point, c.claim.value);
    }
    lookups.assign_owner(lookup_owners.size());
    lookup_owners.emplace_back(&n, offset);
  };

  // The steps' provers, in node order, and the services they get (step.h).
  std::vector<std::unique_ptr<StepProver>> np(plan.size());
  std::vector<int> producer(nt, -1);
  for (size_t pi = 0; pi < plan.size(); ++pi) producer[plan[pi]->y] = static_cast<int>(pi);
  DriverProverEnv env(model, trace, tr, w);
  env.commit_fn = commit_advice;
  env.open_fn = open_advice;
  env.claims_fn = [&](int t, std::vector<Claim> cs) {
    ZKINFER_CHECK(t >= 0 && static_cast<size_t>(t) < nt);
    for (auto& c : cs) claims[t].push_back(std::move(c));
  };
  env.producer_fn = [&](int t) -> const StepProver* {
    return t >= 0 && static_cast<size_t>(t) < nt && producer[t] >= 0 ? np[producer[t]].get() : nullptr;
  };

  const size_t total_steps = plan.size() + 2;
  auto progress = [&](size_t done, const std::string& what) {
    if (stats && stats->progress) stats->progress(done, total_steps, what);
  };
  progress(0, "committing the advice");
  mem_trace("prove: start");
  // Phase 1: the layers' advice, committed: the inputs' bound digits, then per node (reverse order).
  std::vector<BoundHolder> input_provers(g.inputs.size());
  for (size_t i = 0; i < g.inputs.size() && !input_is_public(model); ++i) {  // [visibility] none when public
    const int t = g.inputs[i];
    input_provers[i].bound = std::make_unique<layers::BoundProver>(input_bound(model, t), trace.values[t].data);
    commit_advice(input_provers[i], input_provers[i].bound->advice());
  }
  // [visibility] A private output: its range-checked digits are its commitment (as the input's).
  std::vector<BoundHolder> output_provers(output_is_private(model) ? g.outputs.size() : 0);
  for (size_t o = 0; o < output_provers.size(); ++o) {
    const int t = g.outputs[o];
    output_provers[o].bound = std::make_unique<layers::BoundProver>(input_bound(model, t, "output"), trace.values[t].data);
    commit_advice(output_provers[o], output_provers[o].bound->advice());
  }
  for (size_t pi = 0; pi < plan.size(); ++pi) np[pi] = plan[pi]->prover(env);
  for (size_t pi = plan.size(); pi-- > 0;) {
    np[pi]->commit(env);
    if (mem_trace_on()) mem_trace(("prove: committed " + g.nodes[plan[pi]->node].name).c_str());
  }
  // A wrappable key's proof: the commitments absorbed as one element (driver.h commitment_digest).
  if (wrap) tr.absorb("proof.commitments", commitment_group_digest(std::span<const uint8_t>(w.data()).subspan(header_end)));
  if (stats) {
    stats->commit_s = seconds_since(t0);
    stats->commit_bytes = w.data().size() - header_end;
  }
  mem_trace("prove: advice committed");

  std::vector<Claim> output_claims;  // [visibility] private outputs: the first claim on each
  for (int t_out : g.outputs) {
    PaddedShape s = shape_of(model, t_out);
    auto z = tr.challenges<Fr>("proof.output_point", s.num_vars());
    Fr v = mle_eval(layers::padded_table(s, trace.values[t_out].data), z);
    if (output_is_private(model)) {  // [visibility] sent, and checked against the digits at the end
      const cp::Val sv = cp::send(tr, v);
      tr.absorb("proof.output_claim", sv);
      cp::write(w, sv);
      output_claims.push_back({z, sv});
      claims[t_out].push_back({std::move(z), sv});
      continue;
    }
    claims[t_out].push_back({std::move(z), v});
  }

  // Phase 2: claim reduction from the output backwards.
  for (size_t pi = plan.size(); pi-- > 0;) {
    const Step& s = *plan[pi];
    StepProver& n = *np[pi];
    progress(plan.size() - pi, g.nodes[s.node].name + " (" + g.nodes[s.node].op_type + ")");
    auto tn = std::chrono::steady_clock::now();
    const size_t bytes_before = w.data().size();
    std::vector<Claim> cl = std::move(claims[s.y]);
    claims[s.y].clear();
    if (cl.empty()) continue;
    if (check) {
      const auto* claimed = n.claimed_values();
      const auto yt = layers::padded_table(shape_of(model, s.y), claimed ? *claimed : trace.values[s.y].data);
      for (const auto& c : cl) check_claim(yt, c.point, c.value, node_label(model, s.node) + "'s output");
    }
    if (cl.size() > 1 && !s.free_move()) {
      const PaddedShape ys = shape_of(model, s.y);
      layers::CombineProof cp;
      const auto* claimed = n.claimed_values();  // a fused node's claims are on its accumulator
      auto yt = layers::padded_table(ys, claimed ? *claimed : trace.values[s.y].data);
      Claim one = layers::prove_combine(yt, ys.num_vars(), cl, tr, &cp);
      cp.serialize(w);
      cl = {std::move(one)};
    }
    n.prove(env, std::move(cl));
    if (mem_trace_on()) mem_trace(("prove: node " + g.nodes[s.node].name).c_str());
    if (stats) {
      stats->per_node.emplace_back(g.nodes[s.node].name, seconds_since(tn));
      stats->per_node_bytes.push_back(w.data().size() - bytes_before);
    }
  }
  progress(plan.size() + 1, "batch opening");
  mem_trace("prove: nodes done");
  auto to = std::chrono::steady_clock::now();
  const size_t open_start = w.data().size();
  // The inputs: every claim checked against the range-checked digits (which are its commitment).
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const int t = g.inputs[i];
    if (check) {
      const auto xt = layers::padded_table(shape_of(model, t), trace.values[t].data);
      for (const auto& c : claims[t]) check_claim(xt, c.point, c.value, "input " + g.tensors[t].name);
    }
    if (input_is_public(model)) {  // [visibility] the verifier evaluates the public input itself
      claims[t].clear();
      continue;
    }
    std::vector<layers::AdviceClaim> adv;
    auto bp = input_provers[i].bound->prove(claims[t], tr, &adv);
    bp.serialize(w);
    open_advice(input_provers[i], adv, 0);
    claims[t].clear();
  }
  // [visibility] Private outputs: the first claim on each checked against its digits.
  for (size_t o = 0; o < output_provers.size(); ++o) {
    std::vector<layers::AdviceClaim> adv;
    auto bp = output_provers[o].bound->prove(std::span<const Claim>(&output_claims[o], 1), tr, &adv);
    bp.serialize(w);
    open_advice(output_provers[o], adv, 0);
  }
  // The model's lookups: each table's multiplicities committed (absorbed before its LogUp
  // challenges, after every column's commitment), then one LogUp for all tables; the claims on the
  // columns go to their layers' commitments.
  BoundHolder mult_np;  // (no bound: the multiplicities' commitments)
  std::vector<layers::LayerAdvice> ms;  // their values (borrowed by the opening: kept to the end)
  const auto tl = std::chrono::steady_clock::now();
  const size_t lookup_start = w.data().size();
  if (!lookups.empty()) {
    for (auto& counts : lookups.prepare()) ms.push_back({"lookup.mult", std::vector<int64_t>(counts.begin(), counts.end())});
    if (mem_trace_on()) {  // the batch's rows per table (the LogUp's size)
      uint64_t all = 0;
      for (size_t t = 0; t < ms.size(); ++t) {
        uint64_t rows = 0;
        for (int64_t c : ms[t].values) rows += static_cast<uint64_t>(c);
        all += rows;
        std::fprintf(stderr, "[mem] lookup table %zu: %s of 2^%zu rows, %llu rows looked up\n", t,
                     lookups.table(t).kind() == lookup::LookupTable<Fr>::Kind::kRange ? "range" : "two-column",
                     lookups.table(t).log_size(), static_cast<unsigned long long>(rows));
      }
      std::fprintf(stderr, "[mem] lookups: %llu rows (with the witness padding)\n", static_cast<unsigned long long>(all));
    }
    const size_t mult_start = w.data().size();
    commit_advice(mult_np, ms);
    if (wrap) tr.absorb("proof.commitments", commitment_group_digest(std::span<const uint8_t>(w.data()).subspan(mult_start)));
    mem_trace("prove: lookups prepared, multiplicities committed");
    auto res = lookups.prove(tr);
    mem_trace("prove: lookups proven");
    res.proof.serialize(w);
    for (const auto& c : res.segment_claims) {
      ZKINFER_CHECK(c.owner < lookup_owners.size());
      const auto& [owner, offset] = lookup_owners[c.owner];
      ZKINFER_CHECK(offset + c.id < owner->com.size());
      open_at(owner->com[offset + c.id], owner->tab[offset + c.id], c.point, c.value);
    }
    for (const auto& c : res.multiplicity_claims) open_at(mult_np.com[c.table], mult_np.tab[c.table], c.point, c.value);
  }
  if (stats) {
    stats->lookup_s = seconds_since(tl);
    stats->lookup_bytes = w.data().size() - lookup_start;
    stats->lookup_offset = lookup_start;
    stats->lookup_tables = lookups.num_tables();
  }
  // Weights: opened against the verifying key's commitments (the setup's blinds).
  // A Hyrax commitment's rows are combined from the model's small integers (pcs/small_values.h):
  // no padded Fr table of a weight (32 bytes an entry; GPT-2's 163 M weights) per proof. KZG
  // openings need the Fr table.
  std::deque<pcs::Committed> weight_committed;
  std::deque<pcs::SmallValues> weight_small;
  std::map<size_t, const pcs::Committed*> weight_open;
  auto open_weight = [&](size_t t) {
    auto it = weight_open.find(t);
    if (it != weight_open.end()) return it->second;
    const bool constant = key_commits_constant(model, vk, static_cast<int>(t));
    ZKINFER_CHECK((is_committed_weight(model, static_cast<int>(t)) || constant) && "claims left on an unproven tensor");
    const pcs::CommitmentPtr& com = vk.weights[t];
    if (!com) throw Error("proof: the proving key has no commitment of " + g.tensors[t].name);
    const PaddedShape ws = shape_of(model, static_cast<int>(t));
    // A public constant (kzg key version 7) is committed as the public model holds it.
    const auto& wv = constant ? model.qconst[t].data : committed_values(model, static_cast<int>(t));
    const pcs::SmallValues* small = nullptr;
    if (pcs::HyraxScheme::as_hyrax(*com) != nullptr) {
      weight_small.push_back(pcs::SmallValues{wv, ws.dims(), ws.padded()});
      small = &weight_small.back();
    } else {
      tables.push_back(layers::padded_table(ws, wv));
    }
    // The setup's blinds (zero for a key made by setup(), which does not hide).
    std::vector<Fr> blinds(com->num_blinds(), Fr::zero());
    if (t < pk.blinds.size() && !pk.blinds[t].empty()) {
      if (pk.blinds[t].size() != com->num_blinds()) throw Error("proof: the proving key's blinds do not match its commitments");
      blinds = pk.blinds[t];
    }
    weight_committed.push_back({com, std::move(blinds), small});
    table_of[&weight_committed.back()] = small ? &no_table : &tables.back();
    return weight_open[t] = &weight_committed.back();
  };
  for (size_t t = 0; t < nt; ++t) {
    // The verifier evaluates the constants it holds, but those a kzg key of version 7 commits to.
    if (claims[t].empty() || (verifier_evaluates(model, static_cast<int>(t)) && !key_commits_constant(model, vk, static_cast<int>(t))))
      continue;
    const pcs::Committed* wc = open_weight(t);
    for (const auto& c : claims[t]) {
      if (!check) break;
      const std::string where = "weight " + g.tensors[t].name;
      if (!wc->small) {
        check_claim(*table_of[wc], c.point, c.value, where);
        continue;
      }
      if (wc->small->size() != (size_t{1} << c.point.size()))
        throw Error("proof: conformance: " + where + ": a claim at a point of the wrong size");
      if (pcs::mle_small(*wc->small, c.point) != c.value.value())
        throw Error("proof: conformance: " + where + ": a claim is not its vector's evaluation");
      ++stats->claims_checked;
    }
    for (auto& c : claims[t]) pending.add(wc, c.point, c.value);
  }
  // The opening's front half (pcs/scheme.h); its values bound (zero knowledge: after the replay
  // below); the back half.
  std::vector<std::span<const Fr>> open_tabs;
  mem_trace("prove: weights' claims gathered");
  for (const pcs::Committed* c : pending.handles()) open_tabs.push_back(*table_of.at(c));
  if (wrap) {  // the mask, the reduction and the combined opening (proof/wrap_opening.h)
    const auto* kzg = dynamic_cast<const pcs::KzgScheme*>(&scheme);
    ZKINFER_CHECK(kzg != nullptr && !zk);
    prove_wrap_opening(kzg->params(), pending.handles(), open_tabs, pending.claims(), tr, w, random);
    if (stats) {
      stats->open_s = seconds_since(to);
      stats->open_bytes = w.data().size() - open_start;
    }
    progress(total_steps, "done");
    return w.data();
  }
  std::unique_ptr<pcs::ProverOpening> opening = scheme.prove_open(pending.handles(), open_tabs, pending.claims(), tr, w);
  mem_trace("prove: opening's front half");
  std::vector<pcs::ProverClaim> bound;
  if (!zk) {
    for (const cp::Val& v : opening->values()) bound.push_back(pcs::ProverClaim::plain(v.value()));
  } else {
    // Second pass: the verifier replayed on the proof so far gives every value the verifier
    // derives (the opening's values among them), with every product and equality it will check
    // (cp.h); the opening's values are bound to Pedersen commitments, then the end section.
    ReplayState rs{transcript::Transcript::replay(tr.take_recording()), zctx.get(), {}};
    zctx->set_relations(true);
    std::vector<ops::ITensor> pub_in;
    if (input_is_public(model))
      for (int t : g.inputs) pub_in.push_back(trace.values[t]);
    if (Verdict v = verify_impl(model, vk, w.data(), nullptr, nullptr, pub_in, &rs); !v)
      throw Error("proof: internal error: the prover's own proof fails its replay: " + v.reason());
    ZKINFER_CHECK(rs.tr.replay_done() && rs.opening_values.size() == opening->values().size());
    mem_trace("prove: replay done");
    for (const auto& v : rs.opening_values) bound.push_back(zctx->bind_claim(v, w, tr));
    zctx->prove_finish(tr, w);
  }
  opening->finish(bound, zctx.get(), tr, w, random);
  mem_trace("prove: opening finished");
  if (stats) {
    stats->open_s = seconds_since(to);
    stats->open_bytes = w.data().size() - open_start;
  }
  progress(total_steps, "done");
  if (!zk) return w.data();
  // The pad rows go after the header, where the verifier reads them before any message.
  std::vector<uint8_t> out(w.data().begin(), w.data().begin() + static_cast<std::ptrdiff_t>(header_end));
  const auto rows = zctx->rows_block();
  out.insert(out.end(), rows.begin(), rows.end());
  out.insert(out.end(), w.data().begin() + static_cast<std::ptrdiff_t>(header_end), w.data().end());
  if (stats) stats->commit_bytes += rows.size();
  return out;
}

}  // namespace zkinfer::proof
