// What the whole-model prover, verifier and the step handlers (step.h) read off a compiled model:
// tensor shapes in the padded layout, which tensors are weights, constants, committed or evaluated
// by the verifier (docs/PROOF.md, "Visibility"), node labels, and small field helpers. Internal to
// src/proof.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "field/bn254.h"
#include "layers/layout.h"
#include "quant/model.h"

namespace zkinfer::proof {

using field::Fr;

std::vector<size_t> dims_of(const quant::CompiledModel& m, int t);
layers::PaddedShape shape_of(const quant::CompiledModel& m, int t);
std::vector<Fr> to_fr(std::span<const int64_t> v);
Fr mle_eval(std::vector<Fr> t, std::span<const Fr> point);
inline Fr pow2(int e) { return Fr::from_u64(uint64_t{1} << e); }

// A float constant, bound by a weight commitment (its values are withheld in a public model).
bool is_weight(const quant::CompiledModel& m, int t);
// An integer constant (shapes, indices, pads): public in the verifying key; claims on it are
// checked by evaluating its MLE.
bool is_public_const(const quant::CompiledModel& m, int t);
// ---- visibility (docs/PROOF.md, "Visibility"): what each mode commits, sends or evaluates ----
// A public input is absorbed and evaluated by the verifier (no digits committed).
bool input_is_public(const quant::CompiledModel& m);
// A private output is committed as range-checked digits (layers/bound.h) instead of sent.
bool output_is_private(const quant::CompiledModel& m);
// A weight bound by a commitment of the verifying key (private weights); fixed and public weights
// are in the key's public model and the verifier evaluates their MLEs itself.
bool is_committed_weight(const quant::CompiledModel& m, int t);
// A constant whose values the verifier holds: integer constants, and fixed or public weights.
bool verifier_evaluates(const quant::CompiledModel& m, int t);
// Zero knowledge whenever anything is private (docs/PROTOCOL.md, section 8): every value the
// layers send is padded and the verifier's relations are proven at the end (zk/cp.h).
bool zero_knowledge(const quant::CompiledModel& m);
// A BatchNormalization's folded per-channel constants a and b (node parameters) stand in for its
// scale and bias input tensors: with private weights those tensors' commitments in the verifying
// key are commitments to a and b, and the public model carries zeros for them
// (quant/model_file.cc). public_keeps_bn: the verifier evaluates a and b itself.
bool public_keeps_bn(const quant::CompiledModel& m);
// The values a weight tensor is committed as.
const std::vector<int64_t>& committed_values(const quant::CompiledModel& m, int t);
// ---- end visibility ----

// "node i (name, op)".
std::string node_label(const quant::CompiledModel& m, size_t i);
// The values of integer constant t (an input of node `node`), or Error naming `what`.
std::vector<int64_t> int_const(const quant::CompiledModel& m, size_t node, int t, const char* what);
// The rescale shift k a node's parameters carry (0: none).
int shift_of(const ops::QParams& p);
// Tensor t's bit bound as a width in [1, 60], or Error naming the node.
size_t checked_bits(const quant::CompiledModel& m, size_t node, int t);
// The nodes reading tensor t.
std::vector<size_t> consumers(const quant::CompiledModel& m, int t);
// Whether every use of tensor t range-checks it (so a rescale producing it need not): the graph
// output (the verifier checks its bit bound), the inputs the step table marks as bounded by their
// step (steps/registry.cc), through the ops that pass a bound on.
bool bounded_by_consumers(const quant::CompiledModel& m, int t, int depth = 0);

}  // namespace zkinfer::proof
