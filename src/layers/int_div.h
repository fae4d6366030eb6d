// Integer Div with truncation (ops/op_div.cc on integer-typed tensors: q = trunc(x / z)) for a
// positive divisor z (broadcast; a constant or a tensor). trunc(x / z) = floor(pos / z) -
// floor(neg / z) with (pos, neg) the sign split of x (one of them is 0).
//
// Advice: digits of pos, neg, qp, qn in [0, 2^x_bits); of rp, rn and of their complements
// rp' = z - 1 - rp, rn' = z - 1 - rn in [0, 2^d_bits); of z - 1 in [0, 2^d_bits) on z's shape.
// Per claim q~(z0) = v: qp~(z0) - qn~(z0) = v (digits); the claim on x is pos~(z0) - neg~(z0).
// Then tau1: the zero-check sum eq(tau1, x) pos neg = 0 (final values checked against the digits);
// tau2, gamma: the prover sends z~(tau2_b) (checked against z - 1's digits) and the verifier
// checks rp + rp' = K_z z~ - I and rn + rn' = K_z z~ - I at tau2; one degree-3 sumcheck of
// sum eq(tau2, x) Z(x) (qp(x) + gamma qn(x)) = (pos - rp)~(tau2) + gamma (neg - rn)~(tau2), whose
// final values give a claim on z at rho_b (checked against z - 1's digits) and qp~ + gamma qn~ at
// rho (digits). docs/protocol/nonlinear.md, section 14.
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct IntDivParams {
  std::vector<size_t> dims;    // x's and q's shape
  std::vector<size_t> z_dims;  // the divisor's shape (x's rank, each dim x's or 1); empty: x's
  size_t x_bits = 0;           // |x| < 2^x_bits, in [1, 60]
  size_t d_bits = 0;           // 1 <= z <= 2^d_bits, in [1, 40]
  std::optional<std::string> invalid() const;
};

// Over any field type (F = Fr: the proof; snark::CFr: the verifier as a circuit, wrap.md section 3).
template <field::PrimeField F>
struct IntDivProofT {
  NonlinearProofT<F> nl;   // digit evaluations, the zero-check and the product sumcheck, LogUps
  sumcheck::Msg<F> z_eval{};  // z~(tau2_b)
  void serialize(ByteWriter& w) const;
  static IntDivProofT deserialize(ByteReader& r, const IntDivParams& p, size_t num_claims);
};
using IntDivProof = IntDivProofT<Fr>;
template <>
void IntDivProofT<Fr>::serialize(ByteWriter& w) const;

template <field::PrimeField F>
struct IntDivClaimsT {
  std::vector<ClaimT<F>> x;  // one per output claim
  std::vector<ClaimT<F>> z;  // two
  std::vector<AdviceClaimT<F>> advice;
};
using IntDivClaims = IntDivClaimsT<Fr>;

class IntDivProver {
 public:
  // forced_q (tests: a cheating prover): qp, qn from these quotients and the remainders that make
  // the linear relations hold (possibly out of range).
  IntDivProver(const IntDivParams& params, std::span<const int64_t> x, std::span<const int64_t> z,
               std::span<const int64_t> forced_q = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return q_; }
  IntDivProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, IntDivClaims* out);

 private:
  IntDivParams params_;
  PaddedShape xs_, zs_;
  std::vector<int64_t> q_, z0_, zb_;
  std::vector<int64_t> pos_, neg_, qp_, qn_;  // padded
  size_t r_pos_ = 0, r_neg_ = 0, r_qp_ = 0, r_qn_ = 0, r_rp_ = 0, r_rn_ = 0, r_rpc_ = 0, r_rnc_ = 0, r_den_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> int_div_advice_shapes(const IntDivParams& params);
Verdict verify_int_div(const IntDivParams& params, std::span<const Claim> out_claims, const IntDivProof& proof,
                       transcript::Transcript& tr, IntDivClaims* out);
// The same verifier over any field type (Fr: the function above; snark::CFr: as a circuit).
template <field::PrimeField F>
Verdict verify_int_div_as(const IntDivParams& params, std::span<const ClaimT<F>> out_claims,
                          const IntDivProofT<F>& proof, transcript::Transcript& tr, IntDivClaimsT<F>* out);

}  // namespace zkinfer::layers
