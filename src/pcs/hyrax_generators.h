// The first Hyrax generators as constants (pcs/hyrax.h): hash-to-curve of the generator domain
// costs a square root or two per point, about 3.5 ms of CPU for the 2^8 generators every kzg
// verifier needs (cp's pads, key version 8) and the first 2^8 of a Hyrax key's, once per process.
// The table is curve::hash_to_curve's output, recomputed and compared by pcs_test
// (Hyrax.GeneratorTableMatchesHashToCurve).
#pragma once

#include <cstddef>
#include <vector>

#include "curve/g1.h"

namespace zkinfer::pcs {

inline constexpr size_t kTabledGenerators = 256;
// The first min(n, kTabledGenerators) of derive_generators(kGeneratorDomain, .).
std::vector<curve::G1Affine> tabled_generators(size_t n);
// hash_to_curve(kBlindingDomain, {}) and hash_to_curve(kValueDomain, {}).
curve::G1Affine tabled_h();
curve::G1Affine tabled_u();

}  // namespace zkinfer::pcs
