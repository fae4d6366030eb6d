// Table contractions (contract.h).
#include "layers/contract.h"

#include <algorithm>
#include <vector>

#include "common/check.h"
#include "poly/parallel.h"

namespace zkinfer::layers::detail {

void contract_middle(std::span<const Fr> t, size_t nb, size_t prows, size_t rows, size_t pcols, size_t cols,
                     std::span<const Fr> e, std::span<Fr> out) {
  ZKINFER_CHECK(t.size() == nb * prows * pcols && out.size() == nb * pcols && e.size() >= rows);
  ZKINFER_CHECK(rows <= prows && cols <= pcols);
  constexpr size_t kChunk = 64;
  const size_t chunks = (cols + kChunk - 1) / kChunk;
  const size_t jobs = nb * chunks;
  std::fill(out.begin(), out.end(), Fr::zero());
#pragma omp parallel for schedule(dynamic, 1) if (poly::go_parallel(nb * rows * cols / 8))
  for (size_t job = 0; job < jobs; ++job) {
    const size_t b = job / chunks;
    const size_t j0 = (job % chunks) * kChunk;
    const size_t j1 = std::min(cols, j0 + kChunk);
    Fr acc[kChunk];
    for (size_t j = j0; j < j1; ++j) acc[j - j0] = Fr::zero();
    for (size_t i = 0; i < rows; ++i) {
      const Fr ei = e[i];
      const Fr* row = t.data() + (b * prows + i) * pcols;
      for (size_t j = j0; j < j1; ++j) acc[j - j0] += ei * row[j];
    }
    for (size_t j = j0; j < j1; ++j) out[b * pcols + j] = acc[j - j0];
  }
}

void contract_last(std::span<const Fr> t, size_t nb, size_t prows, size_t rows, size_t pcols, size_t cols,
                   std::span<const Fr> e, std::span<Fr> out) {
  ZKINFER_CHECK(t.size() == nb * prows * pcols && out.size() == nb * prows && e.size() >= cols);
  ZKINFER_CHECK(rows <= prows && cols <= pcols);
  std::fill(out.begin(), out.end(), Fr::zero());
  const size_t jobs = nb * rows;
#pragma omp parallel for schedule(static) if (poly::go_parallel(nb * rows * cols / 8))
  for (size_t job = 0; job < jobs; ++job) {
    const size_t b = job / rows, i = job % rows;
    const Fr* row = t.data() + (b * prows + i) * pcols;
    Fr acc = Fr::zero();
    for (size_t j = 0; j < cols; ++j) acc += e[j] * row[j];
    out[b * prows + i] = acc;
  }
}

}  // namespace zkinfer::layers::detail
