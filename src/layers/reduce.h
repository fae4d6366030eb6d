// Non-linear layer protocols: reductions over a set of axes (ops/op_reduce_{sum,mean,max,min}.cc).
// x has shape dims; y has dims with the reduced axes set to 1 (keepdims or not: unit dimensions
// have no variables, so both layouts coincide). K = the number of entries reduced per output.
//
// Sum / Mean: s = sum over the reduced entries. A claim s~(z) = c is proved by one degree-2
// sumcheck of sum_w x(w) E(w) = c with E(w) = eq(z, w_kept) (x vanishes on the padding, so E's
// MLE at rho is eq(z, rho_kept)), ending in a claim on x at rho. Sum: y = rescale(s, shift)
// (rescale.h, shift > 0) or y = s. Mean: y = div_round(s, K): 2s + K = 2K y + r with r and
// r' = (2K - 1) I - r range-checked in [0, 2^m), 2^m >= 2K; per claim y~(z) = v,
// r~(z) + r'~(z) = (2K - 1) I~(z) and s~(z) = K v + (r~(z) - K I~(z)) / 2 (as GlobalAveragePool,
// pool.h; y is an integer only when bounded: the caller adds a bound check where no consumer
// bounds it).
// Max / Min (K <= 4096): D(j, p) = y(p) - x(p, j) (Max) or x(p, j) - y(p) (Min) for the valid
// reduced multi-indices j (0 elsewhere; p in the low variables), range-checked in
// [0, 2^(bits+1)), and a selector S(j, p) in {0, 1} (1-bit range check) with one 1 per row p, at
// a valid j where D is 0 (the extreme entry; on padding rows the first valid j). After the claims a
// challenge r on j: per claim y~(z) = v the prover sends D~(r, z) and the verifier outputs the one
// claim x~(z_kept, r) = v V(r) -+ D~(r, z), V(r) = sum_{valid j} eq(r, j). Then a zero-check
// sum_{j, p} eq(tau, (j, p)) S(j, p) D(j, p) = 0 (degree 3) with S's and D's values at its point
// from their digits, and at a row challenge tau' the values S~(j, tau') for every j of the padded
// range: those at valid j sum to 1, the others to 0. D >= 0 and S D = 0 with S one-hot per row make
// y the maximum (minimum), padding rows included (there y = x = 0).
// docs/protocol/nonlinear.md, section 11.
#pragma once

#include <memory>

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ReduceParams {
  enum class Op { kSum, kMean, kMax, kMin };
  Op op = Op::kSum;
  std::vector<size_t> dims;  // x's shape
  std::vector<bool> axes;    // reduced axes (size dims.size())
  size_t shift = 0;          // Sum: rescale by 2^shift (0: none)
  size_t out_bits = 0;       // Sum with shift > 0: also range-check |y| < 2^out_bits
  size_t bits = 0;           // Max / Min: |x| < 2^bits, in [1, 60]
  std::optional<std::string> invalid() const;
  std::vector<size_t> out_dims() const;  // dims with the reduced axes set to 1
  size_t count() const;                  // K
};

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables, the
// verifier run as a circuit, docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct ReduceProofT {
  NonlinearProofT<F> rescale;  // Sum with shift > 0
  NonlinearProofT<F> nl;       // Mean: remainder digits; Max/Min: differences, zero-check
  void serialize(ByteWriter& w) const;
  static ReduceProofT deserialize(ByteReader& r, const ReduceParams& p, size_t num_claims);
};
using ReduceProof = ReduceProofT<Fr>;
template <>
void ReduceProofT<Fr>::serialize(ByteWriter& w) const;

class ReduceProver {
 public:
  // x: flat row-major over dims. forced_y (tests, Max/Min and Mean): commit the advice for these
  // outputs instead of the true ones.
  ReduceProver(const ReduceParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_y = {});
  const std::vector<LayerAdvice>& advice() const;
  const std::vector<int64_t>& output() const { return y_; }
  // Claims on y -> claims on x (one per claim) and advice claims.
  ReduceProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                    std::vector<AdviceClaim>* advice_claims);

 private:
  ReduceParams params_;
  PaddedShape xs_, ys_;
  std::vector<int64_t> x_, s_, y_;
  std::vector<int64_t> diff_, sel_;  // Max / Min: D and S (padded, j in the high variables)
  std::unique_ptr<RescaleProver> rescale_;
  size_t r_a_ = 0, r_b_ = SIZE_MAX;
  detail::NlProver nl_;
};

std::vector<AdviceShape> reduce_advice_shapes(const ReduceParams& params);
Verdict verify_reduce(const ReduceParams& params, std::span<const Claim> out_claims, const ReduceProof& proof,
                      transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_reduce_as(const ReduceParams& params, std::span<const ClaimT<F>> out_claims, const ReduceProofT<F>& proof,
                         transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                         std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
