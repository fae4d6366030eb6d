// Shape arithmetic and loops shared by the float and integer forwards: broadcasting, axis
// normalization, transposition, matrix products, convolution and pooling windows. Templates over
// the element type so both executors run the same index computations.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "ops/op.h"
#include "ops/tensor.h"

namespace zkinfer::ops {

inline std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

// Normalizes a possibly negative axis for a tensor of the given rank.
inline int norm_axis(const Node& n, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) bad_node(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Numpy-style broadcast of two shapes.
inline Shape broadcast_shape(const Node& n, const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) bad_node(n, "cannot broadcast " + shape_str(a) + " with " + shape_str(b));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// For each output index of shape `out`, the flat index into a tensor of shape `in` broadcast to it.
inline std::vector<int64_t> broadcast_index(const Shape& in, const Shape& out) {
  int64_t total = numel(out);
  std::vector<int64_t> idx(static_cast<size_t>(total));
  size_t r = out.size(), off = r - in.size();
  std::vector<int64_t> ist(r, 0);
  auto st = strides_of(in);
  for (size_t i = 0; i < in.size(); ++i) ist[i + off] = in[i] == 1 ? 0 : st[i];
  std::vector<int64_t> pos(r, 0);
  int64_t cur = 0;
  for (int64_t k = 0; k < total; ++k) {
    idx[static_cast<size_t>(k)] = cur;
    for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
      if (++pos[d] < out[d]) {
        cur += ist[d];
        break;
      }
      cur -= ist[d] * (out[d] - 1);
      pos[d] = 0;
    }
  }
  return idx;
}

// Elementwise binary op with broadcasting.
template <class T, class U, class F>
Tensor<T> broadcast_binary(const Node& n, const Tensor<U>& a, const Tensor<U>& b, F f) {
  Tensor<T> out(broadcast_shape(n, a.shape, b.shape));
  auto ia = broadcast_index(a.shape, out.shape), ib = broadcast_index(b.shape, out.shape);
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = f(a.data[ia[i]], b.data[ib[i]]);
  return out;
}

// Permutes the axes of t.
template <class T>
Tensor<T> transpose(const Tensor<T>& t, const std::vector<int64_t>& perm) {
  Shape os(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) os[i] = t.shape[perm[i]];
  Tensor<T> out(os, t.dtype);
  out.scale = t.scale;
  auto ist = strides_of(t.shape);
  std::vector<int64_t> pst(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) pst[i] = ist[perm[i]];
  std::vector<int64_t> pos(perm.size(), 0);
  int64_t cur = 0;
  for (size_t k = 0; k < out.data.size(); ++k) {
    out.data[k] = t.data[static_cast<size_t>(cur)];
    for (int d = static_cast<int>(os.size()) - 1; d >= 0; --d) {
      if (++pos[d] < os[d]) {
        cur += pst[d];
        break;
      }
      cur -= pst[d] * (os[d] - 1);
      pos[d] = 0;
    }
  }
  return out;
}

// Batched matrix product with numpy broadcasting of the batch dimensions, accumulating in Acc.
template <class T, class Acc = T>
Tensor<T> matmul(const Node& n, const Tensor<T>& a0, const Tensor<T>& b0) {
  Tensor<T> a = a0, b = b0;
  bool va = a.rank() == 1, vb = b.rank() == 1;
  if (va) a.shape.insert(a.shape.begin(), 1);
  if (vb) b.shape.push_back(1);
  if (a.rank() < 2 || b.rank() < 2) bad_node(n, "MatMul of a scalar");
  int64_t M = a.shape[a.rank() - 2], K = a.shape[a.rank() - 1], K2 = b.shape[b.rank() - 2], N = b.shape[b.rank() - 1];
  if (K != K2) bad_node(n, "MatMul shapes " + shape_str(a.shape) + " and " + shape_str(b.shape) + " do not agree");
  Shape ba(a.shape.begin(), a.shape.end() - 2), bb(b.shape.begin(), b.shape.end() - 2);
  Shape bo = broadcast_shape(n, ba, bb);
  auto ia = broadcast_index(ba, bo), ib = broadcast_index(bb, bo);
  Shape os = bo;
  os.push_back(M);
  os.push_back(N);
  Tensor<T> out(os, a.dtype);
  int64_t batches = numel(bo);
  for (int64_t bi = 0; bi < batches; ++bi) {
    const T* pa = a.data.data() + ia[bi] * M * K;
    const T* pb = b.data.data() + ib[bi] * K * N;
    T* po = out.data.data() + bi * M * N;
    for (int64_t i = 0; i < M; ++i) {
      std::vector<Acc> acc(static_cast<size_t>(N), Acc(0));
      for (int64_t k = 0; k < K; ++k) {
        Acc x = pa[i * K + k];
        const T* row = pb + k * N;
        for (int64_t j = 0; j < N; ++j) acc[j] += x * static_cast<Acc>(row[j]);
      }
      for (int64_t j = 0; j < N; ++j) po[i * N + j] = static_cast<T>(acc[j]);
    }
  }
  if (va) out.shape.erase(out.shape.end() - 2);
  if (vb) out.shape.pop_back();
  return out;
}

// Geometry of a 1-D or 2-D sliding window (Conv, ConvTranspose, pooling), spatial dims padded
// to 2 (1-D ops use H = 1).
struct Window {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;  // pads: top, left, bottom, right
  int64_t ih = 1, iw = 1, oh = 1, ow = 1;
};

// Reads kernel_shape/strides/dilations/pads/auto_pad for spatial rank 1 or 2. kernel gives the
// kernel's spatial size when the attribute is absent (Conv takes it from the weights).
Window make_window(const Node& n, const Shape& in_shape, std::vector<int64_t> kernel, bool ceil_mode);

}  // namespace zkinfer::ops
