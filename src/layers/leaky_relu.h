// LeakyRelu as the integer executor computes it (ops/op_leaky_relu.cc): t = x 2^sa for x >= 0 and
// t = x alpha_q for x < 0, then y = rescale(t, shift) (shift = 0: y = t). A ReLU-style protocol:
// x = pos - neg with pos = max(x, 0), neg = max(-x, 0) committed as range-checked digits
// (both in [0, 2^bits)) and pos . neg = 0 by a zero-check, so (pos, neg) is the sign split of x;
// then t = 2^sa pos - alpha_q neg is linear. Advice: "lrelu.pos", "lrelu.neg" (digits, bits),
// "lrelu.rem" (the rescale remainder, shift bits, when shift > 0), "lrelu.out" (digits of
// y + 2^out_bits, out_bits + 1 bits, when out_bits > 0: binds y to an integer when its consumer
// does not). Per claim y~(z) = v: [y's digits at z equal v;] t~(z) = 2^k v + r~(z) - 2^(k-1) I~(z);
// the prover sends pos~(z), neg~(z) (digits); the verifier checks 2^sa pos - alpha_q neg = t~(z)
// and outputs the claim x~(z) = pos~(z) - neg~(z). Then one zero-check sum eq(tau, x) pos neg = 0
// and the LogUps. docs/protocol/nonlinear.md, section 9.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct LeakyReluParams {
  std::vector<size_t> dims;
  int64_t alpha_q = 0;    // ops "alpha_q"
  size_t alpha_scale = 0;  // ops "alpha_scale" (sa), <= 40
  size_t shift = 0;        // ops "shift" (k), <= 61
  size_t bits = 0;         // |x| < 2^bits, in [1, 60]
  size_t out_bits = 0;     // > 0: also range-check |y| < 2^out_bits
};

class LeakyReluProver {
 public:
  // forced_pos (tests: a cheating prover): commit these as pos, with neg = pos - x.
  LeakyReluProver(const LeakyReluParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_pos = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  LeakyReluParams params_;
  PaddedShape shape_;
  std::vector<int64_t> y_, posp_, negp_;
  size_t r_pos_ = 0, r_neg_ = 0, r_rem_ = 0, r_out_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> leaky_relu_advice_shapes(const LeakyReluParams& params);
ProofLayout leaky_relu_proof_layout(const LeakyReluParams& params, size_t num_claims);
Verdict verify_leaky_relu(const LeakyReluParams& params, std::span<const Claim> out_claims,
                          const NonlinearProof& proof, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                          std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_leaky_relu_as(const LeakyReluParams& params, std::span<const ClaimT<F>> out_claims,
                             const NonlinearProofT<F>& proof, transcript::Transcript& tr,
                             std::vector<ClaimT<F>>* in_claims, std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
