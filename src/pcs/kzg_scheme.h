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
//  - weight rows (key version 9, key_row_vars = L > 0): a key weight of n > L variables is 2^(n-L)
//    row commitments (KzgRowCommitment); the back half opens every commitment at rho[0..N'),
//    N' = max(L, every unchunked n_c) (N' = N when nothing is chunked: today's proof), a chunked
//    one as its rows combined by eq(rho[L..n_c), .), and the bound values are
//    F_c prod_{e_c <= j < N'} (1 - rho_j) with e_c = L for a chunked commitment, n_c otherwise.
#pragma once

#include <memory>

#include "pcs/hyrax.h"
#include "pcs/kzg.h"
#include "pcs/scheme.h"

namespace zkinfer::pcs {

// kzg keys of version 9 (docs/protocol/kzg.md section 6 item 3, "weight rows"): a key weight of
// 2^n > 2^row_vars entries is committed as 2^(n - row_vars) rows, row b holding entries
// [b 2^row_vars, (b + 1) 2^row_vars) (its top n - row_vars variables = b), each its own KZG
// commitment C_b = R_b(tau)G + rho_b [beta]_1 with its own blind. An opening at z combines them
// into the row_vars-variable commitment sum_b eq(z[row_vars..n), b) C_b, opened at z[0..row_vars).
struct KzgRowCommitment {
  static constexpr uint32_t kRowsFlag = 0x80000000u;  // set in the first word: a row commitment
  uint32_t num_vars = 0;
  uint32_t row_vars = 0;
  std::vector<G1Affine> rows;  // 2^(num_vars - row_vars)

  // u32 (num_vars | kRowsFlag), u32 row_vars, the rows' compressed points (32 bytes each).
  void serialize(ByteWriter& w) const;
  // Absorbs ("kzg.rows") u32 num_vars, u32 row_vars and every row's point (v2: big-endian words
  // as KzgCommitment's; v1: the serialized bytes).
  void absorb_into(transcript::Transcript& t) const;
  // The commitment sum_b eq(top, b) C_b of row_vars variables (top: num_vars - row_vars coordinates).
  KzgCommitment combine(std::span<const Fr> top) const;
  friend bool operator==(const KzgRowCommitment&, const KzgRowCommitment&) = default;
};
// The combination's blind sum_b eq(top, b) rho_b and table sum_b eq(top, b) R_b (2^row_vars values).
Fr combine_row_blinds(std::span<const Fr> blinds, std::span<const Fr> top);
std::vector<Fr> combine_row_table(std::span<const Fr> table, size_t row_vars, std::span<const Fr> top);

class KzgScheme final : public Scheme {
 public:
  // kzg: the SRS (a prover's needs its powers; a verifier's may be KzgParams::verifier_part()).
  // pad_params (must outlive the scheme) and pad_log_row: cp's pad rows (zk/cp.h).
  // kzg_pads: cp's pads committed with KZG in chunks, the first of 2^pad_log_row (zk/cp.h); else
  // Hyrax rows of 2^pad_log_row over pad_params' generators.
  // key_row_vars (kzg keys of version 9; 0: off): key weights of more than 2^key_row_vars entries
  // are committed in rows of 2^key_row_vars (KzgRowCommitment), and the back half opens at
  // rho[0..N') with N' = max(key_row_vars, every unchunked commitment's num_vars) (below).
  KzgScheme(std::shared_ptr<const KzgParams> kzg, const HyraxParams& pad_params, size_t pad_log_row,
            bool kzg_pads = false, size_t key_row_vars = 0)
      : kzg_(std::move(kzg)), pad_params_(pad_params), pad_log_row_(pad_log_row), kzg_pads_(kzg_pads),
        key_row_vars_(key_row_vars) {}
  bool kzg_pads() const { return kzg_pads_; }
  size_t key_row_vars() const { return key_row_vars_; }
  // Whether a commitment to 2^num_vars values for `use` is a row commitment under this scheme.
  bool in_rows(size_t num_vars, Use use) const {
    return use == Use::kKey && key_row_vars_ != 0 && num_vars > key_row_vars_;
  }
  const KzgParams& params() const { return *kzg_; }

  static CommitmentPtr wrap(KzgCommitment c);
  static const KzgCommitment* as_kzg(const Commitment& c);  // nullptr: another scheme's (or rows)
  static CommitmentPtr wrap_rows(KzgRowCommitment c);
  static const KzgRowCommitment* as_kzg_rows(const Commitment& c);  // nullptr: not a row commitment
  static CommitmentPtr read_any(ByteReader& r);              // strict, throws DecodeError

  std::string_view name() const override { return "kzg"; }
  size_t blind_count(size_t num_vars, Use use) const override {
    return in_rows(num_vars, use) ? size_t{1} << (num_vars - key_row_vars_) : 1;
  }
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
  size_t key_row_vars_;
};

}  // namespace zkinfer::pcs
