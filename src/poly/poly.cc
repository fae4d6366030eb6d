// Explicit instantiations of the generic polynomial code for BN254's Fr, the field every proof
// uses, so that each user of poly/ does not compile them again.
#include "poly/mle.h"
#include "poly/univariate.h"

namespace zkinfer::poly {

using field::Fr;

template class Mle<Fr>;
template Fr evaluate_mle<Fr>(std::span<const Fr>, std::span<const Fr>);
template std::vector<Fr> eq_table<Fr>(std::span<const Fr>, const Fr&);
template Fr eq_eval<Fr>(std::span<const Fr>, std::span<const Fr>);
template void fold_first_variable<Fr>(std::span<const Fr>, const Fr&, std::span<Fr>);
template class LagrangeBasis<Fr>;

}  // namespace zkinfer::poly
