// Explicit instantiations of the LogUp-GKR prover and verifier for BN254's Fr.
#include "field/bn254.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"

namespace zkinfer::lookup {

using field::Fr;

template class LookupTable<Fr>;
template Multiplicities<Fr> compute_multiplicities<Fr>(const LookupTable<Fr>&, const std::vector<std::vector<Fr>>&);
template LookupProverResult<Fr> prove<Fr>(const LookupTable<Fr>&, const std::vector<std::vector<Fr>>&,
                                          const std::vector<Fr>&, transcript::Transcript&);
template Verdict verify<Fr>(const LookupTable<Fr>&, size_t, const LogupProof<Fr>&, transcript::Transcript&,
                            LookupClaims<Fr>*);

}  // namespace zkinfer::lookup
