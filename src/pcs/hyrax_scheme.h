// Hyrax as the whole-model proof's commitment scheme (pcs/scheme.h): row commitments
// (pcs/hyrax.h), balanced rows for the key's weights and rows as wide as the parameters allow for
// a proof's own vectors, openings reduced to one point and grouped (pcs/reduced_opening.h), each
// group and cp's pad matrix closed by one inner-product argument (pcs/ipa.h). The protocol:
// docs/protocol/hyrax.md, section 5a.
#pragma once

#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "pcs/scheme.h"

namespace zkinfer::pcs {

// The opening of cp's pad matrix (zk/cp.h), when zk hides messages: one inner-product argument
// (the last part of an opening's back half; KzgScheme uses it too, its pads being Hyrax rows).
void prove_pad_opening(const HyraxParams& params, const cp::Context* zk, transcript::Transcript& tr, ByteWriter& w,
                       const RandomFr& random);
// With batch, its final check is added to it (pcs/ipa.h IpaBatch) instead of evaluated.
Verdict verify_pad_opening(const HyraxParams& params, const cp::Context* zk, transcript::Transcript& tr, ByteReader& r,
                           IpaBatch* batch = nullptr);

class HyraxScheme final : public Scheme {
 public:
  // params must outlive the scheme. pad_log_row: the row length (log2) of cp's pad matrix.
  HyraxScheme(const HyraxParams& params, size_t pad_log_row) : params_(params), pad_log_row_(pad_log_row) {}
  const HyraxParams& params() const { return params_; }
  // The column parameter of a commitment to 2^num_vars values for `use`.
  size_t log_cols(size_t num_vars, Use use) const;

  // The batch opening's MSM points for a key's weights (num_vars each) committed by parameters of
  // 2^log_cols generators: 2^log_cols + sum_w 2^(n_w - min(n_w, log_cols)) (the proof's own few
  // points aside).
  static size_t key_msm_points(std::span<const size_t> weight_vars, size_t log_cols);
  // The parameters' width for a key: the smallest B in [lo, min(lo + 4, kMaxKeyLogCols)] (lo when
  // lo is above that) minimizing key_msm_points (proof/model_proof.cc, params_log_cols).
  static size_t best_log_cols(std::span<const size_t> weight_vars, size_t lo);

  // A Hyrax commitment as a Commitment, and back (nullptr when c is another scheme's).
  static CommitmentPtr wrap(HyraxCommitment c);
  static const HyraxCommitment* as_hyrax(const Commitment& c);
  // Decodes a Hyrax commitment without parameters (a verifying key's; strict, throws DecodeError).
  static CommitmentPtr read_any(ByteReader& r);

  std::string_view name() const override { return "hyrax"; }
  size_t blind_count(size_t num_vars, Use use) const override;
  Committed commit(std::span<const int64_t> values, Use use, std::vector<Fr> blinds) const override;
  CommitmentPtr read(ByteReader& r) const override;
  bool fits(const Commitment& c, size_t num_vars, Use use) const override;
  std::unique_ptr<ProverOpening> prove_open(std::span<const Committed* const> coms,
                                            std::span<const std::span<const Fr>> tables,
                                            std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                            ByteWriter& w) const override;
  Verdict verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                      transcript::Transcript& tr, ByteReader& r, std::unique_ptr<VerifierOpening>* out) const override;
  std::unique_ptr<cp::Context> zk_context(const RandomFr* random) const override;

 private:
  const HyraxParams& params_;
  size_t pad_log_row_;
};

}  // namespace zkinfer::pcs
