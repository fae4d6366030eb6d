// GatherElements by computed indices (ops/op_gather_elements.cc): y = x[..., idx, ...] along one
// axis, y and idx of the same shape, equal to x's except along the axis (T entries there, D in
// x; off the axis idx may be smaller than x: the leading block, of a power-of-two size). X_j = x
// with the axis coordinate j (on idx's block), broadcast along y's axis.
//
// Committed: the one-hot H(j, p) of the index (p: y's entries, low variables; j < D high),
// range-checked into [0, 2). Per claim y~(z) = v (one: the driver combines claims), one degree-3
// sumcheck of sum_p eq(z, p) sum_j H_j(p) Xb_j(p) = v; at its point rho the prover sends H~(j, rho)
// (digits), checked against the final values, and the final values Xb_j~(rho) become D claims on
// x (divided by the broadcast factor; a zero factor is rejected); the verifier checks
// sum_j H~(j, rho) = I~(rho) (one 1 per entry) and outputs the claim idx~(rho) = sum_j j H~(j, rho)
// on the indices. So H is the one-hot of idx and y = x at the gathered entries.
// Negative indices (ONNX: -D..-1 count from the end): a second committed bit vector N (one bit
// per entry of y, range-checked into [0, 2)) marks them; the prover sends N~(rho) too and the
// claim on the indices is idx~(rho) = sum_j j H~(j, rho) - D N~(rho). Each entry's index is then
// j - D N with j its one-hot position: an index in [-D, D) has exactly one such (j, N), and
// either way y's entry is x's entry j (ONNX's semantics); an index outside [-D, D) has none.
// docs/protocol/compare.md, section 6.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct GatherElementsParams {
  std::vector<size_t> dims;  // x's shape
  size_t axis = 0;
  size_t count = 0;  // T: the indices' (and y's) size along the axis
  // The indices' sizes off the axis (empty: x's); each at most x's, and x's or a power of two (the
  // leading sub-block of x's padded dimension: a point on it extends by zero coordinates).
  std::vector<size_t> sub;
  std::vector<size_t> out_dims() const;  // sub with the axis set to count
  std::vector<size_t> row_dims() const;  // sub with the axis set to 1
};

template <field::PrimeField F>
struct GatherElementsClaimsT {
  std::vector<ClaimT<F>> x, idx;
  std::vector<AdviceClaimT<F>> advice;
};
using GatherElementsClaims = GatherElementsClaimsT<Fr>;

class GatherElementsProver {
 public:
  // forced (tests: a cheating prover): commit the one-hot of these indices instead of idx.
  GatherElementsProver(const GatherElementsParams& params, std::span<const int64_t> x, std::span<const int64_t> idx,
                       std::span<const int64_t> forced = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, GatherElementsClaims* out);

 private:
  GatherElementsParams params_;
  std::vector<int64_t> y_;
  std::vector<std::vector<Fr>> hj_, xj_;  // per j: padded over y's layout (x broadcast)
  size_t r_h_ = 0, r_n_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> gather_elements_advice_shapes(const GatherElementsParams& params);
ProofLayout gather_elements_proof_layout(const GatherElementsParams& params, size_t num_claims);
Verdict verify_gather_elements(const GatherElementsParams& params, std::span<const Claim> out_claims,
                               const NonlinearProof& proof, transcript::Transcript& tr, GatherElementsClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit, the
// proof read by deserialize_proof<CFr> with gather_elements_proof_layout).
template <field::PrimeField F>
Verdict verify_gather_elements_as(const GatherElementsParams& params, std::span<const ClaimT<F>> out_claims,
                                  const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                                  GatherElementsClaimsT<F>* out);

}  // namespace zkinfer::layers
