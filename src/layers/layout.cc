// Padded tensor layout (layout.h).
#include "layers/layout.h"

#include <bit>

#include "common/check.h"
#include "poly/parallel.h"

namespace zkinfer::layers {

size_t next_pow2(size_t d) {
  ZKINFER_CHECK(d >= 1 && d <= (size_t{1} << 62));
  return std::bit_ceil(d);
}

size_t ceil_log2(size_t d) { return static_cast<size_t>(std::countr_zero(next_pow2(d))); }

std::optional<std::string> PaddedShape::invalid(std::span<const size_t> dims) {
  size_t vars = 0;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0) return "dimension " + std::to_string(i) + " is zero";
    if (dims[i] > (size_t{1} << 40)) return "dimension " + std::to_string(i) + " is too large";
    vars += ceil_log2(dims[i]);
  }
  if (vars > 40) return "tensor has more than 2^40 padded entries";
  return std::nullopt;
}

PaddedShape::PaddedShape(std::vector<size_t> dims) : dims_(std::move(dims)) {
  ZKINFER_CHECK(!invalid(dims_));
  const size_t k = dims_.size();
  padded_.resize(k);
  log_sizes_.resize(k);
  offsets_.resize(k);
  size_t off = 0;
  for (size_t i = k; i-- > 0;) {
    padded_[i] = next_pow2(dims_[i]);
    log_sizes_[i] = ceil_log2(dims_[i]);
    offsets_[i] = off;
    off += log_sizes_[i];
  }
  num_vars_ = off;
}

PaddedShape::PaddedShape(std::vector<size_t> dims, size_t first_log) : PaddedShape(std::move(dims)) {
  ZKINFER_CHECK(rank() >= 1 && first_log <= 40);
  if (first_log <= log_sizes_[0]) return;
  const size_t extra = first_log - log_sizes_[0];
  ZKINFER_CHECK(num_vars_ + extra <= 40);
  log_sizes_[0] = first_log;
  padded_[0] = size_t{1} << first_log;
  num_vars_ += extra;
}

size_t PaddedShape::unpadded_size() const {
  size_t s = 1;
  for (size_t d : dims_) s *= d;
  return s;
}

size_t PaddedShape::index(std::span<const size_t> idx) const {
  ZKINFER_CHECK(idx.size() == dims_.size());
  size_t at = 0;
  for (size_t i = 0; i < idx.size(); ++i) {
    ZKINFER_CHECK(idx[i] < dims_[i]);
    at = at * padded_[i] + idx[i];
  }
  return at;
}

std::vector<Fr> padded_table(const PaddedShape& shape, std::span<const int64_t> values) {
  ZKINFER_CHECK(values.size() == shape.unpadded_size());
  std::vector<Fr> out(shape.size(), Fr::zero());
  const size_t k = shape.rank();
  if (k == 0) {
    out[0] = Fr::from_i64(values[0]);
    return out;
  }
  // Rows of the last dimension are contiguous in both layouts; row r (over the unpadded leading
  // dims) starts at padded offset computed digit by digit.
  const size_t row_len = shape.dims()[k - 1];
  const size_t rows = values.size() / row_len;
  const auto& dims = shape.dims();
  const auto& pad = shape.padded();
#pragma omp parallel for schedule(static) if (poly::go_parallel(values.size()))
  for (size_t r = 0; r < rows; ++r) {
    size_t rem = r, start = 0, scale = pad[k - 1];
    for (size_t i = k - 1; i-- > 0;) {
      start += (rem % dims[i]) * scale;
      rem /= dims[i];
      scale *= pad[i];
    }
    const int64_t* src = values.data() + r * row_len;
    Fr* dst = out.data() + start;
    for (size_t j = 0; j < row_len; ++j) dst[j] = Fr::from_i64(src[j]);
  }
  return out;
}

std::vector<int64_t> broadcast_values(std::span<const int64_t> v, const std::vector<size_t>& od,
                                      const std::vector<size_t>& yd) {
  if (od == yd) return std::vector<int64_t>(v.begin(), v.end());
  size_t n = 1;
  for (size_t d : yd) n *= d;
  std::vector<size_t> ostride(od.size(), 1);
  for (size_t d = od.size(); d-- > 1;) ostride[d - 1] = ostride[d] * od[d];
  std::vector<int64_t> out(n);
  std::vector<size_t> idx(yd.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    size_t off = 0;
    for (size_t d = 0; d < yd.size(); ++d)
      if (od[d] == yd[d]) off += idx[d] * ostride[d];
    out[i] = v[off];
    for (size_t d = yd.size(); d-- > 0;) {
      if (++idx[d] < yd[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace zkinfer::layers
