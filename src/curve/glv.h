// The GLV endomorphism of BN254 G1 (Gallant, Lambert, Vanstone, "Faster point multiplication on
// elliptic curves with efficient endomorphisms", CRYPTO 2001).
//
// With beta a primitive cube root of unity in Fq, phi(x, y) = (beta x, y) maps the curve to itself
// and acts on the prime-order group as multiplication by lambda, a primitive cube root of unity in
// Fr: phi(P) = lambda P (kGlvBeta and kGlvLambda below are a matching pair; a test checks it). A
// scalar k splits into k = k1 + k2 lambda (mod r) with |k1|, |k2| < 2^127 (`glv_split`), so
// k P = k1 P + k2 phi(P): two half-length scalars, one shared doubling chain of 127 steps.
//
// The split (GLV paper, section 4): with a reduced basis v1 = (a1, b1), v2 = (a2, b2) of the
// lattice {(x, y) : x + y lambda = 0 mod r} (a1 b2 - a2 b1 = r; found by the extended Euclidean
// algorithm on (r, lambda) and checked in glv_test.cc), write (k, 0) = beta1 v1 + beta2 v2 over the
// rationals, round beta_i to integers c_i, and take (k1, k2) = (k, 0) - c1 v1 - c2 v2. The rounding
// uses precomputed g_i = round(2^256 |b| / r), so c_i is within 5/8 of beta_i, which bounds
// |k1|, |k2| by 5/8 (|a1| + |a2|) < 2^127. Every split is checked (k1 + k2 lambda == k in Fr, one
// multiplication): a wrong split is an internal error, never a wrong result.
#pragma once

#include <array>
#include <cstdint>

#include "curve/g1.h"

namespace zkinfer::curve {

// beta: x -> beta x is the endomorphism phi (beta^3 = 1 in Fq, beta != 1).
inline constexpr Fq kGlvBeta = Fq::from_canonical(
    {0xe4bd44e5607cfd48ULL, 0xc28f069fbb966e3dULL, 0x5e6dd9e7e0acccb0ULL, 0x30644e72e131a029ULL});
// lambda: phi(P) = lambda P for every P in G1 (lambda^3 = 1 in Fr, lambda != 1).
inline constexpr Fr kGlvLambda = Fr::from_canonical(
    {0xb8ca0b2d36636f23ULL, 0xcc37a73fec2bc5e9ULL, 0x048b6e193fd84104ULL, 0x30644e72e131a029ULL});

// phi(P) = (beta x, y) = lambda P.
inline G1Affine endo(const G1Affine& p) { return p.infinity ? p : G1Affine{kGlvBeta * p.x, p.y, false}; }

// k = (neg1 ? -m1 : m1) + (neg2 ? -m2 : m2) lambda (mod r), m1, m2 < 2^127, as 128-bit magnitudes
// (two little-endian limbs each).
struct GlvSplit {
  std::array<uint64_t, 2> m1{}, m2{};
  bool neg1 = false, neg2 = false;
};
GlvSplit glv_split(const Fr& k);

}  // namespace zkinfer::curve
