// Contractions of a padded table with an eq table along one axis: the prover's building block for
// tables such as A~(r_x, .) (Thaler, "Time-optimal interactive proofs for circuit evaluation",
// CRYPTO 2013, section 3: the matrix-multiplication sumcheck's O(mk + kn) table setup).
// Internal to src/layers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "field/bn254.h"

namespace zkinfer::layers::detail {

using field::Fr;

// t is viewed as nb blocks of a prows x pcols row-major matrix, of which only rows < rows and
// columns < cols may be non-zero. out (nb * pcols entries) gets
//     out[b pcols + j] = sum_{i < rows} e[i] t[(b prows + i) pcols + j].
void contract_middle(std::span<const Fr> t, size_t nb, size_t prows, size_t rows, size_t pcols, size_t cols,
                     std::span<const Fr> e, std::span<Fr> out);

// The same view; out (nb * prows entries) gets
//     out[b prows + i] = sum_{j < cols} e[j] t[(b prows + i) pcols + j].
void contract_last(std::span<const Fr> t, size_t nb, size_t prows, size_t rows, size_t pcols, size_t cols,
                   std::span<const Fr> e, std::span<Fr> out);

// The same two contractions of one unpadded row-major rows x cols block of small integers
// (|v| < 2^63), with field weights: out[j] = sum_{i < rows} e[i] t[i cols + j] for j < cols
// (contract_middle_i64), out[i] = sum_{j < cols} e[j] t[i cols + j] for i < rows
// (contract_last_i64). Each term is a 4 x 1 limb product into a 6-limb accumulator, reduced
// once per output (Bagad-Dao-Domb-Thaler 2025's observation that small values need no full
// field multiplication), several times faster than converting to Fr and multiplying.
void contract_middle_i64(const int64_t* t, size_t rows, size_t cols, std::span<const Fr> e, Fr* out);
void contract_last_i64(const int64_t* t, size_t rows, size_t cols, std::span<const Fr> e, Fr* out);

}  // namespace zkinfer::layers::detail
