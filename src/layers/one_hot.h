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
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct OneHotParams {
  std::vector<size_t> idx_dims;  // the indices' shape
  size_t axis = 0;               // where the new dimension goes in y (0..rank)
  size_t depth = 0;              // D, in [1, 256]
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
  size_t r_h_ = 0, r_n_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> one_hot_advice_shapes(const OneHotParams& params);
ProofLayout one_hot_proof_layout(const OneHotParams& params, size_t num_claims);
Verdict verify_one_hot(const OneHotParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* idx_claims, std::vector<AdviceClaim>* advice_claims);

}  // namespace zkinfer::layers
