// One step handler per node kind (docs/PROOF.md, "Steps"): how a node is planned from the graph,
// what advice it commits, how it proves its output claims into claims on its inputs and how the
// verifier checks that, side by side in one file under steps/, registered in one table
// (steps/registry.cc). The whole-model prover and verifier (model_proof.cc) are a driver over the
// steps: it owns the transcript, the proof bytes, the commitments, the model-wide lookups and the
// claims on every tensor, and offers them to a step through ProverEnv and VerifierEnv.
//
// Adding an op: a file steps/<op>.cc with a planner (PlanContext -> Step) and its Step and
// StepProver classes, one line in steps/registry.cc, and the layer protocol it uses in src/layers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "layers/claim.h"
#include "layers/rescale.h"
#include "pcs/scheme.h"
#include "proof/model_facts.h"
#include "quant/int_executor.h"
#include "quant/model.h"
#include "transcript/transcript.h"

namespace zkinfer::proof {

using layers::Claim;

class Step;
class StepProver;
class EvmCode;  // proof/evm_verifier.h

// The whole-model prover's services to a step (implemented by the driver).
class ProverEnv {
 public:
  ProverEnv(const quant::CompiledModel& m, const quant::Trace& t, transcript::Transcript& tr_, ByteWriter& w_)
      : model(m), trace(t), tr(tr_), w(w_) {}
  virtual ~ProverEnv() = default;
  const quant::CompiledModel& model;
  const quant::Trace& trace;
  transcript::Transcript& tr;
  ByteWriter& w;  // the proof bytes

  // A tensor's values; a constant's are the model's (run_int's copy in the trace is not read, so a
  // caller may release it: cmd_prove does, one copy of the weights instead of two).
  const std::vector<int64_t>& values(int t) const {
    const auto i = static_cast<size_t>(t);
    return model.graph.tensors[i].is_const ? model.qconst[i].data : trace.values[i].data;
  }
  // Error unless the layer's own output equals the trace's (a prover-side consistency check).
  void expect_output(const Step& s, const std::vector<int64_t>& got) const;
  // Commits advice vectors (absorbed, written), appended to the step prover's com/tab. The
  // vectors are borrowed, not copied, for the batch opening at the end: they must stay alive and
  // unchanged until the proof is done (the step prover holds them).
  virtual void commit_advice(StepProver& sp, const std::vector<layers::LayerAdvice>& adv) = 0;
  // Claims on the step prover's advice (from index `offset` of its com), to be opened at the end;
  // the lookups the layer just registered belong to the same advice.
  virtual void open_advice(const StepProver& sp, const std::vector<layers::AdviceClaim>& adv, size_t offset) = 0;
  // Claims on tensor t (an input of the step), reduced by t's producer or opened at the end.
  virtual void add_claims(int t, std::vector<Claim> claims) = 0;
  // The prover of the step producing tensor t (nullptr: a model input or constant).
  virtual const StepProver* prover_of(int t) const = 0;
};

// The whole-model verifier's services to a step (implemented by the driver), over the verifier's
// field type: Fr (the verifier), or snark::CFr (the verifier run as a circuit, whose messages are
// witness variables and whose transcript is the Poseidon circuit twin: docs/protocol/wrap.md).
template <field::PrimeField F>
class VerifierEnvT {
 public:
  VerifierEnvT(const quant::CompiledModel& m, ByteReader& r_, transcript::Transcript& tr_) : model(m), r(r_), tr(tr_) {}
  virtual ~VerifierEnvT() = default;
  const quant::CompiledModel& model;
  ByteReader& r;  // the proof bytes
  transcript::Transcript& tr;
  std::string where;  // the node being verified (node_label), for failure reasons
  // Claims on the step's advice commitments (from index `offset`, in advice_shapes order).
  virtual Verdict open_advice(std::vector<layers::AdviceClaimT<F>>& adv, size_t offset) = 0;
  virtual void add_claims(int t, std::vector<layers::ClaimT<F>> claims) = 0;
};
using VerifierEnv = VerifierEnvT<Fr>;
using CircuitVerifierEnv = VerifierEnvT<snark::CFr>;
using CircuitClaim = layers::ClaimT<snark::CFr>;

// A planned node: public, derived from the model alone, the same for prover and verifier.
class Step {
 public:
  virtual ~Step() = default;
  size_t node = 0;
  int x = -1;  // the main input (a model input or constant is refused unless constant_input_ok)
  int y = -1;  // the output

  // The advice the step commits, in commitment order (sizes the commitments the verifier reads).
  virtual std::vector<layers::AdviceShape> advice_shapes(const quant::CompiledModel&) const { return {}; }
  // log2 of the largest activation table the step looks up in (its multiplicities are committed).
  virtual size_t table_log_size() const { return 0; }
  // Several claims on the output are passed on as they are, without a combine proof first.
  virtual bool free_move() const { return false; }
  virtual bool constant_input_ok() const { return false; }
  // Called once every node is planned (a linear step learns whether a Relu took its rescale).
  virtual void finish_plan(const quant::CompiledModel&) {}
  // A linear step's rescale shift a consuming Relu may prove instead (fuse()); 0: none.
  virtual int fusable_shift() const { return 0; }
  virtual void fuse() {}

  // The prover: constructed in node order (before any commitment), then commit() in reverse order,
  // then prove() in reverse order.
  virtual std::unique_ptr<StepProver> prover(ProverEnv& env) const = 0;
  // Checks the step's proof for `claims` on the output (one, or several when free_move), routing
  // the claims on its inputs and advice through env.
  virtual Verdict verify(VerifierEnv& env, std::vector<Claim> claims) const = 0;
  // The same check run as a circuit (docs/protocol/wrap.md section 3). A step writes both from one
  // template, `template <class F> Verdict verify_as(VerifierEnvT<F>&, std::vector<layers::ClaimT<F>>)
  // const`, and ZKINFER_STEP_VERIFIERS; the default throws Error naming the node (no circuit form yet).
  virtual Verdict verify_circuit(CircuitVerifierEnv& env, std::vector<CircuitClaim> claims) const;
  // The step's part of the EVM verifier (proof/evm_verifier.h: the Solidity that does what
  // verify() does, through a step routine of contracts/); false: the step has none yet.
  virtual bool evm(EvmCode&) const { return false; }
};

class StepProver {
 public:
  virtual ~StepProver() = default;
  std::vector<const pcs::Committed*> com;  // the step's advice commitments, in advice order
  std::vector<const std::vector<Fr>*> tab;      // their tables
  virtual void commit(ProverEnv&) {}
  virtual void prove(ProverEnv& env, std::vector<Claim> claims) = 0;
  // The values the output claims are on when not the trace's (a fused linear step: its accumulator).
  virtual const std::vector<int64_t>* claimed_values() const { return nullptr; }
};

// What a planner sees: the model, the node, and the steps planned before it.
struct PlanContext {
  const quant::CompiledModel& m;
  size_t node;
  std::vector<std::unique_ptr<Step>>& planned;
  const ops::Node& n() const { return m.graph.nodes[node]; }
  const std::string& op() const { return n().op_type; }
  int in(size_t k) const { return k < n().inputs.size() ? n().inputs[k] : -1; }
  int out() const { return n().outputs[0]; }
  std::vector<size_t> dims(int t) const { return dims_of(m, t); }
  size_t bits(int t) const { return checked_bits(m, node, t); }
  // Throws Error("proof: node i (name, op): why").
  [[noreturn]] void fail(const std::string& why) const;
  // The step producing tensor t, if planned (nullptr otherwise).
  Step* producer(int t) const;
};

using PlanFn = std::unique_ptr<Step> (*)(const PlanContext&);
// Whether node `node` range-checks its input number `input` (so its producer need not).
using BoundsInputFn = bool (*)(const quant::CompiledModel&, size_t node, size_t input);

struct StepEntry {
  std::string_view op;
  PlanFn plan;
  BoundsInputFn bounds_input = nullptr;  // nullptr: never
  bool passes_bound = false;             // the output is bounded whenever the input is (data movement)
};

// The step table (steps/registry.cc): every op with a protocol.
const std::vector<StepEntry>& step_table();
const StepEntry* find_step(std::string_view op);

// ---- helpers shared by the step files ----

// Proves a layer whose prover has prove(claims, tr, &in, &adv): the proof written, the advice
// claims opened (from `offset`), the input claims routed to `x`.
template <class LayerProver>
void prove_layer(ProverEnv& env, const StepProver& sp, LayerProver& layer, std::vector<Claim> claims, int x,
                 size_t offset = 0) {
  std::vector<Claim> in;
  std::vector<layers::AdviceClaim> adv;
  auto proof = layer.prove(claims, env.tr, &in, &adv);
  proof.serialize(env.w);
  env.open_advice(sp, adv, offset);
  env.add_claims(x, std::move(in));
}

// The verifier's side of prove_layer: read(r) deserializes the proof, check(proof, &in, &adv)
// verifies it; `what` names the sub-protocol in a failure.
template <field::PrimeField F, class Read, class Check>
Verdict verify_layer(VerifierEnvT<F>& env, const std::vector<layers::ClaimT<F>>& claims, int x, const char* what, Read read,
                     Check check, size_t offset = 0) {
  auto proof = read();
  std::vector<layers::ClaimT<F>> in;
  std::vector<layers::AdviceClaimT<F>> adv;
  if (Verdict v = check(proof, &in, &adv); !v) return v.within(env.where + ": " + what);
  if (Verdict v = env.open_advice(adv, offset); !v) return v;
  env.add_claims(x, std::move(in));
  return Verdict::accept();
}

}  // namespace zkinfer::proof

// In a Step subclass with a member template verify_as<F>: its verify() and verify_circuit() (one
// verifier, two interpreters).
#define ZKINFER_STEP_VERIFIERS                                                                                 \
  ::zkinfer::Verdict verify(::zkinfer::proof::VerifierEnv& env, std::vector<::zkinfer::proof::Claim> cl)       \
      const override {                                                                                         \
    return verify_as(env, std::move(cl));                                                                      \
  }                                                                                                            \
  ::zkinfer::Verdict verify_circuit(::zkinfer::proof::CircuitVerifierEnv& env,                                 \
                                    std::vector<::zkinfer::proof::CircuitClaim> cl) const override {           \
    return verify_as(env, std::move(cl));                                                                      \
  }
