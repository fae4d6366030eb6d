// Multi-scalar multiplication over BN254 G1: sum_i scalars[i] * bases[i].
//
// Pippenger's bucket method (Pippenger 1976; the form used here is Bernstein et al.,
// "Faster batch forgery identification", INDOCRYPT 2012, section 4) with
//  - signed-digit windows: each scalar's magnitude is written in base 2^c with digits in
//    [-(2^(c-1) - 1), 2^(c-1)] (a carry into the next window), halving the buckets; the top
//    window takes the last carry. Full-width Fr scalars above (r-1)/2 are replaced by r - k with
//    the base negated, so they need at most 253 bits;
//  - batch-affine bucket accumulation (as in the ZPrize 2022 MSM entries and gnark-crypto):
//    bucket additions are done in affine coordinates in batches that share one field inversion
//    (Montgomery's trick), about 6 multiplications per addition instead of 11 for a mixed
//    Jacobian addition. A batch never holds two additions to one bucket; a point that meets a
//    bucket already busy in the batch goes to a per-bucket Jacobian overflow accumulator
//    instead, so skewed inputs (all scalars equal, repeated points) cost at most a mixed
//    addition each. Doubling (bucket == point) and cancellation (bucket == -point) are handled.
//    Few-bucket windows use Jacobian buckets (the inversion would not amortize);
//  - the window size c chosen from n and the scalars' largest bit length by a cost model;
//  - OpenMP threads over (window, chunk of points) tasks, each with its own buckets.
//
// msm_small takes signed 64-bit integers (quantized tensors): magnitudes of b bits need only
// ceil(b / c) windows, so 16-bit values take one or two bucket passes instead of ~16.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "curve/g1.h"

namespace zkinfer::curve {

// Knobs for tests and benchmarks; the defaults choose everything automatically.
struct MsmOptions {
  enum class Buckets { kAuto, kJacobian, kBatchAffine };
  unsigned window_bits = 0;  // c; 0 = choose from n and the scalar width (1..20 otherwise)
  Buckets buckets = Buckets::kAuto;
  size_t batch_size = 0;  // additions per shared inversion in batch-affine mode; 0 = auto
  int threads = 0;        // 0 = omp_get_max_threads()
  // The GLV endomorphism (curve/glv.h) for Fr scalars: kAuto uses it for up to 2^13 points when
  // some scalar needs more than 128 bits (after the negation above), kOn always, kOff never.
  // msm_small never uses it. From 128 to 2^13 such points (and every knob here automatic) msm
  // also puts every window's buckets in one batch-affine accumulator per thread (msm.cc,
  // curve/msm_forms.h).
  enum class Glv { kAuto, kOn, kOff };
  Glv glv = Glv::kAuto;
};

// sum_i scalars[i] * bases[i]; bases.size() must equal scalars.size(). n = 0 gives the identity;
// identity bases and zero scalars are allowed anywhere.
G1 msm(std::span<const G1Affine> bases, std::span<const Fr> scalars, const MsmOptions& options = {});

// The same for small signed integers: any int64 value works (negative v multiplies -base by |v|);
// the cost grows with the largest |v|'s bit length (|v| < 2^16: one or two bucket passes).
G1 msm_small(std::span<const G1Affine> bases, std::span<const int64_t> scalars,
             const MsmOptions& options = {});

// Multiples 1..kWindowTable of each base, in affine: entry [kWindowTable i + k - 1] = k * bases[i]
// (identity bases give identity entries). For msm_tables: fixed bases (generators) reused by many
// MSMs.
inline constexpr size_t kWindowTable = 32;
std::vector<G1Affine> window_tables(std::span<const G1Affine> bases);
// sum_i scalars[i] * base_i with tables = window_tables(bases) (or its prefix for the first
// scalars.size() bases): Straus with signed 6-bit digits (in [-32, 32]) and no per-call table
// building, about 254 doublings + 43 mixed additions per point. The best choice for a few hundred
// points or less.
G1 msm_tables(std::span<const G1Affine> tables, std::span<const Fr> scalars);

// k P with the GLV endomorphism and width-5 NAFs (what G1::mul uses).
G1 mul_glv(const G1& p, const Fr& k);

// Reference: one scalar multiplication per term, summed. For tests.
G1 msm_naive(std::span<const G1Affine> bases, std::span<const Fr> scalars);

}  // namespace zkinfer::curve
