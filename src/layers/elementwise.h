// Non-linear layer protocols, part 3: elementwise binary ops of equal shapes (residual Add, Sub,
// Mul) with the executor's scale alignment and output rescale (ops/op_add.cc, op_sub.cc,
// op_mul.cc): s = a 2^ea +- b 2^eb (Add/Sub) or s = a b (Mul), then y = rescale(s, shift)
// (shift > 0, rescale.h) or y = s 2^-shift (shift <= 0).
//
// Add/Sub: a claim y~(z) = v becomes a claim on s at z (through the rescale), then the prover
// sends a~(z) and the verifier sets b~(z) = +-(s~(z) - 2^ea a~(z)) / 2^eb: claims on both inputs
// at the same point (Thaler, section 4.6: a wiring predicate that is the identity). Mul: the
// claim on s at z is reduced by the sumcheck of sum_x eq(z, x) a(x) b(x) to claims on a and b at
// one random point.
//
// Broadcasting (docs/protocol/nonlinear.md, section 6): each operand has its own shape of y's rank
// (a_dims, b_dims, c_dims; empty: y's shape) whose dimensions equal y's or are 1 (broadcast). The
// broadcast tensor A of a operand a has the MLE A~(z) = a~(z_a) K_a(z), z_a: z without the
// broadcast axes' sub-points (which a does not have: a unit dimension has no variables), K_a(z) =
// prod over a's broadcast axes d of eq_prefix_sum(z_d, dims[d]). So Add/Sub stay sumcheck-free
// (b's claim is (s~(z) -+ 2^ea K_a a~(z_a)) / (2^eb K_b)), Mul's sumcheck runs over the broadcast
// tables and its final values are divided by K_a(rho), K_b(rho). Numpy-style right-aligned
// broadcasting: pass the operand's shape left-padded with 1s (same padded layout). A point where
// a K is 0 (probability <= (#vars)/|F|) is rejected.
// kAffine: s = a b + c with three operands (BatchNormalization as the executor runs it:
// y = rescale(x qa[ch] + qb[ch]); pass a = x, b = qa and c = qb with dims (1, C, 1, ...)): the
// prover sends c~(z_c), the sumcheck proves sum eq(z, x) A B = s~(z) - K_c c~(z_c).
#pragma once

#include <memory>

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ElementwiseParams {
  enum class Op { kAdd, kSub, kMul, kAffine };
  Op op = Op::kAdd;
  std::vector<size_t> dims;  // y's shape
  // The operands' shapes (rank == dims.size(), each dim == dims[d] or 1); empty: y's shape.
  std::vector<size_t> a_dims, b_dims, c_dims;
  size_t ea = 0, eb = 0;     // Add/Sub: the operands are multiplied by 2^ea, 2^eb (scale alignment)
  int shift = 0;             // > 0: rescale down by 2^shift; <= 0: multiply by 2^-shift
  size_t out_bits = 0;       // > 0: also range-check |y| < 2^out_bits (rescale.h)
};

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables, the
// verifier run as a circuit, docs/protocol/wrap.md section 3).
template <field::PrimeField F>
struct ElementwiseProofT {
  NonlinearProofT<F> rescale;                  // empty when shift <= 0
  std::vector<sumcheck::Msg<F>> a_evals;       // Add/Sub: a~(z_a) per claim; Affine: c~(z_c) per claim
  std::vector<sumcheck::Proof<F>> mul;         // Mul/Affine: one sumcheck per claim
  void serialize(ByteWriter& w) const;
  // F = snark::CFr: every message a new witness (sumcheck::read_msg).
  static ElementwiseProofT deserialize(ByteReader& r, const ElementwiseParams& p, size_t num_claims);
};
using ElementwiseProof = ElementwiseProofT<Fr>;
template <>
void ElementwiseProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct ElementwiseClaimsT {
  std::vector<ClaimT<F>> a, b;         // one each per output claim (points on the operands' own shapes)
  std::vector<ClaimT<F>> c;            // Affine: one per output claim
  std::vector<AdviceClaimT<F>> advice;  // on the rescale's advice
};
using ElementwiseClaims = ElementwiseClaimsT<Fr>;

class ElementwiseProver {
 public:
  // a, b (and c for kAffine): flat row-major over their own shapes.
  ElementwiseProver(const ElementwiseParams& params, std::span<const int64_t> a, std::span<const int64_t> b,
                    std::span<const int64_t> c = {});
  const std::vector<LayerAdvice>& advice() const;
  const std::vector<int64_t>& output() const { return y_; }
  ElementwiseProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, ElementwiseClaims* out);

 private:
  ElementwiseParams params_;
  PaddedShape shape_;
  PaddedShape as_, bs_, cs_;
  std::vector<int64_t> a_, b_, c_, s_, y_;  // a_, b_, c_ broadcast to y's shape
  std::vector<int64_t> a0_, c0_;            // a and c as given (their own shapes)
  std::unique_ptr<RescaleProver> rescale_;
  std::vector<LayerAdvice> none_;
};

std::vector<AdviceShape> elementwise_advice_shapes(const ElementwiseParams& params);
Verdict verify_elementwise(const ElementwiseParams& params, std::span<const Claim> out_claims,
                           const ElementwiseProof& proof, transcript::Transcript& tr, ElementwiseClaims* out);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit over a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_elementwise_as(const ElementwiseParams& params, std::span<const ClaimT<F>> out_claims,
                              const ElementwiseProofT<F>& proof, transcript::Transcript& tr, ElementwiseClaimsT<F>* out);

}  // namespace zkinfer::layers
