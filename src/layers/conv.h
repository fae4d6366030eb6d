// 2-D convolution layer (any stride, padding, dilation, groups; NCHW): reduces claims on
// the output Y's MLE to one claim on the input X and one claim per output claim on the weights
// Wt (and the bias), by two sumchecks: one over X's variables against a kernel table K that the
// prover builds in time linear in |X| times the kernel height, then one over the kernel window
// (kh, kw) against Wt. No im2col tensor is built by anyone. The verifier's own work is
// O(Ho KH + Wo KW + H + W) field operations per claim. Idea of the window selector:
// zkCNN (Liu, Xie, Zhang, CCS 2021, section 4); the factoring through per-dimension selectors
// follows from the padded layout (layout.h). Protocol: docs/protocol/layers.md, section 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::layers {

// X: (n, c, h, w); Wt: (co, c / groups, kh, kw); bias: (co); Y: (n, co, out_h(), out_w()) with
//   Y[n, o, i, j] = sum_{c', a, b} Wt[o, c', a, b] X[n, g(o) c/groups + c', i sh + a dh - pt, j sw + b dw - pl]
//                   (+ bias[o]), g(o) = o / (co / groups), out-of-range input positions reading 0.
// groups = 1 is the ordinary convolution; groups = c = co is depthwise.
struct ConvShape {
  size_t n = 1, c = 1, h = 1, w = 1;
  size_t co = 1, kh = 1, kw = 1;
  size_t stride_h = 1, stride_w = 1;
  size_t dil_h = 1, dil_w = 1;
  size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool bias = false;
  size_t groups = 1;

  std::optional<std::string> invalid() const;  // why the shape is unusable, if it is
  size_t out_h() const;
  size_t out_w() const;
  PaddedShape x_shape() const;
  PaddedShape w_shape() const;
  PaddedShape y_shape() const;
  PaddedShape bias_shape() const;
};

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables).
template <field::PrimeField F>
struct ConvProofT {
  std::vector<sumcheck::Msg<F>> bias_values;  // bias~(r_co) per claim, when the shape has a bias
  sumcheck::Proof<F> input_sumcheck;          // over X's variables: X . G
  sumcheck::Proof<F> kernel_sumcheck;         // groups = 1: over (kw, kh), sum_t c_t Wt_t . Phi_t;
                                              // groups > 1: over Wt's variables, Wt . ME

  void serialize(ByteWriter& w) const;
  // Fixed layout for the shape and claim count (throws DecodeError on bad bytes); for snark::CFr
  // every message becomes a witness variable (sumcheck::read_msg).
  static ConvProofT deserialize(ByteReader& r, const ConvShape& shape, size_t num_claims);
};
using ConvProof = ConvProofT<Fr>;
template <>
void ConvProofT<Fr>::serialize(ByteWriter& w) const;

// Claim t on Y gives w[t] (and bias[t]); all claims together give the one claim x. With
// groups > 1 all claims together give the single claim w[0] on Wt.
template <field::PrimeField F>
struct ConvClaimsT {
  ClaimT<F> x;
  std::vector<ClaimT<F>> w, bias;
};
using ConvClaims = ConvClaimsT<Fr>;

// Proves the claims on Y (|y_claims| >= 1). x, wt, bias: padded tables (bias empty if none).
ConvProof prove_conv(const ConvShape& shape, std::span<const Fr> x, std::span<const Fr> wt, std::span<const Fr> bias,
                     std::span<const Claim> y_claims, transcript::Transcript& tr, ConvClaims* out = nullptr);

// The same proof (byte for byte) from X and Wt as unpadded row-major int64 tensors, as the integer
// executor produces them: Wt is contracted with small-integer arithmetic (no Fr table of Wt).
ConvProof prove_conv(const ConvShape& shape, std::span<const int64_t> x, std::span<const int64_t> wt,
                     std::span<const Fr> bias, std::span<const Claim> y_claims, transcript::Transcript& tr,
                     ConvClaims* out = nullptr);

// Verifies; on acceptance fills *out. Never throws.
Verdict verify_conv(const ConvShape& shape, std::span<const Claim> y_claims, const ConvProof& proof,
                    transcript::Transcript& tr, ConvClaims* out = nullptr);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit, with a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_conv_as(const ConvShape& shape, std::span<const ClaimT<F>> y_claims, const ConvProofT<F>& proof,
                       transcript::Transcript& tr, ConvClaimsT<F>* out = nullptr);

}  // namespace zkinfer::layers
