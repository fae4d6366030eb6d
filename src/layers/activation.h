// Non-linear layer protocols, part 2: activations fused with the preceding rescale (zkGPT-style
// constraint fusion: relu(rescale(x)) or f(clamp(rescale(x))) costs one set of lookups, and the
// rescaled value y is never committed).
//
//  * ReLU: out = max(y, 0), y = rescale(x, k) (k = 0: no rescale). Advice: the 16-bit digits of
//    out and of neg = max(-y, 0) (range [0, 2^bits)), the remainder's digits, multiplicities.
//    out . neg = 0 by a zero-check sumcheck (Thaler, section 4.6.7 style: sum eq(tau, x) out neg).
//  * Table functions (Sigmoid, Tanh, Erf, Exp, Elu, HardSigmoid... everything run_unary_table
//    runs): idx = clamp(y, lo, hi), out = T[idx - lo]. Advice: idx and out (padding rows hold the
//    table row (lo, T[0]) so that they are in the table), the digits of a = max(y - hi, 0) and
//    b = max(lo - y, 0), the remainder's digits, the table multiplicities; y = idx + a - b,
//    a (hi - idx) = 0 and b (idx - lo) = 0 by one zero-check sumcheck, (idx, out) in the
//    two-column table by LogUp.
// Protocols and soundness: docs/protocol/nonlinear.md, sections 3 and 4.
#pragma once

#include <atomic>
#include <memory>

#include "layers/rescale.h"

namespace zkinfer::layers {

struct ReluParams {
  std::vector<size_t> dims;
  size_t shift = 0;  // the rescale before the relu (0: none)
  size_t bits = 0;   // |y| < 2^bits (the tensor's bit bound), in [1, 60]
};

class ReluProver {
 public:
  // x: the input (before the rescale), flat row-major over dims.
  // forced_out (tests: a cheating prover): commit these outputs, with neg = out - y.
  ReluProver(const ReluParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_out = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return out_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  ReluParams params_;
  PaddedShape shape_;
  std::vector<int64_t> out_, outp_, negp_;
  size_t r_out_ = 0, r_neg_ = 0, r_rem_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> relu_advice_shapes(const ReluParams& params);
ProofLayout relu_proof_layout(const ReluParams& params, size_t num_claims);
Verdict verify_relu(const ReluParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                    transcript::Transcript& tr, std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_relu_as(const ReluParams& params, std::span<const ClaimT<F>> out_claims, const NonlinearProofT<F>& proof,
                       transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                       std::vector<AdviceClaimT<F>>* advice_claims);

struct TableActParams {
  std::vector<size_t> dims;
  size_t shift = 0;          // the rescale before the lookup (ops "shift" of run_unary_table)
  size_t excess_bits = 0;    // |y| < 2^excess_bits bounds the clamped-off excess; in [1, 60]
  int64_t lo = 0;            // the table's domain [lo, lo + values.size())
  std::vector<int64_t> values;
  // A longer table to look up in, shared with other nodes (values is a prefix of it; null: the
  // table is values): rows (lo + j, (*wider)[j]). An extra range check shows idx <= hi (the
  // table no longer does): the digits of hi - idx in [0, 2^headroom_bits()).
  std::shared_ptr<const std::vector<int64_t>> wider;
  const std::vector<int64_t>& table_values() const { return wider ? *wider : values; }
  size_t headroom_bits() const;
};

class TableActProver {
 public:
  // forced_idx (tests: a cheating prover): commit these table indices instead of clamp(y), with
  // a = max(y - idx, 0), b = max(idx - y, 0) and out = T[idx].
  TableActProver(const TableActParams& params, std::span<const int64_t> x, std::span<const int64_t> forced_idx = {});
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return out_; }
  NonlinearProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr, std::vector<Claim>* in_claims,
                       std::vector<AdviceClaim>* advice_claims);

 private:
  TableActParams params_;
  PaddedShape shape_;
  std::vector<int64_t> out_, ap_, bp_;
  size_t a_idx_ = 0, a_out_ = 0, r_a_ = 0, r_b_ = 0, r_rem_ = 0, r_head_ = 0;
  detail::NlProver nl_;
};

std::vector<AdviceShape> table_act_advice_shapes(const TableActParams& params);
// The two-column lookup table of params: rows (lo + j, table_values()[j]), padded to a power of two by
// repeating the last row. Built once per distinct table and shared (process-wide cache keyed by
// the full content, up to 2^20 rows in all, oldest dropped first): a LayerNormalization's rsqrt
// table has up to 2^16 rows, and building one costs more than verifying a small model's node.
std::shared_ptr<const lookup::LookupTable<Fr>> act_table(const TableActParams& params);
namespace detail {
extern std::atomic<size_t> act_table_cache_rows;  // the cache's bound (tests lower it)
}
ProofLayout table_act_proof_layout(const TableActParams& params, size_t num_claims);
Verdict verify_table_act(const TableActParams& params, std::span<const Claim> out_claims, const NonlinearProof& proof,
                         transcript::Transcript& tr, std::vector<Claim>* in_claims,
                         std::vector<AdviceClaim>* advice_claims);
// Over any field type (Fr: the function above; snark::CFr: the verifier as a circuit; the table's
// rows lifted to constants, lookup::lift_table).
template <field::PrimeField F>
Verdict verify_table_act_as(const TableActParams& params, std::span<const ClaimT<F>> out_claims,
                            const NonlinearProofT<F>& proof, transcript::Transcript& tr, std::vector<ClaimT<F>>* in_claims,
                            std::vector<AdviceClaimT<F>>* advice_claims);

}  // namespace zkinfer::layers
