// NegativeLogLikelihoodLoss (opset 12/13) and, in op_softmax_cross_entropy_loss.cc,
// SoftmaxCrossEntropyLoss: input x [N, C, d1..dk], target [N, d1..dk] (integers), optional
// weight [C]; loss[n, d] = -weight[t] * x[n, t, d] with t = target[n, d] (0 where t equals
// ignore_index); reduction "none" keeps [N, d1..dk], "sum" sums, "mean" divides the sum by the
// sum of the weights of the entries not ignored (their count without weights). Float semantics
// here; the quantizer rewrites a node whose target and weight are constants into a Mul by the
// constant -weight one-hot mask, a ReduceSum over the classes (and the rest for sum / mean) and,
// for mean, a Mul by the constant 1 / (sum of the weights) (graph::lower_composites); a computed
// (integer) target into W = -OneHot(target) along axis 1 (ignored entries sent to an extra class
// that is sliced off), times the weights, a Mul and ReduceSum, and for mean a Div by -ReduceSum(W).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {

LossTerms loss_terms(const Node& n, const Shape& x, const FTensor& target, const FTensor* weight) {
  if (x.size() < 2) bad_node(n, "input must have rank >= 2 ([N, C, ...])");
  const int64_t N = x[0], C = x[1];
  int64_t D = 1;
  for (size_t i = 2; i < x.size(); ++i) D *= x[i];
  Shape ts = {N};
  ts.insert(ts.end(), x.begin() + 2, x.end());
  if (target.shape != ts) bad_node(n, "target shape " + shape_str(target.shape) + " must be " + shape_str(ts));
  if (weight && (weight->rank() != 1 || weight->size() != C)) bad_node(n, "weight must be a vector of C entries");
  const std::string red = n.attrs.get_string("reduction", "mean");
  if (red != "none" && red != "sum" && red != "mean") unsupported(n, "reduction '" + red + "'");
  const bool has_ii = n.attrs.has("ignore_index");
  const int64_t ii = n.attrs.get_int("ignore_index", 0);
  LossTerms L;
  L.N = N;
  L.C = C;
  L.D = D;
  L.target_shape = ts;
  L.reduction = red;
  L.cls.assign(static_cast<size_t>(N * D), 0);
  L.coef.assign(static_cast<size_t>(N * D), 0.0);
  double wsum = 0;
  for (int64_t k = 0; k < N * D; ++k) {
    const double tv = target.data[static_cast<size_t>(k)];
    if (tv != std::floor(tv)) bad_node(n, "target holds a non-integer value");
    const int64_t t = static_cast<int64_t>(tv);
    if (has_ii && t == ii) continue;
    if (t < 0 || t >= C) bad_node(n, "target value " + std::to_string(t) + " outside [0, " + std::to_string(C) + ")");
    const double w = weight ? weight->data[static_cast<size_t>(t)] : 1.0;
    L.cls[static_cast<size_t>(k)] = t;
    L.coef[static_cast<size_t>(k)] = -w;
    wsum += w;
  }
  L.denominator = red == "mean" ? wsum : 1.0;
  return L;
}

FTensor apply_loss(const LossTerms& L, const FTensor& x) {
  FTensor loss(L.target_shape, DType::kFloat);
  for (int64_t nn = 0; nn < L.N; ++nn)
    for (int64_t d = 0; d < L.D; ++d) {
      const size_t k = static_cast<size_t>(nn * L.D + d);
      if (L.coef[k] == 0) continue;
      loss.data[k] = L.coef[k] * x.data[static_cast<size_t>((nn * L.C + L.cls[k]) * L.D + d)];
    }
  if (L.reduction == "none") return loss;
  double s = 0;
  for (double v : loss.data) s += v;
  FTensor y(Shape{}, DType::kFloat);
  y.data = {s / L.denominator};
  return y;
}

void register_op_negative_log_likelihood_loss(OpTable& t) {
  add_lowered_op(
      t, "NegativeLogLikelihoodLoss",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const FTensor* w = opt_in(in, 2);
        return one(apply_loss(loss_terms(n, in[0]->shape, *in[1], w), *in[0]));
      },
      "graph::lower_composites", "its target must be a constant, or integers over at most 255 classes");
}
}  // namespace zkinfer::ops
