// Operators held as float semantics only and rewritten into proven ops at compile time
// (graph/lower_composites.h): their registration helper and the geometry a rewrite shares with
// its float op.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ops/op.h"

namespace zkinfer::ops {

// Registers an operator that holds its float semantics only: the quantizer rewrites every such
// node into proven ops before planning (`by` names the rewrite, e.g. "graph::lower_composites"),
// so its integer model and proof are those of the new nodes. A planner that still meets one
// refuses it, naming the rewrite and `why` (the case the rewrite does not take).
void add_lowered_op(OpTable& t, const std::string& op_type, FloatFn f, const std::string& by,
                    const std::string& why = "");

// DepthToSpace / SpaceToDepth (op_depth_to_space.cc) on shape s: the rank-6 view, the Transpose's
// permutation and the output shape (the float op and its compile-time rewrite share them).
void space_depth_plan(const Node& n, const Shape& s, Shape& view, std::vector<int64_t>& perm, Shape& out);

// An Einsum equation (op_einsum.cc): one letter string per operand and the output's (explicit,
// or implicit: the ellipsis' letters, then the letters that appear once, alphabetically).
struct EinsumTerms {
  std::vector<std::string> in;
  std::string out;
};
// The equation of an Einsum over operands of the given ranks, an ellipsis replaced by unused letters.
EinsumTerms parse_einsum(const Node& n, const std::vector<int64_t>& ranks);

// The loss operators (op_negative_log_likelihood_loss.cc, op_softmax_cross_entropy_loss.cc) for
// input shape x = [N, C, d1..dk] and a target [N, d1..dk]: per entry k = n * D + d its class and
// coefficient (-weight[class]; 0 where the target is ignore_index), the reduction and the
// divisor of "mean" (the sum of the weights not ignored; 1 otherwise).
struct LossTerms {
  int64_t N = 0, C = 0, D = 1;
  Shape target_shape;
  std::string reduction;
  std::vector<int64_t> cls;
  std::vector<double> coef;
  double denominator = 1;
};
LossTerms loss_terms(const Node& n, const Shape& x, const FTensor& target, const FTensor* weight);
// The loss of x (the input, or SoftmaxCrossEntropyLoss's log_prob) under L.
FTensor apply_loss(const LossTerms& L, const FTensor& x);

}  // namespace zkinfer::ops
