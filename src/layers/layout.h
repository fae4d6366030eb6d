// The padded tensor layout shared by every layer protocol, and small helpers on it.
//
// A tensor of shape (d_0, ..., d_{k-1}) is the MLE over sum_i log2(P_i) variables, P_i the next
// power of two >= d_i: each dimension is zero-padded separately, the table is row-major over the
// padded dimensions (index = ((i_0 P_1 + i_1) P_2 + i_2) ...), and so the LAST dimension occupies
// the LOWEST variables. A point on a tensor is the concatenation of per-dimension sub-points, the
// last dimension's first. Because padding is per dimension, index maps that act dimension by
// dimension (convolution windows, strides, pads, slices) have MLEs that factor into per-dimension
// pieces, each evaluated in time linear in that dimension (docs/protocol/layers.md, section 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "common/check.h"
#include "field/bn254.h"

namespace zkinfer::layers {

using field::Fr;

// Smallest power of two >= d (d >= 1), and its log.
size_t next_pow2(size_t d);
size_t ceil_log2(size_t d);

class PaddedShape {
 public:
  PaddedShape() = default;
  // Every dimension must be >= 1 (check with invalid() first when the dims are untrusted).
  explicit PaddedShape(std::vector<size_t> dims);
  // The first dimension padded to at least 2^first_log (a chunk of a larger tensor: the weight
  // range proof's, proof/weight_bounds.h); first_log <= 40 and at most 2^40 entries in all.
  PaddedShape(std::vector<size_t> dims, size_t first_log);

  // Why dims cannot form a PaddedShape (a zero dimension, or over 2^40 padded entries), if so.
  static std::optional<std::string> invalid(std::span<const size_t> dims);

  size_t rank() const { return dims_.size(); }
  const std::vector<size_t>& dims() const { return dims_; }
  const std::vector<size_t>& padded() const { return padded_; }
  const std::vector<size_t>& log_sizes() const { return log_sizes_; }
  // offsets()[i]: the first variable of dimension i (the last dimension's is 0).
  const std::vector<size_t>& offsets() const { return offsets_; }
  size_t num_vars() const { return num_vars_; }
  size_t size() const { return size_t{1} << num_vars_; }  // padded table size
  size_t unpadded_size() const;

  // Table index of the entry with multi-index idx (|idx| == rank(), idx[i] < dims()[i]).
  size_t index(std::span<const size_t> idx) const;

 private:
  std::vector<size_t> dims_, padded_, log_sizes_, offsets_;
  size_t num_vars_ = 0;
};

// The padded Fr table of an int64 tensor given flat and row-major over the unpadded dims
// (|values| == shape.unpadded_size()); negatives embed as r - |v|.
std::vector<Fr> padded_table(const PaddedShape& shape, std::span<const int64_t> values);

// The per-dimension sub-points of a point on the tensor (|point| == num_vars()): result[i] has
// log_sizes()[i] entries, point[offsets()[i] ...].
// Generic over the field type (Fr, or snark::CFr for the verifier as a circuit): P is a contiguous
// range of field values (std::vector, std::span).
template <class P>
auto split_point(const PaddedShape& shape, const P& point) {
  using T = std::remove_cvref_t<decltype(point[0])>;
  ZKINFER_CHECK(std::size(point) == shape.num_vars());
  std::vector<std::vector<T>> parts(shape.rank());
  for (size_t i = 0; i < shape.rank(); ++i)
    parts[i].assign(std::begin(point) + static_cast<std::ptrdiff_t>(shape.offsets()[i]),
                    std::begin(point) + static_cast<std::ptrdiff_t>(shape.offsets()[i] + shape.log_sizes()[i]));
  return parts;
}
// The inverse of split_point.
template <class T>
std::vector<T> join_point(const PaddedShape& shape, const std::vector<std::vector<T>>& parts) {
  ZKINFER_CHECK(parts.size() == shape.rank());
  std::vector<T> point(shape.num_vars());
  for (size_t i = 0; i < shape.rank(); ++i) {
    ZKINFER_CHECK(parts[i].size() == shape.log_sizes()[i]);
    for (size_t j = 0; j < parts[i].size(); ++j) point[shape.offsets()[i] + j] = parts[i][j];
  }
  return point;
}

// sum_{x < count} eq(point, x) over integers x < count <= 2^|point| (x's bits little-endian), in
// O(|point|): the MLE of the indicator of an unpadded range, used for broadcasts into padded
// tensors.
template <class P>
auto eq_prefix_sum(const P& point, size_t count) {
  using T = std::remove_cvref_t<decltype(point[0])>;
  const size_t n = std::size(point);
  ZKINFER_CHECK(n < 64 && count <= (size_t{1} << n));
  if (count == (size_t{1} << n)) return T::one();
  // x < count iff, at the highest bit where x and count differ, count has 1 and x has 0. For each
  // such bit j: the bits above match count's (product `prefix`), bit j is 0, the bits below are
  // free and their eq factors sum to 1.
  T sum = T::zero(), prefix = T::one();
  for (size_t j = n; j-- > 0;) {
    if ((count >> j) & 1) {
      sum += prefix * (T::one() - point[j]);
      prefix *= point[j];
    } else {
      prefix *= T::one() - point[j];
    }
  }
  return sum;
}

// Broadcasting an operand of shape od (same rank as y's shape; each dimension equal to y's or 1)
// to y's shape. broadcast_point: the operand's point (on its own padded layout) for a point z on
// y's layout (the broadcast dimensions' coordinates dropped). broadcast_factor: the product over
// the broadcast dimensions of the indicator sums eq_prefix_sum(z_d, y_d), so that
// sum_x eq(z, x) A(bcast(x)) = broadcast_factor * A~(broadcast_point). broadcast_values: the
// row-major values of the operand broadcast to y's shape.
// Generic over the field type (Fr, or snark::CFr): P a contiguous range of field values.
template <class P>
auto broadcast_point(const PaddedShape& ys, const std::vector<size_t>& od, const P& z) {
  auto parts = split_point(ys, z);
  for (size_t d = 0; d < od.size(); ++d)
    if (od[d] != ys.dims()[d]) parts[d].clear();
  return join_point(PaddedShape(od), parts);
}
template <class P>
auto broadcast_factor(const PaddedShape& ys, const std::vector<size_t>& od, const P& z) {
  using T = std::remove_cvref_t<decltype(z[0])>;
  auto parts = split_point(ys, z);
  T k = T::one();
  for (size_t d = 0; d < od.size(); ++d)
    if (od[d] != ys.dims()[d]) k *= eq_prefix_sum(parts[d], ys.dims()[d]);
  return k;
}
std::vector<int64_t> broadcast_values(std::span<const int64_t> v, const std::vector<size_t>& od,
                                      const std::vector<size_t>& yd);

}  // namespace zkinfer::layers
