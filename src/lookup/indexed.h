// Indexed lookup into a committed table (docs/protocol/indexed_lookup.md): for a table X of N rows
// of F entries (committed or otherwise claimed: the caller opens its MLE) and a vector feat of M
// indices (a committed weight), prove that
//     y[r, n] = X[r, feat[n]]   for every r < N, n < M,   with 0 <= feat[n] < F,
// where y (N x M) is committed by the caller. A LogUp (fractional-sum GKR, Papini and Haboeck
// 2023, as lookup/prover.h) over tuples, combined by one challenge beta:
//     witness row (r, n), r < Np, n < Mp:  numerator valid_W(r, n) = [r < N][n < M],
//                                          denominator alpha - (feat[n] + beta y[r, n] + beta^2 r)
//     table row (r, f),   r < Np, f < Fp:  numerator -m[r, f],
//                                          denominator alpha - (f + beta X[r, f] + beta^2 r + beta^3 pad_T(r, f))
// with Np, Mp, Fp the powers of two >= N, M, F, pad_T = 1 - [r < N][f < F] (the table's padding)
// and m the committed multiplicities. The root numerator must be 0: sum_W valid/(alpha - w) =
// sum_T m/(alpha - t). Every column is fixed before beta and alpha (feat: the key; y, m: the
// caller's advice commitments; X: committed or determined by committed values), so with
// overwhelming probability each valid witness tuple equals a table tuple: its beta^3 coordinate 0
// excludes the table's padding rows, so (r, feat[n]) is a row (r, f) with r < N, 0 <= f < F and
// y[r, n] = X[r, f]. Witness padding rows have numerator 0: they add nothing whatever their tuple.
//
// What the verifier computes itself (public, closed form): valid_W's MLE (two prefix indicator
// sums), the index columns r and f (sums of 2^b z_b) and pad_T's MLE. What it checks at the leaves:
// the witness numerators equal valid_W's MLE, the witness denominators equal alpha - (feat~ +
// beta y~ + beta^2 r~) with feat~ and y~ sent by the prover, the table denominators equal alpha -
// (f~ + beta X~ + beta^2 r~ + beta^3 pad_T~) with X~ sent. It returns the claims the caller opens:
// feat at the witness point's node part, y at the witness point, X at the table point, m at the
// table point (its value: minus the table numerator claim). All sent values are padded messages
// in zero-knowledge mode (zk/cp.h) and absorbed.
//
// y's padding (rows r >= N, indices n >= M), which the lookup leaves free, must be zero (every
// layer assumes zero padding of its input): when y has padding entries, a zero-check
// sum_x eq(tau, x) pad_W(x) y(x) = 0 (tau = challenges "indexed.pad_tau", pad_W = 1 - valid_W,
// one degree-3 sumcheck over y's variables) follows the lookup and leaves one more claim on y.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "field/bn254.h"
#include "lookup/logup.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::lookup {

using field::Fr;

inline constexpr std::string_view kLabelIndexedShape = "indexed.shape";
inline constexpr std::string_view kLabelIndexedBeta = "indexed.beta";
inline constexpr std::string_view kLabelIndexedAlpha = "indexed.alpha";
inline constexpr std::string_view kLabelIndexedEvals = "indexed.evals";
inline constexpr std::string_view kLabelIndexedPadTau = "indexed.pad_tau";

// The fractional-sum GKR under the lookup is the LogUp's (detail::prove_fractions of prover.h,
// verify_fractions of verifier.h) with numerators on both trees; the deeper tree takes the GKR's
// table position (W first unless n > k), so no step has unit numerators. Its proof is a
// LogupProof without witness values.

// ---- the indexed lookup ----

struct IndexedShape {
  size_t rows = 1;   // N: rows of the table X and of y
  size_t feats = 1;  // F: entries of a table row
  size_t nodes = 1;  // M: indices
  size_t row_vars() const;   // log2 Np
  size_t feat_vars() const;  // log2 Fp
  size_t node_vars() const;  // log2 Mp
  size_t n() const { return row_vars() + node_vars(); }  // witness (y) variables
  size_t k() const { return row_vars() + feat_vars(); }  // table (X, m) variables
  // y has padding entries (rows or indices not a power of two): the padding zero-check runs.
  bool y_padded() const { return rows != (size_t{1} << row_vars()) || nodes != (size_t{1} << node_vars()); }
  std::optional<std::string> invalid() const;
};

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables, the
// verifier run as a circuit, docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct IndexedProofT {
  LogupProof<F> gkr;  // root and GKR steps only (witness_evals empty)
  sumcheck::Msg<F> feat_eval{}, y_eval{}, x_eval{};
  sumcheck::Proof<F> pad_zero;  // y's padding zero-check (only when s.y_padded())
  void serialize(ByteWriter& w) const;
  static IndexedProofT deserialize(ByteReader& r, const IndexedShape& s);
};
using IndexedProof = IndexedProofT<Fr>;
template <>
void IndexedProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct IndexedClaimsT {
  std::vector<F> feat_point, y_point, x_point, m_point;
  sumcheck::Msg<F> feat{}, y{}, x{}, m{};
  std::vector<F> y_pad_point;  // the padding zero-check's claim on y (empty: none)
  sumcheck::Msg<F> y_pad{};
};
using IndexedClaims = IndexedClaimsT<Fr>;

std::vector<int64_t> indexed_multiplicities(const IndexedShape& s, const std::vector<int64_t>& feat);

// Deviations from the honest prover, for tests of the verifier's checks only.
struct IndexedCheats {
  bool drop_padding_tag = false;  // build the table leaves without the beta^3 padding tag
};

// Phase 2. The padded tables: feat (2^node_vars), y (2^n, row-major [Np, Mp]), x (2^k, [Np, Fp]),
// m (2^k), as committed; the caller has absorbed their commitments.
IndexedProof prove_indexed(const IndexedShape& s, const std::vector<Fr>& feat, const std::vector<Fr>& y,
                           const std::vector<Fr>& x, const std::vector<Fr>& m, transcript::Transcript& tr,
                           IndexedClaims* out, const IndexedCheats& cheats = {});
Verdict verify_indexed(const IndexedShape& s, const IndexedProof& proof, transcript::Transcript& tr, IndexedClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_indexed_as(const IndexedShape& s, const IndexedProofT<F>& proof, transcript::Transcript& tr,
                          IndexedClaimsT<F>* out);

}  // namespace zkinfer::lookup
