// Boolean logic and Where on values proven to be 0 or 1 (ops/helpers.h add_logic_op,
// ops/op_where.cc). The caller (the step planner) guarantees that every boolean operand is 0/1:
// a comparison's or another logic step's output, or a bool model input range-checked into [0, 2).
// No advice is committed; each op is an affine form of one broadcast product (elementwise.h):
//   Not:  y = I - a                          (a~(z) = I~(z) - v: no message)
//   And:  y = a b
//   Or:   y = I - (I_a - a)(I_b - b)
//   Xor:  y = (I - (2a - I_a)(2b - I_b)) / 2
//   Where(c, a, b): y = c d + 2^eb b with d = 2^ea a - 2^eb b over the broadcast shape of a and b
//         (the affine elementwise op, then a Sub reduces the claims on d to claims on a and b).
// An operand not already proven boolean (check[i]: a model input, a computed value) gets a 0/1
// check: the zero-check sum eq(tau, x) (a(x)^2 - a(x)) = 0 (a is 0 on the padding), whose final
// value a~(rho) becomes one more claim on the operand.
// I, I_a, I_b: the padding indicators of y's and the operands' padded layouts (the transformed
// operands stay 0 on the padding, so the product's padding is 0). Claims on the transformed
// operands map back to claims on a and b by the same affine maps. docs/protocol/compare.md.
#pragma once

#include <memory>

#include "layers/elementwise.h"

namespace zkinfer::layers {

struct LogicParams {
  enum class Kind { kNot, kAnd, kOr, kXor, kWhere };
  Kind kind = Kind::kAnd;
  std::vector<size_t> dims;  // y's shape
  // Operand shapes (y's rank, each dim y's or 1; empty: y's). Where: in0 = condition, in1 = a, in2 = b.
  std::vector<size_t> in_dims[3];
  size_t ea = 0, eb = 0;  // Where: scale alignment of a and b, <= 40
  bool check[3] = {false, false, false};  // prove operand i is 0/1 (boolean operands only)
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct LogicProofT {
  std::vector<ElementwiseProofT<F>> parts;  // Not: none; And/Or/Xor: the product; Where: affine, then Sub
  std::vector<sumcheck::Proof<F>> checks;   // one 0/1 zero-check per checked operand
  void serialize(ByteWriter& w) const;
  static LogicProofT deserialize(ByteReader& r, const LogicParams& p, size_t num_claims);
};
using LogicProof = LogicProofT<Fr>;
template <>
void LogicProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct LogicClaimsT {
  std::vector<ClaimT<F>> in[3];  // claims on each operand (points on its own padded layout)
};
using LogicClaims = LogicClaimsT<Fr>;

class LogicProver {
 public:
  // operands: flat row-major over their own shapes (1 for Not, 2 for And/Or/Xor, 3 for Where).
  // cheat (tests): accept boolean operands holding other values.
  LogicProver(const LogicParams& params, std::vector<std::span<const int64_t>> operands, bool cheat = false);
  const std::vector<int64_t>& output() const { return y_; }
  LogicProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, LogicClaims* out);

 private:
  LogicProof prove_main(std::span<const Claim> out_claims, transcript::Transcript& tr, LogicClaims* out);
  LogicParams params_;
  std::vector<int64_t> y_;
  std::vector<std::vector<int64_t>> in_;  // the operands (for the 0/1 checks)
  std::unique_ptr<ElementwiseProver> main_, sub_;
};

Verdict verify_logic(const LogicParams& params, std::span<const Claim> out_claims, const LogicProof& proof,
                     transcript::Transcript& tr, LogicClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_logic_as(const LogicParams& params, std::span<const ClaimT<F>> out_claims, const LogicProofT<F>& proof,
                        transcript::Transcript& tr, LogicClaimsT<F>* out);

}  // namespace zkinfer::layers
