// Clip (and ReLU6 = Clip(0, 6)) as the integer executor computes it (ops/op_clip.cc): y = min(max(x,
// lo), hi) with integer bounds lo <= hi at x's scale. Two ReLU-style sign splits:
// a = x - lo = pa - na and b = x - hi = pb - nb, with pa, na, pb, nb committed as range-checked
// digits (each in [0, 2^bits)) and pa . na = 0, pb . nb = 0 by two zero-checks, so pa = max(x - lo,
// 0) and pb = max(x - hi, 0); then y = lo + pa - pb (lo + 0 - 0 below lo, x between the bounds,
// lo + (x - lo) - (x - hi) = hi above hi). On the padded layout the constants are lo I and hi I,
// I the indicator of the unpadded entries (padding: x = y = 0 and all four vectors 0).
// Advice: "clip.pa", "clip.na", "clip.pb", "clip.nb" (digits, bits). Per claim y~(z) = v the prover
// sends pa~, na~, pb~, nb~ at z (digits); the verifier checks pa - na + lo I~ = pb - nb + hi I~
// (both are x~(z)) and lo I~ + pa - pb = v, and outputs the claim x~(z) = pa - na + lo I~(z).
// Then the zero-checks sum eq(tau, .) pa na = 0 and sum eq(tau', .) pb nb = 0 and the LogUps.
// bits must bound |x - lo| and |x - hi|: clip_bits(x_bits, lo, hi). docs/protocol/nonlinear.md,
// section 15.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ClipParams {
  std::vector<size_t> dims;
  int64_t lo = 0, hi = 0;  // ops "min", "max"; lo <= hi, |lo|, |hi| < 2^59
  size_t bits = 0;         // |x - lo|, |x - hi| < 2^bits, in [1, 60]
};

// The range of the splits for |x| < 2^x_bits: |x - c| < 2^x_bits + |c| <= 2^(max(x_bits, bitlen|c|) + 1).
size_t clip_bits(size_t x_bits, int64_t lo, int64_t hi);

class ClipProver {
 public:
  // forced_pa (tests: a cheating prover): commit these as pa, with na = pa - (x - lo).
  ClipProver(const ClipParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_pa = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  ClipParams params_;
  PaddedShape shape_;
  std::vector<int64_t> y_, pa_, na_, pb_, nb_;
  size_t r_pa_ = 0, r_na_ = 0, r_pb_ = 0, r_nb_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> clip_advice_shapes(const ClipParams& params);
ProofLayout clip_proof_layout(const ClipParams& params, size_t num_claims);
Verdict verify_clip(const ClipParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                    transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_clip_as(const ClipParams& params, std::span<const ClaimT<F>> out_claims, const NonlinearProofT<F>& proof,
                       transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                       std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
