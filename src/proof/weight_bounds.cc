// The weight range proof of a verifying key (weight_bounds.h; docs/PROTOCOL.md, section 9).
#include "proof/weight_bounds.h"
#include "proof/weight_bounds_progress.h"

#include <bit>
#include <deque>
#include <map>
#include <optional>

#include "common/check.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "pcs/hyrax_eval.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/kzg_scheme.h"
#include "pcs/small_values.h"
#include "transcript/transcript.h"
#include "zk/cp.h"
#include "zk/session.h"

namespace zkinfer::proof {

namespace {
std::function<void(size_t, size_t)>& weight_bounds_progress_hook() {
  static std::function<void(size_t, size_t)> hook;
  return hook;
}
}  // namespace

void set_weight_bounds_progress(std::function<void(size_t, size_t)> f) { weight_bounds_progress_hook() = std::move(f); }

using field::Fr;
using layers::Claim;
using layers::PaddedShape;

namespace {

// The multilinear extension of t at point (t's entries in little-endian variable order). The first
// fold writes a half-size copy: t itself (a weight's whole table) is not copied.
Fr mle_at(std::span<const Fr> t, std::span<const Fr> point) {
  ZKINFER_CHECK(t.size() == (size_t{1} << point.size()));
  if (point.empty()) return t[0];
  std::vector<Fr> f(t.size() / 2);
  for (size_t i = 0; i < f.size(); ++i) f[i] = t[2 * i] + point[0] * (t[2 * i + 1] - t[2 * i]);
  for (const Fr& r : point.subspan(1)) {
    const size_t h = f.size() / 2;
    for (size_t i = 0; i < h; ++i) f[i] = f[2 * i] + r * (f[2 * i + 1] - f[2 * i]);
    f.resize(h);
  }
  return f[0];
}

// What the verifier (or the prover's replay of it) opens at the end: a digit commitment (index
// among the proof's commitments) or an item's weight commitment, at a point, to a value.
struct Opening {
  int com = -1;   // index of a digit commitment, or
  int item = -1;  // the item whose weight commitment is opened
  std::vector<Fr> point;
  cp::Val value;
};

Verdict check_items(std::span<const WeightBoundItem> items, const pcs::KzgParams* kzg) {
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    if (auto why = layers::bound_invalid(it.bound)) return Verdict::reject("weight '" + it.name + "': " + *why);
    if (it.commitment == nullptr) return Verdict::reject("weight '" + it.name + "': no commitment");
    if (it.commitment->num_vars() != layers::bound_shape(it.bound).num_vars())
      return Verdict::reject("weight '" + it.name + "': commitment layout differs from the model");
    const auto* rows = pcs::KzgScheme::as_kzg_rows(*it.commitment);
    const bool is_kzg = pcs::KzgScheme::as_kzg(*it.commitment) != nullptr || rows != nullptr;
    if (!is_kzg && pcs::HyraxScheme::as_hyrax(*it.commitment) == nullptr)
      return Verdict::reject("weight '" + it.name + "': a commitment of an unknown scheme");
    // (kzg keys of version 9: a weight in rows needs the powers of one row only.)
    const size_t need = rows != nullptr ? rows->row_vars : it.commitment->num_vars();
    if (is_kzg && (kzg == nullptr || need > kzg->max_vars()))
      return Verdict::reject("weight '" + it.name + "': a KZG commitment without a large enough SRS");
  }
  return Verdict::accept();
}

// The verifier, run by verify_weight_bounds and by the prover's replay (openings != nullptr: stop
// before the end section and report what would be opened; the commitments read are in *coms).
// group: this group's index and the number of groups (section "Groups" of weight_bounds.h); a single
// group absorbs neither.
struct GroupTag {
  size_t index = 0, count = 1;
};

void absorb_header(transcript::Transcript& tr, std::span<const uint8_t> context, const GroupTag& group, size_t items) {
  tr.absorb_bytes("wb.context", context);
  if (group.count > 1) {
    tr.absorb_u64("wb.groups", group.count);
    tr.absorb_u64("wb.group", group.index);
  }
  tr.absorb_u64("wb.items", items);
}

Verdict verify_impl(const pcs::HyraxParams& params, const pcs::KzgParams* kzg, std::span<const WeightBoundItem> items,
                    std::span<const uint8_t> bytes, std::span<const uint8_t> context, const GroupTag& group,
                    transcript::Transcript& tr, std::deque<pcs::HyraxCommitment>& coms,
                    std::vector<Opening>* replay_openings) {
  if (Verdict v = check_items(items, kzg); !v) return v;
  // The transcript's session (its zero-knowledge context: the verifier's, or the prover's in its
  // replay) reads the bytes too.
  ByteReader r(bytes, "weight range proof");
  r.set_session(tr.session());
  cp::Context* zctx = zk_of(tr);
  ZKINFER_CHECK(zctx != nullptr);
  // The pad rows of the zero-knowledge messages (zk/cp.h) come first; the prover's replay runs on
  // the bytes before it puts them there.
  if (!replay_openings) zctx->read_rows(r);
  absorb_header(tr, context, group, items.size());
  std::vector<std::vector<size_t>> item_coms(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    for (const auto& a : layers::bound_advice_shapes(items[i].bound)) {
      auto c = pcs::HyraxCommitment::deserialize(r);
      if (c.layout.num_vars != a.num_vars || c.layout.log_cols != pcs::default_log_cols(a.num_vars))
        r.fail("digit commitment layout differs from the model");
      c.absorb_into(tr);
      item_coms[i].push_back(coms.size());
      coms.push_back(std::move(c));
    }
  }
  std::vector<Opening> openings;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    const size_t n = layers::bound_shape(it.bound).num_vars();
    auto z = tr.challenges<Fr>("wb.point", n);
    cp::Val c = cp::read(r);
    tr.absorb("wb.claim", c);
    const std::vector<Claim> claims = {{z, c}};
    auto bp = layers::deserialize_proof(r, layers::bound_proof_layout(it.bound, 1));
    std::vector<layers::AdviceClaim> adv;
    if (Verdict v = layers::verify_bound(it.bound, claims, bp, tr, &adv); !v) return v.within("weight '" + it.name + "'");
    for (auto& a : adv) {
      if (a.advice >= item_coms[i].size()) return Verdict::reject("weight '" + it.name + "': claim on unknown digits");
      openings.push_back({static_cast<int>(item_coms[i][a.advice]), -1, std::move(a.claim.point), std::move(a.claim.value)});
    }
    openings.push_back({-1, static_cast<int>(i), std::move(z), std::move(c)});
  }
  if (replay_openings) {
    *replay_openings = std::move(openings);
    return Verdict::accept();
  }
  std::vector<pcs::OpeningClaim> claims;
  std::vector<pcs::KzgOpeningClaim> kzg_claims;
  std::deque<pcs::KzgCommitment> combined;  // weights in rows (kzg key version 9)
  claims.reserve(openings.size() + 1);
  for (auto& o : openings) {
    const auto claim = zctx->bind_claim(o.value, r, tr);
    if (o.item >= 0) {
      const pcs::Commitment& c = *items[o.item].commitment;
      if (const auto* k = pcs::KzgScheme::as_kzg(c)) {
        kzg_claims.push_back({k, std::move(o.point), claim});
        continue;
      }
      // A weight in rows: sum_b eq(z[L..n), b) C_b (z drawn after the key's statement, which holds
      // every row) opened at z[0..L) to the same value w~(z).
      if (const auto* k = pcs::KzgScheme::as_kzg_rows(c)) {
        const std::span<const Fr> z(o.point);
        combined.push_back(k->combine(z.subspan(k->row_vars)));
        kzg_claims.push_back({&combined.back(), std::vector<Fr>(z.begin(), z.begin() + k->row_vars), claim});
        continue;
      }
      claims.push_back({pcs::HyraxScheme::as_hyrax(c), std::move(o.point), claim});
    } else {
      claims.push_back({&coms[o.com], std::move(o.point), claim});
    }
  }
  if (Verdict v = zctx->verify_finish(tr, r); !v) return v;
  if (zctx->has_pad_opening()) claims.push_back(zctx->pad_opening_claim());
  if (!claims.empty()) {
    auto batch = pcs::HyraxBatchProof::deserialize(r);
    if (Verdict v = pcs::verify_batch(params, claims, batch, tr); !v) return v.within("batch opening");
  }
  if (!kzg_claims.empty()) {
    auto batch = pcs::KzgBatchProof::deserialize(r, kzg->form());
    if (Verdict v = pcs::verify_batch(*kzg, kzg_claims, batch, tr); !v) return v.within("kzg opening of the weights");
  }
  r.expect_end();
  return Verdict::accept();
}

}  // namespace

size_t weight_bounds_pad_log_row(const pcs::HyraxParams& params) { return std::min<size_t>(8, params.max_log_cols()); }

size_t weight_bounds_log_cols(std::span<const WeightBoundItem> items) {
  size_t lc = 0;
  for (const auto& it : items) {
    if (layers::bound_invalid(it.bound)) continue;
    lc = std::max(lc, pcs::key_log_cols(PaddedShape(it.bound.dims).num_vars()));
    for (const auto& a : layers::bound_advice_shapes(it.bound)) lc = std::max(lc, pcs::default_log_cols(a.num_vars));
  }
  return lc;
}

std::optional<std::string> weight_out_of_bounds(const WeightBoundItem& item, std::span<const int64_t> values) {
  const size_t bits = item.bound.bits;
  if (bits < 1 || bits > 60) return "weight '" + item.name + "': declared width " + std::to_string(bits) + " out of range [1, 60]";
  const int64_t lim = int64_t{1} << bits;
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] < -lim || values[i] >= lim)
      return "weight '" + item.name + "': entry " + std::to_string(i) + " = " + std::to_string(values[i]) +
             " is outside its declared width (-2^" + std::to_string(bits) + " <= w < 2^" + std::to_string(bits) + ")";
  return std::nullopt;
}

namespace {

// One group's proof (the whole proof when there is one group): items and witness are the group's.
std::vector<uint8_t> prove_group(const pcs::HyraxParams& params, std::span<const WeightBoundItem> items,
                                 std::span<const WeightBoundWitness> witness, std::span<const uint8_t> context,
                                 const GroupTag& group, const pcs::RandomFr& random, const pcs::KzgParams* kzg) {
  transcript::Transcript tr(kWeightBoundsDomain);
  // Zero knowledge as in the whole-model prover (model_proof.cc): a first pass sends padded
  // messages with relations off while recording the challenges; the verifier replayed on the bytes
  // gives every claim its affine form and records the products and equalities; then the bound
  // claims, cp's end section and the batch opening (with the pad matrix); the pad rows go first.
  cp::Context zctx(params, weight_bounds_pad_log_row(params), random);
  zctx.set_relations(false);
  tr.start_recording();
  const ProofSession session{&zctx};
  tr.set_session(&session);
  ByteWriter w;
  absorb_header(tr, context, group, items.size());

  std::vector<std::unique_ptr<layers::BoundProver>> provers;
  std::deque<pcs::HyraxCommitted> committed;
  for (size_t i = 0; i < items.size(); ++i) {
    provers.push_back(std::make_unique<layers::BoundProver>(items[i].bound, witness[i].values, witness[i].forced_v));
    for (const auto& a : provers.back()->advice()) {
      const size_t nv = layers::ceil_log2(a.values.size());
      pcs::HyraxLayout lay = pcs::layout_for(a.values.size(), pcs::default_log_cols(nv));
      std::vector<Fr> blinds(lay.num_rows());
      for (auto& b : blinds) b = random();
      auto c = pcs::commit_with_blinds(params, std::span<const int64_t>(a.values), lay.log_cols, blinds);
      committed.push_back({std::move(c), pcs::HyraxBlinds{std::move(blinds)}});
      committed.back().commitment.serialize(w);
      committed.back().commitment.absorb_into(tr);
    }
  }
  // The committed vectors as small integers (issue 14): each digit vector (moved out of its prover
  // once proven, in commitment order) and each weight (unpadded, row-major), so that w~(z) and the
  // batch opening's row combinations are computed row by row, without a padded Fr table.
  std::deque<std::vector<int64_t>> digits;
  std::deque<pcs::SmallValues> weight_small;
  for (size_t i = 0; i < items.size(); ++i) {
    const PaddedShape s = layers::bound_shape(items[i].bound);
    weight_small.push_back(pcs::SmallValues{witness[i].values, s.dims(), s.padded()});
    auto z = tr.challenges<Fr>("wb.point", s.num_vars());
    const Fr wz = witness[i].field_values.empty() ? pcs::mle_small(weight_small.back(), z) : mle_at(witness[i].field_values, z);
    const cp::Val c = cp::send(tr, wz);
    tr.absorb("wb.claim", c);
    cp::write(w, c);
    const std::vector<Claim> claims = {{std::move(z), c}};
    std::vector<layers::AdviceClaim> adv;
    provers[i]->prove(claims, tr, &adv).serialize(w);
    for (auto& a : provers[i]->release_advice()) digits.push_back(std::move(a.values));
    provers[i].reset();  // the digits' LogUp state is no longer needed
  }
  ZKINFER_CHECK(digits.size() == committed.size());
  std::deque<pcs::SmallValues> digit_small;
  for (const auto& d : digits) digit_small.push_back(pcs::SmallValues::flat(d));

  // Second pass: the verifier's replay.
  transcript::Transcript rtr = transcript::Transcript::replay(tr.take_recording());
  rtr.set_session(&session);
  zctx.set_relations(true);
  std::deque<pcs::HyraxCommitment> coms;
  std::vector<Opening> openings;
  if (Verdict v = verify_impl(params, kzg, items, w.data(), context, group, rtr, coms, &openings); !v)
    throw Error("setup: internal error: the weight range proof fails its replay: " + v.reason());
  ZKINFER_CHECK(rtr.replay_done());
  std::vector<pcs::ProverClaim> bound;
  bound.reserve(openings.size());
  for (auto& o : openings) bound.push_back(zctx.bind_claim(o.value, w, tr));
  zctx.prove_finish(tr, w);

  std::deque<pcs::HyraxBlinds> weight_blinds;
  std::deque<pcs::KzgBlinds> kzg_blinds;
  std::deque<std::vector<Fr>> kzg_tables;  // KZG openings need the whole table
  std::deque<pcs::KzgCommitment> kzg_combined;  // weights in rows: their combinations
  std::vector<pcs::OpeningWitness> ow;
  std::vector<pcs::KzgOpeningWitness> kow;
  for (size_t k = 0; k < openings.size(); ++k) {
    auto& o = openings[k];
    const pcs::ProverClaim& claim = bound[k];
    if (o.item >= 0) {
      const auto& bl = witness[o.item].blinds;
      if (const auto* kr = pcs::KzgScheme::as_kzg_rows(*items[o.item].commitment)) {
        // A weight in rows (kzg key version 9): its rows combined at the point's top coordinates.
        if (bl.size() != kr->rows.size()) throw Error("setup: weight blinds do not match the commitment");
        const std::span<const Fr> z(o.point), top = z.subspan(kr->row_vars);
        kzg_combined.push_back(kr->combine(top));
        kzg_blinds.push_back({pcs::combine_row_blinds(bl, top)});
        if (witness[o.item].field_values.empty()) {
          const std::vector<Fr> full = pcs::padded_fr(weight_small[o.item]);
          kzg_tables.push_back(pcs::combine_row_table(full, kr->row_vars, top));
        } else {
          kzg_tables.push_back(pcs::combine_row_table(witness[o.item].field_values, kr->row_vars, top));
        }
        kow.push_back({&kzg_combined.back(), &kzg_blinds.back(), kzg_tables.back(),
                       std::vector<Fr>(z.begin(), z.begin() + kr->row_vars), claim});
        continue;
      }
      if (const auto* kc = pcs::KzgScheme::as_kzg(*items[o.item].commitment)) {
        if (bl.size() > 1) throw Error("setup: weight blinds do not match the commitment");
        kzg_blinds.push_back({bl.empty() ? Fr::zero() : bl[0]});
        if (witness[o.item].field_values.empty()) {
          kzg_tables.push_back(pcs::padded_fr(weight_small[o.item]));
        } else {
          kzg_tables.emplace_back(witness[o.item].field_values.begin(), witness[o.item].field_values.end());
        }
        kow.push_back({kc, &kzg_blinds.back(), kzg_tables.back(), std::move(o.point), claim});
        continue;
      }
      const auto& com = *pcs::HyraxScheme::as_hyrax(*items[o.item].commitment);
      if (!bl.empty() && bl.size() != com.layout.num_rows()) throw Error("setup: weight blinds do not match the commitment");
      weight_blinds.push_back({bl.empty() ? std::vector<Fr>(com.layout.num_rows(), Fr::zero())
                                          : std::vector<Fr>(bl.begin(), bl.end())});
      if (witness[o.item].field_values.empty()) {
        ow.push_back({&com, &weight_blinds.back(), {}, std::move(o.point), claim, &weight_small[o.item]});
      } else {
        ow.push_back({&com, &weight_blinds.back(), witness[o.item].field_values, std::move(o.point), claim});
      }
    } else {
      ZKINFER_CHECK(o.com >= 0 && static_cast<size_t>(o.com) < committed.size());
      const auto& c = committed[o.com];
      ow.push_back({&c.commitment, &c.blinds, {}, std::move(o.point), claim, &digit_small[o.com]});
    }
  }
  if (zctx.has_pad_opening()) ow.push_back(zctx.pad_opening_witness());
  if (!ow.empty()) pcs::prove_batch(params, ow, tr, random).serialize(w);
  if (!kow.empty()) {
    ZKINFER_CHECK(kzg != nullptr && kzg->has_powers());
    pcs::prove_batch(*kzg, kow, tr, random).serialize(w);
  }
  std::vector<uint8_t> out = zctx.rows_block();
  out.insert(out.end(), w.data().begin(), w.data().end());
  return out;
}

}  // namespace

namespace {

// ---- chunks (weight_bounds.h, "Chunks") ----

struct ChunkPlan {
  size_t rows_per_chunk = 0;  // q: entries of dimension 0 per chunk
  size_t log_entries = 0;     // log2 of a chunk's padded entries
  size_t count = 0;           // chunks, pure padding ones included
  size_t hyrax_rows = 0;      // commitment rows per chunk
};

std::optional<ChunkPlan> chunk_plan(const layers::BoundParams& b, const pcs::HyraxLayout& layout, size_t chunk_entries) {
  if (chunk_entries == 0 || !std::has_single_bit(chunk_entries) || b.dims.empty() || layers::bound_invalid(b) ||
      b.first_log != 0)
    return std::nullopt;
  const PaddedShape s(b.dims);
  const size_t inner = s.size() / s.padded()[0];
  if (s.size() <= chunk_entries || inner > chunk_entries || layout.num_vars != s.num_vars() ||
      layout.num_cols() > chunk_entries)
    return std::nullopt;
  ChunkPlan p;
  p.rows_per_chunk = chunk_entries / inner;
  p.log_entries = static_cast<size_t>(std::countr_zero(chunk_entries));
  p.count = s.padded()[0] / p.rows_per_chunk;
  p.hyrax_rows = chunk_entries / layout.num_cols();
  return p;
}

// The items actually proven: every item as it is, except Hyrax-committed ones above the chunk size,
// which become their chunks (pure padding chunks become row ranges that must be the identity).
struct Part {
  WeightBoundItem item;
  size_t parent = 0;
  bool chunk = false;
  size_t value_begin = 0, value_count = 0;  // the chunk's unpadded entries among the parent's
  size_t flat_begin = 0, flat_size = 0;     // its padded entries
  size_t row_begin = 0, rows = 0;           // its rows of the parent's commitment
};
struct ZeroRows {
  size_t parent, begin, end;
};
struct Parts {
  std::vector<Part> parts;
  std::vector<WeightBoundItem> items;  // parts[k].item
  std::deque<pcs::CommitmentPtr> owned;
  std::vector<ZeroRows> zero_rows;
};

Parts expand(std::span<const WeightBoundItem> items, size_t chunk_entries) {
  Parts out;
  for (size_t i = 0; i < items.size(); ++i) {
    const WeightBoundItem& it = items[i];
    const pcs::HyraxCommitment* h = it.commitment ? pcs::HyraxScheme::as_hyrax(*it.commitment) : nullptr;
    const auto plan = h ? chunk_plan(it.bound, h->layout, chunk_entries) : std::nullopt;
    if (!plan) {
      out.parts.push_back({it, i});
      continue;
    }
    const auto& dims = it.bound.dims;
    size_t inner_unpadded = 1;
    for (size_t d = 1; d < dims.size(); ++d) inner_unpadded *= dims[d];
    for (size_t c = 0; c < plan->count; ++c) {
      const size_t first = c * plan->rows_per_chunk;
      const size_t r = first >= dims[0] ? 0 : std::min(plan->rows_per_chunk, dims[0] - first);
      const size_t row_begin = c * plan->hyrax_rows;
      if (r == 0) {
        out.zero_rows.push_back({i, row_begin, row_begin + plan->hyrax_rows});
        continue;
      }
      pcs::HyraxCommitment sub;
      sub.layout = pcs::HyraxLayout{static_cast<uint32_t>(plan->log_entries), h->layout.log_cols};
      sub.rows.assign(h->rows.begin() + static_cast<std::ptrdiff_t>(row_begin),
                      h->rows.begin() + static_cast<std::ptrdiff_t>(row_begin + plan->hyrax_rows));
      out.owned.push_back(pcs::HyraxScheme::wrap(std::move(sub)));
      Part p;
      p.item.name = it.name + " (chunk " + std::to_string(c + 1) + " of " + std::to_string(plan->count) + ")";
      p.item.bound = it.bound;
      p.item.bound.dims[0] = r;
      p.item.bound.first_log = static_cast<size_t>(std::countr_zero(plan->rows_per_chunk));
      p.item.commitment = out.owned.back().get();
      p.parent = i;
      p.chunk = true;
      p.value_begin = first * inner_unpadded;
      p.value_count = r * inner_unpadded;
      p.flat_begin = c * (size_t{1} << plan->log_entries);
      p.flat_size = size_t{1} << plan->log_entries;
      p.row_begin = row_begin;
      p.rows = plan->hyrax_rows;
      out.parts.push_back(std::move(p));
    }
  }
  for (const auto& p : out.parts) out.items.push_back(p.item);
  return out;
}

}  // namespace

std::vector<std::pair<size_t, size_t>> weight_padding_rows(const layers::BoundParams& bound, const pcs::HyraxLayout& layout,
                                                           size_t chunk_entries) {
  std::vector<std::pair<size_t, size_t>> out;
  const auto plan = chunk_plan(bound, layout, chunk_entries);
  if (!plan) return out;
  for (size_t c = 0; c < plan->count; ++c)
    if (c * plan->rows_per_chunk >= bound.dims[0]) out.emplace_back(c * plan->hyrax_rows, (c + 1) * plan->hyrax_rows);
  return out;
}

std::vector<std::pair<size_t, size_t>> weight_bound_groups(std::span<const WeightBoundItem> items,
                                                           size_t max_group_entries) {
  std::vector<std::pair<size_t, size_t>> groups;
  size_t begin = 0, entries = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t e = layers::bound_shape(items[i].bound).size();
    if (i > begin && entries + e > max_group_entries) {
      groups.emplace_back(begin, i);
      begin = i;
      entries = 0;
    }
    entries += e;
  }
  if (!items.empty()) groups.emplace_back(begin, items.size());
  return groups;
}

std::vector<uint8_t> prove_weight_bounds(const pcs::HyraxParams& params, std::span<const WeightBoundItem> items,
                                         std::span<const WeightBoundWitness> witness,
                                         std::span<const uint8_t> context, const pcs::RandomFr& random,
                                         const pcs::KzgParams* kzg, size_t max_group_entries, size_t chunk_entries) {
  ZKINFER_CHECK(items.size() == witness.size() && random);
  if (Verdict v = check_items(items, kzg); !v) throw Error("setup: " + v.reason());
  auto dishonest = [&](size_t i) { return !witness[i].field_values.empty() || !witness[i].forced_v.empty(); };
  for (size_t i = 0; i < items.size(); ++i) {
    const PaddedShape s(items[i].bound.dims);
    if (dishonest(i)) {
      ZKINFER_CHECK(witness[i].field_values.empty() || witness[i].field_values.size() == s.size());
      ZKINFER_CHECK(witness[i].forced_v.empty() || witness[i].forced_v.size() == s.size());
      continue;
    }
    if (witness[i].values.size() != s.unpadded_size())
      throw Error("setup: weight '" + items[i].name + "': value count differs from its shape");
    if (auto why = weight_out_of_bounds(items[i], witness[i].values)) throw Error("setup: " + *why);
  }
  ZKINFER_CHECK(params.max_log_cols() >= weight_bounds_log_cols(items));
  // Chunks: each a slice of its parent's values, blinds (and, for tests, its forced tables); a pure
  // padding chunk's rows must be committed with zero blinds (the verifier wants the identity).
  const Parts ex = expand(items, chunk_entries);
  for (const auto& z : ex.zero_rows) {
    const auto& bl = witness[z.parent].blinds;
    for (size_t r = z.begin; r < z.end && !bl.empty(); ++r)
      if (!bl[r].is_zero())
        throw Error("setup: weight '" + items[z.parent].name + "': its padding rows need zero blinds (row " +
                    std::to_string(r) + ")");
  }
  std::vector<WeightBoundWitness> pw;
  pw.reserve(ex.parts.size());
  for (const auto& p : ex.parts) {
    const WeightBoundWitness& pwit = witness[p.parent];
    if (!p.chunk) {
      pw.push_back(pwit);
      continue;
    }
    WeightBoundWitness cw;
    if (!pwit.values.empty()) cw.values = pwit.values.subspan(p.value_begin, p.value_count);
    if (!pwit.blinds.empty()) cw.blinds = pwit.blinds.subspan(p.row_begin, p.rows);
    if (!pwit.field_values.empty()) cw.field_values = pwit.field_values.subspan(p.flat_begin, p.flat_size);
    if (!pwit.forced_v.empty()) cw.forced_v = pwit.forced_v.subspan(p.flat_begin, p.flat_size);
    pw.push_back(cw);
  }
  const std::span<const WeightBoundItem> pitems(ex.items);
  const std::span<const WeightBoundWitness> pwits(pw);
  const auto groups = weight_bound_groups(pitems, max_group_entries);
  if (groups.size() <= 1) return prove_group(params, pitems, pwits, context, GroupTag{}, random, kzg);
  // Several groups: each a whole proof of its items, made and freed one after another (the
  // prover's memory follows the largest group, not the model), each prefixed by its length.
  ByteWriter out;
  const auto& progress = weight_bounds_progress_hook();
  for (size_t g = 0; g < groups.size(); ++g) {
    if (progress) progress(g, groups.size());
    const auto [b, e] = groups[g];
    const auto bytes = prove_group(params, pitems.subspan(b, e - b), pwits.subspan(b, e - b), context,
                                   GroupTag{g, groups.size()}, random, kzg);
    out.u64(bytes.size());
    out.bytes(bytes);
  }
  if (progress) progress(groups.size(), groups.size());
  return out.take();
}

Verdict verify_weight_bounds(const pcs::HyraxParams& params, std::span<const WeightBoundItem> items,
                             std::span<const uint8_t> proof, std::span<const uint8_t> context,
                             const pcs::KzgParams* kzg, size_t max_group_entries, size_t chunk_entries) {
  try {
    if (Verdict v = check_items(items, kzg); !v) return v.within("weight range proof");
    if (params.max_log_cols() < weight_bounds_log_cols(items))
      return Verdict::reject("weight range proof: parameters too small");
    auto verify_group = [&](std::span<const WeightBoundItem> group_items, std::span<const uint8_t> bytes,
                            const GroupTag& tag) {
      cp::Context zctx(params, weight_bounds_pad_log_row(params));
      const ProofSession session{&zctx};
      transcript::Transcript tr(kWeightBoundsDomain);
      tr.set_session(&session);
      std::deque<pcs::HyraxCommitment> coms;
      return verify_impl(params, kzg, group_items, bytes, context, tag, tr, coms, nullptr);
    };
    const Parts ex = expand(items, chunk_entries);
    for (const auto& z : ex.zero_rows) {
      const auto& rows = pcs::HyraxScheme::as_hyrax(*items[z.parent].commitment)->rows;
      for (size_t r = z.begin; r < z.end; ++r)
        if (!rows[r].is_identity())
          return Verdict::reject("weight range proof: weight '" + items[z.parent].name + "': row " + std::to_string(r) +
                                 " of its commitment is padding (a chunk past the tensor) but not the identity");
    }
    items = ex.items;
    const auto groups = weight_bound_groups(items, max_group_entries);
    if (groups.size() <= 1) return verify_group(items, proof, GroupTag{}).within("weight range proof");
    ByteReader r(proof, "weight range proof");
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto [b, e] = groups[g];
      const uint64_t len = r.u64();
      if (len > r.remaining()) r.fail("group " + std::to_string(g) + " is truncated");
      const auto bytes = r.bytes(static_cast<size_t>(len));
      const std::string where = "weight range proof, group " + std::to_string(g + 1) + " of " + std::to_string(groups.size());
      try {
        if (Verdict v = verify_group(items.subspan(b, e - b), bytes, GroupTag{g, groups.size()}); !v) return v.within(where);
      } catch (const DecodeError& e) {
        return Verdict::reject(where + ": decoding: " + e.what());
      }
    }
    r.expect_end();
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(std::string("weight range proof: decoding: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("weight range proof: ") + e.what());
  }
}

}  // namespace zkinfer::proof
