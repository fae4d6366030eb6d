// Row combinations and MLE evaluations from small integers (small_values.h).
#include "pcs/small_values.h"

#include <omp.h>

#include <bit>

#include "common/check.h"
#include "poly/mle.h"

namespace zkinfer::pcs {

namespace {

// Entries with |v| < 2^15 come from a table of their field elements (one multiplication saved per
// entry: quantized weights and digits are almost all that small).
constexpr int64_t kCached = int64_t{1} << 15;

const std::vector<Fr>& small_fr_cache() {
  static const std::vector<Fr> cache = [] {
    std::vector<Fr> c(2 * kCached);
    for (int64_t v = -kCached; v < kCached; ++v) c[static_cast<size_t>(v + kCached)] = Fr::from_i64(v);
    return c;
  }();
  return cache;
}

inline Fr to_fr(int64_t v, const std::vector<Fr>& cache) {
  return v >= -kCached && v < kCached ? cache[static_cast<size_t>(v + kCached)] : Fr::from_i64(v);
}

// The unpadded entries as pieces of consecutive entries along the last dimension: piece p covers
// unpadded entries [src, src + len) at padded indices [dst, dst + len). Runs (one per index of the
// leading dimensions) longer than kPiece are cut, so that a rank-1 vector still spreads over threads.
constexpr size_t kPiece = 4096;

struct Pieces {
  const SmallValues& v;
  size_t runs = 1, run_len = 0, per_run = 1;
  explicit Pieces(const SmallValues& sv) : v(sv) {
    ZKINFER_CHECK(v.dims.size() == v.padded.size());
    for (size_t i = 0; i + 1 < v.dims.size(); ++i) runs *= v.dims[i];
    run_len = v.dims.empty() ? 1 : v.dims.back();  // a scalar (rank 0): one entry
    per_run = (run_len + kPiece - 1) / kPiece;
    if (run_len == 0) runs = 0;
  }
  size_t count() const { return runs * per_run; }
  // (src, dst, len) of piece p.
  void get(size_t p, size_t* src, size_t* dst, size_t* len) const {
    const size_t run = p / per_run, sub = p % per_run;
    size_t rem = run, base = 0, stride = v.padded.empty() ? 1 : v.padded.back();
    for (size_t i = v.dims.empty() ? 0 : v.dims.size() - 1; i-- > 0;) {
      base += (rem % v.dims[i]) * stride;
      rem /= v.dims[i];
      stride *= v.padded[i];
    }
    const size_t off = sub * kPiece;
    *src = run * run_len + off;
    *dst = base + off;
    *len = std::min(kPiece, run_len - off);
  }
};

// acc[dst >> shift] += w[...] ... : the common loop of combine_rows_small and mle_small. For every
// unpadded entry at padded index f: out[f & col_mask] += row_w[f >> col_bits] * v.
std::vector<Fr> combine(const SmallValues& v, size_t col_bits, std::span<const Fr> row_w) {
  const size_t cols = size_t{1} << col_bits, col_mask = cols - 1;
  const auto& cache = small_fr_cache();
  const Pieces pc(v);
  const int64_t n = static_cast<int64_t>(pc.count());
  std::vector<Fr> out(cols, Fr::zero());
  const int threads = n >= 8 ? omp_get_max_threads() : 1;
  std::vector<std::vector<Fr>> part(static_cast<size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    std::vector<Fr>& acc = part[static_cast<size_t>(omp_get_thread_num())];
    acc.assign(cols, Fr::zero());
#pragma omp for schedule(static)
    for (int64_t p = 0; p < n; ++p) {
      size_t src, dst, len;
      pc.get(static_cast<size_t>(p), &src, &dst, &len);
      for (size_t k = 0; k < len; ++k) {
        const int64_t x = v.values[src + k];
        if (x == 0) continue;
        const size_t f = dst + k;
        const Fr& w = row_w[f >> col_bits];
        if (w.is_zero()) continue;
        acc[f & col_mask] += w * to_fr(x, cache);
      }
    }
  }
  // (Inside another parallel region the team may have fewer threads than asked: unused parts
  // stay empty.)
  for (const auto& acc : part)
    for (size_t j = 0; j < acc.size(); ++j) out[j] += acc[j];
  return out;
}

}  // namespace

SmallValues SmallValues::of(std::span<const int64_t> values, std::vector<size_t> dims) {
  SmallValues s;
  s.values = values;
  s.padded.reserve(dims.size());
  for (size_t d : dims) s.padded.push_back(std::bit_ceil(d));
  s.dims = std::move(dims);
  return s;
}

SmallValues SmallValues::flat(std::span<const int64_t> padded_values) {
  ZKINFER_CHECK(std::has_single_bit(padded_values.size()));
  return SmallValues{padded_values, {padded_values.size()}, {padded_values.size()}};
}

size_t SmallValues::size() const {
  size_t s = 1;
  for (size_t p : padded) s *= p;
  return s;
}

size_t SmallValues::num_vars() const { return static_cast<size_t>(std::countr_zero(size())); }

std::vector<Fr> combine_rows_small(const SmallValues& v, const HyraxLayout& layout, std::span<const Fr> weights) {
  ZKINFER_CHECK(v.size() == layout.size() && weights.size() == layout.num_rows());
  size_t unpadded = 1;
  for (size_t i = 0; i < v.dims.size(); ++i) {
    ZKINFER_CHECK(v.dims[i] <= v.padded[i] && std::has_single_bit(v.padded[i]));
    unpadded *= v.dims[i];
  }
  ZKINFER_CHECK(v.values.size() == unpadded);
  return combine(v, layout.col_vars(), weights);
}

Fr mle_small(const SmallValues& v, std::span<const Fr> point) {
  const size_t n = point.size();
  ZKINFER_CHECK(v.size() == (size_t{1} << n));
  // Columns: the low min(n, 12) variables; rows: the rest (2^(n - 12) row weights).
  const size_t c = std::min<size_t>(n, 12);
  HyraxLayout l{static_cast<uint32_t>(n), static_cast<uint32_t>(c)};
  const auto rw = poly::eq_table<Fr>(point.subspan(c));
  const auto t = combine_rows_small(v, l, rw);
  const auto cw = poly::eq_table<Fr>(point.first(c));
  Fr acc = Fr::zero();
  for (size_t j = 0; j < t.size(); ++j) acc += t[j] * cw[j];
  return acc;
}

std::vector<Fr> padded_fr(const SmallValues& v) {
  std::vector<Fr> out(v.size(), Fr::zero());
  const Pieces pc(v);
  for (size_t p = 0; p < pc.count(); ++p) {
    size_t src, dst, len;
    pc.get(p, &src, &dst, &len);
    for (size_t k = 0; k < len; ++k) out[dst + k] = Fr::from_i64(v.values[src + k]);
  }
  return out;
}

}  // namespace zkinfer::pcs
