// Radix-2 number-theoretic transforms over BN254's Fr (the Groth16 prover's polynomial
// arithmetic, src/snark/groth16.h).
//
// Fr's multiplicative group has order r - 1 = 2^28 * t with t odd (2-adicity 28), so it has
// subgroups of every order 2^k, k <= 28. root_of_unity(k) is the primitive 2^k-th root
// w_k = g^(t * 2^(28-k)) for g the least quadratic non-residue of Fr (5): g^t then has order
// exactly 2^28 (its 2^27-th power is g^((r-1)/2) = -1). w_k^2 = w_(k-1).
//
// Transforms of a vector of n = 2^k entries, natural order in and out:
//   ntt:        coefficients c -> evaluations e_i = sum_j c_j w^(ij)         (w = w_k)
//   intt:       the inverse
//   coset_ntt:  evaluations on the coset shift * <w>: e_i = sum_j c_j (shift w^i)^j
//   coset_intt: its inverse
// Iterative Cooley-Tukey (decimation in time after a bit-reversal permutation) with per-stage
// twiddles from one table of powers; the butterflies of a stage run on OpenMP's threads for
// large n (poly/parallel.h).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "field/bn254.h"

namespace zkinfer::poly {

using field::Fr;

inline constexpr unsigned kFrTwoAdicity = 28;

// The multiplicative generator of the 2-Sylow part's root: the least non-residue of Fr (5).
Fr fr_nonresidue();
// A primitive 2^log_n-th root of unity (log_n <= 28; throws std::invalid_argument above).
Fr root_of_unity(unsigned log_n);

// a.size() must be a power of two (1 included) no larger than 2^28; std::invalid_argument if not.
void ntt(std::span<Fr> a);
void intt(std::span<Fr> a);
void coset_ntt(std::span<Fr> a, const Fr& shift);
void coset_intt(std::span<Fr> a, const Fr& shift);

// Reference O(n^2) evaluation at root^i, i < n (tests).
std::vector<Fr> naive_dft(std::span<const Fr> coeffs, const Fr& root);

}  // namespace zkinfer::poly
