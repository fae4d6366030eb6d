// Explicit instantiations of the generic sumcheck prover and verifier for BN254's Fr.
#include "field/bn254.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::sumcheck {

using field::Fr;

template class Composition<Fr>;
template struct Proof<Fr>;
template ProverResult<Fr> prove<Fr>(const Composition<Fr>&, std::vector<std::vector<Fr>>, transcript::Transcript&);
template ProverResult<Fr> prove_with_eq<Fr>(const Composition<Fr>&, std::span<const Fr>,
                                             std::vector<std::vector<Fr>>, transcript::Transcript&);
template Verdict verify<Fr>(const Composition<Fr>&, size_t, const cp::Val&, const Proof<Fr>&, transcript::Transcript&,
                            Subclaim<Fr>*, const KnownFactors<Fr>&);

}  // namespace zkinfer::sumcheck
