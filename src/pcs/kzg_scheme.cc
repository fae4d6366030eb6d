#include "pcs/kzg_scheme.h"

#include <bit>
#include <deque>
#include <utility>

#include "common/check.h"
#include "curve/msm.h"
#include "poly/mle.h"
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

class KzgRowsCom final : public Commitment {
 public:
  explicit KzgRowsCom(KzgRowCommitment c) : c_(std::move(c)) {}
  const KzgRowCommitment& rows() const { return c_; }
  size_t num_vars() const override { return c_.num_vars; }
  size_t num_blinds() const override { return c_.rows.size(); }
  void serialize(ByteWriter& w) const override { c_.serialize(w); }
  void absorb_into(transcript::Transcript& tr) const override { c_.absorb_into(tr); }
  bool equals(const Commitment& other) const override {
    const auto* o = dynamic_cast<const KzgRowsCom*>(&other);
    return o != nullptr && o->c_ == c_;
  }

 private:
  KzgRowCommitment c_;
};

std::vector<ReductionClaim> reduction_claims(std::span<const OpenClaim> claims) {
  std::vector<ReductionClaim> out;
  out.reserve(claims.size());
  for (const auto& c : claims) out.push_back({c.com, c.point, c.value});
  return out;
}

// The back half's opening size N' = max_c e_c, with e_c the variables commitment c is opened
// with (a row commitment: its row_vars; otherwise its num_vars). Without row commitments N' is
// the largest num_vars, rho's length.
size_t open_vars(std::span<const size_t> eff) {
  size_t n = 0;
  for (size_t e : eff) n = std::max(n, e);
  return n;
}

// s_c = prod_{e_c <= j < N'} (1 - rho_j) per commitment, and the values s_c F_c.
std::vector<cp::Val> padded_values(const Reduced& red, std::span<const size_t> eff) {
  const size_t np = open_vars(eff);
  ZKINFER_CHECK(np <= red.rho.size());
  std::vector<cp::Val> out;
  for (size_t c = 0; c < eff.size(); ++c) {
    Fr s = Fr::one();
    for (size_t j = eff[c]; j < np; ++j) s *= Fr::one() - red.rho[j];
    out.push_back(red.evals[c] * s);
  }
  return out;
}

// One commitment of an opening: a single KZG commitment or a key weight's rows.
struct Item {
  const KzgCommitment* single = nullptr;
  const KzgRowCommitment* rows = nullptr;
  size_t num_vars() const { return single ? single->num_vars : rows->num_vars; }
  size_t eff_vars() const { return single ? single->num_vars : rows->row_vars; }
};

// The commitments opened at rho[0..N'), each seen as one of N' variables: a single commitment as
// itself (zero-padded values), a row commitment as sum_b eq(rho[L..n), b) C_b.
std::deque<KzgCommitment> widened(std::span<const Item> items, std::span<const Fr> rho, size_t np) {
  std::deque<KzgCommitment> out;
  for (const Item& it : items) {
    if (it.single) {
      out.push_back({static_cast<uint32_t>(np), it.single->point});
    } else {
      const KzgRowCommitment& r = *it.rows;
      out.push_back({static_cast<uint32_t>(np), r.combine(rho.subspan(r.row_vars, r.num_vars - r.row_vars)).point});
    }
  }
  return out;
}


class KzgProverOpening final : public ProverOpening {
 public:
  KzgProverOpening(const KzgScheme& s, const HyraxParams& pad, std::vector<Item> coms,
                   std::vector<std::vector<Fr>> rhos, std::vector<std::span<const Fr>> tables, Reduced red,
                   std::vector<cp::Val> vals)
      : s_(s), pad_(pad), coms_(std::move(coms)), rhos_(std::move(rhos)), tables_(std::move(tables)),
        red_(std::move(red)), vals_(std::move(vals)) {}
  std::vector<cp::Val> values() const override { return vals_; }
  void finish(std::span<const ProverClaim> claims, const cp::Context* zk, transcript::Transcript& tr, ByteWriter& w,
              const RandomFr& random) override {
    ZKINFER_CHECK(claims.size() == vals_.size());
    const bool kzg_pad = zk != nullptr && zk->kzg_pads() && zk->has_pad_opening();
    ZKINFER_CHECK(zk == nullptr || zk->kzg_pads() == s_.kzg_pads());
    if (!coms_.empty() || kzg_pad) {
      std::vector<size_t> eff;
      for (const Item& it : coms_) eff.push_back(it.eff_vars());
      const size_t np = open_vars(eff);
      const std::span<const Fr> rho(red_.rho);
      const std::deque<KzgCommitment> wide = widened(coms_, rho, np);
      std::vector<KzgBlinds> blinds;
      std::deque<std::vector<Fr>> combined;  // row commitments' combined tables
      std::vector<std::span<const Fr>> tabs;
      for (size_t c = 0; c < coms_.size(); ++c) {
        if (coms_[c].single) {
          blinds.push_back({rhos_[c][0]});
          tabs.push_back(tables_[c]);
        } else {
          const KzgRowCommitment& r = *coms_[c].rows;
          const auto top = rho.subspan(r.row_vars, r.num_vars - r.row_vars);
          blinds.push_back({combine_row_blinds(rhos_[c], top)});
          combined.push_back(combine_row_table(tables_[c], r.row_vars, top));
          tabs.push_back(combined.back());
        }
      }
      const std::vector<Fr> point(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(np));
      std::vector<KzgOpeningWitness> items;
      for (size_t c = 0; c < coms_.size(); ++c) items.push_back({&wide[c], &blinds[c], tabs[c], point, claims[c]});
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
  std::vector<Item> coms_;
  std::vector<std::vector<Fr>> rhos_;
  std::vector<std::span<const Fr>> tables_;
  Reduced red_;
  std::vector<cp::Val> vals_;
};

class KzgVerifierOpening final : public VerifierOpening {
 public:
  KzgVerifierOpening(const KzgScheme& s, const HyraxParams& pad, std::vector<Item> coms, Reduced red,
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
      std::vector<size_t> eff;
      for (const Item& it : coms_) eff.push_back(it.eff_vars());
      const size_t np = open_vars(eff);
      const std::deque<KzgCommitment> wide = widened(coms_, red_.rho, np);
      const std::vector<Fr> point(red_.rho.begin(), red_.rho.begin() + static_cast<std::ptrdiff_t>(np));
      std::vector<KzgOpeningClaim> items;
      for (size_t c = 0; c < coms_.size(); ++c) items.push_back({&wide[c], point, claims[c]});
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
  std::vector<Item> coms_;
  Reduced red_;
  std::vector<cp::Val> vals_;
};

}  // namespace

void KzgRowCommitment::serialize(ByteWriter& w) const {
  ZKINFER_CHECK(row_vars < num_vars && rows.size() == size_t{1} << (num_vars - row_vars));
  w.u32(num_vars | kRowsFlag);
  w.u32(row_vars);
  for (const G1Affine& p : rows) w.bytes(p.to_bytes());
}

void KzgRowCommitment::absorb_into(transcript::Transcript& t) const {
  std::vector<uint8_t> b;
  if (t.encoding() != transcript::Encoding::kV2) {
    ByteWriter w;
    serialize(w);
    return t.absorb_bytes("kzg.rows", w.data());
  }
  for (uint32_t x : {num_vars, row_vars})
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(x >> (8 * i)));
  for (const G1Affine& p : rows) {
    const auto pb = p.to_bytes();
    b.insert(b.end(), pb.rbegin(), pb.rend());
  }
  t.absorb_bytes("kzg.rows", b);
}

KzgCommitment KzgRowCommitment::combine(std::span<const Fr> top) const {
  ZKINFER_CHECK(top.size() == num_vars - row_vars);
  const std::vector<Fr> eq = poly::eq_table<Fr>(top);
  return {row_vars, curve::msm(rows, eq).to_affine()};
}

Fr combine_row_blinds(std::span<const Fr> blinds, std::span<const Fr> top) {
  const std::vector<Fr> eq = poly::eq_table<Fr>(top);
  ZKINFER_CHECK(blinds.size() == eq.size());
  Fr s = Fr::zero();
  for (size_t b = 0; b < eq.size(); ++b) s += eq[b] * blinds[b];
  return s;
}

std::vector<Fr> combine_row_table(std::span<const Fr> table, size_t row_vars, std::span<const Fr> top) {
  const std::vector<Fr> eq = poly::eq_table<Fr>(top);
  const size_t len = size_t{1} << row_vars;
  ZKINFER_CHECK(table.size() == eq.size() * len);
  std::vector<Fr> out(len, Fr::zero());
  for (size_t b = 0; b < eq.size(); ++b) {
    const Fr e = eq[b];
    const Fr* row = table.data() + b * len;
    for (size_t i = 0; i < len; ++i) out[i] += e * row[i];
  }
  return out;
}

CommitmentPtr KzgScheme::wrap(KzgCommitment c) { return std::make_shared<const KzgCom>(std::move(c)); }
CommitmentPtr KzgScheme::wrap_rows(KzgRowCommitment c) { return std::make_shared<const KzgRowsCom>(std::move(c)); }

const KzgCommitment* KzgScheme::as_kzg(const Commitment& c) {
  const auto* k = dynamic_cast<const KzgCom*>(&c);
  return k ? &k->kzg() : nullptr;
}

const KzgRowCommitment* KzgScheme::as_kzg_rows(const Commitment& c) {
  const auto* k = dynamic_cast<const KzgRowsCom*>(&c);
  return k ? &k->rows() : nullptr;
}

CommitmentPtr KzgScheme::read_any(ByteReader& r) {
  const uint32_t head = r.u32();
  if ((head & KzgRowCommitment::kRowsFlag) == 0) {
    if (head > kKzgMaxVars) r.fail("kzg commitment: num_vars " + std::to_string(head) + " exceeds " + std::to_string(kKzgMaxVars));
    auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
    if (!p) r.fail("kzg commitment: not a valid point");
    return wrap({head, *p});
  }
  KzgRowCommitment c;
  c.num_vars = head & ~KzgRowCommitment::kRowsFlag;
  c.row_vars = r.u32();
  if (c.num_vars > kKzgMaxVars) r.fail("kzg row commitment: num_vars " + std::to_string(c.num_vars) + " exceeds " + std::to_string(kKzgMaxVars));
  if (c.row_vars == 0 || c.row_vars >= c.num_vars)
    r.fail("kzg row commitment: rows of " + std::to_string(c.row_vars) + " variables for " + std::to_string(c.num_vars));
  const size_t nrows = size_t{1} << (c.num_vars - c.row_vars);
  if (nrows > r.remaining() / G1Affine::kBytes) r.fail("kzg row commitment: truncated rows");
  for (size_t b = 0; b < nrows; ++b) {
    auto p = G1Affine::from_bytes(r.bytes(G1Affine::kBytes));
    if (!p) r.fail("kzg row commitment: row " + std::to_string(b) + " is not a valid point");
    c.rows.push_back(*p);
  }
  return wrap_rows(std::move(c));
}

Committed KzgScheme::commit(std::span<const int64_t> values, Use use, std::vector<Fr> blinds) const {
  ZKINFER_CHECK(std::has_single_bit(values.size()));
  const size_t n = static_cast<size_t>(std::countr_zero(values.size()));
  ZKINFER_CHECK(blinds.size() == blind_count(n, use));
  const size_t need = in_rows(n, use) ? key_row_vars_ : n;
  if (!kzg_->has_powers() || need > kzg_->max_vars())
    throw Error("kzg: a vector of 2^" + std::to_string(need) + " entries needs 2^" + std::to_string(need) +
                " powers of tau; the SRS " + (kzg_->has_powers() ? "has 2^" + std::to_string(kzg_->max_vars())
                                                                   : std::string("given holds none (a verifying key's)")));
  if (!in_rows(n, use)) return {wrap(commit_with_blind(*kzg_, values, blinds[0])), std::move(blinds)};
  KzgRowCommitment c;
  c.num_vars = static_cast<uint32_t>(n);
  c.row_vars = static_cast<uint32_t>(key_row_vars_);
  const size_t len = size_t{1} << key_row_vars_;
  for (size_t b = 0; b < blinds.size(); ++b) c.rows.push_back(commit_with_blind(*kzg_, values.subspan(b * len, len), blinds[b]).point);
  return {wrap_rows(std::move(c)), std::move(blinds)};
}

bool KzgScheme::fits(const Commitment& c, size_t num_vars, Use use) const {
  if (in_rows(num_vars, use)) {
    const KzgRowCommitment* k = as_kzg_rows(c);
    return k != nullptr && k->num_vars == num_vars && k->row_vars == key_row_vars_ && key_row_vars_ <= kzg_->max_vars();
  }
  const KzgCommitment* k = as_kzg(c);
  return k != nullptr && k->num_vars == num_vars && num_vars <= kzg_->max_vars();
}

std::unique_ptr<ProverOpening> KzgScheme::prove_open(std::span<const Committed* const> coms,
                                                     std::span<const std::span<const Fr>> tables,
                                                     std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                                     ByteWriter& w) const {
  ZKINFER_CHECK(coms.size() == tables.size());
  std::vector<Item> kc;
  std::vector<std::vector<Fr>> rhos;
  std::vector<size_t> nv, eff;
  for (const Committed* c : coms) {
    Item it{as_kzg(*c->commitment), as_kzg_rows(*c->commitment)};
    ZKINFER_CHECK((it.single != nullptr || it.rows != nullptr) && "a commitment of another scheme given to KZG");
    ZKINFER_CHECK(c->blinds.size() == (it.single ? 1 : it.rows->rows.size()));
    ZKINFER_CHECK(c->small == nullptr && "KZG openings need the whole Fr table");
    kc.push_back(it);
    rhos.push_back(c->blinds);
    nv.push_back(it.num_vars());
    eff.push_back(it.eff_vars());
  }
  if (claims.empty()) return std::make_unique<KzgProverOpening>(*this, pad_params_, std::vector<Item>{},
                                                                std::vector<std::vector<Fr>>{}, std::vector<std::span<const Fr>>{},
                                                                Reduced{}, std::vector<cp::Val>{});
  Reduced red = prove_reduction(tables, reduction_claims(claims), tr, w);
  std::vector<cp::Val> vals = padded_values(red, eff);
  return std::make_unique<KzgProverOpening>(*this, pad_params_, std::move(kc), std::move(rhos),
                                            std::vector<std::span<const Fr>>(tables.begin(), tables.end()),
                                            std::move(red), std::move(vals));
}

Verdict KzgScheme::verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                               transcript::Transcript& tr, ByteReader& r, std::unique_ptr<VerifierOpening>* out) const {
  out->reset();
  std::vector<Item> kc;
  std::vector<size_t> nv, eff;
  for (const Commitment* c : coms) {
    Item it{as_kzg(*c), as_kzg_rows(*c)};
    if (it.single == nullptr && it.rows == nullptr) return Verdict::reject(Failure::kOpening, "kzg: a commitment of another scheme");
    if (it.eff_vars() > kzg_->max_vars())
      return Verdict::reject(Failure::kOpening, "kzg: a commitment of " + std::to_string(it.eff_vars()) +
                                                    " variables exceeds the setup's " + std::to_string(kzg_->max_vars()));
    if (it.rows != nullptr && it.rows->row_vars != key_row_vars_)
      return Verdict::reject(Failure::kOpening, "kzg: a row commitment of rows of " + std::to_string(it.rows->row_vars) +
                                                    " variables; the key's rows have " + std::to_string(key_row_vars_));
    kc.push_back(it);
    nv.push_back(it.num_vars());
    eff.push_back(it.eff_vars());
  }
  Reduced red;
  std::vector<cp::Val> vals;
  if (!claims.empty()) {
    if (Verdict v = verify_reduction(nv, reduction_claims(claims), tr, r, &red); !v) return v;
    vals = padded_values(red, eff);
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
