// Non-linear layer protocols, part 4: pooling. GlobalAveragePool as the executor computes it
// (ops/op_global_average_pool.cc): s[n, c] = sum of x[n, c, ...] over the S spatial positions,
// y = div_round(s, S): 2s + S = 2S y + r with 0 <= r < 2S (ops::div_round).
//
// A claim y~(z) = v (z over the (N, C) variables; the unit spatial dimensions of y have none)
// becomes, with the remainder's digits committed, s~(z) = S v + (r~(z) - S I~(z)) / 2; then one
// degree-1 sumcheck over the spatial variables of sum_w x~(w, z) = s~(z) gives a claim on x at
// (rho, z). r in [0, 2S) is shown by range checks of r and of r' = (2S - 1) I - r in [0, 2^m),
// 2^m >= 2S (r' is skipped when 2S is a power of two), tied by r~(z) + r'~(z) = (2S - 1) I~(z).
// MaxPool (2-D, dilation 1, ceil_mode 0, any kernel/stride/pads with every window meeting the
// input): for each window offset j, G_j(p) = x[clamp(window_j(p))] (an offset in the padding is
// replaced by the nearest input position of the same window, which does not change the maximum),
// d_j = y - G_j, all K difference vectors range-checked in [0, 2^(bits+1)) and
// prod_j d_j = 0 by a zero-check of degree K + 1; the claims on the G_j at z are batched with
// powers of gamma into one degree-2 sumcheck over x's variables whose selector MLE the verifier
// evaluates per dimension in O(K (N + C + OH + OW)).
// AveragePool (2-D; kernel, strides, dilations, pads, ceil_mode, count_include_pad as in
// ops/op_average_pool.cc): s = window sums (a depthwise convolution of x with an all-ones kernel,
// conv.h; the verifier checks the kernel claim against the all-ones MLE itself), then
// y = div_round(s, cnt) with per-position counts cnt(oy, ox) = ch(oy) cw(ox): 2s + cnt = 2 cnt y + r,
// 0 <= r < 2 cnt. Advice: the digits of y + 2^bits (y is committed and range-checked: the count
// varies with the position, so s~(z) needs sum_i eq(z, i) cnt(i) y(i), a degree-3 sumcheck that
// ends in a claim on y at a fresh point), of r and of r' = 2 cnt - 1 - r (both in [0, 2^m),
// 2^m >= 2 KH KW). Per claim y~(z) = v: y's digits at z equal v; r~(z) + r'~(z) = 2 cnt~(z) - I~(z);
// the prover sends T = sum eq(z, i) cnt(i) y(i), proved by the sumcheck; s~(z) = T + (r~(z) -
// cnt~(z)) / 2 goes to the convolution. All claims share one convolution proof (one claim on x).
// A 1-D pool on (N, C, W) is the 2-D pool on (N, C, 1, W) with kh = 1 (same padded layout).
#pragma once

#include "layers/conv.h"
#include "layers/rescale.h"

namespace zkinfer::layers {

struct GlobalAvgPoolParams {
  std::vector<size_t> dims;  // the input's shape (N, C, spatial...), rank >= 3
};

// The proofs are over any field type (F = Fr: the proof; snark::CFr: its messages as circuit
// variables, the verifier run as a circuit, docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct GlobalAvgPoolProofT {
  NonlinearProofT<F> nl;                 // remainder digits: evaluations and range checks
  std::vector<sumcheck::Proof<F>> sums;  // one degree-1 sumcheck per claim
  void serialize(ByteWriter& w) const;
  static GlobalAvgPoolProofT deserialize(ByteReader& r, const GlobalAvgPoolParams& p, size_t num_claims);
};
using GlobalAvgPoolProof = GlobalAvgPoolProofT<Fr>;
template <>
void GlobalAvgPoolProofT<Fr>::serialize(ByteWriter& w) const;

class GlobalAvgPoolProver {
 public:
  GlobalAvgPoolProver(const GlobalAvgPoolParams& params, std::span<const int64_t> x);
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }  // shape (N, C, 1, ...)
  GlobalAvgPoolProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                           std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);

 private:
  GlobalAvgPoolParams params_;
  PaddedShape xs_, ys_;
  std::vector<int64_t> x_, y_;
  size_t r_rem_ = 0, r_comp_ = SIZE_MAX;
  detail::NlProver nl_;
};

std::vector<size_t> global_avg_pool_out_dims(const std::vector<size_t>& in_dims);
std::vector<AdviceShape> global_avg_pool_advice_shapes(const GlobalAvgPoolParams& params);
Verdict verify_global_avg_pool(const GlobalAvgPoolParams& params, std::span<const Claim> out_claims,
                               const GlobalAvgPoolProof& proof, transcript::Transcript& tr,
                               std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_global_avg_pool_as(const GlobalAvgPoolParams& params, std::span<const ClaimT<F>> out_claims,
                                  const GlobalAvgPoolProofT<F>& proof, transcript::Transcript& tr,
                                  std::vector<ClaimT<F>>* in_claims, std::vector<AdviceClaimT<F>>* advice_claims);

struct MaxPoolParams {
  std::vector<size_t> dims;  // the input's shape (N, C, H, W)
  size_t kh = 1, kw = 1, sh = 1, sw = 1;
  size_t pt = 0, pl = 0, pb = 0, pr = 0;  // pads: top, left, bottom, right (each < the kernel size)
  size_t bits = 24;                       // |x| < 2^bits
  std::vector<size_t> out_dims() const;   // (N, C, OH, OW), floor mode
};

template <field::PrimeField F>
struct MaxPoolProofT {
  NonlinearProofT<F> nl;                   // difference digits, zero-check, range-check LogUps
  std::vector<sumcheck::Proof<F>> gather;  // one degree-2 sumcheck over x's variables per claim
  void serialize(ByteWriter& w) const;
  static MaxPoolProofT deserialize(ByteReader& r, const MaxPoolParams& p, size_t num_claims);
};
using MaxPoolProof = MaxPoolProofT<Fr>;
template <>
void MaxPoolProofT<Fr>::serialize(ByteWriter& w) const;

class MaxPoolProver {
 public:
  // forced_y (tests: a cheating prover): commit the differences to these outputs instead of the
  // window maxima.
  MaxPoolProver(const MaxPoolParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  MaxPoolProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                     std::vector<AdviceClaim>* advice_claims);

 private:
  MaxPoolParams params_;
  PaddedShape xs_, ys_;
  std::vector<int64_t> x_, y_;
  std::vector<std::vector<Fr>> d_;  // the K difference tables over y's padded layout
  size_t r_d_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> max_pool_advice_shapes(const MaxPoolParams& params);
Verdict verify_max_pool(const MaxPoolParams& params, std::span<const Claim> out_claims, const MaxPoolProof& proof,
                        transcript::Transcript& tr, std::vector<Claim>* in_claims,
                        std::vector<AdviceClaim>* advice_claims);
template <field::PrimeField F>
Verdict verify_max_pool_as(const MaxPoolParams& params, std::span<const ClaimT<F>> out_claims,
                           const MaxPoolProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                           std::vector<AdviceClaimT<F>>* advice_claims);

struct AvgPoolParams {
  std::vector<size_t> dims;  // the input's shape (N, C, H, W)
  size_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  size_t pt = 0, pl = 0, pb = 0, pr = 0;  // pads: top, left, bottom, right
  bool ceil_mode = false, count_include_pad = false;
  size_t bits = 24;                      // |y| < 2^bits, in [1, 60]
  std::optional<std::string> invalid() const;
  std::vector<size_t> out_dims() const;  // (N, C, OH, OW) as ops::make_window computes them
  std::vector<int64_t> row_counts() const, col_counts() const;  // ch(oy), cw(ox)
  ConvShape window_conv() const;         // the depthwise all-ones convolution giving the sums
};

template <field::PrimeField F>
struct AvgPoolProofT {
  NonlinearProofT<F> nl;                // digits of y, r, r' and their range-check LogUps
  std::vector<sumcheck::Msg<F>> sums;   // T per claim
  std::vector<sumcheck::Proof<F>> div;  // per claim: sum eq(z, i) cnt(i) y(i) = T (degree 3)
  ConvProofT<F> window;                 // the window sums, all claims at once
  void serialize(ByteWriter& w) const;
  static AvgPoolProofT deserialize(ByteReader& r, const AvgPoolParams& p, size_t num_claims);
};
using AvgPoolProof = AvgPoolProofT<Fr>;
template <>
void AvgPoolProofT<Fr>::serialize(ByteWriter& w) const;

class AvgPoolProver {
 public:
  // forced_y (tests: a cheating prover): commit these outputs, with the remainders that make
  // the linear relation hold (possibly out of range).
  AvgPoolProver(const AvgPoolParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  // Claims on y -> one claim on x (in_claims has one entry), plus advice claims.
  AvgPoolProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                     std::vector<AdviceClaim>* advice_claims);

 private:
  AvgPoolParams params_;
  PaddedShape xs_, ys_;
  std::vector<int64_t> x_, y_;
  std::vector<Fr> cnt_, yt_;  // padded tables over y's layout
  size_t r_y_ = 0, r_rem_ = 0, r_comp_ = 0;
  detail::NlProver nl_;
  friend struct AvgPoolTestPeer;  // tests: a prover with a forged count table
};

std::vector<AdviceShape> avg_pool_advice_shapes(const AvgPoolParams& params);
Verdict verify_avg_pool(const AvgPoolParams& params, std::span<const Claim> out_claims, const AvgPoolProof& proof,
                        transcript::Transcript& tr, std::vector<Claim>* in_claims,
                        std::vector<AdviceClaim>* advice_claims);
template <field::PrimeField F>
Verdict verify_avg_pool_as(const AvgPoolParams& params, std::span<const ClaimT<F>> out_claims,
                           const AvgPoolProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                           std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
