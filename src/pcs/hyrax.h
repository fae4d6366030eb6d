// Hyrax-style polynomial commitment to multilinear polynomials over BN254 (Wahby, Tzialla,
// shelat, Thaler, Walfish, "Doubly-efficient zkSNARKs without trusted setup", S&P 2018, §6 and
// appendix A): the 2^n evaluations of an MLE are laid out as a 2^a x 2^b matrix M (index =
// row * 2^b + col, so the column variables are the low b variables r[0..b) and the row variables
// r[b..n)), and each row is committed with a hiding Pedersen vector commitment
//     C_i = <M_i, G> + rho_i * H.
// The evaluation at r is f(r) = eq(r_row)^T M eq(r_col); the row combination
// T = sum_i eq(r_row)_i C_i is a commitment to t = eq(r_row)^T M, and an opening proves
// <t, eq(r_col)> = f(r), either by sending t (the plain opening, here) or by a zero-knowledge
// logarithmic inner-product argument (pcs/ipa.h, pcs/hyrax_batch.h).
//
// Generators are transparent: G_j, H and U (the generator for committed evaluations) are hashed
// to the curve from fixed domain strings, so nobody knows a discrete-log relation between them.
// The protocol, the transcript order and the security argument are in docs/protocol/hyrax.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/random.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {

using curve::G1;
using curve::G1Affine;
using field::Fr;

// Domain strings of the transparent generators (documented in docs/protocol/hyrax.md). Changing
// any of them changes every commitment: they are part of the protocol version.
inline constexpr std::string_view kGeneratorDomain = "zkinfer/pcs/hyrax/v1/G";
inline constexpr std::string_view kBlindingDomain = "zkinfer/pcs/hyrax/v1/H";
inline constexpr std::string_view kValueDomain = "zkinfer/pcs/hyrax/v1/U";

// Upper bounds on what a decoder accepts (a commitment never has more than 2^kMaxRowVars rows or
// 2^kMaxLogCols columns); they bound allocations driven by untrusted bytes.
inline constexpr size_t kMaxNumVars = 40;
inline constexpr size_t kMaxLogCols = 24;
inline constexpr size_t kMaxRowVars = 24;

// The default column split for an n-variable MLE: b = ceil(n / 2) column variables, a = floor(n/2)
// row variables. Balanced, so that the verifier's two MSMs (2^a row commitments, 2^b generators)
// and the commitment size (2^a points) stay about sqrt(2^n); see docs/protocol/hyrax.md.
constexpr size_t default_log_cols(size_t num_vars) { return (num_vars + 1) / 2; }

// The smallest column split the parameters must allow for a verifying key's weight commitment:
// balanced, but rows of at least 2^kKeyMinLogCols entries (the whole vector when smaller).
// HyraxScheme (hyrax_scheme.h) commits a key's weights in rows as wide as its parameters allow
// (at least this), and the whole-model proof sizes the parameters to minimize the verifier's
// batch MSM (proof/model_proof.cc, params_log_cols; at most kMaxKeyLogCols): a model's weights are
// then few rows each instead of sqrt(size), the verifier's row combination in the batch opening
// being the sum of the rows, while the generators are shared by every opening of a proof anyway.
inline constexpr size_t kKeyMinLogCols = 8;
// The widest rows the parameters are raised to for a key's weights (each opening's argument folds
// 2^L generators: the prover's cost).
inline constexpr size_t kMaxKeyLogCols = 13;
constexpr size_t key_log_cols(size_t num_vars) {
  return std::max(default_log_cols(num_vars), std::min(num_vars, kKeyMinLogCols));
}

// A fixed-base table for one point P: entry [w][d - 1] = d 2^(c w) P for d in 1..2^c - 1 (c the
// window bits), so that k P costs 256 / c mixed additions instead of a full double-and-add (used
// for the blinding terms rho_i H of every row and v U + s H of committed claims).
class FixedBaseTable {
 public:
  FixedBaseTable() = default;
  // window_bits 8 (32 windows x 255 points, 0.6 MB: a few bases used often, H and U) or 4 (64
  // windows x 15 points, 70 KB, twice the additions: many bases, e.g. src/zk's first generators).
  explicit FixedBaseTable(const G1Affine& p, unsigned window_bits = 8);
  G1 mul(const Fr& k) const;
  bool empty() const { return table_.empty(); }

 private:
  unsigned bits_ = 8;
  std::vector<G1Affine> table_;
};

// Public parameters: generators G_0 .. G_{2^max_log_cols - 1}, the blinding generator H and the
// evaluation generator U. The generators for a smaller column count are a prefix of these, so one
// HyraxParams serves every commitment with log_cols <= max_log_cols.
class HyraxParams {
 public:
  explicit HyraxParams(size_t max_log_cols);

  size_t max_log_cols() const { return max_log_cols_; }
  std::span<const G1Affine> g() const { return g_; }
  std::span<const G1Affine> g(size_t log_cols) const;  // the first 2^log_cols generators
  const G1Affine& h() const { return h_; }
  const G1Affine& u() const { return u_; }
  // k H and k U by fixed-base tables, built on first use (only the prover needs them; the
  // verifier's checks are MSMs). Thread-safe.
  G1 mul_h(const Fr& k) const;
  G1 mul_u(const Fr& k) const;
  // curve::window_tables of the first 2^log_cols generators (for curve::msm_tables), built on
  // first use and kept (a table built for more generators serves through its prefix). Thread-safe; the span stays valid as long as the params.
  std::span<const G1Affine> g_tables(size_t log_cols) const;

 private:
  struct Tables {
    std::once_flag once;
    FixedBaseTable h, u;
    std::mutex mu;
    std::map<size_t, std::vector<G1Affine>> g;  // by log_cols
  };
  const Tables& tables() const;
  size_t max_log_cols_;
  std::vector<G1Affine> g_;
  G1Affine h_;
  G1Affine u_;
  std::shared_ptr<Tables> tables_ = std::make_shared<Tables>();
};

// The shape of a committed MLE: num_vars n and the column parameter log_cols b. The matrix has
// 2^min(n, b) columns and 2^(n - min(n, b)) rows; with n < b it is a single short row, which is
// the same commitment as the MLE zero-padded to b variables (missing entries are zero).
struct HyraxLayout {
  uint32_t num_vars = 0;
  uint32_t log_cols = 0;

  size_t col_vars() const { return num_vars < log_cols ? num_vars : log_cols; }
  size_t row_vars() const { return num_vars - col_vars(); }
  size_t num_cols() const { return size_t{1} << col_vars(); }
  size_t num_rows() const { return size_t{1} << row_vars(); }
  size_t size() const { return size_t{1} << num_vars; }
  friend bool operator==(const HyraxLayout&, const HyraxLayout&) = default;
};

// The public commitment: one G1 point per row.
struct HyraxCommitment {
  HyraxLayout layout;
  std::vector<G1Affine> rows;

  // u32 num_vars, u32 log_cols, then num_rows compressed points (32 bytes each).
  void serialize(ByteWriter& w) const;
  // Strict: bounds on num_vars / log_cols, canonical on-curve points, exactly num_rows of them.
  static HyraxCommitment deserialize(ByteReader& r);
  std::vector<uint8_t> to_bytes() const;
  static HyraxCommitment from_bytes(std::span<const uint8_t> bytes);  // throws DecodeError

  // Absorbs the layout and every row (label "hyrax.commitment").
  void absorb_into(transcript::Transcript& t) const;
  friend bool operator==(const HyraxCommitment&, const HyraxCommitment&) = default;
};

// The prover's secret opening data: one blinding factor per row.
struct HyraxBlinds {
  std::vector<Fr> rho;
};

struct HyraxCommitted {
  HyraxCommitment commitment;
  HyraxBlinds blinds;
};

// Commits to an MLE given by its 2^num_vars evaluations, with the given row blinds
// (blinds.size() == layout.num_rows()). Rows are committed in parallel (OpenMP).
HyraxCommitment commit_with_blinds(const HyraxParams& params, std::span<const Fr> values,
                                   size_t log_cols, std::span<const Fr> blinds);
// Fast path for small signed integers (quantized tensors): the same commitment as the Fr path on
// Fr::from_i64 of each value, computed with small-scalar MSMs.
HyraxCommitment commit_with_blinds(const HyraxParams& params, std::span<const int64_t> values,
                                   size_t log_cols, std::span<const Fr> blinds);

// Draws fresh blinds (one per row) from rng and commits. With SecureRng the commitment is hiding.
template <class Rng>
HyraxCommitted commit(const HyraxParams& params, std::span<const Fr> values, size_t log_cols,
                      Rng& rng);
template <class Rng>
HyraxCommitted commit(const HyraxParams& params, std::span<const int64_t> values, size_t log_cols,
                      Rng& rng);

// The layout commit() uses for values.size() == 2^num_vars with the given log_cols; checks that
// the size is a power of two (ZKINFER_CHECK: a caller bug otherwise).
HyraxLayout layout_for(size_t num_values, size_t log_cols);

// t = weights^T M (weights.size() == layout.num_rows()); parallel over blocks of columns.
std::vector<Fr> combine_rows(std::span<const Fr> values, const HyraxLayout& layout,
                             std::span<const Fr> weights);
// t = eq(r_row)^T M for the MLE's matrix under `layout`, where r_row has layout.row_vars()
// entries; t has layout.num_cols() entries.
std::vector<Fr> row_combination(std::span<const Fr> values, const HyraxLayout& layout,
                                std::span<const Fr> r_row);

// ---- The plain (non-zero-knowledge) opening: Hyrax §6 without the dot-product proof. ----
// The prover reveals t = eq(r_row)^T M and its blind tau = sum_i eq(r_row)_i rho_i. The verifier
// checks <t, G> + tau H = sum_i eq(r_row)_i C_i and value = <t, eq(r_col)>. The proof is 2^b + 1
// scalars and reveals t, so use it only where the polynomial is public or for testing.
struct PlainOpening {
  std::vector<Fr> t;
  Fr tau;

  void serialize(ByteWriter& w) const;
  static PlainOpening deserialize(ByteReader& r, size_t max_len = size_t{1} << kMaxLogCols);
};

// Absorbs the commitment, the point and the value, then the opening (labels "hyrax.plain.*").
PlainOpening open_plain(const HyraxCommitment& commitment, const HyraxBlinds& blinds,
                        std::span<const Fr> values, std::span<const Fr> point,
                        transcript::Transcript& transcript);
Verdict verify_plain(const HyraxParams& params, const HyraxCommitment& commitment,
                     std::span<const Fr> point, const Fr& value, const PlainOpening& opening,
                     transcript::Transcript& transcript);

// ---- template definitions ----
template <class Rng>
HyraxCommitted commit(const HyraxParams& params, std::span<const Fr> values, size_t log_cols,
                      Rng& rng) {
  HyraxLayout layout = layout_for(values.size(), log_cols);
  HyraxBlinds blinds;
  blinds.rho.reserve(layout.num_rows());
  for (size_t i = 0; i < layout.num_rows(); ++i) blinds.rho.push_back(Fr::random(rng));
  HyraxCommitment c = commit_with_blinds(params, values, log_cols, blinds.rho);
  return {std::move(c), std::move(blinds)};
}

template <class Rng>
HyraxCommitted commit(const HyraxParams& params, std::span<const int64_t> values, size_t log_cols,
                      Rng& rng) {
  HyraxLayout layout = layout_for(values.size(), log_cols);
  HyraxBlinds blinds;
  blinds.rho.reserve(layout.num_rows());
  for (size_t i = 0; i < layout.num_rows(); ++i) blinds.rho.push_back(Fr::random(rng));
  HyraxCommitment c = commit_with_blinds(params, values, log_cols, blinds.rho);
  return {std::move(c), std::move(blinds)};
}

}  // namespace zkinfer::pcs
