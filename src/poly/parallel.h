// When generic polynomial loops go parallel. Loops over tables smaller than the threshold stay
// serial: below a few thousand field operations the cost of waking OpenMP's threads exceeds the
// work. Not a tuning knob of any protocol; only a speed setting.
#pragma once

#include <cstddef>

namespace zkinfer::poly {

// Minimum number of loop iterations (each a few field multiplications) for an OpenMP loop.
inline constexpr size_t kParallelThreshold = size_t{1} << 11;

// Whether a loop of n iterations should run on OpenMP's threads.
inline bool go_parallel(size_t n) { return n >= kParallelThreshold; }

// Field types whose arithmetic must stay on the calling thread (snark::CFr: each product is a
// constraint of the thread's current system, snark/cfr.h, in a deterministic order), specialized
// true by such a type's header.
template <class F>
struct SerialArithmetic {
  static constexpr bool value = false;
};
// go_parallel for a loop of n iterations of arithmetic over F.
template <class F>
inline bool go_parallel_over(size_t n) {
  return !SerialArithmetic<F>::value && go_parallel(n);
}

}  // namespace zkinfer::poly
