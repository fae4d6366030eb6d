// Non-linear layer protocols: Div of two tensors (ops/op_div.cc, real-valued tensors) with a
// positive divisor. The executor computes, with broadcasting, n = a 2^ea, d = b 2^eb and
// q = div_round(n, d) (ops/int_math.h): 2n + d = 2 d q + r with 0 <= r < 2d.
//
// Advice (all committed before any challenge): the digits of q + 2^q_bits (q is committed and
// bounded), of r and of r' = 2d - 1 - r (both in [0, 2^m), m = d_bits + eb + 1), and of b - 1 in
// [0, 2^d_bits) on b's own shape (the divisor is a positive integer: the executor's div_round moves
// a negative divisor's sign to the numerator, which this protocol does not cover; the prover
// refuses b <= 0). Broadcast operands A, B (on y's shape) have MLEs A~(z) = K_a(z) a~(z_a) as in
// elementwise.h.
// Per claim q~(z) = v: q's digits at z equal v; the prover sends b~(z_b) and T = sum_x eq(z, x)
// B(x) q(x); r~(z) + r'~(z) = 2^(eb+1) K_b(z) b~(z_b) - I~(z); a degree-3 sumcheck proves T,
// ending in B~(rho) (a claim on b at rho_b) and q~(rho) (checked against q's digits); the claim on
// a is a~(z_a) = (2^(eb+1) T + r~(z) - 2^eb K_b(z) b~(z_b)) / (2^(ea+1) K_a(z)). Each claim on b is
// also checked against b - 1's digits. docs/protocol/nonlinear.md, section 10.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct DivParams {
  std::vector<size_t> dims;            // y's shape
  std::vector<size_t> a_dims, b_dims;  // operands' shapes (y's rank, each dim y's or 1); empty: y's
  size_t ea = 0, eb = 0;               // n = a 2^ea, d = b 2^eb (at most one is nonzero in the executor)
  size_t q_bits = 0;                   // |q| < 2^q_bits, in [1, 60]
  size_t d_bits = 0;                   // 1 <= b <= 2^d_bits, in [1, 40]
  std::optional<std::string> invalid() const;
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct DivProofT {
  NonlinearProofT<F> nl;                 // digit evaluations, sumchecks (one per claim), LogUps
  std::vector<sumcheck::Msg<F>> vals;    // per claim: b~(z_b), T
  void serialize(ByteWriter& w) const;
  static DivProofT deserialize(ByteReader& r, const DivParams& p, size_t num_claims);
};
using DivProof = DivProofT<Fr>;
template <>
void DivProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct DivClaimsT {
  std::vector<ClaimT<F>> a;             // one per output claim
  std::vector<ClaimT<F>> b;             // two per output claim
  std::vector<AdviceClaimT<F>> advice;
};
using DivClaims = DivClaimsT<Fr>;

class DivProver {
 public:
  // a, b: flat row-major over their own shapes. forced_q (tests: a cheating prover): commit these
  // quotients with the remainders that make the linear relation hold (possibly out of range).
  DivProver(const DivParams& params, std::span<const int64_t> a, std::span<const int64_t> b,
            std::span<const int64_t> forced_q = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return q_; }
  DivProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, DivClaims* out);

 private:
  DivParams params_;
  PaddedShape ys_, as_, bs_;
  std::vector<int64_t> b0_, bb_, q_;  // b as given; b broadcast to y's shape; the quotient
  size_t r_q_ = 0, r_rem_ = 0, r_comp_ = 0, r_den_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> div_advice_shapes(const DivParams& params);
Verdict verify_div(const DivParams& params, std::span<const Claim> out_claims, const DivProof& proof,
                   transcript::Transcript& tr, DivClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_div_as(const DivParams& params, std::span<const ClaimT<F>> out_claims, const DivProofT<F>& proof,
                      transcript::Transcript& tr, DivClaimsT<F>* out);

}  // namespace zkinfer::layers
