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

#include <array>
#include <span>
#include <utility>
#include <vector>

#include "curve/g1.h"
#include "curve/g2.h"
#include "field/tower.h"

namespace zkinfer::curve {

using field::Fq12;
using PairingInput = std::pair<G1Affine, G2Affine>;

// The product of the Miller loops of all pairs (pairs with an identity contribute 1).
Fq12 miller_loop(std::span<const PairingInput> pairs);
// The hard part by the vectorial addition chain of Scott et al. ("On the final exponentiation
// for calculating pairings on ordinary elliptic curves", 2009: three powers by x, 13
// multiplications, 4 squarings) with cyclotomic squarings (Granger and Scott, PKC 2010): the same
// exponent as final_exponentiation_reference.
Fq12 final_exponentiation(const Fq12& f);
Fq12 pairing(const G1Affine& p, const G2Affine& q);
// prod_i e(P_i, Q_i) == 1, with one final exponentiation; false when a point is off its curve.
// (The empty product is 1: true, as the precompile returns for empty input.)
bool pairing_check(std::span<const PairingInput> pairs);

// The Miller loop's lines of one G2 point, computed once (its doubling and addition steps do not
// depend on the G1 point): pairings with a fixed Q (a verifying key's [1]_2, [tau]_2, ...) then
// cost the line evaluations and sparse multiplications only. Q must be a valid G2 element.
class G2Prepared {
 public:
  G2Prepared() = default;  // the identity: contributes 1
  explicit G2Prepared(const G2Affine& q);
  bool is_identity() const { return lines_.empty(); }
  // Per step, the line's coefficients before the G1 point enters: (c0, c1, c3) of
  // c0 yp + c1 xp w + c3 w^3.
  std::span<const std::array<Fq2, 3>> lines() const { return lines_; }

 private:
  std::vector<std::array<Fq2, 3>> lines_;
};
using PreparedInput = std::pair<G1Affine, const G2Prepared*>;
// miller_loop and pairing_check over prepared G2 points (equal results).
Fq12 miller_loop_prepared(std::span<const PreparedInput> pairs);
bool pairing_check_prepared(std::span<const PreparedInput> pairs);

// The straightforward forms (full Fq12 multiplications by each line, G2 steps inside the loop, the
// hard part by generic powers): the differential tests' reference.
Fq12 miller_loop_reference(std::span<const PairingInput> pairs);
Fq12 final_exponentiation_reference(const Fq12& f);
// f^2 for f in the cyclotomic subgroup (as final_exponentiation's easy part leaves it); exposed for
// its differential test against Fq12::square.
Fq12 cyclotomic_square(const Fq12& f);

}  // namespace zkinfer::curve
