// LayerNormalization as the integer executor computes it (ops/op_layer_normalization.cc), per row
// (the axes from `axis` on), by composition of existing protocols on uncommitted intermediates:
//   mu = div_round(sum x, N)               reduce.h Mean, plus a bound check of mu (bound.h)
//   d = x - mu                              elementwise.h Sub (mu broadcast)
//   q = d d                                 elementwise.h Mul
//   v = div_round(sum q, N)                 reduce.h Mean
//   rs = T[clamp(rescale(v, v_shift))]      activation.h table (rsqrt)
//   n = rescale(d rs, n_shift)              elementwise.h Mul (rs broadcast; n range-checked)
//   y = rescale(n g + beta 2^beta_exp, shift)  elementwise.h Affine (Mul without a bias)
// Claims flow backwards y -> (n, g, beta) -> (d, rs) -> v -> q -> (d, d) -> combined d -> (x, mu)
// -> x. docs/protocol/nonlinear.md, section 13.
#pragma once

#include <memory>

#include "layers/activation.h"
#include "layers/bound.h"
#include "layers/combine.h"
#include "layers/elementwise.h"
#include "layers/reduce.h"

namespace zkinfer::layers {

struct LayerNormParams {
  std::vector<size_t> dims;    // x's and y's shape
  std::vector<bool> axes;      // the row axes
  std::vector<size_t> g_dims;  // gamma's shape lifted to x's rank (each dim x's or 1)
  std::vector<size_t> b_dims;  // beta's (empty: no bias)
  size_t bits = 0;             // |x| < 2^bits, in [1, 28]
  size_t v_shift = 0;          // rescale of the variance before the table
  int64_t lo = 0;              // the rsqrt table's domain [lo, lo + values.size())
  std::vector<int64_t> values;
  std::shared_ptr<const std::vector<int64_t>> wider;  // a longer rsqrt table to look up in (TableActParams::wider)
  size_t n_shift = 0;          // rescale of d rs
  size_t beta_exp = 0;         // beta is multiplied by 2^beta_exp
  size_t shift = 0;            // the output rescale
  size_t out_bits = 0;         // > 0: range-check |y| < 2^out_bits
  std::optional<std::string> invalid() const;
  std::vector<size_t> row_dims() const;
  ReduceParams mean_params() const;
  BoundParams mu_bound() const;
  ElementwiseParams sub_params() const, sq_params() const, norm_params() const, out_params() const;
  TableActParams act_params() const;
  size_t norm_bits() const;  // |n| < 2^norm_bits
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct LayerNormProofT {
  ElementwiseProofT<F> out, norm, sq, sub;
  NonlinearProofT<F> act, mu_bound;
  ReduceProofT<F> var, mean;
  CombineProofT<F> combine;
  void serialize(ByteWriter& w) const;
  static LayerNormProofT deserialize(ByteReader& r, const LayerNormParams& p, size_t num_claims);
};
using LayerNormProof = LayerNormProofT<Fr>;
template <>
void LayerNormProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct LayerNormClaimsT {
  std::vector<ClaimT<F>> x, gamma, beta;
  std::vector<AdviceClaimT<F>> advice;
};
using LayerNormClaims = LayerNormClaimsT<Fr>;

class LayerNormProver {
 public:
  // x flat row-major over dims; gamma, beta over g_dims, b_dims.
  LayerNormProver(const LayerNormParams& params, std::span<const int64_t> x, std::span<const int64_t> gamma,
                  std::span<const int64_t> beta);
  const std::vector<LayerAdvice>& advice() const { return advice_; }
  const std::vector<int64_t>& output() const { return out_->output(); }
  LayerNormProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, LayerNormClaims* out);

 private:
  LayerNormParams params_;
  std::unique_ptr<ReduceProver> mean_, var_;
  std::unique_ptr<BoundProver> mu_bound_;
  std::unique_ptr<ElementwiseProver> sub_, sq_, norm_, out_;
  std::unique_ptr<TableActProver> act_;
  std::vector<int64_t> d_;
  std::vector<LayerAdvice> advice_;
  std::vector<size_t> offsets_;
};

std::vector<AdviceShape> layer_norm_advice_shapes(const LayerNormParams& params);
Verdict verify_layer_norm(const LayerNormParams& params, std::span<const Claim> out_claims, const LayerNormProof& proof,
                          transcript::Transcript& tr, LayerNormClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_layer_norm_as(const LayerNormParams& params, std::span<const ClaimT<F>> out_claims,
                             const LayerNormProofT<F>& proof, transcript::Transcript& tr, LayerNormClaimsT<F>* out);

}  // namespace zkinfer::layers
