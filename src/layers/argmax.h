// ArgMax / ArgMin along one axis as the integer executor computes them (ops/helpers.h
// add_arg_op): y = the index of the first (select_last_index: last) maximum (ArgMin: of -x).
// x has shape dims; the rows are x with the axis set to 1 (y's layout, keepdims or not: unit
// dimensions have no variables); L = dims[axis] <= 256 entries per row, X_k = the row vector of
// entry k (X_k~(p) = x~(p with the axis coordinate k)), s = +1 (Max) or -1 (Min).
//
// Committed (tables with the row p in the low variables and the entry k in the high ones): the
// one-hot H(k, p) (range-checked into [0, 2)) and the gaps G(k, p) = m(p) - s X_k(p) - t_k(p)
// (range-checked into [0, 2^(bits+1))), m = sum_k H_k s X_k the selected value, t_k = the number
// of selected entries before k (last: after k), i.e. 1 where k precedes (follows) the selected one.
// Checks: per claim y~(z) = v the prover sends H~(k, z) for k < L (digits) and the verifier checks
// v = sum_k k H_k~(z); one zero-check over the rows sum_p eq(tau, p) sum_k beta^k (G_k - m + s X_k
// + t_k) = 0 (degree 3, factors eq, H_k, X_k, G_k), whose final values H_k, G_k are checked against
// the digits and X_k~(rho) become L claims on x; and sum_k H_k~(rho) = I~(rho) (one 1 per row).
// Soundness: H is 0/1 with one 1 per row, so m is the selected entry; G >= 0 gives m >= s x_k for
// every k and m > s x_k for k before (after) it: the selected index is the first (last) maximum.
// docs/protocol/compare.md, section 5.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ArgmaxParams {
  std::vector<size_t> dims;  // x's shape
  size_t axis = 0;
  bool min = false;          // ArgMin
  bool last = false;         // select_last_index
  size_t bits = 0;           // |x| < 2^bits, in [1, 59]
  std::vector<size_t> out_dims() const;  // dims with the axis set to 1
};

class ArgmaxProver {
 public:
  // forced_idx (tests: a cheating prover): commit the one-hot of these indices instead.
  ArgmaxProver(const ArgmaxParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_idx = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  ArgmaxParams params_;
  std::vector<int64_t> y_;
  std::vector<std::vector<Fr>> hk_, xk_, gk_;  // per entry k: the row vectors (padded rows)
  size_t r_h_ = 0, r_g_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> argmax_advice_shapes(const ArgmaxParams& params);
ProofLayout argmax_proof_layout(const ArgmaxParams& params, size_t num_claims);
Verdict verify_argmax(const ArgmaxParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                      transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_argmax_as(const ArgmaxParams& params, std::span<const ClaimT<F>> out_claims,
                         const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                         std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
