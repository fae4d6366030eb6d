// Non-linear layer protocols, part 4: pooling. GlobalAveragePool as the executor computes it
// (ops/op_global_average_pool.cc): s[n, c] = sum of x[n, c, ...] over the S spatial positions,
// y = div_round(s, S): 2s + S = 2S y + r with 0 <= r < 2S (ops::div_round).
//
// A claim y~(z) = v (z over the (N, C) variables; the unit spatial dimensions of y have none)
// becomes, with the remainder's digits committed, s~(z) = S v + (r~(z) - S I~(z)) / 2; then one
// degree-1 sumcheck over the spatial variables of sum_w x~(w, z) = s~(z) gives a claim on x at
// (rho, z). r in [0, 2S) is shown by range checks of r and of r' = (2S - 1) I - r in [0, 2^m),
// 2^m >= 2S (r' is skipped when 2S is a power of two), tied by r~(z) + r'~(z) = (2S - 1) I~(z).
// MaxPool and windowed AveragePool: not yet (docs/protocol/nonlinear.md, section 5 gives the design).
#pragma once

#include "layers/rescale.h"

namespace zkinfer::layers {

struct GlobalAvgPoolParams {
  std::vector<size_t> dims;  // the input's shape (N, C, spatial...), rank >= 3
};

struct GlobalAvgPoolProof {
  NonlinearProof nl;                      // remainder digits: evaluations and range checks
  std::vector<sumcheck::Proof<Fr>> sums;  // one degree-1 sumcheck per claim
  void serialize(ByteWriter& w) const;
  static GlobalAvgPoolProof deserialize(ByteReader& r, const GlobalAvgPoolParams& p, size_t num_claims);
};

class GlobalAvgPoolProver {
 public:
  GlobalAvgPoolProver(const GlobalAvgPoolParams& params, std::span<const int64_t> x);
  const std::vector<LayerAdvice>& advice() const { return nl_.advice; }
  const std::vector<int64_t>& output() const { return y_; }  // shape (N, C, 1, ...)
  GlobalAvgPoolProof prove(std::span<const Claim> out_claims, transcript::Transcript& tr,
                           std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);

 private:
  GlobalAvgPoolParams params_;
  PaddedShape xs_, ys_;
  std::vector<int64_t> x_, y_;
  size_t r_rem_ = 0, r_comp_ = SIZE_MAX;
  detail::NlProver nl_;
};

std::vector<size_t> global_avg_pool_out_dims(const std::vector<size_t>& in_dims);
std::vector<AdviceShape> global_avg_pool_advice_shapes(const GlobalAvgPoolParams& params);
Verdict verify_global_avg_pool(const GlobalAvgPoolParams& params, std::span<const Claim> out_claims,
                               const GlobalAvgPoolProof& proof, transcript::Transcript& tr,
                               std::vector<Claim>* in_claims, std::vector<AdviceClaim>* advice_claims);

}  // namespace zkinfer::layers
