// Bound check: -2^bits <= y < 2^bits for a tensor that nothing else bounds: the committed model input (no
// layer produces it) and outputs of layers whose relation alone does not make them small integers
// (an average pool's quotient feeding a linear layer: with an out-of-range-free but non-integer
// quotient (2s + S - r) / 2S the next product would be taken over field elements, not integers).
//
// Advice: the digits of v = y + 2^bits I (I~ the indicator MLE of the unpadded entries; padded
// entries of v are 0), range-checked in [0, 2^(bits+1)) (rescale.h's digit range checks). For each
// claim y~(r) = c the prover sends v~(r) through its digits and the verifier checks
// c = v~(r) - 2^bits I~(r). The claims stay valid claims on y: the caller passes them on to the
// layer that produces y (if any); y and v - 2^bits I then agree at random points chosen after v was
// committed, hence everywhere (Schwartz-Zippel).
// With zero_padding (the input, which no layer produces), a zero-check
// sum_x eq(tau, x) (1 - I(x)) v(x) = 0 shows that v, hence y, vanishes on the padding entries,
// which the layer protocols assume of every tensor. docs/protocol/nonlinear.md, section 9.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct BoundParams {
  std::vector<size_t> dims;
  size_t bits = 0;            // -2^bits <= y < 2^bits, in [1, 60]
  bool zero_padding = false;  // also prove y = 0 on the padding entries
  // The first dimension padded to at least 2^first_log (0: its next power of two), for a chunk of a
  // larger tensor (proof/weight_bounds.h); layers/layout.h PaddedShape(dims, first_log).
  size_t first_log = 0;
};

// The padded layout of the bounded tensor (params valid).
PaddedShape bound_shape(const BoundParams& params);

class BoundProver {
 public:
  // y: the tensor, flat row-major over dims (unpadded). forced (tests): commit these padded v
  // values instead of y + 2^bits I.
  BoundProver(const BoundParams& params, std::span<const int64_t> y, std::span<const int64_t> forced_v = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  // After prove: the advice vectors moved out (the caller opens their commitments later; the rest
  // of the prover's state can then be freed).
  std::vector<LayerAdvice> release_advice() { return std::move(nl_.advice); }
  // Phase 2: checks each claim on y against the digits; proves the padding zero-check.
  NonlinearProof prove(std::span<const Claim> claims, transcript::Transcript& tr, std::vector<AdviceClaim>* advice_claims);

 private:
  BoundParams params_;
  PaddedShape shape_;
  std::vector<int64_t> v_;
  size_t range_ = 0;
  detail::NlProver nl_;
};

std::optional<std::string> bound_invalid(const BoundParams& params);
std::vector<AdviceShape> bound_advice_shapes(const BoundParams& params);
ProofLayout bound_proof_layout(const BoundParams& params, size_t num_claims);
// Verifies the claims (values of y at points) against the committed digits. Never throws.
Verdict verify_bound(const BoundParams& params, std::span<const Claim> claims, const NonlinearProof& proof,
                     transcript::Transcript& tr, std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_bound_as(const BoundParams& params, std::span<const ClaimT<F>> claims, const NonlinearProofT<F>& proof,
                        transcript::Transcript& tr, std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
