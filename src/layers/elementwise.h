// Non-linear layer protocols, part 3: elementwise binary ops of equal shapes (residual Add, Sub,
// Mul) with the executor's scale alignment and output rescale (ops/op_add.cc, op_sub.cc,
// op_mul.cc): s = a 2^ea +- b 2^eb (Add/Sub) or s = a b (Mul), then y = rescale(s, shift)
// (shift > 0, rescale.h) or y = s 2^-shift (shift <= 0).
//
// Add/Sub: a claim y~(z) = v becomes a claim on s at z (through the rescale), then the prover
// sends a~(z) and the verifier sets b~(z) = +-(s~(z) - 2^ea a~(z)) / 2^eb: claims on both inputs
// at the same point (Thaler, section 4.6: a wiring predicate that is the identity). Mul: the
// claim on s at z is reduced by the sumcheck of sum_x eq(z, x) a(x) b(x) to claims on a and b at
// one random point. Broadcasting operands are not supported yet (docs/protocol/nonlinear.md, 7).
#pragma once

#include <memory>

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ElementwiseParams {
  enum class Op { kAdd, kSub, kMul };
  Op op = Op::kAdd;
  std::vector<size_t> dims;  // a, b and y all have this shape
  size_t ea = 0, eb = 0;     // Add/Sub: the operands are multiplied by 2^ea, 2^eb (scale alignment)
  int shift = 0;             // > 0: rescale down by 2^shift; <= 0: multiply by 2^-shift
  size_t out_bits = 0;       // > 0: also range-check |y| < 2^out_bits (rescale.h)
};

struct ElementwiseProof {
  NonlinearProof rescale;  // empty when shift <= 0
  std::vector<Fr> a_evals;                // Add/Sub: a~(z) per claim
  std::vector<sumcheck::Proof<Fr>> mul;   // Mul: one sumcheck per claim
  void serialize(ByteWriter& w) const;
  static ElementwiseProof deserialize(ByteReader& r, const ElementwiseParams& p, size_t num_claims);
};

struct ElementwiseClaims {
  std::vector<Claim> a, b;         // one each per output claim
  std::vector<AdviceClaim> advice;  // on the rescale's advice
};

class ElementwiseProver {
 public:
  ElementwiseProver(const ElementwiseParams& params, std::span<const int64_t> a, std::span<const int64_t> b);
  const std::vector<LayerAdvice>& advice() const;
  const std::vector<int64_t>& output() const { return y_; }
  ElementwiseProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, ElementwiseClaims* out);

 private:
  ElementwiseParams params_;
  PaddedShape shape_;
  std::vector<int64_t> a_, b_, s_, y_;
  std::unique_ptr<RescaleProver> rescale_;
  std::vector<LayerAdvice> none_;
};

std::vector<AdviceShape> elementwise_advice_shapes(const ElementwiseParams& params);
Verdict verify_elementwise(const ElementwiseParams& params, std::span<const Claim> out_claims,
                           const ElementwiseProof& proof, transcript::Transcript& tr, ElementwiseClaims* out);

}  // namespace zkinfer::layers
