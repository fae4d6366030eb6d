// Per-tensor or per-axis parameters (QuantizeLinear, DequantizeLinear): a scale and zero point of
// one entry, or 1-D of x.shape[axis] entries (attribute `axis`, default 1), entry k of x using
// parameter index(k).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/helpers.h"

namespace zkinfer::ops {

struct PerAxis {
  int64_t inner = 1, len = 1;  // entries after the axis, and the axis' length (1: per tensor)
  size_t index(int64_t k) const { return static_cast<size_t>((k / inner) % len); }
};

inline PerAxis per_axis(const Node& n, const FTensor& x, const FTensor& sc, const FTensor* zp) {
  if (zp && zp->size() != sc.size()) bad_node(n, "scale and zero point differ in size");
  PerAxis p;
  if (sc.size() > 1) {
    const int a = norm_axis(n, n.attrs.get_int("axis", 1), x.rank());
    p.len = x.shape[a];
    if (p.len != sc.size()) bad_node(n, "scale does not match the axis");
    for (int i = a + 1; i < x.rank(); ++i) p.inner *= x.shape[i];
  }
  return p;
}

}  // namespace zkinfer::ops
