// Table contractions (contract.h).
#include "layers/contract.h"

#include <algorithm>
#include <vector>

#include "common/check.h"
#include "field/bigint.h"
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

namespace zkinfer::layers::detail {

namespace {

using Limbs4 = field::Limbs<4>;

// sum_i e_i v_i held unreduced: 384 bits, where each e_i is a Montgomery representation (< p)
// and v_i < 2^63 (negative v_i enter as the representation of -e_i times |v_i|). The sum is
// congruent (mod p) to the Montgomery representation of sum_i e_i v_i.
struct Acc {
  uint64_t l[6] = {0, 0, 0, 0, 0, 0};

  void mac(const Limbs4& e, uint64_t v) {
    unsigned __int128 t;
    uint64_t carry = 0;
    for (int k = 0; k < 4; ++k) {
      t = static_cast<unsigned __int128>(e[k]) * v + l[k] + carry;
      l[k] = static_cast<uint64_t>(t);
      carry = static_cast<uint64_t>(t >> 64);
    }
    t = static_cast<unsigned __int128>(l[4]) + carry;
    l[4] = static_cast<uint64_t>(t);
    l[5] += static_cast<uint64_t>(t >> 64);
  }

  // The field element whose Montgomery representation is (this mod p): with lo, hi the low 256
  // and high 128 bits, its value is lo R^-1 + hi (R = 2^256).
  Fr finish() const {
    Limbs4 lo = {l[0], l[1], l[2], l[3]};
    while (field::geq(lo, Fr::kModulus)) field::sub_in_place(lo, Fr::kModulus);
    return Fr::from_mont(lo) + Fr::from_canonical(Limbs4{l[4], l[5], 0, 0});
  }
};

// e's Montgomery representations and those of -e, so that a negative v costs no extra work.
struct Weights {
  std::vector<Limbs4> pos, neg;
  explicit Weights(std::span<const Fr> e, size_t n) : pos(n), neg(n) {
    for (size_t i = 0; i < n; ++i) {
      pos[i] = e[i].mont();
      neg[i] = (-e[i]).mont();
    }
  }
  void mac(Acc& acc, size_t i, int64_t v) const {
    if (v >= 0) {
      acc.mac(pos[i], static_cast<uint64_t>(v));
    } else {
      acc.mac(neg[i], static_cast<uint64_t>(-(v + 1)) + 1);
    }
  }
};

}  // namespace

void contract_middle_i64(const int64_t* t, size_t rows, size_t cols, std::span<const Fr> e, Fr* out) {
  ZKINFER_CHECK(e.size() >= rows);
  const Weights w(e, rows);
  constexpr size_t kChunk = 64;
  const size_t chunks = (cols + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1 && poly::go_parallel(rows * cols / 32))
  for (size_t ch = 0; ch < chunks; ++ch) {
    const size_t j0 = ch * kChunk, j1 = std::min(cols, j0 + kChunk);
    Acc acc[kChunk];
    for (size_t i = 0; i < rows; ++i) {
      const int64_t* row = t + i * cols;
      for (size_t j = j0; j < j1; ++j) w.mac(acc[j - j0], i, row[j]);
    }
    for (size_t j = j0; j < j1; ++j) out[j] = acc[j - j0].finish();
  }
}

void contract_last_i64(const int64_t* t, size_t rows, size_t cols, std::span<const Fr> e, Fr* out) {
  ZKINFER_CHECK(e.size() >= cols);
  const Weights w(e, cols);
#pragma omp parallel for schedule(static) if (rows > 1 && poly::go_parallel(rows * cols / 32))
  for (size_t i = 0; i < rows; ++i) {
    const int64_t* row = t + i * cols;
    Acc acc;
    for (size_t j = 0; j < cols; ++j) w.mac(acc, j, row[j]);
    out[i] = acc.finish();
  }
}

}  // namespace zkinfer::layers::detail
