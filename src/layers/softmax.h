// Softmax as the integer executor computes it (ops/op_softmax.cc), per row over `axes`:
// m = max(x) (reduce.h Max), d = x - m (elementwise.h Sub, m broadcast), e = T[clamp(rescale(d,
// shift))] (activation.h TableActProver with the exp table), S = sum e (reduce.h Sum),
// y = div_round(e 2^so, S) (divide.h, S >= 1). A composition of the five protocols on the
// intermediate tensors m, d, e, S, none of which is committed: claims flow y -> (e, S) -> e (S's
// sum) -> one combined claim on e -> d -> (x, m) -> x (m's one claim per claim). Advice: the max's
// difference table and selector, the table activation's advice, the division's advice, in that order.
// docs/protocol/nonlinear.md, section 12.
#pragma once

#include <memory>

#include "layers/activation.h"
#include "layers/combine.h"
#include "layers/divide.h"
#include "layers/elementwise.h"
#include "layers/reduce.h"

namespace zkinfer::layers {

struct SoftmaxParams {
  std::vector<size_t> dims;  // x's and y's shape
  std::vector<bool> axes;    // the axes of a row
  size_t bits = 0;           // |x| < 2^bits, in [1, 58]
  size_t shift = 0;          // rescale of x - max before the table
  int64_t lo = 0;            // the exp table's domain [lo, lo + values.size())
  std::vector<int64_t> values;
  size_t out_scale = 0;      // so
  size_t q_bits = 0;         // |y| < 2^q_bits
  std::optional<std::string> invalid() const;
  ReduceParams max_params() const;
  ElementwiseParams sub_params() const;
  TableActParams act_params() const;
  ReduceParams sum_params() const;
  DivParams div_params() const;
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct SoftmaxProofT {
  DivProofT<F> div;
  ReduceProofT<F> sum;
  CombineProofT<F> combine;
  NonlinearProofT<F> act;
  ElementwiseProofT<F> sub;
  ReduceProofT<F> max;
  void serialize(ByteWriter& w) const;
  static SoftmaxProofT deserialize(ByteReader& r, const SoftmaxParams& p, size_t num_claims);
};
using SoftmaxProof = SoftmaxProofT<Fr>;
template <>
void SoftmaxProofT<Fr>::serialize(ByteWriter& w) const;

class SoftmaxProver {
 public:
  SoftmaxProver(const SoftmaxParams& params, std::span<const int64_t> x);
  const std::vector<LayerAdvice>& advice() const { return advice_; }
  const std::vector<int64_t>& output() const { return div_->output(); }
  SoftmaxProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                     std::vector<AdviceClaim>* advice_claims);

 private:
  SoftmaxParams params_;
  std::unique_ptr<ReduceProver> max_, sum_;
  std::unique_ptr<ElementwiseProver> sub_;
  std::unique_ptr<TableActProver> act_;
  std::unique_ptr<DivProver> div_;
  std::vector<int64_t> e_;
  std::vector<LayerAdvice> advice_;
};

std::vector<AdviceShape> softmax_advice_shapes(const SoftmaxParams& params);
Verdict verify_softmax(const SoftmaxParams& params, std::span<const Claim> out_claims, const SoftmaxProof& proof,
                       transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_softmax_as(const SoftmaxParams& params, std::span<const ClaimT<F>> out_claims, const SoftmaxProofT<F>& proof,
                          transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                          std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
