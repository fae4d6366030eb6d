// OneHot by computed indices (ops/op_one_hot.cc): y = off + (on - off) H with H the one-hot of the
// indices along a new axis of D entries (y: the indices' shape with D inserted at `axis`).
// Committed: H in y's padded layout, range-checked into [0, 2). Per claim y~(z) = v the prover
// sends H~(z) (digits) and the verifier checks v = off I~(z) + (on - off) H~(z). Then a challenge
// tau on the rows (y with the axis set to 1: the indices' layout); the prover sends H~(tau, j) for
// every j < 2^l (the padded axis); the verifier checks sum_{j < D} H~(tau, j) = I~(tau) (one 1 per
// row) and sum_{j >= D} H~(tau, j) = 0 (none on the padding), and outputs the claim
// idx~(tau) = sum_j j H~(tau, j) - D N~(tau) on the indices, N (committed, range-checked into
// [0, 2), one bit per index, sent at tau) marking the negative ones: an index in [-D, D) is j - D N
// for exactly one (j, N), and j is the entry ONNX sets (a negative index counts from D). An index
// outside [-D, D) (ONNX: a row of `off`) is refused by the prover. docs/protocol/compare.md,
// section 7.
// Above depth 256 the 2^l values at tau are replaced by one sumcheck over the axis (so the proof
// grows with log D, not D): the prover sends J~(tau), J (committed advice) the rows' non-negative
// indices, then a challenge gamma, then the sumcheck of sum_j H~(tau, j) W(j) = I~(tau) +
// gamma^2 J~(tau) with W(j) = [j < D] + gamma [j >= D] + gamma^2 j (the verifier's own factor),
// which ends in one claim on H at (tau, rho); the indices' claim is J~(tau) - D N~(tau).
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

// The largest depth: 2^16 (GPT-2's vocabulary, 50,257, gathered by steps/gather_committed.cc).
// The committed one-hot has (indices x 2^ceil(log2 D)) entries.
inline constexpr size_t kMaxOneHotDepth = size_t{1} << 16;

struct OneHotParams {
  std::vector<size_t> idx_dims;  // the indices' shape
  size_t axis = 0;               // where the new dimension goes in y (0..rank)
  size_t depth = 0;              // D, in [1, kMaxOneHotDepth]
  int64_t off = 0, on = 1;       // the quantized values (on != off)
  std::vector<size_t> out_dims() const;
  std::vector<size_t> row_dims() const;  // out_dims with the axis set to 1
};

class OneHotProver {
 public:
  OneHotProver(const OneHotParams& params, std::span<const int64_t> idx, std::span<const int64_t> forced = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* idx_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  OneHotParams params_;
  std::vector<int64_t> y_;
  size_t r_h_ = 0, r_n_ = 0, a_j_ = 0;
  std::vector<int64_t> j_;        // the rows' non-negative indices (depth above 256)
  std::vector<size_t> row_pos_;   // each index's position in the rows' padded layout
  detail::NlProver nl_;
};

std::vector<AdviceShape> one_hot_advice_shapes(const OneHotParams& params);
ProofLayout one_hot_proof_layout(const OneHotParams& params, size_t num_claims);
Verdict verify_one_hot(const OneHotParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* idx_claims, std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_one_hot_as(const OneHotParams& params, std::span<const ClaimT<F>> out_claims,
                          const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                          std::vector<ClaimT<F>>* idx_claims, std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
