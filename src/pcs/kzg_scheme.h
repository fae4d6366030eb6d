// Masked HyperKZG (pcs/kzg.h) as the whole-model proof's commitment scheme (pcs/scheme.h), the
// pairing-based backend selected at setup (`zkinfer setup --backend kzg --srs FILE.ptau`).
// docs/protocol/kzg.md, section 5:
//
//  - commit: one G1 point C = f(tau)G + rho [beta]_1 per vector (one blind), the same shape for
//    the key's weights and a proof's own vectors (Use is ignored).
//  - front half: the claims on all commitments reduced to ONE point rho (N coordinates, N the
//    largest num_vars) by the sumcheck of pcs/reduced_opening.h (its messages through zk/cp.h);
//    the values it ends in are, per commitment c of n_c variables, s_c F_c with
//    F_c = f_c(rho[0..n_c)) and s_c = prod_{j >= n_c} (1 - rho_j): the evaluation at rho of f_c
//    zero-padded to N variables, whose univariate polynomial (and so whose commitment) is f_c's.
//  - back half: every commitment, seen as an N-variable one, opened at rho to its (bound) value by
//    ONE masked HyperKZG batch (one group: N + 1 G1 points and 3N + 3 scalars, 3 witnesses, one
//    2-pair pairing check); then cp's pad matrix, whose rows are Hyrax commitments, by one
//    inner-product argument over Hyrax's generators (pcs/hyrax_scheme.h, prove_pad_opening).
//    With kzg pads (key version 8, docs/protocol/kzg.md section 6) cp's pads are KZG-committed
//    chunks instead, and their opening (cp::Context::kzg_pad_opening) is one more item of the same
//    batch, in a second group (its point is the pad sumcheck's): no inner-product argument.
#pragma once

#include <memory>

#include "pcs/hyrax.h"
#include "pcs/kzg.h"
#include "pcs/scheme.h"

namespace zkinfer::pcs {

class KzgScheme final : public Scheme {
 public:
  // kzg: the SRS (a prover's needs its powers; a verifier's may be KzgParams::verifier_part()).
  // pad_params (must outlive the scheme) and pad_log_row: cp's pad rows (zk/cp.h).
  // kzg_pads: cp's pads committed with KZG in chunks, the first of 2^pad_log_row (zk/cp.h); else
  // Hyrax rows of 2^pad_log_row over pad_params' generators.
  KzgScheme(std::shared_ptr<const KzgParams> kzg, const HyraxParams& pad_params, size_t pad_log_row,
            bool kzg_pads = false)
      : kzg_(std::move(kzg)), pad_params_(pad_params), pad_log_row_(pad_log_row), kzg_pads_(kzg_pads) {}
  bool kzg_pads() const { return kzg_pads_; }
  const KzgParams& params() const { return *kzg_; }

  static CommitmentPtr wrap(KzgCommitment c);
  static const KzgCommitment* as_kzg(const Commitment& c);  // nullptr: another scheme's
  static CommitmentPtr read_any(ByteReader& r);              // strict, throws DecodeError

  std::string_view name() const override { return "kzg"; }
  size_t blind_count(size_t, Use) const override { return 1; }
  // Throws Error when the SRS has fewer than values.size() powers (or none: a verifier's).
  Committed commit(std::span<const int64_t> values, Use use, std::vector<Fr> blinds) const override;
  CommitmentPtr read(ByteReader& r) const override { return read_any(r); }
  bool fits(const Commitment& c, size_t num_vars, Use use) const override;
  std::unique_ptr<ProverOpening> prove_open(std::span<const Committed* const> coms,
                                            std::span<const std::span<const Fr>> tables,
                                            std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                            ByteWriter& w) const override;
  Verdict verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                      transcript::Transcript& tr, ByteReader& r, std::unique_ptr<VerifierOpening>* out) const override;
  std::unique_ptr<cp::Context> zk_context(const RandomFr* random) const override;

 private:
  std::shared_ptr<const KzgParams> kzg_;
  const HyraxParams& pad_params_;
  size_t pad_log_row_;
  bool kzg_pads_;
};

}  // namespace zkinfer::pcs
