// The forms msm() (curve/msm.h) chooses between, forced: for tests and benchmarks.
#pragma once

#include <span>

#include "curve/msm.h"

namespace zkinfer::curve {

enum class MsmForm {
  kAuto,          // what msm() does
  kPerWindow,     // Pippenger with buckets per (window, chunk) task (Jacobian or batch-affine)
  kSharedAffine,  // every window's buckets in one batch-affine accumulator per thread (msm.cc)
};

// msm(bases, scalars, options) in the given form (the Straus paths for a few points are only
// taken by kAuto and kPerWindow).
G1 msm_form(std::span<const G1Affine> bases, std::span<const Fr> scalars, MsmForm form,
            const MsmOptions& options = {});

}  // namespace zkinfer::curve
