// Shared helpers for the layer tests: random integer tensors, random claims on a tensor, and a
// proof-tampering helper. Test-only.
#pragma once

#include <cstdint>
#include <vector>

#include "common/random.h"
#include "field/bn254.h"
#include "layers/claim.h"
#include "layers/layout.h"
#include "poly/mle.h"

namespace zkinfer::layers::testing {

inline std::vector<int64_t> random_ints(TestRng& rng, size_t n, int64_t bound) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % (2 * bound + 1)) - bound;
  return v;
}

inline std::vector<Fr> random_point(TestRng& rng, size_t n) {
  std::vector<Fr> p(n);
  for (auto& x : p) x = Fr::random(rng);
  return p;
}

// `count` claims on the tensor with padded table `table`, at random points, with true values.
inline std::vector<Claim> true_claims(TestRng& rng, const std::vector<Fr>& table, size_t num_vars, size_t count) {
  std::vector<Claim> cs;
  for (size_t t = 0; t < count; ++t) {
    auto p = random_point(rng, num_vars);
    const Fr v = poly::evaluate_mle<Fr>(table, p);
    cs.push_back({std::move(p), v});
  }
  return cs;
}

inline Fr eval(const std::vector<Fr>& table, const std::vector<Fr>& point) {
  return poly::evaluate_mle<Fr>(table, point);
}

}  // namespace zkinfer::layers::testing
