// The optimal ate pairing on BN254, e: G1 x G2 -> GT (the order-r subgroup of Fq12*), as the
// EIP-197 precompile 0x08 computes it: a Miller loop over 6x + 2 with the BN parameter
// x = 4965661367192848881, two Frobenius-twisted line steps, then the final exponentiation
// f^((q^12 - 1) / r): the easy part (q^6 - 1)(q^2 + 1) and the hard part (q^4 - q^2 + 1) / r by
// its base-q digits in x (Devegili, Scott, Dahab, "Implementing cryptographic pairings over
// Barreto-Naehrig curves", 2007): lambda3 = 1, lambda2 = 6x^2 + 1,
// lambda1 = -36x^3 - 18x^2 - 12x + 1, lambda0 = -36x^3 - 30x^2 - 18x - 2.
// G2 points are affine on the twist and are untwisted by (x, y) -> (x w^2, y w^3).
// T runs in Jacobian coordinates; each line is scaled by an Fq2 factor (no inversions), which
// the final exponentiation removes.
//
// Inputs must be valid group elements: callers decode untrusted points with the checking
// decoders (G1Affine::from_bytes, G2Affine::from_bytes / from_evm_bytes, which check the
// subgroup). The functions here only refuse points off the curve (pairing_check returns false).
#pragma once

#include <span>
#include <utility>

#include "curve/g1.h"
#include "curve/g2.h"
#include "field/tower.h"

namespace zkinfer::curve {

using field::Fq12;
using PairingInput = std::pair<G1Affine, G2Affine>;

// The product of the Miller loops of all pairs (pairs with an identity contribute 1).
Fq12 miller_loop(std::span<const PairingInput> pairs);
Fq12 final_exponentiation(const Fq12& f);
Fq12 pairing(const G1Affine& p, const G2Affine& q);
// prod_i e(P_i, Q_i) == 1, with one final exponentiation; false when a point is off its curve.
// (The empty product is 1: true, as the precompile returns for empty input.)
bool pairing_check(std::span<const PairingInput> pairs);

}  // namespace zkinfer::curve
