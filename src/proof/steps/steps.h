// The planners of the step files (one per node kind), registered in registry.cc; and what the step
// files share. Internal to src/proof.
#pragma once

#include <memory>

#include "layers/bound.h"
#include "proof/step.h"

namespace zkinfer::proof {

// A step of type S for the planned node (node and output set).
template <class S>
std::unique_ptr<S> new_step(const PlanContext& c) {
  auto s = std::make_unique<S>();
  s->node = c.node;
  s->y = c.out();
  return s;
}

std::unique_ptr<Step> plan_matmul(const PlanContext& c);       // linear.cc: Gemm, MatMul
std::unique_ptr<Step> plan_conv(const PlanContext& c);         // linear.cc: Conv
std::unique_ptr<Step> plan_relu(const PlanContext& c);         // relu.cc
std::unique_ptr<Step> plan_table(const PlanContext& c);        // table.cc: table activations, Pow by a table
std::unique_ptr<Step> plan_max_pool(const PlanContext& c);     // max_pool.cc
std::unique_ptr<Step> plan_avg_pool(const PlanContext& c);     // avg_pool.cc: AveragePool
std::unique_ptr<Step> plan_global_avg_pool(const PlanContext& c);  // avg_pool.cc: GlobalAveragePool
std::unique_ptr<Step> plan_elementwise(const PlanContext& c);  // elementwise.cc: Add, Sub, Mul, BatchNormalization
std::unique_ptr<Step> plan_div(const PlanContext& c);          // div.cc: Div (fixed point or integer)
std::unique_ptr<Step> plan_reduce(const PlanContext& c);       // reduce.cc
std::unique_ptr<Step> plan_softmax(const PlanContext& c);      // softmax.cc
std::unique_ptr<Step> plan_layer_norm(const PlanContext& c);   // layer_norm.cc
std::unique_ptr<Step> plan_leaky_relu(const PlanContext& c);   // leaky_relu.cc: LeakyRelu, Abs
std::unique_ptr<Step> plan_clip(const PlanContext& c);         // clip.cc: Clip (ReLU6)
std::unique_ptr<Step> plan_prelu(const PlanContext& c);        // prelu.cc
std::unique_ptr<Step> plan_neg(const PlanContext& c);          // move.cc: Neg
std::unique_ptr<Step> plan_concat(const PlanContext& c);       // move.cc: Concat
std::unique_ptr<Step> plan_reindex(const PlanContext& c);      // move.cc: Reshape, Transpose, Slice, Pad, ...
std::unique_ptr<Step> plan_compare(const PlanContext& c);      // compare.cc: Less, Greater, Equal, ...
std::unique_ptr<Step> plan_logic(const PlanContext& c);        // compare.cc: Not, And, Or, Xor, Where
std::unique_ptr<Step> plan_argmax(const PlanContext& c);       // argmax.cc: ArgMax, ArgMin
std::unique_ptr<Step> plan_gather_elements(const PlanContext& c);  // gather_elements.cc
std::unique_ptr<Step> plan_one_hot(const PlanContext& c);      // one_hot.cc
std::unique_ptr<Step> plan_gather(const PlanContext& c);       // gather.cc: Gather (constant or computed indices)
// gather_committed.cc: Gather from a committed table; nullptr (and *why_not) where it does not apply.
std::unique_ptr<Step> plan_gather_committed(const PlanContext& c, std::string* why_not);
// gather_private.cc: Gather of a computed tensor by weight indices; nullptr (and *why_not) where it does not apply.
std::unique_ptr<Step> plan_gather_private(const PlanContext& c, std::string* why_not);

// Whether tensor t's values are proven to be 0 or 1 by its producer (compare.cc).
bool proven_bool(const quant::CompiledModel& m, int t, int depth = 0);

// Runs make() (a layer prover's constructor), naming the node in an error.
template <class F>
auto named(const ProverEnv& env, const Step& s, F make) {
  try {
    return make();
  } catch (const Error& e) {
    throw Error("proof: " + node_label(env.model, s.node) + ": " + e.what());
  }
}

// The check that a step's output is within its bit bound (where nothing downstream bounds it):
// its digits are the step's advice from `offset`; proven before the step's own protocol.
inline void prove_output_bound(ProverEnv& env, const StepProver& sp, layers::BoundProver& bound,
                               const std::vector<Claim>& cl, size_t offset) {
  std::vector<layers::AdviceClaim> adv;
  auto bp = bound.prove(cl, env.tr, &adv);
  bp.serialize(env.w);
  env.open_advice(sp, adv, offset);
}
// Over the verifier's field type (Fr, or snark::CFr: the verifier as a circuit).
template <field::PrimeField F>
Verdict verify_output_bound(VerifierEnvT<F>& env, const layers::BoundParams& bound,
                            const std::vector<layers::ClaimT<F>>& cl, size_t offset) {
  auto bp = layers::deserialize_proof<F>(env.r, layers::bound_proof_layout(bound, cl.size()));
  std::vector<layers::AdviceClaimT<F>> adv;
  if (Verdict v = layers::verify_bound_as<F>(bound, cl, bp, env.tr, &adv); !v) return v.within(env.where + ": output bound");
  return env.open_advice(adv, offset);
}

// Pow with a constant operand, computed by a table of the other (ops/op_pow.cc).
bool is_table_pow(const quant::CompiledModel& m, size_t node);

}  // namespace zkinfer::proof
