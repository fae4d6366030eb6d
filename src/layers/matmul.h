// Matrix-product layer: Y = A B (+ c), with optional leading batch dimensions shared by A, B and
// Y (attention), Gemm's transposes and a broadcast bias. Reduces claims on Y's MLE to claims on
// A's, B's (and c's) MLEs by one sumcheck over the inner dimension (and the batch), with the
// prover's work linear in the operand sizes (Thaler, "Time-optimal interactive proofs for
// circuit evaluation", CRYPTO 2013, section 3; zkCNN, Liu-Xie-Zhang CCS 2021, section 3).
// Protocol, transcript order and soundness: docs/protocol/layers.md, section 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "sumcheck/proof.h"
#include "transcript/transcript.h"

namespace zkinfer::layers {

// Shapes (all public, from the compiled model):
//   A: (batch..., m, k), or (batch..., k, m) when trans_a;
//   B: (batch..., k, n), or (batch..., n, k) when trans_b;
//   Y: (batch..., m, n);
//   c: (batch_bias ? batch... : , bias_rows ? m : 1, bias_cols ? n : 1), broadcast to Y.
// With a_batch (b_batch) set, A's (B's) batch dims are a_batch instead: each a_batch[i] is batch[i]
// or 1 (A broadcast along dim i, numpy/ONNX MatMul semantics); along every dim of size > 1 at
// least one operand has the full size. The protocol is then the same sumcheck over (k, batch),
// with the broadcast operand's table constant along the dims it lacks (docs/protocol/layers.md,
// section 2, "broadcast operands").
struct MatmulShape {
  std::vector<size_t> batch;  // Y's batch dims; empty for a plain product
  std::vector<size_t> a_batch, b_batch;  // empty: the operand has all of batch
  size_t m = 1, k = 1, n = 1;
  bool trans_a = false;
  bool trans_b = false;
  bool bias = false;
  bool bias_batch = false;  // c has the batch dims (else broadcast along them)
  bool bias_rows = false;   // c has m rows (else 1, broadcast)
  bool bias_cols = false;   // c has n columns (else 1, broadcast)

  std::optional<std::string> invalid() const;  // why the shape is unusable, if it is
  PaddedShape a_shape() const;
  PaddedShape b_shape() const;
  PaddedShape y_shape() const;
  PaddedShape bias_shape() const;  // requires bias
  size_t batch_vars() const;       // variables of the (padded) batch dims together
  std::vector<size_t> a_batch_dims() const { return a_batch.empty() ? batch : a_batch; }
  std::vector<size_t> b_batch_dims() const { return b_batch.empty() ? batch : b_batch; }
  bool broadcast() const { return a_batch_dims() != batch || b_batch_dims() != batch; }
};

// Over any field type (F = Fr: the proof; snark::CFr: its messages as circuit variables).
template <field::PrimeField F>
struct MatmulProofT {
  std::vector<sumcheck::Msg<F>> bias_values;  // c~ at each claim's bias point (when the shape has a bias)
  sumcheck::Proof<F> sumcheck;

  void serialize(ByteWriter& w) const;
  // Fixed layout for the shape and claim count (throws DecodeError on bad bytes); instantiated for
  // Fr and snark::CFr (every message a witness variable, sumcheck::read_msg).
  static MatmulProofT deserialize(ByteReader& r, const MatmulShape& shape, size_t num_claims);
};
using MatmulProof = MatmulProofT<Fr>;
template <>
void MatmulProofT<Fr>::serialize(ByteWriter& w) const;

// What the layer reduces the claims on Y to: claim t on Y gives a[t], b[t] (and bias[t]).
template <field::PrimeField F>
struct MatmulClaimsT {
  std::vector<ClaimT<F>> a, b, bias;
};
using MatmulClaims = MatmulClaimsT<Fr>;

// Proves the claims on Y (|y_claims| >= 1, points on y_shape()). a, b, bias are the padded
// tables of A, B and c (bias empty when the shape has none). Fills *out if non-null.
MatmulProof prove_matmul(const MatmulShape& shape, std::span<const Fr> a, std::span<const Fr> b,
                         std::span<const Fr> bias, std::span<const Claim> y_claims, transcript::Transcript& tr,
                         MatmulClaims* out = nullptr);

// The same proof (byte for byte) from A and B as unpadded row-major int64 tensors, as the integer
// executor produces them (|values| < 2^63): no Fr tables are built; the contractions multiply
// field elements by small integers, several times faster than prove_matmul on Fr tables.
MatmulProof prove_matmul(const MatmulShape& shape, std::span<const int64_t> a, std::span<const int64_t> b,
                         std::span<const Fr> bias, std::span<const Claim> y_claims, transcript::Transcript& tr,
                         MatmulClaims* out = nullptr);

// Verifies; on acceptance fills *out with the claims the caller must check next. Never throws.
Verdict verify_matmul(const MatmulShape& shape, std::span<const Claim> y_claims, const MatmulProof& proof,
                      transcript::Transcript& tr, MatmulClaims* out = nullptr);
// The same verifier over any field type: instantiated for Fr (the function above) and snark::CFr
// (the verifier as a circuit, with a field-native transcript; docs/protocol/wrap.md section 3).
template <field::PrimeField F>
Verdict verify_matmul_as(const MatmulShape& shape, std::span<const ClaimT<F>> y_claims, const MatmulProofT<F>& proof,
                         transcript::Transcript& tr, MatmulClaimsT<F>* out = nullptr);

}  // namespace zkinfer::layers
