// The two fields of the BN254 (alt_bn128) curve: Fr, the scalar field (the field every proof
// works in), and Fq, the base field G1's coordinates live in. Moduli from EIP-196/197.
#pragma once

#include "field/concept.h"
#include "field/montgomery.h"

namespace zkinfer::field {

struct FrParams {
  static constexpr size_t kLimbs = 4;
  // r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
  static constexpr Limbs<4> kModulus = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL,
                                        0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr const char* kName = "bn254.Fr";
};

struct FqParams {
  static constexpr size_t kLimbs = 4;
  // q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
  static constexpr Limbs<4> kModulus = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL,
                                        0xb85045b68181585dULL, 0x30644e72e131a029ULL};
  static constexpr const char* kName = "bn254.Fq";
};

using Fr = MontField<FrParams>;
using Fq = MontField<FqParams>;

static_assert(PrimeField<Fr>);
static_assert(PrimeField<Fq>);

}  // namespace zkinfer::field
