// Multi-scalar multiplication over BN254 G2 (the Groth16 prover's [B]_2, src/snark/groth16.h),
// and the G2 helpers it and the Groth16 setup need: a mixed Jacobian + affine addition and a
// batch conversion to affine with one field inversion.
//
// Pippenger's bucket method with unsigned c-bit windows (c chosen from n by the cost
// (ceil(254/c)) (n + 2^(c+1))), Jacobian buckets fed by mixed additions, the windows on OpenMP's
// threads. Simpler than curve/msm.h's G1 MSM (no signed digits, no batch-affine buckets): G2
// MSMs are one per Groth16 proof.
#pragma once

#include <span>
#include <vector>

#include "curve/g2.h"

namespace zkinfer::curve {

// p + q with q affine (madd-2007-bl over Fq2; falls back to doubling for p == q).
G2 g2_add_mixed(const G2& p, const G2Affine& q);

// All points to affine with one Fq2 inversion (Montgomery's trick); out.size() == in.size().
void g2_batch_to_affine(std::span<const G2> in, std::span<G2Affine> out);

// sum_i scalars[i] * bases[i]; sizes must match (std::invalid_argument otherwise). Identity bases
// and zero scalars are allowed anywhere. window_bits = 0 chooses c.
G2 msm_g2(std::span<const G2Affine> bases, std::span<const Fr> scalars, unsigned window_bits = 0);

// Reference: one scalar multiplication per term, summed (tests).
G2 msm_g2_naive(std::span<const G2Affine> bases, std::span<const Fr> scalars);

}  // namespace zkinfer::curve
