#include "pcs/kzg_scheme.h"

#include <bit>
#include <deque>
#include <utility>

#include "common/check.h"
#include "pcs/hyrax_scheme.h"
#include "pcs/reduced_opening.h"
#include "zk/cp_defer.h"

namespace zkinfer::pcs {

namespace {

class KzgCom final : public Commitment {
 public:
  explicit KzgCom(KzgCommitment c) : c_(std::move(c)) {}
  const KzgCommitment& kzg() const { return c_; }
  size_t num_vars() const override { return c_.num_vars; }
  size_t num_blinds() const override { return 1; }
  void serialize(ByteWriter& w) const override { c_.serialize(w); }
  void absorb_into(transcript::Transcript& tr) const override { c_.absorb_into(tr); }
  bool equals(const Commitment& other) const override {
    const auto* o = dynamic_cast<const KzgCom*>(&other);
    return o != nullptr && o->c_ == c_;
  }

 private:
  KzgCommitment c_;
};

std::vector<ReductionClaim> reduction_claims(std::span<const OpenClaim> claims) {
  std::vector<ReductionClaim> out;
  out.reserve(claims.size());
  for (const auto& c : claims) out.push_back({c.com, c.point, c.value});
  return out;
}

// s_c = prod_{j >= n_c} (1 - rho_j) per commitment, and the values s_c F_c.
std::vector<cp::Val> padded_values(const Reduced& red, std::span<const size_t> num_vars) {
  std::vector<cp::Val> out;
  for (size_t c = 0; c < num_vars.size(); ++c) {
    Fr s = Fr::one();
    for (size_t j = num_vars[c]; j < red.rho.size(); ++j) s *= Fr::one() - red.rho[j];
    out.push_back(red.evals[c] * s);
  }
  return out;
}

// Each commitment seen as one of N variables (the same point: zero-padded values).
std::deque<KzgCommitment> widened(std::span<const KzgCommitment* const> coms, size_t n) {
  std::deque<KzgCommitment> out;
  for (const KzgCommitment* c : coms) out.push_back({static_cast<uint32_t>(n), c->point});
  return out;
}

class KzgProverOpening final : public ProverOpening {
 public:
  KzgProverOpening(const KzgScheme& s, const HyraxParams& pad, std::vector<const KzgCommitment*> coms,
                   std::vector<Fr> rhos, std::vector<std::span<const Fr>> tables, Reduced red, std::vector<cp::Val> vals)
      : s_(s), pad_(pad), coms_(std::move(coms)), rhos_(std::move(rhos)), tables_(std::move(tables)),
        red_(std::move(red)), vals_(std::move(vals)) {}
  std::vector<cp::Val> values() const override { return vals_; }
  void finish(std::span<const ProverClaim> claims, const cp::Context* zk, transcript::Transcript& tr, ByteWriter& w,
              const RandomFr& random) override {
    ZKINFER_CHECK(claims.size() == vals_.size());
    const bool kzg_pad = zk != nullptr && zk->kzg_pads() && zk->has_pad_opening();
    ZKINFER_CHECK(zk == nullptr || zk->kzg_pads() == s_.kzg_pads());
    if (!coms_.empty() || kzg_pad) {
      const std::deque<KzgCommitment> wide = widened(coms_, red_.rho.size());
      std::vector<KzgBlinds> blinds;
      for (const Fr& r : rhos_) blinds.push_back({r});
      std::vector<KzgOpeningWitness> items;
      for (size_t c = 0; c < coms_.size(); ++c) items.push_back({&wide[c], &blinds[c], tables_[c], red_.rho, claims[c]});
      // cp's kzg pads: C* at the pad sumcheck's point r' with the committed claim V (a group of its own).
      KzgCommitment pad_com;
      KzgBlinds pad_blind;
      if (kzg_pad) {
        const cp::Context::KzgPadOpening o = zk->kzg_pad_opening();
        pad_com = {o.num_vars, o.commitment};
        pad_blind = {o.blind};
        items.push_back({&pad_com, &pad_blind, o.values, std::vector<Fr>(o.point.begin(), o.point.end()),
                         ProverClaim{o.v, o.t, o.claim}});
      }
      prove_batch(s_.params(), items, tr, random).serialize(w);
    }
    if (!s_.kzg_pads()) prove_pad_opening(pad_, zk, tr, w, random);
  }

 private:
  const KzgScheme& s_;
  const HyraxParams& pad_;
  std::vector<const KzgCommitment*> coms_;
  std::vector<Fr> rhos_;
  std::vector<std::span<const Fr>> tables_;
  Reduced red_;
  std::vector<cp::Val> vals_;
};

class KzgVerifierOpening final : public VerifierOpening {
 public:
  KzgVerifierOpening(const KzgScheme& s, const HyraxParams& pad, std::vector<const KzgCommitment*> coms, Reduced red,
                     std::vector<cp::Val> vals)
      : s_(s), pad_(pad), coms_(std::move(coms)), red_(std::move(red)), vals_(std::move(vals)) {}
  std::vector<cp::Val> values() const override { return vals_; }
  Verdict finish(std::span<const EvalClaim> claims, const cp::Context* zk, transcript::Transcript& tr,
                 ByteReader& r, cp::DeferredChecks* deferred) override {
    ZKINFER_CHECK(claims.size() == vals_.size());
    const bool kzg_pad = zk != nullptr && zk->kzg_pads() && zk->has_pad_opening();
    ZKINFER_CHECK(zk == nullptr || zk->kzg_pads() == s_.kzg_pads());
    // The zero-knowledge end section's deferred group equations (zk/cp_defer.h; their generator
    // scalars over the pad parameters' generators, which cp's Context shares): one sum, decided in
    // the batch opening's MSM and pairing check (pcs/kzg.h), or here when there is no batch.
    MsmTerms extra;
    if (deferred != nullptr) {
      const auto g = pad_.g();
      for (const cp::DeferredCheck& c : deferred->take()) {
        ZKINFER_CHECK(c.gen_scalars.size() <= g.size());
        for (size_t k = 0; k < c.gen_scalars.size(); ++k) extra.add(g[k], c.gen_scalars[k]);
        for (size_t k = 0; k < c.rest.points.size(); ++k) extra.add(c.rest.points[k], c.rest.scalars[k]);
      }
    }
    if (!coms_.empty() || kzg_pad) {
      const std::deque<KzgCommitment> wide = widened(coms_, red_.rho.size());
      std::vector<KzgOpeningClaim> items;
      for (size_t c = 0; c < coms_.size(); ++c) items.push_back({&wide[c], red_.rho, claims[c]});
      KzgCommitment pad_com;
      if (kzg_pad) {
        const cp::Context::KzgPadOpening o = zk->kzg_pad_opening();
        pad_com = {o.num_vars, o.commitment};
        items.push_back({&pad_com, std::vector<Fr>(o.point.begin(), o.point.end()), EvalClaim::committed(o.claim)});
      }
      const KzgBatchProof proof = KzgBatchProof::deserialize(r, s_.params().form());
      if (Verdict v = verify_batch(s_.params(), items, proof, tr, extra); !v) return v.within("kzg opening");
    } else if (!extra.points.empty() && !extra.evaluate().is_identity()) {
      return Verdict::reject(Failure::kOpening, "kzg: the deferred checks fail");
    }
    if (s_.kzg_pads()) return Verdict::accept();
    return verify_pad_opening(pad_, zk, tr, r);
  }

 private:
  const KzgScheme& s_;
  const HyraxParams& pad_;
  std::vector<const KzgCommitment*> coms_;
  Reduced red_;
  std::vector<cp::Val> vals_;
};

}  // namespace

CommitmentPtr KzgScheme::wrap(KzgCommitment c) { return std::make_shared<const KzgCom>(std::move(c)); }

const KzgCommitment* KzgScheme::as_kzg(const Commitment& c) {
  const auto* k = dynamic_cast<const KzgCom*>(&c);
  return k ? &k->kzg() : nullptr;
}

CommitmentPtr KzgScheme::read_any(ByteReader& r) { return wrap(KzgCommitment::deserialize(r)); }

Committed KzgScheme::commit(std::span<const int64_t> values, Use, std::vector<Fr> blinds) const {
  ZKINFER_CHECK(std::has_single_bit(values.size()) && blinds.size() == 1);
  const size_t n = static_cast<size_t>(std::countr_zero(values.size()));
  if (!kzg_->has_powers() || n > kzg_->max_vars())
    throw Error("kzg: a vector of 2^" + std::to_string(n) + " entries needs 2^" + std::to_string(n) +
                " powers of tau; the SRS " + (kzg_->has_powers() ? "has 2^" + std::to_string(kzg_->max_vars())
                                                                   : std::string("given holds none (a verifying key's)")));
  return {wrap(commit_with_blind(*kzg_, values, blinds[0])), std::move(blinds)};
}

bool KzgScheme::fits(const Commitment& c, size_t num_vars, Use) const {
  const KzgCommitment* k = as_kzg(c);
  return k != nullptr && k->num_vars == num_vars && num_vars <= kzg_->max_vars();
}

std::unique_ptr<ProverOpening> KzgScheme::prove_open(std::span<const Committed* const> coms,
                                                     std::span<const std::span<const Fr>> tables,
                                                     std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                                     ByteWriter& w) const {
  ZKINFER_CHECK(coms.size() == tables.size());
  std::vector<const KzgCommitment*> kc;
  std::vector<Fr> rhos;
  std::vector<size_t> nv;
  for (const Committed* c : coms) {
    const KzgCommitment* k = as_kzg(*c->commitment);
    ZKINFER_CHECK(k != nullptr && "a commitment of another scheme given to KZG");
    ZKINFER_CHECK(c->blinds.size() == 1);
    ZKINFER_CHECK(c->small == nullptr && "KZG openings need the whole Fr table");
    kc.push_back(k);
    rhos.push_back(c->blinds[0]);
    nv.push_back(k->num_vars);
  }
  if (claims.empty()) return std::make_unique<KzgProverOpening>(*this, pad_params_, std::vector<const KzgCommitment*>{},
                                                                std::vector<Fr>{}, std::vector<std::span<const Fr>>{},
                                                                Reduced{}, std::vector<cp::Val>{});
  Reduced red = prove_reduction(tables, reduction_claims(claims), tr, w);
  std::vector<cp::Val> vals = padded_values(red, nv);
  return std::make_unique<KzgProverOpening>(*this, pad_params_, std::move(kc), std::move(rhos),
                                            std::vector<std::span<const Fr>>(tables.begin(), tables.end()),
                                            std::move(red), std::move(vals));
}

Verdict KzgScheme::verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                               transcript::Transcript& tr, ByteReader& r, std::unique_ptr<VerifierOpening>* out) const {
  out->reset();
  std::vector<const KzgCommitment*> kc;
  std::vector<size_t> nv;
  for (const Commitment* c : coms) {
    const KzgCommitment* k = as_kzg(*c);
    if (k == nullptr) return Verdict::reject(Failure::kOpening, "kzg: a commitment of another scheme");
    if (k->num_vars > kzg_->max_vars())
      return Verdict::reject(Failure::kOpening, "kzg: a commitment of " + std::to_string(k->num_vars) +
                                                    " variables exceeds the setup's " + std::to_string(kzg_->max_vars()));
    kc.push_back(k);
    nv.push_back(k->num_vars);
  }
  Reduced red;
  std::vector<cp::Val> vals;
  if (!claims.empty()) {
    if (Verdict v = verify_reduction(nv, reduction_claims(claims), tr, r, &red); !v) return v;
    vals = padded_values(red, nv);
  } else {
    kc.clear();
  }
  *out = std::make_unique<KzgVerifierOpening>(*this, pad_params_, std::move(kc), std::move(red), std::move(vals));
  return Verdict::accept();
}

std::unique_ptr<cp::Context> KzgScheme::zk_context(const RandomFr* random) const {
  if (kzg_pads_) {
    if (random) return std::make_unique<cp::Context>(pad_params_, *kzg_, pad_log_row_, *random);
    return std::make_unique<cp::Context>(pad_params_, *kzg_, pad_log_row_);
  }
  if (random) return std::make_unique<cp::Context>(pad_params_, pad_log_row_, *random);
  return std::make_unique<cp::Context>(pad_params_, pad_log_row_);
}

}  // namespace zkinfer::pcs
