// SoftmaxCrossEntropyLoss (opset 12/13): the NegativeLogLikelihoodLoss (op_negative_log_likelihood_loss.cc)
// of log_prob = LogSoftmax(scores) along axis 1; the optional second output is log_prob. Float
// semantics here; the quantizer rewrites a node whose labels and weight are constants into the
// stable LogSoftmax (ReduceMax, Sub, Exp, ReduceSum, Log, Sub) and the loss's Mul, ReduceSum and,
// for mean, a Mul by a constant (graph::lower_composites); computed labels as in
// op_negative_log_likelihood_loss.cc (a OneHot of the labels).
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
void register_op_softmax_cross_entropy_loss(OpTable& t) {
  add_lowered_op(
      t, "SoftmaxCrossEntropyLoss",
      [](const Node& n, FIn in) {
        need_inputs(n, in, 2);
        const FTensor& x = *in[0];
        const LossTerms L = loss_terms(n, x.shape, *in[1], opt_in(in, 2));
        FTensor lp = x;
        for (int64_t a = 0; a < L.N; ++a)
          for (int64_t d = 0; d < L.D; ++d) {
            auto at = [&](int64_t c) -> double& { return lp.data[static_cast<size_t>((a * L.C + c) * L.D + d)]; };
            double m = -INFINITY, s = 0;
            for (int64_t c = 0; c < L.C; ++c) m = std::max(m, at(c));
            for (int64_t c = 0; c < L.C; ++c) s += std::exp(at(c) - m);
            const double l = std::log(s);
            for (int64_t c = 0; c < L.C; ++c) at(c) = at(c) - m - l;
          }
        std::vector<FTensor> out;
        out.push_back(apply_loss(L, lp));
        if (n.outputs.size() > 1) out.push_back(std::move(lp));
        return out;
      },
      "graph::lower_composites", "its labels must be a constant, or integers over at most 255 classes");
}
}  // namespace zkinfer::ops
