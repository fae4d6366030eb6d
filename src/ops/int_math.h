// Integer primitives of the fixed-point semantics (docs/QUANTIZATION.md): rescaling by 2^k with
// round-half-up and an explicit remainder, and rounded division with an explicit remainder. These
// are the relations a prover checks: x + 2^(k-1) = q * 2^k + r with 0 <= r < 2^k, and
// 2a + b = q * 2b + r with 0 <= r < 2b (b > 0). No floating point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/tensor.h"

namespace zkinfer::ops {

// floor(x / 2^k + 1/2) and the remainder r in [0, 2^k).
inline int64_t rescale_round(int64_t x, int k, int64_t* rem) {
  if (k <= 0) {
    *rem = 0;
    return x;
  }
  int64_t t = x + (int64_t{1} << (k - 1));
  int64_t q = t >> k;  // arithmetic shift = floor division by 2^k
  *rem = t - (q << k);
  return q;
}

// round(a / b) with ties up: floor((2a + b) / (2b)) for b > 0 (signs moved to a for b < 0), and
// the remainder in [0, 2|b|). b == 0 gives 0 with remainder 0 (documented).
inline int64_t div_round(int64_t a, int64_t b, int64_t* rem) {
  if (b == 0) {
    *rem = 0;
    return 0;
  }
  if (b < 0) {
    a = -a;
    b = -b;
  }
  int64_t num = 2 * a + b, den = 2 * b;
  int64_t q = num / den;
  int64_t r = num % den;
  if (r < 0) {
    r += den;
    --q;
  }
  *rem = r;
  return q;
}

// Multiplies by 2^k for k >= 0, or rescales down by 2^-k (round half up) for k < 0.
inline int64_t shift_round(int64_t x, int k, int64_t* rem) {
  if (k >= 0) {
    *rem = 0;
    return x * (int64_t{1} << k);
  }
  return rescale_round(x, -k, rem);
}

// Rescales every value of t by 2^k (k >= 0: down; the result keeps t's shape), records the
// remainders as aux "<label>.rem" when k > 0, and sets the scale to t.scale - k.
inline void rescale_tensor(IntContext& ctx, ITensor& t, int k, const std::string& label) {
  if (k <= 0) {
    if (k < 0) {
      for (auto& v : t.data) v *= (int64_t{1} << -k);
      t.scale -= k;
    }
    return;
  }
  ITensor rem(t.shape, DType::kInt);
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = rescale_round(t.data[i], k, &rem.data[i]);
  t.scale -= k;
  ctx.aux.emplace_back(label + ".rem", std::move(rem));
}

// Brings t to scale s (up: exact multiply; down: rescale with remainder recorded).
inline void to_scale(IntContext& ctx, ITensor& t, int s, const std::string& label) {
  rescale_tensor(ctx, t, t.scale - s, label);
}

// Looks every value of t up in table tb (after clamping to its domain); records the clamped
// indices as aux "<label>.idx". Output at the table's out_scale.
inline ITensor lookup(IntContext& ctx, const ITensor& t, const Table& tb, const std::string& label) {
  ITensor idx(t.shape, DType::kInt), out(t.shape);
  for (size_t i = 0; i < t.data.size(); ++i) {
    idx.data[i] = tb.clamp(t.data[i]);
    out.data[i] = tb.at(idx.data[i]);
  }
  out.scale = tb.out_scale;
  ctx.aux.emplace_back(label + ".idx", std::move(idx));
  return out;
}

}  // namespace zkinfer::ops
