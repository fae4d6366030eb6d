// Comparisons as the integer executor computes them (ops/helpers.h add_compare_op): with
// d = a 2^ea - b 2^eb (numpy broadcasting), Greater: y = [d > 0]; Less: y = [-d > 0];
// GreaterOrEqual: y = 1 - [-d > 0]; LessOrEqual: y = 1 - [d > 0]; Equal: y = 1 - [d > 0] - [-d > 0].
//
// Each strict bit o = [e > 0] (e = d or -d) is committed with u = 2 o e - o - e: o range-checked
// into [0, 2) (so o is 0 or 1) and u into [0, 2^bits). Over the integers (|e| < 2^bits, far below
// the field's size) o = 1 gives e = u + 1 >= 1 and o = 0 gives e = -u <= 0, so o is the bit. On the
// padding d = 0, so o = u = 0 there and y's padding is 0. Per output claim y~(z) = v the prover
// sends o~(z) (its digit) and the verifier checks v against the combination (with the padding
// indicator I~(z) for the "1 -" forms). One zero-check sum eq(tau, x) sum_j gamma^j (u_j -
// 2 s_j o_j d + o_j + s_j d) = 0 (s_j = +-1 the sign of e_j) ties the bits to d at a random point rho;
// the final value d~(rho) becomes a claim on d, which the embedded Sub (elementwise.h, shift 0)
// reduces to claims on a and b. Advice: "cmp.o<j>" (1 bit), "cmp.u<j>" (bits). docs/protocol/compare.md.
#pragma once

#include <memory>

#include "layers/elementwise.h"
#include "layers/rescale.h"

namespace zkinfer::layers {

struct CompareParams {
  enum class Kind { kLess, kLessOrEqual, kGreater, kGreaterOrEqual, kEqual };
  Kind kind = Kind::kLess;
  std::vector<size_t> dims;            // y's shape
  std::vector<size_t> a_dims, b_dims;  // the operands' shapes (y's rank, each dim y's or 1); empty: y's
  size_t ea = 0, eb = 0;               // scale alignment, <= 40
  size_t bits = 0;                     // |a 2^ea - b 2^eb| < 2^bits, in [1, 60]
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct CompareProofT {
  NonlinearProofT<F> nl;
  ElementwiseProofT<F> sub;
  void serialize(ByteWriter& w) const;
  static CompareProofT deserialize(ByteReader& r, const CompareParams& p, size_t num_claims);
};
using CompareProof = CompareProofT<Fr>;
template <>
void CompareProofT<Fr>::serialize(ByteWriter& w) const;

class CompareProver {
 public:
  // a, b: flat row-major over their own shapes. forced_bits (tests: a cheating prover): commit
  // these as the first strict bit (u is then computed from the relation, possibly out of range).
  CompareProver(const CompareParams& params, std::span<const int64_t> a, std::span<const int64_t> b,
                std::span<const int64_t> forced_bits = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }
  CompareProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, ElementwiseClaims* out);

 private:
  CompareParams params_;
  PaddedShape shape_;
  std::unique_ptr<ElementwiseProver> sub_;
  std::vector<int64_t> y_, dp_;
  std::vector<std::vector<int64_t>> op_, up_;  // padded bits and u per strict bit
  std::vector<size_t> r_o_, r_u_;
  detail::NlProver nl_;
};

std::vector<AdviceShape> compare_advice_shapes(const CompareParams& params);
Verdict verify_compare(const CompareParams& params, std::span<const Claim> out_claims, const CompareProof& proof,
                       transcript::Transcript& tr, ElementwiseClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_compare_as(const CompareParams& params, std::span<const ClaimT<F>> out_claims,
                          const CompareProofT<F>& proof, transcript::Transcript& tr, ElementwiseClaimsT<F>* out);

}  // namespace zkinfer::layers
