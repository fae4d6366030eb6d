// The sparse mask of the masked-HyperKZG batch opening (pcs/kzg.h; the construction and the
// zero-knowledge argument are in docs/protocol/kzg.md section 4, "The sparse mask").
//
// The opening reveals, of the masked polynomial G = F + eta m of a group at point z (n
// coordinates), only G(z) and, for every fold level l < n, the values G_l(tau) (the fold
// commitments; l = 0 through C_m), G_l(r), G_l(-r) and G_l(r^2). A mask m drawn uniformly from a
// subspace V makes these values uniform (whatever F is) when V reaches every combination of them;
// V need not be the whole space. The sparse mask is
//
//   m = c u + sum_l lift_l(q_l),   q_l(Y) = s_l(Y^2) (z_l - (1 - z_l) Y),   deg s_l < min(3, 2^(n-l-1)),
//
// where q_l lies in the kernel of the fold by z_l (so it vanishes at every level after l),
// lift_l places a level-l vector at level-0 positions i 2^l + low_l (low_l: bits b_t with
// eq(z_t, b_t) != 0), scaled so that folding l times gives it back, and u is the lift of the
// constant 1 to level n (m(z) = c). 2 + 3 (n - 2) random coefficients for n >= 2 (4 for n = 2,
// 2 for n = 1, 1 for n = 0), at most 6 n + 1 nonzero entries: the mask's commitment is an MSM
// of that many points instead of 2^n, and the masked polynomial stays as sparse as F.
//
// It hides when (checked by the prover; otherwise it falls back to a uniformly random mask of 2^n
// coefficients): before the mask, tau != z_l / (1 - z_l) for every level (`sparse_mask_usable`);
// after r, for n >= 3, tau is none of r, -r, r^2, -r^2 and r^2 != z_l / (1 - z_l) for l <= n - 3
// (`sparse_mask_hides_at`; the prover then proves again from the transcript before the mask with
// uniformly random masks). The prover tests "tau == x" as x [1]_1 == [tau]_1.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "field/bn254.h"

namespace zkinfer::pcs {

using field::Fr;

// How many random coefficients the sparse mask of a group of n variables takes.
size_t sparse_mask_dim(size_t n);

// The mask's 2^n coefficients (zero but for at most 6 n + 1) from coeffs (sparse_mask_dim(n) field
// elements; the last is c = m(z)); linear in coeffs.
std::vector<Fr> sparse_mask(std::span<const Fr> z, std::span<const Fr> coeffs);

// is_tau(x): whether x equals the setup's tau (x [1]_1 == [tau]_1).
using IsTau = std::function<bool(const Fr&)>;
bool sparse_mask_usable(std::span<const Fr> z, const IsTau& is_tau);
bool sparse_mask_hides_at(std::span<const Fr> z, const Fr& r, const IsTau& is_tau);

}  // namespace zkinfer::pcs
