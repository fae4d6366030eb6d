// PRelu as the integer executor computes it (ops/op_prelu.cc): t = x 2^ss for x >= 0 and t = x s
// for x < 0, s the quantized slope tensor (a weight, at scale ss) broadcast to x's shape, then
// y = rescale(t, shift) (shift = 0: y = t). LeakyRelu's sign split (leaky_relu.h) with a slope
// per entry: x = pos - neg, pos, neg committed as range-checked digits (in [0, 2^bits)),
// pos . neg = 0 by a zero-check, and t = 2^ss pos - S neg (S: s broadcast). Advice: "prelu.pos",
// "prelu.neg" (digits, bits), "prelu.rem" (the rescale remainder, shift bits, when shift > 0),
// "prelu.out" (digits of y + 2^out_bits, out_bits + 1 bits, when out_bits > 0).
// Per claim y~(z) = v: [y's digits at z equal v;] t~(z) = 2^k v + r~(z) - 2^(k-1) I~(z); the
// prover sends pos~(z), neg~(z) (digits); a sumcheck proves sum_x eq(z, x) S(x) neg(x) =
// 2^ss pos~(z) - t~(z), ending at rho with S(rho), neg(rho); the prover sends neg~(rho) (digits),
// which must equal the sumcheck's final neg value, and the slope's claim is s~(rho_s) =
// S(rho) / K(rho) (broadcast_point / broadcast_factor, layout.h; K = 0 is rejected). The input
// claim is x~(z) = pos~(z) - neg~(z). Then the zero-check sum eq(tau, .) pos neg = 0 and the
// LogUps. docs/protocol/nonlinear.md, section 16.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct PReluParams {
  std::vector<size_t> dims;     // x's (and y's) shape
  std::vector<size_t> s_dims;   // the slope's shape left-padded to x's rank (each dim x's or 1)
  size_t slope_scale = 0;       // ss, <= 40
  size_t shift = 0;             // k, <= 61
  size_t bits = 0;              // |x| < 2^bits, in [1, 60]
  size_t out_bits = 0;          // > 0: also range-check |y| < 2^out_bits
  std::optional<std::string> invalid() const;
};

template <field::PrimeField F>
struct PReluClaimsT {
  std::vector<ClaimT<F>> x;              // one per output claim
  std::vector<ClaimT<F>> slope;          // one per output claim, on the slope's own padded layout
  std::vector<AdviceClaimT<F>> advice;
};
using PReluClaims = PReluClaimsT<Fr>;

class PReluProver {
 public:
  // slope: flat row-major over s_dims. forced_pos (tests: a cheating prover): commit these as pos,
  // with neg = pos - x. Throws Error when |t| could reach 2^62 (the slope's values are the
  // committed model's: like any weight they are not range-checked).
  PReluProver(const PReluParams& params, std::span<const int64_t> x, std::span<const int64_t> slope,
              std::span<const int64_t> forced_pos = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, PReluClaims* out);

 private:
  PReluParams params_;
  PaddedShape shape_;
  std::vector<int64_t> y_, posp_, negp_, sb_;  // sb_: the slope broadcast to x's shape
  size_t r_pos_ = 0, r_neg_ = 0, r_rem_ = 0, r_out_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> prelu_advice_shapes(const PReluParams& params);
ProofLayout prelu_proof_layout(const PReluParams& params, size_t num_claims);
Verdict verify_prelu(const PReluParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                     transcript::Transcript& tr, PReluClaims* out);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_prelu_as(const PReluParams& params, std::span<const ClaimT<F>> out_claims,
                        const NonlinearProofT<F>& proof, transcript::Transcript& tr, PReluClaimsT<F>* out);

}  // namespace zkinfer::layers
