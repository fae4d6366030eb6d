// Pedersen commitments (see pedersen.h).
#include "zk/pedersen.h"

#include "common/check.h"
#include "curve/hash_to_curve.h"
#include "curve/msm.h"

#include <algorithm>

namespace zkinfer::zk {

PedersenParams::PedersenParams(size_t max_log_gens) {
  ZKINFER_CHECK(max_log_gens <= kMaxLogGens);
  g_ = curve::derive_generators(kVectorDomain, size_t{1} << max_log_gens);
  h_ = curve::hash_to_curve(pcs::kBlindingDomain, {});
  u_ = curve::hash_to_curve(pcs::kValueDomain, {});
  h_table_ = pcs::FixedBaseTable(h_);
  u_table_ = pcs::FixedBaseTable(u_);
  g_tables_.resize(std::min(g_.size(), kTabulatedGens));
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < g_tables_.size(); ++i) g_tables_[i] = pcs::FixedBaseTable(g_[i], 4);
}

G1 PedersenParams::mul_g(size_t i, const Fr& k) const {
  ZKINFER_CHECK(i < g_.size());
  return i < g_tables_.size() ? g_tables_[i].mul(k) : G1(g_[i]) * k;
}

std::span<const G1Affine> PedersenParams::g(size_t offset, size_t count) const {
  ZKINFER_CHECK(offset <= g_.size() && count <= g_.size() - offset);
  return std::span<const G1Affine>(g_).subspan(offset, count);
}

G1 commit_scalar(const PedersenParams& params, const Fr& value, const Fr& blind) {
  return params.mul_u(value) + params.mul_h(blind);
}

CommittedScalar commit_scalar(const PedersenParams& params, const Fr& value, const RandomFr& random) {
  const Fr blind = random();
  return {value, blind, commit_scalar(params, value, blind).to_affine()};
}

G1 commit_vector(const PedersenParams& params, std::span<const Fr> x, size_t offset, const Fr& blind) {
  const auto g = params.g(offset, x.size());
  G1 acc = params.mul_h(blind);
  if (offset + x.size() <= kTabulatedGens) {
    for (size_t i = 0; i < x.size(); ++i)
      if (!x[i].is_zero()) acc += params.mul_g(offset + i, x[i]);
    return acc;
  }
  return acc + curve::msm(g, x);
}

}  // namespace zkinfer::zk
