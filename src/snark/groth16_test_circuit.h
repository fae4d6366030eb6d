// TEST ONLY: the circuits Groth16's tests and benchmark prove: x^3 + x + 5 = y (y public) followed
// by `extra` random constraints over the values made so far and `outputs` more public values
// equal to the last ones. The constraints depend only on (extra, outputs, structure), never on x,
// so a dummy-valued build gives the same system for the setup.
#pragma once

#include <vector>

#include "common/random.h"
#include "snark/circuit.h"

namespace zkinfer::snark {

enum class TestFault { kNone, kPublicY, kWitness };

inline void build_test_circuit(ConstraintSystem& cs, const Fr& x_value, size_t extra, size_t outputs,
                               uint64_t structure, TestFault fault = TestFault::kNone) {
  TestRng shape(structure);
  cs.set_label("cubic");
  const Num x = cs.witness(x_value);
  const Num x2 = cs.square(x);
  const Num x3 = cs.mul(x2, x);
  const Num y_value = x3 + x + Fr::from_u64(5);
  const Num y = cs.public_input(y_value.value() + (fault == TestFault::kPublicY ? Fr::one() : Fr::zero()));
  cs.assert_equal(y, y_value);
  cs.set_label("random");
  std::vector<Num> pool = {x, x2, x3};
  for (size_t i = 0; i < extra; ++i) {
    const Num& p = pool[shape.next_u64() % pool.size()];
    const Num& q = pool[shape.next_u64() % pool.size()];
    const Num& s = pool[shape.next_u64() % pool.size()];
    const Fr k = Fr::random(shape), c = Fr::from_u64(shape.next_u64() % 1000);
    pool.push_back(cs.mul(p * k + s + c, q + Fr::one()));
  }
  // One more witness, w = x^2 (one too large under TestFault::kWitness: that constraint fails).
  const Fr sq = x.value() * x.value();
  const Num w = cs.witness(fault == TestFault::kWitness ? sq + Fr::one() : sq);
  cs.enforce(x.lc(), x.lc(), w.lc());
  cs.set_label("outputs");
  for (size_t o = 0; o < outputs; ++o) {
    const Num& v = pool[pool.size() - 1 - (o % pool.size())];
    cs.assert_equal(cs.public_input(v.value()), v);
  }
}

}  // namespace zkinfer::snark
