#include "pcs/hyrax_scheme.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "common/check.h"
#include "pcs/reduced_opening.h"
#include "zk/cp_defer.h"

namespace zkinfer::pcs {

namespace {

class HyraxCom final : public Commitment {
 public:
  explicit HyraxCom(HyraxCommitment c) : c_(std::move(c)) {}
  const HyraxCommitment& hyrax() const { return c_; }
  size_t num_vars() const override { return c_.layout.num_vars; }
  size_t num_blinds() const override { return c_.layout.num_rows(); }
  void serialize(ByteWriter& w) const override { c_.serialize(w); }
  void absorb_into(transcript::Transcript& tr) const override { c_.absorb_into(tr); }
  bool equals(const Commitment& other) const override {
    const auto* o = dynamic_cast<const HyraxCom*>(&other);
    return o != nullptr && o->c_ == c_;
  }

 private:
  HyraxCommitment c_;
};

const HyraxCommitment& hyrax_of(const Commitment& c) {
  const HyraxCommitment* h = HyraxScheme::as_hyrax(c);
  ZKINFER_CHECK(h != nullptr && "a commitment of another scheme given to Hyrax");
  return *h;
}

std::vector<ReductionClaim> reduction_claims(std::span<const OpenClaim> claims) {
  std::vector<ReductionClaim> out;
  out.reserve(claims.size());
  for (const auto& c : claims) out.push_back({c.com, c.point, c.value});
  return out;
}

// The value each group's argument proves, as a form in the reduced evaluations.
std::vector<cp::Val> group_values(const ReducedFront& front) {
  std::vector<cp::Val> out;
  for (const auto& g : front.groups) out.push_back(g.value(front.red.evals));
  return out;
}

class HyraxProverOpening final : public ProverOpening {
 public:
  HyraxProverOpening(const HyraxParams& params, ReducedFront front) : params_(params), front_(std::move(front)) {}
  std::vector<cp::Val> values() const override { return group_values(front_); }
  void finish(std::span<const ProverClaim> claims, const cp::Context* zk, transcript::Transcript& tr, ByteWriter& w,
              const RandomFr& random) override {
    ZKINFER_CHECK(claims.size() == front_.groups.size());
    for (size_t i = 0; i < claims.size(); ++i)
      prove_group_opening(params_, front_.groups[i], front_.combos, claims[i], tr, random).serialize(w);
    prove_pad_opening(params_, zk, tr, w, random);
  }

 private:
  const HyraxParams& params_;
  ReducedFront front_;
};

class HyraxVerifierOpening final : public VerifierOpening {
 public:
  HyraxVerifierOpening(const HyraxParams& params, ReducedFront front) : params_(params), front_(std::move(front)) {}
  std::vector<cp::Val> values() const override { return group_values(front_); }
  Verdict finish(std::span<const EvalClaim> claims, const cp::Context* zk, transcript::Transcript& tr,
                 ByteReader& r, cp::DeferredChecks* deferred) override {
    ZKINFER_CHECK(claims.size() == front_.groups.size());
    // Every group's and the pad matrix's final IPA check in one multi-scalar multiplication.
    IpaBatch batch(params_.g());
    for (size_t i = 0; i < claims.size(); ++i) {
      const auto proof = IpaProof::deserialize(r);
      if (Verdict v = verify_group_opening(params_, front_.groups[i], front_.terms, claims[i], proof, tr, &batch); !v)
        return v.within("group " + std::to_string(i));
    }
    if (Verdict v = verify_pad_opening(params_, zk, tr, r, &batch); !v) return v;
    // The zero-knowledge end section's group checks, when it deferred them (zk/cp.h), already
    // weighted: into the same MSM.
    if (deferred != nullptr && !deferred->checks().empty()) {
      ZKINFER_CHECK(zk != nullptr && zk->params().g().data() == params_.g().data());
      for (const cp::DeferredCheck& c : deferred->take()) batch.add(Fr::one(), c.gen_scalars, c.rest);
    }
    if (!batch.holds())
      return Verdict::reject("the openings' final checks (" + std::to_string(batch.size()) +
                             " IPAs, one MSM: z1 (g + y U') + z2 H = e P' + A) fail");
    return Verdict::accept();
  }

 private:
  const HyraxParams& params_;
  ReducedFront front_;
};

}  // namespace

// The pad matrix of zk (zk/cp.h), when it hides messages: one more inner-product argument.
void prove_pad_opening(const HyraxParams& params, const cp::Context* zk, transcript::Transcript& tr, ByteWriter& w,
                       const RandomFr& random) {
  if (zk == nullptr || !zk->has_pad_opening()) return;
  const OpeningWitness pw = zk->pad_opening_witness();
  const HyraxLayout& pl = pw.commitment->layout;
  const RowCombo rc = row_combo(pl, pw.values, *pw.blinds, split_point(pl, pw.point).row);
  prove_group_opening(params, single_group(pl, pw.point), std::span<const RowCombo>(&rc, 1), pw.claim, tr, random)
      .serialize(w);
}

Verdict verify_pad_opening(const HyraxParams& params, const cp::Context* zk, transcript::Transcript& tr, ByteReader& r,
                           IpaBatch* batch) {
  if (zk == nullptr || !zk->has_pad_opening()) return Verdict::accept();
  const OpeningClaim pc = zk->pad_opening_claim();
  const auto proof = IpaProof::deserialize(r);
  const RowTerm rt{pc.commitment, split_point(pc.commitment->layout, pc.point).row};
  if (Verdict v = verify_group_opening(params, single_group(pc.commitment->layout, pc.point),
                                       std::span<const RowTerm>(&rt, 1), pc.claim, proof, tr, batch);
      !v)
    return v.within("pad matrix");
  return Verdict::accept();
}

CommitmentPtr HyraxScheme::wrap(HyraxCommitment c) { return std::make_shared<const HyraxCom>(std::move(c)); }

const HyraxCommitment* HyraxScheme::as_hyrax(const Commitment& c) {
  const auto* h = dynamic_cast<const HyraxCom*>(&c);
  return h ? &h->hyrax() : nullptr;
}

// Both the key's weights (since key version 5; balanced rows of at least 2^kKeyMinLogCols entries
// before) and a proof's own vectors: rows as wide as the parameters allow. Openings are
// logarithmic (pcs/reduced_opening.h), so wide rows cost the proof nothing and save the verifier
// row points (a vector of 2^n entries is 2^(n - c) points; the parameters' width is chosen for the
// model: proof/model_proof.cc, params_log_cols). Never below balanced (parameters too small for
// that are refused by the caller's layout checks).
size_t HyraxScheme::log_cols(size_t num_vars, Use use) const {
  if (use == Use::kKey) return std::max(default_log_cols(num_vars), std::min(num_vars, params_.max_log_cols()));
  return std::min(num_vars, params_.max_log_cols());
}

size_t HyraxScheme::key_msm_points(std::span<const size_t> weight_vars, size_t log_cols) {
  size_t n = size_t{1} << log_cols;
  for (size_t v : weight_vars) n += size_t{1} << (v - std::min(v, log_cols));
  return n;
}

size_t HyraxScheme::best_log_cols(std::span<const size_t> weight_vars, size_t lo) {
  size_t best = lo;
  for (size_t l = lo + 1; l <= std::min<size_t>(lo + 4, kMaxKeyLogCols); ++l)
    if (key_msm_points(weight_vars, l) < key_msm_points(weight_vars, best)) best = l;
  return best;
}

size_t HyraxScheme::blind_count(size_t num_vars, Use use) const {
  HyraxLayout lay{static_cast<uint32_t>(num_vars), static_cast<uint32_t>(log_cols(num_vars, use))};
  return lay.num_rows();
}

Committed HyraxScheme::commit(std::span<const int64_t> values, Use use, std::vector<Fr> blinds) const {
  const HyraxLayout lay = layout_for(values.size(), log_cols(static_cast<size_t>(std::countr_zero(values.size())), use));
  ZKINFER_CHECK(blinds.size() == lay.num_rows());
  return {wrap(commit_with_blinds(params_, values, lay.log_cols, blinds)), std::move(blinds)};
}

CommitmentPtr HyraxScheme::read_any(ByteReader& r) { return wrap(HyraxCommitment::deserialize(r)); }
CommitmentPtr HyraxScheme::read(ByteReader& r) const { return read_any(r); }

bool HyraxScheme::fits(const Commitment& c, size_t num_vars, Use use) const {
  const HyraxCommitment* h = as_hyrax(c);
  return h != nullptr && h->layout.num_vars == num_vars && h->layout.log_cols == log_cols(num_vars, use);
}

std::unique_ptr<ProverOpening> HyraxScheme::prove_open(std::span<const Committed* const> coms,
                                                       std::span<const std::span<const Fr>> tables,
                                                       std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                                       ByteWriter& w) const {
  ZKINFER_CHECK(coms.size() == tables.size());
  std::vector<HyraxLayout> layouts;
  std::vector<HyraxBlinds> blinds;
  std::vector<const SmallValues*> small;  // a key's weights: row combinations from small integers
  for (const Committed* c : coms) {
    layouts.push_back(hyrax_of(*c->commitment).layout);
    blinds.push_back({c->blinds});
    small.push_back(c->small);
  }
  std::vector<const HyraxBlinds*> bp;
  for (const auto& b : blinds) bp.push_back(&b);
  ReducedFront front;
  if (!claims.empty()) front = prove_reduced_front(layouts, tables, bp, reduction_claims(claims), tr, w, small);
  return std::make_unique<HyraxProverOpening>(params_, std::move(front));
}

Verdict HyraxScheme::verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                                 transcript::Transcript& tr, ByteReader& r, std::unique_ptr<VerifierOpening>* out) const {
  out->reset();
  std::vector<const HyraxCommitment*> hc;
  for (const Commitment* c : coms) {
    const HyraxCommitment* h = as_hyrax(*c);
    if (h == nullptr) return Verdict::reject("a commitment of another scheme");
    hc.push_back(h);
  }
  ReducedFront front;
  if (!claims.empty())
    if (Verdict v = verify_reduced_front(hc, reduction_claims(claims), tr, r, &front); !v) return v;
  *out = std::make_unique<HyraxVerifierOpening>(params_, std::move(front));
  return Verdict::accept();
}

std::unique_ptr<cp::Context> HyraxScheme::zk_context(const RandomFr* random) const {
  if (random) return std::make_unique<cp::Context>(params_, pad_log_row_, *random);
  return std::make_unique<cp::Context>(params_, pad_log_row_);
}

}  // namespace zkinfer::pcs
